"""Asking the database as of a past date.

Enterprises exist at date D when founded ≤ D (or unknown) and not dissolved by D. Their tracked fields
(name, address, capital, status, legal representative, region codes) take the value they held at D:
the ``old_value`` of the earliest change after D, else the current value. Facts with their own dates
(fundings, patents, branches, roles, shareholdings, events) are filtered on those dates by the callers.
"""

from __future__ import annotations

import datetime as _dt

from .schema import TRACKED_FIELDS

_CASTS = {"capital_wan": "DOUBLE"}


def as_of_date(value) -> _dt.date | None:
    """Parse an ``--as-of`` value (None stays None: the present)."""
    if value is None or value == "":
        return None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    from .errors import UserError
    from .parse.dates import parse_date

    try:
        d = parse_date(value)
    except ValueError as exc:
        raise UserError(f"无效的日期 --as-of: {value}（{exc}）") from exc
    if d is None:
        raise UserError(f"无效的日期 --as-of: {value}")
    return d


def enterprises_as_of(as_of: _dt.date | str | None) -> str:
    """SQL (a parenthesised subquery) with the columns of ``enterprises`` as they were at ``as_of``.

    With ``as_of`` None it is simply the table. Use as ``FROM {enterprises_as_of(d)} e``.
    """
    d = as_of_date(as_of)
    if d is None:
        return "enterprises"
    lit = f"DATE '{d.isoformat()}'"
    replaced = []
    joins = []
    for i, f in enumerate(TRACKED_FIELDS):
        a = f"h{i}"
        cast = _CASTS.get(f, "VARCHAR")
        joins.append(
            f"LEFT JOIN (SELECT enterprise_id, arg_min(old_value, changed_on) AS v FROM enterprise_history "
            f"WHERE field = '{f}' AND changed_on > {lit} GROUP BY enterprise_id) {a} ON {a}.enterprise_id = e.id"
        )
        replaced.append(f"CASE WHEN {a}.enterprise_id IS NOT NULL THEN CAST({a}.v AS {cast}) ELSE e.{f} END AS {f}")
    return (
        f"(SELECT e.* REPLACE ({', '.join(replaced)}) FROM enterprises e {' '.join(joins)} "
        f"WHERE (e.founded IS NULL OR e.founded <= {lit}) AND (e.dissolved IS NULL OR e.dissolved > {lit}))"
    )
