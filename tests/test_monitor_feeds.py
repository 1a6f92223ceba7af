"""News feeds against a real HTTP server on loopback (started here): RSS and JSON Feed, conditional GET (ETag →
304), a broken feed, a missing one and one that times out — each failing alone while the others run; the same
story from two feeds becomes one item with two sources; items are linked to the enterprise they name and become
events on the bus; the schedule resumes after a restart; ``zhaoshang monitor run`` on a feeds file."""

from __future__ import annotations

import json
import sys
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import moved_fixture  # noqa: E402
from cli_util import run, run_json  # noqa: E402
from test_audit_times import shown_as  # noqa: E402

from zhaoshang.core.errors import UserError  # noqa: E402
from zhaoshang.core.store import Store  # noqa: E402
from zhaoshang.core.teamstate import open_team_db  # noqa: E402
from zhaoshang.services.monitoring import bus as B  # noqa: E402
from zhaoshang.services.monitoring import events as E  # noqa: E402
from zhaoshang.services.monitoring import feeds as F  # noqa: E402
from zhaoshang.services.monitoring import news as N  # noqa: E402

NAME = moved_fixture.NAME
STORY = f"{NAME}完成5亿元B轮融资"
BODY = f"{NAME}宣布完成5亿元B轮融资，本轮由虚构资本领投，资金将用于脑机接口产品研发。"
RSS = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>科技快讯（测试）</title><link>http://example.test/</link><description>t</description>
<item><title>{STORY}</title><link>http://example.test/a/1</link><guid>rss-1</guid>
  <description>{BODY}</description><pubDate>{formatdate(1_700_000_000, usegmt=True)}</pubDate></item>
<item><title>某地发布人工智能产业扶持政策</title><link>http://example.test/a/2</link><guid>rss-2</guid>
  <description>政策涵盖算力券与场景开放。</description></item>
</channel></rss>""".encode()
JSON_FEED = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "创投日报（测试）", "items": [
    {"id": "j-1", "url": "http://other.test/news/88", "title": STORY + "，虚构资本领投", "content_text": BODY,
     "date_published": "2023-11-14T09:00:00+08:00"},
    {"id": "j-2", "url": "http://other.test/news/89", "title": f"{NAME}总经理辞职", "content_text": f"{NAME}公告，总经理因个人原因辞职。",
     "date_published": "2023-11-15T09:00:00+08:00"}]}, ensure_ascii=False).encode()
ETAG = '"v1"'
OTHER = "栖辰科技5号有限公司"  # another enterprise of the fixture
EXTRA: dict[str, tuple[bytes, str]] = {}  # path → (body, content type) served by the test server


def _rss(*items: tuple) -> bytes:
    """An RSS document of (guid, title, body, pubDate) items."""
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>t</title>"
            "<link>http://example.test/</link><description>d</description>" + "".join(
                f"<item><title>{t}</title><link>http://example.test/{g}</link><guid>{g}</guid><description>{b}</description>"
                + (f"<pubDate>{d}</pubDate>" if d else "") + "</item>" for g, t, b, d in items)
            + "</channel></rss>").encode()


class Handler(BaseHTTPRequestHandler):
    seen: list = []

    def log_message(self, *a):  # quiet
        pass

    def do_GET(self):
        Handler.seen.append((self.path, self.headers.get("If-None-Match")))
        if self.path == "/rss.xml":
            if self.headers.get("If-None-Match") == ETAG:
                self.send_response(304)
                self.end_headers()
                return
            self._send(RSS, "application/rss+xml", {"ETag": ETAG})
        elif self.path == "/feed.json":
            self._send(JSON_FEED, "application/feed+json")
        elif self.path == "/broken.xml":
            self._send(b"<html><body>this is not a feed", "text/html")
        elif self.path in EXTRA:
            self._send(*EXTRA[self.path])
        elif self.path == "/slow.xml":
            time.sleep(1.5)
            self._send(RSS, "application/rss+xml")
        else:
            self.send_response(404)
            self.end_headers()

    def _send(self, body: bytes, ctype: str, headers: dict | None = None):
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def fx(tmp_path_factory):
    d = tmp_path_factory.mktemp("feeds")
    path = d / "fx.duckdb"
    moved_fixture.build(str(path), d)
    return path, d


def _feeds_yaml(path: Path, base: str, names=("rss", "json", "broken", "slow", "missing")) -> Path:
    urls = {"rss": "/rss.xml", "json": "/feed.json", "broken": "/broken.xml", "slow": "/slow.xml", "missing": "/gone.xml"}
    path.write_text("interval: 60\ntimeout: 0.5\nfeeds:\n" + "".join(
        f"  - name: {n}\n    url: {base}{urls[n]}\n" for n in names), encoding="utf-8")
    return path


def test_feeds_run_merge_link_and_resume(fx, server, tmp_path):
    path, _ = fx
    team = open_team_db(str(tmp_path / "t.sqlite"))
    cfg = F.load_feeds(_feeds_yaml(tmp_path / "feeds.yaml", server))
    bus = B.EventBus()
    got = []
    bus.add_listener(got.append)
    with Store(str(path), read_only=True) as store:
        res = N.run_feeds(store, team, cfg, bus=bus)
        by = {r["feed"]: r for r in res["feeds"]}
        # a one-off run (``monitor run``) promises no next run: nothing would keep it
        assert res["next_run"] is None and [s["next_run"] for s in F.feed_states(team)] == [None] * 5
        assert by["rss"]["status"] == "ok" and by["rss"]["items_new"] == 2
        # the same story from the JSON feed (a longer title, the same body) is one item with two sources
        assert by["json"]["status"] == "ok" and by["json"]["merged"] == 1 and by["json"]["items_new"] == 1
        assert by["broken"]["status"] == "error" and "unparseable" in by["broken"]["error"]
        assert by["broken"]["error"].startswith("无法解析的新闻源") and "ValueError" not in by["broken"]["error"]
        assert by["slow"]["status"] == "error" and "超时" in by["slow"]["error"]
        assert by["missing"]["status"] == "error" and by["missing"]["error"] == "HTTP 404"
        assert res["errors"] == 3
        items = N.list_news(team)
        story = next(i for i in items if i["title"] == STORY)
        assert {s["feed"] for s in story["sources"]} == {"rss", "json"}
        assert [m["enterprise_id"] for m in story["mentions"]][:1] == [store.con.execute(
            "SELECT id FROM enterprises WHERE name = ?", [NAME]).fetchone()[0]]
        policy = next(i for i in items if i["title"].startswith("某地"))
        assert policy["mentions"] == []  # names no enterprise: a news item, no event
        # events: the funding story and the resignation, linked, typed, with sentiment, published on the bus
        evs = {e["title"]: e for e in got}
        assert set(evs) == {STORY, f"{NAME}总经理辞职"} and res["events_new"] == 2
        assert evs[STORY]["type"] == "funding" and evs[STORY]["origin"] == "feed" and evs[STORY]["source"] == "rss"
        # 2023-11-14 22:13 UTC is 11-15 in China: items are dated by China time
        assert evs[STORY]["date"] == "2023-11-15" and evs[STORY]["news_id"] == story["id"]
        assert evs[f"{NAME}总经理辞职"]["type"] == "personnel"
        timeline = E.timeline(store, team, enterprise=NAME, types="funding,personnel")
        assert {e["key"] for e in timeline["items"]} == {e["key"] for e in got}
        # second run: the RSS feed answers 304 to its ETag, nothing is new, nothing merged twice
        res2 = N.run_feeds(store, team, cfg, bus=bus, scheduled=True)  # as the server's schedule runs it
        by2 = {r["feed"]: r for r in res2["feeds"]}
        assert by2["rss"]["status"] == "not_modified" and by2["rss"]["http_status"] == 304
        assert ("/rss.xml", ETAG) in Handler.seen
        assert res2["items_new"] == 0 and res2["events_new"] == 0 and res2["merged"] == 0 and len(got) == 2
    state = {s["name"]: s for s in F.feed_states(team)}
    assert state["rss"]["etag"] == ETAG and state["rss"]["items_total"] == 2 and state["slow"]["last_error"]
    # the JSON twins and the page's cards
    from web_util import local_client

    from zhaoshang.interfaces.web.app import create_app

    c = local_client(create_app(str(path), team=team))
    news = c.get("/api/monitor/news", params={"limit": 5}).json()["items"]
    assert next(i for i in news if i["title"] == STORY)["sources"][1]["feed"] == "json"
    assert {f["name"] for f in c.get("/api/monitor/feeds").json()["feeds"]} == {"rss", "json", "broken", "slow", "missing"}
    page = c.get("/monitor").text
    assert "2 个来源" in page and 'data-feed="slow"' in page and "超时" in page
    # the sources' names joined as the page's language joins them (、 on the English page too)
    both = next(i for i in news if i["title"] == STORY)["sources"]
    feeds = [s["feed"] for s in both]
    assert f'title="{"、".join(feeds)}">2 个来源' in page
    assert f'title="{", ".join(feeds)}">2 sources' in c.get("/monitor", params={"lang": "en"}).text
    # a restarted server waits for the recorded next run instead of running at once
    runs = []
    sched = F.FeedSchedule(cfg, lambda: Store(str(path), read_only=True), team, lambda *a, **k: runs.append(1))
    assert 50 < sched.due_in() <= 60
    fresh = F.FeedsConfig([F.Feed("new-feed", server + "/feed.json")], 60)
    sched = F.FeedSchedule(fresh, lambda: Store(str(path), read_only=True), team, lambda *a, **k: runs.append(1))
    assert sched.due_in() == 0.0
    sched.start()
    for _ in range(50):
        if runs:
            break
        time.sleep(0.05)
    sched.stop()
    assert runs == [1]


def test_feeds_file_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    for text, msg in [("feeds: []\n", "bad.yaml: feeds 应为非空列表"), ("feeds:\n  - name: a\n", r"feeds\[0\]\.url 缺失"),
                      ("interval: 1\nfeeds:\n  - url: x.xml\n", r"interval 应为 \[10, 604800\] 内的数字（实际为 1）"),
                      ("feeds:\n  - {name: a, url: x}\n  - {name: a, url: y}\n", r"feeds\[1\]\.name 重复: a"),
                      ("feeds: [", r"^新闻源配置文件不是有效的 YAML: .*bad\.yaml（第 1 行: 此处缺少内容（多半是括号或引号未闭合））$")]:
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(UserError, match=msg):
            F.load_feeds(bad)


def test_monitor_run_command(fx, server, tmp_path):
    path, d = fx
    local = tmp_path / "local.xml"
    local.write_bytes(RSS)
    feeds = tmp_path / "f.yaml"
    feeds.write_text(f"feeds:\n  - name: local\n    url: local.xml\n  - name: broken\n    url: {server}/broken.xml\n",
                     encoding="utf-8")
    db = tmp_path / "cli.duckdb"
    db.write_bytes(Path(path).read_bytes())
    p = run("monitor", "run", "--feeds", feeds, "--format", "json", db=db, check=False)
    assert p.returncode == 1, p.stderr  # one feed failed: reported, the other ran
    doc = json.loads(p.stdout)
    by = {r["feed"]: r for r in doc["feeds"]}
    assert by["local"]["status"] == "ok" and by["local"]["items_new"] == 2 and by["broken"]["status"] == "error"
    team = open_team_db(None, db_path=str(db))
    assert STORY in {i["title"] for i in N.list_news(team)}
    # the tables speak Chinese in every column (merged, last_error were printed as field names)
    for args in (("monitor", "run", "--feed", local), ("monitor", "feeds")):
        out = run(*args, db=db, env={"COLUMNS": "250"}).stdout
        assert "merged" not in out and "last_error" not in out and "_" not in out.splitlines()[2], out
    assert "合并重复" in run("monitor", "run", "--feed", local, db=db, env={"COLUMNS": "250"}).stdout
    table = run("monitor", "feeds", db=db, env={"COLUMNS": "250"}).stdout
    assert "最近错误" in table
    # the last run in China's time to the second under a header that says so (the stored 2026-…T…Z was printed)
    ran = {r["name"]: r["last_run"] for r in run_json("monitor", "feeds", db=db)}["local"]
    assert "最近运行 (UTC+8)" in table and ran not in table, table
    assert shown_as(ran) in table, (ran, table)


def test_serve_runs_the_feeds_in_the_background(fx, server, tmp_path):
    """``zhaoshang serve --feeds``: the items become events without any request, and the next run is recorded
    (what a restarted server waits for: ``FeedSchedule.due_in``, tested above)."""
    import httpx
    from cli_util import spawn
    from web_util import EXE, free_port

    path, _ = fx
    db = tmp_path / "served.duckdb"
    db.write_bytes(Path(path).read_bytes())
    feeds = _feeds_yaml(tmp_path / "serve.yaml", server, names=("rss", "json"))

    def serve_until(check, tries=300):
        port = free_port()
        # forked from the warm command server, as every test server is (web_util.serving): the console script's start
        # is no part of what is checked
        proc = spawn([EXE, "--db", str(db), "serve", "--port", str(port), "--feeds", str(feeds)])
        try:
            for _ in range(tries):
                try:
                    out = check(f"http://127.0.0.1:{port}")
                    if out:
                        return out
                except httpx.HTTPError:
                    pass
                assert proc.poll() is None, proc.output()
                time.sleep(0.1)
            raise AssertionError("the served monitor did not answer in time")
        finally:
            proc.terminate()
            proc.wait(10)

    def feed_events(base):
        items = httpx.get(base + "/api/events", params={"type": "funding,personnel"}, timeout=5).json()["items"]
        return [e for e in items if e["origin"] == "feed"]

    first = serve_until(lambda base: len(feed_events(base)) == 2 and feed_events(base))
    assert {e["source"] for e in first} <= {"rss", "json"}
    state = {s["name"]: s for s in F.feed_states(open_team_db(None, db_path=str(db)))}
    assert set(state) == {"rss", "json"} and state["rss"]["next_run"] > state["rss"]["last_run"]


def test_near_duplicates_are_not_other_stories(fx, server, tmp_path):
    """Alike texts are one story only when their facts agree: another enterprise's round, a second penalty (another
    fine), a later round (another amount and round) and the same text three weeks later are new items — each with
    its own event, but the same round three weeks later, which is the same event (a report of the first's); the true
    duplicate (a "！" more, another guid) is still one more source."""
    path, _ = fx
    db = tmp_path / "dup.duckdb"
    db.write_bytes(Path(path).read_bytes())
    fund_body = f"据悉，{NAME}本轮融资由红杉中国领投，资金将用于视觉芯片研发。"
    EXTRA["/day1.xml"] = (_rss(
        ("d1", f"{NAME}完成2亿元B轮融资", fund_body, "Mon, 02 Nov 2026 08:00:00 +0800"),
        ("d2", f"{NAME}因违规排污被生态环境局处罚并立案调查", f"{NAME}被处以罚款200万元，法定代表人被约谈。",
         "Mon, 02 Nov 2026 10:00:00 +0800")), "application/rss+xml")
    EXTRA["/day2.xml"] = (_rss(
        ("e1", f"{OTHER}完成2亿元B轮融资", fund_body.replace(NAME, OTHER), "Tue, 03 Nov 2026 08:00:00 +0800"),
        ("e2", f"{NAME}因违规排污被生态环境局处罚并立案调查", f"{NAME}一年内第二次被处罚：再次被处以罚款500万元。",
         "Tue, 03 Nov 2026 09:00:00 +0800"),
        ("e3", f"{NAME}完成5亿元C轮融资", fund_body, "Tue, 03 Nov 2026 10:00:00 +0800"),
        ("e4", f"{NAME}完成2亿元B轮融资", fund_body, "Tue, 24 Nov 2026 08:00:00 +0800"),
        ("dup-1", f"{NAME}完成2亿元B轮融资！", fund_body, "Mon, 02 Nov 2026 09:00:00 +0800")), "application/rss+xml")
    first = run_json("monitor", "run", "--feed", server + "/day1.xml", db=db)
    assert (first["items_new"], first["merged"], first["events_new"]) == (2, 0, 2), first
    second = run_json("monitor", "run", "--feed", server + "/day2.xml", db=db)
    # e4, the same round three weeks later, is its own news item but the same event (one round, one event: a report
    # of d1's event, the rule of test_one_round_from_two_items_is_one_event_and_one_alert)
    assert (second["items_new"], second["merged"], second["events_new"], second["events_merged"]) == (4, 1, 3, 1), second
    news = run_json("monitor", "news", db=db)
    by_guid = {s["guid"]: n for n in news for s in n["sources"]}
    assert by_guid["dup-1"]["id"] == by_guid["d1"]["id"] and len(by_guid["d1"]["sources"]) == 2
    assert len({by_guid[g]["id"] for g in ("d1", "d2", "e1", "e2", "e3", "e4")}) == 6
    assert {m["enterprise_id"] for m in by_guid["e1"]["mentions"]} == {5}
    doc = run_json("events", "--type", "funding,legal", db=db)
    events = doc["items"] + doc["later"]["items"]  # dated after the fixture's data: listed apart
    assert sorted(e["title"] for e in events if e["origin"] == "feed") == sorted(
        [f"{NAME}完成2亿元B轮融资", f"{OTHER}完成2亿元B轮融资", f"{NAME}完成5亿元C轮融资",
         f"{NAME}因违规排污被生态环境局处罚并立案调查", f"{NAME}因违规排污被生态环境局处罚并立案调查"])


def test_one_round_from_two_items_is_one_event_and_one_alert(fx, server, tmp_path):
    """Two feed items telling one round in other words (完成B轮融资2亿元 / 获得2亿元B轮融资, 2.5 h apart) stay two news
    items — their titles are not alike — but are one event (the one rule of the same event: enterprise, type, round,
    amount, within 30 days), so one alert per rule, which says 2 reports; another round of the same enterprise
    (C轮) is another event. Before: two events and two alerts per rule."""
    path, _ = fx
    db = tmp_path / "round2.duckdb"
    db.write_bytes(Path(path).read_bytes())
    run("alerts", "rules", "add", "项目企业", "--enterprise", NAME, db=db)
    EXTRA["/round2.xml"] = (_rss(
        ("r1", f"{NAME}完成B轮融资2亿元 加码杭州智算中心", f"{NAME}宣布完成2亿元B轮融资，将在杭州新建智算中心。",
         "Sun, 06 Dec 2026 22:30:00 +0000"),
        ("r2", f"{NAME}获得2亿元B轮融资，杭州智算中心加速", f"{NAME}完成2亿元B轮融资。", "Mon, 07 Dec 2026 09:00:00 +0800"),
        ("r3", f"{NAME}完成5亿元C轮融资", f"{NAME}宣布完成5亿元C轮融资。", "Mon, 07 Dec 2026 10:00:00 +0800")),
        "application/rss+xml")
    res = run_json("monitor", "run", "--feed", server + "/round2.xml", db=db)
    assert (res["items_new"], res["merged"], res["events_new"], res.get("events_merged")) == (3, 0, 2, 1), res
    assert len(run_json("monitor", "news", db=db)) == 3
    doc = run_json("events", "--type", "funding", db=db)
    events = [e for e in doc["items"] + doc["later"]["items"] if e["origin"] == "feed"]
    assert sorted(e["title"] for e in events) == sorted([f"{NAME}完成B轮融资2亿元 加码杭州智算中心", f"{NAME}完成5亿元C轮融资"])
    b = next(e for e in events if "B轮" in e["title"])
    assert [r["source_key"] for r in b["detail"]["reports"]] == ["r2"], b
    alerts = run_json("alerts", "run", db=db)["alerts"]
    assert sorted(a["title"] for a in alerts) == sorted(e["title"] for e in events), alerts
    listed = {a["title"]: a for a in run_json("alerts", "list", db=db)}
    assert listed[b["title"]]["reports"] == 2 and listed[f"{NAME}完成5亿元C轮融资"]["reports"] == 1
    wide = {"COLUMNS": "250"}
    assert "· 2 篇报道" in run("alerts", "list", db=db, env=wide).stdout
    assert "· 2 reports" in run("--lang", "en", "alerts", "list", db=db, env=wide).stdout
    # re-reading the feed adds nothing: the items are known, the report is listed once
    again = run_json("monitor", "run", "--feed", server + "/round2.xml", db=db)
    assert (again["items_new"], again["events_new"], again["events_merged"]) == (0, 0, 0), again
    # a round already imported (import fundings) told by a feed item is the same event by the same rule: a report of
    # the imported round — no live event, no second alert, the round's alert and timeline row say 2 reports. Before:
    # a new live event and a second alert for the one round
    # the C round told live above and imported two days after (2026-12-05, the same amount) is the same event too:
    # the rule that alerted on the live event raises no second alert on the import. Before: a second alert
    (tmp_path / "d.csv").write_text(f"企业名称,融资时间,融资轮次,融资金额\n{NAME},2026-11-25,D轮,10亿人民币\n"
                                    f"{NAME},2026-12-05,C轮,5亿人民币\n", encoding="utf-8")
    run("import", "fundings", tmp_path / "d.csv", "--source", "融资库", db=db)
    (imported,) = [a for a in run_json("alerts", "run", db=db)["alerts"] if a["event_type"] == "funding"]
    assert imported["event_date"] == "2026-11-25", imported
    EXTRA["/round3.xml"] = (_rss(("r4", f"{NAME}完成10亿元D轮融资", f"{NAME}宣布完成10亿元D轮融资。",
                                  "Mon, 30 Nov 2026 10:00:00 +0800")), "application/rss+xml")
    res = run_json("monitor", "run", "--feed", server + "/round3.xml", db=db)
    assert (res["items_new"], res["events_new"], res["events_merged"]) == (1, 0, 1), res
    assert run_json("alerts", "run", db=db)["alerts"] == []
    assert {a["id"]: a["reports"] for a in run_json("alerts", "list", db=db)}[imported["id"]] == 2
    doc = run_json("events", "--type", "funding", "--as-of", "2026-12-07", db=db)
    assert [e["origin"] for e in doc["items"] if e["date"] == "2026-11-30"] == []  # no live event of it
    (d,) = [e for e in doc["items"] if e["date"] == "2026-11-25"]
    assert d["origin"] == "import" and [r["source_key"] for r in d["detail"]["reports"]] == ["r4"], d
    # the C round is listed once, as imported, its live report among its reports (before: a live row and an imported row)
    assert [e["origin"] for e in doc["items"] if "C轮" in e["title"]] == ["import"], doc["items"]
    (c,) = [e for e in doc["items"] if e["date"] == "2026-12-05"]
    assert [r["source_key"] for r in c["detail"]["reports"]] == ["r3"], c
    # a round told live and imported before the next evaluation: one alert per rule, on the imported round (read
    # first), none on the live event. Before: one on each
    EXTRA["/round4.xml"] = (_rss(("r5", f"{NAME}完成8亿元E轮融资", f"{NAME}宣布完成8亿元E轮融资。",
                                  "Sun, 06 Dec 2026 10:00:00 +0800")), "application/rss+xml")
    res = run_json("monitor", "run", "--feed", server + "/round4.xml", db=db)
    assert (res["items_new"], res["events_new"]) == (1, 1), res
    (tmp_path / "e.csv").write_text(f"企业名称,融资时间,融资轮次,融资金额\n{NAME},2026-12-01,E轮,8亿人民币\n", encoding="utf-8")
    run("import", "fundings", tmp_path / "e.csv", "--source", "融资库", db=db)
    (e,) = run_json("alerts", "run", db=db)["alerts"]
    assert (e["event_type"], e["event_date"]) == ("funding", "2026-12-01"), e
    assert "fundings" in {x["table"] for x in e["evidence"]} and "monitor_events" not in {x["table"] for x in e["evidence"]}


def test_an_undated_item_and_its_event_both_say_the_fetch_day(fx, server, tmp_path):
    """An item whose date cannot be read (pubDate 2026/13/01) is undated; its event is dated by the day it was read
    and says so — 抓取日 D beside the event and beside the news item, in the tables, on 动态监测 and in the JSON
    (``detail.dated_by``, the item's ``fetched_on``); a dated item's event shows its date alone. Before, the news
    showed no date and its event a bare date, as if published that day. The feeds' status reads 正常 (ok in
    English) in ``monitor feeds`` and ``monitor run`` as on the page, not the stored code."""
    from web_util import local_client

    from zhaoshang.core.teamstate.clock import china_today
    from zhaoshang.interfaces.web.app import create_app

    path, _ = fx
    db = tmp_path / "undated.duckdb"
    db.write_bytes(Path(path).read_bytes())
    EXTRA["/undated.xml"] = (_rss(
        ("u1", f"{NAME}被列入失信被执行人", f"{NAME}涉诉讼，被法院列为失信被执行人。", "2026/13/01"),
        ("u2", f"{NAME}中标市政视频监控项目", "中标。", "Mon, 02 Nov 2026 10:00:00 +0800")), "application/rss+xml")
    wide = {"COLUMNS": "250"}
    out = run("monitor", "run", "--feed", server + "/undated.xml", db=db, env=wide).stdout
    today = china_today().isoformat()
    news = {n["sources"][0]["guid"]: n for n in run_json("monitor", "news", db=db)}
    assert (news["u1"]["published"], news["u1"]["fetched_on"]) == (None, today)
    doc = run_json("events", db=db)
    events = {e["source_key"]: e for e in doc["items"] + doc["later"]["items"] if e["origin"] == "feed"}
    assert (events["u1"]["date"], events["u1"]["detail"].get("dated_by")) == (today, "fetch")
    assert events["u2"]["date"] == "2026-11-02" and "dated_by" not in events["u2"]["detail"]
    assert f"抓取日 {today}" in run("monitor", "news", db=db, env=wide).stdout
    table = run("events", "--as-of", today, db=db, env=wide).stdout
    assert table.count(f"抓取日 {today}") == 1 and "2026-11-02" in table, table
    assert f"fetched {today}" in run("--lang", "en", "monitor", "news", db=db, env=wide).stdout
    page = local_client(create_app(str(db), team=open_team_db(None, db_path=str(db)))).get(f"/monitor?as_of={today}").text
    assert page.count(f"抓取日 {today}") == 2, page  # the event's row and the news item's
    assert "<td>正常</td>" in page
    assert "│ 正常 " in out and "│ ok " not in out, out
    feeds = run("monitor", "feeds", db=db, env=wide).stdout
    assert "│ 正常 " in feeds and "│ ok " not in feeds, feeds
    assert "│ ok " in run("--lang", "en", "monitor", "feeds", db=db, env=wide).stdout


def test_funding_news_carries_its_amount_for_amount_rules(fx, server, tmp_path):
    """A funding item's event carries the amount and round its text names (the shared parsers), so a rule with
    ``--min-amount`` fires on 完成3亿元A轮融资; an item with no readable amount does not pass the threshold."""
    path, _ = fx
    db = tmp_path / "amount.duckdb"
    db.write_bytes(Path(path).read_bytes())
    run("alerts", "rules", "add", "大额融资", "--type", "funding", "--enterprise", NAME, "--min-amount", "10000", db=db)
    run("alerts", "rules", "add", "小额以上", "--type", "funding", "--enterprise", NAME, "--min-amount", "50000", db=db)
    EXTRA["/funding.xml"] = (_rss(
        ("f1", f"{NAME}宣布完成3亿元A轮融资", f"{NAME}本轮融资3亿元人民币，公司估值达50亿元。", "Mon, 02 Nov 2026 08:00:00 +0800"),
        ("f2", f"{NAME}完成B轮融资", "本轮融资金额未披露，由虚构资本领投。", "Tue, 03 Nov 2026 08:00:00 +0800")),
        "application/rss+xml")
    assert run_json("monitor", "run", "--feed", server + "/funding.xml", db=db)["events_new"] == 2
    doc = run_json("events", "--type", "funding", db=db)
    by = {e["title"]: e for e in doc["items"] + doc["later"]["items"] if e["origin"] == "feed"}
    detail = by[f"{NAME}宣布完成3亿元A轮融资"]["detail"]
    assert (detail["amount_wan"], detail["amount"], detail["round"]) == (30000, "3亿元", "a")
    assert "amount_wan" not in by[f"{NAME}完成B轮融资"]["detail"]
    alerts = run_json("alerts", "run", db=db)["alerts"]
    assert sorted((a["rule_name"], a["title"]) for a in alerts) == [("大额融资", f"{NAME}宣布完成3亿元A轮融资")], alerts


def test_html_page_is_not_a_feed(fx, server, tmp_path):
    """A feed URL that answers with a well-formed HTML page (a portal, a login page) is an error, exit 1, and shows
    as an error on 动态监测."""
    from web_util import local_client

    from zhaoshang.interfaces.web.app import create_app

    path, _ = fx
    db = tmp_path / "html.duckdb"
    db.write_bytes(Path(path).read_bytes())
    EXTRA["/index.html"] = ("<!DOCTYPE html><html><head><title>门户</title></head><body><p>请登录</p></body></html>".encode(),
                            "text/html; charset=utf-8")
    p = run("monitor", "run", "--feed", server + "/index.html", "--format", "json", db=db, check=False)
    assert p.returncode == 1, p.stdout
    rep = json.loads(p.stdout)["feeds"][0]
    assert rep["status"] == "error" and rep["error"].startswith("不是新闻源：收到HTML 页面"), rep
    state = run_json("monitor", "feeds", db=db)[0]
    assert state["last_status"] == "error" and "not a feed" in state["last_error"]
    page = local_client(create_app(str(db), team=open_team_db(None, db_path=str(db)))).get("/monitor").text
    assert "出错: 不是新闻源" in page


def test_feed_dates_bad_future_and_china_day(fx, server, tmp_path):
    """One unreadable JSON Feed date leaves that item undated and the rest imported; an item
    dated in the future is dated by the fetch day with the feed's claim kept, as POST /api/events refuses future
    dates; a late-evening UTC time is the next China day, as digests count."""
    from zhaoshang.core.teamstate.clock import china_today

    path, _ = fx
    db = tmp_path / "dates.duckdb"
    db.write_bytes(Path(path).read_bytes())
    EXTRA["/dates.json"] = (json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": [
        {"id": "j1", "title": f"{NAME}完成3亿元A轮融资", "content_text": "融资。", "date_published": "2026-11-01"},
        {"id": "j2", "title": f"{NAME}总经理辞职", "content_text": "辞职。", "date_published": "yesterday"},
        {"id": "j3", "title": f"{NAME}新建生产基地", "content_text": "设厂。",
         "date_published": "2026-11-01T23:30:00Z"}]}, ensure_ascii=False).encode(), "application/feed+json")
    EXTRA["/future.xml"] = (_rss(
        ("r1", f"{NAME}将于2030年上市", "计划IPO。", "Mon, 01 Jan 2030 10:00:00 +0800"),
        ("r2", f"{NAME}中标市政视频监控项目", "中标。", "Sun, 01 Nov 2026 23:30:00 GMT")), "application/rss+xml")
    res = run_json("monitor", "run", "--feed", server + "/dates.json", db=db)
    assert res["feeds"][0]["status"] == "ok" and res["items_new"] == 3, res
    res = run_json("monitor", "run", "--feed", server + "/future.xml", db=db)
    assert res["items_new"] == 2, res
    news = {n["sources"][0]["guid"]: n for n in run_json("monitor", "news", db=db)}
    today = china_today().isoformat()
    assert {g: news[g]["published"] for g in news} == {
        "j1": "2026-11-01", "j2": None, "j3": "2026-11-02", "r1": today, "r2": "2026-11-02"}
    assert news["r1"]["sources"][0]["claimed_published"] == "2030-01-01"
    assert "claimed_published" not in news["r2"]["sources"][0]
    doc = run_json("events", db=db)
    events = {e["title"]: e for e in doc["items"] + doc["later"]["items"] if e["origin"] == "feed"}
    listed = events[f"{NAME}将于2030年上市"]
    assert listed["date"] == today and listed["detail"]["claimed_published"] == "2030-01-01"
    assert events[f"{NAME}中标市政视频监控项目"]["date"] == "2026-11-02"
    assert events[f"{NAME}总经理辞职"]["date"] == today  # undated: the day it was read


def test_feed_errors_are_sentences_in_the_ui_language_with_the_detail_beside(fx, tmp_path):
    """A refused connection was printed as ``ConnectError: [Errno 111] Connection refused`` in Chinese and English
    alike: the table says it in the UI language, the stored text stays in a 技术详情 column and the page's title."""
    import socket

    from web_util import local_client

    from zhaoshang.interfaces.web.app import create_app

    path, _ = fx
    db = tmp_path / "err.duckdb"
    db.write_bytes(Path(path).read_bytes())
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}/rss.xml"
    wide = {"COLUMNS": "250"}
    zh = run("monitor", "run", "--feed", url, db=db, check=False, env=wide)
    assert zh.returncode == 1 and "无法连接新闻源的服务器（连接被拒绝）" in zh.stdout and "技术详情" in zh.stdout, zh.stdout
    en = run("--lang", "en", "monitor", "feeds", db=db, env=wide).stdout
    assert "could not connect to the feed's server (connection refused)" in en and "Technical detail" in en, en
    assert "ConnectError" in en  # the detail, in its own column
    assert "ConnectError" in json.loads(run("monitor", "feeds", "--format", "json", db=db).stdout)[0]["last_error"]
    with local_client(create_app(str(db))) as c:
        page_zh = c.get("/monitor").text
        page_en = c.get("/monitor?lang=en").text
    assert "error: could not connect to the feed&#39;s server (connection refused)" in page_en
    assert "出错: 无法连接新闻源的服务器（连接被拒绝）" in page_zh and 'title="ConnectError' in page_zh


def test_an_enterprise_named_in_the_title_and_the_body_is_listed_once(fx, tmp_path):
    """A story naming the enterprise in its title and its body is two mentions of one enterprise: monitor news and
    动态监测 listed it twice (北京…、北京…); each linked enterprise is named once, the mentions kept in the JSON."""
    from web_util import local_client

    from zhaoshang.interfaces.web.app import create_app

    path, _ = fx
    db = tmp_path / "once.duckdb"
    db.write_bytes(Path(path).read_bytes())
    local = tmp_path / "local.xml"
    local.write_bytes(RSS)
    run("monitor", "run", "--feed", local, db=db)
    story = next(n for n in run_json("monitor", "news", db=db) if n["title"] == STORY)
    assert len([m for m in story["mentions"] if m.get("enterprise_id") is not None]) >= 2, story["mentions"]
    assert [e["mention"] for e in story["enterprises"]] == [NAME], story["enterprises"]
    row = next(line for line in run("monitor", "news", db=db, env={"COLUMNS": "400"}).stdout.splitlines() if STORY in line)
    assert row.count(NAME) == 2, row  # once in the title, once as the enterprise
    page = local_client(create_app(str(db))).get("/monitor").text
    news = page[page.index('id="mon-news"'):]
    cell = news[news.index(STORY):]
    cell = cell[:cell.index("</tr>")]
    assert cell.count(f">{NAME}</a>") == 1, cell


def test_monitor_news_names_the_enterprise_a_mention_was_linked_to(fx, tmp_path):
    """monitor news showed only what the text wrote (太阳能, 马斯克) as the enterprise, so a link to the wrong company
    could not be seen: it names the enterprise linked (its full name), the mention beside it."""
    path, _ = fx
    db = tmp_path / "named.duckdb"
    db.write_bytes(Path(path).read_bytes())
    short = NAME.removesuffix("有限公司")  # the name without its legal form, as a headline writes it
    local = tmp_path / "local.xml"
    local.write_bytes(_rss(("n-1", f"{short}完成C轮融资", f"{short}宣布完成C轮融资。", None)))
    run("monitor", "run", "--feed", local, db=db)
    story = next(n for n in run_json("monitor", "news", db=db) if n["title"] == f"{short}完成C轮融资")
    assert [(e["name"], e["mention"]) for e in story["enterprises"]] == [(NAME, short)], story["enterprises"]
    assert {m["name"] for m in story["mentions"]} == {NAME}
    row = next(line for line in run("monitor", "news", db=db, env={"COLUMNS": "400"}).stdout.splitlines()
               if "C轮" in line)
    assert f"{NAME}（{short}）" in row, row


def test_feed_dates_are_read_by_the_one_date_parser_in_china_time(fx, server, tmp_path):
    """Every date form a Chinese feed writes is its China day (feedparser read 2026年11月5日, 2026年11月05日 10:30,
    2026/11/05 10:30 and 2026.11.05 as the 1st of the month, and a time without a zone as UTC: 21:30 → the next day);
    a zone given is kept; a month alone or an unreadable date leaves the item undated — RSS, Atom, dc:date and JSON
    Feed alike."""
    heads = ["发布年度报告", "召开产品发布会", "获评省级专精特新企业", "与高校共建联合实验室", "入选独角兽榜单",
             "参加世界人工智能大会", "开通海外官方网站", "举办开放日活动", "更换公司标识"]
    rss = _rss(*[(f"r{i}", heads[i], "正文。", d) for i, d in enumerate([
        "2026年11月5日", "2026年11月05日 10:30", "2026/11/05 10:30", "2026.11.05", "2026-11-05 21:30:00",
        "Thu, 05 Nov 2026 21:30:00 +0000", "Thu, 05 Nov 2026 21:30:00 +0800", "2026年11月", "11/05/2026"])])
    got = [i["published"] for i in F.parse_feed(rss)]
    from datetime import date as D
    assert got == [D(2026, 11, 5)] * 5 + [D(2026, 11, 6), D(2026, 11, 5), None, None], got
    atom = ("<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom' "
            "xmlns:dc='http://purl.org/dc/elements/1.1/'><title>t</title>"
            "<entry><title>a1</title><id>a1</id><published>2026年11月05日 22:00</published></entry>"
            "<entry><title>a2</title><id>a2</id><updated>2026-11-05T20:00:00Z</updated></entry>"
            "<entry><title>a3</title><id>a3</id><dc:date>2026-11-05 23:59:00</dc:date></entry></feed>").encode()
    assert [i["published"] for i in F.parse_feed(atom)] == [D(2026, 11, 5), D(2026, 11, 6), D(2026, 11, 5)]
    jf = json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": [
        {"id": f"j{i}", "title": f"j{i}", "date_published": d}
        for i, d in enumerate(["2026年11月05日 10:30", "2026-11-05 21:30:00", "2026-11", "2026-11-05T21:30:00Z"])]},
        ensure_ascii=False).encode()
    assert [i["published"] for i in F.parse_feed(jf)] == [D(2026, 11, 5), D(2026, 11, 5), None, D(2026, 11, 6)]

    path, _ = fx
    db = tmp_path / "cn-dates.duckdb"
    db.write_bytes(Path(path).read_bytes())
    EXTRA["/cn-dates.xml"] = (rss, "application/rss+xml; charset=utf-8")
    assert run_json("monitor", "run", "--feed", server + "/cn-dates.xml", db=db)["items_new"] == 9
    news = {n["sources"][0]["guid"]: n["published"] for n in run_json("monitor", "news", db=db)}
    assert news == {**{f"r{i}": "2026-11-05" for i in (0, 1, 2, 3, 4, 6)}, "r5": "2026-11-06", "r7": None, "r8": None}


def test_an_item_keeps_every_type_its_text_states_and_a_funding_rule_fires(fx, server, tmp_path):
    """An item announcing a round and an expansion is an expansion that is also a funding (with the round's amount,
    not the investment's): a funding rule with a minimum amount fires on it, an expansion rule with one does not
    (the expansion names no amount of its own), and the news table lists the primary type first, the other after."""
    path, _ = fx
    db = tmp_path / "types.duckdb"
    db.write_bytes(Path(path).read_bytes())
    run("alerts", "rules", "add", "项目企业大额融资", "--type", "funding", "--enterprise", NAME, "--min-amount", "1亿", db=db)
    run("alerts", "rules", "add", "大额扩张", "--type", "expansion", "--enterprise", NAME, "--min-amount", "1亿", db=db)
    title = f"{NAME}完成B轮融资2亿元，拟在杭州设立算力中心"
    EXTRA["/types.xml"] = (_rss(("t1", title, "公司将投资建设算力中心，总投资10亿元，新建数据中心项目。",
                                 "Mon, 02 Nov 2026 08:00:00 +0800")), "application/rss+xml")
    assert run_json("monitor", "run", "--feed", server + "/types.xml", db=db)["events_new"] == 1
    alerts = run_json("alerts", "run", db=db)["alerts"]
    assert [(a["rule_name"], a["title"]) for a in alerts] == [("项目企业大额融资", title)], alerts
    # the alert says the type its rule matched, the item's primary type after it: a 融资 rule is not seen firing on
    # an expansion (table, JSON/CSV field matched_type beside event_type, either language)
    listed = run_json("alerts", "list", db=db)
    assert [(a["event_type"], a["matched_type"]) for a in listed] == [("expansion", "funding")], listed
    wide = {"COLUMNS": "250"}
    assert "融资（主类型：扩张/新建/投资设厂）" in run("alerts", "list", db=db, env=wide).stdout
    en = run("--lang", "en", "alerts", "list", db=db, env=wide).stdout
    assert "funding round (primary type: expansion" in en, en
    csv_head, csv_row = run("alerts", "list", "--format", "csv", db=db).stdout.splitlines()[:2]
    assert ",event_type,matched_type," in csv_head and ",expansion,funding," in csv_row, (csv_head, csv_row)
    item = run_json("monitor", "news", db=db)[0]
    assert item["event_type"] == "expansion" and [a["type"] for a in item["other_types"]] == ["funding"], item
    assert item["other_types"][0]["keywords"] and 0 < item["other_types"][0]["confidence"] <= 0.8
    table = run("monitor", "news", db=db, env={"COLUMNS": "250"}).stdout
    assert "扩张/新建/投资设厂（另：融资）" in table, table
    doc = run_json("events", db=db)
    ev = next(e for e in doc["items"] + doc["later"]["items"] if e["origin"] == "feed")
    assert ev["type"] == "expansion" and "amount_wan" not in ev["detail"]
    funding = ev["detail"]["other_types"][0]
    assert (funding["type"], funding["amount_wan"], funding["round"]) == ("funding", 20000, "b"), funding
    # 动态监测 filtered to 融资 lists it too (the timeline's type filter, as the rules)
    doc = run_json("events", "--type", "funding", db=db)
    assert [e["title"] for e in doc["items"] + doc["later"]["items"] if e["origin"] == "feed"] == [title]
    doc = run_json("events", "--type", "contract", db=db)  # a type the item does not have: not listed
    assert [e for e in doc["items"] + doc["later"]["items"] if e["origin"] == "feed"] == []
    from web_util import local_client

    from zhaoshang.interfaces.web.app import create_app

    client = local_client(create_app(str(db), team=open_team_db(None, db_path=str(db))))
    page = client.get("/monitor").text
    assert "扩张/新建/投资设厂 <span class=\"muted\">（另：融资）</span>" in page
    assert '<td class="al-type">融资（主类型：扩张/新建/投资设厂）</td>' in client.get("/alerts").text
    assert "funding round (primary type: expansion" in client.get("/alerts?lang=en").text
    assert '<td id="alert-type">融资（主类型：扩张/新建/投资设厂）</td>' in client.get(f"/alerts/{listed[0]['id']}?lang=zh").text
