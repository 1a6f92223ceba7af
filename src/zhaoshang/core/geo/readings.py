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


def listed(said: dict[str, tuple[str, str]] | None = None) -> list[dict]:
    """Notes as an answer carries them: ``[{text, note, note_en}]`` (``said``: those of ``said_now`` without it)."""
    said = said_now() if said is None else said
    return [{"text": text, "note": zh, "note_en": en} for text, (zh, en) in (said or {}).items()]


@contextmanager
def kept() -> Iterator[list[dict]]:
    """The notes of the names read within, listed (``listed``) for a save to answer with — how a name it stores was
    read — whether or not notes are collected around it (a page's, a command's: they keep theirs too)."""
    out: list[dict] = []
    around = said_now()
    with readings() as said:
        try:
            yield out
        finally:  # a save refused after a name was read still leaves its note around (said before the refusal)
            out.extend(listed(said))
            if around is not None:
                around.update({k: v for k, v in said.items() if k not in around})


def joined(notes: list[dict], *more: tuple[str | None, str | None]) -> tuple[str, str] | None:
    """Listed notes (``listed``) in one line each language, before ``more`` (zh, en) said beside them (a save's own
    warning); None when there is nothing to say."""
    zh = [n["note"] for n in notes] + [m[0] for m in more if m[0]]
    en = [n["note_en"] for n in notes] + [m[1] for m in more if m[1]]
    return ("；".join(zh), "; ".join(en)) if zh else None
