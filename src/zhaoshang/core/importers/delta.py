"""Monthly exports as deltas: rows whose content a source already delivered are set aside before typing.

A registry export a month later repeats most rows unchanged. Each row's content hash — a 128-bit number
(``md5_number`` of its mapped values), the same hash the source records keep — is computed as the file is
read and looked up, in the same pass, in the latest hash recorded for each key of the source (``LatestHashes``).
Matching rows keep only their hash: they are never typed, linked or written: only new and changed rows cost anything, and history is
recorded only for what changed. ``count_changes`` says what the export changed, by source key: new,
changed, unchanged, disappeared (recorded before, absent from this export).

Databases that recorded hashes as 32-character md5 text (before the hash became a number) are converted in
place by the first enterprise import: the text is the same digest, so the number is exact, not a re-hash.
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
from duckdb import sqltypes

from ..errors import UserError
from ..readers.limits import _bytes
from .staging import Staged, ql

# the recorded hash's column type: 16 bytes, compared and joined as a number
HASH_TYPE = "UHUGEINT"
MIN_LIMIT = 64 << 20  # DuckDB's limit while the lookup is held, at least (a tiny cap is the caller's choice)


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
    base = (f"(SELECT source_key, row_hash, import_id, enterprise_id FROM enterprise_records WHERE source = {ql(source)} "
            "AND link_method <> 'conflict')")
    first = con.execute(f"SELECT min(import_id) FROM {base}").fetchone()[0]
    later = f"(SELECT source_key, import_id FROM {base} WHERE import_id > {first})"
    if first is None or not con.execute(f"SELECT 1 FROM {later} LIMIT 1").fetchall():
        return base
    return (f"(SELECT b.* FROM {base} b ANTI JOIN {later} l ON l.source_key = b.source_key "
            "AND l.import_id > b.import_id)")


def refuse_older_export(con, source: str, data_date) -> None:
    """An export dated before one this source already delivered is refused: read as the next delta it would set
    every enterprise it lists back to its older values and record the reversal as changes (a rename dated before
    the rename it undoes), so the profile, its timeline and the as-of views would contradict each other. Exports
    given no data date say nothing of their date and are left out of the comparison."""
    from ..asof import UNDATED_IMPORTS

    latest = con.execute(f"SELECT max(data_date) FROM imports WHERE kind = 'enterprises' AND source = ? "
                         f"AND id NOT IN ({UNDATED_IMPORTS})", [source]).fetchone()[0]
    if latest is not None and data_date < latest:
        raise UserError(f"来源 {source} 已导入数据日期为 {latest.isoformat()} 的导出，这份导出的数据日期 {data_date.isoformat()} "
                        "更早：作为增量导入会把企业改回旧值、记下倒序的变更，未导入。同一来源的导出请按数据日期先后导入",
                        en=f"the source {source} already holds an export dated {latest.isoformat()}; this one is dated "
                           f"{data_date.isoformat()}, earlier: imported as the next delta it would set enterprises back to "
                           "older values and record the reversal as changes; nothing imported. Import a source's exports "
                           "in the order of their data dates")


# A date or a number in a source's name: 2026-11, 202611, 2026年11月, 2026_11_30, 3期 …
_DATED_PART = re.compile(r"\d+(?:[-_.年月]\d+)*[年月日号期]?")


def series_name(source: str) -> str:
    """The source's name with each date or number part as ``#``: 名录_2026-11 and 名录_2026-12 are one series."""
    return _DATED_PART.sub("#", source)


def same_series_source(con, source: str, import_id: int) -> dict | None:
    """An enterprise import whose source was named after its file (the default), for a source new to the database:
    the existing source whose name differs from it only by a date or number part and that already holds most of
    the keys this import wrote — ``{"source", "shared", "keys"}`` —, else None.

    A bureau keeps the month in the export's name (名录_2026-11.csv, then 名录_2026-12.csv); named after the file,
    each month's export becomes a source of its own, compared with nothing: no change, no 本次未出现, every key
    "new to the source". The summary then says so and names the ``--source`` to import it with. The default name
    is not changed (a date stripped from it): that would rename the sources of databases already built and of
    every dated file imported on purpose as its own source; a name that only looks like a series, or a series of
    disjoint parts (a province a file), shares few keys and is not flagged."""
    series = series_name(source)
    if series == source:
        return None
    others = [r[0] for r in con.execute("SELECT DISTINCT source FROM enterprise_records WHERE source <> ?",
                                        [source]).fetchall() if series_name(r[0]) == series]
    if not others:
        return None
    keys = con.execute("SELECT count(DISTINCT source_key) FROM enterprise_records WHERE source = ? AND import_id = ?",
                       [source, import_id]).fetchone()[0]
    best = con.execute(f"""
        SELECT o.source, count(DISTINCT r.source_key) AS n FROM enterprise_records r
        JOIN enterprise_records o ON o.source_key = r.source_key AND o.source IN ({", ".join(ql(x) for x in others)})
        WHERE r.source = ? AND r.import_id = ? GROUP BY 1 ORDER BY n DESC, o.source DESC LIMIT 1""",
                       [source, import_id]).fetchone()
    if not keys or best is None or best[1] * 2 <= keys:
        return None
    return {"source": best[0], "shared": best[1], "keys": keys}


def has_earlier(con, source: str) -> bool:
    """Whether the source delivered enterprise rows before (then this export is compared with them)."""
    return bool(con.execute("SELECT 1 FROM enterprise_records WHERE source = ? LIMIT 1", [source]).fetchall())


class LatestHashes:
    """The latest content hash of each key of a source, looked up row by row while the month's file is read.

    A join inside the read would give up the file order the rows' numbers come from; a scalar function does
    not. The hashes (16 bytes each) are sorted by their low half into buckets of about two, so a lookup is a
    few array reads; a row's hash must match in both halves. A batch of rows is looked up in a fixed number
    of array operations whatever the depth of its buckets (the function runs under the interpreter's lock,
    so its time is not shared between the read's threads)."""

    def __init__(self, con, source: str):
        self.con = con
        self.latest_sql = latest = _latest_sql(con, source)
        # sorted by DuckDB (in parallel, under the import's memory cap)
        # (a key recorded without a hash — never the case since hashes are numbers — counts, and matches no row)
        arr = con.execute(f"SELECT coalesce({_half('row_hash', 0)}, 0) AS lo, coalesce({_half('row_hash', 1)}, 0) AS hi "
                          f"FROM {latest} ORDER BY lo").fetchnumpy()
        self.lo, self.hi = np.asarray(arr["lo"], np.uint64), np.asarray(arr["hi"], np.uint64)
        del arr
        self.n = len(self.lo)
        bits = max(1, int(self.n).bit_length() - 1)  # about two hashes per bucket
        self.shift = np.uint64(64 - bits)
        self.starts = np.zeros((1 << bits) + 1, np.int64 if self.n >= 1 << 31 else np.int32)
        np.cumsum(np.bincount((self.lo >> self.shift).astype(np.int64), minlength=1 << bits), out=self.starts[1:])
        self.seen = np.zeros(self.n, bool)  # which latest hashes came again (each key's content, at most once)
        # the arrays live in this process beside DuckDB's buffer pool: they count against the import's cap, so
        # DuckDB's limit is lowered by their size while they are held (about 21 bytes a key)
        self.limit = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
        held = sum(a.nbytes for a in (self.lo, self.hi, self.starts, self.seen))
        con.execute(f"SET memory_limit = '{max(_bytes(self.limit) - held, MIN_LIMIT) // 1024}KiB'")
        self.name = f"_latest_hash_{id(self)}"
        con.create_function(self.name, self._known, [sqltypes.UBIGINT, sqltypes.UBIGINT], sqltypes.BOOLEAN,
                            type="arrow", side_effects=False)

    def _known(self, lo, hi):
        lo, hi = np.asarray(lo.to_numpy(), np.uint64), np.asarray(hi.to_numpy(), np.uint64)
        bucket = (lo >> self.shift).astype(np.intp)
        at = self.starts[bucket]
        size = self.starts[bucket + 1] - at
        out = np.zeros(len(lo), bool)
        # every hash of each row's bucket at once (about three a row, side by side in memory): the row each
        # candidate is for, and the candidate's place; no loop over the buckets' depth
        row = np.repeat(np.arange(len(lo)), size)
        if len(row):
            i = np.arange(len(row)) + np.repeat(at - (np.cumsum(size) - size), size)
            same = self.lo[i] == lo[row]
            row, i = row[same], i[same]
            same = self.hi[i] == hi[row]
            row, i = row[same], i[same]
            if len(row):  # a row's first match in its bucket (a bucket's hashes stay in the order of the sort)
                first = np.flatnonzero(np.diff(row, prepend=-1))
                out[row[first]] = True
                self.seen[i[first]] = True
        return pa.array(out)

    def came_again(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Whether each of these latest hashes (halves ``lo``, ``hi``) came again in the file read so far."""
        lo, hi = np.asarray(lo, np.uint64), np.asarray(hi, np.uint64)
        out = np.zeros(len(lo), bool)
        for j, (a, b) in enumerate(zip(lo, hi)):  # few: the keys an earlier export left out
            at, to = np.searchsorted(self.lo, a, "left"), np.searchsorted(self.lo, a, "right")
            out[j] = bool((self.seen[at:to] & (self.hi[at:to] == b)).any())
        return out

    def sql(self, col: str) -> str:
        """SQL: whether the 128-bit hash ``col`` is the latest of some key of the source."""
        return f"{self.name}({_half(col, 0)}, {_half(col, 1)})"

    def close(self) -> None:
        self.con.remove_function(self.name)
        self.con.execute(f"SET memory_limit = '{self.limit}'")
        self.lo = self.hi = self.starts = self.seen = None


def _half(col: str, upper: int) -> str:
    return f"({col} >> 64)::UBIGINT" if upper else f"({col} & 18446744073709551615::{HASH_TYPE})::UBIGINT"


class UnchangedRows:
    """A ``stage_files`` hook: rows whose content hash is the latest recorded for their key are set aside.

    ``prepare`` (before the read) gives the lookup of the source's latest hashes (None for a source's first
    export): the read then keeps the values of the other rows only. Called after the read, it records what
    ``count_changes`` needs: ``_before`` (how many keys the source had), ``_seen_n`` (how many of their latest
    contents came again, counted by the lookup as the file was read) and ``_file_hashes`` (the hashes of the
    file's rows, 16 bytes each). Returns None: the rows to leave out were left out as they were read."""

    def __init__(self, source: str, read_all: bool = False):
        self.source = source
        self.read_all = read_all
        self.latest: LatestHashes | None = None

    def prepare(self, con) -> LatestHashes | None:
        convert_recorded_hashes(con)
        if has_earlier(con, self.source):
            self.latest = LatestHashes(con, self.source)
        # ``read_all``: rows combined per key (one line per product) are all read — a line set aside as unchanged
        # would be lost from its key's combined text; the source's keys are still counted and absences recorded
        return None if self.read_all else self.latest

    def close(self) -> None:
        if self.latest is not None:
            self.latest.close()
            self.latest = None

    def __call__(self, con, staged: Staged) -> str | None:
        before, seen = (self.latest.n, int(self.latest.seen.sum())) if self.latest is not None else (0, 0)
        con.execute(f"CREATE OR REPLACE TEMP TABLE _before AS SELECT {before}::BIGINT AS n")
        con.execute(f"CREATE OR REPLACE TEMP TABLE _seen_n AS SELECT {seen}::BIGINT AS n")
        con.execute(f"CREATE OR REPLACE TEMP TABLE _file_hashes AS SELECT _hash FROM {staged.table}"
                    + ("" if seen else " LIMIT 0"))
        # the keys whose latest content did not come again: changed (written below) or gone from this export
        # (``record_absences``); read while the latest records are still the earlier exports'
        con.execute("CREATE OR REPLACE TEMP TABLE _unseen (source_key VARCHAR, enterprise_id BIGINT)")
        if self.latest is not None and before > seen:
            lh = self.latest
            miss = ~lh.seen
            con.register("_unseen_v", pa.table({"lo": lh.lo[miss], "hi": lh.hi[miss]}))
            try:
                con.execute(f"""INSERT INTO _unseen SELECT l.source_key, l.enterprise_id FROM {lh.latest_sql} l
                    JOIN _unseen_v u ON u.lo = {_half('l.row_hash', 0)} AND u.hi = {_half('l.row_hash', 1)}""")
            finally:
                con.unregister("_unseen_v")
        # the keys an earlier export left out that this one lists again unchanged: set aside above, they write no
        # record, so the relisting is recorded on its own (``record_relisted``)
        con.execute("CREATE OR REPLACE TEMP TABLE _relisted (source_key VARCHAR)")
        # (a source that never had a key left out, the usual case, reads nothing more)
        if self.latest is not None and seen and \
                con.execute(f"SELECT 1 FROM {_absent_since_sql(self.source)} LIMIT 1").fetchall():
            lh = self.latest
            gone = con.execute(f"""SELECT l.source_key, {_half('l.row_hash', 0)} AS lo, {_half('l.row_hash', 1)} AS hi
                FROM {lh.latest_sql} l SEMI JOIN {_absent_since_sql(self.source)} a
                ON a.source_key = l.source_key AND a.import_id > l.import_id""").fetchnumpy()
            back = gone["source_key"][lh.came_again(gone["lo"], gone["hi"])] if len(gone["source_key"]) else []
            if len(back):
                con.executemany("INSERT INTO _relisted VALUES (?)", [[str(k)] for k in back])
        return None


def _absent_since_sql(source: str) -> str:
    """SQL: the source's recorded absences (key, import)."""
    return f"(SELECT source_key, import_id FROM enterprise_absences WHERE source = {ql(source)})"


def combined_hashes(con, table: str = "_ent", key: str = "_key") -> None:
    """Rows combined per key (one line per product): the key's content hash becomes the hash of all its rows' hashes
    in file order, so that the record kept for the key says whether any of its lines changed, not only its last."""
    con.execute(f"""UPDATE {table} SET _hash = a.h FROM (
        SELECT {key} AS k, md5_number(string_agg({_decimal('_hash')}, ',' ORDER BY _file, _row)) AS h
        FROM {table} GROUP BY {key} HAVING count(*) > 1) a WHERE {table}.{key} = a.k""")


def _decimal(col: str) -> str:
    """SQL: the 128-bit hash ``col`` written in decimal, the text ``CAST(col AS VARCHAR)`` gives, from its 19-digit
    parts (DuckDB writes a 64-bit number several times faster than a 128-bit one: a fifth of the time of a 50,000-line
    import of products went on writing the lines' hashes)."""
    e19 = "10000000000000000000::UHUGEINT"

    def part(x: str, pad: bool = True) -> str:
        text = f"CAST(CAST({x} AS UBIGINT) AS VARCHAR)"
        return f"lpad({text}, 19, '0')" if pad else text

    return (f"(CASE WHEN {col} < {e19} THEN {part(col, False)} "
            f"WHEN {col} < {e19} * {e19} THEN {part(f'{col} // {e19}', False)} || {part(f'{col} % {e19}')} "
            f"ELSE {part(f'{col} // ({e19} * {e19})', False)} || {part(f'({col} // {e19}) % {e19}')} "
            f"|| {part(f'{col} % {e19}')} END)")


def set_aside_unchanged_keys(con, source: str, table: str = "_ent") -> int:
    """Keys combined from several rows whose combined content is the latest the source recorded for them (the
    rows of such a key are all read, ``UnchangedRows(read_all=True)``): left out of ``table`` (not written) and
    counted as unchanged (``_seen_n``), never as gone (``_unseen``). How many keys; the keys stay in ``_ent_same``
    for the caller (the facts of those keys a dated import re-dates)."""
    if not has_earlier(con, source):
        con.execute("CREATE OR REPLACE TEMP TABLE _ent_same (_key VARCHAR)")
        return 0
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _ent_same AS SELECT e._key FROM {table} e
        JOIN {_latest_sql(con, source)} l ON l.source_key = e._key AND l.row_hash = e._hash""")
    n = con.execute("SELECT count(*) FROM _ent_same").fetchone()[0]
    if n:
        con.execute(f"DELETE FROM {table} WHERE _key IN (SELECT _key FROM _ent_same)")
        con.execute(f"UPDATE _seen_n SET n = n + {int(n)}")
        con.execute("DELETE FROM _unseen WHERE source_key IN (SELECT _key FROM _ent_same)")
        con.execute(f"""INSERT INTO _relisted SELECT s._key FROM _ent_same s SEMI JOIN {_absent_since_sql(source)} a
            ON a.source_key = s._key AND a.import_id > (SELECT max(import_id) FROM enterprise_records r
                                                        WHERE r.source = {ql(source)} AND r.source_key = s._key)""")
    return n


# An export that would mark more than this share of its source's keys absent at once, and at least ``VANISH_MIN``
# of them, is not read as a full export unless told (``guard_absences``): a list's normal churn (delistings,
# closures, a month's deregistrations) is a few per cent; a file cut to its first rows, a filtered export or one
# sheet of several leaves out most keys. Small sources stay below the minimum: a list of a few keys is read by eye.
VANISH_SHARE = 0.5
VANISH_MIN = 10
# an export of which at most one key in ``ANOTHER_LIST`` is the source's is another list (or other keys), not a
# short export of this one: the refusal says so and offers no --complete
ANOTHER_LIST = 50
# how an enterprise export covers its source: ``partial`` (it lists only some keys: none is marked absent) or
# ``complete`` (confirmed full: the keys it leaves out are marked absent however many); None: the guard decides
SCOPES = ("partial", "complete")


def pending_absences(con) -> tuple[int, int]:
    """(keys the source had before this export, keys ``record_absences`` would mark absent): the keys whose latest
    content did not come again and that this import did not write (read inside the import's transaction)."""
    if not con.execute("SELECT 1 FROM duckdb_tables() WHERE temporary AND table_name = '_unseen'").fetchall():
        return 0, 0
    before = con.execute("SELECT n FROM _before").fetchone()[0]
    n = con.execute("SELECT count(*) FROM (SELECT DISTINCT source_key FROM _unseen) u "
                    f"ANTI JOIN {_listed_sql(con)} w ON w._key = u.source_key").fetchone()[0]
    return int(before or 0), int(n)


def _listed_count(con) -> int:
    """How many distinct keys this export lists: those it writes or rejected, and those whose content came again."""
    same = con.execute("SELECT n FROM _seen_n").fetchone()[0] if con.execute(
        "SELECT 1 FROM duckdb_tables() WHERE temporary AND table_name = '_seen_n'").fetchall() else 0
    return int(con.execute(f"SELECT count(*) FROM {_listed_sql(con)}").fetchone()[0]) + int(same or 0)


def _listed_sql(con) -> str:
    """The keys this export lists: those it writes (``_ent``) and those of its rows it rejected (a row refused for a
    bad value still lists its enterprise: the key is not gone, its new content was not read)."""
    rejected = ""
    if con.execute("SELECT 1 FROM duckdb_columns() WHERE database_name = 'temp' AND table_name = '_typed' "
                   "AND column_name = '_key'").fetchall():
        rejected = " UNION SELECT _key FROM _typed WHERE _rejected AND _key IS NOT NULL"
    return f"(SELECT DISTINCT _key FROM _ent{rejected})"


def would_vanish_too_many(before: int, vanish: int) -> bool:
    """Whether ``vanish`` of ``before`` keys is beyond normal churn (``VANISH_SHARE``, ``VANISH_MIN``)."""
    return vanish >= VANISH_MIN and vanish > VANISH_SHARE * before


def guard_absences(con, source: str, scope: str | None, sheet: dict | None = None) -> tuple[int, int]:
    """Refuse an export that would mark most of its source's keys absent when its scope was not said (an export
    listing part of a source read as a full one: 2,833 listed companies "gone" after a 49-row file). Raised inside
    the import's transaction, so nothing is written. ``sheet``: the sheet read, when the file is a workbook of
    several (``{file, sheet, of, earlier}``, ``earlier`` the sheet of the same workbook the source imported before):
    one sheet of a list split across sheets is part of it, so the advice is --partial, not another source.
    Returns ``pending_absences``."""
    before, vanish = pending_absences(con)
    if scope is None and would_vanish_too_many(before, vanish):
        from .presets import on_the_page

        share = f"{vanish / before:.0%}"
        listed = _listed_count(con)
        kept = before - vanish  # the source's keys this export lists
        if listed and kept * ANOTHER_LIST <= listed:
            # (almost) none of the file's keys is the source's: another list, or keys written otherwise (000001 vs
            # 000001.SZ) — a full export of it would mark every key of the source absent, the file's own companies too
            field_zh, field_en = ("在「来源」栏填", "enter") if on_the_page() else ("用 --source 给出", "give --source")
            where_en = " in the Source field" if on_the_page() else ""
            among, among_en = (f"只有 {kept:,} 个", f"only {kept:,} are") if kept else ("没有一个", "none is")
            if sheet is not None:
                _another_sheet(source, sheet, listed, before, among, among_en)
            raise UserError(f"这份导出的 {listed:,} 个企业键中{among}是来源 {source} 此前的键（该来源有 {before:,} 个）："
                            f"它像是另一份名单，或同一批企业的另一种键（如 000001 与 000001.SZ），未导入。"
                            f"请{field_zh}另一个来源名（新名单）或它真正所属的来源",
                            en=f"of the {listed:,} enterprise keys in this export {among_en} among the {before:,} keys "
                               f"the source {source} held: it looks like another list, or the same companies under "
                               f"other keys (000001 vs 000001.SZ); nothing imported. Please {field_en} another source "
                               f"name (a new list) or the source it belongs to{where_en}")
        if on_the_page():
            how = ("若这份文件只列出部分企业，请在「导出范围」中选「部分导出」（不标记未出现，所列企业照常更新）；若确为完整导出，"
                   "请选「完整导出」（其余标为未出现），然后重新上传")
            how_en = ("if the file lists only some rows, choose the export scope 'partial' (nothing marked absent; the rows "
                      "it has are updated); if it is a full export, choose 'complete' (the rest marked absent), and upload again")
        else:
            how = ("若这份文件只列出部分企业，请加 --partial（不标记未出现，所列企业照常更新）；若确为完整导出，"
                   "请加 --complete（其余标为未出现）")
            how_en = ("if the file lists only some rows, add --partial (nothing marked absent; the rows it has are updated); "
                      "if it is a full export, add --complete (the rest marked absent)")
        raise UserError(f"这份导出没有列出来源 {source} 此前 {before:,} 个企业键中的 {vanish:,} 个（{share}）：按完整导出读取会把它们"
                        f"都标为「本次未出现」，未导入。{how}",
                        en=f"this export leaves out {vanish:,} of the {before:,} enterprise keys the source {source} held "
                           f"({share}): read as a full export it would mark them all absent; nothing imported. "
                           f"{how_en[0].upper()}{how_en[1:]}")
    if scope is None and vanish and sheet is not None and sheet.get("earlier"):
        _earlier_sheet_absent(source, sheet, vanish)
    return before, vanish


def _another_sheet(source: str, sheet: dict, listed: int, before: int, among: str, among_en: str) -> None:
    """The refusal of ``guard_absences`` for one sheet of a workbook of several whose keys are not the source's: the
    other part of a list split across sheets (the SZSE list's 主板 and 创业板) — advised --partial (部分导出 on the
    page), which adds its rows to the same source; another source only if it is another list."""
    from .presets import on_the_page

    page = on_the_page()
    partial, partial_en = (("在「导出范围」中选「部分导出」", "choose the export scope 'partial'") if page
                           else ("加 --partial", "add --partial"))
    other, other_en = (("在「来源」栏填另一个来源名", "enter another source name in the Source field") if page
                       else ("用 --source 给出另一个来源名", "give another source name with --source"))
    where = f"工作簿 {sheet['file']} 的工作表「{sheet['sheet']}」（共 {sheet['of']} 个工作表）"
    where_en = f"sheet {sheet['sheet']} of the workbook {sheet['file']} ({sheet['of']} sheets)"
    if sheet.get("earlier"):
        why = f"来源 {source} 此前导入的是同一工作簿的工作表「{sheet['earlier']}」：这是同一份名单的另一部分"
        why_en = (f"the source {source} imported sheet {sheet['earlier']} of the same workbook before: this is another "
                  "part of the same list")
    else:
        why = "若它是来源此前所导入名单的另一部分（一份名单分在几个工作表）"
        why_en = "if it is another part of the list the source imported (one list split across sheets)"
    raise UserError(f"这份导出的 {listed:,} 个企业键中{among}是来源 {source} 此前的键（该来源有 {before:,} 个），未导入。"
                    f"它读自{where}；{why}，请{partial}（不标记未出现，所列企业加入同一来源、照常更新）；"
                    f"若它是另一份名单，请{other}",
                    en=f"of the {listed:,} enterprise keys in this export {among_en} among the {before:,} keys the source "
                       f"{source} held; nothing imported. It was read from {where_en}; {why_en}, {partial_en} (nothing "
                       f"marked absent; its rows join the same source and are updated as usual); if it is another list, "
                       f"{other_en}")


def _earlier_sheet_absent(source: str, sheet: dict, vanish: int) -> None:
    """One sheet of a workbook whose other sheet the source imported before from the same bytes, read as a full
    export: the keys it leaves out cannot have gone (the same file lists them on the other sheet), however few —
    refused before a single one is marked absent, advised --partial (部分导出 on the page), or --complete to mean it."""
    from .presets import on_the_page

    page = on_the_page()
    partial, partial_en = (("在「导出范围」中选「部分导出」", "choose the export scope 'partial'") if page
                           else ("加 --partial", "add --partial"))
    complete, complete_en = (("选「完整导出」", "choose 'complete'") if page else ("加 --complete", "add --complete"))
    where = f"工作簿 {sheet['file']} 的工作表「{sheet['sheet']}」（共 {sheet['of']} 个工作表）"
    where_en = f"sheet {sheet['sheet']} of the workbook {sheet['file']} ({sheet['of']} sheets)"
    raise UserError(f"这份导出读自{where}；来源 {source} 此前导入的是同一工作簿的工作表「{sheet['earlier']}」：按完整导出读取会把"
                    f"来源此前的 {vanish:,} 个企业键（不在工作表「{sheet['sheet']}」中）都标为「本次未出现」，未导入。"
                    f"若这是同一份名单的另一部分，请{partial}（不标记未出现，所列企业加入同一来源、照常更新）；"
                    f"若确为完整导出，请{complete}（其余标为未出现）",
                    en=f"this export was read from {where_en}; the source {source} imported sheet {sheet['earlier']} of "
                       f"the same workbook before: read as a full export it would mark {vanish:,} of the source's enterprise "
                       f"keys (not on sheet {sheet['sheet']}) absent; nothing imported. If this is another part of the same "
                       f"list, {partial_en} (nothing marked absent; its rows join the same source and are updated as usual); "
                       f"if it is a full export, {complete_en} (the rest marked absent)")


def skip_absences(con) -> None:
    """A partial export: the keys it does not list are not marked absent (``record_absences`` finds nothing)."""
    con.execute("DROP TABLE IF EXISTS _unseen")


def record_absences(con, source: str, import_id: int) -> int:
    """Record the source's keys this export no longer lists (``enterprise_absences``): the keys whose latest
    content did not come again (``_unseen``) and that this import neither wrote nor rejected (``_listed_sql``) — the
    ``disappeared`` of ``count_changes``, one row each. A profile reads them (services.enterprises)."""
    if not con.execute("SELECT 1 FROM duckdb_tables() WHERE temporary AND table_name = '_unseen'").fetchall():
        return 0
    if not con.execute("SELECT 1 FROM _unseen LIMIT 1").fetchall():
        # every key came again, or none was known (a source's first export): no pass over the keys written
        con.execute("DROP TABLE _unseen")
        return 0
    con.execute(f"""INSERT INTO enterprise_absences (enterprise_id, source, source_key, import_id)
        SELECT u.enterprise_id, {ql(source)}, u.source_key, {int(import_id)} FROM _unseen u
        ANTI JOIN {_listed_sql(con)} w ON w._key = u.source_key""")
    n = con.execute(f"SELECT count(*) FROM enterprise_absences WHERE import_id = {int(import_id)}").fetchone()[0]
    con.execute("DROP TABLE IF EXISTS _unseen")
    return n


def record_relisted(con, source: str, import_id: int) -> None:
    """Record the keys an earlier export left out that this export lists again unchanged
    (``enterprise_relisted``): the profile's "no longer listed" note ends with them, as it does for a key
    whose changed row is written again."""
    if con.execute("SELECT 1 FROM duckdb_tables() WHERE temporary AND table_name = '_relisted'").fetchall():
        con.execute(f"INSERT INTO enterprise_relisted SELECT DISTINCT {ql(source)}, source_key, {int(import_id)} FROM _relisted")
        con.execute("DROP TABLE _relisted")


def unchanged_rows(source: str, read_all: bool = False) -> UnchangedRows:
    """The ``stage_files`` hook of an enterprise import from ``source`` (``read_all``: a mapping that combines
    rows per key; nothing is set aside)."""
    return UnchangedRows(source, read_all)


def count_unchanged(con, staged: Staged) -> int:
    """Rows set aside as unchanged: the staged rows that did not go on to typing."""
    if staged.table != "_stg_rest":
        return 0
    return staged.rows_read - con.execute("SELECT count(*) FROM _stg_rest").fetchone()[0]


def count_changes(con, source: str, import_id: int, unique_keys: int | None = None) -> dict[str, int]:
    """What this export changed for its source, counted by source key (``_ent`` holds the written rows):
    new and changed split the written keys by whether the source had them; unchanged are the keys whose
    latest content came again (``_seen_n``) less those written all the same (a key with a second, different row
    in the file); ``rejected_kept`` (when any) the keys the source had whose row was rejected, kept as they were; the
    rest of the keys the source had disappeared. ``unique_keys``: the number of written rows
    when each has a key of its own (then a source's first export needs no pass over them)."""
    if unique_keys is not None and not con.execute("SELECT n FROM _before").fetchone()[0]:
        return {"new": unique_keys, "changed": 0, "unchanged": 0, "disappeared": 0}
    # the written keys' earlier records: found as the rows were linked by their key (``_ent_bykey``), else read
    linked = con.execute("SELECT 1 FROM duckdb_tables() WHERE temporary AND table_name = '_ent_bykey'").fetchall()
    records = "_ent_bykey r" if linked else (
        f"enterprise_records r SEMI JOIN written w ON w._key = r.source_key WHERE r.source = {ql(source)} "
        f"AND r.import_id <> {import_id}")
    new, changed, unchanged, before = con.execute(f"""
        WITH written AS (SELECT DISTINCT _key FROM _ent),
             known AS (SELECT r.{'_key' if linked else 'source_key'} AS source_key,
                              arg_max(r.row_hash, r.import_id) FILTER (WHERE r.link_method <> 'conflict') AS h
                       FROM {records} GROUP BY 1)
        SELECT (SELECT count(*) FROM written) - (SELECT count(*) FROM known),
               (SELECT count(*) FROM known),
               (SELECT n FROM _seen_n) - (SELECT count(*) FROM known k SEMI JOIN _file_hashes f ON f._hash = k.h),
               (SELECT n FROM _before)
    """).fetchone()
    # keys the source had whose row this export rejected (a bad value): listed, kept as they were, not gone
    kept = con.execute("SELECT count(*) FROM (SELECT DISTINCT source_key FROM _unseen) u "
                       f"SEMI JOIN {_listed_sql(con)} l ON l._key = u.source_key "
                       "ANTI JOIN (SELECT DISTINCT _key FROM _ent) w ON w._key = u.source_key").fetchone()[0] \
        if con.execute("SELECT 1 FROM duckdb_tables() WHERE temporary AND table_name = '_unseen'").fetchall() else 0
    out = {"new": new, "changed": changed, "unchanged": unchanged, "disappeared": before - changed - unchanged - kept}
    return {**out, "rejected_kept": kept} if kept else out


def split_new(con, import_id: int, changes: dict[str, int]) -> dict[str, int]:
    """``changes`` with its ``new`` keys (new to the source) split by whether the database already held their
    enterprise: ``new_enterprises`` (keys whose enterprise this import created) and ``new_linked`` (keys linked to
    an enterprise known before, from another source or preset — an exchange list after the A-share list). Read
    from this import's records and the enterprises it created (``first_import_id``), so the same on every path.
    ``new_enterprises_merged``: of those keys, how many share their new enterprise with another key of the file
    (two brand rows of one legal name): the file made ``new_enterprises - new_enterprises_merged`` enterprises."""
    new = int(changes.get("new") or 0)
    created, distinct = con.execute(
        "SELECT count(DISTINCT r.source_key), count(DISTINCT r.enterprise_id) FROM enterprise_records r "
        "JOIN enterprises e ON e.id = r.enterprise_id WHERE r.import_id = ? AND e.first_import_id = ?",
        [import_id, import_id]).fetchone() if new else (0, 0)
    created = min(int(created), new)
    return {**changes, "new_enterprises": created, "new_linked": new - created,
            "new_enterprises_merged": max(created - int(distinct), 0)}



def linked_records(con, import_id: int) -> dict[str, int]:
    """An enterprise import's rows linked to an enterprise the database already held, by the evidence that linked
    them (``enterprise_records.link_method``: ``listed_code``, ``uscc``, ``source_key``, ``name``, ``alias`` …) —
    the rows of this file, as the summary's other figures count them, not the facts of other imports: an
    exchange list read after the A-share table says 股票代码 2,882 here (it said 0: nothing but facts was counted).
    Rows that made a new enterprise or were kept as a conflicting record are not among them."""
    return dict(con.execute(
        "SELECT link_method, count(DISTINCT source_key) FROM enterprise_records WHERE import_id = ? "
        "AND link_method NOT IN ('new', 'conflict') GROUP BY 1 ORDER BY 2 DESC, 1", [import_id]).fetchall())
