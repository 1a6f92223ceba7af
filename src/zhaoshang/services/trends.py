"""Investment trends (资本风向): funding by period, by chain segment and by region; the most active
investors and where their money goes (docs/methods.md, "Investment trends").

Everything is set-based SQL over ``fundings`` and ``funding_investors``; Python only groups the answer.
Amounts are the ``amount_wan`` (CNY 万元) of the rounds that have one, an amount the source gave as a range
(``estimated``, ``estimated_wan``) counted apart from the disclosed figures; rounds without an amount are counted
apart as undisclosed, never as zero.
"""

from __future__ import annotations

from typing import Any

from ..core import dialect
from ..core.asof import REGION_FIELDS, enterprises_as_of, reference_date
from ..core.parse.dates import parse_user_date
from ..core.errors import UserError, count_en
from ..core.geo.lookup import region_condition, region_info
from ..core.geo.regions import MUNICIPALITIES
from .regions.nodes import chain_node

BYS = ("quarter", "year")
CHILD_LEVEL = {None: "province", "macro": "province", "province": "city", "city": "district", "district": "district"}
PER_INVESTOR = 5  # segments and regions listed per investor (the rest are counted in *_more)


# -- shared helpers (also used by the recommendation service) --------------------------------------------

def resolve_region(store, region: str | None, level: str | None = None) -> dict | None:
    """{code, name, name_en, level, members, …} of a region given by code or name (杭州市, 330100, 合肥, 长三角):
    the region service's answer; None for the whole country."""
    return region_info(store, region, level)


def closure_cte(chain: str) -> tuple[str, list]:
    """CTE text (to follow ``WITH RECURSIVE``) defining ``clo(code, anc, anc_level, anc_stage)``: every node
    of the chain with each of its ancestors, itself included."""
    sql = """up(code, anc) AS (
            SELECT code, code FROM chain_nodes WHERE chain = ?
            UNION ALL
            SELECT up.code, n.parent_code FROM up JOIN chain_nodes n ON n.chain = ? AND n.code = up.anc
            WHERE n.parent_code IS NOT NULL AND n.parent_code <> ''),
        clo AS (SELECT up.code, up.anc, a.level AS anc_level, a.stage AS anc_stage
                FROM up JOIN chain_nodes a ON a.chain = ? AND a.code = up.anc)"""
    return sql, [chain, chain, chain]


def _child_level(info: dict | None) -> str:
    if info is not None and info["level"] == "province" and info["code"] in MUNICIPALITIES:
        return "district"
    return CHILD_LEVEL[None if info is None else info["level"]]


# -- the service -----------------------------------------------------------------------------------------

def trends(store, *, region: str | None = None, node: str | None = None, by: str = "quarter",
           start: Any = None, end: Any = None, as_of: Any = None, top: int = 10, chain: str | None = None,
           level: str | None = None) -> dict:
    """Funding amounts and counts by period, segment and region, and the most active investors.

    Filters: ``region`` (code or name; the enterprise's region), ``node`` (a chain node and everything
    below it), ``start``/``end`` (funding dates, inclusive) and ``as_of`` (nothing after it counts).
    """
    if by not in BYS:
        raise UserError(f"未知的时间粒度: {by}（可选: {', '.join(BYS)}）", f"unknown period: {by} (one of: {', '.join(BYS)})")
    if top < 0:
        raise UserError("--top 不能为负", "--top cannot be negative")
    from .regions.nodes import default_chain

    chain = chain or default_chain(store)
    info = resolve_region(store, region, level)
    d_start = parse_user_date(start, "start", end_of_period=False)
    d_end, d_asof = parse_user_date(end, "end"), reference_date(store, as_of)
    hi = min([d for d in (d_end, d_asof) if d is not None])
    if d_start and d_end and d_start > d_end:  # two dates the user gave contradict each other
        raise UserError(f"开始日期 {d_start} 晚于结束日期 {d_end}", f"the start date {d_start} is after the end date {d_end}",
                        pair=("start", "end"))
    # an end after the as-of is cut to it and said, as the other views say what lies after their as-of (nothing after
    # it counts; the answer's end said 2018-12-31 while its totals stopped at the as-of)
    cut = d_end if d_end and d_end > d_asof else None
    d_end = d_asof if cut else d_end
    # a start after the data's reference date is an empty window: no periods, no error
    node = chain_node(store, chain, node)  # the chain's own code: the whole chain

    # the chain's enterprises (on the node or below it when one is given), as concentration counts them; every
    # round only while the chain has no placement at all (not classified yet)
    unclassified = node is None and not store.con.execute(
        "SELECT 1 FROM placements WHERE chain = ? LIMIT 1", [chain]).fetchall()
    if node is not None:
        chain_cond, chain_params = ("EXISTS (SELECT 1 FROM es WHERE es.enterprise_id = f.enterprise_id AND es.anc = ?)",
                                    [node])
    elif not unclassified:
        chain_cond, chain_params = ("EXISTS (SELECT 1 FROM placements p WHERE p.chain = ? "
                                    "AND p.enterprise_id = f.enterprise_id)", [chain])
    else:
        chain_cond, chain_params = "TRUE", []
    clo, clo_params = closure_cte(chain)
    rcond, rparams = region_condition(info, "e")
    child = _child_level(info)
    # The filtered rounds: one row per funding, with the enterprise's region codes (LEFT JOIN keeps
    # unlinked rounds when no region or node filter asks for the enterprise).
    def rounds_sql(dated: str) -> str:
        return f"""
        WITH RECURSIVE {clo},
        es AS (SELECT DISTINCT p.enterprise_id, clo.anc, clo.anc_level, clo.anc_stage
               FROM placements p JOIN clo ON clo.code = p.node_code WHERE p.chain = ?),
        f AS (
            SELECT f.id, f.date, f.amount_wan, f.enterprise_id, f.lead_investor_id,
                   coalesce(f.amount_low_wan < f.amount_high_wan, false) AS est,
                   e.province_code, e.city_code, e.district_code
            FROM fundings f LEFT JOIN {enterprises_as_of(d_asof, store, REGION_FIELDS, existing=False)} e
                 ON e.id = f.enterprise_id
            WHERE {dated}
              AND {rcond}
              AND {chain_cond})"""

    base = rounds_sql("f.date IS NOT NULL AND (CAST(? AS DATE) IS NULL OR f.date >= CAST(? AS DATE)) "
                      "AND (CAST(? AS DATE) IS NULL OR f.date <= CAST(? AS DATE))")
    bparams = clo_params + [chain, d_start, d_start, hi, hi] + rparams + chain_params
    # the rounds the filters would take but for their date: none (不详 in the file) — left out, counted and said
    undated = store.query(f"{rounds_sql('f.date IS NULL')} SELECT count(*) AS n FROM f",
                          clo_params + [chain] + rparams + chain_params)[0]["n"]
    seg2 = "(SELECT DISTINCT enterprise_id, anc FROM es WHERE anc_level = 2)"
    sum_f, sum_fk = dialect.current().exact_sum("f.amount_wan"), dialect.current().exact_sum("fk.amount_wan")
    # an amount the source gave as a range (数千万, 近亿) is an estimate, not a disclosed figure: counted and summed apart
    est_f = dialect.current().exact_sum("CASE WHEN f.est THEN f.amount_wan END")
    agg = ("count(*) AS rounds, count(f.amount_wan) FILTER (WHERE NOT f.est) AS disclosed, "
           "count(f.amount_wan) FILTER (WHERE f.est) AS estimated, count(*) - count(f.amount_wan) AS undisclosed, "
           f"{sum_f} AS amount_wan, coalesce({est_f}, 0) AS estimated_wan, count(DISTINCT f.enterprise_id) AS enterprises")
    unit = "QUARTER" if by == "quarter" else "YEAR"
    step = "INTERVAL 3 MONTH" if by == "quarter" else "INTERVAL 1 YEAR"

    totals = store.query(f"{base} SELECT {agg}, min(f.date) AS first_date, max(f.date) AS last_date FROM f",
                         bparams)[0]
    by_period = store.query(f"""{base},
        p AS (SELECT date_trunc('{unit.lower()}', f.date) AS ps, {agg} FROM f GROUP BY 1),
        span AS (SELECT CAST(unnest(generate_series(min(ps), max(ps), {step})) AS DATE) AS ps FROM p)
        SELECT span.ps AS start, coalesce(p.rounds, 0) AS rounds, coalesce(p.disclosed, 0) AS disclosed,
               coalesce(p.estimated, 0) AS estimated, coalesce(p.undisclosed, 0) AS undisclosed,
               coalesce(p.amount_wan, 0) AS amount_wan, coalesce(p.estimated_wan, 0) AS estimated_wan,
               coalesce(p.enterprises, 0) AS enterprises
        FROM span LEFT JOIN p ON CAST(p.ps AS DATE) = span.ps ORDER BY span.ps""", bparams)
    for r in by_period:
        d = r["start"]
        r["period"] = f"{d.year}Q{(d.month - 1) // 3 + 1}" if by == "quarter" else str(d.year)

    by_node = store.query(f"""{base}
        SELECT s.anc AS node, n.name_zh, n.name_en, n.stage, n.parent_code, {agg}
        FROM f JOIN {seg2} s ON s.enterprise_id = f.enterprise_id
        LEFT JOIN chain_nodes n ON n.chain = ? AND n.code = s.anc
        GROUP BY ALL ORDER BY amount_wan DESC, rounds DESC, node""", bparams + [chain])
    by_stage = store.query(f"""{base}
        SELECT date_trunc('{unit.lower()}', f.date)::DATE AS start, s.anc AS stage, n.name_zh, n.name_en, {agg}
        FROM f JOIN (SELECT DISTINCT enterprise_id, anc FROM es WHERE anc_level = 1) s ON s.enterprise_id = f.enterprise_id
        LEFT JOIN chain_nodes n ON n.chain = ? AND n.code = s.anc
        GROUP BY ALL ORDER BY start, stage""", bparams + [chain])
    for r in by_stage:
        d = r["start"]
        r["period"] = f"{d.year}Q{(d.month - 1) // 3 + 1}" if by == "quarter" else str(d.year)

    by_region = store.query(f"""{base}
        SELECT f.{child}_code AS region, g.name, g.name_en, {agg}
        FROM f LEFT JOIN regions g ON g.code = f.{child}_code
        WHERE f.{child}_code IS NOT NULL
        GROUP BY ALL ORDER BY amount_wan DESC, rounds DESC, region""", bparams)
    # the rounds of enterprises not placed at the sub-regions' level (no district known): not in by_region, said apart
    # so that its bars need not add up to the totals without a word
    by_region_unplaced = {
        "rounds": max(0, (totals.get("rounds") or 0) - sum(r["rounds"] for r in by_region)),
        "amount_wan": round(max(0.0, (totals.get("amount_wan") or 0) - sum(r["amount_wan"] or 0 for r in by_region)), 4)}

    # Investors: one row per (funding, investor); an investor is its id, else its name as written.
    inv_base = f"""{base},
        fi AS (SELECT DISTINCT f.id AS funding_id, f.amount_wan, f.enterprise_id, f.{child}_code AS child_code,
                      coalesce(CAST(x.investor_id AS VARCHAR), 'name:' || x.investor_name) AS ikey,
                      x.investor_id, coalesce(i.name, x.investor_name) AS name, i.type,
                      coalesce(x.is_lead, FALSE) OR (f.lead_investor_id IS NOT NULL AND f.lead_investor_id = x.investor_id) AS lead,
                      coalesce(i.province_code, ie.province_code) AS inv_province,
                      coalesce(i.city_code, ie.city_code) AS inv_city
               FROM f JOIN funding_investors x ON x.funding_id = f.id
               LEFT JOIN investors i ON i.id = x.investor_id
               LEFT JOIN enterprises ie ON ie.id = i.enterprise_id
               WHERE x.investor_id IS NOT NULL OR coalesce(x.investor_name, '') <> ''),
        fk AS (SELECT funding_id, ikey, any_value(amount_wan) AS amount_wan, any_value(enterprise_id) AS enterprise_id,
                      any_value(child_code) AS child_code, bool_or(lead) AS lead
               FROM fi GROUP BY ALL),
        top_inv AS (SELECT ikey, any_value(investor_id) AS investor_id, any_value(name) AS name, any_value(type) AS type,
                           any_value(inv_province) AS province_code, any_value(inv_city) AS city_code
                    FROM fi GROUP BY ikey),
        ranked AS (SELECT fk.ikey, count(*) AS rounds, count(fk.amount_wan) AS disclosed,
                          count(*) - count(fk.amount_wan) AS undisclosed,
                          {sum_fk} AS amount_wan, count(*) FILTER (WHERE fk.lead) AS lead_rounds,
                          count(DISTINCT fk.enterprise_id) AS enterprises
                   FROM fk GROUP BY 1 ORDER BY rounds DESC, amount_wan DESC, fk.ikey LIMIT ?)"""
    iparams = bparams + [top]
    investors = store.query(f"""{inv_base}
        SELECT r.*, t.investor_id, t.name, t.type, t.province_code, t.city_code,
               pg.name AS province_name, cg.name AS city_name
        FROM ranked r JOIN top_inv t ON t.ikey = r.ikey
        LEFT JOIN regions pg ON pg.code = t.province_code LEFT JOIN regions cg ON cg.code = t.city_code
        ORDER BY r.rounds DESC, r.amount_wan DESC, r.ikey""", iparams)
    inv_nodes = store.query(f"""{inv_base}
        SELECT fk.ikey, s.anc AS node, n.name_zh, n.name_en, count(*) AS rounds, {sum_fk} AS amount_wan
        FROM fk JOIN ranked USING (ikey) JOIN {seg2} s ON s.enterprise_id = fk.enterprise_id
        LEFT JOIN chain_nodes n ON n.chain = ? AND n.code = s.anc
        GROUP BY ALL ORDER BY fk.ikey, rounds DESC, amount_wan DESC, node""", iparams + [chain])
    inv_regions = store.query(f"""{inv_base}
        SELECT fk.ikey, fk.child_code AS region, g.name, count(*) AS rounds, {sum_fk} AS amount_wan
        FROM fk JOIN ranked USING (ikey) LEFT JOIN regions g ON g.code = fk.child_code
        WHERE fk.child_code IS NOT NULL
        GROUP BY ALL ORDER BY fk.ikey, rounds DESC, amount_wan DESC, region""", iparams)
    nodes_of: dict[str, list] = {}
    for r in inv_nodes:
        nodes_of.setdefault(r.pop("ikey"), []).append(r)
    regions_of: dict[str, list] = {}
    for r in inv_regions:
        regions_of.setdefault(r.pop("ikey"), []).append(r)
    for r in investors:
        key = r.pop("ikey")
        r["nodes"], r["nodes_more"] = nodes_of.get(key, [])[:PER_INVESTOR], max(0, len(nodes_of.get(key, [])) - PER_INVESTOR)
        r["regions"], r["regions_more"] = (regions_of.get(key, [])[:PER_INVESTOR],
                                           max(0, len(regions_of.get(key, [])) - PER_INVESTOR))

    end_cut = {"given": cut.isoformat(), "note": f"结束日期 {cut} 晚于截至日期 {d_asof}：按截至日期截止",
               "note_en": f"the end date {cut} is after the as-of date {d_asof}: cut to the as-of date"} if cut else None
    return {
        "region": None if info is None else {k: info[k] for k in ("code", "name", "name_en", "level")},
        "node": node, "chain": chain, "by": by,
        "start": d_start.isoformat() if d_start else None, "end": d_end.isoformat() if d_end else None,
        "as_of": d_asof.isoformat(),
        "child_level": child, "unit": "万元",
        "totals": totals,
        # whether any funding round is imported at all: an empty result then says "none imported yet", not "none for
        # these filters"
        "any_imported": bool(totals.get("rounds")) or bool(store.query("SELECT EXISTS (SELECT 1 FROM fundings) AS x")[0]["x"]),
        "by_period": by_period,
        "by_node": by_node,
        "by_stage": by_stage,
        "by_region": by_region,
        "by_region_unplaced": by_region_unplaced,
        "investors": investors,
        "synthetic": bool(store.synthetic),
        "undated": undated,
        # the end given after the as-of, cut to it (``end`` is the as-of then), and why, also the notes' last
        "end_cut": end_cut,
        "notes": (["产业链尚未归类：按全部企业的融资计算"] if unclassified else ["只计产业链企业（归入产业链任一环节的企业）的融资"])
        + ([f"另有 {undated:,} 轮融资没有日期，未计入"] if undated else []) + [
            "金额为披露金额与估算金额之和（万元）：来源只给出区间（数千万、近亿）的轮次取其点估计，计为估算、不计为披露；"
            "未披露金额的轮次单独计数",
            "一家企业归入多个环节时，其融资在每个环节各计一次，各环节之和可大于合计",
            "投资方金额为其参与轮次的整轮金额（各方份额通常未披露）",
        ] + ([end_cut["note"]] if end_cut else []),
        "notes_en": (["the chain is not classified yet: every enterprise's funding counts"] if unclassified
                     else ["only the fundings of chain enterprises (placed on any segment of the chain) count"])
        + ([f"{count_en(undated, 'more round')} without a date not counted"] if undated else []) + [
            "amounts are sums of disclosed and estimated amounts (10k CNY): a round the source gave as a range (tens of "
            "millions, nearly 100 million) counts at its point estimate, as estimated, not disclosed; rounds without an "
            "amount are counted apart",
            "an enterprise on several segments counts its fundings on each, so the segments can add up to more than the total",
            "an investor's amount is the whole amount of the rounds it took part in (shares are rarely disclosed)",
        ] + ([end_cut["note_en"]] if end_cut else []),
    }
