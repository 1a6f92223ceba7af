"""Analyst decisions on chain placements (confirm, remove, add) and declared placements of imports.

Both are stored apart from the imported data and from the inferred placements, like a matcher's human
judgements: ``placement_corrections`` (who, when, why — an append-only audit, the latest decision per
enterprise and node wins) and ``declared_placements`` (node labels an import carried, with their source).
``apply`` re-applies them after every classification, so they survive ``classify`` and re-imports
(enterprise ids are kept by the importers' linking). Placements they produce carry their own ``method``
(``analyst``, ``declared``) so that pages and exports show them apart from inferred ones.

All storage of these decisions goes through this module, so it can move to the team-state store in one place.
"""

from __future__ import annotations

import datetime as _dt
import getpass
from pathlib import Path
from typing import Any

import yaml

from ...core.errors import UserError
from ..enterprises import resolve_enterprise
from .taxonomy import Taxonomy, load_taxonomy

ACTIONS = ("confirm", "remove", "add")
ANALYST = "analyst"
DECLARED = "declared"

DDL = """
CREATE TABLE IF NOT EXISTS placement_corrections (
    id BIGINT NOT NULL,
    enterprise_id BIGINT NOT NULL,
    enterprise_uscc VARCHAR,
    enterprise_name VARCHAR,
    chain VARCHAR NOT NULL,
    node_code VARCHAR NOT NULL,
    action VARCHAR NOT NULL,          -- confirm | remove | add
    reason VARCHAR NOT NULL,
    user_name VARCHAR NOT NULL,
    decided_at TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS declared_placements (
    enterprise_id BIGINT NOT NULL,
    chain VARCHAR NOT NULL,
    node_code VARCHAR NOT NULL,
    source VARCHAR NOT NULL,          -- the import source that carried the label
    source_key VARCHAR,
    label VARCHAR,                    -- the label as the source wrote it
    declared_at TIMESTAMP NOT NULL
);
"""


def ensure(store) -> None:
    store.con.execute(DDL)


def _node(tax: Taxonomy, code: str) -> str:
    c = str(code).strip()
    if c not in tax.nodes or tax.nodes[c].level < 2:
        raise UserError(f"产业链 {tax.chain} 没有节点 {c}（应为第 2、3 层节点编码，例如 M06）")
    return c


def record(store, enterprise: Any, node: str, action: str, reason: str, user: str | None = None,
           taxonomy: Taxonomy | None = None) -> dict[str, Any]:
    """Store one analyst decision and apply it to the current placements at once."""
    tax = taxonomy or load_taxonomy()
    if action not in ACTIONS:
        raise UserError(f"未知的操作: {action}（{' | '.join(ACTIONS)}）")
    if not (reason or "").strip():
        raise UserError("请用 --reason 说明理由（会记入审计记录）")
    code = _node(tax, node)
    eid = resolve_enterprise(store, enterprise)
    ensure(store)
    con = store.con
    uscc, name = con.execute("SELECT uscc, name FROM enterprises WHERE id = ?", [eid]).fetchone()
    if action in ("confirm", "remove") and not con.execute(
            "SELECT 1 FROM placements WHERE enterprise_id = ? AND chain = ? AND node_code = ?", [eid, tax.chain, code]).fetchone():
        raise UserError(f"{name} 当前不在节点 {code} 上，不能{'确认' if action == 'confirm' else '移除'}（新增请用 add）")
    nid = con.execute("SELECT coalesce(max(id), 0) + 1 FROM placement_corrections").fetchone()[0]
    row = {"id": nid, "enterprise_id": eid, "enterprise_uscc": uscc, "enterprise_name": name, "chain": tax.chain,
           "node_code": code, "action": action, "reason": reason.strip(), "user_name": user or _user(),
           "decided_at": _dt.datetime.now().replace(microsecond=0)}
    with store.transaction() as tx:
        tx.execute("INSERT INTO placement_corrections VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", list(row.values()))
    apply(store, tax, [eid])
    row["decided_at"] = row["decided_at"].isoformat(sep=" ")
    return row


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 — no login name in some containers
        return "unknown"


def _latest_sql() -> str:
    """The latest decision per (enterprise, node): later decisions overrule earlier ones."""
    return """SELECT * FROM placement_corrections WHERE chain = ?
              QUALIFY row_number() OVER (PARTITION BY enterprise_id, node_code ORDER BY decided_at DESC, id DESC) = 1"""


def apply(store, taxonomy: Taxonomy | None = None, enterprise_ids: list[int] | None = None) -> int:
    """Re-apply declared placements and the latest analyst decisions onto ``placements``; rows touched.

    Called by ``classify`` after it writes inferred placements: a removed placement stays removed, an added or
    declared one is present (method ``analyst`` / ``declared``, confidence 1), a confirmed one keeps its
    inferred evidence and is marked confirmed.
    """
    tax = taxonomy or load_taxonomy()
    ensure(store)
    con = store.con
    scope = ""
    params: list[Any] = [tax.chain]
    if enterprise_ids is not None:
        ids = sorted({int(i) for i in enterprise_ids}) or [-1]
        scope = f" AND enterprise_id IN ({', '.join(str(i) for i in ids)})"
    latest = f"SELECT * FROM ({_latest_sql()}) WHERE TRUE{scope}"
    n = 0
    with store.transaction() as tx:
        # declared labels: present unless an analyst removed them
        tx.execute(f"""INSERT INTO placements (enterprise_id, chain, node_code, confidence, evidence, method, classified_at)
            SELECT d.enterprise_id, d.chain, d.node_code, 1.0,
                   to_json(struct_pack(declared := struct_pack(source := d.source, source_key := d.source_key, label := d.label))),
                   '{DECLARED}', d.declared_at
            FROM (SELECT * FROM declared_placements WHERE chain = ?{scope}
                  QUALIFY row_number() OVER (PARTITION BY enterprise_id, node_code ORDER BY declared_at DESC) = 1) d
            WHERE NOT EXISTS (SELECT 1 FROM placements p WHERE p.enterprise_id = d.enterprise_id AND p.chain = d.chain
                              AND p.node_code = d.node_code)""", params)
        # removals
        n += tx.execute(f"""DELETE FROM placements p USING ({latest}) c
            WHERE c.action = 'remove' AND p.enterprise_id = c.enterprise_id AND p.chain = c.chain
              AND p.node_code = c.node_code""", params).fetchone()[0]
        # additions (and confirmations of a placement the rules no longer make)
        n += tx.execute(f"""INSERT INTO placements (enterprise_id, chain, node_code, confidence, evidence, method, classified_at)
            SELECT c.enterprise_id, c.chain, c.node_code, 1.0,
                   to_json(struct_pack(correction := struct_pack(action := c.action, reason := c.reason,
                                                                 user := c.user_name, at := c.decided_at))),
                   '{ANALYST}', c.decided_at
            FROM ({latest}) c
            WHERE c.action IN ('add', 'confirm') AND c.enterprise_id IN (SELECT id FROM enterprises)
              AND NOT EXISTS (SELECT 1 FROM placements p WHERE p.enterprise_id = c.enterprise_id AND p.chain = c.chain
                              AND p.node_code = c.node_code)""", params).fetchone()[0]
        # confirmations of an inferred placement: keep its evidence, record the decision beside it
        n += tx.execute(f"""UPDATE placements SET method = placements.method || '+confirmed',
                   evidence = json_merge_patch(placements.evidence, to_json(struct_pack(correction := struct_pack(
                       action := c.action, reason := c.reason, user := c.user_name, at := c.decided_at))))
            FROM ({latest}) c
            WHERE c.action = 'confirm' AND placements.enterprise_id = c.enterprise_id AND placements.chain = c.chain
              AND placements.node_code = c.node_code AND placements.method NOT LIKE '%confirmed'
              AND placements.method <> '{ANALYST}'""",
                        params).fetchone()[0]
    return int(n)


def list_corrections(store, chain: str | None = None, node: str | None = None, enterprise: Any = None,
                     latest_only: bool = False) -> list[dict[str, Any]]:
    """The audit of analyst decisions (newest first), optionally for one node or enterprise."""
    ensure(store)
    chain = chain or load_taxonomy().chain
    base = _latest_sql() if latest_only else "SELECT * FROM placement_corrections WHERE chain = ?"
    where, params = ["TRUE"], [chain]
    if node:
        where.append("node_code = ?")
        params.append(node)
    if enterprise is not None:
        where.append("enterprise_id = ?")
        params.append(resolve_enterprise(store, enterprise))
    rows = store.query(f"SELECT * FROM ({base}) WHERE {' AND '.join(where)} ORDER BY decided_at DESC, id DESC", params)
    for r in rows:
        r["decided_at"] = str(r["decided_at"])
    return rows


def counts(store, chain: str | None = None) -> list[dict[str, Any]]:
    """Per node: how many placements analysts confirmed, removed and added (latest decision per pair)."""
    ensure(store)
    chain = chain or load_taxonomy().chain
    return store.query(f"""SELECT node_code AS node,
               count(*) FILTER (WHERE action = 'confirm') AS confirmed,
               count(*) FILTER (WHERE action = 'remove') AS removed,
               count(*) FILTER (WHERE action = 'add') AS added,
               count(*) AS corrected
        FROM ({_latest_sql()}) GROUP BY node_code ORDER BY corrected DESC, node_code""", [chain])


def declare_from_label_map(store, source: str, label_map: str | Path, taxonomy: Taxonomy | None = None,
                           field: str = "industry") -> dict[str, Any]:
    """Declared placements from a column an import carried (e.g. IT桔子 sub_industry), mapped to nodes by a
    label-map YAML (``labels: {label: [nodes]}``). Replaces this source's declarations; returns counts."""
    tax = taxonomy or load_taxonomy()
    p = Path(label_map)
    if not p.exists():
        raise UserError(f"标签映射文件不存在: {p}")
    doc = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    labels = {str(k): [_node(tax, c) for c in v] for k, v in (doc.get("labels") or {}).items()}
    if doc.get("chain") and doc["chain"] != tax.chain:
        raise UserError(f"标签映射属于产业链 {doc['chain']}，而分类体系是 {tax.chain}")
    ensure(store)
    recs = store.con.execute("""SELECT enterprise_id, source_key, json_extract_string(data, '$.' || ?) AS label
        FROM enterprise_records WHERE source = ?""", [field, source]).fetchall()
    if not recs:
        raise UserError(f"没有来源为 {source} 的企业记录（先导入，再声明）")
    now = _dt.datetime.now().replace(microsecond=0)
    rows = [(eid, tax.chain, code, source, key, lab, now) for eid, key, lab in recs for code in labels.get(lab or "", [])]
    with store.transaction() as tx:
        tx.execute("DELETE FROM declared_placements WHERE chain = ? AND source = ?", [tax.chain, source])
        tx.execute("DELETE FROM placements WHERE chain = ? AND method = ? AND json_extract_string(evidence, '$.declared.source') = ?",
                   [tax.chain, DECLARED, source])
        if rows:
            tx.executemany("INSERT INTO declared_placements VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    apply(store, tax)
    unmapped = sorted({lab for _, _, lab in recs if lab and lab not in labels})
    return {"source": source, "records": len(recs), "declared": len(rows),
            "enterprises": len({r[0] for r in rows}), "unmapped_labels": unmapped}

