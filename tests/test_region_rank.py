"""A region's place among its peers in the region profile, page, report and workbook: a district among the districts
of its city, equal counts sharing a place everywhere, and a region without chain enterprises left unranked."""

from __future__ import annotations

import re

import datetime as dt
import json
import sys
import warnings
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
warnings.filterwarnings("ignore", category=DeprecationWarning)
from cli_util import run  # noqa: E402
from web_util import local_client  # noqa: E402


@pytest.fixture(scope="module")
def demo(tmp_path_factory, demo_copy):
    d = tmp_path_factory.mktemp("rank")
    db = d / "demo.duckdb"
    demo_copy(db)
    return {"db": str(db), "dir": d}


@pytest.fixture(scope="module")
def app(demo):
    """The web app on the module's demo, one for the module (the tests only read)."""
    from zhaoshang.interfaces.web.app import create_app

    return create_app(demo["db"])


@pytest.fixture
def client(app):
    """The app as a browser on this machine calls it, with no cookie of another test's (a language chosen)."""
    return local_client(app)


@pytest.fixture(scope="module")
def xihu(demo):
    """西湖区's report as HTML and workbook, both from one run (`report region 330106 -o xihu.html -o xihu.xlsx`):
    ``{"html": its text, "xlsx": the workbook's path}``."""
    out, xlsx = demo["dir"] / "xihu.html", demo["dir"] / "xihu.xlsx"
    run("report", "region", "330106", "-o", out, "-o", xlsx, db=demo["db"])
    return {"html": out.read_text(encoding="utf-8"), "xlsx": xlsx}


@pytest.fixture(scope="module")
def zj_cities(demo):
    """Zhejiang's cities as `map --level city --parent 330000` gives them (two tests read them; the demo is unchanged)."""
    return _map(demo, "--level", "city", "--parent", "330000")


def _map(demo, *args) -> list[dict]:
    """The regions of a `map` level (its last row, the parent's enterprises no region of the level holds, is none)."""
    return [r for r in json.loads(run("map", *args, "--format", "json", db=demo["db"]).stdout) if not r.get("unplaced")]


def _place(rows: list[dict], code: str) -> int:
    mine = next(r["count"] for r in rows if r["code"] == code)
    return 1 + sum(1 for r in rows if r["count"] > mine)


def _workbook(path) -> dict:
    import openpyxl

    wb = openpyxl.load_workbook(path)
    overview = {r[0]: r[1] for r in wb.worksheets[0].iter_rows(values_only=True) if r[0]}
    sheet = wb["地区对比"] if "地区对比" in wb.sheetnames else wb["Regions"]
    rows = list(sheet.iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if r[0] in ("地区代码", "Code"))  # below the synthetic label
    return {"overview": overview, "regions": [dict(zip(rows[at], r)) for r in rows[at + 1:]]}


def test_a_district_is_ranked_among_the_districts_of_its_city(demo, client, xihu):
    """西湖区 was given 杭州市's place among Zhejiang's cities (1 of 11) and the map outlined 杭州市."""
    districts = _map(demo, "--level", "district", "--parent", "330100")
    place, peers = _place(districts, "330106"), len(districts)
    assert peers > 11
    text = xihu["html"]
    assert f"在本市各区中位列第 {place}（共 {peers} 个）" in text, text[text.index("共有产业链企业"):][:200]
    en = demo["dir"] / "xihu_en.html"
    run("--lang", "en", "report", "region", "330106", "-o", en, db=demo["db"])
    assert f"ranking {place} of {peers} districts of its city" in en.read_text(encoding="utf-8")

    wb = _workbook(xihu["xlsx"])
    assert (wb["overview"]["地区排名"], wb["overview"]["对比地区数"]) == (place, peers)
    marked = [r["地区"] for r in wb["regions"] if r["本地区"] == "是"]
    assert marked == ["西湖区"] and "杭州市" not in {r["地区"] for r in wb["regions"]}, marked
    assert next(r["排名"] for r in wb["regions"] if r["地区"] == "西湖区") == place

    m = client.get("/api/region-profile/330106").json()["map"]
    assert (m["view"], m["level"], m["highlight"], m["rank"], m["peers"]) == ("330100", "district", ["330106"], place, peers)
    page = client.get("/region/330106").text
    assert f"{place}<small class=\"muted\"> / {peers}</small>" in page


def test_equal_counts_share_a_place_in_every_table(demo, zj_cities):
    """The comparison table and the workbook numbered the empty cities of Zhejiang 6, 7, 8 … though their counts
    are equal (and the workbook's notes say equal counts share a place); equal counts share a place, and a city
    without chain enterprises has none (—, an empty cell), rather than all of them sharing the last."""
    cities = zj_cities
    tied = [c for c in cities if c["count"] > 0 and sum(1 for d in cities if d["count"] == c["count"]) > 1]
    xlsx, html = demo["dir"] / "zj.xlsx", demo["dir"] / "zj.html"
    run("report", "region", "杭州市", "-o", xlsx, "-o", html, db=demo["db"])  # one profile, both files
    ranks = {r["地区"]: r["排名"] for r in _workbook(xlsx)["regions"]}
    assert tied and all(ranks[c["name"]] == _place(cities, c["code"]) for c in tied), ranks
    assert {ranks[r["name"]] for r in cities if r["count"] == 0} == {None}, ranks
    text = html.read_text(encoding="utf-8")
    table = text[text.index("地区对比（前十及本地区）"):text.index('id="sec-chain"')]
    empty = [r["name"] for r in cities if r["count"] == 0]
    assert empty
    for name in empty[:2]:
        assert f'<td class="k-int">—</td><td class="k-text">{name}</td>' in table, table
    for c in tied[:2]:
        assert f'<td class="k-int">{_place(cities, c["code"])}</td><td class="k-text">{c["name"]}</td>' in table, table


def test_a_region_without_chain_enterprises_is_not_ranked_nor_missing_every_segment(demo, client, zj_cities):
    """湖州市 holds no chain enterprise on the demo: it read "6 / 11" and "29 薄弱/缺失环节" next to 暂无数据."""
    assert next(r["count"] for r in zj_cities if r["code"] == "330500") == 0
    out, xlsx = demo["dir"] / "huzhou.html", demo["dir"] / "huzhou.xlsx"
    run("report", "region", "湖州市", "-o", out, "-o", xlsx, db=demo["db"])
    text = out.read_text(encoding="utf-8")
    overview = text[text.index("共有产业链企业 0 家"):][:300]
    assert "位列第" not in overview and "该地区暂无产业链企业，不参与排名" in overview, overview
    assert "缺失环节" not in overview and "均无本地企业" in overview, overview
    en = demo["dir"] / "huzhou_en.html"
    run("--lang", "en", "report", "region", "湖州市", "-o", en, db=demo["db"])
    t = en.read_text(encoding="utf-8")
    assert "not ranked" in t and "ranking " not in t and " missing." not in t
    ov = _workbook(xlsx)["overview"]
    assert ov["地区排名"] == "该地区暂无产业链企业，不参与排名" and ov["缺失环节"] is None and ov["薄弱环节"] is None, ov

    p = client.get("/api/region-profile/330500").json()
    assert p["map"]["rank"] is None and p["map"]["unranked"] is True
    page = client.get("/region/330500").text
    kpis = page[page.index('class="rp-kpis"'):page.index('class="rp-row"')]
    assert "该地区暂无产业链企业，不参与排名" in kpis and "<b>—<small" in kpis
    assert re.search(r'<div class="rp-kpi bad" id="kpi-fill-card" title="截至 [\d-]+，该地区没有产业链企业：[^"]*"><b>—</b>', kpis), kpis


def _sparse_city(db: str):
    """A city with funding rounds in the five years to the reference date, none in the window's first quarter."""
    from zhaoshang.core.asof import reference_date
    from zhaoshang.core.store import Store

    with Store(db, read_only=True) as s:
        d = reference_date(s, None)
        start = f"{d.year - 5 + (d.month > 9)}-{((d.month - 1) // 3 * 3 + 3) % 12 + 1:02d}-01"
        rows = s.query("""SELECT e.city_code AS code, count(*) AS n, min(f.date) AS first FROM fundings f
                          JOIN enterprises e ON e.id = f.enterprise_id
                          WHERE f.date > CAST(? AS DATE) + INTERVAL 3 MONTH AND f.date <= ? AND e.city_code IS NOT NULL
                          AND e.city_code NOT IN (SELECT e2.city_code FROM fundings f2 JOIN enterprises e2 ON e2.id = f2.enterprise_id
                                                  WHERE f2.date >= CAST(? AS DATE) AND f2.date < CAST(? AS DATE) + INTERVAL 3 MONTH
                                                  AND e2.city_code IS NOT NULL)
                          GROUP BY 1 ORDER BY 2, 1 LIMIT 1""", [start, d, start, start])
    return d, rows[0]["code"]


def test_the_funding_section_states_its_five_year_window_and_every_quarter(demo, client):
    """The sentence said 近 2 年（2015Q2 至 2017Q4） for a five-year window: the years were the quarters with a
    round divided by four, and the chart and the workbook left out the empty quarters."""
    d, city = _sparse_city(demo["db"])
    q = lambda y, m: f"{y}Q{(m - 1) // 3 + 1}"  # noqa: E731
    first = q(d.year - 5 + (d.month > 9), ((d.month - 1) // 3 * 3 + 3) % 12 + 1)
    last = q(d.year, d.month)
    out, xlsx = demo["dir"] / f"{city}.html", demo["dir"] / f"{city}.xlsx"
    run("report", "region", city, "-o", out, "-o", xlsx, db=demo["db"])
    text = out.read_text(encoding="utf-8")
    assert f"近 5 年（{first} 至 {last}），本地产业链企业共获融资" in text, text[text.index('id="sec-trends"'):][:600]
    import openpyxl

    rows = [r for r in openpyxl.load_workbook(xlsx)["融资趋势"].iter_rows(values_only=True) if r[0] and r[0][:2].isdigit()]
    assert len(rows) == 20 and rows[0][0] == first and rows[-1][0] == last, rows
    assert rows[0][1] == 0 and rows[0][3] == 0, rows[0]
    tr = client.get(f"/api/region-profile/{city}").json()["trends"]
    assert [r["period"] for r in tr["by_period"]][::19] == [first, last] and len(tr["by_period"]) == 20
    assert (tr["years"], tr["first_period"], tr["last_period"]) == (5, first, last)


def test_a_region_whose_rounds_all_precede_the_window_says_how_many_and_the_latest(demo):
    """A region with rounds only before the five-year window read "暂无数据（该地区在 … 没有融资事件）" as if it had
    none: the note names how many came before the window and the latest date, in the report and the workbook."""
    from zhaoshang.core.asof import reference_date
    from zhaoshang.core.store import Store

    with Store(demo["db"], read_only=True) as s:
        d = reference_date(s, None)
        found = s.query("""SELECT coalesce(e.district_code, e.city_code) AS code FROM fundings f
                           JOIN enterprises e ON e.id = f.enterprise_id WHERE coalesce(e.district_code, e.city_code) IS NOT NULL
                           GROUP BY 1 HAVING max(f.date) < ? ORDER BY count(*) DESC, 1""", [dt.date(d.year - 4, 1, 1)])
    code, totals = next((r["code"], t) for r in found
                        for t in [json.loads(run("trends", "--region", r["code"], "--format", "json", db=demo["db"]).stdout)["totals"]]
                        if t["rounds"])
    out, xlsx = demo["dir"] / f"{code}.html", demo["dir"] / f"{code}.xlsx"
    run("report", "region", code, "-o", out, "-o", xlsx, db=demo["db"])
    text = out.read_text(encoding="utf-8")
    sec = text[text.index('id="sec-trends"'):text.index('id="sec-top"')]
    assert f"没有融资事件；此前共有 {totals['rounds']:,} 起，最近一次在 {totals['last_date']}" in sec, sec
    en = demo["dir"] / f"{code}_en.html"
    run("--lang", "en", "report", "region", code, "-o", en, db=demo["db"])
    sec = en.read_text(encoding="utf-8")
    assert f"before it, the latest on {totals['last_date']}" in sec
    import openpyxl

    cells = [c for r in openpyxl.load_workbook(xlsx)["融资趋势"].iter_rows(values_only=True) for c in r if c]
    assert any(f"最近一次在 {totals['last_date']}" in str(c) for c in cells), cells


def test_the_region_page_states_the_funding_window_and_links_to_the_same_period(client):
    """The page's 资本风向 showed five years of rounds under a bare title, next to /trends' all-time figures for the
    same region: it states the window and totals as the report does and links to /trends over that window."""
    import html as html_lib
    import re

    p = client.get("/api/region-profile/330100").json()
    tr = p["trends"]
    page = client.get("/region/330100").text
    sec = page[page.index('id="sec-trends"'):page.index('id="sec-top"')]
    window = re.search(r'id="trends-window">([^<]*)', sec).group(1)
    rounds = f"{tr['totals']['rounds']:,}"
    assert window.startswith(f"近 5 年（{tr['first_period']} 至 {tr['last_period']}），本地产业链企业共获融资 {rounds} 起"), window
    link = html_lib.unescape(re.search(r'id="trends-link" href="([^"]*)"', sec).group(1))
    assert link.startswith("/trends?") and f"start={tr['start']}" in link and f"as_of={p['as_of']}" in link, link
    assert client.get(link).status_code == 200
    same = client.get("/api/trends?" + link.split("?", 1)[1]).json()["totals"]
    assert same["rounds"] == tr["totals"]["rounds"] and same["amount_wan"] == pytest.approx(tr["totals"]["amount_wan"])


def test_a_macro_regions_comparison_table_lists_the_macro_regions_of_its_rank(demo, client, demo_report):
    """长三角's text ranked it among 6 macro-regions while its table and sheet listed the 34 provinces without it."""
    m = client.get("/api/region-profile/M-YRD").json()["map"]
    peers = {x["name"] for x in m["rank_among"]} | {"长三角"}
    assert len(peers) == m["peers"]
    xlsx = demo["dir"] / "yrd.xlsx"
    demo_report(xlsx, "长三角")  # the module's demo is the unchanged demo: the run's one rendering of this report
    rows = _workbook(xlsx)["regions"]
    assert {r["地区"] for r in rows} == peers, rows
    assert [r["地区"] for r in rows if r["本地区"] == "是"] == ["长三角"]
    assert next(r["排名"] for r in rows if r["地区"] == "长三角") == m["rank"]
    out = demo["dir"] / "yrd.html"
    demo_report(out, "长三角")
    text = out.read_text(encoding="utf-8")
    table = text[text.index("地区对比（前十及本地区）"):text.index('id="sec-chain"')]
    assert "长三角" in table and "广东省" not in table and "安徽省" not in table, table


def test_english_report_writes_cny_amounts_in_millions_and_billions(demo, client):
    """The English funding sentence read "302.13 hundred million CNY" and its chart "Amount (100M CNY)"."""
    from zhaoshang.core.event_titles import money_en

    t = client.get("/api/region-profile/330100").json()["trends"]["totals"]
    wan, est = t["amount_wan"], t["estimated_wan"]
    out = demo["dir"] / "hz_en.html"
    run("--lang", "en", "report", "region", "杭州市", "-o", out, db=demo["db"])
    text = out.read_text(encoding="utf-8")
    # (the demo's rounds hold amounts given as ranges: the sentence says the estimate, not "disclosed")
    said = f"{money_en(wan * 1e4)} ({money_en(est * 1e4)} of it estimated from ranges)"
    assert f"rounds, {said}," in text and "hundred million" not in text
    assert "Amount (CNY million)" in text and "Amount (100M CNY)" not in text
    page = client.get("/region/330100?lang=en").text
    assert said in page, page[page.index('id="sec-trends"'):][:800]


def test_the_leads_panel_gives_its_reason_before_any_enterprise(client):
    """On a date before every enterprise the leads panel read "服务未返回数据" while the other panels said why."""
    page = client.get("/region/330100?as_of=1990-01-01").text
    sec = page[page.index('id="sec-leads"'):][:1500]
    assert "服务未返回数据" not in sec and "截至 1990-01-01 全国尚无已归入产业链的企业" in sec, sec
    en = client.get("/region/330100?as_of=1990-01-01&lang=en").text
    sec = en[en.index('id="sec-leads"'):][:1500]
    assert "no enterprise in the nation is placed on the chain as of 1990-01-01" in sec, sec


def test_a_districts_report_map_shows_the_districts_of_its_city(xihu):
    """The district's map outlined its city among the province's cities; without district boundaries the city's
    districts are bubbles at their seats, the district's outlined."""
    import re

    text = xihu["html"]
    svg = text[text.index('id="sec-overview"'):text.index('id="sec-chain"')]
    circles = re.findall(r'<circle [^>]*stroke="([^"]+)"[^>]*><title>([^<]+) ', svg)
    assert ("#d4542b", "西湖区") in circles, circles[:5]
    assert len({name for _, name in circles}) > 11 and "杭州市" not in {name for _, name in circles}
