"""A founding date a source gives to the month (2015-03, 2015年3月) or the year (2015) is kept with its precision and
shown as such — on the command line, the profile, the enterprise list and its export, the region report — never as the
first day the source did not give; a later export with the full day refines it."""

from __future__ import annotations

import duckdb
import pytest
from cli_util import run, run_json
from test_import_errors import write_csv
from test_import_kinds import q
from web_util import download_rows, require_browser, serving

from zhaoshang.core.parse.dates import format_date

HEAD = ["企业名称", "统一社会信用代码", "成立日期", "所属省份", "所属城市", "注册地址", "经营范围"]
MONTH, YEAR = "杭州测月智能科技有限公司", "杭州测年智能科技有限公司"
SCOPE = "人工智能软件开发；机器学习算法研发；计算机视觉系统"


def _rows(month_date: str, year_date: str) -> list[list[str]]:
    from zhaoshang.core.parse.uscc import make_uscc

    return [[MONTH, make_uscc(8101, "330100"), month_date, "浙江", "杭州", "浙江省杭州市西湖区文三路1号", SCOPE],
            [YEAR, make_uscc(8102, "330100"), year_date, "浙江", "杭州", "浙江省杭州市滨江区江南大道2号", SCOPE]]


def _founded(db, name):
    return q(db, "SELECT CAST(founded AS VARCHAR), founded_precision FROM enterprises WHERE name = ?", [name])[0]


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """The month- and year-only founding dates imported by the real command (2015-03, 2015年)."""
    folder = tmp_path_factory.mktemp("founded")
    db = folder / "z.duckdb"
    run_json("import", "enterprises", write_csv(folder / "a.csv", _rows("2015-03", "2015年"), header=HEAD),
             "--source", "登记库", "--data-date", "2024-01-31", db=db)
    return db


def test_the_import_keeps_the_precision_and_show_says_it(imported):
    db = imported
    assert _founded(db, MONTH) == ("2015-03-01", "month")  # as-of logic reads the first day of the period
    assert _founded(db, YEAR) == ("2015-01-01", "year")
    zh = run("show", MONTH, db=db).stdout
    assert "2015年3月" in zh and "2015-03-01" not in zh
    assert "2015年" in run("show", YEAR, db=db).stdout
    en = run("--lang", "en", "show", MONTH, db=db).stdout
    assert "2015-03" in en and "2015-03-01" not in en
    # the JSON twin: the stored date and what it is known to
    doc = run_json("show", MONTH, db=db)
    assert doc["enterprise"]["founded"] == "2015-03-01" and doc["enterprise"]["founded_precision"] == "month"
    found = run("search", "测月", db=db).stdout
    assert "2015年3月" in found and "2015-03-01" not in found


def test_a_later_export_with_the_day_refines_it_and_a_coarser_one_changes_nothing(imported, tmp_path):
    db = tmp_path / "z.duckdb"
    db.write_bytes(imported.read_bytes())
    rep = run_json("import", "enterprises", write_csv(tmp_path / "b.csv", _rows("2015-03-17", "2015年"), header=HEAD),
                   "--source", "登记库", "--data-date", "2024-02-29", db=db)
    assert rep["changes"]["changed"] == 1 and rep["changes"]["unchanged"] == 1 and rep["rows_updated"] == 1
    assert _founded(db, MONTH) == ("2015-03-17", "day")
    assert q(db, "SELECT f.import_id FROM enterprise_field_imports f JOIN enterprises e ON e.id = f.enterprise_id "
                 "WHERE e.name = ? AND f.field = 'founded'", [MONTH]) == [(rep["import_id"],)]
    assert "2015-03-17" in run("show", MONTH, db=db).stdout
    # another source telling the same dates less precisely (2015-03, 2015年3月 for a year-only one: finer, it refines)
    rep = run_json("import", "enterprises", write_csv(tmp_path / "c.csv", _rows("2015-03", "2015年3月"), header=HEAD),
                   "--source", "年报", "--data-date", "2024-03-31", db=db)
    assert rep["conflicts"] == [] and rep["rows_conflict"] == 0
    assert _founded(db, MONTH) == ("2015-03-17", "day")  # 2015-03 is the same date, known less: no change
    assert _founded(db, YEAR) == ("2015-03-01", "month")
    # a date outside the known period is a conflict, as before
    rep = run_json("import", "enterprises", write_csv(tmp_path / "d.csv", _rows("2016-03", "2015"), header=HEAD),
                   "--source", "工商年报", "--data-date", "2024-04-30", db=db)
    assert [c["name"] for c in rep["conflicts"]] == [MONTH]
    assert _founded(db, YEAR) == ("2015-03-01", "month")


def test_a_database_made_before_the_precision_is_brought_up_to_date_when_read(imported, tmp_path):
    db = tmp_path / "old.duckdb"
    db.write_bytes(imported.read_bytes())
    con = duckdb.connect(str(db))
    con.execute("ALTER TABLE enterprises DROP COLUMN founded_precision")
    con.execute("DELETE FROM meta WHERE key = 'founded_precision'")
    con.close()
    out = run("show", MONTH, db=db).stdout  # a read-only open
    assert "2015-03-01" in out  # its dates were stored without a precision: read as days
    assert _founded(db, MONTH) == ("2015-03-01", None)


def test_the_region_report_says_the_month(imported, tmp_path):
    db = tmp_path / "r.duckdb"
    db.write_bytes(imported.read_bytes())
    run("classify", db=db)
    import openpyxl

    out = tmp_path / "杭州.xlsx"
    run("report", "region", "杭州市", "-o", out, db=db)
    # the workbook's 成立日期 column: date cells only (it sorts and filters as dates; a month as text beside days
    # did not), each formatted to what the source gave
    ws = openpyxl.load_workbook(out)["头部企业"]
    top = next(r for r in range(1, 4) if "成立日期" in [c.value for c in ws[r]])  # below a synthetic label, if any
    col = [c.value for c in ws[top]].index("成立日期") + 1
    cells = {ws.cell(row=r, column=2).value: ws.cell(row=r, column=col) for r in range(top + 1, ws.max_row + 1)}
    assert cells[MONTH].is_date and cells[MONTH].number_format == "yyyy-mm"
    assert cells[YEAR].is_date and cells[YEAR].number_format == "yyyy"
    assert all(c.is_date for c in cells.values() if c.value is not None)
    # the report's text: ISO, to the precision the source has, as the days beside it (2015年3月 wrapped and mixed)
    html = tmp_path / "杭州.html"
    run("report", "region", "杭州市", "-o", html, db=db)
    top = html.read_text(encoding="utf-8").split('id="sec-top"', 1)[1].split("</section>", 1)[0]
    assert ">2015-03<" in top and ">2015<" in top and "2015年" not in top


def test_the_formatter():
    import datetime as dt

    d = dt.date(2015, 3, 1)
    assert [format_date(d, p, lang) for p in ("day", "month", "year", None) for lang in ("zh", "en")] == [
        "2015-03-01", "2015-03-01", "2015年3月", "2015-03", "2015年", "2015", "2015-03-01", "2015-03-01"]
    assert format_date(None, "month") == "" and format_date("2015-03-01", "month", "en") == "2015-03"
    assert [format_date(d, p, "zh", iso=True) for p in ("day", "month", "year")] == ["2015-03-01", "2015-03", "2015"]


@pytest.mark.browser
def test_the_profile_the_list_and_its_export_in_a_browser(imported, chromium, tmp_path):
    require_browser()
    eid = q(imported, "SELECT id FROM enterprises WHERE name = ?", [MONTH])[0][0]
    with serving(imported) as base:
        page = chromium.new_page()
        page.goto(f"{base}/enterprises/{eid}?lang=zh")
        assert page.inner_text("#ent-founded") == "2015年3月"
        page.goto(f"{base}/enterprises/{eid}?lang=en")
        assert page.inner_text("#ent-founded") == "2015-03"
        page.goto(f"{base}/enterprises?lang=zh&q=测月")
        assert "2015年3月" in page.inner_text("table.grid tbody")
        page.screenshot(path=str(tmp_path / "list.png"))
        _, rows = download_rows(page, "#export-csv", tmp_path)
        assert [r["成立日期"] for r in rows if r["企业名称"] == MONTH] == ["2015年3月"]
        _, rows = download_rows(page, "#export-xlsx", tmp_path)
        assert [r["成立日期"] for r in rows if r["企业名称"] == MONTH] == ["2015年3月"]
