"""The eighth version's confirmation on round 5, as written before its labels existed (docs/methods.md, "Confirmation on
round 5, written before its labels existed"). Run it once.

    python scripts/confirm_chain_pairs.py [--data ../shared/data] [--cache /work/big/chain/check_oof.pkl]
                                          [--save-model FILE.npz] [--show N]

- The seventh: ``classify`` with the shipped model's check (the file without its pair reader, when it holds one), as
  ``zhaoshang evaluate-chain`` read it before the eighth shipped.
- The eighth: the same for registration-like rows (``model.scope_only``); for every other row the pair reader
  (``services/chain/pairs.py``) at its written setting. The pair model is fitted once on the development pairs of rounds
  1–3, with the check's out-of-fold probabilities as features (``training.train_pairs``).
- Rows: the development rows of round 5 (labeller L9). The test rows are never read.

Prints JSON: both readers' figures on those rows (overall, by source, per node), what moved, the rule's three
conditions and its verdict, and a paired bootstrap over the rows. The bootstrap is reported after the verdict and
plays no part in it. Heavy (five check fits unless cached, a classification of the 799 development registrations
twice): run it under the shared lock.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np

from zhaoshang.core.store import Store
from zhaoshang.services.chain import gold as g
from zhaoshang.services.chain import model as m
from zhaoshang.services.chain import pairs as pr
from zhaoshang.services.chain import training
from zhaoshang.services.chain.classify import classify
from zhaoshang.services.chain.evaluate import gold_store, score_gold
from zhaoshang.services.chain.taxonomy import load_taxonomy

CONFIRM_LABELLERS = {"L9"}
DEV_ROWS_ROUND_5 = 151
NODE_MARGIN, STAGE_MARGIN = 0.005, 0.005


def classified(rows: list[dict], evidence: dict, tax, model_file: str | None = None) -> list[tuple[int, str]]:
    """(row position, node) placed by ``classify`` with the model file given (the shipped one by default)."""
    old = m.model_path
    if model_file:
        m.model_path = lambda chain: Path(model_file)  # noqa: E731 — the file to read, for this run only
    try:
        with Store(":memory:") as store:
            gold_store(store, rows, evidence)
            classify(store, tax, use_model=True)
            return [(int(i), n) for i, n in store.con.execute(
                "SELECT enterprise_id, node_code FROM placements WHERE chain = ?", [tax.chain]).fetchall()]
    finally:
        m.model_path = old


def eighth(rows: list[dict], evidence: dict, tax, check: m.Model, pm: pr.PairModel, seventh: list) -> tuple[list, dict]:
    """The eighth's placements: the seventh's for registration-like rows, the pair reader's for the others."""
    records = [evidence.get((r["source"], r["key"]), {"name": r["name"]}) for r in rows]
    confs = training.rule_confidences(rows, evidence, tax)
    reg = [m.scope_only(e) for e in records]
    table = pr.check_table(check.predict(records, confs), len(records), [n.code for n in tax.level(2)])
    pairs, feats, _ = pr.build_pairs(records, confs, tax, rows=[i for i in range(len(records)) if not reg[i]])
    p = pm.predict(pr.with_check(feats, pairs, table, [n.code for n in tax.level(2)]))
    placed = [pairs[k] for k in np.where(p >= pm.bar)[0]] + [x for x in seventh if reg[x[0]]]
    return placed, {"candidate_pairs": len(pairs), "registration_like_rows": int(sum(reg))}


def figures(rows: list[dict], placed: list, tax) -> dict:
    o = score_gold(rows, placed, tax)
    return {"stage_f1": o["stages"]["micro"]["f1"], "node_f1": o["nodes"]["micro"]["f1"],
            "node_p": o["nodes"]["micro"]["precision"], "node_r": o["nodes"]["micro"]["recall"],
            "stage_p": o["stages"]["micro"]["precision"], "stage_r": o["stages"]["micro"]["recall"],
            "by_source": {s.split("/")[-1]: {"rows": v["rows"], **{k: v["nodes"][k] for k in ("f1", "tp", "predicted", "gold")}}
                          for s, v in o["by_source"].items()},
            "per_node": {n: {k: v[k] for k in ("f1", "precision", "recall", "gold", "tp", "predicted") if k in v}
                         for n, v in o["nodes"]["per_unit"].items() if v.get("gold") or v.get("predicted")}}


def level2(placed: list, tax) -> set:
    return {(i, tax.ancestor_at(n, 2).code) for i, n in placed if n in tax.nodes and tax.nodes[n].level >= 2}


def bootstrap(rows: list[dict], a: set, b: set, tax, draws: int = 5000, seed: int = 5) -> dict:
    """Paired bootstrap over rows of the difference (b − a) in node and stage micro-F1."""
    n = len(rows)
    lab = [{tax.ancestor_at(c, 2).code for c in r["labels"] if c in tax.nodes} for r in rows]
    st = lambda s: {tax.nodes[c].stage_code for c in s}  # noqa: E731

    def per_row(s):
        pred = [set() for _ in range(n)]
        for i, nd in s:
            pred[i].add(nd)
        return (np.array([len(pred[i] & lab[i]) for i in range(n)]), np.array([len(pred[i]) for i in range(n)]),
                np.array([len(st(pred[i]) & st(lab[i])) for i in range(n)]), np.array([len(st(pred[i])) for i in range(n)]))

    gl, sg = np.array([len(x) for x in lab]), np.array([len(st(x)) for x in lab])
    A, B = per_row(a), per_row(b)
    f1 = lambda tp, pr_, gd: 2 * tp / (pr_ + gd) if pr_ + gd else 0.0  # noqa: E731
    rng = np.random.default_rng(seed)
    dn, ds = [], []
    for _ in range(draws):
        idx = rng.integers(0, n, n)
        dn.append(f1(B[0][idx].sum(), B[1][idx].sum(), gl[idx].sum()) - f1(A[0][idx].sum(), A[1][idx].sum(), gl[idx].sum()))
        ds.append(f1(B[2][idx].sum(), B[3][idx].sum(), sg[idx].sum()) - f1(A[2][idx].sum(), A[3][idx].sum(), sg[idx].sum()))
    dn, ds = np.array(dn), np.array(ds)
    return {"draws": draws, "node_diff_sd": round(float(dn.std()), 4),
            "node_diff_q05_q50_q95": [round(float(x), 4) for x in np.quantile(dn, [0.05, 0.5, 0.95])],
            "stage_diff_sd": round(float(ds.std()), 4),
            "stage_diff_q05_q50_q95": [round(float(x), 4) for x in np.quantile(ds, [0.05, 0.5, 0.95])],
            "share_node_diff_below_margin": round(float(np.mean(dn < NODE_MARGIN)), 3)}


def moved(rows: list[dict], a: set, b: set, tax, show: int) -> dict:
    lab = [{tax.ancestor_at(c, 2).code for c in r["labels"] if c in tax.nodes} for r in rows]
    out: dict[str, Counter] = {k: Counter() for k in ("right won", "right lost", "false removed", "false added")}
    ex: dict[str, list] = {k: [] for k in out}
    for i, nd in sorted(b - a):
        k = "right won" if nd in lab[i] else "false added"
        out[k][rows[i]["source"].split("/")[-1].split("_")[0]] += 1
        ex[k].append(f"{rows[i]['name']} {nd} ({'|'.join(sorted(lab[i])) or '-'})")
    for i, nd in sorted(a - b):
        k = "right lost" if nd in lab[i] else "false removed"
        out[k][rows[i]["source"].split("/")[-1].split("_")[0]] += 1
        ex[k].append(f"{rows[i]['name']} {nd} ({'|'.join(sorted(lab[i])) or '-'})")
    res = {k: {"all": sum(v.values()), **dict(v)} for k, v in out.items()}
    if show:
        res["examples"] = {k: v[:show] for k, v in ex.items()}
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=os.environ.get("ZHAOSHANG_SHARED_DATA") or "../shared/data")
    ap.add_argument("--cache", default="", help="pickle of the check's out-of-fold probabilities (cv_chain_pairs.py's)")
    ap.add_argument("--save-model", default="", help="write the check and the pair model as a model file")
    ap.add_argument("--show", type=int, default=20)
    ap.add_argument("--labellers", default="L9", help="the rows read (L9: the confirmation; another round's "
                                                     "development rows only check that the script runs)")
    a = ap.parse_args()
    tax = load_taxonomy()
    # the seventh: the shipped file's check alone (without the pair reader, once the file holds one)
    tmp = tempfile.TemporaryDirectory()
    with np.load(m.model_path(tax.chain), allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files if not k.startswith("pair_")}
    check_file = str(Path(tmp.name) / "check.npz")
    m.save(arrays, check_file)
    check = m.load(tax, check_file)
    if check is None:
        sys.exit("no check to compare with: the chain has no model file")
    # 1. the pair reader, trained as written (rounds 1–3 development pairs; the check's out-of-fold probabilities)
    got = training.train_pairs(a.data, tax, a.cache or None)
    t = got["t"]
    # the rounds 1–4 rows and the cached check are the ones the published figures came from (node F1 0.7199)
    probs7 = {"*": t["oof"][:, 0], **{nd: t["oof"][:, 1 + j] for j, nd in enumerate(t["nodes"])}}
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import cv_chain_model as cv

    oof7 = cv.figures(t, cv.decide(t, probs7, {k: m.DEFAULTS.get(k, 2.0) for k in cv.GRID}), tax)
    pm = pr.PairModel(got["arrays"])
    # 2. the rows: round 5's development rows, L9's labels
    evidence = g.load_evidence(a.data)
    labellers = set(a.labellers.split(","))
    rows = [r for r in g.read_gold() if r["labeller"] in labellers and r["split"] == "dev"]
    out: dict = {"rounds_1_4_rows": len(t["rows"]), "seventh_out_of_fold_rounds_1_4": oof7,
                 "reproduces_the_published_0_7199": round(oof7["node_f1"], 4) == 0.7199,
                 "pair_model": {"training_pairs": got["train_pairs"], "positive": got["train_positive"],
                                "features": len(pm.names), "c": float(got["arrays"]["pair_c"][0]), "bar": pm.bar},
                 "labellers": sorted(labellers), "confirmation": labellers == CONFIRM_LABELLERS,
                 "rows": len(rows), "by_source": dict(Counter(r["source"].split("/")[-1] for r in rows))}
    if labellers == CONFIRM_LABELLERS and len(rows) != DEV_ROWS_ROUND_5:
        out["warning"] = f"expected {DEV_ROWS_ROUND_5} development rows of round 5, found {len(rows)}"
    s7 = classified(rows, evidence, tax, check_file)
    s8, info = eighth(rows, evidence, tax, check, pm, s7)
    out.update(info)
    out["labelled_pairs"] = sum(len({tax.ancestor_at(c, 2).code for c in r["labels"] if c in tax.nodes}) for r in rows)
    f7, f8 = figures(rows, s7, tax), figures(rows, s8, tax)
    out["seventh"], out["eighth"] = f7, f8
    # 3. the registrations: classify with the eighth switched on places the seventh's pairs, pair for pair
    regs = [r for r in g.read_gold() if r["split"] == "dev" and r["labeller"] in training.ROUNDS_1_4
            and r["source"] == g.REGISTRATION]
    a7, a8 = level2(s7, tax), level2(s8, tax)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "model.npz"
        m.save({**arrays, **got["arrays"]}, path)
        r7 = level2(classified(regs, evidence, tax, check_file), tax)
        r8 = level2(classified(regs, evidence, tax, str(path)), tax)
        # and the round-5 rows through classify with the eighth switched on: the service's placements, pair for pair
        out["classify_places_the_same_round_5_pairs"] = level2(classified(rows, evidence, tax, str(path)), tax) == a8
        if a.save_model:
            m.save({**arrays, **got["arrays"]}, a.save_model)
    out["registrations"] = {"rows": len(regs), "seventh_pairs": len(r7), "eighth_pairs": len(r8), "same": r7 == r8}
    rule = {"node": f8["node_f1"] >= f7["node_f1"] + NODE_MARGIN, "stage": f8["stage_f1"] >= f7["stage_f1"] - STAGE_MARGIN,
            "registrations": r7 == r8}
    out["rule"] = {**rule, "node_diff": round(f8["node_f1"] - f7["node_f1"], 4),
                   "stage_diff": round(f8["stage_f1"] - f7["stage_f1"], 4), "ships": all(rule.values())}
    out["moved"] = moved(rows, a7, a8, tax, a.show)
    # after the verdict, not part of it
    out["after_bootstrap_over_rows"] = bootstrap(rows, a7, a8, tax)
    print(json.dumps(out, ensure_ascii=False, indent=1, default=float))
    tmp.cleanup()


if __name__ == "__main__":
    main()
