"""Tables group the thousands of a whole number that counts (1,200 enterprises, 读取行数 1,200) as they do a
float's, and print as they are the whole numbers that name a thing: ids, years, codes. CSV keeps bare numbers."""

from __future__ import annotations

import csv
import io
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from cli_util import run  # noqa: E402

N = 1200


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    work = tmp_path_factory.mktemp("numbers")
    f = work / "名录.csv"
    f.write_text("企业名称,成立日期,所属省份,所属城市\n" + "".join(
        f"测试{i:04d}科技有限公司,2020-01-{i % 28 + 1:02d},浙江省,杭州市\n" for i in range(N)), encoding="utf-8")
    path = work / "n.duckdb"
    summary = run("import", "enterprises", f, db=path, env={"COLUMNS": "200"}).stdout
    assert re.search(r"读取行数\s*│?\s*1,200\b", summary), summary
    return path


def _cell(out: str, label: str) -> str:
    m = re.search(rf"^[│ ]*{label}\s*│?\s*(\S+)", out, re.M)
    assert m, out
    return m.group(1)


def test_counts_grouped_in_tables(db):
    out = run("status", db=db, env={"COLUMNS": "200"}).stdout
    assert _cell(out, "enterprises") == "1,200"
    csv_rows = run("status", "--format", "csv", db=db).stdout
    assert "1200" in csv_rows and "1,200" not in csv_rows  # a CSV cell is the number itself
    trends = run("search", "科技", "--limit", "1", db=db, env={"COLUMNS": "200"}).stdout
    assert "共 1,200 家" in trends, trends


def test_ids_years_and_codes_plain(db):
    out = run("search", "测试1150科技有限公司", "--limit", "1", db=db, env={"COLUMNS": "60"}).stdout
    assert re.search(r"^\s*编号\s+1151\s*$", out, re.M), out  # the id, not 1,151
    rows = list(csv.DictReader(io.StringIO(run("search", "测试1150科技有限公司", "--format", "csv", db=db).stdout)))
    assert rows[0]["id"] == "1151"


def test_which_columns_name_a_thing():
    from zhaoshang.interfaces.cli.app import _cell, _names_a_thing

    for column in ("id", "enterprise_id", "year", "founded_year", "code", "region_code", "version", "import"):
        assert _cell(2024, plain=_names_a_thing(column)) == "2024", column
    for column in ("count", "enterprises", "rounds", "value"):
        assert _cell(2024, plain=_names_a_thing(column)) == "2,024", column


def test_status_shows_the_last_import(db):
    """``status`` prints the last import (its kind, file, data date, counts) as ``--format json`` gives it."""
    out = run("status", db=db, env={"COLUMNS": "200"}).stdout
    last = out[out.index("最近一次导入"):]
    assert "名录.csv" in last and _cell(last, "类别") == "企业" and _cell(last, "读取行数") == "1,200", last
    en = run("--lang", "en", "status", db=db, env={"COLUMNS": "200"}).stdout
    assert "Last import" in en and _cell(en[en.index("Last import"):], "Kind") == "enterprises", en
