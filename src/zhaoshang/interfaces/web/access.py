"""Access control of the web app in one call: the auth middleware, login/admin routes, /docs from the package
and the security headers; and the one helper routes use to hand out personal data (masked or audited)."""

from __future__ import annotations

from typing import Callable

from fastapi import FastAPI, Request

from ...core.teamstate import TeamDB
from ...services import privacy
from ...services.enterprises import legal_reps_holding
from ...services.team import audit
from .admin import register_admin
from .auth import client_ip, install_auth
from .deps import head_only
from .security import install_security_headers, register_docs


def install_access(app: FastAPI, *, team: TeamDB, local_only: bool, page: Callable, json_response: type) -> None:
    app.state.render_error = lambda request, message, status: page(
        request, "error.html", {"message": message, "status": status}, status_code=status)
    cfg = install_auth(app, team, local_only)
    register_admin(app, cfg, page, json_response)
    register_docs(app)
    install_security_headers(app)  # added last: the outermost layer, on every response


def audit_recorder(request: Request):
    """``record(action, target, detail)`` writing to the audit log as the request's user, from its address, with
    the path read: what the privacy service calls for each read of personal data it hands out."""
    user = request.state.user
    team = request.app.state.team

    def record(action: str, target: str, detail: dict) -> None:
        if head_only(request):  # the headers alone went out: no one read the data
            return
        audit.record(team, user, action, target, {**detail, "path": request.url.path}, client_ip(request))

    return record


class PageReads:
    """The reads of personal data one page makes through several answers (the relations page: its key persons and
    its ties), written as one audit entry per action and target when the page is built (``write``): one view, one
    entry — it wrote two in the same second, one without the records the other named. ``record`` is what the
    privacy service calls; details merge: the records named together, each count its largest."""

    def __init__(self, request: Request):
        self._write = audit_recorder(request)
        self._held: dict[tuple[str, str], dict] = {}

    def record(self, action: str, target: str, detail: dict) -> None:
        got = self._held.setdefault((action, target), {})
        for k, v in detail.items():
            if k == "records":
                got[k] = sorted(set(got.get(k) or []) | set(v))[:20]
            elif isinstance(v, int) and isinstance(got.get(k), int):
                got[k] = max(got[k], v)
            else:
                got[k] = v

    def write(self) -> None:
        for (action, target), detail in self._held.items():
            self._write(action, target, detail)
        self._held.clear()


def personal_view(request: Request, profile: dict) -> dict:
    """An enterprise profile as the request's user may see it: masked, or whole and written to the audit log."""
    return privacy.present_profile(profile, request.state.user, audit_recorder(request))


def personal_events(request: Request, store, doc, target: str = "events"):
    """Events (a timeline, a streamed event, alerts) as the request's user may see them (``privacy.present_events``):
    a change of legal representative does not name a person who holds or held shares, as the profile does not."""
    return privacy.present_events(doc, request.state.user, audit_recorder(request),
                                  lambda ids: legal_reps_holding(store, ids), target)


def personal_text(request: Request, doc, fields: tuple, target: str):
    """An answer holding free text people wrote (``privacy.LEAD_TEXT``, ``privacy.DEMAND_TEXT``) as the request's
    user may see it: the contact data inside masked, or whole and written to the audit log."""
    return privacy.present_text(doc, fields, request.state.user, audit_recorder(request), target)
