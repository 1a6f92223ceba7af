"""Reachability of a lead from the region: the strength of the relationship-graph paths from the region's
side to the enterprise. It comes from the relationship graph (``services.graph``); while that service has no
path-strength function the signal is absent (it lowers the confidence, never the score)."""

from __future__ import annotations

import datetime as _dt
import importlib


def reachability(store, info: dict, ids: list[int], d: _dt.date) -> dict[int, float] | None:
    """{enterprise id: path strength in [0, 1]}, or None when the relationship graph offers none."""
    try:
        graph = importlib.import_module(f"{__package__.rsplit('.', 1)[0]}.graph")
    except ImportError:
        return None
    fn = getattr(graph, "region_path_strength", None)
    if not callable(fn) or not ids:
        return None
    return fn(store, info["code"], ids, as_of=d)
