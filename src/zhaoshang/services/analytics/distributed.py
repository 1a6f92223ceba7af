"""The region × chain matrix as portable SQL, run on DuckDB or on Spark through the dialect seam.

``chain_matrix_sql`` spells the matrix (distinct enterprises placed on each chain node, by the region they
were registered in on the as-of date, replayed from ``enterprise_history``) in standard SQL plus what the
dialect provides, over four plain tables: ``enterprises``, ``enterprise_history``, ``imports`` and ``placements``.
The enterprises counted are those living on the date by the one rule of every view (``core.asof.lives_on``: founded,
not dissolved, and no status saying it ended — 注销, 吊销, 撤销, 已关闭 — recorded by then), spelled in the dialect. The
same text runs on the DuckDB store and, with ``SparkDialect``, on a Spark session fed the same rows as
Parquet (``spark_chain_matrix``), so a batch step can move to a cluster without being rewritten. The web
app keeps reading its DuckDB copy; ``analytics.complexity.region_node_matrix`` is the matrix it serves.
"""

from __future__ import annotations

import datetime as _dt
import tempfile
from pathlib import Path

from ...core.asof import REGION_FIELDS, lives_on, reference_date
from ...core.dialect import Dialect, SparkDialect, literal
from ...core.errors import UserError

CODE_LEVELS = ("province", "city", "district")


def chain_matrix_sql(dialect: Dialect, level: str, as_of: _dt.date, chain: str) -> str:
    """(region, node, value) rows, ordered, for a code level (province, city or district)."""
    if level not in CODE_LEVELS:
        raise UserError(f"分布式矩阵只支持代码层级: {', '.join(CODE_LEVELS)}（不支持 {level}）", f"the distributed matrix supports code levels only: {', '.join(CODE_LEVELS)} (not {level})")
    day = f"DATE {literal(as_of.isoformat())}"
    history = (f"SELECT enterprise_id, field, {dialect.arg_min('old_value', 'changed_on')} AS v "
               f"FROM enterprise_history WHERE changed_on > {day} AND field IN "
               f"({', '.join(literal(f) for f in REGION_FIELDS)}) GROUP BY enterprise_id, field")
    cols = ", ".join(f"CASE WHEN h{i}.enterprise_id IS NOT NULL THEN h{i}.v ELSE e.{f} END AS {f}"
                     for i, f in enumerate(REGION_FIELDS))
    joins = " ".join(f"LEFT JOIN h h{i} ON h{i}.enterprise_id = e.id AND h{i}.field = {literal(f)}"
                     for i, f in enumerate(REGION_FIELDS))
    return f"""
        WITH h AS ({history}),
        e AS (SELECT e.id, {cols} FROM enterprises e {joins} WHERE {lives_on(as_of, "e", dialect)})
        SELECT e.{level}_code AS region, p.node_code AS node, count(DISTINCT e.id) AS value
        FROM placements p JOIN e ON e.id = p.enterprise_id
        WHERE p.chain = {literal(chain)} AND e.{level}_code IS NOT NULL
        GROUP BY e.{level}_code, p.node_code ORDER BY region, node"""


# the inputs a distributed engine receives: only the columns the matrix reads (the status, the import that brought an
# enterprise and its data date, the changes' new values: whether and since when a status says it ended)
INPUTS = {
    "enterprises": "SELECT id, founded, dissolved, status, first_import_id, province_code, city_code, district_code "
                   "FROM enterprises",
    "enterprise_history": "SELECT enterprise_id, field, old_value, new_value, changed_on FROM enterprise_history",
    "imports": "SELECT id, data_date, CAST(options AS VARCHAR) AS options FROM imports",
    "placements": "SELECT enterprise_id, chain, node_code FROM placements",
}


def spark_chain_matrix(store, spark, level: str = "province", as_of=None, chain: str = "ai") -> list[dict]:
    """The matrix computed by ``spark`` (a SparkSession) from the store's rows, handed over as Parquet."""
    d = reference_date(store, as_of)
    with tempfile.TemporaryDirectory(prefix="zs-spark-") as tmp:
        for name, sql in INPUTS.items():
            path = Path(tmp) / f"{name}.parquet"
            store.con.execute(f"COPY ({sql}) TO {literal(str(path))} (FORMAT parquet)")
            spark.read.parquet(str(path)).createOrReplaceTempView(name)
        rows = spark.sql(chain_matrix_sql(SparkDialect(), level, d, chain)).collect()
    return [{"region": r["region"], "node": r["node"], "value": int(r["value"])} for r in rows]
