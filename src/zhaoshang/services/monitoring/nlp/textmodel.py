"""A small linear text model shipped as a data file: character n-gram TF-IDF (sublinear tf, L2 norm) and a
multinomial logistic regression, trained with scikit-learn (``train.py``) and applied here with numpy alone, so
that classifying a news item needs neither scikit-learn nor the training data at run time."""

from __future__ import annotations

import importlib.resources
import json
import math
from collections import Counter
from pathlib import Path

__all__ = ["LinearTextModel"]


class LinearTextModel:
    """``vocab`` n-gram → column, ``idf`` per column, ``coef`` classes × columns, ``intercept`` per class."""

    def __init__(self, classes, vocab, idf, coef, intercept, ngram_range=(1, 3), meta=None):
        import numpy as np  # here: every command imports this module (through the alerts), few load a model

        self.classes = list(classes)
        self.vocab = dict(vocab)
        self.idf = np.asarray(idf, dtype=float)
        self.coef = np.asarray(coef, dtype=float)
        self.intercept = np.asarray(intercept, dtype=float)
        self.ngram_range = tuple(ngram_range)
        self.meta = meta or {}

    # the same analyser as scikit-learn's char n-grams: lower case, white space runs collapsed to one space
    def _ngrams(self, text: str) -> Counter:
        s = " ".join((text or "").lower().split())
        lo, hi = self.ngram_range
        c: Counter = Counter()
        for n in range(lo, hi + 1):
            for i in range(len(s) - n + 1):
                g = s[i:i + n]
                if g in self.vocab:
                    c[self.vocab[g]] += 1
        return c

    def decision(self, text: str) -> np.ndarray:
        import numpy as np

        c = self._ngrams(text)
        if not c:
            return self.intercept.copy()
        cols = np.fromiter(c.keys(), dtype=int)
        vals = np.array([1.0 + math.log(v) for v in c.values()]) * self.idf[cols]
        vals /= np.linalg.norm(vals) or 1.0
        return self.coef[:, cols] @ vals + self.intercept

    def predict_proba(self, text: str) -> dict[str, float]:
        z = self.decision(text)
        if len(self.classes) == 2 and z.shape[0] == 1:
            p1 = 1.0 / (1.0 + math.exp(-float(z[0])))
            return {self.classes[0]: 1.0 - p1, self.classes[1]: p1}
        import numpy as np

        z = np.exp(z - z.max())
        z /= z.sum()
        return {c: float(p) for c, p in zip(self.classes, z)}

    def to_json(self) -> dict:
        return {"classes": self.classes, "ngram_range": list(self.ngram_range), "meta": self.meta,
                "vocab": self.vocab, "idf": [round(float(x), 4) for x in self.idf],
                "coef": [[round(float(x), 4) for x in row] for row in self.coef],
                "intercept": [round(float(x), 4) for x in self.intercept]}

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":")), encoding="utf-8")

    @classmethod
    def from_json(cls, d: dict) -> "LinearTextModel":
        return cls(d["classes"], d["vocab"], d["idf"], d["coef"], d["intercept"], d.get("ngram_range", (1, 3)),
                   d.get("meta"))

    @classmethod
    def load_packaged(cls, name: str) -> "LinearTextModel | None":
        res = importlib.resources.files("zhaoshang").joinpath("data", "nlp", name)
        if not res.is_file():
            return None
        return cls.from_json(json.loads(res.read_text(encoding="utf-8")))

    @classmethod
    def from_sklearn(cls, vectorizer, clf, meta=None) -> "LinearTextModel":
        vocab = {g: int(i) for g, i in vectorizer.vocabulary_.items()}
        return cls([str(c) for c in clf.classes_], vocab, vectorizer.idf_, clf.coef_, clf.intercept_,
                   vectorizer.ngram_range, meta)
