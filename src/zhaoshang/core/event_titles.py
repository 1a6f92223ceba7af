"""Event titles in English. The events an import derives (``importers/events.py``) are titled in Chinese — a head
naming what happened, then its data: ``融资: B轮 2亿元``, ``注册资本: 602万元 → 5,000万元``, a bare ``成立`` on a
timeline. Readers that show a title in English (API fields ``title_en``, the CLI and the pages under English)
translate the head here, and a funding's round and amount (``funding: Series B CNY 200 million``); the other data
after the head (a name, a patent's or a news item's title) stays as written. A live event's title is its sender's and is left as it is."""

from __future__ import annotations

import re

from .parse.rounds import ROUND_LABELS_EN, normalize_round

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
    elif head == "融资":
        rest = funding_en(rest)
    return f"{HEADS_EN[head]}: {rest}" if sep else HEADS_EN[head]


def title_body(title: str | None, lang: str = "zh") -> str | None:
    """An event title without its head, for a reader that shows the event's type beside it (a timeline's type
    label says 专利, so ``专利: X`` shows ``X``): the data after the head, in English as ``title_en`` gives it
    (``602 → 5,000 (10k CNY)``); nothing for a bare head (``成立``); another title (a live event's) as it is."""
    head, _sep, rest = (title or "").partition(": ")
    if head not in HEADS_EN:
        return title
    return (title_en(title) or "").partition(": ")[2] if lang == "en" else rest


_CURRENCIES = {"人民币": "CNY", "元": "CNY", "元人民币": "CNY", "美元": "USD", "港元": "HKD", "港币": "HKD",
               "欧元": "EUR", "日元": "JPY", "英镑": "GBP", "新台币": "TWD", "": "CNY"}
_AMOUNT_RE = re.compile(r"^(约|近|超|超过|逾)?\s*([\d.,]+)\s*(万|亿)\s*(" + "|".join(k for k in _CURRENCIES if k) + r")?$")
_VAGUE = {"数百万": "several million", "数千万": "tens of millions of", "数亿": "hundreds of millions of",
          "数十亿": "billions of", "数十万": "hundreds of thousands of", "百万级": "millions of", "千万级": "tens of millions of",
          "未透露": "undisclosed", "未披露": "undisclosed", "不详": "undisclosed"}
_APPROX = {"约": "about ", "近": "nearly ", "超": "over ", "超过": "over ", "逾": "over "}


def money_en(amount: float, currency: str = "CNY") -> str:
    """An amount in English: ``CNY 24.2 million``, ``USD 1.5 billion`` (an amount in 万元 is ``wan * 1e4``)."""
    return f"{currency} {amount / 1e9:,.4g} billion" if amount >= 1e9 else f"{currency} {amount / 1e6:,.4g} million"


def amount_en(text: str) -> str:
    """A funding amount as the source wrote it (``2420万人民币``, ``1.5亿美元``, ``数千万人民币``, ``未透露``) in
    English (``CNY 24.2 million``, ``USD 150 million``, ``tens of millions of CNY``, ``undisclosed``); another
    text as written."""
    t = text.strip()
    m = _AMOUNT_RE.match(t)
    if m:
        try:
            n = float(m.group(2).replace(",", "")) * (1e4 if m.group(3) == "万" else 1e8)
        except ValueError:
            return text
        return _APPROX.get(m.group(1) or "", "") + money_en(n, _CURRENCIES[m.group(4) or ""])
    for zh, en in _VAGUE.items():
        if t.startswith(zh):
            tail = t[len(zh):]
            cur = _CURRENCIES.get(tail) or _CURRENCIES.get(tail.removesuffix("元"))
            return en if en == "undisclosed" else f"{en} {cur}" if cur else text
    return text


def funding_en(rest: str) -> str:
    """The data of a funding event's title (``A轮 2420万人民币``: the round as the source wrote it, then the amount)
    in English: the round by its English label where it reads as one (``Series A``), the amount by ``amount_en``."""
    words = rest.split(" ")
    for i in range(1, len(words) + 1):  # the shortest start that reads as a round (a source's round may hold spaces)
        code = normalize_round(" ".join(words[:i]))
        if code != "other" or " ".join(words[:i]).strip() in ("其他", "未知"):
            amount = " ".join(words[i:])
            return ROUND_LABELS_EN[code] + (" " + amount_en(amount) if amount else "")
    head, sep, last = rest.rpartition(" ")  # a round not read: the amount alone
    return head + sep + amount_en(last)
