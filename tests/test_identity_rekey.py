"""A person record re-keyed when a late link tells its enterprise (importers/relink.py: 王小明@宁波…有限公司 →
王小明@<id>) keeps the identity decision an analyst recorded on its old key: the decision is written again on the
new key and audited (docs/methods.md, "Person identity"); run through the real CLI."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from cli_util import run, run_json  # noqa: E402

HEAD = "企业名称,统一社会信用代码,所在地\n"


def _links(db, env) -> dict:
    doc = run_json("people", "links", "王小明", db=db, env=env)
    return {(x["a"], x["b"]): x for x in doc["links"] + doc["apart"]}


def test_a_decision_follows_its_record_to_the_new_key(tmp_path):
    db, env = tmp_path / "z.duckdb", {"ZHAOSHANG_TEAM_DB": str(tmp_path / "team.sqlite")}
    (tmp_path / "e1.csv").write_text(HEAD + "杭州测试甲智能科技有限公司,,浙江杭州\n", encoding="utf-8")
    (tmp_path / "e2.csv").write_text(HEAD + "宁波测试丙智能科技有限公司,,浙江宁波\n", encoding="utf-8")
    (tmp_path / "r.csv").write_text("企业名称,姓名,职务,任职日期\n杭州测试甲智能科技有限公司,王小明,董事,2019-01-01\n"
                                    "宁波测试丙智能科技有限公司,王小明,董事,2019-01-01\n", encoding="utf-8")
    run("import", "enterprises", tmp_path / "e1.csv", db=db)
    assert run_json("import", "roles", tmp_path / "r.csv", db=db)["unlinked"] == 1  # 宁波 is not known yet
    run("people", "confirm", "p:1", "p:2", "--reason", "电话核实：同一人", db=db, env=env)
    before = _links(db, env)[(1, 2)]
    assert before["b_record"][1] == "王小明@宁波测试丙智能科技有限公司" and before["decision"]["decision"] == "confirm"
    # the enterprise arrives: the role links late and its person is re-keyed by the enterprise's id
    assert run_json("import", "enterprises", tmp_path / "e2.csv", db=db)["linked_earlier"] == 1
    after = _links(db, env)[(1, 2)]
    assert after["b_record"][1] == "王小明@2", after
    assert after["decision"]["decision"] == "confirm" and after["reasons"][-1] == "confirmed", after  # was: name_only
    assert after["decision"]["user_name"] == before["decision"]["user_name"]
    assert after["decision"]["decided_at"] == before["decision"]["decided_at"]
    log = run_json("team", "audit", "--action", "person.rekey", db=db, env=env)["rows"]
    assert len(log) == 1 and log[0]["actor"] == "system:relink", log
    assert "王小明@宁波测试丙智能科技有限公司" in log[0]["detail"] and "王小明@2" in log[0]["detail"]
    _links(db, env)  # read again: nothing carried twice
    assert len(run_json("team", "audit", "--action", "person.rekey", db=db, env=env)["rows"]) == 1
    # a later decision on the new key wins over the carried one
    run("people", "split", "p:1", "p:2", "--reason", "复核：两人", db=db, env=env)
    assert _links(db, env)[(1, 2)]["why"] == "split"
