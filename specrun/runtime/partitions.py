"""Partitions: static key sets, time windows (hourly, daily, weekly, monthly), two-dimensional
products, and (re-exported from `partition_mappings`) the mappings between them.

Window boundaries ("ticks") follow Dagster's cron semantics in the definition's timezone.
Daily, weekly and monthly ticks are wall-clock times, so a day across a DST change lasts 23
or 25 hours; a tick at a skipped wall time fires at the end of the gap and one at a repeated
wall time fires at its second instance, as Dagster's schedules do. Hourly ticks are one real
hour apart; the second of two repeated hours gets its UTC offset appended to its key
("2024-11-03-01:00-0500"), as Dagster's keys do.
"""

from __future__ import annotations

import calendar
import itertools
import re
import weakref
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone as dt_timezone
from time import monotonic
from typing import Any, Mapping, NamedTuple, Optional, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from ..errors import DefinitionError, NoPartitionError, PartitionError, suggest


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


def _wall_instant(naive: datetime, tz: ZoneInfo) -> datetime:
    """When a tick at wall time `naive` fires: the second of two repeated times, or the end of
    the gap for a skipped one (Dagster's documented schedule behaviour)."""
    later = datetime.fromtimestamp(naive.replace(tzinfo=tz, fold=1).timestamp(), tz)
    if later.replace(tzinfo=None) == naive:
        return later
    low = int(naive.replace(tzinfo=tz, fold=1).timestamp())
    high = int(naive.replace(tzinfo=tz, fold=0).timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, tz).replace(tzinfo=None) > naive:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, tz)


@dataclass(frozen=True)
class _Schedule:
    """The window boundaries ("ticks") of one cadence in one timezone, like a cron string."""

    cadence: str
    tz: ZoneInfo
    minute: int = 0
    hour: int = 0
    day: int = 0

    def floor(self, ts: float) -> datetime:
        """The last tick at or before the instant `ts`."""
        local = datetime.fromtimestamp(ts, self.tz)
        if self.cadence == "hourly":
            tick = local.replace(minute=self.minute, second=0, microsecond=0)
            return tick if tick.timestamp() <= ts else self.shift(tick, -1)
        nominal = self._anchor(local.date())
        while self._at(nominal).timestamp() > ts:
            nominal = self._step(nominal, -1)
        return self._at(nominal)

    def ceil(self, ts: float) -> datetime:
        """The first tick at or after the instant `ts`."""
        tick = self.floor(ts)
        return tick if tick.timestamp() == ts else self.shift(tick, 1)

    def shift(self, tick: datetime, periods: int) -> datetime:
        """The tick `periods` windows after `tick` (before it when negative)."""
        if self.cadence == "hourly":
            return datetime.fromtimestamp(tick.timestamp() + 3600 * periods, self.tz)
        return self._at(self._step(self._anchor(tick.astimezone(self.tz).date()), periods))

    def _at(self, nominal: date) -> datetime:
        return _wall_instant(datetime.combine(nominal, time(self.hour, self.minute)), self.tz)

    def _anchor(self, day: date) -> date:
        """The date of the last tick on or before `day`."""
        if self.cadence == "weekly":
            return day - timedelta(days=(day.isoweekday() % 7 - self.day) % 7)
        if self.cadence == "monthly":
            if day.day >= self.day:
                return day.replace(day=self.day)
            return self._step(day.replace(day=1), -1)
        return day

    def _step(self, nominal: date, periods: int) -> date:
        if self.cadence == "daily":
            return nominal + timedelta(days=periods)
        if self.cadence == "weekly":
            return nominal + timedelta(weeks=periods)
        month, sign = nominal.year * 12 + nominal.month - 1, 1 if periods > 0 else -1
        for _ in range(abs(periods)):
            month += sign
            while calendar.monthrange(month // 12, month % 12 + 1)[1] < self.day:
                month += sign  # like cron, a month without the day has no tick
        return date(month // 12, month % 12 + 1, self.day)


_CADENCES = ("hourly", "daily", "weekly", "monthly")
_OFFSET_RANGES = {"minute_offset": (0, 59), "hour_offset": (0, 23)}
_DAY_RANGES = {"weekly": (0, 6), "monthly": (1, 31)}
_CRON_PATTERNS = {"hourly": r"(\d+) \* \* \* \*", "daily": r"(\d+) (\d+) \* \* \*",
                  "weekly": r"(\d+) (\d+) \* \* (\d+)", "monthly": r"(\d+) (\d+) (\d+) \* \*"}


def _read_cadence(cadence: str) -> tuple[str, dict[str, int]]:
    """A cadence name, or one of the four cron shapes Dagster's partitions use (whose fields
    then replace the offsets)."""
    if cadence in _CADENCES:
        return cadence, {}
    for name, pattern in _CRON_PATTERNS.items():
        match = re.fullmatch(pattern, str(cadence).strip())
        if match:
            fields = ("minute_offset", "hour_offset", "day_offset")
            return name, dict(zip(fields, (int(g) for g in match.groups())))
    hint = suggest(cadence, _CADENCES)
    raise DefinitionError(_with_hint(
        f"unknown cadence {cadence!r}: use hourly, daily, weekly, monthly or a cron string like "
        "'0 0 * * *'", hint))


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        hint = suggest(name, available_timezones())
        raise DefinitionError(_with_hint(f"unknown timezone {name!r}", hint)) from None


def _read_time(value: Any, fmt: str, tz: ZoneInfo, what: str) -> datetime:
    """A start or end as an instant in `tz`. Like Dagster, a datetime is read as a wall time in
    the definition's timezone; an ISO string with an explicit offset keeps its instant."""
    if isinstance(value, datetime):
        parsed = value.replace(tzinfo=None)
    elif isinstance(value, date):
        parsed = datetime.combine(value, time())
    else:
        parsed = _parse_text(str(value), fmt)
        if parsed is None:
            raise DefinitionError(f"{what} {value!r} is neither in the format {fmt!r} nor ISO 8601")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return datetime.fromtimestamp(parsed.timestamp(), tz)


def _parse_text(text: str, fmt: str) -> Optional[datetime]:
    for parse in (lambda s: datetime.strptime(s, fmt), datetime.fromisoformat):
        try:
            return parse(text)
        except ValueError:
            continue
    return None


def _now_ts(current_time: Optional[datetime], tz: ZoneInfo) -> float:
    if current_time is None:
        return datetime.now(dt_timezone.utc).timestamp()
    if current_time.tzinfo is None:  # as Dagster: a naive time is in the definition's timezone
        current_time = current_time.replace(tzinfo=tz)
    return current_time.timestamp()


# Time-window definition -> (monotonic time until which it holds, its keys now). "Now" moves:
# a key set is reused for at most a second, far below the shortest window.
_KEY_SETS: "weakref.WeakKeyDictionary[Any, tuple[float, frozenset[str]]]" = weakref.WeakKeyDictionary()


def _current_keys(pdef: "TimeWindowPartitionsDefinition") -> frozenset[str]:
    now = monotonic()
    cached = _KEY_SETS.get(pdef)
    if cached is None or cached[0] < now:
        cached = _KEY_SETS[pdef] = (now + 1.0, frozenset(pdef.get_partition_keys()))
    return cached[1]


class TimeWindowPartitionsDefinition(PartitionsDefinition):
    """Consecutive time windows of one cadence (hourly, daily, weekly or monthly, or the
    equivalent cron string); each key is its window's start formatted with `fmt`.

    The first window starts at the first tick at or after `start`. Without `end`, the last
    window is the last one complete before `current_time` (default now), moved by `end_offset`
    windows (1 includes the window in progress); with `end` (exclusive) windows must also end
    by `end`.
    """

    _defaults = {"cadence": None, "minute_offset": 0, "hour_offset": 0, "day_offset": 0}
    _default_fmt = ""

    def __init__(self, start: Any, fmt: str, end: Any = None, timezone: Optional[str] = None,
                 end_offset: int = 0, cadence: str = "daily", minute_offset: int = 0,
                 hour_offset: int = 0, day_offset: int = 0) -> None:
        name, from_cron = _read_cadence(cadence)
        offsets = {"minute_offset": minute_offset, "hour_offset": hour_offset,
                   "day_offset": day_offset, **from_cron}
        if name == "monthly" and offsets["day_offset"] == 0:
            offsets["day_offset"] = 1  # Dagster reads a monthly day_offset of 0 as the first
        _check_offsets(name, offsets)
        tz = _zone(timezone or "UTC")
        self._set(cadence=name, fmt=fmt, timezone=timezone or "UTC", tz=tz, end_offset=end_offset,
                  start=_read_time(start, fmt, tz, "start"),
                  end=None if end is None else _read_time(end, fmt, tz, "end"), **offsets)
        self._set(_schedule=_Schedule(name, tz, offsets["minute_offset"], offsets["hour_offset"],
                                      offsets["day_offset"]))

    # -- the set of windows -------------------------------------------------------------
    def _first_tick(self) -> datetime:
        return self._schedule.ceil(self.start.timestamp())

    def _last_tick(self, current_time: Optional[datetime]) -> Optional[datetime]:
        """Start of the last window in the set, or None when the set is empty."""
        sched = self._schedule
        last = sched.shift(sched.floor(_now_ts(current_time, self.tz)), max(self.end_offset, 0) - 1)
        if self.end is not None:
            by_end = sched.shift(sched.floor(self.end.timestamp()), -1)
            last = min(last, by_end, key=datetime.timestamp)
        last = sched.shift(last, min(self.end_offset, 0))
        return last if last.timestamp() >= self._first_tick().timestamp() else None

    def _ticks(self, first: datetime, stop_ts: float) -> list[datetime]:
        """Ticks from `first` while they are at or before `stop_ts`."""
        ticks = []
        while first.timestamp() <= stop_ts:
            ticks.append(first)
            first = self._schedule.shift(first, 1)
        return ticks

    def _key(self, tick: datetime) -> str:
        repeated = tick.fold == 1 and tick.utcoffset() != tick.replace(fold=0).utcoffset()
        if self.cadence == "hourly" and repeated and "%z" not in self.fmt:
            return tick.strftime(self.fmt + "%z")
        return tick.strftime(self.fmt)

    def _key_start(self, key: str) -> datetime:
        """The tick `key` names; PartitionError when it is malformed or not a window start."""
        parsed = None
        for fmt in (self.fmt, self.fmt + "%z"):
            try:
                parsed = datetime.strptime(str(key), fmt)
                break
            except ValueError:
                continue
        if parsed is None:
            raise PartitionError(
                f"partition key {key!r} of {self!r} does not match the format {self.fmt!r} "
                f"(a key looks like {self._key(self._first_tick())!r})")
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=self.tz)
        tick = self._schedule.ceil(parsed.timestamp())
        if self._key(tick) != key:
            raise PartitionError(_with_hint(f"partition key {key!r} is not the start of a "
                                            f"{self.cadence} window of {self!r}",
                                            f"did you mean {self._key(tick)!r}?"))
        return tick

    # -- PartitionsDefinition -------------------------------------------------------------
    def get_partition_keys(self, current_time: Optional[datetime] = None) -> list[str]:
        """Every window's key, in order."""
        last = self._last_tick(current_time)
        if last is None:
            return []
        return [self._key(t) for t in self._ticks(self._first_tick(), last.timestamp())]

    def has_partition_key(self, key: str, current_time: Optional[datetime] = None) -> bool:
        """Whether `key` starts a window of the set."""
        try:
            self.validate_partition_key(key, current_time)
        except PartitionError:
            return False
        return True

    def validate_partition_key(self, key: str, current_time: Optional[datetime] = None) -> None:
        """Raise PartitionError saying the expected format, or the valid range, for a bad key."""
        if current_time is None and key in _current_keys(self):
            return  # parsing and placing the key costs ~40 us: a plan validates each many times
        start = self._key_start(key).timestamp()
        first, last = self._first_tick(), self._last_tick(current_time)
        if last is None:
            raise PartitionError(f"partition key {key!r} is out of range for {self!r}: it has "
                                 f"no partitions yet (the first, {self._key(first)!r}, is not "
                                 "complete)")
        if not first.timestamp() <= start <= last.timestamp():
            raise PartitionError(f"partition key {key!r} is out of range for {self!r}: valid keys "
                                 f"are {self._key(first)}..{self._key(last)}")

    def get_partition_keys_in_range(self, key_range: PartitionKeyRange,
                                    current_time: Optional[datetime] = None) -> list[str]:
        """The keys from `key_range.start` to `key_range.end`, both included and validated."""
        for key in key_range:
            self.validate_partition_key(key, current_time)
        first, last = self._key_start(key_range.start), self._key_start(key_range.end)
        if first.timestamp() > last.timestamp():
            raise self._reversed(key_range)
        return [self._key(t) for t in self._ticks(first, last.timestamp())]

    def get_first_partition_key(self, current_time: Optional[datetime] = None) -> Optional[str]:
        """The first window's key, or None when no window is complete yet."""
        return None if self._last_tick(current_time) is None else self._key(self._first_tick())

    def get_last_partition_key(self, current_time: Optional[datetime] = None) -> Optional[str]:
        """The last window's key, or None when no window is complete yet."""
        last = self._last_tick(current_time)
        return None if last is None else self._key(last)

    # -- time windows -------------------------------------------------------------------
    def time_window_for_partition_key(self, key: str) -> TimeWindow:
        """The [start, end) window of `key` (not checked against the set's range, as in Dagster)."""
        start = self._key_start(key)
        return TimeWindow(start, self._schedule.shift(start, 1))

    def time_windows_for_range(self, key_range: PartitionKeyRange,
                               current_time: Optional[datetime] = None) -> list[TimeWindow]:
        """The window of each key in `key_range`."""
        keys = self.get_partition_keys_in_range(key_range, current_time)
        return [self.time_window_for_partition_key(k) for k in keys]

    def get_partition_key_for_timestamp(self, timestamp: float, end_offset: int = 0,
                                        end_closed: bool = False) -> str:
        """The key of the window holding `timestamp`, moved by `end_offset` windows; with
        `end_closed`, a timestamp on a boundary belongs to the window it ends."""
        if isinstance(end_offset, bool):  # Dagster's own second parameter is `end_closed`
            end_offset, end_closed = 0, end_offset
        tick = self._schedule.floor(timestamp)
        if end_closed and tick.timestamp() == timestamp:
            tick = self._schedule.shift(tick, -1)
        return self._key(self._schedule.shift(tick, end_offset))

    def get_partition_keys_in_time_window(self, time_window: TimeWindow) -> list[str]:
        """Keys of the windows that start within `time_window`, as Dagster's method does."""
        first = self._schedule.ceil(time_window.start.timestamp())
        ticks = self._ticks(first, time_window.end.timestamp())
        return [self._key(t) for t in ticks if t.timestamp() < time_window.end.timestamp()]

    # -- value behaviour ----------------------------------------------------------------
    def _identity(self) -> tuple:
        end = None if self.end is None else self.end.timestamp()
        return ("time", self.cadence, self.start.timestamp(), end, self.timezone, self.fmt,
                self.end_offset, self.minute_offset, self.hour_offset, self.day_offset)

    def _show(self, moment: datetime) -> str:
        text = moment.strftime(self.fmt)
        parsed = _parse_text(text, self.fmt)
        if parsed is not None and parsed.replace(tzinfo=self.tz).timestamp() == moment.timestamp():
            return text
        return moment.isoformat()

    def __repr__(self) -> str:
        named = type(self)._defaults["cadence"] is not None
        start, end = ("start_date", "end_date") if named else ("start", "end")
        args = [f"{start}={self._show(self.start)!r}"]
        if self.end is not None:
            args.append(f"{end}={self._show(self.end)!r}")
        for name, default in type(self)._defaults.items():
            if getattr(self, name) != default:
                args.append(f"{name}={getattr(self, name)!r}")
        args += [f"timezone={self.timezone!r}"] if self.timezone != "UTC" else []
        args += [f"fmt={self.fmt!r}"] if self.fmt != type(self)._default_fmt else []
        args += [f"end_offset={self.end_offset}"] if self.end_offset else []
        return f"{type(self).__name__}({', '.join(args)})"


def _check_offsets(cadence: str, offsets: Mapping[str, int]) -> None:
    unused = {"hour_offset"} if cadence == "hourly" else set()
    unused |= set() if cadence in _DAY_RANGES else {"day_offset"}
    for name, value in offsets.items():
        if name in unused:
            if value:
                raise DefinitionError(f"{name} does not apply to {cadence} partitions")
            continue
        low, high = _DAY_RANGES[cadence] if name == "day_offset" else _OFFSET_RANGES[name]
        if not isinstance(value, int) or not low <= value <= high:
            raise DefinitionError(f"{name} of {cadence} partitions must be an integer from "
                                  f"{low} to {high}, not {value!r}")


class HourlyPartitionsDefinition(TimeWindowPartitionsDefinition):
    """Hourly windows starting `minute_offset` minutes past each hour; fmt "%Y-%m-%d-%H:%M"."""

    _defaults = {"cadence": "hourly", "minute_offset": 0}
    _default_fmt = "%Y-%m-%d-%H:%M"

    def __init__(self, start_date: Any, end_date: Any = None, minute_offset: int = 0,
                 timezone: Optional[str] = None, fmt: Optional[str] = None,
                 end_offset: int = 0) -> None:
        super().__init__(start_date, fmt or self._default_fmt, end_date, timezone, end_offset,
                         "hourly", minute_offset)


class DailyPartitionsDefinition(TimeWindowPartitionsDefinition):
    """Daily windows starting at hour_offset:minute_offset; fmt "%Y-%m-%d"."""

    _defaults = {"cadence": "daily", "minute_offset": 0, "hour_offset": 0}
    _default_fmt = "%Y-%m-%d"

    def __init__(self, start_date: Any, end_date: Any = None, minute_offset: int = 0,
                 hour_offset: int = 0, timezone: Optional[str] = None, fmt: Optional[str] = None,
                 end_offset: int = 0) -> None:
        super().__init__(start_date, fmt or self._default_fmt, end_date, timezone, end_offset,
                         "daily", minute_offset, hour_offset)


class WeeklyPartitionsDefinition(TimeWindowPartitionsDefinition):
    """Weekly windows starting on `day_offset` (0 = Sunday, as in Dagster); fmt "%Y-%m-%d"."""

    _defaults = {"cadence": "weekly", "minute_offset": 0, "hour_offset": 0, "day_offset": 0}
    _default_fmt = "%Y-%m-%d"

    def __init__(self, start_date: Any, end_date: Any = None, minute_offset: int = 0,
                 hour_offset: int = 0, day_offset: int = 0, timezone: Optional[str] = None,
                 fmt: Optional[str] = None, end_offset: int = 0) -> None:
        super().__init__(start_date, fmt or self._default_fmt, end_date, timezone, end_offset,
                         "weekly", minute_offset, hour_offset, day_offset)


class MonthlyPartitionsDefinition(TimeWindowPartitionsDefinition):
    """Monthly windows starting on day `day_offset` of the month; fmt "%Y-%m-%d"."""

    _defaults = {"cadence": "monthly", "minute_offset": 0, "hour_offset": 0, "day_offset": 1}
    _default_fmt = "%Y-%m-%d"

    def __init__(self, start_date: Any, end_date: Any = None, minute_offset: int = 0,
                 hour_offset: int = 0, day_offset: int = 1, timezone: Optional[str] = None,
                 fmt: Optional[str] = None, end_offset: int = 0) -> None:
        super().__init__(start_date, fmt or self._default_fmt, end_date, timezone, end_offset,
                         "monthly", minute_offset, hour_offset, day_offset)


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


from .partition_mappings import (  # noqa: E402  (the mappings use the definitions above)
    AllPartitionMapping, IdentityPartitionMapping, LastPartitionMapping, PartitionMapping,
    StaticPartitionMapping, TimeWindowPartitionMapping, default_partition_mapping,
)

_TIME_KINDS: dict[str, type[TimeWindowPartitionsDefinition]] = {
    "hourly": HourlyPartitionsDefinition, "daily": DailyPartitionsDefinition,
    "weekly": WeeklyPartitionsDefinition, "monthly": MonthlyPartitionsDefinition}
_COMMON_OPTIONS = {"start", "end", "timezone", "fmt", "end_offset", "minute_offset"}
_SPEC_OPTIONS = {"static": {"keys"}, "multi": {"dimensions"}, "hourly": _COMMON_OPTIONS,
                 "daily": _COMMON_OPTIONS | {"hour_offset"},
                 "weekly": _COMMON_OPTIONS | {"hour_offset", "day_offset"},
                 "monthly": _COMMON_OPTIONS | {"hour_offset", "day_offset"}}


def partitions_def_from_spec(kind: str, **options: Any) -> PartitionsDefinition:
    """Build a definition from plain data, as a spec file writes it: `kind` is daily, hourly,
    weekly, monthly (options start, end, timezone, fmt, end_offset and the offsets), static
    (keys) or multi (dimensions: {name: {type: ..., ...}}); ``x-`` options are ignored."""
    options = {k: v for k, v in options.items() if not str(k).startswith("x-")}
    if kind not in _SPEC_OPTIONS:
        hint = suggest(kind, _SPEC_OPTIONS)
        raise DefinitionError(_with_hint(f"unknown partitions type {kind!r} (expected one of "
                                         f"{', '.join(_SPEC_OPTIONS)})", hint))
    for name in options:
        if name not in _SPEC_OPTIONS[kind]:
            hint = suggest(name, _SPEC_OPTIONS[kind])
            raise DefinitionError(_with_hint(f"{kind} partitions have no option {name!r}", hint))
    if kind == "static":
        return StaticPartitionsDefinition(options.get("keys") or [])
    if kind == "multi":
        return MultiPartitionsDefinition({name: _dimension_from_spec(name, dim) for name, dim
                                          in (options.get("dimensions") or {}).items()})
    if options.get("start") is None:
        raise DefinitionError(f"{kind} partitions need a 'start' date")
    args = {{"start": "start_date", "end": "end_date"}.get(k, k): v for k, v in options.items()}
    return _TIME_KINDS[kind](**args)


def _dimension_from_spec(name: str, spec: Mapping[str, Any]) -> PartitionsDefinition:
    kind = spec.get("type", "") if isinstance(spec, Mapping) else ""
    if kind == "multi":
        raise DefinitionError(f"dimension {name!r} cannot itself be a multi-partitions definition")
    try:
        return partitions_def_from_spec(kind, **{k: v for k, v in spec.items() if k != "type"})
    except DefinitionError as e:
        raise DefinitionError(f"dimension {name!r}: {e}") from e


__all__ = [
    "TimeWindow", "PartitionKeyRange", "PartitionsDefinition", "StaticPartitionsDefinition",
    "TimeWindowPartitionsDefinition", "DailyPartitionsDefinition", "HourlyPartitionsDefinition",
    "WeeklyPartitionsDefinition", "MonthlyPartitionsDefinition", "MultiPartitionsDefinition",
    "MultiPartitionKey", "PartitionDimensionDefinition", "PartitionMapping",
    "IdentityPartitionMapping", "AllPartitionMapping", "LastPartitionMapping",
    "TimeWindowPartitionMapping", "StaticPartitionMapping", "default_partition_mapping",
    "partitions_def_from_spec",
]
