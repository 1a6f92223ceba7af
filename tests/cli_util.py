"""Running the real ``zhaoshang`` command in tests: warm-started by default (``cli_warm``), the console script itself
with ``fresh=True``."""

from __future__ import annotations

import atexit
import io
import json
import locale
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BIN = Path(sys.executable).with_name("zhaoshang")
COLD = os.environ.get("ZHAOSHANG_TESTS_COLD_CLI", "") not in ("", "0")  # every run starts the console script


def run(*args, db: Path | str | None = None, check: bool = True, env: dict | None = None, timeout: int = 600,
        cwd: Path | str | None = None, input: str | None = None, fresh: bool = False) -> subprocess.CompletedProcess:
    """Run ``zhaoshang`` with ``args``: warm-started (``cli_warm``) unless ``fresh`` asks for the console script
    itself, or the environment sets an interpreter or locale variable the warm server has already read."""
    cmd = [str(BIN)]
    if db is not None:
        cmd += ["--db", str(db)]
    cmd += [str(a) for a in args]
    full_env = dict(os.environ)
    full_env.pop("ZHAOSHANG_DB", None)
    full_env.pop("ZHAOSHANG_TEAM_DB", None)
    full_env.update(env or {})
    stdin = input if input is not None else ""
    if fresh or COLD or any(k.startswith(_WarmServer.START_ONLY) for k in (env or {})):
        proc = _cold(cmd, full_env, cwd, stdin, timeout)
    else:
        proc = _WARM.run(cmd, full_env, str(cwd or os.getcwd()), stdin, timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    return proc


def _cold(cmd: list[str], env: dict, cwd, stdin: str, timeout: float) -> subprocess.CompletedProcess:
    """The console script itself, in a process started for this run."""
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout, cwd=cwd, input=stdin)


class _WarmServer:
    """This process's ``cli_warm`` server, started at the first run; a run while another is under way (a test's
    threads) starts the console script instead."""

    # variables an interpreter reads once at its start (or the server's preloads read when they load): a run or a
    # served process whose environment sets them otherwise than the server's starts the console script instead
    START_ONLY = ("PYTHON", "LC_", "LANG", "TZ")

    def __init__(self):
        self.sock = None
        self.server = None
        self.lock = threading.Lock()
        self.exited: dict[int, int] = {}  # detached children's exit codes, as the server reported them
        self.started_env: dict = {}

    def _start(self) -> None:
        mine, theirs = socket.socketpair()
        self.server = subprocess.Popen([sys.executable, str(Path(__file__).with_name("cli_warm.py")), str(theirs.fileno()),
                                        str(BIN.parent)],
                                       pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        theirs.close()
        self.sock = mine
        self.pending = b""
        self.exited = {}
        self.started_env = {k: v for k, v in os.environ.items() if k.startswith(self.START_ONLY)}
        atexit.register(self._stop)

    def _stop(self) -> None:
        """Close the server's socket (its loop ends) and wait for it, so its children's time is counted as ours."""
        if self.server is not None:
            self.sock.close()
            self.server.wait(timeout=60)
            self.server = None

    def run(self, cmd: list[str], env: dict, cwd: str, stdin: str, timeout: float) -> subprocess.CompletedProcess:
        if not self.lock.acquire(blocking=False):
            return _cold(cmd, env, cwd, stdin, timeout)
        try:
            if self.server is None or self.server.poll() is not None:
                self._start()
            with tempfile.TemporaryFile() as i, tempfile.TemporaryFile() as o, tempfile.TemporaryFile() as e:
                i.write(stdin.encode())
                i.seek(0)
                mask = os.umask(0o22)  # read (and put back) the caller's: a child of the caller would inherit it
                os.umask(mask)
                request = {"argv0": cmd[0], "args": cmd[1:], "env": env, "cwd": cwd, "umask": mask}
                socket.send_fds(self.sock, [json.dumps(request).encode()], [i.fileno(), o.fileno(), e.fileno()])
                pid = self._answer()["pid"]
                try:
                    code = self._answer(timeout)["status"]
                except TimeoutError:
                    os.kill(pid, signal.SIGKILL)
                    self._answer()  # the server has reaped it
                    raise subprocess.TimeoutExpired(cmd, timeout) from None
                except BaseException:  # interrupted while waiting: the run and its server go, the next run starts anew
                    os.kill(pid, signal.SIGKILL)
                    self.server.kill()
                    self.sock.close()
                    self.server = None
                    raise
                out, err = (_text(f) for f in (o, e))
            return subprocess.CompletedProcess(cmd, code, out, err)
        finally:
            self.lock.release()

    def _answer(self, timeout: float | None = None) -> dict:
        """The server's next answer line to the request under way (a detached child's exit, which may come between,
        is noted in ``exited``); TimeoutError when none comes within ``timeout`` seconds."""
        while True:
            line = self._line(timeout)
            if "exited" not in line:
                return line
            self.exited[line["exited"]] = line["status"]

    def _line(self, timeout: float | None) -> dict:
        self.sock.settimeout(timeout)
        try:
            while b"\n" not in self.pending:
                chunk = self.sock.recv(4096)
                if not chunk:
                    raise RuntimeError(f"the warm command server ended (exit {self.server.wait()})")
                self.pending += chunk
        finally:
            self.sock.settimeout(None)
        line, self.pending = self.pending.split(b"\n", 1)
        return json.loads(line)

    def spawn(self, cmd: list[str], env: dict, cwd: str) -> "Detached | None":
        """Start ``cmd`` (a server) forked from the warm server and return at once; None when it must be the console
        script (cold runs asked, an interpreter variable set otherwise than the server's, another run under way)."""
        if COLD or not self.lock.acquire(timeout=60):
            return None
        try:
            if self.server is None or self.server.poll() is not None:
                self._start()
            if {k: v for k, v in env.items() if k.startswith(self.START_ONLY)} != self.started_env:
                return None
            out = tempfile.TemporaryFile()
            mask = os.umask(0o22)
            os.umask(mask)
            request = {"argv0": cmd[0], "args": cmd[1:], "env": env, "cwd": cwd, "umask": mask, "detach": True}
            with open(os.devnull, "rb") as null:
                socket.send_fds(self.sock, [json.dumps(request).encode()], [null.fileno(), out.fileno(), out.fileno()])
            return Detached(self, self._answer()["pid"], out)
        finally:
            self.lock.release()

    def status(self, pid: int, timeout: float | None) -> int | None:
        """A detached child's exit code once the server has reported it; None while it still runs after ``timeout``
        seconds (0: a look without waiting)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while pid not in self.exited:
            left = None if deadline is None else max(0.001, deadline - time.monotonic())
            if not self.lock.acquire(timeout=-1 if left is None else left):
                return None
            try:
                if pid not in self.exited:  # no run is under way while the lock is held: a line is an exit
                    line = self._line(left)
                    self.exited[line["exited"]] = line["status"]
            except TimeoutError:
                return None
            finally:
                self.lock.release()
        return self.exited[pid]


class Detached:
    """A server forked by the warm server (``_WarmServer.spawn``), read and stopped as ``subprocess.Popen`` is:
    ``poll``, ``terminate``, ``kill``, ``wait`` and its output (standard output and error together)."""

    def __init__(self, warm: _WarmServer, pid: int, out):
        self.warm, self.pid, self.out = warm, pid, out

    def poll(self) -> int | None:
        return self.warm.status(self.pid, 0)

    def terminate(self) -> None:
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        self._signal(signal.SIGKILL)

    def _signal(self, sig: int) -> None:
        if self.pid not in self.warm.exited:
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass

    def wait(self, timeout: float | None = None) -> int:
        code = self.warm.status(self.pid, timeout)
        if code is None:
            raise subprocess.TimeoutExpired(str(self.pid), timeout)
        self.out.close()
        return code

    def output(self) -> str:
        self.out.seek(0)
        return self.out.read().decode(errors="replace")


def spawn(cmd: list[str]) -> "Detached | subprocess.Popen":
    """Start a long-running ``zhaoshang`` (``serve``) with this process's environment: forked warm when it can be,
    else the console script (``Popen`` with standard output and error on one pipe)."""
    proc = _WARM.spawn(cmd, dict(os.environ), os.getcwd())
    if proc is None:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        proc.output = lambda: proc.stdout.read().decode(errors="replace")
    return proc


def _text(f) -> str:
    """A stream's bytes as ``subprocess.run(text=True)`` gives them: the locale's encoding, universal newlines."""
    f.seek(0)
    return io.TextIOWrapper(io.BytesIO(f.read()), encoding=locale.getpreferredencoding(False)).read()


_WARM = _WarmServer()


def run_json(*args, db=None, **kw):
    proc = run(*args, "--format", "json", db=db, **kw)
    return json.loads(proc.stdout)


def import_texts(db, folder, files) -> Path:
    """Import CSV texts through the real CLI into ``db``: ``files`` = (kind, file name, source, text), in order."""
    for kind, name, source, text in files:
        (Path(folder) / name).write_text(text, encoding="utf-8")
        run("import", kind, Path(folder) / name, "--source", source, db=db)
    return Path(db)


def card_signals(doc: dict) -> dict:
    """A scorecard's contributions (``score --format json``) by signal name."""
    return {c["signal"]: c for d in doc["dimensions"].values() for c in d["contributions"]}


def q(db, sql, params=None):
    """The rows of ``sql`` on the database file ``db``, opened read-only for the query."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
