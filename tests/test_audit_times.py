"""Audit log times are shown to the second in China's time, as import times are — the CLI table, the export and the
admin page in a real browser, under 时间 (UTC+8) — while JSON keeps the stored UTC time (microseconds) the audit chain
is computed over; a day filter finds an entry by the day it is shown on."""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from cli_util import run, run_json  # noqa: E402
from web_util import require_browser, serving  # noqa: E402

SECOND = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
STORED = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


def shown_as(stored: str) -> str:
    """A stored UTC time as people are shown it in a column headed (UTC+8): China's time (UTC+8, no daylight saving)
    to the second — worked out here, not by the product's formatter."""
    import datetime as dt

    return (dt.datetime.strptime(stored, "%Y-%m-%dT%H:%M:%S.%fZ") + dt.timedelta(hours=8)).strftime("%Y-%m-%d %H:%M:%S")


def _moment(text: str):
    import datetime as dt

    return dt.datetime.strptime(re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", text).group(0), "%Y-%m-%d %H:%M:%S")


def _db(tmp_path) -> Path:
    """A private copy of a store holding one imported company: the import is written to the audit log (data.import).
    Built once per run (tests/built_once.py)."""
    from built_once import build_or_copy

    def make(db: Path) -> None:
        f = db.with_suffix(".csv")
        f.write_text("企业名称,成立日期,所属省份,所属城市\n甲星智能科技有限公司,2015-03-01,浙江,杭州\n", encoding="utf-8")
        run("import", "enterprises", f, db=db)

    build_or_copy(tmp_path / "t.duckdb", "audit-times", make)
    return tmp_path / "t.duckdb"


def test_cli_audit_table_to_the_second_json_and_export_full(tmp_path):
    db = _db(tmp_path)
    stored = run_json("team", "audit", db=db)["rows"][0]["at"]
    assert STORED.fullmatch(stored), stored
    table = run("team", "audit", db=db, env={"COLUMNS": "250"}).stdout
    assert shown_as(stored) in table and stored not in table and not re.search(r":\d\d\.\d{6}", table)
    assert "时间 (UTC+8)" in table and "(UTC)" not in table, table
    out = tmp_path / "audit.csv"
    run("team", "audit", "-o", out, db=db)
    with open(out, encoding="utf-8-sig") as fh:
        ats = [r["时间 (UTC+8)"] for r in csv.DictReader(fh)]  # headed in the command's language (zh by default)
    assert shown_as(stored) in ats and all(SECOND.fullmatch(a) for a in ats), ats  # as the table shows it


def test_an_import_and_its_audit_entry_show_the_same_time(tmp_path):
    """The import and the data.import entry it wrote are moments apart: status and team audit show them on one clock
    (they were 8 hours apart, the audit entry in UTC)."""
    db = _db(tmp_path)
    status = run("status", db=db, env={"COLUMNS": "250"}).stdout
    imported = _moment(status.split("最近一次导入")[1])  # the last import's 时间, its zone said
    entry = run_json("team", "audit", "--action", "data.import", db=db)["rows"][0]
    table = run("team", "audit", "--action", "data.import", db=db, env={"COLUMNS": "250"}).stdout
    logged = _moment(table)
    assert abs((logged - imported).total_seconds()) < 120, (imported, logged, entry["at"])
    assert "(UTC+8)" in status.split("最近一次导入")[1] and "最近导入 (UTC+8)" in status, status
    assert "时间 (UTC+8)" in table, table


def test_a_day_filter_finds_an_entry_on_the_day_it_is_shown(tmp_path):
    """An entry stored at 2024-02-29T17:00Z is shown at 2024-03-01 01:00:00 and found by --since/--until on March 1st,
    not on February 29th — in the table, the export and on the admin page (it was shown at 2024-02-29 17:00:00 yet
    found on March 1st only)."""
    from web_util import local_client

    from zhaoshang.core.teamstate import open_team_db
    from zhaoshang.interfaces.web.app import create_app
    from zhaoshang.services.team import audit

    db = _db(tmp_path)
    team = open_team_db(None, db_path=str(db))
    with team.tx(exclusive=True) as tx:
        audit.append_entries(tx, [{"at": "2024-02-29T17:00:00.000000Z", "actor": "wang", "role": "analyst",
                                   "action": "lead.move", "target": "after-midnight", "detail": None, "ip": None},
                                  {"at": "2024-02-29T15:59:59.000000Z", "actor": "wang", "role": "analyst",
                                   "action": "lead.move", "target": "before-midnight", "detail": None, "ip": None}])
    team.close()

    def found(day: str) -> str:
        return run("team", "audit", "--since", day, "--until", day, "--q", "midnight", db=db,
                   env={"COLUMNS": "250"}).stdout

    first, leap = found("2024-03-01"), found("2024-02-29")
    assert "after-midnight" in first and "2024-03-01 01:00:00" in first, first
    assert "before-midnight" not in first
    assert "after-midnight" not in leap and "before-midnight" in leap and "2024-02-29 23:59:59" in leap, leap
    out = tmp_path / "day.csv"
    run("team", "audit", "--since", "2024-03-01", "--until", "2024-03-01", "--q", "midnight", "-o", out, db=db)
    with open(out, encoding="utf-8-sig") as fh:
        assert [(r["时间 (UTC+8)"], r["对象"]) for r in csv.DictReader(fh)] == [("2024-03-01 01:00:00", "after-midnight")]
    with local_client(create_app(str(db))) as c:
        page = c.get("/admin", params={"since": "2024-03-01", "until": "2024-03-01", "q": "midnight"}).text
    cells = re.findall(r'<td class="audit-at" title="([^"]+)">([^<]+)</td>', page)
    assert cells == [("2024-02-29T17:00:00.000000Z", "2024-03-01 01:00:00")], cells


def test_admin_page_shows_audit_times_to_the_second(tmp_path, chromium):
    require_browser()

    db = _db(tmp_path)
    stored = run_json("team", "audit", db=db)["rows"][0]["at"]
    eid = run_json("show", "甲星智能科技有限公司", db=db)["enterprise"]["id"]
    with serving(db) as base, chromium as b:
        pg = b.new_page()
        pg.goto(base + "/admin")
        cells = pg.locator("#audit-table td.audit-at")
        assert cells.count() >= 1
        shown = cells.all_inner_texts()
        assert all(SECOND.fullmatch(s) for s in shown), shown
        assert shown_as(stored) in shown
        assert cells.first.get_attribute("title") and STORED.fullmatch(cells.first.get_attribute("title"))
        assert pg.inner_text("#audit-table thead th:nth-child(2)") == "时间 (UTC+8)"
        # the import's entry and the import itself (the profile's 最近导入) on one clock: moments apart, not 8 hours
        logged = _moment(pg.locator('#audit-table tr:has(td.audit-action[data-code="data.import"]) td.audit-at')
                         .first.inner_text())
        pg.goto(f"{base}/enterprises/{eid}")
        imported = _moment(pg.inner_text('#source-list tr[data-kind="enterprises"] td:last-child'))
        assert abs((logged - imported).total_seconds()) < 120, (logged, imported)
        assert pg.inner_text("#source-list thead th:last-child") == "最近导入 (UTC+8)"
        b.close()


def test_users_and_tokens_times_to_the_second(tmp_path, chromium):
    """users list / users token list tables and the admin page's users and tokens show team-state times to the second
    (they printed 2026-12-02T17:37:40.376683Z); JSON keeps the stored time."""
    require_browser()

    db = _db(tmp_path)
    run("users", "add", "boss", "--role", "admin", "--password-stdin", db=db, input="a long enough password\n")
    run("users", "token", "create", "boss", "--label", "脚本", db=db)
    run("users", "token", "create", "boss", "--label", "旧脚本", db=db)
    run("users", "token", "revoke", "2", db=db)
    created = run_json("users", "list", db=db)[0]["created_at"]
    revoked = run_json("users", "token", "list", db=db)[-1]["revoked_at"]
    assert STORED.fullmatch(created) and STORED.fullmatch(revoked)
    for args in (["users", "list"], ["users", "token", "list"]):
        table = run(*args, db=db, env={"COLUMNS": "250"}).stdout
        assert SECOND.search(table) and not re.search(r"\d\dT\d\d:\d\d:\d\d", table), table
    listed = run("users", "list", db=db, env={"COLUMNS": "250"}).stdout
    assert shown_as(created) in listed and "创建时间 (UTC+8)" in listed and "最近活动 (UTC+8)" in listed, listed
    with serving(db, args=("--require-login",)) as base, chromium as b:
        pg = b.new_page()
        pg.goto(base + "/login")
        pg.fill("#login-name", "boss")
        pg.fill("#login-password", "a long enough password")
        pg.click("#login-submit")
        pg.wait_for_load_state("networkidle")
        pg.goto(base + "/admin")
        text = pg.inner_text("#users") + pg.inner_text("#tokens")
        assert SECOND.search(pg.inner_text("#users")), text  # boss's last activity: the login just made
        assert shown_as(revoked) + " (UTC+8)" in pg.inner_text("#tokens"), text  # 已吊销 …, its zone said
        assert "最近活动 (UTC+8)" in pg.inner_text("#users") and "创建 (UTC+8)" in pg.inner_text("#tokens"), text
        assert not re.search(r"\d\dT\d\d:\d\d:\d\d", text), text
        b.close()
