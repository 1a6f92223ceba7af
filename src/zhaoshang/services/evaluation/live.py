"""Live events in the scorecard: the team state's live events (``monitor_events``) as a relation of the
analytical connection, so the one signals query (``signals.signals_sql``) counts them with the imported facts.

The server serves the analytical file read-only and the live events arrive in the team state, so they are read
from there and registered on the DuckDB connection (``con.register`` of an Arrow table) as ``live_events``;
the signals query unions it with fundings, branches, events and news. Which live type feeds which signal is
``SIGNALS_OF``, also used to name the live events behind each contribution (docs/methods.md, "Scorecard").
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any

from ...core.same_event import event_amount as _amount
from ...core.same_event import event_round as _round
from ...core.same_event import same_event_sql as same_round

RELATION = "live_events"
FUNDING_TYPES = ("funding",)
EXPANSION_TYPES = ("expansion", "branch", "subsidiary", "investment")
# the kinds of ``branches`` rows that are a presence the parent opened (an outbound investment is not), and the
# live types counted with them as a branch or subsidiary opened: one definition for the scorecard and the leads
PRESENCE_KINDS = ("branch", "subsidiary")
OPENING_TYPES = ("expansion", *PRESENCE_KINDS)
NEGATIVE_TYPES = ("legal", "distress", "risk")
# live event type → the signals it feeds (any live event with a sentiment also feeds the news signals)
SIGNALS_OF = {**{t: ("total_raised", "latest_stage", "months_since_round", "rounds_24m", "rounds_total")
                 for t in FUNDING_TYPES},
              **{t: ("branches_24m",) if t in OPENING_TYPES else () for t in EXPANSION_TYPES},
              **{t: ("negative_events",) for t in NEGATIVE_TYPES}}
NEWS_SIGNALS = ("news_12m", "news_tone", "negative_events")
COLUMNS = ("id", "key", "enterprise_id", "date", "type", "amount_wan", "round", "sentiment")
# A live funding event is a *likely duplicate* (one round told twice, by two senders or by a sender and the imported
# IT桔子 events) by the one definition of the same event (``core.same_event.same_event_sql``): it is counted once
# — the imported round, else the earliest live one, is kept (docs/methods.md, "Live events").
EMPTY_SQL = ("SELECT NULL::BIGINT AS id, NULL::VARCHAR AS key, NULL::BIGINT AS enterprise_id, NULL::DATE AS date, "
             "NULL::VARCHAR AS type, NULL::DOUBLE AS amount_wan, NULL::VARCHAR AS round, NULL::DOUBLE AS sentiment "
             "WHERE FALSE")


def live_rows(team, enterprise_ids: list[int] | None = None) -> list[dict]:
    """The live events that can feed a signal (by type or by sentiment), as rows of ``COLUMNS``."""
    types = tuple(SIGNALS_OF)
    # a report of an imported round (``monitoring.events.tell_again``: ``report_of``) is that round, not a live event
    where = f"(type IN ({', '.join('?' for _ in types)}) OR sentiment IS NOT NULL) AND report_of IS NULL"
    params: list[Any] = list(types)
    if enterprise_ids is not None:
        where += f" AND enterprise_id IN ({', '.join('?' for _ in enterprise_ids) or 'NULL'})"
        params += list(enterprise_ids)
    with team.tx() as tx:
        rows = tx.query(f"SELECT id, enterprise_id, date, type, detail, sentiment FROM monitor_events WHERE {where} "
                        "ORDER BY id", params)
    out = []
    for r in rows:
        detail = r.get("detail")
        detail = json.loads(detail) if isinstance(detail, str) and detail.startswith("{") else {}
        out.append({"id": int(r["id"]), "key": f"m{r['id']}", "enterprise_id": int(r["enterprise_id"]),
                    "date": _dt.date.fromisoformat(str(r["date"])[:10]), "type": r["type"],
                    "amount_wan": _amount(detail) if r["type"] in FUNDING_TYPES else None,
                    "round": _round(detail) if r["type"] in FUNDING_TYPES else None,
                    "sentiment": None if r.get("sentiment") is None else float(r["sentiment"])})
    return out


def register_live(store, team, enterprise_ids: list[int] | None = None) -> list[dict]:
    """Register the live events (of ``enterprise_ids``, or all) as ``live_events`` on the store's connection;
    the next signals query counts them. Returns the rows registered."""
    import pyarrow as pa  # already loaded with DuckDB's results; pandas would cost ≈ 0.5 s on a first page

    rows = live_rows(team, enterprise_ids)
    types = {"id": pa.int64(), "key": pa.string(), "enterprise_id": pa.int64(), "date": pa.date32(),
             "type": pa.string(), "amount_wan": pa.float64(), "round": pa.string(), "sentiment": pa.float64()}
    frame = pa.table({c: pa.array([r[c] for r in rows], type=types[c]) for c in COLUMNS})
    store.con.register(RELATION, frame)
    return rows


def live_source(store) -> str:
    """The live relation for the signals query: the registered one with typed columns, or an empty one."""
    if not store.con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = ? AND temporary",
                             [RELATION]).fetchone()[0]:  # a catalog probe: a failing query would abort a transaction
        return EMPTY_SQL
    return (f"SELECT id::BIGINT AS id, key::VARCHAR AS key, enterprise_id::BIGINT AS enterprise_id, "
            f"CAST(date AS DATE) AS date, type::VARCHAR AS type, amount_wan::DOUBLE AS amount_wan, "
            f"round::VARCHAR AS round, sentiment::DOUBLE AS sentiment FROM {RELATION}")


def sql_in(types: tuple) -> str:
    """``('a', 'b')``: the event types (constants of this package, never user text) as an SQL list for ``IN``."""
    return "(" + ", ".join(f"'{t}'" for t in types) + ")"


def duplicate_of_sql(store, l: str, D: str) -> str:
    """SQL: the round live funding event ``l`` likely repeats, as a key (``f``+funding id for an imported round,
    ``m``+id for an earlier live one), NULL when none — only rounds dated by ``D`` count."""
    return (f"coalesce((SELECT 'f' || min(f2.id) FROM fundings f2 WHERE f2.date <= {D} AND {same_round(l, 'f2')}), "
            f"(SELECT arg_min(l2.key, (l2.date, l2.id)) FROM ({live_source(store)}) l2 "
            f"WHERE l2.type IN {sql_in(FUNDING_TYPES)} AND l2.date <= {D} AND (l2.date, l2.id) < ({l}.date, {l}.id) "
            f"AND {same_round(l, 'l2')}))")


def rounds_sql(store, D: str) -> str:
    """SQL: the funding rounds dated by ``D`` (a SQL date) — the imported ones and the live funding events that
    repeat none of them (``same_round``) — with ``live_key`` naming the live event of a live round. The one reading
    of rounds for the scorecard and the leads."""
    return f"""SELECT enterprise_id, id, date, round, amount_wan, amount_low_wan, amount_high_wan, amount_text, currency,
       NULL::VARCHAR AS live_key FROM fundings WHERE date <= {D} AND enterprise_id IS NOT NULL
UNION ALL SELECT l.enterprise_id, -l.id, l.date, l.round, l.amount_wan, NULL, NULL, NULL, NULL, l.key
FROM ({live_source(store)}) l WHERE l.type IN {sql_in(FUNDING_TYPES)} AND l.date <= {D}
  AND {duplicate_of_sql(store, 'l', D)} IS NULL"""


def counted_live_rounds(store, enterprise_id: int, d: _dt.date) -> set[str]:
    """The keys of the live funding events of an enterprise counted as rounds by ``d`` (not likely duplicates)."""
    D = f"DATE '{d.isoformat()}'"
    return {r[0] for r in store.con.execute(
        f"SELECT live_key FROM ({rounds_sql(store, D)}) "
        "WHERE enterprise_id = ? AND live_key IS NOT NULL", [enterprise_id]).fetchall()}


def noted_dates(store, rows: list[dict]) -> list[_dt.date]:
    """The dates of the registered live events ``rows`` a view's notes on its as-of date count (``core.asof.date_notes``):
    a likely duplicate of another round (``duplicate_of_sql``, whatever the date) is one event with it, not two."""
    ever = "DATE '9999-12-31'"
    repeated = {r[0] for r in store.con.execute(
        f"SELECT l.key FROM ({live_source(store)}) l WHERE l.type IN {sql_in(FUNDING_TYPES)} "
        f"AND {duplicate_of_sql(store, 'l', ever)} IS NOT NULL").fetchall()} if rows else set()
    return [r["date"] for r in rows if r["key"] not in repeated]


def likely_duplicates(store, team, keys: list[str]) -> dict[str, str]:
    """Live event key → the round it likely repeats (``same_round``; ``f``+id an imported round, ``m``+id another
    live event, whatever their dates), for the live funding events among ``keys`` that repeat one."""
    if not keys:
        return {}
    register_live(store, team)
    src = live_source(store)
    rows = store.con.execute(
        f"""SELECT l.key, coalesce((SELECT 'f' || min(f2.id) FROM fundings f2 WHERE {same_round('l', 'f2')}),
                  (SELECT arg_min(l2.key, (l2.date, l2.id)) FROM ({src}) l2
                   WHERE l2.type IN {sql_in(FUNDING_TYPES)} AND l2.id <> l.id AND {same_round('l', 'l2')}))
            FROM ({src}) l WHERE l.type IN {sql_in(FUNDING_TYPES)} AND l.key IN ({', '.join('?' for _ in keys)})""",
        list(keys)).fetchall()
    return {k: dup for k, dup in rows if dup}


def evidence(rows: list[dict], enterprise_id: int, d: _dt.date, counted: set[str] | None = None) -> dict[str, list[str]]:
    """Signal → the keys of the live events of the enterprise, dated on or before ``d``, that fed it; a live funding
    event not in ``counted`` (when given: a likely duplicate of another round) feeds no round signal."""
    out: dict[str, list[str]] = {}
    for r in rows:
        if r["enterprise_id"] != enterprise_id or r["date"] > d:
            continue
        sigs = set(SIGNALS_OF.get(r["type"], ()))
        if r["type"] in FUNDING_TYPES and counted is not None and r["key"] not in counted:
            sigs.clear()
        if r["sentiment"] is not None and r["date"] > d - _dt.timedelta(days=365):
            sigs.update(("news_12m", "news_tone"))
        if r["sentiment"] is not None and r["sentiment"] < -0.3:
            sigs.add("negative_events")
        if r["type"] in FUNDING_TYPES and r["amount_wan"] is None:
            sigs.discard("total_raised")
        if r["date"] <= d - _dt.timedelta(days=730):  # outside the 24-month windows
            sigs.difference_update(("rounds_24m", "branches_24m"))
        for s in sigs:
            out.setdefault(s, []).append(r["key"])
    return out
