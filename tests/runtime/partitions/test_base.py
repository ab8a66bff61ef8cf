"""Static partitions and what every PartitionsDefinition shares (specrun/runtime/partitions/base.py)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from specrun.errors import DefinitionError, PartitionError
from specrun.runtime.partitions.base import PartitionKeyRange, PartitionsDefinition, StaticPartitionsDefinition

REGIONS = StaticPartitionsDefinition(["eu", "us", "apac"])


def test_keys_first_last_count_and_membership():
    assert REGIONS.get_partition_keys() == ["eu", "us", "apac"]
    assert (REGIONS.get_first_partition_key(), REGIONS.get_last_partition_key()) == ("eu", "apac")
    assert REGIONS.get_num_partitions() == 3
    assert (REGIONS.has_partition_key("us"), REGIONS.has_partition_key("US")) == (True, False)
    empty = StaticPartitionsDefinition([])
    assert (empty.get_first_partition_key(), empty.get_last_partition_key(), empty.get_num_partitions()) == (
        None, None, 0)
    assert StaticPartitionsDefinition([1, 2]).get_partition_keys() == ["1", "2"]


def test_a_returned_key_list_is_a_copy():
    keys = REGIONS.get_partition_keys()
    keys.append("mars")
    assert REGIONS.get_partition_keys() == ["eu", "us", "apac"]


def test_an_unknown_key_names_the_definition_and_the_closest_key():
    with pytest.raises(PartitionError) as err:
        REGIONS.validate_partition_key("uss")
    assert str(err.value) == "unknown partition key 'uss' for StaticPartitionsDefinition(['eu', 'us', 'apac']); " \
                             "did you mean 'us'?"
    with pytest.raises(PartitionError) as err:
        REGIONS.validate_partition_key("zzzz")
    assert str(err.value) == "unknown partition key 'zzzz' for StaticPartitionsDefinition(['eu', 'us', 'apac'])"
    assert REGIONS.validate_partition_key("eu") is None


def test_key_ranges_include_both_ends_and_refuse_reversed_or_unknown_ends():
    assert REGIONS.get_partition_keys_in_range(PartitionKeyRange("us", "apac")) == ["us", "apac"]
    assert REGIONS.get_partition_keys_in_range(PartitionKeyRange("us", "us")) == ["us"]
    with pytest.raises(PartitionError) as err:
        REGIONS.get_partition_keys_in_range(PartitionKeyRange("apac", "eu"))
    assert str(err.value) == ("partition key range apac..eu of StaticPartitionsDefinition(['eu', 'us', 'apac']) "
                              "is reversed: 'apac' comes after 'eu'")
    with pytest.raises(PartitionError) as err:
        REGIONS.get_partition_keys_in_range(PartitionKeyRange("eu", "mars"))
    assert str(err.value).startswith("unknown partition key 'mars' for ")


def test_repeated_keys_are_refused_naming_each_once():
    with pytest.raises(DefinitionError) as err:
        StaticPartitionsDefinition(["b", "a", "b", "a", "c"])
    assert str(err.value) == "static partition keys must be unique; repeated: ['a', 'b']"


def test_definitions_are_immutable_values():
    same = StaticPartitionsDefinition(("eu", "us", "apac"))
    assert same == REGIONS and hash(same) == hash(REGIONS)
    assert StaticPartitionsDefinition(["us", "eu", "apac"]) != REGIONS
    assert REGIONS != ["eu", "us", "apac"]
    assert REGIONS == REGIONS
    with pytest.raises(AttributeError) as err:
        REGIONS._keys = ("x",)
    assert str(err.value) == "StaticPartitionsDefinition is immutable"


def test_repr_shows_at_most_five_keys():
    assert repr(StaticPartitionsDefinition(list("abcde"))) == "StaticPartitionsDefinition(['a', 'b', 'c', 'd', 'e'])"
    assert repr(StaticPartitionsDefinition(list("abcdef"))) == \
        "StaticPartitionsDefinition(['a', 'b', 'c', 'd', 'e', ...])"


class _KeysByDay(PartitionsDefinition):
    """A definition whose keys depend on the time asked: k1..kN on day N of a month, x1, x2
    when no time is given (so a method that drops the time it was given reads other keys)."""

    identity_calls = 0

    def get_partition_keys(self, current_time=None):
        if current_time is None:
            return ["x1", "x2"]
        return [f"k{i}" for i in range(1, current_time.day + 1)]

    def _identity(self):
        type(self).identity_calls += 1
        return ("by-day",)


DAY_5 = datetime(2024, 1, 5, tzinfo=timezone.utc)


def test_every_shared_method_asks_for_the_keys_at_the_time_given():
    by_day = _KeysByDay()
    assert by_day.has_partition_key("k3", DAY_5) is True
    assert by_day.has_partition_key("k6", DAY_5) is False
    assert by_day.has_partition_key("x1") is True
    by_day.validate_partition_key("k5", DAY_5)
    with pytest.raises(PartitionError) as err:
        by_day.validate_partition_key("k33", DAY_5)
    assert str(err.value).endswith("; did you mean 'k3'?")
    assert by_day.get_partition_keys_in_range(PartitionKeyRange("k2", "k4"), DAY_5) == ["k2", "k3", "k4"]
    with pytest.raises(PartitionError):
        by_day.get_partition_keys_in_range(PartitionKeyRange("x1", "x2"), DAY_5)
    assert (by_day.get_first_partition_key(DAY_5), by_day.get_last_partition_key(DAY_5)) == ("k1", "k5")
    assert by_day.get_num_partitions(DAY_5) == 5


def test_the_identity_is_worked_out_once_and_hashes_tell_definitions_apart():
    by_day = _KeysByDay()
    _KeysByDay.identity_calls = 0
    assert by_day == _KeysByDay() and by_day == _KeysByDay()
    assert hash(by_day) == hash(by_day)
    assert _KeysByDay.identity_calls == 3  # by_day once, each new definition once
    hashes = {hash(StaticPartitionsDefinition(keys)) for keys in (["a"], ["b"], ["a", "b"])}
    assert len(hashes) == 3
