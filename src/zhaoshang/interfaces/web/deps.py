"""Request dependencies every route shares: who is asking.

``current_user`` is the one place routes learn the user of a request: the one the access middleware
(``auth.py``) resolved from an API token, the session cookie, or — on a local-only server — the local single
user (``services.team.roles.LOCAL_USER``, all rights); a request the middleware let through without any of
these is ``NOBODY`` (no rights). ``create_app`` installs it as an app-wide
dependency, so it runs for every route; a route that needs the user declares ``user: User = Depends(current_user)``
(FastAPI evaluates it once per request); pages see it as ``user`` in their templates.
"""

from __future__ import annotations

from fastapi import Depends, Request

from ...services.team.roles import NOBODY, User


def current_user(request: Request) -> User:
    """The user the request acts for, as the access middleware resolved it."""
    return getattr(request.state, "user", NOBODY)


def bind_user(request: Request, user: User = Depends(current_user)) -> User:
    """App-wide dependency: resolves ``current_user`` once and keeps it on ``request.state.user`` for the page
    renderer and error pages."""
    request.state.user = user
    return user
