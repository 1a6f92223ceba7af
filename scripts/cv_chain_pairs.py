"""The eighth version's candidate, measured out of fold: a pair reader over the rules' candidate words.

    python scripts/cv_chain_pairs.py [--data ../shared/data] [--cache FILE] [--hgb] [--show N]
    python scripts/cv_chain_pairs.py --every-round [--cache FILE] [--cache-every FILE] [--show N]
    python scripts/cv_chain_pairs.py --overrule [--cache FILE]
    python scripts/cv_chain_pairs.py --every-round --overrule --row-cut 0.5,0.6,0.7,0.8,0.9 [--cache-every FILE]
    python scripts/cv_chain_pairs.py --every-round --overrule --row-cut 0.5 --fallback 0.5,0.7,0.9:0.15,0.2,0.25,0.3
    python scripts/cv_chain_pairs.py --every-round --overrule --row-cut 0.5 --strict-gate
    python scripts/cv_chain_pairs.py --every-round --overrule --row-cut 0.5 --trees 0.3,0.35,0.4,0.45,0.5
    python scripts/cv_chain_pairs.py --every-round --overrule --row-cut 0.5 --trees 0.3 --registrations 0.3,0.4,0.5
    python scripts/cv_chain_pairs.py --every-round --overrule --row-cut 0.5 --trees 0.2,0.225,0.25,0.275,0.3 --lower-bars
    python scripts/cv_chain_pairs.py --every-round --overrule --row-cut 0.5 --trees 0.3 --tree-probs FILE --lr-probs FILE
    python scripts/cv_chain_pairs.py --every-round --overrule --row-cut 0.5 --trees 0.3 --cut-by-kind 0.3,0.4,…,1.0
    python scripts/cv_chain_pairs.py --every-round --overrule --row-cut 0.5 --trees 0.3 --co-nodes [--tree-probs F --lr-probs F]
    python scripts/cv_chain_pairs.py --every-round --overrule --row-cut 0.5 --trees 0.3 --knn-clauses --tree-probs F --lr-probs F
    python scripts/cv_chain_pairs.py --every-round --overrule --row-cut 0.5 --trees 0.3 --knn-rows --tree-probs F --lr-probs F

Every (row, level-2 node) pair of a development row whose node has a word of the taxonomy in the row's evidence (the
(w) oracle's candidates of ``chain_evidence_ceiling.py``, found with the same matcher: ``classify.normalize_text`` and
the taxonomy's ``keyword_regex``) is one example, labelled by whether the node is among the row's labels. Its features:
where and how the node's words stand (field, tier, position, item index, market clause, the characters around the word
and the clause it stands in), the rules' confidence and rank for the node, the seventh version's check probabilities
(each row's out-of-fold probability, the seventh version's: no pair's check feature has seen its own row's label, but
a training row's has seen the scored fold's labels — a second-order leak, in the candidate's favour; the leak-free
nested form, ten more fits, was written first and dropped for time, docs/methods.md), the kinds of evidence and the node. One logistic regression per fold, trained
on the pairs of the fold's training rows of rounds 1–3 (L1, L3, L5), scores the fold's pairs; a row's placements are
its pairs at or above the bar (with the gate on, only in rows the check's gate accepts at the seventh's setting).
Same 5 hash folds as ``cv_chain_model.py``; scored by ``evaluate.score_gold``. Prints JSON: the seventh version the
same way, every setting of the grid, the chosen one by the written order, per source and per node, and what moved.
Candidate, grid and rule: docs/methods.md, "Eighth version candidate". Test rows are never read.

``--every-round`` measures the ninth version candidate instead (docs/methods.md, "Ninth version candidate: the same
readers trained on every round's development rows"): over all development rows (every round), the same 5 hash folds,
the eighth as it ships (the check's decision for registration-like rows, the pair reader at its written setting for
the others) with (a) each fold's check and pair reader trained on the fold's training rows of rounds 1–3 (``--cache``
holds that arm's check probabilities) and (b) on all of the fold's training rows (``--cache-every``), scored on the
same rows; the rule's figures, by source, by round, per node, what moved and a paired bootstrap after the verdict. Candidates, features and
the model are the service's (``zhaoshang.services.chain.pairs``), the ones ``classify`` applies.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter, defaultdict
from typing import Any
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cv_chain_model as cv  # noqa: E402

from zhaoshang.services.chain import gold as g  # noqa: E402
from zhaoshang.services.chain import model as m  # noqa: E402
from zhaoshang.services.chain import pairs as pr  # noqa: E402
from zhaoshang.services.chain import training  # noqa: E402
from zhaoshang.services.chain.taxonomy import load_taxonomy  # noqa: E402

FOLDS = 5
TRAIN_LABELLERS = {"L1", "L3", "L5"}
ROUNDS_1_4 = {"L1", "L3", "L5", "L7"}
GRID = {"c": [0.1, 0.3, 1.0, 3.0], "bar": [round(0.30 + 0.05 * k, 2) for k in range(11)], "gate": [False, True]}
TIERS = pr.TIERS
# the regression's own bar, the eighth to the fourteenth version's (the seventeenth's mean of two readers: ``pr.BAR``)
LR_BAR = 0.35


# ---------------------------------------------------------------------------- the check's probabilities, leak-free
def check_probs(t: dict, folds: np.ndarray, cache: str = "") -> dict:
    """``outer[f]``: the check trained on the rounds 1–3 rows outside fold f, its probabilities for fold f's rows (the
    seventh version out of fold), each fold's kept in ``cache`` as it is done (``training.check_out_of_fold``)."""
    assert (folds == np.array([training.fold_of(r) for r in t["rows"]])).all()
    return training.check_out_of_fold(t, cache or None, frozenset(TRAIN_LABELLERS))


def prob_table(part: tuple[np.ndarray, dict], n_rows: int, nodes: list[str]) -> np.ndarray:
    """(rows, 1 + nodes) of the check's probabilities (gate first), NaN where a part has no model or row."""
    idx, p = part
    return pr.check_table(p, n_rows, nodes, idx)


# ---------------------------------------------------------------------------- pairs and their features
def build_pairs(t: dict, tax) -> tuple[list[tuple[int, str]], list[dict[str, float]], list[list[tuple]]]:
    """The candidate pairs of every development row (the service's, ``pairs.build_pairs``)."""
    return pr.build_pairs(t["records"], t["confs"], tax)


# ---------------------------------------------------------------------------- cross-validation
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=os.environ.get("ZHAOSHANG_SHARED_DATA") or "../shared/data")
    ap.add_argument("--cache", default="", help="pickle of the check's out-of-fold probabilities (reused, per fold)")
    ap.add_argument("--hgb", action="store_true", help="also HistGradientBoosting on the same features (measured, never chosen)")
    ap.add_argument("--show", type=int, default=0, help="moved pairs to list")
    ap.add_argument("--ablate", action="store_true",
                    help="after the choice: the chosen C and bar without the context grams, the word, the rules' features")
    ap.add_argument("--save", default="", help="an .npz of the pairs' out-of-fold probabilities per C")
    ap.add_argument("--every-round", action="store_true",
                    help="the ninth version candidate: rounds 1–3 against every round's training rows (docs/methods.md)")
    ap.add_argument("--cache-every", default="", help="with --every-round: the every-round check's probabilities")
    ap.add_argument("--overrule", action="store_true",
                    help="the tenth candidate: the pair reader overrules the rules or the check, never both (docs/methods.md)")
    ap.add_argument("--row-cut", default="",
                    help="with --every-round --overrule: the fourteenth candidate, each ratio to the row's best (docs/methods.md)")
    ap.add_argument("--strict-gate", action="store_true",
                    help="with --row-cut R: the sixteenth candidate, the check's gate over every pair (docs/methods.md)")
    ap.add_argument("--fallback", default="",
                    help="with --row-cut R: the fifteenth candidate, G1,G2:B1,B2 — the check's P(AI) and the best pair's bar")
    ap.add_argument("--trees", default="",
                    help="with --row-cut R: the seventeenth candidate, the pair reader as gradient-boosted trees at bars B1,B2,…")
    ap.add_argument("--lower-bars", action="store_true",
                    help="with --trees B1,…,0.3: the twenty-first candidate, the blend at each bar below 0.30 against the "
                         "blend at 0.30 (the seventeenth)")
    ap.add_argument("--registrations", default="",
                    help="with --trees 0.3: the eighteenth candidate, registration-like rows read by the pair reader at bars B1,B2,…")
    ap.add_argument("--labellers", default="",
                    help="with --every-round: only these labellers' development rows (the figures published before round 7 "
                         "was labelled: L1,L3,L5,L7,L9,L11,L12)")
    ap.add_argument("--tree-probs", default="",
                    help="an .npz keeping the trees' out-of-fold pair probabilities (written once, then read)")
    ap.add_argument("--cut-by-kind", default="",
                    help="with --trees 0.3: the twenty-second candidate, the row cut chosen per kind of record (tagged, "
                         "described, listed) inside the training folds from the ratios R1,R2,…")
    ap.add_argument("--lr-probs", default="",
                    help="with --overrule: an .npz keeping the regression's out-of-fold pair probabilities (written once, "
                         "then read)")
    ap.add_argument("--co-nodes", action="store_true",
                    help="with --trees 0.3: the twenty-third candidate, the row's other main-strong candidate nodes as "
                         "features of a pair (co=q, nco=n|q, co_main), both readers refitted per fold; --tree-probs and "
                         "--lr-probs name the seventeenth's kept probabilities, the candidate's are kept beside them "
                         "(suffix _co)")
    ap.add_argument("--knn-clauses", action="store_true",
                    help="with --trees 0.3: the twenty-fourth candidate, a pair's passage read by its k nearest labelled "
                         "passages of the same node (knn_pos, knn_top_pos, knn_top_neg, knn_margin), the regression "
                         "refitted per fold, the trees' kept probabilities (--tree-probs) unchanged; the candidate's "
                         "regression probabilities are kept beside --lr-probs (suffix _knn)")
    ap.add_argument("--knn-rows", action="store_true",
                    help="with --trees 0.3: the twenty-fifth candidate, pairs without a candidate added where the k "
                         "nearest labelled training rows (TF-IDF of the rows' texts) carry the node, the seventeenth's "
                         "kept probabilities (--tree-probs, --lr-probs) unchanged")
    ap.add_argument("--with-round", default="",
                    help="the twentieth candidate: the seventeenth trained per fold on rounds 1–6's rows (L1,…,L12) against "
                         "the same trained on these labellers' rows too (e.g. L14), out of fold over every development row; "
                         "--cache-every and --tree-probs name the first arm's files, the second's get a suffix")
    a = ap.parse_args()
    if a.with_round:
        print(json.dumps(with_round(a), ensure_ascii=False, indent=1, default=float))
        return
    if a.overrule:
        print(json.dumps(overrule(a), ensure_ascii=False, indent=1, default=float))
        return
    if a.every_round:
        print(json.dumps(every_round(a), ensure_ascii=False, indent=1, default=float))
        return
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    tax = load_taxonomy()
    # the development rows of rounds 1–4 (L1, L3, L5, L7), the rows the candidate was measured on: later rounds' rows
    # confirm, they are never cross-validated here (docs/methods.md, "Confirmation on round 5")
    t = training.gold_training_set(a.data, tax, labellers=ROUNDS_1_4)
    outer = check_probs(t, np.array([cv._hash(r) % FOLDS for r in t["rows"]]), a.cache)
    rows, nodes, n = t["rows"], t["nodes"], len(t["rows"])
    folds = np.array([cv._hash(r) % FOLDS for r in rows])
    keep = np.array([r.get("labeller") in TRAIN_LABELLERS for r in rows])
    labels = t["labels"]

    # the seventh version out of fold (its check, the shipped setting), reproduced from the outer probabilities
    oof = np.full((n, 1 + len(nodes)), np.nan)
    for f in range(FOLDS):
        tb = prob_table(outer[f], n, nodes)
        sel = folds == f
        oof[sel] = tb[sel]
    probs7 = {"*": oof[:, 0], **{nd: oof[:, 1 + j] for j, nd in enumerate(nodes)}}
    at = {k: m.DEFAULTS.get(k, 2.0) for k in cv.GRID}
    seventh = cv.decide(t, probs7, at)
    gate_ok = np.array([oof[i, 0] >= (at["gate_scope"] if m.scope_only(t["records"][i]) else at["gate"]) for i in range(n)])

    pairs, base, occs = build_pairs(t, tax)
    y = np.array([1 if nd in labels[i] else 0 for i, nd in pairs])
    pi = np.array([i for i, _ in pairs])
    print(f"pairs {len(pairs)}, labelled {int(y.sum())}", file=sys.stderr, flush=True)
    p_pair = {c: np.zeros(len(pairs)) for c in GRID["c"]}
    p_hgb = np.zeros(len(pairs))
    coefs = {}
    for f in range(FOLDS):
        # the check feature: every row's out-of-fold probability (stacking; see the module's note on the leak)
        fe = pr.with_check(base, pairs, oof, nodes)
        tr = np.where((folds[pi] != f) & keep[pi])[0]
        te = np.where(folds[pi] == f)[0]
        vec = DictVectorizer()
        Xtr = pr.int32(vec.fit_transform([fe[k] for k in tr]))
        Xte = pr.int32(vec.transform([fe[k] for k in te]))
        for c in GRID["c"]:
            lr = LogisticRegression(C=c, solver="liblinear", random_state=m.SEED, max_iter=1000).fit(Xtr, y[tr])
            p_pair[c][te] = lr.predict_proba(Xte)[:, 1]
            if f == 0:
                coefs[c] = sorted(zip(lr.coef_[0], vec.feature_names_), key=lambda x: x[0])
        if a.hgb:
            from sklearn.ensemble import HistGradientBoostingClassifier
            sel_cols = np.asarray((Xtr > 0).sum(axis=0)).ravel() >= 5
            h = HistGradientBoostingClassifier(max_iter=300, learning_rate=0.05, random_state=0)
            h.fit(Xtr[:, sel_cols].toarray(), y[tr])
            p_hgb[te] = h.predict_proba(Xte[:, sel_cols].toarray())[:, 1]
        print(f"fold {f}", file=sys.stderr, flush=True)

    if a.save:
        np.savez_compressed(a.save, rows=pi, nodes=np.array([nd for _, nd in pairs]), y=y,
                            **{f"c{c:g}": v for c, v in p_pair.items()})
    reg_like = np.array([m.scope_only(e) for e in t["records"]])

    def placed(p, bar, gate):
        """Pairs at or above the bar; ``gate`` True: in rows the check's gate accepts; "registrations": the gate
        asked of registration-like rows only (measured after the choice, outside the written grid)."""
        return [pairs[k] for k in np.where(p >= bar)[0]
                if not gate or gate_ok[pairs[k][0]] or (gate == "registrations" and not reg_like[pairs[k][0]])]

    res = []
    for c in GRID["c"]:
        for bar in GRID["bar"]:
            for gate in GRID["gate"]:
                res.append({"c": c, "bar": bar, "gate": gate, **cv.figures(t, placed(p_pair[c], bar, gate), tax)})
    hgb = []
    if a.hgb:
        for bar in GRID["bar"]:
            for gate in GRID["gate"]:
                hgb.append({"bar": bar, "gate": gate, **cv.figures(t, placed(p_hgb, bar, gate), tax)})
    # the written order: precision step, node F1, stage F1, the smaller C, the higher bar
    step = lambda r: next((k for k, b in enumerate(cv.REG_PRECISION_STEPS) if (r["reg_ai_p"] or 0) >= b), None)  # noqa: E731
    order = sorted((r for r in res if step(r) is not None and (r["reg_ai_r"] or 0) >= cv.MIN_REG_RECALL),
                   key=lambda r: (step(r), -r["node_f1"], -r["stage_f1"], r["c"], -r["bar"]))
    chosen = order[0] if order else None
    fig7 = cv.figures(t, seventh, tax, by_source=True)
    out = {"pairs": len(pairs), "labelled_pairs_with_a_word": int(y.sum()),
           "labelled_pairs": sum(len(x) for x in labels), "seventh": fig7, "chosen": chosen,
           "ships": bool(chosen and chosen["node_f1"] >= 0.7199 + 0.005 and (chosen["reg_ai_p"] or 0) >= 0.947),
           "order": order[:10], "best": sorted(res, key=lambda r: -r["node_f1"])[:10],
           "hgb_best": sorted(hgb, key=lambda r: -r["node_f1"])[:5],
           # measured after the choice was read, outside the written grid: the gate asked of registrations only
           "after_gate_registrations": sorted(({"c": c, "bar": bar, "gate": "registrations",
                                                **cv.figures(t, placed(p_pair[c], bar, "registrations"), tax, by_source=True)}
                                               for c in GRID["c"] for bar in GRID["bar"]), key=lambda r: -r["node_f1"])[:6],
           # and the pair reader for the rows that are not registration-like, the seventh's placements for the others
           "after_registrations_seventh": sorted(({"c": c, "bar": bar, **cv.figures(
               t, [x for x in placed(p_pair[c], bar, False) if not reg_like[x[0]]] + [x for x in seventh if reg_like[x[0]]],
               tax, by_source=True)} for c in GRID["c"] for bar in GRID["bar"]), key=lambda r: -r["node_f1"])[:6]}
    if chosen:
        mine = placed(p_pair[chosen["c"]], chosen["bar"], chosen["gate"])
        out["chosen_by_source"] = cv.figures(t, mine, tax, by_source=True)["by_source"]
        o7, o8 = (cv.score_gold(rows, p, tax) for p in (seventh, mine))
        out["per_node"] = {nd: {"seventh_f1": o7["nodes"]["per_unit"][nd]["f1"], "pairs_f1": o8["nodes"]["per_unit"][nd]["f1"],
                                "gold": o8["nodes"]["per_unit"][nd]["gold"]} for nd in o8["nodes"]["per_unit"]}
        out["moved"] = moved(t, seventh, mine, pairs, occs, args_show=a.show)
        out["top_features"] = {"negative": [(round(float(v), 3), k) for v, k in coefs[chosen["c"]][:25]],
                               "positive": [(round(float(v), 3), k) for v, k in coefs[chosen["c"]][-25:][::-1]]}
    if a.ablate and chosen:
        out["after_ablations"] = ablations(t, pairs, base, oof, y, pi, folds, keep, chosen, tax, gate_ok)
    print(json.dumps(out, ensure_ascii=False, indent=1))


# ---------------------------------------------------------------------------- the ninth version candidate
NODE_MARGIN = 0.005


def eighth_out_of_fold(t: dict, pairs: list, base: list, y: np.ndarray, train_on: frozenset, cache: str,
                       arm: str = "a", kept: str = "") -> tuple[list, np.ndarray, dict, np.ndarray]:
    """The eighth as ``classify`` makes it, out of fold over ``t``'s rows: per fold, the check and the pair reader
    trained on the fold's training rows of the labellers ``train_on``; the check's decision at its shipped setting for
    registration-like rows, the pair reader's pairs at its bar for the others. Returns the placements, the check's
    out-of-fold table (gate first), what each fold was trained on and the pairs' out-of-fold probabilities (``kept``: an
    .npz of them, written once, then read)."""
    rows, nodes = t["rows"], t["nodes"]
    folds = np.array([training.fold_of(r) for r in rows])
    pi = np.array([i for i, _ in pairs])
    reg_like = np.array([m.scope_only(e) for e in t["records"]])
    at = {k: m.DEFAULTS.get(k, 2.0) for k in cv.GRID}
    oof = training.check_oof_table(t, training.check_out_of_fold(t, cache or None, train_on))
    probs = {"*": oof[:, 0], **{nd: oof[:, 1 + j] for j, nd in enumerate(nodes)}}
    checked = [x for x in cv.decide(t, probs, at) if reg_like[x[0]]]
    fe = pr.with_check(base, pairs, oof, nodes)
    keep = np.array([r["labeller"] in train_on for r in rows])
    p = np.zeros(len(pairs))
    n_train = [int(((folds[pi] != f) & keep[pi]).sum()) for f in range(FOLDS)]
    if kept and os.path.exists(kept):
        z = np.load(kept)
        assert z["y"].shape == y.shape and (z["y"] == y).all(), "the kept regression probabilities are of other pairs"
        p = z["p"]
    else:
        for f in range(FOLDS):
            tr = np.where((folds[pi] != f) & keep[pi])[0]
            te = np.where(folds[pi] == f)[0]
            vec, lr = pr.fit([fe[k] for k in tr], y[tr])
            p[te] = lr.predict_proba(pr.int32(vec.transform([fe[k] for k in te])))[:, 1]
            print(f"arm {arm} fold {f}", file=sys.stderr, flush=True)
        if kept:
            np.savez_compressed(kept, p=p, y=y)
    placed = [pairs[k] for k in np.where(p >= LR_BAR)[0] if not reg_like[pairs[k][0]]] + checked
    info = {"trained_on": sorted(train_on), "training_rows_per_fold": [int(((folds != f) & keep).sum()) for f in range(FOLDS)],
            "training_pairs_per_fold": n_train}
    return placed, oof, info, p


def _labellers(a) -> set[str] | None:
    """``--labellers`` as a set (None: every labeller of the gold file)."""
    return {x.strip() for x in a.labellers.split(",") if x.strip()} or None


def every_round(a) -> dict:
    """The eighth's readers out of fold over every development row, trained per fold (a) on rounds 1–3's rows only and
    (b) on every round's, scored on the same rows (docs/methods.md, "Ninth version candidate")."""
    import confirm_chain_pairs as cp
    from zhaoshang.services.chain.evaluate import score_gold

    tax = load_taxonomy()
    t = training.gold_training_set(a.data, tax, labellers=_labellers(a))
    rows, nodes, n, labels = t["rows"], t["nodes"], len(t["rows"]), t["labels"]
    every = frozenset(r["labeller"] for r in rows)
    arms = {"a": frozenset(TRAIN_LABELLERS), "b": every}
    caches = {"a": a.cache, "b": a.cache_every}
    pairs, base, _ = build_pairs(t, tax)
    y = np.array([1 if nd in labels[i] else 0 for i, nd in pairs])
    print(f"rows {n}, pairs {len(pairs)}, labelled {int(y.sum())}", file=sys.stderr, flush=True)
    placed, info = {}, {}
    for arm, train_on in arms.items():
        placed[arm], _, info[arm], _ = eighth_out_of_fold(t, pairs, base, y, train_on, caches[arm], arm)

    def sub(keep_row) -> tuple[list, dict]:
        idx = [i for i in range(n) if keep_row(rows[i])]
        pos = {i: j for j, i in enumerate(idx)}
        return [rows[i] for i in idx], {arm: [(pos[i], nd) for i, nd in pl if i in pos] for arm, pl in placed.items()}

    fig = {arm: cv.figures(t, pl, tax, by_source=True) for arm, pl in placed.items()}
    fa, fb = fig["a"], fig["b"]
    rule = {"node": fb["node_f1"] >= fa["node_f1"] + NODE_MARGIN, "registration_precision": (fb["reg_ai_p"] or 0) >= (fa["reg_ai_p"] or 0)}
    out = {"rows": n, "rows_by_labeller": dict(Counter(r["labeller"] for r in rows)), "pairs": len(pairs),
           "labelled_pairs_with_a_word": int(y.sum()), "labelled_pairs": sum(len(x) for x in labels), "arms": info,
           "a_rounds_1_3": fa, "b_every_round": fb,
           "rule": {**rule, "node_diff": round(fb["node_f1"] - fa["node_f1"], 4),
                    "stage_diff": round(fb["stage_f1"] - fa["stage_f1"], 4),
                    "passes_1_and_2": all(rule.values()), "3": "the classification tests, with the file trained for (b)"}}
    # a check of the script: arm (a) on the rows of rounds 1–4 is the eighth's published out-of-fold figure (0.7432)
    r14, pl14 = sub(lambda r: r["labeller"] in training.ROUNDS_1_4)
    o = score_gold(r14, pl14["a"], tax)
    out["check_a_on_rounds_1_4"] = {"rows": len(r14), "node_f1": round(o["nodes"]["micro"]["f1"], 4),
                                    "stage_f1": round(o["stages"]["micro"]["f1"], 4)}
    # after the verdict, not part of it
    by_round = {}
    for lab in sorted(every):
        rr, pl = sub(lambda r, lab=lab: r["labeller"] == lab)
        by_round[lab] = {"rows": len(rr)}
        for arm in placed:
            o = score_gold(rr, pl[arm], tax)
            by_round[lab][arm] = {"stage_f1": round(o["stages"]["micro"]["f1"], 4), "node_f1": round(o["nodes"]["micro"]["f1"], 4),
                                  "node_p": round(o["nodes"]["micro"]["precision"], 4), "node_r": round(o["nodes"]["micro"]["recall"], 4)}
    out["after_by_round"] = by_round
    oa, ob = (score_gold(rows, placed[arm], tax) for arm in ("a", "b"))
    out["after_per_node"] = {nd: {"a": oa["nodes"]["per_unit"][nd]["f1"], "b": ob["nodes"]["per_unit"][nd]["f1"],
                                  "gold": ob["nodes"]["per_unit"][nd]["gold"]} for nd in ob["nodes"]["per_unit"]}
    A, B = set(placed["a"]), set(placed["b"])
    out["after_moved"] = cp.moved(rows, A, B, tax, a.show)
    out["after_bootstrap_over_rows"] = cp.bootstrap(rows, A, B, tax)
    # the financial listings (Shenwan 银行 / 非银金融; every one not drawn before is in round 6): D06 pairs each arm
    # places on them, right (labelled D06) or false
    fin = {i for i in range(n) if rows[i]["source"] == g.ASHARE
           and (t["records"][i].get("industry") or "").split(" ")[0] in ("银行", "非银金融")}
    out["after_d06_on_financial_listings"] = {
        "rows": len(fin), "labelled_d06": sum(1 for i in fin if "D06" in labels[i]),
        **{arm: {"right": sum(1 for i, nd in placed[arm] if i in fin and nd == "D06" and nd in labels[i]),
                 "false": sorted(rows[i]["name"] for i, nd in placed[arm] if i in fin and nd == "D06" and nd not in labels[i])}
           for arm in placed}}
    return out


def overrule(a) -> dict:
    """The tenth candidate (docs/methods.md, "Tenth candidate"): the eighth out of fold over every development row, and
    the same placements less the pair reader's pairs that neither the rules placed nor the check's P(AI) let through."""
    import confirm_chain_pairs as cp

    tax = load_taxonomy()
    t = training.gold_training_set(a.data, tax, labellers=_labellers(a))
    rows, n, labels = t["rows"], len(t["rows"]), t["labels"]
    reg_like = np.array([m.scope_only(e) for e in t["records"]])
    pairs, base, _ = build_pairs(t, tax)
    y = np.array([1 if nd in labels[i] else 0 for i, nd in pairs])
    print(f"rows {n}, pairs {len(pairs)}, labelled {int(y.sum())}", file=sys.stderr, flush=True)
    # --every-round: the twelfth candidate, the same rule over the eleventh's readers (every round's rows)
    train_on = frozenset(r["labeller"] for r in rows) if a.every_round else frozenset(TRAIN_LABELLERS)
    eighth, oof, info, p = eighth_out_of_fold(t, pairs, base, y, train_on, a.cache_every if a.every_round else a.cache,
                                              kept=a.lr_probs)
    gate = m.DEFAULTS["gate"]

    def stays(i: int, nd: str) -> bool:
        p_ai = oof[i, 0]
        return reg_like[i] or nd in t["confs"][i] or np.isnan(p_ai) or p_ai >= gate

    cand = [x for x in eighth if stays(*x)]
    if a.strict_gate:  # the sixteenth candidate (docs/methods.md, "Sixteenth candidate")
        strict = [x for x in eighth if reg_like[x[0]] or np.isnan(oof[x[0], 0]) or oof[x[0], 0] >= gate]
        return strict_gate(a, t, tax, cand, strict, pairs, p, reg_like, oof)
    if a.row_cut:  # the fourteenth candidate, over the twelfth's placements (docs/methods.md, "Fourteenth candidate")
        return row_cut(a, t, tax, cand, pairs, p, reg_like, oof)
    removed = [x for x in eighth if not stays(*x)]
    right = [x for x in removed if x[1] in labels[x[0]]]
    fa, fb = (cv.figures(t, pl, tax, by_source=True) for pl in (eighth, cand))
    if a.every_round:  # the twelfth candidate's rule (docs/methods.md, "Twelfth candidate")
        rule = {"1_node_within_0.001_stage_within_0.002": fb["node_f1"] >= fa["node_f1"] - 0.001
                and fb["stage_f1"] >= fa["stage_f1"] - 0.002,
                "2_at_most_a_third_of_removed_right": len(right) <= len(removed) / 3,
                "3_registration_precision": (fb["reg_ai_p"] or 0) >= (fa["reg_ai_p"] or 0)}
    else:
        rule = {"1_removed_at_least_5_two_thirds_false": len(removed) >= 5 and (len(removed) - len(right)) >= 2 * len(removed) / 3,
                "2_node_not_lower_stage_within_0.002": fb["node_f1"] >= fa["node_f1"] and fb["stage_f1"] >= fa["stage_f1"] - 0.002,
                "3_registration_precision": (fb["reg_ai_p"] or 0) >= (fa["reg_ai_p"] or 0)}
    return {"rows": n, "pairs": len(pairs), "trained": info, "gate": gate, "a_eighth": fa, "b_candidate": fb,
            "removed": len(removed), "removed_right": len(right), "removed_false": len(removed) - len(right),
            "rule": {**rule, "passes_1_to_3": all(rule.values()), "4": "the classification tests (and, --every-round, the demo's), with the rule in classify"},
            "node_diff": round(fb["node_f1"] - fa["node_f1"], 4), "stage_diff": round(fb["stage_f1"] - fa["stage_f1"], 4),
            # after the verdict, not part of it
            "after_removed": [f"{rows[i]['name']} {nd} P(AI) {oof[i, 0]:.3f} ({'|'.join(sorted(labels[i])) or '-'})"
                              for i, nd in sorted(removed)][: max(a.show, 0) or len(removed)],
            "after_bootstrap_over_rows": cp.bootstrap(rows, set(eighth), set(cand), tax)}


def row_cut(a, t: dict, tax, twelfth: list, pairs: list, p: np.ndarray, reg_like: np.ndarray, oof: np.ndarray) -> dict:
    """The fourteenth candidate (docs/methods.md): each ρ of ``--row-cut`` against the twelfth, out of fold; the
    written rule's choice and verdict, then (after it) what the chosen setting removed."""
    import confirm_chain_pairs as cp
    from zhaoshang.services.chain.evaluate import score_gold

    rows, labels = t["rows"], t["labels"]
    prob = {pr_: float(p[k]) for k, pr_ in enumerate(pairs)}
    folds = np.array([training.fold_of(r) for r in rows])

    def per_fold(placed: list) -> list[float]:
        out = []
        for f in range(FOLDS):
            idx = [i for i in range(len(rows)) if folds[i] == f]
            pos = {i: j for j, i in enumerate(idx)}
            o = score_gold([rows[i] for i in idx], [(pos[i], nd) for i, nd in placed if i in pos], tax)
            out.append(round(o["nodes"]["micro"]["f1"], 4))
        return out

    base = cv.figures(t, twelfth, tax, by_source=True)
    base_folds = per_fold(twelfth)
    grid = {}
    for rho in [float(x) for x in a.row_cut.split(",")]:
        kept = pr.held_to_best({x: prob[x] for x in twelfth if not reg_like[x[0]]}, rho)  # the service's rule
        pl = [x for x in twelfth if reg_like[x[0]] or x in kept]
        grid[rho] = {"placed": pl, "fig": cv.figures(t, pl, tax, by_source=True), "folds": per_fold(pl)}
    if a.trees:  # the seventeenth candidate, against the fourteenth's placements (docs/methods.md)
        return trees(a, t, tax, twelfth, grid[float(a.row_cut)]["placed"], pairs, p, reg_like, oof, per_fold)
    if a.fallback:  # the fifteenth candidate, over the fourteenth's placements (docs/methods.md)
        p_chain = {i: float(oof[i, 0]) for i in range(len(rows)) if not np.isnan(oof[i, 0])}  # the check's P(AI)
        return fallback(a, t, tax, grid[float(a.row_cut)]["placed"], pairs, prob, p_chain, reg_like, per_fold)
    rho = max(grid, key=lambda r: (grid[r]["fig"]["node_f1"], -r))
    removed = sorted(set(twelfth) - set(grid[rho]["placed"]))
    return {"rows": len(rows), "twelfth": {**base, "folds": base_folds}, "chosen_rho": rho,
            **verdict(rows, tax, twelfth, base, base_folds, grid, rho),
            # after the verdict, not part of it
            "after_removed": {"pairs": len(removed), "right": sum(1 for i, nd in removed if nd in labels[i]),
                              "list": [f"{rows[i]['name']} {nd} p {prob[(i, nd)]:.3f} ({'|'.join(sorted(labels[i])) or '-'})"
                                       for i, nd in removed][: max(a.show, 0) or len(removed)]}}


def verdict(rows: list, tax, before: list, base: dict, base_folds: list, grid: dict, chosen) -> dict:
    """The fourteenth's and fifteenth's written conditions 1–3 for the chosen setting of ``grid`` against ``before``
    (node +0.005 and stage within 0.002; not lower in 4 of 5 folds; the bootstrap's 5th percentile above 0)."""
    import confirm_chain_pairs as cp

    ch = grid[chosen]
    boot = cp.bootstrap(rows, set(before), set(ch["placed"]), tax)
    rule = {"1_node_plus_0.005_stage_within_0.002": ch["fig"]["node_f1"] >= base["node_f1"] + 0.005
            and ch["fig"]["stage_f1"] >= base["stage_f1"] - 0.002,
            "2_not_lower_in_4_of_5_folds": sum(c >= b for c, b in zip(ch["folds"], base_folds)) >= 4,
            "3_bootstrap_q05_above_0": boot["node_diff_q05_q50_q95"][0] > 0}
    return {"grid": {k: {x: v for x, v in g_.items() if x != "placed"} for k, g_ in grid.items()},
            "rule": {**rule, "passes_1_to_3": all(rule.values()),
                     "4": "the classification tests and the demo's, with the rule in classify"},
            "node_diff": round(ch["fig"]["node_f1"] - base["node_f1"], 4),
            "stage_diff": round(ch["fig"]["stage_f1"] - base["stage_f1"], 4), "bootstrap": boot}


def verdict_1_to_4(rows: list, tax, before: list, base: dict, base_folds: list, grid: dict, chosen) -> dict:
    """``verdict``'s conditions 1–3 and the twenty-second's and twenty-third's fourth: registration AI precision not
    below ``before``'s (the service's condition becomes the fifth)."""
    v = verdict(rows, tax, before, base, base_folds, grid, chosen)
    v["rule"]["4_registration_precision_not_lower"] = (grid[chosen]["fig"]["reg_ai_p"] or 0) >= (base["reg_ai_p"] or 0)
    v["rule"]["passes_1_to_4"] = v["rule"]["passes_1_to_3"] and v["rule"]["4_registration_precision_not_lower"]
    v["rule"]["5"] = v["rule"].pop("4")
    return v


def strict_gate(a, t: dict, tax, twelfth: list, strict: list, pairs: list, p: np.ndarray, reg_like: np.ndarray,
                oof: np.ndarray) -> dict:
    """The sixteenth candidate (docs/methods.md): the fourteenth (the twelfth's placements held to the row's best at
    ``--row-cut``) against the same with the check's gate over every pair the pair reader places; the written rule's
    verdict, then (after it) what it removed."""
    import confirm_chain_pairs as cp

    rows, labels = t["rows"], t["labels"]
    prob = {x: float(p[k]) for k, x in enumerate(pairs)}
    rho = float(a.row_cut)

    def held(placed: list) -> list:
        kept = pr.held_to_best({x: prob[x] for x in placed if not reg_like[x[0]]}, rho)  # the service's rule
        return [x for x in placed if reg_like[x[0]] or x in kept]

    fourteenth, cand = held(twelfth), held(strict)
    fa, fb = (cv.figures(t, pl, tax, by_source=True) for pl in (fourteenth, cand))
    removed, added = sorted(set(fourteenth) - set(cand)), sorted(set(cand) - set(fourteenth))
    right = [x for x in removed if x[1] in labels[x[0]]]
    rule = {"1_node_and_stage_within_0.002": fb["node_f1"] >= fa["node_f1"] - 0.002 and fb["stage_f1"] >= fa["stage_f1"] - 0.002,
            "2_at_most_a_third_of_removed_right": len(right) <= len(removed) / 3}
    return {"rows": len(rows), "fourteenth": fa, "candidate": fb, "removed": len(removed), "removed_right": len(right),
            "added_by_the_row_cut_moving": len(added),
            "rule": {**rule, "passes_1_and_2": all(rule.values()),
                     "3": "the classification tests and the demo's, with the rule in classify"},
            "node_diff": round(fb["node_f1"] - fa["node_f1"], 4), "stage_diff": round(fb["stage_f1"] - fa["stage_f1"], 4),
            # after the verdict, not part of it
            "after_removed": [f"{rows[i]['name']} {nd} p {prob[(i, nd)]:.3f} P(AI) {oof[i, 0]:.3f} "
                              f"({'|'.join(sorted(labels[i])) or '-'})" for i, nd in removed][: max(a.show, 0) or len(removed)],
            "after_bootstrap_over_rows": cp.bootstrap(rows, set(fourteenth), set(cand), tax)}


def best_of_the_unplaced(candidates: dict[tuple[Any, str], float], placed_rows: set, p_chain: dict[Any, float],
                         gate: float, bar: float) -> set[tuple[Any, str]]:
    """The fifteenth candidate's rule (measured, not shipped): for each row with no placed pair whose check puts it on the chain (``p_chain`` ≥ ``gate``), its best candidate
    pair (``candidates``: (row, node) → the pair reader's probability) when that reaches ``bar``."""
    best: dict[Any, tuple[float, str]] = {}
    for (row, code), prob in candidates.items():
        if row not in placed_rows and p_chain.get(row, 0.0) >= gate and (row not in best or (prob, code) > best[row]):
            best[row] = (prob, code)
    return {(row, code) for row, (prob, code) in best.items() if prob >= bar}


def fallback(a, t: dict, tax, fourteenth: list, pairs: list, prob: dict, p_chain: dict, reg_like: np.ndarray,
             per_fold) -> dict:
    """The fifteenth candidate (docs/methods.md): each (g, b) of ``--fallback`` against the fourteenth, out of fold;
    the written rule's choice and verdict, then (after it) what the chosen setting added."""
    import confirm_chain_pairs as cp

    rows, labels = t["rows"], t["labels"]
    cands = {x: prob[x] for x in pairs if not reg_like[x[0]]}
    placed_rows = {i for i, _ in fourteenth}
    base, base_folds = cv.figures(t, fourteenth, tax, by_source=True), per_fold(fourteenth)
    gs, bs = ([float(x) for x in part.split(",")] for part in a.fallback.split(":"))
    grid = {}
    for g_ in gs:
        for b in bs:
            pl = fourteenth + sorted(best_of_the_unplaced(cands, placed_rows, p_chain, g_, b))
            grid[f"{g_}:{b}"] = {"g": g_, "b": b, "placed": pl, "fig": cv.figures(t, pl, tax, by_source=True),
                                 "folds": per_fold(pl)}
    key = max(grid, key=lambda k: (grid[k]["fig"]["node_f1"], grid[k]["g"], grid[k]["b"]))
    added = sorted(set(grid[key]["placed"]) - set(fourteenth))
    return {"rows": len(rows), "fourteenth": {**base, "folds": base_folds}, "chosen": key,
            **verdict(rows, tax, fourteenth, base, base_folds, grid, key),
            # after the verdict, not part of it
            "after_added": {"pairs": len(added), "right": sum(1 for i, nd in added if nd in labels[i]),
                            "list": [f"{rows[i]['name']} {nd} p {prob[(i, nd)]:.3f} P(AI) {p_chain.get(i, float('nan')):.3f} "
                                     f"({'|'.join(sorted(labels[i])) or '-'})" for i, nd in added][: max(a.show, 0) or len(added)]}}


def tree_probabilities(t: dict, pairs: list, base: list, y: np.ndarray, oof: np.ndarray,
                       train_on: frozenset | None = None) -> np.ndarray:
    """The pairs' out-of-fold probabilities from the service's trees (``pairs.fit_trees``: HistGradientBoosting at
    ``pairs.TREES`` on the columns present in ``pairs.TREE_MIN_PAIRS`` training pairs or more) on the pair reader's
    features, the check's out-of-fold probabilities among them, per fold trained on the fold's training pairs of every
    round (``train_on``: only those labellers' pairs)."""
    rows = t["rows"]
    folds = np.array([training.fold_of(r) for r in rows])
    pi = np.array([i for i, _ in pairs])
    keep = np.array([train_on is None or r["labeller"] in train_on for r in rows])
    fe = pr.with_check(base, pairs, oof, t["nodes"])
    p = np.zeros(len(pairs))
    for f in range(FOLDS):
        tr, te = np.where((folds[pi] != f) & keep[pi])[0], np.where(folds[pi] == f)[0]
        names, h = pr.fit_trees([fe[k] for k in tr], y[tr])
        col = {n: j for j, n in enumerate(names)}
        X = np.zeros((len(te), len(names)))
        for r, k in enumerate(te):
            for n, v in fe[k].items():
                if n in col:
                    X[r, col[n]] = v
        p[te] = h.predict_proba(X)[:, 1]
        print(f"trees fold {f}: {len(tr)} pairs, {len(names)} columns", file=sys.stderr, flush=True)
    return p


def trees(a, t: dict, tax, twelfth: list, fourteenth: list, pairs: list, p_lr: np.ndarray, reg_like: np.ndarray,
          oof: np.ndarray, per_fold) -> dict:
    """The seventeenth candidate (docs/methods.md): the fourteenth with its pair reader's probabilities replaced by
    the trees' (``hgb``) or by the mean of the two (``blend``), at each bar of ``--trees``; the registration-like rows'
    placements, the overrule and the row cut (``--row-cut``) as the fourteenth's. The written rule's choice and verdict
    against the fourteenth, then (after it) what moved."""
    rows, labels = t["rows"], t["labels"]
    y = np.array([1 if nd in labels[i] else 0 for i, nd in pairs])
    if a.tree_probs and os.path.exists(a.tree_probs):
        z = np.load(a.tree_probs)
        assert z["y"].shape == y.shape and (z["y"] == y).all(), "the kept tree probabilities are of other pairs"
        p_h = z["p"]
    else:
        base_feats = pr.build_pairs(t["records"], t["confs"], tax)[1]
        p_h = tree_probabilities(t, pairs, base_feats, y, oof)
        if a.tree_probs:
            np.savez_compressed(a.tree_probs, p=p_h, y=y)
    checked = [x for x in twelfth if reg_like[x[0]]]
    gate = m.DEFAULTS["gate"]

    def stays(i: int, nd: str) -> bool:  # the twelfth's overrule, as ``overrule`` applies it
        return nd in t["confs"][i] or np.isnan(oof[i, 0]) or oof[i, 0] >= gate

    def placed_by(prob: np.ndarray, bar: float) -> list:
        at_bar = {pairs[k]: float(prob[k]) for k in np.where(prob >= bar)[0]
                  if not reg_like[pairs[k][0]] and stays(*pairs[k])}
        return sorted(pr.held_to_best(at_bar, float(a.row_cut))) + checked  # the service's row cut

    # a check of the script: the logistic regression at its shipped bar gives the fourteenth's placements
    assert set(placed_by(p_lr, LR_BAR)) == set(fourteenth)
    if a.co_nodes:  # the twenty-third candidate, against the seventeenth (docs/methods.md)
        return co_nodes(a, t, tax, pairs, p_h, p_lr, oof, per_fold, placed_by)
    if a.knn_clauses:  # the twenty-fourth candidate, against the seventeenth (docs/methods.md)
        return knn_clauses(a, t, tax, pairs, p_h, p_lr, oof, per_fold, placed_by)
    if a.knn_rows:  # the twenty-fifth candidate, against the seventeenth (docs/methods.md)
        return knn_rows(a, t, tax, pairs, p_h, p_lr, per_fold, placed_by)
    if a.cut_by_kind:  # the twenty-second candidate, over the seventeenth's readers (docs/methods.md)
        return cut_by_kind(a, t, tax, pairs, (p_h + p_lr) / 2, reg_like, stays, checked, per_fold,
                           placed_by((p_h + p_lr) / 2, pr.BAR))
    if a.registrations:  # the eighteenth candidate, over the seventeenth's placements (docs/methods.md)
        seventeenth = placed_by((p_h + p_lr) / 2, pr.BAR)
        return registrations(a, t, tax, seventeenth, checked, pairs, (p_h + p_lr) / 2, reg_like, oof, per_fold)
    base, base_folds = cv.figures(t, fourteenth, tax, by_source=True), per_fold(fourteenth)
    grid = {}
    for learner, prob in (("hgb", p_h), ("blend", (p_h + p_lr) / 2)):
        for bar in [float(x) for x in a.trees.split(",")]:
            pl = placed_by(prob, bar)
            grid[f"{learner}:{bar}"] = {"learner": learner, "bar": bar, "placed": pl,
                                        "fig": cv.figures(t, pl, tax, by_source=True), "folds": per_fold(pl)}
    if a.lower_bars:  # the twenty-first candidate, against the seventeenth (docs/methods.md)
        return lower_bars(t, tax, fourteenth, grid)
    order = {"hgb": 1, "blend": 0}
    key = max(grid, key=lambda k: (grid[k]["fig"]["node_f1"], grid[k]["bar"], order[grid[k]["learner"]]))
    ch = set(grid[key]["placed"])
    added, removed = sorted(ch - set(fourteenth)), sorted(set(fourteenth) - ch)
    right = lambda xs: sum(1 for i, nd in xs if nd in labels[i])  # noqa: E731
    return {"rows": len(rows), "fourteenth": {**base, "folds": base_folds}, "chosen": key, "trees": pr.TREES,
            **verdict(rows, tax, fourteenth, base, base_folds, grid, key),
            # after the verdict, not part of it
            "after_moved": {"added": len(added), "added_right": right(added), "removed": len(removed),
                            "removed_right": right(removed)}}


def lower_bars(t: dict, tax, fourteenth: list, grid: dict) -> dict:
    """The twenty-first candidate (docs/methods.md): the seventeenth (the blend at ``pairs.BAR``, 0.30, in ``grid``)
    against the blend at each bar of ``--trees`` below it; the bar chosen by the highest node micro-F1 (ties: the higher
    bar), the written conditions 1–3 against the seventeenth, then (after the verdict) what moved."""
    rows, labels = t["rows"], t["labels"]
    base = grid[f"blend:{pr.BAR}"]
    seventeenth = base["placed"]
    lower = {k: v for k, v in grid.items() if v["learner"] == "blend" and v["bar"] < pr.BAR}
    key = max(lower, key=lambda k: (lower[k]["fig"]["node_f1"], lower[k]["bar"]))
    ch = set(lower[key]["placed"])
    added, removed = sorted(ch - set(seventeenth)), sorted(set(seventeenth) - ch)
    right = lambda xs: sum(1 for i, nd in xs if nd in labels[i])  # noqa: E731
    v = verdict(rows, tax, seventeenth, base["fig"], base["folds"], lower, key)
    return {"rows": len(rows), "seventeenth": {**base["fig"], "folds": base["folds"]}, "chosen": key,
            **v, "grid": {k: {x: y for x, y in g_.items() if x != "placed"} for k, g_ in grid.items()},
            # after the verdict, not part of it
            "after_moved": {"added": len(added), "added_right": right(added), "removed": len(removed),
                            "removed_right": right(removed)},
            "after_fourteenth": cv.figures(t, fourteenth, tax)}


# the seventeenth's stage and node micro-F1 out of fold as this environment computes it, its trees fitted with one
# OpenMP thread (0.8139 / 0.7512 before, trees fitted with two threads in the earlier packages; docs/methods.md,
# "Twenty-fourth candidate", the amendment)
SEVENTEENTH_HERE = (0.8100, 0.7476)


def co_features(pairs: list, feats: list[dict]) -> list[dict]:
    """The twenty-third candidate's features (docs/methods.md): each pair's features and, for every other candidate
    node q of its row whose pair is main-strong (``main_strong``: a strong word or an industry name of q in a main
    field, outside market clauses, in the head of the products and the scope), ``co=q`` and ``nco=node|q``, and
    ``co_main`` = log(1 + their number). Read from the row's evidence only."""
    import math

    main: dict[int, set] = defaultdict(set)
    for (i, nd), f in zip(pairs, feats):
        if f.get("main_strong"):
            main[i].add(nd)
    out = []
    for (i, nd), f in zip(pairs, feats):
        g = dict(f)
        others = sorted(main[i] - {nd})
        for q in others:
            g[f"co={q}"] = 1.0
            g[f"nco={nd}|{q}"] = 1.0
        g["co_main"] = math.log1p(len(others))
        out.append(g)
    return out


def co_nodes(a, t: dict, tax, pairs: list, p_h: np.ndarray, p_lr: np.ndarray, oof: np.ndarray, per_fold,
             placed_by) -> dict:
    """The twenty-third candidate (docs/methods.md): the seventeenth (``p_h``, ``p_lr``: its two readers' kept
    out-of-fold probabilities, their mean at ``pairs.BAR``) against the same with both readers refitted per fold on the
    same training pairs with ``co_features`` added (the regression as ``eighth_out_of_fold`` fits it, the trees as
    ``tree_probabilities``); the written conditions, then (after the verdict) what moved."""
    rows, labels, nodes = t["rows"], t["labels"], t["nodes"]
    y = np.array([1 if nd in labels[i] else 0 for i, nd in pairs])
    seventeenth, base = seventeenth_here(t, tax, p_h, p_lr, placed_by)
    feats = co_features(pairs, pr.build_pairs(t["records"], t["confs"], tax)[1])
    named = lambda path: path.replace(".npz", "_co.npz") if path else ""  # noqa: E731
    kept_lr, kept_h = named(a.lr_probs), named(a.tree_probs)
    fe = pr.with_check(feats, pairs, oof, nodes)
    q_lr = regression_out_of_fold(t, pairs, y, lambda f, tr, te: fe, kept_lr, "co-nodes")
    if kept_h and os.path.exists(kept_h):
        z = np.load(kept_h)
        assert z["y"].shape == y.shape and (z["y"] == y).all(), "the kept tree probabilities are of other pairs"
        q_h = z["p"]
    else:
        q_h = tree_probabilities(t, pairs, feats, y, oof)
        if kept_h:
            np.savez_compressed(kept_h, p=q_h, y=y)
    mine = placed_by((q_h + q_lr) / 2, pr.BAR)
    n_co = sum(1 for f in feats if f["co_main"] > 0)
    return {"rows": len(rows), "pairs": len(pairs), "pairs_with_a_main_strong_other_node": n_co,
            **against_seventeenth(a, t, tax, seventeenth, base, mine, per_fold, "co_nodes")}


def seventeenth_here(t: dict, tax, p_h: np.ndarray, p_lr: np.ndarray, placed_by) -> tuple[list, dict]:
    """The seventeenth's placements from its two readers' kept out-of-fold probabilities (their mean at
    ``pairs.BAR``) and its figures, checked against this environment's (``SEVENTEENTH_HERE``): the baseline of a
    candidate that refits a reader."""
    seventeenth = placed_by((p_h + p_lr) / 2, pr.BAR)
    base = cv.figures(t, seventeenth, tax, by_source=True)
    assert (round(base["stage_f1"], 4), round(base["node_f1"], 4)) == SEVENTEENTH_HERE, (base["stage_f1"], base["node_f1"])
    return seventeenth, base


def regression_out_of_fold(t: dict, pairs: list, y: np.ndarray, feats_of, kept: str, what: str) -> np.ndarray:
    """The regression (``pairs.fit``, the seventeenth's C) refitted per fold on every training pair of the fold (every
    round's rows, as ``eighth_out_of_fold`` with --every-round), the pairs' features ``feats_of(f, tr, te)`` (a list
    over all pairs; only ``tr`` and ``te`` are read); its out-of-fold probabilities, kept in ``kept`` (written once,
    then read)."""
    if kept and os.path.exists(kept):
        z = np.load(kept)
        assert z["y"].shape == y.shape and (z["y"] == y).all(), "the kept regression probabilities are of other pairs"
        return z["p"]
    folds = np.array([training.fold_of(r) for r in t["rows"]])
    pi = np.array([i for i, _ in pairs])
    q = np.zeros(len(pairs))
    for f in range(FOLDS):
        tr, te = np.where(folds[pi] != f)[0], np.where(folds[pi] == f)[0]
        fe = feats_of(f, tr, te)
        vec, lr = pr.fit([fe[k] for k in tr], y[tr])
        q[te] = lr.predict_proba(pr.int32(vec.transform([fe[k] for k in te])))[:, 1]
        print(f"{what} regression fold {f}: {len(tr)} pairs, {len(vec.feature_names_)} columns", file=sys.stderr,
              flush=True)
    if kept:
        np.savez_compressed(kept, p=q, y=y)
    return q


def against_seventeenth(a, t: dict, tax, seventeenth: list, base: dict, mine: list, per_fold, key: str) -> dict:
    """A candidate's placements ``mine`` against the seventeenth's: the written conditions 1–4 (``verdict_1_to_4``),
    then (after the verdict, not part of it) what moved, by source, and the moved pairs listed (``--show``)."""
    rows, labels = t["rows"], t["labels"]
    grid = {key: {"placed": mine, "fig": cv.figures(t, mine, tax, by_source=True), "folds": per_fold(mine)}}
    v = verdict_1_to_4(rows, tax, seventeenth, base, per_fold(seventeenth), grid, key)
    a_set, b_set = set(seventeenth), set(mine)
    added, removed = sorted(b_set - a_set), sorted(a_set - b_set)
    right = lambda xs: sum(1 for i, nd in xs if nd in labels[i])  # noqa: E731
    src = lambda i: rows[i]["source"].split("/")[-1].split("_")[0]  # noqa: E731
    return {"seventeenth": {**base, "folds": per_fold(seventeenth)}, **v,
            # after the verdict, not part of it
            "after_moved": {"added": len(added), "added_right": right(added), "removed": len(removed),
                            "removed_right": right(removed),
                            "by_source": {s_: {"added": sum(1 for i, _ in added if src(i) == s_),
                                               "added_right": right([x for x in added if src(x[0]) == s_]),
                                               "removed": sum(1 for i, _ in removed if src(i) == s_),
                                               "removed_right": right([x for x in removed if src(x[0]) == s_])}
                                          for s_ in sorted({src(i) for i, _ in added + removed})},
                            "list": [f"{'+' if x in b_set else '-'} {rows[x[0]]['name']} {x[1]} "
                                     f"({'|'.join(sorted(labels[x[0]])) or '-'})" for x in sorted(added + removed)][
                                : max(a.show, 0) or 80]}}


KNN_K = 10  # the twenty-fourth candidate's neighbours of a pair (docs/methods.md)
KNN_FEATURES = ("knn_pos", "knn_top_pos", "knn_top_neg", "knn_margin")


def knn_summary(sim: np.ndarray, lab: np.ndarray, k: int = KNN_K) -> dict[str, float]:
    """The twenty-fourth candidate's four features of one pair from its similarities ``sim`` to the eligible
    labelled passages (``lab``: 1 positive, 0 negative): over the ``k`` most similar (ties by their order), the
    similarity-weighted share of positives, the best similarity of a positive and of a negative, and their
    difference; 0 where there is nothing to read."""
    top = np.argsort(-sim, kind="stable")[:k]
    s, y_ = sim[top], lab[top]
    pos = float((s * y_).sum() / s.sum()) if len(s) and s.sum() > 0 else 0.0
    top_pos = float(s[y_ == 1].max()) if (y_ == 1).any() else 0.0
    top_neg = float(s[y_ == 0].max()) if (y_ == 0).any() else 0.0
    return dict(zip(KNN_FEATURES, (pos, top_pos, top_neg, top_pos - top_neg)))


def knn_features(passages: list[str], pair_nodes: np.ndarray, pair_rows: np.ndarray, y: np.ndarray, tr: np.ndarray,
                 te: np.ndarray) -> dict[int, dict[str, float]]:
    """The twenty-fourth candidate's features of every pair of ``tr`` and ``te`` (indices of the pairs): a TF-IDF of
    the passages' character 1–3-grams fitted on the training pairs' passages only, cosine similarity; a pair's
    neighbours are the training pairs of its node from other rows (a scored pair: all of them; a training pair: those of
    the other training rows) — ``knn_summary`` of them."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
    X_tr = vec.fit_transform([passages[k] for k in tr])
    X_te = vec.transform([passages[k] for k in te])
    out: dict[int, dict[str, float]] = {}
    for nd in sorted(set(pair_nodes[tr]) | set(pair_nodes[te])):
        a_ = np.where(pair_nodes[tr] == nd)[0]
        b_ = np.where(pair_nodes[te] == nd)[0]
        lab = y[tr[a_]]
        if len(a_):
            S = (X_tr[a_] @ X_tr[a_].T).toarray()
            own = pair_rows[tr[a_]]
            for j, k in enumerate(tr[a_]):
                other = own != own[j]  # never its own row
                out[int(k)] = knn_summary(S[j][other], lab[other])
            T = (X_te[b_] @ X_tr[a_].T).toarray()
            for j, k in enumerate(te[b_]):
                out[int(k)] = knn_summary(T[j], lab)
        else:
            for k in te[b_]:
                out[int(k)] = knn_summary(np.zeros(0), np.zeros(0))
    return out


def knn_clauses(a, t: dict, tax, pairs: list, p_h: np.ndarray, p_lr: np.ndarray, oof: np.ndarray, per_fold,
                placed_by) -> dict:
    """The twenty-fourth candidate (docs/methods.md): the seventeenth (``p_h``, ``p_lr``: its two readers' kept
    out-of-fold probabilities, their mean at ``pairs.BAR``) against the same with its regression refitted per fold on
    the same training pairs with ``knn_features`` added, the trees' probabilities kept; the written conditions, then
    (after the verdict) what moved."""
    import chain_passages

    rows, labels, nodes = t["rows"], t["labels"], t["nodes"]
    y = np.array([1 if nd in labels[i] else 0 for i, nd in pairs])
    seventeenth, base = seventeenth_here(t, tax, p_h, p_lr, placed_by)
    _, feats, occs = pr.build_pairs(t["records"], t["confs"], tax)
    texts: dict[int, dict[str, str]] = {}
    passages = []
    for (i, _), occ in zip(pairs, occs):  # the ninth candidate's passage of each pair
        if i not in texts:
            texts[i] = pr.evidence_texts(t["records"][i], tax)
        passages.append(chain_passages.pair_text(texts[i], occ))
    pair_nodes = np.array([nd for _, nd in pairs])
    pair_rows = np.array([i for i, _ in pairs])
    fe = pr.with_check(feats, pairs, oof, nodes)
    # a check of the script: without the features, fold 0's regression gives the kept probabilities
    folds = np.array([training.fold_of(r) for r in rows])
    tr0, te0 = np.where(folds[pair_rows] != 0)[0], np.where(folds[pair_rows] == 0)[0]
    vec, lr = pr.fit([fe[k] for k in tr0], y[tr0])
    assert np.array_equal(lr.predict_proba(pr.int32(vec.transform([fe[k] for k in te0])))[:, 1], p_lr[te0])
    knn_of: dict[int, dict[int, dict[str, float]]] = {}

    def with_knn(f: int, tr: np.ndarray, te: np.ndarray) -> list:
        kf = knn_features(passages, pair_nodes, pair_rows, y, tr, te)
        knn_of[f] = {k: kf[k] for k in te}
        return [{**fe[k], **kf[k]} if k in kf else fe[k] for k in range(len(pairs))]

    kept = a.lr_probs.replace(".npz", "_knn.npz") if a.lr_probs else ""
    q_lr = regression_out_of_fold(t, pairs, y, with_knn, kept, "knn-clauses")
    mine = placed_by((p_h + q_lr) / 2, pr.BAR)
    scored = {k: v for f_ in knn_of.values() for k, v in f_.items()}
    described = {}
    if scored:  # the scored pairs' features by label (no figure of the rule)
        for name in KNN_FEATURES:
            v = np.array([scored[k][name] for k in range(len(pairs))])
            described[name] = {"positive_mean": round(float(v[y == 1].mean()), 4),
                               "negative_mean": round(float(v[y == 0].mean()), 4)}
    return {"rows": len(rows), "pairs": len(pairs), "k": KNN_K, "passages_distinct": len(set(passages)),
            "passage_mean_chars": round(float(np.mean([len(x) for x in passages])), 1),
            "scored_features_by_label": described,
            **against_seventeenth(a, t, tax, seventeenth, base, mine, per_fold, "knn_clauses")}


KNN_ROWS_SHARE = 0.5  # the twenty-fifth candidate's share of the neighbours a node needs (docs/methods.md)


def row_shares(texts: list[str], labels: list[set], tr: np.ndarray, te: np.ndarray,
               k: int = KNN_K) -> dict[int, dict[str, float]]:
    """The twenty-fifth candidate's reading of the rows ``te`` (indices): a TF-IDF of the rows' texts' character
    1–3-grams fitted on the rows ``tr`` only, cosine similarity; over a row's ``k`` most similar rows of ``tr`` (ties
    by their order), each node's similarity-weighted share of them labelled with it."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
    X_tr = vec.fit_transform([texts[i] for i in tr])
    S = (vec.transform([texts[i] for i in te]) @ X_tr.T).toarray()
    out: dict[int, dict[str, float]] = {}
    for j, i in enumerate(te):
        top = np.argsort(-S[j], kind="stable")[:k]
        s, total = S[j, top], float(S[j, top].sum())
        share: dict[str, float] = defaultdict(float)
        if total > 0:
            for w, r in zip(s, tr[top]):
                for nd in labels[r]:
                    share[nd] += float(w) / total
        out[int(i)] = dict(share)
    return out


def knn_rows(a, t: dict, tax, pairs: list, p_h: np.ndarray, p_lr: np.ndarray, per_fold, placed_by) -> dict:
    """The twenty-fifth candidate (docs/methods.md): the seventeenth (its two readers' kept out-of-fold
    probabilities, their mean at ``pairs.BAR``) with pairs added that no word proposes — (r, n) with no candidate pair,
    n carried by at least ``KNN_ROWS_SHARE`` of r's nearest training rows (``row_shares``, per fold), r not
    registration-like and placed on some node by the seventeenth; the written conditions, then (after the verdict)
    what moved and which of the missed pairs without a candidate it reaches."""
    import chain_passages

    rows, labels = t["rows"], t["labels"]
    n = len(rows)
    seventeenth, base = seventeenth_here(t, tax, p_h, p_lr, placed_by)
    reg_like = np.array([m.scope_only(e) for e in t["records"]])
    texts = [chain_passages.row_text(pr.evidence_texts(e, tax)) for e in t["records"]]
    folds = np.array([training.fold_of(r) for r in rows])
    shares: dict[int, dict[str, float]] = {}
    for f in range(FOLDS):
        shares.update(row_shares(texts, labels, np.where(folds != f)[0], np.where(folds == f)[0]))
        print(f"knn-rows fold {f}", file=sys.stderr, flush=True)
    cand = set(pairs)
    placed_rows = {i for i, _ in seventeenth if not reg_like[i]}
    reached = {(i, nd) for i in range(n) for nd, s in shares[i].items() if s >= KNN_ROWS_SHARE}
    added = sorted(x for x in reached if x not in cand and not reg_like[x[0]] and x[0] in placed_rows)
    mine = seventeenth + added
    out = {"rows": n, "pairs": len(pairs), "k": KNN_K, "share": KNN_ROWS_SHARE,
           "row_text_mean_chars": round(float(np.mean([len(x) for x in texts])), 1),
           **against_seventeenth(a, t, tax, seventeenth, base, mine, per_fold, "knn_rows")}
    # after the verdict, not part of it: the proposals by the condition that stopped them, and the missed pairs
    # without a candidate (the twenty-second's count) that the added pairs reach
    src = lambda i: rows[i]["source"].split("/")[-1].split("_")[0]  # noqa: E731
    placed = set(seventeenth)
    missed = [(i, nd) for i in range(n) for nd in sorted(labels[i]) if (i, nd) not in placed and (i, nd) not in cand]
    hit = [x for x in missed if x in set(added)]
    out["after_proposals"] = {"share_at_least": len(reached), "a_candidate_already": sum(1 for x in reached if x in cand),
                              "registration_like": sum(1 for x in reached if x not in cand and reg_like[x[0]]),
                              "row_placed_nowhere": sum(1 for x in reached if x not in cand and not reg_like[x[0]]
                                                        and x[0] not in placed_rows),
                              "added": len(added)}
    out["after_no_candidate_missed"] = {"pairs": len(missed), "by_source": dict(Counter(src(i) for i, _ in missed)),
                                        "reached": len(hit), "reached_by_source": dict(Counter(src(i) for i, _ in hit)),
                                        "on_rows_the_seventeenth_places": sum(1 for i, _ in missed if i in placed_rows),
                                        "their_node_share": dict(Counter(
                                            "0.5 or more" if s_ >= KNN_ROWS_SHARE else "0.3 to 0.5" if s_ >= 0.3
                                            else "above 0, under 0.3" if s_ > 0 else "0"
                                            for s_ in (shares[i].get(nd, 0.0) for i, nd in missed))),
                                        "reached_list": [f"{rows[i]['name']} {nd} ({'|'.join(sorted(labels[i]))})"
                                                         for i, nd in hit]}
    return out


def record_kind(e: dict) -> str:
    """The twenty-second candidate's kind of record, read from its kinds of evidence as ``classify`` can:
    ``registration`` (registration-like, the check's), ``tagged`` (tags: the large-model list's form), ``described``
    (a description, no tags: IT桔子's form), ``listed`` (neither: products or an industry only, the listings' form)."""
    if m.scope_only(e):
        return "registration"
    return "tagged" if e.get("tags") else ("described" if e.get("description") else "listed")


def cut_by_kind(a, t: dict, tax, pairs: list, prob: np.ndarray, reg_like: np.ndarray, stays, checked: list,
                per_fold, seventeenth: list) -> dict:
    """The twenty-second candidate (docs/methods.md): the seventeenth (``prob``: the mean of the two readers, at
    ``pairs.BAR``) with its row cut chosen per kind of record inside the training folds — for fold f and kind k the
    ratio of ``--cut-by-kind`` with the highest node micro-F1 over the other folds' kind-k rows (ties: the shipped
    ratio, then the one nearer it, then the lower) — against the seventeenth (one cut, ``--row-cut``); the written
    conditions, then (after the verdict) what moved."""
    import confirm_chain_pairs as cp
    from zhaoshang.services.chain.evaluate import score_gold

    rows, labels = t["rows"], t["labels"]
    n = len(rows)
    folds = np.array([training.fold_of(r) for r in rows])
    kind = [record_kind(e) for e in t["records"]]
    shipped = float(a.row_cut)
    ratios = [float(x) for x in a.cut_by_kind.split(",")]
    at_bar = {pairs[k]: float(prob[k]) for k in np.where(prob >= pr.BAR)[0]
              if not reg_like[pairs[k][0]] and stays(*pairs[k])}
    cut = {rho: set(pr.held_to_best(at_bar, rho)) for rho in sorted(set(ratios) | {shipped})}  # the service's rule
    assert set(seventeenth) == cut[shipped] | set(checked)  # a check of the script: the cut at --row-cut is the seventeenth

    def f1_on(idx: list[int], placed) -> float:
        pos = {i: j for j, i in enumerate(idx)}
        o = score_gold([rows[i] for i in idx], [(pos[i], nd) for i, nd in placed if i in pos], tax)
        return o["nodes"]["micro"]["f1"]

    def choose(idx: list[int]) -> tuple[float, dict]:
        f1 = {rho: round(f1_on(idx, cut[rho]), 6) for rho in ratios}
        return max(ratios, key=lambda r: (f1[r], r == shipped, -abs(r - shipped), -r)), f1

    kinds = sorted({k for k in kind if k != "registration"})
    chosen: dict[int, dict[str, float]] = {}
    inner: dict[str, dict] = {}
    for f in range(FOLDS):
        chosen[f] = {}
        for k in kinds:
            rho, f1 = choose([i for i in range(n) if folds[i] != f and kind[i] == k])
            chosen[f][k] = rho
            inner[f"{f}:{k}"] = f1
    mine = sorted(x for x in at_bar if x in cut[chosen[folds[x[0]]][kind[x[0]]]]) + checked
    base = cv.figures(t, seventeenth, tax, by_source=True)
    grid = {"by_kind": {"placed": mine, "fig": cv.figures(t, mine, tax, by_source=True), "folds": per_fold(mine)}}
    v = verdict_1_to_4(rows, tax, seventeenth, base, per_fold(seventeenth), grid, "by_kind")
    a_set, b_set = set(seventeenth), set(mine)
    added, removed = sorted(b_set - a_set), sorted(a_set - b_set)
    right = lambda xs: sum(1 for i, nd in xs if nd in labels[i])  # noqa: E731
    kind_rows = {k: [i for i in range(n) if kind[i] == k] for k in kinds}
    return {"rows": n, "rows_by_kind": {k: len(v_) for k, v_ in kind_rows.items()},
            "seventeenth": {**base, "folds": per_fold(seventeenth)}, "chosen_per_fold": chosen, **v,
            "inner_node_f1": inner,
            # after the verdict, not part of it
            "after_moved": {"added": len(added), "added_right": right(added), "removed": len(removed),
                            "removed_right": right(removed),
                            "by_kind": {k: {"added": sum(1 for i, _ in added if kind[i] == k),
                                            "added_right": right([x for x in added if kind[x[0]] == k]),
                                            "removed": sum(1 for i, _ in removed if kind[i] == k),
                                            "removed_right": right([x for x in removed if kind[x[0]] == k])}
                                        for k in kinds}},
            "after_node_f1_by_kind": {k: {"seventeenth": round(f1_on(kind_rows[k], a_set), 4),
                                          "candidate": round(f1_on(kind_rows[k], b_set), 4)} for k in kinds},
            "after_every_row_choice": {k: choose(kind_rows[k])[0] for k in kinds}}


def registrations(a, t: dict, tax, seventeenth: list, checked: list, pairs: list, p: np.ndarray, reg_like: np.ndarray,
                  oof: np.ndarray, per_fold) -> dict:
    """The eighteenth candidate (docs/methods.md): the seventeenth with its registration-like rows' placements (the
    check's, ``checked``) replaced by the pair reader's (``p``: the mean of the two readers) at each bar of
    ``--registrations``, in rows whose check reaches the registration gate (``gated``) or that the check places
    (``checked``), held to the row's best, the user-institution rule kept; the written rule's choice and verdict, then
    (after it) what moved."""
    from scipy.stats import binomtest

    import confirm_chain_pairs as cp
    from zhaoshang.services.chain.evaluate import score_gold

    rows, labels = t["rows"], t["labels"]
    assert set(x for x in seventeenth if reg_like[x[0]]) == set(checked)
    others = [x for x in seventeenth if not reg_like[x[0]]]
    gate_scope = m.DEFAULTS["gate_scope"]
    check_rows = {i for i, _ in checked}
    users = {i for i in range(len(rows)) if reg_like[i] and pr._is_user(t["records"][i].get("name"), tax)}

    def row_ok(i: int, arm: str) -> bool:
        if arm == "checked":
            return i in check_rows
        return not np.isnan(oof[i, 0]) and oof[i, 0] >= gate_scope

    def figs(placed: list) -> dict:
        f = cv.figures(t, placed, tax, by_source=True)
        reg = score_gold(rows, placed, tax)["by_source"][g.REGISTRATION]["ai"]
        low = binomtest(reg["tp"], reg["predicted"]).proportion_ci(method="wilson").low if reg["predicted"] else 0.0
        return {**f, "reg_right": reg["tp"], "reg_placed": reg["predicted"], "reg_gold": reg["gold"],
                "reg_ai_p_low": round(low, 4), "reg_node_f1": f["by_source"][g.REGISTRATION.split("/")[-1]]["node_f1"]}

    base = figs(seventeenth)
    base_folds = per_fold(seventeenth)
    grid = {}
    for arm in ("gated", "checked"):
        for bar in [float(x) for x in a.registrations.split(",")]:
            # the user-institution rule as ``read_placements`` applies it: a gated node only with the rules' relevance
            # (the check's gate is that relevance for registration-like rows, asked already by ``row_ok``)
            at_bar = {pairs[k]: float(p[k]) for k in np.where(p >= bar)[0]
                      if reg_like[pairs[k][0]] and row_ok(pairs[k][0], arm)
                      and (pairs[k][0] not in users or not tax.is_gated(pairs[k][1]))}
            pl = others + sorted(pr.held_to_best(at_bar))
            grid[f"{arm}:{bar}"] = {"arm": arm, "bar": bar, "placed": pl, "fig": figs(pl), "folds": per_fold(pl)}
    ok = {k: v for k, v in grid.items() if v["fig"]["node_f1"] >= base["node_f1"] - 0.002
          and v["fig"]["stage_f1"] >= base["stage_f1"] - 0.002 and (v["fig"]["reg_ai_r"] or 0) >= 0.25}
    arm_order = {"checked": 1, "gated": 0}
    key = max(ok, key=lambda k: (ok[k]["fig"]["reg_ai_p_low"], ok[k]["fig"]["node_f1"], arm_order[ok[k]["arm"]],
                                 ok[k]["bar"])) if ok else None
    out = {"rows": len(rows), "seventeenth": {**base, "folds": base_folds}, "eligible": sorted(ok), "chosen": key,
           "grid": {k: {**v["fig"], "folds": v["folds"]} for k, v in grid.items()}}
    if key is None:
        out["rule"] = {"passes_1_and_2": False, "why": "no setting within the written bounds"}
        return out
    ch = grid[key]["fig"]
    rule = {"1_wilson_low_above_and_precision_not_below": ch["reg_ai_p_low"] > base["reg_ai_p_low"]
            and (ch["reg_ai_p"] or 0) >= (base["reg_ai_p"] or 0),
            "2_registration_node_f1_not_below": ch["reg_node_f1"] >= base["reg_node_f1"]}
    chosen = set(grid[key]["placed"])
    added, removed = sorted(chosen - set(seventeenth)), sorted(set(seventeenth) - chosen)
    show = lambda xs: [f"{rows[i]['name']} {nd} P(AI) {oof[i, 0]:.3f} ({'|'.join(sorted(labels[i])) or '-'})"  # noqa: E731
                       for i, nd in xs][: max(a.show, 0) or len(xs)]
    out.update({"rule": {**rule, "passes_1_and_2": all(rule.values()),
                         "3": "the classification tests and the demo's, with the rule in classify"},
                "node_diff": round(ch["node_f1"] - base["node_f1"], 4), "stage_diff": round(ch["stage_f1"] - base["stage_f1"], 4),
                # after the verdict, not part of it
                "after_added": show(added), "after_removed": show(removed),
                "after_bootstrap_over_rows": cp.bootstrap(rows, set(seventeenth), chosen, tax)})
    return out


ROUNDS_1_6 = frozenset({"L1", "L3", "L5", "L7", "L9", "L11", "L12"})  # the seventeenth version's training rows


def seventeenth_out_of_fold(a, t: dict, tax, pairs: list, base: list, y: np.ndarray, train_on: frozenset,
                            suffix: str) -> tuple[list, np.ndarray]:
    """The seventeenth as ``classify`` makes it, out of fold over ``t``'s rows, each fold's check, regression and trees
    trained on the fold's other rows of the labellers ``train_on``: the check's placements for registration-like rows;
    for the others the mean of the two readers at the bar, the twelfth's overrule, the row cut at 0.5. Returns the
    placements and the check's out-of-fold table."""
    def named(path: str) -> str:
        return path.replace(".", f"{suffix}.", 1) if path and suffix else path

    _, oof, info, p_lr = eighth_out_of_fold(t, pairs, base, y, train_on, named(a.cache_every), suffix or "a")
    reg_like = np.array([m.scope_only(e) for e in t["records"]])
    tree_file = named(a.tree_probs)
    if tree_file and os.path.exists(tree_file):
        z = np.load(tree_file)
        assert z["y"].shape == y.shape and (z["y"] == y).all(), "the kept tree probabilities are of other pairs"
        p_h = z["p"]
    else:
        p_h = tree_probabilities(t, pairs, pr.build_pairs(t["records"], t["confs"], tax)[1], y, oof, train_on)
        if tree_file:
            np.savez_compressed(tree_file, p=p_h, y=y)
    at = {k: m.DEFAULTS.get(k, 2.0) for k in cv.GRID}
    probs = {"*": oof[:, 0], **{nd: oof[:, 1 + j] for j, nd in enumerate(t["nodes"])}}
    checked = [x for x in cv.decide(t, probs, at) if reg_like[x[0]]]
    gate = m.DEFAULTS["gate"]
    prob = (p_h + p_lr) / 2
    at_bar = {pairs[k]: float(prob[k]) for k in np.where(prob >= pr.BAR)[0] if not reg_like[pairs[k][0]]
              and (pairs[k][1] in t["confs"][pairs[k][0]] or np.isnan(oof[pairs[k][0], 0]) or oof[pairs[k][0], 0] >= gate)}
    print(f"arm {suffix or 'a'}: {info}", file=sys.stderr, flush=True)
    return sorted(pr.held_to_best(at_bar, 0.5)) + checked, oof


def with_round(a) -> dict:
    """The twentieth candidate (docs/methods.md): the seventeenth trained on rounds 1–6's development rows (a) against
    the same trained on round 7's too (b), both out of fold over every development row (the same five hash folds);
    the written rule's verdict, then (after it) the figures by round and what moved."""
    from scipy.stats import binomtest

    import confirm_chain_pairs as cp
    from zhaoshang.services.chain.evaluate import score_gold

    tax = load_taxonomy()
    t = training.gold_training_set(a.data, tax, labellers=_labellers(a))
    rows, labels = t["rows"], t["labels"]
    pairs, base, _ = build_pairs(t, tax)
    y = np.array([1 if nd in labels[i] else 0 for i, nd in pairs])
    added = frozenset(x.strip() for x in a.with_round.split(",") if x.strip())
    print(f"rows {len(rows)}, pairs {len(pairs)}, labelled {int(y.sum())}", file=sys.stderr, flush=True)
    placed = {"a": seventeenth_out_of_fold(a, t, tax, pairs, base, y, ROUNDS_1_6, "")[0],
              "b": seventeenth_out_of_fold(a, t, tax, pairs, base, y, ROUNDS_1_6 | added, "-b")[0]}

    def figs(pl: list, keep=lambda r: True) -> dict:
        idx = [i for i in range(len(rows)) if keep(rows[i])]
        pos = {i: j for j, i in enumerate(idx)}
        sub = [rows[i] for i in idx]
        o = score_gold(sub, [(pos[i], nd) for i, nd in pl if i in pos], tax)
        reg = o["by_source"].get(g.REGISTRATION, {}).get("ai") or {"tp": 0, "predicted": 0, "gold": 0}
        low = binomtest(reg["tp"], reg["predicted"]).proportion_ci(method="wilson").low if reg["predicted"] else 0.0
        regn = o["by_source"].get(g.REGISTRATION, {}).get("nodes", {})
        return {"rows": len(sub), "stage_f1": round(o["stages"]["micro"]["f1"], 4),
                "node_p": round(o["nodes"]["micro"]["precision"], 4), "node_r": round(o["nodes"]["micro"]["recall"], 4),
                "node_f1": round(o["nodes"]["micro"]["f1"], 4), "reg_ai_p": o["registration_ai_precision"],
                "reg_right": reg["tp"], "reg_placed": reg["predicted"], "reg_gold": reg["gold"],
                "reg_ai_p_low": round(low, 4), "reg_node_f1": round(regn.get("f1") or 0.0, 4)}

    fa, fb = figs(placed["a"]), figs(placed["b"])
    rule = {"1_node_and_stage_within_0.002": fb["node_f1"] >= fa["node_f1"] - 0.002 and fb["stage_f1"] >= fa["stage_f1"] - 0.002,
            "2_registration_node_f1_not_below": fb["reg_node_f1"] >= fa["reg_node_f1"],
            "3_registration_ai_precision_not_below": (fb["reg_ai_p"] or 0) >= (fa["reg_ai_p"] or 0)}
    A, B = set(placed["a"]), set(placed["b"])
    return {"rows": len(rows), "rows_by_labeller": dict(Counter(r["labeller"] for r in rows)), "pairs": len(pairs),
            "a_rounds_1_6": fa, "b_with_" + "_".join(sorted(added)): fb,
            "rule": {**rule, "passes_1_to_3": all(rule.values()),
                     "4": "the shipped file trained with the round; the classification tests and the demo's"},
            "node_diff": round(fb["node_f1"] - fa["node_f1"], 4), "stage_diff": round(fb["stage_f1"] - fa["stage_f1"], 4),
            # after the verdict, not part of it
            "after_rounds_1_6_rows": {"a": figs(placed["a"], lambda r: r["labeller"] in ROUNDS_1_6),
                                      "b": figs(placed["b"], lambda r: r["labeller"] in ROUNDS_1_6)},
            "after_added_rows": {"a": figs(placed["a"], lambda r: r["labeller"] in added),
                                 "b": figs(placed["b"], lambda r: r["labeller"] in added)},
            "after_moved": {"added": len(B - A), "added_right": sum(1 for i, nd in B - A if nd in labels[i]),
                            "removed": len(A - B), "removed_right": sum(1 for i, nd in A - B if nd in labels[i])},
            "after_bootstrap_over_rows": cp.bootstrap(rows, A, B, tax)}


ABLATIONS = {"no context grams (L:, R:, C:, L1/L2/R1/R2)": ("L:", "R:", "C:", "L1:", "L2:", "R1:", "R2:"),
             "no word identity (w=)": ("w=",), "no rules' features (rule_*)": ("rule_",)}


def ablations(t, pairs, base, oof, y, pi, folds, keep, chosen, tax, gate_ok) -> dict:
    """The chosen setting refitted without one group of features at a time (measured after the choice)."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    fe = pr.with_check(base, pairs, oof, t["nodes"])
    out = {}
    for name, prefixes in ABLATIONS.items():
        X = [{k: v for k, v in d.items() if not k.startswith(prefixes)} for d in fe]
        p = np.zeros(len(pairs))
        for f in range(FOLDS):
            tr = np.where((folds[pi] != f) & keep[pi])[0]
            te = np.where(folds[pi] == f)[0]
            vec = DictVectorizer()
            Xtr = pr.int32(vec.fit_transform([X[k] for k in tr]))
            lr = LogisticRegression(C=chosen["c"], solver="liblinear", random_state=m.SEED, max_iter=1000).fit(Xtr, y[tr])
            p[te] = lr.predict_proba(pr.int32(vec.transform([X[k] for k in te])))[:, 1]
        sel = [pairs[k] for k in np.where(p >= chosen["bar"])[0] if not chosen["gate"] or gate_ok[pairs[k][0]]]
        out[name] = cv.figures(t, sel, tax)
    return out


def strongest(occ: list) -> str:
    tiers = {o[1] for o in occ}
    return next((x for x in TIERS if x in tiers), "none")


def moved(t: dict, seventh: list, mine: list, pairs: list, occs: list, args_show: int = 0) -> dict:
    """What moved between the seventh version's placements and the pair reader's: false pairs removed and added,
    right pairs won and lost, by source and by the strongest word of the node in the evidence."""
    labels, rows = t["labels"], t["rows"]
    occ_of = dict(zip(pairs, occs))
    a, b = set(seventh), set(mine)
    out: dict[str, Counter] = defaultdict(Counter)
    listing = defaultdict(list)
    for name, s in (("false removed", a - b), ("false added", b - a), ("right won", b - a), ("right lost", a - b)):
        want_right = name.startswith("right")
        for i, nd in sorted(s):
            if (nd in labels[i]) != want_right:
                continue
            src = rows[i]["source"].split("/")[-1].split("_")[0]
            kind = strongest(occ_of.get((i, nd), []))
            out[name][f"{src} | {kind}"] += 1
            out[name]["all"] += 1
            listing[name].append(f"{rows[i]['name']} {nd} ({'|'.join(sorted(labels[i])) or '-'})")
    res = {k: dict(v.most_common()) for k, v in out.items()}
    if args_show:
        res["examples"] = {k: v[:args_show] for k, v in listing.items()}
    return res


if __name__ == "__main__":
    main()
