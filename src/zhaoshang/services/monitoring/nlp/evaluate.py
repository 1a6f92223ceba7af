"""Measurements of the news text analysis on the real labelled sets in the shared data directory.

Each function returns the method's figures next to its baseline's, on one split; ``limit`` takes the first rows
only (tests run on a slice). Figures are published in docs/methods.md ("News text analysis"); rules and
keywords are developed on the dev splits (CFSC-NER val, FinESE train, FinFE/FinNSP train, the dev part of the
hand-labelled event set) and reported on the test splits.
"""

from __future__ import annotations

from collections import Counter

from ....core.errors import UserError
from ....core.text import normalize_name
from .linker import MentionLinker
from .sets import (ABSA, COMPANY_TYPES, FINESE, FINFE, FINNSP, LISTED, MAX_CHARS, NER_MENTIONS, NER_SENTENCES, _path,
                   _rows, gold_rows)

__all__ = ["load_linker", "baseline_linker", "evaluate_linking", "evaluate_subjects", "evaluate_events",
           "evaluate_sentiment", "evaluate_all", "TASKS", "SPLITS"]


def load_linker(data, store=None) -> MentionLinker:
    """The linker over the A-share list imported as a user would (preset ``a_share_merged``) into ``store``
    (a new in-memory store when none is given)."""
    from ....core.importers import import_files
    from ....core.store import Store

    if store is None:
        store = Store(":memory:")
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
                if i + L <= len(norm) and norm[i:i + L] in self.names:
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

    from .train import finnsp_pairs

    out_m, out_l, out_b = [], [], []
    if dataset == "absa":
        rows = [r for r in _rows(data, ABSA) if r["aspect_category"] in COMPANY_TYPES][:limit]
        spans: dict[str, list] = {}
        for r in rows:
            spans.setdefault(r["sentence_id"], []).append((int(r["from"]), int(r["to"])))
        for r in rows:
            a, b = int(r["from"]), int(r["to"])
            others = [s for s in spans[r["sentence_id"]] if s != (a, b)]
            out_m.append((r["polarity"], sentiment_towards(r["sentence"], a, b, others)[1]))
            out_l.append((r["polarity"], sentiment_towards(r["sentence"], a, b, others, use_model=False)[1]))
            out_b.append((r["polarity"], window_baseline(r["sentence"], a, b)[1]))
        labels = ["negative", "neutral", "positive"]
        name = "CFSC-ABSA (Corporate+Stock)"
    elif dataset == "finnsp":
        if split not in ("train", "eval"):
            raise UserError("FinNSP 的划分只有 train 与 eval", "FinNSP splits are train and eval")
        rows = [r for r in _rows(data, FINNSP) if r["split"] == split][:limit]
        for p in finnsp_pairs(rows):
            gold = "negative" if p["negative"] else "other"
            if p["start"] is None:  # nested in a longer candidate: no mention of its own, nothing to score
                for out in (out_m, out_l, out_b):
                    out.append((gold, "other"))
                continue
            a, b, text = p["start"], p["start"] + len(p["entity"]), p["text"]
            out_m.append((gold, "negative" if sentiment_towards(text, a, b, p["others"])[0] < 0 else "other"))
            out_l.append((gold, "negative" if sentiment_towards(text, a, b, p["others"], use_model=False)[0] < 0
                          else "other"))
            out_b.append((gold, "negative" if window_baseline(text, a, b)[0] < 0 else "other"))
        labels = ["negative", "other"]
        name = "FinNSP"
    elif dataset == "finfe":
        from .sentiment import text_sentiment

        if split not in ("train", "eval"):
            raise UserError("FinFE 的划分只有 train 与 eval", "FinFE splits are train and eval")
        for r in [r for r in _rows(data, FINFE) if r["split"] == split][:limit]:
            out_l.append((r["label_name"], text_sentiment(r["text"])[1]))
            out_b.append((r["label_name"], text_sentiment(r["text"], negation=False)[1]))
        out_m = out_l
        labels = ["negative", "neutral", "positive"]
        name = "FinFE (whole post, no target)"
    else:
        raise UserError(f"未知的情感评测集 {dataset}（absa、finnsp 或 finfe）",
                        f"unknown sentiment set {dataset} (absa, finnsp or finfe)")
    return {"set": name, "split": "all" if dataset == "absa" else split, "method": _acc_f1(out_m, labels),
            "lexicon_only": _acc_f1(out_l, labels), "baseline": _acc_f1(out_b, labels)}


def evaluate_events(data, split: str = "eval", limit: int | None = None) -> dict:
    """Event type, macro-F1 against the keyword baseline: on FinESE (``split`` train | eval; every (text, type)
    row, types mapped by ``finese_map``) and on the hand-labelled event set (dev with train, test with eval)."""
    from .events import classify_event, finese_map, keyword_baseline

    if split not in ("train", "eval"):
        raise UserError("FinESE 的划分只有 train 与 eval", "FinESE splits are train and eval")
    mapping = finese_map()
    rows = [r for r in _rows(data, FINESE) if r["split"] == split][:limit]
    cache: dict[str, tuple[str, str]] = {}
    out_m, out_b, out_r = [], [], []
    for r in rows:
        text = r["text"][:MAX_CHARS]
        if text not in cache:
            cache[text] = (classify_event(text)[0], keyword_baseline(text), classify_event(text, use_model=False)[0])
        m, b, ru = cache[text]
        gold = mapping.get(r["event_type"], "other")
        out_m.append((gold, m))
        out_b.append((gold, b))
        out_r.append((gold, ru))
    labels = sorted(set(mapping.values()))
    gsplit = "dev" if split == "train" else "test"
    grows = gold_rows(gsplit)[:limit]
    g_m = [(r["label"], classify_event(r["text"])[0]) for r in grows]
    g_b = [(r["label"], keyword_baseline(r["text"])) for r in grows]
    g_r = [(r["label"], classify_event(r["text"], use_model=False)[0]) for r in grows]
    focus = ["expansion", "contract"]
    texts: dict[str, set] = {}
    for r in rows:
        texts.setdefault(r["text"][:MAX_CHARS], set()).add(mapping.get(r["event_type"], "other"))
    return {"set": "FinESE", "split": split, "labels": labels, "method": _acc_f1(out_m, labels),
            "all_types": _types_found(texts.items()),
            "rules_only": _acc_f1(out_r, labels), "baseline": _acc_f1(out_b, labels),
            "gold": {"set": "event_gold (hand-labelled)", "split": gsplit, "labels_scored": focus,
                     "method": _acc_f1(g_m, focus), "rules_only": _acc_f1(g_r, focus), "baseline": _acc_f1(g_b, focus),
                     "all_types": _types_found((r["text"], {r["label"]}) for r in grows)}}


def _types_found(items) -> dict:
    """Every type an item keeps (its primary type and the others its text states, ``also_types``) against the gold
    types of each text: the gold labels found by the primary type alone and by all of them, and how many other types
    were added (those among the gold labels: ``others_in_gold``; a single-labelled set counts the rest as not gold,
    though a text may state them)."""
    from .events import classify_event

    c = Counter()
    for text, gold in items:
        primary, _conf, why = classify_event(text)
        also = {a["type"] for a in why["also"]}
        c.update({"texts": 1, "gold_labels": len(gold), "found_primary": primary in gold,
                  "found_with_others": len(({primary} | also) & gold), "texts_with_others": bool(also),
                  "others": len(also), "others_in_gold": len(also & gold)})
    return dict(c)


def evaluate_subjects(data, split: str = "eval", limit: int | None = None, linker: MentionLinker | None = None) -> dict:
    """Event-subject identification on FinESE rows with a subject: given the text and its event type (mapped),
    is the chosen enterprise the subject? A choice is right when the gold subject is one of the chosen
    enterprise's names or the mention's own text (normalised). Baseline: the first listed-company short name found (longest match).
    ``listed`` repeats the figures on the rows whose subject is a listed company (the reachable ones)."""
    from .events import finese_map
    from .subjects import event_subject

    if split not in ("train", "eval"):
        raise UserError("FinESE 的划分只有 train 与 eval", "FinESE splits are train and eval")
    mapping = finese_map()
    rows = [r for r in _rows(data, FINESE) if r["split"] == split and r["subject"]][:limit]
    linker = linker or load_linker(data)
    names: dict[int, set] = {}
    for key, ids in linker.keys.items():
        for eid in ids:
            names.setdefault(eid, set()).add(key)
    base = baseline_linker(data)
    code_names: dict[str, set] = {}
    for r in _rows(data, LISTED):
        code_names[r["code"]] = {normalize_name(r["short_name"] or ""), normalize_name(r["full_name"] or "")}
    counts = Counter()
    for r in rows:
        gold = normalize_name(r["subject"])
        listed = bool(r["derived_a_share_code"])
        m, _why = event_subject(r["text"], linker.link(r["text"]), mapping.get(r["event_type"], "other"))
        ok = m is not None and (gold in names.get(m.enterprise_id, ()) or normalize_name(m.mention) == gold)
        spans = base.spans(r["text"])
        b_ok = bool(spans) and (gold in code_names.get(spans[0][2], ())
                                or normalize_name(r["text"][spans[0][0]:spans[0][1]]) == gold)
        counts.update({"n": 1, "ok": ok, "b_ok": b_ok, "answered": m is not None, "b_answered": bool(spans),
                       "n_listed": listed, "ok_listed": ok and listed, "b_ok_listed": b_ok and listed})

    def fig(ok, answered, n):
        out = {"accuracy": round(ok / n, 4) if n else 0.0, "correct": ok, "n": n}
        if answered is not None:
            out.update(answered=answered, precision_of_answers=round(ok / answered, 4) if answered else 0.0)
        return out

    return {"set": "FinESE", "split": split, "method": fig(counts["ok"], counts["answered"], counts["n"]),
            "baseline": fig(counts["b_ok"], counts["b_answered"], counts["n"]),
            "listed": {"method": fig(counts["ok_listed"], None, counts["n_listed"]),
                       "baseline": fig(counts["b_ok_listed"], None, counts["n_listed"])}}


TASKS = ("linking", "subjects", "events", "sentiment")
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
    if "subjects" in tasks:
        out["subjects"] = evaluate_subjects(data, SPLITS["subjects"][split], limit)
    if "events" in tasks:
        res = evaluate_events(data, SPLITS["events"][split], limit)
        out["events_gold"] = res.pop("gold")
        out["events_finese"] = res
    if "sentiment" in tasks:
        out["sentiment_finnsp"] = evaluate_sentiment(data, "finnsp", SPLITS["sentiment"][split], limit)
        out["sentiment_finfe"] = evaluate_sentiment(data, "finfe", SPLITS["sentiment"][split], limit)
        if split == "test":
            out["sentiment_absa"] = evaluate_sentiment(data, "absa", limit=limit)
    return out
