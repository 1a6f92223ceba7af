"""Why a value cannot be read, in both languages and as a stable code: what a rejects file, a strict import's
message and a user error say about it. ``str()`` stays the Chinese reason, so code that reads a parser's
``ValueError`` as text keeps working."""

from __future__ import annotations


class ParseError(ValueError):
    """A value a parser cannot read: ``code`` names the problem (stable, documented in docs/data-formats.md),
    ``en`` is the English reason beside the Chinese one."""

    def __init__(self, code: str, zh: str, en: str):
        super().__init__(zh)
        self.code = code
        self.en = en


def reason_of(exc: ValueError, code: str, en: str) -> tuple[str, str, str]:
    """(Chinese reason, code, English reason) of a parser's error; ``code`` and ``en`` stand in for an error
    that carries none (a ``ValueError`` raised by the Python library itself)."""
    return str(exc), getattr(exc, "code", code), getattr(exc, "en", f"{en}: {exc}")
