"""Scenario matching both ways: a demand → the enterprises able to serve it, an enterprise → the demands it can serve.

Score of a pair (every part in the result's ``Explained``):

    score = w_bm25 · BM25 / max BM25 of the query  +  w_nodes · node agreement  [+ w_sem · similarity]

- BM25 (bm25s) over jieba tokens of the capability profile (``profiles.py``), with the matched terms;
- node agreement: the highest placement confidence of the enterprise on a segment the demand names (declared, or
  found by the taxonomy's keywords in its text), 0 when none;
- similarity (optional, ``semantic=True``): multilingual-e5-small cosine, min–max scaled within the re-ranked
  short list of the first stage's best candidates.

Hard filters come before ranking: active enterprises only (not dissolved, status not 注销/吊销 …), a region, and
qualifications (``patents``, ``listed``, ``funding``); for demands: open status by default, region, node.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

import numpy as np

from ...core.asof import as_of_date, enterprises_as_of, reference_date
from ...core.errors import NotFound, UserError, count_en
from ...core.status import STATUS_EN
from ...core.explain import Explained, Part, Ref
from ...core.geo.lookup import region_condition, region_labels, resolve_region
from ..chain.taxonomy import Taxonomy, load_taxonomy
from ..enterprises import resolve_enterprise
from ..privacy import mask_text
from . import semantic as sem
from .index import get_index
from .profiles import (DEMAND_STATUS_EN, config, demand_nodes, demand_rows, enterprise_profiles, expired_condition,
                       judged_on, level2, open_condition, request_text, segment_filter, status_code, tokens)

METHOD = "match.hybrid"
QUALIFICATIONS = {
    "patents": "EXISTS (SELECT 1 FROM patent_applicants a JOIN patents p ON p.id = a.patent_id WHERE a.enterprise_id = e.id"
               " AND {dated})",
    "listed": "e.listed_code IS NOT NULL AND e.listed_code <> ''",
    "funding": "EXISTS (SELECT 1 FROM fundings f WHERE f.enterprise_id = e.id AND {dated})",
}
# a qualification's fact dated by the as-of date (core.asof: dated facts are filtered on their own dates); undated
# facts count
QUALIFICATION_DAYS = {"patents": "coalesce(p.applied, p.published, p.granted)", "funding": "f.date"}
FORMULA = "w_bm25·BM25/max + w_nodes·节点一致度 + w_sem·语义相似度"
LABELS = {"bm25": ("关键词相关度（BM25）", "keyword relevance (BM25)"),
          "nodes": ("产业链节点一致", "chain-node agreement"),
          "semantic": ("语义相似度（e5）", "semantic similarity (e5)")}


def weights(semantic: bool, override: dict | None = None) -> dict[str, float]:
    w = {k: float(v) for k, v in (config().get("weights") or {}).items()}
    w.update({k: float(v) for k, v in (override or {}).items()})
    if not semantic:
        w["semantic"] = 0.0
    return w


def _semantic_state(semantic: bool | None, lang: str = "zh") -> tuple[bool, str | None]:
    if not semantic:
        return False, None
    if sem.available():
        return True, None
    return False, ("semantic model not installed (pip install 'zhaoshang[semantic]'); matched by keywords and chain nodes"
                   if lang == "en" else "未安装语义模型（pip install 'zhaoshang[semantic]'），已按关键词与节点匹配")


def _region_names(store, codes: Iterable[str | None]) -> dict[str, dict]:
    codes = sorted({c for c in codes if c})
    if not codes:
        return {}
    labels = {lg: region_labels(store, codes, lg, with_city=True) for lg in ("zh", "en")}
    return {r["code"]: {**r, "label": labels["zh"].get(r["code"]), "label_en": labels["en"].get(r["code"])}
            for r in store.query("SELECT code, name, name_en FROM regions WHERE list_contains(?, code)", [codes])}


def _place(row: dict, names: dict) -> dict:
    """``{code, name, name_en, label, label_en}`` as docs/cli.md documents it: each null where the row has no
    region (or an unknown code), never a bare null or a partial object. ``label``: a district with its city
    (杭州市余杭区; several cities have a 朝阳区 or a 鼓楼区), the region service's ``region_labels``."""
    code = row.get("district_code") or row.get("city_code") or row.get("province_code")
    r = names.get(code) or {}
    return {"code": code or None, "name": r.get("name"), "name_en": r.get("name_en"), "label": r.get("label"),
            "label_en": r.get("label_en")}


def _matched_terms(query: list[str], doc_text: str | None, idf, limit: int = 8) -> list[str]:
    shared = set(query) & set(tokens(doc_text))
    shared = {t for t in shared if not any(t != o and t in o for o in shared)}  # 服务器, not also 务器
    return sorted(shared, key=lambda t: (-idf(t), t))[:limit]


def _explain(score: float, parts: list[Part], params: dict, evidence: list[Ref]) -> Explained:
    return Explained(value=round(score, 4), method=METHOD, version=str(config().get("version")), params=params,
                     parts=parts, evidence=evidence, formula=FORMULA)


def _parts(w: dict, bm: float, bm_n: float, terms: list[str], agree: float, nodes: list[dict],
           sim: float | None, sim_n: float, lang: str) -> list[Part]:
    i = 1 if lang == "en" else 0
    out = [Part("bm25", LABELS["bm25"][i], round(bm, 4), round(bm_n, 4), w["bm25"], round(w["bm25"] * bm_n, 4),
                {"terms": terms}),
           Part("nodes", LABELS["nodes"][i], round(agree, 4), round(agree, 4), w["nodes"], round(w["nodes"] * agree, 4),
                {"nodes": nodes})]
    if w.get("semantic"):
        out.append(Part("semantic", LABELS["semantic"][i], None if sim is None else round(sim, 4), round(sim_n, 4),
                        w["semantic"], round(w["semantic"] * sim_n, 4), {"model": sem.MODEL}))
    return out


def _minmax(v: np.ndarray) -> np.ndarray:
    if v.size == 0:
        return v
    lo, hi = float(v.min()), float(v.max())
    return (v - lo) / (hi - lo) if hi > lo else np.ones_like(v)


def _in_region(store, region: str | None, alias: str, conds: list, params: list) -> None:
    """Adds the region service's condition for ``alias`` (nothing when no region is asked for)."""
    if region:
        c, p = region_condition(resolve_region(store, region), alias)
        conds.append(c)
        params += p


def _rerank(scored: list[list], w: dict, query_text: str, texts: dict[int, str]) -> list[list]:
    """Adds w_sem × scaled similarity to the first-stage short list (rows [score, id, …, sim, sim'])."""
    if not w.get("semantic") or not scored:
        return scored
    short = scored[: int(config().get("rerank") or 30)]
    sims = sem.similarity(query_text, [texts.get(s[1], "") for s in short])
    for s, sim, sn in zip(short, sims.tolist(), _minmax(sims).tolist()):
        s[6], s[7] = sim, sn
        s[0] += w["semantic"] * sn
    return sorted(short, key=lambda s: (-s[0], s[1])) + scored[len(short):]


# ---------------------------------------------------------------------------------- demand → enterprises
def resolve_demand(store, key: Any) -> dict:
    """A demand by id, its key in the source, or its exact title. A key or title that several demands share (two
    sources' lists, a demand published again), or a number that is one demand's id and another's key in its
    source (a list numbered 1, 2, 3 …), is refused listing them by id and source, never guessed; ``#N`` is the
    demand with id N alone (the pages link to demands so)."""
    s = str(key).strip()
    if re.fullmatch(r"#\d{1,17}", s):  # #N: the id alone, as the refusal below lists the demands
        rows = store.con.execute("SELECT id FROM demands WHERE id = ?", [int(s[1:])]).fetchall()
        if rows:
            return demand_rows(store, [rows[0][0]])[0]
        raise NotFound(f"未找到需求: {s}", f"demand not found: {s}")
    as_id = int(s) if s.isascii() and s.isdigit() and len(s) < 18 else None
    rows = []
    for cond, val in (("id = ?", as_id), ("source_key = ?", s), ("title = ?", s)):
        if val is None:
            continue
        found = store.con.execute(f"SELECT id, source FROM demands WHERE {cond} ORDER BY id LIMIT 11", [val]).fetchall()
        if cond == "id = ?":  # an id and the key of another demand: both meant, which is not known
            found += store.con.execute("SELECT id, source FROM demands WHERE source_key = ? AND id <> ? ORDER BY id "
                                       "LIMIT 10", [s, as_id]).fetchall()
        if found:
            rows = found
            break
    if len(rows) > 1:
        listed = rows[:10]
        more = "…" if len(rows) > 10 else ""
        raise UserError(f"有多条需求为「{s}」：" + "、".join(f"#{i}（来源 {src or '—'}）" for i, src in listed) + more
                        + f"；请用需求编号（如 #{listed[0][0]}）",
                        f"several demands are '{s}': " + ", ".join(f"#{i} (source {src or '—'})" for i, src in listed)
                        + more + f"; give the demand's id (as #{listed[0][0]})")
    if rows:
        return demand_rows(store, [rows[0][0]])[0]
    raise NotFound(f"未找到需求: {s}", f"demand not found: {s}")


def _hard_filters(store, *, region: str | None, require: Iterable[str], include_inactive: bool,
                  as_of: Any = None) -> tuple[list, list, str]:
    """The hard filters on enterprises (alias ``e``) as SQL conditions, their parameters and the enterprises they
    read: on a date asked for, those existing then with their status and region of that day
    (``core.asof.enterprises_as_of``, as the map and the chain view read them), the qualifications' facts dated
    by then; else the table as it stands."""
    d = as_of_date(as_of)
    view = enterprises_as_of(d, store, existing=not include_inactive)
    conds, params = [], []
    if d is not None and include_inactive:  # the ended ones too, never one founded later
        conds.append(f"(e.founded IS NULL OR e.founded <= DATE '{d.isoformat()}')")
    if not include_inactive:
        conds.append("e.dissolved IS NULL AND NOT regexp_matches(coalesce(e.status, ''), ?)")
        params.append(str(config().get("inactive_status")))
    _in_region(store, region, "e", conds, params)
    # an institution that places demands (its name says so) supplies nothing unless it is placed on the chain
    conds.append("NOT (regexp_matches(coalesce(e.name_norm, e.name, ''), ?) AND NOT EXISTS "
                 "(SELECT 1 FROM placements pl WHERE pl.enterprise_id = e.id))")
    params.append(str(config().get("buyer_names") or "$^"))
    for q in require:
        if q not in QUALIFICATIONS:
            raise UserError(f"未知的资质条件: {q}（可选 {', '.join(QUALIFICATIONS)}）",
                            f"unknown qualification: {q} (one of {', '.join(QUALIFICATIONS)})")
        day = QUALIFICATION_DAYS.get(q)
        conds.append(QUALIFICATIONS[q].format(dated="TRUE" if d is None or day is None else
                                              f"({day} IS NULL OR {day} <= DATE '{d.isoformat()}')"))
    return conds, params, view


def _eligible(store, ids: list[int], filters: tuple[list, list, str]) -> set[int]:
    """Those of ``ids`` that pass the hard filters (one query)."""
    if not ids:
        return set()
    conds, params = ["list_contains(?, e.id)", *filters[0]], [ids, *filters[1]]
    rows = store.con.execute(f"SELECT e.id FROM {filters[2]} e WHERE {' AND '.join(conds)}", params).fetchall()
    return {r[0] for r in rows}


def _text_candidates(store, idx, bm: np.ndarray, k: int, filters: tuple[list, list, str]) -> dict[int, float]:
    """The ``k`` best enterprises by BM25 among those that pass the hard filters — the cut taken within the
    filtered set, so a region's or a qualification's enterprises are not first cut by a nationwide ranking. The
    ranking is read in growing slices (k, 2k, 4k …) until k pass or no enterprise with a score is left."""
    order = np.argsort(-bm, kind="stable")
    order = order[: int((bm > 0).sum())]
    out: dict[int, float] = {}
    at, size = 0, k
    while at < len(order) and len(out) < k:
        part = order[at:at + size]
        ok = _eligible(store, [int(idx.ids[p]) for p in part], filters)
        for p in part:
            eid = int(idx.ids[p])
            if eid in ok and len(out) < k:
                out[eid] = float(bm[p])
        at, size = at + size, size * 2
    return out


def _node_candidates(store, tax: Taxonomy, nodes: Iterable[str], limit: int | None,
                     filters: tuple[list, list, str] | None = None, ids: list[int] | None = None) -> dict[int, list[dict]]:
    """Enterprises placed on (or below) the demand's segments → their placements there: the best ``limit``
    placements of those passing ``filters`` (placements joined to the enterprises the filters read, as the chain
    view reads them as of a date), or every placement there of ``ids``."""
    nodes = sorted(set(nodes))
    if not nodes or ids == []:
        return {}
    conds, params = ["pl.chain = ?", "list_contains(?, split_part(pl.node_code, '.', 1))"], [tax.chain, nodes]
    if ids is not None:
        conds.append("list_contains(?, pl.enterprise_id)")
        params.append(ids)
    if filters is not None:
        conds += filters[0]
        params += filters[1]
    rows = store.query(f"""SELECT pl.enterprise_id, pl.node_code, coalesce(pl.confidence, 1.0) AS confidence
        FROM placements pl JOIN {filters[2] if filters else 'enterprises'} e ON e.id = pl.enterprise_id
        WHERE {' AND '.join(conds)}
        ORDER BY confidence DESC, pl.enterprise_id, pl.node_code""" + (" LIMIT ?" if limit else ""),
                       params + ([limit * 4] if limit else []))
    out: dict[int, list[dict]] = {}
    for r in rows:
        code = level2(tax, r["node_code"])
        if code in nodes:
            out.setdefault(r["enterprise_id"], []).append(
                {"code": r["node_code"], "segment": code, "name": tax.nodes[r["node_code"]].name_zh
                 if r["node_code"] in tax.nodes else r["node_code"], "name_en": tax.nodes[r["node_code"]].name_en
                 if r["node_code"] in tax.nodes else r["node_code"], "confidence": round(float(r["confidence"]), 4)})
    return out


def rank_enterprises(store, text: str, nodes: dict[str, list[str]], *, top: int = 10, region: str | None = None,
                     require: Iterable[str] = (), include_inactive: bool = False, semantic: bool = False,
                     weights_override: dict | None = None, tax: Taxonomy | None = None, lang: str = "zh",
                     evidence: list[Ref] | None = None, as_of: Any = None) -> list[dict]:
    """The best ``top`` enterprises for a demand text and its segments, each with its explanation; on ``as_of``
    (``core.asof``) the enterprises existing then, in their region and status of that day."""
    tax = tax or load_taxonomy()
    w = weights(semantic, weights_override)
    idx = get_index(store, "enterprises")
    q = tokens(text)
    bm = idx.scores(q)
    # the first stage: at least ``top`` (so a filtered list is never cut short), taken after the hard filters
    k = max(int(config().get("candidates") or 300), int(top))
    best = idx.best(bm, idx.active_on(store, as_of))  # the best existing enterprise: one number with or without the dissolved
    filters = _hard_filters(store, region=region, require=require, include_inactive=include_inactive, as_of=as_of)
    cand = _text_candidates(store, idx, bm, k, filters)
    on_nodes = _node_candidates(store, tax, nodes, k, filters) if w["nodes"] else {}
    for eid in on_nodes:
        p = idx.pos.get(eid)
        cand.setdefault(eid, float(bm[p]) if p is not None else 0.0)
    if w["nodes"]:  # every placement of a text candidate on the segments, not only those among the best
        on_nodes.update(_node_candidates(store, tax, nodes, None, ids=[e for e in cand if e not in on_nodes]))
    scored = []
    for eid, b in cand.items():
        pl = on_nodes.get(eid, [])
        agree = max((x["confidence"] for x in pl), default=0.0)
        bn = min(b / best, 1.0) if best > 0 else 0.0  # (a dissolved one may fit better: read as the best)
        scored.append([w["bm25"] * bn + w["nodes"] * agree, eid, b, bn, agree, pl, None, 0.0])
    scored.sort(key=lambda s: (-s[0], s[1]))
    if w.get("semantic") and scored:
        short_ids = [s[1] for s in scored[: int(config().get("rerank") or 30)]]
        scored = _rerank(scored, w, text, {p["id"]: p["text"] for p in enterprise_profiles(
            store, short_ids, ended=include_inactive, as_of=as_of)})
    scored = scored[:top]
    profs = {p["id"]: p for p in enterprise_profiles(store, [s[1] for s in scored], ended=include_inactive,
                                                     as_of=as_of)}
    ended = re.compile(str(config().get("inactive_status")))
    names = _region_names(store, [c for p in profs.values() for c in (p["province_code"], p["city_code"], p["district_code"])])
    params = {"weights": w, "region": region, "require": sorted(require), "include_inactive": include_inactive,
              "semantic": bool(w.get("semantic")), "nodes": sorted(nodes)}
    out = []
    for rank, (score, eid, b, bn, agree, pl, sim, sn) in enumerate(scored, 1):
        p = profs.get(eid, {})
        terms = _matched_terms(q, p.get("text"), idx.idf)
        parts = _parts(w, b, bn, terms, agree, pl, sim, sn, lang)
        ev = [Ref("enterprises", [eid])] + list(evidence or [])
        if pl:
            ev.append(Ref("placements", where={"enterprise_id": eid, "chain": tax.chain, "segments": sorted({x["segment"] for x in pl})}))
        out.append({"rank": rank, "enterprise_id": eid, "name": p.get("name"), "uscc": p.get("uscc"),
                    "region": _place(p, names), "status": p.get("status"),
                    "inactive": p.get("dissolved") is not None or bool(ended.search(p.get("status") or "")),
                    "score": round(score, 4),
                    "bm25": round(b, 4), "node_agreement": round(agree, 4),
                    "similarity": None if sim is None else round(sim, 4), "matched_terms": terms,
                    "matched_nodes": pl, "n_patents": p.get("n_patents"), "text_only": not pl,
                    "explain": _explain(score, parts, params, ev)})
    return out


def match_demand(store, key: Any, *, top: int = 10, region: str | None = None, require: Iterable[str] = (),
                 include_inactive: bool = False, semantic: bool | None = False, lang: str = "zh",
                 taxonomy: str | None = None, as_of: Any = None) -> dict:
    """``zhaoshang match demand``: the enterprises whose capabilities fit a demand, best first, with reasons; the
    demand open or past its deadline on ``as_of`` (``judged_on``: today when not given), as the lists judge it."""
    _check_top(top)
    day = judged_on(as_of)  # a bad date refused before any work
    tax = load_taxonomy(taxonomy)
    d = resolve_demand(store, key)
    oc, op = open_condition("d", day)
    ec, ep = expired_condition("d", day)
    state = store.con.execute(f"SELECT {oc}, {ec} FROM demands d WHERE d.id = ?", op + ep + [d["id"]]).fetchone()
    use_sem, note = _semantic_state(semantic, lang)
    nodes = demand_nodes(d["text"], d["node"], tax, organisation=d["organisation"])
    results = rank_enterprises(store, request_text(d["text"], d["organisation"]), nodes, top=top, region=region, require=list(require),
                               include_inactive=include_inactive, semantic=use_sem, tax=tax, lang=lang,
                               evidence=[Ref("demands", [d["id"]])], as_of=as_of)
    names = _region_names(store, [d["province_code"], d["city_code"], d["district_code"]])
    return {"demand": {**{k: v for k, v in d.items() if k != "text"}, "region": _place(d, names),
                       "open": bool(state[0]), "expired": bool(state[1]), "deadline_before_published": _set_before(d)},
            "demand_nodes": _node_list(tax, nodes), "semantic": use_sem, "note": note, "results": results,
            **judged(day, as_of, store)}


def _node_list(tax: Taxonomy, nodes: dict[str, list[str]]) -> list[dict]:
    return [{"code": c, "name": tax.nodes[c].name_zh if c in tax.nodes else c,
             "name_en": tax.nodes[c].name_en if c in tax.nodes else c, "found_by": how} for c, how in sorted(nodes.items())]


def _check_top(top: int) -> None:
    if not 1 <= int(top) <= 500:
        raise UserError("--top 须在 1 到 500 之间", "--top must be between 1 and 500")


# ---------------------------------------------------------------------------------- enterprise → demands
def match_enterprise(store, key: Any, *, top: int = 10, region: str | None = None, node: str | None = None,
                     all_status: bool = False, semantic: bool | None = False, lang: str = "zh",
                     taxonomy: str | None = None, as_of: Any = None) -> dict:
    """``zhaoshang match enterprise``: the demands an enterprise can serve, best first, with reasons; open on
    ``as_of`` (``judged_on``: today when not given)."""
    _check_top(top)
    day = judged_on(as_of)  # a bad date refused before any work
    tax = load_taxonomy(taxonomy)
    on_node = segment_filter(store, tax, node) if node else None
    eid = resolve_enterprise(store, key)
    prof = enterprise_profiles(store, [eid], tax.chain, as_of=as_of)  # the enterprise as it was on the date asked for
    if not prof:
        if as_of_date(as_of) is not None:
            raise NotFound(f"企业在 {day} 尚未成立或已不存续: {key}", f"enterprise not in business on {day}: {key}")
        raise NotFound(f"企业已不存续: {key}", f"enterprise no longer exists: {key}")
    prof = prof[0]
    use_sem, note = _semantic_state(semantic, lang)
    w = weights(use_sem)
    # one pair score in both directions: each demand's BM25 of this enterprise over the enterprises, normalised by
    # that demand's best enterprise — the number the demand's own page gives the pair (not relative to this query)
    idx = get_index(store, "enterprises")
    pos = idx.pos.get(eid)
    active = idx.active_on(store, as_of)
    segs: dict[str, dict] = {}
    for n in prof["nodes"]:
        s = level2(tax, n["code"])
        c = float(n["confidence"] if n["confidence"] is not None else 1.0)
        if s not in segs or c > segs[s]["confidence"]:
            segs[s] = {"code": n["code"], "segment": s, "name": n["name"], "name_en": n.get("name_en"),
                       "confidence": round(c, 4)}
    conds, params = ["TRUE"], []
    _in_region(store, region, "d", conds, params)
    # open today or on the date asked for (``judged_on``), whatever the enterprises' date: a demand still 征集中 whose
    # deadline has passed is closed, one published after the enterprises' date is open — the demand list's rule
    oc, op = open_condition("d", day)
    ec, ep = expired_condition("d", day)
    late = 0
    if not all_status:
        late = store.con.execute(f"SELECT count(*) FROM demands d WHERE {' AND '.join(conds)} AND {ec}",
                                 params + ep).fetchone()[0]
        conds.append(oc)
        params += op
    rows = store.query(f"SELECT d.id, {oc} AS open, {ec} AS expired FROM demands d WHERE {' AND '.join(conds)}",
                       op + ep + params)
    state = {r["id"]: (bool(r["open"]), bool(r["expired"])) for r in rows}
    ok = set(state)
    demands = {d["id"]: d for d in demand_rows(store, sorted(ok))} if ok else {}
    scored, queries = [], {}
    for did, d in demands.items():
        dn = demand_nodes(d["text"], d["node"], tax, organisation=d["organisation"])
        if on_node and not on_node(dn):
            continue
        shared = [segs[s] for s in dn if s in segs]
        agree = max((x["confidence"] for x in shared), default=0.0)
        dq = tokens(request_text(d["text"], d["organisation"]))  # its request's words, not its publisher's name
        bm = idx.scores(dq)
        b = float(bm[pos]) if pos is not None and bm.size else 0.0
        best = idx.best(bm, active)
        bn = b / best if best > 0 else 0.0
        if b <= 0 and agree <= 0:
            continue
        queries[did] = dq
        scored.append([w["bm25"] * bn + w["nodes"] * agree, did, b, bn, agree, shared, None, 0.0])
    scored.sort(key=lambda s: (-s[0], s[1]))
    scored = _rerank(scored, w, prof["text"], {i: d["text"] for i, d in demands.items()})
    scored = scored[:top]
    if late and not scored:  # none open to offer while some are past their deadline today: say so, not a bare empty list
        when = judged_text(day, as_of, lang)
        late_note = (f"none of the open demands fits; {late} demands are past their deadline {when} and not "
                     "offered: --all-status (on the page: include closed and past-deadline demands) lists them"
                     if lang == "en" else f"没有可承接的开放需求；有 {late} 条需求{when}已过截止，未列出；用 --all-status"
                     "（页面上勾选“含已对接、已完成或已过截止日期的需求”）可列出")
        note = "; ".join(x for x in (note, late_note) if x) if lang == "en" else "；".join(x for x in (note, late_note) if x)
    elif not scored:  # an empty list says why: no demand list imported, or none of the demands fits
        held = store.con.execute("SELECT count(*) FROM demands").fetchone()[0]
        if not held:
            why = no_demands_text(lang)
        else:
            why = (f"none of the {len(ok):,} demands considered fits this enterprise (no shared words or chain segment)"
                   if lang == "en" else f"所查的 {len(ok):,} 条需求中没有与该企业相符的（没有共同的词或产业链环节）")
        note = "; ".join(x for x in (note, why) if x) if lang == "en" else "；".join(x for x in (note, why) if x)
    names = _region_names(store, [c for s in scored for c in (demands[s[1]]["province_code"], demands[s[1]]["city_code"],
                                                               demands[s[1]]["district_code"])])
    params_doc = {"weights": w, "region": region, "node": node, "all_status": all_status, "semantic": use_sem}
    results = []
    for rank, (score, did, b, bn, agree, shared, sim, sn) in enumerate(scored, 1):
        d = demands[did]
        terms = _matched_terms(queries[did], prof["text"], idx.idf)
        parts = _parts(w, b, bn, terms, agree, shared, sim, sn, lang)
        results.append({"rank": rank, "demand_id": did, "ref": d["ref"], "own_key": d["own_key"], "title": d["title"],
                        "organisation": d["organisation"],
                        "region": _place(d, names), "node": d["node"], "status": d["status"],
                        "budget_wan": d["budget_wan"], "deadline": d["deadline"], "deadline_open": d["deadline_open"],
                        "published": d["published"], "open": state[did][0], "expired": state[did][1],
                        "deadline_before_published": _set_before(d), "score": round(score, 4),
                        "bm25": round(b, 4), "node_agreement": round(agree, 4),
                        "similarity": None if sim is None else round(sim, 4), "matched_terms": terms,
                        "matched_nodes": shared, "text_only": not shared,
                        "explain": _explain(score, parts, params_doc, [Ref("demands", [did]), Ref("enterprises", [eid])])})
    return {"enterprise": {"id": eid, "name": prof["name"], "uscc": prof["uscc"], "nodes": list(segs.values()),
                           "n_patents": prof["n_patents"], "ipc": prof["ipc"]},
            "semantic": use_sem, "note": note, "results": results, **judged(day, as_of, store)}


def judged(day, as_of: Any = None, store=None) -> dict:
    """What a matching result says of the day it judged openness and deadlines on: ``judged_on`` (that day) and
    ``as_of`` (the date asked for, as its day; None when judged today); given the ``store``, of a result that reads
    enterprises also ``enterprises_on``, the day they are read as of (``core.asof.reference_date``: the date asked
    for, else the data's latest date) — founded by then, not ended, in their region and status of that day."""
    out = {"judged_on": day.isoformat(), "as_of": day.isoformat() if as_of_date(as_of) else None}
    if store is not None:
        out["enterprises_on"] = reference_date(store, as_of).isoformat()
    return out


def judged_text(day, as_of: Any = None, lang: str = "zh") -> str:
    """The day openness is judged on, in words: 按今天（2026-12-07） / today (2026-12-07), or 按 2024-06-30 / as of
    2024-06-30 on a date asked for."""
    if as_of_date(as_of):
        return f"as of {day.isoformat()}" if lang == "en" else f"按 {day.isoformat()} "
    return f"today ({day.isoformat()})" if lang == "en" else f"按今天（{day.isoformat()}）"


def _set_before(d: dict) -> bool:
    """The demand's deadline is before its publication date (flagged at import): past it from the day it appeared."""
    return bool(d["deadline"] and d["published"] and d["deadline"] < d["published"])


# ---------------------------------------------------------------------------------- the demand list
def no_demands_text(lang: str = "zh") -> str:
    """Why a list of demands, or of the demands an enterprise can serve, is empty on a database holding none: how
    to import one (``match enterprise`` and ``match demands`` say it alike)."""
    return ("no demand list is imported: import one with zhaoshang import demands FILE (a list in the "
            "scenario_demands layout: --preset scenario_demands), or upload it on the data updates page"
            if lang == "en" else "库中还没有需求清单：用 zhaoshang import demands 文件 导入（场景需求清单的格式加 "
            "--preset scenario_demands），或在「数据更新」页上传")


def list_demands(store, *, region: str | None = None, node: str | None = None, status: str | None = None,
                 q: str | None = None, limit: int = 200, offset: int = 0, masked: bool = False,
                 open_only: bool = False, as_of: Any = None) -> dict:
    """Demands filtered by region, segment (declared or in the text), status and text, newest first. Each says
    whether it is ``open`` today or on ``as_of`` (``judged_on``; ``open_condition``, what ``match enterprise`` offers by default) and
    whether it is ``expired`` (``expired_condition``): a status that reads open (征集中) or none given, with its
    deadline passed — ``deadline_before_published`` when that deadline is before its publication date;
    ``open_only`` keeps the open ones. The list says the day it judged on (``judged_on``); as of a date, a demand
    published after it did not exist yet and is left out (``published_later`` counts them). ``q`` is
    looked for as typed (``%`` and ``_`` are characters, not patterns), in any case, in the title, the description
    and the organisation. ``masked``: for a user who sees a demand's free text masked (``privacy.present_text``
    with ``privacy.DEMAND_TEXT``: title, description, organisation), the text is looked for in those fields masked —
    a search on the whole ones would tell, a guess at a time, the phone number or e-mail address the mask hides."""
    if limit < 1 or offset < 0:
        raise UserError("--limit 须至少为 1", "--limit must be at least 1")
    day = judged_on(as_of)
    tax = load_taxonomy()
    conds, params = ["TRUE"], []
    _in_region(store, region, "d", conds, params)
    # the statuses as codes: one a source wrote in English (open) is the code's (征集中), so the filter finds both
    held = [r["status"] for r in store.query("SELECT DISTINCT status FROM demands WHERE status IS NOT NULL ORDER BY 1")]
    statuses = sorted({status_code(s) for s in held})
    code = status_code(status) if status else None
    if code and code not in statuses:  # a status the data does not hold matched nothing, silently; not found
        raise NotFound(f"未知的需求状态: {status}（可选 {'、'.join(statuses) or '无：还没有需求'}）",
                       en=f"unknown demand status: {status} (one of "
                          f"{', '.join(DEMAND_STATUS_EN.get(s, s) for s in statuses) or 'none: no demands yet'})",
                       text=str(status).strip())
    if code:
        conds.append("list_contains(?, d.status)")
        params.append([s for s in held if status_code(s) == code])
    text = "lower(concat_ws(' ', d.title, d.description, d.organisation))"
    if q and not masked:
        conds.append(f"strpos({text}, lower(?)) > 0")
        params.append(q)
    oc, op = open_condition("d", day)
    ec, ep = expired_condition("d", day)
    if open_only:  # the open ones, and as of a date those published after it too, to be counted as left out below
        later_sql = " OR coalesce(d.published > ?, FALSE)" if as_of_date(as_of) else ""
        conds.append(f"({oc}{later_sql})")
        params += op + ([day] if later_sql else [])
    found = store.query(f"""SELECT d.id, d.title, d.description, d.organisation, {oc} AS open, {ec} AS expired
        FROM demands d WHERE {' AND '.join(conds)} ORDER BY d.published DESC NULLS LAST, d.id""", op + ep + params)
    state = {r["id"]: (bool(r["open"]), bool(r["expired"])) for r in found}
    if q and masked:
        found = [r for r in found if q.lower() in " ".join(
            mask_text(x) for x in (r["title"], r["description"], r["organisation"]) if x).lower()]
    ids = [r["id"] for r in found]
    rows = demand_rows(store, ids) if ids else []
    on_node = segment_filter(store, tax, node) if node else None
    out, later = [], 0
    for d in rows:
        dn = demand_nodes(d["text"], d["node"], tax, organisation=d["organisation"])
        if on_node and not on_node(dn):
            continue
        if as_of_date(as_of) and d["published"] and d["published"] > day:  # did not exist yet on the day asked for
            later += 1
            continue
        if open_only and not state[d["id"]][0]:
            continue
        out.append({**{k: v for k, v in d.items() if k != "text"}, "status": status_code(d["status"]),
                    "open": state[d["id"]][0], "expired": state[d["id"]][1],
                    "deadline_before_published": _set_before(d),
                    "segments": sorted(dn)})
    out.sort(key=lambda d: (d["published"] is None, -(d["published"].toordinal() if d["published"] else 0), d["id"]))
    names = _region_names(store, [c for d in out[offset:offset + limit] for c in (d["province_code"], d["city_code"], d["district_code"])])
    page = [{**d, "region": _place(d, names)} for d in out[offset:offset + limit]]
    # whether any demand is imported at all: an empty list then says "none imported yet", not "none for these filters"
    imported = bool(out) or bool(store.query("SELECT EXISTS (SELECT 1 FROM demands) AS x")[0]["x"])
    return {"total": len(out), "items": page, "statuses": statuses, "any_imported": imported,
            "published_later": later, **judged(day, as_of),
            "filters": {"region": region, "node": node, "status": status, "q": q, "open": open_only}}


def published_later_text(doc: dict, lang: str = "zh") -> str | None:
    """Why a demand list as of a date holds fewer demands than today's: those published after that day are left out
    (they did not exist yet), said with their number; None when none is."""
    n = doc.get("published_later") or 0
    if not n:
        return None
    return (f"{count_en(n, 'demand')} published after {doc['judged_on']} left out: not yet published on that day"
            if lang == "en" else f"另有 {n:,} 条需求在 {doc['judged_on']} 之后发布，当时尚不存在，未列出")


# a result without a chain segment in common with the other side: matched on words alone, said on every table
TEXT_ONLY = ("无（仅文字相符）", "none (text only)")
# a deadline the list says there is none of (截止时间 长期有效), as the tables, the page and the exports show it
OPEN_ENDED = ("长期有效", "open-ended")
# a demand whose status reads open (or is not given) past its deadline (``expired``), beside its status; one whose
# deadline is before its publication date (flagged at import) so from the day it appeared
PAST_DEADLINE = ("已过截止", "past deadline")
SET_BEFORE = ("截止早于发布", "set before publication")


def heading(doc: dict, lang: str = "zh") -> str:
    """What a match result is, as the CLI titles its table and an export's 说明 sheet says it: a demand's
    enterprises (by its number and title) or an enterprise's demands (by its name)."""
    if "demand" in doc:
        d = doc["demand"]
        return f"enterprises for demand {d['ref']} “{d['title']}”" if lang == "en" else f"需求 {d['ref']}「{d['title']}」的匹配企业"
    name = doc["enterprise"]["name"]
    return f"demands {name} can serve" if lang == "en" else f"{name} 可承接的需求"


def past_deadline_text(d: dict, lang: str = "zh") -> str | None:
    """Whether a listed demand is past its deadline, in words (None when it is not): 已过截止, and why from the start
    when its deadline is before its publication date."""
    if not d.get("expired"):
        return None
    en = lang == "en"
    return PAST_DEADLINE[en] + ((", " if en else "，") + SET_BEFORE[en] if d.get("deadline_before_published") else "")


def deadline_text(d: dict, lang: str = "zh") -> str | None:
    """A demand's deadline as shown: its date, 长期有效 (open-ended) when the list says it has none, else nothing."""
    if d.get("deadline_open"):
        return OPEN_ENDED[lang == "en"]
    return None if d.get("deadline") is None else str(d["deadline"])


def result_rows(doc: dict, lang: str = "zh") -> list[dict]:
    """Flat rows of a match result for tables and CSV/XLSX exports (reasons as text); a demand's, whether it is past
    its deadline (``expired``, the demand list's words)."""
    rows, sep = [], ", " if lang == "en" else "、"
    for r in doc["results"]:
        base = ({"rank": r["rank"], "enterprise_id": r["enterprise_id"], "name": r["name"], "uscc": r["uscc"],
                 "status": STATUS_EN.get(r["status"], r["status"]) if lang == "en" else r["status"]}
                if "enterprise_id" in r else {"rank": r["rank"], "demand_id": r["ref"], "title": r["title"],
                                              "organisation": r["organisation"], "status": r["status"],
                                              "expired": past_deadline_text(r, lang)})
        reg = r.get("region") or {}
        rows.append({**base, "region": reg.get("label_en" if lang == "en" else "label") or reg.get("code"),
                     "score": r["score"], "bm25": r["bm25"], "node_agreement": r["node_agreement"],
                     "similarity": r["similarity"], "matched_terms": sep.join(r["matched_terms"]),
                     "matched_nodes": sep.join(f"{n['code']} {n.get('name_en') if lang == 'en' and n.get('name_en') else n['name']}"
                                              for n in r["matched_nodes"]) or TEXT_ONLY[lang == "en"]})
    return rows



def demand_list_rows(doc: dict, lang: str = "zh") -> list[dict]:
    """Flat rows of the demand list for exports: a demand by its own number (``ref``: the list's, else ``#id``), its
    deadline as shown (``deadline_text``: 长期有效 for an open-ended one), past it or not (``expired``)."""
    return [{"ref": d["ref"], "title": d["title"], "organisation": d["organisation"],
             "region": (d["region"] or {}).get("label_en" if lang == "en" else "label"), "segments": (", " if lang == "en" else "、").join(d["segments"]),
             "status": d["status"], "expired": past_deadline_text(d, lang), "budget_wan": d["budget_wan"], "published": d["published"],
             "deadline": deadline_text(d, lang), "description": d["description"], "contact": d.get("contact")}
            for d in doc["items"]]


def export_rows(store, rows: list[dict], path: str, fmt: str, columns: list[str],
                headers: dict[str, str] | None = None, lang: str = "zh", notes: list[str] | None = None) -> int:
    """Write flat result rows to CSV/XLSX through the one export writer (``core.writers``); ``headers``: each
    column's header in the file's language (the key itself when not given); ``notes``: an XLSX's 说明 sheet."""
    import pyarrow as pa

    from ...core.writers import export_query

    # numbers as numbers: the writer writes a whole amount in 万元 as one (2000, not 2000.0), as the page shows it; a
    # rank and an enterprise's id as whole numbers
    def kind(c: str):
        return pa.int64() if c in WHOLE else pa.float64() if c in NUMERIC else pa.string()

    table = pa.table({(headers or {}).get(c, c): pa.array(
        [None if r.get(c) is None else r.get(c) if c in NUMERIC | WHOLE else str(r.get(c)) for r in rows],
        type=kind(c)) for c in columns})
    cur = store.con.cursor()
    try:
        cur.register("_match_rows", table)
        return export_query(cur, "SELECT * FROM _match_rows", path, fmt=fmt, lang=lang, notes=notes)
    finally:
        cur.close()


NUMERIC = frozenset({"score", "bm25", "node_agreement", "similarity", "budget_wan"})
WHOLE = frozenset({"rank", "enterprise_id"})
