"""Batch scoring (``zhaoshang score all``) and lead mining (``zhaoshang leads``) on a large database, each beside a
bare DuckDB query over the same rows.

    .venv/bin/python bench/bench_score.py [N] [--db FILE] [--leads] [--card]   # default N = 1,000,000 synthetic enterprises

Builds a synthetic database (labelled synthetic: random enterprises in real districts, founding dates, placements
on 20 of the AI chain's nodes and about 1.5 rounds each, generated set-based in DuckDB) unless ``--db`` names one that exists (e.g.
one ``bench/bench_api.py --keep FILE`` built, with the AI chain's nodes). Then times ``score_all`` (every signal,
cohort fallbacks, percentiles, dimensions, total, confidence, stored in ``scores``) against one SELECT computing
the funding signals and ``percent_rank`` per node for each, with nothing stored. ``--leads`` also times
``mine_leads`` for the province with the most enterprises (targets, candidates, ranking, reasons and
reachability of the top 20) against a bare query ranking that province's absent placed enterprises by their
funding of the last year. Both run under the batch memory cap (``ZHAOSHANG_BATCH_MEMORY``, default 2GB).
``--card`` also times one enterprise's scorecard (``score_enterprise``) before the batch — ranking the whole
population — and after it, from the cohorts and percentiles the batch stored, for a few enterprises, and
checks that both give the same document.
Prints one JSON document with the peak memory of each step and the load average.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

import duckdb


def build(path: Path, n: int) -> None:
    from zhaoshang.core.store import Store

    s = Store(str(path))
    s.set_meta("synthetic", "true")
    con = s.con
    con.execute("INSERT INTO imports (id, kind, source, data_date, synthetic) VALUES (1, 'fundings', 'bench', DATE '2024-12-31', TRUE)")
    con.execute("""CREATE TEMP TABLE dk AS SELECT code, city_code, province_code, row_number() OVER (ORDER BY hash(code)) - 1 AS k
                   FROM regions WHERE level = 'district' AND city_code IS NOT NULL""")
    nd = con.execute("SELECT count(*) FROM dk").fetchone()[0]
    con.execute(f"""INSERT INTO enterprises (id, name, founded, status, last_import_id, province_code, city_code, district_code)
        SELECT i, '合成企业' || i, DATE '2000-01-01' + CAST(hash(i) % 8000 AS INTEGER), '存续', 1,
               dk.province_code, dk.city_code, dk.code
        FROM range({n}) t(i) JOIN dk ON dk.k = hash(i * 5) % {nd}""")
    from zhaoshang.services.chain.taxonomy import install_taxonomy

    install_taxonomy(s)  # the AI chain's nodes: placements on its 20 first level-2 and level-3 nodes
    con.execute("""CREATE TEMP TABLE nk AS SELECT code, row_number() OVER (ORDER BY position) - 1 AS k FROM chain_nodes
                   WHERE chain = 'ai' AND level > 1 QUALIFY k < 20""")
    con.execute(f"""INSERT INTO placements (enterprise_id, chain, node_code, confidence)
        SELECT i, 'ai', nk.code, 0.5 FROM range({n}) t(i) JOIN nk ON nk.k = hash(i * 7) % 20 WHERE hash(i * 3) % 4 <> 0""")
    con.execute(f"""INSERT INTO fundings (id, enterprise_id, date, round, amount_wan)
        SELECT row_number() OVER (), e, DATE '2008-01-01' + CAST(hash(e * 31 + k) % 6000 AS INTEGER),
               ['angel', 'a', 'b', 'c'][1 + k], CASE WHEN hash(e + k) % 5 = 0 THEN NULL ELSE 100 + hash(e * k) % 50000 END
        FROM (SELECT i AS e, unnest(range(CAST(hash(i * 13) % 4 AS INTEGER))) AS k FROM range({n}) t(i))""")
    s.close()


REFERENCE = """
WITH f AS (SELECT enterprise_id, count(*) AS rounds_total,
                  count(*) FILTER (WHERE date > DATE '{d}' - INTERVAL 730 DAY) AS rounds_24m,
                  sum(amount_wan) AS raised, max(date) AS last_date
           FROM fundings WHERE date <= DATE '{d}' GROUP BY enterprise_id),
node AS (SELECT enterprise_id, arg_max(node_code, confidence) AS node FROM placements GROUP BY enterprise_id),
s AS (SELECT e.id, node.node, coalesce(f.rounds_total, 0) AS rounds_total, coalesce(f.rounds_24m, 0) AS rounds_24m,
             f.raised, date_diff('day', f.last_date, DATE '{d}') AS since
      FROM enterprises e LEFT JOIN f ON f.enterprise_id = e.id LEFT JOIN node ON node.enterprise_id = e.id
      WHERE e.founded IS NULL OR e.founded <= DATE '{d}')
SELECT count(*), avg(p1 + p2 + p3 + p4) FROM (
  SELECT percent_rank() OVER (PARTITION BY node ORDER BY rounds_total) AS p1,
         percent_rank() OVER (PARTITION BY node ORDER BY rounds_24m) AS p2,
         percent_rank() OVER (PARTITION BY node ORDER BY raised) AS p3,
         percent_rank() OVER (PARTITION BY node ORDER BY -since) AS p4 FROM s)"""


LEADS_REFERENCE = """
SELECT e.id, sum(f.amount_wan) AS raised FROM enterprises e
JOIN (SELECT DISTINCT enterprise_id FROM placements) p ON p.enterprise_id = e.id
LEFT JOIN fundings f ON f.enterprise_id = e.id AND f.date > DATE '{d}' - INTERVAL 365 DAY AND f.date <= DATE '{d}'
WHERE e.province_code IS DISTINCT FROM '{prov}' AND (e.founded IS NULL OR e.founded <= DATE '{d}')
GROUP BY e.id ORDER BY raised DESC NULLS LAST, e.id LIMIT 20"""


def _rss_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def main(argv: list[str]) -> int:
    n = int(next((a for a in argv if a.isdigit()), 1_000_000))
    d = dt.date(2024, 6, 30)
    tmp = Path(tempfile.mkdtemp(prefix="bench_score_"))
    path = Path(argv[argv.index("--db") + 1]) if "--db" in argv else tmp / "score.duckdb"
    t0 = time.perf_counter()
    if not path.exists():
        build(path, n)
    build_s = time.perf_counter() - t0
    rss_build = _rss_mb()

    from zhaoshang.core.store import Store
    from zhaoshang.services.evaluation.scorecard import score_all

    s = Store(str(path))
    n = s.con.execute("SELECT count(*) FROM enterprises").fetchone()[0]
    prov = s.con.execute("SELECT province_code FROM enterprises GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    sample = [r[0] for r in s.con.execute("SELECT id FROM enterprises WHERE founded <= ? ORDER BY hash(id) LIMIT 5",
                                          [d]).fetchall()] if "--card" in argv else []
    # a batch an earlier run stored for the date is forgotten: the card before the batch ranks the population
    s.con.execute("DELETE FROM meta WHERE key = ?", [f"score_cohorts:{d.isoformat()}"])
    before = _cards(s, sample[:1], d)
    rss_card = _rss_mb()  # the card ranked over the population is the first step that reads it
    t0 = time.perf_counter()
    doc = score_all(s, as_of=d)
    ours = time.perf_counter() - t0
    rss_score = _rss_mb()
    card = None
    if sample:
        after = _cards(s, sample, d)
        card = {"card_population_seconds": before[0][1], "card_stored_seconds": [c[1] for c in after],
                "card_ranked": sorted({c[2] for c in after}), "card_same_figures": before[0][0] == after[0][0],
                "peak_rss_mb_card_population": rss_card}
    leads = None
    if "--leads" in argv and prov:
        from zhaoshang.services.leads.mine import mine_leads

        from zhaoshang.core.memory import capped

        t0 = time.perf_counter()
        with capped(s.con):  # as `zhaoshang leads` runs it
            got = mine_leads(s, prov, as_of=d)
        leads = {"region": prov, "leads_seconds": round(time.perf_counter() - t0, 2), "leads": len(got["leads"]),
                 "candidates": got["population"]["candidates"], "peak_rss_mb_after_leads": _rss_mb()}
    s.close()
    con = duckdb.connect(str(path), read_only=True)
    con.execute(f"SET memory_limit = '{memory_cap()}'")  # the bare queries under the same DuckDB limit
    t0 = time.perf_counter()
    ref_rows = con.execute(REFERENCE.format(d=d.isoformat())).fetchone()[0]
    ref = time.perf_counter() - t0
    if leads is not None:
        t0 = time.perf_counter()
        con.execute(LEADS_REFERENCE.format(d=d.isoformat(), prov=prov)).fetchall()
        ref_l = time.perf_counter() - t0
        leads.update(leads_reference_seconds=round(ref_l, 2),
                     leads_ratio=round(leads["leads_seconds"] / ref_l, 2) if ref_l else None)
    con.close()
    print(json.dumps({"benchmark": "score_all", "enterprises": n, "scored": doc["scored"], "reference_rows": ref_rows,
                      "build_seconds": round(build_s, 2), "ours_seconds": round(ours, 2),
                      "reference_seconds": round(ref, 2), "ratio": round(ours / ref, 2) if ref else None,
                      **(leads or {}), **(card or {}), "memory_cap": os.environ.get("ZHAOSHANG_BATCH_MEMORY") or "2GB",
                      "peak_rss_mb_build": rss_build, "peak_rss_mb_score": rss_score,
                      "load_average": [round(x, 2) for x in os.getloadavg()],
                      "machine": {"nproc": os.cpu_count(), "python": platform.python_version(),
                                  "duckdb": duckdb.__version__}}, ensure_ascii=False))
    return 0


def _cards(s, ids: list[int], d: dt.date) -> list[tuple[str, float, str]]:
    """(document without ``cohort.ranked``, seconds, where its percentiles came from) of each enterprise's card."""
    from zhaoshang.services.evaluation.scorecard import score_enterprise

    out = []
    for eid in ids:
        t0 = time.perf_counter()
        doc = score_enterprise(s, eid, as_of=d)
        secs = round(time.perf_counter() - t0, 3)
        ranked = doc["cohort"].pop("ranked")
        out.append((json.dumps(doc, sort_keys=True, default=str), secs, ranked))
    return out


def memory_cap() -> str:
    from zhaoshang.core.memory import BATCH_VAR, batch_default, duckdb_limit

    return duckdb_limit(BATCH_VAR, batch_default())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
