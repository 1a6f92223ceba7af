"""Analyst decisions on chain placements over HTTP — the JSON twin of ``zhaoshang placements``, and the form on
the enterprise profile: the same service (``services.chain.corrections``), the same team-state storage and
audit-log entries (``team_write`` and CSRF by the access middleware)."""

from __future__ import annotations

from fastapi import Depends, Form, Request
from fastapi.responses import RedirectResponse

from ....core.errors import UserError
from ....core.explain import enterprise_href

from ....core.generations import updating
from ....services.chain import corrections as corr
from ...labels import label
from ..auth import sign_note
from ..context import page_query
from ..schemas import NodeCode, StrictBody


class Decision(StrictBody):
    action: str  # confirm | remove | add
    node: str
    reason: str


def register(app, web) -> None:
    @app.post("/api/enterprises/{key}/placements", tags=["chain"],
              summary="人工确认、移除或新增企业的一条产业链归类（理由必填，记入审计日志，重新归类后仍保持）")
    def api_decide(key: str, decision: Decision, request: Request, user=Depends(web.current_user)):
        with updating(web.served.path, text=False) as store:  # placements only
            row = corr.record(store, request.app.state.team, key, decision.node, decision.action, decision.reason,
                              user)
        return web.json(row)

    @app.get("/api/placements/corrections", tags=["chain"], summary="人工决定的审计记录（谁、何时、为何；最新在前）")
    def api_corrections(request: Request, node: NodeCode = None, store=Depends(web.get_store)):
        return web.json({"items": corr.list_corrections(request.app.state.team, None, web.clean(node), store=store)})

    @app.get("/api/placements/counts", tags=["chain"], summary="各节点被人工确认、移除、新增的归类数")
    def api_counts(request: Request, store=Depends(web.get_store)):
        return web.json({"items": corr.counts(store, request.app.state.team)})

    @app.post("/enterprises/{key}/placements", include_in_schema=False)
    def form_decide(key: str, request: Request, user=Depends(web.current_user), action: str = Form(""),
                    node: str = Form(""), reason: str = Form("")):
        # back on the profile with a note the server signed (what was recorded, or why not, in both languages):
        # the page never shows words a link carries; a refused form comes back with its values as typed — to the
        # profile as the form's page was asked for (its as-of date and language: the form's URL carries them)
        cfg, back = request.app.state.auth, page_query(request)
        try:
            with updating(web.served.path, text=False) as store:  # placements only
                row = corr.record(store, request.app.state.team, key, node.strip(), action, reason,
                                  user)
        except UserError as exc:
            typed = {"action": action, "node": node.strip(), "reason": reason[:corr.REASON_MAX + 100]}
            return RedirectResponse(enterprise_href(key, **back, pl_note=sign_note(cfg, error=exc, typed=typed))
                                    + "#pl-form", status_code=303)
        what = {lang: f"{label('placement_action', row['action'], lang)} {row['node_code']}" for lang in ("zh", "en")}
        done = (f"{what['zh']}：已记录（审计日志） #{row['id']}", f"{what['en']}: recorded (audit log) #{row['id']}")
        return RedirectResponse(enterprise_href(row["enterprise_id"], **back, pl_note=sign_note(cfg, done=done))
                                + "#placements", status_code=303)
