"""One news item through the whole text analysis: linked enterprises, event type, sentiment towards each."""

from __future__ import annotations

from .events import EVENT_TYPES, classify_event
from .linker import MentionLinker
from .sentiment import sentiment_towards
from .subjects import event_subject

__all__ = ["analyze_item"]


def analyze_item(linker: MentionLinker, title: str, body: str = "") -> dict:
    """Mentions (linked, ambiguous with candidates), the event type (and ``other_types``: the others its text
    states), the enterprise the event is about (``subject``: from the title, else the body; None when nothing links)
    and the sentiment towards every linked enterprise (scored on the mention's own text: title, else body), each
    with its explanation (``event_explanation``: the type's, not the subject's or a sentiment's)."""
    parts = [("title", title or ""), ("body", body or "")]
    etype, conf, type_why = classify_event(title, body)
    mentions, ambiguous, sentiments, subject = [], [], {}, None
    for field, text in parts:
        res = linker.link(text)
        if subject is None and res.linked:
            m, why = event_subject(text, res, etype)
            subject = {"enterprise_id": m.enterprise_id, "mention": m.mention, "field": field, **why}
        spans = [(m.start, m.end) for m in res.linked + res.ambiguous]
        for m in res.linked:
            score, label, expl = sentiment_towards(text, m.start, m.end, [s for s in spans if s != (m.start, m.end)])
            mentions.append({**m.to_json(), "field": field, "sentiment": score, "sentiment_label": label})
            prev = sentiments.get(m.enterprise_id)
            if prev is None or abs(score) > abs(prev["score"]):
                sentiments[m.enterprise_id] = {"score": score, "label": label, "field": field,
                                               "mention": m.mention, "explanation": expl}
        ambiguous += [{**m.to_json(), "field": field} for m in res.ambiguous]
    also = [{**a, "zh": EVENT_TYPES[a["type"]][0], "en": EVENT_TYPES[a["type"]][1]} for a in type_why.get("also", [])]
    return {"event_type": etype, "event_type_zh": EVENT_TYPES[etype][0], "event_type_en": EVENT_TYPES[etype][1],
            "event_confidence": conf, "other_types": also, "event_explanation": type_why, "mentions": mentions,
            "ambiguous": ambiguous,
            "enterprises": [{"enterprise_id": eid, **s} for eid, s in sentiments.items()], "subject": subject}
