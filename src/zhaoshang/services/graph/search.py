"""k best loop-free paths by the product of tie strengths, on the CSR arrays of a ``Graph``.

Best-first enumeration of simple paths from the targets outwards: a partial path's strength is an upper
bound of every completion (strengths are at most 1), so complete paths (ending at an origin, times the
origin's factor) come off the queue strongest first — the k first accepted are the k best. Bounds keep one
search small on millions of ties: at most ``max_hops`` ties, each node's ``max_neighbours`` strongest ties,
paths weaker than ``min_strength`` dropped, each node expanded at most ``4k`` times, ``max_pops`` in all
(a search that hits a bound says so: ``truncated``). A tie beyond a node's cap that ends at an origin is followed
all the same (it completes a path: the strongest tie of two enterprises may be a busy one's 46th); the nodes whose
other ties beyond the cap were left are counted (``capped``). Diversity: a path sharing more than ``diversity`` of its
intermediate nodes with a better accepted path, or the same nodes in the same order, is a variant and skipped.
A path whose first hop is an identity link (``same``: two records of one person) to a node that is as good an
origin is the same path with a needless hop, and is never a result.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np


@dataclass
class Path:
    nodes: list          # node numbers, origin first, target last
    edges: list          # edge ids between them
    strength: float      # product of tie strengths × origin factor
    ties: float          # product of tie strengths alone
    origin_factor: float


def k_paths(g, targets, origins: dict | np.ndarray, *, k: int = 5, max_hops: int = 4, diverse: bool = True,
            max_neighbours: int | None = None, min_strength: float | None = None, max_pops: int | None = None,
            diversity: float | None = None, common: set | None = None,
            same: np.ndarray | None = None, person_of: np.ndarray | None = None) -> tuple[list[Path], dict]:
    """The k best paths from any origin (``origins``: node → factor in (0, 1], or an array of factors, 0 = not
    an origin) to any of ``targets`` (a path passes through no other target). ``common``: nodes every path may
    share without being a variant (the target enterprise); ``same``: a flag per edge id, true for identity links;
    ``person_of``: each node's person (``Graph.same_person``: records of any kind linked as one), so that a path
    through or to another record of one person is the same path, not a second one. Returns (paths, search
    statistics)."""
    s = g.model.get("search", {}) if getattr(g, "model", None) else {}
    cap = int(max_neighbours or s.get("max_neighbours", 40))
    floor = float(min_strength if min_strength is not None else s.get("min_strength", 0.0005))
    budget = int(max_pops or s.get("max_pops", 200000))
    share = float(diversity if diversity is not None else s.get("diversity", 0.5))
    if isinstance(origins, dict):
        factor = lambda v: origins.get(v, 0.0)  # noqa: E731
        starts = np.zeros(g.n, dtype=np.float64)
        if origins:
            starts[np.fromiter(origins.keys(), np.int64)] = np.fromiter(origins.values(), np.float64)
    else:
        factor = lambda v: float(origins[v])  # noqa: E731
        starts = np.asarray(origins, dtype=np.float64)
    indptr, nbr, w, eid = g.indptr, g.nbr, g.w, g.eid
    heap: list = []
    tick = 0
    # chain = (node, edge, parent chain): a partial path from a target outwards
    target_set = set(targets)
    common = set(common or ())
    for t in dict.fromkeys(targets):
        heap.append((-1.0, tick, 0, t, 0, 1.0, (t, -1, None), 0))
        tick += 1
    heapq.heapify(heap)
    expanded: dict = {}
    per_node = 4 * k
    accepted: list[Path] = []
    seen_seq: set = set()
    inter_sets: list[set] = []
    pops = 0
    truncated = False
    capped = 0  # nodes whose ties beyond the cap, strong enough to follow, were not followed
    # entries: (-priority, tick, kind, node, hops, strength, chain, pos); kind 0 = a partial path at ``node``,
    # 1 = a complete path, 2 = a cursor on ``node``'s ties at ``pos`` (its priority is that tie's completion,
    # and the ties are sorted strongest first, so one cursor stands for all of a node's remaining ties)
    while heap and len(accepted) < k:
        if pops >= budget:
            truncated = True
            break
        negp, _, kind, v, hops, st, chain, pos = heapq.heappop(heap)
        pops += 1
        if kind == 1:
            nodes, edges = _unwind(chain)
            seq = tuple(nodes) if person_of is None else tuple(int(person_of[x]) for x in nodes)
            # an identity hop between two records of one person is no step of the route: A —same→ A' → B is A → B
            seq = tuple(x for i, x in enumerate(seq) if i == 0 or x != seq[i - 1])
            if diverse:
                inter = set(seq[1:-1]) - common
                key = seq if inter else (seq[0], seq[-1])
                if key in seen_seq or (inter and any(len(inter & j) / len(inter) > share for j in inter_sets)):
                    continue
                seen_seq.add(key)
                inter_sets.append(inter)
            accepted.append(Path(nodes, edges, -negp, st, -negp / st if st else 0.0))
            continue
        if kind == 2:
            hi = min(int(indptr[v + 1]), int(indptr[v]) + cap)
            if pos + 1 < hi and st * float(w[pos + 1]) >= floor:
                heapq.heappush(heap, (-(st * float(w[pos + 1])), tick, 2, v, hops, st, chain, pos + 1))
                tick += 1
            u = int(nbr[pos])
            if u not in target_set and u not in _on_path(chain):
                c = st * float(w[pos])
                heapq.heappush(heap, (-c, tick, 0, u, hops + 1, c, (u, int(eid[pos]), chain), 0))
                tick += 1
            continue
        f = factor(v)
        if f > 0 and same is not None and chain[1] >= 0 and same[chain[1]] and factor(chain[2][0]) >= f:
            f = 0.0  # the path from the record it links to is this one without the needless hop
        if f > 0 and st * f >= floor:
            heapq.heappush(heap, (-(st * f), tick, 1, v, hops, st, chain, 0))
            tick += 1
        if hops >= max_hops:
            continue
        c = expanded.get(v, 0)
        if c >= per_node:  # the k-shortest-walks bound: no node is needed more often by the k best paths
            continue
        expanded[v] = c + 1
        lo = int(indptr[v])
        if lo < indptr[v + 1] and st * float(w[lo]) >= floor:
            heapq.heappush(heap, (-(st * float(w[lo])), tick, 2, v, hops, st, chain, lo))
            tick += 1
        hi = int(indptr[v + 1])
        if hi - lo > cap and st * float(w[lo + cap]) >= floor:
            # the ties beyond the cap: one that ends at a start finishes a path and is followed all the same (the
            # direct tie of two enterprises may be a busy one's 46th); the others are left, and counted
            rest = np.arange(lo + cap, hi)
            strong, start = st * w[rest] >= floor, starts[nbr[rest]] > 0
            capped += bool((strong & ~start).any())
            rest = rest[strong & start]
            on = _on_path(chain) if len(rest) else set()
            for pos in rest.tolist():
                u = int(nbr[pos])
                if u not in target_set and u not in on:
                    c = st * float(w[pos])
                    heapq.heappush(heap, (-c, tick, 0, u, hops + 1, c, (u, int(eid[pos]), chain), 0))
                    tick += 1
    return accepted, {"pops": pops, "truncated": truncated, "expanded_nodes": len(expanded), "capped": capped}


def _on_path(chain) -> set:
    out = set()
    while chain is not None:
        out.add(chain[0])
        chain = chain[2]
    return out


def _unwind(chain) -> tuple[list, list]:
    """The chain from the target outwards, read as origin → … → target."""
    nodes, edges = [], []
    while chain is not None:
        nodes.append(chain[0])
        if chain[1] >= 0:
            edges.append(chain[1])
        chain = chain[2]
    return nodes, edges
