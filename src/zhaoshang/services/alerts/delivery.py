"""Delivery of alerts beyond the in-app feed: webhooks (a JSON POST signed with HMAC-SHA256) and the daily
digest (HTML, sent by e-mail through the configured SMTP server).

Every delivery is a row of ``alert_deliveries`` written in the transaction that created its alert (or its
digest): nothing is lost when a receiver is down or the server restarts. ``deliver_due`` sends the rows whose
time has come; a failure is retried with exponential backoff (``backoff()`` × 2^(attempt−1)) and after
``max_attempts()`` the row becomes a dead letter (status ``dead``, with the last error) that ``retry`` can revive.
Secrets (webhook keys, the SMTP password) are never written to a log, a payload or an error message.

A queued delivery holds what it carries for either kind of role its owner may have (``views``), and ``deliver_due``
sends the one the owner's role in the team state gives *when it is sent*: a role changed after the delivery was
queued is the role it is sent for, and a disabled or removed owner is sent nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import smtplib
import ssl
import time
import urllib.error
import urllib.request
from email.message import EmailMessage
from typing import Any, Callable

from ...core import jsonenc
from ...core.errors import UserError
from ...core.teamstate.clock import now
from ..event_types import EVENT_TYPES
from . import rules as R
from .evaluate import CONDITIONS
from .targets import LOCAL, RefusedTarget, WebhookPolicy

def max_attempts() -> int:
    """``ZHAOSHANG_ALERT_ATTEMPTS`` (6), read when a delivery is tried: the environment of the run, not of the import."""
    return int(os.environ.get("ZHAOSHANG_ALERT_ATTEMPTS", "6"))


def backoff() -> float:
    """``ZHAOSHANG_ALERT_BACKOFF``: seconds before the first retry (30), read when a delivery is tried."""
    return float(os.environ.get("ZHAOSHANG_ALERT_BACKOFF", "30"))


TIMEOUT = 10.0
SIGNATURE = "X-Zhaoshang-Signature"
TIMESTAMP = "X-Zhaoshang-Timestamp"
DELIVERY = "X-Zhaoshang-Delivery"
COLUMNS = ["id", "alert_id", "owner", "channel", "target", "status", "attempts", "next_at", "last_error", "created_at",
           "updated_at"]


def as_owner_sees(store, user: Any, alerts: Any, records: list | None = None, target: str = "alerts") -> Any:
    """Alerts (one, or a list) as their owner ``user`` (``rules.owner_user``) may see them, delivered as the pages
    show them (``privacy.present_events``): for a role without ``personal`` the contact data in a headline masked,
    and a change of legal representative not naming one whose person record holds shares. A read that hands such
    data out unmasked is appended to ``records`` as ``(user, action, target, detail)``, for the audit log once the
    delivery is queued (``write_reads``)."""
    from .. import privacy
    from ..enterprises import legal_reps_holding

    record = (lambda action, tgt, detail: records.append((user, action, tgt, detail))) if records is not None else None
    return privacy.present_events(alerts, user, record, lambda ids: legal_reps_holding(store, ids), target)


def views(store, alerts: Any, target: str, render: Callable[[Any], dict]) -> dict:
    """What a delivery of ``alerts`` carries, made now for whichever role its owner has when it is sent: ``render``
    of the alerts as a role with ``personal`` sees them, and — when a role without it sees less — as that role
    sees them (``as_owner_sees``); with the reads the first hands out unmasked, for the audit log once it is sent."""
    from ..team import roles

    reads: list = []
    full = render(as_owner_sees(store, roles.LOCAL_USER, alerts, reads, target))
    masked = render(as_owner_sees(store, roles.User(None, "", "viewer", via="delivery"), alerts, None, target))
    return {"views": {"personal": full, **({"masked": masked} if masked != full else {})},
            "reads": [[action, tgt, detail] for _, action, tgt, detail in reads]}


NOT_SENT = "the owner's account is disabled or removed: nothing sent"


def as_sent(team, owner: str, stored: dict) -> tuple[Any, list]:
    """The view of a queued delivery that ``owner`` receives now, by their role in the team state
    (``rules.owner_user``), and the audit log's reads it hands out; None for an owner without any right (disabled
    or removed). A delivery queued before deliveries held ``views`` is its stored message, as it was made."""
    user = R.owner_user(team, owner)
    if not user.can("read"):
        return None, []
    if "views" not in stored:
        return stored, []
    if user.can("personal"):
        return stored["views"]["personal"], [(user, *r) for r in stored.get("reads") or []]
    return stored["views"].get("masked", stored["views"]["personal"]), []


def write_reads(team, records: list, channel: str) -> None:
    """The reads ``as_owner_sees`` collected, written to the audit log (``person.read`` with the channel)."""
    from ..team import audit

    for user, action, target, detail in records:
        audit.record(team, user, action, target, {**detail, "channel": channel})


def _words(table: dict, code: Any) -> tuple[Any, Any]:
    """A code's (Chinese, English) words in ``table``; an unknown code as it is in both."""
    return (table.get(code) if isinstance(code, str) else None) or (code, code)


def _reason(part: dict) -> dict:
    """One condition that fired: its code (``signal``) and value as stored, the condition in words beside them
    (``signal_label``, ``signal_label_en``), an event type's value in words too (``value_label``, ``value_label_en``)."""
    out = {"signal": part.get("signal"), "value": part.get("raw"), "detail": part.get("detail")}
    out["signal_label"], out["signal_label_en"] = _words(CONDITIONS, part.get("signal"))
    if part.get("signal") == "type":
        out["value_label"], out["value_label_en"] = _words(EVENT_TYPES, part.get("raw"))
    return out


def payload(alert: dict) -> dict:
    """The webhook body of one alert: what happened, to whom, which rule, and the evidence rows. The rule's name and
    the event's title come in English too (``rule_name_en``, ``title_en``) as the English pages and digest say them:
    the rule's English name (its own where it has none), the title by ``core/event_titles.py``. The codes a
    receiver's program reads (``event_type``, each reason's ``signal``) stay, their words beside them in either
    language (``event_type_label``, ``event_type_label_en``; ``signal_label``, ``signal_label_en``) from the one
    table of event types (``services/event_types.py``) and of the rules' conditions (``evaluate.CONDITIONS``).
    ``matched_type`` is the type the rule's type condition matched, as the alert's list, JSON and CSV give it (an
    item's other type its text states — a 融资 rule firing on an expansion — differs from ``event_type``; null for a
    rule that names no type), with its words (``matched_type_label``, ``matched_type_label_en``). ``reports``: how
    many reports tell the event (one event told again by other senders or feed items: ``reports_of``), as known
    when the webhook is sent. ``seen``: the data date of the export that showed the event's change
    (``feed.with_seen``), as the alerts' list and JSON give it."""
    body = {k: alert.get(k) for k in ("id", "rule_id", "rule_name", "rule_name_en", "owner", "event_id", "event_type",
                                      "matched_type", "event_date", "enterprise_id", "enterprise_name", "title",
                                      "title_en", "seen", "created_at")}
    body["reports"] = alert.get("reports") or 1
    body["event_type_label"], body["event_type_label_en"] = _words(EVENT_TYPES, alert.get("event_type"))
    body["matched_type_label"], body["matched_type_label_en"] = _words(EVENT_TYPES, alert.get("matched_type"))
    return {"type": "alert", "alert": body,
            "reasons": [_reason(p) for p in (alert.get("explain") or {}).get("parts") or []],
            "evidence": alert.get("evidence") or []}


def reports_of(team, alert_id: int) -> int:
    """How many reports tell one alert's event now (``monitoring.events.reports_told``, as the alerts' list counts
    them): what its webhook says when it is sent, not only when it was queued."""
    from ..monitoring.events import reports_told, told_key

    with team.tx() as tx:
        x = tx.scalar("SELECT explain FROM alerts WHERE id = ?", [int(alert_id)])
    key = told_key(((json.loads(x) if isinstance(x, str) else x) or {}).get("evidence"))
    return reports_told(team, [key]).get(key, 1) if key else 1


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=`` + hex HMAC-SHA256 over ``timestamp + "." + body`` with the receiver's secret."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def queue_webhook(tx, store, alert: dict, url: str, at: str) -> None:
    """Queue ``alert``'s webhook: its ``payload`` for either role (``views``), chosen when it is sent."""
    tx.execute("INSERT INTO alert_deliveries (alert_id, owner, channel, target, payload, status, attempts, next_at, "
               "created_at, updated_at) VALUES (?, ?, 'webhook', ?, ?, 'pending', 0, ?, ?, ?)",
               [alert["id"], alert["owner"], url, jsonenc.dumps(views(store, alert, f"alert:{alert['id']}", payload)),
                at, at, at])


def queue_email(tx, owner: str, address: str, message: dict, at: str) -> int:
    """Queue an e-mail: ``message`` is its subject, HTML and text, or those for either role (``views``)."""
    return int(tx.scalar("INSERT INTO alert_deliveries (alert_id, owner, channel, target, payload, status, attempts, "
                         "next_at, created_at, updated_at) VALUES (NULL, ?, 'email', ?, ?, 'pending', 0, ?, ?, ?) RETURNING id",
                         [owner, address, jsonenc.dumps(message), at, at, at]))


# -- sending ------------------------------------------------------------------------------------------------
def _post(url: str, body: bytes, headers: dict) -> None:
    req = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
            if not 200 <= resp.status < 300:
                raise RuntimeError(f"HTTP {resp.status}")
    except urllib.error.HTTPError as exc:
        raise RuntimeError(f"HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise RuntimeError(f"connection failed: {getattr(exc, 'reason', exc)}") from None


def smtp_settings(env: dict | None = None) -> dict | None:
    """The SMTP server from the environment (``ZHAOSHANG_SMTP_HOST`` … ``ZHAOSHANG_SMTP_FROM``); None when unset."""
    env = os.environ if env is None else env
    host = env.get("ZHAOSHANG_SMTP_HOST")
    if not host:
        return None
    return {"host": host, "port": int(env.get("ZHAOSHANG_SMTP_PORT", "25")), "user": env.get("ZHAOSHANG_SMTP_USER"),
            "password": env.get("ZHAOSHANG_SMTP_PASSWORD"), "sender": env.get("ZHAOSHANG_SMTP_FROM", "zhaoshang@localhost"),
            "starttls": env.get("ZHAOSHANG_SMTP_STARTTLS", "").lower() in ("1", "true", "yes")}


def _send_mail(smtp: dict | None, to: str, message: dict) -> None:
    if not smtp:
        raise RuntimeError("no SMTP server configured (ZHAOSHANG_SMTP_HOST)")
    msg = EmailMessage()
    msg["Subject"], msg["From"], msg["To"] = message["subject"], smtp["sender"], to
    msg.set_content(message["text"])
    msg.add_alternative(message["html"], subtype="html")
    try:
        with smtplib.SMTP(smtp["host"], smtp["port"], timeout=TIMEOUT) as s:
            if smtp.get("starttls"):
                s.starttls(context=ssl.create_default_context())
            if smtp.get("user"):
                s.login(smtp["user"], smtp.get("password") or "")
            s.send_message(msg)
    except (smtplib.SMTPException, OSError) as exc:  # the message names the server's answer, never credentials
        raise RuntimeError(f"SMTP {type(exc).__name__}: {str(exc)[:200]}") from None


def deliver_due(team, *, smtp: dict | None = None, at: str | None = None, policy: WebhookPolicy = LOCAL) -> dict:
    """Send every pending delivery whose time has come; returns counts (sent, retry, dead). A webhook target the
    ``policy`` refuses becomes a dead letter at once, naming the refused address."""
    at = at or now()
    counts = {"sent": 0, "retry": 0, "dead": 0}
    with team.tx() as tx:
        due = tx.query("SELECT * FROM alert_deliveries WHERE status = 'pending' AND next_at <= ? ORDER BY id", [at])
    for d in due:
        with team.tx(exclusive=True) as tx:  # claim it: another process may be delivering the same row
            lease = now(TIMEOUT * 3)
            claimed = tx.execute("UPDATE alert_deliveries SET next_at = ? WHERE id = ? AND status = 'pending' AND next_at = ?",
                                 [lease, d["id"], d["next_at"]]).rowcount
        if not claimed:
            continue
        refused = False
        shown, reads = as_sent(team, d["owner"], json.loads(d["payload"]))
        try:
            if shown is None:  # never sent, whatever the receiver; retry sends it once the account is back
                refused = True
                raise RuntimeError(NOT_SENT)
            if d["channel"] == "webhook":
                try:
                    policy.check(d["target"])
                except UserError as exc:  # an internal address: never sent; a name that does not resolve: retried
                    refused = isinstance(exc, RefusedTarget)
                    raise RuntimeError(exc.in_lang("en")) from None
                if d.get("alert_id") is not None and isinstance(shown.get("alert"), dict):  # its reports as known now
                    shown = dict(shown, alert=dict(shown["alert"], reports=reports_of(team, d["alert_id"])))
                secret = R.channels(team, d["owner"], secret=True).get("webhook_secret") or ""
                body = jsonenc.dumps(shown).encode("utf-8")
                ts = str(int(time.time()))
                _post(d["target"], body, {TIMESTAMP: ts, DELIVERY: str(d["id"]), SIGNATURE: sign(secret, ts, body)})
            else:
                _send_mail(smtp if smtp is not None else smtp_settings(), d["target"], shown)
            error = None
            write_reads(team, reads, d["channel"])
        except RuntimeError as exc:
            error = str(exc)
        attempts = d["attempts"] + 1
        with team.tx(exclusive=True) as tx:
            if error is None:
                tx.execute("UPDATE alert_deliveries SET status = 'done', attempts = ?, last_error = NULL, updated_at = ? "
                           "WHERE id = ?", [attempts, now(), d["id"]])
                counts["sent"] += 1
            elif attempts >= max_attempts() or refused:
                tx.execute("UPDATE alert_deliveries SET status = 'dead', attempts = ?, last_error = ?, updated_at = ? "
                           "WHERE id = ?", [attempts, error, now(), d["id"]])
                counts["dead"] += 1
            else:
                tx.execute("UPDATE alert_deliveries SET attempts = ?, last_error = ?, next_at = ?, updated_at = ? WHERE id = ?",
                           [attempts, error, now(backoff() * 2 ** (attempts - 1)), now(), d["id"]])
                counts["retry"] += 1
    return counts


def list_deliveries(team, *, status: str | None = None, owner: str | None = None, limit: int = 200) -> list[dict]:
    where, params = [], []
    if status:
        if status not in ("pending", "done", "dead"):
            raise UserError(f"未知的投递状态: {status}（pending | done | dead）", en=f"unknown delivery status: {status}")
        where.append("status = ?")
        params.append(status)
    if owner:
        where.append("owner = ?")
        params.append(owner)
    with team.tx() as tx:
        rows = tx.query("SELECT * FROM alert_deliveries" + (" WHERE " + " AND ".join(where) if where else "")
                        + " ORDER BY id DESC LIMIT ?", params + [int(limit)])
    return [{c: r.get(c) for c in COLUMNS} for r in rows]


def retry(team, delivery_id: int | None = None, owner: str | None = None) -> int:
    """Put dead letters (one, or all; of one owner when given: the alerts page's user) back in the queue, due
    now; returns how many."""
    at = now()
    where, params = ["status = 'dead'"], [at, at]
    if delivery_id is not None:
        where.append("id = ?")
        params.append(int(delivery_id))
    if owner is not None:
        where.append("owner = ?")
        params.append(owner)
    with team.tx(exclusive=True) as tx:
        return tx.execute("UPDATE alert_deliveries SET status = 'pending', attempts = 0, next_at = ?, updated_at = ? "
                          "WHERE " + " AND ".join(where), params).rowcount or 0
