"""Timestamps of the team state: ISO-8601 UTC text, sortable as text on every backend."""

from __future__ import annotations

import datetime as _dt

FMT = "%Y-%m-%dT%H:%M:%S.%fZ"


def now(offset_seconds: float = 0) -> str:
    return (_dt.datetime.now(_dt.timezone.utc) + _dt.timedelta(seconds=offset_seconds)).strftime(FMT)


def parse(text: str) -> _dt.datetime:
    return _dt.datetime.strptime(text, FMT).replace(tzinfo=_dt.timezone.utc)
