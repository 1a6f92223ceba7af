"""Users, passwords, login throttling, sessions and API tokens.

Passwords are argon2id hashes (argon2-cffi). A login is refused without checking the password after
``PAIR_LIMIT`` failures for that name from that address, or ``ACCOUNT_LIMIT`` for that name from any address,
within ``THROTTLE_WINDOW`` — never for the address alone, so colleagues behind one NAT are not locked out by
one person's mistakes; the name-wide limit does not apply at an address the user has signed in from within
``KNOWN_DAYS`` (someone guessing elsewhere cannot lock the user out; guesses from that address still meet the
address's own limit); an admin clears a throttle (``clear_throttle``, audited). Sessions are
server-side: the browser holds a random id (signed in the cookie), the database its SHA-256, the user and
the CSRF token; a session ends after ``idle`` seconds without a request, after ``ABSOLUTE`` seconds in
any case, at logout, and when its user is disabled or gets a new password. API tokens are random, shown
once, stored as SHA-256 and revocable.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ...core.errors import NotFound, UserError
from ...core.parse.dates import china_time_text
from ...core.teamstate import TeamDB
from ...core.teamstate.clock import FMT, now, parse
from . import audit
from .roles import ROLES, User, check_role

PAIR_LIMIT = 5        # failures for one name from one address
ACCOUNT_LIMIT = 20    # failures for one name from any address (guessing spread over many addresses)
MAX_FAILURES = PAIR_LIMIT
THROTTLE_WINDOW = 15 * 60
KNOWN_DAYS = 30       # an address the user signed in from within these days is not refused by the name-wide limit
def idle_default() -> int:
    """Seconds a session may sit idle: ZHAOSHANG_SESSION_IDLE, read when a server starts (not when this module is
    imported), else half an hour."""
    return int(os.environ.get("ZHAOSHANG_SESSION_IDLE", 30 * 60))
ABSOLUTE = 12 * 3600
TOKEN_PREFIX = "zs_"
MIN_PASSWORD = 10

_hasher = PasswordHasher()


@lru_cache(maxsize=1)
def _dummy() -> str:
    """A hash to verify against for an unknown name (same time as a known one); made at the first login, not
    by every command that imports this module."""
    return _hasher.hash("timing-equaliser")


class Throttled(UserError):
    """Too many failed logins: refused without checking the password."""

    def __init__(self, retry_after: int):
        minutes = retry_after // 60 + 1
        super().__init__(f"登录失败次数过多，请 {minutes} 分钟后再试",
                         f"too many failed logins: try again in {minutes} minute{'s' if minutes > 1 else ''}")
        self.retry_after = retry_after


@dataclass
class Account:
    id: int
    name: str
    role: str
    disabled: bool
    created_at: str
    updated_at: str

    def user(self, via: str = "session") -> User:
        return User(self.id, self.name, self.role, via=via, permissions=ROLES[self.role])

    def writes(self) -> bool:
        """Whether the account's role may change the team's records (``team_write``): who may own one of them (a
        lead of the pipeline, an alert rule), which a viewer cannot act on."""
        return "team_write" in ROLES.get(self.role, frozenset())


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _account(row: dict | None) -> Account | None:
    if not row:
        return None
    return Account(row["id"], row["name"], row["role"], bool(row["disabled"]), row["created_at"], row["updated_at"])


def check_name(name: str) -> str:
    n = (name or "").strip()
    if not re.fullmatch(r"[\w.@-]{2,64}", n):
        raise UserError(f"用户名无效: {name!r}（2–64 个字母、数字、汉字或 . _ @ -）", f"invalid user name: {name!r} (2–64 letters, digits, Chinese characters or . _ @ -)")
    return n


def check_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD:
        raise UserError(f"密码至少 {MIN_PASSWORD} 个字符", f"a password has at least {MIN_PASSWORD} characters")
    return password


def generate_password() -> str:
    return secrets.token_urlsafe(12)


# ------------------------------------------------------------------------------------------- users
def get(team: TeamDB, name: str) -> Account:
    with team.tx() as tx:
        acc = _account(tx.one("SELECT * FROM users WHERE name = ?", [name]))
    if acc is None:
        raise NotFound(f"没有这个用户: {name}", f"no such user: {name}")
    return acc


def list_users(team: TeamDB) -> list[dict]:
    with team.tx() as tx:
        return tx.query(
            """SELECT u.id, u.name, u.role, u.disabled, u.created_at, u.updated_at, u.last_seen,
                      (SELECT count(*) FROM api_tokens t WHERE t.user_id = u.id AND t.revoked_at IS NULL) AS tokens
               FROM users u ORDER BY u.name""")


def active_admins(team: TeamDB) -> int:
    with team.tx() as tx:
        return int(tx.scalar("SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0"))


def add_user(team: TeamDB, name: str, role: str, password: str, actor, ip: str | None = None) -> Account:
    name, role = check_name(name), check_role(role)
    h = _hasher.hash(check_password(password))
    t = now()
    with team.tx(exclusive=True) as tx:
        if tx.scalar("SELECT count(*) FROM users WHERE name = ?", [name]):
            raise UserError(f"用户已存在: {name}", f"the user already exists: {name}")
        tx.execute("INSERT INTO users (name, role, password_hash, disabled, created_at, updated_at) "
                   "VALUES (?, ?, ?, 0, ?, ?)", [name, role, h, t, t])
    audit.record(team, actor, "user.add", name, {"role": role}, ip)
    return get(team, name)


def _would_remove_last_admin(tx, name: str) -> bool:
    return not tx.scalar("SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0 AND name <> ?", [name])


def set_role(team: TeamDB, name: str, role: str, actor, ip: str | None = None) -> Account:
    role = check_role(role)
    acc = get(team, name)
    with team.tx(exclusive=True) as tx:
        if acc.role == "admin" and role != "admin" and not acc.disabled and _would_remove_last_admin(tx, name):
            raise UserError("不能移除最后一个启用的管理员", "the last active admin cannot be removed")
        tx.execute("UPDATE users SET role = ?, updated_at = ? WHERE id = ?", [role, now(), acc.id])
    audit.record(team, actor, "user.set_role", name, {"from": acc.role, "to": role}, ip)
    return get(team, name)


def set_disabled(team: TeamDB, name: str, disabled: bool, actor, ip: str | None = None) -> Account:
    acc = get(team, name)
    with team.tx(exclusive=True) as tx:
        if disabled and acc.role == "admin" and _would_remove_last_admin(tx, name):
            raise UserError("不能停用最后一个启用的管理员", "the last active admin cannot be disabled")
        tx.execute("UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?", [int(disabled), now(), acc.id])
        if disabled:
            tx.execute("DELETE FROM sessions WHERE user_id = ?", [acc.id])
    audit.record(team, actor, "user.disable" if disabled else "user.enable", name, None, ip)
    return get(team, name)


def reset_password(team: TeamDB, name: str, password: str, actor, ip: str | None = None) -> Account:
    acc = get(team, name)
    h = _hasher.hash(check_password(password))
    with team.tx(exclusive=True) as tx:
        tx.execute("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?", [h, now(), acc.id])
        tx.execute("DELETE FROM sessions WHERE user_id = ?", [acc.id])
        tx.execute("DELETE FROM login_failures WHERE name = ?", [name])
    audit.record(team, actor, "user.reset_password", name, None, ip)
    return acc


# ------------------------------------------------------------------------------------------- login
def _locked_until(fails: list[dict], limit: int) -> _dt.datetime | None:
    """When a throttle over ``fails`` (oldest first, within the window) ends; None when under ``limit``."""
    if len(fails) < limit:
        return None
    return parse(fails[-limit]["at"]) + _dt.timedelta(seconds=THROTTLE_WINDOW)


def known_address(team_or_tx, name: str, ip: str | None) -> bool:
    """Whether ``name`` signed in successfully from ``ip`` within ``KNOWN_DAYS`` (the audit log's ``login``
    entries, which a restore keeps)."""
    if ip is None:
        return False
    sql = "SELECT 1 FROM audit_log WHERE action = 'login' AND target = ? AND ip = ? AND at >= ? LIMIT 1"
    args = [name, ip, now(-KNOWN_DAYS * 86400)]
    if isinstance(team_or_tx, TeamDB):
        with team_or_tx.tx() as tx:
            return tx.one(sql, args) is not None
    return team_or_tx.one(sql, args) is not None


def _throttle(fails: list[dict], ip: str | None, known: bool = False) -> tuple[_dt.datetime | None, str]:
    """(until, scope) of the throttle on a name whose recent failures are ``fails``, for a login from ``ip``:
    ``address`` (this name from this address) or ``account`` (this name from anywhere — except from an address
    the user is ``known`` to sign in from)."""
    pair = _locked_until([f for f in fails if f["ip"] == ip], PAIR_LIMIT)
    account = None if known else _locked_until(fails, ACCOUNT_LIMIT)
    if account and (not pair or account >= pair):
        return account, "account"
    return pair, "address"


def authenticate(team: TeamDB, name: str, password: str, ip: str | None = None) -> Account:
    """The account for a correct name and password; throttled after repeated failures for that name from that
    address (``PAIR_LIMIT``) or for that name from any address (``ACCOUNT_LIMIT``; not from an address the user
    signed in from within ``KNOWN_DAYS``)."""
    since = now(-THROTTLE_WINDOW)
    with team.tx() as tx:
        fails = tx.query("SELECT ip, at FROM login_failures WHERE name = ? AND at >= ? ORDER BY at", [name, since])
        row = tx.one("SELECT * FROM users WHERE name = ?", [name])
        known = len(fails) >= ACCOUNT_LIMIT and known_address(tx, name, ip)  # asked only when it matters
    until, scope = _throttle(fails, ip, known)
    if until is not None:
        retry = int((until - _dt.datetime.now(_dt.timezone.utc)).total_seconds()) + 1
        audit.record(team, name, "login.throttled", name,
                     {"failures": len(fails) if scope == "account" else sum(f["ip"] == ip for f in fails),
                      "scope": scope}, ip)
        raise Throttled(max(retry, 1))
    ok = False
    try:
        ok = _hasher.verify(row["password_hash"] if row and row["password_hash"] else _dummy(), password or "")
    except (VerificationError, InvalidHashError):
        ok = False
    acc = _account(row)
    if not ok or acc is None or acc.disabled:
        with team.tx() as tx:
            tx.execute("INSERT INTO login_failures (name, ip, at) VALUES (?, ?, ?)", [name, ip, now()])
        audit.record(team, name, "login.failed", name, {"reason": "disabled" if ok and acc else "password"}, ip)
        raise UserError("用户名或密码错误", "wrong name or password")
    if _hasher.check_needs_rehash(row["password_hash"]):
        with team.tx() as tx:
            tx.execute("UPDATE users SET password_hash = ? WHERE id = ?", [_hasher.hash(password), acc.id])
    with team.tx() as tx:  # this address's failures for this name; others' (someone guessing elsewhere) still count
        if ip is None:
            tx.execute("DELETE FROM login_failures WHERE name = ? AND ip IS NULL", [name])
        else:
            tx.execute("DELETE FROM login_failures WHERE name = ? AND ip = ?", [name, ip])
    audit.record(team, acc.user(), "login", name, None, ip)
    return acc


def throttles(team: TeamDB) -> list[dict]:
    """Failed logins within the window, one row per name and address (most recent first): how many, the name's
    count from every address, and until when a login of that name from that address is refused (None: not)."""
    with team.tx() as tx:
        rows = tx.query("SELECT name, ip, at FROM login_failures WHERE at >= ? ORDER BY at", [now(-THROTTLE_WINDOW)])
    by_name: dict[str, list[dict]] = {}
    for r in rows:
        by_name.setdefault(r["name"], []).append(r)
    out = []
    for name, fails in by_name.items():
        for ip in dict.fromkeys(f["ip"] for f in fails):
            until, scope = _throttle(fails, ip, len(fails) >= ACCOUNT_LIMIT and known_address(team, name, ip))
            mine = [f for f in fails if f["ip"] == ip]
            out.append({"name": name, "ip": ip, "failures": len(mine), "account_failures": len(fails),
                        "last_failure": mine[-1]["at"], "throttled_until": until.strftime(FMT) if until else None,
                        "scope": scope if until else None})
    return sorted(out, key=lambda r: r["last_failure"], reverse=True)


def clear_throttle(team: TeamDB, name: str, address: str | None, actor, ip: str | None = None) -> int:
    """Forget the failed logins of ``name`` (from ``address`` only, when given), ending its throttle; audited
    as ``login.throttle_clear``. Returns how many failures were forgotten."""
    with team.tx(exclusive=True) as tx:
        cond, params = "name = ?", [name]
        if address:
            cond, params = cond + " AND ip = ?", params + [address]
        n = int(tx.scalar(f"SELECT count(*) FROM login_failures WHERE {cond}", params))
        if not n:
            raise NotFound(f"{name} 没有登录失败记录" + (f"（来自 {address}）" if address else ""),
                           f"no failed logins of {name}" + (f" from {address}" if address else ""))
        tx.execute(f"DELETE FROM login_failures WHERE {cond}", params)
    audit.record(team, actor, "login.throttle_clear", name, {"address": address, "failures": n}, ip)
    return n


# ------------------------------------------------------------------------------------------- sessions
def create_session(team: TeamDB, acc: Account, ip: str | None = None, user_agent: str | None = None) -> tuple[str, str]:
    """A new session for ``acc``: returns (session id for the cookie, CSRF token)."""
    sid, csrf, t = secrets.token_urlsafe(32), secrets.token_urlsafe(32), now()
    with team.tx() as tx:
        tx.execute("INSERT INTO sessions (id_hash, user_id, csrf, created_at, last_seen, ip, user_agent) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)", [_sha(sid), acc.id, csrf, t, t, ip, (user_agent or "")[:200]])
        tx.execute("UPDATE users SET last_seen = ? WHERE id = ?", [t, acc.id])
    return sid, csrf


def session_user(team: TeamDB, sid: str, idle: int | None = None) -> tuple[User, str] | None:
    """(user, CSRF token) of a live session, refreshing its idle clock; None when ended or expired."""
    idle = idle or idle_default()
    h = _sha(sid)
    with team.tx() as tx:
        # the session's times under names of their own: read as created_at beside the user's, the user's stood for the
        # session's and ended every session of a user made more than ABSOLUTE ago at its first request
        row = tx.one("SELECT u.*, s.csrf, s.created_at AS session_created_at, s.last_seen AS session_last_seen "
                     "FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?", [h])
        if not row:
            return None
        if row["disabled"] or row["session_last_seen"] < now(-idle) or row["session_created_at"] < now(-ABSOLUTE):
            tx.execute("DELETE FROM sessions WHERE id_hash = ?", [h])
            return None
        if row["session_last_seen"] < now(-30):  # one write per half minute, not per request
            t = now()
            tx.execute("UPDATE sessions SET last_seen = ? WHERE id_hash = ?", [t, h])
            tx.execute("UPDATE users SET last_seen = ? WHERE id = ?", [t, row["id"]])
    return _account(row).user("session"), row["csrf"]


def end_session(team: TeamDB, sid: str) -> None:
    with team.tx() as tx:
        tx.execute("DELETE FROM sessions WHERE id_hash = ?", [_sha(sid)])


# ------------------------------------------------------------------------------------------- API tokens
def create_token(team: TeamDB, name: str, label: str | None, actor, ip: str | None = None) -> dict:
    """A new API token for user ``name``; the returned ``token`` is shown once and never stored."""
    acc = get(team, name)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with team.tx() as tx:
        tid = tx.scalar("INSERT INTO api_tokens (user_id, label, prefix, token_hash, created_at) VALUES (?, ?, ?, ?, ?) "
                        "RETURNING id", [acc.id, label, raw[:10], _sha(raw), now()])
    audit.record(team, actor, "token.create", name, {"token_id": tid, "label": label}, ip)
    return {"id": int(tid), "user": name, "label": label, "prefix": raw[:10], "token": raw}


def list_tokens(team: TeamDB, name: str | None = None) -> list[dict]:
    with team.tx() as tx:
        return tx.query("SELECT t.id, u.name AS user, t.label, t.prefix, t.created_at, t.last_used_at, t.revoked_at "
                        "FROM api_tokens t JOIN users u ON u.id = t.user_id "
                        + ("WHERE u.name = ? " if name else "") + "ORDER BY t.id", [name] if name else [])


def revoke_token(team: TeamDB, token_id: int, actor, ip: str | None = None) -> dict:
    with team.tx() as tx:
        row = tx.one("SELECT t.id, t.revoked_at, u.name FROM api_tokens t JOIN users u ON u.id = t.user_id "
                     "WHERE t.id = ?", [int(token_id)])
        if not row:
            raise NotFound(f"没有这个令牌: {token_id}", f"no such token: {token_id}")
        if row["revoked_at"] is not None:  # said plainly, not reported done again with a second audit entry
            when = china_time_text(row["revoked_at"])  # China's time, its zone said
            raise UserError(f"令牌 #{token_id}（{row['name']}）已于 {when} 吊销",
                            f"token #{token_id} ({row['name']}) was already revoked at {when}")
        tx.execute("UPDATE api_tokens SET revoked_at = ? WHERE id = ?", [now(), int(token_id)])
    audit.record(team, actor, "token.revoke", row["name"], {"token_id": int(token_id)}, ip)
    return {"id": int(token_id), "user": row["name"], "revoked": True}


def token_user(team: TeamDB, raw: str) -> User | None:
    """The user of a live API token (not revoked, user enabled); None otherwise."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    with team.tx() as tx:
        row = tx.one("SELECT t.id AS token_id, t.last_used_at, u.* FROM api_tokens t JOIN users u ON u.id = t.user_id "
                     "WHERE t.token_hash = ? AND t.revoked_at IS NULL", [_sha(raw)])
        if not row or row["disabled"]:
            return None
        if not row["last_used_at"] or row["last_used_at"] < now(-60):
            t = now()
            tx.execute("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", [t, row["token_id"]])
            tx.execute("UPDATE users SET last_seen = ? WHERE id = ?", [t, row["id"]])
    return _account(row).user("token")


def secret_key(team: TeamDB) -> str:
    """The key that signs cookies: ``$ZHAOSHANG_SECRET_KEY``, else one made once and kept in the team state
    (shared by every server process on the same team state)."""
    env = os.environ.get("ZHAOSHANG_SECRET_KEY")
    if env:
        return env
    with team.tx(exclusive=True) as tx:
        tx.lock("zhaoshang-secret")
        key = tx.scalar("SELECT value FROM team_meta WHERE key = 'secret_key'")
        if not key:
            key = secrets.token_urlsafe(48)
            tx.execute("INSERT INTO team_meta (key, value) VALUES ('secret_key', ?)", [key])
    return key
