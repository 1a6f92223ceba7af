"""Writing news, demands and contacts."""

from __future__ import annotations

from ..errors import UserError
from .context import ImportContext
from .fact_common import _col, _dedupe_keyed, _evidence, _has, _keep_unlinked, _link, _norm_lookup, _prov, count_links
from .linking import link_rows
from .relink import link_duplicates, record_pending
from .staging import qi, ql


# --- news, demands, contacts ---------------------------------------------------------------------

UNLINKED_SHOWN = 20  # declared company names left unlinked or ambiguous listed in the report (all are counted)

# what a stored news item lacks, said in the rejects file (action ``kept_without``) and counted in the report
NEWS_MISSING = (
    ("published", "published__d", "published_missing", "没有发布日期：已导入，其事件以本次导入的数据日期为日期",
     "no publication date: imported, its events dated by the import's data date"),
    ("title", "title", "title_missing", "没有标题：已导入，以正文开头显示", "no title: imported, shown by the start of its body"),
)


# what a demand whose deadline is before its publication date reads as (the rejects file's reason says it)
DEADLINE_BEFORE = ("读作已过截止", "reads as past its deadline")


def _note_missing(ctx: ImportContext) -> None:
    """Every news item stored without a publication date or a title: a line in the rejects file each (the row
    kept), counted in the report (``kept_without``) — never silently. A file with no such column at all (a flash
    feed without titles) is said once, with the count, not in a line for every row."""
    for f, typed, code, zh, en in NEWS_MISSING:
        header = ctx.staged.header_of.get(f, f)
        if not _has(ctx, f):
            n = ctx.con.execute("SELECT count(*) FROM _news2").fetchone()[0]
            if n:
                ctx.report.kept_without[code] = n
                ctx.con.execute("INSERT INTO _rej VALUES (0, NULL, ?, NULL, ?, 'kept_without', ?, ?)",
                                [header, f"文件没有此列，{n} 条均{zh}", code, f"the file has no such column, all {n} rows: {en}"])
            continue
        ctx.con.execute(f"INSERT INTO _rej SELECT _file, _row, {ql(header)}, NULL, {ql(zh)}, 'kept_without', "
                        f"{ql(code)}, {ql(en)} FROM _news2 WHERE {_col(ctx, f, typed)} IS NULL")

def write_news(ctx: ImportContext) -> None:
    con = ctx.con
    key = (f"coalesce({qi('key')}, " if _has(ctx, "key") else "coalesce(") + \
        f"{_col(ctx, 'url')}, md5(concat_ws('|', {_col(ctx, 'title')}, {_col(ctx, 'published')}, left({_col(ctx, 'body')}, 200))))"
    # rows of one item (the same key: a text listed once per company it is about) are one item; its declared
    # companies are those of all its rows, in file order (the latest row's other values win)
    every = ("flatten(list(enterprises__list) OVER (PARTITION BY _key ORDER BY _file, _row "
             "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING))")
    declared = (f"list_filter({every}, lambda x, i: list_position({every}, x) = i)" if _has(ctx, "enterprises") else None)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _news AS SELECT * {f'REPLACE (nullif({declared}, []) AS enterprises__list)' if declared else ''}
        FROM (SELECT {key} AS _key, * FROM _typed WHERE NOT _rejected
              AND coalesce({_col(ctx, 'title')}, {_col(ctx, 'body')}) IS NOT NULL)
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
    _note_missing(ctx)
    if _has(ctx, "enterprises"):
        con.execute("""CREATE OR REPLACE TEMP TABLE _nm AS SELECT id AS news_id,
                       generate_subscripts(enterprises__list, 1) AS pos, unnest(enterprises__list) AS mention
                       FROM _news2 WHERE enterprises__list IS NOT NULL""")
        lk = _norm_lookup(ctx, "_nm_norm", "SELECT mention AS v FROM _nm")
        con.execute(f"CREATE OR REPLACE TEMP TABLE _nm2 AS SELECT m.*, n.norm AS mnorm, false AS _rejected FROM _nm m "
                    f"LEFT JOIN {lk} n ON n.value = m.mention")
        link_rows(con, "_nm2", "_nml", source=ctx.source, uscc=None, key=None, norm="mnorm", province=None,
                  keys=("news_id", "pos"))
        count_links(ctx, "_nml")  # the declared companies left unlinked or ambiguous are counted, as every kind's are
        ctx.report.unlinked_names = [  # and shown: the ambiguous first, then the most frequent unlinked
            {"name": n, "rows": k, "ambiguous": a} for n, k, a in con.execute(f"""
                SELECT m.mention, count(*) AS k, coalesce(l.method = 'ambiguous', false) AS a FROM _nm2 m JOIN _nml l USING (news_id, pos)
                WHERE l.enterprise_id IS NULL GROUP BY m.mention, a ORDER BY a DESC, k DESC, m.mention LIMIT {UNLINKED_SHOWN}""").fetchall()]
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
    _note_rejected_deadline_before_published(ctx)
    if ctx.named_by_file:
        _refuse_another_sources_list(ctx)
    updated = _update_known_demands(ctx)
    left = _dedupe_keyed(ctx, "_dem", "demands")
    ctx.report.rows_duplicate -= updated  # known and changed: updated, not duplicates
    ctx.report.rows_updated += updated
    if not left:
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
            {_col(ctx, 'status')}, {_col(ctx, 'contact')}, {_prov(ctx)}, {_col(ctx, 'key')}, {_deadline_open(ctx)}
        FROM _dem
    """).fetchone()
    ctx.report.rows_imported += n[0] if n else 0
    _note_deadline_before_published(ctx)


def _refuse_another_sources_list(ctx: ImportContext) -> None:
    """A demand list whose source was named after its file (no ``--source``), new to the database, most of whose demands
    another source already holds — next month's 需求清单 saved under a new name: imported as a source of its own, each
    of those demands would be listed twice (场景匹配, exports) and the old list's statuses never updated. Refused,
    nothing written, with the count and the ``--source`` that updates them; a source named on purpose stands.

    A demand of the file is that source's when they share the key (需求编号 / 场景编号) and the title or the
    organisation, or share the title and the organisation (a list without keys: its hash key holds the publication
    date, which a later list may move). A bare key alone is not enough: two bureaus' lists both number from S001."""
    con = ctx.con
    if con.execute("SELECT 1 FROM demands WHERE source = ? LIMIT 1", [ctx.source]).fetchall():
        return  # a source that listed demands before: its own later export (``_update_known_demands``)
    org = _col(ctx, "organisation")
    row = con.execute(f"""
        WITH f AS (SELECT _key, trim(title) AS title, nullif(trim({org}), '') AS org FROM _dem)
        SELECT d.source, count(DISTINCT f._key), (SELECT count(*) FROM f) FROM f
        JOIN demands d ON d.source <> {ql(ctx.source)}
         AND ((d.source_key = f._key AND (trim(d.title) = f.title OR nullif(trim(d.organisation), '') = f.org))
              OR (trim(d.title) = f.title AND nullif(trim(d.organisation), '') = f.org))
        GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1""").fetchone()
    if row is None or row[1] * 2 <= row[2]:
        return
    other, shared, total = row
    raise UserError(
        f"来源名 {ctx.source} 取自文件名，是新来源；本文件 {total:,} 条需求中 {shared:,} 条已在来源 {other} 中（编号与名称或"
        f"需求单位相同，或名称与需求单位相同）。作为新来源导入会使它们各列出两次，未导入。若这是 {other} 的新一期清单，"
        f"请加 --source {other}（更新这些需求的状态、截止时间等）；确需另记为一个新来源，请用 --source 给出它的名称",
        en=f"the source name {ctx.source} comes from the file name and is new; {shared:,} of this file's {total:,} demands "
           f"are already in the source {other} (the same key and title or organisation, or the same title and "
           f"organisation). Imported as a new source each would be listed twice: nothing imported. If this is a later "
           f"list of {other}, add --source {other} (their status, deadline … are updated); to keep it as a new source on "
           f"purpose, name it with --source")


def _deadline_open(ctx: ImportContext) -> str:
    """SQL: whether a row's deadline cell says it has none (长期有效, 不限 …: the precision ``open`` the typing gives it);
    NULL when the file has no deadline column."""
    return "coalesce(deadline__p = 'open', FALSE)" if _has(ctx, "deadline") else "NULL::BOOLEAN"


# what a later export of a demand list may change about a demand it listed before: (column, field, the file's value)
_DEMAND_VALUES = (("description", "description", None), ("category", "category", None), ("node", "node", None),
                  ("budget_wan", "budget", ("budget__wan", "DOUBLE")), ("published", "published", ("published__d", "DATE")),
                  ("deadline", "deadline", ("deadline__d", "DATE")), ("status", "status", None),
                  ("contact", "contact", None))


def _update_known_demands(ctx: ImportContext) -> int:
    """A demand this source listed before (the same key) whose new export changed a value — its status (征集中 →
    已对接), its deadline, description, budget, contact or place — takes the new export's values and is counted as
    updated; it was counted a duplicate and kept its old status and deadline. Only the file's own columns are read,
    and an empty cell leaves the value as it was (a column the export dropped, or a cell left blank, erases nothing);
    a deadline that now reads open-ended (长期有效) is one: its date goes, and a date given again ends that."""
    cols = [(c, _col(ctx, f, *(d or ()))) for c, f, d in _DEMAND_VALUES if _has(ctx, f)]
    region = _has(ctx, "region")
    if not cols and not region:
        return 0
    con = ctx.con
    new = [f"{expr} AS {qi(c)}" for c, expr in cols]
    if _has(ctx, "deadline"):  # a deadline that became open-ended (长期有效) is no date any more; a date, not open-ended
        new.append(f"{_deadline_open(ctx)} AS deadline_open")
    if region:
        new += ["_country AS country", "_province_code AS province_code", "_city_code AS city_code",
                "_district_code AS district_code"]
    con.execute(f"CREATE OR REPLACE TEMP TABLE _dem_new AS SELECT _key, {', '.join(new)} FROM _dem")
    sets = [f"{qi(c)} = coalesce(n.{qi(c)}, demands.{qi(c)})" for c, _ in cols if c != "deadline"]
    differs = [f"(n.{qi(c)} IS NOT NULL AND n.{qi(c)} IS DISTINCT FROM demands.{qi(c)})" for c, _ in cols]
    if _has(ctx, "deadline"):
        sets += ["deadline = CASE WHEN n.deadline_open THEN NULL ELSE coalesce(n.deadline, demands.deadline) END",
                 "deadline_open = CASE WHEN n.deadline_open OR n.deadline IS NOT NULL THEN n.deadline_open "
                 "ELSE demands.deadline_open END"]
        differs.append("(n.deadline_open AND demands.deadline_open IS NOT TRUE)")
    if region:  # a place read from the row: all four codes together, as the row gives them
        codes = ("country", "province_code", "city_code", "district_code")
        sets += [f"{c} = CASE WHEN n.province_code IS NOT NULL OR n.country IS NOT NULL THEN n.{c} ELSE demands.{c} END"
                 for c in codes]
        differs += ["((n.province_code IS NOT NULL OR n.country IS NOT NULL) AND ("
                    + " OR ".join(f"n.{c} IS DISTINCT FROM demands.{c}" for c in codes) + "))"]
    n = con.execute(f"""UPDATE demands SET {', '.join(sets)}, import_id = {ctx.import_id} FROM _dem_new n
        WHERE demands.source = {ql(ctx.source)} AND demands.source_key = n._key AND ({' OR '.join(differs)})""").fetchone()
    con.execute("DROP TABLE _dem_new")
    return int(n[0]) if n else 0


def _deadline_and_published(ctx: ImportContext) -> tuple[str, str, str, str]:
    """The deadline's and the publication date's headers, and each date as the rejects file writes it (SQL)."""
    dh, ph = (ctx.staged.header_of.get(f, f) for f in ("deadline", "published"))
    return dh, ph, "strftime(deadline__d, '%Y-%m-%d')", "strftime(published__d, '%Y-%m-%d')"


def _note_deadline_before_published(ctx: ImportContext) -> None:
    """A demand whose deadline is before its publication date (a typo, or the columns swapped) is imported as it is —
    nothing lost — but it reads as past its deadline from the day it appeared: a line each in the rejects file (both
    columns and dates, action ``flagged``), counted in the report (``deadline_before_published``) — never silently."""
    if not (_has(ctx, "deadline") and _has(ctx, "published")):
        return
    dh, ph, d, p = _deadline_and_published(ctx)
    n = ctx.con.execute(f"""
        INSERT INTO _rej SELECT _file, _row, {ql(dh)}, left(CAST(deadline AS VARCHAR), 200),
            {ql(dh)} || ' ' || {d} || ' 早于' || {ql(ph)} || ' ' || {p} || '（{DEADLINE_BEFORE[0]}）：已导入，请核对',
            'flagged', 'deadline_before_published',
            'deadline ' || {d} || ' before the publication date ' || {p} || ' ({DEADLINE_BEFORE[1]}): imported; to review'
        FROM _dem WHERE deadline__d < published__d
    """).fetchone()
    ctx.report.deadline_before_published += n[0] if n else 0


def _note_rejected_deadline_before_published(ctx: ImportContext) -> None:
    """A row rejected for another value (an unreadable budget) whose deadline is before its publication date: the
    problem said beside the others of the row (action ``rejected``, not counted; the problem alone)."""
    if not (_has(ctx, "deadline") and _has(ctx, "published")):
        return
    dh, ph, d, p = _deadline_and_published(ctx)
    ctx.con.execute(f"""
        INSERT INTO _rej SELECT _file, _row, {ql(dh)}, left(CAST(deadline AS VARCHAR), 200),
            {ql(dh)} || ' ' || {d} || ' 早于' || {ql(ph)} || ' ' || {p}, 'rejected', 'deadline_before_published',
            'deadline ' || {d} || ' before the publication date ' || {p}
        FROM _typed WHERE _rejected AND deadline__d < published__d
    """)


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
    _keep_unlinked(ctx, "contacts", "enterprise_id", "_con", "_org", field=org)
