"""Explained results: one type (core/explain.py) for classification evidence, recommendation scores and
attraction modes; serialised by the one encoder; rendered by one web component."""

from __future__ import annotations

import json
import re
import shutil
import sys
import warnings
from pathlib import Path

import pytest

warnings.filterwarnings("ignore", category=DeprecationWarning)
from web_util import local_client  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))

from zhaoshang.core import jsonenc  # noqa: E402
from zhaoshang.core.explain import FIELDS, Explained, Part, Ref, params_hash  # noqa: E402
from zhaoshang.core.store import Store  # noqa: E402
from zhaoshang.interfaces.web.app import create_app  # noqa: E402
from zhaoshang.services import recommend as rec  # noqa: E402
from zhaoshang.services.chain.classify import classify  # noqa: E402


def test_round_trip_and_fingerprint():
    x = Explained(value=0.42, method="m", version="2", params={"b": [1, 2], "a": 0.5},
                  parts=[Part("p", raw=3, normalised=0.3, weight=0.5, contribution=0.15),
                         Part("q", raw="x", contribution=0.27, detail={"op": ">="})],
                  evidence=[Ref("enterprises", ids=[7]), Ref("fundings", where={"node": "M01"})],
                  confidence=0.9, as_of="2024-12-31", formula="Σ")
    doc = json.loads(jsonenc.dumps(x))  # the encoder knows the type
    assert list(doc) == list(FIELDS) and doc["parts"][0]["contribution"] == 0.15
    back = Explained.from_json(doc)
    assert back == x and back.total == pytest.approx(0.42)
    # the fingerprint follows the settings, not their order
    assert params_hash({"a": 0.5, "b": [1, 2]}) == x.params_hash != params_hash({"a": 0.6, "b": [1, 2]})
    assert Explained.from_json({"keywords": []}) is None and Explained.from_json("not json") is None


@pytest.fixture()
def classified(tmp_path):
    db = str(tmp_path / "c.duckdb")
    s = Store(db)
    s.con.execute("""INSERT INTO enterprises (id, name, scope, industry_code) VALUES
        (1, '某芯片设计有限公司', '集成电路设计、人工智能芯片研发', '6520'),
        (2, '某视觉科技有限公司', '计算机视觉软件开发；图像识别', NULL)""")
    classify(s)
    s.close()
    return db


def test_profile_shows_the_explanation_not_raw_json(classified):
    """Regression: the profile showed evidence as raw JSON (score: {"text": 1.6, "ipc": 0.6667})."""
    c = local_client(create_app(classified))
    doc = c.get("/api/enterprises/1").json()
    ev = doc["placements"][0]["evidence"]
    assert list(ev) == list(FIELDS) and ev["value"] == doc["placements"][0]["node_code"]
    assert ev["confidence"] == pytest.approx(doc["placements"][0]["confidence"], abs=1e-4)
    html = c.get("/enterprises/1").text
    cell = html[html.index('id="placements"'):html.index("</section>", html.index('id="placements"'))]
    assert cell.count('class="xp"') == len(doc["placements"])
    assert "score" not in cell and "{&#34;" not in cell and '{"' not in cell
    assert re.search(r'data-signal="text".*集成电路设计', cell, re.S)
    # the trained model's check is one more part, named in the page's language
    assert 'data-signal="model"' in cell and "训练模型复核" in cell
    assert 'href="/enterprises/1"' in cell and ev["params_hash"] in cell


def test_modes_are_explained(tmp_path):
    cfg = rec.load_config()
    profile = {"demands": 6, "demand_lq": None, "patent_lq": 1.4, "universities": 3}
    for m in cfg["modes"]:
        out = rec.evaluate_mode(m, profile, "2024-12-31", "330100")
        x = out["explain"]
        assert x.value == out["suggested"] and x.as_of == "2024-12-31"
        assert [p.signal for p in x.parts] == [c["metric"] for c in out["criteria"]]
        for p, c in zip(x.parts, out["criteria"]):
            assert p.raw == c["value"] and p.detail["threshold"] == c["threshold"]
            assert p.contribution == (None if c["passed"] is None else float(c["passed"]))
        assert {r.table for r in x.evidence} <= {"demands", "placements", "patents", "resources", "investors"}


def test_analyst_decisions_show_as_text_not_json(classified, tmp_path):
    """An analyst's added placement and a confirmed one (the rules' evidence plus the decision) are drawn by
    the same component: the decision is a part with its reason, the decision row is evidence."""
    from zhaoshang.core.teamstate.db import open_team_db
    from zhaoshang.services.chain import corrections

    s = Store(classified)
    team = open_team_db(db_path=str(tmp_path / "team"))
    first = s.query("SELECT node_code FROM placements WHERE enterprise_id = 1 ORDER BY node_code LIMIT 1")[0]["node_code"]
    corrections.record(s, team, 1, first, "confirm", "核实过产品", user="王分析")
    corrections.record(s, team, 1, "D01", "add", "有人形机器人产品线", user="王分析")
    s.close()
    older = tmp_path / "older.duckdb"  # the same placements, their notes rewritten below as an earlier version wrote them
    shutil.copyfile(classified, older)
    c = local_client(create_app(classified))
    doc = c.get("/api/enterprises/1").json()
    added = next(p for p in doc["placements"] if p["node_code"] == "D01")
    assert added["evidence"]["method"] == "analyst" and list(added["evidence"]) == list(FIELDS)
    html = c.get("/enterprises/1").text
    cell = html[html.index('id="placements"'):html.index("</section>", html.index('id="placements"'))]
    assert "{&#34;" not in cell and '{"' not in cell
    assert cell.count('class="xp"') == len(doc["placements"])
    assert "核实过产品" in cell and "有人形机器人产品线" in cell and "placement_corrections" in cell
    # each decision row's note says when as every time shown: China's, to the second, its zone said (it was UTC,
    # unlabelled, with microseconds)
    from zhaoshang.core.parse.dates import china_time_text

    decided = corrections.list_corrections(team)
    assert len(decided) == 2
    for d in decided:
        assert f"placement_corrections #{d['id']} <small class=\"muted\">(王分析 {china_time_text(d['decided_at'])})</small>" \
            in cell, d
    # a note written before the note gave China's time kept the stored UTC time, unlabelled, with microseconds: it
    # is said from its decision at display, as a new one
    s = Store(str(older))
    for eid, node, ev in s.con.execute("SELECT enterprise_id, node_code, evidence FROM placements WHERE enterprise_id = 1 "
                                       "AND evidence LIKE '%placement_corrections%'").fetchall():
        x = json.loads(ev)
        for r in x["evidence"]:
            if r["table"] == "placement_corrections":
                d = next(d for d in decided if d["id"] == r["ids"][0])
                r["note"] = "王分析 " + str(d["decided_at"]).replace("T", " ").rstrip("Z")
        s.con.execute("UPDATE placements SET evidence = ? WHERE enterprise_id = ? AND node_code = ?",
                      [json.dumps(x, ensure_ascii=False), eid, node])
    assert len(s.query("SELECT 1 FROM placements WHERE enterprise_id = 1 AND evidence LIKE '%王分析 20%.%'")) == 2
    s.close()
    html = local_client(create_app(str(older))).get("/enterprises/1").text
    for d in decided:
        assert f"placement_corrections #{d['id']} <small class=\"muted\">(王分析 {china_time_text(d['decided_at'])})</small>" \
            in html, d
