"""Choose the chain model's settings by 5-fold cross-validation within the gold development part.

    python scripts/cv_chain_model.py [--data ../shared/data] [--c 10] [--scope-gate] [--curve 0.25,0.5,0.75] [--gate-scopes 0.3,0.4]
                                     [--scope-items] [--proposers] [--shipped-only] [--compare L1,L3,L5]

Folds by a hash of each row's identity; the model of each fold is trained on the other four, its
out-of-fold probabilities then decide, for every setting of the grid, which rule placements stand (exactly
as ``model.check_placements``). Prints JSON: the rules alone, the shipped settings, the settings in the order of the choice (best node micro-F1
among settings whose registration AI precision is at least 0.9, then at least 0.8, both at recall 0.6 or more; the
first whose model passes the classification tests ships), the chosen one (the first of that order) and the best
settings by node micro-F1. ``--scope-gate`` gives registrations their own gate model (measured, not shipped). ``--curve``
adds a learning curve: each fold's model trained on a hash-chosen share of its training rows (nested: the rows of a
smaller share are in every larger one), scored at the shipped settings, overall and per source (does more labelled
data still help?). ``--compare L1,L3,L5`` scores, on the same folds, the model trained per fold on those labellers'
rows only beside the one trained on all (a labelling round's worth). ``--shipped-only`` skips the grid. ``--scope-items`` adds the structure of a registry scope as
model features and ``--proposers`` a node-proposing model per node (both measured, not shipped: docs/methods.md, "After
the fifth version").
Test rows are never read (docs/methods.md, "Trained model").
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import math
import os
import re

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


# the structure of a registry scope (measured as model features, ``--scope-items``): its items, and the verbs that say
# whether an item makes or researches a thing, only trades it or only does works with it
_EXCLUDED = re.compile(r"[（(][^）)]*(除|不含|不包括|不得|不从事)[^）)]*[）)]")
_RESEARCH = re.compile("研发|开发|设计|生产|制造|加工|研制|技术服务|技术咨询")
_TRADE = re.compile("销售|批发|零售|经销|代理|购销|经营")
_WORKS = re.compile("施工|安装|维修|维护|工程|装饰|布线|承包|保养")


def strong_words(tax) -> re.Pattern:
    """One pattern of every strong keyword (two characters or more) of the level-2 and level-3 nodes."""
    kws = {k for n in tax.nodes.values() if n.level >= 2 for k in n.keywords.get("strong", []) if len(k) >= 2}
    return re.compile("|".join(re.escape(k) for k in sorted(kws, key=lambda k: (-len(k), k))))


def scope_items(scope: str) -> list[str]:
    """A scope's items: cut at ；，。 (or at 、 when it has no other separator), exclusion clauses removed."""
    s = _EXCLUDED.sub("", (scope or "").lower())
    items = [x for x in re.split(r"[;；,，。\n]", s) if x.strip()]
    return items if len(items) > 1 else [x for x in re.split(r"[;；,，。、\n]", s) if x.strip()]


def scope_structure(e: dict, strong: re.Pattern) -> list[float]:
    """12 features: has a scope; no item holds a strong word; the first that does is the first item, the second or
    third, a later one; its verb researches or makes, only trades, only does works; share of items with a strong word;
    some such item researches or makes; log number of items; share of items that only trade or do works."""
    f = [0.0] * 12
    if not e.get("scope"):
        return f
    items = scope_items(e["scope"])
    hits = [i for i, x in enumerate(items) if strong.search(x)]
    f[0] = 1.0
    if not hits:
        f[1] = 1.0
    else:
        k, x = hits[0], items[hits[0]]
        research = bool(_RESEARCH.search(x))
        f[2], f[3], f[4] = float(k == 0), float(1 <= k <= 2), float(k >= 3)
        f[5], f[6], f[7] = float(research), float(bool(_TRADE.search(x)) and not research), float(bool(_WORKS.search(x)) and not research)
        f[8] = len(hits) / len(items)
        f[9] = float(any(_RESEARCH.search(items[j]) for j in hits))
    f[10] = math.log1p(len(items)) / 3
    f[11] = sum(1 for x in items if (_TRADE.search(x) or _WORKS.search(x)) and not _RESEARCH.search(x)) / max(1, len(items))
    return f


def _hash(r: dict, salt: str = "") -> int:
    return int(hashlib.sha1(f"{salt}{r['source']}:{r['key']}".encode()).hexdigest()[:8], 16)


def out_of_fold(t: dict, c: float, folds: int = 5, share: float = 1.0, scope_gate: bool = False,
                extra: np.ndarray | None = None, proposers: bool = False,
                train_labellers: set[str] | None = None) -> dict[str, np.ndarray]:
    """Out-of-fold probabilities: each fold's model trained on the other folds' rows (a hash-chosen ``share`` of
    them, and with ``train_labellers`` only the rows those labellers labelled), every row scored once."""
    fold = np.array([_hash(r) % folds for r in t["rows"]])
    # the learning curve's subsample: the same rows at every share below 1 grow into the larger shares
    keep = np.array([_hash(r, "curve:") % 1000 < share * 1000 for r in t["rows"]])
    if train_labellers:
        keep &= np.array([r.get("labeller") in train_labellers for r in t["rows"]])
    probs = {n: np.zeros(len(t["rows"])) for n in ["*"] + t["nodes"]}
    for f in range(folds):
        tr, te = np.where((fold != f) & keep)[0], np.where(fold == f)[0]
        arrays = m.train([t["records"][i] for i in tr], t["rule"][tr], [t["labels"][i] for i in tr], t["nodes"], c,
                         scope_gate=scope_gate, extra=None if extra is None else extra[tr], proposers=proposers)
        p = m.Model(arrays).predict([t["records"][i] for i in te], [t["confs"][i] for i in te],
                                    None if extra is None else extra[te])
        for n, v in p.items():
            probs.setdefault(n, np.zeros(len(t["rows"])))[te] = v
        for n in t["nodes"]:
            if n not in p:
                probs[n][te] = np.nan  # no model for the node: the check keeps its rule placements
    return probs


def decide(t: dict, probs: dict, s: dict) -> list[tuple[int, str]]:
    """The placements that stand under settings ``s`` (the rule of ``model.check_placements``)."""
    out = []
    # the node-proposing models (``+NODE``, ``--proposers``) when there are any, else the check's node models
    proposing = {n: probs.get("+" + n, probs[n]) for n in t["nodes"]}
    own = any(("+" + n) in probs for n in t["nodes"])
    for i, confs in enumerate(t["confs"]):
        gate = s["gate_scope"] if m.scope_only(t["records"][i]) else s["gate"]
        if probs["*"][i] < gate or not (confs or own):
            continue
        kept = [n for n, cf in confs.items()
                if cf >= s["keep_confidence"] or np.isnan(probs[n][i]) or probs[n][i] >= s["node"]]
        kept = kept or ([max(confs, key=lambda n: (confs[n], n))] if confs else [])
        # an accepted enterprise also takes the nodes the node models are very sure of and the rules missed (the
        # proposing models also propose to an enterprise the rules left without a node)
        kept += [n for n in t["nodes"] if n not in confs and not np.isnan(proposing[n][i])
                 and proposing[n][i] >= s.get("propose", 2.0)]
        out += [(i, n) for n in kept]
    return out


def figures(t: dict, placed, tax, by_source: bool = False) -> dict:
    o = score_gold(t["rows"], placed, tax)
    reg = o["by_source"][g.REGISTRATION]["ai"]
    out = {"stage_f1": o["stages"]["micro"]["f1"], "node_f1": o["nodes"]["micro"]["f1"],
           "node_p": o["nodes"]["micro"]["precision"], "node_r": o["nodes"]["micro"]["recall"],
           "stage_p": o["stages"]["micro"]["precision"], "stage_r": o["stages"]["micro"]["recall"],
           "reg_ai_p": reg["precision"], "reg_ai_r": reg["recall"]}
    if by_source:  # node micro-F1 (and its pairs) per source
        out["by_source"] = {src.split("/")[-1]: {"node_f1": v["nodes"]["f1"], "tp": v["nodes"]["tp"],
                                                 "predicted": v["nodes"]["predicted"], "gold": v["nodes"]["gold"]}
                            for src, v in o["by_source"].items()}
    return out


def gate_scope_choice(t: dict, probs: dict, tax, gates: list[float]) -> dict:
    """The thirteenth candidate's rule (docs/methods.md, written down before it was measured): at the shipped settings
    but the registrations' gate, among the gates whose node micro-F1 is at least the shipped one's − 0.005 and whose
    registration AI recall is at least 0.25, the one with the highest Wilson 95 % lower bound of registration AI
    precision (ties: the lower gate)."""
    from scipy.stats import binomtest

    base = {k: m.DEFAULTS.get(k, 2.0) for k in GRID}
    rows = []
    for gs in gates:
        placed = decide(t, probs, {**base, "gate_scope": gs})
        f = figures(t, placed, tax)
        reg = score_gold(t["rows"], placed, tax)["by_source"][g.REGISTRATION]["ai"]
        low = binomtest(reg["tp"], reg["predicted"]).proportion_ci(method="wilson").low if reg["predicted"] else 0.0
        rows.append({"gate_scope": gs, **f, "reg_right": reg["tp"], "reg_placed": reg["predicted"],
                     "reg_gold": reg["gold"], "reg_ai_p_low": round(low, 4)})
    shipped = next(r for r in rows if r["gate_scope"] == m.DEFAULTS["gate_scope"])
    eligible = [r for r in rows if r["node_f1"] >= shipped["node_f1"] - 0.005 and (r["reg_ai_r"] or 0) >= 0.25]
    chosen = max(eligible, key=lambda r: (r["reg_ai_p_low"], -r["gate_scope"])) if eligible else shipped
    return {"rows": len(t["rows"]), "settings": rows, "chosen": chosen["gate_scope"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=os.environ.get("ZHAOSHANG_SHARED_DATA") or "../shared/data")
    ap.add_argument("--c", type=float, default=m.C)
    ap.add_argument("--top", type=int, default=10)
    ap.add_argument("--scope-gate", action="store_true", help="give registrations their own gate model (measured, not shipped)")
    ap.add_argument("--curve", default="", help="shares of the training rows for a learning curve, e.g. 0.25,0.5,0.75")
    ap.add_argument("--scope-items", action="store_true", help="the structure of a registry scope as model features (measured)")
    ap.add_argument("--proposers", action="store_true", help="a node-proposing model per node (measured)")
    ap.add_argument("--gate-scopes", default="",
                    help="the thirteenth candidate's comparison: the shipped settings at each of these registration gates, "
                         "e.g. 0.3,0.4,0.5,0.6,0.7,0.8, with the Wilson 95 %% lower bound of registration AI precision")
    ap.add_argument("--shipped-only", action="store_true",
                    help="score only the shipped setting (model.DEFAULTS), not the grid: for --curve and --compare")
    ap.add_argument("--compare", default="",
                    help="labellers, e.g. L1,L3,L5: beside the model trained per fold on all its training rows, the same "
                         "design trained per fold on those labellers' rows only, both at the shipped setting")
    ap.add_argument("--compare-at", default="",
                    help="more settings for --compare, gate/gate_scope/node/keep_confidence separated by ;, e.g. 0.1/0.2/0.6/2")
    a = ap.parse_args()
    if a.proposers:
        GRID["propose"] = [2.0, 0.5, 0.6, 0.7, 0.8, 0.9]
    tax = load_taxonomy()
    t = training.gold_training_set(a.data, tax)
    extra = None
    if a.scope_items:
        strong = strong_words(tax)
        extra = np.array([scope_structure(e, strong) for e in t["records"]])
    probs = out_of_fold(t, a.c, scope_gate=a.scope_gate, extra=extra, proposers=a.proposers)
    rules = figures(t, [(i, n) for i, d in enumerate(t["confs"]) for n in d], tax)
    if a.gate_scopes:
        print(json.dumps(gate_scope_choice(t, probs, tax, [float(x) for x in a.gate_scopes.split(",")]), indent=1))
        return
    if a.shipped_only:
        for k in GRID:
            GRID[k] = [m.DEFAULTS.get(k, 2.0)]
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
    # the learning curve, scored at the shipped setting (the fifth version's model as it ships), per source too
    at = {k: m.DEFAULTS.get(k, 2.0) for k in GRID}
    curve = {}
    for share in [float(x) for x in a.curve.split(",") if x.strip()]:
        pc = out_of_fold(t, a.c, share=share, scope_gate=a.scope_gate, extra=extra, proposers=a.proposers)
        curve[str(share)] = figures(t, decide(t, pc, at), tax, by_source=True)
    if curve:
        curve["1.0"] = figures(t, decide(t, probs, at), tax, by_source=True)
    compare = {}
    if a.compare:
        labellers = {x.strip() for x in a.compare.split(",") if x.strip()}
        pc = out_of_fold(t, a.c, scope_gate=a.scope_gate, extra=extra, proposers=a.proposers, train_labellers=labellers)
        settings = [at] + [dict(zip(("gate", "gate_scope", "node", "keep_confidence"), map(float, x.split("/"))),
                                propose=2.0) for x in a.compare_at.split(";") if x.strip()]
        for s in settings:
            key = "/".join(f"{s[k]:g}" for k in ("gate", "gate_scope", "node", "keep_confidence"))
            o, o2 = (score_gold(t["rows"], decide(t, p, s), tax) for p in (pc, probs))
            compare[key] = {"trained on " + ",".join(sorted(labellers)): figures(t, decide(t, pc, s), tax, by_source=True),
                            "trained on all": figures(t, decide(t, probs, s), tax, by_source=True),
                            "per_node": {n: {"restricted": o["nodes"]["per_unit"][n]["f1"],
                                             "all": o2["nodes"]["per_unit"][n]["f1"],
                                             "gold": o2["nodes"]["per_unit"][n]["gold"]} for n in o2["nodes"]["per_unit"]}}
    # the model as a proposer (2.0 = off): the best setting at each bar, with and without the registration bounds
    by_propose = {str(v): {"any": next((r for r in res if r["propose"] == v), None),
                           "bounded": next((r for r in order if r["propose"] == v), None)} for v in GRID["propose"]}
    print(json.dumps({"c": a.c, "by_propose": by_propose, "rows": len(t["rows"]), "rules": rules, "shipped": shipped, "chosen": chosen, "chosen_per_node": per_node,
                      "order": order[:a.top], "best": res[:a.top], "curve": curve, "compare": compare}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
