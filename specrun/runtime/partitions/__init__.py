"""Partitions: static key sets (`base`), time windows, hourly to monthly (`time_window`, with
their cadences in `schedule`), two-dimensional products (`multi`), the mappings between them
(`mappings`), and definitions from a spec's plain data (here).

Window boundaries ("ticks") follow Dagster's cron semantics in the definition's timezone.
Daily, weekly and monthly ticks are wall-clock times, so a day across a DST change lasts 23
or 25 hours; a tick at a skipped wall time fires at the end of the gap and one at a repeated
wall time fires at its second instance, as Dagster's schedules do. Hourly ticks are one real
hour apart; the second of two repeated hours gets its UTC offset appended to its key
("2024-11-03-01:00-0500"), as Dagster's keys do.
"""

from __future__ import annotations

from typing import Any, Mapping

from ...errors import DefinitionError, suggest
from .base import PartitionKeyRange, PartitionsDefinition, StaticPartitionsDefinition, TimeWindow, _with_hint
from .mappings import (
    AllPartitionMapping, IdentityPartitionMapping, LastPartitionMapping, PartitionMapping,
    StaticPartitionMapping, TimeWindowPartitionMapping, default_partition_mapping,
)
from .multi import MultiPartitionKey, MultiPartitionsDefinition, PartitionDimensionDefinition
from .time_window import (
    DailyPartitionsDefinition, HourlyPartitionsDefinition, MonthlyPartitionsDefinition,
    TimeWindowPartitionsDefinition, WeeklyPartitionsDefinition,
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
    if not isinstance(spec, Mapping):
        raise DefinitionError(f"dimension {name!r} must be a mapping with a 'type' "
                              f"(static, hourly, daily, weekly or monthly), not {type(spec).__name__}")
    kind = spec.get("type", "")
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
