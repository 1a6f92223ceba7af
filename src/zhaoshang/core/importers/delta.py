"""Monthly exports as deltas: rows whose content a source already delivered are set aside before typing.

A registry export a month later repeats most rows unchanged. Each row's content hash — a 128-bit number
(``md5_number`` of its mapped values), the same hash the source records keep — is computed as the rows are
staged and hash-joined with the latest hash recorded for each key of the source. Matching rows
are never typed, linked or written: only new and changed rows cost anything, and history is
recorded only for what changed. ``count_changes`` says what the export changed, by source key: new,
changed, unchanged, disappeared (recorded before, absent from this export).

Databases that recorded hashes as 32-character md5 text (before the hash became a number) are converted in
place by the first enterprise import: the text is the same digest, so the number is exact, not a re-hash.
"""

from __future__ import annotations

from .staging import Staged, qi, ql

# the recorded hash's column type: 16 bytes, compared and joined as a number
HASH_TYPE = "UHUGEINT"


def row_hash_sql(staged: Staged) -> str:
    """The content hash of a row: its mapped source values (the same before and after typing), as a number."""
    present = [f for f in staged.fields if f in staged.present]
    return "md5_number(concat_ws('\x1f', " + ", ".join(f"coalesce({qi(f)}, '')" for f in present) + "))"


def _hex_to_number(col: str) -> str:
    """The number ``md5_number`` gives for a digest written as 32 hex characters (bytes in little-endian order)."""
    rev = " || ".join(f"substr({col}, {31 - 2 * i}, 2)" for i in range(16))
    return f"CASE WHEN regexp_full_match({col}, '[0-9a-f]{{32}}') THEN ('0x' || {rev})::{HASH_TYPE} END"


def convert_recorded_hashes(con) -> bool:
    """A database that recorded hashes as md5 text gets them as numbers (exactly the same digests)."""
    kind = con.execute("SELECT data_type FROM duckdb_columns() WHERE database_name = current_database() "
                       "AND schema_name = 'main' AND table_name = 'enterprise_records' AND column_name = 'row_hash'"
                       ).fetchall()
    if not kind or kind[0][0] == HASH_TYPE:
        return False
    con.execute(f"ALTER TABLE enterprise_records ALTER row_hash TYPE {HASH_TYPE} USING {_hex_to_number('row_hash')}")
    return True


def _latest_sql(con, source: str) -> str:
    """SQL for the latest record of each key of the source (its current content). Only records of later
    imports (few: the changed rows of each month) can supersede one, so the bulk of the first import is read
    once and never grouped."""
    base = (f"(SELECT source_key, row_hash, import_id FROM enterprise_records WHERE source = {ql(source)} "
            "AND link_method <> 'conflict')")
    first = con.execute(f"SELECT min(import_id) FROM {base}").fetchone()[0]
    later = f"(SELECT source_key, import_id FROM {base} WHERE import_id > {first})"
    if first is None or not con.execute(f"SELECT 1 FROM {later} LIMIT 1").fetchall():
        return base
    return (f"(SELECT b.* FROM {base} b ANTI JOIN {later} l ON l.source_key = b.source_key "
            "AND l.import_id > b.import_id)")


def unchanged_rows(source: str):
    """A ``stage_files`` hook: rows whose content hash is the latest recorded for their key are set aside.

    Creates ``_unch`` (file, row of each unchanged row), ``_seen`` (the keys they match), ``_before`` (how
    many keys the source had) and ``_hashes`` (every row's hash); returns ``_unch``, or None for a
    source's first export."""
    def skip(con, staged: Staged, rows) -> str | None:
        convert_recorded_hashes(con)
        con.execute("CREATE OR REPLACE TEMP TABLE _unch (_file INTEGER, _row BIGINT)")
        con.execute(f"CREATE OR REPLACE TEMP TABLE _seen (source_key VARCHAR, row_hash {HASH_TYPE})")
        con.execute("CREATE OR REPLACE TEMP TABLE _before AS SELECT 0::BIGINT AS n")
        if not con.execute("SELECT 1 FROM enterprise_records WHERE source = ? LIMIT 1", [source]).fetchall():
            return None  # the first export of a source: everything is new
        latest = _latest_sql(con, source)
        hash_ = row_hash_sql(staged)
        # one pass over the staged rows: 16 bytes of hash per row are kept, nothing else
        con.execute(f"CREATE OR REPLACE TEMP TABLE _hashes AS SELECT _file, _row, {hash_} AS _hash FROM {rows}")
        _match(con, latest, "_hashes")
        # one latest record per key: their number is the number of keys the source had
        con.execute(f"CREATE OR REPLACE TEMP TABLE _before AS SELECT count(*) AS n FROM {latest}")
        return "_unch"
    return skip


def _match(con, latest: str, hashes: str) -> None:
    """Rows of ``hashes`` (file, row, hash) that repeat a key's latest content go to ``_unch``, their keys
    (once each) to ``_seen``: joins on the fixed-width hash."""
    con.execute(f"INSERT INTO _seen SELECT r.source_key, r.row_hash FROM {latest} r "
                f"SEMI JOIN (SELECT _hash FROM {hashes} h ANTI JOIN _seen s ON s.row_hash = h._hash) h "
                "ON h._hash = r.row_hash")
    con.execute(f"INSERT INTO _unch SELECT _file, _row FROM {hashes} h SEMI JOIN _seen s ON s.row_hash = h._hash "
                "ANTI JOIN _unch u ON u._file = h._file AND u._row = h._row")


def count_unchanged(con) -> int:
    return con.execute("SELECT count(*) FROM _unch").fetchone()[0]


def count_changes(con, source: str, import_id: int) -> dict[str, int]:
    """What this export changed for its source, counted by source key (``_ent`` holds the written rows):
    new and changed split the written keys by whether the source had them; unchanged are the keys whose
    content came again and were not written; the rest of the keys the source had disappeared."""
    new, changed, unchanged, before = con.execute(f"""
        WITH written AS (SELECT DISTINCT _key FROM _ent),
             known AS (SELECT DISTINCT r.source_key FROM enterprise_records r SEMI JOIN written w ON w._key = r.source_key
                       WHERE r.source = {ql(source)} AND r.import_id <> {import_id})
        SELECT (SELECT count(*) FROM written) - (SELECT count(*) FROM known),
               (SELECT count(*) FROM known),
               (SELECT count(*) FROM _seen s ANTI JOIN written w ON w._key = s.source_key),
               (SELECT n FROM _before)
    """).fetchone()
    return {"new": new, "changed": changed, "unchanged": unchanged, "disappeared": before - changed - unchanged}
