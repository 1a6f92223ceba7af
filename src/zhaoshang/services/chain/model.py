"""A small trained model that checks the rules' placements (method ``rules-v1`` + ``model``).

Char 1–3-gram TF-IDF over name, products, description, industry, the head of the registry scope and tags;
one logistic regression for "on the chain at all" (the AI gate) and one per level-2 node. It is trained on
the gold set's development part only (``train``; ``scripts/train_chain_model.py`` writes the shipped file
``data/chains/<chain>_model.npz``); thresholds were chosen by cross-validation within that part
(docs/methods.md). At classification time it only reads enterprises the rules already placed: a rule
placement is kept when the gate passes and either its rule confidence is high or the node model agrees;
an enterprise the gate accepts keeps at least its surest rule node.
The model's probabilities are a part of each placement's explained result.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np

from .taxonomy import DATA_DIR, Taxonomy

SCOPE_CHARS = 300
SEED = 0
C = 10.0
# combination settings (cross-validated on the development part, docs/methods.md)
DEFAULTS = {"gate": 0.2, "node": 0.1, "keep_confidence": 0.8}


def model_path(chain: str) -> Path:
    return DATA_DIR / f"{chain}_model.npz"


def text_of(e: dict[str, Any]) -> str:
    """The one text the model reads (the same for training and classification)."""
    tags = e.get("tags")
    tags = " ".join(tags) if isinstance(tags, (list, tuple)) else (tags or "")
    parts = [e.get("name"), e.get("products"), e.get("description"), e.get("industry"),
             (e.get("scope") or "")[:SCOPE_CHARS], tags]
    return " ".join(str(p) for p in parts if p).lower()


def train(texts: list[str], labels: list[set[str]], nodes: list[str]) -> dict[str, Any]:
    """Fit the gate and the node models; deterministic (liblinear-free lbfgs, fixed vocabulary order)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True, max_features=20000,
                          dtype=np.float64)
    X = vec.fit_transform(texts)
    vocab = sorted(vec.vocabulary_, key=vec.vocabulary_.get)
    ai = np.array([1 if s else 0 for s in labels])
    names, coefs, inter = ["*"], [], []
    m = LogisticRegression(C=C, max_iter=2000, random_state=SEED).fit(X, ai)
    coefs.append(m.coef_[0])
    inter.append(m.intercept_[0])
    for n in nodes:
        y = np.array([1 if n in s else 0 for s in labels])
        if y.sum() < 2:
            continue
        m = LogisticRegression(C=C, max_iter=2000, class_weight="balanced", random_state=SEED).fit(X, y)
        names.append(n)
        coefs.append(m.coef_[0])
        inter.append(m.intercept_[0])
    return {"vocab": np.array(vocab), "idf": vec.idf_.astype(np.float32), "names": np.array(names),
            "coef": np.array(coefs, dtype=np.float32), "intercept": np.array(inter, dtype=np.float32)}


def save(model: dict[str, Any], path: str | Path) -> None:
    np.savez_compressed(path, **model)


class Model:
    """A loaded model: ``predict(texts)`` → probabilities per name ("*" = on the chain)."""

    def __init__(self, arrays: dict[str, Any], settings: dict[str, float] | None = None, digest: str = ""):
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.names = [str(x) for x in arrays["names"]]
        self.coef = np.asarray(arrays["coef"], dtype=np.float64)
        self.intercept = np.asarray(arrays["intercept"], dtype=np.float64)
        vocab = [str(x) for x in arrays["vocab"]]
        self.vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True,
                                   vocabulary={v: i for i, v in enumerate(vocab)})
        self.vec.idf_ = np.asarray(arrays["idf"], dtype=np.float64)
        self.settings = {**DEFAULTS, **(settings or {})}
        self.digest = digest

    def predict(self, texts: list[str]) -> dict[str, np.ndarray]:
        if not texts:
            return {n: np.zeros(0) for n in self.names}
        z = self.vec.transform(texts) @ self.coef.T + self.intercept
        p = 1.0 / (1.0 + np.exp(-np.asarray(z)))
        return {n: p[:, j] for j, n in enumerate(self.names)}

    def keep(self, probs: dict[str, np.ndarray], i: int, node: str, confidence: float) -> bool:
        """Whether a rule placement stands: positive evidence of AI business, and the node model agrees
        unless the rules are very sure."""
        s = self.settings
        if probs["*"][i] < s["gate"]:
            return False
        if confidence >= s["keep_confidence"] or node not in probs:
            return True
        return bool(probs[node][i] >= s["node"])


def load(tax: Taxonomy, path: str | Path | None = None) -> Model | None:
    """The chain's shipped model, or None (rules only) when there is none or it is switched off."""
    w = tax.weights.get("model") or {}
    if w.get("enabled") is False:
        return None
    p = Path(path) if path else model_path(tax.chain)
    if not p.is_file():
        return None
    digest = hashlib.sha256(p.read_bytes()).hexdigest()[:12]
    with np.load(p, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    return Model(arrays, {k: float(v) for k, v in w.items() if k in DEFAULTS}, digest)


CHECK_CHUNK = 100_000  # enterprises per pass: memory stays flat whatever the number of placements


def check_placements(con, tax: Taxonomy, model: Model | None = None) -> int:
    """Apply the model to the rule placements in the temp table ``zs_final`` (id, node, conf, evidence):
    drop those it refuses, add a ``model`` part to the others' explained results; returns rows dropped.

    Each enterprise is decided on its own rows alone, so the table is read in ranges of ``CHECK_CHUNK``
    enterprises and rewritten range by range (bounded memory at any scale)."""
    model = model or load(tax)
    if model is None:
        return 0
    n_ids = con.execute("SELECT count(DISTINCT id) FROM zs_final").fetchone()[0]
    if not n_ids:
        return 0
    con.execute("CREATE OR REPLACE TEMP TABLE zs_final_ids AS SELECT id, (row_number() OVER (ORDER BY id) - 1) "
                f"// {CHECK_CHUNK} AS part FROM (SELECT DISTINCT id FROM zs_final)")
    bounds = con.execute("SELECT min(id), max(id) FROM zs_final_ids GROUP BY part ORDER BY part").fetchall()
    con.execute("CREATE OR REPLACE TEMP TABLE zs_final_out AS SELECT id, node, conf, evidence FROM zs_final LIMIT 0")
    dropped = 0
    for lo, hi in bounds:
        dropped += _check_range(con, tax, model, lo, hi)
    con.execute("DELETE FROM zs_final")
    con.execute("INSERT INTO zs_final (id, node, conf, evidence) SELECT id, node, conf, evidence FROM zs_final_out")
    con.execute("DROP TABLE IF EXISTS zs_final_out")
    con.execute("DROP TABLE IF EXISTS zs_final_ids")
    return dropped


def _check_range(con, tax: Taxonomy, model: Model, lo: int, hi: int) -> int:
    """The model's check of the placements of enterprises ``lo``..``hi``, appended to ``zs_final_out``."""
    import json

    import pyarrow as pa

    from ...core import jsonenc

    rows = con.execute("SELECT id, node, conf, evidence FROM zs_final WHERE id BETWEEN ? AND ? ORDER BY id, node",
                       [lo, hi]).fetchall()
    recs = con.execute("""SELECT e.id, e.name, e.products, e.description, e.industry, e.scope, e.tags
        FROM enterprises e WHERE e.id BETWEEN ? AND ? AND e.id IN (SELECT DISTINCT id FROM zs_final) ORDER BY e.id""",
                       [lo, hi]).fetchall()
    pos = {r[0]: k for k, r in enumerate(recs)}
    keys = ("name", "products", "description", "industry", "scope", "tags")
    probs = model.predict([text_of(dict(zip(keys, r[1:]))) for r in recs])
    del recs
    best: dict[tuple, float] = {}  # (id, level-2 node) → rule confidence of the level-2 placement
    for eid, node, conf, _ in rows:
        if tax.nodes[node].level == 2:
            best[(eid, node)] = conf
    kept = {key for key, conf in best.items() if key[0] in pos and model.keep(probs, pos[key[0]], key[1], conf)}
    # the node models prune an accepted enterprise's nodes but never remove it: its surest node stays
    top: dict[int, tuple[float, str]] = {}
    for (eid, node), conf in best.items():
        if eid in pos and probs["*"][pos[eid]] >= model.settings["gate"] and (eid not in top or conf > top[eid][0]):
            top[eid] = (conf, node)
    have = {eid for eid, _ in kept}
    kept |= {(eid, node) for eid, (_, node) in top.items() if eid not in have}
    out, dropped = [], 0
    s = model.settings
    for eid, node, conf, ev in rows:
        n2 = tax.ancestor_at(node, 2).code if tax.nodes[node].level >= 2 else node
        k = pos.get(eid)
        if k is None:
            out.append((eid, node, conf, ev))
            continue
        if (eid, n2) not in kept:
            dropped += 1
            continue
        doc = json.loads(ev)
        p_node = float(probs[n2][k]) if n2 in probs else None
        doc["parts"] = list(doc.get("parts") or []) + [{
            "signal": "model", "label": n2, "raw": round(float(probs["*"][k]), 4),
            "normalised": None if p_node is None else round(p_node, 4), "weight": None, "contribution": 0.0,
            "detail": {"p_chain": round(float(probs["*"][k]), 4), "p_node": None if p_node is None else round(p_node, 4),
                       "gate": s["gate"], "node_threshold": s["node"], "keep_confidence": s["keep_confidence"],
                       "model": model.digest}}]
        out.append((eid, node, conf, jsonenc.dumps(doc)))
    tbl = pa.table({"id": pa.array([r[0] for r in out], pa.int64()), "node": pa.array([r[1] for r in out], pa.string()),
                    "conf": pa.array([r[2] for r in out], pa.float64()), "evidence": pa.array([r[3] for r in out], pa.string())})
    con.register("zs_model_out", tbl)
    try:
        con.execute("INSERT INTO zs_final_out SELECT id, node, conf, evidence FROM zs_model_out")
    finally:
        con.unregister("zs_model_out")
    return dropped


def train_from_gold(shared: str | Path, tax: Taxonomy, gold_path: str | Path | None = None,
                    split: str = "dev") -> dict[str, Any]:
    """Train on one part of the gold set (the development part; test rows are never read for training)."""
    from . import gold as g

    rows = [r for r in g.read_gold(gold_path) if r["split"] == split]
    evidence = g.load_evidence(shared)
    texts = [text_of(evidence.get((r["source"], r["key"]), {"name": r["name"]})) for r in rows]
    labels = [{tax.ancestor_at(c, 2).code for c in r["labels"] if c in tax.nodes} for r in rows]
    return train(texts, labels, [n.code for n in tax.level(2)])
