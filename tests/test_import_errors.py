"""Broken inputs give clear errors and nothing half-written; strict mode; kill -9; history and as-of."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
from pathlib import Path

import duckdb
import pytest

from built_once import built, copy_to
from cli_util import BIN, run, run_json
from zhaoshang.core.asof import enterprises_as_of
from zhaoshang.core.parse.dates import china_today
from zhaoshang.core.parse.uscc import make_uscc

HEAD = ["企业名称", "统一社会信用代码", "成立日期", "注册资本", "所属省份", "所属城市", "注册地址", "经营范围"]


def write_csv(path, rows, header=HEAD, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def good_rows(n, start=0):
    return [[f"杭州测试{i}号智能科技有限公司", make_uscc(10_000 + i, "330100"), "2019-05-0" + str(1 + i % 9),
             f"{100 + i}万元人民币", "浙江", "杭州", f"浙江省杭州市余杭区文一西路{i}号", "人工智能软件开发"]
            for i in range(start, start + n)]


def write_big_csv(path, n: int, prefix: str = "企业"):
    """A registry file of ``n`` enterprises in Hangzhou, written by DuckDB (large imports, kill tests)."""
    con = duckdb.connect()
    con.execute(f"""
        COPY (SELECT '{prefix}' || i || '号科技有限公司' AS 企业名称, DATE '2015-01-01' + (i % 3000)::INTEGER AS 成立日期,
                     (i % 5000)::VARCHAR || '万元' AS 注册资本, '浙江' AS 所属省份, '杭州' AS 所属城市,
                     '浙江省杭州市西湖区文三路' || i || '号' AS 注册地址, repeat('软件开发；', 20) AS 经营范围
              FROM range({n}) t(i)) TO '{path}' (HEADER)
    """)
    con.close()
    return path


def counts(db):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("enterprises", "enterprise_records", "enterprise_aliases", "events", "imports")}
    finally:
        con.close()


@pytest.fixture
def db(tmp_path):
    """Five enterprises imported by the real command: imported once per run, a private copy per test."""
    def make(d: Path) -> None:
        run_json("import", "enterprises", write_csv(d.with_suffix(".csv"), good_rows(5)), db=d)

    return copy_to(built("import-errors-base", make)[0], tmp_path / "z.duckdb")


def test_missing_file_and_unknown_kind_are_one_line_errors(tmp_path, db):
    p = run("import", "enterprises", tmp_path / "nope.csv", db=db, check=False)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert "文件不存在" in p.stderr and len(p.stderr.strip().splitlines()) == 1
    p = run("import", "widgets", tmp_path / "nope.csv", db=db, check=False)
    assert p.returncode == 2 and "未知的数据类型" in p.stderr and "Traceback" not in p.stderr
    assert "是否要输入" not in p.stderr  # a name near no kind: the list alone
    # a near miss (the singular, a preset misspelt): the near one(s) first, as for a misspelt command; then the list
    p = run("import", "enterprise", tmp_path / "nope.csv", db=db, check=False)
    assert p.returncode == 2 and p.stderr.startswith("错误: 未知的数据类型: enterprise（是否要输入: enterprises？全部可选: "), p.stderr
    p = run("--lang", "en", "import", "enterprise", tmp_path / "nope.csv", db=db, check=False)
    assert p.returncode == 2 and p.stderr.startswith("error: unknown kind: enterprise (did you mean enterprises? all choices: ")
    f = write_csv(tmp_path / "f.csv", good_rows(1))
    p = run("import", "fundings", f, "--preset", "itjuzi_funding", db=db, check=False)
    assert p.returncode == 2 and p.stderr.startswith("错误: 未知的预设: itjuzi_funding（是否要输入: itjuzi_financing"), p.stderr
    # a file that is no database, named by --db: said in words, not the database engine's English in a Chinese line
    for lang, said in (("zh", "错误: 无法打开数据库 {}: 这个文件不是 DuckDB 数据库（"),
                       ("en", "error: cannot open the database {}: the file is not a DuckDB database (")):
        p = run("--lang", lang, "search", "x", db=f, check=False)
        assert p.returncode == 2 and p.stderr.startswith(said.format(f)) and "IO Error" not in p.stderr, p.stderr


def test_missing_required_column(tmp_path, db):
    f = write_csv(tmp_path / "x.csv", [["a", "b"]], header=["地址", "电话"])
    before = counts(db)
    p = run("import", "enterprises", f, db=db, check=False)
    assert p.returncode == 2 and "缺少必需列" in p.stderr and "企业名称" in p.stderr
    # in English too: the field and the headers the file can add for it
    en = run("--lang", "en", "import", "enterprises", f, db=db, check=False)
    assert en.returncode == 2 and "missing required column: name (add a column headed name, company_name, legal_name " \
        "or full_name, or one of its Chinese headers (docs/data-formats.md))" in en.stderr, en.stderr
    assert counts(db) == before


def test_unknown_mapping_column(tmp_path, db):
    f = write_csv(tmp_path / "x.csv", good_rows(2, 100))
    m = tmp_path / "m.yaml"
    m.write_text("kind: enterprises\ncolumns:\n  name: 公司名\n", encoding="utf-8")
    p = run("import", "enterprises", f, "--mapping", m, db=db, check=False)
    assert p.returncode == 2 and "映射指定的列不存在: 公司名" in p.stderr
    m.write_text("kind: enterprises\ncolumns:\n  nmae: 企业名称\n", encoding="utf-8")
    p = run("import", "enterprises", f, "--mapping", m, db=db, check=False)
    assert p.returncode == 2 and "目标字段不存在: nmae" in p.stderr


def test_a_preset_chosen_for_another_export_is_named_with_the_one_that_fits(tmp_path, db):
    """The SZSE list imported with --preset sw_industry was refused as 映射指定的列不存在: ts_code, naming neither the
    preset that reads ts_code nor the preset the file is: both are said, in Chinese and English; nothing is imported."""
    shared = Path(__file__).resolve().parents[2] / "shared" / "data" / "listed_companies"
    szse = next((d / "szse_a_share_list_2026-01.csv" for d in (shared, Path("/work/shared/data/listed_companies"))
                 if (d / "szse_a_share_list_2026-01.csv").is_file()), None)
    if szse is None:
        pytest.skip("the public SZSE list is not here")
    f = tmp_path / "深交所A股列表.csv"
    with open(szse, encoding="utf-8") as fh:
        f.write_text("".join(fh.readline() for _ in range(6)), encoding="utf-8")
    before = counts(db)
    p = run("import", "enterprises", f, "--preset", "sw_industry", db=db, check=False)
    # the required name's columns first, the others after them
    assert p.returncode == 2 and ("映射指定的列不存在: full_name、short_name（预设 sw_industry 读取这些列；另缺可选列: ts_code、"
                                  "sw_l3_name、") in p.stderr, p.stderr
    assert "该文件的列与预设 szse_a_share 相符：请加 --preset szse_a_share" in p.stderr, p.stderr
    p = run("--lang", "en", "import", "enterprises", f, "--preset", "a_share_merged", db=db, check=False)
    assert p.returncode == 2 and "columns the file does not have: full_name, short_name (the preset a_share_merged reads them; " \
        "also lacking optional columns: ts_code, english_name, uscc, province, city, district and 6 more; columns: 板块" in p.stderr, p.stderr
    assert "The file's columns fit the preset szse_a_share: add --preset szse_a_share" in p.stderr, p.stderr
    # a mapping file's own column: no preset to blame; the preset the file fits is still said
    m = tmp_path / "m.yaml"
    m.write_text("kind: enterprises\ncolumns:\n  name: 公司名\n", encoding="utf-8")
    p = run("import", "enterprises", f, "--mapping", m, db=db, check=False)
    assert p.returncode == 2 and "映射指定的列不存在: 公司名（文件中的列:" in p.stderr and "读取此列" not in p.stderr
    assert "请加 --preset szse_a_share" in p.stderr
    assert counts(db) == before


def test_bad_rows_are_reported_and_strict_imports_nothing(tmp_path, db):
    rows = good_rows(4, 200)
    rows[1][2] = "2024-02-30"           # impossible date
    rows[2][1] = "91330100MA2B0000X0"   # invalid credit code (bad check character)
    rows[3][0] = ""                     # no name
    f = write_csv(tmp_path / "bad.csv", rows)
    before = counts(db)
    p = run("--lang", "en", "import", "enterprises", f, "--strict", "--rejects", tmp_path, db=db, check=False)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert p.stderr.startswith("error: strict mode: bad.csv row 3 成立日期: unreadable date: no such day: 2024-02-30 (3 problems in all)")
    assert counts(db) == before
    rep = run_json("import", "enterprises", f, "--rejects", tmp_path, db=db)
    assert rep["rows_rejected"] == 2 and rep["fields_dropped"] == 1 and rep["rows_imported"] == 2
    with open(rep["rejects_path"], encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh))
        fh.seek(0)
        rej = list(csv.DictReader(fh))
    # the first six columns as always (Chinese reason and action), then a stable code and the English
    assert header == ["file", "row", "column", "value", "reason", "action", "code", "reason_en", "action_en"]
    by_row = {int(r["row"]): r for r in rej}
    assert by_row[3]["column"] == "成立日期" and "日期" in by_row[3]["reason"] and by_row[3]["value"] == "2024-02-30"
    assert (by_row[3]["code"], by_row[3]["reason_en"], by_row[3]["action"], by_row[3]["action_en"]) == (
        "date_nonexistent", "unreadable date: no such day: 2024-02-30", "已拒绝", "rejected")
    assert by_row[4]["column"] == "统一社会信用代码" and "校验位" in by_row[4]["reason"]
    assert by_row[4]["code"] == "uscc_check_character" and by_row[4]["action_en"] == "value dropped"
    assert by_row[4]["reason_en"].startswith("invalid credit code: wrong check character, should be ")
    assert by_row[4]["reason"].endswith("（该代码未被使用，其余字段已导入）")  # the row itself was imported
    assert by_row[5]["column"] == "企业名称" and "必填" in by_row[5]["reason"]
    assert (by_row[5]["code"], by_row[5]["reason_en"]) == ("required_missing", "required field is empty: name")
    # a rejected row whose credit code is invalid too: its code line does not say the other fields were imported
    both = good_rows(1, 300)
    both[0][1], both[0][2] = "91330100MA2B0000X0", "2020-02-30"
    rep = run_json("import", "enterprises", write_csv(tmp_path / "both.csv", both), "--rejects", tmp_path, db=db)
    assert rep["rows_rejected"] == 1 and rep["rows_imported"] == 0
    with open(rep["rejects_path"], encoding="utf-8-sig", newline="") as fh:
        lines = {r["column"]: r for r in csv.DictReader(fh)}
    assert lines["成立日期"]["action"] == "已拒绝"
    code = lines["统一社会信用代码"]
    assert "其余字段已导入" not in code["reason"] and "other fields were imported" not in code["reason_en"], code
    assert code["reason"].startswith("统一社会信用代码无效: 校验位错误")
    # the invalid code is never used as a key
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM enterprises WHERE uscc = '91330100MA2B0000X0'").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM enterprises WHERE name = ?", [rows[2][0]]).fetchone()[0] == 1
    con.close()


def test_a_date_after_today_rejects_its_row_and_moves_no_date(tmp_path, db):
    """A founding date of 2030 or a funding of next year is a typo or an announcement, not data: the row is rejected
    with its reason, no event is dated in the future and the database's reference date stays."""
    import datetime as dt

    from zhaoshang.core.asof import latest_data_date
    from zhaoshang.core.store import Store

    def as_of():
        with Store(db, read_only=True) as st:
            return latest_data_date(st)

    before, today = as_of(), china_today().isoformat()
    nxt = (china_today() + dt.timedelta(days=400)).isoformat()
    rows = good_rows(2, 700)
    rows[0][2] = "2030-01-01"
    rep = run_json("import", "enterprises", write_csv(tmp_path / "fut.csv", rows), "--data-date", "2020-03-01",
                   "--rejects", tmp_path, db=db)
    assert (rep["rows_imported"], rep["rows_rejected"]) == (1, 1)
    with open(rep["rejects_path"], encoding="utf-8-sig", newline="") as fh:
        rej = list(csv.DictReader(fh))
    assert [(r["row"], r["column"], r["code"], r["action"]) for r in rej] == [
        ("2", "成立日期", "date_in_future", "已拒绝")]
    assert rej[0]["reason"] == f"日期晚于今天（{today}）: 2030-01-01"
    assert rej[0]["reason_en"] == f"date after today ({today}): 2030-01-01"
    f = tmp_path / "fund.csv"
    f.write_text(f"融资企业,融资时间,融资轮次,融资金额\n{rows[1][0]},{nxt},A轮,1000万元\n"
                 f"{rows[1][0]},2019-05-01,天使轮,100万元\n", encoding="utf-8")
    rep = run_json("import", "fundings", f, "--rejects", tmp_path, db=db)
    assert (rep["rows_imported"], rep["rows_rejected"]) == (1, 1)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM events WHERE date > current_date").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM fundings WHERE date > current_date").fetchone()[0] == 0
    con.close()
    assert as_of() == max(before, dt.date(2020, 3, 1))


def test_truncated_xlsx_and_binary_garbage(tmp_path, db):
    import openpyxl

    x = tmp_path / "t.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEAD)
    for r in good_rows(300, 300):
        ws.append(r)
    wb.save(x)
    data = x.read_bytes()
    x.write_bytes(data[: len(data) // 2])
    before = counts(db)
    p = run("import", "enterprises", x, db=db, check=False)
    assert p.returncode == 2 and "损坏" in p.stderr and "Traceback" not in p.stderr
    g = tmp_path / "g.csv"
    g.write_bytes(os.urandom(4096))
    p = run("import", "enterprises", g, db=db, check=False)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert counts(db) == before


def test_huge_cell_and_formula_injection(tmp_path, db):
    rows = good_rows(3, 400)
    rows[0][7] = "人工智能" * 2_600_000        # a 10 MB cell
    rows[1][0] = "=HYPERLINK(\"http://x\",\"点我\")有限公司"
    rows[2][6] = "+86 浙江省杭州市"
    f = write_csv(tmp_path / "f.csv", rows)
    assert f.stat().st_size > 10_000_000
    rep = run_json("import", "enterprises", f, "--rejects", tmp_path, db=db)
    assert rep["rows_rejected"] == 1 and rep["rows_imported"] == 2
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM enterprises WHERE name LIKE '=HYPERLINK%'").fetchone()[0] == 1
    con.close()
    out = tmp_path / "e.xlsx"
    run("export", "enterprises", "-o", out, db=db)
    import openpyxl

    assert openpyxl.load_workbook(out, read_only=True).sheetnames == ["数据"]
    ws = openpyxl.load_workbook(out).active
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=HYPER")]
    assert cells and all(c.data_type == "s" for c in cells)
    outc = tmp_path / "e.csv"
    run("export", "enterprises", "-o", outc, db=db)
    text = outc.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and "'+86" in text


# the console script's command, stopped (SIGSTOP) by itself as soon as its import pipeline has returned from the
# step named first on its command line: the import is then exactly there when it is killed, on any machine
PAUSED_AFTER = """import os, signal, sys
from zhaoshang.core.importers import pipeline
step = sys.argv.pop(1)
real = getattr(pipeline, step)
def paused(*args, **kw):
    out = real(*args, **kw)
    os.kill(os.getpid(), signal.SIGSTOP)
    return out
setattr(pipeline, step, paused)
from zhaoshang.interfaces.cli import main
sys.argv[0] = "zhaoshang"
sys.exit(main())
"""


def test_kill_9_during_large_import_leaves_database_as_before(tmp_path, db):
    import shutil
    import sys

    # 4 MB of registry rows under a lowered import memory cap (DuckDB's buffer smaller than the import's working
    # set, so it streams and spills as on a large file); each import is killed where it stopped itself: its file
    # read into the stage, and inside the write transaction with every row and event written, the commit next
    n = 10_000
    big = write_big_csv(tmp_path / "big.csv", n).resolve()
    env = dict(os.environ, ZHAOSHANG_IMPORT_MEMORY="64MB")
    env.pop("ZHAOSHANG_DB", None)
    for i, step in enumerate(("stage_files", "derive_events")):
        target = tmp_path / f"attempt{i}.duckdb"
        shutil.copy(db, target)
        before = counts(target)
        proc = subprocess.Popen([sys.executable, "-c", PAUSED_AFTER, step, "--db", str(target), "import", "enterprises",
                                 str(big)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        _, status = os.waitpid(proc.pid, os.WUNTRACED)
        if not os.WIFSTOPPED(status):  # it ended without reaching the step: say how
            proc.returncode = os.waitstatus_to_exitcode(status)
            raise AssertionError(f"the import ended (exit {proc.returncode}) before {step}: {proc.stderr.read()}")
        assert os.WSTOPSIG(status) == signal.SIGSTOP
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stderr.close()
        assert proc.returncode == -signal.SIGKILL
        assert counts(target) == before, step  # all or nothing: exactly as before
        db = target
    # and the database killed twice still works: the same import, run to its end, imports every row
    rep = run_json("import", "enterprises", big, db=db, env={"ZHAOSHANG_IMPORT_MEMORY": "64MB"})
    assert rep["rows_imported"] == n
    after = counts(db)
    assert after["enterprises"] == before["enterprises"] + n and after["imports"] == before["imports"] + 1


def test_history_and_as_of(tmp_path):
    db = tmp_path / "h.duckdb"
    rows = good_rows(3, 500)
    run_json("import", "enterprises", write_csv(tmp_path / "s1.csv", rows), "--data-date", "2019-01-01", db=db)
    rows[0][0] = "杭州新名字智能科技有限公司"               # renamed
    rows[1][6] = "浙江省杭州市滨江区江南大道1号"            # moved district
    rows[2][3] = "5000万元人民币"                          # capital increase
    rep = run_json("import", "enterprises", write_csv(tmp_path / "s2.csv", rows), "--data-date", "2021-06-30", db=db)
    assert rep["rows_updated"] == 3 and rep["rows_imported"] == 0
    con = duckdb.connect(str(db), read_only=True)
    hist = dict(((f, o), n) for f, o, n in con.execute(
        "SELECT field, old_value, new_value FROM enterprise_history WHERE changed_on = DATE '2021-06-30'").fetchall())
    assert hist[("name", good_rows(1, 500)[0][0])] == "杭州新名字智能科技有限公司"
    assert ("district_code", "330110") in hist and hist[("district_code", "330110")] == "330108"
    types = {r[0] for r in con.execute("SELECT type FROM events").fetchall()}
    assert {"founded", "change_name", "change_region", "change_capital"} <= types
    # event titles say what changed in words, never a column name or a float
    titles = dict(con.execute("SELECT type, title FROM events WHERE type LIKE 'change_%'").fetchall())
    assert titles["change_capital"] == "注册资本: 602万元 → 5,000万元"
    assert titles["change_region"] == "所在地区: 余杭区 → 滨江区"
    assert titles["change_name"].startswith("名称: ") and "name" not in titles["change_name"]
    # the old name is still findable, and as-of queries see the past
    assert con.execute("SELECT count(*) FROM enterprise_aliases WHERE kind = 'former'").fetchone()[0] == 1
    then = dict(con.execute(f"SELECT uscc, name FROM {enterprises_as_of('2020-01-01')} e").fetchall())
    now = dict(con.execute(f"SELECT uscc, name FROM {enterprises_as_of(None)} e").fetchall())
    assert then[rows[0][1]] == good_rows(1, 500)[0][0] and now[rows[0][1]] == "杭州新名字智能科技有限公司"
    cap_then = con.execute(f"SELECT capital_wan FROM {enterprises_as_of('2020-01-01')} e WHERE uscc = ?",
                           [rows[2][1]]).fetchone()[0]
    assert cap_then == 602  # 100 + i for i = 502, before the increase
    assert con.execute(f"SELECT count(*) FROM {enterprises_as_of('2018-01-01')} e").fetchone()[0] == 0
    con.close()


def test_an_export_older_than_the_sources_latest_is_refused(tmp_path):
    """October's export imported after November's, as the same source, would read as November's changes undone:
    every enterprise set back to its older values and a rename recorded on 10-31 undoing the one of 11-30 (the
    profile, its timeline and the as-of views contradicting each other). It is refused, nothing written; the same
    date again, a later one and an export given no data date are imported."""
    db = tmp_path / "o.duckdb"
    rows = good_rows(3, 700)
    oct_csv = write_csv(tmp_path / "10月.csv", rows)
    run_json("import", "enterprises", oct_csv, "--source", "登记库", "--data-date", "2024-10-31", db=db)
    rows[0][0] = "杭州改名后智能科技有限公司"
    nov_csv = write_csv(tmp_path / "11月.csv", rows)
    assert run_json("import", "enterprises", nov_csv, "--source", "登记库", "--data-date", "2024-11-30",
                    db=db)["changes"]["changed"] == 1
    before = run_json("status", db=db)["tables"]
    for lang, words in (("zh", "来源 登记库 已导入数据日期为 2024-11-30 的导出，这份导出的数据日期 2024-10-31 更早"),
                        ("en", "the source 登记库 already holds an export dated 2024-11-30; this one is dated 2024-10-31")):
        p = run("--lang", lang, "import", "enterprises", oct_csv, "--source", "登记库", "--data-date", "2024-10-31",
                db=db, check=False)
        assert p.returncode == 2 and words in p.stderr and len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert run_json("status", db=db)["tables"] == before
    assert run_json("show", rows[0][1], db=db)["enterprise"]["name"] == "杭州改名后智能科技有限公司"
    # another source may be older; the same date again, or no date, is the next delta as before
    run_json("import", "enterprises", oct_csv, "--source", "旧登记库", "--data-date", "2024-10-31", db=db)
    assert run_json("import", "enterprises", nov_csv, "--source", "登记库", "--data-date", "2024-11-30",
                    db=db)["changes"]["unchanged"] == 3
    rep = run_json("import", "enterprises", oct_csv, "--source", "登记库", db=db)
    assert rep["changes"]["changed"] == 1


def test_import_errors_in_english(tmp_path):
    """--lang en: the import's own refusals are English lines (file names may be anything)."""
    (tmp_path / "junk.csv").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "other.csv").write_text("foo,bar\n1,2\n", encoding="utf-8")
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04garbage")
    (tmp_path / "bad.jsonl").write_text('{"企业名称": "甲"}\n{oops\n', encoding="utf-8")
    (tmp_path / "ragged.csv").write_text('企业名称,所属省份\n甲公司,浙江\n乙公司,浙江,多,余\n"丙\n', encoding="utf-8")
    cases = [("enterprises", "junk.csv"), ("enterprises", "empty.csv"), ("enterprises", "missing.csv"),
             ("fundings", "other.csv"), ("enterprises", "other.csv", "--preset", "itjuzi_financing"),
             ("enterprize", "other.csv"), ("enterprises", "broken.xlsx"), ("enterprises", "bad.jsonl"),
             ("enterprises", "ragged.csv")]
    for args in cases:
        p = run("--lang", "en", "import", *args, db=tmp_path / "e.duckdb", check=False, cwd=tmp_path)
        assert p.returncode == 2 and p.stderr.startswith("error: ") and len(p.stderr.strip().splitlines()) == 1, p.stderr
        assert not any("\u4e00" <= c <= "\u9fff" for c in p.stderr), p.stderr


def test_roles_without_an_enterprise_column_are_refused_and_the_preset_named(tmp_path, db):
    """The 同花顺 executives list imported without its preset: `code` and `jobs` are not headers the roles
    import knows, so every row would be a person tied to no enterprise. Refused, naming the preset that fits."""
    from conftest import shared_file

    src = shared_file("listed_companies/ths_listed_company_executives_2018.csv")
    with open(src, encoding="utf-8") as fh:
        head = [next(fh) for _ in range(51)]
    f = tmp_path / "executives.csv"
    f.write_text("".join(head), encoding="utf-8")
    con = duckdb.connect(str(db), read_only=True)
    roles_before = con.execute("SELECT count(*) FROM roles").fetchone()[0]
    con.close()
    before = counts(db)
    p = run("import", "roles", f, db=db, check=False)
    assert p.returncode == 2 and "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert "企业" in p.stderr and "--preset ths_executives" in p.stderr and "未导入" in p.stderr
    p = run("--lang", "en", "import", "roles", f, db=db, check=False)
    assert p.returncode == 2 and "--preset ths_executives" in p.stderr and "nothing imported" in p.stderr
    assert not any("\u4e00" <= c <= "\u9fff" for c in p.stderr.replace(f.name, "")), p.stderr
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM roles").fetchone()[0] == roles_before
    con.close()
    assert counts(db) == before
    # with the preset the same file imports, linked by stock code once the companies are known
    doc = run_json("import", "roles", f, "--preset", "ths_executives", "--data-date", "2018-06-30", db=db)
    assert doc["rows_imported"] > 0


def test_a_managers_list_keyed_by_stock_code_is_refused_without_its_preset(tmp_path, db):
    """Tushare's managers list read without its preset: ts_code is taken for the enterprise's key in the file's
    own source, where there is no enterprise — all 4,000 rows were imported unlinked. Refused, naming the preset."""
    from conftest import shared_file

    with open(shared_file("listed_companies/tushare_stk_managers_sample_2024-05.csv"), encoding="utf-8") as fh:
        head = [next(fh) for _ in range(31)]
    f = tmp_path / "managers.csv"
    f.write_text("".join(head), encoding="utf-8")
    before = counts(db)
    p = run("import", "roles", f, db=db, check=False)
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert "ts_code" in p.stderr and "--preset tushare_managers" in p.stderr and "未导入" in p.stderr
    assert counts(db) == before
    assert run_json("import", "roles", f, "--preset", "tushare_managers", db=db)["rows_imported"] == 30


@pytest.mark.parametrize("lang, needle", [("zh", "错误: 文件没有数据行（只有表头）: "), ("en", "error: the file has no data rows (a header only): ")])
def test_a_header_only_file_is_refused(tmp_path, lang, needle):
    """A header and no row (an export cut short) imported as a registry's next export reported every enterprise of
    the source as gone, with exit 0: it is refused in one line, exit 2, and nothing is recorded."""
    db = tmp_path / "h.duckdb"
    full, cut = tmp_path / "登记库.csv", tmp_path / "登记库-12月.csv"
    full.write_text("企业名称,统一社会信用代码\n甲科技有限公司,\n乙科技有限公司,\n", encoding="utf-8")
    cut.write_text("企业名称,统一社会信用代码\n", encoding="utf-8")
    run("import", "enterprises", full, "--source", "登记库", db=db)
    r = run("--lang", lang, "import", "enterprises", cut, "--source", "登记库", db=db, check=False)
    assert r.returncode == 2 and r.stderr.strip() == needle + str(cut) and "Traceback" not in r.stderr
    st = run_json("status", db=db)
    assert [s["imports"] for s in st["sources"] if s["source"] == "登记库"] == [1]


@pytest.mark.parametrize("rows", [3, 30000])
@pytest.mark.parametrize("encoding,label,cut", [("utf-8", "UTF-8", 2), ("gbk", "GBK", 1)])
def test_a_file_cut_inside_a_character_is_refused(tmp_path, db, rows, encoding, label, cut):
    """An export cut short in the middle of a character gave a traceback (small UTF-8 file, exit 1) or blamed the
    encoding (不是 UTF-8、GBK 或 GB18030: a long UTF-8 file, any GBK file): one rule for every encoding — one line
    naming the last line, cut inside a character, and the encoding; exit 2, nothing imported."""
    f = tmp_path / "cut.csv"
    data = "\n".join([",".join(HEAD)] + [",".join(r) for r in good_rows(rows, 100)]).encode(encoding)
    f.write_bytes(data[:-cut])  # the last character, 发 of 人工智能软件开发 (UTF-8 3 bytes, GBK 2), loses its last byte(s)
    last = rows + 1  # the header is line 1
    before = counts(db)
    for lang, needle in (("zh", f"错误: 文件的最后一行（第 {last} 行）在一个字符的中间结束（{label} 不完整），文件可能被截断，未导入: "),
                         ("en", f"error: the last line (line {last}) ends in the middle of a character (incomplete {label}); "
                                "the file may have been cut short, nothing imported: ")):
        p = run("--lang", lang, "import", "enterprises", f, db=db, check=False)
        assert p.returncode == 2 and p.stderr.strip() == needle + str(f), p.stderr
    assert counts(db) == before


def test_a_workbook_whose_data_is_not_on_its_first_sheet_names_its_sheets(tmp_path, db):
    """An export with a 说明 sheet before its data was refused for the columns of the note alone: the error now says
    which sheet was read and which others the workbook has."""
    import openpyxl

    x = tmp_path / "名录.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active.append(["本表为导出说明"])
    data = wb.create_sheet("企业名录")
    data.append(HEAD)
    for r in good_rows(3, 900):
        data.append(r)
    wb.save(x)
    before = counts(db)
    for lang, needle in (("zh", "（读取的是第一个工作表「说明」，另有工作表: 企业名录；用 --sheet 名称或序号选择要导入的工作表）"),
                         ("en", " (the first sheet, 说明, was read; other sheets: 企业名录; choose the sheet to import with --sheet NAME or number)")):
        p = run("--lang", lang, "import", "enterprises", x, db=db, check=False)
        assert p.returncode == 2 and p.stderr.strip().endswith(needle) and len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert counts(db) == before
    wb.move_sheet("企业名录", offset=-1)  # as the message says: the data sheet first
    wb.save(x)
    assert run_json("import", "enterprises", x, db=db)["rows_imported"] == 3


def test_a_preset_whose_columns_are_on_another_sheet_names_that_sheet(tmp_path, db):
    """The IT桔子 list as a workbook with a 说明 sheet first, imported with its preset: the error named a column of the
    preset the 说明 sheet lacks (company_seq; 文件中的列: 说明) and no other sheet. It now names the sheet that holds the
    preset's columns and the option that imports it."""
    import openpyxl

    from conftest import shared_file

    with open(shared_file("ai_companies/itjuzi_china_ai_companies_2018-12.csv"), encoding="utf-8-sig") as fh:
        rows = [r for _, r in zip(range(4), csv.reader(fh))]
    x = tmp_path / "itjuzi.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active.append(["导出说明"])
    data = wb.create_sheet("公司")
    for r in rows:
        data.append(r)
    wb.save(x)
    before = counts(db)
    for lang, needle in (("zh", "（读取的是工作表「说明」；工作表「公司」有这些列：加 --sheet 公司 导入它）"),
                         ("en", " (sheet 说明 was read; sheet 公司 has these columns: add --sheet 公司 to import it)")):
        p = run("--lang", lang, "import", "enterprises", x, "--preset", "itjuzi_companies", db=db, check=False)
        assert p.returncode == 2 and p.stderr.strip().endswith(needle) and len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert counts(db) == before
    assert run_json("import", "enterprises", x, "--preset", "itjuzi_companies", "--sheet", "公司", db=db)["rows_read"] == 3


@pytest.mark.parametrize("kind, needle", [
    ("patents", "。该文件的列与预设 uspto_pgpub 相符：请加 --preset uspto_pgpub"),
    ("enterprises", "该文件的列与预设 uspto_pgpub（patents 数据）相符，不像 enterprises 数据，未导入。"
                    "请用 zhaoshang import patents … --preset uspto_pgpub（确要按 enterprises 导入，请用 --mapping 指定列）")])
def test_an_export_read_without_its_preset_names_the_preset(tmp_path, db, kind, needle):
    """A USPTO export imported without --preset was refused naming only the missing column: the error now names the
    preset whose columns the file has (and its kind when it is another)."""
    f = write_csv(tmp_path / "uspto.csv", [["1", "US2024000001A1", "Image recognizer", "2024-10-03", "2023-01-05", "Acme", "A. Smith"]],
                  header=["ID", "Patent Number", "Title", "Date Published", "Filing Date", "Applicant Name", "Inventer"])
    before = counts(db)
    p = run("import", kind, f, db=db, check=False)
    assert p.returncode == 2 and p.stderr.strip().endswith(needle) and len(p.stderr.strip().splitlines()) == 1, p.stderr
    p = run("--lang", "en", "import", kind, f, db=db, check=False)
    assert p.returncode == 2 and "columns fit the preset uspto_pgpub" in p.stderr, p.stderr
    assert counts(db) == before
    assert run_json("import", "patents", f, "--preset", "uspto_pgpub", db=db)["rows_imported"] == 1


def test_another_kinds_export_is_refused(tmp_path, db):
    """IT桔子's financing events imported as enterprises were read by their names alone — 783 enterprises "updated",
    6 made from funding rows, date, round and amount dropped, exit 0: refused, naming the kind and the preset."""
    f = write_csv(tmp_path / "融资事件.csv", [["1", "示例智能", "杭州示例智能科技有限公司", "浙江-杭州", "2018-05-01", "A轮", "数千万人民币", "某资本"]],
                  header=["company_seq", "brand_name", "legal_name", "location_raw", "date", "round", "amount_raw", "investors_raw"])
    before = counts(db)
    p = run("import", "enterprises", f, db=db, check=False)
    assert p.returncode == 2 and p.stderr.strip() == (
        "错误: 融资事件.csv: 该文件的列与预设 itjuzi_financing（fundings 数据）相符，不像 enterprises 数据，未导入。"
        "请用 zhaoshang import fundings … --preset itjuzi_financing（确要按 enterprises 导入，请用 --mapping 指定列）"), p.stderr
    p = run("--lang", "en", "import", "enterprises", f, db=db, check=False)
    assert p.returncode == 2 and "the file's columns fit the preset itjuzi_financing (fundings data)" in p.stderr
    assert counts(db) == before
    mapping = tmp_path / "m.yaml"
    mapping.write_text("kind: enterprises\ncolumns:\n  name: legal_name\n", encoding="utf-8")
    assert run_json("import", "enterprises", f, "--mapping", mapping, db=db)["rows_imported"] == 1  # as asked


def test_the_fits_a_preset_sentence_is_composed_once(tmp_path, db):
    """"This file fits another kind's preset" was composed in two places (the refusal of another kind's export, the
    missing-column hint) and a third (no enterprise column): one sentence, importers/presets.fits_sentence, said
    word for word by all of them in both languages."""
    from pathlib import Path

    import zhaoshang.core.importers as importers
    from zhaoshang.core.importers.presets import fits_sentence

    pkg = Path(importers.__file__).parent
    assert [p.name for p in sorted(pkg.glob("*.py")) if "该文件的列与预设" in p.read_text(encoding="utf-8")] == ["presets.py"]
    itjuzi = write_csv(tmp_path / "融资事件.csv", [["1", "示例智能", "杭州示例智能科技有限公司", "浙江-杭州", "2018-05-01", "A轮", "数千万人民币", "某资本"]],
                       header=["company_seq", "brand_name", "legal_name", "location_raw", "date", "round", "amount_raw", "investors_raw"])
    uspto = write_csv(tmp_path / "uspto.csv", [["1", "US2024000001A1", "Image recognizer", "2024-10-03", "2023-01-05", "Acme", "A. Smith"]],
                      header=["ID", "Patent Number", "Title", "Date Published", "Filing Date", "Applicant Name", "Inventer"])
    for kind, f, sentence in (("enterprises", itjuzi, fits_sentence("itjuzi_financing", "fundings")),
                              ("patents", uspto, fits_sentence("uspto_pgpub"))):
        zh = run("import", kind, f, db=db, check=False).stderr
        en = run("--lang", "en", "import", kind, f, db=db, check=False).stderr
        assert sentence[0] in zh and (sentence[1] in en or sentence[1][0].upper() + sentence[1][1:] in en), (zh, en)


def test_a_presets_layout_without_the_preset_is_refused_naming_the_columns_it_would_lose(tmp_path, db):
    """A 需求清单 in the scenario_demands layout imported as `demands` without its preset: only 场景名称 and 发布时间
    are headers the kind knows, so description, provider, region, budget, deadline and status were dropped without a
    word (3 demands "imported", none of them in 合肥). Refused in one line naming the preset and the lost columns."""
    src = Path(__file__).resolve().parents[1] / "src/zhaoshang/data/matching/eval_demands.csv"
    with open(src, encoding="utf-8") as fh:
        head = [next(fh) for _ in range(6)]
    f = tmp_path / "需求清单.csv"
    f.write_text("".join(head), encoding="utf-8")
    before = counts(db)
    p = run("import", "demands", f, db=db, check=False)
    assert p.returncode == 2 and "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1, p.stderr
    # (场景编号, 场景描述, 应用领域 and 所在地区 are headers the kind knows too: read without the preset, not lost)
    assert "--preset scenario_demands" in p.stderr and "其中的列 场景提供方、投资规模（万元）、对接状态 将不被读取" in p.stderr
    assert "未导入" in p.stderr and "场景名称" not in p.stderr and "场景描述" not in p.stderr
    p = run("--lang", "en", "import", "demands", f, db=db, check=False)
    assert p.returncode == 2 and "--preset scenario_demands" in p.stderr and "nothing imported" in p.stderr
    assert counts(db) == before
    doc = run_json("import", "demands", f, "--preset", "scenario_demands", db=db)
    assert doc["rows_imported"] == 5 and {"description", "organisation", "region", "status"} <= set(doc["columns"])
    # 投资规模（万元） is in 万元: 800 there is 800 万元 (it was read as 800 元, 0.08 万元)
    g = tmp_path / "预算.csv"
    g.write_text(head[0] + "HF-02,医学影像辅助诊断,CT影像辅助诊断,医疗健康,市第一人民医院,安徽省合肥市,800,2018-10-15,,对接中\n",
                 encoding="utf-8")
    run_json("import", "demands", g, "--preset", "scenario_demands", db=db)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT budget_wan FROM demands WHERE source_key = 'HF-02'").fetchone()[0] == 800
    con.close()


def test_a_truncated_csv_says_why_and_that_nothing_was_imported_in_both_languages(tmp_path, db):
    """The English line of a CSV cut mid-row named the line but not what is wrong with it ("has fewer fields than the
    header"), and neither language said that nothing was imported."""
    f = write_csv(tmp_path / "good.csv", good_rows(30, 700))
    lines = f.read_bytes().splitlines(keepends=True)
    cut = tmp_path / "trunc.csv"
    cut.write_bytes(b"".join(lines[:30]) + b",".join(lines[30].split(b",")[:2]))  # cut inside line 31
    before = counts(db)
    zh = run("import", "enterprises", cut, db=db, check=False)
    assert zh.returncode == 2 and "第 31 行 字段数少于表头，未导入" in zh.stderr, zh.stderr
    en = run("--lang", "en", "import", "enterprises", cut, db=db, check=False)
    assert en.returncode == 2 and "line 31 has fewer fields than the header; nothing imported" in en.stderr, en.stderr
    assert counts(db) == before


def test_a_file_of_mixed_encoding_is_refused_naming_its_first_undecodable_line(tmp_path, db):
    """A UTF-8 export with one row in GBK was refused as "not UTF-8, GBK or GB18030" without the row; a GBK file with a
    UTF-8 byte-order mark in front got the same line."""
    rows = good_rows(200, 900)
    mixed = tmp_path / "mixed.csv"
    write_csv(tmp_path / "u.csv", rows)
    lines = (tmp_path / "u.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    lines_b = [ln.encode("utf-8") for ln in lines]
    lines_b[151] = lines[151].encode("gbk")  # data row 151, line 152
    mixed.write_bytes(b"".join(lines_b))
    before = counts(db)
    zh = run("import", "enterprises", mixed, db=db, check=False)
    assert zh.returncode == 2 and "文件是 UTF-8，但第 152 行不是有效的 UTF-8（共 1 行" in zh.stderr, zh.stderr
    assert "未导入" in zh.stderr and len(zh.stderr.strip().splitlines()) == 1
    en = run("--lang", "en", "import", "enterprises", mixed, db=db, check=False)
    assert "the file is UTF-8 but line 152 is not valid UTF-8 (1 line in all" in en.stderr, en.stderr
    bom = tmp_path / "bom_gbk.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + "".join(lines).encode("gbk"))
    zh = run("import", "enterprises", bom, db=db, check=False)
    assert zh.returncode == 2 and "文件以 UTF-8 的 BOM 开头，但内容不是 UTF-8（第 1 行起" in zh.stderr, zh.stderr
    en = run("--lang", "en", "import", "enterprises", bom, db=db, check=False)
    assert "starts with a UTF-8 byte-order mark but its content is not UTF-8 (from line 1" in en.stderr, en.stderr
    assert counts(db) == before


def test_a_big5_file_is_refused_as_big5_not_read_as_gbk(tmp_path, db):
    """A Big5 export (traditional Chinese) mostly decodes as GBK too, into strange characters: it was read and refused
    for a missing 企业名称 with its columns shown as ``Θミら戳``; it is refused as Big5, its header read as Big5. The
    real GBK files of the reader tests (tests/test_readers.py) still read as GBK."""
    big5 = tmp_path / "big5.csv"
    big5.write_bytes("企業名稱,地區,成立日期\n北京測試科技有限公司,北京市,2020-01-01\n".encode("big5"))
    before = counts(db)
    zh = run("import", "enterprises", big5, db=db, check=False)
    assert zh.returncode == 2 and "文件似乎是 Big5（繁体中文）编码（按 Big5 读出表头为 企業名稱,地區,成立日期）" in zh.stderr, zh.stderr
    assert "另存为 UTF-8" in zh.stderr and "Θ" not in zh.stderr
    en = run("--lang", "en", "import", "enterprises", big5, db=db, check=False)
    assert "the file seems to be in Big5 (traditional Chinese; read as Big5 its header is 企業名稱,地區,成立日期)" in en.stderr
    assert counts(db) == before


def test_a_utf8_file_encoded_twice_is_refused_saying_so(tmp_path, db):
    """UTF-8 read as Latin-1 (or Windows-1252) and saved as UTF-8 again: its headers read 'æ¿å,å¬å¸å¨ç§°' and it
    was refused for a mapping's columns it lacks, its columns shown garbled, without a word of why. It is refused
    as text encoded twice, its header as it was, with what to do; a preset import and a plain one alike (the
    careful reader and the header peek)."""
    text = "企业名称,所属省份,成立日期\n北京测试科技有限公司,北京市,2020-01-01\n"
    twice = tmp_path / "twice.csv"
    twice.write_text(text.encode("utf-8").decode("latin-1"), encoding="utf-8")
    win = tmp_path / "win.csv"  # through Windows-1252: its 0x80–0x9F bytes as € ‚ ƒ … (the undefined five as themselves)
    win.write_text("".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in text.encode("utf-8")),
                   encoding="utf-8")
    before = counts(db)
    for f in (twice, win):
        zh = run("import", "enterprises", f, db=db, check=False)
        assert zh.returncode == 2 and "文件的中文被重复编码（UTF-8 文本曾按 Latin-1/西欧编码打开、再存为 UTF-8：表头 " in zh.stderr, zh.stderr
        assert "原为 企业名称,所属省份,成立日期）" in zh.stderr and "iconv -f UTF-8 -t LATIN1" in zh.stderr, zh.stderr
    en = run("--lang", "en", "import", twice, "--preset", "szse_a_share", db=db, check=False)
    assert en.returncode == 2 and "the file's Chinese is encoded twice" in en.stderr, en.stderr
    assert "was 企业名称,所属省份,成立日期); nothing imported: use the original export" in en.stderr, en.stderr
    # an ASCII header over rows encoded twice was imported as garbage (an enterprise named "æ\x9d\xadå·\x9eå…")
    rows = tmp_path / "rows.csv"
    rows.write_text("name,region,founded\n" + "杭州双鱼科技有限公司,浙江省,2020-01-01\n".encode("utf-8").decode("latin-1"),
                    encoding="utf-8")
    zh = run("import", "enterprises", rows, db=db, check=False)
    assert zh.returncode == 2 and "再存为 UTF-8：第 2 行 " in zh.stderr, zh.stderr
    assert "原为 杭州双鱼科技有限公司,浙江省,2020-01-01）" in zh.stderr, zh.stderr
    # through Windows-1252 with its undefined bytes saved as U+FFFD (企 as ä¼�): was refused for a missing 企业名称
    lossy = tmp_path / "lossy.csv"
    lossy.write_text(text.encode("utf-8").decode("cp1252", errors="replace"), encoding="utf-8")
    zh = run("import", "enterprises", lossy, db=db, check=False)
    assert zh.returncode == 2 and "原为 \ufffd业\ufffd称,所属\ufffd份,\ufffd立日期；显示为 \ufffd 的字节已丢失，无法还原），未导入：" \
        "请改用原始导出文件" in zh.stderr and "iconv" not in zh.stderr, zh.stderr
    assert counts(db) == before


def test_the_rejects_codes_table_gives_unreadable_amounts_the_parser_rejects(tmp_path, db):
    """The table named 数亿 as an amount without a number, rejected; it is read as a range (10,000–100,000 万) and
    imported. Each example the row gives as rejected is rejected by an import, each it gives as read is imported."""
    import re

    doc = (Path(__file__).resolve().parents[1] / "docs" / "data-formats.md").read_text(encoding="utf-8")
    row = next(ln for ln in doc.splitlines() if ln.startswith("| `amount_unreadable` |"))
    rejected_part, read_part = row.split(";", 1)
    bad, good = re.findall(r"`([^`]+)`", rejected_part)[1:], re.findall(r"`([^`]+)`", read_part)
    assert "数亿" in good and bad
    f = tmp_path / "amounts.csv"
    f.write_text("融资企业,融资时间,融资轮次,融资金额\n" + "".join(
        f"{good_rows(1)[0][0]},2019-0{1 + i % 9}-01,A轮,{a}\n" for i, a in enumerate(bad + good)), encoding="utf-8")
    rep = run_json("import", "fundings", f, "--rejects", tmp_path, db=db)
    with open(rep["rejects_path"], encoding="utf-8-sig", newline="") as fh:
        codes = {r["value"]: r["code"] for r in csv.DictReader(fh)}
    assert codes == dict.fromkeys(bad, "amount_unreadable")
    assert rep["rows_imported"] == len(good)


def test_the_rows_whose_region_differs_from_their_credit_code_are_listed(tmp_path, db, monkeypatch):
    """地区与信用代码不一致 180 was a count with no list: the rejects file had no line for those rows. Each is a line now,
    flagged (the row imported), naming both regions — a district with its city (several cities have a 朝阳区); the
    count is the lines'. The rejects file is named by China's time, as every date the product shows (it was UTC:
    …20261206-042628 at 12:26 in China)."""
    import datetime as dt

    from zhaoshang.core.importers import import_files
    from zhaoshang.core.parse import dates
    from zhaoshang.core.store import Store

    rows = good_rows(3, 800)
    rows[1][1] = make_uscc(10_801, "110108")  # a Haidian code on a Hangzhou row
    rows[2][1] = make_uscc(10_802, "110108")
    rows[2][0] = ""                            # … and rejected for its name: not imported, so not flagged
    rep = run_json("import", "enterprises", write_csv(tmp_path / "reg.csv", rows), "--rejects", tmp_path, db=db)
    assert (rep["rows_imported"], rep["rows_rejected"], rep["region_conflicts"]) == (2, 1, 1)
    with open(rep["rejects_path"], encoding="utf-8-sig", newline="") as fh:
        lines = [r for r in csv.DictReader(fh) if r["code"] == "region_conflict"]
    assert [(r["row"], r["column"], r["value"], r["action"], r["action_en"]) for r in lines] == [
        ("3", "统一社会信用代码", rows[1][1], "已导入（请核对）", "imported, to review")]
    assert lines[0]["reason"] == "地区与信用代码不一致：信用代码的行政区划码 110108（北京市海淀区）与导入的地区 杭州市余杭区 不符，请核对"
    assert lines[0]["reason_en"] == ("region differs from the credit code: its division code 110108 (Haidian, Beijing) "
                                     "is not the region imported, Yuhang, Hangzhou; to review"), lines[0]["reason_en"]
    monkeypatch.setattr(dates, "_utc_now", lambda: dt.datetime(2026, 12, 6, 4, 26, 28, tzinfo=dt.timezone.utc))
    with Store(":memory:") as store:
        again = import_files(store, "enterprises", [tmp_path / "reg.csv"], rejects_dir=tmp_path / "cn")
    assert Path(again.rejects_path).name == "reg.20261206-122628.rejects.csv", again.rejects_path


def test_a_preset_refusal_names_the_required_column_first_and_the_optional_ones_as_a_note(tmp_path, db):
    """A 场景清单 lacking 场景名称 (the demands' required title) was refused naming 场景编号, an optional key the preset
    reads first: the required column is named, the optional ones the file lacks follow as a note; nothing imported."""
    f = tmp_path / "场景清单.csv"
    f.write_text("场景描述,应用领域,场景提供方,所在地区\n需要AI质检,制造,某某厂,杭州市\n", encoding="utf-8")
    before = counts(db)
    p = run("import", "demands", f, "--preset", "scenario_demands", db=db, check=False)
    assert p.returncode == 2, p.stderr
    assert ("映射指定的列不存在: 场景名称（预设 scenario_demands 读取此列；另缺可选列: 场景编号、投资规模（万元）、发布时间、"
            "截止时间、对接状态；文件中的列: 场景描述, 应用领域, 场景提供方, 所在地区）") in p.stderr, p.stderr
    p = run("--lang", "en", "import", "demands", f, "--preset", "scenario_demands", db=db, check=False)
    assert p.returncode == 2 and ("the mapping names a column the file does not have: 场景名称 (the preset "
                                  "scenario_demands reads it; also lacking optional columns: 场景编号, ") in p.stderr, p.stderr
    assert counts(db) == before


def test_a_preset_names_its_kind_so_the_file_may_come_first(tmp_path):
    """``import FILE --preset itjuzi_companies`` was refused as 缺少参数 'files' (the file read as the kind): a preset
    names its kind, so the file may come first and gives the database ``import enterprises FILE --preset …`` gives.
    A file where the kind goes without a preset, a misspelt preset, a kind without a file: each said in words."""
    from conftest import shared_file

    src = shared_file("ai_companies/itjuzi_china_ai_companies_2018-12.csv")
    part = tmp_path / "itjuzi_part.csv"
    with open(src, encoding="utf-8", newline="") as fi:
        part.write_text("".join(line for _, line in zip(range(41), fi)), encoding="utf-8")  # the header and 40 rows
    first = run_json("import", part, "--preset", "itjuzi_companies", db=tmp_path / "a.duckdb")
    second = run_json("import", "enterprises", part, "--preset", "itjuzi_companies", db=tmp_path / "b.duckdb")
    assert first["rows_read"] == second["rows_read"] == 40 and first["rows_imported"] == second["rows_imported"] > 0
    names = [sorted(duckdb.connect(str(tmp_path / f"{x}.duckdb"), read_only=True).execute(
        "SELECT name FROM enterprises").fetchall()) for x in "ab"]
    assert names[0] == names[1] and len(names[0]) == first["rows_imported"]
    p = run("import", part, db=tmp_path / "c.duckdb", check=False)
    assert p.returncode == 2 and p.stderr.startswith(f"错误: {part} 像是文件：先给数据类型（zhaoshang import enterprises "), p.stderr
    p = run("--lang", "en", "import", part, "--preset", "itjuzi_company", db=tmp_path / "c.duckdb", check=False)
    assert p.returncode == 2 and p.stderr.startswith("error: unknown preset: itjuzi_company (did you mean itjuzi_companies"), p.stderr
    p = run("--lang", "en", "import", "enterprises", db=tmp_path / "c.duckdb", check=False)
    assert p.returncode == 2 and p.stderr.strip() == "error: no file to import: zhaoshang import enterprises FILE …", p.stderr
    # a refused import into a database that did not exist leaves none behind (it left an empty one and its team
    # state, and `status` then showed an empty database instead of saying there is none)
    codes = tmp_path / "codes.csv"
    codes.write_text("ts_code,symbol,area\n000001.SZ,000001,深圳\n", encoding="utf-8")
    (tmp_path / "t").mkdir()
    p = run("import", codes, "--preset", "itjuzi_companies", db=tmp_path / "t" / "new.duckdb", check=False)
    assert p.returncode == 2 and "映射指定的列不存在: legal_name、brand_name" in p.stderr, p.stderr
    assert list((tmp_path / "t").iterdir()) == []
    p = run("status", db=tmp_path / "t" / "new.duckdb", check=False)
    assert p.returncode == 2 and "数据库不存在" in p.stderr and "先运行 zhaoshang import" in p.stderr, p.stderr
