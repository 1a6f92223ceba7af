"""The region profile service on a demo database built once for the module: every section's numbers
checked against independent SQL over the same tables, defaults, name resolution and unavailable services."""

from __future__ import annotations

import datetime as dt
import re
import sys

import pytest

from zhaoshang.core.parse.dates import china_today
from zhaoshang.core.errors import NotFound
from zhaoshang.core.store import Store
from zhaoshang.core.asof import reference_date
from zhaoshang.core.geo.lookup import members_at, resolve_region
from zhaoshang.services.region_profile import region_profile


@pytest.fixture(scope="module")
def store(tmp_path_factory, demo_copy):
    db = str(demo_copy(tmp_path_factory.mktemp("rp") / "demo.duckdb"))
    s = Store(db, read_only=True)
    yield s
    s.close()


@pytest.fixture(scope="module")
def sz(store):
    return region_profile(store, "440300")


@pytest.fixture(scope="module")
def yrd(store, sz):
    """长三角's profile by its name, at 深圳's date: three tests read it (the service only reads)."""
    return region_profile(store, "长三角", as_of=sz["as_of"])


def _placed_in(store, col: str, code: str, d: dt.date, nodes: list[str] | None = None) -> int:
    cond = "AND p.node_code IN (SELECT unnest(?::VARCHAR[]))" if nodes is not None else ""
    params = [d, d, code, "ai"] + ([nodes] if nodes is not None else [])
    return store.query(f"""
        SELECT count(DISTINCT e.id) AS n FROM enterprises e JOIN placements p ON p.enterprise_id = e.id
        WHERE (e.founded IS NULL OR e.founded <= ?) AND (e.dissolved IS NULL OR e.dissolved > ?)
          AND e.{col} = ? AND p.chain = ? {cond}""", params)[0]["n"]


def _subtree(store, code: str) -> list[str]:
    rows = store.query("SELECT code, parent_code FROM chain_nodes WHERE chain = 'ai'")
    kids: dict[str, list[str]] = {}
    for r in rows:
        kids.setdefault(r["parent_code"], []).append(r["code"])
    out, todo = [], [code]
    while todo:
        c = todo.pop()
        out.append(c)
        todo += kids.get(c, [])
    return out


def test_region_and_defaults(store, sz):
    assert sz["region"]["code"] == "440300" and sz["region"]["full_name"] == "广东省深圳市"
    assert sz["synthetic"] is True
    # the default reference date: the newest data date (imports, or dated facts), never after today
    latest = store.query("""SELECT greatest((SELECT max(data_date) FROM imports), (SELECT max(founded) FROM enterprises),
                                            (SELECT max(date) FROM fundings), (SELECT max(applied) FROM patents)) AS d""")[0]["d"]
    assert sz["as_of"] == min(latest, china_today()).isoformat() == reference_date(store).isoformat()
    assert region_profile(store, "深圳市", as_of=sz["as_of"])["summary"] == sz["summary"]
    # the demo's imports (each added rows), then the resources file its attraction modes read, with the file's date
    imported = [s for s in sz["sources"] if s["kinds"] != "resources"]
    assert {s["source"] for s in imported} == {r["source"] for r in store.query("SELECT DISTINCT source FROM imports")}
    assert [(s["source"], s["data_date"]) for s in sz["sources"][len(imported):]] == [("region_resources.yaml", "2024-12-31")]


def test_summary_and_chain_against_sql(store, sz):
    d = dt.date.fromisoformat(sz["as_of"])
    assert sz["summary"]["region_total"] == _placed_in(store, "city_code", "440300", d)
    national = store.query("""SELECT count(DISTINCT e.id) AS n FROM enterprises e JOIN placements p ON p.enterprise_id = e.id
        WHERE (e.founded IS NULL OR e.founded <= ?) AND (e.dissolved IS NULL OR e.dissolved > ?)
          AND e.province_code IS NOT NULL AND p.chain = 'ai'""", [d, d])[0]["n"]
    assert sz["summary"]["national_total"] == national
    assert sz["summary"]["national_share"] == pytest.approx(sz["summary"]["region_total"] / national)
    level2 = store.query("SELECT count(*) AS n FROM chain_nodes WHERE chain = 'ai' AND level = 2")[0]["n"]
    assert len(sz["chain_rows"]) == sz["summary"]["segments"] == level2
    for row in sz["chain_rows"][:: 4]:
        nodes = _subtree(store, row["code"])
        assert row["count"] == _placed_in(store, "city_code", "440300", d, nodes), row["code"]
    n_r, big_n = sz["summary"]["region_total"], sz["summary"]["national_total"]
    for row in sz["chain_rows"]:
        if row["count"] and row["national_count"]:
            assert row["lq"] == pytest.approx((row["count"] / n_r) / (row["national_count"] / big_n))
            assert row["share"] == pytest.approx(row["count"] / row["national_count"])
        expect = ("missing" if row["count"] == 0 else "strong" if row["lq"] >= 1.2 and row["count"] >= 3
                  else "weak" if row["lq"] < 0.5 else "average")
        assert row["status"] == expect
    # links partition the segments by status, and the summary counts them
    assert sorted(c for v in sz["links"].values() for c in v) == sorted(r["code"] for r in sz["chain_rows"])
    for s in ("strong", "average", "weak", "missing"):
        assert sz["summary"][f"n_{s}"] == len(sz["links"][s])


def test_map_ranks_the_region_among_its_province(store, sz):
    m = sz["map"]
    assert m["view"] == "440000" and m["level"] == "city" and m["highlight"] == ["440300"]
    d = dt.date.fromisoformat(sz["as_of"])
    cities = store.query("SELECT code FROM regions WHERE level = 'city' AND province_code = '440000'")
    counts = {c["code"]: _placed_in(store, "city_code", c["code"], d) for c in cities}
    assert {r["code"]: r["count"] for r in m["rows"]} == counts
    assert m["rank"] == 1 + sum(1 for v in counts.values() if v > counts["440300"])
    prov = region_profile(store, "110000", as_of=sz["as_of"])["map"]
    assert prov["view"] == "100000" and prov["level"] == "province" and "110000" in prov["highlight"]


def test_partners_from_the_cooperation_edges(store, sz):
    p = sz["partners"]
    assert p["available"] and p["rows"]
    for r in p["rows"]:
        assert r["region"] != "440300"
        assert r["weight"] == pytest.approx(r["patent"] + r["investment"] + r["branch"] + r["people"])
        assert r["investment"] == pytest.approx(r["investment_in"] + r["investment_out"])
    weights = [r["weight"] for r in p["rows"]]
    assert weights == sorted(weights, reverse=True)
    # investments: investor in Shenzhen → investee elsewhere, counted from the tables directly
    d = dt.date.fromisoformat(sz["as_of"])
    top = p["rows"][0]["region"]
    out = store.query("""SELECT count(*) AS n FROM funding_investors fi JOIN fundings f ON f.id = fi.funding_id
        JOIN investors i ON i.id = fi.investor_id JOIN enterprises e ON e.id = f.enterprise_id
        WHERE i.city_code = '440300' AND e.city_code = ? AND (f.date IS NULL OR f.date <= ?)""", [top, d])[0]["n"]
    assert p["rows"][0]["investment_out"] == pytest.approx(out)


def test_service_sections_filled_on_demo(sz):
    assert sz["recommend"]["available"] and sz["recommend"]["segments"] and sz["recommend"]["modes"]
    assert all(s["rca"] < 1 for s in sz["recommend"]["segments"])
    assert sz["trends"]["available"] and sz["trends"]["by_period"]
    assert sum(q["rounds"] for q in sz["trends"]["by_period"]) == sz["trends"]["totals"]["rounds"]
    for sec in ("chain", "links", "map", "recommend", "partners", "trends", "top_enterprises"):
        assert sz["available"][sec], sec


def test_top_enterprises_by_capital(store, sz):
    rows = sz["top_enterprises"]["rows"]
    assert 0 < len(rows) <= 10
    caps = [r["capital_wan"] or 0 for r in rows]
    assert caps == sorted(caps, reverse=True)
    best = store.query("""SELECT max(e.capital_wan) AS c FROM enterprises e WHERE e.city_code = '440300'
        AND e.id IN (SELECT enterprise_id FROM placements WHERE chain = 'ai')
        AND (e.founded IS NULL OR e.founded <= ?) AND (e.dissolved IS NULL OR e.dissolved > ?)""",
                       [sz["as_of"], sz["as_of"]])[0]["c"]
    assert caps[0] == best
    # each row says what it is ranked by: on the demo every top enterprise has a capital
    assert {r["ranked_by"] for r in rows} == {"capital"} and sz["top_enterprises"]["ranked_by"] == "capital"
    for r in rows[:3]:
        n = store.query("SELECT count(*) AS n, sum(amount_wan) AS s FROM fundings WHERE enterprise_id = ? AND date <= ?",
                        [r["id"], sz["as_of"]])[0]
        assert r["fundings"] == n["n"]


def test_as_of_travels_back(store, sz):
    old = region_profile(store, "440300", as_of="2016-12-31")
    assert old["as_of"] == "2016-12-31"
    assert old["summary"]["region_total"] < sz["summary"]["region_total"]
    assert old["summary"]["region_total"] == _placed_in(store, "city_code", "440300", dt.date(2016, 12, 31))


def test_district_and_macro(store, sz, yrd):
    dist = store.query("SELECT district_code AS c FROM enterprises WHERE city_code = '440300' AND district_code IS NOT NULL "
                       "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")[0]["c"]
    p = region_profile(store, dist, as_of=sz["as_of"])
    assert p["region"]["level"] == "district" and p["map"]["highlight"] == [dist] and p["map"]["view"] == "440300"
    # a segment's PCI is the district matrix's on a district's page and report, the city matrix's on its city's: each
    # headed by its level (the same segment's two PCIs differ)
    from zhaoshang.interfaces.reports.region import report_context

    heads = {(lvl, lang): report_context(x, lang)["rec_segments_table"]["headers"]
             for lvl, x in (("district", p), ("city", sz)) for lang in ("zh", "en")}
    assert "复杂度 PCI（区县间）" in heads["district", "zh"] and "PCI (among districts)" in heads["district", "en"]
    assert "复杂度 PCI（地级市间）" in heads["city", "zh"] and "PCI (among cities)" in heads["city", "en"]
    assert yrd["region"]["level"] == "macro" and yrd["summary"]["region_total"] > 0
    assert all(not r["region"].startswith("M-3") for r in yrd["partners"]["rows"])  # overlapping macros are not partners
    # a macro-region has no rank among the provinces: its first member's was given as its own (长三角 "在全国各省中位列第
    # 3" was 上海's place); its rank is among the macro-regions (the card read "— / 34")
    members = members_at(store, resolve_region(store, "长三角"), "province")  # the region service's members
    assert yrd["map"]["highlight"] == members and len(members) == 4
    from zhaoshang.services.regions.matrix import region_map

    macros = region_map(store, "macro", as_of=sz["as_of"])
    assert yrd["map"]["rank_level"] == "macro" and yrd["map"]["peers"] < len(macros) < 34
    assert p["map"]["rank_level"] == "district" and p["map"]["peers"] == len(p["map"]["rows"])


def test_a_macro_region_is_ranked_among_the_macro_regions_it_does_not_overlap(store, sz):
    """长三角 read 2/7, behind 三极 which holds it; 粤港澳大湾区 and 珠三角 (the same 1,148 enterprises: 香港 and 澳门
    hold none) were 4 and 5. Groups that contain a macro-region or lie within it are left out; equal counts share
    a place; the profile says which macro-regions it is ranked against."""
    from zhaoshang.services.regions.matrix import region_map

    counts = {r["code"]: r["count"] for r in region_map(store, "macro", as_of=sz["as_of"])}
    excluded = {"M-YRD": {"M-3P"}, "M-GBA": {"M-3P", "M-PRD"}, "M-PRD": {"M-3P", "M-GBA"},
                "M-3P": {"M-JJJ", "M-YRD", "M-GBA", "M-PRD"}, "M-CY": set()}
    maps = {}
    for code, out in excluded.items():
        m = maps[code] = region_profile(store, code, as_of=sz["as_of"])["map"]
        among = {x["code"] for x in m["rank_among"]}
        assert among == set(counts) - out - {code}, (code, among)
        assert m["peers"] == len(among) + 1
        assert m["rank"] == 1 + sum(1 for c in among if counts[c] > counts[code]), (code, m["rank"])
    assert counts["M-GBA"] == counts["M-PRD"] and counts["M-3P"] > counts["M-YRD"] > max(
        v for c, v in counts.items() if c not in ("M-3P", "M-YRD"))
    yrd = maps["M-YRD"]  # by its code
    assert yrd["rank"] == 1 and yrd["peers"] == 6
    assert {x["name_en"] for x in yrd["rank_among"]} >= {"Beijing-Tianjin-Hebei", "Pearl River Delta"}


def test_a_macro_regions_rank_with_ties_shares_a_place(store, sz, monkeypatch):
    """Macro-regions that do not overlap and hold as many enterprises share a place (1, 1, 3 …)."""
    from zhaoshang.core.geo import lookup
    from zhaoshang.services.regions import matrix

    three = tuple(m for m in lookup._macros() if m.code in ("M-JJJ", "M-PRD", "M-CY"))  # none holds another
    monkeypatch.setattr(lookup, "_macros", lambda: three)
    real_map = matrix.region_map
    given = {"M-JJJ": 100, "M-PRD": 100, "M-CY": 50}

    def tied(store, level, **kw):
        rows = real_map(store, level, **kw)
        if level == "macro":
            rows = sorted((dict(r, count=given[r["code"]]) for r in rows), key=lambda r: (-r["count"], r["code"]))
        return rows

    monkeypatch.setattr(matrix, "region_map", tied)
    ranks = {c: region_profile(store, c, as_of=sz["as_of"])["map"]["rank"] for c in given}
    assert ranks == {"M-JJJ": 1, "M-PRD": 1, "M-CY": 3}, ranks


def test_macro_region_names_in_english(yrd):
    """长三角's English profile said 长三角 (full_name_en) and named its partners 京津冀, 粤港澳大湾区 …"""
    assert yrd["region"]["full_name_en"] == "Yangtze River Delta"
    rows = yrd["partners"]["rows"]
    assert rows and all(r["name_en"] and not any("\u4e00" <= ch <= "\u9fff" for ch in r["name_en"]) for r in rows), rows


def test_unknown_region(store):
    with pytest.raises(NotFound):
        region_profile(store, "999999")
    with pytest.raises(NotFound):
        region_profile(store, "火星")


def test_missing_service_is_reported_not_raised(store, sz, monkeypatch):
    monkeypatch.setitem(sys.modules, "zhaoshang.services.trends", None)  # import fails
    p = region_profile(store, "440300", as_of=sz["as_of"])
    assert p["trends"]["available"] is False and "trends" in p["trends"]["note"]
    assert p["available"]["trends"] is False and p["available"]["chain"] is True
    from zhaoshang.interfaces.reports import render_region_html

    html = render_region_html(p)
    sec = html[html.index('id="sec-trends"'):html.index('id="sec-top"')]
    assert "暂无数据" in sec


def test_a_region_without_chain_enterprises_has_a_profile_saying_why(store, sz):
    """Tibet has no enterprise on the demo's chain: its profile (page, report) still answers, each empty section
    saying why in Chinese and English, rather than the whole profile refused by one section."""
    p = region_profile(store, "540000", as_of=sz["as_of"])
    rec, partners = p["recommend"], p["partners"]
    assert rec["available"] is False and "没有已归入产业链的企业" in rec["note"] and "relatedness" in rec["note_en"]
    assert partners["available"] is False and partners["note_en"].startswith("no cross-region")
    from zhaoshang.interfaces.reports import render_region_html

    html = render_region_html(p, lang="en")
    assert "relatedness cannot be computed" in html and "无法计算关联度" not in html
    # the chain breakdown and 强链·补链·延链 say why they are empty, with the date (they read 暂无数据 alone)
    from html import unescape

    segments = p["summary"]["segments"]
    assert p["summary"]["region_total"] == 0 and p["available"]["chain"] is False and p["available"]["links"] is False
    assert p["chain_note"]["note"].startswith(f"截至 {sz['as_of']}，该地区没有产业链企业：{segments} 个产业链环节均无本地企业")
    assert f"none of the {segments} segments has a local enterprise yet" in p["chain_note"]["note_en"]
    for sec, after in (("sec-chain", "sec-links"), ("sec-links", "sec-recommend")):
        assert p["chain_note"]["note_en"] in unescape(html[html.index(f'id="{sec}"'):html.index(f'id="{after}"')]), sec


def test_a_region_without_rounds_in_the_window_says_so_with_the_dates(store):
    """合肥 on the real imports has no round in the five years to its as-of: the section read "服务未返回数据" (the
    service returned no data) with no English; it names the window, in both languages."""
    first = store.query("SELECT min(date) AS d FROM fundings")[0]["d"]
    p = region_profile(store, "440300", as_of=first - dt.timedelta(days=1))
    tr = p["trends"]
    assert tr["available"] is False and tr["totals"]["rounds"] == 0
    assert tr["note"].endswith(f"至 {(first - dt.timedelta(days=1)).isoformat()} 没有融资事件"), tr["note"]
    assert tr["note_en"].startswith("no funding rounds in the region from "), tr["note_en"]


def test_a_macro_regions_report_claims_no_rank(tmp_path, demo_copy, demo_report):
    """The report's overview said 长三角 "在全国各省中位列第 3（共 34 个）" — 上海's place; a macro-region's says none,
    a province's still does."""
    from cli_util import run

    db = demo_copy(tmp_path / "demo.duckdb")
    for region, ranked in (("长三角", False), ("浙江省", True)):
        out = tmp_path / f"{region}.html"
        demo_report(out, region)  # rendered once per run on the demo (test_region_rank reads 长三角's too)
        text = out.read_text(encoding="utf-8")
        overview = text[text.index("共有产业链企业"):][:200]
        assert ("在全国各省中位列第" in overview) == ranked, (region, overview)
        # a macro-region's place is among the macro-regions that neither hold it nor lie within it, named
        assert ("等宏观区域（不含包含它或它所包含的区域）中位列第 1（共 6 个）" in overview) == (not ranked), (region, overview)
        assert "三极" not in overview and (("京津冀、" in overview) == (not ranked)), overview
    import openpyxl

    demo_report(tmp_path / "yrd.xlsx", "长三角")
    rows = {r[0]: r[1] for r in openpyxl.load_workbook(tmp_path / "yrd.xlsx").worksheets[0].iter_rows(values_only=True) if r[0]}
    assert (rows["地区排名"], rows["对比地区数"]) == (1, 6) and "三极" not in rows["对比宏观区域"], rows
    # in English the macro-region and the macro-regions it is compared with go by their English names (they were
    # 长三角 and 京津冀, 粤港澳大湾区 … in the sentence, the partners' chart and table)
    out = tmp_path / "yrd_en.html"
    run("--db", str(db), "--lang", "en", "report", "region", "长三角", "-o", str(out))
    text = out.read_text(encoding="utf-8")
    assert "Yangtze River Delta has" in text and "with Beijing-Tianjin-Hebei, " in text
    body = text[text.index("<body"):]
    assert not [n for n in ("长三角", "京津冀", "粤港澳大湾区", "珠三角", "成渝") if n in body], body[:3000]


def test_the_candidates_below_the_shown_segments_are_named_with_their_fill_label(tmp_path, demo_copy):
    """The differentiated path lists its first 15 candidates; those below the cut are named under the list — each
    补链 one (a weak or missing link of the region) with its label — in the report, and in `zhaoshang recommend`
    below its --top, never dropped silently."""
    from cli_util import run
    from zhaoshang.interfaces.labels import segments_beyond_text

    db = demo_copy(tmp_path / "demo.duckdb")
    with Store(str(db), read_only=True) as s:
        p = region_profile(s, "320500")
    rec = p["recommend"]
    rest = rec["beyond_top"]
    assert len(rec["segments"]) + len(rest) == rec["candidates"] and rest
    labels = {r["code"]: (r["label"], r["status"]) for r in p["chain_rows"]}
    assert [(r["label"], r["status"]) for r in rest] == [labels[r["node"]] for r in rest]
    assert any(r["label"] == "补链" for r in rest)
    out = tmp_path / "sz.html"
    run("--db", str(db), "report", "region", "苏州市", "-o", str(out))
    html = out.read_text(encoding="utf-8")
    note = html[html.index('id="rec-beyond"'):][:1500]
    assert f"另有 {len(rest)} 个候选环节未列出" in note
    for r in rest:
        fill = f"，补链·{'薄弱' if r['status'] == 'weak' else '缺失'}" if r["label"] == "补链" else ""
        assert f"{r['name_zh']}（#{r['rank']}{fill}）" in note, r

    # below a shorter cut: the region's 补链 segments with their label, the others by name and rank only
    cut = run("--db", str(db), "recommend", "杭州市", "--top", "5", "--format", "json").stdout
    import json

    below = json.loads(cut)["beyond_top"]
    assert {r["label"] for r in below} == {"补链", None}
    err = run("--db", str(db), "recommend", "杭州市", "--top", "5").stderr
    assert f"另有 {len(below)} 个候选环节排在 --top 5 之外" in err
    for r in below:
        fill = f"，补链·{'薄弱' if r['status'] == 'weak' else '缺失'}" if r["label"] == "补链" else ""
        assert f"{r['name_zh']}（{r['node']}，#{r['rank']}{fill}）" in err, r
    weak = {"rank": 18, "node": "D06", "name_zh": "金融AI", "name_en": "Financial AI", "label": "补链", "status": "weak"}
    assert segments_beyond_text([weak]) == "金融AI（#18，补链·薄弱）"
    assert segments_beyond_text([weak], "en", codes=True) == "Financial AI (D06, #18, fill: weak)"


def test_regions_without_chain_enterprises_have_no_place(store, sz, tmp_path, demo_copy):
    """A region with no chain enterprise is not ranked: no place in the comparison table (—), not a place shared by
    every empty region; the others keep theirs."""
    hz = region_profile(store, "330100", as_of=sz["as_of"])
    rows = hz["map"]["ranked_rows"]
    empty = [r for r in rows if not r["count"]]
    assert empty and all(r["rank"] is None for r in empty)
    full = sorted(r["count"] for r in rows if r["count"])
    assert [r["rank"] for r in rows if r["count"]] == [1 + sum(c > r["count"] for c in full) for r in rows if r["count"]]
    old = region_profile(store, "330100", as_of="1990-01-01")
    assert old["map"]["rank"] is None and all(r["rank"] is None for r in old["map"]["ranked_rows"])
    from cli_util import run

    db = demo_copy(tmp_path / "demo.duckdb")
    for as_of, ranks in (("1990-01-01", [None] * 10), (sz["as_of"], [r["rank"] for r in rows[:10]])):
        out = tmp_path / f"hz-{as_of}.html"
        run("--db", str(db), "report", "region", "杭州市", "-o", str(out), "--as-of", as_of)
        html = out.read_text(encoding="utf-8")
        table = html[html.index("地区对比（前十及本地区）"):html.index('id="sec-chain"')]
        shown = re.findall(r'<tr[^>]*><td class="k-int">([^<]*)</td>', table)
        assert shown == ["—" if k is None else str(k) for k in ranks], (as_of, shown)


def test_the_report_says_stages_and_levels_in_the_words_of_the_one_label_table(sz, monkeypatch):
    """The profile kept its own Chinese words for a chain stage and a region level beside interfaces/labels.py's:
    it now gives the codes, and the report's chain table (PDF and workbook alike) and its region line say them in
    the shared table's words, whatever they are (a relabelling there reaches the report)."""
    from zhaoshang.interfaces import labels
    from zhaoshang.interfaces.reports.region import render_region_html, report_context

    assert {r["stage"] for r in sz["chain_rows"]} == {"upstream", "midstream", "downstream"}
    monkeypatch.setitem(labels.STAGES, "upstream", ("基础层", "Foundation"))
    monkeypatch.setitem(labels.LEVELS, "city", ("地级市", "prefecture-level city"))
    for lang, stage, region in (("zh", "基础层", "（440300，地级市）"), ("en", "Foundation", " (440300, prefecture-level city)")):
        shown = {row["cells"][0] for row in report_context(sz, lang)["chain_table"]["rows"]}
        assert stage in shown and {"上游", "Upstream"}.isdisjoint(shown), shown
        assert region in render_region_html(sz, lang)
