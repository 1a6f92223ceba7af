"""The segments a region should attract, as lead mining reads them: its gaps (补链: segments the region holds
weakly or not at all, from the region × chain matrix) and its recommended segments (the first ranked by the
differentiated path, ``services.recommend``). One truth: both come from those services, never recomputed."""

from __future__ import annotations

import datetime as _dt

from ...core.errors import NotFound, UserError
from .. import recommend as rec
from ..regions import matrix


def shown_order(segments: list[dict]) -> list[dict]:
    """The order the targets are shown in, on the leads page, in its JSON and wherever they are listed: the
    recommended segments by their rank (#1, #2 …), then the gaps that are not recommended, in the chain's order
    (upstream first), as the region × chain matrix lists them. Stable: segments of equal rank keep the chain's order."""
    return sorted(segments, key=lambda s: (0, s["rank"]) if s.get("recommended") and s.get("rank") is not None
                  else (1, 0))


def target_segments(store, info: dict, d: _dt.date, chain: str, *, recommended_top: int = 5,
                    node: str | None = None) -> dict:
    """``{"segments": [{code, name_zh, name_en, status, label, gap, recommended, rank, quadrant_zh, …}],
    "codes": {placement code → segment}, "notes": [(zh, en)]}``. With ``node`` the segments are that node's own
    subtree (at segment level, or the node itself when below it), whether or not the region should attract
    them: the fit signal then says so. The segments are in ``shown_order``: the recommended by rank, then the gaps."""
    notes: list[tuple[str, str]] = []
    cfg = rec.load_config()
    seg_level = int(cfg["segment_level"])
    tree = matrix.chain_tree(store, info["code"], as_of=d, chain=chain, top=0)
    flat = matrix.flatten_tree(tree["nodes"])
    segs = {n["code"]: n for n in flat if n.get("level") == seg_level}
    ranked: dict[str, dict] = {}
    try:
        doc = rec.recommend(store, info["code"], as_of=d, chain=chain, top=0)
        for r in doc["segments"]:
            ranked[r["node"]] = r
    except (NotFound, UserError) as exc:
        notes.append((f"推荐引进环节不可用（{exc}）：只按补链环节筛选",
                      f"recommended segments unavailable ({exc.in_lang('en')}): gaps only"))
    out = []
    for code, n in segs.items():
        r = ranked.get(code) or {}
        gap = n.get("status") in ("weak", "missing") and (n.get("national_count") or 0) > 0
        recommended = bool(r) and r.get("rank") is not None and r["rank"] <= recommended_top
        out.append({"code": code, "name_zh": n.get("name_zh"), "name_en": n.get("name_en"), "status": n.get("status"),
                    "label": n.get("label"), "count": n.get("count"), "lq": n.get("lq"), "gap": bool(gap),
                    "recommended": recommended, "rank": r.get("rank"), "quadrant_zh": r.get("quadrant_zh"),
                    "quadrant_en": r.get("quadrant_en")})
    node = matrix.chain_node(store, chain, node)  # the chain's own code: every segment
    if node:
        below = set(matrix.descendants(store, chain, node))
        chosen = [s for s in out if s["code"] in below]
        if not chosen:  # a node below the segment level: its own segment, restricted to the node's subtree
            anc = {a for c, a in matrix._closure_pairs(store, chain) if c == node}
            chosen = [s for s in out if s["code"] in anc]
        codes = {c: s["code"] for s in chosen for c in matrix.descendants(store, chain, s["code"]) if c in below or s["code"] in below}
    else:
        chosen = [s for s in out if s["gap"] or s["recommended"]]
        codes = {c: s["code"] for s in chosen for c in matrix.descendants(store, chain, s["code"])}
    return {"segments": shown_order(chosen), "codes": codes, "notes": notes, "segment_level": seg_level}
