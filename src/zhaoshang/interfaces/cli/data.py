"""Data commands: import, status, presets, export."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import List, Optional

import typer

from ...core.errors import UserError, count_en, noun_en, unknown_choice
from ...core.fields import KINDS
from ...core.parse.dates import china_time_text, data_date_in_names
from ...core.store import OpenRefused
from ...services.datastore import EXPORTS, PERSONAL_KINDS, export_kind, status_summary
from ..labels import KEPT_WITHOUT, LINKED_BY, UNDATED_AS_OF, label, labelled
from .app import (FORMAT_OPTION, Fmt, app, audit_unrecorded, date_option, emit, open_store, open_team, progress, state,
                  synthetic_note, t, update_store)


# --header-row, as every command that reads a user's file with a header says it
HEADER_ROW_HELP = "表头所在的行号（CSV 的行、XLSX 工作表的行，从 1 起）；默认在文件开头几行中自动查找，其上的标题行不导入"

def _kind_and_files(kind: str, files: list[Path], preset: str | None) -> tuple[str, list[Path]]:
    """The kind and the files of ``import``: a preset names its kind, so ``import FILE --preset P`` reads FILE as
    the first file and P's kind as the kind (``import KIND FILE --preset P`` as before)."""
    from ...core.importers import list_presets

    if kind not in KINDS:
        presets = list_presets()
        if preset and preset not in presets:
            raise unknown_choice("预设", "preset", preset, presets)
        if not Path(kind).suffix:
            raise unknown_choice("数据类型", "kind", kind, KINDS)
        if not preset:  # a file where the kind goes
            raise UserError(t(f"{kind} 像是文件：先给数据类型（zhaoshang import enterprises {kind}），或用 --preset 指定预设"
                              f"（可选数据类型: {', '.join(KINDS)}）",
                              f"{kind} looks like a file: give the kind of data first (zhaoshang import enterprises {kind}) "
                              f"or a --preset (kinds: {', '.join(KINDS)})"))
        kind, files = presets[preset]["kind"], [Path(kind), *files]
    if not files:
        raise UserError(t(f"缺少要导入的文件：zhaoshang import {kind} 文件 …", f"no file to import: zhaoshang import {kind} FILE …"))
    return kind, files


@app.command("import")
def import_cmd(
    kind: str = typer.Argument(..., help="数据类型: " + " | ".join(KINDS)),
    files: List[Path] = typer.Argument(None, help="一个或多个文件（CSV/XLSX/JSON Lines/Parquet）"),
    mapping: Optional[Path] = typer.Option(None, "--mapping", "-m", help="列映射 YAML 文件"),
    preset: Optional[str] = typer.Option(None, "--preset", "-p", help="内置预设（zhaoshang presets 查看）"),
    source: Optional[str] = typer.Option(None, "--source", "-s", help="数据来源名称（默认: 预设名或文件名）"),
    strict: bool = typer.Option(False, "--strict", help="任何一行无法导入则全部不导入"),
    data_date: Optional[str] = date_option("--data-date", "数据日期：这份导出反映的那一天（如文件名中的 2021-10）；导入的事实与变更都记为这一天，截至日视图按它取舍。默认今天——导入较早的导出时请给出；不能晚于今天", what="data_date"),
    rejects: Optional[Path] = typer.Option(None, "--rejects", help="问题清单 CSV 的目录（默认: 数据库所在目录）"),
    sheets: Optional[List[str]] = typer.Option(None, "--sheet", help="XLSX 的工作表：名称或序号（从 1 起；默认第一个；只给一次）"),
    header_row: Optional[int] = typer.Option(None, "--header-row", help=HEADER_ROW_HELP),
    link_text: bool = typer.Option(False, "--link-text", help="仅 news：导入后用文本分析关联新闻标题与正文中提到的库中企业"),
    partial: bool = typer.Option(False, "--partial", help="仅企业：这份文件只列出来源的部分企业——不把未列出的标为「本次未出现」，所列企业照常更新"),
    complete: bool = typer.Option(False, "--complete", help="仅企业：确认这是来源的完整导出——未列出的企业都标为「本次未出现」（即使超过一半）"),
    fmt: Fmt = FORMAT_OPTION,
) -> None:
    """导入数据文件到数据库（一次导入是一个事务：失败时数据库保持不变）。"""
    from ...core.importers import import_files
    from ...services.regions.stored import refresh as refresh_matrix

    kind, files = _kind_and_files(kind, list(files or []), preset)
    if len(sheets or []) > 1:  # one sheet a run: a second --sheet would otherwise replace the first in silence
        raise UserError(t(f"--sheet 只能给一次（给了 {len(sheets)} 次：{'、'.join(sheets)}）：一次导入读取一个工作表；"
                          "同一份名单分在几个工作表时，逐个导入，第二个起加 --partial（同一来源，不标记未出现）",
                          f"--sheet can be given once (given {len(sheets)} times: {', '.join(sheets)}): an import reads one "
                          "sheet; a list split across sheets is imported sheet by sheet, from the second with --partial "
                          "(the same source, nothing marked absent)"))
    sheet = sheets[0] if sheets else None
    if link_text and kind != "news":
        raise UserError(t("--link-text 只用于 news（新闻）导入", "--link-text is for news imports only"))
    if sheet:  # a sheet is a workbook's: on another file it would be ignored without a word
        from ...core.readers.common import detect_format

        other = next((f for f in files if detect_format(f) != "xlsx"), None)
        if other is not None:
            raise UserError(t(f"--sheet 只用于 XLSX 工作簿：{Path(other).name} 不是", f"--sheet is for XLSX workbooks only: "
                              f"{Path(other).name} is not one"))
    if partial and complete:
        raise UserError(t("--partial 与 --complete 只能选一个", "--partial and --complete exclude each other"))
    if (partial or complete) and kind != "enterprises":
        raise UserError(t(f"{'--partial' if partial else '--complete'} 只用于 enterprises（企业）导入",
                          f"{'--partial' if partial else '--complete'} is for enterprise imports only"))
    scope = "partial" if partial else "complete" if complete else None
    text_links = None
    try:
        with update_store() as store, progress(t("导入", "importing"), total=6) as advance:
            report = import_files(store, kind, files, source=source, mapping=mapping, preset=preset, strict=strict,
                                  data_date=data_date, rejects_dir=rejects, progress=advance, sheet=sheet, scope=scope,
                                  header_row=header_row)
            refresh_matrix(store)  # the stored region matrix follows the enterprises the import changed
            unplaced = _unclassified(store)
            demo_note = synthetic_note(store)  # imported into a demo database: said, its label now names the import
            if link_text:  # the enterprises the imported items' texts name (docs/methods.md, "Linking imported news")
                from ...services.monitoring.nlp.stored import link_import_text

                text_links = link_import_text(store, kind, report.import_id)
    except UserError as exc:
        _audit_import(files, None, exc, kind=kind, preset=preset, state="failed", error=str(exc))
        raise
    doc = report.as_dict()
    named = None if report.data_date_given else data_date_in_names(files)
    if named:  # suggested, never applied: the summary says how to give it
        doc["data_date_in_name"] = named
    if text_links is not None:
        doc["text_links"] = text_links
    doc["unclassified"] = unplaced  # enterprises the placements do not yet reflect (``classify`` places them)
    _audit_import(files, doc, kind=kind, preset=preset, state="done")
    if report.columns_absent:  # a preset's column the file lacks: skipped, said
        sys.stderr.write(t(f"注意：预设 {preset} 的列在文件中不存在，已跳过: {'、'.join(report.columns_absent)}\n",
                           f"note: columns of the preset {preset} not in the file, skipped: "
                           f"{', '.join(report.columns_absent)}\n"))
    if report.columns_unread:  # a column no field reads is not imported: said, not dropped in silence
        sys.stderr.write(t(f"注意：未读取的列（没有对应字段，未导入）: {'、'.join(report.columns_unread)}；"
                           "可用 --mapping 指定（docs/data-formats.md）\n",
                           f"note: columns not read (no field takes them; not imported): "
                           f"{', '.join(report.columns_unread)}; --mapping can assign them (docs/data-formats.md)\n"))
    if fmt == Fmt.json:
        older = _kept_older_note(report)
        if older:  # as the unread columns: said in every format (the table's notes say it after the summary)
            sys.stderr.write(older + "\n")
        emit(doc, fmt)
        return
    rows = [
        {t("项目", "item"): k, t("值", "value"): v}
        for k, v in (
            (t("导入编号", "import id"), report.import_id),
            (t("数据类型", "kind"), report.kind),
            (t("来源", "source"), report.source),
            *([(t("来源提示", "source note"), _source_hint_text(report.source, report.source_hint))]
              if report.source_hint else []),
            *[(t("工作表", "sheet"), t(f"{s['file']}: {s['sheet']}（第 {s['number']} 个，共 {s['of']} 个"
                                       + ("；默认第一个，--sheet 选择其他）" if s["number"] == 1 and s["of"] > 1 and not sheet else "）"),
                                       f"{s['file']}: {s['sheet']} ({s['number']} of {s['of']}"
                                       + ("; the first by default, --sheet chooses another)" if s["number"] == 1 and s["of"] > 1
                                          and not sheet else ")"))) for s in report.sheets],
            *[(t("表头行", "header row"), header_row_text(h)) for h in report.header_rows],
            (t("数据日期", "data date"), _data_date_text(report.data_date, report.data_date_given,
                                                        UNDATED_AS_OF[_undated_as_of(report.as_of)], named)),
            (t("数据截至日期", "as-of date"), _as_of_text(report.as_of)),
            (t("读取行数", "rows read"), report.rows_read),
            (t("新增", "imported"), report.rows_imported),
            (t("更新", "updated"), report.rows_updated),
            (t("重复（已存在）", "duplicates"), report.rows_duplicate if not report.rounds_merged else
             t(f"{report.rows_duplicate:,}（其中同一企业同一轮次合并 {report.rounds_merged:,}）",
               f"{report.rows_duplicate:,} (of which {report.rounds_merged:,} rounds merged)")),
            *([(t("同一企业的其他行（已合并，如产品线）", "further rows of the same enterprise (merged, e.g. product lines)"),
                report.rows_combined)] if report.rows_combined else []),
            *([(t("产品线改记为本数据日期（原日期较晚）", "product lines re-dated to this data date (they had a later one)"),
                report.lines_redated)] if report.lines_redated else []),
            (t("冲突（已保留为来源记录）", "conflicts (kept as records)"), report.rows_conflict if not report.rows_repeated else
             t(f"{report.rows_conflict:,}（其中文件内代码重复 {report.rows_repeated:,}）",
               f"{report.rows_conflict:,} ({report.rows_repeated:,} repeated within the file)")),
            (t("拒绝", "rejected"), report.rows_rejected),
            (t("较晚导出已设定、仅保留为来源记录的字段值", "values kept as records only (a later export set them)"),
             report.values_kept_older),
            (t("忽略的字段值", "dropped values"), report.fields_dropped),
            *((t(*KEPT_WITHOUT.get(c, (c, c))), n) for c, n in report.kept_without.items()),
            (t("已关联（按依据）", "linked (by evidence)"),
             t("；", "; ").join(f"{t(*LINKED_BY.get(m, (m, m)))} {n:,}" for m, n in report.linked_by.items()) or 0),
            (t("未关联到企业", "unlinked"), report.unlinked),
            (t("有歧义未关联", "ambiguous"), report.ambiguous),
            (t("地区与信用代码不一致", "region differs from credit code"), report.region_conflicts),
            *([(t("地区列与地址不一致", "region column differs from address"), report.region_text_conflicts)]
              if report.region_text_conflicts else []),
            *([(t("名称中的地区不一致", "name states another region"),
                report.name_region_conflicts)] if report.name_region_conflicts else []),
            *([(t("较粗的地区与已知地区不一致（未采用，请核对）", "coarser region in another place (not followed, to review)"),
                report.region_coarser_conflicts)] if report.region_coarser_conflicts else []),
            *([(t("截止时间早于发布时间（已导入，请核对）", "deadline before the publication date (imported, to review)"),
                report.deadline_before_published)] if report.deadline_before_published else []),
            *([(t("金额无单位、按元读取（已导入，请核对）", "amounts without a unit, read in CNY (imported, to review)"),
                report.amounts_no_unit)] if report.amounts_no_unit else []),
            (t("关联此前导入的事实", "linked earlier facts"), report.linked_earlier),
            (t("其所属企业", "their enterprises"), report.linked_earlier_enterprises),
            (t("疑似同名未合并", "same name, not merged"), len(report.near_merges)),
            (t("缺少全称、以备用列命名", "named from a fallback column"),
             f"{report.named_by_alternate['rows']:,}" + t("（", " (") + t("、", ", ").join(report.named_by_alternate['columns'])
             + t("）", ")")
             if report.named_by_alternate else 0),
            *(_text_link_rows(text_links) if text_links is not None else ()),
            (t("问题清单", "rejects file"), report.rejects_path or "-"),
        )
    ]
    if report.changes:  # enterprises: what this export changed against the source's earlier exports
        # after the source, its note, sheets, header rows and data date
        at = 4 + len(report.sheets) + len(report.header_rows) + bool(report.source_hint)
        merged = report.changes.get("new_enterprises_merged", 0)
        rows[at:at] = [{t("项目", "item"): label, t("值", "value"): report.changes.get(k, 0) if k != "new_enterprises" or not merged
                        else t(f"{report.changes[k]:,}（合为 {report.changes[k] - merged:,} 家：{merged:,} 行与本文件另一行是同一企业）",
                               f"{report.changes[k]:,} ({report.changes[k] - merged:,} enterprises: {merged:,} rows are the "
                               f"same enterprise as another row of the file)")} for k, label in (
            ("new", t("企业：本来源新出现", "enterprises: new to the source")),
            ("new_enterprises", t("　其中新企业", "  of which new enterprises")),
            ("new_linked", t("　其中库中已有（已关联）", "  of which already known (linked)")),
            ("changed", t("企业：有变化", "enterprises: changed")),
            ("unchanged", t("企业：未变化（跳过）", "enterprises: unchanged (skipped)")),
            ("disappeared", t("企业：本次未出现", "enterprises: disappeared")))]
        if report.scope == "partial":  # nothing marked absent: said with how many keys the file does not list
            rows[at + 5] = {t("项目", "item"): t("企业：本次未出现", "enterprises: disappeared"),
                            t("值", "value"): t(f"不标记（部分导出；未列出 {report.changes.get('not_listed', 0):,}）",
                                                f"none marked (partial export; {report.changes.get('not_listed', 0):,} not listed)")}
        if report.changes.get("rejected_kept"):  # listed, but the row was rejected: the key keeps its earlier record
            rows.insert(at + 6, {t("项目", "item"): t("企业：行被拒，保留原记录", "enterprises: row rejected, earlier record kept"),
                                 t("值", "value"): report.changes["rejected_kept"]})
    emit(rows, fmt, title=t("导入结果", "import result"))
    if report.repeats:  # a key repeated within the import: the last row wins, the earlier is kept as a record
        from ...core.importers.enterprises import CONFLICT_LABELS

        rep = [{t("代码或键", "code or key"): r["key"],
                t("行", "rows"): t(f"第 {r['row']} 行与{'' if r['kept_file'] == r['file'] else ' ' + r['kept_file'] + ' '}第 {r['kept_row']} 行",
                                   f"row {r['row']} and {'' if r['kept_file'] == r['file'] else r['kept_file'] + ' '}row {r['kept_row']}"),
                t("以此行为准", "values from"): r["kept_row"],
                t("不同字段", "differing fields"): t("、", ", ").join(t(*CONFLICT_LABELS[f]) for f in r["fields"])}
               for r in report.repeats[:20]]
        more = report.rows_repeated - len(rep)
        emit(rep, fmt, title=t(f"文件内重复的代码 {report.rows_repeated:,} 行（较早的行保留为来源记录，以较晚的行为准）"
                               + (f"，另有 {more:,} 行见问题清单" if more > 0 else ""),
                               f"Codes repeated within the file: {count_en(report.rows_repeated, 'row', sep=True)} (the "
                               f"earlier kept as a source record, the later gives the values)"
                               + (f"; {more:,} more in the rejects file" if more > 0 else "")))
    known = [c for c in report.conflicts if not c.get("repeated_in_file")]
    if known:
        n = report.rows_conflict - report.rows_repeated
        conf = [{t("企业", "enterprise"): f"{c['enterprise_id']} {c['name']}", t("来源键", "source key"): c["source_key"],
                 t("冲突字段", "fields"): "; ".join(f"{f['field']}: {f['value']} ≠ {f['record_value']}" for f in c["fields"])}
                for c in known[:20]]
        emit(conf, fmt, title=t(f"与已有企业冲突的记录 {n:,} 条（已保留，请核对）",
                                f"{count_en(n, 'record', sep=True)} conflict with known enterprises (kept, review)"))
    if report.unlinked_names:  # news: the declared companies most often left unlinked (no such enterprise) or ambiguous
        un = [{t("名称", "name"): u["name"], t("条数", "rows"): u["rows"],
               t("原因", "reason"): t("有歧义（多家企业同名）", "ambiguous (several enterprises)") if u["ambiguous"]
               else t("库中无此企业", "no such enterprise")} for u in report.unlinked_names]
        emit(un, fmt, title=t(f"未关联的企业名称（有歧义的在前，再按条数，列出 {len(un):,} 个；共 未关联 {report.unlinked:,}、"
                              f"有歧义 {report.ambiguous:,}）",
                              f"Names not linked (the ambiguous first, then by rows: {len(un):,} listed; in all "
                              f"{report.unlinked:,} unlinked, {report.ambiguous:,} ambiguous)"))
    if report.near_merges:
        near = [{t("名称", "name"): n["name"], t("已有企业", "existing"): f"{n['existing_id']} ({n['existing_source']})",
                 t("原因", "reason"): t(n["reason"], n["reason_en"])} for n in report.near_merges[:20]]
        more = len(report.near_merges) - len(near)
        emit(near, fmt, title=t(f"疑似同名未合并 {len(report.near_merges):,} 条（请核对）" + (f"，另有 {more:,} 条见 --format json" if more > 0 else ""),
                                f"{count_en(len(report.near_merges), 'same-name row', sep=True)} not merged (review)"))
    for line in _import_notes(report, unplaced):
        sys.stderr.write(line + "\n")
    for s in report.sheets if not sheet else ():  # the first sheet by default: the others holding rows, not read
        if s["unread"]:
            sys.stderr.write(t(f"注意：{s['file']} 只读取了第一个工作表「{s['sheet']}」；另有工作表 {'、'.join(s['unread'])} 有内容，"
                               f"未读取：用 --sheet 名称或序号导入（同一份名单的另一部分加 --partial）\n",
                               f"note: only the first sheet of {s['file']}, {s['sheet']}, was read; the sheets "
                               f"{', '.join(s['unread'])} hold rows and were not read: import one with --sheet NAME or "
                               "number (another part of the same list with --partial)\n"))
    if demo_note:
        sys.stderr.write(t("注意：本库是演示库，导入的数据与合成的虚构数据混在一起；", "note: this is a demo database: the "
                           "imported data now sits beside synthetic, fictional data; ") + demo_note + "\n")

def _import_notes(report, unplaced: int) -> list[str]:
    """The import's notes for stderr, after its summary: each count from 1,000 up with its thousands grouped and in
    English singular or plural as it reads (docs/cli.md)."""
    out = []
    if report.source_hint:
        out.append(t("注意：", "note: ") + _source_hint_text(report.source, report.source_hint))
    if report.as_of and report.as_of["moved"] and report.as_of["before"]:
        out.append(t(f"注意：数据截至日期由 {report.as_of['before']} 变为 {report.as_of['after']}",
                     f"note: the as-of date moved from {report.as_of['before']} to {report.as_of['after']}"))
    if report.kept_without:
        out.append(t("；".join(f"{n:,} 行{KEPT_WITHOUT.get(c, (c, c))[0]}" for c, n in report.kept_without.items())
                     + f"，详见 {report.rejects_path}",
                     "; ".join(f"{count_en(n, 'row', sep=True)} {KEPT_WITHOUT.get(c, (c, c))[1]}"
                               for c, n in report.kept_without.items()) + f": see {report.rejects_path}"))
    if report.deadline_before_published:
        n = report.deadline_before_published
        out.append(t(f"注意：{n:,} 条需求的截止时间早于发布时间（已导入，读作已过截止），请核对，详见 {report.rejects_path}",
                     f"note: {count_en(n, 'demand', sep=True)} with a deadline before the publication date (imported, "
                     f"read as past the deadline), to review: see {report.rejects_path}"))
    if report.amounts_no_unit:
        n = report.amounts_no_unit
        out.append(t(f"注意：{n:,} 个金额是不足 1,000 的数字、列名未给单位，已按元读取，请核对单位，详见 {report.rejects_path}",
                     f"note: {count_en(n, 'amount', sep=True)} under 1,000 without a unit in a column that gives none, "
                     f"read in CNY: check the unit, see {report.rejects_path}"))
    if report.values_kept_older:
        out.append(_kept_older_note(report))
    if unplaced:
        out.append(t(f"注意：{unplaced:,} 家企业尚未按最新数据归入产业链：运行 zhaoshang classify（只归类有变化的企业）"
                     "之后，地图、地区画像、线索与评分才包含它们的新数据",
                     f"note: {count_en(unplaced, 'enterprise', sep=True)} {noun_en(unplaced, 'is', 'are')} not yet "
                     f"placed on the chain with {noun_en(unplaced, 'its', 'their')} latest data: the map, region pages, "
                     "leads and scores include it after zhaoshang classify (which places only what changed)"))
    if report.rows_rejected or report.fields_dropped:
        out.append(t(f"有 {report.rows_rejected:,} 行被拒绝、{report.fields_dropped:,} 个字段值被忽略，详见 {report.rejects_path}",
                     f"{count_en(report.rows_rejected, 'row', sep=True)} rejected, "
                     f"{count_en(report.fields_dropped, 'value', sep=True)} dropped: see {report.rejects_path}"))
    return out

def _kept_older_note(report) -> str | None:
    """The values an export with a later data date had set: kept as this import's records only, by field."""
    if not report.values_kept_older:
        return None
    by = t("、", ", ").join(f"{label('enterprise_field', f, state.lang)} {n:,}"
                           for f, n in sorted(report.values_kept_older_by_field.items(), key=lambda x: (-x[1], x[0])))
    return t(f"注意：{report.values_kept_older:,} 个字段值已由数据日期较晚的导出设定（{by}），未更新企业、"
             "未记入变更历史，仅保留在本次的来源记录中",
             f"note: {count_en(report.values_kept_older, 'value', sep=True)} already set by an export with a "
             f"later data date ({by}): kept in this import's source records only (no update, no history, no "
             "change event)")


def _unclassified(store) -> int:
    """Enterprises the default chain's placements do not yet reflect after an import (``incremental.pending``)."""
    from ...services.chain.incremental import pending
    from ...services.chain.taxonomy import load_taxonomy

    return pending(store, load_taxonomy(None))


def _source_hint_text(source: str, hint: dict) -> str:
    """An export named after its file that looks like a later month of an existing source (``same_series_source``):
    said plainly, with the ``--source`` that compares it with that source."""
    o, shared, keys = hint["source"], hint["shared"], hint["keys"]
    return t(f"来源名 {source} 取自文件名，与已有来源 {o} 只差日期或编号，本文件 {keys:,} 个键中 {shared:,} 个已在 {o} 中。"
             f"本次作为新来源导入，未与 {o} 比对（没有变化、没有「本次未出现」）。若这是 {o} 的新一期导出，"
             f"请用 --source {o} 导入",
             f"the source name {source} comes from the file name and differs from the existing source {o} only by a "
             f"date or number; {shared:,} of this file's {keys:,} keys are already in {o}. It was imported as a new "
             f"source, not compared with {o} (no changes, nothing marked disappeared). If it is a later export of {o}, "
             f"import it with --source {o}")


def _data_date_text(day, given: bool, as_of: tuple[str, str] | None = None, named: dict | None = None) -> str:
    """An import's data date: the date it was given (--data-date), else 未给出 with the import day its changes are
    dated by (and what became of the database's as-of date, in the import's own summary), and the --data-date a
    date in the file names stands for (``named``, ``dates.data_date_in_names``)."""
    if given:
        return day
    hint = t(f"；文件名含日期 {named['name_part']}，可用 --data-date {named['data_date']} 指定",
             f"; the file name carries the date {named['name_part']}: --data-date {named['data_date']} gives it") \
        if named else ""
    return t(f"未给出（变更记为导入日 {day}" + (f"，{as_of[0]}" if as_of else "") + "）" + hint,
             f"not given (changes dated by the import day {day}" + (f"; {as_of[1]}" if as_of else "") + ")" + hint)


def _undated_as_of(a: dict | None) -> str:
    """An undated import's as-of date: ``moved`` by the file's own dates, else ``stays`` (``labels.UNDATED_AS_OF``)."""
    return "moved" if a and a["moved"] else "stays"


def _as_of_text(a: dict | None) -> str:
    """The database's as-of date around the import: moved (every page, lead list and scorecard answers for the new
    date) or not."""
    if not a:
        return "-"
    if not a["moved"]:
        return t(f"{a['after'] or '-'}（未变）", f"{a['after'] or '-'} (unchanged)")
    return t(f"{a['before'] or '-'} → {a['after']}（各页面、线索与评分随之按新日期计算）",
             f"{a['before'] or '-'} → {a['after']} (pages, leads and scores now answer for the new date)")


def header_row_text(h: dict) -> str:
    """Which row of a file was its header: named by --header-row, or found below title or blank lines."""
    above = h["row"] - 1
    if h["given"]:
        return t(f"{h['file']}: 第 {h['row']} 行（--header-row 指定" + (f"；其上 {above:,} 行未导入）" if above else "）"),
                 f"{h['file']}: row {h['row']} (given by --header-row" + (f"; the {count_en(above, 'row')} above it not "
                                                                          "imported)" if above else ")"))
    return t(f"{h['file']}: 第 {h['row']} 行（自动识别；其上 {above:,} 行为标题或空行，未导入；--header-row 可指定）",
             f"{h['file']}: row {h['row']} (found by its column names; the {count_en(above, 'row')} above it, titles or "
             "blank, not imported; --header-row names another)")


def _audit_import(files: list[Path], report: dict | None, failure: UserError | None = None, **detail) -> None:
    """A command-line import in the team's audit log, as a 数据更新 upload is (``data.import``), by the OS user
    (``failure``: why it failed)."""
    from ...services.team import audit

    try:
        team = open_team()
        try:
            audit.record(team, audit.cli_actor(), "data.import", ", ".join(Path(f).name for f in files),
                         audit.import_detail(report, via="cli", **detail))
        finally:
            team.close()
    except (UserError, OSError) as exc:  # the import stands as it ended; say that its entry could not be written
        if isinstance(failure, OpenRefused) or (failure is not None and not os.path.exists(state.db)):
            # its database could not be opened (a folder missing or not writable), or was not there and the refused
            # import left none: the team state kept beside it is not made either, and the import's error already
            # says why — said once, not twice in other words
            return
        audit_unrecorded("导入", "import", exc)


@app.command()
def relink(fmt: Fmt = FORMAT_OPTION) -> None:
    """关联此前未能关联到企业的事实（融资、任职、股东、分支、专利申请人、新闻提及、联系人）。"""
    from ...core.importers import relink_all

    with update_store() as store:  # beside a running server too: published as a new generation
        doc = relink_all(store)
    if fmt == Fmt.json:
        emit(doc, fmt)
        return
    rows = [{t("表", "table"): k, t("新关联", "linked"): v} for k, v in doc["by_table"].items()]
    rows.append({t("表", "table"): t("合计", "total"), t("新关联", "linked"): doc["linked"]})
    rows.append({t("表", "table"): t("其所属企业", "their enterprises"), t("新关联", "linked"): doc["enterprises"]})
    rows.append({t("表", "table"): t("仍待关联", "still pending"), t("新关联", "linked"): doc["pending"]})
    emit(rows, fmt, title=t("重新关联", "relink"))


@app.command()
def status(fmt: Fmt = FORMAT_OPTION) -> None:
    """数据库概况：各表行数、数据来源、最近一次导入。"""
    store = open_store(read_only=True)
    doc = status_summary(store)
    if fmt == Fmt.json:
        emit(doc, fmt)
        return
    emit(doc["tables"], fmt, title=t(f"数据库 {doc['db']}", f"database {doc['db']}"), columns=["table", "rows"])
    if doc["sources"]:  # rows read, new and updated as the import's summary gives them; a kind by its label
        emit(doc["sources"], fmt, rows=[{**r, "last_import": china_time_text(r.get("last_import"), zone=False)}  # China's,
                                        # under 最近导入 (UTC+8)
                                        for r in labelled(doc["sources"], "kind", "data_kind", t("zh", "en"))],
             fields=doc["sources"],
             title=t("数据来源", "sources"))
    last = doc.get("last_import")
    if last and fmt == Fmt.table:  # the last import, as the JSON's last_import says it
        when = china_time_text(last.get("finished_at") or last.get("started_at")) or ""  # China's time, its zone said
        emit(last, fmt, rows=[{"item": k, "value": v} for k, v in (
            (t("编号", "Id"), str(last["id"])), (t("类别", "Kind"), label("data_kind", last.get("kind"), t("zh", "en"))),
            (t("来源", "Source"), last.get("source")), (t("文件", "Files"), last.get("files")),
            (t("数据日期", "Data date"), last.get("data_date") and _data_date_text(str(last["data_date"]),
                                                                                 last.get("data_date_given", True))),
            (t("时间", "Time"), when),
            (t("读取行数", "Rows read"), last.get("rows_read")), (t("新增", "Imported"), last.get("rows_imported")),
            (t("更新", "Updated"), last.get("rows_updated")), (t("拒绝", "Rejected"), last.get("rows_rejected")))
            if v not in (None, "", [])], columns=["item", "value"],
             headers={"item": ("项目", "Item"), "value": ("值", "Value")}, title=t("最近一次导入", "Last import"))
    if doc["synthetic"]:
        sys.stderr.write(synthetic_note(store) + "\n")


@app.command()
def presets(fmt: Fmt = FORMAT_OPTION) -> None:
    """列出内置导入预设。"""
    from ...core.importers import list_presets

    doc = [{"preset": k, "kind": v.get("kind"), "description": v.get("description", ""),
            "description_en": v.get("description_en", "")} for k, v in list_presets().items()]
    rows = [{"preset": r["preset"], "kind": r["kind"], "description": t(r["description"], r["description_en"] or r["description"])}
            for r in doc]
    emit(doc, fmt, rows=rows, title=t("导入预设", "import presets"))


@app.command()
def export(
    kind: str = typer.Argument(..., help="导出类型: " + " | ".join(EXPORTS)),
    output: Path = typer.Option(..., "--output", "-o", help="输出文件 .csv/.xlsx/.parquet/.jsonl"),
) -> None:
    """导出数据（CSV 为带 BOM 的 UTF-8；公式样式的单元格按文本写出）。"""
    store = open_store(read_only=True)
    n = export_kind(store, kind, output, lang=state.lang)
    if kind in PERSONAL_KINDS:
        from ...services.team import audit

        audit.record(open_team(), audit.cli_actor(), "export", kind, {"output": str(output), "rows": n, "personal": True})
    sys.stderr.write(t(f"已导出 {n:,} 行到 {output}\n", f"exported {count_en(n, 'row', sep=True)} to {output}\n"))
    if store.synthetic:
        sys.stderr.write(synthetic_note(store) + "\n")


def _text_link_rows(res: dict) -> list[tuple[str, object]]:
    """The lines of the text analysis's linking over news items (the import's ``--link-text``, ``link-news``)."""
    return [(t("正文提及：已读新闻", "text mentions: items read"), res["items"]),
            (t("正文提及：关联到企业的新闻", "text mentions: items linked"), res["items_linked"]),
            (t("正文提及：关联数（企业数）", "text mentions: links (enterprises)"), f"{res['mentions']:,} ({res['enterprises']:,})"),
            (t("正文提及：有歧义未关联", "text mentions: ambiguous, not linked"),
             res["ambiguous"] if not res["ambiguous_examples"] else
             f"{res['ambiguous']:,}" + t("（", " (") + t("、", ", ").join(sorted({a['mention'] for a in res['ambiguous_examples']})[:5])
             + t(" …）", " …)")),
            (t("声明或正文关联到企业的新闻", "items linked, declared or in the text"), res["items_linked_any"]),
            (t("正文提及的企业新闻事件：新增 / 移除 / 保留", "news events of text mentions: added / removed / kept"),
             " / ".join(f"{res['events'][k]:,}" for k in ("added", "removed", "kept")))]


@app.command("link-news")
def link_news_cmd(
    source: Optional[str] = typer.Option(None, "--source", "-s", help="只处理该来源的新闻（默认全部已导入新闻）"),
    fmt: Fmt = FORMAT_OPTION,
) -> None:
    """用文本分析把已导入新闻的标题与正文关联到库中企业（替换此前的正文提及，保留文件声明的相关企业）；导入新企业后再运行。"""
    from ...services.monitoring.nlp.stored import link_imported_news

    with update_store() as store:
        res = link_imported_news(store, source=source)
    if fmt == Fmt.json:
        emit(res, fmt)
        return
    rows = [{t("项目", "item"): k, t("值", "value"): v} for k, v in _text_link_rows(res)]
    rows += [{t("项目", "item"): t(f"方法：{m}", f"method: {m}"), t("值", "value"): n} for m, n in res["by_method"].items()]
    emit(rows, fmt, title=t("新闻正文关联企业", "news texts linked to enterprises"))

