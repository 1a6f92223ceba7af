"""An amount column whose header states its unit — a registry export's 注册资本(万元), full-width 注册资本（万元）,
万美元, 亿元 — is recognised, and its bare numbers are read in that unit; a bare 注册资本 reads bare numbers as 元."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from cli_util import run  # noqa: E402

from zhaoshang.core.fields import header_unit, recognise_columns  # noqa: E402


@pytest.mark.parametrize("header, capital", [
    ("注册资本(万元)", 500.0), ("注册资本（万元）", 500.0), ("注册资本(亿元)", 5_000_000.0), ("注册资本(元)", 0.05),
    ("注册资本", 0.05), ("注册资本(万美元)", 3523.35),
])
def test_registry_capital_in_the_headers_unit(tmp_path, header, capital):
    csv = tmp_path / "qcc.csv"
    csv.write_text(f"企业名称,{header},经营状态,成立日期,所属省份,所属城市,参保人数\n"
                   "测试甲科技有限公司,500,存续,2020-01-01,浙江省,杭州市,20\n", encoding="utf-8")
    db = tmp_path / "r.duckdb"
    report = json.loads(run("import", "enterprises", csv, "--format", "json", db=db).stdout)
    assert report["columns"]["capital"] == header
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT capital_wan FROM enterprises").fetchall() == [(pytest.approx(capital),)]
    finally:
        con.close()


def test_text_naming_its_unit_and_a_mapping_unit_win(tmp_path):
    csv = tmp_path / "f.csv"
    csv.write_text("企业名称,注册资本(万元)\n甲科技有限公司,200万元\n乙科技有限公司,3亿\n", encoding="utf-8")
    db = tmp_path / "r.duckdb"
    run("import", "enterprises", csv, db=db)
    con = duckdb.connect(str(db), read_only=True)
    try:
        got = dict(con.execute("SELECT name, capital_wan FROM enterprises").fetchall())
    finally:
        con.close()
    assert got == {"甲科技有限公司": 200.0, "乙科技有限公司": 30000.0}


def test_header_unit_only_for_units():
    assert header_unit("注册资本（万元）") == ("注册资本", "万元")
    assert header_unit("融资金额(万美元)") == ("融资金额", "万美元")
    assert header_unit("公开(公告)号") == ("公开(公告)号", None)
    assert header_unit("注册资本") == ("注册资本", None)
    # only an amount field is matched by the name before its unit
    assert recognise_columns("fundings", ["企业名称", "融资金额(亿元)"])["amount"] == "融资金额(亿元)"
    assert "founded" not in recognise_columns("enterprises", ["企业名称", "成立日期(万元)"])
