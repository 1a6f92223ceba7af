"""Errors a user can act on. Interfaces print their message as one line and exit non-zero, no traceback."""

from __future__ import annotations


class UserError(Exception):
    """A problem with the user's input (file, column, option, value): shown as one clear line.

    The message is Chinese; ``en`` optionally carries the English one (``in_lang("en")`` falls back to it).
    """

    def __init__(self, message: str = "", en: str | None = None):
        super().__init__(message)
        self.en = en

    def in_lang(self, lang: str) -> str:
        """The message in the user's language (Chinese when no English text was given)."""
        return self.en if lang == "en" and self.en else str(self)


class ImportFailed(UserError):
    """An import could not complete; the database is left exactly as it was before."""


class NotFound(UserError):
    """A named thing (enterprise, region, chain node) does not exist in the database."""
