"""One team-state database behind one small API, on SQLite (embedded default) or PostgreSQL (by URL).

SQL is written once with ``?`` placeholders; the PostgreSQL side rewrites them. Every change runs in a
transaction (``with db.tx() as tx``) that either commits whole or leaves nothing behind.
"""

from __future__ import annotations

import os
import queue
import sqlite3
import threading
import uuid
import weakref
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from ..errors import UserError
from . import tables  # noqa: F401  (registers the team state's tables before any open)
from .migrations import registered

ENV = "ZHAOSHANG_TEAM_DB"


def default_team_url(db_path: str | os.PathLike | None) -> str:
    """``$ZHAOSHANG_TEAM_DB``, else a SQLite file beside the analytical database (``x.duckdb`` → ``x.team.sqlite``)."""
    env = os.environ.get(ENV)
    if env:
        return env
    p = str(db_path or "zhaoshang.duckdb")
    if p == ":memory:":
        return "sqlite://:memory:"
    path = Path(p)
    return str(path.with_name(path.stem + ".team.sqlite"))


def set_aside(path: str | os.PathLike, stamp: str) -> str | None:
    """Move a SQLite team state out of the way, whole (its write-ahead log folded in first), to a file beside it
    named with ``stamp`` (``d.team.sqlite`` → ``d.team-STAMP.sqlite``, which ``--team-db`` opens); the path it
    went to, None when there was none. Nothing is deleted."""
    src = Path(path)
    if not src.exists():
        return None
    con = sqlite3.connect(str(src))
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.DatabaseError:
        pass  # not a database we can read: moved as it is
    finally:
        con.close()
    dest = src.with_name(src.name.replace(".team.sqlite", "") + f".team-{stamp}.sqlite") \
        if src.name.endswith(".team.sqlite") else src.with_name(f"{src.stem}-{stamp}{src.suffix}")
    src.rename(dest)
    for extra in ("-wal", "-shm"):
        side = Path(str(src) + extra)
        if side.exists():
            side.rename(Path(str(dest) + extra))
    return str(dest)


def _redact(url: str) -> str:
    """A URL fit for messages: the password is never shown."""
    if "://" in url and "@" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}" if ":" in creds else url
    return url


def _close_pool(pool: queue.LifoQueue) -> None:
    while True:
        try:
            pool.get_nowait().close()
        except queue.Empty:
            break


class Tx:
    """A transaction: ``execute`` / ``query`` / ``one`` / ``scalar`` with ``?`` placeholders."""

    def __init__(self, con: Any, dialect: str):
        self.con, self.dialect = con, dialect

    def _sql(self, sql: str) -> str:
        return sql.replace("%", "%%").replace("?", "%s") if self.dialect == "postgresql" else sql

    def execute(self, sql: str, params: list | tuple = ()) -> Any:
        return self.con.execute(self._sql(sql), tuple(params))

    def query(self, sql: str, params: list | tuple = ()) -> list[dict]:
        cur = self.execute(sql, params)
        if cur.description is None:
            return []
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row)) for row in cur.fetchall()]

    def one(self, sql: str, params: list | tuple = ()) -> dict | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: list | tuple = ()) -> Any:
        row = self.execute(sql, params).fetchone()
        return row[0] if row else None

    def tables(self) -> list[str]:
        """The team-state tables, in creation order (``schema_migrations`` first)."""
        if self.dialect == "sqlite":
            rows = self.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                              "ORDER BY rowid")
        else:
            rows = self.query("SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                              "WHERE c.relkind = 'r' AND n.nspname = current_schema() ORDER BY c.oid")
        return [r["name"] for r in rows]

    def lock(self, name: str) -> None:
        """Serialise writers on ``name`` until the transaction ends (SQLite transactions are already exclusive)."""
        if self.dialect == "postgresql":
            self.execute("SELECT pg_advisory_xact_lock(?)", [zlib.crc32(name.encode())])


class TeamDB:
    """The team-state database at ``url`` (a SQLite path or ``sqlite://…``, or ``postgresql://…``)."""

    def __init__(self, url: str, pool_size: int = 8):
        self.url = str(url)
        self.dialect = "postgresql" if self.url.startswith(("postgresql://", "postgres://")) else "sqlite"
        self._pool: queue.LifoQueue = queue.LifoQueue(maxsize=pool_size)
        self._keeper = None
        if self.dialect == "sqlite":
            path = self.url[len("sqlite://"):] if self.url.startswith("sqlite://") else self.url
            if path == ":memory:":  # one shared in-memory database for every thread, alive while this object is
                self._target, self._uri = f"file:zsteam-{uuid.uuid4().hex}?mode=memory&cache=shared", True
                self._keeper = self._connect()
            else:
                self._target, self._uri = path, False
                if not Path(path).parent.exists():
                    raise UserError(f"团队数据库的目录不存在: {Path(path).parent}", f"the team database's folder does not exist: {Path(path).parent}")
            self.location = path
        else:
            try:
                import psycopg  # noqa: F401
            except ImportError as exc:  # pragma: no cover - pinned dependency
                raise UserError("PostgreSQL 团队数据库需要 psycopg（pip install psycopg）", "a PostgreSQL team database needs psycopg (pip install psycopg)") from exc
            self.location = _redact(self.url)
        self._lock = threading.Lock()
        self._local = threading.local()
        self._migrated = -1  # how many registered migrations this object has applied
        # the pooled connections are closed when this object goes, or when the process exits at the latest (an
        # ``atexit`` step, not the teardown of every object): SQLite folds its write-ahead log into the file then
        weakref.finalize(self, _close_pool, self._pool)

    # -- connections ------------------------------------------------------------------------------
    def _connect(self) -> Any:
        if self.dialect == "sqlite":
            con = sqlite3.connect(self._target, uri=self._uri, timeout=30, isolation_level=None,
                                  check_same_thread=False)
            con.execute("PRAGMA busy_timeout = 30000")
            if not self._uri:
                con.execute("PRAGMA journal_mode = WAL")
            con.execute("PRAGMA synchronous = FULL")  # a commit is on disk before it returns
            con.execute("PRAGMA foreign_keys = ON")
            return con
        import psycopg

        try:
            return psycopg.connect(self.url, autocommit=True, connect_timeout=10)
        except psycopg.OperationalError as exc:
            raise UserError(f"无法连接团队数据库 {self.location}: {str(exc).strip().splitlines()[0]}", f"cannot connect to the team database {self.location}: {str(exc).strip().splitlines()[0]}") from exc

    @contextmanager
    def tx(self, exclusive: bool = False) -> Iterator[Tx]:
        """One transaction: committed when the block ends, rolled back on any exception. A migration a feature
        registered after this database was opened (its module imported later) is applied first."""
        if self._migrated != len(registered()) and not getattr(self._local, "migrating", False):
            self.migrate()
        try:
            con = self._pool.get_nowait()
        except queue.Empty:
            con = self._connect()
        ok = False
        try:
            if self.dialect == "sqlite":
                con.execute("BEGIN IMMEDIATE" if exclusive else "BEGIN")
                try:
                    yield Tx(con, "sqlite")
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
                con.execute("COMMIT")
            else:
                with con.transaction():
                    yield Tx(con, "postgresql")
            ok = True
        finally:
            if ok:
                try:
                    self._pool.put_nowait(con)
                except queue.Full:
                    con.close()
            else:
                con.close()

    def close(self) -> None:
        _close_pool(self._pool)
        if self._keeper is not None:
            self._keeper.close()
            self._keeper = None

    # -- schema ---------------------------------------------------------------------------------------
    def migrate(self) -> list[int]:
        """Apply the pending migrations in order; returns the versions applied now."""
        known = len(registered())
        self._local.migrating = True
        try:
            with self._lock, self.tx(exclusive=True) as tx:
                applied = apply_migrations(tx)
        finally:
            self._local.migrating = False
        self._migrated = known
        return applied

    def tables(self) -> list[str]:
        with self.tx() as tx:
            return tx.tables()


def apply_migrations(tx: Tx) -> list[int]:
    """The pending migrations applied inside ``tx`` (all or none)."""
    from .clock import now

    tx.lock("zhaoshang-team-migrate")
    tx.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
               "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
    done = {r["version"] for r in tx.query("SELECT version FROM schema_migrations")}
    applied = []
    migrations = registered()
    for v in sorted(migrations):
        if v not in done:
            for st in migrations[v].sql(tx.dialect) + migrations[v].sql(tx.dialect, migrations[v].backfill):
                tx.execute(st)
            tx.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", [v, migrations[v].name, now()])
            applied.append(v)
    return applied


def open_team_db(url: str | None = None, db_path: str | None = None) -> TeamDB:
    """Open (and migrate) the team state at ``url``, or the default one beside ``db_path``."""
    db = TeamDB(url or default_team_url(db_path))
    try:
        db.migrate()
    except sqlite3.DatabaseError as exc:
        raise UserError(f"团队数据库无法使用 {db.location}: {exc}", f"the team database cannot be used: {db.location}: {exc}") from exc
    return db
