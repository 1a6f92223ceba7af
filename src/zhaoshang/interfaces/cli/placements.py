"""Commands ``placements …``: analyst decisions on chain placements (confirm, remove, add), their audit and
counts per node, and declared placements from an import's own labels."""

from __future__ import annotations

from typing import Optional

import typer

from ...core.errors import count_en
from ...services.chain.taxonomy import load_taxonomy
from .app import FORMAT_OPTION, Fmt, app, emit, open_store, open_team, state, t, update_store

placements_app = typer.Typer(help="产业链归类的人工确认、移除、新增（带理由与审计），以及导入数据自带的声明归类", no_args_is_help=True)
app.add_typer(placements_app, name="placements")

REASON = typer.Option(..., "--reason", help="理由（必填，最长 500 字，记入审计记录）")
USER = typer.Option(None, "--user", help="操作人（默认 cli:当前登录用户名）")
TAX = typer.Option(None, "--taxonomy", help="产业链分类 YAML 文件")


def _decide(action: str, enterprise: str, node: str, reason: str, user: Optional[str], taxonomy: Optional[str],
            fmt: Fmt) -> None:
    from ...services.chain import corrections as corr

    with update_store() as store:
        row = corr.record(store, open_team(), enterprise, node, action, reason, user, load_taxonomy(taxonomy))
    verb = {"confirm": t("确认", "confirmed"), "remove": t("移除", "removed"), "add": t("新增", "added")}[action]
    emit(row, fmt, rows=_shown([row], fmt), title=t(f"已{verb}：{row['enterprise_name']} → {row['node_code']}",
                                       f"{verb}: {row['enterprise_name']} → {row['node_code']}"))


def _shown(rows: list[dict], fmt: Fmt) -> list[dict]:
    """A table shows a decision's action in the UI language and its time to the second (as the enterprise page
    does); JSON and CSV keep the stored code and time."""
    if fmt != Fmt.table:
        return rows
    from ...core.teamstate.clock import to_second
    from ..labels import label

    return [{**r, "action": label("placement_action", r.get("action"), state.lang),
             "decided_at": to_second(r.get("decided_at"))} for r in rows]


def _decision_command(action: str, doc: str):
    def cmd(enterprise: str = typer.Argument(..., help="企业：id、统一社会信用代码、全称或简称"),
            node: str = typer.Argument(..., help="节点编码，例如 M06"), reason: str = REASON,
            user: Optional[str] = USER, taxonomy: Optional[str] = TAX, fmt: Fmt = FORMAT_OPTION) -> None:
        _decide(action, enterprise, node, reason, user, taxonomy, fmt)
    cmd.__doc__ = doc
    placements_app.command(action)(cmd)


_decision_command("confirm", "确认一条归类：保留其证据，并在重新归类后仍保持。")
_decision_command("remove", "移除一条错误的归类；重新归类、重新导入后仍然移除。")
_decision_command("add", "新增一条规则未给出的归类（方法记为 analyst）。")


@placements_app.command("list")
def list_cmd(node: Optional[str] = typer.Option(None, "--node", help="只看一个节点"),
             enterprise: Optional[str] = typer.Option(None, "--enterprise", help="只看一家企业"),
             latest: bool = typer.Option(False, "--latest", help="每家企业每个节点只列最新的决定"),
             taxonomy: Optional[str] = TAX, fmt: Fmt = FORMAT_OPTION) -> None:
    """人工决定的审计记录（谁、何时、为何），--format csv 导出。"""
    from ...services.chain import corrections as corr

    from ...services.enterprises import resolve_enterprise

    store = open_store(read_only=True)
    try:  # the enterprise and the node read as every command reads them (m06 is M06; an unknown one refused)
        eid = resolve_enterprise(store, enterprise) if enterprise else None
        rows = corr.list_corrections(open_team(), load_taxonomy(taxonomy).chain, node, eid, latest, store=store)
    finally:
        store.close()
    emit(rows, fmt, rows=_shown(rows, fmt), title=t(f"人工决定 {len(rows):,} 条", count_en(len(rows), 'analyst decision')))


@placements_app.command("counts")
def counts_cmd(taxonomy: Optional[str] = TAX, fmt: Fmt = FORMAT_OPTION) -> None:
    """每个节点被人工确认、移除、新增的归类数（改进规则从这里开始）。"""
    from ...services.chain import corrections as corr

    store = open_store(read_only=True)
    try:  # each decision counted as what its placement is now
        rows = corr.counts(store, open_team(), load_taxonomy(taxonomy).chain)
    finally:
        store.close()
    emit(rows, fmt, rows=rows, title=t("各节点的人工更正数", "corrections per node"))


@placements_app.command("declare")
def declare_cmd(source: str = typer.Option(..., "--source", help="导入来源名，例如 itjuzi"),
                label_map: Optional[str] = typer.Option(None, "--map", help="标签 → 节点的映射 YAML（默认 IT桔子 sub_industry 映射）"),
                field: str = typer.Option("industry", "--field", help="源记录中存标签的字段（默认 industry）"),
                taxonomy: Optional[str] = TAX, fmt: Fmt = FORMAT_OPTION) -> None:
    """把导入数据自带的标签映射为声明归类（如 IT桔子 sub_industry、招商局名单），与推断归类分开保存、分开显示"""
    from ...services.chain import corrections as corr
    from ...services.chain.evaluate import LABEL_MAP

    with update_store() as store:
        res = corr.declare_from_label_map(store, source, label_map or LABEL_MAP, load_taxonomy(taxonomy), field, open_team())
    emit(res, fmt, rows=[{k: v for k, v in res.items() if k != "unmapped_labels"}],
         title=t(f"声明归类：{res['enterprises']:,} 家企业 {res['declared']:,} 条（来源 {source}）",
                 f"declared placements: {res['declared']:,} for {count_en(res['enterprises'], 'enterprise')} (source {source})"))
