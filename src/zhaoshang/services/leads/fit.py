"""Learned lead weights: a regularised logistic regression on the lead signals, fitted strictly before a date.

Same recipe as the scorecard's learned weights (``evaluation.fit``: L2, C, windows, clipping at zero): the
candidates of each given region at D − k·h (k = 1 … WINDOWS) with the outcome "opened a branch or subsidiary
in the region" counted in (D − k·h, min(D − (k−1)·h, D − 1 day)], so nothing on or after D is read. The
features are the signals' normalised values n (0…1, absent = 0); the coefficients, clipped at zero, become the
signal weights of a lead weights file (``data/leads.yaml`` shape), scaled so that they sum to 1 − the
reachability weight, which is kept (reachability is measured for the top leads only, not in the fit). The
score stays 100 × Σ w·n / Σ w − risk penalty, i.e. a monotone map of the fitted logit (docs/methods.md).
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

import numpy as np

from ...core.asof import reference_date
from ...core.errors import UserError, count_en
from ..evaluation.fit import C, WINDOWS, model_info, write_weights
from .backtest import opened_in_region
from .mine import candidate_rows, load_config

MIN_ROWS = 10
FITTED = ("funding", "branches", "patents", "expansion_news", "segment_fit", "demands", "local_ties")


def training_rows(store, regions: list[str], d: _dt.date, horizon: int, weights=None, node=None):
    """(feature matrix, labels, windows used): every region's candidates at D − k·h, outcomes before D."""
    x, y, used = [], [], []
    for k in range(1, WINDOWS + 1):
        t0 = d - _dt.timedelta(days=k * horizon)
        end = min(t0 + _dt.timedelta(days=horizon), d - _dt.timedelta(days=1))
        for region in regions:
            try:
                c = candidate_rows(store, region, node=node, as_of=t0, weights=weights)
            except UserError:
                continue  # a date before the data begins: no window there
            if not c["rows"]:
                continue
            opened = opened_in_region(store, c["info"], t0, end)
            x += [[float(r.get(f"n_{s}") or 0.0) for s in FITTED] for r in c["rows"]]
            y += [r["enterprise_id"] in opened for r in c["rows"]]
            used.append({"region": c["info"]["code"], "as_of": t0.isoformat(), "until": end.isoformat(),
                         "rows": len(c["rows"]), "positives": int(sum(r["enterprise_id"] in opened for r in c["rows"]))})
    return np.asarray(x, dtype=float).reshape(-1, len(FITTED)), np.asarray(y, dtype=int), used


def fit_lead_weights(store, regions: list[str], *, as_of: Any = None, horizon: int = 730,
                     weights: str | Path | None = None, node: str | None = None) -> dict:
    """Lead weights learned on data strictly before ``as_of`` (a dict in the lead weights file's shape)."""
    from sklearn.linear_model import LogisticRegression

    if not regions:
        raise UserError("请至少指定一个地区", "give at least one region")
    if horizon <= 0:
        raise UserError("--horizon 必须为正的天数", "--horizon must be a positive number of days")
    d = reference_date(store, as_of)
    base = load_config(weights)
    x, y, used = training_rows(store, regions, d, horizon, weights, node)
    if len(y) < MIN_ROWS or len(set(y.tolist())) < 2:
        raise UserError(f"{d} 之前的训练数据不足（{len(y)} 行，{int(y.sum())} 家在本地新设机构）",
                        f"too little training data before {d} ({count_en(len(y), 'row')}, {count_en(int(y.sum()), 'positive')})")
    m = LogisticRegression(C=C, max_iter=2000).fit(x, y)
    coef = np.clip(m.coef_[0], 0, None)
    if coef.sum() <= 0:
        raise UserError("学习到的权重全为零：信号与结果无正相关", "the learned weights are all zero")
    keep = float((base["signals"].get("reachability") or {}).get("weight", 0.0))
    scale = (1.0 - keep) / coef.sum() if keep < 1 else 1.0 / coef.sum()
    learned = {"version": f"leads-learned-{d.isoformat()}-h{horizon}",
               **{k: v for k, v in base.items() if k not in ("signals", "version", "fitted")}}
    learned["signals"] = {s: {**v, "weight": round(float(coef[FITTED.index(s)] * scale), 6) if s in FITTED else v["weight"]}
                          for s, v in base["signals"].items()}
    learned["fitted"] = {"target": "opened a branch or subsidiary in the region", "as_of": d.isoformat(),
                         "horizon_days": horizon, "regions": list(regions), "windows": used,
                         "rows": int(len(y)), "positives": int(y.sum()), "base": base.get("version"),
                         **model_info(m, FITTED)}
    return learned


def write_lead_weights(w: dict, path: str | Path) -> Path:
    """Save learned lead weights as a lead weights file (usable with ``leads --weights``)."""
    return write_weights(w, path, "learned lead weights: zhaoshang leads-fit (docs/methods.md, \"Learned lead weights\")")
