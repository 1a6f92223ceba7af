"""Commands ``analyze-news`` (one news item: linked enterprises, event type, sentiment towards each) and
``evaluate-news`` (the text analysis measured on the real labelled sets against its baselines)."""

from __future__ import annotations

import os
from typing import Optional

import typer

from ...core.errors import UserError

from ...services.monitoring.nlp import MentionLinker, analyze_item
from ...services.monitoring.nlp.evaluate import TASKS, evaluate_all
from .. import labels
from .app import FORMAT_OPTION, Fmt, app, emit, open_store, synthetic_note, t


@app.command("analyze-news")
def analyze_news_cmd(
    title: str = typer.Argument(..., help="新闻标题（或一段文本）"),
    body: str = typer.Option("", "--body", help="新闻正文"),
    fmt: Fmt = FORMAT_OPTION,
) -> None:
    """分析一条新闻：识别并关联库中企业（有歧义的列出候选）、事件类型、对每家关联企业的情感倾向。"""
    if not (title or "").strip() and not (body or "").strip():  # nothing to read: no type, no sentiment to give
        raise UserError("请给出新闻标题或正文", "give the news item's title or body")
    with open_store(read_only=True) as store:
        linker = MentionLinker.from_store(store)
        note = synthetic_note(store)
        res = analyze_item(linker, title, body)
        ids = [m["enterprise_id"] for m in res["mentions"]]
        names = dict(store.con.execute("SELECT id, name FROM enterprises WHERE id IN (SELECT unnest(?))", [ids]).fetchall()
                     ) if ids else {}
    if fmt == Fmt.json:
        emit(res, fmt)
        return
    # the table: each linked enterprise by its name beside its id, the headers and words in the CLI's language
    table = fmt == Fmt.table  # CSV keeps the stored codes (title, neutral …)
    where = {"title": t("标题", "title"), "body": t("正文", "body")} if table else {}
    leaning = {"positive": t("正面", "positive"), "negative": t("负面", "negative"), "neutral": t("中性", "neutral")} if table else {}
    rows = [{"enterprise_id": m["enterprise_id"], "enterprise_name": names.get(m["enterprise_id"], ""),
             "mention": m["mention"], "field": where.get(m["field"], m["field"]), "method": m["method"],
             "confidence": m["confidence"], "sentiment": m["sentiment"],
             "sentiment_label": leaning.get(m["sentiment_label"], m["sentiment_label"])} for m in res["mentions"]]
    rows += [{"enterprise_id": None, "enterprise_name": t("有歧义：", "ambiguous: ") + ", ".join(str(c) for c in m["candidates"]),
              "mention": m["mention"], "field": where.get(m["field"], m["field"]), "method": m["method"]}
             for m in res["ambiguous"]]
    headers = {"mention": ("提及", "Mention"), "field": ("位置", "Where"), "method": ("方法", "Method"),
               "sentiment_label": ("倾向", "Leaning")}
    label = labels.label("news_event", res["event_type"], t("zh", "en"))
    also = [(labels.label("news_event", a["type"], t("zh", "en")), a["confidence"]) for a in res["other_types"]]
    title_line = t(f"事件类型：{label}（置信度 {res['event_confidence']}）"
                   + "".join(f"；另：{lab}（置信度 {c}）" for lab, c in also),
                   f"event type: {label} (confidence {res['event_confidence']})"
                   + "".join(f"; also: {lab} (confidence {c})" for lab, c in also))
    emit(res, fmt, rows=rows, title=title_line, note=note, headers=headers,
         columns=["enterprise_id", "enterprise_name", "mention", "field", "method", "confidence", "sentiment",
                  "sentiment_label"])


@app.command("evaluate-news")
def evaluate_news_cmd(
    split: str = typer.Option("dev", "--split", help="dev（开发用划分）或 test（报告用划分，不在其上调参）"),
    task: list[str] = typer.Option(list(TASKS), "--task", help=f"评测任务，可重复：{' | '.join(TASKS)}"),
    data: Optional[str] = typer.Option(None, "--data", help="公开数据目录（默认 $ZHAOSHANG_SHARED_DATA，否则 ../shared/data）"),
    limit: Optional[int] = typer.Option(None, "--limit", help="每个数据集只取前 N 行（快速检查）"),
    fmt: Fmt = FORMAT_OPTION,
) -> None:
    """在真实标注数据上衡量新闻文本分析（企业提及识别、事件主体、事件类型、情感），并与基线对比。"""
    res = evaluate_all(_shared(data), split, tuple(task), limit)
    if fmt == Fmt.json:
        emit(res, fmt)
        return
    rows = []
    for key, r in res.items():
        if not isinstance(r, dict):
            continue
        for who in ("method", "detected", "rules_only", "lexicon_only", "baseline"):
            if who in r:
                m = r[who]
                figs = (f"P {m['precision']}  R {m['recall']}  F1 {m['f1']}" if "f1" in m
                        else f"acc {m['accuracy']}  macro-F1 {m['macro_f1']}" if "macro_f1" in m
                        else f"acc {m['accuracy']}")
                rows.append({t("评测", "measure"): key, t("数据集", "set"): f"{r['set']} {r['split']}",
                             t("方法", "method"): who, t("指标", "figures"): figs, "n": m.get("gold", m.get("n"))})
    emit(res, fmt, rows=rows, title=t(f"新闻文本分析评测（{split}）", f"news text analysis evaluation ({split})"))


@app.command("train-event-model")
def train_event_model_cmd(
    data: Optional[str] = typer.Option(None, "--data", help="公开数据目录（默认 $ZHAOSHANG_SHARED_DATA，否则 ../shared/data）"),
    out: str = typer.Option(..., "--out", "-o", help="模型输出文件（JSON）；内置模型位于 zhaoshang/data/nlp/event_model.json"),
    fmt: Fmt = FORMAT_OPTION,
) -> None:
    """用 FinESE 训练集（风险类型映射后）与人工标注事件集的开发部分重新训练事件类型模型（需要 scikit-learn）。"""
    from ...services.monitoring.nlp.train import train_event_model

    _emit_model(train_event_model(_shared(data), out), out, fmt)


@app.command("train-sentiment-model")
def train_sentiment_model_cmd(
    data: Optional[str] = typer.Option(None, "--data", help="公开数据目录（默认 $ZHAOSHANG_SHARED_DATA，否则 ../shared/data）"),
    out: str = typer.Option(..., "--out", "-o", help="模型输出文件（JSON）；内置模型位于 zhaoshang/data/nlp/target_negative_model.json"),
    fmt: Fmt = FORMAT_OPTION,
) -> None:
    """用 FinNSP 训练集重新训练“针对目标企业的负面新闻”模型（需要 scikit-learn）。"""
    from ...services.monitoring.nlp.train import train_sentiment_model

    _emit_model(train_sentiment_model(_shared(data), out), out, fmt)


def _shared(data: Optional[str]) -> str:
    return data or os.environ.get("ZHAOSHANG_SHARED_DATA") or "../shared/data"


def _emit_model(model, out: str, fmt: Fmt) -> None:
    doc = {"out": out, "classes": model.classes, "features": len(model.vocab), **model.meta}
    emit(doc, fmt, rows=[{k: v for k, v in doc.items() if k != "classes"}],
         title=t(f"模型已写入 {out}", f"model written to {out}"))
