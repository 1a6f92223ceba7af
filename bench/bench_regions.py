"""Benchmark: region parsing of distinct real addresses (every address a cache miss).

``RegionParser.parse_many`` on the distinct registered addresses of the enterprise-registration sample and the
A-share list (shared data folder), the cache cleared before each round, best of 5 rounds. Reference, side by
side: jieba segmentation alone (HMM off) of the same addresses — what any segmenting address parser spends at
least. ``ratio`` = parsing time / segmentation time.

    .venv/bin/python bench/bench_regions.py
"""

from __future__ import annotations

import csv
import json
import os
import platform
import sys
import time
from pathlib import Path

from zhaoshang.core.geo.parser import RegionParser

SHARED = Path(os.environ.get("ZHAOSHANG_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
FILES = {"enterprises/enterprise_registration_sample_2000_2004.csv": "注册地址",
         "listed_companies/a_share_companies_merged.csv": "registered_address"}


def addresses() -> list[str]:
    """The distinct non-empty addresses of the files that are present, in file order."""
    out: list[str] = []
    for rel, col in FILES.items():
        path = SHARED / rel
        if path.exists():
            with open(path, encoding="utf-8") as fh:
                out += [r.get(col) or "" for r in csv.DictReader(fh)]
    return list(dict.fromkeys(a for a in out if a))


def best_of(rounds: int, fn) -> float:
    """The fastest of ``rounds`` timed calls: the least disturbed by other jobs."""
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> dict:
    addrs = addresses()
    if not addrs:
        sys.stderr.write(f"没有地址数据（{SHARED}）/ no address data under {SHARED}\n")
        sys.exit(2)
    t0 = time.perf_counter()
    parser = RegionParser.default()
    build = time.perf_counter() - t0

    def parse():
        parser.clear_cache()
        parser.parse_many(addrs)

    import jieba
    jieba.setLogLevel(60)
    jieba.lcut("预热", HMM=False)
    t_parse = best_of(5, parse)
    t_jieba = best_of(5, lambda: [jieba.lcut(a, HMM=False) for a in addrs])
    t0 = time.perf_counter()
    parser.parse_many(addrs)
    t_cached = time.perf_counter() - t0
    return {"benchmark": "region_parsing", "distinct_addresses": len(addrs),
            "parser_build_seconds": round(build, 2),
            "addresses_per_second": round(len(addrs) / t_parse),
            "cached_addresses_per_second": round(len(addrs) / t_cached),
            "reference_jieba_addresses_per_second": round(len(addrs) / t_jieba),
            "ratio": round(t_parse / t_jieba, 2),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                        "load_average": [round(x, 2) for x in os.getloadavg()]}}


if __name__ == "__main__":
    print(json.dumps(main(), ensure_ascii=False))
