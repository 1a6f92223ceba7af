"""Benchmark: latency of the map, list and search endpoints on a large database.

The database is either given (``--db PATH``, e.g. one built by ``zhaoshang demo --no-serve --scale N``)
or built here with set-based SQL: N enterprises in real districts (skewed towards a few hubs), founding
and dissolution dates, tags, listed codes, 1–2 chain placements for 85 % of them on the AI chain's leaf
nodes, and fundings for 20 %. Requests go through the FastAPI app in process (routing, validation,
JSON encoding included). Reference, side by side: the bare DuckDB GROUP BY of the same counts (for the
map), a bare filtered COUNT + page (for the list) and a bare name scan (COUNT + first page of the names holding
the query, for the searches); ``ratio`` = endpoint p50 / bare p50. The searches ask for a different name
part each time (``/api/enterprises?q=``, ``/api/search``, and two words); the built database gets its search
index as an update would (``index_seconds``).

    .venv/bin/python bench/bench_api.py [--scale 1000000] [--db PATH] [--repeat 30] [--keep PATH] [--threads N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

warnings.filterwarnings("ignore")

from zhaoshang.core import search_index  # noqa: E402
from zhaoshang.core.store import Store  # noqa: E402

FALLBACK_NODES = [("U", None, 1, "upstream"), ("U01", "U", 2, "upstream"), ("U02", "U", 2, "upstream"),
                  ("M", None, 1, "midstream"), ("M01", "M", 2, "midstream"), ("M02", "M", 2, "midstream"),
                  ("D", None, 1, "downstream"), ("D01", "D", 2, "downstream"), ("D02", "D", 2, "downstream")]


def build(path: str, n: int, seed: int = 11) -> None:
    store = Store(path)
    con = store.con
    con.execute(f"SELECT setseed({(seed % 1000) / 1000})")
    with store.transaction():
        try:
            from zhaoshang.services.chain.taxonomy import load_taxonomy  # the shipped AI chain

            tax = load_taxonomy()
            nodes = [(nd.code, nd.parent, nd.level, nd.stage, nd.name_zh, nd.name_en, i)
                     for i, nd in enumerate(tax.nodes.values())] if hasattr(tax, "nodes") else None
        except Exception:  # noqa: BLE001 - any taxonomy problem: fall back to a small chain
            nodes = None
        if not nodes:
            nodes = [(c, p, lvl, st, c, c, i) for i, (c, p, lvl, st) in enumerate(FALLBACK_NODES)]
        con.executemany("INSERT INTO chain_nodes VALUES ('ai', ?, ?, ?, ?, ?, ?, NULL, ?)",
                        [[str(c), p, lvl, st, zh, en, pos] for c, p, lvl, st, zh, en, pos in nodes])
        con.execute("""
            CREATE TEMP TABLE d AS
            SELECT code, city_code, province_code, row_number() OVER (ORDER BY code) - 1 AS k FROM regions
            WHERE level = 'district' AND city_code IS NOT NULL""")
        nd = con.execute("SELECT count(*) FROM d").fetchone()[0]
        # a skewed district draw: the square of a uniform number favours the first districts of a shuffled list
        con.execute("CREATE TEMP TABLE dk AS SELECT code, city_code, province_code, row_number() OVER (ORDER BY hash(code)) - 1 AS k FROM d")
        con.execute(f"""
            INSERT INTO enterprises (id, name, name_norm, uscc, status, founded, dissolved, capital_wan, country,
                                     province_code, city_code, district_code, listed_code, tags, source)
            SELECT i, '基准企业' || i || '有限公司', '基准企业' || i, NULL,
                   CASE WHEN r3 < 0.05 THEN '注销' ELSE '存续' END,
                   DATE '2000-01-01' + CAST(r1 * 9000 AS INTEGER),
                   CASE WHEN r3 < 0.05 THEN DATE '2000-01-01' + CAST(r1 * 9000 AS INTEGER) + 400 + CAST(r3 * 20000 AS INTEGER) END,
                   round(10 + r2 * r2 * 100000), 'CN', dk.province_code, dk.city_code, dk.code,
                   CASE WHEN r3 > 0.97 THEN CAST(600000 + i AS VARCHAR) END,
                   CASE WHEN r2 > 0.8 THEN ['专精特新'] WHEN r2 > 0.6 THEN ['高新技术企业'] ELSE NULL END, 'bench'
            FROM (SELECT i, random() AS r1, random() AS r2, random() AS r3,
                         CAST(floor(pow(random(), 2.2) * {nd}) AS INTEGER) AS k FROM range(1, {n} + 1) t(i)) g
            JOIN dk ON dk.k = g.k""")
        con.execute("""CREATE TEMP TABLE leaves AS SELECT code, row_number() OVER (ORDER BY code) - 1 AS k FROM chain_nodes c
                       WHERE chain = 'ai' AND NOT EXISTS (SELECT 1 FROM chain_nodes x WHERE x.parent_code = c.code)""")
        nl = con.execute("SELECT count(*) FROM leaves").fetchone()[0]
        con.execute(f"""
            INSERT INTO placements
            SELECT e.id, 'ai', l.code, 0.6 + 0.4 * random(), '{{}}', 'bench', now()
            FROM (SELECT id, CAST(floor(pow(random(), 1.5) * {nl}) AS INTEGER) AS k1,
                         CAST(floor(random() * {nl}) AS INTEGER) AS k2, random() AS r FROM enterprises) e
            JOIN leaves l ON l.k = e.k1 OR (e.r < 0.3 AND l.k = e.k2)
            WHERE e.r < 0.85""")
        con.execute("""
            INSERT INTO fundings (id, enterprise_id, date, round, amount_wan, source)
            SELECT row_number() OVER (), id, founded + 200 + CAST(random() * 2000 AS INTEGER),
                   ['angel', 'pre_a', 'a', 'b', 'c', 'strategic'][1 + CAST(floor(random() * 6) AS INTEGER)],
                   round(random() * 50000), 'bench'
            FROM enterprises WHERE random() < 0.2""")
        store.set_meta("synthetic", "true")
    t = time.perf_counter()
    search_index.refresh(store)  # as every update does (core.generations)
    store.set_meta("bench_index_seconds", str(round(time.perf_counter() - t, 1)))
    store.close()


def timed(fn, repeat: int) -> list[float]:
    fn()  # warm-up (first touch of the file)
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))], 2)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=int, default=1_000_000)
    ap.add_argument("--db")
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--keep", help="keep the generated database at this path")
    ap.add_argument("--threads", type=int, help="DuckDB threads of the served database (default: all cores)")
    a = ap.parse_args()
    from fastapi.testclient import TestClient

    from zhaoshang.interfaces.web.app import create_app

    tmp = None
    built_s = None
    db = a.db or a.keep
    if not db or not Path(db).exists():
        if not db:
            tmp = tempfile.mkdtemp(prefix="zs-bench-")
            db = os.path.join(tmp, "bench.duckdb")
        t = time.perf_counter()
        build(db, a.scale)
        built_s = round(time.perf_counter() - t, 1)
    store = Store(db, read_only=True)
    con = store.con
    n_ent = con.execute("SELECT count(*) FROM enterprises").fetchone()[0]
    n_pl = con.execute("SELECT count(*) FROM placements").fetchone()[0]
    nodes = [r[0] for r in con.execute("SELECT code FROM chain_nodes WHERE chain = 'ai' AND level = 2 ORDER BY position").fetchall()]
    top_prov = con.execute("SELECT province_code FROM enterprises GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    app = create_app(db)
    if a.threads:
        app.state.served.base.con.execute(f"SET threads = {int(a.threads)}")
        con.execute(f"SET threads = {int(a.threads)}")
    client = TestClient(app)
    i = {"k": 0}

    def next_query():  # a different name part each time: nothing answers from a cache
        i["k"] += 1
        return f"基准企业{12345 + 7919 * i['k'] % 80000}"

    def next_node():
        i["k"] += 1
        return nodes[i["k"] % len(nodes)]

    cases = {
        "map_province_node": lambda: client.get("/api/map", params={"level": "province", "node": next_node()}),
        "map_city_in_province": lambda: client.get("/api/map", params={"level": "city", "parent": top_prov, "node": next_node(), "metric": "lq"}),
        "map_district_all": lambda: client.get("/api/map", params={"level": "district", "node": next_node()}),
        "list_region_node": lambda: client.get("/api/enterprises", params={"region": top_prov, "node": next_node(), "size": 50}),
        "list_search_text": lambda: client.get("/api/enterprises", params={"q": next_query(), "size": 50}),
        "search_text": lambda: client.get("/api/search", params={"q": next_query()}),
        "search_two_words": lambda: client.get("/api/search", params={"q": next_query()[-5:] + " 有限公司"}),
        "list_stage_sorted": lambda: client.get("/api/enterprises", params={"stage": "b", "sort": "-funding", "size": 50}),
    }
    today = time.strftime("%Y-%m-%d")

    def bare_map():
        node = next_node()
        con.execute("""
            WITH RECURSIVE up(code, ancestor) AS (SELECT code, code FROM chain_nodes WHERE chain = 'ai'
              UNION ALL SELECT up.code, n.parent_code FROM up JOIN chain_nodes n ON n.code = up.ancestor AND n.chain = 'ai'
              WHERE n.parent_code IS NOT NULL)
            SELECT e.province_code, count(DISTINCT e.id) FROM placements p JOIN up ON up.code = p.node_code AND up.ancestor = ?
            JOIN enterprises e ON e.id = p.enterprise_id
            WHERE (e.founded IS NULL OR e.founded <= ?) AND (e.dissolved IS NULL OR e.dissolved > ?) GROUP BY 1""",
                    [node, today, today]).fetchall()

    def bare_list():
        node = next_node()
        con.execute("""SELECT count(*) FROM enterprises e WHERE e.province_code = ? AND e.id IN
                       (SELECT enterprise_id FROM placements WHERE node_code LIKE ? || '%')""", [top_prov, node]).fetchall()
        con.execute("""SELECT e.* FROM enterprises e WHERE e.province_code = ? AND e.id IN
                       (SELECT enterprise_id FROM placements WHERE node_code LIKE ? || '%')
                       ORDER BY capital_wan DESC LIMIT 50""", [top_prov, node]).fetchall()

    def bare_search():  # the name scan a search without an index would make
        q = next_query()
        con.execute("SELECT count(*) FROM enterprises WHERE contains(name_norm, ?)", [q]).fetchall()
        con.execute("SELECT id, name FROM enterprises WHERE contains(name_norm, ?) ORDER BY length(name), id LIMIT 20",
                    [q]).fetchall()

    results = {}
    for name, fn in cases.items():
        status = fn().status_code
        assert status == 200, (name, status)
        ms = timed(fn, a.repeat)
        results[name] = {"p50_ms": pct(ms, 50), "p95_ms": pct(ms, 95), "max_ms": round(max(ms), 2)}
    ref = {"bare_map_groupby": timed(bare_map, a.repeat), "bare_list_count_page": timed(bare_list, a.repeat),
           "bare_name_scan": timed(bare_search, a.repeat)}
    ref = {k: {"p50_ms": pct(v, 50), "p95_ms": pct(v, 95)} for k, v in ref.items()}
    for name, r in results.items():
        base = ref["bare_map_groupby" if name.startswith("map") else "bare_name_scan" if "search" in name
                   else "bare_list_count_page"]
        r["ratio_p50_vs_bare"] = round(r["p50_ms"] / base["p50_ms"], 2) if base["p50_ms"] else None
    doc = {
        "benchmark": "api", "enterprises": n_ent, "placements": n_pl, "database": "given" if a.db else "built here",
        "build_seconds": built_s, "index_seconds": store.get_meta("bench_index_seconds"), "repeat": a.repeat,
        "cpus": os.cpu_count(), "threads": a.threads, "load_average": os.getloadavg(), "target_p95_ms": {"map_list": 200, "search": 300},
        "search_index_fresh": search_index.fresh(store),
        "search_index_rows": con.execute("SELECT count(*) FROM search_grams").fetchone()[0] if search_index.exists(store) else None,
        "endpoints": results, "reference_bare_duckdb": ref,
        "all_under_target": all(r["p95_ms"] < (300 if "search" in n else 200) for n, r in results.items()),
    }
    print(json.dumps(doc, ensure_ascii=False, indent=2))
    store.close()
    if tmp:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
