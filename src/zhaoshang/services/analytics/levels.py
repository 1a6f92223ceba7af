"""Region levels shared by the analytics: province, city, district and macro-region.

A row's region at a level is its ``province_code`` / ``city_code`` / ``district_code``; a macro-region
(京津冀, 长三角, …) is reached through its member provinces or cities, so one row can belong to several
macro-regions.
"""

from __future__ import annotations

from typing import Any, Iterable

from ...core.errors import UserError

LEVELS = ("province", "city", "district", "macro")


def macro_members() -> dict[str, list[str]]:
    """Macro-region name → member region codes, from the macro-regions file of core.geo."""
    try:
        from ...core.geo import load_macro_regions  # type: ignore[attr-defined]
    except ImportError as exc:  # the loader ships with the geography module
        raise UserError("宏观区域（京津冀、长三角等）配置不可用") from exc
    data: Any = load_macro_regions()
    out: dict[str, list[str]] = {}
    items = data.items() if isinstance(data, dict) else ((None, x) for x in data)
    for key, val in items:
        name = key
        members: Any = val
        if isinstance(val, dict):
            name = val.get("name") or val.get("name_zh") or key
            members = val.get("members") or val.get("codes") or val.get("regions") or []
        elif hasattr(val, "members"):
            name = getattr(val, "name", None) or key
            members = val.members
        codes = []
        for m in members or []:
            code = m if isinstance(m, str) else (m.get("code") if isinstance(m, dict) else getattr(m, "code", None))
            if code:
                codes.append(str(code))
        if name and codes:
            out[str(name)] = codes
    return out


def region_sql(level: str, alias: str) -> tuple[str, str, list]:
    """SQL expression for the region of rows of ``alias`` at ``level``, an extra join, and its parameters."""
    if level in ("province", "city", "district"):
        return f"{alias}.{level}_code", "", []
    if level == "macro":
        pairs = [(name, code) for name, codes in macro_members().items() for code in codes]
        if not pairs:
            raise UserError("宏观区域配置为空")
        values = ", ".join("(?, ?)" for _ in pairs)
        params = [x for p in pairs for x in p]
        join = (f" JOIN (VALUES {values}) AS mr(macro, code) ON mr.code IN "
                f"({alias}.province_code, {alias}.city_code, {alias}.district_code)")
        return "mr.macro", join, params
    raise UserError(f"未知的区域层级: {level}（可选: {', '.join(LEVELS)}）")


def region_names(store, codes: Iterable[str]) -> dict[str, str]:
    codes = [c for c in codes if c]
    if not codes:
        return {}
    rows = store.query("SELECT code, name FROM regions WHERE list_contains(?, code)", [codes])
    names = {r["code"]: r["name"] for r in rows}
    return {c: names.get(c, c) for c in codes}


def resolve_regions(store, text: str | Iterable[str] | None, level: str | None = None) -> list[str]:
    """Codes from a comma list of codes or names (北京市, 北京, 110000); unknown entries raise UserError."""
    if text is None:
        return []
    items = [x.strip() for x in (text.replace("，", ",").replace("、", ",").split(",") if isinstance(text, str) else text)]
    items = [x for x in items if x]
    out: list[str] = []
    for it in items:
        if level == "macro":
            out.append(it)
            continue
        rows = store.query(
            "SELECT code, level FROM regions WHERE code = ? OR name = ? OR short_name = ? "
            "OR (length(?) >= 2 AND name LIKE ? || '%') ORDER BY (code = ?) DESC, (name = ?) DESC, "
            "CASE level WHEN 'province' THEN 0 WHEN 'city' THEN 1 ELSE 2 END, code",
            [it, it, it, it, it, it, it],
        )
        if level in ("province", "city", "district"):
            rows = [r for r in rows if r["level"] == level] or rows
        if not rows:
            raise UserError(f"未找到地区: {it}")
        out.append(rows[0]["code"])
    return out
