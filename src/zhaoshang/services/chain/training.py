"""Training input for the chain model from the gold set: each gold row classified by the rules as an imported
enterprise would be, its evidence and its labels. Kept apart from ``model`` (which the classifier calls at run
time) because it runs the classifier itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .model import train
from .taxonomy import Taxonomy


def rule_confidences(rows: list[dict[str, Any]], evidence: dict, tax: Taxonomy) -> list[dict[str, float]]:
    """The rules' level-2 confidences of gold rows, classified as imported enterprises (rules alone)."""
    from ...core.store import Store
    from .classify import classify
    from .evaluate import gold_store

    out: list[dict[str, float]] = [{} for _ in rows]
    with Store(":memory:") as store:
        gold_store(store, rows, evidence)
        classify(store, tax, use_model=False)
        for eid, node, conf in store.con.execute(
                "SELECT enterprise_id, node_code, confidence FROM placements WHERE chain = ?", [tax.chain]).fetchall():
            if node in tax.nodes and tax.nodes[node].level == 2:
                out[int(eid)][node] = float(conf)
    return out


def gold_training_set(shared: str | Path, tax: Taxonomy, gold_path: str | Path | None = None,
                      split: str = "dev", labellers: set[str] | None = None) -> dict[str, Any]:
    """One part of the gold set as training input: rows, evidence records, rule confidences, labels (with
    ``labellers``, only the rows those labellers labelled: a labelling round's rows)."""
    from . import gold as g

    rows = [r for r in g.read_gold(gold_path) if r["split"] == split and (not labellers or r["labeller"] in labellers)]
    evidence = g.load_evidence(shared)
    records = [evidence.get((r["source"], r["key"]), {"name": r["name"]}) for r in rows]
    nodes = [n.code for n in tax.level(2)]
    confs = rule_confidences(rows, evidence, tax)
    rule = np.array([[d.get(n, 0.0) for n in nodes] for d in confs]).reshape(len(rows), len(nodes))
    labels = [{tax.ancestor_at(c, 2).code for c in r["labels"] if c in tax.nodes} for r in rows]
    return {"rows": rows, "records": records, "confs": confs, "rule": rule, "labels": labels, "nodes": nodes}


def train_from_gold(shared: str | Path, tax: Taxonomy, gold_path: str | Path | None = None,
                    split: str = "dev", labellers: set[str] | None = None) -> dict[str, Any]:
    """Train on one part of the gold set (the development part; test rows are never read for training)."""
    t = gold_training_set(shared, tax, gold_path, split, labellers)
    return train(t["records"], t["rule"], t["labels"], t["nodes"])


# ---------------------------------------------------------------------------- the pair reader (pairs.py)
FOLDS = 5
# the development rows the pair reader was chosen on (rounds 1–4) and trained on (rounds 1–3): docs/methods.md,
# "Eighth version candidate" and "Confirmation on round 5"
ROUNDS_1_4 = frozenset({"L1", "L3", "L5", "L7"})
ROUNDS_1_3 = frozenset({"L1", "L3", "L5"})


def fold_of(row: dict[str, Any], folds: int = FOLDS) -> int:
    """The row's cross-validation fold: a hash of its identity (``scripts/cv_chain_model.py``'s folds)."""
    import hashlib

    return int(hashlib.sha1(f"{row['source']}:{row['key']}".encode()).hexdigest()[:8], 16) % folds


def check_out_of_fold(t: dict[str, Any], cache: str | Path | None = None,
                      train_labellers: frozenset[str] = ROUNDS_1_3) -> dict[int, tuple[np.ndarray, dict]]:
    """The check's out-of-fold probabilities: ``{fold: (row positions, {name: probabilities})}``, each fold's rows
    scored by the check trained on the ``train_labellers`` rows of the other folds (five fits; each kept in
    ``cache``, a pickle, as it is done, and read back from it)."""
    import pickle

    from .model import Model

    folds = np.array([fold_of(r) for r in t["rows"]])
    keep = np.array([r.get("labeller") in train_labellers for r in t["rows"]])
    outer: dict = {}
    if cache and Path(cache).is_file():
        with open(cache, "rb") as fh:
            outer = pickle.load(fh)
    for f in range(FOLDS):
        if f in outer:
            continue
        idx = np.where(folds == f)[0]
        tr = np.where((folds != f) & keep)[0]
        arrays = train([t["records"][i] for i in tr], t["rule"][tr], [t["labels"][i] for i in tr], t["nodes"])
        p = Model(arrays).predict([t["records"][i] for i in idx], [t["confs"][i] for i in idx])
        outer[f] = (idx, {k: np.asarray(v) for k, v in p.items()})
        if cache:
            with open(cache, "wb") as fh:
                pickle.dump(outer, fh)
    return outer


def check_oof_table(t: dict[str, Any], outer: dict) -> np.ndarray:
    """(rows, 1 + nodes): every row's out-of-fold check probabilities (gate first) from ``check_out_of_fold``."""
    from .pairs import check_table

    n = len(t["rows"])
    folds = np.array([fold_of(r) for r in t["rows"]])
    oof = np.full((n, 1 + len(t["nodes"])), np.nan)
    for f in range(FOLDS):
        idx, p = outer[f]
        # a cached fold holds the rows it was computed for: the same rows in the same order, or it is not this set's
        if len(idx) != int((folds == f).sum()) or not (folds[idx] == f).all():
            raise ValueError(f"the check's out-of-fold probabilities of fold {f} are not those of these rows")
        tb = check_table(p, n, t["nodes"], idx)
        sel = folds == f
        oof[sel] = tb[sel]
    return oof


def train_pairs(shared: str | Path, tax: Taxonomy, cache: str | Path | None = None,
                gold_path: str | Path | None = None, labellers: set[str] | None = None) -> dict[str, Any]:
    """The pair reader as written (docs/methods.md, "Confirmation on round 5"): one fit on the candidate pairs of the
    development rows of rounds 1–3, each pair's check features the check's out-of-fold probabilities for its row
    (``check_out_of_fold`` over the development rows of rounds 1–4, the cross-validation's five folds). Returns the
    ``pair_*`` arrays and ``t``, the rounds 1–4 training input, with ``oof`` (the check table) in it.

    With ``labellers`` (the ninth version candidate, docs/methods.md; ``{"*"}``: every development row), the rows are
    those labellers' development rows: the check's out-of-fold probabilities are over them, each fold's check trained
    on them, and the pair reader is fitted on the candidate pairs of all of them."""
    from . import pairs as pr

    if labellers:
        t = gold_training_set(shared, tax, gold_path, labellers=None if "*" in labellers else set(labellers))
        train_on = frozenset(r["labeller"] for r in t["rows"])
    else:
        t = gold_training_set(shared, tax, gold_path, labellers=set(ROUNDS_1_4))
        train_on = ROUNDS_1_3
    t["oof"] = check_oof_table(t, check_out_of_fold(t, cache, train_on))
    pairs, base, _ = pr.build_pairs(t["records"], t["confs"], tax)
    fe = pr.with_check(base, pairs, t["oof"], t["nodes"])
    tr = [k for k, (i, _) in enumerate(pairs) if t["rows"][i].get("labeller") in train_on]
    y = np.array([1 if pairs[k][1] in t["labels"][pairs[k][0]] else 0 for k in tr])
    return {"arrays": pr.train([fe[k] for k in tr], y), "t": t, "train_pairs": len(tr), "train_positive": int(y.sum())}
