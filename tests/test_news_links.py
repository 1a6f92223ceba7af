"""Imported news linked to their enterprises: a file's subject column as declared mentions (the import's linking,
unlinked and ambiguous ones counted), the text analysis's mentions kept apart (``--link-text``, ``link-news``),
and the scorecard's news dimension fed by them."""

from __future__ import annotations

import csv
import shutil

import pytest
from cli_util import q, run, run_json
from conftest import shared_file
from web_util import require_browser, serving, upload_in_browser
from zhaoshang.core.store import Store
from zhaoshang.services.evaluation.scorecard import score_enterprise


# synthetic companies and news (not real firms): 青岚数智 one enterprise; 蓝星河 the short name of two
ENTERPRISES = ("企业名称,简称,省份\n"
               "青岚数智科技股份有限公司,青岚数智,浙江省\n"
               "蓝星河光电股份有限公司,蓝星河,江苏省\n"
               "蓝星河食品有限公司,蓝星河,广东省\n")
NEWS = ("row_id,text,event_type,subject\n"
        "1,青岚数智收到监管警示函，蓝星河光电股份有限公司同日公告。,信批违规,青岚数智\n"
        "2,青岚数智收到监管警示函，蓝星河光电股份有限公司同日公告。,信批违规,蓝星河光电股份有限公司\n"
        "3,某平台逾期无法提现。,提现困难,无名网贷平台\n"
        "4,蓝星河再遭投诉。,投诉维权,蓝星河\n"
        "5,市场整体平稳。,其他,\n")


def test_declared_subjects_counted_and_text_mentions_kept_apart(tmp_path):
    db = tmp_path / "z.duckdb"
    (tmp_path / "e.csv").write_text(ENTERPRISES, encoding="utf-8")
    (tmp_path / "n.csv").write_text(NEWS, encoding="utf-8")
    run_json("import", "enterprises", tmp_path / "e.csv", db=db)
    from built_once import copy_to

    copy_to(db, tmp_path / "z2.duckdb")  # the same enterprises, for the table below (copied, not imported again)
    rep = run_json("import", "news", tmp_path / "n.csv", "--preset", "finese", "--rejects", tmp_path, db=db)
    # rows 1 and 2 are one item (the same text) about two companies; row 5 declares none
    assert rep["rows_imported"] == 4 and rep["rows_duplicate"] == 1
    assert rep["linked_by"] == {"alias": 1, "name": 1}
    assert (rep["unlinked"], rep["ambiguous"]) == (1, 1)  # 无名网贷平台 (no such enterprise); 蓝星河 (two share it)
    assert rep["unlinked_names"] == [{"name": "蓝星河", "rows": 1, "ambiguous": True},
                                     {"name": "无名网贷平台", "rows": 1, "ambiguous": False}]
    rows = q(db, """SELECT m.mention, e.name, m.method FROM news_mentions m LEFT JOIN enterprises e ON e.id = m.enterprise_id
                    ORDER BY m.news_id, m.mention""")
    assert rows == [("蓝星河光电股份有限公司", "蓝星河光电股份有限公司", "name"), ("青岚数智", "青岚数智科技股份有限公司", "alias"),
                    ("无名网贷平台", None, "declared"), ("蓝星河", None, "ambiguous")]
    # the table says them in the analyst's words
    out = run("import", "news", tmp_path / "n.csv", "--preset", "finese", "--rejects", tmp_path,
              db=tmp_path / "z2.duckdb", env={"COLUMNS": "200"}).stdout
    assert "未关联到企业" in out and "有歧义未关联" in out
    assert "未关联的企业名称" in out and "无名网贷平台" in out and "有歧义（多家企业同名）" in out

    # the text analysis: its mentions stored apart (method text_…), the declared ones untouched; a rerun replaces them
    res = run_json("link-news", db=db)
    assert res["items"] == 4 and res["ambiguous"] == 1  # 蓝星河 in row 4's text: two candidates, not stored
    assert res["ambiguous_examples"][0]["mention"] == "蓝星河"
    text = q(db, "SELECT m.mention, e.name, m.method FROM news_mentions m JOIN enterprises e ON e.id = m.enterprise_id "
                 "WHERE starts_with(m.method, 'text_') ORDER BY m.mention")
    assert text == [("蓝星河光电股份有限公司", "蓝星河光电股份有限公司", "text_name"), ("青岚数智", "青岚数智科技股份有限公司", "text_short")]
    again = run_json("link-news", db=db)
    assert again["mentions"] == res["mentions"] == 2
    assert q(db, "SELECT count(*) FROM news_mentions")[0][0] == 6
    # --link-text belongs to news imports only
    p = run("import", "enterprises", tmp_path / "e.csv", "--link-text", db=db, check=False)
    assert p.returncode != 0 and "--link-text" in p.stderr


def test_finese_subjects_link_and_feed_the_scorecard(tmp_path):
    merged = shared_file("listed_companies/a_share_companies_merged.csv")
    finese = shared_file("news/cfleb_finese_event_subject_ccks2019.csv")
    db = tmp_path / "real.duckdb"
    run_json("import", "enterprises", merged, "--preset", "a_share_merged", "--data-date", "2026-03-31", db=db)
    rep = run_json("import", "news", finese, "--preset", "finese", "--data-date", "2019-12-31", "--link-text",
                   "--rejects", tmp_path, db=db)
    assert rep["rows_imported"] > 14000
    declared = sum(rep["linked_by"].values())
    # with the A-share table alone 3,728 of the 12,145 declared subjects link (the whole real build: 4,829,
    # docs/methods.md "Linking imported news"); the rest — P2P platforms, unlisted and delisted firms — counted.
    # (One more row's subject cell reads NAN, a missing marker: no subject, docs/data-formats.md "Cells that hold
    # no value".)
    assert declared > 3500 and rep["unlinked"] + rep["ambiguous"] + declared == 12145
    assert rep["text_links"]["items_linked"] > 8000
    n_declared, n_text = q(db, """SELECT count(*) FILTER (WHERE NOT starts_with(method, 'text_')),
                                         count(*) FILTER (WHERE starts_with(method, 'text_'))
                                  FROM news_mentions WHERE enterprise_id IS NOT NULL""")[0]
    assert n_declared == declared and n_text > 10000
    # each item's event, declared or found in its text, stored with the type its FinESE label is read as
    from zhaoshang.core.event_types import item_type

    typed = q(db, "SELECT DISTINCT json_extract_string(detail, '$.event_type'), type FROM events WHERE ref_table = 'news'")
    assert all(t == (item_type(label) or "news") for label, t in typed), typed
    assert {t for _label, t in typed} >= {"legal", "personnel", "ma", "distress", "news"}, typed
    # 獐子岛 (002069), a subject of many FinESE items: its scorecard's 影响力与舆情 has data as of the corpus's date
    store = Store(str(db), read_only=True)
    try:
        doc = score_enterprise(store, "獐子岛", as_of="2019-12-31")
        assert doc["name"] == "獐子岛集团股份有限公司"
        infl = doc["dimensions"]["influence"]
        assert not infl["absent"]
        assert next(c for c in infl["contributions"] if c["signal"] == "news_12m")["raw"] > 10
        # an undated item counts from its import's data date, never before it
        assert score_enterprise(store, "獐子岛", as_of="2019-06-30")["dimensions"]["influence"]["absent"]
    finally:
        store.close()


def test_declared_subjects_link_when_their_companies_arrive_later(tmp_path):
    """News imported before the company list: their declared names wait, and link when the list brings them."""
    db = tmp_path / "z.duckdb"
    (tmp_path / "e.csv").write_text(ENTERPRISES, encoding="utf-8")
    (tmp_path / "n.csv").write_text(NEWS, encoding="utf-8")
    first = run_json("import", "news", tmp_path / "n.csv", "--preset", "finese", "--rejects", tmp_path, db=db)
    assert (first["unlinked"], first["ambiguous"], first["linked_by"]) == (4, 0, {})
    rep = run_json("import", "enterprises", tmp_path / "e.csv", db=db)
    assert rep["linked_earlier"] == 2  # 青岚数智 and 蓝星河光电股份有限公司; 蓝星河 (two) and 无名网贷平台 stay unlinked
    # linked by what links them at import (a full name, an alias), not left ``declared``, which the events named as it is
    assert q(db, "SELECT m.mention, e.name, m.method FROM news_mentions m JOIN enterprises e ON e.id = m.enterprise_id "
                 "ORDER BY m.mention") == [("蓝星河光电股份有限公司", "蓝星河光电股份有限公司", "name"),
                                           ("青岚数智", "青岚数智科技股份有限公司", "alias")]
    import json

    from zhaoshang.interfaces.labels import news_link_text

    said = sorted((news_link_text(json.loads(d), "zh"), news_link_text(json.loads(d), "en"))
                  for (d,) in q(db, "SELECT detail FROM events WHERE ref_table = 'news'"))
    assert said == [("文件声明的相关企业「蓝星河光电股份有限公司」（全称）", 'declared by the file "蓝星河光电股份有限公司" (full name)'),
                    ("文件声明的相关企业「青岚数智」（别名）", 'declared by the file "青岚数智" (alias)')], said
    # such an event of a database linked before the method was kept (``declared``) is said in words, not as the code
    older = {**json.loads(q(db, "SELECT detail FROM events WHERE ref_table = 'news' LIMIT 1")[0][0]), "method": "declared"}
    assert [news_link_text(older, lang).endswith(end) for lang, end in (("zh", "（企业导入后关联）"),
                                                                        ("en", " (linked when its enterprise was imported)"))] == [True, True]


# an item that declares 青岚数智 and names 蓝星河光电 in its text; one that names 青岚数智 only in its text; undated
NEWS_EVENTS = ("row_id,text,event_type,subject\n"
               "1,青岚数智与蓝星河光电股份有限公司签订合作协议。,其他,青岚数智\n"
               "2,青岚数智收到监管警示函。,信批违规,\n"
               "3,市场整体平稳。,其他,\n")


@pytest.fixture(scope="module")
def with_enterprises(tmp_path_factory):
    """``with_enterprises(tmp_path)``: a private copy, at ``tmp_path / "z.duckdb"``, of a database into which the
    command imported ENTERPRISES (dated 2019-06-30) once for the module, with ``e.csv`` and NEWS_EVENTS as ``n.csv``
    written beside it."""
    from built_once import copy_to

    folder = tmp_path_factory.mktemp("newsents")
    (folder / "e.csv").write_text(ENTERPRISES, encoding="utf-8")
    run_json("import", "enterprises", folder / "e.csv", "--data-date", "2019-06-30", db=folder / "z.duckdb")

    def copy(tmp_path):
        (tmp_path / "e.csv").write_text(ENTERPRISES, encoding="utf-8")
        (tmp_path / "n.csv").write_text(NEWS_EVENTS, encoding="utf-8")
        return copy_to(folder / "z.duckdb", tmp_path / "z.duckdb")
    return copy


def test_text_mentions_are_events_that_monitoring_and_alerts_see(tmp_path, with_enterprises):
    """A mention found in the text is a news event of the enterprise as a declared subject is (one per item and
    enterprise, dated as the declared ones, how it was linked on the event), replaced only by a re-run of
    ``link-news``, and an alert rule on news fires for it (the digest lists it)."""
    db = with_enterprises(tmp_path)
    rule = run_json("alerts", "rules", "add", "青岚舆情", "--enterprise", "青岚数智", "--type", "news",
                    "--channel", "email", db=db)
    rep = run_json("import", "news", tmp_path / "n.csv", "--preset", "finese", "--data-date", "2019-12-31",
                   "--link-text", "--rejects", tmp_path, db=db)
    assert rep["text_links"]["events"] == {"added": 2, "removed": 0, "kept": 0}
    doc = run_json("events", "--enterprise", "青岚数智", "--type", "news", db=db)
    got = sorted((e["title"], e["date"], e["detail"]["linked"], e["detail"]["method"]) for e in doc["items"])
    assert got == [("新闻: 青岚数智与蓝星河光电股份有限公司签订合作协议。", "2019-12-31", "declared", "alias"),
                   ("新闻: 青岚数智收到监管警示函。", "2019-12-31", "text", "text_short")]  # item 1 once, declared
    other = run_json("events", "--enterprise", "蓝星河光电股份有限公司", db=db)["items"]
    assert [(e["type"], e["detail"]["linked"], e["detail"]["mention"]) for e in other if e["type"] == "news"] == [
        ("news", "text", "蓝星河光电股份有限公司")]
    # as of a date before the items' data date: not listed, counted as later
    early = run_json("events", "--enterprise", "青岚数智", "--type", "news", "--as-of", "2019-09-30", db=db)
    assert early["count"] == 0 and early["later"]["count"] == 2
    # the table says how each was linked
    table = run("events", "--enterprise", "青岚数智", "--type", "news", db=db, env={"COLUMNS": "250"}).stdout
    assert "正文提及" in table and "文件声明" in table
    ids = sorted(e["id"] for e in doc["items"])
    again = run_json("link-news", db=db)
    assert again["events"] == {"added": 0, "removed": 0, "kept": 2}
    assert sorted(e["id"] for e in run_json("events", "--enterprise", "青岚数智", "--type", "news", db=db)["items"]) == ids
    # an item's labelled type is stored as the type it maps to (FinESE's 信批违规 → legal; it was stored as news and
    # mapped only by the timeline's filter and the rules), so the list, the filter and the export say one type
    assert q(db, "SELECT type, count(*) FROM events WHERE ref_table = 'news' GROUP BY 1 ORDER BY 1") == [
        ("legal", 1), ("news", 2)]
    legal = run_json("events", "--enterprise", "青岚数智", "--type", "legal", db=db)["items"]
    assert [(e["title"], e["type"]) for e in legal] == [("新闻: 青岚数智收到监管警示函。", "legal")]
    run("export", "events", "-o", tmp_path / "events.csv", db=db)
    with open(tmp_path / "events.csv", encoding="utf-8-sig") as fh:
        exported = {r["title"]: r["type"] for r in csv.DictReader(fh) if r["ref_table"] == "news"}
    assert exported["新闻: 青岚数智收到监管警示函。"] == "legal" and set(exported.values()) == {"legal", "news"}, exported
    # a database whose news events were all of type news is rewritten once when opened
    old = tmp_path / "old.duckdb"
    shutil.copy(db, old)
    with Store(str(old)) as s:
        s.con.execute("UPDATE events SET type = 'news' WHERE ref_table = 'news'")
        s.con.execute("DELETE FROM meta WHERE key = 'news_types'")
    assert [e["type"] for e in run_json("events", "--enterprise", "青岚数智", "--type", "legal", db=old)["items"]] == [
        "legal"]
    assert q(old, "SELECT count(*) FROM events WHERE type = 'legal'")[0][0] == 1
    by_label = run_json("alerts", "rules", "add", "青岚违规", "--enterprise", "青岚数智", "--type", "诉讼/处罚/监管",
                        db=db)
    # a sentiment threshold over items without a sentiment is said when saved and when run (it fired 0, silently)
    toned = run("alerts", "rules", "add", "青岚负面", "--enterprise", "青岚数智", "--type", "news",
                "--max-sentiment", "-0.3", db=db)
    assert "符合其他条件的事件 2 条中只有 0 条带情感值" in toned.stderr and "不会触发" in toned.stderr, toned.stderr
    # the rule fires for the text-found item too, its explanation says how the enterprise was linked
    res = run_json("alerts", "run", "--since", "2019-01-01", db=db)
    fired = sorted(a["title"] for a in res["alerts"] if a["rule_id"] == rule["id"])
    assert fired == ["新闻: 青岚数智与蓝星河光电股份有限公司签订合作协议。", "新闻: 青岚数智收到监管警示函。"]
    assert [a["title"] for a in res["alerts"] if a["rule_id"] == by_label["id"]] == ["新闻: 青岚数智收到监管警示函。"]
    said = run("alerts", "run", "--since", "2019-01-01", db=db).stderr
    assert "规则“青岚负面”注意：符合其他条件的事件 2 条中只有 0 条带情感值" in said, said
    alert = next(a for a in res["alerts"] if a["title"] == "新闻: 青岚数智收到监管警示函。")
    part = next(p for p in alert["explain"]["parts"] if p["signal"] == "linked")
    assert part["raw"] == "text" and part["detail"] == {"method": "text_short", "mention": "青岚数智"}
    out = tmp_path / "digest.html"
    run_json("alerts", "digest", "--output", str(out), db=db)
    html = out.read_text(encoding="utf-8")
    assert "青岚数智收到监管警示函" in html
    assert run_json("alerts", "run", db=db)["alerts"] == []  # nothing new, nothing fired twice
    # another 青岚数智 arrives: the short name is now ambiguous, so the re-run removes that text-found event only
    (tmp_path / "e2.csv").write_text("企业名称,简称,省份\n青岚数智医疗有限公司,青岚数智,上海市\n", encoding="utf-8")
    run_json("import", "enterprises", tmp_path / "e2.csv", "--data-date", "2019-12-31", db=db)
    assert run_json("link-news", db=db)["events"] == {"added": 0, "removed": 1, "kept": 1}
    left = run_json("events", "--enterprise", "青岚数智科技股份有限公司", "--type", "news", db=db)["items"]
    assert [e["detail"]["linked"] for e in left] == ["declared"]


@pytest.mark.browser
def test_the_upload_page_links_the_text_as_the_command_does(tmp_path, with_enterprises, chromium):
    """数据更新 offers the CLI's ``--link-text`` for news (zh and en), and the job's line says what it linked."""
    require_browser()
    db = with_enterprises(tmp_path)
    news = tmp_path / "n.csv"
    with serving(db) as base, chromium as b:
        page = b.new_page()
        page.goto(base + "/updates?lang=en")
        assert "link enterprises named in the text (news only)" in page.inner_text("#upload-form")
        job = upload_in_browser(page, base, str(news), preset="finese", fill={"data_date": "2019-12-31"},
                                check=("link_text",))
        assert job["state"] == "done", job
        links = job["result"]["import"]["text_links"]
        assert (links["items_linked"], links["mentions"], links["events"]["added"]) == (2, 3, 2), links
        page.goto(base + "/updates?lang=zh")
        line = page.inner_text("#jobs tbody tr:first-child .job-text-links")
        assert line == "正文提及：关联到企业的新闻 2（关联 3 处，企业 2 家；有歧义未关联 0），新增新闻事件 2", line
        page.goto(base + "/updates?lang=en")
        line = page.inner_text("#jobs tbody tr:first-child .job-text-links")
        assert line == "text mentions: items linked 2 (3 links, 2 enterprises; ambiguous, not linked 0), news events added 2", line
        # the monitor lists the text-found item, saying how the enterprise was linked
        page.goto(base + "/monitor?lang=zh&enterprise=" + "青岚数智")
        rows = page.locator("#ev-table tbody tr").all_inner_texts()
        assert any("青岚数智收到监管警示函" in r and "正文提及「青岚数智」（简称）" in r for r in rows), rows
        # an enterprises upload asking for text linking is refused in one line
        page.goto(base + "/updates?lang=zh")
        page.select_option("#upload-kind", "enterprises")
        page.check("#upload-link-text")
        page.set_input_files("#upload-form input[type=file]", files=[str(tmp_path / "e.csv")])
        page.click("#upload-form button.primary")
        page.wait_for_load_state()
        assert "正文关联企业只用于新闻导入" in page.inner_text("body")
        b.close()


@pytest.mark.browser
def test_an_alert_on_a_text_found_item_says_how_it_was_linked(tmp_path, with_enterprises, chromium):
    """The alert's page says, in the page's words, that the item named the enterprise in its text and by what."""
    require_browser()
    db = with_enterprises(tmp_path)
    run_json("alerts", "rules", "add", "青岚舆情", "--enterprise", "青岚数智", "--type", "news", db=db)
    run_json("import", "news", tmp_path / "n.csv", "--preset", "finese", "--data-date", "2019-12-31", "--link-text",
             "--rejects", tmp_path, db=db)
    alerts = run_json("alerts", "run", "--since", "2019-01-01", db=db)["alerts"]
    aid = next(a["id"] for a in alerts if a["title"] == "新闻: 青岚数智收到监管警示函。")
    with serving(db) as base, chromium as b:
        page = b.new_page()
        for lang, words in (("zh", "正文提及「青岚数智」（简称）"), ("en", 'found in the text "青岚数智" (short name)')):
            page.goto(base + f"/alerts/{aid}?lang={lang}")
            row = page.locator(".xp-part[data-signal=linked]")
            assert words in row.inner_text(), row.inner_text()
        b.close()
