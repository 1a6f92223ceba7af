"""Who is asking, and may they: sessions, API tokens, the local single user, route permissions and CSRF.

One middleware decides for every request. The user comes from an ``Authorization: Bearer zs_…`` token, else
from the signed session cookie, else — only on a server that is local-only (bound to 127.0.0.1 without
``--require-login``) and for a request that did not come through a proxy and names the machine as its host
(127.0.0.1, localhost, [::1]) — it is the local single user with
every right. Anyone else is anonymous: pages redirect to /login, the API answers 401. The permission a route
needs comes from ``required_permission`` (one rule set for all routes, new ones included): admin pages and
API need ``admin``, data updates (upload/import paths) ``data_update``, exports ``export`` (each one written to
the audit log), any other state-changing request ``team_write`` — but marking one's own alerts read (``OWN_STATE``),
the reader's own state — everything else ``read``. Every state-changing request (not GET/HEAD/
OPTIONS) made with a cookie must carry the CSRF token (form field ``csrf_token`` or header ``X-CSRF-Token``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, quote, unquote_plus

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from itsdangerous import BadData, URLSafeTimedSerializer
from starlette.concurrency import run_in_threadpool

from ...core.errors import UserError
from ...core.teamstate import TeamDB
from ...services.team import accounts, audit
from ...services.team.roles import LOCAL_USER, NOBODY, ROLES, User
from ..labels import TEAM_ROLES
from .context import lang_of
from .deps import head_only
from .uploads import CSRF_KEY, SpoolUploads

SESSION_COOKIE = "zs_session"
CSRF_COOKIE = "zs_csrf"
PUBLIC = re.compile(r"^/(login|static/.*|favicon\.ico)$")
# state-changing requests on the reader's own state, not the team's records: any role that reads may make them
OWN_STATE = frozenset({"/alerts/read", "/api/alerts/read"})
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
FORWARDED = ("x-forwarded-for", "forwarded", "x-real-ip")
LOOPBACK_NAMES = {"127.0.0.1", "localhost", "[::1]"}


def _loopback_host(request: Request) -> bool:
    """Whether the request names this machine in its ``Host`` header. A web page can point its own domain at
    127.0.0.1 (DNS rebinding) and then call a local-only server from the user's browser: such a request arrives from
    127.0.0.1 without proxy headers, but its ``Host`` is the page's domain — so it is not the local user."""
    host = request.headers.get("host", "").strip().lower()
    name = host[:host.index("]") + 1] if host.startswith("[") and "]" in host else host.rsplit(":", 1)[0]
    return name.rstrip(".") in LOOPBACK_NAMES


def _routed(request) -> bool:
    """Whether a route takes this method on this path (else the router answers 404/405 and nothing runs)."""
    from starlette.routing import Match

    return any(r.matches(request.scope)[0] == Match.FULL for r in request.app.router.routes)


def required_permission(path: str, method: str = "GET") -> str | None:
    """The permission a request needs (None: open to anyone, e.g. the login page and static assets)."""
    if PUBLIC.match(path):
        return None
    if path == "/logout":
        return "read"
    if path.startswith(("/admin", "/api/admin")):
        return "admin"
    parts = set(path.split("/"))
    if parts & {"upload", "uploads", "import", "imports", "updates"}:
        return "data_update"
    if parts & {"export", "report"} or path.endswith((".csv", ".xlsx", ".pdf")):
        return "export"
    if method not in SAFE_METHODS and path not in OWN_STATE:
        return "team_write"
    return "read"


# what a caller not signed in is told: a page is sent to the login page; a script (an API call) reads how it gets in
LOGIN_REQUIRED = ("需要登录：在网页上登录，或在请求头带上 API 令牌 Authorization: Bearer <令牌>（用 zhaoshang users token create "
                  "创建）", "login required: sign in on the web page, or send an API token as Authorization: Bearer <token> "
                  "(create one with zhaoshang users token create)")


def role_refusal(user: User, need: str) -> tuple[str, str]:
    """Why a signed-in user is refused, in words that say what to do: the role they have, the roles that may (the one
    table of roles), and whom to ask — not only that the role may not."""
    mine = TEAM_ROLES.get(user.role, (user.role, user.role))
    may = [TEAM_ROLES[r] for r, perms in ROLES.items() if need in perms]
    return (f"当前角色（{mine[0]}）无权进行此操作：需要{'或'.join(z for z, _ in may)}角色，请联系管理员",
            f"your role ({mine[1]}) may not do this: it needs the {' or '.join(e for _, e in may)} role; ask an "
            "administrator")


@dataclass
class AuthConfig:
    team: TeamDB
    local_only: bool
    serializer: URLSafeTimedSerializer
    secret: bytes
    idle: int = 30 * 60  # install_auth sets it (accounts.idle_default)
    # a refused form's values as typed, kept here under the random key its note carries (``sign_note``)
    typed: dict[str, tuple[float, dict[str, str]]] = field(default_factory=dict)


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _is_api(path: str) -> bool:
    return path.startswith("/api/") or path in ("/openapi.json",)


def _anon_csrf(cfg: AuthConfig, nonce: str) -> str:
    return hmac.new(cfg.secret, ("csrf:" + nonce).encode(), hashlib.sha256).hexdigest()


def resolve(cfg: AuthConfig, request: Request) -> tuple[User, str | None, str | None]:
    """(user, CSRF token of the session or None, session id or None) for a request."""
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        user = accounts.token_user(cfg.team, auth[7:].strip())
        return (user or NOBODY), None, None
    raw = request.cookies.get(SESSION_COOKIE)
    if raw:
        try:
            sid = cfg.serializer.loads(raw, max_age=accounts.ABSOLUTE)
        except BadData:
            sid = None
        if sid:
            found = accounts.session_user(cfg.team, sid, idle=cfg.idle)
            if found:
                return found[0], found[1], sid
    if cfg.local_only and not any(h in request.headers for h in FORWARDED) and _loopback_host(request):
        return LOCAL_USER, None, None
    return NOBODY, None, None


def _json_body(request: Request) -> bool:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return ctype == "application/json" or ctype.endswith("+json")


async def _submitted_csrf(request: Request) -> str | None:
    token = request.headers.get("x-csrf-token")
    if token:
        return token
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("multipart/form-data"):  # an upload: picked out while it streamed to disk (uploads.py)
        return request.scope.get(CSRF_KEY)
    if ctype.startswith("application/x-www-form-urlencoded"):
        body = await request.body()  # a small form (cached: the route reads it again)
        return (parse_qs(body.decode("utf-8", "replace")).get("csrf_token") or [None])[0]
    return None


def _refuse(request: Request, status: int, zh: str, en: str) -> Response:
    """The refusal in the language the request is read in (``lang_of``), as every other error is: an API's also by
    its Accept-Language, with both languages beside it (``error_zh``, ``error_en``)."""
    if _is_api(request.url.path) or request.headers.get("authorization"):
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        message = en if lang_of(request, accept=True) == "en" else zh
        return JSONResponse({"error": message, "status": status, "error_zh": zh, "error_en": en}, status_code=status,
                            headers=headers)
    message = en if lang_of(request) == "en" else zh
    if status == 401:
        nxt = request.url.path + (("?" + request.url.query) if request.url.query else "")
        lang = request.query_params.get("lang")  # the login page in the language the user asked the page in
        return RedirectResponse("/login?next=" + quote(nxt, safe="") + ("&lang=" + quote(lang, safe="") if lang else ""),
                                status_code=303)
    render = request.app.state.render_error
    return render(request, message, status)


# What a form's change did travels back to its page signed by the server, in both languages: the page shows only
# what this server wrote (a link carrying its own text cannot put words in the page's boxes), in the language the
# page is read in (a user switching language after a change reads it in the new one).
NOTE_MAX_AGE = 3600


# A note is signed, not encrypted (anyone holding the link reads it): what an analyst typed into a refused form
# (a reason may name people or deals) stays on the server, for as long as a note lasts, under a random key the
# note carries — never in the link, so not in the browser's history, an access log or a Referer. At most
# TYPED_KEPT forms are kept (the oldest go first); after a restart a refused form comes back empty.
TYPED_KEPT = 1000


def _keep_typed(cfg: AuthConfig, typed: dict[str, Any]) -> str:
    at = time.monotonic()
    for k, (t, _) in list(cfg.typed.items()):
        if at - t > NOTE_MAX_AGE or len(cfg.typed) >= TYPED_KEPT:
            cfg.typed.pop(k, None)
    key = secrets.token_urlsafe(16)
    # a box's text, or the values ticked in a group of boxes (a list)
    cfg.typed[key] = (at, {k: [str(x) for x in v] if isinstance(v, (list, tuple)) else str(v) for k, v in typed.items()})
    return key


def _first_lines(error: UserError) -> list[str]:
    return [error.in_lang("zh").splitlines()[0], error.in_lang("en").splitlines()[0]]


def sign_note(cfg: AuthConfig, done: tuple[str, str] | None = None, error: UserError | None = None,
              typed: dict[str, Any] | None = None, warn: tuple[str, str] | None = None,
              fields: dict[str, UserError] | None = None) -> str:
    """A page note ``?note=…``: ``done`` as (Chinese, English), ``error`` the refusal (its first line in both),
    ``warn`` (Chinese, English) what a change done says without refusing it (an added lead already local);
    a refused region carries what the region service offered (the text typed, its candidates or suggestions);
    ``typed``: the refused form's values, kept on the server (the note carries only their key); ``fields``: the
    other boxes refused with it, each by its refusal (a form says each beside its box)."""
    refused = _first_lines(error) if error else None
    doc = {k: list(v) for k, v in {"done": done, "error": refused, "warn": warn}.items() if v}
    if typed:
        doc["typed"] = _keep_typed(cfg, typed)
    if fields:
        doc["fields"] = {k: _first_lines(e) for k, e in fields.items()}
    if error is not None and error.field:  # the box the refusal concerns (a form shows it beside it)
        doc["field"] = error.field
    choices = getattr(error, "candidates", None) or getattr(error, "suggestions", None)
    if choices and getattr(error, "text", None):
        doc["region"] = {"text": error.text, "ambiguous": getattr(error, "candidates", None) is not None,
                         "choices": [{k: c.get(k) for k in ("code", "label", "label_en")} for c in choices]}
    return URLSafeTimedSerializer(cfg.secret, salt="zs-page-note").dumps(doc)


def read_note(cfg: AuthConfig, raw: str | None, lang: str) -> dict:
    """``{"done", "error", "warn", "region", "field", "typed", "fields"}`` of a note this server signed, ``done``,
    ``error`` and ``warn`` in ``lang`` (None for a missing, forged or old one); ``region``: the refused region's
    choices (``context.region_refusal`` reads it); ``field``: the form box the refusal concerns; ``typed``: the
    refused form's values ({} when gone); ``fields``: the other boxes refused, each with its refusal in ``lang``."""
    try:
        doc = URLSafeTimedSerializer(cfg.secret, salt="zs-page-note").loads(raw, max_age=NOTE_MAX_AGE) if raw else {}
    except BadData:
        doc = {}
    out = {k: (doc[k][1] if lang == "en" else doc[k][0]) if isinstance(doc.get(k), list) else None
           for k in ("done", "error", "warn")}
    return {**out, "region": doc.get("region") if isinstance(doc.get("region"), dict) else None,
            "field": doc.get("field") if isinstance(doc.get("field"), str) else None,
            "typed": dict(cfg.typed.get(doc.get("typed"), (0, {}))[1]) if isinstance(doc.get("typed"), str) else {},
            "fields": {k: v[lang == "en"] for k, v in doc["fields"].items() if isinstance(v, list) and len(v) == 2}
            if isinstance(doc.get("fields"), dict) else {}}


def install_auth(app: FastAPI, team: TeamDB, local_only: bool, idle: int | None = None) -> AuthConfig:
    """Install the middleware that sets ``request.state.user`` / ``request.state.csrf`` and enforces access."""
    secret = accounts.secret_key(team)
    cfg = AuthConfig(team=team, local_only=local_only, serializer=URLSafeTimedSerializer(secret, salt="zs-session"),
                     secret=secret.encode(), idle=idle or accounts.idle_default())
    app.state.auth = cfg
    app.state.team = team

    @app.middleware("http")
    async def _authenticate(request: Request, call_next):
        if request.url.path.startswith("/static/") and request.method in SAFE_METHODS:
            return await call_next(request)  # assets are public: no lookup of who is asking
        user, session_csrf, sid = await run_in_threadpool(resolve, cfg, request)
        nonce = request.cookies.get(CSRF_COOKIE)
        new_nonce = None
        if not nonce or not re.fullmatch(r"[\w-]{20,64}", nonce):
            nonce = new_nonce = secrets.token_urlsafe(24)
        expected = session_csrf or _anon_csrf(cfg, nonce)
        request.state.user, request.state.csrf, request.state.session_id = user, expected, sid
        path, method = request.url.path, request.method
        need = required_permission(path, method)
        if need is not None:
            if user is NOBODY:
                return _refuse(request, 401, *LOGIN_REQUIRED)
            if not user.can(need):
                return _refuse(request, 403, *role_refusal(user, need))
        if method not in SAFE_METHODS and user.via != "token" and _routed(request):
            given = await _submitted_csrf(request)
            if not given and sid is None and SESSION_COOKIE not in request.cookies and _json_body(request):
                # a script (no session, no page's token, a JSON body) cannot reload a page: it needs an API token
                return _refuse(request, 403, "接口调用需要 API 令牌：用 zhaoshang users token create 创建，请求头带上 "
                               "Authorization: Bearer <令牌>（见 docs/security.md 的 POST /api/events 一节）",
                               "an API call needs an API token: create one with zhaoshang users token create and send "
                               "it as Authorization: Bearer <token> (docs/security.md, \"Events from other systems\")")
            if not given or not hmac.compare_digest(str(given), expected):
                return _refuse(request, 403, "请求缺少有效的 CSRF 令牌，请刷新页面后重试",
                               "missing or invalid CSRF token: reload the page and try again")
        with audit.client_address(client_ip(request)):  # every entry this request causes says where it came from
            response = await call_next(request)
        # every export is on the record; a HEAD of one sends no file and is none
        if need == "export" and response.status_code == 200 and not head_only(request):
            await run_in_threadpool(audit.record, cfg.team, user, "export", path,
                                    {"query": unquote_plus(request.url.query)} if request.url.query else None,
                                    client_ip(request))  # the filters as typed (q=演示合成), not percent-encoded
        if new_nonce:
            response.set_cookie(CSRF_COOKIE, new_nonce, httponly=True, samesite="strict",
                                secure=request.url.scheme == "https", path="/")
        return response

    # added after the access middleware: outside it, so it sees the body first; a refusal it draws (413) names the
    # user as this layer does
    app.add_middleware(SpoolUploads, who=resolve, is_api=_is_api)
    return cfg


def start_session(cfg: AuthConfig, request: Request, response: Response, acc: Any) -> None:
    sid, _ = accounts.create_session(cfg.team, acc, client_ip(request), request.headers.get("user-agent"))
    response.set_cookie(SESSION_COOKIE, cfg.serializer.dumps(sid), httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", path="/")


def end_session(cfg: AuthConfig, request: Request, response: Response | None) -> None:
    """End the request's session (if any); with a response, the browser forgets the cookie too."""
    sid = getattr(request.state, "session_id", None)
    if sid:
        accounts.end_session(cfg.team, sid)
    if response is not None:
        response.delete_cookie(SESSION_COOKIE, path="/")


def safe_next(value: str | None) -> str:
    """Only a path on this site (no scheme, no host, no //) is a valid place to return to after login."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value and "\n" not in value:
        return value
    return "/"
