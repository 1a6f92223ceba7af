"""One piece of work per key at a time, across threads.

A server prepares a data generation's first views in a background thread while requests may ask for the same
things (the relationship graph of a database state, a match index): whoever asks while one is being made waits
for it and then finds it in its owner's cache, instead of making a second one. ``KeyedLocks`` is that lock per key;
the cache stays with the service that owns it (``services.graph.build``, ``services.matching.index``)."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Hashable, Iterator


class KeyedLocks:
    """A lock per key, made when first asked and dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: dict[Hashable, list] = {}  # key → [lock, holders and waiters]

    def waiting(self, key: Hashable) -> int:
        """How many wait for ``key`` while its holder works (0 when nobody holds it)."""
        with self._lock:
            entry = self._held.get(key)
            return max(0, entry[1] - 1) if entry else 0

    @contextmanager
    def hold(self, key: Hashable) -> Iterator[None]:
        with self._lock:
            entry = self._held.setdefault(key, [threading.Lock(), 0])
            entry[1] += 1
        try:
            with entry[0]:
                yield
        finally:
            with self._lock:
                entry[1] -= 1
                if entry[1] == 0:
                    self._held.pop(key, None)
