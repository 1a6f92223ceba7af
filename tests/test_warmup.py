"""A server prepares each data generation's first views in the background (services/warmup.py): the relationship
graph on the reference date is built once — a request asking while it is being built waits for that build instead
of making a second — and a request after the warm-up finds it ready."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

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
    from zhaoshang.interfaces.web.app import create_app

    calls = _counting(monkeypatch)
    app = create_app(str(db), warm=True)  # as ``serve`` makes it: the app's team state, whose person decisions hold
    served, team = app.state.served, app.state.team
    deadline = time.monotonic() + 60
    while 1 not in served.warmed and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "graph" in served.warmed[1], served.warmed
    assert calls == ["zhaoshang-warm-1"]
    gen = served.acquire()
    s = served.cursor_store(gen)
    try:
        # what a request's leads and region pages ask (under the team's person decisions): the prepared graph, not
        # a new build (one built without the team was a graph no page asked for)
        g = graph_build.graph_for(s, team=team)
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


def test_a_match_index_that_cannot_be_kept_beside_the_database_is_kept_in_the_users_cache(tmp_path, monkeypatch,
                                                                                           caplog):
    """A read-only server of a database whose folder cannot be written built its match index again at every
    start: it is kept in the user's cache instead (the log says where), and the next start loads it; where
    nothing can be written the log says it lives in memory, and it is built once per process."""
    import logging

    from zhaoshang.services.matching import index

    db = build(tmp_path / "g.duckdb")
    Path(str(db) + ".match").write_text("not a folder")  # <db>.match cannot be made (as a read-only folder)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    made: list = []
    real = index.build
    monkeypatch.setattr(index, "build", lambda st, kind, fp: made.append(kind) or real(st, kind, fp))
    index._MEMO.clear()
    with caplog.at_level(logging.WARNING, logger="zhaoshang.matching"):
        with Store(db, read_only=True) as s:
            first = index.get_index(s, "enterprises")
    assert made == ["enterprises"] and first.saved_to and Path(first.saved_to).is_relative_to(tmp_path / "cache")
    assert "the match index is kept in" in caplog.text
    index._MEMO.clear()  # a new start
    with Store(db, read_only=True) as s:
        again = index.get_index(s, "enterprises")
    assert made == ["enterprises"] and again.loaded_from and again.ids.tolist() == first.ids.tolist()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache" / "zhaoshang" / "match" / Path(first.saved_to).name
                                            / "enterprises-x"))  # under a file: nowhere to write
    for p in Path(first.saved_to).iterdir():
        shutil.rmtree(p)
    Path(first.saved_to, "enterprises-x").write_text("")
    index._MEMO.clear()
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="zhaoshang.matching"):
        with Store(db, read_only=True) as s:
            assert index.get_index(s, "enterprises").saved_to is None
            index.get_index(s, "enterprises")  # once per process
    assert made == ["enterprises"] * 2 and "kept in memory only" in caplog.text


def test_the_warm_up_gives_way_to_a_request_but_not_to_one_waiting_for_its_build(tmp_path, monkeypatch):
    """The match index's tokenising (pure Python, seconds) pauses while a request runs — a first region page
    then has the interpreter to itself — but not while a match waits for that very build."""
    from zhaoshang.services.matching import index

    db = build(tmp_path / "g.duckdb")
    monkeypatch.setattr(index, "_PIECE", 1)
    pieces: list = []
    real_tokens = index.tokens
    monkeypatch.setattr(index, "tokens", lambda t: pieces.append(time.monotonic()) or real_tokens(t))
    served = ServedData(str(db), warm=True)
    scope = served.store_scope()
    next(scope)  # a request holds a store: the warm-up's tokenising waits
    time.sleep(1.0)
    assert not pieces
    scope.close()
    deadline = time.monotonic() + 60
    while 1 not in served.warmed and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pieces and "match" in served.warmed[1], served.warmed
    shutil.rmtree(str(db) + ".match")  # again, with a match asking for the index while it is built
    index._MEMO.clear()
    pieces.clear()
    served2 = ServedData(str(db), warm=True)
    scope = served2.store_scope()
    s = next(scope)
    t0 = time.monotonic()
    assert index.get_index(s, "enterprises") is not None
    assert time.monotonic() - t0 < 10 and pieces
    scope.close()
