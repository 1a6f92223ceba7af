"""Benchmark: k = 5 best paths on a synthetic relationship graph of 10 M ties, beside networkx.

The graph: ``--edges`` ties (default 10,000,000) between ``edges / 5`` nodes, one end uniform and the other drawn
towards hubs (u² of a uniform number: a few nodes hold thousands of ties, as investors and large boards do),
strengths drawn like the tie model's (0.05–0.95). Each query: 5 random target nodes (a target's key persons),
2,000 random origin nodes with factors 1 / 0.8 / 0.7 (the region's side), k = 5 diverse paths of at most 4 hops
(``services.graph.search.k_paths``, the function ``zhaoshang reach`` calls). Reported: the build of the compact
graph (CSR arrays and the igraph graph) and its memory, p50/p95 of a query.

Reference, side by side: networkx's ``shortest_simple_paths`` (Yen's k shortest loop-free paths) on −log
strengths, from a super-source joined to the origins to a super-target joined to the targets, taking the first
5 paths of at most 4 ties; on a graph of ``--nx-edges`` ties (default 1,000,000: networkx holds about 1 KB per
tie, so 10 M would not fit beside the other users of this machine), with our search on that same graph for the
ratio (networkx p50 / ours p50).

    .venv/bin/python bench/bench_graph.py [--edges 10000000] [--queries 40] [--nx-edges 1000000] [--nx-queries 5]
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import statistics
import sys
import time

import numpy as np
import psutil

from zhaoshang.services.graph.build import from_arrays
from zhaoshang.services.graph.search import k_paths
from zhaoshang.services.graph.ties import load_ties


def synthetic(m: int, seed: int = 7):
    rng = np.random.default_rng(seed)
    n = max(10, m // 5)
    a = rng.integers(0, n, m, dtype=np.int64)
    b = (n * rng.random(m) ** 2).astype(np.int64)
    keep = a != b
    a, b = a[keep], b[keep]
    w = rng.choice(np.array([0.9, 0.85, 0.6, 0.5, 0.4, 0.25], np.float32), len(a)) * \
        rng.uniform(0.2, 1.0, len(a)).astype(np.float32)
    return a, b, w, n


def queries(n: int, count: int, seed: int = 3):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        targets = [int(x) for x in rng.integers(0, n, 5)]
        origins = {int(x): float(f) for x, f in zip(rng.integers(0, n, 2000), rng.choice([1.0, 0.8, 0.7], 2000))}
        out.append((targets, origins))
    return out


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(math.ceil(p / 100 * len(xs))) - 1)]


def run_ours(g, qs, k=5, hops=4):
    times, found, truncated = [], [], 0
    for targets, origins in qs:
        t0 = time.perf_counter()
        paths, st = k_paths(g, targets, origins, k=k, max_hops=hops)
        times.append((time.perf_counter() - t0) * 1000)
        found.append(len(paths))
        truncated += bool(st.get("truncated"))
    return times, found, truncated


def run_networkx(a, b, w, n, qs, k=5, hops=4):
    import networkx as nx

    t0 = time.perf_counter()
    G = nx.Graph()
    # the strongest tie of a pair (the same reduction the CSR search sees first)
    order = np.argsort(-w)
    G.add_weighted_edges_from(((int(a[i]), int(b[i]), -math.log(float(w[i]))) for i in order[::-1]))
    build = time.perf_counter() - t0
    times, found = [], []
    for targets, origins in qs:
        t0 = time.perf_counter()
        G.add_weighted_edges_from([("S", o, -math.log(f)) for o, f in origins.items()])
        G.add_weighted_edges_from([(t, "T", 0.0) for t in targets])
        got = 0
        try:
            for p in nx.shortest_simple_paths(G, "S", "T", weight="weight"):
                if len(p) - 3 <= hops:
                    got += 1
                if got >= k:
                    break
        except nx.NetworkXNoPath:
            pass
        G.remove_nodes_from(["S", "T"])
        times.append((time.perf_counter() - t0) * 1000)
        found.append(got)
    return times, found, build


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--edges", type=int, default=10_000_000)
    ap.add_argument("--queries", type=int, default=40)
    ap.add_argument("--nx-edges", type=int, default=1_000_000)
    ap.add_argument("--nx-queries", type=int, default=5)
    args = ap.parse_args()
    proc = psutil.Process()
    model = load_ties()
    out = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0], "platform": platform.platform(),
                       "load_avg": os.getloadavg()}}

    a, b, w, n = synthetic(args.edges)
    gc.collect()
    rss0 = proc.memory_info().rss
    t0 = time.perf_counter()
    g = from_arrays(a, b, w, n)
    build = time.perf_counter() - t0
    g.model = model
    rss = proc.memory_info().rss - rss0
    qs = queries(n, args.queries)
    times, found, trunc = run_ours(g, qs)
    out["large"] = {"nodes": n, "edges": int(len(a)), "build_s": round(build, 2),
                    "memory_mb_arrays": round(g.memory_bytes() / 2**20, 1), "memory_mb_rss": round(rss / 2**20, 1),
                    "queries": len(qs), "p50_ms": round(statistics.median(times), 1), "p95_ms": round(pct(times, 95), 1),
                    "mean_paths": round(statistics.mean(found), 2), "truncated": trunc}
    del g
    gc.collect()

    if args.nx_edges:
        a2, b2, w2, n2 = synthetic(args.nx_edges)
        g2 = from_arrays(a2, b2, w2, n2, with_igraph=False)
        g2.model = model
        qs2 = queries(n2, args.nx_queries)
        ours, found_ours, _ = run_ours(g2, qs2)
        nxt, found_nx, nx_build = run_networkx(a2, b2, w2, n2, qs2)
        out["reference"] = {"edges": int(len(a2)), "queries": len(qs2),
                            "ours_p50_ms": round(statistics.median(ours), 1),
                            "networkx_p50_ms": round(statistics.median(nxt), 1),
                            "networkx_build_s": round(nx_build, 1),
                            "ratio_networkx_over_ours": round(statistics.median(nxt) / statistics.median(ours), 1),
                            "paths_ours": found_ours, "paths_networkx": found_nx}
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
