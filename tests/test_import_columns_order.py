"""An import's column map — field → the file's header, in the import report (``--format json``) and in the
``imports`` table's ``options.columns`` — follows the file's column order, the same in every run."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).parent))
from cli_util import run  # noqa: E402

HEADERS = ["注册资本", "成立日期", "企业名称", "所在地区", "统一社会信用代码", "经营范围"]
FIELDS = ["capital", "founded", "name", "region", "uscc", "scope"]


def test_column_map_in_file_order(tmp_path):
    csv = tmp_path / "ents.csv"
    csv.write_text(",".join(HEADERS) + "\n100万元,2020-01-02,甲乙科技有限公司,杭州市,,软件开发\n", encoding="utf-8")
    for seed in ("1", "2", "3", "4"):  # string hashing differs from process to process
        db = tmp_path / f"s{seed}.duckdb"
        out = run("import", "enterprises", csv, "--format", "json", db=db, env={"PYTHONHASHSEED": seed}).stdout
        cols = json.loads(out)["columns"]
        assert list(cols.items()) == list(zip(FIELDS, HEADERS)), cols
        con = duckdb.connect(str(db), read_only=True)
        try:
            opts = json.loads(con.execute("SELECT options FROM imports").fetchone()[0])
        finally:
            con.close()
        assert list(opts["columns"]) == FIELDS, opts
