"""Region levels shared by the analytics: province, city, district and macro-region.

A row's region at a level is its ``province_code`` / ``city_code`` / ``district_code``; a macro-region
(京津冀, 长三角, …) is reached through its member provinces or cities, so one row can belong to several
macro-regions (membership: ``core.geo.lookup``, the region service).
"""

from __future__ import annotations

from typing import Iterable

from ...core.errors import UserError
from ...core.geo.lookup import macro_join, macro_regions

LEVELS = ("province", "city", "district", "macro")


def region_sql(level: str, alias: str, tag: str = "mr") -> tuple[str, str, list]:
    """SQL expression for the region of rows of ``alias`` at ``level``, an extra join, and its parameters."""
    if level in ("province", "city", "district"):
        return f"{alias}.{level}_code", "", []
    if level == "macro":
        join, params = macro_join(alias, tag)
        return f"{tag}.macro", join, params
    raise UserError(f"未知的区域层级: {level}（可选: {', '.join(LEVELS)}）", f"unknown region level: {level} (one of: {', '.join(LEVELS)})")


def region_names(store, codes: Iterable[str]) -> dict[str, str]:
    codes = [c for c in codes if c]
    if not codes:
        return {}
    rows = store.query("SELECT code, name FROM regions WHERE list_contains(?, code)", [codes])
    names = {r["code"]: r["name"] for r in rows}
    if any(c.startswith("M-") for c in codes):
        names.update({m.code: m.name for m in macro_regions()})
    return {c: names.get(c, c) for c in codes}
