"""The unified events table: one row per dated thing that happened to an enterprise.

Events are derived from the facts an import wrote (rows carrying its ``import_id``), set-based, so
monitoring and timelines read one table instead of nine.
"""

from __future__ import annotations

from ..asof import change_day, change_seen, news_day, registry_dated_end
from ..event_titles import BRANCH_HEADS, FIELD_HEADS, FUNDING_TITLE_SQL, PATENT_TITLE_SQL
from .staging import ql

#: the method of a news mention the text analysis found (``text_`` + the linker's method); other methods are the
#: file's declared companies (``name``, ``alias`` …: the import's linking)
TEXT_METHOD_PREFIX = "text_"
NEWS_TITLE = "'新闻: ' || coalesce(n.title, left(n.body, 40))"


def is_text(col: str) -> str:
    """SQL: a news mention's method ``col`` is the text analysis's."""
    return f"starts_with(coalesce({col}, ''), '{TEXT_METHOD_PREFIX}')"


def news_date(data_date=None) -> str:
    """SQL: a news event's date — the day the item counts from as of a date (``core.asof.news_day``: its
    publication date, else its import's data date), ``data_date`` standing in for an import not yet recorded."""
    extra = f", DATE '{data_date.isoformat() if hasattr(data_date, 'isoformat') else data_date}'" if data_date else ""
    return f"coalesce({news_day('n')}{extra})"


def news_type(alias: str = "n") -> str:
    """SQL: a news event's type — the type the item's label is read as (``core.event_types.item_type``: FinESE's
    信批违规 is ``legal``), stored so every reader (timelines, rules, exports) sees one type; ``news`` without one.
    A news event is known by its ``ref_table`` (news), whatever its type."""
    from ..event_types import news_type_sql

    return news_type_sql(f"{alias}.event_type")


def news_detail(linked: str) -> str:
    """SQL: a news event's detail — the item's sentiment, type and link, and how the enterprise was linked:
    ``linked`` (declared by the file, or found in the text), the mention's ``method`` and the ``mention`` itself."""
    return (f"to_json(struct_pack(sentiment := n.sentiment, event_type := n.event_type, url := n.url, "
            f"linked := {linked}, method := m.method, mention := m.mention))")


def drop_shadowed_text_events(con) -> int:
    """Remove the text-found news events of an item and enterprise that now has a declared one (a company the file
    named, linked later than the text analysis found it): one event per item and enterprise. Returns how many."""
    return con.execute("""DELETE FROM events v WHERE v.ref_table = 'news'
                          AND json_extract_string(v.detail, '$.linked') = 'text'
                          AND EXISTS (SELECT 1 FROM events d WHERE d.ref_table = 'news'
                                      AND d.ref_id = v.ref_id AND d.enterprise_id = v.enterprise_id
                                      AND coalesce(json_extract_string(d.detail, '$.linked'), 'declared') <> 'text')
                       """).fetchone()[0]


def text_news_events(con, news_where: str, params: list) -> dict:
    """The news events of the enterprises the text analysis found in items ``news_where`` (SQL over ``news n``):
    one per item and enterprise the file did not declare, dated and titled as a declared one (``linked`` text, with
    the mention's method). Replaces only the text-found events of those items whose mention changed or went;
    an unchanged one keeps its id (an alert or a page that showed it sees the same event). Returns
    ``{"added", "removed", "kept"}``."""
    mentions = f"""SELECT n.id AS news_id, m.enterprise_id, m.method, m.mention
                   FROM news n JOIN news_mentions m ON m.news_id = n.id
                   WHERE ({news_where}) AND m.enterprise_id IS NOT NULL AND {is_text('m.method')}
                     AND NOT EXISTS (SELECT 1 FROM news_mentions d WHERE d.news_id = n.id
                                     AND d.enterprise_id = m.enterprise_id AND NOT {is_text('d.method')})
                   QUALIFY row_number() OVER (PARTITION BY n.id, m.enterprise_id ORDER BY m.method, m.mention) = 1"""
    con.execute(f"CREATE OR REPLACE TEMP TABLE _text_news AS {mentions}", params)
    removed = con.execute(f"""DELETE FROM events v WHERE v.ref_table = 'news'
            AND json_extract_string(v.detail, '$.linked') = 'text'
            AND v.ref_id IN (SELECT n.id FROM news n WHERE {news_where})
            AND NOT EXISTS (SELECT 1 FROM _text_news t WHERE t.news_id = v.ref_id AND t.enterprise_id = v.enterprise_id
                            AND t.method = json_extract_string(v.detail, '$.method')
                            AND t.mention = json_extract_string(v.detail, '$.mention'))""", params).fetchone()[0]
    next_id = con.execute("SELECT coalesce(max(id), 0) + 1 FROM events").fetchone()[0]
    _insert(con, [f"""SELECT m.enterprise_id AS enterprise_id, {news_date()} AS date, {news_type()} AS type, {NEWS_TITLE} AS title,
                             {news_detail("'text'")} AS detail, 'news' AS ref_table, n.id AS ref_id, n.source AS source,
                             n.source_key AS source_key, n.import_id AS import_id
                      FROM _text_news m JOIN news n ON n.id = m.news_id
                      WHERE NOT EXISTS (SELECT 1 FROM events x WHERE x.ref_table = 'news'
                                        AND x.ref_id = m.news_id AND x.enterprise_id = m.enterprise_id)"""], next_id)
    added = con.execute("SELECT coalesce(max(id), 0) + 1 FROM events").fetchone()[0] - next_id
    kept = con.execute("SELECT count(*) FROM _text_news").fetchone()[0] - added
    con.execute("DROP TABLE _text_news")
    return {"added": added, "removed": removed, "kept": kept}

_CHANGE_TYPES = {
    "name": "change_name",
    "address": "change_address",
    "capital_wan": "change_capital",
    "status": "change_status",
    "legal_rep": "change_legal_rep",
    "province_code": "change_region",
    "city_code": "change_region",
    "district_code": "change_region",
}


def _change_title() -> str:
    """SQL for a readable title of an ``enterprise_history`` row: "注册资本: 602万元 → 5,000万元", regions by name."""
    def value(col: str) -> str:
        return f"""coalesce(CASE WHEN h.field = 'capital_wan' THEN printf('%,.0f万元', TRY_CAST({col} AS DOUBLE))
                                 WHEN h.field LIKE '%\\_code' ESCAPE '\\' THEN (SELECT r.name FROM regions r WHERE r.code = {col}) END,
                            {col}, '—')"""
    label = "CASE h.field " + " ".join(f"WHEN {ql(k)} THEN {ql(v)}" for k, v in FIELD_HEADS.items()) + " ELSE h.field END"
    return f"{label} || ': ' || {value('h.old_value')} || ' → ' || {value('h.new_value')}"


def founded_events(con, rows: str, offset: int, import_id: int) -> None:
    """The ``founded`` events of new enterprises ``rows`` (SQL giving id, founded, name, source): numbered by the
    enterprise's id plus ``offset`` (ids of one import are a contiguous run), so no sort is needed."""
    con.execute(f"""
        INSERT INTO events
        SELECT {offset} + e.id, e.id, e.founded, 'founded', '成立: ' || e.name, NULL::JSON, 'enterprises',
               e.id, e.source, NULL::VARCHAR, {import_id}
        FROM {rows} e WHERE e.founded IS NOT NULL""")


def derive_events(con, import_id: int, next_id: int, founded: bool = True, data_date=None) -> int:
    """Insert the events of one import; returns how many. ``founded``: the new enterprises' ``founded`` events
    are still to write (else they were written with the enterprises, and ``next_id`` is past them). ``data_date``:
    the import's data date, the day its undated news items count from (``core.asof.news_day``; the import's own
    row is written after its events)."""
    change_case = "CASE h.field " + " ".join(f"WHEN {ql(k)} THEN {ql(v)}" for k, v in _CHANGE_TYPES.items()) + " END"
    # new enterprises: one `founded` event each
    lo, hi = con.execute(f"SELECT min(id), max(id) FROM enterprises WHERE first_import_id = {import_id}"
                         ).fetchone() if founded else (None, None)
    if lo is not None:
        founded_events(con, f"(SELECT * FROM enterprises WHERE first_import_id = {import_id})", next_id - lo,
                       import_id)
        next_id += hi - lo + 1
    parts = [
        f"""SELECT e.id AS enterprise_id, e.dissolved AS date, 'dissolved' AS type, '注销/吊销: ' || e.name AS title,
                   NULL::JSON AS detail, 'enterprises' AS ref_table, e.id AS ref_id, e.source AS source,
                   NULL::VARCHAR AS source_key, {import_id} AS import_id
            FROM enterprises e WHERE e.last_import_id = {import_id} AND e.dissolved IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM events x WHERE x.enterprise_id = e.id AND x.type = 'dissolved')
              AND NOT EXISTS (SELECT 1 FROM enterprise_history h WHERE h.import_id = {import_id}
                              AND h.enterprise_id = e.id AND {registry_dated_end('h', 'e')})""",
        # tracked changes (the region change is one event even when three codes change); a change of the status to
        # an end the registry dated is the end itself: one ``dissolved`` event on the registry's date, saying the
        # export it was seen in (``seen``), not a second event on the export's date (docs/methods.md, "As of a date")
        f"""SELECT h.enterprise_id, {change_day('h', 'e')},
                   CASE WHEN {registry_dated_end('h', 'e')} THEN 'dissolved' ELSE {change_case} END,
                   {_change_title()},
                   to_json(struct_pack(field := h.field, old := h.old_value, new := h.new_value,
                                       seen := {change_seen('h', 'e')})),
                   'enterprise_history', NULL, h.source, h.source_key, {import_id}
            FROM enterprise_history h JOIN enterprises e ON e.id = h.enterprise_id WHERE h.import_id = {import_id}
              AND NOT ({registry_dated_end('h', 'e')}
                       AND EXISTS (SELECT 1 FROM events x WHERE x.enterprise_id = e.id AND x.type = 'dissolved'))
            QUALIFY row_number() OVER (PARTITION BY h.enterprise_id, {change_case} ORDER BY h.field DESC) = 1""",
        *_fact_parts(import_id, {t: f"{a}.import_id = {import_id}" for t, a in _ALIAS.items()}, data_date),
    ]
    _insert(con, parts, next_id)
    drop_shadowed_text_events(con)
    date_rep_changes(con, f"""v.import_id = {import_id} OR v.enterprise_id IN (
                                  SELECT enterprise_id FROM roles WHERE import_id = {import_id})""")
    return con.execute(f"SELECT count(*) FROM events WHERE import_id = {import_id}").fetchone()[0]


def date_rep_changes(con, where: str) -> int:
    """Date the changes of legal representative recorded from an export (``where``: SQL on event ``v``) by the
    roles' dates where they give it: the day the new representative took office (``start``), else the day the old
    one left it, on or before the export that showed the change — the profile's people say 法定代表人 from that day,
    so the timeline, the monitor and the alerts do too; the export's date stays in the detail (``seen``: 见于
    2024-12-31 的导出), and a change the roles do not date is dated by the export, saying so the same way. Run by
    every import (the roles may come after the enterprises); returns how many it read."""
    seen = "coalesce(TRY_CAST(json_extract_string(v.detail, '$.seen') AS DATE), v.date)"
    name = "coalesce(p.name, r.person_name)"

    def role_day(col: str, value: str) -> str:
        return f"""(SELECT max(r.{col}) FROM roles r LEFT JOIN persons p ON p.id = r.person_id
                    WHERE r.enterprise_id = v.enterprise_id AND r.role = 'legal_rep' AND r.{col} <= {seen}
                      AND {name} = json_extract_string(v.detail, '$.{value}'))"""

    return con.execute(f"""
        UPDATE events v SET date = coalesce({role_day('start_date', 'new')}, {role_day('end_date', 'old')}, {seen}),
               detail = to_json(struct_pack(field := json_extract_string(v.detail, '$.field'),
                                            old := json_extract_string(v.detail, '$.old'),
                                            new := json_extract_string(v.detail, '$.new'), seen := {seen}))
        WHERE v.type = 'change_legal_rep' AND v.ref_table = 'enterprise_history' AND ({where})""").fetchone()[0]


def _insert(con, parts: list[str], next_id: int) -> None:
    con.execute(f"""
        INSERT INTO events
        SELECT {next_id} - 1 + row_number() OVER (ORDER BY date, enterprise_id, type, ref_id), * FROM ({' UNION ALL '.join(parts)})
    """)


_ALIAS = {"fundings": "f", "patents": "p", "news": "n", "branches": "b"}


def derive_relinked_events(con, import_id: int | None, next_id: int) -> None:
    """Events of facts linked after their import (``_relinked``), recorded under the linking import."""
    def linked(table: str, cond: str) -> str:
        return f"EXISTS (SELECT 1 FROM _relinked l WHERE l.ref_table = '{table}' AND {cond})"

    _insert(con, _fact_parts("NULL" if import_id is None else import_id, {
        "fundings": linked("fundings", "l.ref_id = f.id"),
        "patents": linked("patent_applicants", "l.ref_id = a.patent_id AND l.ref_pos = a.position"),
        "news": linked("news_mentions", "l.ref_id = m.news_id AND l.name = m.mention"),
        "branches": linked("branches", "l.ref_id = b.id"),
    }), next_id)
    drop_shadowed_text_events(con)


def _fact_parts(import_id, where: dict[str, str], data_date=None) -> list[str]:
    """The events of facts (fundings, patents, news, branches) selected by ``where[table]``."""
    return [
        f"""SELECT f.enterprise_id AS enterprise_id, f.date AS date, 'funding' AS type,
                   {FUNDING_TITLE_SQL.format(a='f')} AS title,
                   to_json(struct_pack(round := f.round, amount_wan := f.amount_wan, investors := f.investors_text)) AS detail,
                   'fundings' AS ref_table, f.id AS ref_id, f.source AS source, f.source_key AS source_key,
                   {import_id}::INTEGER AS import_id
            FROM fundings f WHERE {where['fundings']} AND f.enterprise_id IS NOT NULL""",
        f"""SELECT a.enterprise_id, coalesce(p.applied, p.published, p.granted), 'patent', {PATENT_TITLE_SQL.format(a='p')},
                   to_json(struct_pack(number := p.number, type := p.type, ipc := p.main_ipc)),
                   'patents', p.id, p.source, p.source_key, {import_id}
            FROM patents p JOIN patent_applicants a ON a.patent_id = p.id
            WHERE {where['patents']} AND a.enterprise_id IS NOT NULL""",
        # a news item: one event per item and enterprise its file declared (a text mention is not one of these:
        # ``text_news_events`` writes those)
        f"""SELECT m.enterprise_id, {news_date(data_date)}, {news_type()}, {NEWS_TITLE}, {news_detail("'declared'")},
                   'news', n.id, n.source, n.source_key, {import_id}
            FROM news n JOIN news_mentions m ON m.news_id = n.id
            WHERE {where['news']} AND m.enterprise_id IS NOT NULL AND NOT {is_text('m.method')}
            QUALIFY row_number() OVER (PARTITION BY n.id, m.enterprise_id ORDER BY m.method, m.mention) = 1""",
        # a branch, a subsidiary (a documented event type of its own, 设立子公司) or an outbound investment
        f"""SELECT b.parent_id, b.date, CASE b.kind WHEN 'branch' THEN 'branch' WHEN 'subsidiary' THEN 'subsidiary'
                                             ELSE 'investment' END,
                   CASE b.kind WHEN 'branch' THEN '{BRANCH_HEADS["branch"]}: ' WHEN 'subsidiary' THEN '{BRANCH_HEADS["subsidiary"]}: '
                               ELSE '{BRANCH_HEADS["investment"]}: ' END || b.child_name,
                   to_json(struct_pack(child_id := b.child_id, province := b.province_code, city := b.city_code,
                                       percent := b.percent)),
                   'branches', b.id, b.source, b.source_key, {import_id}
            FROM branches b WHERE {where['branches']} AND b.parent_id IS NOT NULL""",
    ]
