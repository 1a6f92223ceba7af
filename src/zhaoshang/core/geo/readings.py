"""The notes the region service (``lookup``) leaves for its caller: a name the level rule read while other regions
share it (朝阳 → 辽宁省朝阳市, not 北京市朝阳区). Apart from ``lookup`` so that the command line collects them without
loading the region table's libraries for a command that reads no region."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

_readings: ContextVar[dict | None] = ContextVar("region_readings", default=None)


@contextmanager
def readings(collect: bool = True) -> Iterator[dict[str, tuple[str, str]]]:
    """Within it, every name the level rule reads while other regions share it leaves its note (zh, en) in the dict
    yielded, once per name: the command line says them on stderr. ``collect`` False: none kept (a server's requests,
    a field's own check of its text)."""
    said: dict[str, tuple[str, str]] = {}
    token = _readings.set(said if collect else None)
    try:
        yield said
    finally:
        _readings.reset(token)


def said_now() -> dict[str, tuple[str, str]] | None:
    """The notes being collected here, None where none are."""
    return _readings.get()
