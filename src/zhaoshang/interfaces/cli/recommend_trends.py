"""Commands ``recommend`` (the differentiated path and attraction modes) and ``trends`` (资本风向)."""

from __future__ import annotations

import sys
from typing import Optional

import typer

from ...core.errors import count_en
from ..labels import PCI_AMONG, label, measure_text, pct_text, region_names, report_headers, segments_beyond_text
from .app import (FORMAT_OPTION, REGION_OPTION, Fmt, app, date_option, emit, node_heading, one_region, open_store,
                  synthetic_note, t)


@app.command("recommend")
def recommend_cmd(
    region: Optional[str] = typer.Argument(None, help="地区代码或名称，如 杭州市 / 330100 / 合肥 / 长三角；也可用 --region",
                                           show_default=False),
    region_opt: Optional[str] = REGION_OPTION,
    level: Optional[str] = typer.Option(None, "--level", "-l", help="名称有歧义时指定层级 province|city|district|macro"),
    as_of: Optional[str] = date_option(),
    resources: Optional[str] = typer.Option(None, "--resources", help="地区资源文件（YAML：算力、机架、PUE、电价、引导基金、高校、土地）"),
    config: Optional[str] = typer.Option(None, "--config", help="权重与阈值文件（默认 data/recommend.yaml）"),
    top: int = typer.Option(15, "--top", "-n", help="列出的候选环节数（0 = 全部）"),
    fmt: Fmt = FORMAT_OPTION,
) -> None:
    """差异化突围：本地尚不具优势（RCA<1）的环节按可行性（关联密度）× 价值（复杂度、融资与专利增长）排序，并给出招商模式建议。"""
    from ...services.region_profile import recommend_labelled

    region = one_region(region, region_opt, "zhaoshang recommend")
    store = open_store(read_only=True)
    try:
        doc = recommend_labelled(store, region, level=level, as_of=as_of, resources=resources, top=top, config=config)
        note = synthetic_note(store)
    finally:
        store.close()
    if fmt == Fmt.json:
        emit(doc, fmt)
        return
    pct = lambda v: "—" if v is None else f"{v * 100:.0f}"  # noqa: E731
    en = t("zh", "en") == "en"
    # the table prints growth and percentiles as the page does (60.9%, 73); CSV keeps the numbers (0.609, 0.73)
    rows = [{**r, "name": r["name_en"] if en else r["name_zh"],
             "quadrant_label": r["quadrant_en"] if en else r["quadrant_zh"],
             **({} if fmt == Fmt.csv else {"funding_cagr": pct_text(r["funding_cagr"]),
                                           "patent_cagr": pct_text(r["patent_cagr"]),
                                           "feasibility_pct": pct(r["feasibility_pct"]), "value_pct": pct(r["value_pct"])})}
            for r in doc["segments"]]
    cols = ["rank", "node", "name", "count", "rca", "density", "pci", "cog", "funding_cagr", "patent_cagr",
            "feasibility_pct", "value_pct", "score", "quadrant_label"]
    headers = report_headers("recommend", name="name_zh", quadrant_label="quadrant_zh")
    if PCI_AMONG.get(doc.get("level")):  # the PCI headed by the level whose matrix it is of, as the page and report
        headers["pci"] = PCI_AMONG[doc["level"]]
    emit(doc, fmt, rows=rows, columns=cols, fields=doc["segments"], headers=headers, title=t(
        f"{doc['region']['name']}：候选环节（截至 {doc['as_of']}，{doc['candidates']:,} 个 RCA<{doc['rca_threshold']} 的环节）",
        f"{doc['region'].get('name_en') or doc['region']['name']}: candidate segments (as of {doc['as_of']}, {doc['candidates']:,} with RCA < {doc['rca_threshold']})"),
         note=note if fmt == Fmt.csv else None)
    if fmt == Fmt.csv:  # one CSV document: the ranked segments
        return
    mode_rows = []
    for m in doc["modes"]:
        # a criterion without a value reads 数据不足 / no data (unknown, not failed)
        ev = t("；", "; ").join(f"{c['label_zh' if t('zh', 'en') == 'zh' else 'label_en']} = "
                      f"{label('mode_criterion', 'unknown', t('zh', 'en')) if c['value'] is None else measure_text(c['value'])}"
                      f" {c['op']} {measure_text(c['threshold'])}"
                      f"{' ✓' if c['passed'] else (' ?' if c['passed'] is None else ' ✗')}{' †' if c.get('after_as_of') else ''}"
                      for c in m["criteria"])
        mode_rows.append({"mode": m["name_en"] if t("zh", "en") == "en" else m["name_zh"],
                          # a mode not suggested says so (a blank cell read as missing data); one hanging on
                          # criteria without data says it cannot be judged
                          "suggested": label("mode_suggested", m.get("verdict") or ("yes" if m["suggested"] else "no"),
                                             t("zh", "en")),
                          "evidence": ev})
    emit(mode_rows, fmt, rows=mode_rows, columns=["mode", "suggested", "evidence"],
         title=t("招商模式", "Attraction modes"), note=note)
    cut = doc.get("beyond_top") or []
    if cut:  # every candidate below the cut is named, a 补链 one with its label (补链·缺失: no local enterprise)
        names = segments_beyond_text(cut, t("zh", "en"), codes=True)
        sys.stderr.write(t(f"注意：另有 {len(cut):,} 个候选环节排在 --top {top} 之外，未列出：{names}；"
                           f"用 --top 0 列出全部 {doc['candidates']:,} 个候选环节。\n",
                           f"note: {count_en(len(cut), 'more candidate segment')} below --top {top}, not listed: "
                           f"{names}; use --top 0 to list all {doc['candidates']:,} candidates.\n"))
    for n in doc["notes_en" if en else "notes"]:
        sys.stderr.write(n + "\n")


@app.command("trends")
def trends_cmd(
    region: Optional[str] = typer.Option(None, "--region", "-r", help="地区代码或名称（企业所在地）"),
    node: Optional[str] = typer.Option(None, "--node", "--chain", help="产业链节点代码（含其下级节点）"),
    by: str = typer.Option("quarter", "--by", help="时间粒度 quarter|year"),
    start: Optional[str] = date_option("--start", "起始日期（含）", what="start", end_of_period=False),
    end: Optional[str] = date_option("--end", "结束日期（含）", what="end"),
    as_of: Optional[str] = date_option(help="截至日期：之后的融资不计，企业按当时所在地区（默认：库中最新数据日期）"),
    top: int = typer.Option(10, "--top", "-n", help="列出的活跃投资方个数"),
    fmt: Fmt = FORMAT_OPTION,
) -> None:
    """资本风向：按季度/年度、产业链环节、地区的融资金额与轮次，最活跃的投资方及其投向。"""
    from ...services.trends import trends

    store = open_store(read_only=True)
    try:
        doc = trends(store, region=region, node=node, by=by, start=start, end=end, as_of=as_of, top=top)
        note = synthetic_note(store)
        names = region_names(store, t("zh", "en"))
        node = node_heading(store, doc["node"])  # as resolved (m02 → M02), named
    finally:
        store.close()
    if fmt == Fmt.json:
        emit(doc, fmt)
        return
    if doc["undated"]:  # rounds the filters would take but for a date: not counted, said (the notes' words)
        undated = t(f"注意：{doc['notes'][1]}", f"note: {doc['notes_en'][1]}")
        note = f"{undated}\n{note}" if note else undated
    if doc["end_cut"]:  # an end after the as-of, cut to it: said (the notes' words)
        cut = t(f"注意：{doc['end_cut']['note']}", f"note: {doc['end_cut']['note_en']}")
        note = f"{cut}\n{note}" if note else cut
    tot = doc["totals"]
    en = t("zh", "en") == "en"
    where = (doc["region"].get("name_en") if en else None) or doc["region"]["name"] if doc["region"] else t("全国", "China")
    est = tot.get("estimated_wan") or 0
    emit(doc, fmt, rows=doc["by_period"], fields=doc["by_period"],  # a CSV: the JSON's periods with all their fields
         columns=["period", "rounds", "disclosed", "estimated", "undisclosed", "amount_wan", "enterprises"],
         # the region report's words (its periods are quarters: by year they are 期间, the shared word)
         headers={k: v for k, v in report_headers("quarters").items() if by == "quarter" or k != "period"},
         title=t(f"{where}{' · ' + node if node else ''}：{tot['rounds']:,} 轮融资，"
                 + (f"金额 {tot['amount_wan']:,.0f} 万元（含估算 {est:,.0f} 万元）" if est
                    else f"披露金额 {tot['amount_wan']:,.0f} 万元") + f"，未披露 {tot['undisclosed']:,} 轮（截至 {doc['as_of']}）",
                 f"{where}{' · ' + node if node else ''}: {tot['rounds']:,} rounds, "
                 + (f"{tot['amount_wan']:,.0f} (10k CNY, {est:,.0f} of it estimated)" if est
                    else f"{tot['amount_wan']:,.0f} (10k CNY) disclosed")
                 + f", {tot['undisclosed']:,} undisclosed (as of {doc['as_of']})"),
         note=note if fmt == Fmt.csv else None)
    if fmt == Fmt.csv:  # one CSV document: the periods
        return
    by_node = [{**r, "name_zh": r["name_en"] if en and r.get("name_en") else r["name_zh"]} for r in doc["by_node"]]
    emit(doc["by_node"], fmt, rows=by_node, columns=["node", "name_zh", "rounds", "undisclosed", "amount_wan", "enterprises"],
         headers=report_headers("trend_nodes"),
         title=t("按产业链环节", "By chain segment"))
    inv = [{**r, "type": label("investor", r["type"], t("zh", "en")), "top_nodes": [x["node"] for x in r["nodes"][:3]],
            "top_regions": [names.get(x["region"]) or x["name"] for x in r["regions"][:3]]} for r in doc["investors"]]
    emit(inv, fmt, rows=inv, columns=["name", "type", "rounds", "lead_rounds", "amount_wan", "top_nodes", "top_regions"],
         headers=report_headers("investors", top_nodes="nodes"),
         title=t("最活跃的投资方", "Most active investors"), note=note)
