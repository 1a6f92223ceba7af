"""Event titles in English. The events an import derives (``importers/events.py``) are titled in Chinese — a head
naming what happened, then its data: ``融资: B轮 2亿元``, ``注册资本: 602万元 → 5,000万元``, a bare ``成立`` on a
timeline. Readers that show a title in English (API fields ``title_en``, the CLI and the pages under English)
translate the head here, a funding's round and amount (``funding: Series B CNY 200 million``) and a registration
status by the one status table (``core/status.py``: ``registration status: active → licence revoked``); the other data
after the head (a name, a news item's title) stays as written, a patent titled in Chinese is named by its number. A live event's title is its sender's and is left as it is.
An amount as the source wrote it is said here too, in English (``amount_en``) and in a Chinese sentence (``amount_zh``)."""

from __future__ import annotations

import json
import re
from typing import Any, Iterable

from .parse.amounts import fx_rate, parse_amount
from .status import STATUS_EN
from .parse.rounds import ROUND_LABELS_EN, normalize_round

# the head of a branch record's event by the record's kind (branches.kind; any other kind is an investment): the
# importer titles the event with it, and the reader below translates the same heads
BRANCH_HEADS = {"branch": "设立分支机构", "subsidiary": "设立子公司", "investment": "对外投资"}

# the SQL titles of a funding's and a patent's event ({a}: the fact's table alias), as the importer writes them and a
# profile's timeline titles a fact that has no event yet: the same heads, read by the same readers below
FUNDING_TITLE_SQL = "'融资: ' || coalesce({a}.round_raw, {a}.round, '') || coalesce(' ' || {a}.amount_text, '')"
PATENT_TITLE_SQL = "'专利: ' || coalesce({a}.title, {a}.number)"

REGION_HEAD = "所在地区"  # the head of a region change's title (importers/events.py), its sides the regions' names

# what a change event's title calls the field (its type's chip already says it is a change): the importer titles a
# change with it (``importers/events.py``), and a sent change without such a title is titled by it here
FIELD_HEADS = {"name": "名称", "address": "地址", "capital_wan": "注册资本", "status": "登记状态", "legal_rep": "法定代表人",
               "province_code": REGION_HEAD, "city_code": REGION_HEAD, "district_code": REGION_HEAD}
# the field a change event's type names, for a sent detail that gives the old and new values without the field (the
# fields whose values a title shows as written)
CHANGE_FIELDS = {"change_name": "name", "change_address": "address", "change_status": "status",
                 "change_legal_rep": "legal_rep"}

HEADS_EN = {"成立": "founded", "注销/吊销": "dissolved", "融资": "funding", "专利": "patent", "新闻": "news",
            "设立分支机构": "branch opened", "设立子公司": "subsidiary set up", "对外投资": "investment",
            "名称": "name", "地址": "address",
            "注册资本": "registered capital", "登记状态": "registration status", "法定代表人": "legal representative",
            REGION_HEAD: "region"}


HAN = re.compile(r"[\u4e00-\u9fff]")


def _detail(detail: Any) -> dict:
    """An event's detail as a dict (stored as JSON text by some readers); {} for none."""
    if isinstance(detail, str):
        try:
            detail = json.loads(detail)
        except ValueError:
            detail = None
    return detail if isinstance(detail, dict) else {}


def region_change_codes(detail: Any) -> tuple[str | None, str | None] | None:
    """The region codes a region change's detail names (``{"field": "city_code", "old": …, "new": …}``), old and new;
    None for another event's."""
    d = _detail(detail)
    if not str(d.get("field") or "").endswith("_code"):
        return None
    return d.get("old"), d.get("new")


def changed_regions_en(store, details: Iterable[Any]) -> dict[str, str]:
    """Region code → its English name as the region service names it (``geo.lookup.region_labels``), for the regions
    the region changes among ``details`` name: what ``title_en`` says a region change with. One query for a list."""
    codes = {c for d in details for c in (region_change_codes(d) or ()) if c}
    if not codes:
        return {}
    from .geo.lookup import region_labels

    return region_labels(store, codes, "en")


def title_en(title: str | None, detail: Any = None, regions: dict[str, str] | None = None,
             type: str | None = None) -> str | None:
    """The English of an event title: its head translated, 万元 read as 10k CNY, a registration status by its English
    (存续 → active, a status the table does not list as written), a patent titled in Chinese by its number (the
    event's ``detail``: ``patent: CN114556A``; a title is no name to keep as written), a region change by the
    regions' English names (``regions``: ``changed_regions_en``; ``region: Zhejiang → Guangdong``, a region without
    one as written); a change of event ``type`` whose title has no such head (a sender's: 法定代表人变更) from its
    ``detail``'s old and new values, as an imported change is titled (``legal representative: 周雨欣 → 李四``);
    another title as it is."""
    d = _detail(detail)
    head, sep, rest = (title or "").partition(": ")
    if head not in HEADS_EN:
        field = d.get("field") or CHANGE_FIELDS.get(type or "")
        if field not in CHANGE_FIELDS.values() or not d.get("old") or not d.get("new"):
            return title
        head, sep, rest = FIELD_HEADS[field], ": ", f"{d['old']} → {d['new']}"
    if head == "专利" and HAN.search(rest):
        rest = d.get("number") or rest
    elif head == REGION_HEAD and regions and (codes := region_change_codes(detail)) and len(
            sides := rest.split(" → ")) == 2:
        rest = " → ".join(regions.get(c) or side for c, side in zip(codes, sides))
    elif head == "注册资本":
        rest = rest.replace("万元", "") + " (10k CNY)"
    elif head == "融资":
        rest = funding_en(rest)
    elif head == "登记状态":
        rest = " → ".join(STATUS_EN.get(v.strip(), v) for v in rest.split(" → "))
    return f"{HEADS_EN[head]}: {rest}" if sep else HEADS_EN[head]


def english_title(title: str | None, detail: Any = None, *, regions: dict[str, str] | None = None,
                  type: str | None = None) -> str | None:
    """An event's title in English as every reader of events says it — the events' list and API, the profile's
    timeline, the alerts, their digest and webhooks — so an alert names an event as its list does: its title
    by ``title_en`` with the event's ``detail`` (a patent by its number), the English names of the regions it
    changes (``changed_regions_en``) and its ``type`` (a sent change titled without a head, from its detail); a live
    event's title without such a head as its sender wrote it."""
    return title_en(title, detail, regions, type)


def title_body(title: str | None, lang: str = "zh", detail: Any = None, english: str | None = None) -> str | None:
    """An event title without its head, for a reader that shows the event's type beside it (a timeline's type
    label says 专利, so ``专利: X`` shows ``X``): the data after the head, in English as ``title_en`` gives it
    (``602 → 5,000 (10k CNY)``), or in ``english`` as a reader gave it; nothing for a bare head (``成立``); another
    title (a live event's) as it is."""
    head, _sep, rest = (title or "").partition(": ")
    if head not in HEADS_EN:
        return title
    if lang != "en":
        return rest
    # a reader's English twin where it made one (a live event's twin is its title as sent: translated here)
    return ((english if english and english != title else None) or title_en(title, detail) or "").partition(": ")[2]


# the table an export's changes are recorded in: an event read from one of its rows says the export that showed it
HISTORY_TABLE = "enterprise_history"


def seen_day(row: dict) -> str | None:
    """The data date of the export that showed an event's change (an event, or an alert with its event's ``seen``):
    its ``seen`` — an end the registry dated, a change of legal representative dated by the roles
    (``core.asof.change_seen``) —, else, for another change an export showed (``ref_table`` enterprise_history: a
    name, capital, address, status or region), the event's own date, which is that export's data date; None for an
    event no export's change made."""
    detail = row.get("detail")
    if isinstance(detail, str):
        try:
            detail = json.loads(detail)
        except ValueError:
            detail = None
    seen = row.get("seen") or (detail.get("seen") if isinstance(detail, dict) else None)
    if seen:
        return str(seen)
    if row.get("ref_table") == HISTORY_TABLE and row.get("date"):
        return str(row["date"])
    return None


def seen_text(row: dict, lang: str = "zh") -> str | None:
    """The export an event's change was seen in, said beside its title (the timelines, 动态监测, 预警, the digest):
    ``见于 2024-12-31 的导出`` / ``seen in the export of 2024-12-31`` (``seen_day``); None for another event."""
    day = seen_day(row)
    if not day:
        return None
    return f"seen in the export of {day}" if lang == "en" else f"见于 {day} 的导出"


def reports_text(n: int | None, lang: str = "zh") -> str | None:
    """How many reports tell one event, said beside its title (the timelines, 预警, the digest): ``2 篇报道`` /
    ``2 reports``; None for an event told once."""
    if not n or n <= 1:
        return None
    return f"{n} reports" if lang == "en" else f"{n} 篇报道"


def money_en(amount: float, currency: str = "CNY") -> str:
    """An amount in English: ``CNY 24.2 million``, ``USD 1.5 billion``, under a million in thousands (``USD 30
    thousand``, not 0.03 million) (an amount in 万元 is ``wan * 1e4``); four significant digits, and a number of
    billions past 9,999 whole (``CNY 10,000 billion``, never 1e+04)."""
    def sig(x: float) -> str:
        s = f"{x:,.4g}"
        return f"{round(x):,}" if "e" in s else s

    if amount >= 1e9:
        return f"{currency} {sig(amount / 1e9)} billion"
    if amount < 1e6:
        return f"{currency} {sig(amount / 1e3)} thousand"
    return f"{currency} {sig(amount / 1e6)} million"


def amount_en(text: str) -> str:
    """A funding amount as the source wrote it (``2420万人民币``, ``1.5亿美元``, ``数千万人民币``, ``未透露``) in English,
    as the one amount parser reads it (``core/parse/amounts.py``): ``CNY 24.2 million``, ``USD 150 million``, a vague
    amount by its range (``CNY 10–100 million``), ``undisclosed``; a text the parser cannot read as written."""
    try:
        a = parse_amount(text)
    except ValueError:
        return text
    if a is None:
        return text
    if a.undisclosed:
        return "undisclosed"
    if not a.vague or a.low_wan is None or a.high_wan is None:
        return money_en(a.original, a.currency)
    rate = fx_rate(a.currency)
    low, high = a.low_wan * 1e4 / rate, a.high_wan * 1e4 / rate
    scale, word = (1e9, "billion") if high >= 1e9 else (1e6, "million")
    return f"{a.currency} {low / scale:,.4g}–{high / scale:,.4g} {word}"


def amount_zh(text: str | None) -> str:
    """A funding amount as the source wrote it, for a Chinese sentence: 人民币 written as 元 (``数千万人民币`` →
    ``数千万元``, ``近亿人民币`` → ``近亿元``), another currency as written (``数千万美元``)."""
    t = (text or "").strip()
    if t.endswith("人民币"):
        t = t[:-3].strip()
    return t + "元" if t[-1:] in ("万", "亿") else t


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
