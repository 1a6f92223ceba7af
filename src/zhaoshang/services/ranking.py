"""How enterprises are ranked by registered capital: the one order of every view that ranks them by it — the
enterprise library's 注册资本 sort and its prepared numbering (``enterprises.SORTS``, ``list_order``), the map's,
the chain page's and the region page's top enterprises (``regions.matrix``) —, so that two enterprises of the same
capital stand in the same order wherever both are listed: largest first, an unknown capital last, ties by id."""

from __future__ import annotations


def by_capital(e: str | None = "e", *, desc: bool = True, unknown: str | None = None) -> str:
    """The ORDER BY terms ranking rows of enterprises (alias ``e``; None: bare column names) by registered capital,
    ties by id. ``unknown``: the order of those without a capital (listed first, then by funding …) before their id."""
    p = f"{e}." if e else ""
    cap = f"{p}capital_wan {'DESC' if desc else 'ASC'} NULLS LAST"
    if not unknown:
        return f"{cap}, {p}id"
    return f"{cap}, CASE WHEN {p}capital_wan IS NOT NULL THEN {p}id END, {unknown}, {p}id"
