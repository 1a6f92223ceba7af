"""Free-text search over enterprises: credit code, name, aliases, then words of the business scope,
description, products, industry and the chain nodes the enterprise is placed on.

Chinese-aware: the query is cut into words with jieba (search mode, with the AI domain dictionary), so
"杭州 大模型 医疗" or "医疗大模型" find enterprises whose scope or description holds every word, even
apart. Each hit says why it matched (which field), so the ranking can be checked.
"""

from __future__ import annotations

from ..core.parse.uscc import validate_uscc
from ..core.store import Store
from ..core.text import normalize_name, search_tokens

# rank of each kind of match, best first
_RANKS = {"uscc": 0, "name_exact": 1, "alias_exact": 2, "name": 3, "alias": 4, "words": 5}


def _words(text: str) -> list[str]:
    """Distinct query words; single characters only when the whole query is one character."""
    toks = [t for t in search_tokens(text) if t.strip()]
    long = [t for t in toks if len(t) > 1]
    words = long or toks
    # drop words contained in a longer word of the query (search mode yields both 大模型 and 模型)
    words = [w for w in dict.fromkeys(words) if not any(w != o and w in o for o in words)]
    return words


def search(store: Store, text: str, *, limit: int = 20, region: str | None = None) -> dict:
    """``{"query", "words", "total", "items": [{id, name, uscc, region, matched, rank, ...}]}``."""
    text = (text or "").strip()
    if not text:
        return {"query": text, "words": [], "total": 0, "items": []}
    norm = normalize_name(text)
    code, _ = validate_uscc(text)
    words = _words(text)
    params: list = []
    parts = []
    if code:
        parts.append("SELECT id, 'uscc' AS why FROM enterprises WHERE uscc = ?")
        params.append(code)
    parts.append("SELECT id, 'name_exact' AS why FROM enterprises WHERE name_norm = ?")
    params.append(norm)
    parts.append("SELECT enterprise_id AS id, 'alias_exact' AS why FROM enterprise_aliases WHERE alias_norm = ?")
    params.append(norm)
    if norm:
        parts.append("SELECT id, 'name' AS why FROM enterprises WHERE strpos(name_norm, ?) > 0")
        params.append(norm)
        parts.append("SELECT enterprise_id AS id, 'alias' AS why FROM enterprise_aliases WHERE strpos(alias_norm, ?) > 0")
        params.append(norm)
    if words:
        # the words may stand in the enterprise's own text or in the names of the chain nodes it is placed on
        conds = " AND ".join(
            "(strpos(lower(coalesce(e.name, '') || ' ' || coalesce(e.scope, '') || ' ' || coalesce(e.description, '') "
            "|| ' ' || coalesce(e.products, '') || ' ' || coalesce(e.industry, '') || ' ' || coalesce(pn.nodes, '')), ?) > 0)"
            for _ in words)
        parts.append(
            "SELECT e.id, 'words' AS why FROM enterprises e LEFT JOIN (SELECT p.enterprise_id, "
            "string_agg(n.name_zh || ' ' || coalesce(n.name_en, ''), ' ') AS nodes FROM placements p "
            "JOIN chain_nodes n ON n.chain = p.chain AND n.code = p.node_code GROUP BY p.enterprise_id) pn "
            f"ON pn.enterprise_id = e.id WHERE {conds}")
        params += [w.lower() for w in words]
    rank_case = "CASE why " + " ".join(f"WHEN '{k}' THEN {v}" for k, v in _RANKS.items()) + " END"
    region_sql = ""
    if region:  # a code, name, path or macro-region (the region service)
        from ..core.geo.lookup import region_condition, region_info

        cond, rparams = region_condition(region_info(store, region), "e")
        region_sql, params = f"AND {cond}", params + rparams
    sql = f"""
        WITH hits AS ({' UNION ALL '.join(parts)}),
        best AS (SELECT id, min({rank_case}) AS best_rank, arg_min(why, {rank_case}) AS best_why FROM hits GROUP BY id)
        SELECT e.id, e.name, e.uscc, e.status, e.founded, e.province_code, e.city_code, e.district_code,
               coalesce(rd.name, rc.name, rp.name) AS region, b.best_why AS matched, b.best_rank AS rank, count(*) OVER () AS total
        FROM best b JOIN enterprises e ON e.id = b.id
        LEFT JOIN regions rp ON rp.code = e.province_code LEFT JOIN regions rc ON rc.code = e.city_code
        LEFT JOIN regions rd ON rd.code = e.district_code
        WHERE true {region_sql}
        ORDER BY b.best_rank, length(e.name), e.id
        LIMIT {int(limit)}
    """
    rows = store.query(sql, params)
    total = rows[0]["total"] if rows else 0
    for r in rows:
        r.pop("total", None)
    return {"query": text, "words": words, "total": total, "items": rows}


def find_one(store: Store, key: str) -> int | None:
    """The enterprise a user means by an id, credit code, full name or alias — only when unambiguous."""
    hits = search(store, key, limit=2)["items"]
    exact = [h for h in hits if h["rank"] <= _RANKS["alias_exact"]]
    if len(exact) == 1 or (exact and exact[0]["rank"] < exact[1]["rank"]):
        return exact[0]["id"]
    return None
