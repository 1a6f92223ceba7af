"""Dates with precision: Chinese and ISO forms, yyyymmdd, Excel serials, English months, real columns."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import PLACEHOLDER_CELLS
from zhaoshang.core.parse.dates import parse_date, parse_date_ex

D = dt.date


@pytest.mark.parametrize(
    "value,expected,precision",
    [
        ("2024年3月5日", D(2024, 3, 5), "day"),
        ("2024年03月05日", D(2024, 3, 5), "day"),
        ("2024年3月5号", D(2024, 3, 5), "day"),
        ("２０２４年３月５日", D(2024, 3, 5), "day"),
        ("二〇二四年三月五日", D(2024, 3, 5), "day"),
        ("二〇二四年十二月三十一日", D(2024, 12, 31), "day"),
        ("2024年3月", D(2024, 3, 1), "month"),
        ("2024年", D(2024, 1, 1), "year"),
        ("2024-03-05", D(2024, 3, 5), "day"),
        ("2024/3/5", D(2024, 3, 5), "day"),
        ("2024.03.05", D(2024, 3, 5), "day"),
        ("20240305", D(2024, 3, 5), "day"),
        ("2024-03", D(2024, 3, 1), "month"),
        ("2018-12", D(2018, 12, 1), "month"),
        ("2024/03", D(2024, 3, 1), "month"),
        ("202403", D(2024, 3, 1), "month"),
        ("2024", D(2024, 1, 1), "year"),
        (" 2024-03-05 ", D(2024, 3, 5), "day"),
        ("2024-03-05 10:20:00", D(2024, 3, 5), "day"),
        ("2024-03-05T10:20:00Z", D(2024, 3, 5), "day"),
        ("2024-03-05T10:20:00.123+08:00", D(2024, 3, 5), "day"),
        ("2024/3/5 8:05", D(2024, 3, 5), "day"),
        ("Oct 2013", D(2013, 10, 1), "month"),
        ("October 2013", D(2013, 10, 1), "month"),
        ("Oct. 5, 2013", D(2013, 10, 5), "day"),
        ("5 October 2013", D(2013, 10, 5), "day"),
        ("2013-10-01", D(2013, 10, 1), "day"),
        (dt.datetime(2024, 3, 5, 23, 59), D(2024, 3, 5), "day"),
        (D(2024, 3, 5), D(2024, 3, 5), "day"),
        (2024, D(2024, 1, 1), "year"),
        (20240305, D(2024, 3, 5), "day"),
        (20240305.0, D(2024, 3, 5), "day"),
        # Excel serials, 1900 date system
        (45356, D(2024, 3, 5), "day"),
        (45356.75, D(2024, 3, 5), "day"),
        ("45356", D(2024, 3, 5), "day"),
        ("45356.0", D(2024, 3, 5), "day"),
        (1, D(1900, 1, 1), "day"),
        (59, D(1900, 2, 28), "day"),
        (61, D(1900, 3, 1), "day"),
        (36526, D(2000, 1, 1), "day"),
    ],
)
def test_forms(value, expected, precision):
    assert parse_date_ex(value) == (expected, precision)
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", [None, "  ", float("nan"), *PLACEHOLDER_CELLS])
def test_empty(value):
    assert parse_date(value) is None
    assert parse_date_ex(value) == (None, None)


@pytest.mark.parametrize(
    "value,reason",
    [
        ("2024-02-30", "日期不存在: 2024-02-30"),
        ("2023-02-29", "日期不存在"),
        ("2024-13-01", "日期不存在"),
        ("2024年13月", "日期不存在"),
        ("20241301", "日期不存在"),
        ("1799-12-31", "年份超出范围"),
        ("2101-01-01", "年份超出范围"),
        # a 4-digit number is a year, refused outside the range rather than read as an Excel serial (1904-12-03)
        ("1799", "年份超出范围"),
        ("2101", "年份超出范围"),
        ("3000", "年份超出范围"),
        (1799, "年份超出范围"),
        (2101.0, "年份超出范围"),
        (9999, "年份超出范围"),
        (60, "日期不存在"),
        ("60", "日期不存在"),
        (3_000_000, "无法识别的日期"),
        ("abc", "无法识别的日期"),
        ("Foo 2013", "无法识别的日期"),
        ("2024-03-05x", "无法识别的日期"),
        (True, "无法识别的日期"),
        (0, "无法识别的日期"),
    ],
)
def test_invalid_raises_chinese_reason(value, reason):
    with pytest.raises(ValueError, match=reason):
        parse_date(value)


def test_leap_day():
    assert parse_date("2024-02-29") == D(2024, 2, 29)
    assert parse_date(45351) == D(2024, 2, 29)


@pytest.mark.parametrize(
    "rel,column,precision",
    [
        ("financing/itjuzi_china_ai_financing_events_2018-12.csv", "date", "day"),
        ("ai_companies/itjuzi_china_ai_companies_2018-12.csv", "founded", "month"),
        ("enterprises/enterprise_registration_sample_2000_2004.csv", "注册日期", "day"),
        ("financing/crunchbase_2013/crunchbase_rounds_2013-10.csv", "funded_at", "day"),
        ("financing/crunchbase_2013/crunchbase_rounds_2013-10.csv", "funded_month", "month"),
        ("listed_companies/sse_main_board_list_2026-01.csv", "上市日期", "day"),
    ],
)
def test_real_date_columns(shared, rel, column, precision):
    with open(shared(rel), encoding="utf-8", newline="") as f:
        values = sorted({r[column] for r in csv.DictReader(f)})
    parsed, bad = {}, []
    for v in values:
        try:
            parsed[v] = parse_date_ex(v)
        except ValueError as e:
            bad.append((v, str(e)))
    assert len(parsed) / len(values) >= 0.99, bad[:20]
    dated = [p for p in parsed.values() if p[0] is not None]
    assert len(dated) >= 0.9 * len(values)
    share = sum(p[1] == precision for p in dated) / len(dated)
    assert share >= 0.95, (column, share)
    assert all(D(1800, 1, 1) <= p[0] <= D(2027, 1, 1) for p in dated)


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=D(1800, 1, 1), max_value=D(2100, 12, 31)))
def test_roundtrip_iso_and_chinese(d):
    assert parse_date(d.isoformat()) == d
    assert parse_date(f"{d.year}年{d.month}月{d.day}日") == d
    assert parse_date(f"{d.year}/{d.month}/{d.day}") == d
    assert parse_date(d.strftime("%Y%m%d")) == d
    assert parse_date_ex(f"{d.year}-{d.month:02d}") == (d.replace(day=1), "month")


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=D(1900, 3, 1), max_value=D(2100, 12, 31)))
def test_excel_serial_roundtrip(d):
    serial = (d - D(1899, 12, 30)).days
    if 1800 <= serial <= 2100:  # a 4-digit number in the year range is a year, by rule
        assert parse_date_ex(serial) == (D(serial, 1, 1), "year")
        return
    if len(str(serial)) == 4:  # and outside it a year out of range, never a day of 1902–1927
        with pytest.raises(ValueError, match="年份超出范围"):
            parse_date(serial)
        return
    assert parse_date(serial) == d
    assert parse_date(float(serial) + 0.5) == d


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=25), st.integers(), st.floats()))
def test_only_value_error(value):
    try:
        r = parse_date_ex(value)
    except ValueError:
        return
    assert r == (None, None) or (isinstance(r[0], D) and r[1] in {"day", "month", "year"})


# ------------------------------------------------------------------------------- dates a user types
def test_user_dates_periods_and_refusals():
    from zhaoshang.core.errors import UserError
    from zhaoshang.core.parse.dates import parse_user_date

    today = D(2026, 12, 1)
    assert parse_user_date("2024-02-29", today=today) == D(2024, 2, 29)
    assert parse_user_date("2020", today=today) == D(2020, 12, 31)
    assert parse_user_date("2020-02", today=today) == D(2020, 2, 29)
    assert parse_user_date("2020", "start", end_of_period=False, today=today) == D(2020, 1, 1)
    assert parse_user_date("2026", today=today) == today  # the period holding today ends today
    assert parse_user_date("2024年3月5日", today=today) == D(2024, 3, 5)
    assert parse_user_date("", today=today) is None and parse_user_date(None) is None
    for bad, zh, en in (("2024-02-30", "日期不存在", "no such day"), ("2024-13-01", "日期不存在", "no such day"),
                        ("45000", "无法识别", "not a date"), ("soon", "无法识别", "not a date"),
                        ("2027-01-01", "晚于今天", "after today"), ("2099", "晚于今天", "after today"),
                        # a cell's placeholder typed as a date is not "no date" (as_of=null was a 500 on every route)
                        ("null", "无法识别", "not a date"), ("None", "无法识别", "not a date"),
                        ("nan", "无法识别", "not a date"), ("-", "无法识别", "not a date")):
        with pytest.raises(UserError) as exc:
            parse_user_date(bad, today=today)
        assert zh in str(exc.value) and en in exc.value.in_lang("en") and "\n" not in str(exc.value), bad
    assert parse_user_date("2027-01-01", "founded_to", allow_future=True, today=today) == D(2027, 1, 1)


def test_china_day_of_a_written_moment():
    """A feed's moment: with a zone, China's day of it; without one, China's time (the day written); a month stays a
    month for the caller to refuse; RFC 822's CST is China Standard Time as Chinese servers print it."""
    from zhaoshang.core.parse.dates import china_day_ex

    day = lambda *a: (D(*a), "day")  # noqa: E731
    assert china_day_ex("2026-12-05 21:30:00") == day(2026, 12, 5)
    assert china_day_ex("2026-12-05T21:30:00Z") == day(2026, 12, 6)
    assert china_day_ex("2026-12-05 13:30:00 -0500") == day(2026, 12, 6)
    assert china_day_ex("2026年12月05日10:30") == day(2026, 12, 5)
    assert china_day_ex("Sat, 05 Dec 2026 21:30:00 GMT") == day(2026, 12, 6)
    assert china_day_ex("Sat, 05 Dec 2026 21:30:00 CST") == day(2026, 12, 5)
    assert china_day_ex("2026年12月") == (D(2026, 12, 1), "month")
    for bad in ("12/05/2026", "2026-12-05 25:30:00+08:00", "Sat, 32 Dec 2026 10:00:00 GMT"):
        with pytest.raises(ValueError):
            china_day_ex(bad)


def test_the_date_forms_said_are_the_ones_read_and_every_place_says_them():
    """Help texts and refusals said a date is YYYY-MM-DD, while the one parser reads 2026-03, 2026年3月, 2026/03/05 and,
    for a deadline, 长期. The forms are said once (DATE_FORMS): each one said is read, and the command line's help
    (both languages), the parser's refusal and the pages' date box say them."""
    import re

    from cli_util import run
    from zhaoshang.core.errors import UserError
    from zhaoshang.core.parse.dates import DATE_FORMS, DAY_FORMS, parse_user_date

    today = D(2026, 12, 1)
    said = {"YYYY-MM-DD": "2024-03-05", "YYYY-MM": "2024-03", "YYYY": "2024"}
    for form in re.split(r"、| 或 ", DATE_FORMS[0]):
        assert parse_user_date(said.get(form, form), today=today) is not None, form
    for form in re.split(r"、| 或 ", DAY_FORMS[0]):
        assert parse_user_date(said.get(form, form), allow_future=True, today=today) is not None, form
    assert parse_user_date("长期", "next_action", today=today) is None  # a deadline's open-ended word
    with pytest.raises(UserError) as exc:
        parse_user_date("2024-13-01", today=today)
    assert str(exc.value) == "无效的截至日期: 2024-13-01（日期不存在；应为 YYYY-MM-DD、YYYY-MM、YYYY、2026/03/05 或 2026年3月5日）"
    assert exc.value.in_lang("en") == ("invalid as-of date: 2024-13-01 (no such day; expected YYYY-MM-DD, YYYY-MM, YYYY "
                                       "or 2026/03/05)")
    for lang, words in (("zh", "截至日期 YYYY-MM-DD、YYYY-MM、YYYY、2026/03/05 或 2026年3月5日（默认"),
                        ("en", "As-of date YYYY-MM-DD, YYYY-MM, YYYY or 2026/03/05 (default")):
        out = " ".join(run("--lang", lang, "map", "--help", env={"COLUMNS": "400"}).stdout.split())
        assert words in out, out
    due = " ".join(run("--lang", "en", "pipeline", "add", "--help", env={"COLUMNS": "400"}).stdout.split())
    assert "Date of the next action YYYY-MM-DD, YYYY-MM, YYYY or 2026/03/05; an open-ended word" in due, due
