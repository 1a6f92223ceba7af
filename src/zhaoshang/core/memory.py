"""Memory caps of the batch steps, in one place: the import (``ZHAOSHANG_IMPORT_MEMORY``) and the whole-population
passes — classification, ``score all``, lead mining (``ZHAOSHANG_BATCH_MEMORY``).

DuckDB's buffer pool defaults to 80 % of the machine's RAM: a 10 M-enterprise pass would take whatever the
machine has. A cap sets DuckDB's ``memory_limit`` to three quarters of it (the rest is the process's own:
Python, the model, one chunk of rows) and lets it spill to a temp directory beyond that; the previous
settings come back when the step ends, so a served database keeps its own.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from contextlib import contextmanager
from typing import Iterator

import duckdb

from .errors import UserError

IMPORT_VAR, IMPORT_DEFAULT = "ZHAOSHANG_IMPORT_MEMORY", "1GB"
BATCH_VAR, BATCH_DEFAULT = "ZHAOSHANG_BATCH_MEMORY", "2GB"
# DuckDB's share of a cap; the rest is the process's own (Python, the region parser or the model, one chunk of
# rows, and what DuckDB allocates outside its buffer manager)
DUCKDB_SHARE = 3 / 4
# an import's share is smaller: beside DuckDB's buffer pool it holds the CSV reader's buffers, the region parser
# and the chunks of distinct values parsed in Python (at 10 M rows three quarters left the process at the cap)
IMPORT_SHARE = 0.6
_SIZE = re.compile(r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.I)


def cap_bytes(var: str, default: str) -> int:
    """The cap named by the setting ``var`` (a size such as 2GB or 512MB) in bytes; one clear line when malformed."""
    value = os.environ.get(var, default).strip()
    if not _SIZE.fullmatch(value):
        raise UserError(f"设置 {var} 应为内存大小（如 2GB、512MB）: {value}",
                        en=f"{var} must be a memory size (e.g. 2GB, 512MB): {value}")
    from .readers.limits import _bytes

    return _bytes(value.replace(" ", ""))


def duckdb_limit(var: str, default: str, share: float = DUCKDB_SHARE) -> str:
    """DuckDB's ``memory_limit`` for a step capped by ``var``: its share of the cap, read at each call so a
    deployment (or a test) can lower it."""
    return f"{int(cap_bytes(var, default) * share) // 1024}KiB"


def batch_default() -> str:
    """A batch pass takes the import's cap when only that one is set (one setting for the machine), else 2GB."""
    return os.environ.get(IMPORT_VAR, "").strip() or BATCH_DEFAULT


@contextmanager
def capped(con, var: str = BATCH_VAR, default: str | None = None,
           share: float = DUCKDB_SHARE) -> Iterator[str]:
    """Run a step under the memory cap ``var``: DuckDB's limit lowered (never raised above an existing lower
    one), spilling to the database's temp directory — or the system's for an in-memory database — and the
    previous limit restored afterwards. Yields the limit set.

    ``share``: DuckDB's part of the cap (an import's is smaller, see ``IMPORT_SHARE``)."""
    from .readers.limits import _bytes

    limit = duckdb_limit(var, default or (batch_default() if var == BATCH_VAR else IMPORT_DEFAULT), share)
    prev_limit, prev_temp = con.execute(
        "SELECT current_setting('memory_limit'), current_setting('temp_directory')").fetchall()[0]
    if _bytes(prev_limit) < _bytes(limit):
        limit = prev_limit
    con.execute(f"SET memory_limit = '{limit}'")
    if prev_temp in ("", ".tmp"):  # an in-memory database: spill under the system's temp dir, not the cwd
        try:
            con.execute(f"SET temp_directory = '{os.path.join(tempfile.gettempdir(), f'zhaoshang-{os.getpid()}.tmp')}'")
        except duckdb.Error:  # the default one is in use already: DuckDB keeps it
            pass
    try:
        yield limit
    finally:
        con.execute("RESET memory_limit")  # exact when it was the default (the setting reads back rounded)
        if con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0] != prev_limit:
            con.execute(f"SET memory_limit = '{prev_limit}'")


def id_ranges(con, table: str, per: int) -> list[tuple[int, int]]:
    """Ranges of ``table``'s ids holding about ``per`` rows each (equal widths between its least and greatest
    id): the unit of work of the steps that would otherwise hold every enterprise at once."""
    total, lo, hi = con.execute(f"SELECT count(*), min(id), max(id) FROM {table}").fetchone()
    if not total:
        return []
    step = max(1, math.ceil((hi - lo + 1) / math.ceil(total / per)))
    return [(start, start + step - 1) for start in range(lo, hi + 1, step)]
