"""Audit log times are shown to the second — the CLI table and the admin page in a real browser — while JSON and
the exports keep the stored time (microseconds) the audit chain is computed over."""

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
    assert stored[:10] + " " + stored[11:19] in table and stored not in table and not re.search(r":\d\d\.\d{6}", table)
    out = tmp_path / "audit.csv"
    run("team", "audit", "-o", out, db=db)
    with open(out, encoding="utf-8-sig") as fh:
        ats = [r["时间 (UTC)"] for r in csv.DictReader(fh)]  # headed in the command's language (zh by default)
    assert stored in ats and all(STORED.fullmatch(a) for a in ats)


def test_admin_page_shows_audit_times_to_the_second(tmp_path, chromium):
    require_browser()

    db = _db(tmp_path)
    stored = run_json("team", "audit", db=db)["rows"][0]["at"]
    with serving(db) as base, chromium as b:
        pg = b.new_page()
        pg.goto(base + "/admin")
        cells = pg.locator("#audit-table td.audit-at")
        assert cells.count() >= 1
        shown = cells.all_inner_texts()
        assert all(SECOND.fullmatch(s) for s in shown), shown
        assert stored[:10] + " " + stored[11:19] in shown
        assert cells.first.get_attribute("title") and STORED.fullmatch(cells.first.get_attribute("title"))
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
    assert created[:10] + " " + created[11:19] in run("users", "list", db=db, env={"COLUMNS": "250"}).stdout
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
        assert revoked[:10] + " " + revoked[11:19] in pg.inner_text("#tokens"), text
        assert not re.search(r"\d\dT\d\d:\d\d:\d\d", text), text
        b.close()
