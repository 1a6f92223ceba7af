"""The event types' codes and their words, and the one reading of an imported news item's labelled type.

The table (data/nlp/event_types.yaml for the news types, the imported facts' types here) is read where an import
writes its events, so an imported news item is stored with the type its label is read as (``item_type``: FinESE's
信批违规 → ``legal``), as a live item is stored with its classified type; the services' labels and the monitor's
types are this table (``services/event_types.py``, ``services/monitoring/events.py``).
"""

from __future__ import annotations

import functools
import importlib.resources
from typing import Any, Iterable

from .config import parse_yaml

Pair = tuple[str, str]

#: the types of the events imports derive (``core/importers/events.py``)
IMPORT_TYPES = ("founded", "dissolved", "funding", "patent", "news", "branch", "investment", "subsidiary",
                "parent_branch", "parent_investment", "parent_subsidiary", "change_name", "change_capital",
                "change_address", "change_legal_rep", "change_status", "change_region")

# an English label reads as words, never as its code (a timeline said "patent", "news", "funding" in English)
_FIXED: dict[str, Pair] = {
    "founded": ("成立", "enterprise founded"), "dissolved": ("注销/吊销", "deregistered / revoked"),
    "change_name": ("名称变更", "name change"), "change_address": ("地址变更", "address change"),
    "change_capital": ("注册资本变更", "capital change"), "change_status": ("状态变更", "status change"),
    "change_legal_rep": ("法定代表人变更", "legal representative change"),
    "change_region": ("迁址（地区变更）", "moved to another region"),
    "funding": ("融资", "funding round"), "patent": ("专利", "patent filed"), "news": ("新闻", "news item"),
    "branch": ("设立分支机构", "branch opened"), "investment": ("对外投资", "outbound investment"),
    "subsidiary": ("设立子公司", "subsidiary set up"), "parent_branch": ("作为分支机构设立", "opened as a branch"),
    "parent_investment": ("获得股东投资", "invested by a parent"),
    "parent_subsidiary": ("作为子公司设立", "founded as a subsidiary"),
    "risk": ("风险事件", "risk event"),  # live events from other systems; news types are added below
}


@functools.lru_cache(maxsize=1)
def type_config() -> dict:
    """data/nlp/event_types.yaml: the news types (labels, keywords), ``min_score`` and the ``finese`` mapping."""
    res = importlib.resources.files("zhaoshang").joinpath("data", "nlp", "event_types.yaml")
    return parse_yaml(res.read_text(encoding="utf-8"), "事件类型表", "event type table", str(res))


def news_type_labels() -> dict[str, Pair]:
    """The news items' types (code → Chinese, English label), in the table's order."""
    return {code: (spec["zh"], spec["en"]) for code, spec in type_config()["types"].items()}


@functools.lru_cache(maxsize=1)
def _labels() -> dict[str, Pair]:
    return {**_FIXED, **{k: v for k, v in news_type_labels().items() if k not in _FIXED}}


def labels() -> dict[str, Pair]:
    """Every event type → its Chinese and English label: the imported facts', ``risk`` and the news items'."""
    return dict(_labels())


def all_types() -> tuple[str, ...]:
    """The imported events' types, then what monitoring adds: the news items' types and ``risk``."""
    return IMPORT_TYPES + tuple(t for t in news_type_labels() if t not in IMPORT_TYPES) + ("risk",)


@functools.lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    return {zh: code for code, (zh, _en) in _labels().items()}


def type_names() -> dict[str, str]:
    """Every event type's Chinese label → its code (人事变动 → personnel, 专利 → patent)."""
    return dict(_names())


def type_code(name: Any) -> str | None:
    """The code of an event type named by its code (``personnel``) or its Chinese label (``人事变动``, ``专利``),
    None for an unknown one: ``events --type``, alert rules and the timeline's filters read types by it."""
    s = str(name or "").strip()
    return s if s in _codes() else _names().get(s)


@functools.lru_cache(maxsize=1)
def _codes() -> frozenset:
    return frozenset(all_types())


def finese_map() -> dict[str, str]:
    """FinESE risk type → our event type code (documented in docs/methods.md)."""
    return dict(type_config()["finese"])


def item_type(label: Any) -> str | None:
    """The event type of an imported news item's labelled type (``news.event_type``): a type's code or Chinese
    label, or a labelled corpus's type mapped to ours (FinESE's 信批违规 → legal: ``finese`` in
    data/nlp/event_types.yaml) — as a live item is typed by its classified type; None for ``other`` and a label
    of no type. The import stores it as the item's event type (``news_type_sql``)."""
    code = type_code(label) or finese_map().get(str(label or "").strip())
    return None if code in (None, "other", "news") else code


def item_labels(types: Iterable[str] | None = None) -> list[str]:
    """The labels an imported news item may carry (``news.event_type``) that ``item_type`` reads as one of
    ``types`` (None: as any type): each code, its Chinese label and the mapped corpus labels."""
    want = None if types is None else set(types)
    names = {**{c: c for c in _codes()}, **_names(), **finese_map()}
    return sorted(k for k in names if item_type(k) is not None and (want is None or item_type(k) in want))


def news_type_sql(label: str) -> str:
    """SQL: the event type of an imported news item whose labelled type is the expression ``label`` —
    ``item_type`` of it, else ``news`` (no label, ``other``, a label of no type)."""
    def q(s: str) -> str:
        return "'" + s.replace("'", "''") + "'"

    cases = " ".join(f"WHEN {q(k)} THEN {q(item_type(k))}" for k in item_labels())
    return f"coalesce(CASE trim({label}) {cases} END, 'news')"
