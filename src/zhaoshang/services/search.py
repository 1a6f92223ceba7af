"""Free-text search over enterprises: credit code, name, aliases, then words of the business scope,
description, products, industry and the chain nodes the enterprise is placed on — the one search of every
interface (CLI ``search``, ``/api/search``, the 企业库 list, page and export with ``q``), so they count alike.

Chinese-aware: the query is cut into words with jieba (search mode, with the AI domain dictionary), so
"杭州 大模型 医疗" or "医疗大模型" find enterprises whose scope or description holds every word, even
apart; a compound the dictionary keeps whole (医疗影像) is looked for whole, and when nothing holds it, as its own
words apart (医疗 + 影像; the result's ``apart`` says so). Each hit says why it matched (which field), so the ranking can be checked.
"""

from __future__ import annotations

import re
from typing import Any

from ..core import search_index
from ..core.asof import _changed_after, enterprises_as_of, generation_memo, reference_date
from ..core.errors import UserError
from ..core.parse.uscc import validate_uscc
from ..core.store import Store
from ..core.text import listing_forms, normalize_name, query_words, stock_code

# the longest query read as a stock short name (with its listing-status marks: 寒武纪-UW, *ST 海润)
SHORT_NAME_MAX = 12
# rank of each kind of match, best first
# the enterprise's own text a query word may stand in (besides the names of the chain nodes it is placed on), in
# the order a hit's reason names them: every word in one field is a hit of that field (``words_products``: 主营产品)
_TEXT_COLUMNS = ("name", "english_name", "products", "scope", "description", "industry")
# why a hit matched, best first; the words of the text rank alike whichever field holds them (``words``: in several
# fields, ``words_node``: in the name of a chain segment the enterprise is placed on)
_RANKS = {"uscc": 0, "listed_code": 0, "name_exact": 1, "alias_exact": 2, "name": 3, "alias": 4,
          **{f"words_{c}": 5 for c in _TEXT_COLUMNS}, "words_node": 5, "words": 5}


def _words(text: str) -> list[str]:
    """Distinct query words (a run of characters jieba leaves single, an unknown name, is one word); a lone
    single character only when the query has no longer word."""
    toks = [t for t in query_words(text) if t.strip()]
    long = [t for t in toks if len(t) > 1]
    words = long or toks
    # drop words contained in a longer word of the query (search mode yields both 大模型 and 模型)
    words = [w for w in dict.fromkeys(words) if not any(w != o and w in o for o in words)]
    return words


def _tiling(word: str, pieces: list[str], whole: str | None = None) -> list[str] | None:
    """``word`` written as pieces (other than ``whole``, the word itself) of two or more characters laid end to
    end, the longest first piece first; None when they do not tile it."""
    if not word:
        return []
    whole = word if whole is None else whole
    for p in sorted((p for p in pieces if len(p) > 1 and p != whole and word.startswith(p)), key=len, reverse=True):
        rest = _tiling(word[len(p):], pieces, whole)
        if rest is not None:
            return [p, *rest]
    return None


def _apart(text: str, words: list[str]) -> list[str] | None:
    """The query's words with each compound jieba keeps whole (医疗影像, 计算机视觉) written as the words its search
    mode finds inside it, when they tile it (医疗 + 影像, 计算机 + 视觉); None when no word is such a compound."""
    from ..core.text import search_tokens

    out, changed = [], False
    for w in words:
        parts = _tiling(w, search_tokens(w)) if len(w) > 3 or not w.isascii() else None
        if parts and len(parts) > 1:
            out += parts
            changed = True
        else:
            out.append(w)
    return list(dict.fromkeys(out)) if changed else None



def _nodes(store: Store, word: str) -> list[str]:
    """The (few) chain nodes whose names hold the word, as ``chain␟code``."""
    w = word.lower()
    return [f"{c}\x1f{n}" for c, n in store.con.execute(
        "SELECT chain, code FROM chain_nodes WHERE contains(name_zh, ?) OR contains(lower(coalesce(name_en, '')), ?)",
        [w, w]).fetchall()]


_PLACED = "SELECT enterprise_id FROM placements WHERE list_contains(?, chain || chr(31) || node_code)"


def _in_column(word: str, column: str) -> tuple[str, list]:
    """One query word in one field of the enterprise's own text. Chinese has no case: only a word with Latin
    letters is compared lower-cased (and costs a ``lower``)."""
    w = word.lower()
    cased = w != word.upper()  # holds a letter with case
    return (f"contains(lower(e.{column}), ?)" if cased else f"contains(e.{column}, ?)"), [w]


def _word_condition(word: str, nodes: list[str]) -> tuple[str, list]:
    """One query word in the enterprise's own text or in the name of a chain node it is placed on."""
    conds, params = [], []
    for c in _TEXT_COLUMNS:
        cond, p = _in_column(word, c)
        conds.append(cond)
        params += p
    if nodes:
        conds.append(f"e.id IN ({_PLACED})")
        params.append(nodes)
    return f"({' OR '.join(conds)})", params


def _word_cases(words: list[str], nodes: dict) -> list[tuple[str, list, str]]:
    """The reasons a hit on the words of the text gives, as ``(condition, parameters, reason)``: every word in one
    field (``words_products`` …, in ``_TEXT_COLUMNS`` order), every word in the name of a segment the enterprise is
    placed on (``words_node``), else ``words`` — the words stand in several fields. The last condition is the
    match itself; the others only say which field it came from."""
    cases = []
    for c in _TEXT_COLUMNS:
        conds, params = [], []
        for w in words:
            cond, p = _in_column(w, c)
            conds.append(cond)
            params += p
        cases.append((" AND ".join(conds), params, f"words_{c}"))
    if all(nodes[w] for w in words):
        cases.append((" AND ".join(f"e.id IN ({_PLACED})" for _ in words), [nodes[w] for w in words], "words_node"))
    conds, params = [], []
    for w in words:
        cond, p = _word_condition(w, nodes[w])
        conds.append(cond)
        params += p
    cases.append((" AND ".join(conds), params, "words"))
    return cases


def stock_code_forms(text: str) -> list[str]:
    """The form a listed code is stored in (its six digits, ``core.text.stock_code``) for a query that is a stock
    code as analysts type it — 002230, 002230.SZ, SZ002230 —; none otherwise."""
    code = stock_code(text)
    return [code] if code else []


def _candidates(store: Store, code: str | None, norm: str, words: list[str], nodes: dict,
                stock: list[str] = (), bare: str | None = None) -> tuple[str, list] | None:
    """SQL of a superset of the ids the rule can accept, from the search index (``core.search_index``), or
    None when the index is stale or a part is too common to narrow the search (the rule then scans).

    The rule accepts an id by its code, by a name or alias holding the normalised query, or by every word;
    so code ∪ (ids holding the normalised query) ∪ (ids holding the rarest word, or placed on its nodes). A short
    name with listing-status marks (``bare``: the query without them, a part of it) looks for the ids holding the
    bare name — a superset, so 寒武纪-U is found for *ST 寒武纪 as for 寒武纪."""
    if not norm or not search_index.fresh(store):
        return None
    whole = search_index.part_ids(store, bare or norm)
    by_word = [(ids, w) for w in words if (ids := search_index.part_ids(store, w))]
    if whole is None or (words and not by_word):  # a part the index cannot answer: the rule scans
        return None
    best = min(by_word, key=lambda x: (bool(nodes[x[1]]), x[0][2]), default=None)
    if whole[2] + (best[0][2] if best else 0) > search_index.narrow_limit(store):
        return None
    parts = [(f"SELECT id FROM ({whole[0]})", whole[1])]
    if code:
        parts.append(("SELECT id FROM enterprises WHERE uscc = ?", [code]))
    if stock:
        parts.append(("SELECT id FROM enterprises WHERE list_contains(?, listed_code)", [list(stock)]))
    if best:
        parts.append((f"SELECT id FROM ({best[0][0]})", best[0][1]))
        if nodes[best[1]]:
            parts.append((_PLACED, [nodes[best[1]]]))
    return " UNION ".join(p for p, _ in parts), [x for _, ps in parts for x in ps]


def hits_sql(store: Store, text: str, *, index: bool = True) -> tuple[str, list, list[str]]:
    """The one matching rule: SQL of ``(id, why)`` rows for a query, its parameters and the query words.

    A query matches an enterprise by its credit code, its stock code, its name or an alias (exactly, else containing the
    query), or when every jieba word of the query stands in its name, English name, business scope,
    description, products, industry or the names of the chain nodes it is placed on. Every interface that
    searches (CLI ``search``, ``/api/search``, the 企业库 list and export with ``q``) uses this rule.
    With a fresh search index (and ``index``) the rule runs on the index's candidates only — the same answers."""
    sql, params, words, _ = _hits(store, text, index)
    return f"SELECT id, why FROM ({sql})", params, words


def _hits(store: Store, text: str, index: bool = True) -> tuple[str, list, list[str], list[int] | None]:
    """``hits_sql`` with a third column, ``text`` (the name or alias a name or alias hit was made on), and the
    candidates the search index narrowed it to (None: not narrowed). A query whose words match no enterprise, one
    of them a compound jieba keeps whole (医疗影像), is read again with the compound's own words apart (医疗 + 影像,
    each somewhere in the text): the words returned say which were used."""
    words = _words(text)
    got = _hits_for(store, text, words, index)
    apart = _apart(text, words) if words else None
    if apart and not store.con.execute(f"SELECT 1 FROM ({got[0]}) LIMIT 1", got[1]).fetchall():
        got = _hits_for(store, text, apart, index)
    return got


def _hits_for(store: Store, text: str, words: list[str], index: bool) -> tuple[str, list, list[str], list[int] | None]:
    norm = normalize_name(text)
    code, _ = validate_uscc(text)
    if not code and re.fullmatch(r"[0-9A-Za-z]{18}", text):  # a stored code as written, even with a bad check character
        code = text.upper()
    nodes = {w: generation_memo(store, ("nodes_holding", w), lambda w=w: _nodes(store, w)) for w in words}
    # one scan of the enterprises (the best reason per row) and one of the aliases
    cases: list[tuple[str, list, str]] = []  # (condition, parameters, reason), best first
    if code:
        cases.append(("e.uscc = ?", [code], "uscc"))
    stock = stock_code_forms(text)
    if stock:
        cases.append(("list_contains(?, e.listed_code)", [stock], "listed_code"))
    cases.append(("e.name_norm = ?", [norm], "name_exact"))
    if norm:
        cases.append(("contains(e.name_norm, ?)", [norm], "name"))
    words_from = len(cases)
    if words:
        cases += _word_cases(words, nodes)
    when = " ".join(f"WHEN {c} THEN '{why}'" for c, _, why in cases)
    cparams = [x for _, p, _ in cases for x in p]
    # an enterprise matches by any case but the words' field-by-field ones (which only say where the words stood)
    matching = cases[:words_from] + cases[-1:] if words else cases
    any_ = " OR ".join(f"({c})" for c, _, _ in matching)
    aparams_e = [x for _, p, _ in matching for x in p]
    # a stock short name matches exactly with or without its listing-status marks (寒武纪 = 寒武纪-U = N寒武纪:
    # core.text.listing_forms; a short name only, not a full legal name)
    forms = listing_forms(text) if 2 <= len(norm) <= SHORT_NAME_MAX else []
    exact = "a.alias_norm = ANY(?::VARCHAR[])" if forms else "a.alias_norm = ?"
    alias = f"CASE WHEN {exact} THEN 'alias_exact' ELSE 'alias' END"
    alias_cond = exact + (" OR contains(a.alias_norm, ?)" if norm else "")
    aparams = [[norm, *forms] if forms else norm] + ([norm] if norm else [])
    cand = _candidates(store, code, norm, words, nodes, stock, forms[0] if forms else None) if index else None
    in_e, in_a, kparams, ids = "", "", [], None
    if cand:  # the index narrows where the rule looks (the candidates, looked up once); the rule still decides
        ids = [r[0] for r in store.con.execute(cand[0], cand[1]).fetchall()]
        # a list (= ANY) lets the scans skip the row groups holding no candidate
        in_e, in_a = "e.id = ANY(?::BIGINT[]) AND ", "a.enterprise_id = ANY(?::BIGINT[]) AND "
        kparams = [ids]
    params = cparams + kparams + aparams_e + aparams[:1] + kparams + aparams
    # ``text``: the name or alias a name or alias hit was made on (``search`` reads it against the name as of its date)
    sql = (f"SELECT e.id, CASE {when} END AS why, e.name AS text FROM enterprises e WHERE {in_e}({any_}) "
           f"UNION ALL SELECT a.enterprise_id AS id, {alias} AS why, a.alias AS text FROM enterprise_aliases a "
           f"WHERE {in_a}({alias_cond})")
    return sql, params, words, ids


def matching_condition(store: Store, text: str, alias: str = "e") -> tuple[str, list]:
    """SQL condition on ``alias.id`` that the enterprise matches ``text`` (for a list's ``q`` filter) and its
    parameters."""
    sql, params, _, narrowed = _hits(store, str(text or "").strip())
    if narrowed is not None:  # a few ids: looked up once, then a list the scan skips row groups by
        ids = [r[0] for r in store.con.execute(f"SELECT DISTINCT id FROM ({sql})", params).fetchall()]
        return f"{alias}.id = ANY(?::BIGINT[])", [ids]
    return f"{alias}.id IN (SELECT id FROM ({sql}))", params


# best match first: the kind of match, then (within a kind) the names that begin with the query's words (浪潮…,
# the one parameter: the words joined), then the shorter names. ``b``: the alias of ``match_ranks``, ``e``: the
# enterprise as of the date
MATCH_ORDER = "{b}.best_rank, NOT starts_with(lower({e}.name), ?), length({e}.name), {e}.id"


def match_ranks(store: Store, text: str, d) -> tuple[str, list, list[str], list[int] | None]:
    """A parenthesised subquery of ``(id, best_rank, best_why)`` — each enterprise matching ``text`` with its best
    kind of match on date ``d`` —, its parameters, the query words and the search index's candidates (None: not
    narrowed). ``search`` and the 企业库 list with ``q`` order by it (``MATCH_ORDER``)."""
    hits, params, words, cands = _hits(store, text)
    rank_case = "CASE why " + " ".join(f"WHEN '{k}' THEN {v}" for k, v in _RANKS.items()) + " END"
    read = "hits"
    if _changed_after(store, d, ["name"]):
        # a name or alias hit is read as of the date: a former name that was the name then is a name hit, the
        # current name, not yet taken then, an alias hit
        then = enterprises_as_of(d, store, fields=["name"], existing=False)
        kind = ("CASE WHEN h.why IN ('name_exact', 'alias_exact') THEN if(h.text = n.name, 'name_exact', 'alias_exact') "
                "WHEN h.why IN ('name', 'alias') THEN if(h.text = n.name, 'name', 'alias') ELSE h.why END")
        read = f"(SELECT h.id, {kind} AS why FROM hits h JOIN {then} n ON n.id = h.id)"
    sql = (f"(WITH hits AS ({hits}) SELECT id, min({rank_case}) AS best_rank, arg_min(why, {rank_case}) AS best_why "
           f"FROM {read} GROUP BY id)")
    return sql, params, words, cands


def search(store: Store, text: str, *, limit: int = 20, offset: int = 0, region: str | None = None,
           as_of: Any = None, include_dissolved: bool = False) -> dict:
    """``{"query", "words", "as_of", "total", "items": [{id, name, uscc, region, matched, rank, ...}]}``.

    The enterprises existing on ``as_of`` (default: the reference date; every one with
    ``include_dissolved``), as they were then, that match ``text`` (``hits_sql``) and lie in ``region`` (a
    code, name, path or macro-region), best match first."""
    if int(limit) < 1:  # no page of hits at all: the total would read 0 (as the API, which refuses it too)
        raise UserError(f"--limit 应大于或等于 1（收到 {limit}）", en=f"--limit must be at least 1 (got {limit})")
    text = (text or "").strip()
    d = reference_date(store, as_of)
    if not text:
        return {"query": text, "words": [], "apart": False, "as_of": d.isoformat(), "total": 0, "items": []}
    best, params, words, cands = match_ranks(store, text, d)
    region_sql = ""
    if region:  # a code, name, path or macro-region (the region service)
        from ..core.geo.lookup import region_condition, region_info

        cond, rparams = region_condition(region_info(store, region), "e")
        region_sql, params = f"AND {cond}", params + rparams
    if cands is not None:  # the view read for the candidates only (row groups without one are skipped)
        region_sql, params = region_sql + " AND e.id = ANY(?::BIGINT[])", params + [cands]
    sql = f"""
        WITH best AS {best}
        SELECT e.id, e.name, e.uscc, e.status, e.founded, e.founded_precision, e.province_code, e.city_code,
               e.district_code, coalesce(rd.name, rc.name, rp.name) AS region, b.best_why AS matched, b.best_rank AS rank, count(*) OVER () AS total
        FROM best b JOIN {enterprises_as_of(d, store, existing=not include_dissolved)} e ON e.id = b.id
        LEFT JOIN regions rp ON rp.code = e.province_code LEFT JOIN regions rc ON rc.code = e.city_code
        LEFT JOIN regions rd ON rd.code = e.district_code
        WHERE true {region_sql}
        ORDER BY {MATCH_ORDER.format(b="b", e="e")}
        LIMIT ? OFFSET ?
    """
    params = params + ["".join(words)]  # within a kind of match, names that begin with the query first (浪潮…)
    rows = store.query(sql, params + [int(limit), max(0, int(offset))])
    first = rows or (store.query(sql, params + [1, 0]) if offset else [])  # past the last page: the total alone
    total = first[0]["total"] if first else 0
    for r in rows:
        r.pop("total", None)
    return {"query": text, "words": words, "apart": words != _words(text), "as_of": d.isoformat(),
            "total": int(total), "items": rows}


def find_one(store: Store, key: str) -> int | None:
    """The enterprise a user means by an id, credit code, full name or alias — only when unambiguous: an exact
    name or alias, else the one enterprise whose name or alias holds the text (旷视 → 北京旷视科技有限公司, its
    IT桔子 brand 旷视科技Face++); several such are not chosen among (the caller lists them)."""
    hits = search(store, key, limit=2, include_dissolved=True)["items"]
    exact = [h for h in hits if h["rank"] <= _RANKS["alias_exact"]]
    if len(exact) == 1 or (exact and exact[0]["rank"] < exact[1]["rank"]):
        return exact[0]["id"]
    named = [h for h in hits if h["rank"] <= _RANKS["alias"]]
    if len(named) == 1 and not exact:
        return named[0]["id"]
    return None
