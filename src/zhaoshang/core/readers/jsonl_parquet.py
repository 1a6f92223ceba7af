"""JSON Lines and Parquet into text columns."""

from __future__ import annotations

from pathlib import Path

import duckdb

from zhaoshang.core.errors import UserError

from .common import RawInfo, _clean_headers, _drop, _first_line, _line_in, _lit, _q, _sha256
from .encoding import _Text
from .limits import check_width, scan_options


def _create(con, table: str, select: str, message) -> int:
    """Create the text table from ``select``; on failure drop it and raise ``message(error)`` (a Chinese and an
    English line). Returns its rows."""
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {_q(table)} AS {select}")
    except duckdb.Error as e:
        _drop(con, table)
        raise UserError(*message(e)) from e
    return con.execute(f"SELECT count(*) FROM {_q(table)}").fetchall()[0][0]


def _json_pointer(key: str) -> str:
    return "/" + key.replace("~", "~0").replace("/", "~1")


def _read_jsonl(con, p: Path, table: str, text: _Text) -> RawInfo:
    # one text column per physical line, numbered in file order (blank lines keep their number)
    lines = (
        f"(SELECT row_number() OVER () AS ln, line FROM read_csv({_lit(str(text.path))}, "
        "header = false, columns = {'line': 'VARCHAR'}, auto_detect = false, delim = E'\\x01', "
        f"quote = '', escape = '', {scan_options(con, Path(text.path))}))"
    )
    nonblank = "line IS NOT NULL AND trim(line) <> ''"
    invalid = "(NOT json_valid(line) OR json_type(line) <> 'OBJECT')"
    try:
        bad = con.execute(
            f"SELECT ln, count(*) OVER () FROM {lines} WHERE {nonblank} AND {invalid} ORDER BY ln LIMIT 5"
        ).fetchall()
        if not bad:
            keys = [
                r[0]
                for r in con.execute(
                    f"SELECT k FROM (SELECT ln, unnest(json_keys(line)) AS k, "
                    f"generate_subscripts(json_keys(line), 1) AS i FROM {lines} WHERE {nonblank}) "
                    "GROUP BY k ORDER BY min(ln::HUGEINT * 1000000 + i)"
                ).fetchall()
            ]
    except duckdb.Error as e:
        line = _line_in(str(e))
        where = f"第 {line} 行不是有效的 JSON" if line else "内容不是有效的 JSON Lines"
        where_en = f"line {line} is not valid JSON" if line else "the content is not valid JSON Lines"
        raise UserError(f"JSON Lines 文件 {p}: {where}", f"JSON Lines file {p}: {where_en}") from e
    if bad:
        n_bad = bad[0][1]
        numbers = "、".join(str(r[0]) for r in bad)
        more = f" 等共 {n_bad} 行" if n_bad > len(bad) else ""
        raise UserError(f"JSON Lines 文件 {p}: 第 {numbers} 行不是有效的 JSON 对象{more}",
                        f"JSON Lines file {p}: not a valid JSON object on line {', '.join(str(r[0]) for r in bad)}"
                        + (f" ({n_bad} lines in all)" if n_bad > len(bad) else ""))
    if not keys:
        raise UserError(f"文件为空 (没有任何字段): {p}", f"the file is empty (no fields): {p}")
    check_width(p, len(keys))
    headers = _clean_headers(keys)
    columns = [f"c{i}" for i in range(len(keys))]
    select = ", ".join(
        f"json_extract_string(line, {_lit(_json_pointer(k))}) AS {_q(c)}" for k, c in zip(keys, columns)
    )
    rows = _create(con, table, f"SELECT ln::BIGINT AS _row, {select} FROM {lines} WHERE {nonblank}",
                   lambda e: (f"JSON Lines 文件 {p}: 无法读取 ({_first_line(str(e))})",
                              f"JSON Lines file {p}: cannot be read ({_first_line(str(e))})"))
    return RawInfo(table, str(p), "jsonl", text.encoding, headers, columns, rows, text.sha256, None)


def _parquet_schema(con, p: Path) -> list[tuple[str, str]]:
    try:
        return [
            (r[0], r[1])
            for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet({_lit(str(p))})").fetchall()
        ]
    except duckdb.Error as e:
        raise UserError(f"文件已损坏或不完整 (parquet): {p}", f"the file is damaged or incomplete (parquet): {p}") from e


def _as_text_sql(name: str, typ: str) -> str:
    col = _q(name)
    t = typ.upper()
    if t in ("DOUBLE", "FLOAT", "REAL") or t.startswith("DECIMAL"):
        if t.startswith("DECIMAL"):
            return f"CAST({col} AS VARCHAR)"
        return (
            f"CASE WHEN isfinite({col}) AND {col} = trunc({col}) AND abs({col}) < 1e15 "
            f"THEN CAST(CAST({col} AS BIGINT) AS VARCHAR) ELSE CAST({col} AS VARCHAR) END"
        )
    if t.endswith("]") or t.startswith(("STRUCT", "MAP", "UNION")):
        return f"CAST(to_json({col}) AS VARCHAR)"
    if t == "BOOLEAN":
        return f"CASE WHEN {col} THEN 'true' WHEN NOT {col} THEN 'false' END"
    if t == "BLOB":
        return f"hex({col})"
    if t.startswith("TIMESTAMP"):
        return f"strftime({col}::TIMESTAMP, '%Y-%m-%d %H:%M:%S')"
    return f"CAST({col} AS VARCHAR)"


def _read_parquet(con, p: Path, table: str) -> RawInfo:
    schema = _parquet_schema(con, p)
    check_width(p, len(schema))
    headers = _clean_headers([n for n, _ in schema])
    columns = [f"c{i}" for i in range(len(schema))]
    select = ", ".join(f"{_as_text_sql(n, t)} AS {_q(c)}" for (n, t), c in zip(schema, columns))
    rows = _create(con, table, f"SELECT row_number() OVER ()::BIGINT AS _row, {select} FROM read_parquet({_lit(str(p))})",
                   lambda e: (f"文件已损坏或不完整 (parquet): {p}", f"the file is damaged or incomplete (parquet): {p}"))
    return RawInfo(table, str(p), "parquet", None, headers, columns, rows, _sha256(p), None)

