"""The event types in words, Chinese and English: every reader's one table (``interfaces/labels.py``'s vocabulary
``event``: the timelines, the alerts' pages and commands) and the webhook's labels beside the codes
(``services/alerts/delivery.py``)."""

from __future__ import annotations

from ..core.event_types import Pair, labels  # noqa: F401  (the table itself: core, read where imports type events)

EVENT_TYPES: dict[str, Pair] = labels()
