"""Alert rules and alerts on both team-state backends: the four example rules (a large funding in the region's
missing segments, strongly negative news about a local enterprise, a pipeline target opening a branch, a
target's key person changing) imported from YAML, evaluated by the one evaluator over event records, stored
once per rule and event with their evidence; YAML round trip; refusals of bad rules."""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import alerts_fixture as AF  # noqa: E402

from zhaoshang.core.errors import NotFound, UserError  # noqa: E402
from zhaoshang.core.store import Store  # noqa: E402
from zhaoshang.core.teamstate import open_team_db  # noqa: E402
from zhaoshang.services.alerts import evaluate as E  # noqa: E402
from zhaoshang.services.alerts import feed  # noqa: E402
from zhaoshang.services.alerts import rules as R  # noqa: E402
from zhaoshang.services.pipeline import leads as L  # noqa: E402
from zhaoshang.services.team import accounts  # noqa: E402

PW = "a-long-enough-password-1"


@pytest.fixture(scope="module")
def fx(tmp_path_factory):
    return AF.copy(tmp_path_factory, "alerts")[:2]


@pytest.fixture
def team(team_url):
    db = open_team_db(team_url)
    accounts.add_user(db, "ana", "analyst", PW, "cli:test")
    yield db
    db.close()


def test_example_rules_raise_exactly_their_alerts_once(fx, team):
    path, info = fx
    with Store(str(path), read_only=True) as store:
        L.add(store, team, str(info["target"]), "杭州市", user="ana")
        saved = R.import_yaml(store, team, AF.RULES_YAML, owner="ana")
        assert [r["name"] for r in saved] == list(AF.EXPECTED)
        assert saved[0]["gaps_of"] == {"code": AF.CITY, "name": "杭州市"} and saved[1]["regions"][0]["code"] == AF.CITY
        first = feed.run(store, team)
        again = feed.run(store, team)
        since = feed.run(store, team, since="2024-01-01")
        # the first run reads the 90 days up to the newest event, not the file's years of history
        newest, total = store.con.execute("SELECT max(date), count(*) FROM events").fetchone()
        window = newest - datetime.timedelta(days=90)
        in_window = store.con.execute("SELECT count(*) FROM events WHERE date >= ?", [window]).fetchone()[0]
    assert first["window_start"] == window and first["events"] == in_window < total and again["window_start"] is None
    ids = {v: k for k, v in info["events"].items()}
    got: dict[str, set] = {}
    for a in first["alerts"]:
        got.setdefault(a["rule_name"], set()).add(ids.get(a["event_id"], a["event_id"]))
    assert got == AF.EXPECTED
    assert again["alerts"] == [] and again["events"] == 0  # nothing new since the last run
    assert since["events"] == len(info["events"]) and since["alerts"] == []  # re-evaluated, deduplicated
    alerts = feed.list_alerts(team, "ana")
    assert len(alerts) == 5 and feed.list_alerts(team, "nobody") == []
    big = next(a for a in alerts if a["rule_name"] == "缺失环节大额融资")
    # each alert's evidence: the event and the fact with its source and record key
    assert big["evidence"][0] == {"table": "events", "ids": [info["events"]["big_gap_funding"]], "where": None, "note": None}
    assert big["evidence"][1]["table"] == "fundings" and "fixture-events" in big["evidence"][1]["note"]
    parts = {p["signal"]: p for p in big["explain"]["parts"]}
    assert parts["amount_wan"]["raw"] == 20000.0 and parts["amount_wan"]["detail"] == {"op": ">=", "threshold": 10000.0}
    assert info["gap_node"] in parts["gap"]["raw"]
    assert feed.mark_read(team, "ana", [big["id"]]) == 1 and len(feed.list_alerts(team, "ana", unread=True)) == 4


def test_evaluator_is_one_pure_function_for_every_rule_source(fx, team):
    """A rule made by hand (the page's and the CLI's dict) and the same rule from YAML decide alike."""
    path, info = fx
    with Store(str(path), read_only=True) as store:
        by_hand = R.normalise(store, {"name": "x", "types": "news", "regions": "330100", "max_sentiment": "-0.5"})
        from_yaml = R.normalise(store, {"name": "x", "types": ["news"], "regions": ["杭州市"], "max_sentiment": -0.5})
        assert by_hand == from_yaml
        events = E.enrich(store, store.query(f"SELECT {feed.EVENT_COLS} FROM events WHERE source = 'fixture-events' ORDER BY id"))
    hits = [ev["id"] for ev in events if E.match(by_hand, ev) is not None]
    assert hits == [info["events"]["local_bad_news"]]
    # thresholds are inclusive; a missing value never matches
    ev = next(e for e in events if e["id"] == info["events"]["local_bad_news"])
    assert E.match(dict(by_hand, max_sentiment=-0.8), ev) is not None
    assert E.match(dict(by_hand, max_sentiment=-0.81), ev) is None
    assert E.match(dict(by_hand, types=[], min_amount_wan=1.0), ev) is None
    # an amount beyond the plausibility bound (an event stored before the API refused it) is no amount
    funded = dict(by_hand, types=[], max_sentiment=None, min_amount_wan=1.0)
    assert E.match(funded, dict(ev, detail={"amount_wan": 20000.0})) is not None
    assert E.match(funded, dict(ev, detail={"amount_wan": 1e30})) is None
    assert E.event_key(ev) == E.event_key(dict(ev, id=424242))  # the same event under another id
    # a live event record: the news type as its type, sentiment beside the detail
    live = dict(ev, type="legal", detail=None, sentiment=-0.7, ref_table=feed.LIVE_TABLE)
    assert E.match(dict(by_hand, types=["诉讼/处罚/监管"]), live).parts[-1].raw == -0.7
    assert E.match(dict(by_hand, types=["legal"]), dict(live, sentiment=-0.4)) is None
    assert E.match(by_hand, live) is not None  # a live news item, typed by its news type, is news
    assert E.match(dict(by_hand, max_sentiment=None), dict(live, type="funding")) is None  # a funding is not news
    # …but an imported news item is news whatever type its label gave its event (a funding news item: funding)
    assert ev["ref_table"] == "news" and E.match(by_hand, dict(ev, type="funding")) is not None
    # an imported item labelled by its corpus (FinESE's 信批违规) is of the type its label maps to
    labelled = dict(ev, detail={"event_type": "信批违规", "sentiment": None})
    assert E.match(dict(by_hand, types=["legal"], max_sentiment=None), labelled).parts[0].raw == "legal"
    assert E.match(dict(by_hand, types=["personnel"], max_sentiment=None), labelled) is None
    # a sentiment threshold: of the events meeting the other conditions, how many carry a sentiment
    assert E.sentiment_reach([dict(by_hand, id=7)], [labelled, ev, live]) == {7: [3, 2]}


def test_yaml_round_trip_and_refusals(fx, team):
    path, info = fx
    with Store(str(path), read_only=True) as store:
        R.import_yaml(store, team, AF.RULES_YAML, owner="ana")
        text = R.export_yaml(team, "ana")
        again = R.import_yaml(store, team, text, owner="ana")  # same names: replaced, not duplicated
        assert len(R.list_rules(team, "ana")) == 4
        assert [r["name"] for r in again] == list(AF.EXPECTED)
        with pytest.raises(UserError, match="没有任何条件"):
            R.add(store, team, {"name": "all"}, owner="ana")
        with pytest.raises(UserError, match="已有同名规则"):
            R.add(store, team, {"name": "本地企业负面新闻", "types": ["news"]}, owner="ana")
        with pytest.raises(UserError, match="未知的键"):
            R.add(store, team, {"name": "y", "typs": ["news"]}, owner="ana")
        # a misspelt event type would be a rule that never fires: refused, naming the types there are
        with pytest.raises(UserError, match="未知的事件类型: fundng.*funding"):
            R.add(store, team, {"name": "y", "types": ["fundng"]}, owner="ana")
        with pytest.raises(UserError, match="未知的事件类型: 专利申请") as e:
            R.add(store, team, {"name": "y", "types": ["news", "专利申请"]}, owner="ana")
        assert e.value.en.startswith("unknown event type: 专利申请") and "patent" in e.value.en
        # chain nodes are read by the one node lookup: a code in any case or a node's exact name is the node
        assert R.normalise(store, {"name": "y", "nodes": ["计算机视觉", "m02", "U01"]})["nodes"] == ["M02", "U01"]
        with pytest.raises(UserError, match="未找到产业链环节: 视觉，您是不是要找：M02 计算机视觉"):
            R.normalise(store, {"name": "y", "nodes": ["视觉"]})
        # codes and the Chinese labels of every type are types (专利 and 设立分支机构 were refused)
        assert R.normalise(store, {"name": "y", "types": ["专利", "设立分支机构", "legal"]})["types"] == [
            "patent", "branch", "legal"]
        # a corpus's own label is no type: refused, naming the type its items are read as
        with pytest.raises(UserError, match="导入新闻标注的“信批违规”计为 legal（诉讼/处罚/监管）") as e:
            R.normalise(store, {"name": "y", "types": ["信批违规"]})
        assert "imported news labelled 信批违规 count as legal (litigation / penalty / regulation)" in e.value.en
        R.add(store, team, {"name": "人事与融资", "types": ["人事变动", "funding", "融资"]}, owner="ana")
        R.remove(team, [r for r in R.list_rules(team, "ana") if r["name"] == "人事与融资"][0]["id"], owner="ana")
        with pytest.raises(UserError, match="-1 到 1"):
            R.add(store, team, {"name": "y", "types": ["news"], "max_sentiment": -5}, owner="ana")
        # the minimum amount is read by the one reader of typed amounts (万亿 is a unit) and held to the one
        # plausibility bound, said as it was typed (1e30, not a float's 31 digits)
        rule = lambda amount: R.normalise(store, {"name": "y", "types": ["funding"], "min_amount_wan": amount})  # noqa: E731
        assert rule("1万亿")["min_amount_wan"] == 100_000_000 and rule("5000万")["min_amount_wan"] == 5000
        for typed, shown in ((1e30, "1e30 万元"), ("1e30", "1e30 万元"), ("5000万亿", "5000万亿"), ("-1亿", "-1亿")):
            with pytest.raises(UserError) as e:
                rule(typed)
            assert str(e.value) == f"融资金额下限应为 0 到 10,000,000,000 万元（100 万亿元）之间的金额: {shown}", str(e.value)
        assert e.value.en == ("the minimum amount must lie between 0 and 10,000,000,000 ×10k CNY (CNY 100 trillion): "
                              "-1亿")
        with pytest.raises(UserError, match="第 2 条"):  # one bad rule refuses the whole file, nothing saved
            R.import_yaml(store, team, "rules:\n- {name: a, types: [news]}\n- {name: b, channels: [fax], types: [news]}\n",
                          owner="ana")
        assert len(R.list_rules(team, "ana")) == 4
        with pytest.raises(NotFound):
            R.add(store, team, {"name": "z", "types": ["news"]}, owner="nobody")
        with pytest.raises(NotFound):
            R.add(store, team, {"name": "z", "enterprises": ["不存在的公司"]}, owner="ana")
    with pytest.raises(UserError, match="http://"):
        R.set_channels(team, "ana", webhook_url="ftp://x")
    with pytest.raises(UserError, match="邮箱"):
        R.set_channels(team, "ana", email="not-an-address")
    rid = R.list_rules(team, "ana")[0]["id"]
    with pytest.raises(UserError, match="属于"):
        R.remove(team, rid, owner="bo")
    assert R.remove(team, rid, owner="ana")["id"] == rid
    with pytest.raises(NotFound):
        R.get(team, rid)


def test_live_events_from_the_api_path_raise_alerts_once(fx, team):
    """Events received live (``services.monitoring.events.ingest``, what ``POST /api/events`` calls) are
    evaluated by the same rules from their own cursor; the evidence is the stored live event and its source."""
    from zhaoshang.services.monitoring import bus
    from zhaoshang.services.monitoring import events as live

    path, info = fx
    quiet = bus.EventBus()
    with Store(str(path), read_only=True) as store:
        R.import_yaml(store, team, AF.RULES_YAML, owner="ana")
        feed.run(store, team)  # the imported events first
        before = len(feed.list_alerts(team, "ana"))
        got = live.ingest(store, team, [
            {"enterprise_id": info["local"], "type": "legal", "date": "2024-05-02", "title": "某公司因违规被处罚",
             "sentiment": -0.9, "source": "partner-api", "source_key": "p-1", "url": "https://partner.example/p-1"},
            {"enterprise_id": info["local"], "type": "product", "date": "2024-05-03", "title": "某公司发布新品",
             "sentiment": 0.6, "source": "partner-api", "source_key": "p-2"}], bus=quiet)
        assert len(got["stored"]) == 2
        res = feed.run_all(store, team)
        assert res["events"] == 2 and [a["rule_name"] for a in res["alerts"]] == ["本地企业负面新闻"]
        assert feed.run_all(store, team)["alerts"] == []  # the cursor moved on
    a = res["alerts"][0]
    assert a["event_id"] is None and a["title"] == "某公司因违规被处罚"
    assert a["evidence"] == [{"table": "monitor_events", "ids": [got["stored"][0]["id"]], "where": None,
                              "note": "partner-api · p-1 · https://partner.example/p-1"}]
    assert len(feed.list_alerts(team, "ana")) == before + 1


def test_a_rule_of_event_types_alone_says_it_watches_everything():
    """预警规则 page and `alerts rules list`: a rule with only event types had an empty 条件 cell."""
    from zhaoshang.interfaces.labels import number_text

    assert R.describe({"types": ["change_capital"]}, num=number_text) == "全部企业、全部地区"
    assert R.describe({"types": ["funding"]}, "en", num=number_text) == "any enterprise, anywhere"
    assert R.describe({"types": ["funding"], "min_amount_wan": 10000}, num=number_text) == "金额 ≥ 10,000 万元"
    # a list of a rule's enterprises or nodes in English is separated as English separates it (it read 甲公司、乙公司)
    listed = {"enterprises": [{"id": 1, "name": "甲公司"}, {"id": 2, "name": "乙公司"}], "nodes": ["M01", "M02"]}
    assert R.describe(listed, "en", num=number_text) == "enterprises 甲公司, 乙公司; nodes M01, M02"
    assert R.describe(listed, num=number_text) == "企业 甲公司、乙公司；环节 M01、M02"
