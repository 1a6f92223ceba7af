"""The event types in words, Chinese and English: every reader's one table (``interfaces/labels.py``'s vocabulary
``event``: the timelines, the alerts' pages and commands) and the webhook's labels beside the codes
(``services/alerts/delivery.py``)."""

from __future__ import annotations

from .monitoring.nlp.events import EVENT_TYPES as NEWS_EVENT_TYPES

Pair = tuple[str, str]

# an English label reads as words, never as its code (a timeline said "patent", "news", "funding" in English)
EVENT_TYPES: dict[str, Pair] = {
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
EVENT_TYPES.update({k: v for k, v in NEWS_EVENT_TYPES.items() if k not in EVENT_TYPES})  # live events of news items
