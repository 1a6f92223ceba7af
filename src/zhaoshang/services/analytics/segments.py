"""The region × segment matrix the differentiated path and ``zhaoshang complexity`` read: distinct enterprises
placed on each chain segment (the level ``segment_level`` of ``data/recommend.yaml``) or below it, per region. One
function for both, so a segment has one count, one PCI and one density everywhere; apart from recommend.py so that
the complexity service reads it without importing the path it serves."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

from ...core.asof import enterprises_as_of
from ...core.config import ConfigFile
from ...core.errors import UserError
from ...core.geo.lookup import find_macro, region_condition
from ..trends import closure_cte
from .levels import region_sql

MACRO_SPACE = "macro:"  # the level of a macro-region's matrix: macro:CODE
CONFIG_PATH = Path(__file__).resolve().parents[2] / "data" / "recommend.yaml"  # the differentiated path's settings


def segment_level(path=None) -> int:
    """The chain level whose nodes are segments (``segment_level`` of the differentiated path's configuration)."""
    return int(ConfigFile.read(path or CONFIG_PATH, "配置文件", "configuration file").number("segment_level"))


def segment_matrix(store, chain: str, level: str, seg_level: int, ref: _dt.date) -> list[dict]:
    """(region, node, value): distinct enterprises active at ``ref`` placed on each segment or below it.
    ``level`` ``macro:CODE``: the enterprises of the macro-region form one row, every other located
    enterprise counts in its province: a partition of the nation, so a column sums to the national count."""
    clo, cp = closure_cte(chain)
    if level.startswith(MACRO_SPACE):
        macro = find_macro(level[len(MACRO_SPACE):])
        if macro is None:
            raise UserError(f"未知的宏观区域: {level[len(MACRO_SPACE):]}", f"unknown macro-region: {level[len(MACRO_SPACE):]}")
        cond, cparams = region_condition(macro, "e")
        expr = f"CASE WHEN {cond} THEN ? ELSE e.province_code END"
        sql = f"""WITH RECURSIVE {clo}
            SELECT {expr} AS region, clo.anc AS node, count(DISTINCT e.id) AS value
            FROM placements p JOIN clo ON clo.code = p.node_code AND clo.anc_level = ?
            JOIN {enterprises_as_of(ref, store)} e ON e.id = p.enterprise_id
            WHERE p.chain = ? AND e.province_code IS NOT NULL
            GROUP BY ALL"""
        return store.query(sql, cp + cparams + [macro.code, seg_level, chain])
    expr, join, jp = region_sql(level, "e")
    sql = f"""WITH RECURSIVE {clo}
        SELECT {expr} AS region, clo.anc AS node, count(DISTINCT e.id) AS value
        FROM placements p JOIN clo ON clo.code = p.node_code AND clo.anc_level = ?
        JOIN {enterprises_as_of(ref, store)} e ON e.id = p.enterprise_id {join}
        WHERE p.chain = ? AND {expr} IS NOT NULL
        GROUP BY ALL"""
    return store.query(sql, cp + [seg_level] + jp + [chain])
