"""The one JSON encoding: API responses, page data, ``--format json``, report cells and metadata files.

Dates as ISO 8601 (``2019-12-31``), a moment (a datetime: an import's, a classification's time) as UTC ISO 8601 with
its zone (``2026-12-06T19:56:21.000000Z``, ``core.parse.dates.utc_text``: a naive one is the server's clock), decimals
as numbers, sets and tuples as lists, non-finite floats as ``null`` (so every consumer — browsers included — can parse
the output), objects that know their JSON form (``to_json()``, e.g. an ``Explained``) as that form, anything else as
its text. Keys keep their order.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import decimal
import json
import math
from typing import Any


def _default(v: Any) -> Any:
    """json.dumps' hook for the values it does not know."""
    if hasattr(v, "to_json"):
        return v.to_json()
    if isinstance(v, _dt.datetime):  # before date: a datetime is a date too
        from .parse.dates import utc_text

        return utc_text(v)
    if isinstance(v, (_dt.date, _dt.time)):
        return v.isoformat()
    if isinstance(v, decimal.Decimal):
        f = float(v)
        return f if math.isfinite(f) else None
    if isinstance(v, (set, frozenset)):
        return sorted(v, key=str)
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return dataclasses.asdict(v)
    if hasattr(v, "item") and callable(v.item):  # numpy scalars
        return v.item()
    return str(v)


def jsonable(v: Any) -> Any:
    """``v`` as plain JSON values (dict, list, str, int, float, bool, None): for templates' ``tojson``
    and anything that embeds the data rather than the text."""
    if v is None or isinstance(v, (str, bool, int)):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {str(k) if not isinstance(k, str) else k: jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    return jsonable(_default(v))


def dumps(v: Any, *, indent: int | None = None) -> str:
    """The JSON text of ``v``: UTF-8 characters as themselves (Chinese stays readable), compact by default.

    The fast path hands ``v`` to the C encoder with the hook above; only a document holding a non-finite
    float or a key JSON cannot take is walked by ``jsonable`` first."""
    seps = None if indent is not None else (",", ":")
    try:
        return json.dumps(v, default=_default, ensure_ascii=False, indent=indent, separators=seps, allow_nan=False)
    except (ValueError, TypeError):
        return json.dumps(jsonable(v), ensure_ascii=False, indent=indent, separators=seps, allow_nan=False)


def canonical(v: Any) -> str:
    """Sorted keys, compact: the same text for equal values (fingerprints of parameters)."""
    return json.dumps(jsonable(v), ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)


def dumpb(v: Any) -> bytes:
    """``dumps(v)`` as UTF-8 bytes (HTTP bodies)."""
    return dumps(v).encode("utf-8")
