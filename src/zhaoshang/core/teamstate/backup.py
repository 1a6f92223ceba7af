"""Backup and restore of the team state as one portable JSON Lines file (SQLite ↔ PostgreSQL alike).

The backup reads every table of the team's state (users, roles, tokens, the team's records, the audit log …) in one
consistent snapshot and is written to a temporary file that replaces the target only when complete; live state —
sessions and failed logins (throttles) — is left out, so a restore never brings back a session that has ended or
an old throttle. A restore replaces the whole team state in one transaction (it either finishes or leaves the state
as it was) and ends every session: whoever was signed in signs in again.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from ..errors import UserError
from .clock import now
from .db import TeamDB, apply_migrations
from .migrations import registered

FORMAT = "zhaoshang-team-backup"
SKIP = {"schema_migrations"}
LIVE = ("sessions", "login_failures")  # not the team's state: never backed up, never restored (older files held them)


def backup(db: TeamDB, path: str | os.PathLike) -> dict:
    """Write the whole team state to ``path``; returns the header (with row counts per table)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=str(path.parent.resolve()))
    counts: dict[str, int] = {}
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out, db.tx() as tx:
            if db.dialect == "postgresql":
                tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            tables = [t for t in tx.tables() if t not in SKIP and t not in LIVE]
            migrations = [r["version"] for r in tx.query("SELECT version FROM schema_migrations ORDER BY version")]
            lines = []
            for t in tables:
                rows = tx.query(f'SELECT * FROM "{t}" ORDER BY 1')
                counts[t] = len(rows)
                lines.extend(json.dumps({"table": t, "row": r}, ensure_ascii=False) for r in rows)
            header = {"format": FORMAT, "version": 1, "created_at": now(), "source": db.dialect,
                      "migrations": migrations, "tables": counts, "left_out": list(LIVE)}
            out.write(json.dumps(header, ensure_ascii=False) + "\n")
            for line in lines:
                out.write(line + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return header


def read_backup(path: str | os.PathLike) -> tuple[dict, list[dict]]:
    p = Path(path)
    if not p.exists():
        raise UserError(f"备份文件不存在: {p}", f"backup file not found: {p}")
    with p.open(encoding="utf-8") as f:
        try:
            header = json.loads(f.readline() or "{}")
            items = [json.loads(line) for line in f if line.strip()]
        except ValueError as exc:
            raise UserError(f"不是团队数据备份文件: {p} ({exc})", f"not a team-state backup file: {p} ({exc})") from exc
    if header.get("format") != FORMAT:
        raise UserError(f"不是团队数据备份文件: {p}", f"not a team-state backup file: {p}")
    unknown = [v for v in header.get("migrations", []) if v not in registered()]
    if unknown:
        raise UserError(f"备份来自更新的版本（未知的迁移 {unknown}），请先升级 zhaoshang", f"the backup comes from a newer version (unknown migrations {unknown}): upgrade zhaoshang first")
    per_table = {t: 0 for t in header.get("tables", {})}
    for it in items:
        per_table[it["table"]] = per_table.get(it["table"], 0) + 1
    if per_table != header.get("tables", {}):
        raise UserError(f"备份文件不完整: {p}（行数与文件头不符）", f"the backup file is incomplete: {p} (row counts differ from its header)")
    return header, items


def restore(db: TeamDB, path: str | os.PathLike, after=None) -> dict:
    """Replace the team state with the backup at ``path`` (all or nothing); returns the backup's header. Every
    session ends and every throttle is forgotten (the rows of ``LIVE`` an older backup holds are not restored).
    ``after(tx)`` runs last in the same transaction (the audit entries written since the backup are appended)."""
    header, items = read_backup(path)
    with db.tx(exclusive=True) as tx:
        tx.lock("zhaoshang-team-migrate")
        for t in reversed(tx.tables()):
            tx.execute(f'DROP TABLE "{t}"' + (" CASCADE" if db.dialect == "postgresql" else ""))
        if db.dialect == "postgresql":
            tx.execute("DROP FUNCTION IF EXISTS zs_append_only() CASCADE")
        apply_migrations(tx)
        columns: dict[str, set] = {}
        for it in items:
            t, row = it["table"], it["row"]
            if t in LIVE:
                continue
            if t not in columns:
                cur = tx.execute(f'SELECT * FROM "{t}" WHERE 1 = 0')
                columns[t] = {d[0] for d in cur.description}
            keys = [k for k in row if k in columns[t]]
            tx.execute(f'INSERT INTO "{t}" ({", ".join(chr(34) + k + chr(34) for k in keys)}) '
                       f'VALUES ({", ".join("?" for _ in keys)})', [row[k] for k in keys])
        if db.dialect == "postgresql":
            for t in columns:
                if "id" in columns[t] and tx.scalar("SELECT pg_get_serial_sequence(?, 'id')", [t]):
                    tx.execute(f"SELECT setval(pg_get_serial_sequence(?, 'id'), coalesce(max(id), 0) + 1, false) "
                               f'FROM "{t}"', [t])
        if after is not None:
            after(tx)
        # a backup made before a migration lacks what it added (users' last activity before migration 80): the
        # migration's fill runs on the restored rows (the audit log's logins; no session survives a restore)
        migrations = registered()
        for v in sorted(set(migrations) - set(header.get("migrations") or [])):
            for st in migrations[v].sql(db.dialect, migrations[v].backfill):
                tx.execute(st)
    return header
