"""Writing enterprise rows: link or create canonical enterprises, keep every source record, track history."""

from __future__ import annotations

from ..schema import TRACKED_FIELDS
from ..text import normalize_name
from .context import ImportContext
from .staging import qi, ql

# canonical column → expression over the typed table (None when the field is absent in this import)
def canonical_exprs(ctx: ImportContext) -> dict[str, str]:
    p = ctx.staged.present

    def f(field: str, derived: str | None = None) -> str:
        if field not in p:
            return "NULL"
        return qi(derived or field)

    return {
        "name": f("name"),
        "name_norm": f("name", "name__norm"),
        "uscc": f("uscc", "uscc__ok"),
        "english_name": f("english_name"),
        "legal_form": f("legal_form"),
        "status": f("status"),
        "founded": f("founded", "founded__d"),
        "dissolved": f("dissolved", "dissolved__d"),
        "capital_wan": f("capital", "capital__wan"),
        "capital_text": f("capital"),
        "country": "_country",
        "province_code": "_province_code",
        "city_code": "_city_code",
        "district_code": "_district_code",
        "region_text": f("region"),
        "address": f("address"),
        "lat": f("lat", "lat__n"),
        "lng": f("lng", "lng__n"),
        "industry_code": f("industry_code"),
        "industry": f("industry"),
        "scope": f("scope"),
        "description": f("description"),
        "products": f("products"),
        "website": f("website"),
        "listed_code": f("listed_code"),
        "legal_rep": f("legal_rep"),
        "tags": f("tags", "tags__list"),
    }


# record ids: next free id + file index × stride + row number — unique and deterministic without a sort
RECORD_ID_STRIDE = 10_000_000_000

CANON_TYPES = {
    "founded": "DATE", "dissolved": "DATE", "capital_wan": "DOUBLE", "lat": "DOUBLE", "lng": "DOUBLE",
    "tags": "VARCHAR[]",
}


def _keep_last(con, table: str, key: str) -> None:
    """Keep only the last row (by file, row) of each ``key`` — the window sort runs only when keys repeat."""
    n, distinct = con.execute(f"SELECT count(*), count(DISTINCT {key}) FROM {table}").fetchall()[0]
    if n != distinct:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM {table} "
                    f"QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY _file DESC, _row DESC) = 1")


def _combine(con, table: str, key: str, fields: dict[str, str]) -> None:
    """Rows sharing a key (one line per product of a company) give each mapped text field all their values,
    joined in file order, before the last row of the key is kept."""
    for f, joiner in fields.items():
        cols = {r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()}
        if f not in cols:
            continue
        con.execute(f"""UPDATE {table} SET {qi(f)} = a.v FROM (
            SELECT {key} AS k, string_agg({qi(f)}, {ql(joiner or '、')} ORDER BY _file, _row) AS v
            FROM {table} WHERE {qi(f)} IS NOT NULL GROUP BY {key} HAVING count(*) > 1) a WHERE {table}.{key} = a.k""")


def _last_per(con, rows_sql: str, key: str) -> str:
    """SQL for the last row of each ``key`` among ``rows_sql`` (no window when every key is unique)."""
    n, distinct = con.execute(f"SELECT count(*), count(DISTINCT {key}) FROM {rows_sql}").fetchall()[0]
    if n == distinct:
        return rows_sql
    return (f"(SELECT * FROM {rows_sql} QUALIFY row_number() OVER (PARTITION BY {key} "
            f"ORDER BY _file DESC, _row DESC) = 1)")


def write_enterprises(ctx: ImportContext) -> None:
    con, src = ctx.con, ctx.source
    exprs = canonical_exprs(ctx)
    present_raw = [f for f in ctx.staged.fields if f in ctx.staged.present]
    hash_expr = "md5(concat_ws('\x1f', " + ", ".join(f"coalesce({qi(f)}, '')" for f in present_raw) + "))"
    key_expr = (f"coalesce({qi('key')}, " if "key" in ctx.staged.present else "coalesce(") + \
        f"{exprs['uscc'] if exprs['uscc'] != 'NULL' else 'NULL'}, name__norm || '|' || coalesce(_province_code, ''))"
    cols = ", ".join(f"CAST({e} AS {CANON_TYPES.get(c, 'VARCHAR')}) AS {qi(c)}" for c, e in exprs.items())
    data_expr = "to_json(struct_pack(" + ", ".join(f"{qi(f)} := {qi(f)}" for f in present_raw) + ", _extra := _extra))"
    # 1. candidate rows with key and hash; the last row of a key within the import wins.
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _ent AS
        SELECT _file, _row, {key_expr} AS _key, {hash_expr} AS _hash, {data_expr} AS _data, {cols}
        FROM _typed WHERE NOT _rejected
    """)
    _combine(con, "_ent", "_key", ctx.mapping.combine)
    _keep_last(con, "_ent", "_key")
    kept = con.execute("SELECT count(*) FROM _ent").fetchone()[0]
    ctx.report.rows_duplicate += ctx.rows_ok - kept
    # 2. rows already recorded with the same content add nothing.
    con.execute(f"""
        DELETE FROM _ent WHERE EXISTS (SELECT 1 FROM enterprise_records r
            WHERE r.source = {ql(src)} AND r.source_key = _ent._key AND r.row_hash = _ent._hash)
    """)
    fresh = con.execute("SELECT count(*) FROM _ent").fetchone()[0]
    ctx.report.rows_duplicate += kept - fresh
    if fresh == 0:
        return
    # 3. link to existing enterprises.
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _ent_link AS
        WITH c AS (
            SELECT t._key, r.enterprise_id AS eid, 1 AS pri, 'source_key' AS method FROM _ent t
              JOIN enterprise_records r ON r.source = {ql(src)} AND r.source_key = t._key
            UNION ALL
            SELECT t._key, e.id, 2, 'uscc' FROM _ent t JOIN enterprises e ON e.uscc = t.uscc WHERE t.uscc IS NOT NULL
            UNION ALL
            -- the same 6-digit A-share code (000977 = 000977.SZ): an exchange list, an industry file, a products file
            SELECT t._key, e.id, 2, 'listed_code' FROM _ent t JOIN enterprises e
              ON regexp_extract(e.listed_code, '^[0-9]{{6}}') = regexp_extract(t.listed_code, '^[0-9]{{6}}')
              WHERE t.listed_code IS NOT NULL AND regexp_extract(t.listed_code, '^[0-9]{{6}}') <> ''
            UNION ALL
            SELECT t._key, e.id, 3, 'name+province' FROM _ent t JOIN enterprises e ON e.name_norm = t.name_norm
              WHERE (t.uscc IS NULL OR e.uscc IS NULL OR t.uscc = e.uscc)
                AND (t.province_code = e.province_code OR (t.province_code IS NULL AND e.province_code IS NULL))
        ),
        best AS (SELECT _key, min(pri) AS pri FROM c GROUP BY ALL)
        SELECT c._key, min(c.eid) AS eid, count(DISTINCT c.eid) AS n, any_value(c.method) AS method
        FROM c JOIN best USING (_key, pri) GROUP BY ALL
    """)
    # 4. unlinked rows: group among themselves (credit code first, then name + province) → new ids.
    next_id = ctx.store.next_id("enterprises")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _ent_new AS
        WITH u AS (
            SELECT t.* FROM _ent t LEFT JOIN _ent_link l USING (_key) WHERE l.eid IS NULL
        ),
        byname AS (  -- rows without a code join a coded row of the same name and province
            SELECT name_norm, province_code, min(uscc) AS uscc FROM u WHERE uscc IS NOT NULL GROUP BY ALL
        ),
        g AS (
            SELECT u._key, u._file, u._row,
                   coalesce(u.uscc, b.uscc, u.name_norm || '|' || coalesce(u.province_code, '')) AS gkey
            FROM u LEFT JOIN byname b ON u.uscc IS NULL AND b.name_norm = u.name_norm
                 AND b.province_code IS NOT DISTINCT FROM u.province_code
        ),
        firsts AS (SELECT gkey, min(_file * 1000000000000 + _row) AS first FROM g GROUP BY gkey)
        SELECT g._key, {next_id} - 1 + dense_rank() OVER (ORDER BY f.first) AS eid
        FROM g JOIN firsts f USING (gkey)
    """)
    # a small id map and a view over it: the rows themselves are not copied again
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _ent_ids AS
        SELECT t._key, coalesce(CASE WHEN l.n = 1 THEN l.eid END, n.eid) AS enterprise_id,
               CASE WHEN l.n = 1 THEN l.method ELSE 'new' END AS link_method
        FROM _ent t LEFT JOIN _ent_link l USING (_key) LEFT JOIN _ent_new n USING (_key)
    """)
    con.execute("CREATE OR REPLACE TEMP VIEW _ent_all AS SELECT t.*, i.enterprise_id, i.link_method "
                "FROM _ent t JOIN _ent_ids i USING (_key)")
    canon = list(exprs)
    # 5. new enterprises: the latest row of each new id gives the values.
    con.execute(f"""
        INSERT INTO enterprises (id, {', '.join(canon)}, source, first_import_id, last_import_id)
        SELECT enterprise_id, {', '.join(canon)}, {ql(src)}, {ctx.import_id}, {ctx.import_id}
        FROM {_last_per(con, "(SELECT * FROM _ent_all WHERE link_method = 'new')", "enterprise_id")}
    """)
    ctx.report.rows_imported += con.execute(
        "SELECT count(DISTINCT enterprise_id) FROM _ent_all WHERE link_method = 'new'").fetchone()[0]
    # 6. existing enterprises: history of tracked fields, then update (non-null new values win).
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _ent_upd AS
        SELECT * FROM {_last_per(con, "(SELECT * FROM _ent_all WHERE link_method <> 'new')", "enterprise_id")}
    """)
    # a row linked by its stock code names the company as an industry or products file does (often the short
    # name): it adds facts, it does not rename the registered enterprise
    con.execute("UPDATE _ent_upd SET name = NULL, name_norm = NULL WHERE link_method = 'listed_code'")
    changed_on = ql(str(ctx.data_date))
    for fld in TRACKED_FIELDS:
        con.execute(f"""
            INSERT INTO enterprise_history
            SELECT e.id, {ql(fld)}, CAST(e.{fld} AS VARCHAR), CAST(u.{fld} AS VARCHAR), {changed_on}::DATE,
                   {ql(src)}, u._key, {ctx.import_id}
            FROM _ent_upd u JOIN enterprises e ON e.id = u.enterprise_id
            WHERE u.{fld} IS NOT NULL AND e.{fld} IS NOT NULL AND CAST(u.{fld} AS VARCHAR) <> CAST(e.{fld} AS VARCHAR)
        """)
    # the old name stays findable as a former name
    con.execute(f"""
        INSERT INTO enterprise_aliases
        SELECT h.enterprise_id, h.old_value, e.name_norm, 'former', {ql(src)}, h.source_key, {ctx.import_id}
        FROM enterprise_history h JOIN enterprises e ON e.id = h.enterprise_id
        WHERE h.import_id = {ctx.import_id} AND h.field = 'name'
    """)
    sets = ", ".join(f"{c} = coalesce(u.{c}, e.{c})" for c in canon if c != "name_norm")
    con.execute(f"""
        UPDATE enterprises e SET {sets}, name_norm = coalesce(u.name_norm, e.name_norm),
               last_import_id = {ctx.import_id}
        FROM _ent_upd u WHERE e.id = u.enterprise_id
    """)
    ctx.report.rows_updated += con.execute("SELECT count(*) FROM _ent_upd").fetchone()[0]
    # 7. every source record, linked to its canonical enterprise.
    next_rec = ctx.store.next_id("enterprise_records", "record_id")
    con.execute(f"""
        INSERT INTO enterprise_records
        SELECT {next_rec} + _file * {RECORD_ID_STRIDE} + _row, enterprise_id, link_method, _row, _hash,
               {ql(ctx.started_at.isoformat(sep=' '))}::TIMESTAMP, _data, {ql(src)}, _key, {ctx.import_id}
        FROM _ent_all
    """)
    _write_aliases(ctx)
    ctx.linked_ids_sql = "SELECT enterprise_id FROM _ent_all"


def _write_aliases(ctx: ImportContext) -> None:
    con, p = ctx.con, ctx.staged.present
    parts = []
    for field, kind in (("short_name", "short"), ("brand", "brand"), ("english_name", "english")):
        if field in p:
            parts.append(f"SELECT a.enterprise_id, t.{qi(field)} AS alias, '{kind}' AS kind, a._key FROM _typed t "
                         f"JOIN _ent_all a USING (_file, _row) WHERE t.{qi(field)} IS NOT NULL")
    for field, kind in (("former_names", "former"), ("aliases", "other")):
        if field in p:
            parts.append(f"SELECT a.enterprise_id, unnest(t.{qi(field + '__list')}) AS alias, '{kind}' AS kind, a._key "
                         f"FROM _typed t JOIN _ent_all a USING (_file, _row)")
    # a record whose registered name differs from the canonical one (a duplicate from another source)
    parts.append("SELECT a.enterprise_id, a.name AS alias, 'other' AS kind, a._key FROM _ent_all a JOIN enterprises e "
                 "ON e.id = a.enterprise_id WHERE a.name_norm <> e.name_norm")
    con.execute("CREATE OR REPLACE TEMP TABLE _alias_in AS " + " UNION ALL ".join(parts))
    names = [r[0] for r in con.execute("SELECT DISTINCT alias FROM _alias_in WHERE alias IS NOT NULL").fetchall()]
    import pyarrow as pa

    tbl = pa.table({"alias": names, "alias_norm": [normalize_name(n) for n in names]})
    con.register("_alias_norm_arrow", tbl)
    con.execute(f"""
        INSERT INTO enterprise_aliases
        SELECT DISTINCT ON (i.enterprise_id, n.alias_norm) i.enterprise_id, i.alias, n.alias_norm, i.kind,
               {ql(ctx.source)}, i._key, {ctx.import_id}
        FROM _alias_in i JOIN _alias_norm_arrow n USING (alias)
        WHERE n.alias_norm <> '' AND NOT EXISTS (SELECT 1 FROM enterprise_aliases x
            WHERE x.enterprise_id = i.enterprise_id AND x.alias_norm = n.alias_norm)
          AND NOT EXISTS (SELECT 1 FROM enterprises e WHERE e.id = i.enterprise_id AND e.name_norm = n.alias_norm)
    """)
    con.unregister("_alias_norm_arrow")
