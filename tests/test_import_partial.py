"""A later export that lists only part of a source is not read as a full one: an import that would mark more than
half of the source's keys absent is refused, naming --partial and --complete; --partial marks nothing absent and is
kept on the import's record; --complete marks the rest absent. Real rows of the SZSE A-share list (shared data)."""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from cli_util import q, run, run_json  # noqa: E402
from conftest import shared_file  # noqa: E402
from web_util import ARGS, CHROMIUM, require_browser, serving, upload_in_browser  # noqa: E402

SZSE = "listed_companies/szse_a_share_list_2026-01.csv"
FULL_DATE, LATER = "2026-01-31", "2026-02-02"


def _rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def _write(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> Path:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([header, *rows])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    """A database holding the whole SZSE list (as of its January export), and the list's rows."""
    src = shared_file(SZSE)
    tmp = tmp_path_factory.mktemp("partial")
    db = tmp / "full.duckdb"
    run("import", "enterprises", src, "--preset", "szse_a_share", "--data-date", FULL_DATE, db=db)
    header, rows = _rows(src)
    return {"db": db, "header": header, "rows": rows, "dir": tmp}


@pytest.fixture
def db(full, tmp_path):
    path = tmp_path / "z.duckdb"
    shutil.copy(full["db"], path)
    return path


@pytest.fixture(scope="module")
def month(full):
    """The whole list, then a month's export without its first 30 companies (about 1 %: a month's delistings),
    imported without a flag: ``(the database as imported, the import's report)``. Tests change copies of it."""
    f = _write(full["dir"] / "month.csv", full["header"], full["rows"][30:])
    db = full["dir"] / "month.duckdb"
    shutil.copy(full["db"], db)
    return db, run_json("import", "enterprises", f, "--preset", "szse_a_share", "--data-date", LATER, db=db)


@pytest.fixture
def head49(full, tmp_path):
    """The first 50 lines of the list (header and 49 companies), saved as GBK as a spreadsheet would."""
    return _write(tmp_path / "深交所A股_前50行.csv", full["header"], full["rows"][:49], encoding="gbk")


def _col(full, name):
    return full["header"].index(name)


def _state(db):
    return (q(db, "SELECT count(*), max(id) FROM imports")[0], q(db, "SELECT count(*) FROM enterprise_absences")[0][0],
            q(db, "SELECT count(*) FROM enterprise_records")[0][0])


def test_a_head_of_the_list_is_refused_and_changes_nothing(full, db, head49):
    n = len(full["rows"])
    before, sha = _state(db), hashlib.sha256(db.read_bytes()).hexdigest()
    proc = run("import", "enterprises", head49, "--preset", "szse_a_share", "--data-date", LATER, db=db, check=False)
    assert proc.returncode != 0
    err = proc.stderr.strip()
    assert len(err.splitlines()) == 1, err
    assert f"此前 {n:,} 个企业键中的 {n - 49:,} 个" in err and "未导入" in err, err
    assert "--partial" in err and "--complete" in err and "本次未出现" in err, err
    en = run("--lang", "en", "import", "enterprises", head49, "--preset", "szse_a_share", "--data-date", LATER,
             db=db, check=False)
    assert en.returncode != 0
    assert f"leaves out {n - 49:,} of the {n:,} enterprise keys the source szse_a_share held" in en.stderr, en.stderr
    assert "nothing imported" in en.stderr and "--partial" in en.stderr and "--complete" in en.stderr
    # exactly as before: no import, no absence, no record, the file untouched
    assert _state(db) == before
    assert hashlib.sha256(db.read_bytes()).hexdigest() == sha


def test_another_list_under_the_source_is_refused_without_offering_complete(full, db, tmp_path):
    """The same companies under other keys (000001.SZ for 000001) imported as the source: none of the file's keys is
    the source's — it is another list, and the advice names another --source, never --complete (which would mark
    every company of the source absent, the file's own too)."""
    code = _col(full, "A股代码")
    rows = [list(r) for r in full["rows"][:200]]
    for r in rows:
        r[code] += ".SZ"
    f = _write(tmp_path / "other_keys.csv", full["header"], rows)
    before = _state(db)
    zh = run("import", "enterprises", f, "--preset", "szse_a_share", "--data-date", LATER, db=db, check=False)
    assert zh.returncode != 0
    assert "200 个企业键中没有一个是来源 szse_a_share 此前的键" in zh.stderr and "另一份名单" in zh.stderr, zh.stderr
    assert "--source" in zh.stderr and "--complete" not in zh.stderr, zh.stderr
    en = run("--lang", "en", "import", "enterprises", f, "--preset", "szse_a_share", "--data-date", LATER, db=db,
             check=False)
    assert en.returncode != 0
    assert "of the 200 enterprise keys in this export none is among the" in en.stderr, en.stderr
    assert "looks like another list" in en.stderr and "--source" in en.stderr and "--complete" not in en.stderr
    assert _state(db) == before


def test_partial_marks_nothing_absent_updates_its_rows_and_is_recorded(full, db, tmp_path):
    rows = [list(r) for r in full["rows"][:49]]
    addr, name = _col(full, "注册地址"), _col(full, "公司全称")
    rows[3][addr] = rows[3][addr] + "（新址）"  # one company moved: the partial file still updates it
    f = _write(tmp_path / "part.csv", full["header"], rows, encoding="gbk")
    rep = run_json("import", "enterprises", f, "--preset", "szse_a_share", "--data-date", LATER, "--partial", db=db)
    n = len(full["rows"])
    assert rep["scope"] == "partial"
    assert {k: rep["changes"][k] for k in ("changed", "unchanged", "disappeared", "not_listed")} == \
        {"changed": 1, "unchanged": 48, "disappeared": 0, "not_listed": n - 49}
    assert q(db, "SELECT count(*) FROM enterprise_absences") == [(0,)]
    assert q(db, "SELECT address FROM enterprises WHERE name = ?", [rows[3][name]]) == [(rows[3][addr],)]
    # the history record says it was partial; status shows it
    assert q(db, "SELECT json_extract_string(options, '$.scope') FROM imports WHERE id = ?", [rep["import_id"]]) == [("partial",)]
    src = [s for s in run_json("status", db=db)["sources"] if s["source"] == "szse_a_share"]
    assert src and src[0]["imports"] == 2 and src[0]["partial_imports"] == 1
    # a company the file did not list: its profile says nothing of a latest export leaving it out
    gone = full["rows"][100][name]
    assert run_json("show", gone, db=db)["absent_from_latest"] == []


def test_complete_marks_the_rest_absent(full, db, head49):
    n = len(full["rows"])
    rep = run_json("import", "enterprises", head49, "--preset", "szse_a_share", "--data-date", LATER, "--complete", db=db)
    assert rep["scope"] == "complete" and rep["changes"]["disappeared"] == n - 49 and "not_listed" not in rep["changes"]
    assert q(db, "SELECT count(*) FROM enterprise_absences WHERE import_id = ?", [rep["import_id"]]) == [(n - 49,)]
    gone = full["rows"][100][_col(full, "公司全称")]
    assert [a["export_date"] for a in run_json("show", gone, db=db)["absent_from_latest"]] == [LATER]
    both = run("import", "enterprises", head49, "--preset", "szse_a_share", "--partial", "--complete", db=db, check=False)
    assert both.returncode != 0 and "--partial 与 --complete 只能选一个" in both.stderr


def test_normal_churn_is_not_refused_and_a_later_partial_keeps_the_full_exports_absences(full, month, tmp_path):
    """A month's delistings (here 30 of 2,882 companies, about 1 %) import without a flag and are marked absent; a
    partial file imported after it leaves those notes as the last full export set them."""
    db, rep = shutil.copy(month[0], tmp_path / "z.duckdb"), month[1]
    assert rep["scope"] is None and rep["changes"]["disappeared"] == 30
    delisted = full["rows"][0][_col(full, "公司全称")]
    assert [a["export_date"] for a in run_json("show", delisted, db=db)["absent_from_latest"]] == [LATER]
    part = _write(tmp_path / "part.csv", full["header"], full["rows"][40:60])
    text = run("import", "enterprises", part, "--preset", "szse_a_share", "--data-date", "2026-02-15", "--partial",
               db=db).stdout
    assert f"不标记（部分导出；未列出 {len(full['rows']) - 20:,}）" in text, text
    assert "其中部分导出" in run("status", db=db).stdout
    assert [a["export_date"] for a in run_json("show", delisted, db=db)["absent_from_latest"]] == [LATER]


def test_a_later_partial_listing_a_company_again_ends_its_note(full, month, tmp_path):
    """A company a full export left out kept its "no longer listed" note after a later partial file listed it
    again unchanged: an unchanged row writes no record, so nothing said it was back. The relisting is now recorded
    (``enterprise_relisted``); a company listed again with a change ends its note by its new record, as before;
    one the partial file leaves out keeps its note."""
    name = _col(full, "公司全称")
    db = shutil.copy(month[0], tmp_path / "z.duckdb")  # the full list, then the month's export without its first 30
    same, kept = full["rows"][0], full["rows"][2]
    changed = list(full["rows"][1])
    changed[_col(full, "注册地址")] += "（新址）"
    for row in (same, changed, kept):
        assert [a["export_date"] for a in run_json("show", row[name], db=db)["absent_from_latest"]] == [LATER]
    part = _write(tmp_path / "back.csv", full["header"], [same, changed, *full["rows"][40:60]])
    rep = run_json("import", "enterprises", part, "--preset", "szse_a_share", "--data-date", "2026-02-15", "--partial",
                   db=db)
    assert rep["scope"] == "partial"
    assert q(db, "SELECT count(*) FROM enterprise_relisted")[0][0] == 1  # the unchanged one; the changed one has a record
    assert run_json("show", same[name], db=db)["absent_from_latest"] == []
    assert run_json("show", changed[name], db=db)["absent_from_latest"] == []
    assert [a["export_date"] for a in run_json("show", kept[name], db=db)["absent_from_latest"]] == [LATER]


@pytest.mark.browser
def test_the_upload_page_refuses_a_partial_file_and_offers_the_scope(full, db, head49):
    """The 数据更新 page (real chromium): the same guard, in the page's words; choosing 部分导出 imports it."""
    require_browser()
    from playwright.sync_api import sync_playwright

    n = len(full["rows"])
    with serving(db) as base, sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = b.new_page()
        job = upload_in_browser(page, base, str(head49), preset="szse_a_share", fill={"data_date": LATER})
        assert job["state"] == "failed", job
        assert f"{n - 49:,}" in job["error"] and "「导出范围」" in job["error"] and "「部分导出」" in job["error"], job
        assert "--partial" not in job["error"] and "export scope 'partial'" in job["error_en"], job
        page.goto(base + "/updates")
        assert "「部分导出」" in page.inner_text("#jobs tbody tr:first-child")
        page.goto(base + "/updates?lang=en")
        assert "choose the export scope 'partial'" in page.inner_text("#jobs tbody tr:first-child")
        assert page.locator("#upload-scope option[value=partial]").inner_text().startswith("partial")
        job = upload_in_browser(page, base, str(head49), preset="szse_a_share", fill={"data_date": LATER},
                                select={"scope": "partial"})
        assert job["state"] == "done" and job["result"]["import"]["scope"] == "partial", job
        page.goto(base + "/updates")
        note = page.locator("#jobs tbody tr:first-child .job-partial")
        assert note.get_attribute("data-not-listed") == str(n - 49) and "partial export: nothing marked absent" in note.inner_text()  # the page keeps the language chosen
        b.close()
    assert q(db, "SELECT count(*) FROM enterprise_absences") == [(0,)]


def test_rows_rejected_for_a_bad_value_keep_their_companies_listed(full, db, tmp_path):
    """A later full export whose rows for five companies lost their full name (a spreadsheet's cleared cells): the
    rows are rejected, and the companies they list are not "gone" from the source — they keep their earlier record, counted
    apart from the disappeared, and no profile says the latest export left them out."""
    rows = [list(r) for r in full["rows"]]
    name = _col(full, "公司全称")
    bad = rows[100:105]
    names = [r[name] for r in bad]
    for r in bad:
        r[name] = ""
    f = _write(tmp_path / "later.csv", full["header"], rows)
    rep = run_json("import", "enterprises", f, "--preset", "szse_a_share", "--data-date", LATER, db=db)
    assert rep["rows_rejected"] == 5
    assert rep["changes"]["disappeared"] == 0 and rep["changes"]["rejected_kept"] == 5, rep["changes"]
    assert q(db, "SELECT count(*) FROM enterprise_absences") == [(0,)]
    for n in names:
        assert run_json("show", n, db=db)["absent_from_latest"] == [], n
    # a small list (five companies, under the guard's minimum) whose next export is rejected row by row: nothing of
    # it is marked absent, and the summary says why the companies stay
    originals = full["rows"][100:105]
    run("import", "enterprises", _write(tmp_path / "small.csv", full["header"], originals), "--preset", "szse_a_share",
        "--source", "bureau_list", "--data-date", FULL_DATE, db=db)
    text = run("import", "enterprises", _write(tmp_path / "small_later.csv", full["header"], bad), "--preset",
               "szse_a_share", "--source", "bureau_list", "--data-date", LATER, db=db, check=False).stdout
    assert q(db, "SELECT count(*) FROM enterprise_absences") == [(0,)]
    assert "企业：行被拒，保留原记录" in text and "企业：本次未出现" in text, text
