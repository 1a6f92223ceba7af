"""Analyst decisions on chain placements over HTTP — the JSON twin of ``zhaoshang placements``: the same
service (``services.chain.corrections``), the same team-state storage and audit-log entries."""

from __future__ import annotations

from fastapi import Depends, Request
from pydantic import BaseModel

from ....core.generations import updating
from ....services.chain import corrections as corr
from ..schemas import NodeCode


class Decision(BaseModel):
    action: str  # confirm | remove | add
    node: str
    reason: str


def register(app, web) -> None:
    @app.post("/api/enterprises/{key}/placements", tags=["chain"],
              summary="人工确认、移除或新增企业的一条产业链归类（理由必填，记入审计日志，重新归类后仍保持）")
    def api_decide(key: str, decision: Decision, request: Request, user=Depends(web.current_user)):
        with updating(web.served.path) as store:
            row = corr.record(store, request.app.state.team, key, decision.node, decision.action, decision.reason,
                              getattr(user, "name", None))
        return web.json(row)

    @app.get("/api/placements/corrections", tags=["chain"], summary="人工决定的审计记录（谁、何时、为何；最新在前）")
    def api_corrections(request: Request, node: NodeCode = None):
        return web.json({"items": corr.list_corrections(request.app.state.team, None, web.clean(node))})

    @app.get("/api/placements/counts", tags=["chain"], summary="各节点被人工确认、移除、新增的归类数")
    def api_counts(request: Request):
        return web.json({"items": corr.counts(request.app.state.team)})
