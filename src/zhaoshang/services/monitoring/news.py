"""Feed items → news items → events: near-duplicate merge, text analysis, storage, publication.

Each fetched item is first compared with the news items already held (the last ``WINDOW_DAYS`` days) and with the
ones of the same run: the same URL or the same feed's same guid is the same story. Otherwise the item is analysed
(``nlp``: linking → event type → sentiment towards each linked enterprise) and a near-duplicate text — normalised
titles with a similarity (rapidfuzz ratio) of at least ``TITLE_SAME``, or of at least ``TITLE_NEAR`` with bodies
that agree to ``BODY_NEAR`` — is the same story unless the two items' facts disagree (``Facts.conflict``: other
linked enterprises, amounts or rounds with none in common, dates more than ``DATES_APART`` days apart). A repeat
becomes one more source of the held item, not a new item. A new item is stored in ``monitor_news`` with its
mentions and ambiguous candidates, and yields one event per linked enterprise (``events.prepare``/``store_events``:
deduplicated, stored, published on the bus), typed by the item's primary event type with the other types its text
states in ``detail.other_types``; a funding (primary or other) carries the amount and round its text names.
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

from ...core.parse.amounts import amounts_in_text
from ...core.parse.dates import china_day
from ...core.parse.rounds import rounds_in_text
from ...core.same_event import funding_facts
from ...core.teamstate.clock import china_today, now
from . import bus as _bus
from . import events as E
from . import feeds as F

WINDOW_DAYS = 30
TITLE_SAME = 90.0
TITLE_NEAR = 70.0
BODY_NEAR = 85.0
BODY_PREFIX = 400
DATES_APART = 7  # days: two items dated further apart are two stories, however alike their texts


def _fingerprint(title: str, body: str) -> str:
    return E.norm_title(title)[:200] + "|" + E.norm_title(body)[:BODY_PREFIX]


@dataclass(frozen=True)
class Facts:
    """What a near-duplicate must agree on: the linked enterprises, the amounts and rounds named in the title and
    the first ``BODY_PREFIX`` characters of the body (read by the shared parsers), and the publication date."""

    enterprises: frozenset
    amounts: frozenset
    rounds: frozenset
    published: _dt.date | None

    @classmethod
    def of(cls, title: str, body: str, enterprises, published) -> "Facts":
        text = f"{title or ''} {(body or '')[:BODY_PREFIX]}"
        if isinstance(published, str):
            try:
                published = _dt.date.fromisoformat(published[:10])
            except ValueError:
                published = None
        return cls(frozenset(int(e) for e in enterprises), frozenset(round(a.wan, 1) for _, a in amounts_in_text(text)),
                   frozenset(r for _, r in rounds_in_text(text)),
                   published if isinstance(published, _dt.date) else None)

    def conflict(self, other: "Facts") -> str | None:
        """Why two alike texts are still two stories (None: nothing disagrees)."""
        if self.enterprises != other.enterprises:
            return "enterprises"
        if self.amounts and other.amounts and self.amounts.isdisjoint(other.amounts):
            return "amounts"
        if self.rounds and other.rounds and self.rounds.isdisjoint(other.rounds):
            return "rounds"
        if self.published and other.published and abs((self.published - other.published).days) > DATES_APART:
            return "dates"
        return None


class Held:
    """The news items a run compares against: recent ones from the team state plus the ones it adds."""

    def __init__(self, team, days: int = WINDOW_DAYS):
        since = (_dt.datetime.now(_dt.timezone.utc) - _dt.timedelta(days=days)).strftime("%Y-%m-%dT")
        with team.tx() as tx:
            rows = tx.query("SELECT id, url, sources, fingerprint, title, body, published, mentions FROM monitor_news "
                            "WHERE first_seen >= ? ORDER BY id", [since])
        self.ids: list[int] = []
        self.titles: list[str] = []
        self.bodies: list[str] = []
        self.facts: list[Facts] = []
        self.urls: dict[str, int] = {}
        self.guids: dict[tuple, int] = {}
        for r in rows:
            ents = {m["enterprise_id"] for m in json.loads(r["mentions"] or "[]") if m.get("enterprise_id") is not None}
            self.add(int(r["id"]), r["fingerprint"], r["url"], json.loads(r["sources"] or "[]"),
                     Facts.of(r["title"], r["body"], ents, r["published"]))

    def add(self, nid: int, fingerprint: str, url: str | None, sources: list[dict], facts: Facts) -> None:
        title, _, body = fingerprint.partition("|")
        self.ids.append(nid)
        self.titles.append(title)
        self.bodies.append(body)
        self.facts.append(facts)
        self.note(nid, url, sources)

    def note(self, nid: int, url: str | None, sources: list[dict]) -> None:
        """Remember an item's URLs and guids (a merged source's too)."""
        for s in sources:
            if s.get("url"):
                self.urls[s["url"]] = nid
            if s.get("guid"):
                self.guids[(s.get("feed"), s["guid"])] = nid
        if url:
            self.urls[url] = nid

    def known(self, feed: str, item: dict) -> int | None:
        """The held item with this item's URL, or this feed's guid."""
        if item.get("url") and item["url"] in self.urls:
            return self.urls[item["url"]]
        return self.guids.get((feed, item["guid"]))

    def near(self, item: dict, facts: Facts) -> int | None:
        """The held item this one's text repeats with no fact in conflict, or None."""
        title, _, body = _fingerprint(item["title"], item["body"]).partition("|")
        if not title or not self.titles:
            return None
        for _t, score, i in process.extract(title, self.titles, scorer=fuzz.ratio, score_cutoff=TITLE_NEAR, limit=20):
            alike = score >= TITLE_SAME or (body and self.bodies[i] and fuzz.ratio(body, self.bodies[i]) >= BODY_NEAR)
            if alike and facts.conflict(self.facts[i]) is None:
                return self.ids[i]
        return None


# an amount right after one of these words is not the round's: 估值10亿元, 营收3亿元, 注册资本5000万元
_CLAUSE_END = "，,。；;！!？?\n"


def _without_clauses_of(text: str, kinds: set[str], own: str) -> str:
    """``text`` without its clauses that state one of ``kinds`` (rule keywords) and not ``own``: the funding's
    amount is not the expansion's investment said in another clause of the same item."""
    from .nlp.events import rule_scores

    out, start = [], 0
    for i, ch in enumerate(text + "\n"):
        if ch in _CLAUSE_END:
            clause = text[start:i + 1]
            found = rule_scores(clause)
            if own in found or not (kinds & set(found)):
                out.append(clause)
            start = i + 1
    return "".join(out)


def type_facts(title: str, body: str, etype: str, types: list[str]) -> dict:
    """``funding_facts`` of an item typed ``etype`` among ``types`` (its primary and other types): for a funding,
    read from the title and body without the clauses that state only another of the item's types; else nothing."""
    if etype != "funding":
        return {}
    others = set(types) - {etype}
    if not others:
        return funding_facts(title, body)
    return funding_facts(_without_clauses_of(title or "", others, etype), _without_clauses_of(body or "", others, etype))


def _add_source(team, nid: int, source: dict) -> bool:
    """One more source of a held item; False when it already lists that source."""
    with team.tx(exclusive=True) as tx:
        row = tx.one("SELECT sources FROM monitor_news WHERE id = ?", [nid])
        sources = json.loads(row["sources"] or "[]") if row else []
        if any(s.get("feed") == source["feed"] and (s.get("guid") == source["guid"] or s.get("url") == source["url"])
               for s in sources):
            return False
        sources.append(source)
        tx.execute("UPDATE monitor_news SET sources = ?, updated_at = ? WHERE id = ?",
                   [json.dumps(sources, ensure_ascii=False), now(), nid])
    return True


def _event_date(published: Any) -> str:
    today = china_today()
    return min(published, today).isoformat() if isinstance(published, _dt.date) else today.isoformat()


def _no_future(item: dict, today: _dt.date) -> dict:
    """An item dated after the fetch day (China time) is dated by the fetch day, the feed's claim kept as
    ``claimed_published`` — as POST /api/events refuses a future date, no item or event is dated in the future."""
    p = item.get("published")
    if isinstance(p, _dt.date) and p > today:
        return dict(item, published=today, claimed_published=p.isoformat())
    return item


def process_items(store, team, feed: F.Feed, items: list[dict], held: Held, linker, *,
                  bus: _bus.EventBus | None = None) -> dict:
    """Merge, analyse and store one feed's items; returns counts (new, merged, events)."""
    from .nlp.analyze import analyze_item

    counts = {"items_new": 0, "merged": 0, "events_new": 0, "events_merged": 0}
    today = china_today()
    for item in items:
        item = _no_future(item, today)
        source = {"feed": feed.name, "guid": item["guid"], "url": item.get("url"),
                  "published": item["published"].isoformat() if item.get("published") else None}
        if item.get("claimed_published"):
            source["claimed_published"] = item["claimed_published"]
        nid = held.known(feed.name, item)
        res = facts = None
        if nid is None:
            res = analyze_item(linker, item["title"], item["body"])
            facts = Facts.of(item["title"], item["body"], [e["enterprise_id"] for e in res["enterprises"]],
                             item.get("published"))
            nid = held.near(item, facts)
        if nid is not None:
            counts["merged"] += _add_source(team, nid, source)
            held.note(nid, item.get("url"), [source])
            continue
        sentiments = {e["enterprise_id"]: e for e in res["enterprises"]}
        overall = min((e["score"] for e in res["enterprises"]), default=None)
        fp = _fingerprint(item["title"], item["body"])
        at = now()
        row = {"title": item["title"], "body": item["body"], "url": item.get("url"),
               "published": source["published"], "fingerprint": fp, "sources": json.dumps([source], ensure_ascii=False),
               "mentions": json.dumps(res["mentions"], ensure_ascii=False),
               "candidates": json.dumps(res["ambiguous"], ensure_ascii=False), "event_type": res["event_type"],
               "type_confidence": res["event_confidence"],
               "other_types": json.dumps([{k: a[k] for k in ("type", "confidence", "keywords")} for a in res["other_types"]],
                                         ensure_ascii=False),
               "sentiment": overall, "first_seen": at, "updated_at": at}
        with team.tx(exclusive=True) as tx:
            nid = int(tx.scalar(f"INSERT INTO monitor_news ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)}) "
                                "RETURNING id", list(row.values())))
        held.add(nid, fp, item.get("url"), [source], facts)
        counts["items_new"] += 1
        etype = res["event_type"] if res["event_type"] in E.TYPES and res["event_type"] != "other" else "news"
        types = [res["event_type"]] + [a["type"] for a in res["other_types"]]
        money = type_facts(item["title"], item["body"], etype, types)
        # the other types the text states, each with its confidence, keywords and (a funding) its amount and round
        also = [{"type": a["type"], "confidence": a["confidence"], "keywords": a["keywords"],
                 **type_facts(item["title"], item["body"], a["type"], types)} for a in res["other_types"]]
        prepared = []
        for eid, s in sentiments.items():
            prepared.append(E.prepare(store, {
                "enterprise_id": eid, "type": etype, "date": _event_date(item.get("published")), "title": item["title"],
                "url": item.get("url"), "source": feed.name, "source_key": item["guid"][:200], "news_id": nid,
                "sentiment": s["score"], "detail": {"news_type": res["event_type"], "type_confidence": res["event_confidence"],
                                                    "mention": s["mention"], "sentiment": s["score"],
                                                    "sentiment_label": s["label"], **money,
                                                    **({"other_types": also} if also else {}),
                                                    # an undated item's event is dated by the day it is read, and says so
                                                    **({"dated_by": "fetch"} if item.get("published") is None else {}),
                                                    **({"claimed_published": item["claimed_published"]}
                                                       if item.get("claimed_published") else {})}},
                origin="feed", actor="monitor"))
        fresh = []
        for row in prepared:  # an event told again (the one rule of the same event) is a report of the known one
            if E.tell_again(store, team, row) is None:
                fresh.append(row)
            else:
                counts["events_merged"] += 1
        if fresh:
            counts["events_new"] += len(E.store_events(team, fresh, bus=bus)["stored"])
    return counts


def run_feeds(store, team, config: F.FeedsConfig, *, bus: _bus.EventBus | None = None, client=None,
              scheduled: bool = False) -> dict:
    """Fetch every feed of ``config`` and process its items; a failing feed is reported, never stops the others.
    ``scheduled``: the server's schedule runs it, so each feed's next run is recorded; a one-off run
    (``monitor run``) records none — no schedule would keep it."""
    from .nlp.linker import MentionLinker

    linker = MentionLinker.from_store(store)
    held = Held(team)
    reports = []
    next_run = now(config.interval) if scheduled else None
    for feed in config.feeds:
        fetched = F.fetch(feed, F.get_state(team, feed.name), client=client)
        counts = {"items_new": 0, "merged": 0, "events_new": 0, "events_merged": 0}
        if not fetched.error and fetched.items:
            try:
                counts = process_items(store, team, feed, fetched.items, held, linker, bus=bus)
            except Exception as exc:  # an item that breaks the analysis fails its feed, not the run
                fetched.error = F._reason(exc)
        F.save_state(team, fetched, counts["items_new"], next_run)
        reports.append({"feed": feed.name, "url": feed.url, "status": fetched.status, "http_status": fetched.http_status,
                        "fetched": len(fetched.items), **counts, "error": fetched.error})
    return {"feeds": reports, "items_new": sum(r["items_new"] for r in reports),
            "merged": sum(r["merged"] for r in reports), "events_new": sum(r["events_new"] for r in reports),
            "events_merged": sum(r["events_merged"] for r in reports),
            "errors": sum(1 for r in reports if r["status"] == "error"), "next_run": next_run}


def list_news(team, limit: int = 50) -> list[dict]:
    """The latest news items with their sources, mentions and candidates."""
    with team.tx() as tx:
        rows = tx.query(f"SELECT * FROM monitor_news ORDER BY id DESC LIMIT {int(limit)}")
    for r in rows:
        for k in ("sources", "mentions", "candidates", "other_types"):
            r[k] = json.loads(r.get(k) or "[]")
        r.pop("fingerprint", None)
        # the day the item was first read (China's day): an undated item is shown by it, labelled (抓取日), as its events
        r["fetched_on"] = china_day(r.get("first_seen")).isoformat() if r.get("first_seen") else None
        # each linked enterprise once, as first mentioned (the title and the body both naming it are two mentions)
        seen: set = set()
        # with its full name as linked (``name``; None for items stored before names were kept) beside the mention
        r["enterprises"] = [{"enterprise_id": m["enterprise_id"], "name": m.get("name"), "mention": m["mention"]}
                            for m in r["mentions"]
                            if m.get("enterprise_id") is not None and not (m["enterprise_id"] in seen or seen.add(m["enterprise_id"]))]
    return rows


def imported_news_count(store, as_of: Any) -> int:
    """How many imported news items (``zhaoshang import news``) count by ``as_of``: the 动态监测 page's 最新新闻 lists
    the items feeds read, and says where these are when it has none (the event list's news events, the profiles)."""
    from ...core.asof import news_day

    return int(store.con.execute(f"SELECT count(*) FROM news n WHERE {news_day()} <= ?", [str(as_of)]).fetchone()[0])


def enterprise_cell(e: dict) -> str:
    """One linked enterprise of ``list_news`` as a table shows it: its full name, and the text's mention beside it
    when the text wrote it otherwise (中节能太阳能股份有限公司（太阳能）), so a link by a short name can be checked."""
    name, mention = e.get("name"), e["mention"]
    return mention if not name or name == mention else f"{name}（{mention}）"
