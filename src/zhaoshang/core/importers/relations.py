"""Writing people and corporate ties: persons, roles, shareholdings and branches."""

from __future__ import annotations

import re

import pyarrow as pa

from ..text import split_pairs
from .context import ImportContext
from .fact_common import _col, _dedupe_keyed, _evidence, _has, _keep_unlinked, _link, _norm_lookup, _prov, _tcol
from .keys import branch_key, person_key, role_key, shareholding_key
from .linking import link_rows
from .relink import link_duplicates
from .staging import qi, ql


# --- persons and roles ---------------------------------------------------------------------------

ROLE_PATTERNS = (  # first match wins: the deputies and the supervisory board before the titles they contain
    ("legal_rep", r"法定代表人|法人代表|legal"),
    ("founder", r"创始人|创办人|联合创始|founder"),
    ("supervisor", r"监事"),
    ("executive", r"董事会秘书|证券事务代表|副总经理|副总裁|总经理助理|vice president"),
    ("director", r"副董事长|vice chair"),
    ("chairman", r"董事长|chairman|主席"),
    ("ceo", r"CEO|首席执行官|总经理|总裁|president|general manager"),
    ("supervisor", r"监事"),
    ("director", r"董事|director|board"),
    ("executive", r"副总|CTO|CFO|COO|首席|总监|经理|秘书|高管|助理|executive|officer|vp|assistant"),
)

# An aide of an office holds a title that names the office and is not it: 总裁助理, 助理总经理, 董事长助理 or 秘书,
# 董事会秘书助理, 总经理办公室主任. Read as an aide (an executive) before the patterns, so that 董事、总裁助理 is a director and
# 总裁助理 alone an executive, never the CEO or the chair it assists.
_OFFICE = r"(?:董事长|董事会秘书|总经理|总裁|首席执行官|CEO|president|chairman|chairwoman|general manager)"
_AIDE = re.compile(rf"{_OFFICE}\s*(?:助理|秘书|办公室(?:副)?主任|办(?:副)?主任|assistant)|助理\s*{_OFFICE}"
                   rf"|assistant\s+(?:to\s+(?:the\s+)?)?{_OFFICE}", re.I)


def normalize_role(text: str | None) -> str:
    if not text:
        return "other"
    text = _AIDE.sub(" 助理 ", text)
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


def _gender(ctx: ImportContext) -> str:
    g = _tcol(ctx, "gender")
    return (f"CASE WHEN {g} ~ '^(男|M|m|male|Male)$' THEN '男' WHEN {g} ~ '^(女|F|f|female|Female)$' THEN '女' END")


def write_roles(ctx: ImportContext) -> None:
    con = ctx.con
    _link(ctx, "_rl", "enterprise", uscc="enterprise_uscc", key="enterprise_key", listed="enterprise_code")
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

        raise UserError("roles 导入需要人员列（姓名/person）或团队列（team）", "a roles import needs a person column (姓名/person) or a team column (team)")
    con.execute("CREATE OR REPLACE TEMP TABLE _rp AS " + " UNION ALL ".join(parts))
    roles = [r[0] for r in con.execute(
        f"SELECT DISTINCT coalesce({_tcol(ctx, 'role')}, '') || '|' || coalesce(p.title, '') FROM _rp p "
        f"JOIN _typed t USING (_file, _row)").fetchall()]
    con.register("_role_arrow", pa.table({"k": pa.array(roles, pa.string()),
                                          "role": pa.array([normalize_role(k.replace('|', ' ')) for k in roles], pa.string())}))
    pkey = (f"coalesce(t.{qi('person_key')}, " if _has(ctx, "person_key") else "coalesce(") + person_key(
        "p.pname", f"coalesce(CAST(l.enterprise_id AS VARCHAR), t.enterprise, {_tcol(ctx, 'enterprise_code')}, '')") + ")"
    # the enterprise as the file names it: its name, else its stock code (a file keyed by code alone)
    ename = f"coalesce({_tcol(ctx, 'enterprise')}, {_tcol(ctx, 'enterprise_code')})"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _roles AS
        SELECT {pkey} AS person_key, p.pname, l.enterprise_id, {ename} AS enterprise_name, r.role, p.title,
               {_col(ctx, 'start', 'start__d', 'DATE')} AS start_date, {_col(ctx, 'end', 'end__d', 'DATE')} AS end_date,
               {role_key(pkey, f"coalesce(CAST(l.enterprise_id AS VARCHAR), {ename})", "r.role", "p.title",
                         _col(ctx, 'start', 'start__d', 'DATE'))} AS _key,
               t._file, t._row, p.pos, {_gender(ctx)} AS gender,
               CAST(coalesce({_col(ctx, 'birth_year', 'birth_year__n', 'DOUBLE')},
                    year(DATE '{ctx.data_date}') - CASE WHEN {_col(ctx, 'age', 'age__n', 'DOUBLE')} BETWEEN 16 AND 100
                    THEN {_col(ctx, 'age', 'age__n', 'DOUBLE')} END) AS INTEGER) AS birth_year,
               {_evidence(ctx, 'enterprise', 'l', 'enterprise_uscc', 'enterprise_key') if _has(ctx, 'enterprise') else
                "NULL AS _norm, NULL AS _uscc, NULL AS _ekey, NULL AS _prov, coalesce(l.method = 'ambiguous', false) AS _amb"}
        FROM _rp p JOIN _typed t USING (_file, _row) LEFT JOIN _rl l USING (_file, _row)
        LEFT JOIN _role_arrow r ON r.k = coalesce({_tcol(ctx, 'role')}, '') || '|' || coalesce(p.title, '')
        QUALIFY row_number() OVER (PARTITION BY _key ORDER BY t._file, t._row, p.pos) = 1
    """)
    con.unregister("_role_arrow")
    # a row repeating another of the file once both are linked (a board listed under the A and the B share)
    ctx.report.rows_duplicate += con.execute("SELECT (SELECT count(*) FROM _rp) - (SELECT count(*) FROM _roles)").fetchone()[0]
    link_duplicates(con, "roles", "enterprise_id", "_roles", ctx.source)
    if not _dedupe_keyed(ctx, "_roles", "roles"):
        return
    # persons: the declared key, else one person per (name, enterprise) — common names are not merged
    names = _norm_lookup(ctx, "_rp_norm", "SELECT pname AS v FROM _roles")
    next_pid = ctx.store.next_id("persons")
    con.execute(f"""
        INSERT INTO persons (id, name, name_norm, gender, birth_year, source, source_key, import_id)
        SELECT {next_pid} - 1 + row_number() OVER (ORDER BY person_key), any_value(r.pname), any_value(n.norm),
               any_value(r.gender), any_value(r.birth_year), {ql(ctx.source)}, r.person_key, {ctx.import_id}
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
        SELECT {shareholding_key("coalesce(CAST(l.enterprise_id AS VARCHAR), t.enterprise)", "t.holder",
                                 _col(ctx, 'start', 'start__d', 'DATE'))} AS _key,
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
        FROM (SELECT *, {person_key("holder", "coalesce(CAST(enterprise_id AS VARCHAR), enterprise)")} AS pk FROM _sh
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
             AND p.source_key = {person_key("s.holder", "coalesce(CAST(s.enterprise_id AS VARCHAR), s.enterprise)")}
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
        SELECT {branch_key("coalesce(CAST(p.enterprise_id AS VARCHAR), t.parent)", "t.child")} AS _key,
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
