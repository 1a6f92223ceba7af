"""Relatedness and economic complexity over a region × node matrix.

Definitions (docs/methods.md, "Relatedness and complexity"):

- RCA (Balassa 1965): ``rca_cp = (x_cp / x_c) / (x_p / x)``; ``mcp = 1`` when ``rca_cp >= threshold``.
- diversity ``k_c0 = Σ_p M_cp``, ubiquity ``k_p0 = Σ_c M_cp``.
- proximity (Hidalgo et al. 2007): ``φ_pp' = Σ_c M_cp M_cp' / max(k_p0, k_p'0)`` (the minimum of the two
  conditional probabilities).
- density: ``ω_cp = Σ_p' M_cp' φ_pp' / Σ_p' φ_pp'``.
- ECI / PCI (Hidalgo & Hausmann 2009, eigenvector form of Mealy et al. 2019): the eigenvector of the second
  largest eigenvalue of ``M̃ = D⁻¹ M U⁻¹ Mᵀ``. It is obtained from the symmetric matrix
  ``S = A Aᵀ`` (or ``Aᵀ A``, whichever side is smaller) with ``A = D^-½ M U^-½``: ``M̃ = D^-½ S D^½``,
  so both share eigenvalues and the eigenvectors map by ``D^-½``. Only the top two eigenpairs are used
  (``scipy.linalg.eigh`` with an index subset; a dense matrix whose smaller side is at most ``DENSE_EIGEN`` is
  solved whole by ``numpy.linalg.eigh``, and its components counted by numpy, so that scipy is not loaded).
- COI / COG (Hausmann et al. 2014).

The numbers reproduce the ``ecomplexity`` package (0.5.3) exactly where it defines them: PCI is the
unit-norm eigenvector of ``U⁻¹ Mᵀ D⁻¹ M``, ECI = ``D⁻¹ M PCI``, the sign makes ECI correlate positively with
diversity, and both are standardised with ECI's mean and (population) standard deviation.
With ``reference="ecomplexity"``, COI and COG are computed from the raw (unit-norm) PCI and then COI is
standardised and COG divided by the ECI standard deviation, as that package does; the default computes
them from the standardised PCI, as published, without further scaling.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import numpy as np

from ...core.errors import NotFound, UserError

REFERENCES = (None, "ecomplexity")
# Below this share of non-zero cells, the binary matrix products run on scipy.sparse.
SPARSE_FILL = 0.05
# A dense matrix whose smaller side has at most this many rows has its eigenproblem solved whole by numpy.
DENSE_EIGEN = 400
# Relative gap under which the top two eigenvalues count as equal (a disconnected matrix).
DEGENERATE_GAP = 1e-10
# A second eigenvalue at or below this is zero: the matrix has no structure beyond its totals.
NO_STRUCTURE = 1e-12


@dataclass
class ComplexityResult:
    """All outputs as arrays over the full label sets (NaN where undefined)."""

    regions: list[str]
    nodes: list[str]
    value: np.ndarray            # regions × nodes
    rca: np.ndarray
    mcp: np.ndarray
    diversity: np.ndarray        # regions
    ubiquity: np.ndarray         # nodes
    proximity: np.ndarray        # nodes × nodes
    density: np.ndarray
    eci: np.ndarray              # regions
    pci: np.ndarray              # nodes
    coi: np.ndarray              # regions
    cog: np.ndarray              # regions × nodes
    eigenvalue: float = math.nan  # the second eigenvalue of M̃
    components: int = 0          # connected components of the bipartite region–node graph of M
    reference: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def connected(self) -> bool:
        return self.components == 1

    def rows(self) -> list[dict]:
        """One dict per region × node cell, NaN turned into None."""
        R, N = len(self.regions), len(self.nodes)
        cols = {
            "value": self.value.ravel(),
            "rca": self.rca.ravel(),
            "mcp": self.mcp.ravel(),
            "density": self.density.ravel(),
            "cog": self.cog.ravel(),
            "diversity": np.repeat(self.diversity, N),
            "ubiquity": np.tile(self.ubiquity, R),
            "eci": np.repeat(self.eci, N),
            "pci": np.tile(self.pci, R),
            "coi": np.repeat(self.coi, N),
        }
        lists = {k: [None if (isinstance(x, float) and math.isnan(x)) else x for x in v.tolist()] for k, v in cols.items()}
        out = []
        i = 0
        for r in self.regions:
            for n in self.nodes:
                row = {"region": r, "node": n}
                for k in ("value", "rca", "mcp", "diversity", "ubiquity", "density", "eci", "pci", "coi", "cog"):
                    row[k] = lists[k][i]
                if row["mcp"] is not None:
                    row["mcp"] = int(row["mcp"])
                for k in ("diversity", "ubiquity"):
                    if row[k] is not None:
                        row[k] = int(row[k])
                out.append(row)
                i += 1
        return out


# -- input -----------------------------------------------------------------------------------------------

def matrix_from_rows(rows: Iterable[Any], *, region_key: str = "region", node_key: str = "node",
                     value_key: str = "value") -> tuple[list[str], list[str], np.ndarray]:
    """Long rows (dicts or (region, node, value) tuples) → sorted labels and a dense matrix.

    Repeated (region, node) pairs are summed; missing or non-numeric values count as 0.
    """
    regs: list = []
    nds: list = []
    vals: list = []
    for r in rows:
        if isinstance(r, dict):
            a, b, v = r[region_key], r[node_key], r.get(value_key)
        else:
            a, b, v = r[0], r[1], r[2]
        regs.append(str(a))
        nds.append(str(b))
        try:
            v = float(v) if v is not None else 0.0
        except (TypeError, ValueError):
            v = 0.0
        vals.append(0.0 if math.isnan(v) else v)
    regions = sorted(set(regs))
    nodes = sorted(set(nds))
    ri = {r: i for i, r in enumerate(regions)}
    ni = {n: i for i, n in enumerate(nodes)}
    X = np.zeros((len(regions), len(nodes)))
    if vals:
        np.add.at(X, (np.fromiter((ri[r] for r in regs), np.int64, len(regs)),
                      np.fromiter((ni[n] for n in nds), np.int64, len(nds))), np.asarray(vals, dtype=float))
    return regions, nodes, X


# -- the computation -------------------------------------------------------------------------------------

def _sparse(x) -> bool:
    """A scipy.sparse matrix (told without importing scipy: a dense computation never loads it)."""
    return hasattr(x, "toarray") and hasattr(x, "tocsr")


def _product(a, b) -> np.ndarray:
    out = a @ b
    return out.toarray() if _sparse(out) else np.asarray(out)


def _components_dense(M: np.ndarray) -> int:
    """Connected components of the bipartite graph of the 0/1 matrix ``M`` (regions and nodes as vertices, an edge
    per non-zero cell), as ``scipy.sparse.csgraph.connected_components`` counts them, for a dense ``M``: an
    isolated vertex is one component, the others are grown from a seed by whole-row and whole-column steps."""
    on = M != 0
    nr, nn = on.shape
    seen_r, seen_n = ~on.any(axis=1), ~on.any(axis=0)
    count = int(seen_r.sum() + seen_n.sum())
    for i in range(nr):
        if seen_r[i]:
            continue
        rows = np.zeros(nr, bool)
        rows[i] = True
        cols = np.zeros(nn, bool)
        while True:
            new_cols = on[rows].any(axis=0) & ~cols
            cols |= new_cols
            new_rows = on[:, new_cols].any(axis=1) & ~rows
            if not new_rows.any():
                break
            rows |= new_rows
        seen_r |= rows
        count += 1
    return count


def _safe_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=np.broadcast_to(den != 0, out.shape))
    return out


def _eigen(M: np.ndarray, d: np.ndarray, u: np.ndarray, notes: list[str],
           dense: bool = False) -> tuple[np.ndarray, np.ndarray, float]:
    """Raw ECI (``D⁻¹ M kp``) and raw PCI (unit-norm eigenvector ``kp`` of ``U⁻¹ Mᵀ D⁻¹ M``), unsigned.

    ``M`` holds only regions with d > 0 and nodes with u > 0. ``dense``: the small side has at most ``DENSE_EIGEN``
    rows, solved whole by numpy (no scipy to load); else the two top eigenpairs by ``scipy.linalg.eigh``.
    """
    nc, npr = M.shape
    sd, su = np.sqrt(d), np.sqrt(u)
    A = M / sd[:, None] / su[None, :]
    small_side_regions = nc <= npr
    S = A @ A.T if small_side_regions else A.T @ A
    n = S.shape[0]
    if dense and n <= DENSE_EIGEN:
        vals, vecs = np.linalg.eigh(S)
        vals, vecs = vals[n - 2:], vecs[:, n - 2:]
    else:
        import scipy.linalg

        vals, vecs = scipy.linalg.eigh(S, subset_by_index=[n - 2, n - 1])
    lam2, v2 = float(vals[0]), vecs[:, 0]
    if vals[1] - vals[0] <= DEGENERATE_GAP * max(1.0, abs(vals[1])):
        # Several components share the eigenvalue 1: take the direction of the top eigenspace that is
        # orthogonal to the trivial eigenvector (√d resp. √u); unique when there are two components.
        trivial = sd if small_side_regions else su
        trivial = trivial / np.linalg.norm(trivial)
        a = vecs.T @ trivial
        v2 = vecs @ np.array([-a[1], a[0]])
        v2 /= np.linalg.norm(v2)
        notes.append("degenerate")
    if lam2 <= NO_STRUCTURE:
        # Every region has the same mix (e.g. all Mcp = 1): no second direction, ECI is undefined.
        notes.append("no_structure")
        return np.full(nc, np.nan), np.full(npr, np.nan), lam2
    if small_side_regions:
        kc = v2 / sd                     # eigenvector of D⁻¹ M U⁻¹ Mᵀ
        kp = (M.T @ kc) / u              # U⁻¹ Mᵀ kc, eigenvector of U⁻¹ Mᵀ D⁻¹ M
    else:
        kp = v2 / su
    kp = kp / np.linalg.norm(kp)
    kc = (M @ kp) / d
    return kc, kp, lam2


def complexity_matrix(X, regions: Sequence[str] | None = None, nodes: Sequence[str] | None = None, *,
                      reference: str | None = None, rca_threshold: float = 1.0) -> ComplexityResult:
    """Compute every output for a regions × nodes value matrix (dense array or scipy.sparse). scipy is imported
    only for a sparse input or a sparse binary matrix (below ``SPARSE_FILL``) or a large eigenproblem: a dense
    matrix such as the region × segment one (29 segments) is computed by numpy alone, so that a served region
    page does not load scipy (≈ 0.6–1.2 s of its first request on the shared machine)."""
    if reference not in REFERENCES:
        raise UserError(f"未知的参照实现: {reference}（可选: ecomplexity）", f"unknown reference implementation: {reference} (one of: ecomplexity)")
    sparse_in = _sparse(X)
    X = X.toarray() if sparse_in else np.array(X, dtype=float, copy=True)
    if X.ndim != 2:
        raise UserError("输入必须是二维矩阵（地区 × 节点）", "the input must be a two-dimensional matrix (regions × nodes)")
    X = np.nan_to_num(X, nan=0.0)
    if (X < 0).any():
        raise UserError("数值不能为负", "values cannot be negative")
    R, N = X.shape
    regions = list(regions) if regions is not None else [str(i) for i in range(R)]
    nodes = list(nodes) if nodes is not None else [str(j) for j in range(N)]
    notes: list[str] = []

    full = lambda shape: np.full(shape, np.nan)  # noqa: E731
    rca_f, mcp_f, dens_f, cog_f = full((R, N)), full((R, N)), full((R, N)), full((R, N))
    div_f, eci_f, coi_f = full(R), full(R), full(R)
    ubi_f, pci_f = full(N), full(N)
    prox_f = full((N, N))

    # Regions and nodes with a zero total are left out of everything (their outputs stay NaN).
    rows_on = X.sum(axis=1) != 0
    cols_on = X.sum(axis=0) != 0
    res = ComplexityResult(regions, nodes, X, rca_f, mcp_f, div_f, ubi_f, prox_f, dens_f, eci_f, pci_f, coi_f,
                           cog_f, reference=reference, notes=notes)
    if not rows_on.any():
        notes.append("empty")
        return res
    Xa = X[np.ix_(rows_on, cols_on)]

    # RCA, in the same floating-point steps as the published formula.
    region_total = Xa.sum(axis=1)
    node_total = Xa.sum(axis=0)
    grand_total = node_total.sum()
    rca = (Xa / region_total[:, None]) / (node_total / grand_total)[None, :]
    M = (np.nan_to_num(rca) >= rca_threshold).astype(float)
    d = M.sum(axis=1)
    u = M.sum(axis=0)

    fill = M.mean() if M.size else 0.0
    dense = not sparse_in and fill >= SPARSE_FILL
    if dense:
        Mo = M
    else:
        import scipy.sparse as sp  # scipy is imported when a sparse matrix is computed, not with every command
        from scipy.sparse.csgraph import connected_components

        Mo = sp.csr_matrix(M) if fill < SPARSE_FILL else M

    # Proximity: co-occurrence over the larger ubiquity (0 for a node present nowhere).
    co = _product(Mo.T, Mo)
    phi = _safe_div(co, np.maximum(u[:, None], u[None, :]))
    phi = np.nan_to_num(phi, nan=0.0)
    phi_tot = phi.sum(axis=1)
    density = _safe_div(_product(Mo, phi), phi_tot[None, :])

    # Connectivity of the bipartite graph of M (regions and nodes as vertices).
    nr, nn = M.shape
    if dense:
        res.components = _components_dense(M) if nr + nn else 0
    else:
        B = sp.bmat([[None, sp.csr_matrix(M)], [sp.csr_matrix(M.T), None]], format="csr")
        res.components = int(connected_components(B, directed=False)[0]) if B.shape[0] else 0

    # ECI / PCI on regions with d > 0 and nodes with u > 0.
    rv, cv = d > 0, u > 0
    kc_a, kp_a = np.full(nr, np.nan), np.full(nn, np.nan)
    if rv.sum() >= 2 and cv.sum() >= 2:
        Mv = M[np.ix_(rv, cv)]
        kc, kp, lam2 = _eigen(Mv, d[rv], u[cv], notes, dense=dense)
        res.eigenvalue = lam2
        with np.errstate(invalid="ignore", divide="ignore"):
            ok = np.isfinite(kc).all() and kc.std() > 0 and d[rv].std() > 0
            corr = np.corrcoef(d[rv], kc)[0, 1] if ok else math.nan
        sign = np.sign(corr)
        if not np.isfinite(kc).all():
            sign = math.nan
        elif not np.isfinite(sign) or sign == 0:
            if reference == "ecomplexity":
                sign = math.nan  # that package leaves ECI and PCI undefined here
            else:
                # Diversity is constant (or uncorrelated): make the largest-magnitude ECI entry positive.
                sign = 1.0 if kc[np.argmax(np.abs(kc))] >= 0 else -1.0
                notes.append("sign_fallback")
        kc_a[rv] = sign * kc
        kp_a[cv] = sign * kp
    else:
        notes.append("too_small")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean, std = np.nanmean(kc_a), np.nanstd(kc_a)
    std_ok = np.isfinite(std) and std > 0
    eci = (kc_a - mean) / std if std_ok else np.full(nr, np.nan)
    pci = (kp_a - mean) / std if std_ok else np.full(nn, np.nan)

    # COI / COG.
    p_use = kp_a if reference == "ecomplexity" else pci
    p0 = np.nan_to_num(p_use, nan=0.0)
    absent = 1.0 - M
    coi = (np.nan_to_num(density, nan=0.0) * absent * p0[None, :]).sum(axis=1)
    w = np.divide(p0, phi_tot, out=np.zeros_like(p0), where=phi_tot != 0)
    cog = absent * _product(absent, phi * w[:, None])
    if not np.isfinite(p_use).any():
        coi[:] = np.nan
        cog[:] = np.nan
    if reference == "ecomplexity":
        with np.errstate(invalid="ignore", divide="ignore"):
            coi = (coi - coi.mean()) / coi.std()
            cog = cog / std if std_ok else np.full_like(cog, np.nan)

    # Back to the full label sets.
    ix = np.ix_(rows_on, cols_on)
    rca_f[ix], mcp_f[ix], dens_f[ix], cog_f[ix] = rca, M, density, cog
    div_f[rows_on], eci_f[rows_on], coi_f[rows_on] = d, eci, coi
    ubi_f[cols_on], pci_f[cols_on] = u, pci
    prox_f[np.ix_(cols_on, cols_on)] = phi
    if res.components > 1:
        notes.append("disconnected")
    return res


def compute_complexity(rows: Iterable[Any], *, reference: str | None = None, rca_threshold: float = 1.0,
                       region_key: str = "region", node_key: str = "node", value_key: str = "value") -> list[dict]:
    """Long (region, node, value) rows in → one row per region × node with every output.

    Output keys: region, node, value, rca, mcp, diversity, ubiquity, density, eci, pci, coi, cog.
    """
    regions, nodes, X = matrix_from_rows(rows, region_key=region_key, node_key=node_key, value_key=value_key)
    return complexity_matrix(X, regions, nodes, reference=reference, rca_threshold=rca_threshold).rows()


# -- from the store --------------------------------------------------------------------------------------

NODE_SETS = ("segment", "placed")


def region_node_matrix(store, level: str = "province", by: str = "chain", as_of=None, *,
                       chain: str = "ai", nodes: str = "placed") -> list[dict]:
    """(region, node, value) rows from the database.

    ``by="chain"``: distinct enterprises by the enterprise's region; an enterprise counts when it exists on
    ``as_of`` (default: the reference date), in the region it was registered in then (``core.asof``).
    ``nodes="segment"`` (``zhaoshang complexity``'s default): the chain's segments (level ``segment_level`` of ``data/recommend.yaml``),
    an enterprise counting for a segment when placed on it or below it — the matrix of the differentiated
    path (``recommend``), so a segment has one PCI and one density everywhere; ``nodes="placed"`` (default here): the
    nodes enterprises are placed on as they are (a segment and its sub-nodes are separate columns). ``by="ipc"``: distinct patents applied on or before ``as_of``, by IPC subclass (first four
    characters of the main IPC) and applicant region; a patent with applicants in two regions counts once in
    each.
    """
    from ...core.asof import REGION_FIELDS, enterprises_as_of, reference_date
    from .levels import region_sql

    d = reference_date(store, as_of)
    if nodes not in NODE_SETS:
        raise UserError(f"未知的节点集: {nodes}（可选: {', '.join(NODE_SETS)}）", f"unknown node set: {nodes} (one of: {', '.join(NODE_SETS)})")
    if by == "chain" and nodes == "segment":
        from .segments import segment_level, segment_matrix

        region_sql(level, "e")  # the level's check and message
        return segment_matrix(store, chain, level, segment_level(), d)
    if by == "chain":
        expr, join, params = region_sql(level, "e")
        sql = f"""
            SELECT {expr} AS region, p.node_code AS node, count(DISTINCT e.id) AS value
            FROM placements p JOIN {enterprises_as_of(d, store, REGION_FIELDS)} e ON e.id = p.enterprise_id {join}
            WHERE p.chain = ? AND {expr} IS NOT NULL
            GROUP BY ALL ORDER BY 1, 2"""
        return store.query(sql, params + [chain])
    if by == "ipc":
        expr, join, params = region_sql(level, "a")
        sql = f"""
            WITH a AS (
                SELECT pa.patent_id,
                       coalesce(pa.province_code, e.province_code) AS province_code,
                       coalesce(pa.city_code, e.city_code) AS city_code,
                       coalesce(pa.district_code, e.district_code) AS district_code
                FROM patent_applicants pa
                LEFT JOIN {enterprises_as_of(d, store, REGION_FIELDS, existing=False)} e ON e.id = pa.enterprise_id
            )
            SELECT {expr} AS region, upper(substr(replace(pt.main_ipc, ' ', ''), 1, 4)) AS node,
                   count(DISTINCT pt.id) AS value
            FROM a JOIN patents pt ON pt.id = a.patent_id {join}
            WHERE pt.main_ipc IS NOT NULL AND length(replace(pt.main_ipc, ' ', '')) >= 4
              AND pt.applied <= ? AND {expr} IS NOT NULL
            GROUP BY ALL ORDER BY 1, 2"""
        return store.query(sql, params + [d])
    raise UserError(f"未知的矩阵类型: {by}（可选: chain, ipc）", f"unknown matrix: {by} (one of: chain, ipc)")


def region_complexity(store, level: str = "province", by: str = "chain", as_of=None, *,
                      reference: str | None = None, rca_threshold: float = 1.0, chain: str = "ai",
                      nodes: str = "segment") -> dict:
    """The service behind ``zhaoshang complexity``: the matrix from the store and every output."""
    from ...core.asof import reference_date

    if level == "macro":  # overlapping rows (长三角 within 三极) would count one enterprise in several: no RCA, no ECI
        raise UserError("复杂度不按宏观区域计算：宏观区域相互重叠（如 长三角 属于 三极），同一家企业会计入多行，RCA 与 ECI 失去意义；"
                        "请用 --level province，或 zhaoshang recommend 长三角（宏观区域作为一行，区外各省各一行）",
                        "complexity is not computed over macro-regions: they overlap (长三角 lies within 三极), so one "
                        "enterprise would count in several rows and RCA and ECI lose their meaning; use --level province, "
                        "or zhaoshang recommend 长三角 (the macro-region as one row beside the provinces outside it)")
    from ...core.geo.lookup import LEVELS

    if level not in LEVELS:  # the levels complexity is computed at, not every level a region has
        raise UserError(f"未知的区域层级: {level}（可选: {', '.join(LEVELS)}）", f"unknown region level: {level} (one of: {', '.join(LEVELS)})")
    if not 0 < rca_threshold <= 1000:  # at 0 or below every cell is Mcp=1 and nothing is left to compare
        raise UserError(f"--rca-threshold 须大于 0 且不超过 1000: {rca_threshold:g}", f"--rca-threshold must be above 0 and at most 1000: {rca_threshold:g}")
    as_of = reference_date(store, as_of)
    node_set = nodes if by == "chain" else "ipc_subclass"
    rows = region_node_matrix(store, level, by, as_of, chain=chain, nodes=nodes)
    if not rows:  # nothing placed (or patented) at that level and date: nothing found, as an unknown region is
        raise NotFound("没有可用于计算复杂度的数据（检查产业链归类或专利数据、层级与日期）", "no data to compute complexity from (check chain placements or patents, the level and the date)")
    regions, nodes, X = matrix_from_rows(rows)
    res = complexity_matrix(X, regions, nodes, reference=reference, rca_threshold=rca_threshold)
    from .levels import region_names

    names = region_names(store, regions)
    out = res.rows()
    for r in out:  # each row says its date: the command's JSON is the rows alone, as the API's "rows"
        r["region_name"] = names.get(r["region"])
        r["as_of"] = as_of.isoformat()
    return {
        "level": level, "by": by, "node_set": node_set, "as_of": as_of.isoformat(), "reference": reference or "published",
        "rca_threshold": rca_threshold, "regions": len(regions), "nodes": len(nodes),
        "components": res.components, "second_eigenvalue": None if math.isnan(res.eigenvalue) else res.eigenvalue,
        "notes": res.notes, "rows": out,
    }
