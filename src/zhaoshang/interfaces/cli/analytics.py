"""Commands ``complexity``, ``concentration`` and ``network``: region analytics (docs/methods.md)."""

from __future__ import annotations

import sys
from typing import Optional

import typer

from ..labels import COLUMNS, VOCABULARIES, label, lq_text, number_text, pct_text, region_names
from .app import FORMAT_OPTION, Fmt, app, date_option, emit, open_store, open_team, state, synthetic_note, t

LEVEL_HELP = "区域层级 province|city|district|macro"
NETWORK_LEVEL_HELP = "区域层级 province|city|district（默认：地区组中最细的层级，无组时为 province）"


@app.command("complexity")
def complexity_cmd(
    level: str = typer.Option("province", "--level", "-l", help="区域层级 province|city|district（宏观区域相互重叠，不计算）"),
    by: str = typer.Option("chain", "--by", help="矩阵的列：chain（产业链节点）| ipc（IPC 小类）"),
    reference: Optional[str] = typer.Option(None, "--reference", help="ecomplexity：COI/COG 采用该软件包的口径（原始特征向量 PCI）"),
    threshold: float = typer.Option(1.0, "--rca-threshold", help="RCA 达到该值记为具有比较优势（Mcp=1）"),
    nodes: str = typer.Option("segment", "--nodes", help="--by chain 的节点集：segment（环节，含其下级节点的企业；与差异化突围相同）| placed（企业所归的节点本身，环节与其子节点各成一列）"),
    as_of: Optional[str] = date_option(),
    fmt: Fmt = FORMAT_OPTION,
) -> None:
    """关联度与经济复杂度：RCA、邻近度、关联密度、ECI、PCI、COI、COG（每个地区 × 节点一行）。"""
    from ...services.analytics.complexity import region_complexity

    store = open_store(read_only=True)
    try:
        doc = region_complexity(store, level, by, as_of, reference=reference, rca_threshold=threshold, nodes=nodes)
        note = synthetic_note(store)
        names = region_names(store, state.lang)
    finally:
        store.close()
    if doc["components"] > 1:
        sys.stderr.write(t(f"注意：地区—节点网络分为 {doc['components']:,} 个互不相连的部分，ECI/PCI 只区分这些部分。\n",
                           f"note: the region–node network has {doc['components']:,} disconnected parts; ECI/PCI only separate them.\n"))
    cols = ["region", "region_name", "node", "value", "rca", "mcp", "density", "eci", "pci", "coi", "cog"]
    emit(doc["rows"], fmt, rows=[{**r, "region_name": names.get(r["region"], r["region_name"])} for r in doc["rows"]], columns=cols,
         title=t(f"复杂度 · 截至 {doc['as_of']}（{label('level', level, 'zh')} × {label('node_set', doc['node_set'], 'zh')}，"
                 f"{doc['regions']:,} 个地区 × {doc['nodes']:,} 个节点）",
                 f"complexity · as of {doc['as_of']} ({level} × {label('node_set', doc['node_set'], 'en')}, "
                 f"{doc['regions']:,} regions × {doc['nodes']:,} nodes)"), note=note,
         headers={"node": VOCABULARIES["node_set"]["ipc_subclass"], "value": ("专利数", "Patents")} if by == "ipc" else None)


@app.command("concentration")
def concentration_cmd(
    level: str = typer.Option("province", "--level", "-l", help=LEVEL_HELP),
    chain_node: Optional[str] = typer.Option(None, "--chain", "--node", help="产业链节点代码（含其下级节点），默认整条产业链"),
    measure: str = typer.Option("enterprises", "--measure", help="enterprises（企业数）| funding（融资额）| patents（专利数）"),
    window: int = typer.Option(5, "--window", help="增长窗口（年）"),
    as_of: Optional[str] = date_option(),
    fmt: Fmt = FORMAT_OPTION,
) -> None:
    """集聚度与增长：份额、CR3/CR5、HHI、基尼系数、区位熵、复合增长率。"""
    from ...services.analytics.concentration import concentration

    store = open_store(read_only=True)
    try:
        doc = concentration(store, level, chain_node, as_of, window, measure)
        note = synthetic_note(store)
        names = region_names(store, state.lang)
    finally:
        store.close()
    hhi, gini = number_text(doc["hhi_10000"], 0), number_text(doc["gini"], 3)
    title = t(f"截至 {doc['as_of']}：CR3 {pct_text(doc['cr3'])}，CR5 {pct_text(doc['cr5'])}，HHI {hhi}，基尼系数 {gini}",
              f"as of {doc['as_of']}: CR3 {pct_text(doc['cr3'])}, CR5 {pct_text(doc['cr5'])}, HHI {hhi}, Gini {gini}")
    if doc.get("empty_window"):
        empty = _empty_window_note(doc)
        note = f"{note}\n{empty}" if note else empty
    cols = ["rank", "region", "name", "value", "share", "lq", "cagr_enterprises", "cagr_funding", "cagr_patents"]
    # the table prints shares and growth in per cent and the LQ by its rule, as ``map`` does; CSV keeps the numbers
    shown = {"share": pct_text, "lq": lq_text, "cagr_enterprises": pct_text, "cagr_funding": pct_text,
             "cagr_patents": pct_text} if fmt == Fmt.table else {}
    emit(doc, fmt, rows=[{**r, "name": names.get(r["region"], r["name"]),
                          **{k: f(r[k]) for k, f in shown.items() if r[k] is not None}} for r in doc["rows"]],
         columns=cols, title=title, note=note, headers={"lq": COLUMNS["lq_all"]})


def _empty_window_note(doc: dict) -> str:
    """Why a funding or patent measure has no concentration: nothing in the window to the as-of date, and what to
    do — an earlier --as-of (the latest row before the window), a later one, or an import of the kind."""
    e = doc["empty_window"]
    what_zh, what_en = ("融资事件", "funding rounds") if e["measure"] == "funding" else ("专利", "patents")
    said = t(f"{doc['window_start']} 至 {doc['as_of']} 的 {doc['window_years']} 年窗口内没有{what_zh}：各地区为 0，"
             "HHI 与基尼系数无从计算",
             f"no {what_en} in the {doc['window_years']}-year window {doc['window_start']} to {doc['as_of']}: every "
             f"region is 0, and HHI and Gini cannot be computed")
    if e["latest_before"]:
        how = t(f"最近的一条在 {e['latest_before']}，用 --as-of {e['latest_before']} 等更早的日期再看",
                f"the latest is of {e['latest_before']}: give an earlier --as-of such as {e['latest_before']}")
    elif e["first_after"]:
        how = t(f"最早的一条在 {e['first_after']}，用更晚的 --as-of 再看",
                f"the first is of {e['first_after']}: give a later --as-of")
    else:
        kind = "fundings" if e["measure"] == "funding" else "patents"
        how = t(f"库中还没有{what_zh}：用 zhaoshang import {kind} 导入", f"none is imported yet: zhaoshang import {kind}")
    return t(f"注意：{said}；{how}", f"note: {said}; {how}")


@app.command("network")
def network_cmd(
    kind: str = typer.Option("patent", "--kind", "-k", help="patent（联合申请专利）| investment（投资）| branch（分支机构/对外投资）| people（共同任职）| all"),
    level: Optional[str] = typer.Option(None, "--level", "-l", help=NETWORK_LEVEL_HELP),
    group: Optional[str] = typer.Option(None, "--group", "-g", help="地区组：代码、名称或宏观区域，逗号分隔，如 北京市,广东省,上海市 或 长三角"),
    as_of: Optional[str] = date_option(),
    top: int = typer.Option(12, "--secondary", help="次级节点个数上限"),
    fmt: Fmt = FORMAT_OPTION,
) -> None:
    """地区间合作网络：组内合作占比、输出占比、密度、各地区的度/强度/PageRank/介数、次级节点、趋势。"""
    from ...services.analytics.network import network

    store = open_store(read_only=True)
    team = open_team() if kind in ("people", "all") else None  # its decisions on who is one person
    try:
        doc = network(store, kind, level, group, as_of, secondary_k=top, team=team)
        note = synthetic_note(store)
        names = region_names(store, state.lang)
    finally:
        store.close()
        if team is not None:
            team.close()
    pct = lambda v: "—" if v is None else f"{v * 100:.2f}%"  # noqa: E731
    density = "—" if doc["density"] is None else round(doc["density"], 3)  # no edges: no density (was: None)
    given = "、".join(g["name"] for g in doc["group_given"])
    members = "、".join(doc["group_names"])
    # one phrase a line (the date and size; the shares; the secondary nodes; the group): a title wider than the
    # table wraps, and a line break inside a region's name would split it
    grp = t(f"\n组 {given}（{members}）" if given and given != members else (f"\n组 {members}" if members else ""),
            f"\ngroup {', '.join(names.get(g['code'], g['name']) for g in doc['group_given'])} "
            f"({', '.join(names.get(c, c) for c in doc['group'])})"
            if doc["group"] else "")
    kind_name = label("network_kind", kind, state.lang)
    title = t(f"{kind_name}网络：截至 {doc['as_of']}，{doc['regions']:,} 个地区，{doc['edges_count']:,} 条边，密度 {density}\n"
              f"组内合作占比 {pct(doc['internal_share'])}，输出占比 {pct(doc['external_output_share'])}\n"
              f"次级节点 {'、'.join(x['name'] for x in doc['secondary_nodes']) or '—'}{grp}",
              f"network of {kind_name}: as of {doc['as_of']}, {doc['regions']:,} regions, {doc['edges_count']:,} edges, density {density}\n"
              f"internal share {pct(doc['internal_share'])}, output share {pct(doc['external_output_share'])}\n"
              f"secondary nodes {', '.join(names.get(x['region'], x['region']) for x in doc['secondary_nodes']) or '—'}{grp}")
    # betweenness on the page's scale: divided by the pair count (the raw count stays in the JSON)
    cols = ["region", "name", "in_group", "degree", "strength", "pagerank", "betweenness_norm"]
    emit(doc, fmt, rows=[{**r, "name": names.get(r["region"], r["name"])} for r in doc["nodes"]], columns=cols, title=title,
         note=note)
