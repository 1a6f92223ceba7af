"""The population a score is tested on at a date: enterprises with a round before it, not exited, of normal
status, with their scores and whether they raised again within the horizon (the outcome). Shared by the
backtest and the weight fitting."""

from __future__ import annotations

import datetime as _dt
import itertools
from contextlib import contextmanager

from ..regions.matrix import chain_node, default_chain, descendants
from .scorecard import _rows, cohort_sql, scored_sql

_TABLES = itertools.count()


@contextmanager
def cohorts_once(store):
    """A record of the cohort rows (``scorecard.cohort_sql``'s ``k``: every enterprise's signals, age band and cohort
    at a date) read while the block runs, each kept in a temporary table and dropped at its end: a backtest scores
    the same dates with the hand weights and then with the learned ones, whose cohorts are the same (they differ in
    weights and directions, not in age bands or the least cohort), so each date's signals are read once, not twice."""
    made: dict = {}
    try:
        yield made
    finally:
        for table in made.values():
            store.con.execute(f"DROP TABLE IF EXISTS {table}")


def _cohort_table(store, d: _dt.date, w: dict, chain: str | None, present: dict | None, cohorts: dict) -> str:
    """The temporary table of the cohort rows at ``d`` (``cohorts_once``), read the first time it is asked for."""
    key = (d, chain, tuple(w["age_bands"][:2]), w["min_cohort"], None if present is None else repr(sorted(present.items())))
    if key not in cohorts:
        table = f"zs_eligible_k{next(_TABLES)}"
        store.con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS WITH {cohort_sql(store, d, w, chain=chain, present=present)} "
                          "SELECT * FROM k")
        cohorts[key] = table
    return cohorts[key]


def eligible_rows(store, d: _dt.date, horizon: int, w: dict, *, chain: str | None = None,
                  node: str | None = None, present: dict | None = None, cohorts: dict | None = None) -> list[dict]:
    """The eligible population at ``d`` with its scores and outcome (``label``). ``cohorts``: a ``cohorts_once``
    record, to read each date's cohort rows once for several weights."""
    end = d + _dt.timedelta(days=horizon)
    nodes = ""
    node = chain_node(store, chain or default_chain(store), node)  # unknown: refused; the chain itself: every one
    if node:
        chain = chain or default_chain(store)
        desc = sorted(descendants(store, chain, node))
        nodes = "AND node IN (" + ", ".join("'" + x.replace("'", "''") + "'" for x in desc) + ")"
    base = None if cohorts is None else _cohort_table(store, d, w, chain, present, cohorts)
    sql = f"""SELECT s.*, EXISTS (SELECT 1 FROM fundings f WHERE f.enterprise_id = s.enterprise_id
                      AND f.date > DATE '{d.isoformat()}' AND f.date <= DATE '{end.isoformat()}') AS label,
                      year(s.founded) AS founded_year
              FROM ({scored_sql(store, d, w, chain=chain, present=present, base=base)}) s
              WHERE rounds_before >= 1 AND NOT exited AND abnormal_status = 0 {nodes}
              ORDER BY enterprise_id"""
    return _rows(store, sql)
