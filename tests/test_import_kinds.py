"""Every import kind through the CLI: real files from ../shared/data where they exist, small registry-style
files with Chinese headers where no public file does (shareholdings, branches, demands, contacts)."""

from __future__ import annotations

import csv
import json
from datetime import date as D

import pytest

from cli_util import q, run, run_json
from conftest import PLACEHOLDER_CELLS, shared_file
from zhaoshang.core.parse.uscc import make_uscc


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_uspto_patents_preset(tmp_path):
    src = shared_file("patents/uspto_ai_related_pgpub_sample_2024-10.csv")
    db = tmp_path / "z.duckdb"
    rows = list(csv.DictReader(open(src, encoding="utf-8")))
    rep = run_json("import", "patents", src, "--preset", "uspto_pgpub", db=db)
    assert rep["rows_read"] == len(rows) and rep["rows_rejected"] == 0
    numbers = {r["Patent Number"] for r in rows}
    assert q(db, "SELECT count(*) FROM patents")[0][0] == len(numbers)
    first = rows[0]
    got = q(db, "SELECT title, published, applied FROM patents WHERE number = ?", [first["Patent Number"].upper()])[0]
    assert got[0] == first["Title"] and str(got[1]) == first["Date Published"] and str(got[2]) == first["Filing Date"]
    # the applicants a comma without a space joins are one row each ("Hyundai Motor Company,Kia Corporation"); a
    # comma inside a name is not a separator ("Keysight Technologies, Inc.", "SAMSUNG ELECTRONICS CO.,LTD.")
    joined = [r for r in rows if r["Applicant Name"] == "Hyundai Motor Company,Kia Corporation"]
    assert joined and q(db, "SELECT list(a.name ORDER BY a.position) FROM patent_applicants a JOIN patents p ON p.id = a.patent_id "
                            "WHERE p.number = ?", [joined[0]["Patent Number"].upper()])[0][0] == ["Hyundai Motor Company", "Kia Corporation"]
    names = {n for (n,) in q(db, "SELECT DISTINCT name FROM patent_applicants")}
    assert {"Keysight Technologies, Inc.", "Keysight Technologies RO SRL", "SAMSUNG ELECTRONICS CO.,LTD."} <= names
    assert q(db, "SELECT count(*) FROM patent_applicants")[0][0] == 545  # 499 patents, 26 of them with several applicants
    # the inventor string kept whole ("Li; Yijun et al." is one person)
    assert q(db, "SELECT count(*) FROM patent_inventors WHERE name LIKE '%;%'")[0][0] > 0


def test_a_patent_import_counts_its_applicants_linked_and_not(tmp_path):
    """A patent import that linked an applicant said 已关联 0 (``linked_by`` {}) and counted every applicant, the linked
    one too, as 未关联: the counts now say how each applicant was linked, and add up to the applicants."""
    db = tmp_path / "z.duckdb"
    ents = write_csv(tmp_path / "e.csv", ["企业名称", "英文名", "所在地"], [["阿尔法芯片有限公司", "Alpha Chips Inc.", "浙江杭州"]])
    run_json("import", "enterprises", ents, db=db)
    f = write_csv(tmp_path / "g_patent.csv",
                  ["patent_id", "patent_title", "patent_abstract", "patent_date", "patent_type", "filing_date",
                   "assignee_organization", "inventor_names", "ipc_codes"],
                  [["11000001", "Neural accelerator", "", "2021-05-04", "utility", "2019-01-02",
                    "Alpha Chips Inc.;Beta Labs LLC", "", ""],
                   ["11000002", "Robot gripper", "", "2021-06-01", "design", "2020-02-03", "Gamma Robotics", "", ""]])
    rep = run_json("import", "patents", f, "--preset", "patentsview", db=db)
    linked = q(db, "SELECT count(*) FROM patent_applicants WHERE enterprise_id IS NOT NULL")[0][0]
    assert linked == 1 and sum(rep["linked_by"].values()) == 1, rep["linked_by"]
    assert rep["unlinked"] == 2 and rep["ambiguous"] == 0
    assert sum(rep["linked_by"].values()) + rep["unlinked"] + rep["ambiguous"] == q(
        db, "SELECT count(*) FROM patent_applicants")[0][0]


def test_patentsview_style_table_with_ipc_lists(tmp_path):
    f = write_csv(tmp_path / "g_patent.csv",
                  ["patent_id", "patent_title", "patent_abstract", "patent_date", "patent_type", "filing_date",
                   "assignee_organization", "inventor_names", "ipc_codes"],
                  [["11000001", "Neural accelerator", "A chip.", "2021-05-04", "utility", "2019-01-02",
                    "Alpha Chips Inc.;Beta Labs LLC", "Ann Lee;Bo Chen", "G06N 3/063;H01L 23/00"],
                   ["11000002", "Robot gripper", "A hand.", "2021-06-01", "design", "2020-02-03",
                    "Gamma Robotics", "Cy Wu", "B25J 15/00"]])
    db = tmp_path / "z.duckdb"
    rep = run_json("import", "patents", f, "--preset", "patentsview", db=db)
    assert rep["rows_imported"] == 2
    assert q(db, "SELECT type, main_ipc, len(ipc) FROM patents ORDER BY number") == [
        ("invention", "G06N 3/063", 2), ("design", "B25J 15/00", 1)]
    assert q(db, "SELECT name FROM patent_applicants WHERE patent_id = (SELECT id FROM patents WHERE number = '11000001') "
                 "ORDER BY position") == [("Alpha Chips Inc.",), ("Beta Labs LLC",)]


def test_news_flashes_and_entity_mentions(tmp_path):
    finnl = shared_file("news/cfleb_finnl_news_classification.csv")
    finnsp = shared_file("sentiment/cfleb_finnsp_negative_entity_news.csv")
    szse = shared_file("listed_companies/szse_a_share_list_2026-01.csv")
    db = tmp_path / "z.duckdb"
    m = tmp_path / "m.yaml"
    m.write_text("kind: news\ncolumns:\n  body: text\n  event_type: labels\n", encoding="utf-8")
    rep = run_json("import", "news", finnl, "--mapping", m, db=db)
    n_rows = len(list(csv.DictReader(open(finnl, encoding="utf-8"))))
    assert rep["rows_read"] == n_rows
    assert rep["rows_imported"] + rep["rows_duplicate"] == n_rows  # identical flashes are one news item
    run_json("import", "enterprises", szse, "--preset", "szse_a_share", db=db)
    m2 = tmp_path / "m2.yaml"
    m2.write_text("kind: news\ncolumns:\n  key: id\n  body: text\n  enterprises: entities\nseparators:\n  enterprises: ';'\n",
                  encoding="utf-8")
    rep2 = run_json("import", "news", finnsp, "--mapping", m2, db=db)
    assert rep2["rows_imported"] > 4000
    mentions, linked = q(db, "SELECT count(*), count(enterprise_id) FROM news_mentions")[0]
    assert mentions > 8000 and 0 < linked < mentions
    # a linked mention names the enterprise by its full name or one of its aliases (e.g. the A-share short name)
    bad = q(db, """SELECT count(*) FROM news_mentions m JOIN enterprises e ON e.id = m.enterprise_id
                   WHERE m.mention <> e.name AND NOT EXISTS (SELECT 1 FROM enterprise_aliases a
                     WHERE a.enterprise_id = e.id AND a.alias_norm = lower(replace(m.mention, ' ', '')))""")[0][0]
    assert bad == 0
    # one event per item and enterprise (an item naming one company twice, e.g. by two of its names, is one event)
    pairs = q(db, "SELECT count(*) FROM (SELECT DISTINCT news_id, enterprise_id FROM news_mentions "
                  "WHERE enterprise_id IS NOT NULL)")[0][0]
    assert pairs < linked and q(db, "SELECT count(*) FROM events WHERE type = 'news'")[0][0] == pairs


NEWS_ROWS = "标题,正文,发布时间,来源\n某某科技获A轮融资,某某科技今日宣布完成A轮融资,2024-03-01,新闻网\n" \
    ",某某科技新建生产基地的消息,2024-03-02,新闻网\n无日期的新闻,正文内容三,,新闻网\n,,2024-03-04,新闻网\n"


def test_news_without_a_date_or_title_is_counted_and_listed(tmp_path):
    """News rows without a publication date or a title were imported silently, and a row with neither title nor body
    was dropped as a 'duplicate'. As for other kinds' optional fields, such a row is kept — counted in the report
    (kept_without) and listed in the rejects file, with both languages — and a row with nothing to keep is rejected."""
    f = tmp_path / "news.csv"
    f.write_text(NEWS_ROWS, encoding="utf-8")
    db = tmp_path / "z.duckdb"
    rep = run_json("import", "news", f, "--rejects", tmp_path, db=db)
    assert (rep["rows_read"], rep["rows_imported"], rep["rows_duplicate"], rep["rows_rejected"]) == (4, 3, 0, 1)
    assert rep["kept_without"] == {"published_missing": 1, "title_missing": 1}
    rej = {(r["row"], r["code"]): r for r in csv.DictReader(open(rep["rejects_path"], encoding="utf-8-sig"))}
    assert set(rej) == {("3", "title_missing"), ("4", "published_missing"), ("5", "content_missing")}
    assert (rej["4", "published_missing"]["column"], rej["4", "published_missing"]["action"],
            rej["4", "published_missing"]["action_en"]) == ("发布时间", "已导入（缺此项）", "imported without it")
    assert rej["3", "title_missing"]["reason_en"] == "no title: imported, shown by the start of its body"
    assert rej["5", "content_missing"]["action_en"] == "rejected" and rej["5", "content_missing"]["reason"] == "标题、正文都为空"
    assert q(db, "SELECT count(*), count(published), count(title) FROM news") == [(3, 2, 2)]
    # the export writes an item's publication as the day it is, as the pages and /api give it (the CSV said
    # 2024-03-01 00:00:00, the JSON Lines 2024-03-01T00:00:00); an undated item's stays empty
    # (`zhaoshang export news` is this service call)
    from zhaoshang.core.store import Store
    from zhaoshang.services.datastore import export_kind

    with Store(str(db), read_only=True) as store:
        export_kind(store, "news", tmp_path / "n.csv")
        export_kind(store, "news", tmp_path / "n.jsonl")
    rows = list(csv.DictReader(open(tmp_path / "n.csv", encoding="utf-8-sig")))
    assert [r["published"] for r in rows] == ["2024-03-01", "2024-03-02", ""], rows
    lines = [json.loads(x) for x in (tmp_path / "n.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [x["published"] for x in lines] == ["2024-03-01", "2024-03-02", None], lines
    # the summary says it, in Chinese and in English
    p = run("import", "news", f, "--source", "zh", "--rejects", tmp_path, db=tmp_path / "zh.duckdb")
    assert "已导入、无发布日期" in p.stdout and "已导入、无标题" in p.stdout and "1 行已导入、无发布日期" in p.stderr
    p = run("--lang", "en", "import", "news", f, "--rejects", tmp_path, db=tmp_path / "en.duckdb")
    assert "imported without a publication date" in p.stdout and "1 row imported without a title" in p.stderr


def test_undated_news_events_are_dated_by_the_data_date_and_said_to_be(tmp_path):
    """An item without a publication date counts from its import's data date, and its events carry that date: the
    rejects file said "its events undated", and the timeline showed the data date as if the item were published
    then. The reason says which date they carry, and the timeline marks it as a stand-in (CLI and page)."""
    from web_util import local_client
    from zhaoshang.interfaces.web.app import create_app

    db = tmp_path / "z.duckdb"
    ents = tmp_path / "e.csv"
    ents.write_text("企业名称,成立日期,所在地\n杭州星河智能科技有限公司,2015-01-01,浙江杭州\n", encoding="utf-8")
    run_json("import", "enterprises", ents, "--data-date", "2019-06-30", db=db)
    f = tmp_path / "news.csv"
    f.write_text("标题,正文,发布时间,相关企业\n杭州星河智能科技有限公司获得新订单,正文,,杭州星河智能科技有限公司\n"
                 "杭州星河智能科技有限公司发布新品,正文,2019-03-01,杭州星河智能科技有限公司\n", encoding="utf-8")
    rep = run_json("import", "news", f, "--data-date", "2019-12-31", "--rejects", tmp_path, db=db)
    rej = [r for r in csv.DictReader(open(rep["rejects_path"], encoding="utf-8-sig")) if r["code"] == "published_missing"]
    assert [(r["reason"], r["reason_en"]) for r in rej] == [(
        "没有发布日期：已导入，其事件以本次导入的数据日期为日期",
        "no publication date: imported, its events dated by the import's data date")]
    assert sorted(q(db, "SELECT CAST(date AS VARCHAR) FROM events WHERE type = 'news'")) == [("2019-03-01",), ("2019-12-31",)]
    out = run("show", "杭州星河智能科技有限公司", db=db, env={"COLUMNS": "200"}).stdout
    assert "2019-12-31（数据日期）" in out and "2019-03-01（数据日期）" not in out, out
    out = run("--lang", "en", "show", "杭州星河智能科技有限公司", db=db, env={"COLUMNS": "200"}).stdout
    assert "2019-12-31 (data date)" in out, out
    client = local_client(create_app(str(db)))
    eid = q(db, "SELECT id FROM enterprises")[0][0]
    page = client.get(f"/enterprises/{eid}").text
    times = page[page.index('id="timeline"'):].split("</ol>")[0]
    assert times.count('class="muted stand-in"') == 1 and "2019-12-31 <small" in times, times
    doc = client.get(f"/api/enterprises/{eid}").json()
    assert [ev["date_stand_in"] for ev in doc["timeline"] if ev["type"] == "news"] == [True, False]


def test_news_file_without_a_title_column_is_said_once(tmp_path):
    """A flash feed has no title column: every row is kept without a title, counted, and said once in the rejects
    file — not a line for each of its rows."""
    f = tmp_path / "flash.csv"
    f.write_text("发布时间,正文\n" + "".join(f"2024-03-{d:02d},快讯内容第{d}条\n" for d in range(1, 8)), encoding="utf-8")
    rep = run_json("import", "news", f, "--rejects", tmp_path, db=tmp_path / "z.duckdb")
    assert (rep["rows_read"], rep["rows_imported"], rep["rows_rejected"]) == (7, 7, 0)
    assert rep["kept_without"] == {"title_missing": 7}
    rows = list(csv.DictReader(open(rep["rejects_path"], encoding="utf-8-sig")))
    assert [(r["row"], r["code"]) for r in rows] == [("", "title_missing")]
    assert "7" in rows[0]["reason"] and "no such column" in rows[0]["reason_en"]


def test_investors_with_types(tmp_path):
    src = shared_file("financing/crunchbase_odm_sample_2016/investors.csv")
    db = tmp_path / "z.duckdb"
    m = tmp_path / "m.yaml"
    m.write_text("kind: investors\ncolumns:\n  key: uuid\n  name: investor_name\n  type: investor_type\n"
                 "  country: country_code\n  region: city\n", encoding="utf-8")
    rep = run_json("import", "investors", src, "--mapping", m, db=db)
    assert rep["rows_imported"] == len(list(csv.DictReader(open(src, encoding="utf-8"))))
    assert q(db, "SELECT type FROM investors WHERE name = 'Sequoia Capital'") == [("VC",)]
    assert q(db, "SELECT count(*) FROM investors WHERE country = 'US' AND province_code IS NULL")[0][0] > 10


def test_listed_company_managers_as_roles(tmp_path):
    merged = shared_file("listed_companies/a_share_companies_merged.csv")
    managers = shared_file("listed_companies/tushare_stk_managers_sample_2024-05.csv")
    db = tmp_path / "z.duckdb"
    run_json("import", "enterprises", merged, "--preset", "a_share_merged", db=db)
    m = tmp_path / "m.yaml"
    m.write_text("kind: roles\nsource: a_share\ncolumns:\n  enterprise_key: ts_code\n  person: name\n  role: lev\n"
                 "  title: title\n  start: begin_date\n  end: end_date\n", encoding="utf-8")
    rep = run_json("import", "roles", managers, "--mapping", m, db=db)
    assert rep["rows_read"] == 4000 and rep["rows_rejected"] == 0
    linked, total = q(db, "SELECT count(enterprise_id), count(*) FROM roles")[0]
    listed = {r["ts_code"] for r in csv.DictReader(open(merged, encoding="utf-8"))}
    known = sum(1 for r in csv.DictReader(open(managers, encoding="utf-8")) if r["ts_code"] in listed)
    assert total == 4000 and linked == known  # ts_code links through the records of the same source; delisted stay unlinked
    assert q(db, "SELECT count(*) FROM roles WHERE title = '董事长' AND role <> 'chairman'")[0][0] == 0
    assert q(db, "SELECT count(*) FROM roles WHERE start_date IS NOT NULL")[0][0] > 3000


def test_shareholdings_branches_demands_contacts_with_chinese_headers(tmp_path):
    db = tmp_path / "z.duckdb"
    a, b = make_uscc(1, "330110"), make_uscc(2, "440305")
    run_json("import", "enterprises", write_csv(tmp_path / "e.csv", ["企业名称", "统一社会信用代码", "所属省份", "所属城市", "成立日期"],
                                                 [["杭州甲智能科技有限公司", a, "浙江", "杭州", "2018-03-01"],
                                                  ["深圳乙机器人有限公司", b, "广东", "深圳", "2016-07-15"]]), db=db)
    sh = run_json("import", "shareholdings", write_csv(
        tmp_path / "s.csv", ["企业名称", "股东", "股东类型", "持股比例", "认缴出资额", "出资日期"],
        [["杭州甲智能科技有限公司", "深圳乙机器人有限公司", "企业法人", "35.5%", "355万元", "2019-01-01"],
         ["杭州甲智能科技有限公司", "王小明", "自然人", "64.5%", "645万元", "2018-03-01"]]), db=db)
    assert sh["rows_imported"] == 2
    assert q(db, "SELECT holder_type, percent, amount_wan, holder_enterprise_id IS NOT NULL, holder_person_id IS NOT NULL "
                 "FROM shareholdings ORDER BY percent") == [("enterprise", 35.5, 355.0, True, False),
                                                            ("person", 64.5, 645.0, False, True)]
    br = run_json("import", "branches", write_csv(
        tmp_path / "b.csv", ["企业名称", "分支机构名称", "成立日期", "所在地"],
        [["深圳乙机器人有限公司", "深圳乙机器人有限公司成都分公司", "2023-05-06", "四川成都高新区"]]), db=db)
    assert br["rows_imported"] == 1
    assert q(db, "SELECT kind, province_code, city_code FROM branches") == [("branch", "510000", "510100")]
    # the branch is an enterprise too, and its opening is an event of the parent
    assert q(db, "SELECT count(*) FROM enterprises WHERE name = '深圳乙机器人有限公司成都分公司'")[0][0] == 1
    assert q(db, "SELECT count(*) FROM events e JOIN enterprises p ON p.id = e.enterprise_id "
                 "WHERE e.type = 'branch' AND p.uscc = ?", [b])[0][0] == 1
    dm = run_json("import", "demands", write_csv(
        tmp_path / "d.csv", ["需求名称", "需求描述", "需求单位", "所在地", "预算", "发布日期"],
        [["城市大脑视频分析", "对全市视频做事件识别", "杭州市数据资源管理局", "杭州市", "500万元", "2025-03-01"],
         ["质检视觉", "产线缺陷检测", "杭州丙制造有限公司", "杭州萧山", "面议", "2025-04-01"]]), db=db)
    assert dm["rows_imported"] == 2 and dm["rows_rejected"] == 0
    assert q(db, "SELECT demander_type, city_code, budget_wan FROM demands ORDER BY published") == [
        ("government", "330100", 500.0), ("enterprise", "330100", None)]
    ct = run_json("import", "contacts", write_csv(
        tmp_path / "c.csv", ["姓名", "单位", "职务", "关系"],
        [["李四", "杭州甲智能科技有限公司", "董事会秘书", "招商会结识"]]), db=db)
    assert ct["rows_imported"] == 1
    assert q(db, "SELECT e.name FROM contacts c JOIN enterprises e ON e.id = c.enterprise_id") == [("杭州甲智能科技有限公司",)]
    # exports of every kind open
    for kind in ("shareholdings", "branches", "demands", "contacts", "events"):
        out = tmp_path / f"{kind}.xlsx"
        run("export", kind, "-o", out, db=db)
        assert out.stat().st_size > 0


def test_a_subsidiary_is_a_subsidiary_event_not_an_investment(tmp_path):
    """A 子公司 row became an event of type investment (对外投资), though subsidiary is a documented event type (设立子公司)
    that an alert rule may name: each kind of branches row gives its own event — branch, subsidiary, investment."""
    db = tmp_path / "z.duckdb"
    a = make_uscc(3, "440305")
    run_json("import", "enterprises", write_csv(tmp_path / "e.csv", ["企业名称", "统一社会信用代码", "所属省份", "所属城市"],
                                                 [["深圳丙智能科技有限公司", a, "广东", "深圳"]]), db=db)
    run_json("import", "branches", write_csv(
        tmp_path / "b.csv", ["企业名称", "分支机构名称", "类型", "成立日期", "所在地"],
        [["深圳丙智能科技有限公司", "深圳丙智能科技有限公司成都分公司", "分支机构", "2023-05-06", "成都市"],
         ["深圳丙智能科技有限公司", "合肥丙智能科技有限公司", "子公司", "2023-06-01", "合肥市"],
         ["深圳丙智能科技有限公司", "武汉某某科技有限公司", "对外投资", "2023-07-01", "武汉市"]]), db=db)
    assert q(db, "SELECT type, title FROM events WHERE type IN ('branch', 'subsidiary', 'investment') ORDER BY date") == [
        ("branch", "设立分支机构: 深圳丙智能科技有限公司成都分公司"), ("subsidiary", "设立子公司: 合肥丙智能科技有限公司"),
        ("investment", "对外投资: 武汉某某科技有限公司")]


def test_a_funding_row_with_no_fact_is_no_round(tmp_path):
    """An export's placeholder row — date, round, amount and investors all "-" (IT桔子 lists a company without a
    known round so) — was imported as a round of type 其他 without a date. It is rejected, counted in the summary
    and listed in the rejects file; a row with any one of them is a round."""
    f = write_csv(tmp_path / "rounds.csv", ["company_seq", "brand_name", "legal_name", "location_raw", "date", "round",
                                            "amount_raw", "investors_raw"],
                  [["1", "甲科技", "深圳市甲科技有限公司", "广东-深圳", "2016-05-01", "A轮", "数千万人民币", "红杉资本中国"],
                   ["2", "乙科技", "深圳市乙科技有限公司", "广东-深圳", "-", "-", "-", "-"],
                   ["3", "丙科技", "深圳市丙科技有限公司", "广东-深圳", "-", "-", "-", "某某资本"]])
    db = tmp_path / "z.duckdb"
    rep = run_json("import", "fundings", f, "--preset", "itjuzi_financing", "--rejects", tmp_path, db=db)
    assert (rep["rows_read"], rep["rows_imported"], rep["rows_rejected"]) == (3, 2, 1)
    rej = list(csv.DictReader(open(rep["rejects_path"], encoding="utf-8-sig")))
    assert [(r["row"], r["code"], r["action_en"]) for r in rej] == [  # the rounds kept, of no known enterprise, named
        ("2", "unlinked", "imported, not linked to an enterprise"), ("3", "content_missing", "rejected"),
        ("4", "date_missing", "imported without it"),  # a round without a date: kept, said (trends leaves it out)
        ("4", "unlinked", "imported, not linked to an enterprise")]
    assert rej[1]["reason_en"] == "no date or round or amount or investors: not a funding round"
    assert q(db, "SELECT enterprise_name FROM fundings ORDER BY 1") == [("深圳市丙科技有限公司",), ("深圳市甲科技有限公司",)]
    p = run("import", "fundings", f, "--preset", "itjuzi_financing", "--rejects", tmp_path, db=tmp_path / "t.duckdb")
    assert "有 1 行被拒绝" in p.stdout + p.stderr


def test_a_placeholder_is_no_value_in_every_column(tmp_path):
    """An export's placeholder ("-", "——", "N/A", "NaN", 未知 …: docs/data-formats.md, "Cells that hold no value") was
    read by five lists that disagreed: "N/A" in a number column was refused as 不是数字 while an amount column read it
    as empty, and a text field holding "-" was stored as the text "-". Each reads as no value in a date, amount,
    number, text, round and list column; a real value in the same row is kept, and a name that is a placeholder is
    missing."""
    n = len(PLACEHOLDER_CELLS)
    names = [f"占位{i:02d}科技有限公司" for i in range(n)]
    f = write_csv(tmp_path / "ents.csv", ["企业名称", "成立日期", "注册资本", "纬度", "经度", "经营范围", "官网", "注册地址",
                                          "登记状态"],
                  [[nm, p, p, p, "120.5", p, p, p, "存续"] for nm, p in zip(names, PLACEHOLDER_CELLS)]
                  + [["实值科技有限公司", "2015-03-01", "500万元", "30.25", "120.5", "软件开发", "www.shizhi.cn",
                      "浙江省杭州市西湖区文三路1号", "存续"],
                     ["N/A", "2016-01-01", "100万元", "", "", "", "", "", ""]])
    db = tmp_path / "z.duckdb"
    rep = run_json("import", "enterprises", f, "--rejects", tmp_path, db=db)
    assert (rep["rows_read"], rep["rows_imported"], rep["rows_rejected"]) == (n + 2, n + 1, 1)
    rej = list(csv.DictReader(open(rep["rejects_path"], encoding="utf-8-sig")))
    assert [(r["row"], r["code"]) for r in rej] == [(str(n + 3), "required_missing")]
    rows = q(db, "SELECT name, founded, capital_wan, capital_text, lat, lng, scope, website, address, status "
                 "FROM enterprises ORDER BY name")
    assert rows[:n] == [(nm, None, None, None, None, 120.5, None, None, None, "存续") for nm in names]
    assert rows[n][1:] == (D(2015, 3, 1), 500.0, "500万元", 30.25, 120.5, "软件开发", "www.shizhi.cn",
                           "浙江省杭州市西湖区文三路1号", "存续")

    # fundings: a placeholder round, amount, USD amount or date is none (as an empty cell), a placeholder
    # investor is no investor; a row whose facts are all placeholders is no round
    f = write_csv(tmp_path / "rounds.csv", ["企业名称", "融资时间", "融资轮次", "融资金额", "amount_usd", "投资方"],
                  [[nm, "2020-01-02", p, p, p, f"红杉中国、{p}"] for nm, p in zip(names, PLACEHOLDER_CELLS)]
                  + [["实值科技有限公司", "N/A", "A轮", "1000万元", "—", "未知、高瓴资本"],
                     ["实值科技有限公司", "-", "未知", "不详", "NaN", "—"]])
    rep = run_json("import", "fundings", f, "--rejects", tmp_path, db=db)
    assert (rep["rows_read"], rep["rows_imported"], rep["rows_rejected"]) == (n + 2, n + 1, 1)
    rej = list(csv.DictReader(open(rep["rejects_path"], encoding="utf-8-sig")))
    # the real round whose date is a placeholder: kept undated, said
    assert [(r["row"], r["code"]) for r in rej] == [(str(n + 2), "date_missing"), (str(n + 3), "content_missing")]
    rows = q(db, "SELECT enterprise_name, date, round, round_raw, amount_wan, amount_text, "
                 "list(i.investor_name ORDER BY i.position) FROM fundings f "
                 "LEFT JOIN funding_investors i ON i.funding_id = f.id GROUP BY ALL ORDER BY 1")
    assert rows[:n] == [(nm, D(2020, 1, 2), None, None, None, None, ["红杉中国"]) for nm in names]
    assert rows[n] == ("实值科技有限公司", None, "a", "A轮", 1000.0, "1000万元", ["高瓴资本"])


def test_contacts_and_fundings_left_unlinked_are_named_in_the_rejects_file(tmp_path):
    """A contact (or a round) whose company is not in the database was counted (未关联到企业 1) and never named, the
    summary's 问题清单 '-': each is a line of the rejects file, by its row, with the company as written, imported."""
    db = tmp_path / "z.duckdb"
    run_json("import", "enterprises", write_csv(tmp_path / "e.csv", ["企业名称", "所在地"], [["阿尔法芯片有限公司", "浙江杭州"]]), db=db)
    for kind, header, rows in (
            ("contacts", ["姓名", "所在企业", "电话"], [["张三", "阿尔法芯片有限公司", "13800000000"],
                                                         ["李四", "不存在科技有限公司", "13900000000"]]),
            ("fundings", ["企业名称", "融资轮次", "融资金额", "融资日期"], [["阿尔法芯片有限公司", "A轮", "1000万元", "2024-01-02"],
                                                                          ["不存在科技有限公司", "B轮", "2000万元", "2024-02-03"]])):
        rep = run_json("import", kind, write_csv(tmp_path / f"{kind}.csv", header, rows), db=db)
        assert rep["rows_imported"] == 2 and rep["unlinked"] == 1 and rep["rejects_path"], rep
        with open(rep["rejects_path"], encoding="utf-8-sig", newline="") as fh:
            lines = list(csv.DictReader(fh))
        assert [(x["file"], x["row"], x["column"], x["value"], x["code"], x["action"], x["action_en"]) for x in lines] == [
            (f"{kind}.csv", "3", header[1] if kind == "contacts" else "企业名称", "不存在科技有限公司", "unlinked",
             "已导入（未关联到企业）", "imported, not linked to an enterprise")], lines
        assert lines[0]["reason"].startswith("库中没有这家企业") and lines[0]["reason_en"].startswith("no such enterprise")


BUREAU_DEMANDS = ["序号", "场景名称", "场景描述", "应用领域", "需求单位", "所在地区", "预算金额", "发布时间", "截止时间", "状态", "联系人"]


def test_a_bureaus_own_demand_list_keeps_its_region_description_and_open_deadlines(tmp_path):
    """A bureau's 需求清单 (GBK; 序号, 场景描述, 应用领域, 所在地区 …) lost its region and description (未读取的列:
    序号、场景描述、应用领域、所在地区), a row whose 截止时间 said 长期有效 was rejected as an unreadable date, a deadline of
    2026年3月 was 2026-03-01 (past a month early), and ``--preset scenario_demands`` refused the file for its 场景编号.
    Now the columns are read, 序号 is a row number no one is told about, an open-ended deadline is none, a month is its
    last day, and the preset skips the columns the file lacks, naming them."""
    f = tmp_path / "需求清单.csv"
    rows = [["1", "政务热线语音识别转写", "市民热线电话录音实时转写为文字", "智慧政务", "杭州市数据资源管理局", "浙江省杭州市", "200",
             "2026-01-05", "长期有效", "征集中", "王工"],
            ["2", "港口集装箱识别", "港口闸口集装箱号自动识别", "智慧港口", "宁波舟山港集团", "浙江省宁波市", "500",
             "2026-02-01", "2026年3月", "征集中", "李工"],
            ["3", "城市大脑视频分析", "对全市视频做事件识别", "城市治理", "温州市大数据发展管理局", "浙江省温州市", "300",
             "2026-02-10", "不限", "征集中", "赵工"]]
    with open(f, "w", encoding="gbk", newline="") as fh:
        csv.writer(fh).writerows([BUREAU_DEMANDS, *rows])
    db = tmp_path / "plain.duckdb"
    p = run("import", "demands", f, "--data-date", "2026-03-15", "--format", "json", db=db)
    import json

    rep = json.loads(p.stdout)
    assert (rep["rows_imported"], rep["rows_rejected"], rep["columns_unread"]) == (3, 0, []), rep
    assert "未读取的列" not in p.stderr and "序号" not in p.stderr, p.stderr
    assert {k: rep["columns"][k] for k in ("description", "category", "region")} == {
        "description": "场景描述", "category": "应用领域", "region": "所在地区"}
    stored = q(db, "SELECT title, description, category, city_code, deadline FROM demands ORDER BY published")
    assert stored == [("政务热线语音识别转写", "市民热线电话录音实时转写为文字", "智慧政务", "330100", None),
                      ("港口集装箱识别", "港口闸口集装箱号自动识别", "智慧港口", "330200", D(2026, 3, 31)),
                      ("城市大脑视频分析", "对全市视频做事件识别", "城市治理", "330300", None)]
    # the 2026年3月 demand is due by 2026-03-31, judged today as every deadline (matching.profiles.judged_on), and the
    # city's list has its demand; the open-ended deadlines are kept as such (长期有效, 不限), not as none given
    from zhaoshang.core.parse.dates import china_today

    port = run_json("match", "demands", "--region", "宁波市", db=db)["items"]
    past = china_today() > D(2026, 3, 31)
    assert [(d["title"], d["open"], d["expired"]) for d in port] == [("港口集装箱识别", not past, past)], port
    assert q(db, "SELECT deadline_open FROM demands ORDER BY published") == [(True,), (False,), (True,)]
    # the preset: 场景编号, 场景提供方, 投资规模（万元）, 对接状态 absent — skipped and named, the file imported as plainly
    db2 = tmp_path / "preset.duckdb"
    p = run("import", "demands", f, "--preset", "scenario_demands", "--data-date", "2026-03-15", "--format", "json", db=db2)
    rep = json.loads(p.stdout)
    assert rep["columns_absent"] == ["场景编号", "场景提供方", "投资规模（万元）", "对接状态"] and rep["rows_imported"] == 3
    assert "注意：预设 scenario_demands 的列在文件中不存在，已跳过: 场景编号、场景提供方、投资规模（万元）、对接状态" in p.stderr
    assert q(db2, "SELECT title, description, category, city_code, deadline FROM demands ORDER BY published") == stored
    assert q(db2, "SELECT organisation, budget_wan, status FROM demands ORDER BY published") == \
        q(db, "SELECT organisation, budget_wan, status FROM demands ORDER BY published")
    p = run("--lang", "en", "import", "demands", f, "--preset", "scenario_demands", "--source", "again", db=db2)
    assert "note: columns of the preset scenario_demands not in the file, skipped: 场景编号, 场景提供方" in p.stderr


def test_a_branch_lists_region_headed_suozaidiqu_is_read(tmp_path):
    """``import branches`` knew 所在地 and 地区 only: a list headed 所在地区 (as enterprises' lists are) left its branches
    without a region."""
    db = tmp_path / "z.duckdb"
    a = make_uscc(5, "440305")
    run_json("import", "enterprises", write_csv(tmp_path / "e.csv", ["企业名称", "统一社会信用代码", "所属省份", "所属城市"],
                                                 [["深圳丁智能科技有限公司", a, "广东", "深圳"]]), db=db)
    rep = run_json("import", "branches", write_csv(
        tmp_path / "b.csv", ["企业名称", "分支机构名称", "成立日期", "所在地区"],
        [["深圳丁智能科技有限公司", "深圳丁智能科技有限公司成都分公司", "2023-05-06", "四川省成都市"]]), db=db)
    assert rep["columns"]["region"] == "所在地区" and rep["columns_unread"] == []
    assert q(db, "SELECT province_code, city_code FROM branches") == [("510000", "510100")]


def test_a_demand_whose_deadline_is_before_its_publication_is_imported_and_said(tmp_path):
    """A demand whose 截止时间 is before its 发布时间 was imported without a word and read as past its deadline: it is
    still imported (nothing lost), counted in the report and named in the rejects file, both dates, zh and en."""
    rows = [["语音识别转写", "2026-02-01", "2026-01-10"], ["港口集装箱识别", "2026-02-01", "2026年3月"],
            ["城市大脑视频分析", "2026-02-10", "2026年1月"], ["政务热线", "2026-02-10", "长期有效"]]
    f = write_csv(tmp_path / "d.csv", ["需求名称", "发布时间", "截止时间"], rows)
    db = tmp_path / "z.duckdb"
    rep = run_json("import", "demands", f, "--rejects", tmp_path, db=db)
    assert (rep["rows_imported"], rep["rows_rejected"], rep["deadline_before_published"]) == (4, 0, 2), rep
    assert q(db, "SELECT count(*) FROM demands") == [(4,)]
    with open(rep["rejects_path"], encoding="utf-8-sig", newline="") as fh:
        lines = list(csv.DictReader(fh))
    assert [(x["row"], x["column"], x["value"], x["code"], x["action"], x["action_en"]) for x in lines] == [
        ("2", "截止时间", "2026-01-10", "deadline_before_published", "已导入（请核对）", "imported, to review"),
        ("4", "截止时间", "2026年1月", "deadline_before_published", "已导入（请核对）", "imported, to review")], lines
    assert lines[1]["reason"] == "截止时间 2026-01-31 早于发布时间 2026-02-10（读作已过截止）：已导入，请核对"
    assert lines[1]["reason_en"] == ("deadline 2026-01-31 before the publication date 2026-02-10 (reads as past its "
                                     "deadline): imported; to review")
    p = run("import", "demands", f, "--rejects", tmp_path, db=tmp_path / "zh.duckdb", env={"COLUMNS": "200"})
    assert "截止时间早于发布时间（已导入，请核对）" in p.stdout and "注意：2 条需求的截止时间早于发布时间" in p.stderr
    p = run("--lang", "en", "import", "demands", f, "--rejects", tmp_path, db=tmp_path / "en.duckdb", env={"COLUMNS": "200"})
    assert "deadline before the publication date (imported, to review)" in p.stdout
    assert "note: 2 demands with a deadline before the publication date" in p.stderr


def test_a_demand_list_imported_again_updates_the_demands_it_changed(tmp_path):
    """A bureau imports its 需求清单 again a month later: one demand moved from 征集中 to 已对接 with a later deadline, one
    is unchanged. The changed one was counted a duplicate and kept its old status and deadline (the city's list and
    matching showed it open); it is updated now and counted so, the unchanged one stays a duplicate, and a later file
    without a 状态 column, or with a blank cell, erases nothing."""
    head = ["场景编号", "场景名称", "场景描述", "所在地区", "截止时间", "状态"]
    first, second, third = (tmp_path / f"{n}.csv" for n in ("first", "second", "third"))
    write_csv(first, head, [["XQ-001", "港口巡检机器人", "码头设备巡检", "浙江省宁波市", "2027年3月", "征集中"],
                            ["XQ-002", "政务热线转写", "热线录音转写", "杭州市", "2027-06-30", "征集中"]])
    write_csv(second, head, [["XQ-001", "港口巡检机器人", "码头设备巡检", "浙江省宁波市", "2027年6月", "已对接"],
                             ["XQ-002", "政务热线转写", "热线录音转写", "杭州市", "2027-06-30", "征集中"]])
    write_csv(third, ["场景编号", "场景名称", "场景描述", "截止时间"],
              [["XQ-001", "港口巡检机器人", "码头设备与岸桥巡检", ""]])
    db = tmp_path / "z.duckdb"
    one = run_json("import", "demands", first, "--source", "局清单", db=db)
    assert (one["rows_imported"], one["rows_updated"]) == (2, 0), one
    again = run_json("import", "demands", second, "--source", "局清单", db=db)
    assert (again["rows_imported"], again["rows_updated"], again["rows_duplicate"]) == (0, 1, 1), again
    assert q(db, "SELECT source_key, status, deadline, city_code FROM demands ORDER BY source_key") == [
        ("XQ-001", "已对接", D(2027, 6, 30), "330200"), ("XQ-002", "征集中", D(2027, 6, 30), "330100")]
    last = run_json("import", "demands", third, "--source", "局清单", db=db)
    assert (last["rows_imported"], last["rows_updated"], last["rows_duplicate"]) == (0, 1, 0), last
    assert q(db, "SELECT description, status, deadline, city_code FROM demands WHERE source_key = 'XQ-001'") == [
        ("码头设备与岸桥巡检", "已对接", D(2027, 6, 30), "330200")]  # only the description changed
    assert q(db, "SELECT count(*) FROM demands") == [(2,)]


def test_next_months_demand_list_under_a_new_file_name_is_not_a_second_list(tmp_path):
    """需求清单_2026-11.csv imported without --source became a source of its own beside 需求清单_2026-10: the demands
    both months list were listed twice and the October ones never took November's status. Refused now, nothing
    written, with the count and the --source that updates them; a list that shares only bare keys (another bureau's
    S001) is its own, and a source named on purpose stands."""
    head = ["场景编号", "场景名称", "需求单位", "所在地区", "截止时间", "状态"]
    october, november, other = tmp_path / "需求清单_2026-10.csv", tmp_path / "需求清单_2026-11.csv", tmp_path / "县清单.csv"
    write_csv(october, head, [["S001", "港口巡检机器人", "宁波港务局", "浙江省宁波市", "2027年3月", "征集中"],
                              ["S002", "政务热线转写", "杭州市数据局", "杭州市", "2027-06-30", "征集中"],
                              ["S003", "医院智能导诊", "杭州市卫健委", "杭州市", "2027-06-30", "征集中"]])
    write_csv(november, head, [["S001", "港口巡检机器人", "宁波港务局", "浙江省宁波市", "2027年6月", "已对接"],
                               ["S002", "政务热线转写", "杭州市数据局", "杭州市", "2027-06-30", "征集中"],
                               ["S004", "园区无人配送", "萧山经开区管委会", "杭州市", "2027-09-30", "征集中"]])
    write_csv(other, head, [["S001", "茶园病虫害识别", "安吉县农业局", "湖州市", "2027-06-30", "征集中"],
                            ["S002", "乡村客运调度", "安吉县交通局", "湖州市", "2027-06-30", "征集中"]])
    db = tmp_path / "z.duckdb"
    assert run_json("import", "demands", october, db=db)["rows_imported"] == 3
    for lang, words in (("zh", "来源名 需求清单_2026-11 取自文件名，是新来源；本文件 3 条需求中 2 条已在来源 需求清单_2026-10 中"),
                        ("en", "2 of this file's 3 demands are already in the source 需求清单_2026-10")):
        p = run("--lang", lang, "import", "demands", november, db=db, check=False)
        assert p.returncode == 2 and words in p.stderr and "--source 需求清单_2026-10" in p.stderr, p.stderr
    assert q(db, "SELECT count(*), count(DISTINCT source) FROM demands") == [(3, 1)]
    assert q(db, "SELECT count(*) FROM imports WHERE kind = 'demands'") == [(1,)]
    # the --source it names updates October's demands and adds the new one
    rep = run_json("import", "demands", november, "--source", "需求清单_2026-10", db=db)
    assert (rep["rows_imported"], rep["rows_updated"], rep["rows_duplicate"]) == (1, 1, 1), rep
    assert q(db, "SELECT source_key, status FROM demands ORDER BY source_key") == [
        ("S001", "已对接"), ("S002", "征集中"), ("S003", "征集中"), ("S004", "征集中")]
    # another bureau's list numbered alike is a list of its own; a new source named on purpose stands
    assert run_json("import", "demands", other, db=db)["rows_imported"] == 2
    assert run_json("import", "demands", november, "--source", "区县汇总", db=db)["rows_imported"] == 3



@pytest.fixture(scope="module")
def demand_list(tmp_path_factory):
    """A 需求清单 imported (Chinese summary) and imported again in English (JSON): its report, its rejects lines."""
    d = tmp_path_factory.mktemp("demand_list")
    f = write_csv(d / "需求清单.csv", ["需求名称", "需求单位", "所在地", "预算", "发布日期", "截止日期", "联系人"],
                  [["城市视频分析", "杭州市数据资源管理局", "火星市", "500万元", "2025-03-01", "2025-06-01",
                    "王主任 13912345678 wang@hz.gov.cn"],
                   ["产线质检", "杭州丁制造有限公司", "火星市", "abc", "2025-04-01", "2025-01-01", ""],
                   ["园区巡检", "杭州戊有限公司", "杭州市", "80", "2025-04-01", "2025-09-01", ""]])
    zh = run("import", "demands", f, "--rejects", d, db=d / "z.duckdb")
    rep = run_json("--lang", "en", "import", "demands", f, "--rejects", d / "en", db=d / "en.duckdb")
    with open(rep["rejects_path"], encoding="utf-8-sig") as fh:
        lines = [(r["row"], r["column"], r["code"], r["action_en"], r["reason_en"]) for r in csv.DictReader(fh)]
    return {"db": d / "z.duckdb", "zh": zh, "rep": rep, "lines": lines}


def test_a_demand_whose_region_is_not_found_is_kept_without_it_and_said(demand_list):
    """A demand whose 所在地 names no region (火星市) was stored without one and without a word (拒绝 0, nothing in the
    rejects file): kept without a region, as the rule of the region columns is, a line in the rejects file
    (``region_unknown``, 已导入（缺此项）) and counted in the summary, Chinese and English."""
    rep, lines = demand_list["rep"], demand_list["lines"]
    assert "1 行已导入、无地区（未找到地区）" in demand_list["zh"].stderr, demand_list["zh"].stderr
    assert rep["kept_without"] == {"region_unknown": 1} and rep["rows_imported"] == 2, rep
    assert ("2", "所在地", "region_unknown", "imported without it",
            "region not found: 火星市: imported without a region") in lines, lines
    assert q(demand_list["db"], "SELECT province_code, city_code, country FROM demands WHERE title = '城市视频分析'") == [
        (None, None, None)]


def test_a_demand_rows_every_problem_is_listed(demand_list):
    """A row with an unreadable budget, a place no region is found for and a deadline before its publication date
    reported the budget alone: the rejects file lists all three, the row rejected once."""
    assert demand_list["rep"]["rows_rejected"] == 1
    assert [x for x in demand_list["lines"] if x[0] == "3"] == [
        ("3", "预算", "amount_unreadable", "rejected", "unreadable amount: not an amount: abc"),
        ("3", "所在地", "region_unknown", "rejected", "region not found: 火星市"),
        ("3", "截止日期", "deadline_before_published", "rejected",
         "deadline 2025-01-01 before the publication date 2025-04-01")], demand_list["lines"]


def test_a_bare_small_budget_is_read_in_yuan_and_flagged(demand_list):
    """预算 80, with no unit in the cell or its header, was read as 80 元 (0.008 万元) without a word: read so still
    (the amount rule), flagged for the unit to be checked (``amount_no_unit``) and counted in the summary."""
    assert ("4", "预算", "amount_no_unit", "imported, to review", "no unit: read as CNY 80: imported; to review") \
        in demand_list["lines"], demand_list["lines"]
    assert demand_list["rep"]["amounts_no_unit"] == 1
    assert "1 个金额是不足 1,000 的数字、列名未给单位，已按元读取" in demand_list["zh"].stderr
    assert q(demand_list["db"], "SELECT budget_wan FROM demands WHERE title = '园区巡检'") == [(0.008,)]
    # a unit in the cell says it: nothing flagged (500万元 above)
    assert sum(x[2] == "amount_no_unit" for x in demand_list["lines"]) == 1


def test_match_demands_shows_a_demands_contact(demand_list):
    """A demand's 联系人 was imported but shown nowhere: ``match demands`` gives it, in its JSON and its table."""
    db = demand_list["db"]
    doc = run_json("match", "demands", db=db)
    assert {d["title"]: d["contact"] for d in doc["items"]} == {"城市视频分析": "王主任 13912345678 wang@hz.gov.cn",
                                                               "园区巡检": None}
    assert "王主任 13912345678 wang@hz.gov.cn" in run("match", "demands", db=db, env={"COLUMNS": "200"}).stdout
