"""Region × chain matrix: counts, shares, LQ and labels checked against an independent computation in
plain Python over the raw fixture rows."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import matrix_fixture  # noqa: E402

from zhaoshang.core.asof import reference_date  # noqa: E402
from zhaoshang.core.errors import NotFound, UserError  # noqa: E402
from zhaoshang.core.store import Store  # noqa: E402
from zhaoshang.services.regions import matrix as m  # noqa: E402

MACROS = [
    {"code": "YRD", "name": "长三角", "members": ["310000", "320000", "330000", "340000"]},
    {"code": "SZHZ", "name": "深杭", "members": ["440300", "330100"]},
    {"code": "XH", "name": "西湖+海淀", "members": ["330106", "110108"]},
]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("matrix") / "fx.duckdb")
    matrix_fixture.build(path)
    return path


@pytest.fixture(scope="module")
def store(db):
    s = Store(db, read_only=True)
    yield s
    s.close()


def oracle(store, as_of: dt.date):
    """Independent computation: Python sets over raw rows."""
    ents = {r["id"]: r for r in store.query("SELECT * FROM enterprises")}
    parent = {r["code"]: r["parent_code"] for r in store.query("SELECT code, parent_code FROM chain_nodes")}

    def ancestors(code):
        out = [code]
        while parent.get(code):
            code = parent[code]
            out.append(code)
        return out

    def active(e):
        return ((e["founded"] is None or e["founded"] <= as_of) and (e["dissolved"] is None or e["dissolved"] > as_of)
                and e["province_code"] is not None)

    on_node = defaultdict(set)
    placed = set()
    for p in store.query("SELECT enterprise_id, node_code FROM placements"):
        e = ents[p["enterprise_id"]]
        if not active(e):
            continue
        placed.add(e["id"])
        for a in ancestors(p["node_code"]):
            on_node[a].add(e["id"])
    return ents, on_node, placed


def region_of(e, level):
    return e[{"province": "province_code", "city": "city_code", "district": "district_code"}[level]]


@pytest.mark.parametrize("level", ["province", "city", "district"])
@pytest.mark.parametrize("node", ["M01", "U01", "D", None])
@pytest.mark.parametrize("as_of", ["2016-06-30", None])
def test_region_map_matches_oracle(store, level, node, as_of):
    d = reference_date(store, as_of)
    ents, on_node, placed = oracle(store, d)
    members = on_node[node] if node else placed
    big_n, big_nn = len(placed), len(members)
    rows = m.region_map(store, level, node=node, as_of=as_of)
    # every region of the level is listed (zeros included); at the city level the province-administered county-level
    # units too (石河子, 仙桃: district rows whose parent is their province), which no city holds
    units = {r["code"]: r["level"] for r in store.query(
        "SELECT code, level FROM regions WHERE level = ? OR (? = 'city' AND level = 'district' AND parent_code = "
        "province_code)", [level, level])}
    assert {r["code"]: r["level"] for r in rows} == units
    assert set(units.values()) == ({"city", "district"} if level == "city" else {level})
    got = {r["code"]: r for r in rows}
    per_r, per_rn = defaultdict(int), defaultdict(int)
    for i in placed:
        per_r[region_of(ents[i], level)] += 1
    for i in members:
        per_rn[region_of(ents[i], level)] += 1
    assert sum(r["count"] for r in rows) == big_nn
    for code, r in got.items():
        assert r["count"] == per_rn.get(code, 0), code
        assert r["region_total"] == per_r.get(code, 0)
        assert r["national_total"] == big_n and r["national_count"] == big_nn
        assert r["share"] == pytest.approx(per_rn.get(code, 0) / big_nn if big_nn else 0)
        if node and per_r.get(code):
            lq = (per_rn.get(code, 0) / per_r[code]) / (big_nn / big_n)
            assert r["lq"] == pytest.approx(lq)
            if per_rn.get(code, 0) == 0:
                assert (r["status"], r["label"]) == ("missing", "补链")
            elif lq >= 1.2 and per_rn[code] >= 3:
                assert (r["status"], r["label"]) == ("strong", "强链")
            elif lq < 0.5:
                assert (r["status"], r["label"]) == ("weak", "补链")
            else:  # 延链 only next to the links the region holds (test_extend_links.py checks the rule by hand)
                assert r["status"] == "average" and r["label"] in ("延链", None)
    # sorted by the metric
    counts = [r["count"] for r in rows]
    assert counts == sorted(counts, reverse=True)


def test_labels_cover_every_status(store):
    statuses = {r["status"] for lvl in ("province", "district") for n in ("M01", "U03", "D01", "U01.2")
                for r in m.region_map(store, lvl, node=n)}
    assert {"strong", "weak", "missing", "average"} <= statuses


def test_as_of_excludes_future_and_dissolved(store):
    early = m.region_map(store, "province", as_of="2008-01-01")
    late = m.region_map(store, "province")
    assert sum(r["count"] for r in early) < sum(r["count"] for r in late)
    # an enterprise dissolved before today is not counted today but was counted while it existed
    row = store.query("SELECT e.id, e.founded, e.dissolved, e.province_code FROM enterprises e JOIN placements p ON p.enterprise_id = e.id "
                      "WHERE e.dissolved IS NOT NULL AND e.dissolved < DATE '2024-01-01' ORDER BY e.id LIMIT 1")[0]
    ents, _, placed_then = oracle(store, row["founded"])
    _, _, placed_now = oracle(store, dt.date.today())
    assert row["id"] in placed_then and row["id"] not in placed_now


def test_parent_restricts_to_children(store):
    rows = m.region_map(store, "district", parent="330100", node="M02")
    codes = {r["code"] for r in rows}
    assert codes and all(c.startswith("3301") for c in codes)
    assert "330106" in codes
    prov = m.region_map(store, "city", parent="330000")
    assert {r["code"][:2] for r in prov} == {"33"}
    # municipality: its districts come with the province as parent
    bj = m.region_map(store, "district", parent="110000")
    assert bj and all(r["code"].startswith("11") for r in bj)


def test_macro_level(store):
    d = dt.date.today()
    ents, on_node, placed = oracle(store, d)
    rows = {r["code"]: r for r in m.region_map(store, "macro", node="M02", macros=MACROS)}
    for mac in MACROS:
        mem = set(mac["members"])
        inreg = {i for i in placed if mem & {ents[i]["province_code"], ents[i]["city_code"], ents[i]["district_code"]}}
        n_rn = len(inreg & on_node["M02"])
        assert rows[mac["code"]]["count"] == n_rn
        assert rows[mac["code"]]["region_total"] == len(inreg)
        assert rows[mac["code"]]["name"] == mac["name"]
        if inreg:
            assert rows[mac["code"]]["lq"] == pytest.approx((n_rn / len(inreg)) / (len(on_node["M02"]) / len(placed)))


def test_top_enterprises_per_cell(store):
    rows = m.region_map(store, "city", node="D01", top=3)
    ents, on_node, _ = oracle(store, dt.date.today())
    for r in rows:
        if not r["count"]:
            continue
        expect = sorted((e for i, e in ents.items() if i in on_node["D01"] and e["city_code"] == r["code"]),
                        key=lambda e: (-(e["capital_wan"] or -1), e["id"]))[:3]  # ties by id (services/ranking.py)
        assert [t["id"] for t in r["top"]] == [e["id"] for e in expect]


def test_chain_tree_matches_oracle(store):
    ents, on_node, placed = oracle(store, dt.date.today())
    region = "330100"
    inreg = {i for i in placed if ents[i]["city_code"] == region}
    tree = m.chain_tree(store, region)
    assert [n["code"] for n in tree["nodes"]] == ["U", "M", "D"]
    assert tree["region_total"] == len(inreg) and tree["national_total"] == len(placed)
    flat = {n["code"]: n for n in m.flatten_tree(tree["nodes"])}
    assert set(flat) == {c for c, *_ in matrix_fixture.NODES}
    # the nodes next to the links the city holds (the relatedness rule itself is checked by hand in test_extend_links.py)
    near = m._related_nodes(store, "ai", m.related_segments(store, "ai", "city", dt.date.fromisoformat(tree["as_of"]))[region])
    for code, n in flat.items():
        n_rn, big_nn = len(on_node[code] & inreg), len(on_node[code])
        assert n["count"] == n_rn and n["national_count"] == big_nn
        if big_nn:
            lq = (n_rn / len(inreg)) / (big_nn / len(placed))
            assert n["lq"] == pytest.approx(lq)
            assert n["label"] == m.classify_cell(n_rn, lq, big_nn, related=code in near)[1]
        else:
            assert n["label"] is None  # nobody in the nation: no label
    assert [c["code"] for c in tree["nodes"][0]["children"]][:1] == ["U01"]
    national = m.chain_tree(store)
    assert {n["code"]: n["count"] for n in m.flatten_tree(national["nodes"])}["M01"] == len(on_node["M01"])


def test_node_enterprises_grouped_by_district(store):
    res = m.node_enterprises(store, "M02", "330100")
    ents, on_node, _ = oracle(store, dt.date.today())
    expect = [i for i in on_node["M02"] if ents[i]["city_code"] == "330100"]
    assert res["group_by"] == "district" and res["total"] == len(expect)
    assert sum(g["count"] for g in res["groups"]) == len(expect)
    for g in res["groups"]:
        assert all(it["district_code"] == g["code"] for it in g["items"])


def test_errors_are_clear(store):
    with pytest.raises(NotFound):
        m.region_map(store, "province", node="NOPE")
    with pytest.raises(NotFound):
        m.chain_tree(store, "999999")
    with pytest.raises(UserError):
        m.region_map(store, "planet")
    with pytest.raises(UserError):
        m.region_map(store, "province", as_of="2020-13-45")


def test_cli_map_and_chain(db):
    exe = [str(Path(sys.executable).parent / "zhaoshang")]
    out = subprocess.run(exe + ["--db", db, "map", "--level", "city", "--parent", "330000", "--chain", "M02", "--format", "json"],
                         capture_output=True, text=True, check=True)
    rows = json.loads(out.stdout)
    assert rows and {"code", "name", "level", "count", "share"} <= set(rows[0])
    assert rows[0]["code"] == "330100"
    out = subprocess.run(exe + ["--db", db, "chain", "--region", "330100", "--format", "json"], capture_output=True, text=True, check=True)
    tree = json.loads(out.stdout)
    assert [n["code"] for n in tree["nodes"]] == ["U", "M", "D"]
    bad = subprocess.run(exe + ["--db", db, "map", "--chain", "NOPE"], capture_output=True, text=True)
    assert bad.returncode == 2 and "NOPE" in bad.stderr and "Traceback" not in bad.stderr
    # a node in another case is that node; a typo names the nodes meant: a missing zero, a word of the name
    with Store(db, read_only=True) as s:
        zh, en = s.con.execute("SELECT name_zh, name_en FROM chain_nodes WHERE code = 'M02'").fetchone()
    same = [json.loads(subprocess.run(exe + ["--db", db, "map", "--chain", c, "--format", "json"], capture_output=True,
                                      text=True, check=True).stdout) for c in ("m02", "M02")]
    assert same[0] == same[1]
    for typo in ("M2", zh[1:]):
        bad = subprocess.run(exe + ["--db", db, "map", "--chain", typo], capture_output=True, text=True)
        assert bad.returncode == 2 and bad.stderr.strip() == f"错误: 未找到产业链环节: {typo}，您是不是要找：M02 {zh}?", bad.stderr
    for cmd in (["trends", "--node", "m2"], ["concentration", "--chain", "m2"]):
        bad = subprocess.run(exe + ["--db", db, "--lang", "en", *cmd], capture_output=True, text=True)
        assert bad.returncode == 2 and bad.stderr.strip() == f"error: chain node not found: m2; did you mean M02 ({en})?"


def test_prepared_cache_gives_the_same_numbers(db):
    """The web app's prepared per-enterprise table (one scan, no join) answers exactly like the direct SQL."""
    from zhaoshang.interfaces.web.app import create_app

    app = create_app(db)
    cached = app.state.served.base
    assert getattr(cached, "matrix_cache", None)
    direct = Store(db, read_only=True)
    try:
        for level, parent, node, as_of in [("province", None, "M02", None), ("city", "330000", "U01", "2015-01-01"),
                                           ("district", None, None, None), ("district", "110000", "D", None)]:
            a = m.region_map(cached, level, parent=parent, node=node, as_of=as_of)
            b = m.region_map(direct, level, parent=parent, node=node, as_of=as_of)
            assert a == b
        a = m.region_map(cached, "macro", node="M02", macros=MACROS)
        assert a == m.region_map(direct, "macro", node="M02", macros=MACROS)
    finally:
        direct.close()


def test_served_lists_by_funding_give_the_same_enterprises(db):
    """A served generation keeps the latest round of each enterprise per date; lists by stage or sorted by
    funding give exactly the enterprises (and totals) of the direct query, on several dates."""
    from zhaoshang.interfaces.web.served import _open
    from zhaoshang.services.enterprises import search_enterprises

    served, direct = _open(db), Store(db, read_only=True)
    try:
        rounds = [r[0] for r in direct.con.execute("SELECT DISTINCT round FROM fundings ORDER BY 1").fetchall()]
        assert rounds
        for args in [{"stage": rounds[0], "sort": "-funding"}, {"stage": ",".join(rounds[:2]) + ",none"},
                     {"sort": "funding", "as_of": "2019-06-30"}, {"stage": rounds[-1], "as_of": "2021-12-31"}]:
            a = search_enterprises(served, size=500, **args)
            b = search_enterprises(direct, size=500, **args)
            assert a["total"] == b["total"] and [x["id"] for x in a["items"]] == [x["id"] for x in b["items"]], args
        assert any(k[0] == "latest_funding" for k in served.prepared)  # the prepared table was used
    finally:
        served.con.close()
        direct.close()


def test_served_lists_by_region_and_node_give_the_same_pages(db):
    """A served generation answers a list by region and node from the map's cells (the total) and a table in
    list order (the page, the nodes): the same totals and items, page by page, as the direct query."""
    from zhaoshang.core.asof import reference_date
    from zhaoshang.interfaces.web.served import _open
    from zhaoshang.services import list_order
    from zhaoshang.services.enterprises import search_enterprises

    served, direct = _open(db), Store(db, read_only=True)
    try:
        assert list_order.usable(served, reference_date(served), m.default_chain(served), "-capital")
        cases = [{"region": "330000", "node": "M02"}, {"region": "330100", "node": "U01,D"}, {"node": "M"}, {"region": "110000", "node": "M"},
                 {"region": "长三角", "node": m.default_chain(direct)}, {"region": "330000", "node": "M02", "as_of": "2015-01-01"},
                 {"node": "U01", "sort": "name"}]
        for args in cases:
            for page in (1, 2, 9):
                a = search_enterprises(served, size=7, page=page, **args)
                b = search_enterprises(direct, size=7, page=page, **args)
                assert a == b, (args, page)
            assert a["total"] > 7, args  # more than one page
        with pytest.raises(NotFound):
            search_enterprises(served, node="M02,NOPE")
    finally:
        served.con.close()
        direct.close()
