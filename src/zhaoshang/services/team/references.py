"""Team-state rows that name an enterprise of the analytical database: whether they still name the same one.

Pipeline leads and live monitor events live in the team state and keep the enterprise's id with its name and
credit code (``core/teamstate/tables.py``); the database can be replaced under them — ``zhaoshang demo`` rebuilt
with another ``--scale`` or ``--seed`` numbers other fictional enterprises with the same ids. ``mismatched``
lists the rows whose id now names another enterprise (another credit code where both are known, else another
name) or none, so that the command that replaced the data can say so instead of letting a lead or a live event
speak of an enterprise it was never about."""

from __future__ import annotations

TABLES = {"pipeline_leads": ("招商项目线索", "pipeline leads"), "monitor_events": ("实时事件", "live events")}


def mismatched(store, team) -> dict[str, list[dict]]:
    """{table: [{id, enterprise_id, enterprise_name, now}]} for the rows of ``TABLES`` whose enterprise id names
    another enterprise in ``store`` (``now``: its name) or none (``now`` None)."""
    out: dict[str, list[dict]] = {}
    with team.tx() as tx:
        have = set(tx.tables())
        rows = {t: tx.query(f"SELECT id, enterprise_id, enterprise_name, enterprise_uscc FROM {t} ORDER BY id")
                for t in TABLES if t in have}
    ids = sorted({int(r["enterprise_id"]) for rs in rows.values() for r in rs})
    current = {int(i): (n, u) for i, n, u in store.con.execute(
        "SELECT id, name, uscc FROM enterprises WHERE list_contains(?, id)", [ids]).fetchall()} if ids else {}
    for t, rs in rows.items():
        bad = []
        for r in rs:
            now = current.get(int(r["enterprise_id"]))
            if now is None:
                same = False
            elif r["enterprise_uscc"] and now[1]:
                same = r["enterprise_uscc"] == now[1]
            else:
                same = r["enterprise_name"] == now[0]
            if not same:
                bad.append({"id": r["id"], "enterprise_id": r["enterprise_id"], "enterprise_name": r["enterprise_name"],
                            "now": now[0] if now else None})
        if bad:
            out[t] = bad
    return out
