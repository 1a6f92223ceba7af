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

    .venv/bin/python bench/bench_region_page.py [--db PATH] [--region CODE]
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db")
    ap.add_argument("--region")
    a = ap.parse_args()
    db = a.db
    if not db:
        db = str(Path(tempfile.mkdtemp()) / "demo.duckdb")
        exe = Path(sys.executable).with_name("zhaoshang")
        subprocess.run([str(exe), "demo", "--no-serve", "--db", db], check=True, capture_output=True)
    from fastapi.testclient import TestClient

    from zhaoshang.core.store import Store
    from zhaoshang.interfaces.web.app import create_app
    from zhaoshang.services.reference import default_region
    from zhaoshang.services.region_profile import region_profile

    if not a.region:
        with Store(db, read_only=True) as store:
            a.region = default_region(store)
    c = TestClient(create_app(db))
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
