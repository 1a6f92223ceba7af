"""The stored region × chain matrix after a small update: incremental refresh vs full rebuild.

    .venv/bin/python bench/bench_matrix.py [N] [--db FILE]      # default N = 1,000,000 synthetic enterprises

Builds (set-based in DuckDB; labelled synthetic) N enterprises in real districts, a third of them placed on
one or two nodes of the AI chain, then times the full rebuild of the stored matrix (``stored.rebuild``: the
per-enterprise table and the counts per level, region and node on the reference date). Then a month's
update — 1 % of enterprises moved, 0.2 % deregistered, 0.2 % closed without a date (已关闭), 0.5 % new, 0.2 %
placed differently — and the incremental refresh (``stored.refresh`` with the re-placed ids), checked equal to a
rebuild of the same state. Also times one province map and one district map of a node read from the counts against the same
maps computed from the base tables, the chain view of one city (``chain_tree``) on the reference date and on a
past date, and the distributed path's portable SQL (``analytics.distributed.chain_matrix_sql`` on DuckDB, every
district, both dates; ``equal_to_served``: it equals ``region_node_matrix``). ``cpu_seconds``: user + system CPU of each timed step. Prints one JSON document (ratio = rebuild / incremental).
"""

from __future__ import annotations

import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path


def build(path: Path, n: int) -> None:
    from zhaoshang.core.store import Store
    from zhaoshang.services.chain.taxonomy import install_taxonomy, load_taxonomy

    s = Store(str(path))
    s.set_meta("synthetic", "true")
    install_taxonomy(s)
    nodes = [c for c, in s.con.execute("SELECT code FROM chain_nodes WHERE chain = 'ai' AND level >= 2 ORDER BY code").fetchall()]
    load_taxonomy()
    con = s.con
    con.execute("INSERT INTO imports (id, kind, source, data_date, synthetic) VALUES (1, 'enterprises', 'bench', DATE '2026-10-01', TRUE)")
    con.execute("CREATE TEMP TABLE d AS SELECT row_number() OVER (ORDER BY code) - 1 AS k, code, city_code, province_code "
                "FROM regions WHERE level = 'district'")
    nd = con.execute("SELECT count(*) FROM d").fetchone()[0]
    con.execute(f"""INSERT INTO enterprises (id, name, founded, status, province_code, city_code, district_code,
                                             first_import_id, last_import_id)
        SELECT i, '合成企业' || i, DATE '2000-01-01' + CAST(hash(i) % 9000 AS INTEGER), '存续',
               d.province_code, d.city_code, d.code, 1, 1
        FROM range(1, {n} + 1) t(i) JOIN d ON d.k = hash(i * 5) % {nd}""")
    con.execute(f"""INSERT INTO placements (enterprise_id, chain, node_code, confidence, method)
        SELECT i, 'ai', list_extract(?::VARCHAR[], (1 + hash(i * 7 + j) % {len(nodes)})::INTEGER), 0.6, 'bench'
        FROM range(1, {n} + 1) t(i), range(2) u(j) WHERE hash(i * 3) % 3 = 0 AND (j = 0 OR hash(i * 11) % 2 = 0)""",
                [nodes])
    s.close()


def update(path: Path, n: int) -> list[int]:
    """A month's delta written like an import (import 2): moves, deregistrations, new; some placements change."""
    from zhaoshang.core.store import Store

    s = Store(str(path))
    con = s.con
    con.execute("INSERT INTO imports (id, kind, source, data_date, synthetic) VALUES (2, 'enterprises', 'bench', DATE '2026-11-01', TRUE)")
    con.execute("CREATE TEMP TABLE d AS SELECT row_number() OVER (ORDER BY code) - 1 AS k, code, city_code, province_code "
                "FROM regions WHERE level = 'district'")
    nd = con.execute("SELECT count(*) FROM d").fetchone()[0]
    con.execute(f"""UPDATE enterprises e SET district_code = d.code, city_code = d.city_code, province_code = d.province_code,
                        last_import_id = 2 FROM d WHERE hash(e.id * 17) % 100 = 0 AND d.k = hash(e.id * 19) % {nd}""")
    con.execute("UPDATE enterprises SET dissolved = DATE '2026-10-20', status = '注销', last_import_id = 2 "
                "WHERE hash(id * 23) % 500 = 0")
    # a closed status without a registry date, ended from the export that says so (core.asof.status_ends)
    con.execute("UPDATE enterprises SET status = '已关闭', last_import_id = 2 WHERE hash(id * 41) % 500 = 0 AND dissolved IS NULL")
    con.execute("INSERT INTO enterprise_history (enterprise_id, field, old_value, new_value, changed_on, import_id) "
                "SELECT id, 'status', '存续', '已关闭', DATE '2026-11-01', 2 FROM enterprises WHERE status = '已关闭'")
    con.execute(f"""INSERT INTO enterprises (id, name, founded, status, province_code, city_code, district_code,
                                             first_import_id, last_import_id)
        SELECT {n} + i, '合成新企业' || i, DATE '2026-10-15', '存续', d.province_code, d.city_code, d.code, 2, 2
        FROM range(1, {n // 200} + 1) t(i) JOIN d ON d.k = hash(i * 29) % {nd}""")
    replaced = [r[0] for r in con.execute(
        f"SELECT id FROM enterprises WHERE hash(id * 31) % 500 = 0 OR id > {n} ORDER BY id").fetchall()]
    con.execute("CREATE TEMP TABLE r AS SELECT unnest(?::BIGINT[]) AS id", [replaced])
    con.execute("DELETE FROM placements WHERE enterprise_id IN (SELECT id FROM r)")
    con.execute("""INSERT INTO placements (enterprise_id, chain, node_code, confidence, method)
        SELECT id, 'ai', CASE WHEN hash(id) % 2 = 0 THEN 'U01' ELSE 'M02' END, 0.7, 'bench' FROM r WHERE hash(id * 37) % 3 <> 0""")
    s.close()
    return replaced


CPU: dict[str, float] = {}  # user + system seconds of the process (DuckDB's threads too) per timed step


def _timed(fn, *a, label: str | None = None, **k):
    t, c = time.perf_counter(), time.process_time()
    out = fn(*a, **k)
    if label:
        CPU[label] = round(time.process_time() - c, 3)
    return out, time.perf_counter() - t


def main(argv: list[str]) -> int:
    from zhaoshang.core.store import Store
    from zhaoshang.services.regions import stored
    from zhaoshang.services.regions.matrix import chain_tree, region_map

    args = [a for a in argv if not a.startswith("--")]
    n = int(args[0]) if args else 1_000_000
    tmp = Path(tempfile.mkdtemp())
    db = Path(argv[argv.index("--db") + 1]) if "--db" in argv else tmp / "matrix.duckdb"
    if db.exists():
        db.unlink()
    _, t_build = _timed(build, db, n)
    s = Store(str(db))
    first, t_full0 = _timed(stored.rebuild, s, "ai")
    s.close()
    replaced = update(db, n)
    s = Store(str(db))
    inc, t_inc = _timed(stored.refresh, s, "ai", ids=replaced, label="incremental")
    got = s.con.execute("SELECT * FROM zs_matrix_counts_ai ORDER BY ALL").fetchall()
    full, t_full = _timed(stored.rebuild, s, "ai", label="rebuild")
    assert got == s.con.execute("SELECT * FROM zs_matrix_counts_ai ORDER BY ALL").fetchall(), "incremental ≠ rebuild"
    maps = {}
    for label, level, node in (("province_all", "province", None), ("district_node", "district", "M02")):
        _, t_counts = _timed(region_map, s, level, node=node, label=f"{label}_stored")
        s.con.execute("DELETE FROM meta WHERE key = 'matrix:ai'")  # the same map from the base tables
        _, t_scan = _timed(region_map, s, level, node=node, label=f"{label}_base")
        stored.rebuild(s, "ai")
        maps[label] = {"ms_stored_counts": round(t_counts * 1000, 1), "ms_base_tables": round(t_scan * 1000, 1)}
    for label, as_of in (("chain_tree_city", None), ("chain_tree_city_past", "2020-06-30")):  # the chain view
        _, t_tree = _timed(chain_tree, s, "330100", as_of, label=label)
        maps[label] = {"ms_base_tables": round(t_tree * 1000, 1)}
    # the distributed path's portable SQL (services/analytics/distributed.py) run on DuckDB, every district × node
    # cell, on the reference date and on a past date: its CPU, and whether it equals the served matrix
    from zhaoshang.core.asof import reference_date
    from zhaoshang.core.dialect import DuckDBDialect
    from zhaoshang.services.analytics.complexity import region_node_matrix
    from zhaoshang.services.analytics.distributed import chain_matrix_sql

    cells = lambda rows: [(r["region"], r["node"], int(r["value"])) for r in rows]  # noqa: E731
    for label, as_of in (("distributed_district", None), ("distributed_district_past", "2020-06-30")):
        d = reference_date(s, as_of)
        got, t_sql = _timed(s.query, chain_matrix_sql(DuckDBDialect(), "district", d, "ai"), label=label)
        maps[label] = {"ms_portable_sql": round(t_sql * 1000, 1),
                       "equal_to_served": cells(got) == cells(region_node_matrix(s, "district", "chain", d))}
    s.close()
    print(json.dumps({
        "benchmark": "matrix_incremental", "enterprises": n, "placed_located": first["enterprises"],
        "build_seconds": round(t_build, 1), "rebuild_seconds_first": round(t_full0, 2),
        "update": {"affected": inc[0]["affected"], "cells_changed": inc[0]["cells_changed"], "mode": inc[0]["mode"]},
        "incremental_seconds": round(t_inc, 3), "rebuild_seconds": round(t_full, 2),
        "ratio_rebuild_over_incremental": round(t_full / t_inc, 1), "equal_to_rebuild": True, "maps": maps,
        "cpu_seconds": CPU,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores", "load_average": [round(x, 2) for x in os.getloadavg()],
    }, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
