"""One reader for the YAML files a user may replace (weights, rules, feeds, tie strengths, macro-regions, …).

A missing, unreadable or malformed file and a value of the wrong kind each give ONE line, in Chinese with an
English twin, naming the file, the key and what was expected — the same wording whichever service reads it:

    配置文件 /path/recommend.yaml: window_years 应为正整数
    configuration file /path/recommend.yaml: window_years should be a positive integer
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any, Iterable

import yaml

from .errors import UserError

_MISSING = object()
_FAST = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PART = re.compile(r"\[\d+\]|[^.\[\]]+")


def parse_yaml(text: str, zh: str, en: str, where: str | Path = "") -> Any:
    """YAML text → data; a syntax error is one line with the line number and the parser's complaint. Read by
    libyaml where the wheel has it (the same data, ≈ 5× faster: the chain taxonomy is read on a page's first
    view); a file it refuses is read again by the Python parser, whose complaint the message quotes."""
    try:
        return yaml.load(text, Loader=_FAST)
    except yaml.YAMLError:
        pass
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        at_zh = f"第 {mark.line + 1} 行: " if mark else ""
        at_en = f"line {mark.line + 1}: " if mark else ""
        sep = f": {where}" if where else ""
        raise UserError(f"{zh}不是有效的 YAML{sep}（{at_zh}{yaml_problem_zh(problem)}）",
                        f"the {en} is not valid YAML{sep} ({at_en}{problem})") from None


# the parser's complaints (PyYAML writes English) said in Chinese: a Chinese error quotes no English
_YAML_PROBLEMS_ZH = [
    (r"expected ',' or '\]'", "方括号列表 [ … ] 未闭合或缺少逗号"),
    (r"expected ',' or '\}'", "花括号 { … } 未闭合或缺少逗号"),
    (r"mapping values are not allowed", "此处不能出现“键: 值”（多半是缩进不对，或冒号后少了空格）"),
    (r"found character '\\t'", "含有制表符（YAML 只能用空格缩进）"),
    (r"could not find expected ':'", "缺少“:”"),
    (r"did not find expected key", "缩进不一致，找不到预期的键"),
    (r"did not find expected '-' indicator", "列表项的缩进不一致（缺少“-”）"),
    (r"found unexpected end of stream", "文件意外结束（引号或括号未闭合）"),
    (r"expected the node content", "此处缺少内容（多半是括号或引号未闭合）"),
    (r"found undefined alias", "引用了未定义的别名（*名称）"),
    (r"found duplicate anchor", "锚点（&名称）重复"),
    (r"unacceptable character|special characters are not allowed", "含有不允许的字符"),
    (r"expected <document start>", "文档开头格式不对（多半是缩进不对）"),
    (r"expected <block end>", "缩进不一致（一个块没有正确结束）"),
    (r"found unknown escape character", "引号中有无法识别的转义字符（\\ 后的字符）"),
]


def yaml_problem_zh(problem: str) -> str:
    """A PyYAML complaint in Chinese (``expected ',' or ']', but got '<stream end>'`` → 方括号列表 … 未闭合); one it
    does not know is said as a syntax error (the English message keeps the parser's words)."""
    return next((zh for pattern, zh in _YAML_PROBLEMS_ZH if re.search(pattern, problem)), "语法错误")


def read_yaml(path: str | Path, zh: str, en: str) -> Any:
    """A YAML file's data (``None`` for an empty file); missing, unreadable or malformed → ``UserError``."""
    p = Path(path)
    if not p.is_file():
        raise UserError(f"{zh}不存在: {p}", f"{en} not found: {p}")
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = getattr(exc, "strerror", None) or ("不是 UTF-8 文本" if isinstance(exc, UnicodeDecodeError) else str(exc))
        why_en = getattr(exc, "strerror", None) or ("not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else str(exc))
        raise UserError(f"无法读取{zh}: {p}（{why}）", f"cannot read the {en}: {p} ({why_en})") from None
    return parse_yaml(text, zh, en, p)


def is_number(v: Any) -> bool:
    """A finite int or float (``True``/``False`` are not numbers here)."""
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


class ConfigFile:
    """One loaded file and its checks: every failure names the file and the (dotted) key.

    ``ConfigFile.read(path, "权重文件", "weights file")`` reads it (the top level must be a mapping; an empty
    file is ``{}``); the check methods return the checked value or raise the one-line ``UserError``.
    """

    def __init__(self, path: str | Path, doc: Any, zh: str, en: str):
        self.path, self.doc, self.zh, self.en = Path(path), doc, zh, en

    @classmethod
    def read(cls, path: str | Path, zh: str, en: str) -> "ConfigFile":
        doc = read_yaml(path, zh, en)
        out = cls(path, {} if doc is None else doc, zh, en)
        if not isinstance(out.doc, dict):
            raise out.expect("", "键: 值 的映射", "a mapping of key: value")
        return out

    # -- messages -------------------------------------------------------------------------------------
    def error(self, key: str, zh: str, en: str) -> UserError:
        """``<file>: <key> <zh>`` / ``<file>: <key> <en>`` (the top level when ``key`` is empty)."""
        k_zh, k_en = (f" {key} " if key else " 顶层"), (f" {key} " if key else " the top level ")
        return UserError(f"{self.zh} {self.path}:{k_zh}{zh}".rstrip(), f"{self.en} {self.path}:{k_en}{en}".rstrip())

    def expect(self, key: str, zh: str, en: str) -> UserError:
        """``<file>: <key> 应为 <what>`` / ``<file>: <key> should be <what>``."""
        return self.error(key, f"应为{zh}", f"should be {en}")

    # -- values -----------------------------------------------------------------------------------------
    def get(self, key: str, default: Any = None) -> Any:
        """The value at a dotted key (``a.b``, list items as ``a[0].b``), ``default`` when any part is absent."""
        v: Any = self.doc
        for part in _PART.findall(key):
            if part.startswith("["):
                i = int(part[1:-1])
                if not isinstance(v, list) or i >= len(v):
                    return default
                v = v[i]
            elif isinstance(v, dict) and part in v:
                v = v[part]
            else:
                return default
        return v

    def _value(self, key: str, value: Any) -> Any:
        return self.get(key, _MISSING) if value is _MISSING else value

    def mapping(self, key: str, value: Any = _MISSING, *, required: bool = True) -> dict:
        v = self._value(key, value)
        if (v is _MISSING or v is None) and not required:
            return {}
        if not isinstance(v, dict):
            raise self.expect(key, "映射（键: 值）", "a mapping (key: value)")
        return v

    def items(self, key: str, value: Any = _MISSING, *, nonempty: bool = False, required: bool = True) -> list:
        v = self._value(key, value)
        if (v is _MISSING or v is None) and not required:
            return []
        if not isinstance(v, list) or (nonempty and not v):
            raise self.expect(key, "非空列表" if nonempty else "列表", "a non-empty list" if nonempty else "a list")
        return v

    def number(self, key: str, value: Any = _MISSING, *, lo: float | None = None, hi: float | None = None,
               integer: bool = False, above: bool = False, default: Any = _MISSING) -> float:
        """A number (optionally an integer) in ``[lo, hi]`` (``(lo, hi]`` with ``above``)."""
        v = self._value(key, value)
        if v is _MISSING and default is not _MISSING:
            v = default
        ok = is_number(v) and (not integer or float(v).is_integer())
        if ok and lo is not None:
            ok = v > lo if above else v >= lo
        if ok and hi is not None:
            ok = v <= hi
        if not ok:
            zh, en = self._range_text(lo, hi, integer, above)
            got_zh, got_en = ("", "") if v is _MISSING else (f"（实际为 {v!r}）", f" (got {v!r})")
            raise self.expect(key, zh + got_zh, en + got_en)
        return v

    @staticmethod
    def _range_text(lo, hi, integer, above) -> tuple[str, str]:
        kind_zh, kind_en = ("整数", "integer") if integer else ("数字", "number")
        if lo == 0 and hi is None:
            return (("正" if above else "非负") + ("整数" if integer else "数" if above else "数字"),
                    f"a {'positive' if above else 'non-negative'} {kind_en}")
        if lo is not None and hi is not None:
            left = "(" if above else "["
            return f" {left}{lo}, {hi}] 内的{kind_zh}", f"a {kind_en} in {left}{lo}, {hi}]"
        if lo is not None:
            return f"{'大于' if above else '不小于'} {lo} 的{kind_zh}", f"a {kind_en} {'above' if above else 'of at least'} {lo}"
        if hi is not None:
            return f"不大于 {hi} 的{kind_zh}", f"a {kind_en} of at most {hi}"
        return kind_zh, ("an " if integer else "a ") + kind_en

    def choice(self, key: str, value: Any, options: Iterable) -> Any:
        opts = list(options)
        if value not in opts:
            shown = ", ".join(map(str, opts))
            raise self.expect(key, f"以下之一: {shown}（实际为 {value!r}）", f"one of: {shown} (got {value!r})")
        return value

    def known(self, key: str, mapping: dict, allowed: Iterable) -> dict:
        """Every key of ``mapping`` (found at ``key``) is one of ``allowed``."""
        opts = list(allowed)
        for k in mapping:
            if k not in opts:
                where = f"{key}.{k}" if key else str(k)
                shown = ", ".join(map(str, opts))
                raise self.error(where, f"未知（可选: {shown}）", f"is unknown (choose from {shown})")
        return mapping

    def require(self, keys: Iterable[str]) -> None:
        """Each dotted key is present."""
        for k in keys:
            if self.get(k, _MISSING) is _MISSING:
                raise self.error(k, "缺失", "is missing")
