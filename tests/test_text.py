"""Chinese name text: normalisation, legal forms, list cells, jieba tokens."""

from __future__ import annotations

import csv
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import PLACEHOLDER_CELLS
from zhaoshang.core.text import (
    name_parts,
    normalize_name,
    normalize_names,
    search_tokens,
    short_name_candidates,
    split_list,
    split_pairs,
    strip_legal_form,
    to_simplified,
    tokenize,
)


def _rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_width_brackets_spaces():
    assert normalize_name("马斯克（北京）科技有限公司") == "马斯克(北京)科技有限公司"
    assert normalize_name("马斯克【北京】科技有限公司") == normalize_name("马斯克 [北京] 科技有限公司")
    assert normalize_name("万  科Ａ") == "万科a"
    assert normalize_name("ＡＢＣ 科技・有限公司") == "abc科技有限公司"
    assert normalize_name("爱德华·李，有限、公司.") == "爱德华李有限公司"
    assert normalize_name("") == ""


@pytest.mark.parametrize(
    "traditional,simplified",
    [
        ("臺灣積體電路製造股份有限公司", "台湾积体电路制造股份有限公司"),
        ("鴻海精密工業股份有限公司", "鸿海精密工业股份有限公司"),
        ("騰訊控股有限公司", "腾讯控股有限公司"),
        ("聯發科技股份有限公司", "联发科技股份有限公司"),
        ("長江實業（集團）有限公司", "长江实业(集团)有限公司"),
    ],
)
def test_traditional_to_simplified(traditional, simplified):
    assert normalize_name(traditional) == simplified
    assert normalize_name(traditional) == normalize_name(simplified)


def test_to_simplified_keeps_simplified_text():
    text = "杭州市余杭区人工智能小镇"
    assert to_simplified(text) == text


def test_real_short_names_across_exchange_exports(shared):
    """The SZSE export pads short names with spaces and full-width letters ("万  科Ａ"); Tushare does not."""
    szse = {r["A股代码"]: r["A股简称"] for r in _rows(shared("listed_companies/szse_a_share_list_2026-01.csv"))}
    tushare = {r["symbol"]: r["name"] for r in _rows(shared("listed_companies/tushare_stock_basic_2026-03.csv"))}
    pairs = [(szse[c], tushare[c]) for c in szse if c in tushare]
    assert len(pairs) > 2000
    differ = [(a, b) for a, b in pairs if a != b]
    resolved = [(a, b) for a, b in differ if normalize_name(a) == normalize_name(b)]
    assert len(resolved) >= 30  # e.g. "五 粮 液" / "五粮液"
    equal = sum(normalize_name(a) == normalize_name(b) for a, b in pairs)
    # what remains are real renames and ST flags between the two snapshots
    assert equal / len(pairs) >= 0.99
    for a, b in differ:
        if "".join(a.split()) == b:
            assert normalize_name(a) == normalize_name(b)


def test_real_name_pairs_width_variants(shared):
    """Full names of the dev pairs written with full-width/half-width brackets, spaces and full-width
    letters normalise to the same key."""
    rows = _rows(shared("entity_resolution/name_pairs_dev.csv"))
    names = sorted({r["name_a"] for r in rows})
    assert len(names) > 500
    full = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}
    for n in names:
        variants = [
            n.replace("（", "(").replace("）", ")"),
            n.replace("(", "（").replace(")", "）"),
            "".join(full.get(c, c) for c in n),
            " ".join(n),
            n.replace("（", "【").replace("）", "】"),
        ]
        keys = set(normalize_names(variants)) | {normalize_name(n)}
        assert len(keys) == 1, (n, keys)


def test_real_brand_pairs_short_candidates(shared):
    """short_name_candidates finds a share of real brands (马斯克（北京）科技有限公司 → 马斯克) and never a
    random negative's brand."""
    rows = _rows(shared("entity_resolution/name_pairs_dev.csv"))
    hits = {"0": [], "1": []}
    for r in rows:
        if r["pair_type"] not in ("legal_vs_brand", "full_vs_short"):
            continue
        cands = short_name_candidates(r["name_a"])
        hits[r["label"]].append(normalize_name(r["name_b"]) in cands or strip_legal_form(r["name_b"]) in cands)
    assert sum(hits["0"]) == 0
    assert sum(hits["1"]) / len(hits["1"]) >= 0.25
    assert "马斯克" in short_name_candidates("马斯克（北京）科技有限公司")


@pytest.mark.parametrize(
    "name,stripped",
    [
        ("浙江华远汽车科技股份有限公司", "浙江华远汽车"),
        ("汉宇集团股份有限公司", "汉宇"),
        ("高新兴科技集团股份有限公司", "高新兴"),
        ("平安银行股份有限公司", "平安银行"),
        ("长江实业（集团）有限公司", "长江实业"),
        ("深圳市创新投资集团有限公司", "深圳市创新投资"),
        ("苏州元禾控股股份有限公司", "苏州元禾"),
        ("科技有限公司", "科技"),
        ("Zhejiang Huayuan Auto Technology Co., Ltd.", "zhejianghuayuanauto"),
        ("Gosuncn technology group Co., Ltd.", "gosuncn"),
        ("Cisco Systems, Inc.", "ciscosystems"),
        ("Tesco PLC", "tesco"),
    ],
)
def test_strip_legal_form(name, stripped):
    assert strip_legal_form(name) == stripped


def test_split_list_on_a_pattern():
    """A separator between slashes is a regular expression: USPTO applicants joined by a comma without a space."""
    sep = r"/\||,(?=\S)(?!(?i:ltd|inc|llc|corp|co)\b)/"
    assert split_list("Hyundai Motor Company,Kia Corporation", sep) == ["Hyundai Motor Company", "Kia Corporation"]
    assert split_list("Keysight Technologies, Inc.,Keysight Technologies RO SRL", sep) == [
        "Keysight Technologies, Inc.", "Keysight Technologies RO SRL"]
    assert split_list("SAMSUNG ELECTRONICS CO.,LTD.", sep) == ["SAMSUNG ELECTRONICS CO.,LTD."]
    assert split_list("Acme Inc.|Beta (Labs), LLC", sep) == ["Acme Inc.", "Beta (Labs), LLC"]


def test_split_list():
    assert split_list("红杉中国,高瓴资本", ",") == ["红杉中国", "高瓴资本"]
    assert split_list("中国移动(中移创新产业基金,二期),红杉中国", ",") == ["中国移动(中移创新产业基金,二期)", "红杉中国"]
    assert split_list("中国移动（中移创新产业基金，二期）、 红杉中国 ", ",，、") == [
        "中国移动（中移创新产业基金，二期）", "红杉中国"]
    assert split_list(" - ", ",") == []
    assert split_list("a,,-,b", ",") == ["a", "b"]
    # every placeholder item is dropped, as every column type reads it (docs/data-formats.md, "Cells that hold no
    # value"); a name that merely contains one is kept
    assert split_list("|".join(PLACEHOLDER_CELLS) + "|红杉中国|未知资本|NA Capital", "|") == ["红杉中国", "未知资本", "NA Capital"]
    assert split_list(None, ",") == []
    assert split_list("a|b;c", "|;") == ["a", "b", "c"]


def test_split_pairs():
    cell = "黄晓南:创始人及CEO,谢鹏:联合创始人及SVP,沈学华：联合创始人及CTO,姚远"
    assert split_pairs(cell, ",") == [
        ("黄晓南", "创始人及CEO"), ("谢鹏", "联合创始人及SVP"), ("沈学华", "联合创始人及CTO"), ("姚远", "")]


def test_real_team_and_investor_cells(shared):
    comp = _rows(shared("ai_companies/itjuzi_china_ai_companies_2018-12.csv"))
    teams = [split_pairs(r["team"], ",") for r in comp if r["team"] not in ("", "-")]
    people = [p for t in teams for p in t]
    assert len(people) > 500
    with_title = sum(bool(name) and bool(title) for name, title in people)
    assert with_title / len(people) >= 0.95
    fin = _rows(shared("financing/itjuzi_china_ai_financing_events_2018-12.csv"))
    cells = [r["investors_raw"] for r in fin if r["investors_raw"] not in ("", "-")]
    items = [i for c in cells for i in split_list(c, ",")]
    assert len(items) > len(cells)
    assert all(i.count("(") == i.count(")") for i in items if "(" in i)


def test_tokens_domain_terms():
    toks = tokenize("杭州打造具身智能和大模型产业，建设智算中心，提升算力。AI芯片公司获得数千万元融资!")
    for term in ("具身智能", "大模型", "智算中心", "算力", "ai芯片"):
        assert term in toks
    assert "，" not in toks and "!" not in toks and "。" not in toks
    st_ = search_tokens("建设智算中心与自动驾驶测试区")
    assert "智算中心" in st_ and "自动驾驶" in st_ and "中心" in st_
    assert tokenize("") == [] and search_tokens(None) == []
    assert tokenize("機器視覺") == tokenize("机器视觉") == ["机器视觉"]


def test_jieba_is_quiet():
    code = "from zhaoshang.core.text import tokenize; print(len(tokenize('人工智能产业链')))"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.strip() != "0"
    assert r.stderr == ""


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=30))
def test_normalize_idempotent(text):
    once = normalize_name(text)
    assert normalize_name(once) == once
    assert not any(c.isspace() for c in once)
    stripped = strip_legal_form(text)
    assert strip_legal_form(stripped) == stripped


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="ab中国、- ", max_size=8), max_size=6), st.text(alphabet="ab中,，、 ", max_size=8))
def test_split_list_keeps_brackets_whole(parts, inner):
    head = ",".join(parts)
    cell = head + f",x({inner})y"
    items = split_list(cell, ",，")
    naive = [p.strip() for p in head.split(",") if p.strip() not in ("", "-", "--")]
    assert items == naive + [f"x({inner})y"]


def test_a_separator_pattern_that_does_not_compile_is_refused(tmp_path):
    from zhaoshang.core.errors import UserError
    from zhaoshang.core.importers.pipeline import load_mapping

    m = tmp_path / "m.yaml"
    m.write_text("kind: patents\ncolumns:\n  applicants: 申请人\nseparators:\n  applicants: '/,(?=/'\n", encoding="utf-8")
    with pytest.raises(UserError, match="separators.applicants"):
        load_mapping("patents", mapping=m)


def test_a_domain_tokenizer_holds_what_one_that_loads_the_dictionary_itself_holds():
    """``domain_tokenizer`` copies the shared dictionary instead of loading jieba's: the same words, frequencies and
    cuts as a tokenizer that loads the dictionary, the domain words and the extra words itself; and the shared
    tokenizer is left as it was."""
    import importlib.resources

    import jieba

    from zhaoshang.core.text import _jieba, domain_tokenizer

    extra = ["灵犀脑机", "具身智能机器人", "视觉伺服"]
    shared_before = dict(_jieba().FREQ)
    tk = domain_tokenizer(extra)
    own = jieba.Tokenizer()
    own.initialize()
    with importlib.resources.as_file(importlib.resources.files("zhaoshang").joinpath("data", "jieba_domain.txt")) as p:
        own.load_userdict(str(p))
    for w in extra:
        own.add_word(w, freq=20000)
    assert tk.FREQ == own.FREQ and tk.total == own.total and tk.user_word_tag_tab == own.user_word_tag_tab
    text = "灵犀脑机公司研发具身智能机器人与视觉伺服系统，提供大模型训练服务"
    assert tk.lcut(text, HMM=False) == own.lcut(text, HMM=False)
    assert "具身智能机器人" in tk.lcut(text, HMM=False)
    assert _jieba().FREQ == shared_before and "灵犀脑机" not in _jieba().FREQ


@pytest.mark.parametrize("name, parts", [
    ("寒武纪-U", ["寒武纪-u", "寒武纪"]),                                 # a listing mark off
    ("*ST 海润", ["*st海润", "海润"]),
    ("商汤科技SenseTime", ["商汤科技sensetime", "sensetime", "商汤科技"]),  # a Han name glued to a Latin name
    ("旷视科技Face++", ["旷视科技face++", "face++", "旷视科技"]),
    ("Slamtec思岚科技", ["slamtec思岚科技", "slamtec", "思岚科技"]),        # Latin first, a coined Han name after
    ("UArm机器人", ["uarm机器人", "uarm"]),                               # Latin first, what it makes after
    ("roobo智能管家", ["roobo智能管家", "roobo"]),
    ("人工智能学家Aitists", ["人工智能学家aitists", "aitists"]),           # ordinary words only: no name
    ("华侨城Ａ", ["华侨城a"]),                                            # a share class is no Latin name
    ("联智Cloud", ["联智cloud"]),                                         # nor a generic word
    ("IBM", ["ibm"]), ("ABC-V", ["abc-v"]),                                 # no Han character: nothing stripped
    ("", []),
])
def test_name_parts(name, parts):
    assert name_parts(name) == parts
