"""Event timelines and live events: the timeline of imported events (the real importer's ``events``) merged with
live ones, its filters (since, region, chain node, type, enterprise) on the CLI and the API; ``POST /api/events``
with an API token (validated, linked by id / credit code / name, deduplicated, 4xx with a message, rate-limited);
the bus (listeners and async subscribers); and the 动态监测 page updating live in chromium within 2 seconds."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import moved_fixture  # noqa: E402
from cli_util import run, run_json  # noqa: E402
from web_util import ARGS, CHROMIUM, cut_placeholders, require_browser, serving  # noqa: E402

from zhaoshang.core.asof import reference_date  # noqa: E402
from zhaoshang.core.errors import NotFound, UserError, count_en  # noqa: E402
from zhaoshang.core.store import Store  # noqa: E402
from zhaoshang.core.teamstate import open_team_db  # noqa: E402
from zhaoshang.services.monitoring import bus as B  # noqa: E402
from zhaoshang.services.monitoring import events as E  # noqa: E402
from zhaoshang.services.team import accounts  # noqa: E402

PW = "a-long-enough-password-1"


@pytest.fixture(scope="module")
def fx(tmp_path_factory):
    d = tmp_path_factory.mktemp("mon")
    path = d / "fx.duckdb"
    info = moved_fixture.build(str(path), d)
    return path, info


def _event(**kw):
    return {"enterprise": moved_fixture.NAME, "type": "personnel", "date": "2024-03-05", "title": "总经理变更",
            "source": "registry-watch", "source_key": "chg-1"} | kw


def test_timeline_merges_imported_and_live_events_with_filters(fx, team_url):
    """On both team-state backends (SQLite and a real PostgreSQL)."""
    path, info = fx
    team = open_team_db(team_url)
    got = []
    bus = B.EventBus()
    bus.add_listener(got.append)
    with Store(str(path), read_only=True) as store:
        imported = E.timeline(store, None, enterprise=moved_fixture.NAME)
        types = [ev["type"] for ev in imported["items"]]
        assert "change_region" in types and "founded" in types  # derived by the importer
        res = E.ingest(store, team, [_event()], bus=bus)
        assert len(res["stored"]) == 1 and got == res["stored"]
        ev = res["stored"][0]
        assert ev["enterprise_id"] == info["id"] and ev["province_code"] == moved_fixture.AFTER
        assert ev["nodes"] == [moved_fixture.NODE] and ev["key"] == f"m{ev['id']}"
        # the same enterprise + type + date + source key again: one event; by credit code it links the same
        again = E.ingest(store, team, [_event(enterprise=moved_fixture.USCC, title="总经理变更（更正）")], bus=bus)
        assert again["stored"] == [] and again["duplicates"][0]["key"] == ev["key"] and len(got) == 1
        # region, node, type and since filters apply to both kinds
        tl = E.timeline(store, team, region="广东", node=moved_fixture.NODE)
        assert {e["origin"] for e in tl["items"]} == {"import", "api"}
        assert all(e["enterprise_id"] == info["id"] for e in tl["items"])
        assert E.timeline(store, team, region="浙江", types="personnel")["items"] == []
        assert [e["key"] for e in E.timeline(store, team, types="personnel,risk")["items"]] == [ev["key"]]
        assert E.timeline(store, team, since="2024-03-06", types="personnel")["items"] == []
        assert E.timeline(store, team, limit=3)["count"] == 3
        # as of a date like every other view: later events are not among the items but listed apart
        tl = E.timeline(store, team, as_of="2020-01-01")
        assert tl["as_of"] == "2020-01-01" and tl["items"] and tl["later"]["items"]
        assert all(e["date"] <= "2020-01-01" for e in tl["items"])
        assert all(e["date"] > "2020-01-01" for e in tl["later"]["items"])
        assert ev["key"] in {e["key"] for e in tl["later"]["items"]}  # the live event of 2024 too
        assert tl["later"]["live"] == 1 and tl["later"]["import_day"] == 0  # the imports were given their dates
        assert "change_region" not in {e["type"] for e in tl["items"]}  # the move of 2022-06-30
        now = E.timeline(store, team)  # the default: the reference date, the date every page shows
        assert now["as_of"] == reference_date(store).isoformat()
        assert all(e["date"] <= now["as_of"] for e in now["items"])
        # live filtering of published events uses the same region rule (a macro-region included)
        assert E.Filter(store, region="珠三角").matches(ev) and not E.Filter(store, region="长三角").matches(ev)
        assert E.Filter(store, node=moved_fixture.NODE, types="personnel").matches(ev)
        for bad, msg in [({"type": "rumour"}, "未知的事件类型"), ({"date": "2024-02-30"}, "无效的事件日期"),
                         ({"enterprise": "不存在的公司"}, "未找到企业"), ({"title": " "}, "缺少标题"),
                         ({"sentiment": 2}, "情感值"), ({"date": "2099-01-01"}, "晚于今天")]:
            with pytest.raises(UserError, match=msg):
                E.ingest(store, team, [_event(**bad)], bus=bus)
        with pytest.raises(UserError, match="第 2 个事件"):  # a batch is all or nothing, naming the bad one
            E.ingest(store, team, [_event(source_key="ok-2"), _event(type="rumour")], bus=bus)
        assert len(got) == 1
        with pytest.raises(NotFound):
            E.timeline(store, team, node="Z99")



def test_a_region_change_is_said_in_english_by_the_regions_english_names(fx, tmp_path):
    """The move of 2022 read region: 浙江省 → 广东省 in English: the events' list, the profile's timeline, an alert
    on it and the English table name the regions as the region service names them in English; the profile's facts
    without an event are titled and read in English as their events."""
    from zhaoshang.services.alerts import feed
    from zhaoshang.services.alerts import rules as R
    from zhaoshang.services.enterprises import enterprise_profile

    path, info = fx
    with Store(str(path), read_only=True) as store:
        [ev] = E.timeline(store, None, enterprise=moved_fixture.NAME, types="change_region")["items"]
        assert (ev["title"], ev["title_en"]) == ("所在地区: 浙江省 → 广东省", "region: Zhejiang → Guangdong")
        shown = {t["type"]: t for t in enterprise_profile(store, info["id"])["timeline"]}
        assert shown["change_region"]["title_en"] == ev["title_en"]
        # the round and the patent the fixture holds without their events are titled as their events are, so read
        # in English the same way (they showed A轮 and the patent's Chinese title)
        assert (shown["funding"]["title"], shown["funding"]["title_en"]) == ("融资: A轮", "funding: Series A")
        assert shown["patent"]["title_en"] == "patent: CN990001A" and shown["patent"]["event_id"] is None
        team = open_team_db(str(tmp_path / "team.sqlite"))
        R.add(store, team, {"name": "迁址", "types": ["change_region"]})
        assert [a["title_en"] for a in feed.run(store, team, since="2022-06-30")["alerts"]] == [ev["title_en"]]
    table = run("--lang", "en", "events", "--type", "change_region", db=path, env={"COLUMNS": "250"}).stdout
    assert "Zhejiang → Guangdong" in table and not re.search(r"[\u4e00-\u9fff]", table.replace(moved_fixture.NAME, "")), table

def test_bus_subscribers_and_listeners():
    bus = B.EventBus()
    seen = []

    def boom(ev):
        raise RuntimeError("listener failure")

    bus.add_listener(boom)
    bus.add_listener(seen.append)

    async def main():
        sub = bus.subscribe(maxsize=2)
        assert bus.subscribers == 1
        await asyncio.to_thread(bus.publish, {"key": "m1"})  # from another thread
        assert (await sub.get(1)) == {"key": "m1"}
        assert bus.publish({"key": "m1"}) is False  # published once
        for k in ("m2", "m3", "m4"):
            bus.publish({"key": k})
        await asyncio.sleep(0)
        assert [await sub.get(1), await sub.get(1)] == [{"key": "m3"}, {"key": "m4"}] and sub.dropped == 1
        assert await sub.get(0.05) is None
        sub.close()
        assert bus.subscribers == 0

    asyncio.run(main())
    assert [e["key"] for e in seen] == ["m1", "m2", "m3", "m4"]  # a failing listener stops nobody


def test_events_command(fx):
    path, info = fx
    doc = run_json("events", "--region", "440000", "--chain", moved_fixture.NODE.lower(), db=path)
    assert doc["items"] and all(e["enterprise_id"] == info["id"] for e in doc["items"])
    assert doc["filters"]["region"]["code"] == "440000"
    # the node as resolved, named in the output's language — in the JSON and the heading (it echoed d03, or an
    # English name, as typed)
    with Store(str(path), read_only=True) as s:
        zh, en = s.con.execute("SELECT name_zh, name_en FROM chain_nodes WHERE code = ?", [moved_fixture.NODE]).fetchone()
    assert (doc["filters"]["node"], doc["filters"]["node_name"]) == (moved_fixture.NODE, zh)
    p = run("--lang", "en", "events", "--region", "440000", "--node", en.lower(), db=path)
    assert p.stdout.startswith(f"{count_en(doc['count'], 'event')} (as of {doc['as_of']}; node {moved_fixture.NODE} {en})"), p.stdout
    old = run_json("events", "--as-of", "2020-01-01", db=path)
    assert old["as_of"] == "2020-01-01" and all(e["date"] <= "2020-01-01" for e in old["items"])
    assert old["later"]["count"] > 0 and all(e["date"] > "2020-01-01" for e in old["later"]["items"])
    p = run("events", "--as-of", "2020-01-01", db=path)
    assert "截至 2020-01-01" in p.stdout and f"另有 {old['later']['count']} 条事件日期晚于截至日期 2020-01-01" in p.stdout + p.stderr
    assert "2022-06-30" not in p.stdout  # the move, after the as-of date
    few = run_json("events", "--as-of", "2020-01-01", "--limit", 2, db=path)  # counted, not only those listed
    assert len(few["later"]["items"]) == 2 and few["later"]["count"] == old["later"]["count"] > 2
    # a list cut at --limit says so (合肥 on the real imports: 100 of 306 shown as "100 条事件")
    every = run_json("events", "--limit", "10000", db=path)
    assert every["more"] is False and every["count"] >= 2
    one = run_json("events", "--limit", "1", db=path)
    assert one["more"] is True and one["count"] == 1 and one["items"] == every["items"][:1]
    p = run("events", "--limit", "1", db=path)
    assert "只列出最新的 1 条" in p.stdout + p.stderr
    p = run("events", "--limit", "10000", db=path)
    assert "只列出最新的" not in p.stdout + p.stderr
    p = run("--lang", "en", "events", "--type", "rumour", db=path, check=False)
    assert p.returncode == 2 and "unknown event type: rumour" in p.stderr and len(p.stderr.strip().splitlines()) == 1


def test_post_events_api_with_a_token(fx, tmp_path):
    from web_util import local_client

    from zhaoshang.interfaces.web.app import create_app

    path, info = fx
    team = open_team_db(str(tmp_path / "t.sqlite"))
    accounts.add_user(team, "ana", "analyst", PW, "cli:test")
    accounts.add_user(team, "vic", "viewer", PW, "cli:test")
    tok = accounts.create_token(team, "ana", "feeder", "cli:test")["token"]
    vtok = accounts.create_token(team, "vic", "reader", "cli:test")["token"]
    app = create_app(str(path), team=team, local_only=False)
    c = local_client(app)
    h = {"Authorization": f"Bearer {tok}"}
    assert c.post("/api/events", json=_event()).status_code == 401  # no token, no session
    assert c.post("/api/events", json=_event(), headers={"Authorization": f"Bearer {vtok}"}).status_code == 403
    r = c.post("/api/events", json=_event(enterprise=None, enterprise_id=info["id"], sentiment=-0.6,
                                          detail={"from": "甲", "to": "乙"}), headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["stored"] == 1 and body["events"][0]["actor"] == "ana" and body["events"][0]["detail"]["to"] == "乙"
    r = c.post("/api/events", json=[_event(), _event(source_key="chg-2", type="risk", title="被列入经营异常名录")], headers=h)
    assert r.json()["stored"] == 1 and r.json()["duplicates"] == 1
    for bad, status in [(_event(type="rumour"), 400), (_event(date="2024-13-01"), 400), (_event(extra=1), 400),
                        (_event(title="x" * 501), 400), (_event(enterprise="不存在的公司"), 404),
                        (_event(url="javascript:alert(1)"), 400),
                        ([_event()] * 101, 400), ([], 400), (_event(sentiment=3), 400)]:
        r = c.post("/api/events", json=bad, headers=h)
        assert r.status_code == status and r.json()["error"], (bad if not isinstance(bad, list) else len(bad), r.text)
        # only the errors of the form the body took: an object is not also "not a valid list", a list not "not an object"
        assert ("个事件" in r.json()["error"] or status == 404) if isinstance(bad, list) else "个事件" not in r.json()["error"], r.text
        assert "valid list" not in r.json()["error"] and "valid dictionary" not in r.json()["error"], r.text
        assert "EventIn" not in r.json()["error"], r.text  # the schema's names are no place the caller knows
    # a bad item is named 1-based as the service names it, and every message is in the request's language
    said = lambda body, lang="zh": c.post("/api/events", json=body, headers=h, params={"lang": lang}).json()["error"]  # noqa: E731
    # the date read by the one date parser, as every other date field reads it
    r = c.post("/api/events", json=_event(date="2024/03/06", source_key="slash-date"), headers=h)
    assert r.status_code == 200 and r.json()["events"][0]["date"] == "2024-03-06", r.text
    assert "无效的事件日期: 2024-02-30（日期不存在" in said(_event(date="2024-02-30"))
    # an amount is held to the one plausibility bound of every amount (100 万亿元), however it is written, and said
    # as it was sent; a readable one is stored in 万元 beside its text, for scores and alert thresholds
    fund = lambda **detail: _event(type="funding", title="完成C轮融资", source_key=f"f-{len(detail)}", detail=detail)  # noqa: E731
    assert said(fund(amount_wan=1e30)) == ("事件的融资金额（detail.amount_wan）应为 0 到 10,000,000,000 万元（100 万亿元）"
                                           "之间的金额: 1e30 万元")
    assert said(fund(amount_wan=1e30), "en") == ("the event's funding amount (detail.amount_wan) must lie between 0 and "
                                                 "10,000,000,000 ×10k CNY (CNY 100 trillion): 1e30 ×10k CNY")
    assert said(fund(amount="5000万亿")).endswith("之间的金额: 5000万亿")
    assert said(fund(amount_wan=-5)).endswith("之间的金额: -5 万元")
    assert said(fund(amount="很多")) == "事件的融资金额（detail.amount）应为金额（万元，或写明单位如 1亿）: 很多"
    r = c.post("/api/events", json=fund(amount="1.5亿元", round="C轮"), headers=h)
    assert r.status_code == 200 and r.json()["events"][0]["detail"] == {"amount": "1.5亿元", "amount_wan": 15000.0,
                                                                        "round": "C轮"}, r.text
    assert said([_event(), _event(type="bogus")]).startswith("参数无效: 第 2 个事件: type: 应为 'founded'")
    assert said([_event(), _event(type="bogus")], "en").startswith("invalid parameter: event 2: type: ")
    assert said([_event()] * 101) == "参数无效: 一次最多 100 个事件"
    assert said([_event()] * 101, "en") == "invalid parameter: at most 100 events at once"
    wrapped = said({"events": [_event()]})
    assert "events: 不接受此字段" in wrapped and "type: 缺少此参数" in wrapped and not re.search(r"[A-Z][a-z]+ [a-z]", wrapped), wrapped
    doc = c.get("/api/events", params={"type": "risk,personnel", "region": "广东"}, headers=h).json()
    assert [e["type"] for e in doc["items"]] == ["personnel", "risk"] or {e["type"] for e in doc["items"]} == {"personnel", "risk"}
    # the key repeated is the comma list (the last value alone was read)
    again = c.get("/api/events", params=[("type", "risk"), ("type", "personnel"), ("region", "广东")], headers=h).json()
    assert again["items"] == doc["items"] and again["filters"]["types"] == ["risk", "personnel"]
    # the node as the CLI takes it, a code in any case or a name (it was refused with a raw pattern error), an
    # unknown one refused in the CLI's words, in the request's language
    with Store(str(path), read_only=True) as s:
        zh, en = s.con.execute("SELECT name_zh, name_en FROM chain_nodes WHERE code = ?", [moved_fixture.NODE]).fetchone()
    by_name = c.get("/api/events", params={"node": en.lower(), "region": "广东"}, headers=h).json()
    assert by_name["filters"]["node"] == moved_fixture.NODE and by_name["items"] == c.get(
        "/api/events", params={"node": moved_fixture.NODE.lower(), "region": "广东"}, headers=h).json()["items"] != []
    typo = en.lower()[:-1]
    assert c.get("/api/events", params={"node": typo}, headers=h).json()["error"] \
        == f"未找到产业链环节: {typo}，您是不是要找：{moved_fixture.NODE} {zh}?"
    assert c.get("/api/events", params={"node": typo, "lang": "en"}, headers=h).json()["error"] \
        == f"chain node not found: {typo}; did you mean {moved_fixture.NODE} ({en})?"
    page = c.get("/monitor", headers=h).text
    assert 'id="ev-list"' in page and "被列入经营异常名录" in page and 'href="/api/events"' in page
    # rate-limited: a burst beyond the allowance gets 429 with Retry-After
    codes = []
    while 429 not in codes and len(codes) < 600:  # the bucket refills 4 a second while we send
        r = c.post("/api/events", json=_event(source_key=f"burst-{len(codes)}"), headers=h)
        codes.append(r.status_code)
    assert codes[-1] == 429 and set(codes[:-1]) == {200} and len(codes) > 100
    # in both languages, said in the client's (English since its ?lang=en above: the cookie)
    assert int(r.headers["Retry-After"]) >= 1 and "请求过于频繁" in r.json()["error_zh"]
    assert r.json()["error"] == r.json()["error_en"] and r.json()["error_en"].startswith("too many requests")


@pytest.mark.browser
def test_monitor_page_updates_live_in_the_browser(fx, tmp_path):
    """An event POSTed to /api/events appears on an open 动态监测 page (filtered to its region) within 2 s."""
    require_browser()
    import httpx
    from playwright.sync_api import sync_playwright

    path, info = fx
    db = tmp_path / "live.duckdb"
    db.write_bytes(Path(path).read_bytes())
    team = open_team_db(None, db_path=str(db))
    accounts.add_user(team, "ana", "analyst", PW, "cli:test")
    tok = accounts.create_token(team, "ana", "feeder", "cli:test")["token"]
    team.close()
    # a news item naming the enterprise by its short name, as a headline does (the feed's file read by monitor run)
    short = moved_fixture.NAME.removesuffix("有限公司")
    feed = tmp_path / "feed.xml"
    feed.write_text(f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>
<link>http://example.test/</link><description>d</description><item><title>{short}发布新一代脑机接口</title>
<link>http://example.test/n-1</link><guid>n-1</guid><description>{short}今日发布新一代脑机接口产品。</description>
<pubDate>Tue, 14 Nov 2023 22:13:20 GMT</pubDate></item></channel></rss>""", encoding="utf-8")
    run("monitor", "run", "--feed", feed, db=db)
    with serving(db) as base, sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pg = b.new_page()
        errors = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.goto(base + "/monitor?region=440000")
        pg.wait_for_selector('#live-status[data-state="live"]', timeout=10_000)
        before = pg.locator("#ev-list tr").count()
        # the latest news names the enterprise linked, not only what the headline wrote (灵犀脑机科技): as monitor news
        linked = pg.locator("#mon-news a[href^='/enterprises/']")
        assert linked.all_inner_texts() == [f"{moved_fixture.NAME}（{short}）"], linked.all_inner_texts()
        assert linked.first.get_attribute("href") == f"/enterprises/{info['id']}"
        h = {"Authorization": f"Bearer {tok}"}
        other = httpx.post(base + "/api/events", headers=h, timeout=10, json=_event(
            enterprise="1", source_key="elsewhere", title="不在广东的企业事件"))  # enterprise 1 is not in 广东
        assert other.status_code == 200, other.text
        t0 = time.monotonic()
        r = httpx.post(base + "/api/events", headers=h, timeout=10, json=_event(title="新任总经理到岗", source_key="live-1"))
        assert r.status_code == 200, r.text
        key = r.json()["events"][0]["key"]
        pg.wait_for_selector(f'#ev-list tr[data-key="{key}"]', timeout=2_000)
        assert time.monotonic() - t0 < 2.0
        row = pg.inner_text(f'#ev-list tr[data-key="{key}"]')
        assert "新任总经理到岗" in row and "人事变动" in row and moved_fixture.NAME in row
        assert pg.locator("#ev-list tr").count() == before + 1  # the other region's event did not arrive
        # the title beside the type column without the head that says the type again (融资 | 融资: B轮 2亿元)
        r = httpx.post(base + "/api/events", headers=h, timeout=10, json=_event(
            type="funding", title="融资: B轮 2亿元", source_key="live-2"))
        fkey = r.json()["events"][0]["key"]
        pg.wait_for_selector(f'#ev-list tr[data-key="{fkey}"]', timeout=2_000)
        assert pg.inner_text(f'#ev-list tr[data-key="{fkey}"] td:nth-child(4)').strip() == "B轮 2亿元"
        # an item that also states other types: listed after the primary type, live and as the server renders it
        r = httpx.post(base + "/api/events", headers=h, timeout=10, json=_event(
            type="expansion", title="新建算力中心并完成B轮融资", source_key="live-3",
            detail={"other_types": [{"type": "funding", "confidence": 0.65}]}))
        xkey = r.json()["events"][0]["key"]
        pg.wait_for_selector(f'#ev-list tr[data-key="{xkey}"]', timeout=2_000)
        assert pg.inner_text(f'#ev-list tr[data-key="{xkey}"] td:nth-child(2)').split() == ["扩张/新建/投资设厂", "另：融资"]
        # an event dated after the page's as-of date (the reference date) arrives in the list apart, labelled
        as_of = pg.inner_text("#as-of").strip()
        today = dt.date.today().isoformat()
        assert today > as_of
        assert pg.locator("#ev-later-card").is_hidden()
        r = httpx.post(base + "/api/events", headers=h, timeout=10, json=_event(
            date=today, title="今天到达的签约事件", source_key="live-today"))
        lkey = r.json()["events"][0]["key"]
        pg.wait_for_selector(f'#ev-later tr[data-key="{lkey}"]', timeout=2_000)
        assert pg.locator(f'#ev-list tr[data-key="{lkey}"]').count() == 0
        assert "晚于截至日期的事件" in pg.inner_text("#ev-later-card")
        assert pg.inner_text("#ev-later-live").strip() == "其中实时事件（接口推送、新闻源）1 条。"  # said once one is there
        pg.reload()
        assert pg.locator(f'#ev-later tr[data-key="{lkey}"]').count() == 1  # the server lists it apart as well
        assert pg.inner_text("#ev-later-live").strip() == "其中实时事件（接口推送、新闻源）1 条。"
        assert pg.inner_text(f'#ev-list tr[data-key="{xkey}"] td:nth-child(2)').split() == ["扩张/新建/投资设厂", "另：融资"]
        assert pg.locator(f'#ev-list tr[data-key="{lkey}"]').count() == 0
        assert f"晚于截至日期 {as_of}" in pg.inner_text("#ev-later-card") or as_of in pg.inner_text("#ev-later-card")
        pg.goto(base + "/monitor?as_of=2024-03-05&type=personnel")  # as of the live event's own date: listed
        assert pg.locator(f'#ev-list tr[data-key="{key}"]').count() == 1
        assert pg.locator(f'#ev-later tr[data-key="{lkey}"]').count() == 1
        assert pg.inner_text("#as-of").strip() == "2024-03-05"
        pg.goto(base + "/monitor?as_of=2024-03-04&type=personnel")
        assert pg.locator(f'#ev-list tr[data-key="{key}"]').count() == 0
        pg.goto(base + "/monitor?region=440000")
        pg.wait_for_selector('#live-status[data-state="live"]')
        titles = pg.eval_on_selector_all("#ev-list tr td:nth-child(4)", "tds => tds.map(t => t.innerText.trim())")
        assert "B轮 2亿元" in titles and not [x for x in titles if re.match(r"^[^:]{1,8}: ", x)], titles
        pg.goto(base + "/monitor?lang=en&type=personnel")  # the English UI, filtered by type
        pg.wait_for_selector('#live-status[data-state="live"]')
        assert "Live monitor" in pg.inner_text("h1") and "personnel change" in pg.inner_text("#ev-list")
        assert "新任总经理到岗" in pg.inner_text("#ev-list") and "founded" not in pg.inner_text("#ev-list")
        assert pg.locator("#mon-news a[href^='/enterprises/']").all_inner_texts() == [f"{moved_fixture.NAME}（{short}）"]
        pg.goto(base + "/monitor?lang=en&type=funding")
        pg.wait_for_selector('#live-status[data-state="live"]')
        titles = pg.eval_on_selector_all("#ev-list tr td:nth-child(4)", "tds => tds.map(t => t.innerText.trim())")
        assert "Series B CNY 200 million" in titles and not [x for x in titles if x.startswith("funding")], titles
        for lang in ("zh", "en"):  # the filters show their placeholders whole at a laptop's width (was 'name o')
            pg.set_viewport_size({"width": 1366, "height": 768})
            pg.goto(base + f"/monitor?lang={lang}")
            assert cut_placeholders(pg, "form input[placeholder]") == [], lang
        assert not errors, errors
        b.close()


def test_tail_publishes_events_stored_elsewhere(fx, tmp_path):
    """Events that did not pass through this process's bus — stored by another process, or by an import published
    as a new data generation — are published by the server's tail, each once."""
    import copy
    from contextlib import contextmanager

    path, info = fx
    db = tmp_path / "tail.duckdb"
    db.write_bytes(Path(path).read_bytes())
    team = open_team_db(str(tmp_path / "t.sqlite"))
    bus = B.EventBus()
    got = []
    bus.add_listener(got.append)
    with Store(str(db)) as store:
        @contextmanager
        def own_cursor():
            """The tail's thread reads through a cursor of its own, as the server gives it (served.cursor_store):
            one DuckDB connection refuses a second thread's call while the first is running."""
            s = copy.copy(store)
            s.con = store.con.cursor()
            try:
                yield s
            finally:
                s.con.close()

        tail = E.Tail(team, interval=0.05, bus=bus, store_scope=own_cursor)
        tail.start()
        try:
            other = E.store_events(team, [E.prepare(store, _event(), origin="api")], publish=False)["stored"][0]
            top = E.max_imported(store)
            store.con.execute("INSERT INTO events (id, enterprise_id, date, type, title, source) VALUES "
                              "(?, ?, DATE '2024-06-01', 'funding', '融资: C轮', 'import-test')", [top + 1, info["id"]])
            for _ in range(100):
                if len(got) >= 2:
                    break
                time.sleep(0.05)
            time.sleep(0.2)
        finally:
            tail.stop.set()
            tail.join(5)
    assert sorted(e["key"] for e in got) == sorted([other["key"], f"e{top + 1}"])
    imported = next(e for e in got if e["origin"] == "import")
    assert imported["nodes"] == [moved_fixture.NODE] and imported["province_code"] == moved_fixture.AFTER
    assert imported["title"] == "融资: C轮" and imported["title_en"] == "funding: Series C"  # its head and round in English too
    live = next(e for e in got if e["origin"] == "api")
    assert live["title_en"] == live["title"]  # a sender's title is left as sent
