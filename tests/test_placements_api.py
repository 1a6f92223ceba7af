"""Analyst decisions through the HTTP API: the same service, storage and audit as the CLI; clean errors."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import duckdb
import pytest

warnings.filterwarnings("ignore", category=DeprecationWarning)
from web_util import local_client  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
import matrix_fixture  # noqa: E402

from zhaoshang.core.teamstate import open_team_db  # noqa: E402
from zhaoshang.interfaces.web.app import create_app  # noqa: E402
from zhaoshang.services.team import accounts  # noqa: E402


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A team server (login required) with an analyst and a viewer holding API tokens."""
    d = tmp_path_factory.mktemp("papi")
    path = d / "fx.duckdb"
    matrix_fixture.build(str(path))
    team = open_team_db(str(d / "team.sqlite"))
    tokens = {}
    for name, role in (("ana", "analyst"), ("vera", "viewer")):
        accounts.add_user(team, name, role, "a-long-enough-password-1", "cli:test")
        tokens[role] = {"Authorization": f"Bearer {accounts.create_token(team, name, 'test', 'cli:test')['token']}"}
    return path, local_client(create_app(str(path), team=team, local_only=False), headers=tokens["analyst"]), tokens, team


def test_add_remove_and_audit_through_the_api(served):
    path, client, tokens, team = served
    with duckdb.connect(str(path), read_only=True) as con:
        eid, node = con.execute("SELECT enterprise_id, node_code FROM placements ORDER BY 1, 2 LIMIT 1").fetchone()
        absent = con.execute("""SELECT code FROM chain_nodes WHERE level = 2 AND code NOT IN
            (SELECT node_code FROM placements WHERE enterprise_id = ?) ORDER BY code LIMIT 1""", [eid]).fetchone()[0]
    r = client.post(f"/api/enterprises/{eid}/placements", json={"action": "add", "node": absent, "reason": "年报主营"})
    assert r.status_code == 200 and r.json()["action"] == "add" and r.json()["node_code"] == absent
    r = client.post(f"/api/enterprises/{eid}/placements", json={"action": "remove", "node": node, "reason": "误判"})
    assert r.status_code == 200
    with duckdb.connect(str(path), read_only=True) as con:
        got = dict(con.execute("SELECT node_code, method FROM placements WHERE enterprise_id = ?", [eid]).fetchall())
    assert got.get(absent) == "analyst" and node not in got
    items = client.get("/api/placements/corrections").json()["items"]
    assert [i["action"] for i in items[:2]] == ["remove", "add"] and items[0]["reason"] == "误判"
    counts = {c["node"]: c for c in client.get("/api/placements/counts").json()["items"]}
    assert counts[absent]["added"] == 1 and counts[node]["removed"] == 1
    # errors are 4xx with a message, never 500
    r = client.post(f"/api/enterprises/{eid}/placements", json={"action": "add", "node": "X99", "reason": "x"})
    assert r.status_code == 404 and "X99" in r.text  # an unknown node, as every route that takes one refuses it
    r = client.post("/api/enterprises/999999999/placements", json={"action": "add", "node": absent, "reason": "x"})
    assert r.status_code == 404
    # a viewer may read the audit but not decide; every decision is an audit-log entry of its analyst
    r = client.post(f"/api/enterprises/{eid}/placements", json={"action": "add", "node": absent, "reason": "x"},
                    headers=tokens["viewer"])
    assert r.status_code == 403
    with team.tx() as tx:
        acts = tx.query("SELECT actor, action FROM audit_log WHERE action LIKE 'placement.%' ORDER BY id")
    assert [(a["actor"], a["action"]) for a in acts] == [("ana", "placement.add"), ("ana", "placement.remove")]


def test_profile_form_keeps_its_values_and_shows_only_the_servers_words(served):
    """The profile's placement form: a refusal comes back beside its box with the form as typed, in the page's
    words (Chinese, English with ?lang=en); the nodes offered are those a placement takes; the page shows no text a
    link carries as its own message (a forged note, an old ?pl_error=…, a ?pl_done= of a decision that is none)."""
    import re
    from urllib.parse import parse_qs, urlsplit

    path, client, tokens, team = served
    with duckdb.connect(str(path), read_only=True) as con:
        eid, node = con.execute("SELECT enterprise_id, node_code FROM placements ORDER BY 1 DESC, 2 LIMIT 1").fetchone()
        absent = con.execute("""SELECT code FROM chain_nodes WHERE level = 2 AND code NOT IN
            (SELECT node_code FROM placements WHERE enterprise_id = ?) ORDER BY code DESC LIMIT 1""", [eid]).fetchone()[0]
        stages = [r[0] for r in con.execute("SELECT code FROM chain_nodes WHERE level = 1").fetchall()]
    page = client.get(f"/enterprises/{eid}", params={"pl_error": "系统已停用，请访问 evil.example.com", "pl_done": 99999,
                                                      "pl_note": "forged"}).text
    section = page[page.index('id="placements"'):page.index("</section>", page.index('id="placements"'))]
    assert "evil.example.com" not in section and "99999" not in section
    assert 'id="pl-done"' not in page and 'id="pl-error"' not in page and "field-error" not in section
    # only level-2/3 nodes, the enterprise's own first and chosen
    form = page[page.index('id="pl-form"'):page.index("</form>", page.index('id="pl-form"'))]
    assert stages and not any(f'<option value="{s}"' in form for s in stages)
    assert re.search(rf'id="pl-node-own"><option value="{node}" selected>', form), form[:600]
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def post(**fields):
        r = client.post(f"/enterprises/{eid}/placements", data={"csrf_token": csrf, **fields}, follow_redirects=False)
        assert r.status_code == 303, r.text
        return r.headers["location"].split("#")[0]

    def seen(to, lang="zh"):  # the page the redirect leads to, in a language (the choice is kept in a cookie)
        return client.get(to + "&lang=" + lang).text

    # confirming a node it is not on: beside the node box, the action, node and reason kept
    to = post(action="confirm", node=absent, reason="保留的理由")
    # the typed values stay on the server: the link carries the signed note alone, and the note not the reason
    from itsdangerous import URLSafeTimedSerializer

    assert set(parse_qs(urlsplit(to).query)) == {"pl_note"}
    assert "保留的理由" not in str(URLSafeTimedSerializer("-", salt="zs-page-note").loads_unsafe(parse_qs(urlsplit(to).query)["pl_note"][0]))
    page = seen(to)
    assert re.search(rf'<span class="field-error" id="error-pl-node" role="alert">[^<]*当前不在节点 {absent} 上，不能确认</span>', page)
    assert '<option value="confirm" selected>' in page and f'<option value="{absent}" selected>' in page
    assert 'value="保留的理由"' in page and "--reason" not in page and "use add" not in page
    # no reason (a script, an old browser): beside the reason box, in the page's language
    to = post(action="add", node=absent, reason=" ")
    assert "理由必填" in seen(to)
    en = seen(to, "en")
    assert re.search(r'id="error-pl-reason" role="alert">a reason is required', en) and "--reason" not in en
    # a level-1 stage, a reason longer than the box's: refused in words, on the API too
    assert "是第 1 层" in seen(post(action="add", node=stages[0], reason="x"))
    assert "理由最长 500 字（现为 600 字）" in seen(post(action="add", node=absent, reason="长" * 600))
    r = client.post(f"/api/enterprises/{eid}/placements", json={"action": "add", "node": absent, "reason": "长" * 501})
    assert r.status_code == 400 and "500" in r.text
    # recorded: the server's own words, in either language; the node read in any case
    to = post(action="add", node=absent.lower(), reason="年报主营")
    assert seen(to).count(f"新增 {absent}：已记录（审计日志） #") == 1
    assert f"add {absent}: recorded (audit log) #" in seen(to, "en")
    # a second add of the same node changes nothing: refused, saying what stands
    assert f"已在节点 {absent} 上（分析师已新增，#" in seen(post(action="add", node=absent, reason="again"))
    items = client.get("/api/placements/corrections", params={"node": absent.lower()}).json()["items"]
    assert [(int(i["enterprise_id"]), i["action"]) for i in items if int(i["enterprise_id"]) == eid] == [(eid, "add")]
    r = client.get("/api/placements/corrections", params={"node": "X99"})
    assert r.status_code == 404 and "X99" in r.text
    # the profile as of a day, its language asked for in its URL: the placements' chain links open as of that day,
    # and the form comes back (refused or recorded) to the profile as it was asked for
    from html import unescape

    page = client.get(f"/enterprises/{eid}", params={"as_of": "2024-06-30", "lang": "en"}).text
    section = page[page.index('id="placements"'):page.index('id="pl-form"')]
    chain = [urlsplit(unescape(h)) for h in re.findall(r'href="(/chain\?[^"]*)"', section)]
    assert chain and all(parse_qs(h.query)["as_of"] == ["2024-06-30"] and "node" in parse_qs(h.query) for h in chain)
    action = unescape(re.search(r'action="([^"]*)" class="controls" id="pl-form"', page).group(1))
    for fields, anchor in (({"action": "add", "node": absent, "reason": " "}, "pl-form"),
                           ({"action": "remove", "node": absent, "reason": "复核后移除"}, "placements")):
        r = client.post(action, data={"csrf_token": csrf, **fields}, follow_redirects=False)
        to = urlsplit(r.headers["location"])
        assert (to.path, to.fragment) == (f"/enterprises/{eid}", anchor), r.headers["location"]
        query = parse_qs(to.query)
        assert (query["as_of"], query["lang"], set(query)) == (["2024-06-30"], ["en"], {"as_of", "lang", "pl_note"})
    client.get(f"/enterprises/{eid}?lang=zh")  # the language is kept in a cookie: back to Chinese
