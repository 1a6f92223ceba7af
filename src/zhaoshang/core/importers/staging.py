"""Staging: a source file becomes a typed table of target fields, with every unusable value reported.

The work is set-based: the file is read by DuckDB into text columns; each parser runs in Python only
on the DISTINCT values of its column(s) and the results are joined back, so a 10 M-row file with a few
thousand distinct dates costs a few thousand parser calls, not ten million.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import duckdb
import pyarrow as pa
from duckdb import sqltypes

from ..errors import UserError
from ..fields import Field, is_row_number, kind_fields, known_headers, recognise_columns
from ..parse.dates import china_today
from ..parse.placeholders import placeholder_sql
from ..parse.uscc import uscc_normalize_sql, uscc_valid_arrow
from ..readers import MAX_CELL_CHARS, HeaderRule, RawInfo, read_into
from ..text import strip_trading_day_marks_sql

_seq = itertools.count(1)


def qi(name: str) -> str:
    """Quote an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def ql(value: str) -> str:
    """Quote an SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


@dataclass
class Mapping:
    """Which source column feeds which target field, constant defaults and per-field options."""

    kind: str
    columns: dict[str, str | list[str]] = field(default_factory=dict)  # target → header (or headers, first non-empty wins)
    defaults: dict[str, Any] = field(default_factory=dict)  # target field → constant
    separators: dict[str, str] = field(default_factory=dict)  # list field → separator characters
    units: dict[str, str] = field(default_factory=dict)  # amount/number field → unit (万元, 元, USD…)
    combine: dict[str, str] = field(default_factory=dict)  # text field → joiner: rows of one key are combined
    source: str | None = None
    name: str | None = None  # preset or mapping-file name, for the record
    # the fields a preset reads from a column the file may lack (the field is not required and no mapping file names
    # its column): such a column absent is skipped and named (``Staged.columns_absent``), the field then read from
    # a header the kind recognises — when the file holds most of the preset's columns (else it is another export's
    # layout, refused naming the column)
    optional: set[str] = field(default_factory=set)
    # enterprises: the name column holds a short name (an exchange list's 扩位证券简称): a full legal name imported later
    # replaces it, and it never replaces one (``enterprises.name_short``)
    name_is_short: bool = False
    # text field → {value as written: value stored} (a code list's L/D/P; a value mapped to None is none)
    values: dict[str, dict[str, str | None]] = field(default_factory=dict)


@dataclass
class Staged:
    """The typed staging table of one import (all files), plus what was read."""

    kind: str
    table: str
    raws: list[RawInfo]
    fields: dict[str, Field]
    present: set[str]  # fields that came from a column or a default
    header_of: dict[str, str]  # field → source header (for reject messages)
    rows_read: int
    alternates: dict[str, list[str]] = field(default_factory=dict)  # field → fallback headers (the name's: flag ``name__alt``)
    # columns no file maps (name → SQL type): never stored; the table typing reads and ``_typed`` give them as NULL
    absent: dict[str, str] = field(default_factory=dict)
    # credit-code fields stored only where the checked code (``<field>__ok``) differs from them
    compact: list[str] = field(default_factory=list)
    # the SQL of ``_stg`` with ``ROWS`` standing for a condition on the rowid of the file's table (one file read
    # straight into the staging shape): ``part`` gives the rows of one range, read without scanning the others
    part_sql: str | None = None
    # the preset's columns the files lack (``Mapping.optional``), in the preset's order: the import report's
    # ``columns_absent``, which the command names (stderr) and the 数据更新 page's line of an upload's job shows
    columns_absent: list[str] = field(default_factory=list)

    def column_map(self) -> dict[str, str]:
        """Field → the header it was read from, in the order of the columns in the file(s) (the first file's, then
        any header a later file adds); fields given only by a default last, by name. Stable from run to run (the
        import report, the ``imports`` table's ``options.columns``)."""
        place: dict[str, int] = {}
        for r in self.raws:
            for h in r.headers:
                place.setdefault(h, len(place))
        mapped = [(f, self.header_of[f]) for f in self.present if f in self.header_of]
        return dict(sorted(mapped, key=lambda fh: (place.get(fh[1], len(place)), fh[0])))

    def unread_headers(self) -> list[str]:
        """The files' headers no field was read from (not in ``column_map``), in file order: not imported — the
        import report's ``columns_unread``, which the command and the 数据更新 page name. A file's own row numbers
        (``fields.ROW_NUMBER_HEADERS``: 序号) are left out: no field is meant to read them; nor a field's fallback
        column (``alternates``: brand_name after legal_name), read where the first is empty."""
        read = {str(h).strip() for h in self.column_map().values()}
        read |= {str(h).strip() for hs in self.alternates.values() for h in hs}
        out: dict[str, None] = {}
        for r in self.raws:
            out.update((h, None) for h in (str(x).strip() for x in r.headers)
                       if h and h not in read and not is_row_number(h))
        return list(out)

    def part(self, lo: int, hi: int) -> str:
        """The staged rows stored at places ``lo`` ≤ rowid < ``hi`` of the file's table, as ``_stg`` gives them."""
        assert self.part_sql is not None
        return "(" + self.part_sql.replace(ROWS, f"rowid >= {lo} AND rowid < {hi}") + ")"


ROWS = "/*rows*/ true"  # the place of a row-range condition in ``Staged.part_sql``


def header_rule(kind: str, mapping: Mapping, row: int | None = None) -> HeaderRule:
    """Which row of each file is its header: ``row`` when the user names it (``--header-row``), else the first of
    the first rows that names two or more of the columns the kind recognises or the mapping reads, more than any
    row above it (an export's title lines above the header are skipped, not read as rows); the first row when
    none does."""
    if row is not None:
        return HeaderRule(row=row)
    extra = tuple(s for v in mapping.columns.values() for s in (v if isinstance(v, list) else [v]))
    return HeaderRule(known=lambda cells: known_headers(kind, cells, extra))


def _preset_hint(kind: str, headers: list[str]) -> tuple[str, str]:
    """When the columns are a preset's layout (an export read without its preset): which preset, as the command needs it."""
    from .presets import fits_sentence, fitting_preset, use_preset

    fit = fitting_preset(headers, kind)
    if fit is None:
        return "", ""
    name, other = fit
    zh, en = fits_sentence(name, other)
    advice, advice_en = use_preset(name, other)
    return f"。{zh}：{advice}", f". {en[0].upper()}{en[1:]}: {advice_en}"


def _headers_to_add(f) -> str:
    """The headers a user can give a missing column, in an English message (no Han characters): the English ones
    the kind recognises (the field's name first), and that its Chinese headers are read too."""
    heads = list(dict.fromkeys([f.name, *(h for h in f.headers if h.isascii())]))
    chinese = any(not h.isascii() for h in f.headers)
    named = heads[0] if len(heads) == 1 else f"{', '.join(heads[:-1])} or {heads[-1]}"
    return named + (", or one of its Chinese headers (docs/data-formats.md)" if chinese else "")


def refuse_columns_a_preset_reads(kind: str, headers: list[str], taken: set[str], path: Path) -> None:
    """A file in a preset's layout of this kind, imported without the preset, would be read by the headers the
    kind recognises and the preset's other columns dropped without a word (a 需求清单 of the scenario_demands
    layout kept its title and date only, the A-share master table its codes and industries): refused,
    naming the preset and the columns it reads that would be lost."""
    from .presets import fits_sentence, fitting_presets, list_presets, use_preset

    for name in fitting_presets(headers, kind):
        cols = list_presets()[name]["columns"].values()
        lost = [h for h in headers if h not in taken and any(h == v or (isinstance(v, list) and h in v) for v in cols)]
        if lost:
            zh, en = fits_sentence(name)
            advice, advice_en = use_preset(name)
            raise UserError(f"{path.name}: {zh}；不用该预设，其中的列 {'、'.join(lost)} 将不被读取，未导入。{advice}",
                            en=f"{path.name}: {en}; without it the columns {', '.join(lost)} would not be read, nothing "
                               f"imported. {advice_en[0].upper()}{advice_en[1:]}")


def _other_sheets(path: Path, hint: tuple[str, str] = ("", ""), sheet: str | None = None,
                  wanted: list[str] | None = None) -> tuple[str, str]:
    """A workbook of several sheets: say which one was read and which others there are (an export with a 说明
    sheet before its data) — (Chinese, English) to add to a missing-column error, else ``hint``. With ``wanted``
    (the columns a preset reads), the other sheet that holds them all is named with the option that imports it."""
    from ..readers import detect_format
    from ..readers.xlsx import peek_xlsx_headers, pick_sheet, sheet_names

    names = sheet_names(path) if detect_format(path) == "xlsx" else []
    if len(names) < 2:
        return hint
    read = pick_sheet(path, names, sheet)
    others = [n for n in names if n != read]
    below_title = HeaderRule.naming(wanted or ())
    fits = next((n for n in others if wanted and set(wanted) <= set(peek_xlsx_headers(path, n, below_title))), None)
    if fits is not None:
        return (f"（读取的是工作表「{read}」；工作表「{fits}」有这些列：加 --sheet {fits} 导入它）",
                f" (sheet {read} was read; sheet {fits} has these columns: add --sheet {fits} to import it)")
    which = ("第一个" if read == names[0] else f"第 {names.index(read) + 1} 个"), (
        "the first sheet" if read == names[0] else f"sheet {names.index(read) + 1}")
    return (f"（读取的是{which[0]}工作表「{read}」，另有工作表: {'、'.join(others)}；用 --sheet 名称或序号选择要导入的工作表）",
            f" ({which[1]}, {read}, was read; other sheets: {', '.join(others)}; choose the sheet to import with "
            "--sheet NAME or number)")


def _refuse_unknown_columns(kind: str, headers: list[str], mapping: Mapping, path: Path, sheet: str | None,
                            unknown: list[tuple[str, str]]) -> None:
    """Refuse the mapping's columns the file lacks (``unknown``: target, column), naming first those of required
    fields (场景名称 of ``scenario_demands``) and the others after them as a note (另缺可选列: 场景编号 …) — not the
    first lacking in the mapping's order, an optional key; saying whose columns they are (a preset chosen for another
    export reads as bare column names otherwise) and which preset the file's columns do fit, if one does."""
    fields = kind_fields(kind)
    needed = list(dict.fromkeys(s for t, s in unknown if fields[t].required))  # a column read for two fields: once
    others = [s for s in dict.fromkeys(s for t, s in unknown if not fields[t].required) if s not in needed]
    head = needed or others
    rest = others if needed else []
    preset = mapping.name and not mapping.name.endswith((".yaml", ".yml"))
    one = len(head) == 1
    by_zh, by_en = ((f"预设 {mapping.name} 读取{'此列' if one else '这些列'}；",
                     f"the preset {mapping.name} reads {'it' if one else 'them'}; ") if preset else ("", ""))
    optional = all(t in mapping.optional for t, s in unknown if s in rest)  # (a mapping file's columns are all required)
    shown, more = rest[:6], len(rest) - 6  # a note, not a second list of the file's columns
    note_zh = (f"另缺{'可选' if optional else ''}列: {'、'.join(shown)}" + (f" 等 {len(rest)} 列" if more > 0 else "") + "；"
               if rest else "")
    note_en = (f"also lacking {'optional ' if optional else ''}{'column' if len(rest) == 1 else 'columns'}: "
               f"{', '.join(shown)}" + (f" and {more} more" if more > 0 else "") + "; " if rest else "")
    wanted = [c for v in mapping.columns.values() for c in (v if isinstance(v, list) else [v])]
    zh, en = _other_sheets(path, _preset_hint(kind, headers), sheet, wanted)
    raise UserError(f"{path.name}: 映射指定的列不存在: {'、'.join(head)}（{by_zh}{note_zh}文件中的列: {', '.join(headers[:30])}）{zh}",
                    en=f"{path.name}: the mapping names {'a column' if one else 'columns'} the file does not have: "
                       f"{', '.join(head)} ({by_en}{note_en}columns: {', '.join(headers[:30])}){en}")


def resolve_mapping(kind: str, headers: list[str], mapping: Mapping, path: Path,
                    sheet: str | None = None, absent: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
    """Target field → source header(s) for one file; clear errors for unknown or missing columns. A preset's column
    the file lacks (``Mapping.optional``: an optional field's) is skipped when the file holds more of the preset's
    columns than it lacks, and put in ``absent`` (field → the columns); the field may then be read from a header the
    kind recognises."""
    fields = kind_fields(kind)
    result: dict[str, list[str]] = {}
    groups = [(t, v if isinstance(v, list) else [v]) for t, v in mapping.columns.items()]
    lacking = sum(1 for _, srcs in groups if not any(s in headers for s in srcs))
    tolerated = lacking < len(groups) - lacking  # else the file is another export's layout
    unknown: list[tuple[str, str]] = []  # (target, column) of the mapping's columns the file lacks
    for target, src in mapping.columns.items():
        if target not in fields:
            raise UserError(f"映射中的目标字段不存在: {target}（{kind} 可用字段: {', '.join(fields)}）", f"target field of the mapping does not exist: {target} (fields of {kind}: {', '.join(fields)})")
        srcs = src if isinstance(src, list) else [src]
        if tolerated and target in mapping.optional and not fields[target].required:
            if absent is not None and any(s not in headers for s in srcs):
                absent[target] = [s for s in srcs if s not in headers]
            srcs = [s for s in srcs if s in headers]
            if not srcs:
                continue
        unknown += [(target, s) for s in srcs if s not in headers]
        result[target] = srcs
    if unknown:
        _refuse_unknown_columns(kind, headers, mapping, path, sheet, unknown)
    taken = {s for srcs in result.values() for s in srcs}
    # Exact target-field names first (our own canonical files), then recognised headers.
    for h in headers:
        if h in fields and h not in result and h not in taken:
            result[h] = [h]
            taken.add(h)
    for target, src in recognise_columns(kind, [h for h in headers if h not in taken]).items():
        if target not in result:
            result[target] = [src]
            taken.add(src)
    missing = [f for f in fields.values() if f.required and f.name not in result and f.name not in mapping.defaults]
    if missing:
        names = "、".join(f"{f.headers[0] if f.headers else f.name} ({f.name})" for f in missing)
        names_en = "; ".join(f"{f.name} (add a column headed {_headers_to_add(f)})" for f in missing)
        zh, en = (_other_sheets(path, sheet=sheet) if mapping.name
                  else _other_sheets(path, _preset_hint(kind, headers), sheet))
        raise UserError(f"{path.name}: 缺少必需列: {names}；文件中的列: {', '.join(headers[:30])}{zh}",
                        en=f"{path.name}: missing required column: {names_en}; columns in the file: {', '.join(headers[:30])}{en}")
    return result


def stage_files(con: duckdb.DuckDBPyConnection, kind: str, paths: list[Path], mapping: Mapping,
                hashed: bool = False, skip: Callable[..., str | None] | None = None,
                defer_checks: bool = False, sheet: str | None = None, header: HeaderRule | None = None) -> Staged:
    """Read every file into the staging shape: ``_stg`` with a column per target field.

    A CSV is read, trimmed, mapped and its credit codes checked in one parallel pass into a table per file
    (``_stg0``, ``_stg1`` …; row numbers from the rowid, rows being stored in file order); other formats are read
    first and shaped in a second pass. The view ``_stg`` numbers the rows and leaves out fully empty ones.
    ``hashed``: each row's content hash (``_hash``, ``content_hash_sql``) is computed in the same pass.
    ``skip(con, staged)`` may name a table of hashes (``row_hash``) whose rows to leave out (rows a delta
    import already holds): the rest is then kept in ``_stg_rest``, which every typing pass reads instead.
    ``defer_checks`` (a later export, most of whose rows will be left out): the credit codes are checked as the
    rest is kept, not for every row read. ``sheet``: an XLSX's sheet by name or number (default the first).
    ``header``: which row of each file is its header (``header_rule``; default the first)."""
    fields = kind_fields(kind)
    if any(f.type == "uscc" for f in fields.values()):
        _register_checks(con)
    raws: list[RawInfo] = []
    header_of: dict[str, str] = {}
    alternates: dict[str, list[str]] = {}
    present: set[str] = set(mapping.defaults)
    if hashed and len(paths) > 1:
        # the hash covers the fields of all files (an absent one counts as empty): known before the first is read
        present |= _fields_of(kind, paths, mapping, sheet, header)

    # a later export: rows whose hash is the latest of some key keep only their hash (``_packed_shape``)
    latest = skip.prepare(con) if hashed and skip is not None and hasattr(skip, "prepare") else None
    packed: list[str] = []  # the packed columns, in order
    held: set[str] = set()  # the fields some file maps or defaults
    absent_by_file: list[dict[str, list[str]]] = []  # each file's preset columns it lacks (field → columns)

    def shaper(i: int, path: Path):
        def shape(headers: list[str], columns: list[str], relation: str, passthrough: str) -> str:
            lacking: dict[str, list[str]] = {}
            colmap = resolve_mapping(kind, headers, mapping, path, sheet, lacking)
            absent_by_file.append(lacking)
            as_read: dict[str, str] = {}
            select, alt, here = _shape_select(fields, mapping, colmap, dict(zip(headers, columns)), headers,
                                              header_of, alternates, present, as_read)
            held.update(here)
            if latest is not None:
                return _packed_shape(fields, present, select, alt, relation, passthrough, latest, packed, here,
                                     as_read)
            # a credit code is normalised from its trimmed value in a layer of its own: an expression inside the
            # same SELECT would trim and map the cell again for each of its uses
            codes = [f for f in fields if fields[f].type == "uscc" and f in here]
            select = [c for c in select if _alias(c) not in {f + "__n" for f in codes}]
            inner = f"SELECT {passthrough}, {', '.join(select)}, {alt or 'false'} AS name__alt FROM {relation}"
            if codes and defer_checks:  # the normalised codes are kept for the checks made later
                inner = (f"SELECT *, {', '.join(uscc_normalize_sql(qi(f)) + ' AS ' + qi(f + '__n') for f in codes)} "
                         f"FROM ({inner})")
            if hashed:  # the content hash of the trimmed values, in the same pass
                inner = f"SELECT *, {content_hash_sql(fields, present, here)} AS _hash FROM ({inner})"
            checked = [] if defer_checks else _read_checks(codes)
            out = f"SELECT *{''.join(', ' + c for c in checked)} FROM ({inner})"
            # a code as read is kept only where it is not the checked one (mostly it is): the view restores it
            return f"SELECT *{compact_sql(codes)} FROM ({out})" if checked else out
        return shape

    # rows must land in file order for the rowid to number them
    con.execute("SET preserve_insertion_order = true")
    views = []
    try:
        _read_all(con, paths, shaper, views, raws, sheet, header)
        # the columns no file holds are given by the view (NULL), never stored
        absent = {} if latest is not None else _absent(fields, defer_checks, _stored(con, len(paths)))
        # the division code is the checked code's digits 3–8: the view reads it there, it is not stored
        derived = {"uscc__div": "substr(uscc__ok, 3, 6)"} if "uscc" in held and not defer_checks else {}
        compact = [] if latest is not None or defer_checks else [f for f in fields if f in held
                                                                 and fields[f].type == "uscc"]
        view = (f"SELECT *{restore_sql(compact)}{_nulls(absent, derived)} FROM ("
                + " UNION ALL BY NAME ".join(f"{sql} WHERE {' AND '.join(cond)}" if cond else sql for sql, cond in views)
                + ")")
        con.execute(f"CREATE OR REPLACE TEMP VIEW _stg AS {view}")
        con.execute("SET preserve_insertion_order = false")  # every row now carries its number
        rows = sum(r.rows for r in raws)
        for f in fields:
            header_of.setdefault(f, f)
        staged = Staged(kind, "_stg", raws, fields, present, header_of, rows, alternates, absent, compact)
        staged.columns_absent = _columns_absent(mapping, absent_by_file)
        if len(paths) == 1 and latest is None:
            sql, cond = views[0]
            staged.part_sql = view.replace(f"{sql} WHERE {' AND '.join(cond)}" if cond else sql,
                                           f"{sql} WHERE {' AND '.join(cond + [ROWS])}")
        skipped = skip(con, staged) if skip else None
    finally:
        if latest is not None:
            skip.close()
    checks = "".join(", " + c for c in _checks(fields, held)) if defer_checks else ""
    if defer_checks and latest is None:  # the check columns of the codes no file maps: NULL, like their codes
        late = {c: t for c, t in _absent(fields, False, set(held)).items() if c.endswith("__ok") or c == "uscc__div"}
        staged.absent.update(late)
        checks += _nulls(late)
    if latest is not None:
        # the values of the rows that are not unchanged, unpacked (the fields no file maps as NULL): every typing
        # pass reads only them
        staged.absent = _absent(fields, False, set(packed) | {c + "__ok" for c in held if fields[c].type == "uscc"}
                                | ({"uscc__div"} if "uscc" in held else set()))
        con.execute(f"CREATE OR REPLACE TEMP TABLE _stg_rest AS SELECT *{checks}{_nulls(staged.absent)} FROM ("
                    f"SELECT _file, _row, _hash, unnest(json_transform(_v, {ql(_packed_types(fields, packed))})) "
                    "FROM _stg WHERE _v IS NOT NULL)")
        staged.table = "_stg_rest"
    elif skipped:
        # only the (few) changed rows stay, found by their hash alone: every typing pass then reads only them
        con.execute(f"CREATE OR REPLACE TEMP TABLE _stg_rest AS SELECT *{checks} FROM (SELECT s.* FROM _stg s "
                    f"ANTI JOIN {skipped} u ON u.row_hash = s._hash)")
        staged.table = "_stg_rest"
    elif defer_checks:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _stg_rest AS SELECT *{checks} FROM _stg")
        staged.table = "_stg_rest"
    return staged


def _columns_absent(mapping: Mapping, absent_by_file: list[dict[str, list[str]]]) -> list[str]:
    """The preset's columns some file lacked, in the preset's order. A preset's unit belongs to its column
    (``投资规模（万元）``: a bare 800 is 800 万元): a field whose column no file had is read by its own header's unit."""
    gone = [t for t in mapping.columns if absent_by_file and all(t in a for a in absent_by_file)]
    for t in gone:
        mapping.units.pop(t, None)
    return list(dict.fromkeys(c for t in mapping.columns for a in absent_by_file for c in a.get(t, [])))


def _read_all(con, paths: list[Path], shaper, views: list[tuple[str, list[str]]], raws: list[RawInfo],
              sheet: str | None = None, header: HeaderRule | None = None) -> None:
    """Read each file into ``_stg<i>`` in the staging shape; ``views`` gets the SELECT that numbers its rows and
    the conditions on them."""
    for i, path in enumerate(paths):
        shape = shaper(i, path)
        raw = read_into(con, path, f"_stg{i}", shape=shape, sheet=sheet, header=header)
        if raw.row_sql is None:  # not a CSV: the raw table (with _row) is shaped in a second pass
            con.execute(f"ALTER TABLE _stg{i} RENAME TO _raw{i}")
            con.execute(f"CREATE OR REPLACE TEMP TABLE _stg{i} AS "
                        + shape(raw.headers, raw.columns, f"_raw{i}", "_row"))
            con.execute(f"DROP TABLE IF EXISTS _raw{i}")
            views.append((f"SELECT {i} AS _file, * FROM _stg{i}", []))
        else:
            views.append((f"SELECT {i} AS _file, {raw.row_sql} AS _row, * EXCLUDE (_keep) FROM _stg{i}",
                          [] if raw.all_kept else ["_keep"]))
        if not raw.rows:  # an export cut short: as a registry's delta it would report every enterprise gone
            raise UserError(f"文件没有数据行（只有表头）: {path}", en=f"the file has no data rows (a header only): {path}")
        raws.append(raw)


def _checks(fields: dict[str, Field], here: set[str], division: bool = True) -> list[str]:
    """Valid credit codes (``<field>__ok``) and, for the enterprise's own code, its division code: evidence for
    the region (``division``; else the view derives it). ``here``: the fields the rows hold (a code no file
    maps is absent, not checked)."""
    checked = [f"CASE WHEN {USCC_VALID}({qi(f.name + '__n')}) THEN {qi(f.name + '__n')} "
               f"END AS {qi(f.name + '__ok')}" for f in fields.values() if f.type == "uscc" and f.name in here]
    if "uscc" in fields and "uscc" in here and division:
        checked.append("substr(uscc__ok, 3, 6) AS uscc__div")
    return checked


def _read_checks(codes: list[str]) -> list[str]:
    """The checked credit codes (``<field>__ok``) as the read computes them: a code valid as it stands is
    already in normal form (18 characters of the check's own set), so only the others are normalised (no
    pattern match per row) and checked again."""
    out = []
    for f in codes:
        n = uscc_normalize_sql(qi(f))
        out.append(f"CASE WHEN {USCC_VALID}({qi(f)}) THEN {qi(f)} WHEN {USCC_VALID}({n}) THEN {n} END "
                   f"AS {qi(f + '__ok')}")
    return out


USCC_VALID = "_uscc_valid"  # ``uscc_valid_arrow`` as a DuckDB function (``_register_checks``)


def _register_checks(con) -> None:
    """The credit-code check as a vectorised function of the connection: one numpy pass per batch of codes
    instead of 17 SQL terms per code. Registered once per connection: a second registration is refused by the
    client before it reaches the catalog (an open transaction goes on), which costs nothing, where listing
    ``duckdb_functions()`` to look for it took about 20 ms an import."""
    try:
        con.create_function(USCC_VALID, uscc_valid_arrow, [sqltypes.VARCHAR], sqltypes.BOOLEAN, type="arrow",
                            null_handling="special", side_effects=False)
    except duckdb.NotImplementedException as exc:  # already registered on this connection
        if "already created" not in str(exc):
            raise


def _absent(fields: dict[str, Field], defer_checks: bool, stored: set[str]) -> dict[str, str]:
    """The staging columns (name → SQL type) not in ``stored``: given as NULL, never stored. With
    ``defer_checks`` the checks' columns are added later (over the rows kept), not here."""
    expected = {}
    for f in fields.values():
        expected[f.name] = "VARCHAR"
        if f.type == "uscc":
            expected[f.name + "__n"] = "VARCHAR"
            if not defer_checks:
                expected[f.name + "__ok"] = "VARCHAR"
    if "uscc" in fields and not defer_checks:
        expected["uscc__div"] = "VARCHAR"
    expected["_extra"] = "JSON"
    return {c: t for c, t in expected.items() if c not in stored}


def _stored(con, files: int) -> set[str]:
    """The columns the per-file staging tables hold."""
    tables = ", ".join(ql(f"_stg{i}") for i in range(files))
    return {r[0] for r in con.execute("SELECT DISTINCT column_name FROM duckdb_columns() WHERE database_name = "
                                      f"'temp' AND table_name IN ({tables})").fetchall()}


def compact_sql(codes: list[str], alias: str = "") -> str:
    """``* REPLACE`` items that keep a credit code as read only where it differs from its checked form."""
    a = alias + "." if alias else ""
    return (" REPLACE (" + ", ".join(f"CASE WHEN {a}{qi(c)} IS DISTINCT FROM {a}{qi(c + '__ok')} THEN {a}{qi(c)} END "
                                    f"AS {qi(c)}" for c in codes) + ")") if codes else ""


def restore_sql(codes: list[str], same: dict[str, str] | None = None) -> str:
    """``* REPLACE`` items that give back the credit codes ``compact_sql`` left out, and the columns stored as
    NULL where they equal another (``same``: column → the column it then equals)."""
    pairs = {c: c + "__ok" for c in codes} | (same or {})
    return (" REPLACE (" + ", ".join(f"coalesce({qi(c)}, {qi(b)}) AS {qi(c)}" for c, b in pairs.items()) + ")"
            ) if pairs else ""


def _nulls(columns: dict[str, str], derived: dict[str, str] | None = None) -> str:
    """SELECT items giving ``columns`` as NULL (or as their ``derived`` expression)."""
    derived = derived or {}
    return "".join(f", {derived[c] if c in derived else 'NULL::' + t} AS {qi(c)}" for c, t in columns.items())


def _alias(item: str) -> str:
    """The column name of one ``expr AS "name"`` item of the staging SELECT."""
    return item.rsplit(" AS ", 1)[1].strip('"').replace('""', '"')


def _packed_shape(fields, present, select: list[str], alt: str | None, relation: str, passthrough: str,
                  latest, packed: list[str], here: set[str], as_read: dict[str, str]) -> str:
    """The staging SELECT of a later export: every row's content hash, and its other values — packed as one JSON
    text — only where the hash is not the latest of some key (``latest``, a lookup that keeps the file order).

    The hash is first taken over the cells as read (``as_read``: field → its one source column), untrimmed: a
    row whose cells need no trimming hashes the same either way, so when that hash is the latest of some key
    the row is unchanged and nothing of it is trimmed (an untrimmed hash can only equal a recorded hash if
    its cells were already trimmed). The other rows — new, changed, or cells with spaces around — are
    trimmed, hashed as usual and looked up again; credit-code normalisation, unmapped columns and flags only
    for the rows kept."""
    own = [c for c in select if _alias(c) in fields]
    rest = [c for c in select if _alias(c) not in fields] + [f"{alt or 'false'} AS name__alt"]
    # the packed columns of all files (one file may map a field another does not): unpacked with one structure
    packed += [a for a in map(_alias, own + rest) if a not in packed]
    values = ", ".join(f"{qi(_alias(c))} := {qi(_alias(c))}" for c in own)
    values += "".join(f", {qi(_alias(c))} := {c.rsplit(' AS ', 1)[0]}" for c in rest)
    exprs = {_alias(c): c.rsplit(" AS ", 1)[0] for c in own}
    raw = content_hash_sql(fields, present, here, {f: as_read.get(f, e) for f, e in exprs.items()})
    # the trimmed values only for the rows the untrimmed hash did not find (each in a CASE of its own: an
    # expression shared by two branches would be computed for every row)
    trimmed = ", ".join(f"CASE WHEN NOT _same THEN {e} END AS {qi(f)}" for f, e in exprs.items())
    return (f"SELECT {passthrough}, _hash, CASE WHEN NOT _known THEN to_json(struct_pack({values})) END AS _v "
            f"FROM (SELECT *, CASE WHEN _same THEN true ELSE {latest.sql('_hash')} END AS _known "
            f"FROM (SELECT *, CASE WHEN _same THEN _raw ELSE {content_hash_sql(fields, present, here)} END AS _hash "
            f"FROM (SELECT *, {trimmed} FROM (SELECT *, {latest.sql('_raw')} AS _same "
            f"FROM (SELECT *, {raw} AS _raw FROM {relation})))))")


def _packed_types(fields, packed: list[str]) -> str:
    """The ``json_transform`` structure that unpacks ``_packed_shape``'s values to the staging columns' types."""
    kinds = {"_extra": "JSON", "name__alt": "BOOLEAN"}
    return "{" + ", ".join(f'"{c}": "{kinds.get(c, "VARCHAR")}"' for c in packed) + "}"


def content_hash_sql(fields: dict[str, Field], present: set[str], here: set[str] | None = None,
                     exprs: dict[str, str] | None = None) -> str:
    """The content hash of a staged row: its mapped source values (the same before and after typing) joined
    by a unit separator, as the 128-bit number ``md5_number`` gives (docs/data-formats.md, "The content hash").
    ``present``: the fields of all files; ``here``: those this file holds (the others count as empty);
    ``exprs``: SQL giving a field's value (default: its column)."""
    cols = [f for f in fields if f in present]
    exprs = exprs or {}
    return "md5_number(concat_ws('\x1f', " + ", ".join(
        f"coalesce({exprs.get(f, qi(f))}, '')" if here is None or f in here else "''" for f in cols) + "))"


def _fields_of(kind: str, paths: list[Path], mapping: Mapping, sheet: str | None = None,
               header: HeaderRule | None = None) -> set[str]:
    """The target fields some file of a multi-file import maps (read from the files' headers only)."""
    from ..readers import peek_headers

    out: set[str] = set()
    for path in paths:
        try:
            out |= set(resolve_mapping(kind, peek_headers(path, sheet, header), mapping, path, sheet))
        except UserError:
            pass  # the read itself reports it
    return out


def _shape_select(fields, mapping: Mapping, colmap, col_by_header, headers, header_of, alternates, present,
                  as_read: dict[str, str] | None = None):
    """The staging columns of one file: trimmed text per target field (or its default), the normalised credit
    code (``<field>__n``), the unmapped columns as JSON (``_extra``); the SQL of the flag ``name__alt`` (the
    name came from a fallback column); and the fields the file holds. A field it neither maps nor defaults is
    not stored at all (given as NULL by the view): ten million NULLs still cost memory. ``as_read`` gets the
    column of each field one column feeds, as read (before trimming)."""
    select: list[str] = []
    here: set[str] = set()
    alt = None
    for f in fields.values():
        if f.name in colmap:
            # trimmed; an empty cell or a placeholder ("-", "N/A", 未知: ``parse.placeholders``) is none, in a
            # text field as in a typed one
            exprs = [placeholder_sql(qi(col_by_header[h])) for h in colmap[f.name]]
            if mapping.kind == "enterprises":  # a short name's column read without the trading day's marks
                shorts = colmap.get("short_name", [])
                short = [f.name == "short_name" or (f.name == "name" and (mapping.name_is_short or h in shorts))
                         for h in colmap[f.name]]
                exprs = [strip_trading_day_marks_sql(e) if sh else e for e, sh in zip(exprs, short)]
            if f.name in mapping.values:  # a coded value read as what it stands for
                cases = " ".join(f"WHEN {ql(k)} THEN {'NULL' if v is None else ql(v)}"
                                 for k, v in mapping.values[f.name].items())
                exprs = [f"CASE {e} {cases} ELSE {e} END" for e in exprs]
            select.append(f"coalesce({', '.join(exprs)}) AS {qi(f.name)}")
            if as_read is not None and len(colmap[f.name]) == 1:
                as_read[f.name] = qi(col_by_header[colmap[f.name][0]])
            if len(exprs) > 1:  # a field's fallback columns are read (where the first is empty): never "unread"
                alternates[f.name] = colmap[f.name][1:]
            if f.name == "name" and len(exprs) > 1:  # the name came from a fallback column (e.g. a short name)
                alt = f"({exprs[0]} IS NULL AND coalesce({', '.join(exprs[1:])}) IS NOT NULL)"
            if f.type == "uscc":  # normalised once here, then validated set-based (``__ok``)
                select.append(f"{uscc_normalize_sql('coalesce(' + ', '.join(exprs) + ')')} AS {qi(f.name + '__n')}")
            header_of.setdefault(f.name, colmap[f.name][0])
            present.add(f.name)
            here.add(f.name)
        elif f.name in mapping.defaults and mapping.defaults[f.name] is not None:
            select.append(f"{ql(mapping.defaults[f.name])} AS {qi(f.name)}")
            if f.type == "uscc":
                select.append(f"{uscc_normalize_sql(ql(mapping.defaults[f.name]))} AS {qi(f.name + '__n')}")
            here.add(f.name)
    used = {h for hs in colmap.values() for h in hs}
    extra = [h for h in headers if h not in used]
    if extra:
        select.append("to_json(struct_pack(" + ", ".join(f"{qi(h)} := {qi(col_by_header[h])}" for h in extra)
                      + ")) AS _extra")
    return select, alt, here


# --- rejects -----------------------------------------------------------------------------------

REJECT_DDL = """
CREATE OR REPLACE TEMP TABLE _rej (
    _file INTEGER, _row BIGINT, "column" VARCHAR, value VARCHAR, reason VARCHAR, action VARCHAR,
    code VARCHAR, reason_en VARCHAR
)
"""


def reject_where(con, staged: Staged, condition: str, column: str, reason: tuple[str, str, str],
                 action: str = "rejected", value_sql: str | None = None, table: str | None = None) -> None:
    """Record a problem for every staging row (or row of ``table``) matching ``condition``; ``reason`` is
    (code, Chinese, English)."""
    header = staged.header_of.get(column, column)
    value = value_sql or (f"left(CAST({qi(column)} AS VARCHAR), 200)" if column in staged.fields else "NULL")
    code, zh, en = reason
    con.execute(
        f"INSERT INTO _rej SELECT _file, _row, {ql(header)}, {value}, {ql(zh)}, {ql(action)}, {ql(code)}, {ql(en)} "
        f"FROM {table or staged.table} WHERE {condition}"
    )


# --- distinct-value parsing --------------------------------------------------------------------


DISTINCT_CHUNK = 200_000  # distinct values handed to Python at a time: memory stays bounded at any file size


def map_distinct(con, staged: Staged, name: str, key_cols: list[str], fn: Callable[..., tuple],
                 out: list[tuple[str, pa.DataType]], source: str | None = None, counted: bool = False) -> str:
    """Apply ``fn`` to every distinct non-null combination of ``key_cols``; returns the lookup table name.

    ``fn(*values)`` returns a tuple aligned with ``out`` (name, arrow type). The lookup table has the key
    columns (as ``k0, k1, …``) and the outputs; join it back with ``IS NOT DISTINCT FROM``. The distinct
    values are numbered in DuckDB and handed to Python ``DISTINCT_CHUNK`` at a time, so ten million distinct
    names never become ten million Python objects at once. ``counted``: the lookup also holds how many rows
    have each combination (``_rows``), counted in the same pass.
    """
    keys = ", ".join(qi(c) for c in key_cols)
    nonnull = " OR ".join(f"{qi(c)} IS NOT NULL" for c in key_cols)
    lookup = f"_map_{name}_{next(_seq)}"
    dist = lookup + "_in"
    distinct = (f"SELECT {keys}, count(*) AS _rows FROM {source or staged.table} WHERE {nonnull} GROUP BY ALL"
                if counted else f"SELECT DISTINCT {keys} FROM {source or staged.table} WHERE {nonnull}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {dist} AS SELECT row_number() OVER () AS _n, * FROM ({distinct})")
    total = con.execute(f"SELECT count(*) FROM {dist}").fetchall()[0][0]
    schema = pa.schema([(f"k{i}", pa.string()) for i in range(len(key_cols))] + list(out)
                       + ([("_rows", pa.int64())] if counted else []))
    first = True
    for start in range(0, max(total, 1), DISTINCT_CHUNK):
        with warnings.catch_warnings():  # the extra copy is of one chunk of distinct values only
            warnings.simplefilter("ignore", UserWarning)
            chunk = con.execute(f"SELECT {keys}{', _rows' if counted else ''} FROM {dist} WHERE _n > {start} "
                                f"AND _n <= {start + DISTINCT_CHUNK}").to_arrow_table()
        inputs = [chunk.column(i).to_pylist() for i in range(len(key_cols))]
        results = [fn(*vals) for vals in zip(*inputs)]
        arrays = [pa.array(inputs[i], pa.string()) for i in range(len(key_cols))]
        for j, (_, typ) in enumerate(out):
            arrays.append(pa.array([r[j] for r in results], typ))
        if counted:
            arrays.append(chunk.column(len(key_cols)).cast(pa.int64()))
        tbl = pa.Table.from_arrays(arrays, schema=schema)
        con.register(lookup + "_arrow", tbl)
        if first:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {lookup} AS SELECT * FROM {lookup}_arrow")
            first = False
        else:
            con.execute(f"INSERT INTO {lookup} SELECT * FROM {lookup}_arrow")
        con.unregister(lookup + "_arrow")
    con.execute(f"DROP TABLE IF EXISTS {dist}")
    return lookup


def join_lookup(lookup: str, alias: str, key_cols: list[str], base: str = "s") -> str:
    cond = " AND ".join(f"{base}.{qi(c)} IS NOT DISTINCT FROM {alias}.k{i}" for i, c in enumerate(key_cols))
    return f"LEFT JOIN {lookup} {alias} ON {cond}"


def drop_stage(con, staged: Staged) -> None:
    """Free the staging tables once the typed table exists."""
    con.execute("DROP VIEW IF EXISTS _stg")
    if staged.table != "_stg":
        con.execute(f"DROP TABLE IF EXISTS {staged.table}")
    for i in range(len(staged.raws)):
        con.execute(f"DROP TABLE IF EXISTS _stg{i}")
