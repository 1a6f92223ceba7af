"""One search: the CLI ``search``, ``/api/search``, the 企业库 list (JSON and page) and its export give the same
count for the same question, and region names work everywhere."""

from __future__ import annotations

import csv
import re
import sys
import warnings
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import moved_fixture as mf  # noqa: E402
from cli_util import run, run_json  # noqa: E402

warnings.filterwarnings("ignore", category=DeprecationWarning)
from web_util import local_client  # noqa: E402

from zhaoshang.core.parse.uscc import make_uscc  # noqa: E402
from zhaoshang.core.store import Store  # noqa: E402
from zhaoshang.interfaces.web.app import create_app  # noqa: E402
from zhaoshang.services.search import search  # noqa: E402


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    work = tmp_path_factory.mktemp("search")
    path = work / "s.duckdb"
    mf.build(str(path), work)
    return path


@pytest.fixture(scope="module")
def client(db):
    return local_client(create_app(str(db)))


def test_region_names_in_search(db):
    """`search 机器人 --region 浙江省` finds what the province code finds (it found nothing before)."""
    by_name = run_json("search", "机器人", "--region", "浙江省", "--limit", "500", db=db)
    by_code = run_json("search", "机器人", "--region", "330000", "--limit", "500", db=db)
    assert by_name["total"] > 0 and by_name["total"] == by_code["total"]
    assert {r["id"] for r in by_name["items"]} == {r["id"] for r in by_code["items"]}
    assert all(r["province_code"] == "330000" for r in by_name["items"])
    en = run("--lang", "en", "search", "机器人", "--region", "浙江省", db=db, env={"COLUMNS": "1000"}).stdout
    places = [line.split("│")[4].strip() for line in en.splitlines() if line.startswith("│")]  # the table's, in English
    assert places and all(p and not re.search(r"[\u4e00-\u9fff]", p) for p in places), places


QUERIES = [("机器人", None), ("机器人", "浙江省"), ("人形机器人", "广东"), ("科技", "杭州市"), ("灵犀脑机", None),
           (mf.USCC, None), ("gpu", None)]


@pytest.mark.parametrize("q,region", QUERIES)
def test_same_count_everywhere(db, client, tmp_path, q, region):
    params = {"q": q, **({"region": region} if region else {})}
    cli = run_json("search", q, *(["--region", region] if region else []), db=db)["total"]
    api = client.get("/api/search", params=params).json()["total"]
    listed = client.get("/api/enterprises", params=params).json()
    page = client.get("/enterprises", params=params).text
    shown = int(re.search(r'id="result-total">(\d+)<', page).group(1))
    with Store(db, read_only=True) as s:
        service = search(s, q, region=region)["total"]
    assert cli == api == listed["total"] == shown == service, (cli, api, listed["total"], shown)
    assert cli > 0


def test_export_holds_the_searched_rows(db, client):
    """The export of a list with ``q`` (one download: exports are rate-limited) has the search's rows."""
    params = {"q": "机器人", "region": "浙江省"}
    export = client.get("/api/enterprises/export", params={**params, "format": "csv"})
    assert export.status_code == 200, export.text
    ids = [int(r[0]) for r in list(csv.reader(export.text.lstrip("\ufeff").splitlines()))[1:]]
    found = client.get("/api/search", params={**params, "limit": 500}).json()
    assert sorted(ids) == sorted(r["id"] for r in found["items"]) and len(ids) == found["total"] > 0


def test_search_sees_the_past(db, client):
    """The moved enterprise is found in 浙江 as of 2020 and in 广东 today, and a dissolved one only on request."""
    then = client.get("/api/search", params={"q": mf.NAME, "region": "浙江省", "as_of": "2020-12-31"}).json()
    now = client.get("/api/search", params={"q": mf.NAME, "region": "浙江省"}).json()
    assert [r["name"] for r in then["items"]] == [mf.NAME] and now["total"] == 0
    with Store(db, read_only=True) as s:
        gone = s.con.execute("SELECT name FROM enterprises WHERE dissolved < DATE '2020-01-01' LIMIT 1").fetchone()[0]
        assert search(s, gone)["total"] == 0 or all(r["name"] != gone for r in search(s, gone, limit=500)["items"])
        assert gone in [r["name"] for r in search(s, gone, include_dissolved=True, limit=500)["items"]]
    cli = run_json("search", gone, "--include-dissolved", db=db)
    assert gone in [r["name"] for r in cli["items"]]


def test_a_hit_on_a_name_is_read_as_of_the_date(tmp_path):
    """An enterprise renamed in 2024 was found by its former name as of 2023 as 别名包含 (alias), though that was its
    name then: a name or alias hit is read against the name on the date, the later name being then an alias."""
    code = make_uscc(515151, "330106")
    db = tmp_path / "r.duckdb"
    for name, day in (("杭州青禾物联科技有限公司", "2020-12-31"), ("杭州青禾信息技术有限公司", "2024-12-31")):
        f = tmp_path / f"{day}.csv"
        f.write_text(f"企业名称,统一社会信用代码,成立日期\n{name},{code},2015-01-01\n", encoding="utf-8")
        run_json("import", "enterprises", f, "--data-date", day, db=db)

    def found(q, *args):
        return [(r["name"], r["matched"]) for r in run_json("search", q, *args, db=db)["items"]]

    then = ("--as-of", "2023-06-30")
    assert found("青禾物联", *then) == [("杭州青禾物联科技有限公司", "name")]
    assert found("杭州青禾物联科技有限公司", *then) == [("杭州青禾物联科技有限公司", "name_exact")]
    assert found("青禾信息", *then) == [("杭州青禾物联科技有限公司", "alias")]  # not its name yet
    assert found("青禾物联") == [("杭州青禾信息技术有限公司", "alias")]  # today a former name
    assert found("杭州青禾信息技术有限公司") == [("杭州青禾信息技术有限公司", "name_exact")]
    assert "名称包含" in run("search", "青禾物联", *then, db=db, env={"COLUMNS": "160"}).stdout


def test_page_in_a_browser_counts_like_the_cli(db, chromium):
    """Typed into the 企业库 search box in a real browser, a query shows the count the CLI gives, and every page
    shows the same default date (the map's from its JSON twin)."""
    from web_util import require_browser, serving

    require_browser()
    cli = run_json("search", "机器人", "--region", "浙江省", db=db)
    with Store(db, read_only=True) as s:
        from zhaoshang.core.asof import reference_date

        ref = reference_date(s).isoformat()
    with serving(db) as base, chromium as browser:
        page = browser.new_page()
        page.goto(base + "/enterprises?region=330000")
        page.fill("#f-q", "机器人")
        page.press("#f-q", "Enter")
        page.wait_for_url("**q=*")
        assert int(page.inner_text("#result-total")) == cli["total"] > 0
        for url in ("/map", "/chain", "/trends", "/network", "/region/330000"):
            page.goto(base + url)
            if url == "/map":
                page.wait_for_selector("#map[data-ready='1']")
            assert page.inner_text("#as-of") == ref, url
        browser.close()


def _subset(folder: Path, rel: str, name_col: str, word: str) -> Path:
    """The rows of a real file (../shared/data) whose name holds ``word``, written to ``folder``."""
    from conftest import shared_file

    with open(shared_file(rel), encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    col = rows[0].index(name_col)
    out = folder / Path(rel).name
    with open(out, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([rows[0]] + [r for r in rows[1:] if word in r[col]])
    return out


def test_names_that_begin_with_the_query_come_first(tmp_path):
    """`search 浪潮` on the real registry sample and the SZSE list: the companies whose names begin with 浪潮
    (浪潮软件, 浪潮电子信息产业) come before 重庆市浪潮科技 and 新余市新浪潮电脑 — with names of the same length
    the order was by id, which put 新余市新浪潮电脑 before 浪潮电子信息产业."""
    def subset(rel: str, name_col: str) -> Path:
        return _subset(tmp_path, rel, name_col, "浪潮")

    db = tmp_path / "q.duckdb"
    run_json("import", "enterprises", subset("enterprises/enterprise_registration_sample_2000_2004.csv", "企业名称"), db=db)
    run_json("import", "enterprises", subset("listed_companies/a_share_companies_merged.csv", "full_name"),
             "--preset", "a_share_merged", db=db)
    names = [i["name"] for i in run_json("search", "浪潮", db=db)["items"]]
    assert len(names) >= 4 and any(not n.startswith("浪潮") for n in names)
    first = [n.startswith("浪潮") for n in names]
    assert first == sorted(first, reverse=True), names  # every name beginning with 浪潮 before the others


def test_a_compound_found_nowhere_whole_is_looked_for_apart(tmp_path):
    """`search 医疗影像` found nothing while `search 医疗 影像` found the enterprises (jieba keeps 医疗影像 whole): a
    compound no enterprise holds whole is read as its own words apart, and says so; one some enterprise holds
    whole is still looked for whole (no broadening); the CLI, the API and the 企业库 list count alike."""
    rows = ["(1, '甲医疗科技有限公司', '甲医疗科技', '医疗器械销售；影像设备研发', '330000', '330100', DATE '2015-01-01')",
            "(2, '乙软件有限公司', '乙软件', '软件开发；影像处理', '330000', '330100', DATE '2015-01-01')",
            "(3, '丙智能有限公司', '丙智能', '医疗影像智能分析', '330000', '330100', DATE '2016-01-01')"]

    def counts(db, q):
        client = local_client(create_app(str(db)))
        cli = run_json("search", q, db=db)
        api = client.get("/api/search", params={"q": q}).json()
        listed = client.get("/api/enterprises", params={"q": q}).json()["total"]
        assert cli["total"] == api["total"] == listed, (cli["total"], api["total"], listed)
        return cli

    dbs = []
    for n, some in (("apart", rows[:2]), ("whole", rows)):
        dbs.append(tmp_path / f"{n}.duckdb")
        with Store(dbs[-1]) as s:
            s.ensure_schema()
            s.con.execute("INSERT INTO enterprises (id, name, name_norm, scope, province_code, city_code, founded) "
                          "VALUES " + ", ".join(some))
    whole, spaced = counts(dbs[0], "医疗影像"), counts(dbs[0], "医疗 影像")
    assert [i["id"] for i in whole["items"]] == [i["id"] for i in spaced["items"]] == [1]
    assert whole["words"] == ["医疗", "影像"] and whole["apart"] and not spaced["apart"]
    assert "整词无匹配，按拆开的词查找" in run("search", "医疗影像", db=dbs[0]).stdout
    again = counts(dbs[1], "医疗影像")  # an enterprise holds the compound whole: only it matches, as before
    assert [i["id"] for i in again["items"]] == [3] and again["words"] == ["医疗影像"] and not again["apart"]


def test_a_hit_names_the_field_that_holds_the_words(db, tmp_path):
    """A hit on the words of the text said 经营范围/简介 whatever field held them: a word in the main products
    is a 主营产品 hit (main products), one in the scope a 经营范围 hit, words spread over fields say so."""
    import shutil

    path = tmp_path / "f.duckdb"
    shutil.copyfile(db, path)
    s = Store(str(path))
    a, b, c = [r[0] for r in s.con.execute("SELECT id FROM enterprises WHERE dissolved IS NULL ORDER BY id LIMIT 3").fetchall()]
    s.con.execute("UPDATE enterprises SET products = '类脑芯片模组', scope = '软件开发', description = NULL WHERE id = ?", [a])
    s.con.execute("UPDATE enterprises SET products = NULL, scope = '类脑芯片模组的研发', description = NULL WHERE id = ?", [b])
    s.con.execute("UPDATE enterprises SET products = '通信模组', scope = '软件开发', description = '类脑芯片' WHERE id = ?", [c])
    s.close()
    doc = run_json("search", "类脑芯片模组", db=path)
    assert {i["id"]: i["matched"] for i in doc["items"]} == {a: "words_products", b: "words_scope", c: "words"}
    for lang, words in (("zh", {a: "主营产品", b: "经营范围", c: "多个字段"}), ("en", {a: "main products", b: "business scope",
                                                                                 c: "several fields"})):
        out = run("--lang", lang, "search", "类脑芯片模组", db=path, env={"COLUMNS": "1000"}).stdout  # the table's words
        cells = [[c.strip() for c in line.split("│")[1:-1]] for line in out.splitlines() if line.startswith("│")]
        got = {int(r[0]): r[5] for r in cells}
        rows = csv.DictReader(run("--lang", lang, "search", "类脑芯片模组", "--format", "csv", db=path).stdout.splitlines())
        assert {int(r["id"]): r["matched"] for r in rows} == {a: "words_products", b: "words_scope", c: "words"}  # codes
        assert {k: v.split("（")[0].split(" (")[0] for k, v in got.items()} == words, got


def test_the_library_with_a_query_lists_the_best_match_first(tmp_path, chromium):
    """`/api/enterprises?q=深圳市海极光科技有限公司` listed 深圳市南极光电子科技股份有限公司 first (the list's default order,
    by registered capital, then id) although `/api/search` puts the exact name first. With a query and no sort asked
    for, the list — JSON, page and export — follows the search's order; a sort the user chooses still wins."""
    from web_util import require_browser, serving

    def subset(rel: str, name_col: str) -> Path:
        return _subset(tmp_path, rel, name_col, "极光")

    db = tmp_path / "j.duckdb"
    run_json("import", "enterprises", subset("listed_companies/szse_a_share_list_2026-01.csv", "公司全称"),
             "--preset", "szse_a_share", db=db)
    run_json("import", "enterprises", subset("ai_companies/itjuzi_china_ai_companies_2018-12.csv", "legal_name"),
             "--preset", "itjuzi_companies", db=db)
    client = local_client(create_app(str(db)))
    exact = "深圳市海极光科技有限公司"
    for q in (exact, "海极光"):
        found = [r["name"] for r in client.get("/api/search", params={"q": q}).json()["items"]]
        listed = client.get("/api/enterprises", params={"q": q}).json()
        assert found[0] == exact and len(found) > 1
        assert [r["name"] for r in listed["items"]] == found and listed["sort"] == "match", q
        export = client.get("/api/enterprises/export", params={"q": q, "format": "csv"}).text
        assert [r[1] for r in list(csv.reader(export.lstrip("\ufeff").splitlines()))[1:]] == found
    by_name = [r["name"] for r in client.get("/api/enterprises", params={"q": "海极光", "sort": "name"}).json()["items"]]
    from pypinyin import lazy_pinyin

    keys = [lazy_pinyin(n[:4]) for n in by_name]  # by pinyin (广东 < 深圳市海 < 深圳市南), the list's name order
    assert keys == sorted(keys) and by_name[0] != exact  # the user's sort
    assert client.get("/api/enterprises").json()["sort"] == "-capital"  # no query: as before

    require_browser()
    with serving(db) as base, chromium as browser:
        page = browser.new_page()
        page.goto(base + "/enterprises")
        page.fill("#f-q", exact)
        page.press("#f-q", "Enter")
        page.wait_for_url("**q=*")
        assert page.locator("#ent-table tbody tr td:first-child a").all_inner_texts()[0] == exact
        page.click("#ent-table thead a.sort[href*='capital']")  # a sort the user chose (no capital given: by id)
        page.wait_for_url("**sort=*")
        assert page.locator("#ent-table tbody tr td:first-child a").all_inner_texts()[0] != exact
        browser.close()
