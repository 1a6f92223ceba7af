"""Batch scoring (``zhaoshang score all``) against a bare DuckDB percentile query over the same signals.

    .venv/bin/python bench/bench_score.py [N] [--db FILE]      # default N = 1,000,000 synthetic enterprises

Builds a synthetic database (labelled synthetic: random enterprises, founding dates, placements on 20 nodes and
about 1.5 rounds each, generated set-based in DuckDB), then times ``score_all`` (every signal, cohort fallbacks,
percentiles, dimensions, total, confidence, stored in ``scores``) and the reference: one SELECT computing the
funding signals and ``percent_rank`` per node for each, with nothing stored. Prints one JSON document.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
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
    con.execute(f"""INSERT INTO enterprises (id, name, founded, status, last_import_id)
        SELECT i, '合成企业' || i, DATE '2000-01-01' + CAST(hash(i) % 8000 AS INTEGER), '存续', 1 FROM range({n}) t(i)""")
    con.execute(f"""INSERT INTO placements (enterprise_id, chain, node_code, confidence)
        SELECT i, 'ai', 'N' || (hash(i * 7) % 20), 0.5 FROM range({n}) t(i) WHERE hash(i * 3) % 4 <> 0""")
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


def main(argv: list[str]) -> int:
    n = int(next((a for a in argv if a.isdigit()), 1_000_000))
    d = dt.date(2024, 6, 30)
    tmp = Path(tempfile.mkdtemp(prefix="bench_score_"))
    path = Path(argv[argv.index("--db") + 1]) if "--db" in argv else tmp / "score.duckdb"
    t0 = time.perf_counter()
    if not path.exists():
        build(path, n)
    build_s = time.perf_counter() - t0

    from zhaoshang.core.store import Store
    from zhaoshang.services.evaluation.scorecard import score_all

    s = Store(str(path))
    t0 = time.perf_counter()
    doc = score_all(s, as_of=d)
    ours = time.perf_counter() - t0
    s.close()
    con = duckdb.connect(str(path), read_only=True)
    t0 = time.perf_counter()
    ref_rows = con.execute(REFERENCE.format(d=d.isoformat())).fetchone()[0]
    ref = time.perf_counter() - t0
    con.close()
    print(json.dumps({"benchmark": "score_all", "enterprises": n, "scored": doc["scored"], "reference_rows": ref_rows,
                      "build_seconds": round(build_s, 2), "ours_seconds": round(ours, 2),
                      "reference_seconds": round(ref, 2), "ratio": round(ours / ref, 2) if ref else None,
                      "machine": {"nproc": os.cpu_count(), "python": platform.python_version(),
                                  "duckdb": duckdb.__version__}}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
