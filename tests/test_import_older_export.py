"""An export dated before the one that set an enterprise's current values (another source) does not replace them."""

from __future__ import annotations

import json

import pytest
from cli_util import run, run_json
from test_import_errors import write_csv
from test_import_kinds import q
from web_util import ARGS, CHROMIUM, require_browser, serving, upload_in_browser

from zhaoshang.core.parse.uscc import make_uscc

CODE = make_uscc(7301, "330200")
LISTED = ["宁波测试光伏科技股份有限公司", CODE, "2000-08-04", "43008万元", "浙江", "宁波", "浙江省宁波市北仑区甬江南路26号", "光伏"]
REGISTRY = ["宁波测试光伏科技股份有限公司", CODE, "2000-08-04", "12793万元", "浙江", "宁波", "浙江省宁波市北仑区大碶镇1号", "光伏"]


def _files(tmp_path):
    return write_csv(tmp_path / "listed.csv", [LISTED]), write_csv(tmp_path / "registry.csv", [REGISTRY])


def _listed_first(tmp_path):
    """A store holding the listing's export (上市公司, 2026-03-31), built once per run (tests/built_once.py) and
    copied to ``tmp_path``: ``(the store, the listing's file, the registry's file)``."""
    from built_once import build_or_copy

    listed, registry = _files(tmp_path)

    def make(db):
        run_json("import", "enterprises", write_csv(db.with_suffix(".csv"), [LISTED]), "--source", "上市公司",
                 "--data-date", "2026-03-31", db=db)

    db = tmp_path / "z.duckdb"
    build_or_copy(db, "older-export-listed", make)
    return db, listed, registry


def _state(db):
    return q(db, "SELECT capital_wan, address FROM enterprises WHERE uscc = ?", [CODE])[0]


def test_an_older_export_of_another_source_keeps_its_values_as_records_only(tmp_path):
    db, listed, registry = _listed_first(tmp_path)
    rep = run_json("import", "enterprises", registry, "--source", "登记库", "--data-date", "2004-12-31", db=db)
    assert rep["values_kept_older"] == 2 and rep["rows_updated"] == 1
    assert _state(db) == (43008.0, "浙江省宁波市北仑区甬江南路26号")
    assert q(db, "SELECT count(*) FROM enterprise_history") == [(0,)]
    assert q(db, "SELECT count(*) FROM events WHERE ref_table = 'enterprise_history'") == [(0,)]
    # nothing lost: the registry's record keeps what it said
    data = q(db, "SELECT data FROM enterprise_records WHERE source = '登记库'")
    assert len(data) == 1 and "12793" in data[0][0] and "大碶镇1号" in data[0][0]
    # the summary says it, in both languages
    proc = run("import", "enterprises", write_csv(tmp_path / "r2.csv", [REGISTRY]), "--source", "登记库二",
               "--data-date", "2005-12-31", db=db)
    assert "较晚导出已设定" in proc.stdout and "2 个字段值已由数据日期较晚的导出设定" in proc.stderr
    assert _state(db) == (43008.0, "浙江省宁波市北仑区甬江南路26号")
    # a later export still changes the value, with history dated by it (another source: the same source's row
    # with the same content is unchanged against its last export and skipped as a delta)
    later = write_csv(tmp_path / "r3.csv", [REGISTRY])
    rep = run_json("import", "enterprises", later, "--source", "年报", "--data-date", "2026-06-30", db=db)
    assert rep["values_kept_older"] == 0
    assert _state(db) == (12793.0, "浙江省宁波市北仑区大碶镇1号")
    assert q(db, "SELECT field, old_value, new_value, CAST(changed_on AS VARCHAR) FROM enterprise_history "
                 "WHERE field = 'capital_wan'") == [("capital_wan", "43008.0", "12793.0", "2026-06-30")]
    # …and then an export dated between the two is older than the value's setter again
    proc = run("import", "enterprises", listed, "--source", "上市公司二", "--data-date", "2026-04-30", "--format", "json",
               db=db)
    rep = json.loads(proc.stdout)
    assert rep["values_kept_older"] == 2 and _state(db) == (12793.0, "浙江省宁波市北仑区大碶镇1号")
    # said under JSON too, as the unread columns are in every format
    assert "注意：2 个字段值已由数据日期较晚的导出设定（" in proc.stderr, proc.stderr


def test_the_same_files_in_date_order_change_the_value(tmp_path):
    db = tmp_path / "z.duckdb"
    listed, registry = _files(tmp_path)
    run_json("import", "enterprises", registry, "--source", "登记库", "--data-date", "2004-12-31", db=db)
    rep = run_json("import", "enterprises", listed, "--source", "上市公司", "--data-date", "2026-03-31", db=db)
    assert rep["values_kept_older"] == 0
    assert _state(db) == (43008.0, "浙江省宁波市北仑区甬江南路26号")
    assert q(db, "SELECT field, old_value, new_value, CAST(changed_on AS VARCHAR) FROM enterprise_history "
                 "WHERE field = 'capital_wan'") == [("capital_wan", "12793.0", "43008.0", "2026-03-31")]
    assert q(db, "SELECT count(*) FROM events WHERE ref_table = 'enterprise_history'")[0][0] >= 2


HEAD_MORE = ["企业名称", "统一社会信用代码", "成立日期", "注册资本", "所属省份", "所属城市", "注册地址", "经营范围", "所属行业",
             "官网"]
CODE2 = make_uscc(7302, "330200")


def _row(capital, address, scope, industry, website):
    return ["宁波测试储能科技股份有限公司", CODE2, "2001-03-02", capital, "浙江", "宁波", address, scope, industry, website]


def _fields(db):
    return q(db, "SELECT capital_wan, address, scope, industry, website FROM enterprises WHERE uscc = ?", [CODE2])[0]


def test_every_field_an_import_writes_keeps_the_later_exports_value(tmp_path):
    """Industry, business scope and website have no history; an older export still leaves them as a later one set
    them, and a field it fills from empty is dated by it (a later-dated export then replaces it)."""
    db = tmp_path / "z.duckdb"
    listed = write_csv(tmp_path / "listed.csv", [_row("43008万元", "北仑区甬江南路26号", "光伏组件；储能系统", "电气机械和器材制造业", "")],
                       header=HEAD_MORE)
    registry = write_csv(tmp_path / "registry.csv",
                         [_row("12793万元", "北仑区大碶镇1号", "太阳能电池片生产", "制造业", "www.nbtest-old.example")], header=HEAD_MORE)
    first = run_json("import", "enterprises", listed, "--source", "上市公司", "--data-date", "2026-03-31", db=db)
    rep = run_json("import", "enterprises", registry, "--source", "登记库", "--data-date", "2004-12-31", db=db)
    assert rep["values_kept_older"] == 4
    assert rep["values_kept_older_by_field"] == {"capital_wan": 1, "address": 1, "scope": 1, "industry": 1}
    # the website was empty: the 2004 export filled it, and is its setter
    assert _fields(db) == (43008.0, "北仑区甬江南路26号", "光伏组件；储能系统", "电气机械和器材制造业", "www.nbtest-old.example")
    assert q(db, "SELECT field, import_id FROM enterprise_field_imports ORDER BY field") == [("website", rep["import_id"])]
    assert q(db, "SELECT count(*) FROM enterprise_history") == [(0,)]
    proc = run("import", "enterprises", registry, "--source", "登记库二", "--data-date", "2005-12-31", db=db)
    assert "4 个字段值已由数据日期较晚的导出设定（" in proc.stderr and "经营范围 1" in proc.stderr
    # a 2010 export: later than the website's setter (2004), earlier than the rest's (2026)
    mid = write_csv(tmp_path / "mid.csv", [_row("20000万元", "北仑区新碶街道2号", "储能电池", "电池制造", "www.nbtest.example")],
                    header=HEAD_MORE)
    rep = run_json("import", "enterprises", mid, "--source", "年报", "--data-date", "2010-12-31", db=db)
    assert rep["values_kept_older_by_field"] == {"capital_wan": 1, "address": 1, "scope": 1, "industry": 1}
    assert _fields(db) == (43008.0, "北仑区甬江南路26号", "光伏组件；储能系统", "电气机械和器材制造业", "www.nbtest.example")
    # nothing lost: each export's record keeps what it said
    assert len(q(db, "SELECT 1 FROM enterprise_records WHERE data LIKE '%储能电池%'")) == 1
    # the same export dated after the listing replaces every field, and is the setter of each
    rep = run_json("import", "enterprises", mid, "--source", "年报二", "--data-date", "2026-06-30", db=db)
    assert rep["values_kept_older"] == 0
    assert _fields(db) == (20000.0, "北仑区新碶街道2号", "储能电池", "电池制造", "www.nbtest.example")
    setters = dict(q(db, "SELECT field, import_id FROM enterprise_field_imports"))
    assert {setters[f] for f in ("capital_wan", "address", "scope", "industry", "website")} == {rep["import_id"]}
    assert first["import_id"] not in setters.values()


@pytest.mark.browser
def test_an_upload_of_an_older_export_says_which_values_it_kept_as_records(tmp_path):
    """The 数据更新 page (real chromium): the upload's summary counts the values a later export had set, by field."""
    require_browser()
    from playwright.sync_api import sync_playwright

    db, listed, registry = _listed_first(tmp_path)
    with serving(db) as base, sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = b.new_page()
        job = upload_in_browser(page, base, str(registry), kind="enterprises",
                                fill={"source": "登记库", "data_date": "2004-12-31"})
        assert job["state"] == "done" and job["result"]["import"]["values_kept_older"] == 2, job
        page.goto(base + "/updates")
        kept = page.inner_text("#jobs tbody tr:first-child .job-kept-older")
        assert "较晚导出已设定、仅保留为来源记录的字段值 2" in kept and "注册资本 1" in kept and "地址 1" in kept, kept
        b.close()
    assert _state(db) == (43008.0, "浙江省宁波市北仑区甬江南路26号")
