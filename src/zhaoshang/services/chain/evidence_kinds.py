"""What kinds of evidence an enterprise's record holds — read alike by the model's check (``model``) and the pair
reader (``pairs``), so that both decide "registration-like" by one definition."""

from __future__ import annotations

from typing import Any

# the kinds of evidence, in the order of the model's feature columns
KINDS = ("scope", "products", "description", "tags", "industry")


def scope_only(e: dict[str, Any]) -> bool:
    """Registration-like evidence: a registry scope and no products or description. Its AI words are often
    side lines of a licence list, so it can be held to its own, stricter gate (``gate_scope``)."""
    return bool(e.get("scope")) and not e.get("products") and not e.get("description")


def kinds_of(e: dict[str, Any]) -> list[float]:
    """Which kinds of evidence an enterprise has: a registration scope reads differently from a listing."""
    return [1.0 if e.get(k) else 0.0 for k in KINDS]


def has_text(doc: dict[str, Any]) -> bool:
    """Whether a placement's explained result rests on text (a keyword's contribution), not only on patents,
    industry codes or related enterprises."""
    return any(p.get("signal") == "text" and (p.get("contribution") or 0) > 0 for p in doc.get("parts") or [])
