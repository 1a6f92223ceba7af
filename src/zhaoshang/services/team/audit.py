"""The audit log: who did or read what, when, from where. Append-only, each entry chained to the one before.

Every entry stores ``hash = sha256(prev_hash ‖ entry)``; ``verify`` recomputes the chain, so an entry changed
or removed outside the app (the app has no route that edits it, and the database refuses UPDATE/DELETE)
is found. Appends are serialised so concurrent server processes keep one chain.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import os
from contextlib import contextmanager
from typing import Any

from ...core.errors import UserError
from ...core.teamstate import TeamDB
from ...core.teamstate.clock import china_day_start, now, to_second

GENESIS = "0" * 64
COLUMNS = ["id", "at", "actor", "role", "action", "target", "detail", "ip"]


def _digest(prev: str, at: str, actor: str, role: str | None, action: str, target: str | None,
            detail: str | None, ip: str | None) -> str:
    body = json.dumps([at, actor, role, action, target, detail, ip], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev + "\n" + body).encode("utf-8")).hexdigest()


# the client address of the web request being served: every entry that request causes carries it, whichever service
# writes the entry (a lead moved, a rule added, a placement corrected …); None on the command line
_CLIENT: contextvars.ContextVar[str | None] = contextvars.ContextVar("zhaoshang_audit_client", default=None)


@contextmanager
def client_address(ip: str | None):
    """Within the block (one web request), entries written without an explicit ``ip`` carry ``ip``."""
    token = _CLIENT.set(ip)
    try:
        yield
    finally:
        _CLIENT.reset(token)


def record(team: TeamDB, actor: Any, action: str, target: str | None = None, detail: dict | None = None,
           ip: str | None = None) -> int:
    """Append one entry; ``actor`` is a ``User`` or a name. Returns the entry's id. ``ip``: the client address, by
    default the one of the web request being served (``client_address``)."""
    ip = ip if ip is not None else _CLIENT.get()
    name = getattr(actor, "name", None) or str(actor)
    role = getattr(actor, "role", None)
    det = json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str) if detail else None
    with team.tx(exclusive=True) as tx:
        tx.lock("zhaoshang-audit")
        prev = tx.scalar("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1") or GENESIS
        at = now()
        h = _digest(prev, at, name, role, action, target, det, ip)
        return int(tx.scalar("INSERT INTO audit_log (at, actor, role, action, target, detail, ip, prev_hash, hash) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                             [at, name, role, action, target, det, ip, prev, h]))


def entries_since(team: TeamDB, items: list[dict]) -> list[dict]:
    """The entries of this team state's log that a backup's ``items`` do not hold (written after it was taken), oldest
    first: a restore keeps them, so replacing the team state never removes a trace of what was done."""
    kept = {it["row"].get("hash") for it in items if it["table"] == "audit_log"}
    with team.tx() as tx:
        rows = tx.query("SELECT at, actor, role, action, target, detail, ip, hash FROM audit_log ORDER BY id")
    return [r for r in rows if r["hash"] not in kept]


def append_entries(tx, entries: list[dict]) -> int:
    """Append ``entries`` as they were written (time, actor, action, detail, address), chained after the last entry."""
    prev = tx.scalar("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1") or GENESIS
    for e in entries:
        h = _digest(prev, e["at"], e["actor"], e["role"], e["action"], e["target"], e["detail"], e["ip"])
        tx.execute("INSERT INTO audit_log (at, actor, role, action, target, detail, ip, prev_hash, hash) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   [e["at"], e["actor"], e["role"], e["action"], e["target"], e["detail"], e["ip"], prev, h])
        prev = h
    return len(entries)


# what a ``data.import`` entry keeps of the import's report, for a web upload and a command-line import alike
IMPORT_COUNTS = ("source", "rows_read", "rows_imported", "rows_updated", "rows_duplicate", "rows_rejected", "changes",
                 "scope")


def import_detail(report: dict | None, **extra) -> dict:
    """The detail of a ``data.import`` entry: ``extra`` (job, state, kind, preset, error…; empty ones left out) and
    the report's counts — one shape whether the file came through the 数据更新 page or ``zhaoshang import``."""
    report = report or {}
    return {**{k: v for k, v in extra.items() if v not in (None, "", [])},
            **{k: report[k] for k in IMPORT_COUNTS if report.get(k) is not None}}


def cli_actor() -> str:
    """The actor named for commands run on the server's shell."""
    import pwd

    try:
        return "cli:" + pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return f"cli:{os.getuid()}"


def acting(user: Any) -> tuple[Any, dict]:
    """Who an act on the team's records is written as, and on whose behalf (``record``'s actor, and what its detail
    adds): the user of a page or the API (a user object) acts for itself; a user named on the command line
    (``--user NAME``) is acted for by the command line's operator (``cli_actor``), the detail naming the user
    (``on_behalf_of``), the same for every command that takes ``--user``; an actor that is no user (``cli:…``,
    ``system:…``) acts for itself, and nobody named — or ``local``, the single user of a local server, who is whoever
    runs the command line (its default ``--user``) — is the operator."""
    if getattr(user, "name", None):
        return user, {}
    name = user.strip() if isinstance(user, str) else ""
    if not name or name == "local":
        return cli_actor(), {}
    if name.startswith(("cli:", "system:")):
        return name, {}
    return cli_actor(), {"on_behalf_of": name}


def day_bounds(since: str | None, until: str | None) -> tuple[str | None, str | None]:
    """The days a user typed (``--since`` / ``--until``, the admin page's 从 / 到) as the first time included and the
    first time excluded — China's days (Asia/Shanghai), as every date a user types and every entry's time is shown
    (``dates.china_time_text``: an entry stored at 2026-12-06T17:00Z is shown 2026-12-07 01:00:00 and found on the
    7th), though entries are stored in UTC — read by the one date parser: ``2026-12`` from its first day, until its last (or today),
    ``2024年3月5日`` as that day; a day that does not exist or lies after today is refused (``UserError``), never
    compared as text (``2026-13-01`` found nothing, ``--until 2026-12`` left December out)."""
    import datetime as _dt

    from ...core.parse.dates import parse_user_date

    first = parse_user_date(since, "since", end_of_period=False)
    last = parse_user_date(until, "until")
    if first and last and first > last:  # nothing could be found: say why rather than answer an empty log
        raise UserError(f"起始日期 {first} 晚于截止日期 {last}", f"the since date {first} is after the until date {last}")
    return (china_day_start(first) if first else None,
            china_day_start(last + _dt.timedelta(days=1)) if last else None)


def _like_text(text: str) -> str:
    """``text`` as a LIKE pattern's literal part, matched regardless of case on SQLite and PostgreSQL alike (the column
    is lowered in the query: SQLite's LIKE ignores ASCII case, PostgreSQL's does not), ``%`` and ``_`` taken as typed."""
    return text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(team: TeamDB, *, actor: str | None = None, action: str | None = None, since: str | None = None,
           until: str | None = None, q: str | None = None, limit: int = 200, offset: int = 0) -> dict:
    """Entries newest first, filtered by actor, action (prefix), days (``since`` … ``until``, both included, China's days;
    ``day_bounds``) and text."""
    where, params = [], []
    start, stop = day_bounds(since, until)
    if actor:
        where.append("actor = ?")
        params.append(actor)
    if action:
        where.append("lower(action) LIKE ? ESCAPE '\\'")
        params.append(_like_text(action) + "%")
    if start:
        where.append("at >= ?")
        params.append(start)
    if stop:
        where.append("at < ?")
        params.append(stop)
    if q:
        where.append("(lower(target) LIKE ? ESCAPE '\\' OR lower(detail) LIKE ? ESCAPE '\\' "
                     "OR lower(ip) LIKE ? ESCAPE '\\')")
        params += [f"%{_like_text(q)}%"] * 3
    cond = " AND ".join(where) or "1 = 1"
    with team.tx() as tx:
        total = tx.scalar(f"SELECT count(*) FROM audit_log WHERE {cond}", params)
        rows = tx.query(f"SELECT {', '.join(COLUMNS)} FROM audit_log WHERE {cond} ORDER BY id DESC LIMIT ? OFFSET ?",
                        params + [int(limit), int(offset)])
    return {"total": int(total), "rows": rows}


def verify(team: TeamDB) -> dict:
    """Recompute the hash chain: ``{"ok", "entries", "first_bad"}``."""
    prev, n = GENESIS, 0
    with team.tx() as tx:
        for r in tx.query("SELECT * FROM audit_log ORDER BY id"):
            n += 1
            if r["prev_hash"] != prev or r["hash"] != _digest(prev, r["at"], r["actor"], r["role"], r["action"],
                                                               r["target"], r["detail"], r["ip"]):
                return {"ok": False, "entries": n, "first_bad": r["id"]}
            prev = r["hash"]
    return {"ok": True, "entries": n, "first_bad": None}


def export(team: TeamDB, path: str, fmt: str | None = None, headers: dict[str, str] | None = None,
           lang: str = "zh", **filters) -> int:
    """The filtered entries to a formula-safe CSV/XLSX (the shared export writer); returns rows written. Times are
    China's to the second, as the table shows them (``clock.to_second``), under a header that names the clock
    (时间 (UTC+8)). ``headers``: column key → header (the interfaces' label table, labels.column); the keys where
    not given."""
    import duckdb
    import pyarrow as pa

    from ...core.writers import export_query

    rows = search(team, limit=10**9, **filters)["rows"]
    table = pa.table({c: pa.array([to_second(r[c]) if c == "at" else r[c] for r in rows],
                                  type=pa.int64() if c == "id" else pa.string())
                      for c in COLUMNS})
    con = duckdb.connect(":memory:")
    try:
        con.register("audit_rows", table)
        cols = ", ".join(f'"{c}" AS "{(headers or {}).get(c, c).replace(chr(34), "")}"' for c in COLUMNS)
        return export_query(con, f"SELECT {cols} FROM audit_rows ORDER BY id DESC", path, fmt=fmt, lang=lang)
    finally:
        con.close()
