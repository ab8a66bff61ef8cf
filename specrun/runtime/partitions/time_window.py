"""Time-window partitions: `TimeWindowPartitionsDefinition` and its hourly, daily, weekly and
monthly forms (window boundaries from `schedule`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping, Optional

from ...errors import DefinitionError, PartitionError
from .base import PartitionKeyRange, PartitionsDefinition, TimeWindow, _with_hint
from .schedule import (
    DAY_RANGES, OFFSET_RANGES, Schedule, current_keys, now_ts, parse_text, read_cadence, read_time,
    zone,
)


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
        name, from_cron = read_cadence(cadence)
        offsets = {"minute_offset": minute_offset, "hour_offset": hour_offset,
                   "day_offset": day_offset, **from_cron}
        if name == "monthly" and offsets["day_offset"] == 0:
            offsets["day_offset"] = 1  # Dagster reads a monthly day_offset of 0 as the first
        _check_offsets(name, offsets)
        tz = zone(timezone or "UTC")
        self._set(cadence=name, fmt=fmt, timezone=timezone or "UTC", tz=tz, end_offset=end_offset,
                  start=read_time(start, fmt, tz, "start"),
                  end=None if end is None else read_time(end, fmt, tz, "end"), **offsets)
        self._set(_schedule=Schedule(name, tz, offsets["minute_offset"], offsets["hour_offset"],
                                      offsets["day_offset"]))

    # -- the set of windows -------------------------------------------------------------
    def _first_tick(self) -> datetime:
        return self._schedule.ceil(self.start.timestamp())

    def _last_tick(self, current_time: Optional[datetime]) -> Optional[datetime]:
        """Start of the last window in the set, or None when the set is empty."""
        sched = self._schedule
        last = sched.shift(sched.floor(now_ts(current_time, self.tz)), max(self.end_offset, 0) - 1)
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
        if current_time is None and key in current_keys(self):
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
        parsed = parse_text(text, self.fmt)
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
    unused |= set() if cadence in DAY_RANGES else {"day_offset"}
    for name, value in offsets.items():
        if name in unused:
            if value:
                raise DefinitionError(f"{name} does not apply to {cadence} partitions")
            continue
        low, high = DAY_RANGES[cadence] if name == "day_offset" else OFFSET_RANGES[name]
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
