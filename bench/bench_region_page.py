"""Benchmark: the 地区画像 page and its PDF report on the demo database, first answer and again.

Builds (or takes, ``--db PATH``) the demo database (``zhaoshang demo --no-serve``, synthetic and labelled so),
starts the web app in this process (FastAPI's test client: no network, the same routes and cache as
``zhaoshang serve``) and times, for one region (default: the region pages open on without one, from the reference service):
  1. the page ``/region/{code}`` on a fresh app (everything cold: region tables, relationship graph for the
     leads' reachability, every section of the profile);
  2. the same page again (the profile is kept per data generation);
  3. the PDF ``/api/region-profile/{code}/report?format=pdf`` the first time (laid out by WeasyPrint);
  4. the same PDF again (the file is kept per generation, region, date, language and format).
Reference: the service alone (``region_profile``) in the same process once warm, so ``ratio`` = first page /
warm service. Prints one JSON document with the load average.

``--serve`` starts the real server instead (``zhaoshang --db DB serve`` on a free loopback port, in a fresh
process: its background warm-up of each generation included, ``services.warmup``), waits until it answers, then
``--wait`` seconds more (an analyst opening the browser after starting it; 0 asks at once), and times through HTTP
the first and the warm answer of ``/region/{code}`` and of the 招商线索 page ``/leads?region={code}``, then stops
it; the server's growth (resident memory after the start and at the end) beside. Reference: the warm region page
(ratio = first / warm). ``--src DIR`` runs the server with another checkout's source (the before column).

    .venv/bin/python bench/bench_region_page.py [--db PATH] [--region CODE]
    .venv/bin/python bench/bench_region_page.py --serve [--wait S] [--src DIR] [--db PATH] [--region CODE]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

warnings.filterwarnings("ignore")


def _timed(fn) -> tuple[float, object]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def _rss_mb(pid: int) -> float | None:
    """Resident memory of a process (the server is one), in MB."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            kb = next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))
        return round(kb / 1024, 1)
    except (OSError, StopIteration):
        return None


def _served(db: str, region: str, wait: float, src: str | None) -> dict:
    """First and warm answers of the region and lead pages from ``zhaoshang serve`` through HTTP."""
    from bench_first_view import _get, serving

    out: dict = {}
    with serving(db, src) as (proc, base, started):
        out["server_start_seconds"] = round(started, 2)
        out["rss_after_start_mb"] = _rss_mb(proc.pid)
        time.sleep(wait)
        out["rss_before_first_request_mb"] = _rss_mb(proc.pid)
        for name, path in (("region", f"/region/{region}"), ("leads", f"/leads?region={region}")):
            first, status, _ = _get(base + path)
            again, _, _ = _get(base + path)
            assert status == 200, (path, status)
            out[f"{name}_first_seconds"], out[f"{name}_again_seconds"] = round(first, 2), round(again, 3)
        out["rss_end_mb"] = _rss_mb(proc.pid)
    return out


def demo_database(db: str | None) -> str:
    """``db``, or a demo database built for the run (``zhaoshang demo --no-serve``) in a temporary folder."""
    if db:
        return db
    db = str(Path(tempfile.mkdtemp()) / "demo.duckdb")
    exe = Path(sys.executable).with_name("zhaoshang")
    subprocess.run([str(exe), "demo", "--no-serve", "--db", db], check=True, capture_output=True)
    return db


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db")
    ap.add_argument("--region")
    ap.add_argument("--serve", action="store_true", help="the real server, through HTTP")
    ap.add_argument("--wait", type=float, default=0.0, help="with --serve: seconds between the start and the first request")
    ap.add_argument("--src", help="with --serve: another checkout's src for the server")
    a = ap.parse_args()
    db = demo_database(a.db)
    from zhaoshang.core.store import Store
    from zhaoshang.interfaces.web.app import create_app
    from zhaoshang.services.reference import default_region
    from zhaoshang.services.region_profile import region_profile

    if not a.region:
        with Store(db, read_only=True) as store:
            a.region = default_region(store)
    if a.serve:
        out = _served(db, a.region, a.wait, a.src)
        out["ratio"] = round(out["region_first_seconds"] / max(out["region_again_seconds"], 1e-3), 1)
        print(json.dumps({"benchmark": "region_page_served", "region": a.region, "wait_seconds": a.wait,
                          "src": a.src or "installed", **out,
                          "load_average": [round(x, 2) for x in os.getloadavg()]}, ensure_ascii=False))
        return
    from fastapi.testclient import TestClient

    c = TestClient(create_app(db), base_url="http://127.0.0.1")  # the local user: no login
    page = f"/region/{a.region}"
    pdf = f"/api/region-profile/{a.region}/report"
    first, r1 = _timed(lambda: c.get(page))
    again, r2 = _timed(lambda: c.get(page))
    pdf_first, p1 = _timed(lambda: c.get(pdf, params={"format": "pdf"}))
    pdf_again, p2 = _timed(lambda: c.get(pdf, params={"format": "pdf"}))
    assert r1.status_code == r2.status_code == p1.status_code == p2.status_code == 200
    with Store(db, read_only=True) as store:
        warm, _ = _timed(lambda: region_profile(store, a.region))
    print(json.dumps({"benchmark": "region_page", "region": a.region, "page_first_seconds": round(first, 2),
                      "page_again_seconds": round(again, 3), "pdf_first_seconds": round(pdf_first, 2),
                      "pdf_again_seconds": round(pdf_again, 3), "pdf_bytes": len(p1.content),
                      "same_pdf": p1.content == p2.content, "service_warm_seconds": round(warm, 2),
                      "ratio": round(first / warm, 1), "load_average": [round(x, 2) for x in os.getloadavg()]},
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
