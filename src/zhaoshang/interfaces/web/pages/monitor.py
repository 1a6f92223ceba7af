"""动态监测 (/monitor: the live event feed with filters) and its JSON twins: ``GET /api/events`` (the timeline),
``POST /api/events`` (events from other systems: API token or session, ``team_write``, rate-limited), and
``GET /api/events/stream`` (server-sent events of the new events matching the filters). The same service as
``zhaoshang events`` (``services.monitoring.events``); the stream reads the in-process bus."""

from __future__ import annotations

import asyncio
import threading
from typing import Annotated, Any, Literal, Optional, Union

from fastapi import Body, Depends, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import Field

from ....core.background import served_scope
from ....core.explain import page_href
from ....core.parse.dates import DATE_FORMS
from ....services.monitoring import bus
from ....services.monitoring import events as E
from ....services.monitoring import feeds as F
from ....services.monitoring import news as N
from ....services.privacy import NEWS_TEXT
from ...labels import event_date_text, event_text, feed_error_text, label
from ..access import personal_events, personal_text
from .. import sse
from ..limits import TokenBuckets, user_key
from ..schemas import DATE_DOC, AsOf, DateFrom, NodeCode, Region, StrictBody, Text, query_list

INGEST_BURST = 120     # events requests a user may send at once
INGEST_PER = 0.25      # seconds per further one (4 a second sustained)

TypeCode = Literal[E.TYPES]
_ONE = "(" + "|".join(E.TYPES) + ")"
Types = query_list("事件类型代码，逗号分隔（空 = 全部）", pattern=f"^$|^{_ONE}(,{_ONE})*$", max_length=400)
Limit = Annotated[int, Query(ge=1, le=10_000, description="最多条数")]


class EventIn(StrictBody):
    """One event from another system. The enterprise is named by ``enterprise_id`` or ``enterprise`` (id,
    统一社会信用代码, full name or alias)."""

    enterprise: Optional[str] = Field(None, min_length=1, max_length=200)
    enterprise_id: Optional[int] = Field(None, ge=1, le=2 ** 62)
    type: TypeCode
    # read by the one date parser, as every date field is (2025-06-30, 2025/06/30, 20250630, 2025年6月30日); refused
    # by it in words (no such day, after today)
    date: str = Field(..., max_length=40, description=f"事件日期 {DATE_FORMS[0]}",
                      json_schema_extra=DATE_DOC)
    title: str = Field(..., min_length=1, max_length=500)
    url: Optional[str] = Field(None, max_length=2000)
    source: Optional[str] = Field(None, max_length=200)
    source_key: Optional[str] = Field(None, max_length=200)
    sentiment: Optional[float] = Field(None, ge=-1, le=1)
    detail: Optional[dict[str, Any]] = None


EventsIn = Union[EventIn, Annotated[list[EventIn], Field(min_length=1, max_length=E.MAX_BATCH)]]


def register(app, web) -> None:
    buckets = TokenBuckets(burst=INGEST_BURST, per=INGEST_PER)
    tail_lock = threading.Lock()

    def team(request: Request):
        return request.app.state.team

    def ensure_tail(request: Request) -> None:
        """Events stored by other processes (``zhaoshang monitor run``) reach this server's bus."""
        with tail_lock:
            if getattr(request.app.state, "event_tail", None) is None:
                tail = E.Tail(team(request), store_scope=served_scope(web.served))
                tail.start()
                request.app.state.event_tail = tail

    def timeline(request, store, since, region, node, type, enterprise, limit, as_of=None):
        """The timeline as the user may see it: headlines (a news body's opening for an imported item) masked, a
        change of legal representative without the name of one holding shares, a feed file's path as its name."""
        doc = F.hide_paths(E.timeline(store, team(request), since=since, region=web.clean(region), node=web.clean(node),
                                      types=web.clean(type), enterprise=web.clean(enterprise), limit=limit,
                                      as_of=web.clean(as_of)), request.state.user)
        if doc["filters"]["node"]:  # the node as resolved (m02 → M02), named in the page's language, as the CLI names it
            doc["filters"]["node_name"] = web.node_names(store, web.lang_of(request), code=False).get(doc["filters"]["node"])
        return personal_events(request, store, doc, "events")

    def news(request, limit: int) -> list[dict]:
        """The latest news items as the user may see them: title and body masked, or whole and audited."""
        return personal_text(request, F.hide_paths(N.list_news(team(request), limit=limit), request.state.user),
                             NEWS_TEXT, "monitor_news")

    def feeds(request) -> list[dict]:
        """The feeds' states, each error also as a sentence in the page's language (``last_error_text``)."""
        lang = web.lang_of(request)
        return [dict(r, last_error_text=feed_error_text(r.get("last_error"), lang))
                for r in F.feed_states(team(request), request.state.user)]

    @app.get("/api/events", tags=["monitoring"], summary="事件时间线（JSON）：导入与实时事件，按起始日期、地区、环节、类型、企业筛选；"
             "截至日期之后的事件另列于 later")
    def api_events(request: Request, store=Depends(web.get_store), since: DateFrom = None, region: Region = None,
                   node: NodeCode = None, type: Types = None, enterprise: Text = None, limit: Limit = 200,
                   as_of: AsOf = None):
        return web.json(timeline(request, store, since, region, node, type, enterprise, limit, as_of))

    @app.post("/api/events", tags=["monitoring"],
              summary="接收外部系统的事件（一个或最多 100 个）：校验、关联企业、去重、保存并实时推送")
    def api_post_events(request: Request, payload: EventsIn = Body(...), store=Depends(web.get_store),
                        user=Depends(web.current_user)):
        items = payload if isinstance(payload, list) else [payload]
        buckets.take(user_key(request, user))
        res = E.ingest(store, team(request), [i.model_dump() for i in items], origin="api",
                       actor=getattr(user, "name", None))
        return web.json({"stored": len(res["stored"]), "duplicates": len(res["duplicates"]),
                         "same_event": len(res["same_event"]),
                         "events": res["stored"] + res["duplicates"] + res["same_event"]})

    @app.get("/api/monitor/feeds", tags=["monitoring"], summary="各新闻源的状态：上次运行、结果、错误、条目数、下次运行")
    def api_feeds(request: Request):
        return web.json({"feeds": feeds(request)})

    @app.get("/api/monitor/news", tags=["monitoring"], summary="最近的新闻条目：多个来源、关联企业、候选企业、事件类型、情感")
    def api_news(request: Request, limit: Annotated[int, Query(ge=1, le=1000)] = 50):
        return web.json({"items": news(request, limit)})

    @app.get("/api/events/stream", include_in_schema=False)
    async def api_stream(request: Request, store=Depends(web.get_store), since: DateFrom = None,
                         region: Region = None, node: NodeCode = None, type: Types = None, enterprise: Text = None):
        f = E.Filter(store, since=since, region=web.clean(region), node=web.clean(node), types=web.clean(type),
                     enterprise=web.clean(enterprise))
        ensure_tail(request)
        sub = bus.subscribe()
        lang = web.lang_of(request)
        user = request.state.user

        async def stream():
            try:
                yield sse.message("ready", {"filters": f.as_dict()})
                while True:
                    ev = await sub.get(timeout=1.0)
                    if ev is None:
                        if await request.is_disconnected():
                            break
                        continue
                    if await asyncio.to_thread(f.matches, ev):
                        ev = await asyncio.to_thread(personal_events, request, store, F.hide_paths(ev, user))
                        # its title as the page shows it: without the head the type column says (labels.event_text)
                        yield sse.message("event", {**ev, "shown_title": event_text(ev, lang),
                                                          "shown_date": event_date_text(ev, lang)}, ev["key"])
            finally:
                sub.close()

        return sse.response(stream())

    web.form_page("/monitor", "since", "region", "node", "type", "enterprise", "as_of")  # a value one of them cannot take: beside it (forms.py)

    @app.get("/monitor", response_class=HTMLResponse, include_in_schema=False)
    def monitor_page(request: Request, store=Depends(web.get_store), since: DateFrom = None, region: Region = None,
                     node: NodeCode = None, type: Types = None, enterprise: Text = None, as_of: AsOf = None):
        doc = timeline(request, store, since, region, node, type, enterprise, 100, as_of)
        f = {"since": since or "", "region": web.clean(region) or "", "node": web.clean(node) or "",
             "type": web.clean(type) or "", "enterprise": web.clean(enterprise) or "", "as_of": web.clean(as_of) or ""}
        lang = web.lang_of(request)
        return web.page(request, "monitor.html", {
            "type_labels": {k: label("event", k, lang) for k in E.TYPES},
            "origin_labels": {k: label("origin", k, lang) for k in E.ORIGINS},
            "nav": "monitor", "doc": doc, "as_of": doc["as_of"], "feeds": feeds(request), "news": (shown := news(request, 10)),
            # no item read from a feed: where the imported news is, said instead of a bare dash
            "imported_news": None if shown else N.imported_news_count(store, doc["as_of"]),
            "f": f, "types": E.TYPES, "nodes": web.facets(store)["nodes"], "json_twin": page_href("/api/events", **f),
            # the live stream has no as-of: it tells what arrives now
            "stream_url": page_href("/api/events/stream", **{k: v for k, v in f.items() if k != "as_of"})})
