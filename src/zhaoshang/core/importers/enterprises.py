"""Writing enterprise rows: link or create canonical enterprises, keep every source record, track history."""

from __future__ import annotations

import time
from pathlib import Path

from ..geo.regions import MUNICIPALITIES
from ..parse.dates import precision_rank_sql, within_sql
from ..schema import TRACKED_FIELDS
from ..text import normalize_name, stock_code_sql
from .context import ImportContext
from .delta import combined_hashes, set_aside_unchanged_keys
from .events import founded_events
from .linking import REGISTERED_NAME
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
        # the name was read from a short-name column (a preset's fallback, or a list of short names only)
        "name_short": ("NULL" if "name" not in p else "true" if ctx.mapping.name_is_short
                       else "name__alt" if "name" in ctx.staged.alternates else "false"),
        "uscc": f("uscc", "uscc__ok"),
        "english_name": f("english_name"),
        "legal_form": f("legal_form"),
        "status": f("status"),
        "founded": f("founded", "founded__d"),
        # what the founding date is known to: a source writing 2015-03 or 2015 gave no day
        "founded_precision": ("CASE WHEN founded__d IS NOT NULL THEN coalesce(founded__p, 'day') END"
                              if "founded" in p else "NULL"),
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
        # a stock code on its six digits (000001.SZ → 000001), the form every lookup by code reads; another kept as written
        "listed_code": (f"coalesce({stock_code_sql(qi('listed_code'))}, {qi('listed_code')})" if "listed_code" in p
                        else "NULL"),
        "legal_rep": f("legal_rep"),
        "tags": f("tags", "tags__list"),
    }


# enterprise columns holding a mapped field's text as read (a plain insert's record keeps no copy of it)
RAW_COLUMNS = {"name": "name", "english_name": "english_name", "legal_form": "legal_form", "status": "status",
               "capital": "capital_text", "region": "region_text", "address": "address", "industry_code": "industry_code",
               "industry": "industry", "scope": "scope", "description": "description", "products": "products",
               "website": "website", "listed_code": "listed_code", "legal_rep": "legal_rep"}


def record_value_sql(field: str, r: str = "r", e: str = "e") -> str:
    """SQL for one mapped value of source record ``r`` (joined to its enterprise ``e``): from the record's own
    copy, or — for a plain insert, which keeps none (``_write_records``) — from the enterprise it created."""
    own = f"json_extract_string({r}.data, {ql('$.' + field)})"
    if field not in RAW_COLUMNS:
        return own
    return f"CASE WHEN json_exists({r}.data, '$.name') THEN {own} ELSE {e}.{qi(RAW_COLUMNS[field])} END"


# record ids: next free id + file index × stride + row number — unique and deterministic without a sort
RECORD_ID_STRIDE = 10_000_000_000

CANON_TYPES = {
    "founded": "DATE", "dissolved": "DATE", "name_short": "BOOLEAN", "capital_wan": "DOUBLE", "lat": "DOUBLE", "lng": "DOUBLE",
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


# the same name, codes and province not contradicting each other
NAME_MATCH = ("(t.uscc IS NULL OR e.uscc IS NULL OR t.uscc = e.uscc) AND (t.province_code = e.province_code "
              "OR (t.province_code IS NULL AND e.province_code IS NULL))")


def _domain(col: str) -> str:
    """SQL: the website's host — lower case, without the scheme, ``www.``, port, path or query (http://www.cambricon.com/
    → cambricon.com); NULL when there is none."""
    return f"nullif(regexp_extract(lower({col}), '^(?:[a-z]+://)?(?:www\\.)?([^/:?#\\s]+)', 1), '')"


# a website host given by this many enterprises or more (the database's and this import's) names no one company: a
# portal, a marketplace, a group's shared site — no cue for a suspected duplicate
GENERIC_DOMAIN_HOLDERS = 3


def same_source(e: str, src: str) -> str:
    return f"EXISTS (SELECT 1 FROM enterprise_records r WHERE r.enterprise_id = {e}.id AND r.source = {ql(src)})"


def _years_apart(t: str, e: str) -> str:
    return f"abs(year({t}.founded) - year({e}.founded))"


def corroborated(t: str, e: str) -> str:
    """Evidence beyond the name for merging with an enterprise of another source: a registered Chinese name, or
    a bare name with the same province, a founding year within one, or the same website domain — and no
    founding years further apart."""
    bare_ok = (f"(NOT coalesce({_years_apart(t, e)} > 1, false) AND ({t}.province_code IS NOT NULL "
               f"OR coalesce({_years_apart(t, e)} <= 1, false) OR coalesce({_domain(t + '.website')} = {_domain(e + '.website')}, false)))")
    return f"(regexp_matches({t}.name_norm, '{REGISTERED_NAME}') OR {bare_ok})"


def _near_merges(ctx: ImportContext) -> None:
    """Rows whose name alone matches an enterprise of another source: not merged, listed for review. A row linked
    to one enterprise — by its source key, credit code or stock code — is that enterprise and no candidate (the
    A-share table's 中国海油, named by its short name, linked by 600938 to the SSE list's 中国海油)."""
    src = ctx.source
    rows = ctx.con.execute(f"""
        SELECT t.name, t._key, e.id, e.name, e.source,
               CASE WHEN coalesce({_years_apart('t', 'e')} > 1, false)
                    THEN '成立年份不同 (' || year(t.founded) || ' / ' || year(e.founded) || ')'
                    ELSE '只有名称相同，没有地区、成立年份或网站佐证' END,
               CASE WHEN coalesce({_years_apart('t', 'e')} > 1, false)
                    THEN 'founded in different years (' || year(t.founded) || ' / ' || year(e.founded) || ')'
                    ELSE 'only the name is the same: no region, founding year or website to confirm' END
        FROM (SELECT * FROM _ent ANTI JOIN (SELECT _key FROM _ent_link WHERE n = 1) USING (_key)) t
             JOIN enterprises e ON e.name_norm = t.name_norm
        WHERE {NAME_MATCH} AND NOT {same_source('e', src)} AND NOT {corroborated('t', 'e')}
        ORDER BY t._file, t._row, e.id
    """).fetchall()
    rows += ctx.con.execute(f"""
        WITH t AS (
            SELECT *, CASE WHEN name_norm LIKE '%股份有限公司' THEN [left(name_norm, length(name_norm) - 6) || '有限公司',
                                                                  left(name_norm, length(name_norm) - 6) || '有限责任公司']
                           WHEN name_norm LIKE '%有限责任公司' THEN [left(name_norm, length(name_norm) - 6) || '股份有限公司']
                           WHEN name_norm LIKE '%有限公司' THEN [left(name_norm, length(name_norm) - 4) || '股份有限公司'] END AS other_forms
            FROM _ent ANTI JOIN _ent_bykey USING (_key)
            WHERE name_norm LIKE '%有限公司' OR name_norm LIKE '%有限责任公司'),
        c AS (SELECT *, unnest(other_forms) AS other_form FROM t WHERE length(name_norm) > 8)
        SELECT t.name, t._key, e.id, e.name, e.source, {ql(LEGAL_FORM_REASON[0])}, {ql(LEGAL_FORM_REASON[1])}
        FROM c t JOIN enterprises e ON e.name_norm = t.other_form
        WHERE (t.uscc IS NULL OR e.uscc IS NULL OR t.uscc = e.uscc)
          AND (t.province_code IS NULL OR e.province_code IS NULL OR t.province_code = e.province_code)
          AND (t.city_code IS NULL OR e.city_code IS NULL OR t.city_code = e.city_code)
          AND NOT EXISTS (SELECT 1 FROM _ent_link l WHERE l._key = t._key AND l.eid = e.id)
        ORDER BY t._file, t._row, e.id
    """).fetchall()
    # the same registered full name where one side's province is unknown: name+province cannot link it (a list of
    # names and capitals made a second 科大讯飞股份有限公司 without a region), so it is listed, never merged
    rows += ctx.con.execute(f"""
        SELECT t.name, t._key, e.id, e.name, e.source, {ql(UNKNOWN_REGION_REASON[0])}, {ql(UNKNOWN_REGION_REASON[1])}
        FROM (SELECT * FROM _ent ANTI JOIN _ent_link USING (_key)) t JOIN enterprises e ON e.name_norm = t.name_norm
        WHERE (t.province_code IS NULL) <> (e.province_code IS NULL)
          AND (t.uscc IS NULL OR e.uscc IS NULL OR t.uscc = e.uscc)
          AND regexp_matches(t.name_norm, '{REGISTERED_NAME}')
        ORDER BY t._file, t._row, e.id
    """).fetchall()
    rows += _same_short_name_and_address(ctx)
    seen = {(k, i) for _, k, i, *_ in rows}
    rows += [r for r in _same_domain(ctx) if (r[1], r[2]) not in seen]
    ctx.report.near_merges += [
        {"name": n, "source_key": k, "existing_id": i, "existing_name": en, "existing_source": es, "reason": r,
         "reason_en": r_en} for n, k, i, en, es, r, r_en in rows]


def _address_key(col: str) -> str:
    """An address compared with another: without 省/市/区/县, spaces and punctuation (上海市嘉定区环城路200号 and
    上海市嘉定环城路200号 are one)."""
    return f"nullif(regexp_replace({col}, '^中国|[省市区县\\s,，、()（）\\-]', '', 'g'), '')"


def _same_short_name_and_address(ctx: ImportContext) -> list[tuple]:
    """Rows not linked whose brand or short name is a known enterprise's short name (or its name), at the same
    address, founded in the same month: suggested, never merged (IT桔子's 上海网宿科技股份有限公司, brand 网宿科技, and
    the A-share list's 网宿科技股份有限公司 at 上海市嘉定环城路200号, both founded January 2000)."""
    p = ctx.staged.present
    short = [f"t.{qi(c)}" for c in ("brand", "short_name") if c in p]
    if not short or "address" not in p or "founded" not in p:
        return []
    return ctx.con.execute(f"""
        WITH t AS (SELECT x.name, x._key, x.address, x.founded, x._file, x._row, trim(coalesce({', '.join(short)})) AS short
                   FROM (SELECT * FROM _ent ANTI JOIN _ent_link USING (_key)) x JOIN _typed t USING (_file, _row)
                   WHERE x.address IS NOT NULL AND x.founded IS NOT NULL AND coalesce({', '.join(short)}) IS NOT NULL),
             e AS (SELECT DISTINCT t._key, k.id FROM t JOIN enterprise_aliases a ON a.alias = t.short AND a.kind = 'short'
                   JOIN enterprises k ON k.id = a.enterprise_id
                   UNION SELECT t._key, k.id FROM t JOIN enterprises k ON k.name = t.short)
        SELECT t.name, t._key, k.id, k.name, k.source,
               '简称相同（' || t.short || '）、地址相同、成立于同月（' || strftime(t.founded, '%Y-%m')
                 || '）：可能为同一企业，未合并，请核对',
               'the same short name (' || t.short || '), the same address, founded in the same month ('
                 || strftime(t.founded, '%Y-%m') || '): possibly one company; not merged, to review'
        FROM t JOIN e USING (_key) JOIN enterprises k ON k.id = e.id
        WHERE {_address_key('t.address')} = {_address_key('k.address')}
          AND strftime(t.founded, '%Y-%m') = strftime(k.founded, '%Y-%m') AND NOT {same_source('k', ctx.source)}
        ORDER BY t._file, t._row, k.id
    """).fetchall()


def _same_domain(ctx: ImportContext) -> list[tuple]:
    """Rows whose website host is an enterprise's of another source — neither credit codes nor provinces
    contradicting — suggested, never merged: 北京中科寒武纪科技有限公司 (IT桔子) and
    中科寒武纪科技股份有限公司 (the A-share list) share cambricon.com, Beijing and March 2016, and their names differ by
    more than the legal form. A host that ``GENERIC_DOMAIN_HOLDERS`` enterprises or more give is no cue. The
    reason names the host and what else agrees (founding month or year, province) or differs (founding years more
    than one apart: said, the pair still listed — the host is the stronger cue, and sources date founding
    differently)."""
    if "website" not in ctx.staged.present:
        return []
    src, con = ctx.source, ctx.con
    return con.execute(f"""
        WITH t AS (SELECT *, {_domain('website')} AS dom FROM _ent ANTI JOIN _ent_bykey USING (_key)
                   WHERE website IS NOT NULL),
             t1 AS (SELECT * FROM t WHERE dom LIKE '%_._%'),
             e1 AS (SELECT e.*, {_domain('e.website')} AS dom FROM enterprises e
                    WHERE e.website IS NOT NULL AND {_domain('e.website')} IN (SELECT dom FROM t1)),
             holders AS (SELECT dom, count(*) AS n FROM (SELECT dom, 'e' || id AS who FROM e1
                                                         UNION SELECT dom, 'k' || _key FROM t1) GROUP BY dom),
             p AS (SELECT t.name, t._key, e.id, e.name AS e_name, e.source AS e_source, t.dom,
                          CASE WHEN strftime(t.founded, '%Y-%m') = strftime(e.founded, '%Y-%m') THEN 2
                               WHEN year(t.founded) = year(e.founded) THEN 1
                               WHEN {_years_apart('t', 'e')} > 1 THEN -1 ELSE 0 END AS founded_same,
                          t.founded, e.founded AS e_founded, coalesce(t.province_code, e.province_code) AS prov,
                          t.province_code IS NOT NULL AND e.province_code IS NOT NULL AS prov_both, t._file, t._row
                   FROM t1 t JOIN e1 e ON e.dom = t.dom JOIN holders h ON h.dom = t.dom
                   WHERE h.n < {GENERIC_DOMAIN_HOLDERS}
                     AND (t.uscc IS NULL OR e.uscc IS NULL OR t.uscc = e.uscc)
                     AND (t.province_code IS NULL OR e.province_code IS NULL OR t.province_code = e.province_code)
                     AND NOT {same_source('e', src)}
                     AND NOT EXISTS (SELECT 1 FROM _ent_link l WHERE l._key = t._key AND l.eid = e.id))
        SELECT p.name, p._key, p.id, p.e_name, p.e_source,
               '网站域名相同（' || p.dom || '）'
                 || CASE p.founded_same WHEN 2 THEN '，成立于同月（' || strftime(p.founded, '%Y-%m') || '）'
                                        WHEN 1 THEN '，成立于同年（' || year(p.founded) || '）'
                                        WHEN -1 THEN '，但成立年份不同（' || year(p.founded) || ' / ' || year(p.e_founded) || '）'
                                        ELSE '' END
                 || CASE WHEN p.prov_both THEN '，同在' || coalesce(r.name, p.prov) ELSE '' END
                 || '：可能为同一企业，未合并，请核对',
               'the same website domain (' || p.dom || ')'
                 || CASE p.founded_same WHEN 2 THEN ', founded in the same month (' || strftime(p.founded, '%Y-%m') || ')'
                                        WHEN 1 THEN ', founded in the same year (' || year(p.founded) || ')'
                                        WHEN -1 THEN ', but founded in different years (' || year(p.founded) || ' / '
                                                     || year(p.e_founded) || ')'
                                        ELSE '' END
                 || CASE WHEN p.prov_both THEN ', both in ' || coalesce(r.name_en, r.name, p.prov) ELSE '' END
                 || ': possibly one company; not merged, to review'
        FROM p LEFT JOIN regions r ON r.code = p.prov
        ORDER BY p._file, p._row, p.id
    """).fetchall()


UNKNOWN_REGION_REASON = ("注册名称相同，但一方没有地区：按名称与省份无法关联，未合并，请核对",
                         "the same registered name, but one side has no region: name and province cannot link them; "
                         "not merged, to review")
# a company converted from 有限公司 to 股份有限公司 (before a listing) keeps its credit code but often appears in
# older files under its old name: the pair is suggested, never merged (the names alone do not prove it)
LEGAL_FORM_REASON = ("名称仅组织形式不同（有限公司 / 股份有限公司），可能为改制前后的同一企业，地区一致",
                     "the names differ only in the legal form (有限公司 / 股份有限公司): possibly one company before and "
                     "after its conversion; the regions agree")


CONFLICT_FIELDS = ("name", "province_code", "founded", "capital_wan")


def _write_conflicts(ctx: ImportContext, cross: bool = False) -> None:
    """Rows of this import that disagree with their enterprise: earlier rows of a key repeated in the import
    (kept here as source records) and, with ``cross``, rows linked by credit code from another source."""
    con, src = ctx.con, ctx.source
    ids = ("(SELECT _key, enterprise_id FROM _ent_all)" if cross else
           f"(SELECT source_key AS _key, min(enterprise_id) AS enterprise_id FROM enterprise_records "
           f"WHERE source = {ql(src)} GROUP BY 1)")
    next_rec = ctx.store.next_id("enterprise_records", "record_id")
    dups = bool(con.execute("SELECT 1 FROM _ent_dup LIMIT 1").fetchall())  # (none: no pass over the ids)
    vals = ", ".join(f"('{c}', CAST(k.{c} AS VARCHAR), CAST(d.{c} AS VARCHAR))" for c in CONFLICT_FIELDS)
    if dups:
        con.execute(f"""
            INSERT INTO enterprise_records
            SELECT {next_rec} + d._file * {RECORD_ID_STRIDE} + d._row, i.enterprise_id, 'conflict', d._row, d._hash,
                   {ql(ctx.started_at.isoformat(sep=' '))}::TIMESTAMP, d._data, {ql(src)}, d._key, {ctx.import_id}
            FROM _ent_dup d JOIN {ids} i USING (_key)
        """)
        con.execute(f"""
            INSERT INTO enterprise_conflicts
            SELECT i.enterprise_id, f.field, f.value, f.record_value, {next_rec} + d._file * {RECORD_ID_STRIDE} + d._row,
                   {ql(src)}, d._key, {ctx.import_id}
            FROM _ent_dup d JOIN {ids} i USING (_key) JOIN enterprises k ON k.id = i.enterprise_id,
                 LATERAL (VALUES {vals}) f(field, value, record_value)
            WHERE f.value IS NOT NULL AND f.record_value IS NOT NULL AND f.value <> f.record_value
        """)
    if cross and con.execute("SELECT 1 FROM _ent_cross LIMIT 1").fetchall():
        con.execute(f"""
            INSERT INTO enterprise_conflicts
            SELECT c.enterprise_id, c.field, c.value, c.record_value, r.record_id, {ql(src)}, c._key, {ctx.import_id}
            FROM _ent_cross c LEFT JOIN enterprise_records r ON r.import_id = {ctx.import_id} AND r.source_key = c._key
                 AND r.link_method = 'uscc'
        """)
    # a record of link method ``conflict`` is an earlier row of a key repeated within this import (``repeats``)
    rows = con.execute(f"""
        SELECT c.enterprise_id, c.source_key, e.uscc, e.name, coalesce(r.link_method = 'conflict', false),
               list({{'field': c.field, 'value': c.value, 'record_value': c.record_value}} ORDER BY c.field)
        FROM enterprise_conflicts c JOIN enterprises e ON e.id = c.enterprise_id
             LEFT JOIN enterprise_records r ON r.record_id = c.record_id
        WHERE c.import_id = {ctx.import_id} GROUP BY ALL ORDER BY 1, 2, 5 LIMIT 1000""").fetchall()
    ctx.report.conflicts = [{"enterprise_id": i, "source_key": k, "uscc": u, "name": n, "repeated_in_file": w,
                             "fields": f} for i, k, u, n, w, f in rows]


def _write_region_text_conflicts(ctx: ImportContext) -> None:
    """Rows whose address and region text name different places (the rejects file's ``region_text_conflict``
    lines): a conflict of their enterprise each, shown with the profile's sources — field ``region_text`` (the region
    column, not followed) or ``address`` (the address, not followed), the enterprise's region as imported, the text."""
    con = ctx.con
    if not con.execute("SELECT 1 FROM _rej WHERE code = 'region_text_conflict' LIMIT 1").fetchall():
        return
    rows = con.execute(f"""
        SELECT a.enterprise_id, CASE WHEN j.column = {ql(ctx.staged.header_of.get('address', 'address'))}
                                     THEN 'address' ELSE 'region_text' END, j.value, r.record_id, a._key,
               coalesce(e.district_code, e.city_code, e.province_code)
        FROM _rej j JOIN _ent_all a ON a._file = j._file AND a._row = j._row JOIN enterprises e ON e.id = a.enterprise_id
             LEFT JOIN enterprise_records r ON r.import_id = {ctx.import_id} AND r.source_key = a._key AND r.row_no = a._row
        WHERE j.code = 'region_text_conflict' ORDER BY 1""").fetchall()
    if not rows:
        return
    from ..geo.lookup import region_labels

    names = region_labels(ctx.store, [r[5] for r in rows])
    con.executemany("INSERT INTO enterprise_conflicts VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [(eid, field, names.get(code), text, rec, ctx.source, key, ctx.import_id)
                     for eid, field, text, rec, key, code in rows])


NAME_PLACES = "_name_places"  # the place names a legal name may state (``RegionParser.legal_name_places``)


def _write_name_region_conflicts(ctx: ImportContext) -> None:
    """Rows whose legal name states a province or city — a branch's before 分公司, in brackets after the trade name
    (爱闪拍（上海）…) or at its start (湖南科云达…, 深圳前海…), read by the region parser
    (``RegionParser.legal_name_places``) — other than the region imported for them: the row keeps the region
    imported (its region columns, address or credit code; a name is no registration), a line in the rejects
    file (``name_region_conflict``, flagged) and a conflict of its enterprise (field ``name_region``: the region
    imported, the name's place) say it for review, counted in the report (``name_region_conflicts``)."""
    import pyarrow as pa

    from ..geo.lookup import label_sql
    from ..geo.parser import RegionParser

    con, staged = ctx.con, ctx.staged
    if "name" not in staged.present:
        return
    places = RegionParser.default().legal_name_places()
    con.register(NAME_PLACES, pa.table({"key": [x[0] for x in places], "k2": [x[0][:2] for x in places],
                                        "province_code": [x[1] for x in places], "city_code": [x[2] for x in places],
                                        "sure": [x[3] for x in places]}))
    try:
        # the place a name gives its own registration (企业名称登记: the place before the trade name or in brackets
        # after it): a branch's place before 分公司 (广州溪珑…有限公司北京分公司 is in 北京); else a bracketed place
        # (武汉珂奕智算科技（北京）有限公司 is in 北京: the leading 武汉 is its trade name's); else the longest sure place
        # the name starts with — the rows read once into a narrow table, the places joined by their first two
        # characters (one equality join)
        con.execute("""CREATE OR REPLACE TEMP TABLE _name_rows AS
            SELECT _file, _row, _key, enterprise_id, name, province_code, city_code, district_code, country,
                   coalesce(branch, name) AS own,
                   CASE WHEN branch IS NULL THEN nullif(regexp_extract(name, '[（(]([^（）()]+)[）)]', 1), '') END AS bracket
            FROM (SELECT *, nullif(regexp_extract(name, '(?:公司|集团|厂)([^（）()]+?)(?:分公司|分厂|分店|分行|办事处)$', 1),
                                   '') AS branch
                  FROM (SELECT _file, _row, _key, enterprise_id, name, province_code, city_code, district_code, country
                        FROM _ent_all WHERE name IS NOT NULL AND (province_code IS NOT NULL OR country <> 'CN')))""")
        here = "coalesce(e.district_code, e.city_code, e.province_code)"
        h_join, h_zh, h_en = label_sql(here, "h")
        n_join, n_zh, n_en = label_sql("coalesce(n.city_code, n.province_code)", "nm")
        con.execute(f"""CREATE OR REPLACE TEMP TABLE _name_conflicts AS
            WITH hits AS (
                SELECT e._file, e._row, p.province_code, p.city_code, length(p.key) AS rank
                FROM _name_rows e JOIN {NAME_PLACES} p ON p.k2 = left(e.own, 2) AND p.sure AND starts_with(e.own, p.key)
                UNION ALL
                SELECT e._file, e._row, p.province_code, p.city_code, 1000 AS rank
                FROM _name_rows e JOIN {NAME_PLACES} p ON p.key = e.bracket),
            n AS (SELECT * FROM hits QUALIFY row_number() OVER (PARTITION BY _file, _row ORDER BY rank DESC) = 1)
            SELECT e._file, e._row, e._key, e.enterprise_id, e.name, e.country, {h_zh} AS here_zh, {h_en} AS here_en,
                   {n_zh} AS named_zh, {n_en} AS named_en, r.record_id
            FROM _name_rows e JOIN n ON n._file = e._file AND n._row = e._row {h_join} {n_join}
                 LEFT JOIN enterprise_records r ON r.import_id = {ctx.import_id} AND r.source_key = e._key
                   AND r.row_no = e._row
            WHERE n.province_code <> e.province_code
               OR (n.city_code IS NOT NULL AND e.city_code IS NOT NULL AND n.city_code <> e.city_code)
               OR (n.province_code IS NOT NULL AND e.province_code IS NULL AND e.country <> 'CN')""")
        con.execute("DROP TABLE _name_rows")
    finally:
        con.unregister(NAME_PLACES)
    found = con.execute("SELECT count(*) FROM _name_conflicts").fetchone()[0]
    if not found:
        con.execute("DROP TABLE _name_conflicts")
        return
    abroad, abroad_en = "境外（' || c.country || '）", "abroad (' || c.country || ')"
    con.execute(f"""INSERT INTO _rej SELECT c._file, c._row, {ql(staged.header_of.get('name', 'name'))}, c.name,
            '名称中的地区 ' || c.named_zh || ' 与导入的地区 ' || coalesce(c.here_zh, '{abroad}') || ' 不同：按导入的地区计入，请核对',
            'flagged', 'name_region_conflict',
            'the name states ' || c.named_en || ', not the region imported, ' || coalesce(c.here_en, '{abroad_en}')
              || ': counted in the region imported; to review'
        FROM _name_conflicts c""")
    con.execute(f"""INSERT INTO enterprise_conflicts
        SELECT c.enterprise_id, 'name_region', coalesce(c.here_zh, c.country), c.named_zh, c.record_id, {ql(ctx.source)},
               c._key, {ctx.import_id}
        FROM _name_conflicts c""")
    con.execute("DROP TABLE _name_conflicts")
    ctx.report.name_region_conflicts += found


# the fields whose difference makes a repeated key a conflict, as a reason names them
CONFLICT_LABELS = {"name": ("名称", "name"), "province_code": ("省份", "province"), "founded": ("成立日期", "founding date"),
                   "capital_wan": ("注册资本", "capital")}


def _report_repeats(ctx: ImportContext) -> None:
    """Earlier rows of a key repeated within this import with other content (``_ent_dup``): each is said for what
    it is — the key repeated, with its own row and the row that gives the enterprise its values — in the rejects
    file (code ``key_repeated``, the row kept as a source record) and in the report (``rows_repeated``,
    ``repeats``). Which row wins does not change: the last."""
    con, p, staged = ctx.con, ctx.staged.present, ctx.staged
    if "key" in p:
        column, what, what_en, value = "key", "来源键", "source key", "d._key"
    elif "uscc" in p:  # rows without a valid code are keyed by name and province (below)
        column, what, what_en, value = "uscc", "统一社会信用代码", "credit code", "d._key"
    else:
        column, what, what_en, value = "name", "企业名称（同一省份）", "name (in the same province)", "d.name"
    by_name = ("" if column != "uscc" else
               f"WHEN d.uscc IS NULL THEN {ql(staged.header_of.get('name', 'name'))} ")
    header = f"CASE {by_name}ELSE {ql(staged.header_of.get(column, column))} END"
    what_sql = f"CASE WHEN d.uscc IS NULL THEN '企业名称（同一省份）' ELSE {ql(what)} END" if by_name else ql(what)
    what_en_sql = (f"CASE WHEN d.uscc IS NULL THEN 'name (in the same province)' ELSE {ql(what_en)} END"
                   if by_name else ql(what_en))
    value_sql = f"CASE WHEN d.uscc IS NULL THEN d.name ELSE {value} END" if by_name else value
    differs = ", ".join(f"CASE WHEN coalesce(CAST(d.{c} AS VARCHAR) <> CAST(k.{c} AS VARCHAR), false) THEN {ql(c)} END"
                        for c in CONFLICT_FIELDS)
    names = "[" + ", ".join(ql(Path(f).name) for f in ctx.report.files) + "]"

    def labels(i: int) -> str:
        case = " ".join(f"WHEN {ql(c)} THEN {ql(v[i])}" for c, v in CONFLICT_LABELS.items())
        return f"array_to_string(list_transform(fields, lambda f: CASE f {case} END), {ql('、' if i == 0 else ', ')})"

    con.execute(f"""CREATE OR REPLACE TEMP TABLE _ent_rep AS
        SELECT d._file, d._row, k._file AS kept_file, k._row AS kept_row, {header} AS col, {value_sql} AS value,
               {what_sql} AS what, {what_en_sql} AS what_en, d.uscc,
               list_filter([{differs}], lambda f: f IS NOT NULL) AS fields,
               CASE WHEN k._file = d._file THEN '' ELSE {names}[k._file + 1] END AS kept_in
        FROM _ent_dup d JOIN _ent k USING (_key)""")
    con.execute(f"""INSERT INTO _rej SELECT _file, _row, col, value,
        what || CASE WHEN kept_in = '' THEN '在文件中重复' ELSE '在本次导入的文件中重复' END || '：第 ' || _row
          || ' 行与' || CASE WHEN kept_in = '' THEN '' ELSE ' ' || kept_in || ' ' END || '第 ' || kept_row || ' 行（'
          || {labels(0)} || '不同），以第 ' || kept_row || ' 行为准，第 ' || _row || ' 行保留为来源记录',
        'kept_record', 'key_repeated',
        what_en || CASE WHEN kept_in = '' THEN ' repeated in the file' ELSE ' repeated across the files' END
          || ': row ' || _row || ' and ' || CASE WHEN kept_in = '' THEN '' ELSE kept_in || ' ' END || 'row ' || kept_row
          || ' (' || {labels(1)} || ' differ); row ' || kept_row || ' gives the enterprise its values, row ' || _row
          || ' is kept as a source record'
        FROM _ent_rep""")
    ctx.report.rows_repeated += con.execute("SELECT count(*) FROM _ent_rep").fetchone()[0]
    rows = con.execute(f"SELECT {names}[_file + 1], _row, {names}[kept_file + 1], kept_row, col, value, uscc, fields "
                       "FROM _ent_rep ORDER BY _file, _row LIMIT 1000").fetchall()
    ctx.report.repeats += [{"file": f, "row": r, "kept_file": kf, "kept_row": kr, "column": c, "key": v, "uscc": u,
                            "fields": fs} for f, r, kf, kr, c, v, u, fs in rows]


def key_sql(staged) -> str:
    """SQL of an enterprise row's key in its source (over the typed columns): the key column, else the valid
    credit code, else the normalised name with the province."""
    uscc = "uscc__ok" if "uscc" in staged.present else "NULL"
    return (f"coalesce({qi('key')}, " if "key" in staged.present else "coalesce(") + \
        f"{uscc}, name__norm || '|' || coalesce(_province_code, ''))"


def _ent_sql(ctx: ImportContext) -> str:
    """SQL of the candidate rows (``_ent``): the typed rows not rejected, with key, hash and canonical columns;
    sets ``ctx.data_expr``."""
    exprs = canonical_exprs(ctx)
    present_raw = [f for f in ctx.staged.fields if f in ctx.staged.present]
    cols = ", ".join(f"CAST({e} AS {CANON_TYPES.get(c, 'VARCHAR')}) AS {qi(c)}" for c, e in exprs.items())
    # the mapped source values as JSON, built only for the rows that keep them (see ``_write_records``)
    ctx.data_expr = "to_json(struct_pack(" + ", ".join(f"{qi(f)} := t.{qi(f)}" for f in present_raw) + \
        ", _extra := t._extra))"
    return (f"SELECT _file, _row, _key, _hash, _extra, {cols}, "
            f"{'name__alt' if 'name' in ctx.staged.alternates else 'false'} AS _name_alt "
            "FROM _typed WHERE NOT _rejected")


# rows typed and written at a time by a registry's first export (``write_new_in_parts``): a multiple of DuckDB's
# row group (the parts are read from the staged table by rowid, whole row groups at a time), sized to the cap
ROW_GROUP = 122_880
BYTES_PER_ROW = 1_000  # a staged and typed registry row in memory (1 M rows of the benchmark's export: 1,063 MB)
# parts are taken from this many parts' rows on: below it typing the whole file costs less (docs/benchmarks.md)
PARTS_FROM = 4


def part_rows(con) -> int:
    """How many staged rows one part holds: what the import's memory limit holds with room to spare."""
    from ..readers.limits import _bytes

    limit = _bytes(con.execute("SELECT current_setting('memory_limit')").fetchone()[0])
    return max(1, limit // BYTES_PER_ROW // ROW_GROUP) * ROW_GROUP


def new_registry_rows(con, staged, typing, mapping) -> tuple[int, int, int, int] | None:
    """A registry's first export of more than ``PARTS_FROM`` parts into a database without enterprises — one line
    per enterprise, each with a credit code of its own and no line left out between the first and the last
    kept — gives every row an enterprise of its own, numbered by the row: (rows, first row number, rows whose
    region disagrees with their credit code, rows named by an alternate column). None for any other import (which
    types every row first and takes the general path). Counted over the staged rows, in one pass: nothing is
    typed yet."""
    if ("key" in staged.present or "uscc" not in staged.present or mapping.combine or staged.part_sql is None
            or con.execute("SELECT 1 FROM enterprises LIMIT 1").fetchall()):
        return None
    if con.execute("SELECT count(*) FROM _stg0").fetchone()[0] <= PARTS_FROM * part_rows(con):
        return None  # a few parts: typed whole (the staged rows freed before the writes), as any other import
    conflict, joins = typing.conflicts if isinstance(typing.conflicts, tuple) else ("false", "")
    alt = "name__alt" if "name" in staged.alternates else "false"
    n_rows, n_hashed, n_coded, lo, hi, conflicts, alternate = con.execute(
        f"SELECT count(*), count(DISTINCT hash(uscc__ok)), count(uscc__ok), min(_row), max(_row), "
        f"count(*) FILTER (WHERE {conflict}), count(*) FILTER (WHERE {alt}) "
        f"FROM {staged.table} s {joins} WHERE NOT {typing.rejected}").fetchone()
    if not n_rows or n_coded != n_rows or n_hashed != n_rows or hi - lo + 1 != n_rows:
        return None
    return n_rows, lo, conflicts if isinstance(typing.conflicts, tuple) else typing.conflicts, alternate


def write_new_in_parts(ctx: ImportContext, typing, rows: tuple[int, int], step) -> None:
    """A registry's first export (``new_registry_rows``): typed and written part by part. A part's rows are typed
    as its enterprises are inserted (the typed rows are never stored: ``_typed_rows`` is a view of the part's
    typing), its source records are written from the staged part (every row a plain insert, keyed by its credit
    code) and (with ``ctx.founded_events``, the first event id) its ``founded`` events from the enterprises just
    written. The same rows as the general path gives (``write_enterprises``): ids follow the rows' numbers."""
    con, src, staged = ctx.con, ctx.source, ctx.staged
    n_rows, lo, conflicts, alternate = rows
    next_id = ctx.store.next_id("enterprises")
    next_rec = ctx.store.next_id("enterprise_records", "record_id")
    ent_sql = _ent_sql(ctx)
    canon = list(canonical_exprs(ctx))
    per = part_rows(con)
    places = con.execute("SELECT count(*) FROM _stg0").fetchone()[0]
    done, t0 = 0, time.perf_counter()
    con.execute("DROP TABLE IF EXISTS _typed_rows")
    for start in range(0, places, per):
        part_sql = staged.part(start, start + per)
        con.execute(f"CREATE OR REPLACE TEMP VIEW _typed_rows AS {typing.select(part_sql)}")
        con.execute(f"CREATE OR REPLACE TEMP VIEW _ent AS {ent_sql}")
        con.execute(f"CREATE OR REPLACE TEMP VIEW _ent_all AS SELECT *, {next_id} + _row - {lo} AS enterprise_id, "
                    "'new' AS link_method FROM _ent")
        part = con.execute(f"""
            INSERT INTO enterprises (id, {', '.join(canon)}, source, first_import_id, last_import_id)
            SELECT enterprise_id, {', '.join(canon)}, {ql(src)}, {ctx.import_id}, {ctx.import_id} FROM _ent_all"""
                           ).fetchone()[0]
        # (every row has a credit code of its own: its key)
        _write_records(ctx, plain_all=True, all_new=True, next_rec=next_rec, rows=(
            f"(SELECT _file, _row, _hash, _extra, uscc__ok AS _key, {next_id} + _row - {lo} AS enterprise_id, "
            f"'new' AS link_method FROM {part_sql} s WHERE NOT {typing.rejected})"))
        _write_aliases(ctx, all_new=True)
        _write_region_text_conflicts(ctx)
        _write_name_region_conflicts(ctx)
        if ctx.founded_events is not None:
            # the part's ids: the kept rows are one run of row numbers, in the parts' order
            founded_events(con, f"(SELECT id, founded, name, source FROM enterprises WHERE id >= {next_id + done} "
                                f"AND id < {next_id + done + part})", ctx.founded_events - next_id, ctx.import_id)
        done += part
        rate = f"{done / max(time.perf_counter() - t0, 1e-6):,.0f}"
        step(0, description=f"关联与写入（{done:,} / {n_rows:,} 行，{rate} 行/秒）",
             description_en=f"linking and writing ({done:,} / {n_rows:,} rows, {rate} rows/s)")
    ctx.report.region_conflicts += conflicts  # (counted with the rows, ``new_registry_rows``)
    if alternate:
        ctx.report.named_by_alternate = {"columns": staged.alternates["name"], "rows": alternate}
    con.execute(f"CREATE OR REPLACE TEMP TABLE _typed_rows_empty AS {typing.select(staged.part(0, 0))}")
    con.execute("DROP VIEW _typed_rows")
    con.execute("ALTER TABLE _typed_rows_empty RENAME TO _typed_rows")
    ctx.report.rows_imported += n_rows
    ctx.report.rows_duplicate += ctx.rows_ok - n_rows  # (none: every row kept is new)
    ctx.unique_keys = n_rows
    ctx.linked_ids_sql = f"SELECT id FROM enterprises WHERE first_import_id = {ctx.import_id}"


def write_enterprises(ctx: ImportContext) -> None:
    con, src = ctx.con, ctx.source
    exprs = canonical_exprs(ctx)
    ent_sql = _ent_sql(ctx)
    # 1. candidate rows with key and hash (both computed as the rows were read and typed); the last row of a key
    # within the import wins. Whether keys repeat is counted on their 64-bit hashes: fixed-width groups, and a
    # collision only sends the import down the general path.
    n_rows, n_hashed, n_coded, files, lo, hi = con.execute(
        f"SELECT count(*), count(DISTINCT hash(_key)), count({exprs['uscc']}), count(DISTINCT _file), min(_row), "
        "max(_row) FROM _typed WHERE NOT _rejected").fetchone()
    unique = n_rows == n_hashed and not ctx.mapping.combine
    # every key once (a registry export): the rows are read from the typed table as they are, never copied
    con.execute(f"CREATE OR REPLACE TEMP {'VIEW' if unique else 'TABLE'} _ent AS {ent_sql}")
    if "name" in ctx.staged.alternates:
        n = con.execute("SELECT count(*) FROM _ent WHERE _name_alt").fetchone()[0]
        if n:
            ctx.report.named_by_alternate = {"columns": ctx.staged.alternates["name"], "rows": n}
    # rows sharing a key within the import: the last wins; an earlier one with another name, province, founding
    # date or capital is a conflict (other differences, e.g. one line per product, are the same enterprise)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _ent_dup AS SELECT e.*, {ctx.data_expr} AS _data FROM _ent e "
                "JOIN _typed t USING (_file, _row) " + (
                    "LIMIT 0" if unique else  # every key once: no window over all rows
                    "QUALIFY row_number() OVER (PARTITION BY e._key ORDER BY _file DESC, _row DESC) > 1"))
    if not unique:
        _combine(con, "_ent", "_key", ctx.mapping.combine)
        if ctx.mapping.combine:
            combined_hashes(con)
        _keep_last(con, "_ent", "_key")
        differs = " OR ".join(f"CAST(d.{c} AS VARCHAR) <> CAST(k.{c} AS VARCHAR)" for c in CONFLICT_FIELDS)
        con.execute(f"""DELETE FROM _ent_dup d WHERE NOT EXISTS (SELECT 1 FROM _ent k WHERE k._key = d._key AND ({differs}))
                    OR EXISTS (SELECT 1 FROM enterprise_records r WHERE r.source = {ql(src)} AND r.source_key = d._key
                               AND r.row_hash = d._hash)""")
        con.execute("CREATE OR REPLACE TEMP TABLE _ent_dup AS SELECT * FROM _ent_dup "
                    "QUALIFY row_number() OVER (PARTITION BY _key, _hash ORDER BY _file DESC, _row DESC) = 1")
    if ctx.mapping.combine:  # a key whose lines all came again as they were is unchanged, not written
        set_aside_unchanged_keys(con, src)
        _redate_unchanged_lines(ctx)
    in_conflict = con.execute("SELECT count(*) FROM _ent_dup").fetchone()[0]
    kept = n_rows if unique else con.execute("SELECT count(*) FROM _ent").fetchone()[0]
    ctx.unique_keys = n_rows if unique else None
    combined = 0
    if ctx.mapping.combine and kept:
        # the further rows of a key written now (one line per product): merged into its enterprise, not duplicates —
        # a key whose lines all came again unchanged was set aside above, and its rows stay duplicates
        combined = con.execute(
            "SELECT (SELECT count(*) FROM _typed WHERE NOT _rejected AND _key IN (SELECT _key FROM _ent)) - ? - "
            "(SELECT count(*) FROM _ent_dup WHERE _key IN (SELECT _key FROM _ent))", [kept]).fetchone()[0]
    ctx.report.rows_combined += combined
    ctx.report.rows_duplicate += ctx.rows_ok - kept - in_conflict - combined
    ctx.report.rows_conflict += in_conflict
    if in_conflict:
        _report_repeats(ctx)
    # 2. rows whose content is the latest recorded for their key never got here (``delta.unchanged_rows``);
    # a row repeating an older content (a change undone) is a change.
    if kept == 0:
        _write_conflicts(ctx)
        return
    # 3. link to existing enterprises (a name alone links across sources only with corroboration); into a
    # database without enterprises nothing links and nothing is near
    known = bool(con.execute("SELECT 1 FROM enterprises LIMIT 1").fetchall())
    con.execute("CREATE OR REPLACE TEMP TABLE _ent_link (_key VARCHAR, eid BIGINT, n BIGINT, method VARCHAR)")
    if known:
        # the source's own key links first (a monthly export: most rows); only the rest look for a code or name
        # (with each record's hash: ``delta.count_changes`` reads the keys the source had from here)
        con.execute(f"""CREATE OR REPLACE TEMP TABLE _ent_bykey AS SELECT t._key, r.enterprise_id AS eid, r.row_hash,
              r.import_id, r.link_method FROM _ent t JOIN enterprise_records r ON r.source = {ql(src)} AND r.source_key = t._key""")
        con.execute(f"""
        INSERT INTO _ent_link
        WITH t AS (SELECT * FROM _ent ANTI JOIN _ent_bykey USING (_key)),
        c AS (
            SELECT DISTINCT _key, eid, 1 AS pri, 'source_key' AS method FROM _ent_bykey
            UNION ALL
            SELECT t._key, e.id, 2, 'uscc' FROM t JOIN enterprises e ON e.uscc = t.uscc WHERE t.uscc IS NOT NULL
            UNION ALL
            -- the same 6-digit A-share code (000977 = 000977.SZ, both stored on their six digits): an exchange list,
            -- an industry file, a products file
            SELECT t._key, e.id, 2, 'listed_code' FROM t JOIN enterprises e ON e.listed_code = t.listed_code
              WHERE regexp_full_match(t.listed_code, '[0-9]{{6}}')
            UNION ALL
            -- the code is another share code of a known company (its B share, given by an exchange list)
            SELECT t._key, a.enterprise_id, 2, 'other_code' FROM t JOIN enterprise_aliases a
              ON a.kind = 'code' AND a.alias = t.listed_code WHERE regexp_full_match(t.listed_code, '[0-9]{{6}}')
            UNION ALL
            SELECT t._key, e.id, 3, 'name+province' FROM t JOIN enterprises e ON e.name_norm = t.name_norm
              WHERE {NAME_MATCH} AND ({same_source('e', src)} OR {corroborated('t', 'e')})
            UNION ALL
            -- a registered name another source gave a known enterprise (its former full name, kept as an alias),
            -- in the same province: as its current full name would
            SELECT t._key, e.id, 4, 'alias+province' FROM t
              JOIN enterprise_aliases a ON a.alias_norm = t.name_norm AND a.kind IN ('other', 'former')
              JOIN enterprises e ON e.id = a.enterprise_id
              WHERE {NAME_MATCH} AND t.province_code IS NOT NULL AND regexp_matches(t.name_norm, '{REGISTERED_NAME}')
        ),
        best AS (SELECT _key, min(pri) AS pri FROM c GROUP BY ALL)
        SELECT c._key, min(c.eid) AS eid, count(DISTINCT c.eid) AS n, any_value(c.method) AS method
        FROM c JOIN best USING (_key, pri) GROUP BY ALL
    """)
    linked = known and bool(con.execute("SELECT 1 FROM _ent_link LIMIT 1").fetchall())
    if known:
        _near_merges(ctx)
    # 4. unlinked rows: group among themselves (credit code first, then name + province) → new ids.
    next_id = ctx.store.next_id("enterprises")
    all_new = (not linked and unique and "key" not in ctx.staged.present and n_coded == n_rows and files == 1
               and hi - lo + 1 == n_rows)
    if all_new:
        # a registry export into a database that knows none of it, one line per enterprise, each with its own
        # credit code and no line left out: ids follow the rows' numbers (file order), no sort and no join
        con.execute(f"CREATE OR REPLACE TEMP VIEW _ent_all AS SELECT *, {next_id} + _row - {lo} AS enterprise_id, "
                    "'new' AS link_method FROM _ent")
    else:
        _identify(ctx, next_id, unique)
    canon = list(exprs)
    # 5. new enterprises: the latest row of each new id gives the values.
    new_rows, new_ids = (n_rows, n_rows) if all_new else con.execute(
        "SELECT count(*), count(DISTINCT enterprise_id) FROM _ent_all WHERE link_method = 'new'").fetchone()
    new_sql = "_ent_all" if all_new else "(SELECT * FROM _ent_all WHERE link_method = 'new')"
    con.execute(f"""
        INSERT INTO enterprises (id, {', '.join(canon)}, source, first_import_id, last_import_id)
        SELECT enterprise_id, {', '.join(canon)}, {ql(src)}, {ctx.import_id}, {ctx.import_id}
        FROM {new_sql if new_rows == new_ids else _last_per(con, new_sql, "enterprise_id")}
    """)
    # a new enterprise counts once; further rows of it in this import (another brand of one legal entity) add
    # their source records to it, as updates do
    ctx.report.rows_imported += new_ids
    ctx.report.rows_updated += new_rows - new_ids
    # a credit code known from another source with another founding date (a fact that never changes; other
    # fields change over time and become history): kept and reported as a conflict
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _ent_cross AS
        SELECT u._key, u.enterprise_id, 'founded' AS field, CAST(e.founded AS VARCHAR) AS value,
               CAST(u.founded AS VARCHAR) AS record_value
        FROM _ent_all u JOIN enterprises e ON e.id = u.enterprise_id
        WHERE u.link_method = 'uscc' AND e.founded <> u.founded AND NOT {_same_founding('u', 'e')}
        {'LIMIT 0' if all_new else ''}""")
    if not all_new:  # 6. existing enterprises: history of tracked fields, then update
        _update_existing(ctx, canon)
    # 7. every source record, linked to its canonical enterprise.
    _write_records(ctx, plain_all=new_rows == new_ids, all_new=all_new)
    _write_product_lines(ctx)
    _write_aliases(ctx, all_new)
    _write_conflicts(ctx, cross=True)
    _write_region_text_conflicts(ctx)
    _write_name_region_conflicts(ctx)
    _write_coarser_region_conflicts(ctx)
    ctx.linked_ids_sql = "SELECT enterprise_id FROM _ent_all"


def _write_product_lines(ctx: ImportContext) -> None:
    """Main product lines with their revenue shares (``product_lines``): an import that combines ``products`` per
    key (one line per row) and maps ``product_share`` stores every line of the keys it wrote — in file order, the
    share as read (NULL when the row gives none), the import's data date as the period (none for an import given no
    data date: the lines are undated, known as imported that day, core.asof) —, replacing the lines this source gave
    those enterprises before. The combined products text is written as without shares."""
    if "products" not in ctx.mapping.combine or "product_share" not in ctx.staged.present:
        return
    con, src = ctx.con, ctx.source
    con.execute("CREATE OR REPLACE TEMP TABLE _ent_lines AS SELECT DISTINCT _key, enterprise_id FROM _ent_all")
    con.execute(f"DELETE FROM product_lines WHERE source = {ql(src)} AND enterprise_id IN (SELECT enterprise_id FROM _ent_lines)")
    period = f"{ql(str(ctx.data_date))}::DATE" if ctx.report.data_date_given else "NULL::DATE"
    con.execute(f"""INSERT INTO product_lines (enterprise_id, line_no, product, share, period, source, source_key, import_id)
        SELECT a.enterprise_id, row_number() OVER (PARTITION BY a.enterprise_id ORDER BY t._file, t._row),
               trim(t.products), t.product_share__n, {period}, {ql(src)}, t._key, {ctx.import_id}
        FROM _typed t JOIN _ent_lines a ON a._key = t._key
        WHERE NOT t._rejected AND nullif(trim(t.products), '') IS NOT NULL""")
    con.execute("DROP TABLE _ent_lines")


def _redate_unchanged_lines(ctx: ImportContext) -> None:
    """The product lines of keys that came again unchanged (``_ent_same``) are not written again, but a dated
    import tells when they were known: a line undated (imported without a data date) or dated later (by a later
    export) takes this import's data date (``report.lines_redated``). Without a data date nothing is re-dated."""
    con = ctx.con
    if ctx.report.data_date_given and con.execute("SELECT 1 FROM _ent_same LIMIT 1").fetchall():
        d = ql(str(ctx.data_date))
        ctx.report.lines_redated = con.execute(
            f"""UPDATE product_lines SET period = {d}::DATE WHERE source = {ql(ctx.source)}
                AND source_key IN (SELECT _key FROM _ent_same) AND (period IS NULL OR period > {d}::DATE)""").fetchone()[0]
    con.execute("DROP TABLE IF EXISTS _ent_same")


def _identify(ctx: ImportContext, next_id: int, unique: bool) -> None:
    """Enterprise ids for rows that link to known enterprises or share a code or name among themselves:
    ``_ent_all`` = the rows of ``_ent`` with ``enterprise_id`` and ``link_method``."""
    con = ctx.con
    if _one_group_per_row(con, "key" in ctx.staged.present, unique):
        # every unlinked row has its own credit code (a registry export): each is a new enterprise, numbered in
        # file order, with no grouping by code or name
        con.execute(f"""CREATE OR REPLACE TEMP TABLE _ent_new AS
            SELECT _key, {next_id} - 1 + row_number() OVER (ORDER BY _file, _row) AS eid
            FROM _ent t ANTI JOIN _ent_link l USING (_key)""")
    else:
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
    # the ids go into the rows once: every later step reads them without joining again
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _ent_idd AS
        SELECT t.*, coalesce(CASE WHEN l.n = 1 THEN l.eid END, n.eid) AS enterprise_id,
               CASE WHEN l.n = 1 THEN l.method ELSE 'new' END AS link_method
        FROM _ent t LEFT JOIN _ent_link l USING (_key) LEFT JOIN _ent_new n USING (_key)
    """)
    con.execute("CREATE OR REPLACE TEMP VIEW _ent_all AS SELECT * FROM _ent_idd")


def _update_existing(ctx: ImportContext, canon: list[str]) -> None:
    """Rows linked to known enterprises: history of the tracked fields, former names, then the update
    (non-null new values win)."""
    con, src = ctx.con, ctx.source
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _ent_upd AS
        SELECT * FROM {_last_per(con, "(SELECT * FROM _ent_all WHERE link_method <> 'new')", "enterprise_id")}
    """)
    # a row linked by its stock code names the company as an industry or products file does (often the short
    # name): it adds facts, it does not rename the registered enterprise — …nor does the same file imported again
    # (then linked by its own key); a short name never replaces a full one. A full legal name does replace a name
    # read from a short-name column (an exchange list's 中信证券 → 中信证券股份有限公司)
    con.execute(f"""UPDATE _ent_upd u SET name = NULL, name_norm = NULL, name_short = NULL FROM enterprises e
        WHERE e.id = u.enterprise_id AND u.name IS NOT NULL AND (
            (coalesce(u.name_short, false) AND NOT coalesce(e.name_short, false))
            OR (NOT (NOT coalesce(u.name_short, false) AND coalesce(e.name_short, false)) AND (
                u.link_method = 'listed_code' OR (u.link_method = 'source_key' AND EXISTS (
                    SELECT 1 FROM enterprise_records r WHERE r.source = {ql(src)} AND r.source_key = u._key
                      AND r.link_method = 'listed_code')))))""")
    changed_on = ql(str(ctx.data_date))
    # a full legal name completing a name read from a short-name column is no renaming: the company was always called
    # so (中信证券 → 中信证券股份有限公司), no history row and no 名称变更 event, the short name kept as an alias
    completed = "(coalesce(e.name_short, false) AND NOT coalesce(u.name_short, true) AND u.name IS NOT NULL)"
    # the updated enterprises as they are, read out of the table once: history, former names and the records'
    # copies read them from here (a few percent of a month's registry), not from every enterprise again
    con.execute("CREATE OR REPLACE TEMP TABLE _ent_old AS SELECT e.* FROM enterprises e "
                "SEMI JOIN _ent_upd u ON u.enterprise_id = e.id")
    _keep_finer_region(ctx)
    _keep_later_values(ctx, canon)
    # every tracked field in one pass over the updated enterprises (not one join with the table per field): a
    # list of (field, old, new) per enterprise, unnested (a third of the CPU of a LATERAL VALUES join)
    vals = ", ".join(f"{{'field': {ql(f)}, 'old': CAST(e.{f} AS VARCHAR), 'new': CAST(u.{f} AS VARCHAR)}}"
                     for f in TRACKED_FIELDS)
    con.execute(f"""
        INSERT INTO enterprise_history
        SELECT id, c.field, c.old, c.new, {changed_on}::DATE, {ql(src)}, _key, {ctx.import_id}
        FROM (SELECT e.id, u._key, u._name_alt, {completed} AS _completed, unnest([{vals}]) AS c
              FROM _ent_upd u JOIN _ent_old e ON e.id = u.enterprise_id)
        WHERE c.new IS NOT NULL AND c.old IS NOT NULL AND c.new <> c.old
          AND NOT (c.field = 'name' AND (_name_alt OR _completed))
    """)
    # the old name stays findable as a former name; a short name completed by the full one as the short name
    con.execute(f"""
        INSERT INTO enterprise_aliases
        SELECT h.enterprise_id, h.old_value, e.name_norm, 'former', {ql(src)}, h.source_key, {ctx.import_id}
        FROM enterprise_history h JOIN _ent_old e ON e.id = h.enterprise_id
        WHERE h.import_id = {ctx.import_id} AND h.field = 'name'
        UNION ALL
        SELECT e.id, e.name, e.name_norm, 'short', {ql(src)}, u._key, {ctx.import_id}
        FROM _ent_upd u JOIN _ent_old e ON e.id = u.enterprise_id
        WHERE {completed} AND u.name <> e.name
    """)
    _keep_finer_founding(con)
    _keep_plain_values(con)
    # a name taken from a fallback column (a short name) never replaces a known full name
    # a region is one place: a row naming another province as finely as the enterprise is known (or more) replaces
    # the finer levels with its own, none where it gives none — never a 福建 province over a 黑龙江 city (a coarser
    # region was held back: ``_keep_finer_region``)
    # (the region text as written goes with the place it named)
    moved = {"city_code": "u.province_code <> e.province_code",
             "district_code": "u.province_code <> e.province_code OR u.city_code <> e.city_code",
             "region_text": "u.province_code <> e.province_code OR u.city_code <> e.city_code"}
    sets = ", ".join(f"{c} = CASE WHEN {moved[c]} THEN u.{c} ELSE coalesce(u.{c}, e.{c}) END" if c in moved
                     else f"{c} = coalesce(u.{c}, e.{c})" for c in canon if c not in ("name", "name_norm", "name_short"))
    con.execute(f"""
        UPDATE enterprises e SET {sets}, name = CASE WHEN u._name_alt THEN e.name ELSE coalesce(u.name, e.name) END,
               name_norm = CASE WHEN u._name_alt THEN e.name_norm ELSE coalesce(u.name_norm, e.name_norm) END,
               name_short = CASE WHEN u._name_alt OR u.name IS NULL THEN e.name_short ELSE u.name_short END,
               last_import_id = {ctx.import_id}
        FROM _ent_upd u WHERE e.id = u.enterprise_id
    """)
    _record_setters(ctx, canon)
    ctx.report.rows_updated += con.execute("SELECT count(*) FROM _ent_all WHERE link_method <> 'new' "
                                           "AND _key NOT IN (SELECT _key FROM _ent_cross)").fetchone()[0]
    ctx.report.rows_conflict += con.execute("SELECT count(DISTINCT _key) FROM _ent_cross").fetchone()[0]


# columns written with another from one mapped value, kept or replaced with it: the normalised name with the name,
# the capital as written with the capital in 万元, the founding date's precision with the date
COMPANIONS = {"name_norm": "name", "name_short": "name", "capital_text": "capital_wan", "founded_precision": "founded"}


def set_fields(canon: list[str]) -> list[str]:
    """The enterprise columns whose setter an import records (``enterprise_field_imports``): every column it
    writes, each companion going with its column (``COMPANIONS``)."""
    return [c for c in canon if c not in COMPANIONS]


def _given(f: str, u: str = "u") -> str:
    """SQL: row ``u`` gives field ``f`` a value that would be written (a short name never replaces a name)."""
    return f"({u}.{qi(f)} IS NOT NULL{f' AND NOT {u}._name_alt' if f == 'name' else ''})"


def _same_founding(u: str, e: str) -> str:
    """SQL: the founding dates of rows ``u`` and ``e`` are the same date told to different precisions — one lies in
    the period the other, coarser, stands for (2015-03-17 and 2015-03, 2015-03 and 2015): no conflict."""
    return (f"(CASE WHEN {precision_rank_sql(u + '.founded_precision')} >= {precision_rank_sql(e + '.founded_precision')} "
            f"THEN {within_sql(e + '.founded', u + '.founded', u + '.founded_precision')} "
            f"ELSE {within_sql(u + '.founded', e + '.founded', e + '.founded_precision')} END)")


def _keep_finer_founding(con) -> None:
    """A founding date an import gives to less than the enterprise already knows it (2015-03 where 2015-03-17 is
    known, 2015 where 2015-03 is) is the same date: it is no change and no new setter — cleared from ``_ent_upd``, it
    stays in the import's source record only. A finer one (2015-03-17 where 2015-03 is known) refines the date and
    its precision."""
    if not con.execute("SELECT 1 FROM _ent_upd WHERE founded IS NOT NULL LIMIT 1").fetchall():
        return
    con.execute(f"""UPDATE _ent_upd u SET founded = NULL, founded_precision = NULL FROM _ent_old e
        WHERE e.id = u.enterprise_id AND u.founded IS NOT NULL AND e.founded IS NOT NULL
          AND {precision_rank_sql('u.founded_precision')} > {precision_rank_sql('e.founded_precision')}
          AND {within_sql('e.founded', 'u.founded', 'u.founded_precision')}""")


REGION_LEVELS = ("province_code", "city_code", "district_code")


def region_rank_sql(a: str) -> str:
    """SQL: how finely row or enterprise ``a`` places itself — 3 a district, 2 a city, 1 a province only (a
    municipality's one city, 上海 → 310100, says no more than the province), 0 none."""
    munis = ", ".join(ql(c) for c in sorted(MUNICIPALITIES))
    return (f"(CASE WHEN {a}.district_code IS NOT NULL THEN 3 WHEN {a}.city_code IS NOT NULL "
            f"AND {a}.province_code NOT IN ({munis}) THEN 2 WHEN {a}.province_code IS NOT NULL THEN 1 ELSE 0 END)")


def _keep_finer_region(ctx: ImportContext) -> None:
    """A region an import gives less finely than the enterprise is known (Tushare's area, a province, where another
    source gave the city or district) never replaces the finer one: cleared from ``_ent_upd`` (no update, no history,
    no setter), it stays in the import's source record. Where it holds the known place (江苏 for 江苏省常州市武进区)
    it is the same place told less precisely; where it names another (福建 for 黑龙江省哈尔滨市) the enterprise is not
    moved on a coarser word — the row goes to ``_region_held`` and is said as a conflict
    (``_write_coarser_region_conflicts``). A region as fine or finer replaces the known one, as any change does."""
    con = ctx.con
    con.execute("DROP TABLE IF EXISTS _region_held")
    if not con.execute("SELECT 1 FROM _ent_upd WHERE province_code IS NOT NULL LIMIT 1").fetchall():
        return
    coarser = (f"u.province_code IS NOT NULL AND e.province_code IS NOT NULL "
               f"AND {region_rank_sql('u')} < {region_rank_sql('e')}")
    holds = ("u.province_code = e.province_code AND (u.city_code IS NULL OR u.city_code = e.city_code) "
             "AND (u.district_code IS NULL OR u.district_code = e.district_code)")
    con.execute(f"""CREATE TEMP TABLE _region_held AS
        SELECT u.enterprise_id, u._key, u._file, u._row, u.region_text,
               coalesce(u.district_code, u.city_code, u.province_code) AS code,
               coalesce(e.district_code, e.city_code, e.province_code) AS known
        FROM _ent_upd u JOIN _ent_old e ON e.id = u.enterprise_id WHERE {coarser} AND NOT ({holds})""")
    con.execute(f"""UPDATE _ent_upd u SET province_code = NULL, city_code = NULL, district_code = NULL, region_text = NULL
        FROM _ent_old e WHERE e.id = u.enterprise_id AND {coarser}""")


def _write_coarser_region_conflicts(ctx: ImportContext) -> None:
    """The rows whose coarser region named another place (``_keep_finer_region``): each a line of the rejects file
    (``region_coarser_conflict``, flagged), a conflict of its enterprise (field ``region_coarser``: the region kept,
    the region not followed) and counted in the report (``region_coarser_conflicts``)."""
    con = ctx.con
    if not con.execute("SELECT 1 FROM duckdb_tables() WHERE temporary AND table_name = '_region_held'").fetchall():
        return
    found = con.execute("SELECT count(*) FROM _region_held").fetchone()[0]
    if found:
        from ..geo.lookup import label_sql

        k_join, k_zh, k_en = label_sql("h.known", "k")
        r_join, r_zh, r_en = label_sql("h.code", "g")
        hdr = ctx.staged.header_of
        column = next((hdr.get(f, f) for f in ("region", "province", "city", "district", "address") if f in hdr), "region")
        con.execute(f"""CREATE OR REPLACE TEMP TABLE _region_held AS
            SELECT h.*, {k_zh} AS known_zh, {k_en} AS known_en, {r_zh} AS named_zh, {r_en} AS named_en, r.record_id
            FROM _region_held h {k_join} {r_join}
                 LEFT JOIN enterprise_records r ON r.import_id = {ctx.import_id} AND r.source_key = h._key
                   AND r.row_no = h._row""")
        con.execute(f"""INSERT INTO _rej SELECT h._file, h._row, {ql(column)}, coalesce(h.region_text, h.named_zh),
                '地区 ' || h.named_zh || ' 比已知的 ' || h.known_zh || ' 粗，且不在其中：未采用，企业地区不变，请核对',
                'flagged', 'region_coarser_conflict',
                'the region ' || h.named_en || ' is coarser than the known ' || h.known_en
                  || ' and does not hold it: not followed, the enterprise keeps its region; to review'
            FROM _region_held h""")
        con.execute(f"""INSERT INTO enterprise_conflicts
            SELECT h.enterprise_id, 'region_coarser', h.known_zh, h.named_zh, h.record_id, {ql(ctx.source)}, h._key,
                   {ctx.import_id}
            FROM _region_held h""")
        ctx.report.region_coarser_conflicts += found
    con.execute("DROP TABLE _region_held")


def _keep_later_values(ctx: ImportContext, canon: list[str]) -> None:
    """A field (any column an import writes: capital, address, status …, industry, website, scope, products,
    description …) whose current value an export with a LATER data date set (any source) is not replaced by
    this earlier-dated export: its value is cleared from ``_ent_upd`` (so no update, no history row, no event,
    no new setter) and stays in this import's source record only; counted as ``values_kept_older`` when it
    differs (the same value given again by an older export is cleared too, uncounted: it does not become the
    value's setter, which would date the value back). The import
    that set a value is the one ``enterprise_field_imports`` names for the field, else the one that created the
    enterprise; a field still empty is filled whatever the date. Skipped (no pass) unless some import is dated
    after this one."""
    con = ctx.con
    if not con.execute("SELECT 1 FROM imports WHERE data_date > ?::DATE LIMIT 1", [ctx.data_date]).fetchall():
        return
    day = f"{ql(str(ctx.data_date))}::DATE"
    fields = set_fields(canon)
    # the setter's data date per field (one row per enterprise and field at most: its max is its date)
    setters = ", ".join(f"max(i.data_date) FILTER (WHERE s.field = {ql(f)}) AS {qi(f)}" for f in fields)
    # older: the field has a value its setter's later date keeps (the same value given again is no new setter)
    # (a full legal name is no older value of a short name: it replaces one whatever the dates)
    # (nor is a finer region an older value of a coarser one: a place's levels are kept or replaced together, and the
    # finer place wins whatever the dates — ``_keep_finer_region``)
    full_over_short = "coalesce(e.name_short, false) AND NOT coalesce(u.name_short, false)"
    finer = f"{region_rank_sql('u')} > {region_rank_sql('e')}"
    exempt = {"name": full_over_short, **{c: finer for c in REGION_LEVELS}}
    flags = ", ".join(f"({_given(f)} AND e.{qi(f)} IS NOT NULL AND coalesce(d.{qi(f)}, i.data_date) > {day}"
                      f"{f' AND NOT ({exempt[f]})' if f in exempt else ''}) AS {qi(f)}" for f in fields)
    differs = ", ".join(f"{qi(f)} := CAST(u.{qi(f)} AS VARCHAR) <> CAST(e.{qi(f)} AS VARCHAR)" for f in fields)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _ent_later AS
        SELECT u.enterprise_id, {flags}, struct_pack({differs}) AS _differs
        FROM _ent_upd u JOIN _ent_old e ON e.id = u.enterprise_id
        LEFT JOIN imports i ON i.id = e.first_import_id
        LEFT JOIN (SELECT s.enterprise_id, {setters} FROM enterprise_field_imports s JOIN imports i ON i.id = s.import_id
                   SEMI JOIN _ent_upd u USING (enterprise_id) GROUP BY ALL) d ON d.enterprise_id = e.id""")
    counts = con.execute("SELECT " + ", ".join(f"count(*) FILTER (WHERE {qi(f)} AND _differs.{qi(f)})" for f in fields)
                         + " FROM _ent_later").fetchone()
    n = sum(counts)
    older = " OR ".join(f"k.{qi(f)}" for f in fields)
    if con.execute(f"SELECT 1 FROM _ent_later k WHERE {older} LIMIT 1").fetchall():
        sets = [f"{qi(f)} = CASE WHEN k.{qi(f)} THEN NULL ELSE u.{qi(f)} END" for f in fields]
        sets += [f"{qi(c)} = CASE WHEN k.{qi(f)} THEN NULL ELSE u.{qi(c)} END" for c, f in COMPANIONS.items()
                 if f in fields and c in canon]
        con.execute(f"UPDATE _ent_upd u SET {', '.join(sets)} FROM _ent_later k "
                    f"WHERE k.enterprise_id = u.enterprise_id AND ({older})")
        ctx.report.values_kept_older += n
        for f, c in zip(fields, counts):
            if c:
                ctx.report.values_kept_older_by_field[f] = ctx.report.values_kept_older_by_field.get(f, 0) + c
    con.execute("DROP TABLE _ent_later")


def _record_setters(ctx: ImportContext, canon: list[str]) -> None:
    """Which import last set each field of the updated enterprises (``enterprise_field_imports``): every field
    this import gave a value (changed, filled from empty or confirmed; not one kept as an older export's record
    only) is now this import's — the row an earlier import had for it is replaced. The import that created an
    enterprise is its fields' setter without a row (``enterprises.first_import_id``)."""
    con = ctx.con
    given = ", ".join(f"CASE WHEN {_given(f)} THEN {ql(f)} END" for f in set_fields(canon))
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _ent_set AS
        SELECT enterprise_id, unnest(list_filter([{given}], lambda x: x IS NOT NULL)) AS field FROM _ent_upd u""")
    if con.execute("SELECT 1 FROM enterprise_field_imports LIMIT 1").fetchall():
        con.execute("DELETE FROM enterprise_field_imports f USING _ent_set s "
                    "WHERE f.enterprise_id = s.enterprise_id AND f.field = s.field")
    con.execute(f"INSERT INTO enterprise_field_imports SELECT enterprise_id, field, {ctx.import_id} FROM _ent_set")
    con.execute("DROP TABLE _ent_set")


def _keep_plain_values(con) -> None:
    """Before enterprises are updated, the plain-insert records that created them (which read their values
    from the enterprise's columns, ``record_value_sql``) get their own copy of those values, so what each
    source said stays readable after a later import overwrites a column. Only the updated enterprises'
    records are touched (``_ent_old``: their values before the update): an import that only adds enterprises
    writes no copy."""
    fields = ", ".join(f"{ql(f)}, e.{qi(c)}" for f, c in RAW_COLUMNS.items())
    con.execute(f"""
        UPDATE enterprise_records r
        SET data = json_merge_patch(coalesce(r.data, '{{}}'), json_object({fields}))
        FROM _ent_old e
        WHERE e.id = r.enterprise_id AND r.link_method = 'new'
          AND (r.data IS NULL OR NOT json_exists(r.data, '$.name'))""")


def _one_group_per_row(con, keyed: bool, unique: bool) -> bool:
    """Every unlinked row has a credit code of its own (and no separate key column): no grouping is needed.
    With every key once, the code is the key of a coded row, so counting the coded rows is enough."""
    if keyed:
        return False
    n, coded, codes = con.execute("SELECT count(*), count(uscc), " + ("0" if unique else "count(DISTINCT uscc)")
                                  + " FROM _ent t ANTI JOIN _ent_link l USING (_key)").fetchone()
    return n == coded and (unique or coded == codes)


def _write_records(ctx: ImportContext, plain_all: bool, all_new: bool = False, next_rec: int | None = None,
                   rows: str = "_ent_all") -> None:
    """Every source record: (record id, enterprise, link method, row number, content hash) per row.

    A plain insert — the row that created its enterprise, alone in this import — keeps no copy of its mapped
    values: they are the enterprise's own columns as this import wrote them (later changes of tracked fields
    are in ``enterprise_history``); only its unmapped columns are kept (``data._extra``). Every other record
    (an update, a second row of an enterprise, a link to an existing one) keeps its mapped values as JSON."""
    con, src = ctx.con, ctx.source
    next_rec = next_rec or ctx.store.next_id("enterprise_records", "record_id")
    plain = "a.link_method = 'new'"
    if not plain_all:
        con.execute("CREATE OR REPLACE TEMP TABLE _ent_multi AS SELECT enterprise_id FROM _ent_all "
                    "WHERE link_method = 'new' GROUP BY 1 HAVING count(*) > 1")
        plain += " AND a.enterprise_id NOT IN (SELECT enterprise_id FROM _ent_multi)"
    head = (f"INSERT INTO enterprise_records SELECT {next_rec} + a._file * {RECORD_ID_STRIDE} + a._row, "
            f"a.enterprise_id, a.link_method, a._row, a._hash, {ql(ctx.started_at.isoformat(sep=' '))}::TIMESTAMP")
    tail = f"{ql(src)}, a._key, {ctx.import_id}"
    con.execute(f"{head}, CASE WHEN a._extra IS NOT NULL THEN to_json(struct_pack(_extra := a._extra)) END, {tail} "
                f"FROM {rows} a WHERE {plain}")
    if not all_new:  # (every row of an all-new import is a plain insert)
        con.execute(f"{head}, {ctx.data_expr}, {tail} FROM _ent_all a JOIN _typed t USING (_file, _row) "
                    f"WHERE NOT ({plain})")


def _write_aliases(ctx: ImportContext, all_new: bool = False) -> None:
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
    if "other_codes" in p:  # the company's other share codes (a B share beside its A share): six digits, "-" is none
        parts.append("SELECT enterprise_id, alias, 'code' AS kind, _key FROM (SELECT a.enterprise_id, "
                     f"{stock_code_sql('unnest(t.other_codes__list)')} AS alias, a._key "
                     "FROM _typed t JOIN _ent_all a USING (_file, _row)) WHERE alias IS NOT NULL")
    # a record whose registered name differs from the canonical one (a duplicate from another source; none when
    # every row created its own enterprise)
    if not all_new:
        parts.append("SELECT a.enterprise_id, a.name AS alias, 'other' AS kind, a._key FROM _ent_all a JOIN enterprises e "
                     "ON e.id = a.enterprise_id WHERE a.name_norm <> e.name_norm")
    if not parts:
        return
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
