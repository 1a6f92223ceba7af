"""The SQL dialect: the engine-specific constructs the services need, in one place.

Services write portable SQL where they can and ask the dialect for the rest (nested values, JSON text,
regular expressions, list membership, ...). ``DuckDBDialect`` is the one in use; another engine (Spark SQL,
PostgreSQL, ...) plugs in by subclassing ``Dialect`` with its own spellings and by a ``Store`` that
executes on it (docs/architecture.md, "The engine seam"). Only string building here: nothing executes.
"""

from __future__ import annotations

from typing import Mapping


def literal(value) -> str:
    """A SQL literal of a Python value (strings quoted, None as NULL); for constants built into statements."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


class Dialect:
    """The portable defaults (standard SQL); engines override what they spell differently, and a construct
    an engine lacks raises ``NotImplementedError`` naming it."""

    name = "ansi"

    def session_setup(self) -> list[str]:
        """Statements run on every new connection and cursor (settings are per connection)."""
        return []

    def attach_read_only(self, path: str, alias: str) -> str:
        """Attach another database file, read-only, under ``alias``."""
        raise NotImplementedError(f"{self.name}: attach")

    def struct(self, fields: Mapping[str, str]) -> str:
        """A named record from SQL expressions."""
        raise NotImplementedError(f"{self.name}: struct")

    def to_json_text(self, expr: str) -> str:
        """The JSON text of a value (records, lists, scalars)."""
        raise NotImplementedError(f"{self.name}: to_json_text")

    def json_literal(self, json_text: str) -> str:
        """A JSON document given as text, as a nested value of the engine."""
        raise NotImplementedError(f"{self.name}: json_literal")

    def list_of(self, exprs: list[str]) -> str:
        """A list value from expressions."""
        return "ARRAY[" + ", ".join(exprs) + "]"

    def json_value(self, expr: str) -> str:
        """Any value as a JSON value (so that values of different types can share a list of records)."""
        raise NotImplementedError(f"{self.name}: json_value")

    def list_concat(self, *exprs: str) -> str:
        raise NotImplementedError(f"{self.name}: list_concat")

    def list_filter(self, expr: str, var: str, cond: str) -> str:
        """The elements ``var`` of a list for which ``cond`` holds."""
        raise NotImplementedError(f"{self.name}: list_filter")

    def list_map(self, expr: str, var: str, value: str) -> str:
        """``value`` for each element ``var`` of a list."""
        raise NotImplementedError(f"{self.name}: list_map")

    def list_filter_nonnull(self, expr: str) -> str:
        """The list without its NULL elements."""
        raise NotImplementedError(f"{self.name}: list_filter_nonnull")

    def list_contains(self, list_expr: str, value_expr: str) -> str:
        raise NotImplementedError(f"{self.name}: list_contains")

    def regexp_replace_all(self, expr: str, pattern: str, replacement: str) -> str:
        raise NotImplementedError(f"{self.name}: regexp_replace_all")

    def contains(self, expr: str, part: str) -> str:
        """Whether the text ``expr`` holds the text ``part`` (NULL for a NULL text)."""
        return f"position({part} IN {expr}) > 0"

    def json_field(self, expr: str, path: str) -> str:
        """The text of one field of a JSON document held as text (``path`` a quoted JSONPath, '$.key')."""
        raise NotImplementedError(f"{self.name}: json_field")

    def arg_min(self, value: str, key: str) -> str:
        """The ``value`` of the row with the smallest ``key`` in a group (a NULL value counts)."""
        raise NotImplementedError(f"{self.name}: arg_min")

    def name_order(self, expr: str) -> str:
        """A Chinese name as it sorts for a Chinese reader: by pinyin (北京 < 南京 < 上海), not by character code."""
        raise NotImplementedError(f"{self.name}: name_order")

    def exact_sum(self, expr: str, *, where: str | None = None, none: str | None = "0") -> str:
        """The sum of a floating-point column, the same on every run: summed as exact decimals (six places). A
        parallel sum of doubles adds in the order its threads finish, and the last digits moved from run to run
        (42483.06074652701 against 42483.060746527) — enough to reorder two tied scores. ``where`` sums only the
        rows it holds for (an aggregate FILTER); ``none`` is the value when no row has one (``None`` keeps NULL)."""
        s = f"CAST(sum(CAST({expr} AS DECIMAL(38, 6)))" + (f" FILTER (WHERE {where})" if where else "") + " AS DOUBLE PRECISION)"
        return s if none is None else f"coalesce({s}, {none})"


class DuckDBDialect(Dialect):
    name = "duckdb"

    def session_setup(self) -> list[str]:
        # our progress bars go to stderr; Python objects named in SQL (Arrow tables, frames) are found in the
        # callers' frames too, not only in the frame that runs the statement (store.Connection)
        return ["SET enable_progress_bar = false", "SET python_scan_all_frames = true"]

    def attach_read_only(self, path: str, alias: str) -> str:
        return f"ATTACH {literal(path)} AS {alias} (READ_ONLY)"

    def struct(self, fields: Mapping[str, str]) -> str:
        return "struct_pack(" + ", ".join(f"\"{k}\" := {v}" for k, v in fields.items()) + ")"

    def to_json_text(self, expr: str) -> str:
        return f"CAST(to_json({expr}) AS VARCHAR)"

    def json_literal(self, json_text: str) -> str:
        return f"CAST({literal(json_text)} AS JSON)"

    def list_of(self, exprs: list[str]) -> str:
        return "[" + ", ".join(exprs) + "]"

    def json_value(self, expr: str) -> str:
        return f"to_json({expr})"

    def list_filter(self, expr: str, var: str, cond: str) -> str:
        return f"list_filter({expr}, lambda {var}: {cond})"

    def list_map(self, expr: str, var: str, value: str) -> str:
        return f"list_transform({expr}, lambda {var}: {value})"

    def list_concat(self, *exprs: str) -> str:
        out = exprs[0]
        for e in exprs[1:]:
            out = f"list_concat({out}, {e})"
        return out

    def list_filter_nonnull(self, expr: str) -> str:
        return f"list_filter({expr}, lambda x: x IS NOT NULL)"

    def list_contains(self, list_expr: str, value_expr: str) -> str:
        return f"list_contains({list_expr}, {value_expr})"

    def regexp_replace_all(self, expr: str, pattern: str, replacement: str) -> str:
        return f"regexp_replace({expr}, {pattern}, {replacement}, 'g')"

    def contains(self, expr: str, part: str) -> str:
        return f"contains({expr}, {part})"

    def json_field(self, expr: str, path: str) -> str:
        return f"json_extract_string({expr}, {path})"

    def arg_min(self, value: str, key: str) -> str:
        return f"arg_min_null({value}, {key})"

    def name_order(self, expr: str) -> str:
        # ICU's Chinese collation (pinyin; built into duckdb, no download): each character at its usual reading
        return f"({expr} COLLATE zh)"


class SparkDialect(Dialect):
    """Spark SQL (PySpark in local mode or on a cluster): the batch steps' constructs."""

    name = "spark"

    def struct(self, fields: Mapping[str, str]) -> str:
        return "named_struct(" + ", ".join(f"{literal(k)}, {v}" for k, v in fields.items()) + ")"

    def to_json_text(self, expr: str) -> str:
        return f"to_json({expr})"

    def list_of(self, exprs: list[str]) -> str:
        return "array(" + ", ".join(exprs) + ")"

    def list_filter(self, expr: str, var: str, cond: str) -> str:
        return f"filter({expr}, {var} -> {cond})"

    def list_map(self, expr: str, var: str, value: str) -> str:
        return f"transform({expr}, {var} -> {value})"

    def list_concat(self, *exprs: str) -> str:
        return "concat(" + ", ".join(exprs) + ")"

    def list_filter_nonnull(self, expr: str) -> str:
        return f"filter({expr}, x -> x IS NOT NULL)"

    def list_contains(self, list_expr: str, value_expr: str) -> str:
        return f"array_contains({list_expr}, {value_expr})"

    def regexp_replace_all(self, expr: str, pattern: str, replacement: str) -> str:
        return f"regexp_replace({expr}, {pattern}, {replacement})"

    def json_field(self, expr: str, path: str) -> str:
        return f"get_json_object({expr}, {path})"

    def arg_min(self, value: str, key: str) -> str:
        return f"min_by({value}, {key})"


DIALECTS: dict[str, type[Dialect]] = {"duckdb": DuckDBDialect, "spark": SparkDialect}
_CURRENT: Dialect = DuckDBDialect()


def current() -> Dialect:
    """The dialect of the engine in use."""
    return _CURRENT


def from_name(name: str) -> Dialect:
    """A dialect by its name (``duckdb``; an engine added later registers in ``DIALECTS``)."""
    try:
        return DIALECTS[name]()
    except KeyError:
        raise ValueError(f"unknown SQL dialect: {name} (known: {', '.join(DIALECTS)})") from None
