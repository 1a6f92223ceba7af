"""Cooperation network: metrics on hand-built graphs with independently computed expectations, edges from a
small database filled through the schema, and the investment machinery on the real Crunchbase 2013 pairs."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from cli_util import run

from zhaoshang.core.errors import UserError
from zhaoshang.services.analytics.network import edges_from_store, network, network_metrics, trend_direction


def pagerank_power(nodes, edges, directed, d=0.85, iters=500):
    """Weighted PageRank by power iteration (dangling mass spread evenly)."""
    n = len(nodes)
    ix = {v: i for i, v in enumerate(nodes)}
    W = np.zeros((n, n))
    for a, b, w in edges:
        W[ix[a], ix[b]] += w
        if not directed:
            W[ix[b], ix[a]] += w
    out = W.sum(1)
    pr = np.full(n, 1 / n)
    for _ in range(iters):
        dangling = pr[out == 0].sum()
        flow = (pr[out > 0] / out[out > 0]) @ W[out > 0]
        pr = (1 - d) / n + d * (flow + dangling / n)
    return dict(zip(nodes, pr))


UND = [("A", "B", 2.0, 2018), ("B", "C", 1.0, 2018), ("C", "A", 1.0, 2019), ("C", "D", 3.0, 2019),
       ("B", "A", 1.0, 2019), ("D", "D", 5.0, 2019)]


def as_edges(t):
    return [{"src": a, "dst": b, "w": w, "year": y} for a, b, w, y in t]


def test_undirected_metrics_by_hand():
    doc = network_metrics(as_edges(UND), group=["A", "B"])
    # A–B 3 (2 + 1, either order), B–C 1, A–C 1, C–D 3; the D–D loop is not an edge.
    assert doc["edges_count"] == 4 and doc["regions"] == 4
    assert doc["density"] == pytest.approx(4 / 6)
    assert doc["internal_share"] == pytest.approx(3 / 5)            # inside / touching the group
    assert doc["external_output_share"] == pytest.approx((4 + 4) / 16)   # strengths A 4, B 4 of 16
    assert doc["group_density"] == 1.0
    nodes = {r["region"]: r for r in doc["nodes"]}
    assert {k: r["strength"] for k, r in nodes.items()} == {"A": 4, "B": 4, "C": 5, "D": 3}
    assert {k: r["degree"] for k, r in nodes.items()} == {"A": 2, "B": 2, "C": 3, "D": 1}
    # Shortest paths with cost 1/weight: D reaches A and B only through C; A–C direct (1) beats A–B–C (1.33).
    assert nodes["C"]["betweenness"] == 2 and nodes["A"]["betweenness"] == 0
    pr = pagerank_power(list("ABCD"), [("A", "B", 3), ("B", "C", 1), ("A", "C", 1), ("C", "D", 3)], False)
    for k in "ABCD":
        assert nodes[k]["pagerank"] == pytest.approx(pr[k], abs=1e-9)
    assert [e["weight"] for e in doc["edges"]] == [3, 3, 1, 1]
    # C is outside the group with PageRank above 1/4; D is not above it.
    assert doc["secondary_nodes"] == ["C"] and pr["D"] < 0.25 < pr["C"]


def test_directed_metrics_and_trend():
    edges = as_edges([("A", "B", 4, 2015), ("A", "C", 1, 2015), ("B", "C", 2, 2016), ("C", "A", 1, 2016),
                      ("D", "A", 2, 2016)])
    doc = network_metrics(edges, directed=True, group=["A", "B"])
    assert doc["density"] == pytest.approx(5 / 12)
    assert doc["internal_share"] == pytest.approx(4 / 10)
    assert doc["external_output_share"] == pytest.approx((4 + 1 + 2) / 10)   # weight leaving A or B
    nodes = {r["region"]: r for r in doc["nodes"]}
    assert nodes["A"]["out_strength"] == 5 and nodes["A"]["in_strength"] == 3
    pr = pagerank_power(list("ABCD"), [(e["src"], e["dst"], e["w"]) for e in edges], True)
    for k in "ABCD":
        assert nodes[k]["pagerank"] == pytest.approx(pr[k], abs=1e-9)
    years = {r["year"]: r for r in doc["trend"]}
    assert years[2015]["internal_share"] == pytest.approx(0.8) and years[2016]["internal_share"] == 0.0
    # strength HHI: 2015 A 5, B 4, C 1 of 10; 2016 A 3, B 2, C 3, D 2 of 10.
    assert years[2015]["strength_hhi"] == pytest.approx(0.25 + 0.16 + 0.01)
    assert years[2016]["strength_hhi"] == pytest.approx(0.09 + 0.04 + 0.09 + 0.04)
    assert trend_direction(doc["trend"]) == "diffusion"


def test_empty_network():
    doc = network_metrics([], group=["A"])
    assert doc["regions"] == 0 and doc["nodes"] == [] and doc["internal_share"] is None and doc["density"] is None


# -- from the store --------------------------------------------------------------------------------------

def fill(s):
    """A small database filled through the schema: enterprises in Beijing, Shanghai, Guangdong and Sichuan;
    co-applied patents, fundings with investors, branches and people holding roles in two places."""
    ents = [(1, "110000", "110100"), (2, "310000", "310100"), (3, "440000", "440300"), (4, "510000", "510100"),
            (5, "440000", "440100")]
    s.con.executemany("INSERT INTO enterprises (id, name, province_code, city_code) VALUES (?, 'e' || ?, ?, ?)",
                      [(e[0], e[0], e[1], e[2]) for e in ents])
    s.con.executemany("INSERT INTO patents (id, applied) VALUES (?, ?)",
                      [(1, "2018-01-01"), (2, "2019-01-01"), (3, "2019-06-01"), (4, "2021-01-01")])
    s.con.executemany("INSERT INTO patent_applicants (patent_id, position, enterprise_id, province_code) VALUES (?, ?, ?, ?)",
                      [(1, 1, 1, None), (1, 2, 2, None), (1, 3, 3, None),   # three regions: 1/2 per pair
                       (2, 1, 1, None), (2, 2, None, "310000"),            # a university applicant by region
                       (3, 1, 3, None), (3, 2, 5, None),                    # both in Guangdong: no edge
                       (4, 1, 4, None), (4, 2, 1, None)])
    s.con.executemany("INSERT INTO investors (id, name, province_code, enterprise_id) VALUES (?, ?, ?, ?)",
                      [(1, "京投", "110000", None), (2, "深创", None, 3)])
    s.con.executemany("INSERT INTO fundings (id, enterprise_id, date) VALUES (?, ?, ?)",
                      [(1, 2, "2018-05-01"), (2, 4, "2020-05-01"), (3, 1, "2019-01-01")])
    s.con.executemany("INSERT INTO funding_investors (funding_id, investor_id) VALUES (?, ?)",
                      [(1, 1), (1, 2), (2, 2), (3, 1)])
    s.con.executemany("INSERT INTO branches (id, parent_id, child_id, province_code, date) VALUES (?, ?, ?, ?, ?)",
                      [(1, 1, None, "510000", "2017-01-01"), (2, 3, 5, None, "2018-01-01"), (3, 2, 4, None, None)])
    s.con.executemany("INSERT INTO roles (id, person_id, enterprise_id, start_date) VALUES (?, ?, ?, ?)",
                      [(1, 1, 1, "2016-01-01"), (2, 1, 3, "2016-01-01"), (3, 2, 2, None), (4, 2, 2, None)])


@pytest.fixture
def store():
    from zhaoshang.core.store import Store

    s = Store(":memory:")
    fill(s)
    yield s
    s.close()


def run_cli(db, args):
    return run(*args, db=db, check=False, timeout=120)


def test_cli(tmp_path):
    """The command on a database file filled through the schema (the same rows as the fixture)."""
    from zhaoshang.core.store import Store

    db = tmp_path / "t.duckdb"
    with Store(db) as s:
        fill(s)  # and two records of one name, in Shanghai (2) and Sichuan (4): a name alone, no shared person
        s.con.execute("INSERT INTO persons (id, name, source, source_key) VALUES (20, '钱七', 'x', '钱七@2'), "
                      "(21, '钱七', 'x', '钱七@4')")
        s.con.execute("INSERT INTO roles (id, person_id, enterprise_id) VALUES (20, 20, 2), (21, 21, 4)")
    out = run_cli(db, ["network", "--kind", "patent", "--group", "北京市,上海市", "--format", "json"])
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert {"internal_share", "external_output_share", "density", "nodes", "secondary_nodes"} <= set(doc)
    assert doc["internal_share"] == pytest.approx(1.5 / 3.5)
    bad = run_cli(db, ["network", "--kind", "patent", "--group", "火星市"])
    assert bad.returncode != 0 and "Traceback" not in bad.stderr and "火星市" in bad.stderr
    # a group of cities without --level is a network of cities (it was: 杭州市 含地市级成员…，无法在省级层级上作为一组)
    out = run_cli(db, ["network", "--group", "杭州市,深圳市", "--format", "json"])
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["level"] == "city" and json.loads(out.stdout)["group"] == ["330100", "440300"]
    asked = run_cli(db, ["network", "--level", "province", "--group", "杭州市,深圳市"])  # asked for: still refused
    assert asked.returncode == 2 and "level city" in asked.stderr
    # a negative number of secondary nodes is refused (it cut nodes from the end of the list), here and in the API
    neg = run_cli(db, ["network", "--kind", "patent", "--secondary", "-1"])
    assert neg.returncode == 2 and neg.stdout == "" and neg.stderr.splitlines()[0] == "错误: --secondary 须为 0 或正整数: -1"
    from web_util import local_client

    from zhaoshang.interfaces.web.app import create_app

    client = local_client(create_app(str(db)))
    assert client.get("/api/network", params={"kind": "patent", "secondary": -1}).status_code == 400
    # no shared people: the page says why (the identity rule), not only to check the filters; a region's partners
    # say it of their 共同任职 column when it is all 0 (Shanghai's), not where a person links the region (Beijing's)
    none = client.get("/network", params={"kind": "people", "as_of": "2015-01-01"}).text
    assert "未发现跨地区的同一人：人员仅在身份规则认定为同一人时计入" in none and "检查关系类型" not in none
    assert "检查关系类型、层级与日期" in client.get("/network", params={"kind": "patent", "as_of": "2015-01-01"}).text
    assert "共同任职均为 0：未发现在本地与伙伴地区都任职的同一人" in client.get("/region/310000").text
    people = lambda: {r["region"]: r["people"] for r in client.get("/api/region-profile/310000").json()["partners"]["rows"]}  # noqa: E731
    assert people().get("510000", 0) == 0
    # the team confirms the two 钱七 one person: the served profile shows the tie at once (it kept the cached one)
    from zhaoshang.core.store import Store as _Store
    from zhaoshang.services.graph.identity import decide

    with _Store(db, read_only=True) as s:
        decide(s, client.app.state.team, "p:20", "p:21", "confirm", None, "analyst1")
    assert people()["510000"] == 1
    assert "共同任职均为 0" not in client.get("/region/310000").text
    assert "partners-people-none" not in client.get("/region/110000").text
    full = json.loads(run_cli(db, ["network", "--kind", "patent", "--format", "json"]).stdout)["secondary_nodes"]
    one = client.get("/api/network", params={"kind": "patent", "secondary": 1})
    assert one.status_code == 200 and one.json()["secondary_nodes"] == full[:1] and len(full) > 1
    # a network with no edge (the real imports have no cross-region link of any kind) has no density: —, not None
    for lang, word in (("zh", "密度 —"), ("en", "density —")):
        empty = run(*["--lang", lang, "network", "--kind", "patent", "--as-of", "1990-01-01"], db=db, check=False, timeout=120)
        assert empty.returncode == 0 and word in " ".join(empty.stdout.split()) and "None" not in empty.stdout
    # the title names the kind by its label ("all 网络" read the code) and, in English, a macro-region group and
    # its members by their English names (it read "group Yangtze River Delta (310000, 320000, 330000, 340000)")
    zh = " ".join(run("network", "--kind", "all", db=db, timeout=120).stdout.split())
    assert "全部关系网络：" in zh and "all 网络" not in zh, zh
    en = " ".join(run("--lang", "en", "network", "--kind", "all", "--group", "长三角", db=db, timeout=120).stdout.split())
    assert "network of all links:" in en and "group Yangtze River Delta (Shanghai, Jiangsu, Zhejiang, Anhui)" in en, en


def pairs(rows):
    out = {}
    for r in rows:
        out[(r["src"], r["dst"])] = out.get((r["src"], r["dst"]), 0) + r["w"]
    return out


def test_patent_edges_are_fractional(store):
    e = pairs(edges_from_store(store, "patent", "province"))
    assert e == {("110000", "310000"): 1.5, ("110000", "440000"): 0.5, ("310000", "440000"): 0.5,
                 ("110000", "510000"): 1.0}
    e = pairs(edges_from_store(store, "patent", "province", as_of="2019-12-31"))
    assert ("110000", "510000") not in e
    e = pairs(edges_from_store(store, "patent", "city"))
    assert ("440100", "440300") in e          # the Guangdong pair is an edge between cities


def test_investment_branch_and_people_edges(store):
    inv = pairs(edges_from_store(store, "investment", "province"))
    # 京投 → Shanghai (funding 1), 深创 (Guangdong, via its enterprise) → Shanghai and → Sichuan; 京投 → Beijing is internal.
    assert inv == {("110000", "310000"): 1, ("440000", "310000"): 1, ("440000", "510000"): 1}
    assert pairs(edges_from_store(store, "investment", "province", as_of="2019-12-31")) == {
        ("110000", "310000"): 1, ("440000", "310000"): 1}
    br = pairs(edges_from_store(store, "branch", "province"))
    assert br == {("110000", "510000"): 1, ("310000", "510000"): 1}
    # The first branch only has a province: no city edge; 3 → 5 stays inside Guangdong but links two cities.
    assert pairs(edges_from_store(store, "branch", "city")) == {("440300", "440100"): 1, ("310100", "510100"): 1}
    ppl = pairs(edges_from_store(store, "people", "province"))
    assert ppl == {("110000", "440000"): 1.0}
    # as the executives' import keys them, a person record per name and enterprise: 王五 and 赵六 sit on both boards
    # of 2 (Shanghai) and 4 (Sichuan) — each the other's shared co-director, so the identity rules make each one
    # person; the two 李四 (Beijing, Guangdong) share a name only and stay two people, in no edge
    store.con.executemany("INSERT INTO persons (id, name, gender, birth_year, source, source_key) VALUES (?, ?, ?, ?, 'x', ?)",
                          [(10, "王五", "M", 1970, "王五@2"), (11, "王五", "M", 1970, "王五@4"), (12, "赵六", None, None, "赵六@2"),
                           (13, "赵六", None, None, "赵六@4"), (14, "李四", "F", 1980, "李四@1"), (15, "李四", "F", 1980, "李四@5")])
    store.con.executemany("INSERT INTO roles (id, person_id, enterprise_id) VALUES (?, ?, ?)",
                          [(10, 10, 2), (11, 11, 4), (12, 12, 2), (13, 13, 4), (14, 14, 1), (15, 15, 5)])
    assert pairs(edges_from_store(store, "people", "province")) == {("110000", "440000"): 1.0, ("310000", "510000"): 2.0}
    assert pairs(edges_from_store(store, "people", "city")) == {("110100", "440300"): 1.0, ("310100", "510100"): 2.0}
    allk = {(e["src"], e["dst"]): e["weight"] for e in network(store, "all", "province")["edges"]}
    assert allk[("310000", "510000")] == 1 + 2  # the branch and the two people


def test_network_service_with_group_names(store):
    doc = network(store, "patent", "province", group="北京市,上海")
    assert network(store, "patent", group="北京市,上海")["level"] == "province"  # not given: the group's level
    assert network(store, "patent", group="长三角,杭州市")["level"] == "city"  # the finest; a macro-region is provinces
    assert network(store, "patent")["level"] == "province"
    assert doc["group"] == ["110000", "310000"] and doc["group_names"] == ["北京市", "上海市"]
    # inside: BJ–SH 1.5; touching: 1.5 + 0.5 + 0.5 + 1 = 3.5
    assert doc["internal_share"] == pytest.approx(1.5 / 3.5)
    assert doc["external_output_share"] == pytest.approx((3 + 2) / 7)
    assert {r["region"] for r in doc["nodes"]} == {"110000", "310000", "440000", "510000"}
    assert all("name" in r for r in doc["nodes"])
    allk = network(store, "all", "province", group=["110000"])
    assert allk["weight_total"] == pytest.approx(3.5 + 3 + 2 + 1)
    with pytest.raises(UserError):
        network(store, "trade")
    with pytest.raises(UserError):
        network(store, "patent", group="火星市")


def test_crunchbase_investment_network(shared):
    """Investors that are themselves companies in the 2013 snapshot, US states as regions."""
    from zhaoshang.core.store import Store

    pairs_csv = pd.read_csv(shared("financing/crunchbase_2013/crunchbase_investments_investor_company_pairs.csv"))
    comp = pd.read_csv(shared("financing/crunchbase_2013/crunchbase_companies_2013-10.csv"))
    comp = comp[(comp.country_code == "USA") & comp.state_code.notna()].drop_duplicates("name")
    state = comp.set_index("name").state_code
    p = pairs_csv.assign(src=pairs_csv.investor_name.map(state), dst=pairs_csv.company_name.map(state))
    p = p.dropna(subset=["src", "dst"]).reset_index(drop=True)
    assert len(p) > 500

    s = Store(":memory:")
    names = sorted(set(p.company_name) | set(p.investor_name))
    eid = {n: i + 1 for i, n in enumerate(names)}
    s.con.executemany("INSERT INTO enterprises (id, name, province_code) VALUES (?, ?, ?)",
                      [(eid[n], n, state[n]) for n in names])
    s.con.executemany("INSERT INTO investors (id, name, enterprise_id) VALUES (?, ?, ?)",
                      [(eid[n], n, eid[n]) for n in sorted(set(p.investor_name))])
    s.con.executemany("INSERT INTO fundings (id, enterprise_id, date) VALUES (?, ?, ?)",
                      [(i + 1, eid[r.company_name], str(r.funded_when)[:10] if isinstance(r.funded_when, str) else None)
                       for i, r in enumerate(p.itertuples())])
    s.con.executemany("INSERT INTO funding_investors (funding_id, investor_id) VALUES (?, ?)",
                      [(i + 1, eid[r.investor_name]) for i, r in enumerate(p.itertuples())])

    group = ["CA", "NY", "MA"]
    doc = network_metrics(edges_from_store(s, "investment", "province"), directed=True, group=group)
    inter = p[p.src != p.dst]
    inside = (inter.src.isin(group) & inter.dst.isin(group)).sum()
    touching = (inter.src.isin(group) | inter.dst.isin(group)).sum()
    assert doc["weight_total"] == len(inter)
    assert doc["internal_share"] == pytest.approx(inside / touching)
    assert doc["external_output_share"] == pytest.approx(inter.src.isin(group).sum() / len(inter))
    edges = inter.groupby(["src", "dst"]).size()
    assert doc["edges_count"] == len(edges)
    assert (doc["edges"][0]["src"], doc["edges"][0]["dst"]) == edges.idxmax()
    out_w = inter.groupby("src").size()
    nodes = {r["region"]: r for r in doc["nodes"]}
    assert all(nodes[k]["out_strength"] == v for k, v in out_w.items())
    s.close()


def test_the_same_network_whatever_order_the_links_come_back_in(demo_db):
    """Fractional co-patent weights (1/(k − 1)) summed in a different order moved their last digits; every weight,
    share and ranking must be the same whatever order the store returns its rows in."""
    from shuffled_store import Shuffled
    from zhaoshang.core.store import Store

    with Store(demo_db, read_only=True) as s:
        for kind in ("patent", "all"):
            straight = network(s, kind, "city", group="长三角")
            assert straight["edges"] and straight["trend"] and straight["weight_total"] > 0
            for seed in range(6):
                assert network(Shuffled(s, seed), kind, "city", group="长三角") == straight, (kind, seed)
