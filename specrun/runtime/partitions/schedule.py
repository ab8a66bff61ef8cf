"""When time windows start: cron-like cadences (hourly, daily, weekly, monthly with offsets)
evaluated in a timezone, wall-clock ticks across DST changes, and key text <-> datetimes."""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone as dt_timezone
from time import monotonic
from typing import TYPE_CHECKING, Any, Optional

from ...errors import DefinitionError, suggest
from .base import _with_hint

if TYPE_CHECKING:  # zoneinfo (with sysconfig's data) and calendar are imported where used:
    from zoneinfo import ZoneInfo  # most processes (an unpartitioned apply) never do


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
class Schedule:
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
        import calendar

        month, sign = nominal.year * 12 + nominal.month - 1, 1 if periods > 0 else -1
        for _ in range(abs(periods)):
            month += sign
            while calendar.monthrange(month // 12, month % 12 + 1)[1] < self.day:
                month += sign  # like cron, a month without the day has no tick
        return date(month // 12, month % 12 + 1, self.day)


_CADENCES = ("hourly", "daily", "weekly", "monthly")
OFFSET_RANGES = {"minute_offset": (0, 59), "hour_offset": (0, 23)}
DAY_RANGES = {"weekly": (0, 6), "monthly": (1, 31)}
_CRON_PATTERNS = {"hourly": r"(\d+) \* \* \* \*", "daily": r"(\d+) (\d+) \* \* \*",
                  "weekly": r"(\d+) (\d+) \* \* (\d+)", "monthly": r"(\d+) (\d+) (\d+) \* \*"}


def read_cadence(cadence: str) -> tuple[str, dict[str, int]]:
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


def zone(name: str) -> ZoneInfo:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        hint = suggest(name, available_timezones())
        raise DefinitionError(_with_hint(f"unknown timezone {name!r}", hint)) from None


def read_time(value: Any, fmt: str, tz: ZoneInfo, what: str) -> datetime:
    """A start or end as an instant in `tz`. Like Dagster, a datetime is read as a wall time in
    the definition's timezone; an ISO string with an explicit offset keeps its instant."""
    if isinstance(value, datetime):
        parsed = value.replace(tzinfo=None)
    elif isinstance(value, date):
        parsed = datetime.combine(value, time())
    else:
        parsed = parse_text(str(value), fmt)
        if parsed is None:
            raise DefinitionError(f"{what} {value!r} is neither in the format {fmt!r} nor ISO 8601")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return datetime.fromtimestamp(parsed.timestamp(), tz)


def parse_text(text: str, fmt: str) -> Optional[datetime]:
    for parse in (lambda s: datetime.strptime(s, fmt), datetime.fromisoformat):
        try:
            return parse(text)
        except ValueError:
            continue
    return None


def now_ts(current_time: Optional[datetime], tz: ZoneInfo) -> float:
    if current_time is None:
        return datetime.now(dt_timezone.utc).timestamp()
    if current_time.tzinfo is None:  # as Dagster: a naive time is in the definition's timezone
        current_time = current_time.replace(tzinfo=tz)
    return current_time.timestamp()


# Time-window definition -> (monotonic time until which it holds, its keys now). "Now" moves:
# a key set is reused for at most a second, far below the shortest window.
_KEY_SETS: "weakref.WeakKeyDictionary[Any, tuple[float, frozenset[str]]]" = weakref.WeakKeyDictionary()


def current_keys(pdef: Any) -> frozenset[str]:
    now = monotonic()
    cached = _KEY_SETS.get(pdef)
    if cached is None or cached[0] < now:
        cached = _KEY_SETS[pdef] = (now + 1.0, frozenset(pdef.get_partition_keys()))
    return cached[1]
