"""The lead pipeline on both team-state backends (SQLite and a real PostgreSQL): adding, moving, notes, the
history of every change, one lead per enterprise and region, overdue next actions, Excel export and import, and
landing detected end to end from a branch imported after signing and from a registered move."""

from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import matrix_fixture  # noqa: E402
import moved_fixture  # noqa: E402

from zhaoshang.core.errors import Conflict, NotFound, UserError  # noqa: E402
from zhaoshang.core.importers import import_files  # noqa: E402
from zhaoshang.core.store import Store  # noqa: E402
from zhaoshang.core.teamstate import open_team_db  # noqa: E402
from zhaoshang.services.pipeline import excel, landing  # noqa: E402
from zhaoshang.services.pipeline import leads as L  # noqa: E402
from zhaoshang.services.team import accounts  # noqa: E402

PW = "a-long-enough-password-1"


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    d = tmp_path_factory.mktemp("pipe")
    path = d / "fx.duckdb"
    info = moved_fixture.build(str(path), d)
    return path, info


@pytest.fixture
def team(team_url):
    db = open_team_db(team_url)
    for name, role in (("ana", "analyst"), ("bo", "analyst")):
        accounts.add_user(db, name, role, PW, "cli:test")
    yield db
    db.close()


def _store(path):
    return Store(str(path))


def _other(store, n=0):
    return store.con.execute("SELECT id, name FROM enterprises WHERE province_code = '110000' AND id IN (SELECT enterprise_id FROM placements) "
                             "ORDER BY id LIMIT 1 OFFSET ?",
                             [n]).fetchone()


def test_add_move_note_history_and_one_lead_per_pair(db_path, team):
    path, _ = db_path
    with _store(path) as store:
        eid, name = _other(store)
        lead = L.add(store, team, str(eid), "杭州市", user="ana", owner="ana", next_action="电话联系",
                     next_action_date="2020-01-10", note="从线索列表加入")
        assert lead["region_code"] == "330100" and lead["status"] == "new" and lead["status_label"] == "新线索"
        assert lead["enterprise_name"] == name and lead["segment"]  # segment defaults to its chain placement
        with pytest.raises(UserError, match="已有线索"):
            L.add(store, team, name, "330100", user="bo")
        with pytest.raises(NotFound):
            L.add(store, team, str(eid), "杭州市", owner="nobody")
        second = L.add(store, team, str(eid), "深圳市", user="bo")  # another region: another lead
    assert second["id"] != lead["id"]
    L.update(team, lead["id"], user="bo", status="已接触", note="首次电话")
    L.update(team, lead["id"], user="ana", status="visited", owner="bo", next_action_date="2099-01-01")
    with pytest.raises(UserError, match="理由"):
        L.update(team, lead["id"], user="ana", status="已放弃")
    with pytest.raises(UserError, match="签约"):
        L.update(team, lead["id"], user="ana", status="landed")
    with pytest.raises(UserError, match="未知的状态"):
        L.update(team, lead["id"], status="done")
    L.update(team, second["id"], user="bo", status="已放弃", reason="已在本地设厂")
    got = L.get(team, lead["id"], history=True)
    assert got["status"] == "visited" and got["owner"] == "bo"
    steps = [(h["actor"], h["field"], h["from_value"], h["to_value"]) for h in got["history"]]
    assert steps == [
        ("ana", "status", None, "new"), ("ana", "owner", None, "ana"), ("ana", "next_action", None, "电话联系"),
        ("ana", "next_action_date", None, "2020-01-10"), ("ana", "segment", None, lead["segment"]),
        ("ana", "note", None, "从线索列表加入"),
        ("bo", "status", "new", "contacted"), ("bo", "note", None, "首次电话"),
        ("ana", "status", "contacted", "visited"), ("ana", "owner", "ana", "bo"),
        ("ana", "next_action_date", "2020-01-10", "2099-01-01")]
    ab = L.get(team, second["id"])
    assert ab["status"] == "abandoned" and ab["abandon_reason"] == "已在本地设厂"
    with team.tx() as tx:
        acts = [r["action"] for r in tx.query("SELECT action FROM audit_log WHERE action LIKE 'pipeline.%' ORDER BY id")]
    assert acts == ["pipeline.add", "pipeline.add", "pipeline.move", "pipeline.move", "pipeline.move"]
    # a change based on an older version (a form li loaded before wang's move) is refused naming who changed what
    # and when, nothing written; without a version only the fields given are written (never the others)
    seen = L.get(team, lead["id"])["version"]
    L.update(team, lead["id"], user="bo", status="negotiating", next_action="准备洽谈材料")
    before = L.get(team, lead["id"], history=True)
    with pytest.raises(Conflict, match=r"bo 于 .* \(UTC\+8\) 改了 状态 已拜访 → 洽谈中、下一步 电话联系 → 准备洽谈材料") as stale:
        L.update(team, lead["id"], user="ana", status="visited", next_action="电话联系", note="补充备注", version=seen)
    assert stale.value.version == before["version"] and [c["field"] for c in stale.value.changes] == ["status", "next_action"]
    assert "bo changed at" in stale.value.in_lang("en") and "status visited → negotiating" in stale.value.in_lang("en")
    assert L.get(team, lead["id"], history=True) == before  # nothing written
    noted = L.update(team, lead["id"], user="ana", note="补充备注")  # no version: the note alone
    assert (noted["status"], noted["next_action"], noted["owner"]) == ("negotiating", "准备洽谈材料", "bo")
    assert L.update(team, lead["id"], user="ana", owner="ana", version=noted["version"])["owner"] == "ana"
    # the same enterprise as a lead of a district of 杭州市 (and of 浙江省): added, with the enclosing leads named;
    # 深圳市 encloses neither, so it is listed on the lead's page but not warned about
    assert second["overlaps"] == [] and second["warning"] is None
    with _store(path) as store:
        district = L.add(store, team, str(eid), "330106", user=accounts.get(team, "bo"), source="leads")
        assert district["owner"] == "bo"  # added from 招商线索 by a signed-in analyst: theirs unless one is given
        assert [(o["id"], o["region"], o["status_label"], o["owner"]) for o in district["overlaps"]] == [
            (lead["id"], "杭州市", "洽谈中", "ana")]
        assert district["warning"] == f"该企业已是 杭州市 的线索 #{lead['id']}（洽谈中，ana），接触前请与其负责人协调"
        province = L.add(store, team, str(eid), "浙江省", user=accounts.get(team, "bo"), source="leads", owner="ana")
        assert province["owner"] == "ana" and [o["id"] for o in province["overlaps"]] == [lead["id"], district["id"]]
        assert "杭州市西湖区 的线索" in province["warning"]  # a district named with its city
        others = L.other_leads(store, team, lead["id"])
        assert [(o["id"], o["overlaps"]) for o in others] == [
            (district["id"], True), (province["id"], True), (second["id"], False)]


def test_overdue_filters_and_excel_round_trip(db_path, team, tmp_path):
    path, _ = db_path
    with _store(path) as store:
        a, b = _other(store, 0), _other(store, 1)
        late = L.add(store, team, str(a[0]), "330100", owner="ana", next_action="回访", next_action_date="2021-03-01")
        L.add(store, team, str(b[0]), "330100", owner="bo", next_action="拜访", next_action_date="2099-03-01")
    assert [r["id"] for r in L.list_leads(team, overdue=True)] == [late["id"]]
    assert [r["owner"] for r in L.list_leads(team, owner="bo")] == ["bo"]
    out = tmp_path / "pipeline.xlsx"
    assert excel.export(team, str(out)) == 2
    # the exported sheet imports into another team's pipeline as the same leads
    other = open_team_db(str(tmp_path / "other.sqlite"))
    for name in ("ana", "bo"):
        accounts.add_user(other, name, "analyst", PW, "cli:test")
    with _store(path) as store:
        res = excel.import_file(store, other, str(out), user="ana")
        assert res["added"] == 2
        assert sorted((r["enterprise_id"], r["owner"], r["next_action_date"]) for r in L.list_leads(other)) == \
            sorted((r["enterprise_id"], r["owner"], r["next_action_date"]) for r in L.list_leads(team))
        assert {r["source"] for r in L.list_leads(other)} == {"excel"}
        # bad rows: the whole file is refused, each bad row named
        bad = tmp_path / "bad.csv"
        with open(bad, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["企业名称", "地区", "状态", "放弃理由"])
            w.writerow([b[1], "宁波市", "新线索", ""])
            w.writerow(["不存在的企业有限公司", "宁波市", "新线索", ""])
            w.writerow([b[1], "火星市", "新线索", ""])
            w.writerow([a[1], "宁波市", "已放弃", ""])
        with pytest.raises(UserError) as exc:
            excel.import_file(store, other, str(bad))
    msg = str(exc.value)
    assert "第 3 行" in msg and "第 4 行" in msg and "第 5 行" in msg and "第 2 行" not in msg and "未导入" in msg
    assert len(L.list_leads(other)) == 2
    other.close()


def test_landing_detected_from_a_branch_imported_after_signing(db_path, team, tmp_path, request):
    path, moved = db_path
    k = 2 if request.node.callspec.params["team_url"] == "sqlite" else 4  # the analytical file is shared by both runs
    with _store(path) as store:
        eid, name = _other(store, k)
        lead = L.add(store, team, str(eid), "宁波市", owner="ana", source="leads")
        idle = L.add(store, team, str(_other(store, k + 1)[0]), "宁波市", owner="ana")
        # the moved enterprise: signed with 深圳 before its registered move there
        mv = L.add(store, team, str(moved["id"]), "广东省", owner="bo", source="profile")
    L.update(team, lead["id"], user="ana", status="signed", on="2023-01-01")
    L.update(team, idle["id"], user="ana", status="signed", on="2023-01-01")
    L.update(team, mv["id"], user="bo", status="signed", on="2022-01-01")
    with _store(path) as store:
        assert [f["lead_id"] for f in landing.detect(store, team)] == [mv["id"]]  # nothing local yet for the others
        f = tmp_path / "branches.csv"
        with open(f, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["企业名称", "分支机构", "类型", "成立日期", "所在地"])
            w.writerow([name, name.replace("有限公司", "") + "宁波分公司", "分公司", "2023-05-20", "浙江省宁波市海曙区"])
            w.writerow([name, name.replace("有限公司", "") + "成都分公司", "分公司", "2023-06-20", "四川省成都市"])
        import_files(store, "branches", [f], source="registry", data_date="2023-06-30")
        found = {x["lead_id"]: x for x in landing.track(store, team, user="ana")}
    assert set(found) == {lead["id"], mv["id"]}
    assert found[lead["id"]]["kind"] == "branch" and found[lead["id"]]["landed_on"] == "2023-05-20"
    assert found[mv["id"]]["kind"] == "moved" and found[mv["id"]]["landed_on"] == moved_fixture.MOVED_ON.isoformat()
    got = L.get(team, lead["id"], history=True)
    assert got["status"] == "landed" and got["landed_on"] == "2023-05-20"
    assert ("ana", "status", "signed", "landed") in [(h["actor"], h["field"], h["from_value"], h["to_value"])
                                                    for h in got["history"]]
    assert L.get(team, idle["id"])["status"] == "signed"
    by_owner = {s["owner"]: s for s in landing.stats(team, "owner")}
    assert by_owner["ana"]["signed"] == 2 and by_owner["ana"]["landed"] == 1 and by_owner["ana"]["landing_rate"] == 0.5
    assert by_owner["ana"]["mean_days_to_land"] == (dt.date(2023, 5, 20) - dt.date(2023, 1, 1)).days
    assert by_owner["bo"]["median_days_to_land"] == (moved_fixture.MOVED_ON - dt.date(2022, 1, 1)).days
    assert {s["source"]: s["landed"] for s in landing.stats(team, "source")} == {"leads": 1, "profile": 1, "manual": 0}


def test_leads_survive_a_rebuilt_database_and_a_backup_restore(team, tmp_path):
    from zhaoshang.core.teamstate.backup import backup, restore

    path = tmp_path / "a.duckdb"
    matrix_fixture.build(str(path), n=60)
    with _store(path) as store:
        eid, name = _other(store)
        lead = L.add(store, team, str(eid), "宁波市", owner="ana", note="首访")
    L.update(team, lead["id"], user="bo", status="洽谈中")
    path.unlink()  # the analytical file rebuilt from scratch: the team's pipeline is not in it
    matrix_fixture.build(str(path), n=60, seed=8)
    with _store(path) as store:
        kept = L.list_leads(team)
        assert [(r["enterprise_id"], r["enterprise_name"], r["status"]) for r in kept] == [(eid, name, "negotiating")]
        L.update(team, lead["id"], user="ana", status="已签约")
        assert [f["lead_id"] for f in landing.detect(store, team)] == []
    snap = tmp_path / "team.jsonl"
    backup(team, snap)
    other = open_team_db(str(tmp_path / "restored.sqlite"))
    restore(other, snap)
    assert L.get(other, lead["id"], history=True)["history"] == L.get(team, lead["id"], history=True)["history"]
    other.close()


PIPELINE_WRITER = r"""
import sys
from zhaoshang.core.store import Store
from zhaoshang.core.teamstate import open_team_db
from zhaoshang.services.pipeline import leads as L
store = Store(sys.argv[1], read_only=True)
team = open_team_db(sys.argv[2])
ids = [r[0] for r in store.con.execute("SELECT id FROM enterprises ORDER BY id").fetchall()]
for region in ("宁波市", "杭州市", "深圳市", "成都市", "武汉市"):
    for eid in ids:
        lead = L.add(store, team, str(eid), region, user="ana", owner="ana", note="首访")
        L.update(team, lead["id"], user="bo", status="已接触", next_action="回访", next_action_date="2030-01-01")
        print(lead["id"], flush=True)
"""


def test_pipeline_kill_9_keeps_every_committed_change_whole(db_path, team_url):
    """A writer adding and moving leads is killed with SIGKILL: every change it reported is there, and every lead's
    state agrees with its history (a change and its history rows commit together or not at all)."""
    import os
    import signal
    import subprocess

    path, _ = db_path
    team = open_team_db(team_url)
    for name in ("ana", "bo"):
        accounts.add_user(team, name, "analyst", PW, "cli:test")
    team.close()
    proc = subprocess.Popen([sys.executable, "-c", PIPELINE_WRITER, str(path), team_url], stdout=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    reported, deadline = [], dt.datetime.now() + dt.timedelta(seconds=90)
    while len(reported) < 25 and dt.datetime.now() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        reported.append(int(line))
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert len(reported) >= 25, "the writer did not get going"
    team = open_team_db(team_url)
    try:
        if team.dialect == "sqlite":
            with team.tx() as tx:
                assert tx.scalar("PRAGMA integrity_check") == "ok"
        leads = {r["id"]: r for r in L.list_leads(team)}
        assert set(reported) <= set(leads)
        for lid in reported:
            assert leads[lid]["status"] == "contacted" and leads[lid]["next_action_date"] == "2030-01-01"
        for lid, r in leads.items():  # the one in flight, if any, is whole too
            h = L.get(team, lid, history=True)["history"]
            last = {x["field"]: x["to_value"] for x in h}
            assert last["status"] == r["status"] and last.get("owner") == r["owner"]
            assert [x["to_value"] for x in h if x["field"] == "status"] in (["new"], ["new", "contacted"])
    finally:
        team.close()


def test_only_a_user_who_can_act_owns_a_lead_and_a_closed_lead_has_no_next_action(db_path, team):
    """A viewer cannot update a lead, so is neither offered as its owner nor accepted as one; a lead that lands
    (or is abandoned) has nothing left to do: its next action and date are cleared by the move, the history
    keeping what they were."""
    path, _ = db_path
    accounts.add_user(team, "vera", "viewer", PW, "cli:test")
    assert "vera" not in L.owners(team) and {"ana", "bo"} <= set(L.owners(team))
    with _store(path) as store:
        eid, _ = _other(store, 2)
        with pytest.raises(UserError, match="只读用户"):
            L.add(store, team, str(eid), "合肥市", user="ana", owner="vera")
        lead = L.add(store, team, str(eid), "合肥市", user="ana", owner="ana", next_action="电话联系董秘",
                     next_action_date="2099-12-10")
        eid2, _ = _other(store, 3)
        other = L.add(store, team, str(eid2), "合肥市", user="ana", next_action="回访", next_action_date="2099-01-01")
    with pytest.raises(UserError, match="只读用户"):
        L.update(team, lead["id"], user="ana", owner="vera")
    for st in ("contacted", "visited", "negotiating", "signed"):
        assert L.update(team, lead["id"], user="bo", status=st)["next_action"] == "电话联系董秘"  # still open
    landed = L.update(team, lead["id"], user="bo", status="landed")
    assert landed["next_action"] is None and landed["next_action_date"] is None and not landed["overdue"]
    steps = [(h["field"], h["from_value"], h["to_value"]) for h in L.get(team, lead["id"], history=True)["history"]][-4:]
    assert steps == [("status", "signed", "landed"), ("next_action", "电话联系董秘", None),
                     ("next_action_date", "2099-12-10", None), ("landed_on", None, landed["landed_on"])]
    ab = L.update(team, other["id"], user="bo", status="abandoned", reason="已在本地设厂")
    assert ab["next_action"] is None and ab["next_action_date"] is None


def test_an_export_imports_back_into_its_team_and_an_open_ended_due_is_kept(db_path, team, tmp_path):
    """On either backend: a lead due 长期 keeps that (team-state migration 100), the export says 长期 and carries each
    lead's version, and the sheet edited imports back into the same team as changes to its leads (history rows),
    not as 该企业在该地区已有线索; the unedited rows are left alone."""
    import openpyxl

    path, _ = db_path
    with _store(path) as store:
        a, b = _other(store, 0), _other(store, 1)
        open_ended = L.add(store, team, str(a[0]), "330100", next_action="定期回访", next_action_date="长期")
        dated = L.add(store, team, str(b[0]), "330100", next_action="拜访", next_action_date="2099-03-01")
    assert (open_ended["next_action_date"], open_ended["next_action_open_ended"]) == (None, True)
    assert [r["next_action_open_ended"] for r in L.list_leads(team) if r["id"] == dated["id"]] == [False]
    out = tmp_path / "pipeline.xlsx"
    excel.export(team, str(out))
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    col = {c.value: c.column for c in ws[1]}
    rows = {ws.cell(r, col["编号"]).value: r for r in range(2, ws.max_row + 1)}
    assert ws.cell(rows[open_ended["id"]], col["下一步日期"]).value == "长期"
    assert ws.cell(rows[dated["id"]], col["版本"]).value == dated["version"]
    ws.cell(rows[dated["id"]], col["负责人"]).value = "bo"
    ws.cell(rows[dated["id"]], col["下一步日期"]).value = "长期"
    wb.save(out)
    with _store(path) as store:
        res = excel.import_file(store, team, str(out), user="ana")
    assert (res["added"], res["updated"], res["unchanged"]) == (0, 1, 1), res
    assert res["updated_leads"] == [{"id": dated["id"], "fields": ["owner", "next_action_date"]}]
    now = L.get(team, dated["id"], history=True)
    assert (now["owner"], now["next_action_date"], now["next_action_open_ended"]) == ("bo", None, True)
    assert [(h["actor"], h["field"], h["from_value"], h["to_value"]) for h in now["history"][-2:]] == [
        ("ana", "owner", None, "bo"), ("ana", "next_action_date", "2099-03-01", "长期")]
    assert L.get(team, open_ended["id"])["version"] == open_ended["version"]


def test_an_undated_branch_lands_on_the_day_its_import_is_shown(db_path, team, tmp_path, request):
    """A branch with no date of its own counts from its import's day: China's day of the import's time — an import
    at 19:00 UTC on 2024-07-01 ran on 2024-07-02 in China, so a lead signed that day has landed (the server's UTC day,
    07-01, put the branch before the signing)."""
    path, _ = db_path
    k = 6 if request.node.callspec.params["team_url"] == "sqlite" else 8  # the analytical file is shared by both runs
    with _store(path) as store:
        eid, name = _other(store, k)
        lead = L.add(store, team, str(eid), "温州市", owner="ana", source="leads")
    L.update(team, lead["id"], user="ana", status="signed", on="2024-07-02")
    f = tmp_path / "branches.csv"
    f.write_text(f"企业名称,分支机构,类型,所在地\n{name},{name.replace('有限公司', '')}温州分公司,分公司,浙江省温州市鹿城区\n",
                 encoding="utf-8")
    with _store(path) as store:
        import_files(store, "branches", [f], source="registry-undated", data_date="2024-06-30")
        store.con.execute("UPDATE imports SET finished_at = CAST(TIMESTAMPTZ '2024-07-01 19:00:00+00' AS TIMESTAMP) "
                          "WHERE id = (SELECT max(id) FROM imports)")
        found = {x["lead_id"]: x for x in landing.detect(store, team)}
    assert lead["id"] in found and found[lead["id"]]["landed_on"] == "2024-07-02", found


def test_a_stage_day_typed_as_a_month_is_said_as_the_day_the_command_line_stores():
    """The lead page's 签约/落地日期 and 签约日期 boxes take what ``pipeline move --on`` / ``--signed-on`` take, read by
    the one parser on the server, and the page says the day it stored: a bare month is its last day, or today in the
    month holding it (a signing has happened: never a day ahead)."""
    from zhaoshang.core.parse.dates import china_today

    today = china_today()
    assert L.date_read("2024年3月", "signed_on") == ("签约日期「2024年3月」读作 2024-03-31",
                                                    "signing date '2024年3月' read as 2024-03-31")
    month = f"{today.year}-{today.month:02d}"
    assert L.date_read(month, "landed_on") == (f"落地日期「{month}」读作 {today.isoformat()}",
                                               f"landing date '{month}' read as {today.isoformat()}")
    assert L._stage_date(month, "landed_on") == today.isoformat()  # the day `--on` stores
    assert L.date_read("2024-03-31", "signed_on") is None and L.date_read(" ", "signed_on") is None
    assert L.date_read("2027年3月")[0] == "下一步日期「2027年3月」读作 2027-03-31"  # the next action's, as before
