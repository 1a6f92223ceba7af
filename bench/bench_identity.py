"""Benchmark: the identity links (``services.graph.identity``) a relationship graph is built with.

In one fresh process per run (``--runs K``), on a database given (``--db``): the whole graph first (``build_graph``,
cold, as the first view after a server starts meets it), then, warm: the identity links as graph edges
(``links_edge_sql`` and its SQL executed: every same-name pair judged, contact and inventor links), the links document
(``person_links``: every pair with its verdict, as ``zhaoshang people links`` prints it) and the whole graph
(``build_graph``). Reference, side by side: the same-name pairs alone (the self-join of person records by name
every linkage has to make, counted). Run it with another checkout's ``src`` (``--src``) for the before column.
Each part in seconds of wall time and of the process's CPU (``_cpu``: all threads; on a shared machine the steadier
of the two). Prints one JSON document with the load average.

    .venv/bin/python bench/bench_identity.py --db FILE [--runs 3] [--src DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

_CHILD = r"""
import json, sys, time
from zhaoshang.core.store import Store
from zhaoshang.services.graph import build, identity
s = Store(sys.argv[1], read_only=True)
out = {}
t, c = time.perf_counter(), time.process_time()
g = build.build_graph(s)  # first, as a first view meets it: nothing read before in this process
out["build_graph_cold_cpu"] = time.process_time() - c
out["build_graph_cold"], out["graph_edges"] = time.perf_counter() - t, g.m
t, c = time.perf_counter(), time.process_time()
s.con.execute("SELECT count(*) FROM persons x JOIN persons y ON coalesce(x.name_norm, x.name) = "
              "coalesce(y.name_norm, y.name) AND x.id < y.id WHERE length(coalesce(x.name_norm, x.name)) >= 2").fetchall()
out["reference_pairs_cpu"] = time.process_time() - c
out["reference_pairs"] = time.perf_counter() - t
t, c = time.perf_counter(), time.process_time()
sql, tables = identity.links_edge_sql(s)
if not isinstance(tables, dict):  # an older checkout: the links made in Python, handed over as one table
    tables = {"_graph_identity": tables} if tables is not None else {}
for k, v in tables.items():
    s.con.register(k, v)
n = len(s.con.execute(sql).fetchall()) if sql else 0
for k in tables:
    s.con.unregister(k)
out["link_edges_cpu"] = time.process_time() - c
out["link_edges"], out["edges"] = time.perf_counter() - t, n
t, c = time.perf_counter(), time.process_time()
doc = identity.person_links(s)
out["person_links_cpu"] = time.process_time() - c
out["person_links"], out["pairs"] = time.perf_counter() - t, doc["summary"]["same_name_pairs"]
print(json.dumps(out))
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--src")
    a = ap.parse_args()
    env = dict(os.environ)
    if a.src:
        env["PYTHONPATH"] = a.src
    runs = [json.loads(subprocess.run([sys.executable, "-c", _CHILD, a.db], env=env, check=True,
                                      capture_output=True, text=True).stdout) for _ in range(a.runs)]
    med = {k: round(statistics.median(r[k] for r in runs), 3) for k in runs[0]
           if k not in ("edges", "pairs", "graph_edges")}
    print(json.dumps({"bench": "identity", "db": a.db, "src": a.src, "runs": a.runs, "load_avg": os.getloadavg()[0],
                      "median_s": med, "every_run_s": runs, "same_name_pairs": runs[0]["pairs"],
                      "identity_edges": runs[0]["edges"], "graph_edges": runs[0]["graph_edges"],
                      "ratio_link_edges_to_reference": round(med["link_edges"] / med["reference_pairs"], 2)},
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
