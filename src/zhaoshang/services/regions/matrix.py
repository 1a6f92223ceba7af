"""The region × chain matrix: counts, shares, location quotients and 强链 / 补链 / 延链 labels.

Definitions (docs/methods.md, "Region × chain matrix"):

- an enterprise is *active* on a date D when ``founded`` is NULL or ≤ D and it had not ended by D (``core.asof.end_day``:
  ``dissolved``, or a status saying it ended: 注销, 吊销, 已关闭);
  it counts in the region it was registered in on D (``core.asof``: history replayed); only enterprises
  located in China (``province_code`` not NULL) count; D defaults to ``core.asof.reference_date``;
- an enterprise counts for node n when it is placed on n or on any descendant of n (distinct enterprises);
- ``n_rn`` region r's count on node n; ``n_r`` region r's placed enterprises (any node of the chain);
  ``N_n`` national count on n; ``N`` national placed enterprises;
- ``share = n_rn / N_n`` (the region's share of the nation's node), ``lq = (n_rn / n_r) / (N_n / N)``;
- status: ``strong`` (LQ ≥ 1.2 and n_rn ≥ 3), ``missing`` (n_rn = 0), ``weak`` (0 < n_rn, LQ < 0.5),
  ``average`` otherwise; labels: strong → 强链, missing/weak → 补链, average → 延链 only when the node lies
  next to the links the region holds (its segment's relatedness density at or above the region's median,
  ``related_segments``), else no label. A node that no enterprise of the nation occupies has no label.

Every function is set-based SQL over ``placements ⋈ enterprises`` and takes ``as_of``.
"""

from __future__ import annotations

import datetime as _dt
import re
import threading
from typing import Any, Iterable

from ...core import dialect
from ...core.asof import (REGION_FIELDS, TRACKED_FIELDS, _changed_after, end_day, enterprises_as_of, generation_memo,
                          reference_date)
from ...core.errors import UserError
from .nodes import check_node as _check_node, chain_node, default_chain, node_not_found, not_classified  # noqa: F401  (named here by many callers)
from ..ranking import by_capital

# the top enterprises without a registered capital (``top_enterprises``, ``order="auto"``): listed first, then by
# the funding raised to the date, rounds, name; those with a capital by it, ties by id (services/ranking.py)
UNKNOWN_CAPITAL = "_listed DESC, _funding DESC NULLS LAST, _rounds DESC NULLS LAST, name"

STRONG_LQ = 1.2
WEAK_LQ = 0.5
MIN_STRONG = 3
LEVELS = ("province", "city", "district", "macro")
METRICS = ("count", "share", "lq")

LABEL_OF_STATUS = {"strong": "强链", "weak": "补链", "missing": "补链", "average": "延链"}
LABEL_EN = {"强链": "strengthen", "补链": "fill", "延链": "extend"}
STATUS_ZH = {"strong": "优势", "average": "一般", "weak": "薄弱", "missing": "缺失"}


# ---------------------------------------------------------------------------------------------- helpers
def _located(store, d: _dt.date, fields=REGION_FIELDS) -> str:
    """The enterprises existing on ``d`` with ``fields`` as they were then (``core.asof``); callers add
    ``e.province_code IS NOT NULL`` (located in China)."""
    return enterprises_as_of(d, store, fields)


def classify_cell(count: int, lq: float | None, national: int, *, strong_lq: float = STRONG_LQ,
                  weak_lq: float = WEAK_LQ, min_strong: int = MIN_STRONG,
                  related: bool = False) -> tuple[str | None, str | None]:
    """(status, label) of one region × node cell. ``related``: the node lies next to the links the region holds
    (``related_segments``); an ``average`` node is 延链 only then, else it has no label (一般: hold, no action)."""
    if not national:
        return None, None
    if count == 0:
        status = "missing"
    elif lq is not None and lq >= strong_lq and count >= min_strong:
        status = "strong"
    elif lq is not None and lq < weak_lq:
        status = "weak"
    else:
        status = "average"
    if status == "average" and not related:
        return status, None
    return status, LABEL_OF_STATUS[status]


def related_segments(store, chain: str, level: str, d: _dt.date) -> dict[str, set[str]]:
    """Region code → the segments that lie next to the links the region holds: those whose relatedness density
    ω (the share of the segment's proximity mass on the segments the region holds, RCA ≥ 1; the differentiated
    path's feasibility, ``recommend.segment_space``) is at or above the region's median ω over the segments.
    An ``average`` node is 延链 (extend along the chain from the links it holds) only when its segment is one of
    them. The matrix is the nation's at ``level`` (a macro-region's: itself beside the rest of the nation,
    ``recommend.space_level``), kept once per served generation and date."""
    from .. import recommend as rec

    cfg = rec.load_config()
    seg_level, thr = int(cfg["segment_level"]), float(cfg["rca_threshold"])

    def compute() -> dict[str, set[str]]:
        if level == "macro":  # each macro-region on its own matrix (itself beside the rest of the nation)
            out = {}
            for m in load_macros(store):
                regions, nodes, _X, cx = rec.segment_space(store, chain, rec.MACRO_SPACE + m["code"], seg_level, d, thr)
                out.update(_median_related(regions, nodes, cx, only=m["code"]))
            return out
        regions, nodes, _X, cx = rec.segment_space(store, chain, level, seg_level, d, thr)
        return _median_related(regions, nodes, cx)

    def _median_related(regions, nodes, cx, only: str | None = None) -> dict[str, set[str]]:
        import numpy as np

        out = {}
        for i, code in enumerate(regions):
            if only is not None and code != only:
                continue
            w = cx.density[i]
            ok = np.isfinite(w)
            if not ok.any():
                out[code] = set()
                continue
            med = float(np.median(w[ok]))
            out[code] = {nodes[j] for j in range(len(nodes)) if ok[j] and w[j] >= med}
        return out

    return generation_memo(store, ("related_segments", chain, level, seg_level, d, thr), compute)


def _related_nodes(store, chain: str, segments: set[str]) -> set[str]:
    """The chain nodes related to the region through ``segments``: the segments themselves, the nodes below them
    (a sub-node shares its segment's relatedness) and the nodes above any of them (a stage holds one)."""
    pairs = _closure_pairs(store, chain)
    return {c for c, a in pairs if a in segments} | {a for c, a in pairs if c in segments}


def _active_sql(alias: str = "e") -> str:
    """Existing on a date (two parameters) and located in China: for the prepared table, whose region codes
    are the current ones (used only when no region changed after the date)."""
    return (f"({alias}.founded IS NULL OR {alias}.founded <= ?) AND ({alias}.dissolved IS NULL OR {alias}.dissolved > ?)"
            f" AND {alias}.province_code IS NOT NULL")


def _parents(store, chain: str) -> dict[str, str | None]:
    return dict(generation_memo(store, ("parents", chain), lambda: {r[0]: r[1] for r in store.con.execute(
        "SELECT code, nullif(parent_code, '') FROM chain_nodes WHERE chain = ?", [chain]).fetchall()}))


def _closure_pairs(store, chain: str) -> list[tuple[str, str]]:
    """(code, ancestor) for every node of the chain, itself included (the taxonomy is small: done in Python)."""
    parent = _parents(store, chain)
    pairs = []
    for code in parent:
        a, seen = code, set()
        while a and a not in seen:
            pairs.append((code, a))
            seen.add(a)
            a = parent.get(a)
    return pairs


def descendants(store, chain: str, node: str) -> list[str]:
    """``node`` and every node below it."""
    return sorted({c for c, a in _closure_pairs(store, chain) if a == node} | {node})


def _anc_values(store, chain: str) -> tuple[str, list]:
    """An inline ``anc(code, ancestor)`` relation; placement codes outside the taxonomy map to themselves
    through ``coalesce(anc.ancestor, p.node_code)`` after a LEFT JOIN."""
    pairs = _closure_pairs(store, chain) or [("", "")]
    return ("(VALUES " + ",".join(["(?, ?)"] * len(pairs)) + ") anc(code, ancestor)", [x for p in pairs for x in p])


def _in_list(values: list[str]) -> str:
    return "(" + ",".join("?" * len(values)) + ")"


def load_macros(store=None) -> list[dict]:
    """Macro-regions as ``[{code, name, name_en, members: [region codes]}]`` (the region service's list)."""
    from ...core.geo.lookup import macro_regions

    return [{"code": m.code, "name": m.name, "name_en": m.name_en, "members": list(m.members)} for m in macro_regions()]


def _region_row(store, code: str) -> dict:
    """A single region (not a macro-region) from a code, name or path, through the region service."""
    from ...core.geo.lookup import resolve_region

    return resolve_region(store, code, macro=False).as_dict()


def _check_below(parent: dict, level: str) -> None:
    """A level above the parent's has no region under it (provinces under 杭州市): refused saying so, where the rows
    were none, without a word."""
    from ...core.geo.lookup import LEVEL_NAMES, LEVELS as tiers

    if tiers.index(level) >= tiers.index(parent["level"]):
        return
    name, name_en = parent["name"], parent.get("name_en") or parent["name"]
    below = tiers[tiers.index(parent["level"]) + 1] if parent["level"] != "district" else None
    raise UserError(f"{name}是{LEVEL_NAMES[parent['level']].zh}，其下没有{LEVEL_NAMES[level].zh}地区：层级 {level} 在它之上"
                    + (f"；它的下级是{LEVEL_NAMES[below].zh}（{below}）" if below else "；区县之下没有更细的层级"),
                    f"{name_en} is a {parent['level']}: no {LEVEL_NAMES[level].en_plural} lie under it (level {level} is above it)"
                    + (f"; the regions under it are its {LEVEL_NAMES[below].en_plural} ({below})" if below else
                       "; no level lies under a district"))


def _region_filter(store, region: str | None, macros: list[dict] | None) -> tuple[str, list, dict | None]:
    """SQL condition on ``e`` selecting the enterprises of a region (province, city, district or macro)."""
    from ...core.geo.lookup import region_condition, region_info

    if not region:
        return "TRUE", [], None
    for m in (macros or []):  # macro-regions given by the caller (the package's own are in the region service)
        if region in (m["code"], m["name"]):
            reg = {"code": m["code"], "name": m["name"], "level": "macro", "members": m["members"]}
            return (*region_condition(reg, "e"), reg)
    reg = region_info(store, region)
    return (*region_condition(reg, "e"), reg)


# ------------------------------------------------------------------------------------------ region map
# the LQ of a region is its share of a segment's enterprises over the nation's: without a segment there is none, and
# the map, ``/api/map`` and ``map`` say so in these words (and show the counts) rather than a map of zeros
LQ_NEEDS_NODE = ("区位商（LQ）按产业链环节计算：请先选定一个环节；未选定环节时只显示企业数",
                 "The location quotient (LQ) is computed for a chain segment: choose a segment first; "
                 "without one, only the enterprise counts are shown")


def metric_note(store, metric: str, node: str | None, *, chain: str | None = None) -> tuple[str, str] | None:
    """``LQ_NEEDS_NODE`` when ``metric`` is the LQ and ``node`` names no segment (none, or the whole chain)."""
    return LQ_NEEDS_NODE if metric == "lq" and not chain_node(store, chain or default_chain(store), node) else None


def region_map(store, level: str = "province", parent: str | None = None, node: str | None = None,
               as_of: Any = None, metric: str = "count", *, chain: str | None = None,
               macros: list[dict] | None = None, top: int = 0, min_strong: int = MIN_STRONG) -> list[dict]:
    """One row per region of ``level`` (children of ``parent`` when given) with its count on ``node``
    (all placed enterprises when ``node`` is None), share of the national total, LQ and label.

    Rows are sorted by ``metric`` (count | share | lq) descending; ``value`` holds that metric.
    ``top`` > 0 adds the region's top enterprises on the node (by registered capital).
    """
    if level not in LEVELS:
        raise UserError(f"层级无效: {level}（可选 {'|'.join(LEVELS)}）", f"invalid level: {level} (one of {'|'.join(LEVELS)})")
    if metric not in METRICS:
        raise UserError(f"指标无效: {metric}（可选 {'|'.join(METRICS)}）", f"invalid metric: {metric} (one of {'|'.join(METRICS)})")
    d = reference_date(store, as_of)
    chain = chain or default_chain(store)
    node = chain_node(store, chain, node)

    # the regions to report (code, name, level, parent, lng, lat) and how enterprises map onto them
    if level == "macro":
        if parent:  # macro-regions overlap and lie under no region: a parent would be ignored, not applied
            from ...core.geo.lookup import region_info

            region_info(store, parent)  # an unknown parent is not found, as at every level (404 on the web)
            raise UserError(f"宏观区域（层级 macro）不在任何地区之下，无法按上级地区 {parent} 列出；"
                            f"要列出 {parent} 的下级地区，请用层级 province、city 或 district",
                            f"macro-regions (level macro) lie under no region, so they cannot be listed under {parent}; "
                            f"to list the regions under {parent}, use level province, city or district")
        ms = macros if macros is not None else load_macros(store)
        if not ms:
            raise UserError("未定义宏观区域（macro-regions）", "no macro-regions are defined")
        reg_values = []
        mem_values = []
        for m in ms:
            reg_values.append((m["code"], m["name"], m.get("name_en") or m["name"]))
            for c in m["members"]:
                mem_values.append((m["code"], c))
        if not mem_values:
            mem_values = [("-", "-")]
        reg_sql = "SELECT r.code, r.name, r.name_en, 'macro' AS level, NULL AS parent_code, NULL::DOUBLE AS lng, " \
            "NULL::DOUBLE AS lat FROM (VALUES " + ",".join(["(?, ?, ?)"] * len(reg_values)) + ") r(code, name, name_en)"
        reg_params = [x for v in reg_values for x in v]
        mem_sql = "(VALUES " + ",".join(["(?, ?)"] * len(mem_values)) + ") mm(macro, member)"
        mem_params = [x for v in mem_values for x in v]
        # an enterprise belongs to a macro when its province, city or district is a member (core.geo.lookup)
        assign_sql = f"""SELECT DISTINCT mm.macro AS rcode, a.id FROM act a JOIN {mem_sql}
                         ON mm.member IN (a.province_code, a.city_code, a.district_code)"""
        assign_params = mem_params
    else:
        from ...core.geo.lookup import units_sql

        # at the city level, the province-administered county-level units (石河子, 仙桃) are their own city (core.geo)
        where, reg_params = [units_sql(level, "r")], []
        if parent:
            prow = _region_row(store, parent)
            _check_below(prow, level)
            col = {"province": "province_code", "city": "city_code", "district": "code"}[prow["level"]]
            where.append(f"r.{col} = ?")
            reg_params.append(prow["code"])
        reg_sql = ("SELECT r.code, coalesce(r.short_name, r.name) AS short, r.name, r.name_en, r.level, r.parent_code, r.lng, r.lat "
                   f"FROM regions r WHERE {' AND '.join(where)}")
        col = {"province": "province_code", "city": "city_code", "district": "district_code"}[level]
        assign_sql = f"SELECT a.{col} AS rcode, a.id FROM act a WHERE a.{col} IS NOT NULL"
        assign_params = []

    desc = descendants(store, chain, node) if node else []
    from . import stored

    cache = (getattr(store, "matrix_cache", None) or {}).get(chain) or stored.cache_entry(store, chain)
    if cache and _changed_after(store, d, REGION_FIELDS):
        cache = None  # the prepared table holds today's regions: replay history instead
    if cache and cache.get("counts") and d == cache["d"] and (level != "macro" or macros is None):
        # the stored counts on the reference date (stored.py): no scan at all
        rows = stored.map_rows(store, cache, reg_sql, reg_params, level, node)
    else:
        rows = store.query(*_scan_sql(store, cache, d, node, desc, chain, assign_sql, assign_params, reg_sql, reg_params))
    out = []
    rel = related_segments(store, chain, level, d) if node else {}
    # the node is related to a region's links when one of its segments (itself, above or below it) is: the same
    # 延链 as chain_tree gives the cell
    near = {a for c, a in _closure_pairs(store, chain) if c == node} | set(desc) | {node} if node else set()
    for r in rows:
        n_rn, n_r, big_nn, big_n = r["count"], r["region_total"], r["national_count"], r["national_total"]
        share = n_rn / big_nn if big_nn else 0.0
        lq = (n_rn / n_r) / (big_nn / big_n) if (node and n_r and big_nn and big_n) else None
        status, label = classify_cell(n_rn, lq, big_nn, min_strong=min_strong,
                                      related=bool(near & rel.get(r["code"], set()))) if node else (None, None)
        row = {
            "code": r["code"], "name": r["name"], "name_en": r.get("name_en"), "level": r["level"],
            "parent_code": r.get("parent_code"), "lng": r.get("lng"), "lat": r.get("lat"),
            "count": int(n_rn), "share": share, "lq": lq, "region_total": int(n_r),
            "national_count": int(big_nn), "national_total": int(big_n),
            "status": status, "label": label,
        }
        # no LQ without a node (``metric_note``): no value, not a 0 that reads as a region without the segment
        row["value"] = row[metric] if row[metric] is not None else (None if metric == "lq" and not node else 0)
        out.append(row)
    out.sort(key=lambda x: (-(x["value"] or 0), -x["count"], x["code"]))
    if top and out:
        tops = top_enterprises(store, [x["code"] for x in out if x["count"]], level, node=node, as_of=d,
                               chain=chain, limit=top, macros=macros)
        for x in out:
            x["top"] = tops.get(x["code"], [])
    return out



def placed_total(store, node: str | None = None, as_of: Any = None, *, chain: str | None = None) -> int:
    """All the chain's enterprises existing on the date placed on ``node`` (or a descendant; anywhere on the chain
    when None), located or not — the library's count of ``node=ai``; the map counts the located ones alone."""
    d = reference_date(store, as_of)
    chain = chain or default_chain(store)
    node = chain_node(store, chain, node)
    test, params = ("", [chain]) if not node else \
        (f" AND p.node_code IN {_in_list(desc := descendants(store, chain, node))}", [chain] + desc)
    return int(store.con.execute(
        f"SELECT count(*) FROM {_located(store, d)} e "
        f"WHERE e.id IN (SELECT p.enterprise_id FROM placements p WHERE p.chain = ?{test})", params).fetchone()[0])


def unplaced(store, parent: str | None, level: str, node: str | None = None, as_of: Any = None, *,
             chain: str | None = None, rows: list[dict] | None = None) -> int | None:
    """How many of ``parent``'s enterprises (on ``node``; all placed ones when None) no region of ``level`` below it
    holds — a province's enterprises without a city when the map drills to its cities: the parent's count less
    its children's, which ``region_map`` leaves out of the children's rows (the pages say so, never in silence).
    Without a parent, the nation's: the placed enterprises (``placed_total``) no region of ``level`` holds — those
    with no region in China (none known, or abroad) at the province level. ``rows``: the level's rows, when
    already counted. None for macro-regions, which overlap and cover no whole."""
    if level == "macro":
        return None
    if parent:
        info = _region_row(store, parent)
        own = region_map(store, info["level"], parent=info["code"], node=node, as_of=as_of, chain=chain)
        whole = sum(r["count"] for r in own if r["code"] == info["code"])
        parent = info["code"]
    else:
        whole = placed_total(store, node, as_of, chain=chain)
    if rows is None:
        rows = region_map(store, level, parent=parent, node=node, as_of=as_of, chain=chain)
    return max(0, whole - sum(r["count"] for r in rows))


def _scan_sql(store, cache, d, node, desc, chain, assign_sql, assign_params, reg_sql, reg_params) -> tuple[str, list]:
    """The map's rows computed from the prepared per-enterprise table (``cache``) or from the base tables."""
    if cache:
        # the prepared per-enterprise table (see ``prepare_cache``): one scan, no join
        if not node:
            test, tparams = "TRUE", []
        elif cache["bits"] is not None:
            mask = 0
            for c in desc:
                if c in cache["bits"]:
                    mask |= 1 << cache["bits"][c]
            test, tparams = "(e.mask & ?::UBIGINT) <> 0", [mask]
        else:
            test, tparams = "list_has_any(e.nodes, ?::VARCHAR[])", [desc]
        act_sql = (f"SELECT e.id, e.province_code, e.city_code, e.district_code, {test} AS innode, e.w "
                   f"FROM {_cell_table(store, cache, d)} e")
        head_params = tparams
        pe_sql = ""
    else:
        innode_expr = f"bool_or(p.node_code IN {_in_list(desc)})" if node else "TRUE"
        # one pass over placements (per enterprise: placed? on the node?), one join, one GROUP BY
        pe_sql = f"pe AS (SELECT p.enterprise_id AS id, {innode_expr} AS innode FROM placements p WHERE p.chain = ? GROUP BY 1),"
        act_sql = (f"SELECT e.id, e.province_code, e.city_code, e.district_code, pe.innode, 1 AS w FROM {_located(store, d)} e "
                   f"JOIN pe ON pe.id = e.id WHERE e.province_code IS NOT NULL")
        head_params = desc + [chain]
    sql = f"""
    WITH {pe_sql}
    act AS ({act_sql}),
    assign AS ({assign_sql.replace("SELECT DISTINCT mm.macro AS rcode, a.id", "SELECT DISTINCT mm.macro AS rcode, a.id, a.innode, a.w").replace("SELECT a.", "SELECT a.innode, a.w, a.")}),
    per AS (SELECT s.rcode, sum(s.w) AS n_r, coalesce(sum(s.w) FILTER (WHERE s.innode), 0) AS n_rn FROM assign s GROUP BY s.rcode),
    nat AS (SELECT coalesce(sum(w), 0) AS big_n, coalesce(sum(w) FILTER (WHERE innode), 0) AS big_nn FROM act),
    regs AS ({reg_sql})
    SELECT regs.*, coalesce(per.n_rn, 0) AS count, coalesce(per.n_r, 0) AS region_total,
           nat.big_nn AS national_count, nat.big_n AS national_total
    FROM regs LEFT JOIN per ON per.rcode = regs.code CROSS JOIN nat
    """
    return sql, head_params + assign_params + reg_params


_CELL_LOCK = threading.Lock()


def _cell_table(store, cache: dict, d: _dt.date) -> str:
    """The prepared table counted once per date: one row per (region codes, node set) of the enterprises
    active on ``d`` with their number ``w`` — a few thousand rows the map sums instead of every enterprise.
    Built on the first map of the date (a served generation keeps the last few dates)."""
    with _CELL_LOCK:
        cells = cache.setdefault("cells", {})
        if d not in cells:
            if len(cells) >= 4:
                store.con.execute(f"DROP TABLE IF EXISTS {cells.pop(next(iter(cells)))}")
            name = f"{cache.get('cells_prefix', cache['table'])}_{d:%Y%m%d}"
            col = "mask" if cache["bits"] is not None else "nodes"
            temp = "TEMP " if cache.get("cells_temp") else ""  # beside a stored table a reader may not write
            store.con.execute(f"""CREATE OR REPLACE {temp}TABLE {name} AS
                SELECT row_number() OVER () AS id, province_code, city_code, district_code, {col}, count(*) AS w
                FROM {cache['table']} e WHERE {_active_sql()} GROUP BY ALL
                ORDER BY province_code, city_code, district_code""", [d, d])  # a region's cells: a few row groups
            cells[d] = name
        return cells[d]


def prepare_cache(store, chain: str | None = None, schema: str = "memory") -> str:
    """Materialise one row per placed, located enterprise with the list of its nodes (``id``, region
    codes, ``founded``, ``dissolved`` — the day it ended, ``core.asof.end_day`` —, ``nodes``) in the writable catalog ``schema`` and register it on the
    store (``store.matrix_cache[chain]``), so ``region_map`` scans it instead of joining placements each
    time. For a database that does not change while it is served (the web app opens it read-only)."""
    chain = chain or default_chain(store)
    from . import stored

    entry = stored.cache_entry(store, chain)
    if entry:  # the tables the last update kept up to date (stored.py): nothing to build
        entry = {**entry, "cells_prefix": f"{schema}.zs_matrix_cells_{re.sub(r'[^0-9A-Za-z_]', '_', chain)}",
                 "cells_temp": False}
        store.matrix_cache = {**(getattr(store, "matrix_cache", None) or {}), chain: entry}
        store.chain_default = chain
        return entry["table"]
    name = f"{schema}.zs_matrix_{re.sub(r'[^0-9A-Za-z_]', '_', chain)}"
    codes = sorted({c for c, _ in _closure_pairs(store, chain)} | {r[0] for r in store.con.execute(
        "SELECT DISTINCT node_code FROM placements WHERE chain = ?", [chain]).fetchall()})
    if len(codes) <= 64:  # a bit per node: the node test is one AND
        bits = "(VALUES " + ",".join(["(?, ?)"] * len(codes)) + ") k(code, bit)"
        agg = f"SELECT enterprise_id, bit_or((1::UBIGINT) << k.bit) AS mask FROM placements JOIN {bits} ON k.code = node_code WHERE chain = ? GROUP BY 1"
        params = [x for i, c in enumerate(codes) for x in (c, i)] + [chain]
        col = "p.mask"
    else:
        agg = "SELECT enterprise_id, list(DISTINCT node_code) AS nodes FROM placements WHERE chain = ? GROUP BY 1"
        params, col = [chain], "p.nodes"
    ends, ended = end_day("e")
    store.con.execute(f"""
        CREATE OR REPLACE TABLE {name} AS
        SELECT e.id, e.province_code, e.city_code, e.district_code, e.founded, {ended} AS dissolved, {col}
        FROM enterprises e JOIN ({agg}) p ON p.enterprise_id = e.id {ends}
        WHERE e.province_code IS NOT NULL""", params)
    cache = dict(getattr(store, "matrix_cache", None) or {})
    cache[chain] = {"table": name, "bits": {c: i for i, c in enumerate(codes)} if len(codes) <= 64 else None}
    store.matrix_cache = cache
    store.chain_default = chain
    return name


def top_enterprises(store, regions: Iterable[str], level: str, *, node: str | None = None, as_of: Any = None,
                    chain: str | None = None, limit: int = 5, macros: list[dict] | None = None,
                    order: str = "capital") -> dict[str, list[dict]]:
    """The top ``limit`` enterprises (by registered capital, then name) of each region on ``node``.

    ``order="auto"``: the enterprises with a registered capital by it, whatever share of the region's have one (a
    region of IT桔子 start-ups without capital keeps its listed companies at the top, ranked by capital); then those
    without, the listed ones first, then by the funding they raised up to the date (the sum of their rounds'
    amounts, as the region report shows it), then their number of rounds, then name. Each row then carries
    ``ranked_by`` — its own basis: ``capital``, ``listed``, ``funding``, ``rounds`` or ``name`` — and
    ``capital_known``, ``funded`` and ``enterprises`` (the region's counts)."""
    if order not in ("capital", "auto"):
        raise ValueError(order)
    regions = list(regions)
    if not regions:
        return {}
    d = reference_date(store, as_of)
    chain = chain or default_chain(store)
    node = chain_node(store, chain, node)
    ents = _located(store, d, TRACKED_FIELDS)
    if level == "macro":
        ms = {m["code"]: m for m in (macros if macros is not None else load_macros(store))}
        pairs = [(c, mem) for c in regions for mem in ms.get(c, {}).get("members", [])] or [("-", "-")]
        assign = ("SELECT DISTINCT mm.macro AS rcode, e.id FROM ents e JOIN (VALUES "
                  + ",".join(["(?, ?)"] * len(pairs)) + ") mm(macro, member) ON mm.member IN (e.province_code, e.city_code, e.district_code)"
                  " WHERE e.province_code IS NOT NULL")
        aparams = [x for p in pairs for x in p]
    else:
        col = {"province": "province_code", "city": "city_code", "district": "district_code"}[level]
        ph = ",".join("?" * len(regions))
        assign = f"SELECT e.{col} AS rcode, e.id FROM ents e WHERE e.{col} IN ({ph}) AND e.province_code IS NOT NULL"
        aparams = regions
    if node:
        desc = descendants(store, chain, node)
        innode = f"SELECT DISTINCT p.enterprise_id AS id FROM placements p WHERE p.chain = ? AND p.node_code IN {_in_list(desc)}"
        nparams = [chain] + desc
    else:
        innode = "SELECT DISTINCT p.enterprise_id AS id FROM placements p WHERE p.chain = ?"
        nparams = [chain]
    if order == "capital":
        sql = f"""
        WITH ents AS (SELECT * FROM {ents} e), innode AS ({innode}), assign AS ({assign}),
        ranked AS (
            SELECT s.rcode, e.id, e.name, e.capital_wan, e.founded, e.founded_precision, e.district_code, e.city_code,
                   row_number() OVER (PARTITION BY s.rcode ORDER BY {by_capital("e")}) AS rk
            FROM assign s JOIN innode i ON i.id = s.id JOIN ents e ON e.id = s.id
        )
        SELECT * FROM ranked WHERE rk <= ? ORDER BY rcode, rk
        """
        params = nparams + aparams + [limit]
    else:
        funding = dialect.current().exact_sum("amount_wan", none=None)
        sql = f"""
        WITH ents AS (SELECT * FROM {ents} e), innode AS ({innode}), assign AS ({assign}),
        fund AS (SELECT enterprise_id AS id, {funding} AS funding_wan, count(*) AS fundings FROM fundings
                 WHERE date IS NULL OR date <= ? GROUP BY 1),
        base AS (
            SELECT s.rcode, e.id, e.name, e.capital_wan, e.founded, e.founded_precision, e.district_code, e.city_code,
                   f.funding_wan AS _funding, f.fundings AS _rounds, e.listed_code IS NOT NULL AS _listed,
                   count(e.capital_wan) OVER (PARTITION BY s.rcode) AS capital_known,
                   count(f.funding_wan) OVER (PARTITION BY s.rcode) AS funded,
                   count(*) OVER (PARTITION BY s.rcode) AS enterprises
            FROM assign s JOIN innode i ON i.id = s.id JOIN ents e ON e.id = s.id LEFT JOIN fund f ON f.id = e.id
        ),
        ranked AS (
            SELECT *, CASE WHEN capital_wan IS NOT NULL THEN 'capital' WHEN _listed THEN 'listed'
                           WHEN _funding IS NOT NULL THEN 'funding' WHEN coalesce(_rounds, 0) > 0 THEN 'rounds'
                           ELSE 'name' END AS ranked_by,
                   row_number() OVER (PARTITION BY rcode ORDER BY {by_capital(None, unknown=UNKNOWN_CAPITAL)}) AS rk
            FROM base
        )
        SELECT rcode, id, name, capital_wan, founded, founded_precision, district_code, city_code, capital_known,
               funded, enterprises, ranked_by, rk
        FROM ranked WHERE rk <= ? ORDER BY rcode, rk
        """
        params = nparams + aparams + [d, limit]
    rows = store.query(sql, params)
    out: dict[str, list[dict]] = {}
    for r in rows:
        code = r.pop("rcode")
        r.pop("rk")
        out.setdefault(code, []).append(r)
    return out


# ------------------------------------------------------------------------------------------- chain tree
def chain_nodes(store, chain: str | None = None) -> list[dict]:
    """The chain's nodes in display order (from ``chain_nodes``; codes only seen in placements appended)."""
    chain = chain or default_chain(store)
    return store.query(
        """SELECT code, parent_code, level, stage, name_zh, name_en, description, position FROM chain_nodes
           WHERE chain = ?
           UNION ALL
           SELECT DISTINCT node_code, NULL, NULL, NULL, node_code, node_code, NULL, NULL FROM placements
           WHERE chain = ? AND node_code NOT IN (SELECT code FROM chain_nodes WHERE chain = ?)
           ORDER BY position NULLS LAST, code""", [chain, chain, chain])


def node_counts(store, region: str | None = None, as_of: Any = None, *, chain: str | None = None,
                macros: list[dict] | None = None, top: int = 0) -> dict:
    """Counts per node for a region and nationally: ``{"region_total", "national_total", "nodes": {code: {...}}}``."""
    d = reference_date(store, as_of)
    chain = chain or default_chain(store)
    cond, cparams, reg = _region_filter(store, region, macros)
    anc, aparams = _anc_values(store, chain)
    ents = _located(store, d)
    sql = f"""
    WITH act AS (SELECT e.id, ({cond}) AS inreg FROM {ents} e WHERE e.province_code IS NOT NULL),
    pn AS (SELECT DISTINCT p.enterprise_id AS id, coalesce(anc.ancestor, p.node_code) AS node
           FROM placements p LEFT JOIN {anc} ON anc.code = p.node_code WHERE p.chain = ?)
    SELECT pn.node, count(*) AS national, count(*) FILTER (WHERE act.inreg) AS regional
    FROM pn JOIN act ON act.id = pn.id GROUP BY pn.node
    """
    rows = store.query(sql, cparams + aparams + [chain])
    tot = store.con.execute(
        f"""SELECT count(*) FILTER (WHERE e.province_code IS NOT NULL),
                   count(*) FILTER (WHERE e.province_code IS NOT NULL AND {cond}),
                   count(*) FILTER (WHERE e.province_code IS NULL) FROM {ents} e
            WHERE e.id IN (SELECT enterprise_id FROM placements WHERE chain = ?)""",
        cparams + [chain]).fetchone()
    # ``unlocated``: placed enterprises with no region in China (none known, or abroad), in no count here
    res = {"region": reg, "national_total": int(tot[0]), "region_total": int(tot[1]), "unlocated": int(tot[2]),
           "nodes": {r["node"]: {"national": int(r["national"]), "regional": int(r["regional"])} for r in rows},
           "as_of": d.isoformat(), "chain": chain}
    if top:
        tops = _top_by_node(store, cond, cparams, d, chain, top)
        for code, items in tops.items():
            res["nodes"].setdefault(code, {"national": 0, "regional": 0})["top"] = items
    return res


def _top_by_node(store, cond: str, cparams: list, d: _dt.date, chain: str, limit: int) -> dict[str, list[dict]]:
    anc, aparams = _anc_values(store, chain)
    sql = f"""
    WITH pn AS (SELECT DISTINCT p.enterprise_id AS id, coalesce(anc.ancestor, p.node_code) AS node
                FROM placements p LEFT JOIN {anc} ON anc.code = p.node_code WHERE p.chain = ?),
    ranked AS (
        SELECT pn.node, e.id, e.name, e.capital_wan, e.founded, e.province_code, e.city_code, e.district_code,
               row_number() OVER (PARTITION BY pn.node ORDER BY {by_capital("e")}) AS rk
        FROM pn JOIN {_located(store, d, TRACKED_FIELDS)} e ON e.id = pn.id WHERE {cond} AND e.province_code IS NOT NULL
    )
    SELECT * FROM ranked WHERE rk <= ? ORDER BY node, rk
    """
    out: dict[str, list[dict]] = {}
    for r in store.query(sql, aparams + [chain] + cparams + [limit]):
        node = r.pop("node")
        r.pop("rk")
        out.setdefault(node, []).append(r)
    return out


def chain_tree(store, region: str | None = None, as_of: Any = None, *, chain: str | None = None,
               macros: list[dict] | None = None, top: int = 5, min_strong: int = MIN_STRONG) -> dict:
    """The chain's taxonomy as a tree; each node with the region's count, the national count, the
    region's share of the national node, both node mixes (node / all placed), the LQ and the label."""
    counts = node_counts(store, region, as_of, chain=chain, macros=macros, top=top)
    chain = counts["chain"]
    nodes = chain_nodes(store, chain)
    n_r, big_n = counts["region_total"], counts["national_total"]
    related: set[str] = set()
    reg = counts["region"]
    if reg and n_r:
        d = _dt.date.fromisoformat(counts["as_of"])
        related = _related_nodes(store, chain, related_segments(store, chain, reg["level"], d).get(reg["code"], set()))
    by_code: dict[str, dict] = {}
    for n in nodes:
        c = counts["nodes"].get(n["code"], {})
        n_rn, big_nn = c.get("regional", 0), c.get("national", 0)
        if region:
            lq = (n_rn / n_r) / (big_nn / big_n) if (n_r and big_nn and big_n) else None
            status, label = classify_cell(n_rn, lq, big_nn, min_strong=min_strong, related=n["code"] in related)
        else:
            lq, status, label = (1.0 if big_nn else None), None, None
        by_code[n["code"]] = {
            **n, "count": n_rn if region else big_nn, "national_count": big_nn,
            "share": (n_rn / big_nn if big_nn else 0.0) if region else (1.0 if big_nn else 0.0),
            "region_mix": n_rn / n_r if n_r else 0.0, "national_mix": big_nn / big_n if big_n else 0.0,
            "lq": lq, "status": status, "label": label, "top": c.get("top", []), "children": [],
        }
    roots = []
    for code, n in by_code.items():
        p = n.get("parent_code")
        if p and p in by_code:
            by_code[p]["children"].append(n)
        else:
            roots.append(n)
    unclassified = not_classified(store, chain)
    return {
        "chain": chain, "as_of": counts["as_of"], "region": counts["region"],
        "region_total": n_r if region else big_n, "national_total": big_n,
        # placed on the chain with no region in China: in neither total (the page says so)
        "unlocated": counts["unlocated"],
        "thresholds": {"strong_lq": STRONG_LQ, "weak_lq": WEAK_LQ, "min_strong": min_strong},
        "nodes": roots,
        # every count 0 before ``classify``: said in the tree itself, so the API, the command and the page say it alike
        "notes": [unclassified[0]] if unclassified else [], "notes_en": [unclassified[1]] if unclassified else [],
    }


def flatten_tree(nodes: list[dict], depth: int = 0) -> list[dict]:
    """Depth-first list of a chain_tree's nodes (without their children), with ``depth``."""
    out = []
    for n in nodes:
        out.append({**{k: v for k, v in n.items() if k != "children"}, "depth": depth})
        out.extend(flatten_tree(n.get("children", []), depth + 1))
    return out


def node_enterprises(store, node: str, region: str | None = None, as_of: Any = None, *, chain: str | None = None,
                     group_by: str | None = None, limit: int = 500, macros: list[dict] | None = None) -> dict:
    """Enterprises of a region placed on ``node`` (or a descendant), grouped by ``district``/``city``/
    ``province`` when asked: ``{"total", "groups": [{code, name, count, items}]}``."""
    d = reference_date(store, as_of)
    chain = chain or default_chain(store)
    node = _check_node(store, chain, node)
    cond, cparams, reg = _region_filter(store, region, macros)
    if group_by is None:
        lvl = (reg or {}).get("level")
        group_by = {"city": "district", "province": "city", "district": "district", "macro": "province"}.get(lvl, "province")
    gcol = {"province": "province_code", "city": "city_code", "district": "district_code"}[group_by]
    desc = descendants(store, chain, node)
    sql = f"""
    WITH innode AS (SELECT p.enterprise_id AS id, max(p.confidence) AS confidence FROM placements p
                    WHERE p.chain = ? AND p.node_code IN {_in_list(desc)} GROUP BY p.enterprise_id)
    SELECT e.id, e.name, e.founded, e.capital_wan, e.listed_code, e.province_code, e.city_code, e.district_code,
           e.{gcol} AS gcode, coalesce(r.name, '未知') AS gname, i.confidence
    FROM innode i JOIN {_located(store, d, TRACKED_FIELDS)} e ON e.id = i.id LEFT JOIN regions r ON r.code = e.{gcol}
    WHERE {cond} AND e.province_code IS NOT NULL
    ORDER BY gname, {by_capital("e")}
    """
    rows = store.query(sql, [chain] + desc + cparams)
    groups: dict[str, dict] = {}
    for r in rows:
        g = groups.setdefault(r["gcode"] or "", {"code": r["gcode"], "name": r["gname"], "count": 0, "items": []})
        g["count"] += 1
        if len(g["items"]) < limit:
            g["items"].append({k: v for k, v in r.items() if k not in ("gcode", "gname")})
    ordered = sorted(groups.values(), key=lambda g: (-g["count"], g["code"] or ""))
    return {"node": node, "region": reg, "as_of": d.isoformat(), "group_by": group_by, "total": len(rows),
            "groups": ordered}
