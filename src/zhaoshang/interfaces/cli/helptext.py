"""The language of the help texts. Commands write their help in Chinese (docstrings, ``help=``); the English
comes from one catalogue, ``data/cli_help_en.yaml``, keyed by the Chinese text, and is put on the command tree
before the command line is parsed when it will print help — ``--help`` is eager, so the language is read from
argv and the environment first. A Chinese text without an English entry stays Chinese (tests/test_cli_help_en.py fails on it)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Iterator

CATALOGUE = Path(__file__).resolve().parents[2] / "data" / "cli_help_en.yaml"


def argv_lang(argv: list[str]) -> str:
    """``en`` when ``--lang en`` (or ``--lang=en``) is on the command line, or else ZHAOSHANG_LANG is English."""
    lang = os.environ.get("ZHAOSHANG_LANG", "zh")
    for i, a in enumerate(argv):
        if a == "--":
            break
        if a == "--lang" and i + 1 < len(argv):
            lang = argv[i + 1]
        elif a.startswith("--lang="):
            lang = a.split("=", 1)[1]
    return "en" if lang.lower().startswith("en") else "zh"


# the global options that take a value (app.py's callback): the words after them name commands
GLOBAL_VALUED = ("--db", "--lang", "--team-db")


def globals_first(argv: list[str]) -> list[str]:
    """The command line with the global options (``--db X``, ``--lang en``, ``--team-db Y``, also ``--db=X``) moved
    before the command, in their order, so that every command accepts them before or after its name alike."""
    front, rest, i = [], [], 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            rest += argv[i:]
            break
        if a in GLOBAL_VALUED and i + 1 < len(argv):
            front += argv[i:i + 2]
            i += 2
            continue
        (front if a.split("=", 1)[0] in GLOBAL_VALUED and "=" in a else rest).append(a)
        i += 1
    return front + rest


def command_words(argv: list[str]) -> list[str]:
    """The words of a command line that are not options or the values of global options: the command, its
    sub-command and their arguments."""
    words, i = [], 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            break
        if a in GLOBAL_VALUED:
            i += 2
            continue
        if not a.startswith("-"):
            words.append(a)
        i += 1
    return words


def shows_help(command: Any, argv: list[str]) -> bool:
    """Whether this command line prints help: ``--help``/``-h``, or a group named without its sub-command (the
    catalogue is read only then, so English commands start as fast as Chinese ones)."""
    if "--help" in argv or "-h" in argv:
        return True
    for w in command_words(argv):
        sub = (getattr(command, "commands", None) or {}).get(w)
        if sub is None:
            return False
        command = sub
    return bool(getattr(command, "commands", None))


def catalogue() -> dict[str, str]:
    """Chinese help text → English. An entry names the ways a date may be written as ``{date_forms}`` (a deadline's
    as ``{deadline_forms}``): the one phrase of the date parser (``core/parse/dates.py`` DATE_FORMS), put in the
    Chinese key and the English value alike."""
    from ...core.config import read_yaml
    from ...core.parse.dates import DATE_FORMS, DEADLINE_FORMS

    forms = {"{date_forms}": DATE_FORMS, "{deadline_forms}": DEADLINE_FORMS}

    def put(text: str, en: bool) -> str:
        for name, pair in forms.items():
            text = text.replace(name, pair[en])
        return text

    raw = read_yaml(CATALOGUE, "命令行英文帮助", "English help catalogue") or {}
    return {put(k, False): put(v, True) for k, v in raw.items()}


def help_texts(command: Any, path: str = "zhaoshang") -> Iterator[tuple[str, Any, str]]:
    """Every help text of the command tree: (command path, object, attribute) of a command's help or short
    help and of each option's and argument's help."""
    for attr in ("help", "short_help"):
        if getattr(command, attr, None):
            yield path, command, attr
    for param in command.params:
        if getattr(param, "help", None):
            yield path, param, "help"
    for name, sub in (getattr(command, "commands", None) or {}).items():
        yield from help_texts(sub, f"{path} {name}")


def to_english(command: Any) -> None:
    """Replace the help texts of the command tree by their English ones."""
    en = catalogue()
    for _path, obj, attr in help_texts(command):
        text = getattr(obj, attr)
        if text in en:
            setattr(obj, attr, en[text])


# the help screen's own words (panel titles, the help option, default and required marks): the CLI framework
# writes them in English; a Chinese help screen gets them in Chinese, an English one the framework's own
FRAME = {"ARGUMENTS_PANEL_TITLE": ("参数", "Arguments"), "OPTIONS_PANEL_TITLE": ("选项", "Options"),
         "COMMANDS_PANEL_TITLE": ("命令", "Commands"), "DEFAULT_STRING": ("[默认: {}]", "[default: {}]"),
         "REQUIRED_LONG_STRING": ("[必填]", "[required]"), "ENVVAR_STRING": ("[环境变量: {}]", "[env var: {}]")}
HELP_OPTION = ("显示本帮助并退出。", "Show this message and exit.")
# the usage line's own words (its prefix and the framework's metavars) in Chinese; arguments keep their names
USAGE_ZH = (("Usage:", "用法:"), ("[OPTIONS]", "[选项]"), ("COMMAND [ARGS]...", "命令 [参数]..."))


# the value types the framework names beside each option (<str>, <int>, <list[str]> …) in words, in either language
# (a flag takes no value and shows none: help_frame); a choice (<table|json>) is the values themselves and stays as it is
TYPES: dict[str, tuple[str, str]] = {"str": ("文本", "text"), "int": ("整数", "integer"), "float": ("数值", "number"),
                                     "path": ("路径", "path"), "Path": ("路径", "path"), "datetime": ("日期时间", "date-time")}


def type_words(text: str | None, lang: str = "zh") -> str | None:
    """A value type of the help screen in words: ``<int>`` → ``<整数>`` / ``<integer>``, ``<list[str]>`` →
    ``<文本，可多个>`` / ``<list>`` (the option repeated, one value each time), never a programming type's name."""
    m = re.fullmatch(r"<(?:list\[(\w+)\]|(\w+))>(\.\.\.)?", text or "")
    if not m or (m.group(1) or m.group(2)) not in TYPES:
        return text
    en = lang == "en"
    if m.group(1):
        return "<list>" if en else f"<{TYPES[m.group(1)][0]}，可多个>"
    return f"<{TYPES[m.group(2)][en]}>{m.group(3) or ''}"


def usage_zh(text: str) -> str:
    """A usage line (``Usage: zhaoshang import [OPTIONS] {kind} {files}...``) in Chinese: ``用法: … [选项] …``."""
    for en, zh in USAGE_ZH:
        text = text.replace(en, zh) if en != "Usage:" else re.sub(r"^(\s*)Usage:", r"\g<1>" + zh, text)
    return text


def help_frame(command: Any, lang: str) -> None:
    """Put the help screen's own words in ``lang`` (before --help is parsed, like ``to_english``)."""
    from typer import rich_utils

    en = lang == "en"
    for name, texts in FRAME.items():
        setattr(rich_utils, name, texts[en])

    class _Names:  # what the help option is named (the app's context settings)
        help_option_names = ["-h", "--help"]

    def walk(cmd: Any) -> Iterator[Any]:
        yield cmd
        for sub in (getattr(cmd, "commands", None) or {}).values():
            yield from walk(sub)

    if not hasattr(rich_utils, "_text_cut"):  # a help text wraps whole: a Chinese one has no space to wrap at and was cut with "…"
        rich_utils._text_cut = rich_utils._make_rich_text
        rich_utils._make_rich_text = _folded(rich_utils._text_cut)
        import rich.text

        rich.text.divide_line = kept_together(rich.text.divide_line)
    for cmd in walk(command):
        option = cmd.get_help_option(_Names())
        if option is not None:
            option.help = HELP_OPTION[en]
        if not en:  # the usage line at the top of the screen
            cmd.format_usage = _usage_in_chinese(cmd)
        for param in [*cmd.params, *([option] if option is not None else [])]:  # the value types beside the options
            if not hasattr(param, "display_type_rich"):
                continue
            if not hasattr(param, "_type_raw"):
                param._type_raw = param.display_type_rich
            param.display_type_rich = (lambda ctx: None) if getattr(param, "is_flag", False) else (
                lambda ctx, _p=param: type_words(_p._type_raw(ctx=ctx), lang))


#: what never starts a line (closing punctuation) and what never ends one (opening brackets), Chinese and Latin
NO_LINE_START = frozenset("，。、；：？！）》」』】〕〉”’…,.;:?!)]}%")
NO_LINE_END = frozenset("（《「『【〔〈“‘([{")


def kept_together(divide: Any):
    """Rich's line breaking (``rich._wrap.divide_line``: the offsets at which a text is broken to fit ``width``) with
    closing punctuation kept with the text before it and an opening bracket with the text after it: a break before
    、 or ） moves back by a character (a Chinese help text read …合作伙伴 / 、融资趋势 and …区域 / ）：funding)."""
    def divide_line(text: str, width: int, fold: bool = True) -> list[int]:
        out: list[int] = []
        base = 0
        while breaks := divide(text[base:], width, fold):
            rest, k = text[base:], breaks[0]
            while k > 1 and (rest[k] in NO_LINE_START or rest[k - 1] in NO_LINE_END) and not rest[k - 1].isspace():
                k -= 1
            k = k if k > 1 else breaks[0]
            out.append(base + k)
            base += k
        return out
    return divide_line


def _folded(make: Any):
    def make_text(**kw: Any) -> Any:
        text = make(**kw)
        if hasattr(text, "overflow"):
            text.overflow = "fold"  # a word wider than its column goes on the next line, whole; spaces still wrap first
        return text
    return make_text


def _usage_in_chinese(cmd: Any):
    def format_usage(ctx: Any, formatter: Any) -> None:
        head = usage_zh("Usage: ")
        formatter.write_usage(ctx.command_path, usage_zh(" ".join(cmd.collect_usage_pieces(ctx))), prefix=head)
    return format_usage
