"""Commands ``match …``: scenario matching (需求清单 × 能力图谱) both ways, the demand list, the index and the
evaluation on the labelled set — all through ``services.matching``."""

from __future__ import annotations

import time
from typing import List, Optional

import typer

from ...core.errors import count_en
from ..labels import label, labelled, match_score_text, node_names
from .app import FORMAT_OPTION, Fmt, app, date_option, emit, open_store, synthetic_note, t

match_app = typer.Typer(help="场景匹配：需求清单 × 能力图谱（BM25 关键词 + 产业链节点 + 可选语义模型），双向", no_args_is_help=True)
app.add_typer(match_app, name="match")

TOP = typer.Option(10, "--top", "-n", help="返回前几条（1–500）")
# the day a demand's openness and deadline are judged on (services.matching judged_on: today unless given) and the
# enterprises read as of (core.asof: the data's latest date unless given)
AS_OF = date_option(help="按该日判断需求是否开放、是否已过截止，并读该日存续的企业（默认：需求按今天，企业按数据的最新日期）")
SEMANTIC = typer.Option(False, "--semantic", help="用语义模型（multilingual-e5-small，需安装 semantic 扩展）重排前若干候选")


def _emit_matches(doc: dict, fmt: Fmt, title: str, note: Optional[str]) -> None:
    from ...services.matching import match as M

    if doc.get("note") and fmt != Fmt.json:
        typer.echo(doc["note"], err=True)  # (in the CLI's language)
    lang = t("zh", "en")
    rows = labelled(M.result_rows(doc, lang), "status", "demand_status", lang)
    # a demand past its deadline said beside its status, as the demand list says it
    rows = [{**{k: v for k, v in r.items() if k != "expired"}, "status": _with_past(r["status"], r["expired"], lang)}
            if "expired" in r else r for r in rows]
    # a table prints the scores with three decimals each, as the page does (0.600, not 0.6 beside 0.549); a CSV
    # writes the numbers themselves
    shown = [{**r, **{k: match_score_text(r[k]) for k in ("score", "similarity") if r.get(k) is not None}} for r in rows]
    emit(doc, fmt, rows=shown, title=title, note=note, fields=rows if fmt == Fmt.csv else None)


@match_app.command("demand")
def demand_cmd(demand: str = typer.Argument(..., help="需求：编号、源编号或标题"), top: int = TOP,
               region: Optional[str] = typer.Option(None, "--region", help="只要位于该地区的企业（代码、名称或宏观区域）"),
               require: Optional[List[str]] = typer.Option(None, "--require", help="资质硬条件（可重复）：patents（有专利）、listed（上市）、funding（有融资）"),
               include_inactive: bool = typer.Option(False, "--include-inactive", help="也列出已注销、吊销的企业"),
               as_of: Optional[str] = AS_OF, semantic: bool = SEMANTIC, fmt: Fmt = FORMAT_OPTION) -> None:
    """为一条需求找能承接的企业：每条结果附匹配词、匹配环节、相似度与各项得分。"""
    from ...services.matching import match as M

    store = open_store(read_only=True)
    doc = M.match_demand(store, demand, top=top, region=region, require=require or (), include_inactive=include_inactive,
                         semantic=semantic, lang=t("zh", "en"), as_of=as_of)
    _emit_matches(doc, fmt, M.heading(doc, t("zh", "en")), synthetic_note(store))


@match_app.command("enterprise")
def enterprise_cmd(enterprise: str = typer.Argument(..., help="企业：编号、统一社会信用代码、全称或简称"), top: int = TOP,
                   region: Optional[str] = typer.Option(None, "--region", help="只要该地区的需求"),
                   node: Optional[str] = typer.Option(None, "--node", help="只要涉及该产业链环节的需求（如 M03）"),
                   all_status: bool = typer.Option(False, "--all-status", help="也包括已对接、已完成的需求（默认只要征集中、对接中）"),
                   as_of: Optional[str] = AS_OF, semantic: bool = SEMANTIC, fmt: Fmt = FORMAT_OPTION) -> None:
    """为一家企业找它能承接的需求（反向匹配），附理由。"""
    from ...services.matching import match as M

    store = open_store(read_only=True)
    doc = M.match_enterprise(store, enterprise, top=top, region=region, node=node, all_status=all_status,
                             semantic=semantic, lang=t("zh", "en"), as_of=as_of)
    _emit_matches(doc, fmt, M.heading(doc, t("zh", "en")), synthetic_note(store))


def _status_text(d: dict, lang: str) -> str:
    """A listed demand's status with its deadline passed said beside it (or alone, for a list without statuses)."""
    from ...services.matching import match as M

    return _with_past(label("demand_status", d["status"], lang), M.past_deadline_text(d, lang), lang)


def _with_past(status: str | None, past: str | None, lang: str) -> str | None:
    """A status (its label) and the words of a passed deadline (``past_deadline_text``) as one cell."""
    if not past:
        return status
    return (f"{status} ({past})" if lang == "en" else f"{status}（{past}）") if status else past


@match_app.command("demands")
def demands_cmd(region: Optional[str] = typer.Option(None, "--region", help="需求所在地区"),
                node: Optional[str] = typer.Option(None, "--node", help="产业链环节（声明的或文本中识别的）"),
                status: Optional[str] = typer.Option(None, "--status", help="状态，如 征集中（英文亦可：open、in talks、matched、completed）"),
                q: Optional[str] = typer.Option(None, "--q", help="标题、描述或单位包含的文字"),
                open_only: bool = typer.Option(False, "--open", help="只要开放的需求（与 match enterprise 默认相同：征集中、对接中，已发布且未过截止）"),
                limit: int = typer.Option(50, "--limit", help="最多显示多少条"), as_of: Optional[str] = AS_OF,
                fmt: Fmt = FORMAT_OPTION) -> None:
    """需求清单：按地区、环节、状态筛选。"""
    from ...services.matching import match as M

    store = open_store(read_only=True)
    doc = M.list_demands(store, region=region, node=node, status=status, q=q, limit=limit, open_only=open_only,
                          as_of=as_of)
    nodes = node_names(store, t("zh", "en"))  # a segment by its name (D08 政务服务), not its code alone
    lang = t("zh", "en")
    # a demand by its own number (场景编号; #id where the list gives none), past its deadline said beside its status
    # (or alone, for a list without statuses), an open-ended deadline as 长期有效
    rows = [{"ref": d["ref"], "title": d["title"], "organisation": d["organisation"],
             "region": (d["region"] or {}).get(t("label", "label_en")),  # 杭州市余杭区, as the page and export
             "segments": [nodes.get(s, s) for s in d["segments"]],
             "status": _status_text(d, lang),
             "budget_wan": d["budget_wan"], "deadline": M.deadline_text(d, lang), "contact": d["contact"]}
            for d in doc["items"]]
    emit(doc, fmt, rows=rows, title=t(f"需求 {doc['total']:,} 条（截止按 {doc['judged_on']} 判断）",
                                      f"{count_en(doc['total'], 'demand')} (deadlines as of {doc['judged_on']})"),
         note="\n".join(x for x in (None if doc["any_imported"] else M.no_demands_text(lang),
                                     M.published_later_text(doc, lang), synthetic_note(store)) if x)
         or None)


@match_app.command("index")
def index_cmd(fmt: Fmt = FORMAT_OPTION) -> None:
    """（重新）建立能力画像与需求的 BM25 索引，保存在数据库旁（<db>.match/），报告用时。"""
    from ...services.matching import index as idx_svc

    store = open_store(read_only=True)
    rows = []
    for kind in idx_svc.KINDS:
        t0 = time.perf_counter()
        ix = idx_svc.get_index(store, kind, rebuild=True)
        rows.append({"kind": kind, "documents": len(ix.ids), "seconds": round(time.perf_counter() - t0, 2),
                     "fingerprint": ix.fingerprint})
    emit(rows, fmt, rows=rows, title=t("匹配索引", "matching indexes"))


@match_app.command("evaluate")
def evaluate_cmd(split: str = typer.Option("test", "--split", help="dev（调参用）、test（报告用）或 all"),
                 semantic: bool = typer.Option(False, "--semantic", help="也评测语义重排（需安装 semantic 扩展；较慢）"),
                 limit: Optional[int] = typer.Option(None, "--limit", help="只用该划分的前 N 条需求"),
                 data: Optional[str] = typer.Option(None, "--data", help="公开数据目录（默认 $ZHAOSHANG_SHARED_DATA，否则 ../shared/data）"),
                 fmt: Fmt = FORMAT_OPTION) -> None:
    """在标注集上测量匹配：MRR 与 recall@10（BM25、BM25+节点、可选语义重排）；读取共享数据中的 IT桔子 公司表。"""
    from ...core.errors import UserError
    from ...services.matching import evaluate as ev

    if split not in ("dev", "test", "all"):
        raise UserError("--split 须为 dev、test 或 all", "--split must be dev, test or all")
    path = ev.shared_itjuzi(data)
    methods = [m for m in ev.METHODS if semantic or not m.endswith("semantic")]
    res = ev.evaluate(path, split, methods=methods, limit=limit)
    rows = [{"method": m, **v} for m, v in res["methods"].items()]
    emit(res, fmt, rows=rows, title=t(f"场景匹配评测（{split}：{res['demands']:,} 条需求，{res['pairs_judged']} 对判断）",
                                      f"matching evaluation ({split}: {res['demands']:,} demands, {res['pairs_judged']} judged pairs)"))
