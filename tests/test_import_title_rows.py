"""Registry exports whose header is not on the first row: a title line (企业名单导出（共 2 条） 导出时间：…, one cell
filled) and a blank line above the real header. The importer finds the header among the first rows by the column
names the kind recognises, skips the lines above it (not rejects), and says which row it took; ``--header-row N``
names it instead. A file where no row looks like a header keeps the missing-column error."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from cli_util import run, run_json  # noqa: E402
from web_util import ARGS, CHROMIUM, require_browser, serving, upload_in_browser  # noqa: E402

TITLE = "企业名单导出（共 2 条） 导出时间：2025-11-30"
HEAD = ["企业名称", "统一社会信用代码", "成立日期", "所属省份", "所属城市"]
ROWS = [["甲星智能科技有限公司", "", "2015-03-01", "浙江省", "杭州市"],
        ["乙辰芯片有限公司", "", "2016-13-45", "浙江省", "杭州市"]]  # a founding date that does not exist: rejected


def _csv(path: Path, encoding: str, title_cells: int = 1) -> Path:
    """The title in its first cell, the rest of the line empty (as platforms write it) or no more cells at all."""
    lines = [",".join([TITLE] + [""] * (title_cells - 1)), "", ",".join(HEAD)] + [",".join(r) for r in ROWS]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def _xlsx(path: Path) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([TITLE])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEAD))
    ws.append([])
    ws.append(HEAD)
    for r in ROWS:
        ws.append(r)
    wb.save(path)
    return path


@pytest.mark.parametrize("fmt", ["utf-8", "gbk", "xlsx"])
def test_title_lines_above_the_header_are_skipped_and_said(tmp_path, fmt):
    f = _xlsx(tmp_path / "名单.xlsx") if fmt == "xlsx" else _csv(tmp_path / "名单.csv", fmt, 1 if fmt == "gbk" else 5)
    db = tmp_path / "z.duckdb"
    rep = run_json("import", "enterprises", f, "--data-date", "2025-11-30", db=db)
    assert (rep["rows_read"], rep["rows_imported"], rep["rows_rejected"]) == (2, 1, 1), rep
    assert rep["header_rows"] == [{"file": f.name, "row": 3, "given": False}]
    assert rep["columns"]["name"] == "企业名称" and rep["columns"]["city"] == "所属城市"
    assert TITLE not in rep["columns_unread"] and not any(c.startswith("列") for c in rep["columns_unread"])
    con = duckdb.connect(str(db), read_only=True)
    try:
        got = con.execute("SELECT name, city_code FROM enterprises ORDER BY name").fetchall()
    finally:
        con.close()
    assert got == [("甲星智能科技有限公司", "330100")]
    # the one reject is the bad date, named by the file's own numbering (line 5: below the title, the blank line and
    # the header); the title is no reject
    rejects = Path(rep["rejects_path"]).read_text(encoding="utf-8-sig")
    assert ",5,成立日期,2016-13-45," in rejects, rejects
    assert TITLE not in rejects


def test_the_summary_names_the_header_row_in_both_languages(tmp_path):
    f = _csv(tmp_path / "名单.csv", "utf-8")
    out = run("import", "enterprises", f, db=tmp_path / "a.duckdb", env={"COLUMNS": "250"}).stdout
    assert "名单.csv: 第 3 行（自动识别；其上 2 行为标题或空行，未导入；--header-row 可指定）" in out, out
    out = run("--lang", "en", "import", "enterprises", f, db=tmp_path / "b.duckdb", env={"COLUMNS": "250"}).stdout
    assert ("名单.csv: row 3 (found by its column names; the 2 rows above it, titles or blank, not imported; "
            "--header-row names another)") in out, out


def test_header_row_option(tmp_path):
    f = _csv(tmp_path / "名单.csv", "utf-8")
    rep = run_json("import", "enterprises", f, "--header-row", "3", db=tmp_path / "a.duckdb")
    assert rep["rows_imported"] == 1 and rep["header_rows"] == [{"file": "名单.csv", "row": 3, "given": True}]
    book = _xlsx(tmp_path / "名单.xlsx")
    rep = run_json("import", "enterprises", book, "--header-row", "3", db=tmp_path / "b.duckdb")
    assert rep["rows_imported"] == 1 and rep["header_rows"] == [{"file": "名单.xlsx", "row": 3, "given": True}]
    # a blank row named: one line in each language, nothing imported
    db = tmp_path / "c.duckdb"
    p = run("import", "enterprises", f, "--header-row", "2", db=db, check=False)
    assert p.returncode == 2 and p.stderr.strip() == f"错误: 指定的表头行（第 2 行）为空白或不存在: {f}", p.stderr
    p = run("--lang", "en", "import", "enterprises", book, "--header-row", "9", db=db, check=False)
    assert p.returncode == 2 and "the header row given (sheet Sheet, row 9) is blank or beyond the end of the sheet" \
        in p.stderr, p.stderr
    # the title line named as the header: the columns it lacks are said, as for any file without them
    p = run("import", "enterprises", f, "--header-row", "1", db=db, check=False)
    assert p.returncode == 2 and "缺少必需列" in p.stderr, p.stderr
    assert not db.exists() or run_json("status", db=db)["last_import"] is None


def test_a_file_with_no_row_like_a_header_keeps_the_missing_column_error(tmp_path):
    """Only one known column name in any row (地址 alone is no header): the first row stays the header, and the
    error names the missing column as before."""
    f = tmp_path / "x.csv"
    f.write_text(f"{TITLE},,\n地址,电话,备注\n杭州市西湖区,0571-1,无\n", encoding="utf-8")
    p = run("import", "enterprises", f, db=tmp_path / "a.duckdb", check=False)
    assert p.returncode == 2 and "缺少必需列" in p.stderr and "企业名称" in p.stderr, p.stderr


@pytest.mark.browser
def test_the_upload_page_reads_below_the_title_and_says_so(tmp_path):
    require_browser()
    from playwright.sync_api import sync_playwright

    f = _csv(tmp_path / "名单.csv", "gbk")
    db = tmp_path / "w.duckdb"
    with serving(db) as base, sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = b.new_page()
        job = upload_in_browser(page, base, str(f), kind="enterprises")
        assert job["state"] == "done", job
        assert job["result"]["import"]["rows_imported"] == 1
        assert job["result"]["import"]["header_rows"] == [{"file": "名单.csv", "row": 3, "given": False}]
        page.goto(base + "/updates")
        assert page.locator(".job-header-row").first.inner_text() == "表头行 第 3 行（其上 2 行为标题或空行，未导入）"
        page.goto(base + "/updates?lang=en")
        assert page.locator(".job-header-row").first.inner_text() == \
            "header row 3 (the 2 rows above it, titles or blank, not imported)"
        b.close()
