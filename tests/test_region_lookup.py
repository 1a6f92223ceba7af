"""The region service behind every region argument, group and URL: codes, names, short names, paths,
macro-regions, ambiguity listed with codes, misspellings suggested, groups expanded to their members."""

from __future__ import annotations

import json
import re

import pytest

from cli_util import run, run_json
from zhaoshang.core.errors import NotFound, UserError
from zhaoshang.core.geo.lookup import (
    AmbiguousRegion,
    RegionNotFound,
    find_region,
    members_at,
    region_condition,
    region_labels,
    resolve_region,
    suggest,
)
from zhaoshang.core.store import Store


@pytest.fixture(scope="module")
def store():
    s = Store(":memory:")
    yield s
    s.close()


@pytest.mark.parametrize("text, code", [
    ("330100", "330100"), ("杭州", "330100"), ("杭州市", "330100"), ("浙江省杭州市", "330100"), ("浙江", "330000"),
    ("北京", "110000"), ("北京市", "110000"), ("北京市朝阳区", "110105"), ("南京鼓楼区", "320106"), ("海淀", "110108"),
    ("Beijing", "110000"), ("shanghai", "310000"), ("Jilin", "220000"), ("Zhejiang", "330000"), ("Hangzhou", "330100"),
])
def test_names_and_paths(store, text, code):
    assert find_region(store, text) == code


def test_ambiguous_names_list_their_candidates(store):
    with pytest.raises(UserError) as e:
        find_region(store, "朝阳区")
    assert "110105" in str(e.value) and "220104" in str(e.value)
    with pytest.raises(UserError) as e:
        find_region(store, "鼓楼区")
    assert all(c in str(e.value) for c in ("320106", "320302", "350102", "410204"))
    with pytest.raises(NotFound):
        find_region(store, "火星市")


def test_every_command_reads_regions_the_same_way(tmp_path):
    db = tmp_path / "z.duckdb"
    Store(db).close()
    for args in (["chain", "--region", "朝阳区"], ["recommend", "朝阳区"], ["trends", "--region", "朝阳区"]):
        p = run(*args, db=db, check=False)
        assert p.returncode == 2 and "地区名称有歧义" in p.stderr, (args, p.stderr)
    # a short name read by the level rule says which region it is and the others of its name, before the error
    p = run("recommend", "朝阳", db=db, check=False)
    lines = p.stderr.splitlines()
    assert p.returncode == 2 and lines[0] == ("注意：朝阳 读作 辽宁省朝阳市 (211300)（同名：北京市朝阳区 (110105)、"
                                              "朝阳市朝阳县 (211321)、长春市朝阳区 (220104)；请写全称或代码）"), p.stderr
    assert lines[1].startswith("错误: "), p.stderr
    p = run("--lang", "en", "recommend", "Chaoyang", db=db, check=False)
    lines = p.stderr.splitlines()
    # in English by the regions' English labels alone (the one label of a region: Chaoyang, Liaoning), no Chinese
    assert lines[0].startswith("note: Chaoyang read as Chaoyang, Liaoning (211300) (same name: Chaoyang, Beijing "
                               "(110105), Chaoyang, Chaoyang (211321), "), p.stderr
    assert "Chaoyang, Shantou (440513)" in lines[0] and lines[1].startswith("error: "), p.stderr
    assert not re.search("[\u4e00-\u9fff]", lines[0]), p.stderr


@pytest.mark.parametrize("text, code", [
    ("长三角", "M-YRD"), ("京津冀", "M-JJJ"), ("珠三角", "M-PRD"), ("粤港澳", "M-GBA"), ("粤港澳大湾区", "M-GBA"),
    ("成渝", "M-CY"), ("M-YRD", "M-YRD"), ("m-yrd", "M-YRD"), ("Yangtze River Delta", "M-YRD"),
])
def test_macro_regions_resolve(store, text, code):
    ref = resolve_region(store, text)
    assert ref.code == code and ref.level == "macro" and ref.members


def test_macro_membership_is_the_macro_file(store):
    from zhaoshang.core.geo.macro import load_macro_regions

    assert resolve_region(store, "长三角").members == load_macro_regions()["M-YRD"].members
    sql, params = region_condition(resolve_region(store, "长三角"), "e")
    rows = store.con.execute(f"SELECT code FROM (SELECT code, province_code, city_code, NULL AS district_code "
                             f"FROM regions WHERE level = 'province') e WHERE {sql} ORDER BY 1", params).fetchall()
    assert [r[0] for r in rows] == ["310000", "320000", "330000", "340000"]


def test_misspelling_suggested(store):
    assert suggest("杭洲市")[0] == "330100"
    with pytest.raises(RegionNotFound) as e:
        resolve_region(store, "杭洲市")
    assert str(e.value).startswith("未找到地区 杭洲市，您是不是要找：杭州市 (330100)")
    assert "\n" not in str(e.value)
    assert e.value.en.startswith("region not found: 杭洲市 — did you mean Hangzhou (330100)")  # in English, the typed text quoted
    assert e.value.suggestions[0]["code"] == "330100" and e.value.suggestions[0]["label_en"] == "Hangzhou"
    assert isinstance(e.value, NotFound)
    assert suggest("Hangzou")[0] == "330100"  # an English name misspelt is suggested too
    with pytest.raises(RegionNotFound) as e:   # nothing close: no suggestion
        resolve_region(store, "火星基地")
    assert e.value.suggestions == [] and str(e.value) == "未找到地区 火星基地"


@pytest.mark.parametrize("text, code", [("珠海x", "440400"), ("广州y", "440100"), ("杭州x", "330100"),
                                        ("珠海区", "440400"), ("广东x", "440000")])
def test_one_stray_character_is_refused_with_the_region_meant(store, text, code):
    # a name with one character the parser cannot place is not silently the region it begins with
    with pytest.raises(RegionNotFound) as e:
        resolve_region(store, text)
    assert e.value.suggestions[0]["code"] == code
    assert str(e.value).startswith(f"未找到地区 {text}，您是不是要找：")


@pytest.mark.parametrize("text, code", [
    ("杭州", "330100"), ("杭州市", "330100"), ("浙江杭州", "330100"), ("浙江省杭州市", "330100"), ("浙江杭州市", "330100"),
    ("中国浙江杭州", "330100"), ("浙江/杭州", "330100"), ("浙江-杭州", "330100"), ("浙江省 杭州市 西湖区", "330106"),
    ("杭州西湖", "330106"), ("上海浦东", "310115"), ("北京朝阳", "110105"), ("广西壮族自治区南宁市", "450100"),
    ("内蒙", "150000"), ("延边州", "222400"), ("Hangzhou", "330100"), ("Guangdong Shenzhen", "440300"),
    ("330100", "330100"), ("长三角", "M-YRD"),
])
def test_names_paths_and_separators_still_resolve(store, text, code):
    assert resolve_region(store, text).code == code


def test_ambiguous_names_carry_candidates(store):
    with pytest.raises(AmbiguousRegion) as e:
        resolve_region(store, "朝阳区")
    assert [(c["code"], c["label"]) for c in e.value.candidates] == [("110105", "北京市朝阳区"),
                                                                     ("220104", "长春市朝阳区")]
    assert isinstance(e.value, UserError) and "110105" in e.value.en


def test_english_names_shared_are_ambiguous_as_the_chinese(store):
    with pytest.raises(AmbiguousRegion) as e:
        resolve_region(store, "Gulou")
    assert [c["code"] for c in e.value.candidates] == ["320106", "320302", "350102", "410204"]  # as 鼓楼
    assert e.value.en.startswith("ambiguous region name: Gulou could be Gulou, Nanjing (320106)")
    with pytest.raises(AmbiguousRegion) as e:
        resolve_region(store, "taizhou")
    assert [c["code"] for c in e.value.candidates] == ["321200", "331000"]
    assert resolve_region(store, "Chaoyang").code == "211300"  # the city, as 朝阳
    # a region's English label reads back as it, the word of its kind written or not (Chaoyang District, Beijing),
    # a SAR's district with the SAR (Wan Chai District, Hong Kong: not Hong Kong, nor two regions)
    for text, code in (("Chaoyang, Liaoning", "211300"), ("Chaoyang District, Beijing", "110105"),
                       ("Chaoyang, Chaoyang", "211321"), ("Jilin, Jilin", "220200"), ("Taizhou, Zhejiang", "331000"),
                       ("Wan Chai District, Hong Kong", "810002"), ("Kowloon City, Hong Kong", "810007"),
                       ("Our Lady of Fatima Parish, Macau", "820001"), ("Hangzhou City", "330100")):
        assert resolve_region(store, text).code == code, text
    with pytest.raises(RegionNotFound):  # every word must name the place: an unknown one is not dropped
        resolve_region(store, "Foo District, Hangzhou")
    labels = region_labels(store, ["211300", "211321", "110105", "220200", "321200", "330100", "810002"], "en")
    assert labels == {"211300": "Chaoyang, Liaoning", "211321": "Chaoyang, Chaoyang", "110105": "Chaoyang, Beijing",
                      "220200": "Jilin, Jilin", "321200": "Taizhou, Jiangsu", "330100": "Hangzhou",
                      "810002": "Wan Chai District"}
    assert all(resolve_region(store, t).code == c for c, t in labels.items())


def test_level_rule_notes_the_other_regions_of_a_name(store):
    from zhaoshang.core.geo.readings import readings

    with readings() as said:
        assert resolve_region(store, "朝阳").code == "211300"
        assert resolve_region(store, "吉林").code == "220000"
        for quiet in ("北京", "Beijing", "朝阳市", "杭州", "330100"):  # a municipality's city is its province
            resolve_region(store, quiet)
        assert resolve_region(store, "朝阳", "city").code == "211300"  # the level given: no rule applied
    assert list(said) == ["朝阳", "吉林"]
    assert said["吉林"] == ("吉林 读作 吉林省 (220000)（同名：吉林市 (220200)；请写全称或代码）",
                          "吉林 read as Jilin (220000) (same name: Jilin, Jilin (220200); give the code or the "
                          "parent region)")
    resolve_region(store, "朝阳")  # outside a collection nothing is kept
    assert list(said) == ["朝阳", "吉林"]


def test_members_at_levels(store):
    yrd = resolve_region(store, "长三角")
    assert members_at(store, yrd, "province") == ["310000", "320000", "330000", "340000"]
    cities = members_at(store, yrd, "city")
    assert "310100" in cities and "330100" in cities and "340100" in cities and "440300" not in cities
    assert members_at(store, yrd, "macro") == ["M-YRD"]
    with pytest.raises(UserError, match="level city"):  # 珠三角 is nine cities, not a province
        members_at(store, resolve_region(store, "珠三角"), "province")
    assert len(members_at(store, resolve_region(store, "珠三角"), "city")) == 9
    assert members_at(store, resolve_region(store, "浙江"), "city")[0] == "330100"


def test_network_group_by_macro_name_equals_listing_members(tmp_path):
    """`network --group 京津冀,长三角` gives the members and the same shares as listing the seven provinces."""
    from test_network import fill

    db = tmp_path / "t.duckdb"
    with Store(db) as s:
        fill(s)
    docs = []
    for group in ("京津冀,长三角", "北京市,天津市,河北省,上海市,江苏省,浙江省,安徽省"):
        p = run("network", "--kind", "patent", "--level", "province", "--group", group, "--format", "json", db=db)
        docs.append(json.loads(p.stdout))
    by_macro, listed = docs
    assert by_macro["group"] == listed["group"] == ["110000", "120000", "130000", "310000", "320000", "330000", "340000"]
    assert [g["code"] for g in by_macro["group_given"]] == ["M-JJJ", "M-YRD"]
    assert by_macro["internal_share"] == listed["internal_share"] == pytest.approx(1.5 / 3.5)
    assert by_macro["external_output_share"] == listed["external_output_share"] > 0
    assert {r["region"] for r in by_macro["nodes"] if r["in_group"]} == {"110000", "310000"}
    assert not {x["region"] for x in by_macro["secondary_nodes"]} & {"110000", "310000"}
    # a macro-region of cities at province level is refused with one clear line, never an empty answer
    p = run("network", "--kind", "patent", "--level", "province", "--group", "珠三角", db=db, check=False)
    assert p.returncode == 2 and "地市级层级（--level city）" in p.stderr and "Traceback" not in p.stderr
    # without --level the group chooses it: 珠三角's members are cities, so the network is of cities
    chosen = run_json("network", "--kind", "patent", "--group", "珠三角", db=db)
    assert chosen["level"] == "city" and chosen["group_given"][0]["code"] == "M-PRD"
    both = run_json("network", "--kind", "patent", "--group", "珠三角,长三角", db=db)  # the finest among the items
    assert both["level"] == "city" and "330100" in both["group"]
    assert run_json("network", "--kind", "patent", "--group", "长三角", db=db)["level"] == "province"
    # at city level the same macro works: its province members become their cities
    p = run("network", "--kind", "patent", "--level", "city", "--group", "三极", "--format", "json", db=db)
    doc = json.loads(p.stdout)
    assert {"110100", "310100", "440300", "440100"} <= set(doc["group"]) and doc["internal_share"] is not None


def test_cli_messages_suggest_and_list(tmp_path):
    db = tmp_path / "z.duckdb"
    Store(db).close()
    p = run("trends", "--region", "杭洲市", db=db, check=False)
    assert p.returncode == 2 and p.stderr.strip() == "错误: 未找到地区 杭洲市，您是不是要找：杭州市 (330100)?"
    p = run("--lang", "en", "trends", "--region", "杭洲市", db=db, check=False)
    assert p.returncode == 2 and p.stderr.startswith("error: region not found: 杭洲市 — did you mean Hangzhou (330100)")
    p = run("--lang", "en", "trends", "--region", "Hangzou", db=db, check=False)
    assert p.returncode == 2 and p.stderr.startswith("error: region not found: Hangzou — did you mean Hangzhou (330100)")
    p = run("--lang", "en", "search", "机器人", "--region", "朝阳区", db=db, check=False)
    assert "could be Chaoyang, Beijing (110105), Chaoyang, Changchun (220104);" in p.stderr, p.stderr
    for args in (["search", "机器人", "--region", "朝阳区"], ["network", "--group", "朝阳区,长三角"]):
        p = run(*args, db=db, check=False)
        assert p.returncode == 2 and "110105" in p.stderr and "220104" in p.stderr, (args, p.stderr)


def test_macro_region_refused_where_only_regions_fit(store):
    with pytest.raises(UserError, match="是宏观区域") as e:
        find_region(store, "长三角")
    assert not isinstance(e.value, NotFound) and "macro-region" in e.value.en


def test_region_labels_tell_apart_regions_of_the_same_name(store):
    """A name another region of the level shares gets its city (西湖区: 杭州 and 南昌; in English Xihu is 溪湖区 of
    本溪 too), a name of its own stays as it is."""
    codes = ["330106", "360103", "210503", "330200", "M-YRD", "999999"]
    assert region_labels(store, codes) == {"330106": "杭州市西湖区", "360103": "南昌市西湖区", "210503": "溪湖区",
                                           "330200": "宁波市", "M-YRD": "长三角", "999999": "999999"}
    en = region_labels(store, codes, "en")
    assert (en["330106"], en["360103"], en["210503"], en["330200"]) == (
        "Xihu, Hangzhou", "Xihu, Nanchang", "Xihu, Benxi", "Ningbo")
