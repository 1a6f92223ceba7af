"""Facts imported before their enterprise link when it arrives.

A fact row (a funding, a role, an applicant …) whose enterprise is not known at import keeps its linking
evidence in ``pending_links`` (name — or the stock code a fact names its company by —, credit code, the
enterprise's key in the fact's source, province). At the end of every enterprise import the pending rows that
name one of the enterprises just written are linked with the same rules as at import (``linking.link_rows``); re-importing a fact links it when its enterprise is
known by then; ``zhaoshang relink`` links everything pending (and, for databases written before facts were
kept for later, every unlinked fact by the name it carries). All of it is set-based SQL; linked facts become
events like facts linked at import.
"""

from __future__ import annotations

import pyarrow as pa

from ..text import normalize_name, stock_code_sql
from .keys import branch_key, person_key, role_key, shareholding_key
from .linking import link_rows
from .staging import qi, ql

# (fact table, column to fill) → (condition joining the fact row x to a linked row l, the name the fact carries)
TARGETS: dict[tuple[str, str], tuple[str, str]] = {
    ("fundings", "enterprise_id"): ("x.id = l.ref_id", "enterprise_name"),
    ("roles", "enterprise_id"): ("x.id = l.ref_id", "enterprise_name"),
    ("shareholdings", "enterprise_id"): ("x.id = l.ref_id", "enterprise_name"),
    ("branches", "parent_id"): ("x.id = l.ref_id", "parent_name"),
    ("contacts", "enterprise_id"): ("x.id = l.ref_id", "organisation"),
    ("patent_applicants", "enterprise_id"): ("x.patent_id = l.ref_id AND x.position = l.ref_pos", "name"),
    ("news_mentions", "enterprise_id"): ("x.news_id = l.ref_id AND x.mention = l.name", "mention"),
}
_ID_OF = {"patent_applicants": ("patent_id", "position"), "news_mentions": ("news_id", "NULL::INTEGER")}
# facts that record how they were linked: a declared company linked later says by what, not ``declared`` (its
# stand-in while unlinked), so a news event reads 文件声明的相关企业「科达股份」（别名）
METHOD_KEPT = ("news_mentions",)

# a fact that names its company by stock code alone (an executives list): the code is the name it carries
STOCK_CODE = "regexp_full_match({col}, '[0-9]{{6}}(\\.[A-Za-z]{{2}})?')"

# ``method``: how a pending row was linked (``linking.link_rows``: name, alias, listed_code …), kept by a fact that
# records it (a news item's declared company: ``news_mentions.method``, as a link made at import stores it)
RELINKED_DDL = """CREATE OR REPLACE TEMP TABLE _relinked (ref_table VARCHAR, ref_column VARCHAR, ref_id BIGINT,
    ref_pos INTEGER, name VARCHAR, enterprise_id BIGINT, method VARCHAR)"""


def record_pending(con, source: str, import_id: int, ref_table: str, ref_column: str, select_sql: str) -> None:
    """Keep the evidence of unlinked facts. ``select_sql`` yields (ref_id, ref_pos, name, name_norm, uscc,
    enterprise_key, province_code, source_key) for the rows left without an enterprise."""
    con.execute(f"""
        INSERT INTO pending_links
        SELECT {ql(ref_table)}, {ql(ref_column)}, ref_id, ref_pos, name, name_norm, uscc, enterprise_key,
               province_code, {ql(source)}, source_key, {import_id}
        FROM ({select_sql}) WHERE coalesce(name_norm, uscc, enterprise_key) IS NOT NULL OR {STOCK_CODE.format(col='name')}
    """)


def link_duplicates(con, ref_table: str, ref_column: str, rows: str, source: str, key_col: str = "_key",
                    eid_col: str = "enterprise_id") -> None:
    """Re-imported facts already stored without an enterprise take the one their rows link to now."""
    con.execute(f"""
        INSERT INTO _relinked
        SELECT {ql(ref_table)}, {ql(ref_column)}, x.id, NULL, NULL, any_value(t.{qi(eid_col)}), NULL
        FROM {ref_table} x JOIN {rows} t ON x.source = {ql(source)} AND x.source_key = t.{qi(key_col)}
        WHERE x.{qi(ref_column)} IS NULL AND t.{qi(eid_col)} IS NOT NULL
        GROUP BY x.id
    """)


def link_pending(con, scope: str | None = None) -> None:
    """Link the pending rows (all, or those ``scope`` selects: a condition on pending row ``p``) into ``_relinked``."""
    if not con.execute("SELECT 1 FROM pending_links LIMIT 1").fetchall():
        return  # nothing waits for an enterprise: the scope (a scan of this import's enterprises) is not built
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _pend AS
        SELECT row_number() OVER () AS _pid, 0 AS _z, p.*, CASE WHEN {STOCK_CODE.format(col='p.name')} THEN p.name END AS _code
        FROM pending_links p WHERE {scope or 'true'}""")
    if not con.execute("SELECT count(*) FROM _pend").fetchone()[0]:
        return
    link_rows(con, "_pend", "_pend_l", source=None, source_col="source", uscc="uscc", key="enterprise_key",
              norm="name_norm", province="province_code", where="true", keys=("_pid", "_z"), listed="_code")
    con.execute("""
        INSERT INTO _relinked SELECT p.ref_table, p.ref_column, p.ref_id, p.ref_pos, p.name, l.enterprise_id, l.method
        FROM _pend p JOIN _pend_l l USING (_pid) WHERE l.enterprise_id IS NOT NULL
    """)


def scope_of_enterprises(ids_sql: str) -> str:
    """Pending rows that could name one of the enterprises ``ids_sql`` selects (by code, name, alias or key)."""
    return f"""(p.uscc IN (SELECT uscc FROM enterprises WHERE id IN ({ids_sql}) AND uscc IS NOT NULL)
        OR p.name_norm IN (SELECT name_norm FROM enterprises WHERE id IN ({ids_sql}))
        OR p.name_norm IN (SELECT alias_norm FROM enterprise_aliases WHERE enterprise_id IN ({ids_sql}))
        OR p.enterprise_key IN (SELECT source_key FROM enterprise_records WHERE enterprise_id IN ({ids_sql}))
        OR ({STOCK_CODE.format(col='p.name')} AND {stock_code_sql('p.name')} IN (
            SELECT listed_code FROM enterprises WHERE id IN ({ids_sql}) AND listed_code IS NOT NULL
            UNION ALL SELECT alias FROM enterprise_aliases WHERE kind = 'code' AND enterprise_id IN ({ids_sql}))))"""


def backfill_pending(con) -> None:
    """Unlinked facts with no pending row (databases written before pending rows were kept): their names."""
    parts = []
    for (table, column), (_cond, name_col) in TARGETS.items():
        rid, pos = _ID_OF.get(table, ("id", "NULL::INTEGER"))
        parts.append(f"""SELECT {ql(table)} AS ref_table, {ql(column)} AS ref_column, x.{rid} AS ref_id,
            {('x.' + pos) if pos[0] != 'N' else pos} AS ref_pos, x.{name_col} AS name FROM {table} x
            WHERE x.{column} IS NULL AND x.{name_col} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pending_links p
              WHERE p.ref_table = {ql(table)} AND p.ref_column = {ql(column)} AND p.ref_id = x.{rid}
                AND p.ref_pos IS NOT DISTINCT FROM {('x.' + pos) if pos[0] != 'N' else pos})""")
    con.execute("CREATE OR REPLACE TEMP TABLE _backfill AS " + " UNION ALL ".join(parts))
    names = [r[0] for r in con.execute("SELECT DISTINCT name FROM _backfill").fetchall()]
    if not names:
        return
    con.register("_backfill_norm", pa.table({"name": pa.array(names, pa.string()),
                                             "norm": pa.array([normalize_name(n) for n in names], pa.string())}))
    con.execute("""INSERT INTO pending_links SELECT b.ref_table, b.ref_column, b.ref_id, b.ref_pos, b.name, n.norm,
                   NULL, NULL, NULL, NULL, NULL, NULL FROM _backfill b JOIN _backfill_norm n USING (name)
                   WHERE n.norm <> ''""")
    con.unregister("_backfill_norm")


def apply_relinked(con, import_id: int | None, next_event_id: int) -> tuple[dict[str, int], int]:
    """Fill the enterprise of every fact in ``_relinked``, drop their pending rows, write their events.

    Returns the number of facts linked per table and the number of enterprises they were linked to. A fact that,
    once linked, turns out to repeat one stored (a board listed under a company's A-share and B-share codes:
    ``_rekey`` keeps it once) is counted once: the count is of the facts kept, not of the rows linked."""
    if not con.execute("SELECT count(*) FROM _relinked").fetchone()[0]:
        return {}, 0
    con.execute("CREATE OR REPLACE TEMP TABLE _linked_now (ref_table VARCHAR, id BIGINT, enterprise_id BIGINT)")
    for (table, column), (cond, _name) in TARGETS.items():
        linked = f"""(SELECT ref_id, ref_pos, name, min(enterprise_id) AS enterprise_id,
                         arg_min(method, enterprise_id) AS method FROM _relinked
                  WHERE ref_table = {ql(table)} AND ref_column = {ql(column)} GROUP BY ref_id, ref_pos, name) l"""
        rid = "x.id" if table in REKEYED else "NULL::BIGINT"  # the facts _rekey may find repeated
        con.execute(f"""INSERT INTO _linked_now SELECT {ql(table)}, {rid}, l.enterprise_id FROM {table} x, {linked}
                        WHERE {cond} AND x.{column} IS NULL""")
        how = ", method = coalesce(l.method, x.method)" if table in METHOD_KEPT else ""  # as an import's link says it
        con.execute(f"UPDATE {table} x SET {column} = l.enterprise_id{how} FROM {linked} WHERE {cond} AND x.{column} IS NULL")
    _rekey(con, import_id)
    kept = " UNION ALL ".join(f"SELECT id FROM {t}" for t in REKEYED)
    counts = dict(con.execute(f"""SELECT ref_table, count(*) FROM _linked_now
                                  WHERE id IS NULL OR id IN ({kept}) GROUP BY ref_table""").fetchall())
    enterprises = con.execute("SELECT count(DISTINCT enterprise_id) FROM _linked_now").fetchone()[0]
    con.execute("DROP TABLE _linked_now")
    # an applicant linked late takes its region from the enterprise when the patent did not give one
    con.execute("""
        UPDATE patent_applicants x SET country = coalesce(x.country, e.country),
            province_code = e.province_code, city_code = e.city_code, district_code = e.district_code
        FROM _relinked l JOIN enterprises e ON e.id = l.enterprise_id
        WHERE l.ref_table = 'patent_applicants' AND x.patent_id = l.ref_id AND x.position = l.ref_pos
          AND x.province_code IS NULL
    """)
    con.execute("""DELETE FROM pending_links p WHERE EXISTS (SELECT 1 FROM _relinked l WHERE l.ref_table = p.ref_table
                   AND l.ref_column = p.ref_column AND l.ref_id = p.ref_id AND l.ref_pos IS NOT DISTINCT FROM p.ref_pos
                   AND (p.ref_table <> 'news_mentions' OR l.name = p.name))""")
    from .events import derive_relinked_events

    derive_relinked_events(con, import_id, next_event_id)
    return counts, enterprises


# facts whose key names their enterprise (keys.py): (table, enterprise id, the key from the linked row ``x``);
# the person part of a role's key is its person's key
REKEYED = {
    "roles": ("enterprise_id", role_key("p.source_key", "CAST(x.enterprise_id AS VARCHAR)", "x.role", "x.title",
                                        "x.start_date")),
    "shareholdings": ("enterprise_id", shareholding_key("CAST(x.enterprise_id AS VARCHAR)", "x.holder_name",
                                                        "x.start_date")),
    "branches": ("parent_id", branch_key("CAST(x.parent_id AS VARCHAR)", "x.child_name")),
}
# the facts that point at a person
PERSON_REFS = (("roles", "person_id"), ("shareholdings", "holder_person_id"), ("patent_inventors", "person_id"),
               ("contacts", "person_id"))


def _rekey(con, import_id: int | None = None) -> None:
    """Facts linked now take the keys they would have had if their enterprise had been known at import, so
    importing their file again finds them stored. A person keyed by name and enterprise name (or stock code) is
    keyed by name and enterprise id: the persons this makes one (a board listed under a company's A-share and
    B-share codes) are merged, and a fact that turns out to repeat one already stored is dropped. Each person
    record's old and new key go to ``person_key_changes`` (decisions on the old key carry over: identity.py)."""
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _rk_p AS
        SELECT DISTINCT p.id AS old_id, p.source, {person_key('x.pname', 'CAST(x.eid AS VARCHAR)')} AS new_key
        FROM persons p JOIN (
            SELECT r.person_id AS pid, r.person_name AS pname, r.enterprise_name AS ename, r.enterprise_id AS eid
            FROM roles r JOIN _relinked l ON l.ref_table = 'roles' AND l.ref_id = r.id
            UNION ALL SELECT s.holder_person_id, s.holder_name, s.enterprise_name, s.enterprise_id
            FROM shareholdings s JOIN _relinked l ON l.ref_table = 'shareholdings' AND l.ref_id = s.id) x
          ON x.pid = p.id AND x.eid IS NOT NULL
        WHERE p.source_key = {person_key('x.pname', 'x.ename')}""")
    con.execute("""CREATE OR REPLACE TEMP TABLE _rk_pmap AS
        WITH c AS (SELECT old_id AS id, source, new_key FROM _rk_p
                   UNION SELECT x.id, x.source, x.source_key FROM persons x
                   JOIN (SELECT DISTINCT source, new_key FROM _rk_p) k ON x.source = k.source AND x.source_key = k.new_key)
        SELECT id AS old_id, new_key, min(id) OVER (PARTITION BY source, new_key) AS new_id FROM c""")
    con.execute(f"""INSERT INTO person_key_changes SELECT p.source, p.source_key, m.new_key,
                        {'NULL' if import_id is None else int(import_id)}, now()::TIMESTAMP
                    FROM _rk_pmap m JOIN persons p ON p.id = m.old_id WHERE p.source_key <> m.new_key""")
    for table, column in PERSON_REFS:
        con.execute(f"""UPDATE {table} SET {column} = m.new_id FROM _rk_pmap m
                        WHERE {table}.{column} = m.old_id AND m.old_id <> m.new_id""")
    con.execute("DELETE FROM persons WHERE id IN (SELECT old_id FROM _rk_pmap WHERE old_id <> new_id)")
    con.execute("""UPDATE persons SET source_key = m.new_key FROM _rk_pmap m
                   WHERE persons.id = m.old_id AND m.old_id = m.new_id AND persons.source_key <> m.new_key""")
    for table, (column, key) in REKEYED.items():
        con.execute(f"""CREATE OR REPLACE TEMP TABLE _rk_f AS
            SELECT x.id, x.source, {key} AS new_key FROM {table} x
            {'JOIN persons p ON p.id = x.person_id' if table == 'roles' else ''}
            WHERE x.{column} IS NOT NULL AND x.id IN (SELECT ref_id FROM _relinked WHERE ref_table = {ql(table)})""")
        # the one kept of a key: a fact stored linked before this one, else the first imported
        con.execute(f"""DELETE FROM {table} WHERE id IN (
            SELECT id FROM (SELECT id, source, new_key, 1 AS fresh FROM _rk_f
                            UNION ALL SELECT x.id, x.source, x.source_key, 0 FROM {table} x
                            JOIN (SELECT DISTINCT source, new_key FROM _rk_f) k
                              ON x.source = k.source AND x.source_key = k.new_key
                            WHERE x.id NOT IN (SELECT id FROM _rk_f))
            QUALIFY row_number() OVER (PARTITION BY source, new_key ORDER BY fresh, id) > 1)""")
        con.execute(f"""UPDATE {table} SET source_key = f.new_key FROM _rk_f f
                        WHERE {table}.id = f.id AND {table}.source_key <> f.new_key""")
    for t in ("_rk_p", "_rk_pmap", "_rk_f"):
        con.execute(f"DROP TABLE IF EXISTS {t}")


def relink_all(store) -> dict:
    """``zhaoshang relink``: link every pending fact (after adding the unlinked ones no row describes)."""
    con = store.con
    with store.transaction():
        con.execute(RELINKED_DDL)
        backfill_pending(con)
        link_pending(con)
        counts, enterprises = apply_relinked(con, None, store.next_id("events"))
        pending = con.execute("SELECT count(*) FROM pending_links").fetchone()[0]
    for t in ("_relinked", "_pend", "_pend_l", "_backfill"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    return {"linked": sum(counts.values()), "by_table": counts, "enterprises": enterprises, "pending": pending}
