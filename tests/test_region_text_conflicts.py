"""An address and a region text (IT桔子's location_raw) that name different places: the address is kept unless its
province contradicts both the text and the city it names itself; either way the disagreement is flagged in the
rejects file, counted in the import summary and shown in the profile's 来源与冲突. So is a legal name stating another
province or city than the region imported (深圳前海达闼… placed in 北京市朝阳区 by its address)."""

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
    assert len([k for k in got if k[1] != "name_region"]) == 9
    # a legal name stating another province or city than the region imported (its start or brackets, read by the
    # region parser): flagged for review, the region imported kept — 28 rows of the file
    assert rep["name_region_conflicts"] == 28 == len([k for k in got if k[1] == "name_region"])
    assert got[("深圳前海达闼科技有限公司", "name_region")] == ("北京市朝阳区", "深圳市")
    assert got[("爱闪拍（上海）科技有限公司", "name_region")] == ("台湾省", "上海市")
    # placed by its location 香港-中西区 in Hong Kong's district (a region of the table: the SAR's districts stand for
    # themselves, as 仙桃 does)
    assert got[("湖南科云达智能科技有限责任公司", "name_region")] == ("中西区", "湖南省")
    assert q(db, "SELECT province_code, city_code, district_code FROM enterprises WHERE name = '湖南科云达智能科技有限责任公司'") == \
        [("810000", "810001", "810001")]
    assert q(db, "SELECT province_code FROM enterprises WHERE name = '爱闪拍（上海）科技有限公司'") == [("710000",)]
    # a name whose first place is a word as often (朝阳: a city and districts; 中山) or names no place is not read
    assert not [k for k in got if k[1] == "name_region" and k[0][:2] in ("朝阳", "中山", "东方")]
    # the rejects file names the region imported with its city (按地址导入为 南山区 left the city to guess)
    import csv

    with open(rep["rejects_path"], encoding="utf-8-sig", newline="") as fh:
        said = {r["value"]: (r["reason"], r["reason_en"]) for r in csv.DictReader(fh) if r["code"] == "region_text_conflict"}
    assert said["广东-深圳"][0].endswith("按地址导入为 北京市朝阳区，请核对"), said
    assert said["广东-深圳"][1].endswith("imported by the address as Chaoyang, Beijing; to review"), said
    with open(rep["rejects_path"], encoding="utf-8-sig", newline="") as fh:
        named = {r["value"]: (r["reason"], r["reason_en"]) for r in csv.DictReader(fh) if r["code"] == "name_region_conflict"}
    assert named["爱闪拍（上海）科技有限公司"] == (
        "名称中的地区 上海市 与导入的地区 台湾省 不同：按导入的地区计入，请核对",
        "the name states Shanghai, not the region imported, Taiwan: counted in the region imported; to review")
    text = run("import", "enterprises", shared_path(), "--preset", "itjuzi_companies", "--data-date", "2018-12-29",
               db=db.parent / "again.duckdb").stdout
    assert "地区列与地址不一致" in text and "9" in text.split("地区列与地址不一致")[1].splitlines()[0]
    assert "28" in text.split("名称中的地区不一致")[1].splitlines()[0]
    # the place a name gives itself: a branch's before 分公司, else the bracketed one after the trade name, else
    # its start — a subsidiary 武汉…（西安） is in 西安, a branch 广州…北京分公司 in 北京; 朝阳 at a start is no place
    f = db.parent / "names.csv"
    f.write_text("企业名称,地区\n武汉甲智能科技（西安）有限公司,陕西省西安市\n广州乙智能制造有限公司北京分公司,北京市\n"
                 "上海丙科技有限公司北京分公司,广东省广州市\n朝阳丁科技有限公司,广东省东莞市\n", encoding="utf-8")
    small = run_json("import", "enterprises", f, "--source", "名录", db=db.parent / "names.duckdb")
    assert small["name_region_conflicts"] == 1
    assert q(db.parent / "names.duckdb", "SELECT e.name, c.value, c.record_value FROM enterprise_conflicts c "
             "JOIN enterprises e ON e.id = c.enterprise_id") == [("上海丙科技有限公司北京分公司", "广州市", "北京市")]


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
    assert "名称中的地区（与所在地区不一致，按所在地区）" in text and "深圳市" in text, text
    assert [(c["field"], c["record_value"]) for c in doc["conflicts"]] == [("name_region", "深圳市"),
                                                                           ("region_text", "广东-深圳")]
