"""Region levels shared by the analytics: province, city, district and macro-region.

A row's region at a level is its ``province_code`` / ``city_code`` / ``district_code``; a macro-region
(京津冀, 长三角, …) is reached through its member provinces or cities, so one row can belong to several
macro-regions.
"""

from __future__ import annotations

from typing import Iterable

from ...core.errors import UserError

LEVELS = ("province", "city", "district", "macro")


def macro_regions() -> list[tuple[str, str, list[str]]]:
    """(code, name, member codes) of every macro-region, from the macro-regions file of core.geo."""
    from ...core.geo.macro import load_macro_regions

    return [(m.code, m.name, list(m.members)) for m in load_macro_regions()]


def region_sql(level: str, alias: str, tag: str = "mr") -> tuple[str, str, list]:
    """SQL expression for the region of rows of ``alias`` at ``level``, an extra join, and its parameters."""
    if level in ("province", "city", "district"):
        return f"{alias}.{level}_code", "", []
    if level == "macro":
        pairs = [(mcode, code) for mcode, _, codes in macro_regions() for code in codes]
        if not pairs:
            raise UserError("宏观区域配置为空")
        values = ", ".join("(?, ?)" for _ in pairs)
        params = [x for p in pairs for x in p]
        join = (f" JOIN (VALUES {values}) AS {tag}(macro, code) ON {tag}.code IN "
                f"({alias}.province_code, {alias}.city_code, {alias}.district_code)")
        return f"{tag}.macro", join, params
    raise UserError(f"未知的区域层级: {level}（可选: {', '.join(LEVELS)}）")


def region_names(store, codes: Iterable[str]) -> dict[str, str]:
    codes = [c for c in codes if c]
    if not codes:
        return {}
    rows = store.query("SELECT code, name FROM regions WHERE list_contains(?, code)", [codes])
    names = {r["code"]: r["name"] for r in rows}
    if any(c.startswith("M-") for c in codes):
        names.update({code: name for code, name, _ in macro_regions()})
    return {c: names.get(c, c) for c in codes}


def resolve_regions(store, text: str | Iterable[str] | None, level: str | None = None) -> list[str]:
    """Codes from a comma list of codes or names (北京市, 北京, 110000); unknown entries raise UserError."""
    if text is None:
        return []
    items = [x.strip() for x in (text.replace("，", ",").replace("、", ",").split(",") if isinstance(text, str) else text)]
    items = [x for x in items if x]
    out: list[str] = []
    for it in items:
        if level == "macro" or it.startswith("M-"):
            hit = [code for code, name, _ in macro_regions() if it in (code, name)]
            if not hit:
                raise UserError(f"未找到宏观区域: {it}")
            out.append(hit[0])
            continue
        hit = [code for code, name, _ in macro_regions() if it == name]
        if hit:
            out.append(hit[0])
            continue
        from ...core.errors import NotFound
        from ...core.geo.lookup import find_region

        try:
            out.append(find_region(store, it, level if level in ("province", "city", "district") else None))
        except NotFound as exc:
            raise UserError(str(exc)) from exc
    return out
