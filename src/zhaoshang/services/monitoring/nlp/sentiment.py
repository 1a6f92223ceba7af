"""Sentiment towards one named enterprise in a text (not of the whole text): a Chinese financial lexicon
(data/nlp/sentiment_lexicon.yaml) and rules about which words speak of the target.

* a sentiment word counts fully in the target's clause (text between commas), half in the rest of its sentence,
  and not at all beyond;
* a word belongs to the nearest mention before it in its clause (subject–verb order): when another enterprise
  stands between the target and the word, the word is that enterprise's — unless they are listed together
  ("A、B、C等涨超5%"); in a passive ("甲被乙起诉") the word is the patient's (甲), not the agent's (乙); in another
  clause, a word counts only if that clause names no other enterprise;
* a negator shortly before a word flips it ("未受处罚", "没有下跌").

The lexicon score is ``tanh(total / 2)`` in −1..1. A small model trained on FinNSP (is this negative news about
the target? char n-grams of the text around it, the target masked; data/nlp/target_negative_model.json) then
pulls it down: with P(negative) = p ≥ 0.5 the score becomes ``min(score, 1 − 2p)``. The label is positive /
negative beyond ±``THRESHOLD``, else neutral.
"""

from __future__ import annotations

import importlib.resources
import math
import re
from functools import lru_cache

from ....core.config import parse_yaml

__all__ = ["sentiment_towards", "text_sentiment", "window_baseline", "THRESHOLD", "label_of"]

THRESHOLD = 0.2
_SENT_END = "。！？!?；;\n"
_CLAUSE_END = _SENT_END + "，,：:"
#: words that start with a negator character without negating anything
_NOT_NEGATION = ("不断", "不仅", "不少", "不过", "无论", "非常", "未来", "不同", "不超过", "不低于", "不高于", "无锡",
                 "非公开", "没多久", "不错", "未分配")
_ENUM_RE = re.compile(r"^[\s、，,和及与以及等等股份()（）\dA-Za-z.]*$")


@lru_cache(maxsize=1)
def _lexicon() -> dict:
    res = importlib.resources.files("zhaoshang").joinpath("data", "nlp", "sentiment_lexicon.yaml")
    cfg = parse_yaml(res.read_text(encoding="utf-8"), "情感词典", "sentiment lexicon", str(res))
    words = {**{k: float(v) for k, v in cfg["positive"].items()}, **{k: float(v) for k, v in cfg["negative"].items()}}
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))
    negators = sorted(cfg["negators"], key=len, reverse=True)
    return {"words": words, "re": pattern, "negators": negators, "window": int(cfg.get("negation_window", 4))}


def label_of(score: float, threshold: float = THRESHOLD) -> str:
    return "positive" if score >= threshold else "negative" if score <= -threshold else "neutral"


def _bounds(text: str, pos: int, ends: str) -> tuple[int, int]:
    a = pos
    while a > 0 and text[a - 1] not in ends:
        a -= 1
    b = pos
    while b < len(text) and text[b] not in ends:
        b += 1
    return a, b


def _negated(text: str, start: int, clause_start: int, lex: dict) -> str | None:
    lo = max(clause_start, start - lex["window"])
    window = text[lo:start]
    for neg in lex["negators"]:
        i = window.rfind(neg)
        if i < 0:
            continue
        if any(text[lo + i:lo + i + len(x)] == x for x in _NOT_NEGATION):
            continue
        return neg
    return None


def _belongs_to_other(text, t0, t1, w0, w1, others) -> bool:
    """True when the word speaks of another enterprise: another mention stands between the target and the word
    (and is not listed with the target), or the target is the agent of a passive ("乙被甲起诉": 起诉 is 乙's)."""
    if w0 >= t1 and text[max(0, t0 - 1):t0] == "被" and any(b <= t0 - 1 and t0 - 1 - b <= 2 for _a, b in others):
        return True
    if w0 >= t1:
        between = [(a, b) for a, b in others if t1 <= a and b <= w0]
        if between and "被" in text[t1:min(a for a, _b in between)]:
            return False  # "甲被乙起诉": the target suffers what the other does

        lo, hi = t1, w0
    else:
        between = [(a, b) for a, b in others if w1 <= a and b <= t0]
        lo, hi = w1, t0
    if not between:
        return False
    rest = text[lo:hi]
    for a, b in sorted(between, reverse=True):
        rest = rest[: a - lo] + rest[b - lo:]
    # the target listed with the others before one shared verb ("A、B、C等涨超5%"): the word is theirs together
    return not (w0 >= t1 and _ENUM_RE.match(rest))


@lru_cache(maxsize=1)
def _model():
    from .textmodel import LinearTextModel

    return LinearTextModel.load_packaged("target_negative_model.json")


def sentiment_towards(text: str, mention_start: int, mention_end: int,
                      others: list[tuple[int, int]] | None = None, use_model: bool = True) -> tuple[float, str, dict]:
    """(score −1..1, label, explanation) of ``text`` towards the mention at ``[mention_start, mention_end)``.
    ``others``: spans of the other enterprises the text names (e.g. the linker's), so that their words are not
    taken for the target's. With ``use_model``, the target-negative model (FinNSP) may pull the score down."""
    lex = _lexicon()
    text = text or ""
    others = [(a, b) for a, b in (others or []) if not (a < mention_end and b > mention_start)]
    s0, s1 = _bounds(text, mention_start, _SENT_END)
    c0, c1 = _bounds(text, mention_start, _CLAUSE_END)
    total, used = 0.0, []
    for m in lex["re"].finditer(text, s0, s1):
        w0, w1 = m.start(), m.end()
        if w0 < mention_end and w1 > mention_start:
            continue  # part of the name itself ("中国平安" is not "平安" news)
        weight = lex["words"][m.group(0)]
        if c0 <= w0 < c1:
            if _belongs_to_other(text, mention_start, mention_end, w0, w1, others):
                continue
            factor, where = 1.0, "clause"
        else:
            k0, k1 = _bounds(text, w0, _CLAUSE_END)
            if any(k0 <= a < k1 for a, _b in others):
                continue
            factor, where = 0.5, "sentence"
        k0, _k1 = _bounds(text, w0, _CLAUSE_END)
        neg = _negated(text, w0, k0, lex)
        if neg:
            factor = -factor
        contribution = weight * factor
        total += contribution
        used.append({"word": m.group(0), "at": w0, "weight": weight, "scope": where, "negated_by": neg,
                     "contribution": round(contribution, 3)})
    score = lexicon_score = math.tanh(total / 2)
    why = {"method": "lexicon-rules-v1", "total": round(total, 3), "words": used, "threshold": THRESHOLD}
    model = _model() if use_model else None
    if model is not None:
        from .train import target_window

        p_neg = model.predict_proba(target_window(text, mention_start, mention_end))["negative"]
        if p_neg >= 0.5:
            score = min(score, 1 - 2 * p_neg)
        why.update(method="lexicon-rules+target-negative-model-v1", lexicon_score=round(lexicon_score, 4),
                   model_negative=round(p_neg, 4))
    score = round(score, 4)
    return score, label_of(score), why


def window_baseline(text: str, mention_start: int, mention_end: int, window: int = 20) -> tuple[float, str]:
    """The baseline: lexicon weights of the words within ``window`` characters of the mention, no rules."""
    lex = _lexicon()
    lo, hi = max(0, mention_start - window), min(len(text), mention_end + window)
    total = sum(lex["words"][m.group(0)] for m in lex["re"].finditer(text, lo, hi)
                if not (m.start() < mention_end and m.end() > mention_start))
    score = math.tanh(total / 2)
    return round(score, 4), label_of(score)


def text_sentiment(text: str, negation: bool = True) -> tuple[float, str]:
    """Polarity of a whole text (no target): the lexicon over every word, negators flipping (``negation``)."""
    lex = _lexicon()
    total = 0.0
    for m in lex["re"].finditer(text or ""):
        w = lex["words"][m.group(0)]
        if negation and _negated(text, m.start(), _bounds(text, m.start(), _CLAUSE_END)[0], lex):
            w = -w
        total += w
    score = math.tanh(total / 2)
    return round(score, 4), label_of(score)
