"""Commands ``map`` (region × chain numbers), ``chain`` (the chain tree for a region) and ``serve`` (the web app)."""

from __future__ import annotations

import sys
from typing import Optional

import typer

from ...core.asof import reference_date
from ...core.errors import count_en
from ...core.geo.lookup import level_name, region_info, region_labels
from ...services.regions import matrix
from ..labels import UNPLACED, UNPLACED_ROW, UNPLACED_ROW_OF, label, lq_text, pct_text, region_names, report_headers
from .app import FORMAT_OPTION, Fmt, app, date_option, emit, node_heading, open_store, open_team, state, synthetic_note, t


@app.command("map")
def map_cmd(
    level: str = typer.Option("province", "--level", "-l", help="层级 province|city|district|macro"),
    parent: Optional[str] = typer.Option(None, "--parent", help="只列出该地区的下级（地区代码）"),
    chain_node: Optional[str] = typer.Option(None, "--chain", "--node", help="产业链环节代码（默认：全部 AI 企业）"),
    as_of: Optional[str] = date_option(),
    metric: str = typer.Option("count", "--metric", help="排序指标 count|share|lq"),
    top: int = typer.Option(0, "--top", help="每个地区附带的头部企业数"),
    fmt: Fmt = FORMAT_OPTION,
) -> None:
    """产业地图：各地区在某产业链环节的企业数、全国占比、区位商（LQ）与强链/补链/延链标签。"""
    with open_store(read_only=True) as store:
        rows = matrix.region_map(store, level, parent=parent, node=chain_node, as_of=as_of, metric=metric, top=top)
        d = reference_date(store, as_of).isoformat()
        node = node_heading(store, matrix.chain_node(store, matrix.default_chain(store), chain_node))
        dated = [{**r, "as_of": d} for r in rows]  # a list of rows, as documented; each names the date it is counted on
        rows_out = dated if fmt == Fmt.json else list([r for r in rows if r["count"] or level == "macro"] or rows)
        en_names = region_names(store, state.lang)
        # the parent's enterprises no region of the level holds (a city's without a known district): one row more, so
        # that the rows add up to the parent's count, and a note (the web map's words, matrix.unplaced's number)
        n = matrix.unplaced(store, parent, level, node=chain_node, as_of=as_of, rows=rows)
        notes = [synthetic_note(store)]
        info = region_info(store, parent) if parent else None
        # the level as the region service names it here (Hong Kong's units are districts, not cities)
        within = info["code"] if info else None
        words = level_name(level, within)
        if n:
            extra = _unplaced_row(rows, n, level, info, d, metric, words)
            dated.append(extra)
            if fmt != Fmt.json:
                rows_out.append({k: v for k, v in extra.items() if k != "as_of"})
            notes.insert(0, _unplaced_note(info, n, level, words))
        # no LQ without a segment, no count before ``classify``: said, not a table of zeros in silence
        notes[:0] = [t(*x) for x in (matrix.not_classified(store), matrix.metric_note(store, metric, chain_node)) if x]
        # the table prints the share as the web does (24.5%); CSV keeps a number a spreadsheet computes with
        share = (lambda v: pct_text(v)) if fmt == Fmt.table else (lambda v: v if v is None else round(v, 4))  # noqa: E731
        emit(rows_out, fmt, rows=[{**r, "name": (r["name_en"] if state.lang == "en" else r["name"]) if r.get("unplaced")
                                   else en_names.get(r["code"], r["name"]), "share": share(r["share"]),
                                   "lq": lq_text(r["lq"]) if r["lq"] is not None else None,
                                   "label": label("chain_label", r["label"], state.lang),
                                   "level": _level_text(r["level"], within)} for r in rows_out],
             columns=["code", "name", "level", "count", "share", "lq", "label", "region_total"], fields=dated,
             headers=report_headers("map"),  # the report's comparison table of the same regions
             title=t(f"产业地图 · 截至 {d} · " + (node or "全部产业链企业"),
                     f"Industry map · as of {d} · " + (node or "all chain enterprises")),
             note="\n".join(x for x in notes if x) or None)


def _level_text(level: str, within: str | None) -> str:
    """A row's level in the UI language as the region service names it under ``within`` (区 under Hong Kong)."""
    w = level_name(level, within)
    return t(w.zh, w.en)


def _unplaced_name(level: str, words) -> tuple[str, str]:
    """The name of the row of a parent's enterprises no region of ``level`` holds (区县不详; under Hong Kong 区不详)."""
    if level == "province":
        return UNPLACED_ROW
    return UNPLACED_ROW_OF[0].format(level=words.zh), UNPLACED_ROW_OF[1].format(level=words.en)


def _unplaced_row(rows: list[dict], n: int, level: str, parent: dict | None, d: str, metric: str, words) -> dict:
    """The row of the ``n`` enterprises of ``parent`` (the nation) that no region of ``level`` holds: a row's fields,
    no code, ``unplaced`` true."""
    nat = rows[0]["national_count"] if rows else None  # none without rows (a city with no districts: 东莞市)
    share = n / nat if nat else None
    zh, en = _unplaced_name(level, words)
    return {"code": None, "name": zh, "name_en": en, "level": level, "parent_code": parent["code"] if parent else None,
            "lng": None, "lat": None, "count": n, "share": share, "lq": None, "region_total": None,
            "national_count": nat, "national_total": rows[0]["national_total"] if rows else None, "status": None,
            "label": None, "value": {"count": n, "share": share}.get(metric), "as_of": d, "unplaced": True}


def _unplaced_note(info: dict | None, n: int, level: str, words) -> str:
    """``杭州市另有 31 家企业未定位到区县，列为“区县不详”``: the stem the web map says it in (``labels.UNPLACED``);
    ``words``: the level as the region service names it there (``lookup.level_name``)."""
    zh, en = _unplaced_name(level, words)
    return t((info["name"] if info else "") + UNPLACED[0].format(what=f"{n:,} 家企业", level=words.zh) + f"，列为“{zh}”",
             UNPLACED[1].format(what=count_en(n, "more enterprise", sep=True)
                                + (f" of {info.get('name_en') or info['name']}" if info else ""),
                                level=words.en_plural) + f": listed as “{en}”")


@app.command("chain")
def chain_cmd(
    region: Optional[str] = typer.Option(None, "--region", "-r", help="地区代码或宏观区域（默认全国）"),
    as_of: Optional[str] = date_option(),
    top: int = typer.Option(5, "--top", help="每个环节附带的头部企业数"),
    fmt: Fmt = FORMAT_OPTION,
) -> None:
    """产业链图谱：产业链各环节在该地区与全国的企业数、区位商及强链/补链/延链标签。"""
    with open_store(read_only=True) as store:
        tree = matrix.chain_tree(store, region, as_of=as_of, top=top)
        unclassified = matrix.not_classified(store)  # every count 0 before ``classify``: said, as ``map`` says it
        flat = [{**n, "node": "  " * n["depth"] + n["code"],
                 "name": n["name_en"] if state.lang == "en" else n["name_zh"],
                 "lq": lq_text(n["lq"]) if n["lq"] is not None else None, "share": pct_text(n["share"]) if fmt == Fmt.table else round(n["share"], 4),
                 "label": label("chain_label", n["label"], state.lang)}
                for n in matrix.flatten_tree(tree["nodes"])]
        # a region's chain reads as the region report's (本地企业数 beside 全国企业数); the nation's count is no local one
        headers = report_headers("chain", node="code", name="name_zh") if tree["region"] else None
        emit(tree, fmt, rows=flat, columns=["node", "name", "count", "national_count", "share", "lq", "label"], headers=headers,
             fields=[{k: v for k, v in n.items() if k not in ("children", "depth")} for n in matrix.flatten_tree(tree["nodes"])],
             title=t("产业链图谱", "Chain map") + (f" · {region_labels(store, [code], t('zh', 'en'))[code]}"
                                                   if tree["region"] and (code := tree["region"]["code"]) else "")
             + t(f" · 截至 {tree['as_of']}", f" · as of {tree['as_of']}"),
             note="\n".join(x for x in (t(*unclassified) if unclassified else None, synthetic_note(store)) if x) or None)


@app.command("serve")
def serve_cmd(
    host: str = typer.Option("127.0.0.1", "--host", help="监听地址"),
    port: int = typer.Option(8800, "--port", "-p", help="端口"),
    geojson: Optional[str] = typer.Option(None, "--geojson", help="自备的行政区划边界 GeoJSON（覆盖内置边界）"),
    require_login: bool = typer.Option(False, "--require-login",
                                       help="在 127.0.0.1 上也要求登录（在反向代理之后运行时必须使用）"),
    feeds: Optional[str] = typer.Option(None, "--feeds", help="新闻源配置 YAML：在后台按其 interval 定时抓取（动态监测）"),
    allow_internal_webhooks: bool = typer.Option(False, "--allow-internal-webhooks",
                                                 help="允许 Webhook 指向内网、本机或元数据地址（非本机服务时默认拒绝）"),
    no_warm_up: bool = typer.Option(False, "--no-warm-up",
                                    help="不在后台预先准备首次访问所需的关系图谱、分词词典与匹配索引（默认在启动时与每次数据更新后准备）："
                                         "只为少数请求启动的服务（脚本、检查）使用，由首次需要的页面自行准备"),
) -> None:
    """启动网页版（产业地图、产业链图谱、企业库、企业画像；API 文档在 /docs）。

    只在本机地址（127.0.0.1）上服务时无需登录；其他地址或 --require-login 时一律要求登录，且至少要有一个启用的管理员。
    """
    from ...core.errors import UserError
    from ...core.generations import wait_for_update
    from ...services.team.accounts import active_admins
    from ..web.app import serve

    local_only = host in LOOPBACK and not require_login
    team = open_team(create=True)
    if not local_only and active_admins(team) == 0:
        raise UserError(t(
            f"在 {host} 上服务需要登录，但还没有启用的管理员账号；先创建一个：zhaoshang users add NAME --role admin",
            f"serving on {host} requires login, and there is no active admin user yet; create one first: "
            "zhaoshang users add NAME --role admin"))
    if feeds:
        from ...services.monitoring.feeds import load_feeds

        load_feeds(feeds)  # a bad feeds file is one line before the server starts
    wait_for_update(state.db, lambda: sys.stderr.write(t(
        f"数据库 {state.db} 正在更新（导入或归类），更新完成后启动服务…\n",
        f"the database {state.db} is being updated (an import or a classification); the server starts when it ends…\n")))
    serve(state.db, host=host, port=port, geojson=geojson, team=team, local_only=local_only, feeds=feeds,
          allow_internal_webhooks=allow_internal_webhooks, warm=not no_warm_up)


LOOPBACK = {"127.0.0.1", "localhost", "::1"}
