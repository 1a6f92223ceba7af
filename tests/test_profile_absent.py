"""An enterprise its source's latest export no longer lists (it disappeared in the last delta) is said so on
its profile — CLI and the page in a real browser, in Chinese and English — with the date of that export; listed
again by a later export, the note goes."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from built_once import copy_to  # noqa: E402
from cli_util import run, run_json  # noqa: E402
from web_util import ARGS, CHROMIUM, require_browser, serving  # noqa: E402

HEAD = "企业名称,成立日期,所属省份,所属城市\n"
ROWS = {"甲": "甲星智能科技有限公司,2015-03-01,浙江,杭州\n", "乙": "乙辰数据科技有限公司,2016-05-01,浙江,杭州\n",
        "丙": "丙午信息技术有限公司,2017-08-01,浙江,杭州\n"}
GONE = "乙辰数据科技有限公司"


def _import(db, tmp, name, keys, date):
    (tmp / name).write_text(HEAD + "".join(ROWS[k] for k in keys), encoding="utf-8")
    return run_json("import", "enterprises", tmp / name, "--source", "登记库", "--data-date", date, db=db)


@pytest.fixture(scope="module")
def gone_in_november(tmp_path_factory):
    """A store of 登记库's October export (甲乙丙) and its November one (甲丙: 乙 disappeared), kept as built: tests
    read or change copies of it."""
    tmp = tmp_path_factory.mktemp("absent")
    db = tmp / "a.duckdb"
    _import(db, tmp, "10月.csv", "甲乙丙", "2024-10-31")
    rep = _import(db, tmp, "11月.csv", "甲丙", "2024-11-30")
    assert rep["changes"]["disappeared"] == 1
    return db


@pytest.fixture(scope="module")
def db(gone_in_november, tmp_path_factory):
    return copy_to(gone_in_november, tmp_path_factory.mktemp("absent_read") / "a.duckdb")


def test_cli_profile_says_it_left_the_latest_export(db):
    doc = run_json("show", GONE, db=db)
    assert [(a["source"], a["export_date"]) for a in doc["absent_from_latest"]] == [("登记库", "2024-11-30")]
    assert run_json("show", "甲星智能科技有限公司", db=db)["absent_from_latest"] == []
    out = run("show", GONE, db=db).stdout
    assert "最新导出未列入" in out and "2024-11-30" in out
    assert "Missing from the latest export" in run("--lang", "en", "show", GONE, db=db).stdout
    # as of a date before that export, it was still listed
    assert run_json("show", GONE, "--as-of", "2024-11-15", db=db)["absent_from_latest"] == []


def test_profile_page_says_it_left_the_latest_export(db):
    require_browser()
    from playwright.sync_api import sync_playwright

    eid = run_json("show", GONE, db=db)["enterprise"]["id"]
    kept = run_json("show", "甲星智能科技有限公司", db=db)["enterprise"]["id"]
    with serving(db) as base, sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pg = b.new_page()
        pg.goto(f"{base}/enterprises/{eid}")
        note = pg.locator(".ent-absent")
        assert note.count() == 1 and note.get_attribute("data-export-date") == "2024-11-30"
        assert "不在来源 登记库 的最新导出（2024-11-30）中" in note.inner_text()
        pg.goto(f"{base}/enterprises/{eid}?lang=en")
        assert "Missing from the latest export of 登记库 (2024-11-30)" in pg.inner_text(".ent-absent")
        pg.goto(f"{base}/enterprises/{kept}")
        assert pg.locator(".ent-absent").count() == 0
        b.close()


def test_listed_again_the_note_goes(gone_in_november, tmp_path):
    db = copy_to(gone_in_november, tmp_path / "b.duckdb")  # October's export, then November's without 乙
    rep = _import(db, tmp_path, "12月.csv", "甲丙", "2024-12-31")  # still gone: dated since November
    assert rep["changes"]["disappeared"] == 1
    doc = run_json("show", GONE, db=db)["absent_from_latest"]
    assert [(a["export_date"], a["first_missing_date"]) for a in doc] == [("2024-12-31", "2024-11-30")]
    _import(db, tmp_path, "1月.csv", "甲乙丙", "2025-01-31")  # back, unchanged
    assert run_json("show", GONE, db=db)["absent_from_latest"] == []
