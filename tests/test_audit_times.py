"""Audit log times are shown to the second — the CLI table and the admin page in a real browser — while JSON and
the exports keep the stored time (microseconds) the audit chain is computed over."""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from cli_util import run, run_json  # noqa: E402
from web_util import ARGS, CHROMIUM, require_browser, serving  # noqa: E402

SECOND = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
STORED = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


def _db(tmp_path) -> Path:
    db = tmp_path / "t.duckdb"
    f = tmp_path / "名录.csv"
    f.write_text("企业名称,成立日期,所属省份,所属城市\n甲星智能科技有限公司,2015-03-01,浙江,杭州\n", encoding="utf-8")
    run("import", "enterprises", f, db=db)  # written to the audit log (data.import)
    return db


def test_cli_audit_table_to_the_second_json_and_export_full(tmp_path):
    db = _db(tmp_path)
    stored = run_json("team", "audit", db=db)["rows"][0]["at"]
    assert STORED.fullmatch(stored), stored
    table = run("team", "audit", db=db, env={"COLUMNS": "250"}).stdout
    assert stored[:10] + " " + stored[11:19] in table and stored not in table and not re.search(r":\d\d\.\d{6}", table)
    out = tmp_path / "audit.csv"
    run("team", "audit", "-o", out, db=db)
    with open(out, encoding="utf-8-sig") as fh:
        ats = [r["at"] for r in csv.DictReader(fh)]
    assert stored in ats and all(STORED.fullmatch(a) for a in ats)


def test_admin_page_shows_audit_times_to_the_second(tmp_path):
    require_browser()
    from playwright.sync_api import sync_playwright

    db = _db(tmp_path)
    stored = run_json("team", "audit", db=db)["rows"][0]["at"]
    with serving(db) as base, sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pg = b.new_page()
        pg.goto(base + "/admin")
        cells = pg.locator("#audit-table td.audit-at")
        assert cells.count() >= 1
        shown = cells.all_inner_texts()
        assert all(SECOND.fullmatch(s) for s in shown), shown
        assert stored[:10] + " " + stored[11:19] in shown
        assert cells.first.get_attribute("title") and STORED.fullmatch(cells.first.get_attribute("title"))
        b.close()
