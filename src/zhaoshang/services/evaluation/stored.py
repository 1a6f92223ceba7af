"""Stored scores (the ``scores`` table written by ``score all``) as lists read them: which batch a list as of a
date shows — the latest stored on or before that date — and the join that sorts and filters by it."""

from __future__ import annotations

import datetime as _dt

from ...core.asof import generation_memo
from ...core.errors import UserError


def stored_as_of(store, d: _dt.date) -> _dt.date | None:
    """The as-of date of the latest stored batch on or before ``d`` (None when nothing is stored)."""
    def look() -> _dt.date | None:
        has = store.con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'scores'").fetchone()[0]
        if not has:
            return None
        return store.con.execute("SELECT max(as_of) FROM scores WHERE as_of <= ?", [d]).fetchone()[0]

    return generation_memo(store, ("scores_as_of", d), look)  # once per served generation


def score_join(store, d: _dt.date, *, needed: bool, score_min=None, score_max=None) -> tuple[str, list, list, list, _dt.date | None]:
    """(LEFT JOIN sql, its params, WHERE conditions, their params, the batch's as-of) for a list as of ``d``
    sorted or filtered by the stored total (``sc.total``). With no batch stored by then every score is missing:
    the sort falls back to the id and a score bound keeps nobody (the list says no batch is stored)."""
    sd = stored_as_of(store, d)
    bounds = {k: v for k, v in (("score_min", score_min), ("score_max", score_max)) if v not in (None, "")}
    if not needed and not bounds:
        return "", [], [], [], sd
    where, params = [], []
    for k, v in bounds.items():
        try:
            x = float(v)
        except (TypeError, ValueError):
            raise UserError(f"{k} 必须是 0–100 的数字: {v}", f"{k} must be a number from 0 to 100: {v}")
        if not 0 <= x <= 100:
            raise UserError(f"{k} 必须是 0–100 的数字: {v}", f"{k} must be a number from 0 to 100: {v}")
        where.append("sc.total >= ?" if k == "score_min" else "sc.total <= ?")
        params.append(x)
    if sd is None:
        return ("LEFT JOIN (SELECT NULL::BIGINT AS enterprise_id, NULL::DOUBLE AS total, NULL::DOUBLE AS confidence "
                "WHERE FALSE) sc ON sc.enterprise_id = e.id", [], where, params, None)
    return ("LEFT JOIN (SELECT enterprise_id, total, confidence FROM scores WHERE as_of = ?) sc ON sc.enterprise_id = e.id",
            [sd], where, params, sd)


def stored_totals(store, ids: list[int], sd: _dt.date | None) -> dict[int, tuple]:
    """{enterprise id: (total, confidence)} of the batch ``sd`` for these enterprises."""
    if sd is None or not ids:
        return {}
    return {r[0]: (r[1], r[2]) for r in store.con.execute(
        "SELECT enterprise_id, total, confidence FROM scores WHERE as_of = ? AND enterprise_id IN (SELECT unnest(?::BIGINT[]))",
        [sd, ids]).fetchall()}
