"""Event timelines (动态) and the ingestion of live events.

Two stores, one timeline:

* **imported events** — the ``events`` table of the analytical file, derived by every import (founded, funding,
  patent, news, branch, investment, change_* …; ``core.importers.events``), so they grow with each incremental
  import;
* **live events** — events that arrive while the platform runs (``POST /api/events`` from other systems, news
  feeds read by the monitor): risk events, 人事变动, 签约落地 … They are kept in the team state
  (``monitor_events``, migration 60), which the server can write while it serves the analytical file read-only,
  and which survives a re-import or a rebuilt demo.

``timeline`` merges both with one set of filters (since, region, chain node, type, enterprise). ``ingest`` is the
one way a live event is stored: validated, linked to an enterprise through the one resolver
(``services.enterprises.resolve_enterprise``), deduplicated (enterprise + type + date + source key), stored with
its provenance, then published once on the bus (``services.monitoring.bus``).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
import threading
from typing import Any, Iterable

from ...core.asof import UNDATED_IMPORTS, reference_date
from ...core.errors import NotFound, UserError
from ...core.event_titles import changed_regions_en, english_title
# the types and the one reading of an imported news item's label (item_type), where the import stores it
from ...core.event_types import IMPORT_TYPES, item_labels, item_type, type_code, type_names  # noqa: F401
from ...core.parse.amounts import parse_user_amount
from ...core.parse.dates import parse_user_date
from ...core.same_event import (SAME_EVENT_DAYS, SAME_EVENT_TYPES, event_amount, event_round, funding_facts,
                                same_event_sql)
from ...core.teamstate.clock import china_today, now
from ..enterprises import resolve_enterprise
from ..event_types import EVENT_TYPES as TYPE_LABELS
from ..regions.matrix import _in_list, _region_filter, chain_node, default_chain, descendants
from . import bus as _bus
from .nlp.events import EVENT_TYPES as NEWS_EVENT_TYPES

# what monitoring adds: the types of news items (expansion, contract, ma, ipo, layoff, legal, distress, personnel,
# product, stake, other) and ``risk`` for other systems' risk events (labels: interfaces/labels.py)
MONITOR_TYPES = tuple(t for t in NEWS_EVENT_TYPES if t not in IMPORT_TYPES) + ("risk",)
TYPES = IMPORT_TYPES + MONITOR_TYPES  # (core.event_types.all_types)
ORIGINS = ("import", "api", "feed")
MAX_BATCH = 100
COLUMNS = ["key", "id", "origin", "date", "type", "enterprise_id", "enterprise_name", "enterprise_uscc", "title",
           "title_en", "detail", "sentiment", "url", "source", "source_key", "province_code", "city_code", "district_code",
           "nodes", "news_id", "received_at", "actor"]
FIELDS = [*COLUMNS, "ref_table"]  # an event's fields as events --format json/csv give them (ref_table: an imported fact's)


# ------------------------------------------------------------------------------------------- records
def _loads(v: Any) -> Any:
    if isinstance(v, str) and v[:1] in "[{":
        try:
            return json.loads(v)
        except ValueError:
            return v
    return v


def _live_record(row: dict) -> dict:
    r = dict(row)
    r["key"] = f"m{r['id']}"
    r["detail"] = _loads(r.get("detail"))
    r["nodes"] = _loads(r.get("nodes")) or []
    # the sender's title, in whatever language it was sent; translated as an imported one's where it has such a head,
    # a change's from its detail
    r["title_en"] = english_title(r.get("title"), r["detail"], type=r.get("type"))
    return {c: r.get(c) for c in COLUMNS}


def _import_records(store, rows: list[tuple]) -> list[dict]:
    """Imported events' rows (``_IMPORT_SELECT``) as records, a region change named in English by the region
    service (one lookup for the rows)."""
    regions = changed_regions_en(store, [r[7] for r in rows if r[5] == "change_region"])
    return [_import_record(r, regions) for r in rows]


def _import_record(row: tuple, regions: dict[str, str] | None = None) -> dict:
    (eid, ent, name, uscc, date, typ, title, detail, source, skey, prov, city, dist, ref_table) = row
    return {"key": f"e{eid}", "id": eid, "origin": "import", "date": date.isoformat() if date else None,
            "type": typ, "enterprise_id": ent, "enterprise_name": name, "enterprise_uscc": uscc, "title": title,
            "title_en": english_title(title, _loads(detail), regions=regions), "detail": _loads(detail), "sentiment": None, "url": None, "source": source, "source_key": skey,
            "province_code": prov, "city_code": city, "district_code": dist, "nodes": None, "news_id": None,
            "received_at": None, "actor": None} | ({"ref_table": ref_table} if ref_table else {})


#: every event type's Chinese label → its code (人事变动 → personnel, 专利 → patent, 设立分支机构 → branch), as the
#: timelines and the alerts show them (``services.event_types``): the one lookup of a type a user names
TYPE_NAMES = type_names()


def check_types(value: Any) -> list[str]:
    """Event types given as codes or Chinese labels (``funding,人事变动``) as codes, each once; one clear line for an
    unknown one (a labelled corpus's type, 信批违规, named with the type it is read as)."""
    if value is None or value == "":
        return []
    items = value if isinstance(value, (list, tuple)) else re.split(r"[,，;；、|\s]+", str(value))
    out = [str(x).strip() for x in items if str(x).strip()]
    bad = [x for x in out if type_code(x) is None]
    if bad:
        mapped = [(x, c) for x in bad if (c := item_type(x))]
        zh = "".join(f"；导入新闻标注的“{x}”计为 {c}（{TYPE_LABELS[c][0]}）" for x, c in mapped)
        en = "".join(f"; imported news labelled {x} count as {c} ({TYPE_LABELS[c][1]})" for x, c in mapped)
        raise UserError(f"未知的事件类型: {'、'.join(bad)}（可选 {'|'.join(TYPES)}，也可写中文名，如 人事变动{zh}）",
                        en=f"unknown event type: {', '.join(bad)} (one of {'|'.join(TYPES)}; a type may also be "
                           f"given by its Chinese label, e.g. 人事变动{en})")
    return list(dict.fromkeys(type_code(x) for x in out))


# ------------------------------------------------------------------------------------------- timeline
class Filter:
    """The filters of a timeline and of the live stream, resolved once (region, chain node, types, enterprise)."""

    def __init__(self, store, *, since: Any = None, region: str | None = None, node: str | None = None,
                 chain: str | None = None, types: Any = None, enterprise: Any = None):
        self.since = parse_user_date(since, "since", end_of_period=False)
        self.types = check_types(types)
        self.enterprise_id = resolve_enterprise(store, enterprise) if enterprise not in (None, "") else None
        self.region_sql, self.region_params, self.region = _region_filter(store, region, None) if region else ("TRUE", [], None)
        self.chain = self.nodes = None
        if node:
            self.chain = chain or default_chain(store)
            code = chain_node(store, self.chain, node)  # the chain's own code: placed anywhere on it
            self.nodes = descendants(store, self.chain, code) if code else [r[0] for r in store.con.execute(
                "SELECT DISTINCT node_code FROM placements WHERE chain = ? ORDER BY 1", [self.chain]).fetchall()] or [""]
            node = code or self.chain  # as resolved (m02, 计算机视觉 → M02), not as typed
        self.node = node or None
        self._con = None
        self._lock = threading.Lock()

    def as_dict(self) -> dict:
        return {"since": self.since, "region": self.region, "node": self.node, "chain": self.chain,
                "types": self.types, "enterprise_id": self.enterprise_id}

    def _enterprise_sql(self, col: str) -> tuple[str, list]:
        """Condition on an enterprise-id column: region (by the one region condition) and chain node."""
        where, params = [], []
        if self.region is not None:
            where.append(f"{col} IN (SELECT e.id FROM enterprises e WHERE {self.region_sql})")
            params += self.region_params
        if self.nodes:
            where.append(f"{col} IN (SELECT p.enterprise_id FROM placements p WHERE p.chain = ? "
                         f"AND p.node_code IN {_in_list(self.nodes)})")
            params += [self.chain] + self.nodes
        return " AND ".join(where) or "TRUE", params

    def matches(self, ev: dict) -> bool:
        """Whether one live event (as published on the bus) passes the filters; the region by the one region
        condition (``core.geo.lookup.region_condition``) over the event's region codes, evaluated on a small
        connection of the filter's own (a stream outlives the request's store)."""
        if self.types and ev.get("type") not in self.types and not (set(self.types) & other_types(ev.get("detail"))):
            return False
        if self.enterprise_id is not None and ev.get("enterprise_id") != self.enterprise_id:
            return False
        if self.since and (ev.get("date") or "") < self.since.isoformat():
            return False
        if self.region is None and not self.nodes:
            return True
        conds, params = [], []
        if self.region is not None:
            conds.append(self.region_sql)
            params += self.region_params
        if self.nodes:
            conds.append("list_has_any(?::VARCHAR[], ?::VARCHAR[])")
            params += [list(ev.get("nodes") or []), self.nodes]
        sql = (f"SELECT {' AND '.join(conds)} FROM (SELECT ?::VARCHAR AS province_code, ?::VARCHAR AS city_code, "
               f"?::VARCHAR AS district_code) e")
        with self._lock:
            if self._con is None:
                import duckdb

                self._con = duckdb.connect()
            row = self._con.execute(sql, params + [ev.get("province_code"), ev.get("city_code"), ev.get("district_code")])
            return bool(row.fetchone()[0])


def timeline(store, team=None, *, since: Any = None, region: str | None = None, node: str | None = None,
             chain: str | None = None, types: Any = None, enterprise: Any = None, limit: int = 200,
             as_of: Any = None) -> dict:
    """The events matching the filters, newest first: imported ones (``events``) and live ones (team state).

    As of a date (``as_of``, default the reference date, ``core.asof.reference_date``) like every other view:
    ``items`` are the events dated on or before it (or undated); the events dated after it — imported facts of later
    dates, a live event of today on a database whose data speak of an earlier date, the changes of an import given no
    data date — are
    not among them but listed apart in ``later`` (newest first, the same filters and limit), so a page about
    "now" can show them labelled as after the as-of; ``later`` also says how many of them are live (``live``) and how
    many an import given no data date dated by its day (``import_day``). ``more`` (in each part) says that events
    beyond ``limit`` match too and are not listed; ``total`` how many match in all (``count`` is how many are listed)."""
    if not 1 <= int(limit) <= 10_000:
        raise UserError("--limit 须在 1 到 10000 之间", en="--limit must be between 1 and 10000")
    f = Filter(store, since=since, region=region, node=node, chain=chain, types=types, enterprise=enterprise)
    d = reference_date(store, as_of)
    out = {}
    for part, window in (("items", (d, None)), ("later", (None, d))):
        items = _imported(store, f, limit + 1, window)  # one beyond the limit: are there more?
        if team is not None:
            items += _live(store, team, f, limit + 1, window)
        items.sort(key=lambda r: (r["date"] or "", r["received_at"] or "", r["id"]), reverse=True)
        out[part] = {"count": min(len(items), limit), "items": items[:limit], "more": len(items) > limit}
        if team is not None:  # an imported round with the live reports that told it again (``tell_again``)
            _round_reports(store, team, out[part]["items"])
    later = out["later"]
    if later["more"]:  # how many there are, not how many are listed (live ones up to 10,000)
        later["live"] = len(_live(store, team, f, 10_000, (None, d))) if team is not None else 0
        later["count"] = _count_imported(store, f, (None, d)) + later["live"]
    else:
        later["live"] = sum(e["origin"] != "import" for e in later["items"])
    # what dates them after the as-of, where it is not their own date: live events received since, and the changes
    # of an import given no data date, dated by its import day — said only when they are among them
    later["import_day"] = _count_imported(store, f, (None, d), import_day=True) if later["count"] > later["live"] else 0
    # ``count`` is how many are listed; ``total`` how many match (one count query, live ones up to 10,000): a page
    # limit never reads as the number of events (显示前 100 条，共 N 条)
    total = out["items"]["count"] if not out["items"]["more"] else _count_imported(store, f, (d, None)) + (
        len(_live(store, team, f, 10_000, (d, None))) if team is not None else 0)
    return {"filters": f.as_dict(), "as_of": d.isoformat(), "count": out["items"]["count"], "total": total,
            "more": out["items"]["more"], "items": out["items"]["items"], "later": out["later"]}


def other_types(detail: Any) -> set:
    """The other event types a feed item's event carries beside its own type (``detail.other_types``)."""
    if isinstance(detail, str):
        detail = _loads(detail)
    items = detail.get("other_types") if isinstance(detail, dict) else None
    return {a.get("type") for a in items if isinstance(a, dict)} if isinstance(items, list) else set()


def _own_sql(f: Filter, prefix: str, since: Any, window: tuple = (None, None)) -> tuple[str, list]:
    """The filters an event store checks itself: since, types, enterprise (columns ``prefix``date …), and the
    window around the as-of date ``(upto, after)``: ``(d, None)`` dated on or before *d* or undated, ``(None, d)``
    dated after *d*. A live event (``prefix`` "") has a type also when it is one of its ``detail.other_types`` (the
    detail is stored as JSON with sorted keys, so the entries' ``"type"`` follow ``"other_types"``); an imported news
    item's event is stored with the type its label is read as (``item_type``: FinESE's 信批违规 is a legal event), and
    is a ``news`` event too (its ``ref_table``), as a rule on news fires for it (``alerts.evaluate``)."""
    where, params = ["1 = 1"], []
    upto, after = window
    also = "".join(" OR detail LIKE ?" for _ in f.types) if not prefix else ""
    if prefix and "news" in f.types:
        also = f" OR {prefix}ref_table = 'news'"
    for cond, values in ((f"{prefix}date >= ?", [since] if f.since else []),
                         (f"({prefix}date IS NULL OR {prefix}date <= ?)", [] if upto is None else [upto]),
                         (f"{prefix}date > ?", [] if after is None else [after]),
                         (f"({prefix}type IN {_in_list(f.types)}{also})",
                          f.types + ([f'%"other_types": [%"type": "{t}"%' for t in f.types] if not prefix else [])),
                         (f"{prefix}enterprise_id = ?", [] if f.enterprise_id is None else [f.enterprise_id])):
        if values:
            where.append(cond)
            params += values
    return " AND ".join(where), params


_IMPORT_SELECT = """
        SELECT ev.id, ev.enterprise_id, e.name, e.uscc, ev.date, ev.type, ev.title, ev.detail, ev.source, ev.source_key,
               e.province_code, e.city_code, e.district_code, ev.ref_table
        FROM events ev JOIN enterprises e ON e.id = ev.enterprise_id"""


def _imported(store, f: Filter, limit: int, window: tuple = (None, None)) -> list[dict]:
    where, params = _own_sql(f, "ev.", f.since, window)
    cond, cparams = f._enterprise_sql("ev.enterprise_id")
    rows = store.con.execute(f"""{_IMPORT_SELECT}
        WHERE {where} AND {cond}
        ORDER BY ev.date DESC NULLS LAST, ev.id DESC LIMIT ?""", params + cparams + [int(limit)]).fetchall()
    return _import_records(store, rows)


def _count_imported(store, f: Filter, window: tuple = (None, None), import_day: bool = False) -> int:
    """How many imported events match; ``import_day``: only those dated by the day of an import given no data date
    (``UNDATED_IMPORTS``: its changes, its news without a publication date), not by a date of their own."""
    where, params = _own_sql(f, "ev.", f.since, window)
    cond, cparams = f._enterprise_sql("ev.enterprise_id")
    undated = (f" JOIN imports i ON i.id = ev.import_id AND i.data_date = ev.date AND i.id IN ({UNDATED_IMPORTS})"
               if import_day else "")
    return store.con.execute(f"SELECT count(*) FROM events ev JOIN enterprises e ON e.id = ev.enterprise_id{undated} "
                             f"WHERE {where} AND {cond}", params + cparams).fetchone()[0]


def _live(store, team, f: Filter, limit: int, window: tuple = (None, None)) -> list[dict]:
    # the team state stores dates as ISO text
    where, params = _own_sql(f, "", f.since.isoformat() if f.since else None,
                             tuple(x.isoformat() if x is not None else None for x in window))
    out: list[dict] = []
    offset = 0
    while len(out) < limit:  # pages of candidates, region and node checked in the analytical file
        with team.tx() as tx:
            rows = tx.query(f"SELECT * FROM monitor_events WHERE {where} AND report_of IS NULL "
                            f"ORDER BY date DESC, id DESC LIMIT {int(limit) * 4} OFFSET {offset}", params)
        if not rows:
            break
        offset += len(rows)
        if f.region is not None or f.nodes:
            ids = sorted({r["enterprise_id"] for r in rows})
            cond, cparams = f._enterprise_sql("x.id")
            keep = {r[0] for r in store.con.execute(
                f"SELECT x.id FROM (SELECT unnest(?::BIGINT[]) AS id) x WHERE {cond}", [ids] + cparams).fetchall()}
            rows = [r for r in rows if r["enterprise_id"] in keep]
        out += _not_imported_since(store, team, [_live_record(r) for r in rows])
    return out[:limit]


def _not_imported_since(store, team, items: list[dict]) -> list[dict]:
    """Live events without those whose round was imported after them (``told_elsewhere``): the imported round is the
    known event, and such a live event is listed among its reports (``_round_reports``), as a report told after the
    import is (``tell_again``) — one round, one row."""
    told = told_elsewhere(store, team, [dict(r, ref_table="monitor_events", ref_id=r["id"]) for r in items])
    return [r for i, r in enumerate(items) if i not in told]


# ------------------------------------------------------------------------------------------- ingestion
def _text(v: Any, what: str, n: int, required: bool = False) -> str | None:
    s = None if v is None else str(v).strip()
    if not s:
        if required:
            raise UserError(f"事件缺少{what}", en=f"the event has no {what}")
        return None
    if len(s) > n:
        raise UserError(f"事件的{what}过长（最多 {n} 字）", en=f"the event's {what} is too long (at most {n} characters)")
    return s


def _url(v: Any) -> str | None:
    """A link to the source: http(s) only (a page renders it as a link)."""
    url = _text(v, "链接", 2000)
    if url and not re.match(r"https?://[^\s]+$", url, re.I):
        raise UserError(f"链接须以 http:// 或 https:// 开头: {url[:80]}", en=f"the url must start with http:// or https://: {url[:80]}")
    return url


def norm_title(title: str) -> str:
    """A title reduced to its letters and digits (dedup keys and near-duplicate matching)."""
    return re.sub(r"[\W_]+", "", (title or "").lower())


def _amounts_read(detail: dict | None) -> dict | None:
    """The event's detail with its amount read as every amount is (``parse_user_amount``): ``amount_wan`` (万元, a
    number or a text such as "1.5亿") stored as the number, else ``amount`` (a text, bare numbers in 万元) read into
    ``amount_wan`` beside it — what scores, leads and alert thresholds count. An amount that is no amount, below 0 or
    beyond the plausibility bound (100 万亿元) refuses the event, in words; an undisclosed one (未披露) counts none."""
    if not detail or ("amount_wan" not in detail and "amount" not in detail):
        return detail
    detail = dict(detail)
    if detail.get("amount_wan") not in (None, ""):
        wan = parse_user_amount(detail["amount_wan"], "event_amount_wan", undisclosed=True)
        if wan is None or not isinstance(detail["amount_wan"], (int, float)):
            detail["amount_wan"] = wan
    elif detail.get("amount") not in (None, ""):
        wan = parse_user_amount(detail["amount"], "event_amount", undisclosed=True)
        if wan is not None:
            detail["amount_wan"] = wan
    return detail


# ------------------------------------------------------------------------------------------- the same event
# the one definition (``core/same_event.py``): read here for the event list, and by ``evaluation.live`` for the counts


def repeated_event(store, team, row: dict) -> dict | None:
    """The stored live event a prepared event (``prepare``) tells again (``same_event_sql``), the earliest by date and
    id; None when it is a new event (or of a type only its text identifies)."""
    if row["type"] not in SAME_EVENT_TYPES:
        return None
    detail = _loads(row.get("detail")) or {}
    rnd = event_round(detail)
    if rnd is None:
        return None
    day = _dt.date.fromisoformat(row["date"])
    with team.tx() as tx:
        held = tx.query("SELECT * FROM monitor_events WHERE enterprise_id = ? AND type = ? AND date >= ? AND date <= ? "
                        "AND report_of IS NULL ORDER BY date, id", [row["enterprise_id"], row["type"],
                                              (day - _dt.timedelta(days=SAME_EVENT_DAYS)).isoformat(),
                                              (day + _dt.timedelta(days=SAME_EVENT_DAYS)).isoformat()])
    if not held or any(h["dedup_key"] == row["dedup_key"] for h in held):  # stored already: not a repeat of itself
        return None
    facts = [((_loads(h.get("detail")) or {}) if isinstance(_loads(h.get("detail")), dict) else {}) for h in held]
    hit = store.con.execute(
        f"""SELECT b.i FROM (SELECT ?::BIGINT AS enterprise_id, ?::DATE AS date, ?::VARCHAR AS round,
                                    ?::DOUBLE AS amount_wan) a,
                 (SELECT unnest(?::BIGINT[]) AS i, unnest(?::BIGINT[]) AS enterprise_id, unnest(?::DATE[]) AS date,
                         unnest(?::VARCHAR[]) AS round, unnest(?::DOUBLE[]) AS amount_wan) b
            WHERE {same_event_sql('a', 'b')} ORDER BY b.i LIMIT 1""",
        [row["enterprise_id"], day, rnd, event_amount(detail), list(range(len(held))),
         [h["enterprise_id"] for h in held], [_dt.date.fromisoformat(str(h["date"])[:10]) for h in held],
         [event_round(f) for f in facts], [event_amount(f) for f in facts]]).fetchone()
    return _live_record(held[hit[0]]) if hit else None


def imported_round(store, row: dict) -> str | None:
    """The imported round (``f<id>``, the first by id) a prepared event (``prepare``) tells again
    (``same_event_sql``); None when it tells none."""
    if row["type"] not in SAME_EVENT_TYPES:
        return None
    detail = _loads(row.get("detail")) or {}
    rnd = event_round(detail) if isinstance(detail, dict) else None
    if rnd is None:
        return None
    fid = store.con.execute(
        f"""SELECT min(f.id) FROM fundings f, (SELECT ?::BIGINT AS enterprise_id, ?::DATE AS date, ?::VARCHAR AS round,
                                                     ?::DOUBLE AS amount_wan) a WHERE {same_event_sql('a', 'f')}""",
        [row["enterprise_id"], _dt.date.fromisoformat(row["date"]), rnd, event_amount(detail)]).fetchone()[0]
    return None if fid is None else f"f{fid}"


def told_elsewhere(store, team, events: list[dict]) -> dict[int, list[dict]]:
    """The same rounds told by the other origin, for the alerts (one event, one alert per rule): position in
    ``events`` (event records as the alerts read them: an imported round's has ``ref_table`` ``fundings``, a live
    event's ``monitor_events``) → the other origin's records of the same round (``same_event_sql``) — an imported
    round's stored live events (those told live before the round was imported), a live event's imported rounds (those
    imported before its alert was evaluated) — with ``type``, ``enterprise_id``, ``date``, ``title``, ``source`` and
    ``source_key``, the fields of an alert's event key."""
    picked = {i: ev for i, ev in enumerate(events) if ev.get("type") in SAME_EVENT_TYPES and ev.get("ref_id") is not None
              and ev.get("ref_table") in ("fundings", "monitor_events")}
    if not picked:
        return {}
    rounds = {i: ev for i, ev in picked.items() if ev["ref_table"] == "fundings"}
    live = {i: ev for i, ev in picked.items() if ev["ref_table"] == "monitor_events"}
    facts = {int(r[0]): r[1:] for r in store.con.execute(  # the imported rounds' own facts (round and amount as imported)
        "SELECT id, enterprise_id, date, round, amount_wan FROM fundings WHERE id IN (SELECT unnest(?::BIGINT[]))",
        [sorted({int(ev["ref_id"]) for ev in rounds.values()})]).fetchall()} if rounds else {}
    firms = sorted({int(ev["enterprise_id"]) for ev in picked.values() if ev.get("enterprise_id") is not None})
    with team.tx() as tx:  # the other origin's candidates: every stored live round of these enterprises
        held = tx.query(f"SELECT * FROM monitor_events WHERE type IN ({', '.join('?' for _ in SAME_EVENT_TYPES)}) "
                        f"AND report_of IS NULL AND enterprise_id IN ({', '.join('?' for _ in firms)})",
                        [*SAME_EVENT_TYPES, *firms]) if rounds and firms else []
    held_facts = [_loads(h.get("detail")) if isinstance(_loads(h.get("detail")), dict) else {} for h in held]
    a = [(i, *facts[int(ev["ref_id"])]) for i, ev in rounds.items() if int(ev["ref_id"]) in facts]
    for i, ev in live.items():
        d = ev.get("detail") if isinstance(ev.get("detail"), dict) else _loads(ev.get("detail")) or {}
        if isinstance(d, dict) and ev.get("date"):
            a.append((i, ev.get("enterprise_id"), _dt.date.fromisoformat(str(ev["date"])[:10]), event_round(d),
                      event_amount(d)))
    if not a:
        return {}
    cols = list(zip(*a))
    sides = ("SELECT unnest(?::BIGINT[]) AS i, unnest(?::BIGINT[]) AS enterprise_id, unnest(?::DATE[]) AS date, "
             "unnest(?::VARCHAR[]) AS round, unnest(?::DOUBLE[]) AS amount_wan")
    params = [list(c) for c in cols]
    hits = store.con.execute(  # live round × held live events; live event × imported rounds (with their events)
        f"""WITH a AS ({sides}), b AS ({sides})
            SELECT a.i, 'm', b.i FROM a JOIN b ON {same_event_sql('a', 'b')}
            UNION ALL
            SELECT a.i, 'f', ev.id FROM a JOIN fundings f ON {same_event_sql('a', 'f')}
                 JOIN events ev ON ev.ref_table = 'fundings' AND ev.ref_id = f.id
            ORDER BY 1, 3""",
        params + [list(range(len(held))), [h["enterprise_id"] for h in held],
                  [_dt.date.fromisoformat(str(h["date"])[:10]) for h in held], [event_round(f) for f in held_facts],
                  [event_amount(f) for f in held_facts]]).fetchall()
    imported = {int(r[0]): r for r in store.con.execute(
        "SELECT id, type, enterprise_id, date, title, source, source_key FROM events WHERE id IN "
        "(SELECT unnest(?::BIGINT[]))", [sorted({h[2] for h in hits if h[1] == 'f'})]).fetchall()}
    out: dict[int, list[dict]] = {}
    for i, side, j in hits:
        if side == "m" and i in rounds:
            out.setdefault(i, []).append(_live_record(held[j]))
        elif side == "f" and i in live:
            _id, typ, ent, day, title, source, skey = imported[j]
            out.setdefault(i, []).append({"type": typ, "enterprise_id": ent, "date": day, "title": title,
                                          "source": source, "source_key": skey})
    return out


def tell_again(store, team, row: dict) -> dict | None:
    """A prepared event that tells a known event again (the one rule, ``same_event_sql``) kept as a report of it —
    one event, one alert, its reports counted —, or None when it is a new event (or a resend of a stored one, which
    ``store_events`` returns as stored). The known event is the imported round when there is one (kept, as the
    scorecard and the leads keep it), else the earliest stored live event. A report of a live event is listed in its
    ``detail.reports`` (``add_report``); the event is returned as stored now. A report of an imported round, which
    lives in the analytical file, is kept in the team state as a row naming the round (``report_of``, ``f<id>``):
    never listed as an event, published, alerted on or counted as a round; that row is returned. Either with
    ``same_event_as``: the known event's key (``m<id>``, ``f<id>``)."""
    with team.tx() as tx:
        if tx.one("SELECT id FROM monitor_events WHERE dedup_key = ?", [row["dedup_key"]]):
            return None  # sent before: a duplicate, as stored
    fid = imported_round(store, row)
    if fid is not None:
        res = store_events(team, [dict(row, report_of=fid)], publish=False)
        got = (res["stored"] + res["duplicates"])[0]
        return dict(got, report_of=fid, same_event_as=fid)
    held = repeated_event(store, team, row)
    if held is None:
        return None
    return dict(add_report(team, held["id"], row), same_event_as=held["key"])


def _report(row: dict) -> dict:
    """One report of an event as listed (``detail.reports``): news item, title, source, record key, URL, date."""
    return {k: row.get(k) for k in ("news_id", "title", "source", "source_key", "url", "date")}


def round_reports(team, fids: list[int]) -> dict[int, list[dict]]:
    """Imported round id → the live reports that told it again (``tell_again``), oldest first."""
    if not fids:
        return {}
    keys = [f"f{int(i)}" for i in fids]
    with team.tx() as tx:
        rows = tx.query(f"SELECT * FROM monitor_events WHERE report_of IN ({', '.join('?' for _ in keys)}) ORDER BY id",
                        keys)
    out: dict[int, list[dict]] = {}
    for r in rows:
        out.setdefault(int(r["report_of"][1:]), []).append(_report(r))
    return out


def _round_reports(store, team, items: list[dict]) -> None:
    """The imported funding events among ``items`` with their rounds' live reports in ``detail.reports`` (as a live
    event's are listed: one event, its reports counted)."""
    ids = [r["id"] for r in items if r["origin"] == "import" and r["type"] in SAME_EVENT_TYPES]
    if not ids:
        return
    ref = dict(store.con.execute("SELECT id, ref_id FROM events WHERE ref_table = 'fundings' AND ref_id IS NOT NULL "
                                 "AND id IN (SELECT unnest(?::BIGINT[]))", [ids]).fetchall())
    told = round_reports(team, sorted(set(ref.values())))
    rounds = [dict(r, ref_table="fundings", ref_id=ref[r["id"]]) for r in items if r["id"] in ref and r["origin"] == "import"]
    for i, live in told_elsewhere(store, team, rounds).items():  # told live before the round was imported
        fid = rounds[i]["ref_id"]
        live_reports = [r for e in live for r in [_report(e), *((e.get("detail") or {}).get("reports") or [])]]
        told[fid] = sorted(told.get(fid, []) + live_reports, key=lambda x: str(x.get("date") or ""))
    for r in items:
        if told.get(ref.get(r["id"])):
            detail = r["detail"] if isinstance(r["detail"], dict) else {}
            r["detail"] = dict(detail, reports=told[ref[r["id"]]])


def told_key(evidence: Any) -> str | None:
    """The key of the event whose reports are counted (``reports_told``) that evidence rows name — a live event
    (``monitor_events``: ``m<id>``) or an imported round (``fundings``: ``f<id>``) —; None for any other event (told
    once)."""
    for table, prefix in (("monitor_events", "m"), ("fundings", "f")):
        ref = next((e for e in evidence or () if isinstance(e, dict) and e.get("table") == table and e.get("ids")), None)
        if ref:
            return f"{prefix}{int(ref['ids'][0])}"
    return None


def reports_told(team, keys: list[str]) -> dict[str, int]:
    """How many reports tell each known event, by key: a live event (``m<id>``) itself and the repeats in its
    ``detail.reports``; an imported round (``f<id>``) itself and the live reports that name it (``report_of``).
    What an alert's list, its webhook and the digest say (· 2 篇报道)."""
    live = sorted({int(k[1:]) for k in keys if k[:1] == "m" and k[1:].isdigit()})
    rounds = sorted({int(k[1:]) for k in keys if k[:1] == "f" and k[1:].isdigit()})
    out: dict[str, int] = {}
    if live:
        with team.tx() as tx:
            out = {f"m{e['id']}": report_count(e.get("detail")) for e in tx.query(
                f"SELECT id, detail FROM monitor_events WHERE id IN ({', '.join('?' for _ in live)})", live)}
    for fid, told in round_reports(team, rounds).items():
        out[f"f{fid}"] = 1 + len(told)
    return out


def add_report(team, event_id: int, row: dict) -> dict:
    """Another report of a stored live event (a prepared row that ``repeated_event`` found to repeat it): listed in
    its ``detail.reports`` (news item, title, source, record key, URL, date) — one event, one alert, its reports
    counted (``reports``). Returns the event as stored now."""
    report = _report(row)
    with team.tx(exclusive=True) as tx:
        got = tx.one("SELECT * FROM monitor_events WHERE id = ?", [int(event_id)])
        detail = _loads(got.get("detail")) if got.get("detail") else {}
        detail = detail if isinstance(detail, dict) else {}
        reports = list(detail.get("reports") or [])
        if not any(r.get("source") == report["source"] and r.get("source_key") == report["source_key"] for r in reports):
            reports.append(report)
            detail["reports"] = reports
            text = json.dumps(detail, ensure_ascii=False, sort_keys=True)
            tx.execute("UPDATE monitor_events SET detail = ? WHERE id = ?", [text, int(event_id)])
            got = dict(got, detail=text)
    return _live_record(got)


def report_count(detail: Any) -> int:
    """How many reports tell an event: itself and the repeats listed in ``detail.reports`` (``add_report``)."""
    detail = _loads(detail)
    return 1 + len(detail.get("reports") or []) if isinstance(detail, dict) else 1


def prepare(store, item: dict, *, origin: str = "api", actor: str | None = None) -> dict:
    """One incoming event checked and linked (nothing stored): the row ``store_events`` writes."""
    typ = _text(item.get("type"), "类型", 40, True)
    check_types([typ])
    d = parse_user_date(item.get("date"), "event_date", end_of_period=False, today=china_today())
    if d is None:
        raise UserError("事件缺少日期", en="the event has no date")
    key = item.get("enterprise_id") if item.get("enterprise_id") not in (None, "") else item.get("enterprise")
    if key in (None, ""):
        raise UserError("事件缺少企业（enterprise：编号、统一社会信用代码或名称）",
                        en="the event names no enterprise (enterprise: id, credit code or name)")
    eid = resolve_enterprise(store, key)
    ent = store.con.execute("SELECT name, uscc, province_code, city_code, district_code FROM enterprises WHERE id = ?",
                            [eid]).fetchone()
    nodes = [r[0] for r in store.con.execute(
        "SELECT DISTINCT node_code FROM placements WHERE enterprise_id = ? ORDER BY 1", [eid]).fetchall()]
    title = _text(item.get("title"), "标题", 500, True)
    source = _text(item.get("source"), "来源", 200) or origin
    source_key = _text(item.get("source_key"), "来源编号", 200)
    sentiment = item.get("sentiment")
    if sentiment is not None:
        try:
            sentiment = float(sentiment)
        except (TypeError, ValueError):
            raise UserError(f"情感值应为 -1 到 1 之间的数: {sentiment}", en=f"sentiment must be a number in -1…1: {sentiment}")
        if not -1.0 <= sentiment <= 1.0:
            raise UserError(f"情感值应在 -1 到 1 之间: {sentiment}", en=f"sentiment must lie in -1…1: {sentiment}")
    detail = item.get("detail")
    if detail is not None and not isinstance(detail, dict):
        raise UserError("detail 应为 JSON 对象", en="detail must be a JSON object")
    detail = _amounts_read(detail)
    detail_text = json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else None
    if detail_text and len(detail_text) > 20_000:
        raise UserError("detail 过大（最多 20000 字符）", en="detail is too large (at most 20000 characters)")
    ident = source_key or norm_title(title)
    dedup = hashlib.sha256(f"{eid}|{typ}|{d.isoformat()}|{source}|{ident}".encode()).hexdigest()
    return {"origin": origin, "enterprise_id": eid, "enterprise_name": ent[0], "enterprise_uscc": ent[1],
            "province_code": ent[2], "city_code": ent[3], "district_code": ent[4],
            "nodes": json.dumps(nodes, ensure_ascii=False), "type": typ, "date": d.isoformat(), "title": title,
            "detail": detail_text, "sentiment": sentiment, "url": _url(item.get("url")),
            "source": source, "source_key": source_key, "news_id": item.get("news_id"), "actor": actor,
            "dedup_key": dedup}


def store_events(team, rows: list[dict], *, publish: bool = True, bus: _bus.EventBus | None = None) -> dict:
    """Write prepared events in one transaction; a duplicate (same dedup key) is returned as it was stored.
    The new ones are then published on the bus."""
    at = now()
    new, dups = [], []
    with team.tx(exclusive=True) as tx:
        for row in rows:
            row = dict(row, received_at=at)
            got = tx.one("SELECT * FROM monitor_events WHERE dedup_key = ?", [row["dedup_key"]])
            if got:
                dups.append(_live_record(got))
                continue
            eid = tx.scalar(f"INSERT INTO monitor_events ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)}) "
                            "RETURNING id", list(row.values()))
            new.append(_live_record(dict(row, id=int(eid))))
    if publish:
        for ev in new:
            (bus or _bus.BUS).publish(ev)
    return {"stored": new, "duplicates": dups}


def _funding_read(item: dict) -> dict:
    """A sent funding event with the round and amount its title names where ``detail`` gives none, read as a feed
    item's are (``core.same_event.funding_facts``): one round told by a sender that writes it only in the title is
    the same event as the round another sent with its details (``same_event_sql`` needs the round on both)."""
    detail = item.get("detail") or {}
    if item.get("type") != "funding" or not isinstance(detail, dict):
        return item  # a detail that is no object is refused by ``prepare``
    detail = dict(detail)
    facts = funding_facts(str(item.get("title") or ""), "")
    if not detail.get("round") and facts.get("round"):
        detail["round"] = facts["round"]
    if detail.get("amount_wan") in (None, "") and detail.get("amount") in (None, "") and "amount" in facts:
        detail["amount"] = facts["amount"]
    return dict(item, detail=detail) if detail else item


def ingest(store, team, items: Iterable[dict], *, origin: str = "api", actor: str | None = None,
           bus: _bus.EventBus | None = None) -> dict:
    """Validate, link, deduplicate, store and publish events (all or none: one bad item refuses the batch,
    naming it). An event that tells a known event again (the one rule of the same event, ``same_event_sql``: a
    round another sender, or the imported IT桔子 rounds, already told) is not a second event: it joins that event
    as a report (``tell_again``) and is answered in ``same_event`` with ``same_event_as``, the known event's key
    (``m``+id a live event, ``f``+id an imported round)."""
    items = list(items)
    if not items:
        raise UserError("没有事件", en="no events given")
    if len(items) > MAX_BATCH:
        raise UserError(f"一次最多 {MAX_BATCH} 个事件", en=f"at most {MAX_BATCH} events at once")
    rows = []
    for i, item in enumerate(items, 1):
        try:
            rows.append(prepare(store, _funding_read(item), origin=origin, actor=actor))
        except UserError as exc:
            if len(items) == 1:
                raise
            raise type(exc)(f"第 {i} 个事件: {exc}", en=f"event {i}: {exc.in_lang('en')}") from None
    seen, res = set(), {"stored": [], "duplicates": [], "same_event": []}
    for r in rows:  # one by one: the same event twice in one batch is one event, the second its report
        if r["dedup_key"] in seen:
            continue
        seen.add(r["dedup_key"])
        known = tell_again(store, team, r)
        if known is not None:
            res["same_event"].append(known)
            continue
        got = store_events(team, [r], bus=bus)
        res["stored"] += got["stored"]
        res["duplicates"] += got["duplicates"]
    # a round stored before a repeat was recognised as its report: still flagged, and counted once
    from ..evaluation.live import likely_duplicates

    dups = likely_duplicates(store, team, [r["key"] for r in res["stored"] + res["duplicates"] if r["type"] == "funding"])
    for r in res["stored"] + res["duplicates"]:
        if r["key"] in dups:
            r["likely_duplicate_of"] = dups[r["key"]]
    return res


def get_event(team, key: str) -> dict:
    """One live event by its key (``m12``)."""
    m = re.fullmatch(r"m?(\d{1,18})", str(key).strip())
    row = None
    if m:
        with team.tx() as tx:
            row = tx.one("SELECT * FROM monitor_events WHERE id = ?", [int(m.group(1))])
    if not row:
        raise NotFound(f"未找到事件: {key}", f"event not found: {key}")
    return _live_record(row)


# ------------------------------------------------------------------------------------------- other processes
def last_id(team) -> int:
    with team.tx() as tx:
        return int(tx.scalar("SELECT coalesce(max(id), 0) FROM monitor_events") or 0)


def live_after(team, after: int, batch: int = 500, *, since: Any = None, upto: int | None = None) -> list[dict]:
    """The live events stored after id ``after`` (by any process), oldest first, as event records; with ``since``
    (a date) only those dated on or after it, with ``upto`` only ids up to it."""
    where, params = ["id > ?", "report_of IS NULL"], [after]  # a report of an imported round is no event (``tell_again``)
    if since is not None:
        where.append("date >= ?")
        params.append(since.isoformat() if hasattr(since, "isoformat") else str(since))
    if upto is not None:
        where.append("id <= ?")
        params.append(int(upto))
    with team.tx() as tx:
        rows = tx.query(f"SELECT * FROM monitor_events WHERE {' AND '.join(where)} ORDER BY id LIMIT {int(batch)}", params)
    return [_live_record(r) for r in rows]


def tail_into_bus(team, after: int, bus: _bus.EventBus | None = None, batch: int = 500) -> int:
    """Publish the live events stored after id ``after`` (by any process) that this bus has not published yet;
    returns the last id seen."""
    for ev in live_after(team, after, batch):
        (bus or _bus.BUS).publish(ev)
        after = max(after, int(ev["id"]))
    return after


def imported_after(store, after: int, batch: int = 5000) -> list[dict]:
    """Imported events with an id above ``after`` (a new import published as a new data generation), with the
    chain nodes of their enterprises."""
    rows = store.con.execute(f"{_IMPORT_SELECT} WHERE ev.id > ? ORDER BY ev.id LIMIT {int(batch)}", [after]).fetchall()
    out = _import_records(store, rows)
    if out:
        nodes: dict = {}
        for eid, node in store.con.execute(
                "SELECT DISTINCT enterprise_id, node_code FROM placements WHERE enterprise_id IN "
                "(SELECT unnest(?::BIGINT[])) ORDER BY 1, 2", [sorted({r["enterprise_id"] for r in out})]).fetchall():
            nodes.setdefault(eid, []).append(node)
        for r in out:
            r["nodes"] = nodes.get(r["enterprise_id"], [])
    return out


def max_imported(store) -> int:
    return int(store.con.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0])


class Tail:
    """The server's reader of events that did not pass through its own bus: live events stored by other
    processes (``zhaoshang monitor run`` beside it) and, with ``store_scope`` (the served data), the events of an
    import published as a new data generation. Each is published once. Runs in a background thread
    (``core.background``: stopped and joined at shutdown) from ``start()`` until ``stop`` is set."""

    name = "zhaoshang-event-tail"

    def __init__(self, team, interval: float = 0.5, bus: _bus.EventBus | None = None, store_scope=None):
        self.team, self.interval, self.bus, self.store_scope = team, interval, bus, store_scope
        self._worker = None
        self.stop = threading.Event()
        self.after = last_id(team)
        self.import_after = None
        if store_scope is not None:
            with store_scope() as store:
                self.import_after = max_imported(store)

    def start(self) -> None:
        from ...core import background

        self._worker = background.start_on(self.store_scope, self.name, self.run, stopping=self.stop)

    def join(self, timeout: float | None = None) -> None:
        if self._worker is not None:
            self._worker.thread.join(timeout)

    def is_alive(self) -> bool:
        return self._worker is not None and self._worker.thread.is_alive()

    def run(self) -> None:
        while not self.stop.wait(self.interval):
            try:
                self.after = tail_into_bus(self.team, self.after, self.bus)
                if self.store_scope is not None:
                    with self.store_scope() as store:
                        top = max_imported(store)
                        if top < self.import_after:  # another file (a rebuilt demo): its ids start again
                            self.import_after = top
                        for ev in imported_after(store, self.import_after):
                            (self.bus or _bus.BUS).publish(ev)
                            self.import_after = max(self.import_after, ev["id"])
            except Exception:  # the team database or the data briefly unavailable: try again next time
                self.stop.wait(self.interval)
