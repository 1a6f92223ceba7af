"""An address and a region text (IT桔子's location_raw) that name different places: the address is kept unless its
province contradicts both the text and the city it names itself; either way the disagreement is flagged in the
rejects file, counted in the import summary and shown in the profile's 来源与冲突."""

from __future__ import annotations

import pytest

from cli_util import q, run, run_json

ITJUZI = "ai_companies/itjuzi_china_ai_companies_2018-12.csv"


@pytest.fixture(scope="module")
def itjuzi_db(tmp_path_factory):
    from conftest import shared_file

    src = shared_file(ITJUZI)
    db = tmp_path_factory.mktemp("itj") / "z.duckdb"
    rep = run_json("import", "enterprises", src, "--preset", "itjuzi_companies", "--data-date", "2018-12-28", db=db)
    return db, rep


def test_itjuzi_import_flags_and_keeps_the_right_region(itjuzi_db):
    db, rep = itjuzi_db
    # 9 rows whose address names another province or city than location_raw (a row whose location_raw names a
    # district, 上海-普陀区, is placed by it and its address not read)
    assert rep["region_text_conflicts"] == 9 and rep["region_conflicts"] == 0
    assert q(db, "SELECT province_code, city_code FROM enterprises WHERE name = '武汉爱速达机器人科技有限公司'") == \
        [("420000", "420100")]
    got = dict(((n, f), (v, t)) for n, f, v, t in q(db, """SELECT e.name, c.field, c.value, c.record_value
        FROM enterprise_conflicts c JOIN enterprises e ON e.id = c.enterprise_id"""))
    assert got[("深圳前海达闼科技有限公司", "region_text")] == ("北京市朝阳区", "广东-深圳")
    assert got[("武汉爱速达机器人科技有限公司", "address")][0] == "武汉市"
    assert got[("武汉爱速达机器人科技有限公司", "address")][1].startswith("湖南省武汉市东湖新技术开发区")
    assert len(got) == 9
    # the rejects file names the region imported with its city (按地址导入为 南山区 left the city to guess)
    import csv

    with open(rep["rejects_path"], encoding="utf-8-sig", newline="") as fh:
        said = {r["value"]: (r["reason"], r["reason_en"]) for r in csv.DictReader(fh) if r["code"] == "region_text_conflict"}
    assert said["广东-深圳"][0].endswith("按地址导入为 北京市朝阳区，请核对"), said
    assert said["广东-深圳"][1].endswith("imported by the address as Chaoyang, Beijing; to review"), said
    text = run("import", "enterprises", shared_path(), "--preset", "itjuzi_companies", "--data-date", "2018-12-29",
               db=db.parent / "again.duckdb").stdout
    assert "地区列与地址不一致" in text and "9" in text.split("地区列与地址不一致")[1].splitlines()[0]


def shared_path():
    from conftest import shared_file

    return shared_file(ITJUZI)


def test_profile_shows_the_region_conflict(itjuzi_db):
    from playwright.sync_api import sync_playwright
    from web_util import ARGS, CHROMIUM, require_browser, serving

    require_browser()
    db, _ = itjuzi_db
    eid = q(db, "SELECT id FROM enterprises WHERE name = '深圳前海达闼科技有限公司'")[0][0]
    with serving(db) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        page.goto(f"{base}/enterprises/{eid}")
        text = page.inner_text("#conflicts")
        page.goto(f"{base}/enterprises/{eid}?lang=en")
        text_en = page.inner_text("#conflicts")
        doc = page.request.get(f"{base}/api/enterprises/{eid}").json()
        browser.close()
    assert "地区列（与地址不一致，按地址）" in text and "北京市朝阳区" in text and "广东-深圳" in text, text
    assert "Region column (differs from the address; address kept)" in text_en
    assert [(c["field"], c["record_value"]) for c in doc["conflicts"]] == [("region_text", "广东-深圳")]
