"""Partition mappings: which upstream partitions a downstream partition reads."""

from __future__ import annotations

from typing import Mapping, Optional

from ..errors import DefinitionError


class PartitionMapping:
    """Maps a downstream partition key to the upstream keys it depends on."""

    def upstream_keys_for(self, downstream_key: Optional[str], downstream_def, upstream_def) -> list[str]:
        raise NotImplementedError

    def downstream_keys_for(self, upstream_key: str, upstream_def, downstream_def) -> list[str]:
        if downstream_def is None:
            return []
        return [k for k in downstream_def.get_partition_keys()
                if upstream_key in self.upstream_keys_for(k, downstream_def, upstream_def)]

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and vars(self) == vars(other)

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(sorted(vars(self).items(), key=str))))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


class IdentityPartitionMapping(PartitionMapping):
    """The same key upstream as downstream."""

    def upstream_keys_for(self, downstream_key, downstream_def, upstream_def) -> list[str]:
        if upstream_def is None:
            return []
        if downstream_key is None:
            return upstream_def.get_partition_keys()
        return [downstream_key]


class AllPartitionMapping(PartitionMapping):
    """Every upstream partition."""

    def upstream_keys_for(self, downstream_key, downstream_def, upstream_def) -> list[str]:
        return upstream_def.get_partition_keys() if upstream_def is not None else []


class LastPartitionMapping(PartitionMapping):
    """Only the latest upstream partition."""

    def upstream_keys_for(self, downstream_key, downstream_def, upstream_def) -> list[str]:
        last = upstream_def.get_last_partition_key() if upstream_def is not None else None
        return [last] if last is not None else []


class TimeWindowPartitionMapping(PartitionMapping):
    """Upstream time partitions overlapping the downstream window, shifted by offsets
    (in downstream periods): ``start_offset=-1`` also reads the previous period."""

    def __init__(self, start_offset: int = 0, end_offset: int = 0) -> None:
        self.start_offset = start_offset
        self.end_offset = end_offset

    def upstream_keys_for(self, downstream_key, downstream_def, upstream_def) -> list[str]:
        if upstream_def is None:
            return []
        if downstream_key is None or downstream_def is None:
            return upstream_def.get_partition_keys()
        window = downstream_def.time_window_for_partition_key(downstream_key)
        start, end = window.start, window.end
        for _ in range(-self.start_offset):
            start = downstream_def._prev(start)
        for _ in range(self.start_offset):
            start = downstream_def._next(start)
        for _ in range(self.end_offset):
            end = downstream_def._next(end)
        for _ in range(-self.end_offset):
            end = downstream_def._prev(end)
        from .partitions import TimeWindow

        keys = upstream_def.get_partition_keys_in_time_window(TimeWindow(start, end))
        existing = set(upstream_def.get_partition_keys())
        return [k for k in keys if k in existing]


class StaticPartitionMapping(PartitionMapping):
    """An explicit table from upstream keys to the downstream key(s) that read them."""

    def __init__(self, downstream_partition_keys_by_upstream_partition_key: Mapping[str, object]) -> None:
        table = {}
        for up, down in downstream_partition_keys_by_upstream_partition_key.items():
            table[str(up)] = [down] if isinstance(down, str) else list(down)
        self.table = table

    def upstream_keys_for(self, downstream_key, downstream_def, upstream_def) -> list[str]:
        return [up for up, downs in self.table.items() if downstream_key in downs]


def default_partition_mapping(upstream_def, downstream_def) -> PartitionMapping:
    """Identity for equal sets, time windows between time sets, all partitions into an
    unpartitioned asset, identity otherwise."""
    from .partitions import TimeWindowPartitionsDefinition

    if upstream_def is None:
        return IdentityPartitionMapping()
    if downstream_def is None:
        return AllPartitionMapping()
    if upstream_def == downstream_def:
        return IdentityPartitionMapping()
    if isinstance(upstream_def, TimeWindowPartitionsDefinition) and isinstance(
            downstream_def, TimeWindowPartitionsDefinition):
        return TimeWindowPartitionMapping()
    return IdentityPartitionMapping()


def mapping_from_spec(name: str, start_offset: int = 0, end_offset: int = 0) -> PartitionMapping:
    """A mapping named in a spec file: identity, all, last or time_window."""
    table = {"identity": IdentityPartitionMapping, "all": AllPartitionMapping,
             "last": LastPartitionMapping}
    if name == "time_window":
        return TimeWindowPartitionMapping(start_offset, end_offset)
    if name not in table:
        from ..errors import suggest

        hint = suggest(name, list(table) + ["time_window"])
        raise DefinitionError(f"unknown partition mapping {name!r}" + (f"; {hint}" if hint else ""))
    return table[name]()


