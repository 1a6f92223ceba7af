"""The unified events table: one row per dated thing that happened to an enterprise.

Events are derived from the facts an import wrote (rows carrying its ``import_id``), set-based, so
monitoring and timelines read one table instead of nine.
"""

from __future__ import annotations

from .staging import ql

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


# what a change event's title calls the field (its type's chip already says it is a change)
_FIELD_NAMES = {"name": "名称", "address": "地址", "capital_wan": "注册资本", "status": "登记状态", "legal_rep": "法定代表人",
                "province_code": "所在地区", "city_code": "所在地区", "district_code": "所在地区"}


def _change_title() -> str:
    """SQL for a readable title of an ``enterprise_history`` row: "注册资本: 602万元 → 5,000万元", regions by name."""
    def value(col: str) -> str:
        return f"""coalesce(CASE WHEN h.field = 'capital_wan' THEN printf('%,.0f万元', TRY_CAST({col} AS DOUBLE))
                                 WHEN h.field LIKE '%\\_code' ESCAPE '\\' THEN (SELECT r.name FROM regions r WHERE r.code = {col}) END,
                            {col}, '—')"""
    label = "CASE h.field " + " ".join(f"WHEN {ql(k)} THEN {ql(v)}" for k, v in _FIELD_NAMES.items()) + " ELSE h.field END"
    return f"{label} || ': ' || {value('h.old_value')} || ' → ' || {value('h.new_value')}"


def founded_events(con, rows: str, offset: int, import_id: int) -> None:
    """The ``founded`` events of new enterprises ``rows`` (SQL giving id, founded, name, source): numbered by the
    enterprise's id plus ``offset`` (ids of one import are a contiguous run), so no sort is needed."""
    con.execute(f"""
        INSERT INTO events
        SELECT {offset} + e.id, e.id, e.founded, 'founded', '成立: ' || e.name, NULL::JSON, 'enterprises',
               e.id, e.source, NULL::VARCHAR, {import_id}
        FROM {rows} e WHERE e.founded IS NOT NULL""")


def derive_events(con, import_id: int, next_id: int, founded: bool = True) -> int:
    """Insert the events of one import; returns how many. ``founded``: the new enterprises' ``founded`` events
    are still to write (else they were written with the enterprises, and ``next_id`` is past them)."""
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
              AND NOT EXISTS (SELECT 1 FROM events x WHERE x.enterprise_id = e.id AND x.type = 'dissolved')""",
        # tracked changes (the region change is one event even when three codes change)
        f"""SELECT h.enterprise_id, h.changed_on, {change_case},
                   {_change_title()},
                   to_json(struct_pack(field := h.field, old := h.old_value, new := h.new_value)),
                   'enterprise_history', NULL, h.source, h.source_key, {import_id}
            FROM enterprise_history h WHERE h.import_id = {import_id}
            QUALIFY row_number() OVER (PARTITION BY h.enterprise_id, {change_case} ORDER BY h.field DESC) = 1""",
        *_fact_parts(import_id, {t: f"{a}.import_id = {import_id}" for t, a in _ALIAS.items()}),
    ]
    _insert(con, parts, next_id)
    return con.execute(f"SELECT count(*) FROM events WHERE import_id = {import_id}").fetchone()[0]


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


def _fact_parts(import_id, where: dict[str, str]) -> list[str]:
    """The events of facts (fundings, patents, news, branches) selected by ``where[table]``."""
    return [
        f"""SELECT f.enterprise_id AS enterprise_id, f.date AS date, 'funding' AS type,
                   '融资: ' || coalesce(f.round_raw, f.round, '') || coalesce(' ' || f.amount_text, '') AS title,
                   to_json(struct_pack(round := f.round, amount_wan := f.amount_wan, investors := f.investors_text)) AS detail,
                   'fundings' AS ref_table, f.id AS ref_id, f.source AS source, f.source_key AS source_key,
                   {import_id}::INTEGER AS import_id
            FROM fundings f WHERE {where['fundings']} AND f.enterprise_id IS NOT NULL""",
        f"""SELECT a.enterprise_id, coalesce(p.applied, p.published, p.granted), 'patent', '专利: ' || coalesce(p.title, p.number),
                   to_json(struct_pack(number := p.number, type := p.type, ipc := p.main_ipc)),
                   'patents', p.id, p.source, p.source_key, {import_id}
            FROM patents p JOIN patent_applicants a ON a.patent_id = p.id
            WHERE {where['patents']} AND a.enterprise_id IS NOT NULL""",
        f"""SELECT m.enterprise_id, CAST(n.published AS DATE), 'news', '新闻: ' || coalesce(n.title, left(n.body, 40)),
                   to_json(struct_pack(sentiment := n.sentiment, event_type := n.event_type, url := n.url)),
                   'news', n.id, n.source, n.source_key, {import_id}
            FROM news n JOIN news_mentions m ON m.news_id = n.id
            WHERE {where['news']} AND m.enterprise_id IS NOT NULL""",
        # a branch, a subsidiary (a documented event type of its own, 设立子公司) or an outbound investment
        f"""SELECT b.parent_id, b.date, CASE b.kind WHEN 'branch' THEN 'branch' WHEN 'subsidiary' THEN 'subsidiary'
                                             ELSE 'investment' END,
                   CASE b.kind WHEN 'branch' THEN '设立分支机构: ' WHEN 'subsidiary' THEN '设立子公司: '
                               ELSE '对外投资: ' END || b.child_name,
                   to_json(struct_pack(child_id := b.child_id, province := b.province_code, city := b.city_code,
                                       percent := b.percent)),
                   'branches', b.id, b.source, b.source_key, {import_id}
            FROM branches b WHERE {where['branches']} AND b.parent_id IS NOT NULL""",
    ]
