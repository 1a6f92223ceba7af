"""Measurements of the news text analysis on the real labelled sets in the shared data directory.

Each function returns the method's figures next to its baseline's, on one split; ``limit`` takes the first rows
only (tests run on a slice). Figures are published in docs/methods.md ("News text analysis"); rules and
keywords are developed on the dev splits (CFSC-NER val, FinESE train, FinFE/FinNSP train, the dev part of the
hand-labelled event set) and reported on the test splits.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from ....core.errors import UserError
from ....core.text import normalize_name
from .linker import MentionLinker

__all__ = ["load_linker", "evaluate_linking",
           "baseline_linker"]

LISTED = "listed_companies/a_share_companies_merged.csv"
NER_SENTENCES, NER_MENTIONS = "news/cfsc_ner_sentences.csv", "news/cfsc_ner_mentions.csv"
FINESE = "news/cfleb_finese_event_subject_ccks2019.csv"
ABSA = "sentiment/cfsc_absa_company_sentiment.csv"
FINNSP = "sentiment/cfleb_finnsp_negative_entity_news.csv"
COMPANY_TYPES = ("Corporate", "Stock")


def _path(data: str | Path, rel: str) -> Path:
    p = Path(data) / rel
    if not p.exists():
        raise UserError(f"找不到评测数据 {p}（用 --data 指定公开数据目录）", f"evaluation data not found: {p} (set --data)")
    return p


def _rows(data, rel: str) -> list[dict]:
    with open(_path(data, rel), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def load_linker(data, store=None) -> MentionLinker:
    """The linker over the A-share list imported as a user would (preset ``a_share_merged``) into ``store``
    (a new in-memory store when none is given)."""
    from ....core.importers import import_files
    from ....core.store import Store

    if store is None:
        store = Store(None)
    if not store.query("SELECT 1 FROM enterprises LIMIT 1"):
        import_files(store, "enterprises", [_path(data, LISTED)], preset="a_share_merged", data_date="2026-03-31")
    return MentionLinker.from_store(store)


class baseline_linker:
    """The baseline: leftmost-longest match of listed-company short names, nothing filtered, first company wins."""

    def __init__(self, data):
        self.names: dict[str, str] = {}
        for r in _rows(data, LISTED):
            if r.get("short_name"):
                self.names.setdefault(normalize_name(r["short_name"]), r["code"])
        self.lengths = sorted({len(k) for k in self.names}, reverse=True)

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        from .linker import normalise_with_offsets

        norm, where = normalise_with_offsets(text)
        out, i = [], 0
        while i < len(norm):
            for L in self.lengths:
                if norm[i:i + L] in self.names:
                    out.append((where[i], where[i + L - 1] + 1, self.names[norm[i:i + L]]))
                    i += L
                    break
            else:
                i += 1
        return out


def _prf(tp: int, n_pred: int, n_gold: int) -> dict:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "predicted": n_pred,
            "gold": n_gold}


def evaluate_linking(data, split: str = "val", limit: int | None = None, linker: MentionLinker | None = None) -> dict:
    """Company-mention detection on CFSC-NER: exact span P/R/F1 for Corporate + Stock mentions. ``linked``
    counts linked mentions, ``detected`` linked and ambiguous ones (both are company mentions found)."""
    if split not in ("val", "test"):
        raise UserError("CFSC-NER 的划分只有 val 与 test", "CFSC-NER splits are val and test")
    sents = [r for r in _rows(data, NER_SENTENCES) if r["split"] == split][:limit]
    ids = {r["sentence_id"] for r in sents}
    gold: dict[str, set] = {i: set() for i in ids}
    for m in _rows(data, NER_MENTIONS):
        if m["sentence_id"] in ids and m["entity_type"] in COMPANY_TYPES:
            gold[m["sentence_id"]].add((int(m["from"]), int(m["to"])))
    linker = linker or load_linker(data)
    base = baseline_linker(data)
    n_gold = sum(len(g) for g in gold.values())
    counts = Counter()
    for r in sents:
        g = gold[r["sentence_id"]]
        res = linker.link(r["text"])
        lk = {(m.start, m.end) for m in res.linked}
        det = lk | {(m.start, m.end) for m in res.ambiguous}
        bs = {(a, b) for a, b, _ in base.spans(r["text"])}
        counts.update({"linked_tp": len(lk & g), "linked_n": len(lk), "det_tp": len(det & g), "det_n": len(det),
                       "base_tp": len(bs & g), "base_n": len(bs)})
    return {"set": "CFSC-NER", "split": split, "sentences": len(sents), "types": list(COMPANY_TYPES),
            "method": _prf(counts["linked_tp"], counts["linked_n"], n_gold),
            "detected": _prf(counts["det_tp"], counts["det_n"], n_gold),
            "baseline": _prf(counts["base_tp"], counts["base_n"], n_gold)}


def _acc_f1(pairs: list[tuple[str, str]], labels: list[str] | None = None) -> dict:
    """Accuracy and macro-F1 of (gold, predicted) pairs over ``labels`` (default: the gold labels seen)."""
    labels = labels or sorted({g for g, _ in pairs})
    n = len(pairs)
    acc = sum(g == p for g, p in pairs) / n if n else 0.0
    per = {}
    for lab in labels:
        tp = sum(g == lab and p == lab for g, p in pairs)
        fp = sum(g != lab and p == lab for g, p in pairs)
        fn = sum(g == lab and p != lab for g, p in pairs)
        pr = tp / (tp + fp) if tp + fp else 0.0
        rc = tp / (tp + fn) if tp + fn else 0.0
        per[lab] = round(2 * pr * rc / (pr + rc), 4) if pr + rc else 0.0
    return {"n": n, "accuracy": round(acc, 4), "macro_f1": round(sum(per.values()) / len(per), 4) if per else 0.0,
            "f1_per_label": per}


def evaluate_sentiment(data, dataset: str = "absa", split: str = "eval", limit: int | None = None) -> dict:
    """Sentiment towards a target. ``absa``: CFSC-ABSA Corporate + Stock targets, 3 classes (it has no train
    split: every row is a test row). ``finnsp``: FinNSP, each (text, candidate entity) pair, negative or not,
    on ``split`` (train for development, eval for reporting)."""
    from .sentiment import sentiment_towards, window_baseline

    out_m, out_b = [], []
    if dataset == "absa":
        rows = [r for r in _rows(data, ABSA) if r["aspect_category"] in COMPANY_TYPES][:limit]
        spans: dict[str, list] = {}
        for r in rows:
            spans.setdefault(r["sentence_id"], []).append((int(r["from"]), int(r["to"])))
        for r in rows:
            a, b = int(r["from"]), int(r["to"])
            others = [s for s in spans[r["sentence_id"]] if s != (a, b)]
            out_m.append((r["polarity"], sentiment_towards(r["sentence"], a, b, others)[1]))
            out_b.append((r["polarity"], window_baseline(r["sentence"], a, b)[1]))
        labels = ["negative", "neutral", "positive"]
        name = "CFSC-ABSA (Corporate+Stock)"
    elif dataset == "finnsp":
        if split not in ("train", "eval"):
            raise UserError("FinNSP 的划分只有 train 与 eval", "FinNSP splits are train and eval")
        rows = [r for r in _rows(data, FINNSP) if r["split"] == split][:limit]
        for r in rows:
            text = r["text"] or ""
            ents = [e for e in (r["entities"] or "").split(";") if e]
            keys = set((r["key_entities"] or "").split(";")) if r["negative"] == "1" else set()
            found = {e: text.find(e) for e in ents if text.find(e) >= 0}
            for e, pos in found.items():
                others = [(p, p + len(o)) for o, p in found.items() if o != e]
                gold = "negative" if e in keys else "other"
                score = sentiment_towards(text, pos, pos + len(e), others)[0]
                base = window_baseline(text, pos, pos + len(e))[0]
                out_m.append((gold, "negative" if score < 0 else "other"))
                out_b.append((gold, "negative" if base < 0 else "other"))
        labels = ["negative", "other"]
        name = "FinNSP"
    else:
        raise UserError(f"未知的情感评测集 {dataset}（absa 或 finnsp）", f"unknown sentiment set {dataset} (absa or finnsp)")
    return {"set": name, "split": "all" if dataset == "absa" else split, "method": _acc_f1(out_m, labels),
            "baseline": _acc_f1(out_b, labels)}


TASKS = ("linking", "sentiment")
#: the dev and test split of each labelled set (dev: where rules and keywords are developed; test: reported)
SPLITS = {"linking": {"dev": "val", "test": "test"}, "subjects": {"dev": "train", "test": "eval"},
          "events": {"dev": "train", "test": "eval"}, "sentiment": {"dev": "train", "test": "eval"}}


def evaluate_all(data, split: str = "dev", tasks: tuple[str, ...] = TASKS, limit: int | None = None) -> dict:
    """Every measurement in ``tasks`` on the dev or the test splits; CFSC-ABSA (no train split) only with test."""
    if split not in ("dev", "test"):
        raise UserError("--split 只能是 dev 或 test", "--split must be dev or test")
    unknown = [t for t in tasks if t not in TASKS]
    if unknown:
        raise UserError(f"未知的评测任务 {unknown[0]}（可选 {', '.join(TASKS)}）",
                        f"unknown evaluation task {unknown[0]} (one of {', '.join(TASKS)})")
    out: dict = {"split": split, "data": str(data)}
    if "linking" in tasks:
        out["linking"] = evaluate_linking(data, SPLITS["linking"][split], limit)
    if "sentiment" in tasks:
        out["sentiment_finnsp"] = evaluate_sentiment(data, "finnsp", SPLITS["sentiment"][split], limit)
        if split == "test":
            out["sentiment_absa"] = evaluate_sentiment(data, "absa", limit=limit)
    return out
