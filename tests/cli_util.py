"""Running the real ``zhaoshang`` console script in tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).with_name("zhaoshang")


def run(*args, db: Path | str | None = None, check: bool = True, env: dict | None = None, timeout: int = 600,
        cwd: Path | str | None = None, input: str | None = None) -> subprocess.CompletedProcess:
    cmd = [str(BIN)]
    if db is not None:
        cmd += ["--db", str(db)]
    cmd += [str(a) for a in args]
    full_env = dict(os.environ)
    full_env.pop("ZHAOSHANG_DB", None)
    full_env.pop("ZHAOSHANG_TEAM_DB", None)
    full_env.update(env or {})
    proc = subprocess.run(cmd, capture_output=True, text=True, env=full_env, timeout=timeout, cwd=cwd,
                          input=input if input is not None else "")
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    return proc


def run_json(*args, db=None, **kw):
    proc = run(*args, "--format", "json", db=db, **kw)
    return json.loads(proc.stdout)


def q(db, sql, params=None):
    """The rows of ``sql`` on the database file ``db``, opened read-only for the query."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
