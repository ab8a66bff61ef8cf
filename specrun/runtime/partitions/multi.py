"""Two-dimensional partitions: `MultiPartitionsDefinition` and its keys (`MultiPartitionKey`,
"2024-01-01|eu"), the product of a static and/or time-window dimension each."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Mapping, NamedTuple, Optional

from ...errors import DefinitionError, NoPartitionError, PartitionError
from .base import PartitionsDefinition, StaticPartitionsDefinition, TimeWindow
from .time_window import TimeWindowPartitionsDefinition


class MultiPartitionKey(str):
    """A key of a two-dimensional definition: the dimensions' keys joined with "|" in the
    order of the dimension names, e.g. ``"2024-01-01|eu"``, with `keys_by_dimension`."""

    keys_by_dimension: dict[str, str]

    def __new__(cls, keys_by_dimension: Mapping[str, str]) -> "MultiPartitionKey":
        names = sorted(keys_by_dimension)
        key = super().__new__(cls, "|".join(str(keys_by_dimension[n]) for n in names))
        key.keys_by_dimension = {n: str(keys_by_dimension[n]) for n in names}
        return key

    def __getnewargs__(self) -> tuple:  # pickle rebuilds from the dimensions, not the text
        return (self.keys_by_dimension,)


class PartitionDimensionDefinition(NamedTuple):
    """One named dimension of a MultiPartitionsDefinition."""

    name: str
    partitions_def: PartitionsDefinition


class MultiPartitionsDefinition(PartitionsDefinition):
    """The product of two partition sets, as in Dagster; dimensions are ordered by name."""

    def __init__(self, partitions_defs: Mapping[str, PartitionsDefinition]) -> None:
        if len(partitions_defs) != 2:
            raise DefinitionError(f"a multi-partitions definition has exactly two dimensions, "
                                  f"not {len(partitions_defs)}: {sorted(partitions_defs)}")
        dims = tuple(PartitionDimensionDefinition(name, partitions_defs[name])
                     for name in sorted(partitions_defs))
        for dim in dims:
            _check_dimension(dim)
        self._set(_dims=dims)

    @property
    def partitions_defs(self) -> list[PartitionDimensionDefinition]:
        """The dimensions, ordered by name."""
        return list(self._dims)

    def get_partition_keys(self, current_time: Optional[datetime] = None) -> list[str]:
        """Every combination of the dimensions' keys, the first dimension varying slowest."""
        (a, a_def), (b, b_def) = self._dims
        return [MultiPartitionKey({a: x, b: y}) for x, y in itertools.product(
            a_def.get_partition_keys(current_time), b_def.get_partition_keys(current_time))]

    def get_partition_key_from_str(self, partition_key_str: str) -> MultiPartitionKey:
        """The MultiPartitionKey that `partition_key_str` ("a|b") spells (not validated)."""
        parts = str(partition_key_str).split("|")
        if len(parts) != len(self._dims):
            raise PartitionError(f"partition key {partition_key_str!r} of {self!r} should join "
                                 f"{len(self._dims)} keys with '|' (one per dimension: "
                                 f"{', '.join(d.name for d in self._dims)})")
        return MultiPartitionKey({d.name: p for d, p in zip(self._dims, parts)})

    def has_partition_key(self, key: str, current_time: Optional[datetime] = None) -> bool:
        """Whether every part of `key` is a key of its dimension."""
        parts = str(key).split("|")
        return len(parts) == len(self._dims) and all(
            d.partitions_def.has_partition_key(p, current_time) for d, p in zip(self._dims, parts))

    def validate_partition_key(self, key: str, current_time: Optional[datetime] = None) -> None:
        """Raise PartitionError naming the key, the dimension at fault and that dimension's hint."""
        parts = self.get_partition_key_from_str(key).keys_by_dimension
        for dim in self._dims:
            try:
                dim.partitions_def.validate_partition_key(parts[dim.name], current_time)
            except PartitionError as e:
                raise PartitionError(f"unknown partition key {str(key)!r} for {self!r}: in "
                                     f"dimension {dim.name!r}, {e}") from e

    @property
    def time_window_dimension(self) -> PartitionDimensionDefinition:
        """The time-based dimension; NoPartitionError when neither dimension is."""
        for dim in self._dims:
            if isinstance(dim.partitions_def, TimeWindowPartitionsDefinition):
                return dim
        raise NoPartitionError(f"{self!r} has no time-window dimension")

    def time_window_for_partition_key(self, key: str) -> TimeWindow:
        """The time window of the key's time dimension."""
        dim = self.time_window_dimension
        part = self.get_partition_key_from_str(key).keys_by_dimension[dim.name]
        return dim.partitions_def.time_window_for_partition_key(part)

    def _identity(self) -> tuple:
        return ("multi", self._dims)

    def __repr__(self) -> str:
        dims = ", ".join(f"{d.name!r}: {d.partitions_def!r}" for d in self._dims)
        return f"MultiPartitionsDefinition({{{dims}}})"


def _check_dimension(dim: PartitionDimensionDefinition) -> None:
    pdef = dim.partitions_def
    if not isinstance(pdef, (StaticPartitionsDefinition, TimeWindowPartitionsDefinition)):
        raise DefinitionError(f"dimension {dim.name!r} of a multi-partitions definition must be "
                              f"static or time-based, not {pdef!r}")
    if isinstance(pdef, StaticPartitionsDefinition):
        bad = [k for k in pdef.get_partition_keys() if "|" in k]
        if bad:
            raise DefinitionError(f"keys of dimension {dim.name!r} cannot contain '|' (it joins "
                                  f"the dimensions of a key): {bad}")
