"""The differentiated path: candidate segments ranked by feasibility × value, attraction modes, the region
resources file, and the ``recommend`` command — on a hand-built database whose expected ranking is computed
here independently, and on the synthetic demo database."""

from __future__ import annotations

import datetime as dt
import math
import re
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parent))
from cli_util import run, run_json  # noqa: E402

from zhaoshang.core.errors import UserError  # noqa: E402
from zhaoshang.core.store import Store  # noqa: E402
from zhaoshang.services import recommend as rec  # noqa: E402
from zhaoshang.services.analytics.complexity import complexity_matrix  # noqa: E402

AS_OF = dt.date(2024, 12, 31)
SEGS = ["U01", "U02", "M01", "M02", "D01", "D02"]
NODES = [  # code, parent, level, stage
    ("U", None, 1, "upstream"), ("U01", "U", 2, "upstream"), ("U01.1", "U01", 3, "upstream"), ("U02", "U", 2, "upstream"),
    ("M", None, 1, "midstream"), ("M01", "M", 2, "midstream"), ("M02", "M", 2, "midstream"),
    ("D", None, 1, "downstream"), ("D01", "D", 2, "downstream"), ("D02", "D", 2, "downstream"),
]
COUNTS = {  # city: enterprises per segment (active at AS_OF)
    "330100": [2, 0, 6, 1, 4, 0],
    "110100": [5, 3, 8, 6, 1, 2],
    "310100": [6, 1, 2, 4, 3, 5],
    "440300": [7, 4, 1, 2, 6, 3],
    "510100": [1, 5, 3, 1, 2, 1],
    "420100": [2, 2, 1, 3, 1, 4],
}
# National funding (万元) and patents per segment: (recent window, previous window) with window_years = 3.
FUNDING = {"U01": (900, 100), "U02": (300, 300), "M01": (50, 400), "M02": (800, 200), "D01": (270, 10), "D02": (0, 0)}
PATENTS = {"U01": (8, 1), "U02": (2, 2), "M01": (1, 8), "M02": (27, 1), "D01": (4, 4), "D02": (0, 3)}
RESOURCES = {
    "330100": {"name": "杭州市", "compute_pflops": 1000, "universities": 10, "guidance_fund_yi": 20},
    "510100": {"name": "成都市", "compute_pflops": 5000, "universities": 3, "guidance_fund_yi": 10},
    "110100": {"name": "北京市", "compute_pflops": 4000, "universities": 30, "guidance_fund_yi": 300},
}


def build_fixture(path: Path) -> dict:
    """Write the hand-built database; returns the enterprise ids by (city, segment)."""
    store = Store(path)
    con = store.con
    ids: dict[tuple[str, str], list[int]] = {}
    eid = 0
    for i, (code, parent, level, stage) in enumerate(NODES):
        con.execute("INSERT INTO chain_nodes (chain, code, parent_code, level, stage, name_zh, name_en, position) "
                    "VALUES ('ai', ?, ?, ?, ?, ?, ?, ?)", [code, parent, level, stage, f"环节{code}", f"node {code}", i])

    def ent(city: str, founded=dt.date(2015, 1, 1), dissolved=None) -> int:
        nonlocal eid
        eid += 1
        con.execute("INSERT INTO enterprises (id, name, founded, dissolved, province_code, city_code) VALUES (?,?,?,?,?,?)",
                    [eid, f"测试企业{eid}", founded, dissolved, city[:2] + "0000", city])
        return eid

    def place(e: int, node: str) -> None:
        con.execute("INSERT INTO placements (enterprise_id, chain, node_code, confidence, method) VALUES (?, 'ai', ?, 1, 'test')",
                    [e, node])

    for city, counts in COUNTS.items():
        for seg, n in zip(SEGS, counts):
            for k in range(n):
                e = ent(city)
                # U01 in 330100: one enterprise placed on the sub-node only, one on both levels (counts once)
                if seg == "U01" and city == "330100":
                    place(e, "U01.1")
                    if k == 1:
                        place(e, "U01")
                else:
                    place(e, seg)
                ids.setdefault((city, seg), []).append(e)
    # Not active at AS_OF: dissolved before, founded after. They must not count anywhere.
    place(ent("510100", dissolved=dt.date(2020, 1, 1)), "D01")
    place(ent("330100", founded=dt.date(2025, 6, 1)), "U02")

    fid = pid = 0
    recent, previous = dt.date(2023, 6, 1), dt.date(2020, 6, 1)
    for seg, (r_amt, p_amt) in FUNDING.items():
        e = ids[("110100", seg)][0]
        for date, amt in ((recent, r_amt), (previous, p_amt)):
            if amt:
                fid += 1
                con.execute("INSERT INTO fundings (id, enterprise_id, date, amount_wan) VALUES (?,?,?,?)", [fid, e, date, amt])
        fid += 1  # an undisclosed round adds nothing to the amounts
        con.execute("INSERT INTO fundings (id, enterprise_id, date, amount_wan) VALUES (?,?,?,NULL)", [fid, e, recent])
    for seg, (r_n, p_n) in PATENTS.items():
        e = ids[("310100", seg)][0]
        for date, n in ((recent, r_n), (previous, p_n)):
            for _ in range(n):
                pid += 1
                con.execute("INSERT INTO patents (id, title, applied) VALUES (?, 'p', ?)", [pid, date])
                con.execute("INSERT INTO patent_applicants (patent_id, position, enterprise_id) VALUES (?, 1, ?)", [pid, e])
    # Technology: 40 more patents of 杭州 enterprises (patent LQ well above 1).
    for _ in range(40):
        pid += 1
        con.execute("INSERT INTO patents (id, title, applied) VALUES (?, 'p', DATE '2012-01-01')", [pid])
        con.execute("INSERT INTO patent_applicants (patent_id, position, enterprise_id) VALUES (?, 1, ?)",
                    [pid, ids[("330100", "M01")][0]])
    # Scenario: six local demands in 杭州, one in 北京, one published after AS_OF (not counted).
    for i, (city, date) in enumerate([("330100", dt.date(2023, 1, 1))] * 6 + [("110100", dt.date(2023, 1, 1)),
                                                                                ("330100", dt.date(2025, 3, 1))]):
        con.execute("INSERT INTO demands (id, title, province_code, city_code, published) VALUES (?,?,?,?,?)",
                    [i + 1, f"需求{i}", city[:2] + "0000", city, date])
    # Fund: a government guidance fund based in 杭州; a VC in 成都.
    con.execute("INSERT INTO investors (id, name, type, province_code, city_code) VALUES "
                "(1, '杭州测试引导基金', 'government_fund', '330000', '330100'), (2, '成都测试创投', 'VC', '510000', '510100')")
    store.close()
    return ids


@pytest.fixture(scope="module")
def fx(tmp_path_factory):
    d = tmp_path_factory.mktemp("rec")
    db = d / "fx.duckdb"
    ids = build_fixture(db)
    res = d / "resources.yaml"
    res.write_text(yaml.safe_dump({"regions": RESOURCES}, allow_unicode=True), encoding="utf-8")
    cfg = yaml.safe_load(rec.CONFIG_PATH.read_text(encoding="utf-8"))
    cfg["value_weights"] = {"pci": 0, "cog": 0, "funding_cagr": 1, "patent_cagr": 1}
    growth_only = d / "growth_only.yaml"
    growth_only.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    store = Store(db, read_only=True)
    yield {"db": db, "store": store, "ids": ids, "resources": res, "growth_only": growth_only}
    store.close()


# -- independent computations -----------------------------------------------------------------------------

def _matrix() -> tuple[list[str], np.ndarray]:
    regions = sorted(COUNTS)
    return regions, np.array([COUNTS[r] for r in regions], dtype=float)


def _rca_density(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    rca = (X / X.sum(axis=1, keepdims=True)) / (X.sum(axis=0) / X.sum())
    M = (rca >= 1).astype(float)
    u = M.sum(axis=0)
    phi = np.zeros((X.shape[1], X.shape[1]))
    for p in range(X.shape[1]):
        for q in range(X.shape[1]):
            den = max(u[p], u[q])
            phi[p, q] = (M[:, p] * M[:, q]).sum() / den if den else 0.0
    density = (M @ phi) / phi.sum(axis=1)
    return rca, density


def _pct(values: list[float | None]) -> list[float | None]:
    known = sorted(v for v in values if v is not None)
    out = []
    for v in values:
        if v is None:
            out.append(None)
            continue
        below = sum(1 for y in known if y < v)
        same = sum(1 for y in known if y == v) - 1
        out.append((below + same / 2) / (len(known) - 1) if len(known) > 1 else 0.5)
    return out


def _cagr(prev, recent, years=3):
    return None if prev <= 0 else (recent / prev) ** (1 / years) - 1


def test_ranking_matches_an_independent_computation(fx):
    doc = rec.recommend(fx["store"], "330100", as_of=AS_OF, resources=fx["resources"], config=fx["growth_only"], top=0)
    regions, X = _matrix()
    rca, density = _rca_density(X)
    i = regions.index("330100")
    cand = [j for j, s in enumerate(SEGS) if rca[i, j] < 1]
    fund = [_cagr(FUNDING[SEGS[j]][1], FUNDING[SEGS[j]][0]) for j in cand]
    pat = [_cagr(PATENTS[SEGS[j]][1], PATENTS[SEGS[j]][0]) for j in cand]
    feas = _pct([density[i, j] for j in cand])
    fp, pp = _pct(fund), _pct(pat)
    expected = []
    for k, j in enumerate(cand):
        vals = [x for x in (fp[k], pp[k]) if x is not None]
        value = sum(vals) / len(vals) if vals else None
        score = (feas[k] + value) / 2 if value is not None else feas[k]
        expected.append((SEGS[j], score, feas[k], value))
    expected.sort(key=lambda t: (-t[1], -t[2], t[0]))

    got = doc["segments"]
    assert [r["node"] for r in got] == [e[0] for e in expected]
    for r, (node, score, f, v) in zip(got, expected):
        j = SEGS.index(node)
        assert r["count"] == COUNTS["330100"][j]
        assert r["rca"] == pytest.approx(rca[i, j], abs=1e-12)
        assert r["density"] == pytest.approx(density[i, j], abs=1e-12)
        assert r["score"] == pytest.approx(score, abs=1e-12)
        assert r["feasibility_pct"] == pytest.approx(f, abs=1e-12)
        if v is None:
            assert r["value_pct"] is None
        else:
            assert r["value_pct"] == pytest.approx(v, abs=1e-12)
        x = r["explain"]
        assert x.value == r["score"] and x.total == pytest.approx(r["score"], abs=1e-12)
        assert x.params["value_weights"]["pci"] == 0
        assert {p.signal: p.weight for p in x.parts}["pci"] in (None, 0)
    # strengths: exactly the segments with RCA ≥ 1, none of them among the candidates
    assert sorted(s["node"] for s in doc["strengths"]) == sorted(SEGS[j] for j in range(len(SEGS)) if rca[i, j] >= 1)
    assert doc["rca_threshold"] == 1.0 and doc["as_of"] == "2024-12-31"


def test_growth_windows_and_unlinked_inputs(fx):
    doc = rec.recommend(fx["store"], "杭州市", as_of=AS_OF, resources=fx["resources"], top=0)
    rows = {r["node"]: r for r in doc["segments"] + doc["strengths"]}
    assert doc["window"] == {"years": 3, "recent": ["2021-12-31", "2024-12-31"], "previous": ["2018-12-31", "2021-12-31"]}
    for seg, (r_amt, p_amt) in FUNDING.items():
        assert rows[seg]["funding_recent_wan"] == r_amt and rows[seg]["funding_previous_wan"] == p_amt
        assert rows[seg]["funding_cagr"] == (None if p_amt == 0 else pytest.approx(_cagr(p_amt, r_amt)))
    for seg, (r_n, p_n) in PATENTS.items():
        assert (rows[seg]["patents_recent"], rows[seg]["patents_previous"]) == (r_n, p_n)
    # the enterprise founded after AS_OF (U02) does not count; one placed on U01 and U01.1 counts once
    assert rows["U02"]["count"] == 0 and rows["U01"]["count"] == 2


def test_default_value_signals_use_pci_and_cog_of_the_matrix(fx):
    doc = rec.recommend(fx["store"], "330100", as_of=AS_OF, resources=fx["resources"], top=0)
    regions, X = _matrix()
    cx = complexity_matrix(X, regions, SEGS)
    i = regions.index("330100")
    for r in doc["segments"]:
        j = SEGS.index(r["node"])
        assert r["pci"] == pytest.approx(cx.pci[j], abs=1e-9)
        assert r["cog"] == pytest.approx(cx.cog[i, j], abs=1e-9)
        assert [p.signal for p in r["explain"].parts] == ["density", "pci", "cog", "funding_cagr", "patent_cagr"]
        split = doc["quadrant_split"]
        feasible, valuable = r["feasibility_pct"] >= split, r["value_pct"] >= split
        assert r["quadrant"] == rec.QUADRANTS[(feasible, valuable)][0]
    scores = [r["score"] for r in doc["segments"]]
    assert scores == sorted(scores, reverse=True)


def test_region_by_code_name_and_short_name(fx):
    a = rec.recommend(fx["store"], "330100", as_of=AS_OF, resources=fx["resources"])
    b = rec.recommend(fx["store"], "杭州市", as_of=AS_OF, resources=fx["resources"])
    c = rec.recommend(fx["store"], "杭州", as_of=AS_OF, resources=fx["resources"])
    assert a["region"] == b["region"] == c["region"] and a["region"]["level"] == "city"
    assert [r["node"] for r in a["segments"]] == [r["node"] for r in b["segments"]] == [r["node"] for r in c["segments"]]
    with pytest.raises(UserError, match="未找到地区"):
        rec.recommend(fx["store"], "不存在市", as_of=AS_OF)
    with pytest.raises(UserError, match="没有已归入产业链的企业"):
        rec.recommend(fx["store"], "650100", as_of=AS_OF)


# -- attraction modes ----------------------------------------------------------------------------------------

def _modes(doc) -> dict:
    return {m["code"]: m for m in doc["modes"]}


def test_modes_fire_on_the_fixture_profiles(fx):
    hz = rec.recommend(fx["store"], "330100", as_of=AS_OF, resources=fx["resources"])
    cd = rec.recommend(fx["store"], "510100", as_of=AS_OF, resources=fx["resources"])
    bj = rec.recommend(fx["store"], "110100", as_of=AS_OF, resources=fx["resources"])
    m_hz, m_cd, m_bj = _modes(hz), _modes(cd), _modes(bj)
    # scenario: 6 local demands up to AS_OF (the 2025 one is later) of 8 (7 up to AS_OF) nationally
    ent = {c: sum(v) for c, v in COUNTS.items()}
    tot = sum(ent.values())
    assert hz["profile"]["demands"] == 6 and hz["profile"]["demands_national"] == 7
    assert hz["profile"]["demand_lq"] == pytest.approx((6 / 7) / (ent["330100"] / tot))
    assert m_hz["scenario"]["suggested"] and not m_bj["scenario"]["suggested"]
    # technology: patents of 杭州 (40) against its share of enterprises; universities from the file
    n_pat = 40 + sum(a + b for a, b in PATENTS.values())
    assert hz["profile"]["patent_lq"] == pytest.approx((40 / n_pat) / (ent["330100"] / tot))
    assert m_hz["technology"]["suggested"]
    assert not m_cd["technology"]["suggested"]  # no patents, 3 universities
    # chain: 成都 has 5 U02 enterprises and 5000 PFLOPS; 杭州 has no infrastructure enterprise
    assert cd["profile"]["infra_enterprises"] == 5 and m_cd["chain"]["suggested"]
    assert hz["profile"]["infra_enterprises"] == 0 and not m_hz["chain"]["suggested"]
    # fund: the guidance fund in 杭州 (any-of); 成都 has only a VC and 10 亿
    assert hz["profile"]["government_funds"] == 1 and m_hz["fund"]["suggested"]
    assert not m_cd["fund"]["suggested"]
    assert m_bj["fund"]["suggested"]  # 300 亿 in the resources file, no fund investor
    assert [c["passed"] for c in m_bj["fund"]["criteria"]] == [False, True]


def test_idle_compute_ratio_is_compute_share_over_demand_share(fx):
    docs = {c: rec.recommend(fx["store"], c, as_of=AS_OF, resources=fx["resources"]) for c in RESOURCES}
    stages = {"M01", "M02", "D01", "D02"}
    app = {c: sum(n for s, n in zip(SEGS, COUNTS[c]) if s in stages) for c in RESOURCES}
    comp = {c: RESOURCES[c]["compute_pflops"] for c in RESOURCES}
    for c, doc in docs.items():
        expect = (comp[c] / sum(comp.values())) / (app[c] / sum(app.values()))
        assert doc["profile"]["idle_compute_ratio"] == pytest.approx(expect)
        assert doc["profile"]["app_enterprises"] == app[c]
        assert _modes(doc)["compute_voucher"]["suggested"] == (expect >= 1.5)
    assert _modes(docs["510100"])["compute_voucher"]["suggested"]
    assert not _modes(docs["330100"])["compute_voucher"]["suggested"]


def test_without_resources_file_the_resource_criteria_are_unknown(fx):
    doc = rec.recommend(fx["store"], "330100", as_of=AS_OF)  # not a synthetic database: no default file
    assert doc["resources"] is None and doc["notes"]
    assert len(doc["notes_en"]) == len(doc["notes"]) and doc["notes_en"][0].startswith("no region resources file")
    tech = _modes(doc)["technology"]
    assert [c["passed"] for c in tech["criteria"]] == [True, None] and not tech["suggested"]
    assert doc["profile"]["idle_compute_ratio"] is None


@pytest.mark.parametrize("profile,fires", [
    ({"demands": 5, "demand_lq": 1.0}, True),
    ({"demands": 4, "demand_lq": 3.0}, False),
    ({"demands": 9, "demand_lq": 0.99}, False),
    ({"demands": 9, "demand_lq": None}, False),
])
def test_scenario_rule_on_constructed_profiles(profile, fires):
    mode = next(m for m in rec.load_config()["modes"] if m["code"] == "scenario")
    out = rec.evaluate_mode(mode, profile)
    assert out["suggested"] is fires
    assert all(c["threshold"] is not None and c["op"] for c in out["criteria"])


@pytest.mark.parametrize("profile,fires", [
    ({"government_funds": 0, "guidance_fund_yi": 49}, False),
    ({"government_funds": 1, "guidance_fund_yi": None}, True),
    ({"government_funds": 0, "guidance_fund_yi": 50}, True),
])
def test_fund_rule_is_any_of(profile, fires):
    mode = next(m for m in rec.load_config()["modes"] if m["code"] == "fund")
    assert rec.evaluate_mode(mode, profile)["suggested"] is fires


@pytest.mark.parametrize("ratio,fires", [(1.49, False), (1.5, True), (7.0, True), (None, False)])
def test_compute_voucher_rule(ratio, fires):
    mode = next(m for m in rec.load_config()["modes"] if m["code"] == "compute_voucher")
    assert rec.evaluate_mode(mode, {"idle_compute_ratio": ratio})["suggested"] is fires


def test_a_mode_not_suggested_does_not_assert_its_condition():
    """The region page and report print a mode's action beside it, suggested or not: 算力券 "not suggested" at a
    ratio of 1.01 read "Compute exceeds local AI demand …" as a fact; the action states its condition as one."""
    mode = next(m for m in rec.load_config()["modes"] if m["code"] == "compute_voucher")
    shown = rec.evaluate_mode(mode, {"idle_compute_ratio": 1.01})
    assert not shown["suggested"]
    assert shown["action_en"].startswith("Where compute exceeds local AI demand"), shown["action_en"]
    assert "偏多（有算力空转风险）时，" in shown["action_zh"], shown["action_zh"]


def test_percentile_ranks_and_weighting():
    assert rec.percentile_ranks([3.0, 1.0, 2.0, None]) == [1.0, 0.0, 0.5, None]
    assert rec.percentile_ranks([1.0, 1.0, 2.0]) == [0.25, 0.25, 1.0]
    assert rec.percentile_ranks([5.0]) == [0.5]
    total, parts = rec.weighted({"a": 1.0, "b": None, "c": 0.0}, {"a": 1, "b": 5, "c": 3})
    assert total == pytest.approx(0.25) and set(parts) == {"a", "c"}


# -- the resources file ----------------------------------------------------------------------------------

@pytest.mark.parametrize("body,message", [
    ({"regions": {"330100": {"compute_pflops": -1}}}, r"regions\.330100\.compute_pflops 应为非负数字（实际为 -1）"),
    ({"regions": {"330100": {"gpus": 5}}}, r"regions\.330100\.gpus 未知（可选: compute_pflops, "),
    ({"regions": {"杭州": {"compute_pflops": 5}}}, "regions.杭州 的键应为 6 位行政区划代码"),
    ({"regions": {"330100": {"pue": 0.9}}}, r"regions\.330100\.pue 应为不小于 1 的数字（实际为 0\.9）"),
    ({"regions": {"330100": {"compute_vouchers": "yes"}}}, r"compute_vouchers 应为 true/false（实际为 'yes'）"),
    ({"regions": {"330100": {"compute_pflops": "很多"}}}, "compute_pflops 应为非负数字（实际为 '很多'）"),
    ({"region": {}}, "r.yaml: regions 应为映射"),
])
def test_resources_file_errors_are_clear(tmp_path, body, message):
    p = tmp_path / "r.yaml"
    p.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    with pytest.raises(UserError, match=message):
        rec.load_resources(p)


def test_resources_file_missing_or_not_yaml(tmp_path):
    with pytest.raises(UserError, match="不存在"):
        rec.load_resources(tmp_path / "none.yaml")
    p = tmp_path / "bad.yaml"
    p.write_text("regions: [unclosed", encoding="utf-8")
    with pytest.raises(UserError, match="YAML"):
        rec.load_resources(p)


def test_shipped_demo_resources_validate():
    doc = rec.load_resources(rec.DEMO_RESOURCES)
    assert doc["synthetic"] and len(doc["regions"]) >= 5
    assert all(len(c) == 6 for c in doc["regions"])


def test_config_errors(tmp_path):
    cfg = yaml.safe_load(rec.CONFIG_PATH.read_text(encoding="utf-8"))
    cfg["modes"][0]["criteria"][0]["metric"] = "nonsense"
    p = tmp_path / "c.yaml"
    p.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    with pytest.raises(UserError, match=r"c\.yaml: modes\[0\]\.criteria\[0\]\.metric 应为以下之一: demands, .*（实际为 'nonsense'）"):
        rec.load_config(p)


# -- the demo database and the command ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo(tmp_path_factory, demo_copy):
    return demo_copy(tmp_path_factory.mktemp("demo") / "demo.duckdb")


def test_demo_recommendation_is_consistent(demo):
    with Store(demo, read_only=True) as store:
        doc = rec.recommend(store, "杭州市", top=0)
        rows = store.query("""
            SELECT count(DISTINCT e.id) AS n FROM placements p JOIN enterprises e ON e.id = p.enterprise_id
            JOIN chain_nodes c ON c.chain = p.chain AND c.code = p.node_code
            WHERE e.city_code = '330100' AND (c.code = 'M01' OR c.parent_code = 'M01')
              AND (e.founded IS NULL OR e.founded <= CAST(? AS DATE)) AND (e.dissolved IS NULL OR e.dissolved > CAST(? AS DATE))""",
                           [doc["as_of"], doc["as_of"]])
    assert doc["synthetic"] and doc["resources"]["synthetic"]  # the demo resources file is the default
    assert doc["resources"]["path"].endswith("region_resources.yaml")
    segs = {r["node"]: r for r in doc["segments"] + doc["strengths"]}
    assert segs["M01"]["count"] == rows[0]["n"]
    assert all(r["rca"] < 1 for r in doc["segments"]) and all(r["rca"] >= 1 for r in doc["strengths"])
    assert doc["candidates"] == len(doc["segments"]) and len(doc["segments"]) + len(doc["strengths"]) + len(doc["unranked"]) >= 20
    for r in doc["segments"]:
        for k in ("count", "rca", "density", "pci", "cog", "funding_cagr", "patent_cagr", "feasibility_pct", "value_pct",
                  "quadrant", "score", "explain"):
            assert k in r
        assert r["explain"].total == pytest.approx(r["score"])
        for part in r["explain"].parts:  # contribution = effective weight × percentile
            if part.contribution is not None:
                assert part.contribution == pytest.approx(part.weight * part.normalised)
    assert [r["rank"] for r in doc["segments"]] == list(range(1, len(doc["segments"]) + 1))
    assert {m["code"] for m in doc["modes"]} == {"scenario", "technology", "chain", "fund", "compute_voucher"}
    for m in doc["modes"]:
        assert m["suggested"] == (all(c["passed"] for c in m["criteria"]) if m["require"] == "all"
                                  else any(c["passed"] for c in m["criteria"]))


def test_the_scenario_modes_demands_are_the_open_demands_the_leads_count(demo):
    """场景招商 read 本地需求清单条数 96 (>= 5) on the demo: every demand of 杭州市 published by the date, those 已完成
    and past their deadline too, while the leads counted about 2 open ones. The criterion counts the demands open on
    the recommendation's date (matching.profiles.open_condition, the leads' and 场景匹配's one definition) and says
    so in both languages."""
    from test_leads import _open_on

    doc = run_json("recommend", "杭州市", "--top", "3", db=demo)
    d = doc["as_of"]
    crit = {c["metric"]: c for m in doc["modes"] if m["code"] == "scenario" for c in m["criteria"]}["demands"]
    items = run_json("match", "demands", "--region", "杭州市", "--limit", 1000, db=demo)["items"]
    with Store(demo, read_only=True) as s:
        listed_on = str(s.con.execute("SELECT max(data_date) FROM imports WHERE kind = 'demands'").fetchone()[0])
    published = [i for i in items if i["published"] is None or i["published"] <= d]
    assert crit["value"] == len([i for i in published if _open_on(i, d, listed_on)]) < len(published)
    assert "开放需求" in crit["label_zh"] and "截止" in crit["label_zh"]
    assert crit["label_en"].startswith("open local demands") and "deadline" in crit["label_en"]


def test_demo_as_of_travels_back(demo):
    with Store(demo, read_only=True) as store:
        now = rec.recommend(store, "330100", top=0)
        past = rec.recommend(store, "330100", as_of="2018-06-30", top=0)
    assert past["as_of"] == "2018-06-30"
    n_now = sum(r["count"] for r in now["segments"] + now["strengths"])
    n_past = sum(r["count"] for r in past["segments"] + past["strengths"])
    assert n_past < n_now


def test_cli_recommend(demo, tmp_path):
    doc = run_json("recommend", "合肥", "--top", "5", db=demo)
    assert doc["region"]["code"] == "340100" and len(doc["segments"]) == 5
    assert all(not math.isnan(r["score"]) for r in doc["segments"])
    table = run("recommend", "330100", "--top", "3", db=demo)
    assert "招商模式" in table.stdout and "合成演示数据" in table.stderr
    csv = run("recommend", "330100", "--format", "csv", db=demo)
    assert csv.stdout.splitlines()[0].startswith("node,name_zh,name_en,")  # the JSON's fields
    bad = tmp_path / "bad.yaml"
    bad.write_text("regions:\n  '330100': {compute_pflops: -5}\n", encoding="utf-8")
    proc = run("recommend", "杭州市", "--resources", bad, db=demo, check=False)
    assert proc.returncode == 2 and proc.stderr.strip().count("\n") == 0 and "非负数字" in proc.stderr
    proc = run("recommend", "不存在的地方", db=demo, check=False)
    assert proc.returncode == 2 and "未找到地区" in proc.stderr
    # the modes' criteria: Chinese ones joined by ；, English ones by "; " (no Chinese punctuation in English)
    wide = {"COLUMNS": "250"}
    zh = run("recommend", "330100", "--top", "3", db=demo, env=wide).stdout
    en = run("--lang", "en", "recommend", "330100", "--top", "3", db=demo, env=wide).stdout
    assert "≥" not in zh and re.search(r"本地开放需求数（[^）]+） = \S+ >= 5 [✓✗?]；开放需求区位商", zh), zh
    assert re.search(r"open local demands \([^)]+\) = \S+ >= 5 [✓✗?]; open-demand LQ", en) and "；" not in en, en


def _national_counts(tree_nodes) -> dict[str, int]:
    out = {}
    for n in tree_nodes:
        out[n["code"]] = n["national_count"]
        out.update(_national_counts(n.get("children") or []))
    return out


@pytest.mark.parametrize("macro", ["长三角", "三极", "粤港澳大湾区"])
def test_macro_region_is_measured_against_the_nation(demo, macro):
    """Macro-regions overlap (三极 holds 长三角; 珠三角 lies in 粤港澳大湾区): a macro-region's differentiated path is
    computed on itself beside the rest of the nation, so every national count is the nation's, once."""
    doc = run_json("recommend", macro, "--top", "0", db=demo)
    tree = run_json("chain", "--region", macro, db=demo)
    national = _national_counts(tree["nodes"])
    rows = doc["segments"] + doc["strengths"]
    assert rows
    for r in rows:
        assert r["national_count"] == national[r["node"]], r["node"]
        assert r["count"] <= r["national_count"] <= tree["national_total"]
    assert doc["region"]["level"] == "macro"


def test_complexity_by_chain_gives_each_segment_the_pci_and_density_of_recommend(demo):
    """One segment, one PCI and one density: ``complexity`` (default node set) reads the recommend matrix."""
    doc = run_json("recommend", "杭州市", "--top", "0", db=demo)
    rows = run_json("complexity", "--level", "city", db=demo)
    cx = {r["node"]: r for r in rows if r["region"] == "330100"}
    segs = doc["segments"] + doc["strengths"]
    assert len(segs) >= 20 and set(cx) == {r["node"] for r in segs}  # segments only, no sub-node beside them
    for r in segs:
        assert cx[r["node"]]["pci"] == pytest.approx(r["pci"]), r["node"]
        assert cx[r["node"]]["density"] == pytest.approx(r["density"]), r["node"]
        assert cx[r["node"]]["value"] == r["count"]
    title = run("complexity", "--level", "city", db=demo, env={"COLUMNS": "250"}).stdout.splitlines()[0]
    assert "截至 " + doc["as_of"] in title and "环节（含下级节点）" in title
    placed = run_json("complexity", "--level", "city", "--nodes", "placed", db=demo)
    assert any("." in r["node"] for r in placed)  # the other node set, asked for by name


def test_region_page_names_the_median_of_each_relatedness_split(demo):
    """The quadrant splits at the candidates' median density, 延链 at the median over all segments: where a segment
    is 关联高 in the table and held (not 延链) above it, the page names both medians."""
    from web_util import local_client
    from zhaoshang.interfaces.web.app import create_app

    c = local_client(create_app(demo))
    prof = c.get("/api/region-profile/330100").json()
    extend = {r["code"] for r in prof["chain_rows"] if r.get("label") == "延链"}
    hold = set(prof["links"]["average"]) - extend
    feasible = {s["node"] for s in prof["recommend"]["segments"] if (s["quadrant"] or "").startswith("low_risk")}
    assert hold & feasible  # the case the note is for: 关联高 in the table, held (not 延链) above it
    html = c.get("/region/330100").text
    assert 'id="rec-median-note"' in html
    assert "本地全部环节关联密度的中位数" in html and "候选环节（RCA &lt; 1）关联密度的中位数" in html


def test_segments_with_few_enterprises_nationally_rank_after_the_others(demo, tmp_path):
    """A candidate with fewer than ``min_national_count`` enterprises in the country is flagged and ranked last."""
    cfg = yaml.safe_load(rec.CONFIG_PATH.read_text(encoding="utf-8"))
    assert cfg["min_national_count"] == 5
    before = run_json("recommend", "杭州市", "--top", "0", db=demo)["segments"]
    # at the shipped floor a segment is thin exactly when it holds fewer than 5 enterprises in the country
    assert [r["thin"] for r in before] == [r["national_count"] < 5 for r in before]
    floor = sorted(r["national_count"] for r in before)[len(before) // 2]  # half of the candidates fall under it
    cfg["min_national_count"] = floor
    path = tmp_path / "floor.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    doc = run_json("recommend", "杭州市", "--top", "0", "--config", path, db=demo)
    segs = doc["segments"]
    thin = [r for r in segs if r["national_count"] < floor]
    assert thin and len(thin) < len(segs) and doc["min_national_count"] == floor
    assert [r["thin"] for r in segs] == [False] * (len(segs) - len(thin)) + [True] * len(thin)
    assert [r["rank"] for r in segs] == list(range(1, len(segs) + 1))
    assert all(f"全国不足 {floor} 家" in r["quadrant_zh"] for r in thin if r["quadrant"])
    assert any(f"{len(thin)} 个环节全国企业数少于 {floor} 家" in n for n in doc["notes"])
    table = run("recommend", "杭州市", "--top", "0", "--config", path, db=demo, env={"COLUMNS": "250"}).stdout
    assert f"全国不足 {floor} 家" in table


def test_unknown_investor_types_and_regions_are_unknown_not_zero(tmp_path, demo_copy):
    """Imports that name investors without their type or region: the fund count and the partner regions are
    unknown, never "0 funds" or "no partners"."""
    db = demo_copy(tmp_path / "bare.duckdb")
    with Store(db) as store:
        store.con.execute("UPDATE investors SET type = NULL, province_code = NULL, city_code = NULL, "
                          "district_code = NULL, enterprise_id = NULL")
        for table in ("patent_applicants", "branches", "roles"):
            store.con.execute(f"DELETE FROM {table}")
    doc = run_json("recommend", "杭州市", "--top", "3", db=db)
    assert doc["profile"]["government_funds"] is None
    fund = next(m for m in doc["modes"] if m["code"] == "fund")
    crit = next(c for c in fund["criteria"] if c["metric"] == "government_funds")
    assert crit["value"] is None and crit["passed"] is None
    table = run("recommend", "杭州市", "--top", "3", db=db, env={"COLUMNS": "250"}).stdout
    assert "本地政府引导基金（投资方）数 = 数据不足 >= 1 ?" in table
    from web_util import local_client
    from zhaoshang.interfaces.web.app import create_app

    partners = local_client(create_app(db)).get("/api/region-profile/330100").json()["partners"]
    assert not partners["available"] and partners["investments_without_region"] > 0
    assert partners["note"].startswith("合作伙伴地区不详") and "没有跨地区的专利、投资" not in partners["note"]


def test_resources_dated_after_the_as_of_date_are_said_and_marked(fx, tmp_path):
    # a look back (as of 2023) with a resources file as of 2024-12-31 reads figures from its future: said in both
    # languages, and the criteria that read the file are marked; on or after the file's date nothing is said
    dated = tmp_path / "resources.yaml"
    dated.write_text(yaml.safe_dump({"as_of": dt.date(2024, 12, 31), "regions": RESOURCES}, allow_unicode=True),
                     encoding="utf-8")
    back = rec.recommend(fx["store"], "330100", as_of="2023-06-30", resources=dated)
    assert back["resources"]["as_of"] == "2024-12-31"
    assert any("地区资源文件截至 2024-12-31，晚于分析日期 2023-06-30" in n for n in back["notes"])
    assert any("as of 2024-12-31, after the analysis date 2023-06-30" in n for n in back["notes_en"])
    marked = {c["metric"] for m in back["modes"] for c in m["criteria"] if c["after_as_of"]}
    assert "universities" in marked and "demands" not in marked  # the file's figures, not the database's
    now = rec.recommend(fx["store"], "330100", as_of=AS_OF, resources=dated)
    assert not any("地区资源文件截至" in n for n in now["notes"])
    assert not any(c["after_as_of"] for m in now["modes"] for c in m["criteria"])
    p = run("recommend", "330100", "--as-of", "2023-06-30", "--resources", str(dated), db=fx["db"], timeout=120)
    assert "†" in p.stdout and "晚于分析日期 2023-06-30" in p.stderr
    p = run("--lang", "en", "recommend", "330100", "--as-of", "2023-06-30", "--resources", str(dated), db=fx["db"],
            timeout=120)
    assert "after the analysis date 2023-06-30" in p.stderr


def test_resources_after_the_as_of_date_are_marked_wherever_the_modes_are_shown(fx, tmp_path):
    """The CLI marked † the criteria read from a resources file dated after the as-of date and printed the note; the
    region page (its explained criteria), the report and the workbook (their mode cards) showed the same figures as
    facts at that date, without † or note. The mark travels in the explanation and the note in the resources."""
    dated = tmp_path / "resources.yaml"
    dated.write_text(yaml.safe_dump({"as_of": dt.date(2024, 12, 31), "regions": RESOURCES}, allow_unicode=True),
                     encoding="utf-8")
    back = rec.recommend(fx["store"], "330100", as_of="2023-06-30", resources=dated)
    marked = {c["metric"] for m in back["modes"] for c in m["criteria"] if c["after_as_of"]}
    parts = {p.signal: (p.detail or {}).get("after_as_of") for m in back["modes"] for p in m["explain"].parts}
    assert marked and {k for k, v in parts.items() if v} == marked
    assert {parts[k] for k in marked} == {"2024-12-31"}
    assert back["resources"]["after_as_of"] and back["resources"]["note"] in back["notes"]
    from zhaoshang.interfaces.reports.region import mode_cards, resources_note

    for lang, said in (("zh", "† 地区资源文件截至 2024-12-31，晚于分析日期 2023-06-30"),
                       ("en", "† The region resources file is as of 2024-12-31, after the analysis date 2023-06-30")):
        cards = mode_cards(back["modes"], lang)
        daggers = [c["text"].endswith(" †") for m in cards for c in m["criteria"]]
        assert sum(daggers) == sum(c["after_as_of"] for m in back["modes"] for c in m["criteria"]) > 0
        assert resources_note({"recommend": back}, lang).startswith(said)
    # each criterion's value and threshold as the region page's explained criteria print them (xnum: 3 decimals,
    # thousands grouped — 2,000 and 3.045, not 2000 and 3.05), how the criteria combine in words, not all / any
    from zhaoshang.interfaces.web.context import xnum

    for m, card in zip(sorted(back["modes"], key=lambda m: not m["suggested"]), mode_cards(back["modes"])):
        assert card["code"] == m["code"] and card["require_text"] == {"all": "全部满足", "any": "任一满足"}[m["require"]]
        for c, shown in zip(m["criteria"], card["criteria"]):
            value = "数据不足" if c["value"] is None else xnum(c["value"])
            assert shown["text"].startswith(f"{c['label_zh']}：{value}（{c['op']} {xnum(c['threshold'])}）"), shown
    texts = [c["text"] for m in mode_cards(back["modes"]) for c in m["criteria"]]
    assert any("（>= 2,000）" in t for t in texts) and not any(t.endswith("（>= 1.0）") for t in texts), texts
    assert any(not isinstance(c["value"], int) and c["value"] and round(c["value"], 2) != round(c["value"], 3)
               for m in back["modes"] for c in m["criteria"] if isinstance(c["value"], float))  # a value the 2 decimals cut
    now = rec.recommend(fx["store"], "330100", as_of=AS_OF, resources=dated)
    assert not now["resources"]["after_as_of"] and now["resources"]["note"] is None
    assert not any(c["text"].endswith("†") for m in mode_cards(now["modes"]) for c in m["criteria"])
    assert resources_note({"recommend": now}) == ""
    # a file of provinces gives a city no figure: its criteria read no data, said why, and none is marked † (no
    # later figure was read) — no note of later data beside rows that all read 数据不足
    provinces = tmp_path / "provinces.yaml"
    provinces.write_text(yaml.safe_dump({"as_of": dt.date(2024, 12, 31), "regions": {
        c[:2] + "0000": {k: v for k, v in r.items() if k != "name"} for c, r in RESOURCES.items()}}), encoding="utf-8")
    city = rec.recommend(fx["store"], "330100", as_of="2023-06-30", resources=provinces)
    read = [c for m in city["modes"] for c in m["criteria"] if "resources" in c["source"]]
    assert read and all(c["value"] is None and not c["after_as_of"] for c in read)
    assert not city["resources"]["after_as_of"] and city["resources"]["note"] is None
    for lang, said in (("zh", "地区资源文件只覆盖省级地区（3 个），没有地级市 杭州市 的数据，读取它的条件"),
                       ("en", "The region resources file covers provinces only (3) and has no figures for the city Hangzhou, so the criteria")):
        assert resources_note({"recommend": city}, lang).startswith(said) and "†" not in resources_note({"recommend": city}, lang)
    assert city["resources"]["absent_note"] in city["notes"] and city["resources"]["absent_note_en"] in city["notes_en"]
