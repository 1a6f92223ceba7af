"""Repairing a database whose enterprise exports were imported out of date order (``zhaoshang repair history``).

Before an import kept the values a later-dated export had set (``enterprises._keep_later_values``), an older
export imported after a newer one replaced them: a 2004 registry sample imported after the 2026 A-share list set
宁波德业's capital back from 43,008 to 12,793 万元 and wrote that as a change of 2004, with its event. The repair
finds, per enterprise and field, the values written by an import older (by data date) than the one that set the
value before, and puts back what the imports in date order give:

- a tracked field (``enterprise_history``): the rows of its history are replayed in import order; a row whose
  import is dated before an earlier row's (or the enterprise's first import) is false and removed, a later row's
  old value is corrected to the value it really replaced, a row left changing nothing is removed as superseded,
  the value is restored, and the change events follow (removed, or their title corrected);
- a field without history (industry, scope, website, the capital and the region as written …): its values are read from the enterprise's source
  records; when the value held is the one the last import gave and an export with a later data date gave
  another, that one is restored.

A value is restored only when the enterprise still holds what the out-of-order import wrote (nothing changed it
since); the setter of each repaired field (``enterprise_field_imports``) becomes the import whose value stands.
Nothing of what the exports said is lost: each keeps its values in its own source records. Dry run by default.
"""

from __future__ import annotations

from ..asof import change_seen, registry_dated_end
from ..schema import TRACKED_FIELDS
from ..text import normalize_name
from .enterprises import RAW_COLUMNS, record_value_sql
from .events import _CHANGE_TYPES, _change_title
from .staging import qi, ql

TRACKED = [f for f in TRACKED_FIELDS if f != "name_norm"]
# fields without history whose records hold the value as written (mapped field → enterprise column)
UNTRACKED = {f: c for f, c in RAW_COLUMNS.items() if c not in TRACKED and c != "name"}
_TYPES = {"capital_wan": "DOUBLE"}
EPOCH = "DATE '0001-01-01'"
CHANGE_CASE = "CASE h.field " + " ".join(f"WHEN {ql(k)} THEN {ql(v)}" for k, v in _CHANGE_TYPES.items()) + " END"
# the change type of a change event: a status change to an end the registry dated is written as the ``dissolved`` event
EVENT_CHANGE = "CASE WHEN v.type = 'dissolved' THEN 'change_status' ELSE v.type END"


def _tracked(con) -> None:
    """``_rep_h``: every history row of a tracked field of an (enterprise, field) with a false row, with what it
    becomes (``action``: false | superseded | corrected | kept, ``old2`` the corrected old value)."""
    fields = ", ".join(ql(f) for f in TRACKED)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _rep_all AS
        WITH h AS (
            SELECT h.rowid AS rid, h.enterprise_id, h.field, h.old_value, h.new_value, h.import_id, h.source_key,
                   coalesce(i.data_date, h.changed_on) AS d,
                   row_number() OVER (PARTITION BY h.enterprise_id, h.field ORDER BY h.import_id, h.rowid) AS seq
            FROM enterprise_history h LEFT JOIN imports i ON i.id = h.import_id
            WHERE h.field IN ({fields}))
        SELECT h.*, fi.data_date AS first_d,
               greatest(coalesce(fi.data_date, {EPOCH}), coalesce(max(h.d) OVER (PARTITION BY h.enterprise_id, h.field
                        ORDER BY h.seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), {EPOCH})) AS before_d,
               first_value(h.old_value) OVER (PARTITION BY h.enterprise_id, h.field ORDER BY h.seq) AS initial,
               last_value(h.new_value) OVER (PARTITION BY h.enterprise_id, h.field ORDER BY h.seq
                        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS written
        FROM h JOIN enterprises e ON e.id = h.enterprise_id LEFT JOIN imports fi ON fi.id = e.first_import_id""")
    con.execute("""CREATE OR REPLACE TEMP TABLE _rep_h AS
        WITH a AS (SELECT *, d < before_d AS is_false FROM _rep_all),
        g AS (SELECT a.* FROM a SEMI JOIN (SELECT DISTINCT enterprise_id, field FROM a WHERE is_false) f
              USING (enterprise_id, field)),
        t AS (SELECT rid, coalesce(lag(new_value) OVER (PARTITION BY enterprise_id, field ORDER BY seq), initial) AS old2,
                     last_value(new_value) OVER (PARTITION BY enterprise_id, field ORDER BY seq
                         ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS value2,
                     last_value(import_id) OVER (PARTITION BY enterprise_id, field ORDER BY seq
                         ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS setter2
              FROM g WHERE NOT is_false)
        SELECT g.*, t.old2,
               coalesce(t.value2, max(t.value2) OVER (PARTITION BY g.enterprise_id, g.field), g.initial) AS value2,
               max(t.setter2) OVER (PARTITION BY g.enterprise_id, g.field) AS setter2,
               CASE WHEN g.is_false THEN 'false' WHEN t.old2 IS NOT DISTINCT FROM g.new_value THEN 'superseded'
                    WHEN t.old2 IS DISTINCT FROM g.old_value THEN 'corrected' ELSE 'kept' END AS action
        FROM g LEFT JOIN t USING (rid)""")
    # the value the enterprise should hold per repaired (enterprise, field), when it still holds what was written
    cur = " ".join(f"WHEN {ql(f)} THEN CAST(e.{qi(f)} AS VARCHAR)" for f in TRACKED)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _rep_v AS
        SELECT DISTINCT h.enterprise_id, h.field, h.written, h.value2, h.setter2, CASE h.field {cur} END AS current
        FROM _rep_h h JOIN enterprises e ON e.id = h.enterprise_id""")


def _untracked(con) -> None:
    """``_rep_u``: per (enterprise, field without history) whose value the last import gave over a later-dated
    export's: the value to restore (``value2``) and the import it comes from (``setter2``)."""
    # only an enterprise with a record of an import dated before an earlier import of its records can hold an
    # older export's value (a source's monthly exports, in date order, are none of them)
    con.execute("""CREATE OR REPLACE TEMP TABLE _rep_ents AS SELECT DISTINCT enterprise_id FROM (
        SELECT r.enterprise_id, i.data_date AS d, max(i.data_date) OVER (PARTITION BY r.enterprise_id ORDER BY r.import_id
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before_d
        FROM (SELECT DISTINCT enterprise_id, import_id FROM enterprise_records) r JOIN imports i ON i.id = r.import_id)
        WHERE d < before_d""")
    # their records read once, the last of each import (its last row gave the values), every field's value in one
    # list: the record's own copy, or — a plain insert's, which keeps none — the enterprise's column
    # (``enterprises.record_value_sql``)
    fields, cols = list(UNTRACKED), list(UNTRACKED.values())
    paths = "[" + ", ".join(ql("$." + f) for f in fields) + "]"
    current = "[" + ", ".join(f"nullif(trim(CAST(e.{qi(c)} AS VARCHAR)), '')" for c in cols) + "]"
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _rep_u AS
        WITH r AS (
            SELECT r.enterprise_id, r.import_id, i.data_date AS d, {current} AS cur,
                   CASE WHEN json_exists(r.data, '$.name')
                        THEN list_transform(json_extract_string(r.data, {paths}), lambda x: nullif(trim(x), ''))
                        ELSE {current} END AS vals
            FROM enterprise_records r SEMI JOIN _rep_ents x ON x.enterprise_id = r.enterprise_id
                 JOIN enterprises e ON e.id = r.enterprise_id LEFT JOIN imports i ON i.id = r.import_id
            WHERE r.link_method IS DISTINCT FROM 'conflict'
            QUALIFY row_number() OVER (PARTITION BY r.enterprise_id, r.import_id ORDER BY r.record_id DESC) = 1),
        last AS (SELECT enterprise_id, import_id, (coalesce(d, {EPOCH}) - {EPOCH}) * 1000000000::BIGINT + import_id AS k,
                        unnest([{', '.join(ql(c) for c in cols)}]) AS field, unnest(vals) AS v, unnest(cur) AS current FROM r)
        SELECT enterprise_id, field, any_value(current) AS current,
               arg_max(v, import_id) AS written, arg_max(v, k) AS value2, arg_max(import_id, k) AS setter2,
               max(import_id) AS writer
        FROM last WHERE v IS NOT NULL GROUP BY ALL
        HAVING arg_max(v, import_id) IS DISTINCT FROM arg_max(v, k)
           AND any_value(current) IS NOT DISTINCT FROM arg_max(v, import_id)""")


def repair_history(store, apply: bool = False, limit: int = 20) -> dict:
    """Find (and with ``apply`` repair, in one transaction) what imports out of date order wrote. Returns the
    counts, per field, and up to ``limit`` examples."""
    con = store.con
    _tracked(con)
    _untracked(con)
    counts = dict(con.execute("SELECT action, count(*) FROM _rep_h GROUP BY 1").fetchall())
    restore = ("SELECT enterprise_id, field, value2, setter2 FROM _rep_v WHERE current IS NOT DISTINCT FROM written "
               "AND value2 IS DISTINCT FROM current")
    skipped = con.execute("SELECT count(*) FROM _rep_v WHERE current IS DISTINCT FROM written").fetchone()[0]
    by_field = dict(con.execute(f"SELECT field, count(*) FROM ({restore} UNION ALL SELECT enterprise_id, field, value2, "
                                "setter2 FROM _rep_u) GROUP BY 1 ORDER BY 2 DESC, 1").fetchall())
    examples = [dict(zip(("enterprise_id", "name", "field", "current", "restored", "written_by", "written_by_date",
                          "kept_from", "kept_from_date"), r)) for r in con.execute(f"""
        WITH x AS ({restore} UNION ALL SELECT enterprise_id, field, value2, setter2 FROM _rep_u),
        w AS (SELECT enterprise_id, field, max(import_id) FILTER (WHERE action = 'false') AS writer FROM _rep_h GROUP BY ALL
              UNION ALL SELECT enterprise_id, field, writer FROM _rep_u)
        SELECT x.enterprise_id, e.name, x.field,
               CASE x.field {' '.join(f"WHEN {ql(f)} THEN CAST(e.{qi(f)} AS VARCHAR)" for f in TRACKED + list(UNTRACKED.values()))} END,
               x.value2, w.writer, CAST(iw.data_date AS VARCHAR), coalesce(x.setter2, e.first_import_id),
               CAST(ik.data_date AS VARCHAR)
        FROM x JOIN enterprises e ON e.id = x.enterprise_id LEFT JOIN w USING (enterprise_id, field)
             LEFT JOIN imports iw ON iw.id = w.writer
             LEFT JOIN imports ik ON ik.id = coalesce(x.setter2, e.first_import_id)
        ORDER BY x.enterprise_id, x.field LIMIT {int(limit)}""").fetchall()]
    groups = con.execute("SELECT count(*) FROM _rep_v").fetchone()[0]
    # the change events of the (enterprise, import, type) whose history rows change, and those left without a row
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _rep_ev AS
        SELECT DISTINCT h.enterprise_id, h.import_id, {CHANGE_CASE} AS type FROM _rep_h h WHERE action <> 'kept'""")
    events_gone = con.execute(f"""SELECT count(*) FROM events v JOIN _rep_ev x ON v.ref_table = 'enterprise_history'
        AND v.enterprise_id = x.enterprise_id AND v.import_id = x.import_id AND {EVENT_CHANGE} = x.type
        WHERE NOT EXISTS (SELECT 1 FROM enterprise_history h WHERE h.enterprise_id = x.enterprise_id
            AND h.import_id = x.import_id AND {CHANGE_CASE} = x.type
            AND h.rowid NOT IN (SELECT rid FROM _rep_h WHERE action IN ('false', 'superseded')))""").fetchone()[0]
    doc = {
        "applied": False,
        "enterprises": con.execute("SELECT count(DISTINCT enterprise_id) FROM (SELECT enterprise_id FROM _rep_v "
                                   "UNION ALL SELECT enterprise_id FROM _rep_u)").fetchone()[0],
        "fields_out_of_order": groups + con.execute("SELECT count(*) FROM _rep_u").fetchone()[0],
        "values_restored": sum(by_field.values()),
        "values_restored_by_field": by_field,
        "values_changed_since": skipped,
        "history_false": counts.get("false", 0),
        "history_superseded": counts.get("superseded", 0),
        "history_corrected": counts.get("corrected", 0),
        "events_removed": events_gone,
        "events_corrected": 0,
        "examples": examples,
    }
    if apply:
        with store.transaction():
            _apply(con, doc)
        doc["applied"] = True
    for t in ("_rep_all", "_rep_h", "_rep_v", "_rep_u", "_rep_ents", "_rep_ev"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    return doc


def _apply(con, doc: dict) -> None:
    change_case = CHANGE_CASE
    # 1. the values: tracked fields still holding what was written, then fields without history
    restore = con.execute("SELECT enterprise_id, field, value2, setter2 FROM _rep_v WHERE current IS NOT DISTINCT "
                          "FROM written AND value2 IS DISTINCT FROM current").fetchall()
    restore += con.execute("SELECT enterprise_id, field, value2, setter2 FROM _rep_u").fetchall()
    for field in sorted({r[1] for r in restore}):
        rows = [(e, v, normalize_name(v) if field == "name" and v else None) for e, f, v, _s in restore if f == field]
        con.execute("CREATE OR REPLACE TEMP TABLE _rep_set (enterprise_id BIGINT, v VARCHAR, norm VARCHAR)")
        con.executemany("INSERT INTO _rep_set VALUES (?, ?, ?)", rows)
        extra = ", name_norm = s.norm" if field == "name" else ""
        con.execute(f"UPDATE enterprises e SET {qi(field)} = CAST(s.v AS {_TYPES.get(field, 'VARCHAR')}){extra} "
                    "FROM _rep_set s WHERE e.id = s.enterprise_id")
    # 2. the setters of the repaired fields: the import whose value stands (none: the one that created it)
    con.execute("""CREATE OR REPLACE TEMP TABLE _rep_setters AS
        SELECT DISTINCT enterprise_id, field, setter2 FROM _rep_v WHERE current IS NOT DISTINCT FROM written
        UNION ALL SELECT enterprise_id, field, setter2 FROM _rep_u""")
    con.execute("DELETE FROM enterprise_field_imports f USING _rep_setters s "
                "WHERE f.enterprise_id = s.enterprise_id AND f.field = s.field")
    con.execute("""INSERT INTO enterprise_field_imports
        SELECT s.enterprise_id, s.field, s.setter2 FROM _rep_setters s JOIN enterprises e ON e.id = s.enterprise_id
        WHERE s.setter2 IS NOT NULL AND s.setter2 IS DISTINCT FROM e.first_import_id""")
    # 3. the history: false and superseded rows removed, the rest's old values corrected
    con.execute("DELETE FROM enterprise_history WHERE rowid IN "
                "(SELECT rid FROM _rep_h WHERE action IN ('false', 'superseded'))")
    con.execute("UPDATE enterprise_history h SET old_value = r.old2 FROM _rep_h r "
                "WHERE h.rowid = r.rid AND r.action = 'corrected'")
    # 4. the change events: removed where no history row of theirs is left, else titled from what is left
    doc["events_removed"] = con.execute(f"""DELETE FROM events v USING _rep_ev x
        WHERE v.ref_table = 'enterprise_history' AND v.enterprise_id = x.enterprise_id AND v.import_id = x.import_id
          AND {EVENT_CHANGE} = x.type AND NOT EXISTS (SELECT 1 FROM enterprise_history h
              WHERE h.enterprise_id = x.enterprise_id AND h.import_id = x.import_id AND """ + change_case + " = x.type)"
                                        ).fetchone()[0]
    doc["events_corrected"] = con.execute(f"""UPDATE events v SET title = n.title, detail = n.detail FROM (
        SELECT h.enterprise_id, h.import_id, {change_case} AS type, {_change_title()} AS title,
               to_json(struct_pack(field := h.field, old := h.old_value, new := h.new_value,
                                   seen := {change_seen('h', 'e')})) AS detail
        FROM enterprise_history h SEMI JOIN _rep_ev x ON x.enterprise_id = h.enterprise_id AND x.import_id = h.import_id
             JOIN enterprises e ON e.id = h.enterprise_id
        QUALIFY row_number() OVER (PARTITION BY h.enterprise_id, h.import_id, {change_case} ORDER BY h.field DESC) = 1) n
        WHERE v.ref_table = 'enterprise_history' AND v.enterprise_id = n.enterprise_id AND v.import_id = n.import_id
          AND {EVENT_CHANGE} = n.type AND (v.title IS DISTINCT FROM n.title OR CAST(v.detail AS VARCHAR) IS DISTINCT FROM
              CAST(n.detail AS VARCHAR))""").fetchone()[0]
    for t in ("_rep_set", "_rep_setters"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
