"""The region a user means: one function behind every ``--region`` / ``REGION`` argument and URL.

Accepts a code (330100), a full or short name (杭州市, 杭州), or a path (浙江省杭州市, 北京市朝阳区). A name shared
by several regions (朝阳区: 北京 and 长春; 鼓楼区: four cities) is an error that lists the candidates with
their codes — never a silent pick. Macro-regions are resolved by their callers (they are not in ``regions``).
"""

from __future__ import annotations

from ..errors import NotFound, UserError

_LEVEL_RANK = "CASE level WHEN 'province' THEN 0 WHEN 'city' THEN 1 ELSE 2 END"


def find_region(store, text: str, level: str | None = None) -> str:
    """The 6-digit code of the one region ``text`` names; UserError when ambiguous, NotFound when unknown."""
    t = str(text or "").strip()
    if not t:
        raise UserError("请指定地区（代码或名称）")
    con = store.con
    exact = con.execute("SELECT code FROM regions WHERE code = ?", [t]).fetchall()
    if exact:
        return exact[0][0]
    rows = con.execute(
        f"SELECT code, name, level, province_code, city_code FROM regions WHERE name = ? OR short_name = ? "
        f"ORDER BY {_LEVEL_RANK}, code", [t, t]).fetchall()
    if level:
        rows = [r for r in rows if r[2] == level] or rows
    if rows:
        best = [r for r in rows if r[2] == rows[0][2]]  # the largest level that matches: 北京 is the province
        # a municipality's province and city rows share the name: the province stands for both
        if len(best) == 1 or (best[0][2] == "province"):
            return best[0][0]
        raise UserError(f"地区名称有歧义: {t}（{'、'.join(_label(store, r[0]) for r in best)}），请给出代码或上级地区")
    # a path such as 浙江省杭州市 or 北京市朝阳区: the region parser reads it
    from .parser import RegionParser

    m = RegionParser.default().parse(t)
    code = m.district_code or m.city_code or m.province_code
    if code and not m.foreign and len(m.matched) >= max(2, len(t) - 1):
        return code
    raise NotFound(f"未找到地区: {t}")


def _label(store, code: str) -> str:
    row = store.con.execute(
        "SELECT r.code, coalesce(c.name, '') || r.name FROM regions r LEFT JOIN regions c "
        "ON c.code = r.city_code AND r.level = 'district' AND c.code <> r.code WHERE r.code = ?", [code]).fetchall()
    return f"{row[0][0]} {row[0][1]}" if row else code
