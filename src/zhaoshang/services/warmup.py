"""What a server's first views need once per process and data generation, made before they are asked.

The first 地区画像 page builds the relationship graph on the reference date (its leads' reachability), the first
招商线索 list does the same, and the first scenario match loads jieba's dictionary and the match indexes; each
is seconds of work that a server otherwise does inside the first request after it starts (or after an update
publishes a new generation). ``prepare`` does it ahead, on a store of that generation: the same functions and
caches the requests use (``graph_for`` waits for a build in progress instead of making a second), so every
answer is the one the request would have computed. A match index missing on disk is left to the first match
(building it can take long on a large database)."""

from __future__ import annotations

import time


def prepare(store) -> dict:
    """Warm the per-process caches for ``store``'s generation; seconds spent on each part."""
    out = {}
    t = time.perf_counter()
    from .graph.build import graph_for

    graph_for(store)
    out["graph"] = round(time.perf_counter() - t, 2)
    t = time.perf_counter()
    from ..core.text import search_tokens
    from .matching.index import get_index

    search_tokens("人工智能")  # jieba's dictionary and the domain words
    for kind in ("enterprises", "demands"):
        get_index(store, kind, build_missing=False)
    out["match"] = round(time.perf_counter() - t, 2)
    return out
