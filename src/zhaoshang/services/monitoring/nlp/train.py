"""Training of the shipped event-type model (data/nlp/event_model.json) from the shared labelled data:
FinESE train rows (risk types mapped to ours, see events.finese_map) and the dev part of the hand-labelled event
set (data/nlp/event_gold.csv). Never the FinESE eval rows nor the gold test part. Needs scikit-learn."""

from __future__ import annotations

from pathlib import Path

from .events import finese_map
from .sets import FINESE, MAX_CHARS, _rows, gold_rows
from .textmodel import LinearTextModel

__all__ = ["train_event_model"]

MAX_FEATURES = 6000


def train_event_model(data, out: str | Path | None = None) -> LinearTextModel:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression


    mapping = finese_map()
    texts, labels, seen = [], [], set()
    for r in _rows(data, FINESE):
        if r["split"] != "train":
            continue
        key = (r["text"], mapping.get(r["event_type"], "other"))
        if key in seen:
            continue
        seen.add(key)
        texts.append(r["text"][:MAX_CHARS])
        labels.append(key[1])
    for r in gold_rows("dev"):
        for _ in range(3):  # a few hundred hand-labelled rows next to 14 k FinESE rows
            texts.append(r["text"])
            labels.append(r["label"])
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), max_features=MAX_FEATURES, sublinear_tf=True,
                          min_df=3, dtype=float)
    x = vec.fit_transform(texts)
    clf = LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced")
    clf.fit(x, labels)
    model = LinearTextModel.from_sklearn(vec, clf, meta={
        "trained_on": ["FinESE train (mapped)", "event_gold dev"], "rows": len(texts),
        "features": "char 1-3 gram tf-idf (sublinear), top %d" % MAX_FEATURES, "classifier": "logistic regression C=4"})
    if out:
        model.save(out)
    return model
