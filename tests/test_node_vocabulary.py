"""One node vocabulary on every command and route: an unknown or lower-case node code is refused with the nodes
meant (M05 for m05), and the chain's own code means the whole chain — on the backtest and the
map API as on the library."""

from __future__ import annotations

import pytest

from cli_util import run, run_json


@pytest.fixture(scope="module")
def db(demo_db):
    return demo_db


BACKTEST = ["backtest", "score", "--as-of", "2024-06-30", "--horizon", "365"]


def test_backtest_refuses_an_unknown_node_with_the_nodes_meant(db):
    p = run(*BACKTEST, "--chain", "M5", db=db, check=False)
    assert p.returncode == 2 and p.stderr.startswith("错误: 未找到产业链环节: M5，您是不是要找：M05 "), p.stderr
    en = run("--lang", "en", *BACKTEST, "--chain", "m5", db=db, check=False)
    assert en.returncode == 2 and "chain node not found: m5; did you mean M05 (" in en.stderr, en.stderr
    p = run(*BACKTEST, "--chain", "X99", db=db, check=False)
    assert p.returncode == 2 and p.stderr.strip() == "错误: 未找到产业链环节: X99", p.stderr


def test_backtest_on_the_chain_itself_keeps_every_enterprise(db):
    whole = run_json(*BACKTEST, db=db)
    ai = run_json(*BACKTEST, "--chain", "ai", db=db)
    assert ai.pop("node") == "ai" and whole.pop("node") is None
    assert ai == whole


def test_the_map_takes_the_chain_as_the_whole_chain_like_the_library(db):
    from web_util import local_client
    from zhaoshang.interfaces.web.app import create_app

    c = local_client(create_app(str(db)))
    whole, ai = c.get("/api/map?level=city"), c.get("/api/map?level=city&node=ai")
    assert ai.status_code == 200, ai.text
    assert ai.json()["rows"] == whole.json()["rows"]
    assert ai.json()["rows"][0]["national_count"] == c.get("/api/enterprises?node=ai").json()["total"]
    assert c.get("/api/regions/330100?node=ai").json()["top"] == c.get("/api/regions/330100").json()["top"]
    # an unknown code is refused without reading it as a piece of a name (医疗AI)
    r = c.get("/api/map?node=ia")  # not the ia of "Financial AI"
    assert r.status_code == 404 and r.json()["error"] == "未找到产业链环节: ia", r.text


def test_trends_concentration_and_leads_take_the_chain_as_the_whole_chain(db):
    for cmd in (["trends"], ["concentration"]):
        assert run_json(*cmd, "--chain", "ai", db=db) == run_json(*cmd, db=db), cmd
    ranked = [[(r["enterprise_id"], r["score"]) for r in run_json("leads", "杭州市", *opt, db=db)]
              for opt in ([], ["--chain", "ai"])]
    assert ranked[0] and ranked[0] == ranked[1]


def test_a_node_is_also_its_exact_name(db):
    """`--node 计算机视觉` was refused with "did you mean M05 计算机视觉" — the name typed. A node's exact Chinese or
    English name (any case) is that node wherever a node is read; concentration read even m05 as unknown."""
    m05 = run_json("concentration", "--node", "M05", db=db)
    assert m05["chain_node"] == "M05"
    for text in ("计算机视觉", "m05"):
        assert run_json("concentration", "--node", text, db=db) == m05, text
    assert run_json("--lang", "en", "trends", "--node", "computer VISION", db=db) == \
        run_json("--lang", "en", "trends", "--node", "M05", db=db)
    p = run("map", "--level", "province", "--node", "视觉", db=db, check=False)  # a piece of a name: still refused
    assert p.returncode == 2 and "您是不是要找：M05 计算机视觉" in p.stderr, p.stderr


def test_a_node_name_several_nodes_bear_is_refused_naming_them():
    from zhaoshang.core.errors import UserError
    from zhaoshang.core.store import Store
    from zhaoshang.services.regions.nodes import chain_node

    with Store(":memory:") as s:
        s.con.execute("INSERT INTO chain_nodes (chain, code, level, name_zh, name_en) VALUES "
                      "('t', 'A01', 2, '其他', 'Other'), ('t', 'B01', 2, '其他', 'Other'), ('t', 'B02', 2, '平台', 'Platforms')")
        assert chain_node(s, "t", "平台") == chain_node(s, "t", "platforms") == "B02"
        with pytest.raises(UserError) as e:
            chain_node(s, "t", "其他")
        assert str(e.value) == "产业链环节名称有歧义：其他，可能是 A01 其他、B01 其他；请给出代码"
        assert e.value.in_lang("en") == "ambiguous chain node name: 其他 could be A01 (Other), B01 (Other); give the code"
