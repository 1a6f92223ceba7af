"""The DuckDB store: opening the file, creating the schema, transactions and id allocation.

Everything reads and writes through a ``Store``; services receive one and never open files themselves.
Every statement runs through ``store.con``, a ``Connection`` around the engine's own: a failing statement's
error carries the statement (``exc.statement`` and a note in the traceback), and with
``ZHAOSHANG_TRACE_SQL=1`` each statement and its time go to stderr. Engine-specific SQL lives in
``core.dialect``; docs/architecture.md, "The engine seam", says how another engine plugs in.
"""

from __future__ import annotations

import errno
import os
import re
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

from . import dialect
from .errors import UserError
from .geo import regions
from .schema import DDL, SCHEMA_VERSION, TRACKED_FIELDS

DEFAULT_DB = "zhaoshang.duckdb"


def default_db_path() -> str:
    return os.environ.get("ZHAOSHANG_DB") or DEFAULT_DB


def no_database(path: str | os.PathLike) -> UserError:
    """The one answer to a read of a database file that does not exist (a store opened to read, a command that reads
    only the team state kept beside it)."""
    return UserError(f"数据库不存在: {path}（先运行 zhaoshang import 或 zhaoshang demo）",
                     f"no database at {path} (run zhaoshang import or zhaoshang demo first)")


class OpenRefused(UserError):
    """The database file could not be opened (``open_refusal`` says why): nothing was read or written."""


def lock_conflict(exc: BaseException) -> bool:
    """DuckDB refused the file because another process holds it (``Could not set lock … Conflicting lock is held``)."""
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


def open_refusal(path: str, exc: BaseException, read_only: bool) -> OpenRefused:
    """Why DuckDB (or the system, for the update's lock file beside it) could not open the database at ``path``, in
    words the user can act on, in either language, never the engine's English alone: the file held by another process
    (an import or classification writing it — the one wording of a busy file), its folder missing, the file or folder
    not writable (or not readable); else the engine's text after the path."""
    text = str(exc)
    if lock_conflict(exc):
        pid = re.search(r"PID (\d+)", text)
        who_zh, who_en = (f"（进程 {pid.group(1)}）", f" (process {pid.group(1)})") if pid else ("", "")
        if read_only:
            return OpenRefused(f"数据库正被另一个进程写入，请稍后再试: {path}{who_zh}",
                             f"the database is being written by another process; try again shortly: {path}{who_en}")
        return OpenRefused(f"数据库正被另一个进程打开（写入或读取），请稍后再试: {path}{who_zh}",
                         f"the database is open in another process (writing or reading it); try again shortly: {path}{who_en}")
    reasons = {errno.EROFS: ("所在磁盘只读", "its disk is read-only"), errno.EACCES: ("没有权限", "permission denied"),
               errno.EPERM: ("没有权限", "permission denied")}
    if isinstance(exc, OSError):  # a file of our own beside the database (the update's lock)
        target, why = Path(exc.filename or path), reasons.get(exc.errno)
    else:  # the engine's: the file it names, the system's reason in its text
        named = re.search(r'Cannot open file "([^"]+)"', text)
        target = Path(named.group(1) if named else path)
        why = next((w for code, w in reasons.items() if os.strerror(code) in text), None)
    folder = target.parent
    if not folder.is_dir():
        return OpenRefused(f"无法建立数据库 {path}: 文件夹 {folder} 不存在（先建立该文件夹，或换一个已有文件夹中的路径）",
                         f"cannot create the database {path}: the folder {folder} does not exist (create it first, or "
                         f"give a path in an existing folder)")
    if why is not None:
        if read_only:
            return OpenRefused(f"数据库文件不能读取: {target}（{why[0]}；请检查文件的权限）",
                             f"the database file cannot be read: {target} ({why[1]}; check the file's permissions)")
        if target.exists():
            return OpenRefused(f"数据库文件不能写入: {target}（{why[0]}；请检查文件的权限，或它是否在只读的磁盘上）",
                             f"the database file cannot be written: {target} ({why[1]}; check the file's permissions, "
                             f"or whether it is on a read-only disk)")
        return OpenRefused(f"无法在文件夹 {folder} 中建立 {target.name}（{why[0]}；请检查该文件夹的权限，或换一个可写的文件夹）",
                         f"cannot create {target.name} in the folder {folder} ({why[1]}; check the folder's permissions, "
                         f"or give a path in a writable folder)")
    return OpenRefused(f"无法打开数据库 {path}: {exc}", f"cannot open the database {path}: {exc}")


TRACE_ENV = "ZHAOSHANG_TRACE_SQL"
_SHOWN = 2000  # characters of a statement kept in errors and traces


def _tracing() -> bool:
    return os.environ.get(TRACE_ENV, "") not in ("", "0", "false", "no")


def _one_line(sql: str, limit: int = _SHOWN) -> str:
    text = " ".join(str(sql).split())
    return text if len(text) <= limit else text[:limit] + " …"


# The engine's relational calls that refuse to start while a result of ``execute`` is unfinished (DuckDB 2:
# "connection has an unfinished result from execute()") — ``execute`` itself simply replaces that result.
_AFTER_RESULT = frozenset({"query", "table", "view", "values", "register", "from_arrow", "from_df", "from_query",
                           "read_csv", "read_json", "read_parquet"})


class Connection:
    """The engine connection as services use it (``execute``, ``executemany``, ``sql``, ``cursor``, …), with
    the statement attached to any error and, when tracing, each statement's time logged to stderr.

    ``con.execute(q).fetchone()`` reads one row and leaves the result unfinished (the engine has not yet said
    there is no second row); the engine's relational calls (``sql``, ``register``, ``table``, …) then refuse to
    run on the connection. They finish such a result first (``duckdb.complete``: run to its end, as a caller
    who has read what it wanted expects — a write in it is kept, not cancelled), as ``execute`` does."""

    __slots__ = ("raw",)

    def __init__(self, raw):
        self.raw = raw
        for stmt in dialect.current().session_setup():
            raw.execute(stmt)

    def _run(self, method: str, sql, args: tuple, kwargs: dict):
        trace = _tracing()
        t0 = time.perf_counter() if trace else 0.0
        try:
            out = getattr(self.raw, method)(sql, *args, **kwargs)
        except duckdb.Error as exc:
            exc.statement = str(sql)
            exc.add_note("SQL: " + _one_line(sql))
            if trace:
                sys.stderr.write(f"[sql failed {(time.perf_counter() - t0) * 1000:.1f} ms] {_one_line(sql, 300)}\n")
            raise
        if trace:
            n = f" ×{len(args[0])}" if method == "executemany" and args and hasattr(args[0], "__len__") else ""
            sys.stderr.write(f"[sql {(time.perf_counter() - t0) * 1000:.1f} ms{n}] {_one_line(sql, 300)}\n")
        return out

    def execute(self, sql, *args, **kwargs):
        out = self._run("execute", sql, args, kwargs)
        return self if out is self.raw else out

    def executemany(self, sql, *args, **kwargs):
        out = self._run("executemany", sql, args, kwargs)
        return self if out is self.raw else out

    def sql(self, sql, *args, **kwargs):
        self._finish()
        return self._run("sql", sql, args, kwargs)

    def _finish(self) -> None:
        """Run an unfinished result of ``execute`` to its end (nothing to do when there is none)."""
        done = getattr(duckdb, "complete", None)  # DuckDB 2; before it a new call simply replaced the result
        if done is not None:
            done(connection=self.raw)

    def cursor(self) -> "Connection":
        return Connection(self.raw.cursor())

    def __getattr__(self, name):  # fetchone, fetchall, description, register, close, … as the engine has them
        attr = getattr(self.raw, name)
        if name not in _AFTER_RESULT:
            return attr

        def after_result(*args, **kwargs):
            self._finish()
            return attr(*args, **kwargs)

        return after_result

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.raw.close()


def wrap(con) -> Connection:
    """``con`` as a ``Connection`` (unchanged when it already is one)."""
    return con if isinstance(con, Connection) or con is None else Connection(con)


def _not_a_database(path: str) -> bool:
    """A file that is there, not empty, and lacks the DuckDB file's mark (``DUCK`` at byte 8)."""
    try:
        with open(path, "rb") as f:
            head = f.read(12)
    except OSError:  # none there (a new database) or not a file: DuckDB says what it finds
        return False
    return bool(head) and head[8:12] != b"DUCK"


class Store:
    """One DuckDB database file (or ``:memory:``) with the Zhaoshang schema."""

    @property
    def con(self) -> Connection:
        return self._con

    @con.setter
    def con(self, value) -> None:  # whoever hands the store a connection (a cursor, an attached one) gets it wrapped
        self._con = wrap(value)

    @property
    def dialect(self) -> dialect.Dialect:
        return dialect.current()

    def __init__(self, path: str | os.PathLike | None = None, read_only: bool = False):
        self.path = str(path or default_db_path())
        if read_only and self.path != ":memory:" and not Path(self.path).exists():
            raise no_database(self.path)
        if _not_a_database(self.path):  # (a data file named by --db: DuckDB reads a .csv as a query, or says it in English)
            raise UserError(f"无法打开数据库 {self.path}: 这个文件不是 DuckDB 数据库（--db 应指向 zhaoshang import 或 "
                            f"zhaoshang demo 建立的数据库文件）", f"cannot open the database {self.path}: the file is not "
                            f"a DuckDB database (--db names a database zhaoshang import or zhaoshang demo made)")
        try:
            self.con = duckdb.connect(self.path, read_only=read_only)
        except duckdb.IOException as exc:
            raise open_refusal(self.path, exc, read_only) from exc
        self.read_only = read_only
        if not read_only:
            self.ensure_schema()
        elif self.path != ":memory:" and self.behind():
            self._upgrade_then_read()

    # the meta keys of the one-time steps ``ensure_schema`` takes on a database made by an earlier version
    UPGRADES = ("field_imports", "founded_precision", "undated_lines", "demand_keys", "name_short", "stock_codes",
                "news_types")

    def behind(self) -> bool:
        """The database was made by an earlier version and misses a step of ``ensure_schema``."""
        try:
            done = {r[0] for r in self.con.execute("SELECT key FROM meta").fetchall()}
        except duckdb.Error:  # not one of ours (or empty): nothing to bring up to date
            return False
        return bool(done) and not (set(self.UPGRADES) <= done and self.get_meta("regions_table") == regions.table_key())

    def _upgrade_then_read(self) -> None:
        """A database made by an earlier version, opened to read: brought up to date by one writable open first, so
        every read finds the columns it asks for; when a writer holds it (its own open upgrades it) or the file
        cannot be written, it is read as it is."""
        self.con.close()
        try:
            Store(self.path).close()
        except (duckdb.Error, UserError):
            pass
        self.con = duckdb.connect(self.path, read_only=True)

    # -- schema ---------------------------------------------------------------
    def ensure_schema(self) -> None:
        """The tables, the one-time steps of a database made by an earlier version and the region table, in one
        transaction: a new database is written in one commit instead of one per statement (each a write of the log
        to disk), and a step that fails leaves the file as it was."""
        with self.transaction():
            self._ensure_schema()

    def _ensure_schema(self) -> None:
        self.con.execute(DDL)
        self.con.execute(
            "INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT (key) DO NOTHING", [str(SCHEMA_VERSION)]
        )
        if self.get_meta("field_imports") is None:
            # a database imported before ``enterprise_field_imports`` existed: the setter of a tracked field is the
            # latest import that changed it (its history), the one step that table needs to read it alike
            self.con.execute(f"""INSERT INTO enterprise_field_imports
                SELECT enterprise_id, field, max(import_id) FROM enterprise_history
                WHERE field IN ({', '.join(repr(f) for f in TRACKED_FIELDS if f != 'name_norm')}) AND import_id IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM enterprise_field_imports) GROUP BY ALL""")
            self.set_meta("field_imports", "1")
        if self.get_meta("founded_precision") is None:
            # a database made before founding dates kept their precision: the column, empty (its dates read as days)
            self.con.execute("ALTER TABLE enterprises ADD COLUMN IF NOT EXISTS founded_precision VARCHAR")
            self.set_meta("founded_precision", "1")
        if self.get_meta("undated_lines") is None:
            # a database whose imports without a data date dated their product lines by the import day: those lines
            # are undated (core.asof) — a line a dated import re-dated since keeps that date
            from .schema import UNDATED_IMPORTS

            self.con.execute(f"""UPDATE product_lines l SET period = NULL FROM imports i
                WHERE i.id = l.import_id AND i.id IN ({UNDATED_IMPORTS}) AND l.period = i.data_date""")
            self.set_meta("undated_lines", "1")
        if self.get_meta("demand_keys") is None:
            # a database made before a demand kept its own number and an open-ended deadline apart: the columns; the
            # number is the source key the list gave (a key made for a row without one is 32 hex digits of its md5)
            self.con.execute("ALTER TABLE demands ADD COLUMN IF NOT EXISTS own_key VARCHAR")
            self.con.execute("ALTER TABLE demands ADD COLUMN IF NOT EXISTS deadline_open BOOLEAN")
            self.con.execute("UPDATE demands SET own_key = source_key WHERE own_key IS NULL AND source_key IS NOT NULL "
                             "AND NOT regexp_full_match(source_key, '[0-9a-f]{32}')")
            self.set_meta("demand_keys", "1")
        if self.get_meta("name_short") is None:
            # a database made before an enterprise knew a short name for one: the column; the names a list of short
            # names set (a preset saying so, ``name_is_short``) are marked, so a full legal name imported next replaces them
            self.con.execute("ALTER TABLE enterprises ADD COLUMN IF NOT EXISTS name_short BOOLEAN")
            from .importers.presets import list_presets

            short = [n for n, doc in list_presets().items() if doc.get("name_is_short") is True]
            if short:
                self.con.execute(f"""UPDATE enterprises e SET name_short = true FROM imports i
                    WHERE i.id = coalesce((SELECT max(f.import_id) FROM enterprise_field_imports f
                                           WHERE f.enterprise_id = e.id AND f.field = 'name'), e.first_import_id)
                      AND json_extract_string(i.options, '$.mapping') IN ({', '.join('?' for _ in short)})""", short)
            self.set_meta("name_short", "1")
        if self.get_meta("stock_codes") is None:
            # a database whose listed codes were stored as written (000001.SZ): on their six digits, as every lookup
            # by code reads them
            from .text import stock_code_sql

            self.con.execute(f"UPDATE enterprises SET listed_code = {stock_code_sql('listed_code')} "
                             f"WHERE listed_code <> coalesce({stock_code_sql('listed_code')}, listed_code)")
            self.set_meta("stock_codes", "1")
        if self.get_meta("news_types") is None:
            # a database whose imported news items' events were all of type news, their labels read as a type only
            # when asked (FinESE's 信批违规): stored as the type each label is read as, as an import now writes them
            from .event_types import news_type_sql

            typed = news_type_sql("n.event_type")  # as core.importers.events writes it
            self.con.execute(f"""UPDATE events v SET type = {typed} FROM news n
                WHERE v.ref_table = 'news' AND n.id = v.ref_id AND v.type = 'news' AND {typed} <> 'news'""")
            self.set_meta("news_types", "1")
        if self.get_meta("regions_table") != regions.table_key():
            # a new database, or one whose copy of the region table an earlier version wrote (a name or an English
            # name mended since): every reader of the database reads the table this version holds
            regions.load_regions_into(self.con)
            self.set_meta("regions_table", regions.table_key())

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
        rows = self.con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchall()  # (no unfinished result left)
        return rows[0][0] if rows else default

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


def file_identity(path: str) -> tuple | None:
    """What changes when a new generation is published (or the file is rewritten): inode and mtime."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)
