"""CSV/TSV: dialect sniffing and a DuckDB scan of text columns; malformed rows named once each."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb

from zhaoshang.core.errors import UserError, count_en

from .common import HeaderRule, RawInfo, _clean_headers, _drop, _first_line, _line_in, _lit, _q, find_header, no_header_row
from .encoding import _Text
from .limits import CHUNK_BYTES, SNIFF_CHARS, check_width, scan_options

DELIMITERS = (",", "\t", ";", "|")

# what is wrong with a malformed row, by DuckDB's error type: (Chinese, English)
_CSV_ERROR_TYPES = {
    "MISSING COLUMNS": ("字段数少于表头", "has fewer fields than the header"),
    "TOO MANY COLUMNS": ("字段数多于表头", "has more fields than the header"),
    "UNQUOTED VALUE": ("引号不成对或引号外有多余字符", "has an unpaired quote or characters outside the quotes"),
    "LINE SIZE OVER MAXIMUM": ("行过长", "is too long"),
    "INVALID ENCODING": ("编码无效", "has an invalid encoding"),
    "INVALID UNICODE": ("编码无效", "has an invalid encoding"),
    "CAST ERROR": ("取值无法读取", "has a value that cannot be read"),
}
_CSV_ERROR_OTHER = ("格式错误", "is malformed")


def _records(body, delim: str):
    """(first line, cells) of each record of ``body`` (a text, or a text file opened with ``newline=""``; lines
    counted from 1; blank lines give none)."""
    reader = csv.reader(io.StringIO(body, newline="") if isinstance(body, str) else body, delimiter=delim, quotechar='"',
                        strict=False)
    line = 0
    for rec in reader:
        start, line = line + 1, reader.line_num
        if rec:
            yield start, rec


def _sniff_csv(sample: str, complete: bool, rule: HeaderRule | None = None) -> tuple[str, int, list[str]]:
    """(delimiter, number of lines before the header, raw header cells) from a text sample; the header row is
    found by the one header reader (``find_header``: the first non-blank line unless ``rule`` says otherwise).
    No header cells: an empty sample, or (``rule.row``) no such line."""
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
    if rule is not None and rule.row is not None:  # the line named, counted in the body
        rule = HeaderRule(row=rule.row - skip)
    best: tuple[tuple[int, int, int], str, int, list[str]] | None = None
    for order, d in enumerate(DELIMITERS):
        try:
            recs = _records(body, d)
            at, read = find_header(recs, rule)
            if at is None:
                continue
            records = read[at:]
            for rec in recs:
                if len(records) >= 50:
                    break
                records.append(rec)
        except csv.Error:
            continue
        width = len(records[0][1])
        consistent = sum(1 for _, r in records if len(r) == width)
        score = (1 if width > 1 else 0, consistent, -order)
        if best is None or score > best[0]:
            best = (score, d, skip + records[0][0] - 1, records[0][1])
    if best is None:
        return ",", skip, []
    return best[1], best[2], best[3]


_BLANK_LINES = (b"\n\n", b"\r\r", b"\r\n\r\n")


def _has_blank_line(path: Path, header_line: int) -> bool:
    """Whether a line below the header (line ``header_line``) is empty — a byte search, chunk by chunk: DuckDB's
    scan yields no row for such a line, so the rows below it need ``_line_shifts`` to be numbered by their line."""
    with open(path, "rb") as f:
        chunk = f.read(CHUNK_BYTES)
        start = 0
        for _ in range(header_line):  # the lines down to the header (title or blank lines above it are its own)
            nl = chunk.find(b"\n", start)
            if nl < 0:
                start = 0
                break
            start = nl + 1
        tail = chunk[max(start - 1, 0):]  # from the header's line ending: a blank first data line is found too
        while True:
            if any(b in tail for b in _BLANK_LINES):
                return True
            chunk = f.read(CHUNK_BYTES)
            if not chunk:
                return False
            tail = tail[-3:] + chunk


def _line_shifts(path: Path, delim: str, header_line: int) -> list[tuple[int, int]]:
    """Where the rows of the scan (numbered ``header_line`` + 1, + 2 … as DuckDB yields them, no row for an empty
    line) stop being their file line: [(row, lines to add from it on)], ascending; empty when every row is its
    line. One pass of the csv module over the file, made only when ``_has_blank_line``."""
    if not _has_blank_line(path, header_line):
        return []
    shifts: list[tuple[int, int]] = []
    shift = 0
    with open(path, "r", encoding="utf-8-sig", newline="") as f:
        row = header_line
        for line, _cells in _records(f, delim):
            if line <= header_line:
                continue
            row += 1
            if line - row != shift:
                shift = line - row
                shifts.append((row, shift))
    return shifts


_SHIFTS_INLINE = 64


def _renumber_sql(con, row: str, shifts: list[tuple[int, int]], lines: str) -> str:
    """``row`` (a scan's row number) as its file line, by ``_line_shifts``: a CASE for a few blank lines, else a
    look-up in the temporary table ``lines`` (dropped with the file's table)."""
    if not shifts:
        return row
    if len(shifts) <= _SHIFTS_INLINE:
        cases = " ".join(f"WHEN {row} >= {r} THEN {row} + {d}" for r, d in reversed(shifts))
        return f"(CASE {cases} ELSE {row} END)"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {_q(lines)} (r BIGINT, d BIGINT)")
    con.executemany(f"INSERT INTO {_q(lines)} VALUES (?, ?)", shifts)
    return f"({row} + coalesce((SELECT max(d) FROM {_q(lines)} WHERE r <= {row}), 0))"


def _read_csv(con, p: Path, table: str, text: _Text, shape=None, header: HeaderRule | None = None) -> RawInfo:
    try:
        with open(text.path, "r", encoding="utf-8-sig", newline="") as f:
            sample = f.read(SNIFF_CHARS)
            complete = not f.read(1)
    except UnicodeDecodeError as e:  # read as UTF-8 from its start, it is not (or is cut short) further on
        raise UserError(f"无法识别文件编码 (不是有效的 UTF-8): {p}", en=f"unrecognised encoding (not valid UTF-8): {p}") from e
    delim, skip, raw_headers = _sniff_csv(sample, complete, header)
    if not raw_headers and header is not None and header.row is not None:
        raise no_header_row(p, header.row)
    if not raw_headers:
        raise UserError(f"文件为空 (没有表头和数据): {p}", en=f"the file is empty (no header, no rows): {p}")
    if all(not str(h).replace("\ufeff", "").strip() for h in raw_headers):
        raise UserError(f"缺少表头 (第 {skip + 1} 行为空白列名): {p}", en=f"no header (line {skip + 1} has blank column names): {p}")
    check_width(p, len(raw_headers))
    headers = _clean_headers(raw_headers)
    columns = [f"c{i}" for i in range(len(headers))]
    col_spec = "{" + ", ".join(f"{_lit(c)}: 'VARCHAR'" for c in columns) + "}"
    rej_t, rej_s = f"{table}__rejects", f"{table}__rejscan"
    base = skip + 1  # the first record is row base + 1; the header is row skip + 1
    # DuckDB yields no row for an empty line: the rows below one are renumbered to their line (as rejects are named)
    shifts = _line_shifts(text.path, delim, base) if len(columns) > 1 else []  # (one column: a NULL row)
    lines = f"{table}__lines"
    scan = (f"read_csv({_lit(str(text.path))}, "
            f"header = true, skip = {skip}, columns = {col_spec}, auto_detect = false, "
            f"delim = {_lit(delim)}, quote = '\"', escape = '\"', {scan_options(con, text.path)}, "
            f"store_rejects = true, rejects_table = {_lit(rej_t)}, rejects_scan = {_lit(rej_s)})")
    nonempty = f"coalesce({', '.join(_q(c) for c in columns)}) IS NOT NULL"  # fully empty rows carry nothing
    if shape is not None:
        # no row-numbering window (it would serialise the scan): rows land in file order, so the table's rowid
        # numbers them; the caller's SELECT shapes them in the same pass
        sql = (f"CREATE OR REPLACE TEMP TABLE {_q(table)} AS "
               + shape(headers, columns, f"(SELECT *, {nonempty} AS _keep FROM {scan})", "_keep"))
    else:
        sql = (f"CREATE OR REPLACE TEMP TABLE {_q(table)} AS SELECT * FROM ("
               f"SELECT {_renumber_sql(con, '_r', shifts, lines)}::BIGINT AS _row, * EXCLUDE (_r) FROM ("
               f"SELECT row_number() OVER () + {base} AS _r, * FROM {scan})) WHERE {nonempty}")
    try:
        con.execute(sql)
        # parallel scans may record the same line more than once: one entry per line
        bad = con.execute(
            f"SELECT line, min(error_type) FROM {_q(rej_t)} GROUP BY line ORDER BY line LIMIT 5"
        ).fetchall()
        n_bad = con.execute(f"SELECT count(DISTINCT line) FROM {_q(rej_t)}").fetchall()[0][0]
    except duckdb.Error as e:
        _drop(con, table, rej_t, rej_s, lines)
        line = _line_in(str(e))
        where = f"第 {line} 行附近" if line else "格式错误"
        where_en = f"near line {line}" if line else "malformed"
        raise UserError(f"无法读取 CSV 文件 {p}: {where} ({_first_line(str(e))})",
                        f"cannot read CSV file {p}: {where_en} ({_first_line(str(e))})") from e
    _drop(con, rej_t, rej_s, *([lines] if shape is None else []))
    if bad:
        _drop(con, table, lines)
        what = [(ln, _CSV_ERROR_TYPES.get(str(et), _CSV_ERROR_OTHER)) for ln, et in bad]
        more = f" 等共 {n_bad} 行" if n_bad > len(bad) else ""
        raise UserError(
            f"CSV 文件有 {n_bad} 行格式错误 (表头 {len(headers)} 列): {p}: "
            + "; ".join(f"第 {ln} 行 {w[0]}" for ln, w in what) + f"{more}，未导入",
            f"the CSV file has {count_en(n_bad, 'malformed row')} (the header has {count_en(len(headers), 'column')}): {p}: "
            + "; ".join(f"line {ln} {w[1]}" for ln, w in what) + (f" and {n_bad - len(bad)} more" if n_bad > len(bad) else "")
            + "; nothing imported")
    if shape is None:
        rows = con.execute(f"SELECT count(*) FROM {_q(table)}").fetchall()[0][0]
        return RawInfo(table, str(p), "csv", text.encoding, headers, columns, rows, text.sha256, None, delim,
                       header_row=skip + 1)
    rows, total = con.execute(f"SELECT count(*) FILTER (WHERE _keep), count(*) FROM {_q(table)}").fetchall()[0]
    return RawInfo(table, str(p), "csv", text.encoding, headers, columns, rows, text.sha256, None, delim,
                   row_sql=f"{_renumber_sql(con, f'({_q(table)}.rowid + {base + 1})', shifts, lines)}::BIGINT", all_kept=rows == total,
                   header_row=skip + 1)
