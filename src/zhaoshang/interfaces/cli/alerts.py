"""Commands ``alerts …``: watchlists and rules (预警规则) — list, add, remove, import and export YAML — the
alerts they raised, the daily digest, delivery channels and the delivery queue. The same services as the
预警规则 page and /api/alerts (``services.alerts``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

from ...core.errors import UserError, count_en, noun_en
from ...services.alerts import delivery, digest, feed
from ...services.alerts import rules as R
from ..labels import alert_type_text, delivery_error_text, event_text, label, number_text
from .app import FORMAT_OPTION, Fmt, app, emit, listed_heading, open_store, open_team, region_labels_beside_team, state, t

alerts_app = typer.Typer(help="预警：关注清单与规则、预警列表、每日摘要、推送渠道（每位用户各自的规则）", no_args_is_help=True)
rules_app = typer.Typer(help="预警规则：list | add | remove | import | export", no_args_is_help=True)
alerts_app.add_typer(rules_app, name="rules")
app.add_typer(alerts_app, name="alerts")

USER = typer.Option(None, "--user", help="规则所属用户（团队用户名；默认 local，即本机单用户）")
RULE_COLUMNS = ["id", "owner", "name", "types", "conditions", "channels", "enabled"]
ALERT_COLUMNS = ["id", "event_date", "rule_name", "enterprise_name", "event_type_label", "title", "read"]


def _who(user: Optional[str]) -> str:
    return user or R.LOCAL


def _rule_rows(rows: list[dict]) -> list[dict]:
    # the regions of the conditions by their labels (北京市朝阳区; Chaoyang, Liaoning), as the 预警规则 page shows them
    names = region_labels_beside_team(R.region_codes(rows)) if R.region_codes(rows) else {}
    return [dict(r, name=R.shown_name(r, state.lang), types=[label("event", x, state.lang) for x in r["types"]],
                 conditions=R.describe(r, state.lang, names, num=number_text)) for r in rows]


def _alert_rows(rows: list[dict]) -> list[dict]:
    """The table's rows in the UI language: each rule by the name the 预警规则 page shows (``name_en`` in English)."""
    if state.lang == "en" and rows:
        rows = R.with_shown_names(rows, R.list_rules(open_team()), "en", "rule_name")
    return [dict(a, event_type_label=alert_type_text(a, state.lang), title=event_text(a, state.lang),
                 read=bool(a["read_at"])) for a in rows]


@rules_app.command("list")
def rules_list(user: Optional[str] = typer.Option(None, "--user", help="只看一位用户的规则（默认全部）"),
               fmt: Fmt = FORMAT_OPTION) -> None:
    """列出预警规则（关注的企业、地区、环节、事件类型与阈值、推送渠道）。"""
    rows = R.list_rules(open_team(), user)
    emit(rows, fmt, rows=_rule_rows(rows), columns=RULE_COLUMNS, title=t(f"预警规则 {len(rows):,} 条", count_en(len(rows), 'alert rule')))


@rules_app.command("add")
def rules_add(name: str = typer.Argument(..., help="规则名称（同一用户内唯一）"),
              types: List[str] = typer.Option([], "--type", help="事件类型，可重复：funding、news、branch、investment、"
                                              "change_legal_rep … 或新闻事件类型（如 人事变动）"),
              enterprise: List[str] = typer.Option([], "--enterprise", help="关注的企业（id、信用代码、全称或简称），可重复"),
              target: List[str] = typer.Option([], "--target", help="目标集合：pipeline = 招商项目中的在办线索"),
              region: List[str] = typer.Option([], "--region", help="关注的地区（企业所在地，名称或代码），可重复"),
              node: List[str] = typer.Option([], "--node", help="关注的产业链节点（含其下级），可重复"),
              gaps_of: Optional[str] = typer.Option(None, "--gaps-of", help="只看该地区的补链环节（缺失或薄弱）中的企业"),
              min_amount: Optional[str] = typer.Option(None, "--min-amount", help="融资金额下限（万元，或写明单位如 1亿、5000万；未写明金额的融资不满足）"),
              max_sentiment: Optional[float] = typer.Option(None, "--max-sentiment", help="情感上限（-1…1；负面新闻如 -0.5）"),
              min_sentiment: Optional[float] = typer.Option(None, "--min-sentiment", help="情感下限（-1…1）"),
              channel: List[str] = typer.Option([], "--channel", help="推送渠道 app|email|webhook，可重复（默认 app）"),
              replace: bool = typer.Option(False, "--replace", help="同名规则已存在时替换"),
              user: Optional[str] = USER, fmt: Fmt = FORMAT_OPTION) -> None:
    """新增一条预警规则（各条件同时满足；同一条件的多个值满足其一即可）。"""
    spec = {"name": name, "types": types, "enterprises": enterprise, "targets": target, "regions": region, "nodes": node,
            "gaps_of": gaps_of, "min_amount_wan": min_amount, "max_sentiment": max_sentiment,
            "min_sentiment": min_sentiment, "channels": channel}
    with open_store(read_only=True) as store:
        team = open_team()
        row = R.add(store, team, spec, owner=_who(user), replace=replace)
        reach = feed.sentiment_coverage(store, team, row)
    note = _sentiment_note(reach["matching"], reach["with_sentiment"]) if reach else None
    emit(dict(row, sentiment_coverage=reach) if reach else row, fmt, rows=_rule_rows([row]), columns=RULE_COLUMNS,
         title=t(f"已保存规则 #{row['id']}", f"saved rule #{row['id']}"), note=note)


def _sentiment_note(matching: int, toned: int, name: str | None = None) -> str | None:
    """What a sentiment threshold can reach: of the events meeting the rule's other conditions, how many carry a
    sentiment (imported news carries none unless its file gives one) — None when all of them do."""
    if toned >= matching:
        return None
    who = t(f"规则“{name}”", f"rule {name!r}: ") if name else ""
    return t(f"{who}注意：符合其他条件的事件 {number_text(matching)} 条中只有 {number_text(toned)} 条带情感值，"
             "情感阈值只对这些事件生效" + ("，这条规则不会触发" if not toned else ""),
             f"{who}note: of the {count_en(matching, 'event')} meeting the other conditions, only {number_text(toned)} "
             "carry a sentiment; the sentiment threshold applies to those alone" + (": the rule will not fire" if not toned else ""))


@rules_app.command("remove")
def rules_remove(rule: str = typer.Argument(..., help="规则编号"),
                 user: Optional[str] = typer.Option(None, "--user", help="操作用户（只能删除自己的规则；默认不限）"),
                 fmt: Fmt = FORMAT_OPTION) -> None:
    """删除一条规则（已产生的预警保留）。"""
    row = R.remove(open_team(), rule, owner=user)
    emit(row, fmt, rows=_rule_rows([row]), columns=RULE_COLUMNS, title=t(f"已删除规则 #{row['id']}", f"removed rule #{row['id']}"))


@rules_app.command("import")
def rules_import(file: str = typer.Argument(..., help="YAML 文件（rules: 列表，格式见 docs/data-formats.md）"),
                 user: Optional[str] = USER, fmt: Fmt = FORMAT_OPTION) -> None:
    """从 YAML 导入规则（同名规则被替换；任何一条有误则整份拒绝）。"""
    p = Path(file)
    if not p.is_file():
        raise UserError(f"文件不存在: {file}", en=f"no such file: {file}")
    with open_store(read_only=True) as store:
        rows = R.import_yaml(store, open_team(), p.read_text(encoding="utf-8"), owner=_who(user))
    emit(rows, fmt, rows=_rule_rows(rows), columns=RULE_COLUMNS, title=t(f"已导入规则 {len(rows):,} 条", f"imported {count_en(len(rows), 'rule')}"))


@rules_app.command("export")
def rules_export(output: Optional[str] = typer.Option(None, "--output", "-o", help="写入文件（默认输出到屏幕）"),
                 user: Optional[str] = typer.Option(None, "--user", help="只导出一位用户的规则（默认全部）")) -> None:
    """把规则导出为 YAML（可再导入）。"""
    text = R.export_yaml(open_team(), user)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        typer.echo(t(f"已导出到 {output}", f"exported to {output}"))
    else:
        typer.echo(text, nl=False)


@alerts_app.command("run")
def run_cmd(since: Optional[str] = typer.Option(None, "--since", help="重新评估自该日期起的事件（默认：上次以来新到的事件；首次运行为最新事件前 90 天起）"),
            fmt: Fmt = FORMAT_OPTION) -> None:
    """用全部规则评估新事件（导入的与实时接收的）并记录预警（同一规则同一事件只记一次）；服务运行时后台自动执行。"""
    with open_store(read_only=True) as store:
        res = feed.run_all(store, open_team(), since=since)
    notes = [n for s in res.get("sentiment") or () if (n := _sentiment_note(s["matching"], s["with_sentiment"], s["name"]))]
    emit(res, fmt, rows=_alert_rows(res["alerts"]), columns=ALERT_COLUMNS, note="\n".join(notes) or None,
         title=t(f"评估事件 {res['events']:,} 条，新预警 {len(res['alerts']):,} 条", f"{count_en(res['events'], 'event')} evaluated, "
                 f"{count_en(len(res['alerts']), 'new alert')}") + (t(f"（首次运行：自 {w} 起的事件；更早的用 --since）",
                                                          f" (first run: events from {w} on; older ones with --since)")
                                                        if (w := res.get("window_start")) else ""))


@alerts_app.command("list")
def list_cmd(user: Optional[str] = typer.Option(None, "--user", help="只看一位用户的预警（默认全部）"),
             unread: bool = typer.Option(False, "--unread", help="只看未读"),
             rule: Optional[int] = typer.Option(None, "--rule", help="只看一条规则的预警"),
             limit: int = typer.Option(200, "--limit", help="最多条数"),
             fmt: Fmt = FORMAT_OPTION) -> None:
    """预警列表（最新在前），每条附依据（事件及其来源）。"""
    team = open_team()
    with open_store(read_only=True) as store:  # each with the export its event's change was seen in
        rows = feed.with_seen(store, feed.list_alerts(team, user, unread=unread, rule_id=rule, limit=limit))
    total = feed.count_alerts(team, user, unread=unread, rule_id=rule) if len(rows) >= limit else len(rows)
    more = total - len(rows)
    note = t(f"只列出最新的 {len(rows):,} 条；更早的 {more:,} 条未列出（--limit {total} 列出全部）",
             f"only the newest {len(rows):,} are listed; {count_en(more, 'older alert', sep=True)} "
             f"{noun_en(more, 'is', 'are')} not (--limit {total} lists them all)") if more > 0 else None
    if fmt == Fmt.json and note:  # stdout stays the list; the cut is said on stderr, as for a table
        sys.stderr.write(note + "\n")
    emit(rows, fmt, rows=_alert_rows(rows), columns=ALERT_COLUMNS, fields=rows, field_names=feed.FIELDS,
         title=listed_heading(len(rows), total, "预警", "alert"), note=note)


@alerts_app.command("read")
def read_cmd(ids: Optional[List[str]] = typer.Argument(None, help="预警编号（可多个；见 zhaoshang alerts list）"),
             all_: bool = typer.Option(False, "--all", help="把该用户的全部未读预警标为已读"),
             user: Optional[str] = typer.Option(None, "--user", help="预警所属用户（团队用户名；默认 local，即本机单用户）"),
             fmt: Fmt = FORMAT_OPTION) -> None:
    """把预警标为已读（与网页的「全部标为已读」相同，记入审计日志 alerts.read）。"""
    if bool(ids) == all_:
        raise UserError("请给出预警编号，或用 --all 标记全部（二者取其一）",
                        en="give alert ids, or --all for all of them (one or the other)")
    team = open_team()
    who = R.check_owner(team, _who(user))
    n = feed.mark_read(team, who, None if all_ else ids, by=who, strict=True)  # the operator, on who's behalf
    emit({"owner": who, "marked": n}, fmt, title=t(f"已标为已读 {n:,} 条", f"{count_en(n, 'alert')} marked read"))


@alerts_app.command("digest")
def digest_cmd(user: Optional[str] = USER,
               output: Optional[str] = typer.Option(None, "--output", "-o", help="把摘要写成 HTML 文件"),
               send: bool = typer.Option(False, "--send", help="立即通过 SMTP 发送到该用户的邮箱（ZHAOSHANG_SMTP_HOST 等）"),
               fmt: Fmt = FORMAT_OPTION) -> None:
    """每日摘要：该用户自上次摘要以来、推送渠道含 email 的规则所产生的预警。"""
    team, who = open_team(), _who(user)
    with open_store(read_only=True) as store:  # the alerts as the user's role may see them (docs/security.md)
        doc = digest.queue(store, team, who, lang=state.lang) if send else digest.build(store, team, who, lang=state.lang)
    if send:
        if doc is None:
            raise UserError(t(f"{who} 没有待发送的摘要（或未设置邮箱：zhaoshang alerts channels --email）",
                              f"nothing to send to {who} (or no address: zhaoshang alerts channels --email)"))
        sent = delivery.deliver_due(team)
        doc["sent"] = sent
    if output:
        Path(output).write_text(doc["html"], encoding="utf-8")
    res = {k: v for k, v in doc.items() if k not in ("html", "text")} | ({"file": output} if output else {})
    if fmt == Fmt.json and res.get("note"):  # stdout stays the document; why it is empty is said on stderr too
        sys.stderr.write(res["note"] + "\n")
    emit(res, fmt, rows=[_digest_row(res) if fmt == Fmt.table else {k: v for k, v in res.items() if k not in ("alert_ids", "note")}],
         title=doc["subject"], note=res.get("note"))


def _digest_row(res: dict) -> dict:
    """The table's row in the UI language: the recipient, and the delivery run as counts by status (已发 1，待重试 0，
    死信 0) — the JSON keeps ``to`` and ``sent`` as they are."""
    row = {k: v for k, v in res.items() if k not in ("alert_ids", "to", "sent", "note")}
    if "to" in res:
        row["recipient"] = res["to"]
    if "sent" in res:
        n = res["sent"]
        row["delivered"] = t(f"已发 {n.get('sent', 0)}，待重试 {n.get('retry', 0)}，死信 {n.get('dead', 0)}",
                             f"sent {n.get('sent', 0)}, to retry {n.get('retry', 0)}, dead letters {n.get('dead', 0)}")
    return row


@alerts_app.command("channels")
def channels_cmd(user: Optional[str] = USER,
                 email: Optional[str] = typer.Option(None, "--email", help="接收每日摘要的邮箱（\"\" 清除；摘要使用本命令的语言 --lang）"),
                 webhook: Optional[str] = typer.Option(None, "--webhook", help="Webhook 地址 http(s)://…（\"\" 清除）"),
                 secret: Optional[str] = typer.Option(None, "--secret", help="Webhook 签名密钥（HMAC-SHA256；保存后不再显示）"),
                 fmt: Fmt = FORMAT_OPTION) -> None:
    """查看或设置推送渠道：邮箱（每日摘要）与 Webhook（逐条推送，带签名）。"""
    team = open_team()
    if email is None and webhook is None and secret is None:
        row = R.channels(team, R.check_owner(team, _who(user)))
    else:
        row = R.set_channels(team, _who(user), email=email, webhook_url=webhook, webhook_secret=secret, lang=state.lang)
    emit(row, fmt, title=t("推送渠道", "delivery channels"), note=_served_refusal(row.get("webhook_url")) if webhook else None)


def _served_refusal(url: str | None) -> str | None:
    """The command line may set any address; a server others reach (another address, or --require-login) refuses
    internal ones at delivery, as its own form does: say so now, not only as a dead letter later."""
    from ...services.alerts.targets import RefusedTarget, WebhookPolicy

    if not url:
        return None
    try:
        WebhookPolicy(restrict=True).check(url)
    except RefusedTarget as exc:
        return t(f"注意：需要登录的服务器（或在本机以外地址上服务的）不会向它发送，投递会成为死信——{exc.in_lang('zh')}",
                 f"note: a server that requires login (or serves beyond this machine) will not call it, and the "
                 f"deliveries become dead letters — {exc.in_lang('en')}")
    except UserError:  # a host that does not resolve now: the delivery's retries say it
        return None
    return None


def _delivery_rows(rows: list[dict]) -> list[dict]:
    """The table's rows: the status in the UI language, the next attempt to the second and only while one is due
    (a sent delivery or a dead letter has none)."""
    from ...core.teamstate.clock import to_second

    return [dict(r, status=label("delivery_status", r["status"], state.lang),
                 next_at=to_second(r["next_at"]) if r["status"] == "pending" else None,
                 last_error=delivery_error_text(r["last_error"], state.lang) or None) for r in rows]


@alerts_app.command("deliveries")
def deliveries_cmd(status: Optional[str] = typer.Option(None, "--status", help="pending | done | dead（死信）"),
                   user: Optional[str] = typer.Option(None, "--user", help="只看一位用户"),
                   fmt: Fmt = FORMAT_OPTION) -> None:
    """投递队列：待发、已发与死信（多次重试仍失败的投递）。"""
    rows = delivery.list_deliveries(open_team(), status=status, owner=user)
    emit(rows, fmt, rows=_delivery_rows(rows) if fmt == Fmt.table else rows,
         columns=["id", "alert_id", "owner", "channel", "target", "status", "attempts", "next_at", "last_error"],
         title=t(f"投递 {len(rows):,} 条", count_en(len(rows), 'delivery', 'deliveries')))


@alerts_app.command("retry")
def retry_cmd(delivery_id: Optional[int] = typer.Argument(None, help="死信编号（省略则全部）"),
              fmt: Fmt = FORMAT_OPTION) -> None:
    """把死信放回队列并立即尝试投递。"""
    team = open_team()
    n = delivery.retry(team, delivery_id)
    res = {"requeued": n, **delivery.deliver_due(team)}
    emit(res, fmt, title=t(f"重新投递 {n:,} 条", f"{n:,} requeued"))
