"""Benchmark: the web server under load — N concurrent users over a mix of pages and API calls.

Starts a real ``zhaoshang serve`` on a free loopback port over the demo database (built here with
``zhaoshang demo --no-serve`` unless ``--db`` is given), then runs ``--users`` threads for ``--duration``
seconds (bounded also by ``--max-requests``), each one a user walking a weighted mix of pages and JSON twins
with its own distinct parameters (region codes, as-of dates, pages of the list, free-text search). It
samples the server's resident memory every second. Prints one JSON document: requests, errors (any
status ≥ 400 or transport error), throughput, p50/p95/p99 latency overall and per kind, and the
server's memory (start, peak, end). Reference, side by side: the same mix by a single user (the latency
without contention); ``ratio`` = p95 under load / p95 of the single user.

Loopback only; not part of ``make test``.

    .venv/bin/python bench/bench_load.py [--db PATH] [--users 50] [--duration 300] [--max-requests 200000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from web_util import free_port  # noqa: E402  (the tests' loopback port helper)

EXE = shutil.which("zhaoshang", path=str(Path(sys.executable).parent)) or "zhaoshang"
REGIONS = ["110000", "310000", "330000", "440000", "320000", "510000", "330100", "440300", "110108", "320500"]
DATES = [f"{y}-{m:02d}-{d:02d}" for y in range(2018, 2026) for m in (1, 4, 7, 10) for d in (1, 15)]


def mix(rng: random.Random) -> tuple[str, str]:
    """(kind, url) of one request: what an analyst's browser asks for, with varied parameters."""
    region, as_of = rng.choice(REGIONS), rng.choice(DATES)
    choices = [
        (12, "page", "/map"),
        (10, "api", f"/api/map?level={rng.choice(['province', 'city'])}&as_of={as_of}"),
        (8, "api", f"/api/regions/{region}?as_of={as_of}"),
        (8, "page", f"/chain?region={region}"),
        (8, "api", f"/api/chain?region={region}&as_of={as_of}"),
        (10, "page", f"/enterprises?region={region}&page={rng.randint(1, 5)}"),
        (10, "api", f"/api/enterprises?region={region}&page={rng.randint(1, 20)}&size=50"),
        (6, "api", f"/api/enterprises?q={rng.choice(['智能', '科技', '机器人', '芯片', '数据'])}"),
        (6, "page", f"/enterprises/{rng.randint(1, 3000)}"),
        (5, "api", f"/api/region-profile/{rng.choice(REGIONS[:6])}?as_of={as_of}"),
        (4, "page", f"/region/{rng.choice(REGIONS[:6])}"),
        (4, "api", f"/api/trends?region={rng.choice(REGIONS[:6])}"),
        (3, "api", "/api/meta"),
        (3, "api", "/api/facets"),
        (3, "api", f"/api/geo/{rng.choice(['100000', '330000', '440000'])}"),
    ]
    weights = [c[0] for c in choices]
    _, kind, url = rng.choices(choices, weights)[0]
    return kind, url


def start_server(db: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([EXE, "--db", db, "serve", "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(base + "/api/meta", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise SystemExit("server exited: " + proc.stderr.read().decode())
        time.sleep(0.1)
    raise SystemExit("server did not start")


def run_users(base: str, users: int, duration: float, max_requests: int, seed: int) -> dict:
    results: list[tuple[str, float, int | str]] = []
    lock = threading.Lock()
    stop = time.monotonic() + duration
    count = [0]

    def user(i: int) -> None:
        rng = random.Random(seed * 1000 + i)
        with httpx.Client(base_url=base, timeout=120) as c:
            while time.monotonic() < stop:
                with lock:
                    if count[0] >= max_requests:
                        return
                    count[0] += 1
                kind, url = mix(rng)
                t0 = time.perf_counter()
                try:
                    status: int | str = c.get(url).status_code
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                dt = time.perf_counter() - t0
                with lock:
                    results.append((kind, dt, status if isinstance(status, str) else status, url))

    t0 = time.monotonic()
    threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(duration + 180)
    wall = time.monotonic() - t0
    return {"results": results, "wall": wall}


def pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    v = sorted(values)
    return round(v[min(len(v) - 1, int(q * len(v)))] * 1000, 1)


def summarise(res: dict) -> dict:
    rows = res["results"]
    lat = [r[1] for r in rows]
    errors = [r for r in rows if not isinstance(r[2], int) or r[2] >= 400]
    out = {"requests": len(rows), "errors": len(errors), "seconds": round(res["wall"], 1),
           "rps": round(len(rows) / res["wall"], 1) if res["wall"] else 0,
           "p50_ms": pct(lat, 0.50), "p95_ms": pct(lat, 0.95), "p99_ms": pct(lat, 0.99),
           "mean_ms": round(statistics.mean(lat) * 1000, 1) if lat else 0,
           "by_kind": {k: {"requests": len(v), "p50_ms": pct(v, 0.5), "p95_ms": pct(v, 0.95)}
                       for k in ("page", "api") for v in [[r[1] for r in rows if r[0] == k]]}}
    if errors:
        out["error_samples"] = [{"url": r[3], "status": r[2]} for r in errors[:10]]
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db")
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--duration", type=float, default=300)
    ap.add_argument("--max-requests", type=int, default=200_000)
    ap.add_argument("--reference-seconds", type=float, default=30)
    ap.add_argument("--seed", type=int, default=5)
    a = ap.parse_args()
    tmp = None
    db = a.db
    if not db:
        tmp = tempfile.mkdtemp(prefix="zhaoshang-bench-load-")
        db = os.path.join(tmp, "demo.duckdb")
        sys.stderr.write("building the demo database…\n")
        subprocess.run([EXE, "--db", db, "demo", "--no-serve"], check=True, stdout=subprocess.DEVNULL)
    proc, base = start_server(db)
    try:
        server = psutil.Process(proc.pid)
        mem = {"start": server.memory_info().rss}
        peak = [mem["start"]]
        sampling = threading.Event()

        def sample() -> None:
            while not sampling.wait(1.0):
                try:
                    peak.append(server.memory_info().rss)
                except psutil.Error:
                    return

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        sys.stderr.write(f"reference: 1 user for {a.reference_seconds:.0f} s\n")
        ref = summarise(run_users(base, 1, a.reference_seconds, a.max_requests, a.seed + 1))
        sys.stderr.write(f"load: {a.users} users for {a.duration:.0f} s\n")
        load = summarise(run_users(base, a.users, a.duration, a.max_requests, a.seed))
        sampling.set()
        mem["end"] = server.memory_info().rss
        mem["peak"] = max(peak + [mem["end"]])
    finally:
        proc.terminate()
        proc.wait(30)
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    mb = {k: round(v / 2**20, 1) for k, v in mem.items()}
    doc = {"benchmark": "load", "users": a.users, "duration_s": a.duration, "db": a.db or "demo (default scale)",
           "load": load, "reference_single_user": ref,
           "ratio_p95": round(load["p95_ms"] / ref["p95_ms"], 2) if ref["p95_ms"] else None,
           "server_rss_mb": mb,
           "machine": {"cpus": os.cpu_count(), "load_avg": [round(x, 2) for x in os.getloadavg()],
                       "python": platform.python_version(), "platform": platform.platform()}}
    print(json.dumps(doc, ensure_ascii=False, indent=1))
    return 0 if load["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
