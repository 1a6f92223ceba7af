"""Learned weights: a regularised logistic regression on the signals' percentiles, fitted strictly before a date.

Training windows end before the as-of date D: enterprises eligible at D − h − 3j months (j = 0 … 7, every
quarter back, while any enterprise is eligible) with the outcome "raised a round within h days", outcomes
counted only up to the day before D. The coefficients (L2, C = 1, percentiles scaled to −½…½, missing = the
middle) are normalised to sum 1 in absolute value and shrunk half way (``SHRINK``) towards the base
(hand) weights' effective weights; a negative result flips the signal's direction. They are written in the
weights file's own shape (a dimension's weight is the sum of its signals'), so learned and hand weights score
the same way and every contribution stays a percentile times a weight. A logistic curve of the resulting total
on the same rows (Platt scaling) gives calibrated probabilities. docs/methods.md, "Revision learned-4".
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from ...core.asof import reference_date
from ...core.errors import UserError, count_en
from .eligible import cohorts_once, eligible_rows
from .scorecard import load_weights

WINDOWS = 3           # yearly windows and C of the first recipe (the lead weights still learn this way)
C = 1.0
QUARTERS = 8          # learned-4: quarterly training windows at most (two years)
SCORE_C = 0.1         # learned-4: inverse regularisation strength
SHRINK = 0.5          # share of the base (hand) weights in the learned weights
METHOD = "learned-4"


def window_dates(d: _dt.date, horizon: int, n: int = QUARTERS) -> list[_dt.date]:
    """The training windows' dates: D − h, then every 3 months earlier (month ends kept as month ends)."""
    t0 = d - _dt.timedelta(days=horizon)
    out = []
    for j in range(n):
        m = t0.month - 3 * j
        y, m = t0.year + (m - 1) // 12, (m - 1) % 12 + 1
        last = (_dt.date(y + m // 12, m % 12 + 1, 1) - _dt.timedelta(days=1)).day
        out.append(_dt.date(y, m, last if t0.day == _month_end(t0) else min(t0.day, last)))
    return out


def _month_end(x: _dt.date) -> int:
    return ((x.replace(day=28) + _dt.timedelta(days=4)).replace(day=1) - _dt.timedelta(days=1)).day


def training_rows(store, d: _dt.date, horizon: int, w: dict, *, chain=None, node=None,
                  cohorts: dict | None = None) -> list[dict]:
    """Eligible rows at each window date t0 with outcomes in (t0, min(t0 + h, D − 1 day)]: nothing on or after D.
    ``cohorts``: a ``eligible.cohorts_once`` record (each date's cohort rows read once for several weights)."""
    out = []
    for t0 in window_dates(d, horizon):
        end = min(t0 + _dt.timedelta(days=horizon), d - _dt.timedelta(days=1))
        rows = eligible_rows(store, t0, (end - t0).days, w, chain=chain, node=node, cohorts=cohorts)
        if not rows:
            break
        out += [{**r, "window": t0} for r in rows]
    return out


def effective_weights(w: dict, names: list[str]) -> dict[str, float]:
    """Each signal's share of a weights file's total (dimension share × signal share), over ``names``."""
    dims = {k: v["weight"] for k, v in w["dimensions"].items()}
    eff = {}
    for s in names:
        spec = w["signals"][s]
        sig_sum = sum(v["weight"] for v in w["signals"].values() if v["dimension"] == spec["dimension"])
        eff[s] = dims[spec["dimension"]] * spec["weight"] / sig_sum if sig_sum > 0 else 0.0
    tot = sum(eff.values())
    return {s: v / tot for s, v in eff.items()} if tot > 0 else eff


def platt(totals, labels) -> dict | None:
    """Calibration of a score: P(outcome) = 1 / (1 + exp(−(a + b·total))), fitted by logistic regression."""
    from sklearn.linear_model import LogisticRegression

    x = np.asarray([t if t is not None else 50.0 for t in totals], dtype=float).reshape(-1, 1)
    y = np.asarray(labels, dtype=int)
    if len(set(y.tolist())) < 2:
        return None
    m = LogisticRegression(C=1e6, max_iter=1000).fit(x, y)
    return {"a": round(float(m.intercept_[0]), 6), "b": round(float(m.coef_[0][0]), 6), "n": int(len(y)),
            "positives": int(y.sum())}


def fit_weights(store, *, as_of: Any = None, horizon: int = 365, base: dict | str | Path | None = None,
                chain: str | None = None, node: str | None = None, rows: list[dict] | None = None,
                cohorts: dict | None = None) -> dict:
    """Weights learned on data strictly before ``as_of`` (a dict in the weights file's shape, with calibration);
    ``rows``: the training rows already read with the base weights (the backtest's), to skip reading them again;
    ``cohorts``: a ``eligible.cohorts_once`` record (the windows' cohort rows read once, for both weights)."""
    from sklearn.linear_model import LogisticRegression

    d = reference_date(store, as_of)
    w = base if isinstance(base, dict) else load_weights(base)
    if cohorts is None:
        with cohorts_once(store) as once:
            return fit_weights(store, as_of=as_of, horizon=horizon, base=base, chain=chain, node=node, rows=rows,
                               cohorts=once)
    rows = rows if rows is not None else training_rows(store, d, horizon, w, chain=chain, node=node, cohorts=cohorts)
    y = np.asarray([bool(r["label"]) for r in rows], dtype=int)
    if len(rows) < 20 or len(set(y.tolist())) < 2:
        raise UserError(f"{d} 之前的训练数据不足（{len(rows)} 家，{int(y.sum())} 家再融资）",
                        f"too little training data before {d} ({count_en(len(rows), 'row')}, {count_en(int(y.sum()), 'positive')})")
    names = [s for s in w["signals"] if any(r.get(f"p_{s}") is not None for r in rows)]
    x = np.asarray([[(r[f"p_{s}"] if r.get(f"p_{s}") is not None else 50.0) / 100 - 0.5 for s in names] for r in rows])
    m = LogisticRegression(C=SCORE_C, max_iter=2000).fit(x, y)
    raw = m.coef_[0] / (np.abs(m.coef_[0]).sum() or 1.0)
    hand = effective_weights(w, names)
    coef = {s: (1 - SHRINK) * float(c) + SHRINK * hand[s] for s, c in zip(names, raw)}
    learned = {"version": f"{METHOD}-next-round-{d.isoformat()}-h{horizon}", "min_cohort": w["min_cohort"],
               "age_bands": w["age_bands"], "dimensions": {}, "signals": {}}
    for dim, spec in w["dimensions"].items():
        sigs = [s for s, v in w["signals"].items() if v["dimension"] == dim]
        tot = sum(abs(coef.get(s, 0.0)) for s in sigs)
        learned["dimensions"][dim] = {**spec, "weight": round(float(tot), 6)}
        for s in sigs:
            c = coef.get(s, 0.0)
            learned["signals"][s] = {**w["signals"][s], "weight": round(abs(c) / tot, 6) if tot > 0 else 0.0,
                                     # a negative learned weight reads the signal the other way round
                                     "direction": w["signals"][s]["direction"] * (-1 if c < 0 else 1)}
    if not any(v["weight"] > 0 for v in learned["dimensions"].values()):
        raise UserError("学习到的权重全为零：信号与结果无正相关", "the learned weights are all zero")
    totals = training_rows(store, d, horizon, learned, chain=chain, node=node, cohorts=cohorts)
    learned["calibration"] = platt([r["total"] for r in totals], [bool(r["label"]) for r in totals])
    learned["fitted"] = {"target": "next-round", "as_of": d.isoformat(), "horizon_days": horizon, "method": METHOD,
                         "windows": len({r["window"] for r in rows}), "rows": len(rows), "positives": int(y.sum()),
                         "shrink_to": str(w["version"]), "shrink": SHRINK, **model_info(m, names, SCORE_C)}
    return learned


def model_info(m, names, c: float = C) -> dict:
    """A fitted logistic regression as the weights file records it (C, model, library version, coefficients)."""
    from sklearn import __version__ as skv

    return {"C": c, "model": "LogisticRegression(L2)", "scikit_learn": skv,
            "coefficients": {s: round(float(c), 6) for s, c in zip(names, m.coef_[0])},
            "intercept": round(float(m.intercept_[0]), 6)}


def write_weights(w: dict, path: str | Path,
                  header: str = "learned weights: zhaoshang score fit (docs/methods.md, \"Learned weights\")") -> Path:
    """Save learned weights as a weights file (usable with --weights)."""
    p = Path(path)
    p.write_text(f"# {header}\n" + yaml.safe_dump(w, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return p
