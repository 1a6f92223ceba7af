"""The web pages in headless chromium (Playwright driving Debian's chromium headless shell) against a real
uvicorn server: pages load without console errors, the map is drawn, drill-down, filters, export,
language switch, synthetic label. Set ZHAOSHANG_SCREENSHOTS=DIR to save screenshots of each page."""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import matrix_fixture  # noqa: E402

from web_util import ARGS, CHROMIUM, require_browser, serving  # noqa: E402

from zhaoshang.core.parse.rounds import ROUND_LABELS_EN  # noqa: E402

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("ZHAOSHANG_SCREENSHOTS")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_browser()
    db = os.environ.get("ZHAOSHANG_BROWSER_DB")
    if not db:
        db = str(tmp_path_factory.mktemp("web") / "fx.duckdb")
        matrix_fixture.build(db)
    with serving(db, tries=200) as base:
        yield base


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    pg = ctx.new_page()
    pg.errors = []
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    ctx.close()


def shot(pg, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        time.sleep(0.6)  # let chart animations settle
        pg.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def canvas_ink(pg, selector="#map canvas") -> int:
    """Number of sampled non-white, non-transparent pixels in the first canvas under ``selector``."""
    return pg.evaluate("""sel => {
        const c = document.querySelector(sel); const ctx = c.getContext('2d');
        const d = ctx.getImageData(0, 0, c.width, c.height).data; let n = 0;
        for (let i = 0; i < d.length; i += 4 * 7) { if (d[i + 3] > 0 && (d[i] < 245 || d[i + 1] < 245 || d[i + 2] < 245)) n++; }
        return n; }""", selector)


def test_map_draws_and_drills_down(page, server):
    page.goto(server + "/map?node=M02")
    page.wait_for_selector("#map[data-ready='1']")
    assert canvas_ink(page) > 2000
    rows = page.locator("#map-table tbody tr")
    assert rows.count() >= 34
    first = rows.first.locator("td").first.inner_text()
    assert "北京" in first  # the fixture's biggest M02 province
    shot(page, "map")
    # click on Zhejiang on the canvas: its pixel from the map's own projection
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    before = page.evaluate("ZS.chart.getOption().series[0].map")
    # the pixel is read again before each click: on a busy machine the first click can land while the chart is
    # still laying itself out, and the drill-down must follow a real click on the drawn province
    for attempt in range(3):
        pt = page.evaluate("() => ZS.chart.convertToPixel({seriesIndex: 0}, [120.15, 29.3])")
        box = page.locator("#map").bounding_box()
        page.mouse.click(box["x"] + pt[0], box["y"] + pt[1])
        try:
            page.wait_for_function("() => document.querySelector('#map').dataset.view === '330000'",
                                   timeout=10000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    page.wait_for_selector("#panel-title")
    assert page.inner_text("#panel-title") == "浙江省"
    assert "浙江省" in page.inner_text("#crumbs")
    assert page.evaluate("ZS.chart.getOption().series[0].map") != before
    page.wait_for_function("() => document.querySelector('#map-table tbody tr td').innerText.includes('杭州')")
    assert canvas_ink(page) > 2000
    shot(page, "map-province")
    # drill into a city from the table: district bubbles on the city outline
    page.locator("#map-table tbody tr[data-code='330100'] a.rg").click()
    page.wait_for_function("() => document.querySelector('#map').dataset.view === '330100'")
    page.wait_for_function("() => document.querySelector('#map-table tbody tr td').innerText.includes('西湖')")
    assert page.evaluate("ZS.chart.getOption().series[0].type") == "scatter"
    shot(page, "map-city")
    # back to the nation through the breadcrumb; the metric switch redraws
    page.locator("#crumbs a").first.click()
    page.wait_for_function("() => document.querySelector('#map').dataset.view === '100000'")
    page.locator("#metric-seg button[data-metric='lq']").click()
    page.wait_for_function("() => ZS.chart.getOption().visualMap[0].type === 'piecewise'")
    assert page.locator("#map-notes").is_hidden() and not page.get_attribute("#metric-seg button[data-metric='lq']", "title")
    # no segment: no LQ to colour by (every province was grey, the legend's 0): the counts, and the note that says why
    page.select_option("#node-select", "")
    page.wait_for_function("() => ZS.chart.getOption().visualMap[0].type === 'continuous'")
    from zhaoshang.services.regions.matrix import LQ_NEEDS_NODE

    assert page.inner_text("#map-notes") == LQ_NEEDS_NODE[0] == page.get_attribute("#metric-seg button[data-metric='lq']", "title")
    assert page.evaluate("Math.max(...ZS.chart.getOption().series[0].data.map(d => d.value || 0))") > 0
    assert page.errors == []


def test_map_drills_a_municipality_to_districts_from_the_region_service(page, server):
    """The municipalities (whose single city the map skips) come from the region service, not from map.js."""
    from zhaoshang.core.geo.lookup import municipalities

    js = (Path(__file__).parents[1] / "src/zhaoshang/interfaces/web/static/map.js").read_text(encoding="utf-8")
    assert re.findall(r"\b\d{6}\b", js) == ["100000"]  # the nation only: no region list of its own
    page.goto(server + "/map?node=M02")
    page.wait_for_selector("#map[data-ready='1']")
    assert page.get_attribute("#map", "data-municipalities").split() == municipalities() == ["110000", "120000", "310000", "500000"]
    page.locator("#map-table tbody tr[data-code='110000'] a.rg").click()
    page.wait_for_function("() => document.querySelector('#map').dataset.view === '110000'")
    page.wait_for_function("() => document.querySelector('#map-table tbody tr td').innerText.includes('海淀')")
    assert page.evaluate("ZS.mapState.stack.at(-1).level") == "district"
    assert page.errors == []


def test_table_sorts(page, server):
    page.goto(server + "/map")
    page.wait_for_selector("#map[data-ready='1']")
    page.click("#map-table th[data-key='count']")
    page.click("#map-table th[data-key='count']")  # second click: ascending
    vals = page.eval_on_selector_all("#map-table tbody tr td:nth-child(2)", "tds => tds.map(t => +t.innerText.replace(/,/g, ''))")
    assert vals == sorted(vals) and vals[-1] > 0
    assert page.errors == []


def test_chain_page(page, server):
    page.goto(server + "/chain?region=330100")
    nodes = page.locator(".wolong .node")
    assert nodes.count() == sum(1 for n in matrix_fixture.NODES if n[2] == 2)
    assert page.locator(".node.st-strong").count() >= 1 and page.locator(".node.st-weak, .node.st-missing").count() >= 1
    page.wait_for_function("() => document.querySelector('#mix-chart canvas') !== null")
    assert canvas_ink(page, "#mix-chart canvas") > 500
    # the panel asks for a segment, what this page's reader clicks (it said 点击地区, the map's words)
    assert page.inner_text("#cell-hint") == "该环节企业：点击产业链环节查看其企业"
    page.locator(".node[data-node='M02']").click()
    page.wait_for_selector("#cell-node")
    assert page.inner_text("#cell-node") == "M02"
    assert "西湖区" in page.inner_text("#cell-groups")
    shot(page, "chain")
    # in English the groups are the districts' English names (they were 西湖区 … on the English page); in a window of
    # 1000 px the stages stand one above the other: the arrow between them lay turned over the cards (a click in a
    # card's middle did nothing), and the list opened far below without the page going to it
    page.set_viewport_size({"width": 1000, "height": 800})
    page.goto(server + "/chain?region=330100&lang=en")
    assert page.inner_text("#cell-hint").endswith(": Click a segment to see its enterprises")
    assert "region" not in page.inner_text("#cell-hint")
    card = page.locator(".node[data-node='M02']")
    card.scroll_into_view_if_needed()
    box = card.bounding_box()
    mid = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert page.evaluate("([x, y]) => document.elementFromPoint(x, y).closest('.node')?.dataset.node", mid) == "M02"
    page.mouse.click(*mid)
    page.wait_for_selector("#cell-node")
    page.wait_for_function("() => document.querySelector('#cell').getBoundingClientRect().top < innerHeight / 2")
    # the address names the segment, and the language switch keeps it
    assert "node=M02" in page.url and "node=M02" in page.get_attribute("#lang-switch a:not(#lang-en)", "href")
    groups = page.eval_on_selector_all("#cell-groups h3", "hs => hs.map(h => h.firstChild.textContent.trim())")
    assert "Xihu" in groups and not [g for g in groups if re.search(r"[\u4e00-\u9fff]", g)], groups
    assert page.errors == []


def test_enterprise_filters_and_export(page, server, tmp_path):
    import openpyxl

    page.goto(server + "/enterprises")
    total_all = int(page.inner_text("#result-total"))
    page.select_option("#f-region", "330000")
    page.wait_for_url("**region=330000**")
    total_zj = int(page.inner_text("#result-total"))
    assert 0 < total_zj < total_all
    page.select_option("#f-node", "M02")
    page.wait_for_url("**node=M02**")
    total_zj_m02 = int(page.inner_text("#result-total"))
    assert 0 < total_zj_m02 < total_zj
    locs = page.eval_on_selector_all("#ent-table tbody tr td:nth-child(2)", "tds => tds.map(t => t.innerText)")
    assert locs and all(x.startswith("浙江省") for x in locs)
    page.fill("#f-from", "2015")
    page.click("#f-apply")
    page.wait_for_url("**founded_from=2015**")
    years = page.eval_on_selector_all("#ent-table tbody tr td:nth-child(3)", "tds => tds.map(t => +t.innerText.slice(0, 4))")
    assert years and min(years) >= 2015
    n_rows = int(page.inner_text("#result-total"))
    shot(page, "enterprises")
    with page.expect_download() as dl:
        page.click("#export-xlsx")
    path = tmp_path / "export.xlsx"
    dl.value.save_as(path)
    ws = openpyxl.load_workbook(path).active
    data = list(ws.iter_rows(values_only=True))
    assert data[0][1] == "企业名称" and len(data) - 1 == n_rows
    shown = page.eval_on_selector_all("#ent-table tbody tr", "trs => trs.map(t => +t.dataset.id)")
    assert [r[0] for r in data[1:1 + len(shown)]] == shown
    # sort by name through the header
    page.click("#ent-table th a:has-text('企业名称')")
    page.wait_for_url("**sort=-name**")
    assert page.errors == []


def test_profile_page(page, server):
    page.goto(server + "/enterprises/1")
    assert page.inner_text("#ent-name")
    page.wait_for_selector("#pin-map[data-ready='1']")
    assert canvas_ink(page, "#pin-map canvas") > 500
    page.wait_for_timeout(400)  # labels are laid out after the first frame
    labels = page.evaluate(LABELS_JS, "#pin-map")  # the pin's name and the region names never overlap
    assert page.inner_text("#ent-name") in [x["t"] for x in labels] and len(labels) >= 3, labels
    overlaps = [(a["t"], b["t"]) for i, a in enumerate(labels) for b in labels[i + 1:]
                if a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]]
    assert overlaps == []
    assert "张三" in page.inner_text("#people")
    assert "51.00%" in page.inner_text("#shareholders")
    shot(page, "enterprise")
    assert page.errors == []


def test_profile_explains_placements(page, server):
    """Each placement's evidence is drawn by the explained-result component: signals, contributions, rows."""
    import httpx

    eid = httpx.get(server + "/api/enterprises?node=M02&size=1").json()["items"][0]["id"]
    page.goto(f"{server}/enterprises/{eid}")
    n = len(httpx.get(f"{server}/api/enterprises/{eid}").json()["placements"])
    assert n >= 1 and page.locator("#placements .xp").count() == n
    assert page.locator("#placements .xp-part[data-signal='text'] .xp-bar").first.is_visible()
    page.locator("#placements .xp-more summary").first.click()  # rows and method wait in closed details
    assert f"enterprises#{eid}" in page.inner_text("#placements .xp-refs")
    assert '{"' not in page.inner_text("#placements")  # no raw JSON
    assert page.errors == []



def test_profile_as_of_an_earlier_date_says_the_placements_are_the_latest_classification(page, server):
    """Placements are not dated: the profile asked of a date before the classification (the fixture's, 2024-01-01)
    says its placements are that classification's, of the text held now, in Chinese and English; at the data's own
    date it says nothing more."""
    import httpx

    eid = httpx.get(server + "/api/enterprises?node=M02&size=1").json()["items"][0]["id"]
    page.goto(f"{server}/enterprises/{eid}?as_of=2022-06-30")
    assert page.inner_text("#placements #pl-classified-on") == "产业链位置按 2024-01-01 的归类（文本为现有数据）"
    # its relationship view opens on the graph of the profile's day (core.explain.relations_href)
    assert page.get_attribute("#ent-relations", "href") == f"/relations/{eid}?as_of=2022-06-30"
    page.goto(f"{server}/enterprises/{eid}?as_of=2022-06-30&lang=en")
    assert page.inner_text("#pl-classified-on") == "Chain placements as classified on 2024-01-01 (from the current text)"
    page.goto(f"{server}/enterprises/{eid}")
    assert page.locator("#placements .xp").count() >= 1 and page.locator("#pl-classified-on").count() == 0
    assert page.get_attribute("#ent-relations", "href") == f"/relations/{eid}"
    assert page.errors == []

def test_language_switch_and_synthetic_label(page, server):
    page.goto(server + "/chain")
    assert page.inner_text("#synthetic-label") == "合成演示数据"
    page.click("#lang-en")
    page.wait_for_url("**lang=en**")
    assert "Chain map" in page.inner_text("h1")
    assert page.inner_text("#synthetic-label") == "synthetic demo data"
    page.goto(server + "/enterprises")  # the cookie keeps English
    assert "Enterprises" in page.inner_text("h1")
    for url in ["/map", "/enterprises/1"]:
        page.goto(server + url)
        assert page.locator("#synthetic-label").is_visible()
    assert page.errors == []


# ------------------------------------------------------------------------------------- the analyst's loose ends
LABELS_JS = """(sel) => {
  const zr = (sel ? echarts.getInstanceByDom(document.querySelector(sel)) : ZS.chart).getZr(), out = [];
  zr.storage.getDisplayList(true).forEach(el => {
    const tc = el.getTextContent ? el.getTextContent() : null;
    if (!tc || tc.ignore || tc.invisible || !tc.style || !tc.style.text) return;
    const r = tc.getBoundingRect().clone(); r.applyTransform(tc.getComputedTransform());
    out.push({t: tc.style.text, x: r.x, y: r.y, w: r.width, h: r.height});
  });
  return out; }"""


def test_drilled_map_survives_a_reload(page, server):
    page.goto(server + "/map?node=M02")
    page.wait_for_selector("#map[data-ready='1']")
    page.locator("#map-table tbody tr[data-code='330000'] a.rg").click()
    page.wait_for_function("() => document.querySelector('#map').dataset.view === '330000'")
    page.locator("#map-table tbody tr[data-code='330100'] a.rg").click()
    page.wait_for_function("() => document.querySelector('#map').dataset.view === '330100'")
    assert "region=330100" in page.url and "node=M02" in page.url
    # the sidebar follows the drill-down: its links keep the region where their pages read it (they opened the default)
    nav = "() => Object.fromEntries([...document.querySelectorAll('nav a')].map(a => [a.id || a.pathname, a.getAttribute('href')]))"
    links = page.evaluate(nav)
    assert links["nav-leads"] == "/leads?region=330100" and links["/chain"] == "/chain?region=330100", links
    assert links["nav-network"] == "/network" and links["nav-methods"] == "/methods", links
    # the JSON twin is the drawn view's request, the language switch and the sidebar's map link keep the view (the twin
    # stayed /api/map, the switch the address the page was opened at, the map link lost the segment)
    from urllib.parse import parse_qs, urlsplit

    query = lambda href: parse_qs(urlsplit(href).query)  # noqa: E731
    assert page.get_attribute("#json-twin", "href") == "/api/map?level=district&parent=330100&node=M02&metric=count"
    langs = page.eval_on_selector_all("#lang-switch a", "as => as.map(a => a.getAttribute('href'))")
    assert [query(h) for h in langs] == [{"region": ["330100"], "node": ["M02"], "lang": [x]} for x in ("zh", "en")], langs
    assert query(links["/map"]) == {"region": ["330100"], "node": ["M02"]}, links
    assert " · M02 计算机视觉 · " in page.inner_text("#table-caption")
    page.wait_for_selector("#panel-title")
    assert "头部企业 · M02 计算机视觉" in page.inner_text("#panel-body")
    page.reload()
    page.wait_for_selector("#map[data-ready='1']")
    assert page.evaluate("document.querySelector('#map').dataset.view") == "330100"
    assert page.evaluate("ZS.chart.getOption().series[0].type") == "scatter"
    crumbs = page.inner_text("#crumbs")
    assert "浙江省" in crumbs and "杭州市" in crumbs
    assert page.inner_text("#panel-title") == "杭州市"
    assert page.locator("#node-select").input_value() == "M02"
    shot(page, "map-reload")
    # a new date in the box draws the open panel again as of it (it kept the old date's figures)
    import httpx

    then = httpx.get(server + "/api/regions/330100?node=M02&as_of=2019-12-31").json()
    box = page.locator("#as-of-input")
    box.fill("2019-12-31")
    with page.expect_response(lambda r: "/api/regions/330100?" in r.url and "as_of=2019-12-31" in r.url):
        box.press("Enter")
    page.wait_for_function("() => document.querySelector('#panel-body').innerText.includes('2019-12-31')")
    head = page.inner_text("#panel-body p.muted.small")
    assert head.split(" · ")[0].split()[-1] == f"{then['region_total']:,}" and then["as_of"] in head, head
    assert page.inner_text("#panel-title") == "杭州市"
    assert page.evaluate(nav)["nav-monitor"] == "/monitor?region=330100&as_of=2019-12-31"  # and the date
    page.locator("#crumbs a").first.click()  # back to the nation: the URL forgets the region
    page.wait_for_function("() => document.querySelector('#map').dataset.view === '100000'")
    assert "region=" not in page.url
    assert page.evaluate(nav)["nav-leads"] == "/leads?as_of=2019-12-31"
    assert page.errors == []


def test_map_panel_gives_capital_in_english_units(page, server):
    page.goto(server + "/map?region=330000&lang=en")
    page.wait_for_selector("#map[data-ready='1']")
    page.wait_for_selector("#panel-title")
    caps = page.eval_on_selector_all(".tops-list small", "xs => xs.map(x => x.innerText.trim())")
    assert caps and all(re.fullmatch(r"\d{1,3}(,\d{3})*k CNY", c) for c in caps), caps  # 10k CNY × 10 = k CNY
    links = "xs => xs.map(x => x.getAttribute('href'))"
    assert all(re.fullmatch(r"/enterprises/\d+", h) for h in page.eval_on_selector_all(".tops-list a", links))
    # under an as-of the panel's enterprises open as of it (the day the box reads: 2020 → 2020-12-31), as the pages' do
    page.goto(server + "/map?region=330000&as_of=2020")
    page.wait_for_selector("#map[data-ready='1']")
    page.wait_for_selector(".tops-list a")
    hrefs = page.eval_on_selector_all(".tops-list a", links)
    assert hrefs and all(re.fullmatch(r"/enterprises/\d+\?as_of=2020-12-31", h) for h in hrefs), hrefs
    # and so do the pages it links: the region's profile (in the page's language, kept by its cookie), its chain map
    # and its lists
    assert page.inner_text(".panel-links a.to-region") == "Region profile →"
    chain = page.get_attribute("#map", "data-chain")  # the lists' node: the chain the map counts
    assert page.eval_on_selector_all(".panel-links a", links) == [
        "/region/330000?as_of=2020-12-31", "/chain?region=330000&as_of=2020-12-31",
        f"/enterprises?region=330000&node={chain}&as_of=2020-12-31",
        f"/enterprises?region=330000&node={chain}&sort=-score&as_of=2020-12-31"]
    assert page.errors == []


def overlapping(labels: list[dict], slack: float = 0.0) -> list[tuple[str, str]]:
    """The pairs of drawn labels that overlap by more than ``slack`` pixels each way."""
    return [(a["t"], b["t"]) for i, a in enumerate(labels) for b in labels[i + 1:]
            if a["x"] + slack < b["x"] + b["w"] and b["x"] + slack < a["x"] + a["w"]
            and a["y"] + slack < b["y"] + b["h"] and b["y"] + slack < a["y"] + a["h"]]


def test_district_bubble_labels_do_not_overlap(page, server):
    page.goto(server + "/map?region=330100")
    page.wait_for_selector("#map[data-ready='1']")
    page.wait_for_timeout(400)  # the scatter's labels are laid out after the first frame
    labels = page.evaluate(LABELS_JS)
    assert len(labels) >= 10 and "西湖区" in [x["t"] for x in labels]
    assert overlapping(labels) == []
    shot(page, "map-city-labels")
    assert page.errors == []


def test_hong_kong_drilled_in_english_names_its_districts_and_no_label_covers_another(page, server):
    """Hong Kong's districts sit right under the SAR (city-level units by their codes): the table names them districts,
    as the region service does (Macao's parishes, in Chinese 区 and 堂区), and the long English names of Kowloon's
    districts are laid out by ECharts so that none is drawn over another (as on every map)."""
    import httpx

    page.goto(server + "/map?region=810000&lang=en")
    page.wait_for_selector("#map[data-ready='1']")
    page.wait_for_function("() => document.getElementById('table-caption').textContent.startsWith('Hong Kong')")
    assert page.inner_text("#table-caption").split(" · ")[1] == "Districts"
    page.wait_for_timeout(400)  # covered labels are hidden on the frame after the layout
    labels = page.evaluate(LABELS_JS)
    assert len(labels) >= 8 and "Sha Tin District" in [x["t"] for x in labels]
    assert overlapping(labels, slack=1) == []  # touching within a pixel is no overlap (ECharts' own test)
    shot(page, "map-hong-kong-en")
    assert page.errors == []
    names = {p: httpx.get(server + "/api/map", params={"level": "city", "parent": p}).json()["level_name"]
             for p in ("810000", "820000", "330000")}
    assert names == {"810000": ["区", "Districts"], "820000": ["堂区", "Parishes"], "330000": ["地市", "Cities"]}
    assert httpx.get(server + "/api/regions/810000").json()["child_level_name"] == ["区", "Districts"]


def test_enterprise_region_filter_goes_down_to_districts(page, server):
    page.goto(server + "/enterprises")
    assert page.locator("#f-city").is_hidden()
    page.select_option("#f-region", "330000")
    page.wait_for_url("**region=330000**")
    page.wait_for_selector("#f-city:not([hidden])")
    total_zj = int(page.inner_text("#result-total"))
    page.select_option("#f-city", "330100")
    page.wait_for_url("**region=330100**")
    page.wait_for_selector("#f-district:not([hidden])")
    total_hz = int(page.inner_text("#result-total"))
    page.select_option("#f-district", "330106")
    page.wait_for_url("**region=330106**")
    total_xh = int(page.inner_text("#result-total"))
    assert 0 < total_xh < total_hz < total_zj
    locs = page.eval_on_selector_all("#ent-table tbody tr td:nth-child(2)", "tds => tds.map(t => t.innerText)")
    assert locs and all("西湖区" in x for x in locs)
    page.wait_for_selector("#filters[data-region-ready='1']")  # the page shows the chosen levels again
    assert [page.locator(s).input_value() for s in ("#f-region", "#f-city", "#f-district")] == ["330000", "330100", "330106"]
    page.select_option("#f-city", "")  # back up one level: the whole province
    page.wait_for_url("**region=330000**")
    assert int(page.inner_text("#result-total")) == total_zj
    # a municipality has no city to choose: its districts come straight away
    page.select_option("#f-region", "110000")
    page.wait_for_url("**region=110000**")
    page.wait_for_selector("#f-district:not([hidden])")
    assert page.locator("#f-city").is_hidden()
    assert page.errors == []


def test_chain_chips_show_names_with_the_code_in_a_tooltip(page, server):
    names = {n[0]: n[4] for n in matrix_fixture.NODES}
    page.goto(server + "/enterprises?node=M02")
    chips = page.eval_on_selector_all("#ent-table .chip-node", "cs => cs.map(c => [c.dataset.node, c.innerText, c.title])")
    assert chips
    for code, text, title in chips:
        assert text == names[code] and title.startswith(code) and names[code] in title
    shot(page, "enterprises-chips")
    # whole, on two lines where long (English names were cut to 'Autonomous driving …' by an ellipsis)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(server + "/enterprises?lang=en")
    # the fixture's names are short: the first chip is given the shipped AI chain's longest English node name
    page.eval_on_selector("#ent-table .chip-node", "c => { c.textContent = 'Autonomous driving and connected vehicles'; }")
    cut = page.eval_on_selector_all("#ent-table .chip-node", "cs => cs.filter(c => c.scrollWidth > c.clientWidth + 1)"
                                    ".map(c => c.innerText)")
    assert page.locator("#ent-table .chip-node").count() and cut == [], cut
    assert page.errors == []


def test_region_page_tables_use_the_full_width(page, server):
    page.goto(server + "/region/330100")
    page.wait_for_function("() => window.ZS && ZS.regionReady === true")
    content = page.evaluate("document.querySelector('main.content').clientWidth")
    for sec in ("#sec-recommend", "#sec-partners", "#sec-trends", "#sec-top"):
        if page.locator(sec + " table.grid").count():
            assert page.locator(sec).bounding_box()["width"] > 0.9 * content, sec
    cut = page.evaluate("""() => [...document.querySelectorAll('table.grid')].filter(t => t.offsetParent)
        .filter(t => t.scrollWidth > t.parentElement.clientWidth + 1).map(t => t.closest('section').id)""")
    assert cut == []
    # the quadrant column: one line per cell, never a column of single characters
    lines = page.evaluate("""() => { const t = document.querySelector('#sec-recommend table.grid');
        const i = [...t.querySelectorAll('th')].findIndex(th => th.innerText.trim() === '象限');
        return [...t.querySelectorAll('tbody tr')].map(tr => { const r = document.createRange();
          r.selectNodeContents(tr.children[i]); return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; }); }""")
    assert lines and max(lines) == 1
    shot(page, "region-tables")
    assert page.errors == []


HAN = re.compile(r"[\u4e00-\u9fff]")
CODE_WORDS = re.compile(r"(?<![A-Za-z])(?:[a-z]+_[a-z_]+|founded|dissolved|district|city|province|person|investor|subsidiary|"
                        r"branch|strong|average|weak|missing|angel|active)(?![A-Za-z])")
# the elements that carry the UI's own words (data such as enterprise, person and investor names left out; tags
# are shown by their labels, core/tags.py)
UI_TEXT_JS = """() => {
  const sel = 'h1, h2, h3, h4, th, label, button, nav a, dt, .chip, .lbl, #crumbs, .legend, #table-caption,'
    + ' .mix-stage, .mix-name, .rp-links li, .kv dd.ui, small.muted, .rp-kpi span, select option';
  const drop = 'a[href^="/enterprises/"], #ent-name, time';
  const refs = '.xp-refs, .xp-foot';  // an explanation's table/column references are code by design
  return [...document.querySelectorAll(sel)].filter(el => (el.offsetParent || el.tagName === 'OPTION') && !el.closest(refs)).map(el => {
    const c = el.cloneNode(true); c.querySelectorAll(drop).forEach(x => x.remove());
    return (c.innerText || c.textContent || '').trim(); }).filter(Boolean); }"""
PAGES = ["/map?region=330000&node=M02", "/chain?region=330100", "/enterprises?region=330106", "/enterprises/1",
         "/region/330100", "/trends", "/network"]


def _walk(page, server, lang):
    found = {}
    for url in PAGES:
        page.goto(server + url + ("&" if "?" in url else "?") + "lang=" + lang)
        if url.startswith("/map"):
            page.wait_for_selector("#map[data-ready='1']")
            page.wait_for_selector("#panel-title")
        if url.startswith("/region"):
            page.wait_for_function("() => window.ZS && ZS.regionReady === true")
        found[url] = page.evaluate(UI_TEXT_JS)
    return found


def test_english_pages_have_no_chinese_labels(page, server):
    leaks = {url: [x for x in texts if HAN.search(x)] for url, texts in _walk(page, server, "en").items()}
    assert {u: x for u, x in leaks.items() if x} == {}
    page.goto(server + "/enterprises/1?lang=en")
    assert "name change" in page.inner_text("#timeline") and "individual" in page.inner_text("#shareholders")
    page.goto(server + "/enterprises?lang=en&sort=-funding")
    rounds = page.eval_on_selector_all("#ent-table tbody tr td:nth-child(6)", "tds => tds.map(t => t.firstChild ? t.firstChild.textContent.trim() : '')")
    assert [r for r in rounds if r] and all(r in ROUND_LABELS_EN.values() for r in rounds if r), rounds
    stages = page.eval_on_selector_all("#f-stage option[value]:not([value=''])", "os => os.map(o => o.textContent.trim())")
    assert stages and all(r in ROUND_LABELS_EN.values() for r in stages), stages  # Series A, not the code a
    page.goto(server + "/region/330100?lang=en")
    assert "Hangzhou" in page.inner_text("h1")
    assert page.errors == []


def test_chinese_pages_show_no_codes(page, server):
    leaks = {url: [x for x in texts if CODE_WORDS.search(x)] for url, texts in _walk(page, server, "zh").items()}
    assert {u: x for u, x in leaks.items() if x} == {}
    page.goto(server + "/enterprises/1?lang=zh")
    assert "名称变更" in page.inner_text("#timeline") and "change_name" not in page.inner_text("#timeline")
    assert "自然人" in page.inner_text("#shareholders")
    assert "district" not in page.inner_text("h2:has(#pin-map), section:has(#pin-map) h2")
    assert page.evaluate("[ZS.lq(1.197), ZS.lq(1.202), ZS.lq(0.4996), ZS.lq(2.5)]") == ["1.197", "1.20", "0.4996", "2.50"]
    assert page.errors == []


LINES_JS = """sel => [...document.querySelectorAll(sel)].filter(td => td.innerText.trim()).map(td => {
  const r = document.createRange(); r.selectNodeContents(td);
  return [td.innerText, new Set([...r.getClientRects()].map(x => Math.round(x.top))).size]; })"""


def test_phone_width_pages_fit_the_screen(browser, server):
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    pg = ctx.new_page()
    for url in ("/map", "/region/330100", "/enterprises", "/enterprises/1"):
        pg.goto(server + url)
        if url.startswith("/region"):
            pg.wait_for_function("() => window.ZS && ZS.regionReady === true")
        assert pg.evaluate("document.documentElement.scrollWidth") <= 390, url  # nothing to scroll sideways
        main = pg.locator("main.content").bounding_box()
        assert main["x"] == 0 and main["width"] == 390, (url, main)  # the page uses the screen, not a strip beside the menu
        assert pg.locator("nav a.on").is_visible(), url
    ctx.close()


def test_dates_and_amounts_stay_on_one_line(browser, server):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    short = re.compile(r"^(\d{4}-\d{2}-\d{2}|[\d,.]+万?)$")  # a date or an amount: never cut in two
    cells = []
    for url in ("/enterprises?sort=-funding", "/enterprises/1"):
        pg.goto(server + url)
        cells += [c for c in pg.evaluate(LINES_JS, "table.grid td, table.grid td small") if short.match(c[0].strip())]
    assert len(cells) > 5 and [c for c in cells if c[1] > 1] == []
    ctx.close()


def test_as_of_boxes_show_the_date_the_page_is_as_of(page, server):
    import httpx

    ref = httpx.get(server + "/api/map").json()["as_of"]  # the one as-of service's reference date
    for url, box in (("/map", "#as-of-input"), ("/enterprises", "#f-asof"), ("/leads?region=330100", "#f-asof"),
                     ("/chain", "#chain-as-of"), ("/region/330100", "#rp-as-of"), ("/network", "#net-as-of"),
                     ("/trends", "#trends-as-of")):
        page.goto(server + url)
        if url == "/map":
            page.wait_for_selector("#map[data-ready='1']")
            date_field_of_the_map(page, ref)
            continue
        assert page.input_value(box) == ref, url
        assert page.locator("#as-of").inner_text() == ref, url
    page.goto(server + "/enterprises?as_of=2020-06-30")
    assert page.input_value("#f-asof") == "2020-06-30"
    # a date pasted with slashes (from a spreadsheet) is read, and every page's box shows the day the page is as of in
    # the one form the box takes — it kept 2020/06/30, marked invalid, and its form could no longer be sent
    boxes = (("/map", "#as-of-input"), ("/enterprises", "#f-asof"), ("/leads?region=330100", "#f-asof"),
             ("/chain", "#chain-as-of"), ("/region/330100", "#rp-as-of"), ("/network", "#net-as-of"),
             ("/trends?start=2019/1&end=2019", "#trends-as-of"), ("/monitor?since=2019/7", "#f-as-of"))
    for url, box in boxes:
        page.goto(server + url + ("&" if "?" in url else "?") + "as_of=2020/06/30")
        if url == "/map":
            page.wait_for_selector("#map[data-ready='1']")
        assert page.input_value(box) == "2020-06-30" and page.locator(box).evaluate("b => b.validity.valid"), url
    assert page.input_value("#f-since") == "2019-07-01"  # a bare month of a from-date: its first day, as read
    page.goto(server + "/trends?start=2019/1&end=2019&as_of=2020/06/30")
    assert (page.input_value("input[name=start]"), page.input_value("input[name=end]")) == ("2019-01-01", "2019-12-31")
    page.goto(server + "/leads?region=330100&as_of=2020/06/30")
    with page.expect_navigation():
        page.click("#leads-apply")  # the form goes again as it stands, not refused by the browser
    assert "as_of=2020-06-30" in page.url and page.locator("#as-of").inner_text() == "2020-06-30"
    # a probe or link checker asking with HEAD: the page's status and length, no body (it was a 405)
    got, head = httpx.get(server + "/leads?region=330100"), httpx.head(server + "/leads?region=330100")
    assert (head.status_code, head.content, head.headers["content-length"]) == (200, b"", str(len(got.content)))
    assert httpx.head(server + "/").status_code == httpx.get(server + "/", follow_redirects=False).status_code
    page.goto(server + "/admin?lang=en")  # English: the same field, its refusal in English
    start = page.locator("input.zs-date[name=since]")
    start.fill("31/12/2025")
    start.press("Tab")
    assert start.evaluate("b => b.validationMessage") == "not a valid date: use YYYY-MM-DD, 2026/03/05 or 20260305"
    start.fill("2025/1/5")
    start.press("Tab")
    assert start.input_value() == "2025-01-05" and start.get_attribute("title") == "2025-01-05"
    assert page.errors == []


def test_date_fields_take_the_years_of_the_one_date_parser(page, server):
    """The pages refused a date before 1900 where the CLI reads 1800–2100 (core/parse/dates.py): the date field and
    the founding-year fields take the parser's years, and a day outside them is refused with the range."""
    from zhaoshang.core.parse.dates import MAX_YEAR, MIN_YEAR

    page.goto(server + "/enterprises?as_of=1850-06-30")
    box = page.locator("#f-asof")
    assert box.input_value() == "1850-06-30" and page.locator("#as-of").inner_text() == "1850-06-30"
    pick = page.locator("#f-asof ~ .date-pick .zs-date-pick")
    assert (pick.get_attribute("min"), pick.get_attribute("max")) == (f"{MIN_YEAR}-01-01", f"{MAX_YEAR}-12-31")
    for year in ("#f-from", "#f-to"):
        assert (page.get_attribute(year, "min"), page.get_attribute(year, "max")) == (str(MIN_YEAR), str(MAX_YEAR))
    box.fill("1799-12-31")
    box.press("Tab")
    assert box.evaluate("b => b.validationMessage") == "年份超出范围（1800–2100）"
    box.fill("1800年1月1日")
    box.press("Tab")
    assert box.input_value() == "1800-01-01" and box.evaluate("b => b.validity.valid")
    assert page.errors == []


def date_field_of_the_map(page, ref):
    """The map's as-of field — the shared date field of every page — shows YYYY-MM-DD (年月日 on hover) on a
    Chinese page in a browser whose locale writes 12/31/2025; a typed 2024年3月5日 is the date the map is then
    drawn for; a day that does not exist is refused in Chinese and never asked for; a pick from the calendar
    lands as YYYY-MM-DD."""
    assert page.evaluate("navigator.language").startswith("en")
    box = page.locator("#as-of-input")
    assert page.locator("#as-of").inner_text() == ref
    assert box.get_attribute("type") == "text" and box.input_value() == ref and re.fullmatch(r"\d{4}-\d{2}-\d{2}", ref)
    assert box.get_attribute("title") == f"{int(ref[:4])}年{int(ref[5:7])}月{int(ref[8:])}日"
    shot(page, "date_field_zh")
    asked = []
    page.on("request", lambda r: asked.append(r.url) if "/api/map?" in r.url else None)
    box.fill("2024年3月5日")
    with page.expect_response(lambda r: "/api/map?" in r.url and "as_of=2024-03-05" in r.url):
        box.press("Enter")
    assert box.input_value() == "2024-03-05"
    box.fill("2024-02-30")
    box.press("Enter")
    assert box.evaluate("b => b.validationMessage") == "日期无效或不存在，应为 YYYY-MM-DD、2026/03/05、20260305 或 2026年3月5日"
    # the browser's calendar (behind the icon) gives its pick to the field, which tells the page
    with page.expect_response(lambda r: "/api/map?" in r.url and "as_of=2023-12-31" in r.url):
        page.evaluate("""() => { const p = document.querySelector('.zs-date-pick'); p.value = '2023-12-31';
                                p.dispatchEvent(new Event('change', {bubbles: true})); }""")
    assert box.input_value() == "2023-12-31" and box.evaluate("b => b.validity.valid")
    assert [u for u in asked if "2024-02-30" in u] == []


def test_map_panel_list_link_counts_what_the_map_counts(page, server):
    """Without a node the map counts the enterprises placed on the chain; its 企业库 link lists those same ones."""
    import httpx

    rows = httpx.get(server + "/api/map?level=city&parent=330000").json()["rows"]
    want = next(r for r in rows if r["code"] == "330100")
    everyone = httpx.get(server + "/api/enterprises?region=330100&size=1").json()["total"]
    assert want["count"] < everyone  # some of the city's enterprises are not on the chain
    page.goto(server + "/map?region=330100")
    page.wait_for_selector("#map[data-ready='1']")
    page.wait_for_function("() => document.querySelector('#panel-title')?.innerText === '杭州市'")
    page.locator(".panel-links a[href^='/enterprises?']:not(.by-score)").click()
    page.wait_for_url("**/enterprises?*")
    assert int(page.inner_text("#result-total").replace(",", "")) == want["count"]
    assert page.errors == []


def test_pages_print_shares_as_the_cli_does(page, server):
    """The map showed 6.26 % where `zhaoshang map` printed 6.3 %: the pages' percent is the CLI's and the reports'
    (``labels.pct_text``: one decimal, two where one would round a non-zero share to zero). A path's strength
    likewise (``labels.strength_text``, ``ZS.strength``)."""
    from zhaoshang.interfaces.labels import lq_text, pct_text, strength_text

    page.goto(server + "/map")
    page.wait_for_selector("#map[data-ready='1']")
    values = [0, 0.0626, 0.1, 0.23149, 1, 0.0004, 0.00095, 0.001, -0.0626, -0.0004,
              0.0025, 0.2525, 0.00125, -0.0025, 0.00045, 0.0145, 0.0135]  # halves: 0.3% on both sides, not 0.2%
    assert page.evaluate("xs => xs.map(x => ZS.pct(x))", values) == [pct_text(v) for v in values]
    assert page.evaluate("ZS.pct(0.0025)") == "0.3%" and page.evaluate("ZS.pct(0.00045)") == "0.05%"
    lqs = [1.125, 0.845, 2.675, 1.005, 1.197, 1.202, 0.4996]
    assert page.evaluate("xs => xs.map(x => ZS.lq(x))", lqs) == [lq_text(v) for v in lqs]
    assert page.evaluate("ZS.pct(null)") == pct_text(None) == "—"
    strengths = [0.315, 0.253125, 0.23625, 0.125, 0.6, 1, 0.004, 0.0005, 0, None]  # a path's, as `reach` prints it
    assert page.evaluate("xs => xs.map(x => ZS.strength(x))", strengths) == [strength_text(v) for v in strengths]
    shown = page.eval_on_selector_all("#map-table tbody tr td:nth-child(3)", "tds => tds.map(t => t.innerText)")
    assert shown and all(re.fullmatch(r"\d+\.\d%|0\.0\d%", s) for s in shown), shown
    assert page.errors == []
