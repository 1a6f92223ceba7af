"""Benchmark: the leads' reachability (``reach_strengths``) on the demo database, beside one full reach per lead.

Builds (or takes, ``--db PATH``) the demo database (``zhaoshang demo --no-serve``, synthetic and labelled so). For
each region (``--regions``, default five cities and provinces of the demo) and date (``--as-of``, default the
reference date and 2023-06-30) it takes the region's first ``--leads`` candidates (the leads the list searches
first), builds the relationship graph once (not timed), then times, ``--runs`` times each, side by side:
  * ``reach_strengths`` of all of them (the region's side, the key persons of every lead and each best path's
    evidence read once; one graph search per lead);
  * the reference: ``reach_strength`` of each lead alone (the full ``reach``: key persons, the search and the path
    with all its evidence, one lead after another — what the lead list did before);
and checks that both give every lead the same result (strength, path, origin and evidence: ``same``). Also the warm
``region_profile`` of the first region (the leads' reachability is part of it). ``ratio`` = reference / batched,
over all regions and dates (medians of the runs). Prints one JSON document with the load average.

    .venv/bin/python bench/bench_reach.py [--db PATH] [--regions 杭州,北京] [--leads 60] [--runs 3]
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import statistics
import time
import warnings

warnings.filterwarnings("ignore")


def _median_time(fn, runs: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db")
    ap.add_argument("--regions", default="杭州,北京,深圳,成都,上海")  # read by the region service
    ap.add_argument("--as-of", default=",2023-06-30", help="dates, comma-separated (empty: the reference date)")
    ap.add_argument("--leads", type=int, default=60)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    from bench_region_page import demo_database

    db = demo_database(a.db)
    from zhaoshang.core.jsonenc import dumps
    from zhaoshang.core.store import Store
    from zhaoshang.services.graph.build import graph_for
    from zhaoshang.services.leads.mine import candidate_rows
    from zhaoshang.services.region_profile import region_profile

    reach = importlib.import_module("zhaoshang.services.graph.reach")
    rows, batched_total, reference_total, same = [], 0.0, 0.0, True
    from zhaoshang.core.geo.lookup import resolve_regions

    with Store(db, read_only=True) as store:
        codes = [r.code for r in resolve_regions(store, a.regions)]
        for as_of in [x.strip() or None for x in a.as_of.split(",")]:
            for region in codes:
                c = candidate_rows(store, region, limit=a.leads, as_of=as_of)
                ids, d = [r["enterprise_id"] for r in c["rows"]], c["as_of"]
                graph_for(store, d)
                reach.reach_strengths(store, ids[:1], region, as_of=d)  # the region's side, kept with the graph
                batched, many = _median_time(lambda: reach.reach_strengths(store, ids, region, as_of=d), a.runs)
                one_by_one, one = _median_time(
                    lambda: {i: reach.reach_strength(store, i, region, as_of=d) for i in ids}, a.runs)
                agree = all(dumps(many[i]) == dumps(one[i]) for i in ids)
                same &= agree
                batched_total += batched
                reference_total += one_by_one
                rows.append({"region": region, "as_of": str(d), "leads": len(ids),
                             "with_path": sum(x is not None for x in many.values()),
                             "batched_seconds": round(batched, 3), "reference_seconds": round(one_by_one, 3),
                             "ratio": round(one_by_one / max(batched, 1e-6), 1), "same": agree})
        first = codes[0]
        region_profile(store, first)
        profile, _ = _median_time(lambda: region_profile(store, first), a.runs)
    print(json.dumps({"benchmark": "reach", "leads_per_region": a.leads, "runs": a.runs, "regions": rows,
                      "batched_seconds": round(batched_total, 2), "reference_seconds": round(reference_total, 2),
                      "ratio": round(reference_total / max(batched_total, 1e-6), 1), "same": same,
                      "region_profile_warm_seconds": {first: round(profile, 2)},
                      "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
                      "load_average": [round(x, 2) for x in os.getloadavg()]}, ensure_ascii=False))


if __name__ == "__main__":
    main()
