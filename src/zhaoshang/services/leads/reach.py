"""Reachability of a lead from the region: the strength of the best relationship-graph path from the region's
side (its contacts, investors, enterprises and their people) to the enterprise's key persons
(``services.graph.reach.reach_strengths``). The graph walk is per enterprise, so it is measured for the leads that
can enter the list only (``mine._with_reach``, at most ``reach_max`` in data/leads.yaml; the others count it as 0);
without the graph service the signal is absent (it lowers the confidence, never the score)."""

from __future__ import annotations

import datetime as _dt
import importlib

from ...core.errors import UserError


def reachability(store, info: dict, ids: list[int], d: _dt.date, team=None) -> dict[int, tuple[float, object]] | None:
    """{enterprise id: (path strength, the path as an explained result or None)} for ``ids``; None when the
    relationship graph offers no path strength (service absent, or a macro-region it cannot start from). ``team``:
    the team's person decisions hold in the graph."""
    try:
        graph = importlib.import_module(f"{__package__.rsplit('.', 1)[0]}.graph.reach")
    except ImportError:
        return None
    fn = getattr(graph, "reach_strengths", None)
    if not callable(fn) or not ids or info.get("level") == "macro":
        return None
    try:  # the first leads only: the region's side found once, a graph walk for each lead that may have a path
        got = fn(store, ids, info["code"], as_of=d, team=team)
    except UserError:  # a region the graph cannot start from: no path for any
        got = {}
    return {eid: (float(x.value) if x is not None else 0.0, x) for eid in ids for x in [got.get(eid)]}
