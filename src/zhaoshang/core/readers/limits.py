"""Limits of the readers, in one place: chunk sizes, the widest file, the longest cell, Excel's last row.

Two are settings read at each call, so a deployment (or a test with small hostile files) can lower them:
``ZHAOSHANG_XLSX_MAX_ROWS`` (rows of a worksheet, Excel's own limit by default) and
``ZHAOSHANG_XLSX_STREAM_BYTES`` (above this much XML a workbook is streamed instead of loaded whole).
"""

from __future__ import annotations

import os
from pathlib import Path

from zhaoshang.core.errors import UserError

CHUNK_BYTES = 1 << 20  # streaming chunk for hashing / decoding / transcoding
XLSX_CHUNK_ROWS = 50_000  # rows handed to DuckDB at a time
MAX_LINE_SIZE = 256 * 1024 * 1024  # a single CSV line (or cell) may be up to 256 MB
SNIFF_CHARS = 256 * 1024
MAX_COLUMNS = 2_000  # wider files are refused before DuckDB plans a scan of thousands of columns
MAX_CELL_CHARS = 1_000_000  # a longer cell is not a value anyone typed: the importer rejects its row
EXCEL_MAX_ROWS = 1_048_576
XLSX_STREAM_BYTES = 16 * 1024 * 1024


def _setting(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        raise UserError(f"设置 {name} 应为整数: {os.environ.get(name)}") from None


def xlsx_max_rows() -> int:
    """Rows of a worksheet read at most (the header included): Excel's limit unless set lower."""
    return _setting("ZHAOSHANG_XLSX_MAX_ROWS", EXCEL_MAX_ROWS)


def xlsx_stream_bytes() -> int:
    """Uncompressed XML of a sheet and its strings above which the workbook is streamed part by part."""
    return _setting("ZHAOSHANG_XLSX_STREAM_BYTES", XLSX_STREAM_BYTES)


def check_width(p: Path, n: int) -> None:
    """Refuse a file with more columns than any table we import (DuckDB would run out of memory planning it)."""
    if n > MAX_COLUMNS:
        raise UserError(f"列数过多: {n} 列（最多 {MAX_COLUMNS} 列），请只保留需要导入的列: {p}")
