"""The pair reader: each (enterprise, level-2 node) pair whose node has a word of the taxonomy in the enterprise's
evidence, read on its own by a logistic regression (docs/methods.md, "Eighth version candidate: a pair reader over the
candidate words" and its confirmation on round 5).

One truth for the cross-validation (``scripts/cv_chain_pairs.py``), the confirmation (``scripts/confirm_chain_pairs.py``),
the evidence ceilings (``scripts/chain_evidence_ceiling.py``), training (``scripts/train_chain_model.py --pairs``) and
``classify``:

- candidates: every word of a node (its own and its sub-nodes' strong, medium and weak keywords and industry names),
  each matched alone with the classifier's ``keyword_regex`` in the fields the classifier reads, normalised as it
  normalises them (``taxonomy.normalize_text``; the industry field without ``industry_exclusions``);
- features of a pair: where and how the node's words stand (field, tier, position, item index, market clause, the
  characters around the word and the clause it stands in), the rules' confidence and rank for the node, the kinds of
  evidence, the node, and the check's probabilities for the node and the gate (``with_check``);
- the model: ``train`` (scikit-learn, at training time only) and ``PairModel`` (numpy: applying it needs no
  scikit-learn), whose probabilities at or above the bar place a pair.

Registration-like enterprises (``model.scope_only``) never reach it: they keep the seventh version's placements.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import defaultdict
from functools import lru_cache
from typing import Any

import numpy as np

from .evidence_kinds import KINDS, has_text, kinds_of, scope_only
from .reading import named_features
from .taxonomy import Taxonomy, keyword_regex, normalize_keyword, normalize_text

# the written setting (docs/methods.md): L2 logistic regression at C 0.1 and gradient-boosted trees on the same
# features, a pair placed when the mean of their probabilities is 0.30 or more ("Seventeenth candidate"), no gate
C = 0.1
BAR = 0.30
SEED = 0
TREES = {"max_iter": 300, "learning_rate": 0.05, "early_stopping": False, "random_state": SEED}
TREE_MIN_PAIRS = 40  # the trees read the features present in this many training pairs or more
TREE_CHUNK = 1024  # pairs per dense block when the trees are applied (two blocks of 28 MB)
FIELDS = ("name", "products", "description", "industry", "scope", "tags")
TIERS = ("strong", "industry", "medium", "weak")
MAIN = set(FIELDS)
WINDOW = 8
ITEM_SPLIT = re.compile(r"[;；,，。、\n]")
CLAUSE_SPLIT = re.compile(r"[;；,，。、\s]")
TOP_FEATURES = 5
# a row's pair stays placed only at this share or more of its row's best placed pair (docs/methods.md, "Fourteenth
# candidate": the reader scores each pair alone; the labels keep an enterprise's main nodes, not its side lines)
HELD_TO_BEST = 0.5
# a pair placement's confidence (its explained result's formula)
FORMULA = "confidence = P(pair model) for the (enterprise, node) pair, placed at or above its bar"


# ---------------------------------------------------------------------------- candidates
def word_regex(word: str) -> re.Pattern:
    # RE2 (which the classifier runs in DuckDB) reads \b at ASCII word boundaries: 3d视觉 and ar眼镜 match there
    return re.compile(keyword_regex(normalize_keyword(word)), re.ASCII)


_WORDS: dict[int, tuple[Taxonomy, dict]] = {}


def node_words(tax: Taxonomy) -> dict[str, dict[str, list[tuple[str, re.Pattern]]]]:
    """Level-2 node → tier (strong, medium, weak, industry) → [(word, regex)]: its own and its sub-nodes' words."""
    got = _WORDS.get(id(tax))
    if got is not None and got[0] is tax:
        return got[1]
    out: dict[str, dict[str, list]] = {n.code: defaultdict(list) for n in tax.level(2)}
    for kw, entries in tax.keyword_index.items():
        for e in entries:
            if e.tier == "negative" or tax.nodes[e.node].level < 2:
                continue
            code = tax.ancestor_at(e.node, 2).code
            if kw not in [w for w, _ in out[code][e.tier]]:
                out[code][e.tier].append((kw, word_regex(kw)))
    _WORDS[id(tax)] = (tax, out)
    return out


def evidence_texts(e: dict[str, Any], tax: Taxonomy) -> dict[str, str]:
    """The fields the classifier reads, as it reads them (normalised; the industry field without the sector names
    ``industry_exclusions`` removes)."""
    w = tax.weights
    out = {}
    for f in FIELDS:
        v = e.get(f)
        if isinstance(v, (list, tuple)):
            v = " ".join(str(x) for x in v)
        t = normalize_text(v, w) if v else ""
        if f == "industry":
            for rx in w.get("industry_exclusions") or []:
                t = re.sub(rx, " ", t)
        out[f] = t
    return out


_BY_KEY: dict[int, tuple[Taxonomy, dict, list]] = {}


def _words_by_key(tax: Taxonomy) -> tuple[dict[str, list], list]:
    """Every node word keyed by the first two characters of its literal (a one-character literal by itself; those
    without a character apart), each entry (literal, order, node, tier, word, regex) with ``order`` its place in
    reading order: the node in the taxonomy's order, the tier in ``TIERS``' order, the word in its tier's list."""
    got = _BY_KEY.get(id(tax))
    if got is not None and got[0] is tax:
        return got[1], got[2]
    by_key: dict[str, list] = defaultdict(list)
    always: list = []
    for a, (code, words) in enumerate(node_words(tax).items()):
        for b, tier in enumerate(TIERS):
            for c, (w, rx) in enumerate(words.get(tier, [])):
                lit = normalize_keyword(w)
                entry = (lit, (a, b, c), code, tier, w, rx)
                (by_key[lit[:2]] if lit else always).append(entry)
    _BY_KEY[id(tax)] = (tax, dict(by_key), always)
    return _BY_KEY[id(tax)][1], always


def candidates(texts: dict[str, str], tax: Taxonomy) -> list[tuple[str, list]]:
    """(node, occurrences) of every level-2 node with a word in the evidence, in the taxonomy's order; an occurrence
    is (field, tier, word, start, end). A word's regex matches only where its literal stands (``keyword_regex``: the
    escaped word, word boundaries at ASCII ends), so the regex runs only on the fields that hold the literal, and the
    words tried are those whose first two characters the evidence holds: the classifier's hot loop, read in time
    proportional to the evidence rather than to the taxonomy."""
    by_key, always = _words_by_key(tax)
    keys: set[str] = set()
    for tx in texts.values():
        if tx:
            keys.update(tx)
            keys.update(tx[i:i + 2] for i in range(len(tx) - 1))
    hits = [entry for k in keys for entry in by_key.get(k, ())] + always
    hits.sort(key=lambda x: x[1])
    out: list[tuple[str, list]] = []
    for lit, _, code, tier, w, rx in hits:
        occ = []
        for f, tx in texts.items():
            if tx and lit in tx:
                occ += [(f, tier, w, mt.start(), mt.end()) for mt in rx.finditer(tx)]
        if occ:
            if out and out[-1][0] == code:
                out[-1][1].extend(occ)
            else:
                out.append((code, occ))
    return out


# ---------------------------------------------------------------------------- features
def head_len(text: str, chars: int) -> int:
    """The classifier's head of a field: the first ``chars`` characters extended to the end of the item."""
    mt = re.match(r"^.{0,%d}[^;,。、]*" % chars, text, re.S)
    return mt.end() if mt else 0


@lru_cache(maxsize=1 << 12)
def grams(s: str, tag: str, ns=(1, 2, 3)) -> frozenset[str]:
    """The tagged 1-, 2- and 3-character slices of ``s`` (remembered: the same windows and clauses recur from one
    enterprise to the next)."""
    p = tag + ":"
    return frozenset([p + s[i:i + n] for n in ns for i in range(len(s) - n + 1)])


def pair_features(texts: dict[str, str], occ: list, node: str, app: re.Pattern, w: dict) -> dict[str, float]:
    """Sparse features of one (row, node) pair from the occurrences of its words (presence over occurrences)."""
    feats: dict[str, float] = {}
    spans = {f: [(a.start(), a.end()) for a in app.finditer(tx)] for f, tx in texts.items() if tx and f == "description"}
    heads = {"scope": head_len(texts.get("scope", ""), int(w["scope_head_chars"])),
             "products": head_len(texts.get("products", ""), int(w["products_head_chars"]))}
    main_strong = False
    for f, tier, word, s, e in occ:
        tx = texts[f]
        in_app = any(a <= s < b for a, b in spans.get(f, []))
        if f in heads:
            head = s < heads[f]
        else:
            head = s < 40
        item = len(ITEM_SPLIT.findall(tx[:s]))
        item_b = "0" if item == 0 else "1-2" if item <= 2 else "3+"
        where = ("app" if in_app else "head" if head else "rest")
        if tier in ("strong", "industry") and f in MAIN and where != "app" and (f not in heads or head):
            main_strong = True
        toks = {f"f={f}", f"t={tier}", f"ft={f}|{tier}", f"w={word}", f"nt={node}|{tier}", f"nf={node}|{f}",
                f"pos={f}|{where}", f"ptier={tier}|{where}", f"item={f}|{item_b}", f"itier={tier}|{item_b}"}
        left, right = tx[max(0, s - WINDOW):s], tx[e:e + WINDOW]
        toks |= grams(left, "L") | grams(right, "R")
        if left:
            toks |= {f"L1:{left[-1:]}", f"L2:{left[-2:]}"}
        if right:
            toks |= {f"R1:{right[:1]}", f"R2:{right[:2]}"}
        a = max((mt.end() for mt in CLAUSE_SPLIT.finditer(tx, 0, s)), default=0)
        b = CLAUSE_SPLIT.search(tx, e)
        clause = tx[a:s] + "□" + tx[e:b.start() if b else len(tx)]
        toks |= grams(clause, "C", (1, 2))
        for k in toks:
            feats[k] = 1.0
    feats["n_occ"] = math.log1p(len(occ))
    feats["n_words"] = math.log1p(len({o[2] for o in occ}))
    feats["n_fields"] = math.log1p(len({o[0] for o in occ}))
    feats["main_strong"] = float(main_strong)
    feats[f"n={node}"] = 1.0
    return feats


def build_pairs(records: list[dict[str, Any]], confs: list[dict[str, float]], tax: Taxonomy,
                rows: list[int] | None = None) -> tuple[list[tuple[int, str]], list[dict[str, float]], list[list[tuple]]]:
    """The candidate pairs of ``records`` (all, or the positions ``rows``), their features without the check's, and
    their occurrences. ``confs``: the rules' level-2 confidences per record (rules alone)."""
    app = re.compile(tax.weights.get("application_clause") or "^$")
    pairs, feats, occs = [], [], []
    for i in (range(len(records)) if rows is None else rows):
        e = records[i]
        texts = evidence_texts(e, tax)
        cands = candidates(texts, tax)
        cf = confs[i]
        best = max(cf.values(), default=0.0)
        ranked = sorted(cf, key=lambda n: -cf[n])
        kinds = kinds_of(e)
        for code, occ in cands:
            f = pair_features(texts, occ, code, app, tax.weights)
            c = cf.get(code, 0.0)
            f["rule_conf"] = c
            f["rule_placed"] = float(code in cf)
            f["rule_rank_inv"] = 1.0 / (1 + ranked.index(code)) if code in cf else 0.0
            f["rule_share"] = c / best if best else 0.0
            f["n_cands"] = math.log1p(len(cands))
            f["scope_only"] = float(scope_only(e))
            for k, v in zip(KINDS, kinds):
                f[f"kind={k}"] = v
            pairs.append((i, code))
            feats.append(f)
            occs.append(occ)
    return pairs, feats, occs


def check_table(probs: dict[str, np.ndarray], n_rows: int, nodes: list[str], idx=None) -> np.ndarray:
    """(rows, 1 + nodes) of the check's probabilities (gate first), NaN where the check has no model or row."""
    idx = np.arange(n_rows) if idx is None else np.asarray(idx)
    out = np.full((n_rows, 1 + len(nodes)), np.nan)
    out[idx, 0] = probs["*"]
    for j, n in enumerate(nodes):
        if n in probs:
            out[idx, 1 + j] = probs[n]
    return out


def with_check(feats: list[dict], pairs: list, table: np.ndarray, nodes: list[str]) -> list[dict]:
    """The pairs' features with the check's probability for the node and its gate probability."""
    col = {n: 1 + j for j, n in enumerate(nodes)}
    out = []
    for f, (i, n) in zip(feats, pairs):
        g = dict(f)
        pn, pg = table[i, col[n]], table[i, 0]
        g["chk_node"] = 0.0 if np.isnan(pn) else float(pn)
        g["chk_node_missing"] = float(np.isnan(pn))
        g["chk_gate"] = 0.0 if np.isnan(pg) else float(pg)
        out.append(g)
    return out


# ---------------------------------------------------------------------------- the model
def int32(X):
    """A CSR matrix with 32-bit indices (liblinear refuses 64-bit ones, which DictVectorizer may give)."""
    X = X.tocsr()
    X.indices, X.indptr = X.indices.astype(np.int32), X.indptr.astype(np.int32)
    return X


def fit(feats: list[dict], y: np.ndarray, c: float = C):
    """(vectoriser, logistic regression) fitted on the pairs' features (scikit-learn, liblinear, L2, fixed seed)."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = DictVectorizer()
    X = int32(vec.fit_transform(feats))
    lr = LogisticRegression(C=c, solver="liblinear", random_state=SEED, max_iter=1000).fit(X, y)
    return vec, lr


def fit_trees(feats: list[dict], y: np.ndarray):
    """(feature names, HistGradientBoosting) fitted on the pairs' features present in ``TREE_MIN_PAIRS`` pairs or
    more (scikit-learn, fixed settings and seed)."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.feature_extraction import DictVectorizer

    vec = DictVectorizer()
    X = vec.fit_transform(feats).tocsc()
    cols = np.where(np.asarray((X != 0).sum(axis=0)).ravel() >= TREE_MIN_PAIRS)[0]
    h = HistGradientBoostingClassifier(**TREES).fit(X[:, cols].toarray(), y)
    return [vec.feature_names_[j] for j in cols], h


def tree_arrays(names: list[str], h) -> dict[str, np.ndarray]:
    """The trees of a fitted HistGradientBoosting as flat arrays (``pair_tree_*``): every node's feature, threshold
    (left when the value is at or below it), children (indices into the flat arrays), leaf flag and value; the roots;
    the baseline. No feature holds a missing value, so the missing-value side is not kept."""
    nodes = [pred.nodes for it in h._predictors for pred in it]
    start = np.cumsum([0] + [len(n) for n in nodes[:-1]])
    cat = lambda field: np.concatenate([n[field] for n in nodes])  # noqa: E731
    shift = np.concatenate([np.full(len(n), o) for n, o in zip(nodes, start)])
    leaf = cat("is_leaf").astype(bool)
    return {"pair_tree_features": np.array(names, dtype=str), "pair_tree_feature": cat("feature_idx").astype(np.int32),
            "pair_tree_threshold": cat("num_threshold").astype(np.float64),
            "pair_tree_left": np.where(leaf, 0, cat("left") + shift).astype(np.int32),
            "pair_tree_right": np.where(leaf, 0, cat("right") + shift).astype(np.int32),
            "pair_tree_leaf": leaf, "pair_tree_value": cat("value").astype(np.float64),
            "pair_tree_roots": start.astype(np.int32),
            "pair_tree_baseline": np.array([float(np.ravel(h._baseline_prediction)[0])])}


def train(feats: list[dict], y: np.ndarray, c: float = C, bar: float = BAR, trees: bool = True) -> dict[str, np.ndarray]:
    """The pair model's arrays, stored in the chain's model file beside the check (keys ``pair_*``): the regression,
    and the trees whose probability it is averaged with (``trees``)."""
    vec, lr = fit(feats, y, c)
    out = {"pair_features": np.array(vec.feature_names_, dtype=str), "pair_coef": lr.coef_[0].astype(np.float64),
           "pair_intercept": np.array([lr.intercept_[0]], dtype=np.float64), "pair_bar": np.array([bar]),
           "pair_c": np.array([c])}
    if trees:
        out.update(tree_arrays(*fit_trees(feats, y)))
    return out


class PairModel:
    """A trained pair reader: ``predict(features)`` → probability per pair (the regression's, or the mean of the
    regression's and the trees' when the file holds trees); ``top(features)`` → the features that weigh most in one
    pair's score (feature, weight in log-odds)."""

    def __init__(self, arrays: dict[str, Any]):
        self.names = [str(x) for x in arrays["pair_features"]]
        self.index = {n: j for j, n in enumerate(self.names)}
        self.coef = np.asarray(arrays["pair_coef"], dtype=np.float64)
        self.intercept = float(np.asarray(arrays["pair_intercept"]).ravel()[0])
        self.bar = float(np.asarray(arrays["pair_bar"]).ravel()[0])
        self.trees = "pair_tree_roots" in arrays
        if self.trees:
            self.t_names = [str(x) for x in arrays["pair_tree_features"]]
            self.t_index = {n: j for j, n in enumerate(self.t_names)}
            self.t_feature = np.asarray(arrays["pair_tree_feature"], dtype=np.intp)
            self.t_threshold = np.asarray(arrays["pair_tree_threshold"], dtype=np.float64)
            self.t_left = np.asarray(arrays["pair_tree_left"], dtype=np.intp)
            self.t_right = np.asarray(arrays["pair_tree_right"], dtype=np.intp)
            self.t_leaf = np.asarray(arrays["pair_tree_leaf"], dtype=bool)
            self.t_value = np.asarray(arrays["pair_tree_value"], dtype=np.float64)
            self.t_roots = np.asarray(arrays["pair_tree_roots"], dtype=np.intp)
            self.t_baseline = float(np.asarray(arrays["pair_tree_baseline"]).ravel()[0])
        # every feature name either reader knows → one key: a pair's names are looked up once for both readers, each
        # key → the regression's column and the trees' (-1: not read; the last entry is an unknown name's)
        known = self.names + ([n for n in self.t_names if n not in self.index] if self.trees else [])
        self._key = {n: k for k, n in enumerate(known)}
        self._col = np.array(list(range(len(self.names))) + [-1] * (len(known) - len(self.names) + 1), dtype=np.int64)
        self._tcol = np.array([self.t_index.get(n, -1) for n in known] + [-1], dtype=np.int64) if self.trees else None

    def _columns(self, keys) -> np.ndarray:
        """Each feature name's column, -1 for a name the model does not know (looked up in C: ``map``)."""
        return np.fromiter(map(self.index.get, keys, itertools.repeat(-1)), dtype=np.int64)

    def _flat(self, feats: list[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The pairs' features read once for both readers: each pair's number of features, their offsets, every
        feature's key (``_key``, -1 for a name neither reader knows; looked up in C: ``map``) and value."""
        lens = np.fromiter(map(len, feats), dtype=np.int64, count=len(feats))
        offs = np.zeros(len(feats) + 1, dtype=np.int64)
        np.cumsum(lens, out=offs[1:])
        keys = np.fromiter(map(self._key.get, itertools.chain.from_iterable(feats), itertools.repeat(-1)), dtype=np.int64,
                           count=int(offs[-1]))
        vals = np.fromiter(itertools.chain.from_iterable(f.values() for f in feats), dtype=np.float64, count=len(keys))
        return lens, offs, keys, vals

    def matrix(self, feats: list[dict]):
        """The pairs' features as a CSR matrix over the model's columns: every known feature with a value other
        than 0, each row's columns sorted. Read all rows at once (the names looked up in C, not feature by feature
        in Python: the classifier's largest single step otherwise)."""
        return self._matrix(self._flat(feats))

    def _matrix(self, flat):
        import scipy.sparse as sp

        lens, _, keys, vals = flat
        cols = self._col[keys]
        keep = (cols >= 0) & (vals != 0)
        rows = np.repeat(np.arange(len(lens)), lens)[keep]
        ptr = np.zeros(len(lens) + 1, dtype=np.int32)
        np.cumsum(np.bincount(rows, minlength=len(lens)), out=ptr[1:])
        X = sp.csr_matrix((vals[keep], cols[keep].astype(np.int32), ptr), shape=(len(lens), len(self.names)))
        X.sort_indices()
        return X

    def _dense(self, feats: list[dict]) -> np.ndarray:
        """The pairs' features over the trees' columns, dense (the names looked up in C, as ``matrix`` does)."""
        return self._dense_of(self._flat(feats), 0, len(feats))[0]

    def _dense_of(self, flat, a: int, b: int, out: np.ndarray | None = None) -> tuple[np.ndarray, tuple]:
        """Pairs ``a``..``b`` of ``_flat``'s features over the trees' columns, dense, written into the zeros of
        ``out`` when given; and the cells written (to zero them again)."""
        lens, offs, keys, vals = flat
        s, e = offs[a], offs[b]
        X = np.zeros((b - a, len(self.t_names))) if out is None else out[:b - a]
        cols = self._tcol[keys[s:e]]
        keep = cols >= 0
        cells = (np.repeat(np.arange(b - a), lens[a:b])[keep], cols[keep])
        X[cells] = vals[s:e][keep]
        return X, cells

    def _walk(self, X: np.ndarray, weights: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
        """Every pair of ``X`` down every tree, only the (pair, tree) walks not yet at a leaf stepping at each level:
        the trees' log-odds per pair (baseline + the leaves' values) and, with ``weights``, each feature's share of
        them per pair (along each path, the change of the node's value at each split, given to the split's feature;
        the path's changes add up to the leaf's value less the root's)."""
        n, width = X.shape
        flat = X.ravel()
        row = np.repeat(np.arange(n, dtype=np.int64) * width, len(self.t_roots))  # each walk's row offset in ``flat``
        node = np.tile(self.t_roots, n)
        raw = np.full(n, self.t_baseline)
        steps: list[tuple[np.ndarray, np.ndarray]] = []
        while row.size:
            leaf = self.t_leaf[node]
            if leaf.any():
                raw += np.bincount(row[leaf] // width, weights=self.t_value[node[leaf]], minlength=n)
                inner = ~leaf
                row, node = row[inner], node[inner]
                if not row.size:
                    break
            at = row + self.t_feature[node]
            nxt = np.where(flat[at] <= self.t_threshold[node], self.t_left[node], self.t_right[node])
            if weights:
                steps.append((at, self.t_value[nxt] - self.t_value[node]))
            node = nxt
        if not weights:
            return raw, None
        at = np.concatenate([a for a, _ in steps]) if steps else np.zeros(0, dtype=np.int64)
        delta = np.concatenate([d for _, d in steps]) if steps else np.zeros(0)
        return raw, np.bincount(at, weights=delta, minlength=n * width).reshape(n, width)

    def tree_raw(self, feats: list[dict]) -> np.ndarray:
        """The trees' log-odds per pair, applied in dense blocks."""
        return self._tree_raw(self._flat(feats))

    def _tree_raw(self, flat) -> np.ndarray:
        n = len(flat[0])
        out = np.empty(n)
        block = np.zeros((min(n, TREE_CHUNK), len(self.t_names)))  # one block's memory, zeroed again after each
        for a in range(0, n, TREE_CHUNK):
            X, cells = self._dense_of(flat, a, min(a + TREE_CHUNK, n), block)
            out[a:a + TREE_CHUNK] = self._walk(X)[0]
            X[cells] = 0.0
        return out

    def predict(self, feats: list[dict]) -> np.ndarray:
        if not feats:
            return np.zeros(0)
        flat = self._flat(feats)  # the names looked up once for the regression and the trees
        z = self._matrix(flat) @ self.coef + self.intercept
        p = 1.0 / (1.0 + np.exp(-np.asarray(z).ravel()))
        if self.trees:
            p = (p + 1.0 / (1.0 + np.exp(-self._tree_raw(flat)))) / 2
        return p

    def tops(self, feats: list[dict], k: int = TOP_FEATURES) -> list[list[tuple[str, float]]]:
        """``top`` of each pair, the trees walked once for a block of pairs."""
        out: list[list[tuple[str, float]]] = []
        for a in range(0, len(feats), TREE_CHUNK):
            block = feats[a:a + TREE_CHUNK]
            W = self._walk(self._dense(block), weights=True)[1] if self.trees else None
            for r, f in enumerate(block):
                names = [n for n, v in f.items() if v]
                vals = np.fromiter((f[n] for n in names), dtype=np.float64, count=len(names))
                cols = self._columns(names)
                x = np.where(cols >= 0, self.coef[cols] * vals, 0.0)
                if W is not None:
                    tc = np.fromiter(map(self.t_index.get, names, itertools.repeat(-1)), dtype=np.int64, count=len(names))
                    x = (x + np.where(tc >= 0, W[r, tc], 0.0)) / 2
                keep = np.nonzero(x)[0]
                if len(keep) > k:  # only those at least as weighty as the k-th weightiest can be among the first k
                    w = np.abs(x[keep])
                    keep = keep[w >= np.partition(w, len(w) - k)[len(w) - k]]
                got = sorted(((names[j], float(x[j])) for j in keep), key=lambda t: (-abs(t[1]), t[0]))[:k]
                out.append([(n, round(v, 3)) for n, v in got])
        return out

    def top(self, f: dict, k: int = TOP_FEATURES) -> list[tuple[str, float]]:
        """The features that weigh most in one pair's score. With trees, a feature's weight is the mean of its weight
        in the regression (coefficient × value) and in the trees (``_walk``'s weights), as the probability is the mean of
        the two readers'."""
        return self.tops([f], k)[0]


def arrays_of(z: dict[str, Any]) -> dict[str, Any] | None:
    """The ``pair_*`` arrays of a model file, or None when it holds no pair model."""
    return {k: z[k] for k in z if k.startswith("pair_")} if "pair_coef" in z else None


# ---------------------------------------------------------------------------- in classify
# enterprises per pass (as the check's ranges): memory stays flat whatever the number of enterprises
CHUNK = 20_000
# SQL for "not registration-like" (``model.scope_only`` false): registrations never reach the pair reader; the
# records read are checked with ``scope_only`` itself too (the one definition)
NOT_SCOPE_ONLY = ("(coalesce(e.scope, '') = '' OR coalesce(e.products, '') <> '' "
                  "OR coalesce(e.description, '') <> '')")


def _is_user(name: str | None, tax: Taxonomy) -> bool:
    """Whether a registered name marks an institution that uses the chain's technology (``user_name``)."""
    rx = tax.weights.get("user_name")
    return bool(rx and name and re.search(rx, name.strip()))


def held_to_best(placed: dict[tuple[Any, str], float], ratio: float = HELD_TO_BEST) -> dict[tuple[Any, str], float]:
    """Of ``placed`` ((row, node) → the pair reader's probability), the pairs at ``ratio`` or more of their row's
    best, each → that best (the row's best pair is always kept: the explanation's ``row_best``)."""
    best: dict[Any, float] = defaultdict(float)
    for (row, _), prob in placed.items():
        best[row] = max(best[row], prob)
    return {(row, code): best[row] for (row, code), prob in placed.items() if prob >= ratio * best[row]}


def read_placements(con, tax: Taxonomy, model, subset: bool = False, *, explain: tuple[str, tuple]) -> int:
    """The pair reader over the enterprises in scope (``zs_req`` with ``subset``, else ``zs_scope``) that are not
    registration-like: their placements that rest on text become the pair reader's (``zs_final``, after the check;
    ``zs_rules``, the rules' placements before it, give the rules' confidences and the placements' text evidence).
    Placements resting on no text (patents, industry codes, related enterprises) stay as the check left them unless
    the pair reader places the same node. ``explain``: the classifier's method id and explained-result parameters
    (``classify.METHOD``, ``classify.explain_params``), given by the caller so that this module never imports
    ``classify``. Returns the enterprises read."""
    src = "zs_req" if subset else "zs_scope"
    n = con.execute(f"SELECT count(*) FROM {src} s JOIN enterprises e ON e.id = s.id WHERE {NOT_SCOPE_ONLY}").fetchone()[0]
    if not n:
        return 0
    con.execute(f"""CREATE OR REPLACE TEMP TABLE zs_pair_ids AS SELECT e.id, (row_number() OVER (ORDER BY e.id) - 1)
        // {CHUNK} AS part FROM {src} s JOIN enterprises e ON e.id = s.id WHERE {NOT_SCOPE_ONLY}""")
    bounds = con.execute("SELECT min(id), max(id) FROM zs_pair_ids GROUP BY part ORDER BY part").fetchall()
    read = 0
    try:
        for lo, hi in bounds:
            read += _read_range(con, tax, model, lo, hi, explain)
    finally:
        con.execute("DROP TABLE IF EXISTS zs_pair_ids")
    return read


def _read_range(con, tax: Taxonomy, model, lo: int, hi: int, explain: tuple[str, tuple]) -> int:
    import json

    import pyarrow as pa

    from ...core import jsonenc
    from ...core.explain import Explained

    keys = ("name", "products", "description", "industry", "scope", "tags")
    recs = con.execute("""SELECT e.id, e.name, e.products, e.description, coalesce(ind.industry, e.industry), e.scope, e.tags
        FROM enterprises e LEFT JOIN zs_ind ind ON ind.id = e.id JOIN zs_pair_ids s ON s.id = e.id WHERE e.id BETWEEN ? AND ? ORDER BY e.id""", [lo, hi]).fetchall()
    records = [dict(zip(keys, r[1:])) for r in recs]
    keep = [k for k, e in enumerate(records) if not scope_only(e)]
    ids = [recs[k][0] for k in keep]
    records = [records[k] for k in keep]
    del recs
    if not ids:
        return 0
    pos = {eid: k for k, eid in enumerate(ids)}
    nodes = [x.code for x in tax.level(2)]
    rules = con.execute("SELECT id, node, conf, evidence FROM zs_rules WHERE id BETWEEN ? AND ?", [lo, hi]).fetchall()
    confs: list[dict[str, float]] = [{} for _ in ids]
    rule_rows: dict[tuple[int, str], tuple[float, str]] = {}
    for eid, node, conf, ev in rules:
        if eid in pos:
            rule_rows[(eid, node)] = (conf, ev)
            if tax.nodes[node].level == 2:
                confs[pos[eid]][node] = round(float(conf), 4)  # as the placements store it (training read those)
    del rules
    # the rules' sub-node placements under each (enterprise, level-2 node)
    below: dict[tuple[int, str], list[tuple[str, tuple[float, str]]]] = defaultdict(list)
    for (eid, node), got in rule_rows.items():
        if tax.nodes[node].level > 2:
            below[(eid, tax.ancestor_at(node, 2).code)].append((node, got))
    probs = model.predict(records, confs, ids=ids)  # the texts the check counted are not counted again
    table = check_table(probs, len(ids), nodes)
    pairs, feats, occs = build_pairs(records, confs, tax)
    feats = with_check(feats, pairs, table, nodes)
    pm = model.pairs
    p = pm.predict(feats)
    # an institution that uses the technology (a hospital, a school: ``user_name``) is on a scenario node only with
    # the chain relevance the rules' gate asks (docs/gold-labelling.md, general rule 4: a hospital is not on 医疗AI;
    # its medical model is); the pair reader reads every other enterprise's gated nodes without the gate
    users = {ids[i] for i, e in enumerate(records) if _is_user(e.get("name"), tax)}
    relevant = {r[0] for r in con.execute("SELECT id FROM zs_relevant WHERE id BETWEEN ? AND ?", [lo, hi]).fetchall()} if users else set()
    # the pair reader overrules the rules or the check, never both: a pair neither the rules placed nor the check's
    # probability of AI lets through (below its gate) is not placed (docs/methods.md, "Twelfth candidate")
    gate = model.settings["gate"]

    def backed(i: int, code: str) -> bool:
        return code in confs[i] or bool(np.isnan(table[i, 0])) or table[i, 0] >= gate

    placed = {(ids[i], code): k for k, (i, code) in enumerate(pairs)
              if p[k] >= pm.bar and (ids[i] not in users or ids[i] in relevant or not tax.is_gated(code)) and backed(i, code)}
    row_best = held_to_best({key: float(p[k]) for key, k in placed.items()})  # (enterprise, node) kept → its best
    placed = {key: k for key, k in placed.items() if key in row_best}
    method_id, (params, phash) = explain
    method, version = method_id.rsplit("-v", 1)
    out = []
    order = sorted(placed.items())
    tops = dict(zip((k for _, k in order), pm.tops([feats[k] for _, k in order])))  # the trees walked once
    for (eid, code), k in order:
        i = pairs[k][0]
        # the pair model's probability is the placement's confidence: the part that decides, not a summand of the
        # rules' score (no contribution; ``decides``), its weightiest features named in words (reading.top_features)
        part = {"signal": "pairs", "label": code, "raw": round(float(p[k]), 4), "normalised": None, "weight": None,
                "contribution": None,
                "detail": {"decides": True, "p_pair": round(float(p[k]), 4), "bar": pm.bar, "row_best": round(row_best[(eid, code)], 4),
                           "held_to_best": HELD_TO_BEST, "top": named_features(tops[k]),
                           "p_chain": round(float(table[i, 0]), 4),
                           "p_node": None if np.isnan(table[i, 1 + nodes.index(code)]) else round(float(table[i, 1 + nodes.index(code)]), 4),
                           "rule_confidence": confs[i].get(code), "model": model.digest}}
        got = rule_rows.get((eid, code))
        if got is not None:
            doc = json.loads(got[1])
        else:  # a pair the rules left below their threshold: its words as the text evidence
            words = sorted({(f, tier, w) for f, tier, w, _, _ in occs[k]}, key=lambda x: (TIERS.index(x[1]), x[0], x[2]))
            doc = Explained(value=code, method=method, version=version, params=params, params_hash=phash,
                            parts=[], confidence=None, formula=FORMULA).to_json()
            doc["parts"] = [{"signal": "text", "label": None, "raw": 0.0, "normalised": None, "weight": 1.0,
                             "contribution": 0.0, "detail": {"keywords": [{"field": f, "tier": tier, "keyword": w}
                                                                          for f, tier, w in words], "negatives": []}}]
            doc["evidence"] = [{"table": "enterprises", "ids": [eid], "where": None, "note": None}]
        doc["parts"] = [x for x in doc.get("parts") or [] if x.get("signal") != "model"] + [part]
        doc["confidence"] = round(float(p[k]), 4)
        doc["formula"] = FORMULA
        out.append((eid, code, float(p[k]), jsonenc.dumps(doc)))
        # the rules' sub-node placements under a node the pair reader places stand with it
        for node, (conf, ev) in below.get((eid, code), ()):
            d3 = json.loads(ev)
            d3["parts"] = [x for x in d3.get("parts") or [] if x.get("signal") != "model"] + [part]
            out.append((eid, node, float(conf), jsonenc.dumps(d3)))
    # what stays of the check's placements: those resting on no text, on nodes the pair reader does not place
    kept = []
    for eid, node, conf, ev in con.execute("SELECT id, node, conf, evidence FROM zs_final WHERE id BETWEEN ? AND ?",
                                           [lo, hi]).fetchall():
        if eid not in pos:
            continue
        n2 = tax.ancestor_at(node, 2).code if tax.nodes[node].level >= 2 else node
        if not has_text(json.loads(ev)) and (eid, n2) not in placed:
            kept.append((eid, node, conf, ev))
    con.register("zs_pairs_read", pa.table({"id": pa.array(ids, pa.int64())}))
    try:
        con.execute("DELETE FROM zs_final WHERE id IN (SELECT id FROM zs_pairs_read)")
    finally:
        con.unregister("zs_pairs_read")
    rows = kept + out
    tbl = pa.table({"id": pa.array([r[0] for r in rows], pa.int64()), "node": pa.array([r[1] for r in rows], pa.string()),
                    "conf": pa.array([r[2] for r in rows], pa.float64()), "evidence": pa.array([r[3] for r in rows], pa.string())})
    con.register("zs_pairs_out", tbl)
    try:
        con.execute("INSERT INTO zs_final (id, node, conf, evidence) SELECT id, node, conf, evidence FROM zs_pairs_out")
    finally:
        con.unregister("zs_pairs_out")
    return len(ids)
