"""Macro-regions as YAML data: the default file, membership, and clear errors for bad user files."""

from __future__ import annotations

import pytest

from zhaoshang.core.errors import UserError
from zhaoshang.core.geo.macro import load_macro_regions
from zhaoshang.core.geo.parser import RegionParser
from zhaoshang.core.geo.regions import build_regions


@pytest.fixture(scope="module")
def macros():
    return load_macro_regions()


def test_default_members(macros):
    assert set(macros.regions) >= {"M-JJJ", "M-YRD", "M-PRD", "M-GBA", "M-CY", "M-MYR", "M-3P"}
    assert macros["M-JJJ"].members == ("110000", "120000", "130000")
    assert set(macros["M-YRD"].members) == {"310000", "320000", "330000", "340000"}
    names = {r.code: r.short_name for r in build_regions()}
    prd = {names[c] for c in macros["M-PRD"].members}
    assert prd == {"广州", "深圳", "珠海", "佛山", "东莞", "中山", "江门", "惠州", "肇庆"}
    assert set(macros["M-GBA"].members) == set(macros["M-PRD"].members) | {"810000", "820000"}
    cy = macros["M-CY"].members
    assert "500000" in cy and len([c for c in cy if c.startswith("51")]) == 15
    assert set(macros["M-3P"].members) == (set(macros["M-JJJ"].members) | set(macros["M-YRD"].members)
                                           | set(macros["M-GBA"].members))
    for m in macros:
        assert m.name and m.name_en and m.members


def test_member_of(macros):
    assert macros.member_of("440000", "440300") == ["M-PRD", "M-GBA", "M-3P"]
    assert macros.member_of("440000", "440500") == []  # 汕头 is in Guangdong but not in the delta
    assert macros.member_of("810000") == ["M-GBA", "M-3P"]
    assert macros.member_of("510000", "510100") == ["M-CY"]
    assert macros.member_of("510000", "513200") == []  # 阿坝
    assert macros.member_of("500000", "500100") == ["M-CY"]
    assert macros.member_of("330000", "330100") == ["M-YRD", "M-3P"]
    assert macros.member_of(None, None) == []
    # combined with the parser: a free-text location straight to its macro-regions
    m = RegionParser.default().parse("广东省东莞市松山湖")
    assert macros.member_of(m.province_code, m.city_code) == ["M-PRD", "M-GBA", "M-3P"]


def _write(tmp_path, text):
    f = tmp_path / "macro.yaml"
    f.write_text(text, encoding="utf-8")
    return f


def test_user_file_replaces_default(tmp_path):
    f = _write(tmp_path, """
macro_regions:
  - code: M-HZDU
    name: 杭州都市圈
    name_en: Hangzhou Metropolitan Area
    members: ["330100", "330500", "330600", "330700", "330400"]
""")
    m = load_macro_regions(f)
    assert list(m.regions) == ["M-HZDU"]
    assert m.member_of("330000", "330600") == ["M-HZDU"]
    assert m.member_of("330000", "330200") == []


@pytest.mark.parametrize("text, message", [
    ("macro_regions: [ {code: M-A, name: 甲, members: [110000", "不是有效的 YAML"),
    ("other: 1\n", "缺少 macro_regions"),
    ("macro_regions:\n  - {code: M-A, name: 甲, members: ['999999']}\n", "M-A）：成员代码 999999 不是已知的区划代码"),
    ("macro_regions:\n  - {code: M-A, name: 甲, members: ['330106']}\n", "区县级"),
    ("macro_regions:\n  - {code: M-A, name: 甲, members: ['110000', '110000']}\n", "成员 110000（北京市）重复"),
    ("macro_regions:\n  - {code: M-A, name: 甲, members: ['110000']}\n  - {code: M-A, name: 乙, members: ['120000']}\n",
     "第 2 项（M-A）：代码 M-A 重复"),
    ("macro_regions:\n  - {code: jjj, name: 甲, members: ['110000']}\n", "代码必须形如 M-JJJ"),
    ("macro_regions:\n  - {code: M-A, members: ['110000']}\n", "缺少中文名称"),
    ("macro_regions:\n  - {code: M-A, name: 甲, includes: [M-B]}\n", "M-B 不是文件中定义的宏观区域"),
    ("macro_regions:\n  - {code: M-A, name: 甲, includes: [M-B]}\n  - {code: M-B, name: 乙, includes: [M-A]}\n",
     "循环"),
    ("macro_regions:\n  - {code: M-A, name: 甲}\n", "不能都为空"),
])
def test_bad_files(tmp_path, text, message):
    f = _write(tmp_path, text)
    with pytest.raises(UserError) as exc:
        load_macro_regions(f)
    assert message in str(exc.value)
    assert str(f) in str(exc.value)


def test_missing_file(tmp_path):
    with pytest.raises(UserError, match=r"^宏观区域文件不存在: .*nope\.yaml$"):
        load_macro_regions(tmp_path / "nope.yaml")
