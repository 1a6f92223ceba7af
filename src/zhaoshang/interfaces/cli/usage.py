"""The CLI framework's own usage errors (unknown option or command, missing argument, invalid value, extra
argument) in the user's language, in one shape: the usage line and one line naming the mistake and the help command.
English is the framework's message; Chinese (the default) is built here from the error's kind and fields — the
framework has no message catalogue. Exit code 2 either way (the caller's)."""

from __future__ import annotations

import re
import sys
from typing import Any

from ...core.errors import check_reason

# the framework's messages that carry no fields of their own: its text → Chinese
_MESSAGES = (
    (re.compile(r"^Got unexpected extra argument(?:\(s\)|s)? \((.*)\)$", re.S), "多余的参数: {0}"),
    (re.compile(r"^No such command '(.*)'\.(?: Did you mean (.*)\?)?$", re.S), "没有这个命令: {0}"),
    (re.compile(r"^Missing command\.$"), "缺少子命令"),
    (re.compile(r"^Option '(.*)' requires an argument\.$"), "选项 '{0}' 需要一个值"),
    (re.compile(r"^Option '(.*)' requires (\d+) arguments\.$"), "选项 '{0}' 需要 {1} 个值"),
    (re.compile(r"^Option '(.*)' does not take a value\.$"), "选项 '{0}' 不接受值"),
    (re.compile(r"^Argument '(.*)' takes (\d+) values\.$"), "参数 '{0}' 需要 {1} 个值"),
)
_VALUE_TEXTS = (
    (re.compile(r"^(?:Value error, )?'(.*)' is not one of (.*)\.$", re.S), "'{0}' 不是可选值之一（可选: {1}）"),
    (re.compile(r"^(?:File|Directory|Path) '(.*)' does not exist\.$"), "'{0}' 不存在"),
    (re.compile(r"^(?:File|Directory|Path) '(.*)' is a file\.$"), "'{0}' 是文件，应为目录"),
    (re.compile(r"^(?:File|Directory|Path) '(.*)' is a directory\.$"), "'{0}' 是目录，应为文件"),
    (re.compile(r"^(?:File|Directory|Path) '(.*)' is not readable\.$"), "'{0}' 不可读"),
    (re.compile(r"^(?:File|Directory|Path) '(.*)' is not writable\.$"), "'{0}' 不可写"),
)
_CJK = re.compile(r"[\u4e00-\u9fff]")


def is_usage_error(exc: BaseException) -> bool:
    """The framework's usage errors (it vendors its option parser, so they are known by behaviour)."""
    return hasattr(exc, "show") and hasattr(exc, "exit_code")


def show(exc: Any, lang: str) -> None:
    """Print a usage error on stderr in ``lang``: the usage line and one line, ``Error: … Help: …`` in English
    (the framework's message) or ``错误: …。帮助: …`` in Chinese. A group named without its sub-command shows its
    help."""
    if type(exc).__name__ == "NoArgsIsHelpError":
        exc.show()
        return
    en = lang == "en"
    ctx = getattr(exc, "ctx", None)
    lines = []
    where = ""
    if ctx is not None:
        from .helptext import usage_zh

        usage_line = ctx.get_usage().strip()
        lines.append(usage_line if en else usage_zh(usage_line))
        if ctx.command.get_help_option(ctx) is not None:
            helper = f"{ctx.command_path} {ctx.help_option_names[0]}"
            where = f" Help: {helper}" if en else f"。帮助: {helper}"
    if en:
        text = message_en(exc)
        lines.append(f"Error: {text}{'' if not where or text.endswith(('.', '?', '!')) else '.'}{where}")
    else:
        lines.append(f"错误: {message_zh(exc)}{where}")
    sys.stderr.write("\n".join(lines) + "\n")


def message_en(exc: Any) -> str:
    """The English text of one usage error: the framework's, with a refused value's reason as a user reads it."""
    if type(exc).__name__ == "BadParameter":
        cause = exc.__cause__
        why = check_reason((cause.errors() or [{}])[0], "en") if cause is not None and hasattr(cause, "errors") else None
        if why:
            hint = _hint(exc)
            return f"Invalid value for {hint}: {why}" if hint else f"Invalid value: {why}"
    return exc.format_message().replace("Value error, ", "").strip()  # the checker's prefix of a custom check's text


def message_zh(exc: Any) -> str:
    """The Chinese text of one usage error."""
    kind = type(exc).__name__
    if kind == "NoSuchOption":
        near = sorted(exc.possibilities or ())
        return f"没有这个选项: {exc.option_name}" + (f"（可能是: {', '.join(near)}）" if near else "")
    if kind == "MissingParameter":
        what = {"argument": "参数", "option": "选项"}.get(exc.param_type or getattr(exc.param, "param_type_name", ""), "参数")
        return f"缺少{what} {_hint(exc)}".rstrip()
    if kind == "BadParameter":
        hint = _hint(exc)
        return (f"{hint} 的值无效: " if hint else "值无效: ") + _value_reason(exc)
    text = str(getattr(exc, "message", "") or exc)
    found = _translate(_MESSAGES, text)
    if found is None:
        return text  # a message written by a command itself (Chinese already) or one not known here
    out, m = found
    if m.re.pattern.startswith("^No such command") and m.group(2):
        out += f"（是否要输入: {m.group(2)}？）"
    return out


def _translate(table, text: str):
    """The Chinese of the first (pattern, Chinese) pair of ``table`` whose pattern matches ``text``, with the match."""
    for pattern, zh in table:
        m = pattern.match(text)
        if m:
            return zh.format(*m.groups()), m
    return None


def _hint(exc: Any) -> str:
    """How the error names its parameter: '--top', 'words'."""
    if exc.param_hint is not None:
        hint = exc.param_hint
        return hint if isinstance(hint, str) else " / ".join(repr(x) for x in hint)
    return exc.param.get_error_hint() if exc.param is not None else ""


def _value_reason(exc: Any) -> str:
    """Why a value was refused, in Chinese: from the value checker's error type, or the framework's text."""
    text = str(exc.message)
    if _CJK.search(text):
        return text
    cause = exc.__cause__
    if cause is not None and hasattr(cause, "errors"):
        why = check_reason((cause.errors() or [{}])[0])  # the value checker's error, as the web API says it
        if why:
            return why
    found = _translate(_VALUE_TEXTS, text)
    return found[0] if found else text
