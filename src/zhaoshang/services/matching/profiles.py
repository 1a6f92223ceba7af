"""Capability profiles (能力图谱) of enterprises and the texts of demands (需求清单), built set-based from the store.

A profile is one row per enterprise: its name, industry, business scope, description, products and tags, the
titles and abstracts of its patents (at most ``patents_per_enterprise``, newest first), its IPC subclasses and
the chain nodes it is placed on (names in the text, codes with their confidence beside it). One SQL statement
builds them all, so the same step runs at national scale. A demand's nodes are its declared node plus the nodes
whose strong/medium keywords its text contains (the taxonomy's keyword lists, ``node_tiers``).
"""

from __future__ import annotations

import datetime as _dt
import functools
import importlib.resources
import re
from typing import Any

from ...core.asof import as_of_date, enterprises_as_of, reference_date
from ...core.parse.dates import china_today
from ...core.config import parse_yaml
from ...core.geo.lookup import region_condition
from ...core.text import search_tokens
from ..chain.taxonomy import Taxonomy, keyword_regex, load_taxonomy, normalize_keyword

@functools.lru_cache(maxsize=1)
def config() -> dict[str, Any]:
    """The matching settings (data/matching.yaml): weights, candidate sizes, stopwords, status rules."""
    res = importlib.resources.files("zhaoshang").joinpath("data", "matching.yaml")
    return parse_yaml(res.read_text(encoding="utf-8"), "匹配设置文件", "matching settings file", str(res))


@functools.lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    return frozenset(str(w) for w in config().get("stopwords") or ())


@functools.lru_cache(maxsize=1)
def _places() -> tuple[frozenset[str], re.Pattern]:
    """The names of the provinces and cities (full and short: 珠海市, 珠海), and a pattern of the full names."""
    from ...core.geo.regions import build_regions

    rows = [r for r in build_regions() if r.level in ("province", "city")]
    full = sorted({r.name for r in rows if len(r.name) > 1}, key=lambda n: (-len(n), n))
    return (frozenset({r.name for r in rows} | {r.short_name for r in rows if r.short_name}),
            re.compile("|".join(map(re.escape, full))))


def tokens(text: str | None) -> list[str]:
    """Index/query tokens: jieba search-mode words (domain dictionary), without stopwords, single characters
    other than letters/digits runs, and place names — where a demand or an enterprise is says nothing of what it
    can do: the full names of provinces and cities are cut out of the text first (jieba's sub-words of 珠海市 and
    上海市 share 海市), then a province's or city's name left as a word (珠海, 上海) is dropped. A text already cut
    is not cut again: a demand's ranking names the terms each enterprise it lists shares with it, from the same
    texts the index was built from."""
    return list(_tokens(text)) if isinstance(text, str) else list(_cut(text))


@functools.lru_cache(maxsize=8192)
def _tokens(text: str) -> tuple[str, ...]:
    return _cut(text)


def _cut(text) -> tuple[str, ...]:
    stop = _stopwords()
    names, full = _places()
    text = full.sub(" ", text) if isinstance(text, str) else text
    return tuple(t for t in search_tokens(text) if t not in stop and (len(t) > 1 or t.isascii() and t.isalnum())
                 and t not in names and not t.isdigit())


def profile_sql(store, ids: list[int] | None = None, chain: str = "ai", *, ended: bool = False,
                as_of: Any = None) -> tuple[str, list]:
    """SELECT id, name, region codes, status, dissolved, text fields, patents, ipc, nodes (list of {code, name,
    confidence}) of every enterprise existing on ``as_of`` (``core.asof``: default the reference date), its tracked
    fields as they were then, or of ``ids``; ``ended``: also of those ended by then (not of those founded later)."""
    n_pat = int(config().get("patents_per_enterprise") or 20)
    day = reference_date(store, as_of)
    view = enterprises_as_of(day, store, existing=not ended)
    where, pat_where, pl_where, params = "TRUE", "TRUE", "TRUE", []
    if ids is not None:  # the filter inside each aggregate too, so a few profiles cost a few rows
        id_list = [int(i) for i in ids]
        where, pat_where, pl_where = "list_contains(?, e.id)", "list_contains(?, ap.enterprise_id)", "list_contains(?, pl.enterprise_id)"
        params = [id_list, id_list, id_list]
    if ended and day is not None:
        where += f" AND (e.founded IS NULL OR e.founded <= DATE '{day.isoformat()}')"
    if as_of_date(as_of) is not None:  # a date asked for: the patents applied for by then (core.asof: dated facts)
        pat_where += (f" AND (coalesce(pp.applied, pp.published, pp.granted) IS NULL"
                      f" OR coalesce(pp.applied, pp.published, pp.granted) <= DATE '{day.isoformat()}')")
    sql = f"""
    WITH pat AS (
        SELECT a.enterprise_id AS id,
               string_agg(concat_ws(' ', p.title, p.abstract), ' ' ORDER BY p.applied DESC NULLS LAST, p.id)
                   FILTER (WHERE rn <= {n_pat}) AS patents,
               list_distinct(flatten(list(list_transform(coalesce(p.ipc, []), lambda x: left(x, 4))))) AS ipc,
               count(*) AS n_patents
        FROM (SELECT DISTINCT ap.enterprise_id, ap.patent_id,
                     row_number() OVER (PARTITION BY ap.enterprise_id ORDER BY pp.applied DESC NULLS LAST, pp.id) AS rn
              FROM patent_applicants ap JOIN patents pp ON pp.id = ap.patent_id
              WHERE ap.enterprise_id IS NOT NULL AND {pat_where}) a
        JOIN patents p ON p.id = a.patent_id
        GROUP BY a.enterprise_id),
    pl AS (
        SELECT pl.enterprise_id AS id,
               list({{'code': pl.node_code, 'name': n.name_zh, 'name_en': n.name_en, 'confidence': pl.confidence}}
                    ORDER BY pl.node_code) AS nodes,
               string_agg(n.name_zh, ' ' ORDER BY pl.node_code) AS node_names
        FROM placements pl LEFT JOIN chain_nodes n ON n.chain = pl.chain AND n.code = pl.node_code
        WHERE pl.chain = ? AND {pl_where}
        GROUP BY pl.enterprise_id)
    SELECT e.id, e.name, e.uscc, e.province_code, e.city_code, e.district_code, e.status, e.dissolved, e.listed_code,
           e.industry, e.scope, e.description, e.products, pat.patents, coalesce(pat.ipc, []) AS ipc,
           coalesce(pat.n_patents, 0) AS n_patents, coalesce(pl.nodes, []) AS nodes,
           concat_ws(' ', e.name, e.industry, e.scope, e.description, e.products, array_to_string(e.tags, ' '),
                     pl.node_names, pat.patents) AS text
    FROM {view} e LEFT JOIN pat ON pat.id = e.id LEFT JOIN pl ON pl.id = e.id
    WHERE {where}
    ORDER BY e.id"""
    if ids is None:
        return sql, [chain]
    return sql, [params[0], chain, params[1], params[2]]


def enterprise_profiles(store, ids: list[int] | None = None, chain: str = "ai", *,
                        ended: bool = False, as_of: Any = None) -> list[dict[str, Any]]:
    sql, params = profile_sql(store, ids, chain, ended=ended, as_of=as_of)
    return store.query(sql, params)


# a demand's status: the code the lists hold (Chinese) and its English, which a user may type and a source may hold
DEMAND_STATUS_EN = {"征集中": "open", "对接中": "in talks", "已对接": "matched", "已完成": "completed"}
_STATUS_OF = {**{en: code for code, en in DEMAND_STATUS_EN.items()}, "collecting": "征集中"}


def status_code(status: Any) -> Any:
    """A demand status as the lists' code: an English one (``open``, ``In talks`` …, any case) as its Chinese code,
    any other as given."""
    if not isinstance(status, str):
        return status
    return _STATUS_OF.get(status.strip().lower(), status.strip())


def judged_on(as_of: Any = None) -> _dt.date:
    """The day a demand's openness and deadline are judged on: ``as_of`` when a view is explicitly as of a date (a
    lead score's backtest), else today (``china_today``, the one clock, as a lead's 督办 is judged) — never the data's
    latest date: a list read in December says a deadline of March has passed, whatever the enterprises' date."""
    return as_of_date(as_of) or china_today()


def _status_open(alias: str) -> tuple[str, list]:
    """SQL: the demand's status reads as open (``open_status``: 征集中, 对接中) or the list gives none (its dates then
    decide alone)."""
    return (f"(nullif(trim(coalesce({alias}.status, '')), '') IS NULL OR regexp_matches({alias}.status, ?))",
            [str(config().get("open_status"))])


def open_condition(alias: str = "d", as_of: Any = None) -> tuple[str, list]:
    """The one definition of an open demand, as SQL on ``alias`` with its parameters: its status reads as open
    (``open_status``: 征集中, 对接中) or is not given; on a date ``as_of`` (``judged_on``: today unless a view is as of
    a date) also published by then (or undated) and its deadline not passed (or none, or open-ended: 长期有效). The
    status is the list's as of its data date (the import's ``data_date``) and has no date of its own: on a day before
    the list's date it is a later state (a demand 已完成 at the end of 2025 may well have been collecting in 2024), so
    there a demand is open when published and not past its deadline — no look ahead in a backtest; on or after the
    list's date its status counts too."""
    status, params = _status_open(alias)
    if as_of is None:
        return status, params
    sql = (f"({status} OR coalesce((SELECT i.data_date FROM imports i WHERE i.id = {alias}.import_id) > ?, FALSE))"
           f" AND ({alias}.published IS NULL OR {alias}.published <= ?)"
           f" AND ({alias}.deadline IS NULL OR {alias}.deadline >= ?)")
    return sql, params + [as_of, as_of, as_of]


def expired_condition(alias: str, as_of: Any) -> tuple[str, list]:
    """SQL: the demand is past its deadline on ``as_of`` (``judged_on``) — a deadline before that day while its status
    still reads open or is not given (a demand 已对接 or 已完成 is closed, not late). A deadline before the
    publication date (flagged at import) is such a demand from the day it appeared."""
    status, params = _status_open(alias)
    return f"coalesce({status} AND {alias}.deadline < ?, FALSE)", params + [as_of]


def open_demand_segments(store, *, region: dict | None = None, as_of: Any = None,
                         tax: Taxonomy | None = None) -> list[tuple[int, str, str]]:
    """``(demand id, segment, title)`` for each open demand (``open_condition`` on ``as_of``) located in ``region`` (a
    region service dict; None: anywhere), one row per level-2 segment it names — declared or found in its text
    (``demand_nodes``), the segments 场景匹配 filters demands by."""
    cond, params = open_condition("d", as_of)
    if region is not None:
        rc, rp = region_condition(region, "d")
        cond, params = f"{cond} AND {rc}", params + rp
    ids = [r["id"] for r in store.query(f"SELECT d.id FROM demands d WHERE {cond} ORDER BY d.id", params)]
    if not ids:
        return []
    tax = tax or load_taxonomy()
    return [(d["id"], seg, d["title"]) for d in demand_rows(store, ids)
            for seg in sorted(demand_nodes(d["text"], d["node"], tax, organisation=d["organisation"]))]


def demand_rows(store, ids: list[int] | None = None) -> list[dict[str, Any]]:
    """Demands with their text (title, description, category) for the index and the pages. ``own_key``: the number
    the list gives the demand (场景编号, 需求编号), None when it gives none; ``ref``: what the lists show as its 编号 and
    ``match demand`` takes back — that number, else ``#id`` (the id alone); ``deadline_open``: the list says it has
    no deadline (长期有效), not that it gave none; ``contact``: whom to contact as the list gives it (联系人: a name,
    a phone number, an e-mail address — personal data, masked for a user without the permission: ``privacy.DEMAND_TEXT``)."""
    where, params = ("list_contains(?, d.id)", [[int(i) for i in ids]]) if ids is not None else ("TRUE", [])
    return store.query(f"""
        SELECT d.id, d.own_key, coalesce(d.own_key, '#' || d.id) AS ref, d.title, d.description, d.category, d.node,
               d.organisation, d.demander_type, d.province_code, d.city_code, d.district_code, d.budget_wan,
               d.published, d.deadline, coalesce(d.deadline_open, FALSE) AS deadline_open, d.status, d.contact,
               concat_ws(' ', d.title, d.description, d.category) AS text
        FROM demands d WHERE {where} ORDER BY d.id""", params)


# -------------------------------------------------------------------------------------- demand nodes
@functools.lru_cache(maxsize=4)
def _keyword_nodes(tax_path: str) -> tuple[re.Pattern | None, dict[str, set[str]]]:
    tax = load_taxonomy(tax_path or None)
    tiers = set(config().get("node_tiers") or ("strong", "medium"))
    kw_nodes: dict[str, set[str]] = {}
    for kw, entries in tax.keyword_index.items():
        for e in entries:
            if len(kw) < 2:
                continue
            if e.tier in tiers:
                kw_nodes.setdefault(kw, set()).add(level2(tax, e.node))
            elif e.tier == "negative":  # matched first (longest), so 聊天机器人 does not count as 机器人
                kw_nodes.setdefault(kw, set())
    if not kw_nodes:
        return None, {}
    pat = re.compile("|".join(keyword_regex(k) for k in sorted(kw_nodes, key=len, reverse=True)))
    return pat, kw_nodes


def level2(tax: Taxonomy, code: str) -> str:
    """A node's level-2 ancestor (level-1 stages stay as they are): agreement is judged per segment."""
    n = tax.nodes.get(code)
    if n is None or n.level < 2:
        return code
    return tax.ancestor_at(code, 2).code


def segment_filter(store, tax: Taxonomy, node: str):
    """A filter on a demand's level-2 segments for a node the user gave: a stage keeps the demands with any
    segment under it, a node or sub-node those on its segment; an unknown code is an error naming the nodes meant
    (``node_not_found``: D8 → D08), never an empty list; a code in another case is that node (d08 is D08)."""
    n = tax.nodes.get(node)
    if n is None:
        from ..regions.nodes import chain_node, node_not_found

        node = chain_node(store, tax.chain, node) or node
        n = tax.nodes.get(node)
        if n is None:
            raise node_not_found(store, tax.chain, node)
    if n.level < 2:
        return lambda segments: any(s in tax.nodes and tax.nodes[s].stage_code == n.code for s in segments)
    seg = level2(tax, node)
    return lambda segments: seg in segments


_PLACE_END = re.compile(r"(?<=[省市区县州盟旗])")  # where a leading place of a name ends (杭州市|西湖区|数据资源管理局)


def request_text(text: str | None, organisation: str | None) -> str | None:
    """A demand's text as a request: its publisher's name cut out — the name and each of its tails after a leading
    place (杭州市西湖区数据资源管理局, 西湖区数据资源管理局, 数据资源管理局), wherever they occur. Who publishes a demand
    says nothing of what it asks for: the query (its words) and its segments (``demand_nodes``) read this text; a
    demand of 杭州市西湖区数据资源管理局 matched companies on 资源 and 管理 from the name alone."""
    name = (organisation or "").strip()
    if not text or not name:
        return text
    tails = {name} | {name[m.start():] for m in _PLACE_END.finditer(name) if 1 < len(name) - m.start() < len(name)}
    for tail in sorted(tails, key=lambda t: (-len(t), t)):
        text = text.replace(tail, " ")
    return text


def demand_nodes(text: str | None, declared: str | None, tax: Taxonomy, *,
                 organisation: str | None) -> dict[str, list[str]]:
    """Level-2 nodes of a demand → how they were found (``declared`` or the keywords in its text). The publisher's
    name (``organisation``) is cut out of the text first (``request_text``): what a demand asks for is not who
    publishes it (a description that begins 杭州市余杭区教育局拟开展… read 教育 and named 智慧教育 for a government LLM)."""
    out: dict[str, list[str]] = {}
    text = request_text(text, organisation)
    if declared and declared in tax.nodes:
        out.setdefault(level2(tax, declared), []).append("declared")
    pat, kw_nodes = _keyword_nodes(tax.path)
    if pat is not None and text:
        for m in pat.finditer(normalize_keyword(text)):
            for code in kw_nodes[m.group(0)]:
                if m.group(0) not in out.setdefault(code, []):
                    out[code].append(m.group(0))
    return out
