"""Commands ``leads`` (智能线索挖掘: the region's best targets with reasons and signals) and ``backtest leads``
(do the leads open a branch or subsidiary in the region within the horizon, against a funding baseline?)."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from ...core.errors import UserError, count_en
from ...core.numbers import quantity_text
from ..labels import report_headers
from .app import (REGION_HELP, REGION_OPTION, Fmt, app, date_option, emit, one_region, open_team, state, synthetic_note, t,
                  update_store)
from .score import _read, at_k_rows, backtest_app, say_saved


class LeadFmt(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


CHAIN_NODE = typer.Option(None, "--chain", "--node", help="只看该产业链节点（含下级）的企业")
WEIGHTS_HELP = "线索权重：YAML 文件或 leads-fit --save 保存的版本名（默认内置 data/leads.yaml）"


def _weights(choice: Optional[str]):
    """A --weights / --compare value: a file as given, else the team's saved weights of that version."""
    from ...services.leads.saved import resolve_weights

    if not choice or Path(choice).exists():
        return choice
    team = open_team()
    try:
        return resolve_weights(choice, team)
    finally:
        team.close()


@app.command("leads")
def leads_cmd(
    region: Optional[str] = typer.Argument(None, help=REGION_HELP, show_default=False),
    region_opt: Optional[str] = REGION_OPTION,
    chain: Optional[str] = CHAIN_NODE,
    top: int = typer.Option(20, "--top", help="列出前 N 条线索（1–1000）"),
    as_of: Optional[str] = date_option(),
    weights: Optional[str] = typer.Option(None, "--weights", help=WEIGHTS_HELP),
    min_score: Optional[float] = typer.Option(None, "--min-score", help="只列得分不低于此值的线索"),
    has: Optional[list[str]] = typer.Option(None, "--has", help="只列该信号非零的线索（可重复）：funding、branches、"
                                            "patents、expansion_news、demands、local_ties"),
    fmt: LeadFmt = typer.Option(LeadFmt.table, "--format", "-f", help="输出格式 table|json|csv|xlsx"),
    output: Optional[str] = typer.Option(None, "--output", "-o", help="写入文件（csv、xlsx；xlsx 必须给出）"),
) -> None:
    """智能线索挖掘：本地应引进的环节（补链、推荐引进）中、截至日在本地没有注册地/分支机构/子公司的企业，按扩张意愿、契合度、可触达性与风险打分排序，每条附理由与信号。"""
    from ...services.leads import mine_leads
    from ...services.leads.export import write_leads
    from ...services.pipeline.leads import in_pipeline

    region = one_region(region, region_opt, "zhaoshang leads")
    if fmt == LeadFmt.xlsx and not output:
        raise UserError("--format xlsx 需要 -o 文件名", "--format xlsx needs -o FILE")
    if output and fmt in (LeadFmt.table, LeadFmt.json):  # -o alone: the file's suffix says csv or xlsx
        suffix = Path(output).suffix.lower()
        if fmt == LeadFmt.json or suffix not in (".csv", ".xlsx"):
            raise UserError(f"-o 写出 .csv 或 .xlsx 文件: {output}", f"-o writes a .csv or .xlsx file: {output}")
        fmt = LeadFmt(suffix[1:])
    team = open_team()
    doc, note = _read(mine_leads, region, node=chain, top=top, as_of=as_of, weights=_weights(weights), lang=state.lang,
                      min_score=min_score, having=has or None, team=team)
    if output and fmt in (LeadFmt.csv, LeadFmt.xlsx):
        n = write_leads(doc, output, lang=state.lang)
        emit({"path": output, "rows": n}, Fmt.table, rows=[{"file": output, "rows": n}],
             title=t(f"已导出 {n:,} 条线索到 {output}", f"exported {count_en(n, 'lead', sep=True)} to {output}"), note=note)
        return
    notes = "\n".join([x for x in [note, *doc["notes"]] if x]) or None
    if fmt == LeadFmt.json:
        emit(doc["leads"], Fmt.json)
        if notes:  # stdout stays the list; the synthetic label and the notes are said on stderr, as for a table
            sys.stderr.write(notes + "\n")
        return
    sep = "; " if state.lang == "en" else "；"
    # a lead on a sub-node names it after its segment (AI芯片 › GPU (U01.1)), as the page does
    # a table prints the score as the page does (52.00 above 48.40: core.numbers, "lead_score"), a CSV the number
    rows = [{"rank": r["rank"], "name": r["name"],
             "score": quantity_text(r["score"], "lead_score") if fmt == LeadFmt.table else r["score"],
             "segment": r["segment_name"] + ("" if r["node"] == r["segment"] else f" › {r['node_name']} ({r['node']})"),
             "confidence": r["confidence"], "reasons": sep.join(r["location_notes"] + r["reasons"])} for r in doc["leads"]]
    columns = ["rank", "name", "segment", "score", "confidence", "reasons"]
    # a lead the region's pipeline holds already says so, as the page does (已在招商项目 #1（已签约）); the files, like
    # the page's export, list the leads alone
    held = in_pipeline(team, doc["region"]["code"], state.lang) if fmt == LeadFmt.table else {}
    if any(r["enterprise_id"] in held for r in doc["leads"]):
        columns.insert(2, "pipeline")
        for row, r in zip(rows, doc["leads"]):
            pl = held.get(r["enterprise_id"])
            row["pipeline"] = pl and t(f"已在招商项目 #{pl['id']}（{pl['status']}）", f"In the pipeline #{pl['id']} ({pl['status']})")
    pop = doc["population"]
    emit(doc, Fmt.csv if fmt == LeadFmt.csv else Fmt.table, rows=rows,
         columns=columns, headers={**report_headers("leads"), "pipeline": ("招商项目", "Pipeline")},
         title=t(f"{doc['region']['label']} 招商线索（截至 {doc['as_of']}）：候选 {pop['candidates']:,} 家，列出前 {len(rows):,} 家",
                 f"leads for {doc['region']['label_en']} (as of {doc['as_of']}): "
                 f"{pop['candidates']:,} candidates, top {len(rows):,} shown"),
         note=notes)


@app.command("leads-fit")
def leads_fit_cmd(
    regions: list[str] = typer.Argument(..., help="训练用的地区（可多个；代码或名称）"),
    as_of: Optional[str] = date_option(),
    horizon: int = typer.Option(730, "--horizon", help="期限（天）：训练窗口内多少天内在本地新设分支机构或子公司算作命中"),
    chain: Optional[str] = CHAIN_NODE,
    weights: Optional[str] = typer.Option(None, "--weights", help="基础线索权重（文件或已保存的版本；阈值与饱和值沿用；默认内置 data/leads.yaml）"),
    output: Optional[str] = typer.Option(None, "--output", "-o", help="写出的权重文件（默认 leads_<版本>.yaml）"),
    save: bool = typer.Option(False, "--save", help="同时保存到团队数据库（按版本名），供招商线索页面和 --weights 版本名选用"),
    fmt: Fmt = typer.Option(Fmt.table, "--format", "-f", help="输出格式 table|json|csv"),
) -> None:
    """学习线索权重：在截至日之前的数据上（各地区在截至日前 1–3 个期限的候选企业及其在本地新设机构的结果）拟合正则化逻辑回归，写出带版本的线索权重文件，供 leads / backtest leads 的 --weights 使用。"""
    from ...services.leads.fit import fit_lead_weights, write_lead_weights
    from ...services.leads.saved import save_weights

    from ...services.leads.reasons import SIGNAL_LABELS

    w, _ = _read(fit_lead_weights, regions, as_of=as_of, horizon=horizon, weights=_weights(weights), node=chain)
    path = write_lead_weights(w, output or f"leads_{w['version']}.yaml")
    f = w["fitted"]
    saved = None
    if save:
        team = open_team()
        try:
            saved = save_weights(team, w)
        finally:
            team.close()
    emit({"path": str(path), "saved": saved, **w}, fmt,
         # a table names each signal in the UI language; CSV keeps its key
         rows=[{"signal": t(*SIGNAL_LABELS[k]) if fmt == Fmt.table and k in SIGNAL_LABELS else k,
                "weight": v["weight"], "coefficient": f["coefficients"].get(k)} for k, v in w["signals"].items()],
         title=t(f"学习到的线索权重（{w['version']}，训练 {f['rows']:,} 行，{f['positives']:,} 家命中）已写入 {path}",
                 f"learned lead weights ({w['version']}, {count_en(f['rows'], 'training row')}, {count_en(f['positives'], 'positive')}) written to {path}")
         + (t(f"；已保存到团队数据库（版本 {w['version']}）", f"; saved in the team state (version {w['version']})") if saved else ""))


@app.command("leads-weights")
def leads_weights_cmd(
    fmt: Fmt = typer.Option(Fmt.table, "--format", "-f", help="输出格式 table|json|csv"),
) -> None:
    """团队保存的线索权重（leads-fit --save）：版本、保存人、时间、学习截至日与各信号权重，供 --weights 版本名与招商线索页面选用。"""
    from ...services.leads.saved import saved_weights

    team = open_team()
    try:
        rows = saved_weights(team)
    finally:
        team.close()
    from ...core.teamstate.clock import to_second
    from ...services.leads.reasons import SIGNAL_LABELS

    en = state.lang == "en"
    emit(rows, fmt, rows=[{"version": r["version"], "saved_by": r["saved_by"], "saved_at": to_second(r["saved_at"]),
                           "fitted_as_of": r["fitted_as_of"], "horizon_days": r["horizon_days"],
                           "weights": t("；", "; ").join(f"{SIGNAL_LABELS.get(k, (k, k))[en]} {v:g}"
                                                        for k, v in r["weights"].items() if v)} for r in rows]
         if fmt == Fmt.table else rows,
         columns=["version", "saved_by", "saved_at", "fitted_as_of", "horizon_days", "weights"],
         title=t(f"已保存的线索权重：{len(rows):,} 个版本", f"saved lead weights: {count_en(len(rows), 'version')}"))


@backtest_app.command("leads")
def backtest_leads_cmd(
    region: Optional[str] = typer.Argument(None, help=REGION_HELP, show_default=False),
    region_opt: Optional[str] = REGION_OPTION,
    as_of: Optional[str] = date_option(),
    horizon: int = typer.Option(365, "--horizon", help="期限（天）：截至日后多少天内在本地新设分支机构或子公司算作命中"),
    k: Optional[list[int]] = typer.Option(None, "--k", help="precision@k / recall@k 的 k（可重复；默认 10 20 50 100）"),
    chain: Optional[str] = CHAIN_NODE,
    weights: Optional[str] = typer.Option(None, "--weights", help=WEIGHTS_HELP),
    compare: Optional[str] = typer.Option(None, "--compare", help="另一组线索权重（文件或已保存的版本，如 leads-fit 学习所得），在同一批候选上并列为 lead_score_compare"),
    label: Optional[str] = typer.Option(None, "--label", help="这次回测的名称，显示在方法与回测页（默认「线索回测 · 地区」）"),
    save: bool = typer.Option(False, "--save", help="把结果存入数据库（backtests 表），供方法与回测页（/methods）显示"),
    fmt: Fmt = typer.Option(Fmt.table, "--format", "-f", help="输出格式 table|json|csv"),
) -> None:
    """线索回测：截至日的线索排序能否把期限内在本地新设分支机构或子公司的企业排在前面（precision@k、recall@k），与基线（仅按融资总额排序、随机）并列。"""
    from ...services.evaluation.runs import save_backtest
    from ...services.leads.backtest import backtest_leads

    region = one_region(region, region_opt, "zhaoshang backtest leads")
    args = dict(as_of=as_of, horizon=horizon, ks=k or None, node=chain, weights=_weights(weights), compare=_weights(compare))
    if save:
        with update_store() as store:
            doc = backtest_leads(store, region, **args)
            doc = save_backtest(store, doc, label or f"线索回测 · {doc['region']['name']}")
            note = synthetic_note(store)
        say_saved(doc)
    else:
        doc, note = _read(backtest_leads, region, **args)
        doc["label"] = label
    # in-sample weights, no positive: said on stderr in every format (the JSON holds them as notes / notes_en)
    note = "\n".join([x for x in [note, *doc[t("notes", "notes_en")]] if x]) or None
    if fmt == Fmt.json:
        emit(doc, fmt)
        if note:
            sys.stderr.write(note + "\n")
        return
    rows = at_k_rows(doc["models"], fmt)
    pop = doc["population"]
    emit(doc, fmt, rows=rows, title=t(
        f"线索回测（{doc['region']['name']}，截至 {doc['as_of']}，{doc['horizon_days']} 天）：候选 {pop['eligible']:,} 家，"
        f"{pop['positives']:,} 家在期限内于本地新设分支机构或子公司",
        f"lead backtest ({doc['region'].get('name_en') or doc['region']['name']}, as of {doc['as_of']}, "
        f"{doc['horizon_days']} days): {pop['eligible']:,} candidates, {pop['positives']:,} opened a branch or subsidiary "
        f"in the region"), note=note)
