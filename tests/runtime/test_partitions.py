"""Partitions: key lists, windows, DST, offsets, multi-dimensional keys, mappings, errors."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from specrun import (
    DailyPartitionsDefinition, HourlyPartitionsDefinition, MonthlyPartitionsDefinition,
    MultiPartitionsDefinition, PartitionKeyRange, StaticPartitionsDefinition, WeeklyPartitionsDefinition,
)
from specrun.errors import DefinitionError, PartitionError
from specrun.runtime.partitions import (
    AllPartitionMapping, IdentityPartitionMapping, LastPartitionMapping, TimeWindowPartitionMapping,
    default_partition_mapping, partitions_def_from_spec,
)

NOW = datetime(2024, 1, 5, 12, 0, tzinfo=timezone.utc)


def test_daily_keys_end_at_last_complete_day_and_end_offset_adds_today():
    daily = DailyPartitionsDefinition(start_date="2024-01-01")
    assert daily.get_partition_keys(NOW) == ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"]
    ahead = DailyPartitionsDefinition(start_date="2024-01-01", end_offset=1)
    assert ahead.get_partition_keys(NOW)[-1] == "2024-01-05"


def test_end_date_is_exclusive():
    daily = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-04")
    assert daily.get_partition_keys() == ["2024-01-01", "2024-01-02", "2024-01-03"]


def test_time_window_is_tz_aware():
    window = DailyPartitionsDefinition(start_date="2024-01-01", timezone="Europe/Berlin").time_window_for_partition_key("2024-01-02")
    assert window.start.isoformat() == "2024-01-02T00:00:00+01:00"
    assert window.end.isoformat() == "2024-01-03T00:00:00+01:00"


def test_hourly_has_23_partitions_on_spring_forward_day():
    hourly = HourlyPartitionsDefinition(start_date="2024-03-10-00:00", end_date="2024-03-11-00:00",
                                        timezone="America/New_York")
    keys = hourly.get_partition_keys()
    assert len(keys) == 23 and "2024-03-10-02:00" not in keys


def test_weekly_starts_on_sunday_and_monthly_on_day_offset():
    weekly = WeeklyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-22")
    assert weekly.get_partition_keys() == ["2024-01-07", "2024-01-14"]
    monthly = MonthlyPartitionsDefinition(start_date="2024-01-01", end_date="2024-04-01")
    assert monthly.get_partition_keys() == ["2024-01-01", "2024-02-01", "2024-03-01"]


def test_unknown_malformed_and_out_of_range_keys_have_clear_errors():
    daily = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-02-01")
    with pytest.raises(PartitionError, match="does not match the format '%Y-%m-%d'"):
        daily.validate_partition_key("01/02/2024")
    with pytest.raises(PartitionError, match=r"outside the range .*2024-01-01\.\.2024-01-31"):
        daily.validate_partition_key("2024-03-01")
    static = StaticPartitionsDefinition(["eu", "us"])
    with pytest.raises(PartitionError, match="did you mean 'eu'"):
        static.validate_partition_key("euu")


def test_static_duplicates_are_a_definition_error():
    with pytest.raises(DefinitionError, match="repeated"):
        StaticPartitionsDefinition(["a", "a"])


def test_key_range_and_key_for_timestamp():
    daily = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-02-01")
    assert daily.get_partition_keys_in_range(PartitionKeyRange("2024-01-30", "2024-01-31")) == ["2024-01-30", "2024-01-31"]
    assert daily.get_partition_key_for_timestamp(NOW.timestamp()) == "2024-01-05"


def test_multi_partition_keys_are_sorted_dimension_products():
    multi = MultiPartitionsDefinition({"region": StaticPartitionsDefinition(["eu", "us"]),
                                       "date": DailyPartitionsDefinition("2024-01-01", end_date="2024-01-03")})
    keys = multi.get_partition_keys()
    assert keys == ["2024-01-01|eu", "2024-01-01|us", "2024-01-02|eu", "2024-01-02|us"]
    assert keys[1].keys_by_dimension == {"date": "2024-01-01", "region": "us"}
    assert multi.time_window_for_partition_key("2024-01-02|eu").start.day == 2


def test_mappings():
    hourly = HourlyPartitionsDefinition(start_date="2024-01-01-00:00", end_date="2024-01-03-00:00")
    daily = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-03")
    hours = TimeWindowPartitionMapping().upstream_keys_for("2024-01-02", daily, hourly)
    assert len(hours) == 24 and hours[0] == "2024-01-02-00:00"
    previous = TimeWindowPartitionMapping(start_offset=-1, end_offset=-1).upstream_keys_for("2024-01-02", daily, daily)
    assert previous == ["2024-01-01"]
    assert AllPartitionMapping().upstream_keys_for(None, None, daily) == ["2024-01-01", "2024-01-02"]
    assert LastPartitionMapping().upstream_keys_for(None, None, daily) == ["2024-01-02"]
    assert isinstance(default_partition_mapping(daily, None), AllPartitionMapping)
    assert isinstance(default_partition_mapping(daily, daily), IdentityPartitionMapping)
    assert isinstance(default_partition_mapping(hourly, daily), TimeWindowPartitionMapping)


def test_partitions_from_spec_data():
    pdef = partitions_def_from_spec("daily", start="2024-01-01", end="2024-01-03", timezone="UTC")
    assert pdef.get_partition_keys() == ["2024-01-01", "2024-01-02"]
    multi = partitions_def_from_spec("multi", dimensions={"r": {"type": "static", "keys": ["a"]},
                                                          "d": {"type": "daily", "start": "2024-01-01", "end": "2024-01-02"}})
    assert multi.get_partition_keys() == ["2024-01-01|a"]
    with pytest.raises(DefinitionError, match="did you mean 'daily'"):
        partitions_def_from_spec("dayly")


@given(st.integers(min_value=0, max_value=364))
def test_daily_key_round_trips_through_its_window(offset):
    daily = DailyPartitionsDefinition(start_date="2023-01-01", end_date="2024-01-01")
    key = daily.get_partition_keys()[offset]
    window = daily.time_window_for_partition_key(key)
    assert window.start.strftime("%Y-%m-%d") == key
    if offset < 364:
        following = daily.get_partition_keys()[offset + 1]
        assert daily.time_window_for_partition_key(following).start == window.end
