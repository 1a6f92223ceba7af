"""Alerts: rules evaluated over new events, each match stored once in the team state (unique per rule and
event key, so re-running, re-importing or two server processes never duplicate an alert), read per user.

``run`` evaluates the events of the analytical database that arrived since the last run (a cursor in
``alert_state``; a rebuilt file, whose ids restart, is noticed and read again — deduplication keeps that
harmless). ``record`` evaluates event records handed over directly (the event bus, the API), and both queue
the webhook deliveries of new alerts in the same transaction (``delivery``).
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any, Iterable

from ...core import jsonenc
from ...core.errors import NotFound, UserError
from ...core.event_titles import changed_regions_en, english_title, seen_day
from ...core.teamstate.clock import now
from ..team import audit
from . import evaluate as E
from . import rules as R
from .rules import state_get, state_set

CURSOR = "event_cursor"
BATCH = 5000
FIRST_RUN_DAYS = 90  # a first run (no cursor yet, or a rebuilt file) reads this many days up to the newest event
COLUMNS = ["id", "rule_id", "rule_name", "owner", "event_id", "enterprise_id", "enterprise_name", "event_type",
           "event_date", "title", "created_at", "read_at"]
# ``matched_type`` beside ``event_type``: the type the rule's type condition matched (read from its explanation) — an
# item's other type (a 融资 stated by an expansion's text) when a rule of that type fired on it; null for a rule
# that names no type
# ``reports``: how many reports tell the alert's event (a live event a second feed item told again,
# ``monitoring.events.add_report``: one event, one alert, its reports counted)
# ``seen``: the data date of the export that showed the event's change (``with_seen``; null until it is read)
FIELDS = [*COLUMNS[:8], "matched_type", *COLUMNS[8:], "title_en", "reports", "seen", "explain", "evidence", "event_key"]  # an alert's fields as the list and --format json/csv give them
EVENT_COLS = "id, enterprise_id, date, type, title, detail, ref_table, ref_id, source, source_key"


def record(store, team, events: list[dict], rules: list[dict] | None = None, ctx: E.Context | None = None,
           reach: dict | None = None) -> list[dict]:
    """Evaluate event records against every enabled rule; store the new alerts (and queue their webhooks).
    Returns the alerts created now (an alert that already exists for the rule and event is not repeated).
    ``reach``: a sentiment rule's events counted into it (``evaluate.sentiment_reach``)."""
    rules = R.list_rules(team, enabled_only=True) if rules is None else rules
    if not rules or not events:
        return []
    ctx = ctx or E.context(store, team, rules)
    enriched = E.enrich(store, events)
    if reach is not None:
        E.sentiment_reach(rules, enriched, ctx, reach)
    matches = E.evaluate(rules, enriched, ctx)
    if not matches:
        return []
    from ..monitoring.events import reports_told, told_key
    from . import delivery

    # how many reports tell each matched event when its alert is raised (its webhook says so; ``reports_of`` again
    # when it is sent)
    told = reports_told(team, [k for _, ev, _ in matches if (k := told_key(_ref_of(ev)))])
    twins = _told_elsewhere_keys(store, team, [ev for _, ev, _ in matches])
    regions = changed_regions_en(store, [ev.get("detail") for _, ev, _ in matches if "title_en" not in ev
                                         and ev.get("type") == "change_region" and ev.get("ref_table") != LIVE_TABLE])
    created = []
    at = now()
    with team.tx(exclusive=True) as tx:
        hooks = {r["owner"]: r for r in tx.query("SELECT owner, webhook_url FROM alert_channels WHERE webhook_url IS NOT NULL")}
        for rule, ev, x in matches:
            key = E.event_key(ev)
            if tx.scalar("SELECT id FROM alerts WHERE rule_id = ? AND event_key = ?", [rule["id"], key]) is not None:
                continue
            other = twins.get(id(ev))  # the round told live before it was imported (or imported before it was read)
            if other and tx.scalar(f"SELECT id FROM alerts WHERE rule_id = ? AND event_key IN "
                                   f"({', '.join('?' for _ in other)})", [rule["id"], *other]) is not None:
                continue
            row = {"rule_id": rule["id"], "owner": rule["owner"], "rule_name": rule["name"], "event_key": key,
                   "event_id": ev.get("id"), "enterprise_id": ev.get("enterprise_id"),
                   "enterprise_name": ev.get("enterprise_name"), "event_type": ev.get("type"),
                   "event_date": str(ev.get("date") or "") or None, "title": ev.get("title"),
                   "title_en": _title_en(ev, regions), "explain": jsonenc.dumps(x), "created_at": at}
            aid = int(tx.scalar(f"INSERT INTO alerts ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)}) RETURNING id",
                                list(row.values())))
            alert = _present(dict(row, id=aid, read_at=None, reports=told.get(told_key(_ref_of(ev)), 1),
                                  seen=seen_day(ev)))  # the export its change was seen in, as its webhook says it
            if "webhook" in rule["channels"] and rule["owner"] in hooks:  # as the owner's role sees it when sent
                delivery.queue_webhook(tx, store, dict(alert, rule_name_en=R.shown_name(rule, "en")),
                                       hooks[rule["owner"]]["webhook_url"], at)
            created.append(alert)
    return created


def _title_en(ev: dict, regions: dict[str, str]) -> str | None:
    """The English of a matched event's title, kept with its alert: as the events' list says it (a record it made
    carries it; ``english_title`` otherwise, with the event's detail — a patent by its number, a region change by
    the ``regions``' English names — which the alert's row alone could not give)."""
    if "title_en" in ev:
        return ev["title_en"]
    return english_title(ev.get("title"), ev.get("detail"), regions=regions, type=ev.get("type"))


def _told_elsewhere_keys(store, team, events: list[dict]) -> dict[int, list[str]]:
    """``id()`` of a matched event record → the alert keys of the same round told by the other origin
    (``monitoring.events.told_elsewhere``): a rule that alerted on one is not raised again on the other — a round
    told live and imported days later is one event, one alert per rule, whichever came first."""
    from ..monitoring.events import told_elsewhere

    unique = list({id(ev): ev for ev in events}.values())
    return {id(unique[i]): [E.event_key(from_live(t) if "key" in t else t) for t in others]
            for i, others in told_elsewhere(store, team, unique).items()}


def _ref_of(ev: dict) -> list:
    """An event record's fact as evidence rows name it (the ``ref_table`` row it came from)."""
    return [{"table": ev.get("ref_table"), "ids": [ev["ref_id"]]}] if ev.get("ref_id") is not None else []


def run(store, team, *, since: str | None = None) -> dict:
    """Evaluate the events that arrived since the last run (or, with ``since``, every event dated from that
    day on, again); returns how many events were read and the alerts created. A first run (and a run on a
    rebuilt file) starts from ``FIRST_RUN_DAYS`` before the newest event, not from years of history, which
    would bury today's alerts under old ones (``window_start`` says from when; ``since`` reaches further back)."""
    with team.tx() as tx:
        stored = state_get(tx, CURSOR)
    cursor = int(stored or 0)
    top = store.con.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]
    first = stored is None or top < cursor  # no run yet, or a rebuilt or replaced file (its ids start again)
    if top < cursor:
        cursor = 0
    rules = R.list_rules(team, enabled_only=True)
    if not since and top == cursor:  # nothing new: the common case of the server's round every second
        return {"events": 0, "rules": len(rules), "alerts": [], "window_start": None, "sentiment": {}}
    window = None
    if since:
        from ...core.parse.dates import parse_user_date

        d = parse_user_date(since, "since", end_of_period=False)
        where, params = "date >= ?", [d]
    elif first and (newest := store.con.execute("SELECT max(date) FROM events").fetchone()[0]) is not None:
        window = newest - _dt.timedelta(days=FIRST_RUN_DAYS)
        where, params = "date >= ?", [window]
    else:
        where, params = "id > ?", [cursor]
    created, read, last, reach = [], 0, 0, {}
    ctx = E.context(store, team, rules) if rules else None
    while rules:
        rows = store.query(f"SELECT {EVENT_COLS} FROM events WHERE {where} AND id > ? ORDER BY id LIMIT {BATCH}",
                           params + [last])
        if not rows:
            break
        read += len(rows)
        last = rows[-1]["id"]
        created += record(store, team, rows, rules, ctx, reach)
    with team.tx(exclusive=True) as tx:
        state_set(tx, CURSOR, top)
    return {"events": read, "rules": len(rules), "alerts": created, "window_start": window, "sentiment": reach}


LIVE_CURSOR = "live_cursor"
LIVE_TABLE = "monitor_events"  # a live event's evidence row


def from_live(ev: dict) -> dict:
    """A live event record (``services.monitoring.events``: ``POST /api/events``, news feeds) as the evaluator
    reads it; its evidence is its ``monitor_events`` row with source, record key and URL."""
    return {"id": None, "enterprise_id": ev.get("enterprise_id"), "enterprise_name": ev.get("enterprise_name"),
            "date": ev.get("date"), "type": ev.get("type"), "title": ev.get("title"), "detail": ev.get("detail"),
            "sentiment": ev.get("sentiment"), "url": ev.get("url"), "ref_table": LIVE_TABLE, "ref_id": ev.get("id"),
            "source": ev.get("source"), "source_key": ev.get("source_key") or ev.get("key")}


def run_live(store, team, batch: int = 500, *, since: str | None = None) -> dict:
    """Evaluate the live events stored since the last run (a cursor over their ids in ``alert_state``), so an
    event that arrived while no server ran is evaluated at the next start; with ``since``, first every live
    event already read that is dated from that day on, again (an alert that exists for a rule and event is not
    repeated), so a rule saved after an item arrived applies to it."""
    from ..monitoring import events as live

    with team.tx() as tx:
        cursor = int(state_get(tx, LIVE_CURSOR, "0"))
    rules = R.list_rules(team, enabled_only=True)
    created, read, reach = [], 0, {}
    ctx = None
    if since and rules:
        from ...core.parse.dates import parse_user_date

        day, last = parse_user_date(since, "since", end_of_period=False), 0
        while rows := live.live_after(team, last, batch, since=day, upto=cursor):
            ctx = ctx or E.context(store, team, rules)
            created += record(store, team, [from_live(r) for r in rows], rules, ctx, reach)
            read += len(rows)
            last = max(int(r["id"]) for r in rows)
    while True:
        rows = live.live_after(team, cursor, batch)
        if not rows:
            break
        if rules:
            ctx = ctx or E.context(store, team, rules)
            created += record(store, team, [from_live(r) for r in rows], rules, ctx, reach)
        read += len(rows)
        cursor = max(int(r["id"]) for r in rows)
        with team.tx(exclusive=True) as tx:
            state_set(tx, LIVE_CURSOR, cursor)
    return {"events": read, "rules": len(rules), "alerts": created, "sentiment": reach}


def run_all(store, team, *, since: str | None = None) -> dict:
    """``run`` (imported events) and ``run_live`` (live events) in one: what the server's round and
    ``zhaoshang alerts run`` do."""
    a, b = run(store, team, since=since), run_live(store, team, since=since)
    reach = {k: [x + y for x, y in zip(a["sentiment"].get(k, (0, 0)), b["sentiment"].get(k, (0, 0)))]
             for k in {*a["sentiment"], *b["sentiment"]}}
    return {"events": a["events"] + b["events"], "rules": a["rules"], "alerts": a["alerts"] + b["alerts"],
            "window_start": a["window_start"],
            "sentiment": sentiment_notes(R.list_rules(team, enabled_only=True), reach) if reach else []}


def sentiment_notes(rules: list[dict], reach: dict) -> list[dict]:
    """The sentiment rules whose matching events lack a sentiment, in the order of ``rules``: ``{rule_id, name,
    matching, with_sentiment}`` — what ``alerts run`` and a saved rule say (a threshold on items without a sentiment
    never fires)."""
    return [{"rule_id": r["id"], "name": r["name"], "matching": n[0], "with_sentiment": n[1]}
            for r in rules if (n := reach.get(r["id"])) and n[1] < n[0]]


def sentiment_coverage(store, team, rule: dict) -> dict | None:
    """How many of the events held (imported and live) meet a sentiment rule's other conditions and how many of
    those carry a sentiment (None for a rule without a sentiment threshold)."""
    from ..monitoring import events as live

    if all(rule.get(k) is None for k in E.SENTIMENT_KEYS):
        return None
    ctx, reach, last = E.context(store, team, [rule]), {}, 0
    while rows := store.query(f"SELECT {EVENT_COLS} FROM events WHERE id > ? ORDER BY id LIMIT {BATCH}", [last]):
        E.sentiment_reach([rule], E.enrich(store, rows), ctx, reach)
        last = rows[-1]["id"]
    cursor = 0
    while rows := live.live_after(team, cursor, BATCH):
        E.sentiment_reach([rule], E.enrich(store, [from_live(r) for r in rows]), ctx, reach)
        cursor = max(int(r["id"]) for r in rows)
    matching, toned = reach.get(rule["id"], (0, 0))
    return {"matching": matching, "with_sentiment": toned}


def _present(r: dict) -> dict:
    out = {c: r.get(c) for c in COLUMNS}
    x = r.get("explain")
    out["explain"] = json.loads(x) if isinstance(x, str) else x
    out["evidence"] = (out["explain"] or {}).get("evidence") or []
    # kept when raised; an alert raised before it was kept is read from its title (a patent's number unknown there)
    out["title_en"] = r["title_en"] if r.get("title_en") is not None else english_title(
        out.get("title"), type=out.get("event_type"))
    out["matched_type"] = matched_type(out["explain"])[0]
    out["event_key"] = r.get("event_key")
    out["reports"] = r.get("reports") or 1
    out["seen"] = r.get("seen")
    return {k: out[k] for k in FIELDS}  # matched_type beside event_type in every listing (JSON, CSV)


def with_seen(store, alerts: Any) -> Any:
    """Alerts (one, or a list) with ``seen``: the data date of the export that showed their event's change
    (``core.event_titles.seen_day`` of the event: a change of legal representative dated by the roles, an end the
    registry dated, a name, capital or address dated by that export), which the list, the alert's page and JSON and
    the digest say beside the title as the events' lists do (见于 2024-12-31 的导出); None for another event."""
    one = isinstance(alerts, dict)
    rows = [alerts] if one else list(alerts)
    ids = sorted({int(a["event_id"]) for a in rows if a.get("event_id") is not None})
    events = {r["id"]: r for r in store.query("SELECT id, enterprise_id, type, date, ref_table, detail FROM events "
                                              "WHERE list_contains(?, id)", [ids])} if ids else {}

    def seen(a: dict) -> str | None:
        ev = events.get(a.get("event_id"))
        same = ev is not None and (ev["type"], ev["enterprise_id"]) == (a.get("event_type"), a.get("enterprise_id"))
        return seen_day(ev) if same else None

    out = [dict(a, seen=seen(a)) for a in rows]
    return out[0] if one else out


def _with_reports(team, rows: list[dict]) -> list[dict]:
    """The stored alerts with ``reports``: how many reports tell their events now (``monitoring.events.reports_told``:
    a live event told again, an imported round a live report told again — counted also after the alert was raised)."""
    from ..monitoring.events import reports_told, told_key

    def key(r: dict) -> str | None:
        x = r.get("explain")
        return told_key(((json.loads(x) if isinstance(x, str) else x) or {}).get("evidence"))

    keys = {r["id"]: key(r) for r in rows}
    n = reports_told(team, [k for k in keys.values() if k])
    return [dict(r, reports=n.get(keys[r["id"]], 1)) for r in rows]


def matched_type(explain: dict | None) -> tuple[str | None, bool]:
    """The event type a rule's type condition matched, as a code (a rule may name a news type by its Chinese
    name), and whether it is one of the item's other types (``other_type``), not its primary one."""
    part = next((p for p in (explain or {}).get("parts") or () if p.get("signal") == "type"), None)
    if not part or not part.get("raw"):
        return None, False
    raw = str(part["raw"])
    code = raw if raw.isascii() else E.NEWS_ALIASES.get(raw, raw)
    return code, bool((part.get("detail") or {}).get("other_type"))


def one_per_event(alerts: list[dict], name: str = "rule_name", sep: str = "、") -> list[dict]:
    """One row per event, where its first listed alert is: an event that several of the user's rules matched is
    listed once — as its first alert (the lowest id, the one the live feed shows when it arrives, so a row keeps its
    number and its /alerts/{id} link on a reload and when another rule matches later), the rules' names (field
    ``name``) joined with ``sep`` in the order they were raised, with ``rule_ids`` and ``alert_ids`` (the alerts stay
    one per rule, as the record of what each rule raised); unread while any of its alerts is. An event is known by its
    key (an imported event's id, a live event's record), which every alert of it carries."""
    by_event: dict = {}
    for a in alerts:
        key = a.get("event_key") or (("event", a["event_id"]) if a.get("event_id") is not None else ("alert", a["id"]))
        by_event.setdefault(key, []).append(a)
    out = []
    for group in by_event.values():
        group = sorted(group, key=lambda a: a["id"])
        names = list(dict.fromkeys(a[name] for a in group))
        row = dict(group[0], rule_ids=[a.get("rule_id") for a in group], alert_ids=[a["id"] for a in group])
        row[name] = sep.join(names)
        if any(a.get("read_at") is None for a in group):
            row["read_at"] = None
        out.append(row)
    return out


def _alerts_where(owner: str | None, after: int, unread: bool, rule_id: int | None) -> tuple[str, list]:
    """The condition of ``list_alerts`` and ``count_alerts`` (the list and how many it would hold uncut)."""
    where, params = ["id > ?"], [int(after)]
    if owner:
        where.append("owner = ?")
        params.append(owner)
    if unread:
        where.append("read_at IS NULL")
    if rule_id is not None:
        where.append("rule_id = ?")
        params.append(int(rule_id))
    return " AND ".join(where), params


def count_alerts(team, owner: str | None = None, *, unread: bool = False, rule_id: int | None = None) -> int:
    """How many alerts ``list_alerts`` would list without its limit: a cut list says of how many."""
    where, params = _alerts_where(owner, 0, unread, rule_id)
    with team.tx() as tx:
        return int(tx.query(f"SELECT count(*) AS n FROM alerts WHERE {where}", params)[0]["n"])


def list_alerts(team, owner: str | None = None, *, after: int = 0, limit: int = 200, unread: bool = False,
                rule_id: int | None = None) -> list[dict]:
    """Alerts newest first (``after``: only those with a larger id — the live feed's cursor)."""
    where, params = _alerts_where(owner, after, unread, rule_id)
    with team.tx() as tx:
        rows = tx.query(f"SELECT * FROM alerts WHERE {where} ORDER BY id DESC LIMIT ?", params + [int(limit)])
        known = rule_id is None or rows or tx.one("SELECT 1 FROM alert_rules WHERE id = ? UNION ALL "
                                                 "SELECT 1 FROM alerts WHERE rule_id = ? LIMIT 1", [int(rule_id)] * 2)
    if not known:  # a mistyped rule is refused, not answered with an empty list (a removed rule's alerts stay listed)
        R.get(team, rule_id)
    return [_present(r) for r in _with_reports(team, rows)]


def counts(team, owner: str | None = None) -> dict[str, int]:
    """How many alerts ``owner`` has (every user's when None), and how many of them are unread: what a page that
    lists the latest ones says beside them."""
    where, params = ("WHERE owner = ?", [owner]) if owner else ("", [])
    with team.tx() as tx:
        row = tx.query(f"SELECT count(*) AS alerts, sum(CASE WHEN read_at IS NULL THEN 1 ELSE 0 END) AS unread "
                       f"FROM alerts {where}", params)[0]
    return {"alerts": int(row["alerts"] or 0), "unread": int(row["unread"] or 0)}


def get(team, alert_id: Any) -> dict:
    return _present(_with_reports(team, [R.row_by_id(team, "alerts", alert_id, ("预警", "alert"))])[0])


def mark_read(team, owner: str, ids: Iterable[Any] | None = None, *, by: Any = None, strict: bool = False) -> int:
    """Mark ``owner``'s alerts read (all when ``ids`` is None); returns how many changed (one already read is not
    counted). The reader's own state, not the team's records (any role marks its own alerts read): written to the
    audit log as ``by`` (the user, or the owner; ``audit.acting``: a name given on the command line is its operator's
    act on that user's behalf), like the rules' changes. ``strict`` (the command line): an id
    that is no alert, or another user's, refuses the whole call, naming it; else such ids change nothing."""
    at = now()
    if ids is not None and strict:
        ids = [_alert_id(i) for i in ids]
    with team.tx(exclusive=True) as tx:
        if ids is not None and strict and ids:
            _check_own(tx, owner, ids)
        if ids is None:
            cur = tx.execute("UPDATE alerts SET read_at = ? WHERE owner = ? AND read_at IS NULL", [at, owner])
        else:
            ids = [int(i) for i in ids]
            if not ids:
                return 0
            cur = tx.execute(f"UPDATE alerts SET read_at = ? WHERE owner = ? AND read_at IS NULL AND id IN "
                             f"({', '.join('?' for _ in ids)})", [at, owner, *ids])
        marked = cur.rowcount or 0
    actor, behalf = audit.acting(by or owner)  # the command line's `alerts read --user NAME`: its operator for NAME
    audit.record(team, actor, "alerts.read", f"user:{owner}",
                 {"marked": marked, **({"ids": ids} if ids else {})} | behalf)
    return marked


def _alert_id(key: Any) -> int:
    """An alert's id as typed (``12`` or ``#12``)."""
    try:
        return int(str(key).strip().lstrip("#"))
    except ValueError:
        raise UserError(f"预警编号应为数字: {key}", en=f"an alert id is a number: {key}") from None


def _check_own(tx, owner: str, ids: list[int]) -> None:
    """Refuse ids that are no alert, or another user's alert, naming each (NotFound)."""
    marks = ", ".join("?" for _ in ids)
    found = {r["id"]: r["owner"] for r in tx.query(f"SELECT id, owner FROM alerts WHERE id IN ({marks})", ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        listed = ", ".join(f"#{i}" for i in missing)
        one = len(missing) == 1
        raise NotFound(f"没有{'这条' if one else '这些'}预警: {listed}（zhaoshang alerts list 列出预警及其编号）",
                       en=f"no such {'alert' if one else 'alerts'}: {listed} (zhaoshang alerts list shows the alerts "
                          "and their ids)")
    others = [i for i in ids if found[i] != owner]
    if others:
        listed = ", ".join(f"#{i}（{found[i]}）" for i in others)
        raise NotFound(f"预警 {listed} 不是 {owner} 的预警（--user 指定所属用户）",
                       en=f"alert {listed.replace('（', ' (').replace('）', ')')} is not {owner}'s (--user names the owner)")


def latest_id(team, owner: str | None = None) -> int:
    with team.tx() as tx:
        if owner:
            return int(tx.scalar("SELECT coalesce(max(id), 0) FROM alerts WHERE owner = ?", [owner]))
        return int(tx.scalar("SELECT coalesce(max(id), 0) FROM alerts"))
