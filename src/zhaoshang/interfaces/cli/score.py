"""Commands ``score`` (企业评估: one enterprise, ``all`` in one batch, ``fit`` learned weights) and
``backtest score`` (does the score rank the enterprises that raise again first?)."""

from __future__ import annotations

import sys
from typing import Optional

import typer

from ...core.errors import UserError, count_en, noun_en
from ...core.memory import capped
from ...core.numbers import quantity_text
from ...services.evaluation.scorecard import score_all, score_enterprise
from ..labels import SCORECARD_COLUMNS, evidence_text, not_covered_text
from .app import FORMAT_OPTION, Fmt, app, date_option, emit, open_store, open_team, state, synthetic_note, t, update_store

backtest_app = typer.Typer(help="回测：评分在历史数据上的排序效果", no_args_is_help=True)
app.add_typer(backtest_app, name="backtest")

def _read(fn, *args, **kw):
    """Run one service function on the read-only store, under the batch memory cap (core/memory.py): (its result,
    the synthetic-data note)."""
    store = open_store(read_only=True)
    try:
        with capped(store.con):
            return fn(store, *args, **kw), synthetic_note(store)
    finally:
        store.close()


def say_saved(doc: dict) -> None:
    """One line on stderr naming the backtest run ``--save`` stored (shown on the methods page), in every format."""
    label = doc.get("label") or t("（无名称）", "(no label)")
    sys.stderr.write(t(f"已保存回测：{label}（截至 {doc['as_of']}，{doc['horizon_days']} 天）；见 /methods\n",
                       f"saved the backtest: {label} (as of {doc['as_of']}, {doc['horizon_days']} days); see /methods\n"))


def at_k_rows(models: dict, fmt: Fmt) -> list[dict]:
    """A backtest's models as table rows: AUC, then precision and recall at each k; a table names each model in
    words (线索得分, 仅融资总额), CSV keeps its code (lead_score, baseline_funding)."""
    from ..labels import label

    rows = []
    for name, m in models.items():
        r = {"model": label("backtest_model", name, state.lang) if fmt == Fmt.table else name, "auc": m.get("auc")}
        for a in m["at_k"]:
            r[f"p@{a['k']}"] = a["precision"]
            r[f"r@{a['k']}"] = a["recall"]
        rows.append(r)
    return rows


WEIGHTS_OPTION = typer.Option(None, "--weights", help="权重文件 YAML（默认内置 data/score_weights.yaml；可用 score fit 生成）")


def scored_title(doc: dict) -> str:
    """What ``score all`` did, its counts from 1,000 up grouped and in English singular or plural (docs/cli.md)."""
    ins = doc["insufficient"]
    return t(f"已评分 {doc['scored']:,} 家企业（截至 {doc['as_of']}），存入 scores 表"
             + (f"；其中 {ins:,} 家数据不足、无总分（排在已评分企业之后，平均总分不计）" if ins else ""),
             f"scored {count_en(doc['scored'], 'enterprise', sep=True)} (as of {doc['as_of']}) into the scores table"
             + (f"; {ins:,} with insufficient data {noun_en(ins, 'has', 'have')} no total (sorted last, left out of "
                "the mean)" if ins else ""))


@app.command("score")
def score_cmd(
    enterprise: str = typer.Argument(..., help="企业（编号、统一社会信用代码、名称或简称）；all = 全部企业批量评分并入库；"
                                               "fit = 在截至日前的数据上学习权重"),
    as_of: Optional[str] = date_option(),
    weights: Optional[str] = WEIGHTS_OPTION,
    target: str = typer.Option("next-round", "--target", help="fit 的学习目标（next-round：期限内完成下一轮融资）"),
    horizon: int = typer.Option(365, "--horizon", help="fit 的期限（天）"),
    output: Optional[str] = typer.Option(None, "--output", "-o", help="fit 写出的权重文件（默认 score_weights_<版本>.yaml）"),
    fmt: Fmt = FORMAT_OPTION,
) -> None:
    """企业评估：创新、资本、成长、影响力与舆情、团队、风险六个维度（同产业链环节、同年龄段内的百分位），每个信号的贡献、置信度与缺失项。"""
    if enterprise == "all":
        with update_store() as store:
            doc = score_all(store, as_of=as_of, weights=weights, lang=state.lang)
            note = "\n".join(x for x in [synthetic_note(store)] + [n["note"] for n in doc["date_notes"]] if x)
        emit(doc, fmt, rows=[{k: doc[k] for k in ("as_of", "scored", "insufficient", "mean_total", "mean_confidence",
                                                  "version")}], title=scored_title(doc), note=note)
        return
    if enterprise == "fit":
        if target != "next-round":
            raise UserError(f"未知的学习目标: {target}（可选: next-round）", f"unknown target: {target} (choose next-round)")
        from ...services.evaluation.fit import fit_weights, write_weights  # numpy loads for fitting only

        w, _ = _read(fit_weights, as_of=as_of, horizon=horizon, base=weights)
        path = write_weights(w, output or f"score_weights_{w['version']}.yaml")
        doc = {"path": str(path), **w}
        emit(doc, fmt, rows=[{"dimension": k, "weight": v["weight"]} for k, v in w["dimensions"].items()],
             title=t(f"学习到的权重（{w['version']}，训练 {w['fitted']['rows']:,} 行）已写入 {path}",
                     f"learned weights ({w['version']}, {count_en(w['fitted']['rows'], 'training row')}) written to {path}"))
        return
    doc, note = _read(score_enterprise, enterprise, as_of=as_of, weights=weights, lang=state.lang, team=open_team())
    if fmt == Fmt.json:
        emit(doc, fmt)
        return
    # a dimension's share of the total and a signal's weight in its dimension are columns of their own, each
    # headed by what it is, as the web scorecard heads them (labels.SCORECARD_COLUMNS); a table prints each number
    # as the card on the pages does (core.numbers.quantity_text: one rule per quantity), a CSV the number itself
    q = (lambda v, kind: v) if fmt != Fmt.table else (lambda v, kind: "" if v is None or v == "" else quantity_text(v, kind))
    rows = []
    for key, dim in doc["dimensions"].items():
        later = any(c["detail"].get("after_as_of") for c in dim["contributions"])  # its facts dated after the as-of only
        rows.append({"dimension": dim["label"], "score": (t("晚于截至日期", "after the as-of date") if later else t("缺数据", "no data"))
                     if dim["absent"] else q(dim["score"], "score"),
                     "share": q(dim["share"], "weight") if dim["share"] is not None else "", "weight": "", "signal": "", "raw": "",
                     "percentile": "", "contribution": "", "total_contribution": "", "evidence": ""})
        for c in dim["contributions"]:
            # a CSV row stands alone (sorted, filtered, pivoted): each signal names its dimension; the table groups
            # a dimension's signals under its row
            rows.append({"dimension": dim["label"] if fmt == Fmt.csv else "", "score": "", "share": "",
                         "weight": q(c["weight"], "weight"), "signal": c["label"],
                         "raw": (not_covered_text(c["detail"], state.lang, short=True)
                                 if c["detail"].get("not_covered") else t("晚于截至日期", "after the as-of date")
                                 if c["detail"].get("after_as_of") else t("缺失", "missing") if c["detail"]["missing"]
                                 else _raw_cell(c, fmt)),
                         "percentile": q(c["normalised"], "percentile"), "contribution": q(c["contribution"], "points"),
                         "total_contribution": q(c["detail"].get("total_contribution", ""), "points"),
                         # the rows the signal was computed from (an export's column; the table leaves it out)
                         "evidence": evidence_text(c, state.lang, limit=None)})
    tier = doc["tier"][state.lang] if doc["tier"] else "—"
    no_data = [doc["dimensions"][k]["label"] for k in (doc.get("total_basis") or {}).get("no_data") or []]
    if doc.get("insufficient"):  # no total: the note says why; the dimensions left out are not repeated
        no_data = []
    emit(doc, fmt, rows=rows, columns=["dimension", "score", "share", "signal", "raw", "percentile", "weight", "contribution",
                                       "total_contribution"] + (["evidence"] if fmt == Fmt.csv else []),
         headers=SCORECARD_COLUMNS,
         title=t(f"{doc['name']}：总分 {'数据不足' if doc.get('insufficient') else doc['total']}"
                 + (f"（缺数据、不计入：{'、'.join(no_data)}）" if no_data else "") + f"，置信度 {doc['confidence']}（截至 {doc['as_of']}，{doc['version']}，"
                 f"对照组：{doc['cohort']['label']}，再融资可能性 {tier}）",
                 f"{doc['name']}: total {'insufficient data' if doc.get('insufficient') else doc['total']}"
                 + (f" (no data, left out: {', '.join(no_data)})" if no_data else "") + f", confidence {doc['confidence']} (as of {doc['as_of']}, "
                 f"{doc['version']}, cohort: {doc['cohort']['label']}, next round: {tier})"),
         note=_coverage_note(doc, note))


def _raw_cell(c: dict, fmt: Fmt):
    """A signal's raw value in the table, as the card on the pages prints it (``raw_text``: total raised 203,762.2,
    a stage with its round, 6（E轮）): total raised holding range estimates says so with the estimated part
    (203,762.2（含估算 24,828.2）), as trends and the region report say their sums; investor quality names its investor
    (0.799（红杉资本中国）; its record is in the JSON and the CSV's evidence column). CSV keeps the number."""
    if fmt != Fmt.table:
        return c["raw"]
    raw = c["detail"].get("raw_text") or c["raw"]
    est = (c["detail"].get("amounts") or {}).get("estimated_wan")
    if est:
        est = quantity_text(est, "amount_wan")
        return t(f"{raw}（含估算 {est}）", f"{raw} (estimates incl. {est})")
    inv = c["detail"].get("investor")
    if inv:
        return t(f"{raw}（{inv['name']}）", f"{raw} ({inv['name']})")
    return raw


def _coverage_note(doc: dict, note: str | None) -> str | None:
    """The scorecard's note: the dimensions with no data, left out of the total; no funding source covers the
    enterprise (its funding signals unknown, not 0)."""
    for extra in [(doc.get("total_basis") or {}).get("note")] + [n["note"] for n in doc.get("date_notes") or []]:
        if extra:
            note = f"{note}\n{extra}" if note else extra
    for key, zh, en in (("funding_coverage", "融资", "funding"), ("patent_coverage", "专利", "patent")):
        if doc.get(key) == "not_covered":
            cov = t(f"导入的{zh}来源均未覆盖该企业：{zh}信号未知（未覆盖），不按 0 计，只降低置信度",
                    f"No imported {en} source lists this enterprise: its {en} signals are unknown (not covered), "
                    "not 0 — they lower the confidence only")
            note = f"{note}\n{cov}" if note else cov
    return note


@backtest_app.command("score")
def backtest_score_cmd(
    as_of: Optional[str] = date_option(),
    horizon: int = typer.Option(365, "--horizon", help="期限（天）：截至日后多少天内完成下一轮融资算作命中"),
    chain: Optional[str] = typer.Option(None, "--chain", "--node", help="只看该产业链节点（含下级）的企业"),
    weights: Optional[str] = WEIGHTS_OPTION,
    label: Optional[str] = typer.Option(None, "--label", help="这次回测的名称（如数据集名），显示在方法与回测页"),
    save: bool = typer.Option(False, "--save", help="把结果存入数据库（backtests 表），供方法与回测页（/methods）显示"),
    fmt: Fmt = FORMAT_OPTION,
) -> None:
    """评分回测：截至日的评分能否把期限内完成下一轮融资的企业排在前面（AUC、precision@k、recall@k、校准表），与基线（仅融资总额、仅距上轮月数、仅成立年份、随机）并列。"""
    from ...services.evaluation.backtest import backtest_score  # numpy loads for the backtest only
    from ...services.evaluation.runs import save_backtest

    if save:
        with update_store() as store:
            doc = save_backtest(store, backtest_score(store, as_of=as_of, horizon=horizon, node=chain, weights=weights),
                                label)
            note = synthetic_note(store)
        say_saved(doc)
    else:
        doc, note = _read(backtest_score, as_of=as_of, horizon=horizon, node=chain, weights=weights)
        doc["label"] = label
    if fmt == Fmt.json:
        emit(doc, fmt)
        return
    rows = at_k_rows({**doc["models"], **doc["baselines"]}, fmt)
    pop = doc["population"]
    emit(doc, fmt, rows=rows, title=t(
        f"评分回测（截至 {doc['as_of']}，{doc['horizon_days']} 天）：{pop['eligible']:,} 家符合条件，{pop['positives']:,} 家完成下一轮",
        f"score backtest (as of {doc['as_of']}, {doc['horizon_days']} days): {pop['eligible']:,} eligible, "
        f"{pop['positives']:,} raised again"), note=note)
