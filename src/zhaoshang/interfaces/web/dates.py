"""Dates in URLs: every route's date parameters pass the one date parser before the route runs.

Installed as an app-wide dependency, so a bad or future ``as_of`` (``start``, ``end``, ``since``, ``founded_from``,
``founded_to``) is an HTTP 400 with one line — the same message as the CLI — on every route, present or
future, never a 500.
"""

from __future__ import annotations

from fastapi import Request

from ...core.errors import UserError
from ...core.parse.dates import MIN_YEAR, china_today, parse_user_date

# URL parameter → (kind of date, a bare year/month means the end of that period)
DATE_PARAMS = {"as_of": ("as_of", True), "start": ("start", False), "end": ("end", True), "since": ("since", False),
               "founded_from": ("founded_from", False), "founded_to": ("founded_to", True)}
_FUTURE_OK = {"founded_from", "founded_to"}
# the date fields of the pages' forms whose bare year or month means its first day (the others: its last, as as_of)
_FIRST_DAY = {name for name, (_, end) in DATE_PARAMS.items() if not end} | {"since"}


def check_dates(request: Request) -> None:
    """Raise ``UserError`` (→ 400) for the first date parameter the one parser refuses: its years (1800–2100),
    forms and future are the command line's, with the command line's message. Any form the parser reads is taken
    (2019-06-30, 20190630, 2019年6月30日); blank text reads as no date (the route's default)."""
    for name, (what, end) in DATE_PARAMS.items():
        value = request.query_params.get(name)
        if value:
            try:
                parse_user_date(value, what, end_of_period=end, allow_future=name in _FUTURE_OK)
            except UserError as exc:
                exc.param = name  # the form's box that holds it (forms.py)
                raise


def out_of_range(value: str, name: str = "") -> UserError:
    """A date outside the parser's first day (1800-01-01) to today (of the parameter ``name``): the range is said, never the value itself as an
    example."""
    today = china_today().isoformat()
    at, at_en = (f"参数无效: {name}: ", f"invalid parameter: {name}: ") if name else ("", "")  # as the schema's checks
    return UserError(f"{at}应为 {MIN_YEAR}-01-01 至今天（{today}）之间的日期，收到 '{value}'",
                     en=f"{at_en}expected a date from {MIN_YEAR}-01-01 to today ({today}), got '{value}'")


def shown_date(value, name: str | None = None) -> str:
    """A date field's value as the page's date box shows it: the day the one date parser reads in it, as
    YYYY-MM-DD (2025/06/30 → 2025-06-30; as_of=2024 → 2024-12-31, start=2024 → 2024-01-01) — the day the server
    used, in the one form the box takes (a box left with 2025/06/30 is invalid and blocks its form); a deadline (a
    lead's next-action date) and a lead's stage days are no such box: their text goes to the server as typed. A value the parser refuses is
    shown as typed, for the user to correct; none is an empty box."""
    if value is None or not str(value).strip():
        return ""
    try:
        d = parse_user_date(str(value), "as_of", end_of_period=name not in _FIRST_DAY,
                            allow_future=True)
    except UserError:
        return str(value)
    return d.isoformat() if d else ""
