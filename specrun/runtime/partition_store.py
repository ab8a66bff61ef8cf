"""Where dynamic partitions definitions read their keys: the store (an instance) opened by the
innermost `partition_loading_context`, else a worker's snapshot of its parent's keys.

Apart from `dynamic_partitions.py` (which re-exports these) so that planning and running an
unpartitioned job, which opens the context all the same, does not import the partitions
package (~8.6 M instructions of a `specrun apply`: five of its classes are dataclasses).
"""

from __future__ import annotations

import contextlib
import contextvars
from typing import Any, Iterator

_STORE: contextvars.ContextVar[Any] = contextvars.ContextVar("specrun_dynamic_partitions_store",
                                                             default=None)
_PROCESS_STORE: list[Any] = []  # a worker's snapshot of its parent's keys (see `dynamic_partitions.use_snapshot`)


@contextlib.contextmanager
def partition_loading_context(dynamic_partitions_store: Any = None) -> Iterator[None]:
    """Dynamic partitions definitions read their keys from `dynamic_partitions_store` (an
    instance) inside this block."""
    token = _STORE.set(dynamic_partitions_store)
    try:
        yield
    finally:
        _STORE.reset(token)


def current_store() -> Any:
    """The store opened by the innermost `partition_loading_context`, else the snapshot a
    worker process was given, else None."""
    store = _STORE.get()
    if store is None and _PROCESS_STORE:
        return _PROCESS_STORE[-1]
    return store
