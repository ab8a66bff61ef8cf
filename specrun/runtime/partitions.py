"""Partitions: static key sets, time windows (hourly/daily/weekly/monthly), two-dimensional
products, and mappings between differently partitioned assets.

Time arithmetic is done on wall-clock time in the definition's timezone (daily, weekly,
monthly) or on absolute time (hourly), so days across a DST change have 23 or 25 hours.
"""

from __future__ import annotations

import itertools
from abc import ABC, abstractmethod
from datetime import date, datetime, timedelta, timezone as dt_timezone
from typing import Any, Mapping, NamedTuple, Optional, Sequence
from zoneinfo import ZoneInfo

from ..errors import DefinitionError, PartitionError, suggest


class TimeWindow(NamedTuple):
    """A half-open interval [start, end) of tz-aware datetimes."""

    start: datetime
    end: datetime


class PartitionKeyRange(NamedTuple):
    """An inclusive range of partition keys."""

    start: str
    end: str


class PartitionsDefinition(ABC):
    """A set of partition keys."""

    @abstractmethod
    def get_partition_keys(self, current_time: Optional[datetime] = None) -> list[str]:
        """Every key, in order."""

    def has_partition_key(self, key: str, current_time: Optional[datetime] = None) -> bool:
        return key in self.get_partition_keys(current_time)

    def validate_partition_key(self, key: str, current_time: Optional[datetime] = None) -> None:
        """Raise PartitionError naming the key (with a hint) when it is not a key of this set."""
        if not self.has_partition_key(key, current_time):
            keys = self.get_partition_keys(current_time)
            hint = suggest(key, keys)
            raise PartitionError(f"unknown partition key {key!r} for {self!r}"
                                 + (f"; {hint}" if hint else ""))

    def get_partition_keys_in_range(self, key_range: PartitionKeyRange,
                                    current_time: Optional[datetime] = None) -> list[str]:
        keys = self.get_partition_keys(current_time)
        for key in key_range:
            self.validate_partition_key(key, current_time)
        i, j = keys.index(key_range.start), keys.index(key_range.end)
        if i > j:
            raise PartitionError(f"partition range {key_range.start}..{key_range.end} is reversed")
        return keys[i:j + 1]

    def get_first_partition_key(self, current_time: Optional[datetime] = None) -> Optional[str]:
        keys = self.get_partition_keys(current_time)
        return keys[0] if keys else None

    def get_last_partition_key(self, current_time: Optional[datetime] = None) -> Optional[str]:
        keys = self.get_partition_keys(current_time)
        return keys[-1] if keys else None

    def get_num_partitions(self, current_time: Optional[datetime] = None) -> int:
        return len(self.get_partition_keys(current_time))


class StaticPartitionsDefinition(PartitionsDefinition):
    """A fixed list of keys."""

    def __init__(self, partition_keys: Sequence[str]) -> None:
        keys = [str(k) for k in partition_keys]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise DefinitionError(f"static partition keys must be unique; repeated: {dupes}")
        self._keys = keys

    def get_partition_keys(self, current_time: Optional[datetime] = None) -> list[str]:
        return list(self._keys)

    def has_partition_key(self, key: str, current_time: Optional[datetime] = None) -> bool:
        return key in self._keys

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StaticPartitionsDefinition) and self._keys == other._keys

    def __hash__(self) -> int:
        return hash(tuple(self._keys))

    def __repr__(self) -> str:
        shown = ", ".join(self._keys[:5]) + (", ..." if len(self._keys) > 5 else "")
        return f"StaticPartitionsDefinition([{shown}])"


def _parse_start(value: Any, fmt: str, tz: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(tz) if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=tz)
    for parse in (lambda s: datetime.strptime(s, fmt), datetime.fromisoformat):
        try:
            parsed = parse(str(value))
        except ValueError:
            continue
        return parsed.astimezone(tz) if parsed.tzinfo else parsed.replace(tzinfo=tz)
    raise DefinitionError(f"cannot read {value!r} as a date in the format {fmt!r} or ISO 8601")


class TimeWindowPartitionsDefinition(PartitionsDefinition):
    """Consecutive time windows of one cadence: hourly, daily, weekly or monthly."""

    def __init__(self, start: Any, fmt: str, end: Any = None, timezone: Optional[str] = None,
                 end_offset: int = 0, cadence: str = "daily", minute_offset: int = 0,
                 hour_offset: int = 0, day_offset: int = 0) -> None:
        if cadence not in ("hourly", "daily", "weekly", "monthly"):
            raise DefinitionError(f"unknown cadence {cadence!r}")
        self.timezone = timezone or "UTC"
        self.tz = ZoneInfo(self.timezone)
        self.fmt = fmt
        self.cadence = cadence
        self.minute_offset, self.hour_offset, self.day_offset = minute_offset, hour_offset, day_offset
        self.end_offset = end_offset
        self.start = self._align_up(_parse_start(start, fmt, self.tz))
        self.end = _parse_start(end, fmt, self.tz) if end is not None else None

    # -- window arithmetic ------------------------------------------------------------------
    def _at(self, d: date, hour: int = 0, minute: int = 0) -> datetime:
        return datetime(d.year, d.month, d.day, hour, minute, tzinfo=self.tz)

    def _floor(self, dt: datetime) -> datetime:
        """The start of the window containing `dt`."""
        dt = dt.astimezone(self.tz)
        if self.cadence == "hourly":
            start = dt.replace(minute=self.minute_offset, second=0, microsecond=0)
            return start if start <= dt else self._prev(start)
        base = self._at(dt.date(), self.hour_offset, self.minute_offset)
        if self.cadence == "weekly":
            back = (dt.date().isoweekday() % 7 - self.day_offset) % 7
            base = self._at(dt.date() - timedelta(days=back), self.hour_offset, self.minute_offset)
        elif self.cadence == "monthly":
            base = self._at(dt.date().replace(day=max(1, self.day_offset or 1)), self.hour_offset,
                            self.minute_offset)
        while base > dt:
            base = self._prev(base)
        return base

    def _align_up(self, dt: datetime) -> datetime:
        floor = self._floor(dt)
        return floor if floor == dt else self._next(floor)

    def _next(self, start: datetime) -> datetime:
        if self.cadence == "hourly":
            return (start.astimezone(dt_timezone.utc) + timedelta(hours=1)).astimezone(self.tz)
        if self.cadence == "daily":
            return self._at(start.date() + timedelta(days=1), start.hour, start.minute)
        if self.cadence == "weekly":
            return self._at(start.date() + timedelta(days=7), start.hour, start.minute)
        year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
        return self._at(start.date().replace(year=year, month=month), start.hour, start.minute)

    def _prev(self, start: datetime) -> datetime:
        if self.cadence == "hourly":
            return (start.astimezone(dt_timezone.utc) - timedelta(hours=1)).astimezone(self.tz)
        if self.cadence == "daily":
            return self._at(start.date() - timedelta(days=1), start.hour, start.minute)
        if self.cadence == "weekly":
            return self._at(start.date() - timedelta(days=7), start.hour, start.minute)
        year, month = (start.year - 1, 12) if start.month == 1 else (start.year, start.month - 1)
        return self._at(start.date().replace(year=year, month=month), start.hour, start.minute)

    def _last_start(self, current_time: Optional[datetime]) -> Optional[datetime]:
        """Start of the last window in the set (None when the set is empty)."""
        if self.end is not None:
            last = self._prev(self._floor(self.end))  # the last window that ends by `end`
        else:
            now = current_time or datetime.now(dt_timezone.utc)
            last = self._prev(self._floor(now))  # the last complete window
            for _ in range(self.end_offset):
                last = self._next(last)
            for _ in range(-self.end_offset):
                last = self._prev(last)
        return last if last >= self.start else None

    def _key(self, start: datetime) -> str:
        return start.strftime(self.fmt)

    # -- public API ---------------------------------------------------------------------
    def get_partition_keys(self, current_time: Optional[datetime] = None) -> list[str]:
        last = self._last_start(current_time)
        keys, seen = [], set()
        cursor = self.start
        while last is not None and cursor <= last:
            key = self._key(cursor)
            if key not in seen:
                seen.add(key)
                keys.append(key)
            cursor = self._next(cursor)
        return keys

    def _start_of_key(self, key: str) -> datetime:
        try:
            parsed = datetime.strptime(key, self.fmt)
        except (ValueError, TypeError):
            raise PartitionError(
                f"partition key {key!r} does not match the format {self.fmt!r} of {self!r}") from None
        start = parsed.replace(tzinfo=self.tz)
        if self._floor(start) != start or self._key(start) != key:
            raise PartitionError(f"partition key {key!r} is not the start of a {self.cadence} window of {self!r}")
        return start

    def has_partition_key(self, key: str, current_time: Optional[datetime] = None) -> bool:
        try:
            start = self._start_of_key(key)
        except PartitionError:
            return False
        last = self._last_start(current_time)
        return last is not None and self.start <= start <= last

    def validate_partition_key(self, key: str, current_time: Optional[datetime] = None) -> None:
        start = self._start_of_key(key)
        last = self._last_start(current_time)
        if last is None or not self.start <= start <= last:
            span = f"{self._key(self.start)}..{self._key(last)}" if last is not None else "none yet"
            raise PartitionError(f"partition key {key!r} is outside the range of {self!r} ({span})")

    def time_window_for_partition_key(self, key: str) -> TimeWindow:
        start = self._start_of_key(key)
        return TimeWindow(start, self._next(start))

    def get_partition_key_for_timestamp(self, timestamp: float, end_offset: int = 0) -> str:
        start = self._floor(datetime.fromtimestamp(timestamp, dt_timezone.utc))
        for _ in range(end_offset):
            start = self._next(start)
        return self._key(start)

    def get_partition_keys_in_time_window(self, window: TimeWindow) -> list[str]:
        """Keys of windows overlapping `window`."""
        cursor, keys = self._floor(window.start), []
        while cursor < window.end:
            if cursor >= self.start:
                keys.append(self._key(cursor))
            cursor = self._next(cursor)
        return keys

    def _identity(self) -> tuple:
        return (self.cadence, self.start, self.end, self.timezone, self.fmt, self.end_offset,
                self.minute_offset, self.hour_offset, self.day_offset)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TimeWindowPartitionsDefinition) and self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash(self._identity())

    def __repr__(self) -> str:
        end = f", end={self._key(self.end)!r}" if self.end else ""
        tz = f", timezone={self.timezone!r}" if self.timezone != "UTC" else ""
        return f"{self.cadence.capitalize()}Partitions(start={self._key(self.start)!r}{end}{tz})"


class DailyPartitionsDefinition(TimeWindowPartitionsDefinition):
    def __init__(self, start_date: Any, end_date: Any = None, minute_offset: int = 0,
                 hour_offset: int = 0, timezone: Optional[str] = None, fmt: Optional[str] = None,
                 end_offset: int = 0) -> None:
        super().__init__(start_date, fmt or "%Y-%m-%d", end_date, timezone, end_offset, "daily",
                         minute_offset, hour_offset)


class HourlyPartitionsDefinition(TimeWindowPartitionsDefinition):
    def __init__(self, start_date: Any, end_date: Any = None, minute_offset: int = 0,
                 timezone: Optional[str] = None, fmt: Optional[str] = None, end_offset: int = 0) -> None:
        super().__init__(start_date, fmt or "%Y-%m-%d-%H:%M", end_date, timezone, end_offset,
                         "hourly", minute_offset)


class WeeklyPartitionsDefinition(TimeWindowPartitionsDefinition):
    def __init__(self, start_date: Any, end_date: Any = None, minute_offset: int = 0,
                 hour_offset: int = 0, day_offset: int = 0, timezone: Optional[str] = None,
                 fmt: Optional[str] = None, end_offset: int = 0) -> None:
        super().__init__(start_date, fmt or "%Y-%m-%d", end_date, timezone, end_offset, "weekly",
                         minute_offset, hour_offset, day_offset)


class MonthlyPartitionsDefinition(TimeWindowPartitionsDefinition):
    def __init__(self, start_date: Any, end_date: Any = None, minute_offset: int = 0,
                 hour_offset: int = 0, day_offset: int = 1, timezone: Optional[str] = None,
                 fmt: Optional[str] = None, end_offset: int = 0) -> None:
        super().__init__(start_date, fmt or "%Y-%m-%d", end_date, timezone, end_offset, "monthly",
                         minute_offset, hour_offset, day_offset)


class MultiPartitionKey(str):
    """A key of a two-dimensional definition: ``"2024-01-01|eu"`` with `keys_by_dimension`."""

    keys_by_dimension: dict[str, str]

    def __new__(cls, keys_by_dimension: Mapping[str, str]) -> "MultiPartitionKey":
        names = sorted(keys_by_dimension)
        obj = super().__new__(cls, "|".join(str(keys_by_dimension[n]) for n in names))
        obj.keys_by_dimension = {n: str(keys_by_dimension[n]) for n in names}
        return obj


class PartitionDimensionDefinition(NamedTuple):
    name: str
    partitions_def: PartitionsDefinition


class MultiPartitionsDefinition(PartitionsDefinition):
    """The product of two partition sets; keys join the dimensions' keys with ``|``."""

    def __init__(self, partitions_defs: Mapping[str, PartitionsDefinition]) -> None:
        if len(partitions_defs) != 2:
            raise DefinitionError("a multi-partitions definition has exactly two dimensions")
        self.partitions_defs = [PartitionDimensionDefinition(n, partitions_defs[n])
                                for n in sorted(partitions_defs)]

    def get_partition_keys(self, current_time: Optional[datetime] = None) -> list[str]:
        (a, da), (b, db) = self.partitions_defs
        return [MultiPartitionKey({a: x, b: y}) for x, y in itertools.product(
            da.get_partition_keys(current_time), db.get_partition_keys(current_time))]

    def get_partition_key_from_str(self, text: str) -> MultiPartitionKey:
        parts = text.split("|")
        if len(parts) != 2:
            raise PartitionError(f"partition key {text!r} should have two parts joined by '|'")
        return MultiPartitionKey({d.name: p for d, p in zip(self.partitions_defs, parts)})

    def has_partition_key(self, key: str, current_time: Optional[datetime] = None) -> bool:
        parts = str(key).split("|")
        return len(parts) == 2 and all(
            d.partitions_def.has_partition_key(p, current_time) for d, p in zip(self.partitions_defs, parts))

    def validate_partition_key(self, key: str, current_time: Optional[datetime] = None) -> None:
        mkey = self.get_partition_key_from_str(str(key))
        for dim in self.partitions_defs:
            dim.partitions_def.validate_partition_key(mkey.keys_by_dimension[dim.name], current_time)

    @property
    def time_window_dimension(self) -> Optional[PartitionDimensionDefinition]:
        return next((d for d in self.partitions_defs
                     if isinstance(d.partitions_def, TimeWindowPartitionsDefinition)), None)

    def time_window_for_partition_key(self, key: str) -> TimeWindow:
        dim = self.time_window_dimension
        if dim is None:
            raise PartitionError(f"{self!r} has no time dimension")
        mkey = self.get_partition_key_from_str(str(key))
        return dim.partitions_def.time_window_for_partition_key(mkey.keys_by_dimension[dim.name])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MultiPartitionsDefinition) and self.partitions_defs == other.partitions_defs

    def __hash__(self) -> int:
        return hash(tuple(self.partitions_defs))

    def __repr__(self) -> str:
        return "MultiPartitions(" + ", ".join(f"{d.name}={d.partitions_def!r}" for d in self.partitions_defs) + ")"


from .partition_mappings import (  # noqa: E402  (mappings use the classes above)
    AllPartitionMapping, IdentityPartitionMapping, LastPartitionMapping, PartitionMapping,
    StaticPartitionMapping, TimeWindowPartitionMapping, default_partition_mapping,
)

_KINDS = {"daily": DailyPartitionsDefinition, "hourly": HourlyPartitionsDefinition,
          "weekly": WeeklyPartitionsDefinition, "monthly": MonthlyPartitionsDefinition}


def partitions_def_from_spec(kind: str, **options: Any) -> PartitionsDefinition:
    """Build a definition from plain data, as a spec file writes it."""
    if kind == "static":
        return StaticPartitionsDefinition(options.get("keys") or [])
    if kind == "multi":
        dims = options.get("dimensions") or {}
        return MultiPartitionsDefinition({n: partitions_def_from_spec(d.get("type", ""), **{
            k: v for k, v in d.items() if k != "type"}) for n, d in dims.items()})
    if kind not in _KINDS:
        hint = suggest(kind, list(_KINDS) + ["static", "multi"])
        raise DefinitionError(f"unknown partitions type {kind!r}" + (f"; {hint}" if hint else ""))
    args = {"start_date": options.get("start"), "end_date": options.get("end"),
            "timezone": options.get("timezone"), "fmt": options.get("fmt"),
            "end_offset": options.get("end_offset", 0), "minute_offset": options.get("minute_offset", 0)}
    if kind != "hourly":
        args["hour_offset"] = options.get("hour_offset", 0)
    if kind in ("weekly", "monthly") and "day_offset" in options:
        args["day_offset"] = options["day_offset"]
    return _KINDS[kind](**args)


__all__ = [
    "TimeWindow", "PartitionKeyRange", "PartitionsDefinition", "StaticPartitionsDefinition",
    "TimeWindowPartitionsDefinition", "DailyPartitionsDefinition", "HourlyPartitionsDefinition",
    "WeeklyPartitionsDefinition", "MonthlyPartitionsDefinition", "MultiPartitionsDefinition",
    "MultiPartitionKey", "PartitionDimensionDefinition", "PartitionMapping",
    "IdentityPartitionMapping", "AllPartitionMapping", "LastPartitionMapping",
    "TimeWindowPartitionMapping", "StaticPartitionMapping", "default_partition_mapping",
    "partitions_def_from_spec",
]
