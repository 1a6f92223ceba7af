"""Commands ``events`` (the event timeline: imported and live events) and ``monitor …`` (news feeds) — the
same services as /api/events and the 动态监测 page (``services.monitoring``)."""

from __future__ import annotations

from typing import Optional

import typer

from ...services.monitoring import events as E
from ..labels import label
from .app import FORMAT_OPTION, Fmt, app, date_option, emit, open_store, open_team, state, synthetic_note, t

EVENT_COLUMNS = ["date", "type_label", "enterprise_name", "title", "source", "origin_label"]


def event_rows(items: list[dict]) -> list[dict]:
    return [{**ev, "type_label": label("event", ev["type"], state.lang),
             "origin_label": label("origin", ev["origin"], state.lang)} for ev in items]


@app.command("events")
def events_cmd(
    since: Optional[str] = date_option("--since", "只看该日期及以后的事件 YYYY-MM-DD", what="since", end_of_period=False),
    region: Optional[str] = typer.Option(None, "--region", "-r", help="地区：名称、6 位代码或宏观区域"),
    chain_node: Optional[str] = typer.Option(None, "--chain", "--node", help="产业链环节代码（含下级环节）"),
    type_: Optional[str] = typer.Option(None, "--type", help="事件类型，可逗号分隔（funding、risk、personnel …）"),
    enterprise: Optional[str] = typer.Option(None, "--enterprise", "-e", help="企业：编号、统一社会信用代码、全称或简称"),
    limit: int = typer.Option(200, "--limit", "-n", help="最多显示条数（1–10000）"),
    fmt: Fmt = FORMAT_OPTION,
) -> None:
    """事件时间线：导入数据中的事件（融资、专利、新闻、分支机构、变更 …）与实时事件（接口、新闻源），最新在前。"""
    with open_store(read_only=True) as store:
        doc = E.timeline(store, open_team(), since=since, region=region, node=chain_node, types=type_,
                         enterprise=enterprise, limit=limit)
        emit(doc, fmt, rows=event_rows(doc["items"]), columns=EVENT_COLUMNS,
             title=t(f"事件 {doc['count']} 条", f"{doc['count']} events"), note=synthetic_note(store))
