"""Benchmark: the pair reader's cost in ``classify`` (services/chain/pairs.py; docs/methods.md, "Eighth version
candidate").

    .venv/bin/python bench/bench_chain_pairs.py MODEL.npz [--data ../shared/data] [--registrations N]

``MODEL.npz``: a model file holding the check and the pair reader (``scripts/train_chain_model.py --pairs``).

1. Listings: every enterprise of the public files that is not registration-like (the IT桔子 list, the A-share
   listings with their main products, the large-model list; ``gold.load_evidence``) classified twice, with the check
   alone (the shipped file without the pair reader) and with the check and the pair reader. The difference, divided by
   the candidate pairs the reader scored, is the cost per pair. Candidates and features alone are timed apart.
2. Registrations: N synthetic registrations (``bench_classify.fill``: a name and a registry scope, so registration-like)
   classified with the same two files. The summary's ``pair_reader.read`` shows that none reaches the pair reader.

Prints one JSON document with the load average.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_classify import fill  # noqa: E402

from zhaoshang.core.store import Store  # noqa: E402
from zhaoshang.services.chain import gold as g  # noqa: E402
from zhaoshang.services.chain import model as m  # noqa: E402
from zhaoshang.services.chain import pairs as pr  # noqa: E402
from zhaoshang.services.chain.classify import classify  # noqa: E402
from zhaoshang.services.chain.evaluate import gold_store  # noqa: E402
from zhaoshang.services.chain.taxonomy import load_taxonomy  # noqa: E402


def timed(build, tax, path: Path) -> tuple[float, dict]:
    old = m.model_path
    m.model_path = lambda chain: path  # noqa: E731 — the file to read, for this run only
    try:
        with Store(":memory:") as store:
            build(store)
            t0 = time.perf_counter()
            s = classify(store, tax, use_model=True)
            return time.perf_counter() - t0, {"placed": s.get("placed"), "pair_reader": s.get("pair_reader")}
    finally:
        m.model_path = old


def main() -> None:
    args = sys.argv[1:]
    model_file = Path(args[0])
    data = args[args.index("--data") + 1] if "--data" in args else os.environ.get("ZHAOSHANG_SHARED_DATA", "../shared/data")
    n_reg = int(args[args.index("--registrations") + 1]) if "--registrations" in args else 1_000_000
    tax = load_taxonomy()
    with np.load(model_file, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    if pr.arrays_of(arrays) is None:
        sys.exit(f"{model_file} holds no pair reader (scripts/train_chain_model.py --pairs)")
    out: dict = {"model": str(model_file), "load_start": os.getloadavg()}
    with tempfile.TemporaryDirectory() as d:
        check_only = Path(d) / "check.npz"
        m.save({k: v for k, v in arrays.items() if not k.startswith("pair_")}, check_only)
        ev = g.load_evidence(data)
        keys = [k for k, e in ev.items() if k[0] != g.REGISTRATION and not m.scope_only(e)]
        rows = [{"source": s, "key": k, "name": ev[(s, k)].get("name") or k, "labels": set()} for s, k in keys]
        records = [ev[k] for k in keys]
        t0 = time.perf_counter()
        pairs, _, _ = pr.build_pairs(records, [{} for _ in records], tax)
        feat_s = time.perf_counter() - t0
        a_s, a = timed(lambda st: gold_store(st, rows, ev), tax, check_only)
        b_s, b = timed(lambda st: gold_store(st, rows, ev), tax, model_file)
        out["listings"] = {"enterprises": len(rows), "candidate_pairs": len(pairs),
                           "candidates_and_features_s": round(feat_s, 2),
                           "check_only_s": round(a_s, 2), "with_pair_reader_s": round(b_s, 2),
                           "pair_reader_ms_per_pair": round(1000 * (b_s - a_s) / max(1, len(pairs)), 3),
                           "pair_reader_ms_per_enterprise": round(1000 * (b_s - a_s) / max(1, len(rows)), 3),
                           "check_only": a, "with_pair_reader": b}
        r_a, ra = timed(lambda st: fill(st, n_reg), tax, check_only)
        r_b, rb = timed(lambda st: fill(st, n_reg), tax, model_file)
        out["registrations"] = {"enterprises": n_reg, "check_only_s": round(r_a, 2), "with_pair_reader_s": round(r_b, 2),
                                "check_only": ra, "with_pair_reader": rb}
    out["load_end"] = os.getloadavg()
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
