"""The enterprise profile's timeline names each event's type once: the type label, then what the event says
(``专利`` and the patent's title, not ``专利 专利: …``), in Chinese and in English — in headless chromium against
a real server on the demo database, and in ``zhaoshang show`` / ``events`` / ``alerts list``."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from cli_util import run, run_json  # noqa: E402
from web_util import require_browser, serving  # noqa: E402

from zhaoshang.core.asof import enterprises_as_of  # noqa: E402
from zhaoshang.core.event_titles import HEADS_EN  # noqa: E402
from zhaoshang.core.status import STATUS_EN  # noqa: E402
from zhaoshang.core.store import Store  # noqa: E402
from zhaoshang.interfaces.labels import VOCABULARIES, label  # noqa: E402

HEADS = {*HEADS_EN, *HEADS_EN.values()}
ITEMS_JS = """() => [...document.querySelectorAll('#timeline li.ev')].map(li => {
  const c = li.cloneNode(true); c.querySelectorAll('time, .chip, small').forEach(x => x.remove());
  return [li.querySelector('.chip').innerText.trim(), c.innerText.trim()]; })"""


def says_type_again(label: str, text: str) -> bool:
    head = text.partition(":")[0].strip()
    return text.startswith(label) or (":" in text and head in HEADS)


@pytest.fixture(scope="module")
def demo(tmp_path_factory, demo_copy):
    db = str(demo_copy(tmp_path_factory.mktemp("timeline") / "demo.duckdb"))
    s = Store(db, read_only=True)
    eid, name = s.con.execute(
        """SELECT e.id, e.name FROM events v JOIN enterprises e ON e.id = v.enterprise_id
           GROUP BY e.id, e.name HAVING count(*) FILTER (WHERE type = 'patent') > 0
             AND count(*) FILTER (WHERE type = 'funding') > 0 AND count(*) FILTER (WHERE type = 'founded') > 0
           ORDER BY count(DISTINCT type) DESC, e.id LIMIT 1""").fetchone()
    patent, number = s.con.execute("SELECT p.title, p.number FROM patents p JOIN patent_applicants a ON a.patent_id = p.id "
                                   "WHERE a.enterprise_id = ? ORDER BY p.id LIMIT 1", [eid]).fetchone()
    s.close()
    # a patent is shown by its title in Chinese, by its number in English (a title in Chinese is no name to keep)
    return {"db": db, "id": eid, "name": name, "patent": {"zh": patent, "en": number}}


@pytest.fixture(scope="module")
def base(demo):
    """One server on the module's demo copy for every page test (they read it, none changes it)."""
    require_browser()
    with serving(demo["db"]) as url:
        yield url


def test_timeline_page_names_the_type_once(demo, base, chromium):
    with chromium as browser:
        page = browser.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        for lang, patent, founded in (("zh", "专利", "成立"), ("en", "patent filed", "enterprise founded")):
            page.goto(f"{base}/enterprises/{demo['id']}?lang={lang}")
            items = page.evaluate(ITEMS_JS)
            assert len(items) > 3 and {patent, founded} <= {label for label, _ in items}, items
            repeated = [(label, text) for label, text in items if says_type_again(label, text)]
            assert repeated == [], repeated
            assert [patent, demo["patent"][lang]] in [list(x) for x in items]  # its title as filed; in English its number
            # the patents list: a filing date and a grant date, each in its own labelled column (one column mixed them)
            heads = page.locator("#patents-table thead th").all_inner_texts()
            assert heads[3:] == (["申请日", "授权日"] if lang == "zh" else ["Filed", "Granted"]), heads
            rows = page.evaluate("""() => [...document.querySelectorAll('#patents-table tbody tr[data-number]')].map(
                tr => [tr.dataset.number, tr.querySelector('.pt-applied').innerText, tr.querySelector('.pt-granted').innerText])""")
            with Store(demo["db"], read_only=True) as s:
                want = {n: (str(a or ""), str(g or "")) for n, a, g in s.con.execute(
                    "SELECT number, applied, granted FROM patents WHERE number = ANY(?)", [[r[0] for r in rows]]).fetchall()}
            assert rows and all(want[n] == (a, g) for n, a, g in rows), rows
        browser.close()
        assert errors == []


def _table_rows(out: str, after: str = "") -> list[list[str]]:
    """The cells of the first table printed after the line holding ``after``."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if after in line)
    rows = itertools.takewhile(lambda line: not line.startswith("└"), lines[start:])
    return [[c.strip() for c in line.split("│")[1:-1]] for line in rows if line.startswith("│")]


def test_show_events_and_alerts_name_the_type_once(demo):
    # the tables (the CSVs keep the JSON's fields: the type's code and the stored title)
    wide = {"COLUMNS": "1000"}
    for lang in ("zh", "en"):
        out = run("--lang", lang, "show", str(demo["id"]), db=demo["db"], env=wide).stdout
        rows = _table_rows(out, "时间线（" if lang == "zh" else "Timeline (")
        assert len(rows) > 3 and not [r for r in rows if says_type_again(r[1], r[2])], rows
        assert [r for r in rows if r[2] == demo["patent"][lang]], rows
        out = run("--lang", lang, "events", "--enterprise", str(demo["id"]), db=demo["db"], env=wide).stdout
        rows = _table_rows(out)
        assert len(rows) > 3 and not [r for r in rows if says_type_again(r[1], r[3])], rows
        # a registration status change in the table's language: 存续 → 吊销 / active → licence revoked, the statuses of
        # the one table the profile's basic information reads too (core/status.py); a change to an end the registry
        # dated is the 注销/吊销 event on that date, saying the export it was seen in (docs/methods.md "As of a date")
        listed = _table_rows(run("--lang", lang, "events", db=demo["db"], env=wide).stdout)
        changes = [r[3] for r in listed
                   if r[1] in (label("event", "change_status", lang), label("event", "dissolved", lang)) and " → " in r[3]]
        seen = " · 见于 " if lang == "zh" else " · seen in the export of "
        said = set(STATUS_EN) if lang == "zh" else set(STATUS_EN.values())
        assert changes and all(set(c.partition(seen)[0].split(" → ")) <= said | {"—"} for c in changes), changes
        assert [c for c in changes if seen in c], changes
        # a name, capital or address change is dated by the export that first showed it, and says so
        others = [r for r in listed if r[1] in {label("event", t, lang) for t in ("change_name", "change_capital",
                                                                                   "change_address")}]
        assert others and all(r[3].endswith(seen + r[0] + (" 的导出" if lang == "zh" else "")) for r in others), others
        rows = _table_rows(run("--lang", lang, "alerts", "list", db=demo["db"], env=wide).stdout)  # the demo's alerts
        assert len(rows) > 3 and not [r for r in rows if says_type_again(r[4], r[5])], rows
    # the demo's revocations and deregistrations the registry dated before the export that showed them: each one
    # event on the registry's date (none on the export's date as well), and as of a day between the two the profile
    # says it ended, as the scorecard does
    with Store(demo["db"], read_only=True) as s:
        ends = s.con.execute("""SELECT e.id, e.status, e.dissolved, v.date, json_extract_string(v.detail, '$.seen')
            FROM events v JOIN enterprises e ON e.id = v.enterprise_id
            WHERE v.type = 'dissolved' AND v.ref_table = 'enterprise_history' ORDER BY e.id""").fetchall()
        twice = s.con.execute("""SELECT count(*) FROM events v JOIN enterprises e ON e.id = v.enterprise_id
            WHERE v.type IN ('dissolved', 'change_status') AND e.dissolved IS NOT NULL
            GROUP BY e.id HAVING count(*) > 1""").fetchall()
        # a change of legal representative: on the day the roles (the profile's people) say the new one took office,
        # the export that first showed it in its detail (seen), not on that export's date alone
        reps = s.con.execute("""SELECT v.enterprise_id, v.date, json_extract_string(v.detail, '$.seen'), r.start_date
            FROM events v LEFT JOIN roles r ON r.enterprise_id = v.enterprise_id AND r.role = 'legal_rep'
                 AND r.person_name = json_extract_string(v.detail, '$.new')
            WHERE v.type = 'change_legal_rep' ORDER BY v.enterprise_id""").fetchall()
    assert ends and twice == [] and all(day == dissolved and seen >= str(dissolved) for _, _, dissolved, day, seen in ends)
    assert reps and all(day == start and seen >= str(start) for _, day, seen, start in reps), reps
    assert [r for r in reps if r[2] > str(r[1])], reps  # some seen in an export later than the change
    eid, day, seen, _ = next(r for r in reps if r[2] > str(r[1]))
    rows = _table_rows(run("events", "--enterprise", str(eid), "--type", "change_legal_rep", db=demo["db"],
                           env={"COLUMNS": "1000"}).stdout)
    assert [r for r in rows if r[0] == str(day) and r[3].endswith(f" · 见于 {seen} 的导出")], rows
    # as of a day between the change and the export that showed it, the basic field 法定代表人 names the one the
    # people card says is in office (the new one, by the roles' dates), not the one the export's date still gave
    mid = day + (dt.date.fromisoformat(seen) - day) / 2
    then = run_json("show", str(eid), "--as-of", mid.isoformat(), db=demo["db"])
    new = next(r[3] for r in rows if r[0] == str(day)).partition(" · ")[0].split(" → ")[-1]
    assert [p["name"] for p in then["people"] if p["role"] == "legal_rep"] == [new] == [then["enterprise"]["legal_rep"]], then
    # and so does the one replay of the fields as of a date every list, its JSON and exports read (enterprises_as_of)
    with Store(demo["db"], read_only=True) as s:
        assert s.con.execute(f"SELECT legal_rep FROM {enterprises_as_of(mid, s)} e WHERE e.id = ?",
                             [eid]).fetchall() == [(new,)]
    eid, status, dissolved, _, seen = ends[0]
    between = dissolved + (dt.date.fromisoformat(seen) - dissolved) / 2
    shown = run_json("show", str(eid), "--as-of", between.isoformat(), db=demo["db"])["enterprise"]
    assert (shown["status"], shown["dissolved"]) == (status, str(dissolved)), shown
    scored = run("score", str(eid), "--as-of", between.isoformat(), db=demo["db"], check=False)
    assert f"已于 {dissolved} {status}" in scored.stderr, scored.stderr


def _codes_shown(texts) -> set:
    """The event-type cells that show a code rather than a label (news, patent, change_name)."""
    return {x for x in texts if x.strip().lower().replace(" ", "_") in VOCABULARIES["event"]}


def test_english_names_event_types_in_words(demo, request):
    """In English a timeline, the events and alerts tables and the 动态监测 and 预警规则 pages named an event's type by
    its code (news, patent, funding, founded): every event type now has English words, from interfaces/labels.py
    for the CLI and the pages alike."""
    for vocab in ("event", "news_event"):
        same = [c for c, (_zh, en) in VOCABULARIES[vocab].items() if en.lower().replace(" ", "_") == c]
        assert same == [], (vocab, same)
    wide = {"COLUMNS": "1000"}
    timeline = _table_rows(run("--lang", "en", "show", str(demo["id"]), db=demo["db"], env=wide).stdout, "Timeline (")
    events = _table_rows(run("--lang", "en", "events", "--limit", "300", db=demo["db"], env=wide).stdout)
    alerts = _table_rows(run("--lang", "en", "alerts", "list", db=demo["db"], env=wide).stdout)
    for cells in ([r[1] for r in timeline], [r[1] for r in events], [r[4] for r in alerts]):
        assert len(cells) > 3 and _codes_shown(cells) == set(), cells
    assert {"news item", "patent filed", "enterprise founded"} <= {r[1] for r in timeline}, timeline
    base = request.getfixturevalue("base")  # the pages after the command line's tables (a skip here keeps those)
    with request.getfixturevalue("chromium") as browser:
        page = browser.new_page()
        page.goto(f"{base}/enterprises/{demo['id']}?lang=en")
        chips = page.evaluate("() => [...document.querySelectorAll('#timeline .chip')].map(c => [c.dataset.type, c.innerText.trim()])")
        assert len(chips) > 3 and all(text == label("event", code, "en") != code for code, text in chips), chips
        page.goto(f"{base}/monitor?lang=en")
        shown = page.locator("#ev-table tbody .chip").all_inner_texts()
        choices = page.locator("select[name=type] option").all_inner_texts()
        assert len(shown) > 3 and _codes_shown(shown) == set() and _codes_shown(choices) == set(), (shown, choices)
        # a status change says its statuses in English too (存续 → 吊销 stayed Chinese beside "status change")
        # (a change to an end the registry dated is the 'deregistered / revoked' event on its own date, seen in an
        # export: older than the newest 100 the page lists without a type)
        page.goto(f"{base}/monitor?lang=en&type=dissolved")
        changes = page.evaluate("""() => [...document.querySelectorAll('#ev-table tbody tr')]
          .filter(tr => ['status change', 'deregistered / revoked'].includes((tr.querySelector('.chip') || {}).innerText))
          .map(tr => tr.cells[3].innerText.trim()).filter(t => t.includes(' → '))""")
        assert changes and all(set(c.partition(" · seen in the export of ")[0].split(" → ")) <= set(STATUS_EN.values())
                               | {"—"} for c in changes), changes
        page.goto(f"{base}/alerts?lang=en")
        cells = page.locator("#al-feed tbody tr td:nth-child(5)").all_inner_texts()
        boxes = page.locator("#al-form label.inline").all_inner_texts()
        assert len(cells) > 3 and _codes_shown(cells) == set() and _codes_shown(boxes) == set(), (cells, boxes)
        browser.close()


def test_profile_says_a_range_or_another_currency_in_the_sources_words(demo, base, chromium):
    """The profile's fundings showed 7万美元 as 49万 and 数千万人民币 as 3,162万, as if CNY figures were disclosed: a
    range or another currency now reads as the source wrote it, its CNY value marked as estimated or converted."""
    with Store(demo["db"], read_only=True) as s:
        usd_id, usd_text, usd_wan = s.con.execute(
            "SELECT enterprise_id, amount_text, amount_wan FROM fundings WHERE currency = 'USD' AND amount_wan > 0 "
            "ORDER BY id LIMIT 1").fetchone()
        vague_id, vague_text = s.con.execute(
            "SELECT enterprise_id, amount_text FROM fundings WHERE amount_low_wan < amount_high_wan ORDER BY id LIMIT 1").fetchone()
    with chromium as browser:
        page = browser.new_page()
        page.goto(f"{base}/enterprises/{usd_id}?lang=zh")
        cells = page.locator("td.num:has(.fund-cny)").all_inner_texts()
        assert any(c.startswith(usd_text) and f"（折合约{usd_wan:,.0f}万元）" in c for c in cells), cells
        page.goto(f"{base}/enterprises/{usd_id}?lang=en")
        cells = page.locator("td.num:has(.fund-cny)").all_inner_texts()
        assert any(c.startswith("USD ") and "(about CNY " in c for c in cells), cells
        page.goto(f"{base}/enterprises/{vague_id}?lang=zh")
        cells = page.locator("td.num:has(.fund-cny)").all_inner_texts()
        assert any(c.startswith(vague_text) and "估约" in c for c in cells), cells
        browser.close()


def test_the_english_profile_names_its_region_as_the_other_pages_do(demo, base, chromium):
    """The English profile's region read "Zhejiang Hangzhou Yuhang", the words run together in the Chinese order;
    it reads "Yuhang, Hangzhou, Zhejiang" as the lists say it (Chinese unchanged)."""
    with Store(demo["db"], read_only=True) as s:
        eid, prov, city, dist, prov_en, city_en, dist_en = s.con.execute(
            "SELECT e.id, p.name, c.name, d.name, p.name_en, c.name_en, d.name_en FROM enterprises e "
            "JOIN regions p ON p.code = e.province_code JOIN regions c ON c.code = e.city_code "
            "JOIN regions d ON d.code = e.district_code WHERE c.name <> p.name AND d.name_en IS NOT NULL "
            "ORDER BY e.id LIMIT 1").fetchone()
    with chromium as browser:
        page = browser.new_page()
        page.goto(f"{base}/enterprises/{eid}?lang=en")
        assert page.inner_text("#ent-region") == f"{dist_en}, {city_en}, {prov_en}"
        page.goto(f"{base}/enterprises/{eid}?lang=zh")
        assert page.inner_text("#ent-region").split() == [prov, city, dist]
        browser.close()


def test_a_subsidiary_reads_in_the_page_language(demo, base, chromium):
    """A subsidiary's event read ``设立子公司 设立子公司: 〈name〉`` in Chinese and ``subsidiary set up 设立子公司: 〈name〉``
    in English, the head the importer wrote left untranslated: now the type's label, then the subsidiary's name as
    registered, in either language."""
    with Store(demo["db"], read_only=True) as s:
        eid, title = s.con.execute("SELECT enterprise_id, title FROM events WHERE type = 'subsidiary' "
                                   "ORDER BY id LIMIT 1").fetchone()
        children = {r[0] for r in s.con.execute("SELECT child_name FROM branches WHERE parent_id = ? "
                                                "AND kind = 'subsidiary'", [eid]).fetchall()}
    assert title.startswith("设立子公司: ")  # as the importer titles it, in Chinese (the data's language)
    with chromium as browser:
        page = browser.new_page()
        for lang in ("zh", "en"):
            page.goto(f"{base}/enterprises/{eid}?lang={lang}")
            items = [tuple(x) for x in page.evaluate(ITEMS_JS)]
            shown = [text for chip, text in items if chip == label("event", "subsidiary", lang)]
            assert shown and set(shown) <= children, items
        browser.close()


def test_a_cut_event_list_says_how_many_it_shows_of_how_many(demo):
    """A limit is not a total: ``events`` (200 of the demo's events), /api/events and 动态监测 (100) say the count they
    show and of how many — the one total of the timeline service, the same in the table, the JSON and the page."""
    from web_util import local_client

    from zhaoshang.core.teamstate import open_team_db
    from zhaoshang.interfaces.web.app import create_app

    doc = run_json("events", db=demo["db"])
    every = run_json("events", "--limit", "10000", db=demo["db"])
    assert doc["more"] and doc["count"] == len(doc["items"]) == 200 and not every["more"]
    assert doc["total"] == every["total"] == every["count"] > 200, (doc["total"], every["count"])
    total = f"{doc['total']:,}"
    out = run("events", db=demo["db"])
    assert out.stdout.splitlines()[0].startswith(f"事件：显示前 200 条，共 {total} 条"), out.stdout.splitlines()[0]
    assert f"更早的 {doc['total'] - 200:,} 条符合条件的事件未列出" in out.stdout + out.stderr
    en = run("--lang", "en", "events", db=demo["db"]).stdout.splitlines()[0]
    assert en.startswith(f"events: the first 200 of {total}"), en
    c = local_client(create_app(demo["db"], team=open_team_db(None, db_path=demo["db"])))
    api = c.get("/api/events?limit=100").json()
    assert (api["count"], api["more"], api["total"]) == (100, True, doc["total"])
    page = c.get("/monitor").text
    assert f'显示前 100 条，共 <span id="ev-total" data-n="{doc["total"]}">{total}</span> 条事件' in page
    assert 'id="ev-count"' not in page  # the count of a cut list is not shown as the number of events
    page_en = c.get("/monitor?lang=en").text
    assert f'the first 100 of <span id="ev-total" data-n="{doc["total"]}">{total}</span> events' in page_en
    # 最新新闻 lists the items feeds read (none on the demo): it says so, and where the imported news is, not a bare —
    from zhaoshang.core.store import Store

    with Store(demo["db"], read_only=True) as s:
        items = f'{s.con.execute("SELECT count(*) FROM news").fetchone()[0]:,}'
    none = {lg: re.search(r'<p class="muted" id="mon-news-none">(.*?)</p>', pg, re.S).group(1)
            for lg, pg in (("zh", page), ("en", page_en))}
    assert none["zh"].startswith("这里列出新闻源抓取的新闻，尚无一条") and f"导入的新闻（zhaoshang import news）{items} 条不在此列" in none["zh"]
    assert f"The {items} imported news items (zhaoshang import news) are not listed here" in none["en"]
    assert not re.search(r"[\u4e00-\u9fff]", none["en"]) and 'href="/monitor?type=news"' in none["en"], none
    assert doc["total"] > c.get("/api/events?type=news&limit=1").json()["total"] > 0  # what the link lists
    # as of a past date the box apart holds the imported facts dated after it: said so, not called live events or an
    # undated import's changes (none are among them); the news link keeps every filter of the page
    q = "region=330100&since=2024-01-01&as_of=2024-06-30"
    past = c.get(f"/api/events?{q}").json()["later"]
    assert past["count"] > 0 and past["live"] == past["import_day"] == 0, past
    html = c.get(f"/monitor?lang=en&{q}").text
    hint = re.search(r'<p class="hint" id="ev-later-hint">(.*?)</p>', html, re.S).group(1)
    assert "These events are dated after the as-of date 2024-06-30: no view" in hint and "received today" not in hint
    assert '<span id="ev-later-live" hidden>' in hint and "ev-later-import-day" not in hint, hint
    assert 'href="/monitor?since=2024-01-01&amp;region=330100&amp;type=news&amp;as_of=2024-06-30"' in html
    # the JSON twin and the live stream carry the filters URL-encoded (a value with & or a space stays one value)
    html = c.get("/monitor?region=浙江&since=2024-01-01").text
    assert 'href="/api/events?since=2024-01-01&amp;region=%E6%B5%99%E6%B1%9F"' in html
    import json

    boot = json.loads(re.search(r'<script type="application/json" data-zs="monitor">(.*?)</script>', html, re.S).group(1))
    assert boot["stream"] == "/api/events/stream?since=2024-01-01&region=%E6%B5%99%E6%B1%9F", boot["stream"]
