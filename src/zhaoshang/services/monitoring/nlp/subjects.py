"""The enterprise an event is about, among the enterprises a text names: the linked mention that the event's
words follow most closely (subject before predicate: "洛阳钼业(603993):实际控制人可能发生变更"), with no other
mention in between; when no mention is followed by an event word, the first linked mention."""

from __future__ import annotations

from .events import _types
from .linker import LinkResult, Mention
from .sentiment import _lexicon

__all__ = ["event_subject", "REACH"]

#: how far (characters) after a mention an event word may stand to make it the subject
REACH = 40


def _event_positions(text: str, event_type: str | None) -> list[int]:
    """Where the event's own keywords stand; without any, the negative words of the lexicon that are not
    stake-change words (those fill headline digests about other companies)."""
    pos = []
    types = _types()
    if event_type in types:
        for pat, _w, _src in types[event_type].patterns:
            pos += [m.start() for m in pat.finditer(text)]
    if not pos:
        stake = [pat for pat, _w, _src in types["stake"].patterns]
        lex = _lexicon()
        pos += [m.start() for m in lex["re"].finditer(text)
                if lex["words"][m.group(0)] < 0 and not any(p.fullmatch(m.group(0)) for p in stake)]
    return sorted(set(pos))


def event_subject(text: str, links: LinkResult, event_type: str | None = None) -> tuple[Mention | None, dict]:
    """(the subject mention or None, explanation: the distance to the event word per candidate)."""
    if not links.linked:
        return None, {"rule": "no linked mention"}
    spans = sorted([(m.start, m.end) for m in links.linked + links.ambiguous + links.dropped])
    events = _event_positions(text, event_type)
    best, best_d, dist = None, None, {}
    for m in links.linked:
        nxt = min((a for a, _b in spans if a >= m.end), default=len(text))
        d = next((p - m.end for p in events if m.end <= p < min(nxt, m.end + REACH)), None)
        dist[m.mention] = d
        if d is not None and (best_d is None or d < best_d):
            best, best_d = m, d
    if best is None:  # a mention found by name before one linked only by its stock code
        first = next((m for m in links.linked if m.method != "code"), links.linked[0])
        return first, {"rule": "first linked mention", "distance": dist}
    return best, {"rule": "nearest event word after the mention", "distance": dist}
