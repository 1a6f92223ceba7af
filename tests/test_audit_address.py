"""Every audit entry a web or API request causes carries the request's client address — the team records' changes
(a lead added and moved, an alert rule and channels) as much as a sign-in or an export — on SQLite and PostgreSQL."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

warnings.filterwarnings("ignore", category=DeprecationWarning)
sys.path.insert(0, str(Path(__file__).parent))
import matrix_fixture  # noqa: E402
from web_util import local_client, team_tokens  # noqa: E402

from zhaoshang.core.teamstate import open_team_db  # noqa: E402
from zhaoshang.interfaces.web.app import create_app  # noqa: E402
from zhaoshang.services.pipeline import leads as pipeline  # noqa: E402
from zhaoshang.services.team import audit  # noqa: E402


def test_team_record_changes_through_the_api_carry_the_client_address(tmp_path, team_url):
    path = tmp_path / "fx.duckdb"
    matrix_fixture.build(str(path), n=60)
    team = open_team_db(team_url)
    tokens = team_tokens(team)
    client = local_client(create_app(str(path), team=team, local_only=False), headers=tokens["analyst"])
    lead = client.post("/api/pipeline/add", json={"enterprise": "1", "region": "宁波市"})
    assert lead.status_code == 200, lead.text
    lid = lead.json()["id"]
    assert client.post(f"/api/pipeline/leads/{lid}/change", json={"status": "signed"}).status_code == 200
    assert client.post(f"/api/pipeline/leads/{lid}/change", json={"note": "回访"}).status_code == 200
    rule = client.post("/api/alerts/rules", json={"name": "本地负面", "types": ["news"], "regions": ["宁波市"]})
    assert rule.status_code == 200, rule.text
    assert client.post("/api/alerts/channels", json={"webhook_url": ""}).status_code == 200
    assert client.post(f"/api/alerts/rules/{rule.json()['id']}/remove").status_code == 200
    rows = audit.search(team, actor="ana")["rows"]  # the signed-in user acts, not the command line's operator
    caused = {r["action"]: r["ip"] for r in rows if not r["action"].startswith("token")}
    assert {"pipeline.add", "pipeline.move", "pipeline.update", "alerts.rule_add", "alerts.channels",
            "alerts.rule_remove"} <= set(caused), caused
    assert set(caused.values()) == {"testclient"}, caused  # the test client's address, on every entry
    # the same service called outside a request (the command line) names no address
    pipeline.update(team, lid, user="cli:test", note="命令行")
    assert audit.search(team, action="pipeline.update")["rows"][0]["ip"] is None
