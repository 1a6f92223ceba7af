"""``zhaoshang repair …``: putting right what earlier versions wrote into a database (audited)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from ...core.errors import UserError
from .app import FORMAT_OPTION, Fmt, app, audit_unrecorded, emit, open_store, open_team, state, t, update_store

repair_app = typer.Typer(help="修复数据库中由较早版本写入的问题（默认只报告，--apply 执行并记入审计日志）", no_args_is_help=True)
app.add_typer(repair_app, name="repair")


@repair_app.command("history")
def repair_history_cmd(
    apply: bool = typer.Option(False, "--apply", help="执行修复（默认只报告将做什么）"),
    limit: int = typer.Option(20, "--limit", help="列出的示例数"),
    fmt: Fmt = FORMAT_OPTION,
) -> None:
    """修复按错误日期顺序导入造成的历史：较早数据日期的导出在较晚导出之后导入时改写的字段值恢复为较晚导出的值，删除由此产生的虚假变更历史与变更事件。"""
    from ...core.importers.repair import repair_history
    from ..labels import label

    if apply:
        with update_store() as store:
            doc = repair_history(store, apply=True, limit=limit)
        _audit(doc)
    else:
        with open_store(read_only=True) as store:  # a preview opens the database read-only: nothing can change
            doc = repair_history(store, apply=False, limit=limit)
    if fmt == Fmt.json:
        emit(doc, fmt)
        return
    items = [
        (t("涉及企业", "enterprises"), doc["enterprises"]),
        (t("导入顺序颠倒的字段", "fields imported out of date order"), doc["fields_out_of_order"]),
        (t("恢复为较晚导出的值", "values restored to the later export's"), doc["values_restored"]),
        (t("其后已另行改动、未恢复", "changed since, not restored"), doc["values_changed_since"]),
        (t("虚假的变更历史", "false history rows"), doc["history_false"]),
        (t("因此不再是变更的历史", "history rows no longer a change"), doc["history_superseded"]),
        (t("更正原值的历史", "history rows with the old value corrected"), doc["history_corrected"]),
        (t("删除的变更事件", "change events removed"), doc["events_removed"]),
        (t("更正标题的变更事件", "change events retitled"), doc["events_corrected"]),
    ]
    emit([{t("项目", "item"): k, t("值", "value"): v} for k, v in items], fmt,
         title=t("修复导入顺序造成的历史" + ("（已执行）" if doc["applied"] else "（预览，未改动；--apply 执行）"),
                 "Repair of history written out of date order" + (" (applied)" if doc["applied"] else
                                                                    " (preview, nothing changed; --apply to apply)")))
    if doc["examples"]:
        emit([{t("企业", "enterprise"): f"{x['enterprise_id']} {x['name']}",
               t("字段", "field"): label("enterprise_field", x["field"], state.lang),
               t("现值", "current"): x["current"], t("恢复为", "restored to"): x["restored"],
               t("写入的导入（数据日期）", "written by (data date)"): f"{x['written_by']} ({x['written_by_date']})",
               t("保留的导入（数据日期）", "kept from (data date)"): f"{x['kept_from']} ({x['kept_from_date']})"}
              for x in doc["examples"]], fmt, title=t("示例", "examples"))
    if not doc["fields_out_of_order"]:
        sys.stderr.write(t("没有按错误日期顺序写入的值\n", "no value was written out of date order\n"))


def _audit(doc: dict) -> None:
    """An applied repair in the team's audit log (``data.repair_history``), with its counts, by the OS user."""
    from ...services.team import audit

    detail = {k: v for k, v in doc.items() if k != "examples"}
    try:
        team = open_team()
        try:
            audit.record(team, audit.cli_actor(), "data.repair_history", Path(state.db or "").name, detail)
        finally:
            team.close()
    except (UserError, OSError) as exc:
        audit_unrecorded("修复", "repair", exc)



