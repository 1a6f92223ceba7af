"""Request dependencies every route shares: who is asking.

``current_user`` is the one place that decides the user of a request. Today every request is the local,
anonymous user (``services.team.roles.LOCAL_USER``, all rights); a login replaces the body of this function (session cookie or API
token → ``User``) and every route, page and JSON twin follows. ``create_app`` installs it as an app-wide
dependency, so it runs for every route; a route that needs the user declares ``user: User = Depends(current_user)``
(FastAPI evaluates it once per request); pages see it as ``user`` in their templates.
"""

from __future__ import annotations

from fastapi import Depends, Request

from ...services.team.roles import LOCAL_USER, User


def current_user(request: Request) -> User:
    """The user the request acts for (anonymous and local until logins exist)."""
    return LOCAL_USER


def bind_user(request: Request, user: User = Depends(current_user)) -> User:
    """App-wide dependency: resolves ``current_user`` once and keeps it on ``request.state.user`` for the page
    renderer and error pages."""
    request.state.user = user
    return user
