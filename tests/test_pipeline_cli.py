"""``zhaoshang pipeline`` run as a user runs it: add, a refused move (one line, exit 2), the overdue list as CSV,
export to Excel, and an import with a bad row refused as a whole."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import matrix_fixture  # noqa: E402
from cli_util import run, run_json  # noqa: E402

from zhaoshang.core.readers import read_into  # noqa: E402
from zhaoshang.core.teamstate import open_team_db  # noqa: E402
from zhaoshang.services.pipeline import leads as L  # noqa: E402
from zhaoshang.services.team import accounts  # noqa: E402


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    d = tmp_path_factory.mktemp("plcli")
    path = d / "fx.duckdb"
    matrix_fixture.build(str(path), n=60)
    team = open_team_db(None, db_path=str(path))  # the team state beside the database, as the CLI opens it
    accounts.add_user(team, "ana", "analyst", "a-long-enough-password-1", "cli:test")
    team.close()
    return path


def test_pipeline_commands(db, tmp_path):
    lead = run_json("pipeline", "add", "1", "宁波市", "--owner", "ana", "--next", "上门拜访", "--due", "2021-01-05",
                    "--note", "来自企业画像", "--source", "profile", db=db)
    assert lead["region_code"] == "330200" and lead["status"] == "new" and lead["owner"] == "ana" and lead["overdue"]
    bad = run("pipeline", "move", str(lead["id"]), "已放弃", db=db, check=False)
    assert bad.returncode == 2 and "理由" in bad.stderr and "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    # a note as the argument or with --note, as `add` and `move` take it (--note was 没有这个选项)
    run("pipeline", "note", str(lead["id"]), "首次电话", db=db)
    run("pipeline", "note", str(lead["id"]), "--note", "约了下周拜访", db=db)
    notes = [h["to_value"] for h in run_json("pipeline", "show", str(lead["id"]), db=db)["history"] if h["field"] == "note"]
    assert notes[-2:] == ["首次电话", "约了下周拜访"], notes
    out = run("pipeline", "list", "--overdue", "--format", "csv", db=db).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["id"], r["next_action"], r["next_action_date"]) for r in rows] == [(str(lead["id"]), "上门拜访", "2021-01-05")]
    assert rows[0]["status_label"] == "新线索"
    en = list(csv.DictReader(io.StringIO(run("--lang", "en", "pipeline", "list", "--format", "csv", db=db).stdout)))
    assert [(r["status_label"], r["region_name"]) for r in en] == [("new lead", "Ningbo")]  # in the CLI's language
    assert rows[0]["region_name"] == "宁波市"
    xlsx = tmp_path / "pipeline.xlsx"
    run("pipeline", "export", "-o", xlsx, db=db)
    import duckdb

    con = duckdb.connect()
    info = read_into(con, xlsx, "t")
    assert "企业名称" in info.headers and "督办" in info.headers and info.rows == 1
    en_csv = tmp_path / "pipeline_en.csv"  # in English: headers, status and region too; the import reads it back
    run("--lang", "en", "pipeline", "export", "-o", en_csv, db=db)
    with open(en_csv, encoding="utf-8-sig", newline="") as fh:
        en_rows = list(csv.DictReader(fh))
    assert [(r["Enterprise"], r["Region"], r["Status"], r["Overdue"]) for r in en_rows] == [
        (lead["enterprise_name"], "Ningbo", "new lead", "yes")]
    xlsx = tmp_path / "pipeline_en.xlsx"  # the sheet: ids as numbers, 督办 yes/no, sources in words, times to the second
    run("--lang", "en", "pipeline", "export", "-o", xlsx, db=db)
    import openpyxl

    ws = openpyxl.load_workbook(xlsx).active
    assert ws.title == "Data"  # the sheet's name in the file's language
    head, *body = [list(r) for r in ws.iter_rows(values_only=True)]
    got = [dict(zip(head, r)) for r in body]
    assert [(type(r["ID"]), type(r["Enterprise ID"]), r["Overdue"], r["Source"]) for r in got] == [
        (int, int, "yes", "Excel import" if lead["source"] == "excel" else {"manual": "manual", "leads": "leads list",
                                                                           "profile": "profile"}[lead["source"]])]
    assert len(got[0]["Updated at"]) == 19 and "T" not in got[0]["Updated at"]
    from zhaoshang.services.pipeline.excel import _columns

    found = _columns(list(en_rows[0]))
    assert all(found[k] for k in ("enterprise", "region", "status", "owner", "next_action", "next_action_date"))
    sheet = tmp_path / "more.csv"
    with open(sheet, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["企业编号", "地区", "状态", "负责人"])
        w.writerow(["2", "宁波市", "洽谈中", "ana"])
        w.writerow(["3", "宁波市", "洽谈中", "nobody"])
    refused = run("pipeline", "import", sheet, db=db, check=False)
    assert refused.returncode == 2 and "第 3 行" in refused.stderr and "nobody" in refused.stderr
    assert "Traceback" not in refused.stderr
    team = open_team_db(None, db_path=str(db))
    assert [r["enterprise_id"] for r in L.list_leads(team)] == [1]  # nothing of the refused file was added
    team.close()
    # an accepted file: the table's columns in the CLI's language (the count of leads read "added" in Chinese)
    alone = tmp_path / "alone.duckdb"
    alone.write_bytes(Path(db).read_bytes())
    one = tmp_path / "one.csv"
    one.write_text("企业编号,地区\n2,宁波市\n", encoding="utf-8")
    out = run("pipeline", "import", one, db=alone).stdout
    assert "已导入 1 条线索" in out and "新增线索" in out and "added" not in out, out


def test_the_list_names_the_segment(db):
    """pipeline list shows a lead's segment by its name in the CLI's language (U01 AI芯片 / U01 AI chips), not U01;
    the JSON keeps the code."""
    lead = run_json("pipeline", "add", "2", "杭州市", "--segment", "U01", db=db)
    zh = list(csv.DictReader(io.StringIO(run("pipeline", "list", "--segment", "U01", "--format", "csv", db=db).stdout)))
    en = list(csv.DictReader(io.StringIO(run("--lang", "en", "pipeline", "list", "--segment", "U01", "--format", "csv",
                                             db=db).stdout)))
    assert [r["segment"] for r in zh] == ["U01 AI芯片"] and [r["segment"] for r in en] == ["U01 AI chips"]
    assert lead["segment"] == "U01" and run_json("pipeline", "list", "--segment", "U01", db=db)[0]["segment"] == "U01"


def test_stats_without_signed_leads_says_why_it_is_empty(tmp_path):
    """落地率 counts signed leads: with open leads only, the table says there is no signed lead yet rather than
    （无记录） beside a list that has leads."""
    path = tmp_path / "fx.duckdb"
    matrix_fixture.build(str(path), n=60)
    run_json("pipeline", "add", "1", "宁波市", db=path)
    zh = run("pipeline", "stats", "--by", "segment", db=path).stdout
    assert "还没有已签约的线索" in zh and "（无记录）" not in zh
    en = run("--lang", "en", "pipeline", "stats", db=path).stdout
    assert "no signed leads yet" in en
    assert run_json("pipeline", "stats", db=path) == []
    # signed and landed without an owner: the owner is —, the rate a per cent (the table read a blank and 1)
    run("pipeline", "move", "1", "已签约", db=path)
    run("pipeline", "move", "1", "已落地", db=path)
    table = run("pipeline", "stats", db=path, env={"COLUMNS": "200"}).stdout
    row = [ln for ln in table.splitlines() if "100%" in ln]
    assert row and row[0].split("│")[1].strip() == "—", table
    doc = run_json("pipeline", "stats", db=path)
    assert doc[0]["owner"] is None and doc[0]["landing_rate"] == 1.0  # JSON as stored
    # by segment and source: the table names them (it printed U01, manual); JSON and CSV keep the codes
    wide = {"COLUMNS": "200"}
    run_json("pipeline", "add", "2", "宁波市", "--segment", "U01", "--status", "已签约", db=path)
    assert "U01 AI芯片" in run("pipeline", "stats", "--by", "segment", db=path, env=wide).stdout
    assert "U01 AI chips" in run("--lang", "en", "pipeline", "stats", "--by", "segment", db=path, env=wide).stdout
    assert "手工录入" in run("pipeline", "stats", "--by", "source", db=path, env=wide).stdout
    segs = [r["segment"] for r in csv.DictReader(io.StringIO(run("pipeline", "stats", "--by", "segment", "--format", "csv",
                                                                  db=path).stdout))]
    assert "U01" in segs and not any(" " in x for x in segs), segs


def test_show_gives_the_history_in_the_cli_language(tmp_path):
    """pipeline show's history as the 招商项目 page gives it: to the second, fields and statuses in words, the segment
    by its name (the table read 2026-12-03T00:50:35.270923Z · status · new → contacted); JSON keeps what is stored."""
    path = tmp_path / "fx.duckdb"
    matrix_fixture.build(str(path), n=60)
    lead = run_json("pipeline", "add", "1", "宁波市", "--segment", "U01", db=path)
    run("pipeline", "move", str(lead["id"]), "contacted", db=path)
    zh = list(csv.DictReader(io.StringIO(run("pipeline", "show", str(lead["id"]), "--format", "csv", db=path).stdout)))
    moved = [r for r in zh if r["from_value"]]
    assert [(r["field"], r["from_value"], r["to_value"]) for r in moved] == [("状态", "新线索", "已接触")]
    assert ("产业链环节", "U01 AI芯片") in [(r["field"], r["to_value"]) for r in zh]
    assert all(len(r["at"]) == 19 and "T" not in r["at"] for r in zh)
    en = list(csv.DictReader(io.StringIO(run("--lang", "en", "pipeline", "show", str(lead["id"]), "--format", "csv",
                                             db=path).stdout)))
    assert [(r["field"], r["from_value"], r["to_value"]) for r in en if r["from_value"]] == [("status", "new lead", "contacted")]
    stored = run_json("pipeline", "show", str(lead["id"]), db=path)["history"]
    assert {"status", "segment"} <= {h["field"] for h in stored} and "contacted" in {h["to_value"] for h in stored}


def test_a_move_back_past_signed_needs_a_reason_and_clears_the_dates(tmp_path):
    """已落地 → 已接触 was accepted and kept 签约日期 and 落地日期: the list and export said 已接触 with both dates and
    落地率 counted a signed lead that had not landed. A move back before 已签约/已落地 now needs --reason (kept as a
    note) and clears the dates of the stages left behind, so the export and the stats agree with the status."""
    path = tmp_path / "fx.duckdb"
    matrix_fixture.build(str(path), n=60)
    lead = str(run_json("pipeline", "add", "1", "宁波市", db=path)["id"])
    run("pipeline", "move", lead, "已签约", db=path)
    landed = run_json("pipeline", "move", lead, "已落地", db=path)
    assert landed["signed_on"] and landed["landed_on"]
    for status in ("contacted", "已签约"):
        bad = run("pipeline", "move", lead, status, db=path, check=False)
        assert bad.returncode == 2 and "--reason" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1, bad.stderr
    assert run_json("pipeline", "show", lead, db=path)["status"] == "landed"  # refused: nothing changed
    en = run("--lang", "en", "pipeline", "move", lead, "contacted", db=path, check=False)
    assert en.returncode == 2 and en.stderr.startswith("error: moving a lead back from landed to contacted needs a reason")
    # back to 已签约: the landing goes, the signing keeps its day
    back = run_json("pipeline", "move", lead, "已签约", "--reason", "落地主体注销", db=path)
    assert (back["status"], back["signed_on"], back["landed_on"]) == ("signed", landed["signed_on"], None)
    assert run_json("pipeline", "stats", db=path)[0] | {"owner": None} == {
        "owner": None, "signed": 1, "landed": 0, "landing_rate": 0.0, "mean_days_to_land": None,
        "median_days_to_land": None}
    # back to 已接触: the signing goes too, and no signed lead is left for 落地率
    run("pipeline", "move", lead, "contacted", "--reason", "对方撤回签约", "--note", "下月再谈", db=path)
    out = tmp_path / "pipeline.csv"
    run("pipeline", "export", "-o", out, db=path)
    with open(out, encoding="utf-8-sig", newline="") as fh:
        row, = list(csv.DictReader(fh))
    assert (row["状态"], row["签约日期"], row["落地日期"]) == ("已接触", "", ""), row
    assert run_json("pipeline", "stats", db=path) == []
    notes = [h["to_value"] for h in run_json("pipeline", "show", lead, db=path)["history"] if h["field"] == "note"]
    assert notes == ["落地主体注销", "对方撤回签约", "下月再谈"]
    # forwards again needs no reason
    assert run_json("pipeline", "move", lead, "已签约", db=path)["signed_on"]


def test_abandoning_a_landed_lead_clears_its_dates(tmp_path):
    """A landed lead abandoned kept 签约日期 and 落地日期: the export said 已放弃 with a landing day while 落地率 counted
    it as signed and not landed. 已放弃 clears the dates of every stage, as a move back does."""
    path = tmp_path / "fx.duckdb"
    matrix_fixture.build(str(path), n=60)
    lead = str(run_json("pipeline", "add", "1", "宁波市", db=path)["id"])
    run("pipeline", "move", lead, "已签约", db=path)
    assert run_json("pipeline", "move", lead, "已落地", db=path)["landed_on"]
    gone = run_json("pipeline", "move", lead, "已放弃", "--reason", "企业改投他处", db=path)
    assert (gone["status"], gone["signed_on"], gone["landed_on"], gone["landing"]) == ("abandoned", None, None, None)
    out = tmp_path / "pipeline.csv"
    run("pipeline", "export", "-o", out, db=path)
    with open(out, encoding="utf-8-sig", newline="") as fh:
        row, = list(csv.DictReader(fh))
    assert (row["状态"], row["签约日期"], row["落地日期"], row["放弃理由"]) == ("已放弃", "", "", "企业改投他处"), row
    assert run_json("pipeline", "stats", db=path) == []


def test_a_lead_is_not_added_as_landed(tmp_path):
    """`add --status 已落地` (and an import row 已落地) made a lead landed at once, signed and landed the same day:
    落地率 100 % in 0 days. As for `move`, 已落地 comes only after 已签约."""
    path = tmp_path / "fx.duckdb"
    matrix_fixture.build(str(path), n=60)
    bad = run("pipeline", "add", "1", "宁波市", "--status", "已落地", db=path, check=False)
    assert bad.returncode == 2 and "尚未签约" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1, bad.stderr
    sheet = tmp_path / "landed.csv"
    with open(sheet, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["企业编号", "地区", "状态"], ["1", "宁波市", "已落地"]])
    bad = run("pipeline", "import", sheet, db=path, check=False)
    assert bad.returncode == 2 and "第 2 行" in bad.stderr and "尚未签约" in bad.stderr, bad.stderr
    assert run_json("pipeline", "list", db=path) == [] and run_json("pipeline", "stats", db=path) == []
    signed = run_json("pipeline", "add", "1", "宁波市", "--status", "已签约", db=path)
    assert signed["status"] == "signed" and signed["signed_on"] and signed["landed_on"] is None


def test_an_english_export_imports_again_by_its_codes(tmp_path):
    """The English export's Region column holds English names (Xihu: 杭州, 南昌 and, as 溪湖区, 本溪 have one);
    the import read it before Region code and refused every row, in Chinese. Codes are read before names, and the
    rows' errors are in the CLI's language."""
    path = tmp_path / "fx.duckdb"
    matrix_fixture.build(str(path), n=60)
    run("pipeline", "add", "1", "330106", db=path)
    run("pipeline", "add", "2", "360103", "--segment", "U01", db=path)
    out = tmp_path / "en.xlsx"
    run("--lang", "en", "pipeline", "export", "-o", out, db=path)
    other = tmp_path / "other.sqlite"
    run("--lang", "en", "--team-db", other, "pipeline", "import", out, db=path)
    got = run_json("--team-db", other, "pipeline", "list", db=path)
    assert sorted((r["enterprise_id"], r["region_code"], r["segment"]) for r in got)[1:] == [(2, "360103", "U01")]
    assert sorted(r["region_code"] for r in got) == ["330106", "360103"]
    bad = tmp_path / "bad.csv"
    with open(bad, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["Enterprise ID", "Region", "Status"], ["3", "Xihu", "new lead"],
                                  ["4", "330106", "done"]])
    refused = run("--lang", "en", "--team-db", other, "pipeline", "import", bad, db=path, check=False)
    assert refused.returncode == 2, refused.stderr
    assert "row 2: region not found: Xihu" in refused.stderr or "row 2: ambiguous region name: Xihu" in refused.stderr
    assert "row 3: unknown status: done" in refused.stderr and "第" not in refused.stderr, refused.stderr


def test_districts_of_the_same_name_are_told_apart(tmp_path):
    """Two leads in 杭州市西湖区 and 南昌市西湖区 were listed as 西湖区 and 西湖区 (Xihu and Xihu in English, and in the
    English export): the list, the title and the export name the city where another region shares the name."""
    path = tmp_path / "fx.duckdb"
    matrix_fixture.build(str(path), n=60)
    added = run("pipeline", "add", "1", "330106", db=path).stdout
    assert "杭州市西湖区" in added, added
    run("pipeline", "add", "1", "360103", db=path)
    run("pipeline", "add", "1", "宁波市", db=path)
    zh = list(csv.DictReader(io.StringIO(run("pipeline", "list", "--format", "csv", db=path).stdout)))
    assert sorted(r["region_name"] for r in zh) == ["南昌市西湖区", "宁波市", "杭州市西湖区"]
    en = list(csv.DictReader(io.StringIO(run("--lang", "en", "pipeline", "list", "--format", "csv", db=path).stdout)))
    assert sorted(r["region_name"] for r in en) == ["Ningbo", "Xihu, Hangzhou", "Xihu, Nanchang"]
    out = tmp_path / "en.csv"
    run("--lang", "en", "pipeline", "export", "-o", out, db=path)
    with open(out, encoding="utf-8-sig", newline="") as fh:
        assert sorted(r["Region"] for r in csv.DictReader(fh)) == ["Ningbo", "Xihu, Hangzhou", "Xihu, Nanchang"]
    assert run_json("pipeline", "list", db=path)[0]["region_name"] in ("西湖区", "宁波市")  # JSON keeps what is stored


def test_an_unknown_segment_or_owner_is_refused(tmp_path):
    """`add --segment XYZ99` stored a node the chain does not have, and `list --segment AI芯片` / `list --owner nobody`
    answered an empty list: each is now refused as every node a user names is (naming the nodes meant) and as
    `add --owner nobody` is."""
    path = tmp_path / "fx.duckdb"
    matrix_fixture.build(str(path), n=60)
    team = open_team_db(None, db_path=str(path))
    accounts.add_user(team, "ana", "analyst", "a-long-enough-password-1", "cli:test")
    team.close()
    bad = run("pipeline", "add", "1", "宁波市", "--segment", "XYZ99", db=path, check=False)
    assert bad.returncode == 2 and "未找到产业链环节: XYZ99" in bad.stderr, bad.stderr
    run("pipeline", "add", "1", "宁波市", "--segment", "U01", "--owner", "ana", db=path)
    near = run("pipeline", "list", "--segment", "AI芯片", db=path, check=False)
    assert near.returncode == 2 and "U01 AI芯片" in near.stderr, near.stderr
    nobody = run("pipeline", "list", "--owner", "nobody", db=path, check=False)
    assert nobody.returncode == 2 and "没有这个用户: nobody" in nobody.stderr, nobody.stderr
    assert len(run_json("pipeline", "list", "--segment", "U01", "--owner", "ana", db=path)) == 1
    sheet = tmp_path / "seg.csv"
    with open(sheet, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["企业编号", "地区", "产业链环节"], ["2", "宁波市", "U01"], ["3", "宁波市", "NOPE"]])
    refused = run("pipeline", "import", sheet, db=path, check=False)
    assert refused.returncode == 2 and "第 3 行: 未找到产业链环节: NOPE" in refused.stderr, refused.stderr


def test_a_reason_is_an_abandon_reason_only_when_abandoned(tmp_path):
    """`add --reason 不该存` on a 新线索 stored 放弃理由 beside 新线索 (list, pages and export). A new lead takes a reason
    only as 已放弃; a move that needs none keeps it as a note."""
    path = tmp_path / "fx.duckdb"
    matrix_fixture.build(str(path), n=60)
    bad = run("pipeline", "add", "1", "宁波市", "--reason", "不该存", db=path, check=False)
    assert bad.returncode == 2 and "放弃理由只用于 已放弃" in bad.stderr, bad.stderr
    sheet = tmp_path / "reason.csv"
    with open(sheet, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["企业编号", "地区", "状态", "放弃理由"], ["1", "宁波市", "新线索", "不该存"]])
    bad = run("pipeline", "import", sheet, db=path, check=False)
    assert bad.returncode == 2 and "第 2 行: 放弃理由只用于 已放弃" in bad.stderr, bad.stderr
    assert run_json("pipeline", "list", db=path) == []
    lead = str(run_json("pipeline", "add", "1", "宁波市", "--status", "已放弃", "--reason", "已在本地", db=path)["id"])
    moved = run_json("pipeline", "move", lead, "已接触", "--reason", "企业回心转意", db=path)
    assert (moved["status"], moved["abandon_reason"]) == ("contacted", None)
    moved = run_json("pipeline", "move", lead, "已拜访", "--reason", "上门一次", db=path)
    assert moved["abandon_reason"] is None
    notes = [h["to_value"] for h in run_json("pipeline", "show", lead, db=path)["history"] if h["field"] == "note"]
    assert notes == ["企业回心转意", "上门一次"], notes


def test_signing_and_landing_dates_are_given_by_move_on_and_read_by_import(tmp_path):
    """The signing and landing dates were always the day of the command: `move` had no date, and `import` ignored
    the 签约日期 and 落地日期 its own export writes, so an export → import lost them and landing tracking looked for
    entities only after today. `move --on` gives the day (not after today, a landing not before the signing) and
    the import reads both columns."""
    path = tmp_path / "fx.duckdb"
    matrix_fixture.build(str(path), n=60)
    lead = str(run_json("pipeline", "add", "1", "宁波市", db=path)["id"])
    wrong = run("pipeline", "move", lead, "已接触", "--on", "2025-01-01", db=path, check=False)
    assert wrong.returncode == 2 and "--on" in wrong.stderr, wrong.stderr
    future = run("pipeline", "move", lead, "已签约", "--on", "2099-01-01", db=path, check=False)
    assert future.returncode == 2 and "签约日期 2099-01-01 晚于今天" in future.stderr, future.stderr
    assert run_json("pipeline", "move", lead, "已签约", "--on", "2025-01-01", db=path)["signed_on"] == "2025-01-01"
    early = run("--lang", "en", "pipeline", "move", lead, "已落地", "--on", "2024-12-31", db=path, check=False)
    assert early.returncode == 2 and "landing date 2024-12-31 is before the signing date 2025-01-01" in early.stderr
    landed = run_json("pipeline", "move", lead, "已落地", "--on", "2025-03-01", db=path)
    assert (landed["signed_on"], landed["landed_on"]) == ("2025-01-01", "2025-03-01")
    run("pipeline", "add", "2", "宁波市", "--status", "已签约", db=path)
    # the export imports again with both dates, and a sheet typed by hand gives them too
    out = tmp_path / "pipeline.xlsx"
    run("pipeline", "export", "-o", out, db=path)
    other = tmp_path / "other.sqlite"
    run("--team-db", other, "pipeline", "import", out, db=path)
    again = {r["enterprise_id"]: (r["status"], r["signed_on"], r["landed_on"])
             for r in run_json("--team-db", other, "pipeline", "list", db=path)}
    mine = {r["enterprise_id"]: (r["status"], r["signed_on"], r["landed_on"]) for r in run_json("pipeline", "list", db=path)}
    assert again == mine and again[1] == ("landed", "2025-01-01", "2025-03-01"), again
    assert run_json("--team-db", other, "pipeline", "stats", db=path)[0]["mean_days_to_land"] == 59
    sheet = tmp_path / "signed.csv"
    with open(sheet, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["企业编号", "地区", "状态", "签约日期", "落地日期"],
                                  ["3", "宁波市", "已签约", "2025-01-01", ""],
                                  ["4", "宁波市", "洽谈中", "2025-01-01", ""],
                                  ["5", "宁波市", "已落地", "2025-02-01", "2025-01-01"],
                                  ["6", "宁波市", "已落地", "2025-02-01", ""]])
    refused = run("--team-db", tmp_path / "third.sqlite", "pipeline", "import", sheet, db=path, check=False)
    assert refused.returncode == 2 and "第 2 行" not in refused.stderr, refused.stderr
    assert "第 3 行: 签约日期只用于" in refused.stderr and "第 4 行: 落地日期 2025-01-01 早于签约日期 2025-02-01" in refused.stderr
    assert "第 5 行: 线索尚未签约" in refused.stderr, refused.stderr


def test_a_city_lists_the_leads_of_its_districts(tmp_path):
    """`pipeline list --region 杭州市` answered 0 leads while 杭州市西湖区 held some: a city (a province) lists its own
    leads and those of the regions in it."""
    path = tmp_path / "fx.duckdb"
    matrix_fixture.build(str(path), n=60)
    for ent, region in (("1", "330106"), ("2", "杭州市"), ("3", "宁波市"), ("4", "360103")):
        run("pipeline", "add", ent, region, db=path)

    def listed(region):
        return sorted(r["region_code"] for r in run_json("pipeline", "list", "--region", region, db=path))

    assert listed("杭州市") == ["330100", "330106"]
    assert listed("浙江") == ["330100", "330106", "330200"]
    assert listed("杭州市西湖区") == ["330106"] and listed("江西省") == ["360103"]


def test_a_credit_code_with_a_wrong_check_character_is_said_to_be_invalid(tmp_path):
    """`pipeline add 91500100569423796B` (a typo in the check character) answered only 未找到企业."""
    from zhaoshang.core.parse.uscc import make_uscc

    path = tmp_path / "fx.duckdb"
    matrix_fixture.build(str(path), n=60)
    uscc = make_uscc(4242, "500100")  # a valid code no enterprise of the fixture has
    typo = uscc[:17] + ("1" if uscc[17] != "1" else "2")
    bad = run("pipeline", "add", typo, "杭州市", db=path, check=False)
    assert bad.returncode == 2 and f"不是有效的统一社会信用代码：校验位错误，应为 {uscc[17]}" in bad.stderr, bad.stderr
    en = run("--lang", "en", "pipeline", "add", typo, "杭州市", db=path, check=False)
    assert f"not a valid credit code: wrong check character, should be {uscc[17]}" in en.stderr, en.stderr
    valid = run("pipeline", "add", uscc, "杭州市", db=path, check=False)  # a valid code: only not found
    assert valid.returncode == 2 and "未找到企业" in valid.stderr and "有效" not in valid.stderr, valid.stderr
