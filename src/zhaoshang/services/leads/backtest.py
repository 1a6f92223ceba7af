"""Do the leads as of a date open a branch or subsidiary in the region within the horizon?

Eligible: the candidates of the date (``mine.candidate_rows``: enterprises on a target segment with no
presence in the region then, of normal status). Outcome: a branch or subsidiary of the enterprise, located in
the region, dated in (as_of, as_of + horizon]. Reported: precision@k and recall@k (ties at the cut in the lead
list's stated order, ``mine.tie_key``, for the lead scores; by id for the baselines) and AUC for the lead score, beside the baselines (total funding raised by the date alone; random), with
the counts. docs/methods.md, "Leads backtest".
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

import numpy as np

from ...core.errors import UserError
from ...core.geo.lookup import LEVEL_NAMES, field_text, region_condition
from ..evaluation.backtest import at_k, auc, outcome_window, roc_points
from .mine import _segment_ranks, candidate_rows, load_config, tie_key
from .signals import PRESENCE_KINDS

KS = (10, 20, 50, 100)


def opened_in_region(store, info: dict, start: _dt.date, end: _dt.date) -> set[int]:
    """Enterprises that opened a branch or subsidiary located in the region in (start, end]."""
    cond, p = region_condition(info, "b")
    kinds = ", ".join("?" * len(PRESENCE_KINDS))
    rows = store.con.execute(
        f"SELECT DISTINCT parent_id FROM branches b WHERE parent_id IS NOT NULL AND kind IN ({kinds}) "
        f"AND date > ? AND date <= ? AND {cond}", [*PRESENCE_KINDS, start, end, *p]).fetchall()
    return {r[0] for r in rows}


# the location column an opening needs to be seen in a region of each level
_LEVEL_COLUMN = {"province": "province_code", "city": "city_code", "district": "district_code"}


def check_observable(store, info: dict) -> None:
    """Refuse a region whose level no dated opening is located at: in the demo every branch and subsidiary of 杭州市
    has its city but no district, so a district's outcome can never be seen — every figure would be an empty cell.
    Counted among the openings of the region's parent (a district's city, a city's province)."""
    col = _LEVEL_COLUMN.get(info.get("level"))
    if col is None:  # a macro-region: its members are provinces or cities
        return
    kinds = ", ".join("?" * len(PRESENCE_KINDS))
    parent = {"district": ("city_code", info.get("city_code")), "city": ("province_code", info.get("province_code"))}
    pcol, pcode = parent.get(info["level"], (None, None))
    within = f"AND {pcol} = ?" if pcol and pcode else ""
    n = store.con.execute(f"SELECT count(*) FROM branches WHERE kind IN ({kinds}) AND date IS NOT NULL "
                          f"AND {col} IS NOT NULL {within}",
                          [*PRESENCE_KINDS, *([pcode] if within else [])]).fetchone()[0]
    if n:
        return
    lvl, lvl_en = LEVEL_NAMES[info["level"]].zh, LEVEL_NAMES[info["level"]].en
    up = "上级地区" if not within else ("所在市" if info["level"] == "district" else "所在省")
    up_en = "its parent region" if not within else ("its city" if info["level"] == "district" else "its province")
    raise UserError(f"{field_text(store, info['code'])}：{up}带日期的分支机构或子公司记录都没有{lvl}代码，无法计量「期限内在本地新设机构」；"
                    f"请改在上一级地区回测",
                    f"{info.get('name_en') or info['name']} ({info['code']}): no dated branch or subsidiary of {up_en} has a {lvl_en} code, "
                    f"so an opening in this {lvl_en} cannot be observed; backtest the region above it instead")


def look_ahead_notes(d: _dt.date, weights: dict, compare: dict | None) -> list[tuple[str, str]]:
    """(zh, en) for each weights file learned with outcomes after ``d`` (its ``fitted.as_of`` later than ``d``:
    ``leads-fit`` reads outcomes up to the day before it): its figures are in-sample, not a test."""
    out = []
    for which, w in (("--weights", weights), ("--compare", compare)):
        fitted = str(((w or {}).get("fitted") or {}).get("as_of") or "")
        if fitted and d.isoformat() < fitted:
            out.append((f"样本内：{which} 的权重（{w.get('version')}）用截至 {fitted} 的结果学习，晚于截至日 {d}，"
                        f"学习时已见过本次回测期限内的结果，其数字不是检验（请用截至 {d} 学习的权重：leads-fit --as-of {d}）",
                        f"in-sample: the {which} weights ({w.get('version')}) were learned on outcomes up to {fitted}, "
                        f"after the as-of date {d}: they saw this backtest's outcomes, so their figures are no test "
                        f"(fit weights as of {d}: leads-fit --as-of {d})"))
    return out


def _metrics(scores: list[float], labels: list[bool], ids: list[int], ks) -> dict:
    a = auc(scores, labels)
    return {"auc": None if a is None else round(a, 4), "at_k": [at_k(scores, labels, ids, k) for k in ks],
            "roc": roc_points(scores, labels)}


def backtest_leads(store, region: str, *, as_of: Any = None, horizon: int = 365, ks: list[int] | None = None,
                   node: str | None = None, weights: str | Path | None = None, compare: str | Path | None = None,
                   seed: int = 0) -> dict:
    """The lead ranking's backtest at one date, beside the funding-only and random baselines; ``compare``: a
    second lead weights file (e.g. learned by ``leads-fit``) ranked on the same candidates, as ``lead_score_compare``."""
    ks = sorted(set(ks or KS))
    if any(k < 1 for k in ks):
        raise UserError("--k 必须为正整数", "--k must be a positive integer")
    d, end = outcome_window(store, as_of, horizon)
    kinds = ", ".join("?" * len(PRESENCE_KINDS))
    if not store.con.execute(f"SELECT count(*) FROM branches WHERE kind IN ({kinds}) AND date IS NOT NULL",
                             list(PRESENCE_KINDS)).fetchone()[0]:
        # without any dated opening the outcome cannot be observed: every figure would be a silent zero
        raise UserError("库中没有带日期的分支机构或子公司记录，无法计量「期限内在本地新设机构」：请先导入分支机构数据（import branches）",
                        "the database holds no dated branch or subsidiary: the outcome (an opening in the region) "
                        "cannot be observed; import branches first")
    hand, second = load_config(weights), (load_config(compare) if compare else None)
    c = candidate_rows(store, region, node=node, as_of=d, weights=weights)
    check_observable(store, c["info"])
    rows = c["rows"]
    if not rows:
        raise UserError(f"截至 {d} 没有候选企业（目标环节内、本地无机构）",
                        f"no candidate on {d} (on a target segment, not present in the region)")
    opened = opened_in_region(store, c["info"], d, end)
    ids = [r["enterprise_id"] for r in rows]
    y = [i in opened for i in ids]
    rng = np.random.default_rng(seed)
    models = {"lead_score": [float(r["score"]) for r in rows],
              "baseline_funding": [float(r["raised_total"] or 0) for r in rows],
              "baseline_random": list(rng.random(len(rows)))}
    if compare:
        other = {r["enterprise_id"]: float(r["score"])
                 for r in candidate_rows(store, region, node=node, as_of=d, weights=compare)["rows"]}
        models["lead_score_compare"] = [other.get(i, 0.0) for i in ids]
    ranks = _segment_ranks(c["targets"])
    ties = [tie_key(r, ranks) for r in rows]  # the order of equal scores the lead list shows
    out = {k: _metrics(v, y, ties if k.startswith("lead_score") else ids, ks) for k, v in models.items()}
    info = c["info"]
    notes = look_ahead_notes(d, hand, second)
    if not sum(y):
        notes.append((f"期限内（至 {end}）没有候选企业在本地新设分支机构或子公司：AUC 与召回率无从计算",
                      f"no candidate opened a branch or subsidiary in the region by {end}: AUC and recall cannot be computed"))
    return {"kind": "leads", "region": {k: info.get(k) for k in ("code", "name", "name_en", "level")}, "as_of": d,
            "horizon_days": horizon, "outcome_until": end, "chain": c["chain"], "node": c["node"],
            "target": "opened a branch or subsidiary in the region within the horizon",
            "population": {"rule": "截至日目标环节内、本地无注册地/分支机构/子公司、状态正常的企业 / enterprises on a target "
                                   "segment with no presence in the region on the date, of normal status",
                           "eligible": len(rows), "positives": sum(y),
                           "base_rate": round(sum(y) / len(rows), 4),
                           "opened_in_region_all": len(opened),
                           "target_segments": [s["code"] for s in c["targets"]["segments"]]},
            "models": out, "versions": {"lead_score": c["cfg"].get("version"),
                                        **({"lead_score_compare": second.get("version")} if compare else {})},
            "notes": [n[0] for n in notes], "notes_en": [n[1] for n in notes],
            "beats_baseline": {f"p@{a['k']}": a["precision"] > b["precision"]
                               for a, b in zip(out["lead_score"]["at_k"], out["baseline_funding"]["at_k"])},
            "synthetic": bool(store.synthetic)}
