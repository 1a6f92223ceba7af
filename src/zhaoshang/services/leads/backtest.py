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
from ...core.geo.lookup import region_condition
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
    c = candidate_rows(store, region, node=node, as_of=d, weights=weights)
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
    return {"kind": "leads", "region": {k: info.get(k) for k in ("code", "name", "name_en", "level")}, "as_of": d,
            "horizon_days": horizon, "outcome_until": end, "chain": c["chain"], "node": node,
            "target": "opened a branch or subsidiary in the region within the horizon",
            "population": {"rule": "截至日目标环节内、本地无注册地/分支机构/子公司、状态正常的企业 / enterprises on a target "
                                   "segment with no presence in the region on the date, of normal status",
                           "eligible": len(rows), "positives": sum(y),
                           "base_rate": round(sum(y) / len(rows), 4),
                           "opened_in_region_all": len(opened),
                           "target_segments": [s["code"] for s in c["targets"]["segments"]]},
            "models": out, "versions": {"lead_score": c["cfg"].get("version"),
                                        **({"lead_score_compare": load_config(compare).get("version")} if compare else {})},
            "beats_baseline": {f"p@{a['k']}": a["precision"] > b["precision"]
                               for a, b in zip(out["lead_score"]["at_k"], out["baseline_funding"]["at_k"])},
            "synthetic": bool(store.synthetic)}
