"""Partitions: key lists per cadence, offsets, end dates, DST, windows, errors, multi-dimensional
keys, mappings and spec data."""

from __future__ import annotations

import pickle
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from specrun import (
    DailyPartitionsDefinition, HourlyPartitionsDefinition, MonthlyPartitionsDefinition,
    MultiPartitionKey, MultiPartitionsDefinition, PartitionKeyRange, StaticPartitionsDefinition,
    TimeWindow, TimeWindowPartitionsDefinition, WeeklyPartitionsDefinition,
)
from specrun.errors import DefinitionError, NoPartitionError, PartitionError
from specrun.runtime.partitions import (
    AllPartitionMapping, IdentityPartitionMapping, LastPartitionMapping, StaticPartitionMapping,
    TimeWindowPartitionMapping, default_partition_mapping, partitions_def_from_spec,
)

NOW = datetime(2024, 1, 5, 12, 0, tzinfo=timezone.utc)
UTC = timezone.utc


@pytest.fixture
def january() -> DailyPartitionsDefinition:
    return DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-02-01")


@pytest.fixture
def multi() -> MultiPartitionsDefinition:
    return MultiPartitionsDefinition({
        "region": StaticPartitionsDefinition(["eu", "us"]),
        "date": DailyPartitionsDefinition("2024-01-01", end_date="2024-01-03")})


def iso(window: TimeWindow) -> tuple[str, str]:
    return window.start.isoformat(), window.end.isoformat()


# -- key lists ----------------------------------------------------------------------------------

def test_daily_keys_end_at_the_last_complete_day():
    daily = DailyPartitionsDefinition(start_date="2024-01-01")
    assert daily.get_partition_keys(NOW) == [
        "2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"]


def test_end_offset_one_includes_the_day_in_progress():
    daily = DailyPartitionsDefinition(start_date="2024-01-01", end_offset=1)
    assert daily.get_partition_keys(NOW)[-2:] == ["2024-01-04", "2024-01-05"]


def test_negative_end_offset_drops_complete_days():
    daily = DailyPartitionsDefinition(start_date="2024-01-01", end_offset=-2)
    assert daily.get_partition_keys(NOW) == ["2024-01-01", "2024-01-02"]


def test_end_date_is_exclusive():
    daily = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-04")
    assert daily.get_partition_keys(NOW) == ["2024-01-01", "2024-01-02", "2024-01-03"]


def test_current_time_still_limits_a_definition_whose_end_is_later():
    daily = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2025-01-01")
    assert daily.get_partition_keys(NOW)[-1] == "2024-01-04"
    assert daily.get_num_partitions(datetime(2030, 1, 1, tzinfo=UTC)) == 366


def test_end_offset_cannot_pass_the_end_date():
    daily = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-05",
                                      end_offset=3)
    assert daily.get_last_partition_key(NOW) == "2024-01-04"


def test_start_between_ticks_begins_at_the_next_tick():
    daily = DailyPartitionsDefinition(start_date="2024-01-01T06:00:00", end_date="2024-01-04")

    assert daily.get_partition_keys() == ["2024-01-02", "2024-01-03"]


def test_hourly_keys_use_the_default_hour_format():
    hourly = HourlyPartitionsDefinition(start_date="2024-01-05-09:00")
    assert hourly.get_partition_keys(NOW) == [
        "2024-01-05-09:00", "2024-01-05-10:00", "2024-01-05-11:00"]


def test_hourly_minute_offset_moves_every_window():
    hourly = HourlyPartitionsDefinition(start_date="2024-01-05-09:00", minute_offset=15)
    assert hourly.get_partition_keys(NOW) == ["2024-01-05-09:15", "2024-01-05-10:15"]
    assert iso(hourly.time_window_for_partition_key("2024-01-05-10:15")) == (
        "2024-01-05T10:15:00+00:00", "2024-01-05T11:15:00+00:00")


def test_daily_hour_and_minute_offsets_move_the_window_but_not_the_key():
    daily = DailyPartitionsDefinition(start_date="2024-01-01", hour_offset=7, minute_offset=15)

    assert daily.get_partition_keys(NOW)[-1] == "2024-01-04"
    assert iso(daily.time_window_for_partition_key("2024-01-04")) == (
        "2024-01-04T07:15:00+00:00", "2024-01-05T07:15:00+00:00")


def test_weekly_windows_start_on_sunday_by_default():
    weekly = WeeklyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-22")
    assert weekly.get_partition_keys() == ["2024-01-07", "2024-01-14"]


def test_weekly_day_offset_one_starts_weeks_on_monday():
    weekly = WeeklyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-22",
                                        day_offset=1)
    assert weekly.get_partition_keys() == ["2024-01-01", "2024-01-08", "2024-01-15"]


def test_monthly_windows_start_on_the_first_by_default():
    monthly = MonthlyPartitionsDefinition(start_date="2024-01-01", end_date="2024-04-01")
    assert monthly.get_partition_keys() == ["2024-01-01", "2024-02-01", "2024-03-01"]
    window = monthly.time_window_for_partition_key("2024-02-01")
    assert iso(window)[1] == "2024-03-01T00:00:00+00:00"


def test_monthly_day_offset_moves_the_start_day():
    monthly = MonthlyPartitionsDefinition(start_date="2024-01-01", end_date="2024-04-01",
                                          day_offset=15)
    assert monthly.get_partition_keys() == ["2024-01-15", "2024-02-15"]


def test_monthly_day_offset_31_skips_months_without_that_day_like_cron():
    monthly = MonthlyPartitionsDefinition(start_date="2024-01-01", end_date="2024-08-01",
                                          day_offset=31)
    assert monthly.get_partition_keys() == ["2024-01-31", "2024-03-31", "2024-05-31"]


def test_cron_string_cadence_is_read_like_its_named_equivalent():
    weekly = TimeWindowPartitionsDefinition("2024-01-01", "%Y-%m-%d", end="2024-01-22",
                                            cadence="0 0 * * 1")
    assert weekly == WeeklyPartitionsDefinition("2024-01-01", end_date="2024-01-22",
                                                day_offset=1)


# -- time zones and DST -------------------------------------------------------------------------

def test_time_window_is_tz_aware_in_the_definition_timezone():
    daily = DailyPartitionsDefinition(start_date="2024-01-01", timezone="Europe/Berlin")
    assert iso(daily.time_window_for_partition_key("2024-01-02")) == (
        "2024-01-02T00:00:00+01:00", "2024-01-03T00:00:00+01:00")


def test_open_ended_keys_depend_on_the_timezone():
    tokyo = DailyPartitionsDefinition(start_date="2024-01-01", timezone="Asia/Tokyo")
    assert tokyo.get_last_partition_key(datetime(2024, 1, 5, 16, tzinfo=UTC)) == "2024-01-05"


def test_hourly_spring_forward_day_has_23_keys():
    hourly = HourlyPartitionsDefinition(start_date="2024-03-10-00:00", end_date="2024-03-11-00:00",
                                        timezone="America/New_York")
    keys = hourly.get_partition_keys()
    assert len(keys) == 23
    assert keys[:3] == ["2024-03-10-00:00", "2024-03-10-01:00", "2024-03-10-03:00"]


def test_hourly_fall_back_day_has_25_keys_and_the_repeated_hour_carries_its_offset():
    hourly = HourlyPartitionsDefinition(start_date="2024-11-03-00:00", end_date="2024-11-04-00:00",
                                        timezone="America/New_York")
    keys = hourly.get_partition_keys()
    assert len(keys) == 25
    assert keys[1:4] == ["2024-11-03-01:00", "2024-11-03-01:00-0500", "2024-11-03-02:00"]
    assert iso(hourly.time_window_for_partition_key("2024-11-03-01:00-0500")) == (
        "2024-11-03T01:00:00-05:00", "2024-11-03T02:00:00-05:00")


def test_daily_windows_across_dst_last_23_and_25_hours():
    daily = DailyPartitionsDefinition(start_date="2024-01-01", timezone="America/New_York")
    spring, autumn = (daily.time_window_for_partition_key(k) for k in ("2024-03-10", "2024-11-03"))
    assert spring.end.timestamp() - spring.start.timestamp() == 23 * 3600
    assert autumn.end.timestamp() - autumn.start.timestamp() == 25 * 3600


def test_daily_tick_in_a_skipped_hour_starts_at_the_end_of_the_gap():
    daily = DailyPartitionsDefinition(start_date="2024-03-01", hour_offset=2, minute_offset=30,
                                      timezone="America/New_York")
    assert iso(daily.time_window_for_partition_key("2024-03-10")) == (
        "2024-03-10T03:00:00-04:00", "2024-03-11T02:30:00-04:00")


def test_daily_tick_in_a_repeated_hour_starts_at_its_second_instance():
    daily = DailyPartitionsDefinition(start_date="2024-11-01", hour_offset=1, minute_offset=30,
                                      timezone="America/New_York")
    assert iso(daily.time_window_for_partition_key("2024-11-03"))[0] == "2024-11-03T01:30:00-05:00"


def test_naive_datetime_start_is_a_wall_time_in_the_definition_timezone():
    hourly = HourlyPartitionsDefinition(start_date=datetime(2024, 1, 5, 9),
                                        timezone="Europe/Berlin")
    assert hourly.get_first_partition_key(NOW) == "2024-01-05-09:00"
    assert hourly.start.isoformat() == "2024-01-05T09:00:00+01:00"


def test_iso_start_with_an_offset_keeps_its_instant():
    hourly = HourlyPartitionsDefinition(start_date="2024-01-05T09:00:00+00:00",
                                        timezone="Europe/Berlin")
    assert hourly.get_first_partition_key(NOW) == "2024-01-05-10:00"


# -- windows and timestamps ---------------------------------------------------------------------

def test_key_for_timestamp_is_the_window_holding_it(january):
    assert january.get_partition_key_for_timestamp(NOW.timestamp()) == "2024-01-05"


def test_key_for_timestamp_end_offset_moves_by_whole_windows(january):
    assert january.get_partition_key_for_timestamp(NOW.timestamp(), end_offset=-1) == "2024-01-04"


def test_key_for_timestamp_on_a_boundary_with_end_closed_is_the_window_it_ends(january):
    midnight = datetime(2024, 1, 5, tzinfo=UTC).timestamp()
    assert january.get_partition_key_for_timestamp(midnight) == "2024-01-05"
    assert january.get_partition_key_for_timestamp(midnight, end_closed=True) == "2024-01-04"
    assert january.get_partition_key_for_timestamp(midnight, True) == "2024-01-04"  # Dagster order


def test_keys_in_time_window_are_the_windows_starting_inside_it(january):
    window = TimeWindow(datetime(2024, 1, 2, 12, tzinfo=UTC), datetime(2024, 1, 5, tzinfo=UTC))
    assert january.get_partition_keys_in_time_window(window) == ["2024-01-03", "2024-01-04"]


def test_keys_in_range_are_inclusive(january):
    key_range = PartitionKeyRange("2024-01-29", "2024-01-31")
    assert january.get_partition_keys_in_range(key_range) == [
        "2024-01-29", "2024-01-30", "2024-01-31"]


def test_time_windows_for_range_gives_one_window_per_key(january):
    windows = january.time_windows_for_range(PartitionKeyRange("2024-01-30", "2024-01-31"))
    assert [w.start.day for w in windows] == [30, 31] and windows[0].end == windows[1].start


def test_reversed_key_range_is_an_error(january):
    with pytest.raises(PartitionError, match="reversed: '2024-01-31' comes after '2024-01-30'"):
        january.get_partition_keys_in_range(PartitionKeyRange("2024-01-31", "2024-01-30"))


def test_key_range_validates_its_end(january):
    with pytest.raises(PartitionError, match="'2024-02-03' is out of range"):
        january.get_partition_keys_in_range(PartitionKeyRange("2024-01-30", "2024-02-03"))


# -- errors -------------------------------------------------------------------------------------

def test_malformed_time_key_error_names_the_expected_format(january):
    with pytest.raises(PartitionError, match=r"'01/02/2024' of DailyPartitionsDefinition\(.*\) "
                                             r"does not match the format '%Y-%m-%d' "
                                             r"\(a key looks like '2024-01-01'\)"):
        january.validate_partition_key("01/02/2024")


def test_out_of_range_time_key_error_names_the_valid_range(january):
    with pytest.raises(PartitionError, match=r"'2024-03-01' is out of range for "
                                             r"DailyPartitionsDefinition\(start_date='2024-01-01', "
                                             r"end_date='2024-02-01'\): "
                                             r"valid keys are 2024-01-01\.\.2024-01-31"):
        january.validate_partition_key("2024-03-01")


def test_time_key_in_another_spelling_suggests_the_real_key(january):
    with pytest.raises(PartitionError,
                       match="not the start of a daily window .* did you mean '2024-01-02'"):
        january.validate_partition_key("2024-1-2")
    assert not january.has_partition_key("2024-1-2")


def test_open_ended_definition_before_its_first_window_ends_has_no_keys():
    daily = DailyPartitionsDefinition(start_date="2024-01-05")
    assert daily.get_partition_keys(NOW) == [] and daily.get_first_partition_key(NOW) is None
    with pytest.raises(PartitionError, match="has no partitions yet"):
        daily.validate_partition_key("2024-01-05", NOW)


def test_static_unknown_key_error_names_the_definition_and_hints():
    static = StaticPartitionsDefinition(["eu", "us"])
    with pytest.raises(PartitionError, match=r"unknown partition key 'euu' for "
                                             r"StaticPartitionsDefinition\(\['eu', 'us'\]\); "
                                             r"did you mean 'eu'\?"):
        static.validate_partition_key("euu")


def test_static_duplicates_are_a_definition_error():
    with pytest.raises(DefinitionError, match=r"repeated: \['a'\]"):
        StaticPartitionsDefinition(["a", "b", "a"])


def test_static_keys_keep_their_order():
    static = StaticPartitionsDefinition(["us", "eu", "apac"])
    assert static.get_partition_keys() == ["us", "eu", "apac"]


def test_unknown_timezone_is_a_definition_error_with_a_hint():
    with pytest.raises(DefinitionError,
                       match="unknown timezone 'Europe/Berlim'; did you mean 'Europe/Berlin'"):
        DailyPartitionsDefinition(start_date="2024-01-01", timezone="Europe/Berlim")


@pytest.mark.parametrize("kwargs, message", [
    ({"hour_offset": 24}, "hour_offset of daily partitions must be an integer from 0 to 23"),
    ({"minute_offset": -1}, "minute_offset of daily partitions must be an integer from 0 to 59"),
])
def test_offsets_out_of_range_are_definition_errors(kwargs, message):
    with pytest.raises(DefinitionError, match=message):
        DailyPartitionsDefinition(start_date="2024-01-01", **kwargs)


def test_unreadable_start_is_a_definition_error():
    with pytest.raises(DefinitionError,
                       match="start 'Jan 1' is neither in the format '%Y-%m-%d' nor ISO 8601"):
        DailyPartitionsDefinition(start_date="Jan 1")


# -- values -------------------------------------------------------------------------------------

def test_definitions_are_equal_values_with_readable_reprs():
    a = DailyPartitionsDefinition(start_date="2024-01-01", timezone="Europe/Berlin", end_offset=1)
    b = DailyPartitionsDefinition(start_date="2024-01-01", timezone="Europe/Berlin", end_offset=1)
    assert a == b and hash(a) == hash(b) and a != DailyPartitionsDefinition(start_date="2024-01-01")
    assert repr(a) == ("DailyPartitionsDefinition(start_date='2024-01-01', "
                       "timezone='Europe/Berlin', end_offset=1)")


def test_definitions_are_immutable(january):
    with pytest.raises(AttributeError, match="immutable"):
        january.end_offset = 2  # type: ignore[misc]


def test_definitions_survive_pickling(multi):
    assert pickle.loads(pickle.dumps(multi)) == multi


# -- multi-dimensional --------------------------------------------------------------------------

def test_multi_keys_are_the_product_in_dimension_name_order(multi):
    assert multi.get_partition_keys() == [
        "2024-01-01|eu", "2024-01-01|us", "2024-01-02|eu", "2024-01-02|us"]


def test_multi_keys_know_their_dimensions(multi):
    assert multi.get_partition_keys()[1].keys_by_dimension == {"date": "2024-01-01", "region": "us"}
    assert [d.name for d in multi.partitions_defs] == ["date", "region"]


def test_multi_partition_key_joins_by_sorted_dimension_name_and_pickles():
    key = MultiPartitionKey({"region": "eu", "date": "2024-01-01"})
    assert key == "2024-01-01|eu"
    copy = pickle.loads(pickle.dumps(key))
    assert copy == key and copy.keys_by_dimension == {"date": "2024-01-01", "region": "eu"}


def test_multi_key_from_string(multi):
    key = multi.get_partition_key_from_str("2024-01-02|us")
    assert isinstance(key, MultiPartitionKey) and key.keys_by_dimension["region"] == "us"
    with pytest.raises(PartitionError, match="should join 2 keys with '|'"):
        multi.get_partition_key_from_str("2024-01-02")


def test_multi_time_window_comes_from_the_time_dimension(multi):
    assert iso(multi.time_window_for_partition_key("2024-01-02|eu")) == (
        "2024-01-02T00:00:00+00:00", "2024-01-03T00:00:00+00:00")


def test_multi_without_a_time_dimension_has_no_time_window():
    static = MultiPartitionsDefinition({"a": StaticPartitionsDefinition(["x"]),
                                        "b": StaticPartitionsDefinition(["y"])})
    with pytest.raises(NoPartitionError, match="no time-window dimension"):
        static.time_window_for_partition_key("x|y")


def test_multi_unknown_key_names_the_dimension_and_hints(multi):
    assert multi.has_partition_key("2024-01-01|us")
    assert not multi.has_partition_key("2024-01-01|euu")
    with pytest.raises(PartitionError, match="in dimension 'region'.*did you mean 'eu'"):
        multi.validate_partition_key("2024-01-01|euu")


def test_multi_needs_exactly_two_dimensions():
    with pytest.raises(DefinitionError, match="exactly two dimensions"):
        MultiPartitionsDefinition({"a": StaticPartitionsDefinition(["x"])})


def test_multi_static_keys_cannot_contain_the_delimiter():
    with pytest.raises(DefinitionError, match="cannot contain '|'"):
        MultiPartitionsDefinition({"a": StaticPartitionsDefinition(["x|y"]),
                                   "b": StaticPartitionsDefinition(["z"])})


# -- mappings -----------------------------------------------------------------------------------

HOURLY = HourlyPartitionsDefinition(start_date="2024-01-01-00:00", end_date="2024-01-03-00:00")
DAILY = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-03")


def test_time_window_mapping_reads_every_hour_of_the_day():
    hours = TimeWindowPartitionMapping().upstream_keys_for("2024-01-02", DAILY, HOURLY)
    assert len(hours) == 24
    assert (hours[0], hours[-1]) == ("2024-01-02-00:00", "2024-01-02-23:00")


def test_time_window_mapping_reads_every_day_of_the_month():
    daily = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-04-01")
    monthly = MonthlyPartitionsDefinition(start_date="2024-01-01", end_date="2024-04-01")
    days = TimeWindowPartitionMapping().upstream_keys_for("2024-02-01", monthly, daily)
    assert len(days) == 29 and (days[0], days[-1]) == ("2024-02-01", "2024-02-29")


def test_time_window_mapping_reads_the_week_that_holds_the_day():
    weekly = WeeklyPartitionsDefinition(start_date="2024-01-01", end_date="2024-02-01")
    day = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-02-01")
    keys = TimeWindowPartitionMapping().upstream_keys_for("2024-01-10", day, weekly)
    assert keys == ["2024-01-07"]


def test_time_window_mapping_offsets_are_in_downstream_periods():
    mapping = TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)
    assert mapping.upstream_keys_for("2024-01-02", DAILY, DAILY) == ["2024-01-01"]
    with_previous = TimeWindowPartitionMapping(start_offset=-1)
    two_days = with_previous.upstream_keys_for("2024-01-02", DAILY, HOURLY)
    assert len(two_days) == 48


def test_time_window_mapping_leaves_out_upstream_keys_that_do_not_exist():
    mapping = TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)
    assert mapping.upstream_keys_for("2024-01-01", DAILY, DAILY) == []


def test_time_window_mapping_downstream_keys_are_the_readers():
    hour = TimeWindowPartitionMapping().downstream_keys_for("2024-01-02-05:00", HOURLY, DAILY)
    assert hour == ["2024-01-02"]
    with_previous = TimeWindowPartitionMapping(start_offset=-1)
    assert with_previous.downstream_keys_for("2024-01-01", DAILY, DAILY) == [
        "2024-01-01", "2024-01-02"]


def test_identity_mapping_reads_the_same_key_when_it_exists():
    up = StaticPartitionsDefinition(["a", "b"])
    down = StaticPartitionsDefinition(["a", "c"])
    assert IdentityPartitionMapping().upstream_keys_for("a", down, up) == ["a"]
    assert IdentityPartitionMapping().upstream_keys_for("c", down, up) == []
    assert IdentityPartitionMapping().downstream_keys_for("b", up, down) == []


def test_all_mapping_reads_every_upstream_key():
    assert AllPartitionMapping().upstream_keys_for(None, None, DAILY) == [
        "2024-01-01", "2024-01-02"]
    assert AllPartitionMapping().downstream_keys_for("2024-01-01", DAILY, DAILY) == [
        "2024-01-01", "2024-01-02"]


def test_last_mapping_reads_only_the_latest_upstream_key():
    assert LastPartitionMapping().upstream_keys_for("2024-01-01", DAILY, DAILY) == ["2024-01-02"]
    assert LastPartitionMapping().downstream_keys_for("2024-01-01", DAILY, DAILY) == []


def test_static_mapping_follows_its_table():
    mapping = StaticPartitionMapping({"eu": ["de", "fr"], "us": "us"})
    assert mapping.upstream_keys_for("fr", None, None) == ["eu"]
    assert mapping.downstream_keys_for("eu", None, None) == ["de", "fr"]
    assert mapping == StaticPartitionMapping({"eu": ("de", "fr"), "us": ["us"]})


def test_unpartitioned_upstream_maps_to_no_keys():
    for mapping in (IdentityPartitionMapping(), AllPartitionMapping(), LastPartitionMapping(),
                    TimeWindowPartitionMapping()):
        assert mapping.upstream_keys_for("2024-01-01", DAILY, None) == []


@pytest.mark.parametrize("upstream, downstream, expected", [
    (DAILY, DAILY, IdentityPartitionMapping()),
    (HOURLY, DAILY, TimeWindowPartitionMapping()),
    (DAILY, None, AllPartitionMapping()),
    (StaticPartitionsDefinition(["a"]), StaticPartitionsDefinition(["a", "b"]),
     IdentityPartitionMapping()),
    (None, DAILY, IdentityPartitionMapping()),
])
def test_default_partition_mapping(upstream, downstream, expected):
    assert default_partition_mapping(upstream, downstream) == expected


# -- spec data ----------------------------------------------------------------------------------

def test_time_partitions_from_spec_take_every_option():
    pdef = partitions_def_from_spec("weekly", start="2024-01-01", end="2024-02-01",
                                    timezone="Europe/Berlin", end_offset=1, minute_offset=5,
                                    hour_offset=6, day_offset=1, fmt="%Y/%m/%d")
    assert pdef == WeeklyPartitionsDefinition("2024/01/01", end_date="2024/02/01", minute_offset=5,
                                              hour_offset=6, day_offset=1, timezone="Europe/Berlin",
                                              fmt="%Y/%m/%d", end_offset=1)
    assert pdef.get_partition_keys()[0] == "2024/01/01"


def test_static_and_multi_partitions_from_spec():
    multi = partitions_def_from_spec("multi", dimensions={
        "r": {"type": "static", "keys": ["a"]},
        "d": {"type": "daily", "start": "2024-01-01", "end": "2024-01-02"}})
    assert multi.get_partition_keys() == ["2024-01-01|a"]


def test_unknown_partitions_type_from_spec_hints():
    with pytest.raises(DefinitionError,
                       match="unknown partitions type 'dayly'.*did you mean 'daily'"):
        partitions_def_from_spec("dayly")


def test_unknown_option_from_spec_hints():
    with pytest.raises(DefinitionError,
                       match="daily partitions have no option 'strat'; did you mean 'start'"):
        partitions_def_from_spec("daily", strat="2024-01-01")


def test_option_of_another_cadence_from_spec_is_refused():
    with pytest.raises(DefinitionError, match="hourly partitions have no option 'hour_offset'"):
        partitions_def_from_spec("hourly", start="2024-01-01-00:00", hour_offset=2)


def test_multi_dimension_errors_from_spec_name_the_dimension():
    with pytest.raises(DefinitionError, match="dimension 'd': daily partitions need a 'start'"):
        partitions_def_from_spec("multi", dimensions={"r": {"type": "static", "keys": ["a"]},
                                                      "d": {"type": "daily"}})


# -- properties ---------------------------------------------------------------------------------

@settings(deadline=None)  # no timing: a loaded machine (or mutmut's tracing) is slow, not wrong
@given(st.integers(min_value=0, max_value=364))
def test_daily_key_is_its_window_start_and_windows_abut(offset):
    keys = DAILY_2023.get_partition_keys()
    window = DAILY_2023.time_window_for_partition_key(keys[offset])
    assert window.start.strftime(DAILY_2023.fmt) == keys[offset]
    following = DAILY_2023.time_window_for_partition_key(keys[offset + 1])
    assert following.start == window.end


@settings(deadline=None)
@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1),
                    timezones=st.just(UTC)))
def test_hourly_windows_in_a_dst_zone_hold_their_timestamp_and_last_an_hour(moment):
    key = NEW_YORK_HOURLY.get_partition_key_for_timestamp(moment.timestamp())
    window = NEW_YORK_HOURLY.time_window_for_partition_key(key)
    assert window.start.timestamp() <= moment.timestamp() < window.end.timestamp()
    assert window.end.timestamp() - window.start.timestamp() == 3600


DAILY_2023 = DailyPartitionsDefinition(start_date="2023-01-01", end_date="2024-01-02")
NEW_YORK_HOURLY = HourlyPartitionsDefinition(start_date="2020-01-01-00:00",
                                             timezone="America/New_York")


def test_a_static_key_range_includes_both_ends():
    regions = StaticPartitionsDefinition(["us", "eu", "latam", "apac", "africa"])
    assert regions.get_partition_keys_in_range(PartitionKeyRange("eu", "apac")) == ["eu", "latam", "apac"]
    assert regions.get_partition_keys_in_range(PartitionKeyRange("us", "us")) == ["us"]
    assert regions.get_partition_keys_in_range(PartitionKeyRange("apac", "africa")) == ["apac", "africa"]


def test_a_multi_partition_key_range_includes_both_ends():
    grid = MultiPartitionsDefinition({"color": StaticPartitionsDefinition(["blue", "red"]),
                                      "size": StaticPartitionsDefinition(["l", "s"])})
    assert grid.get_partition_keys() == ["blue|l", "blue|s", "red|l", "red|s"]
    assert grid.get_partition_keys_in_range(PartitionKeyRange("blue|s", "red|s")) == [
        "blue|s", "red|l", "red|s"]
