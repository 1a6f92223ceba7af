"""One region's profile: the numbers behind the region page and the leadership report.

``region_profile(store, region, as_of=None)`` assembles, for a province, city, district or macro-region:

- ``summary``: the region's placed enterprises, the nation's, the region's share and the segment counts
  by status;
- ``chain``: every segment (level-2 node of the chain) with the region's count, the national count, the
  share, both mixes, the LQ, the status and the 强链/补链/延链 label (``regions.matrix.chain_tree``);
- ``links``: the segments grouped by status (strong / average / weak / missing); ``summary.n_extend`` counts the
  average ones labelled 延链 (next to the links the region holds);
- ``map``: the region among its peers (provinces of the nation, the cities of its province, the districts of
  its city; a macro-region among the macro-regions) with counts and shared places, for a choropleth with the
  region highlighted (``regions.matrix.region_map``);
- ``recommend``: recommended segments and attraction modes (``services.recommend``); ``beyond_top`` the
  candidates ranked below the shown ones, each with its segment's status and label;
- ``partners``: the regions it cooperates with most, from the cooperation network's edges
  (``analytics.network.edges_from_store``; weight = the sum of the edge weights of every kind);
- ``trends``: funding by quarter, by segment and the most active investors (``services.trends``);
- ``top_enterprises``: the largest placed enterprises (by registered capital where known, ties by id as in the
  library (services/ranking.py), then listed, then funding;
  the basis per row: ``ranked_by``, ``order_note``) with their segments;
- ``leads``: the best targets (``services.leads``), when that service exists;
- ``sources``: the imports the data rest on (``reference.sources``), then the region resources file the attraction
  modes read, when they read one (``kinds: resources``, its ``data_date`` the file's ``as_of``).

A section whose service is not installed or returns nothing has ``available: false`` and a ``note``; the
interfaces then show "暂无数据". Definitions: docs/methods.md ("Region report").
"""

from __future__ import annotations

import datetime as _dt
import importlib
import inspect
from typing import Any, Callable

from ..core import dialect
from ..core.asof import reference_date
from ..core.parse.dates import china_today
from ..core.errors import NotFound, UserError, count_en
from ..core.geo.lookup import macro_peers, macro_regions, rank_rows, region_labels, region_names_en
from ..core.geo.lookup import resolve_region as lookup_region
from ..core.geo.regions import MUNICIPALITIES, is_city_unit, province_of
from .datastore import data_notes
from .reference import sources
from .ranking import by_capital
from .regions import matrix
from .regions.matrix import UNKNOWN_CAPITAL

PARTNER_KINDS = ("patent", "investment", "branch", "people")  # their words: interfaces/labels.py PARTNER_KINDS
SECTIONS = ("chain", "links", "map", "recommend", "partners", "trends", "top_enterprises", "leads")


TREND_YEARS = 5


# --------------------------------------------------------------------------------------------- region
def resolve_region(store, region: str) -> dict:
    """A region's row from a code, name, path or macro-region (the region service); ``RegionNotFound`` or
    ``AmbiguousRegion`` otherwise."""
    return lookup_region(store, region).as_dict()  # a blank one refused: 请指定地区


def _path(store, info: dict) -> list[dict]:
    """The region's ancestors and itself, top first (a municipality's single city level is skipped)."""
    if info["level"] == "macro":
        return [{"code": info["code"], "name": info["name"], "level": "macro"}]
    out, code = [], info["code"]
    while code:
        r = store.query("SELECT code, name, level, parent_code FROM regions WHERE code = ?", [code])
        if not r:
            break
        r = r[0]
        if not (r["level"] == "city" and r["parent_code"] in MUNICIPALITIES):
            out.append({k: r[k] for k in ("code", "name", "level")})
        code = r["parent_code"]
    return list(reversed(out))


def full_name(store, info: dict) -> str:
    """``广东省深圳市`` style name: the province (and city) in front of a city or district."""
    if info["level"] in ("macro", "province"):
        return info["name"]
    names = [p["name"] for p in _path(store, info)]
    out = []
    for n in names:
        if not out or out[-1] != n:
            out.append(n)
    return "".join(out)


def _unavailable(note: str, note_en: str) -> dict:
    """A section without data, and why (in Chinese and English)."""
    return {"available": False, "note": note, "note_en": note_en}


_NO_DATA = ("服务未返回数据", "the service returned no data")


def _not_enabled(module: str) -> tuple[str, str]:
    return (("该功能尚未启用", "not enabled yet") if module == "leads" else
            (f"该功能不可用（{module}）", f"not available ({module})"))


def _call(module: str, names: tuple[str, ...], *args, **kwargs) -> tuple[Any, tuple[str, str] | None]:
    """Call the first function of ``names`` found in ``zhaoshang.services.<module>`` with the keyword
    arguments it accepts; ``(None, (note, note_en))`` when the service is not installed."""
    try:
        mod = importlib.import_module(f"{__package__}.{module}")
    except ImportError:
        return None, _not_enabled(module)
    fn: Callable | None = None
    for n in names:
        fn = getattr(mod, n, None)
        if callable(fn):
            break
    if fn is None:
        return None, _not_enabled(module)
    params = inspect.signature(fn).parameters
    if not any(p.kind == p.VAR_KEYWORD for p in params.values()):
        kwargs = {k: v for k, v in kwargs.items() if k in params}
    try:
        return fn(*args, **kwargs), None
    except UserError as exc:  # this section cannot be answered for the region (no chain enterprise): said there
        return None, (str(exc), exc.in_lang("en"))


# -------------------------------------------------------------------------------------------- sections
def _chain_section(store, info: dict, d: _dt.date, chain: str) -> tuple[dict, list[dict], list[dict]]:
    tree = matrix.chain_tree(store, info["code"], as_of=d, chain=chain, top=0)
    flat = matrix.flatten_tree(tree["nodes"])
    stages = [n for n in flat if n["depth"] == 0]
    keep = ("code", "parent_code", "stage", "name_zh", "name_en", "count", "national_count", "share", "region_mix",
            "national_mix", "lq", "status", "label")
    segs = []
    stage_of = {s["code"]: s for s in stages}
    for n in flat:
        if n["depth"] != 1:
            continue
        row = {k: n.get(k) for k in keep}
        st = stage_of.get(n.get("parent_code") or "")
        # the segment's stage by its code (upstream …): its words are the interfaces' (interfaces/labels.py STAGES)
        row["stage"] = (st or {}).get("stage") or row.get("stage")
        segs.append(row)
    stage_rows = [{k: s.get(k) for k in keep} for s in stages]
    return tree, segs, stage_rows


# The regions a rank is taken within (the map section's ``rank_level``), in words for the page's card, the report's
# sentence and the workbook: a city is ranked among the cities of its province, a district among the districts of its
# city (a municipality's among the municipality's), a province among the provinces, a macro-region among the
# macro-regions that neither contain it nor lie within it.
RANK_SCOPES = {"province": ("全国各省", "provinces"), "city": ("本省各市", "cities of its province"),
               "district": ("本市各区", "districts of its city"), "macro": ("各宏观区域", "macro-regions")}


def _map_section(store, info: dict, d: _dt.date, chain: str, region_total: int) -> dict:
    """The region among its peers: the provinces (for a province or macro-region), the city-level units of its
    province (for a city or a province-administered county-level unit such as 石河子) or the districts of its city (for a district; a municipality's districts). A region with no chain
    enterprise has no place: every empty peer would share the last one."""
    lvl = info["level"]
    if lvl in ("province", "macro"):
        view, level, parent = "100000", "province", None
        highlight = [info["code"]] if lvl == "province" else list(info.get("members") or [])
        if lvl == "macro":  # members may be cities: highlight their provinces
            highlight = sorted({province_of(c) for c in highlight})
    else:
        prov = info["province_code"] or province_of(info["code"])
        if prov in MUNICIPALITIES:
            view, level, parent = prov, "district", prov
            highlight = [info["code"]] if lvl == "district" else []
        elif lvl == "district" and info.get("city_code") and not is_city_unit(info["code"]):
            # a district is ranked among the districts of its city, and the map shows that city
            view, level, parent = info["city_code"], "district", info["city_code"]
            highlight = [info["code"]]
        else:
            view, level, parent = prov, "city", prov
            highlight = [info["code"]]
    rows = matrix.region_map(store, level, parent=parent, as_of=d, chain=chain)
    keep = ("code", "name", "count", "share", "region_total", "national_total", "lng", "lat")
    out = rank_rows([{k: r.get(k) for k in keep} for r in rows])
    among = None
    if lvl == "macro":
        # a macro-region is no peer of the provinces it groups (its first member's rank was given as its own —
        # 长三角 "在全国各省中位列第 3" was 上海's place): its rank is among the macro-regions, by the same count,
        # leaving out those that contain it or that it contains (长三角 is not behind 三极, which holds it)
        peer_codes = {m.code for m in macro_peers(info["code"])}
        ranked = rank_rows([{"code": r["code"], "name": r["name"], "count": r["count"], "share": r["share"],
                             "region_total": r["region_total"], "national_total": r["national_total"]}
                            for r in matrix.region_map(store, "macro", as_of=d, chain=chain) if r["code"] in peer_codes])
        among = [{"code": r["code"], "name": r["name"], "count": r["count"]} for r in ranked if r["code"] != info["code"]]
        rank_level = "macro"
    else:
        ranked, rank_level = out, level
    mine = next((r for r in ranked if r["code"] == info["code"]), None)
    # competition ranking (core.geo.lookup.competition_rank): regions with the same count share a place (1, 1, 3 …)
    rank = None if mine is None or not region_total else mine["rank"]
    scope = RANK_SCOPES[rank_level]
    doc = {"available": bool(out), "view": view, "level": level, "highlight": highlight, "rows": out,
           "rank": rank, "peers": len(ranked), "rank_level": rank_level, "rank_among": among, "metric": "count",
           # what the rank is taken within, in words: 1 / 11 is "在本省各市中" / "among cities of its province"
           "rank_scope": scope[0], "rank_scope_en": scope[1],
           # the rows the rank is taken among (the macro-regions for a macro-region, else the map's rows)
           "ranked_rows": ranked}
    if not region_total:
        doc.update(unranked=True, unranked_note="该地区暂无产业链企业，不参与排名",
                   unranked_note_en="no chain enterprises in this region, so it is not ranked")
    return doc


def links_beyond_top(store, rec: dict, chain_rows: list[dict] | None = None) -> list[dict]:
    """The candidates the differentiated path ranks below its cut (``recommend``'s ``beyond_top``), each with the
    region's status and 强链/补链/延链 label of its segment (from ``chain_rows``, the profile's segments, or the region's
    chain tree as of the document's date), so that a 补链 segment below the cut can be named."""
    rows = rec.get("beyond_top") or []
    if not rows:
        return []
    if chain_rows is None:
        _tree, chain_rows, _stages = _chain_section(store, {"code": rec["region"]["code"]},
                                                    _dt.date.fromisoformat(str(rec["as_of"])), rec["chain"])
    seg = {r["code"]: r for r in chain_rows}
    return [{**r, "status": seg.get(r["node"], {}).get("status"), "label": seg.get(r["node"], {}).get("label")}
            for r in rows]


def recommend_labelled(store, region: str, **kwargs) -> dict:
    """``recommend.recommend`` with its candidates below the cut labelled (``links_beyond_top``): the document of
    ``zhaoshang recommend`` and /api/recommend/{region}, as the region profile's own."""
    from .recommend import recommend

    doc = recommend(store, region, **kwargs)
    doc["beyond_top"] = links_beyond_top(store, doc)
    return doc


def _investors_without_region(store, info: dict, d: _dt.date) -> int:
    """Investments (investor × round, dated by ``d``) in the region's enterprises whose investor has no region of
    its own nor through its enterprise: links the cooperation edges cannot place."""
    from ..core.asof import enterprises_as_of
    from ..core.geo.lookup import region_condition

    cond, params = region_condition(info, "e")
    try:
        return int(store.con.execute(f"""
            SELECT count(DISTINCT (fi.funding_id, fi.investor_id))
            FROM funding_investors fi JOIN investors i ON i.id = fi.investor_id
            JOIN fundings f ON f.id = fi.funding_id JOIN {enterprises_as_of(d, store)} e ON e.id = f.enterprise_id
            LEFT JOIN enterprises ie ON ie.id = i.enterprise_id
            WHERE {cond} AND (f.date IS NULL OR f.date <= ?)
              AND coalesce(i.province_code, ie.province_code) IS NULL""", params + [d]).fetchone()[0])
    except Exception as exc:  # a database without the funding tables
        if isinstance(exc, UserError):
            raise
        return 0


def _partners_section(store, info: dict, d: _dt.date, limit: int, team=None) -> dict:
    from .analytics import network as net

    level = info["level"]
    code = info["code"]
    by: dict[str, dict] = {}
    totals = {k: 0.0 for k in PARTNER_KINDS}
    for kind in PARTNER_KINDS:
        try:
            edges = net.edges_from_store(store, kind, level, d, team)
        except Exception as exc:  # a kind whose tables are absent in this database
            if isinstance(exc, UserError):
                raise
            continue
        for e in edges:
            if code not in (e["src"], e["dst"]):
                continue
            other = e["dst"] if e["src"] == code else e["src"]
            w = float(e["w"] or 0)
            row = by.setdefault(other, {"region": other, **{k: 0.0 for k in PARTNER_KINDS},
                                        "investment_out": 0.0, "investment_in": 0.0})
            row[kind] += w
            if kind == "investment":
                row["investment_out" if e["src"] == code else "investment_in"] += w
    rows = list(by.values())
    if level == "macro":  # macro-regions overlap: a macro sharing members with this one is not a partner
        mine = {c[:2] for c in info.get("members") or []}
        overlap = {m.code for m in macro_regions() if mine & {c[:2] for c in m.members}}
        rows = [r for r in rows if r["region"] not in overlap]
    for r in rows:
        r["weight"] = sum(r[k] for k in PARTNER_KINDS)
    total = sum(r["weight"] for r in rows)
    for k in PARTNER_KINDS:
        totals[k] = sum(r[k] for r in rows)
    rows.sort(key=lambda r: (-r["weight"], r["region"]))
    names = {}
    if rows:
        from .analytics.levels import region_names

        names = region_names(store, [r["region"] for r in rows])
    for r in rows:
        r["name"] = names.get(r["region"], r["region"])
        r["share"] = r["weight"] / total if total else None
    if not rows:
        unplaced = _investors_without_region(store, info, d)
        if unplaced:  # the links may exist: their investors' regions are not known
            return {**_unavailable(f"合作伙伴地区不详：本地企业获得的 {unplaced} 笔投资（投资方 × 融资轮次）的投资方地区未知，"
                                   "其他跨地区联系（专利、分支、任职）也没有",
                                   f"partner regions unknown: the investors of {unplaced} investments (investor × round) in "
                                   "local enterprises have no known region, and there are no other cross-region links "
                                   "(co-patents, branches, shared people)"),
                    "rows": [], "total_weight": 0.0, "partners": None, "investments_without_region": unplaced,
                    "level": level}
        return {**_unavailable("该地区没有跨地区的专利、投资、分支或任职联系",
                                 "no cross-region co-patents, investments, branches or shared people"), "rows": [], "total_weight": 0.0,
                "partners": 0, "level": level}
    return {"available": True, "level": level, "rows": rows[:limit], "partners": len(rows),
            "total_weight": total, "weight_by_kind": totals, "kinds": list(PARTNER_KINDS)}


def _top_section(store, info: dict, d: _dt.date, chain: str, limit: int) -> dict:
    tops = matrix.top_enterprises(store, [info["code"]], info["level"], as_of=d, chain=chain, limit=limit, order="auto")
    rows = tops.get(info["code"], [])
    if not rows:
        return {**_unavailable("该地区没有产业链上的企业", "no chain enterprises in this region"), "rows": []}
    ids = [r["id"] for r in rows]
    nodes = store.query(
        """SELECT p.enterprise_id AS id, string_agg(DISTINCT coalesce(n.name_zh, p.node_code), '、' ORDER BY coalesce(n.name_zh, p.node_code)) AS nodes,
                  string_agg(DISTINCT coalesce(n.name_en, p.node_code), '; ' ORDER BY coalesce(n.name_en, p.node_code)) AS nodes_en
           FROM placements p LEFT JOIN chain_nodes n ON n.chain = p.chain AND n.code = p.node_code
           WHERE p.chain = ? AND list_contains(?, p.enterprise_id) GROUP BY 1""", [chain, ids])
    fund = store.query(
        f"""SELECT enterprise_id AS id, count(*) AS fundings, {dialect.current().exact_sum("amount_wan", none=None)} AS funding_wan, max(date) AS last_funding
           FROM fundings WHERE list_contains(?, enterprise_id) AND (date IS NULL OR date <= ?) GROUP BY 1""", [ids, d])
    # the district only: an enterprise whose district is not known has none (—), not its city under 所在区县
    codes = [r["district_code"] for r in rows if r.get("district_code")]
    if info["level"] in ("province", "macro"):  # districts of several cities (西湖区 alone names two): with the city
        zh, en = region_labels(store, codes, "zh", with_city=True), region_labels(store, codes, "en", with_city=True)
        dist = [{"code": c, "name": zh[c], "name_en": en[c]} for c in codes]
    else:
        dist = store.query("SELECT code, name, name_en FROM regions WHERE list_contains(?, code)", [codes])
    nmap = {r["id"]: r for r in nodes}
    fmap = {r["id"]: r for r in fund}
    dmap = {r["code"]: r for r in dist}
    out = []
    for i, r in enumerate(rows, 1):
        f, dr, nr = fmap.get(r["id"], {}), dmap.get(r.get("district_code") or "", {}), nmap.get(r["id"], {})
        out.append({"rank": i, "id": r["id"], "name": r["name"], "capital_wan": r["capital_wan"], "ranked_by": r["ranked_by"],
                    "founded": r["founded"],
                    "founded_precision": r.get("founded_precision"), "district": dr.get("name"), "district_en": dr.get("name_en"),
                    "nodes": nr.get("nodes"), "nodes_en": nr.get("nodes_en"), "fundings": int(f.get("fundings") or 0),
                    "funding_wan": f.get("funding_wan"), "last_funding": f.get("last_funding")})
    return {"available": True, "rows": out, **_top_order(rows, d)}


def _top_order(rows: list[dict], d: _dt.date) -> dict:
    """How the top enterprises are ordered (``regions.matrix.top_enterprises``, ``order="auto"``), said in both
    languages: those with a registered capital by it, then the others — listed first, then by the funding raised up
    to the date, rounds, name —, each row's basis on its row (``ranked_by``). ``ranked_by`` of the section:
    ``capital`` or ``funding`` when every row is ranked by it, else ``mixed``."""
    first = rows[0]
    known, funded, total = (int(first.get(k) or 0) for k in ("capital_known", "funded", "enterprises"))
    bases = {r.get("ranked_by") for r in rows}
    doc = {"ranked_by": next(iter(bases)) if len(bases) == 1 and bases <= {"capital", "funding"} else "mixed",
           "capital_known": known, "funded": funded, "enterprises": total,
           "order": by_capital(None, unknown=UNKNOWN_CAPITAL)}
    return {**doc,
            "order_note": f"有注册资本的企业按注册资本排序（{total:,} 家中 {known:,} 家有数据），其余企业中上市企业在前，其次按截至 "
                          f"{d.isoformat()} 的累计融资额（{funded:,} 家有数据）、融资轮次、企业名称；每行注明排序依据；融资总额含按区间"
                          "估算的金额（如“数亿元”）；注册资本相同者按企业编号，与企业库一致",
            "order_note_en": f"enterprises with a registered capital ranked by it (known for {known:,} of {total:,}), the "
                             f"others after them: listed ones first, then by funding raised to {d.isoformat()} (known "
                             f"for {funded:,}), rounds, name; the basis is given on each row; funding totals include amounts "
                             "estimated from ranges; equal capitals by enterprise id, as in the library"}


def _service_section(result: Any, note: tuple[str, str] | None, keys: tuple[str, ...]) -> dict:
    if note:
        return _unavailable(*note)
    if result is None:
        return _unavailable(*_NO_DATA)
    doc = dict(result) if isinstance(result, dict) else {"rows": list(result)}
    has = any(doc.get(k) for k in keys)
    doc["available"] = bool(has)
    if not has and "note" not in doc:
        doc["note"], doc["note_en"] = _NO_DATA
    return doc


def _resources_source(res: dict | None) -> list[dict]:
    """The region resources file the attraction modes read, as one more of the report's sources (its file name, its
    date, the regions it lists); none when no file was read."""
    if not res:
        return []
    name = res["path"].replace("\\", "/").rsplit("/", 1)[-1]
    row = {"source": name, "kinds": "resources", "data_date": res.get("as_of"), "imported_at": None,
           "rows": None, "rows_read": res.get("regions"), "rows_updated": None}
    return [{**row, "by_kind": [dict(row)]}]


def _no_leads_reason(leads: dict, d: _dt.date, national_total: int) -> tuple[str, str]:
    """Why the leads service found no target, from its population counts (zh, en)."""
    if not national_total:
        return (f"截至 {d.isoformat()} 全国尚无已归入产业链的企业，没有可引进的企业",
                f"no enterprise in the nation is placed on the chain as of {d.isoformat()}, so there is none to attract")
    pop = leads.get("population") or {}
    absent, abnormal = int(pop.get("placed_absent") or 0), int(pop.get("excluded_abnormal") or 0)
    unlocated = int(pop.get("excluded_unlocated") or 0)
    only = int(pop.get("excluded_province_only") or 0)
    return (f"截至 {d.isoformat()} 目标环节中没有候选企业（目标环节内、在本地尚无注册地/分支机构/子公司的企业 {absent:,} 家，"
            f"其中状态异常 {abnormal:,} 家" + (f"、位置未知 {unlocated:,} 家" if unlocated else "")
            + (f"、只知省份 {only:,} 家" if only else "") + "）",
            f"no candidate on the target segments as of {d.isoformat()} ({count_en(absent, 'enterprise', sep=True)} on them "
            f"without an office, branch or subsidiary in the region, {abnormal:,} of them not of normal status"
            + (f", {unlocated:,} of unknown location" if unlocated else "")
            + (f", {only:,} known only by province" if only else "") + ")")


def _quarter(d: _dt.date) -> str:
    return f"{d.year}Q{(d.month - 1) // 3 + 1}"


def _whole_window(trends: dict, start: _dt.date, end: _dt.date) -> None:
    """Every quarter of the window in ``by_period``, a quarter without a round as zeros (the trends service lists
    the quarters from the first round to the last), and the window itself: ``years``, ``first_period``,
    ``last_period``."""
    have = {r.get("period"): r for r in trends.get("by_period") or []}
    rows, q = [], _dt.date(start.year, (start.month - 1) // 3 * 3 + 1, 1)
    while q <= end:
        label = _quarter(q)
        rows.append(have.get(label) or {"start": q, "rounds": 0, "disclosed": 0, "estimated": 0, "undisclosed": 0,
                                        "amount_wan": 0.0, "estimated_wan": 0.0, "enterprises": 0, "period": label})
        q = _dt.date(q.year + (q.month + 3 > 12), (q.month + 2) % 12 + 1, 1)
    trends.update(by_period=rows, years=TREND_YEARS, first_period=_quarter(start), last_period=_quarter(end))


# ----------------------------------------------------------------------------------------------- entry
def region_profile(store, region: str, as_of: Any = None, *, chain: str | None = None, top: int = 10,
                   partners: int = 10, resources: Any = None, team=None) -> dict:
    """The profile of one region (see the module docstring for the sections). ``team``: the team state whose live
    events the leads section counts, as the leads page does."""
    for flag, n in (("--top", top), ("partners", partners)):
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:  # 0 would empty 头部企业 as if the region had none
            raise UserError(f"{flag} 应大于或等于 1（收到 {n}）", f"{flag} must be at least 1 (got {n})")
    info = resolve_region(store, region)
    d = reference_date(store, as_of)
    chain = chain or matrix.default_chain(store)
    tree, segs, stage_rows = _chain_section(store, info, d, chain)
    links = {s: [r for r in segs if r["status"] == s] for s in ("strong", "average", "weak", "missing")}
    for s in links:
        links[s].sort(key=lambda r: (-(r["lq"] or 0), r["code"]))
    n_r, big_n = tree["region_total"], tree["national_total"]
    summary = {
        "region_total": n_r, "national_total": big_n, "national_share": n_r / big_n if big_n else None,
        "segments": len(segs), **{f"n_{s}": len(v) for s, v in links.items()},
        # 延链: the average segments next to the links the region holds (regions.matrix.related_segments); the
        # other average segments hold, with no label (their rows' label is empty)
        "n_extend": sum(1 for r in links["average"] if r["label"] == "延链"),
        "n_unoccupied": sum(1 for r in segs if r["status"] is None),
    }

    rec, note = _call("recommend", ("recommend",), store, info["code"], as_of=d, resources=resources, chain=chain)
    recommend = _service_section(rec, note, ("segments", "modes"))
    for k in ("strengths", "profile"):  # kept in /api/recommend; the profile shows segments and modes
        recommend.pop(k, None)
    if recommend.get("beyond_top"):  # the candidates below the shown ones, with their labels (补链 named)
        recommend["beyond_top"] = links_beyond_top(store, recommend, segs)
    start = _dt.date(d.year - TREND_YEARS, (d.month - 1) // 3 * 3 + 1, 1) + _dt.timedelta(days=92)
    start = _dt.date(start.year, (start.month - 1) // 3 * 3 + 1, 1)
    tr, note = _call("trends", ("trends",), store, region=info["code"], as_of=d, start=start, end=d, chain=chain)
    trends = _service_section(tr, note, ("by_period", "by_node", "investors"))
    if not note and tr is not None and not (trends.get("totals") or {}).get("rounds"):
        # the window's dates, not "the service returned no data": 合肥 on the real imports has no round in it
        trends.update(available=False, note=f"该地区在 {start.isoformat()} 至 {d.isoformat()} 没有融资事件",
                      note_en=f"no funding rounds in the region from {start.isoformat()} to {d.isoformat()}")
        # rounds before the window: how many and the latest, so the reader knows the data exist and where
        before, _ = _call("trends", ("trends",), store, region=info["code"], as_of=d, end=start - _dt.timedelta(days=1),
                          chain=chain)
        bt = (before or {}).get("totals") or {}
        if bt.get("rounds"):
            last = bt.get("last_date")
            last = last.isoformat() if hasattr(last, "isoformat") else str(last)
            trends.update(rounds_before=bt["rounds"], last_funding=last,
                          note=f"{trends['note']}；此前共有 {bt['rounds']:,} 起，最近一次在 {last}",
                          note_en=f"{trends['note_en']}; {count_en(bt['rounds'], 'round', sep=True)} before it, "
                                  f"the latest on {last}")
    if trends.get("available"):
        _whole_window(trends, start, d)
    ld, note = _call("leads", ("top_leads", "leads"), store, region=info["code"], as_of=d, limit=top, team=team)
    leads = _service_section(ld, note, ("rows", "leads"))
    if not leads["available"] and (leads.get("note"), leads.get("note_en")) == _NO_DATA:
        leads["note"], leads["note_en"] = _no_leads_reason(leads, d, big_n)

    doc = {
        "region": {**{k: info.get(k) for k in ("code", "name", "name_en", "level", "parent_code", "province_code",
                                                "city_code", "lng", "lat")},
                   "full_name": full_name(store, info),
                   "path": _path(store, info), "members": info.get("members")},
        "as_of": d.isoformat(), "chain": chain, "chain_name": _chain_name(store, chain),
        # what the data is, as every interface says it (datastore.data_note): the demo's, or mixed with imported data
        "synthetic": bool(store.synthetic), **data_notes(store), "sources": sources(store) + _resources_source(recommend.get("resources")),
        "thresholds": tree["thresholds"], "generated": china_today().isoformat(),
        "summary": summary,
        "stages": stage_rows,
        "chain_rows": segs,
        "links": {s: [r["code"] for r in v] for s, v in links.items()},
        "map": _map_section(store, info, d, chain, n_r),
        "recommend": recommend,
        "partners": _partners_section(store, info, d, partners, team),
        "trends": trends,
        "top_enterprises": _top_section(store, info, d, chain, top),
        "leads": leads,
    }
    _english_names(store, doc)
    doc["available"] = {s: bool(doc[s]["available"]) if isinstance(doc.get(s), dict) and "available" in doc[s]
                        else bool(doc.get("chain_rows")) for s in SECTIONS}
    doc["available"]["chain"] = bool(segs) and n_r > 0
    doc["available"]["links"] = doc["available"]["chain"]
    if not n_r:  # why the chain breakdown and the links are empty, dated (the report's overview says the same)
        doc["chain_note"] = {
            "note": f"截至 {d.isoformat()}，该地区没有产业链企业：{len(segs)} 个产业链环节均无本地企业，无法与全国结构对比，"
                    "暂不评判强链、补链与延链",
            "note_en": f"no chain enterprises in this region as of {d.isoformat()}: none of the {len(segs)} segments has "
                       "a local enterprise yet, so there is no mix to compare with the nation's and strong, weak and "
                       "missing links are not assessed"}
    return doc


def _english_names(store, doc: dict) -> None:
    """English names next to the Chinese ones of every region the profile lists (for the English page and
    report): the map's regions, the partners, the investors' cities, the region's own path."""
    en = region_names_en(store)
    reg = doc["region"]
    reg["full_name_en"] = ", ".join(en.get(p["code"], p["name"]) for p in reversed(reg.get("path") or [])) \
        or reg.get("name_en") or reg["name"]
    for r in (doc["map"].get("rows") or []):
        r["name_en"] = en.get(r.get("code"), r.get("name"))
    for r in (doc["partners"].get("rows") or []):
        r["name_en"] = en.get(r.get("region"), r.get("name"))
    for r in (doc["map"].get("rank_among") or []) + (doc["map"].get("ranked_rows") or []):
        r["name_en"] = en.get(r["code"], r["name"])
    for r in (doc["trends"].get("investors") or []):
        if isinstance(r, dict):
            r["city_name_en"] = en.get(r.get("city_code"), r.get("city_name"))
            for x in r.get("regions") or []:
                x["name_en"] = en.get(x.get("region"), x.get("name"))


def _chain_name(store, chain: str) -> str:
    try:
        from .chain import taxonomy

        for name in ("load_taxonomy", "load"):
            fn = getattr(taxonomy, name, None)
            if callable(fn):
                tax = fn(chain) if name == "load" else fn()
                if getattr(tax, "chain", None) == chain and getattr(tax, "name_zh", None):
                    return tax.name_zh
    except Exception:  # noqa: BLE001 — a name is a nicety; the code is shown instead
        pass
    return {"ai": "人工智能产业链", "nev": "新能源汽车产业链"}.get(chain, chain)
