"""The region × chain matrix through the engine seam: the same portable SQL on DuckDB and on Spark (local
mode) gives exactly the numbers the served matrix gives, history replay included."""

from __future__ import annotations

import datetime as dt
import importlib.util
import shutil

import pytest

import matrix_fixture
from zhaoshang.core.asof import lives_on
from zhaoshang.core.dialect import DuckDBDialect
from zhaoshang.core.store import Store
from zhaoshang.services.analytics.complexity import region_node_matrix
from zhaoshang.services.analytics.distributed import chain_matrix_sql, spark_chain_matrix

AS_OF = dt.date(2024, 6, 30)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """The matrix fixture, with ten enterprises moved to Shenzhen after the as-of date (history to replay), and four
    whose status says they ended without a registry date (core.asof.status_ends): 已关闭 in an export dated before
    the as-of date, 注销 in an export given no data date (ended as of every date), 注销 by a change recorded before
    the as-of date, 已关闭 by one recorded after it (still counted then)."""
    path = str(tmp_path_factory.mktemp("dist") / "fx.duckdb")
    matrix_fixture.build(path, n=150)
    s = Store(path)
    placed = [r[0] for r in s.con.execute("""SELECT DISTINCT e.id FROM enterprises e JOIN placements p
        ON p.enterprise_id = e.id WHERE e.province_code = '110000' AND e.dissolved IS NULL
        AND (e.founded IS NULL OR e.founded <= DATE '2024-01-01') ORDER BY 1 LIMIT 14""").fetchall()]
    moved, ended = placed[:10], placed[10:]
    assert len(ended) == 4
    for f, new in (("province_code", "440000"), ("city_code", "440300"), ("district_code", "440305")):
        s.con.execute(f"""INSERT INTO enterprise_history SELECT id, '{f}', {f}, '{new}', DATE '2025-03-01',
            'fixture', NULL, NULL FROM enterprises WHERE list_contains(?, id)""", [moved])
        s.con.execute(f"UPDATE enterprises SET {f} = '{new}' WHERE list_contains(?, id)", [moved])
    s.con.execute("""INSERT INTO imports (id, kind, source, data_date, options) VALUES
        (2, 'itjuzi', 'fixture', DATE '2024-03-01', '{"data_date_given": true}'),
        (3, 'enterprises', 'fixture', DATE '2024-05-01', '{"data_date_given": false}')""")
    for eid, status, first, changed in zip(ended, ("已关闭", "注销", "注销", "已关闭"), (2, 3, 1, 1),
                                           (None, None, "2024-02-01", "2024-09-01")):
        s.con.execute("UPDATE enterprises SET status = ?, first_import_id = ? WHERE id = ?", [status, first, eid])
        if changed:
            s.con.execute("INSERT INTO enterprise_history VALUES (?, 'status', '存续', ?, ?, 'fixture', NULL, NULL)",
                          [eid, status, changed])
    live = lambda d: [r[0] for r in s.con.execute(  # noqa: E731  (placed and located: the matrix counts them while they live)
        f"SELECT id FROM enterprises e WHERE list_contains(?, id) AND {lives_on(d)} ORDER BY id", [ended]).fetchall()]
    assert live(AS_OF) == ended[3:] and live(dt.date(2024, 1, 31)) == [ended[0], *ended[2:]]
    yield s
    s.close()


def _rows(rows):
    return [(r["region"], r["node"], int(r["value"])) for r in rows]


@pytest.mark.parametrize("level", ["province", "district"])
def test_portable_sql_on_duckdb_equals_the_served_matrix(store, level):
    served = _rows(region_node_matrix(store, level, "chain", AS_OF))
    assert len(served) > 5
    portable = _rows(store.query(chain_matrix_sql(DuckDBDialect(), level, AS_OF, "ai")))
    assert portable == served
    # the moves after the as-of date are replayed: today's matrix differs
    assert _rows(region_node_matrix(store, level, "chain", dt.date(2025, 6, 30))) != served


@pytest.mark.skipif(shutil.which("java") is None or importlib.util.find_spec("pyspark") is None,
                    reason="Java or PySpark not installed")
def test_spark_local_mode_gives_exactly_the_duckdb_numbers(store):
    from pyspark.sql import SparkSession

    # a session this short spends most of its CPU compiling: the JVM's quick compiler only, one compiler and one GC
    # thread, no per-query code generation or adaptive re-planning (a few hundred rows): the same query and numbers
    spark = (SparkSession.builder.master("local[1]").appName("zhaoshang-matrix")
             .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "1")
             .config("spark.default.parallelism", "1").config("spark.sql.session.timeZone", "UTC")
             .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:+UseSerialGC")
             .config("spark.sql.codegen.wholeStage", "false").config("spark.sql.adaptive.enabled", "false").getOrCreate())
    try:  # the finest level: every district × node cell, moves after the as-of date replayed
        served = _rows(region_node_matrix(store, "district", "chain", AS_OF))
        assert _rows(spark_chain_matrix(store, spark, "district", AS_OF)) == served
    finally:
        spark.stop()
