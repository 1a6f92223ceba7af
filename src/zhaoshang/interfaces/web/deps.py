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


# set on a HEAD's scope by the app's outermost layer (app.HeadAsGet), which hands it on as the GET of the same URL
HEAD_ONLY = "zhaoshang.head_only"


def head_only(request: Request) -> bool:
    """Whether the request is a HEAD answered as its GET: the headers go out, no body — nothing is read by anyone,
    so nothing of it is written to the audit log (neither an export nor a read of personal data)."""
    return bool(request.scope.get(HEAD_ONLY))


def current_user(request: Request) -> User:
    """The user the request acts for, as the access middleware resolved it."""
    return getattr(request.state, "user", NOBODY)


def bind_user(request: Request, user: User = Depends(current_user)) -> User:
    """App-wide dependency: resolves ``current_user`` once and keeps it on ``request.state.user`` for the page
    renderer and error pages."""
    request.state.user = user
    return user
