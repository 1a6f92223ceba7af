"""News text analysis: mention linking, event type and sentiment towards the linked enterprise — named cases on a
small imported dictionary (fictional names), and each measurement on a slice of the real labelled sets, where the
method must beat its baseline (skipped when the shared data is absent)."""

from __future__ import annotations

import json

import pytest
from cli_util import run
from conftest import SHARED, shared_file

from zhaoshang.core.importers import import_files
from zhaoshang.core.store import Store
from zhaoshang.services.monitoring.nlp import MentionLinker, analyze_item, classify_event, sentiment_towards
from zhaoshang.services.monitoring.nlp import evaluate as ev

ROWS = ("企业名称,简称,省份,股票代码\n"
        "星河光电股份有限公司,星河光电,江苏,688990\n"
        "长江精密制造股份有限公司,长江,湖北,\n"  # short name that is a common word (a river)
        "北京华辰智能科技有限公司,华辰智能,北京,\n"
        "深圳华辰智能科技有限公司,华辰智能,广东,\n"  # the same short name: ambiguous
        "云帆数据科技有限公司,云帆数据,浙江,\n"
        "蓝鲸视界科技有限公司,BWV,上海,\n"
        "北京朗源建筑工程有限公司,朗源,北京,\n"  # unlisted, a 2-character short name: linked only when confirmed
        "远川新动力科技股份有限公司,新动力,河北,\n"  # a short name funds and partnerships carry in their names
        "上海蓝湖远帆资产管理有限公司,蓝湖远帆,上海,\n"  # an asset manager: its own name goes on with 资产管理
        "晨曦太阳能股份有限公司,太阳能,江西,\n"  # a short name that is a common word other companies' names hold
        "瓦伦丁（上海）智能科技有限公司,瓦伦丁,上海,\n")  # a short name that is also a person's name


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    d = tmp_path_factory.mktemp("nlp")
    csv = d / "e.csv"
    csv.write_text(ROWS, encoding="utf-8")
    db = d / "z.duckdb"
    with Store(db) as s:
        import_files(s, "enterprises", [csv], source="test")
        ids = {r["name"]: r["id"] for r in s.query("SELECT id, name FROM enterprises")}
        linker = MentionLinker.from_store(s)
    return {"db": db, "ids": ids, "linker": linker}


@pytest.fixture(scope="module")
def linker(store):
    return store["linker"]


def _ids(store) -> dict[str, int]:
    return store["ids"]


def test_full_and_short_names_link_with_offsets(linker, store):
    text = "星河光电股份有限公司公告：星河光电拟在合肥新建生产基地。"
    res = linker.link(text)
    ids = _ids(store)
    assert [(m.mention, m.enterprise_id, m.method) for m in res.linked] == [
        ("星河光电股份有限公司", ids["星河光电股份有限公司"], "name"), ("星河光电", ids["星河光电股份有限公司"], "short")]
    assert all(text[m.start:m.end] == m.mention for m in res.linked)


def test_a_short_name_that_is_a_common_word_does_not_link(linker, store):
    res = linker.link("长江流域今年汛期提前，长江水位上涨。")
    assert res.linked == [] and [m.mention for m in res.dropped] == ["长江", "长江"]
    assert "common_word" in {m.method for m in res.dropped} <= {"common_word", "cut_word"}
    # confirmed by a legal-form word right after it, it links (with a lower confidence)
    res = linker.link("长江股份公告称订单增长")
    assert [m.enterprise_id for m in res.linked] == [_ids(store)["长江精密制造股份有限公司"]]
    assert res.linked[0].method == "confirmed" and res.linked[0].confidence < 0.9


def test_a_stock_code_or_legal_form_that_contradicts_the_record_does_not_confirm_a_short_name(store):
    """朗源股份(300175) is not the unlisted 北京朗源建筑工程有限公司: neither a stock code it does not hold nor 股份 against
    its 有限公司 confirms the short name; 朗源公司 still does."""
    def linked(text):
        doc = run("analyze-news", text, "--format", "json", db=store["db"]).stdout
        return [m["enterprise_id"] for m in json.loads(doc)["mentions"]]

    assert linked("朗源股份(300175)二股东减持近5%") == []
    assert linked("朗源(300175)二股东减持") == []
    assert linked("朗源股份二股东减持") == []
    assert linked("朗源公司中标某市政工程") == [_ids(store)["北京朗源建筑工程有限公司"]]
    # the short name 长江 (a common word) with 股份 and a code: confirmed only by its own code (it has none here)
    assert linked("长江股份(600001)公告") == []
    assert linked("长江股份公告称订单增长") == [_ids(store)["长江精密制造股份有限公司"]]


def test_a_short_name_inside_a_fund_or_partnership_name_is_no_mention_of_the_company(linker, store):
    """新动力 of a company was linked inside …新动力股权投资基金 and …新动力创业投资合伙企业: a name part followed by an
    organisation word that makes the whole another organisation (a fund, a partnership, an asset manager) is dropped,
    unless the company's own full name goes on with that word."""
    ids = _ids(store)
    assert [(m.mention, m.enterprise_id) for m in linker.link("新动力发布年报，营收增长。").linked] == [
        ("新动力", ids["远川新动力科技股份有限公司"])]
    for text, word in (("宁波新动力股权投资基金完成备案", "股权投资"),
                       ("苏州新动力创业投资合伙企业（有限合伙）减持", "创业投资"),
                       ("新动力基金二季度净值下降", "基金"), ("新动力投资管理有限公司为其控股股东", "投资管理"),
                       ("某某新动力（有限合伙）退出", "(有限合伙)"), ("参与投资青岛新动力投资基金", "投资基金"),
                       ("杭州新动力投资中心（有限合伙）", "投资中心")):
        res = linker.link(text)
        assert res.linked == [] and [(m.mention, m.method) for m in res.dropped] == [("新动力", "other_org")], (text, res)
        assert res.dropped[0].candidates == [ids["远川新动力科技股份有限公司"]], word
    # the company's own business line after 基金 is the company; so is a name its own full name continues
    assert [m.mention for m in linker.link("新动力基金托管业务获批").linked] == ["新动力"]
    assert [m.mention for m in linker.link("新动力投资建设新工厂").linked] == ["新动力"]  # 投资 alone: the company invests
    assert [(m.mention, m.enterprise_id) for m in linker.link("蓝湖远帆资产管理公司发布公告").linked] == [
        ("蓝湖远帆", ids["上海蓝湖远帆资产管理有限公司"])]


def test_a_short_name_inside_another_companys_name_is_no_mention_of_the_company(linker, store):
    """太阳能 of a company was linked inside 湖北永恒太阳能公司 (another company, under investigation: a negative alert on
    the wrong one): a short name with Han characters right before it and a legal form right after it is part of
    another organisation's name, unless a place or punctuation comes before it or its own full name goes on so."""
    ids = _ids(store)
    me = ids["晨曦太阳能股份有限公司"]
    for text in ("湖北永恒太阳能公司涉嫌非法集资被立案", "永恒太阳能有限公司被立案", "湖北永恒太阳能科技股份有限公司涉嫌集资"):
        res = linker.link(text)
        assert res.linked == [] and [(m.mention, m.method) for m in res.dropped] == [("太阳能", "inner_name")], (text, res)
        assert res.dropped[0].candidates == [me]
    for text in ("太阳能公司公告：拟投资新建电站", "公告：太阳能公司拟投资", "北京太阳能公司拟投资", "晨曦太阳能股份有限公司公告"):
        assert [m.enterprise_id for m in linker.link(text).linked] == [me], text
    # a distinctive short name: dropped after a word no dictionary knows (a name), kept after an ordinary word
    star = ids["星河光电股份有限公司"]
    res = linker.link("鑫霈星河光电科技有限公司被立案")
    assert res.linked == [] and [m.method for m in res.dropped] == ["inner_name"], res
    assert [m.enterprise_id for m in linker.link("投资者参观星河光电公司新产线").linked] == [star]
    assert [m.enterprise_id for m in linker.link("减持星河光电股份，控股股东星河光电控股股东").linked] == [star, star]


def test_a_short_name_next_to_a_person_names_middle_dot_is_the_person(linker, store):
    """瓦伦丁 in 埃里克·瓦伦丁 is a person (埃隆·马斯克 was linked to 马斯克（北京）科技): a name with a middle dot right
    before or after it is no mention, nor are its later occurrences in the same text."""
    me = _ids(store)["瓦伦丁（上海）智能科技有限公司"]
    assert [m.enterprise_id for m in linker.link("瓦伦丁发布新一代机器人").linked] == [me]
    for text in ("埃里克·瓦伦丁称公司将裁员", "埃里克•瓦伦丁称", "瓦伦丁・埃里克称", "埃里克 ‧ 瓦伦丁称", "埃里克·瓦伦丁称，瓦伦丁又失心腹"):
        res = linker.link(text)
        assert res.linked == [] and {m.method for m in res.dropped} == {"person"}, (text, res)
        assert all(m.candidates == [me] for m in res.dropped)


def test_a_linked_mention_carries_the_full_name_of_its_enterprise(linker):
    res = linker.link("太阳能公司公告；星河新材(688990)中标")
    assert [(m.mention, m.name) for m in res.linked] == [("太阳能", "晨曦太阳能股份有限公司"),
                                                       ("星河新材", "星河光电股份有限公司")]
    assert res.to_json()["linked"][0]["name"] == "晨曦太阳能股份有限公司"


def test_a_name_missing_from_the_dictionary_links_by_its_stock_code(linker, store):
    res = linker.link("7月26日，星河新材(688990)公告称拟新建产线；某公司(000000)")
    assert [(m.mention, m.enterprise_id, m.method) for m in res.linked] == [
        ("星河新材", _ids(store)["星河光电股份有限公司"], "code")]
    # a known name before the code links by the name, once
    assert [m.method for m in linker.link("星河光电(688990)涨停").linked] == ["short"]


def test_a_latin_short_name_links_only_as_a_whole_word(linker, store):
    assert [m.mention for m in linker.link("BWV发布新一代显示器").linked] == ["BWV"]
    res = linker.link("新型号BWVX与ABWV均未上市")
    assert res.linked == [] and {m.method for m in res.dropped} == {"cut_word"}


def test_an_ambiguous_name_stays_unlinked_with_its_candidates(linker, store):
    res = linker.link("华辰智能获得新一轮融资。")
    ids = _ids(store)
    assert res.linked == []
    assert [m.mention for m in res.ambiguous] == ["华辰智能"]
    assert res.ambiguous[0].candidates == sorted([ids["北京华辰智能科技有限公司"], ids["深圳华辰智能科技有限公司"]])
    # the full name is not ambiguous
    res = linker.link("深圳华辰智能科技有限公司获得新一轮融资。")
    assert [m.enterprise_id for m in res.linked] == [ids["深圳华辰智能科技有限公司"]]


def test_negation_flips_sentiment_towards_the_right_target():
    text = "星河光电未受到处罚，云帆数据被罚款200万元"
    a, b = (0, 4), (10, 14)
    assert text[a[0]:a[1]] == "星河光电" and text[b[0]:b[1]] == "云帆数据"
    s_a, label_a, why = sentiment_towards(text, *a, others=[b])
    s_b, label_b, _ = sentiment_towards(text, *b, others=[a])
    assert label_a == "positive" and label_b == "negative", (s_a, s_b)
    assert any(w["negated_by"] == "未" for w in why["words"])
    # without the negation the same clause is negative for the first company
    assert sentiment_towards("星河光电受到处罚，云帆数据被罚款200万元", *a, others=[(9, 13)])[1] == "negative"


def test_a_passive_puts_the_negative_verb_on_its_patient():
    text = "星河光电被云帆数据起诉索赔"
    a, b = (0, 4), (5, 9)
    assert sentiment_towards(text, *a, others=[b], use_model=False)[1] == "negative"
    assert sentiment_towards(text, *b, others=[a], use_model=False)[1] == "neutral"


def test_listed_together_share_the_verb():
    text = "星河光电、云帆数据等涨超5%"
    assert sentiment_towards(text, 0, 4, others=[(5, 9)])[1] == "positive"
    assert sentiment_towards(text, 5, 9, others=[(0, 4)])[1] == "positive"


@pytest.mark.parametrize("title,code", [
    ("星河光电拟投资12亿元在合肥新建半导体封装生产基地", "expansion"),
    ("云帆数据与市政府签署战略合作协议，项目正式签约落地", "contract"),
    ("云帆数据完成B轮融资，由某基金领投", "funding"),
    ("星河光电控股股东拟减持不超过2%股份", "stake"),
])
def test_event_types_of_plain_sentences(title, code):
    got, conf, why = classify_event(title)
    assert got == code, why
    assert 0 < conf <= 1 and why["decided_by"] in ("rules", "model")


def test_an_item_keeps_every_type_its_text_states(store, linker):
    """A round and an expansion in one item: the primary type and the other with its confidence and keywords; the
    explanation returned is the type's (it was the last sentiment's once an enterprise linked); one type alone has
    no other."""
    res = analyze_item(linker, "星河光电完成B轮融资2亿元，拟在杭州设立算力中心", "公司将投资建设算力中心，新建数据中心项目。")
    assert res["event_type"] == "expansion" and res["mentions"]
    assert [(a["type"], a["zh"], a["keywords"]) for a in res["other_types"]] == [("funding", "融资", ["融资", "B轮"])]
    assert res["other_types"][0]["confidence"] == 0.65 and res["event_explanation"]["decided_by"] == "rules"
    assert analyze_item(linker, "星河光电拟投资12亿元新建生产基地")["other_types"] == []
    zh = run("analyze-news", "星河光电完成B轮融资2亿元，拟在杭州设立算力中心", "--body", "公司将投资建设算力中心，新建数据中心项目。",
             db=store["db"]).stdout
    assert "事件类型：扩张/新建/投资设厂（置信度 0.91）；另：融资（置信度 0.65）" in zh, zh


def test_analyze_item_and_the_cli(store, linker, tmp_path):
    res = analyze_item(linker, "星河光电拟投资12亿元新建生产基地", "华辰智能同日宣布裁员。")
    assert res["event_type"] == "expansion" and res["event_type_zh"] == "扩张/新建/投资设厂"
    assert [m["mention"] for m in res["mentions"]] == ["星河光电"] and res["ambiguous"][0]["mention"] == "华辰智能"
    assert res["subject"]["enterprise_id"] == _ids(store)["星河光电股份有限公司"] and res["subject"]["field"] == "title"
    two = analyze_item(linker, "云帆数据减持计划披露后，星河光电收到证监会警示函")
    assert two["event_type"] == "legal" and two["subject"]["mention"] == "星河光电"
    en = run("--lang", "en", "analyze-news", "星河光电拟投资12亿元新建生产基地", "--body", "华辰智能获得新一轮融资",
             db=store["db"])
    assert "event type: expansion / new plant" in en.stdout and "ambiguous" in en.stdout and "星河光电" in en.stdout
    # the table names the enterprise (it gave its id alone) under headers in the CLI's language
    wide = {"COLUMNS": "200"}
    en = run("--lang", "en", "analyze-news", "星河光电拟投资12亿元新建生产基地", db=store["db"], env=wide).stdout
    head = [ln for ln in en.splitlines() if "Mention" in ln]
    assert head and "Enterprise ID" in head[0] and "Leaning" in head[0] and "mention" not in head[0], en
    zh = run("analyze-news", "星河光电拟投资12亿元新建生产基地", db=store["db"], env=wide).stdout
    assert "星河光电股份有限公司" in zh and "企业编号" in zh and "标题" in zh and "中性" in zh, zh
    csv_out = run("analyze-news", "星河光电拟投资12亿元新建生产基地", "--format", "csv", db=store["db"]).stdout
    assert csv_out.splitlines()[0].startswith("enterprise_id,enterprise_name,mention,field") and ",title," in csv_out
    for empty in (["", "--body", " "], ["  "]):  # nothing to read is refused, not typed 其他 with a sentiment
        p = run("--lang", "en", "analyze-news", *empty, db=store["db"], check=False)
        assert p.returncode == 2 and p.stderr.strip() == "error: give the news item's title or body", p.stderr
    bad = run("evaluate-news", "--split", "final", "--data", str(tmp_path), check=False)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1


# ------------------------------------------------------------------ measurements on slices of the real sets
@pytest.fixture(scope="module")
def real_linker():
    shared_file(ev.LISTED)
    return ev.load_linker(SHARED)


def test_mention_detection_beats_the_short_name_baseline(real_linker):
    shared_file(ev.NER_SENTENCES)
    r = ev.evaluate_linking(SHARED, "val", limit=300, linker=real_linker)
    assert r["method"]["precision"] > r["baseline"]["precision"]
    assert r["method"]["f1"] >= r["baseline"]["f1"]


def test_target_sentiment_beats_the_window_baseline():
    shared_file(ev.FINNSP)
    r = ev.evaluate_sentiment(SHARED, "finnsp", "eval", limit=300)  # the model never saw eval rows
    assert r["method"]["macro_f1"] > r["lexicon_only"]["macro_f1"] > r["baseline"]["macro_f1"]


def test_event_subject_beats_the_first_short_name_baseline(real_linker):
    shared_file(ev.FINESE)
    r = ev.evaluate_subjects(SHARED, "train", limit=400, linker=real_linker)
    assert r["method"]["correct"] > r["baseline"]["correct"]
    assert r["listed"]["method"]["accuracy"] > r["listed"]["baseline"]["accuracy"]


def test_event_type_beats_the_keyword_baseline():
    shared_file(ev.FINESE)
    r = ev.evaluate_events(SHARED, "eval", limit=300)  # the model never saw eval rows
    assert r["method"]["macro_f1"] > r["baseline"]["macro_f1"] + 0.2
    g = r["gold"]  # the hand-labelled set's test part (expansion and signing)
    assert g["split"] == "test" and g["method"]["n"] == 75
    assert g["method"]["macro_f1"] > g["baseline"]["macro_f1"]


def test_absa_sentiment_beats_the_window_baseline():
    shared_file(ev.ABSA)
    r = ev.evaluate_sentiment(SHARED, "absa", limit=800)
    assert r["method"]["macro_f1"] > r["baseline"]["macro_f1"]
    assert r["lexicon_only"]["macro_f1"] > r["baseline"]["macro_f1"]


def test_the_event_model_is_the_one_trained_on_dev_data():
    from zhaoshang.services.monitoring.nlp.events import _model

    m = _model()
    assert m is not None and "expansion" in m.classes and "legal" in m.classes
    assert m.meta["trained_on"] == ["FinESE train (mapped)", "event_gold dev"]


def test_the_evaluation_linker_writes_to_no_database_of_the_user(tmp_path, monkeypatch):
    """The evaluation's linker imports the A-share list into a store of its own in memory: it opened the default
    database (./zhaoshang.duckdb, or $ZHAOSHANG_DB) and wrote the whole list into it, so a checkout's `make demo`
    then refused to overwrite that 'real data'."""
    shared_file(ev.LISTED)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ZHAOSHANG_DB", raising=False)
    linker = ev.load_linker(SHARED)
    assert linker is not None and list(tmp_path.iterdir()) == []
