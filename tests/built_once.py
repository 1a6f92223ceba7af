"""Test databases built once per test run and copied: a DuckDB file copies in milliseconds, building one (a new
schema, the region table, thousands of inserts) takes seconds, and many modules and tests start from the same
seeded fixture. The first worker to ask builds it under a lock in the run's temp folder; every caller gets a
private copy to read or change, so a test still passes alone and no test sees another's writes."""

from __future__ import annotations

import fcntl
import json
import shutil
from pathlib import Path
from typing import Callable

# The run's shared temp folder (tests/conftest.py sets it at the start of the session). None outside a test run,
# or before the session starts (a module building at collection): then every build is made in place.
FOLDER: Path | None = None


def run_folder(tmp_path_factory) -> Path:
    """The temp folder the whole run shares: the workers' base temps are its children under xdist."""
    import os

    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def built(key: str, make: Callable[[Path], dict | None], suffix: str = ".duckdb") -> tuple[Path, dict | None]:
    """The file ``make(path)`` writes, made once per run under ``key``: ``(its path, what make returned)``. The
    file is the run's own: copy it (``copy_to``) before changing it. ``path`` ends with ``suffix`` (a database by
    default; a report's format for a report)."""
    assert FOLDER is not None
    folder = FOLDER / "built-once"
    folder.mkdir(parents=True, exist_ok=True)
    db, done = folder / f"{key}{suffix}", folder / f"{key}.json"
    with open(folder / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            for stale in folder.glob(f"{key}.*"):  # what a build that failed half-way left
                if stale.suffix != ".lock":
                    stale.unlink()
            done.write_text(json.dumps(make(db), ensure_ascii=False), encoding="utf-8")
    return db, json.loads(done.read_text(encoding="utf-8"))


def copy_to(src: Path, path: Path | str) -> Path:
    """A private copy of the built database file ``src`` at ``path``, with what lies beside it under its name: its
    write-ahead log and its team state (``NAME.team.sqlite``, which the command line creates), if any."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, path)
    for name, to in ((src.name + ".wal", path.name + ".wal"), (src.stem + ".team.sqlite", path.stem + ".team.sqlite")):
        if (src.parent / name).exists():
            shutil.copyfile(src.parent / name, path.with_name(to))
    return path


def build_or_copy(path: Path | str, key: str, make: Callable[[Path], dict | None]) -> dict | None:
    """``make(path)``'s result, with ``path`` holding what it writes: a copy of the run's one build of ``key`` —
    or ``make`` run in place outside a test session, or when ``path`` already holds a file (``make`` adds to it)."""
    if FOLDER is None or Path(path).exists():
        return make(Path(path))
    src, result = built(key, make)
    copy_to(src, path)
    return result
