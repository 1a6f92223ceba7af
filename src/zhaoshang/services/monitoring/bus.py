"""The in-process event bus: every ingestion path publishes each new event once; readers subscribe.

Publishers (``POST /api/events``, the feed monitor, ``tail``) call ``publish(event)`` from any thread with the one
event record of ``services.monitoring.events`` (a dict: ``key``, ``enterprise_id``, ``enterprise_name``, ``type``,
``date``, ``title``, ``detail``, ``sentiment``, ``source``, ``url``, ``origin``, region codes and chain ``nodes`` …).

Two ways to read, both fed in publication order:

* ``subscribe()`` → an async iterator for code running on an event loop (the 动态监测 page's server-sent events,
  a live alert feed)::

      async with bus.subscribe() as events:
          async for ev in events:
              ...

  A subscriber that falls behind by more than ``maxsize`` events loses the oldest (``dropped`` counts them);
  the stored events stay readable through ``events.timeline``.
* ``add_listener(fn)`` → ``fn(event)`` is called synchronously in the publisher's thread, right after the event is
  stored, for work that must see every event (rule evaluation of alerts). An exception in a listener is logged
  and never stops the publisher or the other listeners. ``remove_listener(fn)`` undoes it.

Events stored by another process (``zhaoshang monitor run`` beside a server) reach this process's bus through
``tail`` (``events.tail_into_bus``), which the server runs; an event already published here is not published twice.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import OrderedDict
from typing import Any, Callable

log = logging.getLogger(__name__)

Event = dict
Listener = Callable[[Event], Any]


class Subscription:
    """One async reader: an ``asyncio.Queue`` on the reader's loop, filled thread-safely by ``publish``."""

    def __init__(self, bus: "EventBus", maxsize: int):
        self.bus = bus
        self.loop = asyncio.get_running_loop()
        self.queue: asyncio.Queue = asyncio.Queue(maxsize=maxsize)
        self.dropped = 0

    def _offer(self, ev: Event) -> None:  # on the subscriber's loop
        if self.queue.full():
            self.queue.get_nowait()
            self.dropped += 1
        self.queue.put_nowait(ev)

    def __aiter__(self):
        return self

    async def __anext__(self) -> Event:
        return await self.queue.get()

    async def get(self, timeout: float | None = None) -> Event | None:
        """The next event, or None after ``timeout`` seconds."""
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except asyncio.TimeoutError:
            return None

    def close(self) -> None:
        self.bus._remove(self)

    async def __aenter__(self) -> "Subscription":
        return self

    async def __aexit__(self, *exc) -> None:
        self.close()


class EventBus:
    """Publish/subscribe within one process; thread-safe."""

    def __init__(self, remember: int = 10_000):
        self._lock = threading.Lock()
        self._subs: list[Subscription] = []
        self._listeners: list[Listener] = []
        self._seen: OrderedDict = OrderedDict()  # keys already published (so ``tail`` does not repeat them)
        self._remember = remember
        self.published = 0

    def publish(self, event: Event) -> bool:
        """Deliver one event to every listener and subscriber; False if its ``key`` was published already."""
        key = event.get("key")
        with self._lock:
            if key is not None:
                if key in self._seen:
                    return False
                self._seen[key] = True
                while len(self._seen) > self._remember:
                    self._seen.popitem(last=False)
            subs, listeners = list(self._subs), list(self._listeners)
            self.published += 1
        for fn in listeners:
            try:
                fn(event)
            except Exception:  # a listener's failure is its own: the event is stored and goes on to the others
                log.exception("event listener %r failed on %s", fn, key)
        for sub in subs:
            try:
                sub.loop.call_soon_threadsafe(sub._offer, event)
            except RuntimeError:  # its loop is closed: the subscriber is gone
                self._remove(sub)
        return True

    def seen(self, key: str) -> bool:
        with self._lock:
            return key in self._seen

    def subscribe(self, maxsize: int = 1000) -> Subscription:
        """A new async reader of the events published from now on (call on the reader's event loop)."""
        sub = Subscription(self, maxsize)
        with self._lock:
            self._subs.append(sub)
        return sub

    def _remove(self, sub: Subscription) -> None:
        with self._lock:
            if sub in self._subs:
                self._subs.remove(sub)

    def add_listener(self, fn: Listener) -> Listener:
        """Call ``fn(event)`` synchronously for every event published from now on; returns ``fn``."""
        with self._lock:
            if fn not in self._listeners:
                self._listeners.append(fn)
        return fn

    def remove_listener(self, fn: Listener) -> None:
        with self._lock:
            if fn in self._listeners:
                self._listeners.remove(fn)

    @property
    def subscribers(self) -> int:
        with self._lock:
            return len(self._subs)


BUS = EventBus()
"""The process's bus: what ``publish``, ``subscribe`` and ``add_listener`` below use."""


def publish(event: Event) -> bool:
    return BUS.publish(event)


def subscribe(maxsize: int = 1000) -> Subscription:
    return BUS.subscribe(maxsize)


def add_listener(fn: Listener) -> Listener:
    return BUS.add_listener(fn)


def remove_listener(fn: Listener) -> None:
    BUS.remove_listener(fn)
