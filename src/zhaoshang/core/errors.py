"""Errors a user can act on. Interfaces print their message as one line and exit non-zero, no traceback."""

from __future__ import annotations


class UserError(Exception):
    """A problem with the user's input (file, column, option, value): shown as one clear line."""


class ImportFailed(UserError):
    """An import could not complete; the database is left exactly as it was before."""


class NotFound(UserError):
    """A named thing (enterprise, region, chain node) does not exist in the database."""
