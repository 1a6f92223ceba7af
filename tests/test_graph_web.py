"""The relationship pages in a real browser: key persons, the expandable graph, person details (masked by role,
every read audited), paths with the evidence of every hop, "introduce me" from one's own contacts, a hostile
name shown as text. ZHAOSHANG_SCREENSHOTS=DIR saves the page's screenshot."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from cli_util import run_json
from graph_fixture import build
from web_util import cut_placeholders, require_browser, serving, sign_in, team_tokens

SHOTS = os.environ.get("ZHAOSHANG_SCREENSHOTS")
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build(tmp_path_factory.mktemp("graph_web") / "g.duckdb")


@pytest.fixture(scope="module")
def base(db):
    """One server on the module's graph fixture for the page checks that only read it."""
    require_browser()
    with serving(db) as url:
        yield url


def test_json_twins_masking_and_audit(db, tmp_path):
    from web_util import local_client

    from zhaoshang.core.teamstate import open_team_db
    from zhaoshang.interfaces.web.app import create_app
    from zhaoshang.services.team import audit

    team_db = tmp_path / "team.sqlite"
    team = open_team_db(str(team_db))
    tokens = team_tokens(team)
    app = create_app(str(db), team=team, local_only=False)
    c = local_client(app)
    ana, vera = tokens["analyst"], tokens["viewer"]
    people = c.get("/api/graph/people/1", headers=ana).json()
    assert people["persons"][0]["power"] >= people["persons"][-1]["power"]
    # 周杰 holds shares only: a private individual, masked for a viewer
    assert "周杰" in {p["name"] for p in people["persons"]}
    masked = c.get("/api/graph/people/1", headers=vera).json()
    assert "周杰" not in {p["name"] for p in masked["persons"]} and "周*" in {p["name"] for p in masked["persons"]}
    # person details: whole for an analyst, masked for a viewer, every read audited
    whole = c.get("/api/graph/person/p:1", headers=ana).json()
    assert whole["person"]["birth_year"] == 1970 and not whole["masked"]
    part = c.get("/api/graph/person/1", headers=vera).json()
    assert part["person"]["birth_year"] is None and part["masked"]
    reads = [e for e in audit.search(team, action="person.read")["rows"]]
    assert {(e["actor"], e["target"]) for e in reads} >= {("ana", "p:1"), ("vera", "p:1")}
    # the key persons holding 周杰's shares: read by either role, masked or not, as the person panel's reads are
    kp = {e["actor"]: json.loads(e["detail"]) if isinstance(e["detail"], str) else e["detail"] for e in reads
          if e["target"] == "enterprise:1"}
    assert kp["vera"]["masked"] is True and kp["ana"]["masked"] is False, kp
    assert kp["vera"]["person_shareholders"] == kp["ana"]["person_shareholders"] >= 1 and kp["vera"]["path"] == "/api/graph/people/1"
    # paths, neighbours, introduce; user errors are 4xx with a message
    r = c.get("/api/graph/reach/1?from_region=330100&k=3", headers=ana).json()
    assert r["paths"][0]["length"] == 0 and r["paths"][0]["target"]["name"] == HOSTILE  # already at a local enterprise
    assert all(h["evidence"] for p in r["paths"] for h in p["hops"]) and any(p["hops"] for p in r["paths"])
    n = c.get("/api/graph/neighbours?node=e:1&limit=2", headers=ana).json()
    assert len(n["neighbours"]) == 2 and n["total"] > 2
    assert c.get("/api/graph/neighbours?node=e:1&offset=2&limit=2", headers=ana).json()["neighbours"][0] != n["neighbours"][0]
    assert c.get("/api/graph/reach/不存在的企业?from_region=330100", headers=ana).status_code == 404
    # introduce: a contact not matched is named by the row the page sends, with the words the page shows
    intro = c.post("/api/graph/introduce/1", headers=ana, json={"contacts": [
        {"name": "孙丽", "enterprise": "本地甲科技有限公司", "row": 1},
        {"name": "王五", "row": 2},  # a name alone, as the page's box sends it: listed, the others still used
        {"name": "李四", "enterprise": "不存在的公司", "row": 3}]}).json()
    assert intro["paths"] and intro["from"]["unmatched"] == [
        {"row": 2, "name": "王五", "enterprise": None, "reason": "no_enterprise"},
        {"row": 3, "name": "李四", "enterprise": "不存在的公司", "reason": "not_found"}]
    assert intro["from"]["unmatched_text"] == {"count": 2, "head": "未能匹配的联系人 2 个，未作为起点",
                                               "lines": ["第 2 行 王五（—）：没有所在企业",
                                                         "第 3 行 李四（不存在的公司）：库中没有这家企业"]}
    assert c.get("/api/graph/neighbours?node=zz", headers=ana).status_code == 400
    assert c.get("/api/graph/person/99999", headers=ana).status_code == 404
    # why a namesake is kept apart and why a link holds, in words of the page's language beside the codes (the
    # person panel showed the code gender_or_birth_year_differ)
    assert [(x["why"], x["why_text"]) for x in whole["apart"]] == [("gender_or_birth_year_differ", "性别或出生年份不同")]
    assert c.get("/api/graph/person/p:6", headers=ana).json()["links"][0]["reasons_text"] == ["同一企业任职且任期重叠"]
    en = c.get("/api/graph/person/p:1?lang=en", headers=ana).json()
    assert [x["why_text"] for x in en["apart"]] == ["gender or birth year differ"]
    # the gender in words of the language (the English panel printed 男), each other record by its key and name
    assert (en["person"]["gender_text"], whole["person"]["gender_text"]) == ("male", "男")
    assert [x["other"] for x in whole["apart"]] == [{"key": "p:3", "name": "张伟"}]
    # as of a date: an office begun later is not listed, one ended later is held then (赵强: p:6 until 2021-06-30)
    assert c.get("/api/graph/person/p:7?as_of=2018-12-31", headers=ana).json()["roles"] == []
    then = c.get("/api/graph/person/p:6?as_of=2020-12-31", headers=ana).json()
    assert [(r["start_date"], r["end_date"]) for r in then["roles"]] == [("2015-01-01", None)] and then["as_of"] == "2020-12-31"
    assert [(r["start_date"], r["end_date"]) for r in c.get("/api/graph/person/p:6", headers=ana).json()["roles"]] == [
        ("2015-01-01", "2021-06-30")]


def _team_app(db, tmp_path):
    from web_util import local_client

    from zhaoshang.core.teamstate import open_team_db
    from zhaoshang.interfaces.web.app import create_app

    team = open_team_db(str(tmp_path / "team.sqlite"))
    tokens = team_tokens(team)
    return local_client(create_app(str(db), team=team, local_only=False)), team, tokens


def test_a_contact_title_with_a_phone_number_is_masked_in_path_evidence_and_its_read_audited(tmp_path):
    """A bureau contact at the target whose title holds a mobile number: the reach path through the contact carries
    the title in its evidence. A viewer gets the number masked; an analyst gets it whole, and the read is written to the audit log with the count of such texts."""
    from zhaoshang.core.store import Store
    from zhaoshang.services.team import audit

    db = build(tmp_path / "g.duckdb")
    with Store(db) as s:
        s.con.execute("INSERT INTO contacts (id, name, title, enterprise_id, province_code, city_code, source, source_key, "
                      "import_id) VALUES (7, '钱多多', '董事长助理 手机13987654321', 1, '330000', '330100', 's1', 'c7', 1)")
    c, team, tokens = _team_app(db, tmp_path)
    notes = {}
    for role in ("viewer", "analyst"):
        for lang in ("zh", "en"):
            r = c.get(f"/api/graph/reach/1?from_region=330100&k=5&lang={lang}", headers=tokens[role])
            assert r.status_code == 200, r.text
            notes[role, lang] = [ev["note"] for p in r.json()["paths"] for h in p["hops"] for ev in h["evidence"] or []
                                 if ev["table"] == "contacts"]
            assert "13987654321" not in r.text or role == "analyst"
    assert set(notes["viewer", "zh"]) == {"董事长助理 手机139****4321"}
    assert set(notes["analyst", "zh"]) == {"董事长助理 手机13987654321"}
    # in English the title as the profile's people card says an office: the role read from it, the title beside it
    # (an aide of the chair is an executive, as an import reads the title), still masked for the viewer
    assert set(notes["viewer", "en"]) == {"executive (董事长助理 手机139****4321)"}
    assert set(notes["analyst", "en"]) == {"executive (董事长助理 手机13987654321)"}
    entry = audit.search(team, actor="ana", action="person.read")["rows"][0]
    assert entry["target"] == "enterprise:1" and json.loads(entry["detail"])["texts"] == len(notes["analyst", "zh"])


def test_the_audit_of_a_graph_read_counts_the_records_that_hold_shares(tmp_path):
    """周杰 holds shares under p:12 and sits on the target's board under p:14: the key persons list him with both
    records. An analyst's reach to the target reads one private holding — the audit says one record, p:12, not the
    officer's record beside it."""
    from zhaoshang.services.team import audit

    from graph_fixture import build_with_officer_holder

    db = build_with_officer_holder(tmp_path / "g.duckdb")
    c, team, tokens = _team_app(db, tmp_path)
    r = c.get("/api/graph/reach/1?from_region=330100&k=3", headers=tokens["analyst"])
    assert r.status_code == 200 and {"p:12", "p:14"} <= {k for p in r.json()["key_persons"] for k in p["records"]}
    entry = audit.search(team, actor="ana", action="person.read")["rows"][0]
    detail = json.loads(entry["detail"])
    assert (detail["person_shareholders"], detail["records"]) == (1, ["p:12"]), detail


def test_a_private_shareholder_masked_for_a_viewer_on_every_route(tmp_path):
    """周杰 holds 80 % of 控股丙 (48 % of the target through it) and sits on the target's board under another
    record: for a viewer signed in the person is 周* on the profile (holding and office), the key persons (one entry,
    the analyst's, offices and holding together), the relations page, the graph's ties and the person panel; an
    analyst sees the name on each and the holding on the profile."""
    import re

    from web_util import local_client

    from graph_fixture import build_with_officer_holder
    from zhaoshang.core.teamstate import open_team_db
    from zhaoshang.interfaces.web.app import create_app

    db = build_with_officer_holder(tmp_path / "g.duckdb")
    team = open_team_db(str(tmp_path / "team.sqlite"))
    team_tokens(team)  # the accounts ana (analyst) and vera (viewer)
    app = create_app(str(db), team=team, local_only=False)
    seen = {}
    for name in ("ana", "vera"):
        c = local_client(app)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
        assert c.post("/login", data={"name": name, "password": "a-long-enough-password-1", "csrf_token": csrf},
                      follow_redirects=False).status_code in (302, 303)
        holders = {s["holder_name"]: s for s in c.get("/api/enterprises/4").json()["shareholders"]}
        people = {p["name"]: p for p in c.get("/api/graph/people/1").json()["persons"]}
        ties = c.get("/api/graph/neighbours?node=e:4").json()["neighbours"]
        table = re.search(r'<table class="grid kp-table".*?</table>', c.get("/relations/1").text, re.S).group(0)
        seen[name] = {"profile": holders, "people": people, "page": table,
                      "officers": {p["name"] for p in c.get("/api/enterprises/1").json()["people"]},
                      "page4": c.get("/relations/4").text,
                      "ties": {x["node"]["name"]: x for x in ties},
                      "p12doc": c.get("/api/graph/person/p:12").json(),
                      "reach": c.get("/api/graph/reach/4?from_region=330100&k=3").json(),
                      "page_en": c.get("/relations/1?lang=en").text}  # last: it sets the client's language
    ana, vera = seen["ana"], seen["vera"]
    assert ana["profile"]["周杰"]["percent"] == 80 and ana["profile"]["周杰"]["holder_person_id"] == 12
    assert vera["profile"]["周*"]["percent"] == 80 and "周杰" not in vera["profile"]
    # key persons: the director who holds the chain's top share is the holder
    zhou = ana["people"]["周杰"]
    assert zhou["ultimate_controller"] and zhou["records"] == ["p:14", "p:12"]
    assert zhou["grounds"][-1]["chains"][0]["path"][-1] == "周杰"
    # for a viewer the analyst's entry — office and holding, its power and place —, the person masked wholly, as on
    # the profile, where the officer is 周* too
    masked = vera["people"]["周*"]
    assert masked["key"] is None and masked["records"] == [] and masked["ultimate_controller"]
    assert [g["ground"] for g in masked["grounds"]] == [g["ground"] for g in zhou["grounds"]] == \
        ["director", "major_shareholder"]  # 48 % through the chain
    assert masked["power"] == zhou["power"] and "周杰" not in vera["people"]
    assert masked["grounds"][-1]["chains"][0]["path"] == ["目标科技有限公司", "控股丙有限公司", "周*"]
    assert [p["power"] for p in vera["people"].values()] == [p["power"] for p in ana["people"].values()]
    assert "周*" in vera["officers"] and "周杰" not in vera["officers"], vera["officers"]
    assert vera["people"]["张伟"]["records"] == ["p:1"]  # an officer holding no shares keeps name and link
    assert "周杰" in ana["page"] and "周杰" in ana["page4"]
    # a key person's grounds joined as the page's language joins them (the English page joined them with ；)
    for who, page, sep in (("周杰", ana["page"], "；"), ("周*", vera["page"], "；"), ("周杰", ana["page_en"], "; ")):
        row = next(r for r in re.findall(r"<tr.*?</tr>", page, re.S) if who in r)
        grounds = re.findall(r'<td class="small">([^<]*)</td>', row)
        assert len(grounds) == 1 and grounds[0].count(sep) == 1 and "；" not in grounds[0].replace(sep, ""), row
    assert "周*" in vera["page"] and "周杰" not in vera["page"] and "周杰" not in vera["page4"]
    rows = re.findall(r"<tr.*?</tr>", vera["page"], re.S)
    assert [r for r in rows if "周杰" in r and "股东" in r] == [] and any("周*" in r and "股东" in r for r in rows)
    # the graph's tie of a shareholding and the holder's own record
    assert ana["ties"]["周杰"]["percent"] == 80 and vera["ties"]["周*"]["percent"] == 80 and "周杰" not in vera["ties"]
    # paths to 控股丙's key persons: its holder 周杰 (p:12) named for the analyst, 周* for the viewer
    kp = {p["key"]: p for p in ana["reach"]["key_persons"]}
    assert kp["p:12"]["name"] == "周杰" and kp["p:12"]["grounds"] == ["controlling_shareholder"]
    assert [p["key"] for p in vera["reach"]["key_persons"] if p["name"] == "周*"] == [None]
    assert "p:12" not in json.dumps(vera["reach"])  # no key nor record of the holder
    assert vera["reach"]["masked"] and not ana["reach"]["masked"]
    ana["p12"], vera["p12"] = ana["p12doc"]["person"], vera["p12doc"]["person"]
    assert ana["p12"]["name"] == "周杰" and vera["p12"]["name"] == "周*" and vera["p12"]["source_key"] is None
    # the holder's identity pairs name the officer's record (p:14, 周杰 in the open, a namesake kept apart):
    # withheld from the viewer, and not counted
    named = {x[e] for x in ana["p12doc"]["links"] + ana["p12doc"]["apart"] for e in ("a", "b")}
    assert 14 in named, ana["p12doc"]
    assert vera["p12doc"]["links"] == [] and vera["p12doc"]["apart"] == [] and "links_withheld" not in vera["p12doc"]
    # every route that handed the analyst the holder by name wrote it to the audit log, as the profile does; the
    # viewer's masked answers write nothing but the reads of persons — the person panel's and the key persons' —
    # which are written masked or not
    from zhaoshang.services.team import audit

    reads = [(r["actor"], r["target"], (r["detail"] if isinstance(r["detail"], dict) else json.loads(r["detail"]))["path"])
             for r in audit.search(team, action="person.read", limit=1000)["rows"]]
    paths = {path for actor, _, path in reads if actor == "ana"}
    assert {"/api/enterprises/4", "/api/graph/people/1", "/api/graph/neighbours", "/relations/1", "/relations/4",
            "/api/graph/person/p:12", "/api/graph/reach/4"} <= paths, reads
    assert ("ana", "enterprise:4", "/api/graph/neighbours") in reads and ("ana", "enterprise:1", "/api/graph/people/1") in reads
    # one page request's reads of one enterprise (the key persons' and the graph's): one entry, under the target and
    # detail key every read of it has, so the admin's target filter finds it, naming the records the graph named
    # (the page wrote two in one second, the first without its records)
    page4 = [r for r in audit.search(team, action="person.read", limit=1000)["rows"]
             if r["actor"] == "ana" and json.loads(r["detail"])["path"] == "/relations/4"]
    assert len(page4) == 1 and {r["target"] for r in page4} == {"enterprise:4"}, page4
    assert json.loads(page4[0]["detail"])["records"] and json.loads(page4[0]["detail"])["person_shareholders"], page4
    assert all("enterprise" in json.loads(r["detail"]) and "name" not in json.loads(r["detail"]) for r in page4), page4
    found = run_json("--team-db", str(tmp_path / "team.sqlite"), "team", "audit", "--q", "enterprise:4", "--limit", "1000")
    assert {r["id"] for r in page4} <= {r["id"] for r in found["rows"]}, found
    assert {path for actor, _, path in reads if actor == "vera"} == {"/api/graph/person/p:12", "/api/graph/people/1",
                                                                     "/relations/1", "/relations/4"}, reads
    assert all(json.loads(r["detail"])["masked"] for r in audit.search(team, actor="vera", action="person.read", limit=1000)["rows"])


def test_a_holder_linked_to_a_named_officer_is_one_masked_person_for_a_viewer(tmp_path):
    """李磊 is the founder and legal representative of 本地甲 (p:21) and, under an unkeyed holder record linked to it
    as the same person (p:20, 李磊@2), its 70 % shareholder; the bureau's contact 李磊 at 本地甲 (c:2) is linked to
    him too. A viewer gets the analyst's answers — one person, one row of the key persons with offices and holding,
    one graph node, the same ties and paths — with the person masked in every one of them (李*, no key, no record):
    no answer names 李磊, so none can be set beside another that masks him. An analyst sees all of it, and each
    read that serves the holding is audited."""
    import re

    from fastapi.testclient import TestClient

    from graph_fixture import build_with_linked_holder
    from zhaoshang.core.teamstate import open_team_db
    from zhaoshang.interfaces.web.app import create_app
    from zhaoshang.services.team import audit

    db = build_with_linked_holder(tmp_path / "g.duckdb")
    team = open_team_db(str(tmp_path / "team.sqlite"))
    tokens = team_tokens(team)
    c = TestClient(create_app(str(db), team=team, local_only=False))
    urls = ["/api/graph/person/21", "/api/graph/person/20", "/api/graph/neighbours?node=p:20",
            "/api/graph/neighbours?node=p:21", "/api/graph/neighbours?node=e:2", "/api/graph/neighbours?node=c:2",
            "/api/graph/reach/2?from_region=330100", "/api/graph/reach/1?from_region=330100&max_hops=5&k=10",
            "/api/graph/people/2", "/api/enterprises/2", "/relations/2", "/enterprises/2"]
    seen = {role: {u: c.get(u, headers=tokens[role]) for u in urls} for role in ("analyst", "viewer")}
    vera = {u: r.json() for u, r in seen["viewer"].items() if u.startswith("/api/")}
    ana = {u: r.json() for u, r in seen["analyst"].items() if u.startswith("/api/")}
    for u, r in seen["viewer"].items():  # (a person panel keeps the key it was asked by)
        assert r.status_code == 200 and "李磊" not in r.text, u
        assert "/person/" in u or not re.search(r'"(p:2[012]|c:2)"', r.text), u
    for u in ("/api/graph/neighbours?node=e:2", "/api/graph/people/2", "/relations/2", "/enterprises/2"):
        assert "李磊" in seen["analyst"][u].text, u
    # the person panel of the officer's record: masked as the holder's is, no identity pairs
    for pid in ("21", "20"):
        doc = vera[f"/api/graph/person/{pid}"]
        assert doc["person"]["name"] == "李*" and doc["links"] == [] and doc["apart"] == [] and doc["masked"], doc
    assert ana["/api/graph/person/21"]["person"]["name"] == "李磊" and ana["/api/graph/person/21"]["links"]
    officer = c.get("/api/graph/person/3", headers=tokens["viewer"]).json()  # 张伟 holds nothing: named, pairs shown
    assert officer["person"]["name"] == "张伟" and officer["apart"] and officer["masked"]
    # the graph: the same neighbours, in the same order, the person's node masked
    for u in ("/api/graph/neighbours?node=e:2", "/api/graph/neighbours?node=p:20", "/api/graph/neighbours?node=c:2"):
        rows = lambda doc: [(x["relation"], x["node"]["type"], x["ties"], x["strength"]) for x in doc["neighbours"]]  # noqa: E731
        assert rows(vera[u]) == rows(ana[u]), u
    assert vera["/api/graph/neighbours?node=p:20"]["node"]["name"] == "李*"
    assert vera["/api/graph/neighbours?node=p:20"]["node"]["key"] is None
    ties = {(x["relation"], x["node"]["key"], x["node"]["name"]) for x in vera["/api/graph/neighbours?node=e:2"]["neighbours"]}
    assert ("founder", None, "李*") in ties, ties
    # key persons: the analyst's one entry, offices and holding together, masked
    kp = {p["name"]: p for p in vera["/api/graph/people/2"]["persons"]}
    kp_ana = {p["name"]: p for p in ana["/api/graph/people/2"]["persons"]}
    assert [g["ground"] for g in kp["李*"]["grounds"]] == [g["ground"] for g in kp_ana["李磊"]["grounds"]]
    assert {g["ground"] for g in kp["李*"]["grounds"]} == {"founder", "legal_rep", "controlling_shareholder"}
    assert kp["李*"]["power"] == kp_ana["李磊"]["power"] and kp["李*"]["ultimate_controller"]
    assert kp["李*"]["key"] is None and kp["李*"]["records"] == [] and kp_ana["李磊"]["records"] == ["p:21", "p:20"]
    assert all("holder" not in g and "record" not in g for g in kp["李*"]["grounds"])
    # reach: the analyst's paths, masked
    for u in ("/api/graph/reach/2?from_region=330100", "/api/graph/reach/1?from_region=330100&max_hops=5&k=10"):
        strengths = lambda doc: [p["strength"] for p in doc["paths"]]  # noqa: E731
        assert strengths(vera[u]) == strengths(ana[u]) and vera[u]["paths_withheld"] == 0, u
    # the contact record c:2 is no hop but a note on 李磊's node (same_person), said in words for the relations page:
    # masked for the viewer as the rest of the person
    said = lambda doc: {n["text"] for p in doc["paths"] for node in [p["target"]] + [h["from"] for h in p["hops"]]  # noqa: E731
                        for n in node.get("same_person") or []}
    u = "/api/graph/reach/1?from_region=330100&max_hops=5&k=10"
    assert said(ana[u]) == {"同一人（另一条记录：联系人 李磊；联系人在其任职企业；强度 0.90）"}, said(ana[u])
    assert said(vera[u]) == {"同一人（另一条记录：联系人 李*；联系人在其任职企业；强度 0.90）"}, said(vera[u])
    # the profile: officer, 法定代表人, shareholder and the contact under his name, each 李*
    prof = vera["/api/enterprises/2"]
    assert {p["name"] for p in prof["people"] if p["role"] in ("legal_rep", "founder")} == {"李*"}
    assert prof["enterprise"]["legal_rep"] in (None, "李*") and [x["name"] for x in prof["contacts"]] == ["孙丽", "李*"]
    # the page: the same rows as the analyst's, 李* where the analyst reads 李磊
    tables = {role: re.findall(r"<tr.*?</tr>", re.search(r'<table class="grid kp-table".*?</table>',
                                                            seen[role]["/relations/2"].text, re.S).group(0), re.S)
              for role in ("analyst", "viewer")}
    assert len(tables["viewer"]) == len(tables["analyst"])
    assert any("李*" in r and "股东" in r and "法定代表人" in r for r in tables["viewer"]), tables["viewer"]
    # audit: the analyst's answers that served the holding name it; the viewer's masked answers write nothing but
    # the reads of persons (the person panel's, the key persons'), marked masked
    reads = {(r["actor"], json.loads(r["detail"])["path"] if isinstance(r["detail"], str) else r["detail"]["path"], r["target"])
             for r in audit.search(team, action="person.read", limit=1000)["rows"]}
    assert ("ana", "/api/graph/people/2", "enterprise:2") in reads and ("ana", "/relations/2", "enterprise:2") in reads
    assert ("ana", "/api/graph/reach/2", "enterprise:2") in reads, reads
    assert not [r for r in reads if r[0] == "vera" and not r[1].startswith("/api/graph/person/")
                and r[1] not in ("/api/graph/people/2", "/relations/2")]
    assert {(r[1], r[2]) for r in reads if r[0] == "vera"} >= {("/api/graph/people/2", "enterprise:2"), ("/relations/2", "enterprise:2")}


def test_a_page_audit_entry_names_the_holdings_it_served(tmp_path):
    """李磊's records p:20 (70 % of 本地甲) and p:21 (its founder, holding 5 % of 上海乙 as well) are one person. The
    analyst's /relations/2 serves one person's holding of 本地甲 — the key persons' row, the graph's node —, and its
    audit entry said two person shareholders, naming every record of the node that holds shares anywhere: it names
    the one person and the record whose holding the page shows, as the profile's entry counts them."""
    from fastapi.testclient import TestClient

    from graph_fixture import build_with_linked_holder
    from zhaoshang.interfaces.web.app import create_app
    from zhaoshang.services.team import audit

    db, team = _amended_store(tmp_path, build_with_linked_holder,
                              "INSERT INTO shareholdings (id, enterprise_id, enterprise_name, holder_name, holder_type, "
                              "holder_person_id, percent, start_date, source, source_key, import_id) VALUES "
                              "(23, 3, '上海乙科技有限公司', '李磊', 'person', 21, 5, DATE '2019-01-01', 's1', 'h23', 1)")
    tokens = team_tokens(team)
    c = TestClient(create_app(str(db), team=team, local_only=False))
    assert c.get("/relations/2", headers=tokens["analyst"]).status_code == 200
    assert c.get("/api/enterprises/2", headers=tokens["analyst"]).status_code == 200
    rows = {json.loads(r["detail"])["path"]: json.loads(r["detail"])
            for r in audit.search(team, actor="ana", action="person.read", limit=100)["rows"]}
    page, profile = rows["/relations/2"], rows["/api/enterprises/2"]
    assert page["person_shareholders"] == profile["person_shareholders"] == 1, rows
    assert page["records"] == ["p:20"], page


@pytest.mark.browser
def test_the_key_persons_table_shows_a_viewer_the_analysts_rows_masked(tmp_path, chromium):
    """In the browser, signed in: the 关键人 table of 本地甲 gave a viewer 李磊 as founder and legal representative
    in one row and, in another further down, 李* as its controlling shareholder with a power of its own — a split the
    analyst's table does not make. The viewer's table now has the analyst's rows, order and figures, the one person
    masked (李*) in the row that holds his offices and his holding."""
    from cli_util import run
    from graph_fixture import build_with_linked_holder

    require_browser()
    db = build_with_linked_holder(tmp_path / "g.duckdb")
    pw = "a-long-enough-password-1"
    for name, role in (("boss", "admin"), ("vera", "viewer"), ("ana", "analyst")):
        run("users", "add", name, "--role", role, "--password-stdin", db=db, input=pw + "\n")
    tables = {}
    with serving(db, args=("--require-login",)) as base:
        for name in ("vera", "ana"):
            pg = chromium.new_page()
            sign_in(pg, base, name, pw)
            pg.goto(base + "/relations/2?lang=zh")
            pg.wait_for_selector("#kp-table tbody tr")
            tables[name] = [[td.strip() for td in row] for row in pg.eval_on_selector_all(
                "#kp-table tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.innerText))")]
            if SHOTS:
                pg.screenshot(path=str(Path(SHOTS) / f"relations-kp-{name}.png"), full_page=True)
    vera, ana = tables["vera"], tables["ana"]
    assert len(vera) == len(ana) and len(ana) > 1, (vera, ana)
    named = lambda rows: [" ".join(r).replace("李磊", "李*") for r in rows]  # noqa: E731
    assert named(vera) == named(ana), (vera, ana)
    row = next(r for r in vera if "李*" in " ".join(r))
    assert "法定代表人" in " ".join(row) and "股东" in " ".join(row) and "70" in " ".join(row), row
    assert "李磊" not in json.dumps(vera, ensure_ascii=False) and "李磊" in json.dumps(ana, ensure_ascii=False)


def _rep_change_store(tmp_path):
    """The store of a record in office and holding shares (钱进, 本地甲's 法定代表人 holding 65 % of it) with the change
    that made him the legal representative (法定代表人: 王五 → 钱进), and a team state with a viewer and an analyst."""
    from graph_fixture import build_with_one_record_officer_holder

    return _amended_store(tmp_path, build_with_one_record_officer_holder,
                          "INSERT INTO events (id, enterprise_id, date, type, title, ref_table, ref_id, source, import_id) "
                          "VALUES (9901, 2, DATE '2016-01-01', 'change_legal_rep', '法定代表人: 王五 → 钱进', "
                          "'enterprise_history', 1, 's1', 1)")


def _amended_store(tmp_path, build, sql: str):
    """A store of ``build`` (tests/graph_fixture.py) with ``sql`` run on it, and a team state beside it."""
    from zhaoshang.core.store import Store
    from zhaoshang.core.teamstate import open_team_db

    db = build(tmp_path / "g.duckdb")
    s = Store(str(db))
    s.con.execute(sql)
    s.close()
    return db, open_team_db(str(tmp_path / "team.sqlite"))


def test_a_legal_representative_change_does_not_name_a_masked_record_on_the_profile(tmp_path):
    """钱进 (one record for the office of 法定代表人 of 本地甲 and 65 % of it) was masked as 法定代表人 on a viewer's
    profile while its timeline's change of legal representative (法定代表人: 王五 → 钱进) named him: the change shows
    钱* too, in Chinese and English; the predecessor, who holds nothing, stays named. An analyst sees 钱进."""
    from web_util import local_client

    from zhaoshang.interfaces.web.app import create_app

    db, team = _rep_change_store(tmp_path)
    tokens = team_tokens(team)
    c = local_client(create_app(str(db), team=team, local_only=False))
    change = lambda doc: next(e for e in doc["timeline"] if e["type"] == "change_legal_rep")  # noqa: E731
    vera = c.get("/api/enterprises/2", headers=tokens["viewer"]).json()
    assert (change(vera)["title"], change(vera)["title_en"]) == ("法定代表人: 王五 → 钱*",
                                                                 "legal representative: 王五 → 钱*"), change(vera)
    assert "钱进" not in json.dumps(vera, ensure_ascii=False)
    for lang in ("zh", "en"):
        page = c.get(f"/enterprises/2?lang={lang}", headers=tokens["viewer"]).text
        assert "王五 → 钱*" in page and "钱进" not in page
    ana = c.get("/api/enterprises/2", headers=tokens["analyst"]).json()
    assert change(ana)["title"] == "法定代表人: 王五 → 钱进"

def test_a_legal_representative_change_does_not_name_a_masked_record_on_the_timeline_and_alerts(tmp_path):
    """The change that names 钱进 (masked as 法定代表人 on a viewer's profile) named him on /api/events, the 动态监测
    page and the viewer's alerts: each shows 钱* there, in Chinese and English, as the profile does. An analyst
    sees 钱进, and the read is written to the audit log as the profile's is (``officers_holding``)."""
    from web_util import local_client

    from zhaoshang.core.store import Store
    from zhaoshang.interfaces.web.app import create_app
    from zhaoshang.services.alerts import feed
    from alerts_fixture import rule_kept_by
    from zhaoshang.services.monitoring import events as E
    from zhaoshang.services.team import audit

    db, team = _rep_change_store(tmp_path)
    tokens = team_tokens(team)
    store = Store(str(db), read_only=True)
    change = E.timeline(store, enterprise="2", types="change_legal_rep")["items"]
    for who in ("vera", "ana"):  # vera's made while an analyst, kept as a viewer (a viewer is given none)
        rule_kept_by(store, team, {"name": "法人变更", "types": ["change_legal_rep"]}, who)
    assert feed.record(store, team, change)
    store.close()
    c = local_client(create_app(str(db), team=team, local_only=False))
    one = lambda items: next(e for e in items if "change_legal_rep" in (e.get("type"), e.get("event_type")))  # noqa: E731

    vera = c.get("/api/events?enterprise=2", headers=tokens["viewer"])
    assert vera.status_code == 200, vera.text
    ev = one(vera.json()["items"])
    assert (ev["title"], ev["title_en"]) == ("法定代表人: 王五 → 钱*", "legal representative: 王五 → 钱*"), ev
    assert "钱进" not in vera.text
    for lang in ("zh", "en"):
        page = c.get(f"/monitor?enterprise=2&lang={lang}", headers=tokens["viewer"]).text
        assert "王五 → 钱*" in page and "钱进" not in page
        page = c.get(f"/alerts?lang={lang}", headers=tokens["viewer"]).text
        assert "王五 → 钱*" in page and "钱进" not in page
    items = c.get("/api/alerts/items", headers=tokens["viewer"]).json()["items"]
    assert (one(items)["title"], one(items)["title_en"]) == ("法定代表人: 王五 → 钱*", "legal representative: 王五 → 钱*")
    item = c.get(f"/api/alerts/items/{one(items)['id']}", headers=tokens["viewer"])
    assert "钱*" in item.text and "钱进" not in item.text
    assert "钱进" not in c.get("/api/alerts", headers=tokens["viewer"]).text
    assert not audit.search(team, actor="vera", action="person.read")["rows"]

    ana = c.get("/api/events?enterprise=2", headers=tokens["analyst"]).json()
    assert one(ana["items"])["title"] == "法定代表人: 王五 → 钱进"
    entry = audit.search(team, actor="ana", action="person.read")["rows"][0]
    assert entry["target"] == "events" and json.loads(entry["detail"])["officers_holding"] == 1, entry
    assert one(c.get("/api/alerts/items", headers=tokens["analyst"]).json()["items"])["title"] == "法定代表人: 王五 → 钱进"
    assert audit.search(team, actor="ana", action="person.read")["rows"][0]["target"] == "alerts"


@pytest.fixture(scope="module")
def signed_in(tmp_path_factory, _module_chromium):
    """One server, for the module's signed-in page checks, on the store of a record in office and holding shares
    with the change that made him legal representative (``_rep_change_store``); it requires a login (users boss,
    admin; vera, viewer; ana, analyst). Yields its address and a page signed in as vera and one as ana,
    ``[(name, page)]``: the tests only read, so they share the server, the accounts and the sign-ins."""
    from cli_util import run
    from web_util import BrowserPages

    require_browser()
    db, _ = _rep_change_store(tmp_path_factory.mktemp("signed_in"))
    pw = "a-long-enough-password-1"
    for name, role in (("boss", "admin"), ("vera", "viewer"), ("ana", "analyst")):
        run("users", "add", name, "--role", role, "--password-stdin", db=db, input=pw + "\n")
    with serving(db, args=("--require-login",)) as base, BrowserPages(_module_chromium) as b:
        pages = []
        for name in ("vera", "ana"):
            pages.append((name, b.new_page()))
            sign_in(pages[-1][1], base, name, pw)
        yield base, pages


@pytest.mark.browser
def test_the_monitor_page_does_not_name_a_masked_record_in_a_legal_representative_change(signed_in):
    """Signed in as a viewer, the 动态监测 page lists the change that made 钱进 法定代表人 as 王五 → 钱*, in Chinese and
    English; signed in as an analyst it names 钱进."""
    base, pages = signed_in
    rows = {}
    for name, pg in pages:
        for lang in ("zh", "en"):
            pg.goto(base + f"/monitor?enterprise=2&type=change_legal_rep&lang={lang}")
            rows[name, lang] = pg.inner_text("#ev-list")
    assert "王五 → 钱*" in rows["vera", "zh"] and "王五 → 钱*" in rows["vera", "en"], rows
    assert "钱进" not in rows["vera", "zh"] + rows["vera", "en"]
    assert "王五 → 钱进" in rows["ana", "zh"] and "王五 → 钱进" in rows["ana", "en"], rows


def test_a_person_of_two_records_one_holding_shares_is_one_masked_entry_for_a_viewer(tmp_path):
    """钱进 holds the legal representative's office and 65 % of 本地甲 under one record (p:40, source s1); another
    record of the name (p:41, source s2) is its founder, and the key persons pool the two. A viewer was shown two
    entries — 钱进 创始人 and 钱* with the holding —, an analyst one: the viewer now gets the analyst's one entry, its
    grounds and power, masked wholly (钱*, no key, no records), and the founder's office is not named anywhere."""
    from fastapi.testclient import TestClient

    from graph_fixture import build_with_one_record_officer_holder
    from zhaoshang.core.store import Store
    from zhaoshang.core.teamstate import open_team_db
    from zhaoshang.interfaces.web.app import create_app

    db = build_with_one_record_officer_holder(tmp_path / "g.duckdb")
    s = Store(str(db))
    s.con.execute("INSERT INTO persons (id, name, name_norm, source, source_key, import_id) "
                  "VALUES (41, '钱进', '钱进', 's2', 'k41', 1)")
    s.con.execute("INSERT INTO roles VALUES (41, 41, '钱进', 2, '本地甲科技有限公司', 'founder', '创始人', "
                  "DATE '2015-01-01', NULL, 's2', 'r41', 1)")
    s.close()
    team = open_team_db(str(tmp_path / "team.sqlite"))
    tokens = team_tokens(team)
    c = TestClient(create_app(str(db), team=team, local_only=False))
    ana = {p["name"]: p for p in c.get("/api/graph/people/2", headers=tokens["analyst"]).json()["persons"]}
    assert sorted(ana["钱进"]["records"]) == ["p:40", "p:41"]  # one person for the analyst
    vera = c.get("/api/graph/people/2", headers=tokens["viewer"]).json()
    kp = {p["name"]: p for p in vera["persons"]}
    assert [p["power"] for p in vera["persons"]] == [p["power"] for p in ana.values()]
    assert sorted(g["ground"] for g in kp["钱*"]["grounds"]) == ["controlling_shareholder", "founder", "legal_rep"]
    assert kp["钱*"]["key"] is None and kp["钱*"]["records"] == [] and kp["钱*"]["power"] == ana["钱进"]["power"]
    text = json.dumps(vera, ensure_ascii=False)
    assert "p:40" not in text and "p:41" not in text and "钱进" not in text
    for u in ("/relations/2", "/enterprises/2", "/api/enterprises/2", "/api/graph/neighbours?node=e:2"):
        page = c.get(u, headers=tokens["viewer"]).text
        assert "p:40" not in page and "钱进" not in page and "钱*" in page, u


@pytest.mark.browser
def test_one_record_in_office_and_holding_shares_is_masked_alike_on_the_profile_and_the_graph(signed_in):
    """钱进 is the legal representative of 本地甲 and holds 65 % of it under one person record (p:40). For a viewer
    the graph masked that record wholly (钱*, no key) while the profile named him among the officers, with the
    record's id, and as 法定代表人 — side by side the answers said that 钱进 holds the shares. Signed in as a viewer,
    the profile and the relations page now both show 钱*; as an analyst both name 钱进. (The store also holds the
    change that made him legal representative: masked on the profile's timeline too.)"""
    base, pages = signed_in
    seen = {}
    for name, pg in pages:
        pg.goto(base + "/enterprises/2")
        officers = pg.inner_text("#people")
        basics = pg.inner_text(".profile-grid section.card >> nth=0")
        profile = pg.request.get(base + "/api/enterprises/2").json()
        pg.goto(base + "/relations/2?lang=zh")
        pg.wait_for_selector("#kp-table tbody tr")
        table = pg.inner_text("#kp-table")
        pg.wait_for_function("() => { const c = echarts.getInstanceByDom(document.getElementById('rel-graph'));"
                             " return c && c.getOption().series[0].data.length > 1; }")
        nodes = pg.evaluate("echarts.getInstanceByDom(document.getElementById('rel-graph')).getOption()"
                            ".series[0].data.map(n => n.name)")
        ties = pg.request.get(base + "/api/graph/neighbours?node=e:2").json()
        seen[name] = {"officers": officers, "basics": basics, "profile": profile, "table": table, "nodes": nodes,
                      "ties": {x["relation"]: x["node"] for x in ties["neighbours"]}}
    vera, ana = seen["vera"], seen["ana"]
    # the viewer: the same record masked in every view, its id nowhere
    assert vera["ties"]["legal_rep"] == {"key": None, "type": "person", "name": "钱*"}, vera["ties"]
    assert "钱*" in vera["nodes"] and "钱进" not in vera["nodes"], vera["nodes"]
    assert "钱*" in vera["table"] and "钱进" not in vera["table"], vera["table"]
    assert "钱*" in vera["officers"] and "钱进" not in vera["officers"], vera["officers"]
    assert "钱进" not in vera["basics"], vera["basics"]
    legal = [p for p in vera["profile"]["people"] if p["role"] == "legal_rep"]
    assert [(p["name"], p["person_id"]) for p in legal] == [("钱*", None)], legal
    assert vera["profile"]["enterprise"]["legal_rep"] == "钱*" and "private_holders" not in vera["profile"]
    assert "钱进" not in json.dumps(vera["profile"], ensure_ascii=False)
    # an officer under a record that holds nothing stays named on both
    assert "张伟" in vera["officers"] and "张伟" in vera["table"]
    # the analyst: named on both, with the record
    assert ana["ties"]["legal_rep"]["key"] == "p:40" and "钱进" in ana["nodes"] and "钱进" in ana["table"]
    assert "钱进" in ana["officers"] and "钱进" in ana["basics"]
    assert [p["person_id"] for p in ana["profile"]["people"] if p["role"] == "legal_rep"] == [40]


@pytest.mark.browser
def test_relations_page_in_the_browser(base, chromium):
    with chromium as b:
        pg = b.new_page(viewport={"width": 1400, "height": 1000})
        errors, dialogs = [], []
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        pg.goto(base + "/enterprises/1")
        pg.click("#ent-relations")
        pg.wait_for_selector("#kp-table tbody tr")
        table = pg.inner_text("#kp-table")
        assert "张伟" in table and HOSTILE in table  # the hostile name is text, not markup
        assert pg.locator("#rel-graph canvas").count() == 1
        nodes = pg.evaluate("echarts.getInstanceByDom(document.getElementById('rel-graph')).getOption().series[0].data"
                            ".map(n => [n.name, n.records])")
        assert [r for n, r in nodes if n == "赵强"] == [["p:6", "p:7"]]  # two records linked as one person: one node
        pg.click("#kp-table a.kp-person >> nth=0")
        pg.wait_for_selector("#person-name")
        assert pg.inner_text("#person-name") == "张伟"
        # its own record's number beside its name, as the other records' (it showed theirs alone)
        assert pg.inner_text("#person-key") == pg.get_attribute("#kp-table a.kp-person >> nth=0", "data-pid") != "p:3"
        # words, not the code; the other record by its name (it was its key alone), a click shows it
        assert pg.inner_text("#person-apart") == "同名而分开的记录：张伟 p:3（性别或出生年份不同）"
        assert pg.locator("#person-roles a").first.get_attribute("href") == "/enterprises/1"
        pg.click("#person-apart a.person-record")
        pg.wait_for_selector("#person-roles a[href='/enterprises/2']")
        assert pg.inner_text("#person-key") == "p:3"
        pg.fill("#reach-region", "330100")
        pg.click("#reach-go")
        pg.wait_for_selector("#paths[data-source=region] .path")
        paths = pg.inner_text("#paths")
        # names as text; every hop shows its records in words (source, kind, date), the table, id and source record
        # key only on hover
        assert HOSTILE in paths and "任职记录" in paths and "roles #" not in paths
        ev = pg.locator("#paths .hop .ev").first
        assert ev.get_attribute("title").startswith(("roles #", "shareholdings #", "fundings #", "patents #", "branches #"))
        keys = pg.evaluate("[...document.querySelectorAll('#paths .ev')].map(e => e.title.split(' · ')[1]).filter(Boolean)")
        assert keys and not any(k in paths for k in keys), keys  # no source record key on the line
        # the first path has no hop (the key person is at a local enterprise): it says so, not an empty path
        first = pg.locator("#paths .path").first
        assert "关键人本人即起点（本地企业人员），无需中间人" in first.inner_text() and first.locator(".hop").count() == 1
        assert " # " not in paths and "# ·" not in paths  # a record without an id shows no empty '#'
        pg.click("#intro-box summary")
        # no line at all: the page says what to write
        pg.fill("#intro-contacts", "")
        pg.click("#intro-go")
        pg.wait_for_selector("#paths[data-source=contacts] #intro-error")
        assert "请先填写联系人" in pg.inner_text("#intro-error")
        # the name and the enterprise with a space between, as people type them, read as with a comma
        pg.fill("#intro-contacts", "孙丽 本地甲科技有限公司")
        pg.click("#intro-go")
        pg.wait_for_selector("#paths[data-source=contacts] .path")
        assert "本地甲科技有限公司" in pg.inner_text("#paths")  # 孙丽 holds no role there: the enterprise is the start
        # each arrow points the relation's way, whichever way the path walks the tie: from the enterprise to its
        # executive the arrow points back (the executive is in office there); colleagues have no direction
        # the hop as the server words it (``relation_arrow``, as ``zhaoshang reach`` prints it): an office by the title
        # its record gives (总监, not its role 高管)
        rels = pg.evaluate("[...document.querySelectorAll('#paths .path')].map(p => [...p.querySelectorAll('.hop')]"
                           ".map(h => [h.firstChild.textContent.trim(), h.querySelector('.rel').textContent,"
                           " h.querySelector('.rel-strength').textContent]))")
        assert rels[0] == [["本地甲科技有限公司", "←总监—", "(0.60)"]], rels  # a strength with two decimals, as everywhere
        assert [h[1][0] + h[1][-1] for h in rels[1]] == ["←—", "—→"] and rels[1][1][1].startswith("—同任职"), rels
        assert pg.locator("#unmatched").count() == 0  # every contact matched: nothing said of unmatched ones
        # a contact whose company is not in the database, or who has none (a name alone), is said, with its line in
        # the box (the blank one counted) and the company as typed, above the paths the others found; the same words
        # as `reach --contacts`
        for lang, words in (("zh", ["未能匹配的联系人 2 个，未作为起点", "第 2 行 王五（—）：没有所在企业",
                                    "第 4 行 李四（不存在的公司）：库中没有这家企业"]),
                            ("en", ["2 contacts not matched, not used as a start", "row 2 王五 (-): no enterprise given",
                                    "row 4 李四 (不存在的公司): no such enterprise in the database"])):
            if lang == "en":
                pg.goto(base + "/relations/1?lang=en")
                pg.click("#intro-box summary")
            pg.fill("#intro-contacts", "孙丽 本地甲科技有限公司\n王五\n\n李四,不存在的公司")
            pg.click("#intro-go")
            pg.wait_for_selector("#paths[data-source=contacts] #unmatched")
            assert pg.get_attribute("#unmatched", "data-count") == "2"
            assert pg.locator("#unmatched li").all_inner_texts() == words[1:], pg.inner_text("#unmatched")
            assert words[0] in pg.inner_text("#unmatched") and pg.locator("#paths .path").count() >= 1
            assert "本地甲科技有限公司" in pg.inner_text("#paths .path")  # the others' paths, as with every line read
        # none matched: no path can start, and the refusal (HTTP 400, which the console logs) names them
        pg.fill("#intro-contacts", "李四,不存在的公司")
        pg.click("#intro-go")
        pg.wait_for_selector("#paths .warn")
        assert "row 1 李四 (不存在的公司): no such enterprise in the database" in pg.inner_text("#paths .warn")
        assert [e for e in errors if "400" in e] == [errors.pop()], errors
        # no path: the page says why, as the service gives it (控股丙's key persons lie 3 hops from 杭州市)
        for lang, words in (("zh", "从杭州市的 10 个起点到 2 位关键人，2 跳内没有路径；可增加最多跳数"),
                            ("en", "no path within 2 hops from the 10 starts of Hangzhou to the 2 key persons; try more hops")):
            pg.goto(base + f"/relations/4?lang={lang}")
            pg.fill("#reach-region", "330100")
            pg.fill("#reach-hops", "2")
            pg.click("#reach-go")
            pg.wait_for_selector("#paths[data-source=region] #no-path")
            assert words in pg.inner_text("#no-path"), pg.inner_text("#no-path")
        # an enterprise in the region it is reached from: said above its paths (its own people were paths of no hop)
        pg.goto(base + "/relations/2?lang=zh")
        pg.fill("#reach-region", "330100")
        pg.click("#reach-go")
        pg.wait_for_selector("#paths[data-source=region] #in-region")
        assert pg.inner_text("#in-region") == "本地甲科技有限公司 本身就在杭州市：其自身的人员不作为起点"
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            pg.screenshot(path=str(Path(SHOTS) / "relations.png"), full_page=True)
        # the hostile person's own page of ties and details: still text
        # the records in English words; the start region as a user types it in the address (from=, region=)
        for param in ("from", "region", "from_region"):
            pg.goto(base + f"/relations/1?lang=en&{param}=330100")
            pg.wait_for_selector("#paths[data-source=region] .path")
            assert pg.input_value("#reach-region") == "Hangzhou"  # named as every region field names it
        assert "role record" in pg.inner_text("#paths") and "任职记录" not in pg.inner_text("#paths")
        # every strength with two decimals, the path's (0.378, not 0.378000) as its hops' (0.6 is 0.60)
        shown = pg.evaluate("[...document.querySelectorAll('#paths .path h3')].map(h => h.innerText)"
                            ".concat([...document.querySelectorAll('#paths .rel-strength')].map(r => r.innerText))")
        assert shown and all(re.search(r"(strength |\()\d\.\d\d( |\)|$)", x) for x in shown), shown
        # a person's offices in the panel as the people card says them (the title was shown as written, the role
        # code when none): chairman
        pg.click("#kp-table a.kp-person >> nth=0")
        pg.wait_for_selector("#person-name")
        assert pg.locator("#person-panel li").all_inner_texts()[0].split(" · ")[1] == "chairman"
        assert pg.inner_text("#person-gender") == "male"  # in words of the page (it printed 男)
        # a holder's shares in the panel (it listed offices only): the enterprise linked, the share as the table says it
        pg.click('#kp-table a.kp-person[data-pid="p:12"]')
        pg.wait_for_selector("#person-shares li")
        assert pg.inner_text("#person-shares") == "控股丙有限公司 · shareholding 80.00% · 2018-01-01 – now"
        assert pg.get_attribute("#person-shares a", "href") == "/enterprises/4"
        # the panel as of the page's date: the hostile name's directorship of the target began in 2020, after it;
        # each enterprise links to its profile as of that date
        pg.goto(base + "/relations/2?as_of=2019-06-30")
        pg.click('#kp-table a.kp-person[data-pid="p:13"]')
        pg.wait_for_selector("#person-roles li")
        assert [a.get_attribute("href") for a in pg.locator("#person-roles a").all()] == ["/enterprises/2?as_of=2019-06-30"]
        # two records of one person under one name (刘洋 p:11 and p:10) are no hop: the other record is said under
        # the person, in words (it was in the JSON only)
        pg.goto(base + "/relations/3?lang=en&from=330100")
        pg.wait_for_selector("#paths[data-source=region] .path")
        notes = set(pg.locator("#paths .hop.same-person").all_inner_texts())
        assert "same person (another record: person 刘洋; a shared co-director; strength 0.80)" in notes, notes
        pg.goto(base + "/relations/2?lang=en")
        pg.wait_for_selector("#kp-table tbody tr")
        assert HOSTILE in pg.inner_text("#kp-table") and "Key persons" in pg.inner_text("body")
        assert dialogs == [] and errors == []
        b.close()


def test_an_investment_hop_says_its_round_and_lead_in_the_page_language(base, chromium):
    """A path through a local fund that led the target's round said ``A轮 领投`` on its record in English too: the round
    is now said by its English label and the lead in words (``Series A, lead``); in Chinese as the source wrote it.
    A role record's title (董事长) stayed Chinese in English too: it reads as the profile's people card says it."""
    with chromium as b:
        pg = b.new_page(viewport={"width": 1400, "height": 1000})
        for lang, said in (("zh", "A轮 领投"), ("en", "Series A, lead")):
            pg.goto(base + f"/relations/1?lang={lang}")
            pg.fill("#reach-region", "330100")
            pg.fill("#reach-k", "10")
            pg.click("#reach-go")
            pg.wait_for_selector("#paths[data-source=region] .path")
            funded = pg.evaluate("[...document.querySelectorAll('#paths .ev')].filter(e => e.title.startsWith('fundings #'))"
                                 ".map(e => e.innerText)")
            assert funded and all(said in t for t in funded), funded
            if lang == "en":
                assert not [t for t in funded if "轮" in t or "领投" in t], funded
            # an office a hop rests on as the profile's people card says it: in English its words (chairman), else
            # the role with the title as written beside it (executive (总监)), in Chinese the title alone; a
            # colleagues' record names their firm
            offices = pg.evaluate("[...document.querySelectorAll('#paths .ev')].filter(e => e.title.startsWith('roles #'))"
                                  ".map(e => e.innerText.split(' · ')[1])")
            said = {"zh": {"董事长", "总监"}, "en": {"chairman", "executive (总监)"}}[lang]
            assert said <= set(offices) and set(offices) <= said | {"本地甲科技有限公司"}, offices
        b.close()


GRAPH_LABELS_JS = """() => { const zr = echarts.getInstanceByDom(document.getElementById('rel-graph')).getZr(), out = [];
  zr.storage.getDisplayList(true).forEach(el => { const tc = el.getTextContent ? el.getTextContent() : null;
    if (!tc || tc.ignore || tc.invisible || !tc.style || !tc.style.text) return;
    const r = tc.getBoundingRect().clone(); r.applyTransform(tc.getComputedTransform());
    out.push({t: tc.style.text, x: r.x, y: r.y, w: r.width, h: r.height}); }); return out; }"""


def settled_labels(pg, tries: int = 40) -> list:
    """The drawn labels once two reads 300 ms apart agree: a busy machine may still be drawing the graph (or
    hiding covered labels, which ECharts does on the frame after a layout) at any fixed moment."""
    before = pg.evaluate(GRAPH_LABELS_JS)
    for _ in range(tries):
        pg.wait_for_timeout(300)
        now = pg.evaluate(GRAPH_LABELS_JS)
        if now == before:
            return now
        before = now
    return before


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    """One server for the module's checks of how the graph is drawn, on the graph fixture with: a busy enterprise
    (上海乙, 30 people in office), the target renamed to a long name with 16 directors around it and a tie of it
    with 30 people in office of its own (控股丙), and an enterprise
    imported by the real command from a file of its own, with no ties (孤立测试科技有限公司, 合肥). Yields the server's
    address and the lone enterprise's id."""
    require_browser()
    import httpx

    from cli_util import run
    from zhaoshang.core.store import Store

    folder = tmp_path_factory.mktemp("drawn")
    db = build(folder / "g.duckdb")
    s = Store(str(db))
    for i in range(30):  # a busy enterprise: 30 people in office at 上海乙
        s.con.execute("INSERT INTO persons (id, name, name_norm, source, source_key, import_id) VALUES (?, ?, ?, 's1', ?, 1)",
                      [100 + i, f"董事成员{i:02d}号", f"董事成员{i:02d}号", f"b{i}"])
        s.con.execute("INSERT INTO roles VALUES (?, ?, ?, 3, '上海乙科技有限公司', 'director', '董事', DATE '2019-01-01', NULL, 's1', ?, 1)",
                      [100 + i, 100 + i, f"董事成员{i:02d}号", f"rb{i}"])
    for i in range(30):  # a tie of the target with 30 people in office: opened, a column of 30 beyond it
        s.con.execute("INSERT INTO persons (id, name, name_norm, source, source_key, import_id) VALUES (?, ?, ?, 's1', ?, 1)",
                      [300 + i, f"监事成员{i:02d}号", f"监事成员{i:02d}号", f"d{i}"])
        s.con.execute("INSERT INTO roles VALUES (?, ?, ?, 4, '控股丙有限公司', 'supervisor', '监事', DATE '2019-01-01', NULL, 's1', ?, 1)",
                      [300 + i, 300 + i, f"监事成员{i:02d}号", f"rd{i}"])
    for i in range(16):  # directors all around the target (nine on the real page)
        s.con.execute("INSERT INTO persons (id, name, name_norm, source, source_key, import_id) VALUES (?, ?, ?, 's1', ?, 1)",
                      [200 + i, f"董事{i}", f"董事{i}", f"c{i}"])
        s.con.execute("INSERT INTO roles VALUES (?, ?, ?, 1, '目标科技有限公司', 'director', '董事', DATE '2019-01-01', NULL, 's1', ?, 1)",
                      [200 + i, 200 + i, f"董事{i}", f"rc{i}"])
    s.con.execute("UPDATE enterprises SET name = '目标科技集团股份有限公司研究院分公司' WHERE id = 1")
    s.close()
    (folder / "lone.csv").write_text("企业名称,成立日期,所属省份,所属城市\n孤立测试科技有限公司,2015-03-01,安徽,合肥\n",
                                     encoding="utf-8")
    run("import", "enterprises", folder / "lone.csv", "--source", "单独来源", db=db)
    with serving(db) as base:
        lone = httpx.get(f"{base}/api/search", params={"q": "孤立测试科技有限公司"}, timeout=30).json()["items"][0]["id"]
        yield base, lone


def test_graph_labels_do_not_cover_one_another(drawn, chromium):
    """A busy enterprise (30 people in office): the names drawn on the graph never overlap, and every dot keeps its
    name (hidden when it would cover another, a dot was left without one)."""
    base, _ = drawn
    with chromium as b:
        pg = b.new_page(viewport={"width": 1400, "height": 1000})
        pg.goto(base + "/relations/3")
        pg.wait_for_selector("#rel-graph canvas")
        labels = settled_labels(pg)
        assert len(labels) >= 10 and sum(t["t"].startswith("董事成员") for t in labels) >= 25, labels
        assert sorted(a["t"] for a in labels) == sorted(d["name"] for d in pg.evaluate(DOTS_JS))
        overlaps = [(a["t"], c["t"]) for i, a in enumerate(labels) for c in labels[i + 1:]
                    if a["x"] < c["x"] + c["w"] and c["x"] < a["x"] + a["w"] and a["y"] < c["y"] + c["h"] and c["y"] < a["y"] + a["h"]]
        assert overlaps == []
        b.close()


NODES_AND_LABELS_JS = """() => { const ch = echarts.getInstanceByDom(document.getElementById('rel-graph'));
  const data = ch.getModel().getSeriesByIndex(0).getData(), out = [];
  for (let i = 0; i < data.count(); i++) {
    const g = data.getItemGraphicEl(i), el = g && g.getSymbolPath ? g.getSymbolPath() : g;
    const tc = el && el.getTextContent ? el.getTextContent() : null;
    if (!tc || tc.ignore || tc.invisible || !tc.style || !tc.style.text) continue;
    const r = tc.getBoundingRect().clone(); r.applyTransform(tc.getComputedTransform());
    const c = ch.convertToPixel({seriesIndex: 0}, data.getItemLayout(i));
    out.push({t: tc.style.text, fill: tc.style.fill, x: r.x, y: r.y, w: r.width, h: r.height, cx: c[0], cy: c[1]}); }
  return out; }"""

DOTS_JS = """() => { const ch = echarts.getInstanceByDom(document.getElementById('rel-graph'));
  const data = ch.getModel().getSeriesByIndex(0).getData(), out = [];
  for (let i = 0; i < data.count(); i++) {
    const c = ch.convertToPixel({seriesIndex: 0}, data.getItemLayout(i)), size = data.getItemVisual(i, 'symbolSize');
    out.push({id: data.getId(i), name: data.getName(i), cx: c[0], cy: c[1], r: (Array.isArray(size) ? size[0] : size) / 2}); }
  return out; }"""


# each dot as drawn on the screen: its symbol's box after every transform (the chart's view and the symbol's own)
DOT_BOXES_JS = """() => { const ch = echarts.getInstanceByDom(document.getElementById('rel-graph'));
  const data = ch.getModel().getSeriesByIndex(0).getData(), out = [];
  for (let i = 0; i < data.count(); i++) {
    const g = data.getItemGraphicEl(i), el = g && g.getSymbolPath ? g.getSymbolPath() : g;
    const r = el.getBoundingRect().clone(); r.applyTransform(el.getComputedTransform());
    out.push({name: data.getName(i), w: r.width, h: r.height}); }
  return out; }"""


# the drawn labels that stand out of the chart's box as the page lays it out (its element, not the canvas's own size)
LABELS_OUTSIDE_JS = """labels => { const el = document.getElementById('rel-graph'), W = el.clientWidth, H = el.clientHeight;
  return labels.filter(l => l.x < 0 || l.y < 0 || l.x + l.w > W || l.y + l.h > H).map(l => l.t); }"""


@pytest.mark.browser
def test_graph_names_stand_beside_their_dots(base, chromium):
    """Names drawn on the dots, in the dot's colour, sat on the edges meeting there and could not be read: each name
    stands beside its dot, outward — right of a dot right of the centre, left of one left of it —, in the text
    colour. Every dot is round: an enterprise of few ties (目标科技: 8, four on a side; 上海乙: 2, level with the
    centre) had its placed drawing stretched to the chart's height, the dots with it into tall ellipses. Every name
    stays inside the chart's box, in both languages, also once the box has narrowed without the window resizing (a
    scroll bar come as the page grew: the canvas kept its width and the box cut the names on the right off)."""
    with chromium as b:
        for width, lang in ((1366, "en"), (1000, "zh")):  # each width in one language: the names are the same in both
            pg = b.new_page(viewport={"width": width, "height": 1000})
            pg.goto(base + f"/relations/1?lang={lang}")
            pg.wait_for_selector("#rel-graph canvas")
            labels = settled_labels(pg)
            assert len(labels) >= 3 and pg.evaluate(LABELS_OUTSIDE_JS, labels) == [], (width, lang, labels)
            drawn = pg.evaluate(NODES_AND_LABELS_JS)
            assert len(drawn) >= 3
            centre = "目标科技有限公司"  # the enterprise of the page: its name under its dot (below)
            mid = next(d["cx"] for d in drawn if d["t"] == centre)
            assert [d["t"] for d in drawn if d["t"] != centre and not (
                d["x"] > d["cx"] if d["cx"] > mid else d["x"] + d["w"] < d["cx"])] == []
            assert {d["cx"] > mid for d in drawn if d["t"] != centre} == {True, False}  # both sides used
            assert [d["t"] for d in drawn if d["t"] == centre and d["y"] <= d["cy"]] == []
            assert {d["fill"] for d in drawn} == {"#333"}
            pg.evaluate("document.documentElement.style.paddingRight = '120px'")  # the box narrows, not the window
            labels = settled_labels(pg)
            assert len(labels) >= 3 and pg.evaluate(LABELS_OUTSIDE_JS, labels) == [], (width, lang, labels)
            for url in ("/relations/1", "/relations/3")[:1 if width > 1000 else 2]:  # 上海乙 once
                if url != "/relations/1":
                    pg.goto(base + url)
                    pg.wait_for_selector("#rel-graph canvas")
                    settled_labels(pg)
                dots = pg.evaluate(DOT_BOXES_JS)
                assert len(dots) >= 3 and [d for d in dots if abs(d["w"] - d["h"]) > 0.5 or d["w"] < 13] == [], (width, url, dots)
            pg.close()
        b.close()


def test_the_centre_name_covers_no_neighbour(drawn, chromium):
    """The centre enterprise's long name, drawn right of its dot, ran over the neighbours placed there (a director's
    dot and name under 中国长城科技集团股份有限公司 on the real imports): it covers no other node's dot. The target of
    the fixture is renamed 目标科技集团股份有限公司研究院分公司, with 16 directors all around it (``drawn``)."""
    base, _ = drawn
    with chromium as b:
        for width in (1400, 1200, 1000):  # the force layout starts from random places: three layouts
            pg = b.new_page(viewport={"width": width, "height": 900})
            pg.goto(base + "/relations/1")
            pg.wait_for_selector("#rel-graph canvas")
            settled_labels(pg)
            labels, dots = pg.evaluate(NODES_AND_LABELS_JS), pg.evaluate(DOTS_JS)
            assert len(dots) >= 10
            centre = [a for a in labels if a["t"].startswith("目标科技集团")]
            covered = [(a["t"], d["name"]) for a in centre for d in dots if d["name"] != a["t"]
                       and a["x"] - d["r"] < d["cx"] < a["x"] + a["w"] + d["r"]
                       and a["y"] - d["r"] < d["cy"] < a["y"] + a["h"] + d["r"]]
            assert len(centre) == 1 and covered == [], covered
            # every dot keeps its name: none hidden for covering another (an investor's dot was left without one)
            assert sorted(a["t"] for a in labels) == sorted(d["name"] for d in dots), (width, labels)
            if width == 1200:  # a tie opened (控股丙, 30 people in office: its first 30 ties): its column has room for every name
                opened = next(d for d in dots if d["name"] == "控股丙有限公司")
                box = pg.locator("#rel-graph").bounding_box()
                pg.mouse.click(box["x"] + opened["cx"], box["y"] + opened["cy"])
                pg.wait_for_function("() => { const ch = echarts.getInstanceByDom(document.getElementById('rel-graph'));"
                                     " return ch.getModel().getSeriesByIndex(0).getData().count() > 40"
                                     " && ch.getZr().animation.isFinished(); }")
                settled_labels(pg)
                labels, dots = pg.evaluate(NODES_AND_LABELS_JS), pg.evaluate(DOTS_JS)
                column = sorted((d for d in dots if d["name"].startswith("监事成员")), key=lambda d: d["cy"])
                assert len(column) >= 25 and sorted(a["t"] for a in labels) == sorted(d["name"] for d in dots), labels
                # the column's dots apart by more than their size (22 px dots nearly touched)
                assert min(b2["cy"] - a2["cy"] - a2["r"] - b2["r"] for a2, b2 in zip(column, column[1:])) >= 6, column
            pg.close()
        b.close()


def test_two_opened_columns_on_one_side_keep_apart(drawn, chromium):
    """Two ties opened on one side of the graph (控股丙: 30 people in office; 杭州引导基金: its other investee) stood
    their columns level with one another, a little apart: their names drew over each other, and the names covered
    were hidden. Each opened column stands in a band of its own: no two names drawn intersect and every dot keeps
    its name."""
    base, _ = drawn
    opened = ("控股丙有限公司", "杭州引导基金")
    with chromium as b:
        for width in (1366, 1000):
            pg = b.new_page(viewport={"width": width, "height": 900})
            pg.goto(base + "/relations/1")
            pg.wait_for_selector("#rel-graph canvas")
            settled_labels(pg)
            box = pg.locator("#rel-graph").bounding_box()
            centre = next(d for d in pg.evaluate(DOTS_JS) if d["id"] == "e:1")
            assert len({next(d for d in pg.evaluate(DOTS_JS) if d["name"] == n)["cx"] < centre["cx"] for n in opened}) == 1
            for name in opened:  # each clicked where the layout has put it by then
                dot = next(d for d in pg.evaluate(DOTS_JS) if d["name"] == name)
                count = len(pg.evaluate(DOTS_JS))
                pg.mouse.click(box["x"] + dot["cx"], box["y"] + dot["cy"])
                pg.wait_for_function("n => { const ch = echarts.getInstanceByDom(document.getElementById('rel-graph'));"
                                     " return ch.getModel().getSeriesByIndex(0).getData().count() > n"
                                     " && ch.getZr().animation.isFinished(); }", arg=count)
            settled_labels(pg)
            labels, dots = pg.evaluate(NODES_AND_LABELS_JS), pg.evaluate(DOTS_JS)
            assert "本地甲科技有限公司" in {d["name"] for d in dots} and sum(d["name"].startswith("监事成员") for d in dots) >= 25
            assert sorted(a["t"] for a in labels) == sorted(d["name"] for d in dots), (width, labels)
            overlaps = [(a["t"], c["t"]) for i, a in enumerate(labels) for c in labels[i + 1:]
                        if a["x"] < c["x"] + c["w"] and c["x"] < a["x"] + a["w"] and a["y"] < c["y"] + c["h"] and c["y"] < a["y"] + a["h"]]
            assert overlaps == [], (width, overlaps)
            if SHOTS:
                Path(SHOTS).mkdir(parents=True, exist_ok=True)
                pg.screenshot(path=str(Path(SHOTS) / f"relations-two-columns-{width}.png"), full_page=True)
            pg.close()
        b.close()


def test_an_enterprise_without_ties_says_so(drawn, chromium):
    """An enterprise outside the relationship graph on the date (no officers, holders, investments, branches or
    co-patents) gets a sentence under the graph, not a blank chart — as 合肥芯碁 on the real imports."""
    import httpx

    base, lone = drawn
    with chromium as b:
        assert httpx.get(f"{base}/api/graph/neighbours?node=e:{lone}", timeout=30).status_code == 404
        pg = b.new_page(viewport={"width": 1366, "height": 768})
        for lang, said in (("zh", "该企业在关系图中没有关系"), ("en", "this enterprise has no ties in the relationship graph")):
            pg.goto(f"{base}/relations/{lone}?lang={lang}")
            note = pg.locator('#rel-more[data-empty="1"]')
            note.wait_for()
            assert said in note.inner_text(), note.inner_text()
            assert cut_placeholders(pg, "#reach-region") == [], lang  # 'region code or name,' was cut at 1366
        pg.goto(f"{base}/relations/1")
        assert pg.locator('#rel-more[data-empty="1"]').count() == 0
        b.close()


def test_the_reach_form_names_the_region_the_address_gives_by_code(db, tmp_path):
    """/relations/1?region=330100 (or from=…) fills the reach form with the region's name, as every region field shows
    it (杭州市; Hangzhou in English), not the code; a text that names no region stays as typed."""
    from web_util import local_client

    from zhaoshang.core.teamstate import open_team_db
    from zhaoshang.interfaces.web.app import create_app

    c = local_client(create_app(str(db), team=open_team_db(str(tmp_path / "team.sqlite"))))

    def field(url: str) -> str:
        return re.search(r'id="reach-region" value="([^"]*)"', c.get(url).text).group(1)

    assert field("/relations/1?region=330100") == "杭州市"
    assert field("/relations/1?from=330100&lang=en") == "Hangzhou"
    assert field("/relations/1?from_region=不存在的地方") == "不存在的地方"
