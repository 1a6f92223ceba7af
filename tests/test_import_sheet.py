"""XLSX workbooks of several sheets: ``import --sheet NAME|N`` and the same choice on the 数据更新 page (a real
browser); a sheet that does not exist is one bilingual line naming the workbook's sheets, and nothing is
imported; without a choice the first sheet is read and the summary says so."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from cli_util import q, run, run_json  # noqa: E402
from conftest import shared_file  # noqa: E402
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
        assert rep["rows_imported"] == 2 and rep["sheets"] == [{"file": "导出.xlsx", "sheet": "企业名录", "number": 2, "of": 2,
                                                                "unread": ["说明"]}]
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


def test_a_list_split_across_sheets(tmp_path):
    """The SZSE list as a workbook of two sheets, 主板 and 创业板 (a few real rows of each): the default import reads
    主板 and says on stderr that 创业板 was not read and how to read it; 创业板 imported next under the same source is
    refused with the advice --partial (the same list's other part, the same workbook's other sheet), not another
    --source that would split one list into two; with --partial it joins the source. A repeated --sheet is refused
    (it read only the last)."""
    import csv

    import openpyxl

    with open(shared_file("listed_companies/szse_a_share_list_2026-01.csv"), encoding="utf-8", newline="") as f:
        head, *rows = list(csv.reader(f))
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for board in ("主板", "创业板"):
        ws = wb.create_sheet(board)
        ws.append(head)
        for r in [r for r in rows if r[0] == board][:12]:
            ws.append(r)
    wb.create_sheet("空表")
    book = tmp_path / "A股列表.xlsx"
    wb.save(book)
    db = tmp_path / "s.duckdb"
    args = ("import", book, "--preset", "szse_a_share", "--data-date", "2026-01")
    first = run(*args, db=db, env={"COLUMNS": "250"})
    assert "主板（第 1 个，共 3 个；默认第一个，--sheet 选择其他）" in first.stdout
    assert ("注意：A股列表.xlsx 只读取了第一个工作表「主板」；另有工作表 创业板 有内容，未读取：用 --sheet 名称或序号导入"
            "（同一份名单的另一部分加 --partial）") in first.stderr, first.stderr  # the empty sheet is not named
    refused = run(*args, "--sheet", "创业板", db=db, check=False)
    assert refused.returncode == 2 and "这份导出的 12 个企业键中没有一个是来源 szse_a_share 此前的键（该来源有 12 个），未导入" \
        in refused.stderr, refused.stderr
    assert ("它读自工作簿 A股列表.xlsx 的工作表「创业板」（共 3 个工作表）；来源 szse_a_share 此前导入的是同一工作簿的工作表「主板」："
            "这是同一份名单的另一部分，请加 --partial") in refused.stderr, refused.stderr
    en = run("--lang", "en", *args, "--sheet", "2", db=db, check=False)
    assert en.returncode == 2 and "the source szse_a_share imported sheet 主板 of the same workbook before: this is another " \
        "part of the same list, add --partial" in en.stderr, en.stderr
    twice = run(*args, "--sheet", "1", "--sheet", "2", db=db, check=False)
    assert twice.returncode == 2 and "--sheet 只能给一次（给了 2 次：1、2）" in twice.stderr, twice.stderr
    assert q(db, "SELECT count(*) FROM imports") == [(1,)]
    rep = run_json(*args, "--sheet", "创业板", "--partial", db=db)
    assert rep["changes"]["new"] == 12 and rep["changes"]["not_listed"] == 12 and rep["source"] == "szse_a_share"
    assert q(db, "SELECT count(*) FROM enterprises") == [(24,)]
    # the first sheet again, read as a full export: half the source's keys (too few to be refused as most) were
    # recorded absent in silence — the other sheet of the same bytes lists them
    again = run(*args, "--sheet", "主板", db=db, check=False)
    assert again.returncode == 2 and ("这份导出读自工作簿 A股列表.xlsx 的工作表「主板」（共 3 个工作表）；来源 szse_a_share 此前导入"
                                      "的是同一工作簿的工作表「创业板」：按完整导出读取会把来源此前的 12 个企业键（不在工作表「主板」中）"
                                      "都标为「本次未出现」，未导入。若这是同一份名单的另一部分，请加 --partial") in again.stderr, again.stderr
    assert q(db, "SELECT count(*) FROM imports") == [(2,)]
    assert q(db, "SELECT count(*) FROM enterprise_absences") == [(0,)]


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
        assert job["result"]["import"]["sheets"] == [{"file": "导出.xlsx", "sheet": "企业名录", "number": 2, "of": 2,
                                                      "unread": ["说明"]}]
        page.goto(base + "/updates")
        assert "工作表 企业名录（第 2 个，共 2 个）" in page.locator(".job-sheet").first.inner_text()
        b.close()
