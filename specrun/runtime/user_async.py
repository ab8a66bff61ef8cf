"""Running `async def` compute functions from the synchronous step path.

A coroutine is run to completion on its own event loop; an async generator is turned into
a plain generator whose items are awaited one by one on one event loop, so the outputs it
yields are stored as they come, exactly as a plain generator's are.
"""

from __future__ import annotations

from types import AsyncGeneratorType, CoroutineType
from typing import Any, Iterator

# `asyncio` is imported only when a step returns a coroutine or an async generator: importing
# it (with ssl, concurrent.futures, subprocess) costs ~5% of a 1,000-asset `apply` of plain
# functions, which never use it.


def resolve_async(result: Any) -> Any:
    """`result` itself, unless it is a coroutine (awaited) or an async generator (made sync)."""
    if isinstance(result, CoroutineType):
        import asyncio

        return asyncio.run(result)
    if isinstance(result, AsyncGeneratorType):
        return _iterate(result)
    return result


def _iterate(agen: AsyncGeneratorType) -> Iterator[Any]:
    import asyncio

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
