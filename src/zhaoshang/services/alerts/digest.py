"""The daily digest: a user's alerts since their last digest, as HTML (and plain text) — written to a file by
``zhaoshang alerts digest`` and sent by e-mail once a day (after ``digest_hour()`` in China time) by the
server's scheduler. Which alerts went into which digest is kept in ``alert_state`` (per user), so a digest is
never sent twice and a missed day is caught up after a restart.
"""

from __future__ import annotations

import datetime as _dt
import html
import os
from ...core.event_titles import reports_text, seen_text
from ...core.explain import enterprise_href
from ...core.teamstate.clock import CHINA, now
from ..monitoring.feeds import feed_words, notes_in_words
from . import delivery
from . import feed as F
from . import rules as R

TZ = CHINA


def digest_hour() -> int:
    """``ZHAOSHANG_DIGEST_HOUR`` (8, China time), read when the scheduler steps: the environment of the run."""
    return int(os.environ.get("ZHAOSHANG_DIGEST_HOUR", "8"))


def _cursor_key(owner: str) -> str:
    return f"digest_cursor:{owner}"


def pending(team, owner: str) -> list[dict]:
    """``owner``'s alerts not yet in a digest, of rules that deliver by e-mail (oldest first), each evidence note
    naming its source in words (a news feed by its name, never the path of a feed file on the server)."""
    with team.tx() as tx:
        after = int(R.state_get(tx, _cursor_key(owner), "0"))
    email_rules = {r["id"]: r for r in R.list_rules(team, owner) if "email" in r["channels"]}
    rows = notes_in_words(F.list_alerts(team, owner, after=after, limit=100000), feed_words(team))  # a feed by name
    return [dict(a, rule_name_en=email_rules[a["rule_id"]].get("name_en"))
            for a in reversed(rows) if a["rule_id"] in email_rules]


def public_url() -> str:
    """The address the team reaches the web app at (``ZHAOSHANG_PUBLIC_URL``, e.g. https://zs.example.gov.cn), for
    the links of a digest read in a mail client; empty when not set."""
    return os.environ.get("ZHAOSHANG_PUBLIC_URL", "").strip().rstrip("/")


def no_email_note(team, owner: str, lang: str = "zh") -> str | None:
    """Why a digest is empty whatever alerts there are: none of ``owner``'s rules delivers by e-mail (a digest
    lists only the alerts of such rules) — with how to add the channel; None when one does."""
    if any("email" in r["channels"] for r in R.list_rules(team, owner)):
        return None
    if lang == "en":
        return (f"A digest lists the alerts of rules with the email channel, and none of {owner}'s rules has it: add "
                "it with --channel email (zhaoshang alerts rules add NAME … --channel email --replace changes a rule), "
                "or tick “daily e-mail digest” in a rule's form on the alert rules page.")
    return (f"摘要只列出推送渠道含 email 的规则的预警，而 {owner} 的规则都没有这一渠道：用 --channel email 加上"
            "（zhaoshang alerts rules add 规则名 … --channel email --replace 修改已有规则），或在预警规则页的规则表单中勾选“每日邮件摘要”。")


def render(owner: str, alerts: list[dict], day: _dt.date, lang: str = "zh", base_url: str = "",
           note: str | None = None) -> dict:
    """Subject, HTML and text of one digest. The enterprises link to their profiles at ``base_url`` (default
    ``public_url()``); without an address they are plain names — a mail client cannot follow a link relative to
    nothing. ``note``: why it lists nothing (``no_email_note``), said under the owner and kept as ``note``."""
    zh = lang != "en"
    base_url = (base_url or public_url()).rstrip("/")
    if not zh:  # each rule by its English name where it has one, each event by its English title (title_en)
        alerts = [dict(a, rule_name=a.get("rule_name_en") or a["rule_name"], title=a.get("title_en") or a.get("title"))
                  for a in alerts]
    events = F.one_per_event(alerts, "rule_name", "、" if zh else ", ")
    subject = (f"招商图谱 预警日报 {day.isoformat()}：{len(events)} 条" if zh
               else f"Zhaoshang alert digest {day.isoformat()}: {len(events)}")
    rows, lines = [], []
    for a in events:
        ev = next((r for r in a["evidence"] if r.get("table") not in ("events",)), None)
        src = html.escape((ev or {}).get("note") or "")
        link = base_url + enterprise_href(a["enterprise_id"]) if base_url and a.get("enterprise_id") is not None else ""
        name = html.escape(a.get("enterprise_name") or "")
        cell = f'<a href="{html.escape(link)}">{name}</a>' if link else name
        # the event's title with how many reports tell it (· 2 篇报道): one event told by several senders or items, and
        # the export its change was seen in (· 见于 2024-12-31 的导出), as the pages say them
        said = [x for x in (reports_text(a.get("reports"), "zh" if zh else "en"), seen_text(a, "zh" if zh else "en")) if x]
        title = " · ".join([a.get("title") or "", *said])
        rows.append(f"<tr><td>{html.escape(a.get('event_date') or '')}</td><td>{html.escape(a['rule_name'])}</td>"
                    f"<td>{cell}</td>"
                    f"<td>{html.escape(title)}</td><td>{src}</td></tr>")
        lines.append(f"- {a.get('event_date') or ''} [{a['rule_name']}] {a.get('enterprise_name') or ''}: {title}"
                     + (f" {link}" if link else ""))
    head = ("<tr><th>日期</th><th>规则</th><th>企业</th><th>事件</th><th>来源</th></tr>" if zh
            else "<tr><th>Date</th><th>Rule</th><th>Enterprise</th><th>Event</th><th>Source</th></tr>")
    body = (f"<!doctype html><html lang=\"{'zh-CN' if zh else 'en'}\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(subject)}</title></head><body><h1>{html.escape(subject)}</h1>"
            f"<p>{html.escape(owner)}</p>" + (f'<p class="note">{html.escape(note)}</p>' if note else "")
            + f"<table border=\"1\" cellspacing=\"0\" cellpadding=\"4\">{head}{''.join(rows)}</table></body></html>")
    return {"subject": subject, "html": body, "text": subject + "\n\n" + (note + "\n\n" if note else "") + "\n".join(lines) + "\n",
            "alerts": len(alerts), "events": len(events), "alert_ids": [a["id"] for a in alerts],
            **({"note": note} if note else {})}


def build(store, team, owner: str, *, lang: str = "zh", day: _dt.date | None = None, base_url: str = "",
          reads: list | None = None) -> dict:
    """The digest ``owner`` would receive now (nothing is marked as sent): the alerts as the owner's role may see
    them (``delivery.as_owner_sees``, on ``store``), as the pages show them; the reads of personal data it hands
    out unmasked are appended to ``reads``."""
    day = day or _dt.datetime.now(TZ).date()
    alerts = delivery.as_owner_sees(store, R.owner_user(team, owner), F.with_seen(store, pending(team, owner)), reads,
                                    "digest")
    return render(owner, alerts, day, lang, base_url, note=no_email_note(team, owner, lang))


def queue(store, team, owner: str, *, lang: str = "zh", day: _dt.date | None = None, base_url: str = "") -> dict | None:
    """Queue ``owner``'s digest for e-mail and move their digest cursor, in one transaction; None when there is
    no address or nothing to send. The digest is sent as the owner's role sees it *when it is sent*
    (``delivery.views``, ``delivery.as_sent``: nothing for a disabled or removed owner); one that names personal
    data unmasked is written to the audit log then (``person.read``, channel ``email``)."""
    address = R.channels(team, owner)["email"]
    day = day or _dt.datetime.now(TZ).date()
    alerts = F.with_seen(store, pending(team, owner))
    if not address or not alerts:
        return None
    doc = render(owner, delivery.as_owner_sees(store, R.owner_user(team, owner), alerts), day, lang, base_url)
    message = delivery.views(store, alerts, "digest", lambda shown: {
        k: v for k, v in render(owner, shown, day, lang, base_url).items() if k in ("subject", "html", "text")})
    at = now()
    with team.tx(exclusive=True) as tx:
        if int(R.state_get(tx, _cursor_key(owner), "0")) >= max(doc["alert_ids"]):
            return None  # another process queued it meanwhile
        did = delivery.queue_email(tx, owner, address, message, at)
        R.state_set(tx, _cursor_key(owner), max(doc["alert_ids"]))
    return doc | {"delivery_id": did, "to": address}


def due(store, team, *, at: _dt.datetime | None = None, base_url: str = "") -> list[dict]:
    """The scheduler's daily step: once per day after ``digest_hour()`` (China time), queue each user's digest, in
    the language the user set their address in (``rules.channels``: ``lang``)."""
    local = (at or _dt.datetime.now(_dt.timezone.utc)).astimezone(TZ)
    if local.hour < digest_hour():
        return []
    day = local.date().isoformat()
    with team.tx() as tx:
        owners = [r["owner"] for r in tx.query("SELECT owner FROM alert_channels WHERE email IS NOT NULL ORDER BY owner")]
    out = []
    for owner in owners:
        if not R.owner_user(team, owner).can("read"):
            continue  # a disabled or removed account: nothing queued, its backlog kept for when it is enabled again
        with team.tx(exclusive=True) as tx:
            if R.state_get(tx, f"digest_day:{owner}") == day:
                continue
            R.state_set(tx, f"digest_day:{owner}", day)
        q = queue(store, team, owner, lang=R.channels(team, owner)["lang"], day=local.date(), base_url=base_url)
        if q:
            out.append(q)
    return out
