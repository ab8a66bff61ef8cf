"""Where dynamic partitions definitions read their keys: the store (an instance) opened by the
innermost `partition_loading_context`, else a worker's snapshot of its parent's keys.

Apart from `dynamic_partitions.py` (which re-exports these) so that planning and running an
unpartitioned job, which opens the context all the same, does not import the partitions
package (~8.6 M instructions of a `specrun apply`: five of its classes are dataclasses). The
same holds for a run on worker processes: the parent's snapshot of an unpartitioned job's keys
(`snapshot_for`) and a worker's use of it (`use_snapshot`) need no partitions definition
(~21 M instructions of a Dask worker's first run, and about as much in the parent).
"""

from __future__ import annotations

import contextlib
import contextvars
from typing import Any, Iterator

_STORE: contextvars.ContextVar[Any] = contextvars.ContextVar("specrun_dynamic_partitions_store",
                                                             default=None)
_PROCESS_STORE: list[Any] = []  # a worker's snapshot of its parent's keys (see `use_snapshot`)


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


class KeysSnapshot:
    """The keys of some dynamic partitions, as a parent process saw them when a run started:
    what its workers (which have no run storage) read keys from."""

    def __init__(self, keys: dict[str, list[str]]) -> None:
        self.keys = keys

    def get_dynamic_partitions(self, name: str) -> list[str]:
        return list(self.keys.get(name, ()))

    def has_dynamic_partition(self, name: str, key: str) -> bool:
        return key in self.keys.get(name, ())


def use_snapshot(keys: dict[str, list[str]]) -> None:
    """In a worker process: read dynamic partition keys from `keys` (the parent's snapshot)."""
    _PROCESS_STORE[:] = [KeysSnapshot(dict(keys))] if keys else []


def snapshot_for(job: Any) -> dict[str, list[str]]:
    """The current keys of every dynamic partitions definition `job`'s assets use (sent to
    worker processes with the run)."""
    store = current_store()
    if store is None:
        return {}
    defs = [pdef for node in job.nodes.values()
            for pdef in (getattr(node.asset, "partitions_def", None), getattr(job, "partitions_def", None),
                         *(getattr(src, "partitions_def", None) for src in node.inputs.values()))
            if pdef is not None]
    if not defs:  # an unpartitioned job: no need to import the partitions package to say so
        return {}
    from .dynamic_partitions import DynamicPartitionsDefinition

    names = {pdef.name for pdef in defs if isinstance(pdef, DynamicPartitionsDefinition)}
    return {name: list(store.get_dynamic_partitions(name)) for name in sorted(names)}
