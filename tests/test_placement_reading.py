"""A placement read in words (``core.explain.reading``, services/chain/reading.py): one sentence per placement in
Chinese and English, built from its stored explained result, saying which keyword placed it, what the trained
model's check judged and which rule kept it; the sentence follows the numbers. Served in the API's placement
JSON (``reading``), listed by ``show`` and shown on the profile above the signal table (real chromium, zh/en),
on a database classified from the real main-products rows of 科大讯飞, 国农科技 and 浪潮信息 (a listing: read by the pair
reader, its sentence says the pair model's probability, its bar and the features that weighed most)."""

from __future__ import annotations

import copy
import json
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from cli_util import run, run_json  # noqa: E402
from web_util import ARGS, CHROMIUM, require_browser, serving  # noqa: E402

from zhaoshang.core import explain  # noqa: E402
from zhaoshang.services.chain import reading as _reading  # noqa: E402,F401 — registers the readers

PRODUCTS = Path("/work/shared/data/industry_chain/company_main_products_2021-10.csv")
_here = Path(__file__).resolve().parents[2] / "shared" / "data" / "industry_chain" / PRODUCTS.name
PRODUCTS = _here if _here.is_file() else PRODUCTS

# the shape classify stores (rules 1 + the model's part), with the numbers of the placement in docs/methods.md
PLACED = {
    "value": "M04", "method": "rules", "version": "1", "params": {}, "params_hash": "x", "confidence": 0.6321,
    "as_of": None, "formula": None, "evidence": [{"table": "enterprises", "ids": [745], "where": None, "note": None}],
    "parts": [
        {"signal": "text", "label": None, "raw": 1.0, "normalised": None, "weight": 1.0, "contribution": 1.0,
         "detail": {"keywords": [{"field": "products", "keyword": "开放平台", "tier": "strong", "weight": 1.0}],
                    "negatives": []}},
        {"signal": "model", "label": "M04", "raw": 0.196, "normalised": 0.004, "weight": None, "contribution": 0.0,
         "detail": {"p_chain": 0.196, "p_node": 0.004, "gate": 0.1, "node_threshold": 0.6, "keep_confidence": 2.0,
                    "model": "abc"}}]}


def _with(**model) -> dict:
    doc = copy.deepcopy(PLACED)
    doc["parts"][1]["detail"].update(model)
    return doc


def test_the_reading_says_what_placed_it_and_which_rule_kept_it():
    zh, en = explain.reading(PLACED, "zh"), explain.reading(PLACED, "en")
    assert zh.startswith("产品『开放平台』命中 M04 的强关键词（权重 1.00）")
    assert "判断属 AI 的把握很低（20%），达到 AI 门槛 10%，通过" in zh
    assert "M04 的环节模型判断不属于该环节（把握很低（0%），低于 60%）；" in zh and "规则得分最高的环节" in zh
    assert "直接保留线" not in zh  # a keep line of 2.00 no confidence reaches is not said
    assert "the strong keyword 开放平台 in its products matches M04 (weight 1.00)" in en
    assert "its confidence that the business is AI is very low (20%), at or above its gate 10%" in en and "the node model disagrees (M04 very low (0%), below 60%)" in en and "surest rule node" in en
    assert explain.readings(PLACED) == {"zh": zh, "en": en}


def test_the_sentence_follows_the_numbers():
    base = explain.reading(PLACED, "zh")
    agrees = explain.reading(_with(p_node=0.81), "zh")
    assert "环节模型也判断属于该环节（把握较高（81%），达到 60%），予以保留" in agrees and "规则得分最高" not in agrees
    sure = explain.reading(_with(keep_confidence=0.5), "zh")
    assert "规则置信度 0.63 达到直接保留线 0.50" in sure and "规则得分最高" not in sure
    assert "没有环节模型" in explain.reading(_with(p_node=None), "zh")
    other = copy.deepcopy(PLACED)
    other["parts"][0]["detail"]["keywords"] = [{"field": "description", "keyword": "深度学习", "tier": "medium", "weight": 0.32}]
    other["parts"][0]["raw"] = other["parts"][0]["contribution"] = 0.32
    assert explain.reading(other, "zh").startswith("简介『深度学习』命中 M04 的中等关键词（权重 0.32）")
    assert len({base, agrees, sure, explain.reading(other, "zh")}) == 4
    # patents beside the text: their share, and the text's own
    other["parts"].insert(1, {"signal": "ipc", "label": "G06N", "raw": 2, "normalised": 0.6667, "weight": 1.0,
                              "contribution": 0.6667, "detail": {"classes": ["G06N"]}})
    zh = explain.reading(other, "zh")
    assert "专利 2 件（IPC G06N）加 0.67" in zh and "文本得分 0.32" in zh
    # medium and weak keywords beyond the support cap: the sentence says what they counted
    capped = copy.deepcopy(PLACED)
    capped["parts"][0]["detail"]["keywords"] += [{"field": "products", "keyword": "电视", "tier": "medium", "weight": 0.4},
                                                 {"field": "products_rest", "keyword": "手机", "tier": "medium", "weight": 0.2}]
    capped["parts"][0]["raw"] = capped["parts"][0]["contribution"] = 1.4
    assert "中、弱关键词合计只计 0.40" in explain.reading(capped, "zh")
    assert "合计只计" not in base
    # a level-3 node: the model checked its parent
    child = copy.deepcopy(PLACED)
    child["value"] = "M0401"
    assert "复核的是上级环节 M04" in explain.reading(child, "zh")
    # no model part (the model off): the rules alone
    rules_only = copy.deepcopy(PLACED)
    rules_only["parts"] = rules_only["parts"][:1]
    assert "模型" not in explain.reading(rules_only, "zh")


def test_analyst_decisions_and_declared_labels_say_who_placed_it():
    added = {"value": "D09", "method": "analyst", "version": "1", "parts": [
        {"signal": "add", "label": "教育领域营收占比27.7%", "raw": "add",
         "detail": {"user": "ana", "at": "2026-12-03 07:11:00", "reason": "教育领域营收占比27.7%"}}]}
    assert explain.reading(added, "zh") == "人工归入 D09，不经规则与模型；分析师 ana 于 2026-12-03 15:11:00 (UTC+8) 新增，理由：教育领域营收占比27.7%。"
    assert explain.reading(added, "en").startswith("Placed on D09 by an analyst")
    confirmed = copy.deepcopy(PLACED)
    confirmed["parts"].append({"signal": "confirm", "label": "年报", "raw": "confirm",
                               "detail": {"user": "ana", "at": "2026-12-03 07:12:00", "reason": "年报"}})
    assert explain.reading(confirmed, "zh").endswith("分析师 ana 于 2026-12-03 15:12:00 (UTC+8) 确认，理由：年报。")
    declared = {"value": "D05", "method": "declared", "version": "1", "parts": [
        {"signal": "declared", "label": "医疗AI", "raw": "医疗AI", "detail": {"source": "itjuzi", "source_key": "42"}}]}
    assert "导入来源 itjuzi 自带的标签『医疗AI』" in explain.reading(declared, "zh")
    assert explain.reading({"value": 1, "method": "unknown", "parts": []}) is None
    assert explain.reading("not json") is None


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    if not PRODUCTS.is_file():
        pytest.skip("the public main-products file is not here")
    import csv

    tmp = tmp_path_factory.mktemp("reading")
    with open(PRODUCTS, encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["code"] in ("000004", "002230", "000977")]
    f = tmp / "main_products.csv"
    with open(f, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["code", "short_name", "product", "weight"])
        w.writeheader()
        w.writerows(rows)
    db = tmp / "r.duckdb"
    run_json("import", "enterprises", f, "--preset", "main_products", "--data-date", "2021-10-26", db=db)
    run("classify", db=db)
    return db


def test_api_and_cli_read_the_stored_placement(db):
    import httpx

    doc = run_json("show", "浪潮信息", db=db)
    eid, pls = doc["enterprise"]["id"], doc["placements"]
    assert pls and all(p["reading"] == explain.readings(p["evidence"]) for p in pls)
    assert all(p["reading"]["zh"] and p["reading"]["en"] for p in pls)
    table = run("show", "浪潮信息", db=db).stdout
    assert "依据解读" in table and "模型判断该环节的把握" in table
    assert "Why placed" in run("--lang", "en", "show", "浪潮信息", db=db).stdout
    with serving(db) as base:
        api = httpx.get(f"{base}/api/enterprises/{eid}").json()
    assert {p["node_code"]: p["reading"] for p in api["placements"]} == {p["node_code"]: p["reading"] for p in pls}


def test_profile_shows_the_reading_above_the_signal_table(db, tmp_path):
    require_browser()
    shots = tmp_path
    import shutil

    from playwright.sync_api import sync_playwright

    # on a copy whose first placement an analyst confirmed: the method's longest label, 归类规则，分析师已确认
    shutil.copy(db, tmp_path / "p.duckdb")
    db = tmp_path / "p.duckdb"
    doc = run_json("show", "浪潮信息", db=db)
    run("placements", "confirm", doc["enterprise"]["id"], doc["placements"][0]["node_code"], "--reason", "年报", db=db)
    doc = run_json("show", "浪潮信息", db=db)
    eid, first = doc["enterprise"]["id"], doc["placements"][0]
    assert first["method"] == "rules-v1+confirmed"
    with serving(db) as base, sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pg = b.new_page()
        for lang in ("zh", "en"):
            pg.goto(f"{base}/enterprises/{eid}?lang={lang}")
            cell = pg.locator(f"#placements tr[data-node='{first['node_code']}'] td.evidence")
            assert cell.locator(".pl-reading").inner_text().strip() == first["reading"][lang]
            assert cell.evaluate("td => td.querySelector('.pl-reading').compareDocumentPosition("
                                 "td.querySelector('.xp-parts')) & 4") == 4  # the sentence comes first
            # the pair model's row of the signal table is named, not headed by the node code it read
            row = cell.locator(".xp-part[data-signal='pairs'] td").first.inner_text().strip()
            assert row == {"zh": "配对模型（逐对阅读的概率）", "en": "pair model (its probability for the pair)"}[lang], row
            # the deciding row shows its probability as the confidence, never a contribution of 0; the note says what
            # the other rows' contributions add up to
            decides = cell.locator(".xp-part[data-signal='pairs'] td.xp-contrib").inner_text().split()
            assert decides == {"zh": ["即置信度"], "en": ["the", "confidence"]}[lang] + [f"{first['confidence']:.3f}"], decides
            assert [t.strip() for t in cell.locator(".xp-contrib").all_inner_texts()].count("0") == 0
            assert {"zh": "其他各行的贡献相加为规则得分", "en": "contributions add up to the rules' score"}[lang] in \
                cell.locator(".xp-note").inner_text()
            # the model's features: under the data and method, named in words, not in the sentence
            feats = cell.locator("details.xp-more .xp-feat").all_inner_texts()
            assert len(feats) == 5 and not any(RAW_FEATURE.search(f) or "〈词〉" in f for f in feats), feats
            assert not cell.locator("details.xp-more").evaluate("d => d.open")
            # the method fits its column: two lines at most
            method = pg.locator(f"#placements tr[data-node='{first['node_code']}'] td.pl-method")
            assert method.inner_text().strip() == {"zh": "归类规则，分析师已确认", "en": "rules, confirmed by an analyst"}[lang]
            assert method.evaluate(LINES) <= 2, method.evaluate(LINES)
            cell.locator("details.xp-more summary").click()
            pg.locator(f"#placements tr[data-node='{first['node_code']}']").first.screenshot(path=str(shots / f"placement-{lang}.png"))
        b.close()


def test_the_stored_evidence_changes_and_the_sentence_with_it(db, tmp_path):
    import shutil

    import duckdb

    copy_db = tmp_path / "c.duckdb"
    shutil.copy(db, copy_db)
    before = run_json("show", "浪潮信息", db=copy_db)
    eid, pl = before["enterprise"]["id"], before["placements"][0]
    con = duckdb.connect(str(copy_db))
    ev = json.loads(con.execute("SELECT evidence FROM placements WHERE enterprise_id = ? AND node_code = ?",
                                [eid, pl["node_code"]]).fetchone()[0])
    m = next(p for p in ev["parts"] if p["signal"] == "pairs")
    m["detail"]["p_pair"] = m["raw"] = 0.41  # the pair model is now less sure
    m["detail"]["top"] = [["chk_node", 1.5]]  # an earlier run's stored form: the model's own feature names
    con.execute("UPDATE placements SET evidence = ? WHERE enterprise_id = ? AND node_code = ?",
                [json.dumps(ev, ensure_ascii=False), eid, pl["node_code"]])
    con.close()
    after = next(p for p in run_json("show", "浪潮信息", db=copy_db)["placements"] if p["node_code"] == pl["node_code"])
    assert after["reading"] != pl["reading"]
    assert "模型判断该环节的把握：较低（41%）" in after["reading"]["zh"] and "模型把握达到 30% 即归入" in after["reading"]["zh"]
    assert "the model's confidence in this node: fairly low (41%)" in after["reading"]["en"]
    # the features are not in the sentence; named in words where they are shown (the profile's data and method)
    assert "+1.50" not in after["reading"]["zh"] and "+1.50" not in after["reading"]["en"]
    m = next(p for p in after["evidence"]["parts"] if p["signal"] == "pairs")
    assert _reading.top_features(m["detail"], "zh") == [("复核模型的环节概率", 1.5)]
    assert _reading.top_features(m["detail"], "en") == [("the check's probability for the node", 1.5)]


# the lines a cell's text takes
LINES = "el => { const r = document.createRange(); r.selectNodeContents(el); return new Set([...r.getClientRects()].map(x => Math.round(x.bottom))).size }"

# the model's internal feature names (pairs.py) an analyst cannot read: none of them may reach the sentence
RAW_FEATURE = re.compile(r"\b(n_cands|n_occ|n_words|n_fields|main_strong|rule_conf|rule_placed|rule_rank_inv|rule_share|"
                         r"scope_only|chk_node|chk_node_missing|chk_gate)\b|\b(?:L|R|C|L1|L2|R1|R2):|"
                         r"\b(?:w|f|t|ft|nt|nf|pos|ptier|item|itier|n|kind)=")


def test_the_pair_readers_features_are_named_in_words(db):
    doc = run_json("show", "浪潮信息", db=db)
    tops = [t for p in doc["placements"] for x in p["evidence"]["parts"] if x["signal"] == "pairs" for t in x["detail"]["top"]]
    assert tops, "浪潮信息 is a pair placement"
    for p in doc["placements"]:
        for lang in ("zh", "en"):
            assert not RAW_FEATURE.search(p["reading"][lang]), p["reading"][lang]
            assert "〈词〉" not in p["reading"][lang] and "<word>" not in p["reading"][lang]
    # the sentence names the words and fields that placed it and how sure the model is, in words with the number
    first = doc["placements"][0]
    pair = next(x for x in first["evidence"]["parts"] if x["signal"] == "pairs")
    words = [k for x in first["evidence"]["parts"] if x["signal"] == "text" for k in x["detail"]["keywords"]]
    k = words[0]
    field = {"zh": _reading.FIELDS[k["field"]][0], "en": _reading.FIELDS[k["field"]][1]}
    assert f"{field['zh']}中的「{k['keyword']}」" in first["reading"]["zh"], first["reading"]["zh"]
    assert f"{k['keyword']} in its {field['en']}" in first["reading"]["en"], first["reading"]["en"]
    assert f"模型判断该环节的把握：{explain.confidence_words(first['confidence'], 'zh')}" in first["reading"]["zh"]
    assert f"the model's confidence in this node: {explain.confidence_words(first['confidence'], 'en')}" in first["reading"]["en"]
    # the stored features (and so the export) are named in words in both languages, no weight in the sentence
    for t in tops:
        assert set(t) == {"zh", "en", "weight"}
        assert not RAW_FEATURE.search(t["zh"]) and not RAW_FEATURE.search(t["en"]) and "□" not in t["zh"] + t["en"], t
        assert f"{t['weight']:+.2f}" not in first["reading"]["zh"]
    # the deciding part: its probability is the confidence, never shown as a contribution of 0
    assert pair["detail"]["decides"] is True and pair["contribution"] is None and pair["raw"] == first["confidence"]
    assert _reading.feature_text("C:□", "zh") == "基准项（每个命中的词都有）"
    assert _reading.feature_text("L1:、", "zh") == "词前一字「、」" and _reading.feature_text("L1:、", "en") == "the character before the word: “、”"
    assert _reading.feature_text("L:、", "zh") == "词前文字含「、」" and _reading.feature_text("C:的□", "zh") == "同一分句中紧接词前「的」"
    # every kind of feature the shipped model holds reads in words, in both languages
    import numpy as np

    names = {str(n) for n in np.load(Path(_reading.__file__).parents[2] / "data" / "chains" / "ai_model.npz")["pair_features"]}
    kinds = {}
    for n in sorted(names):
        kinds.setdefault(re.split(r"[=:]", n)[0], n)
    for n in kinds.values():
        for lang in ("zh", "en"):
            assert not RAW_FEATURE.search(_reading.feature_text(n, lang)), (n, _reading.feature_text(n, lang))


def test_a_sub_node_under_a_pair_placement_says_the_numbers_are_its_parents():
    """classify keeps the rules' sub-nodes under a node the pair reader placed, with that node's part (label U01): the
    sentence of U01.1 gives U01.1's own rule confidence and says the pair model read its parent."""
    pair = {"signal": "pairs", "label": "U01", "raw": 0.9806, "normalised": None, "weight": None, "contribution": 0.0,
            "detail": {"p_pair": 0.9806, "bar": 0.35, "top": [["chk_node", 1.041]], "p_chain": 0.9783, "p_node": 0.9981,
                       "rule_confidence": 0.9829, "model": "x"}}
    doc = {**copy.deepcopy(PLACED), "value": "U01.1", "confidence": 0.6321}
    doc["parts"] = [{"signal": "text", "label": None, "raw": 1.0, "normalised": None, "weight": 1.0, "contribution": 1.0,
                     "detail": {"keywords": [{"field": "products", "keyword": "加速卡", "tier": "strong", "weight": 1.0}],
                                "negatives": []}}, pair]
    zh, en = explain.reading(doc, "zh"), explain.reading(doc, "en")
    assert zh.startswith("归入 U01.1 的依据：产品中的「加速卡」；U01.1 是 U01 之下的细分环节，随 U01 归入"), zh
    assert "模型判断上级环节 U01 的把握：很高（98%）" in zh and "规则判断 U01.1 的把握：中等（63%）" in zh
    assert "the model's confidence in its parent U01: very high (98%)" in en and "the rules' confidence in U01.1: moderate (63%)" in en
    assert "+1.04" not in zh + en and "chk_node" not in zh + en
    # the level-2 placement itself: the model's confidence in the node it read
    top = {**doc, "value": "U01", "confidence": 0.9806}
    assert explain.reading(top, "zh").startswith("归入 U01 的依据：产品中的「加速卡」；模型判断该环节的把握：很高（98%）")


def test_confidence_in_words():
    """One set of bands for every reading: the words with the percentage."""
    said = {p: explain.confidence_words(p, "zh") for p in (0.04, 0.3, 0.5, 0.7, 0.9)}
    assert said == {0.04: "很低（4%）", 0.3: "较低（30%）", 0.5: "中等（50%）", 0.7: "较高（70%）", 0.9: "很高（90%）"}
    assert explain.confidence_words(0.6956, "en") == "fairly high (70%)" and explain.confidence_words(None) is None
    # the band is the printed percentage's: a word never contradicts its number at a band's edge
    edges = {p: explain.confidence_words(p, "zh") for p in (0.8496, 0.6483, 0.4496, 0.2449)}
    assert edges == {0.8496: "很高（85%）", 0.6483: "较高（65%）", 0.4496: "中等（45%）", 0.2449: "很低（24%）"}


def test_the_industry_values_read_as_docs_methods_writes_them():
    """行业取值『数字芯片设计』（来源 sw2021_industry）, as docs/methods.md and the evidence line write it: no space before the
    first 『 (a Chinese sentence has none there); in English one value or several values."""
    doc = copy.deepcopy(PLACED)
    doc["value"] = "U01"
    doc["parts"] = [{"signal": "text", "label": None, "raw": 0.81, "normalised": None, "weight": 1.0, "contribution": 0.81,
                     "detail": {"keywords": [{"field": "industry", "keyword": "数字芯片设计", "tier": "industry", "weight": 0.72},
                                             {"field": "industry", "keyword": "半导体", "tier": "weak", "weight": 0.09}],
                                "negatives": [],
                                "industries": [{"value": "半导体", "source": "a_share"},
                                               {"value": "数字芯片设计", "source": "sw2021_industry"}]}}]
    zh, en = explain.reading(doc, "zh"), explain.reading(doc, "en")
    assert "，行业取值『半导体』（来源 a_share）、『数字芯片设计』（来源 sw2021_industry）" in zh, zh
    assert "the industry values 半导体 (source a_share), 数字芯片设计 (source sw2021_industry)" in en, en
    doc["parts"][0]["detail"]["industries"] = doc["parts"][0]["detail"]["industries"][1:]
    assert "行业取值『数字芯片设计』（来源 sw2021_industry）" in explain.reading(doc, "zh")
    assert "the industry value 数字芯片设计 (source sw2021_industry)" in explain.reading(doc, "en")
