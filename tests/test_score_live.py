"""Live events in the scorecard: a live funding event (ingested into the team state) counts in the capital and
growth signals of its enterprise up to the as-of date, through the one signals query, and names itself in the
evidence; a later one does not count; a live negative event counts in the risk signals."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from cli_util import run, run_json
from test_score import WEIGHTS, _build
from zhaoshang.core.errors import UserError
from zhaoshang.core.store import Store
from zhaoshang.core.teamstate import open_team_db
from zhaoshang.services.evaluation.scorecard import score_enterprise
from zhaoshang.services.monitoring import bus as B
from zhaoshang.services.monitoring import events as E

AS_OF = "2020-06-30"


@pytest.fixture(scope="module")
def fx(tmp_path_factory):
    d = tmp_path_factory.mktemp("live")
    _build(d / "s.duckdb")
    (d / "w.yaml").write_text(WEIGHTS + "  negative_events: {dimension: growth, weight: 0.5, direction: -1}\n",
                              encoding="utf-8")
    return d


def _score(d, eid=6):
    return run_json("--team-db", d / "team.sqlite", "score", str(eid), "--as-of", AS_OF, "--weights", d / "w.yaml",
                    db=d / "s.duckdb")


def _part(doc, dim, signal):
    return next(p for p in doc["dimensions"][dim]["contributions"] if p["signal"] == signal)


def test_live_funding_event_changes_the_capital_score(fx):
    before = _score(fx)
    raised = _part(before, "capital", "total_raised")
    assert raised["raw"] == 0 and "live_events" not in raised["detail"]
    team = open_team_db(str(fx / "team.sqlite"), db_path=str(fx / "s.duckdb"))
    store = Store(str(fx / "s.duckdb"), read_only=True)
    try:
        got = E.ingest(store, team, [
            {"enterprise": "测试企业6号有限公司", "type": "funding", "date": "2020-05-15", "title": "完成B轮融资1亿元",
             "source": "test-feed", "detail": {"amount": "1亿元", "round": "B轮"}},
            {"enterprise": 6, "type": "funding", "date": "2020-09-01", "title": "完成C轮融资5亿元",
             "source": "test-feed", "detail": {"amount_wan": 50000, "round": "C"}}], bus=B.EventBus())
        key = got["stored"][0]["key"]
        assert "likely_duplicate_of" not in got["stored"][0]
        # the same round from another sender three days later (B / B轮, 10000 / 1亿元: the one round and amount
        # readings): the same event, a report of the first, and counted once below
        again = E.ingest(store, team, [
            {"enterprise": 6, "type": "funding", "date": "2020-05-18", "title": "测试企业6号获1亿元B轮融资",
             "source": "other-feed", "detail": {"amount_wan": 10000, "round": "B"}}], bus=B.EventBus())
        assert again["stored"] == [] and again["same_event"][0]["same_event_as"] == key
        # a live event repeating an imported round (no. 4's Pre-A of 2020-05-01, 800 万) is a report of it, not counted
        before4 = score_enterprise(store, 4, as_of=AS_OF, weights=fx / "w.yaml", team=team)
        rep = E.ingest(store, team, [
            {"enterprise": 4, "type": "funding", "date": "2020-05-06", "title": "完成Pre-A轮融资800万元",
             "source": "other-feed", "detail": {"amount": "800万元", "round": "Pre-A轮"}}], bus=B.EventBus())
        assert rep["stored"] == [] and rep["same_event"][0]["same_event_as"].startswith("f")
        after4 = score_enterprise(store, 4, as_of=AS_OF, weights=fx / "w.yaml", team=team)
        assert after4["total"] == before4["total"]
        assert "live_events" not in _part(after4, "growth", "rounds_24m")["detail"]
        # an amount beyond the one plausibility bound (100 万亿元) is refused in words; one stored before the service
        # refused it is a round without an amount: it raises no total and names itself in no amount's evidence
        with pytest.raises(UserError, match="之间的金额: 1e30 万元"):
            E.ingest(store, team, [{"enterprise": 6, "type": "funding", "date": "2020-05-20", "title": "巨额",
                                    "source": "test-feed", "detail": {"amount_wan": 1e30}}], bus=B.EventBus())
        old = E.prepare(store, {"enterprise": 6, "type": "funding", "date": "2020-05-20", "title": "巨额（旧）",
                                "source": "old-feed"})
        old_key = E.store_events(team, [dict(old, detail=json.dumps({"amount_wan": 1e30}))],
                                 publish=False)["stored"][0]["key"]
        # the service gives the same figures as the command
        svc = score_enterprise(store, 6, as_of=AS_OF, weights=fx / "w.yaml", team=team)
        # the card says the live event it leaves out (the C round of September), with the date that counts it
        assert [n for n in svc["date_notes"] if n["kind"] == "live_after"] == [{
            "kind": "live_after", "count": 1, "as_of": "2020-09-01",
            "note": "1 条实时事件晚于截至日期 2020-06-30，未计入；截至 2020-09-01 可计入"}]
        # in English a whole sentence, the count's noun and verb agreeing (it read "1 live event(s) are …; as of
        # 2020-09-01 they are")
        from zhaoshang.core.asof import live_after_note

        d, later = dt.date(2020, 6, 30), [dt.date(2020, 9, 1), dt.date(2020, 8, 1)]
        assert [live_after_note(d, later[:k], "en")["note"] for k in (1, 2)] == [
            "1 live event is dated after the as-of date 2020-06-30 and not counted; as of 2020-09-01 it is counted",
            "2 live events are dated after the as-of date 2020-06-30 and not counted; as of 2020-09-01 they are counted"]
        # after the data's end (2021-12-31) a live round counts, and the note does not call it "not imported"
        E.ingest(store, team, [{"enterprise": 6, "type": "funding", "date": "2022-03-01", "title": "完成D轮融资",
                                "source": "test-feed", "detail": {"amount_wan": 90000, "round": "D"}}], bus=B.EventBus())
        late = score_enterprise(store, 6, as_of="2022-06-30", weights=fx / "w.yaml", team=team)
        note = next(n for n in late["date_notes"] if n["kind"] == "after_data")
        assert note["live_counted"] == 1 and "未导入" not in note["note"] and "只有 1 条实时事件" in note["note"]
        assert not [n for n in late["date_notes"] if n["kind"] == "live_after"]
    finally:
        store.close()
    after = _score(fx)
    assert svc["total"] == after["total"] and svc["dimensions"] == after["dimensions"]
    raised = _part(after, "capital", "total_raised")
    assert raised["raw"] == 10000  # the 1亿 round of May; the September one is after the as-of date
    assert raised["detail"]["live_events"] == [key]
    assert _part(after, "capital", "latest_stage")["raw"] == 3  # B
    assert _part(after, "growth", "rounds_24m")["detail"]["live_events"] == [key, old_key]
    # 7 disclosed totals by the date (no. 2's amount is undisclosed); 4 are below 10000 万: (4 + 0.5) / 7
    assert raised["normalised"] == pytest.approx(100 * 4.5 / 7, abs=0.01)
    assert raised["contribution"] > _part(before, "capital", "total_raised")["contribution"]
    assert after["dimensions"]["capital"]["score"] > before["dimensions"]["capital"]["score"]
    assert after["total"] > before["total"]
    assert {"table": "monitor_events", "ids": [key, old_key]}.items() <= {
        k: v for r in after["explained"]["evidence"] if r["table"] == "monitor_events" for k, v in r.items()}.items()
    # another enterprise's card does not name the event
    other = _score(fx, 1)
    assert "live_events" not in _part(other, "capital", "total_raised")["detail"]


def test_live_negative_event_counts_in_risk(fx):
    before = _score(fx, 2)
    team = open_team_db(str(fx / "team.sqlite"), db_path=str(fx / "s.duckdb"))
    store = Store(str(fx / "s.duckdb"), read_only=True)
    try:
        got = E.ingest(store, team, [{"enterprise": 2, "type": "legal", "date": "2020-03-01", "title": "被列为被执行人",
                                      "source": "court-watch", "sentiment": -0.8}], bus=B.EventBus())
    finally:
        store.close()
    after = _score(fx, 2)
    neg = _part(after, "growth", "negative_events")
    # no news, legal or risk source before it: the count was unknown, not a 0; the live legal event is such a source
    # (the legal event, and negative news)
    assert _part(before, "growth", "negative_events")["raw"] is None and neg["raw"] == 2
    assert neg["detail"]["live_events"] == [got["stored"][0]["key"]]
    assert after["dimensions"]["growth"]["score"] < before["dimensions"]["growth"]["score"]
    assert dt.date.fromisoformat(after["as_of"]) == dt.date(2020, 6, 30)


def test_served_profile_refreshes_its_cached_score_when_an_event_arrives(tmp_path, chromium):
    """The server caches the profile's scorecard; a live event stored by another process reaches its bus (the
    tail) and the next profile shows the refreshed score, as does the JSON route."""
    import re
    import time

    import httpx
    from web_util import serving

    _build(tmp_path / "w.duckdb")
    team_path = tmp_path / "team.sqlite"

    def total(base):
        html = httpx.get(base + "/enterprises/6?as_of=" + AS_OF, timeout=30).text
        return float(re.search(r'id="sc-total">([\d.]+)<', html).group(1))

    with serving(tmp_path / "w.duckdb", args=("--team-db", str(team_path))) as base:
        before = total(base)
        assert total(base) == before  # cached, unchanged
        team = open_team_db(str(team_path), db_path=str(tmp_path / "w.duckdb"))
        store = Store(str(tmp_path / "w.duckdb"), read_only=True)
        try:
            key = E.ingest(store, team, [{"enterprise": 6, "type": "funding", "date": "2020-05-15",
                                          "title": "完成B轮融资1亿元", "source": "test-feed",
                                          "detail": {"amount_wan": 10000, "round": "b"}}],
                           bus=B.EventBus())["stored"][0]["key"]
        finally:
            store.close()
        deadline = time.time() + 10
        while (after := total(base)) == before and time.time() < deadline:
            time.sleep(0.2)
        assert after > before
        doc = httpx.get(f"{base}/api/enterprises/6/score?as_of={AS_OF}", timeout=30).json()
        assert doc["total"] == after
        raised = _part(doc, "capital", "total_raised")
        assert raised["raw"] == 10000 and raised["detail"]["live_events"] == [key]
        _live_note_in_chromium(chromium, base, key)


def _live_note_in_chromium(chromium, base, key):
    """The profile says its score counts a live event, which signals it fed, and that the library's score column
    (the stored batch) leaves it out — a profile at 56.0 beside a library row at 35.8 had no word why."""
    from web_util import require_browser

    require_browser()

    with chromium as b:
        page = b.new_page(viewport={"width": 1366, "height": 768})
        for lang, says, chip in (("zh", "含 1 条实时事件", "实时"), ("en", "Includes 1 live event (", "live")):
            page.goto(f"{base}/enterprises/6?as_of={AS_OF}&lang={lang}")
            note = page.locator("#sc-live")
            assert note.is_visible() and says in note.inner_text() and "score all" in note.inner_text()
            assert note.get_attribute("data-events") == key
            assert note.locator("a").get_attribute("href") == "/monitor?enterprise=6"
            marked = page.locator("tr.sc-signal:has(span.sc-live)")
            signals = {marked.nth(i).get_attribute("data-signal") for i in range(marked.count())}
            assert {"total_raised", "latest_stage", "rounds_24m"} <= signals, signals
            assert "patents" not in signals and marked.first.locator("span.sc-live").inner_text() == chip
        page.goto(f"{base}/enterprises/1?as_of={AS_OF}")  # another enterprise: no live event, no note
        assert page.locator("#scorecard").count() == 1 and page.locator("#sc-live").count() == 0
        b.close()


def test_live_funding_event_raises_a_lead(tmp_path):
    """A live funding of a lead candidate counts in its funding signal (amount and reasons) and its score."""
    from test_leads import D as LEADS_D
    from test_leads import REGION
    from test_leads import _build as build_leads

    db = tmp_path / "l.duckdb"
    build_leads(db)

    def lead(eid):
        rows = run_json("--team-db", tmp_path / "team.sqlite", "leads", REGION, "--as-of", LEADS_D.isoformat(),
                        "--top", 50, db=db)
        return next(r for r in rows if r["enterprise_id"] == eid)

    before = lead(103)
    assert before["signals"]["funding"]["raw"] == 0 and before["live_events"] == []
    team = open_team_db(str(tmp_path / "team.sqlite"), db_path=str(db))
    store = Store(str(db), read_only=True)
    try:
        key = E.ingest(store, team, [{"enterprise": 103, "type": "funding", "date": "2020-04-01", "title": "完成B轮融资5亿元",
                                      "source": "test-feed", "detail": {"amount": "5亿元", "round": "B轮"}}],
                       bus=B.EventBus())["stored"][0]["key"]
        # the same round from another sender two days later: a report of it, and one round in the lead
        dup = E.ingest(store, team, [{"enterprise": 103, "type": "funding", "date": "2020-04-03",
                                      "title": "获5亿元B轮融资", "source": "other-feed",
                                      "detail": {"amount_wan": 50000, "round": "B"}}], bus=B.EventBus())["same_event"][0]
        assert dup["same_event_as"] == key
        # a round after the as-of date: not counted, and said in the report's notes with the date that counts it
        E.ingest(store, team, [{"enterprise": 103, "type": "funding", "date": "2020-09-01", "title": "完成C轮融资",
                                "source": "test-feed", "detail": {"amount_wan": 80000, "round": "C"}}], bus=B.EventBus())
    finally:
        store.close()
    after = lead(103)
    assert after["signals"]["funding"]["raw"] == 1 and after["signals"]["funding"]["detail"]["amount_wan"] == 50000
    assert after["live_events"] == [key]
    assert after["score"] > before["score"]
    assert any("B轮" in x for x in after["reasons"])
    # the region report's leads (as the region page's) count the live event too: one lead, one score in every view
    from openpyxl import load_workbook

    out = tmp_path / "r.xlsx"
    run("--team-db", tmp_path / "team.sqlite", "report", "region", REGION, "--as-of", LEADS_D.isoformat(), "--top", 50,
        "-o", out, db=db)
    ws = load_workbook(out, read_only=True)["重点线索"]
    rows = [r for r in ws.iter_rows(values_only=True)]
    head = next(i for i, r in enumerate(rows) if "enterprise_id" in r or "企业编号" in r)
    col = {name: i for i, name in enumerate(rows[head])}
    listed = {r[col.get("enterprise_id", col.get("企业编号"))]: r for r in rows[head + 1:] if r and r[0] is not None}
    score_col = next(i for name, i in col.items() if name and ("得分" in str(name) or "score" in str(name).lower()))
    assert round(float(listed[103][score_col]), 2) == round(after["score"], 2), (listed.get(103), after["score"])
    said = [r for r in load_workbook(out, read_only=True)["说明"].iter_rows(values_only=True) if r and r[0] == "重点线索"]
    assert [r[1] for r in said] == [f"1 条实时事件晚于截至日期 {LEADS_D}，未计入；截至 2020-09-01 可计入"], said


def test_served_lead_page_answers_from_its_cache_and_refreshes_on_a_live_event(tmp_path, chromium):
    """The pipeline's lead page reads its reasons and scorecard from the cache the 招商线索 list and the profile
    use (it computed both on every view: 1.7–2.4 s a view of the demo's leads), and a live event about the
    enterprise makes the next view show the new reasons and score — checked in chromium."""
    import time

    from test_leads import REGION
    from test_leads import _build as build_leads
    from web_util import require_browser, serving

    require_browser()

    db, team_path = tmp_path / "l.duckdb", tmp_path / "team.sqlite"
    build_leads(db)
    added = run_json("--team-db", team_path, "pipeline", "add", "102", REGION, "--format", "json", db=db)
    with serving(db, args=("--team-db", str(team_path))) as base, chromium as b:
        page = b.new_page(viewport={"width": 1366, "height": 768})

        def view():
            page.goto(f"{base}/pipeline/{added['id']}")
            return (float(page.inner_text("#lead-reasons-score")), page.inner_text("#lead-reasons"),
                    page.inner_text("#lead-score-total"))

        before = view()
        assert view() == before and "B轮" not in before[1]
        team = open_team_db(str(team_path), db_path=str(db))
        store = Store(str(db), read_only=True)
        try:
            E.ingest(store, team, [{"enterprise": 102, "type": "funding", "date": "2022-10-01", "title": "完成B轮融资5亿元",
                                    "source": "test-feed", "detail": {"amount": "5亿元", "round": "B轮"}}], bus=B.EventBus())
        finally:
            store.close()
        deadline = time.time() + 10
        while (after := view()) == before and time.time() < deadline:
            time.sleep(0.2)
        # a round of today, after the data's end: the default date (the data's) leaves it out, and the lead page
        # and its scorecard say so above their lists, linking to the date that counts it
        from zhaoshang.core.parse.dates import china_today

        today = china_today().isoformat()
        store = Store(str(db), read_only=True)
        try:
            E.ingest(store, team, [{"enterprise": 102, "type": "funding", "date": today, "title": "完成C轮融资8亿元",
                                    "source": "test-feed", "detail": {"amount": "8亿元", "round": "C轮"}}], bus=B.EventBus())
        finally:
            store.close()
        deadline = time.time() + 10
        while not page.locator(".lead-date-note[data-kind=live_after]").count() and time.time() < deadline:
            page.goto(f"{base}/pipeline/{added['id']}")
            time.sleep(0.2)
        note = page.inner_text(".lead-date-note[data-kind=live_after]")
        assert note.startswith("1 条实时事件晚于截至日期") and today in note, note
        assert page.get_attribute(".lead-date-note a.as-of-link", "href") == f"/leads?region={REGION}&as_of={today}"
        # the list's own note links to the same list at that date, every filter kept (top, minimum score and the
        # signals required were dropped)
        page.goto(f"{base}/leads?region={REGION}&top=5&min_score=40&has=funding")
        assert page.get_attribute(".ld-live-after a.as-of-link", "href") == \
            f"/leads?region={REGION}&top=5&min_score=40&has=funding&as_of={today}"
        page.goto(f"{base}/leads?region={REGION}&top=5&has=funding&lang=en")  # and the language the URL asked for
        assert page.get_attribute(".ld-live-after a.as-of-link", "href") == \
            f"/leads?region={REGION}&top=5&has=funding&lang=en&as_of={today}"
        page.goto(f"{base}/pipeline/{added['id']}?lang=zh")
        page.click(".lead-date-note a.as-of-link")  # the leads of the region as of today: the round counted
        page.wait_for_selector("#ld-targets")
        listed = page.inner_text("body")
        assert page.locator(".ld-live-after").count() == 0 and "只有 1 条实时事件" in listed and "均未导入" not in listed
        page.goto(f"{base}/region/{REGION}")  # the region page's leads alike
        assert page.locator(".leads-live-after a.as-of-link").get_attribute("href") == f"/region/{REGION}?as_of={today}"
        page.goto(f"{base}/enterprises/102")  # the profile's scorecard alike
        assert page.locator(".sc-date-note[data-kind=live_after] a.as-of-link").get_attribute("href") == \
            f"/enterprises/102?as_of={today}"
        b.close()
    assert after[0] > before[0] and "B轮" in after[1], (before, after)
    assert after[2] != before[2]  # the scorecard counts the live round too
