"""Writing the fact kinds. Here: investors, fundings and patents; people and corporate ties are in
``relations`` and news, demands and contacts in ``notices``; ``WRITERS`` maps every kind to its writer.
Each writer works on ``_typed`` (rows not rejected), links names to enterprises with ``linking.link_rows``,
skips records already imported from the same source (idempotent) and keeps the evidence of facts whose
enterprise is not known yet (``relink``)."""

from __future__ import annotations

import re

import pyarrow as pa

from ..parse.rounds import normalize_round
from .context import ImportContext
from .fact_common import _col, _dedupe_keyed, _has, _keep_unlinked, _link, _norm_lookup, _prov, count_links
from .linking import link_rows
from .notices import write_contacts, write_demands, write_news
from .relations import write_branches, write_persons, write_roles, write_shareholdings
from .relink import link_duplicates, record_pending
from .staging import qi, ql


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
    if new:  # one INSERT from an Arrow table: row by row, 40,000 new investors took half a minute
        con.register("_new_inv_arrow", pa.table({
            "id": pa.array(range(next_id, next_id + len(new)), pa.int64()),
            "name": pa.array([v for _, v in new], pa.string()),
            "norm": pa.array([n for n, _ in new], pa.string()),
            "type": pa.array([infer_investor_type(v) for _, v in new], pa.string())}))
        con.execute("INSERT INTO investors (id, name, name_norm, type, source, source_key, import_id) "
                    "SELECT id, name, norm, type, ?, norm, ? FROM _new_inv_arrow", [ctx.source, ctx.import_id])
        con.unregister("_new_inv_arrow")
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
    rounds = [r[0] for r in con.execute("SELECT DISTINCT round_raw FROM _fund WHERE round_raw IS NOT NULL").fetchall()]
    con.register("_rounds_arrow", pa.table({"raw": pa.array(rounds, pa.string()),
                                            "norm": pa.array([normalize_round(r) for r in rounds], pa.string())}))
    con.execute("CREATE OR REPLACE TEMP TABLE _fund AS SELECT f.*, r.norm AS _round "
                "FROM _fund f LEFT JOIN _rounds_arrow r ON r.raw = f.round_raw")
    con.unregister("_rounds_arrow")
    # one round of the rows that give the same round under different keys, before the rows this source holds are
    # dropped: the same file again finds each merged row's round held under the key it was merged into
    _merge_same_rounds(ctx)
    if not _dedupe_keyed(ctx, "_fund", "fundings"):
        return
    merged = _match_rounds(ctx)
    next_id = ctx.store.next_id("fundings")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _fund2 AS
        SELECT {next_id} - 1 + row_number() OVER (ORDER BY _first) AS id, f.*, f._round AS round
        FROM _fund f WHERE f._key NOT IN (SELECT _key FROM _fmatch)
    """)
    # the investors of the new rounds and of the rounds merged into: one row per (funding, position)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _fall AS
        SELECT id, investors, lead FROM _fund2
        UNION ALL SELECT m.funding_id, f.investors, f.lead FROM _fund f JOIN _fmatch m USING (_key)
    """)
    # investors: one row per (funding, position); a "(领投)" marker makes the lead.
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _fi AS
        SELECT id AS funding_id, generate_subscripts(investors, 1) AS position, unnest(investors) AS raw FROM _fall
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _fi2 AS
        SELECT funding_id, position, trim(regexp_replace(raw, '{_LEAD.pattern}', '', 'g')) AS name,
               regexp_matches(raw, '{_LEAD.pattern}') AS is_lead
        FROM _fi
    """)
    con.execute("""INSERT INTO _fi2 SELECT f.id, 0, f.lead, true FROM _fall f WHERE f.lead IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM _fi2 x WHERE x.funding_id = f.id AND x.name = f.lead)""")
    con.execute("UPDATE _fi2 SET is_lead = true FROM _fall f WHERE _fi2.funding_id = f.id AND _fi2.name = f.lead")
    ids = ensure_investors(ctx, "SELECT name AS v FROM _fi2")
    if merged:
        _merge_investors(ctx, ids)
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
    _note_undated(ctx)
    if merged:
        _merge_rounds(ctx)
    _keep_unlinked(ctx, "fundings", "enterprise_id", "_fund2", "enterprise_name", field="enterprise",
                   at=("r._first // 1000000000000", "r._first % 1000000000000"))


# what a stored round without a date says in the rejects file (action ``kept_without``, counted in the report): no
# dated view (trends, a window to the as-of date) can count it
ROUND_UNDATED = ("没有日期：已导入，资本风向等按日期的统计不计入", "no date: imported, left out of dated views such as trends")


def _note_undated(ctx: ImportContext) -> None:
    """Every new round written without a date (a cell 不详, 未知 or empty): a line in the rejects file each (the
    row kept), counted in the report (``kept_without``: ``date_missing``); a file without a date column, once."""
    zh, en = ROUND_UNDATED
    if not _has(ctx, "date"):
        n = ctx.con.execute("SELECT count(*) FROM _fund2").fetchone()[0]
        if n:
            ctx.report.kept_without["date_missing"] = n
            ctx.con.execute("INSERT INTO _rej VALUES (0, NULL, 'date', NULL, ?, 'kept_without', 'date_missing', ?)",
                            [f"文件没有此列，{n} 条均{zh}", f"the file has no such column, all {n} rows: {en}"])
        return
    header = ctx.staged.header_of.get("date", "date")
    ctx.con.execute(f"INSERT INTO _rej SELECT _first // 1000000000000, _first % 1000000000000, {ql(header)}, NULL, "
                    f"{ql(zh)}, 'kept_without', 'date_missing', {ql(en)} FROM _fund2 WHERE date IS NULL")


# A round another source already holds. Two exports of one funding history (Crunchbase's rounds table and its
# investor–company pairs, an ITjuzi and a Crunchbase file of one company) describe the same rounds; keyed by
# source, each would add its own copy and double every count, total and score built on rounds. A round of this
# import is the round another source holds when it is of the same enterprise (linked to it, or both unlinked and
# named alike) on the same date, and neither its type nor its amount differs from that round's where both give one
# (amounts within 0.5 %). Of several such rounds the one agreeing on the most (type, then amount) is taken, the
# lowest id on a tie; a stored round takes at most one round of an import (the first in the file). The row is then
# merged into that round — investors it does not list yet added, a type, an amount or a lead it lacks filled in —
# and counted updated (duplicate when it adds nothing); a row matching no round is a new round. A source's own
# rows are told apart by their keys, never merged here.
_AMOUNT_AGREES = ("(f.amount_wan IS NULL OR x.amount_wan IS NULL OR "
                  "abs(x.amount_wan - f.amount_wan) <= 0.005 * greatest(abs(x.amount_wan), abs(f.amount_wan)))")


def _merge_same_rounds(ctx: ImportContext) -> None:
    """One round of this import's rows that are the same round of one enterprise under different keys (IT桔子 lists
    深圳市人马互动科技有限公司 under two brands, each row with its own copy of every round): the rule of a round another
    source holds (same enterprise — linked to it, or both not linked and named alike —, same date, type and amount
    not differing) within the import. A row is merged
    into the first row of the file it agrees with that is merged into none; its investors are added and what the
    first row lacks filled in. Counted duplicate, and in ``rounds_merged``."""
    con = ctx.con
    # the same enterprise: linked to it, or both not linked (not ambiguous) and named alike
    same = ("(x.enterprise_id = f.enterprise_id OR x.enterprise_id IS NULL AND f.enterprise_id IS NULL "
            "AND NOT x._amb AND NOT f._amb AND x._norm = f._norm AND f._norm <> '')")
    agrees = (f"{same} AND x._first < f._first AND x.date = f.date "
              f"AND (f._round IS NULL OR x._round IS NULL OR x._round = f._round) AND {_AMOUNT_AGREES}")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _fsame AS
        WITH later AS (  -- rows that agree with an earlier row of the import
            SELECT DISTINCT f._key FROM _fund f JOIN _fund x ON x.date = f.date AND {agrees} WHERE f.date IS NOT NULL)
        SELECT f._key, arg_min(x._key, x._first) AS into_key
        FROM _fund f JOIN _fund x ON x.date = f.date AND {agrees}
        WHERE f._key IN (SELECT _key FROM later) AND x._key NOT IN (SELECT _key FROM later)
        GROUP BY f._key
    """)
    n = con.execute("SELECT count(*) FROM _fsame").fetchone()[0]
    if not n:
        return
    con.execute("""
        UPDATE _fund x SET investors = list_filter(flatten([x.investors, m.investors]),  -- in order, each once
                                                   lambda v, i: list_position(flatten([x.investors, m.investors]), v) = i),
            _round = coalesce(x._round, m._round), round_raw = coalesce(x.round_raw, m.round_raw),
            amount_wan = coalesce(x.amount_wan, m.amount_wan), low = coalesce(x.low, m.low),
            high = coalesce(x.high, m.high), amount_text = coalesce(x.amount_text, m.amount_text),
            currency = coalesce(x.currency, m.currency), lead = coalesce(x.lead, m.lead)
        FROM (SELECT s.into_key, flatten(list(f.investors ORDER BY f._first)) AS investors,
                     arg_min(f._round, f._first) FILTER (WHERE f._round IS NOT NULL) AS _round,
                     arg_min(f.round_raw, f._first) FILTER (WHERE f.round_raw IS NOT NULL) AS round_raw,
                     arg_min(f.amount_wan, f._first) FILTER (WHERE f.amount_wan IS NOT NULL) AS amount_wan,
                     arg_min(f.low, f._first) FILTER (WHERE f.low IS NOT NULL) AS low,
                     arg_min(f.high, f._first) FILTER (WHERE f.high IS NOT NULL) AS high,
                     arg_min(f.amount_text, f._first) FILTER (WHERE f.amount_text IS NOT NULL) AS amount_text,
                     arg_min(f.currency, f._first) FILTER (WHERE f.currency IS NOT NULL) AS currency,
                     arg_min(f.lead, f._first) FILTER (WHERE f.lead IS NOT NULL) AS lead
              FROM _fsame s JOIN _fund f USING (_key) GROUP BY s.into_key) m
        WHERE x._key = m.into_key
    """)
    con.execute("DELETE FROM _fund WHERE _key IN (SELECT _key FROM _fsame)")
    ctx.report.rows_duplicate += n
    ctx.report.rounds_merged += n


def _match_rounds(ctx: ImportContext) -> int:
    """Fill ``_fmatch`` (_key, funding_id): this import's rounds that are rounds another source holds (above)."""
    con = ctx.con
    src = ql(ctx.source)
    agrees = f"x.source <> {src} AND x.date = f.date AND (f._round IS NULL OR x.round IS NULL OR x.round = f._round) AND {_AMOUNT_AGREES}"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _fmatch AS
        WITH c AS (
            SELECT f._key, f._first, x.id AS funding_id, x.round AS x_round, x.amount_wan AS x_amount, f._round, f.amount_wan
            FROM _fund f JOIN fundings x ON x.enterprise_id = f.enterprise_id AND {agrees}
            WHERE f.enterprise_id IS NOT NULL AND f.date IS NOT NULL
            UNION ALL
            SELECT f._key, f._first, x.id, x.round, x.amount_wan, f._round, f.amount_wan
            FROM _fund f JOIN pending_links p ON p.ref_table = 'fundings' AND p.name_norm = f._norm
            JOIN fundings x ON x.id = p.ref_id AND x.enterprise_id IS NULL AND {agrees}
            WHERE f.enterprise_id IS NULL AND f.date IS NOT NULL AND f._norm <> ''
            UNION ALL  -- not linked (the name's province differs), the round held by the enterprise of that name
            SELECT f._key, f._first, x.id, x.round, x.amount_wan, f._round, f.amount_wan
            FROM _fund f JOIN enterprises e ON e.name_norm = f._norm JOIN fundings x ON x.enterprise_id = e.id AND {agrees}
            WHERE f.enterprise_id IS NULL AND NOT f._amb AND f.date IS NOT NULL AND f._norm <> ''),
        best AS (
            SELECT _key, _first, funding_id FROM c
            QUALIFY row_number() OVER (PARTITION BY _key ORDER BY (_round IS NOT NULL AND x_round = _round) DESC,
                                       (amount_wan IS NOT NULL AND x_amount IS NOT NULL) DESC, funding_id) = 1)
        SELECT _key, funding_id FROM best
        QUALIFY row_number() OVER (PARTITION BY funding_id ORDER BY _first) = 1
    """)
    return con.execute("SELECT count(*) FROM _fmatch").fetchone()[0]


def _merge_investors(ctx: ImportContext, ids: str) -> None:
    """Keep in ``_fi2`` only the investors a merged round does not list yet, numbered after its own."""
    con = ctx.con
    con.execute(f"""
        DELETE FROM _fi2 WHERE funding_id IN (SELECT funding_id FROM _fmatch) AND EXISTS (
            SELECT 1 FROM funding_investors fi LEFT JOIN {ids} i ON i.value = _fi2.name
            WHERE fi.funding_id = _fi2.funding_id AND (fi.investor_name = _fi2.name OR fi.investor_id = i.investor_id))
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _fi2 AS
        SELECT x.funding_id, CASE WHEN m.funding_id IS NULL THEN x.position ELSE
               coalesce((SELECT max(fi.position) FROM funding_investors fi WHERE fi.funding_id = x.funding_id), 0)
               + row_number() OVER (PARTITION BY x.funding_id ORDER BY x.position) END AS position,
               x.name, x.is_lead
        FROM _fi2 x LEFT JOIN (SELECT DISTINCT funding_id FROM _fmatch) m USING (funding_id)
    """)
    con.execute("""CREATE OR REPLACE TEMP TABLE _fadded AS SELECT funding_id, count(*) AS n FROM _fi2
                   WHERE funding_id IN (SELECT funding_id FROM _fmatch) AND name <> '' GROUP BY 1""")


def _merge_rounds(ctx: ImportContext) -> None:
    """Fill in what the merged rounds lacked; count each merged row updated, or duplicate when it added nothing."""
    con = ctx.con
    filled = """(x.round IS NULL AND f._round IS NOT NULL) OR (x.amount_wan IS NULL AND f.amount_wan IS NOT NULL)
                OR (x.lead_investor_id IS NULL AND f.lead IS NOT NULL)"""
    n_upd, n_dup = con.execute(f"""
        SELECT count(*) FILTER (WHERE a.n IS NOT NULL OR {filled}), count(*) FILTER (WHERE NOT (a.n IS NOT NULL OR {filled}))
        FROM _fmatch m JOIN _fund f USING (_key) JOIN fundings x ON x.id = m.funding_id
        LEFT JOIN _fadded a ON a.funding_id = m.funding_id
    """).fetchone()
    con.execute("""
        UPDATE fundings x SET round = coalesce(x.round, f._round, CASE WHEN f.round_raw IS NOT NULL THEN 'other' END),
            round_raw = coalesce(x.round_raw, f.round_raw),
            amount_wan = coalesce(x.amount_wan, f.amount_wan), amount_low_wan = coalesce(x.amount_low_wan, f.low),
            amount_high_wan = coalesce(x.amount_high_wan, f.high), amount_text = coalesce(x.amount_text, f.amount_text),
            currency = coalesce(x.currency, f.currency),
            investors_text = (SELECT string_agg(fi.investor_name, '、' ORDER BY fi.position) FROM funding_investors fi
                              WHERE fi.funding_id = x.id AND fi.investor_name <> ''),
            lead_investor_id = coalesce(x.lead_investor_id, (SELECT min(fi.investor_id) FROM funding_investors fi
                                                             WHERE fi.funding_id = x.id AND fi.is_lead))
        FROM _fmatch m JOIN _fund f USING (_key) WHERE x.id = m.funding_id
    """)
    # the events of the rounds merged into say what the round now is
    con.execute("""
        UPDATE events v SET title = '融资: ' || coalesce(x.round_raw, x.round, '') || coalesce(' ' || x.amount_text, ''),
            detail = to_json(struct_pack(round := x.round, amount_wan := x.amount_wan, investors := x.investors_text))
        FROM fundings x WHERE v.ref_table = 'fundings' AND v.ref_id = x.id AND x.id IN (SELECT funding_id FROM _fmatch)
    """)
    ctx.report.rows_updated += n_upd
    ctx.report.rows_duplicate += n_dup


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
    count_links(ctx, "_pal")  # (of applicants: a patent names several)
    record_pending(con, ctx.source, ctx.import_id, "patent_applicants", "enterprise_id", """
        SELECT a.patent_id AS ref_id, a.position AS ref_pos, a.name, a.name__norm AS name_norm, NULL AS uscc,
               NULL AS enterprise_key, NULL AS province_code, NULL AS source_key
        FROM _pa2 a JOIN _pal l USING (patent_id, position) WHERE l.enterprise_id IS NULL AND l.method IS NULL""")


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
