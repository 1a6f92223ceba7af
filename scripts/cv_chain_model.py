"""Choose the chain model's settings by 5-fold cross-validation within the gold development part.

    python scripts/cv_chain_model.py [--data ../shared/data] [--c 10] [--scope-gate] [--curve 0.25,0.5,0.75]

Folds by a hash of each row's identity; the model of each fold is trained on the other four, its
out-of-fold probabilities then decide, for every setting of the grid, which rule placements stand (exactly
as ``model.check_placements``). Prints JSON: the rules alone, the shipped settings, the settings in the order of the choice (best node micro-F1
among settings whose registration AI precision is at least 0.9, then at least 0.8, both at recall 0.6 or more; the
first whose model passes the classification tests ships), the chosen one (the first of that order) and the best
settings by node micro-F1. ``--scope-gate`` gives registrations their own gate model (measured, not shipped). ``--curve``
adds a learning curve: each fold's model trained on a hash-chosen share of its training rows, scored at the
chosen settings (does more labelled data still help?).
Test rows are never read (docs/methods.md, "Trained model").
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os

import numpy as np

from zhaoshang.services.chain import gold as g
from zhaoshang.services.chain import model as m
from zhaoshang.services.chain import training
from zhaoshang.services.chain.evaluate import score_gold
from zhaoshang.services.chain.taxonomy import load_taxonomy

GRID = {"gate": [0.1, 0.2, 0.3, 0.4], "gate_scope": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
        "node": [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6], "keep_confidence": [0.7, 0.8, 2.0],
        "propose": [2.0, 0.8, 0.9]}
# the choice, in order: the best node micro-F1 among settings whose registration AI precision reaches 0.9 (the goal
# is 0.95), then among those reaching 0.8 — both at registration AI recall 0.6 or more (a gate that keeps precision
# by placing almost no registration is no choice); the first setting in this order whose model passes the
# classification tests ships (docs/methods.md, "Fifth version")
REG_PRECISION_STEPS = (0.9, 0.8)
MIN_REG_RECALL = 0.6


def _hash(r: dict, salt: str = "") -> int:
    return int(hashlib.sha1(f"{salt}{r['source']}:{r['key']}".encode()).hexdigest()[:8], 16)


def out_of_fold(t: dict, c: float, folds: int = 5, share: float = 1.0, scope_gate: bool = False) -> dict[str, np.ndarray]:
    fold = np.array([_hash(r) % folds for r in t["rows"]])
    # the learning curve's subsample: the same rows at every share below 1 grow into the larger shares
    keep = np.array([_hash(r, "curve:") % 1000 < share * 1000 for r in t["rows"]])
    probs = {n: np.zeros(len(t["rows"])) for n in ["*"] + t["nodes"]}
    for f in range(folds):
        tr, te = np.where((fold != f) & keep)[0], np.where(fold == f)[0]
        arrays = m.train([t["records"][i] for i in tr], t["rule"][tr], [t["labels"][i] for i in tr], t["nodes"], c,
                         scope_gate=scope_gate)
        p = m.Model(arrays).predict([t["records"][i] for i in te], [t["confs"][i] for i in te])
        for n, v in p.items():
            probs.setdefault(n, np.zeros(len(t["rows"])))[te] = v
        for n in t["nodes"]:
            if n not in p:
                probs[n][te] = np.nan  # no model for the node: the check keeps its rule placements
    return probs


def decide(t: dict, probs: dict, s: dict) -> list[tuple[int, str]]:
    """The placements that stand under settings ``s`` (the rule of ``model.check_placements``)."""
    out = []
    for i, confs in enumerate(t["confs"]):
        gate = s["gate_scope"] if m.scope_only(t["records"][i]) else s["gate"]
        if not confs or probs["*"][i] < gate:
            continue
        kept = [n for n, cf in confs.items()
                if cf >= s["keep_confidence"] or np.isnan(probs[n][i]) or probs[n][i] >= s["node"]]
        kept = kept or [max(confs, key=lambda n: (confs[n], n))]
        # an accepted enterprise also takes the nodes the node models are very sure of and the rules missed
        kept += [n for n in t["nodes"] if n not in confs and not np.isnan(probs[n][i]) and probs[n][i] >= s.get("propose", 2.0)]
        out += [(i, n) for n in kept]
    return out


def figures(t: dict, placed, tax) -> dict:
    o = score_gold(t["rows"], placed, tax)
    reg = o["by_source"][g.REGISTRATION]["ai"]
    return {"stage_f1": o["stages"]["micro"]["f1"], "node_f1": o["nodes"]["micro"]["f1"],
            "node_p": o["nodes"]["micro"]["precision"], "node_r": o["nodes"]["micro"]["recall"],
            "reg_ai_p": reg["precision"], "reg_ai_r": reg["recall"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=os.environ.get("ZHAOSHANG_SHARED_DATA") or "../shared/data")
    ap.add_argument("--c", type=float, default=m.C)
    ap.add_argument("--top", type=int, default=10)
    ap.add_argument("--scope-gate", action="store_true", help="give registrations their own gate model (measured, not shipped)")
    ap.add_argument("--curve", default="", help="shares of the training rows for a learning curve, e.g. 0.25,0.5,0.75")
    a = ap.parse_args()
    tax = load_taxonomy()
    t = training.gold_training_set(a.data, tax)
    probs = out_of_fold(t, a.c, scope_gate=a.scope_gate)
    rules = figures(t, [(i, n) for i, d in enumerate(t["confs"]) for n in d], tax)
    res = []
    for vals in itertools.product(*GRID.values()):
        s = dict(zip(GRID, vals))
        res.append({**s, **figures(t, decide(t, probs, s), tax)})
    res.sort(key=lambda r: (-r["node_f1"], -r["stage_f1"]))
    step = lambda r: next((k for k, b in enumerate(REG_PRECISION_STEPS) if (r["reg_ai_p"] or 0) >= b), None)  # noqa: E731
    # stable sort: by precision step, then (as ``res``) by node micro-F1
    order = sorted((r for r in res if step(r) is not None and (r["reg_ai_r"] or 0) >= MIN_REG_RECALL), key=step)
    chosen = order[0] if order else None
    shipped = next((r for r in res if all(r[k] == v for k, v in m.DEFAULTS.items() if k in GRID)), None)
    per_node = None
    if chosen:
        o = score_gold(t["rows"], decide(t, probs, {k: chosen[k] for k in GRID}), tax)
        per_node = {n: {k: v[k] for k in ("precision", "recall", "f1", "gold")} for n, v in o["nodes"]["per_unit"].items()}
    curve = {}
    for share in [float(x) for x in a.curve.split(",") if x.strip()]:
        pc = out_of_fold(t, a.c, share=share, scope_gate=a.scope_gate)
        curve[str(share)] = figures(t, decide(t, pc, {k: (chosen or shipped)[k] for k in GRID}), tax)
    if curve:
        curve["1.0"] = {k: (chosen or shipped)[k] for k in ("stage_f1", "node_f1", "node_p", "node_r", "reg_ai_p", "reg_ai_r")}
    # the model as a proposer (2.0 = off): the best setting at each bar, with and without the registration bounds
    by_propose = {str(v): {"any": next((r for r in res if r["propose"] == v), None),
                           "bounded": next((r for r in order if r["propose"] == v), None)} for v in GRID["propose"]}
    print(json.dumps({"c": a.c, "by_propose": by_propose, "rows": len(t["rows"]), "rules": rules, "shipped": shipped, "chosen": chosen, "chosen_per_node": per_node,
                      "order": order[:a.top], "best": res[:a.top], "curve": curve}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
