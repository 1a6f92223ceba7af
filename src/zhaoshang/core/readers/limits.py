"""Limits of the readers, in one place: chunk sizes, the widest file, the longest cell, Excel's last row.

Two are settings read at each call, so a deployment (or a test with small hostile files) can lower them:
``ZHAOSHANG_XLSX_MAX_ROWS`` (rows of a worksheet, Excel's own limit by default) and
``ZHAOSHANG_XLSX_STREAM_BYTES`` (above this much XML a workbook is streamed instead of loaded whole).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from zhaoshang.core.errors import UserError

CHUNK_BYTES = 1 << 20  # streaming chunk for hashing / decoding / transcoding
XLSX_CHUNK_ROWS = 50_000  # rows handed to DuckDB at a time
MAX_LINE_SIZE = 256 * 1024 * 1024  # a single CSV line (or cell) may be up to 256 MB in a file of up to STREAM_BUFFER
# DuckDB's CSV reader allocates buffers of max(line size, file size); a big file is read in buffers of
# STREAM_BUFFER with lines of at most STREAM_LINE, so reading never holds the whole file in one allocation
STREAM_BUFFER = 32 * 1024 * 1024
STREAM_LINE = 16 * 1024 * 1024
SNIFF_CHARS = 256 * 1024
HEADER_SEARCH_ROWS = 10  # non-blank rows at the start of a file among which its header row is looked for
MAX_COLUMNS = 2_000  # wider files are refused before DuckDB plans a scan of thousands of columns
MAX_CELL_CHARS = 1_000_000  # a longer cell is not a value anyone typed: the importer rejects its row
EXCEL_MAX_ROWS = 1_048_576
XLSX_STREAM_BYTES = 16 * 1024 * 1024


def _setting(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        raise UserError(f"设置 {name} 应为整数: {os.environ.get(name)}", f"{name} must be an integer: {os.environ.get(name)}") from None


def xlsx_max_rows() -> int:
    """Rows of a worksheet read at most (the header included): Excel's limit unless set lower."""
    return _setting("ZHAOSHANG_XLSX_MAX_ROWS", EXCEL_MAX_ROWS)


def xlsx_stream_bytes() -> int:
    """Uncompressed XML of a sheet and its strings above which the workbook is streamed part by part."""
    return _setting("ZHAOSHANG_XLSX_STREAM_BYTES", XLSX_STREAM_BYTES)


def scan_options(con, path: Path) -> str:
    """``read_csv`` options bounding its buffers: a small file whole, a big one in pieces of at most
    STREAM_BUFFER and an eighth of the connection's memory cap (lines up to half a piece)."""
    size = path.stat().st_size
    cap = _bytes(con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])
    buffer = max(1 << 20, min(STREAM_BUFFER, cap // 8))
    buffer = 1 << (buffer.bit_length() - 1)  # a power of two: DuckDB's reader drops rows at other sizes
    if size <= buffer:
        return f"max_line_size = {MAX_LINE_SIZE}"
    return f"max_line_size = {buffer // 2}, buffer_size = {buffer}"


_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12, "kib": 1 << 10, "mib": 1 << 20,
          "gib": 1 << 30, "tib": 1 << 40}


def _bytes(setting: str) -> int:
    """DuckDB's memory setting ("22.8 MiB", "1.0 GiB") in bytes; unknown forms count as unbounded."""
    m = re.fullmatch(r"\s*([\d.]+)\s*([a-zA-Z]*)\s*", str(setting))
    if not m or m.group(2).lower() not in _UNITS:
        return 1 << 62
    return int(float(m.group(1)) * _UNITS[m.group(2).lower()])


def check_width(p: Path, n: int) -> None:
    """Refuse a file with more columns than any table we import (DuckDB would run out of memory planning it)."""
    if n > MAX_COLUMNS:
        raise UserError(f"列数过多: {n} 列（最多 {MAX_COLUMNS} 列），请只保留需要导入的列: {p}", f"too many columns: {n} (at most {MAX_COLUMNS}); keep only the columns to import: {p}")
