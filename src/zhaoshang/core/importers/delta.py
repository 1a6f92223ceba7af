"""Monthly exports as deltas: rows whose content a source already delivered are set aside before typing.

A registry export a month later repeats most rows unchanged. Each staged row's content hash (the same
hash the source records keep) is compared set-based with the hashes already recorded for the source;
matching rows skip parsing, linking and writing, so only new and changed rows cost anything and history
is recorded only for what changed. ``count_changes`` says what the export changed, by source key: new,
changed, unchanged, disappeared (recorded before, absent from this export).
"""

from __future__ import annotations

from .staging import Staged, qi, ql


def row_hash_sql(staged: Staged) -> str:
    """The content hash of a row: its mapped source values (the same before and after typing)."""
    present = [f for f in staged.fields if f in staged.present]
    return "md5(concat_ws('\x1f', " + ", ".join(f"coalesce({qi(f)}, '')" for f in present) + "))"


def skip_unchanged(con, staged: Staged, source: str) -> int:
    """Set aside (in ``_unch``) the rows whose content this source already delivered; narrow the staging table
    to the rest. Returns how many rows were set aside."""
    con.execute("CREATE OR REPLACE TEMP TABLE _unch (_file INTEGER, _row BIGINT, _key VARCHAR)")
    if not con.execute("SELECT 1 FROM enterprise_records WHERE source = ? LIMIT 1", [source]).fetchall():
        return 0  # the first export of a source: everything is new
    con.execute(f"""
        INSERT INTO _unch
        SELECT s._file, s._row, r.source_key
        FROM (SELECT _file, _row, {row_hash_sql(staged)} AS _hash FROM {staged.table}) s
        JOIN (SELECT row_hash, min(source_key) AS source_key FROM enterprise_records WHERE source = {ql(source)}
              GROUP BY row_hash) r ON r.row_hash = s._hash
    """)
    n = con.execute("SELECT count(*) FROM _unch").fetchone()[0]
    if n:  # only the (few) changed rows stay: every typing pass then reads only them
        con.execute(f"CREATE OR REPLACE TEMP TABLE {staged.table} AS SELECT s.* FROM {staged.table} s "
                    "ANTI JOIN _unch u ON u._file = s._file AND u._row = s._row")
    return n


def count_changes(con, source: str, import_id: int) -> dict[str, int]:
    """What this export changed for its source, counted by source key (``_ent`` holds the written rows)."""
    new, changed, unchanged, disappeared = con.execute(f"""
        WITH before AS (SELECT DISTINCT source_key FROM enterprise_records
                        WHERE source = {ql(source)} AND import_id <> {import_id}),
             written AS (SELECT DISTINCT _key FROM _ent),
             seen AS (SELECT DISTINCT _key FROM _unch)
        SELECT (SELECT count(*) FROM written w ANTI JOIN before b ON b.source_key = w._key),
               (SELECT count(*) FROM written w SEMI JOIN before b ON b.source_key = w._key),
               (SELECT count(*) FROM seen s ANTI JOIN written w ON w._key = s._key),
               (SELECT count(*) FROM before b ANTI JOIN written w ON w._key = b.source_key
                                              ANTI JOIN seen s ON s._key = b.source_key)
    """).fetchone()
    return {"new": new, "changed": changed, "unchanged": unchanged, "disappeared": disappeared}
