"""Training of the shipped event-type model (data/nlp/event_model.json) from the shared labelled data:
FinESE train rows (risk types mapped to ours, see events.finese_map) and the dev part of the hand-labelled event
set (data/nlp/event_gold.csv). Never the FinESE eval rows nor the gold test part. Needs scikit-learn."""

from __future__ import annotations

import re
from pathlib import Path

from .events import finese_map
from .sets import FINESE, FINNSP, MAX_CHARS, _rows, gold_rows
from .textmodel import LinearTextModel

__all__ = ["train_event_model", "train_sentiment_model", "finnsp_pairs"]

MAX_FEATURES = 6000
WINDOW = 60  # characters either side of a target the sentiment model reads


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


def finnsp_pairs(rows: list[dict]) -> list[dict]:
    """FinNSP rows → one (text, target span, other spans, gold) per candidate entity found in the text. A
    candidate whose every occurrence lies inside a longer candidate's ("资钱包" in "小资钱包") has no mention of
    its own — the linker's longest match would never return it — and gets ``start`` None."""
    out = []
    for r in rows:
        text = r["text"] or ""
        ents = [e for e in dict.fromkeys((r["entities"] or "").split(";")) if e]
        keys = set((r["key_entities"] or "").split(";")) if r["negative"] == "1" else set()
        occ = {e: [m.start() for m in re.finditer(re.escape(e), text)] for e in ents}
        longer = [(p, p + len(o)) for o, ps in occ.items() for p in ps]
        for e, ps in occ.items():
            if not ps:
                continue
            own = [p for p in ps if not any(a <= p and p + len(e) <= b and b - a > len(e) for a, b in longer)]
            start = own[0] if own else None
            others = [(p, p + len(o)) for o, qs in occ.items() if o != e for p in qs[:1]]
            out.append({"text": text, "entity": e, "start": start, "others": others, "negative": e in keys})
    return out


def target_window(text: str, start: int, end: int, width: int = WINDOW) -> str:
    """The text around a target with the target itself masked, the input of the target-negative model."""
    return text[max(0, start - width):start] + "Ⓣ" + text[end:end + width]


def train_sentiment_model(data, out: str | Path | None = None) -> LinearTextModel:
    """Is this text negative news about the target? Trained on FinNSP train pairs (never eval)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    pairs = [p for p in finnsp_pairs([r for r in _rows(data, FINNSP) if r["split"] == "train"])
             if p["start"] is not None]
    texts = [target_window(p["text"], p["start"], p["start"] + len(p["entity"])) for p in pairs]
    labels = ["negative" if p["negative"] else "other" for p in pairs]
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), max_features=MAX_FEATURES, sublinear_tf=True,
                          min_df=3)
    clf = LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced")
    clf.fit(vec.fit_transform(texts), labels)
    model = LinearTextModel.from_sklearn(vec, clf, meta={
        "trained_on": ["FinNSP train"], "rows": len(texts), "window": WINDOW,
        "features": "char 1-3 gram tf-idf of the target window, target masked", "classifier": "logistic regression C=4"})
    if out:
        model.save(out)
    return model
