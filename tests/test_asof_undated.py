"""An import without a data date does not move the reference date ("as of") of the data: by the CLI and by the
数据更新 upload in a real browser. Its changes are dated by the import day; the summary says so."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from cli_util import run, run_json  # noqa: E402
from web_util import require_browser, serving, upload_in_browser  # noqa: E402

HEAD = "企业名称,统一社会信用代码,成立日期,注册地址,所属省份,所属城市\n"
FIRST = HEAD + "甲星智能科技有限公司,,2015-03-01,浙江省杭州市西湖区文三路1号,浙江,杭州\n乙辰数据科技有限公司,,2016-05-01,浙江省杭州市滨江区1号,浙江,杭州\n"
# the same source later, without a date: one address changed, one enterprise new (founded 2017)
LATER = HEAD + "甲星智能科技有限公司,,2015-03-01,浙江省杭州市余杭区2号,浙江,杭州\n乙辰数据科技有限公司,,2016-05-01,浙江省杭州市滨江区1号,浙江,杭州\n丙午信息技术有限公司,,2017-08-01,浙江省杭州市上城区3号,浙江,杭州\n"
DATED = "2019-06-30"


def _db(tmp_path) -> Path:
    db = tmp_path / "asof.duckdb"
    (tmp_path / "first.csv").write_text(FIRST, encoding="utf-8")
    run("import", "enterprises", tmp_path / "first.csv", "--source", "登记库", "--data-date", DATED, db=db)
    assert run_json("network", db=db)["as_of"] == DATED
    return db


def test_cli_import_without_data_date_keeps_the_as_of(tmp_path):
    db = _db(tmp_path)
    (tmp_path / "later.csv").write_text(LATER, encoding="utf-8")
    rep = run_json("import", "enterprises", tmp_path / "later.csv", "--source", "登记库", db=db)
    assert rep["data_date_given"] is False and rep["rows_imported"] == 1 and rep["rows_updated"] == 1
    assert rep["linked_by"] == {"source_key": 1}  # the changed row, by its key in the source; the new one made its own
    assert run_json("network", db=db)["as_of"] == DATED  # was moved to the import day
    # its changes, dated by the import day, are the events after the as-of: 动态监测 says what dates them so
    later = run_json("events", db=db)["later"]
    assert later["count"] == later["import_day"] > 0 and later["live"] == 0, later
    from web_util import local_client

    from zhaoshang.interfaces.web.app import create_app

    html = local_client(create_app(str(db))).get("/monitor?lang=en").text
    assert (f'<span id="ev-later-import-day">Changes recorded by an import given no data date, dated by its import '
            f'day, among them: {later["count"]}.</span>') in html
    table = run("import", "enterprises", tmp_path / "later.csv", "--source", "登记库", db=db).stdout
    assert "未给出" in table and "不移动数据截至日期" in table
    assert "文件名含日期" not in table and "data_date_in_name" not in rep  # no date in this file's name
    # a file named with its date (…_2020-03.csv): the summary suggests the --data-date it stands for, read by the one
    # date parser (a month: its last day), without applying it
    dated = tmp_path / "later_2020-03.csv"
    dated.write_text(LATER, encoding="utf-8")
    rep = run_json("import", "enterprises", dated, "--source", "登记库", db=db)
    assert rep["data_date_given"] is False and rep["data_date"] != "2020-03-31"
    assert rep["data_date_in_name"] == {"name_part": "2020-03", "data_date": "2020-03-31"}
    wide = {"COLUMNS": "250"}
    table = run("import", "enterprises", dated, "--source", "登记库", db=db, env=wide).stdout
    assert "；文件名含日期 2020-03，可用 --data-date 2020-03-31 指定" in table, table
    table = run("--lang", "en", "import", "enterprises", dated, "--source", "登记库", db=db, env=wide).stdout
    assert "; the file name carries the date 2020-03: --data-date 2020-03-31 gives it" in table, table
    assert run_json("network", db=db)["as_of"] == DATED  # suggested, not applied
    # a data date given moves it as before, and nothing is suggested
    table = run("import", "enterprises", dated, "--source", "登记库b", "--data-date", "2020-03-31", db=db, env=wide).stdout
    assert "文件名含日期" not in table
    assert run_json("network", db=db)["as_of"] == "2020-03-31"


def test_status_says_the_last_imports_data_date_was_not_given(tmp_path):
    """``status`` showed an undated import's day as its 数据日期, where the import's own summary says 未给出: it says
    the same now, with the day its changes are dated by; a dated import shows its date."""
    import re

    db = _db(tmp_path)
    (tmp_path / "later.csv").write_text(LATER, encoding="utf-8")
    run("import", "enterprises", tmp_path / "later.csv", "--source", "登记库", db=db)
    last = run_json("status", db=db)["last_import"]
    assert last["data_date_given"] is False
    day = str(last["data_date"])[:10]  # the import day, recorded to date its changes

    def data_date(*lang):
        out = run(*lang, "status", db=db, env={"COLUMNS": "200"}).stdout
        last = out[out.index("Last import" if lang else "最近一次导入"):]
        return re.search(r"(数据日期|Data date)\s*│?\s*(.+?)\s*│?$", last, re.M).group(2)

    assert data_date() == f"未给出（变更记为导入日 {day}）"
    assert data_date("--lang", "en") == f"not given (changes dated by the import day {day})"
    run("import", "enterprises", tmp_path / "later.csv", "--source", "登记库b", "--data-date", "2020-03-31", db=db)
    assert run_json("status", db=db)["last_import"]["data_date_given"] is True
    assert data_date() == "2020-03-31"


@pytest.mark.browser
def test_web_upload_without_data_date_keeps_the_as_of(tmp_path, chromium):
    require_browser()

    db = _db(tmp_path)
    later = tmp_path / "later.csv"
    later.write_text(LATER, encoding="utf-8")
    with serving(db) as base, chromium as b:
        page = b.new_page()
        job = upload_in_browser(page, base, str(later), kind="enterprises", fill={"source": "登记库"})
        assert job["state"] == "done", job
        assert job["result"]["import"]["data_date_given"] is False
        page.goto(base + "/updates")
        note = page.locator(".job-data-date").first
        assert note.get_attribute("data-given") == "0" and "不移动数据截至日期" in note.inner_text()
        assert page.locator("#jobs tbody tr:first-child .job-as-of").count() == 0  # nothing moved: nothing said
        # the new / already-known split the command prints (changes.new_enterprises, new_linked): one new here
        ch = job["result"]["import"]["changes"]
        split = page.locator("#jobs tbody tr:first-child .job-new")
        assert (ch["new"], ch["new_enterprises"], ch["new_linked"]) == (1, 1, 0), ch
        assert "本来源新出现的企业 1（其中新企业 1，库中已有、已关联 0）" in split.inner_text(), split.inner_text()
        assert httpx.get(f"{base}/api/meta", timeout=30).json()["as_of"] == DATED
        page.goto(base + "/enterprises")
        assert page.inner_text("#as-of") == DATED
        # a dated upload that moves the as-of date says so on the page
        job = upload_in_browser(page, base, str(later), kind="enterprises", fill={"source": "登记库b",
                                                                                  "data_date": "2020-03-31"})
        assert job["state"] == "done" and job["result"]["import"]["as_of"]["moved"] is True, job
        page.goto(base + "/updates")
        moved = page.inner_text("#jobs tbody tr:first-child .job-as-of")
        assert "数据截至日期 2019-06-30 → 2020-03-31" in moved, moved
        ch = job["result"]["import"]["changes"]  # another source: its three are new to it, all already known
        assert (ch["new"], ch["new_enterprises"], ch["new_linked"]) == (3, 0, 3), ch
        # 已关联（按依据） counts those rows by what linked them (it counted facts only, so an enterprise list read 0)
        assert job["result"]["import"]["linked_by"] == {"name+province": 3}, job["result"]["import"]["linked_by"]
        page.goto(base + "/updates?lang=zh")
        assert page.inner_text("#jobs tbody tr:first-child .job-linked") == "已关联（按依据） 全称与省份 3"
        page.goto(base + "/updates?lang=en")
        said = page.inner_text("#jobs tbody tr:first-child .job-new")
        assert "enterprises new to the source 3 (new enterprises 0, already known and linked 3)" in said, said
        b.close()


@pytest.mark.browser
def test_an_import_that_moves_the_as_of_says_so(tmp_path):
    """One small dated import moved every page's as-of by years and the summary said only 数据日期: it names the move
    (数据截至日期 2019-06-30 → 2020-03-31), in Chinese and English, and an import that moves nothing says unchanged."""
    db = _db(tmp_path)
    (tmp_path / "later.csv").write_text(LATER, encoding="utf-8")
    rep = run_json("import", "enterprises", tmp_path / "later.csv", "--source", "登记库", db=db)
    assert rep["as_of"] == {"before": DATED, "after": DATED, "moved": False}
    wide = {"COLUMNS": "200"}  # the table's row on one line
    p = run("import", "enterprises", tmp_path / "later.csv", "--source", "登记库b", "--data-date", "2020-03-31", db=db,
            env=wide)
    out = " ".join(p.stdout.split())
    assert "数据截至日期" in out and "2019-06-30 → 2020-03-31" in out and "随之按新日期计算" in out, out
    assert "数据截至日期由 2019-06-30 变为 2020-03-31" in p.stderr
    p = run("--lang", "en", "import", "enterprises", tmp_path / "later.csv", "--source", "登记库c", "--data-date",
            "2021-01-31", db=db, env=wide)
    out = " ".join(p.stdout.split())
    assert "2020-03-31 → 2021-01-31 (pages, leads and scores now answer for the new date)" in out, out
    assert "the as-of date moved from 2020-03-31 to 2021-01-31" in p.stderr


def test_a_source_imported_without_data_date_shows_none(tmp_path, chromium):
    """A source imported only without a data date reads "no data date" — in /api/meta, the pages' footer (in
    chromium) and the region report — where it showed its import day (登记库b（2026-12-02）) beside a 截至 date
    years earlier; a dated source keeps its date."""
    require_browser()

    db = _db(tmp_path)
    (tmp_path / "later.csv").write_text(LATER, encoding="utf-8")
    run("import", "enterprises", tmp_path / "later.csv", "--source", "新来源", db=db)
    with serving(db) as base, chromium as b:
        got = {s["source"]: s["data_date"] for s in httpx.get(f"{base}/api/meta", timeout=30).json()["sources"]}
        assert got == {"登记库": DATED, "新来源": None}, got
        page = b.new_page(viewport={"width": 1366, "height": 768})
        for lang, said in (("zh", f"新来源（未注明数据日期）、登记库（{DATED}）"), ("en", f"新来源 (no data date), 登记库 ({DATED})")):
            page.goto(f"{base}/enterprises?lang={lang}")
            assert said in page.inner_text("footer"), page.inner_text("footer")
        b.close()
    run("report", "region", "杭州市", "-o", tmp_path / "r.html", db=db)
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert f"登记库（数据日期 {DATED}）" in html and "新来源（未注明数据日期）" in html


def test_undated_import_whose_file_dates_move_the_as_of_says_so(tmp_path):
    """The first import into an empty database, undated, of rounds dated 2018: the as-of date moves from nothing to
    the file's last date. The data-date line said "does not move" above the line that showed it moving."""
    db = tmp_path / "f.duckdb"
    f = tmp_path / "rounds.csv"
    f.write_text("企业名称,融资时间,融资轮次,融资金额\n杭州甲科技有限公司,2018-12-23,A轮,1000万元\n", encoding="utf-8")
    zh = run("import", "fundings", f, db=db).stdout.replace("\n", "").replace("│", "").replace(" ", "")
    assert "不移动数据截至日期）" not in zh and "文件中的日期" in zh and "使其推进" in zh, zh
    assert "-→2018-12-23" in zh
    db2 = tmp_path / "g.duckdb"
    en = " ".join(run("--lang", "en", "import", "fundings", f, db=db2).stdout.replace("│", " ").split())
    assert "the as-of date does not move" not in en and "the file's own dates" in en and "moved it" in en, en
    # an undated import that leaves it where it was still says it does not move
    again = tmp_path / "again.csv"
    again.write_text("企业名称,融资时间,融资轮次,融资金额\n杭州乙科技有限公司,2017-01-05,天使轮,100万元\n", encoding="utf-8")
    zh = run("import", "fundings", again, db=db).stdout.replace("\n", "").replace("│", "").replace(" ", "")
    assert "不移动数据截至日期）" in zh and "使其推进" not in zh


@pytest.mark.browser
def test_the_first_dated_upload_says_the_as_of_it_sets(tmp_path, chromium):
    """Into an empty store, a dated upload sets the as-of date; the command line says 数据截至日期 - → 2020-03-31, the
    数据更新 page said nothing of it (it said a move only from an earlier date)."""
    from zhaoshang.core.store import Store

    require_browser()
    db = tmp_path / "empty.duckdb"
    Store(db).close()
    later = tmp_path / "later.csv"
    later.write_text(LATER, encoding="utf-8")
    with serving(db) as base, chromium as b:
        page = b.new_page()
        job = upload_in_browser(page, base, str(later), kind="enterprises", fill={"source": "登记库",
                                                                                  "data_date": "2020-03-31"})
        assert job["state"] == "done" and job["result"]["import"]["as_of"] == {
            "before": None, "after": "2020-03-31", "moved": True}, job
        page.goto(base + "/updates?lang=zh")
        said = page.inner_text("#jobs tbody tr:first-child .job-as-of")
        assert said.startswith("数据截至日期 - → 2020-03-31（各页面、线索与评分随之按新日期计算）"), said
