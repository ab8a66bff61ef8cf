"""Partition mappings, both directions (specrun/runtime/partitions/mappings.py); every expected
key list written out by hand."""

from __future__ import annotations

import pytest

from specrun.errors import DefinitionError, PartitionError
from specrun.runtime.partitions.base import StaticPartitionsDefinition
from specrun.runtime.partitions.mappings import (
    AllPartitionMapping, IdentityPartitionMapping, LastPartitionMapping, PartitionMapping, StaticPartitionMapping,
    TimeWindowPartitionMapping, default_partition_mapping, mapping_from_spec,
)
from specrun.runtime.partitions.time_window import DailyPartitionsDefinition, WeeklyPartitionsDefinition

ABC = StaticPartitionsDefinition(["a", "b", "c"])
AB = StaticPartitionsDefinition(["a", "b"])
EMPTY = StaticPartitionsDefinition([])
DAYS = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-06")  # 01 .. 05
LATER_DAYS = DailyPartitionsDefinition(start_date="2024-01-03", end_date="2024-01-06")  # 03 .. 05
WEEKS = WeeklyPartitionsDefinition(start_date="2024-01-07", end_date="2024-01-21")  # Sundays 07, 14


def test_identity_reads_the_same_key_when_it_exists():
    m = IdentityPartitionMapping()
    assert m.upstream_keys_for("b", ABC, AB) == ["b"]
    assert m.upstream_keys_for("c", ABC, AB) == []
    assert m.upstream_keys_for(None, None, AB) == ["a", "b"]
    assert m.upstream_keys_for("a", ABC, None) == []
    assert m.downstream_keys_for("b", AB, ABC) == ["b"]
    assert m.downstream_keys_for("c", ABC, AB) == []
    assert m.downstream_keys_for("a", AB, None) == []


def test_all_reads_every_key():
    m = AllPartitionMapping()
    assert m.upstream_keys_for("a", AB, ABC) == ["a", "b", "c"]
    assert m.upstream_keys_for(None, None, None) == []
    assert m.downstream_keys_for("a", ABC, AB) == ["a", "b"]
    assert m.downstream_keys_for("a", ABC, None) == []


def test_last_reads_only_the_latest_key():
    m = LastPartitionMapping()
    assert m.upstream_keys_for("a", AB, ABC) == ["c"]
    assert m.upstream_keys_for("a", AB, EMPTY) == []
    assert m.upstream_keys_for("a", AB, None) == []
    assert m.downstream_keys_for("c", ABC, AB) == ["a", "b"]
    assert m.downstream_keys_for("b", ABC, AB) == []
    assert m.downstream_keys_for("c", ABC, None) == []


def test_a_static_mapping_reads_its_table_both_ways():
    m = StaticPartitionMapping({"a": ["b", "c"], "b": "c"})
    assert m.upstream_keys_for("c", ABC, ABC) == ["a", "b"]
    assert m.downstream_keys_for("a", ABC, ABC) == ["b", "c"]
    assert m.downstream_keys_for("zzz", ABC, ABC) == []
    assert m.downstream_partition_keys_by_upstream_partition_key == {"a": ("b", "c"), "b": ("c",)}


def test_time_windows_with_offsets_in_both_directions():
    same = TimeWindowPartitionMapping()
    assert same.upstream_keys_for("2024-01-03", DAYS, DAYS) == ["2024-01-03"]
    assert same.downstream_keys_for("2024-01-03", DAYS, DAYS) == ["2024-01-03"]
    previous = TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)
    assert previous.upstream_keys_for("2024-01-03", DAYS, DAYS) == ["2024-01-02"]
    assert previous.upstream_keys_for("2024-01-01", DAYS, DAYS) == []  # before the first day
    assert previous.downstream_keys_for("2024-01-03", DAYS, DAYS) == ["2024-01-04"]
    assert previous.downstream_keys_for("2024-01-05", DAYS, DAYS) == []  # after the last day
    two_days = TimeWindowPartitionMapping(start_offset=-1)
    assert two_days.upstream_keys_for("2024-01-03", DAYS, DAYS) == ["2024-01-02", "2024-01-03"]
    assert two_days.downstream_keys_for("2024-01-03", DAYS, DAYS) == ["2024-01-03", "2024-01-04"]
    ahead = TimeWindowPartitionMapping(start_offset=1, end_offset=2)
    assert ahead.upstream_keys_for("2024-01-02", DAYS, DAYS) == ["2024-01-03", "2024-01-04"]
    assert ahead.downstream_keys_for("2024-01-04", DAYS, DAYS) == ["2024-01-02", "2024-01-03"]
    assert same.upstream_keys_for(None, None, LATER_DAYS) == ["2024-01-03", "2024-01-04", "2024-01-05"]
    assert same.upstream_keys_for("2024-01-02", DAYS, LATER_DAYS) == []
    assert same.upstream_keys_for("2024-01-02", DAYS, None) == []
    assert same.downstream_keys_for("2024-01-02", DAYS, None) == []


def test_time_windows_between_days_and_weeks():
    m = TimeWindowPartitionMapping()
    days = DailyPartitionsDefinition(start_date="2024-01-07", end_date="2024-01-21")
    assert m.upstream_keys_for("2024-01-14", WEEKS, days) == [
        "2024-01-14", "2024-01-15", "2024-01-16", "2024-01-17", "2024-01-18", "2024-01-19", "2024-01-20"]
    assert m.downstream_keys_for("2024-01-09", days, WEEKS) == ["2024-01-07"]
    assert m.upstream_keys_for("2024-01-09", days, WEEKS) == ["2024-01-07"]


def test_a_time_window_mapping_needs_time_partitions_on_both_sides():
    with pytest.raises(PartitionError) as err:
        TimeWindowPartitionMapping().upstream_keys_for("a", AB, DAYS)
    assert str(err.value) == ("a time-window partition mapping needs time-based partitions on both sides, "
                              "not StaticPartitionsDefinition(['a', 'b'])")


def test_static_mappings_compare_by_table():
    one = StaticPartitionMapping({"a": "x", 1: ["y", "z"]})
    assert one == StaticPartitionMapping({"a": ("x",), "1": ("y", "z")})
    assert hash(one) == hash(StaticPartitionMapping({"1": ["y", "z"], "a": "x"}))
    assert one != StaticPartitionMapping({"a": "x"})
    assert one != {"a": ("x",)}
    assert repr(StaticPartitionMapping({"a": "x"})) == "StaticPartitionMapping({'a': ('x',)})"
    table = one.downstream_partition_keys_by_upstream_partition_key
    table["b"] = ("q",)
    assert "b" not in one.downstream_partition_keys_by_upstream_partition_key


def test_the_default_mapping_for_each_pair_of_definitions():
    assert default_partition_mapping(AB, None) == AllPartitionMapping()
    assert default_partition_mapping(None, AB) == IdentityPartitionMapping()
    assert default_partition_mapping(None, None) == IdentityPartitionMapping()
    assert default_partition_mapping(AB, StaticPartitionsDefinition(["a", "b"])) == IdentityPartitionMapping()
    assert default_partition_mapping(DAYS, WEEKS) == TimeWindowPartitionMapping()
    assert default_partition_mapping(AB, ABC) == IdentityPartitionMapping()
    assert default_partition_mapping(DAYS, ABC) == IdentityPartitionMapping()
    assert default_partition_mapping(ABC, DAYS) == IdentityPartitionMapping()


def test_mappings_named_in_a_spec():
    assert mapping_from_spec("identity") == IdentityPartitionMapping()
    assert mapping_from_spec("all") == AllPartitionMapping()
    assert mapping_from_spec("last") == LastPartitionMapping()
    assert mapping_from_spec("time_window", -2, -1) == TimeWindowPartitionMapping(start_offset=-2, end_offset=-1)
    assert mapping_from_spec("time_window") == TimeWindowPartitionMapping(0, 0)
    with pytest.raises(DefinitionError) as err:
        mapping_from_spec("lats")
    assert str(err.value) == "unknown partition mapping 'lats'; did you mean 'last'?"
    with pytest.raises(DefinitionError) as err:
        mapping_from_spec("qqqq")
    assert str(err.value) == "unknown partition mapping 'qqqq'"


class _Previous(PartitionMapping):
    """Each downstream key reads the key before it in the downstream's own order, when the
    upstream has it (so the base downstream_keys_for must pass both definitions along)."""

    def upstream_keys_for(self, downstream_key, downstream_def, upstream_def):
        keys = downstream_def.get_partition_keys()
        at = keys.index(downstream_key) if downstream_key in keys else 0
        return [k for k in keys[at - 1:at] if at > 0 and upstream_def.has_partition_key(k)]


def test_the_base_downstream_question_asks_upstream_keys_for_of_each_downstream_key():
    m = _Previous()
    assert m.downstream_keys_for("a", ABC, ABC) == ["b"]
    assert m.downstream_keys_for("b", ABC, ABC) == ["c"]
    assert m.downstream_keys_for("b", AB, ABC) == ["c"]
    assert m.downstream_keys_for("c", AB, ABC) == []  # AB has no c to read
    assert m.downstream_keys_for("c", ABC, ABC) == []
    assert m.downstream_keys_for("a", ABC, None) == []


def test_a_time_window_mapping_into_an_unpartitioned_downstream_reads_every_upstream_key():
    m = TimeWindowPartitionMapping()
    assert m.upstream_keys_for("2024-01-03", None, LATER_DAYS) == ["2024-01-03", "2024-01-04", "2024-01-05"]
    assert TimeWindowPartitionMapping(0, -1).upstream_keys_for("2024-01-03", DAYS, DAYS) == []


def test_static_mapping_hashes_and_the_time_window_hint():
    assert hash(StaticPartitionMapping({"a": "x"})) != hash(StaticPartitionMapping({"a": "y"}))
    with pytest.raises(DefinitionError) as err:
        mapping_from_spec("time_windo")
    assert str(err.value) == "unknown partition mapping 'time_windo'; did you mean 'time_window'?"

