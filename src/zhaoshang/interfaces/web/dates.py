"""Dates in URLs: every route's date parameters pass the one date parser before the route runs.

Installed as an app-wide dependency, so a bad or future ``as_of`` (``start``, ``end``, ``founded_from``,
``founded_to``) is an HTTP 400 with one line — the same message as the CLI — on every route, present or
future, never a 500.
"""

from __future__ import annotations

from fastapi import Request

from ...core.parse.dates import parse_user_date

# URL parameter → (kind of date, a bare year/month means the end of that period)
DATE_PARAMS = {"as_of": ("as_of", True), "start": ("start", False), "end": ("end", True),
               "founded_from": ("founded_from", False), "founded_to": ("founded_to", True)}
_FUTURE_OK = {"founded_from", "founded_to"}


def check_dates(request: Request) -> None:
    """Raise ``UserError`` (→ 400) for the first date parameter the one parser refuses."""
    for name, (what, end) in DATE_PARAMS.items():
        value = request.query_params.get(name)
        if value:
            parse_user_date(value, what, end_of_period=end, allow_future=name in _FUTURE_OK)
