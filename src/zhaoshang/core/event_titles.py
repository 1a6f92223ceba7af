"""Event titles in English. The events an import derives (``importers/events.py``) are titled in Chinese — a head
naming what happened, then its data: ``融资: B轮 2亿元``, ``注册资本: 602万元 → 5,000万元``, a bare ``成立`` on a
timeline. Readers that show a title in English (API fields ``title_en``, the CLI and the pages under English)
translate the head here; the data after it (a name, a round as the source wrote it, a patent's or a news item's
title) stays as written. A live event's title is its sender's and is left as it is."""

from __future__ import annotations

HEADS_EN = {"成立": "founded", "注销/吊销": "dissolved", "融资": "funding", "专利": "patent", "新闻": "news",
            "设立分支机构": "branch opened", "对外投资": "investment", "名称": "name", "地址": "address",
            "注册资本": "registered capital", "登记状态": "registration status", "法定代表人": "legal representative",
            "所在地区": "region"}


def title_en(title: str | None) -> str | None:
    """The English of an event title: its head translated, 万元 read as 10k CNY; another title as it is."""
    head, sep, rest = (title or "").partition(": ")
    if head not in HEADS_EN:
        return title
    if head == "注册资本":
        rest = rest.replace("万元", "") + " (10k CNY)"
    return f"{HEADS_EN[head]}: {rest}" if sep else HEADS_EN[head]


def title_body(title: str | None, lang: str = "zh") -> str | None:
    """An event title without its head, for a reader that shows the event's type beside it (a timeline's type
    label says 专利, so ``专利: X`` shows ``X``): the data after the head, in English as ``title_en`` gives it
    (``602 → 5,000 (10k CNY)``); nothing for a bare head (``成立``); another title (a live event's) as it is."""
    head, _sep, rest = (title or "").partition(": ")
    if head not in HEADS_EN:
        return title
    return (title_en(title) or "").partition(": ")[2] if lang == "en" else rest
