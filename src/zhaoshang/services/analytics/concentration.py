"""Concentration and growth of an industry across regions (docs/methods.md, "Concentration and growth").

Pure helpers (``shares``, ``cr``, ``hhi``, ``gini``, ``cagr``, ``location_quotient``) and the store-level
``concentration`` behind ``zhaoshang concentration``.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Iterable, Sequence

import numpy as np

from ...core import dialect
from ...core.errors import UserError
from .levels import LEVELS, region_names, region_sql

MEASURES = ("enterprises", "funding", "patents")


# -- pure helpers ----------------------------------------------------------------------------------------

def _arr(values: Iterable[float]) -> np.ndarray:
    a = np.asarray([0.0 if v is None else float(v) for v in values], dtype=float)
    if (a < 0).any():
        raise UserError("集中度指标的数值不能为负", "values of a concentration measure cannot be negative")
    return a


def shares(values: Iterable[float]) -> list[float]:
    """Each value over the total (all 0 when the total is 0)."""
    a = _arr(values)
    tot = a.sum()
    return (a / tot).tolist() if tot > 0 else [0.0] * len(a)


def cr(values: Iterable[float], k: int) -> float | None:
    """Concentration ratio CR_k: the share of the k largest values in the total."""
    a = _arr(values)
    tot = a.sum()
    if tot <= 0:
        return None
    return float(np.sort(a)[::-1][:k].sum() / tot)


def hhi(values: Iterable[float]) -> float | None:
    """Herfindahl–Hirschman index Σ s_i² with shares in 0–1 (multiply by 10,000 for the points scale)."""
    a = _arr(values)
    tot = a.sum()
    if tot <= 0:
        return None
    s = a / tot
    return float((s * s).sum())


def gini(values: Iterable[float]) -> float | None:
    """Gini coefficient of the values: ``Σ_i (2i − n − 1) x_(i) / (n Σ x)`` over ascending x (0 = equal)."""
    a = np.sort(_arr(values))
    n = len(a)
    tot = a.sum()
    if n == 0 or tot <= 0:
        return None
    i = np.arange(1, n + 1)
    return float(((2 * i - n - 1) * a).sum() / (n * tot))


def cagr(start: float | None, end: float | None, years: float) -> float | None:
    """Compound annual growth rate ``(end / start)^(1 / years) − 1``; None when start ≤ 0 or years ≤ 0."""
    if start is None or end is None or years <= 0 or start <= 0 or end < 0:
        return None
    return float((end / start) ** (1.0 / years) - 1.0)


def location_quotient(local: Sequence[float], local_base: Sequence[float]) -> list[float | None]:
    """LQ_r = (x_r / Σ x) / (b_r / Σ b): a region's share of the industry over its share of the base."""
    x, b = _arr(local), _arr(local_base)
    if len(x) != len(b):
        raise UserError("区位熵的两组数值长度不同", "the two series of the location quotient differ in length")
    tx, tb = x.sum(), b.sum()
    out: list[float | None] = []
    for xi, bi in zip(x, b):
        out.append(None if tx <= 0 or bi <= 0 else float((xi / tx) / (bi / tb)))
    return out


def summary(values: Sequence[float]) -> dict:
    h = hhi(values)
    return {"total": float(_arr(values).sum()), "cr3": cr(values, 3), "cr5": cr(values, 5), "hhi": h,
            "hhi_10000": None if h is None else h * 10000.0, "gini": gini(values)}


# -- from the store --------------------------------------------------------------------------------------

def _minus_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def concentration(store, level: str = "province", chain_node: str | None = None, as_of=None,
                  window_years: int = 5, measure: str = "enterprises", *, chain: str | None = "ai") -> dict:
    """Shares, CR3/CR5, HHI, Gini, location quotients and CAGRs of an industry across the regions of a level.

    The industry is the enterprises placed on ``chain`` (on ``chain_node`` or below it when given); when
    the chain has no placements at all and no node is asked for, every enterprise counts. See
    docs/methods.md for the windows and the universe of regions.
    """
    if level not in LEVELS:
        raise UserError(f"未知的区域层级: {level}（可选: {', '.join(LEVELS)}）", f"unknown region level: {level} (one of: {', '.join(LEVELS)})")
    if measure not in MEASURES:
        raise UserError(f"未知的度量: {measure}（可选: {', '.join(MEASURES)}）", f"unknown measure: {measure} (one of: {', '.join(MEASURES)})")
    if window_years < 1:
        raise UserError("增长窗口至少 1 年", "the growth window is at least 1 year")
    con_notes: list[str] = []
    use_chain = chain is not None
    if use_chain and chain_node is not None:
        from ..regions.nodes import chain_node as checked_node

        # the chain's own code: the whole chain (None); a node by its code in any case or by its name (计算机视觉)
        chain_node = checked_node(store, chain, chain_node)
    if use_chain and chain_node is None:
        n = store.query("SELECT count(*) AS n FROM placements WHERE chain = ?", [chain])[0]["n"]
        if n == 0:
            use_chain = False
            con_notes.append("产业链尚未归类：按全部企业计算")
    if chain_node is not None:
        known = store.query("SELECT count(*) AS n FROM placements WHERE chain = ? AND (node_code = ? OR node_code LIKE ? || '.%')",
                            [chain, chain_node, chain_node])[0]["n"]
        known += store.query("SELECT count(*) AS n FROM chain_nodes WHERE chain = ? AND code = ?", [chain, chain_node])[0]["n"]
        if known == 0:
            from ..regions.nodes import node_not_found

            raise node_not_found(store, chain, chain_node)

    # The reference date: as_of, else the latest data date; enterprises in their regions of that date.
    from ...core.asof import REGION_FIELDS, enterprises_as_of, reference_date

    ref = reference_date(store, as_of)
    start = _minus_years(ref, window_years)
    year_before = lambda d: _minus_years(d, 1)  # noqa: E731

    expr, join, jparams = region_sql(level, "e")
    subj_cond = ("EXISTS (SELECT 1 FROM placements p WHERE p.enterprise_id = e.id AND p.chain = ? "
                 "AND (CAST(? AS VARCHAR) IS NULL OR p.node_code = ? OR p.node_code LIKE ? || '.%'))")
    subj_params = [chain, chain_node, chain_node, chain_node]
    at_ref, at_start = (enterprises_as_of(ref, store, REGION_FIELDS), enterprises_as_of(start, store, REGION_FIELDS))
    ever = enterprises_as_of(ref, store, REGION_FIELDS, existing=False)

    def per_region(select: str, from_: str, where: str, params: list) -> dict[str, float]:
        sql = f"SELECT {expr} AS region, {select} AS v FROM {from_} {join} WHERE {expr} IS NOT NULL AND {where} GROUP BY 1"
        return {r["region"]: float(r["v"] or 0) for r in store.query(sql, jparams + params)}

    def subject(where: str, params: list) -> tuple[str, list]:
        if use_chain:
            return f"{subj_cond} AND {where}", subj_params + params
        return where, params

    base = per_region("count(DISTINCT e.id)", f"{at_ref} e", "TRUE", [])
    w, p = subject("TRUE", [])
    ent_end = per_region("count(DISTINCT e.id)", f"{at_ref} e", w, p)
    ent_start = per_region("count(DISTINCT e.id)", f"{at_start} e", w, p)

    def flow(kind: str, lo: dt.date, hi: dt.date) -> dict[str, float]:
        if kind == "funding":
            w, p = subject("f.date > CAST(? AS DATE) AND f.date <= CAST(? AS DATE)", [lo, hi])
            return per_region(dialect.current().exact_sum("f.amount_wan"), f"fundings f JOIN {ever} e ON e.id = f.enterprise_id", w, p)
        w, p = subject("pt.applied > CAST(? AS DATE) AND pt.applied <= CAST(? AS DATE)", [lo, hi])
        return per_region("count(DISTINCT pt.id)",
                          "patents pt JOIN patent_applicants pa ON pa.patent_id = pt.id "
                          f"JOIN {ever} e ON e.id = pa.enterprise_id", w, p)

    fund_win, pat_win = flow("funding", start, ref), flow("patents", start, ref)
    fund_end, fund_start = flow("funding", year_before(ref), ref), flow("funding", year_before(start), start)
    pat_end, pat_start = flow("patents", year_before(ref), ref), flow("patents", year_before(start), start)

    value = {"enterprises": ent_end, "funding": fund_win, "patents": pat_win}[measure]
    # Universe: regions of the level with at least one enterprise (any industry) or a value.
    regions = sorted(set(base) | set(value))
    vals = [value.get(r, 0.0) for r in regions]
    sh = shares(vals)
    lq = location_quotient(vals, [base.get(r, 0.0) for r in regions])
    names = region_names(store, regions)
    order = sorted(range(len(regions)), key=lambda i: (-vals[i], regions[i]))
    rows = []
    for rank, i in enumerate(order, 1):
        r = regions[i]
        rows.append({
            "region": r, "name": names.get(r, r), "rank": rank, "value": vals[i], "share": sh[i], "lq": lq[i],
            "enterprises": ent_end.get(r, 0.0), "all_enterprises": base.get(r, 0.0),
            "funding_wan": fund_win.get(r, 0.0), "patents": pat_win.get(r, 0.0),
            "cagr_enterprises": cagr(ent_start.get(r), ent_end.get(r), window_years),
            "cagr_funding": cagr(fund_start.get(r), fund_end.get(r), window_years),
            "cagr_patents": cagr(pat_start.get(r), pat_end.get(r), window_years),
        })
    # fsum: the exact total whatever order the regions came back in (a plain sum of doubles moved its last digits)
    tot = lambda d: math.fsum(d.values())  # noqa: E731
    doc = {
        "level": level, "chain": chain if use_chain else None, "chain_node": chain_node, "measure": measure,
        "as_of": ref.isoformat(), "window_start": start.isoformat(), "window_years": window_years,
        "regions": len(regions), **summary(vals),
        "growth": {
            "cagr_enterprises": cagr(tot(ent_start), tot(ent_end), window_years),
            "cagr_funding": cagr(tot(fund_start), tot(fund_end), window_years),
            "cagr_patents": cagr(tot(pat_start), tot(pat_end), window_years),
        },
        "notes": con_notes,
        "rows": rows,
    }
    if level == "macro":
        doc["notes"].append("宏观区域可能相互重叠：份额之和可以不等于 1")
    if measure != "enterprises" and not any(vals):
        doc["empty_window"] = _empty_window(store, measure, start, ref)
    return doc


def _empty_window(store, measure: str, start: dt.date, ref: dt.date) -> dict:
    """Why a flow measure has nothing in its window (no HHI, no Gini): the latest dated row before the window (an
    earlier as-of finds it), the first after the as-of date (a later one does), neither when none is imported."""
    table, col = ("fundings", "date") if measure == "funding" else ("patents", "applied")
    row = store.query(f"SELECT max({col}) FILTER (WHERE {col} <= CAST(? AS DATE)) AS before, "
                      f"min({col}) FILTER (WHERE {col} > CAST(? AS DATE)) AS after, count(*) AS n FROM {table}",
                      [start, ref])[0]
    iso = lambda d: d.isoformat() if d is not None else None  # noqa: E731
    return {"measure": measure, "rows": int(row["n"] or 0), "latest_before": iso(row["before"]),
            "first_after": iso(row["after"])}
