"""One event told again — the one definition of the same event, below the services that read it: the event list
(``services.monitoring.events``: a feed's repeat is a report of the event it repeats, not a second event), the
alerts (one event, one alert per rule) and the counts of the scorecard, the leads and the pipeline
(``services.evaluation.live``)."""

from __future__ import annotations

import unicodedata
from typing import Any

from .parse.amounts import amounts_in_text, parse_amount, plausible_wan
from .parse.rounds import normalize_round, rounds_in_text

#: One event told again — the one definition, read by the event list (a feed's repeat is a report of the event it
#: repeats, not a second event), the alerts (one event, one alert per rule) and the counts of the scorecard, the
#: leads and the pipeline (``evaluation.live``): the same enterprise, the same type, the same normalised round (known
#: on both), dated within ``SAME_EVENT_DAYS`` of each other, with amounts that agree (equal within 1 %, or undisclosed
#: on either side). Only rounds tell an event apart from another of its enterprise and type; events of other types
#: are one event only when their texts are one story (``news.Held``, near-duplicates).
SAME_EVENT_DAYS = 30
SAME_EVENT_TYPES = ("funding",)


def event_amount(detail: dict) -> float | None:
    """The funding amount of a live event's detail in 万元: ``amount_wan`` (a number) or ``amount`` (text such
    as "1.5亿元", read by the one amount parser); None when undisclosed or unreadable — and when beyond the
    plausibility bound of every amount (``MAX_WAN``): ``POST /api/events`` refuses such an amount, and one stored
    before it did never reaches a score or a lead's reasons."""
    v = detail.get("amount_wan")
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v) if plausible_wan(v) else None
    try:
        a = parse_amount(detail.get("amount"), unit="万元") if detail.get("amount") not in (None, "") else None
    except ValueError:
        return None
    return None if a is None or a.undisclosed else a.wan


def event_round(detail: dict) -> str | None:
    """The normalised round of a live event's detail (``B轮`` and ``B`` are ``b``), None when it names none."""
    try:
        return normalize_round(detail["round"]) if detail.get("round") else None
    except (ValueError, TypeError):
        return None


def same_event_sql(a: str, b: str) -> str:
    """SQL: row ``b`` (of fundings, or of live events of a type of ``SAME_EVENT_TYPES``, with enterprise_id, date,
    round, amount_wan) is the same event as ``a`` told again (the rule above)."""
    return (f"({b}.enterprise_id = {a}.enterprise_id AND {b}.round = {a}.round "
            f"AND abs(date_diff('day', {a}.date, {b}.date)) <= {SAME_EVENT_DAYS} "
            f"AND ({a}.amount_wan IS NULL OR {b}.amount_wan IS NULL "
            f"OR abs({a}.amount_wan - {b}.amount_wan) <= 0.01 * greatest({a}.amount_wan, {b}.amount_wan)))")


#: words after which an amount of the body is not the round's (a valuation, revenue, capital, a fine)
_NOT_RAISED = ("估值", "市值", "营收", "收入", "利润", "净利", "销售额", "注册资本", "罚款")


def funding_facts(title: str, body: str) -> dict:
    """The amount and round a funding's text names (a news item, a sender's title), as imported fundings carry them:
    ``amount_wan`` (万元, by the
    shared amount parser) with its text ``amount``, and ``round`` (normalised). The title's first amount, else the
    body's first that is not a valuation, revenue, capital or fine; the title's first round, else the body's.
    Nothing readable → no key (an amount threshold then does not hold)."""
    out: dict[str, Any] = {}
    for in_body, text in enumerate(unicodedata.normalize("NFKC", t or "") for t in (title, body)):
        for at, a in amounts_in_text(text):  # offsets into the NFKC text
            if in_body and any(w in text[max(0, at - 6):at] for w in _NOT_RAISED):
                continue
            out.update(amount_wan=round(a.wan, 4), amount=a.text)
            break
        if "amount_wan" in out:
            break
    for text in (title or "", body or ""):
        rounds = rounds_in_text(text)
        if rounds:
            out["round"] = rounds[0][1]
            break
    return out
