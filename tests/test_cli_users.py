"""``zhaoshang users`` / ``zhaoshang team`` run as commands; the team state survives rebuilding the data;
``serve`` on a network address refuses to start without an admin."""

from __future__ import annotations

import csv
import io
import json

from cli_util import run, run_json
from test_audit_times import shown_as

PW = "a long enough password\n"


def test_users_lifecycle_from_the_command_line(tmp_path):
    db = tmp_path / "z.duckdb"
    p = run("users", "add", "alice", "--role", "admin", "--password-stdin", db=db, input=PW)
    assert "alice" in p.stderr and "admin" in p.stderr and p.stdout == ""
    p = run("users", "add", "bob", db=db)  # no password given, not a terminal: one is generated and shown once
    generated = p.stdout.strip().rsplit(" ", 1)[-1]
    assert len(generated) >= 12
    users = {u["name"]: u for u in run_json("users", "list", db=db)}
    assert users["bob"]["role"] == "viewer" and users["alice"]["role"] == "admin"
    run("users", "set-role", "bob", "analyst", db=db)
    assert {u["name"]: u["role"] for u in run_json("users", "list", db=db)}["bob"] == "analyst"
    # the table names roles in the UI language (a Chinese table printed admin, analyst); CSV keeps the codes
    wide = {"COLUMNS": "200"}
    table = run("users", "list", db=db, env=wide).stdout
    assert "管理员" in table and "分析师" in table and "admin" not in table and "analyst" not in table, table
    assert "administrator" in run("--lang", "en", "users", "list", db=db, env=wide).stdout
    assert {r["name"]: r["role"] for r in csv.DictReader(io.StringIO(run("users", "list", "--format", "csv", db=db).stdout))} == {
        "alice": "admin", "bob": "analyst"}
    run("users", "disable", "bob", db=db)
    assert {u["name"]: u["disabled"] for u in run_json("users", "list", db=db)}["bob"] is True
    run("users", "enable", "bob", db=db)
    run("users", "reset-password", "bob", "--password-stdin", db=db, input="another long password\n")

    from zhaoshang.core.teamstate import open_team_db
    from zhaoshang.services.team import accounts

    team = open_team_db(str(tmp_path / "z.team.sqlite"))  # beside the database, by default
    assert accounts.authenticate(team, "bob", "another long password").role == "analyst"

    errors = [run("users", "add", "alice", "--password-stdin", db=db, input=PW, check=False),
              run("users", "set-role", "alice", "viewer", db=db, check=False),   # the last admin stays
              run("users", "add", "carol", "--role", "boss", "--password-stdin", db=db, input=PW, check=False),
              run("users", "disable", "nobody", db=db, check=False)]
    for e in errors:
        assert e.returncode == 2 and e.stderr.startswith("错误:") and "Traceback" not in e.stderr

    audit = run_json("team", "audit", "--action", "user.", db=db)
    assert audit["total"] == 6 and {r["actor"] for r in audit["rows"]} == {audit["rows"][0]["actor"]}
    assert audit["rows"][0]["actor"].startswith("cli:")
    # the table's headers say what the columns hold: a user's role (not a person's 职务 / job title), the entry's
    # object (not an alert's 投递地址 / delivery address)
    for lang, want, wrong in (("zh", ("角色", "对象"), ("职务", "投递地址")), ("en", ("Role", "Target"), ())):
        table = run("--lang", lang, "team", "audit", "--action", "user.set_role", db=db, env={"COLUMNS": "200"}).stdout
        assert all(w in table for w in want) and not any(w in table for w in wrong), table
        # the export's headers: the same words, not the stored column names
        out = tmp_path / f"audit-{lang}.csv"
        run("--lang", lang, "team", "audit", "--output", str(out), db=db)
        head = out.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
        assert head == (["编号", "时间 (UTC+8)", "用户", "角色", "动作", "对象", "详情", "来源地址"] if lang == "zh" else
                        ["ID", "Time (UTC+8)", "User", "Role", "Action", "Target", "Detail", "From"]), head


def test_login_throttles_listed_and_cleared_from_the_command_line(tmp_path):
    """An admin on the server's shell sees who is throttled and clears it (audited): before, nothing could."""
    from zhaoshang.core.teamstate import open_team_db
    from zhaoshang.services.team import accounts

    db = tmp_path / "z.duckdb"
    run("users", "add", "gina", "--password-stdin", db=db, input=PW)
    team = open_team_db(str(tmp_path / "z.team.sqlite"))
    for _ in range(accounts.PAIR_LIMIT):
        try:
            accounts.authenticate(team, "gina", "a wrong password", "203.0.113.5")
        except accounts.UserError:
            pass
    listed = run_json("users", "throttles", db=db)
    assert [(r["name"], r["ip"], r["failures"], r["scope"]) for r in listed] == [("gina", "203.0.113.5", 5, "address")]
    table = run("--lang", "en", "users", "throttles", db=db, env={"COLUMNS": "200"}).stdout
    assert "gina" in table and "203.0.113.5" in table
    refused = run("users", "unlock", "gina", "--address", "198.51.100.1", db=db, check=False)
    assert refused.returncode == 2 and "198.51.100.1" in refused.stderr
    p = run("users", "unlock", "gina", db=db)
    assert "gina" in p.stderr and "5" in p.stderr
    assert run_json("users", "throttles", db=db) == []
    assert accounts.authenticate(team, "gina", PW.strip(), "203.0.113.5").name == "gina"
    entry = run_json("team", "audit", "--action", "login.throttle_clear", db=db)["rows"][0]
    assert entry["actor"].startswith("cli:") and entry["target"] == "gina"
    team.close()


def test_tokens_from_the_command_line(tmp_path):
    db = tmp_path / "z.duckdb"
    run("users", "add", "svc", "--role", "viewer", "--password-stdin", db=db, input=PW)
    p = run("users", "token", "create", "svc", "--label", "nightly", db=db)
    token = p.stdout.strip()
    assert token.startswith("zs_") and "只显示这一次" in p.stderr
    listed = run_json("users", "token", "list", db=db)
    assert listed[0]["prefix"] == token[:10] and token not in json.dumps(listed)
    table = run("users", "token", "list", db=db, env={"COLUMNS": "200"}).stdout
    assert "用途" in table and "nightly" in table and "判断" not in table, table  # the label's header, not a chain label's
    run("users", "token", "revoke", str(listed[0]["id"]), db=db)
    assert run_json("users", "token", "list", "svc", db=db)[0]["revoked_at"]
    assert run("users", "token", "revoke", "99", db=db, check=False).returncode == 2
    again = run("--lang", "en", "users", "token", "revoke", str(listed[0]["id"]), db=db, check=False)
    assert again.returncode == 2 and "was already revoked at" in again.stderr, again.stderr
    audit = run_json("team", "audit", "--action", "token.revoke", db=db)
    assert audit["total"] == 1, audit  # one revocation, one entry


def test_backup_restore_and_rebuilding_the_data_keeps_the_team(tmp_path):
    db = tmp_path / "z.duckdb"
    run("users", "add", "alice", "--role", "admin", "--password-stdin", db=db, input=PW)
    csv = tmp_path / "e.csv"
    csv.write_text("企业名称,统一社会信用代码,所属省份\n杭州示例科技有限公司,,浙江省\n", encoding="utf-8")
    run("import", "enterprises", csv, db=db)
    db.unlink()  # the analytical database is replaced
    run("import", "enterprises", csv, db=db)
    assert [u["name"] for u in run_json("users", "list", db=db)] == ["alice"]

    backup = tmp_path / "team.jsonl"
    run("team", "backup", backup, db=db)
    run("users", "add", "later", "--password-stdin", db=db, input=PW)
    refused = run("team", "restore", backup, db=db, check=False)
    assert refused.returncode == 2 and "--yes" in refused.stderr
    p = run("team", "restore", backup, "--yes", db=db)
    assert "完整" in p.stderr and "备份之后的审计记录 1 条已保留" in p.stderr, p.stderr
    made = json.loads(backup.read_text(encoding="utf-8").splitlines()[0])["created_at"]  # stored to the microsecond
    assert f"（备份于 {shown_as(made)} (UTC+8)）" in p.stderr and made not in p.stderr, p.stderr
    assert [u["name"] for u in run_json("users", "list", db=db)] == ["alice"]
    status = run_json("team", "status", db=db)
    assert status["backend"] == "sqlite" and status["audit_chain"]["ok"]
    # the restore replaced the users but not the log: the entry written after the backup (user.add later) stays, as it
    # was written, before the restore's own entry, and the chain holds (it was erased and its id reused)
    log = run_json("team", "audit", "--limit", "3", db=db)["rows"]
    assert [(r["action"], r["target"]) for r in log] == [("team.restore", str(backup)), ("user.add", "later"),
                                                        ("team.backup", str(backup))]
    assert json.loads(log[0]["detail"])["audit_entries_kept"] == 1
    again = run("--lang", "en", "team", "restore", backup, "--yes", db=db)  # the restore's entry is kept in turn
    assert "2 audit entries written since the backup kept" in again.stderr, again.stderr
    assert f"(backed up {shown_as(made)} (UTC+8))" in again.stderr, again.stderr
    assert run_json("team", "status", db=db)["audit_chain"]["ok"]
    out = tmp_path / "audit.csv"
    run("team", "audit", "--output", out, db=db)
    assert "user.add" in out.read_text(encoding="utf-8-sig")
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not a backup\n")
    assert run("team", "restore", bad, "--yes", db=db, check=False).returncode == 2


def test_a_backup_carries_the_team_not_its_sessions_or_throttles(tmp_path):
    """A backup held the sessions and the failed logins: a restore brought back a session that had been ended at
    logout and a throttle long forgotten. Now it holds the team's state only, and a restore ends every session —
    on a team server really serving on loopback."""
    import re

    import httpx

    from web_util import serving

    db = tmp_path / "z.duckdb"
    csv = tmp_path / "e.csv"
    csv.write_text("企业名称,统一社会信用代码,所属省份\n杭州示例科技有限公司,,浙江省\n", encoding="utf-8")
    run("import", "enterprises", csv, db=db)
    run("users", "add", "hana", "--role", "admin", "--password-stdin", db=db, input=PW)
    run("users", "add", "ivan", "--password-stdin", db=db, input=PW)
    backup = tmp_path / "team.jsonl"
    with serving(db, args=("--require-login",)) as base:
        def client(name=None, password=PW.strip()):
            c = httpx.Client(base_url=base)
            if name:
                token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
                c.post("/login", data={"name": name, "password": password, "csrf_token": token})
            return c

        ended = client("hana")
        assert ended.get("/api/me").json()["name"] == "hana"
        for _ in range(5):
            client("ivan", "not ivan's password")
        assert client("ivan").get("/api/me").status_code == 401  # throttled
        run("team", "backup", backup, db=db)
        lines = [json.loads(line) for line in backup.read_text(encoding="utf-8").splitlines()]
        assert not {"sessions", "login_failures"} & (set(lines[0]["tables"]) | {it["table"] for it in lines[1:]})
        assert {"users", "audit_log", "api_tokens"} <= set(lines[0]["tables"])
        cookie = dict(ended.cookies)
        ended.post("/logout", headers={"X-CSRF-Token": re.search(r'name="csrf_token" value="([^"]+)"',
                                                                  ended.get("/admin").text).group(1)})
        assert httpx.get(base + "/api/me", cookies=cookie).status_code == 401  # ended at logout
        live = client("hana")  # signed in after the backup
        assert live.get("/api/me").status_code == 200
        p = run("team", "restore", backup, "--yes", db=db)
        assert "所有会话已结束" in p.stderr, p.stderr
        assert httpx.get(base + "/api/me", cookies=cookie).status_code == 401  # the ended session stays ended
        assert live.get("/api/me").status_code == 401  # every session ends at a restore
        assert client("ivan").get("/api/me").json()["name"] == "ivan"  # no old throttle
        assert client("hana").get("/api/me").json()["name"] == "hana"


def test_cli_exports_of_personal_data_are_audited(tmp_path):
    db = tmp_path / "z.duckdb"
    csv = tmp_path / "c.csv"
    csv.write_text("姓名,单位,电话,邮箱\n李四,示例科技,13800138000,li@example.com\n", encoding="utf-8")
    run("import", "contacts", csv, db=db)
    run("export", "contacts", "-o", tmp_path / "out.csv", db=db)
    run("export", "patents", "-o", tmp_path / "p.csv", db=db)  # no personal data: not audited
    entries = run_json("team", "audit", "--action", "export", db=db)["rows"]
    assert [(e["action"], e["target"]) for e in entries] == [("export", "contacts")]
    assert '"rows": 1' in entries[0]["detail"] and entries[0]["actor"].startswith("cli:")


def test_team_state_on_postgresql_by_url(tmp_path, postgres_url):
    from pg_util import fresh_schema

    url = fresh_schema(postgres_url)
    run("--team-db", url, "users", "add", "pgadmin", "--role", "admin", "--password-stdin", input=PW)
    assert [u["name"] for u in run_json("--team-db", url, "users", "list")] == ["pgadmin"]
    status = run_json("--team-db", url, "team", "status")
    assert status["backend"] == "postgresql" and not (tmp_path / "zhaoshang.team.sqlite").exists()


def test_serve_on_the_network_needs_an_admin(tmp_path):
    db = tmp_path / "z.duckdb"
    p = run("serve", "--host", "0.0.0.0", "--port", "1", db=db, check=False, timeout=60)
    assert p.returncode == 2 and "zhaoshang users add NAME --role admin" in p.stderr
    p = run("serve", "--require-login", "--port", "1", db=db, check=False, timeout=60)
    assert p.returncode == 2 and "zhaoshang users add" in p.stderr


def test_team_audit_days_read_by_the_one_date_parser(tmp_path):
    """--since / --until are days a user types: a month runs to its last day, 2026年… is read, a day that does not
    exist or lies ahead is one line and exit code 2 (they were compared as text: --until 2026-12 left December out,
    --since 2026-13-01 answered nothing, quietly)."""
    import datetime as dt

    from zhaoshang.core.parse.dates import china_today

    db = tmp_path / "z.duckdb"
    run("users", "add", "alice", "--role", "admin", "--password-stdin", db=db, input=PW)
    today = china_today()  # the day in China, as the days typed are read
    month, year = today.strftime("%Y-%m"), str(today.year)
    for since, until in ((month, month), (year, year), (today.isoformat(), today.isoformat()),
                         (f"{today.year}年{today.month}月{today.day}日", None), (None, today.strftime("%Y%m%d"))):
        args = (["--since", since] if since else []) + (["--until", until] if until else [])
        assert run_json("team", "audit", *args, db=db)["total"] == 1, args  # the user.add of today
    assert run_json("team", "audit", "--until", (today - dt.timedelta(days=1)).isoformat(), db=db)["total"] == 0
    for args, words in ((["--since", f"{today.year}-13-01"], "无效的起始日期"), (["--until", f"{today.year}-02-30"], "无效的截止日期"),
                        (["--until", (today + dt.timedelta(days=40)).isoformat()], "晚于今天")):
        p = run("team", "audit", *args, db=db, check=False)
        assert p.returncode == 2 and p.stderr.startswith("错误:") and words in p.stderr and len(p.stderr.splitlines()) == 1, p.stderr
        assert run("team", "audit", *args, "--output", tmp_path / "a.csv", db=db, check=False).returncode == 2
    p = run("--lang", "en", "team", "audit", "--since", "2024-02-30", db=db, check=False)
    assert p.returncode == 2 and p.stderr.startswith("error: invalid since date: 2024-02-30"), p.stderr
    # a range that ends before it starts is refused, not answered with an empty log
    day, before = today.isoformat(), (today - dt.timedelta(days=4)).isoformat()
    p = run("team", "audit", "--since", day, "--until", before, db=db, check=False)
    assert p.returncode == 2 and p.stderr.strip() == f"错误: 起始日期 {day} 晚于截止日期 {before}", p.stderr


def test_team_audit_days_are_days_in_china(tmp_path):
    """--since / --until name days in China (Asia/Shanghai), as every date a user types; the entries are stored in
    UTC, and were compared with the UTC day: an entry at 2024-03-01 00:30 in China (2024-02-29T16:30Z) was left out of
    --since 2024-03-01 and found by --until 2024-02-29."""
    from zhaoshang.core.teamstate import open_team_db
    from zhaoshang.services.team import audit

    db = tmp_path / "z.duckdb"
    run("users", "add", "alice", "--role", "admin", "--password-stdin", db=db, input=PW)
    team = open_team_db(None, db_path=str(db))
    # just before and just after China's midnights starting and ending 2024-03-01 (UTC+8)
    times = {"feb29-late": "2024-02-29T15:59:59.999999Z", "mar1-early": "2024-02-29T16:00:00.000000Z",
             "mar1-late": "2024-03-01T15:59:59.999999Z", "mar2-early": "2024-03-01T16:00:00.000000Z"}
    with team.tx(exclusive=True) as tx:
        audit.append_entries(tx, [{"at": at, "actor": "cli:test", "role": None, "action": "test.mark", "target": name,
                                   "detail": None, "ip": None} for name, at in times.items()])
    assert audit.verify(team)["ok"]
    team.close()

    def targets(*args):
        return sorted(r["target"] for r in run_json("team", "audit", "--action", "test.", *args, db=db)["rows"])

    assert targets("--since", "2024-03-01", "--until", "2024-03-01") == ["mar1-early", "mar1-late"]
    assert targets("--until", "2024-02-29") == ["feb29-late"]
    assert targets("--since", "2024-03-02") == ["mar2-early"]
    assert targets("--since", "2024年3月", "--until", "2024-03") == ["mar1-early", "mar1-late", "mar2-early"]
    out = tmp_path / "a.csv"  # the export selects the same entries
    run("team", "audit", "--action", "test.", "--since", "2024-03-01", "--until", "2024-03-01", "--output", out, db=db)
    with open(out, encoding="utf-8-sig", newline="") as fh:
        assert sorted(r["对象"] for r in csv.DictReader(fh)) == ["mar1-early", "mar1-late"]


def _recorded_actions() -> set[str]:
    """Every audit action the source writes by name (``audit.record(team, actor, "user.add", …)``, either side of a
    conditional), read from the syntax trees; actions made with an f-string are listed by the test below."""
    import ast
    from pathlib import Path

    import zhaoshang

    found = set()
    for f in Path(zhaoshang.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "record"
                    and getattr(node.func.value, "id", None) == "audit" and len(node.args) >= 3):
                arg = node.args[2]
                for part in ([arg.body, arg.orelse] if isinstance(arg, ast.IfExp) else [arg]):
                    if isinstance(part, ast.Constant) and isinstance(part.value, str):
                        found.add(part.value)
    return found


def test_every_audit_action_and_role_has_its_name_in_both_languages(tmp_path):
    """The audit table showed codes (person.read, admin) on the Chinese page and in the CLI's table: each action and
    role is named in one place (labels.py) in both languages; JSON keeps the codes."""
    import re
    from pathlib import Path

    from zhaoshang.interfaces.labels import AUDIT_ACTIONS, TEAM_ROLES
    from zhaoshang.services.chain.corrections import ACTIONS as PLACEMENT
    from zhaoshang.services.team.roles import ROLES

    written = _recorded_actions() | {f"placement.{a}" for a in PLACEMENT} | {"person.confirm", "person.split",
                                                                             "data.import", "data.classify"}
    assert len(written) > 20 and written <= set(AUDIT_ACTIONS), sorted(written - set(AUDIT_ACTIONS))
    docs = (Path(__file__).resolve().parents[1] / "docs/security.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([a-z_]+\.[a-z_]+|login|logout|export)`", docs.split("Actions:")[1].split("- **")[0]))
    assert named and named <= set(AUDIT_ACTIONS), sorted(named - set(AUDIT_ACTIONS))
    assert written <= named, sorted(written - named)  # every action written has its code in the doc (to filter by)
    assert set(TEAM_ROLES) == set(ROLES)

    db = tmp_path / "z.duckdb"
    run("users", "add", "kim", "--role", "admin", "--password-stdin", db=db, input=PW)
    zh = run("team", "audit", db=db, env={"COLUMNS": "200"}).stdout
    en = run("--lang", "en", "team", "audit", db=db, env={"COLUMNS": "200"}).stdout
    assert "添加用户" in zh and "user.add" not in zh and "user added" in en and "user.add" not in en
    assert run_json("team", "audit", db=db)["rows"][0]["action"] == "user.add"


def test_team_status_names_the_location_whole_and_backup_lists_in_english(tmp_path, team_url):
    """``team status`` wrapped its title (the backend and location) to the table's width, splitting the location
    (postgresql://zs@127.0.0.1:8872/p / ostgres); ``team backup --lang en`` listed the tables with a full-width ，."""
    if "://" not in team_url:  # a SQLite file in a folder with a long name, as long as a PostgreSQL URL
        folder = tmp_path / "a-folder-name-long-enough-to-be-wider-than-the-table"
        folder.mkdir()
        team_url = str(folder / "team.sqlite")
    out = run("--lang", "en", "--team-db", team_url, "team", "status", env={"COLUMNS": "80"}).stdout
    first = out.splitlines()[0].strip()
    assert first.endswith(team_url.split("://")[-1].split("@")[-1]) and first.split(": ", 1)[0] in ("sqlite", "postgresql"), out
    p = run("--lang", "en", "--team-db", team_url, "team", "backup", tmp_path / "team.bak")
    listed = p.stderr.split(": ", 1)[1]
    assert "，" not in p.stderr and ", users 0, " in listed, p.stderr
    assert "，users 0，" in run("--team-db", team_url, "team", "backup", tmp_path / "team2.bak").stderr
