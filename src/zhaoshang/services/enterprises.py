"""Enterprises: search / filter / sort / paginate, export, and the profile of one enterprise.

Shared by the CLI (``search``, ``show``), the API and the web pages. A list "as of" a date holds the
enterprises active then (founded ≤ date, not dissolved by then) with their name, region, status and capital
as they were then (``core.asof``) — the same view as the region × chain matrix, so a map cell and the list
behind it show the same number.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import threading
from typing import Any, Iterator

from ..core import dialect
from ..core.asof import enterprises_as_of, imported_on, not_ended_yet, reference_date
from ..core.errors import NotFound, UserError
from ..core.event_titles import FUNDING_TITLE_SQL, PATENT_TITLE_SQL, changed_regions_en, english_title
from ..core.event_types import news_type_sql  # a news item's type as its event is stored with it
from ..core.explain import Explained
from ..core.explain import readings as explain_readings
from ..core.numbers import WAN_DIGITS, rounded_sql
from ..core.parse.dates import china_day, day_sql, format_date_sql, parse_user_date
from ..core.parse.rounds import ROUND_LABELS_EN, ROUND_LABELS_ZH, ROUNDS, normalize_round
from ..core.parse.uscc import check_uscc
from ..core.writers import list_joiner
from ..core.status import status_label_sql
from ..core.tags import tag_label_sql
from .regions.nodes import check_node as matrix_check_node
from .regions.matrix import _in_list, _region_filter, default_chain, descendants
from .evaluation.stored import batch_info, score_join, stored_as_of, stored_totals
from . import list_order
from .ranking import by_capital
from .datastore import data_label_sql, synthetic_enterprises
from .search import MATCH_ORDER, match_ranks, matching_condition, stock_code_forms

SORTS = {
    "capital": by_capital("e", desc=False),
    "-capital": by_capital("e"),  # the one order by capital (services/ranking.py), as the region page's top list
    "founded": "e.founded ASC NULLS LAST, e.id",
    "-founded": "e.founded DESC NULLS LAST, e.id",
    # by pinyin, as a Chinese reader looks a name up (北京 < 南京 < 上海): the list, its export and the CLI
    "name": f"{dialect.current().name_order('e.name')} ASC, e.id",
    "-name": f"{dialect.current().name_order('e.name')} DESC, e.id",
    "id": "e.id",
    "-funding": "lf.date DESC NULLS LAST, e.id",
    "funding": "lf.date ASC NULLS LAST, e.id",
    "-score": "sc.total DESC NULLS LAST, e.id",  # the stored score (services.evaluation.stored)
    "score": "sc.total ASC NULLS LAST, e.id",
    # best match first, as ``search`` ranks (the list with a query ``q`` when no other sort is asked for); without a
    # query, as ``-capital``
    "match": MATCH_ORDER.format(b="m", e="e"),
}
# The enterprise export's columns and their headers in each language — the one table of these labels: the
# enterprise library's column headers (interfaces/web/i18n.py col.*) and the tables' (interfaces/labels.py
# COLUMNS) read it. The Chinese headers are ones the enterprise import recognises (a file exported re-imports).
EXPORT_HEADERS: dict[str, tuple[str, str]] = {
    "id": ("编号", "ID"), "name": ("企业名称", "Name"), "uscc": ("统一社会信用代码", "Credit code"),
    "status": ("登记状态", "Registry status"), "founded": ("成立日期", "Founded"),
    "capital_wan": ("注册资本(万元)", "Capital (10k CNY)"), "province": ("省份", "Province"), "city": ("城市", "City"),
    "district": ("区县", "District"), "listed_code": ("股票代码", "Stock code"), "tags": ("标签", "Tags"),
    "nodes": ("产业链环节", "Segments"),
    # the segments by name, as the list's chips show them, in the order of the codes beside them
    "node_names": ("产业链环节名称", "Segment names"), "latest_round": ("最近融资轮次", "Latest round"),
    "latest_funding_date": ("最近融资日期", "Latest funding date"),
    # why a score-filtered or score-sorted list holds these rows, in this order: the stored batch's figures
    "funding_total_wan": ("融资总额(万元，含估算)", "Funding total (10k CNY, estimates included)"), "score": ("综合得分", "Score"),
    "score_confidence": ("评分置信度", "Score confidence"), "score_as_of": ("评分批次日期", "Score batch date"),
    "data_label": ("数据说明", "Data label"),
}
EXPORT_COLUMNS = [k for k in EXPORT_HEADERS if k != "data_label"]


def export_headers(lang: str = "zh") -> list[str]:
    """The export's column headers in ``lang`` (``EXPORT_HEADERS``), in ``EXPORT_COLUMNS`` order."""
    return [EXPORT_HEADERS[k][lang == "en"] for k in EXPORT_COLUMNS]


def _as_list(v: Any) -> list[str]:
    if v is None or v == "":
        return []
    if isinstance(v, str):
        return [x for x in re.split(r"[,，;；、|]", v) if x.strip()]
    return [str(x) for x in v if str(x).strip()]


def _check_stages(stage: Any) -> list[str]:
    """The rounds a ``stage`` filter names (the stored codes of core/parse/rounds.py, ``none`` for never funded);
    an unknown one is refused like an unknown sort, with the code a round label stands for (A轮 → a)."""
    stages = [s.strip() for s in _as_list(stage)]
    for s in stages:
        if s != "none" and s not in ROUNDS:
            valid = "|".join(("none",) + ROUNDS)
            code = normalize_round(s)
            hint_zh, hint_en = (f"；{s} 应写作 {code}", f"; for {s} write {code}") if code != "other" else ("", "")
            raise UserError(f"融资轮次无效: {s}（可选 {valid}{hint_zh}）", f"invalid stage: {s} (choose {valid}{hint_en})",
                            text=s)
    return stages


def _view(store, d: _dt.date, include_dissolved: bool) -> str:
    """The enterprises a list shows: those existing on ``d`` (all with ``include_dissolved``), as they were then."""
    return enterprises_as_of(d, store, existing=not include_dissolved)


def _where(store, q, region, node, founded_from, founded_to, stage, listed, tags, as_of, chain,
           include_dissolved) -> tuple[list[str], list, str]:
    where: list[str] = []
    params: list = []
    ctes = ""
    if q and str(q).strip():  # the one search rule (services.search): codes, names, aliases, words, placements
        cond, qparams = matching_condition(store, q)
        where.append(cond)
        params += qparams
    if region:
        cond, cparams, _ = _region_filter(store, region, None)
        where.append(cond)
        params += cparams
    if node:
        chain = chain or default_chain(store)
        if chain in _as_list(node):  # the chain's own code: placed anywhere on it (the map's count without a node)
            where.append("e.id IN (SELECT p.enterprise_id FROM placements p WHERE p.chain = ?)")
            params.append(chain)
        else:
            nodes = [matrix_check_node(store, chain, n) for n in _as_list(node)]  # m05 reads as M05
            desc = sorted({c for n in nodes for c in descendants(store, chain, n)})
            where.append(f"e.id IN (SELECT p.enterprise_id FROM placements p WHERE p.chain = ? AND p.node_code IN {_in_list(desc)})")
            params += [chain] + desc
    f_from = parse_user_date(founded_from, "founded_from", end_of_period=False, allow_future=True)
    f_to = parse_user_date(founded_to, "founded_to", allow_future=True)
    if f_from and f_to and f_from > f_to:  # two ends the user gave contradict each other: no silent empty list
        raise UserError(f"成立时间的起始 {founded_from} 晚于截止 {founded_to}",
                        f"founded from {founded_from} is after founded to {founded_to}", pair=("founded_from", "founded_to"))
    if f_from:
        where.append("e.founded >= ?")
        params.append(f_from)
    if f_to:
        where.append("e.founded <= ?")
        params.append(f_to)
    stages = _check_stages(stage)
    if stages:
        ph = ",".join("?" * len(stages))
        if "none" in stages:
            where.append(f"(lf.round IN ({ph}) OR lf.round IS NULL)")
        else:
            where.append(f"lf.round IN ({ph})")
        params += stages
    if listed is not None and listed != "":
        yes = listed if isinstance(listed, bool) else str(listed).lower() in ("1", "true", "yes", "y", "是")
        where.append("(e.listed_code IS NOT NULL AND e.listed_code <> '')" if yes
                     else "(e.listed_code IS NULL OR e.listed_code = '')")
    tag_list = _as_list(tags)
    if tag_list:
        where.append("list_has_any(e.tags, ?::VARCHAR[])")
        params.append(tag_list)
    return where, params, ctes


_PREPARED_LOCK = threading.Lock()


def _latest_funding(store, d: _dt.date) -> tuple[str, list]:
    """The latest funding of each enterprise on ``d`` (SQL, parameters): in a served generation (a database
    that does not change while it is read, ``store.scratch``) materialised once per date, so a list by stage
    or sorted by funding does not aggregate every funding round again; elsewhere the aggregate itself."""
    scratch, prepared = getattr(store, "scratch", None), getattr(store, "prepared", None)
    if not scratch or prepared is None:
        return _latest_funding_sql(), [d]
    key = ("latest_funding", d)
    with _PREPARED_LOCK:
        if key not in prepared:
            old = [k for k in prepared if k[0] == "latest_funding"]
            if len(old) >= 4:
                store.con.execute(f"DROP TABLE IF EXISTS {prepared.pop(old[0])}")
            name = f"{scratch}.zs_latest_funding_{d:%Y%m%d}"
            store.con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM {_latest_funding_sql()} "
                              "ORDER BY enterprise_id", [d])  # a page's ids: the row groups holding them
            prepared[key] = name
        return prepared[key], []


def _latest_funding_sql() -> str:
    return ("(SELECT enterprise_id, arg_max(round, date) AS round, max(date) AS date, "
            f"{dialect.current().exact_sum('amount_wan', none=None)} AS total_wan "
            "FROM fundings WHERE enterprise_id IS NOT NULL AND (date IS NULL OR date <= ?) GROUP BY enterprise_id)")


def _check_sort(sort: Any) -> None:
    """A sort the list has (``SORTS``), else refused naming the value (a form shows it beside its box)."""
    if sort not in SORTS:
        raise UserError(f"排序字段无效: {sort}（可选 {'|'.join(SORTS)}）", f"invalid sort: {sort} (choose {'|'.join(SORTS)})",
                        text=str(sort))


def search_enterprises(store, q: str | None = None, *, region: str | None = None, node: Any = None,
                       founded_from: Any = None, founded_to: Any = None, stage: Any = None, listed: Any = None,
                       tags: Any = None, sort: str = "-capital", page: int = 1, size: int = 50, as_of: Any = None,
                       chain: str | None = None, include_dissolved: bool = False, score_min: Any = None,
                       score_max: Any = None) -> dict:
    """Filtered, sorted, paginated enterprises: ``{"total", "page", "size", "items": [...]}``.

    ``q`` is a search (``services.search``: credit code, names, aliases, jieba words of the text and of the
    chain nodes placed on); ``region`` any region or macro-region (code, name or path); ``node`` one or more chain nodes (descendants included); ``stage``
    the latest funding round as of ``as_of`` (``none`` for never funded); ``tags`` any of the tags;
    ``score_min`` / ``score_max`` and the sorts ``score`` / ``-score`` read the latest stored score batch on or
    before the date (``score_as_of``; each item's ``score`` and ``score_confidence``).
    """
    _check_sort(sort)
    page = max(1, int(page or 1))
    size = max(1, min(int(size or 50), 100_000))
    d = reference_date(store, as_of)
    sort, q_filter, m_join, m_params, order_params = _match_sort(store, q, sort, d)
    plain = (q and str(q).strip()) or founded_from or founded_to or _as_list(stage) or tags \
        or (listed is not None and listed != "") or include_dissolved or score_min is not None or score_max is not None
    if region and node and not plain:  # by region and node alone: the served generation's prepared tables, if they fit
        prepared = _prepared_page(store, d, region, node, chain or default_chain(store), sort, page, size)
        if prepared:
            total, ids, nodes, rowids = prepared
            return _answer(store, d, total, page, size, sort, _items(store, ids, d, chain, nodes=nodes, rowids=rowids),
                           score_join(store, d, needed=False)[4])
    where, params, ctes = _where(store, q_filter, region, node, founded_from, founded_to, stage, listed, tags, as_of, chain,
                                 include_dissolved)
    view = _view(store, d, include_dissolved)
    need_lf = bool(_as_list(stage)) or sort.endswith("funding")
    lf_sql, lf_params = _latest_funding(store, d) if need_lf else ("", [])
    lf_join = (f"LEFT JOIN {lf_sql} lf ON lf.enterprise_id = e.id" if need_lf else "") + m_join
    lf_params = lf_params + m_params
    sc_join, sc_jparams, sc_where, sc_params, sd = score_join(store, d, needed=sort.endswith("score"),
                                                              score_min=score_min, score_max=score_max)
    lf_join += " " + sc_join
    lf_params += sc_jparams
    where += sc_where
    params += sc_params
    wsql = " AND ".join(where) or "TRUE"
    # parameter order: CTE (chain x4 when node filter), join, where
    cte_params = [chain or default_chain(store)] * 4 if ctes else []
    # one scan: the page and the total (a window count) together; the total alone only past the last page
    ids_rows = store.query(
        f"{ctes} SELECT e.id, count(*) OVER () AS total FROM {view} e {lf_join} WHERE {wsql} "
        f"ORDER BY {SORTS[sort]} LIMIT ? OFFSET ?",
        cte_params + lf_params + params + order_params + [size, (page - 1) * size])
    if ids_rows:
        total = ids_rows[0]["total"]
    else:
        total = store.con.execute(f"{ctes} SELECT count(*) FROM {view} e {lf_join} WHERE {wsql}",
                                  cte_params + lf_params + params).fetchone()[0]
    return _answer(store, d, total, page, size, sort, _items(store, [r["id"] for r in ids_rows], d, chain, view), sd)


def _match_sort(store, q, sort: str, d: _dt.date) -> tuple[str, Any, str, list, list]:
    """The list sorted by match (``sort`` ``match``): (sort, q, join, its parameters, the ORDER BY's parameters).
    With a query, the matching enterprises joined with their best kind of match (``search.match_ranks``: the join
    is the query's filter, so ``q`` comes back None); without one, sorted as ``-capital``."""
    if sort != "match":
        return sort, q, "", [], []
    text = str(q or "").strip()
    if not text:
        return "-capital", q, "", [], []
    best, params, words, _ = match_ranks(store, text, d)
    return sort, None, f" JOIN {best} m ON m.id = e.id", params, ["".join(words)]


def _prepared_page(store, d: _dt.date, region, node, chain: str, sort: str, page: int,
                   size: int) -> tuple[int, list[int], dict, list[int]] | None:
    """(total, page ids, their nodes, their row ids) of a list by region and node from the served
    generation's prepared tables (``services.list_order``), or None where they would not give the plain
    query's answer."""
    if not list_order.usable(store, d, chain, sort):
        return None
    nodes = _as_list(node)
    codes = None  # the chain's own code: placed anywhere on it
    if chain not in nodes:
        nodes = [matrix_check_node(store, chain, n) for n in nodes]  # m05 reads as M05
        codes = sorted({c for n in nodes for c in descendants(store, chain, n)})
    cond, cparams, _ = _region_filter(store, region, None)
    return list_order.page(store, d, chain, cond, cparams, codes, page, size)


def _answer(store, d: _dt.date, total: int, page: int, size: int, sort: str, items: list[dict], sd) -> dict:
    scores = stored_totals(store, [it["id"] for it in items], sd)
    for it in items:
        it["score"], it["score_confidence"] = scores.get(it["id"], (None, None))
    return {"total": int(total), "page": page, "size": size, "sort": sort, "as_of": d.isoformat(),
            # the batch shown (sd), and the latest stored: the same, or one of an older scoring rule whose scores are
            # not shown (its note says why)
            "score_as_of": sd.isoformat() if sd else None, "score_batch": batch_info(store, stored_as_of(store, d)),
            # a list asked to sort by score with no batch shown by then: in which order it is (the sort's ties, by ID)
            "sort_note": ({"zh": f"截至 {d.isoformat()} 没有可用的评分，未按评分排序：列表按编号排列",
                           "en": f"no scores to sort by as of {d.isoformat()}: the list is in ID order"}
                          if sort.endswith("score") and sd is None else None),
            "items": items}


def _items(store, ids: list[int], d: _dt.date, chain: str | None, view: str = "enterprises",
           nodes: dict[int, list[str]] | None = None, rowids: list[int] | None = None) -> list[dict]:
    """The page's rows with region names, chain nodes (looked up unless given) and latest funding; the ids
    are looked up as a list (``= ANY``), which lets the scans skip the row groups holding none of them, or
    read at their row ids in ``enterprises`` when given (rows already known to be the view's)."""
    if not ids:
        return []
    chain = chain or default_chain(store)
    pick = (f"(SELECT v.* REPLACE ({not_ended_yet(d, 'v')}) FROM enterprises v "  # as the view reads them on d
            "JOIN (SELECT unnest(?::BIGINT[]) AS r) k ON k.r = v.rowid)" if rowids
            else f"(SELECT * FROM {view} v WHERE v.id = ANY(?::BIGINT[]))")
    rows = store.query(
        f"""SELECT e.id, e.name, e.uscc, e.status, e.founded, e.founded_precision, e.dissolved, e.capital_wan,
                  e.province_code, e.city_code,
                  e.district_code, rp.name AS province, rc.name AS city, rd.name AS district,
                  rp.name_en AS province_en, rc.name_en AS city_en, rd.name_en AS district_en, e.listed_code, e.tags,
                  e.lng, e.lat
           FROM {pick} e
           LEFT JOIN regions rp ON rp.code = e.province_code
           LEFT JOIN regions rc ON rc.code = e.city_code AND rc.level = 'city'
           LEFT JOIN regions rd ON rd.code = e.district_code""", [rowids or ids])
    if nodes is None:
        nodes = {r[0]: r[1] for r in store.con.execute(
            "SELECT enterprise_id, list(DISTINCT node_code ORDER BY node_code) FROM placements "
            "WHERE chain = ? AND enterprise_id = ANY(?::BIGINT[]) GROUP BY 1", [chain, ids]).fetchall()}
    lf_sql, lf_params = _latest_funding(store, d)
    lf = {r["enterprise_id"]: r for r in store.query(
        f"SELECT * FROM {lf_sql} f WHERE f.enterprise_id = ANY(?::BIGINT[])", lf_params + [ids])}
    by_id = {r["id"]: r for r in rows}
    demo = synthetic_enterprises(store, ids)  # the demo's rows of a demo database (not the real ones imported)
    out = []
    for i in ids:
        r = by_id[i]
        f = lf.get(i, {})
        r["synthetic"] = i in demo
        r["nodes"] = nodes.get(i) or []
        r["tags"] = r["tags"] or []
        r["latest_round"] = f.get("round")
        r["latest_funding_date"] = f.get("date")
        r["funding_total_wan"] = f.get("total_wan")
        r["latest_round_zh"] = ROUND_LABELS_ZH.get(r["latest_round"] or "", r["latest_round"])
        out.append(r)
    return out


def _round_label_sql(col: str, lang: str) -> str:
    """Readable round names (A轮, Pre-A轮 … / Series A, Pre-A …) instead of the stored codes."""
    from ..core.parse.rounds import ROUND_LABELS_EN, ROUND_LABELS_ZH

    labels = ROUND_LABELS_EN if lang == "en" else ROUND_LABELS_ZH
    cases = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in labels.items())
    return f"CASE {col} {cases} ELSE {col} END"


def export_sql(store, *, lang: str = "zh", limit: int | None = None, **filters) -> tuple[str, list]:
    """One SELECT (and its parameters) of every enterprise matching ``filters`` — the same filters and order as
    ``search_enterprises`` — with readable column names, for ``core.writers.export_query``."""
    filters = {k: v for k, v in filters.items() if k not in ("page", "size")}
    sort = filters.pop("sort", "-capital")
    _check_sort(sort)
    as_of = filters.get("as_of")
    chain = filters.get("chain") or default_chain(store)
    d = reference_date(store, as_of)
    sort, q, m_join, m_params, order_params = _match_sort(store, filters.get("q"), sort, d)
    where, params, ctes = _where(store, q, filters.get("region"), filters.get("node"),
                                 filters.get("founded_from"), filters.get("founded_to"), filters.get("stage"),
                                 filters.get("listed"), filters.get("tags"), as_of, chain,
                                 bool(filters.get("include_dissolved")))
    # the stored batch's score is a column of every export (a list sorted or filtered by it says why)
    sc_join, sc_jparams, sc_where, sc_params, sd = score_join(store, d, needed=True, score_min=filters.get("score_min"),
                                                              score_max=filters.get("score_max"))
    where += sc_where
    params += sc_params
    names = export_headers(lang)
    place = (lambda a: f"coalesce({a}.name_en, {a}.name)") if lang == "en" else (lambda a: f"{a}.name")
    # the founding date as the one date formatter writes it: 2015年3月 (2015-03 in English) where the source gave no day
    exprs = ["e.id", "e.name", "e.uscc", status_label_sql("e.status", lang),
             format_date_sql("e.founded", "e.founded_precision", lang), "e.capital_wan",
             place("rp"), place("rc"), place("rd"),
             "e.listed_code", f"array_to_string({tag_label_sql('e.tags', lang)}, '{list_joiner(lang)}')",
             f"(SELECT string_agg(DISTINCT p.node_code, '{list_joiner(lang)}' ORDER BY p.node_code) FROM placements p "
             "WHERE p.enterprise_id = e.id AND p.chain = ?)",
             # an English segment's name may hold a comma (Motors, controllers and automotive chips): "; " between them
             f"(SELECT string_agg(coalesce(n.{'name_en' if lang == 'en' else 'name_zh'}, p.node_code), "
             f"'{'; ' if lang == 'en' else list_joiner(lang)}' ORDER BY p.node_code) "
             "FROM (SELECT DISTINCT node_code FROM placements WHERE enterprise_id = e.id AND chain = ?) p "
             "LEFT JOIN chain_nodes n ON n.chain = ? AND n.code = p.node_code)",
             _round_label_sql("lf.round", lang), "lf.date",
             rounded_sql("lf.total_wan", WAN_DIGITS), "round(sc.total, 1)", "round(sc.confidence, 3)",
             f"CASE WHEN sc.enterprise_id IS NOT NULL THEN DATE '{sd.isoformat()}' END" if sd else "NULL::DATE"]
    cols = ", ".join(f'{x} AS "{n}"' for x, n in zip(exprs, names))
    label = data_label_sql(store, "e.source", lang)
    if label:  # the label travels with the file, on the demo's rows (not on a real company imported beside them)
        cols += f", {label} AS \"{EXPORT_HEADERS['data_label'][lang == 'en']}\""
    sql = (f"{ctes} SELECT {cols} FROM {_view(store, d, bool(filters.get('include_dissolved')))} e "
           "LEFT JOIN regions rp ON rp.code = e.province_code "
           "LEFT JOIN regions rc ON rc.code = e.city_code AND rc.level = 'city' "
           "LEFT JOIN regions rd ON rd.code = e.district_code "
           f"LEFT JOIN {_latest_funding_sql()} lf ON lf.enterprise_id = e.id {sc_join}{m_join} "
           f"WHERE {' AND '.join(where) or 'TRUE'} ORDER BY {SORTS[sort]}" + (f" LIMIT {int(limit)}" if limit else ""))
    cte_params = [chain] * 4 if ctes else []
    return sql, cte_params + [chain, chain, chain, d] + sc_jparams + m_params + params + order_params


def export_enterprises(store, path: str, fmt: str | None = None, *, lang: str = "zh", **filters) -> int:
    """Write the enterprises matching ``filters`` to ``path`` (xlsx / csv / parquet / jsonl, formula-safe);
    returns the number of rows written."""
    from ..core.writers import export_query

    sql, params = export_sql(store, lang=lang, **filters)
    return export_query(store.con, sql, path, params, fmt=fmt, lang=lang)


def stream_enterprises_csv(store, *, lang: str = "zh", **filters) -> Iterator[bytes]:
    """The same rows as ``export_enterprises(..., fmt="csv")``, as CSV chunks (for a streamed download)."""
    from ..core.writers import iter_csv

    sql, params = export_sql(store, lang=lang, **filters)
    return iter_csv(store.con, sql, params, lang=lang)


# ------------------------------------------------------------------------------------------- profile
def resolve_enterprise(store, key: Any, suggest: bool = True) -> int:
    """Enterprise id from an id, a 统一社会信用代码, a stock code, a full name or an alias — the one lookup of every
    command, page and API route that takes an enterprise. An id never starts with 0, so 002230 is a stock code.
    An alias several enterprises share is refused with them as ``candidates`` (``AmbiguousEnterprise``: the CLI
    exits 2, the web answers 404 listing them); a key that names none is refused with the names search finds for
    it (``suggest``; False where a miss is expected and skipped)."""
    s = str(key).strip()
    if re.fullmatch(r"[1-9]\d{0,16}", s):
        row = store.con.execute("SELECT id FROM enterprises WHERE id = ?", [int(s)]).fetchone()
        if row:
            return row[0]
    if len(s) == 18:
        row = store.con.execute("SELECT id FROM enterprises WHERE uscc = ? LIMIT 1", [s.upper()]).fetchone()
        if row:
            return row[0]
    if stock := stock_code_forms(s):
        rows = store.con.execute("SELECT id FROM enterprises WHERE list_contains(?, listed_code) LIMIT 2", [stock]).fetchall()
        if len(rows) == 1:
            return rows[0][0]
    row = store.con.execute("SELECT id FROM enterprises WHERE name = ? ORDER BY id LIMIT 1", [s]).fetchone()
    if row:
        return row[0]
    ids = [r[0] for r in store.con.execute(
        "SELECT DISTINCT enterprise_id FROM enterprise_aliases WHERE alias = ? ORDER BY enterprise_id", [s]).fetchall()]
    if len(ids) == 1:
        return ids[0]
    if ids:  # a short name several enterprises share names none of them: the analyst chooses
        raise AmbiguousEnterprise(s, _candidates(store, ids))
    if re.fullmatch(r"[0-9A-Za-z]{18}", s):  # a credit code no enterprise has: say when its check character is wrong
        _, problem = check_uscc(s)
        if problem is not None and problem.code == "uscc_check_character":
            raise NotFound(f"未找到企业: {s}（不是有效的统一社会信用代码：{problem}）",
                           f"enterprise not found: {s} (not a valid credit code: {problem.en})", text=s)
    from .search import find_one  # a name or alias written another way (case, brackets …), when unambiguous

    eid = find_one(store, s) if s else None
    if eid is not None:
        return eid
    raise NotFound(*_not_found(store, s) if suggest else (f"未找到企业: {s}", f"enterprise not found: {s}"), text=s)


class AmbiguousEnterprise(NotFound):
    """A short name (alias) several enterprises share; ``candidates`` are ``{id, name, region, region_en}`` (with
    ``code``/``label`` for the web's list of choices, as for an ambiguous region)."""

    def __init__(self, text: str, candidates: list[dict]):
        self.text, self.candidates = text, candidates
        zh = "、".join(f"{c['name']}（编号 {c['id']}{'，' + c['region'] if c['region'] else ''}）" for c in candidates)
        en = "; ".join(f"{c['name']} (id {c['id']}{', ' + (c['region_en'] or c['region']) if c['region'] else ''})"
                       for c in candidates)
        super().__init__(f"企业简称有歧义：{text} 是 {len(candidates)} 家企业的简称：{zh}；请给出全称、信用代码或编号",
                         en=f"ambiguous enterprise name: {text} is the short name of {len(candidates)} enterprises: "
                            f"{en}; give the full name, credit code or id")


def _candidates(store, ids: list[int]) -> list[dict]:
    """The enterprises a shared short name may mean, with the region each lies in (city and district)."""
    rows = store.con.execute(
        """SELECT e.id, e.name, concat_ws('', coalesce(rc.name, rp.name), rd.name) AS region,
                  concat_ws(' ', coalesce(rc.name_en, rp.name_en), rd.name_en) AS region_en
           FROM enterprises e LEFT JOIN regions rp ON rp.code = e.province_code
           LEFT JOIN regions rc ON rc.code = e.city_code LEFT JOIN regions rd ON rd.code = e.district_code
           WHERE e.id = ANY(?::BIGINT[]) ORDER BY e.id""", [ids]).fetchall()
    return [{"id": i, "name": n, "region": r or None, "region_en": re_ or None, "code": str(i), "label": n,
             "label_en": None} for i, n, r, re_ in rows]


def _not_found(store, s: str) -> tuple[str, str]:
    """The error for a key that names no enterprise, with the names search finds for it (寒武纪 → 中科寒武纪科技
    股份有限公司 …): an analyst types the name the press uses, the database holds the registered one."""
    from .search import search

    found = search(store, s, limit=3, include_dissolved=True) if s else {"total": 0, "items": []}
    if not found["total"]:
        return f"未找到企业: {s}", f"enterprise not found: {s}"
    names = [h["name"] for h in found["items"]]
    more_zh = f"等 {found['total']} 家" if found["total"] > len(names) else ""
    more_en = f" and {found['total'] - len(names)} more" if found["total"] > len(names) else ""
    return (f"未找到企业: {s}（名称相近的有 {'、'.join(names)}{more_zh}；请给出全称、信用代码或编号）",
            f"enterprise not found: {s} (similar names: {', '.join(names)}{more_en}; give the full name, credit code or id)")


def _json(v: Any) -> Any:
    if isinstance(v, str):
        try:
            return json.loads(v)
        except ValueError:
            return v
    return v


# a news item's name: its headline, else the head of its text (a corpus may carry text only, as FinESE does)
NEWS_HEADLINE = "coalesce(n.title, CASE WHEN length(n.body) > 40 THEN left(n.body, 40) || '…' ELSE n.body END)"
NOT_YET_FOUNDED = "尚未成立"  # the status of an enterprise on a date before its founding


def holding_records(store, person_ids: Any, d: Any) -> list[int]:
    """Of ``person_ids``, the person records whose person holds shares on date ``d`` (None: at any time, every
    office and holding whatever its dates): the record itself holds
    shares (a shareholding tie of the relationship graph, in any enterprise), or the record is in office at an
    enterprise and a record of the same name, gender and birth year (±1) not differing, holds shares as a private
    individual in it or in an enterprise above it in its ownership chains (up to the key persons' depth) — the one
    person the key persons make of them (services.graph.people). Such a person is masked wholly, offices
    included, for a role without ``personal`` (services.privacy; docs/security.md)."""
    from .graph.ties import load_ties  # (the graph's services read this module)

    ids = sorted({int(x) for x in person_ids if x is not None})
    if not ids:
        return []
    depth = int((load_ties(None).get("key_persons") or {}).get("max_depth", 6))
    begun = "(start_date IS NULL OR start_date <= ?)" if d is not None else "?::DATE IS NULL"
    ongoing = f"{begun} AND (end_date IS NULL OR end_date > ?)" if d is not None else f"{begun} AND ?::DATE IS NULL"
    return [x for (x,) in store.con.execute(
        f"""WITH RECURSIVE sh AS (SELECT * FROM shareholdings WHERE {ongoing}),
           office AS (SELECT DISTINCT person_id, enterprise_id FROM roles WHERE list_contains(?, person_id)
                        AND enterprise_id IS NOT NULL AND {ongoing}),
           up(root, eid, depth) AS (
             SELECT DISTINCT enterprise_id, enterprise_id, 0 FROM office
             UNION
             SELECT u.root, s.holder_enterprise_id, u.depth + 1 FROM up u JOIN sh s ON s.enterprise_id = u.eid
             WHERE s.holder_enterprise_id IS NOT NULL AND u.depth < ?)
           SELECT holder_person_id FROM shareholdings WHERE holder_type = 'person' AND enterprise_id IS NOT NULL
             AND list_contains(?, holder_person_id) AND {begun}
           UNION
           SELECT o.person_id FROM office o JOIN up ON up.root = o.enterprise_id
           JOIN sh s ON s.enterprise_id = up.eid AND s.holder_type = 'person' AND s.holder_person_id <> o.person_id
           JOIN persons p ON p.id = o.person_id
           JOIN persons q ON q.id = s.holder_person_id AND coalesce(q.name_norm, q.name) = coalesce(p.name_norm, p.name)
           WHERE NOT (p.gender IS NOT NULL AND q.gender IS NOT NULL AND p.gender <> q.gender)
             AND NOT (p.birth_year IS NOT NULL AND q.birth_year IS NOT NULL AND abs(p.birth_year - q.birth_year) > 1)
           ORDER BY 1""",
        [d, d, ids, d, d, depth, ids, d]).fetchall()]


def legal_reps_holding(store, enterprise_ids: Any) -> dict[int, list[str]]:
    """The names a change of legal representative of each enterprise may not show to a role without ``personal``
    (``services.privacy.present_events``, ``present_profile``), by enterprise: a person who holds or held shares
    as a private individual at any time — a private shareholder of the enterprise, or a person in an office of it
    (a former legal representative, the founder he still is) whose person holds shares (``holding_records``, every
    date): a change names a predecessor or successor however long ago it was, and the holding makes the name
    personal data wherever it stands (docs/security.md)."""
    ids = sorted({int(x) for x in enterprise_ids if x is not None})
    if not ids:
        return {}
    officers = store.con.execute(
        """SELECT DISTINCT r.enterprise_id, r.person_id, coalesce(p.name, r.person_name) FROM roles r
           LEFT JOIN persons p ON p.id = r.person_id
           WHERE list_contains(?, r.enterprise_id) AND r.person_id IS NOT NULL""", [ids]).fetchall()
    held = set(holding_records(store, [pid for _, pid, _ in officers], None))
    holders = store.con.execute(
        """SELECT DISTINCT s.enterprise_id, coalesce(p.name, s.holder_name) FROM shareholdings s
           LEFT JOIN persons p ON p.id = s.holder_person_id
           WHERE list_contains(?, s.enterprise_id) AND (s.holder_type = 'person' OR (s.holder_person_id IS NOT NULL
                 AND s.holder_enterprise_id IS NULL AND s.holder_investor_id IS NULL))""", [ids]).fetchall()
    out: dict[int, list[str]] = {}
    for eid, name in [(eid, name) for eid, pid, name in officers if pid in held] + holders:
        if name and name not in out.get(eid, []):
            out.setdefault(eid, []).append(name)
    return out


def _capped(store, sql: str, params: list, limit: int | None, keep: Any = None, key: str = "id",
            cuts: dict | None = None, name: str | None = None) -> tuple[list[dict], int]:
    """The rows of an ordered query, the latest ``limit`` of them (None: all), and how many there are: the length
    when the list is whole, a COUNT of the same query when the cap cut it. Rows past the cut whose ``key`` is in
    ``keep`` (those a scorecard on the page links to) follow the latest ones, in the query's order, marked
    ``cited``. A cut list is said in ``cuts[name]``: how many are shown as the latest, in all, and cited past it."""
    rows = store.query(sql + " LIMIT ?", [*params, limit])
    if limit is None or len(rows) < limit:
        return rows, len(rows)
    total = store.query(f"SELECT count(*) AS n FROM ({sql})", params)[0]["n"]
    missing = sorted(set(keep or ()) - {r[key] for r in rows}) if total > len(rows) else []
    extra = store.query(f"SELECT * FROM ({sql}) WHERE {key} IN ({', '.join('?' for _ in missing)})",
                        [*params, *missing]) if missing else []
    if cuts is not None and total > len(rows):
        cuts[name] = {"shown": len(rows), "total": total, "cited": len(extra)}
    return rows + [{**r, "cited": True} for r in extra], total


def enterprise_profile(store, key: Any, *, as_of: Any = None, limit: int | None = 200,
                       cited: dict[str, list[int]] | None = None) -> dict:
    """Everything about one enterprise: the record with region names, chain placements with evidence,
    a dated timeline (events, fundings, patents, news, branches), people, shareholders, contacts (personal data:
    shown through ``services.privacy.present_profile``), patents, fundings, branches, aliases, main product lines
    with their revenue shares and period, sources and the
    conflicts between sources (records whose credit code names this enterprise with other values). Dated items
    after ``as_of`` are left out; people and shareholders are those in office or holding on the date. The timeline,
    fundings, patents, news, branches and contacts list their latest ``limit`` rows (None: all), newest first (a
    patent by its filing date, 申请日), and after them the rows past the cut that ``cited`` names (table → ids: those
    a scorecard on the same page links to, ``evaluation.facts.linked_rows``), marked ``cited``; ``counts`` gives how
    many there are in all, ``cuts`` each cut list's numbers (shown as the latest, in all, cited past the cut)."""
    cited = cited or {}
    cuts: dict = {}
    eid = resolve_enterprise(store, key)
    d = reference_date(store, as_of)
    ent = store.query(
        f"""SELECT e.*, rp.name AS province, rc.name AS city, rd.name AS district,
                  rp.name_en AS province_en, rc.name_en AS city_en, rd.name_en AS district_en,
                  coalesce(e.lng, rd.lng, rc.lng, rp.lng) AS map_lng, coalesce(e.lat, rd.lat, rc.lat, rp.lat) AS map_lat,
                  CASE WHEN e.lng IS NOT NULL THEN 'address' WHEN rd.lng IS NOT NULL THEN 'district'
                       WHEN rc.lng IS NOT NULL THEN 'city' WHEN rp.lng IS NOT NULL THEN 'province' END AS map_precision
           FROM {enterprises_as_of(d, store, existing=False)} e LEFT JOIN regions rp ON rp.code = e.province_code
           LEFT JOIN regions rc ON rc.code = e.city_code AND rc.level = 'city'
           LEFT JOIN regions rd ON rd.code = e.district_code WHERE e.id = ?""", [eid])[0]
    ent["tags"] = ent["tags"] or []
    if ent["founded"] is not None and ent["founded"] > d:  # asked about a date before it existed: say so — and no
        ent["status"] = NOT_YET_FOUNDED                      # one represented it then (its people card is empty too)
        ent["legal_rep"] = None
    placements = store.query(
        """SELECT p.chain, p.node_code, n.name_zh, n.name_en, n.stage, n.parent_code, p.confidence, p.evidence, p.method,
                  p.classified_at
           FROM placements p LEFT JOIN chain_nodes n ON n.chain = p.chain AND n.code = p.node_code
           WHERE p.enterprise_id = ? ORDER BY p.confidence DESC NULLS LAST, p.node_code""", [eid])
    from .chain import reading as _reading  # noqa: F401 — registers the placements' readers

    for p in placements:  # an Explained (core/explain.py); evidence of another shape stays as stored
        x = Explained.from_json(p["evidence"])
        # a decision row's note said at display (an old one kept the stored UTC time)
        p["evidence"] = _reading.with_decision_notes(x) if x is not None else _json(p["evidence"])
        p["reading"] = explain_readings(p["evidence"])  # {'zh', 'en'}: the evidence in one sentence
    # placements are not dated: they are the latest classification, of the text held now, whatever the date asked
    # (docs/methods.md "Chain classification"); asked of a date before it and before the data's own date, say so — on
    # the day the classification's time is shown on (China's), not the server's day
    classified = max((p["classified_at"] for p in placements if p.get("classified_at")), default=None)
    classified_on = china_day(classified)
    placements_classified_on = (classified_on.isoformat() if classified_on
                                and d < min(classified_on, reference_date(store)) else None)
    fundings, n_fundings = _capped(store,
        """SELECT id, date, round, round_raw, amount_wan, amount_text, currency, investors_text, source, source_key,
                  coalesce(amount_low_wan < amount_high_wan, FALSE) AS amount_estimated,
                  (SELECT list(DISTINCT fi.investor_id ORDER BY fi.investor_id) FROM funding_investors fi
                   WHERE fi.funding_id = fundings.id AND fi.investor_id IS NOT NULL) AS investor_ids,
                  -- the investors one by one, as the round names them: joined in the page's language (labels.list_text)
                  (SELECT list(fi.investor_name ORDER BY fi.position) FROM funding_investors fi
                   WHERE fi.funding_id = fundings.id AND fi.investor_name <> '') AS investors
           FROM fundings WHERE enterprise_id = ? AND (date IS NULL OR date <= ?) ORDER BY date DESC NULLS LAST, id DESC""",
        [eid, d], limit, cited.get("fundings"), cuts=cuts, name="fundings")
    for f in fundings:
        f["round_zh"] = ROUND_LABELS_ZH.get(f["round"] or "", f["round_raw"] or f["round"])
    patents, n_patents = _capped(store,
        """SELECT p.id, p.number, p.title, p.type, p.applied, p.granted, p.published, p.main_ipc, p.status, p.source
           FROM patents p WHERE p.id IN (SELECT patent_id FROM patent_applicants WHERE enterprise_id = ?)
             AND (coalesce(p.applied, p.published, p.granted) IS NULL OR coalesce(p.applied, p.published, p.granted) <= ?)
           ORDER BY coalesce(p.applied, p.published, p.granted) DESC NULLS LAST, p.id DESC""", [eid, d], limit,
        cited.get("patents"), cuts=cuts, name="patents")
    news, n_news = _capped(store,
        # a news item's publication is a date (the importer stores the day, at midnight): a date, not a moment
        f"""SELECT n.id, {NEWS_HEADLINE} AS title, n.url, {day_sql('n.published')} AS published, n.outlet, n.sentiment,
                  n.event_type, n.source
           FROM news n WHERE n.id IN (SELECT news_id FROM news_mentions WHERE enterprise_id = ?)
             AND (n.published IS NULL OR {day_sql('n.published')} <= ?)
           ORDER BY n.published DESC NULLS LAST, n.id DESC""", [eid, d], limit, cited.get("news"), cuts=cuts,
        name="news")
    branches, n_branches = _capped(store,
        # the region of the other end: the branch's or investee's for a record of this enterprise's, its parent's
        # where this enterprise is the branch or investee
        """WITH x AS (SELECT b.*, b.parent_id = ? AS outward FROM branches b
                      WHERE (b.parent_id = ? OR b.child_id = ?) AND (b.date IS NULL OR b.date <= ?))
           SELECT x.id, x.kind, x.date, x.percent, x.parent_id, x.parent_name, x.child_id, x.child_name,
                  CASE WHEN x.outward THEN x.province_code ELSE pe.province_code END AS province_code,
                  CASE WHEN x.outward THEN x.city_code ELSE pe.city_code END AS city_code,
                  CASE WHEN x.outward THEN x.district_code ELSE pe.district_code END AS district_code,
                  r.name AS region_name, CASE WHEN x.outward THEN 'out' ELSE 'in' END AS direction, x.source
           FROM x LEFT JOIN enterprises pe ON pe.id = x.parent_id AND NOT x.outward
           LEFT JOIN regions r ON r.code = CASE WHEN x.outward THEN coalesce(x.district_code, x.city_code, x.province_code)
                                                ELSE coalesce(pe.district_code, pe.city_code, pe.province_code) END
           ORDER BY x.date DESC NULLS LAST, x.id DESC""", [eid, eid, eid, d], limit, cited.get("branches"),
        cuts=cuts, name="branches")
    people = store.query(
        """WITH later AS (  -- the enterprise's people lists (roles imports) by the date: (data date, person)
             SELECT i.data_date, coalesce(p.name, r.person_name) AS name, r.source FROM roles r
             JOIN imports i ON i.id = r.import_id LEFT JOIN persons p ON p.id = r.person_id
             WHERE r.enterprise_id = ? AND i.data_date <= ?)
           SELECT * FROM (SELECT r.id AS role_id, r.person_id, coalesce(p.name, r.person_name) AS name, r.role, r.title, r.start_date, r.end_date, r.source,
                  i.data_date,
                  -- a role without an end that a newer people list of the enterprise no longer names: not current
                  (SELECT arg_max(l.source || ' ' || l.data_date, l.data_date) FROM later l WHERE l.data_date > i.data_date
                     AND r.end_date IS NULL AND NOT EXISTS (SELECT 1 FROM later m WHERE m.data_date = l.data_date
                       AND m.source = l.source AND m.name = coalesce(p.name, r.person_name))) AS not_in_later
           FROM roles r LEFT JOIN persons p ON p.id = r.person_id LEFT JOIN imports i ON i.id = r.import_id
           WHERE r.enterprise_id = ?
             AND (r.start_date IS NULL OR r.start_date <= ?) AND (r.end_date IS NULL OR r.end_date > ?))
           ORDER BY not_in_later IS NOT NULL,
                    CASE role WHEN 'legal_rep' THEN 0 WHEN 'chairman' THEN 1 WHEN 'ceo' THEN 2 ELSE 3 END, name""",
        [eid, d, eid, d, d])  # in office on the date, as key persons (services/graph/people.py)
    shareholders = store.query(
        """SELECT holder_name, holder_type, holder_enterprise_id, holder_person_id, holder_investor_id, percent, amount_wan,
                  start_date, end_date, source
           FROM shareholdings WHERE enterprise_id = ? AND (start_date IS NULL OR start_date <= ?)
             AND (end_date IS NULL OR end_date > ?)
           ORDER BY percent DESC NULLS LAST, holder_name""", [eid, d, d])
    # the officers whose person holds shares on the date (their record, or the same person's holder record here):
    # masked wholly, offices included, for a role without ``personal``, here as in the key persons and the graph
    # (services.privacy.present_profile; docs/security.md)
    private_holders = [f"p:{x}" for x in holding_records(store, [r["person_id"] for r in people], d)]
    # the names its changes of legal representative may not show (``legal_reps_holding``: a holding at any time)
    private_reps = legal_reps_holding(store, [eid]).get(eid, [])
    contacts, n_contacts = _capped(store,  # personal data: interfaces pass the profile through services.privacy
        """SELECT id, name, title, phone, email, relation, notes, source FROM contacts WHERE enterprise_id = ?
           ORDER BY id""", [eid], limit, cuts=cuts, name="contacts")
    aliases = store.query("SELECT alias, kind, source FROM enterprise_aliases WHERE enterprise_id = ? ORDER BY kind, alias", [eid])
    # main product lines with their revenue shares (a listed company's 主营产品), in the source's order; shares of
    # a period after the date are not known on it. An undated line (its file imported without a data date) is
    # shown as of every date, with the day it was imported (``imported_on``; core.asof)
    product_lines = store.query(
        f"""SELECT line_no, product, share, period, source,
                   CASE WHEN period IS NULL THEN {imported_on('l')} END AS imported_on
            FROM product_lines l WHERE enterprise_id = ? AND (period IS NULL OR period <= ?)
            ORDER BY source, line_no""", [eid, d])
    # the lines left out for describing a later period: counted, with their earliest period, so that every view
    # can say what it leaves out; the undated ones shown: counted, with the latest day they were imported
    later = store.query("SELECT count(*) AS n, min(period) AS first FROM product_lines WHERE enterprise_id = ? "
                        "AND period > ?", [eid, d])[0]
    product_lines_later = ({"count": later["n"], "first": later["first"].isoformat()} if later["n"] else None)
    undated = [x["imported_on"] for x in product_lines if x["period"] is None and x["imported_on"] is not None]
    product_lines_undated = {"count": len(undated), "imported_on": max(undated).isoformat()} if undated else None
    # the sources of the enterprise's records and of the facts shown (people, news, fundings, patents), each with
    # its kind, how many rows, the latest data date of the imports they came from and when the latest ran (a
    # record's own time, else its import's start: the same moment)
    sources = store.query(
        """WITH f AS (
             SELECT 'enterprises' AS kind, source, import_id, imported_at FROM enterprise_records WHERE enterprise_id = ?
             UNION ALL SELECT 'roles', source, import_id, NULL FROM roles WHERE enterprise_id = ?
             UNION ALL SELECT 'news', n.source, n.import_id, NULL FROM news n
               WHERE n.id IN (SELECT news_id FROM news_mentions WHERE enterprise_id = ?)
             UNION ALL SELECT 'fundings', source, import_id, NULL FROM fundings WHERE enterprise_id = ?
             UNION ALL SELECT 'patents', p.source, p.import_id, NULL FROM patents p
               WHERE p.id IN (SELECT patent_id FROM patent_applicants WHERE enterprise_id = ?))
           SELECT f.source, f.kind, count(*) AS records, max(i.data_date) AS data_date, max(coalesce(f.imported_at, i.started_at)) AS last_imported
           FROM f LEFT JOIN imports i ON i.id = f.import_id GROUP BY f.source, f.kind
           ORDER BY f.kind <> 'enterprises', f.kind, f.source""", [eid] * 5)
    absent = _absent_from_latest_export(store, eid, d)
    conflicts = store.query(
        """SELECT c.field, c.value, c.record_value, c.source, c.source_key, c.record_id, i.data_date
           FROM enterprise_conflicts c LEFT JOIN imports i ON i.id = c.import_id
           WHERE c.enterprise_id = ? ORDER BY c.field, c.import_id, c.source_key""", [eid]) \
        if store.query("SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'enterprise_conflicts'")[0]["n"] else []
    timeline, n_timeline = _capped(store,
        f"""WITH ev AS (
             -- ``seen``: the data date of the export that showed an end the registry dated earlier (the event
             -- sits on the registry's date) or a change of legal representative (core.asof.change_seen)
             SELECT date, type, title, ref_table, ref_id, source,
                    TRY_CAST(json_extract_string(detail, '$.seen') AS DATE) AS seen, id AS event_id
             FROM events WHERE enterprise_id = ?
             UNION ALL
             -- a fact without its event (yet) titled as its event is (core/event_titles.py), read the same way
             SELECT date, 'funding', {FUNDING_TITLE_SQL.format(a='f')}, 'fundings', id, source, NULL, NULL
               FROM fundings f WHERE enterprise_id = ?
                 AND NOT EXISTS (SELECT 1 FROM events x WHERE x.enterprise_id = f.enterprise_id AND x.ref_table = 'fundings' AND x.ref_id = f.id)
             UNION ALL
             SELECT coalesce(granted, published, applied), 'patent', {PATENT_TITLE_SQL.format(a='p')}, 'patents', id, source, NULL, NULL FROM patents p
              WHERE id IN (SELECT patent_id FROM patent_applicants WHERE enterprise_id = ?)
                AND NOT EXISTS (SELECT 1 FROM events x WHERE x.enterprise_id = ? AND x.ref_table = 'patents' AND x.ref_id = p.id)
             UNION ALL
             SELECT {day_sql('published')}, {news_type_sql('n.event_type')}, {NEWS_HEADLINE}, 'news', id, source, NULL, NULL FROM news n
              WHERE id IN (SELECT news_id FROM news_mentions WHERE enterprise_id = ?)
                AND NOT EXISTS (SELECT 1 FROM events x WHERE x.enterprise_id = ? AND x.ref_table = 'news' AND x.ref_id = n.id)
             UNION ALL
             SELECT date, CASE WHEN parent_id = ? THEN kind ELSE 'parent_' || kind END, coalesce(child_name, '') , 'branches', id, source, NULL, NULL
               FROM branches b WHERE (parent_id = ? OR child_id = ?)
                 AND NOT EXISTS (SELECT 1 FROM events x WHERE x.enterprise_id = ? AND x.ref_table = 'branches' AND x.ref_id = b.id)
             UNION ALL
             SELECT founded, 'founded', '成立', NULL, NULL, source, NULL, NULL FROM enterprises WHERE id = ? AND founded IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM events x WHERE x.enterprise_id = ? AND x.type = 'founded')
           )
           -- a news item without a publication date is dated by its import's data date: a stand-in, said so
           SELECT *, (ref_table = 'news' AND date IS NOT NULL
                      AND ref_id IN (SELECT id FROM news WHERE published IS NULL)) AS date_stand_in
           FROM ev WHERE date IS NULL OR date <= ? ORDER BY date DESC NULLS LAST, type""",
        [eid, eid, eid, eid, eid, eid, eid, eid, eid, eid, eid, eid, d], limit, cited.get("events"), key="event_id",
        cuts=cuts, name="timeline")
    filed = [ev["ref_id"] for ev in timeline if ev["ref_table"] == "patents" and ev["ref_id"] is not None]
    numbers = dict(store.con.execute(f"SELECT id, number FROM patents WHERE id IN ({','.join('?' * len(filed))})",
                                     filed).fetchall()) if filed else {}
    moved = [ev["event_id"] for ev in timeline if ev["type"] == "change_region" and ev["event_id"] is not None]
    changes = dict(store.con.execute(f"SELECT id, detail FROM events WHERE id IN ({','.join('?' * len(moved))})",
                                     moved).fetchall()) if moved else {}
    regions = changed_regions_en(store, changes.values())
    for ev in timeline:
        # a patent named in English by its number, a region change by the regions' English names (core/event_titles.py)
        detail = {"number": numbers.get(ev["ref_id"])} if ev["ref_table"] == "patents" else changes.get(ev["event_id"])
        ev["title_en"] = english_title(ev["title"], detail, regions=regions)
        # the founding: dated to what its date is known to (2015-03: a month, not its first day)
        ev["date_precision"] = (ent.get("founded_precision") if ev["type"] == "founded" and ev["date"] == ent["founded"]
                                else None)
    counts = {"timeline": n_timeline, "fundings": n_fundings, "patents": n_patents, "news": n_news,
              "branches": n_branches, "people": len(people), "shareholders": len(shareholders), "contacts": n_contacts}
    return {"enterprise": ent, "as_of": d.isoformat(), "placements": placements, "timeline": timeline,
            "fundings": fundings, "patents": patents, "news": news, "branches": branches, "people": people,
            "shareholders": shareholders, "contacts": contacts, "aliases": aliases, "sources": sources,
            "product_lines": product_lines, "product_lines_later": product_lines_later,
            "product_lines_undated": product_lines_undated,
            "conflicts": conflicts, "absent_from_latest": absent, "counts": counts, "private_holders": private_holders,
            "private_reps": private_reps,
            "placements_classified_on": placements_classified_on, "cuts": cuts}


def _absent_from_latest_export(store, eid: int, d) -> list[dict]:
    """The sources whose latest enterprise export (dated by ``d``) no longer lists this enterprise's key — it
    disappeared in the last delta (``enterprise_absences``, written by the import): per source the key, that
    export's import and data date, and the date of the first export since its last record that left it out. A
    partial export (imported with ``--partial``: it lists only some keys) says nothing of the keys it leaves out:
    the latest export is the latest full one."""
    if not store.query("SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'enterprise_absences'")[0]["n"]:
        return []  # a database written before absences were recorded
    # a key listed again unchanged writes no record: its relisting is kept apart (older databases have none)
    relisted = ("UNION ALL SELECT l.source, l.source_key, l.import_id FROM enterprise_relisted l SEMI JOIN "
                "(SELECT source, source_key FROM enterprise_records WHERE enterprise_id = ?) r "
                "ON r.source = l.source AND r.source_key = l.source_key"
                if store.query("SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'enterprise_relisted'")[0]["n"]
                else "")
    return store.query(
        f"""WITH keys AS (SELECT source, source_key, max(import_id) AS last_listed FROM (
                           SELECT source, source_key, import_id FROM enterprise_records
                           WHERE enterprise_id = ? AND source_key IS NOT NULL {relisted}) GROUP BY ALL),
                latest AS (SELECT source, max(id) AS import_id FROM imports
                           WHERE kind = 'enterprises' AND data_date <= ?
                             AND coalesce(json_extract_string(options, '$.scope'), '') <> 'partial' GROUP BY source)
           SELECT k.source, k.source_key, l.import_id, li.data_date AS export_date,
                  min(fi.data_date) AS first_missing_date
           FROM keys k JOIN latest l ON l.source = k.source
           JOIN enterprise_absences a ON a.source = k.source AND a.source_key = k.source_key AND a.import_id = l.import_id
           JOIN imports li ON li.id = l.import_id
           JOIN enterprise_absences f ON f.source = k.source AND f.source_key = k.source_key AND f.import_id > k.last_listed
           JOIN imports fi ON fi.id = f.import_id AND fi.id <= l.import_id
           GROUP BY ALL ORDER BY k.source, k.source_key""", [eid, eid, d] if relisted else [eid, d])


def facets(store, chain: str | None = None) -> dict:
    """Values the filters offer: chain nodes, funding rounds present, tags present (most frequent first)."""
    chain = chain or default_chain(store)
    nodes = store.query("SELECT code, name_zh, name_en, level, parent_code FROM chain_nodes WHERE chain = ? "
                        "ORDER BY position NULLS LAST, code", [chain])
    rounds = [r["round"] for r in store.query(
        "SELECT round, count(*) n FROM fundings WHERE round IS NOT NULL GROUP BY round ORDER BY n DESC")]
    rounds.sort(key=lambda r: ROUNDS.index(r) if r in ROUNDS else len(ROUNDS))
    tags = [r["tag"] for r in store.query(
        "SELECT tag, count(*) n FROM (SELECT unnest(tags) AS tag FROM enterprises) GROUP BY tag ORDER BY n DESC LIMIT 30")]
    return {"chain": chain, "nodes": nodes, "rounds": [{"code": r, "name_zh": ROUND_LABELS_ZH.get(r, r), "name_en": ROUND_LABELS_EN.get(r, r)}
                                                     for r in rounds],
            "tags": tags}

