"""Lead mining (智能线索挖掘): which enterprises, concretely, should this region approach now, and why.

``mine_leads(store, region, node=None, top=20, as_of=None)``: the region's target segments (gaps and
recommended, ``targets``), every candidate in them with no presence in the region (one SQL pass,
``signals``), ranked by the lead score; the top ones with reasons and the explained score. The same service
feeds ``zhaoshang leads``, ``/api/leads``, the 招商线索 page, the region page and the region report.
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from pathlib import Path
from typing import Any

from ...core import dialect
from ...core.asof import date_notes, reference_date
from ...core.config import ConfigFile
from ...core.errors import UserError, count_en
from ...core.parse.amounts import MAX_WAN
from ...core.geo.lookup import region_info, region_labels
from ..datastore import synthetic_enterprises
from ..evaluation.live import noted_dates, register_live
from ..matching.profiles import demand_rows
from ..regions.matrix import chain_node, default_chain
from . import reach
from .reasons import GROUPS, SIGNAL_LABELS, explain, reasons
from .signals import candidates_sql, measurable
from .targets import target_segments

CONFIG = Path(__file__).resolve().parents[2] / "data" / "leads.yaml"
MAX_TOP = 1000


def load_config(path: str | Path | dict | None = None) -> dict:
    """Weights and thresholds (``data/leads.yaml``, a user file, or saved weights already read), checked."""
    if isinstance(path, dict):
        f = ConfigFile(str(path.get("version") or "weights"), path, "权重", "weights")
    else:
        f = ConfigFile.read(path or CONFIG, "权重文件", "weights file")
    sigs = f.known("signals", f.mapping("signals", required=False), SIGNAL_LABELS)
    for k in sigs:
        f.mapping(f"signals.{k}")
        f.number(f"signals.{k}.weight", lo=0)
    for key in ("saturation", "funding", "risk"):
        f.mapping(key)
    # the amount a round needs to count in full: above 0, within the plausibility bound of every amount (100 万亿元)
    f.number("funding.full_amount_wan", lo=0, hi=MAX_WAN, above=True)
    return f.doc


# Leads of equal score are ordered by the next most informative facts, the same in every view (list, page, API,
# CLI, export, region page and report): the confidence of the enterprise's placement on its segment (higher
# first), the segment's place among the region's recommended segments (targets' rank; unranked last), then the
# enterprise's name and id (code-point order: stable from one build to the next).
TIE_BREAK = ("同分按所属环节的归类置信度（高者在前）、该环节在本地推荐引进环节中的次序、企业名称排序",
             "ties ordered by the confidence of the enterprise's placement on its segment (higher first), the "
             "segment's place among the region's recommended segments, then the enterprise's name")


# The fact sources behind the signals the imported registry alone cannot measure, and the import that adds each:
# (table, signals it feeds, import kind, zh name, en name). A source with no row at all leaves its signals absent
# from every lead's score (they lower the confidence, never the score); the notes say so in plain words, with the
# command to run, so that a list of equal scores on a registry-only database is not read as a judgement.
SOURCES = (("fundings", ("funding",), "fundings", "融资", "funding"),
           ("branches", ("branches",), "branches", "分支机构/子公司", "branch and subsidiary"),
           ("patents", ("patents",), "patents", "专利", "patent"),
           ("news", ("expansion_news", "negative_news"), "news", "新闻", "news"),
           ("demands", ("demands",), "demands", "需求清单", "demand-list"))


def missing_sources(store, absent: list[str]) -> list[dict]:
    """The sources of ``SOURCES`` that hold no row at all while a signal they feed is absent: ``{"source",
    "signals", "import"}`` (the command that adds them; ``zhaoshang presets`` lists the built-in column mappings).
    A source that holds rows, none of them usable on the date or for the region, is not "missing": the other
    notes speak of it."""
    out = []
    for table, sigs, kind, _zh, _en in SOURCES:
        if not any(s in absent for s in sigs):
            continue
        if store.con.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT 1)").fetchone()[0]:
            continue
        out.append({"source": table, "signals": [s for s in sigs if s in absent],
                    "import": f"zhaoshang import {kind} FILE"})
    return out


def missing_note(missing: list[dict], lang: str, how: bool = True) -> str | None:
    """The plain sentence of ``missing_sources``: which data are not loaded, which signals every score therefore
    leaves out, and (``how``) the imports that would add them — a report for readers who do not run the commands
    leaves those out."""
    if not missing:
        return None
    names = {t: (zh, en) for t, _s, _k, zh, en in SOURCES}
    sigs = [s for m in missing for s in m["signals"]]
    if lang == "en":
        what = [names[m["source"]][1] for m in missing]
        what = what[0] if len(what) == 1 else ", ".join(what[:-1]) + " or " + what[-1]
        return (f"no {what} data is loaded: every lead's score leaves out "
                + "; ".join(SIGNAL_LABELS[s][1] for s in sigs)
                + " (an absent signal lowers the confidence, not the score, so the scores rest on the other signals "
                  "alone)." + (" To add them: " + "; ".join(m["import"] for m in missing)
                               + " (built-in column mappings: zhaoshang presets)" if how else ""))
    return ("库中未导入" + "、".join(names[m["source"]][0] for m in missing) + "数据：每条线索的得分都不含"
            + "、".join(f"「{SIGNAL_LABELS[s][0]}」" for s in sigs)
            + "（缺失的信号不计分、只降低置信度，得分只由其余信号决定）。"
            + ("导入后即可计入：" + "；".join(m["import"].replace(" FILE", " 文件") for m in missing)
               + "（内置列映射见 zhaoshang presets）" if how else ""))


def _segment_ranks(tg: dict) -> dict[str, int]:
    return {s["code"]: int(s["rank"]) for s in tg["segments"] if s.get("rank") is not None}


def tie_key(r: dict, ranks: dict[str, int]) -> tuple:
    """The order among leads of equal score (``TIE_BREAK``); ``order_sql`` is the same in SQL."""
    return (-float(r.get("node_confidence") or 0.0), ranks.get(r.get("segment"), 1 << 30), r.get("name") or "",
            r["enterprise_id"])


def order_sql(ranks: dict[str, int]) -> tuple[str, list]:
    """``ORDER BY`` terms after the score: ``tie_key`` in SQL (a string's order is its code points' in both)."""
    case = " ".join("WHEN ? THEN ?" for _ in ranks)
    params = [x for code, rank in sorted(ranks.items()) for x in (code, rank)]
    rank = f"CASE segment {case} ELSE {1 << 30} END, " if ranks else ""  # (a bare 0 would be a column number)
    return f"coalesce(node_confidence, 0) DESC, {rank}coalesce(name, ''), enterprise_id", params


def _region(store, region: str) -> dict:
    if not str(region or "").strip():
        raise UserError("请指定地区（代码或名称）", "give a region (code or name)")
    return region_info(store, region)


FILTERS = ("funding", "branches", "patents", "expansion_news", "demands", "local_ties")


def _had_sql() -> str:
    """SQL: the signals of ``FILTERS`` a candidate row has (``signals_had``, in that order) — the one statement of the
    须有 (must-have) rule: a signal is had when its normalised value (``n_<signal>``) is above zero; one the data cannot
    measure (NULL) is not had. The statement filters on the list (``candidate_rows``) and a list narrowed from the
    candidates already scored reads it (``narrowed``), so the two cannot disagree."""
    d = dialect.current()
    return d.list_filter_nonnull(d.list_of([f"CASE WHEN n_{h} > 0 THEN '{h}' END" for h in FILTERS]))


def candidate_rows(store, region: str, *, node: str | None = None, as_of: Any = None, chain: str | None = None,
                   weights: str | Path | None = None, limit: int | None = None, min_score: float | None = None,
                   having: list[str] | None = None, team=None, only: int | None = None) -> dict:
    """Every candidate's signals and score (ranked), with the context: region, date, targets, measurable
    signals, counts. ``limit`` keeps the first rows only (ties ordered by ``tie_key``); ``min_score``,
    ``having`` (signals that must be non-zero) and ``only`` (one enterprise id) filter the rows, not the counts.
    With ``team`` the live events of the team state count too."""
    _check_having(having)
    info = _region(store, region)
    d = reference_date(store, as_of)
    chain = chain or default_chain(store)
    if node:  # the node as the chain writes it (m05 is M05; the chain's own code as given)
        node = chain_node(store, chain, node) or node
    cfg = load_config(weights)
    live = register_live(store, team) if team is not None else []
    present = measurable(store, d, info)
    tg = target_segments(store, info, d, chain, recommended_top=int(cfg.get("recommended_top", 5)), node=node)
    rows: list[dict] = []
    counts = {"placed_absent": 0, "candidates": 0, "excluded_abnormal": 0, "excluded_unlocated": 0,
              "excluded_province_only": 0}
    if tg["codes"]:
        sql, params = candidates_sql(store, info, d, chain, tg["codes"], tg["segments"], cfg, present)
        conds = [dialect.current().list_contains("signals_had", f"'{h}'") for h in having or []]
        if min_score is not None:
            conds.append(f"score >= {float(min_score)}")
        if only is not None:
            conds.append(f"enterprise_id = {int(only)}")
        order, oparams = order_sql(_segment_ranks(tg))
        sql = f"SELECT * FROM (SELECT *, {_had_sql()} AS signals_had FROM ({sql})) " \
              f"WHERE {' AND '.join(conds) or 'TRUE'} ORDER BY score DESC, {order}" + (f" LIMIT {int(limit)}" if limit else "")
        rows = store.query(sql, params + oparams)
        counts = _counts(rows) or counts
    present["reachability"] = False
    return {"info": info, "as_of": d, "chain": chain, "node": node, "cfg": cfg, "present": present, "targets": tg,
            "rows": rows, "counts": counts, "live": live}


def _check_having(having: list[str] | None) -> None:
    bad = [h for h in having or [] if h not in FILTERS]
    if bad:
        raise UserError(f"未知的信号: {', '.join(bad)}（可选: {', '.join(FILTERS)}）",
                        f"unknown signal: {', '.join(bad)} (choose from {', '.join(FILTERS)})")


def _counts(rows: list[dict]) -> dict | None:
    """The population counts every candidate row carries (the same on each), or None without a row."""
    if not rows:
        return None
    r = rows[0]
    return {"placed_absent": r["n_placed"], "candidates": r["n_candidates"],
            "excluded_abnormal": r["n_placed"] - r["n_candidates"] - r["n_unlocated"] - r["n_province_only"],
            "excluded_unlocated": r["n_unlocated"], "excluded_province_only": r["n_province_only"]}


def scored_leads(store, region: str, *, node: str | None = None, as_of: Any = None, chain: str | None = None,
                 weights: str | Path | dict | None = None, team=None) -> dict:
    """Every candidate of the region scored and ranked, no filter and no cut (``candidate_rows``): a server keeps it
    per region, as-of and weights, so that a list that only narrows it (a 须有 signal, another length) is cut from
    it (``ranked_leads(scored=…)``) instead of scoring every candidate again."""
    return candidate_rows(store, region, node=node, as_of=as_of, chain=chain, weights=weights, team=team)


def narrowed(c: dict, having: list[str] | None = None, limit: int | None = None) -> dict:
    """``candidate_rows(having=…, limit=…)`` read from ``c``, the candidates unfiltered and uncut (``scored_leads``):
    the rows that have every ``having`` signal (the statement's ``signals_had``: ``_had_sql``), in their order, the
    first ``limit``, each a copy (ranking and wording write to rows); the counts as the statement gives them (none
    without a row)."""
    _check_having(having)
    rows = [dict(r) for r in c["rows"] if set(having or ()) <= set(r["signals_had"])]
    rows = rows[:int(limit)] if limit else rows
    zero = {k: 0 for k in c["counts"]}
    return {**c, "present": dict(c["present"]), "rows": rows, "counts": _counts(rows) or zero}


def _check_min_score(min_score: float | None) -> None:
    """Scores are 0–100: a cut outside them says nothing, so it is refused (before any ranking is made)."""
    if min_score is not None and not 0 <= float(min_score) <= 100:
        raise UserError(f"--min-score 应在 0 到 100 之间: {min_score:g}", f"--min-score must be between 0 and 100: {min_score:g}")


def mine_leads(store, region: str, *, node: str | None = None, top: int = 20, as_of: Any = None,
               chain: str | None = None, weights: str | Path | None = None, lang: str = "zh",
               min_score: float | None = None, having: list[str] | None = None, team=None) -> dict:
    """The region's top leads with reasons and signals (see the module docstring)."""
    _check_min_score(min_score)
    c = ranked_leads(store, region, node=node, top=top, as_of=as_of, chain=chain, weights=weights, having=having,
                     team=team)
    return leads_document(store, c, node=node, lang=lang, min_score=min_score)


def ranked_leads(store, region: str, *, node: str | None = None, top: int = 20, as_of: Any = None,
                 chain: str | None = None, weights: str | Path | None = None, having: list[str] | None = None,
                 team=None, scored: dict | None = None) -> dict:
    """The work of ``mine_leads`` that does not depend on the language: targets, candidates, reachability and the
    ranking (the web app keeps it once for both languages); ``leads_document`` words it. ``scored``: the region's
    candidates already scored under these arguments (``scored_leads``), narrowed here instead of scored again."""
    if top < 1 or top > MAX_TOP:
        raise UserError(f"--top 应在 1 到 {MAX_TOP} 之间", f"--top must be between 1 and {MAX_TOP}")
    return _ranked(store, region, top, node=node, as_of=as_of, chain=chain, weights=weights, having=having, team=team,
                   scored=scored)


def leads_document(store, c: dict, *, node: str | None = None, lang: str = "zh", min_score: float | None = None) -> dict:
    """The leads of ``ranked_leads`` in a language, with reasons, signals and notes (``c`` is left as it was)."""
    _check_min_score(min_score)
    doc = _document(store, c, node, lang)
    if min_score is not None:  # on the score shown, reachability counted (the leads are ranked by it: a prefix)
        doc["leads"] = [x for x in doc["leads"] if x["score"] >= float(min_score)]
    return doc


def _bounds(r: dict, cfg: dict, present: dict) -> tuple[float, float]:
    """A lead's full score with its reachability counted 0 (the lower bound) and counted 1 (the upper bound): the
    set-based ``base_score`` (100 × Σ w·n / W over the measurable signals but reachability) put on the weights that
    include reachability, less the risk penalty."""
    w = {k: float(v["weight"]) for k, v in cfg["signals"].items()}
    W = sum(v for k, v in w.items() if present.get(k) and k != "reachability") or 1.0
    W1 = W + w.get("reachability", 0.0)
    b = float(r.get("base_score") or 0.0) * W
    pen = float(r.get("risk_penalty") or 0.0)
    return max(0.0, b / W1 - pen), max(0.0, (b + 100.0 * w.get("reachability", 0.0)) / W1 - pen)


def _ranked(store, region: str, top: int, weights=None, scored: dict | None = None, **kw) -> dict:
    """The first ``top`` leads by the full score (``_with_reach``). The set-based statement hands over its first
    ``top + reach_max`` rows only: no lead below them can be searched within the limit anyway, and their bound
    says whether one of them could still enter the list. With ``scored`` those rows are cut from it (``narrowed``)."""
    cfg = scored["cfg"] if scored is not None else load_config(weights)
    limit = top + max(0, int(cfg.get("reach_max", 60)))
    c = narrowed(scored, kw.get("having"), limit) if scored is not None else \
        candidate_rows(store, region, weights=cfg, limit=limit, **kw)
    c["more"] = len(c["rows"]) >= limit
    return _with_reach(store, c, top, team=kw.get("team"))


def _with_reach(store, c: dict, top: int | None = None, team=None) -> dict:
    """Reachability (``reach``, one graph search per lead) for every lead that can enter the first ``top``: the
    score counts reachability for every lead, an unmeasured one as 0 (its lower bound), so that a lead measured
    at 0 and one not measured score alike; the leads are searched best upper bound first, and again while an
    unmeasured lead's upper bound (reachability 1) reaches the ``top``-th score, at most ``reach_max`` searches.
    Then the rows are ranked by the full score and cut to ``top``. ``c["reach"]``: searches made, and whether
    the first ``top`` are exact (no unmeasured lead could still enter them)."""
    cfg, rows = c["cfg"], c["rows"]
    top = top or len(rows)
    budget = int(cfg.get("reach_max", 60))
    wr = float((cfg["signals"].get("reachability") or {}).get("weight", 0.0))
    c["reach"] = {"measured": 0, "exact": True, "max": budget}
    if not rows or wr <= 0 or budget <= 0:
        c["rows"] = rows[:top]
        return c
    sat = float(c["cfg"]["saturation"].get("reachability", 0.3))
    bounds = {r["enterprise_id"]: _bounds(r, cfg, c["present"]) for r in rows}
    full = lambda r: bounds[r["enterprise_id"]][0] + (  # noqa: E731
        float(r["n_reachability"]) * (bounds[r["enterprise_id"]][1] - bounds[r["enterprise_id"]][0])
        if r.get("n_reachability") is not None else 0.0)
    # a lead the statement did not hand over scores at most its set-based score below the last one's, put on the
    # weights with reachability, plus the whole of reachability (the risk penalty only lowers it)
    w = {k: float(v["weight"]) for k, v in cfg["signals"].items()}
    W = sum(v for k, v in w.items() if c["present"].get(k) and k != "reachability") or 1.0
    rest = float(rows[-1]["score"]) * W / (W + wr) + 100.0 * wr / (W + wr) if c.get("more") else None
    measured: set[int] = set()
    ranks = _segment_ranks(c["targets"])
    while True:
        rows.sort(key=lambda r: (-full(r), *tie_key(r, ranks)))
        cut = full(rows[top - 1]) if len(rows) >= top else 0.0
        pending = sorted((r for r in rows if r["enterprise_id"] not in measured
                          and bounds[r["enterprise_id"]][1] >= cut), key=lambda r: (-bounds[r["enterprise_id"]][1], *tie_key(r, ranks)))
        room = budget - len(measured)
        if not pending or room <= 0:
            c["reach"]["exact"] = not pending and (rest is None or rest < cut)
            break
        batch = [r["enterprise_id"] for r in pending[:min(room, top)]]
        got = reach.reachability(store, c["info"], batch, c["as_of"], team=team)
        if got is None:  # no graph to search: the signal is absent for every lead, the set-based ranking stands
            rows.sort(key=lambda r: (-float(r["score"]), *tie_key(r, ranks)))
            c["rows"] = rows[:top]
            return c
        measured.update(batch)
        for r in rows:
            if r["enterprise_id"] in got:
                strength, path = got[r["enterprise_id"]]
                r.update(reach_strength=strength, reach_path=path, n_reachability=min(1.0, strength / sat))
    c["present"] = {**c["present"], "reachability": True}
    c["reach"]["measured"] = len(measured)
    c["rows"] = rows[:top]
    return c


def _document(store, c: dict, node: str | None, lang: str) -> dict:
    info, d, cfg, present, tg = c["info"], c["as_of"], c["cfg"], dict(c["present"]), c["targets"]
    node = c.get("node", node)
    seg = {s["code"]: s for s in tg["segments"]}
    params = {"region": info["code"], "chain": c["chain"], "node": node, "version": cfg.get("version"),
              "weights": {k: v["weight"] for k, v in cfg["signals"].items()}}
    out, ties = [], {}
    ranks = _segment_ranks(tg)
    absent = [k for k, ok in present.items() if not ok and k in cfg["signals"]]
    missing = missing_sources(store, absent + [k for k in ("negative_news",) if not present.get(k)])
    imports = {s: m["import"] for m in missing for s in m["signals"]}
    # the name of each lead's own node (a sub-node such as U01.1 GPU is not its segment U01 AI芯片): one query
    codes = sorted({r["node"] for r in c["rows"] if r.get("node")})
    node_names = {code: (zh, en) for code, zh, en in store.con.execute(
        f"SELECT code, name_zh, coalesce(name_en, name_zh) FROM chain_nodes WHERE chain = ? AND code IN "
        f"({', '.join('?' for _ in codes)})", [c["chain"], *codes]).fetchall()} if codes else {}
    # the open demands the top rows counted, by their own number (D154) and title: one query
    dem_ids = sorted({i for r in c["rows"] for i in r.get("demand_ids") or []})
    dem = {x["id"]: {k: x[k] for k in ("id", "ref", "title")} for x in demand_rows(store, dem_ids)} if dem_ids else {}
    where = _same_city(store, info, c["rows"], lang)
    for i, r in enumerate(c["rows"], 1):  # the top rows only, already fetched: no query per row
        r["demand_refs"] = [dem[x] for x in r.get("demand_ids") or [] if x in dem]
        s = seg.get(r["segment"]) or {}
        names = (s.get("name_zh") or r["segment"], s.get("name_en") or r["segment"])
        own = names if r["node"] == r["segment"] else node_names.get(r["node"], (r["node"], r["node"]))
        xp = explain(r, cfg, present, d, params)
        signals = {p.signal: {"label": p.label if lang != "en" else SIGNAL_LABELS[p.signal][1],
                              "group": (p.detail or {}).get("group"), "raw": p.raw, "normalised": p.normalised,
                              "weight": p.weight, "contribution": p.contribution,
                              "absent": (p.detail or {}).get("absent", False),
                              "detail": _in_lang(p.detail, lang),
                              **({"rows": _rows_in_lang(p.evidence, lang)} if p.evidence else {}),
                              **({"import": imports[p.signal]} if p.signal in imports else {})}
                   for p in xp.parts}
        out.append({"rank": i, "enterprise_id": r["enterprise_id"], "name": r["name"], "uscc": r["uscc"],
                    "node": r["node"], "node_name": own[1] if lang == "en" else own[0],
                    "segment": r["segment"], "segment_name": names[1] if lang == "en" else names[0],
                    "score": xp.value, "confidence": xp.confidence,
                    "reasons": reasons(r, names, lang), "signals": signals,
                    "location_notes": where.get(r["enterprise_id"], []),
                    "flags": ["negative_news"] if r["negative_news"] else [], "explain": xp,
                    "live_events": list(r.get("live_events") or [])})
        ties[r["enterprise_id"]] = tie_key(r, ranks)
    # reachability may have moved the first ones; equal scores (as shown) in the stated order
    out.sort(key=lambda x: (-x["score"], *ties[x["enterprise_id"]]))
    for i, x in enumerate(out, 1):
        x["rank"] = i
    tied = len({x["score"] for x in out}) < len(out)
    plain = missing_note(missing, lang)
    # a date after the data: the windows of the expansion signals decay with the calendar (as the scorecard says)
    # live events of the candidates after the data's end counted by d, or after d and not counted: said (core.asof)
    ids = {r["enterprise_id"] for r in c["rows"]}
    dated = date_notes(store, d, lang, noted_dates(store, [x for x in c.get("live") or [] if x["enterprise_id"] in ids]))
    notes = [n["note"] for n in dated] + ([plain] if plain else [])
    notes += [n[1] if lang == "en" else n[0] for n in tg["notes"]]
    gone = c["counts"].get("excluded_unlocated") or 0
    if gone:  # location unknown: not ranked as if it had no office here (docs/methods.md, "Leads")
        notes.append(f"{gone} 家企业位置未知（库中没有其注册地区），无法判断其在本地是否已有机构，未列入线索" if lang != "en" else
                     f"{count_en(gone, 'enterprise', sep=True)} of unknown location (no registered region in the data) "
                     "left out: whether they already have an office in the region cannot be told")
    only = c["counts"].get("excluded_province_only") or 0
    if only:  # the province alone known, the region a city or district of it: as unknown as the unlocated
        province = region_labels(store, [str(info["code"])[:2] + "0000"], lang)[str(info["code"])[:2] + "0000"]
        notes.append(f"{only} 家企业只知省份（{province}，库中没有其所在城市），无法判断其在本地是否已有机构，未列入城市线索"
                     if lang != "en" else
                     f"{count_en(only, 'enterprise', sep=True)} known only by province ({province}; no city in the "
                     "data) left out: whether they already have an office in the region cannot be told")
    if tied:
        seen = Counter(x["score"] for x in out)
        n_tied = sum(n for n in seen.values() if n > 1)
        notes.append(f"{n_tied} 条线索与其他线索同分；{TIE_BREAK[0]}" if lang != "en" else
                     f"{n_tied} leads share their score with another; {TIE_BREAK[1]}")
    rc = c.get("reach") or {}
    if present.get("reachability"):
        n, cap = rc.get("measured", 0), rc.get("max")
        if lang == "en":
            notes.append(f"reachability (one relationship-graph search per lead) was measured for {n} leads: "
                         + ("every lead that could enter the list; a lead not measured counts it as 0 and has a lower "
                            "confidence" if rc.get("exact") else f"the limit ({cap}): a lead not measured counts it as 0 "
                            "and has a lower confidence, and might still belong in the list"))
        else:
            notes.append(f"可触达性（关系图谱逐一寻路）对 {n} 条线索计算" + (
                "：可能进入本列表的线索都已计算；未计算的按 0 计分、置信度较低" if rc.get("exact") else
                f"（上限 {cap}）：未计算的按 0 计分、置信度较低，本列表可能不完整"))
    if out and present.get("funding") and not any(x["signals"]["funding"]["raw"] for x in out):
        # every lead reads 0 on the funding signal: say whether the data reach the window at all (real exports
        # that end years before the date made a list of equal scores with no word why)
        last = store.con.execute("SELECT max(date) FROM fundings WHERE date <= ?", [d]).fetchone()[0]
        last = last.isoformat() if last else "—"
        notes.append(f"列表中的企业近 12 个月（截至 {d}）均无融资记录；库中截至该日最新的融资日期为 {last}" if lang != "en" else
                     f"no listed lead has a funding round in the 12 months to {d}; the latest funding in the data by "
                     f"then is dated {last}")
    if "reachability" in absent:
        notes.append("可触达性（关系图谱路径）暂缺：不计入得分，只降低置信度" if lang != "en" else
                     "reachability (relationship-graph paths) is absent: it lowers the confidence, not the score")
    # each lead of a demo database says whether it is one of the demo's enterprises (a real company imported beside
    # them is not): the export's 数据说明 and the page's mark
    demo = synthetic_enterprises(store, [x["enterprise_id"] for x in out])
    for x in out:
        x["synthetic"] = x["enterprise_id"] in demo
    # label / label_en: the name that tells the region apart (杭州市西湖区 beside 南昌市西湖区), for titles and headings
    label = {lg: region_labels(store, [info["code"]], lg)[info["code"]] for lg in ("zh", "en")}
    return {"region": {**{k: info.get(k) for k in ("code", "name", "name_en", "level")},
                       "label": label["zh"], "label_en": label["en"]}, "as_of": d,
            "chain": c["chain"], "node": node, "version": cfg.get("version"),
            "targets": [{k: s[k] for k in ("code", "name_zh", "name_en", "status", "gap", "recommended", "rank")}
                        for s in tg["segments"]],
            "population": {"rule": "目标环节内、截至日在本地无注册地/分支机构/子公司、状态正常、位置已知（城市、区县的线索："
                                   "不只知本省省份）的企业 / enterprises on a target segment with no registered office, "
                                   "branch or subsidiary in the region on the date, of normal status and known location "
                                   "(for a city's or district's list, more than the region's province)", **c["counts"]},
            "order": TIE_BREAK[1] if lang == "en" else TIE_BREAK[0], "absent_signals": absent,
            "missing_sources": missing, "missing_note": plain, "groups": {k: v[1] if lang == "en" else v[0] for k, v in GROUPS.items()},
            "leads": out, "notes": notes, "date_notes": dated, "synthetic": bool(store.synthetic)}


def _rows_in_lang(refs, lang: str) -> list[dict]:
    """The rows a signal counted (its part's evidence, ``reasons.signal_rows``) for the list: each row's table, number,
    what it is in ``lang`` and where to check it; a note (区县未知) in ``lang``."""
    out = []
    for x in refs:
        note = x.note.split(" / ")[1 if lang == "en" else 0] if x.note and " / " in x.note else x.note
        for i in x.items or []:
            out.append({"table": i.get("table") or x.table, "id": i["id"],
                        "label": i.get("label_en", i["label"]) if lang == "en" else i["label"], "href": i["href"],
                        **({"note": note} if note else {})})
    return out


def _same_city(store, info: dict, rows: list[dict], lang: str) -> dict[int, list[str]]:
    """For a district's list, what a lead's place says (docs/methods.md, "Leads"): a lead registered in another
    district of the same city (同城其他区县（钱塘区）), or in the city with its district unknown, and its branches or
    subsidiaries in the city whose district the data do not give (区县未知) — candidates all the same (not counted
    as present in the district), said so that the reader can tell a firm of the same city from one of elsewhere."""
    if info.get("level") != "district":
        return {}
    city = str(info["code"])[:4] + "00"
    codes = sorted({r["district_code"] for r in rows if r.get("city_code") == city and r.get("district_code")} | {city})
    short = region_labels(store, codes, lang)
    en = lang == "en"
    out: dict[int, list[str]] = {}
    for r in rows:
        said = []
        if r.get("city_code") == city:
            dc = r.get("district_code")
            if dc:
                said.append(f"another district of the same city ({short.get(dc, dc)})" if en else
                            f"同城其他区县（{short.get(dc, dc)}）")
            else:
                said.append(f"registered in {short[city]}, district unknown" if en else f"注册地在{short[city]}，区县未知")
        near = r.get("near_rows") or []
        if near:
            what = ("、" if not en else ", ").join(x["name"] for x in near)
            said.append(f"{count_en(len(near), 'branch or subsidiary', 'branches or subsidiaries')} in {short[city]}, "
                        f"district unknown: {what}" if en else
                        f"在{short[city]}有{len(near)}家分支机构/子公司，区县未知：{what}")
        if said:
            out[r["enterprise_id"]] = said
    return out


def _in_lang(detail: dict | None, lang: str) -> dict:
    """A signal's detail for the list: without the part's bookkeeping, its wording (a reach path) in ``lang``."""
    d = {k: v for k, v in (detail or {}).items() if k not in ("group", "absent", "label_en", "path_en")}
    if lang == "en" and "path_en" in (detail or {}):
        d["path"] = detail["path_en"]
    return d


def lead_of(store, region: str, enterprise_id: int, *, node: str | None = None, lang: str = "zh",
            team=None, as_of: Any = None, weights: str | Path | dict | None = None) -> dict | None:
    """One enterprise's lead for the region at the reference date (``as_of`` in the result: the latest data, not
    today), or as of ``as_of`` under ``weights`` (the list a pipeline lead was added from) — reasons, signals,
    explained score — as the leads list shows it (the pipeline's lead page). ``node``: the lead's segment, so that
    it is a candidate whether or not the segment is still a target; None when it is no candidate there (present in
    the region, abnormal, unplaced)."""
    for n in dict.fromkeys([node, None]):
        try:
            c = candidate_rows(store, region, node=n, team=team, only=int(enterprise_id), as_of=as_of,
                               weights=weights)
        except UserError:
            continue  # a segment the chain no longer has: the region's targets instead
        if c["rows"]:
            doc = _document(store, _with_reach(store, c, 1, team=team), n, lang)
            return {**{k: v for k, v in doc["leads"][0].items() if k != "rank"}, "as_of": doc["as_of"],
                    "date_notes": doc["date_notes"]}
    return None


def top_leads(store, region: str, as_of: Any = None, limit: int = 10, chain: str | None = None, team=None) -> dict:
    """The region page's and the region report's section: the top leads as flat rows (reasons joined). With
    ``team`` its live events count, as on the leads page and in ``zhaoshang leads``: one lead, one score."""
    c = _ranked(store, region, limit, as_of=as_of, chain=chain, team=team)
    zh = _document(store, c, None, "zh")
    en_doc = _document(store, c, None, "en")
    en = {r["enterprise_id"]: r for r in en_doc["leads"]}
    rows = []
    for r in zh["leads"]:
        e = en.get(r["enterprise_id"]) or r
        rows.append({"rank": r["rank"], "name": r["name"], "segment_name": r["segment_name"],
                     "segment_name_en": e["segment_name"], "score": r["score"],
                     "reasons_text": "；".join(r["location_notes"] + r["reasons"]),
                     "reasons_text_en": "; ".join(e["location_notes"] + e["reasons"]),
                     "enterprise_id": r["enterprise_id"]})
    tied = len({r["score"] for r in rows}) < len(rows)
    # the region page and report name the missing data and what the scores leave out, not the commands that add it
    brief = {missing_note(zh["missing_sources"], "zh"): missing_note(zh["missing_sources"], "zh", how=False),
             missing_note(zh["missing_sources"], "en"): missing_note(zh["missing_sources"], "en", how=False)}
    return {"rows": rows, "as_of": zh["as_of"], "population": zh["population"],
            "notes": [brief.get(n, n) for n in zh["notes"]], "notes_en": [brief.get(n, n) for n in en_doc["notes"]],
            "order": TIE_BREAK[0] if tied else None, "order_en": TIE_BREAK[1] if tied else None,
            "date_notes": zh["date_notes"], "date_notes_en": en_doc["date_notes"]}
