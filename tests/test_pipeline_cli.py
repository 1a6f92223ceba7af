"""``zhaoshang pipeline`` run as a user runs it: add, a refused move (one line, exit 2), the overdue list as CSV,
export to Excel, and an import with a bad row refused as a whole."""

from __future__ import annotations

import csv
import json
import re
import io
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import matrix_fixture  # noqa: E402
from conftest import light_password_hashes  # noqa: E402
from cli_util import run, run_json  # noqa: E402
from test_audit_times import shown_as  # noqa: E402

from zhaoshang.core.readers import read_into  # noqa: E402
from zhaoshang.core.store import Store  # noqa: E402
from zhaoshang.core.teamstate import open_team_db  # noqa: E402
from zhaoshang.services.pipeline import leads as L  # noqa: E402
from zhaoshang.services.team import accounts  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def _light_hashes():
    """The team users made here get Argon2 at its lowest cost: a fifth of a second of CPU each otherwise, and what is
    checked (who may do what) does not depend on it (tests/conftest.py, light_password_hashes)."""
    with light_password_hashes():
        yield


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
                    "--note", "来自企业画像", "--source", "profile", "--segment", "M02", db=db)
    assert lead["region_code"] == "330200" and lead["status"] == "new" and lead["owner"] == "ana" and lead["overdue"]
    bad = run("pipeline", "move", str(lead["id"]), "已放弃", db=db, check=False)
    assert bad.returncode == 2 and "理由" in bad.stderr and "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    # an owner who is no user: the refusal names who can own a lead, in either language (nothing added: see below)
    for lang, said in (("zh", "没有这个用户: nobody（可作负责人的用户：ana）"),
                       ("en", "no such user: nobody (users who can own a lead: ana)")):
        got = run("--lang", lang, "pipeline", "add", "2", "宁波市", "--owner", "nobody", db=db, check=False)
        assert got.returncode == 2 and said in got.stderr, got.stderr
    # a note as the argument or with --note, as `add` and `move` take it (--note was 没有这个选项)
    run("pipeline", "note", str(lead["id"]), "首次电话", db=db)
    run("pipeline", "note", str(lead["id"]), "--note", "约了下周拜访", db=db)
    notes = [h["to_value"] for h in run_json("pipeline", "show", str(lead["id"]), db=db)["history"] if h["field"] == "note"]
    assert notes[-2:] == ["首次电话", "约了下周拜访"], notes
    out = run("pipeline", "list", "--overdue", "--format", "csv", db=db).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["id"], r["next_action"], r["next_action_date"]) for r in rows] == [(str(lead["id"]), "上门拜访", "2021-01-05")]
    # the JSON's fields and values, in either language (the table names them in the CLI's language)
    assert (rows[0]["status"], rows[0]["region_code"], rows[0]["overdue"]) == ("new", "330200", "true")
    en = list(csv.DictReader(io.StringIO(run("--lang", "en", "pipeline", "list", "--format", "csv", db=db).stdout)))
    assert en == rows
    table = run("--lang", "en", "pipeline", "list", db=db, env={"COLUMNS": "250"}).stdout
    assert "new lead" in table and "Ningbo" in table
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
    # the segment's name beside its code, in the file's language, as the 招商项目 page shows it (the code alone was
    # all the sheet said)
    with Store(str(db), read_only=True) as store:
        nodes = {c: (zh, en) for c, zh, en in store.con.execute("SELECT code, name_zh, name_en FROM chain_nodes").fetchall()}
    assert [(r["Segment code"], r["Segment"]) for r in en_rows] == [("M02", nodes["M02"][1])] == [("M02", "Computer vision")]
    zh_rows = [dict(zip(info.headers, r)) for r in con.execute(f"SELECT {', '.join(info.columns)} FROM t").fetchall()]
    assert [(r["产业链环节"], r["环节"]) for r in zh_rows] == [("M02", "计算机视觉")]
    # a demo's lead labelled as the page's export labels it, in the file's language (the command wrote no 数据说明)
    assert [r["数据说明"] for r in zh_rows] == ["合成演示数据"] and [r["Data label"] for r in en_rows] == ["synthetic demo data"]
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
    updated = run_json("pipeline", "list", db=db)[0]["updated_at"]  # stored in UTC; the sheet's in China's time, said
    assert got[0]["Updated at (UTC+8)"] == shown_as(updated), (got[0], updated)
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
    one.write_text("企业编号,地区\n2,宁波市\n2,杭州市\n", encoding="utf-8")
    done = run("pipeline", "import", one, db=alone)
    out = done.stdout
    assert "已导入：新增 2 条线索，更新 0 条，未变 0 条" in out and "新增线索" in out and "added" not in out, out
    # a row whose enterprise is already present in the region (2: registered in 杭州市西湖区) is added and said, per
    # row, as `pipeline add` says it (the import said nothing)
    city = next(r["id"] for r in run_json("pipeline", "list", db=alone) if r["region_code"] == "330100")
    assert done.stderr == (f"注意：第 3 行（#{city}）：该企业已在 杭州市 落地（注册地在此）：招商线索指从外地引进的企业——"
                           "仍已加入（可跟进其本地扩张）\n"), done.stderr
    two = tmp_path / "two.csv"  # in English, the JSON too: a district of that city, where it is a lead of the city
    two.write_text("企业编号,地区\n2,330106\n", encoding="utf-8")
    done = run("--lang", "en", "pipeline", "import", two, "--format", "json", db=alone)
    got = json.loads(done.stdout)
    said = ("the enterprise is already present in Xihu, Hangzhou (registered there): a lead is an enterprise to attract "
            f"from elsewhere — added all the same (a local expansion may be tracked); the enterprise is already a lead "
            f"of Hangzhou: #{city} (new lead, no owner) — check with its owner before approaching it")
    assert got["warnings"] == [{"row": 2, "lead_id": got["lead_ids"][0], "warning": said}], got
    assert done.stderr == f"Note: row 2 (#{got['lead_ids'][0]}): {said}\n", done.stderr


def test_the_list_names_the_segment(db):
    """pipeline list shows a lead's segment by its name in the CLI's language (U01 AI芯片 / U01 AI chips), not U01;
    the JSON and the CSV keep the code."""
    import json

    first = run("pipeline", "add", "2", "杭州市", "--segment", "U01", "--format", "json", db=db)
    lead = json.loads(first.stdout)
    # enterprise 2 is registered in 杭州市西湖区: present in the region, no enterprise to attract from elsewhere —
    # added all the same (a local expansion may be tracked), and said, as the lead mining would leave it out
    local = "注意：该企业已在 %s 落地（注册地在此）：招商线索指从外地引进的企业——仍已加入（可跟进其本地扩张）"
    assert first.stderr == local % "杭州市" + "\n" and lead["local"] == {"registered": 1}, first.stderr
    wide = {"COLUMNS": "250"}
    assert "U01 AI芯片" in run("pipeline", "list", "--segment", "U01", db=db, env=wide).stdout
    assert "U01 AI chips" in run("--lang", "en", "pipeline", "list", "--segment", "U01", db=db, env=wide).stdout
    got = list(csv.DictReader(io.StringIO(run("pipeline", "list", "--segment", "U01", "--format", "csv", db=db).stdout)))
    assert [r["segment"] for r in got] == ["U01"]
    assert lead["segment"] == "U01" and run_json("pipeline", "list", "--segment", "U01", db=db)[0]["segment"] == "U01"
    # a stage's code lists its child segments too (as leads and monitor read it), under --node as well
    assert [r["id"] for r in run_json("pipeline", "list", "--node", "U", db=db)] == [lead["id"]]
    # the same enterprise for a district of 杭州市, then for 浙江省: added (two teams may both work it), with a line
    # naming the leads of the enclosing and enclosed regions, beside any format
    added = run("pipeline", "add", "2", "330106", "--segment", "M02", db=db)
    assert added.stderr == (local % "杭州市西湖区" + f"；该企业已是 杭州市 的线索 #{lead['id']}（新线索，无负责人），"
                            "接触前请与其负责人协调\n"), added.stderr
    added = run("--lang", "en", "pipeline", "add", "2", "浙江省", "--segment", "M02", "--format", "json", db=db)
    said = ("the enterprise is already present in Zhejiang (registered there): a lead is an enterprise to attract from "
            "elsewhere — added all the same (a local expansion may be tracked); "
            "the enterprise is already a lead of Hangzhou: #%d (new lead, no owner); Xihu, Hangzhou: #%d (new lead, no owner)")
    district = next(r["id"] for r in run_json("pipeline", "list", db=db) if r["region_code"] == "330106" and r["enterprise_id"] == 2)
    assert json.loads(added.stdout)["warning"].startswith(said % (lead["id"], district))
    assert ("Note: " + said % (lead["id"], district)) in added.stderr, added.stderr
    # another district of its city: a candidate of that district's list, so no enterprise already there
    assert "已在" not in run("pipeline", "add", "2", "330108", db=db).stderr
    # a lead chosen from the 招商线索 list of a day keeps that day and its score there (as the web's add from the list),
    # read back from the lead; a lead added otherwise has none
    assert (lead["list_as_of"], lead["list_score"]) == (None, None)
    scores = {r["enterprise_id"]: r["score"] for r in run_json("leads", "杭州市", "--as-of", "2024-06-30", "--top", "100",
                                                               db=db)}
    chosen = run_json("pipeline", "add", "4", "杭州市", "--as-of", "2024-06", "--source", "leads", db=db)
    back = run_json("pipeline", "show", str(chosen["id"]), db=db)
    assert (back["list_as_of"], back["list_score"], back["list_weights"]) == ("2024-06-30", scores[4], None), back
    refused = run("pipeline", "add", "5", "杭州市", "--weights", "v1", db=db, check=False)
    assert refused.returncode == 2 and "--as-of" in refused.stderr and "Traceback" not in refused.stderr


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


@pytest.fixture(scope="module")
def shown_lead(tmp_path_factory):
    """The fixture with one lead (enterprise 1, 宁波市, segment U01, a note), moved to contacted by the command:
    ``(the database, the lead as added)``. The tests of ``pipeline show`` read it and change nothing."""
    path = tmp_path_factory.mktemp("plshow") / "fx.duckdb"
    matrix_fixture.build(str(path), n=60)
    lead = run_json("pipeline", "add", "1", "宁波市", "--segment", "U01", "--note", "首次接触, 待回访", db=path)
    run("pipeline", "move", str(lead["id"]), "contacted", db=path)
    return path, lead


@pytest.fixture(scope="module")
def landed_lead(tmp_path_factory):
    """The fixture with one lead (enterprise 1, 宁波市) added, then moved to 已签约 and 已落地 by the command, each
    dated today: ``(the database, the signing's answer, the landing's answer)``. Tests copy it before changing it."""
    from built_once import copy_to

    path = tmp_path_factory.mktemp("pllanded") / "fx.duckdb"
    matrix_fixture.build(str(path), n=60)
    lead = str(run_json("pipeline", "add", "1", "宁波市", db=path)["id"])
    signed = run_json("pipeline", "move", lead, "已签约", db=path)
    landed = run_json("pipeline", "move", lead, "已落地", db=path)
    return lambda to: (copy_to(path, to), signed, landed)


def test_show_gives_the_history_in_the_cli_language(shown_lead):
    """pipeline show's history as the 招商项目 page gives it: to the second, fields and statuses in words, the segment
    by its name (the table read 2026-12-03T00:50:35.270923Z · status · new → contacted); JSON keeps what is stored."""
    path, lead = shown_lead
    wide = {"COLUMNS": "250"}
    zh = run("pipeline", "show", str(lead["id"]), db=path, env=wide).stdout
    assert "状态" in zh and "新线索" in zh and "已接触" in zh and "U01 AI芯片" in zh and "时间 (UTC+8)" in zh, zh
    en = run("--lang", "en", "pipeline", "show", str(lead["id"]), db=path, env=wide).stdout
    assert "new lead" in en and "contacted" in en and "Time (UTC+8)" in en, en
    stored = run_json("pipeline", "show", str(lead["id"]), db=path)["history"]
    assert {"status", "segment"} <= {h["field"] for h in stored} and "contacted" in {h["to_value"] for h in stored}


def test_show_as_csv_is_one_row_per_history_entry_with_the_jsons_fields(shown_lead):
    """pipeline show --format csv wrote the table made for reading (fields and statuses in the CLI's language, the
    time cut to the second, no lead id): a machine reading it got other values in English than in Chinese. It
    writes one header row of the JSON's field names and one row per history entry with the stored values, the same
    in either language, as pipeline list and alerts list do."""
    path, lead = shown_lead
    out = run("pipeline", "show", str(lead["id"]), "--format", "csv", db=path).stdout
    assert out.splitlines()[0] == "lead_id,at,actor,field,from_value,to_value", out
    rows = list(csv.DictReader(io.StringIO(out)))
    stored = run_json("pipeline", "show", str(lead["id"]), db=path)["history"]
    assert [{k: v for k, v in r.items() if k != "lead_id"} for r in rows] == \
        [{k: "" if v is None else v for k, v in h.items()} for h in stored]
    assert {r["lead_id"] for r in rows} == {str(lead["id"])}
    assert ("status", "new", "contacted") in [(r["field"], r["from_value"], r["to_value"]) for r in rows]
    assert ("segment", "U01") in [(r["field"], r["to_value"]) for r in rows]
    assert ("note", "首次接触, 待回访") in [(r["field"], r["to_value"]) for r in rows]
    assert run("--lang", "en", "pipeline", "show", str(lead["id"]), "--format", "csv", db=path).stdout == out


def test_a_move_back_past_signed_needs_a_reason_and_clears_the_dates(tmp_path, landed_lead):
    """已落地 → 已接触 was accepted and kept 签约日期 and 落地日期: the list and export said 已接触 with both dates and
    落地率 counted a signed lead that had not landed. A move back before 已签约/已落地 now needs --reason (kept as a
    note) and clears the dates of the stages left behind, so the export and the stats agree with the status."""
    path, _, landed = landed_lead(tmp_path / "fx.duckdb")
    lead = str(landed["id"])
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


def test_abandoning_a_landed_lead_clears_its_landing_and_keeps_its_signing(tmp_path, landed_lead):
    """A landed lead abandoned kept its 落地日期: the export said 已放弃 with a landing day while 落地率 counted it as
    not landed. 已放弃 clears the landing and its evidence; the signing day stays, so 落地率 (landed over the leads ever
    signed) counts the abandoned deal against the landings, and the export imports again."""
    path, signed, landed = landed_lead(tmp_path / "fx.duckdb")
    lead, signed = str(landed["id"]), signed["signed_on"]
    assert landed["landed_on"]
    gone = run_json("pipeline", "move", lead, "已放弃", "--reason", "企业改投他处", db=path)
    assert (gone["status"], gone["signed_on"], gone["landed_on"], gone["landing"]) == ("abandoned", signed, None, None)
    out = tmp_path / "pipeline.csv"
    run("pipeline", "export", "-o", out, db=path)
    with open(out, encoding="utf-8-sig", newline="") as fh:
        row, = list(csv.DictReader(fh))
    assert (row["状态"], row["签约日期"], row["落地日期"], row["放弃理由"]) == ("已放弃", signed[:10], "", "企业改投他处"), row
    stats, = run_json("pipeline", "stats", db=path)
    assert (stats["signed"], stats["landed"], stats["landing_rate"]) == (1, 0, 0.0)
    # the export imports again into another team: the same lead, abandoned, signed that day
    again = run_json("--team-db", str(tmp_path / "other.sqlite"), "pipeline", "import", str(out), db=path)
    assert again["added"] == 1, again
    back, = run_json("--team-db", str(tmp_path / "other.sqlite"), "pipeline", "list", db=path)
    assert (back["status"], back["signed_on"][:10]) == ("abandoned", signed[:10])


def test_a_landing_left_on_an_abandoned_lead_by_an_older_version_is_not_read(tmp_path):
    """An older version kept a lead's 落地日期 (and its evidence) when it was abandoned. Such a row is read as the
    lead is — abandoned, not landed: the list, ``show`` and the export give no landing day (the export imports again,
    which refuses a landing day on an abandoned row), 落地率 counts no landing; the stored row is left as it is."""
    path = tmp_path / "fx.duckdb"
    matrix_fixture.build(str(path), n=60)
    lead = str(run_json("pipeline", "add", "1", "宁波市", "--status", "已签约", "--signed-on", "2024年3月5日", db=path)["id"])
    assert run_json("pipeline", "move", lead, "已落地", "--on", "2024-06-01", db=path)["landed_on"] == "2024-06-01"
    team = open_team_db(None, db_path=str(path))
    with team.tx() as tx:  # abandoned as an older version abandoned a landed lead: its landing kept
        tx.execute("UPDATE pipeline_leads SET status = 'abandoned', abandon_reason = '企业改投他处' WHERE id = ?", [int(lead)])
    team.close()
    listed, = run_json("pipeline", "list", db=path)
    shown = run_json("pipeline", "show", lead, db=path)
    for r in (listed, shown):
        assert (r["status"], r["signed_on"], r["landed_on"], r["landing"]) == ("abandoned", "2024-03-05", None, None), r
    stats, = run_json("pipeline", "stats", db=path)
    assert (stats["signed"], stats["landed"], stats["mean_days_to_land"]) == (1, 0, None), stats
    out = tmp_path / "pipeline.csv"
    run("pipeline", "export", "-o", out, db=path)
    with open(out, encoding="utf-8-sig", newline="") as fh:
        row, = list(csv.DictReader(fh))
    assert (row["状态"], row["签约日期"], row["落地日期"]) == ("已放弃", "2024-03-05", ""), row
    assert run_json("--team-db", str(tmp_path / "other.sqlite"), "pipeline", "import", str(out), db=path)["added"] == 1
    team = open_team_db(None, db_path=str(path))
    with team.tx() as tx:  # read past, not rewritten
        assert tx.one("SELECT landed_on FROM pipeline_leads WHERE id = ?", [int(lead)])["landed_on"] == "2024-06-01"
    team.close()


def test_an_imported_signing_year_outside_the_range_is_refused(tmp_path):
    """A signing date of 2101 in a sheet was read as an Excel serial (1905-10-01) and the row imported; it is a year
    outside 1800–2100, so the file is refused naming the row, as 2101-01-01 is."""
    path = tmp_path / "fx.duckdb"
    matrix_fixture.build(str(path), n=60)
    sheet = tmp_path / "leads.csv"
    sheet.write_text("企业编号,地区,状态,签约日期,落地日期\n1,宁波市,已落地,2101,2025-06-01\n2,宁波市,已签约,2024-01-01,\n",
                     encoding="utf-8")
    refused = run("pipeline", "import", sheet, db=path, check=False)
    assert refused.returncode == 2 and "第 2 行" in refused.stderr and "年份超出范围（1800–2100）" in refused.stderr, \
        refused.stderr
    assert run_json("pipeline", "list", db=path) == []


def test_a_signing_or_landing_day_is_corrected_with_the_stage_the_lead_has_and_every_day_is_in_the_history(tmp_path):
    """A lead signed or landed without --on is dated today, and a later `move 1 已签约 --on …` was refused saying the
    day is for a move to 已签约 — the one the user made. A move to the stage the lead has, with a day, corrects that
    day (checked as ever: a landing not before the signing); moving back from 已落地 to 已签约 with --on re-dates the
    signing. Every day set, changed or cleared is a history row and in the audit entry (they were in neither), and a
    lead abandoned after its signing, resumed, keeps the signing day it kept (it was replaced by today)."""
    from zhaoshang.services.team import audit

    path = tmp_path / "fx.duckdb"
    matrix_fixture.build(str(path), n=60)
    lead = str(run_json("pipeline", "add", "1", "宁波市", "--status", "已签约", db=path)["id"])
    fixed = run_json("pipeline", "move", lead, "已签约", "--on", "2024-11-01", db=path)
    assert (fixed["status"], fixed["signed_on"]) == ("signed", "2024-11-01")
    run("pipeline", "move", lead, "已落地", db=path)
    landed = run_json("pipeline", "move", lead, "已落地", "--on", "2025-03-01", db=path)
    assert (landed["status"], landed["signed_on"], landed["landed_on"]) == ("landed", "2024-11-01", "2025-03-01")
    early = run("pipeline", "move", lead, "已落地", "--on", "2024-10-01", db=path, check=False)
    assert early.returncode == 2 and "早于签约日期 2024-11-01" in early.stderr
    back = run_json("pipeline", "move", lead, "已签约", "--reason", "落地撤回", "--on", "2024-12-01", db=path)
    assert (back["status"], back["signed_on"], back["landed_on"]) == ("signed", "2024-12-01", None)
    wrong = run("pipeline", "move", lead, "洽谈中", "--reason", "重谈", "--on", "2024-12-02", db=path, check=False)
    assert wrong.returncode == 2 and "pipeline move 3 已落地 --on" in wrong.stderr, wrong.stderr
    days = [(h["field"], h["from_value"], h["to_value"]) for h in run_json("pipeline", "show", lead, db=path)["history"]
            if h["field"] in ("signed_on", "landed_on")]
    today = days[0][2]
    assert days == [("signed_on", None, today), ("signed_on", today, "2024-11-01"), ("landed_on", None, today),
                    ("landed_on", today, "2025-03-01"), ("landed_on", "2025-03-01", None),
                    ("signed_on", "2024-11-01", "2024-12-01")], days
    shown = run("pipeline", "show", lead, db=path, env={"COLUMNS": "200"}).stdout
    assert "签约日期" in shown and "落地日期" in shown and "时间 (UTC+8)" in shown
    team = open_team_db(None, db_path=str(path))
    entries = audit.search(team, limit=50)["rows"]
    team.close()
    import json

    details = [json.loads(e["detail"]) if isinstance(e["detail"], str) else e["detail"] for e in entries
               if e["action"].startswith("pipeline.")]
    assert {"changes": {"signed_on": [today, "2024-11-01"]}, "enterprise": fixed["enterprise_name"]} in details
    assert any(d.get("status") == "signed" and d.get("signed_on") == today for d in details), details
    # abandoned after its signing, resumed: the kept day stays, unless a day is given (then in the history)
    other = str(run_json("pipeline", "add", "2", "宁波市", "--status", "已放弃", "--reason", "无意向",
                         "--signed-on", "2025-01-01", db=path)["id"])
    assert run_json("pipeline", "move", other, "已签约", db=path)["signed_on"] == "2025-01-01"


def test_a_signing_or_landing_day_before_the_enterprise_was_founded_is_refused(tmp_path):
    """A signing day of 1850 (a typo for 2025) for an enterprise founded in this century was accepted, and 落地率
    gave 平均落地天数 21,702. A day a user gives — add, move, the API, an imported row — is not before the founding."""
    from fastapi.testclient import TestClient

    from zhaoshang.interfaces.web.app import create_app

    path = tmp_path / "fx.duckdb"
    matrix_fixture.build(str(path), n=60)
    founded = run_json("show", "1", db=path)["enterprise"]["founded"]
    assert founded and founded > "1900-01-01"
    before = f"{int(founded[:4]) - 1}{founded[4:]}"
    bad = run("pipeline", "add", "1", "宁波市", "--status", "已签约", "--signed-on", "1850-01-01", db=path, check=False)
    assert bad.returncode == 2 and f"签约日期 1850-01-01 早于企业成立日期 {founded}" in bad.stderr, bad.stderr
    lead = str(run_json("pipeline", "add", "1", "宁波市", "--status", "已签约", "--signed-on", founded, db=path)["id"])
    moved = run("--lang", "en", "pipeline", "move", lead, "已签约", "--on", before, db=path, check=False)
    assert moved.returncode == 2 and f"the signing date {before} is before the enterprise was founded ({founded})" \
        in moved.stderr, moved.stderr
    sheet = tmp_path / "leads.csv"
    sheet.write_text(f"企业编号,地区,状态,签约日期\n2,宁波市,已签约,2024-01-01\n1,杭州市,已签约,{before}\n", encoding="utf-8")
    refused = run("pipeline", "import", sheet, db=path, check=False)
    assert refused.returncode == 2 and "第 3 行" in refused.stderr and "早于企业成立日期" in refused.stderr
    from web_util import team_tokens

    team = open_team_db(None, db_path=str(path))
    tokens = team_tokens(team, users=(("bo", "analyst"),))
    r = TestClient(create_app(str(path), team=team, local_only=False), headers=tokens["analyst"]).post(
        f"/api/pipeline/leads/{lead}/change", json={"status": "signed", "on": before})
    assert r.status_code == 400 and "早于企业成立日期" in r.json()["error"], r.text
    team.close()
    assert [x["signed_on"] for x in run_json("pipeline", "list", db=path)] == [founded]


def test_a_bare_year_or_month_as_a_stage_day_is_its_last_day(tmp_path):
    """A bare year or month means its last day for every date typed but a start (docs/cli.md); a signing or landing
    day took the first (2025 → 2025-01-01). It takes the last, and a landing within the signing's year may then come
    before it — refused, as every landing before its signing is."""
    path = tmp_path / "fx.duckdb"
    matrix_fixture.build(str(path), n=60)
    lead = run_json("pipeline", "add", "1", "宁波市", "--status", "已落地", "--signed-on", "2024",
                    "--landed-on", "2025-06", db=path)
    assert (lead["signed_on"], lead["landed_on"]) == ("2024-12-31", "2025-06-30"), lead
    bad = run("pipeline", "add", "2", "宁波市", "--status", "已落地", "--signed-on", "2025", "--landed-on", "2025-06",
              db=path, check=False)
    assert bad.returncode == 2 and "落地日期 2025-06-30 早于签约日期 2025-12-31" in bad.stderr, bad.stderr
    moved = run_json("pipeline", "move", str(lead["id"]), "已落地", "--on", "2025年7月", db=path)
    assert moved["landed_on"] == "2025-07-31"


def test_the_audit_of_an_added_lead_names_its_region(db):
    """pipeline.add's audit entry showed the region as a code alone (地区：330106): it names the region too, in the
    language of the page or command (杭州市西湖区 / Xihu, Hangzhou — the name that tells it from 南昌市西湖区)."""
    lead = run_json("pipeline", "add", "5", "330106", db=db)
    wide = {"COLUMNS": "300"}
    args = ("team", "audit", "--action", "pipeline.add", "--q", f"lead:{lead['id']}")
    zh = run(*args, db=db, env=wide).stdout
    assert "地区：330106；地区名称：杭州市西湖区" in zh, zh
    en = run("--lang", "en", *args, db=db, env=wide).stdout
    assert "region: 330106; region name: Xihu, Hangzhou;" in en, en


def test_a_landed_leads_signing_day_is_corrected_where_it_stands(tmp_path):
    """A landed lead's signing day could be corrected only by moving it back to 已签约 (a reason, the landing and its
    evidence cleared). `move N 已落地 --signed-on/--landed-on` (the API's signed_on/landed_on, the lead page's
    签约日期) corrects it where it stands, checked as every day typed: not in the future, not after the landing,
    not before the enterprise's founding; the change is a history row and in the audit entry."""
    import datetime as dt
    import json

    from fastapi.testclient import TestClient

    from zhaoshang.core.parse.dates import china_today
    from zhaoshang.interfaces.web.app import create_app
    from zhaoshang.services.team import audit
    from web_util import team_tokens

    path = tmp_path / "fx.duckdb"
    matrix_fixture.build(str(path), n=60)
    founded = run_json("show", "1", db=path)["enterprise"]["founded"]
    lead = str(run_json("pipeline", "add", "1", "宁波市", "--status", "已落地", "--signed-on", "2024-03-05",
                        "--landed-on", "2024-06-01", db=path)["id"])
    fixed = run_json("pipeline", "move", lead, "已落地", "--signed-on", "2024-02-01", db=path)
    assert (fixed["status"], fixed["signed_on"], fixed["landed_on"]) == ("landed", "2024-02-01", "2024-06-01"), fixed
    both = run_json("pipeline", "move", lead, "已落地", "--signed-on", "2024-01-10", "--landed-on", "2024-01-20", db=path)
    assert (both["signed_on"], both["landed_on"]) == ("2024-01-10", "2024-01-20"), both
    late = run("pipeline", "move", lead, "已落地", "--signed-on", "2024-02-01", db=path, check=False)
    assert late.returncode == 2 and "落地日期 2024-01-20 早于签约日期 2024-02-01" in late.stderr, late.stderr
    tomorrow = (china_today() + dt.timedelta(days=1)).isoformat()
    future = run("pipeline", "move", lead, "已落地", "--signed-on", tomorrow, db=path, check=False)
    assert future.returncode == 2 and "签约" in future.stderr and "Traceback" not in future.stderr, future.stderr
    before = f"{int(founded[:4]) - 1}{founded[4:]}"
    early = run("pipeline", "move", lead, "已落地", "--signed-on", before, db=path, check=False)
    assert early.returncode == 2 and f"签约日期 {before} 早于企业成立日期 {founded}" in early.stderr, early.stderr
    unsigned = str(run_json("pipeline", "add", "2", "宁波市", db=path)["id"])
    wrong = run("pipeline", "move", unsigned, "已接触", "--signed-on", "2024-01-10", db=path, check=False)
    assert wrong.returncode == 2 and "签约日期只用于 已签约 或 已落地 的线索" in wrong.stderr, wrong.stderr
    days = [(h["field"], h["from_value"], h["to_value"]) for h in run_json("pipeline", "show", lead, db=path)["history"]
            if h["field"] in ("signed_on", "landed_on", "status")]
    assert days[-3:] == [("signed_on", "2024-03-05", "2024-02-01"), ("signed_on", "2024-02-01", "2024-01-10"),
                         ("landed_on", "2024-06-01", "2024-01-20")], days

    team = open_team_db(None, db_path=str(path))
    tokens = team_tokens(team, users=(("bo", "analyst"),))
    api = TestClient(create_app(str(path), team=team, local_only=False), headers=tokens["analyst"])
    r = api.post(f"/api/pipeline/leads/{lead}/change", json={"signed_on": "2024-01-05", "landed_on": "2024-01-25"})
    assert r.status_code == 200 and (r.json()["status"], r.json()["signed_on"], r.json()["landed_on"]) == \
        ("landed", "2024-01-05", "2024-01-25"), r.text
    r = api.post(f"/api/pipeline/leads/{lead}/change", json={"signed_on": "2024-02-05"})
    assert r.status_code == 400 and "早于签约日期 2024-02-05" in r.json()["error"], r.text
    r = api.post(f"/api/pipeline/leads/{lead}/change", json={"signed_on": before})
    assert r.status_code == 400 and "早于企业成立日期" in r.json()["error"], r.text
    entries = audit.search(team, limit=50)["rows"]
    team.close()
    details = [json.loads(e["detail"]) if isinstance(e["detail"], str) else e["detail"] for e in entries
               if e["action"].startswith("pipeline.")]
    assert {"signed_on": ["2024-03-05", "2024-02-01"]} in [d.get("changes") for d in details], details
    assert {"signed_on": ["2024-01-10", "2024-01-05"], "landed_on": ["2024-01-20", "2024-01-25"]} in \
        [d.get("changes") for d in details], details
    assert run_json("pipeline", "show", lead, db=path)["status"] == "landed"


def test_the_landing_tracker_checks_its_days_as_a_landing_by_hand(tmp_path):
    """pipeline track took the first local entity dated on or after the signing as the landing, whatever its day: a
    branch a registry dated before its parent's founding landed a lead whose signing day an older version stored
    before the founding, and one dated after today stopped the run with the hand check's refusal. An entity dated
    before the founding or after today is no landing; the next that passes is."""
    import datetime as dt

    from zhaoshang.core.parse.dates import china_today

    path = tmp_path / "fx.duckdb"
    matrix_fixture.build(str(path), n=60)
    with Store(str(path), read_only=True) as store:
        (a, name_a, founded_a), (b, name_b, founded_b) = store.con.execute(
            "SELECT id, name, founded FROM enterprises WHERE founded > DATE '2005-01-01' AND founded < DATE '2020-01-01' "
            "AND province_code <> '330000' ORDER BY id LIMIT 2").fetchall()
    early = str(run_json("pipeline", "add", str(a), "宁波市", "--status", "已签约", "--signed-on", founded_a.isoformat(),
                         db=path)["id"])
    later = str(run_json("pipeline", "add", str(b), "宁波市", "--status", "已签约", "--signed-on", founded_b.isoformat(),
                         db=path)["id"])
    team = open_team_db(None, db_path=str(path))
    with team.tx() as tx:  # a signing day stored before the founding, as an older version took it
        tx.execute("UPDATE pipeline_leads SET signed_on = '1990-01-01' WHERE id = ?", [int(early)])
    team.close()
    before, after = founded_a - dt.timedelta(days=400), founded_a + dt.timedelta(days=30)
    tomorrow = china_today() + dt.timedelta(days=1)
    sheet = tmp_path / "branches.csv"
    with open(sheet, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["企业名称", "分支机构", "类型", "成立日期", "所在地"])
        w.writerow([name_a, "甲宁波分公司", "分公司", before.isoformat(), "浙江省宁波市海曙区"])
        w.writerow([name_a, "甲宁波二分公司", "分公司", after.isoformat(), "浙江省宁波市江北区"])
        w.writerow([name_b, "乙宁波分公司", "分公司", founded_b.isoformat(), "浙江省宁波市鄞州区"])
    with Store(str(path)) as store:
        from zhaoshang.core.importers import import_files

        import_files(store, "branches", [sheet], source="registry", data_date=china_today().isoformat())
        # a day after today, as a file written by another tool may hold it (an import refuses it)
        store.con.execute("UPDATE branches SET date = ? WHERE child_name = '乙宁波分公司'", [tomorrow])
        assert store.con.execute("SELECT count(*) FROM branches WHERE child_name LIKE '_宁波%分公司'").fetchone()[0] == 3
    found = run_json("pipeline", "track", db=path)
    assert [(str(f["lead_id"]), f["entity"], f["landed_on"]) for f in found] == \
        [(early, "甲宁波二分公司", after.isoformat())], found
    assert run_json("pipeline", "show", early, db=path)["landed_on"] == after.isoformat()
    assert run_json("pipeline", "show", later, db=path)["status"] == "signed"



def test_a_leads_free_text_beyond_its_limit_is_refused_in_one_line(tmp_path):
    """A next action, note or reason longer than its limit (``pipeline.leads.TEXT_LIMITS``) is refused, not cut and
    not stored, in one line in the CLI's language."""
    db = tmp_path / "fx.duckdb"
    matrix_fixture.build(str(db), n=60)
    lead = run_json("pipeline", "add", "2", "宁波市", db=db)
    for args, zh, en in ((["--next", "很长" * 101], "下一步过长：最多 200 个字符", "the next action is too long: at most 200 characters"),
                         (["--note", "注" * 1001], "备注过长：最多 1000 个字符", "the note is too long: at most 1000 characters")):
        for lang, said in (("zh", zh), ("en", en)):
            bad = run("--lang", lang, "pipeline", "move", str(lead["id"]), "已接触", *args, db=db, check=False)
            assert bad.returncode == 2 and said in bad.stderr and len(bad.stderr.strip().splitlines()) == 1, bad.stderr
    bad = run("pipeline", "add", "4", "宁波市", "--next", "很长" * 101, db=db, check=False)
    assert bad.returncode == 2 and "下一步过长" in bad.stderr
    shown = run_json("pipeline", "show", str(lead["id"]), db=db)
    assert shown["status"] == "new" and not shown["next_action"]
    assert run_json("pipeline", "move", str(lead["id"]), "已接触", "--next", "拜" * 200, db=db)["next_action"] == "拜" * 200
    # an import row too: the file is refused as a whole, naming the row, before any lead is added
    sheet = tmp_path / "long.csv"
    with open(sheet, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["企业编号", "地区", "下一步"])
        w.writerow(["5", "宁波市", "拜访"])
        w.writerow(["6", "宁波市", "很长" * 101])
    refused = run("pipeline", "import", sheet, db=db, check=False)
    assert refused.returncode == 2 and "第 3 行: 下一步过长：最多 200 个字符" in refused.stderr, refused.stderr
    assert run_json("pipeline", "list", "--region", "宁波市", db=db) and not [
        r for r in run_json("pipeline", "list", db=db) if r["enterprise_id"] in (5, 6)]


def test_a_next_action_overtaken_by_the_signing_is_not_overdue(tmp_path):
    """督办 on a signed lead is its landing to follow up: a next action due on or before the signing day was
    overtaken by it and is not overdue — in the list, --overdue, the export, the API and the board (a lead signed
    after its 上门拜访 kept 督办 是 for ever, a red 督办 on its 已签约 card); an action due after the signing day that
    has passed still is, and a landed or abandoned lead never is."""
    from web_util import local_client, team_tokens
    from zhaoshang.interfaces.web.app import create_app

    db = tmp_path / "fx.duckdb"
    matrix_fixture.build(str(db), n=60)
    team = open_team_db(None, db_path=str(db))
    accounts.add_user(team, "ana", "analyst", "a-long-enough-password-1", "cli:test")
    team.close()
    lead = run_json("pipeline", "add", "1", "宁波市", "--owner", "ana", "--next", "上门拜访", "--due", "2025-07-01", db=db)
    other = run_json("pipeline", "add", "2", "宁波市", "--owner", "ana", "--next", "回访", "--due", "2025-07-01", db=db)
    assert lead["overdue"] and other["overdue"]
    signed = run_json("pipeline", "move", str(lead["id"]), "已签约", "--on", "2025/8/1", db=db)
    assert (signed["status"], signed["signed_on"], signed["next_action_date"]) == ("signed", "2025-08-01", "2025-07-01")
    assert not signed["overdue"]
    rows = {r["id"]: r for r in run_json("pipeline", "list", db=db)}
    assert (rows[lead["id"]]["overdue"], rows[other["id"]]["overdue"]) == (False, True)
    assert [r["id"] for r in run_json("pipeline", "list", "--overdue", db=db)] == [other["id"]]
    out = tmp_path / "p.csv"
    run("--lang", "en", "pipeline", "export", "-o", out, db=db)
    with open(out, encoding="utf-8-sig", newline="") as fh:
        assert {r["ID"]: r["Overdue"] for r in csv.DictReader(fh)} == {str(lead["id"]): "no", str(other["id"]): "yes"}
    client = local_client(create_app(str(db)))
    assert [i["id"] for i in client.get("/api/pipeline", params={"overdue": "true"}).json()["items"]] == [other["id"]]
    board = client.get("/pipeline", params={"view": "board"}).text
    cards = re.findall(r'<a class="pl-card( overdue)?" href="/pipeline/(\d+)"', board)
    assert sorted((int(i), bool(o)) for o, i in cards) == [(lead["id"], False), (other["id"], True)], cards
    # the landing to follow up, due after the signing and passed: 督办
    follow = run_json("pipeline", "move", str(lead["id"]), "已签约", "--next", "推动落地", "--due", "2025-09-01", db=db)
    assert follow["overdue"] and follow["signed_on"] == "2025-08-01"
    assert sorted(r["id"] for r in run_json("pipeline", "list", "--overdue", db=db)) == sorted([lead["id"], other["id"]])
    # a next action given with a move to 已放弃 is never 督办
    gone = run_json("pipeline", "move", str(other["id"]), "已放弃", "--reason", "迁往外省", "--next", "归档",
                    "--due", "2025-07-02", db=db)
    assert gone["next_action_date"] == "2025-07-02" and not gone["overdue"]
    assert [r["id"] for r in run_json("pipeline", "list", "--overdue", db=db)] == [lead["id"]]


def test_a_ledger_with_a_title_line_imports_from_the_header_below_it(db, tmp_path):
    """An XLSX 台账 with 「2025年度招商项目台账」 and a blank row above its header (row 3): the header is found as
    ``import`` finds it and said in the result; a bad row is named by its sheet row, blank rows counted; with
    ``--header-row`` the row named is the header."""
    import openpyxl

    alone = tmp_path / "alone.duckdb"
    alone.write_bytes(Path(db).read_bytes())
    env = {"ZHAOSHANG_TEAM_DB": str(tmp_path / "team.sqlite")}

    def ledger(name: str, rows: list[list]) -> Path:
        wb = openpyxl.Workbook()
        ws = wb.active
        for r in [["2025年度招商项目台账"], [], ["企业编号", "地区", "状态", "负责人"]] + rows:
            ws.append(r)
        wb.save(tmp_path / name)
        return tmp_path / name

    bad = ledger("bad.xlsx", [["4", "宁波市", "洽谈中"], [], ["5", "火星市", "洽谈中"]])
    refused = run("pipeline", "import", bad, db=alone, env=env, check=False)
    assert refused.returncode == 2 and "第 6 行" in refused.stderr and "第 5 行" not in refused.stderr, refused.stderr
    good = ledger("good.xlsx", [["4", "宁波市", "洽谈中"]])
    out = run("pipeline", "import", good, db=alone, env={**env, "COLUMNS": "400"}).stdout
    assert "已导入：新增 1 条线索" in out and "第 3 行（自动识别；其上 2 行为标题或空行，未导入" in out, out
    again = ledger("again.xlsx", [["6", "宁波市", "洽谈中"]])
    doc = run_json("--lang", "en", "pipeline", "import", again, "--header-row", "3", db=alone, env=env)
    assert doc["added"] == 1 and doc["header_rows"] == [{"file": "again.xlsx", "row": 3, "given": True}]
    en = run("--lang", "en", "pipeline", "import", ledger("en.xlsx", [["7", "宁波市", "洽谈中"]]), db=alone,
             env={**env, "COLUMNS": "400"}).stdout
    assert "row 3 (found by its column names; the 2 rows above it, titles or blank, not imported" in en, en
    assert not re.search(r"[\u4e00-\u9fff]", en.replace("en.xlsx", "")), en


def test_a_due_date_given_as_a_month_or_a_year_is_its_last_day(db, tmp_path):
    """A next action's date is a deadline: a bare month or year is its last day, as every date that is not a start
    (docs/cli.md) — it was the first (2026年3月 → 2026-03-01), so a 台账 row due this month was 督办 from its first
    day. The command (add, move, note), a 台账 import and the API read it so; an open-ended 长期 clears it."""
    import calendar
    import datetime as dt

    from web_util import local_client, team_tokens

    from zhaoshang.core.parse.dates import china_today
    from zhaoshang.interfaces.web.app import create_app

    alone = tmp_path / "alone.duckdb"
    alone.write_bytes(Path(db).read_bytes())
    env = {"ZHAOSHANG_TEAM_DB": str(tmp_path / "team.sqlite")}
    today = china_today()
    this_month_end = dt.date(today.year, today.month, calendar.monthrange(today.year, today.month)[1]).isoformat()
    lead = run_json("pipeline", "add", "2", "宁波市", "--next", "上门拜访", "--due", f"{today.year}年{today.month}月",
                    db=alone, env=env)
    assert (lead["next_action_date"], lead["overdue"]) == (this_month_end, False), lead
    moved = run_json("pipeline", "move", str(lead["id"]), "visited", "--next", "准备洽谈", "--due", "2026年3月",
                     db=alone, env=env)
    assert moved["next_action_date"] == "2026-03-31", moved
    assert run_json("pipeline", "note", str(lead["id"]), "--due", "2027/5", db=alone, env=env)["next_action_date"] == "2027-05-31"
    assert run_json("pipeline", "note", str(lead["id"]), "--due", "2028年", db=alone, env=env)["next_action_date"] == "2028-12-31"
    assert run_json("pipeline", "note", str(lead["id"]), "--due", "长期", db=alone, env=env)["next_action_date"] is None
    ledger = tmp_path / "台账.csv"
    with open(ledger, "w", encoding="gbk", newline="") as fh:
        csv.writer(fh).writerows([["企业编号", "地区", "状态", "下一步", "下一步日期"],
                                  ["5", "宁波市", "洽谈中", "签约准备", f"{today.year}年{today.month}月"]])
    assert run_json("pipeline", "import", ledger, db=alone, env=env)["added"] == 1
    rows = {r["enterprise_id"]: r for r in run_json("pipeline", "list", db=alone, env=env)}
    assert (rows[5]["next_action_date"], rows[5]["overdue"]) == (this_month_end, False), rows[5]
    assert 5 not in {r["enterprise_id"] for r in run_json("pipeline", "list", "--overdue", db=alone, env=env)}
    team = open_team_db(env["ZHAOSHANG_TEAM_DB"])
    try:
        client = local_client(create_app(str(alone), team=team, local_only=False),
                              headers=team_tokens(team, users=(("ana", "analyst"),))["analyst"])
        r = client.post(f"/api/pipeline/leads/{lead['id']}/change", json={"next_action_date": "2029-02"})
        assert r.status_code == 200 and r.json()["next_action_date"] == "2029-02-28", r.text
    finally:
        team.close()


def test_a_ledger_without_its_region_column_is_refused_naming_that_column(db, tmp_path):
    """A 台账 with 企业名称 and no 地区 was refused as 缺少列「企业名称」（或 …）或「地区」（或 地区代码）, leaving the user
    to guess which of the two: the column missing is named, with the headers that give it and the file's own."""
    f = tmp_path / "台账.csv"
    f.write_text("企业名称,状态\n云辰科技2号有限公司,新线索\n", encoding="utf-8")
    p = run("pipeline", "import", f, db=db, check=False)
    assert p.returncode == 2 and "缺少列「地区」（可写作 地区、地区代码）；文件中的列: 企业名称、状态" in p.stderr, p.stderr
    assert "「企业名称」" not in p.stderr
    p = run("--lang", "en", "pipeline", "import", f, db=db, check=False)
    assert p.returncode == 2 and "missing the region column (headed region_code, Region code, region_name, region" in p.stderr
    assert "enterprise column" not in p.stderr, p.stderr
    f.write_text("地区代码,状态\n330200,新线索\n", encoding="utf-8")
    p = run("pipeline", "import", f, db=db, check=False)
    assert p.returncode == 2 and "缺少列「企业名称」（可写作 企业名称、企业编号、统一社会信用代码、企业）" in p.stderr, p.stderr
    assert "「地区」" not in p.stderr


def _sheet(path, edit):
    """The sheet at ``path`` edited as an analyst edits it in Excel (openpyxl): ``edit(rows by 编号, header → column,
    the sheet)``; saved beside it as ``…-edited.xlsx``."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    ws = wb.active
    col = {c.value: c.column for c in ws[1]}
    rows = {ws.cell(r, col["编号"]).value: r for r in range(2, ws.max_row + 1)}
    edit(rows, col, ws)
    out = Path(str(path).replace(".xlsx", "-edited.xlsx"))
    wb.save(out)
    return out


def test_an_export_edited_in_excel_imports_back_updating_its_leads(db, tmp_path):
    """docs/cli.md said the export "imports again with pipeline import", but every exported row was refused as
    该企业在该地区已有线索. A row of a lead updates it with the cells that differ (history rows, through the one
    update), a row equal to its lead is left alone, a new row is added; a row changed in the file whose lead a
    colleague changed since the export (its 版本) is refused naming who and when, and nothing is written; a sheet
    made by hand (no 版本) updates."""
    alone = tmp_path / "alone.duckdb"
    alone.write_bytes(Path(db).read_bytes())
    env = {"ZHAOSHANG_TEAM_DB": str(tmp_path / "team.sqlite"), "COLUMNS": "300"}
    team = open_team_db(env["ZHAOSHANG_TEAM_DB"])
    accounts.add_user(team, "ana", "analyst", "a-long-enough-password-1", "cli:test")
    team.close()
    a = run_json("pipeline", "add", "1", "宁波市", "--next", "上门拜访", "--due", "2026-02-01", db=alone, env=env)
    b = run_json("pipeline", "add", "2", "宁波市", "--next", "定期回访", db=alone, env=env)
    c = run_json("pipeline", "add", "3", "宁波市", db=alone, env=env)
    pipe = tmp_path / "pipe.xlsx"
    run("pipeline", "export", "-o", pipe, db=alone, env=env)

    def edit(rows, col, ws):
        ws.cell(rows[a["id"]], col["下一步日期"]).value = "2026年3月"
        ws.cell(rows[c["id"]], col["状态"]).value = "已接触"
        ws.cell(rows[c["id"]], col["负责人"]).value = "ana"
        ws.append([None] * (col["企业编号"] - 1) + [4])
        ws.cell(ws.max_row, col["地区"]).value = "宁波市"
        ws.cell(ws.max_row, col["下一步"]).value = "寄送材料"

    pipe2 = _sheet(pipe, edit)
    got = run_json("pipeline", "import", pipe2, db=alone, env=env)
    assert (got["added"], got["updated"], got["unchanged"]) == (1, 2, 1), got
    assert sorted((u["id"], u["fields"]) for u in got["updated_leads"]) == [
        (a["id"], ["next_action_date"]), (c["id"], ["status", "owner"])], got
    shown = run_json("pipeline", "show", str(a["id"]), db=alone, env=env)
    assert shown["next_action_date"] == "2026-03-31" and shown["version"] > a["version"]
    h = shown["history"][-1]
    assert (h["field"], h["from_value"], h["to_value"]) == ("next_action_date", "2026-02-01", "2026-03-31"), h
    shown = run_json("pipeline", "show", str(c["id"]), db=alone, env=env)
    assert (shown["status"], shown["owner"]) == ("contacted", "ana")
    assert [(x["field"], x["to_value"]) for x in shown["history"][-2:]] == [("status", "contacted"), ("owner", "ana")]
    assert run_json("pipeline", "show", str(b["id"]), db=alone, env=env)["version"] == b["version"]  # left alone
    new, = [r for r in run_json("pipeline", "list", db=alone, env=env) if r["enterprise_id"] == 4]
    assert (new["next_action"], new["source"]) == ("寄送材料", "excel")
    # the same file again: every row as its lead now is (the edited ones of an older version too), nothing written;
    # the summary in the CLI's language
    out = run("pipeline", "import", pipe2, db=alone, env=env).stdout
    assert "已导入：新增 0 条线索，更新 0 条，未变 4 条" in out, out
    out = run("--lang", "en", "pipeline", "import", pipe2, db=alone, env=env).stdout
    assert "imported: 0 leads added, 0 updated, 4 unchanged" in out, out
    # a colleague changes lead b after the export; the analyst's file changes b's owner: refused, naming the change
    run("pipeline", "note", str(b["id"]), "--next", "电话回访", "--user", "wang", db=alone, env=env)
    pipe3 = _sheet(pipe, lambda rows, col, ws: setattr(ws.cell(rows[b["id"]], col["负责人"]), "value", "ana"))
    refused = run("pipeline", "import", pipe3, db=alone, env=env, check=False)
    assert refused.returncode == 2 and "1 行有误，未导入任何线索" in refused.stderr, refused.stderr
    assert (f"未保存：线索 #{b['id']} 在你读取（版本 {b['version']}）之后已被更新" in refused.stderr
            and "wang 于" in refused.stderr and "下一步 定期回访 → 电话回访" in refused.stderr), refused.stderr
    refused = run("--lang", "en", "pipeline", "import", pipe3, db=alone, env=env, check=False)
    assert f"not saved: lead #{b['id']} was changed after you read it" in refused.stderr, refused.stderr
    assert run_json("pipeline", "show", str(b["id"]), db=alone, env=env)["owner"] is None  # nothing written
    assert "（其余各行：新增 0、更新 0、未变 2）" in run("pipeline", "import", pipe3, db=alone, env=env, check=False).stderr
    # the export as it was, not edited, over leads changed since: the changes saved since stand, nothing refused
    got = run_json("pipeline", "import", pipe, db=alone, env=env)
    assert (got["added"], got["updated"], got["unchanged"]) == (0, 0, 3), got
    assert run_json("pipeline", "show", str(a["id"]), db=alone, env=env)["next_action_date"] == "2026-03-31"
    # a sheet made by hand (no 版本 column) updates the lead as it is
    hand = tmp_path / "hand.csv"
    hand.write_text("企业编号,地区,负责人\n2,宁波市,ana\n", encoding="utf-8")
    got = run_json("pipeline", "import", hand, db=alone, env=env)
    assert (got["updated"], got["updated_leads"]) == (1, [{"id": b["id"], "fields": ["owner"]}]), got
    # a 编号 naming another lead than the row's enterprise and region is refused (a lead's pair cannot change)
    moved = tmp_path / "moved.csv"
    moved.write_text(f"编号,版本,企业编号,地区\n{a['id']},,1,杭州市\n", encoding="utf-8")
    refused = run("pipeline", "import", moved, db=alone, env=env, check=False)
    assert refused.returncode == 2 and f"编号 #{a['id']} 是" in refused.stderr, refused.stderr


def test_an_open_ended_due_is_remembered_shown_and_round_tripped(db, tmp_path):
    """`--due 长期` stored no date: the list, the page and the export showed a blank next-action date, the same as
    none given. The lead keeps that its next action is open-ended: 长期 / open-ended in the table, the history and
    the export (which imports back as it, in either language), never 督办; a date given later replaces it."""
    alone = tmp_path / "alone.duckdb"
    alone.write_bytes(Path(db).read_bytes())
    env = {"ZHAOSHANG_TEAM_DB": str(tmp_path / "team.sqlite"), "COLUMNS": "300"}
    lead = run_json("pipeline", "add", "2", "宁波市", "--next", "定期回访", "--due", "长期", db=alone, env=env)
    assert (lead["next_action_date"], lead["next_action_open_ended"], lead["overdue"]) == (None, True, False), lead
    plain = run_json("pipeline", "add", "3", "宁波市", "--next", "再议", db=alone, env=env)
    assert plain["next_action_open_ended"] is False
    table = run("pipeline", "list", db=alone, env=env).stdout
    assert re.search(r"定期回访\s*│\s*长期\s*│", table) and re.search(r"再议\s*│\s*│", table), table
    assert re.search(r"定期回访\s*│\s*open-ended\s*│", run("--lang", "en", "pipeline", "list", db=alone, env=env).stdout)
    hist = run_json("pipeline", "show", str(lead["id"]), db=alone, env=env)["history"]
    assert ("next_action_date", "长期") in [(h["field"], h["to_value"]) for h in hist], hist
    assert "open-ended" in run("--lang", "en", "pipeline", "show", str(lead["id"]), db=alone, env=env).stdout
    for lang, name, col in (("zh", "pipe.csv", "下一步日期"), ("en", "pipe_en.csv", "Next action date")):
        out = tmp_path / name
        run("--lang", lang, "pipeline", "export", "-o", out, db=alone, env=env)
        with open(out, encoding="utf-8-sig", newline="") as fh:
            cells = {r[col] for r in csv.DictReader(fh)}
        assert cells == {"长期" if lang == "zh" else "open-ended", ""}, cells
        other = {"ZHAOSHANG_TEAM_DB": str(tmp_path / f"other-{lang}.sqlite")}
        assert run_json("pipeline", "import", out, db=alone, env=other)["added"] == 2
        back = {r["enterprise_id"]: r["next_action_open_ended"] for r in run_json("pipeline", "list", db=alone, env=other)}
        assert back == {2: True, 3: False}, back
    dated = run_json("pipeline", "note", str(lead["id"]), "--due", "2027-05", db=alone, env=env)
    assert (dated["next_action_date"], dated["next_action_open_ended"]) == ("2027-05-31", False), dated
    h = run_json("pipeline", "show", str(lead["id"]), db=alone, env=env)["history"][-1]
    assert (h["from_value"], h["to_value"]) == ("长期", "2027-05-31"), h


def test_an_imported_rows_every_problem_is_named_not_the_first_alone(db, tmp_path):
    """A 台账 row 已落地 without its dates, owned by a read-only user, due 2026/13/01 and on a segment the chain lacks
    was refused naming the first problem alone (线索尚未签约…): the analyst fixed it and met the next. Every problem
    of the row is named now, numbered, in Chinese and English; a row with one problem reads as before. So is every
    problem of a row that updates a lead (row 4: it named the first alone, 未找到产业链环节), its move's among them."""
    alone = tmp_path / "alone.duckdb"
    alone.write_bytes(Path(db).read_bytes())
    env = {"ZHAOSHANG_TEAM_DB": str(tmp_path / "team.sqlite")}
    team = open_team_db(str(tmp_path / "team.sqlite"))
    accounts.add_user(team, "vic", "viewer", "a-long-enough-password-1", "cli:test")
    with Store(str(alone), read_only=True) as store:
        L.add(store, team, 6, "宁波市")  # a new lead: the row below updates it
    team.close()
    f = tmp_path / "ledger.csv"
    f.write_text("企业编号,地区,状态,负责人,下一步日期,产业链环节\n4,宁波市,已落地,vic,2026/13/01,ZZZ\n5,火星市,洽谈中,,,\n"
                 "6,宁波市,已落地,vic,2026/13/01,ZZZ\n", encoding="utf-8")
    zh = run("pipeline", "import", f, db=alone, env=env, check=False)
    assert zh.returncode == 2 and "3 行有误" in zh.stderr, zh.stderr
    row = re.search(r"第 2 行: (.*?)；第 3 行: 未找到地区 火星市.*；第 4 行: (.*)", zh.stderr.replace("\n", ""))
    assert row, zh.stderr
    assert re.fullmatch(r"①线索尚未签约.*②vic 是只读用户.*③未找到产业链环节: ZZZ.*④无效的下一步日期: 2026/13/01.*", row[1]), row[1]
    assert re.fullmatch(r"①vic 是只读用户.*②未找到产业链环节: ZZZ.*③无效的下一步日期: 2026/13/01.*④线索尚未签约，不能标为已落地.*",
                        row[2]), row[2]
    en = run("--lang", "en", "pipeline", "import", f, db=alone, env=env, check=False).stderr.replace("\n", "")
    assert re.search(r"row 2: \(1\) a lead must be signed before it lands.* \(2\) vic is a read-only user.* \(3\) chain "
                     r"node not found: ZZZ \(4\) invalid next action date: 2026/13/01.*; row 3: region not found: 火星市", en), en
    assert re.search(r"row 4: \(1\) vic is a read-only user.* \(2\) chain node not found: ZZZ.* \(3\) invalid next action "
                     r"date: 2026/13/01.* \(4\) a lead must be signed before it lands", en), en


def test_a_change_made_on_the_command_line_for_a_user_names_both_who_ran_it_and_for_whom(db, tmp_path):
    """`pipeline move/note/import --user ana` was audited as actor ana with no role and no address, as if ana had
    signed in — while docs/security.md says shell commands are logged as cli:<system user>, as `alerts rules` are. The
    entry's actor is now the command line's operator and its detail names the user acted for (on_behalf_of: ana),
    the same for every command that takes --user; the lead's own history keeps ana as the one who changed it."""
    import json

    lead = run_json("pipeline", "add", "7", "宁波市", "--user", "ana", db=db)
    run("pipeline", "move", str(lead["id"]), "contacted", "--user", "ana", db=db)
    run("pipeline", "note", str(lead["id"]), "电话联系", "--user", "ana", db=db)
    ledger = tmp_path / "ledger.csv"
    ledger.write_text("企业,地区,状态\n8,宁波市,新线索\n", encoding="utf-8")
    run("pipeline", "import", str(ledger), "--user", "ana", db=db)
    rows = run_json("team", "audit", "--action", "pipeline", db=db)["rows"]
    from zhaoshang.services.team.audit import cli_actor

    operator = cli_actor()  # the system user running the commands (this test's)
    mine = [r for r in rows if '"on_behalf_of": "ana"' in (r["detail"] or "")]
    assert {r["action"] for r in mine} >= {"pipeline.add", "pipeline.move", "pipeline.update"}, rows
    assert not [r for r in rows if r["actor"] == "ana"], rows
    for r in mine:
        assert r["actor"].startswith("cli:") and r["actor"] == operator and not r["role"], r
        assert json.loads(r["detail"])["on_behalf_of"] == "ana"
    imported = [r for r in mine if r["action"] == "pipeline.add" and "宁波" in r["detail"] and r["target"] != f"lead:{lead['id']}"]
    assert imported, mine
    hist = run_json("pipeline", "show", str(lead["id"]), db=db)["history"]
    assert {h["actor"] for h in hist} == {"ana"}, hist
