"""What every reader shares: the description of a loaded file, header cleaning, SQL quoting, format detection."""

from __future__ import annotations

import codecs
import hashlib
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import duckdb

from zhaoshang.core.errors import UserError

from .limits import CHUNK_BYTES, HEADER_SEARCH_ROWS

_BOM_UTF8 = codecs.BOM_UTF8
_BOMS_UTF16 = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


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
    # shaped read (``read_into(shape=…)``): the table holds the caller's columns and ``_keep`` (false for a fully
    # empty row), no ``_row``; ``row_sql`` gives the row number from the table's rowid (rows are stored in file
    # order), and ``all_kept`` says no row needs the ``_keep`` filter
    row_sql: str | None = None
    all_kept: bool = True
    # the header's line (CSV, counted from 1 as a text editor does) or sheet row (XLSX); 1 unless title lines or
    # blank lines come before it (``find_header``)
    header_row: int = 1

    @property
    def column_of(self) -> dict[str, str]:
        """Header text → safe column name (c0, c1, …)."""
        return dict(zip(self.headers, self.columns))


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


@dataclass(frozen=True)
class HeaderRule:
    """Which row of a CSV or a sheet is its header (``find_header``). ``row``: the one the user names (the CSV's
    line, the sheet's row, from 1). ``known(cells)``: how many of a row's cells name a column the import reads —
    exports from enterprise-data platforms start with a title line (企业名单导出（共 2 条） 导出时间：…) and maybe a
    blank line above the real header. Neither: the first row, as always."""

    row: int | None = None
    known: Callable[[list[str | None]], int] | None = None

    @classmethod
    def naming(cls, names: Iterable[str]) -> "HeaderRule":
        """The header is the row whose cells name the most of ``names`` (any case; a byte-order mark and spaces aside)."""
        wanted = frozenset(str(n).lower() for n in names)
        return cls(known=lambda cells: sum(1 for c in cells if c is not None
                                           and str(c).replace("\ufeff", "").strip().lower() in wanted))


def _blank(cells: list) -> bool:
    return all(c is None or not str(c).replace("\ufeff", "").strip() for c in cells)


def find_header(rows: Iterable[tuple[int, list]], rule: HeaderRule | None) -> tuple[int | None, list[tuple[int, list]]]:
    """The one reader of a header row, for CSV and XLSX alike: ``rows`` are (row number, cells) in file order;
    returns the index of the header among the rows it read, and those rows (the ones after it are data).

    ``rule.row`` given: the row of that number (None when the file has no such row — blank, or past the end; rows
    before it are not kept). Else, with ``rule.known``: the first of the first ``HEADER_SEARCH_ROWS`` non-blank rows
    in which at least two cells name known columns, more than in any row above it; when none does, the first row
    (whose headers then say what is missing). Without a rule: the first row."""
    read: list[tuple[int, list]] = []
    if rule is not None and rule.row is not None:
        for n, cells in rows:
            if n < rule.row:
                continue
            read.append((n, cells))
            return (0 if n == rule.row and not _blank(cells) else None), read
        return None, read
    best = nonblank = 0
    for n, cells in rows:
        read.append((n, cells))
        if rule is None or rule.known is None:
            return 0, read
        if _blank(cells):
            continue
        score = rule.known(cells)
        if score >= 2 and score > best:
            return len(read) - 1, read
        best = max(best, score)
        nonblank += 1
        if nonblank >= HEADER_SEARCH_ROWS:
            break
    return (0 if read else None), read


def no_header_row(p: Path, row: int, sheet: str | None = None) -> UserError:
    """The header row the user named holds nothing (or the file ends before it)."""
    if sheet is not None:
        return UserError(f"指定的表头行（工作表 {sheet} 第 {row} 行）为空白或不存在: {p}",
                         f"the header row given (sheet {sheet}, row {row}) is blank or beyond the end of the sheet: {p}")
    return UserError(f"指定的表头行（第 {row} 行）为空白或不存在: {p}",
                     f"the header row given (line {row}) is blank or beyond the end of the file: {p}")


def header_row_number(value: int | str | None) -> int | None:
    """``--header-row`` as a row number from 1 (None: found by the importer)."""
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip()
    if not text.isdigit() or int(text) < 1:
        raise UserError(f"表头行应为从 1 起的行号: {text}", en=f"the header row must be a row number from 1: {text}")
    return int(text)


def header_rows(raws, given: bool) -> list[dict]:
    """The header row of each CSV or XLSX read below its first row — title lines or blank lines above it, not read
    as data — or named by ``--header-row`` (``given``): [{file, row, given}], said in the summary."""
    return [{"file": Path(r.path).name, "row": r.header_row, "given": given}
            for r in raws if r.format in ("csv", "xlsx") and (r.header_row > 1 or given)]


def _first_line(msg: str) -> str:
    return (msg or "").strip().splitlines()[0] if (msg or "").strip() else ""


def _line_in(msg: str) -> int | None:
    m = re.search(r"[Ll]ine:?\s*(\d+)", msg or "")
    return int(m.group(1)) if m else None


def _check_file(path: str | Path) -> Path:
    p = Path(path)
    if not p.exists():
        raise UserError(f"文件不存在: {p}", en=f"file not found: {p}")
    if not p.is_file():
        raise UserError(f"不是文件: {p}", en=f"not a file: {p}")
    if p.stat().st_size == 0:
        raise UserError(f"文件为空: {p}", en=f"the file is empty: {p}")
    return p


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
                raise UserError(f"文件已损坏或不完整 (xlsx): {p}", en=f"the file is damaged or incomplete (xlsx): {p}") from e
            raise UserError(f"文件已损坏或不完整 (zip): {p}", en=f"the file is damaged or incomplete (zip): {p}") from e
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
        raise UserError(f"不支持的压缩文件 (不是 xlsx 工作簿): {p}", en=f"unsupported archive (not an xlsx workbook): {p}")
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UserError(f"不支持旧版 Excel (.xls) 文件，请在 Excel 中另存为 .xlsx 或 CSV: {p}",
                        en=f"old Excel (.xls) files are not supported; save it as .xlsx or CSV in Excel: {p}")
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


def _drop(con, *tables: str) -> None:
    for t in tables:
        try:
            con.execute(f"DROP TABLE IF EXISTS {_q(t)}")
        except duckdb.Error:
            pass

