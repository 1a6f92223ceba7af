"""The least evidence a scorecard's total needs, by running the CLI and the web app on imported files: an enterprise
known only from a registry list (no founding date, no status, no facts) has no total ("数据不足 / insufficient data"),
never the 50 an unknown status read as "normal" gave it; it sorts after the scored enterprises and its comparison
group is said in plain words (docs/methods.md, "Scorecard", insufficient data)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from built_once import copy_to  # noqa: E402
from cli_util import card_signals, import_texts, run, run_json  # noqa: E402
from web_util import local_client  # noqa: E402
from zhaoshang.core.parse.dates import china_time_text  # noqa: E402
from zhaoshang.core.numbers import WAN_DIGITS, fixed  # noqa: E402
from zhaoshang.core.writers import number_text  # noqa: E402

# a listed-company list as the SZSE file gives it: no founding date, no registry status
LISTED = """企业名称,统一社会信用代码,成立日期,登记状态,地区
丁亥电子股份有限公司,,,,深圳市
戊子材料股份有限公司,,,,深圳市
己丑银行股份有限公司,,,存续,深圳市
"""
FUNDING_LIST = """企业名称,成立日期,登记状态,地区
甲星智能科技有限公司,2015-03-01,存续,杭州市
乙辰数据科技有限公司,2016-05-01,存续,杭州市
庚寅视觉科技有限公司,2017-02-01,存续,杭州市
"""
FUNDINGS = """企业名称,融资时间,融资轮次,融资金额
甲星智能科技有限公司,2018-06-01,A轮,3000万人民币
庚寅视觉科技有限公司,2019-03-01,天使轮,500万人民币
"""
D = "2019-12-31"
NO_DATA = ("丁亥电子股份有限公司", "戊子材料股份有限公司", "己丑银行股份有限公司")


FILES = [("enterprises", "上市公司.csv", "上市公司", LISTED), ("enterprises", "融资库企业.csv", "融资库", FUNDING_LIST),
         ("fundings", "融资库事件.csv", "融资库", FUNDINGS)]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    d = tmp_path_factory.mktemp("evidence")
    return import_texts(d / "ev.duckdb", d, FILES)


@pytest.fixture(scope="module")
def card(db):
    """``card(name)``: ``zhaoshang score NAME --as-of D --format json`` on the module's database, which no test
    changes (they change copies): run once per enterprise, each caller gets its own copy of the document."""
    import copy

    cards: dict = {}

    def get(name: str) -> dict:
        if name not in cards:
            cards[name] = run_json("score", name, "--as-of", D, db=db)
        return copy.deepcopy(cards[name])

    return get


@pytest.fixture(scope="module")
def scored(db, tmp_path_factory):
    """The module's database after ``zhaoshang score all --as-of D`` (the first batch of several tests, made once):
    ``(path, what the command printed as JSON)``. Tests copy the file before changing it."""
    path = tmp_path_factory.mktemp("scored") / "ev.duckdb"
    path.write_bytes(Path(db).read_bytes())
    return path, run_json("score", "all", "--as-of", D, db=path)


def test_unknown_status_is_missing_not_normal(card):
    unknown = card_signals(card("丁亥电子股份有限公司"))["abnormal_status"]
    assert unknown["raw"] is None and unknown["detail"]["missing"] and unknown["normalised"] is None
    known = card_signals(card("己丑银行股份有限公司"))["abnormal_status"]
    assert known["raw"] == 0 and not known["detail"]["missing"]


def test_no_data_has_no_total_and_says_what_it_was_compared_with(db, card, tmp_path):
    from zhaoshang.services.evaluation.scorecard import DEFAULT_WEIGHTS

    for name in NO_DATA:  # with a known status only risk has data: still below the least evidence
        doc = card(name)
        assert doc["total"] is None and doc["insufficient"] is True, (name, doc["total"])
        assert doc["probability"] is None and doc["tier"] is None
        assert "数据不足" in doc["total_basis"]["note"] and doc["total_basis"]["min_evidence"]["dimensions"] == 2
    doc = card("丁亥电子股份有限公司")
    # no news, legal or risk source imported: negative events are not covered (unknown), never a known 0 ranked
    # as data — so nothing has data, not even risk
    assert [k for k, v in doc["dimensions"].items() if not v["absent"]] == []
    neg = card_signals(doc)["negative_events"]
    assert neg["raw"] is None and neg["normalised"] is None and neg["detail"]["not_covered_by"] == "risk"
    assert neg["detail"]["none_imported"] and "negative_events" in doc["not_covered"]
    # a firm with a round, a founding date and a known status: its total stands on capital, growth and its status
    # alone — negative events are not covered there either, and do not count toward the least evidence
    scored = card("甲星智能科技有限公司")
    risk = scored["dimensions"]["risk"]
    assert [c["signal"] for c in risk["contributions"] if not c["detail"]["missing"]] == ["abnormal_status"]
    assert "negative_events" in scored["not_covered"] and scored["total"] is not None
    table = " ".join(run("score", "甲星智能科技有限公司", "--as-of", D, db=db).stdout.split())
    assert "未覆盖（未导入新闻、司法或风险事件来源）" in table, table
    assert doc["cohort"]["level"] == "all" and doc["cohort"]["label"] == "截至该日存续的全部 6 家企业"
    # cohorts of one enterprise allowed: the node × age band cohort of the unplaced of unknown age, said as such
    weights = tmp_path / "w.yaml"
    weights.write_text(DEFAULT_WEIGHTS.read_text(encoding="utf-8").replace("min_cohort: 30", "min_cohort: 1"),
                       encoding="utf-8")
    doc = run_json("score", "丁亥电子股份有限公司", "--as-of", D, "--weights", weights, db=db)
    assert (doc["cohort"]["level"], doc["cohort"]["node"], doc["cohort"]["age_band"]) == ("node+age", None, "unknown")
    assert doc["cohort"]["label"] == "未定位环节、成立日期未知的 3 家企业"
    table = run("score", "丁亥电子股份有限公司", "--as-of", D, "--weights", weights, db=db)
    assert "总分 数据不足" in table.stdout and "对照组：未定位环节、成立日期未知的 3 家企业" in " ".join(table.stdout.split())
    assert "None" not in table.stdout and "数据不足" in table.stderr
    en = run("--lang", "en", "score", "丁亥电子股份有限公司", "--as-of", D, "--weights", weights, db=db)
    assert "total insufficient data" in en.stdout
    assert "the 3 enterprises with no segment of unknown founding date" in " ".join(en.stdout.split()), en.stdout
    scored = card("甲星智能科技有限公司")
    assert scored["total"] is not None and not scored["insufficient"]


def test_insufficient_data_sorts_after_the_scored_in_the_library_and_score_all(scored, tmp_path):
    import shutil

    path = tmp_path / "ev.duckdb"
    copy_to(scored[0], path)
    batch = scored[1]  # `score all --as-of D --format json` on the imported files
    assert batch["scored"] == 6 and batch["insufficient"] == 3
    out = run("score", "all", "--as-of", D, db=path).stdout
    assert "3家数据不足" in "".join(out.split()) and "insufficient" not in out  # the column headed in words
    from zhaoshang.interfaces.web.app import create_app

    client = local_client(create_app(str(path)))
    for sort in ("-score", "score"):
        items = client.get("/api/enterprises", params={"sort": sort, "as_of": D, "size": 50}).json()["items"]
        scores = [it["score"] for it in items]
        assert scores[:3] == sorted(scores[:3], reverse=sort == "-score") and None not in scores[:3], (sort, scores)
        assert scores[3:] == [None] * 3 and {it["name"] for it in items[3:]} == set(NO_DATA), (sort, items)
    page = client.get("/enterprises", params={"sort": "-score", "as_of": D}).text
    assert page.count("ent-insufficient") == 3
    card = client.get("/enterprises/丁亥电子股份有限公司", params={"as_of": D}).text
    assert 'data-insufficient="1"' in card and "对照组：截至该日存续的全部 6 家企业" in card


def test_an_added_segment_does_not_change_the_cohort_a_confirmed_one_stays_primary(db, tmp_path):
    """an analyst confirmed the rules' M05 (0.9747) and added D10 as a second segment; the added
    placement (confidence 1.0) became the scoring cohort. The primary segment is the confirmed one; an added one is
    primary only when it is the enterprise's only placement (docs/methods.md, "Scorecard", the primary segment)."""
    import shutil

    import duckdb

    path = tmp_path / "ev.duckdb"
    shutil.copyfile(db, path)
    con = duckdb.connect(str(path))
    con.execute("""INSERT INTO placements (enterprise_id, chain, node_code, confidence, method)
                   SELECT id, 'ai', 'M05', 0.9747, 'rules' FROM enterprises WHERE name = '甲星智能科技有限公司'""")
    con.close()
    run("placements", "add", "甲星智能科技有限公司", "D10", "--reason", "兼营医疗影像", db=path)
    assert run_json("score", "甲星智能科技有限公司", "--as-of", D, db=path)["cohort"]["node"] == "M05"
    run("placements", "confirm", "甲星智能科技有限公司", "M05", "--reason", "主营计算机视觉", db=path)
    card = run_json("score", "甲星智能科技有限公司", "--as-of", D, db=path)
    assert card["cohort"]["node"] == "M05", card["cohort"]
    run("placements", "add", "乙辰数据科技有限公司", "D10", "--reason", "医疗数据", db=path)  # its only placement
    assert run_json("score", "乙辰数据科技有限公司", "--as-of", D, db=path)["cohort"]["node"] == "D10"


def test_library_says_its_scores_are_from_a_batch_made_before_the_latest_change(scored, tmp_path):
    """after a placement decision the library kept showing the stored batch while the profile ranked on
    the current data, both labelled with the same date. The list now says the batch predates the change, and which."""
    import re
    import shutil

    from zhaoshang.interfaces.web.app import create_app

    path = tmp_path / "ev.duckdb"
    copy_to(scored[0], path)  # the imported files after `score all --as-of D`
    client = local_client(create_app(str(path)))
    batch = client.get("/api/enterprises", params={"as_of": D}).json()["score_batch"]
    assert batch["as_of"] == D and batch["stale"] is False and batch["note"] == {"zh": None, "en": None}
    page = client.get("/enterprises", params={"as_of": D}).text
    assert 'id="score-stale"' not in page
    csrf = re.search(r'"csrf": ?"([^"]+)"', page).group(1)  # as the page's own form posts it
    r = client.post("/api/enterprises/甲星智能科技有限公司/placements", headers={"X-CSRF-Token": csrf},
                    json={"action": "add", "node": "D10", "reason": "兼营医疗影像"})
    assert r.status_code == 200, r.text
    batch = client.get("/api/enterprises", params={"as_of": D}).json()["score_batch"]
    assert batch["stale"] is True and batch["changes"] == ["placements"], batch
    assert batch["scored_at"] and f"{D} 存储批次，早于最近的数据变化（产业链归类或人工归类决定）" in batch["note"]["zh"]
    page = client.get("/enterprises", params={"as_of": D}).text
    assert 'id="score-stale" data-stale="1"' in page and "重新运行 zhaoshang score all --as-of 2019-12-31" in page
    en = client.get("/enterprises", params={"as_of": D, "lang": "en"}).text
    assert "before the latest change (a classification or placement decision)" in en
    (tmp_path / "more.csv").write_text("企业名称,融资时间,融资轮次,融资金额\n乙辰数据科技有限公司,2019-06-01,天使轮,200万人民币\n",
                                       encoding="utf-8")
    run("import", "fundings", tmp_path / "more.csv", "--source", "融资库", db=path)
    batch = local_client(create_app(str(path))).get("/api/enterprises", params={"as_of": D}).json()["score_batch"]
    assert "import" in batch["changes"] and batch["last_import"]["kind"] == "fundings", batch
    run("score", "all", "--as-of", D, db=path)  # a new batch on the current data: current again
    assert local_client(create_app(str(path))).get("/api/enterprises", params={"as_of": D}).json()["score_batch"]["stale"] is False


def test_a_batch_stored_by_an_older_scoring_rule_is_not_shown_as_current(scored, tmp_path):
    """a batch `score all` stored before the signals were read another way (SIGNALS_VERSION) kept its totals in
    the library, its sort and score filter and the export, shown as current. Stored, then made to carry an older
    rule's version and read back, it is not shown anywhere and the list says why and what to run (zh/en); the
    profile's card ranks by the current rule; `score all` again shows it."""
    import csv
    import io
    import shutil
    import subprocess

    from zhaoshang.interfaces.web.app import create_app
    from zhaoshang.services.evaluation.signals import SIGNALS_VERSION

    path, legacy = tmp_path / "ev.duckdb", tmp_path / "legacy.duckdb"
    copy_to(scored[0], path)  # the imported files after `score all --as-of D`
    card = run_json("score", "甲星智能科技有限公司", "--as-of", D, db=path)
    assert card["cohort"]["ranked"] == "stored" and card["total"] is not None
    shutil.copyfile(path, legacy)

    def carry(db_file, version):  # the batch as an older version stored it: another rule's version, or none kept
        subprocess.run([sys.executable, "-c", f"""import duckdb, json
con = duckdb.connect({str(db_file)!r})
key = 'score_cohorts:{D}'
kept = json.loads(con.execute('SELECT value FROM meta WHERE key = ?', [key]).fetchone()[0])
kept.pop('signals', None)
con.execute('UPDATE meta SET value = ? WHERE key = ?', [json.dumps({{**kept, **{version!r}}}), key])
con.close()"""], check=True)

    carry(path, {"signals": "no-data-6"})
    carry(legacy, {})  # stored before the rule's version was kept: not vouched for either
    client = local_client(create_app(str(path)))
    doc = client.get("/api/enterprises", params={"as_of": D, "sort": "-score"}).json()
    batch = doc["score_batch"]
    assert doc["score_as_of"] is None and all(it["score"] is None for it in doc["items"]), doc["items"]
    assert batch["as_of"] == D and batch["shown"] is False
    assert batch["rule"] == {"stored": "no-data-6", "version": SIGNALS_VERSION, "current": False}
    made = china_time_text(batch["scored_at"])  # the JSON keeps the stored time; the note says it in China's time
    assert made.endswith(" (UTC+8)")
    assert (f"{D} 的存储评分（{made} 生成）由旧版评分规则（no-data-6；当前规则：{SIGNALS_VERSION}）计算，不再显示。"
            f"请重新运行 zhaoshang score all --as-of {D}") in batch["note"]["zh"]
    assert f"were made by an older scoring rule (no-data-6; this version's rule: {SIGNALS_VERSION})" in batch["note"]["en"]
    assert client.get("/api/enterprises", params={"as_of": D, "score_min": 1}).json()["total"] == 0
    page = client.get("/enterprises", params={"as_of": D}).text
    assert 'id="score-stale" data-stale="rule"' in page and "由旧版评分规则（no-data-6" in page
    assert "没有存储的评分批次" not in page
    en = client.get("/enterprises", params={"as_of": D, "lang": "en"}).text
    assert "were made by an older scoring rule (no-data-6" in en
    rows = list(csv.reader(io.StringIO(client.get("/api/enterprises/export", params={
        "as_of": D, "format": "csv", "lang": "zh"}).content.decode("utf-8-sig"))))
    head = rows[0]
    assert rows[1:] and all(r[head.index("综合得分")] == "" and r[head.index("评分批次日期")] == "" for r in rows[1:])
    # the profile's card does not read the old batch's cohorts: it ranks the population by the current rule
    again = run_json("score", "甲星智能科技有限公司", "--as-of", D, db=path)
    assert again["cohort"]["ranked"] == "population" and again["total"] == card["total"]
    batch = local_client(create_app(str(legacy))).get("/api/enterprises", params={"as_of": D}).json()["score_batch"]
    assert batch["shown"] is False and batch["rule"]["stored"] is None and "旧版评分规则（未记录版本" in batch["note"]["zh"]
    run("score", "all", "--as-of", D, db=path)  # scored by the current rule: shown again
    doc = local_client(create_app(str(path))).get("/api/enterprises", params={"as_of": D}).json()
    assert doc["score_as_of"] == D and doc["score_batch"]["shown"] is True and doc["score_batch"]["note"] == {"zh": None, "en": None}
    assert doc["score_batch"]["rule"] == {"stored": SIGNALS_VERSION, "version": SIGNALS_VERSION, "current": True}
    assert round({it["name"]: it["score"] for it in doc["items"]}["甲星智能科技有限公司"], 1) == card["total"]


def test_a_date_after_the_data_says_the_data_ends_there(db):
    """a scorecard as of a date after the data's latest date decayed silently (news tone gone, months
    since the round up) — an artefact of missing data, not a change in the company. It now says so."""
    from zhaoshang.interfaces.web.app import create_app

    path = db  # its latest date: the last round, 2019-03-01 (the imports carry no data date)
    assert run_json("score", "甲星智能科技有限公司", "--as-of", "2019-03-01", db=path)["date_notes"] == []
    doc = run_json("score", "甲星智能科技有限公司", "--as-of", "2020-06-30", db=path)
    assert [(n["kind"], n["data_ends"]) for n in doc["date_notes"]] == [("after_data", "2019-03-01")]
    table = run("score", "甲星智能科技有限公司", "--as-of", "2020-06-30", db=path)
    assert "截至日期2020-06-30晚于数据的最新日期2019-03-01：此后的融资、新闻与事件均未导入" in "".join(table.stderr.split())
    en = run("--lang", "en", "score", "甲星智能科技有限公司", "--as-of", "2020-06-30", db=path)
    assert "after the data's latest date 2019-03-01" in " ".join(en.stderr.split())
    client = local_client(create_app(str(path)))
    api = client.get("/api/enterprises/甲星智能科技有限公司/score", params={"as_of": "2020-06-30"}).json()
    assert api["date_notes"] == doc["date_notes"]
    page = client.get("/enterprises/甲星智能科技有限公司", params={"as_of": "2020-06-30"}).text
    assert 'class="small warn sc-date-note" data-kind="after_data"' in page and "2019-03-01" in page


def test_learned_weights_before_their_training_date_warn_of_look_ahead(db, tmp_path):
    """weights learned on outcomes up to 2024 scored a 2020 card, its probability tier shown without
    comment. A card as of a date before the weights' training date now says it looks ahead."""
    from zhaoshang.services.evaluation.scorecard import DEFAULT_WEIGHTS

    weights = tmp_path / "learned.yaml"
    weights.write_text(DEFAULT_WEIGHTS.read_text(encoding="utf-8").replace("version: hand-3", "version: learned-test")
                       + "fitted: {target: next-round, as_of: '2019-12-31', method: learned-4}\n", encoding="utf-8")
    same = run_json("score", "甲星智能科技有限公司", "--as-of", D, "--weights", weights, db=db)
    assert "look_ahead" not in [n["kind"] for n in same["date_notes"]]
    doc = run_json("score", "甲星智能科技有限公司", "--as-of", "2019-03-01", "--weights", weights, db=db)
    assert [(n["kind"], n["trained_as_of"]) for n in doc["date_notes"]] == [("look_ahead", "2019-12-31")]
    table = run("score", "甲星智能科技有限公司", "--as-of", "2019-03-01", "--weights", weights, db=db)
    assert "前视偏差：该权重（learned-test）是用截至2019-12-31的结果学习的" in "".join(table.stderr.split())
    en = run("--lang", "en", "score", "甲星智能科技有限公司", "--as-of", "2019-03-01", "--weights", weights, db=db)
    assert "Look-ahead: these weights (learned-test) were learned on outcomes up to 2019-12-31" in " ".join(en.stderr.split())
    # the stored batch says it too (``score all`` wrote it without a word)
    copy = tmp_path / "batch.duckdb"
    copy.write_bytes(Path(db).read_bytes())
    batch = run("score", "all", "--as-of", "2019-03-01", "--weights", weights, db=copy)
    assert "前视偏差：该权重（learned-test）是用截至2019-12-31的结果学习的" in "".join(batch.stderr.split())
    doc = run_json("--lang", "en", "score", "all", "--as-of", "2019-03-01", "--weights", weights, db=copy)
    assert [n["kind"] for n in doc["date_notes"]] == ["look_ahead"] and doc["date_notes"][0]["note"].startswith("Look-ahead")
    assert "look_ahead" not in [n["kind"] for n in run_json("score", "all", "--as-of", D, "--weights", weights, db=copy)["date_notes"]]


def test_export_of_a_score_sorted_list_carries_the_score_its_confidence_batch_and_funding_total(db, tmp_path):
    """the export of /enterprises?score_min=…&sort=-score had no score column: the file did not say why
    its rows were picked or in what order. Headed through the one label table, in both languages."""
    import csv
    import io
    import shutil

    from zhaoshang.interfaces.labels import COLUMNS
    from zhaoshang.interfaces.web.app import create_app

    path = tmp_path / "ev.duckdb"
    shutil.copyfile(db, path)
    # rounds whose amounts are not whole 万元 (a converted currency, a figure to the yuan): their sums neither
    import_texts(path, tmp_path, [("fundings", "零头.csv", "零头",
                                   "企业名称,融资时间,融资轮次,融资金额\n甲星智能科技有限公司,2019-06-01,B轮,1234.5678万人民币\n"
                                   "乙辰数据科技有限公司,2019-05-01,A轮,12345678.9元\n")])
    run("score", "all", "--as-of", D, db=path)
    client = local_client(create_app(str(path)))
    listed = client.get("/api/enterprises", params={"as_of": D, "sort": "-score", "score_min": 1}).json()["items"]
    keys = ("funding_total_wan", "score", "score_confidence", "score_as_of")
    for lang in ("zh", "en"):
        r = client.get("/api/enterprises/export", params={"as_of": D, "sort": "-score", "score_min": 1, "format": "csv",
                                                          "lang": lang})
        assert r.status_code == 200, r.text
        # a list as of a date is named by that date, not by the day it was downloaded
        assert 'filename="enterprises-20191231.csv"' in r.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
        heads = {k: COLUMNS[k][lang == "en"] for k in keys}
        assert set(heads.values()) <= set(rows[0]), (lang, list(rows[0]))
        assert [int(x[COLUMNS["id"][lang == "en"]]) for x in rows] == [it["id"] for it in listed]
        assert [float(x[heads["score"]]) for x in rows] == [round(it["score"], 1) for it in listed]
        assert [float(x[heads["score_confidence"]]) for x in rows] == [round(it["score_confidence"], 3) for it in listed]
        assert {x[heads["score_as_of"]] for x in rows} == {D}
        # the funding totals rounded as a page shows an amount in 万元 (core/numbers.py), not 12345.678900000001
        assert [x[heads["funding_total_wan"]] for x in rows] == [
            "" if it["funding_total_wan"] is None else number_text(float(fixed(it["funding_total_wan"], WAN_DIGITS)))
            for it in listed]
    assert any(it["funding_total_wan"] != round(it["funding_total_wan"], WAN_DIGITS) for it in listed if it["funding_total_wan"])


def test_registry_basics_alone_have_no_total_and_sort_after_evidence(db, tmp_path):
    """A two-row registry file (name, founding date, status) scored 100.0 and topped the library, above firms with real
    rounds: its age (成长) and its status (风险) made two dimensions and a confidence of 0.202. A total now needs data in
    at least one evidence dimension (innovation, capital, influence, team): registry basics alone are 数据不足, said in
    words, and sort after every scored enterprise (docs/methods.md, "Scorecard", insufficient data)."""
    import shutil

    from zhaoshang.interfaces.web.app import create_app

    path = tmp_path / "ev.duckdb"
    shutil.copyfile(db, path)
    (tmp_path / "qcc.csv").write_text("企业名称,成立日期,登记状态\n辛卯新创科技有限公司,2019-06-01,存续\n"
                                      "壬辰老牌实业有限公司,2001-03-05,在业\n", encoding="utf-8")
    run("import", "enterprises", tmp_path / "qcc.csv", "--source", "企查查", db=path)
    for name in ("辛卯新创科技有限公司", "壬辰老牌实业有限公司"):
        doc = run_json("score", name, "--as-of", D, db=path)
        assert [k for k, v in doc["dimensions"].items() if not v["absent"]] == ["growth", "risk"]
        assert doc["confidence"] >= 0.1  # the two-dimension and confidence conditions are met: not what refuses it
        assert doc["total"] is None and doc["insufficient"] and doc["probability"] is None, (name, doc["total"])
        assert doc["total_basis"]["min_evidence"]["evidence"] == 1
        assert "只有成长、风险（越高越安全）有数据，创新、资本、影响力与舆情、团队均无数据" in doc["total_basis"]["note"]
    en = run_json("--lang", "en", "score", "辛卯新创科技有限公司", "--as-of", D, db=path)
    assert "none of Innovation, Capital, Influence and sentiment, Team" in en["total_basis"]["note"]
    table = run("score", "辛卯新创科技有限公司", "--as-of", D, db=path)
    assert "总分 数据不足" in table.stdout
    batch = run_json("score", "all", "--as-of", D, db=path)
    assert batch["scored"] == 8 and batch["insufficient"] == 5
    items = local_client(create_app(str(path))).get(
        "/api/enterprises", params={"sort": "-score", "as_of": D, "size": 50}).json()["items"]
    assert [it["score"] is None for it in items] == [False] * 3 + [True] * 5, items
    assert {"辛卯新创科技有限公司", "壬辰老牌实业有限公司"} <= {it["name"] for it in items[3:]}


def test_a_segment_cohort_is_said_with_a_space_after_its_code(db, tmp_path):
    """The card's comparison group read 对照组：环节 M05的 2 家企业 — the code run into the Chinese after it: it reads
    环节 M05 的 2 家企业, and in English the 2 enterprises on segment M05 (the term the pages use for 环节)."""
    import shutil

    import duckdb

    from zhaoshang.services.evaluation.scorecard import DEFAULT_WEIGHTS

    path = tmp_path / "ev.duckdb"
    shutil.copyfile(db, path)
    con = duckdb.connect(str(path))
    con.execute("""INSERT INTO placements (enterprise_id, chain, node_code, confidence, method)
                   SELECT id, 'ai', 'M05', 0.9, 'rules' FROM enterprises WHERE name IN ('甲星智能科技有限公司', '庚寅视觉科技有限公司')""")
    con.close()
    weights = tmp_path / "w.yaml"  # two enterprises on M05 of different ages: the segment's cohort, not its age band's
    weights.write_text(DEFAULT_WEIGHTS.read_text(encoding="utf-8").replace("min_cohort: 30", "min_cohort: 2"),
                       encoding="utf-8")
    doc = run_json("score", "甲星智能科技有限公司", "--as-of", D, "--weights", weights, db=path)
    assert (doc["cohort"]["level"], doc["cohort"]["node"], doc["cohort"]["n"]) == ("node", "M05", 2), doc["cohort"]
    assert doc["cohort"]["label"] == "环节 M05 的 2 家企业"
    table = " ".join(run("score", "甲星智能科技有限公司", "--as-of", D, "--weights", weights, db=path).stdout.split())
    assert "对照组：环节 M05 的 2 家企业" in table, table
    en = run_json("--lang", "en", "score", "甲星智能科技有限公司", "--as-of", D, "--weights", weights, db=path)
    assert en["cohort"]["label"] == "the 2 enterprises on segment M05"
