"""Delivery against real local servers the test starts: webhooks to an HTTP server that fails first and then
succeeds (retried with backoff, HMAC signature verified by the receiver) and to one that always fails (a dead
letter, revived by retry); the daily digest by e-mail through a real SMTP server (aiosmtpd); a delivery queued
while the receiver is down survives a restart (a new team-state connection) and is sent when it is up. The
webhook and digest tests run on both team-state backends (SQLite and a real PostgreSQL). A viewer's digest and
webhook mask what the pages mask for a viewer; an analyst's name it."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import re
import sys
import threading
import time
from email import message_from_bytes
from email.policy import default as email_policy
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import alerts_fixture as AF  # noqa: E402
from alerts_fixture import Receiver  # noqa: E402
from cli_util import run, run_json  # noqa: E402

from zhaoshang.core.errors import UserError  # noqa: E402
from zhaoshang.core.store import Store  # noqa: E402
from zhaoshang.core.teamstate import open_team_db  # noqa: E402
from zhaoshang.interfaces import labels  # noqa: E402
from zhaoshang.services.alerts import delivery, digest, feed  # noqa: E402
from zhaoshang.services.alerts import rules as R  # noqa: E402
from zhaoshang.services.alerts import targets  # noqa: E402
from zhaoshang.services.alerts.targets import WebhookPolicy  # noqa: E402
from zhaoshang.services.pipeline import leads as L  # noqa: E402

SECRET = "whsec-test-only"


@pytest.fixture(scope="module")
def fx(tmp_path_factory):
    return AF.copy(tmp_path_factory, "alerts_delivery")[:2]


@pytest.fixture
def fast(monkeypatch):
    monkeypatch.setenv("ZHAOSHANG_ALERT_BACKOFF", "0.2")
    monkeypatch.setenv("ZHAOSHANG_ALERT_ATTEMPTS", "3")


# the fixture's rules with the webhook rule named in English too
NAMED = AF.RULES_YAML.replace("  - name: 缺失环节大额融资\n",
                              "  - name: 缺失环节大额融资\n    name_en: Large rounds in missing links\n")


def _alerts(fx, team_url, owner="local", rules=AF.RULES_YAML):
    path, info = fx
    team = open_team_db(team_url)
    with Store(str(path), read_only=True) as store:
        L.add(store, team, str(info["target"]), "杭州市")
        R.import_yaml(store, team, rules, owner=owner)
    return team, path


def _drain(team, until, timeout=10.0):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        delivery.deliver_due(team)
        if until():
            return
        time.sleep(0.05)
    raise AssertionError("deliveries did not settle")


def test_webhook_retries_then_succeeds_signed(fx, team_url, fast):
    rx = Receiver(fail=1)
    try:
        team, path = _alerts(fx, team_url, rules=NAMED)
        R.set_channels(team, "local", webhook_url=rx.url, webhook_secret=SECRET)
        with Store(str(path), read_only=True) as store:
            created = feed.run(store, team)["alerts"]
        hooked = [a for a in created if a["rule_name"] == "缺失环节大额融资"]  # the one rule with the webhook channel
        assert len(hooked) == 1
        first = delivery.deliver_due(team)
        assert first == {"sent": 0, "retry": 1, "dead": 0}
        row = delivery.list_deliveries(team)[0]
        assert row["status"] == "pending" and row["attempts"] == 1 and row["last_error"] == "HTTP 500"
        _drain(team, lambda: rx.ok)
        headers, body = rx.ok[0]
        mac = hmac.new(SECRET.encode(), headers["X-Zhaoshang-Timestamp"].encode() + b"." + body, hashlib.sha256)
        assert hmac.compare_digest(headers["X-Zhaoshang-Signature"], "sha256=" + mac.hexdigest())
        assert headers["X-Zhaoshang-Delivery"] == str(row["id"])
        doc = json.loads(body)
        assert doc["alert"]["id"] == hooked[0]["id"] and doc["alert"]["title"] == "融资: B轮 2亿元"
        # an English channel's receiver reads the rule and the event as the English pages and digest say them
        assert doc["alert"]["title_en"] == "funding: Series B CNY 200 million"
        assert doc["alert"]["rule_name"] == "缺失环节大额融资"
        assert doc["alert"]["rule_name_en"] == "Large rounds in missing links"
        # the codes a program reads stay; their words come beside them in either language
        assert doc["alert"]["event_type"] == "funding"
        assert (doc["alert"]["event_type_label"], doc["alert"]["event_type_label_en"]) == ("融资", "funding round")
        # the type the rule matched, as the alert's own list, JSON and CSV give it
        assert doc["alert"]["matched_type"] == hooked[0]["matched_type"] == "funding"
        assert (doc["alert"]["matched_type_label"], doc["alert"]["matched_type_label_en"]) == ("融资", "funding round")
        why = {r["signal"]: r for r in doc["reasons"]}
        assert why["type"]["value"] == "funding" and why["type"]["value_label_en"] == "funding round"
        assert (why["type"]["signal_label"], why["type"]["signal_label_en"]) == ("事件类型", "event type")
        assert all(r["signal_label"] and r["signal_label_en"] and r["signal_label_en"].isascii()
                   and r["signal_label_en"] != r["signal"] for r in doc["reasons"]), doc["reasons"]
        assert doc["evidence"][1]["table"] == "fundings" and SECRET not in body.decode()
        assert len(rx.calls) == 2 and delivery.list_deliveries(team)[0]["status"] == "done"
        assert delivery.deliver_due(team) == {"sent": 0, "retry": 0, "dead": 0}  # nothing sent twice
        assert doc["alert"]["reports"] == 1
        # a live round told by two senders is one event: one alert, one webhook, which says how many reports tell it
        # when it is sent (3: a third sender's report came after the alert was queued); the digest says it too.
        # Before: a webhook per sender (three), none saying the count
        from zhaoshang.services.monitoring import bus as B
        from zhaoshang.services.monitoring import events as EV

        with Store(str(path), read_only=True) as store:
            told = [EV.ingest(store, team, [{"enterprise_id": fx[1]["gap_ent"], "type": "funding", "date": day,
                                             "title": title, "source": src, "detail": {"round": "C轮", "amount": "3亿元"}}],
                              bus=B.EventBus()) for day, title, src in (("2024-06-01", "完成C轮融资3亿元", "36kr"),
                                                                        ("2024-06-02", "获3亿元C轮融资", "deal-feed"))]
            assert told[1]["same_event"][0]["same_event_as"] == told[0]["stored"][0]["key"]
            (live,) = [a for a in feed.run_live(store, team)["alerts"] if a["rule_name"] == "缺失环节大额融资"]
            assert live["reports"] == 2
            EV.ingest(store, team, [{"enterprise_id": fx[1]["gap_ent"], "type": "funding", "date": "2024-06-03",
                                     "title": "C轮3亿元", "source": "wire", "detail": {"round": "C", "amount_wan": 30000}}],
                      bus=B.EventBus())
            assert feed.run_live(store, team)["alerts"] == []
        _drain(team, lambda: len(rx.ok) == 2)
        assert delivery.deliver_due(team) == {"sent": 0, "retry": 0, "dead": 0} and len(rx.calls) == 3
        assert json.loads(rx.ok[1][1])["alert"]["reports"] == 3
        shown = digest.render("local", [a for a in feed.list_alerts(team, "local") if a["id"] == live["id"]],
                              dt.date(2024, 6, 4))
        assert "完成C轮融资3亿元 · 3 篇报道" in shown["html"] and "完成C轮融资3亿元 · 3 篇报道" in shown["text"]
        en = digest.render("local", [a for a in feed.list_alerts(team, "local") if a["id"] == live["id"]],
                           dt.date(2024, 6, 4), "en")
        assert "· 3 reports" in en["html"], en["html"]
    finally:
        rx.close()


def test_webhook_that_always_fails_becomes_a_dead_letter(fx, tmp_path, fast):
    rx = Receiver(fail=-1)
    try:
        team, path = _alerts(fx, str(tmp_path / "t.sqlite"))
        R.set_channels(team, "local", webhook_url=rx.url, webhook_secret=SECRET)
        with Store(str(path), read_only=True) as store:
            feed.run(store, team)
        _drain(team, lambda: delivery.list_deliveries(team, status="dead"))
        dead = delivery.list_deliveries(team, status="dead")
        assert len(dead) == 1 and dead[0]["attempts"] == 3 and dead[0]["last_error"] == "HTTP 500" and len(rx.calls) == 3
        gaps = [b - a for a, b in zip(rx.times, rx.times[1:])]  # backoff: 0.2 s, then 0.4 s
        assert 0.2 <= gaps[0] < gaps[1] and gaps[1] >= 0.4
        rx.fail = 0  # the receiver is fixed: the dead letter is put back and delivered
        assert delivery.retry(team) == 1
        _drain(team, lambda: rx.ok)
        assert delivery.list_deliveries(team)[0]["status"] == "done"
    finally:
        rx.close()


def test_queued_delivery_survives_a_restart(fx, tmp_path, fast):
    url = str(tmp_path / "t.sqlite")
    rx = Receiver(fail=0)
    port = rx.server.server_address[1]
    rx.close()  # the receiver is down
    team, path = _alerts(fx, url)
    R.set_channels(team, "local", webhook_url=f"http://127.0.0.1:{port}/hook", webhook_secret=SECRET)
    with Store(str(path), read_only=True) as store:
        feed.run(store, team)
    assert delivery.deliver_due(team)["retry"] == 1
    team.close()  # the server stops
    again = open_team_db(url)  # and starts again
    pending = delivery.list_deliveries(again, status="pending")
    assert len(pending) == 1 and "connection failed" in pending[0]["last_error"]
    # the command's table: the status in the UI language, the next attempt to the second (CSV: as stored)
    wide = {"COLUMNS": "220"}
    table = run("--team-db", url, "alerts", "deliveries", env=wide).stdout
    assert "待发" in table and "pending" not in table and re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} ", table), table
    assert "无法连接接收方" in table and "connection failed" not in table, table  # the error in the UI language
    assert "connection failed" in run("--team-db", url, "alerts", "deliveries", "--format", "json").stdout  # as stored
    assert not re.search(r"T\d{2}:\d{2}:\d{2}\.\d+Z", table)
    assert ",pending," in run("--team-db", url, "alerts", "deliveries", "--format", "csv").stdout
    from http.server import ThreadingHTTPServer as S

    rx2 = Receiver(fail=0)
    rx2.server.shutdown()
    rx2.server.server_close()
    rx2.server = S(("127.0.0.1", port), rx2.server.RequestHandlerClass)  # up again on the same address
    threading.Thread(target=rx2.server.serve_forever, daemon=True).start()
    try:
        _drain(again, lambda: rx2.ok)
        assert json.loads(rx2.ok[0][1])["alert"]["rule_name"] == "缺失环节大额融资"
        _drain(again, lambda: delivery.list_deliveries(again, status="done"))
        table = run("--lang", "en", "--team-db", url, "alerts", "deliveries", env=wide).stdout
        assert "sent" in table and not re.search(r"\d{2}:\d{2}:\d{2}", table), table  # nothing left to attempt
    finally:
        rx2.close()


def test_server_reached_by_others_refuses_internal_webhook_targets(fx, tmp_path):
    """A server not on loopback does not call a loopback receiver (SSRF): saving the URL is refused, and a queued
    delivery to it becomes a dead letter without a request; the admin's explicit allowance lets it through."""
    rx = Receiver(fail=0)
    production, allowed = WebhookPolicy.for_server(local_only=False), WebhookPolicy.for_server(False, True)
    try:
        team, path = _alerts(fx, str(tmp_path / "t.sqlite"))
        with pytest.raises(UserError) as exc:
            R.set_channels(team, "local", webhook_url=rx.url, policy=production)
        assert "127.0.0.1" in str(exc.value) and "--allow-internal-webhooks" in exc.value.in_lang("en")
        for url in ("http://localhost:9/h", "http://10.1.2.3/h", "http://169.254.169.254/latest/meta-data/",
                    "http://100.100.100.200/latest/meta-data/", "http://[::ffff:127.0.0.1]:9/h", "http://[fe80::1]/h"):
            with pytest.raises(UserError, match="内网、本机或元数据地址"):
                R.set_channels(team, "local", webhook_url=url, policy=production)
        assert R.channels(team, "local")["webhook_url"] is None  # nothing was saved
        R.set_channels(team, "local", webhook_url=rx.url, webhook_secret=SECRET, policy=allowed)
        with Store(str(path), read_only=True) as store:
            feed.run(store, team)
        assert delivery.deliver_due(team, policy=production) == {"sent": 0, "retry": 0, "dead": 1}
        dead = delivery.list_deliveries(team, status="dead")[0]
        assert "internal" in dead["last_error"] and "127.0.0.1" in dead["last_error"] and rx.calls == []
        assert labels.delivery_error_text(dead["last_error"]).startswith("Webhook 地址指向内网、本机或元数据地址")
        assert delivery.retry(team) == 1
        assert delivery.deliver_due(team, policy=allowed)["sent"] == 1 and len(rx.ok) == 1
        assert not targets.internal(ipaddress.ip_address("8.8.8.8"))  # a public address is never refused
        WebhookPolicy.for_server(False).check("http://8.8.8.8/hook")
        # a name that does not resolve (now) is retried, not a dead letter: DNS may be back on the next round
        with team.tx() as tx:  # the delivered one again, now to a name that does not resolve
            tx.execute("UPDATE alert_deliveries SET target = ?, status = 'pending', attempts = 0, next_at = ? "
                       "WHERE status = 'done'", ["http://no-such-host.invalid/hook", "2000-01-01T00:00:00.000000Z"])
        assert delivery.deliver_due(team, policy=production) == {"sent": 0, "retry": 1, "dead": 0}
        assert "cannot resolve" in delivery.list_deliveries(team, status="pending")[0]["last_error"]
    finally:
        rx.close()


@contextlib.contextmanager
def _smtp_server():
    """A real SMTP server on loopback (aiosmtpd): yields the settings to send through it and the list of the
    envelopes it receives."""
    import socket

    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            received.append(envelope)
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ctl = Controller(Handler(), hostname="127.0.0.1", port=port)
    ctl.start()
    try:
        yield {"host": "127.0.0.1", "port": port, "user": None, "password": None, "sender": "zhaoshang@test.local",
               "starttls": False}, received
    finally:
        ctl.stop()


def test_daily_digest_by_email_through_a_real_smtp_server(fx, team_url):
    with _smtp_server() as (smtp, received):
        team, path = _alerts(fx, team_url, owner="local")
        R.set_channels(team, "local", email="ana@example.org")
        with Store(str(path), read_only=True) as store:
            feed.run(store, team)
            # before the digest hour nothing is queued; after it, one digest per day
            early = dt.datetime(2026, 3, 2, 0, 30, tzinfo=digest.TZ)
            assert digest.due(store, team, at=early) == []
            late = early.replace(hour=digest.digest_hour(), minute=5)
            queued = digest.due(store, team, at=late)
            assert [q["alerts"] for q in queued] == [3] and digest.due(store, team, at=late) == []
            # those alerts are digested; the next day's digest is empty, so nothing is sent
            assert digest.due(store, team, at=late + dt.timedelta(days=1)) == []
        assert delivery.deliver_due(team, smtp=smtp) == {"sent": 1, "retry": 0, "dead": 0}
        assert len(received) == 1 and received[0].rcpt_tos == ["ana@example.org"]
        msg = message_from_bytes(received[0].content, policy=email_policy)
        assert "预警日报" in msg["Subject"]
        html = msg.get_body(("html",)).get_content()
        assert "融资: B轮 2亿元" in html and "变更: legal_rep 张某 → 李某" in html and "新闻: 某公司首席技术官离职" in html
        # a server that refuses the login: retried later, and the password appears nowhere
        d = digest.render("local", feed.list_alerts(team, "local")[:1], late.date())
        with team.tx() as tx:
            delivery.queue_email(tx, "local", "ana@example.org", {k: d[k] for k in ("subject", "html", "text")}, "2000-01-01")
        bad = dict(smtp, user="ana", password="pw-never-shown")
        assert delivery.deliver_due(team, smtp=bad)["retry"] == 1
        row = delivery.list_deliveries(team, status="pending")[0]
        assert row["last_error"].startswith("SMTP") and "pw-never-shown" not in json.dumps(delivery.list_deliveries(team))


def _officer_holder_change(tmp_path):
    """The graph fixture's store with the change that made 钱进 法定代表人 (one person record for the office and
    65 % of the enterprise), and an empty team state."""
    from graph_fixture import build_with_one_record_officer_holder

    db = build_with_one_record_officer_holder(tmp_path / "g.duckdb")
    with Store(str(db)) as s:
        # dated by the roles (the day 钱进 took office), first seen in the export of 2016-06-30
        s.con.execute("INSERT INTO events (id, enterprise_id, date, type, title, detail, ref_table, ref_id, source, "
                      "import_id) VALUES (9901, 2, DATE '2016-01-01', 'change_legal_rep', '法定代表人: 王五 → 钱进', "
                      "'{\"field\": \"legal_rep\", \"old\": \"王五\", \"new\": \"钱进\", \"seen\": \"2016-06-30\"}', "
                      "'enterprise_history', 1, 's1', 1)")
    return db, open_team_db(str(tmp_path / "team.sqlite"))


def test_digest_and_webhook_do_not_name_a_masked_record_to_a_viewer(tmp_path):
    """The change that made 钱进 法定代表人 (one person record for the office and 65 % of the enterprise: masked as
    钱* for a role without personal, on the profile and the alerts pages) reaches the owner of an alert by e-mail
    (a real SMTP server) and by webhook (a real receiver) as the pages show it to the owner's role: a viewer's
    digest and webhook say 王五 → 钱*, an analyst's name 钱进 — and that read is written to the audit log."""
    from web_util import team_tokens

    from zhaoshang.services.monitoring import events as EV
    from zhaoshang.services.team import audit

    db, team = _officer_holder_change(tmp_path)
    team_tokens(team)  # ana, an analyst; vera, a viewer
    rx = {who: Receiver(fail=0) for who in ("vera", "ana")}  # each owner's webhook receiver
    try:
        with _smtp_server() as (smtp, received), Store(str(db), read_only=True) as store:
            for who in ("vera", "ana"):
                AF.rule_kept_by(store, team, {"name": "法人变更", "types": ["change_legal_rep"],
                                              "channels": ["email", "webhook"]}, who)
                AF.channels_kept_by(team, who, email=f"{who}@example.org", webhook_url=rx[who].url, webhook_secret=SECRET)
            change = EV.timeline(store, enterprise="2", types="change_legal_rep")["items"]
            assert len(feed.record(store, team, change)) == 2
            for who in ("vera", "ana"):
                assert digest.queue(store, team, who)["alerts"] == 1
            assert delivery.deliver_due(team, smtp=smtp) == {"sent": 4, "retry": 0, "dead": 0}
        mail = {e.rcpt_tos[0].split("@")[0]: message_from_bytes(e.content, policy=email_policy) for e in received}
        hook = {who: rx[who].ok[0][1].decode("utf-8") for who in rx}
    finally:
        for r in rx.values():
            r.close()
    body = lambda m: m.get_body(("html",)).get_content() + m.get_body(("plain",)).get_content()  # noqa: E731
    assert "王五 → 钱*" in body(mail["vera"]) and "钱进" not in body(mail["vera"]), body(mail["vera"])
    # the digest and the webhook say the export the change was seen in, as the events' lists and the alerts pages do
    assert "法定代表人: 王五 → 钱* · 见于 2016-06-30 的导出" in body(mail["vera"])
    assert "王五 → 钱进 · 见于 2016-06-30 的导出" in body(mail["ana"])
    assert json.loads(hook["ana"])["alert"]["seen"] == json.loads(hook["vera"])["alert"]["seen"] == "2016-06-30"
    assert json.loads(hook["vera"])["alert"]["title"] == "法定代表人: 王五 → 钱*" and "钱进" not in hook["vera"]
    assert json.loads(hook["vera"])["alert"]["title_en"] == "legal representative: 王五 → 钱*"
    for who in ("vera", "ana"):  # the event's type in words for either role, its code kept
        said = json.loads(hook[who])
        assert said["alert"]["event_type"] == "change_legal_rep"
        assert said["alert"]["event_type_label"] == "法定代表人变更"
        assert said["alert"]["event_type_label_en"] == "legal representative change"
        assert [(r["signal"], r["signal_label_en"]) for r in said["reasons"]] == [("type", "event type")]
    assert "王五 → 钱进" in body(mail["ana"])
    assert json.loads(hook["ana"])["alert"]["title"] == "法定代表人: 王五 → 钱进"
    assert json.loads(hook["ana"])["alert"]["title_en"] == "legal representative: 王五 → 钱进"
    assert json.loads(hook["ana"])["alert"]["rule_name_en"] == "法人变更"  # no English name: its own
    assert not audit.search(team, actor="vera", action="person.read")["rows"]
    reads = audit.search(team, actor="ana", action="person.read")["rows"]
    assert sorted(json.loads(r["detail"])["channel"] for r in reads) == ["email", "webhook"], reads
    assert all(json.loads(r["detail"])["officers_holding"] == 1 for r in reads)


def test_a_queued_digest_and_webhook_are_made_for_the_owners_role_when_sent(tmp_path):
    """The role that counts is the owner's role when the delivery leaves, not when it was queued: ana, an analyst
    when her digest and webhook were queued and a viewer by the time they are sent, receives 钱* (and no read of
    hers is audited); vera, promoted from viewer to analyst meanwhile, receives 钱进 (her read audited then);
    dora, disabled meanwhile, is sent nothing — her deliveries are dead letters saying why, and a retry once she
    is enabled again sends them as her role sees them then."""
    from web_util import team_tokens

    from zhaoshang.services.monitoring import events as EV
    from zhaoshang.services.team import accounts, audit

    db, team = _officer_holder_change(tmp_path)
    who = ("ana", "vera", "dora")
    team_tokens(team, (("ana", "analyst"), ("vera", "viewer"), ("dora", "analyst")))
    rx = {w: Receiver(fail=0) for w in who}
    try:
        with _smtp_server() as (smtp, received):
            with Store(str(db), read_only=True) as store:
                for w in who:  # vera's rule and channels made while an analyst (a viewer is given none)
                    AF.rule_kept_by(store, team, {"name": "法人变更", "types": ["change_legal_rep"],
                                                  "channels": ["email", "webhook"]}, w)
                    AF.channels_kept_by(team, w, email=f"{w}@example.org", webhook_url=rx[w].url, webhook_secret=SECRET)
                change = EV.timeline(store, enterprise="2", types="change_legal_rep")["items"]
                assert len(feed.record(store, team, change)) == 3
                for w in who:
                    assert digest.queue(store, team, w)["alerts"] == 1
            accounts.set_role(team, "ana", "viewer", "cli:test")
            accounts.set_role(team, "vera", "analyst", "cli:test")
            accounts.set_disabled(team, "dora", True, "cli:test")
            assert delivery.deliver_due(team, smtp=smtp) == {"sent": 4, "retry": 0, "dead": 2}
            assert sorted(e.rcpt_tos[0] for e in received) == ["ana@example.org", "vera@example.org"]
            assert rx["dora"].calls == []
            dead = delivery.list_deliveries(team, status="dead", owner="dora")
            assert len(dead) == 2 and all("disabled or removed" in d["last_error"] for d in dead)
            assert labels.delivery_error_text(dead[0]["last_error"]).startswith("该用户的账号已停用或删除")
            mail = {e.rcpt_tos[0].split("@")[0]: message_from_bytes(e.content, policy=email_policy) for e in received}
            hook = {w: rx[w].ok[0][1].decode("utf-8") for w in ("ana", "vera")}
            accounts.set_disabled(team, "dora", False, "cli:test")  # back, as a viewer now
            accounts.set_role(team, "dora", "viewer", "cli:test")
            assert delivery.retry(team) == 2
            assert delivery.deliver_due(team, smtp=smtp) == {"sent": 2, "retry": 0, "dead": 0}
            mail["dora"] = message_from_bytes(received[-1].content, policy=email_policy)
            hook["dora"] = rx["dora"].ok[0][1].decode("utf-8")
    finally:
        for r in rx.values():
            r.close()
    body = lambda m: m.get_body(("html",)).get_content() + m.get_body(("plain",)).get_content()  # noqa: E731
    for w in ("ana", "dora"):
        assert "王五 → 钱*" in body(mail[w]) and "钱进" not in body(mail[w]), body(mail[w])
        assert json.loads(hook[w])["alert"]["title"] == "法定代表人: 王五 → 钱*" and "钱进" not in hook[w]
    assert "王五 → 钱进" in body(mail["vera"])
    assert json.loads(hook["vera"])["alert"]["title"] == "法定代表人: 王五 → 钱进"
    assert not audit.search(team, actor="ana", action="person.read")["rows"]
    assert not audit.search(team, actor="dora", action="person.read")["rows"]
    reads = audit.search(team, actor="vera", action="person.read")["rows"]
    assert sorted(json.loads(r["detail"])["channel"] for r in reads) == ["email", "webhook"], reads


def test_an_english_users_digest_is_in_english(fx, tmp_path):
    """A user who set their address in English (the command's --lang en; the page's language on the web) receives
    the server's daily digest in English — subject, title, headers, the rule's English name and each event's
    English title — through a real SMTP server; `--lang en alerts digest --send` sends one in English too."""
    url = str(tmp_path / "t.sqlite")
    path, info = fx
    team = open_team_db(url)
    with Store(str(path), read_only=True) as store:
        L.add(store, team, str(info["target"]), "杭州市")
        R.import_yaml(store, team, NAMED, owner="local")
        feed.run(store, team)
    assert R.channels(team, "local")["lang"] == "zh"  # never set: Chinese
    ch = json.loads(run("--lang", "en", "--team-db", url, "alerts", "channels", "--email", "ann@example.org",
                        "--format", "json").stdout)
    assert ch["lang"] == "en"
    with _smtp_server() as (smtp, received):
        with Store(str(path), read_only=True) as store:
            late = dt.datetime(2026, 3, 2, digest.digest_hour(), 5, tzinfo=digest.TZ)
            assert [q["alerts"] for q in digest.due(store, team, at=late)] == [3]
        assert delivery.deliver_due(team, smtp=smtp)["sent"] == 1
    msg = message_from_bytes(received[0].content, policy=email_policy)
    html = msg.get_body(("html",)).get_content()
    text = msg.get_body(("plain",)).get_content()
    assert msg["Subject"] == "Zhaoshang alert digest 2026-03-02: 3", msg["Subject"]
    assert "<title>Zhaoshang alert digest 2026-03-02: 3</title>" in html and '<html lang="en">' in html
    assert "<th>Enterprise</th>" in html and "预警日报" not in html + text and "企业" not in html.split("</tr>")[0]
    assert "Large rounds in missing links" in html and "缺失环节大额融资" not in html
    assert "funding: Series B CNY 200 million" in html and "融资: B轮" not in html + text
    assert "[Large rounds in missing links]" in text and "funding: Series B CNY 200 million" in text
    assert "目标关键人变动" in html  # a rule without an English name keeps its own

    # the command's --lang: a digest sent from the command line in English
    url2 = str(tmp_path / "t2.sqlite")
    team2 = open_team_db(url2)
    with Store(str(path), read_only=True) as store:
        L.add(store, team2, str(info["target"]), "杭州市")
        R.import_yaml(store, team2, NAMED, owner="local")
        feed.run(store, team2)
    R.set_channels(team2, "local", email="ann@example.org")  # no language given: the command's decides
    with _smtp_server() as (smtp, received):
        env = {"ZHAOSHANG_SMTP_HOST": "127.0.0.1", "ZHAOSHANG_SMTP_PORT": str(smtp["port"])}
        out = json.loads(run("--lang", "en", "--db", path, "--team-db", url2, "alerts", "digest", "--send",
                             "--format", "json", env=env).stdout)
        assert out["sent"]["sent"] == 1 and out["subject"].startswith("Zhaoshang alert digest")
    msg = message_from_bytes(received[0].content, policy=email_policy)
    assert msg["Subject"].startswith("Zhaoshang alert digest ") and msg["Subject"].endswith(": 3")
    assert "funding: Series B CNY 200 million" in msg.get_body(("html",)).get_content()


def test_the_daily_digest_skips_a_disabled_account_and_keeps_its_backlog(tmp_path):
    """A disabled account's daily digest is not queued at all (no dead letter a day); once enabled again, the
    alerts it missed come in its next digest, the same day."""
    from web_util import team_tokens

    from zhaoshang.services.monitoring import events as EV
    from zhaoshang.services.team import accounts

    db, team = _officer_holder_change(tmp_path)
    team_tokens(team, (("dora", "analyst"),))
    late = dt.datetime(2026, 3, 2, digest.digest_hour(), 5, tzinfo=digest.TZ)
    with Store(str(db), read_only=True) as store:
        R.add(store, team, {"name": "法人变更", "types": ["change_legal_rep"], "channels": ["email"]}, owner="dora")
        R.set_channels(team, "dora", email="dora@example.org")
        feed.record(store, team, EV.timeline(store, enterprise="2", types="change_legal_rep")["items"])
        accounts.set_disabled(team, "dora", True, "cli:test")
        assert digest.due(store, team, at=late) == []
        assert delivery.list_deliveries(team, owner="dora") == []
        accounts.set_disabled(team, "dora", False, "cli:test")
        assert [q["alerts"] for q in digest.due(store, team, at=late)] == [1]
        assert len(delivery.list_deliveries(team, owner="dora")) == 1


def _feed_file(path: Path, name: str, guid: str, story: str) -> Path:
    """An RSS file of one story about ``name`` (its link an http address, its guid ``guid``)."""
    path.write_text("<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>t</title>"
                    "<link>http://example.test/</link><description>d</description>"
                    f"<item><title>{name}{story}</title><link>http://example.test/{guid}</link><guid>{guid}</guid>"
                    f"<description>{name}{story}。</description><pubDate>Mon, 02 Nov 2026 08:00:00 +0800</pubDate>"
                    "</item></channel></rss>", encoding="utf-8")
    return path


def test_the_digest_names_a_feed_read_from_a_file_never_its_path(fx, tmp_path):
    """An alert on an item of a news feed read from a file on the server: the e-mail digest (through a real SMTP
    server) and the alert's page tell its source by the feed's registered name (or, for ``--feed FILE``, the
    file's name), never the file's path; the item's record key and http address stay."""
    path, info = fx
    db = tmp_path / "feeds.duckdb"
    db.write_bytes(Path(path).read_bytes())
    with Store(str(db), read_only=True) as store:
        name = store.con.execute("SELECT name FROM enterprises WHERE id = ?", [info["target"]]).fetchone()[0]
    feeds_dir = tmp_path / "服务器上的新闻源"
    feeds_dir.mkdir()
    _feed_file(feeds_dir / "kuaixun.xml", name, "kx-1", "完成新一轮融资")
    (feeds_dir / "feeds.yaml").write_text("feeds:\n  - name: 本地快讯\n    url: kuaixun.xml\n", encoding="utf-8")
    lone = _feed_file(feeds_dir / "lone.xml", name, "lone-1", "在杭州设立研发中心")
    run("monitor", "run", "--feeds", feeds_dir / "feeds.yaml", db=db)
    run("monitor", "run", "--feed", lone, db=db)
    events = [e for e in run_json("events", db=db)["items"] if e["origin"] == "feed"]
    run("alerts", "rules", "add", "目标动态", "--enterprise", name, "--channel", "email", db=db,
        *[x for e in events for x in ("--type", e["type"])])
    run("alerts", "run", "--since", "2026-11-01", db=db)
    team = open_team_db(None, db_path=str(db))
    raised = [a for a in feed.list_alerts(team, "local") if a["rule_name"] == "目标动态"]
    notes = [r.get("note") or "" for a in raised for r in a["evidence"]]
    assert any(str(feeds_dir) in n for n in notes), notes  # stored as it was read: the path is in the record
    R.set_channels(team, "local", email="ana@example.org")
    with _smtp_server() as (smtp, received), Store(str(db), read_only=True) as store:
        late = dt.datetime(2026, 11, 3, digest.digest_hour(), 5, tzinfo=digest.TZ)
        assert [q["alerts"] for q in digest.due(store, team, at=late)] == [2]
        assert delivery.deliver_due(team, smtp=smtp) == {"sent": 1, "retry": 0, "dead": 0}
    msg = message_from_bytes(received[0].content, policy=email_policy)
    html = msg.get_body(("html",)).get_content()
    sources = re.findall(r"<td>([^<]*)</td></tr>", html)  # the last cell of each row: 来源
    assert sorted(sources) == ["lone.xml · lone-1 · http://example.test/lone-1",
                               "本地快讯 · kx-1 · http://example.test/kx-1"], sources
    assert str(feeds_dir) not in msg.as_string() and "服务器上的新闻源" not in html
    # the alert's page says it the same way
    from web_util import local_client

    from zhaoshang.interfaces.web.app import create_app

    client = local_client(create_app(str(db)))
    for a in raised:
        page = client.get(f"/alerts/{a['id']}").text
        assert "服务器上的新闻源" not in page and ("本地快讯 · kx-1" in page or "lone.xml · lone-1" in page), a
