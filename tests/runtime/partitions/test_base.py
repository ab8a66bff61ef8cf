"""Static partitions and what every PartitionsDefinition shares (specrun/runtime/partitions/base.py)."""

from __future__ import annotations

import pytest

from specrun.errors import DefinitionError, PartitionError
from specrun.runtime.partitions.base import PartitionKeyRange, StaticPartitionsDefinition

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
