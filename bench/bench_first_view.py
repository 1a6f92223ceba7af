"""Benchmark: the first view of a page after the server starts (cold), as an analyst meets it.

For each page, starts ``zhaoshang --db DB serve`` in a fresh process on a free port, waits until it accepts
connections, optionally waits ``--wait`` more seconds (an analyst opening the browser after starting the server),
then times the page's first request and a second one (the answer cache), and stops the server. ``--wait 0`` asks at
once: whatever the server prepares in the background is still being prepared. Run it with another checkout's
``src`` on ``PYTHONPATH`` (``--src``) for the before column. Prints one JSON line per page with the load average.

    .venv/bin/python bench/bench_first_view.py --db FILE [--wait 0] [--src DIR] [--no-warm-up] /region/330100 /match/demand/179
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[float, int, int]:
    t = time.perf_counter()
    with urllib.request.urlopen(url, timeout=600) as r:
        body = r.read()
        status = r.status
    return time.perf_counter() - t, status, len(body)


@contextmanager
def serving(db: str, src: str | None = None, warm: bool = True) -> Iterator[tuple[subprocess.Popen, str, float]]:
    """``zhaoshang --db DB serve`` in a fresh process on a free loopback port (``src``: another checkout's source;
    ``warm=False``: ``serve --no-warm-up``) until the block ends: the process, its base URL and the seconds until it
    accepted connections."""
    env = dict(os.environ, **({"PYTHONPATH": src} if src else {}))
    exe = str(Path(sys.executable).with_name("zhaoshang"))
    port = _free_port()
    t0 = time.perf_counter()
    proc = subprocess.Popen([exe, "--db", db, "serve", "--host", "127.0.0.1", "--port", str(port)]
                            + ([] if warm else ["--no-warm-up"]), env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if proc.poll() is not None:
                    raise SystemExit(f"the server stopped (exit {proc.returncode})")
                time.sleep(0.05)
        yield proc, f"http://127.0.0.1:{port}", time.perf_counter() - t0
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--wait", type=float, default=0.0)
    ap.add_argument("--src")
    ap.add_argument("--no-warm-up", action="store_true", help="serve --no-warm-up: the first request prepares what it needs")
    ap.add_argument("pages", nargs="+")
    a = ap.parse_args()
    for page in a.pages:
        with serving(a.db, a.src, warm=not a.no_warm_up) as (_, base, started):
            time.sleep(a.wait)
            first, status, size = _get(base + page)
            again, _, _ = _get(base + page)
        print(json.dumps({"benchmark": "first_view", "page": page, "src": a.src or "installed", "wait_seconds": a.wait,
                          "warm_up": not a.no_warm_up,
                          "server_start_seconds": round(started, 2), "first_seconds": round(first, 2),
                          "again_seconds": round(again, 3), "status": status, "bytes": size,
                          "load_average": [round(x, 2) for x in os.getloadavg()]}, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
