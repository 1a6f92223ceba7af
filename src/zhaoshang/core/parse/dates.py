"""Dates from the forms found in registry, financing and patent exports, with their precision.

``parse_date_ex`` returns ``(date, precision)`` where precision is "day", "month" or "year"; a month-only
value ("2024-03", "2024年3月") is the first day of that month with precision "month", a year-only value the
first of January with precision "year". Excel serial numbers use the 1900 date system (epoch 1899-12-30,
serial 60 = the non-existent 1900-02-29 is rejected). Times and time zones are dropped: the date is the
one written. ``china_day_ex`` reads a written moment (a feed item's date) instead: a time with its zone is China's
day of that moment, one without a zone China's time. Rules are listed in docs/methods.md.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import unicodedata
from zoneinfo import ZoneInfo

from .placeholders import is_open_ended, is_placeholder
from .problem import ParseError
__all__ = ["parse_date", "parse_date_ex", "china_day_ex", "parse_deadline", "parse_user_date", "DEADLINES", "period_end", "china_today", "china_now", "china_time_text", "china_day", "china_day_sql", "utc_text", "utc_text_sql", "UTC_FORMAT", "zoned", "ZONE", "CHINA", "DATE_LABELS", "MIN_YEAR",
           "MAX_YEAR", "PRECISIONS", "finer", "format_date", "format_date_sql",
           "precision_rank_sql", "within_sql"]

#: The product's day: its users are in China, so "today" is China's date (Asia/Shanghai) wherever the server runs.
CHINA = ZoneInfo("Asia/Shanghai")


def _utc_now() -> _dt.datetime:
    """The current moment (UTC); the one clock that "today" is read from (tests freeze it here)."""
    return _dt.datetime.now(_dt.timezone.utc)


def china_today() -> _dt.date:
    """Today in China (Asia/Shanghai): the one "today" of every date check, as-of default and dated stamp."""
    return china_now().date()


def china_now() -> _dt.datetime:
    """The current moment in China's time (Asia/Shanghai): the time of a stamp a user reads (a rejects file's name,
    …20261206-122628 at 04:26:28 UTC), as every date the product shows is China's."""
    return _utc_now().astimezone(CHINA)


#: How a time shown to people names its clock — China's (UTC+8, no daylight saving), the one clock of every time
#: shown: after a value in running text (``2026-12-06 19:49:44 (UTC+8)``), after a column's header where the cells
#: below it are bare (``时间 (UTC+8)`` / ``Time (UTC+8)``).
ZONE = "(UTC+8)"


def zoned(label: str) -> str:
    """A column's header or a field's label naming the clock of the times beneath it: ``时间`` → ``时间 (UTC+8)``."""
    return f"{label} {ZONE}"


#: A moment as JSON and every file headed by field names give it (API answers, ``--format json|csv``, the raw exports):
#: UTC, ISO 8601 with its zone and microseconds, ``2026-12-06T11:49:44.123456Z`` — the form the team state stores.
UTC_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def _moment(at: _dt.datetime | str) -> _dt.datetime:
    """A stored moment with its zone: a team-state time (``…Z``) or any moment with its zone as it is; a naive moment
    is the server's own clock, as an import or a classification stamps it (Python's and DuckDB's ``now()``).
    ``ValueError`` for text of another shape."""
    if isinstance(at, str):
        at = _dt.datetime.fromisoformat(at.replace("Z", "+00:00"))
    if not isinstance(at, _dt.datetime):
        raise ValueError(f"not a moment: {at!r}")
    return at.astimezone()  # a naive moment: the server's clock; an aware one stays that moment


def china_time_text(at: _dt.datetime | str | None, *, zone: bool = True) -> str | None:
    """A moment as people read it — an import's time, an audit entry's, a user's last activity, a lead's change, an
    alert's: China's time to the second, ``2026-12-06 19:49:44 (UTC+8)`` in either language, the clock of the rejects
    file's name (``china_now``). The one formatter of every time shown (CLI tables and messages, pages, exports):
    ``zone=False`` leaves the zone off for a cell under a header that names it (``zoned``). A stored team-state time
    (``2026-12-06T11:49:44.123456Z``) or any moment with its zone is converted; a naive moment is the server's own
    clock, as an import stamps it (Python's and DuckDB's ``now()``); the stored value is not changed. Text of another
    shape is shown as it is."""
    if at is None or at == "":
        return None
    try:
        at = _moment(at)
    except ValueError:
        return str(at)
    shown = at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")
    return f"{shown} {ZONE}" if zone else shown


def china_day(at: _dt.datetime | str | None) -> _dt.date | None:
    """The day a stored moment is shown on (``china_time_text``): China's day of it — an import's or a
    classification's at 2026-12-06 19:56 UTC is 2026-12-07, never the server's (UTC) day. None for no moment."""
    if at is None or at == "":
        return None
    return _moment(at).astimezone(CHINA).date()


def utc_text(at: _dt.datetime | str | None) -> str | None:
    """A stored moment as JSON gives it (``UTC_FORMAT``): ``2026-12-06T19:56:21.000000Z`` for an import stamped
    2026-12-06 19:56:21 by a server on UTC (``2026-12-07 03:56:21`` on one in China: the same moment). The one
    form of every moment in ``core.jsonenc`` and of a CSV cell headed by its field's name; ``utc_text_sql`` is the same
    text in SQL."""
    if at is None or at == "":
        return None
    return _moment(at).astimezone(_dt.timezone.utc).strftime(UTC_FORMAT)


def utc_text_sql(col: str) -> str:
    """SQL: ``utc_text`` of a stored TIMESTAMP column (the server's clock, as DuckDB's ``now()`` stamps it) — the text
    an export headed by field names writes."""
    return f"strftime(timezone('UTC', CAST({col} AS TIMESTAMPTZ)), '{UTC_FORMAT}')"


def day_sql(col: str) -> str:
    """SQL: a day kept in a TIMESTAMP column — a news item's publication (``news.published``: the day an item
    carries, stored at its midnight, no time of day and no zone) — as the DATE it is: ``2026-12-07``, as the pages,
    the API and the exports give it, never ``2026-12-07 00:00:00`` nor a moment in UTC."""
    return f"CAST({col} AS DATE)"


def china_day_sql(col: str) -> str:
    """SQL: ``china_day`` of a stored TIMESTAMP column — the day an import ran, as it is shown."""
    return f"CAST(timezone('{CHINA.key}', CAST({col} AS TIMESTAMPTZ)) AS DATE)"


MIN_YEAR = 1800
MAX_YEAR = 2100
_EXCEL_MAX = 2958465  # 9999-12-31
_EXCEL_EPOCH = _dt.date(1899, 12, 30)

_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}
_CN_NUM = {"〇": "0", "零": "0", "○": "0", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5", "六": "6",
           "七": "7", "八": "8", "九": "9"}
_CN_TABLE = str.maketrans(_CN_NUM)

# y-m-d with any of - / . as separator, or 年月日; optional time part afterwards
_YMD_RE = re.compile(
    r"^(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:(?:[-/.]|月)\s*(\d{1,2})\s*[日号]?)?\s*月?"
    r"(?:(?:[ t]|(?<=[日号]))\s*(?P<time>\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(?P<zone>z|utc|gmt|[+-]\d{2}:?\d{2})?)?$"
)
_YEAR_RE = re.compile(r"^(\d{4})\s*年?$")
_DIGITS_RE = re.compile(r"^\d+(?:\.0+)?$")
_SERIAL_RE = re.compile(r"^\d+(?:\.\d+)?$")
# "Oct 2013", "October 5, 2013", "5 Oct 2013", "Oct. 5 2013"
_EN_MY_RE = re.compile(r"^([a-z]+)\.?\s*(?:(\d{1,2})(?:st|nd|rd|th)?\s*,?\s*)?(\d{4})$")
_EN_DMY_RE = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?\s+(\d{4})$")
# Chinese numerals for the number of a day or month: 十, 十二, 二十三, 三十一
_CN_SMALL_RE = re.compile(r"([一二三四五六七八九]?)十([一二三四五六七八九]?)")


def _cn_small(m: re.Match) -> str:
    tens = int(_CN_NUM[m.group(1)]) if m.group(1) else 1
    ones = int(_CN_NUM[m.group(2)]) if m.group(2) else 0
    return str(tens * 10 + ones)


def _make(y: int, m: int, d: int, raw) -> _dt.date:
    if not MIN_YEAR <= y <= MAX_YEAR:
        raise ParseError("date_out_of_range", f"年份超出范围（{MIN_YEAR}–{MAX_YEAR}）: {raw}",
                         f"year outside {MIN_YEAR}–{MAX_YEAR}: {raw}")
    try:
        return _dt.date(y, m, d)
    except ValueError:
        raise ParseError("date_nonexistent", f"日期不存在: {raw}", f"no such day: {raw}") from None


def _from_serial(x: float, raw) -> _dt.date:
    n = int(math.floor(x))
    if n < 1 or n > _EXCEL_MAX:
        raise ParseError("date_unreadable", f"无法识别的日期: {raw}", f"not a date: {raw}")
    if n == 60:
        raise ParseError("date_nonexistent", f"日期不存在: {raw}（Excel 序列号 60 即不存在的 1900-02-29）",
                         f"no such day: {raw} (Excel serial 60 is the non-existent 1900-02-29)")
    if n < 60:  # before the fictitious 1900-02-29 Excel counts from 1899-12-31
        d = _dt.date(1899, 12, 31) + _dt.timedelta(days=n)
    else:
        d = _EXCEL_EPOCH + _dt.timedelta(days=n)
    return _make(d.year, d.month, d.day, raw)


def _from_digits(s: str, raw) -> tuple[_dt.date, str]:
    """A string of digits: yyyymmdd (8), yyyymm (6), yyyy (4: a year, refused outside the year range), else an
    Excel serial (a 4-digit serial would be a day of 1902–1927, which no export of these sources means)."""
    if len(s) == 8:
        return _make(int(s[:4]), int(s[4:6]), int(s[6:]), raw), "day"
    if len(s) == 6:
        y, m = int(s[:4]), int(s[4:])
        if 1 <= m <= 12:
            return _make(y, m, 1, raw), "month"
        raise ParseError("date_nonexistent", f"日期不存在: {raw}", f"no such day: {raw}")
    if len(s) == 4:
        return _make(int(s), 1, 1, raw), "year"
    return _from_serial(float(s), raw), "day"


def parse_date_ex(value) -> tuple[_dt.date | None, str | None]:
    """(date, precision) of a value; (None, None) for empty cells; ``ParseError`` (a ValueError: Chinese
    reason, code, English reason) otherwise."""
    if value is None:
        return None, None
    if isinstance(value, _dt.datetime):  # before date: datetime is a subclass of date
        if value != value:  # pandas NaT
            return None, None
        return _make(value.year, value.month, value.day, value), "day"
    if isinstance(value, _dt.date):
        return _make(value.year, value.month, value.day, value), "day"
    if isinstance(value, bool):
        raise ParseError("date_unreadable", f"无法识别的日期: {value}", f"not a date: {value}")
    if isinstance(value, int):
        return _from_digits(str(value), value) if value >= 0 else _from_serial(value, value)
    if isinstance(value, float):
        if math.isnan(value):
            return None, None
        if math.isinf(value):
            raise ParseError("date_unreadable", f"无法识别的日期: {value}", f"not a date: {value}")
        if value.is_integer() and len(str(int(value))) in (4, 6, 8):
            return _from_digits(str(int(value)), value)
        return _from_serial(value, value), "day"
    if not isinstance(value, str):
        # numpy.datetime64, pandas objects and the like: use their text form
        value = str(value)
    raw = value
    s = unicodedata.normalize("NFKC", value).strip().lower()
    if is_placeholder(s):
        return None, None
    if s[:1] in "〇零○一二":  # 二〇二四年三月五日
        s = _CN_SMALL_RE.sub(_cn_small, s).translate(_CN_TABLE)
    elif "十" in s:
        s = _CN_SMALL_RE.sub(_cn_small, s)

    m = _YMD_RE.match(s)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), m.group(3)
        if not 1 <= mo <= 12:
            raise ParseError("date_nonexistent", f"日期不存在: {raw}", f"no such day: {raw}")
        if d is None:
            return _make(y, mo, 1, raw), "month"
        return _make(y, mo, int(d), raw), "day"
    m = _YEAR_RE.match(s)
    if m and (s.endswith("年") or MIN_YEAR <= int(m.group(1)) <= MAX_YEAR):
        return _make(int(m.group(1)), 1, 1, raw), "year"
    if _DIGITS_RE.match(s):
        return _from_digits(s.split(".")[0], raw)
    if _SERIAL_RE.match(s):
        return _from_serial(float(s), raw), "day"
    m = _EN_MY_RE.match(s)
    if m and m.group(1) in _MONTHS:
        mo = _MONTHS[m.group(1)]
        if m.group(2):
            return _make(int(m.group(3)), mo, int(m.group(2)), raw), "day"
        return _make(int(m.group(3)), mo, 1, raw), "month"
    m = _EN_DMY_RE.match(s)
    if m and m.group(2) in _MONTHS:
        return _make(int(m.group(3)), _MONTHS[m.group(2)], int(m.group(1)), raw), "day"
    raise ParseError("date_unreadable", f"无法识别的日期: {raw}", f"not a date: {raw}")


def parse_date(value) -> _dt.date | None:
    """The date of a value (see ``parse_date_ex``), without its precision."""
    return parse_date_ex(value)[0]


# an RFC 822 date (RSS pubDate): "Sat, 05 Dec 2026 21:30:00 +0800", "05 Dec 2026 13:30 GMT"
_RFC822_RE = re.compile(r"^(?:[a-z]{3},?\s*)?\d{1,2}\s+[a-z]{3,9}\s+\d{2,4}\s+\d{1,2}:\d{2}")
# RFC 822's zone names other than UT/GMT/Z are North American; CST is the one Chinese servers print for China
# Standard Time (Java's default format on an Asia/Shanghai machine), so it is read as UTC+8 here
_ZONE_NAMES = {"cst": "+0800", "ut": "+0000", "utc": "+0000", "gmt": "+0000", "z": "+0000"}


def china_day_ex(value) -> tuple[_dt.date | None, str | None]:
    """(China day, precision) of a written moment — a feed item's publication (RSS pubDate, Atom published/updated,
    dc:date, JSON Feed date_published). A time with a zone (RFC 822 ``Fri, 04 Dec 2026 23:30:00 GMT``, ISO
    ``2026-12-04T23:30:00Z``, ``+08:00``) is that moment's day in China (Asia/Shanghai): 2026-12-05. A time without a
    zone (``2026-12-05 21:30:00``, ``2026年12月05日 10:30``) and a date alone are China's: the day written. Every
    other form is ``parse_date_ex``'s (month and year precision kept, for the caller to refuse as no day);
    ``ParseError`` when it cannot be read; (None, None) for an empty value."""
    if not isinstance(value, str):
        return parse_date_ex(value)
    s = unicodedata.normalize("NFKC", value).strip().lower()
    m = _YMD_RE.match(s)
    if m and m.group(3) and m.group("time") and m.group("zone"):
        day = _make(int(m.group(1)), int(m.group(2)), int(m.group(3)), value)
        hh, mm = (int(x) for x in m.group("time").split(":")[:2])
        z = _ZONE_NAMES.get(m.group("zone"), m.group("zone")).replace(":", "")
        if hh > 23 or mm > 59 or int(z[1:3]) > 23:
            raise ParseError("date_unreadable", f"无法识别的日期: {value}", f"not a date: {value}")
        off = _dt.timedelta(hours=int(z[1:3]), minutes=int(z[3:5])) * (-1 if z[0] == "-" else 1)
        at = _dt.datetime(day.year, day.month, day.day, hh, mm, tzinfo=_dt.timezone(off))
        return at.astimezone(CHINA).date(), "day"
    if _RFC822_RE.match(s):
        import email.utils

        text = re.sub(r"\s+cst$", " " + _ZONE_NAMES["cst"], s)  # the one zone name email.utils reads otherwise
        try:
            at = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            raise ParseError("date_unreadable", f"无法识别的日期: {value}", f"not a date: {value}") from None
        if not MIN_YEAR <= at.year <= MAX_YEAR:
            raise ParseError("date_out_of_range", f"年份超出范围（{MIN_YEAR}–{MAX_YEAR}）: {value}",
                             f"year outside {MIN_YEAR}–{MAX_YEAR}: {value}")
        return (at.astimezone(CHINA).date() if at.tzinfo else at.date()), "day"
    return parse_date_ex(value)


# --------------------------------------------------------------------------------- dates shown with their precision
#: what a stored date is known to, finest first; a date stored without one (NULL) is known to the day
PRECISIONS = ("day", "month", "year")


def finer(a: str | None, b: str | None) -> bool:
    """Precision ``a`` is finer than ``b`` (NULL is the day)."""
    return PRECISIONS.index(a or "day") < PRECISIONS.index(b or "day")


def format_date(d: _dt.date | str | None, precision: str | None = "day", lang: str = "zh", *, iso: bool = False) -> str:
    """The one text of a date known to ``precision``: the day as ``2015-03-17`` in both languages; a month as
    ``2015年3月`` (Chinese) / ``2015-03`` (English), a year as ``2015年`` / ``2015`` — never the first day the
    source did not give. ``iso``: ``2015-03`` / ``2015`` in either language (a column of a table beside days, which
    must sort as one). "" for no date. ``format_date_sql`` is the same text in SQL."""
    if d is None or d == "":
        return ""
    if isinstance(d, str):  # a date as JSON carries it
        d = _dt.date.fromisoformat(d[:10])
    en = lang == "en" or iso
    if precision == "year":
        return f"{d.year}年" if not en else str(d.year)
    if precision == "month":
        return f"{d.year}年{d.month}月" if not en else f"{d.year:04d}-{d.month:02d}"
    return d.isoformat()[:10]


def excel_date_format(precision: str | None) -> str:
    """The workbook's number format of a date cell known to ``precision``: the ISO text ``format_date(..., iso=True)``
    gives (2015-03-17, 2015-03, 2015), on a cell that stays a date, so that a column sorts and filters as dates."""
    return {"year": "yyyy", "month": "yyyy-mm"}.get(precision or "day", "yyyy-mm-dd")


def format_date_sql(col: str, precision_col: str, lang: str = "zh") -> str:
    """SQL giving ``format_date`` of a DATE column and its precision column (the text an export writes)."""
    if lang == "en":
        month, year = f"strftime({col}, '%Y-%m')", f"CAST(year({col}) AS VARCHAR)"
    else:
        month = f"year({col}) || '年' || month({col}) || '月'"
        year = f"year({col}) || '年'"
    return (f"CASE {precision_col} WHEN 'year' THEN {year} WHEN 'month' THEN {month} "
            f"ELSE strftime({col}, '%Y-%m-%d') END")


def precision_rank_sql(precision_col: str) -> str:
    """SQL: 0 for the day (or NULL), 1 for a month, 2 for a year — the coarser, the larger."""
    return f"CASE {precision_col} WHEN 'year' THEN 2 WHEN 'month' THEN 1 ELSE 0 END"


def within_sql(col: str, period_col: str, period_precision_col: str) -> str:
    """SQL: the date ``col`` lies in the period a date known to ``period_precision_col`` stands for (2015-03-17 in
    2015-03; 2015-03 in 2015); for a day, the same day."""
    return (f"CASE {period_precision_col} WHEN 'year' THEN year({col}) = year({period_col}) "
            f"WHEN 'month' THEN date_trunc('month', {col}) = {period_col} ELSE {col} = {period_col} END")


# --------------------------------------------------------------------------------- dates a user types
# What each user-given date means, for the one message of a bad value (zh, en).
DATE_LABELS = {
    "as_of": ("截至日期", "as-of date"), "data_date": ("数据日期", "data date"),
    "start": ("开始日期", "start date"), "end": ("结束日期", "end date"),
    "founded_from": ("成立日期起", "founded from"), "founded_to": ("成立日期止", "founded to"),
    "next_action": ("下一步日期", "next action date"),
    "since": ("起始日期", "since date"), "until": ("截止日期", "until date"), "event_date": ("事件日期", "event date"),
    "signed_on": ("签约日期", "signing date"), "landed_on": ("落地日期", "landing date"),
    "deadline": ("截止日期", "deadline"),
}

# How a date typed by a user may be written — said once, here, for every place that says it: the CLI's help (the English
# in cli_help_en.yaml names it {date_forms} / {deadline_forms}), this parser's refusal, the API's descriptions and the
# pages' date boxes. A month or a year stands for a period: the option's help says which end of it counts.
DATE_FORMS = ("YYYY-MM-DD、YYYY-MM、YYYY、2026/03/05 或 2026年3月5日", "YYYY-MM-DD, YYYY-MM, YYYY or 2026/03/05")
# a deadline (``DEADLINES``) also takes an open-ended word: no date
DEADLINE_FORMS = (DATE_FORMS[0] + "；长期、不限 = 无期限", DATE_FORMS[1] + "; an open-ended word (the Chinese for long-term or unlimited) = none")
# a page's date box holds a day: the day's forms it reads (static/dates.js)
DAY_FORMS = ("YYYY-MM-DD、2026/03/05、20260305 或 2026年3月5日", "YYYY-MM-DD, 2026/03/05 or 20260305")

# the form a date is asked for in, where it is not ``DATE_FORMS``: the founding-year boxes take a year (a day is
# read too)
DATE_EXPECTED = {"founded_from": ("年份，如 2015", "a year, e.g. 2015"), "founded_to": ("年份，如 2015", "a year, e.g. 2015")}

# the dates that say when something happened (an export's data date, an event's date), not a date to look at
RECORDED_DATES = frozenset({"data_date", "event_date"})
# the days a lead reached a stage: they happened, so they are not after today either
STAGE_DATES = frozenset({"signed_on", "landed_on"})


# the dates by which something is to be done — a lead's next action (``--due``, the API's and the page's
# next_action_date, a 台账's 下一步日期) and a demand's deadline (截止时间): a bare year or month is its LAST day, even
# ahead of today (2026年3月 → 2026-03-31: never the first day, which would be due, and 督办, a month early); they may
# lie in the future; and an open-ended word (``placeholders.OPEN_ENDED``: 长期有效, 长期, 不限, 无) is no date. Both
# the user's dates (``parse_user_date``, by the kind ``what``) and an import's cells (``parse_deadline``, by the
# field's name) are read so.
DEADLINES = frozenset({"next_action", "deadline"})


def period_end(d: _dt.date, precision: str | None) -> _dt.date:
    """The last day of the period a date known to ``precision`` stands for (2026-03-01 known to the month → 2026-03-31;
    a year → its 31 December); a day is itself."""
    if precision == "year":
        return _dt.date(d.year, 12, 31)
    if precision == "month":
        nxt = _dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
        return nxt - _dt.timedelta(days=1)
    return d


def parse_deadline(value) -> _dt.date | None:
    """A deadline as a cell writes it (``DEADLINES``): the date ``parse_date_ex`` reads, a bare month or year being its
    last day (``period_end``); None for an empty cell, a placeholder or an open-ended word (长期有效, 不限, 无 …: no
    deadline); ``ParseError`` for anything else it cannot read."""
    if is_open_ended(value):
        return None
    d, precision = parse_date_ex(value)
    return None if d is None else period_end(d, precision)


def parse_user_date(value, what: str = "as_of", *, end_of_period: bool = True, allow_future: bool = False,
                    today: _dt.date | None = None) -> _dt.date | None:
    """The one parser of dates typed by a user (CLI options, URL parameters, service arguments).

    Accepts ``YYYY-MM-DD`` and the other written forms of ``parse_date_ex`` (``2024年3月5日``, ``20240305``);
    ``YYYY`` and ``YYYY-MM`` mean the end of that period (``end_of_period``) or its first day. Empty → None.
    A date that does not exist, cannot be read, or (unless ``allow_future``) lies after today raises
    ``UserError`` with one line in Chinese and English; a period that contains today ends today.
    A deadline (``what`` in ``DEADLINES``) is always the period's last day, today's period or a later one included,
    may lie ahead, and an open-ended word (长期有效, 不限, 无) is no date (None).
    """
    from ..errors import UserError

    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    zh, en = DATE_LABELS.get(what, (what, what))
    raw = str(value).strip() if not isinstance(value, _dt.date) else value.isoformat()
    try:
        if isinstance(value, str) and _DIGITS_RE.match(raw) and len(raw.split(".")[0]) not in (4, 6, 8):
            # spreadsheet serial numbers are not something users type
            raise ParseError("date_unreadable", f"无法识别的日期: {raw}", f"not a date: {raw}")
        if what in DEADLINES and is_open_ended(raw):
            return None
        d, precision = parse_date_ex(value)
        if d is None:  # a cell's placeholder (null, none, nan, -, 无): typed as a date, it is not one
            raise ParseError("date_unreadable", f"无法识别的日期: {raw}", f"not a date: {raw}")
    except ValueError as exc:
        reason = str(exc).split(":")[0]
        reason_en = getattr(exc, "en", "not a date").split(":")[0]
        form_zh, form_en = DATE_EXPECTED.get(what, DEADLINE_FORMS if what in DEADLINES else DATE_FORMS)
        raise UserError(f"无效的{zh}: {raw}（{reason}；应为{' ' * form_zh[:1].isascii()}{form_zh}）",
                        en=f"invalid {en}: {raw} ({reason_en}; expected {form_en})") from None
    today = today or china_today()
    last = period_end(d, precision)
    if what in DEADLINES:  # due by the period's last day, whenever it is
        return last
    if end_of_period:
        d = min(last, today) if d <= today else last
    if not allow_future and d > today:
        # a date to look at cannot be in the future; a date a file or an event states is a date the thing happened
        why = ("：导出与事件都不会来自未来，请检查日期", ": an export or an event cannot come from the future, check the date") \
            if what in RECORDED_DATES else ("：签约、落地是已发生的事", ": a signing or landing has happened already") \
            if what in STAGE_DATES else ("：不能查询未来", "")
        raise UserError(f"{zh} {raw} 晚于今天（{today.isoformat()}）{why[0]}",
                        en=f"{en} {raw} is after today ({today.isoformat()}){why[1]}")
    return d


# a date as a file's name carries it: 2021-10, 2021_10_31, 202110, 20211031, 2021年10月 — not inside a longer run
# of letters or digits (v20211031x, 1234567890)
_NAMED_DATE_RE = re.compile(r"(?<![0-9A-Za-z])\d{4,8}(?:[-_.年月]\d{1,2}){0,2}[年月日号]?(?![0-9A-Za-z])")


def date_in_name(name: str) -> tuple[str, _dt.date] | None:
    """The date a file's name carries (company_main_products_2021-10.csv), as written there, and the data date it
    stands for read by ``parse_user_date`` as ``--data-date`` reads it (a month or a year: its last day; never
    after today) — the last such part of the name that is a date, else None. For a suggestion, never applied."""
    from pathlib import PurePath

    from ..errors import UserError

    stem = PurePath(str(name)).stem

    for part in reversed(_NAMED_DATE_RE.findall(stem)):
        try:
            d = parse_user_date(part.replace("_", "-"), "data_date")
        except UserError:
            continue
        if d is not None:
            return part, d
    return None


def data_date_in_names(names) -> dict | None:
    """The data date the names of one import's files carry (``date_in_name``) — when every name carries the same
    one — as an import's report suggests it, never applying it: ``{"name_part": "2021-10", "data_date":
    "2021-10-31"}`` (the date as the name writes it, the data date it stands for); else None."""
    from pathlib import PurePath

    found = {date_in_name(PurePath(str(n)).name) for n in names}
    if len(found) != 1 or None in found:
        return None
    part, day = found.pop()
    return {"name_part": part, "data_date": day.isoformat()}
