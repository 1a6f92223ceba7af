"""XLSX: the first (or a named) sheet into text columns, in chunks, under the same memory cap as CSV.

Small workbooks are read by calamine (fast). A workbook whose sheet and strings hold more XML than
``limits.xlsx_stream_bytes()`` — millions of rows, or one enormous cell, in a few hundred KB of zip — is read
part by part by ``xlsx_stream`` instead: rows stream in bounded chunks and a cell is cut after
``MAX_CELL_CHARS`` + 1 characters (the importer then rejects that row). Rows past ``limits.xlsx_max_rows()``
(Excel's 1,048,576) refuse the file, naming the first row beyond.
"""

from __future__ import annotations

import datetime as _dt
import math
import zipfile
from pathlib import Path
from xml.parsers.expat import ExpatError

import duckdb

from zhaoshang.core.errors import UserError

from .common import HeaderRule, RawInfo, _clean_headers, _drop, _q, _sha256, find_header, no_header_row
from .limits import EXCEL_MAX_ROWS, MAX_CELL_CHARS, XLSX_CHUNK_ROWS, check_width, xlsx_max_rows, xlsx_stream_bytes


def _cell_text(v: object) -> str | None:
    """Calamine cell value → text (None for empty)."""
    if v is None:
        return None
    if isinstance(v, str):
        return v if v != "" else None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isfinite(v) and v.is_integer() and abs(v) < 1e17:
            return str(int(v))
        return repr(v)
    if isinstance(v, _dt.datetime):
        if v.microsecond:
            return v.isoformat(sep=" ")
        return v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, (_dt.date, _dt.time)):
        return v.isoformat()
    if isinstance(v, _dt.timedelta):
        return str(v)
    return str(v)


def _open_sheet(p: Path, sheet: str | None):
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_path(str(p))
    except Exception as e:  # calamine raises its own error family (zip, xml, password …)
        if type(e).__name__ == "PasswordError":
            raise UserError(f"xlsx 文件有密码保护，无法读取: {p}", f"the xlsx file is password-protected and cannot be read: {p}") from e
        raise UserError(f"文件已损坏或不完整 (xlsx): {p}", f"the file is damaged or incomplete (xlsx): {p}") from e
    name = _sheet_name(p, list(wb.sheet_names), sheet)
    try:
        ws = wb.get_sheet_by_name(name)
    except Exception as e:
        raise UserError(f"文件已损坏或不完整 (xlsx): {p}", f"the file is damaged or incomplete (xlsx): {p}") from e
    return ws, name


def sheet_names(p: Path) -> list[str]:
    """The workbook's sheet names in order ([] when they cannot be read: the reader reports that itself)."""
    import python_calamine as pc

    try:
        return list(pc.CalamineWorkbook.from_path(str(p)).sheet_names)
    except Exception:  # calamine's own error family; reading the sheet says what is wrong
        return []


def _sheet_name(p: Path, names: list[str], sheet: str | None) -> str:
    if not names:
        raise UserError(f"xlsx 文件没有工作表: {p}", f"the xlsx file has no sheet: {p}")
    return pick_sheet(p, names, sheet)


def pick_sheet(p: Path, names: list[str], sheet: str | int | None) -> str:
    """The sheet to read: the first by default, else the one named, else (a number not naming a sheet) the N-th,
    counted from 1; a sheet that does not exist is one bilingual line naming the workbook's sheets."""
    if sheet is None or str(sheet).strip() == "":
        return names[0]
    sheet = str(sheet).strip()
    if sheet in names:
        return sheet
    if sheet.isdigit() and 1 <= int(sheet) <= len(names):
        return names[int(sheet) - 1]
    listed = [f"{i} {n}" for i, n in enumerate(names, 1)]
    raise UserError(f"工作表不存在: {sheet}（该文件的工作表: {'、'.join(listed)}；按名称或序号选择）: {p}",
                    f"no such sheet: {sheet} (the file's sheets: {', '.join(listed)}; choose one by name or number): {p}")


def _xml_bytes(p: Path) -> int:
    """Uncompressed size of the sheets and shared strings: what a whole-workbook reader would hold."""
    try:
        with zipfile.ZipFile(p) as zf:
            return sum(i.file_size for i in zf.infolist()
                       if i.filename.startswith("xl/worksheets/") or i.filename.startswith("xl/sharedStrings"))
    except (zipfile.BadZipFile, OSError):
        return 0  # calamine names the damage


def _calamine_rows(p: Path, sheet: str | None):
    ws, name = _open_sheet(p, sheet)
    start = ws.start
    first_row = (start[0] if start else 0) + 1  # 1-based sheet row of the first yielded row

    def rows():
        for i, cells in enumerate(ws.iter_rows()):
            yield first_row + i, cells

    return name, rows()


def _stream_rows(p: Path, sheet: str | None, max_rows: int):
    from .xlsx_stream import Workbook

    try:
        wb = Workbook(p, MAX_CELL_CHARS)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, ExpatError) as e:
        raise UserError(f"文件已损坏或不完整 (xlsx): {p}", f"the file is damaged or incomplete (xlsx): {p}") from e
    name = _sheet_name(p, list(wb.sheets), sheet)

    def rows():
        try:
            yield from wb.rows(name, max_rows)
        finally:
            wb.close()

    return name, rows()


def sheet_rows(p: Path, sheet: str | None, max_rows: int):
    """(sheet name, iterator of (1-based sheet row, cell values)): calamine for small workbooks, else streamed."""
    if _xml_bytes(p) > xlsx_stream_bytes():
        return _stream_rows(p, sheet, max_rows)
    return _calamine_rows(p, sheet)


def _too_many_rows(p: Path, name: str, row: int, max_rows: int) -> UserError:
    return UserError(f"工作表 {name} 超过 {max_rows} 行（Excel 最多 {EXCEL_MAX_ROWS:,} 行），第 {row} 行起无法读取，"
                     f"文件未导入；请拆分文件或另存为 CSV: {p}",
                     f"sheet {name} has more than {max_rows} rows (Excel holds at most {EXCEL_MAX_ROWS:,}); rows from {row} "
                     f"cannot be read and the file was not imported: split it or save it as CSV: {p}")


def _header(p: Path, name: str, rows, rule: HeaderRule | None, max_rows: int, named: bool = True):
    """(header row number, its cell texts, the rows read after it): the one header reader (``find_header``) over
    the sheet's rows; the rows above the header (a title, blank rows) are not data. ``named``: a header of blank
    cells is refused."""
    from .xlsx_stream import RowLimit

    def texts():
        for row_no, cells in rows:
            if row_no > max_rows:
                raise RowLimit(row_no)
            yield row_no, [_cell_text(v) for v in cells]

    try:
        at, read = find_header(texts(), rule)
    except RowLimit as e:
        raise _too_many_rows(p, name, e.row, max_rows) from None
    except UserError:
        raise
    except Exception as e:
        raise UserError(f"文件已损坏或不完整 (xlsx): {p}", f"the file is damaged or incomplete (xlsx): {p}") from e
    if at is None and rule is not None and rule.row is not None:
        raise no_header_row(p, rule.row, name)
    if at is None:
        raise UserError(f"工作表为空: {name}: {p}", f"the sheet is empty: {name}: {p}")
    first_row, raw = read[at]
    if named and all(h is None or not h.strip() for h in raw):
        raise UserError(f"缺少表头 (工作表 {name} 第 {first_row} 行为空): {p}", f"no header (sheet {name}, row {first_row} is empty): {p}")
    return first_row, raw, read[at + 1:]


def peek_xlsx_headers(p: Path, sheet: str | None, header: HeaderRule | None = None) -> list[str]:
    max_rows = xlsx_max_rows()
    name, rows = sheet_rows(p, sheet, max_rows)
    return _clean_headers(_header(p, name, rows, header, max_rows, named=False)[1])


def _read_xlsx(con, p: Path, table: str, sheet: str | None, header: HeaderRule | None = None) -> RawInfo:
    import itertools

    import pyarrow as pa

    from .xlsx_stream import RowLimit

    max_rows = xlsx_max_rows()
    name, rows = sheet_rows(p, sheet, max_rows)
    first_row, raw, after = _header(p, name, rows, header, max_rows)
    check_width(p, len(raw))
    headers = _clean_headers(raw)
    width = len(headers)
    columns = [f"c{i}" for i in range(width)]
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {_q(table)} (_row BIGINT, "
        + ", ".join(f"{_q(c)} VARCHAR" for c in columns)
        + ")"
    )
    schema = pa.schema([("_row", pa.int64())] + [(c, pa.string()) for c in columns])
    buf_rows: list[int] = []
    buf_cols: list[list[str | None]] = [[] for _ in range(width)]
    total = 0
    view = f"{table}__chunk"

    def flush() -> None:
        nonlocal buf_rows, buf_cols, total
        if not buf_rows:
            return
        arrays = [pa.array(buf_rows, pa.int64())] + [pa.array(c, pa.string()) for c in buf_cols]
        chunk = pa.Table.from_arrays(arrays, schema=schema)
        con.register(view, chunk)
        try:
            con.execute(f"INSERT INTO {_q(table)} SELECT * FROM {_q(view)}")
        finally:
            con.unregister(view)
        total += len(buf_rows)
        buf_rows = []
        buf_cols = [[] for _ in range(width)]

    try:
        for row_no, cells in itertools.chain(after, ((n, [_cell_text(v) for v in c[:width]]) for n, c in rows)):
            if row_no > max_rows:
                raise RowLimit(row_no)
            texts = cells[:width]
            if all(t is None for t in texts):
                continue  # fully empty rows carry nothing; _row keeps the sheet numbering
            if len(texts) < width:
                texts.extend([None] * (width - len(texts)))
            buf_rows.append(row_no)
            for i, t in enumerate(texts):
                buf_cols[i].append(t)
            if len(buf_rows) >= XLSX_CHUNK_ROWS:
                flush()
        flush()
    except RowLimit as e:
        _drop(con, table)
        raise _too_many_rows(p, name, e.row, max_rows) from None
    except UserError:
        _drop(con, table)
        raise
    except duckdb.Error:
        _drop(con, table)
        raise
    except Exception as e:
        _drop(con, table)
        raise UserError(f"文件已损坏或不完整 (xlsx): {p}", f"the file is damaged or incomplete (xlsx): {p}") from e
    return RawInfo(table, str(p), "xlsx", None, headers, columns, total, _sha256(p), name, header_row=first_row)
