"""Errors a user can act on. Interfaces print their message as one line and exit non-zero, no traceback; and the
one way an English message says a count (``count_en``: 1 row, 2 rows)."""

from __future__ import annotations


class UserError(Exception):
    """A problem with the user's input (file, column, option, value): shown as one clear line.

    The message is Chinese; ``en`` optionally carries the English one (``in_lang("en")`` falls back to it);
    ``text`` the value refused, as given (a chain node's code, a weights version): a web page's form shows the
    refusal beside the box that holds it (``interfaces/web/forms.py``); ``pair`` the two arguments whose values
    contradict each other (a range whose start lies after its end): a form shows the refusal beside both boxes;
    ``param`` the query parameter whose value was refused, when the refusal knows it (a filter form's box); ``field``
    the box of a page's own form it concerns (the profile's placement form: ``action``, ``node``, ``reason``);
    ``earlier`` an earlier date the request can be made for instead (``{"date", "zh", "en"}``: the sentence up to the
    date, which a page links).
    """

    text: str | None = None
    pair: tuple[str, str] | None = None
    param: str | None = None
    field: str | None = None
    earlier: dict | None = None

    def __init__(self, message: str = "", en: str | None = None, *, text: str | None = None,
                 pair: tuple[str, str] | None = None, param: str | None = None, field: str | None = None,
                 earlier: dict | None = None):
        super().__init__(message)
        self.en = en
        for name, value in (("text", text), ("pair", pair), ("param", param), ("field", field), ("earlier", earlier)):
            if value is not None:
                setattr(self, name, value)

    def in_lang(self, lang: str) -> str:
        """The message in the user's language (Chinese when no English text was given)."""
        return self.en if lang == "en" and self.en else str(self)


def unknown_choice(what_zh: str, what_en: str, value: str, choices) -> UserError:
    """The refusal of a name that is none of ``choices`` (a data kind, a preset): the near one(s) first — the
    match the command line uses for a misspelt command (``difflib``: enterprise → enterprises, itjuzi_funding →
    itjuzi_financing) — then every choice; a name near none gets the list alone."""
    from difflib import get_close_matches

    choices = list(choices)
    near = get_close_matches(str(value), choices, n=3, cutoff=0.6)
    every = ", ".join(choices)
    if near:
        return UserError(f"未知的{what_zh}: {value}（是否要输入: {', '.join(near)}？全部可选: {every}）",
                         en=f"unknown {what_en}: {value} (did you mean {', '.join(near)}? all choices: {every})", text=value)
    return UserError(f"未知的{what_zh}: {value}（可选: {every}）", en=f"unknown {what_en}: {value} (one of: {every})", text=value)


class ImportFailed(UserError):
    """An import could not complete; the database is left exactly as it was before."""


class NotFound(UserError):
    """A named thing (enterprise, region, chain node) does not exist in the database."""


class Conflict(UserError):
    """A change based on an older version of a shared record (a lead's form loaded before a colleague saved it):
    refused, nothing written. ``version``: the record's version now; ``changes``: what was changed since the
    version the change was based on (the history rows: at, actor, field, from_value, to_value)."""

    def __init__(self, message: str, en: str | None = None, *, version: int = 0, changes: list[dict] | None = None):
        super().__init__(message, en)
        self.version = version
        self.changes = list(changes or [])


# Why the value checker under the CLI and the web API refused a value, in Chinese: its error type → text, filled
# from the value given (``input``) and the check's limits (its ``ctx``: ge, le, min_length, expected …). The
# checker has no message catalogue; its English text is the English, but where it reads as the checker's own
# ("Input should be a valid boolean, unable to interpret input") ``_CHECKS_EN`` says it as a user reads it.
_CHECKS_ZH = {
    "int_parsing": "应为整数，收到 '{input}'",
    "int_from_float": "应为整数，收到 '{input}'",
    "int_type": "应为整数，收到 '{input}'",
    "float_parsing": "应为数字，收到 '{input}'",
    "float_type": "应为数字，收到 '{input}'",
    "decimal_parsing": "应为数字，收到 '{input}'",
    "finite_number": "应为有限的数字，收到 '{input}'",
    "bool_parsing": "应为 true 或 false，收到 '{input}'",
    "date_parsing": "应为日期 YYYY-MM-DD，收到 '{input}'",
    "date_from_datetime_parsing": "应为日期 YYYY-MM-DD，收到 '{input}'",
    "greater_than_equal": "应大于或等于 {ge}",
    "greater_than": "应大于 {gt}",
    "less_than_equal": "应小于或等于 {le}",
    "less_than": "应小于 {lt}",
    "string_too_short": "至少 {min_length} 个字符",
    "string_too_long": "至多 {max_length} 个字符",
    "literal_error": "应为 {expected}",
    "enum": "应为 {expected}",
    "missing": "缺少此参数",
    "extra_forbidden": "不接受此字段",
    "too_long": "至多 {max_length} 项",
    "too_short": "至少 {min_length} 项",
    "list_type": "应为列表",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "dict_type": "应为对象",
    "string_type": "应为文本",
    "json_invalid": "不是有效的 JSON",
    "json_type": "不是有效的 JSON",
}
_NUMBER_EN = "should be a number, got '{input}'"
_WHOLE_EN = "should be a whole number, got '{input}'"
_DATE_EN = "should be a date YYYY-MM-DD, got '{input}'"
_CHECKS_EN = {
    "int_parsing": _WHOLE_EN, "int_from_float": _WHOLE_EN, "int_type": _WHOLE_EN,
    "float_parsing": _NUMBER_EN, "float_type": _NUMBER_EN, "decimal_parsing": _NUMBER_EN,
    "bool_parsing": "should be true or false, got '{input}'",
    "date_parsing": _DATE_EN, "date_from_datetime_parsing": _DATE_EN,
}


def check_reason(err: dict, lang: str = "zh") -> str | None:
    """One value-checker error (``{"type", "input", "ctx"}``) in words, Chinese or English (``lang`` "en"); None for
    a type not known here (in English: the checker's own text reads well enough)."""
    text = (_CHECKS_EN if lang == "en" else _CHECKS_ZH).get(str(err.get("type")))
    if text is None:
        return None
    fields = {k: str(v) for k, v in (err.get("ctx") or {}).items()}
    if "expected" in fields:  # "'a', 'b' or 'c'" → "'a'、'b' 或 'c'"
        fields["expected"] = fields["expected"].replace(", ", "、").replace(" or ", " 或 ")
    try:
        return text.format(input=err.get("input", ""), **fields)
    except (KeyError, IndexError):
        return None


def count_en(n, noun: str, plural: str | None = None, *, sep: bool = True) -> str:
    """A count in an English message, singular or plural as it should read: ``1 row``, ``2 rows``, ``0 rows``,
    ``1 entry`` / ``3 entries`` (``plural`` for the irregular ones), thousands separated as every count is
    (``1,234 rows``; ``sep=False`` only where a number names a thing).
    Chinese needs no such care (``1 行``, ``2 行``)."""
    shown = f"{n:,}" if sep and isinstance(n, int) else str(n)
    return f"{shown} {noun_en(n, noun, plural)}"


def noun_en(n, noun: str, plural: str | None = None) -> str:
    """The noun of ``count_en`` alone, for a page that shows the number in an element of its own."""
    return noun if n == 1 else plural or noun + "s"
