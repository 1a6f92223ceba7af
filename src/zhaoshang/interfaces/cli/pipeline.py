"""Commands ``pipeline …``: the team's lead pipeline (招商项目) — add, move, note, list (督办: --overdue),
export and import Excel, landing tracking and 落地率. The same service as the API and the 招商项目 page."""

from __future__ import annotations

import contextlib
from typing import Optional

import typer

from ...core.errors import UserError, count_en
from ...services.pipeline import excel, landing
from ...services.pipeline import leads as L
from ..labels import label, node_names, region_names
from ...core.teamstate.clock import to_second
from ...core.parse.dates import DATE_FORMS, DEADLINE_FORMS
from .data import HEADER_ROW_HELP, header_row_text
from .app import FORMAT_OPTION, Fmt, app, date_option, emit, open_store, open_team, region_labels_beside_team, state, t

pipeline_app = typer.Typer(help="招商项目管理：线索的状态、负责人、下一步、历史与落地跟踪（团队共享）", no_args_is_help=True)
app.add_typer(pipeline_app, name="pipeline")

LIST_COLUMNS = ["id", "enterprise_name", "region_name", "status_label", "owner", "segment", "next_action",
                "next_action_date", "overdue"]
USER = typer.Option(None, "--user", help="操作人（默认 cli:当前登录用户名）")
OWNER = typer.Option(None, "--owner", help="负责人（团队用户名）")
NEXT = typer.Option(None, "--next", help="下一步行动")
DUE = typer.Option(None, "--due", help=f"下一步日期 {DEADLINE_FORMS[0]}")
SEGMENT = typer.Option(None, "--segment", help="产业链环节（节点编码；默认取企业的主要归类）")


def _node_names(code: bool = True) -> dict[str, str]:
    """Chain node code → ``D09 智慧教育`` (without ``code``: ``智慧教育``) in the CLI's language; none without a
    database beside the team state."""
    try:
        with open_store(read_only=True) as store:
            return node_names(store, t("zh", "en"), code=code)
    except UserError:
        return {}


def _shown(rows: list[dict]) -> list[dict]:
    """Table rows in the CLI's language (the stored status label and region name are Chinese), the region told
    apart from those of the same name (杭州市西湖区), the segment by its name (D09 智慧教育, not D09)."""
    if not rows:
        return rows
    nodes = _node_names() if any(r.get("segment") for r in rows) else {}
    names = region_labels_beside_team({r.get("region_code") for r in rows})
    rows = [dict(r, region_name=names.get(r.get("region_code"), r.get("region_name")),
                 next_action_date=L.due_text(r, state.lang),  # 长期 / open-ended told from no date
                 **({"segment": nodes.get(r["segment"], r["segment"])} if r.get("segment") else {})) for r in rows]
    if t("z", "e") == "z":
        return rows
    return [dict(r, status_label=L.STATUS_EN.get(r.get("status"), r.get("status_label"))) for r in rows]


def _history_shown(history: list[dict]) -> list[dict]:
    """A lead's history as the 招商项目 page shows it: to the second, fields and statuses in the CLI's language,
    segments by their names (the table read 2026-12-03T00:50:35.270923Z · status · new → contacted); JSON keeps
    the stored values."""
    en = state.lang == "en"
    statuses = L.STATUS_EN if en else L.STATUS_ZH
    nodes = _node_names() if any(h.get("field") == "segment" for h in history) else {}

    def value(field: str, v):
        if v in (None, ""):
            return v
        if field == "next_action_date" and v == L.OPEN_DUE[0]:  # stored as the word it is typed as: 长期 / open-ended
            return L.OPEN_DUE[en]
        return statuses.get(v, v) if field == "status" else nodes.get(v, v) if field == "segment" else v

    return [dict(h, at=to_second(h.get("at")) or "",
                 field=L.FIELD_LABELS.get(h.get("field"), (h.get("field"),) * 2)[en],
                 from_value=value(h.get("field"), h.get("from_value")), to_value=value(h.get("field"), h.get("to_value")))
            for h in history]


def _lead_title(row: dict, zh: str, en: str) -> str:
    shown = _shown([row])[0]
    return t(f"{zh} #{row['id']} {row['enterprise_name']} · {shown['region_name']} · {row['status_label']}",
             f"{en} #{row['id']} {row['enterprise_name']} · {shown['region_name']} · {shown['status_label']}")


@pipeline_app.command("add")
def add_cmd(enterprise: str = typer.Argument(..., help="企业：id、统一社会信用代码、全称或简称"),
            region: str = typer.Argument(..., help="目标地区：名称或 6 位代码"),
            status: str = typer.Option("新线索", "--status", show_default=False, help="初始状态（默认 新线索）"),
            owner: Optional[str] = OWNER, next_action: Optional[str] = NEXT, due: Optional[str] = DUE,
            segment: Optional[str] = SEGMENT,
            source: str = typer.Option("manual", "--source", help="来源 manual|leads|profile|excel"),
            note: Optional[str] = typer.Option(None, "--note", help="备注"),
            reason: Optional[str] = typer.Option(None, "--reason", help="放弃理由（状态为 已放弃 时必填）"),
            signed_on: Optional[str] = typer.Option(None, "--signed-on", help=f"签约日期 {DATE_FORMS[0]}（状态为 已签约、已落地 或签约后 已放弃 时；已签约 默认今天）"),
            landed_on: Optional[str] = typer.Option(None, "--landed-on", help=f"落地日期 {DATE_FORMS[0]}（状态为 已落地 时必填）"),
            as_of: Optional[str] = date_option(help=f"选自的招商线索列表的截至日期 {DATE_FORMS[0]}（zhaoshang leads --as-of）："
                                                    "线索记下该日、所用权重及其在该列表中的得分"),
            weights: Optional[str] = typer.Option(None, "--weights", help="该列表所用的已保存线索权重版本（与 --as-of 一起；默认内置权重）"),
            user: Optional[str] = USER, fmt: Fmt = FORMAT_OPTION) -> None:
    """把一家企业加入某地区的招商项目（每家企业每个地区一条）；--as-of 记下它选自的招商线索列表及当时得分。"""
    with open_store(read_only=True) as store:
        team = open_team()
        row = L.add(store, team, enterprise, region, user=user, owner=owner, status=status, source=source,
                    segment=segment, next_action=next_action, next_action_date=due, note=note, abandon_reason=reason,
                    signed_on=signed_on, landed_on=landed_on, list_as_of=as_of, list_weights=weights, lang=state.lang)
    emit(row, fmt, rows=_shown([row]), columns=LIST_COLUMNS, fields=[row], title=_lead_title(row, "已加入", "added"))
    if row["warning"]:  # not refused (two teams may both work it), said on stderr beside any format
        typer.echo(t("注意：", "Note: ") + row["warning"], err=True)


@pipeline_app.command("move")
def move_cmd(lead: str = typer.Argument(..., help="线索编号"),
             status: str = typer.Argument(..., help="新状态：新线索 已接触 已拜访 洽谈中 已签约 已落地 已放弃"),
             reason: Optional[str] = typer.Option(None, "--reason", help="理由（移到 已放弃、或从 已签约/已落地 退回时必填）"),
             owner: Optional[str] = OWNER, next_action: Optional[str] = NEXT, due: Optional[str] = DUE,
             note: Optional[str] = typer.Option(None, "--note", help="备注"),
             on: Optional[str] = typer.Option(None, "--on", help=f"签约或落地的日期 {DATE_FORMS[0]}（移到 已签约、已落地 时；默认今天；移到线索现在的状态即更正其日期）"),
             signed_on: Optional[str] = typer.Option(None, "--signed-on", help=f"签约日期 {DATE_FORMS[0]}（已签约、已落地 的线索；已落地 线索的签约日期由此更正，不必退回）"),
             landed_on: Optional[str] = typer.Option(None, "--landed-on", help=f"落地日期 {DATE_FORMS[0]}（已落地 的线索）"),
             user: Optional[str] = USER, fmt: Fmt = FORMAT_OPTION) -> None:
    """改变线索状态（可同时改负责人、下一步）；每次变化记入历史。"""
    with open_store(read_only=True) as store:  # a day given is checked against the enterprise's founding
        row = L.update(open_team(), lead, user=user, status=status, reason=reason, owner=owner,
                       next_action=next_action, next_action_date=due, note=note, on=on, signed_on=signed_on,
                       landed_on=landed_on, store=store)
    emit(row, fmt, rows=_shown([row]), columns=LIST_COLUMNS, fields=[row], title=_lead_title(row, "已更新", "updated"))


@pipeline_app.command("note")
def note_cmd(lead: str = typer.Argument(..., help="线索编号"),
             text: Optional[str] = typer.Argument(None, help="备注"),
             owner: Optional[str] = OWNER, next_action: Optional[str] = NEXT, due: Optional[str] = DUE,
             note: Optional[str] = typer.Option(None, "--note", help="备注"),
             user: Optional[str] = USER, fmt: Fmt = FORMAT_OPTION) -> None:
    """给线索加备注，或改负责人、下一步及其日期（不改状态）。"""
    # the note as the second argument, or --note as `pipeline move` takes it
    row = L.update(open_team(), lead, user=user, note=text if text is not None else note, owner=owner,
                   next_action=next_action, next_action_date=due)
    emit(row, fmt, rows=_shown([row]), columns=LIST_COLUMNS, fields=[row], title=_lead_title(row, "已记录", "noted"))


@pipeline_app.command("list")
def list_cmd(status: Optional[str] = typer.Option(None, "--status", help="只看一种状态"),
             owner: Optional[str] = typer.Option(None, "--owner", help="只看一位负责人"),
             region: Optional[str] = typer.Option(None, "--region", help="只看一个地区（名称或代码）"),
             segment: Optional[str] = typer.Option(None, "--segment", "--node", help="只看一个产业链环节（含其下级节点）"),
             source: Optional[str] = typer.Option(None, "--source", help="只看一种来源"),
             overdue: bool = typer.Option(False, "--overdue", help="只看下一步已逾期的在办线索（督办）"),
             fmt: Fmt = FORMAT_OPTION) -> None:
    """招商项目列表（最近更新在前）；--overdue 列出逾期未办的下一步（督办）。"""
    code = None
    if region or segment:
        from ...core.geo.lookup import resolve_region

        with open_store(read_only=True) as store:
            code = resolve_region(store, region, macro=False).code if region else None
            segment = L.segment_nodes(store, segment)  # an unknown node is refused, not an empty list; a stage: its children too
    rows = L.list_leads(open_team(), status=status, owner=owner, region=code, segment=segment, source=source,
                        overdue=overdue)
    emit(rows, fmt, rows=_shown(rows), columns=LIST_COLUMNS, fields=rows, field_names=L.FIELDS,
         title=t(f"招商项目 {len(rows):,} 条" + ("（督办：下一步已逾期）" if overdue else ""),
                 count_en(len(rows), 'pipeline lead') + (" (overdue next actions)" if overdue else "")))


@pipeline_app.command("show")
def show_cmd(lead: str = typer.Argument(..., help="线索编号"), fmt: Fmt = FORMAT_OPTION) -> None:
    """一条线索及其完整历史（谁、何时、从什么改为什么）。"""
    row = L.get(open_team(), lead, history=True)
    # the CSV: one row per history entry with the JSON's fields and stored values (the lead's id first), the same in
    # either language, as `pipeline list` and `alerts list` write theirs; the table is for reading
    emit(row, fmt, rows=_history_shown(row["history"]), columns=["at", "actor", "field", "from_value", "to_value"],
         headers={"at": L.HISTORY_AT}, title=_lead_title(row, "线索", "lead"),
         fields=[{"lead_id": row["id"], **h} for h in row["history"]], field_names=L.HISTORY_FIELDS)


@pipeline_app.command("export")
def export_cmd(output: str = typer.Option(..., "--output", "-o", help="输出文件 .xlsx 或 .csv"),
               status: Optional[str] = typer.Option(None, "--status", help="只导出一种状态"),
               owner: Optional[str] = typer.Option(None, "--owner", help="只导出一位负责人"),
               overdue: bool = typer.Option(False, "--overdue", help="只导出逾期（督办）线索"),
               fmt: Fmt = FORMAT_OPTION) -> None:
    """导出招商项目为 Excel（或 CSV）。"""
    en = t("z", "e") == "e"
    team = open_team()
    try:  # the database beside the team state: its demo's leads labelled (数据说明), as the page's export labels them
        store = open_store(read_only=True)
    except UserError:
        store = None
    with store or contextlib.nullcontext():
        n = excel.export(team, output, lang="en" if en else "zh",
                         region_names=region_labels_beside_team({r["region_code"] for r in L.list_leads(team)}),
                         segment_names=_node_names(code=False), store=store,
                         status=status, owner=owner, overdue=overdue)
    res = {"file": output, "rows": n}
    emit(res, fmt, title=t(f"已导出 {n:,} 条线索到 {output}", f"exported {count_en(n, 'lead', sep=True)} to {output}"))


@pipeline_app.command("import")
def import_cmd(file: str = typer.Argument(..., help="Excel/CSV 文件：企业名称（或企业编号、信用代码）、地区，可选 状态、负责人、"
                                                    "产业链环节、下一步、下一步日期、放弃理由、备注、签约日期、落地日期"),
               header_row: Optional[int] = typer.Option(None, "--header-row", help=HEADER_ROW_HELP),
               user: Optional[str] = USER, fmt: Fmt = FORMAT_OPTION) -> None:
    """从 Excel 导入线索：已有的线索（同一企业同一地区，或其编号）按不同的单元格更新，新的加入（来源记为 excel）；导出的版本列使他人之后改过的线索被拒绝；任何一行有误则整份拒绝并逐行说明。"""
    with open_store(read_only=True) as store:
        res = excel.import_file(store, open_team(), file, user=user, header_row=header_row, lang=state.lang)
    en = state.lang == "en"
    # which fields of which lead were updated: #3 下一步日期；#5 状态、负责人 (#3 due; #5 status, owner)
    fields = t("；", "; ").join(f"#{u['id']} " + t("、", ", ").join(L.FIELD_LABELS.get(f, (f, f))[en] for f in u["fields"])
                               for u in res["updated_leads"])
    row = {k: v for k, v in res.items() if k not in ("lead_ids", "updated_leads", "header_rows", "warnings")}
    if fields:
        row["updated_fields"] = fields
    if res["header_rows"]:  # the header below title lines, or named: said as ``import`` says it
        row["header_row"] = t("；", "; ").join(header_row_text(h) for h in res["header_rows"])
    emit(res, fmt, rows=[row], headers={"added": ("新增线索", "Leads added"), "updated": ("更新线索", "Leads updated"),
                                        "unchanged": ("未变", "Unchanged"), "updated_fields": ("更新的字段", "Fields updated"),
                                        "header_row": ("表头行", "Header row")},
         title=t(f"已导入：新增 {res['added']:,} 条线索，更新 {res['updated']:,} 条，未变 {res['unchanged']:,} 条",
                 f"imported: {count_en(res['added'], 'lead')} added, {res['updated']:,} updated, {res['unchanged']:,} unchanged"))
    for w in res["warnings"]:  # as `pipeline add` says it, per row, beside any format
        typer.echo(t(f"注意：第 {w['row']} 行（#{w['lead_id']}）：", f"Note: row {w['row']} (#{w['lead_id']}): ") + w["warning"],
                   err=True)


@pipeline_app.command("track")
def track_cmd(dry_run: bool = typer.Option(False, "--dry-run", help="只列出检测到的落地，不改状态"),
              user: Optional[str] = USER, fmt: Fmt = FORMAT_OPTION) -> None:
    """落地跟踪：已签约线索在之后导入的数据中出现本地主体（分支机构、子公司、对外投资、注册地迁入）即标为已落地。"""
    with open_store(read_only=True) as store:
        rows = landing.detect(store, open_team()) if dry_run else landing.track(store, open_team(), user)
    names = region_labels_beside_team({r["region_code"] for r in rows}) if rows else {}
    rows = [dict(r, region_name=names.get(r["region_code"], r["region_name"])) for r in rows]
    emit(rows, fmt, rows=rows, columns=["lead_id", "enterprise_name", "region_name", "signed_on", "kind_label", "entity",
                                        "landed_on"],
         title=t(f"检测到落地 {len(rows):,} 条", f"{len(rows):,} landings detected"))


@pipeline_app.command("stats")
def stats_cmd(by: str = typer.Option("owner", "--by", help="按 owner（负责人）| segment（环节）| source（来源）"),
              fmt: Fmt = FORMAT_OPTION) -> None:
    """落地率与落地用时（签约 → 落地天数），按负责人、产业链环节或来源。"""
    rows = landing.stats(open_team(), by)
    if not rows and fmt == Fmt.table:  # the rate is over signed leads: say so rather than （无记录）
        print(t("落地率：还没有已签约的线索（落地率 = 已落地 ÷ 已签约）",
                "landing rate: no signed leads yet (landing rate = landed ÷ signed)"))
        return
    # the table as the 招商项目 page shows it: a lead without an owner (segment, source) under —, the rate in per cent,
    # a segment by its name (D06 金融AI), a source in words (手工录入); JSON and CSV keep the codes
    names = (_node_names() if by == "segment" else {k: label("lead_source", k, state.lang) for k in L.SOURCES}
             if by == "source" else {})
    shown = rows if fmt != Fmt.table else [
        dict(r, **{by: names.get(r[by], r[by]) or "—"}, landing_rate=f"{r['landing_rate'] * 100:.0f}%") for r in rows]
    emit(rows, fmt, rows=shown, title=t("落地率", "landing rate"))
