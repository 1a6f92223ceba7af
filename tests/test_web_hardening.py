"""The web app under hostile input: bounded caches, bounded parameters, no 500 for any input."""

from __future__ import annotations

import copy
import re
import sys
import warnings
from pathlib import Path
from urllib.parse import quote

import pytest

warnings.filterwarnings("ignore", category=DeprecationWarning)
from web_util import local_client  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
import matrix_fixture  # noqa: E402

from zhaoshang.interfaces.web.app import create_app  # noqa: E402
from zhaoshang.interfaces.web.served import BoundedCache, deep_size  # noqa: E402


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("hard") / "fx.duckdb")
    matrix_fixture.build(path)
    return path


@pytest.fixture(scope="module")
def app(db):
    return create_app(db)


@pytest.fixture(scope="module")
def client(app):
    return local_client(app, raise_server_exceptions=False)


def test_distinct_as_of_values_keep_the_cache_within_its_bounds(app, client):
    served = app.state.served
    served.cache = BoundedCache(max_bytes=256 * 1024 * 1024, max_entries=3)
    dates = [f"2020-01-{d:02d}" for d in range(1, 6)]  # five answers into room for three
    for d in dates:
        assert client.get("/api/region-profile/330100", params={"as_of": d}).status_code == 200
    assert len(served.cache) <= 3  # bounded in entries: the oldest answers were evicted
    doc = client.get("/api/region-profile/330100", params={"as_of": dates[-1]}).json()
    size = deep_size(doc)
    assert size > 10_000
    # bounded in bytes: 300 distinct as_of answers of this size into a budget of ten of them
    cache = BoundedCache(max_bytes=10 * size + size // 2, max_entries=1000)
    for i in range(300):
        cache.get_or_build(("region-profile", "330100", f"as-of-{i}"), lambda: copy.deepcopy(doc))
    assert 0 < len(cache) <= 10 and cache.bytes <= cache.max_bytes
    assert cache.get_or_build(("region-profile", "330100", "as-of-299"), lambda: None) is not None  # the newest stays


def test_the_default_cache_is_bounded(app):
    cache = BoundedCache()
    assert cache.max_entries <= 1024 and cache.max_bytes <= 128 * 1024 * 1024
    for i in range(cache.max_entries + 50):
        cache.get_or_build(i, lambda: [i])
    assert len(cache) <= cache.max_entries


def test_not_found_replies_are_not_cached(app, client):
    # a path no route serves is answered as every error is, in both languages (it was {"detail": "Not Found"})
    r = client.get("/api/nope", params={"lang": "en"})
    assert r.status_code == 404 and r.json() == {"error": "no such address: /api/nope", "status": 404,
                                                 "error_zh": "没有这个地址: /api/nope",
                                                 "error_en": "no such address: /api/nope"}, r.text
    page = client.get("/nope", params={"lang": "zh"})
    assert page.status_code == 404 and "没有这个地址: /nope" in page.text and "<html" in page.text
    served = app.state.served
    served.cache = BoundedCache()
    for code in ("999999", "999998", "123456"):
        assert client.get(f"/api/geo/{code}").status_code == 404
        assert client.get(f"/api/region-profile/{code}").status_code == 404
        assert client.get(f"/region/{code}").status_code == 404
    cached_codes = {x for k in served.cache.keys() for x in (k if isinstance(k, tuple) else (k,))}
    assert not cached_codes & {"999999", "999998", "123456"}


@pytest.mark.parametrize("url", [
    "/api/enterprises?page=9223372036854775807", "/api/enterprises?page=10001", "/api/enterprises?size=100000",
    "/enterprises?page=9223372036854775807", "/api/map?top=99999999999999999999", "/api/network?edges=-1",
    "/api/map?as_of=2021-02-29", "/api/map?as_of=99999-01-01", "/api/map?level=planet", "/api/chain?as_of=%00",
    "/api/enterprises?q=" + "x" * 5000, "/api/enterprises/export?sort=bogus", "/api/trends?start=2020-13",
])
def test_out_of_range_and_malformed_input_is_a_clean_400(client, url):
    r = client.get(url)
    assert r.status_code == 400, (url, r.status_code, r.text[:200])
    if url.startswith("/api/"):
        assert {"error", "status"} <= set(r.json()) <= {"error", "status", "error_zh", "error_en"} and r.json()["error"]
    else:
        assert "Traceback" not in r.text


def test_a_malformed_parameter_is_refused_in_the_ui_language(client):
    r = client.get("/api/map", params={"level": "planet", "lang": "en"})
    assert r.status_code == 400 and r.json()["error"].startswith("invalid parameter: level"), r.text
    assert client.get("/api/map", params={"level": "planet", "lang": "zh"}).json()["error"].startswith("参数无效: level")


@pytest.mark.parametrize("url, zh", [
    ("/api/enterprises?page=0", "page: 应大于或等于 1"),
    ("/api/enterprises?size=100000", "size: 应小于或等于 1000"),
    ("/api/enterprises?score_min=abc", "score_min: 应为数字，收到 'abc'"),
    ("/api/map?level=planet", "level: 应为 'province'、'city'、'district' 或 'macro'"),
    ("/api/map?top=99999999999999999999", "top: 应小于或等于"),
    ("/api/search?q=", "q: 至少 1 个字符"),
    ("/api/enterprises?page=abc", "page: 应为整数，收到 'abc'"),
])
def test_a_malformed_parameter_reads_as_chinese_in_chinese(client, url, zh):
    """The framework's checks (ranges, numbers, choices) speak Chinese in the Chinese UI, not
    "参数无效: page: Input should be greater than or equal to 1"; English is the framework's text but where that
    reads as the checker's own ("Input should be a valid integer, unable to parse string as an integer")."""
    r = client.get(url + "&lang=zh")
    assert r.status_code == 400 and zh in r.json()["error"], r.text
    assert not re.search(r"[A-Za-z]{3,} [a-z]{3,}", r.json()["error"]), r.json()["error"]  # no English sentence
    en = client.get(url + "&lang=en").json()["error"]
    assert en.startswith("invalid parameter: ") and not re.search(r"[\u4e00-\u9fff]", en), en
    assert "(19|20)" not in en  # a date is explained, not its regular expression
    assert "unable to" not in en and "Input should be a valid" not in en, en  # the checker's own wording


def test_a_date_parameter_takes_what_the_one_date_parser_reads(client, db):
    """The CLI and the pages read --as-of 20190630 and 2019年6月30日; the JSON twins refused them (应写作 YYYY、YYYY-MM 或
    YYYY-MM-DD). They read them now, as the same date. Their years are the parser's (1800–2100), as on the command
    line: 1850 is a date, 1799 is refused with the command line's line, not with itself as the example."""
    from cli_util import run, run_json

    cli = run_json("trends", "-r", "330100", "--as-of", "20190630", db=db)
    for value in ("20190630", "2019年6月30日", "2019-6-30", "2019-06-30"):
        r = client.get("/api/trends", params={"region": "330100", "as_of": value})
        assert r.status_code == 200, (value, r.text)
        assert r.json()["as_of"] == cli["as_of"] == "2019-06-30"
        assert r.json()["totals"] == cli["totals"]
    r = client.get("/api/trends", params={"region": "330100", "start": "2018年1月1日", "end": "20181231"})
    assert (r.status_code, r.json()["start"], r.json()["end"]) == (200, "2018-01-01", "2018-12-31")
    old = run_json("trends", "-r", "330100", "--as-of", "1850-06-30", db=db)
    r = client.get("/api/trends", params={"region": "330100", "as_of": "1850-06-30"})
    assert r.status_code == 200 and r.json()["as_of"] == old["as_of"] == "1850-06-30", r.text
    for lang in ("zh", "en"):
        said = run("--lang", lang, "trends", "-r", "330100", "--as-of", "1799-12-31", db=db, check=False)
        assert said.returncode == 2
        r = client.get("/api/trends", params={"region": "330100", "as_of": "1799-12-31", "lang": lang})
        err = r.json()["error"]
        assert r.status_code == 400 and err in said.stderr and ("1800–2100" in err), err
        assert "e.g. 1799" not in err and "如 1799" not in err, err
    # a bare 4-digit year outside the range is that year refused, not an Excel serial day of 1904 or 1905
    for value in ("1799", "2101"):
        said = run("trends", "-r", "330100", "--as-of", value, db=db, check=False)
        assert said.returncode == 2 and "年份超出范围（1800–2100）" in said.stderr, said.stderr
        r = client.get("/api/trends", params={"region": "330100", "as_of": value, "lang": "zh"})
        assert r.status_code == 400 and r.json()["error"] in said.stderr, r.text
    for param, value in (("founded_to", "2101"), ("founded_from", "1799")):
        r = client.get("/api/enterprises", params={param: value})
        assert r.status_code == 400 and "1800–2100" in r.json()["error"], (param, r.text)
        page = client.get("/enterprises", params={param: value})
        assert page.status_code == 400 and "1800–2100" in page.text, (param, page.status_code)


def test_the_last_allowed_page_answers(client):
    r = client.get("/api/enterprises", params={"page": 10_000, "size": 1000})
    assert r.status_code == 200 and r.json()["items"] == [] and r.json()["total"] > 0


def test_openapi_declares_bounds_and_every_reply(client):
    doc = client.get("/openapi.json").json()
    assert doc["paths"]
    for path, ops in doc["paths"].items():
        for op in ops.values():
            for status in ("200", "400", "401", "403", "404"):
                assert status in op["responses"], (path, status)
                assert all(c.get("schema") for c in op["responses"][status]["content"].values()), (path, status)
            assert "422" not in op["responses"]
            for p in op.get("parameters", []):
                s = p["schema"].get("anyOf", [p["schema"]])[0]
                if s.get("type") == "integer":
                    assert "minimum" in s and "maximum" in s, (path, p["name"])
                if p["name"] in ("as_of", "level", "kind", "metric", "sort", "format"):
                    assert any(k in x for x in p["schema"].get("anyOf", [p["schema"]]) for k in ("pattern", "enum")), (path, p["name"])
                if p["name"] == "node":  # a chain node's code or name, as the CLI takes it: bounded in length (each
                    # value of a repeatable list)
                    assert any(k in y for x in p["schema"].get("anyOf", [p["schema"]]) for y in (x, x.get("items") or {})
                               for k in ("pattern", "enum", "maxLength")), (path, p["name"])


def test_the_documented_date_pattern_is_every_begun_period_and_nothing_else():
    """The document's date pattern, written short, states exactly the periods the parser takes by a day: every year,
    month and calendar day from 1800 to that day, none after it, no 29 February of a common year."""
    import calendar
    import datetime as dt

    from zhaoshang.core.parse.dates import MAX_YEAR, MIN_YEAR
    from zhaoshang.interfaces.web.schemas import DATE_PATTERN, dates_up_to

    for today in (dt.date(2026, 12, 6), dt.date(2024, 2, 29), dt.date(2030, 1, 1)):
        pattern = re.compile(dates_up_to(today))
        assert len(pattern.pattern) < 1000 and pattern.fullmatch("")
        for y in range(MIN_YEAR - 1, today.year + 2):
            assert bool(pattern.fullmatch(str(y))) == (MIN_YEAR <= y <= today.year), (today, y)
            for m in range(1, 13):
                begun = MIN_YEAR <= y and (y, m) <= (today.year, today.month)
                assert bool(pattern.fullmatch(f"{y}-{m:02d}")) == begun, (today, y, m)
                for d in range(1, 32):
                    real = d <= calendar.monthrange(y, m)[1]
                    taken = real and MIN_YEAR <= y and dt.date(y, m, d) <= today
                    assert bool(pattern.fullmatch(f"{y}-{m:02d}-{d:02d}")) == taken, (today, y, m, d)
    every = re.compile(DATE_PATTERN)  # the routes' own: every year of the parser, future ones included
    assert every.fullmatch(str(MAX_YEAR)) and every.fullmatch(f"{MAX_YEAR}-12-31") and every.fullmatch("2000-02-29")
    assert not (every.fullmatch(str(MAX_YEAR + 1)) or every.fullmatch("1900-02-29") or every.fullmatch("2100-02-29"))


def test_csv_export_streams_the_same_rows_as_the_file_export(app, db, tmp_path):
    import csv
    import io

    from zhaoshang.core.store import Store
    from zhaoshang.services import enterprises as E

    app.state.web.export_limits.__init__()  # a fresh allowance for this test
    c = local_client(app)
    r = c.get("/api/enterprises/export", params={"format": "csv", "region": "330000"})
    assert r.status_code == 200 and "content-length" not in r.headers  # streamed in chunks, size unknown up front
    assert "attachment" in r.headers["content-disposition"]
    with Store(db, read_only=True) as store:
        E.export_enterprises(store, str(tmp_path / "e.csv"), fmt="csv", region="330000")
        total = E.search_enterprises(store, region="330000")["total"]
    streamed = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    filed = list(csv.reader(io.StringIO((tmp_path / "e.csv").read_text(encoding="utf-8-sig"))))
    assert len(streamed) - 1 == total and streamed[0] == filed[0]
    assert [row[0] for row in streamed] == [row[0] for row in filed]
    # bad filters are refused before the download starts
    assert c.get("/api/enterprises/export", params={"format": "csv", "region": "999999"}).status_code == 404


def test_a_refused_workbook_export_leaves_no_file_behind(app, tmp_path, monkeypatch):
    """An unknown region or node is refused while the workbook is written: the temporary file goes with it."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    app.state.web.export_limits.__init__()
    c = local_client(app)
    assert c.get("/api/enterprises/export", params={"region": "999999"}).status_code == 404
    assert c.get("/api/enterprises/export", params={"node": "ZZZ"}).status_code == 404
    assert list(tmp_path.glob("zhaoshang-export-*")) == []
    r = c.get("/api/enterprises/export", params={"region": "330000"})
    assert r.status_code == 200 and r.content[:2] == b"PK" and list(tmp_path.glob("zhaoshang-export-*")) == []


def test_exports_are_rate_limited_per_user_and_pages_are_not(app, monkeypatch):
    """A team server's user gets 3 downloads at once, then one every 20 s: the 429 as JSON to a script, as the
    app's error page in its language to a browser following a download link (it was raw JSON). A local-only
    server's single user is not limited: no other user's pages to keep answering (the 4th download in a minute
    was refused)."""
    from zhaoshang.interfaces.web.limits import EXPORT_BURST, RateLimited, TokenBuckets
    from web_util import team_tokens

    app.state.web.export_limits.__init__()
    local = local_client(app)
    assert [local.get("/api/enterprises/export", params={"format": "csv", "region": "110000"}).status_code
            for _ in range(EXPORT_BURST + 1)] == [200] * (EXPORT_BURST + 1)
    c = local_client(app, headers=team_tokens(app.state.team, (("ana", "analyst"),))["analyst"])  # a team user's token
    # refused requests (a format that does not exist, a region that does not exist) spend nothing
    assert c.get("/api/region-profile/330100/report", params={"format": "doc"}).status_code == 400
    assert c.get("/api/region-profile/999999/report", params={"format": "html"}).status_code == 404
    assert c.get("/api/enterprises/export", params={"format": "pdf"}).status_code == 400
    codes = [c.get("/api/enterprises/export", params={"format": "csv", "region": "110000"}).status_code
             for _ in range(EXPORT_BURST + 2)]
    assert codes[:EXPORT_BURST] == [200] * EXPORT_BURST and codes[EXPORT_BURST:] == [429, 429]
    r = c.get("/api/region-profile/330100/report", params={"format": "html"})
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1 and r.json()["error"]
    # the one error shape, in the request's language (it was one text of both languages, whatever asked)
    s = r.headers["retry-after"]
    assert r.json() == {"error": f"请求过于频繁，请 {s} 秒后再试", "status": 429, "error_zh": f"请求过于频繁，请 {s} 秒后再试",
                        "error_en": f"too many requests: retry in {s} s"}, r.json()
    en = c.get("/api/enterprises/export", params={"format": "csv", "lang": "en"})
    assert en.status_code == 429 and en.json()["error"] == en.json()["error_en"], en.json()
    for lang, said in (("zh", "请求过于频繁，请 {} 秒后再试"), ("en", "too many requests: retry in {} s")):
        page = c.get("/api/region-profile/330100/report", params={"format": "pdf", "lang": lang},
                     headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
        assert page.status_code == 429 and page.headers["content-type"].startswith("text/html"), page.text[:300]
        wait = page.headers["retry-after"]
        assert f'<p id="error-message">{said.format(wait)}</p>' in page.text and 'id="error-back"' in page.text
    # refused before the work: no match is computed for a user past the limit (it was, then refused)
    from zhaoshang.services.matching import match as M

    def _computed(*a, **k):
        raise AssertionError("computed past the limit")

    for name in ("match_demand", "match_enterprise", "list_demands"):
        monkeypatch.setattr(M, name, _computed)
    for url in ("/api/match/demand/D1/export", "/api/match/enterprise/1/export", "/api/match/demands/export"):
        assert c.get(url).status_code == 429, url
    assert all(c.get(u).status_code == 200 for u in ("/api/meta", "/api/map", "/api/enterprises", "/map"))
    # one bucket per user: another user still has the whole allowance
    buckets = TokenBuckets(burst=2, per=60)
    buckets.take("user:1")
    buckets.take("user:1")
    with pytest.raises(RateLimited) as refused:
        buckets.take("user:1")
    assert refused.value.in_lang("en").startswith("too many requests: retry in")
    buckets.take("user:2")


# texts an analyst types for a region, as every page's region field reads them (浙江/杭州 a path, a stray 、 or comma,
# quotes), with the region's plain name, which the region service reads into the code to compare with; and a name of
# 50 characters no region has
REGION_TEXTS = {"浙江/杭州": "杭州市", "杭州/西湖": "杭州市西湖区", "杭州、": "杭州市", "“杭州”": "杭州市", "Hangzhou,": "杭州市"}
NO_REGION = "浙江省杭州市" + "西湖" * 22


def test_every_region_parameter_reads_a_region_as_the_region_service_does(client):
    """Every route with a region reads it through the one region service, as the pages do: 浙江/杭州, 杭州/西湖, 杭州、,
    “杭州” and Hangzhou, answer as the region's code does (they were refused with the raw regular expression on
    /monitor, /api/events, the exports and /api/enterprises while /leads read them); a name no region has is
    未找到地区 there, a list 请只给出一个地区 (once each entry is known, so every allowed text is a region or 404), a blank
    one no region. The length stays bounded, refused in words; the document states the bound, not a pattern."""
    doc = client.get("/openapi.json").json()
    for path, name in (("/api/regions/{code}", "code"), ("/api/trends", "region"), ("/api/events", "region")):
        p = next(p for p in doc["paths"][path]["get"]["parameters"] if p["name"] == name)
        alts = p["schema"].get("anyOf", [p["schema"]])
        assert [s.get("maxLength") for s in alts if s.get("type") == "string"] == [100], (path, p)
        assert not [s for s in alts if "pattern" in s], (path, p)
    same = lambda r: {k: v for k, v in r.json().items() if k != "filters"} if "json" in r.headers["content-type"] else (  # noqa: E731
        r.headers.get("content-disposition"), r.text)
    code_of = {name: client.get("/api/regions/" + quote(name)).json()["region"]["code"] for name in REGION_TEXTS.values()}
    routes = ["/api/events", "/api/leads/export?format=csv", "/api/pipeline/export?format=csv", "/api/enterprises",
              "/api/trends", "/api/match/demands", "/api/chain"]
    for url in routes:
        sep = "&" if "?" in url else "?"
        by_code = {code: client.get(url + sep + "region=" + code) for code in set(code_of.values())}
        for text, name in REGION_TEXTS.items():
            r, want = client.get(url + sep + "region=" + quote(text)), by_code[code_of[name]]
            assert r.status_code == 200 == want.status_code, (url, text, r.text[:200])
            assert same(r) == same(want), (url, text)
        for lang, said in (("zh", "未找到地区 " + NO_REGION), ("en", "region not found: " + NO_REGION)):
            r = client.get(url + sep + "region=" + quote(NO_REGION) + "&lang=" + lang)
            assert r.status_code == 404 and r.json()["error"].startswith(said), (url, r.text[:200])
        for lang, said in (("zh", "参数无效: 地区名称至多 100 个字符（收到 101 个）"),
                           ("en", "invalid parameter: a region is named in at most 100 characters (got 101)")):
            r = client.get(url + sep + "region=" + "x" * 101 + "&lang=" + lang)
            assert (r.status_code, r.json()["error"]) == (400, said), (url, r.text[:200])
        assert client.get(url + sep + "region=%E3%80%81").status_code == 200  # 、 alone: no region
    # the pages read them alike, and refuse the same way (the 动态监测 page showed the regular expression); a region not found
    # is a value of the form there: 400, the form again (404 is for a path that names nothing)
    for url in ("/monitor", "/match", "/pipeline", "/enterprises", "/leads"):
        for text in REGION_TEXTS:
            r = client.get(url, params={"region": text, "lang": "zh"})
            assert r.status_code == 200 and "String should" not in r.text, (url, text, r.status_code)
        r = client.get(url, params={"region": NO_REGION})
        assert r.status_code == 400 and "未找到地区 " + NO_REGION in r.text, (url, r.status_code)
        r = client.get(url, params={"region": "x" * 101})
        assert r.status_code == 400 and "地区名称至多 100 个字符（收到 101 个）" in r.text, (url, r.status_code)
    # one region: a list of known ones is refused in words; an unknown entry first as unknown (404, not 400)
    for url in ("/api/regions/330100,310000", "/api/trends?region=330100,310000"):
        r = client.get(url + ("&" if "?" in url else "?") + "lang=zh")
        assert r.status_code == 400 and r.json()["error"] == "请只给出一个地区: 330100,310000", (url, r.text)
    assert client.get("/api/regions/%29%20mm%28macro%2C%20member%29").status_code == 404
    assert client.get("/api/regions/" + quote("浙江，杭州")).json()["region"]["code"] == code_of["杭州市"]
    assert client.get("/api/trends", params={"region": "Zz9"}).status_code == 404
    assert client.get("/api/regions/%E3%80%81").status_code == 400  # a path needs a region: 请指定地区


def test_a_library_page_past_the_end_opens_the_last_page(client):
    """A page number past the last (an old link after a narrower filter, a typed number) once showed "9 / 1" over an
    empty table; it goes to the last page, its filters kept."""
    total = client.get("/api/enterprises", params={"region": "330000", "size": 2}).json()["total"]
    last = (total + 1) // 2
    assert total > 2
    r = client.get("/enterprises", params={"region": "330000", "size": 2, "page": last + 5}, follow_redirects=False)
    assert r.status_code == 303 and "page=" + str(last) in r.headers["location"] and "region=330000" in r.headers["location"]
    page = client.get(r.headers["location"]).text
    assert f"<span>{last} / {last}</span>" in page and 'id="next"' not in page and 'id="prev"' in page


@pytest.mark.parametrize("blank", ["+", "%20", "%20%20"])
def test_a_blank_date_parameter_is_no_date(client, blank):
    """A blank as_of (a form's empty field, a "+" in a hand-made URL) is the route's default date, not a 500."""
    r = client.get("/api/chain?as_of=" + blank)
    assert r.status_code == 200 and r.json()["as_of"] == client.get("/api/chain").json()["as_of"], r.text[:200]
