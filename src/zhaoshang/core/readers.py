"""Read any import file (CSV/TSV, XLSX, JSON Lines, Parquet) into a DuckDB temp table of text columns.

The importer works set-based: `read_into` lands a file in a temporary table whose columns are all
VARCHAR (named c0, c1, … so any header text is safe) plus `_row`, the row number a user would name
(header = row 1, first data row = 2; JSON Lines: the line number; Parquet: 1-based row index).
No value is type-inferred: credit codes, leading zeros and "2,000(万元人民币)" arrive exactly as text.

Large files stream: CSV, JSON Lines and Parquet are scanned by DuckDB itself; non-UTF-8 text is
transcoded chunk by chunk into a temporary UTF-8 file first; XLSX rows are converted in chunks of
50,000 rows into Arrow tables. Every failure a user can act on is a one-line `UserError` in Chinese.
"""

from __future__ import annotations

import codecs
import csv
import datetime as _dt
import hashlib
import io
import math
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from zhaoshang.core.errors import UserError

__all__ = ["RawInfo", "read_into", "peek_headers", "detect_format", "XLSX_CHUNK_ROWS"]

CHUNK_BYTES = 1 << 20  # streaming chunk for hashing / decoding / transcoding
XLSX_CHUNK_ROWS = 50_000
MAX_LINE_SIZE = 256 * 1024 * 1024  # a single CSV line (or cell) may be up to 256 MB
SNIFF_CHARS = 256 * 1024
DELIMITERS = (",", "\t", ";", "|")
FORMULA_PREFIXES = ("=", "+", "-", "@")
MAX_COLUMNS = 2_000  # wider files are refused before DuckDB plans a scan of thousands of columns

_BOM_UTF8 = codecs.BOM_UTF8
_BOMS_UTF16 = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

_CSV_ERROR_TYPES = {
    "MISSING COLUMNS": "字段数少于表头",
    "TOO MANY COLUMNS": "字段数多于表头",
    "UNQUOTED VALUE": "引号不成对或引号外有多余字符",
    "LINE SIZE OVER MAXIMUM": "行过长",
    "INVALID ENCODING": "编码无效",
    "INVALID UNICODE": "编码无效",
    "CAST ERROR": "取值无法读取",
}


@dataclass
class RawInfo:
    """What `read_into` loaded: where from, in which format/encoding, and the header ↔ column mapping."""

    table: str
    path: str
    format: str  # "csv" | "xlsx" | "jsonl" | "parquet"
    encoding: str | None  # CSV/JSON Lines: "utf-8", "utf-8-sig", "gbk", "gb18030" (or "utf-16"); else None
    headers: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: int = 0
    sha256: str = ""
    sheet: str | None = None
    delimiter: str | None = None

    @property
    def column_of(self) -> dict[str, str]:
        """Header text → safe column name (c0, c1, …)."""
        return dict(zip(self.headers, self.columns))


# ----------------------------------------------------------------------------------------------
# small helpers


def _q(ident: str) -> str:
    return '"' + ident.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _clean_headers(raw: list[object]) -> list[str]:
    """BOM and surrounding whitespace stripped; empty → 列N (1-based); duplicates → name_2, name_3 …"""
    names: list[str] = []
    for i, h in enumerate(raw, start=1):
        text = "" if h is None else str(h)
        text = text.replace("\ufeff", "").strip()
        names.append(text or f"列{i}")
    seen: set[str] = set()
    out: list[str] = []
    counts: dict[str, int] = {}
    for name in names:
        if name not in seen:
            seen.add(name)
            out.append(name)
            continue
        n = counts.get(name, 1)
        while True:
            n += 1
            candidate = f"{name}_{n}"
            if candidate not in seen and candidate not in names:
                break
        counts[name] = n
        seen.add(candidate)
        out.append(candidate)
    return out


def _first_line(msg: str) -> str:
    return (msg or "").strip().splitlines()[0] if (msg or "").strip() else ""


def _line_in(msg: str) -> int | None:
    m = re.search(r"[Ll]ine:?\s*(\d+)", msg or "")
    return int(m.group(1)) if m else None


def _check_file(path: str | Path) -> Path:
    p = Path(path)
    if not p.exists():
        raise UserError(f"文件不存在: {p}")
    if not p.is_file():
        raise UserError(f"不是文件: {p}")
    if p.stat().st_size == 0:
        raise UserError(f"文件为空: {p}")
    return p


def _check_width(p: Path, n: int) -> None:
    """Refuse a file with more columns than any table we import (DuckDB would run out of memory planning it)."""
    if n > MAX_COLUMNS:
        raise UserError(f"列数过多: {n} 列（最多 {MAX_COLUMNS} 列），请只保留需要导入的列: {p}")


def _sha256(p: Path) -> str:
    h = hashlib.sha256()
    with open(p, "rb") as f:
        while chunk := f.read(CHUNK_BYTES):
            h.update(chunk)
    return h.hexdigest()


def detect_format(path: str | Path) -> str:
    """"xlsx", "parquet", "jsonl" or "csv", from the content (never the file name)."""
    p = _check_file(path)
    with open(p, "rb") as f:
        head = f.read(64 * 1024)
    return _format_of(p, head)


def _format_of(p: Path, head: bytes) -> str:
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(p) as z:
                names = z.namelist()
        except (zipfile.BadZipFile, OSError, EOFError) as e:
            if b"xl/" in head or b"[Content_Types].xml" in head or p.suffix.lower() in (".xlsx", ".xlsm"):
                raise UserError(f"文件已损坏或不完整 (xlsx): {p}") from e
            raise UserError(f"文件已损坏或不完整 (zip): {p}") from e
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
        raise UserError(f"不支持的压缩文件 (不是 xlsx 工作簿): {p}")
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UserError(f"不支持旧版 Excel (.xls) 文件，请在 Excel 中另存为 .xlsx 或 CSV: {p}")
    body = head
    for bom in (_BOM_UTF8, *_BOMS_UTF16):
        if body.startswith(bom):
            if bom in _BOMS_UTF16:
                try:
                    text = body.decode("utf-16", errors="ignore")
                except UnicodeError:
                    text = ""
                return "jsonl" if text.lstrip("\ufeff \t\r\n").startswith("{") else "csv"
            body = body[len(bom):]
            break
    stripped = body.lstrip(b" \t\r\n")
    return "jsonl" if stripped.startswith(b"{") else "csv"


# ----------------------------------------------------------------------------------------------
# text files: encoding detection and streaming transcoding


@dataclass
class _Text:
    path: Path  # UTF-8 file DuckDB reads (the original or a temporary transcoded copy)
    encoding: str
    sha256: str
    temp: Path | None


def _scan_text(p: Path) -> tuple[str | None, str, bool, bool]:
    """One streaming pass: (utf-8 flavour or None, sha256, has NUL bytes, mixed line endings)."""
    h = hashlib.sha256()
    dec = codecs.getincrementaldecoder("utf-8")("strict")
    utf8_ok = True
    bom = False
    nul = False
    crlf = lone_cr = lone_lf = 0
    prev_cr = False
    first = True
    with open(p, "rb") as f:
        while chunk := f.read(CHUNK_BYTES):
            h.update(chunk)
            if first:
                bom = chunk.startswith(_BOM_UTF8)
                if chunk.startswith(_BOMS_UTF16):
                    return "utf-16", _finish_hash(h, f), False, False
                first = False
            if not nul and b"\x00" in chunk:
                nul = True
            if utf8_ok:
                try:
                    dec.decode(chunk)
                except UnicodeDecodeError:
                    utf8_ok = False
            n_crlf = chunk.count(b"\r\n")
            if prev_cr and chunk[:1] == b"\n":
                n_crlf += 1
            n_cr = chunk.count(b"\r")
            n_lf = chunk.count(b"\n")
            crlf += n_crlf
            lone_cr += n_cr - chunk.count(b"\r\n")
            lone_lf += n_lf - n_crlf
            if prev_cr and chunk[:1] == b"\n":
                lone_cr -= 1  # the CR ending the previous chunk belonged to a CRLF
            prev_cr = chunk.endswith(b"\r")
    if utf8_ok:
        try:
            dec.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_ok = False
    mixed = sum(1 for n in (crlf, lone_cr, lone_lf) if n > 0) > 1
    flavour = ("utf-8-sig" if bom else "utf-8") if utf8_ok else None
    return flavour, h.hexdigest(), nul, mixed


def _finish_hash(h, f) -> str:
    while chunk := f.read(CHUNK_BYTES):
        h.update(chunk)
    return h.hexdigest()


TEMP_PREFIX = "zhaoshang-"
TEMP_SUFFIX = ".utf8.tmp"
_TEMP_RE = re.compile(re.escape(TEMP_PREFIX) + r"(\d+)-.*" + re.escape(TEMP_SUFFIX) + "$")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def clean_stale_temp(directory: str | Path | None = None) -> int:
    """Delete converted copies left by killed runs (named ``zhaoshang-<pid>-….utf8.tmp``, owner gone)."""
    removed = 0
    base = Path(directory or tempfile.gettempdir())
    try:
        entries = list(base.iterdir())
    except OSError:
        return 0
    for entry in entries:
        m = _TEMP_RE.match(entry.name)
        if m and int(m.group(1)) != os.getpid() and not _pid_alive(int(m.group(1))):
            try:
                entry.unlink()
                removed += 1
            except OSError:
                pass
    return removed


def _transcode(p: Path, encoding: str) -> Path:
    """Stream `p` decoded as `encoding` into a temporary UTF-8 file with \\n line endings."""
    fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=TEMP_SUFFIX)
    try:
        with open(p, "r", encoding=encoding, errors="strict", newline=None) as src, open(
            fd, "w", encoding="utf-8", newline=""
        ) as dst:
            while chunk := src.read(CHUNK_BYTES):
                dst.write(chunk.replace("\ufeff", "") if encoding == "utf-16" else chunk)
    except BaseException:
        os.unlink(tmp)
        raise
    return Path(tmp)


def _temp_text(tmp: Path, encoding: str, digest: str) -> _Text:
    return _Text(tmp, encoding, digest, tmp)


def _prepare_text(p: Path) -> _Text:
    flavour, digest, nul, mixed = _scan_text(p)
    if flavour == "utf-16":
        try:
            return _temp_text(_transcode(p, "utf-16"), "utf-16", digest)
        except UnicodeDecodeError as e:
            raise UserError(f"无法识别文件编码 (UTF-16 内容无效): {p}") from e
    if nul:
        raise UserError(f"无法识别的文件格式或编码 (二进制内容，不是 UTF-8/GBK/GB18030 文本): {p}")
    if flavour is not None:
        if mixed:  # DuckDB needs one line-ending style; normalise to \n
            return _temp_text(_transcode(p, "utf-8-sig"), flavour, digest)
        return _Text(p, flavour, digest, None)
    last: Exception | None = None
    for enc in ("gbk", "gb18030"):
        try:
            return _temp_text(_transcode(p, enc), enc, digest)
        except UnicodeDecodeError as e:
            last = e
    raise UserError(f"无法识别文件编码 (不是 UTF-8、GBK 或 GB18030): {p}") from last


def _sample_text(p: Path) -> tuple[str, str, bool]:
    """A decoded sample of the file start for header peeking: (text, encoding, complete)."""
    with open(p, "rb") as f:
        raw = f.read(SNIFF_CHARS)
        complete = not f.read(1)
    if raw.startswith(_BOMS_UTF16):
        return raw.decode("utf-16", errors="ignore").lstrip("\ufeff"), "utf-16", complete
    for enc in ("utf-8-sig", "gbk", "gb18030"):
        dec = codecs.getincrementaldecoder(enc)("strict")
        try:
            text = dec.decode(raw, final=complete)
        except UnicodeDecodeError:
            continue
        if enc == "utf-8-sig":
            enc = "utf-8-sig" if raw.startswith(_BOM_UTF8) else "utf-8"
        return text, enc, complete
    raise UserError(f"无法识别文件编码 (不是 UTF-8、GBK 或 GB18030): {p}")


# ----------------------------------------------------------------------------------------------
# CSV


def _sniff_csv(sample: str, complete: bool) -> tuple[str, int, list[str]]:
    """(delimiter, number of leading blank lines, raw header cells) from a text sample."""
    lines = sample.splitlines(keepends=True)
    skip = 0
    while skip < len(lines) and not lines[skip].strip():
        skip += 1
    body = "".join(lines[skip:])
    if not body.strip():
        return ",", skip, []
    if not complete:  # drop the possibly cut last line
        cut = max(body.rfind("\n"), body.rfind("\r"))
        if cut > 0:
            body = body[: cut + 1]
    best: tuple[tuple[int, int, int], str, list[str]] | None = None
    for order, d in enumerate(DELIMITERS):
        try:
            records = []
            for rec in csv.reader(io.StringIO(body, newline=""), delimiter=d, quotechar='"', strict=False):
                if rec:
                    records.append(rec)
                if len(records) >= 50:
                    break
        except csv.Error:
            continue
        if not records:
            continue
        width = len(records[0])
        consistent = sum(1 for r in records if len(r) == width)
        score = (1 if width > 1 else 0, consistent, -order)
        if best is None or score > best[0]:
            best = (score, d, records[0])
    assert best is not None
    return best[1], skip, best[2]


def _read_csv(con, p: Path, table: str, text: _Text) -> RawInfo:
    with open(text.path, "r", encoding="utf-8-sig", newline="") as f:
        sample = f.read(SNIFF_CHARS)
        complete = not f.read(1)
    delim, skip, raw_headers = _sniff_csv(sample, complete)
    if not raw_headers:
        raise UserError(f"文件为空 (没有表头和数据): {p}")
    if all(not str(h).replace("\ufeff", "").strip() for h in raw_headers):
        raise UserError(f"缺少表头 (第 {skip + 1} 行为空白列名): {p}")
    _check_width(p, len(raw_headers))
    headers = _clean_headers(raw_headers)
    columns = [f"c{i}" for i in range(len(headers))]
    col_spec = "{" + ", ".join(f"{_lit(c)}: 'VARCHAR'" for c in columns) + "}"
    rej_t, rej_s = f"{table}__rejects", f"{table}__rejscan"
    base = skip + 1  # row_number() starts at 1; the header is row skip + 1
    sql = (
        f"CREATE OR REPLACE TEMP TABLE {_q(table)} AS SELECT * FROM ("
        f"SELECT (row_number() OVER () + {base})::BIGINT AS _row, * FROM read_csv({_lit(str(text.path))}, "
        f"header = true, skip = {skip}, columns = {col_spec}, auto_detect = false, "
        f"delim = {_lit(delim)}, quote = '\"', escape = '\"', max_line_size = {MAX_LINE_SIZE}, "
        f"store_rejects = true, rejects_table = {_lit(rej_t)}, rejects_scan = {_lit(rej_s)})"
        f") WHERE coalesce({', '.join(_q(c) for c in columns)}) IS NOT NULL"  # fully empty rows carry nothing
    )
    try:
        con.execute(sql)
        # parallel scans may record the same line more than once: one entry per line
        bad = con.execute(
            f"SELECT line, min(error_type) FROM {_q(rej_t)} GROUP BY line ORDER BY line LIMIT 5"
        ).fetchall()
        n_bad = con.execute(f"SELECT count(DISTINCT line) FROM {_q(rej_t)}").fetchall()[0][0]
    except duckdb.Error as e:
        _drop(con, table, rej_t, rej_s)
        line = _line_in(str(e))
        where = f"第 {line} 行附近" if line else "格式错误"
        raise UserError(f"无法读取 CSV 文件 {p}: {where} ({_first_line(str(e))})") from e
    _drop(con, rej_t, rej_s)
    if bad:
        _drop(con, table)
        parts = [f"第 {ln} 行 {_CSV_ERROR_TYPES.get(str(et), '格式错误')}" for ln, et in bad]
        more = f" 等共 {n_bad} 行" if n_bad > len(bad) else ""
        raise UserError(
            f"CSV 文件有 {n_bad} 行格式错误 (表头 {len(headers)} 列): {p}: {'; '.join(parts)}{more}"
        )
    rows = con.execute(f"SELECT count(*) FROM {_q(table)}").fetchall()[0][0]
    return RawInfo(table, str(p), "csv", text.encoding, headers, columns, rows, text.sha256, None, delim)


def _drop(con, *tables: str) -> None:
    for t in tables:
        try:
            con.execute(f"DROP TABLE IF EXISTS {_q(t)}")
        except duckdb.Error:
            pass


# ----------------------------------------------------------------------------------------------
# JSON Lines


def _json_pointer(key: str) -> str:
    return "/" + key.replace("~", "~0").replace("/", "~1")


def _read_jsonl(con, p: Path, table: str, text: _Text) -> RawInfo:
    # one text column per physical line, numbered in file order (blank lines keep their number)
    lines = (
        f"(SELECT row_number() OVER () AS ln, line FROM read_csv({_lit(str(text.path))}, "
        "header = false, columns = {'line': 'VARCHAR'}, auto_detect = false, delim = E'\\x01', "
        f"quote = '', escape = '', max_line_size = {MAX_LINE_SIZE}))"
    )
    nonblank = "line IS NOT NULL AND trim(line) <> ''"
    invalid = "(NOT json_valid(line) OR json_type(line) <> 'OBJECT')"
    try:
        bad = con.execute(
            f"SELECT ln, count(*) OVER () FROM {lines} WHERE {nonblank} AND {invalid} ORDER BY ln LIMIT 5"
        ).fetchall()
        if not bad:
            keys = [
                r[0]
                for r in con.execute(
                    f"SELECT k FROM (SELECT ln, unnest(json_keys(line)) AS k, "
                    f"generate_subscripts(json_keys(line), 1) AS i FROM {lines} WHERE {nonblank}) "
                    "GROUP BY k ORDER BY min(ln::HUGEINT * 1000000 + i)"
                ).fetchall()
            ]
    except duckdb.Error as e:
        line = _line_in(str(e))
        where = f"第 {line} 行不是有效的 JSON" if line else "内容不是有效的 JSON Lines"
        raise UserError(f"JSON Lines 文件 {p}: {where}") from e
    if bad:
        n_bad = bad[0][1]
        numbers = "、".join(str(r[0]) for r in bad)
        more = f" 等共 {n_bad} 行" if n_bad > len(bad) else ""
        raise UserError(f"JSON Lines 文件 {p}: 第 {numbers} 行不是有效的 JSON 对象{more}")
    if not keys:
        raise UserError(f"文件为空 (没有任何字段): {p}")
    _check_width(p, len(keys))
    headers = _clean_headers(keys)
    columns = [f"c{i}" for i in range(len(keys))]
    select = ", ".join(
        f"json_extract_string(line, {_lit(_json_pointer(k))}) AS {_q(c)}" for k, c in zip(keys, columns)
    )
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {_q(table)} AS SELECT ln::BIGINT AS _row, {select} "
            f"FROM {lines} WHERE {nonblank}"
        )
    except duckdb.Error as e:
        _drop(con, table)
        raise UserError(f"JSON Lines 文件 {p}: 无法读取 ({_first_line(str(e))})") from e
    rows = con.execute(f"SELECT count(*) FROM {_q(table)}").fetchall()[0][0]
    return RawInfo(table, str(p), "jsonl", text.encoding, headers, columns, rows, text.sha256, None)


# ----------------------------------------------------------------------------------------------
# Parquet


def _parquet_schema(con, p: Path) -> list[tuple[str, str]]:
    try:
        return [
            (r[0], r[1])
            for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet({_lit(str(p))})").fetchall()
        ]
    except duckdb.Error as e:
        raise UserError(f"文件已损坏或不完整 (parquet): {p}") from e


def _as_text_sql(name: str, typ: str) -> str:
    col = _q(name)
    t = typ.upper()
    if t in ("DOUBLE", "FLOAT", "REAL") or t.startswith("DECIMAL"):
        if t.startswith("DECIMAL"):
            return f"CAST({col} AS VARCHAR)"
        return (
            f"CASE WHEN isfinite({col}) AND {col} = trunc({col}) AND abs({col}) < 1e15 "
            f"THEN CAST(CAST({col} AS BIGINT) AS VARCHAR) ELSE CAST({col} AS VARCHAR) END"
        )
    if t.endswith("]") or t.startswith(("STRUCT", "MAP", "UNION")):
        return f"CAST(to_json({col}) AS VARCHAR)"
    if t == "BOOLEAN":
        return f"CASE WHEN {col} THEN 'true' WHEN NOT {col} THEN 'false' END"
    if t == "BLOB":
        return f"hex({col})"
    if t.startswith("TIMESTAMP"):
        return f"strftime({col}::TIMESTAMP, '%Y-%m-%d %H:%M:%S')"
    return f"CAST({col} AS VARCHAR)"


def _read_parquet(con, p: Path, table: str) -> RawInfo:
    schema = _parquet_schema(con, p)
    _check_width(p, len(schema))
    headers = _clean_headers([n for n, _ in schema])
    columns = [f"c{i}" for i in range(len(schema))]
    select = ", ".join(f"{_as_text_sql(n, t)} AS {_q(c)}" for (n, t), c in zip(schema, columns))
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {_q(table)} AS SELECT row_number() OVER ()::BIGINT AS _row, "
            f"{select} FROM read_parquet({_lit(str(p))})"
        )
    except duckdb.Error as e:
        _drop(con, table)
        raise UserError(f"文件已损坏或不完整 (parquet): {p}") from e
    rows = con.execute(f"SELECT count(*) FROM {_q(table)}").fetchall()[0][0]
    return RawInfo(table, str(p), "parquet", None, headers, columns, rows, _sha256(p), None)


# ----------------------------------------------------------------------------------------------
# XLSX


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
            raise UserError(f"xlsx 文件有密码保护，无法读取: {p}") from e
        raise UserError(f"文件已损坏或不完整 (xlsx): {p}") from e
    names = list(wb.sheet_names)
    if not names:
        raise UserError(f"xlsx 文件没有工作表: {p}")
    name = names[0] if sheet is None else sheet
    if name not in names:
        raise UserError(f"工作表不存在: {sheet} (可用: {'、'.join(names)}): {p}")
    try:
        ws = wb.get_sheet_by_name(name)
    except Exception as e:
        raise UserError(f"文件已损坏或不完整 (xlsx): {p}") from e
    return ws, name


def _read_xlsx(con, p: Path, table: str, sheet: str | None) -> RawInfo:
    import pyarrow as pa

    ws, name = _open_sheet(p, sheet)
    start = ws.start
    first_row = (start[0] if start else 0) + 1  # 1-based sheet row of the first yielded row
    try:
        it = iter(ws.iter_rows())
        header_cells = next(it, None)
    except Exception as e:
        raise UserError(f"文件已损坏或不完整 (xlsx): {p}") from e
    if header_cells is None:
        raise UserError(f"工作表为空: {name}: {p}")
    raw = [_cell_text(v) for v in header_cells]
    if all(h is None or not h.strip() for h in raw):
        raise UserError(f"缺少表头 (工作表 {name} 第 {first_row} 行为空): {p}")
    _check_width(p, len(raw))
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

    row_no = first_row
    try:
        for cells in it:
            row_no += 1
            texts = [_cell_text(v) for v in cells[:width]]
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
    except UserError:
        raise
    except duckdb.Error:
        raise
    except Exception as e:
        _drop(con, table)
        raise UserError(f"文件已损坏或不完整 (xlsx): {p}") from e
    return RawInfo(table, str(p), "xlsx", None, headers, columns, total, _sha256(p), name)


# ----------------------------------------------------------------------------------------------
# public API


def read_into(
    con: duckdb.DuckDBPyConnection, path: str | Path, table: str, *, sheet: str | None = None
) -> RawInfo:
    """Load `path` into TEMP TABLE `table` (_row BIGINT, c0 … cN VARCHAR) and describe it.

    Raises `UserError` (one line, Chinese, naming the file) for every problem with the file.
    """
    p = _check_file(path)
    clean_stale_temp()
    with open(p, "rb") as f:
        head = f.read(64 * 1024)
    fmt = _format_of(p, head)
    if fmt == "xlsx":
        return _read_xlsx(con, p, table, sheet)
    if fmt == "parquet":
        return _read_parquet(con, p, table)
    text = _prepare_text(p)
    try:
        if fmt == "jsonl":
            return _read_jsonl(con, p, table, text)
        return _read_csv(con, p, table, text)
    finally:
        if text.temp is not None:
            try:
                os.unlink(text.temp)
            except OSError:
                pass


def peek_headers(path: str | Path, sheet: str | None = None) -> list[str]:
    """The cleaned header texts of a file, reading only its start (XLSX: the first sheet row)."""
    p = _check_file(path)
    with open(p, "rb") as f:
        head = f.read(64 * 1024)
    fmt = _format_of(p, head)
    if fmt == "xlsx":
        ws, name = _open_sheet(p, sheet)
        try:
            first = next(iter(ws.iter_rows()), None)
        except Exception as e:
            raise UserError(f"文件已损坏或不完整 (xlsx): {p}") from e
        if first is None:
            raise UserError(f"工作表为空: {name}: {p}")
        return _clean_headers([_cell_text(v) for v in first])
    if fmt == "parquet":
        con = duckdb.connect()
        try:
            return _clean_headers([n for n, _ in _parquet_schema(con, p)])
        finally:
            con.close()
    text, _enc, complete = _sample_text(p)
    if fmt == "jsonl":
        import json

        keys: dict[str, None] = {}
        lines = text.splitlines()
        if not complete and lines:
            lines = lines[:-1]
        for n, line in enumerate(lines[:1000], start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as e:
                raise UserError(f"JSON Lines 文件 {p}: 第 {n} 行不是有效的 JSON 对象") from e
            if isinstance(obj, dict):
                keys.update(dict.fromkeys(obj))
        return _clean_headers(list(keys))
    _delim, skip, raw = _sniff_csv(text, complete)
    if not raw:
        raise UserError(f"文件为空 (没有表头和数据): {p}")
    if all(not str(h).replace("\ufeff", "").strip() for h in raw):
        raise UserError(f"缺少表头 (第 {skip + 1} 行为空白列名): {p}")
    return _clean_headers(raw)
