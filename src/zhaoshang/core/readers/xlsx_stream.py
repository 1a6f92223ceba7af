"""Streaming rows of one worksheet of an .xlsx file with bounded memory.

A workbook is a zip of XML parts. The sheet and the shared strings are decompressed and parsed in chunks with
the standard library's expat parser, so memory stays bounded by the chunk size and the number of distinct
strings, whatever the number of rows; a cell's text is cut after ``max_cell`` characters (the reader's caller
rejects such a row); rows beyond ``max_rows`` stop the read with the row number. Values come out as the
Python objects calamine gives (str, int/float, bool, date/datetime/time), so both readers feed the same
text conversion.
"""

from __future__ import annotations

import datetime as _dt
import posixpath
import re
import zipfile
from typing import Iterator
from xml.parsers import expat

CHUNK = 1 << 20
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_DATE_IDS = set(range(14, 23)) | {27, 30, 36, 45, 46, 47, 50, 57}
_DATE_CODE = re.compile(r"[dmyhs]", re.I)
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


class RowLimit(Exception):
    """The sheet goes on past ``max_rows``: ``row`` is the first row beyond."""

    def __init__(self, row: int):
        super().__init__(row)
        self.row = row


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _parse(zf: zipfile.ZipFile, name: str, start, end, chars) -> None:
    p = expat.ParserCreate()
    p.buffer_text = True
    p.StartElementHandler = start
    p.EndElementHandler = end
    p.CharacterDataHandler = chars
    with zf.open(name) as fh:
        while chunk := fh.read(CHUNK):
            p.Parse(chunk, False)
    p.Parse(b"", True)


def _small_xml(zf: zipfile.ZipFile, name: str) -> list[tuple[str, dict]]:
    """(tag, attributes) of every element of a small part (workbook, relationships, styles)."""
    out: list[tuple[str, dict]] = []
    if name not in zf.namelist():
        return out
    _parse(zf, name, lambda t, a: out.append((_local(t), {_local(k): v for k, v in a.items()})), lambda t: None,
           lambda d: None)
    return out


def _rels(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type, absolute part name) of ``part``."""
    base = posixpath.dirname(part)
    rels_name = posixpath.join(base, "_rels", posixpath.basename(part) + ".rels")
    out = {}
    for tag, a in _small_xml(zf, rels_name):
        if tag == "Relationship":
            target = a.get("Target", "")
            name = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
            out[a.get("Id")] = (a.get("Type", ""), name)
    return out


class Workbook:
    """Sheet names, date styles and shared strings of a workbook, read part by part."""

    def __init__(self, path, max_cell: int):
        self.zf = zipfile.ZipFile(path)
        self.max_cell = max_cell
        items = _small_xml(self.zf, "xl/workbook.xml")
        rels = _rels(self.zf, "xl/workbook.xml")
        self.sheets: dict[str, str] = {}
        self.date1904 = any(t == "workbookPr" and a.get("date1904") in ("1", "true") for t, a in items)
        for tag, a in items:
            if tag == "sheet":
                rid = a.get("id")
                if rid in rels:
                    self.sheets[a.get("name")] = rels[rid][1]
        self._shared_part = next((n for t, n in rels.values() if t.endswith("/sharedStrings")), None)
        styles = next((n for t, n in rels.values() if t.endswith("/styles")), None)
        self.date_styles = self._date_styles(styles) if styles else set()
        self._shared: list | None = None

    def _date_styles(self, part: str) -> set[int]:
        custom: dict[int, str] = {}
        xfs: list[int] = []
        in_xfs = False
        for tag, a in _small_xml(self.zf, part):
            if tag == "numFmt":
                custom[int(a.get("numFmtId", -1))] = a.get("formatCode", "")
            elif tag == "cellXfs":
                in_xfs = True
            elif tag == "cellStyleXfs":
                in_xfs = False
            elif tag == "xf" and in_xfs:
                xfs.append(int(a.get("numFmtId", 0)))
        dates = set()
        for i, fid in enumerate(xfs):
            code = custom.get(fid)
            if fid in _DATE_IDS or (code is not None and _DATE_CODE.search(_QUOTED.sub("", code))):
                dates.add(i)
        return dates

    @property
    def shared(self) -> list:
        """The shared strings, each cut after ``max_cell`` + 1 characters (phonetic runs left out)."""
        if self._shared is None:
            self._shared = []
            if self._shared_part and self._shared_part in self.zf.namelist():
                self._read_shared()
        return self._shared

    def _read_shared(self) -> None:
        out = self._shared
        buf: list[str] = []
        size = 0
        state = {"t": False, "rph": 0}
        cap = self.max_cell + 1

        def start(tag, _a):
            nonlocal buf, size
            t = _local(tag)
            if t == "si":
                buf, size = [], 0
            elif t == "rPh":
                state["rph"] += 1
            elif t == "t":
                state["t"] = True

        def end(tag):
            t = _local(tag)
            if t == "si":
                out.append("".join(buf))
            elif t == "rPh":
                state["rph"] -= 1
            elif t == "t":
                state["t"] = False

        def chars(data):
            nonlocal size
            if state["t"] and not state["rph"] and size < cap:
                buf.append(data[: cap - size])
                size += min(len(data), cap - size)

        _parse(self.zf, self._shared_part, start, end, chars)

    def serial(self, v: float):
        """An Excel date serial as calamine gives it: a date when whole, else a datetime (a time below 1)."""
        base = _dt.datetime(1904, 1, 1) if self.date1904 else _dt.datetime(1899, 12, 30)
        if 0 <= v < 1 and not self.date1904:
            return (base + _dt.timedelta(days=v)).time().replace(microsecond=0)
        moment = base + _dt.timedelta(days=v)
        moment = (moment + _dt.timedelta(microseconds=500)).replace(microsecond=0)
        return moment.date() if v == int(v) else moment

    def rows(self, sheet: str, max_rows: int) -> Iterator[tuple[int, list]]:
        """(1-based sheet row, cell values from column A) for every row holding a cell, streamed."""
        part = self.sheets[sheet]
        pending: list[tuple[int, list]] = []
        state = {"row": 0, "cells": {}, "col": 0, "type": None, "style": 0, "in": None, "buf": [], "size": 0}
        cap = self.max_cell + 1

        def start(tag, a):
            t = _local(tag)
            if t == "row":
                state["row"] = int(a.get("r") or state["row"] + 1)
                if state["row"] > max_rows:
                    raise RowLimit(state["row"])
                state["cells"] = {}
                state["col"] = -1  # a cell without a reference follows the previous one
            elif t == "c":
                ref = a.get("r")
                state["col"] = _col_index(ref) if ref else state["col"] + 1
                state["type"] = a.get("t", "n")
                state["style"] = int(a.get("s", 0))
                state["buf"], state["size"] = [], 0
            elif t in ("v", "t") and state["in"] is None:
                state["in"] = t
            elif t == "rPh":
                state["in"] = "skip"

        def end(tag):
            t = _local(tag)
            if t in ("v", "t") and state["in"] == t:
                state["in"] = None
            elif t == "rPh":
                state["in"] = None
            elif t == "c":
                value = _value(self, state["type"], "".join(state["buf"]), state["style"], shared_strings)
                if value is not None:
                    state["cells"][state["col"]] = value
            elif t == "row":
                if state["cells"]:
                    width = max(state["cells"]) + 1
                    pending.append((state["row"], [state["cells"].get(i) for i in range(width)]))

        def chars(data):
            if state["in"] in ("v", "t") and state["size"] < cap:
                state["buf"].append(data[: cap - state["size"]])
                state["size"] += min(len(data), cap - state["size"])

        shared_strings = self.shared
        p = expat.ParserCreate()
        p.buffer_text = True
        p.StartElementHandler = start
        p.EndElementHandler = end
        p.CharacterDataHandler = chars
        with self.zf.open(part) as fh:
            while chunk := fh.read(CHUNK):
                p.Parse(chunk, False)
                yield from pending
                pending.clear()
        p.Parse(b"", True)
        yield from pending

    def close(self) -> None:
        self.zf.close()


def _col_index(ref: str) -> int:
    n = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            n = n * 26 + ord(ch) - 64
        elif "a" <= ch <= "z":
            n = n * 26 + ord(ch) - 96
        else:
            break
    return n - 1


def _value(wb: Workbook, typ: str, text: str, style: int, shared: list):
    if typ == "s":
        try:
            v = shared[int(text)]
        except (ValueError, IndexError):
            return None
        return v if v != "" else None
    if typ in ("str", "inlineStr", "e"):
        return text if text != "" else None
    if typ == "b":
        return text.strip() in ("1", "true")
    if text == "":
        return None
    if typ == "d":
        try:
            return _dt.datetime.fromisoformat(text)
        except ValueError:
            return text
    try:
        num = float(text)
    except ValueError:
        return text
    if style in wb.date_styles:
        try:
            return wb.serial(num)
        except (OverflowError, ValueError):
            return num
    return num
