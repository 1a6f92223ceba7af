"""Relatedness and complexity: every output against the ecomplexity package (a test oracle), edge cases,
and the region × node matrix built from the store."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from cli_util import run

from zhaoshang.services.analytics.complexity import (
    complexity_matrix,
    compute_complexity,
    matrix_from_rows,
    region_node_matrix,
)

ecomplexity = pytest.importorskip("ecomplexity")

OUTPUTS = ["rca", "mcp", "diversity", "ubiquity", "density", "eci", "pci", "coi", "cog"]
COLS = {"time": "t", "loc": "loc", "prod": "prod", "val": "val"}


def oracle(X: np.ndarray, regions, nodes, **kw) -> pd.DataFrame:
    """ecomplexity's output for the matrix, one row per (loc, prod), sorted."""
    df = pd.DataFrame(
        [(0, r, n, float(X[i, j])) for i, r in enumerate(regions) for j, n in enumerate(nodes)],
        columns=["t", "loc", "prod", "val"],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = ecomplexity.ecomplexity(df, COLS, verbose=False, check_logsupermodularity=False, **kw)
    return out.sort_values(["loc", "prod"]).reset_index(drop=True)


def ours(X, regions, nodes, **kw) -> pd.DataFrame:
    res = complexity_matrix(X, regions, nodes, **kw)
    return pd.DataFrame(res.rows()).sort_values(["region", "node"]).reset_index(drop=True)


def assert_match(a: pd.DataFrame, b: pd.DataFrame, cols=OUTPUTS, tol=1e-9):
    assert list(a["region"]) == list(b["loc"]) and list(a["node"]) == list(b["prod"])
    for c in cols:
        x = a[c].to_numpy(float)
        y = b[c].to_numpy(float)
        assert np.isfinite(y).all(), c
        np.testing.assert_allclose(x, y, rtol=0, atol=tol, err_msg=c)


def labels(R, N):
    return [f"r{i:04d}" for i in range(R)], [f"p{j:04d}" for j in range(N)]


def random_matrix(rng, R, N, fill, lam=4.0):
    for _ in range(200):
        X = rng.poisson(lam, size=(R, N)) * (rng.random((R, N)) < fill)
        X[np.arange(R), rng.integers(0, N, R)] += 1      # no empty region
        X[rng.integers(0, R, N), np.arange(N)] += 1      # no empty node
        if complexity_matrix(X).connected:
            return X
    raise AssertionError("no connected matrix drawn")


def independent_coi_cog(df: pd.DataFrame, nodes) -> tuple[pd.Series, pd.DataFrame]:
    """COI / COG from standardised PCI written out from the published formulas (Hausmann et al. 2014)."""
    mcp = df.pivot(index="region", columns="node", values="mcp").to_numpy(float)
    dens = df.pivot(index="region", columns="node", values="density").to_numpy(float)
    pci = df.groupby("node")["pci"].first().reindex(nodes).to_numpy(float)
    u = mcp.sum(0)
    phi = np.zeros((len(nodes), len(nodes)))
    for a in range(len(nodes)):
        for b in range(len(nodes)):
            phi[a, b] = (mcp[:, a] * mcp[:, b]).sum() / max(u[a], u[b])
    coi = ((1 - mcp) * dens * pci).sum(axis=1)
    cog = np.zeros_like(mcp)
    for c in range(mcp.shape[0]):
        for p in range(len(nodes)):
            if mcp[c, p] == 0:
                cog[c, p] = sum(phi[p, q] / phi[:, q].sum() * (1 - mcp[c, q]) * pci[q] for q in range(len(nodes)))
    return coi, cog


@pytest.mark.parametrize("shape,fill,seed", [((30, 50), 0.6, 1), ((60, 12), 0.8, 2), ((9, 9), 0.9, 3),
                                             ((120, 300), 0.3, 4), ((200, 40), 0.08, 5)])
def test_matches_ecomplexity_on_random_connected_matrices(shape, fill, seed):
    rng = np.random.default_rng(seed)
    X = random_matrix(rng, *shape, fill)
    regions, nodes = labels(*shape)
    ref = oracle(X, regions, nodes)
    assert_match(ours(X, regions, nodes, reference="ecomplexity"), ref)
    # The published convention differs only in COI and COG.
    pub = ours(X, regions, nodes)
    assert_match(pub, ref, cols=["rca", "mcp", "diversity", "ubiquity", "density", "eci", "pci"])
    assert not np.allclose(pub["coi"].to_numpy(float), ref["coi"].to_numpy(float))


def test_published_coi_cog_follow_the_formula_with_standardised_pci():
    rng = np.random.default_rng(11)
    X = random_matrix(rng, 15, 20, 0.6)
    regions, nodes = labels(15, 20)
    df = ours(X, regions, nodes)
    coi, cog = independent_coi_cog(df, nodes)
    np.testing.assert_allclose(df.groupby("region")["coi"].first().to_numpy(float), coi, atol=1e-9)
    np.testing.assert_allclose(df.pivot(index="region", columns="node", values="cog").to_numpy(float), cog,
                               atol=1e-9)


def test_eci_is_the_second_eigenvector_and_tracks_diversity():
    rng = np.random.default_rng(7)
    X = random_matrix(rng, 25, 35, 0.5)
    res = complexity_matrix(X)
    M, d, u = res.mcp, res.diversity, res.ubiquity
    Mt = (M / d[:, None]) @ (M / u[None, :]).T
    vals, vecs = np.linalg.eig(Mt)
    k = np.real(vecs[:, np.argsort(np.real(vals))[-2]])
    k = (k - k.mean()) / k.std()
    assert np.isclose(np.sort(np.real(vals))[-2], res.eigenvalue, atol=1e-10)
    assert np.allclose(np.abs(np.corrcoef(k, res.eci)[0, 1]), 1.0, atol=1e-10)
    assert np.corrcoef(d, res.eci)[0, 1] > 0
    assert abs(res.eci.mean()) < 1e-12 and abs(res.eci.std() - 1) < 1e-12


@pytest.mark.parametrize("rel,loc,prod", [
    ("ai_companies/itjuzi_china_ai_companies_2018-12.csv", "location_l1", "sub_industry"),
    ("listed_companies/a_share_companies_merged.csv", "province", "tushare_industry"),
])
def test_matches_ecomplexity_on_real_matrices(shared, rel, loc, prod):
    df = pd.read_csv(shared(rel), dtype=str)
    df = df[df[loc].notna() & df[prod].notna()]
    # Regions with one or two companies make the bipartite graph fall apart (the eigenvector is then not
    # unique, see the disconnected case below); keep regions with at least three.
    df = df[df[loc].map(df[loc].value_counts()) >= 3]
    counts = df.groupby([loc, prod]).size().reset_index(name="value")
    rows = counts.rename(columns={loc: "region", prod: "node"}).to_dict("records")
    regions, nodes, X = matrix_from_rows(rows)
    assert len(regions) >= 20 and len(nodes) >= 30
    res = complexity_matrix(X, regions, nodes, reference="ecomplexity")
    ref = oracle(X, regions, nodes)
    got = pd.DataFrame(res.rows()).sort_values(["region", "node"]).reset_index(drop=True)
    assert res.connected
    assert_match(got, ref)
    # the long-row interface gives the same numbers
    via_rows = pd.DataFrame(compute_complexity(rows, reference="ecomplexity")).sort_values(["region", "node"])
    np.testing.assert_allclose(via_rows["eci"].to_numpy(float), got["eci"].to_numpy(float), atol=0, equal_nan=True)


def test_zero_total_regions_and_nodes_are_left_out():
    rng = np.random.default_rng(3)
    X = random_matrix(rng, 12, 15, 0.7).astype(float)
    X = np.insert(X, 4, 0, axis=0)       # a region with nothing
    X = np.insert(X, 7, 0, axis=1)       # a node nobody has
    regions, nodes = labels(13, 16)
    got = ours(X, regions, nodes, reference="ecomplexity")
    dead_r, dead_n = got["region"] == regions[4], got["node"] == nodes[7]
    dead = dead_r | dead_n
    assert got.loc[dead, ["rca", "mcp", "density", "cog"]].isna().all().all()
    assert got.loc[dead_r, ["diversity", "eci", "coi"]].isna().all().all()
    assert got.loc[dead_n, ["ubiquity", "pci"]].isna().all().all()
    assert got.loc[~dead_r, "eci"].notna().all()
    assert (got.loc[dead, "value"] == 0).all()
    live_r = [r for i, r in enumerate(regions) if i != 4]
    live_n = [n for j, n in enumerate(nodes) if j != 7]
    ref = oracle(np.delete(np.delete(X, 4, 0), 7, 1), live_r, live_n)
    assert_match(got[~dead].reset_index(drop=True), ref)


def test_ties_at_the_threshold_count_as_presence():
    # Rows proportional to the column totals have RCA exactly 1 everywhere.
    X = np.array([[2, 4, 6], [1, 2, 3], [3, 6, 9]], dtype=float)
    res = complexity_matrix(X)
    assert (res.rca == 1.0).all() and (res.mcp == 1).all()
    X2 = np.array([[4, 1, 0, 3], [1, 2, 2, 0], [0, 3, 5, 1], [2, 0, 1, 4]], dtype=float)
    X2 = np.vstack([X2, X2.sum(axis=0)])   # a region shaped like the nation: RCA exactly 1
    regions, nodes = labels(5, 4)
    got = ours(X2, regions, nodes, reference="ecomplexity")
    assert_match(got, oracle(X2, regions, nodes), cols=["rca", "mcp", "diversity", "ubiquity", "density"])
    assert (got.loc[got["region"] == regions[4], "rca"] == 1.0).all()
    assert (got.loc[got["region"] == regions[4], "mcp"] == 1).all()


def test_single_region():
    rows = [{"region": "110000", "node": n, "value": v} for n, v in [("U01", 3), ("M01", 5), ("D01", 0)]]
    out = {r["node"]: r for r in compute_complexity(rows)}
    assert out["U01"]["rca"] == 1.0 and out["M01"]["mcp"] == 1 and out["U01"]["density"] == 1.0
    assert out["D01"]["rca"] is None and out["D01"]["value"] == 0
    assert all(r["eci"] is None and r["pci"] is None for r in out.values())


def test_no_structure_when_every_region_has_every_node():
    res = complexity_matrix(np.array([[2, 4, 6], [1, 2, 3], [3, 6, 9]], dtype=float))
    assert (res.mcp == 1).all() and np.isnan(res.eci).all() and np.isnan(res.pci).all()
    assert (res.density == 1).all()


def test_disconnected_matrix_separates_components():
    A = np.array([[3, 1, 0], [1, 2, 1], [0, 1, 4]], dtype=float)
    B = np.array([[5, 1], [1, 5], [2, 2]], dtype=float)
    X = np.block([[A, np.zeros((3, 2))], [np.zeros((3, 3)), B]])
    res = complexity_matrix(X)
    assert res.components == 2 and not res.connected and "disconnected" in res.notes
    assert np.isclose(res.eigenvalue, 1.0)
    e = np.round(res.eci, 9)
    assert len(set(e[:3])) == 1 and len(set(e[3:])) == 1 and e[0] != e[3]
    p = np.round(res.pci, 9)
    assert len(set(p[:3])) == 1 and len(set(p[3:])) == 1
    assert np.corrcoef(res.diversity, res.eci)[0, 1] > 0


def test_threshold_above_one_leaves_zero_diversity_regions_undefined():
    rng = np.random.default_rng(2)
    X = rng.poisson(4, (20, 25)) * (rng.random((20, 25)) < 0.8) + 1
    regions, nodes = labels(20, 25)
    res = complexity_matrix(X, regions, nodes, rca_threshold=1.8)
    dead_r = res.diversity == 0
    dead_n = res.ubiquity == 0
    assert dead_r.sum() >= 2 and dead_n.sum() >= 2
    assert complexity_matrix(res.mcp[np.ix_(~dead_r, ~dead_n)]).connected
    assert np.isnan(res.eci[dead_r]).all() and np.isfinite(res.eci[~dead_r]).all()
    # On the surviving sub-matrix the eigenvector part equals ecomplexity given that Mcp ("manual").
    live_r = [r for r, x in zip(regions, dead_r) if not x]
    live_n = [n for n, x in zip(nodes, dead_n) if not x]
    Mv = res.mcp[np.ix_(~dead_r, ~dead_n)]
    ref = oracle(Mv, live_r, live_n, presence_test="manual")
    np.testing.assert_allclose(res.eci[~dead_r], ref.groupby("loc")["eci"].first().to_numpy(float), atol=1e-9)
    np.testing.assert_allclose(res.pci[~dead_n], ref.groupby("prod")["pci"].first().to_numpy(float), atol=1e-9)
    np.testing.assert_allclose(res.density[np.ix_(~dead_r, ~dead_n)],
                               ref.pivot(index="loc", columns="prod", values="density").to_numpy(float), atol=1e-9)


def test_rows_interface_sums_duplicates_and_rejects_negative():
    rows = [("a", "x", 2), ("a", "x", 3), ("b", "y", 1), ("a", "y", 1), ("b", "x", 1)]
    regions, nodes, X = matrix_from_rows(rows)
    assert regions == ["a", "b"] and X[0, 0] == 5
    from zhaoshang.core.errors import UserError

    with pytest.raises(UserError):
        complexity_matrix(np.array([[1, -1], [2, 3]]))
    with pytest.raises(UserError):
        compute_complexity(rows, reference="stata")


# -- from the store --------------------------------------------------------------------------------------

def fill(s):
    """A small in-memory database filled through the schema: enterprises placed on the AI chain, patents."""
    ents = [
        (1, "甲科技", "110000", "110100", "110108", "2015-01-01", None),
        (2, "乙科技", "110000", "110100", "110105", "2019-06-01", None),
        (3, "丙智能", "440000", "440300", "440305", "2016-03-01", "2020-01-01"),
        (4, "丁芯片", "310000", "310100", "310115", None, None),
        (5, "戊算法", "440000", "440100", "440106", "2021-02-01", None),
    ]
    s.con.executemany("INSERT INTO enterprises (id, name, province_code, city_code, district_code, founded, dissolved) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?)", ents)
    s.con.executemany("INSERT INTO placements (enterprise_id, chain, node_code) VALUES (?, 'ai', ?)",
                      [(1, "U01"), (1, "M01"), (2, "M01"), (3, "D01"), (4, "U01"), (5, "M01"), (5, "D01")])
    s.con.executemany("INSERT INTO patents (id, main_ipc, applied) VALUES (?, ?, ?)",
                      [(1, "G06N 3/08", "2018-01-01"), (2, "G06F 16/00", "2020-05-01"), (3, "H01L 21/00", "2022-01-01")])
    s.con.executemany("INSERT INTO patent_applicants (patent_id, position, enterprise_id, province_code) VALUES (?, ?, ?, ?)",
                      [(1, 1, 1, None), (1, 2, None, "440000"), (2, 1, 4, None), (3, 1, 5, None)])


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
        fill(s)
    # the fixture's nodes have no taxonomy (no segments): the matrix of the nodes enterprises are placed on
    out = run_cli(db, ["complexity", "--level", "province", "--by", "chain", "--nodes", "placed", "--reference", "ecomplexity",
                       "--format", "json"])
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert {"region", "node", "value", "rca", "mcp", "density", "eci", "pci", "coi", "cog"} <= set(rows[0])
    got = {(r["region"], r["node"]): r["value"] for r in rows if r["value"]}
    assert got == {(r["region"], r["node"]): r["value"] for r in region_node_matrix(Store(db, read_only=True), "province", "chain")}
    bad = run_cli(db, ["complexity", "--by", "hs92", "--format", "json"])
    assert bad.returncode != 0 and "Traceback" not in bad.stderr and "hs92" in bad.stderr
    # macro-regions overlap (长三角 within 三极): no matrix of them; the refusal names what reads one
    macro = run_cli(db, ["complexity", "--level", "macro", "--nodes", "placed"])
    assert macro.returncode == 2 and "宏观区域相互重叠" in macro.stderr and "recommend 长三角" in macro.stderr, macro.stderr
    from web_util import local_client

    from zhaoshang.interfaces.web.app import create_app

    api = local_client(create_app(str(db))).get("/api/complexity", params={"level": "macro"})
    assert api.status_code == 400 and "level" in api.json()["error"]
    # the API's bound on the RCA threshold holds on the command line too; the levels offered are the ones taken
    for value in ("0", "-1"):
        bad = run_cli(db, ["complexity", "--nodes", "placed", "--rca-threshold", value, "--format", "json"])
        assert bad.returncode == 2 and bad.stdout == "", bad.stdout
        assert bad.stderr.splitlines()[0] == f"错误: --rca-threshold 须大于 0 且不超过 1000: {value}"
        assert local_client(create_app(str(db))).get("/api/complexity", params={"rca_threshold": value}).status_code == 400
    bad = run_cli(db, ["complexity", "--level", "cty", "--nodes", "placed"])
    assert bad.returncode == 2 and bad.stderr.splitlines()[0] == "错误: 未知的区域层级: cty（可选: province, city, district）"
    assert run_cli(db, ["complexity", "--nodes", "placed", "--rca-threshold", "0.5"]).returncode == 0


def test_region_node_matrix_by_chain_with_as_of(store):
    # no date: as of the reference date (the latest data date), so 丙, dissolved in 2020, no longer counts
    rows = {(r["region"], r["node"]): r["value"] for r in region_node_matrix(store, "province", "chain")}
    assert rows == {("110000", "U01"): 1, ("110000", "M01"): 2, ("440000", "D01"): 1, ("310000", "U01"): 1,
                    ("440000", "M01"): 1}
    rows = {(r["region"], r["node"]): r["value"] for r in region_node_matrix(store, "city", "chain", "2020-06-30")}
    # 乙 founded 2019 counts, 丙 dissolved 2020-01 and 戊 founded 2021 do not; 丁 has no founding date.
    assert rows == {("110100", "U01"): 1, ("110100", "M01"): 2, ("310100", "U01"): 1}


def test_region_node_matrix_by_ipc(store):
    rows = {(r["region"], r["node"]): r["value"] for r in region_node_matrix(store, "province", "ipc")}
    assert rows == {("110000", "G06N"): 1, ("440000", "G06N"): 1, ("310000", "G06F"): 1, ("440000", "H01L"): 1}
    rows = {(r["region"], r["node"]): r["value"] for r in region_node_matrix(store, "province", "ipc", "2021-01-01")}
    assert ("440000", "H01L") not in rows and len(rows) == 3
