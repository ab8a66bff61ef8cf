"""Partition keys and the definitions every kind shares: `PartitionsDefinition` (immutable,
comparable values) and the static kind, `StaticPartitionsDefinition`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime
from typing import Any, NamedTuple, Optional, Sequence

from ...errors import DefinitionError, PartitionError, suggest


class TimeWindow(NamedTuple):
    """A half-open interval [start, end) of tz-aware datetimes."""

    start: datetime
    end: datetime


class PartitionKeyRange(NamedTuple):
    """An inclusive range of partition keys."""

    start: str
    end: str


def _with_hint(message: str, hint: Optional[str]) -> str:
    return f"{message}; {hint}" if hint else message


class PartitionsDefinition(ABC):
    """A set of partition keys. Definitions are immutable values: equal when they define the
    same keys the same way, hashable, and printed the way they were written."""

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def _set(self, **fields: Any) -> None:
        for name, value in fields.items():
            object.__setattr__(self, name, value)

    @abstractmethod
    def get_partition_keys(self, current_time: Optional[datetime] = None) -> list[str]:
        """Every key, in order (time-based sets end at `current_time`, default now)."""

    @abstractmethod
    def _identity(self) -> tuple:
        """What makes two definitions equal."""

    def has_partition_key(self, key: str, current_time: Optional[datetime] = None) -> bool:
        """Whether `key` is one of this set's keys."""
        return key in self.get_partition_keys(current_time)

    def validate_partition_key(self, key: str, current_time: Optional[datetime] = None) -> None:
        """Raise PartitionError naming the key, this definition and a hint when `key` is unknown."""
        if not self.has_partition_key(key, current_time):
            hint = suggest(key, self.get_partition_keys(current_time))
            raise PartitionError(_with_hint(f"unknown partition key {key!r} for {self!r}", hint))

    def get_partition_keys_in_range(self, key_range: PartitionKeyRange,
                                    current_time: Optional[datetime] = None) -> list[str]:
        """The keys from `key_range.start` to `key_range.end`, both included and validated."""
        for key in key_range:
            self.validate_partition_key(key, current_time)
        keys = self.get_partition_keys(current_time)
        first, last = keys.index(key_range.start), keys.index(key_range.end)
        if first > last:
            raise self._reversed(key_range)
        return keys[first:last + 1]

    def _reversed(self, key_range: PartitionKeyRange) -> PartitionError:
        return PartitionError(f"partition key range {key_range.start}..{key_range.end} of {self!r} "
                              f"is reversed: {key_range.start!r} comes after {key_range.end!r}")

    def get_first_partition_key(self, current_time: Optional[datetime] = None) -> Optional[str]:
        """The first key, or None when the set is empty."""
        return next(iter(self.get_partition_keys(current_time)), None)

    def get_last_partition_key(self, current_time: Optional[datetime] = None) -> Optional[str]:
        """The last key, or None when the set is empty."""
        keys = self.get_partition_keys(current_time)
        return keys[-1] if keys else None

    def get_num_partitions(self, current_time: Optional[datetime] = None) -> int:
        """How many keys the set has."""
        return len(self.get_partition_keys(current_time))

    def __eq__(self, other: object) -> bool:
        return self is other or (isinstance(other, PartitionsDefinition)
                                 and self._identity_once() == other._identity_once())

    def __hash__(self) -> int:
        return hash(self._identity_once())

    def _identity_once(self) -> tuple:
        """`_identity()`, worked out on first use (a plan compares definitions per step)."""
        found = self.__dict__.get("_identity_value")
        if found is None:
            found = self._identity()
            object.__setattr__(self, "_identity_value", found)
        return found


class StaticPartitionsDefinition(PartitionsDefinition):
    """A fixed list of keys, in the order given."""

    def __init__(self, partition_keys: Sequence[str]) -> None:
        keys = tuple(str(k) for k in partition_keys)
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            raise DefinitionError(f"static partition keys must be unique; repeated: {repeated}")
        self._set(_keys=keys, _key_set=frozenset(keys))

    def get_partition_keys(self, current_time: Optional[datetime] = None) -> list[str]:
        """The keys, in the order given."""
        return list(self._keys)

    def has_partition_key(self, key: str, current_time: Optional[datetime] = None) -> bool:
        """Whether `key` is one of the keys."""
        return key in self._key_set

    def _identity(self) -> tuple:
        return ("static", self._keys)

    def __repr__(self) -> str:
        shown = ", ".join(repr(k) for k in self._keys[:5])
        shown += ", ..." if len(self._keys) > 5 else ""
        return f"StaticPartitionsDefinition([{shown}])"
