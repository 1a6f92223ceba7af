"""A store whose queries return their rows in a shuffled order: SQL promises no order without ORDER BY, and a
figure must not depend on the one it happened to come back in."""

from __future__ import annotations

import random


class Shuffled:
    """Wraps a store; ``query`` answers the same rows in a seeded random order, everything else passes through."""

    def __init__(self, store, seed: int):
        self._store, self._rng = store, random.Random(seed)

    def query(self, sql, params=None):
        rows = list(self._store.query(sql, params))
        self._rng.shuffle(rows)
        return rows

    def __getattr__(self, name):
        return getattr(self._store, name)
