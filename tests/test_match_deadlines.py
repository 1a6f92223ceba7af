"""A bureau's scenario list (需求清单: 场景编号, 场景名称, 发布单位, 发布时间, 截止时间, 所在地区, 场景描述, no 状态) as the
demand list, ``match enterprise``, the API, the page and the export read it: deadlines judged today (not on the
enterprises' data date), each demand by its own number (场景编号), an open-ended deadline (长期有效) shown as one."""

from __future__ import annotations

import csv
import io
import re
import shutil

import pytest

from cli_util import run, run_json
from test_matching import _write
from zhaoshang.core.importers import import_files
from zhaoshang.core.parse.dates import china_today
from zhaoshang.core.store import Store

SPEECH = "杭州云语智能科技有限公司"
HEADER = ["场景编号", "场景名称", "发布单位", "发布时间", "截止时间", "所在地区", "场景描述"]
SCENARIOS = [  # published before the enterprises' data date (2024-06-30); none with a status
    ("HZ-2026-001", "政务热线语音识别转写", "杭州市数据资源管理局", "2024-05-01", "2025-03-31", "浙江省杭州市",
     "市民热线电话录音需要实时转写为文字，要求中文语音识别准确率高。"),  # after the data date, before today
    ("HZ-2026-002", "热线电话录音语音识别", "杭州市人民政府办公厅", "2024-05-01", "长期有效", "浙江省杭州市",
     "政务热线电话录音的语音识别与转写，长期征集。"),
    ("HZ-2026-003", "医学影像辅助诊断", "杭州市卫生健康委员会", "2024-06-01", "2023-12-31", "浙江省杭州市",
     "医学影像辅助诊断算法在社区医院的应用。"),  # deadline before its publication
    ("HZ-2026-004", "城市交通信号优化", "杭州市公安局交通警察支队", "2024-05-01", "2099-12-31", "浙江省杭州市",
     "城市路口交通信号配时优化算法。"),
]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    """A speech company founded on 2024-06-30 (the enterprises' data date) and the scenario list, imported by the
    real command with its preset."""
    d = tmp_path_factory.mktemp("deadlines")
    path, ents, scen = d / "m.duckdb", d / "ents.csv", d / "scenarios.csv"
    _write(ents, ["企业名称", "所在地", "登记状态", "成立日期", "经营范围", "公司简介"],
           [(SPEECH, "浙江省杭州市滨江区", "存续", "2024-06-30", "人工智能基础软件开发；语音技术服务",
             "提供语音识别、语音合成与智能外呼，服务政务热线的电话录音转写。")])
    _write(scen, HEADER, SCENARIOS)
    with Store(path) as store:
        import_files(store, "enterprises", [ents], source="test")
    res = run_json("import", "demands", scen, "--preset", "scenario_demands", db=path)
    assert res["rows_imported"] == 4 and res["deadline_before_published"] == 1, res
    return path


def test_deadlines_are_judged_today_on_the_cli_and_match_enterprise(db):
    """The list's 2025-03-31 deadline read as open (not expired) because openness was judged on the enterprises' date
    (2024-06-30); a demand without a status past its deadline read status None, open and expired both false. Judged
    today, each past deadline is 已过截止 and not open, the deadline before its publication says so, an open-ended one
    (长期有效) is open and shown as such; match enterprise offers only the open ones."""
    doc = run_json("match", "demands", "--region", "杭州市", db=db)
    assert doc["judged_on"] == china_today().isoformat()
    got = {d["ref"]: (d["own_key"], d["status"], d["open"], d["expired"], d["deadline_open"],
                      d["deadline_before_published"]) for d in doc["items"]}
    assert got == {"HZ-2026-001": ("HZ-2026-001", None, False, True, False, False),
                   "HZ-2026-002": ("HZ-2026-002", None, True, False, True, False),
                   "HZ-2026-003": ("HZ-2026-003", None, False, True, False, True),
                   "HZ-2026-004": ("HZ-2026-004", None, True, False, False, False)}, got
    assert [d["ref"] for d in run_json("match", "demands", "--open", db=db)["items"]] == ["HZ-2026-002", "HZ-2026-004"]
    # the table: the list's own numbers, never the internal ids; past deadlines and the open-ended one in words
    rows = list(csv.DictReader(io.StringIO(run("match", "demands", "--format", "csv", db=db).stdout)))
    shown = {r["ref"]: (r["status"], r["deadline"]) for r in rows}
    assert shown == {"HZ-2026-001": ("已过截止", "2025-03-31"), "HZ-2026-002": ("", "长期有效"),
                     "HZ-2026-003": ("已过截止，截止早于发布", "2023-12-31"), "HZ-2026-004": ("", "2099-12-31")}, shown
    en = list(csv.DictReader(io.StringIO(run("--lang", "en", "match", "demands", "--format", "csv", db=db).stdout)))
    assert {r["ref"]: r["deadline"] for r in en}["HZ-2026-002"] == "open-ended"
    assert {r["ref"]: r["status"] for r in en}["HZ-2026-003"] == "past deadline, set before publication"
    table = run("match", "demands", db=db, env={"COLUMNS": "220"}).stdout
    assert "HZ-2026-001" in table and f"截止按 {china_today().isoformat()} 判断" in table, table
    # the speech company is offered the open-ended hotline demand, not the one whose deadline has passed
    rev = run_json("match", "enterprise", SPEECH, db=db)
    assert [(r["ref"], r["deadline_open"]) for r in rev["results"]] == [("HZ-2026-002", True)], rev["results"]
    every = run("match", "enterprise", SPEECH, "--all-status", "--format", "csv", db=db).stdout
    # the one rule from the enterprise's side too: the demand past its deadline is said so beside its (absent) status
    assert {r["demand_id"]: r["status"] for r in csv.DictReader(io.StringIO(every))} == {
        "HZ-2026-001": "已过截止", "HZ-2026-002": ""}, every
    every = run_json("match", "enterprise", SPEECH, "--all-status", db=db)["results"]
    assert {r["ref"]: (r["open"], r["expired"]) for r in every} == {"HZ-2026-001": (False, True),
                                                                    "HZ-2026-002": (True, False)}, every
    one = run_json("match", "demand", "HZ-2026-002", db=db)["demand"]
    assert (one["ref"], one["deadline"], one["deadline_open"]) == ("HZ-2026-002", None, True)
    # as of a date (--as-of, the one date parser): judged on that day, as a lead of that day counts the demands
    then = run_json("match", "demands", "--region", "杭州市", "--as-of", "2024/6/30", db=db)
    assert (then["judged_on"], then["as_of"]) == ("2024-06-30", "2024-06-30")
    assert {d["ref"]: (d["open"], d["expired"]) for d in then["items"]} == {
        "HZ-2026-001": (True, False), "HZ-2026-002": (True, False), "HZ-2026-003": (False, True),
        "HZ-2026-004": (True, False)}, then["items"]
    # a demand published after the day asked for did not exist yet: left out of the list, with how many and why
    early = run_json("match", "demands", "--region", "杭州市", "--as-of", "2024-05-15", db=db)
    assert sorted(d["ref"] for d in early["items"]) == ["HZ-2026-001", "HZ-2026-002", "HZ-2026-004"], early["items"]
    assert (early["total"], early["published_later"], then["published_later"]) == (3, 1, 0)
    shut = run_json("match", "demands", "--open", "--as-of", "2024-05-15", db=db)  # the open ones of that day alike
    assert (sorted(d["ref"] for d in shut["items"]), shut["published_later"]) == (["HZ-2026-001", "HZ-2026-002", "HZ-2026-004"], 1)
    said = run("match", "demands", "--as-of", "2024-05-15", db=db, env={"COLUMNS": "220"})
    assert "另有 1 条需求在 2024-05-15 之后发布" in said.stdout + said.stderr and "HZ-2026-003" not in said.stdout
    rev = run_json("match", "enterprise", SPEECH, "--as-of", "2024-06-30", db=db)
    assert sorted(r["ref"] for r in rev["results"]) == ["HZ-2026-001", "HZ-2026-002"] and rev["as_of"] == "2024-06-30"
    one = run_json("match", "demand", "HZ-2026-001", "--as-of", "2024-06-30", db=db)
    assert (one["demand"]["open"], one["demand"]["expired"], one["judged_on"]) == (True, False, "2024-06-30")
    # both sides on the one date (core.asof): the speech company, founded on 2024-06-30, is offered for the hotline
    # demand as of that day, not as of the day before, when it did not exist yet (it was offered then too)
    before = run_json("match", "demand", "HZ-2026-002", "--as-of", "2024-06-29", db=db)
    assert before["demand"]["open"] and before["results"] == [], before
    assert SPEECH in [r["name"] for r in one["results"]]
    assert (one["enterprises_on"], before["enterprises_on"]) == ("2024-06-30", "2024-06-29")
    gone = run("match", "enterprise", SPEECH, "--as-of", "2024-06-29", db=db, check=False)
    assert gone.returncode != 0 and "2024-06-29" in gone.stderr, gone.stderr


def test_the_api_page_and_export_show_the_own_numbers_and_deadlines(db):
    """The JSON twin, the /match page (its HTML) and the list's export read as the CLI does: 场景编号 in the 编号
    column and the export, 已过截止 chips on both past deadlines (one set before publication), 长期有效 in the
    deadline column, and the day deadlines are judged on said on the page."""
    import warnings

    warnings.filterwarnings("ignore", category=DeprecationWarning)
    from web_util import local_client

    from zhaoshang.interfaces.web.app import create_app

    c = local_client(create_app(str(db)))
    items = c.get("/api/match/demands", params={"region": "330100"}).json()["items"]
    assert {d["ref"]: (d["open"], d["expired"]) for d in items} == {
        "HZ-2026-001": (False, True), "HZ-2026-002": (True, False), "HZ-2026-003": (False, True),
        "HZ-2026-004": (True, False)}
    page = c.get("/match", params={"region": "杭州市"}).text
    refs = re.findall(r'<tr data-id="\d+"><td class="nowrap mt-ref">([^<]+)</td>', page)
    assert sorted(refs) == ["HZ-2026-001", "HZ-2026-002", "HZ-2026-003", "HZ-2026-004"], refs
    assert page.count('class="chip mt-expired"') == 2 and "已过截止，截止早于发布" in page
    assert '<td class="date">长期有效</td>' in page and f"是否已过截止按今天（{china_today().isoformat()}）判断" in page
    en = c.get("/match", params={"region": "杭州市", "lang": "en"}).text
    assert '<td class="date">open-ended</td>' in en and "past deadline, set before publication" in en
    body = c.get("/api/match/demands/export", params={"format": "csv", "lang": "zh"}).content.decode("utf-8-sig")
    rows = {r["编号"]: r for r in csv.DictReader(io.StringIO(body))}
    assert set(rows) == {"HZ-2026-001", "HZ-2026-002", "HZ-2026-003", "HZ-2026-004"}, body
    assert rows["HZ-2026-002"]["截止日期"] == "长期有效" and rows["HZ-2026-001"]["截止情况"] == "已过截止"
    facts = c.get("/match/demand/HZ-2026-002", params={"lang": "zh"}).text
    assert "截止 长期有效" in facts and 'id="mt-ref">HZ-2026-002<' in facts
    # from the enterprise's side (含已过截止): the JSON, the page's chip and the export say which is past its deadline
    got = c.get(f"/api/match/enterprise/{SPEECH}", params={"all_status": "true"}).json()["results"]
    assert {r["ref"]: (r["open"], r["expired"]) for r in got} == {"HZ-2026-001": (False, True),
                                                                  "HZ-2026-002": (True, False)}, got
    mine = c.get(f"/match/enterprise/{SPEECH}", params={"all_status": "true", "lang": "zh"}).text
    chips = {re.search(r'">([^<]+)</a>', row).group(1): re.findall(r'class="chip mt-expired"[^>]*>([^<]+)<', row)
             for row in re.findall(r'<tr data-id="\d+">(.*?)</tr>', mine, re.S)}
    assert chips == {"政务热线语音识别转写": ["已过截止"], "热线电话录音语音识别": []}, chips
    body = c.get(f"/api/match/enterprise/{SPEECH}/export",
                 params={"format": "csv", "all_status": "true", "lang": "zh"}).content.decode("utf-8-sig")
    assert {r["需求编号"]: r["截止情况"] for r in csv.DictReader(io.StringIO(body))} == {
        "HZ-2026-001": "已过截止", "HZ-2026-002": ""}, body
    # as of a date: the JSON, the pages (their header, their words, every link to a matching page and the exports
    # carrying the date) and the export judge openness on that day, not today
    day = {"as_of": "2024-06-30"}
    then = c.get("/api/match/demands", params={"region": "330100", **day}).json()
    assert then["judged_on"] == "2024-06-30" and {d["ref"]: d["expired"] for d in then["items"]}["HZ-2026-001"] is False
    early = c.get("/match", params={"as_of": "2024-05-15", "lang": "en"}).text  # HZ-2026-003 not published yet
    assert "HZ-2026-003" not in early and "1 demand published after 2024-05-15 left out" in early, early
    page = c.get("/match", params={"region": "杭州市", "as_of": "2024/6/30", "lang": "zh"}).text
    assert "是否已过截止按 2024-06-30 判断" in page and 'id="as-of">2024-06-30<' in page, page
    assert page.count('class="chip mt-expired"') == 1  # HZ-2026-003's, set before its publication
    links = re.findall(r'href="(/match/demand/[^"]+)"', page)
    assert len(links) == 4 and all(h.endswith("?as_of=2024-06-30") for h in links), links
    hz1 = c.get("/match/demand/HZ-2026-001", params={**day, "lang": "zh"}).text
    assert '<p class="muted" id="demand-judged">按 2024-06-30 判断：<b>开放</b>' in hz1 and "mt-expired" not in hz1
    assert "企业按截至 2024-06-30 的数据" in hz1  # both sides on the one date, said on the page
    assert "as_of=2024-06-30" in re.search(r'id="mt-export-csv" href="([^"]+)"', hz1).group(1)
    assert 'name="as_of" id="f-asof" value="2024-06-30"' in hz1  # the form keeps the date
    now = c.get("/match/demand/HZ-2026-001", params={"lang": "zh"}).text
    assert "判断：<b>不开放</b>" in now and "mt-expired" in now and "状态为今天" in now
    assert "企业按截至 2024-06-30 的数据" in now  # the enterprises' side on the data's latest date, not today
    assert {r["ref"] for r in c.get(f"/api/match/enterprise/{SPEECH}", params=day).json()["results"]} == {
        "HZ-2026-001", "HZ-2026-002"}  # the demand past its deadline today was open then
    mine = c.get(f"/match/enterprise/{SPEECH}", params={**day, "lang": "en"}).text
    assert "open and past deadline judged as of 2024-06-30" in mine and "enterprises as of 2024-06-30" in mine
    assert all(h.endswith("as_of=2024-06-30") for h in re.findall(r'href="(/match/demand/[^"]+)"', mine))
    body = c.get(f"/api/match/enterprise/{SPEECH}/export",
                 params={"format": "csv", "all_status": "true", "lang": "zh", **day}).content.decode("utf-8-sig")
    assert {r["需求编号"]: r["截止情况"] for r in csv.DictReader(io.StringIO(body))}["HZ-2026-001"] == "", body
    # the profile's link to its demands keeps the profile's date
    eid = c.get(f"/api/match/enterprise/{SPEECH}").json()["enterprise"]["id"]
    prof = c.get(f"/enterprises/{eid}", params=day).text
    assert f'id="match-link"><a href="/match/enterprise/{eid}?as_of=2024-06-30"' in prof
    assert c.get("/match/demand/HZ-2026-001", params={"as_of": "2024-13-45"}).status_code == 400  # beside its box


def test_a_new_export_makes_a_deadline_open_ended_and_an_older_database_shows_its_numbers(db, tmp_path):
    """A later export of the list saying 长期有效 where it had a date left the old date (an open-ended cell read as
    empty): it now updates the demand. A database made before the demands kept their own numbers shows the list's
    key (its source key) once opened, a key made for a row without one (its md5) never."""
    path = shutil.copy(db, tmp_path / "m.duckdb")
    again = tmp_path / "scenarios-2.csv"
    _write(again, HEADER, [(*SCENARIOS[0][:4], "长期有效", *SCENARIOS[0][5:])])
    res = run_json("import", "demands", again, "--preset", "scenario_demands", db=path)
    assert res["rows_updated"] == 1, res
    d = {x["ref"]: x for x in run_json("match", "demands", db=path)["items"]}["HZ-2026-001"]
    assert (d["deadline"], d["deadline_open"], d["open"], d["expired"]) == (None, True, True, False)
    nokey = tmp_path / "nokey.csv"
    _write(nokey, HEADER[1:], [SCENARIOS[3][1:]])
    run_json("import", "demands", nokey, "--source", "nokey", db=path)
    with Store(str(path)) as s:  # as an earlier version left it
        s.con.execute("ALTER TABLE demands DROP COLUMN own_key")
        s.con.execute("ALTER TABLE demands DROP COLUMN deadline_open")
        s.con.execute("DELETE FROM meta WHERE key = 'demand_keys'")
        nid = s.con.execute("SELECT id FROM demands WHERE source = 'nokey'").fetchone()[0]
    refs = sorted(d["ref"] for d in run_json("match", "demands", db=path)["items"])
    assert refs == sorted([f"#{nid}", "HZ-2026-001", "HZ-2026-002", "HZ-2026-003", "HZ-2026-004"]), refs


@pytest.mark.browser
def test_the_demand_list_in_the_browser(db, chromium):
    """The /match page in a browser: the list's own numbers in the first column, linking to the demand; 长期有效 in
    the deadline column; the past-deadline chips, the one set before publication explained on hovering."""
    from web_util import require_browser, serving

    require_browser()
    with serving(db) as base, chromium as b:
        pg = b.new_page()
        errors = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.goto(base + "/match?region=杭州市")
        pg.wait_for_selector("#mt-demands")
        rows = pg.locator("#mt-demands tbody tr")
        firsts = [rows.nth(i).locator("td").first.inner_text() for i in range(rows.count())]
        assert sorted(firsts) == ["HZ-2026-001", "HZ-2026-002", "HZ-2026-003", "HZ-2026-004"], firsts
        row = pg.locator("#mt-demands tbody tr", has_text="HZ-2026-002")
        assert row.locator("td.date").inner_text() == "长期有效"
        late = pg.locator("#mt-demands tbody tr", has_text="HZ-2026-003").locator(".mt-expired")
        assert late.is_visible() and late.inner_text() == "已过截止，截止早于发布"
        assert "早于发布日期 2024-06-01" in late.get_attribute("title")
        assert pg.locator(".mt-expired").count() == 2
        assert china_today().isoformat() in pg.inner_text("#mt-judged")
        row.locator("a").click()
        pg.wait_for_selector("#mt-demand")
        assert pg.inner_text("#mt-ref") == "HZ-2026-002" and "截止 长期有效" in pg.inner_text("#demand-facts")
        assert not errors, errors


def test_an_enterprise_whose_demands_are_all_past_their_deadline_is_told_so(db, tmp_path):
    """match enterprise offered the hotline demand due 2025-03-31 as open (judged on the enterprises' date); judged today
    it is not offered, and when no open demand is left to offer the note says how many are past their deadline and how
    to list them, in the user's language (the CLI's stderr, the JSON)."""
    path = shutil.copy(db, tmp_path / "m.duckdb")
    with Store(str(path)) as s:  # the list without its open demands (长期有效, 2099)
        s.con.execute("DELETE FROM demands WHERE own_key IN ('HZ-2026-002', 'HZ-2026-004')")
    doc = run_json("match", "enterprise", SPEECH, db=path)
    today = china_today().isoformat()
    assert doc["results"] == [] and f"有 2 条需求按今天（{today}）已过截止" in doc["note"], doc
    p = run("--lang", "en", "match", "enterprise", SPEECH, db=path)
    assert f"2 demands are past their deadline today ({today})" in p.stderr and "--all-status" in p.stderr, p.stderr
    every = run_json("match", "enterprise", SPEECH, "--all-status", db=path)
    assert [r["ref"] for r in every["results"]] == ["HZ-2026-001"] and every["note"] is None
