"""A real PostgreSQL server for tests: Debian's ``postgresql`` binaries, a temporary cluster on a loopback port.

Run as root, the cluster belongs to the ``postgres`` system user (the server refuses to run as root). Tests
that need it skip cleanly only when the binaries are absent.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from contextlib import contextmanager
from typing import Iterator

import pytest


def _bindir() -> str | None:
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True):
        if os.path.exists(os.path.join(d, "initdb")) and os.path.exists(os.path.join(d, "pg_ctl")):
            return d
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb and shutil.which("pg_ctl") else None


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a throw-away cluster; yields its URL (trust authentication on 127.0.0.1 only)."""
    from web_util import free_port

    bindir = _bindir()
    if bindir is None:
        pytest.skip("PostgreSQL binaries not installed (make setup-system installs Debian's postgresql)")
    base = tempfile.mkdtemp(prefix="zs-pg-")
    data = os.path.join(base, "data")
    prefix: list[str] = []
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        os.chown(base, pw.pw_uid, pw.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    port = free_port()

    def run(*cmd: str) -> None:
        proc = subprocess.run(prefix + list(cmd), capture_output=True, text=True, timeout=120)
        if proc.returncode:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}")

    run(f"{bindir}/initdb", "-D", data, "-A", "trust", "-U", "zs", "-E", "UTF8", "--locale=C", "--no-sync")
    opts = f"-c listen_addresses=127.0.0.1 -p {port} -k {base} -c fsync=off -c max_connections=60"
    run(f"{bindir}/pg_ctl", "-D", data, "-o", opts, "-l", os.path.join(base, "log"), "-w", "-t", "60", "start")
    try:
        yield f"postgresql://zs@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(prefix + [f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)


def fresh_schema(server_url: str) -> str:
    """A new empty schema on the server; the returned URL makes it the connection's search path."""
    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(server_url, autocommit=True) as con:
        con.execute(f"CREATE SCHEMA {name}")
    return f"{server_url}?options=-csearch_path%3D{name}"
