"""An enterprise row named by a registered name another source gave a known enterprise (its former full name, kept
as an alias) links to it in the same province, as its current full name would; a brand that is a known short name
at the same address, founded in the same month, is suggested (疑似同名未合并). Real lists: the SZSE list, the merged
A-share table and the Shenwan 2021 file (which gives the former full names), then the IT桔子 companies."""

from __future__ import annotations

import pytest

from cli_util import q, run_json

LISTS = [("listed_companies/szse_a_share_list_2026-01.csv", "szse_a_share", "2026-01-30"),
         ("listed_companies/a_share_companies_merged.csv", "a_share_merged", "2026-03-04"),
         ("industry_chain/company_sw2021_industry_2021-10.csv", "sw_industry", "2021-10-26")]


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    from conftest import shared_file

    files = [(shared_file(rel), preset, day) for rel, preset, day in LISTS]
    itj = shared_file("ai_companies/itjuzi_china_ai_companies_2018-12.csv")
    db = tmp_path_factory.mktemp("alias") / "z.duckdb"
    for f, preset, day in files:
        run_json("import", "enterprises", f, "--preset", preset, "--data-date", day, db=db)
    rep = run_json("import", "enterprises", itj, "--preset", "itjuzi_companies", "--data-date", "2018-12-28", db=db)
    return db, rep


def test_former_full_name_links_to_the_listed_company(imported):
    db, rep = imported
    assert rep["linked_by"] == {"name+province": 13, "alias+province": 3}
    got = dict(q(db, """SELECT r.source_key, e.listed_code FROM enterprise_records r JOIN enterprises e
                        ON e.id = r.enterprise_id WHERE r.source = 'itjuzi' AND r.link_method = 'alias+province'"""))
    # 广州广电运通金融电子股份有限公司, 佳都新太科技股份有限公司, 浙江每日互动网络科技股份有限公司 (个推)
    assert got == {"761": "002152", "766": "600728", "34": "300766"}
    for code in ("002152", "600728", "300766"):
        assert q(db, "SELECT count(*) FROM enterprises WHERE listed_code = ?", [code]) == [(1,)]
    # no second enterprise of those names
    assert q(db, "SELECT count(*) FROM enterprises WHERE name IN ('广州广电运通金融电子股份有限公司', '佳都新太科技股份有限公司')") \
        == [(0,)]


def test_same_short_name_and_address_is_suggested(imported):
    db, rep = imported
    wangsu = q(db, "SELECT id FROM enterprises WHERE listed_code = '300017'")[0][0]
    near = [n for n in rep["near_merges"] if n["name"] == "上海网宿科技股份有限公司"]
    assert [n["existing_id"] for n in near] == [wangsu]
    assert "简称相同（网宿科技）、地址相同、成立于同月（2000-01）" in near[0]["reason"]
    assert "the same short name (网宿科技)" in near[0]["reason_en"]
