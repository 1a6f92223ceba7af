"""A small database for the alert tests: the seeded matrix fixture plus event records of every kind a rule
watches (a large and a small funding, negative and mild news, a branch, a legal-representative change, a
人事变动 news item), written as the importer writes them (detail JSON, source and record key)."""

from __future__ import annotations

import json
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import matrix_fixture

from zhaoshang.core.store import Store

CITY = "330100"  # 杭州市: "our" region


def build(path: str) -> dict:
    matrix_fixture.build(path, n=60)
    with Store(path) as store:
        q = store.con.execute
        # a chain node no enterprise of the city is placed on (missing → 补链), and the city's strongest node
        gap_node = q("""SELECT p.node_code FROM placements p GROUP BY 1
                        HAVING count(*) FILTER (WHERE p.enterprise_id IN (SELECT id FROM enterprises WHERE city_code = ?)) = 0
                        ORDER BY count(*) DESC, 1 LIMIT 1""", [CITY]).fetchone()[0]
        strong_node = q("""SELECT p.node_code FROM placements p JOIN enterprises e ON e.id = p.enterprise_id
                           WHERE e.city_code = ? GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1""", [CITY]).fetchone()[0]
        one = lambda sql, *a: q(sql, list(a)).fetchone()[0]  # noqa: E731
        gap_ent = one("SELECT min(enterprise_id) FROM placements WHERE node_code = ?", gap_node)
        strong_ent = one("SELECT min(p.enterprise_id) FROM placements p JOIN enterprises e ON e.id = p.enterprise_id "
                         "WHERE p.node_code = ? AND e.city_code <> ? AND p.enterprise_id NOT IN "
                         "(SELECT enterprise_id FROM placements WHERE node_code = ?)", strong_node, CITY, gap_node)
        local = one("SELECT min(id) FROM enterprises WHERE city_code = ?", CITY)
        far = one("SELECT min(id) FROM enterprises WHERE province_code <> '330000' AND id NOT IN (?, ?)", gap_ent, strong_ent)
        target = one("SELECT min(id) FROM enterprises WHERE province_code <> '330000' AND id NOT IN (?, ?, ?)",
                     gap_ent, strong_ent, far)
        base = one("SELECT coalesce(max(id), 0) FROM events") + 1
        ev = [  # name: (enterprise, type, title, detail, ref_table)
            ("big_gap_funding", gap_ent, "funding", "融资: B轮 2亿元", {"round": "b", "amount_wan": 20000.0}, "fundings"),
            ("small_gap_funding", gap_ent, "funding", "融资: A轮 5000万元", {"round": "a", "amount_wan": 5000.0}, "fundings"),
            ("big_strong_funding", strong_ent, "funding", "融资: C轮 3亿元", {"round": "c", "amount_wan": 30000.0}, "fundings"),
            ("local_bad_news", local, "news", "新闻: 某公司涉嫌财务造假被立案调查",
             {"sentiment": -0.8, "event_type": "诉讼/处罚/监管", "url": "https://news.example/1"}, "news"),
            ("local_mild_news", local, "news", "新闻: 某公司季度营收小幅下滑", {"sentiment": -0.2, "event_type": "其他"}, "news"),
            ("far_bad_news", far, "news", "新闻: 某公司被列入经营异常名录", {"sentiment": -0.9, "event_type": "经营异常/破产"}, "news"),
            ("target_branch", target, "branch", "设立分支机构: 某公司成都分公司", {"province": "510000", "city": "510100"}, "branches"),
            ("far_branch", far, "branch", "设立分支机构: 某公司武汉分公司", {"province": "420000", "city": "420100"}, "branches"),
            ("target_legal_rep", target, "change_legal_rep", "变更: legal_rep 张某 → 李某",
             {"field": "legal_rep", "old": "张某", "new": "李某"}, "enterprise_history"),
            ("target_people_news", target, "news", "新闻: 某公司首席技术官离职", {"sentiment": -0.3, "event_type": "personnel"}, "news"),
        ]
        ids = {}
        for i, (name, eid, typ, title, detail, table) in enumerate(ev):
            ids[name] = base + i
            q("INSERT INTO events VALUES (?, ?, DATE '2024-03-01' + ?::INTEGER, ?, ?, ?, ?, ?, 'fixture-events', ?, NULL)",
              [base + i, eid, i, typ, title, json.dumps(detail, ensure_ascii=False), table, 9000 + i, f"k{i}"])
    return {"events": ids, "gap_node": gap_node, "strong_node": strong_node, "gap_ent": gap_ent, "local": local,
            "far": far, "target": target, "strong_ent": strong_ent}


RULES_YAML = f"""
rules:
  - name: 缺失环节大额融资
    types: [funding]
    gaps_of: "{CITY}"
    min_amount_wan: 10000
    channels: [app, email, webhook]
  - name: 本地企业负面新闻
    types: [news]
    regions: [杭州市]
    max_sentiment: -0.5
  - name: 目标设立分支
    types: [branch, subsidiary, investment]
    targets: [pipeline]
  - name: 目标关键人变动
    types: [change_legal_rep, 人事变动]
    targets: [pipeline]
    channels: [app, email]
"""

EXPECTED = {"缺失环节大额融资": {"big_gap_funding"}, "本地企业负面新闻": {"local_bad_news"},
            "目标设立分支": {"target_branch"}, "目标关键人变动": {"target_legal_rep", "target_people_news"}}


class Receiver:
    """A real HTTP server on loopback answering 500 to the first ``fail`` POSTs (all when fail < 0), then 200."""

    def __init__(self, fail: int):
        self.fail, self.calls, self.ok, self.times = fail, [], [], []
        outer = self

        class H(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.calls.append((dict(self.headers), body))
                outer.times.append(time.monotonic())
                bad = outer.fail < 0 or len(outer.calls) <= outer.fail
                if not bad:
                    outer.ok.append((dict(self.headers), body))
                self.send_response(500 if bad else 200)
                self.end_headers()

            def log_message(self, *a):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


_BUILT: dict = {}


def copy(tmp_path_factory, name: str):
    """A private copy of the fixture database (built once per test session): ``(path, info, directory)``."""
    import shutil

    if "path" not in _BUILT:
        base = tmp_path_factory.mktemp("alerts_base") / "fx.duckdb"
        _BUILT["info"] = build(str(base))
        _BUILT["path"] = base
    d = tmp_path_factory.mktemp(name)
    shutil.copyfile(_BUILT["path"], d / "fx.duckdb")
    return d / "fx.duckdb", _BUILT["info"], d


def rule_kept_by(store, team, spec: dict, owner: str) -> dict:
    """A rule of ``owner`` as a viewer comes to hold one: made while the owner was an analyst (a viewer cannot be
    given one: ``rules.check_rule_owner``) and kept when the role became the viewer's it is now."""
    from zhaoshang.services.alerts import rules

    with _while_writer(team, owner):
        return rules.add(store, team, spec, owner=owner)


def channels_kept_by(team, owner: str, **channels) -> dict:
    """``owner``'s delivery channels (``rules.set_channels``' keywords) as a viewer comes to have them: set while the
    owner was an analyst (a viewer cannot set any: ``rules.check_channels_owner``) and kept after the demotion."""
    from zhaoshang.services.alerts import rules

    with _while_writer(team, owner):
        return rules.set_channels(team, owner, **channels)


@contextmanager
def _while_writer(team, owner: str):
    """``owner`` an analyst for the block when a read-only user now, the role restored after it."""
    from zhaoshang.services.alerts import rules
    from zhaoshang.services.team import accounts

    role = accounts.get(team, owner).role if owner != rules.LOCAL else "admin"  # local: every right
    if role in ("admin", "analyst"):
        yield
        return
    accounts.set_role(team, owner, "analyst", "cli:test")
    try:
        yield
    finally:
        accounts.set_role(team, owner, role, "cli:test")
