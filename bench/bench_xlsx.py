"""Benchmark: writing an N-row enterprise list to XLSX with ``core.writers.export_query``.

The rows have the columns of the 企业库 export (id, Chinese name, credit code, status, founding date,
capital, province/city/district names, listed code, tags, chain nodes, latest round and its date, the
synthetic-data label), generated in DuckDB from ``range()``. Side by side, the reference: DuckDB COPY of the
same query to CSV — what writing the rows costs without a spreadsheet. Prints one JSON document.

    .venv/bin/python bench/bench_xlsx.py [N]        (default 18,000)
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from zhaoshang.core.writers import export_query

SQL = """
SELECT i AS "编号", '杭州' || CAST(i AS VARCHAR) || '号智能科技有限公司' AS "企业名称",
       '91330100MA' || lpad(CAST(i AS VARCHAR), 8, '0') AS "统一社会信用代码",
       CASE WHEN i % 11 = 0 THEN '注销' ELSE '存续' END AS "登记状态",
       DATE '2000-01-01' + CAST(i % 9000 AS INTEGER) AS "成立日期", (i % 997 + 1) * 10.5 AS "注册资本(万元)",
       '浙江省' AS "省份", '杭州市' AS "城市", '西湖区' AS "区县",
       CASE WHEN i % 50 = 0 THEN '688' || lpad(CAST(i % 1000 AS VARCHAR), 3, '0') END AS "上市代码",
       CASE WHEN i % 3 = 0 THEN '高新技术企业、专精特新' END AS "标签", 'M02、U05' AS "产业链环节",
       CASE WHEN i % 4 = 0 THEN 'A轮' END AS "最近融资", CASE WHEN i % 4 = 0 THEN DATE '2024-03-01' END AS "融资日期",
       '合成演示数据 (synthetic demo data)' AS "数据说明"
FROM range(?) t(i)"""


def main(n: int) -> dict:
    con = duckdb.connect()
    with tempfile.TemporaryDirectory() as d:
        xlsx, csv = Path(d) / "out.xlsx", Path(d) / "out.csv"
        t0 = time.perf_counter()
        rows = export_query(con, SQL, xlsx, [n])
        t_xlsx = time.perf_counter() - t0
        t0 = time.perf_counter()
        con.execute(f"COPY ({SQL}) TO '{csv}' (FORMAT csv, HEADER true)", [n])
        t_csv = time.perf_counter() - t0
        size = xlsx.stat().st_size
    return {"benchmark": "xlsx", "rows": rows, "columns": 15, "xlsx_seconds": round(t_xlsx, 3),
            "rows_per_second": round(rows / t_xlsx), "file_mb": round(size / 1e6, 2),
            "reference_csv_copy_seconds": round(t_csv, 3), "ratio": round(t_xlsx / max(t_csv, 1e-6), 1),
            "machine": f"{os.cpu_count()} cpu, Python {platform.python_version()}, DuckDB {duckdb.__version__}"}


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 18_000), ensure_ascii=False))
