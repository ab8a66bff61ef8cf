"""Dynamic partitions: a partitions definition whose keys live in the instance's run storage,
added as data arrives (`instance.add_dynamic_partitions`, `specrun partitions add`).

A definition only has a name; its keys are read from a *store* (an instance). Code that plans
or runs work opens `partition_loading_context(instance)`, as Dagster does, so that the
definitions met on the way read their keys from that instance. Where no store is open (a
worker process re-building the plan its parent already checked) a key is taken as given.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional, Sequence

from ..errors import DefinitionError, PartitionError, suggest
from .partition_store import KeysSnapshot as KeysSnapshot, current_store as current_store  # (`X as X`: re-exported)
from .partition_store import snapshot_for as snapshot_for, use_snapshot as use_snapshot
from .partition_store import partition_loading_context as partition_loading_context
from .partitions import PartitionsDefinition


class DynamicPartitionsDefinition(PartitionsDefinition):
    """Partitions whose keys are added and deleted at run time, kept in the instance under
    `name`."""

    def __init__(self, partition_fn: Any = None, name: Optional[str] = None) -> None:
        if partition_fn is not None:
            raise DefinitionError("DynamicPartitionsDefinition(partition_fn=...) is not supported "
                                  "(Dagster deprecated it): give name= and add keys to the instance")
        if not name or not isinstance(name, str):
            raise DefinitionError("DynamicPartitionsDefinition needs a name: "
                                  "DynamicPartitionsDefinition(name='fruits')")
        self._set(name=name, partition_fn=None)

    def get_partition_keys(self, current_time: Optional[datetime] = None,
                           dynamic_partitions_store: Any = None) -> list[str]:
        store = dynamic_partitions_store or current_store()
        if store is None:
            raise PartitionError(
                f"the keys of dynamic partitions {self.name!r} live in an instance: pass "
                "dynamic_partitions_store=instance, or call inside partition_loading_context(instance)")
        return list(store.get_dynamic_partitions(self.name))

    def has_partition_key(self, key: str, current_time: Optional[datetime] = None,
                          dynamic_partitions_store: Any = None) -> bool:
        store = dynamic_partitions_store or current_store()
        if store is None:
            return True  # no instance here (a worker): the process that planned the run checked it
        return bool(store.has_dynamic_partition(self.name, key))

    def validate_partition_key(self, key: str, current_time: Optional[datetime] = None) -> None:
        if self.has_partition_key(key):
            return
        keys = self.get_partition_keys()
        hint = suggest(key, keys)
        raise PartitionError(
            f"unknown partition key {key!r} for {self!r} (it has {len(keys)} key(s))"
            + (f"; {hint}" if hint else "")
            + f"; add it with `specrun partitions add {self.name} {key}` or "
            f"instance.add_dynamic_partitions({self.name!r}, [{key!r}])")

    def _identity(self) -> tuple:
        return ("dynamic", self.name)

    def __repr__(self) -> str:
        return f"DynamicPartitionsDefinition(partition_fn=None, name={self.name!r})"


def check_dynamic_keys(name: str, keys: Sequence[Any]) -> list[str]:
    """`keys` as a list of non-empty strings, each once (the first time it is named)."""
    if not isinstance(name, str) or not name:
        raise PartitionError(f"dynamic partitions need a name, got {name!r}")
    if isinstance(keys, str):
        raise PartitionError(f"add_dynamic_partitions takes a list of keys, got the string {keys!r}")
    found: list[str] = []
    for key in keys:
        if not isinstance(key, str) or not key:
            raise PartitionError(f"a partition key of {name!r} must be a non-empty string, got {key!r}")
        if key not in found:
            found.append(key)
    return found
