"""Write the result of a query to CSV, XLSX, Parquet or JSON Lines — safely.

- CSV is UTF-8 *with* a byte-order mark, so that Excel opens Chinese text correctly; written by DuckDB COPY. A whole
  amount in a float or decimal column is written as a whole number (352335, not 352335.0 or 352335.00).
- XLSX is streamed row by row with XlsxWriter's constant-memory mode (bold header, dates as dates, lists
  joined with "、"); more than 1,048,576 rows is refused with a hint to use CSV or Parquet.
- Parquet and JSON Lines are written by DuckDB COPY.
- Formula injection: in CSV and XLSX a text cell starting with =, +, -, @, tab or CR can never run as a
  formula. CSV prefixes such cells with a single quote ('=1+2), as the OWASP CSV-injection guidance
  advises (a cell that is exactly "-", the usual "none" placeholder, is left as it is); XLSX stores them
  as explicit string cells.
- The file appears complete or not at all: everything is written to a temporary file in the target
  directory first and then renamed over the target, with the permissions of the user's umask.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import os
import re
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any, Iterator

import duckdb

from zhaoshang.core import jsonenc
from zhaoshang.core.errors import UserError

__all__ = ["export_query", "publish", "FORMATS", "XLSX_MAX_ROWS", "DANGEROUS_PREFIXES"]

FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".parquet": "parquet", ".jsonl": "jsonl", ".json": "jsonl",
           ".ndjson": "jsonl"}
XLSX_MAX_ROWS = 1_048_576  # Excel's sheet limit, header row included
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
LIST_JOINER = "、"
# a list's items joined in the language of the text around them (、 in Chinese, ", " in English): ``list_joiner``
LIST_JOINERS = {"zh": LIST_JOINER, "en": ", "}
_FETCH = 10_000


def _q(ident: str) -> str:
    return '"' + ident.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _safe_text(v: str) -> str:
    """CSV rule: prefix a quote to text a spreadsheet could run; a lone "-" (a common "none") stays."""
    return "'" + v if v.startswith(DANGEROUS_PREFIXES) and v != "-" else v


def _failed(e: Exception) -> UserError:
    first = str(e).strip().splitlines()[0]
    return UserError(f"导出失败: {first}", f"export failed: {first}")


def _format_of(path: Path, fmt: str | None) -> str:
    if fmt:
        f = fmt.lower().lstrip(".")
        f = {"json": "jsonl", "ndjson": "jsonl"}.get(f, f)
        if f not in ("csv", "xlsx", "parquet", "jsonl"):
            raise UserError(f"不支持的导出格式: {fmt} (可用: csv、xlsx、parquet、jsonl)",
                            f"unsupported export format: {fmt} (use csv, xlsx, parquet or jsonl)")
        return f
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise UserError(f"不支持的导出文件类型: {suffix or '(无扩展名)'}: {path} (可用: .csv、.xlsx、.parquet、.jsonl)",
                        f"unsupported export file type: {suffix or '(no suffix)'}: {path} (use .csv, .xlsx, .parquet or .jsonl)")
    return FORMATS[suffix]


def _describe(con, sql: str, params) -> list[tuple[str, str]]:
    try:
        rows = con.execute(f"DESCRIBE {sql}", params).fetchall() if params else con.execute(
            f"DESCRIBE {sql}").fetchall()
    except duckdb.Error as e:
        raise UserError(f"导出查询无效: {str(e).strip().splitlines()[0]}",
                        f"invalid export query: {str(e).strip().splitlines()[0]}") from e
    return [(r[0], r[1]) for r in rows]


# a whole amount below this is written as the whole number it is; above it a float's digits are noise (1e30 held as
# 1000000000000000019884624838656), written by the shortest text that reads back as the float (1e+30)
WHOLE_BELOW = 10**16


def number_text(v: float | decimal.Decimal) -> str:
    """A number as a CSV cell writes it (``export_query``, ``iter_csv`` and the commands' ``--format csv``, one rule):
    a whole amount below ``WHOLE_BELOW`` as the whole number (352335, 2000; not 352335.0 or 2000.00), any other float
    by the shortest text that reads back as it (0.1, 1.5e-07, 1e+30: as DuckDB casts a DOUBLE to text), a decimal
    with its scale (2000.50)."""
    if isinstance(v, decimal.Decimal) and v.is_finite() or isinstance(v, float) and v == v and abs(v) != float("inf"):
        if v == int(v) and abs(v) < WHOLE_BELOW:
            return str(int(v))
    return str(v) if isinstance(v, decimal.Decimal) else repr(float(v))


def list_joiner(lang: str = "zh", items: Any = ()) -> str:
    """The one separator of a list's items in ``lang``'s text — an export's cell, a page's, a table's (labels.list_text):
    、 in Chinese, ", " in English, where 、 is no punctuation; "; " in English when an item of ``items`` has a comma of
    its own (Chaoyang, Liaoning; Chaoyang, Beijing — never four places)."""
    if lang == "en" and any("," in str(x) for x in items or ()):
        return "; "
    return LIST_JOINERS["en" if lang == "en" else "zh"]


def _csv_select(sql: str, schema: list[tuple[str, str]], lang: str = "zh") -> str:
    """The query with every text value made formula-safe and lists joined as ``lang`` joins them (``list_joiner``)."""
    exprs = []
    for name, typ in schema:
        col = _q(name)
        t = typ.upper()
        if t.endswith("[]") or (t.endswith("]") and "[" in t):
            text = f"array_to_string(list_transform({col}, lambda x: CAST(x AS VARCHAR)), {_lit(list_joiner(lang))})"
        elif t.startswith(("STRUCT", "MAP", "UNION")):
            text = f"CAST(to_json({col}) AS VARCHAR)"
        elif t == "VARCHAR" or t.startswith("VARCHAR") or t == "JSON":
            text = f"CAST({col} AS VARCHAR)"
        elif t in ("DOUBLE", "FLOAT", "REAL", "FLOAT4", "FLOAT8") or t.startswith("DECIMAL"):
            # a whole amount as the number it is (352335, 2000), not as a float (352335.0) or a decimal with
            # zeros (2000.00); other values keep their decimals. Not above 1e16, where a float's digits are noise.
            # The rule of ``number_text``, here in SQL.
            finite = f"isfinite({col}) AND " if not t.startswith("DECIMAL") else ""
            exprs.append(f"CASE WHEN {finite}{col} = trunc({col}) AND abs({col}) < {WHOLE_BELOW} "
                         f"THEN CAST(CAST({col} AS HUGEINT) AS VARCHAR) ELSE CAST({col} AS VARCHAR) END "
                         f"AS {_q(_safe_text(name))}")
            continue
        else:
            exprs.append(f"{col} AS {_q(_safe_text(name))}")
            continue
        exprs.append(
            f"CASE WHEN left({text}, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) AND {text} <> '-' "
            f"THEN '''' || {text} "
            f"ELSE {text} END AS {_q(_safe_text(name))}"
        )
    return f"SELECT {', '.join(exprs) or '*'} FROM ({sql}) AS _export"


def _run(con, sql: str, params) -> Any:
    try:
        return con.execute(sql, params).fetchall() if params else con.execute(sql).fetchall()
    except duckdb.Error as e:
        raise _failed(e) from e


def _copy(con, select: str, tmp: Path, options: str, params) -> int:
    res = _run(con, f"COPY ({select}) TO {_lit(str(tmp))} ({options})", params)
    return int(res[0][0]) if res else 0


_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]|\r\n?")  # control characters XML 1.0 cannot hold


def _text(v: str) -> str:
    """Text as a cell holds it: no control characters, line ends as line feeds (as XML reads them)."""
    return _ILLEGAL.sub(lambda m: "\n" if m.group().startswith("\r") else "", v)


def _xlsx_value(v: Any, lang: str = "zh") -> Any:
    """A cell value XlsxWriter writes as it is: text (cleaned), number, bool, date/time or None; a list joined as
    ``lang`` joins it."""
    if v is None:
        return None
    if isinstance(v, str):
        return _text(v)
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return v if abs(v) < 10**15 else str(v)  # Excel keeps 15 significant digits only
    if isinstance(v, decimal.Decimal):
        return float(v)
    if isinstance(v, float):
        return v
    if isinstance(v, _dt.datetime):
        return v.replace(tzinfo=None) if v.tzinfo else v
    if isinstance(v, (_dt.date, _dt.time, _dt.timedelta)):
        return v
    if isinstance(v, (list, tuple)):
        return _text(list_joiner(lang).join("" if x is None else str(x) for x in v))
    if isinstance(v, dict):
        return _text(jsonenc.dumps(v))
    if isinstance(v, (bytes, bytearray)):
        return v.hex()
    if isinstance(v, uuid.UUID):
        return str(v)
    return _text(str(v))


#: the sheets of an exported list, by key: (Chinese, English)
SHEETS = {"data": ("数据", "Data"), "notes": ("说明", "Notes")}


def sheet_name(key: str, lang: str = "zh", sheets: dict[str, tuple[str, str]] = SHEETS) -> str:
    """A workbook's sheet named in the file's language (an English export's sheets are Data and Notes, the region
    report's Overview …: ``sheets``, a table of its own)."""
    return sheets[key][lang == "en"]


def _write_xlsx(con, sql: str, params, tmp: Path, lang: str = "zh", notes: list[str] | None = None) -> int:
    """Rows streamed into XlsxWriter's constant-memory mode: text cells are written as strings (never a
    formula, whatever they start with), dates with a date format, numbers as numbers. The sheet is named in the
    file's language (数据 / Data); ``notes`` (what the list leaves out or how it is ordered, as its page and the
    terminal say them) are a second sheet, 说明 / Notes, one a row, as text."""
    import xlsxwriter

    total = _run(con, f"SELECT count(*) FROM ({sql}) AS _export", params)[0][0]
    if total + 1 > XLSX_MAX_ROWS:
        raise UserError(
            f"结果有 {total:,} 行，超过 Excel 工作表上限 {XLSX_MAX_ROWS:,} 行 (含表头)；请导出为 .csv 或 .parquet",
            f"{total:,} rows exceed Excel's sheet limit of {XLSX_MAX_ROWS:,} rows (header included); export to .csv or .parquet")
    wb = xlsxwriter.Workbook(str(tmp), {"constant_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})
    ws = wb.add_worksheet(sheet_name("data", lang))
    bold = wb.add_format({"bold": True})
    formats = {_dt.datetime: wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
               _dt.date: wb.add_format({"num_format": "yyyy-mm-dd"}),
               _dt.time: wb.add_format({"num_format": "hh:mm:ss"}),
               _dt.timedelta: wb.add_format({"num_format": "[h]:mm:ss"})}
    res = None
    written = 0
    try:
        try:
            res = con.execute(sql, params) if params else con.execute(sql)
            names = [d[0] for d in res.description]
        except duckdb.Error as e:
            raise _failed(e) from e
        for j, n in enumerate(names):
            ws.write_string(0, j, _text(str(n)), bold)
        string, number, boolean, dt_ = ws.write_string, ws.write_number, ws.write_boolean, ws.write_datetime
        r = 0
        while batch := res.fetchmany(_FETCH):
            for row in batch:
                r += 1
                for j, v in enumerate(row):
                    if v is None:
                        continue
                    t = type(v)
                    if t is str:
                        if v:
                            string(r, j, _text(v) if _ILLEGAL.search(v) else v)
                        continue
                    if t is float or (t is int and abs(v) < 10**15):
                        if v == v and v not in (float("inf"), float("-inf")):
                            number(r, j, v)
                        else:
                            string(r, j, str(v))
                        continue
                    v = _xlsx_value(v, lang)
                    if isinstance(v, bool):
                        boolean(r, j, v)
                    elif isinstance(v, (int, float)):
                        number(r, j, v)
                    elif isinstance(v, str):
                        if v:
                            string(r, j, v)
                    elif isinstance(v, _dt.date) and v.year < 1900:  # before Excel's calendar: as text
                        string(r, j, v.isoformat())
                    else:
                        dt_(r, j, v, formats[_dt.datetime if isinstance(v, _dt.datetime) else type(v)])
            written += len(batch)
        if notes:
            ns = wb.add_worksheet(sheet_name("notes", lang))
            ns.set_column(0, 0, 120)
            for i, note in enumerate(notes):
                ns.write_string(i, 0, _text(note))
    finally:
        if res is not None:
            while res.fetchmany(_FETCH):  # leave the connection with no unfinished result
                pass
        wb.close()
    return written


def current_umask() -> int:
    """The process's umask, read without changing it where the system allows (Linux /proc)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def publish(tmp: str | Path, target: str | Path) -> None:
    """Move a finished temporary file over ``target`` with the permissions an ordinary new file gets
    (0666 less the user's umask): temporary files are private (0600), the published file is not."""
    os.chmod(tmp, 0o666 & ~current_umask())
    os.replace(tmp, target)


def iter_csv(con: duckdb.DuckDBPyConnection, sql: str, params: list | tuple | dict | None = None, *,
             chunk_rows: int = 5000, lang: str = "zh") -> Iterator[bytes]:
    """The rows of ``sql`` as formula-safe CSV (UTF-8 with BOM, like ``export_query``), ``chunk_rows`` at a time,
    so a response can stream a whole library without holding it in memory. The query runs (and any error is
    raised) before the first chunk is asked for."""
    import csv
    import io

    sql = sql.strip().rstrip(";")
    schema = _describe(con, sql, params)
    try:
        select = _csv_select(sql, schema, lang)
        cur = con.execute(select, params) if params else con.execute(select)
    except duckdb.Error as e:
        raise _failed(e) from e

    def chunks() -> Iterator[bytes]:
        buf = io.StringIO()
        out = csv.writer(buf, lineterminator="\n")
        out.writerow([_safe_text(name) for name, _ in schema])
        yield b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")
        while rows := cur.fetchmany(chunk_rows):
            buf.seek(0)
            buf.truncate()
            out.writerows(rows)
            yield buf.getvalue().encode("utf-8")

    return chunks()


def export_query(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    path: str | Path,
    params: list | tuple | dict | None = None,
    *,
    fmt: str | None = None,
    lang: str = "zh",
    notes: list[str] | None = None,
) -> int:
    """Write the rows of `sql` to `path` (format from the suffix, or `fmt`); return the number of rows. `lang`: the
    language of the file's own words (an XLSX's sheet names); `notes`: an XLSX's 说明 / Notes sheet, in `lang`
    (other formats hold the rows alone)."""
    target = Path(path)
    kind = _format_of(target, fmt)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise UserError(f"目录不存在: {directory}", f"directory does not exist: {directory}")
    if target.is_dir():
        raise UserError(f"导出路径是一个目录: {target}", f"the export path is a directory: {target}")
    sql = sql.strip().rstrip(";")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=directory)
    os.close(fd)
    tmp = Path(tmp_name)
    extra: Path | None = None
    try:
        if kind == "xlsx":
            n = _write_xlsx(con, sql, params, tmp, lang, notes)
        elif kind == "parquet":
            n = _copy(con, sql, tmp, "FORMAT parquet", params)
        elif kind == "jsonl":
            n = _copy(con, sql, tmp, "FORMAT json", params)
        else:
            schema = _describe(con, sql, params)
            fd2, extra_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".body", dir=directory)
            os.close(fd2)
            extra = Path(extra_name)
            n = _copy(con, _csv_select(sql, schema, lang), extra, "FORMAT csv, HEADER true, DELIMITER ','", params)
            with open(tmp, "wb") as out, open(extra, "rb") as body:
                out.write(b"\xef\xbb\xbf")
                shutil.copyfileobj(body, out, 1 << 20)
        publish(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        if extra is not None:
            extra.unlink(missing_ok=True)
    return n
