"""Person identity: the same name is not the same person.

Person records (one per source and key; the importers key an unkeyed person by name *and* enterprise) are
linked only with evidence beyond the name, each link with a confidence and its reasons:

- ``same_enterprise_tenure`` (0.95): roles at one enterprise whose tenures overlap;
- ``same_enterprise`` (0.90): roles at one credit-coded enterprise, tenure unknown on one side;
- ``shared_codirector`` (0.80): roles at two enterprises that share another co-director (by the same rules
  applied to that co-director's name — two coincidences rather than one);
- ``gender_birth_year`` (0.50, *possible* only): gender and birth year both given and equal;
- ``contact_same_enterprise`` (0.90): a bureau contact at the enterprise where the person holds a role;
- ``inventor_same_enterprise`` (0.90): an inventor (no person record) of a patent of the enterprise where a person
  of that name holds a role.

Gender or birth years (±1) given on both sides and different keep two records apart whatever else holds.
A name-only match is never a link. Links at or above ``LINK_MIN`` join the graph as ``same_person`` ties.
User decisions (``people confirm`` / ``people split``) are team records (migration 40) keyed by the records'
source and source key, so they survive re-imports; each is audited. A record re-keyed by a late link (its
enterprise arrived after it: ``importers/relink.py``, the change kept in ``person_key_changes``) takes its
decisions along: ``carry_decisions`` writes each again on the new key, audited (``person.rekey``), the first
time the decisions are read after the import. docs/methods.md, "Person identity".
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

import pyarrow as pa

from ...core.errors import NotFound, UserError
from ...core.teamstate.clock import now
from ..team import audit

METHOD, VERSION = "identity-rules", "1"
LINK_MIN = 0.6
RULES = {"same_enterprise_tenure": 0.95, "same_enterprise": 0.90, "shared_codirector": 0.80,
         "gender_birth_year": 0.50, "contact_same_enterprise": 0.90, "inventor_same_enterprise": 0.90}
SUPPORT = 0.05  # matching gender and birth year on top of another rule


_PAIRS = """
WITH p AS (SELECT id, name, coalesce(name_norm, name) AS nn, gender, birth_year, source, source_key FROM persons),
r AS (SELECT person_id, enterprise_id, start_date, end_date FROM roles WHERE person_id IS NOT NULL AND enterprise_id IS NOT NULL
      UNION ALL SELECT holder_person_id, enterprise_id, start_date, end_date FROM shareholdings
      WHERE holder_person_id IS NOT NULL AND enterprise_id IS NOT NULL),
pairs AS (SELECT x.id AS a, y.id AS b, x.nn FROM p x JOIN p y ON x.nn = y.nn AND x.id < y.id
          WHERE length(x.nn) >= 2),
same_ent AS (
    SELECT q.a, q.b, bool_or(ra.start_date IS NOT NULL AND rb.start_date IS NOT NULL
               AND (ra.end_date IS NULL OR ra.end_date >= rb.start_date)
               AND (rb.end_date IS NULL OR rb.end_date >= ra.start_date)) AS overlap,
           bool_or(e.uscc IS NOT NULL OR e.listed_code IS NOT NULL) AS coded, min(ra.enterprise_id) AS eid
    FROM pairs q JOIN r ra ON ra.person_id = q.a JOIN r rb ON rb.person_id = q.b AND rb.enterprise_id = ra.enterprise_id
    JOIN enterprises e ON e.id = ra.enterprise_id GROUP BY q.a, q.b),
namesakes AS (  -- two enterprises that each have one of two same-name, compatible persons (c at e1, d at e2)
    SELECT ca.enterprise_id AS e1, cb.enterprise_id AS e2, pc.id AS c, pd.id AS d, pc.nn, pc.name
    FROM p pc JOIN p pd ON pd.nn = pc.nn AND pd.id <> pc.id
    JOIN r ca ON ca.person_id = pc.id JOIN r cb ON cb.person_id = pd.id AND cb.enterprise_id <> ca.enterprise_id
    WHERE (pc.gender IS NULL OR pd.gender IS NULL OR pc.gender = pd.gender)
      AND (pc.birth_year IS NULL OR pd.birth_year IS NULL OR abs(pc.birth_year - pd.birth_year) <= 1)),
co AS (
    SELECT q.a, q.b, min(n.name) AS via
    FROM pairs q JOIN r ra ON ra.person_id = q.a JOIN r rb ON rb.person_id = q.b AND rb.enterprise_id <> ra.enterprise_id
    JOIN namesakes n ON n.e1 = ra.enterprise_id AND n.e2 = rb.enterprise_id
    WHERE n.c NOT IN (q.a, q.b) AND n.d NOT IN (q.a, q.b) AND n.nn <> q.nn
    GROUP BY q.a, q.b),
facts AS (
    SELECT q.a, q.b, x.name, x.source AS a_source, x.source_key AS a_key, y.source AS b_source, y.source_key AS b_key,
           coalesce((x.gender IS NOT NULL AND y.gender IS NOT NULL AND x.gender <> y.gender)
             OR (x.birth_year IS NOT NULL AND y.birth_year IS NOT NULL AND abs(x.birth_year - y.birth_year) > 1), false) AS veto,
           coalesce(x.gender IS NOT NULL AND x.gender = y.gender AND x.birth_year IS NOT NULL
             AND abs(x.birth_year - y.birth_year) <= 1, false) AS gb,
           coalesce(s.overlap, false) AS overlap, coalesce(s.coded, false) AS coded, s.eid, co.via
    FROM pairs q JOIN p x ON x.id = q.a JOIN p y ON y.id = q.b
    LEFT JOIN same_ent s ON s.a = q.a AND s.b = q.b LEFT JOIN co ON co.a = q.a AND co.b = q.b),
rules AS (
    SELECT *, overlap AS r1, NOT overlap AND eid IS NOT NULL AND coded AS r2, coalesce(via, '') <> '' AS r3, gb AS r4
    FROM facts),
scored AS (
    SELECT *, concat_ws(',', CASE WHEN r1 THEN 'same_enterprise_tenure' END, CASE WHEN r2 THEN 'same_enterprise' END,
                        CASE WHEN r3 THEN 'shared_codirector' END, CASE WHEN r4 THEN 'gender_birth_year' END) AS why_linked,
           coalesce(round(CASE WHEN r4 AND r1::INT + r2::INT + r3::INT > 0 THEN least(0.99, base + {support}) ELSE base END,
                          2), 0.0) AS conf
    FROM (SELECT *, greatest(CASE WHEN r1 THEN {w_same_enterprise_tenure} END, CASE WHEN r2 THEN {w_same_enterprise} END,
                             CASE WHEN r3 THEN {w_shared_codirector} END, CASE WHEN r4 THEN {w_gender_birth_year} END) AS base
          FROM rules))
SELECT s.a, s.b, s.name, s.a_source, s.a_key, s.b_source, s.b_key, s.eid, s.via, d.decision,
       CASE d.decision WHEN 'confirm' THEN concat_ws(',', nullif(s.why_linked, ''), 'confirmed') ELSE s.why_linked END
         AS reasons,
       CASE WHEN d.decision = 'confirm' THEN 1.0::DOUBLE WHEN d.decision IS NULL AND s.veto THEN 0.0::DOUBLE
            ELSE s.conf END AS confidence,
       CASE WHEN d.decision = 'confirm' THEN NULL WHEN d.decision IS NOT NULL THEN 'split'
            WHEN s.veto THEN 'gender_or_birth_year_differ' WHEN s.why_linked = '' THEN 'name_only' END AS why
FROM scored s LEFT JOIN {decisions} d
  ON d.a_source IS NOT DISTINCT FROM s.a_source AND d.a_key IS NOT DISTINCT FROM s.a_key
 AND d.b_source IS NOT DISTINCT FROM s.b_source AND d.b_key IS NOT DISTINCT FROM s.b_key
"""

_CONTACTS = """
SELECT c.id AS contact_id, p.id AS person_id, c.name, min(r.enterprise_id) AS eid
FROM contacts c JOIN roles r ON r.enterprise_id = c.enterprise_id
JOIN persons p ON p.id = r.person_id AND coalesce(p.name_norm, p.name) = c.name
GROUP BY c.id, p.id, c.name
"""


_INVENTORS = """
SELECT DISTINCT 'v:' || i.name || '@' || a.enterprise_id AS node, r.person_id
FROM patent_inventors i
JOIN (SELECT patent_id, arg_min(enterprise_id, position) AS enterprise_id FROM patent_applicants
      WHERE enterprise_id IS NOT NULL GROUP BY 1) a USING (patent_id)
JOIN roles r ON r.enterprise_id = a.enterprise_id JOIN persons p ON p.id = r.person_id AND p.name = i.name
WHERE i.person_id IS NULL
"""


def _decisions(team) -> dict[tuple, dict]:
    if team is None:
        return {}
    with team.tx() as tx:  # by the time decided (a decision carried to a new key keeps its time)
        rows = tx.query("SELECT * FROM person_decisions ORDER BY decided_at, id")
    out = {}
    for d in rows:
        out[_pair_key((d["a_source"], d["a_key"]), (d["b_source"], d["b_key"]))] = d  # the latest decision wins
    return out


CARRIED_BY = "system:relink"  # the audit log's actor of a decision carried to a re-keyed record


def _key_changes(store) -> dict[tuple, tuple]:
    """(source, old key) → (source, new key) of the person records late links re-keyed."""
    if not store.con.execute("SELECT count(*) FROM information_schema.tables "
                             "WHERE table_name = 'person_key_changes'").fetchall()[0][0]:
        return {}  # a database written before re-keys were kept, opened read-only
    rows = store.con.execute("SELECT source, old_key, new_key FROM person_key_changes ORDER BY changed_at").fetchall()
    return {(s, old): (s, new) for s, old, new in rows}


def carry_decisions(store, team) -> list[dict]:
    """Write again, on the new key, the decision in force on a person record's key before a late link re-keyed
    it (``person_key_changes``; a key re-keyed twice is followed to its last), keeping the decision, reason, user
    and time; each carried decision is audited (``person.rekey``). A pair whose two records became one person
    record needs no decision any more and is left. Idempotent: a decision already carried is not written again.
    Returns the decisions carried."""
    if team is None:
        return []
    changes = _key_changes(store)
    if not changes:
        return []

    def final(k: tuple) -> tuple:
        for _ in range(len(changes)):
            if k not in changes:
                break
            k = changes[k]
        return k

    with team.tx() as tx:
        rows = tx.query("SELECT * FROM person_decisions ORDER BY decided_at, id")
    have = {(_pair_key((d["a_source"], d["a_key"]), (d["b_source"], d["b_key"])), d["decision"], d["decided_at"])
            for d in rows}
    latest = {_pair_key((d["a_source"], d["a_key"]), (d["b_source"], d["b_key"])): d for d in rows}  # in force
    carried = []
    for d in latest.values():
        a, b = (d["a_source"], d["a_key"]), (d["b_source"], d["b_key"])
        pair = _pair_key(final(a), final(b))
        if pair == _pair_key(a, b) or pair[0] == pair[1] or (pair, d["decision"], d["decided_at"]) in have:
            continue
        (xs, xk), (ys, yk) = pair
        with team.tx() as tx:
            tx.execute("INSERT INTO person_decisions (a_source, a_key, b_source, b_key, a_name, decision, reason, "
                       "user_name, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       [xs, xk, ys, yk, d["a_name"], d["decision"], d["reason"], d["user_name"], d["decided_at"]])
        audit.record(team, CARRIED_BY, "person.rekey", f"person_decisions:{d['id']}",
                     {"decision": d["decision"], "name": d["a_name"], "from": [list(a), list(b)],
                      "to": [[xs, xk], [ys, yk]], "decided_by": d["user_name"], "decided_at": d["decided_at"]})
        have.add((pair, d["decision"], d["decided_at"]))
        carried.append({"id": d["id"], "decision": d["decision"], "from": [a, b], "to": list(pair)})
    return carried


def _pair_key(x: tuple, y: tuple) -> tuple:
    return (x, y) if x <= y else (y, x)


_NO_DECISIONS = ("(SELECT NULL::VARCHAR AS a_source, NULL::VARCHAR AS a_key, NULL::VARCHAR AS b_source, "
                 "NULL::VARCHAR AS b_key, NULL::VARCHAR AS decision WHERE false)")
_DECISIONS_TABLE = "_identity_decisions"


def _verdict_sql(decided: bool) -> str:
    """One row per same-name pair of person records with the rules' verdict, in one set-based pass: ``reasons``,
    ``confidence`` (the strongest rule's, plus ``SUPPORT`` when gender and birth year agree on top of another
    rule; 0 when vetoed; 1 when confirmed), the user's ``decision`` (the table ``_identity_decisions`` when
    ``decided``) and ``why`` a pair is kept apart (NULL for a link)."""
    sql = _PAIRS.replace("{support}", f"{float(SUPPORT)!r}::DOUBLE")
    for k, v in RULES.items():
        sql = sql.replace("{w_" + k + "}", f"{float(v)!r}::DOUBLE")
    return sql.replace("{decisions}", _DECISIONS_TABLE if decided else _NO_DECISIONS)


def _decisions_table(decisions: dict) -> pa.Table:
    """The decisions in force as a table, each pair in both orders (a verdict row has its records in id order)."""
    rows = [(x, y, d["decision"]) for (x, y), d in decisions.items()]
    rows += [(y, x, dec) for x, y, dec in rows]
    return pa.table({"a_source": pa.array([x[0] for x, _, _ in rows], pa.string()),
                     "a_key": pa.array([x[1] for x, _, _ in rows], pa.string()),
                     "b_source": pa.array([y[0] for _, y, _ in rows], pa.string()),
                     "b_key": pa.array([y[1] for _, y, _ in rows], pa.string()),
                     "decision": pa.array([d for _, _, d in rows], pa.string())})


def _with_decisions(store, team):
    """(decisions in force by pair, tables to register for ``_verdict_sql``): decisions carried to re-keyed
    records first."""
    carry_decisions(store, team)  # decisions on keys a late link changed since: on their new keys first
    decisions = _decisions(team)
    return decisions, ({_DECISIONS_TABLE: _decisions_table(decisions)} if decisions else {})


@contextmanager
def registered(con, tables: dict) -> Iterator[None]:
    """``tables`` registered on ``con`` by name for the statements run inside."""
    for k, t in tables.items():
        con.register(k, t)
    try:
        yield
    finally:
        for k in tables:
            con.unregister(k)


def person_links(store, team=None, *, name: str | None = None) -> dict:
    """Every same-name pair of person records with the rules' verdict: ``links`` (with confidence and reasons),
    ``apart`` (kept apart: vetoed, split, or a name only) and a summary."""
    decisions, tables = _with_decisions(store, team)
    sql = _verdict_sql(bool(tables)) + (" WHERE s.name = ?" if name else "")
    with registered(store.con, tables):
        rows = store.query(sql, [name] if name else [])
    links, apart = [], []
    for r in rows:
        item = {"a": r["a"], "b": r["b"], "name": r["name"], "a_record": [r["a_source"], r["a_key"]],
                "b_record": [r["b_source"], r["b_key"]], "confidence": r["confidence"],
                "reasons": r["reasons"].split(",") if r["reasons"] else [],
                "enterprise_id": r["eid"], "via": r["via"]}
        if r["decision"]:
            dec = decisions[_pair_key((r["a_source"], r["a_key"]), (r["b_source"], r["b_key"]))]
            item["decision"] = {k: dec[k] for k in ("decision", "reason", "user_name", "decided_at")}
        (apart if r["why"] else links).append({**item, "why": r["why"]} if r["why"] else item)
    contacts = store.query(_CONTACTS + (" HAVING c.name = ?" if name else ""), [name] if name else [])
    contact_links = [{**c, "confidence": RULES["contact_same_enterprise"], "reasons": ["contact_same_enterprise"]}
                     for c in contacts]
    used = [x for x in links if x["confidence"] >= LINK_MIN]
    merged_records = len({p for x in used for p in (x["a"], x["b"])})
    clusters = _clusters([(x["a"], x["b"]) for x in used])
    summary = {"same_name_pairs": len(rows), "linked_pairs": len(used),
               "possible_pairs": len([x for x in links if x["confidence"] < LINK_MIN]),
               "kept_apart_pairs": len(apart),
               "kept_apart_by": {w: len([x for x in apart if x["why"] == w]) for w in
                                 ("name_only", "gender_or_birth_year_differ", "split")},
               "records_merged": merged_records, "persons_after_merge": clusters,
               "by_rule": {k: len([x for x in used if k in x["reasons"]]) for k in RULES if k != "contact_same_enterprise"},
               "contact_links": len(contact_links), "method": METHOD, "version": VERSION, "link_min": LINK_MIN}
    return {"summary": summary, "links": links, "apart": apart, "contact_links": contact_links}


def groups(pairs) -> list[list]:
    """The records the links join into one person each (union–find over the pairs); unlinked records are absent."""
    parent: dict = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        parent[find(a)] = find(b)
    out: dict = {}
    for x in parent:
        out.setdefault(find(x), []).append(x)
    return list(out.values())


def decisions_state(team) -> tuple | None:
    """What the users' confirm / split decisions are at: a key that changes with every decision (for caches)."""
    if team is None:
        return None
    with team.tx() as tx:
        row = tx.query("SELECT max(id) AS m, count(*) AS n FROM person_decisions")
    return (getattr(team, "url", None), row[0]["m"], row[0]["n"]) if row else None


def person_of(store, team=None) -> pa.Table:
    """The person each linked person record is: ``(record, person)`` for the records the links at or above
    ``LINK_MIN`` join (after the users' confirm / split decisions), ``person`` the lowest record id of the group —
    the grouping of the relations graph (``Graph.persons``). Unlinked records are absent: each is its own person.
    The one rule by which roles at two enterprises are one person's (the cooperation network's shared people)."""
    _, decisions = _with_decisions(store, team)
    with registered(store.con, decisions):
        pairs = store.con.execute(f"SELECT a, b FROM ({_verdict_sql(bool(decisions))}) "
                                  f"WHERE why IS NULL AND confidence >= {LINK_MIN!r}").fetchall()
    rec, per = [], []
    for members in groups(pairs):
        rep = min(members)
        rec += members
        per += [rep] * len(members)
    return pa.table({"record": pa.array(rec, pa.int64()), "person": pa.array(per, pa.int64())})


def _clusters(pairs: list[tuple]) -> int:
    """How many persons the linked records make."""
    return len(groups(pairs))


_EDGES = "_graph_identity"


def links_edge_sql(store, team=None) -> tuple[str, dict]:
    """The identity links as raw graph edges (``same_person``, strength = confidence): SQL for the edge view and the
    tables to register for it. The links are made by one set-based statement (no pair passes through Python) and
    handed over as a table: the edge view joins it faster than it would the statement itself."""
    _, decisions = _with_decisions(store, team)
    # an identity link's strength is its confidence (carried in the percent column, see edges.ties_sql)
    sql = f"""
    SELECT 'p:' || a AS a, 'person' AS a_type, 'p:' || b AS b, 'person' AS b_type, confidence AS conf, reasons
    FROM ({_verdict_sql(bool(decisions))}) WHERE why IS NULL AND confidence >= {LINK_MIN!r}
    UNION ALL
    SELECT 'c:' || contact_id, 'contact', 'p:' || person_id, 'person', {RULES["contact_same_enterprise"]!r}::DOUBLE,
           'contact_same_enterprise'
    FROM ({_CONTACTS})
    UNION ALL
    SELECT node, 'inventor', 'p:' || person_id, 'person', {RULES["inventor_same_enterprise"]!r}::DOUBLE,
           'inventor_same_enterprise'
    FROM ({_INVENTORS})"""
    with registered(store.con, decisions):
        tbl = store.con.sql(sql).to_arrow_table()
    return (f"SELECT a, a_type, b, b_type, 'same_person' AS relation, NULL::DATE, NULL::DATE, conf, NULL::DOUBLE, "
            f"'persons', NULL::BIGINT, 'identity', a || '=' || b, NULL::BIGINT, reasons FROM {_EDGES}"), {_EDGES: tbl}


def _record(store, key: str) -> dict:
    """A person record by id (``p:12`` or ``12``)."""
    s = str(key).strip().removeprefix("p:")
    if not s.isdigit():
        raise UserError(f"人员须以编号给出（p:编号 或 编号，见 people links）: {key}",
                        f"give a person by id (p:ID or ID, see people links): {key}")
    row = store.con.execute("SELECT id, name, source, source_key, coalesce(name_norm, name) FROM persons WHERE id = ?",
                            [int(s)]).fetchall()
    row = row[0] if row else None
    if not row:
        raise NotFound(f"未找到人员: {key}", f"person not found: {key}")
    return {"id": row[0], "name": row[1], "source": row[2], "source_key": row[3], "name_norm": row[4]}


def decide(store, team, a: str, b: str, decision: str, reason: str | None, actor: Any) -> dict:
    """Confirm (the same person) or split (different persons) two person records of one name; stored in the team
    state apart from the imported data, keyed by source and source key, and audited. Two records of different names
    are refused: the rules compare same-name records only, so the decision would be kept and do nothing."""
    if decision not in ("confirm", "split"):
        raise UserError(f"未知的决定: {decision}（可选 confirm、split）", f"unknown decision: {decision} (confirm, split)")
    x, y = _record(store, a), _record(store, b)
    if x["id"] == y["id"]:
        raise UserError("两条人员记录须不同", "the two person records must differ")
    if x["name_norm"] != y["name_norm"]:  # the rules pair same-name records only: a decision on others would do nothing
        raise UserError(f"两条记录的姓名不同（p:{x['id']} {x['name']}、p:{y['id']} {y['name']}）：身份决定只用于同名记录，"
                        "请核对编号（people links 列出同名记录对）",
                        f"the two records have different names (p:{x['id']} {x['name']}, p:{y['id']} {y['name']}): a "
                        "decision is for records of one name; check the ids (people links lists the same-name pairs)")
    (xs, xk), (ys, yk) = _pair_key((x["source"], x["source_key"]), (y["source"], y["source_key"]))
    user = getattr(actor, "name", None) or str(actor)
    with team.tx() as tx:
        tx.execute("INSERT INTO person_decisions (a_source, a_key, b_source, b_key, a_name, decision, reason, user_name, "
                   "decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [xs, xk, ys, yk, x["name"], decision, reason, user, now()])
    audit.record(team, actor, f"person.{decision}", f"persons:{x['id']},{y['id']}",
                 {"a": [xs, xk], "b": [ys, yk], "name": x["name"], "reason": reason})
    return {"decision": decision, "a": x, "b": y, "reason": reason, "user": user}
