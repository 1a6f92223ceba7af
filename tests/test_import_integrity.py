"""The importer refuses what makes no sense and loses nothing: wrong kind, strict mode, stale temporary copies,
facts imported before their enterprises, conflicts, names shared across sources, counts that add up."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import duckdb

from cli_util import BIN, run, run_json
from test_import_errors import good_rows, write_csv
from test_import_kinds import q


def test_wrong_kind_is_refused(tmp_path, shared):
    db = tmp_path / "z.duckdb"
    companies = shared("ai_companies/itjuzi_china_ai_companies_2018-12.csv")
    p = run("import", "fundings", companies, db=db, check=False)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert "不像 fundings 数据" in p.stderr and "日期" in p.stderr and "轮次" in p.stderr and "金额" in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1
    assert not db.exists() or q(db, "SELECT count(*) FROM fundings") == [(0,)]
    # the right file of the kind is accepted
    rep = run_json("import", "fundings", shared("financing/itjuzi_china_ai_financing_events_2018-12.csv"),
                   "--preset", "itjuzi_financing", db=db)
    assert rep["rows_imported"] > 1000


def test_strict_refuses_a_dropped_value_naming_file_row_column_reason(tmp_path):
    db = tmp_path / "z.duckdb"
    rows = good_rows(3, 50)
    rows[1][1] = "91330100MA2B0000X0"  # invalid check character: the value would be dropped, the row kept
    f = write_csv(tmp_path / "codes.csv", rows)
    p = run("import", "enterprises", f, "--strict", "--rejects", tmp_path, db=db, check=False)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert "codes.csv" in p.stderr and "第 3 行" in p.stderr and "统一社会信用代码" in p.stderr and "校验" in p.stderr
    assert not db.exists() or q(db, "SELECT count(*) FROM enterprises") == [(0,)]
    rep = run_json("import", "enterprises", f, "--rejects", tmp_path, db=db)  # without --strict: kept, reported
    assert rep["rows_imported"] == 3 and rep["fields_dropped"] == 1


def test_strict_stops_on_a_repeated_key_and_on_a_row_kept_without_a_field(tmp_path):
    """A strict import must fail on anything it would report. It stopped on rejected rows and dropped values only: a
    key repeated within the file (the earlier row kept as a source record) and a news row kept without its title or
    date were written, and said afterwards. Now each fails the import, naming file, row, column and reason; nothing
    is written."""
    db = tmp_path / "z.duckdb"
    rows = good_rows(3, 400)
    rows.append(["杭州重复代码另一名称科技有限公司", rows[0][1], rows[0][2], "900万元", "浙江", "杭州", "", ""])
    dup = write_csv(tmp_path / "dup.csv", rows)
    p = run("import", "enterprises", dup, "--strict", "--rejects", tmp_path, db=db, check=False)
    assert p.returncode == 2 and "Traceback" not in p.stderr, p.stderr
    assert "严格模式：dup.csv 第 2 行 统一社会信用代码" in p.stderr and "重复" in p.stderr and "未写入任何数据" in p.stderr
    assert not db.exists()  # (a refused import into a database that did not exist leaves none behind)
    en = run("--lang", "en", "import", "enterprises", dup, "--strict", "--rejects", tmp_path, db=db, check=False)
    assert en.returncode == 2 and "strict mode: dup.csv row 2" in en.stderr and "nothing was written" in en.stderr
    news = tmp_path / "news.csv"
    news.write_text("标题,正文,发布时间,来源\n某某科技获A轮融资,某某科技今日宣布完成A轮融资,2024-03-01,新闻网\n"
                    ",某某科技新建生产基地的消息,2024-03-02,新闻网\n无日期的新闻,正文内容三,,新闻网\n", encoding="utf-8")
    p = run("import", "news", news, "--strict", "--rejects", tmp_path, db=db, check=False)
    assert p.returncode == 2 and "严格模式：news.csv 第 3 行" in p.stderr and "（共 2 个问题）" in p.stderr, p.stderr
    assert not db.exists()
    # without --strict both are imported and reported, as before
    rep = run_json("import", "news", news, "--rejects", tmp_path, db=db)
    assert rep["rows_imported"] == 3 and rep["kept_without"] == {"published_missing": 1, "title_missing": 1}
    rep = run_json("import", "enterprises", dup, "--rejects", tmp_path, db=db)
    assert rep["rows_repeated"] == 1


def test_stale_temp_copy_of_a_killed_import_is_removed_on_the_next_run(tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    big = tmp_path / "big_gbk.csv"
    line = "浙江省杭州市余杭区文一西路{}号智能科技有限公司,{}万元,浙江,杭州\n"
    with open(big, "w", encoding="gbk") as fh:
        fh.write("企业名称,注册资本,所属省份,所属城市\n")
        for i in range(0, 600_000, 1000):
            fh.write("".join(line.format(j, j % 900 + 1) for j in range(i, i + 1000)))
    env = dict(os.environ, TMPDIR=str(tmp))
    env.pop("ZHAOSHANG_DB", None)
    proc = subprocess.Popen([str(BIN), "--db", str(tmp_path / "a.duckdb"), "import", "enterprises", str(big)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and not list(tmp.glob("zhaoshang-*")):
        time.sleep(0.01)
    copies = list(tmp.glob("zhaoshang-*"))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert copies, "the GBK file was never converted"
    assert all(c.exists() for c in copies)  # kill -9 left the converted copy behind
    assert str(proc.pid) in copies[0].name  # named after its owner, so a later run can tell it is stale
    mine = tmp / f"zhaoshang-{os.getpid()}-live.utf8.tmp"  # a live process's copy is left alone
    mine.write_text("x")
    run("import", "enterprises", write_csv(tmp_path / "small.csv", good_rows(2)), db=tmp_path / "b.duckdb", env=env)
    assert not any(c.exists() for c in copies)
    assert mine.exists()


FUNDINGS = "financing/itjuzi_china_ai_financing_events_2018-12.csv"
COMPANIES = "ai_companies/itjuzi_china_ai_companies_2018-12.csv"


def test_facts_imported_before_their_enterprises_link_when_they_arrive(tmp_path, shared, itjuzi_db):
    right = itjuzi_db[0]  # the usual order (companies, then rounds), for reference
    linked_right = q(right, "SELECT count(*) FROM fundings WHERE enterprise_id IS NOT NULL")[0][0]
    assert linked_right > 1000

    db = tmp_path / "z.duckdb"
    first = run_json("import", "fundings", shared(FUNDINGS), "--preset", "itjuzi_financing", db=db)
    assert first["unlinked"] > 1000 and first["linked_earlier"] == 0
    rep = run_json("import", "enterprises", shared(COMPANIES), "--preset", "itjuzi_companies", db=db)
    assert rep["linked_earlier"] == linked_right
    assert q(db, "SELECT count(*) FROM fundings WHERE enterprise_id IS NOT NULL")[0][0] == linked_right
    # the same fundings are linked to the same enterprises as in the usual order (by company_seq)
    pairs = "SELECT f.source_key, e.name FROM fundings f JOIN enterprises e ON e.id = f.enterprise_id ORDER BY 1"
    assert q(db, pairs) == q(right, pairs)
    # and became events of their enterprises
    assert q(db, "SELECT count(*) FROM events WHERE type = 'funding'") == q(right, "SELECT count(*) FROM events WHERE type = 'funding'")
    again = run_json("import", "fundings", shared(FUNDINGS), "--preset", "itjuzi_financing", db=db)
    assert again["rows_imported"] == 0 and again["linked_earlier"] == 0
    table = run("import", "enterprises", shared(COMPANIES), "--preset", "itjuzi_companies", db=db).stdout
    assert "关联此前导入的事实" in table


def test_relink_command_links_facts_left_unlinked(tmp_path):
    db = tmp_path / "z.duckdb"
    ent = [["宁波测试甲智能科技有限公司", "", "", "", "浙江", "宁波", "", ""],
           ["宁波测试乙智能科技有限公司", "", "", "", "浙江", "宁波", "", ""]]
    fund = write_csv(tmp_path / "f.csv", [["宁波测试甲智能科技有限公司", "2021-03-01", "A轮", "5000万人民币"],
                                         ["宁波测试乙智能科技有限公司", "2022-04-01", "B轮", "1亿人民币"]],
                     header=["企业名称", "融资时间", "融资轮次", "融资金额"])
    run_json("import", "enterprises", write_csv(tmp_path / "e.csv", ent), db=db)
    run_json("import", "fundings", fund, db=db)
    assert q(db, "SELECT count(*) FROM fundings WHERE enterprise_id IS NOT NULL") == [(2,)]
    # a database written before facts were kept for later linking: the links are missing, nothing is pending
    con = duckdb.connect(str(db))
    con.execute("UPDATE fundings SET enterprise_id = NULL")
    con.execute("DELETE FROM pending_links")
    con.close()
    doc = run_json("relink", db=db)
    assert doc["linked"] == 2 and doc["by_table"] == {"fundings": 2}
    assert q(db, "SELECT count(*) FROM fundings WHERE enterprise_id IS NOT NULL") == [(2,)]
    assert run_json("relink", db=db)["linked"] == 0
    assert "关联" in run("relink", db=db).stdout


def test_bare_names_from_different_sources_are_not_merged(tmp_path, shared):
    db = tmp_path / "z.duckdb"
    run_json("import", "enterprises", shared(COMPANIES), "--preset", "itjuzi_companies", db=db)
    rep = run_json("import", "enterprises", shared("financing/crunchbase_2013/crunchbase_companies_2013-10.csv"),
                   "--preset", "crunchbase_companies", db=db)
    for name in ("Embark", "Spoke", "Strobe"):
        rows = q(db, "SELECT e.id, year(e.founded), list(DISTINCT r.source ORDER BY r.source) FROM enterprises e "
                     "JOIN enterprise_records r ON r.enterprise_id = e.id WHERE e.name = ? GROUP BY ALL ORDER BY 2", [name])
        assert len(rows) == 2, (name, rows)
        assert [r[2] for r in rows] in (
            [["crunchbase_2013"], ["itjuzi"]],), (name, rows)  # one enterprise per source, never both on one
        near = [n for n in rep["near_merges"] if n["name"] == name]
        assert len(near) == 1 and near[0]["existing_source"] == "itjuzi" and "成立年份不同" in near[0]["reason"]
        assert near[0]["reason_en"].startswith("founded in different years (")
    assert q(db, "SELECT year(founded) FROM enterprises WHERE name = 'Embark' ORDER BY 1") == [(2011,), (2016,)]
    # nothing from the two lists was merged on a bare name alone
    merged = q(db, "SELECT count(*) FROM (SELECT enterprise_id FROM enterprise_records GROUP BY 1 "
                   "HAVING count(DISTINCT source) > 1)")[0][0]
    assert merged == 0 and len(rep["near_merges"]) >= 3
    table = run("import", "enterprises", shared(COMPANIES), "--preset", "itjuzi_companies", "--source", "itjuzi_again",
                db=db).stdout
    assert "疑似同名" in table


def test_corroborated_names_from_different_sources_merge(tmp_path):
    db = tmp_path / "z.duckdb"
    head = ["企业名称", "成立日期", "所属省份", "官网"]
    run_json("import", "enterprises", write_csv(tmp_path / "a.csv", [
        ["Embark", "2016-01-01", "", "http://embarktrucks.com/"], ["深度求索", "2023-07-17", "浙江", ""],
        ["Lumen", "2019-01-01", "", "https://www.lumen.ai"]], header=head), "--source", "a", db=db)
    rep = run_json("import", "enterprises", write_csv(tmp_path / "b.csv", [
        ["Embark", "2016-06-01", "", ""],            # founding year corroborates
        ["深度求索", "", "浙江", ""],                   # the same province corroborates
        ["Lumen", "", "", "lumen.ai/about"],          # the same website domain corroborates
    ], header=head), "--source", "b", db=db)
    assert rep["rows_updated"] == 3 and rep["rows_imported"] == 0 and rep["near_merges"] == []



def test_a_registered_name_without_a_region_is_listed_for_review_not_made_twice_silently(tmp_path):
    """An analyst's list of names and capitals (no region) named a listed company: it became a second enterprise of
    the same registered name with 疑似同名未合并 0. Name and province still cannot link it (docs/methods.md); the pair
    is now listed for review — either side without a region — and a bare name or two known provinces are not."""
    db = tmp_path / "z.duckdb"
    head = ["企业名称", "注册资本", "所属省份"]
    run_json("import", "enterprises", write_csv(tmp_path / "a.csv", [
        ["科大讯飞股份有限公司", "231538万元", "安徽"], ["深圳云天励飞技术有限公司", "100万元", "广东"],
        ["深度求索", "", "浙江"]], header=head), "--source", "a", db=db)
    rep = run_json("import", "enterprises", write_csv(tmp_path / "b.csv", [
        ["科大讯飞股份有限公司", "231538万元", ""], ["深圳云天励飞技术有限公司", "100万元", "浙江"],
        ["深度求索", "", ""]], header=head), "--source", "b", db=db)
    assert rep["rows_imported"] == 3
    assert [(n["name"], n["existing_source"]) for n in rep["near_merges"]] == [("科大讯飞股份有限公司", "a")]
    assert rep["near_merges"][0]["reason"].startswith("注册名称相同，但一方没有地区")
    assert rep["near_merges"][0]["reason_en"].startswith("the same registered name, but one side has no region")
    # and the other way round: the row knows its province, the enterprise does not
    rep = run_json("import", "enterprises", write_csv(tmp_path / "c.csv", [["深度求索科技有限公司", "", "浙江"]],
                                                       header=head), "--source", "c", db=db)
    run_json("import", "enterprises", write_csv(tmp_path / "d.csv", [["杭州某某智能有限公司", "", ""]], header=head),
             "--source", "d", db=db)
    rep = run_json("import", "enterprises", write_csv(tmp_path / "e.csv", [["杭州某某智能有限公司", "", "浙江"]],
                                                       header=head), "--source", "e", db=db)
    assert [(n["name"], n["existing_source"]) for n in rep["near_merges"]] == [("杭州某某智能有限公司", "d")]

def test_a_row_linked_by_its_stock_code_is_no_near_merge(tmp_path):
    """The A-share table names 中国海油 (600938) by its short name only, as the SSE list does: linked by the stock code,
    it is that enterprise, and it was still listed among 疑似同名未合并 beside itself. A row no code links, with the
    same bare name and no region, still is."""
    from zhaoshang.core.importers import import_files
    from zhaoshang.core.store import Store

    sse = write_csv(tmp_path / "sse.csv", [["600938", "-", "中国海油", "中国海油", "20220421"],
                                           ["600999", "-", "某某海油", "某某海油", "20220421"]],
                    header=["A股代码", "B股代码", "证券简称", "扩位证券简称", "上市日期"])
    head = ["ts_code", "code", "short_name", "full_name", "english_name", "uscc", "province", "city", "district",
            "registered_address", "tushare_industry", "setup_date", "reg_capital", "website"]
    merged = write_csv(tmp_path / "merged.csv", [
        ["600938.SH", "600938", "中国海油", "", "", "", "", "", "", "", "石油开采", "19990820", "4756676.3984", ""],
        ["688998.SH", "688998", "某某海油", "", "", "", "", "", "", "", "", "20100101", "", ""]], header=head)
    with Store(tmp_path / "z.duckdb") as store:
        import_files(store, "enterprises", sse, preset="sse_main_board", data_date="2026-01-31")
        rep = import_files(store, "enterprises", merged, preset="a_share_merged", data_date="2026-03-04")
    assert rep.linked_by == {"listed_code": 1} and rep.rows_imported == 1
    assert [(n["name"], n["source_key"]) for n in rep.near_merges] == [("某某海油", "688998.SH")]


def _adds_up(rep):
    parts = rep["rows_imported"] + rep["rows_updated"] + rep["rows_duplicate"] + rep["rows_conflict"] + rep["rows_rejected"]
    assert rep["rows_read"] == parts, rep


def test_conflicting_values_for_a_known_credit_code_are_kept_and_reported(tmp_path):
    from zhaoshang.core.parse.uscc import make_uscc
    from zhaoshang.core.store import Store
    from zhaoshang.services.enterprises import enterprise_profile

    db = tmp_path / "z.duckdb"
    code = make_uscc(4242, "330100")
    base = write_csv(tmp_path / "a.csv", [["杭州冲突测试科技有限公司", code, "2019-05-01", "100万元", "浙江", "杭州", "", ""]])
    _adds_up(run_json("import", "enterprises", base, "--source", "registry", db=db))
    other = ["苏州另一个名字科技有限公司", code, "2001-01-01", "9000万元", "江苏", "苏州", "", ""]
    # the same code twice in one file with different values, and again from another source
    twice = write_csv(tmp_path / "b.csv", [other, ["杭州冲突测试科技有限公司", code, "2019-05-01", "100万元", "浙江", "杭州", "", ""]])
    rep = run_json("import", "enterprises", twice, "--source", "other_list", db=db)
    _adds_up(rep)
    assert rep["rows_conflict"] == 1 and rep["rows_duplicate"] == 0
    conflict = rep["conflicts"][0]
    assert conflict["uscc"] == code and {c["field"] for c in conflict["fields"]} == {"name", "province_code", "founded", "capital_wan"}
    # the conflicting row is a source record with its values
    data = q(db, "SELECT data FROM enterprise_records WHERE source = 'other_list' AND data LIKE '%苏州另一个名字%'")
    assert len(data) == 1 and "9000万元" in data[0][0]
    assert q(db, "SELECT count(*) FROM enterprises WHERE uscc = ?", [code]) == [(1,)]
    with Store(db, read_only=True) as store:
        eid = store.query("SELECT id FROM enterprises WHERE uscc = ?", [code])[0]["id"]
        prof = enterprise_profile(store, eid)
    fields = {c["field"]: c for c in prof["conflicts"]}
    assert fields["name"]["record_value"] == "苏州另一个名字科技有限公司" and fields["name"]["source"] == "other_list"
    assert fields["capital_wan"]["record_value"] == "9000.0"
    # from another source, another founding date for the same code is a conflict (a rename is history)
    later = write_csv(tmp_path / "c.csv", [["杭州冲突测试科技有限公司", code, "2018-01-01", "100万元", "浙江", "杭州", "", ""]])
    rep = run_json("import", "enterprises", later, "--source", "third", db=db)
    _adds_up(rep)
    assert rep["rows_conflict"] == 1 and rep["conflicts"][0]["fields"] == [
        {"field": "founded", "value": "2019-05-01", "record_value": "2018-01-01"}]
    table = run("import", "enterprises", later, "--source", "fourth", db=db).stdout
    assert "冲突" in table


def test_a_code_repeated_within_one_file_is_said_so_with_both_rows(tmp_path):
    """A credit code twice in one file, into an empty database: the later row gives the enterprise its values (as
    before) and the earlier is kept as a source record — reported as the code repeated within the file, with both
    row numbers, in both languages, in the summary and the rejects file; never as a conflict with a known
    enterprise (there is none)."""
    import csv

    db = tmp_path / "z.duckdb"
    rows = good_rows(3, 300)
    rows.append(["杭州重复代码另一名称科技有限公司", rows[0][1], rows[0][2], "900万元", "浙江", "杭州", "", ""])
    f = write_csv(tmp_path / "dup.csv", rows)
    rep = run_json("import", "enterprises", f, "--rejects", tmp_path, db=db)
    _adds_up(rep)
    assert (rep["rows_imported"], rep["rows_conflict"], rep["rows_repeated"]) == (3, 1, 1)
    assert rep["repeats"] == [{"file": "dup.csv", "row": 2, "kept_file": "dup.csv", "kept_row": 5, "column": "统一社会信用代码",
                               "key": rows[0][1], "uscc": rows[0][1], "fields": ["name", "capital_wan"]}]
    assert [c["repeated_in_file"] for c in rep["conflicts"]] == [True]
    # which row wins is unchanged: the last
    assert q(db, "SELECT name FROM enterprises WHERE uscc = ?", [rows[0][1]]) == [("杭州重复代码另一名称科技有限公司",)]
    with open(rep["rejects_path"], encoding="utf-8-sig", newline="") as fh:
        rej = list(csv.DictReader(fh))
    assert len(rej) == 1 and rej[0]["row"] == "2" and rej[0]["column"] == "统一社会信用代码" and rej[0]["value"] == rows[0][1]
    assert (rej[0]["code"], rej[0]["action"], rej[0]["action_en"]) == ("key_repeated", "已保留为来源记录", "kept as a source record")
    assert rej[0]["reason"] == ("统一社会信用代码在文件中重复：第 2 行与第 5 行（名称、注册资本不同），以第 5 行为准，"
                                "第 2 行保留为来源记录")
    assert rej[0]["reason_en"] == ("credit code repeated in the file: row 2 and row 5 (name, capital differ); row 5 gives "
                                   "the enterprise its values, row 2 is kept as a source record")
    # the printed summary says the same, in Chinese and in English
    zh = run("import", "enterprises", f, "--source", "again_zh", "--rejects", tmp_path, db=tmp_path / "zh.duckdb").stdout
    assert "与已有企业冲突" not in zh and "文件内重复的代码 1 行" in zh and "第 2 行与第 5 行" in zh, zh
    assert "1（其中文件内代码重复 1）" in zh
    en = run("--lang", "en", "import", "enterprises", f, "--rejects", tmp_path, db=tmp_path / "en.duckdb").stdout
    assert "conflict with known" not in en and "Codes repeated within the file: 1 row" in en and "row 2 and row 5" in en, en


def test_counts_add_up_for_several_kinds(tmp_path, shared, itjuzi_db):
    import shutil

    db = shutil.copy(itjuzi_db[0], tmp_path / "z.duckdb")  # companies and rounds already imported, first time
    firsts = {COMPANIES: itjuzi_db[1], FUNDINGS: itjuzi_db[2]}
    for kind, rel, preset in (("enterprises", COMPANIES, "itjuzi_companies"),
                              ("fundings", FUNDINGS, "itjuzi_financing"),
                              ("enterprises", "listed_companies/a_share_companies_merged.csv", "a_share_merged")):
        first = firsts.get(rel) or run_json("import", kind, shared(rel), "--preset", preset, db=db)
        _adds_up(first)
        if preset == "a_share_merged":  # rows without a full name are named by their short name: said so
            assert first["named_by_alternate"] == {"columns": ["short_name"], "rows": 706}
        again = run_json("import", kind, shared(rel), "--preset", preset, db=db)
        _adds_up(again)
        assert again["rows_imported"] == 0 and again["rows_duplicate"] == again["rows_read"] - again["rows_rejected"]


def test_a_short_name_never_replaces_a_full_name(tmp_path):
    from zhaoshang.core.parse.uscc import make_uscc

    db = tmp_path / "z.duckdb"
    code = make_uscc(777, "440300")
    run_json("import", "enterprises", write_csv(tmp_path / "full.csv", [["深圳短名测试科技股份有限公司", code]],
                                                header=["企业名称", "统一社会信用代码"]), db=db)
    short = write_csv(tmp_path / "short.csv", [["", "短名测试", code]], header=["full_name", "short_name", "uscc"])
    rep = run_json("import", "enterprises", short, "--mapping", write_mapping(tmp_path), "--source", "b", db=db)
    assert rep["named_by_alternate"]["rows"] == 1 and rep["rows_updated"] == 1
    assert q(db, "SELECT name FROM enterprises") == [("深圳短名测试科技股份有限公司",)]
    assert q(db, "SELECT count(*) FROM enterprise_history WHERE field = 'name'") == [(0,)]


def write_mapping(tmp_path):
    m = tmp_path / "m.yaml"
    m.write_text("kind: enterprises\ncolumns:\n  name: [full_name, short_name]\n  short_name: short_name\n  uscc: uscc\n",
                 encoding="utf-8")
    return m


def test_profile_page_shows_the_conflict(tmp_path):
    from web_util import ARGS, CHROMIUM, require_browser, serving
    from zhaoshang.core.parse.uscc import make_uscc

    require_browser()
    db = tmp_path / "z.duckdb"
    code = make_uscc(5151, "330100")
    run_json("import", "enterprises", write_csv(tmp_path / "a.csv", [
        ["苏州另一个名字科技有限公司", code, "2001-01-01", "9000万元", "江苏", "苏州", "", ""],
        ["杭州冲突测试科技有限公司", code, "2019-05-01", "100万元", "浙江", "杭州", "", ""]]), db=db)
    eid = q(db, "SELECT id FROM enterprises WHERE uscc = ?", [code])[0][0]
    from playwright.sync_api import sync_playwright

    with serving(db) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        page.goto(f"{base}/enterprises/{eid}")
        text = page.inner_text("#conflicts")
        browser.close()
    assert "苏州另一个名字科技有限公司" in text and "杭州冲突测试科技有限公司" in text and "2001-01-01" in text
    assert "成立日期" in text and "注册资本" in text


def test_ties_linked_late_are_stored_once_when_their_file_comes_again(tmp_path):
    """Shareholdings and branches imported before their enterprise take, once linked, the key they would have had
    with it known: importing their files again adds nothing (no second holding, person, branch or event)."""
    db = tmp_path / "z.duckdb"
    sh = write_csv(tmp_path / "s.csv", [["宁波测试丙智能科技有限公司", "王小明", "自然人", "64.5%", "2018-03-01"],
                                        ["宁波测试丙智能科技有限公司", "李小红", "自然人", "35.5%", "2018-03-01"]],
                   header=["企业名称", "股东", "股东类型", "持股比例", "出资日期"])
    br = write_csv(tmp_path / "b.csv", [["宁波测试丙智能科技有限公司", "宁波测试丙智能科技有限公司杭州分公司", "2023-05-06",
                                         "浙江杭州"]], header=["企业名称", "分支机构名称", "成立日期", "所在地"])
    assert run_json("import", "shareholdings", sh, db=db)["unlinked"] == 2
    assert run_json("import", "branches", br, db=db)["unlinked"] == 1
    ent = [["宁波测试丙智能科技有限公司", "", "", "", "浙江", "宁波", "", ""]]
    assert run_json("import", "enterprises", write_csv(tmp_path / "e.csv", ent), db=db)["linked_earlier"] == 3
    counts = ("SELECT (SELECT count(*) FROM shareholdings WHERE enterprise_id IS NOT NULL), (SELECT count(*) FROM persons), "
              "(SELECT count(*) FROM branches WHERE parent_id IS NOT NULL), (SELECT count(*) FROM events WHERE type = 'branch')")
    assert q(db, counts) == [(2, 2, 1, 1)]
    for kind, f in (("shareholdings", sh), ("branches", br)):
        again = run_json("import", kind, f, db=db)
        assert again["rows_imported"] == 0 and again["rows_duplicate"] == again["rows_read"], kind
    assert q(db, counts) == [(2, 2, 1, 1)]


def test_strict_refusal_names_the_problem_not_what_an_import_would_have_done_and_counts_them(tmp_path):
    """The strict refusal reused the rejects file's reason, which says what an import that goes on does with the row
    ("其余字段已导入", "保留为来源记录", "已导入"), in the line that says nothing was written; and it gave no count for a
    single problem, where docs/cli.md promises how many there are."""
    db = tmp_path / "z.duckdb"
    rows = good_rows(3, 60)
    rows[1][1] = "91330100MA2B0000X0"
    f = write_csv(tmp_path / "codes.csv", rows)
    p = run("import", "enterprises", f, "--strict", "--rejects", tmp_path, db=db, check=False)
    assert p.returncode == 2 and "统一社会信用代码无效" in p.stderr and "（共 1 个问题）" in p.stderr, p.stderr
    assert "其余字段已导入" not in p.stderr and "未写入任何数据" in p.stderr
    en = run("--lang", "en", "import", "enterprises", f, "--strict", "--rejects", tmp_path, db=db, check=False)
    assert "invalid credit code" in en.stderr and "(1 problem in all)" in en.stderr, en.stderr
    assert "other fields were imported" not in en.stderr and "nothing was written" in en.stderr
    rows = good_rows(3, 500)
    rows.append(["杭州重复代码另一名称科技有限公司", rows[0][1], rows[0][2], "900万元", "浙江", "杭州", "", ""])
    dup = write_csv(tmp_path / "dup.csv", rows)
    p = run("import", "enterprises", dup, "--strict", "--rejects", tmp_path, db=db, check=False)
    assert "重复" in p.stderr and "保留为来源记录" not in p.stderr and "（共 1 个问题）" in p.stderr, p.stderr
    en = run("--lang", "en", "import", "enterprises", dup, "--strict", "--rejects", tmp_path, db=db, check=False)
    assert "repeated in the file" in en.stderr and "kept as a source record" not in en.stderr, en.stderr
    news = tmp_path / "news.csv"
    news.write_text("标题,正文,发布时间,来源\n无日期的新闻,正文内容,,新闻网\n", encoding="utf-8")
    p = run("import", "news", news, "--strict", "--rejects", tmp_path, db=db, check=False)
    assert "没有发布日期" in p.stderr and "已导入" not in p.stderr and "（共 1 个问题）" in p.stderr, p.stderr
    en = run("--lang", "en", "import", "news", news, "--strict", "--rejects", tmp_path, db=db, check=False)
    assert "no publication date" in en.stderr and "imported" not in en.stderr.split("Problem list")[0], en.stderr
    # the rejects file still says what an import that goes on does
    rep = run_json("import", "enterprises", f, "--rejects", tmp_path, db=db)
    with open(rep["rejects_path"], encoding="utf-8-sig") as fh:
        assert "其余字段已导入" in fh.read()


def test_an_import_into_a_store_in_memory_leaves_the_working_folder_alone(tmp_path, monkeypatch):
    """An evaluation imports real lists into a store in memory (evaluate-chain, the news linker): a row to review
    (here a credit code with a wrong check character) wrote its rejects file into the folder the command ran from."""
    from zhaoshang.core.importers import import_files
    from zhaoshang.core.store import Store

    src = tmp_path / "in"
    src.mkdir()
    f = src / "名录.csv"
    f.write_text("企业名称,统一社会信用代码,成立日期\n杭州甲科技有限公司,91330100MA2H7K3P1A,2020-01-01\n", encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    with Store(":memory:") as store:
        report = import_files(store, "enterprises", [f], data_date="2024-12-31")
        assert store.query("SELECT count(*) AS n FROM enterprises")[0]["n"] == 1
    assert report.rejects_path and os.path.exists(report.rejects_path)  # written, for whoever reads the report
    assert list(work.iterdir()) == [] and list(src.iterdir()) == [f]
