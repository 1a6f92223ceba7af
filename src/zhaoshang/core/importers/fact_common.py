"""What the fact writers share: typed-column access, linking names to enterprises, idempotent keys, and
keeping the evidence of facts whose enterprise is not known yet."""

from __future__ import annotations

import pyarrow as pa

from ..text import normalize_name
from .context import ImportContext
from .linking import link_rows
from .relink import record_pending
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
          province: str | None = "_province_code", listed: str | None = None) -> None:
    """Link the rows' ``name`` to enterprises; ``province`` names the column that locates *that* enterprise
    (None when the row's region columns describe something else, e.g. a branch's child)."""
    link_rows(
        ctx.con, table, out, source=ctx.source, province=province,
        uscc=(uscc + "__ok") if uscc and _has(ctx, uscc) else None,
        key=key if key and _has(ctx, key) else None,
        norm=(name + "__norm") if _has(ctx, name) else None,
        where=where, keys=keys, listed=listed if listed and _has(ctx, listed) else None,
    )
    count_links(ctx, out)


def count_links(ctx: ImportContext, out: str) -> None:
    """The report counts a link table's rows (``link_rows``' output): linked by each method, unlinked, ambiguous."""
    row = ctx.con.execute(f"SELECT count(*) FILTER (WHERE enterprise_id IS NULL AND method IS NULL), "
                          f"count(*) FILTER (WHERE method = 'ambiguous') FROM {out}").fetchone()
    ctx.report.unlinked += row[0]
    ctx.report.ambiguous += row[1]
    for method, n in ctx.con.execute(f"SELECT method, count(*) FROM {out} WHERE enterprise_id IS NOT NULL GROUP BY 1").fetchall():
        ctx.report.linked_by[method] = ctx.report.linked_by.get(method, 0) + n


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


# a fact of this import left without an enterprise, said in the rejects file (action ``kept_unlinked``): its row, the
# column that names the enterprise and the name as written, why (code, Chinese, English)
UNLINKED_REASONS = {
    "unlinked": ("库中没有这家企业，未关联：已导入，该企业导入后自动关联",
                 "no such enterprise in the database, not linked: imported, linked when the enterprise is imported"),
    "ambiguous": ("名称对应多家企业，未关联：已导入，请补充统一社会信用代码",
                  "the name belongs to several enterprises, not linked: imported, give its credit code"),
}


def _keep_unlinked(ctx: ImportContext, table: str, column: str, rows: str, name_col: str, field: str | None = None,
                   at: tuple[str, str] = ("r._file", "r._row")) -> None:
    """The facts of this import left without an enterprise keep their evidence in ``pending_links``; with ``field``
    (the kind's field that names the enterprise) each is also named in the rejects file by its row (``at``: the
    file's index and the row, as expressions over ``rows`` r), as unlinked or ambiguous — counted in the summary,
    listed there."""
    record_pending(ctx.con, ctx.source, ctx.import_id, table, column, f"""
        SELECT x.id AS ref_id, NULL::INTEGER AS ref_pos, any_value(r.{name_col}) AS name, any_value(r._norm) AS name_norm,
               any_value(r._uscc) AS uscc, any_value(r._ekey) AS enterprise_key, any_value(r._prov) AS province_code,
               x.source_key
        FROM {table} x JOIN {rows} r ON x.source_key = r._key
        WHERE x.import_id = {ctx.import_id} AND x.{column} IS NULL AND NOT r._amb GROUP BY x.id, x.source_key""")
    if field is None:
        return
    header = ctx.staged.header_of.get(field, field)
    (uz, ue), (az, ae) = UNLINKED_REASONS["unlinked"], UNLINKED_REASONS["ambiguous"]
    ctx.con.execute(f"""
        INSERT INTO _rej SELECT min({at[0]}), min({at[1]}), {ql(header)}, any_value(r.{name_col}),
               CASE WHEN bool_or(r._amb) THEN {ql(az)} ELSE {ql(uz)} END, 'kept_unlinked',
               CASE WHEN bool_or(r._amb) THEN 'ambiguous' ELSE 'unlinked' END,
               CASE WHEN bool_or(r._amb) THEN {ql(ae)} ELSE {ql(ue)} END
        FROM {table} x JOIN {rows} r ON x.source_key = r._key
        WHERE x.import_id = {ctx.import_id} AND x.{column} IS NULL GROUP BY x.id""")
