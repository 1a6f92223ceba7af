"""预警规则 over HTTP and in the browser: the JSON API (an analyst's rules, YAML in and out, channels with the
secret never shown, 4xx with a message on bad input; a viewer reads and cannot change), and the page in
headless chromium under the CSP — a rule made with the form, then an event another system POSTs to /api/events
while the page is open reaches the live feed within 2 seconds, with a link to its evidence.
ZHAOSHANG_SCREENSHOTS=DIR saves the page's screenshot."""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
import time
import warnings
from pathlib import Path

import pytest

warnings.filterwarnings("ignore", category=DeprecationWarning)
from web_util import local_client  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
import alerts_fixture as AF  # noqa: E402
from alerts_fixture import Receiver  # noqa: E402
from web_util import require_browser, serving, team_tokens  # noqa: E402

from zhaoshang.core.store import Store  # noqa: E402
from zhaoshang.core.teamstate import open_team_db  # noqa: E402
from zhaoshang.interfaces.web.app import create_app  # noqa: E402
from zhaoshang.services.alerts import feed  # noqa: E402
from zhaoshang.services.alerts import rules as R  # noqa: E402

SHOTS = os.environ.get("ZHAOSHANG_SCREENSHOTS")


@pytest.fixture(scope="module")
def fx(tmp_path_factory):
    return AF.copy(tmp_path_factory, "alerts_web")


def test_alerts_api(fx, tmp_path):
    path, info, _ = fx
    team = open_team_db(str(tmp_path / "team.sqlite"))
    tokens = team_tokens(team)
    client = local_client(create_app(str(path), team=team, local_only=False), headers=tokens["analyst"])
    r = client.post("/api/alerts/rules", json={"name": "本地负面", "types": ["news"], "regions": ["杭州市"],
                                               "max_sentiment": -0.5})
    assert r.status_code == 200, r.text
    rule = r.json()
    assert rule["owner"] == "ana" and rule["regions"] == [{"code": AF.CITY, "name": "杭州市"}]
    assert rule["region_notes"] == []  # a name no other region shares: nothing to say
    r = client.post("/api/alerts/rules", json={"name": "朝阳", "types": ["news"], "regions": ["朝阳"]})
    assert r.json()["region_notes"][0]["note"].startswith("朝阳 读作 辽宁省朝阳市 (211300)"), r.text
    bad = client.post("/api/alerts/rules", json={"name": "空"})
    assert bad.status_code == 400 and "没有任何条件" in bad.json()["error"]
    assert client.post("/api/alerts/rules", json={"name": "x", "regions": ["不存在的地方"]}).status_code in (400, 404)
    # the minimum amount as a number or as written (万亿 is a unit), held to the one plausibility bound and said as sent
    big = lambda amount, lang="zh": client.post("/api/alerts/rules", params={"lang": lang}, json={  # noqa: E731
        "name": "大额", "types": ["funding"], "min_amount_wan": amount})
    for sent, shown in ((1e30, "1e30 万元"), ("5000万亿", "5000万亿")):
        r = big(sent)
        assert r.status_code == 400 and r.json()["error"].endswith(
            f"融资金额下限应为 0 到 10,000,000,000 万元（100 万亿元）之间的金额: {shown}"), r.text
    assert big("5000万亿", "en").json()["error"].endswith("(CNY 100 trillion): 5000万亿")
    r = big("1万亿")
    assert r.status_code == 200 and r.json()["min_amount_wan"] == 100_000_000, r.text
    assert client.post(f"/api/alerts/rules/{r.json()['id']}/remove").status_code == 200
    r = client.post("/api/alerts/rules/yaml", content=AF.RULES_YAML.encode(), headers={"Content-Type": "application/yaml"})
    assert r.status_code == 200 and len(r.json()["items"]) == 4
    assert "缺失环节大额融资" in client.get("/api/alerts/rules/yaml").text
    r = client.post("/api/alerts/channels", json={"webhook_url": "http://127.0.0.1:9/h"})  # not on loopback: refused
    assert r.status_code == 400 and "127.0.0.1" in r.json()["error"] and "\n" not in r.json()["error"]
    client = local_client(create_app(str(path), team=team, local_only=False, allow_internal_webhooks=True),
                        headers=tokens["analyst"])  # the admin allowed internal targets
    r = client.post("/api/alerts/channels", json={"email": "ana@example.org", "webhook_url": "http://127.0.0.1:9/h",
                                                  "webhook_secret": "top-secret"})
    assert r.status_code == 200 and "top-secret" not in r.text and r.json()["webhook_secret_set"] is True
    assert r.json()["lang"] == "zh"  # the address set on a Chinese page: a Chinese digest; on an English one, English
    r = client.post("/api/alerts/channels?lang=en", json={"email": "ana@example.org"})
    assert r.json()["lang"] == "en" and r.json()["webhook_secret_set"] is True
    # a misspelt field (webhook for webhook_url) is refused naming it, not answered 200 with nothing changed; so in
    # every JSON body the API takes (a rule, a lead, a placement decision, an event)
    for url, body in (("/api/alerts/channels", {"webhook": "http://127.0.0.1:9/other"}),
                      ("/api/alerts/rules", {"name": "拼错", "types": ["funding"], "min_amount": 100})):
        r = client.post(url, json=body)
        assert r.status_code == 400 and next(iter(set(body) - {"name", "types"})) in r.json()["error"], (url, r.text)
    assert client.get("/api/alerts/channels").json()["webhook_url"] == "http://127.0.0.1:9/h"
    assert "top-secret" not in client.get("/api/alerts").text
    # alerts of this user's rules, with their evidence
    with Store(str(path), read_only=True) as store:
        feed.run(store, team, since="2024-01-01")
    items = client.get("/api/alerts/items").json()["items"]
    assert [a["event_id"] for a in items if a["rule_name"] == "本地负面"] == [info["events"]["local_bad_news"]]
    one = client.get(f"/api/alerts/items/{items[0]['id']}").json()
    assert one["evidence"][0]["table"] == "events"
    assert client.post("/api/alerts/read", json={}).json()["marked"] == len(items)
    # the feed shows one row per event naming every rule it matched (本地负面 and 本地企业负面新闻 both match the
    # local negative news), as the e-mail digest does; the alerts stay one per rule
    rows = client.get("/api/alerts").json()["alerts"]
    bad = [a for a in rows if a["event_id"] == info["events"]["local_bad_news"]]
    assert len(bad) == 1 and set(re.split("、|, ", bad[0]["rule_shown"])) == {"本地负面", "本地企业负面新闻"}, bad
    assert len(bad[0]["alert_ids"]) == 2 and len(rows) == len({a["event_key"] for a in items})
    # a live event two rules match, and the same round from another sender: one event (the one rule of the same
    # event), its second report answered as such (same_event_as) — one row naming both rules, 3 reports. Before: the
    # second was stored as an event of its own, flagged likely_duplicate_of, and raised its own alerts (two rows). A
    # third sender names the round and amount only in its title: read from it as a feed item's are, the same round
    assert client.post("/api/alerts/rules", json={"name": "大额融资", "types": ["funding"],
                                                  "min_amount_wan": 1000}).status_code == 200
    sent = [client.post("/api/events", json={
        "enterprise_id": info["gap_ent"], "type": "funding", "date": day, "title": title, "source": src,
        "detail": detail}).json()["events"][0] for day, title, src, detail in (
        ("2024-06-01", "完成B轮融资5亿元", "36kr", {"round": "B轮", "amount": "5亿元"}),
        ("2024-06-03", "获5亿元B轮融资", "deal-feed", {"round": "B", "amount_wan": 50000}),
        ("2024-06-04", "湍流科技获5亿元B轮融资", "wire", None))]
    assert "same_event_as" not in sent[0] and sent[1]["same_event_as"] == sent[2]["same_event_as"] == sent[0]["key"]
    assert [r["source"] for r in sent[2]["detail"]["reports"]] == ["deal-feed", "wire"]
    with Store(str(path), read_only=True) as store:
        feed.run_live(store, team)
    rows = client.get("/api/alerts").json()["alerts"]
    live = [a for a in rows if a["event_date"] in ("2024-06-01", "2024-06-03", "2024-06-04")]
    assert len(live) == 1 and set(re.split("、|, ", live[0]["rule_shown"])) == {"大额融资", "缺失环节大额融资"}, live
    assert live[0]["reports"] == 3 and len(live[0]["alert_ids"]) == 2, live
    # the row is its event's first alert, as the live feed showed it when it arrived: a reload keeps its number and link
    assert live[0]["id"] == min(live[0]["alert_ids"]) and live[0]["alert_ids"] == sorted(live[0]["alert_ids"]), live
    page = client.get("/alerts?lang=zh").text
    assert "缺失环节大额融资、大额融资" in page or "大额融资、缺失环节大额融资" in page
    assert f'data-id="{live[0]["id"]}"' in page and f'href="/alerts/{live[0]["id"]}"' in page
    # the page says how many alerts there are beside its rows (one per event), as `alerts list` counts them
    doc = client.get("/api/alerts").json()
    total = len(feed.list_alerts(team, doc["owner"], limit=10_000))
    assert doc["counts"]["alerts"] == total == sum(len(a["alert_ids"]) for a in rows) > len(rows)
    count = re.search(r'id="al-count" data-alerts="(\d+)" data-unread="(\d+)" data-rows="(\d+)">([^<]*)<', page)
    assert count and count.groups()[:3] == (str(total), str(doc["counts"]["unread"]), str(len(rows)))
    assert f"预警共 {total:,} 条" in count[4] and f"此处 {len(rows):,} 行，含预警 {total:,} 条" in count[4] and "最近" not in count[4]
    # a viewer reads their own (empty) feed, cannot change rules, and cannot open another user's alert
    v = tokens["viewer"]
    assert client.get("/api/alerts", headers=v).json()["alerts"] == []
    assert client.post("/api/alerts/rules", json={"name": "v", "types": ["news"]}, headers=v).status_code == 403
    assert client.get(f"/api/alerts/items/{items[0]['id']}", headers=v).status_code == 404
    page = client.get("/alerts", headers=v).text
    assert 'id="al-feed"' in page and 'id="al-form"' not in page
    assert 'id="al-view-only"' not in client.get("/alerts").text  # the analyst makes rules: no such sentence
    assert client.post(f"/api/alerts/rules/{rule['id']}/remove").json()["name"] == "本地负面"
    assert client.get("/api/alerts/items/99999").status_code == 404


def test_a_viewer_marks_their_own_alerts_read(fx, tmp_path):
    """Marking read is the reader's own state, not an edit of the team's records: a viewer signed in on the page
    marks their own alerts read (the button is there), and over the API with a token; each is in the audit log.
    Rules stay the analysts' (team_write), and nobody marks another user's alerts."""
    import re

    path, info, _ = fx
    team = open_team_db(str(tmp_path / "team.sqlite"))
    tokens = team_tokens(team, users=(("ana", "analyst"), ("vera", "viewer"), ("boss", "admin")))
    with Store(str(path), read_only=True) as store:  # each of them holds a rule (vera's made while an analyst)
        for who in ("vera", "ana", "local"):  # (local: as the demo's rules, made before the team server)
            AF.rule_kept_by(store, team, {"name": "本地负面", "types": ["news"], "regions": ["杭州市"]}, who)
        feed.run(store, team, since="2024-01-01")
    mine = feed.list_alerts(team, "vera")
    assert mine and len(feed.list_alerts(team, "ana", unread=True)) == len(mine)
    app = create_app(str(path), team=team, local_only=False)
    c = local_client(app, follow_redirects=False)
    csrf = lambda html: re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # noqa: E731
    r = c.post("/login", data={"name": "vera", "password": "a-long-enough-password-1", "csrf_token": csrf(c.get("/login").text)})
    assert r.status_code == 303
    page = c.get("/alerts").text
    assert 'id="al-read-all"' in page and 'id="al-form"' not in page  # the button, not the rules' form
    assert "当前角色只能查看，不能新建或删除预警规则。" in page  # said, as on a lead's page, not left to guess
    assert "Your role can only view: it cannot create or remove alert rules." in c.get("/alerts?lang=en").text
    assert c.post("/alerts/read").status_code == 403  # still a state change: the session's CSRF token is needed
    r = c.post("/alerts/read", data={"csrf_token": csrf(page)})
    assert r.status_code == 303 and feed.list_alerts(team, "vera", unread=True) == []
    assert len(feed.list_alerts(team, "ana", unread=True)) == len(mine)  # another user's feed is untouched
    assert c.post("/api/alerts/rules", json={"name": "v", "types": ["news"]},
                  headers={"X-CSRF-Token": csrf(page)}).status_code == 403
    v = tokens["viewer"]
    with team.tx() as tx:
        tx.execute("UPDATE alerts SET read_at = NULL WHERE owner = 'vera'")
    r = c.post("/api/alerts/read", json={"ids": [mine[0]["id"]]}, headers=v)
    assert r.status_code == 200 and r.json()["marked"] == 1
    ana_alert = feed.list_alerts(team, "ana")[0]["id"]
    assert c.post("/api/alerts/read", json={"ids": [ana_alert]}, headers=v).json()["marked"] == 0
    assert len(feed.list_alerts(team, "ana", unread=True)) == len(mine)
    with team.tx() as tx:
        entries = tx.query("SELECT actor, role, target, detail FROM audit_log WHERE action = 'alerts.read' ORDER BY id")
    assert [(e["actor"], e["role"], e["target"]) for e in entries] == [("vera", "viewer", "user:vera")] * 3
    assert [json.loads(e["detail"])["marked"] for e in entries] == [len(mine), 1, 0]
    assert json.loads(entries[1]["detail"])["ids"] == [mine[0]["id"]]
    # on a team server nobody signs in as local, whose rules (the demo's) go on running: the admin page lists the
    # other users' rules, local's said to be this machine's, and an admin removes one; an analyst cannot
    boss = local_client(app, headers=tokens["admin"], follow_redirects=False)
    html = boss.get("/admin").text
    owners = re.findall(r'<tr data-rule="(\d+)" data-owner="([^"]+)"', html)
    assert sorted(o for _, o in owners) == ["ana", "local", "vera"], owners
    assert "（本机用户，无人能登录）" in html
    local_rule = next(int(i) for i, o in owners if o == "local")
    assert c.post(f"/admin/alert-rules/{local_rule}/remove", headers=tokens["analyst"]).status_code == 403
    assert boss.post(f"/admin/alert-rules/{local_rule}/remove").status_code == 303
    assert [r["owner"] for r in R.list_rules(team)] == ["vera", "ana"]
    with team.tx() as tx:
        gone = tx.query("SELECT actor, detail FROM audit_log WHERE action = 'alerts.rule_remove' ORDER BY id")
    assert [(e["actor"], json.loads(e["detail"])["owner"]) for e in gone] == [("boss", "local")]


def test_a_viewer_marks_their_alerts_read_in_the_browser(fx, tmp_path, chromium):
    """A viewer signed in on a team server sees 全部标为已读 on 预警规则 and, clicking it, reads their feed as read."""
    require_browser()
    path, _, _ = fx
    team_path = tmp_path / "team.sqlite"
    team = open_team_db(str(team_path))
    team_tokens(team, users=(("boss", "admin"), ("vera", "viewer")))  # a team server needs its admin
    with Store(str(path), read_only=True) as store:
        AF.rule_kept_by(store, team, {"name": "本地负面", "types": ["news"], "regions": ["杭州市"]}, "vera")
        feed.run(store, team, since="2024-01-01")
    n = len(feed.list_alerts(team, "vera", unread=True))
    assert n
    with serving(path, args=("--team-db", str(team_path), "--require-login")) as base, chromium as b:
        pg = b.new_page()
        errors: list[str] = []
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        pg.goto(base + "/login?next=/alerts")
        pg.fill("#login-name", "vera")
        pg.fill("#login-password", "a-long-enough-password-1")
        pg.click("#login-submit")
        pg.wait_for_url("**/alerts")
        assert pg.locator(".al-row.unread").count() == n and pg.locator("#al-form").count() == 0
        assert pg.locator("#al-view-only").inner_text() == "当前角色只能查看，不能新建或删除预警规则。"
        with pg.expect_navigation():
            pg.click("#al-read-all")
        assert pg.locator(".al-row").count() == n and pg.locator(".al-row.unread").count() == 0
        assert errors == []
        b.close()
    assert feed.list_alerts(team, "vera", unread=True) == []


@contextlib.contextmanager
def _served_alerts_page(db, chromium, width: int = 1400, height: int = 1000):
    """The database served, and a page of the module's headless chromium (the ``chromium`` fixture) on its /alerts:
    ``(base URL, page, console errors)``."""
    with serving(db) as base, chromium as b:
        pg = b.new_page(viewport={"width": width, "height": height})
        errors: list[str] = []
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        pg.goto(base + "/alerts")
        try:
            yield base, pg, errors
        finally:
            b.close()


def _submit_rule(pg, name: str, kind: str, fields: dict[str, str], channel: str | None = None) -> None:
    """The new-rule form filled in (name, one event type, fields by selector, a channel) and sent."""
    pg.fill("#r-name", name)
    pg.check(f"input[name=types][value={kind}]")
    for sel, value in fields.items():
        pg.fill(sel, value)
    if channel:
        pg.check(f"input[name=channels][value={channel}]")
    pg.click("#r-save")


@pytest.mark.browser
def test_alerts_page_live_in_the_browser(fx, tmp_path, monkeypatch, chromium):
    require_browser()
    monkeypatch.setenv("ZHAOSHANG_ALERT_BACKOFF", "0.3")  # the served process retries a failed webhook soon

    path, info, _ = fx
    db = tmp_path / "served.duckdb"
    db.write_bytes(path.read_bytes())
    with Store(str(db), read_only=True) as store:
        target = store.con.execute("SELECT name FROM enterprises WHERE id = ?", [info["gap_ent"]]).fetchone()[0]
    import httpx

    from zhaoshang.core.teamstate import default_team_url

    served_team = open_team_db(default_team_url(str(db)))
    other_system = team_tokens(served_team, users=(("partner", "analyst"),))["analyst"]
    rx = Receiver(fail=1)  # the local user's webhook: fails once, then accepts
    R.set_channels(served_team, "local", webhook_url=rx.url, webhook_secret="whsec-browser")
    with _served_alerts_page(db, chromium) as (base, pg, errors):
        assert pg.locator("#al-empty").is_visible()
        assert "本机单用户" in pg.inner_text("h1") and "local" not in pg.inner_text("h1")  # whose rules: in words
        pg.fill("#r-name", "坏规则")
        pg.click("#r-save")  # nothing but a name: refused with one line
        assert "没有任何条件" in pg.inner_text("#al-form-error")
        assert "事件类型、关注企业" in pg.inner_text("#al-form-error")  # the form's words, not only the YAML keys
        # a rule made with the form (CSRF token of the page): a funding ≥ 1亿 in 杭州市's gap segments
        _submit_rule(pg, "缺失环节大额融资", "funding", {"#r-gaps": "杭州市", "#r-amount": "10000"}, channel="webhook")
        pg.wait_for_selector("#al-rules tr[data-id]")
        assert "杭州市的补链环节" in pg.inner_text("#al-rules") and pg.locator("#al-error").count() == 0
        _submit_rule(pg, "大额融资", "funding", {"#r-amount": "1000"})  # a second rule the same event matches
        pg.wait_for_selector("#al-rules tr[data-id] >> nth=1")
        pg.wait_for_selector("#al-live[data-state=on]")
        # an event arrives from another system by POST /api/events while the page is open
        r = httpx.post(base + "/api/events", headers=other_system, timeout=10, json={
            "enterprise_id": info["gap_ent"], "type": "funding", "date": "2024-06-01", "title": "融资: C轮 3亿元",
            "detail": {"round": "c", "amount_wan": 30000}, "source": "live-test", "source_key": "x-1"})
        t0 = time.monotonic()
        assert r.status_code == 200, r.text
        pg.wait_for_selector("#al-feed tr.al-new", timeout=2000)
        took = time.monotonic() - t0
        assert took < 2.0
        # both rules' alerts reach the page: one row for the event, naming both (as the page renders it after)
        pg.wait_for_function("""() => { const c = document.querySelector('#al-feed tr.al-new .al-rule');
            return c && c.textContent.includes('、'); }""", timeout=3000)
        assert pg.locator("#al-feed tr.al-new").count() == 1
        row = pg.inner_text("#al-feed tr.al-new")
        assert target in row and "缺失环节大额融资" in row and ("大额融资、" in row or "、大额融资" in row)
        # the event beside its type column, without the head that says the type again (融资 | C轮 3亿元)
        assert pg.inner_text("#al-feed tr.al-new td:nth-child(6)").strip() == "C轮 3亿元"
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            pg.screenshot(path=str(Path(SHOTS) / "alerts.png"), full_page=True)
        pg.click("#al-feed tr.al-new a.al-evidence")
        pg.wait_for_selector("#alert-card")
        assert "实时事件" in pg.inner_text("#alert-source") and "live-test · x-1" in pg.inner_text("#alert-source")
        assert pg.get_attribute("#alert-timeline", "href") == f"/monitor?enterprise={info['gap_ent']}"
        # why it fired: a raw value in words stays in its column (an enterprise's name ran under the contribution)
        cut = pg.evaluate("""() => [...document.querySelectorAll('.xp-parts td')]
            .filter(td => td.scrollWidth > td.clientWidth + 1).map(td => td.innerText)""")
        assert cut == [], cut
        # the conditions that fired carry no contribution (was a column of dashes), and their words get the room:
        # the gap's segment names on one or two lines (squeezed into 64 px they ran to one word a line)
        assert pg.locator(".xp-parts th").all_inner_texts() == ["信号", "原始值"]
        high = pg.evaluate("""() => { const td = document.querySelector('.xp-part[data-signal=gap] td.xp-text');
            return td.getBoundingClientRect().height / parseFloat(getComputedStyle(td).lineHeight); }""")
        assert high < 3.5, high
        parts = pg.inner_text(".xp-parts")
        assert "融资金额（万元）" in parts and "30,000" in parts.replace("30000", "30,000")
        assert pg.inner_text("#alert-title").strip() == "C轮 3亿元"
        # why it fired, by name: the event type's label and the gap segments' names, not funding and ['U02']
        with Store(str(db), read_only=True) as store:
            names = {c: f"{c} {n}" for c, n in store.con.execute("SELECT code, name_zh FROM chain_nodes").fetchall()}
        assert pg.inner_text(".xp-part[data-signal=type] td.num") == "融资"
        gap = pg.inner_text(".xp-part[data-signal=gap] td.num")
        assert "[" not in gap and set(gap.split("、")) <= set(names.values()), gap
        pg.goto(base + "/alerts")  # rendered by the page, not streamed: the same
        titles = pg.eval_on_selector_all("#al-feed tbody tr td:nth-child(6)", "tds => tds.map(t => t.innerText.trim())")
        assert "C轮 3亿元" in titles and not [x for x in titles if x.startswith("融资")], titles
        # at a laptop's width the feed's dates and the rules' 删除 stay on one line (2026-12- / 01, 删 / 除 at 1366)
        pg.set_viewport_size({"width": 1366, "height": 768})
        pg.goto(base + "/alerts")
        lines = pg.evaluate("""() => [...document.querySelectorAll('#al-feed td.date, #al-rules .al-remove')].map(el => {
            const r = document.createRange(); r.selectNodeContents(el);
            return [el.innerText, new Set([...r.getClientRects()].map(x => Math.round(x.top))).size]; })""")
        assert lines and all(n == 1 for _, n in lines), lines
        pg.goto(base + "/alerts?lang=en")
        assert "Alert feed" in pg.inner_text("#al-feed-card") and "gaps of Hangzhou" in pg.inner_text("#al-rules")
        titles = pg.eval_on_selector_all("#al-feed tbody tr td:nth-child(6)", "tds => tds.map(t => t.innerText.trim())")
        assert "Series C CNY 300 million" in titles and not [x for x in titles if x.startswith("funding")], titles
        assert errors == []
        # the server's background schedule delivered the webhook: retried after the first failure, signed
        for _ in range(200):
            if rx.ok:
                break
            time.sleep(0.1)
        assert len(rx.calls) == 2 and rx.ok[0][0]["X-Zhaoshang-Signature"].startswith("sha256=")
    rx.close()


@pytest.mark.browser
def test_dead_letters_are_shown_on_the_page_and_sent_again(fx, tmp_path, monkeypatch, chromium):
    """A webhook that failed every attempt was listed only by `zhaoshang alerts deliveries`: the alerts page never
    said a push had been lost. The page now lists the user's dead letters with their last error, and one button puts
    them back in the queue; the server's delivery schedule sends them (the receiver accepts this time)."""
    require_browser()
    monkeypatch.setenv("ZHAOSHANG_ALERT_ATTEMPTS", "1")  # the first failure is final: a dead letter at once
    monkeypatch.setenv("ZHAOSHANG_ALERT_BACKOFF", "0.3")
    from zhaoshang.core.teamstate import default_team_url
    from zhaoshang.services.alerts import delivery

    path, info, _ = fx
    db = tmp_path / "served.duckdb"
    db.write_bytes(path.read_bytes())
    served_team = open_team_db(default_team_url(str(db)))
    other_system = team_tokens(served_team, users=(("partner", "analyst"),))["analyst"]
    rx = Receiver(fail=1)
    R.set_channels(served_team, "local", webhook_url=rx.url, webhook_secret="whsec-dead")
    import httpx

    with _served_alerts_page(db, chromium, 1366, 900) as (base, pg, errors):
        assert pg.locator("#al-dead-none").is_visible() and pg.locator("#al-dead").count() == 0
        pg.fill("#r-name", "融资推送")
        pg.check("input[name=types][value=funding]")
        pg.fill("#r-gaps", "杭州市")
        pg.check("input[name=channels][value=webhook]")
        pg.click("#r-save")
        pg.wait_for_selector("#al-rules tr[data-id]")
        r = httpx.post(base + "/api/events", headers=other_system, timeout=10, json={
            "enterprise_id": info["gap_ent"], "type": "funding", "date": "2024-06-01", "title": "融资: B轮 1亿元",
            "detail": {"round": "b", "amount_wan": 10000}, "source": "dead-test", "source_key": "d-1"})
        assert r.status_code == 200, r.text
        for _ in range(200):  # the schedule tries once, the receiver answers 500: a dead letter
            if delivery.list_deliveries(served_team, status="dead"):
                break
            time.sleep(0.1)
        dead = delivery.list_deliveries(served_team, status="dead")
        assert len(dead) == 1 and len(rx.calls) == 1 and rx.ok == []
        pg.goto(base + "/alerts")
        row = pg.locator(f'#al-dead li[data-id="{dead[0]["id"]}"]')
        assert row.count() == 1 and rx.url in row.inner_text() and "500" in row.inner_text(), row.inner_text()
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            pg.locator("#al-settings").screenshot(path=str(Path(SHOTS) / "alerts-dead-letters.png"))
        pg.goto(base + "/alerts?lang=en")
        assert "Failed deliveries (dead letters)" in pg.inner_text("#al-settings")
        pg.click("#dead-retry")
        pg.wait_for_load_state("networkidle")
        for _ in range(200):  # sent again by the server's schedule, accepted and signed
            if rx.ok:
                break
            time.sleep(0.1)
        assert len(rx.ok) == 1 and rx.ok[0][0]["X-Zhaoshang-Signature"].startswith("sha256=")
        assert delivery.list_deliveries(served_team, status="dead") == []
        pg.goto(base + "/alerts")
        assert pg.locator("#al-dead-none").is_visible()
        assert errors == []
    rx.close()
    served_team.close()


def test_the_alerts_page_shows_only_refusals_the_server_signed(fx, tmp_path):
    """A refused form comes back with a signed note, read in the page's language; a link carrying its own text
    (?error=…, ?note=…) puts nothing in the page's box."""
    import re
    from html import unescape
    from urllib.parse import parse_qs, unquote

    path, _, _ = fx
    c = local_client(create_app(str(path), team=open_team_db(str(tmp_path / "team.sqlite"))), follow_redirects=False)
    for q in ({"error": "会话已过期，请到 http://phish.example 重新登录"}, {"note": "forged"}):
        assert 'id="al-error"' not in c.get("/alerts", params=q).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/alerts").text).group(1)
    back = c.post("/alerts/rules/999/remove", data={"csrf_token": token}).headers["location"]
    assert "没有这条规则" not in unquote(back)  # the words are not in the address
    zh = c.get(back + "&lang=zh").text
    assert 'id="al-error"' in zh and "没有这条规则" in zh
    assert 'id="al-error"' in c.get(back + "&lang=en").text
    # a refused new rule is answered with the form itself, filled in, and why beside it (no address to carry)
    page = c.post("/alerts/rules/add?lang=zh", data={"csrf_token": token, "name": "空"})
    assert page.status_code == 200 and 'id="al-form-error"' in page.text and "没有任何条件" in page.text
    switch = re.search(r'<a href="([^"]*)"[^>]*id="lang-en"', page.text).group(1)  # to the page, not the POST's 405
    # …carrying the refusal and what was typed in a signed note: the form in English, filled in as it was (it opened
    # empty); a GET, which never creates the rule
    switch = unescape(switch)
    assert switch.startswith("/alerts?") and set(parse_qs(switch.split("?")[1])) == {"lang", "note"}
    assert parse_qs(switch.split("?")[1])["lang"] == ["en"] and "空" not in unquote(switch)
    en = c.get(switch)
    assert en.status_code == 200 and re.search(r'id="r-name"[^>]*value="空"', en.text)
    said = re.search(r'id="al-form-error" role="alert">([^<]*)<', en.text).group(1)
    assert "has no condition: give at least one of event types" in said and "没有任何条件" not in en.text, said
    assert c.get("/api/alerts/rules").json()["items"] == []
    # a saved rule whose region's name other regions share says how it was read, in the region service's words
    back = c.post("/alerts/rules/add?lang=zh", data={"csrf_token": token, "name": "朝阳融资", "types": "funding",
                                                      "regions": "朝阳"}).headers["location"]
    said = re.search(r'id="al-warn">([^<]*)<', c.get(back).text)
    assert said and said.group(1).startswith("朝阳 读作 辽宁省朝阳市 (211300)（同名：北京市朝阳区 (110105)")


def test_a_misspelt_region_on_the_rule_form_is_said_once(fx, tmp_path):
    """A misspelt region on 预警规则: 未找到地区 杭洲 once, then the regions meant once, as the buttons that put one in
    its field — the sentence listed them too (未找到地区 杭洲，您是不是要找：杭州市 (330100)、…? 您是不是要找： 杭州市、…);
    in English alike."""
    from html import unescape

    path, _, _ = fx
    c = local_client(create_app(str(path), team=open_team_db(str(tmp_path / "team.sqlite"))), follow_redirects=False)
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/alerts").text).group(1)
    for lang, head, asks in (("zh", "未找到地区 杭洲", "您是不是要找"), ("en", "region not found: 杭洲", "Did you mean")):
        page = c.post(f"/alerts/rules/add?lang={lang}", data={"csrf_token": token, "name": "本地融资", "types": "funding",
                                                                 "regions": "上海市，杭洲"})
        assert page.status_code == 200
        said = re.search(r'<p class="warn" id="al-form-error" role="alert">(.*?)</p>', page.text, re.S).group(1)
        choices = re.findall(r'<button type="button" class="linkbtn region-fill-choice"[^>]*>([^<]*)</button>', said)
        text = " ".join(unescape(re.sub(r"<[^>]+>", " ", said)).split())
        assert text.startswith(head) and text.lower().count(asks.lower()) == 1 and "330100" not in text, text
        assert any(c.startswith("杭州市") for c in choices) and all(text.count(c) == 1 for c in choices), (text, choices)
    # 加入招商项目 on an enterprise's page shows the same refusal the same way
    eid = _first_enterprise(path)
    back = c.post("/pipeline/add", data={"csrf_token": token, "enterprise": str(eid), "region": "杭洲"}).headers["location"]
    said = re.search(r'<p class="warn" id="pa-error">(.*?)</p>', c.get(back).text, re.S).group(1)
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", said)).split())  # in English, the language chosen last
    assert text.startswith("region not found: 杭洲") and text.count("Did you mean") == 1 and "330100" not in text, text
    # every field refused at once, as a filter form says them: the region above the form, the sentiments' order beside
    # their box (it was said only once the region was mended)
    page = c.post("/alerts/rules/add?lang=zh", data={"csrf_token": token, "name": "本地融资", "types": "funding",
                                                      "regions": "杭洲", "min_sentiment": "0.5", "max_sentiment": "-0.5"})
    said = re.search(r'<p class="warn" id="al-form-error" role="alert">(.*?)</p>', page.text, re.S).group(1)
    assert "未找到地区 杭洲" in said and "情感下限" not in said
    beside = re.search(r'id="error-min_sentiment" role="alert">([^<]*)</span>', page.text)
    assert beside and beside.group(1) == "情感下限（0.5）高于情感上限（-0.5）：这条规则永远不会触发", page.text[-3000:]
    assert page.text.count('class="field-error"') == 1
    # the language switch of that page draws the same form in English: every refusal in its place, the regions
    # offered, what was typed kept (a box's text, a ticked type)
    en = c.get(unescape(re.search(r'<a href="([^"]*)"[^>]*id="lang-en"', page.text).group(1))).text
    said = re.search(r'<p class="warn" id="al-form-error" role="alert">(.*?)</p>', en, re.S).group(1)
    assert "region not found: 杭洲" in said and "杭州" in said and "Did you mean" not in said.split("region not found")[0]
    beside = re.search(r'id="error-min_sentiment" role="alert">([^<]*)</span>', en)
    assert beside and "0.5" in beside.group(1) and not re.search(r"[\u4e00-\u9fff]", beside.group(1)), beside
    assert re.search(r'id="r-regions" value="杭洲"', en) and re.search(r'id="r-mins"[^>]*value="0.5"', en)
    assert re.search(r'name="types" value="funding" checked', en) and en.count('class="field-error"') == 1


def _first_enterprise(path) -> int:
    with Store(str(path), read_only=True) as store:
        return store.con.execute("SELECT min(id) FROM enterprises").fetchone()[0]


@pytest.mark.browser
def test_a_refused_rule_comes_back_filled_in_with_the_forms_words(fx, tmp_path, chromium):
    """A rule refused on 预警规则 shows the form again as it was filled in, with why beside it in the form's own
    words (情感上限, not max_sentiment; 2 as typed, not 2.0), in both languages; 1亿 in 融资金额下限 is read by the
    amount parser as 10000 万元, as the field's hint says."""
    require_browser()
    path, info, _ = fx
    db = tmp_path / "refused.duckdb"
    db.write_bytes(path.read_bytes())
    with Store(str(db), read_only=True) as store:
        target = store.con.execute("SELECT name FROM enterprises WHERE id = ?", [info["gap_ent"]]).fetchone()[0]
    with _served_alerts_page(db, chromium) as (base, pg, errors):
        pg.fill("#r-name", "关注动态")
        pg.fill("#r-enterprises", target)
        pg.check("input[name=types][value=funding]")
        pg.fill("#r-maxs", "2")
        pg.check("input[name=channels][value=email]")
        pg.click("#r-save")
        pg.wait_for_selector("#al-form-error")
        assert pg.inner_text("#al-form-error").strip() == "情感上限应在 -1 到 1 之间: 2"
        assert "max_sentiment" not in pg.content().split('id="al-form-error"')[1].split("</p>")[0]
        assert (pg.input_value("#r-name"), pg.input_value("#r-enterprises"), pg.input_value("#r-maxs")) == \
            ("关注动态", target, "2")
        assert pg.is_checked("input[name=types][value=funding]") and pg.is_checked("input[name=channels][value=email]")
        assert not pg.is_checked("input[name=types][value=news]")
        # a misspelt enterprise: refused, the rest kept
        pg.fill("#r-maxs", "")
        pg.fill("#r-enterprises", target + "工")
        pg.click("#r-save")
        pg.wait_for_selector("#al-form-error")
        assert "未找到企业" in pg.inner_text("#al-form-error") and pg.input_value("#r-name") == "关注动态"
        # an amount beyond the plausibility bound, written with its unit: refused as too large, as typed
        pg.fill("#r-enterprises", target)
        pg.fill("#r-amount", "5000万亿")
        pg.click("#r-save")
        pg.wait_for_selector("#al-form-error")
        assert pg.inner_text("#al-form-error").strip() == \
            "融资金额下限应为 0 到 10,000,000,000 万元（100 万亿元）之间的金额: 5000万亿"
        assert pg.input_value("#r-amount") == "5000万亿"
        # the amount as the hint writes it
        pg.fill("#r-amount", "1亿")
        pg.click("#r-save")
        pg.wait_for_selector("#al-rules tr[data-id]")
        assert pg.locator("#al-form-error").count() == 0 and pg.input_value("#r-name") == ""
        assert "金额 ≥ 10,000 万元" in pg.inner_text("#al-rules"), pg.inner_text("#al-rules")
        # a misspelt region in a list: the region meant replaces it in its field, the form is sent again
        _submit_rule(pg, "本地融资", "funding", {"#r-regions": "上海市，杭洲"})
        pg.wait_for_selector("#al-form-error .region-fill-choice")
        assert "未找到地区 杭洲" in pg.inner_text("#al-form-error") and pg.input_value("#r-name") == "本地融资"
        pg.locator("#al-form-error .region-fill-choice", has_text="杭州市").click()
        pg.wait_for_selector("#al-rules tr[data-id]:has-text('本地融资')")
        assert pg.locator("#al-form-error").count() == 0
        conditions = pg.locator("#al-rules tr", has_text="本地融资").inner_text()
        assert "上海市" in conditions and "杭州市" in conditions and "杭洲" not in conditions, conditions
        # English: the same refusal in the form's English words
        pg.goto(base + "/alerts?lang=en")
        _submit_rule(pg, "tone", "news", {"#r-maxs": "-0.5", "#r-mins": "0.5"})
        pg.wait_for_selector("#al-form-error")
        assert pg.inner_text("#al-form-error").strip() == (
            "the minimum sentiment (0.5) is above the maximum sentiment (-0.5): the rule could never fire")
        assert (pg.input_value("#r-maxs"), pg.input_value("#r-mins")) == ("-0.5", "0.5")
        assert errors == [], errors
