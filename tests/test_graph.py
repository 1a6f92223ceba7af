"""The relationship graph: paths and strengths against an independent search on hand-built graphs, the identity
rules on hand-made namesakes, key persons with 股权穿透, and the people/reach commands."""

from __future__ import annotations

import csv
import io
import itertools
import math
import random
import re
import sys

import numpy as np
import pytest

from cli_util import run, run_json
from graph_fixture import build, build_with_contact_in_office, build_with_officer_holder
from zhaoshang.core.jsonenc import dumps
from zhaoshang.core.store import Store
from zhaoshang.services.graph.build import build_graph, from_arrays
from zhaoshang.services.graph.identity import person_links
from zhaoshang.services.graph.people import key_persons
import zhaoshang.services.graph.reach  # noqa: F401  (the module, patched below)
from zhaoshang.services.graph.reach import neighbours, reach, reach_strength, reach_strengths
from zhaoshang.services.graph.search import k_paths

HOSTILE = "<script>alert(1)</script>"


# -- the search against brute-force enumeration ------------------------------------------------------------
def _brute(a, b, w, n, targets, origins, max_hops):
    """Every simple path (as a sequence of edges) from a target outwards to an origin, by plain recursion."""
    adj = {i: [] for i in range(n)}
    for e, (x, y) in enumerate(zip(a, b)):
        adj[x].append((y, e))
        adj[y].append((x, e))
    out = []

    def walk(v, nodes, edges, s):
        if v in origins:
            out.append((s * origins[v], list(reversed(nodes)), list(reversed(edges))))
        if len(edges) == max_hops:
            return
        for u, e in adj[v]:
            if u in nodes or u in targets:
                continue
            walk(u, nodes + [u], edges + [e], s * w[e])

    for t in targets:
        walk(t, [t], [], 1.0)
    return sorted(out, key=lambda p: -p[0])


@pytest.mark.parametrize("seed", range(6))
def test_k_best_paths_equal_brute_force(seed):
    rng = random.Random(seed)
    n = 14
    pairs = set()
    while len(pairs) < 30:
        x, y = rng.sample(range(n), 2)
        pairs.add((min(x, y), max(x, y)))
    pairs = sorted(pairs)
    pairs += [pairs[0], pairs[3]]  # parallel ties: two relations between one pair
    a = np.array([p[0] for p in pairs])
    b = np.array([p[1] for p in pairs])
    w = np.array([round(rng.uniform(0.05, 0.95), 3) for _ in pairs])
    g = from_arrays(a, b, w, n, with_igraph=False)
    targets = [0, 1]
    origins = {9: 1.0, 12: 0.7, 13: 0.5}
    expected = _brute(a, b, w, n, set(targets), origins, 4)
    got, stats = k_paths(g, targets, origins, k=8, max_hops=4, diverse=False, max_neighbours=100, min_strength=0.0)
    assert expected, "the random graph connects the targets to the origins"
    want = [s for s, _, _ in expected[:8]]  # strengths are stored as float32: equal to 1e-5
    assert [p.strength for p in got] == pytest.approx(want, rel=1e-5)
    for p in got:  # each path is real: consecutive nodes joined by its edges, strength the product
        assert len(set(p.nodes)) == len(p.nodes)
        prod = 1.0
        for i, e in enumerate(p.edges):
            assert {p.nodes[i], p.nodes[i + 1]} == {int(a[e]), int(b[e])}
            prod *= w[e]
        assert math.isclose(p.strength, prod * origins[p.nodes[0]], rel_tol=1e-5)
        assert len(p.edges) <= 4


def test_diverse_paths_skip_variants_and_hops_are_bounded():
    # target 0; two routes to origin 5: via 1-2 (strong) and via 3-4; a near copy of the strong one via 1-6-2
    edges = [(0, 1, .9), (1, 2, .9), (2, 5, .9), (1, 6, .85), (6, 2, .85), (0, 3, .5), (3, 4, .5), (4, 5, .5),
             (5, 7, .9), (7, 8, .9), (8, 9, .9), (9, 10, .9), (10, 0, .9)]
    a, b, w = (np.array(c) for c in zip(*edges))
    g = from_arrays(a, b, w, 11, with_igraph=False)
    plain, _ = k_paths(g, [0], {5: 1.0}, k=3, max_hops=4, diverse=False, min_strength=0)
    assert [p.nodes for p in plain][:2] == [[5, 2, 1, 0], [5, 2, 6, 1, 0]]
    diverse, _ = k_paths(g, [0], {5: 1.0}, k=3, max_hops=4, diverse=True, min_strength=0)
    assert [p.nodes for p in diverse][:2] == [[5, 2, 1, 0], [5, 4, 3, 0]]
    # the 6-hop route 5-7-8-9-10-0 exists but exceeds the hop bound
    assert all(len(p.edges) <= 4 for p in diverse + plain)
    long, _ = k_paths(g, [0], {5: 1.0}, k=10, max_hops=6, diverse=False, min_strength=0)
    assert [5, 7, 8, 9, 10, 0] in [p.nodes for p in long]


def test_a_tie_to_the_start_beyond_the_neighbour_cap_is_followed_and_the_cut_counted():
    """Target 0 has 45 ties stronger than its direct tie to the start 46 (0.4): with each node's 40 strongest ties
    read, the direct tie was never met and the best path lost. It is found, whichever end the search starts from,
    and the search says it left other ties of a busy node (``capped``)."""
    edges = [(0, i, .9) for i in range(1, 46)] + [(0, 46, .4), (46, 47, .3), (47, 48, .3), (48, 0, .3)]
    a, b, w = (np.array(c) for c in zip(*edges))
    g = from_arrays(a, b, w, 49, with_igraph=False)
    for target, start in ((0, 46), (46, 0)):
        paths, stats = k_paths(g, [target], {start: 1.0}, k=1, max_hops=4, max_neighbours=40)
        assert [(p.nodes, round(p.strength, 4)) for p in paths] == [([start, target], 0.4)], (target, stats)
    _, stats = k_paths(g, [46], {47: 1.0}, k=1, max_hops=4, max_neighbours=40)
    assert stats["capped"] >= 1  # node 0's ties 41–45 (dead ends here) were not read, and that is said


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("graph") / "g.duckdb"
    return build(path)


@pytest.fixture(scope="module")
def store(db):
    s = Store(db, read_only=True)
    yield s
    s.close()


def test_identity_rules_on_namesakes(store):
    doc = person_links(store)
    pairs = {(x["a"], x["b"]): x for x in doc["links"]}
    apart = {(x["a"], x["b"]): x for x in doc["apart"]}
    assert apart[(1, 3)]["why"] == "gender_or_birth_year_differ"  # 张伟 ≠ 张伟
    assert apart[(4, 5)]["why"] == "name_only"                   # a name alone is never a link
    assert pairs[(6, 7)]["reasons"] == ["same_enterprise_tenure"] and pairs[(6, 7)]["confidence"] == 0.95
    assert "shared_codirector" in pairs[(8, 9)]["reasons"] and "shared_codirector" in pairs[(10, 11)]["reasons"]
    assert doc["summary"]["linked_pairs"] == 3 and doc["summary"]["kept_apart_pairs"] == 2


def test_key_persons_follow_shareholdings_to_the_ultimate_controller(store):
    doc = key_persons(store, 1, as_of="2024-12-31")
    by = {p["name"]: p for p in doc["persons"]}
    assert doc["ultimate_controller"] == "p:12"
    zhou = by["周杰"]["grounds"][0]
    assert zhou["ground"] == "major_shareholder" and zhou["share"] == pytest.approx(48.0)
    assert zhou["chains"][0]["path"] == ["目标科技有限公司", "控股丙有限公司", "周杰"]
    assert by["控股丙有限公司"]["grounds"][0]["ground"] == "controlling_shareholder"
    assert doc["persons"][0]["name"] in ("张伟", "控股丙有限公司")
    assert by["赵强"]["records"] == ["p:7"]  # p:6 left the board in 2021
    mid = {p["name"]: p for p in key_persons(store, 1, as_of="2020-06-30")["persons"]}
    assert mid["赵强"]["records"] == ["p:6", "p:7"]  # one person, two records at the same enterprise
    assert by["张伟"]["power"] == 1 - (1 - 1.0 * 0.999)  # chairman (capped at 0.999)
    old = key_persons(store, 1, as_of="2018-06-30")  # 李娜 took office in 2019
    assert "李娜" not in {p["name"] for p in old["persons"]}


def test_the_ultimate_controller_is_marked_on_the_person_holding_its_record(tmp_path):
    # 周杰 holds the chain's top share as p:12 and sits on the board as p:14: one person, listed by p:14
    with Store(build_with_officer_holder(tmp_path / "g.duckdb"), read_only=True) as s:
        doc = key_persons(s, 1, as_of="2024-12-31")
    zhou = [p for p in doc["persons"] if p["name"] == "周杰"]
    assert len(zhou) == 1 and zhou[0]["records"] == ["p:14", "p:12"]
    assert doc["ultimate_controller"] == zhou[0]["key"] == "p:14" and zhou[0]["ultimate_controller"]
    assert [p["name"] for p in doc["persons"] if p["ultimate_controller"]] == ["周杰"]


def test_reach_from_the_region_and_its_strength(store):
    doc = reach(store, 1, from_region="330100", k=5, as_of="2024-12-31")
    assert doc["paths"], "the local fund invested in the target"
    best = doc["paths"][0]
    strengths = [p["strength"] for p in doc["paths"]]
    assert strengths == sorted(strengths, reverse=True)
    # strength = origin factor × product of the hops' strengths, on every path
    for path in doc["paths"]:
        prod = path["origin_factor"]
        for h in path["hops"]:
            prod *= h["strength"]
            assert h["evidence"] and h["relation"]
        assert path["strength"] == pytest.approx(prod, rel=1e-3)
        assert path["target"]["name"] in {p["name"] for p in doc["key_persons"]}
    assert any(p["hops"] for p in doc["paths"])
    ex = reach_strength(store, 1, "330100", as_of="2024-12-31")
    assert ex.value == pytest.approx(best["strength"])
    assert ex.evidence[0].table == "persons" and ex.evidence[0].note == "本地企业人员"  # the start and why it is local
    assert best["length"] == 0  # the hostile-named director also works at the local enterprise
    assert reach_strength(store, 1, "440300", as_of="2024-12-31") is None  # nothing of Shenzhen in the graph
    assert doc["in_region"] is None
    # an enterprise in the region it is reached from: its own people are no starts (each was a "path" of no hop to
    # himself), and the answer says that it lies there; the bureau's contact working at it still is one
    local = reach(store, 2, from_region="330100", k=5, as_of="2024-12-31")
    assert local["in_region"]["text"] == "本地甲科技有限公司 本身就在杭州市：其自身的人员不作为起点"
    assert local["in_region"]["text_en"] == "本地甲科技有限公司 is itself in Hangzhou: its own people are not taken as starts"
    assert local["paths"] and {(p["origin"]["name"], p["length"]) for p in local["paths"]} == {("孙丽", 2)}


def test_reach_strengths_search_only_where_a_path_can_be(tmp_path, monkeypatch):
    """Several leads' reachability at once: the same answers as one search each, and no search for an enterprise
    whose possible key persons are all in a part of the graph without an origin of the region."""
    s = Store(build(tmp_path / "g.duckdb"))
    c = s.con  # an enterprise with a director, tied to nothing of Hangzhou; another without any person
    c.execute("INSERT INTO enterprises (id, name, province_code, city_code) VALUES (5, '孤立丁有限公司', '440000', '440300'), "
              "(6, '无人戊有限公司', '440000', '440300')")
    c.execute("INSERT INTO persons (id, name, name_norm, source, source_key, import_id) VALUES (14, '吴昊', '吴昊', 's1', 'k14', 1)")
    c.execute("INSERT INTO roles VALUES (14, 14, '吴昊', 5, '孤立丁有限公司', 'chairman', '董事长', DATE '2018-01-01', NULL, 's1', 'r14', 1)")
    ids = [1, 2, 3, 4, 5, 6]
    one = {i: reach_strength(s, i, "330100", as_of="2024-12-31") for i in ids}
    searched = []
    mod = sys.modules["zhaoshang.services.graph.reach"]
    real = mod._search
    monkeypatch.setattr(mod, "_search", lambda g, e, *a, **k: searched.append(e) or real(g, e, *a, **k))
    many = reach_strengths(s, ids, "330100", as_of="2024-12-31")
    assert {i: dumps(x) for i, x in many.items()} == {i: dumps(x) for i, x in one.items()}  # path and evidence alike
    assert one[1] is not None and one[5] is None and one[6] is None
    assert 5 not in searched and 6 not in searched and 1 in searched
    searched.clear()  # from Shenzhen: 吴昊 is local there, so 孤立丁 is searched; Hangzhou's are not
    sz = reach_strengths(s, ids, "440300", as_of="2024-12-31")
    # 孤立丁 lies in Shenzhen: its own chairman is no start (he was a path of no hop to himself), alike alone
    assert searched == [5] and sz[5] is None and reach_strength(s, 5, "440300", as_of="2024-12-31") is None
    s.close()


def test_leads_reachability_follows_the_teams_person_decisions(db, tmp_path):
    """A lead's reachability walks the graph with the team's person decisions, as the relations page and
    ``zhaoshang reach`` do: 王芳 of 本地甲 confirmed as 王芳 of 控股丙 brings 控股丙 near Hangzhou; 陈明 and 刘洋
    each split in two leave 上海乙 without a path. The leads read it without the team before (one graph, two answers)."""
    import datetime

    from zhaoshang.core.geo.lookup import region_info
    from zhaoshang.core.teamstate import open_team_db
    from zhaoshang.services.graph.identity import decide
    from zhaoshang.services.graph.reach import REACH_HOPS
    from zhaoshang.services.leads.reach import reachability

    team, d = open_team_db(str(tmp_path / "team.sqlite")), datetime.date(2024, 12, 31)
    try:
        with Store(db, read_only=True) as s:
            info = region_info(s, "杭州市")  # the region as the leads read it: the region service's answer
            before = reachability(s, info, [3, 4], d, team)
            decide(s, team, "p:4", "p:5", "confirm", "电话核实", "analyst1")
            decide(s, team, "p:8", "p:9", "split", "两位同名董事", "analyst1")
            decide(s, team, "p:10", "p:11", "split", "两位同名董事", "analyst1")
            after = reachability(s, info, [3, 4], d, team)
            page = {i: reach(s, i, from_region=info["code"], k=1, max_hops=REACH_HOPS, as_of=d, team=team)["paths"] for i in (3, 4)}
    finally:
        team.close()
    assert before[4][0] < after[4][0] == page[4][0]["strength"], (before, after)
    assert before[3][0] > 0 and after[3] == (0.0, None) and page[3] == [], (before, after)


def test_graph_stats_and_namesakes_stay_apart_in_the_graph(store):
    g = build_graph(store, "2024-12-31")
    assert g.n > 0 and g.m > 0 and g.memory_bytes() > 0
    rels = {g.edge(e)["relation"] for e in range(g.m)}
    assert {"chairman", "shareholder", "investment", "same_person", "colleague", "contact_at"} <= rels
    same = [(g.keys[g.edge(e)["a"]], g.keys[g.edge(e)["b"]]) for e in range(g.m) if g.edge(e)["relation"] == "same_person"]
    assert ("p:1", "p:3") not in same and ("p:3", "p:1") not in same and ("p:4", "p:5") not in same
    assert ("p:1", "v:张伟@1") in same and ("p:3", "v:张伟@1") not in same  # the inventor is the chair, not the namesake
    assert not [x for x in same if "v:王五@1" in x]


def test_cli_people_reach_and_between(db, tmp_path):
    env = {"ZHAOSHANG_TEAM_DB": str(tmp_path / "team.sqlite")}
    doc = run_json("reach", "目标科技有限公司", "--from-region", "杭州市", "--k", "3", db=db, env=env)
    assert doc["paths"] and all({"strength", "hops"} <= set(p) for p in doc["paths"])
    hop = next(p for p in doc["paths"] if p["hops"])["hops"][0]
    assert {"from", "to", "relation", "start", "end", "evidence"} <= set(hop)
    doc = run_json("reach", "--between", "1", "--between", "2", "--k", "10", db=db, env=env)
    routes = [[h["to"]["name"] for h in p["hops"]] for p in doc["pairs"][0]["paths"]]
    # the chair's colleague (0.9 × 0.7 × 0.6 = 0.378) beats the director alone (0.6 × 0.6 = 0.36), which is then a
    # variant of it (its one intermediate is on the better path)
    assert routes[0] == ["张伟", "<script>alert(1)</script>", "本地甲科技有限公司"]
    assert ["<script>alert(1)</script>", "本地甲科技有限公司"] not in routes
    assert ["杭州引导基金", "本地甲科技有限公司"] in routes  # the fund invested in both: 0.5 × 0.5
    # 赵强's two records (p:6, p:7) are one person: one path through him, not the same route twice
    assert any("赵强" in r for r in routes) and len(routes) == len({tuple(r) for r in routes}), routes
    own = run("--lang", "en", "reach", "本地甲科技有限公司", "--from-region", "杭州市", db=db, env=env).stderr
    assert "本地甲科技有限公司 is itself in Hangzhou: its own people are not taken as starts" in own, own
    bad = run("reach", "目标科技有限公司", db=db, env=env, check=False)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    # no path: the table says why in a sentence, not (无记录) alone
    none = run("reach", "目标科技有限公司", "--from-region", "拉萨市", db=db, env=env).stdout
    assert "（无记录）" in none and "出发方没有可用的起点" in none, none
    none = run("--lang", "en", "reach", "目标科技有限公司", "--from-region", "杭州市", "--max-hops", "1", "--k", "3",
               db=db, env=env).stdout
    assert "(nothing to show)" not in none or "no path within 1 hop from" in none.replace("\n", " "), none
    # between two enterprises too: the empty table says why and what to try
    none = "".join(run("reach", "--between", "1", "--between", "2", "--max-hops", "1", db=db, env=env).stdout.split())
    assert "目标科技有限公司与本地甲科技有限公司之间1跳内没有路径" in none and "--max-hops" in none, none
    none = " ".join(run("--lang", "en", "reach", "--between", "1", "--between", "2", "--max-hops", "1", db=db,
                        env=env).stdout.split())
    assert "no path between 目标科技有限公司 and 本地甲科技有限公司 within 1 hop (try a larger --max-hops)" in none, none


def test_reach_from_a_region_given_as_a_person_says_so(db, tmp_path):
    """`reach X --from 杭州市` said only 未找到人员: 杭州市; the value names a region, so the message says so and points
    to --from-region, in Chinese and English. A name that is neither stays "person not found"."""
    env = {"ZHAOSHANG_TEAM_DB": str(tmp_path / "team.sqlite")}
    zh = run("reach", "目标科技有限公司", "--from", "杭州市", db=db, env=env, check=False)
    assert zh.returncode == 2 and "杭州市（330100）是地区" in zh.stderr and "--from-region 杭州市" in zh.stderr, zh.stderr
    en = run("--lang", "en", "reach", "目标科技有限公司", "--from", "杭州市", db=db, env=env, check=False)
    assert en.returncode == 2 and "it is a region (330100): use --from-region 330100" in en.stderr, en.stderr
    nobody = run("reach", "目标科技有限公司", "--from", "无此人", db=db, env=env, check=False)
    assert nobody.returncode == 2 and "未找到人员: 无此人" in nobody.stderr and "地区" not in nobody.stderr


def test_a_tie_walked_backwards_keeps_its_relations_direction(db, tmp_path):
    """A path walks a tie either way; its hop says the relation's own way: 目标 ←投资— 杭州引导基金 —投资→ 本地甲 (the
    fund invested in both), never 目标 —投资→ the fund. The JSON says it (direction: along, against, both, or null
    for a relation without one) and the table draws it; the two enterprises are 企业 A and B, not person records."""
    env = {"ZHAOSHANG_TEAM_DB": str(tmp_path / "team.sqlite")}
    doc = run_json("reach", "--between", "1", "--between", "2", "--k", "10", db=db, env=env)
    hops = {tuple(h["to"]["name"] for h in p["hops"]): p["hops"] for p in doc["pairs"][0]["paths"]}
    fund = hops[("杭州引导基金", "本地甲科技有限公司")]
    assert [(h["relation"], h["direction"]) for h in fund] == [("investment", "against"), ("investment", "along")]
    assert fund[0]["evidence"][0]["table"] == "fundings" and fund[0]["evidence"][0]["id"] == 1  # the target's round
    chair = hops[("张伟", HOSTILE, "本地甲科技有限公司")]  # the target to its chair, colleagues, an executive to his firm
    assert [(h["relation"], h["direction"]) for h in chair] == [("chairman", "against"), ("colleague", None),
                                                                 ("executive", "along")]
    out = run("reach", "--between", "1", "--between", "2", "--k", "10", db=db, env=env).stdout
    flat = "".join(out.split())
    assert "目标科技有限公司←投资—杭州引导基金—投资→本地甲科技有限公司" in flat, out
    assert "目标科技有限公司←董事长—张伟—同任职（同一企业）→" in flat, out
    assert "企业A目标科技有限公司" in flat and "企业B本地甲科技有限公司" in flat and "记录" not in flat, out
    # the chair's route (0.9 × 0.7 × 0.6, its colleagues' tenure aside: 0.377969) with two decimals in the table, as
    # the pages and a lead's reasons print a path's strength; the CSV and the JSON keep the full value
    strengths = [p["strength"] for p in doc["pairs"][0]["paths"]]
    assert strengths[0] == 0.377969 and "强度0.38" in flat and "0.377" not in flat, out
    csv_rows = list(csv.DictReader(io.StringIO(run("reach", "--between", "1", "--between", "2", "--k", "10", "--format",
                                                   "csv", db=db, env=env).stdout)))
    assert [float(r["strength"]) for r in csv_rows] == strengths, csv_rows
    # each office a hop rests on in the answer's language: the title as written in Chinese, in English as the profile's
    # people card says it (a title of known words by them alone, else the role's label with the title beside it); a
    # colleagues' record names their enterprise
    assert [[ev["note"] for ev in h["evidence"]] for h in chair] == [["董事长"], ["目标科技有限公司"], ["总监"]], chair
    en_doc = run_json("--lang", "en", "reach", "--between", "1", "--between", "2", "--k", "10", db=db, env=env)
    en_chair = next(p["hops"] for p in en_doc["pairs"][0]["paths"]
                    if tuple(h["to"]["name"] for h in p["hops"]) == ("张伟", HOSTILE, "本地甲科技有限公司"))
    assert [[ev["note"] for ev in h["evidence"]] for h in en_chair] == [["chairman"], ["目标科技有限公司"],
                                                                         ["executive (总监)"]], en_chair
    # an office no role code names (the importer reads 合伙人 as other): in English its own English word, as the
    # chair's is said (partner); an unknown one as written — never "other (合伙人)"; in Chinese as written
    from zhaoshang.core.importers.relations import normalize_role
    from zhaoshang.interfaces.labels import evidence_note, role_text, title_text

    for title, en_text in (("合伙人", "partner"), ("普通合伙人、股东", "general partner, shareholder"),
                           ("经纪人", "经纪人"), ("合伙人、经纪人", "合伙人、经纪人")):
        role = normalize_role(title)
        assert role == "other", title
        assert evidence_note({"table": "roles", "role": role, "note": title}, "en") == en_text
        assert role_text(role, title, "en") == title_text(title, "en") == en_text
        assert role_text(role, title, "zh") == title_text(title, "zh") == title
    assert role_text("other", None, "en") == "other" and role_text("chairman", "董事长", "en") == "chairman"
    # a title of several offices says every one, with no Chinese where each has its words (创始人、董事长 read
    # "founder (创始人、董事长)"); a title that is the role's own label adds nothing; an unknown part keeps the title
    assert role_text("founder", "创始人、董事长", "en") == "founder, chairman"
    assert role_text("founder", "创始人、CEO", "en") == "founder, CEO"
    assert role_text("legal_rep", "法定代表人", "en") == "legal representative"
    assert role_text("founder", "创始人、经纪人", "en") == "founder (创始人、经纪人)"
    assert role_text("founder", "创始人、董事长", "zh") == "创始人、董事长"
    en = "".join(run("--lang", "en", "reach", "--between", "1", "--between", "2", "--k", "10", db=db, env=env).stdout.split())
    assert "目标科技有限公司←investment—杭州引导基金—investment→本地甲科技有限公司" in en, en
    assert "EnterpriseA目标科技有限公司" in en and "Record" not in en, en
    # a holding walked from the held: 目标 ←股东— 控股丙 (控股丙 holds 60 % of the target)
    held = run_json("reach", "--between", "目标科技有限公司", "--between", "控股丙有限公司", db=db, env=env)
    first = held["pairs"][0]["paths"][0]["hops"]
    assert [(h["to"]["name"], h["relation"], h["direction"]) for h in first] == [("控股丙有限公司", "shareholder", "against")]
    back = run_json("reach", "--between", "控股丙有限公司", "--between", "目标科技有限公司", db=db, env=env)
    assert back["pairs"][0]["paths"][0]["hops"][0]["direction"] == "along"


def test_a_tie_of_records_both_ways_has_both_directions(tmp_path):
    """A cross-holding (each enterprise holds shares of the other) is one tie of records of each way: ``both`` from
    either end, drawn ←股东→; a one-way holding is along from the holder, against from the held."""
    s = Store(build(tmp_path / "g.duckdb"))
    s.con.execute("INSERT INTO shareholdings (id, enterprise_id, enterprise_name, holder_name, holder_type, "
                  "holder_enterprise_id, percent, start_date, source, source_key, import_id) VALUES "
                  "(3, 4, '控股丙有限公司', '目标科技有限公司', 'enterprise', 1, 5, DATE '2019-01-01', 's1', 'h3', 1)")
    g = build_graph(s, "2024-12-31")
    e1, e4, p12 = g.index("e:1"), g.index("e:4"), g.index("p:12")
    ties = {(g.edge(e)["relation"], frozenset((g.edge(e)["a"], g.edge(e)["b"]))): e for e in range(g.m)}
    cross = ties[("shareholder", frozenset((e1, e4)))]
    assert g.direction(cross, e1) == g.direction(cross, e4) == "both"
    one = ties[("shareholder", frozenset((e4, p12)))]  # 周杰 holds 80 % of 控股丙
    assert (g.direction(one, p12), g.direction(one, e4)) == ("along", "against")
    from zhaoshang.services.graph.reach import arrow

    assert (arrow("both", "股东"), arrow("against", "股东"), arrow("along", "股东"), arrow(None, "同任职")) == (
        "←股东→", "←股东—", "—股东→", "—同任职→")
    s.close()


def test_reach_without_a_path_says_why(db, tmp_path):
    """Why there is no path is the service's answer (no_path), in both languages — none within the hops from the
    region's starts, named with their number and the key persons' — printed by the command line and (test_graph_web)
    shown on the relations page."""
    env = {"ZHAOSHANG_TEAM_DB": str(tmp_path / "team.sqlite")}
    args = ("reach", "控股丙有限公司", "--from-region", "杭州市")  # its key persons lie 3 hops from 杭州市
    doc = run_json(*args, "--max-hops", "2", db=db, env=env)
    assert doc["paths"] == [] and doc["no_path"]["case"] == "hops"
    assert doc["no_path"]["reason"] == "从杭州市的 10 个起点到 2 位关键人，2 跳内没有路径"
    assert doc["no_path"]["reason_en"] == "no path within 2 hops from the 10 starts of Hangzhou to the 2 key persons"
    out = "".join(run(*args, "--max-hops", "2", db=db, env=env).stdout.split())
    assert "从杭州市的10个起点到2位关键人，2跳内没有路径（可加大--max-hops" in out, out
    assert run_json("reach", "控股丙有限公司", "--from-region", "拉萨市", db=db, env=env)["no_path"]["case"] == "no_start"
    full = run_json(*args, "--max-hops", "3", db=db, env=env)
    assert full["paths"] and full["no_path"] is None


def test_a_name_held_by_two_persons_is_never_guessed(store):
    from zhaoshang.core.errors import UserError

    with pytest.raises(UserError) as exc:
        reach(store, 1, person="张伟")
    assert "p:1" in str(exc.value) and "p:3" in str(exc.value)
    assert reach(store, 1, person="p:3", as_of="2024-12-31")["from"]["person"] == "p:3"


def test_two_records_of_one_linked_person_are_one_node(store):
    """赵强 p:6 and p:7 (roles at the target, tenures overlapping) are one person: one node of the graph view,
    as in the key-person list; expanding either record expands both, without a tie to itself."""
    doc = neighbours(store, "e:1", as_of="2024-12-31", limit=200)
    zhao = [x for x in doc["neighbours"] if x["node"]["name"] == "赵强"]
    assert len(zhao) == 1 and zhao[0]["node"]["key"] == "p:6" and zhao[0]["node"]["records"] == ["p:6", "p:7"]
    assert zhao[0]["ties"] == 2 and zhao[0]["from"]["key"] == "e:1"
    keys = [x["node"]["key"] for x in doc["neighbours"]]
    assert doc["total"] == len(keys) == len(set(keys))
    strengths = [x["strength"] for x in doc["neighbours"]]
    assert strengths == sorted(strengths, reverse=True)
    assert [x["node"]["key"] for x in neighbours(store, "e:1", as_of="2024-12-31", offset=1, limit=2)["neighbours"]] == keys[1:3]
    # the patent's inventor 张伟, linked to the chair p:1 only, is drawn as the chair: one node with both ties
    zhang = {x["node"]["key"]: x for x in doc["neighbours"] if x["node"]["name"] == "张伟"}
    assert set(zhang) == {"p:1"} and zhang["p:1"]["node"]["records"] == ["p:1", "v:张伟@1"] and zhang["p:1"]["ties"] == 2
    assert neighbours(store, "v:张伟@1", as_of="2024-12-31")["node"]["key"] == "p:1"
    for key in ("p:6", "p:7"):
        d = neighbours(store, key, as_of="2024-12-31")
        assert d["node"]["key"] == "p:6" and d["node"]["records"] == ["p:6", "p:7"]
        assert not {"p:6", "p:7"} & {x["node"]["key"] for x in d["neighbours"]}
        assert {x["from"]["key"] for x in d["neighbours"]} <= {"p:6", "p:7"}
    assert "records" not in neighbours(store, "p:3", as_of="2024-12-31")["node"]  # a namesake kept apart


def test_reach_from_a_name_all_of_whose_records_are_one_person(store):
    from zhaoshang.core.errors import UserError

    doc = reach(store, 1, person="陈明", as_of="2024-12-31")  # p:8 and p:9, linked by a shared co-director
    assert doc["from"]["origins"] == 2
    assert doc["paths"] and doc["paths"][0]["origin"]["key"] in ("p:8", "p:9")
    for name, listed in (("张伟", "p:1、p:3"), ("王芳", "p:4、p:5")):  # other gender and age; the name only
        with pytest.raises(UserError) as exc:
            reach(store, 1, person=name)
        assert str(exc.value).startswith("同名的不同人员 2 位") and str(exc.value).endswith(listed)


def test_people_confirm_and_split_are_kept_and_audited(db, tmp_path):
    env = {"ZHAOSHANG_TEAM_DB": str(tmp_path / "team.sqlite")}
    run("people", "split", "p:6", "p:7", "--reason", "两位同名董事", db=db, env=env)
    from zhaoshang.core.teamstate import open_team_db
    from zhaoshang.services.graph.identity import decide
    from zhaoshang.services.team import audit

    team = open_team_db(str(tmp_path / "team.sqlite"))
    with Store(db, read_only=True) as s:
        decide(s, team, "4", "p:5", "confirm", "电话核实", "analyst1")
    doc = run_json("people", "links", db=db, env=env)
    apart = {(x["a"], x["b"]): x for x in doc["apart"]}
    linked = {(x["a"], x["b"]): x for x in doc["links"]}
    assert apart[(6, 7)]["why"] == "split" and linked[(4, 5)]["confidence"] == 1.0
    actions = [e["action"] for e in audit.search(team)["rows"]]
    assert "person.split" in actions and "person.confirm" in actions
    # the table gives each reason in the UI language (it printed same_enterprise_tenure, name_only); CSV keeps codes
    wide = {**env, "COLUMNS": "250"}
    table = run("people", "links", db=db, env=wide).stdout
    said = ("人工确认为同一人", "同一企业任职且任期重叠", "性别或出生年份不同", "有共同的董监高同事")
    assert all(w in table for w in said) and not re.search(r"[a-z]_[a-z]|confirmed", table), table
    # the split pair says so first (it read 同一企业任职且任期重叠 alone, as if linked)
    rows = list(csv.DictReader(io.StringIO(run("people", "links", "--format", "csv", db=db, env=env).stdout)))
    assert next(r for r in rows if (r["a"], r["b"]) == ("p:6", "p:7"))["reasons"].startswith("split")
    assert next(r for r in rows if (r["a"], r["b"]) == ("p:4", "p:5"))["reasons"].split("、")[0] != "split"
    en = run("--lang", "en", "people", "links", db=db, env=wide).stdout
    assert "overlapping tenures at one enterprise" in en and "gender or birth year differ" in en, en
    codes = {c for r in csv.DictReader(io.StringIO(run("people", "links", "--format", "csv", db=db, env=env).stdout))
             for c in r["reasons"].split("、")}
    assert {"confirmed", "same_enterprise_tenure", "gender_or_birth_year_differ"} <= codes and not any(re.search(r"[\u4e00-\u9fff]", c) for c in codes), codes
    with Store(db, read_only=True) as s, pytest.raises(Exception, match="不同|differ"):
        decide(s, team, "p:6", "6", "split", None, "analyst1")


def test_the_graph_is_rebuilt_after_an_import(db, tmp_path):
    from zhaoshang.services.graph.build import graph_for

    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(db.read_bytes())
    s = Store(copy)
    try:
        g1 = graph_for(s, "2024-12-31")
        assert graph_for(s, "2024-12-31") is g1  # kept while nothing changes
        s.con.execute("INSERT INTO imports (id, kind, source, data_date) VALUES (2, 'roles', 's3', DATE '2024-12-31')")
        s.con.execute("INSERT INTO roles VALUES (99, 2, '李娜', 3, '上海乙科技有限公司', 'director', '董事', "
                      "DATE '2023-01-01', NULL, 's3', 'r99', 2)")
        g2 = graph_for(s, "2024-12-31")
        assert g2 is not g1 and g2.m > g1.m and g2.index("e:3") is not None
    finally:
        s.close()


def test_a_link_between_two_records_of_one_person_is_no_hop(store):
    """A contact who is the key person is reached with no hop, never via the identity link to the other record
    (which would rank a needless hop beside or above it); a start given by name starts at the linked record that
    reaches furthest, not through the link."""
    doc = reach(store, 1, contacts=[{"姓名": "赵强", "所在企业": "目标科技有限公司"}], as_of="2024-12-31")
    first = [p["hops"][0]["relation"] for p in doc["paths"] if p["hops"]]
    assert doc["paths"][0]["length"] == 0 and doc["paths"][0]["strength"] == 1.0
    assert doc["paths"][0]["origin"]["name"] == "赵强" and "same_person" not in first
    doc = reach(store, 1, person="陈明", as_of="2024-12-31", k=6)
    assert all(p["hops"][0]["relation"] != "same_person" for p in doc["paths"])
    assert len({tuple(h["to"]["key"] for h in p["hops"]) for p in doc["paths"]}) == len(doc["paths"])


def test_two_records_of_one_person_are_one_path(store):
    """赵强 p:6 and p:7 are one person in office at the target in 2020: a contact, a start by name or the region's
    side reaches him once — not once per record, which took a place of the k best from another person."""
    for kw in ({"contacts": [{"姓名": "赵强", "所在企业": "目标科技有限公司"}]}, {"person": "赵强"}):
        doc = reach(store, 1, as_of="2020-06-30", k=5, **kw)
        zhao = [p for p in doc["paths"] if p["target"]["name"] == "赵强" and p["length"] == 0]
        assert len(zhao) == 1, (kw, [(p["origin"]["key"], p["target"]["key"]) for p in doc["paths"]])
    # from the region the target lies in, neither record is a start (its own people are no way in: each was a path of
    # no hop), and no other start reaches him twice
    doc = reach(store, 1, as_of="2020-06-30", k=5, from_region="110000")
    assert doc["in_region"] and not [p for p in doc["paths"] if p["length"] == 0 or p["origin"]["name"] == "赵强"]
    to_zhao = [tuple(h["to"]["key"] for h in p["hops"]) for p in doc["paths"] if p["target"]["name"] == "赵强"]
    assert len(to_zhao) <= 1, to_zhao


def test_a_route_through_another_kind_of_record_of_one_person_is_the_same_route(tmp_path):
    """孙丽 is the legal representative of 本地甲 (p:30) and the bureau's contact there (c:1), linked as one
    person. From her, the route 孙丽 → 本地甲 → its executive is one path — not again as 孙丽 → (the same person)
    → contact 孙丽 → 本地甲 → the same executive, which took a place of the k best."""
    db = build_with_contact_in_office(tmp_path / "g.duckdb", "legal_rep")
    with Store(db, read_only=True) as s:
        doc = reach(s, 1, person="p:30", as_of="2024-12-31", k=10)
    hops = [[(h["relation"], h["to"]["key"]) for h in p["hops"]] for p in doc["paths"]]
    assert [("legal_rep", "e:2"), ("executive", "p:13")] in hops, hops
    assert [("same_person", "c:1"), ("contact_at", "e:2"), ("executive", "p:13")] not in hops, hops
    # the routes as the persons and enterprises they pass: each once
    routes = [tuple(h["to"]["name"] for h in p["hops"] if h["relation"] != "same_person") for p in doc["paths"]]
    assert len(set(routes)) == len(routes), hops


def test_between_answers_alike_in_either_order(store):
    """The pair searched from the same end whichever order it is given in, each path read from a to b."""
    from zhaoshang.services.graph.reach import between

    one = between(store, [1, 2], k=3, as_of="2024-12-31")["pairs"][0]["paths"]
    two = between(store, [2, 1], k=3, as_of="2024-12-31")["pairs"][0]["paths"]
    assert one and [p["strength"] for p in one] == [p["strength"] for p in two]
    assert [[h["to"]["key"] for h in p["hops"]][:-1] for p in one] == \
        [[h["from"]["key"] for h in p["hops"]][::-1][:-1] for p in two]
    assert all(p["origin"]["key"] == "e:1" for p in one) and all(p["origin"]["key"] == "e:2" for p in two)


def test_reach_contacts_read_as_the_importers_read_a_file(db, tmp_path):
    """A contacts CSV saved by Excel on Chinese Windows (GBK) is read as the import reads it; a file without the
    name or the enterprise column says which is missing, and what columns it has — one line, exit 2."""
    env = {"ZHAOSHANG_TEAM_DB": str(tmp_path / "team.sqlite")}
    gbk = tmp_path / "c_gbk.csv"
    gbk.write_bytes("姓名,单位\n赵强,目标科技有限公司\n".encode("gbk"))
    doc = run_json("reach", "目标科技有限公司", "--contacts", gbk, "--as-of", "2024-12-31", db=db, env=env)
    assert doc["paths"][0]["origin"]["name"] == "赵强" and doc["paths"][0]["length"] == 0
    half = tmp_path / "c_half.csv"
    half.write_text("姓名,备注\n赵强,老同学\n", encoding="utf-8")
    for lang, words in (("zh", "联系人文件缺少列: 所在企业（可写作 所在企业、单位、enterprise、organisation；文件的列: 姓名、备注）"),
                        ("en", "the contacts file lacks the column enterprise (or 所在企业, 单位, enterprise, organisation; "
                               "its columns: 姓名, 备注)")):
        bad = run("--lang", lang, "reach", "目标科技有限公司", "--contacts", half, db=db, env=env, check=False)
        assert bad.returncode == 2 and words in bad.stderr and len(bad.stderr.strip().splitlines()) == 1, bad.stderr


def test_reach_contacts_name_the_contacts_not_found_and_hint_no_contacts_again(db, tmp_path):
    """A contacts file (GBK) of two rows, one at a company the database does not hold: the command names that row
    and company (it said only 从联系人的 1 个起点…), in --format json too; with no path, the hint does not suggest
    --contacts to a user who gave it (…或用 --contacts 从自己的联系人出发), as it still does from a region."""
    env = {"ZHAOSHANG_TEAM_DB": str(tmp_path / "team.sqlite")}
    f = tmp_path / "c.csv"
    f.write_bytes("姓名,所在企业\n王五,上海乙科技有限公司\n李四,不存在的公司\n".encode("gbk"))
    args = ("reach", "目标科技有限公司", "--contacts", f, "--as-of", "2024-12-31", "--max-hops", "1")
    for lang, said, hint in (
            ("zh", "未能匹配的联系人 1 个，未作为起点：第 3 行 李四（不存在的公司）：库中没有这家企业", "1 跳内没有路径（可加大 --max-hops）"),
            ("en", "1 contact not matched, not used as a start: row 3 李四 (不存在的公司): no such enterprise in the database",
             "(try a larger --max-hops)")):
        out = run("--lang", lang, *args, db=db, env={**env, "COLUMNS": "400"})
        assert said in out.stderr and hint in out.stdout and "--contacts" not in out.stdout, (out.stdout, out.stderr)
    doc = run_json(*args, db=db, env=env)
    assert doc["no_path"]["case"] == "hops" and doc["from"]["origins"] == 1
    assert doc["from"]["unmatched"] == [{"row": 3, "name": "李四", "enterprise": "不存在的公司", "reason": "not_found"}]
    # from a region (or a person) the hint still offers --contacts
    from zhaoshang.interfaces.cli.graph import _no_path_reason

    why = {**doc["no_path"], "reason": "从杭州市的 825 个起点到 5 位关键人，4 跳内没有路径"}
    assert _no_path_reason({"no_path": why, "from": {**doc["from"], "contacts": None, "region": "杭州市"}}).endswith(
        "（可加大 --max-hops，或用 --contacts 从自己的联系人出发）")
    # no contact found at all: the refusal names them too
    none = tmp_path / "none.csv"
    none.write_text("姓名,所在企业\n李四,不存在的公司\n,\n", encoding="utf-8")
    bad = run("reach", "目标科技有限公司", "--contacts", none, db=db, env=env, check=False)
    assert bad.returncode == 2 and "第 2 行 李四（不存在的公司）：库中没有这家企业" in bad.stderr, bad.stderr


def test_people_confirm_of_two_different_names_is_refused(db, tmp_path):
    """张伟 (p:1) and 李娜 (p:2): the rules pair records of one name only, so a confirm of these would be recorded,
    audited and do nothing — a mistyped id taken for a decision. It is refused, naming both, and nothing is kept."""
    env = {"ZHAOSHANG_TEAM_DB": str(tmp_path / "team.sqlite")}
    for decision in ("confirm", "split"):
        bad = run("people", decision, "p:1", "p:2", "--reason", "test", db=db, env=env, check=False)
        assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1, bad.stderr
        assert "两条记录的姓名不同（p:1 张伟、p:2 李娜）" in bad.stderr, bad.stderr
    en = run("--lang", "en", "people", "confirm", "p:1", "p:2", db=db, env=env, check=False)
    assert "the two records have different names (p:1 张伟, p:2 李娜)" in en.stderr, en.stderr
    from zhaoshang.core.teamstate import open_team_db
    from zhaoshang.services.team import audit

    assert not [e for e in audit.search(open_team_db(env["ZHAOSHANG_TEAM_DB"]))["rows"] if e["action"].startswith("person.")]


def test_an_identity_hops_evidence_is_in_words(tmp_path):
    """The evidence of a same-person link says what links the two records in the user's language (联系人在其任职企业),
    not the rule's code (contact_same_enterprise) beside the internal source and table (identity persons). Between two
    records under one name (孙丽 the contact, 孙丽 the officer) it is no hop of the path — 孙丽 —同一人的另一条记录→ 孙丽
    read as nothing to follow, on every view — but a note on the record the path goes on from (``same_person``)."""
    db = build_with_contact_in_office(tmp_path / "g.duckdb")
    said, named = {}, {}
    with Store(db, read_only=True) as s:
        for lang in ("zh", "en"):
            doc = reach(s, 1, person="p:30", as_of="2024-12-31", k=10, lang=lang)
            hops = [h for p in doc["paths"] for h in p["hops"]]
            assert not [h for h in hops if h["relation"] == "same_person" and h["from"]["name"] == h["to"]["name"]]
            assert all(p["length"] == len(p["hops"]) for p in doc["paths"])
            for p in doc["paths"]:  # each hop shown goes on from where the one before it ended, by name
                ends = [p["origin"]["name"]] + [h["to"]["name"] for h in p["hops"]]
                assert [h["from"]["name"] for h in p["hops"]] == ends[:-1], p
            notes = [n for p in doc["paths"] for node in [p["target"]] + [h["from"] for h in p["hops"]]
                     for n in node.get("same_person") or []]
            said[lang] = [(e["text"], e["note"]) for n in notes for e in n["evidence"]]
            named[lang] = {n["relation_label"] for n in notes}
            assert {n["record"]["key"] for n in notes} == {"p:30"}, notes  # the start, noted on its contact record
    assert said["zh"] and set(said["zh"]) == {("身份关联", "联系人在其任职企业")}, said
    assert set(said["en"]) == {("identity link", "a contact at the enterprise of a role")}, said
    # the link itself said plainly, without brackets in the brackets of a path written in a line (同一人（身份关联）)
    assert named == {"zh": {"同一人的另一条记录"}, "en": {"the same person under another record"}}, named
    # the command line prints the path without the hop (it printed 孙丽 —同一人的另一条记录→ 孙丽 —联系人所在企业→ …)
    out = run("reach", "1", "--from", "p:30", "--as-of", "2024-12-31", "--k", "10", db=db, env={"COLUMNS": "400"}).stdout
    assert "孙丽" in out and "同一人的另一条记录" not in out, out
    # but says, after the name, the other record the path went through, as the relations page says it under the person
    assert "孙丽 · 同一人（另一条记录：人员 孙丽；联系人在其任职企业；强度 0.90） —" in out, out


def test_between_one_enterprise_twice_is_refused_and_own_contacts_are_named_as_such(db, store, tmp_path):
    """An enterprise with itself is no connection (it answered one "path" of strength 1); the user's own contacts
    start their paths as 我的联系人, not as the bureau's contacts (招商局联系人)."""
    env = {"ZHAOSHANG_TEAM_DB": str(tmp_path / "team.sqlite")}
    for args in (("--between", "1", "--between", "1"), ("--between", "1", "--between", "目标科技有限公司", "--between", "2")):
        bad = run("reach", *args, db=db, env=env, check=False)
        assert bad.returncode == 2 and "--between 的企业须各不相同" in bad.stderr, bad.stderr
    doc = reach(store, 1, contacts=[{"姓名": "赵强", "所在企业": "目标科技有限公司"},
                                    {"姓名": "孙丽", "所在企业": "本地甲科技有限公司"}], as_of="2024-12-31", k=10)
    kinds = {p["origin"]["name"]: p["origin"]["kind_label"] for p in doc["paths"]}
    assert kinds["赵强"] == "我的联系人" and kinds["本地甲科技有限公司"] == "我的联系人所在企业", kinds
    assert "招商局联系人" not in kinds.values()


def test_reach_strengths_on_the_demo_equal_one_reach_per_lead(tmp_path, demo_copy):
    """On the demo's leads, for a city and a province at two dates: the batched reachability (the region's side,
    the key persons of all leads and each best path's evidence read once) gives every lead the same result —
    strength, path, origin and evidence — as the full ``reach`` of that lead alone."""
    from zhaoshang.services.leads.mine import candidate_rows

    db = demo_copy(tmp_path / "demo.duckdb")
    with Store(str(db), read_only=True) as s:
        found = 0
        for region, as_of in (("330100", None), ("110000", "2023-06-30")):
            c = candidate_rows(s, region, limit=15, as_of=as_of)
            ids = [r["enterprise_id"] for r in c["rows"]]
            many = reach_strengths(s, ids, region, as_of=c["as_of"])
            assert list(many) == ids
            for i in ids:
                assert dumps(many[i]) == dumps(reach_strength(s, i, region, as_of=c["as_of"])), (region, i)
            found += sum(x is not None and len(x.evidence) > 1 for x in many.values())
        assert found >= 5  # paths of several hops, each with its records, were compared


def test_a_hop_over_an_office_says_the_title_its_record_gives(tmp_path, demo_copy):
    """A path on the demo through a co-founder (a founder record titled 联合创始人) said "←创始人—": the hop named the
    relation's type only. It says the title, as the profile's people card words the office: ←联合创始人— in
    Chinese, ←co-founder— in English (the title's own words, not its role's), in the table and in the JSON; the
    record's note as the people card says it (co-founder)."""
    db = demo_copy(tmp_path / "demo.duckdb")
    with Store(str(db), read_only=True) as s:
        firms = [r[0] for r in s.con.execute("SELECT DISTINCT enterprise_id FROM roles WHERE title = '联合创始人' "
                                             "ORDER BY 1 LIMIT 12").fetchall()]
        cofounded = lambda d: [p for p in d["paths"] for h in p["hops"]  # noqa: E731
                               if [ev["note"] for ev in h["evidence"] or []] == ["联合创始人"]]
        eid = next(e for e in firms if cofounded(reach(s, e, from_region="330100")))
    zh = "".join(run("reach", str(eid), "--from-region", "330100", db=db).stdout.split())
    assert "←联合创始人—" in zh and "←创始人—" not in zh, zh
    doc = run_json("--lang", "en", "reach", str(eid), "--from-region", "330100", db=db)
    hops = [h for p in doc["paths"] for h in p["hops"] if h.get("title") == "联合创始人"]
    assert hops and {(h["relation"], h["relation_label"], h["relation_arrow"]) for h in hops} == {
        ("founder", "co-founder", "←co-founder—")}, hops
    assert {ev["note"] for h in hops for ev in h["evidence"]} == {"co-founder"}, hops
    en = "".join(run("--lang", "en", "reach", str(eid), "--from-region", "330100", db=db).stdout.split())
    assert "←co-founder—" in en and "←founder—" not in en, en


def test_reach_contacts_below_a_title_line_and_named_by_their_file_line(db, tmp_path):
    """A contacts file with a line 「我的联系人名单」 above its header (姓名,单位) is read from the header below it, as
    ``import`` reads a file; a contact not found is named by the file's line — title and blank lines counted."""
    env = {"ZHAOSHANG_TEAM_DB": str(tmp_path / "team.sqlite")}
    titled = tmp_path / "titled.csv"
    titled.write_bytes("我的联系人名单\n姓名,单位\n赵强,目标科技有限公司\n".encode("gbk"))
    doc = run_json("reach", "目标科技有限公司", "--contacts", titled, "--as-of", "2024-12-31", db=db, env=env)
    assert doc["paths"][0]["origin"]["name"] == "赵强" and doc["from"]["unmatched"] == []
    gap = tmp_path / "gap.csv"
    gap.write_bytes("姓名,单位\r\n赵强,目标科技有限公司\r\n王五,上海乙科技有限公司\r\n\r\n李四,不存在的公司\r\n".encode("gbk"))
    doc = run_json("reach", "目标科技有限公司", "--contacts", gap, "--as-of", "2024-12-31", db=db, env=env)
    assert doc["from"]["unmatched"] == [{"row": 5, "name": "李四", "enterprise": "不存在的公司", "reason": "not_found"}]
    both = tmp_path / "both.csv"
    both.write_text("我的联系人名单\n\n姓名,单位\n赵强,目标科技有限公司\n\n李四,不存在的公司\n", encoding="utf-8")
    out = run("reach", "目标科技有限公司", "--contacts", both, "--as-of", "2024-12-31", db=db, env={**env, "COLUMNS": "400"})
    assert "第 6 行 李四（不存在的公司）：库中没有这家企业" in out.stderr, out.stderr
