"""Benchmark: generate the synthetic demo dataset files (all kinds) for N enterprises.

Reference, side by side in the same process: DuckDB writing the same number of enterprise rows of random
data (range() with a few random text and number columns) to Parquet. Prints one JSON document with seconds,
rows per second, peak RSS and the ratio generator / reference.

    .venv/bin/python bench/bench_demo.py [N]      (default 1000000)
"""

from __future__ import annotations

import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from zhaoshang.services.demo import generate


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(n: int = 1_000_000) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="bench-demo-"))
    try:
        t0 = time.perf_counter()
        manifest = generate(tmp / "demo", scale=n)
        t_gen = time.perf_counter() - t0
        rows = sum(f["rows"] for f in manifest["files"])
        ent_rows = sum(f["rows"] for f in manifest["files"] if f["kind"] == "enterprises")
        rss_gen = peak_rss_mb()
        con = duckdb.connect()
        t0 = time.perf_counter()
        con.execute(f"""COPY (SELECT i AS key, md5(i::VARCHAR) AS name, md5((i * 7)::VARCHAR) AS scope,
                              (random() * 1e4)::BIGINT AS capital, DATE '2010-01-01' + (random() * 5000)::INT AS founded
                              FROM range({n}) t(i)) TO '{tmp / 'ref.parquet'}' (FORMAT parquet)""")
        t_ref = time.perf_counter() - t0
        size = sum(p.stat().st_size for p in (tmp / "demo").glob("*.parquet"))
        return {"benchmark": "demo_generator", "enterprises": n, "rows_all_files": rows, "enterprise_rows": ent_rows,
                "seconds": round(t_gen, 2), "rows_per_second": round(rows / t_gen), "enterprises_per_second": round(n / t_gen),
                "peak_rss_mb": round(rss_gen), "files_mb": round(size / 2**20, 1),
                "reference": {"what": "DuckDB COPY of range(N) random rows to Parquet", "seconds": round(t_ref, 2)},
                "ratio": round(t_gen / t_ref, 1)}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000), ensure_ascii=False))
