"""Event type of a news item: keyword rules (data/nlp/event_types.yaml) combined with a small linear text model
(data/nlp/event_model.json, char n-gram TF-IDF + logistic regression trained by ``train.py``).

The rules know every type; the model learned the types it has labelled rows for (the FinESE risk types mapped
to ours, and the dev part of the hand-labelled expansion/signing set). The decision, in order:
a rule total of at least ``STRONG_RULE`` wins, and so does one of ``RULE_OVER_OTHER`` for a type the
model has (almost) no rows of when the model says 其他; else the model's type when its probability reaches
``MODEL_MIN``; else the best rule type reaching the YAML's ``min_score``; else 其他 (``other``).

An item keeps every type its text states: beside that primary type, each other type whose rule total reaches
``ALSO_RULE`` (the explanation's ``also``, with its confidence and keywords) — "完成B轮融资2亿元，拟在杭州设立算力中心"
is an expansion and a funding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ....core.event_types import finese_map, type_config
from .textmodel import LinearTextModel

__all__ = ["EVENT_TYPES", "EventType", "classify_event", "rule_scores", "keyword_baseline", "finese_map",
           "also_types", "STRONG_RULE", "MODEL_MIN", "ALSO_RULE"]

STRONG_RULE = 3.0
#: a rule total from which a type the FinESE data does not have (funding, stake …) wins over the model's 其他
RULE_OVER_OTHER = 2.0
MODEL_MIN = 0.6
#: a rule total from which a type other than the primary one is also the item's (the total at which a rule type
#: wins over the model's 其他: a keyword of weight ≥ 2, or two of the type's keywords)
ALSO_RULE = RULE_OVER_OTHER


@dataclass(frozen=True)
class EventType:
    code: str
    zh: str
    en: str
    baseline: str | None
    patterns: tuple[tuple[re.Pattern, float, str], ...]


_config = type_config  # the one reader of data/nlp/event_types.yaml


@lru_cache(maxsize=1)
def _types() -> dict[str, EventType]:
    out = {}
    for code, spec in _config()["types"].items():
        pats = tuple((re.compile(p, re.I), float(w), p) for p, w in (spec.get("keywords") or {}).items())
        out[code] = EventType(code, spec["zh"], spec["en"], spec.get("baseline"), pats)
    return out


EVENT_TYPES: dict[str, tuple[str, str]] = {c: (t.zh, t.en) for c, t in _types().items()}


@lru_cache(maxsize=1)
def _model() -> LinearTextModel | None:
    return LinearTextModel.load_packaged("event_model.json")


def rule_scores(text: str) -> dict[str, tuple[float, list[str]]]:
    """Per type: the total weight of its keywords found in ``text`` (each pattern counted once) and the words."""
    out = {}
    for code, t in _types().items():
        total, hits = 0.0, []
        for pat, w, _src in t.patterns:
            m = pat.search(text)
            if m:
                total += w
                hits.append(m.group(0))
        if total:
            out[code] = (round(total, 3), hits)
    return out


def keyword_baseline(title: str, body: str = "") -> str:
    """The baseline: the type whose one keyword occurs first in the text, else ``other``."""
    text = f"{title or ''}\n{body or ''}"
    best, pos = "other", len(text) + 1
    for code, t in _types().items():
        if t.baseline:
            i = text.find(t.baseline)
            if 0 <= i < pos:
                best, pos = code, i
    return best


def also_types(rules: dict[str, tuple[float, list[str]]], primary: str) -> list[dict]:
    """The other types a text states besides ``primary``: each type whose rule total (``rule_scores``) reaches
    ``ALSO_RULE``, highest total first, with its confidence (0.4 + total / 10, at most 0.8: the rules' step) and
    keywords."""
    out = [{"type": code, "confidence": round(min(0.8, 0.4 + score / 10), 3), "score": score, "keywords": hits}
           for code, (score, hits) in rules.items() if code != primary and score >= ALSO_RULE]
    return sorted(out, key=lambda a: (-a["score"], a["type"]))


def classify_event(title: str, body: str = "", use_model: bool = True) -> tuple[str, float, dict]:
    """(type code, confidence 0..1, explanation) of a news item; the explanation names the keywords found per
    type, the model's top probabilities, which step decided and the other types the text also states (``also``)."""
    text = f"{title or ''}\n{body or ''}".strip()
    rules = rule_scores(text)
    min_score = float(_config().get("min_score", 1.0))
    best_rule = max(rules.items(), key=lambda kv: kv[1][0]) if rules else None
    probs = {}
    model = _model() if use_model else None
    if model is not None and text:
        probs = model.predict_proba(text)
    top_model = max(probs.items(), key=lambda kv: kv[1]) if probs else None
    explanation = {"rules": {c: {"score": s, "keywords": h} for c, (s, h) in rules.items()},
                   "model": {c: round(p, 3) for c, p in sorted(probs.items(), key=lambda kv: -kv[1])[:3]}}
    if best_rule and (best_rule[1][0] >= STRONG_RULE or (
            best_rule[1][0] >= RULE_OVER_OTHER and top_model and top_model[0] == "other"
            and best_rule[0] not in set(finese_map().values()))):
        code, conf, step = best_rule[0], min(0.95, 0.6 + best_rule[1][0] / 10), "rules"
    elif top_model and top_model[1] >= MODEL_MIN:
        code, conf, step = top_model[0], top_model[1], "model"
    elif best_rule and best_rule[1][0] >= min_score:
        code, conf, step = best_rule[0], min(0.8, 0.4 + best_rule[1][0] / 10), "rules"
    elif top_model:
        code, conf, step = top_model[0], top_model[1], "model"
    else:
        code, conf, step = "other", 0.5, "default"
    explanation["decided_by"] = step
    explanation["also"] = also_types(rules, code)
    return code, round(float(conf), 3), explanation
