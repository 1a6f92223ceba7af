"""The database the web app serves, following its generations, and the app's one bounded cache.

The server opens the file read-only (attached to an in-memory connection that holds the prepared matrix
table). An update publishes a new generation by renaming a new file over it (``core.generations``); the first
request that sees the file changed opens the new generation, the requests after it use it, and the old one
is closed when its last request ends. Cached answers are keyed by generation, so nothing computed from the
old data is ever served from the new one.
"""

from __future__ import annotations

import copy
import logging
import sys
import threading
import time
import weakref
from pathlib import Path
from typing import Any, Callable, Iterator

import duckdb
from cachetools import LRUCache

from ...core import background
from ...core.generations import file_identity
from ...core.store import Store
from ...services import list_order
from ...services.regions import matrix

log = logging.getLogger("zhaoshang.web")

CACHE_BYTES = 64 * 1024 * 1024   # the cache's budget in (estimated) bytes of Python objects
CACHE_ENTRIES = 512              # and in entries
RETRY_SECONDS = 1.0              # how often to retry opening a new generation that is still locked
QUIET_WAIT = 2.0                 # the warm-up's optional work waits at most this long at a time for requests …
QUIET_BUDGET = 30.0              # … and this long in all per warm-up (a page's event stream stays open for long)


def deep_size(obj: Any, _seen: set | None = None) -> int:
    """Estimated memory of a cached answer: the object and everything it holds (dicts, lists, strings)."""
    seen = _seen if _seen is not None else set()
    if id(obj) in seen:
        return 0
    seen.add(id(obj))
    size = sys.getsizeof(obj)
    if isinstance(obj, dict):
        size += sum(deep_size(k, seen) + deep_size(v, seen) for k, v in obj.items())
    elif isinstance(obj, (list, tuple, set, frozenset)):
        size += sum(deep_size(v, seen) for v in obj)
    return size


class BoundedCache:
    """One LRU cache bounded both in bytes and in entries (every entry weighs at least bytes / entries).

    Exceptions are never cached (a 404 is computed again next time). Thread-safe.
    """

    def __init__(self, max_bytes: int = CACHE_BYTES, max_entries: int = CACHE_ENTRIES):
        self.max_bytes, self.max_entries = max_bytes, max_entries
        floor = max_bytes // max_entries
        self._lru: LRUCache = LRUCache(maxsize=max_bytes, getsizeof=lambda v: max(v[1], floor))
        self._lock = threading.Lock()

    def get_or_build(self, key: Any, build: Callable[[], Any]) -> Any:
        with self._lock:
            hit = self._lru.get(key)
        if hit is not None:
            return hit[0]
        value = build()
        size = deep_size(value)
        if size <= self.max_bytes // 4:  # one huge answer must not flush everything else
            with self._lock:
                self._lru[key] = (value, size)
        return value

    def clear(self) -> None:
        with self._lock:
            self._lru.clear()

    def drop(self, match: Callable[[Any], bool]) -> int:
        """Forget the entries whose key ``match``es (answers a live event made stale); how many."""
        with self._lock:
            keys = [k for k in self._lru.keys() if match(k)]
            for k in keys:
                self._lru.pop(k, None)
        return len(keys)

    @property
    def bytes(self) -> int:
        with self._lock:
            return sum(v[1] for v in self._lru.values())

    def keys(self) -> list:
        with self._lock:
            return list(self._lru.keys())

    def __len__(self) -> int:
        with self._lock:
            return len(self._lru)


class Generation:
    """One opened version of the served file; counts the requests using it."""

    def __init__(self, number: int, store: Store, identity: tuple | None):
        self.number, self.store, self.identity = number, store, identity
        self.users = 0
        self.retired = False


def _open(db_path: str) -> Store:
    if db_path == ":memory:":
        return Store(db_path)
    if not Path(db_path).exists():
        Store(db_path).close()  # a new, empty database with the schema; then served read-only like any other
    Store(db_path, read_only=True).close()  # the same clear errors as everywhere (lock held by a writer)
    con = duckdb.connect(":memory:")
    con.execute(f"ATTACH '{db_path.replace(chr(39), chr(39) * 2)}' AS zsdb (READ_ONLY)")
    con.execute("USE zsdb")
    store = Store.__new__(Store)
    store.path, store.con, store.read_only = db_path, con, True
    store.scratch = "memory.main"  # writable, in memory: tables prepared once per generation (services) …
    store.prepared = {}  # … and their names, shared by the request stores of the generation
    try:
        matrix.prepare_cache(store, schema="memory.main")
        list_order.prepare(store)  # the list by region and node in its default order (services.list_order)
    except duckdb.Error:  # an empty or foreign database: the direct queries still answer
        pass
    return store


class ServedData:
    """The served database across its generations, with the app's bounded cache."""

    def __init__(self, db_path: str, cache: BoundedCache | None = None, *, warm: bool = False, team: Any = None):
        self.path = str(db_path)
        self.cache = cache or BoundedCache()
        self._lock = threading.Lock()
        self._switching = threading.Lock()
        self._next_try = 0.0
        self.warm = warm  # prepare each generation's first views in the background (``serve``)
        self.team = team  # the app's team state: the pages' graph follows its person decisions, so the warm-up's does
        self.warmed: dict = {}  # generation number → seconds spent on each part (or the error)
        self._cursors: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # open cursor → its thread
        self.requests = 0  # requests holding a store now (the warm-up's optional work gives way to them)
        self.current = Generation(1, _open(self.path), self._identity())
        self._warm(self.current)

    def _warm(self, gen: Generation) -> None:
        """``services.warmup.prepare`` on a store of ``gen`` in a background thread, holding the generation open."""
        if not self.warm:
            return
        with self._lock:
            if gen.retired:
                return
            gen.users += 1

        budget = [QUIET_BUDGET]

        def quiet(needed: Callable[[], bool] = lambda: False) -> None:
            """Give way while requests run — a first view needs the cores (and the interpreter) more than the
            warm-up's optional part does (the match index, pure-Python tokenising) — unless ``needed()``: a
            request waits for this very work."""
            t0 = time.monotonic()
            while (self.requests > 0 and not needed() and not stopping.is_set() and budget[0] > 0
                   and time.monotonic() - t0 < QUIET_WAIT):
                time.sleep(0.02)
            budget[0] -= time.monotonic() - t0

        def run():
            s = self.cursor_store(gen)
            s.quiet = quiet  # services.warmup: between the pieces of its optional work
            try:
                if stopping.is_set():
                    return
                from ...services.warmup import prepare

                self.warmed[gen.number] = prepare(s, team=self.team)
            except Exception as exc:  # the requests compute it themselves: nothing is lost
                self.warmed[gen.number] = {"error": str(exc)}
                log.info("warm-up of generation %s failed: %s", gen.number, exc)
            finally:
                s.con.close()
                self.release(gen)

        name, stopping = f"zhaoshang-warm-{gen.number}", threading.Event()
        background.start(name, run, stopping=stopping, interrupt=lambda: self.interrupt(name), owner=self)

    def _identity(self) -> tuple | None:
        return None if self.path == ":memory:" else file_identity(self.path)

    @property
    def base(self) -> Store:
        return self.current.store

    def _maybe_switch(self) -> None:
        """Open the new generation when the file changed. A request arriving while another opens it waits for
        it, so every request after a publish reads the new data (no request is answered from the old one once a
        newer generation has been seen)."""
        ident = self._identity()
        if ident is None or ident == self.current.identity or time.monotonic() < self._next_try:
            return
        if not self._switching.acquire(blocking=False):
            with self._switching:  # another request is opening it: wait, then serve what it opened
                return
        try:
            if ident == self.current.identity:
                return
            try:
                store = _open(self.path)
            except Exception as exc:  # still being written in place: keep serving, retry shortly
                log.info("new data not yet readable (%s); serving the current generation", exc)
                self._next_try = time.monotonic() + RETRY_SECONDS
                return
            with self._lock:
                old = self.current
                self.current = Generation(old.number + 1, store, ident)
                old.retired = True
                close_old = old.users == 0
            self.cache.clear()
            if close_old:
                old.store.close()
            self._warm(self.current)
        finally:
            self._switching.release()

    def acquire(self) -> Generation:
        self._maybe_switch()
        with self._lock:
            gen = self.current
            gen.users += 1
            return gen

    def release(self, gen: Generation) -> None:
        with self._lock:
            gen.users -= 1
            close = gen.retired and gen.users == 0
        if close:
            gen.store.close()

    def cursor_store(self, gen: Generation) -> Store:
        base = gen.store
        s = copy.copy(base)
        s.con = base.con.cursor()  # one cursor per request: DuckDB connections are not shared across threads
        if base.path != ":memory:" and base.read_only:
            s.con.execute("USE zsdb")
        s.generation = gen.number
        with self._lock:
            self._cursors[s.con.raw] = threading.current_thread().name
        return s

    def stop(self, timeout: float = background.JOIN_SECONDS) -> list[str]:
        """Stop this data's background threads (the warm-up and those started with ``owner=self``: the alert
        schedule, the event tail, the feed schedule), interrupting their queries, and join them within
        ``timeout`` seconds; the names of any still running."""
        return background.stop_all(timeout, only=lambda w: w.owner is self)

    def interrupt(self, thread: str | None = None) -> int:
        """``con.interrupt()`` on the open cursors (those opened by the thread named ``thread``, else all): their
        running queries end at once with an error (a background thread told to stop, a server shutting down)."""
        with self._lock:
            cons = [c for c, t in list(self._cursors.items()) if thread is None or t == thread]
        n = 0
        for c in cons:
            try:
                c.interrupt()
                n += 1
            except duckdb.Error:  # closed meanwhile
                pass
        return n

    def store_scope(self) -> Iterator[Store]:
        """A Store on the current generation for one request (FastAPI dependency body)."""
        gen = self.acquire()
        s = self.cursor_store(gen)
        with self._lock:
            self.requests += 1
        try:
            yield s
        finally:
            with self._lock:
                self.requests -= 1
            s.con.close()
            self.release(gen)

    def cached(self, store: Store, key: tuple, build: Callable[[], Any]) -> Any:
        """``build()`` once per generation (the one ``store`` reads) while it stays in the bounded cache."""
        return self.cache.get_or_build((getattr(store, "generation", 0),) + tuple(key), build)
