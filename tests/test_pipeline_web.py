"""The pipeline over HTTP and in the browser: the JSON API (team_write for changes, a viewer reads, 4xx with a
message on bad input) and the 招商项目 page — add from the enterprise profile, move, the refused 已放弃 without
a reason, history, the overdue filter, the board view and English — in headless chromium under the CSP."""

from __future__ import annotations

import re
import sys
import warnings
from html import escape as html_escape, unescape as html_unescape
from pathlib import Path

import pytest

warnings.filterwarnings("ignore", category=DeprecationWarning)
from web_util import local_client  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
import matrix_fixture  # noqa: E402
from conftest import light_password_hashes  # noqa: E402
from web_util import cut_placeholders, download_rows, require_browser, serving, team_tokens  # noqa: E402

from zhaoshang.core.store import Store  # noqa: E402
from zhaoshang.core.teamstate import open_team_db  # noqa: E402
from zhaoshang.services.evaluation import scorecard  # noqa: E402
from zhaoshang.services.leads import lead_of  # noqa: E402
from zhaoshang.interfaces.web.app import create_app  # noqa: E402
from zhaoshang.services.team import accounts  # noqa: E402

PW = "a-long-enough-password-1"


@pytest.fixture(scope="module", autouse=True)
def _light_hashes():
    """The team users made here get Argon2 at its lowest cost: a fifth of a second of CPU each otherwise, and what is
    checked (who may do what) does not depend on it (tests/conftest.py, light_password_hashes)."""
    with light_password_hashes():
        yield


def test_pipeline_api(tmp_path):
    path = tmp_path / "fx.duckdb"
    matrix_fixture.build(str(path), n=60)
    team = open_team_db(str(tmp_path / "team.sqlite"))
    tokens = team_tokens(team, users=(("ana", "analyst"), ("vera", "viewer"), ("chief", "admin")))
    client = local_client(create_app(str(path), team=team, local_only=False), headers=tokens["analyst"])
    r = client.post("/api/pipeline/add", json={"enterprise": "1", "region": "宁波市", "owner": "ana",
                                           "next_action": "拜访", "next_action_date": "2021-02-01", "source": "leads"})
    assert r.status_code == 200, r.text
    lead = r.json()
    assert lead["region_code"] == "330200" and lead["created_by"] == "ana" and lead["overdue"]
    assert client.post("/api/pipeline/add", json={"enterprise": "1", "region": "330200"}).status_code == 400
    assert client.post("/api/pipeline/add", json={"enterprise": "999999", "region": "宁波市"}).status_code == 404
    r = client.post("/api/pipeline/add", json={"enterprise": "3", "region": "宁波市", "status": "landed"})
    assert r.status_code == 400 and "尚未签约" in r.text  # 已落地 only after 已签约, as a move holds
    r = client.post(f"/api/pipeline/leads/{lead['id']}/change", json={"status": "已放弃"})
    assert r.status_code == 400 and "理由" in r.json()["detail" if "detail" in r.json() else "error"]
    r = client.post(f"/api/pipeline/leads/{lead['id']}/change", json={"segment": "NOPE"})
    assert r.status_code == 404 and "NOPE" in r.text  # a node the chain does not have is refused
    assert client.get("/api/pipeline", params={"segment": "NOPE"}).status_code == 404
    assert client.get("/api/pipeline", params={"owner": "nobody"}).status_code == 404
    r = client.post(f"/api/pipeline/leads/{lead['id']}/change", json={"segment": "U01"})
    assert r.status_code == 200 and r.json()["segment"] == "U01"
    # a stage's code means the whole stage, as on /leads and /monitor, and the filter is also taken as ``node``
    # (its name on the other APIs); a child node or another stage lists none of it
    for params, listed in (({"segment": "U"}, [lead["id"]]), ({"node": "U"}, [lead["id"]]), ({"node": "U01"}, [lead["id"]]),
                           ({"segment": "U01.1"}, []), ({"node": "M"}, [])):
        assert [i["id"] for i in client.get("/api/pipeline", params=params).json()["items"]] == listed, params
    assert client.get("/api/pipeline", params={"segment": "U", "node": "M"}).status_code == 400
    assert f'href="/pipeline/{lead["id"]}"' in client.get("/pipeline", params={"segment": "U"}).text
    # ana's change based on the version she read, after chief moved the lead: 409 naming chief and what he changed,
    # nothing written; the version now and the changes to re-apply over; without a version, the fields sent alone
    seen = r.json()["version"]
    moved = client.post(f"/api/pipeline/leads/{lead['id']}/change", json={"status": "visited", "next_action": "准备材料"},
                        headers=tokens["admin"])
    assert moved.status_code == 200 and moved.json()["version"] > seen
    stale = client.post(f"/api/pipeline/leads/{lead['id']}/change", json={"status": "new", "note": "补充", "version": seen})
    assert stale.status_code == 409 and "chief 于" in stale.json()["error"] and "状态 新线索 → 已拜访" in stale.json()["error"]
    assert stale.json()["version"] == moved.json()["version"]
    assert [(c["actor"], c["field"], c["to_value"]) for c in stale.json()["changes"]] == [
        ("chief", "status", "visited"), ("chief", "next_action", "准备材料")]
    assert client.get(f"/api/pipeline/leads/{lead['id']}").json()["version"] == moved.json()["version"]  # unwritten
    r = client.post(f"/api/pipeline/leads/{lead['id']}/change", json={"note": "补充"})
    assert r.status_code == 200 and (r.json()["status"], r.json()["next_action"]) == ("visited", "准备材料")
    r = client.post(f"/api/pipeline/leads/{lead['id']}/change", json={"status": "signed", "note": "签约仪式"})
    assert r.status_code == 200 and r.json()["status"] == "signed"
    got = client.get(f"/api/pipeline/leads/{lead['id']}", headers=tokens["viewer"]).json()
    assert [(h["field"], h["to_value"]) for h in got["history"]][-3:] == [
        ("status", "signed"), ("signed_on", r.json()["signed_on"]), ("note", "签约仪式")]
    denied = client.post(f"/api/pipeline/leads/{lead['id']}/change", json={"note": "x"}, headers=tokens["viewer"])
    assert denied.status_code == 403 and denied.json()["error"] == "当前角色（浏览者）无权进行此操作：需要管理员或分析师角色，请联系管理员"  # one language
    denied = client.post(f"/api/pipeline/leads/{lead['id']}/change?lang=en", json={"note": "x"}, headers=tokens["viewer"])
    assert denied.status_code == 403 and denied.json()["error"] == (
        "your role (viewer) may not do this: it needs the administrator or analyst role; ask an administrator")
    items = client.get("/api/pipeline", params={"status": "已签约"}).json()["items"]
    assert [i["id"] for i in items] == [lead["id"]]
    # a signed lead is still open (landing to follow up), but its next action due before the signing (2021-02-01)
    # was overtaken by it: not 督办
    assert client.get("/api/pipeline", params={"overdue": "true"}).json()["items"] == []
    stats = client.get("/api/pipeline/stats", params={"by": "source"}).json()["items"]
    assert stats == [{"source": "leads", "signed": 1, "landed": 0, "landing_rate": 0.0, "mean_days_to_land": None,
                      "median_days_to_land": None}]
    assert client.get("/api/pipeline/leads/424242").status_code == 404
    # a province lists the leads of its cities (宁波市 is in 浙江省)
    assert [i["id"] for i in client.get("/api/pipeline", params={"region": "330000"}).json()["items"]] == [lead["id"]]
    # the same enterprise as a lead of a district of 宁波市: added, named beside the lead of the city (not refused);
    # added from 招商线索 by the signed-in analyst, who owns it unless another owner is given
    r = client.post("/api/pipeline/add?lang=en", json={"enterprise": "1", "region": "330203", "source": "leads"})
    assert r.status_code == 200 and r.json()["owner"] == "ana"
    assert r.json()["warning"] == f"the enterprise is already a lead of Ningbo: #{lead['id']} (signed, ana) — check with its owner before approaching it"
    district = r.json()["id"]
    assert [(o["id"], o["overlaps"]) for o in client.get(f"/api/pipeline/leads/{lead['id']}").json()["other_leads"]] == [
        (district, True)]
    page = client.get(f"/pipeline/{lead['id']}?lang=zh").text
    assert 'id="lead-overlap"' in page and f'<a href="/pipeline/{district}">#{district}</a> 宁波市海曙区' in page
    page = client.get(f"/pipeline/{lead['id']}").text
    assert 'id="lead-score"' in page and "签约仪式" in page  # enterprise 1 is dissolved: no scorecard, said so
    # added from the enterprise's profile by the same analyst: hers too, the rule of 招商线索's adds
    other = client.post("/api/pipeline/add", json={"enterprise": "3", "region": "宁波市", "source": "profile"}).json()
    assert other["owner"] == "ana"
    page = client.get(f"/pipeline/{other['id']}").text  # a lead's page shows its enterprise's scorecard
    with Store(str(path), read_only=True) as store:
        total = scorecard.score_enterprise(store, 3)["total"]
    assert f'<b id="lead-score-total">{total}</b>' in page
    # the total and confidence once, above the dimensions; the signals' table below without a second head ("78.0 / 100
    # · 置信度 0.851" then "78 置信度 0.851" on the real imports) — the profile's own tables, so a signal's weight reads
    # the same on both pages (the lead page gave its share of the total under 权重, the profile its weight in the dimension)
    card_html = page[page.index('id="lead-score"'):page.index('id="lead-history"')]
    assert 'id="sc-signals"' in card_html and 'id="sc-dims"' in card_html and 'class="xp-value"' not in card_html
    assert ">维度内权重</th>" in card_html and ">对维度得分的贡献</th>" in card_html and ">对总分的贡献</th>" in card_html
    profile = client.get(f"/enterprises/{other['enterprise_id']}").text
    table = re.compile(r'<table class="grid" id="sc-signals">.*?</table>', re.S)
    assert table.search(card_html).group(0) == table.search(profile).group(0)
    # the rows behind it in English are listed with English punctuation (window=2012-12-23、2018-12-23；…)
    refs = re.findall(r'class="xp-refs small">(.*?)</div>', client.get(f"/pipeline/{other['id']}?lang=en").text, re.S)
    assert refs and not [r for r in refs if "；" in r or "、" in r], refs
    client.get(f"/pipeline/{other['id']}?lang=zh")  # the language is kept in a cookie: back to Chinese
    # …and why it is a lead there: its reasons and signals for the region today, as the leads list gives them
    with Store(str(path), read_only=True) as store:
        why = lead_of(store, "330200", 3, node=other["segment"])
    assert why is not None and why["reasons"] and f'<b id="lead-reasons-score">{why["score"]:.2f}</b>' in page
    assert all(html_escape(r) in page for r in why["reasons"])
    assert f'<span id="lead-reasons-asof">截至 {why["as_of"]}</span>' in page and "截至今日" not in page  # the data's date
    assert "不是本地区的候选" in client.get(f"/pipeline/{lead['id']}").text  # the dissolved one is no candidate
    html = client.get("/pipeline").text
    assert "招商项目" in html and f'href="/pipeline/{lead["id"]}"' in html

    def latest(params):  # the leads whose changes the page's 最近变更 lists
        box = client.get("/pipeline", params=params).text.split('id="pl-history"')[1]
        return {int(i) for i in re.findall(r'href="/pipeline/(\d+)"', box)}
    assert latest({}) == {lead["id"], district, other["id"]}

    def rows(lang):  # each change's lead and its region (the one region label), as 最近变更 shows it
        box = client.get("/pipeline", params={"lang": lang}).text.split('id="pl-history"')[1]
        return set(re.findall(r'<a href="/pipeline/(\d+)">[^<]+</a> <span class="muted pl-h-region">· ([^<]+)</span>', box))
    # two leads of one enterprise (宁波市 and its 海曙区) told apart on each of their rows, in either language
    en, zh = rows("en"), rows("zh")
    ids = str(lead["id"]), str(district), str(other["id"])
    assert zh == set(zip(ids, ("宁波市", "海曙区", "宁波市"))) and en == set(zip(ids, ("Ningbo", "Haishu", "Ningbo"))), (zh, en)
    # narrowed by the filter of the list above it: a status, a stage (also as ``node``), a region
    assert latest({"status": "signed"}) == latest({"node": "U"}) == latest({"segment": "U01"}) == {lead["id"]}
    assert latest({"region": "330203"}) == {district}
    assert latest({"segment": "M"}) == {i["id"] for i in client.get("/api/pipeline", params={"segment": "M"}).json()["items"]}


def _fixture_with_lead(tmp_path, **kw):
    """The 60-enterprise fixture with one lead: enterprise 3 for 宁波市 (``kw``: the lead's other fields)."""
    from zhaoshang.services.pipeline import leads as pipeline_leads

    db = tmp_path / "fx.duckdb"
    matrix_fixture.build(str(db), n=60)
    team = open_team_db(None, db_path=str(db))
    with Store(str(db), read_only=True) as store:
        lead = pipeline_leads.add(store, team, "3", "宁波市", **kw)
    team.close()
    return db, lead


@pytest.mark.browser
def test_pipeline_page_in_the_browser(tmp_path, chromium):
    require_browser()

    db = tmp_path / "fx.duckdb"
    matrix_fixture.build(str(db), n=60)
    team = open_team_db(None, db_path=str(db))
    accounts.add_user(team, "ana", "analyst", PW, "cli:test")
    accounts.add_user(team, "vera", "viewer", PW, "cli:test")  # reads only: never offered as an owner
    team.close()
    with serving(db) as base, chromium as b:
        pg = b.new_page()
        errors = []
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.goto(base + "/enterprises/1")
        pg.fill("#pa-region", "宁波市")
        pg.click("#pa-submit")
        pg.wait_for_url("**/pipeline/*")
        assert "新线索" in pg.inner_text("#lead-status")
        pg.select_option("#c-status", "abandoned")
        pg.click("#c-save")
        pg.wait_for_selector("#pl-error")
        assert "理由" in pg.inner_text("#pl-error") and "新线索" in pg.inner_text("#lead-status")
        offered = pg.eval_on_selector_all("#c-owner option", "os => os.map(o => o.value)")
        assert "ana" in offered and "vera" not in offered, offered
        pg.select_option("#c-status", "contacted")
        pg.select_option("#c-owner", "ana")
        pg.fill("#c-next", "上门拜访")
        pg.fill("#c-due", "2021-03-01")
        pg.fill("#c-note", "电话已通")
        pg.click("#c-save")
        pg.wait_for_selector("#lead-overdue")
        assert "已接触" in pg.inner_text("#lead-status")
        hist = pg.inner_text("#lead-history")
        assert "新线索" in hist and "已接触" in hist and "电话已通" in hist and "local" in hist
        assert "下一步日期" in hist and "next_action_date" not in hist  # field names in the UI's language
        pg.click("#nav-pipeline")
        pg.check("#f-overdue")
        pg.click("#pl-apply")
        pg.wait_for_selector("#pl-table")
        assert pg.locator("#pl-table tbody tr").count() == 1 and "督办" in pg.inner_text("#pl-table")
        pg.click("#view-board")
        pg.wait_for_selector("#pl-board")
        assert pg.locator('.pl-col[data-status="contacted"] .pl-card').count() == 1
        assert pg.locator('.pl-col[data-status="new"] .pl-card').count() == 0
        pg.goto(base + "/pipeline?view=board&lang=en")
        assert "contacted" in pg.inner_text('.pl-col[data-status="contacted"] h3')
        card = pg.inner_text('.pl-col[data-status="contacted"] .pl-card')
        assert "Ningbo" in card and "宁波市" not in card  # the region in the page's language
        # the segment by its name in the page's language, not by its code alone (U01 → U01 AI chips)
        from zhaoshang.services.pipeline import leads as pipeline_leads

        t = open_team_db(None, db_path=str(db))
        with Store(str(db), read_only=True) as store:
            pipeline_leads.update(t, pipeline_leads.list_leads(t)[0]["id"], segment="U01", store=store)
        t.close()
        pg.reload()
        assert pg.inner_text('.pl-col[data-status="contacted"] .pl-card .pl-seg') == "U01 AI chips"
        pg.goto(base + "/pipeline?lang=zh")
        assert pg.inner_text("#pl-table tbody td.pl-seg") == "U01 AI芯片"
        pg.click("#pl-table tbody a >> nth=0")
        pg.wait_for_selector("#lead-segment")
        assert pg.inner_text("#lead-segment") == "U01 AI芯片"
        # a refused change says why in the page's language (it was Chinese on the English page) and names the
        # page's field, not only the command's option
        lead_url = pg.url.split("?")[0]
        assert cut_placeholders(pg, "#change-form input[placeholder]") == []  # the dates' boxes as wide as their hints
        pg.goto(lead_url + "?lang=en")
        assert cut_placeholders(pg, "#change-form input[placeholder]") == []  # 'e.g. 2026-03-31, 2' was cut
        pg.select_option("#c-status", "abandoned")
        pg.click("#c-save")
        pg.wait_for_selector("#pl-error")
        said = pg.inner_text("#pl-error")
        assert said.startswith("abandoning a lead needs a reason (the page's Reason field") and "理由" not in said, said
        pg.select_option("#c-status", "landed")
        pg.click("#c-save")
        pg.wait_for_selector("#pl-error")
        assert pg.inner_text("#pl-error") == "a lead must be signed before it lands"
        pg.goto(lead_url + "?lang=zh")
        pg.select_option("#c-status", "abandoned")
        pg.click("#c-save")
        pg.wait_for_selector("#pl-error")
        assert pg.inner_text("#pl-error").startswith("放弃线索须说明理由（页面的“理由”")
        # so does a refused chain-placement decision on the profile
        import re

        pg.goto(base + "/enterprises/1?lang=en")
        assert cut_placeholders(pg, "#pl-reason") == []  # 'required; goes to the audit log' was cut at 1366
        pg.select_option("#pl-action", "remove")
        placed = {x["node_code"] for x in __import__("httpx").get(base + "/api/enterprises/1", timeout=30).json()["placements"]}
        pg.select_option("#pl-node", next(v for v in pg.eval_on_selector_all("#pl-node option", "os => os.map(o => o.value)")
                                          if v not in placed))
        pg.fill("#pl-reason", "not this segment")
        pg.click("#pl-submit")
        pg.wait_for_selector("#error-pl-node")  # the refusal beside the node box it concerns, in the page's language
        said = pg.inner_text("#error-pl-node")
        firm = __import__("httpx").get(base + "/api/enterprises/1", timeout=30).json()["enterprise"]["name"]
        assert said.startswith(firm) and not re.search(r"[\u4e00-\u9fff]", said.removeprefix(firm)), said  # English but the firm's name
        assert pg.input_value("#pl-reason") == "not this segment"  # the form as typed
        pg.goto(base + "/enterprises/1")
        assert "已接触" in pg.inner_text("#pipeline") or "contacted" in pg.inner_text("#pipeline")
        # a lead that lands has nothing left to do: its next action is cleared by the move (the history keeps it)
        pg.goto(lead_url + "?lang=zh")
        assert "上门拜访" in pg.inner_text("#lead-next")
        for st in ("visited", "negotiating", "signed", "landed"):
            pg.select_option("#c-status", st)
            pg.click("#c-save")
            pg.wait_for_load_state()
        assert "已落地" in pg.inner_text("#lead-status"), pg.inner_text("#lead-status")
        assert pg.inner_text("#lead-next").strip() == "—" and pg.locator("#lead-overdue").count() == 0
        assert "上门拜访" in pg.inner_text("#lead-history")
        assert not errors, errors
        b.close()


def test_the_pipeline_pages_show_only_refusals_the_server_signed(tmp_path):
    """A link carrying its own text (?error=…, a forged ?note=…) puts nothing in the pipeline pages' box; a refused
    form's signed note does, in the page's language."""
    import re
    from urllib.parse import unquote

    path = tmp_path / "p.duckdb"
    matrix_fixture.build(str(path), n=60)
    c = local_client(create_app(str(path)), follow_redirects=False)
    for q in ({"error": "会话已过期，请到 http://phish.example 重新登录"}, {"note": "forged"}):
        assert 'id="pl-error"' not in c.get("/pipeline", params=q).text
    token = re.search(r'"csrf": ?"([^"]+)"', c.get("/pipeline").text).group(1)
    back = c.post("/pipeline/add", data={"csrf_token": token, "enterprise": "没有这家企业", "region": "杭州市"})
    where = back.headers["location"]
    assert where.startswith("/pipeline?note=") and "没有这家企业" not in unquote(where)
    assert 'id="pl-error"' in c.get(where + "&lang=zh").text and 'id="pl-error"' in c.get(where + "&lang=en").text
    # an enterprise registered in the region (2: 杭州市西湖区) is added, and its page says it is already local
    added = c.post("/pipeline/add", data={"csrf_token": token, "enterprise": "2", "region": "杭州市"})
    where = added.headers["location"]
    assert added.status_code == 303 and re.match(r"/pipeline/\d+\?note=", where), where
    zh, en = (re.search(r'<p class="warn" id="pl-warn">(.*?)</p>', c.get(f"{where}&lang={lg}").text).group(1)
              for lg in ("zh", "en"))
    assert zh.startswith("该企业已在 杭州市 落地（注册地在此）：招商线索指从外地引进的企业") and "仍已加入" in zh, zh
    assert en.startswith("the enterprise is already present in Hangzhou (registered there): a lead is an enterprise "
                         "to attract from elsewhere") and not re.search(r"[\u4e00-\u9fff]", en), en
    city = int(re.match(r"/pipeline/(\d+)", where).group(1))
    # a district of that city: already local there, and a lead of the city — both said, in either language, in the
    # words of `pipeline add` and the API (one function of the service)
    added = c.post("/pipeline/add", data={"csrf_token": token, "enterprise": "2", "region": "330106"})
    where = added.headers["location"]
    zh, en = (re.search(r'<p class="warn" id="pl-warn">(.*?)</p>', c.get(f"{where}&lang={lg}").text).group(1)
              for lg in ("zh", "en"))
    assert zh == ("该企业已在 杭州市西湖区 落地（注册地在此）：招商线索指从外地引进的企业——仍已加入（可跟进其本地扩张）；"
                  f"该企业已是 杭州市 的线索 #{city}（新线索，无负责人），接触前请与其负责人协调"), zh
    assert en == ("the enterprise is already present in Xihu, Hangzhou (registered there): a lead is an enterprise to "
                  "attract from elsewhere — added all the same (a local expansion may be tracked); the enterprise is "
                  f"already a lead of Hangzhou: #{city} (new lead, no owner) — check with its owner before approaching "
                  "it"), en
    # the list's 更新 column: the day of the last change in China's time, under a header that names the clock
    from test_audit_times import shown_as

    updated = c.get("/api/pipeline").json()["items"][0]
    for lg, head in (("zh", "更新 (UTC+8)"), ("en", "Updated (UTC+8)")):
        page = c.get(f"/pipeline?lang={lg}").text
        assert f"<th>{head}</th>" in page, page
    cell = re.search(rf'data-id="{updated["id"]}">.*?<td class="muted">([^<]*)</td></tr>', page, re.S).group(1)
    assert cell == shown_as(updated["updated_at"])[:10], (cell, updated)
    # added from a profile seen at a past date (its form's URL carries the day): the lead keeps that day and its score
    # on that day's 招商线索 list, as one added from the list does; its scorecard is headed in the profile's words
    from zhaoshang.services.leads import mine_leads

    with Store(str(path), read_only=True) as store:
        listed = {x["enterprise_id"]: x["score"] for x in mine_leads(store, "330200", as_of="2019-06-30")["leads"]}
        now = {x["enterprise_id"]: x["score"] for x in mine_leads(store, "330200")["leads"]}
    added = c.post("/pipeline/add?as_of=2019-06-30", data={"csrf_token": token, "enterprise": "6", "region": "宁波市",
                                                          "source": "profile"}).headers["location"]
    lead_id = re.match(r"/pipeline/(\d+)", added).group(1)
    lead = c.get(f"/api/pipeline/leads/{lead_id}").json()
    assert (lead["list_as_of"], lead["list_score"]) == ("2019-06-30", listed[6]) and listed[6] != now[6], lead
    page = c.get(f"/pipeline/{lead_id}?lang=zh").text
    assert re.search(r'id="lead-listed-score">([^<]*)<', page).group(1) == f"{listed[6]:.2f}"
    said = re.sub(r"<[^>]+>", "", re.search(r'<p class="small" id="lead-listed">(.*?)</p>', page, re.S).group(1))
    assert said.startswith(f"加入自截至 2019-06-30 的企业画像；在该日的招商线索列表（内置权重）中得分 {listed[6]:.2f}；"), said
    en = c.get(f"/pipeline/{lead_id}?lang=en").text
    said = re.sub(r"<[^>]+>", "", re.search(r'<p class="small" id="lead-listed">(.*?)</p>', en, re.S).group(1))
    assert said.startswith("Added from the enterprise profile as of 2019-06-30; on that day&#39;s leads list (shipped "
                           f"weights) it scored {listed[6]:.2f};"), said
    profile = c.get("/enterprises/6?lang=zh").text
    for part in ("asof", "method", "cohort"):
        ours = re.search(rf'id="lead-score-{part}"[^>]*>([^<]*)<', page)
        assert ours and ours.group(1) == re.search(rf'id="sc-{part}"[^>]*>([^<]*)<', profile).group(1), part
    # a refused change drawn again by its POST: the language switch points to the lead's page (its GET), not to the
    # form's address (a 405 there)
    refused = c.post(f"/pipeline/{city}/change?lang=zh", data={"csrf_token": token, "status": "abandoned",
                                                               "note": "董秘说再议"})
    assert refused.status_code == 200 and 'id="pl-error"' in refused.text
    switch = html_unescape(re.search(r'<a href="([^"]*)"[^>]*id="lang-en"', refused.text).group(1))
    # …carrying the refusal and what was typed in a signed note (the form opened as the lead is, what was typed lost);
    # a GET, which never changes the lead
    assert switch.startswith(f"/pipeline/{city}?") and "董秘" not in unquote(switch)
    en = c.get(switch)
    assert en.status_code == 200 and 'value="董秘说再议"' in en.text and '<option value="abandoned" selected>' in en.text
    said = re.search(r'<p class="warn" id="pl-error">([^<]*)<', en.text).group(1)
    assert said and not re.search(r"[\u4e00-\u9fff]", said), said
    assert c.get(f"/api/pipeline/leads/{city}").json()["status"] == "new"


@pytest.mark.browser
def test_districts_of_the_same_name_are_told_apart_in_the_browser(tmp_path, chromium):
    """Leads in 杭州市西湖区 and 南昌市西湖区 both read 西湖区 (Xihu) on the list, the board, the lead's page and the
    profile: two identical cards. Each is named as the region service tells them apart."""
    require_browser()

    from zhaoshang.services.pipeline import leads as pipeline_leads

    db = tmp_path / "fx.duckdb"
    matrix_fixture.build(str(db), n=60)
    team = open_team_db(None, db_path=str(db))
    with Store(str(db), read_only=True) as store:
        hz = pipeline_leads.add(store, team, "1", "330106")
        nc = pipeline_leads.add(store, team, "1", "360103")
    team.close()
    with serving(db) as base, chromium as b:
        pg = b.new_page()
        pg.goto(base + "/pipeline?lang=zh")
        cells = {pg.get_attribute(f"#pl-table tbody tr >> nth={i}", "data-id"):
                 pg.inner_text(f"#pl-table tbody tr >> nth={i} >> td >> nth=2") for i in range(2)}
        assert cells == {str(hz["id"]): "杭州市西湖区", str(nc["id"]): "南昌市西湖区"}, cells
        pg.goto(base + f"/pipeline/{nc['id']}")
        assert "南昌市西湖区" in pg.inner_text("h1")
        pg.goto(base + "/pipeline?view=board&lang=en")
        cards = sorted(pg.eval_on_selector_all('.pl-col[data-status="new"] .pl-card span:not(.muted)',
                                                "xs => xs.map(x => x.innerText)"))
        assert cards == ["Xihu, Hangzhou", "Xihu, Nanchang"], cards
        pg.goto(base + "/enterprises/1")
        shown = pg.inner_text("#pipeline")
        assert "Xihu, Hangzhou" in shown and "Xihu, Nanchang" in shown, shown
        b.close()


@pytest.mark.browser
def test_the_lead_page_keeps_a_refused_form_and_shows_no_none_in_the_history(tmp_path, chromium):
    """A cleared next action read "电话联系董秘 → None" in the history (and the latest changes), a segment its bare code;
    a refused change (已放弃 without a reason) came back with the typed next action and note gone."""
    require_browser()

    from zhaoshang.services.pipeline import leads as pipeline_leads

    db = tmp_path / "fx.duckdb"
    matrix_fixture.build(str(db), n=60)
    team = open_team_db(None, db_path=str(db))
    with Store(str(db), read_only=True) as store:
        lead = pipeline_leads.add(store, team, "3", "宁波市", segment="U01", next_action="电话联系董秘",
                                  next_action_date="2099-12-10")
    pipeline_leads.update(team, lead["id"], next_action="", next_action_date="")
    team.close()
    with serving(db) as base, chromium as b:
        pg = b.new_page()
        pg.goto(base + f"/pipeline/{lead['id']}?lang=zh")
        hist = pg.inner_text("#lead-history")
        assert "None" not in hist and "U01 AI芯片" in hist and "电话联系董秘\t—" in hist, hist
        pg.goto(base + "/pipeline?lang=en")
        latest = pg.inner_text("#pl-history")
        assert "None" not in latest and "电话联系董秘 → —" in latest and "U01 AI chips" in latest, latest
        # the latest changes' times are UTC, labelled as the lead page and `pipeline show` label them
        assert pg.inner_text("#pl-history thead th:first-child") == "Time (UTC+8)", latest
        pg.goto(base + "/pipeline?lang=zh")
        assert pg.inner_text("#pl-history thead th:first-child") == "时间 (UTC+8)"
        pg.goto(base + f"/pipeline/{lead['id']}?lang=zh")
        # while this form is open, wang moves the lead on; the open form's save (a note and a due date typed) is
        # refused naming wang and what he changed, instead of writing back the status and next action it still held;
        # the form comes back on the lead as it is now, the note and the date typed still in it; saved again, they apply
        colleague = open_team_db(None, db_path=str(db))
        pipeline_leads.update(colleague, lead["id"], user="wang", status="visited", next_action="准备洽谈材料")
        colleague.close()
        pg.fill("#c-note", "li: 补充备注")
        pg.fill("#c-due", "2099-12-31")
        pg.click("#c-save")
        pg.wait_for_selector("#pl-error")
        said = pg.inner_text("#pl-error")
        assert "wang 于" in said and "状态 新线索 → 已拜访" in said and "下一步 — → 准备洽谈材料" in said, said
        assert "已拜访" in pg.inner_text("#lead-status") and "li: 补充备注" not in pg.inner_text("#lead-history")
        kept = [pg.input_value(s) for s in ("#c-status", "#c-next", "#c-due", "#c-note")]
        assert kept == ["visited", "准备洽谈材料", "2099-12-31", "li: 补充备注"], kept
        pg.click("#c-save")
        pg.wait_for_url(f"**/pipeline/{lead['id']}")
        assert "已拜访" in pg.inner_text("#lead-status") and "准备洽谈材料 2099-12-31" in pg.inner_text("#lead-next")
        assert "li: 补充备注" in pg.inner_text("#lead-history")
        pg.select_option("#c-status", "abandoned")
        pg.fill("#c-next", "下周三拜访")
        pg.fill("#c-note", "重要备注：领导已批示")
        pg.click("#c-save")
        pg.wait_for_selector("#pl-error")
        assert "理由" in pg.inner_text("#pl-error") and "已拜访" in pg.inner_text("#lead-status")
        kept = (pg.input_value("#c-status"), pg.input_value("#c-next"), pg.input_value("#c-note"))
        assert kept == ("abandoned", "下周三拜访", "重要备注：领导已批示"), kept
        pg.fill("#c-reason", "企业改投他处")
        pg.click("#c-save")
        pg.wait_for_url(f"**/pipeline/{lead['id']}")
        assert "已放弃" in pg.inner_text("#lead-status") and "重要备注：领导已批示" in pg.inner_text("#lead-history")
        b.close()


def test_the_api_takes_the_days_a_lead_was_signed_and_landed_as_the_command_line_does(tmp_path, demo_copy):
    """``POST /api/pipeline/add`` took no signing or landing day (a lead added as 已签约 was signed today, one that had
    landed could not be added); it takes ``signed_on`` and ``landed_on`` as ``add --signed-on/--landed-on`` does, and a
    future or unreadable day is refused over HTTP with the command line's own line."""
    import datetime as dt

    from cli_util import run

    from zhaoshang.core.parse.dates import china_today

    db = tmp_path / "demo.duckdb"
    demo_copy(db)
    team = open_team_db(str(tmp_path / "team.sqlite"))
    tokens = team_tokens(team)
    client = local_client(create_app(str(db), team=team, local_only=False), headers=tokens["analyst"])
    tomorrow = (china_today() + dt.timedelta(days=1)).isoformat()
    r = client.post("/api/pipeline/add", json={"enterprise": "1", "region": "杭州市", "status": "已签约",
                                               "signed_on": "2024年3月5日"})
    assert r.status_code == 200 and (r.json()["status"], r.json()["signed_on"]) == ("signed", "2024-03-05"), r.text
    r = client.post("/api/pipeline/add", json={"enterprise": "2", "region": "杭州市", "status": "landed",
                                               "signed_on": "2024-03-05", "landed_on": "20240601"})
    assert r.status_code == 200 and (r.json()["signed_on"], r.json()["landed_on"]) == ("2024-03-05", "2024-06-01"), r.text
    r = client.post("/api/pipeline/add", json={"enterprise": "3", "region": "杭州市", "status": "landed",
                                               "signed_on": "2024-06-05", "landed_on": "2024-06-01"})
    assert r.status_code == 400 and "早于签约日期" in r.json()["error"], r.text
    r = client.post("/api/pipeline/add", json={"enterprise": "3", "region": "杭州市", "status": "negotiating",
                                               "landed_on": "2024-06-01"})
    assert r.status_code == 400 and "落地日期只用于 已落地" in r.json()["error"], r.text
    # the command line, run on a copy of the same store, says the same line for the same bad days
    team_db = tmp_path / "cli-team.sqlite"
    cli = ["--team-db", team_db]
    lead = run(*cli, "pipeline", "add", "3", "杭州市", "--format", "json", db=db).stdout
    import json

    lead_id = json.loads(lead)["id"]
    api_lead = client.post("/api/pipeline/add", json={"enterprise": "3", "region": "杭州市"}).json()["id"]
    for day, says in ((tomorrow, f"签约日期 {tomorrow} 晚于今天"), ("2024-13-45", "无效的签约日期: 2024-13-45")):
        added = client.post("/api/pipeline/add", json={"enterprise": "4", "region": "杭州市", "status": "signed",
                                                       "signed_on": day})
        moved = client.post(f"/api/pipeline/leads/{api_lead}/change", json={"status": "signed", "on": day})
        by_cli = run(*cli, "pipeline", "move", str(lead_id), "已签约", "--on", day, db=db, check=False)
        cli_add = run(*cli, "pipeline", "add", "4", "杭州市", "--status", "已签约", "--signed-on", day, db=db, check=False)
        assert by_cli.returncode == 2 and cli_add.returncode == 2, (by_cli.stderr, cli_add.stderr)
        line = by_cli.stderr.strip()
        assert says in line and cli_add.stderr.strip() == line, (line, cli_add.stderr)
        assert added.status_code == moved.status_code == 400, (added.text, moved.text)
        assert line.endswith(added.json()["error"]) and line.endswith(moved.json()["error"]), (line, added.text)
    assert client.get(f"/api/pipeline/leads/{api_lead}").json()["status"] == "new"
    assert [r["enterprise_id"] for r in client.get("/api/pipeline").json()["items"]].count(4) == 0
    r = client.post(f"/api/pipeline/leads/{api_lead}/change", json={"status": "signed", "on": "2025-1-5"})
    assert r.status_code == 200 and r.json()["signed_on"] == "2025-01-05", r.text
    # a region's name other regions share, read by the level rule, is said when a lead is saved — by the region
    # service's own note — in the API's and the command line's JSON and on the lead page the form lands on
    zh = "朝阳 读作 辽宁省朝阳市 (211300)（同名：北京市朝阳区 (110105)"
    r = client.post("/api/pipeline/add", json={"enterprise": "5", "region": "朝阳"})
    assert r.json()["region_code"] == "211300" and r.json()["region_notes"][0]["note"].startswith(zh), r.text
    by_cli = run(*cli, "pipeline", "add", "5", "朝阳", "--format", "json", db=db)
    assert json.loads(by_cli.stdout)["region_notes"][0]["note"].startswith(zh) and "注意：" + zh in by_cli.stderr
    page = client.post("/pipeline/add?lang=en", data={"enterprise": "6", "region": "朝阳", "source": "profile"})
    said = re.search(r'id="pl-warn">([^<]*)<', page.text)
    assert page.url.path.startswith("/pipeline/") and said and said.group(1).startswith(
        "朝阳 read as Chaoyang, Liaoning (211300) (same name:"), page.text[:3000]
    # the board names the lead's region by the label the note says (not a bare Chaoyang: Beijing's is Chaoyang too)
    board = client.get("/pipeline?lang=en").text
    assert re.search(r">Chaoyang, Liaoning(?: · |<)", board) and ">Chaoyang<" not in board, board[:3000]
    api = client.get("/api/pipeline?lang=en&region=211300").json()["items"]
    assert api and {r["region_name"] for r in api} == {"Chaoyang, Liaoning"}


@pytest.mark.browser
def test_the_lead_page_dates_a_signing_and_a_landing(tmp_path, chromium):
    """The lead page's form had no day for a move to 已签约 or 已落地 (each was dated today); its 签约/落地日期 field is
    the command's ``--on`` (and a landed lead's 签约日期 its ``--signed-on``): read by the one parser on the server, a
    bare month too (the browser's day box refused 2024年3月, which the command takes: its last day, the page saying
    how it read it), a future day refused with the command's line and the form kept, a landing before the signing
    refused."""
    require_browser()
    import datetime as dt


    from zhaoshang.core.parse.dates import china_today

    db, lead = _fixture_with_lead(tmp_path, status="negotiating")
    tomorrow = (china_today() + dt.timedelta(days=1)).isoformat()
    with serving(db) as base, chromium as b:
        pg = b.new_page()
        errors = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        url = base + f"/pipeline/{lead['id']}"
        pg.goto(url + "?lang=zh")
        pg.select_option("#c-status", "signed")
        pg.fill("#c-on", tomorrow)
        pg.click("#c-save")
        pg.wait_for_selector("#pl-error")
        said = pg.inner_text("#pl-error")
        assert said.startswith(f"签约日期 {tomorrow} 晚于今天") and "签约、落地是已发生的事" in said, said
        assert "洽谈中" in pg.inner_text("#lead-status") and pg.input_value("#c-on") == tomorrow
        # a bare month, as `pipeline move --on 2024年3月` takes it (the box refused it as no day): its last day, said so
        pg.fill("#c-on", "2024年3月")
        pg.click("#c-save")
        pg.wait_for_url(url + "?note=*")
        assert "已签约" in pg.inner_text("#lead-status")
        assert pg.inner_text("#pl-done") == "签约日期「2024年3月」读作 2024-03-31"
        kv = pg.inner_text("#lead-status >> xpath=ancestor::dl")
        assert "签约日期\n2024-03-31" in kv or "签约日期\t2024-03-31" in kv, kv
        pg.select_option("#c-status", "landed")
        pg.fill("#c-on", "2024-03-01")
        pg.click("#c-save")
        pg.wait_for_selector("#pl-error")
        assert "落地日期 2024-03-01 早于签约日期 2024-03-31" in pg.inner_text("#pl-error")
        pg.fill("#c-on", "2024-06-01")
        pg.click("#c-save")
        pg.wait_for_url(url)
        assert "已落地" in pg.inner_text("#lead-status")
        got = __import__("httpx").get(base + f"/api/pipeline/leads/{lead['id']}", timeout=30).json()
        assert (got["signed_on"], got["landed_on"]) == ("2024-03-31", "2024-06-01"), got
        # the status unchanged with a day: the landing day corrected, and the change in the history
        pg.fill("#c-on", "2024-06-02")
        pg.click("#c-save")
        pg.wait_for_url(url)
        got = __import__("httpx").get(base + f"/api/pipeline/leads/{lead['id']}", timeout=30).json()
        assert (got["status"], got["landed_on"]) == ("landed", "2024-06-02"), got
        assert ("landed_on", "2024-06-01", "2024-06-02") in [(h["field"], h["from_value"], h["to_value"])
                                                           for h in got["history"]]
        assert "落地日期" in pg.inner_text("#lead-history") and "时间 (UTC+8)" in pg.inner_text("#lead-history")
        # a landed lead's signing day corrected where it stands (it was only by a move back to 已签约), checked as
        # every day typed: not after the landing
        pg.fill("#c-signed-on", "2024-06-05")
        pg.click("#c-save")
        pg.wait_for_selector("#pl-error")
        assert "落地日期 2024-06-02 早于签约日期 2024-06-05" in pg.inner_text("#pl-error")
        assert pg.input_value("#c-signed-on") == "2024-06-05"
        pg.fill("#c-signed-on", "2024年2月")  # as `--signed-on 2024年2月`: the month's last day
        pg.click("#c-save")
        pg.wait_for_url(url + "?note=*")
        assert pg.inner_text("#pl-done") == "签约日期「2024年2月」读作 2024-02-29"
        got = __import__("httpx").get(base + f"/api/pipeline/leads/{lead['id']}", timeout=30).json()
        assert (got["status"], got["signed_on"], got["landed_on"]) == ("landed", "2024-02-29", "2024-06-02"), got
        assert ("signed_on", "2024-03-31", "2024-02-29") in [(h["field"], h["from_value"], h["to_value"])
                                                           for h in got["history"]]
        pg.goto(url + "?lang=en")  # a day given with a move that sets none is refused naming the page's field
        pg.select_option("#c-status", "abandoned")
        pg.fill("#c-reason", "moved elsewhere")
        pg.fill("#c-on", "2024-06-03")
        pg.click("#c-save")
        pg.wait_for_selector("#pl-error")
        assert pg.inner_text("#pl-error").startswith("a signing or landing date is for a move to signed or landed")
        # abandoned as an older version abandoned a landed lead, its landing kept: the page reads no landing
        t = open_team_db(None, db_path=str(db))
        with t.tx() as tx:
            tx.execute("UPDATE pipeline_leads SET status = 'abandoned', abandon_reason = '企业改投他处' WHERE id = ?",
                       [lead["id"]])
        t.close()
        pg.goto(url + "?lang=zh")
        kv = pg.inner_text("#lead-status >> xpath=ancestor::dl")
        assert "已放弃" in kv and "2024-02-29" in kv and "落地日期" not in kv and "2024-06-02" not in kv, kv
        assert not errors, errors
        b.close()


def test_english_answers_of_the_pipeline_name_the_region_and_status_in_english(tmp_path):
    """In English the API answered an English sentence with the Chinese region name (… already has lead #1 in 宁波市)
    and ``status_label`` 新线索: both are said as the 招商项目 page and ``pipeline list --lang en`` say them."""
    path = tmp_path / "fx.duckdb"
    matrix_fixture.build(str(path), n=60)
    team = open_team_db(str(tmp_path / "team.sqlite"))
    client = local_client(create_app(str(path), team=team, local_only=False), headers=team_tokens(team)["analyst"])
    lead = client.post("/api/pipeline/add?lang=en", json={"enterprise": "3", "region": "宁波市"}).json()
    assert (lead["region_name"], lead["status_label"]) == ("Ningbo", "new lead")
    again = client.post("/api/pipeline/add?lang=en", json={"enterprise": "3", "region": "330200"})
    assert again.status_code == 400 and f"already has lead #{lead['id']} in Ningbo (" in again.json()["error"], again.text
    moved = client.post(f"/api/pipeline/leads/{lead['id']}/change?lang=en", json={"status": "contacted"}).json()
    assert moved["status_label"] == "contacted"
    for url in (f"/api/pipeline/leads/{lead['id']}", "/api/pipeline"):
        got = client.get(url + "?lang=en").json()
        got = got["items"][0] if "items" in got else got
        assert (got["region_name"], got["status_label"]) == ("Ningbo", "contacted"), url
        got = client.get(url + "?lang=zh").json()
        got = got["items"][0] if "items" in got else got
        assert (got["region_name"], got["status_label"]) == ("宁波市", "已接触"), url
    again = client.post("/api/pipeline/add?lang=zh", json={"enterprise": "3", "region": "330200"})
    assert "在 宁波市 已有线索" in again.json()["error"]


def test_a_region_code_an_older_audit_entry_holds_alone_is_named_in_team_audit_and_on_the_admin_page(tmp_path, chromium):
    """An audit entry written before the region's name was stored beside its code read 地区：330106 in team audit and
    on the admin page; both name the region through the region service in the reader's language, as the entries
    written since read, and the entry stays as stored (the JSON, the cell's title)."""
    require_browser()
    from cli_util import run, run_json

    from zhaoshang.services.team import audit

    db = tmp_path / "fx.duckdb"
    matrix_fixture.build(str(db), n=60)
    team = open_team_db(None, db_path=str(db))
    audit.record(team, "cli:ana", "pipeline.add", "lead:7",
                 {"enterprise": "甲星智能科技有限公司", "region": "330106", "status": "new", "source": "manual"})
    team.close()
    args = ("team", "audit", "--action", "pipeline.add", "--q", "lead:7")
    zh = run(*args, db=db, env={"COLUMNS": "300"}).stdout
    assert "地区：330106；地区名称：杭州市西湖区；" in zh, zh
    en = run("--lang", "en", *args, db=db, env={"COLUMNS": "300"}).stdout
    assert "region: 330106; region name: Xihu, Hangzhou;" in en, en
    stored = run_json(*args, db=db)["rows"][0]["detail"]
    assert "region_name" not in stored and "330106" in stored, stored
    with serving(db) as base, chromium as b:
        pg = b.new_page()
        for lang, said in (("zh", "地区：330106；地区名称：杭州市西湖区；"), ("en", "region: 330106; region name: Xihu, Hangzhou;")):
            pg.goto(base + f"/admin?action=pipeline.add&lang={lang}")
            cell = pg.locator("#audit-table td.audit-detail").first
            assert said in cell.inner_text(), cell.inner_text()
            assert "region_name" not in cell.get_attribute("title")


def test_a_leads_free_text_is_refused_beyond_its_limit_on_the_page_and_the_api(tmp_path, chromium):
    """12,000 characters in 下一步 were kept and made the list one cell tall: the lead page's fields carry their
    limits (maxlength), and a longer text sent anyway is refused in one line, in the page's language, the form kept;
    the JSON API refuses it too, and nothing is stored."""
    require_browser()
    db, lead = _fixture_with_lead(tmp_path, next_action="电话联系董秘")
    huge = "很长" * 6000
    with serving(db) as base, chromium as b:
        pg = b.new_page()
        pg.goto(base + f"/pipeline/{lead['id']}?lang=zh")
        limits = [pg.get_attribute(s, "maxlength") for s in ("#c-next", "#c-note", "#c-reason")]
        assert limits == ["200", "1000", "1000"], limits
        pg.fill("#c-next", huge)  # the browser keeps 200 of them
        assert len(pg.input_value("#c-next")) == 200
        for lang, said in (("zh", "下一步过长：最多 200 个字符"), ("en", "the next action is too long: at most 200 characters")):
            pg.goto(base + f"/pipeline/{lead['id']}?lang={lang}")
            pg.evaluate("document.querySelector('#c-next').removeAttribute('maxlength')")  # sent anyway
            pg.fill("#c-next", huge)
            pg.click("#c-save")
            pg.wait_for_selector("#pl-error")
            assert pg.inner_text("#pl-error").strip() == said
            assert pg.input_value("#c-next") == huge  # the form as typed, beside why
        pg.goto(base + "/pipeline")
        assert pg.evaluate("document.documentElement.scrollHeight") < 3000
    team = open_team_db(None, db_path=str(db))
    client = local_client(create_app(str(db), team=team, local_only=False), headers=team_tokens(team)["analyst"])
    r = client.post(f"/api/pipeline/leads/{lead['id']}/change", json={"note": "注" * 1001})
    assert r.status_code == 400 and "note" in r.json()["error"] and "\n" not in r.json()["error"], r.text
    r = client.post("/api/pipeline/add", json={"enterprise": "4", "region": "宁波市", "next_action": huge})
    assert r.status_code == 400 and "200" in r.json()["error"], r.text
    r = client.get(f"/api/pipeline/leads/{lead['id']}").json()
    assert r["next_action"] == "电话联系董秘" and not [h for h in r["history"] if h["field"] == "note"]


@pytest.mark.browser
def test_a_refused_add_from_the_profile_comes_back_to_the_profile_with_the_region_typed(tmp_path, chromium):
    """加入招商项目 refused on an enterprise's page (a mistyped region, a lead the pair already has) went to the whole
    pipeline list, the enterprise and the typed region lost: it comes back to the profile, the region as typed, why
    beside the form; a second add of the same pair says which lead it has."""
    require_browser()
    db = tmp_path / "fx.duckdb"
    matrix_fixture.build(str(db), n=60)
    with serving(db) as base, chromium as b:
        pg = b.new_page()
        pg.goto(base + "/enterprises/1")
        pg.fill("#pa-region", "宁波x")
        pg.click("#pa-submit")
        pg.wait_for_selector("#pa-error")
        assert "/enterprises/1" in pg.url and "/pipeline" not in pg.url.split("?")[0], pg.url
        assert "未找到地区" in pg.inner_text("#pa-error") and "宁波市" in pg.inner_text("#pa-error")
        assert pg.input_value("#pa-region") == "宁波x"
        # a typo: the region meant is a button that fills the field with it and sends the form again
        pg.fill("#pa-region", "杭洲")
        pg.click("#pa-submit")
        pg.wait_for_selector("#pa-error .region-fill-choice")
        assert pg.input_value("#pa-region") == "杭洲"
        pg.locator("#pa-error .region-fill-choice", has_text="杭州市").click()
        pg.wait_for_url("**/pipeline/*")
        assert "杭州市" in pg.inner_text("main") and "杭洲" not in pg.inner_text("main")
        pg.goto(base + "/enterprises/1")
        pg.fill("#pa-region", "宁波市")
        pg.click("#pa-submit")
        pg.wait_for_url("**/pipeline/*")
        pg.goto(base + "/enterprises/1?lang=en&as_of=2024-06-30")
        pg.fill("#pa-region", "宁波市")
        pg.click("#pa-submit")
        pg.wait_for_selector("#pa-error")
        assert "#2" in pg.inner_text("#pa-error") and pg.input_value("#pa-region") == "宁波市", pg.inner_text("#pa-error")  # #1: 杭州市
        # back to the profile as it was asked for: as of its day, in the language its URL named
        assert "as_of=2024-06-30" in pg.url and "lang=en" in pg.url, pg.url


@pytest.mark.browser
def test_the_export_buttons_download_the_leads_the_page_lists(tmp_path, chromium):
    """招商项目's 导出 Excel / 导出 CSV download the page's leads under its filters (status, owner, region), in the
    page's order, with the region, status, owner and segment (code and name) the page shows; headed and worded in
    the page's language, the synthetic label of a demo store on every row in that language; named by the region
    filtered on and the day; the file imports again (pipeline import reads its codes)."""
    require_browser()
    from zhaoshang.core.parse.dates import china_today
    from zhaoshang.services.pipeline import leads as pipeline_leads

    db = tmp_path / "fx.duckdb"
    matrix_fixture.build(str(db), n=60)
    team = open_team_db(None, db_path=str(db))
    for name in ("ana", "bo"):
        accounts.add_user(team, name, "analyst", PW, "cli:test")
    with Store(str(db), read_only=True) as store:
        for eid, region, owner, status, segment in ((1, "宁波市", "ana", "contacted", None), (2, "330106", "ana", "contacted", "M02"),
                                                    (3, "宁波市", "bo", "contacted", None), (4, "330106", "ana", "new", None),
                                                    (5, "330108", "ana", "contacted", "D01"), (6, "宁波市", "ana", "contacted", None)):
            pipeline_leads.add(store, team, str(eid), region, owner=owner, status=status, next_action="上门拜访",
                               next_action_date="2030-01-01", segment=segment)
    team.close()
    heads = {"zh": ("编号", "企业名称", "地区", "状态", "负责人", "数据说明", "合成演示数据", "产业链环节", "环节"),
             "en": ("ID", "Enterprise", "Region", "Status", "Owner", "Data label", "synthetic demo data", "Segment code",
                    "Segment")}
    today = china_today()
    with serving(db) as base, chromium as b:
        pg = b.new_page(accept_downloads=True)
        for lang, (lid, ent, region, status, owner, label, synth, seg_code, seg_name) in heads.items():
            pg.goto(base + f"/pipeline?lang={lang}")
            pg.select_option("#f-status", "contacted")
            pg.select_option("#f-owner", "ana")
            # 杭州市 (its districts' leads too) as an analyst types it: the list reads it as /leads does, and its
            # buttons send the region the list resolved, its code (they sent 浙江/杭州 and the export refused it)
            pg.fill("#pl-form input[name=region]", "浙江/杭州" if lang == "zh" else "Hangzhou,")
            pg.click("#pl-apply")
            pg.wait_for_selector("#pl-table")
            assert pg.input_value("#pl-form input[name=region]") == ("杭州市" if lang == "zh" else "Hangzhou")
            for sel in ("#export-csv", "#export-xlsx", "#view-board"):
                assert "region=330100" in pg.get_attribute(sel, "href"), (sel, pg.get_attribute(sel, "href"))
            shown = [(r.get_attribute("data-id"), r.locator("td").nth(1).inner_text(), r.locator("td").nth(2).inner_text(),
                      r.locator("td .chip").inner_text(), r.locator("td").nth(4).inner_text())
                     for r in pg.locator("#pl-table tbody tr").all()]
            assert len(shown) == 2 and {s[3] for s in shown} == {"已接触" if lang == "zh" else "contacted"}, shown
            assert {s[4] for s in shown} == {"ana"} and {s[0] for s in shown} == {"2", "5"}  # 西湖区's and 滨江区's
            segments = [r.locator("td.pl-seg").inner_text() for r in pg.locator("#pl-table tbody tr").all()]
            assert sorted(segments) == (["D01 人形机器人", "M02 计算机视觉"] if lang == "zh" else
                                        ["D01 Humanoid robots", "M02 Computer vision"]), segments
            # the pipeline as it stands today: the page says so, and the file is named by that day
            assert pg.inner_text("#as-of") == today.isoformat()
            # said as today's state, not as the data's 截至 beside the sources' own dates
            assert pg.inner_text("footer.foot").startswith("状态为今天" if lang == "zh" else "state of today"), pg.inner_text("footer.foot")
            for fmt in ("csv", "xlsx"):
                name, rows = download_rows(pg, f"#export-{fmt}", tmp_path, f"{lang}-")
                # the region filtered on in the name (it said pipeline-YYYYMMDD for any filter)
                assert name == f"pipeline-330100-{today:%Y%m%d}.{fmt}", name
                assert [(str(r[lid]), r[ent], r[region], r[status], r[owner]) for r in rows] == shown, (lang, fmt)
                # the segment's code and its name beside it, as the page shows them, in the page's language
                assert [f"{r[seg_code]} {r[seg_name]}" for r in rows] == segments, (lang, fmt)
                # the label in the file's language alone, as the page's badge says it
                assert {r[label] for r in rows} == {synth} == {pg.inner_text("#synthetic-label")}
        # the board view offers the same download
        pg.goto(base + "/pipeline?view=board&status=new&lang=zh")
        name, rows = download_rows(pg, "#export-csv", tmp_path, "board-")
        assert [r["状态"] for r in rows] == ["新线索"] and name == f"pipeline-{today:%Y%m%d}.csv"  # no region filter
        b.close()
    # the English sheet imports again into another team's pipeline, by its codes
    from zhaoshang.services.pipeline import excel

    other = tmp_path / "other.duckdb"
    matrix_fixture.build(str(other), n=60)
    team = open_team_db(None, db_path=str(other))
    accounts.add_user(team, "ana", "analyst", PW, "cli:test")
    with Store(str(other), read_only=True) as store:
        got = excel.import_file(store, team, str(next(tmp_path.glob("en-pipeline-*.xlsx"))))
    assert got["added"] == 2 and {r["owner"] for r in pipeline_leads.list_leads(team)} == {"ana"}
    assert sorted(r["segment"] for r in pipeline_leads.list_leads(team)) == ["D01", "M02"]  # by the code column
    team.close()


@pytest.mark.browser
def test_an_open_ended_next_action_reads_as_such_on_the_pages(tmp_path, chromium):
    """A next action due 长期 (no deadline) showed a blank date on the list, the board and the lead's page, as one
    with no date given. It reads 长期 / open-ended there and in the history, is never 督办, and a change saved on the
    lead's page (a note) keeps it."""
    require_browser()
    db, lead = _fixture_with_lead(tmp_path, next_action="定期回访", next_action_date="长期")
    with serving(db) as base, chromium as b:
        pg = b.new_page()
        pg.goto(base + "/pipeline?lang=zh")
        row = pg.inner_text(f'#pl-table tbody tr[data-id="{lead["id"]}"]')
        assert "长期" in row and "督办" not in row, row
        pg.goto(base + "/pipeline?view=board&lang=en")
        assert "定期回访 open-ended" in pg.inner_text(".pl-col[data-status=\"new\"]")
        pg.goto(base + f"/pipeline/{lead['id']}?lang=en")
        assert pg.inner_text("#lead-next").strip() == "定期回访 open-ended"
        assert "open-ended" in pg.inner_text("#lead-history")
        pg.goto(base + f"/pipeline/{lead['id']}?lang=zh")
        assert pg.inner_text("#lead-next").strip() == "定期回访 长期" and pg.locator("#lead-overdue").count() == 0
        assert pg.input_value("#c-due") == "长期"  # the form says it too, so a save keeps it
        pg.fill("#c-note", "已电话沟通")
        pg.click("#c-save")
        pg.wait_for_url(f"**/pipeline/{lead['id']}")
        assert "已电话沟通" in pg.inner_text("#lead-history") and pg.inner_text("#lead-next").strip() == "定期回访 长期"
        # the 日期 box takes what `--due` takes (the one parser, on the server): a month is its last day, said so;
        # 长期 (or 不限) makes it open-ended again; a day that does not exist is refused in the parser's words
        pg.fill("#c-due", "2027年3月")
        pg.click("#c-save")
        pg.wait_for_url(f"**/pipeline/{lead['id']}?note=*")
        assert pg.inner_text("#lead-next").strip() == "定期回访 2027-03-31" and pg.input_value("#c-due") == "2027-03-31"
        assert pg.inner_text("#pl-done") == "下一步日期「2027年3月」读作 2027-03-31"
        pg.fill("#c-due", "不限")
        pg.click("#c-save")
        pg.wait_for_url(f"**/pipeline/{lead['id']}?note=*")
        assert pg.inner_text("#lead-next").strip() == "定期回访 长期" and pg.input_value("#c-due") == "长期"
        assert pg.inner_text("#pl-done") == "下一步日期「不限」读作 长期（无期限，不督办）"
        pg.fill("#c-due", "2026-02-30")
        pg.click("#c-save")
        pg.wait_for_selector("#pl-error")
        assert "无效的下一步日期: 2026-02-30" in pg.inner_text("#pl-error") and pg.input_value("#c-due") == "2026-02-30"
        # the 理由 box says when a reason is needed, as the rule holds it: 已接触 → 新线索 takes none
        assert pg.inner_text("label:has(#c-reason)").strip() == "理由（放弃，或从 已签约、已落地 退回时必填）"
        pg.goto(base + f"/pipeline/{lead['id']}?lang=zh")
        pg.select_option("#c-status", "contacted")
        pg.click("#c-save")
        pg.wait_for_url(f"**/pipeline/{lead['id']}")
        pg.select_option("#c-status", "new")
        pg.click("#c-save")
        pg.wait_for_url(f"**/pipeline/{lead['id']}")
        assert "新线索" in pg.inner_text("#lead-status") and pg.locator("#pl-error").count() == 0
        b.close()
