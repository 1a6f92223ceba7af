"""Deterministic linking of imported rows to canonical enterprises (set-based SQL).

Order of evidence, strongest first:
1. the same valid 统一社会信用代码;
2. the same record key in the same source (e.g. IT桔子 company_seq shared by its company and financing lists);
   at the same level, the same stock code (six digits) as an enterprise's listed code, or (``other_code``) as
   another share code of a company — its B share, stored from an exchange list that gives both codes on one
   row (aliases of kind ``code``);
3. the same normalised full name (width, brackets, spaces, traditional/simplified folded), in the same
   province when both sides know it;
4. a known alias (short, brand, English or former name), with the same province rule — and an enterprise's name
   that is no registered name (奥赛康, stored from a list giving only short names): a short name is no stronger
   for being stored as the name, so another enterprise holding it as an alias makes the row ambiguous.
At the best level found, exactly one enterprise must match; two or more make the row ambiguous and it
stays unlinked (kept, reported in the summary), never guessed.
"""

from __future__ import annotations

from ..text import stock_code_sql
from .staging import ql, qi

# a registered Chinese name (with its legal form) identifies an enterprise; a brand, short or English name does not
REGISTERED_NAME = r"^.{4,}(公司|\(有限合伙\)|\(普通合伙\)|合伙企业|集团|厂|合作社|事务所|研究院|研究所|中心|商行|银行|医院|学校|学院|大学)$"


def link_rows(con, table: str, out: str, *, source: str | None, uscc: str | None, key: str | None, norm: str | None,
              province: str | None = "_province_code", where: str = "NOT _rejected",
              keys: tuple[str, str] = ("_file", "_row"), source_col: str | None = None,
              listed: str | None = None) -> None:
    """Create temp table ``out(<keys>, enterprise_id, method)`` for every row of ``table``.

    Column arguments name columns of ``table`` (or None when absent); ``keys`` identify a row. The source
    of the rows' keys is ``source`` or, when the rows come from several sources, the column ``source_col``.
    ``listed`` names a stock-code column, matched on its six digits against the enterprises' listed codes.
    """
    k1, k2 = keys
    if (k1, k2) != ("_file", "_row"):
        table = f"(SELECT *, {qi(k1)} AS _file, {qi(k2)} AS _row FROM {table})"
    cands = []
    src = f"t.{qi(source_col)}" if source_col else ql(source)
    prov = f"t.{qi(province)}" if province else "NULL"
    pm = f"({prov} IS NULL OR e.province_code IS NULL OR e.province_code = {prov})"
    if uscc:
        cands.append(f"SELECT t._file, t._row, e.id AS eid, 1 AS pri, 'uscc' AS method FROM {table} t "
                     f"JOIN enterprises e ON e.uscc = t.{qi(uscc)} WHERE t.{qi(uscc)} IS NOT NULL AND {where}")
    if key:
        cands.append(f"SELECT t._file, t._row, r.enterprise_id AS eid, 2 AS pri, 'source_key' AS method FROM {table} t "
                     f"JOIN enterprise_records r ON r.source = {src} AND r.source_key = t.{qi(key)} "
                     f"WHERE t.{qi(key)} IS NOT NULL AND {where}")
    if listed:
        code = stock_code_sql(f"t.{qi(listed)}")  # (the enterprises' listed codes are stored on their six digits)
        cands.append(f"SELECT t._file, t._row, e.id AS eid, 2 AS pri, 'listed_code' AS method FROM {table} t "
                     f"JOIN enterprises e ON e.listed_code = {code} WHERE {where}")
        # another share code of a known company (its B share beside the A share, as an exchange list gives it)
        cands.append(f"SELECT t._file, t._row, a.enterprise_id AS eid, 2 AS pri, 'other_code' AS method FROM {table} t "
                     f"JOIN enterprise_aliases a ON a.kind = 'code' AND a.alias = {code} WHERE {where}")
    if norm:
        cands.append(f"SELECT t._file, t._row, e.id AS eid, CASE WHEN regexp_matches(e.name_norm, '{REGISTERED_NAME}') "
                     f"THEN 3 ELSE 4 END AS pri, 'name' AS method FROM {table} t "
                     f"JOIN enterprises e ON e.name_norm = t.{qi(norm)} WHERE {pm} AND {where}")
        cands.append(f"SELECT t._file, t._row, a.enterprise_id AS eid, 4 AS pri, 'alias' AS method FROM {table} t "
                     f"JOIN enterprise_aliases a ON a.alias_norm = t.{qi(norm)} "
                     f"JOIN enterprises e ON e.id = a.enterprise_id WHERE {pm} AND {where}")
    if not cands:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {out} AS SELECT _file AS {qi(k1)}, _row AS {qi(k2)}, NULL::BIGINT AS enterprise_id, "
                    f"NULL::VARCHAR AS method FROM {table} WHERE {where}")
        return
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {out} AS
        WITH c AS ({' UNION ALL '.join(cands)}),
        best AS (SELECT _file, _row, min(pri) AS bpri FROM c GROUP BY _file, _row),
        pick AS (
            SELECT c._file, c._row, count(DISTINCT c.eid) AS n, min(c.eid) AS eid, any_value(c.method) AS method
            FROM c JOIN best b USING (_file, _row) WHERE c.pri = b.bpri GROUP BY c._file, c._row
        )
        SELECT t._file AS {qi(k1)}, t._row AS {qi(k2)},
               CASE WHEN p.n = 1 THEN p.eid END AS enterprise_id,
               CASE WHEN p.n = 1 THEN p.method WHEN p.n > 1 THEN 'ambiguous' END AS method
        FROM {table} t LEFT JOIN pick p USING (_file, _row)
        WHERE {where}
        """
    )
