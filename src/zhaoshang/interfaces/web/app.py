"""The web app: server-rendered pages (Jinja2) and their JSON twins under /api (OpenAPI at /docs).

``create_app(db_path, geojson=None)`` builds the app from the feature routers in ``pages/`` (one module per
feature, each calling the same service functions as the CLI); ``serve(...)`` runs it with uvicorn on
127.0.0.1 by default. Every route runs the ``current_user`` dependency (``deps.py``) and the one check of
its date parameters (``dates.py``).
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from ...core.errors import Conflict, NotFound, UserError
from ...core.geo.lookup import AmbiguousRegion
from ...services.alerts.targets import WebhookPolicy
from ...services.enterprises import AmbiguousEnterprise
from .context import HERE, WebContext, both_langs, lang_of, region_choices
from .dates import check_dates
from .deps import HEAD_ONLY, bind_user
from .forms import FormAgain, refuse, refused_fields
from .geo import Boundaries
from .limits import RateLimited
from .pages import register_all
from .schemas import document
from .served import ServedData


def create_app(db_path: str, geojson: Any = None, *, team: Any = None, local_only: bool = True,
               allow_internal_webhooks: bool = False, warm: bool = False) -> FastAPI:
    """The FastAPI app over the database at ``db_path`` (opened read-only when it exists). ``team``: the team
    state (default: beside the database); ``local_only``: no login for the single local user (127.0.0.1), and
    webhooks may target internal addresses; elsewhere only with ``allow_internal_webhooks``; ``warm``: prepare
    each data generation's first views in the background (``services.warmup``; ``serve`` does)."""
    from ...core.teamstate import open_team_db
    from .access import install_access

    team = team if team is not None else open_team_db(None, db_path=str(db_path))
    web = WebContext(ServedData(str(db_path), warm=warm, team=team), Boundaries(geojson))
    app = FastAPI(lifespan=_lifespan, title="招商图谱 Zhaoshang API",
                  description="产业地图、产业链图谱、企业库、企业画像的数据接口（每个网页都有对应的 JSON 接口）。",
                  version="0.1.0", dependencies=[Depends(bind_user), Depends(check_dates)], docs_url=None, redoc_url=None)
    app.state.web = web
    app.state.served = web.served
    app.state.bounds = web.bounds
    app.state.webhook_policy = WebhookPolicy.for_server(local_only, allow_internal_webhooks)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    def _error(request: Request, exc: Exception | str, status: int, fields: dict[str, str] | None = None,
               extra: dict | None = None, api: bool | None = None):
        """Every error's reply: JSON on an /api/ path (``api`` True: whatever the path — a request body refused
        before any route, uploads.py), else the page; in the request's language either way."""
        api = request.url.path.startswith("/api/") if api is None else api
        lang = lang_of(request, accept=api)  # an API's caller may ask by Accept-Language alone
        route = request.scope.get("route")
        boxes = web.forms.get(getattr(route, "path", None)) if request.method == "GET" else None
        refused = refused_fields(request, exc, fields, boxes) if boxes else None
        if refused:  # a page's form given values it cannot take: the page again, each refusal beside its box, under
            # 400 whatever the refusal (a region or a chain node not found is a value of the form, not a path naming
            # nothing: 404 is that), 300 for a region that names several
            refuse(request, refused, 300 if isinstance(exc, AmbiguousRegion) else 400)
            return Response(status_code=status)
        message = exc.in_lang(lang) if isinstance(exc, UserError) else str(exc)
        choices = region_choices(request, exc)  # an ambiguous or misspelt region: where the user may have meant
        if api:
            body = {"error": message, "status": status} | both_langs(exc) | (extra or {})
            if choices:
                body["candidates" if isinstance(exc, (AmbiguousRegion, AmbiguousEnterprise)) else "suggestions"] = choices
            return JSONResponse(body, status_code=status)
        if isinstance(exc, AmbiguousRegion):  # a page of choices, not an error: 300 Multiple Choices
            status = 300
        # a date of the URL the one parser refused (dates.check_dates names its parameter) on a page without a box for
        # it (an enterprise's profile, the map): the same page again without that date, beside the way home
        param = getattr(exc, "param", None) if isinstance(exc, UserError) else None
        retry = None
        if param and request.method == "GET" and request.query_params.get(param) is not None:
            rest = [(k, v) for k, v in request.query_params.multi_items() if k != param]
            retry = request.url.path + (f"?{urlencode(rest)}" if rest else "")
        return web.page(request, "error.html", {"message": message, "status": status, "choices": choices, "retry": retry,
                                                "ambiguous": isinstance(exc, AmbiguousRegion),
                                                "enterprises": isinstance(exc, AmbiguousEnterprise)}, status_code=status)

    document(app, _error)
    app.state.error_reply = _error  # the body-size refusal (uploads.py) answers through it too

    @app.exception_handler(RateLimited)
    async def _limited(request: Request, exc: RateLimited):
        """429 with Retry-After: a download link a browser followed (it asks for text/html) gets the error page in
        its language, not the API's JSON; a script or a page's fetch the JSON."""
        browser = "text/html" in request.headers.get("accept", "")
        response = _error(request, exc, 429, api=False if browser else None)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(405)
    async def _method_not_allowed(request: Request, exc: Exception):
        """405 naming every method the path takes (a path served by several routes, e.g. GET and POST)."""
        allowed = {m for r in app.router.routes if getattr(r, "path_regex", None) is not None
                   and r.path_regex.match(request.url.path) for m in (getattr(r, "methods", None) or ())}
        allowed = sorted(allowed | ({"HEAD"} if "GET" in allowed else set()))  # HeadAsGet answers a HEAD of a GET
        response = _error(request, UserError("不支持的请求方法", "method not allowed"), 405)
        response.headers["Allow"] = ", ".join(allowed)
        return response

    @app.exception_handler(HTTPException)
    async def _no_route(request: Request, exc: HTTPException):
        """A path no route serves (/api/nope): 404 answered as every error is, in both languages (a missing
        static file keeps the bare reply)."""
        if exc.status_code != 404 or request.url.path.startswith("/static/"):
            return await http_exception_handler(request, exc)
        path = request.url.path
        return _error(request, NotFound(f"没有这个地址: {path}", f"no such address: {path}"), 404)

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound):
        return _error(request, exc, 404)

    @app.exception_handler(Conflict)
    async def _conflict(request: Request, exc: Conflict):
        """A change based on an older version (409): the version now and what changed since, to read and re-apply."""
        return _error(request, exc, 409, extra={"version": exc.version, "changes": exc.changes})

    @app.exception_handler(UserError)
    async def _user_error(request: Request, exc: UserError):
        return _error(request, exc, 400)

    @app.middleware("http")
    async def _lang_cookie(request: Request, call_next):
        response = await call_next(request)
        q = request.query_params.get("lang")
        if q:
            response.set_cookie("lang", "en" if q.lower().startswith("en") else "zh", max_age=365 * 86400, samesite="lax")
        return response

    register_all(app, web)
    install_access(app, team=team, local_only=local_only, page=web.page, json_response=web.json)
    app.add_middleware(FormAgain)  # a form page refused for its boxes' values: drawn again, the form as filled
    app.add_middleware(RegionNotes)  # a name the level rule read: said on the page and in the JSON it answers
    app.add_middleware(HeadAsGet)  # outermost: a HEAD is the GET, through every check, without the body
    return app


class RegionNotes:
    """Each request collects the notes of the region service (``core.geo.readings``: 朝阳 读作 辽宁省朝阳市 …), as
    the command line does around a command: the page shows them (``WebContext.page``) and the JSON carries them
    (``FastJSON``: ``region_notes``), so a name read by the level rule is never read silently."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from ...core.geo.readings import readings

        with readings():
            await self.app(scope, receive, send)


class HeadAsGet:
    """HEAD answered as the GET of the same URL would be — the same status and headers (Content-Length included),
    no body — on every page and JSON twin: a monitoring probe or a link checker asks with HEAD, and the routes are
    declared for GET only (FastAPI adds no HEAD, so it was a 405). The request passes every check a GET passes
    (login, access, dates); only what it is told to send is cut to the headers."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message):
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        # a copy: the server still knows the request as a HEAD (it sends no body for one); the routes and the audit
        # log know it is one too (deps.head_only: a HEAD of an export is no export)
        await self.app({**scope, "method": "GET", HEAD_ONLY: True}, receive, headers_only)


def shutdown(app: FastAPI) -> list[str]:
    """Stop what the app runs in the background on its data: the warm-up, the alert schedule, the event tail, the
    feed schedule — each told to stop, its queries interrupted, joined with a bound. The names of any thread still
    running. (Queued data updates are not threads on the served data: their worker finishes them before the
    process ends, each publishing a new generation or nothing.)"""
    return app.state.served.stop()


@asynccontextmanager
async def _lifespan(app: FastAPI):
    yield
    shutdown(app)


def start_background(app: FastAPI, feeds: Any = None) -> None:
    """The server's background work (``serve``): the alert schedule, the event tail and, with a ``feeds`` file, the
    news monitor; all stopped by ``shutdown`` (the app's lifespan) or, in any other process, at exit
    (``core.background``)."""
    from ...core.background import served_scope
    from ...services.alerts.scheduler import Scheduler
    from ...services.monitoring import events as monitor_events
    from ...services.monitoring.feeds import FeedSchedule, load_feeds
    from ...services.monitoring.news import run_feeds

    scope = served_scope(app.state.served)
    Scheduler(scope, app.state.team, policy=app.state.webhook_policy).start()  # alerts: evaluate, digest, deliver
    app.state.event_tail = monitor_events.Tail(app.state.team, store_scope=scope)  # → the bus
    app.state.event_tail.start()
    if feeds:  # the news monitor on the feeds file's schedule
        FeedSchedule(load_feeds(feeds), scope, app.state.team, run_feeds).start()


def serve(db_path: str | None, host: str = "127.0.0.1", port: int = 8800, geojson: Any = None, *,
          team: Any = None, local_only: bool = True, feeds: Any = None, allow_internal_webhooks: bool = False,
          warm: bool = True) -> None:
    """Run the web app with uvicorn (blocking); ``warm``: prepare each data generation's first views in the
    background (``services.warmup``; ``serve --no-warm-up`` leaves them to the first requests that need them)."""
    import uvicorn

    from ...core.store import default_db_path

    from ...core.geo.readings import readings

    app = create_app(db_path or default_db_path(), geojson=geojson, team=team, local_only=local_only,
                     allow_internal_webhooks=allow_internal_webhooks, warm=warm)
    start_background(app, feeds)
    print(f"招商图谱 Zhaoshang: http://{host}:{port}/  (API: http://{host}:{port}/docs)", flush=True)
    with readings(collect=False):  # a request's region notes are not the serving command's
        uvicorn.run(app, host=host, port=port, log_level="warning")
