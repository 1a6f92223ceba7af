"""The region × chain matrix kept in the database and updated by the enterprises an update changed.

Two tables per chain, written by the processes that update the file (classify, import) and read by every
map, the served app included (it opens the file read-only):

- ``zs_matrix_ent_<chain>``: one row per placed enterprise located in China — its region codes, founded,
  dissolved (the day it ended, ``core.asof.end_day``: a closed status's day too), and its nodes (a bit mask when the chain has ≤ 64 codes, and the list);
- ``zs_matrix_counts_<chain>``: the counts the map shows on the reference date D: per level (``province``,
  ``city``, ``district``, ``macro``, ``nation``), region and node (``''`` = any node) the enterprises existing
  on D placed on the node or a node below it.

``refresh(store, chain, ids)`` brings them up to date. The affected enterprises are the ones given (a
classification's re-placed set), those the imports since the last refresh wrote (new, moved, renamed,
deregistered) and, when D moved, those founded or dissolved between the two dates. Their rows are replaced
and the counts change by (new contributions − old contributions): only the regions and nodes they touch.
Nothing recorded, another set of node codes, or more than ``FULL_SHARE`` of the rows (and ``MIN_FULL``)
affected → a full rebuild. ``valid(store, chain)`` says whether the tables reflect the file as it is (last import, placements
fingerprint, reference date); readers use them only then, else they compute from the base tables.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import time
from typing import Any, Iterable

from ...core.asof import end_day

FULL_SHARE = 0.2  # beyond this share of rows affected (and MIN_FULL rows), a rebuild is cheaper than the delta
MIN_FULL = 10_000
LEVEL_COLS = {"province": "province_code", "city": "city_code", "district": "district_code"}


def _names(chain: str) -> tuple[str, str]:
    c = re.sub(r"[^0-9A-Za-z_]", "_", chain)
    return f"zs_matrix_ent_{c}", f"zs_matrix_counts_{c}"


def _key(chain: str) -> str:
    return f"matrix:{chain}"


def _stamp(store, chain: str) -> dict[str, Any]:
    """What the stored tables must match: the last import, the chain's placements, the reference date."""
    from ...core.asof import reference_date

    k = store.con.execute("SELECT coalesce(max(id), 0) FROM imports").fetchall()[0][0]
    n, h = store.con.execute("SELECT count(*), coalesce(sum(hash(enterprise_id, node_code)), 0) FROM placements "
                             "WHERE chain = ?", [chain]).fetchall()[0]
    return {"import_id": int(k), "placements": [int(n), str(h)], "d": reference_date(store).isoformat()}


def _state(store, chain: str) -> dict[str, Any] | None:
    try:
        raw = store.get_meta(_key(chain))
    except Exception:  # a foreign database without our meta table
        return None
    return json.loads(raw) if raw else None


def kept(store, chain: str) -> bool:
    """Whether the file keeps a stored matrix of ``chain`` (current or not)."""
    return _state(store, chain) is not None


def valid(store, chain: str) -> dict[str, Any] | None:
    """The stored state when the tables reflect the database as it is now, else None."""
    st = _state(store, chain)
    if not st or st.get("stamp") != _stamp(store, chain):
        return None
    return st


def cache_entry(store, chain: str) -> dict[str, Any] | None:
    """What ``region_map`` needs to read the stored tables (None when they are missing or stale)."""
    st = valid(store, chain)
    if not st:
        return None
    ent, counts = _names(chain)
    return {"table": ent, "counts": counts, "bits": st["bits"], "d": _dt.date.fromisoformat(st["stamp"]["d"]),
            "cells_prefix": f"zs_matrix_cells_{ent[len('zs_matrix_ent_'):]}", "cells_temp": True}


def _anc(con, chain: str) -> None:
    """``zs_anc(code, ancestor)``: every node of the chain with itself and each node above it."""
    con.execute("""CREATE OR REPLACE TEMP TABLE zs_anc AS
        WITH RECURSIVE a(code, ancestor) AS (
            SELECT code, code FROM chain_nodes WHERE chain = $c
            UNION SELECT a.code, n.parent_code FROM a JOIN chain_nodes n ON n.chain = $c AND n.code = a.ancestor
                  WHERE coalesce(n.parent_code, '') <> '')
        SELECT * FROM a""", {"c": chain})


def _codes(con, chain: str) -> list[str]:
    return sorted({r[0] for r in con.execute(
        "SELECT code FROM chain_nodes WHERE chain = $c UNION SELECT DISTINCT node_code FROM placements WHERE chain = $c",
        {"c": chain}).fetchall()})


def _rows_sql(where: str) -> str:
    """One row per placed, located enterprise (current regions), restricted by ``where`` on placements; the
    node mask from ``zs_bits`` (empty when the chain has more than 64 codes: mask NULL, the list is used)."""
    ends, ended = end_day("e")
    return f"""SELECT e.id, e.province_code, e.city_code, e.district_code, e.founded, {ended} AS dissolved,
               p.mask, p.nodes
        FROM enterprises e JOIN (SELECT enterprise_id, list(DISTINCT node_code ORDER BY node_code) AS nodes,
                                        bit_or((1::UBIGINT) << k.bit) AS mask
                                 FROM placements LEFT JOIN zs_bits k ON k.code = node_code
                                 WHERE chain = $c AND ({where}) GROUP BY 1) p ON p.enterprise_id = e.id {ends}
        WHERE e.province_code IS NOT NULL"""


def _contrib_sql(rows: str) -> str:
    """Contributions of ``rows`` (stored-table rows) to the counts on ``$d``: (level, region, node, n)."""
    from ...core.geo.lookup import macro_regions

    pairs = [(m.code, c) for m in macro_regions() for c in m.members] or [("-", "-")]
    macros = "(VALUES " + ",".join(f"('{a}', '{b}')" for a, b in pairs) + ") mm(macro, member)"
    return f"""WITH a AS (SELECT * FROM ({rows}) r
                     WHERE (r.founded IS NULL OR r.founded <= $d) AND (r.dissolved IS NULL OR r.dissolved > $d)),
        n AS (SELECT DISTINCT a.id, coalesce(x.ancestor, u.code) AS node
              FROM a, unnest(a.nodes) u(code) LEFT JOIN zs_anc x ON x.code = u.code
              UNION ALL SELECT id, '' FROM a),
        g AS (SELECT id, 'province' AS level, province_code AS region FROM a
              UNION ALL SELECT id, 'city', city_code FROM a WHERE city_code IS NOT NULL
              UNION ALL SELECT id, 'district', district_code FROM a WHERE district_code IS NOT NULL
              UNION ALL SELECT id, 'nation', '' FROM a
              UNION ALL SELECT DISTINCT a.id, 'macro', mm.macro FROM a JOIN {macros}
                        ON mm.member IN (a.province_code, a.city_code, a.district_code))
        SELECT g.level, g.region, n.node, count(*) AS n FROM g JOIN n ON n.id = g.id GROUP BY ALL"""


def _bits_table(con, bits: dict[str, int] | None) -> None:
    items = sorted((bits or {}).items())
    con.execute("CREATE OR REPLACE TEMP TABLE zs_bits AS SELECT unnest(?::VARCHAR[]) AS code, unnest(?::INTEGER[]) AS bit",
                [[c for c, _ in items], [b for _, b in items]])


def rebuild(store, chain: str) -> dict[str, Any]:
    """Both tables from the base tables (the full recomputation)."""
    t0 = time.perf_counter()
    con = store.con
    ent, counts = _names(chain)
    codes = _codes(con, chain)
    bits = {c: i for i, c in enumerate(codes)} if len(codes) <= 64 else None
    stamp = _stamp(store, chain)
    _anc(con, chain)
    _bits_table(con, bits)
    with store.transaction() as tx:
        tx.execute(f"CREATE OR REPLACE TABLE {ent} AS {_rows_sql('TRUE')}", {"c": chain})
        tx.execute(f"CREATE OR REPLACE TABLE {counts} AS {_contrib_sql(f'SELECT * FROM {ent}')}", {"d": stamp["d"]})
        tx.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                   [_key(chain), json.dumps({"bits": bits, "stamp": stamp})])
    n = con.execute(f"SELECT count(*) FROM {ent}").fetchall()[0][0]
    return {"chain": chain, "mode": "full", "enterprises": int(n), "affected": int(n),
            "seconds": round(time.perf_counter() - t0, 3)}


def refresh(store, chain: str | None = None, ids: Iterable[int] | None = None, full: bool = False) -> list[dict]:
    """Bring the stored matrix of ``chain`` (default: every chain stored or placed) up to date after an
    update; ``ids``: enterprises whose placements were written again. Returns what was done per chain.

    The update it follows has succeeded: should the matrix fail (an engine error), its record is dropped —
    readers then compute from the base tables — and the update is kept."""
    import duckdb

    con = store.con
    if chain is None:
        chains = sorted({r[0] for r in con.execute("SELECT DISTINCT chain FROM placements").fetchall()}
                        | {r[0][len("matrix:"):] for r in con.execute(
                            "SELECT key FROM meta WHERE key LIKE 'matrix:%'").fetchall()})
        return [r for c in chains for r in refresh(store, c, ids, full)]
    try:
        return _refresh(store, chain, ids, full)
    except duckdb.Error as exc:
        con.execute("DELETE FROM meta WHERE key = ?", [_key(chain)])
        return [{"chain": chain, "mode": "dropped", "error": str(exc).splitlines()[0]}]


def _refresh(store, chain: str, ids: Iterable[int] | None, full: bool) -> list[dict]:
    con = store.con
    st = _state(store, chain)
    if full or st is None:
        return [rebuild(store, chain)]
    t0 = time.perf_counter()
    codes = _codes(con, chain)
    bits = st["bits"]
    if (bits is None) != (len(codes) > 64) or (bits is not None and set(codes) - set(bits)):
        return [rebuild(store, chain)]
    ent, counts = _names(chain)
    old = st["stamp"]
    stamp = _stamp(store, chain)
    d_old, d_new = old["d"], stamp["d"]
    lo, hi = min(d_old, d_new), max(d_old, d_new)
    con.execute("CREATE OR REPLACE TEMP TABLE zs_given AS SELECT unnest(?::BIGINT[]) AS id",
                [sorted({int(i) for i in ids or ()})])
    con.execute(f"""CREATE OR REPLACE TEMP TABLE zs_aff AS
        SELECT id FROM zs_given
        UNION SELECT id FROM enterprises WHERE coalesce(last_import_id, 0) > $k OR coalesce(first_import_id, 0) > $k
        UNION SELECT id FROM {ent} WHERE $lo < $hi AND ((founded > $lo AND founded <= $hi)
                                                        OR (dissolved > $lo AND dissolved <= $hi))""",
                {"k": old["import_id"], "lo": lo, "hi": hi})
    n_aff = con.execute("SELECT count(*) FROM zs_aff").fetchall()[0][0]
    n_rows = con.execute(f"SELECT count(*) FROM {ent}").fetchall()[0][0]
    if n_aff > max(FULL_SHARE * n_rows, MIN_FULL):
        return [rebuild(store, chain)]
    _anc(con, chain)
    _bits_table(con, bits)
    with store.transaction() as tx:
        tx.execute(f"""CREATE OR REPLACE TEMP TABLE zs_delta AS
            SELECT level, region, node, sum(n) AS n FROM (
                SELECT level, region, node, -n AS n FROM ({_contrib_sql(f'SELECT * FROM {ent} WHERE id IN (SELECT id FROM zs_aff)')})
                UNION ALL
                SELECT level, region, node, n FROM ({_contrib_sql(_rows_sql('enterprise_id IN (SELECT id FROM zs_aff)')).replace('$d', '$d2')})
            ) GROUP BY ALL HAVING sum(n) <> 0""", {"d": d_old, "d2": d_new, "c": chain})
        tx.execute(f"DELETE FROM {ent} WHERE id IN (SELECT id FROM zs_aff)")
        tx.execute(f"INSERT INTO {ent} {_rows_sql('enterprise_id IN (SELECT id FROM zs_aff)')}", {"c": chain})
        tx.execute(f"""UPDATE {counts} SET n = {counts}.n + x.n FROM zs_delta x
            WHERE {counts}.level = x.level AND {counts}.region = x.region AND {counts}.node = x.node""")
        tx.execute(f"""INSERT INTO {counts} SELECT x.level, x.region, x.node, x.n FROM zs_delta x
            ANTI JOIN {counts} c ON c.level = x.level AND c.region = x.region AND c.node = x.node""")
        tx.execute(f"DELETE FROM {counts} WHERE n = 0")
        tx.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                   [_key(chain), json.dumps({"bits": bits, "stamp": stamp})])
    cells = con.execute("SELECT count(*) FROM zs_delta").fetchall()[0][0]
    return [{"chain": chain, "mode": "incremental", "enterprises": int(n_rows), "affected": int(n_aff),
             "cells_changed": int(cells), "seconds": round(time.perf_counter() - t0, 3)}]


def map_rows(store, entry: dict[str, Any], reg_sql: str, reg_params: list, level: str, node: str | None) -> list[dict]:
    """The map's rows (regions of ``reg_sql`` with count, region_total, national_count, national_total)
    read from the stored counts: a lookup per region, whatever the number of enterprises."""
    key = node or ""
    return store.query(f"""
        WITH regs AS ({reg_sql}),
        c AS (SELECT region, node, n FROM {entry['counts']} WHERE level = ? AND node IN ('', ?)),
        nat AS (SELECT coalesce(max(n) FILTER (WHERE node = ''), 0) AS big_n,
                       coalesce(max(n) FILTER (WHERE node = ?), 0) AS big_nn
                FROM {entry['counts']} WHERE level = 'nation')
        SELECT regs.*, coalesce(per.n, 0) AS count, coalesce(tot.n, 0) AS region_total,
               nat.big_nn AS national_count, nat.big_n AS national_total
        FROM regs LEFT JOIN c per ON per.region = regs.code AND per.node = ?
        LEFT JOIN c tot ON tot.region = regs.code AND tot.node = '' CROSS JOIN nat""",
        reg_params + [level, key, key, key])
