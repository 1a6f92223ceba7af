"""``import_files``: one import = read → map → type → link → write → events, in one transaction.

A crash or a kill in the middle leaves the database exactly as before (DuckDB rolls back the open
transaction on recovery). Re-importing the same rows adds nothing: records are keyed by
(source, source key) and, for enterprises, their content hash.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from .. import jsonenc
from ..asof import latest_data_date
from ..config import ConfigFile
from ..errors import ImportFailed, UserError, count_en, unknown_choice
from ..fields import ENTERPRISE_EVIDENCE, KINDS, MEANINGFUL
from ..memory import IMPORT_DEFAULT, IMPORT_SHARE, IMPORT_VAR, capped
from ..parse.dates import china_day_sql, china_now
from ..readers import header_row_number, header_rows
from ..store import Store
from ..writers import export_query
from .context import ImportContext, ImportReport
from .delta import (SCOPES, count_changes, count_unchanged, guard_absences, has_earlier, linked_records, record_absences,
                    record_relisted, refuse_older_export, same_series_source, skip_absences, split_new, unchanged_rows)
from .enterprises import key_sql, new_registry_rows, write_enterprises, write_new_in_parts
from .events import derive_events
from .facts import WRITERS
from .relink import RELINKED_DDL, apply_relinked, link_pending, scope_of_enterprises
from .presets import fits_sentence, fitting_preset, fitting_presets, list_presets, use_preset
from .staging import REJECT_DDL, Mapping, drop_stage, header_rule, ql, refuse_columns_a_preset_reads, stage_files
from .typing_ import USCC_DROPPED, flag_region_conflicts, type_stage

# a registry's first export typed and written in parts (off: every import types all its rows first)
PARTS = True


def _sheets_read(raws) -> list[dict]:
    """The sheet each XLSX was read from: its name, number (from 1), the workbook's sheet count and whether it
    was the default (the first) — said in the summary, so a workbook of several sheets never reads silently."""
    from ..readers.xlsx import sheet_names

    out = []
    for r in raws:
        if r.format != "xlsx" or not r.sheet:
            continue
        names = sheet_names(Path(r.path)) or [r.sheet]
        out.append({"file": Path(r.path).name, "sheet": r.sheet, "number": names.index(r.sheet) + 1 if r.sheet in names else 1,
                    "of": len(names), "unread": [n for n in names if n != r.sheet and _holds_rows(Path(r.path), n)]})
    return out


def _holds_rows(path: Path, sheet: str) -> bool:
    """Whether a sheet holds any cell (read from its first rows only): the workbook's other sheets that were not
    read are named (``sheets[].unread``), an empty Sheet2 is not."""
    from ..readers import peek_headers

    try:
        return bool(peek_headers(path, sheet))
    except UserError:  # an empty sheet
        return False


def _refuse_another_kinds_export(kind: str, paths: list[Path], sheet: str | None = None, header=None) -> None:
    """A file laid out as another kind's export (IT桔子's financing events imported as ``enterprises``) would be read
    by the headers it shares with this kind — its names — and the rest dropped: 783 enterprises "updated" from funding
    rows. Refused, naming the kind and preset it fits, unless a preset of this kind fits it too."""
    from ..readers import peek_headers

    for p in paths:
        fit = fitting_preset(peek_headers(p, sheet, header), kind)
        if fit is not None and fit[1] is not None:  # another kind's layout, and none of this kind's
            name, other_kind = fit
            fits_zh, fits_en = fits_sentence(name, other_kind)
            labels = "、".join(dict.fromkeys(label for _, label in MEANINGFUL.get(kind, ())))
            fields_en = ", ".join(dict.fromkeys(f for f, _ in MEANINGFUL.get(kind, ())))
            advice, advice_en = use_preset(name, other_kind, kind)
            raise UserError(f"{p.name}: {fits_zh}，不像 {kind} 数据"
                            + (f"（没有{labels}）" if labels else "") + f"，未导入。{advice}",
                            en=f"{p.name}: {fits_en}, not {kind} data"
                               + (f" (no {fields_en})" if fields_en else "") + "; "
                               f"nothing imported. {advice_en[0].upper()}{advice_en[1:]}")


def load_mapping(kind: str, mapping: str | Path | dict | None = None, preset: str | None = None) -> Mapping:
    """Build a ``Mapping`` from a preset name, a YAML mapping file or a dict (the file/dict wins)."""
    if kind not in KINDS:
        raise unknown_choice("数据类型", "kind", kind, KINDS)
    docs: list[tuple[str, dict]] = []
    if preset:
        presets = list_presets()
        if preset not in presets:
            raise unknown_choice("预设", "preset", preset, presets)
        doc = presets[preset]
        if doc.get("kind") != kind:
            raise UserError(f"预设 {preset} 用于 {doc.get('kind')}，不能用于 {kind}", en=f"preset {preset} is for {doc.get('kind')}, not for {kind}")
        docs.append((preset, doc))
    if mapping is not None:
        if isinstance(mapping, dict):
            docs.append(("mapping", mapping))
        else:
            path = Path(mapping)
            doc = ConfigFile.read(path, "映射文件", "mapping file").doc
            if doc.get("kind") and doc["kind"] != kind:
                raise UserError(f"映射文件 {path.name} 用于 {doc['kind']}，不能用于 {kind}", f"mapping file {path.name} is for {doc['kind']}, not {kind}")
            docs.append((path.name, doc))
    m = Mapping(kind=kind)
    optional = {f.name for f in KINDS[kind] if not f.required}
    for i, (name, doc) in enumerate(docs):
        unknown = set(doc) - {"kind", "columns", "defaults", "separators", "units", "combine", "source", "description",
                              "description_en", "name_is_short", "values"}
        if unknown:
            raise UserError(f"{name}: 未知的映射键: {', '.join(sorted(unknown))}", f"{name}: unknown mapping keys: {', '.join(sorted(unknown))}")
        for key in ("columns", "defaults", "separators", "units", "combine"):
            val = doc.get(key) or {}
            if not isinstance(val, dict):
                raise UserError(f"{name}: {key} 应为 字段: 值 的映射", f"{name}: {key} must be a mapping of field: value")
            for k, v in val.items():
                if key == "columns":  # a preset's column of an optional field may be absent; a mapping file's may not
                    (m.optional.add if preset and i == 0 and k in optional else m.optional.discard)(str(k))
                if key == "columns" and isinstance(v, list):
                    getattr(m, key)[str(k)] = [str(x) for x in v]
                else:
                    getattr(m, key)[str(k)] = None if v is None else str(v)
        for k, v in (doc.get("values") or {}).items():
            if not isinstance(v, dict):
                raise UserError(f"{name}: values.{k} 应为 原值: 导入值 的映射", f"{name}: values.{k} must be a mapping of value: value stored")
            m.values[str(k)] = {str(a): None if b is None else str(b) for a, b in v.items()}
        m.source = doc.get("source") or m.source
        if "name_is_short" in doc:  # (a mapping file naming the name column anew says it again)
            m.name_is_short = doc["name_is_short"] is True
        elif "name" in (doc.get("columns") or {}):
            m.name_is_short = False
        m.name = name
    for field_name, sep in m.separators.items():  # a separator between slashes is a regular expression
        if sep and len(sep) > 2 and sep[0] == sep[-1] == "/":
            try:
                re.compile(sep[1:-1])
            except re.error as exc:
                raise UserError(f"{m.name}: separators.{field_name} 不是有效的正则表达式：{sep}（{exc}）",
                                f"{m.name}: separators.{field_name} is not a valid regular expression: {sep} ({exc})") from None
    fields = {f.name for f in KINDS[kind]}
    for key in ("defaults", "separators", "units", "combine", "values"):
        bad = set(getattr(m, key)) - fields
        if bad:
            raise UserError(f"映射中的目标字段不存在: {', '.join(sorted(bad))}（{kind} 可用字段: {', '.join(sorted(fields))}）", f"target fields of the mapping do not exist: {', '.join(sorted(bad))} (fields of {kind}: {', '.join(sorted(fields))})")
    return m


def import_files(
    store: Store,
    kind: str,
    paths: list[str | Path] | str | Path,
    *,
    source: str | None = None,
    mapping: str | Path | dict | None = None,
    preset: str | None = None,
    strict: bool = False,
    data_date: _dt.date | str | None = None,
    synthetic: bool = False,
    rejects_dir: str | Path | None = None,
    progress: Callable[..., Any] | None = None,
    sheet: str | int | None = None,
    scope: str | None = None,
    header_row: int | str | None = None,
) -> ImportReport:
    """Import files of one kind. Returns the report; raises ``ImportFailed`` in strict mode on rejects.
    ``sheet``: an XLSX's sheet by name or number from 1 (default: the first; the report names the one read).
    ``scope`` (enterprises): ``partial`` — the file lists only some of its source's keys, none is marked absent;
    ``complete`` — a full export, the keys it leaves out are marked absent however many; None — an export that would
    mark most of the source's keys absent is refused (``delta.guard_absences``).
    ``header_row``: the line (CSV) or sheet row (XLSX) of the files' header, from 1; by default the importer finds it
    among the first rows (title lines above it skipped) and the report names it (``header_rows``)."""
    scope = None if scope is None or str(scope).strip() == "" else str(scope).strip()
    if scope is not None and scope not in SCOPES:
        raise UserError(f"未知的导出范围: {scope}（可选: {', '.join(SCOPES)}）",
                        en=f"unknown export scope: {scope} (one of: {', '.join(SCOPES)})")
    sheet = None if sheet is None or str(sheet).strip() == "" else str(sheet).strip()
    header_row = header_row_number(header_row)
    if isinstance(paths, (str, Path)):
        paths = [paths]
    paths = [Path(p) for p in paths]
    if not paths:
        raise UserError("没有指定要导入的文件", en="no file to import")
    m = load_mapping(kind, mapping, preset)
    header = header_rule(kind, m, header_row)
    if m.name is None and not m.columns:
        _refuse_another_kinds_export(kind, paths, sheet, header)
    src = source or m.source or paths[0].stem
    from ..parse.dates import china_today, parse_user_date

    data_date = parse_user_date(data_date, "data_date")  # the one parser: no 2024-02-30, nothing after today
    started = _dt.datetime.now().replace(microsecond=0)
    dated = data_date is not None  # undated: changes are dated by the import day, the as-of stays (core.asof)
    data_date = data_date or china_today()  # the import day is China's, whatever the machine's time zone
    step = progress or (lambda *a, **k: None)
    con = store.con
    if kind == "enterprises" and dated:
        refuse_older_export(con, src, data_date)

    step(0, description=f"读取 {paths[0].name}", description_en=f"reading {paths[0].name}", total=6)
    previous_order = con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()[0][0]
    # under the import's memory cap (ZHAOSHANG_IMPORT_MEMORY, read at each import): DuckDB spills beyond it
    with capped(con, IMPORT_VAR, IMPORT_DEFAULT, share=IMPORT_SHARE):
        try:
            return _import(store, kind, paths, m, src, strict, data_date, started, synthetic, rejects_dir, step, dated,
                           sheet, scope if kind == "enterprises" else None, named_by_file=not (source or m.source),
                           header=header)
        finally:
            con.execute(f"SET preserve_insertion_order = {str(previous_order).lower()}")
            _cleanup(con)


def _import(store, kind, paths, m, src, strict, data_date, started, synthetic, rejects_dir, step,
            dated: bool = True, sheet: str | None = None, scope: str | None = None,
            named_by_file: bool = False, header=None) -> ImportReport:
    con = store.con
    # a registry's export named after its file, the first of that name: maybe a later month of a dated source
    series_check = kind == "enterprises" and named_by_file and not has_earlier(con, src)
    con.execute(REJECT_DDL)
    t0 = time.perf_counter()
    # a later export of the same source: rows it already delivered are never staged, typed, linked or written
    ent = kind == "enterprises"
    staged = stage_files(con, kind, paths, m, hashed=ent, skip=unchanged_rows(src, bool(m.combine)) if ent else None,
                         defer_checks=ent and has_earlier(con, src), sheet=sheet, header=header)
    report = ImportReport(None, kind, src, [str(p) for p in paths], rows_read=staged.rows_read,
                          encodings=[r.encoding or r.format for r in staged.raws],
                          columns=staged.column_map(), columns_unread=staged.unread_headers(),
                          columns_absent=staged.columns_absent, data_date=data_date.isoformat(), data_date_given=dated,
                          sheets=_sheets_read(staged.raws), scope=scope,
                          header_rows=header_rows(staged.raws, header is not None and header.row is not None))
    sha = hashlib.sha256("".join(r.sha256 for r in staged.raws).encode()).hexdigest()
    if named_by_file:
        _refuse_same_content(con, kind, sha, src)
    # every row now carries its number: later steps need not keep rows in file order, which lets DuckDB
    # stream them in bounded memory
    con.execute("SET preserve_insertion_order = false")
    unchanged = count_unchanged(con, staged) if ent else 0
    rate = _rate(staged.rows_read, t0)
    step(1, description=f"解析与校验（已读 {staged.rows_read:,} 行，{rate} 行/秒"
                        + (f"，未变 {unchanged:,} 行" if unchanged else "") + "）",
         description_en=f"parsing and checking ({staged.rows_read:,} rows read, {rate} rows/s"
                        + (f", {unchanged:,} unchanged" if unchanged else "") + ")")
    # a registry's first export is typed and written part by part (``write_new_in_parts``); any other import is
    # typed whole here
    first = ent and not unchanged and staged.part_sql is not None and not has_earlier(con, src)
    typing = type_stage(con, staged, m, extra=f"{key_sql(staged)} AS _key" if ent else None, deferred=first)
    flag_region_conflicts(con, staged, typing)
    parts = new_registry_rows(con, staged, typing, m) if first and PARTS else None
    if first and parts is None:
        typing.rows(con, staged.table)
    if parts is None:
        drop_stage(con, staged)  # everything needed is in _typed now
    rejected = con.execute("SELECT count(DISTINCT (_file, _row)) FROM _rej WHERE action = 'rejected'").fetchone()[0]
    report.rows_rejected = rejected
    report.fields_dropped = con.execute("SELECT count(*) FROM _rej WHERE action = 'field_dropped'").fetchone()[0]
    report.region_text_conflicts = con.execute("SELECT count(*) FROM _rej WHERE code = 'region_text_conflict'").fetchone()[0]
    report.amounts_no_unit = con.execute("SELECT count(*) FROM _rej WHERE code = 'amount_no_unit' AND action = 'flagged'"
                                         ).fetchone()[0]
    if parts is None:  # (else counted as the parts are typed)
        report.region_conflicts = con.execute("SELECT count(*) FROM _typed WHERE _region_conflict AND NOT _rejected"
                                              ).fetchone()[0]
    _refuse_wrong_kind(con, staged, paths, staged.rows_read - rejected - unchanged)
    _refuse_unlinkable(con, staged, paths, m, src)
    if m.name is None and not m.columns:
        taken = set(staged.header_of.values()) | {h for hs in staged.alternates.values() for h in hs}
        for raw in staged.raws:
            refuse_columns_a_preset_reads(kind, raw.headers, taken, Path(raw.path))
    if strict and (rejected or report.fields_dropped):
        _refuse_strict(con, paths, store, rejects_dir, src, report, ("rejected", "field_dropped"))
    rate = _rate(staged.rows_read, t0)
    step(1, description=f"关联与写入（{staged.rows_read:,} 行，{rate} 行/秒）",
         description_en=f"linking and writing ({staged.rows_read:,} rows, {rate} rows/s)")
    as_of_before = latest_data_date(store)  # the date every view answers for, before this import
    with store.transaction():
        import_id = store.next_id("imports")
        report.import_id = import_id
        report.rows_duplicate += unchanged
        ctx = ImportContext(store, kind, src, import_id, data_date, started, m, staged, report,
                            rows_ok=staged.rows_read - rejected - unchanged, named_by_file=named_by_file)
        con.execute(RELINKED_DDL)
        if parts is not None:
            # the founded events are written with the enterprises, unless facts waiting for these enterprises
            # (whose events are numbered first) are linked
            if not con.execute("SELECT 1 FROM pending_links LIMIT 1").fetchall():
                ctx.founded_events = store.next_id("events")
            write_new_in_parts(ctx, typing, parts, step)
            drop_stage(con, staged)
            report.changes = split_new(con, import_id, count_changes(con, src, import_id, ctx.unique_keys))
            for method, n in linked_records(con, import_id).items():  # this file's rows linked, by evidence
                report.linked_by[method] = report.linked_by.get(method, 0) + n
            _absences(con, src, import_id, scope, report, sha)
            if ctx.linked_ids_sql:
                link_pending(con, scope_of_enterprises(ctx.linked_ids_sql))
        elif kind == "enterprises":
            write_enterprises(ctx)
            report.changes = split_new(con, import_id, count_changes(con, src, import_id, ctx.unique_keys))
            for method, n in linked_records(con, import_id).items():  # this file's rows linked, by evidence
                report.linked_by[method] = report.linked_by.get(method, 0) + n
            _absences(con, src, import_id, scope, report, sha)
            if ctx.linked_ids_sql:  # facts imported earlier that name these enterprises
                link_pending(con, scope_of_enterprises(ctx.linked_ids_sql))
        else:
            WRITERS[kind](ctx)
        if series_check:
            report.source_hint = same_series_source(con, src, import_id)
        counts, report.linked_earlier_enterprises = apply_relinked(con, import_id, store.next_id("events"))
        report.linked_earlier = sum(counts.values())
        rate = _rate(staged.rows_read, t0)
        step(2, description=f"生成事件（{rate} 行/秒）", description_en=f"deriving events ({rate} rows/s)")
        if ctx.founded_events is None:
            derive_events(con, import_id, store.next_id("events"), data_date=data_date)
        else:
            derive_events(con, import_id, ctx.founded_events + parts[0], founded=False, data_date=data_date)
        # rows kept without a field their kind should have (a news item without a date or title), by code
        # (a file without the column at all is one line without a row number, counted by the writer)
        report.kept_without = dict(sorted({**dict(con.execute(
            "SELECT code, count(*) FROM _rej WHERE action = 'kept_without' AND _row IS NOT NULL GROUP BY code"
        ).fetchall()), **report.kept_without}.items()))
        if strict:  # what the writers noted (a key repeated, a row kept without a field) fails a strict import too:
            # raised inside the transaction, so nothing is written
            _refuse_strict(con, paths, store, rejects_dir, src, report, ("kept_record", "kept_without"))
        # the problems, with what the writers noted (a key repeated within the import: ``key_repeated``)
        if con.execute("SELECT 1 FROM _rej LIMIT 1").fetchall():
            report.rejects_path = _write_rejects(con, paths, store, rejects_dir, src)
        con.execute(
            "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP, ?, ?, ?, ?, ?, ?, ?, ?)",
            [import_id, kind, src, [str(p) for p in paths], sha, data_date, started, report.rows_read,
             report.rows_imported, report.rows_updated, report.rows_duplicate, report.rows_rejected,
             report.rejects_path, jsonenc.dumps({"mapping": m.name, "strict": strict, "columns": report.columns,
                                        "data_date_given": dated, "scope": scope,
                                        "sheets": [s["sheet"] for s in report.sheets] or None}), synthetic],
        )
        if synthetic:
            store.set_meta("synthetic", "true")
        # the import may move the date every page, lead list and scorecard answers for (core.asof): said, not silent
        after = latest_data_date(store)
        report.as_of = {"before": as_of_before.isoformat() if as_of_before else None,
                        "after": after.isoformat() if after else None, "moved": after != as_of_before}
    if store.path != ":memory:":
        con.execute("CHECKPOINT")  # write the WAL into the file now, under the import's memory cap
    rate = _rate(staged.rows_read, t0)
    step(1, description=f"完成（{staged.rows_read:,} 行，{rate} 行/秒）",
         description_en=f"done ({staged.rows_read:,} rows, {rate} rows/s)")
    return report


def _refuse_same_content(con, kind: str, sha: str, src: str) -> None:
    """A file whose bytes were imported before under another source, this time with the source named after the file
    (no ``--source``): the same rows again under a second name would double every record, and the next export compared
    with either source would never show a row gone. Refused, naming the earlier import and its source; a source named
    on purpose (``--source``) is the user's choice and stands."""
    # the earlier import's day as it is shown (China's), not the server's
    same = con.execute(f"SELECT id, source, CAST({china_day_sql('finished_at')} AS VARCHAR) FROM imports WHERE kind = ? AND file_sha256 = ? "
                       "AND source <> ? ORDER BY id LIMIT 1", [kind, sha, src]).fetchone()
    if same is None:
        return
    n, earlier, day = same
    raise UserError(f"此文件与导入 #{n}（来源 {earlier}，{day}）内容相同，未导入。要作为该来源的新一期导入，请加 --source {earlier}；"
                    f"确需另记为一个新来源，请用 --source 给出它的名称",
                    en=f"this file has the same content as import #{n} (source {earlier}, {day}); nothing imported. To import "
                       f"it as that source's next export add --source {earlier}; to keep it as a new source on purpose, name it "
                       f"with --source")


def _sheet_of_several(con, src: str, sha: str, sheets: list[dict]) -> dict | None:
    """The sheet an enterprise export was read from when its workbook has several (for ``guard_absences``), with
    the sheet the source imported before from the same workbook (same bytes), if it did: ``earlier``."""
    s = next((s for s in sheets if s["of"] > 1), None)
    if s is None:
        return None
    earlier = con.execute("SELECT json_extract_string(options, '$.sheets[0]') FROM imports WHERE source = ? "
                          "AND kind = 'enterprises' AND file_sha256 = ? ORDER BY id DESC LIMIT 1", [src, sha]).fetchone()
    return {**s, "earlier": earlier[0] if earlier and earlier[0] != s["sheet"] else None}


def _absences(con, src: str, import_id: int, scope: str | None, report: ImportReport, sha: str = "") -> None:
    """The source's keys this export leaves out: refused when most would go and the scope was not said; a partial
    export marks none absent (counted as ``not_listed``); otherwise recorded (``enterprise_absences``)."""
    _, vanish = guard_absences(con, src, scope, _sheet_of_several(con, src, sha, report.sheets))
    if scope == "partial":
        skip_absences(con)
        report.changes = {**(report.changes or {}), "disappeared": 0, "not_listed": vanish}
    record_absences(con, src, import_id)
    record_relisted(con, src, import_id)


def _rate(rows: int, t0: float) -> str:
    """Throughput so far in rows a second, for the progress line."""
    return f"{rows / max(time.perf_counter() - t0, 1e-6):,.0f}"


def _refuse_wrong_kind(con, staged, paths: list[Path], rows_ok: int) -> None:
    """No row holds any field that gives the kind its meaning: the file is of another kind."""
    fields = [(f, label) for f, label in MEANINGFUL.get(staged.kind, ()) if f in staged.present]
    if rows_ok == 0 or not MEANINGFUL.get(staged.kind):
        return
    if fields:
        cond = " OR ".join(f'"{f}" IS NOT NULL' for f, _ in fields)
        if con.execute(f"SELECT 1 FROM _typed WHERE NOT _rejected AND ({cond}) LIMIT 1").fetchall():
            return
    labels = "、".join(dict.fromkeys(label for _, label in MEANINGFUL[staged.kind]))
    found = "、".join(staged.header_of[f] for f in sorted(staged.present) if f in staged.header_of) or "-"
    fields_en = ", ".join(dict.fromkeys(f for f, _ in MEANINGFUL[staged.kind]))
    raise UserError(f"{'、'.join(p.name for p in paths)} 不像 {staged.kind} 数据：没有任何一行有{labels}中的任何一项"
                    f"（识别到的列: {found}），未导入。请检查数据类型或用 --mapping 指定列",
                    en=f"{', '.join(p.name for p in paths)} does not look like {staged.kind} data: no row has any of {fields_en} "
                       f"(columns recognised: {found}); nothing imported. Check the kind or name the columns with --mapping")


def _refuse_unlinkable(con, staged, paths: list[Path], m: Mapping, src: str) -> None:
    """No file maps a column that names the facts' enterprise — or only the enterprise's key in this import's
    source, where no enterprise is known, while a preset reads the file (a Tushare managers list's ts_code is a
    stock code, which the preset reads as one): every row would be tied to nothing."""
    evidence = ENTERPRISE_EVIDENCE.get(staged.kind)
    if not evidence:
        return
    present = [f for f, _ in evidence if f in staged.present or f in m.defaults]
    headers = {h for raw in staged.raws for h in raw.headers}
    fits = [] if m.name else fitting_presets(headers, staged.kind)
    files, files_en = "、".join(p.name for p in paths), ", ".join(p.name for p in paths)
    fits_zh, fits_en = fits_sentence(fits[0]) if fits else ("", "")
    advice, advice_en = use_preset(fits[0]) if fits else ("", "")
    if present:
        if present != ["enterprise_key"] or not fits or con.execute(
                "SELECT 1 FROM enterprise_records WHERE source = ? LIMIT 1", [src]).fetchall():
            return
        key = staged.header_of.get("enterprise_key", "enterprise_key")
        raise UserError(f"{files}: 只有企业在来源中的编号（{key}），而来源 {src} 中没有企业，各行无法关联到企业，未导入。"
                        f"{fits_zh}：{advice}",
                        en=f"{files_en}: only the enterprise's key in its source ({key}), and the source {src} holds no "
                           f"enterprise: the rows could not be linked to any enterprise, nothing imported. "
                           f"{fits_en[0].upper()}{fits_en[1:]}: {advice_en}")
    labels = "、".join(label for _, label in evidence)
    found = [staged.header_of[f] for f in sorted(staged.present) if f in staged.header_of] or ["-"]
    hint = f"{fits_zh}：{advice}" if fits else "请用 --mapping 指定企业列"
    hint_en = f"{fits_en}: {advice_en}" if fits else "name the enterprise column with --mapping"
    raise UserError(f"{files}: 没有可关联企业的列（{labels}中的任何一项；识别到的列: {'、'.join(found)}），"
                    f"各行无法关联到企业，未导入。{hint}",
                    en=f"{files_en}: no column names the enterprise "
                       f"({', '.join(f for f, _ in evidence)}; columns recognised: {', '.join(found)}); the rows could not be "
                       f"linked to any enterprise, nothing imported. {hint_en[0].upper() + hint_en[1:]}")


def _refuse_strict(con, paths: list[Path], store: Store, rejects_dir, src: str, report: ImportReport,
                   actions: tuple[str, ...]) -> None:
    """A strict import stops at the first problem of ``actions`` it would report (file, row, column, reason, how many
    in all), having written the problem list; nothing is written to the database."""
    listed = ", ".join(f"'{a}'" for a in actions)
    first = con.execute(f'SELECT _file, _row, "column", reason, reason_en, count(*) OVER () FROM _rej '
                        f"WHERE action IN ({listed}) ORDER BY _file, _row NULLS FIRST LIMIT 1").fetchone()
    if first is None:
        return
    f, row, column, reason, reason_en, total = first
    report.rejects_path = _write_rejects(con, paths, store, rejects_dir, src)
    where = f" 第 {row} 行" if row is not None else ""
    where_en = f" row {row}" if row is not None else ""
    raise ImportFailed(
        f"严格模式：{paths[f].name}{where} {column}: {_problem_only(reason, 0)}（共 {total} 个问题），"
        f"未写入任何数据。问题清单: {report.rejects_path}",
        en=f"strict mode: {paths[f].name}{where_en} {column}: {_problem_only(reason_en, 1)} "
           f"({count_en(total, 'problem')} in all); nothing was written. Problem list: {report.rejects_path}")


# What a problem's reason says an import that goes on did with the row — the value dropped and the other fields
# imported, the earlier row of a repeated key kept as a source record, a news item imported without its date or
# title —, in Chinese and in English: not true of a strict import, which writes nothing, so cut from its refusal.
_OUTCOMES = (
    (re.escape(USCC_DROPPED[0]) + "$", re.escape(USCC_DROPPED[1]) + "$"),
    (r"，以第 \d+ 行为准，第 \d+ 行保留为来源记录$", r"; row \d+ gives the enterprise its values, row \d+ is kept as a source record$"),
    (r"：已导入[^：]*$", r": imported[^:]*$"),
)


def _problem_only(reason: str | None, lang: int) -> str:
    """A rejects-file reason (``lang`` 0: Chinese, 1: English) without what a non-strict import did with the row."""
    text = reason or ""
    for outcome in _OUTCOMES:
        text = re.sub(outcome[lang], "", text)
    return text


# the rejects file's columns: file, row, column, value, reason, action (Chinese, as always), then the problem's
# stable code and the reason and action in English (docs/data-formats.md)
REJECT_ACTIONS = {"rejected": ("已拒绝", "rejected"), "field_dropped": ("字段已忽略", "value dropped"),
                  "kept_record": ("已保留为来源记录", "kept as a source record"),
                  "kept_without": ("已导入（缺此项）", "imported without it"),
                  "flagged": ("已导入（请核对）", "imported, to review"),
                  "kept_unlinked": ("已导入（未关联到企业）", "imported, not linked to an enterprise")}


def _write_rejects(con, paths: list[Path], store: Store, rejects_dir, source: str) -> str:
    """Write the problems next to the database (or into ``rejects_dir``) with the one formula-safe CSV writer."""
    # next to the database; a store in memory (an evaluation's scratch store) has no folder of its own, and its rows
    # to review go to a scratch folder, never into the folder the command was run from
    base = Path(rejects_dir) if rejects_dir else (
        Path(store.path).resolve().parent if store.path != ":memory:" else Path(tempfile.mkdtemp(prefix="zhaoshang-rejects-")))
    base.mkdir(parents=True, exist_ok=True)
    stamp = china_now().strftime("%Y%m%d-%H%M%S")  # China's time, as every date the product shows
    out = base / f"{paths[0].stem}.{stamp}.rejects.csv"
    names = "[" + ", ".join(ql(p.name) for p in paths) + "]"

    def action(i: int) -> str:
        return "CASE action " + " ".join(f"WHEN {ql(k)} THEN {ql(v[i])}" for k, v in REJECT_ACTIONS.items()) + " END"

    export_query(con, f'SELECT {names}[_file + 1] AS file, _row AS row, "column", value, reason, {action(0)} AS action, '
                      f'code, reason_en, {action(1)} AS action_en FROM _rej ORDER BY _file, _row', out, fmt="csv")
    return str(out)


def _cleanup(con) -> None:
    for (name,) in con.execute(
        "SELECT view_name FROM duckdb_views() WHERE temporary AND (view_name LIKE '\\_%' ESCAPE '\\')"
    ).fetchall():
        con.execute(f'DROP VIEW IF EXISTS "{name}"')
    for (name,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE temporary AND (table_name LIKE '\\_%' ESCAPE '\\')"
    ).fetchall():
        con.execute(f'DROP TABLE IF EXISTS "{name}"')
