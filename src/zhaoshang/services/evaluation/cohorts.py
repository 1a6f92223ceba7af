"""Cohort sizes and percentiles of a stored ``score all`` batch, so that one scorecard reads them instead of
ranking the whole population again (about a minute at 10 M enterprises; milliseconds from the stored rows).

``score all`` keeps, per as-of date, the size of every (node, age band) group (``score_cohorts``) and the
percentile of every (cohort, value) pair of every ranked signal (``score_ranks``) — exactly the figures its
own pass ranked with — and a fingerprint of what they were computed from: the weights, the chain, and the
data (row counts of the fact tables, the last import, a digest of the placements' contents — never a
time, so the same data gives the same fingerprint) — and the scoring rule it was made by (``batch_rule``). A
scorecard uses them only while the fingerprint still matches and the rule is this version's; after an update, with other weights or with live events from the team
state it ranks the population itself, as before.
"""

from __future__ import annotations

import datetime as _dt
import json

from ...core import explain
from ...core.asof import generation_memo

COHORTS_DDL = """CREATE TABLE IF NOT EXISTS score_cohorts (
    as_of DATE NOT NULL, nb_node VARCHAR, nb_band VARCHAR, n_nb BIGINT, n_n BIGINT, n_b BIGINT, n_all BIGINT)"""
RANKS_DDL = """CREATE TABLE IF NOT EXISTS score_ranks (
    as_of DATE NOT NULL, signal VARCHAR NOT NULL, key VARCHAR, v DOUBLE, p DOUBLE)"""
TYPICAL_DDL = "CREATE TABLE IF NOT EXISTS score_typical (as_of DATE NOT NULL, round VARCHAR, typ_gap DOUBLE)"
# every table a signal or a cohort reads
FACT_TABLES = ("enterprises", "placements", "fundings", "funding_investors", "patents", "patent_applicants",
               "branches", "shareholdings", "enterprise_history", "news", "news_mentions", "roles", "events",
               "imports")
WORK = "zs_score_k"  # the population's cohort rows while a batch is stored


def _date(d: _dt.date) -> str:
    return f"DATE '{d.isoformat()}'"


# where a batch's cohorts, percentiles and typical gaps are read from: the stored tables, or the temporary
# ones of one card ranked over the population (scorecard._population_rows) in the same layout
STORED = {"cohorts": "score_cohorts", "ranks": "score_ranks", "typical": "score_typical"}


def stored_sizes_sql(d: _dt.date, tables: dict = STORED) -> str:
    """The stored cohort sizes of the batch ``d``, as the scorecard's ``nc`` step counts them."""
    return f"SELECT nb_node, nb_band, n_nb, n_n, n_b, n_all FROM {tables['cohorts']} WHERE as_of = {_date(d)}"


def stored_ranks_sql(d: _dt.date, signal: str, tables: dict = STORED) -> str:
    """The stored percentiles of ``signal`` in the batch ``d``: (cohort key, signed value, percentile)."""
    return f"SELECT key, v, p FROM {tables['ranks']} WHERE as_of = {_date(d)} AND signal = '{signal}'"


def stored_typical_sql(d: _dt.date, tables: dict = STORED) -> str:
    """The stored typical gaps after each round type of the batch ``d`` (signals.typical_sql)."""
    return f"SELECT round, typ_gap FROM {tables['typical']} WHERE as_of = {_date(d)}"


def data_state(store) -> list[str]:
    """The state of the data a batch was ranked on: row counts of the fact tables, the last import and a
    digest of the placements (which enterprise on which node with which confidence and method — a confirmation
    changes the primary segment) — contents only, so two
    builds of the same data agree whenever they ran; once per served generation."""
    counts = ", ".join(f"(SELECT count(*) FROM {t})" for t in FACT_TABLES)
    return generation_memo(store, ("score_data_state",), lambda: [str(x) for x in store.con.execute(
        f"""SELECT {counts}, (SELECT bit_xor(hash(enterprise_id, chain, node_code, confidence, method)) FROM placements),
        (SELECT max(id) FROM imports)""").fetchone()])


def fingerprint(store, d: _dt.date, params: dict, chain: str) -> str:
    """What a batch's cohorts and percentiles depend on: date, weights, chain, the state of the data and how the
    signals are read (``signals.SIGNALS_VERSION``)."""
    from .signals import SIGNALS_VERSION

    return explain.params_hash({"as_of": d.isoformat(), "params": params, "chain": chain,
                                "data": data_state(store), "signals": SIGNALS_VERSION})


def _key(d: _dt.date) -> str:
    return f"score_cohorts:{d.isoformat()}"


def usable(store, d: _dt.date, params: dict, chain: str) -> bool:
    """Whether a stored batch for ``d`` was ranked with these weights and chain on the data as it is now, by the
    scoring rule of this version (``batch_rule``)."""
    has = store.con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'score_typical'"
                            ).fetchone()[0]
    raw = store.get_meta(_key(d)) if has else None
    return (bool(raw) and json.loads(raw).get("fingerprint") == fingerprint(store, d, params, chain)
            and batch_rule(store, d)["current"])


def batch_rule(store, d: _dt.date) -> dict:
    """The scoring rule the batch stored for ``d`` was made by — how its signals were read
    (``signals.SIGNALS_VERSION`` when ``score all`` ran; None for a batch stored before the version was kept) —
    against this version's: ``{"stored", "version", "current": bool}``. The one test of whether a stored batch's
    scores are current: the lists and exports (``stored.shown_as_of``) and one scorecard's use of its cohorts
    (``usable``) ask it; a batch of another rule is never shown as current, and says so (``stored.stale_note``)."""
    from .signals import SIGNALS_VERSION

    def look() -> str | None:
        raw = store.get_meta(_key(d))
        return json.loads(raw).get("signals") if raw else None

    kept = generation_memo(store, ("score_rule", d), look)
    return {"stored": kept, "version": SIGNALS_VERSION, "current": kept == SIGNALS_VERSION}


def store_batch(store, d: _dt.date, cohort_ctes: str, ranks: list[tuple[str, str]], params: dict,
                chain: str, typical: str) -> None:
    """Keep the population's cohort rows in ``WORK`` (for the scores pass that follows) and store its cohort
    sizes, each ranked signal's percentiles and the typical gaps between rounds (``typical``: their SQL) for
    ``d``. ``ranks``: (signal, CTE ``r<i>`` ranking it); stored in key and value order, so that one card's
    lookup reads a few row groups."""
    con = store.con
    con.execute(COHORTS_DDL)
    con.execute(RANKS_DDL)
    con.execute(TYPICAL_DDL)
    for table in ("score_cohorts", "score_ranks", "score_typical"):
        con.execute(f"DELETE FROM {table} WHERE as_of = ?", [d])
    con.execute(f"INSERT INTO score_typical SELECT {_date(d)}, round, typ_gap FROM ({typical})")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {WORK} AS WITH {cohort_ctes} SELECT * FROM k")
    con.execute(f"""INSERT INTO score_cohorts SELECT DISTINCT {_date(d)}, coalesce(node, '-'), age_band,
                    n_nb, n_n, n_b, n_all FROM {WORK}""")
    for signal, cte in ranks:  # one signal at a time: one window pass each, as in the scores pass
        name = cte.split(" ", 1)[0]
        con.execute(f"""INSERT INTO score_ranks WITH k AS (SELECT * FROM {WORK}), {cte}
                        SELECT {_date(d)}, '{signal}', key, v, p FROM {name} ORDER BY key, v""")
    # the data state is kept too: a list showing this batch says when the data changed after it (batch_state); and
    # the scoring rule it was made by: a batch of an older rule is not shown as current (batch_rule)
    from .signals import SIGNALS_VERSION

    store.set_meta(_key(d), json.dumps({"fingerprint": fingerprint(store, d, params, chain), "data": data_state(store),
                                        "signals": SIGNALS_VERSION}))


def batch_state(store, d: _dt.date) -> dict:
    """Whether the data changed after the batch stored for ``d`` was made (an import, a classification, a placement
    decision): ``{"stale": bool | None, "changes": ["import" | "placements" | "data"], "last_import": {…} | None}``;
    ``stale`` is None for a batch stored without its data state (before it was kept: run ``score all`` again)."""
    raw = store.get_meta(_key(d))
    kept = json.loads(raw).get("data") if raw else None
    if kept is None:
        return {"stale": None, "changes": [], "last_import": None}
    now = data_state(store)
    changes = [c for c, i in (("import", -1), ("placements", -2)) if kept[i] != now[i]]
    if kept[:-2] != now[:-2] and not changes:
        changes.append("data")
    last = None
    if "import" in changes:
        row = store.con.execute("SELECT id, kind, source, data_date, finished_at FROM imports ORDER BY id DESC LIMIT 1"
                                ).fetchone()
        last = dict(zip(("id", "kind", "source", "data_date", "finished_at"), row)) if row else None
    return {"stale": bool(changes), "changes": changes, "last_import": last}


def drop_work(store) -> None:
    store.con.execute(f"DROP TABLE IF EXISTS {WORK}")
