"""Landing tracking (落地跟踪): after 已签约, does a local entity appear in later imported data?

A signed lead lands when the analytical database shows, dated on or after the signing day, one of: a branch or
subsidiary of the enterprise located in the lead's region (``branches``, its own codes or its child
enterprise's), an enterprise in the region in which it took a stake (``shareholdings``), or its registered
region moving into the lead's region (``enterprise_history``). An entity is dated as a landing typed by hand is
checked: not before the signing, not before the enterprise's founding, not after China's today; one dated otherwise
(a registry's typo) is no landing, and the next entity that passes, if any, is. One set-based query over all signed
leads; the team state is only read for the leads and written for the landings found.
"""

from __future__ import annotations

import datetime as _dt
import statistics
from typing import Any

from ...core.parse.dates import china_day_sql, china_today
from . import leads as L

_LEVEL_COL = "CASE s.region_level WHEN 'province' THEN {a}province_code WHEN 'city' THEN {a}city_code ELSE {a}district_code END"

DETECT_SQL = f"""
WITH s AS (SELECT lead_id, enterprise_id, region_code, region_level, CAST(signed_on AS DATE) AS signed_on FROM zs_signed),
found AS (
    SELECT s.lead_id, b.kind AS kind, coalesce(b.child_name, c.name) AS entity,
           coalesce(b.date, {china_day_sql("i.finished_at")}) AS on_date, 'branches' AS tbl, b.id AS ref_id
    FROM s JOIN branches b ON b.parent_id = s.enterprise_id AND b.kind IN ('branch', 'subsidiary')
    LEFT JOIN enterprises c ON c.id = b.child_id LEFT JOIN imports i ON i.id = b.import_id
    WHERE coalesce({_LEVEL_COL.format(a='b.')}, {_LEVEL_COL.format(a='c.')}) = s.region_code
      AND coalesce(b.date, {china_day_sql("i.finished_at")}) >= s.signed_on
    UNION ALL
    SELECT s.lead_id, 'investment', c.name, coalesce(sh.start_date, c.founded), 'shareholdings', sh.id
    FROM s JOIN shareholdings sh ON sh.holder_enterprise_id = s.enterprise_id JOIN enterprises c ON c.id = sh.enterprise_id
    WHERE {_LEVEL_COL.format(a='c.')} = s.region_code AND coalesce(sh.start_date, c.founded) >= s.signed_on
    UNION ALL
    SELECT s.lead_id, 'moved', e.name, h.changed_on, 'enterprise_history', h.enterprise_id
    FROM s JOIN enterprise_history h ON h.enterprise_id = s.enterprise_id AND h.field = s.region_level || '_code'
         AND h.new_value = s.region_code AND h.changed_on >= s.signed_on
    JOIN enterprises e ON e.id = s.enterprise_id
)
SELECT f.lead_id, f.kind, f.entity, f.on_date, f.tbl, f.ref_id
FROM found f JOIN s ON s.lead_id = f.lead_id LEFT JOIN enterprises e ON e.id = s.enterprise_id
WHERE f.on_date IS NOT NULL AND (e.founded IS NULL OR f.on_date >= e.founded) AND f.on_date <= CAST(? AS DATE)
QUALIFY row_number() OVER (PARTITION BY f.lead_id ORDER BY f.on_date, f.kind, f.ref_id) = 1
ORDER BY f.lead_id
"""

KIND_ZH = {"branch": "分支机构", "subsidiary": "子公司", "investment": "对外投资", "moved": "注册地迁入"}


def detect(store, team) -> list[dict]:
    """Signed leads with a local entity in the analytical data: the first such entity per lead."""
    import pyarrow as pa

    signed = [r for r in L.list_leads(team, status="signed") if r["signed_on"]]
    if not signed:
        return []
    with team.tx() as tx:
        levels = {r["id"]: r["region_level"] for r in tx.query("SELECT id, region_level FROM pipeline_leads WHERE status = 'signed'")}
    tbl = pa.table({"lead_id": [r["id"] for r in signed], "enterprise_id": [r["enterprise_id"] for r in signed],
                    "region_code": [r["region_code"] for r in signed],
                    "region_level": [levels.get(r["id"], "district") for r in signed],
                    "signed_on": [r["signed_on"] for r in signed]})
    con = store.con.cursor()
    try:
        con.register("zs_signed", tbl)
        rows = con.execute(DETECT_SQL, [china_today()]).fetchall()
    finally:
        con.close()
    by_id = {r["id"]: r for r in signed}
    return [{"lead_id": lid, "enterprise_name": by_id[lid]["enterprise_name"], "region_code": by_id[lid]["region_code"],
             "region_name": by_id[lid]["region_name"],
             "signed_on": by_id[lid]["signed_on"], "kind": kind, "kind_label": KIND_ZH.get(kind, kind), "entity": entity,
             "landed_on": on.isoformat(), "evidence": {"table": t, "id": ref}}
            for lid, kind, entity, on, t, ref in rows]


def track(store, team, user: Any = None) -> list[dict]:
    """Detect landings and move those leads to 已落地 (dated by the entity, evidence kept, one history row each)."""
    found = detect(store, team)
    for f in found:
        L.update(team, f["lead_id"], user=user or "system:landing", status="landed", on=f["landed_on"], store=store,
                 landing={k: f[k] for k in ("kind", "entity", "landed_on", "evidence")},
                 note=f"落地：{f['kind_label']} {f['entity']}（{f['landed_on']}）")
    return found


def stats(team, by: str = "owner") -> list[dict]:
    """落地率 and time to land per owner, segment or source, over the leads that were signed."""
    if by not in ("owner", "segment", "source"):
        from ...core.errors import UserError

        raise UserError(f"无法按 {by} 统计（owner | segment | source）", f"cannot count by {by} (owner | segment | source)")
    groups: dict[Any, dict] = {}
    for r in L.list_leads(team):
        if not r["signed_on"]:
            continue
        g = groups.setdefault(r[by], {by: r[by], "signed": 0, "landed": 0, "days": []})
        g["signed"] += 1
        if r["status"] == "landed" and r["landed_on"]:
            g["landed"] += 1
            g["days"].append((_dt.date.fromisoformat(r["landed_on"][:10]) - _dt.date.fromisoformat(r["signed_on"][:10])).days)
    out = []
    for g in groups.values():
        days = g.pop("days")
        g["landing_rate"] = round(g["landed"] / g["signed"], 4)
        g["mean_days_to_land"] = round(statistics.fmean(days), 1) if days else None
        g["median_days_to_land"] = statistics.median(days) if days else None
        out.append(g)
    return sorted(out, key=lambda g: (-g["signed"], str(g[by])))
