"""Personal data in free text, through the real routes of a team server: a contact's relation, title and notes,
a lead's next action, notes and history, a demand's description. A viewer (no ``personal``) gets every phone
number, e-mail address, ID and passport number in them masked — in the formats people write them (full-width
digits, dots, brackets, the 15-digit ID) — and the numbers an analyst needs (amounts, dates, credit codes)
as they are; an analyst gets them whole, and the read is written to the audit log."""

from __future__ import annotations

import csv
import json
import sys
import warnings
from pathlib import Path

import pytest

warnings.filterwarnings("ignore", category=DeprecationWarning)
from fastapi.testclient import TestClient  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
import matrix_fixture  # noqa: E402
from cli_util import run, run_json  # noqa: E402
from web_util import team_tokens  # noqa: E402

from zhaoshang.core.importers import import_files  # noqa: E402
from zhaoshang.core.store import Store  # noqa: E402
from zhaoshang.core.teamstate import open_team_db  # noqa: E402
from zhaoshang.interfaces.web.app import create_app  # noqa: E402
from zhaoshang.services.team import audit  # noqa: E402

# contact rows with the formats people write in them; {ent} is the fixture's enterprise
CONTACTS = [
    ("qa1", "王小明", "总经理", "13812345678", "wangxm@moming.cn", "校友 手机13987654321",
     "身份证330106198001011234；备用电话 +86 139-8765-4321；邮箱 Wang.XM@Gmail.com；座机 0571-88889999"),
    ("qa2", "赵敏", "董秘 电话0571 8888 7777", "+86 13711112222", "ZHAO@MOMING.CN", "身份证号11010519900307123X",
     "微信 zhaomin88 手机 137 1111 2222 身份证11010519900307123x"),
    ("qa3", "钱一", "经理", "１３８１２３４５６７８", "qian.yi+work@moming.cn", "同事",
     "手机１３９８７６５４３２１ 旧身份证330106800101123 座机(0571)88889999 另0571-8888-9999 （0571）88886666"),
    ("qa4", "孙二", "经理", "138-1234-5678", "sun2@moming.cn", "同事",
     "电话：138.1234.5678；手机号:86-13812345678；QQ邮箱 12345678@qq.com；护照 E12345678；"
     "投资3000万元 2024-05-01 签约 占股12.5% 信用代码91330100MA2XXXXXXX"),
]
# every secret above as written (a viewer must receive none of them) ...
SECRETS = ["13987654321", "330106198001011234", "139-8765-4321", "Wang.XM@Gmail.com", "88889999", "8888 7777",
           "11010519900307123X", "137 1111 2222", "11010519900307123x", "１３８１２３４５６７８", "１３９８７６５４３２１",
           "330106800101123", "8888-9999", "88886666", "138.1234.5678", "13812345678", "12345678@qq.com",
           "E12345678", "wangxm@moming.cn", "qian.yi+work@moming.cn"]
# ... and what stays: the numbers an analyst needs
KEPT = ["3000万元", "2024-05-01", "12.5%", "91330100MA2XXXXXXX"]

NOTE = ("已联系王总 手机13812345678 邮箱wangxm@moming.cn 身份证330106198001011234 旧证330106800101123 "
        "护照 E12345678 座机（0571）88889999 预算3000万元")
NEXT = "回电 １３９８７６５４３２１ 或 0571-8888-9999，2024-05-01 前"
LEAD_SECRETS = ["13812345678", "wangxm@moming.cn", "330106198001011234", "330106800101123", "E12345678",
                "88889999", "１３９８７６５４３２１", "8888-9999"]
DEMAND = "政务热线语音识别转写：联系 李工 13912345678 lig@gov.cn，座机 010-66668888，预算3000万元，2024-05-01 截止"
DEMAND_SECRETS = ["13912345678", "lig@gov.cn", "66668888"]
# a number in a demand's title and in its organisation
TITLE2, ORG2 = "宁波政务大模型智能客服 联系13955556666", "宁波市大数据局 王伟 13700001111"
TITLE_SECRETS = ["13955556666", "13700001111"]
# a demand's 联系人, as a list writes it
CONTACT = "王主任 13698765432 wang.zr@hz.gov.cn"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    d = tmp_path_factory.mktemp("privacy_web")
    db = d / "fx.duckdb"
    matrix_fixture.build(str(db), n=60)
    with Store(db) as store:
        row = store.query("SELECT id, name FROM enterprises WHERE dissolved IS NULL ORDER BY id LIMIT 1")[0]
    eid, name = row["id"], row["name"]
    files = {"contacts": [["编号", "姓名", "单位", "职务", "电话", "邮箱", "关系", "备注", "所在企业"],
                          *[(k, n, name, t, p, e, r, notes, name) for k, n, t, p, e, r, notes in CONTACTS]],
             "demands": [["需求编号", "需求名称", "需求描述", "需求单位", "所在地", "状态", "预算", "联系人"],
                         ("DM1", "政务热线语音识别转写", DEMAND, "杭州市数据资源管理局", "浙江省杭州市", "征集中", "200",
                          CONTACT),
                         ("DM2", TITLE2, "政务服务大模型智能客服，计算机视觉与通用大模型", ORG2, "浙江省宁波市", "征集中",
                          "100", "")]}
    with Store(db) as store:
        for kind, rows in files.items():  # the documented import of each (docs/data-formats.md)
            with open(d / f"{kind}.csv", "w", encoding="utf-8", newline="") as fh:
                csv.writer(fh).writerows(rows)
            import_files(store, kind, [d / f"{kind}.csv"], source="test")
    team = open_team_db(str(d / "team.sqlite"))
    tokens = team_tokens(team)
    client = TestClient(create_app(str(db), team=team, local_only=False), follow_redirects=False)
    return {"client": client, "team": team, "tokens": tokens, "eid": eid, "name": name, "db": db, "dir": d}


def _get(app, url, role, **kw):
    r = app["client"].get(url, headers=app["tokens"][role], **kw)
    assert r.status_code == 200, (url, r.status_code, r.text[:300])
    return r.content.decode("utf-8-sig")


def _leaks(text: str, secrets: list[str]) -> list[str]:
    return [s for s in secrets if s.lower() in text.lower()]


def _reads(app, actor: str) -> list[dict]:
    return audit.search(app["team"], actor=actor, action="person.read")["rows"]


def test_every_free_text_field_of_a_contact_is_masked_for_a_viewer(app):
    eid = app["eid"]
    doc = app["client"].get(f"/api/enterprises/{eid}", headers=app["tokens"]["viewer"]).json()
    assert doc["masked"]
    by_key = {c["name"]: c for c in doc["contacts"]}
    assert by_key["王小明"]["relation"] == "校友 手机139****4321"
    assert by_key["赵敏"]["title"] == "董秘 电话0571-****7777"
    assert by_key["赵敏"]["relation"] == "身份证号110***********123X"
    # a full-width mobile in the phone field gets the mask of a normal one (it kept 4 of 11 digits: "１***７８")
    assert by_key["钱一"]["phone"] == "138****5678" and by_key["孙二"]["phone"] == "138****5678"
    assert by_key["钱一"]["notes"] == ("手机139****4321 旧身份证330********1123 座机0571-****9999 另0571-****9999 "
                                       "0571-****6666")
    assert by_key["孙二"]["notes"] == ("电话：138****5678；手机号:138****5678；QQ邮箱 1***@qq.com；护照 E****5678；"
                                       "投资3000万元 2024-05-01 签约 占股12.5% 信用代码91330100MA2XXXXXXX")
    for url in (f"/api/enterprises/{eid}", f"/enterprises/{eid}"):
        text = _get(app, url, "viewer")
        assert not _leaks(text, SECRETS), (url, _leaks(text, SECRETS))
        assert "校友 手机139****4321" in text and "董秘 电话0571-****7777" in text, url
    assert all(k in _get(app, f"/api/enterprises/{eid}", "viewer") for k in KEPT)  # (the page shows no notes)
    # the analyst reads them whole
    whole = _get(app, f"/api/enterprises/{eid}", "analyst")
    assert "校友 手机13987654321" in whole and "董秘 电话0571 8888 7777" in whole and "１３８１２３４５６７８" in whole


def test_lead_notes_next_actions_and_history_masked_for_a_viewer_whole_and_audited_for_an_analyst(app):
    c, ana = app["client"], app["tokens"]["analyst"]
    r = c.post("/api/pipeline/add", headers=ana, json={"enterprise": str(app["eid"]), "region": "330100",
                                                      "note": NOTE, "next_action": NEXT,
                                                      "next_action_date": "2024-05-01"})
    assert r.status_code == 200, r.text
    lid = r.json()["id"]
    r = c.post(f"/api/pipeline/leads/{lid}/change", headers=ana, json={"next_action": "再约 13812345678"})
    assert r.status_code == 200, r.text
    secrets = LEAD_SECRETS
    before = len(_reads(app, "vera"))
    for url in ("/api/pipeline", f"/api/pipeline/leads/{lid}", "/pipeline", f"/pipeline/{lid}"):
        text = _get(app, url, "viewer")
        assert not _leaks(text, secrets), (url, _leaks(text, secrets))
        assert "2024-05-01" in text, url  # the next action's date is no phone number
    lead = c.get(f"/api/pipeline/leads/{lid}", headers=app["tokens"]["viewer"]).json()
    assert lead["next_action"] == "再约 138****5678"
    hist = {h["field"]: h for h in lead["history"] if h["field"] in ("note", "next_action")}
    assert hist["note"]["to_value"] == ("已联系王总 手机138****5678 邮箱w***@moming.cn 身份证330***********1234 "
                                        "旧证330********1123 护照 E****5678 座机0571-****9999 预算3000万元")
    assert hist["next_action"]["from_value"] == "回电 139****4321 或 0571-****9999，2024-05-01 前"
    assert len(_reads(app, "vera")) == before  # masked answers hand out nothing to record
    # the analyst: whole, and each answer that holds such text is written to the audit log
    got = c.get(f"/api/pipeline/leads/{lid}", headers=ana).json()
    assert got["next_action"] == "再约 13812345678" and NOTE in [h["to_value"] for h in got["history"]]
    assert all(s in _get(app, f"/pipeline/{lid}", "analyst") for s in secrets)
    entries = _reads(app, "ana")
    assert [e["target"] for e in entries[:2]] == [f"lead:{lid}", f"lead:{lid}"]
    assert '"texts"' in entries[0]["detail"] and f"/pipeline/{lid}" in entries[0]["detail"]


def test_the_pipeline_export_gives_a_viewer_the_masked_text_and_an_analyst_the_whole_audited(app):
    """The 招商项目 export (/api/pipeline/export) holds a lead's next action and abandon reason as the page does: masked
    for a viewer (CSV and XLSX), whole for an analyst with the read written to the audit log (``person.read``,
    target ``pipeline``), and every download written as an ``export`` with its filters."""
    import io

    import openpyxl

    c, ana = app["client"], app["tokens"]["analyst"]
    reason = "对方已另选址 联系人 13712340000 zhang@moming.cn"
    r = c.post("/api/pipeline/add", headers=ana, json={"enterprise": str(app["eid"]), "region": "330200",
                                                      "status": "abandoned", "reason": reason, "next_action": NEXT})
    assert r.status_code == 200, r.text
    lid, params = r.json()["id"], {"status": "abandoned", "region": "宁波市"}
    before, before_v = len(_reads(app, "ana")), len(_reads(app, "vera"))
    secrets = ["13712340000", "zhang@moming.cn", *LEAD_SECRETS]
    rows = {}
    for role in ("viewer", "analyst"):
        text = _get(app, "/api/pipeline/export", role, params={**params, "format": "csv"})
        rows[role] = list(csv.DictReader(io.StringIO(text)))
        xlsx = app["client"].get("/api/pipeline/export", headers=app["tokens"][role], params={**params, "format": "xlsx"})
        ws = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
        head, *body = [list(x) for x in ws.iter_rows(values_only=True)]
        assert [[str(v) if v is not None else "" for v in x] for x in body] == [list(x.values()) for x in rows[role]], role
    # the filter's rows only: the abandoned lead of 宁波市, by its id
    assert [x["编号"] for x in rows["viewer"]] == [str(lid)] == [x["编号"] for x in rows["analyst"]]
    seen, whole = rows["viewer"][0], rows["analyst"][0]
    assert not _leaks(" ".join(seen.values()), secrets), _leaks(" ".join(seen.values()), secrets)
    assert seen["放弃理由"] == "对方已另选址 联系人 137****0000 z***@moming.cn"
    assert seen["下一步"] == "回电 139****4321 或 0571-****9999，2024-05-01 前"
    assert (whole["放弃理由"], whole["下一步"]) == (reason, NEXT)
    # the page shows the viewer the same masked words
    page = _get(app, "/pipeline", "viewer", params=params)
    assert "137****0000" in page and not _leaks(page, secrets)
    reads = _reads(app, "ana")[: len(_reads(app, "ana")) - before]
    assert [e["target"] for e in reads] == ["pipeline", "pipeline"], reads  # the analyst's CSV and XLSX
    assert len(_reads(app, "vera")) == before_v  # masked answers hand out nothing to record
    exports = audit.search(app["team"], action="export")["rows"]
    done = [(e["actor"], e["target"]) for e in exports if e["target"] == "/api/pipeline/export"]
    assert done.count(("vera", "/api/pipeline/export")) == 2 and done.count(("ana", "/api/pipeline/export")) == 2
    assert all("status=abandoned" in e["detail"] for e in exports if e["target"] == "/api/pipeline/export")
    # a HEAD of the export sends the headers of the file, not the file: neither an export nor a read on the record
    n_reads, n_exports = len(_reads(app, "ana")), len(audit.search(app["team"], action="export")["rows"])
    head = c.head("/api/pipeline/export", headers=ana, params={**params, "format": "csv"})
    assert head.status_code == 200 and head.content == b"" and "pipeline-330200" in head.headers["content-disposition"]
    assert len(_reads(app, "ana")) == n_reads and len(audit.search(app["team"], action="export")["rows"]) == n_exports


def test_demand_descriptions_masked_for_a_viewer_on_the_api_pages_and_export(app):
    for url, params in (("/api/match/demands", {}), ("/match", {}), ("/api/match/demand/DM1", {}),
                        ("/match/demand/DM1", {}), ("/api/match/demands/export", {"format": "csv"})):
        text = _get(app, url, "viewer", params=params)
        assert not _leaks(text, DEMAND_SECRETS), (url, _leaks(text, DEMAND_SECRETS))
    doc = app["client"].get("/api/match/demand/DM1", headers=app["tokens"]["viewer"]).json()
    assert doc["demand"]["description"] == ("政务热线语音识别转写：联系 李工 139****5678 l***@gov.cn，座机 010-****8888，"
                                            "预算3000万元，2024-05-01 截止")
    export = _get(app, "/api/match/demands/export", "viewer", params={"format": "csv"})
    assert "139****5678" in export and "预算3000万元" in export
    # the analyst: whole, and the read audited
    assert DEMAND in _get(app, "/api/match/demands/export", "analyst", params={"format": "csv"})
    assert DEMAND in _get(app, "/api/match/demand/DM1", "analyst")
    assert [e["target"] for e in _reads(app, "ana")[:2]] == ["demand:1", "demands"]


def test_demand_titles_and_organisations_masked_for_a_viewer_on_every_route(app):
    c = app["client"]
    ana = c.get("/api/match/demand/DM2", headers=app["tokens"]["analyst"], params={"top": 1}).json()
    assert ana["demand"]["title"] == TITLE2 and ana["demand"]["organisation"] == ORG2 and ana["results"]
    eid = ana["results"][0]["enterprise_id"]  # an enterprise the demand lists: its own page lists the demand
    urls = (("/api/match/demands", {}), ("/match", {}), ("/api/match/demand/DM2", {}), ("/match/demand/DM2", {}),
            ("/api/match/demands/export", {"format": "csv"}), (f"/api/match/enterprise/{eid}", {"top": 500}),
            (f"/match/enterprise/{eid}", {"top": 500}), (f"/api/match/enterprise/{eid}/export", {"format": "csv", "top": 500}))
    for url, params in urls:
        c.app.state.web.export_limits.__init__()  # a fresh export allowance for each route's two reads
        text = _get(app, url, "viewer", params=params)
        assert not _leaks(text, TITLE_SECRETS), (url, _leaks(text, TITLE_SECRETS))
        assert "139****6666" in text and "137****1111" in text, url
        assert all(s in _get(app, url, "analyst", params=params) for s in TITLE_SECRETS), url
    doc = c.get("/api/match/demand/DM2", headers=app["tokens"]["viewer"]).json()["demand"]
    assert (doc["title"], doc["organisation"]) == ("宁波政务大模型智能客服 联系139****6666", "宁波市大数据局 王伟 137****1111")
    rev = c.get(f"/api/match/enterprise/{eid}", headers=app["tokens"]["viewer"], params={"top": 500}).json()
    assert "宁波市大数据局 王伟 137****1111" in [r["organisation"] for r in rev["results"]]
    assert any(e["target"] == "demands" for e in _reads(app, "ana"))


def test_a_demands_contact_is_shown_masked_for_a_viewer_and_whole_and_audited_for_an_analyst(app):
    """A demand's 联系人 was imported and stored but shown nowhere, not even to an analyst: now on the demand's page,
    its JSON, the list and its export — masked for a viewer as a contact's notes are, whole for an analyst, the read
    written to the audit log with the field named."""
    c = app["client"]
    masked = "王主任 136****5432 w***@hz.gov.cn"
    assert c.get("/api/match/demand/DM1", headers=app["tokens"]["viewer"]).json()["demand"]["contact"] == masked
    items = c.get("/api/match/demands", headers=app["tokens"]["viewer"]).json()["items"]
    assert {d["ref"]: d["contact"] for d in items} == {"DM1": masked, "DM2": None}
    for url, params in (("/match/demand/DM1", {}), ("/api/match/demands/export", {"format": "csv"})):
        c.app.state.web.export_limits.__init__()
        text = _get(app, url, "viewer", params=params)
        assert masked in text and not _leaks(text, ["13698765432", "wang.zr@hz.gov.cn"]), url
        assert CONTACT in _get(app, url, "analyst", params=params), url
    assert "联系人" in _get(app, "/api/match/demands/export", "analyst", params={"format": "csv"})
    before = len(_reads(app, "ana"))
    assert c.get("/api/match/demand/DM1", headers=app["tokens"]["analyst"]).json()["demand"]["contact"] == CONTACT
    read = _reads(app, "ana")[0]
    assert len(_reads(app, "ana")) == before + 1 and read["target"] == "demand:1" and "contact" in read["detail"], read


def test_a_viewer_cannot_recover_a_masked_number_by_searching_the_demands(app):
    """The demand search looks, for a viewer, in the description as the viewer sees it: a digit of the hidden
    number, or the hidden part of an e-mail address, finds nothing, on the list, its page and its export, while the
    masked form and the words around it are found; ``%`` and ``_`` are characters, for everyone."""
    def total(q, role="viewer"):
        return app["client"].get("/api/match/demands", params={"q": q}, headers=app["tokens"][role]).json()["total"]

    for q in ("13912", "139123", "1391234", "lig@", "66668888", "1370000", "13955"):
        assert total(q) == 0, q
        assert total(q, "analyst") == 1, q
    for q in ("139****5678", "l***@gov.cn", "李工", "政务热线", "杭州市数据资源管理局", "137****1111", "139****6666",
              "王伟", "宁波政务大模型"):
        assert total(q) == 1, q
    assert total("1370001") == total("1370001", "analyst") == 0
    for url in ("/match", "/api/match/demands/export"):
        assert "政务热线语音识别转写" not in _get(app, url, "viewer", params={"q": "139123", "format": "csv"}), url
        assert "宁波市大数据局" not in _get(app, url, "viewer", params={"q": "1370000", "format": "csv"}), url
    assert "政务热线语音识别转写" in _get(app, "/match", "viewer", params={"q": "5678"})
    for role in ("viewer", "analyst"):
        assert total("%", role) == 0 and total("_", role) == 0 and total("139_2345678", role) == 0


def test_a_leads_local_demand_example_is_masked_for_a_viewer(app):
    """The 本地需求 signal of a lead names an open demand of the region by its title: a viewer reads the number in it
    masked on /api/leads, as scenario matching shows the demand; an analyst reads it whole, audited."""
    def examples(role):
        doc = app["client"].get("/api/leads?region=330200&top=200", headers=app["tokens"][role]).json()
        return {part["detail"].get("example") for lead in doc["leads"] for part in lead["explain"]["parts"]
                if part["signal"] == "demands"} | {lead["signals"]["demands"]["detail"]["example"] for lead in doc["leads"]}
    assert "宁波政务大模型智能客服 联系139****6666" in examples("viewer")
    assert not _leaks(str(examples("viewer")), TITLE_SECRETS)
    # nor in the rows a signal names (the open demand by its number and title)
    whole = app["client"].get("/api/leads?region=330200&top=200", headers=app["tokens"]["viewer"]).text
    assert "139****6666" in whole and not _leaks(whole, TITLE_SECRETS)
    region = app["client"].get("/api/region-profile/330200", headers=app["tokens"]["viewer"]).text
    assert not _leaks(region, TITLE_SECRETS)  # the region page's leads, their signals and rows
    assert TITLE2 in examples("analyst")
    assert any(r["target"] == "leads" for r in _reads(app, "ana"))
    # the pipeline's page of such a lead, with why it is one (its reasons and signals), as a viewer reads it
    doc = app["client"].get("/api/leads?region=330200&top=200", headers=app["tokens"]["analyst"]).json()
    eid = next(lead["enterprise_id"] for lead in doc["leads"] if lead["signals"]["demands"]["detail"]["example"])
    r = app["client"].post("/api/pipeline/add", headers=app["tokens"]["analyst"],
                           json={"enterprise": str(eid), "region": "330200"})
    assert r.status_code == 200, r.text
    page = _get(app, f"/pipeline/{r.json()['id']}", "viewer")
    assert 'data-signal="demands"' in page and not _leaks(page, TITLE_SECRETS)


NEWS_BODY = "总经理李健辞职，手机13812345678，身份证330102199001011234。"


def test_news_bodies_masked_for_a_viewer_and_feed_paths_shown_as_file_names(app):
    """News read from a feed (a file on the server here) reach a viewer on /api/monitor/news, /monitor and
    /api/events with the phone and ID number masked; an analyst reads them whole, audited. A viewer sees a feed read
    from a file by its file name, never the server's path."""
    from zhaoshang.services.monitoring import bus
    from zhaoshang.services.monitoring import feeds as F
    from zhaoshang.services.monitoring import news as N

    rss = app["dir"] / "news-feed.xml"
    rss.write_text(f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>
<item><title>{app['name']}总经理辞职 电话13812345678</title><guid>p1</guid><pubDate>Thu, 03 Dec 2026 08:00:00 +0800</pubDate>
<description>{NEWS_BODY}</description></item></channel></rss>""", encoding="utf-8")
    with Store(app["db"], read_only=True) as store:
        N.run_feeds(store, app["team"], F.one_feed(str(rss)), bus=bus.EventBus())
    secrets = ["13812345678", "330102199001011234"]
    for url in ("/api/monitor/news", "/monitor", "/api/events"):
        text = _get(app, url, "viewer")
        assert not _leaks(text, secrets), (url, _leaks(text, secrets))
    item = app["client"].get("/api/monitor/news", headers=app["tokens"]["viewer"]).json()["items"][0]
    assert item["body"] == "总经理李健辞职，手机138****5678，身份证330***********1234。"
    assert "138****5678" in _get(app, "/monitor", "viewer")
    assert NEWS_BODY in _get(app, "/api/monitor/news", "analyst")
    assert _reads(app, "ana")[0]["target"] == "monitor_news"
    # the feeds: the file's name for a viewer, never the server's folder
    feed = app["client"].get("/api/monitor/feeds", headers=app["tokens"]["viewer"]).json()["feeds"][0]
    assert feed["url"] == "news-feed.xml"
    assert str(app["dir"]) not in _get(app, "/monitor", "viewer") + _get(app, "/api/monitor/feeds", "viewer")


def test_alerts_of_a_feed_read_from_a_file_name_it_by_its_file_name(app):
    """An analyst (no ``data_update``) whose rule matched a news item of a feed read from a file on the server reads
    the alert on 预警规则, its page and the JSON — the event's source and the evidence note (``source · key ·
    URL``) — with the feed's file name, never the server's folder, as on 动态监测."""
    from zhaoshang.services.alerts import feed
    from zhaoshang.services.alerts import rules as R
    from zhaoshang.services.monitoring import bus
    from zhaoshang.services.monitoring import feeds as F
    from zhaoshang.services.monitoring import news as N

    rss = app["dir"] / "alert-feed.xml"
    rss.write_text(f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>
<item><title>{app['name']}完成6亿元B轮融资</title><guid>a1</guid><link>https://example.com/news/a1</link>
<pubDate>Fri, 04 Dec 2026 08:00:00 +0800</pubDate><description>融资</description></item></channel></rss>""",
                   encoding="utf-8")
    with Store(app["db"], read_only=True) as store:
        R.add(store, app["team"], {"name": "关注企业", "enterprises": [str(app["eid"])]}, owner="ana")
        N.run_feeds(store, app["team"], F.one_feed(str(rss)), bus=bus.EventBus())
        feed.run_live(store, app["team"])
    items = app["client"].get("/api/alerts/items", headers=app["tokens"]["analyst"]).json()["items"]
    mine = [a for a in items if a["rule_name"] == "关注企业"]
    assert mine, items
    one = app["client"].get(f"/api/alerts/items/{mine[0]['id']}", headers=app["tokens"]["analyst"]).json()
    note = [e["note"] for e in one["evidence"] if e["table"] == "monitor_events"]
    assert note and note[0].startswith("alert-feed.xml · a1"), one["evidence"]
    for url in ("/api/alerts/items", f"/api/alerts/items/{mine[0]['id']}", f"/alerts/{mine[0]['id']}", "/api/alerts"):
        text = _get(app, url, "analyst")
        assert str(app["dir"]) not in text and "alert-feed.xml" in text, url
    assert str(app["dir"]) not in _get(app, "/alerts", "analyst")


def test_a_phone_stored_masked_is_shown_to_a_viewer_as_stored(tmp_path, demo_copy):
    """The demo (and a source that masks) stores phones as 168****7966: a viewer got it re-masked by the generic rule
    (1***66), a form docs/security.md does not name and the analyst never sees; it is shown as stored."""
    db = tmp_path / "demo.duckdb"
    demo_copy(db)
    with Store(str(db), read_only=True) as store:
        eid, phone = store.query("SELECT enterprise_id, phone FROM contacts WHERE phone LIKE '1%****%' "
                                 "ORDER BY enterprise_id LIMIT 1")[0].values()
    team = open_team_db(str(tmp_path / "team.sqlite"))
    tokens = team_tokens(team)
    client = TestClient(create_app(str(db), team=team, local_only=False), base_url="http://127.0.0.1")
    shown = {role: [c["phone"] for c in client.get(f"/api/enterprises/{eid}", headers=tokens[role]).json()["contacts"]]
             for role in ("viewer", "analyst")}
    assert phone in shown["viewer"] and shown["viewer"] == shown["analyst"], shown


def test_a_viewers_masked_export_imported_back_never_writes_its_masks_over_the_real_text(app):
    """A viewer's export of the pipeline holds a lead's next action and abandon reason masked; imported back by an
    analyst it replaced `联系周总 138 1234 5678 / zhou@corp.cn` with `联系周总 138****5678 / z***@corp.cn` — the
    number lost. A masked cell that is the lead's text as masked is unchanged; one edited around the masks is refused
    naming them, and nothing is written."""
    import io

    import openpyxl

    c, ana = app["client"], app["tokens"]["analyst"]
    nxt, reason = "联系周总 138 1234 5678 / zhou@corp.cn", "已另选址 联系人 13712349999"
    r = c.post("/api/pipeline/add", headers=ana, json={"enterprise": str(app["eid"]), "region": "330300",
                                                      "next_action": nxt})
    assert r.status_code == 200, r.text
    lid = r.json()["id"]
    r = c.post("/api/pipeline/add", headers=ana, json={"enterprise": str(app["eid"]), "region": "330400",
                                                      "status": "abandoned", "reason": reason})
    assert r.status_code == 200, r.text
    gone = r.json()["id"]
    xlsx = c.get("/api/pipeline/export", headers=app["tokens"]["viewer"], params={"format": "xlsx"})
    wb = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    ws = wb.active
    col = {v: i + 1 for i, v in enumerate(next(ws.iter_rows(values_only=True)))}
    rows = {ws.cell(i, col["编号"]).value: i for i in range(2, ws.max_row + 1)}
    assert ws.cell(rows[lid], col["下一步"]).value == "联系周总 138****5678 / z***@corp.cn"
    assert ws.cell(rows[gone], col["放弃理由"]).value == "已另选址 联系人 137****9999"
    sheet = app["dir"] / "vic_pipeline.xlsx"
    wb.save(sheet)
    env = {"ZHAOSHANG_TEAM_DB": str(app["dir"] / "team.sqlite")}
    got = run_json("pipeline", "import", sheet, "--user", "ana", db=app["db"], env=env)
    assert got["updated"] == 0 and got["unchanged"] == got["rows"], got
    lead = c.get(f"/api/pipeline/leads/{lid}", headers=ana).json()
    assert lead["next_action"] == nxt and [h["field"] for h in lead["history"]].count("next_action") == 1, lead
    assert c.get(f"/api/pipeline/leads/{gone}", headers=ana).json()["abandon_reason"] == reason
    # the viewer's cell edited around its masks: refused, naming them, in either language; nothing written
    ws.cell(rows[lid], col["下一步"]).value = "联系周总 138****5678 / z***@corp.cn 周三面谈"
    wb.save(sheet)
    refused = run("pipeline", "import", sheet, "--user", "ana", db=app["db"], env=env, check=False)
    assert refused.returncode == 2 and "下一步含已遮蔽的联系方式（138****5678、z***@corp.cn）" in refused.stderr, refused.stderr
    refused = run("--lang", "en", "pipeline", "import", sheet, "--user", "ana", db=app["db"], env=env, check=False)
    assert "the next action holds masked contact details (138****5678, z***@corp.cn)" in refused.stderr, refused.stderr
    assert c.get(f"/api/pipeline/leads/{lid}", headers=ana).json()["next_action"] == nxt
    # written in full (an analyst's edit), it is an update as any other
    ws.cell(rows[lid], col["下一步"]).value = "联系周总 138 1234 5678 周三面谈"
    wb.save(sheet)
    got = run_json("pipeline", "import", sheet, "--user", "ana", db=app["db"], env=env)
    assert got["updated_leads"] == [{"id": lid, "fields": ["next_action"]}], got


def test_a_change_of_a_masked_detail_is_said_to_a_viewer_not_shown_as_changing_nothing(app):
    """A viewer's 最新变更 showed 联系周总 138****5678 → 联系周总 138****5678 for a number changed in its middle digits:
    a change that seemed to change nothing. It says that a masked detail changed, on both pages and in the JSON."""
    c, ana = app["client"], app["tokens"]["analyst"]
    r = c.post("/api/pipeline/add", headers=ana, json={"enterprise": str(app["eid"]), "region": "330500",
                                                      "next_action": "联系周总 138 1234 5678"})
    assert r.status_code == 200, r.text
    lid = r.json()["id"]
    r = c.post(f"/api/pipeline/leads/{lid}/change", headers=ana, json={"next_action": "联系周总 138 9999 5678"})
    assert r.status_code == 200, r.text
    seen = c.get(f"/api/pipeline/leads/{lid}", headers=app["tokens"]["viewer"]).json()["history"]
    h = [x for x in seen if x["field"] == "next_action"][-1]
    assert (h["from_value"], h["to_value"], h.get("masked_change")) == ("联系周总 138****5678",) * 2 + (True,), h
    whole = c.get(f"/api/pipeline/leads/{lid}", headers=ana).json()["history"]
    assert not any(x.get("masked_change") for x in whole), whole
    for url in ("/pipeline", f"/pipeline/{lid}"):
        page = _get(app, url + "?lang=zh", "viewer")  # (a page's language is remembered: said each time)
        assert "联系周总 138****5678 → 联系周总 138****5678" not in page, url
        assert "联系周总 138****5678 <span class=\"muted masked-change\">（已遮蔽的联系方式有改动）</span>" in page, url
        assert "(masked contact details changed)" in _get(app, url + "?lang=en", "viewer"), url
        assert "已遮蔽的联系方式有改动" not in _get(app, url + "?lang=zh", "analyst"), url


def test_a_former_legal_representative_who_holds_shares_is_not_named_to_a_viewer(tmp_path, demo_copy):
    """The demo's founders hold shares and many left the office of 法定代表人 years ago: a viewer saw the holder as 陈*
    among the shareholders but 法定代表人: 陈悦博 → 杨怡辉 on /api/events, the alerts and the digest (the names masked
    were only those of the representative in office), and a live change's ``detail.old`` in full. Now the person is
    masked in the title, title_en and detail wherever the change is listed; a sent change without a head in its title
    is given its English title from its detail, as an imported change is."""
    from alerts_fixture import rule_kept_by

    from zhaoshang.services.alerts import digest, feed
    from zhaoshang.services.monitoring import events as E
    from zhaoshang.services.privacy import mask_name

    db = tmp_path / "demo.duckdb"
    demo_copy(db)
    team = open_team_db(str(tmp_path / "team.sqlite"))
    tokens = team_tokens(team)
    with Store(str(db), read_only=True) as store:
        # an enterprise whose change names as the former representative a private shareholder of it
        eid, old, new = store.query(
            """SELECT v.enterprise_id, json_extract_string(v.detail, '$.old') AS old,
                      json_extract_string(v.detail, '$.new') AS new FROM events v
               JOIN shareholdings s ON s.enterprise_id = v.enterprise_id AND s.holder_type = 'person'
                    AND s.holder_name = json_extract_string(v.detail, '$.old')
               WHERE v.type = 'change_legal_rep' ORDER BY v.enterprise_id LIMIT 1""")[0].values()
        rule_kept_by(store, team, {"name": "法人变更", "types": ["change_legal_rep"], "channels": ["email"]}, "vera")
        assert feed.record(store, team, E.timeline(store, enterprise=str(eid), types="change_legal_rep")["items"])
        said = {lang: digest.build(store, team, "vera", lang=lang) for lang in ("zh", "en")}
    client = TestClient(create_app(str(db), team=team, local_only=False), base_url="http://127.0.0.1")
    holder = client.get(f"/api/enterprises/{eid}", headers=tokens["viewer"]).json()["shareholders"]
    assert mask_name(old) in [s["holder_name"] for s in holder] and old not in str(holder)
    shown = {"events": client.get(f"/api/events?enterprise={eid}&type=change_legal_rep", headers=tokens["viewer"]).json()["items"],
             "alerts": client.get("/api/alerts/items", headers=tokens["viewer"]).json()["items"]}
    for where, items in shown.items():
        one = next(e for e in items if e["enterprise_id"] == eid)
        assert one["title"] == f"法定代表人: {mask_name(old)} → {new}", (where, one)
        assert one["title_en"] == f"legal representative: {mask_name(old)} → {new}", (where, one)
        assert old not in json.dumps(items, ensure_ascii=False), where
    assert shown["events"][0]["detail"]["old"] == mask_name(old)
    for lang, doc in said.items():
        assert mask_name(old) in doc["text"] and old not in doc["text"] + doc["html"], (lang, doc["text"])
    # a change sent live, its title the sender's: the detail masked, the English title made from the detail
    sent = {"enterprise_id": eid, "type": "change_legal_rep", "date": "2025-12-05", "title": "法定代表人变更",
            "detail": {"old": new, "new": old}, "source": "registry-watch", "source_key": "lr-1"}
    assert client.post("/api/events", json=sent, headers=tokens["analyst"]).status_code == 200
    live = lambda role: next(e for e in client.get(f"/api/events?enterprise={eid}&type=change_legal_rep",  # noqa: E731
                                                   headers=tokens[role]).json()["items"] if e["origin"] == "api")
    assert live("analyst")["title_en"] == f"legal representative: {new} → {old}", live("analyst")
    assert live("viewer")["detail"] == {"old": new, "new": mask_name(old)}, live("viewer")
    assert live("viewer")["title_en"] == f"legal representative: {new} → {mask_name(old)}", live("viewer")
