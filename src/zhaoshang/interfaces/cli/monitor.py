"""Commands ``events`` (the event timeline: imported and live events) and ``monitor …`` (news feeds) — the
same services as /api/events and the 动态监测 page (``services.monitoring``)."""

from __future__ import annotations

from typing import Optional

import typer

from ...core.errors import count_en
from ...core.parse.dates import DATE_FORMS
from ...services.monitoring import events as E
from ..labels import event_date_text, event_text, feed_error_text, label, news_date_text, news_types_text, node_names
from .app import FORMAT_OPTION, Fmt, app, date_option, emit, listed_heading, open_store, open_team, state, synthetic_note, t

EVENT_COLUMNS = ["date", "type_label", "enterprise_name", "title", "source", "origin_label"]


def event_rows(items: list[dict]) -> list[dict]:
    return [{**ev, "type_label": news_types_text(ev["type"], (ev.get("detail") or {}).get("other_types")
                                                 if isinstance(ev.get("detail"), dict) else None, state.lang),
             "title": event_text(ev, state.lang), "date": event_date_text(ev, state.lang),
             "origin_label": label("origin", ev["origin"], state.lang)} for ev in items]


@app.command("events")
def events_cmd(
    since: Optional[str] = date_option("--since", f"只看该日期及以后的事件 {DATE_FORMS[0]}", what="since", end_of_period=False),
    region: Optional[str] = typer.Option(None, "--region", "-r", help="地区：名称、6 位代码或宏观区域"),
    chain_node: Optional[str] = typer.Option(None, "--chain", "--node", help="产业链环节代码（含下级环节）"),
    type_: Optional[str] = typer.Option(None, "--type", help="事件类型，可逗号分隔（funding、risk、personnel …）"),
    enterprise: Optional[str] = typer.Option(None, "--enterprise", "-e", help="企业：编号、统一社会信用代码、全称或简称"),
    limit: int = typer.Option(200, "--limit", "-n", help="最多显示条数（1–10000）"),
    as_of: Optional[str] = date_option(),
    fmt: Fmt = FORMAT_OPTION,
) -> None:
    """事件时间线：导入数据中的事件（融资、专利、新闻、分支机构、变更 …）与实时事件（接口、新闻源），最新在前。
    截至日期（默认参考日期）之后的事件不列入，另行说明条数（JSON 中的 later）。"""
    with open_store(read_only=True) as store:
        doc = E.timeline(store, open_team(), since=since, region=region, node=chain_node, types=type_,
                         enterprise=enterprise, limit=limit, as_of=as_of)
        if doc["filters"]["node"]:  # the node as resolved (m02 → M02), named in the CLI's language
            doc["filters"]["node_name"] = node_names(store, state.lang, code=False).get(doc["filters"]["node"])
        note = synthetic_note(store)
        if doc["more"]:
            more = t(f"只列出最新的 {doc['count']:,} 条；更早的 {doc['total'] - doc['count']:,} 条符合条件的事件未列出"
                     f"（--limit 最多 10000，或用 --since 等缩小范围）",
                     f"only the newest {doc['count']:,} are listed; {doc['total'] - doc['count']:,} older matching events "
                     f"are not (--limit up to 10,000, or narrow with --since and the other filters)")
            note = f"{note}\n{more}" if note else more
        n = doc["later"]["count"]
        if n:
            later = t(f"另有 {n:,} 条事件日期晚于截至日期 {doc['as_of']}，未列出（--as-of 给出更晚的日期可见）",
                      f"{count_en(n, 'more event', sep=True)} dated after the as-of date {doc['as_of']} not listed "
                      f"(give a later --as-of to see them)")
            note = f"{note}\n{later}" if note else later
        emit(doc, fmt, rows=event_rows(doc["items"]), columns=EVENT_COLUMNS, fields=doc["items"], field_names=E.FIELDS,
             title=events_heading(doc), note=note)


def events_heading(doc: dict) -> str:
    """The list's heading: how many events are listed and, when the limit cut the list, of how many (a page limit
    never reads as the number of events), as of when and, filtered by a chain node, which (its code and name)."""
    f = doc["filters"]
    node = " ".join(x for x in (f.get("node"), f.get("node_name")) if x)
    return listed_heading(doc["count"], doc["total"], "事件", "event",
                          after=(f"（截至 {doc['as_of']}" + (f"；环节 {node}" if node else "") + "）",
                                 f" (as of {doc['as_of']}" + (f"; node {node}" if node else "") + ")"))


monitor_app = typer.Typer(help="动态监测：新闻源抓取（RSS/Atom/JSON Feed）、去重、企业关联、事件", no_args_is_help=True)
app.add_typer(monitor_app, name="monitor")

FEED_COLUMNS = ["feed", "status", "http_status", "fetched", "items_new", "merged", "events_new", "events_merged", "error"]


def _said(rows: list[dict], key: str) -> list[dict]:
    """Table rows whose feed error (``key``) is a sentence in the CLI's language, the stored text beside it as the
    technical detail (JSON and CSV keep the stored text under ``key``)."""
    return [dict(r, **{key: feed_error_text(r.get(key), state.lang), key + "_detail": r.get(key)}) for r in rows]


def feeds_config(feeds: Optional[str], feed: Optional[str], timeout: Optional[float] = None):
    """The feeds of ``--feeds FILE`` or ``--feed URL_OR_FILE`` (exactly one)."""
    from ...core.errors import UserError
    from ...services.monitoring import feeds as F

    if bool(feeds) == bool(feed):
        raise UserError("请给出 --feeds FEEDS.yaml 或 --feed URL_OR_FILE 之一",
                        en="give either --feeds FEEDS.yaml or --feed URL_OR_FILE")
    cfg = F.load_feeds(feeds) if feeds else F.one_feed(feed)
    if timeout is not None:
        for f in cfg.feeds:
            f.timeout = timeout
    return cfg


@monitor_app.command("run")
def monitor_run_cmd(
    feeds: Optional[str] = typer.Option(None, "--feeds", help="新闻源配置 YAML（interval、timeout、feeds: name/url）"),
    feed: Optional[str] = typer.Option(None, "--feed", help="单个新闻源：URL 或本地文件"),
    timeout: Optional[float] = typer.Option(None, "--timeout", help="每个请求的超时秒数（覆盖配置文件）"),
    fmt: Fmt = FORMAT_OPTION,
) -> None:
    """抓取新闻源一次：条件请求（ETag/Last-Modified）、合并重复报道、关联企业、判断事件类型与情感，生成事件。

    某个新闻源出错（无法访问、超时、格式错误）只报告其错误，不影响其他新闻源；有出错的新闻源时退出码为 1。"""
    from ...services.monitoring import news

    cfg = feeds_config(feeds, feed, timeout)
    with open_store(read_only=True) as store:
        res = news.run_feeds(store, open_team(), cfg)
    table = fmt == Fmt.table
    emit(res, fmt, rows=[dict(r, status=label("feed_status", r["status"], state.lang))
                         for r in _said(res["feeds"], "error")] if table else res["feeds"],
         columns=FEED_COLUMNS + (["error_detail"] if table else []),
         title=t(f"新条目 {res['items_new']:,}，合并重复 {res['merged']:,}，新事件 {res['events_new']:,}，"
                 f"并入已有事件的报道 {res['events_merged']:,}，出错 {res['errors']:,}",
                 f"{count_en(res['items_new'], 'new item')}, {res['merged']:,} merged, {count_en(res['events_new'], 'new event')}, "
                 f"{count_en(res['events_merged'], 'report')} of a known event, {res['errors']:,} failed"))
    if res["errors"]:
        raise typer.Exit(1)


@monitor_app.command("feeds")
def monitor_feeds_cmd(fmt: Fmt = FORMAT_OPTION) -> None:
    """各新闻源的状态：上次运行、结果、错误、条目数、下次运行时间。"""
    from ...services.monitoring import feeds as F

    rows = F.feed_states(open_team())
    table = fmt == Fmt.table
    from ...core.teamstate.clock import to_second

    # a table's times in China's time to the second under 最近运行 (UTC+8) …; JSON and CSV keep the stored UTC
    shown = [{**r, "last_run": to_second(r.get("last_run")), "next_run": to_second(r.get("next_run")),
              "last_status": label("feed_status", r.get("last_status"), state.lang)}  # as the page says it (正常)
             for r in _said(rows, "last_error")] if table else rows
    emit(rows, fmt, rows=shown,
         columns=["name", "last_run", "last_status", "last_error", "items_new", "items_total", "next_run"]
         + (["last_error_detail"] if table else []), title=t(f"新闻源 {len(rows):,} 个", f"{len(rows):,} feeds"))


@monitor_app.command("news")
def monitor_news_cmd(limit: int = typer.Option(50, "--limit", "-n", help="最多显示条数"), fmt: Fmt = FORMAT_OPTION) -> None:
    """最近的新闻条目：来源（同一报道的多个来源）、关联企业、待定的候选企业、事件类型、情感。"""
    from ...services.monitoring import news

    rows = news.list_news(open_team(), limit=max(1, min(limit, 1000)))
    table = [{**r, "published": news_date_text(r, state.lang), "sources": len(r["sources"]), "enterprise": "、".join(map(news.enterprise_cell, r["enterprises"])),
              "type_label": news_types_text(r["event_type"], r.get("other_types"), state.lang)} for r in rows]
    emit(rows, fmt, rows=table, columns=["id", "published", "title", "sources", "enterprise", "type_label", "sentiment"],
         title=t(f"新闻 {len(rows):,} 条", count_en(len(rows), 'news item')))
