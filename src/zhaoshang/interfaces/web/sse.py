"""Server-sent events: the one way a page receives a live stream (sse-starlette's ``EventSourceResponse``
with a keep-alive ping; the data of every message encoded by ``core.jsonenc``). ``polled`` turns a poll of
stored records (``fetch(after) -> rows`` with increasing ``id``) into a stream that ends when the client
leaves; a stream fed by the in-process event bus yields ``message(...)`` dicts itself."""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator, Callable

from fastapi import Request
from sse_starlette.sse import EventSourceResponse

from ...core import jsonenc

PING = 15


def message(event: str, data: Any, id: Any = None) -> dict:
    """One SSE message: its event name, JSON data and (for resuming) id."""
    out = {"event": event, "data": jsonenc.dumps(data)}
    if id is not None:
        out["id"] = str(id)
    return out


def response(stream: AsyncIterator[dict]) -> EventSourceResponse:
    return EventSourceResponse(stream, ping=PING)


def polled(request: Request, fetch: Callable[[int], list[dict]], after: int, *, event: str = "item",
           interval: float = 0.5) -> EventSourceResponse:
    """Stream the rows ``fetch(after)`` returns (oldest first), polling every ``interval`` seconds; a reconnecting
    browser resumes after its ``Last-Event-ID``."""
    last = request.headers.get("last-event-id")
    if last and last.isdigit():
        after = int(last)

    async def gen():
        nonlocal after
        yield message("ready", {"after": after})
        while not await request.is_disconnected():
            rows = await asyncio.to_thread(fetch, after)
            for r in rows:
                after = max(after, int(r["id"]))
                yield message(event, r, r["id"])
            await asyncio.sleep(interval)

    return response(gen())
