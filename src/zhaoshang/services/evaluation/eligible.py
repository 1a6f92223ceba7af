"""The population a score is tested on at a date: enterprises with a round before it, not exited, of normal
status, with their scores and whether they raised again within the horizon (the outcome). Shared by the
backtest and the weight fitting."""

from __future__ import annotations

import datetime as _dt

from ..regions.matrix import chain_node, default_chain, descendants
from .scorecard import _rows, scored_sql


def eligible_rows(store, d: _dt.date, horizon: int, w: dict, *, chain: str | None = None,
                  node: str | None = None, present: dict | None = None) -> list[dict]:
    """The eligible population at ``d`` with its scores and outcome (``label``)."""
    end = d + _dt.timedelta(days=horizon)
    nodes = ""
    node = chain_node(store, chain or default_chain(store), node)  # unknown: refused; the chain itself: every one
    if node:
        chain = chain or default_chain(store)
        desc = sorted(descendants(store, chain, node))
        nodes = "AND node IN (" + ", ".join("'" + x.replace("'", "''") + "'" for x in desc) + ")"
    sql = f"""SELECT s.*, EXISTS (SELECT 1 FROM fundings f WHERE f.enterprise_id = s.enterprise_id
                      AND f.date > DATE '{d.isoformat()}' AND f.date <= DATE '{end.isoformat()}') AS label,
                      year(s.founded) AS founded_year
              FROM ({scored_sql(store, d, w, chain=chain, present=present)}) s
              WHERE rounds_before >= 1 AND NOT exited AND abnormal_status = 0 {nodes}
              ORDER BY enterprise_id"""
    return _rows(store, sql)
