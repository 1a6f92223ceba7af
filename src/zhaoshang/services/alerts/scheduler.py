"""The alert schedule inside ``zhaoshang serve``: every ``default_interval()`` seconds — and at once when the event bus
publishes a live event (``POST /api/events``, a news feed) — evaluate new events, queue the day's digests and
send the deliveries that are due. All of its state is in the team state, so a restarted
server resumes exactly where the last one stopped (pending deliveries, retry times, digest days)."""

from __future__ import annotations

import logging
import os
import threading
from typing import Callable, ContextManager

from ...core import background
from ...core.background import served_scope  # noqa: F401  (where the server's scope has been imported from)
from . import delivery, digest, feed
from .targets import LOCAL, WebhookPolicy

log = logging.getLogger("zhaoshang.alerts")


def default_interval() -> float:
    """``ZHAOSHANG_ALERT_INTERVAL`` (1 s between rounds), read when a scheduler is made: the environment of the run."""
    return float(os.environ.get("ZHAOSHANG_ALERT_INTERVAL", "1"))


def tick(store, team, policy: WebhookPolicy = LOCAL) -> dict:
    """One round: new events (imported and live) → alerts; the day's digests; due deliveries (webhooks as the
    server's ``policy`` allows)."""
    res = feed.run_all(store, team)
    queued = digest.due(store, team)
    sent = delivery.deliver_due(team, policy=policy)
    return {"events": res["events"], "alerts": len(res["alerts"]), "digests": len(queued), **sent}


class Scheduler:
    """A background thread (``core.background``: stopped and joined at shutdown) running ``tick`` on a store
    opened by ``store_scope`` (the served generation)."""

    def __init__(self, store_scope: Callable[[], ContextManager], team, interval: float | None = None,
                 policy: WebhookPolicy = LOCAL):
        self.store_scope, self.team, self.policy = store_scope, team, policy
        self.interval = default_interval() if interval is None else interval
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._worker: background.Worker | None = None

    def start(self) -> None:
        """Run rounds every ``interval`` seconds, and at once when the event bus publishes a live event."""
        from ..monitoring import bus

        bus.add_listener(self._on_event)
        self._worker = background.start_on(self.store_scope, "zhaoshang-alerts", self._loop, stopping=self._stop,
                                           wake=self._wake)

    def _on_event(self, event: dict) -> None:
        self._wake.set()

    def stop(self) -> None:
        from ..monitoring import bus

        bus.remove_listener(self._on_event)
        self._stop.set()
        self._wake.set()
        if self._worker:
            self._worker.stop()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                with self.store_scope() as store:
                    tick(store, self.team, self.policy)
            except Exception as exc:  # keep the schedule alive; the error names no secret
                if self._stop.is_set():  # interrupted by the shutdown
                    break
                log.warning("alert schedule: %s", str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            self._wake.wait(self.interval)
