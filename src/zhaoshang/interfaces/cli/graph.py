"""Commands ``people`` (关键人, and person identity: links, confirm, split) and ``reach`` (关键人触达 paths,
企业间找关系)."""

from __future__ import annotations

from typing import List, Optional

import typer

from ...core.errors import UserError
from ..labels import label, paths_in_words, role_text, strength_text
from .app import FORMAT_OPTION, Fmt, app, date_option, emit, open_store, open_team, state, synthetic_note, t

TIES_OPTION = typer.Option(None, "--ties", help="关系强度模型 YAML（默认内置 data/tie_strength.yaml）")


@app.command("people")
def people_cmd(
    enterprise: str = typer.Argument(..., help="企业（编号、统一社会信用代码、名称或简称）；links = 同名人员的身份关联；"
                                               "confirm / split A B = 确认或拆分两条人员记录"),
    others: List[str] = typer.Argument(None, help="confirm/split 的两条人员记录（p:编号）；links 的姓名（可选）"),
    as_of: Optional[str] = date_option(),
    reason: Optional[str] = typer.Option(None, "--reason", help="confirm/split 的理由（写入审计日志）"),
    ties: Optional[str] = TIES_OPTION,
    fmt: Fmt = FORMAT_OPTION,
) -> None:
    """关键人：决策者按决策权排序（法定代表人、董事长、总经理、创始人、控股及主要股东——股权穿透至实际控制人、领投方合伙人），附证据与日期。"""
    from ...services.graph.identity import decide, person_links
    from ...services.graph.people import key_persons
    from ...services.team.audit import cli_actor

    others = others or []
    store = open_store(read_only=True)  # decisions live in the team state, never in the imported data
    try:
        note = synthetic_note(store)
        if enterprise in ("confirm", "split"):
            if len(others) != 2:
                raise UserError(f"people {enterprise} 需要两条人员记录（p:编号 p:编号）",
                                f"people {enterprise} needs two person records (p:ID p:ID)")
            team = open_team()
            doc = decide(store, team, others[0], others[1], enterprise, reason, cli_actor())
            emit(doc, fmt, rows=[{"decision": doc["decision"], "a": f"p:{doc['a']['id']} {doc['a']['name']}",
                                  "b": f"p:{doc['b']['id']} {doc['b']['name']}", "reason": reason}], note=note)
            return
        if enterprise == "links":
            team = open_team()
            doc = person_links(store, team, name=others[0] if others else None)
            # a table gives the reasons in words (同一企业任职且任期重叠), CSV keeps the codes (same_enterprise_tenure)
            words = (lambda c: label("identity_reason", c, state.lang) if fmt == Fmt.table else c)  # noqa: E731
            rows = [{"a": f"p:{x['a']}", "b": f"p:{x['b']}", "name": x["name"], "confidence": x["confidence"],
                     # a pair kept apart says why first (split by a user, gender or birth year, the name only),
                     # then the rules that would have linked it
                     "reasons": [words(c) for c in ([x["why"]] if x.get("why") else []) + x["reasons"]]}
                    for x in doc["links"] + doc["apart"]][:200]
            emit(doc, fmt, rows=rows, title=t(
                f"同名记录对 {doc['summary']['same_name_pairs']}：关联 {doc['summary']['linked_pairs']}，"
                f"分开 {doc['summary']['kept_apart_pairs']}",
                f"same-name pairs {doc['summary']['same_name_pairs']}: linked {doc['summary']['linked_pairs']}, "
                f"kept apart {doc['summary']['kept_apart_pairs']}"), note=note)
            return
        doc = key_persons(store, enterprise, as_of=as_of, ties=ties, lang=state.lang)
    finally:
        store.close()
    rows = [{"name": p["name"], "type": label("holder", p["type"], state.lang), "power": p["power"],
             "grounds": [role_text(g["ground"], g.get("title"), state.lang, "ground")
                         + (f" {g['share']}%" if g.get("share") is not None else "") for g in p["grounds"]],
             "since": min((g["start"] for g in p["grounds"] if g.get("start")), default=None)} for p in doc["persons"]]
    emit(doc, fmt, rows=rows, title=t(f"{doc['enterprise']['name']} 的关键人（截至 {doc['as_of']}）",
                                      f"key persons of {doc['enterprise']['name']} (as of {doc['as_of']})"), note=note)


@app.command("reach")
def reach_cmd(
    enterprise: Optional[str] = typer.Argument(None, help="目标企业（编号、信用代码、名称或简称）"),
    from_region: Optional[str] = typer.Option(None, "--from-region", help="从本地区出发（联系人、本地企业人员、本地投资机构）"),
    contacts: Optional[str] = typer.Option(None, "--contacts", help="从自己的联系人出发：CSV（姓名、所在企业）"),
    person: Optional[str] = typer.Option(None, "--from", help="从一个人出发（p:编号，或唯一的姓名）"),
    between_: Optional[List[str]] = typer.Option(None, "--between", help="企业间找关系：两家或更多企业（可重复给出）"),
    k: int = typer.Option(5, "--k", help="路径条数（1–50）"),
    max_hops: int = typer.Option(4, "--max-hops", help="最多几跳（1–6）"),
    as_of: Optional[str] = date_option(),
    ties: Optional[str] = TIES_OPTION,
    fmt: Fmt = FORMAT_OPTION,
) -> None:
    """关键人触达：从本方到目标企业关键人的 k 条最强、无环、互不雷同的路径（强度 = 各关系强度之积），每一跳附关系、日期与证据。"""
    from ...services.graph import between, reach
    from ...services.graph.reach import unmatched_words

    store = open_store(read_only=True)
    try:
        note = synthetic_note(store)
        team = open_team()
        if between_:
            names = list(between_) + ([enterprise] if enterprise else [])
            doc = paths_in_words(between(store, names, k=k, max_hops=max_hops, as_of=as_of, ties=ties, team=team,
                                         lang=state.lang), state.lang)
            fields = [{"a": p["a"]["name"], "b": p["b"]["name"], "strength": x["strength"], "path": _path_text(x)}
                      for p in doc["pairs"] for x in p["paths"]]
            # the table prints a strength as every page does (strength_text); a CSV keeps the full value
            title = t("企业间关系路径", "paths between the enterprises")
            missing = [_no_path_reason(p) for p in doc["pairs"] if p.get("no_path")]
            if missing and not fields:  # why the table is empty, as reach says it
                title += t("：", ": ") + t("；", "; ").join(m[len(t("：", ": ")):] for m in missing)
            elif missing:  # the pairs without a path, below the others'
                note = "\n".join(x for x in (*(t("注意", "note") + m for m in missing), note) if x)
            emit(doc, fmt, rows=[{**r, "strength": strength_text(r["strength"])} for r in fields], fields=fields,
                 field_names=["a", "b", "strength", "path"], title=title,
                 note=note, headers={"a": ("企业 A", "Enterprise A"), "b": ("企业 B", "Enterprise B")})
            return
        if not enterprise:
            raise UserError("请给出目标企业，或 --between A --between B", "give a target enterprise, or --between A --between B")
        doc = paths_in_words(reach(store, enterprise, from_region=from_region, contacts=contacts, person=person, k=k,
                                   max_hops=max_hops, as_of=as_of, ties=ties, team=team, lang=state.lang), state.lang)
    finally:
        store.close()
    fields = [{"strength": x["strength"], "start_node": x["origin"]["name"], "key_person": x["target"]["name"],
               "path": _path_text(x)} for x in doc["paths"]]
    rows = [{**r, "strength": strength_text(r["strength"])} for r in fields]  # a CSV keeps the full value
    title = t(f"到 {doc['enterprise']['name']} 关键人的路径（截至 {doc['as_of']}）",
              f"paths to the key persons of {doc['enterprise']['name']} (as of {doc['as_of']})")
    if not rows:
        title += _no_path_reason(doc)
    if doc.get("in_region"):  # the enterprise is itself in the region: its own people are no starts
        note = "\n".join(x for x in (t(doc["in_region"]["text"], doc["in_region"]["text_en"]), note) if x)
    unmatched = unmatched_words(doc["from"].get("unmatched"))
    if unmatched:  # the contacts that start no path, by row: said whether or not a path was found
        note = "\n".join(x for x in (t(*unmatched), note) if x)
    emit(doc, fmt, rows=rows, fields=fields, field_names=["strength", "start_node", "key_person", "path"], title=title,
         note=note)


def _no_path_reason(doc: dict) -> str:
    """Why a reach found no path, in a sentence (the table said only （无记录））, as the service gives it
    (``no_path``), with what to try on the command line."""
    why = doc.get("no_path") or {}
    if not why:
        return ""
    # started from the user's contacts already, or between enterprises (no side to start from)
    own = "from" not in doc or doc["from"].get("contacts") is not None
    hint = "" if why.get("case") != "hops" else t("（可加大 --max-hops）", " (try a larger --max-hops)") if own else \
        t("（可加大 --max-hops，或用 --contacts 从自己的联系人出发）", " (try a larger --max-hops, or --contacts with your own contacts)")
    return t("：" + why["reason"], ": " + why["reason_en"]) + hint


def _path_text(p: dict) -> str:
    """A path as read, each hop's arrow pointing the relation's way as the service writes it (``relation_arrow``:
    ``A ←投资— B``, B invested in A; an office by its title, ``A ←联合创始人— B``); after a name,
    the other record of that person the path went through under the same name (``noted``: the relations page's note
    under the person, the same words)."""
    from ...services.graph.reach import notes_after
    from ...services.identity_reasons import noted

    out = noted(p["origin"]["name"] or "", notes_after(p, 0), state.lang)
    for i, h in enumerate(p["hops"]):
        out += f" {h['relation_arrow']} " + noted(h["to"]["name"] or "", notes_after(p, i + 1), state.lang)
    return out
