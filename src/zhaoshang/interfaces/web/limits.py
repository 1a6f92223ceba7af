"""Rate limits for expensive requests (whole-library exports, reports): one token bucket per user.

A user may start ``burst`` such requests at once, then one more every ``per`` seconds; beyond that the
reply is 429 with ``Retry-After`` — said before the work starts, spent only by a request that passed its checks. Cheap requests are never limited, so one user's downloads cannot starve
the pages of the others — so a local-only server's single user, who has no others, is not limited
(``WebContext.expensive``). Buckets live in the server process (one server; a team running several puts the
limit in its reverse proxy)."""

from __future__ import annotations

import threading
import time

from cachetools import LRUCache
from fastapi import Request

from ...core.errors import UserError

EXPORT_BURST = 3        # expensive requests a user may start at once
EXPORT_PER = 20.0       # seconds per further one (3 a minute sustained)


class RateLimited(UserError):
    """Too many expensive requests: ``retry_after`` seconds until the next one is allowed (a refusal in both
    languages, answered as every error is)."""

    def __init__(self, retry_after: float):
        self.retry_after = max(1, int(retry_after + 0.999))
        super().__init__(f"请求过于频繁，请 {self.retry_after} 秒后再试",
                         f"too many requests: retry in {self.retry_after} s")


class TokenBuckets:
    """One bucket per key (a user), bounded in number (the least recently used are forgotten)."""

    def __init__(self, burst: int = EXPORT_BURST, per: float = EXPORT_PER, keys: int = 10_000):
        self.burst, self.per = burst, per
        self._buckets: LRUCache = LRUCache(maxsize=keys)
        self._lock = threading.Lock()

    def take(self, key: str) -> None:
        """Spend one token of ``key``'s bucket, or raise ``RateLimited``."""
        self._token(key, spend=True)

    def check(self, key: str) -> None:
        """Raise ``RateLimited`` when ``key``'s bucket has no token, spending none: asked before the work, so a
        refused request costs the server nothing either."""
        self._token(key, spend=False)

    def _token(self, key: str, spend: bool) -> None:
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) / self.per)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                raise RateLimited((1.0 - tokens) * self.per)
            if spend:
                self._buckets[key] = (tokens - 1.0, now)


def user_key(request: Request, user) -> str:
    """The bucket of a request: its user; the local single user (or no user) by client address."""
    if user is not None and getattr(user, "id", None) is not None:
        return f"user:{user.id}"
    return f"ip:{request.client.host if request.client else '-'}"
