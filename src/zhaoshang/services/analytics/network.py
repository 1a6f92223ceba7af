"""The cooperation network between regions (docs/methods.md, "Cooperation network between regions").

Edges at a region level, one list per kind:

- ``patent`` (undirected): the distinct applicant regions of one patent; with k ≥ 2 regions each unordered
  pair gets 1/(k − 1), so every region of the patent receives strength 1 from it (fractional counting).
- ``people`` (undirected): the distinct regions of the enterprises where one person holds a role, same
  fractional rule; one person is one person record or the records the identity rules link
  (``graph.identity.person_of``, the relations graph's grouping): a name alone joins no two records.
- ``investment`` (directed): investor region → investee region, weight 1 per (funding, investor).
- ``branch`` (directed): parent enterprise region → branch / subsidiary / investment region, 1 per row.
- ``all``: the four lists together as one undirected network.

Links inside one region are not edges. Metrics are computed by ``network_metrics`` on an edge list, so they
can be checked on hand-built graphs.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Iterable, Sequence


from ...core.asof import REGION_FIELDS, enterprises_as_of, reference_date
from ...core.errors import UserError
from ..graph import identity
from .levels import LEVELS, region_names, region_sql

KINDS = ("patent", "investment", "branch", "people", "all")
DIRECTED = {"investment": True, "branch": True, "patent": False, "people": False, "all": False}
SECONDARY_K = 12
_PERSON_OF = "_network_person_of"  # the identity's record → person table, registered for the people edges
TOP_EDGES = 20


# -- edges from the store --------------------------------------------------------------------------------

def _date_ok(col: str) -> str:
    return f"(CAST(? AS DATE) IS NULL OR {col} IS NULL OR {col} <= CAST(? AS DATE))"


def _fractional_pairs(store, level: str, base_sql: str, base_params: list) -> list[dict]:
    """Unordered pairs of distinct regions within each group of ``base_sql`` (columns g, year, province_code,
    city_code, district_code), weighted 1/(k − 1)."""
    expr, join, params = region_sql(level, "b")
    sql = f"""
        WITH b AS ({base_sql}),
        r AS (SELECT DISTINCT b.g, b.year, {expr} AS region FROM b {join} WHERE {expr} IS NOT NULL),
        k AS (SELECT g, count(*) AS k FROM r GROUP BY g HAVING count(*) >= 2)
        SELECT x.region AS src, y.region AS dst, x.year AS year, k.k AS k, count(*) AS n
        FROM r x JOIN r y ON x.g = y.g AND x.region < y.region JOIN k ON k.g = x.g
        GROUP BY ALL"""
    # counted per group size in SQL, summed here exactly: a parallel sum of fractions moved its last digits
    parts: dict[tuple, list[float]] = defaultdict(list)
    for r in store.query(sql, base_params + params):
        parts[(r["src"], r["dst"], r["year"])].append(r["n"] / (r["k"] - 1))
    return [{"src": a, "dst": b, "year": y, "w": math.fsum(ws)} for (a, b, y), ws in parts.items()]


def edges_from_store(store, kind: str, level: str = "province", as_of=None, team=None) -> list[dict]:
    """Edge rows {src, dst, year, w, kind} between distinct regions of ``level``: links dated on or before
    ``as_of`` (default: the reference date), each enterprise in the region it was registered in then. ``team``:
    the team state whose confirm / split decisions the identity of people follows."""
    as_of = reference_date(store, as_of)
    ents = enterprises_as_of(as_of, store, REGION_FIELDS, existing=False)
    if kind == "all":
        out = []
        for k in ("patent", "investment", "branch", "people"):
            out += edges_from_store(store, k, level, as_of, team)
        return out
    if kind == "patent":
        base = f"""SELECT pa.patent_id AS g, year(pt.applied) AS year,
                          coalesce(pa.province_code, e.province_code) AS province_code,
                          coalesce(pa.city_code, e.city_code) AS city_code,
                          coalesce(pa.district_code, e.district_code) AS district_code
                   FROM patent_applicants pa JOIN patents pt ON pt.id = pa.patent_id
                   LEFT JOIN {ents} e ON e.id = pa.enterprise_id
                   WHERE (CAST(? AS DATE) IS NULL OR pt.applied <= CAST(? AS DATE))"""
        rows = _fractional_pairs(store, level, base, [as_of, as_of])
    elif kind == "people":
        # one person: the records the identity rules link (each importer keys a person by name and enterprise)
        with identity.registered(store.con, {_PERSON_OF: identity.person_of(store, team)}):
            base = f"""SELECT coalesce(po.person, r.person_id) AS g, year(r.start_date) AS year,
                              e.province_code, e.city_code, e.district_code
                       FROM roles r JOIN {ents} e ON e.id = r.enterprise_id
                       LEFT JOIN {_PERSON_OF} po ON po.record = r.person_id
                       WHERE r.person_id IS NOT NULL AND {_date_ok('r.start_date')}
                         AND (CAST(? AS DATE) IS NULL OR r.end_date IS NULL OR r.end_date > CAST(? AS DATE))"""
            rows = _fractional_pairs(store, level, base, [as_of, as_of, as_of, as_of])
    elif kind == "investment":
        s_expr, s_join, s_params = region_sql(level, "s", "ms")
        d_expr, d_join, d_params = region_sql(level, "d", "md")
        sql = f"""
            WITH s AS (SELECT fi.funding_id, i.id AS investor_id,
                              coalesce(i.province_code, ie.province_code) AS province_code,
                              coalesce(i.city_code, ie.city_code) AS city_code,
                              coalesce(i.district_code, ie.district_code) AS district_code
                       FROM funding_investors fi JOIN investors i ON i.id = fi.investor_id
                       LEFT JOIN {ents} ie ON ie.id = i.enterprise_id),
                 d AS (SELECT f.id AS funding_id, year(f.date) AS year, e.province_code, e.city_code, e.district_code
                       FROM fundings f JOIN {ents} e ON e.id = f.enterprise_id WHERE {_date_ok('f.date')})
            SELECT {s_expr} AS src, {d_expr} AS dst, d.year AS year, count(DISTINCT (s.funding_id, s.investor_id)) AS w
            FROM s {s_join} JOIN d ON d.funding_id = s.funding_id {d_join}
            WHERE {s_expr} IS NOT NULL AND {d_expr} IS NOT NULL AND {s_expr} <> {d_expr}
            GROUP BY ALL"""
        rows = store.query(sql, [as_of, as_of] + s_params + d_params)
    elif kind == "branch":
        s_expr, s_join, s_params = region_sql(level, "p", "ms")
        d_expr, d_join, d_params = region_sql(level, "c", "md")
        sql = f"""
            WITH p AS (SELECT b.id, year(b.date) AS year, pe.province_code, pe.city_code, pe.district_code
                       FROM branches b JOIN {ents} pe ON pe.id = b.parent_id WHERE {_date_ok('b.date')}),
                 c AS (SELECT b.id, coalesce(b.province_code, ce.province_code) AS province_code,
                              coalesce(b.city_code, ce.city_code) AS city_code,
                              coalesce(b.district_code, ce.district_code) AS district_code
                       FROM branches b LEFT JOIN {ents} ce ON ce.id = b.child_id)
            SELECT {s_expr} AS src, {d_expr} AS dst, p.year AS year, count(DISTINCT p.id) AS w
            FROM p {s_join} JOIN c ON c.id = p.id {d_join}
            WHERE {s_expr} IS NOT NULL AND {d_expr} IS NOT NULL AND {s_expr} <> {d_expr}
            GROUP BY ALL"""
        rows = store.query(sql, [as_of, as_of] + s_params + d_params)
    else:
        raise UserError(f"未知的网络类型: {kind}（可选: {', '.join(KINDS)}）", f"unknown network kind: {kind} (one of: {', '.join(KINDS)})")
    for r in rows:
        r["w"] = float(r["w"])
        r["kind"] = kind
    return rows


# -- metrics on an edge list -----------------------------------------------------------------------------

def _aggregate(edges: Iterable[dict], directed: bool) -> dict[tuple[str, str], float]:
    parts: dict[tuple[str, str], list[float]] = defaultdict(list)
    for e in edges:
        a, b, w = str(e["src"]), str(e["dst"]), float(e["w"])
        if a == b or w <= 0:
            continue
        if not directed and a > b:
            a, b = b, a
        parts[(a, b)].append(w)
    # fsum and a sorted key order: the same weights and totals whatever order the edges came in
    return {k: math.fsum(parts[k]) for k in sorted(parts)}


def group_shares(agg: dict[tuple[str, str], float], group: set[str], directed: bool) -> dict:
    """internal_share, external_output_share and the weights behind them (definitions in docs/methods.md)."""
    total = sum(agg.values())
    inside = sum(w for (a, b), w in agg.items() if a in group and b in group)
    touching = sum(w for (a, b), w in agg.items() if a in group or b in group)
    if directed:
        output = sum(w for (a, _), w in agg.items() if a in group)
        out_share = output / total if total else None
    else:
        # strength share: Σ_{i∈G} s_i / Σ_i s_i, with Σ_i s_i = 2 × total
        output = sum(w * ((a in group) + (b in group)) for (a, b), w in agg.items())
        out_share = output / (2 * total) if total else None
    return {"internal_share": inside / touching if touching else None, "external_output_share": out_share,
            "weight_total": total, "weight_internal": inside, "weight_touching_group": touching,
            "weight_output": output}


def network_metrics(edges: Sequence[dict], *, directed: bool = False, group: Iterable[str] | None = None,
                    secondary_k: int = SECONDARY_K, top_edges: int = TOP_EDGES) -> dict:
    """All metrics of one network from its edge list ({src, dst, w[, year]})."""
    import igraph as ig

    group_set = {str(g) for g in (group or [])}
    agg = _aggregate(edges, directed)
    names = sorted({x for pair in agg for x in pair})
    n = len(names)
    idx = {v: i for i, v in enumerate(names)}
    g = ig.Graph(n=n, edges=[(idx[a], idx[b]) for a, b in agg], directed=directed)
    ws = list(agg.values())
    g.es["weight"] = ws
    m = len(agg)
    possible = n * (n - 1) if directed else n * (n - 1) / 2
    doc: dict = {"directed": directed, "regions": n, "edges_count": m,
                 "density": m / possible if possible else None}
    if group_set:
        doc.update(group_shares(agg, group_set, directed))
        gin = [v for v in names if v in group_set]
        k = len(gin)
        inside_edges = sum(1 for a, b in agg if a in group_set and b in group_set)
        gp = k * (k - 1) if directed else k * (k - 1) / 2
        doc["group_density"] = inside_edges / gp if gp else None
    else:
        doc.update({"internal_share": None, "external_output_share": None, "group_density": None})

    if n:
        degree = g.degree()   # distinct neighbours (in + out when directed; one edge per pair)
        strength = g.strength(weights="weight")
        pagerank = g.pagerank(weights="weight", directed=directed, damping=0.85)
        # Weights are tie strengths; shortest paths need costs: cost = 1 / weight.
        betw = g.betweenness(weights=[1.0 / w for w in ws], directed=directed)
        norm = ((n - 1) * (n - 2)) if directed else ((n - 1) * (n - 2) / 2)
        nodes = []
        for i, v in enumerate(names):
            row = {"region": v, "in_group": v in group_set, "degree": int(degree[i]), "strength": float(strength[i]),
                   "pagerank": float(pagerank[i]), "betweenness": float(betw[i]),
                   "betweenness_norm": float(betw[i] / norm) if norm else 0.0}
            if directed:
                row["out_strength"] = float(g.strength(i, mode="out", weights="weight"))
                row["in_strength"] = float(g.strength(i, mode="in", weights="weight"))
            nodes.append(row)
        nodes.sort(key=lambda r: (-r["strength"], r["region"]))
    else:
        nodes = []
    doc["nodes"] = nodes
    # Secondary nodes: outside the group, PageRank above the uniform 1/n, the k highest.
    if n:
        sec = [r for r in nodes if not r["in_group"] and r["pagerank"] > 1.0 / n]
        sec.sort(key=lambda r: (-r["pagerank"], r["region"]))
        doc["secondary_nodes"] = [r["region"] for r in sec[:secondary_k]]
    else:
        doc["secondary_nodes"] = []
    doc["edges"] = [{"src": a, "dst": b, "weight": w}
                    for (a, b), w in sorted(agg.items(), key=lambda kv: (-kv[1], kv[0]))[:top_edges]]
    doc["trend"] = trend(edges, directed=directed, group=group_set)
    return doc


def trend(edges: Sequence[dict], *, directed: bool, group: set[str]) -> list[dict]:
    """Per year: total weight, the group's shares, and the HHI of regional strength (rising: polarisation)."""
    by_year: dict[int, list[dict]] = defaultdict(list)
    for e in edges:
        if e.get("year") is not None:
            by_year[int(e["year"])].append(e)
    out = []
    for y in sorted(by_year):
        agg = _aggregate(by_year[y], directed)
        strength: dict[str, float] = defaultdict(float)
        for (a, b), w in agg.items():
            strength[a] += w
            strength[b] += w
        tot = sum(strength.values())
        h = sum((s / tot) ** 2 for s in strength.values()) if tot else None
        row = {"year": y, "weight_total": sum(agg.values()), "regions": len(strength), "strength_hhi": h}
        if group:
            sh = group_shares(agg, group, directed)
            row["internal_share"] = sh["internal_share"]
            row["external_output_share"] = sh["external_output_share"]
        out.append(row)
    return out


def trend_direction(rows: list[dict]) -> str | None:
    """polarisation when the strength HHI of the last year exceeds the first's, diffusion when lower."""
    hs = [r["strength_hhi"] for r in rows if r.get("strength_hhi") is not None]
    if len(hs) < 2 or math.isclose(hs[0], hs[-1]):
        return None
    return "polarisation" if hs[-1] > hs[0] else "diffusion"


def network(store, kind: str = "patent", level: str | None = None, group: list[str] | str | None = None,
            as_of=None, *, secondary_k: int = SECONDARY_K, top_edges: int = TOP_EDGES, team=None) -> dict:
    """The service behind ``zhaoshang network``. ``level`` None: the finest level among the group's regions (a
    group of cities is a network of cities; a macro-region counts at its members' levels: 长三角 as provinces,
    珠三角 as cities), else province. ``team``: whose decisions on people's identity the shared people follow."""
    if kind not in KINDS:
        raise UserError(f"未知的网络类型: {kind}（可选: {', '.join(KINDS)}）", f"unknown network kind: {kind} (one of: {', '.join(KINDS)})")
    if level is not None and level not in LEVELS:
        raise UserError(f"未知的区域层级: {level}（可选: {', '.join(LEVELS)}）", f"unknown region level: {level} (one of: {', '.join(LEVELS)})")
    if secondary_k < 0:  # a negative count would cut nodes from the end of the list
        raise UserError(f"--secondary 须为 0 或正整数: {secondary_k}", f"--secondary must be 0 or a positive integer: {secondary_k}")
    from ...core.geo.lookup import level_of, members_at, resolve_regions

    # a group is any mix of regions and macro-regions (长三角), each expanded to its members at this level
    refs = resolve_regions(store, group, level) if group else []
    if level is None:  # a macro-region at its members' levels: 珠三角's members are cities
        given = [lv for r in refs for lv in ([level_of(c) for c in r.members] if r.is_macro else [r.level])
                 if lv in LEVELS]
        level = max(given, key=LEVELS.index) if given else "province"
    codes = list(dict.fromkeys(c for ref in refs for c in members_at(store, ref, level)))
    as_of = reference_date(store, as_of)
    edges = edges_from_store(store, kind, level, as_of, team)
    doc = {"kind": kind, "level": level, "as_of": as_of.isoformat(), "group": codes,
           "group_given": [{"code": r.code, "name": r.name, "level": r.level} for r in refs]}
    doc.update(network_metrics(edges, directed=DIRECTED[kind], group=codes, secondary_k=secondary_k,
                               top_edges=top_edges))
    doc["trend_direction"] = trend_direction(doc["trend"])
    names = region_names(store, [r["region"] for r in doc["nodes"]] + codes)
    doc["group_names"] = [names.get(c, c) for c in codes]
    for r in doc["nodes"]:
        r["name"] = names.get(r["region"], r["region"])
    for e in doc["edges"]:
        e["src_name"], e["dst_name"] = names.get(e["src"], e["src"]), names.get(e["dst"], e["dst"])
    doc["secondary_nodes"] = [{"region": c, "name": names.get(c, c)} for c in doc["secondary_nodes"]]
    return doc
