"""The one rule evaluator: ``match(rule, event, context)`` is a pure function of a rule (as stored by
``rules.normalise``), one event record (a row of the ``events`` table with its enterprise's regions and chain
nodes, see ``enrich``) and the sets a rule may name (pipeline targets, a region's gaps: ``Context``). Rules from
the page, the CLI and YAML all pass through it; the alert it yields is an explained result whose evidence is
the event and the fact (and source) it came from.

Conditions combine with AND; the items of one condition with OR. docs/methods.md ("Alert rules") has the table.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Iterable

from ...core import jsonenc
from ...core.explain import Explained, Part, Ref
from ...core.parse.amounts import plausible_wan
from ..monitoring.events import item_type

METHOD, VERSION = "alert_rule", "1"
# each condition that fired (a part's ``signal``) in words: the alert's page, and the reasons of its webhook
CONDITIONS: dict[str, tuple[str, str]] = {
    "type": ("事件类型", "event type"), "enterprise": ("关注企业", "watched enterprise"),
    "target": ("招商项目目标", "pipeline target"), "region": ("所在地区", "region"),
    "node": ("产业链节点", "chain node"), "gap": ("补链环节", "gap segment"),
    "amount_wan": ("融资金额（万元）", "amount (10k CNY)"), "sentiment": ("情感", "sentiment"),
    "linked": ("新闻关联企业的方式", "how the news names the enterprise")}


def _news_aliases() -> dict[str, str]:
    """A news item's event type by code and by Chinese name (``personnel`` ↔ ``人事变动``): a rule may name either."""
    from ..monitoring.nlp.events import EVENT_TYPES

    out = {}
    for code, (zh, _en) in EVENT_TYPES.items():
        out[code], out[zh] = zh, code
    return out


NEWS_ALIASES = _news_aliases()
def _news_codes() -> frozenset:
    """News types that are not also types of imported events (``funding`` is both: it stays a funding)."""
    from ..monitoring.events import IMPORT_TYPES

    return frozenset(k for k in NEWS_ALIASES if k.isascii() and k not in IMPORT_TYPES)


NEWS_CODES = _news_codes()


@dataclass
class Context:
    """What rules refer to by name, resolved once per evaluation: the enterprises of open pipeline leads, and
    per region code the chain nodes labelled 补链 (missing or weak) in the region × chain matrix."""

    pipeline: set = field(default_factory=set)
    gaps: dict = field(default_factory=dict)


def event_key(ev: dict) -> str:
    """What makes two event records the same event, across re-imports and rebuilt files (ids change, these
    do not): type, enterprise, date, title, source and its record key. Alerts are unique per rule and key."""
    parts = [ev.get("type"), ev.get("enterprise_id"), str(ev.get("date") or ""), ev.get("title"),
             ev.get("source"), ev.get("source_key")]
    return hashlib.sha256(jsonenc.canonical(parts).encode("utf-8")).hexdigest()[:32]


def _detail(ev: dict) -> dict:
    """The event's detail; a record that carries sentiment or URL beside it (live events) gets them inside."""
    d = ev.get("detail")
    if isinstance(d, dict) and "placed" in ev:
        return d  # already read by ``enrich`` (once per event, not once per rule)
    if isinstance(d, str):
        try:
            d = json.loads(d)
        except ValueError:
            d = None
    d = dict(d) if isinstance(d, dict) else {}
    for k in ("sentiment", "url", "amount_wan"):
        if d.get(k) is None and ev.get(k) is not None:
            d[k] = ev[k]
    return d


def match(rule: dict, ev: dict, ctx: Context | None = None) -> Explained | None:
    """The explained match of ``rule`` on event ``ev``, or None. Pure: no I/O."""
    ctx = ctx or Context()
    detail = _detail(ev)
    parts: list[Part] = []
    types = rule.get("types") or []
    if types:
        kind = ev.get("type")  # an events type, or a live event's news type (personnel …)
        sub = detail.get("event_type")  # an imported news item's labelled type (legal, 诉讼/处罚/监管, 信批违规)
        also = {a["type"]: a for a in detail.get("other_types") or () if isinstance(a, dict) and a.get("type")}
        # a live news item is typed by its news type, an imported one by its label's type (its event stored so) and
        # is news all the same (its ``ref_table``, as ``events --type news`` lists it); the other types its text
        # states count too
        is_news = kind in NEWS_CODES or ev.get("ref_table") == "news"
        cands = (kind, sub, item_type(sub) if sub else None, "news" if is_news else None, *also)
        hit = next((k for k in cands if k and (k in types or NEWS_ALIASES.get(k) in types)), None)
        if hit is None:
            return None
        parts.append(Part("type", raw=hit, detail={"any_of": types, **({"other_type": True} if hit in also and hit
                                                                         not in cands[:3] else {})}))
        if hit in also and hit not in cands[:3]:  # the amount of that event, not the primary one's
            detail = {**detail, **{k: also[hit].get(k) for k in ("amount_wan", "amount", "round")}}
    eid = ev.get("enterprise_id")
    ents = {e["id"] for e in rule.get("enterprises") or []}
    if ents or rule.get("targets"):
        if eid in ents:
            parts.append(Part("enterprise", raw=eid, detail={"watched": True}))
        elif "pipeline" in (rule.get("targets") or []) and eid in ctx.pipeline:
            parts.append(Part("target", raw=eid, detail={"set": "pipeline"}))
        else:
            return None
    regions = [r["code"] for r in rule.get("regions") or []]
    if regions:
        hit = next((c for c in regions if c in (ev.get("regions") or ())), None)
        if hit is None:
            return None
        parts.append(Part("region", raw=hit, detail={"any_of": regions}))
    nodes = rule.get("nodes") or []
    if nodes:
        hit = next((n for n in nodes if n in (ev.get("nodes") or ())), None)
        if hit is None:
            return None
        parts.append(Part("node", raw=hit, detail={"any_of": nodes}))
    gaps_of = rule.get("gaps_of")
    if gaps_of:
        gap = ctx.gaps.get(gaps_of["code"], set())
        hit = sorted(n for n in ev.get("placed") or () if n in gap)
        if not hit:
            return None
        parts.append(Part("gap", raw=hit, detail={"region": gaps_of["code"], "label": "补链"}))
    for key, field_, op in (("min_amount_wan", "amount_wan", ">="), ("max_sentiment", "sentiment", "<="),
                            ("min_sentiment", "sentiment", ">=")):
        thr = rule.get(key)
        if thr is None:
            continue
        v = detail.get(field_)
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            return None
        if field_ == "amount_wan" and not plausible_wan(v):  # beyond 100 万亿元: no amount (stored before it was refused)
            return None
        if not (v >= thr if op == ">=" else v <= thr):
            return None
        parts.append(Part(field_, raw=v, detail={"op": op, "threshold": thr}))
    if detail.get("linked") and "news" in (ev.get("type"), ev.get("ref_table")):  # how the item reached the enterprise (declared or in its text)
        parts.append(Part("linked", raw=detail["linked"],
                          detail={k: detail[k] for k in ("method", "mention") if detail.get(k) is not None}))
    evidence = [Ref("events", ids=[ev["id"]])] if ev.get("id") is not None else []
    if ev.get("ref_table"):
        evidence.append(Ref(ev["ref_table"], ids=[ev["ref_id"]] if ev.get("ref_id") is not None else None,
                            note=" · ".join(str(x) for x in (ev.get("source"), ev.get("source_key"), detail.get("url")) if x)
                            or None))
    params = {k: rule.get(k) for k in ("name", "types", "targets", "regions", "nodes", "gaps_of", "min_amount_wan",
                                       "max_sentiment", "min_sentiment")}
    params["enterprises"] = sorted(ents)
    return Explained(value=True, method=METHOD, version=VERSION, params=params, parts=parts, evidence=evidence,
                     as_of=str(ev.get("date") or "") or None,
                     formula="every condition of the rule holds (AND); one item of a list suffices (OR)")


def evaluate(rules: Iterable[dict], events: Iterable[dict], ctx: Context | None = None) -> list[tuple[dict, dict, Explained]]:
    """Every (rule, event, explanation) that matches; rules that are disabled are skipped."""
    rules = [r for r in rules if r.get("enabled", True)]
    out = []
    for ev in events:
        for r in rules:
            x = match(r, ev, ctx)
            if x is not None:
                out.append((r, ev, x))
    return out


SENTIMENT_KEYS = ("max_sentiment", "min_sentiment")


def sentiment_reach(rules: Iterable[dict], events: Iterable[dict], ctx: Context | None = None,
                    into: dict | None = None) -> dict:
    """For each rule with a sentiment threshold: how many of ``events`` (enriched) meet its other conditions and how
    many of those carry a sentiment (``{rule id: [matching, with_sentiment]}``, added to ``into``): a threshold
    on items without one (an imported corpus gives none) can never fire, and the rule's owner is told so."""
    into = {} if into is None else into
    rules = [r for r in rules if any(r.get(k) is not None for k in SENTIMENT_KEYS)]
    for ev in events if rules else ():
        tone = _detail(ev).get("sentiment")
        toned = isinstance(tone, (int, float)) and not isinstance(tone, bool)
        for r in rules:
            if match({**r, "max_sentiment": None, "min_sentiment": None}, ev, ctx) is not None:
                n = into.setdefault(r["id"], [0, 0])
                n[0] += 1
                n[1] += toned
    return into


# -- reading what the evaluator needs ---------------------------------------------------------------------
def context(store, team, rules: list[dict]) -> Context:
    """The sets the given rules name, read once (pipeline targets from the team state, gaps from the matrix)."""
    ctx = Context()
    if any("pipeline" in (r.get("targets") or []) for r in rules):
        from ..pipeline.leads import OPEN

        with team.tx() as tx:
            rows = tx.query(f"SELECT DISTINCT enterprise_id FROM pipeline_leads WHERE status IN ({', '.join('?' for _ in OPEN)})",
                            list(OPEN))
        ctx.pipeline = {int(r["enterprise_id"]) for r in rows}
    codes = {r["gaps_of"]["code"] for r in rules if r.get("gaps_of")}
    if codes:
        from ..regions.matrix import chain_tree

        for code in codes:
            tree = chain_tree(store, code, top=0)
            gap: set = set()
            stack = list(tree.get("nodes") or tree.get("children") or [])
            while stack:
                n = stack.pop()
                if n.get("label") == "补链":
                    gap.add(n["code"])
                stack.extend(n.get("children") or [])
            ctx.gaps[code] = gap
    return ctx


def enrich(store, events: list[dict]) -> list[dict]:
    """Events with their detail read, their enterprise's name, region codes (province, city, district), the chain
    nodes it is placed on (``placed``) and those with their ancestors (``nodes``)."""
    ids = sorted({int(e["enterprise_id"]) for e in events if e.get("enterprise_id") is not None})
    if not ids:
        return [dict(e, detail=_detail(e), regions=[], placed=[], nodes=[]) for e in events]
    ents = {r["id"]: r for r in store.query(
        "SELECT e.id, e.name, e.province_code, e.city_code, e.district_code FROM enterprises e "
        "SEMI JOIN (SELECT unnest(?::BIGINT[]) AS id) w ON w.id = e.id", [ids])}
    parents = dict(store.con.execute("SELECT code, parent_code FROM chain_nodes").fetchall())
    placed: dict[int, set] = {}
    for eid, node in store.con.execute("SELECT p.enterprise_id, p.node_code FROM placements p "
                                       "SEMI JOIN (SELECT unnest(?::BIGINT[]) AS id) w ON w.id = p.enterprise_id",
                                       [ids]).fetchall():
        placed.setdefault(eid, set()).add(node)
    out = []
    for e in events:
        ent = ents.get(e.get("enterprise_id")) or {}
        direct = placed.get(e.get("enterprise_id"), set())
        nodes = set()
        for n in direct:
            while n and n not in nodes:
                nodes.add(n)
                n = parents.get(n)
        out.append(dict(e, detail=_detail(e), enterprise_name=e.get("enterprise_name") or ent.get("name"),
                        regions=[c for c in (ent.get("province_code"), ent.get("city_code"), ent.get("district_code")) if c],
                        placed=sorted(direct), nodes=sorted(nodes)))
    return out
