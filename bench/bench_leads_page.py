"""Benchmark: the 招商线索 page (/leads) of one region, cold and on a warm server.

Starts the web app in this process (FastAPI's test client: the same routes, generations and cache as
``zhaoshang serve``) on a database (``--db``; e.g. real files imported without people, where no lead has a path
in the relationship graph, or the demo database) and times:
  1. ``/leads?region=R&top=N`` the first time (cold: region tables, relationship graph, jieba … all built);
  2. the lists of N+1 … N+runs leads (warm server: each is a new list, so nothing comes from the answer cache —
     targets, candidates, ranking and the reachability searches of every lead that can enter the list);
  3. the re-filters of the first list (a 须有 signal, two, a minimum score: each narrows the list the page shows);
and reports the reachability note (how many leads were searched, whether the cap was reached) with the load
average, the process's CPU of each step, and the ratio of a re-filter to the first list. The requests are the local
user's (``http://127.0.0.1``: no login). Run it with another checkout's ``src`` on ``PYTHONPATH`` for the before
column. ``--warm``: the app made as ``zhaoshang serve`` makes it, its background warm-up of the data (the relationship
graph, jieba, the match indexes) waited for before the first list — the first list an analyst opens on a started server.

    .venv/bin/python bench/bench_leads_page.py --db FILE --region 合肥 [--top 12] [--runs 3] [--warm]
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
    ap.add_argument("--warm", action="store_true", help="the server's warm-up first, waited for")
    a = ap.parse_args()
    from fastapi.testclient import TestClient

    import zhaoshang
    from zhaoshang.interfaces.web.app import create_app

    app = create_app(a.db, warm=a.warm)
    c = TestClient(app, base_url="http://127.0.0.1")
    t0 = time.monotonic()
    while a.warm and not app.state.served.warmed and time.monotonic() - t0 < 600:
        time.sleep(0.1)
    cpu: dict[str, list[float]] = {}

    def timed(top: int, step: str, **more) -> tuple[float, dict]:
        t, p = time.perf_counter(), time.process_time()
        r = c.get("/leads", params={"region": a.region, "top": top, **more})
        dt = time.perf_counter() - t
        cpu.setdefault(step, []).append(round(time.process_time() - p, 2))
        assert r.status_code == 200 and 'id="leads-form"' in r.text, r.status_code  # the list, not a login page
        doc = c.get("/api/leads", params={"region": a.region, "top": top, **more}).json()  # the cached twin
        return dt, doc

    cold, doc = timed(a.top, "cold")
    warm = [timed(a.top + i, "warm")[0] for i in range(1, a.runs + 1)]
    narrow = [timed(a.top, "refilter", **f)[0] for f in ({"has": "funding"}, {"has": "funding,patents"},
                                                         {"has": "local_ties"}, {"min_score": "20"})]
    note = next((n for n in doc["notes"] if "可触达性" in n), None)
    print(json.dumps({"benchmark": "leads_page", "source": os.path.dirname(zhaoshang.__file__), "region": a.region,
                      "top": a.top, "cold_seconds": round(cold, 2), "warm_seconds": [round(x, 2) for x in warm],
                      "warm_median_seconds": round(statistics.median(warm), 2),
                      "refilter_seconds": [round(x, 2) for x in narrow],
                      "refilter_median_seconds": round(statistics.median(narrow), 2),
                      "refilter_ratio": round(statistics.median(narrow) / max(cold, 1e-3), 3), "cpu_seconds": cpu,
                      "leads": len(doc["leads"]), "reach_note": note, "warmed": app.state.served.warmed,
                      "load_average": [round(x, 2) for x in os.getloadavg()]}, ensure_ascii=False))


if __name__ == "__main__":
    main()
