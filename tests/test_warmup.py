"""A server prepares each data generation's first views in the background (services/warmup.py): the relationship
graph on the reference date is built once — a request asking while it is being built waits for that build instead
of making a second — and a request after the warm-up finds it ready."""

from __future__ import annotations

import threading
import time

from graph_fixture import build
from zhaoshang.core.store import Store
from zhaoshang.interfaces.web.served import ServedData
from zhaoshang.services.graph import build as graph_build


def _counting(monkeypatch, pause: float = 0.0) -> list:
    calls: list = []
    real = graph_build.build_graph

    def slow(*a, **k):
        calls.append(threading.current_thread().name)
        time.sleep(pause)
        return real(*a, **k)

    monkeypatch.setattr(graph_build, "build_graph", slow)
    graph_build._CACHE.clear()
    return calls


def test_a_graph_asked_for_while_it_is_built_is_built_once(tmp_path, monkeypatch):
    db = build(tmp_path / "g.duckdb")
    calls = _counting(monkeypatch, pause=0.5)
    stores = [Store(db, read_only=True) for _ in range(3)]
    got: list = []
    threads = [threading.Thread(target=lambda s=s: got.append(graph_build.graph_for(s))) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(calls) == 1 and len(got) == 3 and got[0] is got[1] is got[2]
    for s in stores:
        s.close()


def test_the_server_prepares_the_graph_before_the_first_request(tmp_path, monkeypatch):
    db = build(tmp_path / "g.duckdb")
    calls = _counting(monkeypatch)
    served = ServedData(str(db), warm=True)
    deadline = time.monotonic() + 60
    while 1 not in served.warmed and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "graph" in served.warmed[1], served.warmed
    assert calls == ["zhaoshang-warm-1"]
    gen = served.acquire()
    s = served.cursor_store(gen)
    try:
        g = graph_build.graph_for(s)  # what a request's leads would ask: the prepared graph, not a new build
        assert calls == ["zhaoshang-warm-1"] and g.n > 0
    finally:
        s.con.close()
        served.release(gen)
    assert ServedData(str(db)).warmed == {}  # without warm (the app in tests, a command): nothing in the background


def test_a_graph_beyond_the_bound_is_left_to_the_first_request_that_needs_it(tmp_path, monkeypatch):
    """Above ``GRAPH_MAX`` relationship records (a national-scale database) the server does not build the graph at
    its start: the first request that needs it builds it, once; an empty relation set is not built ahead either."""
    from zhaoshang.services import warmup

    db = build(tmp_path / "g.duckdb")
    with Store(db, read_only=True) as s:
        records = warmup.graph_records(s)
    assert records > 0
    monkeypatch.setattr(warmup, "GRAPH_MAX", records - 1)
    calls = _counting(monkeypatch)
    served = ServedData(str(db), warm=True)
    deadline = time.monotonic() + 60
    while 1 not in served.warmed and time.monotonic() < deadline:
        time.sleep(0.05)
    assert served.warmed[1]["graph"] == f"left to the first request ({records} relationship records)", served.warmed
    assert calls == []
    gen = served.acquire()
    s = served.cursor_store(gen)
    try:
        g = graph_build.graph_for(s)  # a region or lead page: built here, in the request, once
        assert graph_build.graph_for(s) is g and calls == [threading.current_thread().name] and g.n > 0
    finally:
        s.con.close()
        served.release(gen)

    empty = tmp_path / "empty.duckdb"
    Store(empty).close()
    with Store(empty, read_only=True) as s:
        assert warmup.graph_records(s) == 0
        assert warmup.prepare(s)["graph"] == "left to the first request (0 relationship records)"
    assert calls == [threading.current_thread().name]


def test_the_server_builds_a_missing_match_index_once(tmp_path, monkeypatch):
    """A small database without its match indexes on disk (a fresh demo): the warm-up builds them, and a match
    asked meanwhile takes that build (one build of each kind, not two)."""
    from zhaoshang.services.matching import index

    db = build(tmp_path / "g.duckdb")
    made: list = []
    real = index.build
    monkeypatch.setattr(index, "build", lambda st, kind, fp: made.append(kind) or time.sleep(0.5) or real(st, kind, fp))
    served = ServedData(str(db), warm=True)
    time.sleep(0.2)
    gen = served.acquire()
    s = served.cursor_store(gen)
    try:
        idx = index.get_index(s, "enterprises")  # asked while the warm-up may still be building it
    finally:
        s.con.close()
        served.release(gen)
    deadline = time.monotonic() + 60
    while 1 not in served.warmed and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "match" in served.warmed[1], served.warmed
    assert sorted(made) == ["demands", "enterprises"] and idx is not None
    assert list(tmp_path.glob("g.duckdb.match/enterprises-*"))
