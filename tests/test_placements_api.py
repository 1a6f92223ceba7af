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
    assert r.status_code == 400 and "X99" in r.text
    r = client.post("/api/enterprises/999999999/placements", json={"action": "add", "node": absent, "reason": "x"})
    assert r.status_code == 404
    # a viewer may read the audit but not decide; every decision is an audit-log entry of its analyst
    r = client.post(f"/api/enterprises/{eid}/placements", json={"action": "add", "node": absent, "reason": "x"},
                    headers=tokens["viewer"])
    assert r.status_code == 403
    with team.tx() as tx:
        acts = tx.query("SELECT actor, action FROM audit_log WHERE action LIKE 'placement.%' ORDER BY id")
    assert [(a["actor"], a["action"]) for a in acts] == [("ana", "placement.add"), ("ana", "placement.remove")]
