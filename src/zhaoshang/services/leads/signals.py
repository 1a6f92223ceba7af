"""The candidate pass of lead mining: one set-based SQL statement over the store.

Candidates are the enterprises existing on the date, placed on a target segment, of normal status (none whose
status says it is gone or abnormal: ``evaluation.signals.ABNORMAL``), of known location (an enterprise without any
region code may well be present in the region: it is left out and counted, ``n_unlocated``; for a city's or a
district's list, one whose province alone is known, that province the region's, is left out and counted the same way,
``n_province_only``), with
no presence in the region on that date: not registered there (as of the date, ``core.asof``), no branch or
subsidiary there (``branches`` of kind branch/subsidiary dated on or before it, or undated), and not the
majority holder of an enterprise registered there. Each gets its signals (all from facts dated on or
before the date) and its score, computed in the same statement from the weights (docs/methods.md, "Leads").
Live events registered from the team state (``evaluation.live``) count with the imported facts: live fundings as
rounds (a likely duplicate of another round counted once, ``live.rounds_sql``), live expansions as expansion news, live events with a low tone as negative news (``live_events``).
"""

from __future__ import annotations

import datetime as _dt

from ...core import dialect
from ...core.asof import enterprises_as_of, news_day
from ...core.geo.lookup import region_condition
from ..chain.primary import PRIMARY_RANK
from ..evaluation.live import EXPANSION_TYPES, FUNDING_TYPES, PRESENCE_KINDS, live_source, rounds_sql
from ..evaluation.live import sql_in
from ..evaluation.signals import ABNORMAL, date_lit, sources_present
from ..matching.profiles import open_demand_segments


def _values(pairs: dict[str, str]) -> tuple[str, list]:
    items = sorted(pairs.items()) or [("", "")]
    return "(VALUES " + ", ".join(["(?, ?)"] * len(items)) + ") AS seg(code, segment)", [x for p in items for x in p]


def _demand_segments(store, info: dict, d: _dt.date, segments: set[str], present: dict) -> tuple[str, list]:
    """The open demands of the region on ``d`` on each target segment, as the FROM item ``ds(id, segment, title)``:
    scenario matching's open demands and their segments (``matching.profiles.open_demand_segments``)."""
    rows = [r for r in open_demand_segments(store, region=info, as_of=d) if r[1] in segments] \
        if present.get("demands") else []
    if not rows:
        return "(SELECT NULL::BIGINT AS id, NULL::VARCHAR AS segment, NULL::VARCHAR AS title WHERE FALSE) AS ds", []
    return ("(VALUES " + ", ".join(["(?, ?, ?)"] * len(rows)) + ") AS ds(id, segment, title)",
            [x for r in rows for x in r])


# The kind of source each lead signal is measured from: whether one is imported by the date is the scorecard's
# rule (``evaluation.signals.sources_present``), never a check of the leads' own. Negative news is read from news
# items and live events with a tone (not from legal or risk events), so its kind is ``news``.
SOURCE_OF = {"funding": "fundings", "branches": "branches", "patents": "patents", "expansion_news": "news_events",
             "negative_news": "news"}


def measurable(store, d: _dt.date, info: dict) -> dict[str, bool]:
    """Which signals the data can measure on ``d`` for the region ``info`` (an unmeasurable one is absent: it
    lowers the confidence, never the score). Demands are the region's own: they count only demands located in
    it, so a list of another region's (or of no region's) demands leaves the signal absent here — it does not
    put it at 0 for every lead of every region and move their scores."""
    src = sources_present(store, d)
    cond_d, pd = region_condition(info, "d")
    demands = store.con.execute(f"SELECT count(*) FROM demands d WHERE {cond_d} AND (d.published IS NULL "
                                "OR d.published <= ?)", [*pd, d]).fetchone()[0]
    got = {s: src[k] for s, k in SOURCE_OF.items()}
    return {**{s: got[s] for s in ("funding", "branches", "patents", "expansion_news")}, "segment_fit": True,
            "demands": bool(demands), "local_ties": True, "reachability": False, "negative_news": got["negative_news"]}


def presence_sql(info: dict, d: _dt.date) -> tuple[str, list]:
    """The CTEs ``local`` (the enterprises of CTE ``e`` registered in the region ``info``) and ``present`` (one row
    per way an enterprise is present there on ``d``: ``how`` registered, branch or subsidiary — a ``branches`` row
    there dated on or before ``d`` or undated —, or holder — the majority holder of a local enterprise), with their
    parameters: the one definition of presence that makes an enterprise no lead of the region."""
    D = date_lit(d)
    cond_e, pe = region_condition(info, "e")
    cond_b, pb = region_condition(info, "b")
    kinds = ", ".join(f"'{k}'" for k in PRESENCE_KINDS)
    return f"""local AS (SELECT e.id, e.name FROM e WHERE {cond_e}),
present AS (SELECT id AS enterprise_id, 'registered' AS how FROM local
            UNION ALL SELECT b.parent_id, b.kind FROM branches b WHERE b.kind IN ({kinds}) AND b.parent_id IS NOT NULL
                  AND (b.date IS NULL OR b.date <= {D}) AND {cond_b}
            UNION ALL SELECT s.holder_enterprise_id, 'holder' FROM shareholdings s JOIN local l ON l.id = s.enterprise_id
                  WHERE s.holder_enterprise_id IS NOT NULL AND s.percent > 50
                    AND (s.start_date IS NULL OR s.start_date <= {D}) AND (s.end_date IS NULL OR s.end_date > {D}))""", \
        [*pe, *pb]


def presence_of(store, enterprise_id: int, info: dict, d: _dt.date) -> dict[str, int]:
    """How enterprise ``enterprise_id`` is present in the region ``info`` on ``d`` (``presence_sql``): ``{how:
    count}``, empty when it is not — when it could be one of the region's leads."""
    sql, params = presence_sql(info, d)
    rows = store.con.execute(
        f"WITH e AS (SELECT id, name, province_code, city_code, district_code FROM {enterprises_as_of(d, store)}), "
        f"{sql} SELECT how, count(*) FROM present WHERE enterprise_id = ? GROUP BY how",
        [*params, int(enterprise_id)]).fetchall()
    return {how: int(n) for how, n in rows}


def candidates_sql(store, info: dict, d: _dt.date, chain: str, codes: dict[str, str], segments: list[dict],
                   cfg: dict, present: dict[str, bool]) -> tuple[str, list]:
    """SQL and parameters: one row per candidate with its signals, normalised values and ``score``."""
    D = date_lit(d)
    seg_sql, seg_p = _values(codes)
    gap = [s["code"] for s in segments if s["gap"]] or [""]
    recd = [s["code"] for s in segments if s["recommended"]] or [""]
    present_sql, pp = presence_sql(info, d)
    # the region's province, when the region lies below one (a city, a district): an enterprise known there only by
    # that province may well be present in the region
    province = str(info["code"])[:2] + "0000" if info.get("level") in ("city", "district") else None
    dem_sql, pd = _demand_segments(store, info, d, set(codes.values()), present)
    sat = cfg["saturation"]
    full = float(cfg["funding"]["full_amount_wan"])
    neg = float(cfg["risk"]["negative_sentiment"])
    kinds = ", ".join(f"'{k}'" for k in PRESENCE_KINDS)
    w = {k: float(v["weight"]) for k, v in cfg["signals"].items()}
    W = sum(v for k, v in w.items() if present.get(k)) or 1.0

    def n(sig: str, expr: str) -> str:
        return expr if present.get(sig) else "NULL"

    norms = {
        "funding": n("funding", f"CASE WHEN coalesce(fund.rounds_12m, 0) = 0 THEN 0.0 ELSE least(1.0, 0.4 + 0.6 * "
                                f"ln(1 + coalesce(fund.amount_12m, 0)) / ln(1 + {full})) END"),
        "branches": n("branches", f"least(1.0, coalesce(br.branches_24m, 0) / {float(sat['branches'])})"),
        "patents": n("patents", f"least(1.0, greatest(0, coalesce(pat.recent, 0) - coalesce(pat.before, 0)) / {float(sat['patents'])})"),
        "expansion_news": n("expansion_news", f"least(1.0, coalesce(nw.expansion_news, 0) / {float(sat['expansion_news'])})"),
        "segment_fit": "CASE WHEN c.is_gap AND c.is_recommended THEN 1.0 WHEN c.is_gap OR c.is_recommended THEN 0.6 ELSE 0.0 END",
        "demands": n("demands", f"least(1.0, coalesce(dem.demands, 0) / {float(sat['demands'])})"),
        "local_ties": f"least(1.0, coalesce(tie.local_ties, 0) / {float(sat['local_ties'])})",
        "reachability": "NULL",
    }
    weighted = " + ".join(f"{w[k]} * coalesce(n_{k}, 0)" for k in norms if k in w)
    penalty = f"{float(cfg['risk']['penalty'])} * least(2, coalesce(negative_news, 0))" if present.get("negative_news") else "0"
    sql = f"""
WITH lv AS (SELECT * FROM ({live_source(store)}) WHERE date <= {D}),
e AS (SELECT id, name, uscc, status, province_code, city_code, district_code FROM {enterprises_as_of(d, store)}),
node AS (SELECT enterprise_id, arg_max(node_code, {PRIMARY_RANK}) AS node, max(confidence) AS node_confidence
          FROM placements WHERE chain = ? GROUP BY enterprise_id),
seg AS (SELECT * FROM {seg_sql}),
{present_sql},
placed AS (SELECT e.id, e.name, e.uscc, e.status, e.city_code, e.district_code, node.node, node.node_confidence, seg.segment,
                  -- location unknown: no region code at all, so whether it is present in the region is unknown
                  (e.province_code IS NULL AND e.city_code IS NULL AND e.district_code IS NULL) AS unlocated,
                  -- the province alone known, and it holds the region (a city's list): present or not is unknown
                  (e.city_code IS NULL AND e.district_code IS NULL AND e.province_code = ?) AS province_only,
                  seg.segment IN ({', '.join('?' * len(gap))}) AS is_gap,
                  seg.segment IN ({', '.join('?' * len(recd))}) AS is_recommended
           FROM e JOIN node ON node.enterprise_id = e.id JOIN seg ON seg.code = node.node
           WHERE e.id NOT IN (SELECT enterprise_id FROM present)),
normal AS (SELECT * FROM placed WHERE NOT regexp_matches(coalesce(status, ''), '{ABNORMAL}')),
c AS (SELECT * FROM normal WHERE NOT unlocated AND NOT coalesce(province_only, FALSE)),
fund AS (SELECT f.enterprise_id,
                count(*) FILTER (WHERE f.date > {D} - INTERVAL 365 DAY) AS rounds_12m,
                {dialect.current().exact_sum("f.amount_wan", where=f"f.date > {D} - INTERVAL 365 DAY", none=None)} AS amount_12m,
                arg_max(f.round, f.date) FILTER (WHERE f.date > {D} - INTERVAL 365 DAY) AS round_12m,
                arg_max(f.amount_text, f.date) FILTER (WHERE f.date > {D} - INTERVAL 365 DAY) AS amount_text_12m,
                coalesce(bool_or(f.amount_low_wan < f.amount_high_wan) FILTER (WHERE f.date > {D} - INTERVAL 365 DAY),
                         FALSE) AS amount_estimated_12m,
                coalesce(bool_or(f.currency <> 'CNY') FILTER (WHERE f.date > {D} - INTERVAL 365 DAY),
                         FALSE) AS amount_converted_12m,
                {dialect.current().exact_sum("f.amount_wan")} AS raised_total,
                -- the rounds counted, latest first (a live round, a negative id, is listed with the live events)
                list(struct_pack(id := f.id, date := f.date, round := f.round) ORDER BY f.date DESC, f.id)
                    FILTER (WHERE f.date > {D} - INTERVAL 365 DAY AND f.id > 0) AS round_rows
         FROM ({rounds_sql(store, D)}) f
         JOIN c ON c.id = f.enterprise_id GROUP BY 1),
br AS (SELECT b.parent_id AS enterprise_id, count(*) AS branches_24m,
              list_sort(list(DISTINCT coalesce(r.short_name, r.name, b.city_code))) AS branch_cities,
              list_sort(list(DISTINCT coalesce(r.name_en, r.short_name, r.name, b.city_code))) AS branch_cities_en,
              list(struct_pack(id := b.id, name := b.child_name, city := coalesce(r.short_name, r.name, b.city_code),
                               city_en := coalesce(r.name_en, r.short_name, r.name, b.city_code), date := b.date)
                   ORDER BY b.date DESC, b.id) AS branch_rows
       FROM branches b JOIN c ON c.id = b.parent_id LEFT JOIN regions r ON r.code = b.city_code
       WHERE b.kind IN ({kinds}) AND b.date <= {D} AND b.date > {D} - INTERVAL 730 DAY
         AND b.city_code IS DISTINCT FROM c.city_code GROUP BY 1),
pat AS (SELECT a.enterprise_id, count(DISTINCT p.id) FILTER (WHERE p.applied > {D} - INTERVAL 730 DAY) AS recent,
               count(DISTINCT p.id) FILTER (WHERE p.applied <= {D} - INTERVAL 730 DAY
                                            AND p.applied > {D} - INTERVAL 1460 DAY) AS before,
               list(DISTINCT struct_pack(id := p.id, number := p.number, applied := p.applied))
                   FILTER (WHERE p.applied > {D} - INTERVAL 730 DAY) AS patent_rows
        FROM patent_applicants a JOIN c ON c.id = a.enterprise_id JOIN patents p ON p.id = a.patent_id
        WHERE p.applied <= {D} GROUP BY 1),
nw AS (SELECT n.enterprise_id, count(DISTINCT n.id) FILTER (WHERE n.event_type = 'expansion') AS expansion_news,
              count(DISTINCT n.id) FILTER (WHERE n.sentiment <= {neg}) AS negative_news,
              list(DISTINCT struct_pack(id := n.id, day := n.day)) FILTER (WHERE n.event_type = 'expansion' AND n.id > 0)
                  AS expansion_news_rows,
              list(DISTINCT struct_pack(id := n.id, day := n.day)) FILTER (WHERE n.sentiment <= {neg} AND n.id > 0)
                  AS negative_news_rows
       FROM (SELECT m.enterprise_id, n.id, n.event_type, n.sentiment, {news_day()} AS day
             FROM news_mentions m JOIN news n ON n.id = m.news_id
             UNION ALL SELECT enterprise_id, -id, CASE WHEN type IN {sql_in(EXPANSION_TYPES)} THEN 'expansion' END,
                              sentiment, date FROM lv) n
       JOIN c ON c.id = n.enterprise_id
       WHERE n.day <= {D} AND n.day > {D} - INTERVAL 365 DAY GROUP BY 1),
lvk AS (SELECT enterprise_id, list_sort(list(key)) AS live_events FROM lv
        WHERE (type IN {sql_in(FUNDING_TYPES + EXPANSION_TYPES)} OR sentiment <= {neg})
          AND date > {D} - INTERVAL 365 DAY GROUP BY 1),
dem AS (SELECT ds.segment, count(DISTINCT ds.id) AS demands, arg_min(ds.title, ds.id) AS demand_example,
               list_sort(list(DISTINCT ds.id)) AS demand_ids
        FROM {dem_sql} GROUP BY 1),
ties AS (SELECT s.enterprise_id AS cid, 'investor' AS kind, l.id AS lid, l.name AS lname
         FROM shareholdings s JOIN c ON c.id = s.enterprise_id JOIN local l ON l.id = s.holder_enterprise_id
         WHERE s.start_date IS NULL OR s.start_date <= {D}
         UNION SELECT f.enterprise_id, 'investor', l.id, l.name FROM fundings f JOIN c ON c.id = f.enterprise_id
               JOIN funding_investors fi ON fi.funding_id = f.id JOIN investors i ON i.id = fi.investor_id
               JOIN local l ON l.id = i.enterprise_id WHERE f.date <= {D}
         UNION SELECT s.holder_enterprise_id, 'investee', l.id, l.name FROM shareholdings s
               JOIN c ON c.id = s.holder_enterprise_id JOIN local l ON l.id = s.enterprise_id
               WHERE s.start_date IS NULL OR s.start_date <= {D}
         UNION SELECT b.parent_id, 'investee', l.id, l.name FROM branches b JOIN c ON c.id = b.parent_id
               JOIN local l ON l.id = b.child_id WHERE b.kind = 'investment' AND (b.date IS NULL OR b.date <= {D})
         UNION SELECT a1.enterprise_id, 'co_applicant', l.id, l.name FROM patent_applicants a1
               JOIN c ON c.id = a1.enterprise_id JOIN patents p ON p.id = a1.patent_id
               JOIN patent_applicants a2 ON a2.patent_id = a1.patent_id AND a2.enterprise_id <> a1.enterprise_id
               JOIN local l ON l.id = a2.enterprise_id WHERE p.applied <= {D}),
tie AS (SELECT cid AS enterprise_id, count(DISTINCT lid) AS local_ties, arg_min(lname, (kind, lid)) AS tie_example,
               min(kind) AS tie_kind, arg_min(lid, (kind, lid)) AS tie_example_id,
               list(DISTINCT struct_pack(id := lid, name := lname, kind := kind)) AS tie_rows
        FROM ties GROUP BY 1),
-- a district's list: branches and subsidiaries in the district's city whose district the data do not give — they
-- may lie in the district; said with the lead (区县未知), not counted (docs/methods.md, "Leads")
near AS (SELECT b.parent_id AS enterprise_id,
                list(struct_pack(id := b.id, name := b.child_name, kind := b.kind) ORDER BY b.id) AS near_rows
         FROM branches b JOIN c ON c.id = b.parent_id
         WHERE ? AND b.kind IN ({kinds}) AND (b.date IS NULL OR b.date <= {D}) AND b.city_code = ?
           AND b.district_code IS NULL GROUP BY 1),
sig AS (
  SELECT c.id AS enterprise_id, c.name, c.uscc, c.city_code, c.district_code, c.node, c.node_confidence, c.segment, c.is_gap, c.is_recommended,
         coalesce(fund.rounds_12m, 0) AS rounds_12m, fund.amount_12m, fund.round_12m, fund.amount_text_12m,
         coalesce(fund.amount_estimated_12m, FALSE) AS amount_estimated_12m,
         coalesce(fund.amount_converted_12m, FALSE) AS amount_converted_12m,
         coalesce(fund.raised_total, 0) AS raised_total, fund.round_rows, br.branch_rows, pat.patent_rows,
         nw.expansion_news_rows, nw.negative_news_rows, dem.demand_ids, tie.tie_rows, near.near_rows,
         coalesce(br.branches_24m, 0) AS branches_24m, br.branch_cities, br.branch_cities_en,
         coalesce(pat.recent, 0) AS patents_24m, coalesce(pat.before, 0) AS patents_prev_24m,
         coalesce(nw.expansion_news, 0) AS expansion_news, coalesce(nw.negative_news, 0) AS negative_news,
         coalesce(dem.demands, 0) AS demands, dem.demand_example,
         coalesce(tie.local_ties, 0) AS local_ties, tie.tie_example, tie.tie_example_id, tie.tie_kind,
         lvk.live_events,
         {', '.join(f'{expr} AS n_{k}' for k, expr in norms.items())}
  FROM c LEFT JOIN fund ON fund.enterprise_id = c.id LEFT JOIN br ON br.enterprise_id = c.id
  LEFT JOIN pat ON pat.enterprise_id = c.id LEFT JOIN nw ON nw.enterprise_id = c.id
  LEFT JOIN dem ON dem.segment = c.segment LEFT JOIN tie ON tie.enterprise_id = c.id
  LEFT JOIN lvk ON lvk.enterprise_id = c.id LEFT JOIN near ON near.enterprise_id = c.id)
SELECT *, 100.0 * ({weighted}) / {W} AS base_score, {penalty} AS risk_penalty,
       greatest(0.0, 100.0 * ({weighted}) / {W} - {penalty}) AS score,
       (SELECT count(*) FROM placed) AS n_placed, (SELECT count(*) FROM c) AS n_candidates,
       (SELECT count(*) FROM normal WHERE unlocated) AS n_unlocated,
       (SELECT count(*) FROM normal WHERE province_only) AS n_province_only
FROM sig"""
    district = info.get("level") == "district"
    city = str(info["code"])[:4] + "00" if district else None
    params = [chain, *seg_p, *pp, province, *gap, *recd, *pd, district, city]
    return sql, params
