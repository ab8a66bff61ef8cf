"""Live updates as server-sent events: the graph's states and a run in progress.

The run storage (SQLite or PostgreSQL, written by `specrun apply` in any process) has no change
notification, so the server looks every `interval` seconds — one cheap query while nothing
changed, the states themselves are cached until a run changes (`state.StateReader`) — and sends
an event only when what the page shows changed. Each event carries an id (the run's event
count, or a counter), so a browser that reconnects sends `Last-Event-ID` and gets nothing it
already has. A comment line every `KEEPALIVE` seconds keeps proxies from closing a quiet stream.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any, AsyncIterator, Callable, Optional

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import StreamingResponse

INTERVAL = 0.5
KEEPALIVE = 15.0


def message(kind: str, data: Any, event_id: Optional[str] = None) -> str:
    """One server-sent event (JSON has no raw newline, so `data` is one line)."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {kind}\ndata: {json.dumps(data, default=str)}\n\n"


def stream(request: Request, kind: str, produce: Callable[[], Any], key: Callable[[Any], Any],
           done: Callable[[Any], bool] = lambda _: False, interval: float = INTERVAL) -> StreamingResponse:
    """Send `produce()` as a `kind` event whenever `key` of it changes (and once at the start
    unless the browser already has that key as its Last-Event-ID); end after `done(value)`."""

    async def events() -> AsyncIterator[str]:
        last = request.headers.get("last-event-id")
        quiet_since = time.monotonic()
        while not await request.is_disconnected():
            value = await run_in_threadpool(produce)
            current = str(key(value))
            if current != last:
                last = current
                quiet_since = time.monotonic()
                yield message(kind, value, current)
            elif time.monotonic() - quiet_since > KEEPALIVE:
                quiet_since = time.monotonic()
                yield ": still here\n\n"
            if done(value):
                return
            await asyncio.sleep(interval)

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def states_key(states: dict[str, Any]) -> str:
    """What the graph shows of `states` (not their `at` time), as a short stable id."""
    import hashlib

    text = json.dumps(states.get("nodes", {}), sort_keys=True, default=str)
    return hashlib.sha1(text.encode()).hexdigest()[:16]
