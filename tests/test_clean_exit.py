"""A process ends cleanly while the server's background threads work (core/background.py): the warm-up, the alert
schedule, the event tail and the feed schedule are stopped, their DuckDB queries interrupted and the threads
joined — at exit (an ``atexit`` hook: the CLI, a test run) and in the app's lifespan (``zhaoshang serve`` stopped
with Ctrl-C). A daemon thread still inside DuckDB when the interpreter ends aborts the process ("terminate called …
/ FATAL: exception not rethrown", exit code 134)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

from cli_util import BIN
from graph_fixture import build

HERE = Path(__file__).parent
ROUNDS = 4

# the server's background work as ``serve`` starts it, made busy (a round without pause), then the process exits
SCRIPT = textwrap.dedent("""
    import sys, time
    from zhaoshang.core import background
    from zhaoshang.interfaces.web.app import create_app, start_background
    app = create_app(sys.argv[1], warm=True)
    start_background(app)
    app.state.event_tail.interval = 0.0
    time.sleep(float(sys.argv[2]))
    assert {"zhaoshang-alerts", "zhaoshang-event-tail"} <= {w.name for w in background.live()}
""")


def _env() -> dict:
    env = dict(os.environ, ZHAOSHANG_ALERT_INTERVAL="0")
    env["PYTHONPATH"] = os.pathsep.join([str(HERE.parent / "src"), env.get("PYTHONPATH", "")])
    return env


def _aborted(stderr: str) -> bool:
    return "terminate called" in stderr or "exception not rethrown" in stderr


def test_a_process_exits_cleanly_while_the_background_threads_query(tmp_path):
    db = build(tmp_path / "g.duckdb")
    script = tmp_path / "busy.py"
    script.write_text(SCRIPT)
    for i in range(ROUNDS):
        pause = ("0.05", "0.3", "1.0", "0.6")[i % 4]
        proc = subprocess.run([sys.executable, str(script), str(db), pause], capture_output=True, text=True,
                              env=_env(), timeout=120)
        assert proc.returncode == 0 and not _aborted(proc.stderr), (i, pause, proc.returncode, proc.stderr[-2000:])


def test_the_lifespan_stops_and_joins_the_apps_threads(tmp_path):
    from web_util import local_client

    from zhaoshang.core import background
    from zhaoshang.interfaces.web.app import create_app, start_background

    db = build(tmp_path / "g.duckdb")
    app = create_app(str(db), warm=True)
    with local_client(app) as client:
        start_background(app)
        assert client.get("/api/events").status_code == 200
        mine = [w for w in background.live() if w.owner is app.state.served]
        assert {w.name for w in mine} >= {"zhaoshang-alerts", "zhaoshang-event-tail"}
    assert not [w for w in background.live() if w.owner is app.state.served]
    assert not any(w.thread.is_alive() for w in mine)


def test_serve_stopped_with_ctrl_c_exits_cleanly(tmp_path):
    db = build(tmp_path / "g.duckdb")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([str(BIN), "--db", str(db), "serve", "--port", str(port)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=_env())
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/events", timeout=5).read()
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.poll() else ""
                time.sleep(0.2)
        time.sleep(0.5)  # the alert schedule and the event tail at work
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0 and not _aborted(err), (proc.returncode, err[-2000:])
