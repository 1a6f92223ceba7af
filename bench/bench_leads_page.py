"""Benchmark: the 招商线索 page (/leads) of one region, cold and on a warm server.

Starts the web app in this process (FastAPI's test client: the same routes, generations and cache as
``zhaoshang serve``) on a database (``--db``; e.g. real files imported without people, where no lead has a path
in the relationship graph, or the demo database) and times:
  1. ``/leads?region=R&top=N`` the first time (cold: region tables, relationship graph, jieba … all built);
  2. the lists of N+1 … N+runs leads (warm server: each is a new list, so nothing comes from the answer cache —
     targets, candidates, ranking and the reachability searches of every lead that can enter the list);
and reports the reachability note (how many leads were searched, whether the cap was reached) with the load
average. Run it with another checkout's ``src`` on ``PYTHONPATH`` for the before column.

    .venv/bin/python bench/bench_leads_page.py --db FILE --region 合肥 [--top 12] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
import warnings

warnings.filterwarnings("ignore")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--region", required=True)
    ap.add_argument("--top", type=int, default=12)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    from fastapi.testclient import TestClient

    import zhaoshang
    from zhaoshang.interfaces.web.app import create_app

    c = TestClient(create_app(a.db))

    def timed(top: int) -> tuple[float, dict]:
        t = time.perf_counter()
        r = c.get("/leads", params={"region": a.region, "top": top})
        dt = time.perf_counter() - t
        assert r.status_code == 200, r.status_code
        doc = c.get("/api/leads", params={"region": a.region, "top": top}).json()  # the cached twin: its note
        return dt, doc

    cold, doc = timed(a.top)
    warm = [timed(a.top + i)[0] for i in range(1, a.runs + 1)]
    note = next((n for n in doc["notes"] if "可触达性" in n), None)
    print(json.dumps({"benchmark": "leads_page", "source": os.path.dirname(zhaoshang.__file__), "region": a.region,
                      "top": a.top, "cold_seconds": round(cold, 2), "warm_seconds": [round(x, 2) for x in warm],
                      "warm_median_seconds": round(statistics.median(warm), 2), "leads": len(doc["leads"]),
                      "reach_note": note, "load_average": [round(x, 2) for x in os.getloadavg()]}, ensure_ascii=False))


if __name__ == "__main__":
    main()
