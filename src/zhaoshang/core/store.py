"""The DuckDB store: opening the file, creating the schema, transactions and id allocation.

Everything reads and writes through a ``Store``; services receive one and never open files themselves.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

from .errors import UserError
from .schema import DDL, SCHEMA_VERSION

DEFAULT_DB = "zhaoshang.duckdb"


def default_db_path() -> str:
    return os.environ.get("ZHAOSHANG_DB") or DEFAULT_DB


class Store:
    """One DuckDB database file (or ``:memory:``) with the Zhaoshang schema."""

    def __init__(self, path: str | os.PathLike | None = None, read_only: bool = False):
        self.path = str(path or default_db_path())
        if read_only and self.path != ":memory:" and not Path(self.path).exists():
            raise UserError(f"数据库不存在: {self.path}（先运行 zhaoshang import 或 zhaoshang demo）")
        try:
            self.con = duckdb.connect(self.path, read_only=read_only)
        except duckdb.IOException as exc:
            raise UserError(f"无法打开数据库 {self.path}: {exc}") from exc
        self.read_only = read_only
        self.con.execute("SET enable_progress_bar = false")  # our own progress goes to stderr, only on a terminal
        if not read_only:
            self.ensure_schema()

    # -- schema ---------------------------------------------------------------
    def ensure_schema(self) -> None:
        self.con.execute(DDL)
        self.con.execute(
            "INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT (key) DO NOTHING", [str(SCHEMA_VERSION)]
        )
        if self.con.execute("SELECT count(*) FROM regions").fetchone()[0] == 0:
            from .geo.regions import load_regions_into

            load_regions_into(self.con)

    # -- transactions ---------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All-or-nothing: an exception (or a kill) leaves the database as before."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        else:
            self.con.execute("COMMIT")

    # -- helpers --------------------------------------------------------------
    def next_id(self, table: str, column: str = "id") -> int:
        return int(self.con.execute(f"SELECT coalesce(max({column}), 0) + 1 FROM {table}").fetchone()[0])

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        self.con.execute(
            "INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, value]
        )

    @property
    def synthetic(self) -> bool:
        """True when the database holds the synthetic demo data (every interface then shows the label)."""
        return self.get_meta("synthetic") == "true"

    def query(self, sql: str, params: list | None = None) -> list[dict]:
        cur = self.con.execute(sql, params or [])
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row)) for row in cur.fetchall()]

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
