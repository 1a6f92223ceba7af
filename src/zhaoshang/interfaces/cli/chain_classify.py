"""Command ``classify``: place every enterprise on the chain taxonomy's nodes (method rules-v1)."""

from __future__ import annotations

from typing import Optional

import typer

from ...core.errors import count_en
from ...core.parse.dates import DATE_FORMS
from ...services.chain.classify import classify
from ...services.chain.taxonomy import load_taxonomy
from .app import FORMAT_OPTION, Fmt, app, date_option, emit, open_team, progress, synthetic_note, t, update_store


@app.command("classify")
def classify_cmd(
    taxonomy: Optional[str] = typer.Option(None, "--taxonomy", help="产业链分类 YAML 文件（默认 $ZHAOSHANG_TAXONOMY，否则内置 AI 产业链）"),
    as_of: Optional[str] = date_option(help=f"截至日期 {DATE_FORMS[0]}：只分类当时存续的企业、当时已申请的专利"),
    full: bool = typer.Option(False, "--full", help="全部重新归类（默认只重新归类上次归类后导入变化的企业及其上下级关联企业）"),
    fmt: Fmt = FORMAT_OPTION,
) -> None:
    """把企业归入产业链节点（多标签，带置信度与证据），替换该产业链原有的归类结果。

    上次归类（同一分类设置）之后只导入了增量时，只重新归类新增、变更的企业及其关联企业，结果与全量归类相同。"""
    tax = load_taxonomy(taxonomy)
    with update_store() as store, progress(t("产业链归类", "classifying")) as advance:
        summary = classify(store, tax, as_of=as_of, on_progress=advance, team=open_team(), incremental=not full)
        note = synthetic_note(store)
    if fmt == Fmt.json:
        emit(summary, fmt)
        return
    rows = [{t("环节", "stage"): s["stage"], t("节点", "node"): "",
             t("名称", "name"): s["name_zh"] if t("zh", "en") == "zh" else s["name_en"],
             t("企业数", "enterprises"): s["enterprises"], t("平均置信度", "avg confidence"): None}
            for s in summary["by_stage"]]
    for n in summary["by_node"]:
        if n["enterprises"]:
            rows.append({t("环节", "stage"): n["stage"], t("节点", "node"): n["code"],
                         t("名称", "name"): ("  " * (n["level"] - 2)) + (n["name_zh"] if t("zh", "en") == "zh" else n["name_en"]),
                         t("企业数", "enterprises"): n["enterprises"], t("平均置信度", "avg confidence"): n["avg_confidence"]})
    title = t(f"{tax.name_zh}：企业 {summary['enterprises']:,} 家，已归类 {summary['placed']:,} 家，未归类 {summary['unplaced']:,} 家，"
              f"归类记录 {summary['placements']:,} 条（{summary['seconds']} 秒）",
              f"{tax.name_en}: {count_en(summary['enterprises'], 'enterprise', sep=True)}, {summary['placed']:,} placed, "
              f"{summary['unplaced']:,} unplaced, {count_en(summary['placements'], 'placement', sep=True)} ({summary['seconds']} s)")
    if summary.get("checked_by_model"):
        title += t(f"；规则归类经训练模型复核（{summary['checked_by_model']['digest']}）",
                   f"; rule placements checked by the trained model ({summary['checked_by_model']['digest']})")
    why = {"evidence": ("归类依据的读取或存储格式已更新", "the evidence read or its stored form changed"),
           "settings": ("归类方法、分类文件或权重已变化", "the method, taxonomy or weights changed"),
           "model": ("训练模型已变化", "the trained model changed")}.get(summary.get("full_because") or "")
    if why:
        title += t(f"；全部重新归类：{why[0]}", f"; all reclassified: {why[1]}")
    if summary["mode"] == "incremental":
        title += t(f"；增量：重新归类 {summary['reclassified']:,} 家", f"; incremental: {summary['reclassified']:,} reclassified")
    emit(summary, fmt, rows=rows, title=title, note=note)


@app.command("evaluate-chain")
def evaluate_chain_cmd(
    split: str = typer.Option("dev", "--split", help="金标准划分 dev|test|all（规则只在 dev 上调整，test 只用于报告）"),
    data: Optional[str] = typer.Option(None, "--data", help="公开数据目录（默认 $ZHAOSHANG_SHARED_DATA，否则 ../shared/data）"),
    gold: Optional[str] = typer.Option(None, "--gold", help="金标准文件（默认 data/gold/chain_gold.csv）"),
    taxonomy: Optional[str] = typer.Option(None, "--taxonomy", help="产业链分类 YAML 文件"),
    rules_only: bool = typer.Option(False, "--rules-only", help="只用规则，不用训练模型复核（对比前后）"),
    labellers: Optional[str] = typer.Option(None, "--labellers", help="只用这些标注者标注的行，逗号分隔（一轮标注的行，如 L1,L3）"),
    fmt: Fmt = FORMAT_OPTION,
) -> None:
    """用人工标注的金标准衡量产业链归类：环节与节点的精确率/召回率/F1，工商注册样本的 AI 判定精确率。"""
    import os

    from ...services.chain.evaluate import evaluate_gold

    shared = data or os.environ.get("ZHAOSHANG_SHARED_DATA") or "../shared/data"
    from ...core.text import split_list

    who = set(split_list(labellers)) or None  # the one list reader: L1,L3 / L1，L3 / L1、L3
    res = evaluate_gold(shared, split, load_taxonomy(taxonomy), gold, use_model=not rules_only, labellers=who)
    if fmt == Fmt.json:
        emit(res, fmt)
        return
    rows = [{t("层级", "level"): t("环节", "stage"), t("单元", "unit"): t("合计", "micro"), **_prf_cols(res["stages"]["micro"])},
            {t("层级", "level"): t("节点", "node"), t("单元", "unit"): t("合计", "micro"), **_prf_cols(res["nodes"]["micro"])}]
    rows += [{t("层级", "level"): t("节点", "node"), t("单元", "unit"): code, **_prf_cols(v)}
             for code, v in res["nodes"]["per_unit"].items()]
    title = t(f"金标准 {split}：{res['rows']:,} 家（AI {res['labelled_ai']:,} 家）；工商注册样本 AI 判定精确率 {res['registration_ai_precision']}",
              f"gold {split}: {res['rows']:,} enterprises ({res['labelled_ai']:,} on the chain); registration AI precision "
              f"{res['registration_ai_precision']}")
    emit(res, fmt, rows=rows, title=title)


def _prf_cols(m: dict) -> dict:
    return {"P": m["precision"], "R": m["recall"], "F1": m["f1"], t("金标准", "gold"): m["gold"], t("预测", "predicted"): m["predicted"]}
