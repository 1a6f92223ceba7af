"""The facts behind one scorecard's signals: for each signal, the rows it was computed from (``core.explain.Ref``:
a table and its row ids or keys), read with the windows and rules of the one signals query (``signals.py``), and
for investor quality the investor whose record it is and that record's figures.

A card reads these for its one enterprise after scoring it (a few small queries by enterprise id); the batch
(``score all``) never does. docs/methods.md, "Scorecard", "The facts behind each signal".
"""

from __future__ import annotations

import datetime as _dt

from ...core.asof import news_day, role_day
from ...core.explain import ROW_ANCHORS, Ref
from .live import PRESENCE_KINDS, rounds_sql
from .signals import INVESTOR_PSEUDO, NEGATIVE_EVENTS, date_lit, funding_ctes, population_ctes

# signal → the kinds of facts it reads (keys of ``signal_facts``' rows), in the order shown
READS = {
    "patents": ("patents",), "invention_share": ("patents",), "ipc_breadth": ("patents",),
    "patents_recent": ("patents_24m",), "patents_growth": ("patents_48m",),
    "total_raised": ("rounds_amount",), "latest_stage": ("latest_round",), "months_since_round": ("latest_round",),
    "months_from_12": ("latest_round",), "gap_vs_stage": ("latest_round",),
    "rounds_total": ("rounds",), "pace": ("rounds", "enterprise"), "rounds_24m": ("rounds_24m",),
    "investor_quality": ("best_investor",), "investors_n": ("investors",),
    "branches_24m": ("branches_24m",), "capital_changes_24m": ("capital_changes_24m",),
    "age_years": ("enterprise",), "news_12m": ("news_12m",), "news_tone": ("news_12m",),
    "key_people": ("roles",), "serial_founders": ("serial_roles",), "board_ties": ("other_enterprises",),
    "negative_events": ("risk_events", "negative_news"), "abnormal_status": ("enterprise", "status_changes"),
}
# the table each kind of facts is rows of
TABLE = {"patents": "patents", "patents_24m": "patents", "patents_48m": "patents", "rounds_amount": "fundings",
         "latest_round": "fundings", "rounds": "fundings", "rounds_24m": "fundings", "best_investor": "investors",
         "investors": "investors", "branches_24m": "branches", "capital_changes_24m": "enterprise_history",
         "enterprise": "enterprises", "news_12m": "news", "roles": "roles", "serial_roles": "roles",
         "other_enterprises": "enterprises", "risk_events": "events", "negative_news": "news",
         "status_changes": "enterprise_history"}
NOTES = {  # what each kind of facts is, zh / en
    "patents": ("申请日不晚于截至日的专利", "patents applied for by the date"),
    "patents_24m": ("近 2 年申请的专利", "patents applied for in the last 2 years"),
    "patents_48m": ("近 4 年申请的专利（近 2 年减前 2 年）", "patents applied for in the last 4 years (last 2 minus the 2 before)"),
    "rounds_amount": ("有金额的融资轮次", "rounds with an amount"),
    "latest_round": ("最近一轮融资", "the latest round"),
    "rounds": ("截至该日的全部融资轮次", "every round by the date"),
    "rounds_24m": ("近 24 个月的融资轮次", "rounds in the last 24 months"),
    "best_investor": ("记录最好的投资方", "the investor with the best record"),
    "investors": ("参与融资的投资方", "the investors of its rounds"),
    "branches_24m": ("近 24 个月设立的分支机构与子公司", "branches and subsidiaries opened in the last 24 months"),
    "capital_changes_24m": ("近 24 个月的注册资本增加（变更日期）", "registered-capital increases in the last 24 months (dates)"),
    "enterprise": ("企业登记信息", "the enterprise's registry record"),
    "news_12m": ("近 12 个月提及该企业的新闻", "news mentioning it in the last 12 months"),
    "roles": ("截至该日在任的人员职务", "the roles held by the date"),
    "serial_roles": ("在其他企业也任职的人员的职务", "roles of people who hold roles in other enterprises too"),
    "other_enterprises": ("其人员任职的其他企业", "the other enterprises of its people"),
    "risk_events": ("处罚、诉讼、经营异常、注销与状态变更事件", "penalty, litigation, abnormal, dissolution and status-change events"),
    "negative_news": ("负面新闻（情绪 < −0.3）", "negative news (tone < −0.3)"),
    "status_changes": ("登记状态变更（变更日期）", "registry status changes (dates)"),
}

# The rows of one evidence list a card names one by one, each linked to its line on the enterprise's profile as of the
# card's date (the rest counted: 另 N 条), and the tables whose rows have such a line (the profile's element id:
# ``core.explain.ROW_ANCHORS[table]-<id>``). The profile lists every row so named even past its own cut (``linked_rows``).
LINKED = 12


def linked_rows(card: dict | None) -> dict[str, list[int]]:
    """The rows of each table the signals of ``card`` link to on the profile (``LINKED`` per evidence list, the
    tables of ``ROW_ANCHORS``): table → ids, in the order first named."""
    out: dict[str, list[int]] = {}
    for dim in ((card or {}).get("dimensions") or {}).values():
        for part in dim.get("contributions") or []:
            for ref in part.get("evidence") or []:
                ref = ref if isinstance(ref, dict) else ref.to_json()
                if ref.get("table") in ROW_ANCHORS and ref.get("ids"):
                    seen = out.setdefault(ref["table"], [])
                    seen.extend(i for i in ref["ids"][:LINKED] if isinstance(i, int) and i not in seen)
    return out


def _ids(store, sql: str, params: list) -> list:
    return [r[0] for r in store.con.execute(sql, params).fetchall()]


def _investor(store, d: _dt.date, eid: int) -> dict | None:
    """The investor whose record gives the enterprise's investor quality (the best of its investors by the date):
    its id and name, the enterprises it funded by the date, those that raised again later, the overall share and
    the smoothed quality — the figures of ``signals.INVESTOR_CTES``; None when no investor of it is known."""
    D = date_lit(d)
    row = store.con.execute(f"""WITH {funding_ctes(store, d)},
{population_ctes(D, 'FALSE')}
SELECT q.investor_id, coalesce(i.name, (SELECT min(fi.investor_name) FROM funding_investors fi
                                        WHERE fi.investor_id = q.investor_id)) AS name, q.q,
       (SELECT count(*) FROM inv_port p WHERE p.investor_id = q.investor_id) AS portfolio,
       (SELECT sum(again) FROM inv_port p WHERE p.investor_id = q.investor_id) AS again,
       (SELECT p FROM prior) AS prior,
       (SELECT list(p.enterprise_id ORDER BY p.enterprise_id) FROM inv_port p WHERE p.investor_id = q.investor_id) AS funded,
       (SELECT list(p.enterprise_id ORDER BY p.enterprise_id) FROM inv_port p
        WHERE p.investor_id = q.investor_id AND p.again = 1) AS raised_again,
       (SELECT list(DISTINCT f.id ORDER BY f.id) FROM f JOIN funding_investors fi ON fi.funding_id = f.id
        WHERE fi.investor_id = q.investor_id AND f.enterprise_id = ?) AS rounds
FROM inv_q q LEFT JOIN investors i ON i.id = q.investor_id
WHERE q.investor_id IN (SELECT investor_id FROM inv_deals WHERE enterprise_id = ?)
ORDER BY q.q DESC, q.investor_id LIMIT 1""", [eid, eid]).fetchone()
    if row is None:
        return None
    iid, name, q, n, again, prior, funded, raised, rounds = row
    return {"id": iid, "name": name, "quality": round(q, 4), "funded": int(n), "raised_again": int(again or 0),
            "prior": round(prior, 4), "pseudo": INVESTOR_PSEUDO, "funded_ids": list(funded or []),
            "raised_again_ids": list(raised or []), "round_ids": [r for r in rounds or [] if r > 0],
            "formula": f"(raised_again + {INVESTOR_PSEUDO}·prior) / (funded + {INVESTOR_PSEUDO})"}


def signal_facts(store, d: _dt.date, eid: int, present: dict) -> dict:
    """The facts of enterprise ``eid`` each kind of signal reads as of ``d`` (``READS``): kind → ids (or keys: the
    dates of registry changes, ``m<id>`` of live rounds), plus ``amounts`` (the rounds' amounts disclosed and
    estimated apart) and ``investor`` (``_investor``). Kinds of source not imported by the date read nothing."""
    D = date_lit(d)
    out: dict = {}
    # the rounds the signals count (imported and live, a likely duplicate once: live.rounds_sql)
    rounds = store.con.execute(f"""SELECT id, date, amount_wan, live_key,
               coalesce(amount_low_wan < amount_high_wan, FALSE) AS est
        FROM ({rounds_sql(store, D)}) WHERE enterprise_id = ? ORDER BY date, id""", [eid]).fetchall()

    def key(r):  # an imported round by its id, a live one by its key (m<id>)
        return r[0] if r[0] > 0 else r[3]
    out["rounds"] = [key(r) for r in rounds]
    out["rounds_24m"] = [key(r) for r in rounds if r[1] > d - _dt.timedelta(days=730)]
    out["latest_round"] = [key(max(rounds, key=lambda r: (r[1], r[0])))] if rounds else []
    out["rounds_amount"] = [key(r) for r in rounds if r[2] is not None]
    disclosed = [r for r in rounds if r[2] is not None and not r[4]]
    estimated = [r for r in rounds if r[2] is not None and r[4]]
    out["amounts"] = {"disclosed_wan": round(sum(r[2] for r in disclosed), 4) if disclosed else 0.0,
                      "disclosed": len(disclosed),
                      "estimated_wan": round(sum(r[2] for r in estimated), 4) if estimated else 0.0,
                      "estimated": len(estimated), "estimated_ids": [key(r) for r in estimated],
                      "undisclosed": len(rounds) - len(disclosed) - len(estimated)}
    out["investors"] = _ids(store, f"""SELECT DISTINCT fi.investor_id FROM funding_investors fi
        JOIN fundings f ON f.id = fi.funding_id WHERE f.enterprise_id = ? AND f.date <= {D}
        AND fi.investor_id IS NOT NULL ORDER BY 1""", [eid]) if present.get("investors") else []
    out["investor"] = _investor(store, d, eid) if out["investors"] else None
    out["best_investor"] = [out["investor"]["id"]] if out["investor"] else []
    pat = store.con.execute(f"""SELECT DISTINCT p.id, p.applied FROM patent_applicants a JOIN patents p ON p.id = a.patent_id
        WHERE a.enterprise_id = ? AND p.applied <= {D} ORDER BY p.applied, p.id""", [eid]).fetchall()
    out["patents"] = [r[0] for r in pat]
    out["patents_24m"] = [r[0] for r in pat if r[1] > d - _dt.timedelta(days=730)]
    out["patents_48m"] = [r[0] for r in pat if r[1] > d - _dt.timedelta(days=1460)]
    kinds = ", ".join(f"'{k}'" for k in PRESENCE_KINDS)
    out["branches_24m"] = _ids(store, f"""SELECT id FROM branches WHERE parent_id = ? AND kind IN ({kinds})
        AND date <= {D} AND date > {D} - INTERVAL 730 DAY ORDER BY date, id""", [eid])
    out["capital_changes_24m"] = [x.isoformat() for x in _ids(store, f"""SELECT changed_on FROM enterprise_history
        WHERE enterprise_id = ? AND field = 'capital_wan' AND changed_on <= {D} AND changed_on > {D} - INTERVAL 730 DAY
        AND TRY_CAST(new_value AS DOUBLE) > TRY_CAST(old_value AS DOUBLE) ORDER BY changed_on""", [eid])]
    out["status_changes"] = [x.isoformat() for x in _ids(store, f"""SELECT changed_on FROM enterprise_history
        WHERE enterprise_id = ? AND field = 'status' AND changed_on <= {D} ORDER BY changed_on""", [eid])]
    out["enterprise"] = [eid]
    news = store.con.execute(f"""SELECT DISTINCT n.id, {news_day()} AS day, n.sentiment FROM news_mentions m
        JOIN news n ON n.id = m.news_id WHERE m.enterprise_id = ? AND {news_day()} <= {D} ORDER BY day, n.id""",
                             [eid]).fetchall()
    out["news_12m"] = [r[0] for r in news if r[1] > d - _dt.timedelta(days=365)]
    out["negative_news"] = [r[0] for r in news if r[2] is not None and r[2] < -0.3]
    neg = ", ".join(f"'{t}'" for t in NEGATIVE_EVENTS)
    out["risk_events"] = _ids(store, f"SELECT id FROM events WHERE enterprise_id = ? AND type IN ({neg}) "
                                     f"AND date <= {D} ORDER BY date, id", [eid])
    team = store.con.execute(f"""WITH {funding_ctes(store, d)},
{population_ctes(D, 'FALSE')}
SELECT r.id, coalesce(r.person_id::VARCHAR, r.person_name) AS who,
       (SELECT n FROM people p WHERE p.who = coalesce(r.person_id::VARCHAR, r.person_name)) AS n
FROM roles r LEFT JOIN imports i ON i.id = r.import_id
WHERE r.enterprise_id = ? AND {role_day()} <= {D} AND (r.end_date IS NULL OR r.end_date > {D})
ORDER BY r.id""", [eid]).fetchall()
    out["roles"] = [r[0] for r in team]
    serial = [r for r in team if (r[2] or 0) > 1]
    out["serial_roles"] = [r[0] for r in serial]
    whos = sorted({r[1] for r in serial if r[1] is not None})
    out["other_enterprises"] = _ids(store, f"""SELECT DISTINCT r.enterprise_id FROM roles r
        LEFT JOIN imports i ON i.id = r.import_id
        WHERE coalesce(r.person_id::VARCHAR, r.person_name) IN ({', '.join('?' for _ in whos) or 'NULL'})
          AND r.enterprise_id IS NOT NULL AND r.enterprise_id <> ?
          AND {role_day()} <= {D} AND (r.end_date IS NULL OR r.end_date > {D})
        ORDER BY 1""", [*whos, eid]) if whos else []
    return out


def refs(facts: dict, signal: str, lang: str = "zh", live: list | None = None) -> list[Ref]:
    """The evidence of one signal: a ``Ref`` per kind of facts it reads (``READS``), its ids and what they are in
    ``lang``; ``live``: the keys of the live events that fed it (``monitor_events``)."""
    en = lang == "en"
    out = []
    for kind in READS.get(signal, ()):
        ids = facts.get(kind) or []
        table = TABLE[kind]
        note = NOTES[kind][1 if en else 0]
        if table == "fundings":  # live rounds are events of the team state (``live``), not fundings rows
            ids = [i for i in ids if not isinstance(i, str)]
        if table == "enterprise_history":
            out.append(Ref(table, where={"enterprise_id": facts["enterprise"][0],
                                         "field": "capital_wan" if kind == "capital_changes_24m" else "status",
                                         "changed_on": ids}, note=note))
            continue
        out.append(Ref(table, ids=list(ids), note=note))
        inv = facts.get("investor")
        if kind == "best_investor" and inv:  # what made its record: its rounds here, the enterprises it funded
            out.append(Ref("fundings", ids=inv["round_ids"], note=("its rounds in this enterprise" if en else
                                                                    "该投资方参与的本企业融资")))
            out.append(Ref("enterprises", ids=inv["funded_ids"], where={"raised_again": inv["raised_again_ids"]},
                           note=("the enterprises it funded by the date (raised_again: those that raised again later)"
                                 if en else "该投资方截至该日投资的企业（raised_again：此后再获融资的）")))
    if live:
        out.append(Ref("monitor_events", ids=list(live), note="实时事件" if not en else "live events"))
    return out


def investor_text(inv: dict | None, lang: str = "zh") -> str | None:
    """The investor behind investor quality in words: who, what it funded, what raised again, and the quality."""
    if not inv:
        return None
    n, a, p, q, k = inv["funded"], inv["raised_again"], inv["prior"], inv["quality"], inv["pseudo"]
    if lang == "en":
        return (f"{inv['name']} (investor #{inv['id']}): funded {n} enterprise{'s' if n != 1 else ''} by the date, "
                f"{a} of them raised again later; quality ({a} + {k}×{p:g}) / ({n} + {k}) = {q:g} "
                f"({k} pseudo-enterprises at the overall share {p:g})")
    return (f"{inv['name']}（投资方 #{inv['id']}）：截至该日投资 {n} 家企业，其中 {a} 家此后再获融资；"
            f"质量 = ({a} + {k}×{p:g}) / ({n} + {k}) = {q:g}（以全体再融资比例 {p:g} 平滑 {k} 家）")


def amount_text(amounts: dict, lang: str = "zh") -> str | None:
    """What total raised holds: the disclosed amounts and the range estimates apart (None without an estimate)."""
    if not amounts or not amounts.get("estimated"):
        return None
    dw, ew, n = amounts["disclosed_wan"], amounts["estimated_wan"], amounts["estimated"]
    if lang == "en":
        return (f"estimates included (10k CNY): disclosed {dw:,.1f} + estimated from ranges {ew:,.1f} "
                f"({n} round{'s' if n != 1 else ''})")
    return f"含估算：披露 {dw:,.1f} 万元 + 按区间估算 {ew:,.1f} 万元（{n} 轮）"
