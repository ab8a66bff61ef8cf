"""Running `async def` compute functions from the synchronous step path.

A coroutine is run to completion on its own event loop; an async generator is turned into
a plain generator whose items are awaited one by one on one event loop, so the outputs it
yields are stored as they come, exactly as a plain generator's are.
"""

from __future__ import annotations

import asyncio
from types import AsyncGeneratorType, CoroutineType
from typing import Any, Iterator


def resolve_async(result: Any) -> Any:
    """`result` itself, unless it is a coroutine (awaited) or an async generator (made sync)."""
    if isinstance(result, CoroutineType):
        return asyncio.run(result)
    if isinstance(result, AsyncGeneratorType):
        return _iterate(result)
    return result


def _iterate(agen: AsyncGeneratorType) -> Iterator[Any]:
    loop = asyncio.new_event_loop()
    try:
        while True:
            try:
                item = loop.run_until_complete(agen.__anext__())
            except StopAsyncIteration:
                return
            yield item
    finally:
        loop.run_until_complete(agen.aclose())
        loop.close()
