"""Safe exports: CSV with BOM, XLSX without formulas, Parquet and JSON Lines, atomic writes."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json

import duckdb
import openpyxl
import pytest

from zhaoshang.core.errors import UserError
from zhaoshang.core.readers import read_into
from zhaoshang.core.writers import XLSX_MAX_ROWS, export_query, iter_csv

SZSE = "listed_companies/szse_a_share_list_2026-01.csv"
RISKY = ["=1+2", "+86 123", "@SUM(A1)", "-5", "\t=cmd", "\r=cmd", "普通文本", "'已带引号", "-"]


def csv_shown(v):
    """How a text cell must appear in an exported CSV (OWASP: quote-prefix anything a spreadsheet could run)."""
    if v is None or v == "-" or not v.startswith(("=", "+", "-", "@", "\t", "\r")):
        return v
    return "'" + v


@pytest.fixture
def con():
    c = duckdb.connect()
    c.execute(
        "CREATE TEMP TABLE cells AS SELECT * FROM (VALUES "
        + ", ".join(
            f"({i}, '{t.replace(chr(39), chr(39) * 2)}', {-i}, DATE '2024-03-0{i % 9 + 1}', ['红杉中国', '高瓴资本'])"
            for i, t in enumerate(RISKY)
        )
        + ") v(n, text, neg, day, investors)"
    )
    yield c
    c.close()


def test_csv_prefixes_formula_cells_and_has_bom(con, tmp_path):
    p = tmp_path / "out.csv"
    n = export_query(con, "SELECT * FROM cells ORDER BY n", p)
    assert n == len(RISKY)
    raw = p.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(p, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["n", "text", "neg", "day", "investors"]
    texts = [r[1] for r in rows[1:]]
    assert texts == ["'=1+2", "'+86 123", "'@SUM(A1)", "'-5", "'\t=cmd", "'\r=cmd", "普通文本", "'已带引号", "-"]
    assert texts == [csv_shown(t) for t in RISKY]
    # numbers are numbers, not text: a negative number is not prefixed
    assert [r[2] for r in rows[1:]] == [str(-i) for i in range(len(RISKY))]
    assert rows[1][3] == "2024-03-01" and rows[1][4] == "红杉中国、高瓴资本"
    # no cell of the file can start a formula
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) and c != "-" for r in rows[1:] for c in (r[0], r[1], r[4]))
    # a whole amount in a float or decimal column is written as a whole number (352335, 2000), not as 352335.0 or
    # 2000.00; other values keep their decimals; the same in the streamed CSV
    amounts = ("SELECT * FROM (VALUES (352335.0::DOUBLE, 2000.00::DECIMAL(18, 2), 1.5::FLOAT), "
               "(68002.27766, 2000.50, -5.0), (-0.0, NULL, 'nan'::FLOAT)) v(total_wan, budget_wan, share)")
    export_query(con, amounts, p)
    with open(p, encoding="utf-8-sig", newline="") as f:
        got = list(csv.reader(f))[1:]
    assert got == [["352335", "2000", "1.5"], ["68002.27766", "2000.50", "-5"], ["0", "", "nan"]], got
    assert list(csv.reader(io.StringIO(b"".join(iter_csv(con, amounts)).decode("utf-8-sig"))))[1:] == got
    # the commands' --format csv writes a number as these files do (one rule): a float beyond 1e16 is no whole
    # number of 31 digits (1e30 held as 1000000000000000019884624838656), a small one keeps its shortest text
    from zhaoshang.interfaces.cli.app import _cell

    floats = [352335.0, 68002.27766, -5.0, -0.0, 1e30, 2e16, 9999999999999998.0, 0.1, 1.5e-07, 1 / 3, 123456789012.5]
    sql = "SELECT * FROM (VALUES " + ", ".join(f"({v!r}::DOUBLE)" for v in floats) + ") v(amount_wan)"
    written = [r[0] for r in list(csv.reader(io.StringIO(b"".join(iter_csv(con, sql)).decode("utf-8-sig"))))[1:]]
    assert [_cell(v, raw=True) for v in floats] == written, written
    assert written[4] == "1e+30" and written[0] == "352335"
    assert _cell(decimal.Decimal("2000.50"), raw=True) == "2000.50" and _cell(decimal.Decimal("2000.00"), raw=True) == "2000"


def test_xlsx_keeps_formula_looking_text_as_text(con, tmp_path):
    p = tmp_path / "out.xlsx"
    assert export_query(con, "SELECT * FROM cells ORDER BY n", p) == len(RISKY)
    wb = openpyxl.load_workbook(p)
    ws = wb.active
    cells = [c for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("n", "text", "neg", "day", "investors")
    # XML stores a carriage return as a line feed; the cell is still plain text
    assert [r[1] for r in rows[1:]] == [t.replace("\r", "\n") for t in RISKY]
    assert [r[2] for r in rows[1:]] == [-i for i in range(len(RISKY))]  # numbers stay numbers
    assert ws["D2"].is_date and ws["D2"].value.date() == dt.date(2024, 3, 1)
    assert ws["E2"].value == "红杉中国、高瓴资本"
    assert ws["A1"].font.b
    # reading the export back gives the same text, still no formulas
    back = duckdb.connect()
    info = read_into(back, p, "back")
    assert back.execute("SELECT c1 FROM back ORDER BY _row").fetchall() == [(t.replace("\r", "\n"),) for t in RISKY]
    assert info.rows == len(RISKY)


@pytest.mark.parametrize("suffix", [".parquet", ".jsonl", ".json"])
def test_parquet_and_jsonl_round_trip(con, tmp_path, suffix):
    p = tmp_path / f"out{suffix}"
    assert export_query(con, "SELECT n, text, day, investors FROM cells WHERE n >= ? ORDER BY n", p, [2]) == len(RISKY) - 2
    if suffix == ".parquet":
        got = con.execute(f"SELECT * FROM read_parquet('{p}') ORDER BY n").fetchall()
    else:
        lines = p.read_text(encoding="utf-8").splitlines()
        assert len(lines) == len(RISKY) - 2
        objs = [json.loads(line) for line in lines]
        got = [(o["n"], o["text"], dt.date.fromisoformat(o["day"]), o["investors"]) for o in objs]
    want = con.execute("SELECT n, text, day, investors FROM cells WHERE n >= 2 ORDER BY n").fetchall()
    assert got == want  # raw text, unprefixed: these formats are not opened by spreadsheets


def test_real_table_round_trips_through_every_format(tmp_path, shared):
    con = duckdb.connect()
    src = read_into(con, shared(SZSE), "szse")
    named = ", ".join(f'{c} AS "{h}"' for c, h in zip(src.columns, src.headers))
    sql = f"SELECT {named} FROM szse ORDER BY _row"
    want = con.execute(f"SELECT {', '.join(src.columns)} FROM szse ORDER BY _row").fetchall()
    for suffix in (".csv", ".xlsx", ".parquet", ".jsonl"):
        p = tmp_path / f"szse{suffix}"
        assert export_query(con, sql, p) == src.rows == 2882
        info = read_into(con, p, "back")
        assert info.headers == src.headers, suffix
        got = con.execute(f"SELECT {', '.join(info.columns)} FROM back ORDER BY _row").fetchall()
        expect = [tuple(csv_shown(v) for v in r) for r in want] if suffix == ".csv" else want
        assert got == expect, suffix
    assert con.execute("SELECT c4 FROM back WHERE _row = 1").fetchall() == [("000001",)]


def test_fmt_overrides_suffix_and_unknown_suffix_is_refused(con, tmp_path):
    p = tmp_path / "report.txt"
    assert export_query(con, "SELECT text FROM cells", p, fmt="csv") == len(RISKY)
    assert p.read_bytes().startswith(b"\xef\xbb\xbftext\n")
    with pytest.raises(UserError, match=r"^不支持的导出文件类型: \.txt"):
        export_query(con, "SELECT 1", tmp_path / "x.txt")
    with pytest.raises(UserError, match=r"^不支持的导出格式: pdf"):
        export_query(con, "SELECT 1", tmp_path / "x.csv", fmt="pdf")
    with pytest.raises(UserError, match=r"^目录不存在"):
        export_query(con, "SELECT 1", tmp_path / "no" / "x.csv")


def test_xlsx_row_limit_suggests_csv(con, tmp_path):
    p = tmp_path / "big.xlsx"
    with pytest.raises(UserError, match=r"超过 Excel 工作表上限 1,048,576 行.*\.csv 或 \.parquet"):
        export_query(con, f"SELECT range AS n FROM range({XLSX_MAX_ROWS})", p)
    assert not p.exists()
    assert export_query(con, f"SELECT range AS n FROM range({XLSX_MAX_ROWS - 1})", tmp_path / "ok.csv") == XLSX_MAX_ROWS - 1


def test_failed_export_leaves_previous_file_and_no_debris(con, tmp_path):
    p = tmp_path / "keep.csv"
    p.write_text("old\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"^导出"):
        export_query(con, "SELECT * FROM no_such_table", p)
    with pytest.raises(UserError, match=r"^导出失败"):
        export_query(con, "SELECT CAST('abc' AS INTEGER) AS n FROM range(10)", tmp_path / "keep.parquet")
    assert p.read_text(encoding="utf-8") == "old\n"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["keep.csv"]
    # the connection is still usable afterwards
    assert con.execute("SELECT count(*) FROM cells").fetchall() == [(len(RISKY),)]
