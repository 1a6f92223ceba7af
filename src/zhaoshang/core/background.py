"""The process's background threads, stopped and joined before the interpreter ends.

A daemon thread still inside DuckDB when Python finalizes is killed while DuckDB's C++ code holds a
``catch (...)``: the process aborts ("terminate called … / FATAL: exception not rethrown", exit code 134)
instead of ending. Every thread the project starts in the background — the server's warm-up, the alert
schedule, the event tail, the feed schedule — is therefore started through ``start`` and stopped by
``stop_all``: the app's lifespan calls it when the server shuts down, and an ``atexit`` hook calls it in any
other process (the CLI, a test run) before the interpreter ends. Stopping sets the thread's stop event, runs
its ``interrupt`` (``con.interrupt()`` on the DuckDB connections it holds, so a long query ends at once) and
joins it with a bound (``JOIN_SECONDS`` for all of them together).
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from contextlib import contextmanager
from typing import Callable, ContextManager

log = logging.getLogger("zhaoshang")
JOIN_SECONDS = 10.0


class Worker:
    """One background thread: ``target()`` runs until ``stopping`` is set."""

    def __init__(self, name: str, target: Callable[[], None], *, stopping: threading.Event | None = None,
                 interrupt: Callable[[], None] | None = None, owner: object = None):
        self.name, self.stopping, self.interrupt, self.owner = name, stopping or threading.Event(), interrupt, owner
        self.thread = threading.Thread(target=self._run, args=(target,), name=name, daemon=True)

    def _run(self, target: Callable[[], None]) -> None:
        try:
            target()
        finally:
            with _LOCK:
                _LIVE.discard(self)

    def signal(self) -> None:
        """Ask it to stop: set its stop event and interrupt what it holds (without waiting)."""
        self.stopping.set()
        if self.interrupt is not None:
            try:
                self.interrupt()
            except Exception as exc:  # a connection already closed: nothing to interrupt
                log.debug("interrupting %s: %s", self.name, exc)

    def stop(self, timeout: float = JOIN_SECONDS) -> bool:
        """Signal and join (at most ``timeout`` seconds); whether it ended."""
        self.signal()
        if self.thread.ident is not None and self.thread is not threading.current_thread():
            self.thread.join(timeout)
        return not self.thread.is_alive()


_LOCK = threading.Lock()
_LIVE: set[Worker] = set()


def start(name: str, target: Callable[[], None], *, stopping: threading.Event | None = None,
          interrupt: Callable[[], None] | None = None, owner: object = None) -> Worker:
    """Start ``target`` in a background thread that ``stop_all`` stops (``stopping`` set, ``interrupt`` run);
    ``owner``: what it works for (``stop_all(only=…)`` stops one owner's threads)."""
    w = Worker(name, target, stopping=stopping, interrupt=interrupt, owner=owner)
    with _LOCK:
        _LIVE.add(w)
    w.thread.start()
    return w


def live() -> list[Worker]:
    with _LOCK:
        return [w for w in _LIVE if w.thread.is_alive()]


def stop_all(timeout: float = JOIN_SECONDS, only: Callable[[Worker], bool] | None = None) -> list[str]:
    """Stop the background threads (those ``only`` accepts) and join them within ``timeout`` seconds in all;
    the names of those still running after it."""
    workers = [w for w in live() if only is None or only(w)]
    for w in workers:  # signal every one first: they stop side by side
        w.signal()
    deadline = time.monotonic() + timeout
    for w in workers:
        if w.thread is not threading.current_thread():
            w.thread.join(max(0.0, deadline - time.monotonic()))
    left = [w.name for w in workers if w.thread.is_alive()]
    if left:
        log.warning("background threads still running after %.0f s: %s", timeout, ", ".join(left))
    return left


atexit.register(stop_all)


def start_on(store_scope, name: str, target: Callable[[], None], *, stopping: threading.Event,
             wake: threading.Event | None = None) -> Worker:
    """``start`` for a thread that reads through ``store_scope``: when that is the served data's scope (it has
    ``served``), the thread belongs to it and stopping it interrupts the cursors it holds; ``wake``: an event the
    thread sleeps on, set when it is told to stop."""
    served = getattr(store_scope, "served", None)

    def interrupt() -> None:
        if wake is not None:
            wake.set()
        if served is not None:
            served.interrupt(name)

    return start(name, target, stopping=stopping, interrupt=interrupt, owner=served)


class served_scope:
    """A ``store_scope`` over the served data (``served.store_scope`` as a context manager); its ``served`` lets
    ``start_on`` give the thread to the served data, which interrupts the cursors it holds when it stops."""

    def __init__(self, served):
        self.served = served
        self._scope = contextmanager(served.store_scope)

    def __call__(self) -> ContextManager:
        return self._scope()
