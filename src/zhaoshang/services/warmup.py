"""What a server's first views need once per process and data generation, made before they are asked.

The first 地区画像 page builds the relationship graph on the reference date (its leads' reachability), the first
招商线索 list does the same, and the first scenario match loads jieba's dictionary and the match indexes; each
is seconds of work that a server otherwise does inside the first request after it starts (or after an update
publishes a new generation). ``prepare`` does it ahead, on a store of that generation: the same functions and
caches the requests use (``graph_for`` waits for a build in progress instead of making a second), so every
answer is the one the request would have computed. A match index missing on disk (a fresh demo) is built ahead
on a database of up to ``BUILD_MAX`` enterprises; on a larger one it is left to the first match, which would take
as long (minutes: jieba on every profile); a match asked while it is built waits for that build."""

from __future__ import annotations

import time

BUILD_MAX = 50_000  # enterprises: a missing match index is built ahead up to this size (≈ 570 profiles/s)


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
    n = store.con.execute("SELECT count(*) FROM enterprises").fetchone()[0]
    for kind in ("enterprises", "demands"):  # built when missing on a database of up to BUILD_MAX enterprises
        get_index(store, kind, build_missing=kind == "demands" or n <= BUILD_MAX)
    out["match"] = round(time.perf_counter() - t, 2)
    return out
