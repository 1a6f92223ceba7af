"""One scorecard with no stored batch to read it from (the data changed since ``score all``, other weights, live
events from the team state): its cohort is ranked over the whole population here, range by range of ids.

Each range of enterprises (sized from the batch memory cap, ``ZHAOSHANG_BATCH_MEMORY``) is reduced to counts
per (node, age band, signal, value); the cohort sizes, and the percentiles within the enterprise's own cohorts,
are ranked from those counts as the batch ranks them (``scorecard.rank_sql``) and kept in the connection's
temporary tables in the stored batch's layout; the card is then read from them as from a stored batch — the
same figures as ranking everyone at once, which held the whole population's signals at once (6 GB at 10 M).

DuckDB's ``memory_limit`` is left alone: it is a setting of the whole database instance, and a served database
shares its instance between every request (each on its own cursor); lowering it for one card would lower it
for all of them. Memory is bounded by the size of a range instead, and the temporary tables are the cursor's
own.
"""

from __future__ import annotations

import datetime as _dt

from ...core.memory import BATCH_VAR, DUCKDB_SHARE, batch_default, cap_bytes, id_ranges
from .signals import typical_sql

# what one enterprise's row costs while its range is ranked: its ~45 signal columns in the range's table, the
# range's share of the fact joins and of the per-value counts (about 1.3 GB per million rows measured at 1 M)
ROW_BYTES = 1536
MIN_RANGE = 100
TEMP = {"cohorts": "zs_card_cohorts", "ranks": "zs_card_ranks", "typical": "zs_card_typical"}
GROUPS, RANGE = "zs_card_groups", "zs_card_b"


def range_rows() -> int:
    """Enterprises per range: DuckDB's share of the batch cap over what one row costs."""
    return max(MIN_RANGE, int(cap_bytes(BATCH_VAR, batch_default()) * DUCKDB_SHARE) // ROW_BYTES)


def card_rows(store, d: _dt.date, w: dict, *, chain: str, present: dict, eid: int,
              per: int | None = None) -> list[dict]:
    """The scored row of enterprise ``eid`` (as ``scorecard.scored_sql`` gives it), its cohorts ranked over
    every enterprise existing at ``d``, ``per`` enterprises at a time (default: ``range_rows()``)."""
    from .scorecard import SIZES, _ranked, _rows, band_sql, levels_sql, rank_sql, scored_sql

    con = store.con
    D = f"DATE '{d.isoformat()}'"
    ranked = _ranked(w, present)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {TEMP['typical']} AS "
                    f"SELECT {D} AS as_of, round, typ_gap FROM ({typical_sql(store, d)})")
        con.execute(f"CREATE OR REPLACE TEMP TABLE {GROUPS} (nb_node VARCHAR, nb_band VARCHAR, signal VARCHAR, "
                    "v DOUBLE, c BIGINT)")
        own = None  # the enterprise's (node, age band)
        counts = " UNION ALL ".join(
            [f"SELECT node, age_band, '' AS signal, NULL::DOUBLE AS v FROM {RANGE}"]
            + [f"SELECT node, age_band, '{s}', ({spec['direction']} * {s})::DOUBLE FROM {RANGE} WHERE {s} IS NOT NULL"
               for _, s, spec in ranked])
        for lo, hi in id_ranges(con, "enterprises", per or range_rows()):
            con.execute(f"""CREATE OR REPLACE TEMP TABLE {RANGE} AS WITH {band_sql(
                store, d, w, chain=chain, present=present, ids=(lo, hi),
                typical=f"SELECT round, typ_gap FROM {TEMP['typical']}")}
                SELECT * EXCLUDE (node), coalesce(node, '-') AS node FROM b""")
            con.execute(f"INSERT INTO {GROUPS} SELECT node, age_band, signal, v, count(*) FROM ({counts}) GROUP BY ALL")
            if lo <= eid <= hi:
                own = con.execute(f"SELECT node, age_band FROM {RANGE} WHERE enterprise_id = ?", [eid]).fetchone()
            con.execute(f"DROP TABLE {RANGE}")
        if own is None:  # not existing at the date
            return []
        con.execute(f"""CREATE OR REPLACE TEMP TABLE {TEMP['cohorts']} AS
            WITH nb AS (SELECT nb_node, nb_band, CAST(sum(c) AS BIGINT) AS n_nb FROM {GROUPS} WHERE signal = ''
                        GROUP BY ALL),
            {SIZES.rstrip(',')}
            SELECT {D} AS as_of, nb_node, nb_band, n_nb, n_n, n_b, n_all FROM nc""")
        # the counts of the groups in the enterprise's own cohort (and node cohort) summed per value, then ranked
        ranks = [rank_sql(i, s, spec, pairs=f"""SELECT {key} AS key, v, CAST(sum(c) AS BIGINT) AS c FROM k
                          WHERE signal = '{s}' AND {key} = (SELECT {key} FROM own) GROUP BY ALL""")
                 for i, s, spec in ranked
                 for key in ["node_key" if spec.get("cohort") == "node" else "cohort_key"]]
        union = " UNION ALL ".join(f"SELECT {D} AS as_of, '{s}' AS signal, key, v, p FROM r{i}" for i, s, _ in ranked)
        con.execute(f"""CREATE OR REPLACE TEMP TABLE {TEMP['ranks']} AS
            WITH n AS (SELECT g.nb_node AS node, g.nb_band AS age_band, g.signal, g.v, g.c, nc.n_nb, nc.n_n, nc.n_b,
                              nc.n_all
                       FROM {GROUPS} g JOIN {TEMP['cohorts']} nc USING (nb_node, nb_band)),
            {levels_sql(w)},
            own AS (SELECT cohort_key, node_key FROM k WHERE node = ? AND age_band = ? LIMIT 1)
            {''.join(',' + chr(10) + r for r in ranks)}
            {union or f"SELECT {D} AS as_of, '' AS signal, '' AS key, 0.0 AS v, 0.0 AS p WHERE FALSE"}""",
                    list(own))
        return _rows(store, scored_sql(store, d, w, chain=chain, present=present, only=eid, stored=True,
                                       tables=TEMP))
    finally:
        for t in (RANGE, GROUPS, *TEMP.values()):
            con.execute(f"DROP TABLE IF EXISTS {t}")
