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
