"""XLSX workbooks of several sheets: ``import --sheet NAME|N`` and the same choice on the 数据更新 page (a real
browser); a sheet that does not exist is one bilingual line naming the workbook's sheets, and nothing is
imported; without a choice the first sheet is read and the summary says so."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from cli_util import run, run_json  # noqa: E402
from web_util import ARGS, CHROMIUM, require_browser, serving, upload_in_browser  # noqa: E402

HEAD = ["企业名称", "成立日期", "所属省份", "所属城市"]


def _workbook(path: Path, data_first: bool = False) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    note = wb.active
    note.title = "说明"
    note.append(["本表为测试用导出说明"])
    data = wb.create_sheet("企业名录", 0 if data_first else 1)
    data.append(HEAD)
    data.append(["甲星智能科技有限公司", "2015-03-01", "浙江", "杭州"])
    data.append(["乙辰数据科技有限公司", "2016-05-01", "浙江", "杭州"])
    wb.save(path)
    return path


def test_cli_sheet_by_name_or_number(tmp_path):
    book = _workbook(tmp_path / "导出.xlsx")
    for i, choice in enumerate(("企业名录", "2")):
        db = tmp_path / f"s{i}.duckdb"
        rep = run_json("import", "enterprises", book, "--sheet", choice, db=db)
        assert rep["rows_imported"] == 2 and rep["sheets"] == [{"file": "导出.xlsx", "sheet": "企业名录", "number": 2, "of": 2}]
    out = run("import", "enterprises", book, "--sheet", "企业名录", db=tmp_path / "t.duckdb", env={"COLUMNS": "250"}).stdout
    assert "企业名录（第 2 个，共 2 个）" in out


def test_cli_missing_sheet_names_the_sheets(tmp_path):
    book = _workbook(tmp_path / "导出.xlsx")
    db = tmp_path / "m.duckdb"
    proc = run("import", "enterprises", book, "--sheet", "名录", db=db, check=False)
    assert proc.returncode == 2 and "工作表不存在: 名录（该文件的工作表: 1 说明、2 企业名录" in proc.stderr
    proc = run("--lang", "en", "import", "enterprises", book, "--sheet", "3", db=db, check=False)
    assert proc.returncode == 2 and "no such sheet: 3 (the file's sheets: 1 说明, 2 企业名录" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not db.exists() or run_json("status", db=db)["last_import"] is None


def test_cli_sheet_on_a_csv_is_refused(tmp_path):
    """--sheet names a workbook's sheet: on a CSV it is refused in one line, nothing imported."""
    f = tmp_path / "名录.csv"
    f.write_text("企业名称,所属省份\n甲科技有限公司,浙江省\n", encoding="utf-8")
    db = tmp_path / "c.duckdb"
    proc = run("import", "enterprises", f, "--sheet", "2", db=db, check=False)
    assert proc.returncode == 2 and proc.stderr.strip() == "错误: --sheet 只用于 XLSX 工作簿：名录.csv 不是", proc.stderr
    proc = run("--lang", "en", "import", "enterprises", _workbook(tmp_path / "b.xlsx"), f, "--sheet", "2", db=db, check=False)
    assert proc.returncode == 2 and "--sheet is for XLSX workbooks only: 名录.csv is not one" in proc.stderr
    assert not db.exists() or run_json("status", db=db)["last_import"] is None


def test_cli_default_is_the_first_sheet_and_says_so(tmp_path):
    book = _workbook(tmp_path / "导出.xlsx", data_first=True)
    db = tmp_path / "d.duckdb"
    out = run("import", "enterprises", book, db=db, env={"COLUMNS": "250"}).stdout
    assert "企业名录（第 1 个，共 2 个；默认第一个，--sheet 选择其他）" in out
    # the first sheet not holding the data: the error says which sheet was read and how to choose another
    other = _workbook(tmp_path / "说明在前.xlsx")
    proc = run("import", "enterprises", other, db=tmp_path / "e.duckdb", check=False)
    assert proc.returncode == 2 and "读取的是第一个工作表「说明」" in proc.stderr and "--sheet" in proc.stderr


@pytest.mark.browser
def test_upload_page_chooses_the_sheet(tmp_path):
    require_browser()
    from playwright.sync_api import sync_playwright

    book = _workbook(tmp_path / "导出.xlsx")
    db = tmp_path / "w.duckdb"
    run("import", "enterprises", _workbook(tmp_path / "先.xlsx", data_first=True), "--source", "先", db=db)

    def upload(page, base, sheet):
        return upload_in_browser(page, base, str(book), kind="enterprises", fill={"sheet": sheet})

    with serving(db) as base, sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = b.new_page()
        job = upload(page, base, "名录")
        assert job["state"] == "failed" and "工作表不存在: 名录（该文件的工作表: 1 说明、2 企业名录" in job["error"], job
        assert "no such sheet: 名录" in job["error_en"] and "导出.xlsx" in job["error"] and "zhaoshang-upload" not in job["error"]
        job = upload(page, base, "2")
        assert job["state"] == "done", job
        assert job["result"]["import"]["sheets"] == [{"file": "导出.xlsx", "sheet": "企业名录", "number": 2, "of": 2}]
        page.goto(base + "/updates")
        assert "工作表 企业名录（第 2 个，共 2 个）" in page.locator(".job-sheet").first.inner_text()
        b.close()
