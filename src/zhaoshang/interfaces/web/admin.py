"""Login, logout and the admin page (users, API tokens, audit log) with their JSON twins.

Every form here posts its CSRF token (checked by the auth middleware); every change goes through the same
account service as the ``zhaoshang users`` commands and is written to the audit log.
"""

from __future__ import annotations

import os
import tempfile
from typing import Callable, Optional
from urllib.parse import urlencode

from fastapi import FastAPI, Form, Query, Request
from fastapi.responses import FileResponse, RedirectResponse
from starlette.background import BackgroundTask

from ...core.errors import UserError
from ...core.parse.dates import china_today
from ...services.alerts import rules as alert_rules
from ...services.team import accounts, audit
from ...services.team.roles import ROLES
from ...core.geo.lookup import region_labels
from ..labels import AUDIT_COLUMNS, audit_region_codes, column
from .auth import AuthConfig, client_ip, end_session, read_note, safe_next, sign_note, start_session
from .context import lang_of
from .deps import head_only
from .schemas import DateFrom, DateTo


def _filters(actor, action, since, until, q) -> dict:
    return {k: v for k, v in {"actor": actor, "action": action, "since": since, "until": until, "q": q}.items() if v}


def register_admin(app: FastAPI, cfg: AuthConfig, page: Callable, json_response: type) -> None:
    team = cfg.team

    # ------------------------------------------------------------------------------------ login / logout
    @app.get("/login", include_in_schema=False)
    def login_page(request: Request, next: Optional[str] = None):
        return page(request, "login.html", {"nav": "login", "page_path": "/login", "next": safe_next(next), "error": None,
                                            "local_only": cfg.local_only})

    @app.post("/login", include_in_schema=False)
    def login_submit(request: Request, name: str = Form(""), password: str = Form(""), next: str = Form("/")):
        ip = client_ip(request)
        lang = lang_of(request)
        try:
            acc = accounts.authenticate(team, name.strip(), password, ip)
        except accounts.Throttled as exc:
            resp = page(request, "login.html", {"nav": "login", "page_path": "/login", "next": safe_next(next), "error": exc.in_lang(lang),
                                                "local_only": cfg.local_only}, status_code=429)
            resp.headers["Retry-After"] = str(exc.retry_after)
            return resp
        except UserError as exc:
            return page(request, "login.html", {"nav": "login", "page_path": "/login", "next": safe_next(next), "error": exc.in_lang(lang),
                                                "local_only": cfg.local_only}, status_code=401)
        resp = RedirectResponse(safe_next(next), status_code=303)
        end_session(cfg, request, None)  # a new session id at every login
        start_session(cfg, request, resp, acc)
        return resp

    @app.post("/logout", include_in_schema=False)
    def logout(request: Request):
        user = request.state.user
        resp = RedirectResponse("/login", status_code=303)
        end_session(cfg, request, resp)
        if not user.is_anonymous:
            audit.record(team, user, "logout", user.name, None, client_ip(request))
        return resp

    @app.get("/api/me", tags=["team"], summary="当前用户：名称、角色、权限")
    def api_me(request: Request):
        u = request.state.user
        return json_response({"name": u.name, "role": u.role, "is_anonymous": u.is_anonymous, "via": u.via,
                              "permissions": sorted(u.permissions), "local_only": cfg.local_only})

    # ------------------------------------------------------------------------------------ admin page
    def log_regions(request: Request, rows: list[dict]) -> dict[str, str]:
        """Region code → name in the page's language, for the codes the entries shown hold alone (written before the
        name was stored beside the code): the region service's ``region_labels`` on the served database."""
        codes = audit_region_codes(rows)
        web = getattr(request.app.state, "web", None)
        if not codes or web is None:
            return {}
        scope = web.served.store_scope()
        try:
            return region_labels(next(scope), codes, lang_of(request))
        finally:
            scope.close()

    def admin_context(request: Request, page_no: int = 1, f: dict | None = None, **extra) -> dict:
        f = f or {}
        size = 100
        log = audit.search(team, limit=size, offset=(page_no - 1) * size, **f)
        extra.setdefault("regions", log_regions(request, log["rows"]))
        me = getattr(request.state.user, "name", None)
        return {"nav": "admin", "users": accounts.list_users(team), "tokens": accounts.list_tokens(team),
                "alert_rules": [r for r in alert_rules.list_rules(team) if r["owner"] != me],
                "throttles": accounts.throttles(team), "limits": (accounts.THROTTLE_WINDOW // 60, accounts.PAIR_LIMIT,
                                                                  accounts.ACCOUNT_LIMIT),
                "log": log, "f": f, "page_no": page_no, "pages": max(1, (log["total"] + size - 1) // size),
                "roles": list(ROLES), "done": None, "error": None, "new_token": None,
                "chain": audit.verify(team), "export_qs": urlencode(f), "json_twin": "/api/admin/audit", **extra}

    @app.get("/admin", include_in_schema=False)
    def admin_page(request: Request, actor: Optional[str] = None, action: Optional[str] = None,
                   since: DateFrom = None, until: DateTo = None, q: Optional[str] = None,
                   page_no: int = Query(1, alias="page", ge=1, le=100000), note: Optional[str] = None):
        return page(request, "admin.html", admin_context(request, page_no, _filters(actor, action, since, until, q),
                                                         **read_note(cfg, note, lang_of(request))))

    def _back(done: tuple[str, str] | None = None, error: UserError | None = None):
        return RedirectResponse("/admin?" + urlencode({"note": sign_note(cfg, done, error)}), status_code=303)

    def _do(request: Request, fn, done: tuple[str, str]):
        """Run one change; back to the page saying what was done, or why not."""
        try:
            fn(request.state.user, client_ip(request))
        except UserError as exc:
            return _back(error=exc)
        return _back(done=done)

    @app.post("/admin/users", include_in_schema=False)
    def admin_add_user(request: Request, name: str = Form(...), role: str = Form("viewer"), password: str = Form(...)):
        return _do(request, lambda u, ip: accounts.add_user(team, name, role, password, u, ip), (f"已添加用户 {name}", f"user {name} added"))

    @app.post("/admin/users/{name}/role", include_in_schema=False)
    def admin_set_role(request: Request, name: str, role: str = Form(...)):
        return _do(request, lambda u, ip: accounts.set_role(team, name, role, u, ip), (f"已更改 {name} 的角色", f"role of {name} changed"))

    @app.post("/admin/users/{name}/disable", include_in_schema=False)
    def admin_disable(request: Request, name: str):
        return _do(request, lambda u, ip: accounts.set_disabled(team, name, True, u, ip), (f"已停用 {name}", f"{name} disabled"))

    @app.post("/admin/users/{name}/enable", include_in_schema=False)
    def admin_enable(request: Request, name: str):
        return _do(request, lambda u, ip: accounts.set_disabled(team, name, False, u, ip), (f"已启用 {name}", f"{name} enabled"))

    @app.post("/admin/users/{name}/password", include_in_schema=False)
    def admin_password(request: Request, name: str, password: str = Form(...)):
        return _do(request, lambda u, ip: accounts.reset_password(team, name, password, u, ip),
                   (f"已重置 {name} 的密码", f"password of {name} reset"))

    @app.post("/admin/alert-rules/{rule_id}/remove", include_in_schema=False)
    def admin_remove_rule(request: Request, rule_id: int):
        return _do(request, lambda u, ip: alert_rules.remove(team, rule_id, owner=u, admin=True),
                   (f"已删除预警规则 #{rule_id}", f"alert rule #{rule_id} removed"))

    @app.post("/admin/throttles/{name}/clear", include_in_schema=False)
    def admin_clear_throttle(request: Request, name: str, address: str = Form("")):
        return _do(request, lambda u, ip: accounts.clear_throttle(team, name, address or None, u, ip),
                   (f"已解除 {name} 的登录限制", f"login throttle of {name} cleared"))

    @app.post("/admin/tokens", include_in_schema=False)
    def admin_create_token(request: Request, user: str = Form(...), label: str = Form("")):
        lang = lang_of(request)
        try:
            tok = accounts.create_token(team, user, label or None, request.state.user, client_ip(request))
        except UserError as exc:
            return _back(error=exc)
        # shown in this one response only: never stored, never in a URL
        return page(request, "admin.html", admin_context(
            request, new_token=tok, done=f"token created for {user}" if lang == "en" else f"已为 {user} 创建令牌"))

    @app.post("/admin/tokens/{token_id}/revoke", include_in_schema=False)
    def admin_revoke_token(request: Request, token_id: int):
        return _do(request, lambda u, ip: accounts.revoke_token(team, token_id, u, ip), (f"已吊销令牌 #{token_id}", f"token #{token_id} revoked"))

    # ------------------------------------------------------------------------------------ JSON twins, export
    @app.get("/api/admin/users", tags=["team"], summary="用户列表（仅管理员）")
    def api_admin_users():
        return json_response({"users": accounts.list_users(team)})

    @app.get("/api/admin/throttles", tags=["team"], summary="最近的登录失败与限制（仅管理员）")
    def api_admin_throttles():
        return json_response({"throttles": accounts.throttles(team), "window_seconds": accounts.THROTTLE_WINDOW,
                              "limits": {"address": accounts.PAIR_LIMIT, "account": accounts.ACCOUNT_LIMIT}})

    @app.get("/api/admin/tokens", tags=["team"], summary="API 令牌列表（仅管理员；不含令牌本身）")
    def api_admin_tokens(user: Optional[str] = None):
        return json_response({"tokens": accounts.list_tokens(team, user)})

    @app.get("/api/admin/audit", tags=["team"], summary="审计日志（仅管理员）：按用户、动作、时间、文本筛选")
    def api_admin_audit(actor: Optional[str] = None, action: Optional[str] = None, since: DateFrom = None,
                        until: DateTo = None, q: Optional[str] = None,
                        limit: int = Query(200, ge=1, le=10000), offset: int = Query(0, ge=0, le=10**9)):
        f = _filters(actor, action, since, until, q)
        return json_response({**audit.search(team, limit=limit, offset=offset, **f), "filters": f,
                              "chain": audit.verify(team)})

    @app.get("/api/admin/audit/export", tags=["team"], summary="导出审计日志（csv 或 xlsx，仅管理员）")
    def api_admin_audit_export(request: Request, actor: Optional[str] = None, action: Optional[str] = None,
                               since: DateFrom = None, until: DateTo = None, q: Optional[str] = None,
                               format: str = Query("csv", pattern="^(csv|xlsx)$")):
        f = _filters(actor, action, since, until, q)
        fd, tmp = tempfile.mkstemp(suffix="." + format, prefix="zhaoshang-audit-")
        os.close(fd)
        lang = lang_of(request)
        n = audit.export(team, tmp, fmt=format, lang=lang,
                         headers={c: column(c, lang, AUDIT_COLUMNS) for c in audit.COLUMNS}, **f)
        if not head_only(request):  # a HEAD sends no file
            audit.record(team, request.state.user, "audit.export", None, {"rows": n, **f}, client_ip(request))
        media = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if format == "xlsx"
                 else "text/csv; charset=utf-8")
        stamp = china_today().strftime("%Y%m%d")
        return FileResponse(tmp, media_type=media, filename=f"audit-{stamp}.{format}", background=BackgroundTask(os.unlink, tmp))
