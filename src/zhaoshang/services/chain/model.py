"""A small trained model that checks the rules' placements (method ``rules-v1`` + ``model``).

Features: char 1–3-gram TF-IDF over name, products, description, industry, the head of the registry scope
and tags; the industry field's own terms (Shenwan levels, CSRC sector, IT桔子 industry, large-model
category) as whole words; the rules' confidence on every level-2 node; which kinds of evidence the
enterprise has (scope, products, description, tags, industry). One logistic regression for "on the chain
at all" (the AI gate) and one per level-2 node. It is trained on the gold set's development part only
(``train``; ``scripts/train_chain_model.py`` writes the shipped file ``data/chains/<chain>_model.npz``);
settings were chosen by cross-validation within that part (``scripts/cv_chain_model.py``, docs/methods.md).
At classification time it only reads enterprises the rules already placed: a rule placement is kept when
the gate passes and either its rule confidence is high or the node model agrees; an enterprise the gate
accepts keeps at least its surest rule node. The model's probabilities are a part of each placement's
explained result.
"""

from __future__ import annotations

import copy
import hashlib
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .evidence_kinds import KINDS, kinds_of, scope_only  # noqa: F401 (model.scope_only: scripts and tests read it here)
from .evidence_kinds import has_text as _has_text
from .taxonomy import DATA_DIR, Taxonomy

SCOPE_CHARS = 300
SEED = 0
C = 30.0
# combination settings (cross-validated on the development part, docs/methods.md)
DEFAULTS = {"gate": 0.1, "gate_scope": 0.3, "node": 0.6, "keep_confidence": 2.0}
# the name of the registrations' own gate model (trained on scope-only rows alone), when a model file has one
SCOPE_GATE = "*scope"


def model_path(chain: str) -> Path:
    return DATA_DIR / f"{chain}_model.npz"


def text_of(e: dict[str, Any]) -> str:
    """The one text the model reads (the same for training and classification)."""
    tags = e.get("tags")
    tags = " ".join(tags) if isinstance(tags, (list, tuple)) else (tags or "")
    parts = [e.get("name"), e.get("products"), e.get("description"), e.get("industry"),
             (e.get("scope") or "")[:SCOPE_CHARS], tags]
    return " ".join(str(p) for p in parts if p).lower()


def industry_of(e: dict[str, Any]) -> str:
    """The industry field's terms, each one word (安防设备, 数字芯片设计, 医疗 …)."""
    return " ".join(str(e.get("industry") or "").lower().split())


def _split(s: str) -> list[str]:
    return s.split()


def _matrix(vec, ivec, records: list[dict[str, Any]], rule: np.ndarray, extra: np.ndarray | None = None,
            counted: tuple[list, list] | None = None):
    """The model's features of ``records``; ``counted``: their texts' n-gram counts (``Tfidf.count``, the text and
    the industry field's), when already counted."""
    import scipy.sparse as sp

    texts, inds = counted if counted is not None else (None, None)
    parts = [vec.transform([text_of(e) for e in records]) if texts is None else vec.weigh(texts)]
    if ivec is not None:
        parts.append(ivec.transform([industry_of(e) for e in records]) if inds is None else ivec.weigh(inds))
    parts += [sp.csr_matrix(rule), sp.csr_matrix(np.array([kinds_of(e) for e in records]).reshape(len(records), -1))]
    if extra is not None:  # measured feature columns (scripts/cv_chain_model.py), never in a shipped model
        parts.append(sp.csr_matrix(extra))
    return sp.hstack(parts).tocsr()


def train(records: list[dict[str, Any]], rule: np.ndarray, labels: list[set[str]], nodes: list[str],
          c: float = C, scope_gate: bool = False, extra: np.ndarray | None = None,
          proposers: bool = False) -> dict[str, Any]:
    """Fit the gate and the node models, and with ``scope_gate`` the registrations' own gate (measured, not
    shipped: docs/methods.md "Fifth version"); deterministic (liblinear with a fixed seed, vocabularies in index
    order). ``rule``: the rules' confidence per record and level-2 node (columns in ``nodes`` order).

    Measured, not shipped (docs/methods.md "After the fifth version"): ``extra``, more feature columns per record
    (the model is then only usable with the same columns given to ``Model.predict``), and ``proposers``, per node
    a second model without class weights, named ``+NODE``, whose probability may add a node the rules missed."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True, max_features=20000,
                          dtype=np.float64)
    vec.fit([text_of(e) for e in records])
    ivec = TfidfVectorizer(analyzer=_split, min_df=2, dtype=np.float64)
    try:
        ivec.fit([industry_of(e) for e in records])
    except ValueError:  # no industry term twice
        ivec = None
    X = _matrix(vec, ivec, records, rule, extra)
    ai = np.array([1 if s else 0 for s in labels])
    names, coefs, inter = ["*"], [], []
    m = LogisticRegression(C=c, solver="liblinear", random_state=SEED).fit(X, ai)
    coefs.append(m.coef_[0])
    inter.append(m.intercept_[0])
    # registrations read differently (a licence list, not a description): their own gate, trained on them alone
    reg = np.array([scope_only(e) for e in records], dtype=bool)
    if scope_gate and 2 <= ai[reg].sum() < reg.sum():
        m = LogisticRegression(C=c, solver="liblinear", random_state=SEED).fit(X[reg], ai[reg])
        names.append(SCOPE_GATE)
        coefs.append(m.coef_[0])
        inter.append(m.intercept_[0])
    for n in nodes:
        y = np.array([1 if n in s else 0 for s in labels])
        if y.sum() < 2:
            continue
        for name, weight in [(n, "balanced")] + ([("+" + n, None)] if proposers else []):
            m = LogisticRegression(C=c, solver="liblinear", class_weight=weight, random_state=SEED).fit(X, y)
            names.append(name)
            coefs.append(m.coef_[0])
            inter.append(m.intercept_[0])
    ivocab = sorted(ivec.vocabulary_, key=ivec.vocabulary_.get) if ivec is not None else []
    return {"vocab": np.array(sorted(vec.vocabulary_, key=vec.vocabulary_.get)), "idf": vec.idf_.astype(np.float32),
            "ind_vocab": np.array(ivocab, dtype=str), "ind_idf": (ivec.idf_ if ivec is not None else np.zeros(0)).astype(np.float32),
            "rule_nodes": np.array(nodes), "names": np.array(names),
            "coef": np.array(coefs, dtype=np.float32), "intercept": np.array(inter, dtype=np.float32)}


def save(model: dict[str, Any], path: str | Path) -> None:
    np.savez_compressed(path, **model)


_WHITE_SPACES = re.compile(r"\s\s+")


def _char_grams(doc: str) -> list[str]:
    """The text model's analyser (scikit-learn's ``analyzer="char"``, 1–3): lower case, runs of white space as
    one space, every 1-, 2- and 3-character slice."""
    t = _WHITE_SPACES.sub(" ", doc.lower())
    out = list(t)
    for n in (2, 3):
        out += [t[i:i + n] for i in range(len(t) - n + 1)]
    return out


class Tfidf:
    """The transform of a TF-IDF vectoriser the model was trained with (scikit-learn's ``TfidfVectorizer``:
    counts over the fixed vocabulary, ``1 + log`` of each, times the idf, each row scaled to unit length), in
    numpy and scipy.sparse: checking placements needs no scikit-learn (about 1.5 s to import), and gives the
    same matrix to the last bit (tests/test_chain_model.py compares them)."""

    def __init__(self, vocabulary: dict[str, int], idf, analyzer):
        self.vocabulary, self.analyzer = vocabulary, analyzer
        self.idf = np.asarray(idf, dtype=np.float64)

    def transform(self, docs: list[str]):
        return self.weigh(self.count(docs))

    def count(self, docs: list[str]) -> list[dict[int, int]]:
        """Each document's counts over the vocabulary (column → count, in the order the n-grams first occur): the
        transform's slow part, in Python; ``weigh`` makes the matrix of them."""
        vocab = self.vocabulary
        out = []
        for doc in docs:
            seen: dict[int, int] = {}
            for g in self.analyzer(doc):
                j = vocab.get(g)
                if j is not None:
                    seen[j] = seen.get(j, 0) + 1
            out.append(seen)
        return out

    def weigh(self, counted: list[dict[int, int]]):
        """The TF-IDF matrix of documents counted by ``count``."""
        import scipy.sparse as sp

        indices: list[int] = []
        counts: list[int] = []
        indptr = [0]
        for seen in counted:
            indices += seen.keys()
            counts += seen.values()
            indptr.append(len(indices))
        X = sp.csr_array((np.asarray(counts, dtype=np.intc), np.asarray(indices, dtype=np.int32),
                          np.asarray(indptr, dtype=np.int32)), shape=(len(counted), len(self.vocabulary)), dtype=np.float64)
        X.sort_indices()
        np.log(X.data, X.data)
        X.data += 1.0
        X.data *= self.idf[X.indices]
        # each row's squares summed in column order, one term after the other (a pairwise sum rounds otherwise)
        lens = np.diff(X.indptr)
        sums = np.zeros(len(lens))
        for k in range(int(lens.max(initial=0))):
            rows = np.flatnonzero(lens > k)
            v = X.data[X.indptr[rows] + k]
            sums[rows] += v * v
        X.data /= np.repeat(np.where(sums == 0.0, 1.0, np.sqrt(sums)), lens)
        return X


class Model:
    """A loaded model: ``predict(records, rule)`` → probabilities per name ("*" = on the chain)."""

    def __init__(self, arrays: dict[str, Any], settings: dict[str, float] | None = None, digest: str = ""):
        self.names = [str(x) for x in arrays["names"]]
        self.rule_nodes = [str(x) for x in arrays["rule_nodes"]]
        self.coef = np.asarray(arrays["coef"], dtype=np.float64)
        self.intercept = np.asarray(arrays["intercept"], dtype=np.float64)
        vocab = [str(x) for x in arrays["vocab"]]
        self.vec = Tfidf({v: i for i, v in enumerate(vocab)}, arrays["idf"], _char_grams)
        ivocab = [str(x) for x in arrays["ind_vocab"]]
        self.ivec = None
        if ivocab:
            self.ivec = Tfidf({v: i for i, v in enumerate(ivocab)}, arrays["ind_idf"], _split)
        self.settings = {**DEFAULTS, **(settings or {})}
        self.digest = digest
        # the pair reader (pairs.py), when the file holds one: it reads the enterprises that are not registration-like
        from .pairs import PairModel, arrays_of

        pa = arrays_of(arrays)
        self.pairs = PairModel(pa) if pa is not None else None
        # enterprise id → its texts' n-gram counts (text, industry field), kept by ``predict(..., remember=True)``
        self._counted: dict[int, tuple[dict, dict | None]] = {}

    def rule_matrix(self, confs: list[dict[str, float]]) -> np.ndarray:
        """The rules' confidences ({node: confidence} per record) as the model's rule columns."""
        col = {n: j for j, n in enumerate(self.rule_nodes)}
        r = np.zeros((len(confs), len(self.rule_nodes)))
        for i, d in enumerate(confs):
            for n, c in d.items():
                if n in col:
                    r[i, col[n]] = c
        return r

    def predict(self, records: list[dict[str, Any]], confs: list[dict[str, float]] | None = None,
                extra: np.ndarray | None = None, ids: list[int] | None = None,
                remember: bool = False) -> dict[str, np.ndarray]:
        """``ids``: the records' enterprise ids. Their texts are counted once per model: the counts an earlier call
        kept (``remember``) are read again — the check and the pair reader of one classification read the same
        enterprises' texts with other rule confidences (raw, and rounded as stored), and counting the n-grams is
        most of the work. The probabilities are those of counting again, to the bit."""
        if not records:
            return {n: np.zeros(0) for n in self.names}
        counted = None
        if ids is not None:
            got = [self._counted.get(i) for i in ids]
            todo = [k for k, g in enumerate(got) if g is None]
            if todo:
                texts = self.vec.count([text_of(records[k]) for k in todo])
                inds = self.ivec.count([industry_of(records[k]) for k in todo]) if self.ivec is not None else [None] * len(todo)
                for k, a, b in zip(todo, texts, inds):
                    got[k] = (a, b)
                    if remember:
                        self._counted[ids[k]] = (a, b)
            counted = ([g[0] for g in got], [g[1] for g in got] if self.ivec is not None else None)
        X = _matrix(self.vec, self.ivec, records, self.rule_matrix(confs or [{} for _ in records]), extra, counted)
        z = X @ self.coef.T + self.intercept
        p = 1.0 / (1.0 + np.exp(-np.asarray(z)))
        out = {n: p[:, j] for j, n in enumerate(self.names)}
        if SCOPE_GATE in out:  # p(on the chain) of a registration is its own gate's
            out["*"] = np.where([scope_only(e) for e in records], out[SCOPE_GATE], out["*"])
        return out

    def forget(self) -> None:
        """Drop the texts' counts ``predict`` kept."""
        self._counted.clear()

    def gate(self, record: dict[str, Any]) -> float:
        return self.settings["gate_scope" if scope_only(record) else "gate"]

    def keep(self, probs: dict[str, np.ndarray], i: int, node: str, confidence: float, gate: float) -> bool:
        """Whether a rule placement stands: positive evidence of AI business (p(on the chain) ≥ ``gate``),
        and the node model agrees unless the rules are very sure."""
        s = self.settings
        if probs["*"][i] < gate:
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
    st = p.stat()
    # a copy of the file's model: the vocabularies, weights and trees are read, never changed, so they are shared;
    # what one classification keeps (its settings, its texts' counts) is the copy's own
    model = copy.copy(_read(str(p.resolve()), st.st_mtime_ns, st.st_size))
    model.settings = {**DEFAULTS, **{k: float(v) for k, v in w.items() if k in DEFAULTS}}
    model._counted = {}
    if w.get("pairs") is False:  # the pair reader switched off: the check alone (the seventh version)
        model.pairs = None
    return model


@lru_cache(maxsize=4)
def _read(path: str, mtime_ns: int, size: int) -> Model:
    """A model file read once per version of the file (its time and size in the key): building the vocabularies'
    indexes is about 0.2 s of CPU, which every ``classify`` of a process paid again."""
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    return Model(arrays, None, digest)


# enterprises per pass: memory stays flat whatever the number of placements; a range's texts, TF-IDF rows and
# probabilities are held in Python beside DuckDB's share of the batch cap, so a range stays small
CHECK_CHUNK = 20_000


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
    # one range (as many enterprises as a range holds at most): their texts' counts are kept for the pair reader,
    # which reads the same texts next (``Model.predict``); memory stays one range's worth
    remember = len(bounds) == 1 and model.pairs is not None
    for lo, hi in bounds:
        dropped += _check_range(con, tax, model, lo, hi, remember)
    con.execute("DELETE FROM zs_final")
    con.execute("INSERT INTO zs_final (id, node, conf, evidence) SELECT id, node, conf, evidence FROM zs_final_out")
    con.execute("DROP TABLE IF EXISTS zs_final_out")
    con.execute("DROP TABLE IF EXISTS zs_final_ids")
    return dropped


def _check_range(con, tax: Taxonomy, model: Model, lo: int, hi: int, remember: bool = False) -> int:
    """The model's check of the placements of enterprises ``lo``..``hi``, appended to ``zs_final_out``."""
    import json

    import pyarrow as pa

    from ...core import jsonenc

    rows = con.execute("SELECT id, node, conf, evidence FROM zs_final WHERE id BETWEEN ? AND ? ORDER BY id, node",
                       [lo, hi]).fetchall()
    recs = con.execute("""SELECT e.id, e.name, e.products, e.description, coalesce(ind.industry, e.industry), e.scope, e.tags
        FROM enterprises e LEFT JOIN zs_ind ind ON ind.id = e.id WHERE e.id BETWEEN ? AND ? AND e.id IN (SELECT DISTINCT id FROM zs_final) ORDER BY e.id""",
                       [lo, hi]).fetchall()
    # the model judges text: placements that rest on no keyword (patents, industry codes, relations) pass as the
    # rules made them
    texted = {eid for eid, node, _, ev in rows if tax.nodes[node].level == 2 and _has_text(json.loads(ev))}
    recs = [r for r in recs if r[0] in texted]
    pos = {r[0]: k for k, r in enumerate(recs)}
    keys = ("name", "products", "description", "industry", "scope", "tags")
    best: dict[tuple, float] = {}  # (id, level-2 node) → rule confidence of the level-2 placement
    confs: list[dict[str, float]] = [{} for _ in recs]
    for eid, node, conf, _ in rows:
        if tax.nodes[node].level == 2:
            best[(eid, node)] = conf
            if eid in pos:
                confs[pos[eid]][node] = conf
    records = [dict(zip(keys, r[1:])) for r in recs]
    probs = model.predict(records, confs, ids=[r[0] for r in recs], remember=remember)
    gates = [model.gate(e) for e in records]
    del recs, records
    kept = {key for key, conf in best.items() if key[0] in pos and model.keep(probs, pos[key[0]], key[1], conf, gates[pos[key[0]]])}
    # the node models prune an accepted enterprise's nodes but never remove it: its surest node stays
    top: dict[int, tuple[float, str]] = {}
    for (eid, node), conf in best.items():
        if eid in pos and probs["*"][pos[eid]] >= gates[pos[eid]] and (eid not in top or conf > top[eid][0]):
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
                       "gate": gates[k], "node_threshold": s["node"], "keep_confidence": s["keep_confidence"],
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
