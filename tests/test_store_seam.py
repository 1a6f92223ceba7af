"""The engine seam: every statement runs through the store's connection, which names a failing statement in
its error and traces statements with their timings on request (ZHAOSHANG_TRACE_SQL=1); engine-specific SQL
comes from the dialect."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from cli_util import run  # noqa: E402

from zhaoshang.core import dialect  # noqa: E402
from zhaoshang.core.store import Connection, Store  # noqa: E402


def test_failing_statement_is_named_in_its_error():
    s = Store(":memory:")
    sql = "SELECT name FROM enterprises WHERE no_such_column = ?"
    with pytest.raises(duckdb.BinderException) as info:  # the engine's own error type is kept
        s.con.execute(sql, [1])
    assert info.value.statement == sql
    assert any(sql in note for note in info.value.__notes__)
    with pytest.raises(duckdb.CatalogException) as info:  # cursors too (one per web request)
        s.con.cursor().execute("SELECT * FROM no_such_table")
    assert "no_such_table" in info.value.statement


def test_every_connection_is_the_store_connection():
    s = Store(":memory:")
    assert isinstance(s.con, Connection) and isinstance(s.con.cursor(), Connection)
    s.con = duckdb.connect(":memory:")  # handing the store a raw connection wraps it
    assert isinstance(s.con, Connection)
    rows = pa.table({"x": [1, 2, 3]})  # a local Arrow table named in SQL is still found
    assert s.con.execute("SELECT sum(x) FROM rows").fetchone()[0] == 6


def test_trace_logs_statements_and_timings(tmp_path):
    db = tmp_path / "t.duckdb"
    Store(str(db)).close()
    quiet = run("map", "--format", "json", db=db)
    assert "[sql" not in quiet.stderr
    traced = run("map", "--format", "json", db=db, env={"ZHAOSHANG_TRACE_SQL": "1"})
    assert json.loads(traced.stdout) == json.loads(quiet.stdout)  # stdout stays the answer
    lines = [ln for ln in traced.stderr.splitlines() if ln.startswith("[sql")]
    assert lines and all(re.match(r"\[sql \d+\.\d ms(?: ×\d+)?\] \S", ln) for ln in lines)
    assert any("FROM" in ln.upper() for ln in lines)


def test_dialect():
    d = dialect.from_name("duckdb")
    assert d.name == "duckdb" and dialect.current().name == "duckdb"
    con = duckdb.connect()
    expr = d.to_json_text(d.struct({"table": dialect.literal("it's"), "n": "1"}))
    assert json.loads(con.execute(f"SELECT {expr}").fetchone()[0]) == {"table": "it's", "n": 1}
    assert con.execute(f"SELECT {d.list_filter('[1, 2, 3]', 'v', 'v > 1')}").fetchone()[0] == [2, 3]
    with pytest.raises(ValueError, match="unknown SQL dialect"):
        dialect.from_name("nosuch")
    with pytest.raises(NotImplementedError):
        dialect.Dialect().struct({"a": "1"})


def test_one_row_read_leaves_the_connection_usable():
    """``fetchone()`` of a one-row query leaves the engine's result unfinished; the next relational call
    (``sql``, ``register``, ``table``) on the same connection must still run, as ``execute`` does."""
    s = Store(":memory:")
    assert s.con.execute("SELECT count(*) FROM regions").fetchone()[0] > 0
    assert s.con.sql("SELECT 41 + 1").fetchall() == [(42,)]
    assert s.get_meta("schema_version")  # the store's own one-row read
    s.con.register("zs_t", pa.table({"x": [1, 2]}))
    assert s.con.execute("SELECT sum(x) FROM zs_t").fetchone()[0] == 3
    assert s.con.table("zs_t").aggregate("count(*)").fetchall() == [(2,)]
    cur = s.con.cursor()  # a request's cursor alike
    cur.execute("SELECT max(id) FROM imports").fetchone()
    assert cur.sql("SELECT 1").fetchall() == [(1,)]
    rows = s.con.execute("SELECT range FROM range(3)")  # reading row by row is unchanged
    assert [rows.fetchone(), rows.fetchone(), rows.fetchone(), rows.fetchone()] == [(0,), (1,), (2,), None]
    s.con.execute("CREATE TABLE w (x INT)")  # a write whose result was left unread is kept, not cancelled
    s.con.execute("INSERT INTO w VALUES (1), (2) RETURNING x").fetchone()
    assert s.con.sql("SELECT count(*) FROM w").fetchall() == [(2,)]


def test_a_database_another_process_writes_is_refused_in_the_users_words(tmp_path):
    """While an import or classification holds the file for writing, a reading command said DuckDB's English ("IO
    Error: Could not set lock on file … Conflicting lock is held in …") inside the Chinese line: it now says the one
    wording of a busy file (the update's own), in either language, with the holding process."""
    import subprocess

    db = tmp_path / "busy.duckdb"
    Store(db).close()
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('held', "
                               "flush=True); sys.stdin.read()", str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        for args, said in ((("status",), f"错误: 数据库正被另一个进程写入，请稍后再试: {db}（进程 {holder.pid}）"),
                           (("--lang", "en", "map"), f"error: the database is being written by another process; try again "
                                                     f"shortly: {db} (process {holder.pid})")):
            p = run(*args, db=db, check=False)
            assert p.returncode == 2 and p.stderr.strip() == said, p.stderr
    finally:
        holder.communicate("", timeout=30)
