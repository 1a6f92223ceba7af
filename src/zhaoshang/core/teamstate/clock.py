"""Timestamps of the team state: ISO-8601 UTC text, sortable as text on every backend."""

from __future__ import annotations

import datetime as _dt

# The product's day: digests, live events and feed items are dated by China time, not by the server's UTC day —
# the same "today" as every date check (core/parse/dates.py).
from ..parse.dates import CHINA, UTC_FORMAT, china_time_text, china_today  # noqa: F401

FMT = UTC_FORMAT  # the one form of a moment in JSON: UTC, ISO 8601, its Z and microseconds


def china_day_start(day: _dt.date) -> str:
    """The first moment of the China day ``day`` as a stored time (UTC text): 2026-12-02 → 2026-12-01T16:00:00.000000Z.
    Stored times compare with it as text, so a day a user names is China's day, not the UTC one."""
    return _dt.datetime.combine(day, _dt.time(), CHINA).astimezone(_dt.timezone.utc).strftime(FMT)


def now(offset_seconds: float = 0) -> str:
    return (_dt.datetime.now(_dt.timezone.utc) + _dt.timedelta(seconds=offset_seconds)).strftime(FMT)


def to_second(text: str | None) -> str | None:
    """A stored time in a table's cell (CLI tables, pages, exports): China's time to the second under a header that
    names it (``dates.zoned``: 时间 (UTC+8)) — ``2026-12-03 02:20:30`` for the stored 2026-12-02T18:20:30.123456Z —
    by the one formatter of shown times (``dates.china_time_text``), as import times are shown. The stored text
    (UTC, microseconds) stays as it is in JSON, the CLI's CSV and the audit chain; text of another shape is shown
    as it is."""
    return china_time_text(text, zone=False)


def parse(text: str) -> _dt.datetime:
    return _dt.datetime.strptime(text, FMT).replace(tzinfo=_dt.timezone.utc)
