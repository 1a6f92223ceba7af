"""Main products with their revenue shares: the ``main_products`` preset stores every line of a listed company with
its share and period (``product_lines``) beside the combined products text, a re-import keeps every line, lines
without a share keep their place, and the profile shows them — CLI, and the page in a real browser in Chinese and
English."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from cli_util import run, run_json  # noqa: E402
from web_util import ARGS, CHROMIUM, require_browser, serving  # noqa: E402

PRODUCTS = Path(__file__).resolve().parents[2] / "shared" / "data" / "industry_chain" / "company_main_products_2021-10.csv"
if not PRODUCTS.is_file():
    PRODUCTS = Path("/work/shared/data/industry_chain/company_main_products_2021-10.csv")
ITJUZI = PRODUCTS.parents[1] / "ai_companies" / "itjuzi_china_ai_companies_2018-12.csv"
CODES = ("000004", "002230")  # 国农科技, 科大讯飞: real rows of the file


def _real_rows() -> list[dict]:
    with open(PRODUCTS, encoding="utf-8", newline="") as fh:
        return [r for r in csv.DictReader(fh) if r["code"] in CODES]


def _write(path: Path, rows: list[dict]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["code", "short_name", "product", "weight"])
        w.writeheader()
        w.writerows(rows)
    return path


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    if not PRODUCTS.is_file():
        pytest.skip("the public main-products file is not here")
    tmp = tmp_path_factory.mktemp("lines")
    db = tmp / "p.duckdb"
    f = _write(tmp / "main_products.csv", _real_rows())
    run_json("import", "enterprises", f, "--preset", "main_products", "--data-date", "2021-10-26", db=db)
    return db


def test_lines_are_stored_with_share_and_period_in_file_order(db):
    rows = [r for r in _real_rows() if r["code"] == "002230"]
    doc = run_json("show", "科大讯飞", db=db)
    lines = doc["product_lines"]
    assert [(x["line_no"], x["product"]) for x in lines] == [(i, r["product"]) for i, r in enumerate(rows, 1)]
    assert [x["share"] for x in lines] == pytest.approx([float(r["weight"]) for r in rows])
    assert {x["period"] for x in lines} == {"2021-10-26"} and {x["source"] for x in lines} == {"main_products"}
    # the products text is the lines joined, as before
    assert doc["enterprise"]["products"] == "、".join(r["product"] for r in rows)
    # as of a date before the period the shares describe, they are not known
    early = run_json("show", "科大讯飞", "--as-of", "2021-06-30", db=db)
    assert early["product_lines"] == [] and early["product_lines_later"] == {"count": len(rows), "first": "2021-10-26"}
    assert doc["product_lines_later"] is None
    # and ``show`` says it leaves them out, rather than dropping the section without a word
    out = run("show", "科大讯飞", "--as-of", "2021-06-30", db=db, env={"COLUMNS": "200"}).stdout
    assert f"{len(rows)} 条产品线晚于截至日期 2021-06-30（日期 2021-10-26），未显示" in out, out
    out = run("--lang", "en", "show", "科大讯飞", "--as-of", "2021-06-30", db=db, env={"COLUMNS": "200"}).stdout
    assert f"{len(rows)} product lines not shown: dated 2021-10-26, after the as-of date 2021-06-30" in out, out
    out = run("show", "科大讯飞", db=db).stdout
    assert "主营产品与营收占比" in out and "智慧医疗" in out


def test_show_labels_the_share_as_a_revenue_share(db):
    """The table's share column is the line's share of the company's revenue (as the profile page says), never the map
    tables' 全国占比 (share of the nation), and no column is headed by its JSON key."""
    import re

    for lang, want, wrong in (("zh", ["产品线", "营收占比"], "全国占比"), ("en", ["Product line", "Revenue share"], "Share")):
        out = run("--lang", lang, "show", "科大讯飞", db=db, env={"COLUMNS": "200"}).stdout
        head = next(line for line in out.splitlines() if "┃" in line and ("产品线" in line or "Product line" in line
                                                                         or "product" in line))
        cells = [c.strip() for c in head.strip("┃ ").split("┃")]
        assert all(w in cells for w in want) and wrong not in cells, head
        assert not any(re.fullmatch(r"[a-z_]+", c) for c in cells), head
    assert "Main products and revenue shares" in run("--lang", "en", "show", "科大讯飞", db=db).stdout


def test_reimport_keeps_every_line_and_replaces_them(tmp_path):
    if not PRODUCTS.is_file():
        pytest.skip("the public main-products file is not here")
    db = tmp_path / "r.duckdb"
    rows = _real_rows()
    f = _write(tmp_path / "m.csv", rows)
    reports = []
    for date in ("2021-10-26", "2021-10-27"):  # the same file twice: every line of every company stays
        reports.append(run_json("import", "enterprises", f, "--preset", "main_products", "--data-date", date, db=db))
        for code in CODES:
            mine = [r["product"] for r in rows if r["code"] == code]
            doc = run_json("show", mine and next(r["short_name"] for r in rows if r["code"] == code), db=db)
            assert [x["product"] for x in doc["product_lines"]] == mine
            assert doc["enterprise"]["products"] == "、".join(mine)
            # the second file said nothing new: the lines keep the period they were first reported for
            assert {x["period"] for x in doc["product_lines"]} == {"2021-10-26"}
    # the identical file again is unchanged, every line of it (it was reported as every company changed)
    assert reports[0]["changes"] == {"new": 2, "changed": 0, "unchanged": 0, "disappeared": 0, "new_enterprises": 2, "new_linked": 0, "new_enterprises_merged": 0}
    assert reports[1]["changes"] == {"new": 0, "changed": 0, "unchanged": 2, "disappeared": 0, "new_enterprises": 0, "new_linked": 0, "new_enterprises_merged": 0}
    assert (reports[1]["rows_imported"], reports[1]["rows_updated"], reports[1]["rows_duplicate"]) == (0, 0, len(rows))
    # a first import: the further lines of each company are merged into it, not duplicates (it read 49,947
    # "duplicates" on the whole file's first import); the identical file again merges nothing, every row a duplicate
    assert (reports[0]["rows_imported"], reports[0]["rows_duplicate"], reports[0]["rows_combined"]) == (2, 0, len(rows) - 2)
    assert reports[1]["rows_combined"] == 0
    table = " ".join(run("import", "enterprises", f, "--preset", "main_products", "--data-date", "2021-10-26",
                         db=tmp_path / "t.duckdb").stdout.split())
    assert f"重复（已存在） │ 0 │ │ 同一企业的其他行（已合并，如产品线） │ {len(rows) - 2}" in table, table
    # one line of a company changed (not its last): that company changed, the other is unchanged
    edited = [dict(r) for r in rows]
    first = next(i for i, r in enumerate(edited) if r["code"] == "002230")
    edited[first]["weight"] = "0.5"
    rep = run_json("import", "enterprises", _write(tmp_path / "m1.csv", edited), "--preset", "main_products",
                   "--data-date", "2021-10-28", db=db)
    assert rep["changes"] == {"new": 0, "changed": 1, "unchanged": 1, "disappeared": 0, "new_enterprises": 0, "new_linked": 0, "new_enterprises_merged": 0}
    assert run_json("show", "科大讯飞", db=db)["product_lines"][0]["share"] == 0.5
    # a later file with fewer lines replaces the lines of that source
    short = [r for r in rows if r["code"] == "000004"][:3]
    run_json("import", "enterprises", _write(tmp_path / "m2.csv", short), "--preset", "main_products",
             "--data-date", "2021-11-30", db=db)
    doc = run_json("show", "国农科技", db=db)
    assert [x["product"] for x in doc["product_lines"]] == [r["product"] for r in short]


def test_lines_of_an_undated_import_are_shown_undated_until_a_dated_reimport_dates_them(tmp_path):
    """Lines imported without a data date have no date of their own: stored undated, known as imported that day, and
    shown as of a date years before (saying so), never hidden as if from the future; the same file imported again
    with --data-date dates them by the file's date (its rows are unchanged, so nothing else is written), and says so;
    they are then hidden as of an earlier date, as dated lines are."""
    if not PRODUCTS.is_file():
        pytest.skip("the public main-products file is not here")
    db = tmp_path / "u.duckdb"
    rows = _real_rows()
    f = _write(tmp_path / "m.csv", rows)
    first = run_json("import", "enterprises", f, "--preset", "main_products", db=db)
    assert first["data_date_given"] is False and first["lines_redated"] == 0
    day = first["data_date"]
    doc = run_json("show", "科大讯飞", "--as-of", "2021-10-31", db=db)
    n = len([r for r in rows if r["code"] == "002230"])
    assert len(doc["product_lines"]) == n and doc["product_lines_later"] is None
    assert {(x["period"], x["imported_on"]) for x in doc["product_lines"]} == {(None, day)}
    assert doc["product_lines_undated"] == {"count": n, "imported_on": day}
    out = run("show", "科大讯飞", "--as-of", "2021-10-31", db=db, env={"COLUMNS": "200"}).stdout
    assert f"{n} 条产品线未注明日期（{day} 导入，未给 --data-date），任何截至日期均显示" in out and "未注明 " in out, out
    out = run("--lang", "en", "show", "科大讯飞", db=db, env={"COLUMNS": "200"}).stdout
    assert f"{n} product lines undated (imported {day} without --data-date): shown as of any date" in out, out
    rep = run_json("import", "enterprises", f, "--preset", "main_products", "--data-date", "2021-10-31", db=db)
    assert rep["rows_duplicate"] == len(rows) and rep["lines_redated"] == len(rows)
    doc = run_json("show", "科大讯飞", db=db)
    assert doc["as_of"] == "2021-10-31" and len(doc["product_lines"]) == n and doc["product_lines_later"] is None
    assert {x["period"] for x in doc["product_lines"]} == {"2021-10-31"} and doc["product_lines_undated"] is None
    early = run_json("show", "科大讯飞", "--as-of", "2021-06-30", db=db)
    assert early["product_lines"] == [] and early["product_lines_later"] == {"count": n, "first": "2021-10-31"}
    # a later dated export of the same lines keeps the date they were first known by; the summary names no re-dating
    out = run("import", "enterprises", f, "--preset", "main_products", "--data-date", "2021-11-30", db=db,
              env={"COLUMNS": "200"}).stdout
    assert "产品线改记为本数据日期" not in out
    assert {x["period"] for x in run_json("show", "科大讯飞", db=db)["product_lines"]} == {"2021-10-31"}


def test_lines_without_a_share_keep_their_place(tmp_path):
    # synthetic rows (made-up company): an empty share is stored as none and the line keeps its order
    db = tmp_path / "s.duckdb"
    f = tmp_path / "s.csv"
    f.write_text("code,short_name,product,weight\n900001,示例合成股份,主线产品,0.8\n900001,示例合成股份,未披露占比产品,\n"
                 "900001,示例合成股份,副线产品,0.05\n", encoding="utf-8")
    run_json("import", "enterprises", f, "--preset", "main_products", "--data-date", "2021-10-26", db=db)
    lines = run_json("show", "示例合成股份", db=db)["product_lines"]
    assert [(x["product"], x["share"]) for x in lines] == [("主线产品", 0.8), ("未披露占比产品", None), ("副线产品", 0.05)]


def test_profile_page_shows_the_lines_and_shares(db):
    require_browser()
    from playwright.sync_api import sync_playwright

    eid = run_json("show", "科大讯飞", db=db)["enterprise"]["id"]
    with serving(db) as base, sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pg = b.new_page()
        pg.goto(f"{base}/enterprises/{eid}")
        table = pg.locator("#product-lines")
        assert table.count() == 1
        first = table.locator("tbody tr").first
        assert "教育领域" in first.inner_text() and "27.7%" in first.inner_text() and "2021-10-26" in first.inner_text()
        assert table.locator("tbody tr").count() == 21
        assert "主营产品与营收占比" in pg.inner_text("#placements")
        # as of a date before their period the page leaves the lines out as ``show`` does, and says so in the
        # same words (it listed the combined products text instead)
        pg.goto(f"{base}/enterprises/{eid}?as_of=2021-06-30")
        assert pg.locator("#product-lines").count() == 0 and pg.locator("#products-text").count() == 0
        line = "21 条产品线晚于截至日期 2021-06-30（日期 2021-10-26），未显示"
        assert pg.inner_text("#product-lines-later").startswith(line)
        assert line in run("show", "科大讯飞", "--as-of", "2021-06-30", db=db, env={"COLUMNS": "200"}).stdout
        pg.goto(f"{base}/enterprises/{eid}?lang=en")
        assert "Main products and revenue shares" in pg.inner_text("#placements")
        assert "Revenue share" in pg.inner_text("#product-lines")
        b.close()


def test_every_row_of_the_real_file_is_a_line(tmp_path):
    """The real file imported as it comes, without --data-date, into a database whose as-of date is years before
    (IT桔子's 2018 list: its last founding, 2018-11-01): no row rejected (small shares are written in scientific
    notation, 3.9e-05), every line stored undated, and 科大讯飞's lines shown as of that date."""
    if not PRODUCTS.is_file():
        pytest.skip("the public main-products file is not here")
    db = tmp_path / "all.duckdb"
    rep = run_json("import", "enterprises", PRODUCTS, "--preset", "main_products", db=db)
    assert rep["rows_read"] == 53_779 and rep["rows_rejected"] == 0 and rep["data_date_given"] is False
    import duckdb

    with duckdb.connect(str(db)) as con:
        n, companies, shares, tiny, dated = con.execute(
            "SELECT count(*), count(DISTINCT enterprise_id), count(share), count(*) FILTER (WHERE share < 0.0001), "
            "count(period) FROM product_lines").fetchone()
        assert (n, shares, dated) == (53_779, 53_779, 0) and companies == rep["rows_imported"] and tiny > 0
        # a database built before lines were kept undated: its lines dated by the import day, made undated on opening
        con.execute("UPDATE product_lines SET period = ?::DATE", [rep["data_date"]])
        con.execute("DELETE FROM meta WHERE key = 'undated_lines'")
    # the IT桔子 list as it comes too: its founding dates move the as-of date to 2018-11-01, not the import day
    run_json("import", "enterprises", ITJUZI, "--preset", "itjuzi_companies", db=db)
    doc = run_json("show", "科大讯飞", db=db)
    assert doc["as_of"] == "2018-11-01" and len(doc["product_lines"]) == 21 and doc["product_lines_later"] is None
    assert doc["product_lines_undated"] == {"count": 21, "imported_on": rep["data_date"]}


def test_the_lines_not_shown_or_undated_are_counted_with_thousands_grouped():
    """The profile's line on product lines after its as-of date or undated (the page's #product-lines-later and
    #product-lines-undated, `show`) printed its count raw (1234 条产品线…) where every other count of the pages is
    grouped: the same words, the count grouped, in both languages."""
    from zhaoshang.interfaces.labels import later_lines_text, undated_lines_text

    later = {"count": 1234, "first": "2021-10-26"}
    assert later_lines_text(later, "2021-06-30") == "1,234 条产品线晚于截至日期 2021-06-30（日期 2021-10-26），未显示"
    assert later_lines_text(later, "2021-06-30", "en").startswith("1,234 product lines not shown: dated 2021-10-26")
    undated = {"count": 53_779, "imported_on": "2026-12-01"}
    assert undated_lines_text(undated).startswith("53,779 条产品线未注明日期（2026-12-01 导入")
    assert undated_lines_text(undated, "en").startswith("53,779 product lines undated (imported 2026-12-01")
