"""Complexity on a regions × nodes matrix: ours against the ecomplexity package, side by side.

    .venv/bin/python bench/bench_complexity.py [R×N] [--repeat K]     # default 1000x2000, best of 3 for ours

Prints one JSON document: both timings, the speed-up ratio and the largest difference of every output.
The reference runs once (it takes tens of seconds at the default size); its log-supermodularity check is
switched off because it is not part of the outputs.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
import warnings

import numpy as np


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main(argv: list[str]) -> int:
    shape = next((a for a in argv if "x" in a and not a.startswith("-")), "1000x2000")
    R, N = (int(x) for x in shape.split("x"))
    repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 3
    rng = np.random.default_rng(2024)
    # Counts with a skewed, realistic shape: region size × node size × noise, a third of the cells empty.
    size_r = rng.lognormal(0, 1.0, R)
    size_n = rng.lognormal(0, 1.0, N)
    X = rng.poisson(3 * np.outer(size_r, size_n) * rng.lognormal(0, 0.7, (R, N))) * (rng.random((R, N)) < 0.67)
    X[np.arange(R), rng.integers(0, N, R)] += 1
    X[rng.integers(0, R, N), np.arange(N)] += 1
    X = X.astype(float)

    from zhaoshang.services.analytics.complexity import complexity_matrix

    regions = [f"r{i:05d}" for i in range(R)]
    nodes = [f"p{j:05d}" for j in range(N)]
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        res = complexity_matrix(X, regions, nodes, reference="ecomplexity")
        times.append(time.perf_counter() - t0)
    ours = min(times)

    doc = {
        "benchmark": "complexity",
        "shape": [R, N],
        "mcp_fill": round(float(np.nanmean(res.mcp)), 4),
        "components": res.components,
        "ours_seconds": round(ours, 3),
        "ours_all_seconds": [round(t, 3) for t in times],
        "machine": {"nproc": os.cpu_count(), "cpu": cpu_model(), "python": platform.python_version(),
                    "numpy": np.__version__},
    }
    try:
        import pandas as pd
        from ecomplexity import ecomplexity
    except ImportError:
        doc["reference"] = "ecomplexity not installed"
        print(json.dumps(doc, ensure_ascii=False))
        return 0

    ii, jj = np.meshgrid(np.arange(R), np.arange(N), indexing="ij")
    df = pd.DataFrame({"t": 0, "loc": np.asarray(regions)[ii.ravel()], "prod": np.asarray(nodes)[jj.ravel()],
                       "val": X.ravel()})
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = ecomplexity(df, {"time": "t", "loc": "loc", "prod": "prod", "val": "val"}, verbose=False,
                          check_logsupermodularity=False)
    ref_t = time.perf_counter() - t0
    ref = ref.sort_values(["loc", "prod"])

    diffs = {}
    cell = {"rca": res.rca, "mcp": res.mcp, "density": res.density, "cog": res.cog}
    per_r = {"diversity": res.diversity, "eci": res.eci, "coi": res.coi}
    per_n = {"ubiquity": res.ubiquity, "pci": res.pci}
    for k, v in cell.items():
        diffs[k] = float(np.max(np.abs(v.ravel() - ref[k].to_numpy(float))))
    for k, v in per_r.items():
        diffs[k] = float(np.max(np.abs(np.repeat(v, N) - ref[k].to_numpy(float))))
    for k, v in per_n.items():
        diffs[k] = float(np.max(np.abs(np.tile(v, R) - ref[k].to_numpy(float))))
    doc.update({
        "reference": "ecomplexity 0.5.3 (one run)",
        "reference_seconds": round(ref_t, 3),
        "ratio": round(ref_t / ours, 1),
        "max_abs_diff": diffs,
    })
    print(json.dumps(doc, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
