"""Time-window partitions (specrun/runtime/partitions/time_window.py): the generic definition's
defaults, offsets that do not apply, the time asked, DST ends, reprs and equality."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from specrun.errors import DefinitionError, PartitionError
from specrun.runtime.partitions.base import PartitionKeyRange
from specrun.runtime.partitions.time_window import (
    DailyPartitionsDefinition, HourlyPartitionsDefinition, MonthlyPartitionsDefinition,
    TimeWindowPartitionsDefinition, WeeklyPartitionsDefinition,
)

UTC = timezone.utc
JAN_3 = datetime(2024, 1, 3, tzinfo=UTC)  # days 2024-01-01 and 2024-01-02 are complete


def test_generic_definition_is_daily_at_midnight_by_default():
    pdef = TimeWindowPartitionsDefinition(start="2024-01-01", fmt="%Y-%m-%d-%H:%M", end="2024-01-03")
    assert (pdef.cadence, pdef.minute_offset, pdef.hour_offset, pdef.day_offset) == ("daily", 0, 0, 0)
    assert pdef.get_partition_keys() == ["2024-01-01-00:00", "2024-01-02-00:00"]


def test_generic_monthly_day_offset_zero_means_the_first_of_the_month():
    pdef = TimeWindowPartitionsDefinition(start="2024-01-01", fmt="%Y-%m-%d", end="2024-03-01",
                                          cadence="monthly")
    assert pdef.day_offset == 1
    assert pdef.get_partition_keys() == ["2024-01-01", "2024-02-01"]
    assert TimeWindowPartitionsDefinition(start="2024-01-05", fmt="%Y-%m-%d", end="2024-03-05",
                                          cadence="monthly", day_offset=5).get_partition_keys() == [
        "2024-01-05", "2024-02-05"]


def test_unreadable_end_is_named_end():
    with pytest.raises(DefinitionError) as err:
        DailyPartitionsDefinition(start_date="2024-01-01", end_date="Feb 1")
    assert str(err.value) == "end 'Feb 1' is neither in the format '%Y-%m-%d' nor ISO 8601"


@pytest.mark.parametrize("cadence, offsets, message", [
    ("hourly", {"hour_offset": 3}, "hour_offset does not apply to hourly partitions"),
    ("hourly", {"day_offset": 2}, "day_offset does not apply to hourly partitions"),
    ("daily", {"day_offset": 2}, "day_offset does not apply to daily partitions"),
])
def test_an_offset_the_cadence_has_no_use_for_is_a_definition_error(cadence, offsets, message):
    with pytest.raises(DefinitionError) as err:
        TimeWindowPartitionsDefinition(start="2024-01-01", fmt="%Y-%m-%d", cadence=cadence, **offsets)
    assert str(err.value) == message


def test_a_naive_current_time_is_a_wall_time_in_the_definition_timezone():
    pdef = DailyPartitionsDefinition(start_date="2024-01-01", timezone="Asia/Tokyo")
    # 20:00 on Jan 2 in Tokyo (UTC+9): only Jan 1 is complete (read as UTC it would be Jan 3 05:00)
    assert pdef.get_partition_keys(current_time=datetime(2024, 1, 2, 20, 0)) == ["2024-01-01"]


def test_the_end_limits_the_last_window_by_instant_in_a_repeated_hour():
    # New York falls back on 2024-11-03: 01:00 EDT (05:00Z) and then 01:00 EST (06:00Z).
    # The end, 06:00Z, closes the first 01:00 window; the time asked, 07:00Z, would allow the second.
    pdef = HourlyPartitionsDefinition(start_date="2024-11-03-00:00", end_date="2024-11-03T01:00:00-05:00",
                                      timezone="America/New_York")
    now = datetime(2024, 11, 3, 7, 0, tzinfo=UTC)
    assert pdef.get_partition_keys(current_time=now) == ["2024-11-03-00:00", "2024-11-03-01:00"]
    assert pdef.get_last_partition_key(current_time=now) == "2024-11-03-01:00"


def test_a_format_with_its_own_offset_is_not_given_a_second_one():
    pdef = HourlyPartitionsDefinition(start_date="2024-11-03T00:00:00-04:00", end_date="2024-11-03T02:00:00-05:00",
                                      timezone="America/New_York", fmt="%Y-%m-%d-%H:%M%z")
    assert pdef.get_partition_keys() == ["2024-11-03-00:00-0400", "2024-11-03-01:00-0400",
                                         "2024-11-03-01:00-0500"]


def test_validating_at_a_given_time_accepts_the_first_key_and_names_an_empty_set():
    pdef = DailyPartitionsDefinition(start_date="2024-01-01")
    assert pdef.validate_partition_key("2024-01-01", current_time=JAN_3) is None
    assert pdef.has_partition_key("2024-01-02", current_time=JAN_3) is True
    assert pdef.has_partition_key("2024-01-03", current_time=JAN_3) is False
    with pytest.raises(PartitionError) as err:
        pdef.validate_partition_key("2024-01-01", current_time=datetime(2024, 1, 1, 12, tzinfo=UTC))
    assert str(err.value) == (
        "partition key '2024-01-01' is out of range for DailyPartitionsDefinition(start_date='2024-01-01'): "
        "it has no partitions yet (the first, '2024-01-01', is not complete)")


def test_ranges_are_checked_at_the_time_asked():
    pdef = DailyPartitionsDefinition(start_date="2024-01-01")
    beyond = PartitionKeyRange("2024-01-01", "2024-01-03")
    message = ("partition key '2024-01-03' is out of range for DailyPartitionsDefinition(start_date='2024-01-01'): "
               "valid keys are 2024-01-01..2024-01-02")
    with pytest.raises(PartitionError) as err:
        pdef.get_partition_keys_in_range(beyond, current_time=JAN_3)
    assert str(err.value) == message
    with pytest.raises(PartitionError) as err:
        pdef.time_windows_for_range(beyond, current_time=JAN_3)
    assert str(err.value) == message
    one = PartitionKeyRange("2024-01-02", "2024-01-02")
    assert pdef.get_partition_keys_in_range(one, current_time=JAN_3) == ["2024-01-02"]
    [window] = pdef.time_windows_for_range(one, current_time=JAN_3)
    assert (window.start.isoformat(), window.end.isoformat()) == ("2024-01-02T00:00:00+00:00",
                                                                  "2024-01-03T00:00:00+00:00")


def test_no_complete_window_has_no_first_or_last_key():
    pdef = DailyPartitionsDefinition(start_date="2024-01-01")
    noon = datetime(2024, 1, 1, 12, tzinfo=UTC)
    assert (pdef.get_first_partition_key(noon), pdef.get_last_partition_key(noon)) == (None, None)
    assert pdef.get_last_partition_key(JAN_3) == "2024-01-02"


def test_definitions_with_different_ends_differ():
    january = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-02-01")
    assert january != DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-03-01")
    assert january != DailyPartitionsDefinition(start_date="2024-01-01")
    assert january == DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-02-01")


def test_generic_repr_names_start_end_cadence_offsets_and_format():
    pdef = TimeWindowPartitionsDefinition(start="2024-01-01", end="2024-02-01", fmt="%Y-%m-%d", cadence="daily",
                                          hour_offset=6)
    assert repr(pdef) == ("TimeWindowPartitionsDefinition(start='2024-01-01', end='2024-02-01', cadence='daily', "
                          "hour_offset=6, fmt='%Y-%m-%d')")


def test_repr_shows_an_iso_time_when_the_format_cannot_be_read_back():
    # strptime refuses "%G" without a weekday, so the start is shown in ISO 8601
    pdef = TimeWindowPartitionsDefinition(start=datetime(2024, 1, 1), fmt="%G week %V", cadence="weekly",
                                          day_offset=1)
    assert repr(pdef) == ("TimeWindowPartitionsDefinition(start='2024-01-01T00:00:00+00:00', cadence='weekly', "
                          "day_offset=1, fmt='%G week %V')")


def test_weekly_and_monthly_keep_their_timezone_and_default_end_offset():
    weekly = WeeklyPartitionsDefinition(start_date="2024-01-07", timezone="Europe/Paris")
    monthly = MonthlyPartitionsDefinition(start_date="2024-01-01", timezone="Europe/Paris")
    assert (weekly.timezone, monthly.timezone, monthly.end_offset) == ("Europe/Paris", "Europe/Paris", 0)
    assert monthly.time_window_for_partition_key("2024-01-01").start.isoformat() == "2024-01-01T00:00:00+01:00"
    assert weekly.time_window_for_partition_key("2024-01-07").start.isoformat() == "2024-01-07T00:00:00+01:00"
    assert monthly.get_partition_keys(current_time=datetime(2024, 3, 15, tzinfo=UTC)) == ["2024-01-01", "2024-02-01"]
