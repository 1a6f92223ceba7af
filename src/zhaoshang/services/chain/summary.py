"""Counts of a chain's current placements (per stage, per node, placed and unplaced), as a classification run
reports them; counted in SQL, so millions of placements never pass through Python."""

from __future__ import annotations

from typing import Any

from ...core.asof import as_of_date, lives_on
from .taxonomy import Taxonomy, load_taxonomy


def summarize(store, taxonomy: Taxonomy | None = None, as_of=None,
              enterprise_ids: list[int] | None = None, *, method: str) -> dict[str, Any]:
    """Counts of the chain's current placements: per stage, per node, placed and unplaced enterprises
    (``method`` names the classification that wrote them; given by the caller so this module needs no other)."""
    tax = taxonomy or load_taxonomy()
    con = store.con
    scope = "TRUE"
    params: list[Any] = []
    if enterprise_ids is not None:
        scope = "e.id IN (SELECT id FROM zs_req)"
    as_of = as_of_date(as_of)
    if as_of is not None:
        scope += f" AND {lives_on(as_of)}"
    total = con.execute(f"SELECT count(*) FROM enterprises e WHERE {scope}", params).fetchone()[0]
    pl = f"SELECT p.* FROM placements p JOIN enterprises e ON e.id = p.enterprise_id WHERE p.chain = ? AND {scope}"
    counts = {r[0]: (r[1], r[2]) for r in con.execute(
        f"SELECT node_code, count(DISTINCT enterprise_id), avg(confidence) FROM ({pl}) GROUP BY node_code",
        [tax.chain] + params).fetchall()}
    placed, n_rows = con.execute(f"SELECT count(DISTINCT enterprise_id), count(*) FROM ({pl})",
                                 [tax.chain] + params).fetchall()[0]
    # enterprises per stage counted in SQL (millions of placements never pass through Python)
    pairs = [(n.code, n.stage_code) for n in tax.nodes.values()] or [("", "")]
    stage_of = "(VALUES " + ", ".join(["(?, ?)"] * len(pairs)) + ") AS s(node, stage)"
    per_stage = dict(con.execute(f"""SELECT s.stage, count(DISTINCT p.enterprise_id) FROM ({pl}) p
        JOIN {stage_of} ON s.node = p.node_code GROUP BY s.stage""",
        [tax.chain] + params + [v for pair in pairs for v in pair]).fetchall())
    by_stage = [{"stage": s.code, "name_zh": s.name_zh, "name_en": s.name_en, "enterprises": int(per_stage.get(s.code, 0))}
                for s in tax.stages()]
    by_node = [{"code": n.code, "level": n.level, "stage": n.stage_code, "name_zh": n.name_zh, "name_en": n.name_en,
                "enterprises": counts.get(n.code, (0, None))[0],
                "avg_confidence": round(counts[n.code][1], 3) if n.code in counts else None}
               for n in tax.nodes.values() if n.level > 1]
    return {"chain": tax.chain, "taxonomy": tax.path, "method": method,
            "as_of": as_of.isoformat() if as_of else None, "enterprises": int(total), "placed": int(placed),
            "unplaced": int(total - placed), "placements": int(n_rows), "by_stage": by_stage, "by_node": by_node}
