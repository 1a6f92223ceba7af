"""The HTTP API: every page's JSON twin answers, with the same numbers as the services; errors are clean."""

from __future__ import annotations

import csv
import io
import json
import sys
import re
import warnings
from pathlib import Path

import openpyxl
import pytest

warnings.filterwarnings("ignore", category=DeprecationWarning)
from web_util import local_client  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
import matrix_fixture  # noqa: E402

from zhaoshang.core.store import Store  # noqa: E402
from zhaoshang.interfaces.web.app import create_app  # noqa: E402
from zhaoshang.interfaces.web.geo import VENDOR_MAPS, Boundaries  # noqa: E402
from zhaoshang.services import enterprises as E  # noqa: E402
from zhaoshang.services.regions import matrix  # noqa: E402


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("api") / "fx.duckdb")
    matrix_fixture.build(path)
    return path


@pytest.fixture(scope="module")
def client(db):
    return local_client(create_app(db))


@pytest.fixture(scope="module")
def store(db, client):
    s = Store(db, read_only=True)
    yield s
    s.close()


PAGES_AND_TWINS = [
    ("/map", "/api/map"),
    ("/chain?region=330100", "/api/chain?region=330100"),
    ("/enterprises?region=330000&node=M02", "/api/enterprises?region=330000&node=M02"),
    ("/enterprises/1", "/api/enterprises/1"),
]


@pytest.mark.parametrize("page,twin", PAGES_AND_TWINS)
def test_every_page_has_a_json_twin(client, page, twin):
    r = client.get(page)
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert "合成演示数据" in r.text  # the synthetic label on every page
    assert f'href="{twin.split("?")[0]}' in r.text  # the page links its twin
    j = client.get(twin)
    assert j.status_code == 200 and j.headers["content-type"].startswith("application/json")
    assert j.json()


def test_map_page_links_the_view_it_shows(client):
    """The map's JSON twin is the request its script draws the view of the address from (it was /api/map whatever
    the view); the language switch and the sidebar's map link keep the drill-down, the segment and the date."""
    html = local_client(client.app).get("/map?lang=en&region=330000&node=M02&as_of=2024-06-30").text  # its own cookie
    assert 'id="json-twin"' in html and 'href="/api/map?level=city&amp;parent=330000&amp;node=M02&amp;metric=count' \
        '&amp;as_of=2024-06-30" id="json-twin"' in html
    assert 'href="/map?lang=zh&amp;region=330000&amp;node=M02&amp;as_of=2024-06-30"' in html
    assert '<a href="/map?region=330000&amp;node=M02&amp;lang=en&amp;as_of=2024-06-30" class="on">' in html  # the sidebar
    twin = client.get("/map?region=330106&metric=lq").text  # a district: among its city's, as the script restores it
    assert 'href="/api/map?level=district&amp;parent=330100&amp;metric=lq" id="json-twin"' in twin


def test_map_json_matches_service(client, store):
    # the node as the CLI takes it (m02, a name): the answer names its code
    j = client.get("/api/map", params={"level": "city", "parent": "330000", "node": "m02", "metric": "lq"}).json()
    assert j["node"] == "M02"
    rows = matrix.region_map(store, "city", parent="330000", node="M02", metric="lq")
    assert [(r["code"], r["count"], r["lq"]) for r in j["rows"]] == [(r["code"], r["count"], r["lq"]) for r in rows]
    assert j["synthetic"] is True and j["as_of"]
    assert {"code", "name", "level", "count", "share", "lq", "label"} <= set(j["rows"][0])
    assert j["notes"] == j["notes_en"] == []
    # no LQ without a segment: no value (it was 0, a map of regions without the segment) and a note that says why
    j = client.get("/api/map", params={"metric": "lq"}).json()
    assert j["rows"] and all(r["value"] is None and r["lq"] is None for r in j["rows"])
    assert [r["count"] for r in j["rows"]] == sorted((r["count"] for r in j["rows"]), reverse=True)  # the counts' order
    assert (j["notes"], j["notes_en"]) == ([matrix.LQ_NEEDS_NODE[0]], [matrix.LQ_NEEDS_NODE[1]])


def test_region_panel_and_chain_cell(client, store):
    j = client.get("/api/regions/330100", params={"node": "M02", "top": 3}).json()
    assert j["region"]["name"] == "杭州市" and j["child_level"] == "district"
    assert len(j["top"]) == 3 and all(n["depth"] <= 1 for n in j["nodes"])
    assert [b["code"] for b in j["breadcrumb"]] == ["330000", "330100"]
    en = store.con.execute("SELECT name_en FROM chain_nodes WHERE code = 'M02'").fetchone()[0]
    cell = client.get("/api/chain/enterprises", params={"node": en, "region": "330100"}).json()  # by name, as the CLI
    assert cell["node"] == "M02"
    assert cell["total"] == matrix.node_enterprises(store, "M02", "330100")["total"]
    frag = client.get("/chain/cell", params={"node": "M02", "region": "330100"})
    assert frag.status_code == 200 and "西湖区" in frag.text


def test_enterprises_json_and_export(client, store):
    j = client.get("/api/enterprises", params={"region": "330000", "node": "M02", "size": 5, "sort": "name"}).json()
    ref = E.search_enterprises(store, region="330000", node="M02", size=5, sort="name")
    assert j["total"] == ref["total"] and [i["id"] for i in j["items"]] == [i["id"] for i in ref["items"]]
    # by name is by pinyin (河 he < 澜 lan < 栖 qi < 数 shu < 星 xing < 云 yun < 智 zhi; 辰 chen < 衡 heng < 算 suan),
    # not by character code; the export in the same order
    from pypinyin import lazy_pinyin

    every = client.get("/api/enterprises", params={"region": "330000", "size": 200, "sort": "name"}).json()["items"]
    keys = [lazy_pinyin(i["name"][:2]) for i in every]
    assert len(every) > 20 and keys == sorted(keys) and len({k[0] for k in keys}) == 7, keys
    got = list(csv.DictReader(io.StringIO(b"".join(E.stream_enterprises_csv(store, region="330000", sort="-name"))
                                          .decode("utf-8-sig"))))
    assert [r["企业名称"] for r in got] == [i["name"] for i in every][::-1]
    # the segments by name beside their codes, as the list's chips name them (chain_nodes), in the codes' order
    seg = {c: (zh, en) for c, zh, en in store.con.execute("SELECT code, name_zh, name_en FROM chain_nodes").fetchall()}
    placed = [r for r in got if r["产业链环节"]]
    assert placed and all(r["产业链环节名称"] == "、".join(seg[c][0] for c in r["产业链环节"].split("、")) for r in placed)
    x = client.get("/api/enterprises/export", params={"region": "330000", "node": "M02", "format": "xlsx"})
    assert x.status_code == 200 and "attachment" in x.headers["content-disposition"]
    rows = list(openpyxl.load_workbook(io.BytesIO(x.content)).active.iter_rows(values_only=True))
    assert len(rows) - 1 == ref["total"]
    # a fresh client: ?lang=en sets the UI-language cookie, which would carry into the other tests
    c = local_client(client.app).get("/api/enterprises/export", params={"region": "330000", "format": "csv", "lang": "en"})
    # English headers from the one table the library's columns read, not the stored field names (capital_wan)
    head = c.content.decode("utf-8-sig").splitlines()[0]
    assert c.status_code == 200 and head.startswith("ID,Name,Credit code,Registry status,Founded,Capital (10k CNY)"), head
    assert "capital_wan" not in head and "latest_funding_date" not in head and "Latest funding date" in head
    assert rows[0][:6] == ("编号", "企业名称", "统一社会信用代码", "登记状态", "成立日期", "注册资本(万元)")  # the XLSX above
    # the funding total adds range estimates at their point value (数千万美元): the column says so, as the scorecard,
    # trends and the report say their sums
    assert "融资总额(万元，含估算)" in rows[0] and "Funding total (10k CNY, estimates included)" in head
    en = list(csv.DictReader(io.StringIO(c.content.decode("utf-8-sig"))))
    # a list in English text joined as English joins one (D10, M05), not with 、; the names by "; " (they hold commas)
    many = [r for r in en if ", " in r["Segments"]]
    assert many and all("、" not in r["Segments"] + r["Segment names"] for r in en), [r["Segments"] for r in en][:5]
    assert all(r["Segment names"] == "; ".join(seg[k][1] for k in r["Segments"].split(", ")) for r in en if r["Segments"])


def test_profile_json(client):
    j = client.get("/api/enterprises/1").json()
    assert j["enterprise"]["id"] == 1 and j["people"] and j["shareholders"] and "timeline" in j


@pytest.mark.parametrize("url", ["/api/enterprises/999999", "/api/regions/999999", "/api/chain?region=999999",
                                 "/api/map?node=NOPE", "/api/chain/enterprises?node=NOPE", "/api/geo/999999",
                                 "/api/enterprises?node=NOPE", "/api/enterprises?node=M02,NOPE", "/api/enterprises/export?node=NOPE"])
def test_clean_404s(client, url):
    r = client.get(url)
    assert r.status_code == 404
    assert {"error", "status"} <= set(r.json()) <= {"error", "status", "error_zh", "error_en"} and r.json()["error"]


@pytest.mark.parametrize("url", ["/api/map?level=planet", "/api/map?metric=weird", "/api/enterprises?sort=bogus",
                                 "/api/map?as_of=2020-13-45"])
def test_clean_400s(client, url):
    r = client.get(url)
    assert r.status_code == 400 and r.json()["error"]


def test_an_unknown_stage_is_refused_not_an_empty_list(client):
    """stage=A轮 (a label, not the code) answered total 0: it is refused as an unknown sort is, naming the codes and
    the one the label stands for, in either language (the export, which reads the same filters, in
    test_enterprises_service); a code still filters."""
    client = local_client(client.app)  # its own language cookie
    r = client.get("/api/enterprises", params={"stage": "A轮", "lang": "zh"})
    assert r.status_code == 400
    assert "A轮" in r.json()["error"] and "pre_a|a|a_plus" in r.json()["error"] and "应写作 a" in r.json()["error"]
    r = client.get("/api/enterprises", params={"stage": "b,Series B", "lang": "en"})
    assert r.status_code == 400 and "invalid stage: Series B" in r.json()["error"] and "write b" in r.json()["error"]
    assert client.get("/api/enterprises", params={"stage": "nope"}).status_code == 400
    assert client.get("/enterprises", params={"stage": "A轮"}).status_code == 400
    ok = client.get("/api/enterprises", params={"stage": "a,none"})
    assert ok.status_code == 200 and ok.json()["total"] > 0
    # the keys repeated are the comma lists (the last value alone was read), a node's and a tag's alike
    again = client.get("/api/enterprises", params=[("stage", "a"), ("stage", "none"), ("node", "M01"), ("node", "M02")])
    assert again.json()["filters"]["stage"] == "a,none" and again.json()["filters"]["node"] == "M01,M02"
    assert again.json()["total"] == client.get("/api/enterprises", params={"stage": "a,none", "node": "M01,M02"}).json()["total"]
    assert client.get("/api/enterprises", params=[("stage", "a"), ("stage", "A轮")]).status_code == 400


def test_facets_name_the_rounds_in_both_languages(client):
    rounds = client.get("/api/facets").json()["rounds"]
    by = {r["code"]: r for r in rounds}
    assert by["a"]["name_en"] == "Series A" and by["a"]["name_zh"] == "A轮" and by["angel"]["name_en"] == "Angel"
    assert not [r for r in rounds if r["name_en"] == r["code"]], rounds


def test_html_404_is_a_page(client):
    r = client.get("/enterprises/999999")
    assert r.status_code == 404 and "未找到企业" in r.text and "Traceback" not in r.text


def test_language_switch_and_cookie(client):
    r = client.get("/map?lang=en")
    assert "Industry map" in r.text and "synthetic demo data" in r.text
    assert r.cookies.get("lang") == "en" or "lang=en" in r.headers.get("set-cookie", "")
    en = local_client(client.app, cookies={"lang": "en"})
    r2 = en.get("/chain")
    assert "Chain map" in r2.text
    # the region a page is about by its one English label: 朝阳 is Beijing's district, Liaoning's city and a county,
    # all Chaoyang (the headings said plain Chaoyang)
    for path in ("/chain?region=211300", "/trends?region=110105"):
        heading = re.search(r"<h1[^>]*>(.*?)</h1>", en.get(path).text, re.S).group(1)
        assert re.search(r"Chaoyang, (Liaoning|Beijing)", heading), (path, heading)
    assert "Hangzhou" in re.search(r"<h1[^>]*>(.*?)</h1>", en.get("/chain?region=330100").text, re.S).group(1)
    assert "产业地图" in client.get("/map?lang=zh").text


def test_openapi_lists_the_twins(client):
    paths = client.get("/openapi.json").json()["paths"]
    for p in ["/api/map", "/api/chain", "/api/enterprises", "/api/enterprises/{key}", "/api/regions/{code}", "/api/geo/{code}"]:
        assert p in paths
    assert client.get("/docs").status_code == 200


def test_packaged_boundaries(client, tmp_path):
    if not Boundaries.vendor_available():
        pytest.skip("packaged boundaries absent: run make setup-web")
    nat = client.get("/api/geo/100000").json()
    codes = {f["properties"]["name"] for f in nat["features"]}
    assert {"110000", "330000", "440000"} <= codes and nat["source"] == "package"
    zj = client.get("/api/geo/330000").json()
    assert {f["properties"]["name"] for f in zj["features"]} >= {"330100", "330200"}
    bj = client.get("/api/geo/110000").json()
    assert "110108" in {f["properties"]["name"] for f in bj["features"]}
    hz = client.get("/api/geo/330100").json()  # no district boundaries: city outline + bubbles
    assert hz["fallback"] == "scatter" and [f["id"] for f in hz["features"]] == ["330100"]
    # the packaged Tibet holds 山南市 with an empty polygon (and its shape again without a code): no view hands out a
    # shape without a ring to draw (the report's map of a Tibet city indexed its first ring)
    bounds = Boundaries()
    han = re.compile(r"[\u3400-\u9fff]")
    for view in ["100000", *sorted(bounds._province_files())]:
        doc = bounds.view(view, "en")
        # in English every view names every feature in English: Hong Kong's districts and Macao's parishes, under
        # codes the region table lacked, kept the file's Chinese names, and so did 莱芜市 (abolished in 2019: now drawn
        # as part of 济南市, which holds it)
        assert [f["properties"]["label"] for f in doc["features"] if han.search(f["properties"]["label"])] == [], view
        for f in doc["features"]:
            g = f["geometry"]
            polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
            assert polys and all(poly and poly[0] for poly in polys), (view, f["id"])
        # a shape the file holds under a region's former code (那曲地区 542400, 哈密地区, 梁平县, 武隆县) or under no
        # code but its name (崇明区, 山南市) is the current region's: no region of the table goes without one — but the
        # 兵团 cities set up after the packaged file (胡杨河 2019, 新星 2021, 白杨 2023), Xinjiang's city-level units
        # beside its cities, which its map lists as unshaped (drawn at their seats)
        later = ["659010", "659011", "659012"] if view == "650000" else []
        assert [r["code"] for r in doc["unshaped"]] == later, (view, doc["unshaped"])
    hk = [f["properties"]["label"] for f in client.get("/api/geo/810000", params={"lang": "en"}).json()["features"]]
    assert len(hk) == 18 and {"Wan Chai District", "Central and Western District"} <= set(hk), hk  # the API says so
    sd = {f["id"]: f["geometry"] for f in bounds.view("370000")["features"]}
    assert "371200" not in sd and sd["370100"]["type"] == "MultiPolygon" and len(sd["370100"]["coordinates"]) == 2
    xz_doc = client.get("/api/geo/540000", params={"lang": "en"}).json()
    xz = {f["id"]: f["properties"]["label"] for f in xz_doc["features"]}
    assert xz["540600"] == "Naqu" and xz["540500"] == "Shannan" and "542400" not in xz and xz["540100"] == "Lhasa"
    assert client.get("/api/geo/540000", params={"lang": "zh"}).json()["features"][0]["properties"]["label"] == "拉萨市"
    shaped = {f["id"] for code in ("310000", "500000", "650000") for f in client.get(f"/api/geo/{code}").json()["features"]}
    assert {"310151", "500155", "500156", "650500"} <= shaped and not {"500228", "500232", "652200"} & shaped
    # a file whose 山南市 is the empty polygon alone: 山南 is listed as a region without a shape, at its seat from the
    # region table, for the map to show its count beside it; without the packaged files, 山南's own view is its
    # districts' bubbles over the province's cities, for want of its outline
    packaged = json.loads((VENDOR_MAPS / bounds._province_files()["540000"]).read_text(encoding="utf-8"))
    hollow = tmp_path / "xizang.json"
    hollow.write_text(json.dumps({**packaged, "features": [f for f in packaged["features"] if f.get("id")]}), encoding="utf-8")
    user = Boundaries(str(hollow))
    user._vendor = lambda view: ([], False)
    xz_doc = user.view("540000")
    xz = {f["id"] for f in xz_doc["features"]}
    assert "540100" in xz and "540500" not in xz and "540600" in xz
    sn_row = next(r for r in xz_doc["unshaped"] if r["code"] == "540500")
    assert sn_row["name"] == "山南市" and sn_row["lng"] and sn_row["lat"] and not xz & {r["code"] for r in xz_doc["unshaped"]}
    assert hz["unshaped"] == [] and client.get("/api/geo/100000").json()["unshaped"] == []
    sn = user.view("540500")
    assert sn["fallback"] == "scatter" and {f["id"] for f in sn["features"]} == xz


def test_user_geojson_overrides(db, shared):
    prov = shared("geo/china_provinces_datav_2022.geojson")
    cities = shared("geo/china_cities_datav_2022.geojson")
    c = local_client(create_app(db, geojson=[str(prov), str(cities)]))
    nat = c.get("/api/geo/100000").json()
    assert nat["source"] == "user" and "UTF8Encoding" not in nat
    assert len({f["id"] for f in nat["features"]}) >= 34
    zj = c.get("/api/geo/330000").json()
    assert zj["source"] == "user" and "330100" in {f["id"] for f in zj["features"]}
    assert all(f["properties"]["label"] for f in zj["features"])
    bj = c.get("/api/geo/110000").json()  # DataV's city file holds Beijing's districts
    assert "110108" in {f["id"] for f in bj["features"]}


def test_region_parameters_take_names_and_macro_regions(client):
    """Region query parameters go to the region service: names, paths and macro-regions as well as codes."""
    by_code = client.get("/api/chain?region=330100").json()
    assert client.get("/api/chain?region=杭州市").json() == by_code
    assert client.get("/api/chain?region=浙江省杭州市").json() == by_code
    named, coded = (client.get(f"/api/map?level=city&parent={p}").json() for p in ("浙江", "330000"))
    assert named.pop("parent") == "浙江" and coded.pop("parent") == "330000" and named == coded
    assert client.get("/api/chain?region=长三角").status_code == 200
    r = client.get("/api/chain?region=朝阳区")
    assert r.status_code == 400 and [c["code"] for c in r.json()["candidates"]] == ["110105", "220104"]
    r = client.get("/api/chain?region=杭洲市")
    assert r.status_code == 404 and r.json()["suggestions"][0]["code"] == "330100"
    assert client.get("/api/chain?region=" + "杭" * 41).status_code == 404  # a long name is looked up: none found
    assert client.get("/api/chain?region=" + "杭" * 101).status_code == 400  # still bounded, at 100 characters


def test_the_chain_and_region_pages_group_thousands_and_say_what_a_rank_is_among(tmp_path):
    """The chain page printed 全国 4535 and / 1502 bare where the region page and the CLI say 4,535; the region page's
    card read 1 / 2 同级地区排名, which the report says as 在本省各市中位列第 1（共 2 个）: the card names what the rank is
    taken within, in both languages; the map's legend says the region is outlined in orange, as it is drawn (its fill
    is blue like its peers')."""
    import re

    from zhaoshang.interfaces.labels import number_text

    db = tmp_path / "fx.duckdb"
    matrix_fixture.build(str(db))
    with Store(str(db)) as s:  # the fixture's enterprises eight times over (new ids, no credit code): counts in thousands
        for _ in range(3):
            top = s.con.execute("SELECT max(id) FROM enterprises").fetchone()[0]
            s.con.execute(f"INSERT INTO enterprises SELECT * REPLACE (id + {top} AS id, name || '乙' AS name, "
                          "name_norm || '乙' AS name_norm, NULL AS uscc) FROM enterprises")
            s.con.execute(f"INSERT INTO placements SELECT * REPLACE (enterprise_id + {top} AS enterprise_id) FROM placements")
    c = local_client(create_app(str(db)))
    tree = c.get("/api/chain", params={"region": "330100"}).json()
    assert tree["national_total"] >= 1000, tree["national_total"]
    html = c.get("/chain", params={"region": "330100"}).text
    summary = re.search(r'<p class="muted small summary">(.*?)</p>', html, re.S).group(1)
    assert f"全国 {number_text(tree['national_total'])}（" in summary, summary
    stages = re.findall(r'<span class="stage-num">([\d,]+) <small>/ ([\d,]+)</small>', html)
    assert stages == [(number_text(s["count"]), number_text(s["national_count"])) for s in tree["nodes"]], stages
    assert any("," in n for _, n in stages), stages
    profile = c.get("/api/region-profile/330100").json()["map"]
    assert profile["rank_level"] == "city" and profile["rank"], profile
    for lang, words in (("zh", "本省各市中排名"), ("en", "Rank among cities of its province")):
        page = c.get("/region/330100", params={"lang": lang}).text
        card = re.search(r'<div class="rp-kpi" id="kpi-rank-card" title="[^"]*"><b>([^<]*)<small class="muted"> / (\d+)</small></b><span>(?:<span id="rank-scope">)?([^<]*)<',
                         page)
        assert card and card.groups() == (str(profile["rank"]), str(profile["peers"]), words), card and card.groups()
        legend = re.search(r'id="sec-map"><h2>[^<]*<small>([^<]*)<', page).group(1)
        assert legend == ("各地区产业链企业数，橙色描边为本地区" if lang == "zh" else
                          "chain enterprises by region; orange outline: this region"), legend


@pytest.mark.parametrize("page", ["/enterprises", "/map", "/trends"])
def test_english_pages_call_a_chain_segment_a_segment(client, page):
    """The English pages said "Chain node" for 产业链环节 in their filters, "Segment" in their columns and "on
    segment M05" in a score's comparison group: one term, Segment."""
    import re

    html = local_client(client.app, cookies={"lang": "en"}).get(page).text
    labels = [" ".join(x.split()) for x in re.findall(r"<label[^>]*>\s*([^<]+?)\s*<select[^>]*(?:name=\"node\"|id=\"node-select\")", html)]
    assert labels == ["Segment"], labels
    assert "Chain node" not in html
