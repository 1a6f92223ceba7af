"""Analyst decisions on chain placements (confirm, remove, add) and declared placements of imports.

Analyst decisions are team records: they live in the team state (``placement_corrections``, beside users and
the audit log — SQLite beside the database or PostgreSQL), apart from the imported data and from the inferred
placements, like a matcher's human judgements; each one is also an audit-log entry (who, when, why). The
latest decision per enterprise and node wins (the earlier ones stay in the history), and a decision that would
change nothing — an add of a node the enterprise is on, a second confirmation — is refused in words saying what
stands. Declared placements — node labels an import carried, with
their source — are imported facts and stay in the analytical database (``declared_placements``).
``apply`` re-applies both after every classification, so they survive ``classify`` and re-imports (the
importers keep enterprise ids). Placements they produce carry their own ``method`` (``analyst``,
``declared``, ``…+confirmed``) so that pages and exports show them apart from inferred ones.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

from ...core import dialect
from ...core.config import ConfigFile
from ...core.errors import UserError
from ...core.importers.enterprises import record_value_sql
from ...core.teamstate.clock import now
from ..enterprises import resolve_enterprise
from ..team import audit
from .primary import ANALYST, DECLARED, PRIMARY_RANK  # noqa: F401  (named here by callers)
from .taxonomy import Taxonomy, load_taxonomy

ACTIONS = ("confirm", "remove", "add")
_ACTIONS_SQL = ", ".join(f"'{a}'" for a in ACTIONS)


DECLARED_DDL = """
CREATE TABLE IF NOT EXISTS declared_placements (
    enterprise_id BIGINT NOT NULL,
    chain VARCHAR NOT NULL,
    node_code VARCHAR NOT NULL,
    source VARCHAR NOT NULL,          -- the import source that carried the label
    source_key VARCHAR,
    label VARCHAR,                    -- the label as the source wrote it
    declared_at TIMESTAMP NOT NULL
);
-- inferred placements an analyst removed, as the rules made them (the columns of ``placements``)
CREATE TABLE IF NOT EXISTS removed_placements AS SELECT * FROM placements LIMIT 0;
"""
CORR_COLS = ["id", "enterprise_id", "enterprise_uscc", "enterprise_name", "chain", "node_code", "action", "reason",
             "user_name", "decided_at"]


# Placements made or confirmed by a decision, and declared ones, carry an explained result (core/explain.py)
# like inferred ones: one part saying who decided what and why (or which source declared which label), and
# the row it rests on.
_DECISION_PART = ("json_object('signal', c.action, 'label', c.reason, 'raw', c.action, 'normalised', NULL, "
                  "'weight', NULL, 'contribution', NULL, 'detail', json_object('user', c.user_name, "
                  "'at', CAST(c.decided_at AS VARCHAR), 'reason', c.reason))")
# the row's note names who decided and when, the time as every time shown (``decided_shown``: ``_shown``)
_DECISION_REF = ("json_object('table', 'placement_corrections', 'ids', [c.id], 'where', NULL, "
                 "'note', concat_ws(' ', c.user_name, c.decided_shown))")
_DECLARED_EXPLAINED = (
    "json_object('value', d.node_code, 'method', 'declared', 'version', '1', 'params', json_object('source', d.source), "
    "'params_hash', NULL, 'parts', json_array(json_object('signal', 'declared', 'label', d.label, 'raw', d.label, "
    "'normalised', NULL, 'weight', NULL, 'contribution', NULL, 'detail', json_object('source', d.source, "
    "'source_key', d.source_key))), 'evidence', json_array(json_object('table', 'enterprise_records', 'ids', NULL, "
    "'where', json_object('source', d.source, 'source_key', d.source_key), 'note', NULL)), 'confidence', 1.0, "
    "'as_of', NULL, 'formula', NULL)")


def ensure(store) -> None:
    store.con.execute(DECLARED_DDL)


def forget_removed(store, tx, chain: str, scoped: bool) -> None:
    """Classification rewrites the inferred placements (of the enterprises in ``zs_req`` when ``scoped``): the
    removed ones kept aside from the previous run go with them (``apply`` keeps the new ones aside again)."""
    ensure(store)
    tx.execute("DELETE FROM removed_placements WHERE chain = ?"
               + (" AND enterprise_id IN (SELECT id FROM zs_req)" if scoped else ""), [chain])


def _node(tax: Taxonomy, code: str, store=None) -> str:
    """The level-2/3 node ``code`` names, read by the one node lookup (``regions.nodes.chain_node``: any case, an
    unknown code refused with the nodes meant) when a database is at hand."""
    c = str(code).strip()
    if store is not None and c and c not in tax.nodes:
        from ..regions.nodes import chain_node, node_not_found

        try:
            c = chain_node(store, tax.chain, c) or c
        except UserError as exc:
            raise _field(exc, "node")
        if c not in tax.nodes:
            raise _field(node_not_found(store, tax.chain, c), "node")
    if c in tax.nodes and tax.nodes[c].level < 2:
        n = tax.nodes[c]
        raise _field(UserError(f"{c} {n.name_zh} 是第 1 层（环节大类），归类只记在第 2、3 层节点上，例如 M06",
                               f"{c} ({n.name_en or n.name_zh}) is a level-1 stage; placements are on level-2 or level-3 nodes, e.g. M06",
                               text=c), "node")
    if c not in tax.nodes:
        raise _field(UserError(f"产业链 {tax.chain} 没有节点 {c}（应为第 2、3 层节点编码，例如 M06）",
                               f"chain {tax.chain} has no node {c} (give a level-2 or level-3 node code, e.g. M06)", text=c), "node")
    return c


# The longest reason a decision takes (the profile's box holds as many): the CLI, the API and the page alike.
REASON_MAX = 500


def _field(exc: UserError, field: str) -> UserError:
    """The refusal, marked with the form field it concerns (``action``, ``node``, ``reason``): the profile's
    placement form shows it beside that box."""
    exc.field = field
    return exc


def _state(method: str | None, action: str | None) -> str | None:
    """What an enterprise has on a node now, from its placement's ``method`` (None: no placement) and the latest
    decision's ``action`` on the pair: ``confirmed`` (a placement the rules or an import make, marked confirmed —
    by a confirmation or an add recorded before such adds were refused — or one an analyst confirmed that only the
    decision holds now), ``added`` (one only an analyst's add holds), ``declared``, ``inferred`` or None."""
    if method is None:
        return None
    if method.endswith("+confirmed") or (method == ANALYST and action == "confirm"):
        return "confirmed"
    return "added" if method == ANALYST else "declared" if method == DECLARED else "inferred"


def _current(store, team, chain: str, eid: int, code: str) -> tuple[str | None, dict | None]:
    """What the enterprise has on the node now (``_state``) and the latest decision on it."""
    row = store.con.execute("SELECT method FROM placements WHERE enterprise_id = ? AND chain = ? AND node_code = ? LIMIT 1",
                            [eid, chain, code]).fetchone()
    last = next((r for r in _latest(team, chain, [eid]) if r["node_code"] == code), None)
    return _state(None if row is None else row[0] or "", last["action"] if last else None), last


_STATE = {"confirmed": ("已确认", "confirmed"), "added": ("分析师已新增", "added by an analyst"),
          "declared": ("已声明", "declared by an import"), "inferred": ("推断", "inferred")}


def _refuse_no_change(name: str, code: str, action: str, state: str | None, last: dict | None) -> None:
    """One decision per enterprise and node: a decision that would change nothing is refused in words that say
    what stands (the earlier decisions stay in the audit history; the latest one is what the placement shows)."""
    ref = f"，#{last['id']}" if last else ""
    if action == "add" and state is not None:
        zh, en = _STATE[state]
        hint_zh = "；要认可这条归类，请确认它" if state == "inferred" else ""
        hint_en = "; confirm it to endorse it" if state == "inferred" else ""
        raise _field(UserError(f"{name} 已在节点 {code} 上（{zh}{ref}），无需新增{hint_zh}",
                               f"{name} is already on node {code} ({en}{ref.replace('，', ', ')}); nothing to add{hint_en}", text=code), "node")
    if action == "confirm" and state in ("confirmed", "added"):
        zh, en = _STATE[state]
        raise _field(UserError(f"{name} 在节点 {code} 上的归类{zh}{ref.replace('，', '（') + '）' if ref else ''}，无需再确认",
                               f"{name} on node {code} is {en} already{' (#' + str(last['id']) + ')' if last else ''}; nothing to confirm", text=code), "node")
    if action in ("confirm", "remove") and state is None:
        verb_zh, verb_en = ("确认", "confirmed") if action == "confirm" else ("移除", "removed")
        if last is not None and last["action"] == "remove":
            raise _field(UserError(f"{name} 在节点 {code} 上的归类已移除（#{last['id']}）",
                                   f"{name} was already removed from node {code} (#{last['id']})", text=code), "node")
        raise _field(UserError(f"{name} 当前不在节点 {code} 上，不能{verb_zh}", f"{name} is not on node {code} now and cannot be {verb_en}",
                               text=code), "node")


def record(store, team, enterprise: Any, node: str, action: str, reason: str, user: Any = None,
           taxonomy: Taxonomy | None = None) -> dict[str, Any]:
    """Store one analyst decision in the team state (and the audit log) and apply it to the placements. ``user``: the
    user of a page or the API, or the name the command line's ``--user`` gives (``audit.acting``)."""
    tax = taxonomy or load_taxonomy()
    if action not in ACTIONS:
        raise _field(UserError(f"未知的操作: {action}（{' | '.join(ACTIONS)}）", f"unknown action: {action} ({' | '.join(ACTIONS)})"), "action")
    reason = (reason or "").strip()
    if not reason:
        raise _field(UserError("理由必填（会记入审计记录）", "a reason is required (it goes into the audit log)"), "reason")
    if len(reason) > REASON_MAX:
        raise _field(UserError(f"理由最长 {REASON_MAX} 字（现为 {len(reason)} 字）",
                               f"the reason is at most {REASON_MAX} characters long (this one has {len(reason)})"), "reason")
    code = _node(tax, node, store)
    eid = resolve_enterprise(store, enterprise)
    uscc, name = store.con.execute("SELECT uscc, name FROM enterprises WHERE id = ?", [eid]).fetchone()
    state, last = _current(store, team, tax.chain, eid, code)
    _refuse_no_change(name, code, action, state, last)
    by, behalf = audit.acting(user)  # a --user of the command line: acted for by its operator, on the user's behalf
    actor = getattr(user, "name", None) or (user.strip() if isinstance(user, str) else "") or audit.cli_actor()
    row = {"enterprise_id": eid, "enterprise_uscc": uscc, "enterprise_name": name, "chain": tax.chain,
           "node_code": code, "action": action, "reason": reason, "user_name": actor, "decided_at": now()}
    with team.tx() as tx:
        row["id"] = int(tx.scalar(f"INSERT INTO placement_corrections ({', '.join(row)}) VALUES "
                                  f"({', '.join('?' for _ in row)}) RETURNING id", list(row.values())))
    audit.record(team, by, f"placement.{action}", f"{tax.chain}:{code}:{eid}",
                 {"enterprise": name, "node": code, "reason": row["reason"]} | behalf)
    apply(store, tax, [eid], team)
    _refresh_matrix(store, tax.chain, [eid])
    return {c: row[c] for c in CORR_COLS}


def _refresh_matrix(store, chain: str, ids) -> None:
    """The stored region matrix (``regions.stored``) follows the enterprises whose placements a decision or a
    declaration rewrote: a later import or incremental classification refreshes only what it wrote itself, and
    would otherwise stamp the matrix as current with these enterprises' nodes as they were before."""
    from ..regions import stored

    if stored.kept(store, chain):  # none stored: maps count from the base tables
        stored.refresh(store, chain, ids=ids)


def _under(placed: str, decided: str) -> str:
    """SQL: the placement ``placed`` is the decision ``decided``'s node or one of its sub-nodes (D01.3 under D01): a
    firm taken off a node is off its finer nodes too, and an add back brings them back with it."""
    return (f"({placed}.node_code = {decided}.node_code OR {placed}.node_code LIKE {decided}.node_code || '.%')")


def _latest(team, chain: str, enterprise_ids: list[int] | None = None) -> list[dict[str, Any]]:
    """The latest decision per (enterprise, node): later decisions overrule earlier ones."""
    sql = """SELECT * FROM placement_corrections c WHERE chain = ? AND id = (SELECT max(d.id) FROM placement_corrections d
             WHERE d.chain = c.chain AND d.enterprise_id = c.enterprise_id AND d.node_code = c.node_code)"""
    rows = _q(team, sql, [chain])
    if enterprise_ids is not None:
        ids = {int(i) for i in enterprise_ids}
        rows = [r for r in rows if int(r["enterprise_id"]) in ids]
    return rows


def _shown(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Decisions with the time each was made as it is shown (``reading.decided_text``: 2026-12-07 16:49:35 (UTC+8)),
    for the note of the row a placement rests on; the stored time (UTC, microseconds) stays ``decided_at``."""
    from .reading import decided_text

    return [{**r, "decided_shown": decided_text(r.get("decided_at"))} for r in rows]


def _q(team, sql: str, params: list) -> list[dict[str, Any]]:
    with team.tx() as tx:
        return tx.query(sql, params)


def apply(store, taxonomy: Taxonomy | None = None, enterprise_ids: list[int] | None = None, team=None) -> int:
    """Re-apply declared placements and the latest analyst decisions onto ``placements``; rows touched.

    Called by ``classify`` after it writes inferred placements: a removed placement stays removed, an added or
    declared one is present (method ``analyst`` / ``declared``, confidence 1), a confirmed one keeps its
    inferred evidence and is marked confirmed. Without a team state (a throw-away evaluation store) only
    declared placements apply: the evaluation measures the rules, not the analysts.
    """
    import pyarrow as pa

    tax = taxonomy or load_taxonomy()
    ensure(store)
    con = store.con
    scope, params = "", [tax.chain]
    if enterprise_ids is not None:
        ids = sorted({int(i) for i in enterprise_ids}) or [-1]
        scope = f" AND enterprise_id IN ({', '.join(str(i) for i in ids)})"
    corr = _shown(_latest(team, tax.chain, enterprise_ids) if team is not None else [])
    cols = [*CORR_COLS, "decided_shown"]
    con.register("zs_corr_view", pa.Table.from_pylist(corr, schema=pa.schema(
        [(c, pa.int64() if c in ("id", "enterprise_id") else pa.string()) for c in cols])) if corr else
        pa.table({c: pa.array([], pa.int64() if c in ("id", "enterprise_id") else pa.string()) for c in cols}))
    con.execute("CREATE OR REPLACE TEMP TABLE zs_corr AS SELECT * REPLACE (CAST(decided_at AS TIMESTAMP) AS decided_at) "
                "FROM zs_corr_view")
    con.unregister("zs_corr_view")
    n = 0
    _d = dialect.current()
    with store.transaction() as tx:
        # declared labels: present unless an analyst removed them
        tx.execute(f"""INSERT INTO placements (enterprise_id, chain, node_code, confidence, evidence, method, classified_at)
            SELECT d.enterprise_id, d.chain, d.node_code, 1.0, {_DECLARED_EXPLAINED}, '{DECLARED}', d.declared_at
            FROM (SELECT * FROM declared_placements WHERE chain = ?{scope}
                  QUALIFY row_number() OVER (PARTITION BY enterprise_id, node_code ORDER BY declared_at DESC) = 1) d
            WHERE NOT EXISTS (SELECT 1 FROM placements p WHERE p.enterprise_id = d.enterprise_id AND p.chain = d.chain
                              AND p.node_code = d.node_code)""", params)
        # removals: an inferred placement is kept aside as the rules made it (without an earlier decision's mark),
        # so that an add of the node later restores it with its evidence, as the next classification would
        tx.execute(f"""DELETE FROM removed_placements r USING zs_corr c, placements p
            WHERE c.action = 'remove' AND r.enterprise_id = c.enterprise_id AND r.chain = c.chain
              AND {_under('r', 'c')} AND p.enterprise_id = r.enterprise_id AND p.chain = r.chain
              AND p.node_code = r.node_code AND p.method NOT IN ('{ANALYST}', '{DECLARED}', '{DECLARED}+confirmed')""")
        tx.execute(f"""INSERT INTO removed_placements
            SELECT p.enterprise_id, p.chain, p.node_code, p.confidence,
                   CASE WHEN p.method LIKE '%+confirmed' THEN json_merge_patch(p.evidence, json_object(
                       'parts', to_json({_d.list_filter("CAST(json_extract(p.evidence, '$.parts') AS JSON[])", "x",
                                                                f"coalesce(json_extract_string(x, '$.signal'), '') NOT IN ({_ACTIONS_SQL})")}),
                       'evidence', to_json({_d.list_filter("CAST(json_extract(p.evidence, '$.evidence') AS JSON[])", "x",
                                                                   "coalesce(json_extract_string(x, '$.table'), '') <> 'placement_corrections'")})))
                        ELSE p.evidence END,
                   replace(p.method, '+confirmed', ''), p.classified_at
            FROM placements p
            WHERE p.method NOT IN ('{ANALYST}', '{DECLARED}', '{DECLARED}+confirmed')
              AND EXISTS (SELECT 1 FROM zs_corr c WHERE c.action = 'remove' AND p.enterprise_id = c.enterprise_id
                          AND p.chain = c.chain AND {_under('p', 'c')})""")
        n += tx.execute(f"""DELETE FROM placements p USING zs_corr c
            WHERE c.action = 'remove' AND p.enterprise_id = c.enterprise_id AND p.chain = c.chain
              AND {_under('p', 'c')}""").fetchone()[0]
        # an add (or confirmation) of a node the rules placed before an analyst removed it: the rules' placement back,
        # read below as confirmed — the same method, confidence, evidence and count the next classification gives
        # (the node's own sub-nodes with it, but not one an analyst removed on its own)
        tx.execute(f"""INSERT INTO placements SELECT r.* FROM removed_placements r
            WHERE EXISTS (SELECT 1 FROM zs_corr c WHERE c.action IN ('add', 'confirm') AND r.enterprise_id = c.enterprise_id
                          AND r.chain = c.chain AND {_under('r', 'c')})
              AND NOT EXISTS (SELECT 1 FROM placements p WHERE p.enterprise_id = r.enterprise_id AND p.chain = r.chain
                              AND p.node_code = r.node_code)
              AND NOT EXISTS (SELECT 1 FROM zs_corr x WHERE x.action = 'remove' AND x.enterprise_id = r.enterprise_id
                              AND x.chain = r.chain AND x.node_code = r.node_code)""")
        tx.execute(f"""DELETE FROM removed_placements r USING zs_corr c
            WHERE c.action IN ('add', 'confirm') AND r.enterprise_id = c.enterprise_id AND r.chain = c.chain
              AND {_under('r', 'c')} AND NOT EXISTS (SELECT 1 FROM zs_corr x WHERE x.action = 'remove'
                  AND x.enterprise_id = r.enterprise_id AND x.chain = r.chain AND x.node_code = r.node_code)""")
        # additions (and confirmations of a placement the rules no longer make)
        n += tx.execute(f"""INSERT INTO placements (enterprise_id, chain, node_code, confidence, evidence, method, classified_at)
            SELECT c.enterprise_id, c.chain, c.node_code, 1.0,
                   json_object('value', c.node_code, 'method', '{ANALYST}', 'version', '1',
                               'params', json_object('action', c.action), 'params_hash', NULL,
                               'parts', json_array({_DECISION_PART}), 'evidence', json_array({_DECISION_REF}),
                               'confidence', 1.0, 'as_of', NULL, 'formula', NULL),
                   '{ANALYST}', c.decided_at
            FROM zs_corr c
            WHERE c.action IN ('add', 'confirm') AND c.enterprise_id IN (SELECT id FROM enterprises)
              AND NOT EXISTS (SELECT 1 FROM placements p WHERE p.enterprise_id = c.enterprise_id AND p.chain = c.chain
                              AND p.node_code = c.node_code)""").fetchone()[0]
        # confirmations of an inferred (or declared) placement: keep its evidence, record the decision beside it; an
        # add of a node the rules place it on anyway is read the same way, so that the decision still shows after
        # a classification (``record`` refuses such an add now; older ones stay in the team state)
        n += tx.execute(f"""UPDATE placements SET method = placements.method || '+confirmed',
                   evidence = json_merge_patch(placements.evidence, json_object(
                       'parts', to_json(list_append(CAST(coalesce(json_extract(placements.evidence, '$.parts'), '[]') AS JSON[]),
                                                    {_DECISION_PART})),
                       'evidence', to_json(list_append(CAST(coalesce(json_extract(placements.evidence, '$.evidence'), '[]') AS JSON[]),
                                                       {_DECISION_REF}))))
            FROM zs_corr c
            WHERE c.action IN ('confirm', 'add') AND placements.enterprise_id = c.enterprise_id AND placements.chain = c.chain
              AND placements.node_code = c.node_code AND placements.method NOT LIKE '%confirmed'
              AND placements.method <> '{ANALYST}'""").fetchone()[0]
    con.execute("DROP TABLE IF EXISTS zs_corr")
    return int(n)


def list_corrections(team, chain: str | None = None, node: str | None = None, enterprise_id: int | None = None,
                     latest_only: bool = False, store=None) -> list[dict[str, Any]]:
    """The analyst decisions (newest first), optionally for one node or enterprise; with ``store`` the node is
    read by the one node lookup (m06 is M06; an unknown one is refused with the nodes meant)."""
    chain = chain or load_taxonomy().chain
    if node and store is not None:
        from ..regions.nodes import chain_node

        node = chain_node(store, chain, node)
    rows = _latest(team, chain) if latest_only else _q(team, "SELECT * FROM placement_corrections WHERE chain = ?", [chain])
    rows = [r for r in rows if (not node or r["node_code"] == node)
            and (enterprise_id is None or int(r["enterprise_id"]) == int(enterprise_id))]
    return sorted(rows, key=lambda r: int(r["id"]), reverse=True)


_COUNTED = {"confirm": "confirmed", "remove": "removed", "add": "added"}


def counts(store, team, chain: str | None = None) -> list[dict[str, Any]]:
    """Per node: the placements analysts decided on, each (enterprise, node) counted once, as what it is now —
    the state the profile shows and the refusals name (``_state``): ``confirmed``, ``added`` (held by an analyst's
    add alone) or ``removed`` (the latest decision removed it). An old add of a confirmed node that the rules
    place anyway is a confirmation, as the placement shows it; a decision not applied to any placement (its
    enterprise no longer in the database) counts by its action."""
    chain = chain or load_taxonomy().chain
    latest = _latest(team, chain)
    ids = sorted({int(r["enterprise_id"]) for r in latest})
    scope = ", ".join(str(i) for i in ids) or "NULL"
    methods = {(int(e), n): m or "" for e, n, m in store.con.execute(
        f"SELECT enterprise_id, node_code, method FROM placements WHERE chain = ? AND enterprise_id IN ({scope})",
        [chain]).fetchall()}
    per: dict[str, dict[str, Any]] = {}
    for r in latest:
        c = per.setdefault(r["node_code"], {"node": r["node_code"], "confirmed": 0, "removed": 0, "added": 0, "corrected": 0})
        now = _state(methods.get((int(r["enterprise_id"]), r["node_code"])), r["action"])
        c[now if r["action"] != "remove" and now in ("confirmed", "added") else _COUNTED[r["action"]]] += 1
        c["corrected"] += 1
    return sorted(per.values(), key=lambda c: (-c["corrected"], c["node"]))


def declare_from_label_map(store, source: str, label_map: str | Path, taxonomy: Taxonomy | None = None,
                           field: str = "industry", team=None) -> dict[str, Any]:
    """Declared placements from a column an import carried (e.g. IT桔子 sub_industry), mapped to nodes by a
    label-map YAML (``labels: {label: [nodes]}``). Replaces this source's declarations; returns counts."""
    tax = taxonomy or load_taxonomy()
    doc = ConfigFile.read(label_map, "标签映射文件", "label map file").doc
    labels = {str(k): [_node(tax, c, store) for c in v] for k, v in (doc.get("labels") or {}).items()}
    if doc.get("chain") and doc["chain"] != tax.chain:
        raise UserError(f"标签映射属于产业链 {doc['chain']}，而分类体系是 {tax.chain}", f"the label map is for chain {doc['chain']}, the taxonomy is {tax.chain}")
    ensure(store)
    recs = store.con.execute(f"""SELECT r.enterprise_id, r.source_key, {record_value_sql(field)} AS label
        FROM enterprise_records r LEFT JOIN enterprises e ON e.id = r.enterprise_id WHERE r.source = ?""",
                             [source]).fetchall()
    if not recs:
        raise UserError(f"没有来源为 {source} 的企业记录（先导入，再声明）", f"no enterprise records from source {source} (import first, then declare)")
    before = [r[0] for r in store.con.execute(
        "SELECT DISTINCT enterprise_id FROM declared_placements WHERE chain = ? AND source = ?", [tax.chain, source]).fetchall()]
    now = _dt.datetime.now().replace(microsecond=0)
    rows = [(eid, tax.chain, code, source, key, lab, now) for eid, key, lab in recs for code in labels.get(lab or "", [])]
    with store.transaction() as tx:
        tx.execute("DELETE FROM declared_placements WHERE chain = ? AND source = ?", [tax.chain, source])
        tx.execute("DELETE FROM placements WHERE chain = ? AND method = ? AND json_extract_string(evidence, '$.params.source') = ?",
                   [tax.chain, DECLARED, source])
        if rows:
            tx.executemany("INSERT INTO declared_placements VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    apply(store, tax, None, team)
    _refresh_matrix(store, tax.chain, {r[0] for r in recs if r[0] is not None} | set(before))
    unmapped = sorted({lab for _, _, lab in recs if lab and lab not in labels})
    return {"source": source, "records": len(recs), "declared": len(rows),
            "enterprises": len({r[0] for r in rows}), "unmapped_labels": unmapped}

