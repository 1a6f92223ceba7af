"""Command ``classify``: place every enterprise on the chain taxonomy's nodes (method rules-v1)."""

from __future__ import annotations

from typing import Optional

import typer

from ...services.chain.classify import classify
from ...services.chain.taxonomy import load_taxonomy
from .app import FORMAT_OPTION, Fmt, app, emit, open_store, progress, synthetic_note, t


@app.command("classify")
def classify_cmd(
    taxonomy: Optional[str] = typer.Option(None, "--taxonomy", help="产业链分类 YAML 文件（默认 $ZHAOSHANG_TAXONOMY，否则内置 AI 产业链）"),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="截至日期 YYYY-MM-DD：只分类当时存续的企业、当时已申请的专利"),
    fmt: Fmt = FORMAT_OPTION,
) -> None:
    """把企业归入产业链节点（多标签，带置信度与证据），替换该产业链原有的归类结果。"""
    tax = load_taxonomy(taxonomy)
    store = open_store()
    try:
        with progress(t("产业链归类", "classifying")) as advance:
            summary = classify(store, tax, as_of=as_of, on_progress=advance)
        note = synthetic_note(store)
    finally:
        store.close()
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
    title = t(f"{tax.name_zh}：企业 {summary['enterprises']} 家，已归类 {summary['placed']} 家，未归类 {summary['unplaced']} 家，"
              f"归类记录 {summary['placements']} 条（{summary['seconds']} 秒）",
              f"{tax.name_en}: {summary['enterprises']} enterprises, {summary['placed']} placed, {summary['unplaced']} unplaced, "
              f"{summary['placements']} placements ({summary['seconds']} s)")
    emit(summary, fmt, rows=rows, title=title, note=note)
