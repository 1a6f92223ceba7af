"""The 地区画像 page and its JSON twin against a real server on a demo database: the twin equals the
service, 404s, the report download, and in headless chromium: no console errors, charts drawn, the
download button. ZHAOSHANG_SCREENSHOTS=DIR saves a screenshot (region.png)."""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from web_util import require_browser, serving  # noqa: E402

from zhaoshang.core.store import Store  # noqa: E402
from zhaoshang.interfaces.labels import PARTNER_KINDS  # noqa: E402
from zhaoshang.services.region_profile import region_profile  # noqa: E402

SHOTS = os.environ.get("ZHAOSHANG_SCREENSHOTS")


@pytest.fixture(scope="module")
def server(tmp_path_factory, demo_copy):
    db = str(demo_copy(tmp_path_factory.mktemp("rpage") / "demo.duckdb"))
    s = Store(db, read_only=True)
    expected = region_profile(s, "440300")
    s.close()
    with serving(db) as base:
        yield {"base": base, "expected": expected}


def test_json_twin_equals_the_service(server):
    import httpx

    doc = httpx.get(server["base"] + "/api/region-profile/440300", timeout=60).json()
    exp = server["expected"]
    assert doc["as_of"] == exp["as_of"] and doc["summary"] == exp["summary"]
    assert [(r["code"], r["count"], r["lq"]) for r in doc["chain_rows"]] == [(r["code"], r["count"], r["lq"]) for r in exp["chain_rows"]]
    assert [r["name"] for r in doc["top_enterprises"]["rows"]] == [r["name"] for r in exp["top_enterprises"]["rows"]]
    assert doc["synthetic"] is True and doc["available"]["trends"] and doc["available"]["recommend"]
    r = httpx.get(server["base"] + "/api/region-profile/999999", timeout=30)
    assert r.status_code == 404 and "未找到地区" in r.json()["error"]
    assert httpx.get(server["base"] + "/region/999999", timeout=30).status_code == 404
    old = httpx.get(server["base"] + "/api/region-profile/440300?as_of=2016-12-31", timeout=60).json()
    assert old["as_of"] == "2016-12-31" and old["summary"]["region_total"] < doc["summary"]["region_total"]
    # in English the top enterprises' districts and segments are English (their names stay as registered)
    top = exp["top_enterprises"]["rows"]
    assert all(r["district_en"] and r["nodes_en"] and not re.search(r"[\u4e00-\u9fff]", r["nodes_en"]) for r in top)
    html = httpx.get(server["base"] + "/region/440300?lang=en", timeout=60).text
    sec = html[html.index('id="sec-top"'):]
    sec = sec[:sec.index("</section>")]
    assert top[0]["district_en"] in sec and top[0]["nodes_en"] in sec and top[0]["district"] not in sec
    # an explanation's method line and its parameters' tooltip in English words and separators (an attraction mode's
    # criteria were joined with 、): each criterion in parentheses, joined with ", "
    modes = html[html.index('id="sec-modes"'):]
    foot = re.findall(r'<div class="xp-foot[^"]*" title="([^"]*)">(.*?)</div>', modes[:modes.index("</section>")], re.S)
    assert foot and any(re.search(r"criteria=\(metric=[^()]*\), \(metric=", t) for t, _ in foot), [t for t, _ in foot]
    assert not any(re.search(r"[\u4e00-\u9fff、；]", t + x) for t, x in foot), foot
    # the definitions are a link a web user can follow (the methods page), not a folder of the repository alone
    foot = html[html.index('id="rp-methods"'):]
    assert foot.split("</p>", 1)[0].count('<a href="/methods">') == 1, foot[:300]
    # each card says what its number is (the fill card: weak + missing, the share: the division)
    zh = httpx.get(server["base"] + "/region/440300", timeout=60).text
    sm = exp["summary"]
    assert f'id="kpi-share-card" title="{sm["region_total"]:,} ÷ {sm["national_total"]:,}（本地产业链企业 ÷ 全国产业链企业）"' in zh
    assert f'id="kpi-fill-card" title="薄弱 {sm["n_weak"]}（LQ &lt; ' in zh and f'+ 缺失 {sm["n_missing"]}（本地无企业）"' in zh
    for card in ("kpi-total-card", "kpi-rank-card", "kpi-strong-card"):
        title = re.search(r'id="%s" title="([^"]+)"' % card, html).group(1)
        assert title and not re.search(r"[\u4e00-\u9fff]", title), (card, title)  # in English on the English page
    # a region with no chain enterprise (Tibet): the chain breakdown and the links say why they are empty, and the
    # 补链 card's — says it on hover
    tibet = httpx.get(server["base"] + "/api/region-profile/540000", timeout=60).json()
    page = httpx.get(server["base"] + "/region/540000", timeout=60).text
    note = tibet["chain_note"]["note"]
    assert tibet["summary"]["region_total"] == 0 and note.startswith("截至 ")
    assert f'id="kpi-fill-card" title="{note}"><b>—</b>' in page
    for sec in ("sec-chain", "sec-links"):
        part = page[page.index(f'id="{sec}"'):]
        assert note in part[:part.index("</section>")], sec


def test_report_download_endpoint(server):
    import httpx

    r = httpx.get(server["base"] + "/api/region-profile/440300/report?format=pdf", timeout=120)
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    # named by the report's as-of date, through the name every download takes (as the leads list is named)
    as_of = httpx.get(server["base"] + "/api/region-profile/440300", timeout=120).json()["as_of"]
    assert r.headers["content-disposition"] == f'attachment; filename="region-440300-{as_of.replace("-", "")}.pdf"'
    x = httpx.get(server["base"] + "/api/region-profile/440300/report?format=xlsx", timeout=120)
    assert x.status_code == 200 and x.content[:2] == b"PK"
    time.sleep(1.1)  # a workbook written again carries a later time: the same bytes are the file built once
    again = httpx.get(server["base"] + "/api/region-profile/440300/report?format=xlsx", timeout=120)
    assert again.content == x.content and again.headers["content-disposition"] == x.headers["content-disposition"]
    bad = httpx.get(server["base"] + "/api/region-profile/440300/report?format=doc", timeout=30)
    assert bad.status_code == 400 and "format" in bad.json()["error"]  # like every user error: 400 with a message



def test_resources_newer_than_the_date_are_marked_on_the_page_and_in_its_reports(server, tmp_path):
    """杭州 as of 2019-12-31 read the demo's resources file (as of 2024-12-31): `zhaoshang recommend` marked † each
    criterion read from it and said so, while the page, its PDF and its workbook showed 算力规模 6,000, 引导基金规模 150
    and 12 高校 as facts at 2019-12-31, and the PDF's sources left the file out. Now each says it, in either language
    (the report files built from the profile as the download builds them: the downloads are rate-limited)."""
    from html import unescape

    import httpx
    import openpyxl

    from zhaoshang.interfaces.reports.region import render_region_html
    from zhaoshang.interfaces.reports.xlsx import write_xlsx

    base, q = server["base"], "as_of=2019-12-31"
    prof = httpx.get(f"{base}/api/region-profile/330100?{q}", timeout=120).json()
    note_zh = "† 地区资源文件截至 2024-12-31，晚于分析日期 2019-12-31"
    note_en = "† The region resources file is as of 2024-12-31, after the analysis date 2019-12-31"
    for lang, note in (("zh", note_zh), ("en", note_en)):
        html = httpx.get(f"{base}/region/330100?{q}&lang={lang}", timeout=120).text
        sec = html[html.index('id="sec-modes"'):]
        sec = sec[:sec.index("</section>")]
        rows = dict(re.findall(r'<tbody class="xp-part" data-signal="([^"]+)">(.*?)</tbody>', sec, re.S))
        later = {k for k, v in rows.items() if 'class="xp-later"' in v}
        assert {"compute_pflops", "universities", "guidance_fund_yi"} <= later and "patent_lq" not in later, later
        assert note in sec.replace("&#39;", "'")
        report = unescape(re.sub(r"<[^>]+>", " ", render_region_html(prof, lang, for_pdf=True)))
        assert re.search(r"6,000 ?[（(]>= 2,000[）)] †", report) and note in report  # as the page: 2,000
        appendix = " ".join(report[report.rindex("Sources and methods" if lang == "en" else "数据来源与方法"):].split())
        assert re.search(r"region_resources\.yaml (地区资源|region resources) 2024-12-31 ?[（(]", appendix), appendix[:600]
        write_xlsx(prof, tmp_path / f"r-{lang}.xlsx", lang)
        wb = openpyxl.load_workbook(tmp_path / f"r-{lang}.xlsx")
        modes = [c for r in wb["Modes" if lang == "en" else "招商模式"].iter_rows(values_only=True) for c in r if c]
        assert any(str(c).startswith(note) for c in modes), modes
        assert any("6,000 (>= 2,000) †" in str(c) or "6,000（>= 2,000） †" in str(c) for c in modes), modes
        notes = [c for r in wb["Notes" if lang == "en" else "说明"].iter_rows(values_only=True) for c in r if c]
        assert any(str(c).startswith("region_resources.yaml") and "2024-12-31" in str(c) for c in notes), notes
        # its leads link to the region's full list as of the page's day (the language rides on the page's cookie)
        assert unescape(re.search(r'id="leads-link" href="([^"]*)"', html).group(1)) == f"/leads?region=330100&{q}"
    today = httpx.get(f"{base}/region/330100", timeout=120).text  # as of the data's date: nothing to mark
    assert 'class="xp-later"' not in today and "地区资源文件截至" not in today
    # without a date its leads are as of the data's date, and so is its link: the list it opens begins with them
    link = unescape(re.search(r'id="leads-link" href="([^"]*)"', today).group(1))
    shown = httpx.get(f"{base}/api/region-profile/330100", timeout=120).json()
    assert link == f"/leads?region=330100&as_of={shown['as_of']}"
    listed = httpx.get(f"{base}/api/leads?" + link.split("?", 1)[1], timeout=120).json()["leads"]
    rows = shown["leads"]["rows"]
    assert rows and [(x["enterprise_id"], x["score"]) for x in listed[:len(rows)]] == \
        [(x["enterprise_id"], x["score"]) for x in rows]


PARTNER_ORDER = ("patent", "investment", "branch", "people")


def partner_words(page) -> tuple[list[str], list[str]]:
    """The partners chart's legend and the partners table's headers of the kinds that have one column each."""
    legend = page.evaluate("() => echarts.getInstanceByDom(document.getElementById('rp-partners')).getOption().legend[0].data")
    heads = page.locator("#sec-partners thead th").all_inner_texts()
    return legend, [h for h in heads if h in {w for pair in PARTNER_KINDS.values() for w in pair}]


def test_page_in_chromium(server, tmp_path, chromium):
    require_browser()
    exp = server["expected"]
    with chromium as b:
        page = b.new_page(viewport={"width": 1440, "height": 900}, accept_downloads=True)
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(server["base"] + "/region")  # redirects to the region with the most enterprises
        page.wait_for_url("**/region/*")
        page.goto(server["base"] + "/region/440300")
        page.wait_for_function("() => window.ZS && window.ZS.regionReady === true", timeout=20000)
        assert "地区画像" in page.title() and "广东省深圳市" in page.inner_text("h1")
        assert page.is_visible("#synthetic-label") and page.is_visible("#nav-region")
        # every chart has an ECharts instance with data
        for el, min_points in (("rp-map", 5), ("rp-chain", len(exp["chain_rows"])), ("rp-partners", 1), ("rp-trend", 4)):
            n = page.evaluate(f"""() => {{ const c = echarts.getInstanceByDom(document.getElementById('{el}'));
                return c ? c.getOption().series[0].data.length : -1; }}""")
            assert n >= min_points, el
        assert page.locator("#rp-map canvas").count() == 1
        # the local bars take their label's colour: the legend's icon is not a colour no bar has
        legend, colours = page.evaluate("""() => { const o = echarts.getInstanceByDom(document.getElementById('rp-chain')).getOption();
            return [o.series[0].itemStyle.color, o.series[0].data.map(d => d.itemStyle.color)]; }""")
        assert legend in colours
        body = page.inner_text("main")
        assert exp["top_enterprises"]["rows"][0]["name"] in body
        assert exp["recommend"]["segments"][0]["name_zh"] in body
        assert "区位商 LQ 不同" in page.inner_text("#rec-rca-note")  # RCA beside the chart's LQ: why they differ
        leads = page.inner_text("#sec-leads")  # the real top leads with their reasons
        assert exp["leads"]["rows"][0]["name"] in leads and exp["leads"]["rows"][0]["reasons_text"][:10] in leads
        for sec in ("#sec-leads", "#sec-recommend", "#sec-modes", "#sec-partners", "#sec-trends", "#sec-top"):
            assert "暂无数据" not in page.inner_text(sec), sec
        # each kind of link has a header of its own: branches were 分支/对外投资 beside the 对外投资 of investments
        heads = page.locator("#sec-partners thead th").all_inner_texts()
        assert "分支机构" in heads and len(heads) == len(set(heads)), heads
        # the chart's legend and the table name the kinds of link in labels.py's words (PARTNER_KINDS), in both languages
        assert partner_words(page) == ([PARTNER_KINDS[k][0] for k in PARTNER_ORDER],
                                       [PARTNER_KINDS[k][0] for k in ("patent", "branch", "people")])
        # each lead links to its enterprise profile
        links = page.eval_on_selector_all("#sec-leads tbody tr a", "as => as.map(a => a.getAttribute('href'))")
        want = [f"/enterprises/{r['enterprise_id']}" for r in exp["leads"]["rows"][:15]]
        assert links == want
        # the mode cards keep method, version, parameters and row filters in the explanation's closed details
        modes = page.inner_text("#sec-modes")
        assert "mode-rules" not in modes and "region=" not in modes and "参数" not in modes
        page.click("#sec-modes .xp-more summary")
        assert "mode-rules" in page.inner_text("#sec-modes .xp-more")
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(SHOTS) / "region.png"), full_page=False)
        # the report is built once per data generation; build it first (under load a first layout takes long
        # enough for the browser to give up the download it started on the click) and check what the link serves
        href = page.get_attribute("#download-pdf", "href")
        first = page.request.get(server["base"] + href, timeout=180000)
        assert first.ok and first.body().startswith(b"%PDF")
        with page.expect_download() as dl:
            page.click("#download-pdf")
        target = tmp_path / dl.value.suggested_filename
        dl.value.save_as(str(target))
        assert target.suffix == ".pdf" and target.read_bytes().startswith(b"%PDF")
        # language switch
        page.click("#lang-en")
        page.wait_for_function("() => window.ZS && window.ZS.regionReady === true", timeout=20000)
        assert "Region profile" in page.inner_text("h1")
        assert partner_words(page) == ([PARTNER_KINDS[k][1] for k in PARTNER_ORDER],
                                       [PARTNER_KINDS[k][1] for k in ("patent", "branch", "people")])
        # clicking a city on the map opens its profile
        page.goto(server["base"] + "/region/440300?lang=zh")
        page.wait_for_function("() => window.ZS && window.ZS.regionReady === true", timeout=20000)
        page.select_option("#sel-city", "440100")
        page.wait_for_url("**/region/440100")
        page.wait_for_function("() => window.ZS && window.ZS.regionReady === true", timeout=20000)
        assert "广州市" in page.inner_text("h1")
        b.close()
    assert errors == []


def test_region_names_in_urls(server, chromium):
    """/region/{name}: a unique name opens its page, an ambiguous one lists the candidates with links, an
    unknown one is a 404 with suggestions; the JSON twin answers 400/404 with the same choices."""
    import httpx

    base = server["base"]
    r = httpx.get(base + "/region/深圳市", timeout=60, follow_redirects=False)
    assert r.status_code == 302 and r.headers["location"] == "/region/440300"
    r = httpx.get(base + "/api/region-profile/朝阳区", timeout=30)
    assert r.status_code == 400 and [c["code"] for c in r.json()["candidates"]] == ["110105", "220104"]
    assert r.json()["candidates"][0]["url"] == "/api/region-profile/110105"
    r = httpx.get(base + "/api/region-profile/杭洲市", timeout=30)
    assert r.status_code == 404 and r.json()["suggestions"][0]["code"] == "330100"
    assert "您是不是要找：杭州市 (330100)" in r.json()["error"]
    r = httpx.get(base + "/api/region-profile/杭洲市?lang=en", timeout=30)
    assert r.json()["error"].startswith("region not found: 杭洲市 — did you mean Hangzhou (330100)")
    assert r.json()["suggestions"][0]["label_en"] == "Hangzhou"
    assert httpx.get(base + "/region/杭洲市", timeout=30).status_code == 404
    # a name the level rule reads (朝阳: 辽宁省朝阳市, while 北京市朝阳区 … share it) is said on the page it lands on and
    # in the JSON, in the command line's words — not read silently
    r = httpx.get(base + "/region/朝阳", timeout=30, follow_redirects=False)
    assert r.status_code == 302 and r.headers["location"] == "/region/211300?named=%E6%9C%9D%E9%98%B3"
    zh = "朝阳 读作 辽宁省朝阳市 (211300)（同名：北京市朝阳区 (110105)、朝阳市朝阳县 (211321)、长春市朝阳区 (220104)；请写全称或代码）"
    en = "朝阳 read as Chaoyang, Liaoning (211300) (same name: Chaoyang, Beijing (110105), "
    for lang, said in (("zh", zh), ("en", en)):
        html = httpx.get(base + f"/region/朝阳?lang={lang}", timeout=60, follow_redirects=True).text
        assert re.search(r'<p class="notes" id="region-notes">([^<]*)</p>', html).group(1).startswith(said), lang
    assert 'id="region-notes"' not in httpx.get(base + "/region/211300?named=北京", timeout=60).text  # not its name
    doc = httpx.get(base + "/api/region-profile/朝阳", timeout=60).json()
    assert doc["region"]["code"] == "211300" and doc["region_notes"][0]["text"] == "朝阳"
    assert doc["region_notes"][0]["note"] == zh and doc["region_notes"][0]["note_en"].startswith(en)
    assert "region_notes" not in httpx.get(base + "/api/region-profile/211300", timeout=60).json()
    require_browser()
    with chromium as b:
        page = b.new_page()
        resp = page.goto(base + "/region/朝阳区?lang=zh")
        assert resp.status == 300
        links = page.locator("#region-choices a")
        assert links.count() == 2 and "北京市朝阳区" in links.nth(0).inner_text()
        assert "110105" in page.inner_text("#region-choices") and "220104" in page.inner_text("#region-choices")
        links.nth(0).click()
        page.wait_for_url("**/region/110105?lang=zh")
        page.wait_for_function("() => window.ZS && window.ZS.regionReady === true", timeout=20000)
        assert "北京市朝阳区" in page.inner_text("h1")
        resp = page.goto(base + "/region/杭洲市")
        assert resp.status == 404 and "杭州市" in page.inner_text("#region-choices")
        assert "Hangzhou" not in page.inner_text("#region-choices")  # Chinese page: the Chinese name
        resp = page.goto(base + "/region/杭洲市?lang=en")  # English page: the English name beside
        assert resp.status == 404 and "杭州市 Hangzhou" in page.inner_text("#region-choices")
        page.click("#region-choices a")
        page.wait_for_url("**/region/330100**")
        page.wait_for_function("() => window.ZS && window.ZS.regionReady === true", timeout=20000)
        assert "Hangzhou" in page.inner_text("h1")
        b.close()


def test_region_home_takes_the_region_parameter_of_the_other_pages(server, chromium):
    """/region?region=深圳市 (the parameter /leads and the other pages take) opens 深圳's page, not the default
    region's, and keeps the rest of the query: the as-of date and the language."""
    require_browser()
    with chromium as b:
        page = b.new_page()
        page.goto(server["base"] + "/region?region=440300&as_of=2016-12-31&lang=en")
        page.wait_for_url("**/region/440300?as_of=2016-12-31&lang=en")
        page.wait_for_function("() => window.ZS && window.ZS.regionReady === true", timeout=20000)
        assert "Shenzhen" in page.inner_text("h1") and page.input_value("#rp-as-of") == "2016-12-31"
        page.goto(server["base"] + "/region?code=深圳市&as_of=2016-12-31&lang=zh")  # by name, the older parameter
        page.wait_for_url("**/region/440300?as_of=2016-12-31&lang=zh")
        assert "深圳市" in page.inner_text("h1")
        b.close()


def test_a_bad_as_of_date_is_said_beside_the_pages_own_date_box(server, chromium):
    """/region/330100?as_of=2024-13-01: the region page again (not the generic error page whose only link led to the
    map), the date as typed in its 截至 box and the one date parser's words beside it, in either language, nothing drawn
    for another date; a corrected date in the same box opens the page at that date. By name too (杭州市 is not sent
    on to its code without the reason)."""
    require_browser()
    with chromium as b:
        page = b.new_page()
        for lang, words in (("zh", "无效的截至日期: 2024-13-01（日期不存在；应为 YYYY-MM-DD、YYYY-MM、YYYY、2026/03/05 或 2026年3月5日）"),
                            ("en", "invalid as-of date: 2024-13-01 (no such day; expected YYYY-MM-DD, YYYY-MM, YYYY or 2026/03/05)")):
            for path in ("/region/330100", "/region/杭州市"):
                r = page.goto(f"{server['base']}{path}?as_of=2024-13-01&lang={lang}")
                assert r.status == 400
                assert page.inner_text("#error-as_of") == words
                assert page.input_value("#rp-as-of") == "2024-13-01"
                assert ("杭州市" if lang == "zh" else "Hangzhou") in page.inner_text("h1")
                assert page.locator("#not-drawn").count() == 1 and page.locator("#sec-chain").count() == 0
                assert page.locator("#error-message").count() == 0  # not the generic error page
                # no report of another date behind the download buttons: disabled, and why
                for btn in ("#download-pdf", "#download-xlsx"):
                    assert page.get_attribute(btn, "href") is None
                    assert page.get_attribute(btn, "aria-disabled") == "true"
                assert ("截至日期无法采用" if lang == "zh" else "as-of date could not be taken") in page.inner_text("#download-refused")
        page.fill("#rp-as-of", "2024-12-01")
        page.click("#rp-go")
        page.wait_for_url("**/region/330100?as_of=2024-12-01")
        page.wait_for_function("() => window.ZS && window.ZS.regionReady === true", timeout=20000)
        assert page.locator("#error-as_of").count() == 0 and page.locator("#sec-chain").count() == 1
        assert page.get_attribute("#download-pdf", "href").endswith("/report?format=pdf&as_of=2024-12-01")
        assert page.locator("#download-refused").count() == 0
        b.close()


def _contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours (#rgb, #rrggbb or rgb(r, g, b))."""
    import re

    def lum(c: str) -> float:
        c = c.strip().lower()
        if c.startswith("#"):
            h = c[1:] if len(c) == 7 else "".join(x * 2 for x in c[1:4])
            rgb = [int(h[i:i + 2], 16) for i in (0, 2, 4)]
        else:
            rgb = [int(float(x)) for x in re.findall(r"[\d.]+", c)[:3]]
        lin = [(v / 255) / 12.92 if v / 255 <= 0.03928 else ((v / 255 + 0.055) / 1.055) ** 2.4 for v in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_regions_own_name_on_the_map_is_readable(server, chromium):
    """The region's own name on its map was dark red on the dark blue of the region with the most enterprises:
    its letters (or their outline) stand out from the fill it is drawn on."""
    require_browser()
    with chromium as b:
        page = b.new_page(viewport={"width": 1440, "height": 900})
        page.goto(server["base"] + "/region/440300")
        page.wait_for_function("() => window.ZS && window.ZS.regionReady === true", timeout=20000)
        fill, label = page.evaluate("""() => { const c = echarts.getInstanceByDom(document.getElementById('rp-map'));
            const d = c.getModel().getSeriesByIndex(0).getData(), i = d.indexOfName('440300');
            return [d.getItemVisual(i, 'style').fill, c.getOption().series[0].data.find(x => x.name === '440300').label]; }""")
        b.close()
    assert label["show"]
    outline = _contrast(label["textBorderColor"], fill) if label.get("textBorderWidth", 0) >= 2 else 0
    assert max(_contrast(label["color"], fill), outline) >= 4.5, (label, fill)


def test_a_macro_regions_member_names_do_not_cover_each_other(server, chromium):
    """长三角's members were each labelled on the national map, 上海市 written over 江苏省 and 安徽省: a label that would
    cover another is left out (hideOverlap), so the names shown do not overlap, and the biggest members keep theirs."""
    require_browser()
    with chromium as b:
        page = b.new_page(viewport={"width": 1440, "height": 900})
        page.goto(server["base"] + "/region/M-YRD")
        page.wait_for_function("() => window.ZS && window.ZS.regionReady === true", timeout=20000)
        page.wait_for_timeout(800)
        boxes = page.evaluate("""() => { const c = echarts.getInstanceByDom(document.getElementById('rp-map')), out = [];
            c.getZr().storage.getDisplayList(true).forEach(e => { const t = e.getTextContent && e.getTextContent();
              if (!t || t.ignore || t.invisible || !t.style || !t.style.text || t.style.opacity === 0) return;
              const r = t.getBoundingRect().clone(); r.applyTransform(t.getComputedTransform());
              out.push([t.style.text, r.x, r.y, r.width, r.height]); });
            return out; }""")
        b.close()
    names = [x[0] for x in boxes]
    assert {"江苏省", "浙江省"} <= set(names), names
    for i, (na, ax, ay, aw, ah) in enumerate(boxes):
        for nb, bx, by, bw, bh in boxes[i + 1:]:
            assert ax + aw <= bx or bx + bw <= ax or ay + ah <= by or by + bh <= ay, (na, nb, boxes)


def test_the_regions_name_on_the_map_in_english(server, chromium):
    """In English the region's own name on its map is English (Shenzhen): it read 深圳市, the boundary file's
    Chinese name, on an English page."""
    require_browser()
    with chromium as b:
        page = b.new_page(viewport={"width": 1366, "height": 768})
        names = {}
        for lang in ("en", "zh"):
            page.goto(server["base"] + "/region/440300?lang=" + lang)
            page.wait_for_function("() => window.ZS && window.ZS.regionReady === true", timeout=20000)
            names[lang] = page.evaluate("""() => { const s = echarts.getInstanceByDom(document.getElementById('rp-map'))
                .getOption().series[0]; const item = s.data.find(x => x.name === '440300');
                return [s.label.formatter({name: '440300', data: item}), s.emphasis.label.formatter({name: '440300', data: item})]; }""")
        b.close()
    assert names == {"en": ["Shenzhen", "Shenzhen"], "zh": ["深圳市", "深圳市"]}, names


def test_profile_map_names_regions_in_english(server, chromium):
    """The enterprise profile's location map names the province's cities in the page's language: they were the
    boundary file's Chinese names (亳州市, 宿州市 …) on the English page."""
    import httpx

    require_browser()
    eid = httpx.get(server["base"] + "/api/enterprises", params={"region": "440300", "size": 1}, timeout=60).json()["items"][0]["id"]
    with chromium as b:
        page = b.new_page(viewport={"width": 1366, "height": 768})
        labels = {}
        for lang in ("en", "zh"):
            page.goto(f"{server['base']}/enterprises/{eid}?lang={lang}")
            page.wait_for_selector("#pin-map[data-ready='1']", timeout=20000)
            labels[lang] = page.evaluate("""() => echarts.getInstanceByDom(document.getElementById('pin-map'))
                .getOption().series[0].data.map(d => d.name)""")
        b.close()
    assert "Shenzhen" in labels["en"] and not [x for x in labels["en"] if re.search(r"[\u4e00-\u9fff]", x)], labels["en"]
    assert "深圳市" in labels["zh"]


def test_a_macro_regions_rank_card_is_among_the_macro_regions(server, chromium):
    """长三角's card read "— / 34" (no rank, out of the provinces): it gives its place among the macro-regions, in
    both languages; a city's card still says its place among its province's cities."""
    require_browser()
    import httpx

    doc = httpx.get(server["base"] + "/api/region-profile/M-YRD", timeout=120).json()
    m = doc["map"]
    assert m["rank_level"] == "macro" and m["rank"] and m["peers"] < 34
    assert (m["rank"], m["peers"]) == (1, 6) and "M-3P" not in {x["code"] for x in m["rank_among"]}
    with chromium as b:
        pg = b.new_page()
        for lang, words in (("zh", "宏观区域中排名"), ("en", "Rank among macro-regions")):
            pg.goto(server["base"] + f"/region/M-YRD?lang={lang}")
            card = pg.locator(".rp-kpi", has_text=words)
            assert card.count() == 1, lang
            assert card.locator("b").inner_text().replace(" ", "") == f"{m['rank']}/{m['peers']}", card.inner_text()
            # it says which macro-regions it is ranked against: not 三极, which holds it (it read 2 / 7 behind it)
            among = card.locator("#rank-among").inner_text()
            names = [x["name_en" if lang == "en" else "name"] for x in m["rank_among"]]
            assert all(n in among for n in names) and "三极" not in among and "three poles" not in among, among
            if lang == "en":  # the title said "Region profile · 长三角"
                assert "Yangtze River Delta" in pg.title() and "长三角" not in pg.title(), pg.title()
        pg.goto(server["base"] + "/region/440300?lang=zh")
        assert pg.locator(".rp-kpi", has_text="本省各市中排名").count() == 1
        b.close()


# the width of a select's chosen text with its padding, against the select's own width
SELECT_CUT_JS = """sel => { const e = document.querySelector(sel), cs = getComputedStyle(e);
  const c = document.createElement('canvas').getContext('2d'); c.font = cs.font;
  const need = c.measureText(e.options[e.selectedIndex].text).width + parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight);
  return [Math.round(need), Math.round(e.clientWidth)]; }"""
LINK_COLUMNS_JS = """() => [...document.querySelectorAll('.rp-links .col')].map(c => ({
  cut: c.scrollHeight > c.clientHeight + 1, n: parseInt(c.querySelector('h4').innerText.match(/\\d+$/)[0]),
  shown: c.querySelectorAll(':scope > ul > li:not(.muted)').length, all: c.querySelectorAll('li:not(.muted)').length,
  more: (c.querySelector('details summary') || {}).innerText || ''}))"""


@pytest.mark.parametrize("width", [1366, 1920])
def test_filters_and_link_lists_show_whole_names(server, chromium, width):
    """At 1366 the English segment filter of /enterprises read "M06 Speech and natural"; at 1920 the region page's
    Extend column cut its 6th item at the card's edge (a scroll box): each name is whole, zh and en, and a long
    column shows its first six, the rest behind 其余 N 个 / N more."""
    require_browser()
    with chromium as b:
        page = b.new_page(viewport={"width": width, "height": 900})
        for lang in ("zh", "en"):
            page.goto(server["base"] + f"/enterprises?lang={lang}&node=M06")
            need, have = page.evaluate(SELECT_CUT_JS, "#f-node")
            assert need <= have, (lang, need, have)
            page.goto(server["base"] + f"/region/330100?lang={lang}")
            page.wait_for_function("() => window.ZS && ZS.regionReady === true")
            cols = page.evaluate(LINK_COLUMNS_JS)
            assert cols and not any(c["cut"] for c in cols), cols
            assert all(c["all"] == c["n"] and c["shown"] == (c["n"] if c["n"] <= 7 else 6) for c in cols), cols
            long = [c for c in cols if c["n"] > 7]
            assert long and all(c["more"] == (f"其余 {c['n'] - 6} 个" if lang == "zh" else f"{c['n'] - 6} more")
                                for c in long), cols
