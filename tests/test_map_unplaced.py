"""The map's drill-down says what its rows leave out: a province's enterprises with no city known are in the
province's count but in no city's row, and the map (its table and side panel) says "另有 N 家企业未定位到地市，未列入" —
the wording the trends page uses for its rounds — instead of letting the cities add up short in silence. The nation
says the same of the placed enterprises with no region in China (the map at the province level, the chain page), and
a city's drill-down of its enterprises with no district known (``map --level district`` lists them in a row of their
own). A level above the parent is refused in words, not answered with an empty table."""

from __future__ import annotations

import csv
import io
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from cli_util import run, run_json  # noqa: E402
from web_util import ARGS, CHROMIUM, local_client, require_browser, serving  # noqa: E402

from zhaoshang.core.asof import reference_date  # noqa: E402
from zhaoshang.core.geo.lookup import region_info  # noqa: E402
from zhaoshang.core.store import Store  # noqa: E402
from zhaoshang.interfaces.web.app import create_app  # noqa: E402
from zhaoshang.services.region_profile import _top_section  # noqa: E402
from zhaoshang.services.regions import matrix  # noqa: E402


def test_a_province_drill_down_counts_the_enterprises_without_a_city(tmp_path, demo_copy):
    db = demo_copy(tmp_path / "demo.duckdb")
    with Store(db, read_only=True) as s:
        prov = "330000"
        assert matrix.unplaced(s, prov, "city") == 0
        assert matrix.unplaced(s, None, "province") == 0
    # two enterprises of the province whose city is not known, and one with no region at all, placed on the chain
    # by an analyst
    f = tmp_path / "省级.csv"
    f.write_text("企业名称,地区\n浙江甲未定位智能科技有限公司,浙江省\n浙江乙未定位智能科技有限公司,浙江\n"
                 "丙无地区智能科技有限公司,\n拉萨丁未定位区县智能科技有限公司,西藏自治区拉萨市\n"
                 # province-administered county-level cities: their own city-level unit, no city above them
                 "石河子戊智能科技有限公司,新疆石河子市\n五家渠己智能科技有限公司,新疆维吾尔自治区五家渠市\n"
                 # Hong Kong, no district known: its units are districts (区), not cities
                 "香港庚未定位智能科技有限公司,香港\n",
                 encoding="utf-8")
    run("import", "enterprises", f, "--source", "province-list", db=db)
    for name in ("浙江甲未定位智能科技有限公司", "浙江乙未定位智能科技有限公司", "丙无地区智能科技有限公司",
                 "拉萨丁未定位区县智能科技有限公司", "石河子戊智能科技有限公司", "五家渠己智能科技有限公司",
                 "香港庚未定位智能科技有限公司"):
        run("placements", "add", name, "M02", "--reason", "主营机器视觉", db=db)
    client = local_client(create_app(str(db)))
    top = {r["code"]: r["count"] for r in client.get("/api/map", params={"level": "province"}).json()["rows"]}
    drill = client.get("/api/map", params={"level": "city", "parent": prov}).json()
    assert top[prov] - sum(r["count"] for r in drill["rows"]) == drill["unplaced"] == 2
    assert client.get(f"/api/regions/{prov}").json()["unplaced"] == 2
    # 石河子 (659001) and 五家渠 (659004) are Xinjiang's city-level units beside its cities: rows of its city map (the
    # page's shapes too), none unplaced, and 石河子's report ranks it among them, not among the districts of itself
    xj = client.get("/api/map", params={"level": "city", "parent": "650000"}).json()
    xj_rows = {r["code"]: r["count"] for r in xj["rows"]}
    assert xj_rows["659001"] == xj_rows["659004"] == 1 and xj["unplaced"] == 0
    assert sum(xj_rows.values()) == top["650000"]
    assert {"659001", "659004"} <= {f["id"] for f in client.get("/api/geo/650000").json()["features"]}
    shz = client.get("/api/region-profile/659001").json()["map"]
    assert (shz["rank_level"], shz["view"], shz["peers"]) == ("city", "650000", len(xj["rows"])) and shz["rank"], shz
    # the nation: the placed enterprise with no region is in no province's row, nor in the chain's totals, and both
    # say so — the library's count of the chain (node=ai) holds it
    nation = client.get("/api/map", params={"level": "province"}).json()
    library = client.get("/api/enterprises", params={"node": "ai", "size": 1}).json()["total"]
    assert library - sum(r["count"] for r in nation["rows"]) == nation["unplaced"] == 1
    assert client.get("/api/map", params={"level": "province", "node": "M02"}).json()["unplaced"] == 1
    assert client.get("/api/map", params={"level": "province", "node": "D"}).json()["unplaced"] == 0
    assert client.get("/api/map", params={"level": "macro"}).json()["unplaced"] is None  # overlapping: no whole
    tree = client.get("/api/chain").json()
    assert tree["unlocated"] == 1 and tree["national_total"] == library - 1
    assert "另有 1 家已归入产业链的企业无国内所在地区（地区不详或在境外），未计入" in client.get("/chain").text
    # a city's enterprise with no district known: in the city's count, in none of its districts' — the web map's
    # district level and `map --level district` say so (the command lists it in a row of its own, so its rows add up)
    lhasa = {r["code"]: r["count"] for r in client.get("/api/map", params={"level": "city", "parent": "540000"}).json()["rows"]}
    districts = client.get("/api/map", params={"level": "district", "parent": "540100"}).json()
    assert lhasa["540100"] == 1 and sum(r["count"] for r in districts["rows"]) == 0 and districts["unplaced"] == 1
    doc = run_json("map", "--level", "district", "--parent", "拉萨", db=db)
    assert [r for r in doc if r.get("unplaced")] == [doc[-1]] and doc[-1]["count"] == 1 and doc[-1]["code"] is None
    assert sum(r["count"] for r in doc) == lhasa["540100"] and doc[-1]["name"] == "区县不详"
    hk = run("map", "--level", "city", "--parent", "香港", db=db, env={"COLUMNS": "160"})
    assert "香港特别行政区另有 1 家企业未定位到区，列为“区不详”" in hk.stderr and "地市" not in hk.stdout + hk.stderr, hk
    zh = run("map", "--level", "district", "--parent", "拉萨", db=db, env={"COLUMNS": "160"})
    assert "区县不详" in zh.stdout and "拉萨市另有 1 家企业未定位到区县，列为“区县不详”" in zh.stderr
    en = run("--lang", "en", "map", "--level", "district", "--parent", "拉萨", db=db, env={"COLUMNS": "160"})
    assert "district unknown" in en.stdout and \
        "1 more enterprise of Lhasa not placed in one of the districts: listed as “district unknown”" in en.stderr
    assert not re.search(r"[\u4e00-\u9fff]", en.stdout + en.stderr), en.stdout + en.stderr
    rows = list(csv.DictReader(io.StringIO(run("map", "--level", "district", "--parent", "540100", "--format", "csv",
                                                db=db).stdout)))
    assert (rows[-1]["code"], rows[-1]["name"], rows[-1]["count"], rows[-1]["unplaced"]) == ("", "区县不详", "1", "true")
    # a level above the parent lists nothing: said, not an empty table
    above = run("map", "--level", "province", "--parent", "杭州", db=db, check=False)
    assert above.returncode == 2 and "杭州市是地市，其下没有省级地区：层级 province 在它之上；它的下级是区县（district）" in above.stderr
    above = run("--lang", "en", "map", "--level", "province", "--parent", "杭州", db=db, check=False)
    assert above.returncode == 2 and "Hangzhou is a city: no provinces lie under it (level province is above it)" in above.stderr
    r = client.get("/api/map", params={"level": "province", "parent": "330100"})
    assert r.status_code == 400 and "其下没有省级地区" in r.json()["error"]
    # macro-regions lie under no region: a parent is refused in words, not ignored
    macro = run("map", "--level", "macro", "--parent", "浙江", db=db, check=False)
    assert macro.returncode == 2 and "宏观区域（层级 macro）不在任何地区之下，无法按上级地区 浙江 列出" in macro.stderr
    macro = run("--lang", "en", "map", "--level", "macro", "--parent", "330000", db=db, check=False)
    assert macro.returncode == 2 and "macro-regions (level macro) lie under no region" in macro.stderr
    assert not re.search(r"[\u4e00-\u9fff]", macro.stderr), macro.stderr
    # the region's top enterprises say no district (—) where none is known, not the city under 所在区县
    with Store(db, read_only=True) as s:  # the profile's section (page, report and workbook), without the rest
        top = _top_section(s, region_info(s, "540100"), reference_date(s), "ai", 10)["rows"]
    assert [(r["name"], r["district"]) for r in top] == [("拉萨丁未定位区县智能科技有限公司", None)]

    require_browser()
    from playwright.sync_api import sync_playwright

    with serving(db) as base, sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pg = b.new_page()
        pg.goto(f"{base}/map?region={prov}")
        pg.wait_for_selector("#map[data-ready='1']")
        pg.wait_for_function("() => !document.querySelector('#map-unplaced').hidden")
        assert pg.inner_text("#map-unplaced") == "另有 2 家企业未定位到地市，未列入"
        pg.wait_for_selector("#panel-unplaced")
        assert pg.inner_text("#panel-unplaced") == "另有 2 家企业未定位到地市，未列入"
        pg.goto(f"{base}/map?region={prov}&lang=en")
        pg.wait_for_selector("#map[data-ready='1']")
        pg.wait_for_function("() => !document.querySelector('#map-unplaced').hidden")
        assert pg.inner_text("#map-unplaced") == "2 more enterprises not placed in one of the cities: not shown"
        pg.goto(f"{base}/map")  # the nation (in English, as chosen): the enterprise with no region
        pg.wait_for_selector("#map[data-ready='1']")
        pg.wait_for_function("() => !document.querySelector('#map-unplaced').hidden")
        assert pg.inner_text("#map-unplaced") == "1 more enterprise not placed in one of the provinces: not shown"
        b.close()
