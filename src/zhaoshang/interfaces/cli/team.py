"""``zhaoshang team …``: the team state itself — where it is, backup and restore, the audit log."""

from __future__ import annotations

import sys
from typing import Optional

import typer

from ...core.errors import count_en
from ...core.parse.dates import DATE_FORMS, china_time_text
from ...core.teamstate.clock import to_second
from .app import FORMAT_OPTION, Fmt, app, date_option, emit, open_team, region_labels_beside_team, state, t

team_app = typer.Typer(help="团队数据（用户、会话、令牌、审计日志）：状态、备份、恢复、审计", no_args_is_help=True)
app.add_typer(team_app, name="team")


@team_app.command("status")
def team_status(fmt: Fmt = FORMAT_OPTION) -> None:
    """团队数据的位置、后端、已应用的迁移、各表行数与审计链校验。"""
    from ...services.team import audit

    team = open_team(create=True)
    with team.tx() as tx:
        tables = [{"table": n, "rows": int(tx.scalar(f'SELECT count(*) FROM "{n}"'))} for n in tx.tables()]
        migrations = tx.query("SELECT version, name, applied_at FROM schema_migrations ORDER BY version")
    doc = {"backend": team.dialect, "location": team.location, "migrations": migrations, "tables": tables,
           "audit_chain": audit.verify(team)}
    if fmt == Fmt.table:  # the location whole on a line of its own (a table's title wraps to the table's width)
        sys.stdout.write(f"{team.dialect}: {team.location}\n")
    emit(doc, fmt, rows=tables, columns=["table", "rows"],
         note=t("审计链完整", "audit chain intact") if doc["audit_chain"]["ok"] else
         t(f"审计链在第 {doc['audit_chain']['first_bad']} 条被改动", f"audit chain broken at {doc['audit_chain']['first_bad']}"))


@team_app.command("backup")
def team_backup(file: str = typer.Argument(..., help="备份文件（JSON Lines，可在 SQLite 与 PostgreSQL 之间恢复）")) -> None:
    """备份团队数据到一个文件（用户、角色、令牌、线索、规则、审计日志等；不含会话与登录失败记录；一致快照，写完才替换目标文件）。"""
    from ...core.teamstate.backup import backup
    from ...services.team import audit

    team = open_team(create=True)
    audit.record(team, audit.cli_actor(), "team.backup", file)
    header = backup(team, file)
    sys.stderr.write(t(f"已备份到 {file}：", f"backed up to {file}: ")
                     + t("，", ", ").join(f"{k} {v}" for k, v in header["tables"].items()) + "\n")


@team_app.command("restore")
def team_restore(file: str = typer.Argument(..., help="由 zhaoshang team backup 生成的文件"),
                 yes: bool = typer.Option(False, "--yes", help="确认替换现有的团队数据")) -> None:
    """从备份恢复：整体替换现有团队数据（要么全部完成，要么原样不动），并结束所有会话。"""
    from ...core.errors import UserError
    from ...core.teamstate.backup import read_backup, restore
    from ...services.team import audit

    _header, items = read_backup(file)  # a bad file is refused before anything is touched
    team = open_team(create=True)
    with team.tx() as tx:
        existing = int(tx.scalar("SELECT count(*) FROM users"))
    if existing and not yes:
        raise UserError(t(f"现有团队数据有 {existing:,} 个用户，将被替换；确认请加 --yes",
                          f"the team state has {count_en(existing, 'user')} and would be replaced: add --yes to confirm"))
    later = audit.entries_since(team, items)  # the log keeps what was written since the backup
    header = restore(team, file, after=lambda tx: audit.append_entries(tx, later))
    check = audit.verify(team)
    audit.record(team, audit.cli_actor(), "team.restore", file, {"backup_created_at": header["created_at"],
                                                                 "audit_entries_kept": len(later)})
    made = china_time_text(header["created_at"])  # the backup's time as people read it (China's, its zone said)
    sys.stderr.write(t(f"已从 {file} 恢复（备份于 {made}）；备份之后的审计记录 {len(later):,} 条已保留；审计链",
                       f"restored from {file} (backed up {made}); {count_en(len(later), 'audit entry', 'audit entries')} "
                       "written since the backup kept; audit chain ")
                     + (t("完整", "intact") if check["ok"] else t(f"在第 {check['first_bad']} 条被改动", f"broken at {check['first_bad']}"))
                     + t("；所有会话已结束，请重新登录\n", "; every session has ended: sign in again\n"))


@team_app.command("audit")
def team_audit(
    actor: Optional[str] = typer.Option(None, "--user", help="只看该用户"),
    action: Optional[str] = typer.Option(None, "--action", help="动作（前缀），如 person.read、export、login"),
    since: Optional[str] = date_option("--since", f"起始日期 {DATE_FORMS[0]}", what="since", end_of_period=False),
    until: Optional[str] = date_option("--until", f"截止日期 {DATE_FORMS[0]}（含）", what="until"),
    q: Optional[str] = typer.Option(None, "--q", help="在对象、详情、地址中查找"),
    limit: int = typer.Option(200, "--limit", help="最多显示条数"),
    output: Optional[str] = typer.Option(None, "--output", "-o", metavar="<path>", help="导出到文件（.csv / .xlsx）"),
    fmt: Fmt = FORMAT_OPTION,
) -> None:
    """审计日志：查看、筛选、导出（只能追加，不能修改）。"""
    from ...services.team import audit
    from ..labels import AUDIT_COLUMNS, audit_detail_text, audit_region_codes, column, label

    team = open_team(create=True)
    filters = {"actor": actor, "action": action, "since": since, "until": until, "q": q}
    if output:
        n = audit.export(team, output, lang=state.lang,
                         headers={c: column(c, state.lang, AUDIT_COLUMNS) for c in audit.COLUMNS},
                         **filters)
        audit.record(team, audit.cli_actor(), "audit.export", output, {"rows": n, **{k: v for k, v in filters.items() if v}})
        sys.stderr.write(t(f"已导出 {n:,} 条到 {output}\n", f"exported {count_en(n, 'entry', 'entries', sep=True)} to {output}\n"))
        return
    res = audit.search(team, limit=limit, **filters)
    # a table shows times in China's time to the second, as the export does, under 时间 (UTC+8); JSON and CSV keep
    # them as stored (UTC, the Z said)
    # and roles and actions by their names (labels.py); JSON, CSV and the export keep the codes; a region code an
    # older entry holds alone is named by the region service (none without a database beside the team state)
    if fmt == Fmt.table:
        codes = audit_region_codes(res["rows"])
        regions = region_labels_beside_team(codes) if codes else {}
    rows = res["rows"] if fmt != Fmt.table else [
        {**r, "at": to_second(r["at"]), "role": label("team_role", r["role"], state.lang),
         "action": label("audit_action", r["action"], state.lang),
         "detail": audit_detail_text(r["detail"], state.lang, r["action"], regions)} for r in res["rows"]]
    emit(res, fmt, rows=rows, columns=audit.COLUMNS, title=t(f"审计日志（共 {res['total']:,} 条）", f"Audit log ({res['total']:,})"),
         headers=AUDIT_COLUMNS)  # not a person's 职务 nor an alert's 投递地址
