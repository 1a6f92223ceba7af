"""Does the score as of a date rank the enterprises that raise their next round within the horizon first?

Eligible: enterprises existing at the date with at least one round on or before it, not listed or acquired
by then (no IPO / M&A round) and not known closed or deregistered then. Outcome: a funding dated in
(as_of, as_of + horizon]. Reported for the hand weights, the weights learned on data strictly before the date
(``fit``), and the baselines (total raised alone; months since the latest round alone; founding year alone;
random): AUC (Mann–Whitney, ties counted ½), precision@k and recall@k (ties at the cut broken by id), and a
calibration table by tier. The learned weights are the backtest's method (``method``); the hand weights stand
beside them — and they, not the learned ones, are what the scorecard (``score_enterprise``, the profile, the
library's stored batch) scores with. docs/methods.md, "Backtest".
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

import numpy as np

from ...core.asof import latest_data_date, reference_date
from ...core.errors import UserError
from ..regions.matrix import default_chain
from .eligible import cohorts_once, eligible_rows
from .fit import METHOD, fit_weights, platt, training_rows
from .scorecard import TIERS, calibrated, load_weights

KS = (10, 20, 50, 100)


def auc(scores, labels) -> float | None:
    """Probability that a random positive outranks a random negative (ties ½); None without both classes."""
    s = np.asarray(scores, dtype=float)
    y = np.asarray(labels, dtype=bool)
    pos, neg = s[y], s[~y]
    if not len(pos) or not len(neg):
        return None
    order = np.sort(neg)
    less = np.searchsorted(order, pos, side="left")
    leq = np.searchsorted(order, pos, side="right")
    return float((less + 0.5 * (leq - less)).sum() / (len(pos) * len(neg)))


def at_k(scores, labels, ids, k: int) -> dict:
    """Precision and recall of the top k (score descending, then id ascending)."""
    order = sorted(range(len(ids)), key=lambda i: (-scores[i], ids[i]))[:k]
    hits = int(sum(labels[i] for i in order))
    pos = int(sum(labels))
    return {"k": k, "hits": hits, "precision": round(hits / k, 4) if k else None,
            "recall": round(hits / pos, 4) if pos else None}


def calibration_table(probs, labels) -> list[dict]:
    """By tier of the calibrated probability: count, mean predicted and observed share."""
    out = []
    for (lo, zh, en), hi in zip(TIERS, (1.0, 0.6, 0.4, 0.2)):
        idx = [i for i, p in enumerate(probs) if p is not None and lo <= p and (p < hi or hi == 1.0)]
        out.append({"tier": zh, "tier_en": en, "range": [lo, hi], "n": len(idx),
                    "mean_predicted": round(float(np.mean([probs[i] for i in idx])), 4) if idx else None,
                    "observed": round(float(np.mean([labels[i] for i in idx])), 4) if idx else None})
    return out


def roc_points(scores, labels, max_points: int = 101) -> list[list[float]]:
    """The ROC curve as [false-positive rate, true-positive rate] points, one per distinct score threshold
    (highest first; thinned to at most ``max_points``, ends kept); empty without both classes."""
    s = np.asarray(scores, dtype=float)
    y = np.asarray(labels, dtype=bool)
    pos, neg = int(y.sum()), int((~y).sum())
    if not pos or not neg:
        return []
    order = np.argsort(-s, kind="mergesort")
    s, y = s[order], y[order]
    last = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]  # the last row of each distinct score
    tp, fp = np.cumsum(y)[last], np.cumsum(~y)[last]
    pts = [[0.0, 0.0]] + [[round(f / neg, 4), round(t / pos, 4)] for f, t in zip(fp, tp)]
    if len(pts) > max_points:
        keep = np.unique(np.linspace(0, len(pts) - 1, max_points).round().astype(int))
        pts = [pts[i] for i in keep]
    return pts


def _metrics(scores: list[float], labels: list[bool], ids: list[int], probs: list[float] | None = None) -> dict:
    out = {"auc": None if (a := auc(scores, labels)) is None else round(a, 4),
           "at_k": [at_k(scores, labels, ids, k) for k in KS if k <= len(ids)],
           "roc": roc_points(scores, labels)}
    if probs is not None:
        out["calibration"] = calibration_table(probs, labels)
    return out


def outcome_window(store, as_of: Any, horizon: int) -> tuple[_dt.date, _dt.date]:
    """(as-of date, end of the horizon), refused when the horizon is not positive or ends after the latest data
    date (outcomes not yet known). Shared by every backtest."""
    if horizon <= 0:
        raise UserError("--horizon 必须为正的天数", "--horizon must be a positive number of days")
    d = reference_date(store, as_of)
    last = latest_data_date(store)
    end = d + _dt.timedelta(days=horizon)
    if last is None or end > last:
        raise UserError(f"截至 {d} 加 {horizon} 天（{end}）晚于库中最新数据日期 {last}：结果尚不可知",
                        f"{d} + {horizon} days ({end}) is after the latest data date {last}: outcomes not yet known")
    return d, end


def backtest_score(store, *, as_of: Any = None, horizon: int = 365, chain: str | None = None, node: str | None = None,
                   weights: str | Path | None = None, seed: int = 0) -> dict:
    """The score's backtest at one date, beside the learned weights and the baselines."""
    d, end = outcome_window(store, as_of, horizon)
    hand = load_weights(weights)
    with cohorts_once(store) as once:  # each date's cohort rows read once, for the hand and the learned weights
        return _backtest(store, d, end, horizon, hand, chain, node, seed, once)


def _backtest(store, d: _dt.date, end: _dt.date, horizon: int, hand: dict, chain: str | None, node: str | None,
              seed: int, once: dict) -> dict:
    rows = eligible_rows(store, d, horizon, hand, chain=chain, node=node, cohorts=once)
    if not rows:
        raise UserError(f"截至 {d} 没有符合条件的企业（至少一轮融资且仍在经营）",
                        f"no eligible enterprise on {d} (at least one round and still operating)")
    ids = [r["enterprise_id"] for r in rows]
    y = [bool(r["label"]) for r in rows]
    # the hand score's probabilities: a logistic curve of the total fitted strictly before d
    train = training_rows(store, d, horizon, hand, chain=chain, node=node, cohorts=once)
    hand_cal = platt([r["total"] for r in train], [r["label"] for r in train]) if train else None
    try:
        learned = fit_weights(store, as_of=d, horizon=horizon, base=hand, chain=chain, node=node, rows=train,
                               cohorts=once)
    except UserError as exc:  # too little history before d: the hand weights stand alone
        learned, skipped = None, str(exc)
    hand_s = [r["total"] or 0.0 for r in rows]
    if learned:
        lmap = {r["enterprise_id"]: r["total"] for r in eligible_rows(store, d, horizon, learned, chain=chain, node=node,
                                                                   cohorts=once)}
        learn_s = [lmap.get(i) or 0.0 for i in ids]
    rng = np.random.default_rng(seed)
    baselines = {
        "total_raised": [r["total_raised"] or 0.0 for r in rows],
        "months_since_round": [-(r["months_since_round"] if r["months_since_round"] is not None else 1e9) for r in rows],
        "founding_year": [float(r["founded_year"]) if r["founded_year"] is not None else 0.0 for r in rows],
        "random": list(rng.random(len(rows))),
    }
    models = {
        "score_hand": {**_metrics(hand_s, y, ids, [calibrated(s, hand_cal) for s in hand_s] if hand_cal else None),
                       "version": hand["version"]},
    }
    if learned:
        models["score_learned"] = {**_metrics(learn_s, y, ids, [calibrated(s, learned["calibration"]) for s in learn_s]),
                                   "version": learned["version"],
                                   "weights": {k: v["weight"] for k, v in learned["dimensions"].items()}}
    else:
        models["score_learned"] = {"auc": None, "at_k": [], "roc": [], "skipped": skipped}
    base = {k: _metrics(v, y, ids) for k, v in baselines.items()}
    best = max((b["auc"] or 0) for b in base.values())
    return {"as_of": d, "horizon_days": horizon, "outcome_until": end, "chain": chain or default_chain(store),
            "node": node, "target": "next-round",
            # the backtest's method: weights learned strictly before the date (docs/methods.md, "Revision learned-4");
            # the scorecard itself scores with the hand weights (score_hand)
            "method": {"model": "score_learned", "name": METHOD},
            "population": {"rule": "至少一轮融资（截至日）、未上市/未被并购、未知关闭或注销 / ≥1 round by the date, "
                                   "not listed or acquired, not known closed",
                           "eligible": len(rows), "positives": sum(y), "base_rate": round(sum(y) / len(rows), 4),
                           "training_rows": len(train), "training_positives": sum(bool(r["label"]) for r in train)},
            "models": models, "baselines": base,
            "beats_every_baseline": {k: (m["auc"] or 0) > best for k, m in models.items()}}
