"""Benchmark: scenario matching — building the capability-profile index and answering ``match demand``.

Takes a database (``--db PATH``, e.g. the demo) or builds the synthetic demo at ``--scale N`` (labelled synthetic).
Times (1) the enterprise index build: the profile SQL, jieba tokens, bm25s indexing (``index.build``); (2) the
demand index build; (3) ``match demand`` for up to 50 demands with the index in memory (mean and p95 ms).
Reference, side by side: jieba search-mode segmentation alone of the same profile texts — what any index over
jieba words spends at least. ``ratio`` = index build / jieba alone. Prints one JSON document.

    .venv/bin/python bench/bench_match.py [--db PATH | --scale N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from zhaoshang.core.store import Store
from zhaoshang.core.text import search_tokens
from zhaoshang.services.matching import index as ix
from zhaoshang.services.matching import match as M
from zhaoshang.services.matching.profiles import profile_sql


def timed(fn):
    """(result, seconds) of one call."""
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db")
    ap.add_argument("--scale", type=int, default=None)
    a = ap.parse_args()
    db = a.db
    if not db:
        from zhaoshang.interfaces.cli import main as cli

        db = str(Path(tempfile.mkdtemp()) / "bench.duckdb")
        cli(["--db", db, "demo", "--no-serve", *(["--scale", str(a.scale)] if a.scale else [])])
    with Store(db, read_only=True) as store:
        search_tokens("预热")  # load jieba once, outside the timings
        sql, params = profile_sql(store)
        texts, t_sql = timed(lambda: [r[0] or "" for r in store.con.execute(f"SELECT text FROM ({sql})", params).fetchall()])
        _, t_jieba = timed(lambda: [search_tokens(s) for s in texts])
        ent, t_ent = timed(lambda: ix.build(store, "enterprises"))
        dem, t_dem = timed(lambda: ix.build(store, "demands"))
        ix.get_index(store, "enterprises")
        ix.get_index(store, "demands")
        ids = [r[0] for r in store.con.execute("SELECT id FROM demands ORDER BY id LIMIT 50").fetchall()]
        lat = []
        for i in ids:
            t0 = time.perf_counter()
            M.match_demand(store, i, top=10)
            lat.append((time.perf_counter() - t0) * 1000)
    lat.sort()
    print(json.dumps({
        "benchmark": "match", "enterprises": len(ent.ids), "demands": len(dem.ids),
        "profile_sql_s": round(t_sql, 2), "profile_chars_mean": round(sum(map(len, texts)) / max(len(texts), 1)),
        "enterprise_index_s": round(t_ent, 2), "demand_index_s": round(t_dem, 2),
        "jieba_alone_s": round(t_jieba, 2), "ratio_vs_reference": round(t_ent / t_jieba, 2) if t_jieba else None,
        "match_demand_ms_mean": round(statistics.mean(lat), 1) if lat else None,
        "match_demand_ms_p95": round(lat[int(0.95 * (len(lat) - 1))], 1) if lat else None,
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
