"""Partition definitions built from a spec's plain data (specrun/runtime/partitions/__init__.py)."""

from __future__ import annotations

import pytest

from specrun.errors import DefinitionError
from specrun.runtime.partitions import (
    DailyPartitionsDefinition, HourlyPartitionsDefinition, MonthlyPartitionsDefinition,
    MultiPartitionsDefinition, StaticPartitionsDefinition, WeeklyPartitionsDefinition, partitions_def_from_spec,
)


def test_each_kind_from_its_options():
    assert partitions_def_from_spec("static", keys=["a", "b"]) == StaticPartitionsDefinition(["a", "b"])
    assert partitions_def_from_spec("static") == StaticPartitionsDefinition([])
    assert partitions_def_from_spec("daily", start="2024-01-01", end="2024-02-01", hour_offset=3) == \
        DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-02-01", hour_offset=3)
    assert partitions_def_from_spec("hourly", start="2024-01-01-00:00") == \
        HourlyPartitionsDefinition(start_date="2024-01-01-00:00")
    assert partitions_def_from_spec("weekly", start="2024-01-01", day_offset=2) == \
        WeeklyPartitionsDefinition(start_date="2024-01-01", day_offset=2)
    assert partitions_def_from_spec("monthly", start="2024-01-01", timezone="Europe/Paris") == \
        MonthlyPartitionsDefinition(start_date="2024-01-01", timezone="Europe/Paris")
    assert partitions_def_from_spec("static", keys=["a"], **{"x-note": "ignored"}) == StaticPartitionsDefinition(["a"])


def test_multi_from_dimensions():
    built = partitions_def_from_spec("multi", dimensions={
        "region": {"type": "static", "keys": ["eu", "us"]}, "date": {"type": "daily", "start": "2024-01-01"}})
    assert built == MultiPartitionsDefinition({"region": StaticPartitionsDefinition(["eu", "us"]),
                                               "date": DailyPartitionsDefinition(start_date="2024-01-01")})


@pytest.mark.parametrize("kind, options, message", [
    ("dayly", {}, "unknown partitions type 'dayly' (expected one of static, multi, hourly, daily, weekly, "
                  "monthly); did you mean 'daily'?"),
    ("zzz", {}, "unknown partitions type 'zzz' (expected one of static, multi, hourly, daily, weekly, monthly)"),
    ("hourly", {"start": "2024-01-01-00:00", "hour_offset": 1},
     "hourly partitions have no option 'hour_offset'; did you mean 'minute_offset'?"),
    ("static", {"keyz": ["a"]}, "static partitions have no option 'keyz'; did you mean 'keys'?"),
    ("daily", {"qqq": 1}, "daily partitions have no option 'qqq'"),
    ("daily", {"end": "2024-01-01"}, "daily partitions need a 'start' date"),
    ("weekly", {"start": None}, "weekly partitions need a 'start' date"),
    ("multi", {"dimensions": {"a": {"type": "multi"}, "b": {"type": "static", "keys": ["x"]}}},
     "dimension 'a' cannot itself be a multi-partitions definition"),
    ("multi", {"dimensions": {"a": {"type": "static", "kes": ["x"]}, "b": {"type": "static", "keys": ["y"]}}},
     "dimension 'a': static partitions have no option 'kes'; did you mean 'keys'?"),
    ("multi", {"dimensions": {"a": ["x"], "b": {"type": "static", "keys": ["y"]}}},
     "dimension 'a' must be a mapping with a 'type' (static, hourly, daily, weekly or monthly), not list"),
    ("multi", {"dimensions": {"a": {"keys": ["x"]}, "b": {"type": "static", "keys": ["y"]}}},
     "dimension 'a': unknown partitions type '' (expected one of static, multi, hourly, daily, weekly, monthly)"),
    ("multi", {}, "a multi-partitions definition has exactly two dimensions, not 0: []"),
])
def test_bad_options_are_named_with_a_hint(kind, options, message):
    with pytest.raises(DefinitionError) as err:
        partitions_def_from_spec(kind, **options)
    assert str(err.value) == message
