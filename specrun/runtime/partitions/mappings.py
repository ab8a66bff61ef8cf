"""Partition mappings: which upstream partitions a downstream partition reads, and back.

A definition of None means "unpartitioned": an unpartitioned upstream has no keys to read
(`upstream_keys_for` returns [], meaning its single output), and an unpartitioned downstream
is asked with `downstream_key=None`. Upstream keys that do not exist (before the upstream's
first partition, say) are left out, as Dagster leaves out non-existent partitions.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Collection, Mapping, Optional, Union

from ...errors import DefinitionError, PartitionError, suggest

from .base import PartitionsDefinition, TimeWindow
from .time_window import TimeWindowPartitionsDefinition

PartitionsDef = Optional["PartitionsDefinition"]


class PartitionMapping(ABC):
    """Maps a downstream partition key to the upstream keys it depends on."""

    @abstractmethod
    def upstream_keys_for(self, downstream_key: Optional[str], downstream_def: PartitionsDef,
                          upstream_def: PartitionsDef) -> list[str]:
        """Upstream keys read by `downstream_key` (None: the downstream is unpartitioned)."""

    def downstream_keys_for(self, upstream_key: str, upstream_def: PartitionsDef,
                            downstream_def: PartitionsDef) -> list[str]:
        """Downstream keys that read `upstream_key` ([] when the downstream is unpartitioned)."""
        if downstream_def is None:
            return []
        return [k for k in downstream_def.get_partition_keys()
                if upstream_key in self.upstream_keys_for(k, downstream_def, upstream_def)]


def _existing(keys: list[str], upstream_def: "PartitionsDefinition") -> list[str]:
    return [k for k in keys if upstream_def.has_partition_key(k)]


@dataclass(frozen=True)
class IdentityPartitionMapping(PartitionMapping):
    """The upstream partition with the same key (every upstream key for an unpartitioned
    downstream)."""

    def upstream_keys_for(self, downstream_key: Optional[str], downstream_def: PartitionsDef,
                          upstream_def: PartitionsDef) -> list[str]:
        """[downstream_key] when the upstream has it."""
        if upstream_def is None:
            return []
        if downstream_key is None:
            return upstream_def.get_partition_keys()
        return _existing([downstream_key], upstream_def)

    def downstream_keys_for(self, upstream_key: str, upstream_def: PartitionsDef,
                            downstream_def: PartitionsDef) -> list[str]:
        """[upstream_key] when the downstream has it."""
        if downstream_def is None or not downstream_def.has_partition_key(upstream_key):
            return []
        return [upstream_key]


@dataclass(frozen=True)
class AllPartitionMapping(PartitionMapping):
    """Every upstream partition."""

    def upstream_keys_for(self, downstream_key: Optional[str], downstream_def: PartitionsDef,
                          upstream_def: PartitionsDef) -> list[str]:
        """All upstream keys."""
        return upstream_def.get_partition_keys() if upstream_def is not None else []

    def downstream_keys_for(self, upstream_key: str, upstream_def: PartitionsDef,
                            downstream_def: PartitionsDef) -> list[str]:
        """All downstream keys."""
        return downstream_def.get_partition_keys() if downstream_def is not None else []


@dataclass(frozen=True)
class LastPartitionMapping(PartitionMapping):
    """Only the latest upstream partition."""

    def upstream_keys_for(self, downstream_key: Optional[str], downstream_def: PartitionsDef,
                          upstream_def: PartitionsDef) -> list[str]:
        """[the last upstream key], or [] when the upstream has none yet."""
        last = upstream_def.get_last_partition_key() if upstream_def is not None else None
        return [last] if last is not None else []

    def downstream_keys_for(self, upstream_key: str, upstream_def: PartitionsDef,
                            downstream_def: PartitionsDef) -> list[str]:
        """All downstream keys if `upstream_key` is the last upstream key, else []."""
        last = self.upstream_keys_for(None, None, upstream_def)
        if downstream_def is None or upstream_key not in last:
            return []
        return downstream_def.get_partition_keys()


@dataclass(frozen=True)
class TimeWindowPartitionMapping(PartitionMapping):
    """The upstream time partitions overlapping the downstream window, after moving the
    window's start and end by `start_offset` / `end_offset` downstream periods (as Dagster):
    ``start_offset=-1`` also reads the previous period, ``(-1, -1)`` only the previous one."""

    start_offset: int = 0
    end_offset: int = 0

    def upstream_keys_for(self, downstream_key: Optional[str], downstream_def: PartitionsDef,
                          upstream_def: PartitionsDef) -> list[str]:
        """Existing upstream keys whose windows overlap the moved downstream window."""
        if upstream_def is None:
            return []
        if downstream_key is None or downstream_def is None:
            return upstream_def.get_partition_keys()
        window = self._moved_window(downstream_key, _time_def(downstream_def))
        return _existing(_overlapping(window, _time_def(upstream_def)), upstream_def)

    def downstream_keys_for(self, upstream_key: str, upstream_def: PartitionsDef,
                            downstream_def: PartitionsDef) -> list[str]:
        """Existing downstream keys whose moved windows overlap the upstream key's window."""
        if downstream_def is None:
            return []
        down = _time_def(downstream_def)
        up_window = _time_def(upstream_def).time_window_for_partition_key(upstream_key)
        near = _overlapping(up_window, down)
        reach = abs(self.start_offset) + abs(self.end_offset)
        first, last = near[0], near[-1]
        candidates = _overlapping(_shifted(down, first, -reach, last, reach), down)
        return [k for k in candidates if downstream_def.has_partition_key(k)
                and upstream_key in self.upstream_keys_for(k, downstream_def, upstream_def)]

    def _moved_window(self, key: str, pdef: "TimeWindowPartitionsDefinition") -> "TimeWindow":
        return _shifted(pdef, key, self.start_offset, key, self.end_offset)


def _time_def(pdef: "PartitionsDefinition") -> "TimeWindowPartitionsDefinition":

    if not isinstance(pdef, TimeWindowPartitionsDefinition):
        raise PartitionError(f"a time-window partition mapping needs time-based partitions on "
                             f"both sides, not {pdef!r}")
    return pdef


def _shifted(pdef: "TimeWindowPartitionsDefinition", first: str, start_offset: int,
             last: str, end_offset: int) -> "TimeWindow":
    """From the start of `first`'s window to the end of `last`'s, each moved by whole periods."""

    start = pdef.time_window_for_partition_key(first).start.timestamp()
    end = pdef.time_window_for_partition_key(last).end.timestamp()
    start_key = pdef.get_partition_key_for_timestamp(start, start_offset)
    end_key = pdef.get_partition_key_for_timestamp(end, end_offset)
    return TimeWindow(pdef.time_window_for_partition_key(start_key).start,
                      pdef.time_window_for_partition_key(end_key).start)


def _overlapping(window: "TimeWindow", pdef: "TimeWindowPartitionsDefinition") -> list[str]:
    """Keys of `pdef`'s windows that overlap `window` (whether or not they exist yet)."""

    if window.end <= window.start:
        return []
    first = pdef.get_partition_key_for_timestamp(window.start.timestamp())
    start = pdef.time_window_for_partition_key(first).start
    return pdef.get_partition_keys_in_time_window(TimeWindow(start, window.end))


class StaticPartitionMapping(PartitionMapping):
    """An explicit table from each upstream key to the downstream key(s) that read it."""

    def __init__(self, downstream_partition_keys_by_upstream_partition_key:
                 Mapping[str, Union[str, Collection[str]]]) -> None:
        table = {}
        for up, down in downstream_partition_keys_by_upstream_partition_key.items():
            table[str(up)] = (down,) if isinstance(down, str) else tuple(down)
        self._table = table

    @property
    def downstream_partition_keys_by_upstream_partition_key(self) -> dict[str, tuple[str, ...]]:
        """The table, each value a tuple of downstream keys."""
        return dict(self._table)

    def upstream_keys_for(self, downstream_key: Optional[str], downstream_def: PartitionsDef,
                          upstream_def: PartitionsDef) -> list[str]:
        """Upstream keys whose table entry lists `downstream_key`."""
        return [up for up, downs in self._table.items() if downstream_key in downs]

    def downstream_keys_for(self, upstream_key: str, upstream_def: PartitionsDef,
                            downstream_def: PartitionsDef) -> list[str]:
        """The table entry of `upstream_key`."""
        return list(self._table.get(upstream_key, ()))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StaticPartitionMapping) and self._table == other._table

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._table.items())))

    def __repr__(self) -> str:
        return f"StaticPartitionMapping({self._table!r})"


def default_partition_mapping(upstream_def: PartitionsDef,
                              downstream_def: PartitionsDef) -> PartitionMapping:
    """Identity for equal sets, time windows between time sets, all partitions into an
    unpartitioned asset, identity otherwise."""

    if upstream_def is not None and downstream_def is None:
        return AllPartitionMapping()
    if upstream_def is None or upstream_def == downstream_def:
        return IdentityPartitionMapping()
    if isinstance(upstream_def, TimeWindowPartitionsDefinition) and isinstance(
            downstream_def, TimeWindowPartitionsDefinition):
        return TimeWindowPartitionMapping()
    return IdentityPartitionMapping()


def mapping_from_spec(name: str, start_offset: int = 0, end_offset: int = 0) -> PartitionMapping:
    """A mapping named in a spec file: identity, all, last or time_window (with offsets)."""
    table = {"identity": IdentityPartitionMapping, "all": AllPartitionMapping,
             "last": LastPartitionMapping}
    if name == "time_window":
        return TimeWindowPartitionMapping(start_offset, end_offset)
    if name not in table:
        hint = suggest(name, list(table) + ["time_window"])
        raise DefinitionError(f"unknown partition mapping {name!r}" + (f"; {hint}" if hint else ""))
    return table[name]()
