"""Team state on both backends (SQLite file and a real PostgreSQL server): the same tests, parametrised.

Users, passwords, throttling, sessions, tokens, the append-only audit chain, migrations added later,
backup/restore (also across backends) and a kill -9 in the middle of writing.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from conftest import light_password_hashes

from zhaoshang.core.errors import NotFound, UserError
from zhaoshang.core.teamstate import MIGRATIONS, open_team_db, register_migration
from zhaoshang.core.teamstate.backup import backup, restore
from zhaoshang.services.team import accounts as A
from zhaoshang.services.team import audit

PW = "correct horse battery"


@pytest.fixture
def quick_hashes():
    """Argon2 at its lowest cost for the tests of failure counting (conftest.light_password_hashes)."""
    with light_password_hashes():
        yield


@pytest.fixture
def team(team_url):
    db = open_team_db(team_url)
    yield db
    db.close()


def test_schema_and_migrations_added_later(team, team_url):
    assert {"users", "sessions", "api_tokens", "audit_log", "login_failures", "team_meta"} <= set(team.tables())
    assert team.migrate() == []  # idempotent
    register_migration(9001, "watchlists (test)", ["CREATE TABLE watchlists (id {id}, name {text} NOT NULL)"])
    try:
        with team.tx() as tx:  # registered after this database was opened: applied before the next transaction
            assert tx.scalar("SELECT count(*) FROM watchlists") == 0
        again = open_team_db(team_url)
        assert "watchlists" in again.tables()
        with again.tx() as tx:
            wid = tx.scalar("INSERT INTO watchlists (name) VALUES (?) RETURNING id", ["杭州 AI 芯片"])
            assert tx.scalar("SELECT name FROM watchlists WHERE id = ?", [wid]) == "杭州 AI 芯片"
            assert tx.scalar("SELECT name FROM schema_migrations WHERE version = 9001") == "watchlists (test)"
        again.close()
    finally:
        del MIGRATIONS[9001]



def test_a_team_state_opened_alone_has_every_features_tables(tmp_path):
    # a command line imports its own command module only (opening the team state used to import them all): a
    # migration registered in a feature's module would be missing from a team state that a command not importing
    # that module creates. Opened in a fresh process with nothing but the team state imported, it gets every
    # migration the source registers (read from every module's syntax tree, imported or not)
    import ast
    from pathlib import Path

    import zhaoshang

    code = """import json, sys
from zhaoshang.core.teamstate import open_team_db
with open_team_db(sys.argv[1]).tx() as tx:
    applied = [r["version"] for r in tx.query("SELECT version FROM schema_migrations ORDER BY version")]
print(json.dumps([applied, sorted(m for m in sys.modules if m.startswith(("zhaoshang.services", "zhaoshang.interfaces",
                                                                          "numpy")))]))"""
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path / "alone.team.sqlite")], capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    applied, imported = json.loads(proc.stdout)
    assert imported == []  # no feature, no command module, no numpy
    root = Path(zhaoshang.__file__).parent
    registered = {}  # version -> module registering it
    for f in root.rglob("*.py"):
        text = f.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(text)) if "register_migration" in text else ():
            if (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None))
                    == "register_migration" and node.args and isinstance(node.args[0], ast.Constant)):
                registered[node.args[0].value] = f.relative_to(root).as_posix()
    assert set(registered.values()) == {"core/teamstate/tables.py"}, registered
    assert applied == sorted(registered) == [1, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130]


def test_a_team_state_left_open_is_closed_at_exit_its_log_folded_in(tmp_path):
    # a command that opens the team state and never closes it (most do not): its connections are closed by the
    # process's exit handlers, so SQLite folds the write-ahead log into the file there — not only if the teardown
    # of every object happens to reach them (a process that leaves after its exit handlers, as a forked one may,
    # left the log beside the file, and a copy of the file alone lost the last writes)
    path = tmp_path / "left.team.sqlite"
    code = """import atexit, os, sys
from zhaoshang.core.teamstate import open_team_db
team = open_team_db(sys.argv[1])
with team.tx() as tx:
    tx.execute("INSERT INTO users (name, role, password_hash, created_at, updated_at) VALUES ('甲', 'analyst', 'x', '2026-12-01', '2026-12-01')")
assert os.path.exists(sys.argv[1] + "-wal")
atexit._run_exitfuncs()
os._exit(0)"""
    proc = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert not os.path.exists(str(path) + "-wal")
    import sqlite3

    copy = tmp_path / "copy.team.sqlite"
    copy.write_bytes(path.read_bytes())  # the file alone holds the write
    con = sqlite3.connect(copy)
    assert con.execute("SELECT name FROM users").fetchall() == [("甲",)]
    con.close()

def test_users_passwords_roles(team):
    acc = A.add_user(team, "alice", "admin", PW, "cli:test")
    assert acc.role == "admin" and not acc.disabled
    with team.tx() as tx:
        stored = tx.scalar("SELECT password_hash FROM users WHERE name = 'alice'")
    assert stored.startswith("$argon2id$") and "$m=65536,t=3,p=4$" in stored and PW not in stored
    assert A.authenticate(team, "alice", PW, "10.0.0.1").name == "alice"
    with pytest.raises(UserError):
        A.add_user(team, "alice", "viewer", PW, "cli:test")
    with pytest.raises(UserError):
        A.add_user(team, "bob", "superuser", PW, "cli:test")
    with pytest.raises(UserError):
        A.add_user(team, "bob", "viewer", "short", "cli:test")
    A.add_user(team, "bob", "viewer", PW, "cli:test")
    assert A.set_role(team, "bob", "analyst", "cli:test").role == "analyst"
    with pytest.raises(UserError):  # the last active admin stays
        A.set_role(team, "alice", "viewer", "cli:test")
    with pytest.raises(UserError):
        A.set_disabled(team, "alice", True, "cli:test")
    assert A.active_admins(team) == 1
    A.reset_password(team, "bob", "another long password", "cli:test")
    with pytest.raises(UserError):
        A.authenticate(team, "bob", PW)
    assert A.authenticate(team, "bob", "another long password").role == "analyst"
    with pytest.raises(NotFound):
        A.get(team, "nobody")
    assert [u["name"] for u in A.list_users(team)] == ["alice", "bob"]


def test_login_throttled_after_repeated_failures(team, quick_hashes):
    A.add_user(team, "carol", "viewer", PW, "cli:test")
    for _ in range(A.PAIR_LIMIT):
        with pytest.raises(UserError) as exc:
            A.authenticate(team, "carol", "wrong password!", "10.0.0.9")
        assert not isinstance(exc.value, A.Throttled)
    with pytest.raises(A.Throttled) as exc:  # even the right password is refused now
        A.authenticate(team, "carol", PW, "10.0.0.9")
    assert 0 < exc.value.retry_after <= A.THROTTLE_WINDOW
    actions = [r["action"] for r in audit.search(team, actor="carol")["rows"]]
    assert actions.count("login.failed") == A.PAIR_LIMIT and "login.throttled" in actions
    A.reset_password(team, "carol", PW, "cli:test")  # an admin's reset clears the failures
    assert A.authenticate(team, "carol", PW, "10.0.0.8").name == "carol"


def test_one_persons_failures_do_not_lock_colleagues_behind_the_same_address(team, quick_hashes):
    """Throttling was per name or per address: five mistakes by anyone behind an office's NAT locked every
    colleague out for 15 minutes, with nothing to clear it. Now per (name, address) and per name, cleared by an
    admin (audited)."""
    A.add_user(team, "erin", "viewer", PW, "cli:test")
    A.add_user(team, "frank", "analyst", PW, "cli:test")
    office = "203.0.113.7"
    for _ in range(A.PAIR_LIMIT):
        with pytest.raises(UserError):
            A.authenticate(team, "erin", "not her password", office)
    with pytest.raises(A.Throttled):
        A.authenticate(team, "erin", PW, office)
    assert A.authenticate(team, "frank", PW, office).name == "frank"  # the colleague at the next desk
    assert A.authenticate(team, "erin", PW, "198.51.100.4").name == "erin"  # erin herself, from home
    listed = [r for r in A.throttles(team) if r["name"] == "erin"]
    assert [(r["ip"], r["failures"], r["scope"]) for r in listed] == [(office, A.PAIR_LIMIT, "address")]
    assert listed[0]["throttled_until"] > listed[0]["last_failure"]
    assert A.clear_throttle(team, "erin", office, "admin1", "10.0.0.1") == A.PAIR_LIMIT
    assert A.authenticate(team, "erin", PW, office).name == "erin"
    entry = audit.search(team, action="login.throttle_clear")["rows"][0]
    assert (entry["actor"], entry["target"], json.loads(entry["detail"])) == (
        "admin1", "erin", {"address": office, "failures": A.PAIR_LIMIT})
    with pytest.raises(NotFound):
        A.clear_throttle(team, "erin", None, "admin1")

    # guessing one name from many addresses: the name is throttled from every address after ACCOUNT_LIMIT
    for i in range(A.ACCOUNT_LIMIT):
        with pytest.raises(UserError) as exc:
            A.authenticate(team, "frank", "guess %d" % i, f"192.0.2.{i % 10}")
        assert not isinstance(exc.value, A.Throttled)
    with pytest.raises(A.Throttled):  # from an address frank has never signed in from
        A.authenticate(team, "frank", PW, "198.51.100.99")
    assert {r["scope"] for r in A.throttles(team) if r["name"] == "frank"} == {"account"}
    assert A.authenticate(team, "erin", PW, office).name == "erin"  # other names are not affected
    assert A.clear_throttle(team, "frank", None, "admin1") == A.ACCOUNT_LIMIT
    assert A.authenticate(team, "frank", PW, "198.51.100.99").name == "frank"


def test_an_outsiders_failures_do_not_keep_the_user_out(team, quick_hashes):
    """Anyone who knew a name could fail ACCOUNT_LIMIT times from anywhere and keep its user out for 15 minutes. The
    name-wide limit now spares the addresses the user signed in from (within KNOWN_DAYS); a guesser is still
    throttled: from new addresses by the name-wide limit, from the user's own address by that address's limit."""
    A.add_user(team, "gina", "analyst", PW, "cli:test")
    desk = "203.0.113.20"
    assert A.authenticate(team, "gina", PW, desk).name == "gina"  # she signs in from her desk as usual
    for i in range(A.ACCOUNT_LIMIT):  # someone else guesses her password from many addresses
        with pytest.raises(UserError) as exc:
            A.authenticate(team, "gina", "guess %d" % i, f"192.0.2.{i}")
        assert not isinstance(exc.value, A.Throttled)
    with pytest.raises(A.Throttled):  # the guesser, even with the right password, from a new address
        A.authenticate(team, "gina", PW, "192.0.2.200")
    with pytest.raises(A.Throttled):  # gina from an address she never used: the name-wide limit holds
        A.authenticate(team, "gina", PW, "198.51.100.50")
    assert A.authenticate(team, "gina", PW, desk).name == "gina"  # gina at her desk is not kept out
    listed = {r["ip"]: r for r in A.throttles(team) if r["name"] == "gina"}
    assert listed["192.0.2.1"]["scope"] == "account"
    # guessing from her own address meets that address's limit
    for _ in range(A.PAIR_LIMIT):
        with pytest.raises(UserError) as exc:
            A.authenticate(team, "gina", "wrong again!", desk)
        assert not isinstance(exc.value, A.Throttled)
    with pytest.raises(A.Throttled):
        A.authenticate(team, "gina", PW, desk)
    assert {r["scope"] for r in A.throttles(team) if r["name"] == "gina" and r["ip"] == desk} == {"address"}


def test_a_session_of_a_user_made_long_ago_lives(team):
    """The session's row was read with the user's columns after it, so the user's created_at stood for the session's:
    every session of a user made more than 12 hours before ended at its first request (signed in, then out)."""
    acc = A.add_user(team, "olde", "viewer", PW, "cli:test")
    with team.tx() as tx:
        tx.execute("UPDATE users SET created_at = '2026-01-01T00:00:00.000000Z' WHERE name = 'olde'")
    sid, csrf = A.create_session(team, acc, "10.0.0.3", "pytest")
    user, token = A.session_user(team, sid)
    assert (user.name, token) == ("olde", csrf)
    assert A.session_user(team, sid)[0].name == "olde"


def test_sessions_idle_timeout_logout_and_disable(team):
    A.add_user(team, "admin1", "admin", PW, "cli:test")
    acc = A.add_user(team, "dave", "analyst", PW, "cli:test")
    sid, csrf = A.create_session(team, acc, "10.0.0.2", "pytest")
    user, token = A.session_user(team, sid)
    assert (user.name, user.role, token) == ("dave", "analyst", csrf)
    with team.tx() as tx:
        assert tx.scalar("SELECT count(*) FROM sessions WHERE id_hash = ?", [sid]) == 0  # only its hash is stored
        tx.execute("UPDATE sessions SET last_seen = '2000-01-01T00:00:00.000000Z'")
    assert A.session_user(team, sid) is None  # idle too long: ended
    sid, _ = A.create_session(team, acc)
    A.end_session(team, sid)
    assert A.session_user(team, sid) is None
    sid, _ = A.create_session(team, acc)
    A.set_disabled(team, "dave", True, "cli:test")
    assert A.session_user(team, sid) is None
    assert A.secret_key(team) == A.secret_key(team) and len(A.secret_key(team)) > 40


def test_api_tokens_hashed_shown_once_revocable(team):
    A.add_user(team, "erin", "viewer", PW, "cli:test")
    tok = A.create_token(team, "erin", "nightly export", "cli:test")
    assert tok["token"].startswith("zs_") and len(tok["token"]) > 40
    with team.tx() as tx:
        assert tx.scalar("SELECT count(*) FROM api_tokens WHERE token_hash = ?", [tok["token"]]) == 0
    listed = A.list_tokens(team, "erin")
    assert "token" not in listed[0] and listed[0]["prefix"] == tok["token"][:10]
    assert A.token_user(team, tok["token"]).name == "erin"
    assert A.token_user(team, tok["token"] + "x") is None
    A.revoke_token(team, tok["id"], "cli:test")
    assert A.token_user(team, tok["token"]) is None
    tok2 = A.create_token(team, "erin", None, "cli:test")
    A.add_user(team, "root1", "admin", PW, "cli:test")
    A.set_disabled(team, "erin", True, "cli:test")
    assert A.token_user(team, tok2["token"]) is None


def test_audit_log_append_only_and_chained(team):
    for i in range(5):
        audit.record(team, "frank", "person.read", f"enterprise:{i}", {"fields": ["phone"]}, "10.1.1.1")
    assert audit.verify(team) == {"ok": True, "entries": 5, "first_bad": None}
    for sql in ("UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"):
            with team.tx() as tx:
                tx.execute(sql)
    assert audit.search(team, actor="frank")["total"] == 5
    res = audit.search(team, action="person", q="enterprise:3")
    assert res["total"] == 1 and res["rows"][0]["ip"] == "10.1.1.1"
    # an edit made behind the app's back (triggers switched off by the database owner) breaks the chain
    with team.tx() as tx:
        if team.dialect == "sqlite":
            tx.execute("DROP TRIGGER audit_log_no_update")
        else:
            tx.execute("ALTER TABLE audit_log DISABLE TRIGGER USER")
        tx.execute("UPDATE audit_log SET target = 'enterprise:99' WHERE target = 'enterprise:2'")
    bad = audit.verify(team)
    assert not bad["ok"] and bad["first_bad"] == 3


def test_audit_chain_under_concurrent_writers(team):
    def worker(k):
        for i in range(10):
            audit.record(team, f"w{k}", "export", f"file{i}")

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert audit.verify(team) == {"ok": True, "entries": 40, "first_bad": None}


def test_backup_restore_round_trip_and_across_backends(team, tmp_path):
    A.add_user(team, "gina", "admin", PW, "cli:test")
    tok = A.create_token(team, "gina", "ci", "cli:test")
    audit.record(team, "gina", "export", "enterprises.xlsx", {"rows": 10})
    path = tmp_path / "team-backup.jsonl"
    header = backup(team, path)
    assert header["tables"]["users"] == 1 and header["tables"]["audit_log"] == 3
    A.add_user(team, "later", "viewer", PW, "cli:test")  # changes after the backup are replaced by the restore
    restore(team, path)
    assert [u["name"] for u in A.list_users(team)] == ["gina"]
    assert A.token_user(team, tok["token"]).name == "gina"
    assert audit.verify(team)["ok"] and audit.verify(team)["entries"] == 3
    assert A.add_user(team, "next", "viewer", PW, "cli:test").id == 2  # ids go on after the restored ones
    other = open_team_db(str(tmp_path / "other.sqlite"))  # the same file restores on the embedded backend
    restore(other, path)
    assert A.authenticate(other, "gina", PW).role == "admin" and audit.verify(other)["ok"]
    with open(path, "a", encoding="utf-8") as f:  # a damaged file is refused and nothing changes
        f.write(json.dumps({"table": "users", "row": {"id": 9, "name": "x"}}) + "\n")
    with pytest.raises(UserError):
        restore(team, path)
    assert {u["name"] for u in A.list_users(team)} == {"gina", "next"}


def test_a_backup_made_before_migration_80_restores_the_users_last_activity(team, tmp_path):
    """Migration 80 filled users' last activity (最近活动) from the sessions and the log's logins at the upgrade; a
    restore of a backup made before it re-created the tables empty, ran that fill on nothing, then inserted the users
    without it: every last_seen was empty. The fill now runs on the restored rows too (the log's logins: no session
    survives a restore)."""
    A.add_user(team, "hana", "analyst", PW, "cli:test")
    A.add_user(team, "ivan", "viewer", PW, "cli:test")  # never signed in
    A.create_session(team, A.authenticate(team, "hana", PW, "10.0.0.3"), "10.0.0.3")  # signs in on the page
    login_at = [r for r in audit.search(team, action="login")["rows"] if r["actor"] == "hana"][0]["at"]
    path = tmp_path / "now.jsonl"
    backup(team, path)
    lines = path.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    header["migrations"] = [v for v in header["migrations"] if v < 80]  # as a version before migration 80 wrote it
    old = [json.dumps(header, ensure_ascii=False)]
    for line in lines[1:]:
        item = json.loads(line)
        if item["table"] == "users":
            item["row"].pop("last_seen", None)
        old.append(json.dumps(item, ensure_ascii=False))
    before80 = tmp_path / "before80.jsonl"
    before80.write_text("\n".join(old) + "\n", encoding="utf-8")
    restore(team, before80)
    seen = {u["name"]: u["last_seen"] for u in A.list_users(team)}
    assert seen["hana"] == login_at and seen["ivan"] is None, seen
    restore(team, path)  # a backup made after it keeps what it holds (the session's time)
    assert {u["name"]: u["last_seen"] for u in A.list_users(team)}["hana"] >= login_at


WRITER = r"""
import sys
from zhaoshang.core.teamstate import open_team_db
from zhaoshang.services.team import audit
from zhaoshang.services.team.accounts import add_user
team = open_team_db(sys.argv[1])
for i in range(100000):
    audit.record(team, "writer", "export", f"file{i}")
    if i % 10 == 0:
        add_user(team, f"user{i}", "viewer", "long enough password", "writer")
    print(i, flush=True)
"""


def test_kill_9_loses_nothing_committed(team_url):
    open_team_db(team_url).close()
    proc = subprocess.Popen([sys.executable, "-c", WRITER, team_url], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    committed = -1
    deadline = time.time() + 60
    while committed < 40 and time.time() < deadline:
        committed = int(proc.stdout.readline())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert committed >= 40
    team = open_team_db(team_url)
    with team.tx() as tx:
        n = tx.scalar("SELECT count(*) FROM audit_log")
        users = tx.scalar("SELECT count(*) FROM users")
        if team.dialect == "sqlite":
            assert tx.scalar("PRAGMA integrity_check") == "ok"
    assert n >= committed + 1  # every entry reported as committed is there (one more may have committed)
    assert users >= committed // 10 + 1
    assert audit.verify(team)["ok"]
    team.close()
