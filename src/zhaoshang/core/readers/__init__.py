"""Read any import file (CSV/TSV, XLSX, JSON Lines, Parquet) into a DuckDB temp table of text columns.

The importer works set-based: `read_into` lands a file in a temporary table whose columns are all
VARCHAR (named c0, c1, … so any header text is safe) plus `_row`, the row number a user would name
(header = row 1, first data row = 2, unless title lines come before the header — ``common.find_header``, the one
reader of CSV and XLSX header rows —; JSON Lines: the line number; Parquet: 1-based row index).
No value is type-inferred: credit codes, leading zeros and "2,000(万元人民币)" arrive exactly as text.

Large files stream: CSV, JSON Lines and Parquet are scanned by DuckDB itself; non-UTF-8 text is
transcoded chunk by chunk into a temporary UTF-8 file first (``encoding``); XLSX rows are converted in
chunks into Arrow tables (``xlsx``). Every failure a user can act on is a one-line `UserError` in Chinese.
Modules: ``limits`` (sizes and settings), ``common``, ``encoding``, ``delimited`` (CSV), ``jsonl_parquet``,
``xlsx`` and ``xlsx_stream``.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb

from zhaoshang.core.errors import UserError

from .common import (HeaderRule, RawInfo, _check_file, _clean_headers, _drop, _format_of, detect_format, header_row_number,
                     header_rows, no_header_row)
from .delimited import _read_csv, _sniff_csv
from .encoding import _prepare_text, _sample_text, _scan_text, _Text, clean_stale_temp, refuse_double_encoded, utf8_head
from .jsonl_parquet import _parquet_schema, _read_jsonl, _read_parquet
from .limits import MAX_CELL_CHARS, MAX_COLUMNS, XLSX_CHUNK_ROWS
from .xlsx import _read_xlsx, peek_xlsx_headers

__all__ = ["RawInfo", "HeaderRule", "header_row_number", "header_rows", "read_into", "peek_headers", "detect_format", "clean_stale_temp", "XLSX_CHUNK_ROWS",
           "MAX_COLUMNS", "MAX_CELL_CHARS"]


def read_into(
    con: duckdb.DuckDBPyConnection, path: str | Path, table: str, *, sheet: str | None = None, shape=None,
    header: HeaderRule | None = None,
) -> RawInfo:
    """Load `path` into TEMP TABLE `table` (_row BIGINT, c0 … cN VARCHAR) and describe it.

    ``shape(headers, columns, relation, passthrough)`` — a SELECT over ``relation`` keeping the column named
    ``passthrough`` — lets a CSV land directly in the caller's shape, in one parallel pass; the result then says
    how to number its rows (``RawInfo.row_sql``). Other formats ignore it (``row_sql`` stays None).
    ``header``: which row of a CSV or sheet is the header (``HeaderRule``; default the first): the rows above it
    are not read as data, and ``RawInfo.header_row`` says which it was. JSON Lines and Parquet have no header row.
    Raises `UserError` (one line, Chinese, naming the file) for every problem with the file.
    """
    p = _check_file(path)
    clean_stale_temp()
    with open(p, "rb") as f:
        head = f.read(64 * 1024)
    fmt = _format_of(p, head)
    if fmt == "xlsx":
        return _read_xlsx(con, p, table, sheet, header)
    if fmt == "parquet":
        return _read_parquet(con, p, table)
    if fmt in ("csv", "jsonl") and utf8_head(head):  # the start read as UTF-8: its Chinese encoded twice?
        refuse_double_encoded(p, head.decode("utf-8-sig", errors="ignore"))
    if fmt == "csv" and (flavour := utf8_head(head)):
        raw = _read_utf8_csv(con, p, table, flavour, shape, header)
        if raw is not None:
            return raw
    text = _prepare_text(p)
    try:
        if fmt == "jsonl":
            return _read_jsonl(con, p, table, text)
        return _read_csv(con, p, table, text, shape, header)
    finally:
        if text.temp is not None:
            try:
                os.unlink(text.temp)
            except OSError:
                pass


def _read_utf8_csv(con, p: Path, table: str, flavour: str, shape=None,
                   header: HeaderRule | None = None) -> RawInfo | None:
    """A file that starts as UTF-8 is read as it is while another thread hashes it and looks for NUL bytes and
    mixed line endings (DuckDB checks every byte's UTF-8 itself). None — after dropping what was read — when
    the file needs the careful path (another encoding, binary content, line endings to normalise)."""
    with ThreadPoolExecutor(1) as pool:
        scan = pool.submit(_scan_text, p, False)
        try:
            raw = _read_csv(con, p, table, _Text(p, flavour, "", None), shape, header)
        except UserError:
            raw = None  # an encoding problem or a malformed file: the careful path says which
        _flavour, digest, nul, mixed = scan.result()
    if raw is None or nul or mixed:
        _drop(con, table)
        return None
    raw.sha256 = digest
    return raw


def peek_headers(path: str | Path, sheet: str | None = None, header: HeaderRule | None = None) -> list[str]:
    """The cleaned header texts of a file, reading only its start (the header row as ``read_into`` finds it)."""
    p = _check_file(path)
    with open(p, "rb") as f:
        head = f.read(64 * 1024)
    fmt = _format_of(p, head)
    if fmt == "xlsx":
        return peek_xlsx_headers(p, sheet, header)
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
                raise UserError(f"JSON Lines 文件 {p}: 第 {n} 行不是有效的 JSON 对象", f"JSON Lines file {p}: line {n} is not a valid JSON object") from e
            if isinstance(obj, dict):
                keys.update(dict.fromkeys(obj))
        return _clean_headers(list(keys))
    _delim, skip, raw = _sniff_csv(text, complete, header)
    if not raw and header is not None and header.row is not None:
        raise no_header_row(p, header.row)
    if not raw:
        raise UserError(f"文件为空 (没有表头和数据): {p}", en=f"the file is empty (no header, no rows): {p}")
    if all(not str(h).replace("\ufeff", "").strip() for h in raw):
        raise UserError(f"缺少表头 (第 {skip + 1} 行为空白列名): {p}", en=f"no header (line {skip + 1} has blank column names): {p}")
    return _clean_headers(raw)
