"""The enterprise list by region and chain node on a served generation: exact totals without a scan.

A list filtered by region and chain node (the 企业库 behind a map cell) needs the exact number of matching
enterprises and one sorted page. Over the base tables both are a filtered pass over every enterprise and
every placement. A served generation (a database that does not change while it is read) prepares instead,
once, beside the map's table of placed enterprises (``regions.matrix.prepare_cache``):

- the map's per-date cells (one row per region codes and node set, with their number): the total is the sum
  of the cells in the region whose node set meets the node — the very numbers the map shows;
- the placed enterprises in the list's default order (registered capital, largest first, then id), numbered
  ``k``: the page is the first matching rows by ``k``, read from a narrow in-memory table.

Used only where these give the plain query's answer exactly: the default sort, filters by region and node
alone (no text, dates, stage, tags or score; a region, since the prepared tables hold only enterprises
located in China), enterprises existing on the date, and no tracked field
changed after the date (the prepared tables hold today's regions and capital). Anything else takes the
plain query (``services.enterprises``).
"""

from __future__ import annotations

import datetime as _dt
import re

from ..core.asof import TRACKED_FIELDS, _changed_after
from .ranking import by_capital

SORT = "-capital"  # the order the table is prepared in (``enterprises.SORTS``)


def prepare(store, chain: str | None = None) -> str | None:
    """Number the map's placed enterprises of ``chain`` in list order into the generation's scratch schema
    (``store.list_order[chain]``); None where the store has no prepared map table or no scratch schema."""
    scratch = getattr(store, "scratch", None)
    caches = getattr(store, "matrix_cache", None) or {}
    chain = chain or getattr(store, "chain_default", None)
    cache = caches.get(chain) if chain else None
    if not scratch or not cache:
        return None
    col = "mask" if cache["bits"] is not None else "nodes"
    name = f"{scratch}.zs_list_{re.sub(r'[^0-9A-Za-z_]', '_', chain)}"
    store.con.execute(f"""CREATE OR REPLACE TABLE {name} AS
        SELECT row_number() OVER (ORDER BY {by_capital("e")}) AS k, m.id, e.rowid AS rid, m.province_code,
               m.city_code, m.district_code, m.founded, m.dissolved, m.{col}
        FROM {cache['table']} m JOIN enterprises e ON e.id = m.id ORDER BY k""")
    store.list_order = {**(getattr(store, "list_order", None) or {}), chain: name}
    return name


def usable(store, d: _dt.date, chain: str, sort: str) -> bool:
    """Whether the prepared tables answer a list of ``chain`` on ``d`` sorted by ``sort`` exactly."""
    return (sort == SORT and chain in (getattr(store, "list_order", None) or {})
            and chain in (getattr(store, "matrix_cache", None) or {})
            and not _changed_after(store, d, TRACKED_FIELDS))


def _node_test(store, chain: str, codes: list[str] | None) -> tuple[str, list]:
    """The condition on a prepared row (``e``) that it is placed on one of ``codes`` (None: anywhere on the chain)."""
    if codes is None:
        return "TRUE", []
    bits = store.matrix_cache[chain]["bits"]
    if bits is None:
        return "list_has_any(e.nodes, ?::VARCHAR[])", [codes]
    mask = 0
    for c in codes:
        if c in bits:
            mask |= 1 << bits[c]
    return "(e.mask & ?::UBIGINT) <> 0", [mask]


def page(store, d: _dt.date, chain: str, region_sql: str, region_params: list, codes: list[str] | None,
         page_no: int, size: int) -> tuple[int, list[int], dict[int, list[str]], list[int]]:
    """(total, the page's ids, their nodes, their row ids in ``enterprises``) of the enterprises existing on
    ``d`` in the region (a condition on ``e``) placed on one of ``codes`` (or anywhere on the chain), in list
    order. The row ids let the page's rows be read directly (the generation's file does not change)."""
    from .regions.matrix import _cell_table

    cache = store.matrix_cache[chain]
    test, tparams = _node_test(store, chain, codes)
    cells = _cell_table(store, cache, d)
    total = store.con.execute(f"SELECT coalesce(sum(e.w), 0) FROM {cells} e WHERE {region_sql} AND {test}",
                              region_params + tparams).fetchone()[0]
    col = "mask" if cache["bits"] is not None else "nodes"
    rows = store.con.execute(
        f"SELECT e.id, e.{col}, e.rid FROM {store.list_order[chain]} e WHERE {region_sql} AND {test} "
        "AND (e.founded IS NULL OR e.founded <= ?) AND (e.dissolved IS NULL OR e.dissolved > ?) "
        "ORDER BY e.k LIMIT ? OFFSET ?", region_params + tparams + [d, d, size, (page_no - 1) * size]).fetchall()
    if cache["bits"] is None:
        nodes = {i: sorted(set(v or [])) for i, v, _ in rows}
    else:
        names = sorted(cache["bits"].items(), key=lambda x: x[1])
        nodes = {i: sorted(c for c, b in names if (int(m) >> b) & 1) for i, m, _ in rows}
    return int(total), [r[0] for r in rows], nodes, [r[2] for r in rows]
