"""The pipeline to and from Excel (or CSV): export through the one writer, import through the one reader.

An export imports again: a row whose enterprise and region (or 编号) are a lead of the pipeline updates that lead
with the cells that differ from it, through the one ``update`` (history rows, the audit, its checks), a row equal to
the lead leaves it alone, any other row adds a lead. The export carries each lead's version (版本): a row changed in
the file whose lead was changed since the export is refused, naming who changed what and when (a file without the
column, a sheet made by hand, updates without that check).

An import is all or nothing: every row is checked first (enterprise found, region resolved, status known, a
reason for 已放弃 and only for it, 已落地 with its signing and landing dates, owner a user, segment a node of the
chain, dates readable, no pair twice, a change the lead may take and based on its version) and a file with any bad
row is refused with the rows and reasons, so a half-imported sheet never happens. Each row names every problem
it has, numbered, whether it adds a lead or updates one (an update's cells each checked on their own, then the change
without the cells refused: ``_refused_cells``), so the sheet is put right in one pass.

A viewer's export holds the next action and abandon reason masked (``privacy``): a cell that is the lead's text as
masked is that text, unchanged, and one edited around the masks is refused, so no mask is written over a number.
"""

from __future__ import annotations

from typing import Any

import duckdb

from ...core.errors import UserError, count_en
from ...core.geo.lookup import resolve_region
from ...core.readers import HeaderRule, header_row_number, header_rows, read_into
from ...core.parse.dates import zoned
from ...core.teamstate.clock import to_second
from ...core.writers import export_query
from ..datastore import synthetic_enterprises, synthetic_label
from ..enterprises import EXPORT_HEADERS, resolve_enterprise
from ..privacy import mask_text, masked_over
from . import leads as L

# the exported columns: key → (Chinese header, English header); the file's language follows the user's
HEADERS = {"id": ("编号", "ID"), "enterprise_id": ("企业编号", "Enterprise ID"),
           "enterprise_uscc": ("统一社会信用代码", "Credit code"), "enterprise_name": ("企业名称", "Enterprise"),
           "region_code": ("地区代码", "Region code"), "region_name": ("地区", "Region"), "status_label": ("状态", "Status"),
           "owner": ("负责人", "Owner"), "source": ("来源", "Source"),
           # the segment's code (which the import reads) and its name beside it, headed as the leads sheet heads them
           "segment": ("产业链环节", "Segment code"), "segment_name": ("环节", "Segment"),
           "next_action": ("下一步", "Next action"), "next_action_date": ("下一步日期", "Next action date"),
           "overdue": ("督办", "Overdue"), "abandon_reason": ("放弃理由", "Abandon reason"),
           "signed_on": ("签约日期", "Signed on"), "landed_on": ("落地日期", "Landed on"),
           "updated_at": (zoned("更新时间"), zoned("Updated at")),  # China's time, as every time shown
           # the lead's version as exported (``leads._version``): its import refuses a row whose lead changed since
           "version": ("版本", "Version")}
# import: recognised headers (an export's, Chinese or English, or the keys), codes before names: a cell is read from
# the first of its columns that is filled, and an English sheet's Region, Enterprise and (in a leads sheet) Segment
# hold names beside Region code, Enterprise ID and Segment code
IMPORT_FIELDS = {
    "id": ("编号", "id", "ID"),
    "version": ("版本", "version", "Version"),
    "enterprise": ("企业编号", "enterprise_id", "Enterprise ID", "统一社会信用代码", "enterprise_uscc", "Credit code",
                   "企业名称", "企业", "enterprise_name", "enterprise"),
    "region": ("地区代码", "region_code", "Region code", "地区", "region_name", "region"),
    "status": ("状态", "status", "status_label"),
    "owner": ("负责人", "owner"),
    "segment": ("Segment code", "产业链环节", "segment"),
    "next_action": ("下一步", "next_action", "Next action"),
    "next_action_date": ("下一步日期", "next_action_date", "Next action date"),
    "reason": ("放弃理由", "abandon_reason", "reason", "Abandon reason"),
    "note": ("备注", "note"),
    "signed_on": ("签约日期", "signed_on", "Signed on"),
    "landed_on": ("落地日期", "landed_on", "Landed on"),
}
MAX_ERRORS = 10
# the two columns every row needs, as a refusal names them (Chinese, English)
LACKING = {"enterprise": ("企业名称", "enterprise"), "region": ("地区", "region")}


def export(team, path: str, lang: str = "zh", region_names: dict[str, str] | None = None,
           segment_names: dict[str, str] | None = None, store=None, **filters) -> int:
    """Write the (filtered) pipeline to ``path`` (.xlsx, .csv, …); returns the number of rows. In English
    (``lang``) the headers and statuses are English; the regions are named by ``region_names`` (code → the name
    in ``lang``, the region service's ``region_labels``) and the segments by ``segment_names`` (node code → its
    name in ``lang``) where given; ``store``: the database beside the team state (its data label, ``write_leads``);
    either file imports again (by its codes)."""
    return write_leads(L.list_leads(team, **filters), path, lang=lang, region_names=region_names,
                       segment_names=segment_names, store=store)


def write_leads(leads: list[dict], path: str, lang: str = "zh", region_names: dict[str, str] | None = None,
                fmt: str | None = None, store=None, segment_names: dict[str, str] | None = None) -> int:
    """Write pipeline leads as ``list_leads`` gives them (filtered, in its order; a web answer's, with its free text
    as the user may see it) to ``path``: the one pipeline export of the page and the command. ``store``: the
    database the leads' enterprises are in; a synthetic demo's adds a last column (数据说明, the enterprise export's
    label, in ``lang``) labelling the leads that name one of the demo's enterprises
    (``datastore.synthetic_enterprises``), not those of a real company imported beside them."""
    import pyarrow as pa

    en = lang == "en"
    synthetic = (synthetic_enterprises(store, [r.get("enterprise_id") for r in leads])
                 if store is not None and store.synthetic else None)
    rows = [dict(r, region_name=(region_names or {}).get(r["region_code"], r["region_name"]),
                 segment_name=(segment_names or {}).get(r["segment"]) if r.get("segment") else None) for r in leads]
    if en:
        rows = [dict(r, status_label=L.STATUS_EN[r["status"]]) for r in rows]
    yes, no = ("yes", "no") if en else ("是", "否")

    def cells(c: str):
        # numbers as numbers (the sheet's ids were text cells), 督办 yes or no (a blank read as unknown), times in
        # China's time to the second under a header that says so, like every other table (2026-12-03 08:49:16)
        if c in ("id", "enterprise_id"):
            return pa.array([None if r[c] is None else int(r[c]) for r in rows], pa.int64())
        if c == "overdue":
            return pa.array([yes if r[c] else no for r in rows], pa.string())
        if c == "source":
            return pa.array([None if r[c] is None else L.SOURCE_LABELS.get(r[c], (r[c], r[c]))[en] for r in rows], pa.string())
        if c == "next_action_date":  # 长期 / open-ended, which imports back as it, told from no date
            return pa.array([L.due_text(r, lang) for r in rows], pa.string())
        if c == "version":
            return pa.array([None if r.get(c) is None else int(r[c]) for r in rows], pa.int64())
        if c == "updated_at":
            return pa.array([None if r[c] is None else to_second(str(r[c])) for r in rows], pa.string())
        return pa.array([None if r[c] is None else str(r[c]) for r in rows], pa.string())

    cols = {HEADERS[c][en]: cells(c) for c in HEADERS}
    if synthetic is not None:
        cols[EXPORT_HEADERS["data_label"][en]] = pa.array([synthetic_label(lang) if r.get("enterprise_id") in synthetic
                                                           else None for r in rows], pa.string())
    con = duckdb.connect()
    try:
        con.register("zs_pipeline", pa.table(cols))
        return export_query(con, "SELECT * FROM zs_pipeline", path, fmt=fmt, lang=lang)
    finally:
        con.close()


def _numbered(texts: list[str], marks: str = "") -> str:
    """A row's problems as one text: the one alone, several numbered (① … ② …, English (1) … (2) …)."""
    if len(texts) == 1:
        return texts[0]
    return " ".join((marks[i] if i < len(marks) else f"({i + 1})") + (" " if not marks or i >= len(marks) else "") + t
                    for i, t in enumerate(texts))


def _columns(headers: list[str]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for key, names in IMPORT_FIELDS.items():
        found[key] = [i for n in names for i, h in enumerate(headers) if h.strip().lower() == n.lower()]
    return found


def _number(value: str | None, what: tuple[str, str]) -> int | None:
    """A lead's 编号 or 版本 as a cell holds it (12, 12.0, #12); None for a blank one."""
    if value is None:
        return None
    text = value.strip().lstrip("#")
    try:
        n = float(text)
    except ValueError:
        n = float("nan")
    if n != n or n != int(n) or n < 0:
        raise UserError(f"{what[0]}应为数字: {value}", f"a lead's {what[1]} is a number: {value}", text=value)
    return int(n)


def _as_of(team, lead: dict, version: int) -> dict:
    """The lead as it was at ``version`` (the export's): the changes saved since undone, field by field, from its
    history (a next-action date's 长期 read back as open-ended)."""
    with team.tx() as tx:
        since = tx.query("SELECT field, from_value FROM pipeline_history WHERE lead_id = ? AND id > ? ORDER BY id DESC",
                         [lead["id"], version])
    old = dict(lead)
    for h in since:
        if h["field"] == "next_action_date":
            open_ended = h["from_value"] == L.OPEN_DUE[0]
            old["next_action_date"], old["next_action_open_ended"] = (None if open_ended else h["from_value"]), open_ended
        elif h["field"] in L.TRACKED:
            old[h["field"]] = h["from_value"]
    return old


# the free text a role without the personal permission exports masked (privacy.LEAD_TEXT): the cell's column's names
MASKED_CELLS = {"next_action": ("下一步", "next action"), "abandon_reason": ("放弃理由", "abandon reason")}


def _unmasked(lead: dict, field: str, value: str | None) -> str | None:
    """A free-text cell (``MASKED_CELLS``) read against its lead: the lead's own text where the cell is that text as
    masked for a viewer (``privacy.mask_text``: their export of the pipeline, imported back, leaves it unchanged); a
    cell that holds the masks of the lead's contact details in their place otherwise (a viewer's cell edited) is
    refused, naming them — a mask never replaces a real number or address."""
    stored = lead.get(field)
    if not value or not stored or value == stored:
        return value
    if mask_text(stored) == value:
        return stored
    lost = masked_over(stored, value)
    if lost:
        zh, en = MASKED_CELLS[field]
        raise UserError(f"{zh}含已遮蔽的联系方式（{'、'.join(lost)}），来自无个人信息权限的导出，不能覆盖原有的号码、邮箱："
                        "该格请保持导出时的内容，或在有权限的导出（分析员、管理员）中修改",
                        f"the {en} holds masked contact details ({', '.join(lost)}) from an export made without the "
                        "personal-data permission; they cannot replace the stored numbers and addresses: leave the "
                        "cell as exported, or edit it in an export of an analyst or admin")
    return value


def _changed(store, team, lead: dict, cell, given) -> dict:
    """The arguments of ``update`` for the cells of a row that differ from its lead (``cell(key)``: the row's value,
    ``given(key)``: whether the file has that column). A blank cell of a column the file has clears an owner, a
    next action or its date; a blank segment, signing or landing day, status or reason is no change (a lead added
    without a segment has its enterprise's primary one; ``update`` clears a stage's day with the move back that
    leaves it, and keeps a reason with the status it explains)."""
    args: dict[str, Any] = {}
    if given("status") and cell("status"):
        status = L.check_status(cell("status"))
        if status != lead["status"]:
            args["status"] = status
    for key in ("owner", "next_action"):
        value = _unmasked(lead, key, cell(key)) if key in MASKED_CELLS else cell(key)
        if given(key) and (value or None) != lead[key]:
            args[key] = value or ""
    if given("segment") and cell("segment") and L.check_segment(store, cell("segment")) != lead["segment"]:
        args["segment"] = cell("segment")
    if given("next_action_date"):
        due = L._due(cell("next_action_date")) if cell("next_action_date") else (None, False)
        if due != (lead["next_action_date"], lead["next_action_open_ended"]):
            args["next_action_date"] = cell("next_action_date") or ""
    status = args.get("status", lead["status"])
    reason = _unmasked(lead, "abandon_reason", cell("reason")) if given("reason") else None
    if reason and status == "abandoned" and (reason != lead["abandon_reason"] or "status" in args):
        args["reason"] = reason
    elif reason and status != "abandoned":
        if "status" not in args:
            raise UserError(*L.REASON_ONLY)
        args["reason"] = reason  # a move back before 已签约 or 已落地 says why (kept as a note)
    for key in ("signed_on", "landed_on"):
        if given(key) and cell(key) and L._stage_date(cell(key), key) != (lead[key] or "")[:10]:
            args[key] = cell(key)
    if given("note") and cell("note") and not any(
            h["field"] == "note" and h["to_value"] == cell("note") for h in lead["history"]):
        args["note"] = cell("note")  # a note the lead's history holds already is not written again
    return args


def _refused_cells(store, team, lead: dict, cell, given, checked) -> set:
    """The cells of a row that updates ``lead`` that are refused on their own, each problem handed to ``checked``
    (the row's collector, as a new row's cells are checked): a status, a segment, a day that cannot be read, a text
    over its limit, an owner who cannot own the lead (only when the row changes the owner: a lead keeps the owner
    it has). Returns their columns; when the status is refused, the reason and the stage days too (what they may
    be depends on the status: unknown, they would be refused for it)."""
    refused: set = set()

    def vet(key: str, fn) -> None:
        if given(key) and cell(key) and checked(lambda: fn(cell(key)) or True) is None:
            refused.add(key)

    vet("status", L.check_status)
    if given("owner") and (cell("owner") or None) != lead["owner"]:
        vet("owner", lambda v: L._owner(team, v))
    vet("segment", lambda v: L.check_segment(store, v))
    for key in ("signed_on", "landed_on"):
        vet(key, lambda v, key=key: L._stage_date(v, key))
    vet("next_action_date", L._due)
    for key in ("next_action", "note", "reason"):
        vet(key, lambda v, key=key: L.check_texts(**{key: v}))
    if "status" in refused:
        refused |= {"reason", "signed_on", "landed_on"}
    return refused


def import_file(store, team, path: str, *, user: Any = None, header_row: int | str | None = None,
                lang: str = "zh") -> dict:
    """Import a sheet (an export of the pipeline, or a 台账 made by hand): a row whose enterprise and region (or
    编号) are a lead updates it with the cells that differ (``update``, based on the row's 版本 when the file has
    one), a row equal to its lead leaves it alone, a new pair adds a lead (source ``excel``); refuses the whole file
    if any row is bad. The header row is found as ``import`` finds it (title lines above it skipped), or is the line
    or sheet row ``header_row``; rows are named by their row in the file (the header's row + 1 for the first, blank
    and title lines counted). Returns the counts (``added``, ``updated``, ``unchanged``), the leads added
    (``lead_ids``) and updated (``updated_leads``: id and the fields changed), and what an added row's lead says
    without refusing it, as ``add`` says it in ``lang`` (``warnings``: row, lead id, text — already present in the
    region, another region's lead)."""
    given_row = header_row_number(header_row)
    con = duckdb.connect()
    try:
        info = read_into(con, path, "zs_pl_import", header=HeaderRule(row=given_row) if given_row else HeaderRule.naming(n for ns in IMPORT_FIELDS.values() for n in ns))
        headers = list(info.headers)
        data = con.execute(f"SELECT _row, {', '.join(info.columns)} FROM zs_pl_import ORDER BY _row").fetchall()
    finally:
        con.close()
    cols = _columns(headers)
    lacking = [k for k in ("enterprise", "region") if not cols[k]]
    if lacking:  # said exactly: which column is missing, the headers that give it, and the file's own
        shown = [str(h).strip() for h in headers if str(h).strip()]
        zh = "；".join(f"缺少列「{LACKING[k][0]}」（可写作 {'、'.join(dict.fromkeys([LACKING[k][0], *(h for h in IMPORT_FIELDS[k] if not h.isascii())]))}）"
                      for k in lacking)
        en = "; ".join(f"missing the {LACKING[k][1]} column (headed {', '.join(h for h in IMPORT_FIELDS[k] if h.isascii())} "
                       "or its Chinese header)" for k in lacking)
        raise UserError(f"{path}: {zh}；文件中的列: {'、'.join(shown) or '无'}",
                        en=f"{path}: {en}; the file's columns: {', '.join(shown) or 'none'}")
    errors, errors_en, plan, updates, seen = [], [], [], [], set()
    unchanged = 0
    for n, *row in data:  # n: the row's number in the file
        def cell(key: str) -> str | None:
            for i in cols[key]:
                v = row[i]
                if v is not None and str(v).strip():
                    return str(v).strip()
            return None
        problems: list[UserError] = []  # every problem of the row, said together (not the first alone)

        def checked(fn, *args):
            try:
                return fn(*args)
            except UserError as exc:  # said with the row's other problems
                problems.append(exc)
                return None
        try:
            ent, reg = cell("enterprise"), cell("region")
            if not ent or not reg:
                problems.append(UserError("企业或地区为空", "enterprise or region is empty"))
            eid = checked(resolve_enterprise, store, ent) if ent else None
            place = checked(lambda: resolve_region(store, reg, macro=False)) if reg else None
            code, found = (place.code if place else None), None
            if eid is not None and code is not None:
                if (eid, code) in seen:
                    raise UserError("与前面的行重复（同一企业同一地区）", "repeats an earlier row (same enterprise, same region)")
                seen.add((eid, code))
                # a pipeline export's 编号 (read beside its 版本: an enterprise list's 编号 is the enterprise's)
                lead_id = _number(cell("id"), ("线索编号", "id")) if cols["version"] else None
                with team.tx() as tx:
                    found = tx.one("SELECT id FROM pipeline_leads WHERE enterprise_id = ? AND region_code = ?", [eid, code])
                    named = tx.one("SELECT id, enterprise_name, region_name FROM pipeline_leads WHERE id = ?",
                                   [lead_id]) if lead_id is not None else None
                if named and (not found or found["id"] != named["id"]):  # a lead's enterprise and region are its own
                    raise UserError(f"编号 #{lead_id} 是 {named['enterprise_name']} 在 {named['region_name']} 的线索，与此行的企业、"
                                    "地区不符（线索的企业与地区不能改；另一地区请另加一行、不填编号）",
                                    f"#{lead_id} is the lead of {named['enterprise_name']} in another region or of another "
                                    "enterprise than this row's (a lead's enterprise and region cannot change; for another "
                                    "region add a row without an id)")
            if found:
                lead = L.get(team, found["id"], history=True)
                version = _number(cell("version"), ("线索版本", "version"))
                older = version is not None and version < lead["version"]
                # every cell checked on its own, each problem said as a new row's are; the change leaves the cells
                # refused out, so that its own problem (``update``'s checks of the move) is said beside theirs
                refused = _refused_cells(store, team, lead, cell, lambda key: bool(cols[key]), checked)
                given = lambda key: bool(cols[key]) and key not in refused  # noqa: E731
                try:
                    args = _changed(store, team, lead, cell, given)
                except UserError:  # (a viewer's masked text of what the lead said then, say)
                    if not older or _changed(store, team, _as_of(team, lead, version), cell, given):
                        raise
                    args = {}
                if args and older and not _changed(store, team, _as_of(team, lead, version), cell, given):
                    args = {}  # the row as exported, not edited: the changes saved since stand
                change = checked(lambda: L.update(team, lead["id"], user=user, store=store, check=True, **args,
                                                  version=version)) if args else {"changes": []}
                if problems:
                    raise problems.pop(0)
                if not change["changes"]:
                    unchanged += 1  # the row says what the lead says: left alone, whatever its version
                    continue
                updates.append((lead["id"], args | {"version": change["version"]},
                                list(dict.fromkeys(f for f, _, _ in change["changes"]))))
                continue
            # a new lead (or a row whose enterprise or region is not found): every cell checked, each problem said
            status = checked(L.check_status, cell("status") or "new")
            if status == "abandoned" and not cell("reason"):
                problems.append(UserError("状态为已放弃但没有放弃理由", "the state is dropped but no reason is given"))
            dates = checked(L.check_start, status, cell("reason"), cell("signed_on"), cell("landed_on")) if status else None
            if dates and eid is not None:
                checked(L.check_founding, store, eid, *dates)
            checked(L._owner, team, cell("owner"))
            checked(L.check_segment, store, cell("segment"))
            checked(L._date, cell("next_action_date"))
            checked(lambda: L.check_texts(next_action=cell("next_action"), note=cell("note"), reason=cell("reason")))
            if problems:
                raise problems.pop(0)
            signed_on, landed_on = dates
            plan.append({"row": n, "enterprise": eid, "region": code, "status": status, "owner": cell("owner"),
                         "segment": cell("segment"), "next_action": cell("next_action"),
                         "next_action_date": cell("next_action_date"), "abandon_reason": cell("reason"),
                         "note": cell("note"), "signed_on": signed_on, "landed_on": landed_on})
        except UserError as exc:  # a Conflict (changed since the export) names who changed what and when
            problems.insert(0, exc)
        if problems:  # a row with several problems numbers them: ① … ② … (rows are parted by ；)
            errors.append(f"第 {n} 行: " + _numbered([str(p).splitlines()[0] for p in problems], "①②③④⑤⑥⑦⑧⑨⑩"))
            errors_en.append(f"row {n}: " + _numbered([p.in_lang("en").splitlines()[0] for p in problems]))
    if errors:
        rest = len(errors) - MAX_ERRORS
        good = (len(plan), len(updates), unchanged)
        raise UserError(f"{path}: {len(errors)} 行有误，未导入任何线索（其余各行：新增 {good[0]}、更新 {good[1]}、未变 {good[2]}）— "
                        + "；".join(errors[:MAX_ERRORS]) + (f"；另有 {rest} 行" if rest > 0 else ""),
                        en=f"{path}: {count_en(len(errors), 'bad row')}, nothing imported (the other rows: {good[0]} "
                           f"to add, {good[1]} to update, {good[2]} unchanged) — " + "; ".join(errors_en[:MAX_ERRORS])
                        + (f"; {count_en(rest, 'more row')}" if rest > 0 else ""))
    added, warnings = [], []
    for p in plan:
        n = p.pop("row")
        lead = L.add(store, team, p.pop("enterprise"), p.pop("region"), user=user, source="excel", lang=lang, **p)
        added.append(lead["id"])
        if lead["warning"]:  # added all the same, and said per row
            warnings.append({"row": n, "lead_id": lead["id"], "warning": lead["warning"]})
    for lead_id, args, _ in updates:  # based on the version checked: a change saved meanwhile is refused, not overwritten
        L.update(team, lead_id, user=user, store=store, **args)
    return {"file": str(path), "rows": len(data), "added": len(added), "updated": len(updates), "unchanged": unchanged,
            "lead_ids": added, "updated_leads": [{"id": i, "fields": f} for i, _, f in updates], "warnings": warnings,
            "header_rows": header_rows([info], given_row is not None)}
