"""What a server's first views need once per process and data generation, made before they are asked.

The first 地区画像 page builds the relationship graph on the reference date (its leads' reachability), the first
招商线索 list does the same, and the first scenario match loads jieba's dictionary and the match indexes; each
is seconds of work that a server otherwise does inside the first request after it starts (or after an update
publishes a new generation). ``prepare`` does it ahead, on a store of that generation: the same functions and
caches the requests use (``graph_for`` waits for a build in progress instead of making a second), so every
answer is the one the request would have computed. A match index missing on disk (a fresh demo) is built ahead
on a database of up to ``BUILD_MAX`` enterprises; on a larger one it is left to the first match, which would take
as long (minutes: jieba on every profile); a match asked while it is built waits for that build.

The graph is built ahead only when the database holds relationship records (roles, holdings, rounds' investors,
branches, patents' applicants and inventors, contacts), and no more than ``GRAPH_MAX`` of them: a national register
of registrations alone has none to build from, and a graph costs ≈ 20 µs of a core and 1.5–1.8 KB per record
(377,008 records: 7–9 s and 550–670 MB; a national register's tens of millions: minutes and tens of GB), which the
server would otherwise spend at every start (and at every new generation) whether or not a region or lead page is
ever opened; there the first request that needs it builds it (once: a second one waits
for that build). docs/benchmarks.md, "What the server prepares at its start"."""

from __future__ import annotations

import time

BUILD_MAX = 50_000  # enterprises: a missing match index is built ahead up to this size (≈ 570 profiles/s)
GRAPH_MAX = 500_000  # relationship records: the graph is built ahead up to this many (≈ 20 µs of CPU and 1.5–1.8 KB each)


def graph_records(store) -> int:
    """How many relationship records the graph would be built from (a count per table: no scan)."""
    from .graph.edges import RECORD_TABLES

    return int(store.con.execute("SELECT " + " + ".join(f"(SELECT count(*) FROM {t})" for t in RECORD_TABLES))
               .fetchall()[0][0])


def prepare(store, team=None) -> dict:
    """Warm the per-process caches for ``store``'s generation; seconds spent on each part. ``team``: the server's
    team state, whose person decisions the pages' graph follows (the graph is kept under them: one built without
    them would be a graph no page asks for)."""
    out = {}
    t = time.perf_counter()
    records = graph_records(store)
    if 0 < records <= GRAPH_MAX:
        from .graph.build import graph_for

        graph_for(store, team=team)
        out["graph"] = round(time.perf_counter() - t, 2)
    else:  # nothing to build from, or too large to build at every start: the first request that needs it does
        out["graph"] = f"left to the first request ({records} relationship records)"
    t = time.perf_counter()
    quiet = getattr(store, "quiet", None) or (lambda: None)  # the server's: give way to requests running now
    quiet()
    from ..core.text import search_tokens
    from .matching.index import get_index

    search_tokens("人工智能")  # jieba's dictionary and the domain words
    n = store.con.execute("SELECT count(*) FROM enterprises").fetchone()[0]
    for kind in ("enterprises", "demands"):  # built when missing on a database of up to BUILD_MAX enterprises
        get_index(store, kind, build_missing=kind == "demands" or n <= BUILD_MAX)
    out["match"] = round(time.perf_counter() - t, 2)
    return out
