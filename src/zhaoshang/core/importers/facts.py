"""Writing the fact kinds: fundings, investors, patents, persons, roles, shareholdings, branches, news,
demands and contacts. Each writer works on ``_typed`` (rows not rejected), links names to enterprises
with ``linking.link_rows`` and skips records already imported from the same source (idempotent)."""

from __future__ import annotations

import re

import pyarrow as pa

from ..parse.rounds import normalize_round
from ..text import normalize_name, split_pairs
from .context import ImportContext
from .linking import link_rows
from .relink import link_duplicates, record_pending
from .staging import qi, ql


def _has(ctx: ImportContext, field: str) -> bool:
    return field in ctx.staged.present


def _col(ctx: ImportContext, field: str, derived: str | None = None, cast: str | None = None) -> str:
    if not _has(ctx, field):
        return f"NULL::{cast or 'VARCHAR'}"
    return qi(derived or field)


def _tcol(ctx: ImportContext, field: str, alias: str = "t") -> str:
    """A field of the typed table, qualified (for joins where the name is ambiguous)."""
    return f"{alias}.{qi(field)}" if _has(ctx, field) else "NULL::VARCHAR"


def _link(ctx: ImportContext, out: str, name: str, uscc: str | None = None, key: str | None = None,
          table: str = "_typed", keys=("_file", "_row"), where: str = "NOT _rejected",
          province: str | None = "_province_code") -> None:
    """Link the rows' ``name`` to enterprises; ``province`` names the column that locates *that* enterprise
    (None when the row's region columns describe something else, e.g. a branch's child)."""
    link_rows(
        ctx.con, table, out, source=ctx.source, province=province,
        uscc=(uscc + "__ok") if uscc and _has(ctx, uscc) else None,
        key=key if key and _has(ctx, key) else None,
        norm=(name + "__norm") if _has(ctx, name) else None,
        where=where, keys=keys,
    )
    row = ctx.con.execute(f"SELECT count(*) FILTER (WHERE enterprise_id IS NULL AND method IS NULL), "
                          f"count(*) FILTER (WHERE method = 'ambiguous') FROM {out}").fetchone()
    ctx.report.unlinked += row[0]
    ctx.report.ambiguous += row[1]


def _norm_lookup(ctx: ImportContext, name: str, values_sql: str) -> str:
    """A temp table (value, norm) of normalised names for the distinct values of ``values_sql``."""
    vals = [r[0] for r in ctx.con.execute(f"SELECT DISTINCT v FROM ({values_sql}) WHERE v IS NOT NULL").fetchall()]
    tbl = pa.table({"value": pa.array(vals, pa.string()), "norm": pa.array([normalize_name(v) for v in vals], pa.string())})
    ctx.con.register(name + "_arrow", tbl)
    ctx.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_arrow")
    ctx.con.unregister(name + "_arrow")
    return name


def _dedupe_keyed(ctx: ImportContext, table: str, target: str, where_extra: str = "") -> int:
    """Drop rows of ``table`` whose (source, _key) is already in ``target``; returns rows left."""
    before = ctx.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    ctx.con.execute(f"DELETE FROM {table} WHERE EXISTS (SELECT 1 FROM {target} x WHERE x.source = {ql(ctx.source)} "
                    f"AND x.source_key = {table}._key {where_extra})")
    after = ctx.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    ctx.report.rows_duplicate += before - after
    return after


def _prov(ctx: ImportContext) -> str:
    return f"{ql(ctx.source)}, _key, {ctx.import_id}"


def _evidence(ctx: ImportContext, name: str, link: str, uscc: str | None = None, key: str | None = None,
              province: bool = True) -> str:
    """Columns keeping how a fact names its enterprise, for linking it later (``relink.record_pending``)."""
    return (f"{_col(ctx, name, name + '__norm')} AS _norm, {_col(ctx, uscc, uscc + '__ok') if uscc else 'NULL'} AS _uscc, "
            f"{_col(ctx, key) if key else 'NULL'} AS _ekey, {'_province_code' if province else 'NULL'} AS _prov, "
            f"coalesce({link}.method = 'ambiguous', false) AS _amb")


def _keep_unlinked(ctx: ImportContext, table: str, column: str, rows: str, name_col: str) -> None:
    """The facts of this import left without an enterprise keep their evidence in ``pending_links``."""
    record_pending(ctx.con, ctx.source, ctx.import_id, table, column, f"""
        SELECT x.id AS ref_id, NULL::INTEGER AS ref_pos, any_value(r.{name_col}) AS name, any_value(r._norm) AS name_norm,
               any_value(r._uscc) AS uscc, any_value(r._ekey) AS enterprise_key, any_value(r._prov) AS province_code,
               x.source_key
        FROM {table} x JOIN {rows} r ON x.source_key = r._key
        WHERE x.import_id = {ctx.import_id} AND x.{column} IS NULL AND NOT r._amb GROUP BY x.id, x.source_key""")


# --- investors -----------------------------------------------------------------------------------

_GOV = re.compile(r"引导基金|政府|国资|产业投资基金|产业基金|国投|城投|财政|高新投|创新投")
_ANGEL = re.compile(r"天使|angel", re.I)
_CVC = re.compile(r"集团|科技|股份|有限公司|战略|corporate|ventures? of", re.I)
_PE = re.compile(r"私募股权|并购基金|PE\b|private equity", re.I)
_VC = re.compile(r"资本|创投|投资|基金|capital|ventures?|partners|fund", re.I)


def infer_investor_type(name: str) -> str:
    """A first guess of the investor type from its name (overridden by an investors import)."""
    if _GOV.search(name):
        return "government_fund"
    if _ANGEL.search(name):
        return "angel"
    if _PE.search(name):
        return "PE"
    if _VC.search(name):
        return "VC"
    if _CVC.search(name):
        return "CVC"
    return "other"


_LEAD = re.compile(r"[（(]\s*领投\s*[)）]|（领投方）|\(lead\)", re.I)


def ensure_investors(ctx: ImportContext, names_sql: str) -> str:
    """Create investors for names not yet known; returns temp table (value, norm, investor_id)."""
    con = ctx.con
    lk = _norm_lookup(ctx, "_inv_names", names_sql)
    con.execute(f"DELETE FROM {lk} WHERE norm = ''")
    next_id = ctx.store.next_id("investors")
    new = con.execute(f"""
        SELECT norm, min(value) FROM {lk} WHERE norm NOT IN (SELECT name_norm FROM investors WHERE name_norm IS NOT NULL)
        GROUP BY norm ORDER BY norm
    """).fetchall()
    if new:
        rows = [(next_id + i, v, n, infer_investor_type(v), ctx.source, n, ctx.import_id) for i, (n, v) in enumerate(new)]
        con.executemany("INSERT INTO investors (id, name, name_norm, type, source, source_key, import_id) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _inv_ids AS
        SELECT l.value, l.norm, min(i.id) AS investor_id FROM {lk} l JOIN investors i ON i.name_norm = l.norm GROUP BY ALL
    """)
    return "_inv_ids"


def write_investors(ctx: ImportContext) -> None:
    con = ctx.con
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _inv AS
        SELECT name, name__norm AS norm, {_col(ctx, 'type')} AS type, {_col(ctx, 'description')} AS description,
               {_col(ctx, 'uscc', 'uscc__ok')} AS uscc, _country, _province_code, _city_code, _district_code,
               coalesce({_col(ctx, 'key')}, name__norm) AS _key
        FROM _typed WHERE NOT _rejected AND name__norm <> ''
        QUALIFY row_number() OVER (PARTITION BY name__norm ORDER BY _file DESC, _row DESC) = 1
    """)
    ctx.report.rows_duplicate += ctx.rows_ok - con.execute("SELECT count(*) FROM _inv").fetchone()[0]
    con.execute("""UPDATE _inv SET type = CASE
        WHEN type IS NULL THEN NULL
        WHEN type ~ '(?i)引导|政府|government' THEN 'government_fund'
        WHEN type ~ '(?i)天使|angel' THEN 'angel'
        WHEN type ~ '(?i)cvc|企业风投|战略|corporate' THEN 'CVC'
        WHEN type ~ '(?i)^pe$|私募股权|private.?equity' THEN 'PE'
        WHEN type ~ '(?i)^vc$|风险投资|创投|venture' THEN 'VC'
        ELSE type END""")
    upd = con.execute("""
        UPDATE investors i SET type = coalesce(v.type, i.type), description = coalesce(v.description, i.description),
            country = coalesce(v._country, i.country), province_code = coalesce(v._province_code, i.province_code),
            city_code = coalesce(v._city_code, i.city_code), district_code = coalesce(v._district_code, i.district_code)
        FROM _inv v WHERE i.name_norm = v.norm
    """).fetchone()
    ctx.report.rows_updated += upd[0] if upd else 0
    next_id = ctx.store.next_id("investors")
    n = con.execute(f"""
        INSERT INTO investors (id, name, name_norm, type, country, province_code, city_code, district_code,
                               description, source, source_key, import_id)
        SELECT {next_id} - 1 + row_number() OVER (ORDER BY norm), name, norm, coalesce(type, 'other'), _country,
               _province_code, _city_code, _district_code, description, {_prov(ctx)}
        FROM _inv WHERE norm NOT IN (SELECT name_norm FROM investors WHERE name_norm IS NOT NULL)
    """).fetchone()
    ctx.report.rows_imported += n[0] if n else 0
    # investors that are enterprises themselves (CVC arms, state funds registered as companies)
    con.execute("""UPDATE investors i SET enterprise_id = e.id FROM enterprises e
                   WHERE i.enterprise_id IS NULL AND e.name_norm = i.name_norm""")


# --- fundings ------------------------------------------------------------------------------------

def write_fundings(ctx: ImportContext) -> None:
    con = ctx.con
    _link(ctx, "_fl", "enterprise", uscc="enterprise_uscc", key="enterprise_key")
    amount_text = "coalesce(" + ", ".join(
        [qi("amount")] * _has(ctx, "amount") + ["'USD ' || " + qi("amount_usd")] * _has(ctx, "amount_usd") + ["NULL"]) + ")"
    key = ("coalesce(" + qi("key") + ", " if _has(ctx, "key") else "coalesce(") + (
        "md5(concat_ws('|', enterprise, " + ", ".join(
            f"coalesce({_col(ctx, f)}, '')" for f in ("enterprise_uscc", "enterprise_key", "date", "round")) + ")))")
    invs = _col(ctx, "investors", "investors__list", "VARCHAR[]")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _fund AS
        SELECT {key} AS _key, min(t._file * 1000000000000 + t._row) AS _first,
               any_value(l.enterprise_id) AS enterprise_id, any_value(t.enterprise) AS enterprise_name,
               any_value({_col(ctx, 'date', 'date__d', 'DATE')}) AS date, any_value({_col(ctx, 'round')}) AS round_raw,
               any_value(coalesce({_col(ctx, 'amount', 'amount__wan', 'DOUBLE')}, {_col(ctx, 'amount_usd', 'amount_usd__n', 'DOUBLE')})) AS amount_wan,
               any_value(coalesce({_col(ctx, 'amount', 'amount__low', 'DOUBLE')}, {_col(ctx, 'amount_usd', 'amount_usd__n', 'DOUBLE')})) AS low,
               any_value(coalesce({_col(ctx, 'amount', 'amount__high', 'DOUBLE')}, {_col(ctx, 'amount_usd', 'amount_usd__n', 'DOUBLE')})) AS high,
               any_value({amount_text}) AS amount_text,
               any_value(coalesce({_col(ctx, 'amount', 'amount__cur')}, {_col(ctx, 'currency')},
                         CASE WHEN {_col(ctx, 'amount_usd')} IS NOT NULL THEN 'USD' END)) AS currency,
               list_distinct(flatten(list(coalesce({invs}, []::VARCHAR[])))) AS investors,
               any_value({_col(ctx, 'lead_investor')}) AS lead,
               any_value(t.enterprise__norm) AS _norm, any_value({_col(ctx, 'enterprise_uscc', 'enterprise_uscc__ok')}) AS _uscc,
               any_value({_col(ctx, 'enterprise_key')}) AS _ekey, any_value(t._province_code) AS _prov,
               bool_and(coalesce(l.method = 'ambiguous', false)) AS _amb
        FROM _typed t LEFT JOIN _fl l USING (_file, _row)
        WHERE NOT t._rejected
        GROUP BY ALL
    """)
    kept = con.execute("SELECT count(*) FROM _fund").fetchone()[0]
    ctx.report.rows_duplicate += ctx.rows_ok - kept
    link_duplicates(con, "fundings", "enterprise_id", "_fund", ctx.source)
    if not _dedupe_keyed(ctx, "_fund", "fundings"):
        return
    rounds = [r[0] for r in con.execute("SELECT DISTINCT round_raw FROM _fund WHERE round_raw IS NOT NULL").fetchall()]
    con.register("_rounds_arrow", pa.table({"raw": pa.array(rounds, pa.string()),
                                            "norm": pa.array([normalize_round(r) for r in rounds], pa.string())}))
    next_id = ctx.store.next_id("fundings")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _fund2 AS
        SELECT {next_id} - 1 + row_number() OVER (ORDER BY _first) AS id, f.*, r.norm AS round
        FROM _fund f LEFT JOIN _rounds_arrow r ON r.raw = f.round_raw
    """)
    con.unregister("_rounds_arrow")
    # investors: one row per (funding, position); a "(领投)" marker makes the lead.
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _fi AS
        SELECT id AS funding_id, generate_subscripts(investors, 1) AS position, unnest(investors) AS raw FROM _fund2
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _fi2 AS
        SELECT funding_id, position, trim(regexp_replace(raw, '{_LEAD.pattern}', '', 'g')) AS name,
               regexp_matches(raw, '{_LEAD.pattern}') AS is_lead
        FROM _fi
    """)
    con.execute("""INSERT INTO _fi2 SELECT f.id, 0, f.lead, true FROM _fund2 f WHERE f.lead IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM _fi2 x WHERE x.funding_id = f.id AND x.name = f.lead)""")
    con.execute("UPDATE _fi2 SET is_lead = true FROM _fund2 f WHERE _fi2.funding_id = f.id AND _fi2.name = f.lead")
    ids = ensure_investors(ctx, "SELECT name AS v FROM _fi2")
    con.execute(f"""
        INSERT INTO funding_investors
        SELECT x.funding_id, i.investor_id, x.name, x.position, x.is_lead FROM _fi2 x LEFT JOIN {ids} i ON i.value = x.name
        WHERE x.name <> ''
    """)
    con.execute(f"""
        INSERT INTO fundings
        SELECT f.id, f.enterprise_id, f.enterprise_name, f.date, coalesce(f.round, CASE WHEN f.round_raw IS NOT NULL THEN 'other' END),
               f.round_raw, f.amount_wan, f.low, f.high, f.amount_text, f.currency,
               array_to_string(f.investors, '、'),
               (SELECT min(fi.investor_id) FROM funding_investors fi WHERE fi.funding_id = f.id AND fi.is_lead),
               {ql(ctx.source)}, f._key, {ctx.import_id}
        FROM _fund2 f
    """)
    ctx.report.rows_imported += con.execute("SELECT count(*) FROM _fund2").fetchone()[0]
    _keep_unlinked(ctx, "fundings", "enterprise_id", "_fund2", "enterprise_name")


# --- patents -------------------------------------------------------------------------------------

def write_patents(ctx: ImportContext) -> None:
    con = ctx.con
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _pat AS
        SELECT upper(regexp_replace(number, '\\s', '', 'g')) AS _key, * FROM _typed WHERE NOT _rejected
        QUALIFY row_number() OVER (PARTITION BY _key ORDER BY _file DESC, _row DESC) = 1
    """)
    kept = con.execute("SELECT count(*) FROM _pat").fetchone()[0]
    ctx.report.rows_duplicate += ctx.rows_ok - kept
    # a patent number is global: the same publication from any source is the same patent
    before = kept
    con.execute("DELETE FROM _pat WHERE _key IN (SELECT upper(number) FROM patents)")
    left = con.execute("SELECT count(*) FROM _pat").fetchone()[0]
    ctx.report.rows_duplicate += before - left
    if not left:
        return
    next_id = ctx.store.next_id("patents")
    ptype = f"""CASE WHEN {_col(ctx, 'type')} IS NULL THEN NULL
                WHEN {_col(ctx, 'type')} ~ '(?i)发明|invention|utility patent|^utility$' AND {_col(ctx, 'type')} !~ '实用新型' THEN 'invention'
                WHEN {_col(ctx, 'type')} ~ '实用新型|(?i)utility model' THEN 'utility'
                WHEN {_col(ctx, 'type')} ~ '外观|(?i)design' THEN 'design' ELSE 'other' END"""
    ipc = _col(ctx, "ipc", "ipc__list", "VARCHAR[]")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _pat2 AS
        SELECT {next_id} - 1 + row_number() OVER (ORDER BY _file, _row) AS id, * FROM _pat
    """)
    con.execute(f"""
        INSERT INTO patents
        SELECT id, _key, {_col(ctx, 'application_number')}, {_col(ctx, 'title')}, {_col(ctx, 'abstract')}, {ptype},
               {_col(ctx, 'applied', 'applied__d', 'DATE')}, {_col(ctx, 'published', 'published__d', 'DATE')},
               {_col(ctx, 'granted', 'granted__d', 'DATE')}, {_col(ctx, 'status')},
               list_transform({ipc}, lambda x: upper(regexp_replace(x, '\\s+', ' ', 'g'))),
               upper(regexp_replace(({ipc})[1], '\\s+', ' ', 'g')),
               {_col(ctx, 'applicants')}, {_col(ctx, 'inventors')},
               {_col(ctx, 'cited', 'cited__list', 'VARCHAR[]')}, {_prov(ctx)}
        FROM _pat2
    """)
    ctx.report.rows_imported += left
    # applicants in order, linked by name; their region from the aligned list, else the enterprise's
    regions = _col(ctx, "applicant_regions", "applicant_regions__list", "VARCHAR[]")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _pa AS
        SELECT id AS patent_id, generate_subscripts(applicants__list, 1) AS position, unnest(applicants__list) AS name,
               {regions} AS regions
        FROM _pat2 WHERE {_col(ctx, 'applicants', 'applicants__list', 'VARCHAR[]')} IS NOT NULL
    """)
    lk = _norm_lookup(ctx, "_pa_norm", "SELECT name AS v FROM _pa")
    con.execute(f"CREATE OR REPLACE TEMP TABLE _pa2 AS SELECT p.*, n.norm AS name__norm, regions[position] AS region_text, "
                f"false AS _rejected FROM _pa p LEFT JOIN {lk} n ON n.value = p.name")
    link_rows(con, "_pa2", "_pal", source=ctx.source, uscc=None, key=None, norm="name__norm", province=None,
              keys=("patent_id", "position"))
    texts = [r[0] for r in con.execute("SELECT DISTINCT region_text FROM _pa2 WHERE region_text IS NOT NULL").fetchall()]
    from ..geo.parser import RegionParser

    parser = RegionParser.default()
    parsed = [parser.parse(t) for t in texts]
    con.register("_pa_reg", pa.table({
        "t": pa.array(texts, pa.string()),
        "country": pa.array([m.country for m in parsed], pa.string()),
        "p": pa.array([m.province_code for m in parsed], pa.string()),
        "c": pa.array([m.city_code for m in parsed], pa.string()),
        "d": pa.array([m.district_code for m in parsed], pa.string()),
    }))
    con.execute("""
        INSERT INTO patent_applicants
        SELECT a.patent_id, a.position, a.name, l.enterprise_id,
               coalesce(r.country, e.country), coalesce(r.p, e.province_code), coalesce(r.c, e.city_code),
               coalesce(r.d, e.district_code)
        FROM _pa2 a LEFT JOIN _pal l USING (patent_id, position)
        LEFT JOIN enterprises e ON e.id = l.enterprise_id
        LEFT JOIN _pa_reg r ON r.t = a.region_text
    """)
    con.unregister("_pa_reg")
    if _has(ctx, "inventors"):
        con.execute("""
            INSERT INTO patent_inventors
            SELECT id, generate_subscripts(inventors__list, 1), unnest(inventors__list), NULL FROM _pat2
            WHERE inventors__list IS NOT NULL
        """)
    ctx.report.unlinked += con.execute("SELECT count(*) FROM _pal WHERE enterprise_id IS NULL").fetchone()[0]
    record_pending(con, ctx.source, ctx.import_id, "patent_applicants", "enterprise_id", """
        SELECT a.patent_id AS ref_id, a.position AS ref_pos, a.name, a.name__norm AS name_norm, NULL AS uscc,
               NULL AS enterprise_key, NULL AS province_code, NULL AS source_key
        FROM _pa2 a JOIN _pal l USING (patent_id, position) WHERE l.enterprise_id IS NULL AND l.method IS NULL""")


# --- persons and roles ---------------------------------------------------------------------------

ROLE_PATTERNS = (
    ("legal_rep", r"法定代表人|法人代表|legal"),
    ("founder", r"创始人|创办人|联合创始|founder"),
    ("chairman", r"董事长|chairman|主席"),
    ("ceo", r"CEO|首席执行官|总经理|总裁|president|general manager"),
    ("supervisor", r"监事"),
    ("director", r"董事|director|board"),
    ("executive", r"副总|CTO|CFO|COO|首席|总监|经理|秘书|高管|executive|officer|vp"),
)


def normalize_role(text: str | None) -> str:
    if not text:
        return "other"
    for role, pat in ROLE_PATTERNS:
        if re.search(pat, text, re.I):
            return role
    return "other"


def write_persons(ctx: ImportContext) -> None:
    con = ctx.con
    key = (f"coalesce({qi('key')}, " if _has(ctx, "key") else "coalesce(") + \
        "md5(concat_ws('|', name, " + f"{_col(ctx, 'gender')}, CAST({_col(ctx, 'birth_year')} AS VARCHAR), {_col(ctx, 'description')})))"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _per AS SELECT {key} AS _key, * FROM _typed WHERE NOT _rejected
        QUALIFY row_number() OVER (PARTITION BY _key ORDER BY _file DESC, _row DESC) = 1
    """)
    ctx.report.rows_duplicate += ctx.rows_ok - con.execute("SELECT count(*) FROM _per").fetchone()[0]
    if not _dedupe_keyed(ctx, "_per", "persons"):
        return
    next_id = ctx.store.next_id("persons")
    n = con.execute(f"""
        INSERT INTO persons SELECT {next_id} - 1 + row_number() OVER (ORDER BY _file, _row), name, name__norm,
            {_col(ctx, 'gender')}, CAST({_col(ctx, 'birth_year', 'birth_year__n', 'DOUBLE')} AS INTEGER),
            {_col(ctx, 'description')}, {_prov(ctx)}
        FROM _per
    """).fetchone()
    ctx.report.rows_imported += n[0] if n else 0


def write_roles(ctx: ImportContext) -> None:
    con = ctx.con
    _link(ctx, "_rl", "enterprise", uscc="enterprise_uscc", key="enterprise_key")
    # one row per (person, title): either the person/title columns, or the pairs of a team cell
    parts = []
    if _has(ctx, "person"):
        parts.append(f"SELECT _file, _row, 0 AS pos, person AS pname, {_col(ctx, 'title')} AS title FROM _typed "
                     f"WHERE NOT _rejected AND person IS NOT NULL")
    if _has(ctx, "team"):
        cells = [r[0] for r in con.execute("SELECT DISTINCT team FROM _typed WHERE team IS NOT NULL").fetchall()]
        sep = ctx.mapping.separators.get("team") or ",，;；、|"
        rows = [(c, i + 1, n, t) for c in cells for i, (n, t) in enumerate(split_pairs(c, sep))]
        con.register("_team_arrow", pa.table({
            "cell": pa.array([r[0] for r in rows], pa.string()), "pos": pa.array([r[1] for r in rows], pa.int64()),
            "pname": pa.array([r[2] for r in rows], pa.string()), "title": pa.array([r[3] for r in rows], pa.string())}))
        con.execute("CREATE OR REPLACE TEMP TABLE _team AS SELECT * FROM _team_arrow")
        con.unregister("_team_arrow")
        parts.append("SELECT t._file, t._row, m.pos, m.pname, m.title FROM _typed t JOIN _team m ON m.cell = t.team "
                     "WHERE NOT t._rejected")
    if not parts:
        from ..errors import UserError

        raise UserError("roles 导入需要人员列（姓名/person）或团队列（team）")
    con.execute("CREATE OR REPLACE TEMP TABLE _rp AS " + " UNION ALL ".join(parts))
    roles = [r[0] for r in con.execute(
        f"SELECT DISTINCT coalesce({_tcol(ctx, 'role')}, '') || '|' || coalesce(p.title, '') FROM _rp p "
        f"JOIN _typed t USING (_file, _row)").fetchall()]
    con.register("_role_arrow", pa.table({"k": pa.array(roles, pa.string()),
                                          "role": pa.array([normalize_role(k.replace('|', ' ')) for k in roles], pa.string())}))
    pkey = (f"coalesce(t.{qi('person_key')}, " if _has(ctx, "person_key") else "coalesce(") + \
        "p.pname || '@' || coalesce(CAST(l.enterprise_id AS VARCHAR), t.enterprise, ''))"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _roles AS
        SELECT {pkey} AS person_key, p.pname, l.enterprise_id, t.enterprise AS enterprise_name, r.role, p.title,
               {_col(ctx, 'start', 'start__d', 'DATE')} AS start_date, {_col(ctx, 'end', 'end__d', 'DATE')} AS end_date,
               md5(concat_ws('|', {pkey}, coalesce(CAST(l.enterprise_id AS VARCHAR), t.enterprise), r.role,
                   coalesce(p.title, ''), CAST({_col(ctx, 'start', 'start__d', 'DATE')} AS VARCHAR))) AS _key,
               t._file, t._row, p.pos,
               {_evidence(ctx, 'enterprise', 'l', 'enterprise_uscc', 'enterprise_key') if _has(ctx, 'enterprise') else
                'NULL AS _norm, NULL AS _uscc, NULL AS _ekey, NULL AS _prov, true AS _amb'}
        FROM _rp p JOIN _typed t USING (_file, _row) LEFT JOIN _rl l USING (_file, _row)
        LEFT JOIN _role_arrow r ON r.k = coalesce({_tcol(ctx, 'role')}, '') || '|' || coalesce(p.title, '')
        QUALIFY row_number() OVER (PARTITION BY _key ORDER BY t._file, t._row, p.pos) = 1
    """)
    con.unregister("_role_arrow")
    link_duplicates(con, "roles", "enterprise_id", "_roles", ctx.source)
    if not _dedupe_keyed(ctx, "_roles", "roles"):
        return
    # persons: the declared key, else one person per (name, enterprise) — common names are not merged
    names = _norm_lookup(ctx, "_rp_norm", "SELECT pname AS v FROM _roles")
    next_pid = ctx.store.next_id("persons")
    con.execute(f"""
        INSERT INTO persons (id, name, name_norm, source, source_key, import_id)
        SELECT {next_pid} - 1 + row_number() OVER (ORDER BY person_key), any_value(r.pname), any_value(n.norm),
               {ql(ctx.source)}, r.person_key, {ctx.import_id}
        FROM _roles r LEFT JOIN {names} n ON n.value = r.pname
        WHERE NOT EXISTS (SELECT 1 FROM persons x WHERE x.source = {ql(ctx.source)} AND x.source_key = r.person_key)
        GROUP BY r.person_key
    """)
    next_id = ctx.store.next_id("roles")
    n = con.execute(f"""
        INSERT INTO roles
        SELECT {next_id} - 1 + row_number() OVER (ORDER BY r._file, r._row, r.pos), p.id, r.pname, r.enterprise_id,
               r.enterprise_name, r.role, r.title, r.start_date, r.end_date, {ql(ctx.source)}, r._key, {ctx.import_id}
        FROM _roles r JOIN persons p ON p.source = {ql(ctx.source)} AND p.source_key = r.person_key
    """).fetchone()
    ctx.report.rows_imported += n[0] if n else 0
    _keep_unlinked(ctx, "roles", "enterprise_id", "_roles", "enterprise_name")


# --- shareholdings and branches ------------------------------------------------------------------

def write_shareholdings(ctx: ImportContext) -> None:
    con = ctx.con
    _link(ctx, "_sl", "enterprise", uscc="enterprise_uscc")
    con.execute("CREATE OR REPLACE TEMP TABLE _sh_t AS SELECT *, holder__norm AS hnorm FROM _typed")
    link_rows(con, "_sh_t", "_shl", source=ctx.source, uscc=("holder_uscc__ok" if _has(ctx, "holder_uscc") else None),
              key=None, norm="hnorm", province=None)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _sh AS
        SELECT md5(concat_ws('|', coalesce(CAST(l.enterprise_id AS VARCHAR), t.enterprise), t.holder,
                   CAST({_col(ctx, 'start', 'start__d', 'DATE')} AS VARCHAR))) AS _key,
               l.enterprise_id, t.enterprise, t.holder, t.hnorm, {_col(ctx, 'holder_type')} AS htype,
               h.enterprise_id AS holder_eid,
               {_col(ctx, 'percent', 'percent__n', 'DOUBLE')} AS percent, {_col(ctx, 'amount', 'amount__wan', 'DOUBLE')} AS amount,
               {_col(ctx, 'start', 'start__d', 'DATE')} AS start_date, {_col(ctx, 'end', 'end__d', 'DATE')} AS end_date,
               t._file, t._row, {_evidence(ctx, 'enterprise', 'l', 'enterprise_uscc')}
        FROM _sh_t t LEFT JOIN _sl l USING (_file, _row) LEFT JOIN _shl h USING (_file, _row)
        WHERE NOT t._rejected
        QUALIFY row_number() OVER (PARTITION BY _key ORDER BY t._file DESC, t._row DESC) = 1
    """)
    ctx.report.rows_duplicate += ctx.rows_ok - con.execute("SELECT count(*) FROM _sh").fetchone()[0]
    link_duplicates(con, "shareholdings", "enterprise_id", "_sh", ctx.source)
    if not _dedupe_keyed(ctx, "_sh", "shareholdings"):
        return
    # holder kind: a linked enterprise, else a known investor, else a person when declared or name-like
    con.execute("""
        ALTER TABLE _sh ADD COLUMN investor_id BIGINT;
        UPDATE _sh SET investor_id = i.id FROM investors i WHERE _sh.holder_eid IS NULL AND i.name_norm = _sh.hnorm;
        ALTER TABLE _sh ADD COLUMN kind VARCHAR;
        UPDATE _sh SET kind = CASE
            WHEN holder_eid IS NOT NULL THEN 'enterprise'
            WHEN investor_id IS NOT NULL THEN 'investor'
            WHEN htype ~ '自然人|个人|(?i)person|natural' THEN 'person'
            WHEN htype ~ '企业|法人|公司|(?i)enterprise|company' THEN 'enterprise'
            WHEN htype IS NULL AND holder ~ '^[\\p{Han}·]{2,4}$' THEN 'person'
            ELSE 'other' END;
    """)
    next_pid = ctx.store.next_id("persons")
    con.execute(f"""
        INSERT INTO persons (id, name, name_norm, source, source_key, import_id)
        SELECT {next_pid} - 1 + row_number() OVER (ORDER BY pk), any_value(holder), any_value(hnorm), {ql(ctx.source)}, pk,
               {ctx.import_id}
        FROM (SELECT *, holder || '@' || coalesce(CAST(enterprise_id AS VARCHAR), enterprise) AS pk FROM _sh
              WHERE kind = 'person') s
        WHERE NOT EXISTS (SELECT 1 FROM persons x WHERE x.source = {ql(ctx.source)} AND x.source_key = s.pk)
        GROUP BY pk
    """)
    next_id = ctx.store.next_id("shareholdings")
    n = con.execute(f"""
        INSERT INTO shareholdings
        SELECT {next_id} - 1 + row_number() OVER (ORDER BY _file, _row), s.enterprise_id, s.enterprise, s.holder, s.kind,
               s.holder_eid, p.id, s.investor_id, s.percent, s.amount, s.start_date, s.end_date, {ql(ctx.source)}, s._key,
               {ctx.import_id}
        FROM _sh s LEFT JOIN persons p ON s.kind = 'person' AND p.source = {ql(ctx.source)}
             AND p.source_key = s.holder || '@' || coalesce(CAST(s.enterprise_id AS VARCHAR), s.enterprise)
    """).fetchone()
    ctx.report.rows_imported += n[0] if n else 0
    _keep_unlinked(ctx, "shareholdings", "enterprise_id", "_sh", "enterprise")


def write_branches(ctx: ImportContext) -> None:
    con = ctx.con
    _link(ctx, "_bl", "parent", uscc="parent_uscc", province=None)  # the region columns locate the child
    con.execute("CREATE OR REPLACE TEMP TABLE _br_t AS SELECT *, child__norm AS cnorm FROM _typed")
    link_rows(con, "_br_t", "_bcl", source=ctx.source, uscc=("child_uscc__ok" if _has(ctx, "child_uscc") else None),
              key=None, norm="cnorm", province="_province_code")
    kind = f"""CASE WHEN {_col(ctx, 'kind')} ~ '分支|分公司|(?i)branch' THEN 'branch'
                    WHEN {_col(ctx, 'kind')} ~ '子公司|(?i)subsidiar' THEN 'subsidiary'
                    WHEN {_col(ctx, 'kind')} ~ '投资|(?i)invest' THEN 'investment'
                    WHEN t.child ~ '分公司|分部|分中心|办事处' THEN 'branch' ELSE 'investment' END"""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _br AS
        SELECT md5(concat_ws('|', coalesce(CAST(p.enterprise_id AS VARCHAR), t.parent), t.child)) AS _key,
               p.enterprise_id AS parent_id, t.parent, c.enterprise_id AS child_id, t.child, t.cnorm, {kind} AS kind,
               {_col(ctx, 'date', 'date__d', 'DATE')} AS date, {_col(ctx, 'percent', 'percent__n', 'DOUBLE')} AS percent,
               t._country, t._province_code, t._city_code, t._district_code, {_col(ctx, 'child_uscc', 'child_uscc__ok')} AS cuscc,
               {_col(ctx, 'address')} AS address, t._file, t._row,
               {_evidence(ctx, 'parent', 'p', 'parent_uscc', province=False)}
        FROM _br_t t LEFT JOIN _bl p USING (_file, _row) LEFT JOIN _bcl c USING (_file, _row)
        WHERE NOT t._rejected
        QUALIFY row_number() OVER (PARTITION BY _key ORDER BY t._file DESC, t._row DESC) = 1
    """)
    ctx.report.rows_duplicate += ctx.rows_ok - con.execute("SELECT count(*) FROM _br").fetchone()[0]
    link_duplicates(con, "branches", "parent_id", "_br", ctx.source, eid_col="parent_id")
    if not _dedupe_keyed(ctx, "_br", "branches"):
        return
    # an unknown child is an enterprise too (a branch is registered): create it, with this row as its record
    next_eid = ctx.store.next_id("enterprises")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _br_new AS
        SELECT cnorm, {next_eid} - 1 + row_number() OVER (ORDER BY min(_file * 1000000000000 + _row)) AS eid
        FROM _br WHERE child_id IS NULL AND cnorm <> '' GROUP BY cnorm
    """)
    con.execute(f"""
        INSERT INTO enterprises (id, name, name_norm, uscc, founded, country, province_code, city_code, district_code,
                                 address, source, first_import_id, last_import_id)
        SELECT n.eid, any_value(b.child), n.cnorm, any_value(b.cuscc), min(b.date), any_value(b._country),
               any_value(b._province_code), any_value(b._city_code), any_value(b._district_code), any_value(b.address),
               {ql(ctx.source)}, {ctx.import_id}, {ctx.import_id}
        FROM _br b JOIN _br_new n USING (cnorm) GROUP BY n.eid, n.cnorm
    """)
    next_rec = ctx.store.next_id("enterprise_records", "record_id")
    con.execute(f"""
        INSERT INTO enterprise_records
        SELECT {next_rec} - 1 + row_number() OVER (ORDER BY n.eid), n.eid, 'new', min(b._row), NULL,
               {ql(ctx.started_at.isoformat(sep=' '))}::TIMESTAMP, to_json(struct_pack(name := any_value(b.child),
               parent := any_value(b.parent))), {ql(ctx.source)}, 'branch:' || n.cnorm, {ctx.import_id}
        FROM _br b JOIN _br_new n USING (cnorm) GROUP BY n.eid, n.cnorm
    """)
    con.execute("UPDATE _br SET child_id = n.eid FROM _br_new n WHERE _br.child_id IS NULL AND _br.cnorm = n.cnorm")
    next_id = ctx.store.next_id("branches")
    n = con.execute(f"""
        INSERT INTO branches
        SELECT {next_id} - 1 + row_number() OVER (ORDER BY b._file, b._row), b.parent_id, b.parent, b.child_id, b.child,
               b.kind, b.date, b.percent, coalesce(b._country, e.country), coalesce(b._province_code, e.province_code),
               coalesce(b._city_code, e.city_code), coalesce(b._district_code, e.district_code), {ql(ctx.source)}, b._key,
               {ctx.import_id}
        FROM _br b LEFT JOIN enterprises e ON e.id = b.child_id
    """).fetchone()
    ctx.report.rows_imported += n[0] if n else 0
    _keep_unlinked(ctx, "branches", "parent_id", "_br", "parent")


# --- news, demands, contacts ---------------------------------------------------------------------

def write_news(ctx: ImportContext) -> None:
    con = ctx.con
    key = (f"coalesce({qi('key')}, " if _has(ctx, "key") else "coalesce(") + \
        f"{_col(ctx, 'url')}, md5(concat_ws('|', {_col(ctx, 'title')}, {_col(ctx, 'published')}, left({_col(ctx, 'body')}, 200))))"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _news AS SELECT {key} AS _key, * FROM _typed WHERE NOT _rejected
          AND coalesce({_col(ctx, 'title')}, {_col(ctx, 'body')}) IS NOT NULL
        QUALIFY row_number() OVER (PARTITION BY _key ORDER BY _file DESC, _row DESC) = 1
    """)
    ctx.report.rows_duplicate += ctx.rows_ok - con.execute("SELECT count(*) FROM _news").fetchone()[0]
    if not _dedupe_keyed(ctx, "_news", "news"):
        return
    next_id = ctx.store.next_id("news")
    con.execute(f"CREATE OR REPLACE TEMP TABLE _news2 AS SELECT {next_id} - 1 + row_number() OVER (ORDER BY _file, _row) AS id, * FROM _news")
    n = con.execute(f"""
        INSERT INTO news SELECT id, {_col(ctx, 'title')}, {_col(ctx, 'body')}, {_col(ctx, 'url')},
            CAST({_col(ctx, 'published', 'published__d', 'DATE')} AS TIMESTAMP), {_col(ctx, 'outlet')},
            {_col(ctx, 'sentiment', 'sentiment__n', 'DOUBLE')}, {_col(ctx, 'event_type')}, {_prov(ctx)}
        FROM _news2
    """).fetchone()
    ctx.report.rows_imported += n[0] if n else 0
    if _has(ctx, "enterprises"):
        con.execute("""CREATE OR REPLACE TEMP TABLE _nm AS SELECT id AS news_id,
                       generate_subscripts(enterprises__list, 1) AS pos, unnest(enterprises__list) AS mention
                       FROM _news2 WHERE enterprises__list IS NOT NULL""")
        lk = _norm_lookup(ctx, "_nm_norm", "SELECT mention AS v FROM _nm")
        con.execute(f"CREATE OR REPLACE TEMP TABLE _nm2 AS SELECT m.*, n.norm AS mnorm, false AS _rejected FROM _nm m "
                    f"LEFT JOIN {lk} n ON n.value = m.mention")
        link_rows(con, "_nm2", "_nml", source=ctx.source, uscc=None, key=None, norm="mnorm", province=None,
                  keys=("news_id", "pos"))
        con.execute("""INSERT INTO news_mentions SELECT m.news_id, l.enterprise_id, m.mention, coalesce(l.method, 'declared')
                       FROM _nm2 m JOIN _nml l USING (news_id, pos)""")
        record_pending(con, ctx.source, ctx.import_id, "news_mentions", "enterprise_id", """
            SELECT m.news_id AS ref_id, NULL::INTEGER AS ref_pos, m.mention AS name, m.mnorm AS name_norm, NULL AS uscc,
                   NULL AS enterprise_key, NULL AS province_code, NULL AS source_key
            FROM _nm2 m JOIN _nml l USING (news_id, pos) WHERE l.enterprise_id IS NULL AND l.method IS NULL""")


def write_demands(ctx: ImportContext) -> None:
    con = ctx.con
    key = (f"coalesce({qi('key')}, " if _has(ctx, "key") else "coalesce(") + \
        f"md5(concat_ws('|', title, {_col(ctx, 'organisation')}, {_col(ctx, 'published')})))"
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _dem AS SELECT {key} AS _key, * FROM _typed WHERE NOT _rejected
                    QUALIFY row_number() OVER (PARTITION BY _key ORDER BY _file DESC, _row DESC) = 1""")
    ctx.report.rows_duplicate += ctx.rows_ok - con.execute("SELECT count(*) FROM _dem").fetchone()[0]
    if not _dedupe_keyed(ctx, "_dem", "demands"):
        return
    dtype = f"""CASE WHEN {_col(ctx, 'demander_type')} ~ '政府|机关|局|委|(?i)gov' THEN 'government'
                     WHEN {_col(ctx, 'demander_type')} ~ '企业|公司|(?i)enterprise|company' THEN 'enterprise'
                     WHEN {_col(ctx, 'demander_type')} IS NOT NULL THEN 'other'
                     WHEN {_col(ctx, 'organisation')} ~ '政府|局$|委员会|管委会|办公室|中心$' THEN 'government'
                     WHEN {_col(ctx, 'organisation')} ~ '公司|集团|企业' THEN 'enterprise' END"""
    next_id = ctx.store.next_id("demands")
    n = con.execute(f"""
        INSERT INTO demands SELECT {next_id} - 1 + row_number() OVER (ORDER BY _file, _row), title,
            {_col(ctx, 'description')}, {_col(ctx, 'category')}, {_col(ctx, 'node')}, {_col(ctx, 'organisation')}, {dtype},
            _country, _province_code, _city_code, _district_code, {_col(ctx, 'budget', 'budget__wan', 'DOUBLE')},
            {_col(ctx, 'published', 'published__d', 'DATE')}, {_col(ctx, 'deadline', 'deadline__d', 'DATE')},
            {_col(ctx, 'status')}, {_col(ctx, 'contact')}, {_prov(ctx)}
        FROM _dem
    """).fetchone()
    ctx.report.rows_imported += n[0] if n else 0


def write_contacts(ctx: ImportContext) -> None:
    con = ctx.con
    org = "enterprise" if _has(ctx, "enterprise") else "organisation"
    _link(ctx, "_cl", org)
    key = (f"coalesce({qi('key')}, " if _has(ctx, "key") else "coalesce(") + \
        f"md5(concat_ws('|', name, {_col(ctx, 'organisation')}, {_col(ctx, 'phone')}, {_col(ctx, 'email')})))"
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _con AS SELECT {key} AS _key, t.*, l.enterprise_id,
                    {_col(ctx, org)} AS _org, {_evidence(ctx, org, 'l')} FROM _typed t
                    LEFT JOIN _cl l USING (_file, _row) WHERE NOT t._rejected
                    QUALIFY row_number() OVER (PARTITION BY _key ORDER BY _file DESC, _row DESC) = 1""")
    ctx.report.rows_duplicate += ctx.rows_ok - con.execute("SELECT count(*) FROM _con").fetchone()[0]
    link_duplicates(con, "contacts", "enterprise_id", "_con", ctx.source)
    if not _dedupe_keyed(ctx, "_con", "contacts"):
        return
    next_id = ctx.store.next_id("contacts")
    n = con.execute(f"""
        INSERT INTO contacts SELECT {next_id} - 1 + row_number() OVER (ORDER BY _file, _row), name,
            {_col(ctx, 'organisation')}, {_col(ctx, 'title')}, {_col(ctx, 'phone')}, {_col(ctx, 'email')},
            {_col(ctx, 'relation')}, {_col(ctx, 'notes')}, NULL, enterprise_id, _country, _province_code, _city_code,
            _district_code, {_prov(ctx)}
        FROM _con
    """).fetchone()
    ctx.report.rows_imported += n[0] if n else 0
    _keep_unlinked(ctx, "contacts", "enterprise_id", "_con", "_org")


WRITERS = {
    "investors": write_investors,
    "fundings": write_fundings,
    "patents": write_patents,
    "persons": write_persons,
    "roles": write_roles,
    "shareholdings": write_shareholdings,
    "branches": write_branches,
    "news": write_news,
    "demands": write_demands,
    "contacts": write_contacts,
}
