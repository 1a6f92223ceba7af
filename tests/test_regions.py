"""The region reference table: current as of 2023, conventions, names, overrides."""

from __future__ import annotations

import csv

import pytest

from zhaoshang.core.errors import UserError
from zhaoshang.core.geo.regions import (
    MUNICIPALITIES,
    PLACEHOLDER_NAMES,
    build_regions,
    code_named,
    former_names,
    load_overrides,
    level_of,
    merged_codes,
    recoded_codes,
    short_name,
    table_regions,
)
from zhaoshang.core.store import Store


@pytest.fixture(scope="module")
def regions():
    return {r.code: r for r in build_regions()}


def _stats_2023(shared):
    out = {}
    for part, pad in (("provinces", "0000"), ("cities", "00"), ("areas", "")):
        with open(shared(f"geo/gbt2260_stats_{part}_2023.csv"), encoding="utf-8") as fh:
            for rec in csv.DictReader(fh):
                if rec["name"] not in PLACEHOLDER_NAMES:
                    out[rec["code"] + pad] = rec["name"]
    return out


def test_every_2023_code_present_with_same_name(shared, regions):
    stats = _stats_2023(shared)
    assert len(stats) > 3300
    missing = {c: n for c, n in stats.items() if c not in regions}
    renamed = {c: (n, regions[c].name) for c, n in stats.items() if c in regions and regions[c].name != n}
    assert missing == {}, f"2023 codes missing from the table: {missing}"
    assert renamed == {}, f"2023 codes with another name in the table: {renamed}"


def test_only_documented_extra_codes(shared, regions):
    """Codes we have that the 2023 statistical list lacks: 港澳台, the municipalities' city rows, 三沙's districts, and
    Hong Kong's districts and Macao's parishes (the boundary files draw them by these codes)."""
    stats = _stats_2023(shared)
    extra = sorted(c for c in regions if c not in stats)
    assert extra == ["110100", "120100", "310100", "460301", "460302", "500100", "710000", "810000",
                     *(f"8100{i:02d}" for i in range(1, 19)), "820000", *(f"8200{i:02d}" for i in range(1, 9))]


def test_abolished_codes_are_not_current_but_map_to_successors(regions):
    former = {f.old_code: f for f in former_names()}
    for old, succ, name in [("330103", "330105", "下城区"), ("330104", "330102", "江干区"),
                            ("330185", "330112", "临安市"), ("371200", "370116", "莱芜市"),
                            ("542400", "540600", "那曲地区"), ("310108", "310106", "闸北区"),
                            # 撤地设市 before the base table: the old code and name map to the city's code
                            ("522200", "520600", "铜仁地区"), ("522400", "520500", "毕节地区"),
                            ("542300", "540200", "日喀则地区"), ("542100", "540300", "昌都地区"),
                            ("542600", "540400", "林芝地区"), ("542200", "540500", "山南地区"),
                            ("632100", "630200", "海东地区"), ("652100", "650400", "吐鲁番地区"),
                            ("652200", "650500", "哈密地区"), ("310230", "310151", "崇明县")]:
        assert old not in regions
        assert former[old].successor == succ and former[old].name == name
        assert succ in regions
    for f in former_names():
        assert f.successor in regions, f
    assert regions["330113"].name == "临平区" and regions["330114"].name == "钱塘区"
    assert regions["330112"].name == "临安区"
    assert regions["130502"].name == "襄都区"  # renamed, same code
    assert regions["530800"].name == "普洱市" and former["530800"].name == "思茅市"  # renamed 2007, same code
    # a code changed one for one is the current region's (a boundary file's 那曲地区 is 那曲市); a merged one is not
    recoded = recoded_codes()
    assert recoded["542400"] == "540600" and recoded["310230"] == "310151" and recoded["500228"] == "500155"
    assert "330103" not in recoded and "371200" not in recoded and not set(recoded) & set(regions)
    # a merged one is part of the region of its level that holds its successor today (莱芜市 → 莱芜区 → 济南市)
    merged = merged_codes()
    assert merged["371200"] == "370100" and merged["330103"] == "330105" and not set(merged) & set(regions)
    assert all(level_of(old) == level_of(code) for old, code in merged.items())
    assert table_regions().keys() == regions.keys() and code_named("崇明区", "310000") == "310151"
    assert code_named("朝阳区", "110000") == "110105" and code_named("朝阳区", "100000") is None


def test_hierarchy_conventions(regions):
    for prov, name in MUNICIPALITIES.items():
        city = regions[prov[:2] + "0100"]
        assert (city.name, city.level, city.parent_code) == (name, "city", prov)
    assert regions["110108"].city_code == "110100" and regions["110108"].parent_code == "110100"
    assert regions["500233"].city_code == "500100"  # 忠县: Chongqing's counties belong to 500100 as well
    for code in ("419001", "429004", "429005", "429006", "429021", "469001", "659001", "659012", "810013", "820004"):
        r = regions[code]
        assert (r.level, r.parent_code, r.city_code) == ("district", code[:2] + "0000", code), r
    for code, name in (("810000", "香港特别行政区"), ("820000", "澳门特别行政区"), ("710000", "台湾省")):
        assert regions[code].name == name and regions[code].level == "province"
    for r in regions.values():
        assert r.province_code in regions
        if r.level == "province":
            assert r.parent_code is None and r.city_code is None
        else:
            assert r.parent_code in regions and r.province_code == r.code[:2] + "0000"
        if r.level == "city":
            assert r.city_code == r.code
        if r.level == "district":
            assert regions[r.city_code].level in ("city", "district")
        assert r.lng is not None and 73 < r.lng < 136 and 3 < r.lat < 54, r


def test_short_and_english_names(regions):
    expect = {
        "330100": ("杭州", "Hangzhou"), "330000": ("浙江", "Zhejiang"), "110108": ("海淀", "Haidian"),
        "150000": ("内蒙古", "Inner Mongolia"), "450000": ("广西", "Guangxi"), "650000": ("新疆", "Xinjiang"),
        "110000": ("北京", "Beijing"), "310000": ("上海", "Shanghai"), "540000": ("西藏", "Tibet"),
        "610000": ("陕西", "Shaanxi"), "140000": ("山西", "Shanxi"), "610100": ("西安", "Xi'an"),
        "810000": ("香港", "Hong Kong"), "820000": ("澳门", "Macau"), "500000": ("重庆", "Chongqing"),
        "222400": ("延边", "Yanbian"), "632800": ("海西", "Haixi"), "429021": ("神农架", "Shennongjia"),
        "310115": ("浦东", "Pudong"), "341500": ("六安", "Lu'an"), "350200": ("厦门", "Xiamen"),
        "211300": ("朝阳", "Chaoyang"), "140400": ("长治", "Changzhi"), "330382": ("乐清", "Yueqing"),
        # heteronyms read as the place is: 闵行 Minhang (not Minxing), 六合 Luhe, 洪洞 Hongtong, 马尾 Mawei, 佛冈 Fogang,
        # 什邡 Shifang, 阿勒泰 Aletai, 珲春 Hunchun, 崆峒 Kongtong; those pinyin read right stay (番禺 Panyu, 大埔 Dabu)
        "310112": ("闵行", "Minhang"), "320116": ("六合", "Luhe"), "141024": ("洪洞", "Hongtong"),
        "350105": ("马尾", "Mawei"), "441821": ("佛冈", "Fogang"), "510682": ("什邡", "Shifang"),
        "654300": ("阿勒泰", "Aletai"), "222404": ("珲春", "Hunchun"), "620802": ("崆峒", "Kongtong"),
        "440113": ("番禺", "Panyu"), "441422": ("大埔", "Dabu"),
        # 林 of a place's own name, not a forestry district's 林区: 万柏林区 → 万柏林
        "140109": ("万柏林", "Wanbailin"), "610103": ("碑林", "Beilin"),
        # Hong Kong's and Macao's by their official English names, not pinyin
        "810002": ("湾仔", "Wan Chai District"), "810013": ("北区", "North District"), "820004": ("大堂", "Cathedral Parish"),
    }
    got = {c: (regions[c].short_name, regions[c].name_en) for c in expect}
    assert got == expect
    # one-character stems keep their suffix: 赵县, 城区
    assert regions["130133"].short_name == "赵县"
    assert short_name("黔东南苗族侗族自治州", "city") == "黔东南"
    assert short_name("积石山保安族东乡族撒拉族自治县", "district") == "积石山"
    assert all(r.name_en and r.short_name for r in regions.values())


def test_development_zones_have_readable_english_names(regions):
    """A development zone's English name is its place in pinyin and its kind in English, the way the zones
    name themselves (Hefei High-tech Industrial Development Zone), never one run-together pinyin word."""
    expect = {
        "340176": "Hefei High-tech Industrial Development Zone",
        "340177": "Hefei Economic and Technological Development Zone",
        "320576": "Suzhou Industrial Park",
        "130271": "Hebei Tangshan Lutai Economic Development Zone",
        "130272": "Tangshan Hangu Administrative Zone",
        "371071": "Weihai Torch High-tech Industrial Development Zone",
        "620171": "Lanzhou New Area",
        "410173": "Zhengzhou Airport Economy Comprehensive Experimental Zone",
    }
    assert {c: regions[c].name_en for c in expect} == expect
    zones = [r for r in regions.values() if r.zone]
    assert len(zones) > 100
    # every zone's English name ends in words (Zone, Park, Area…), each word at most a place name long
    for r in zones:
        words = r.name_en.split()
        assert len(words) >= 2 and all(len(w) <= 16 for w in words), (r.code, r.name, r.name_en)


def test_datav_codes_exist_modulo_documented_changes(shared, regions):
    former = {f.old_code for f in former_names()}
    unknown = {}
    with open(shared("geo/china_admin_divisions_centroids_datav_2022.csv"), encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["level"] != "country"]
    for rec in rows:
        c = rec["adcode"]
        if c in regions or c in former:
            continue
        unknown[c] = rec["name"]
    # DataV (Amap) also numbers the districts of Hong Kong and Macau (not in GB/T 2260), which the table holds under
    # the same codes and names; it keeps a "直辖" placeholder, and used interim codes for two units whose official
    # codes differ.
    hk_mo = {rec["adcode"]: rec["name"] for rec in rows if rec["adcode"][:2] in ("81", "82") and rec["level"] == "district"}
    assert len(hk_mo) == 26 and {c: regions[c].name for c in hk_mo if c in regions} == hk_mo
    assert unknown == {"232718": "加格达奇区", "340211": "繁昌区", "632825": "海西蒙古族藏族自治州直辖"}
    assert regions["232761"].name == "加格达奇区" and regions["340212"].name == "繁昌区"
    assert len(rows) > 3200


def test_store_fills_regions_table(regions):
    store = Store(":memory:")
    con = store.con
    assert con.execute("SELECT count(*) FROM regions").fetchone()[0] == len(regions)
    row = con.execute("SELECT name, short_name, name_en, level, parent_code, province_code, city_code "
                      "FROM regions WHERE code = '330113'").fetchone()
    assert row == ("临平区", "临平", "Linping", "district", "330100", "330000", "330100")
    by_level = dict(con.execute("SELECT level, count(*) FROM regions GROUP BY level").fetchall())
    assert by_level["province"] == 34 and by_level["city"] > 330 and by_level["district"] > 2900


def test_a_database_made_by_an_earlier_version_reads_this_region_table(tmp_path):
    """A database keeps a copy of the region table; one an earlier version wrote (闵行 spelt Minxing, a district
    missing, no stamp) is brought to this version's table when it is opened — also when it is opened to read, as
    the server and the read commands do — and every reader then reads Minhang."""
    from zhaoshang.core.geo.lookup import region_info

    path = str(tmp_path / "old.duckdb")
    with Store(path) as store:  # as an earlier version left it
        store.con.execute("UPDATE regions SET name_en = 'Minxing' WHERE code = '310112'")
        store.con.execute("DELETE FROM regions WHERE code = '330113'")
        store.con.execute("DELETE FROM meta WHERE key = 'regions_table'")
    with Store(path, read_only=True) as store:
        assert region_info(store, "闵行区")["name_en"] == "Minhang"
        assert region_info(store, "临平区")["code"] == "330113"
    with Store(path) as store:  # a stamp of a table other than this one: refilled by a writable open as well
        store.con.execute("UPDATE regions SET name_en = 'Minxing' WHERE code = '310112'")
        store.set_meta("regions_table", "0" * 20)
    with Store(path) as store:
        assert store.query("SELECT name_en FROM regions WHERE code = '310112'") == [{"name_en": "Minhang"}]
        assert store.con.execute("SELECT count(*) FROM regions").fetchone()[0] == len(build_regions())


def test_override_file_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("changes: [ {change: added, code: 12", encoding="utf-8")
    with pytest.raises(UserError, match="不是有效的 YAML"):
        load_overrides(bad)
    bad.write_text("changes:\n  - {change: moved, code: '330113', name: 临平区}\n", encoding="utf-8")
    with pytest.raises(UserError, match="第 1 条"):
        load_overrides(bad)
    bad.write_text("changes:\n  - {change: added, code: '3301', name: 临平区}\n", encoding="utf-8")
    with pytest.raises(UserError, match="6 位代码"):
        load_overrides(bad)
    with pytest.raises(UserError, match=r"^区划变更表不存在: .*missing\.yaml$"):
        load_overrides(tmp_path / "missing.yaml")
    changes = load_overrides()
    assert {c.change for c in changes} == {"recoded", "added", "zone", "abolished", "renamed", "coordinates", "place"}
    assert all(c.year for c in changes if c.change not in ("zone", "coordinates", "place"))


def test_reference_table_is_cached_per_user_and_a_broken_cache_is_rebuilt(tmp_path, monkeypatch):
    from zhaoshang.core.geo import regions as R

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    R._build.cache_clear()
    try:
        fresh = R._compute()
        assert R._build() == fresh
        cached = R._cache_path()
        assert cached.parent == tmp_path / "zhaoshang" and cached.exists()
        R._build.cache_clear()
        assert R._build() == fresh  # read back from the file
        cached.write_text('{"regions": [["1"', encoding="utf-8")  # a half-written or damaged file
        R._build.cache_clear()
        assert R._build() == fresh and R._build()[0][0] == fresh[0][0]
    finally:
        R._build.cache_clear()


def test_a_codes_province_and_city_are_the_region_service_s():
    """The map's views find a province's cities and a city's districts through these, never by cutting codes."""
    from zhaoshang.core.geo.regions import city_of, level_of, province_of

    assert [level_of(c) for c in ("330000", "330100", "330106")] == ["province", "city", "district"]
    assert province_of("330106") == "330000" and province_of("330000") == "330000"
    assert city_of("330106") == "330100" and city_of("330100") == "330100" and city_of("330000") is None
    assert city_of("110105") == "110100"  # a municipality's district: its city-level code
    assert city_of("429004") == "429004"  # a province-administered county is its own
