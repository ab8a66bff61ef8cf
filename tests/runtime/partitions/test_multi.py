"""Two-dimensional partitions (specrun/runtime/partitions/multi.py)."""

from __future__ import annotations

import pickle
from datetime import datetime, timezone

import pytest

from specrun.errors import DefinitionError, NoPartitionError, PartitionError
from specrun.runtime.partitions.base import StaticPartitionsDefinition, TimeWindow
from specrun.runtime.partitions.multi import MultiPartitionKey, MultiPartitionsDefinition
from specrun.runtime.partitions.time_window import DailyPartitionsDefinition

REGION = StaticPartitionsDefinition(["eu", "us"])
COLOUR = StaticPartitionsDefinition(["red", "blue", "green"])
DAYS = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-03")
STATIC = MultiPartitionsDefinition({"region": REGION, "colour": COLOUR})
TIMED = MultiPartitionsDefinition({"region": REGION, "date": DAYS})


def test_a_key_joins_its_dimensions_in_name_order():
    key = MultiPartitionKey({"region": "eu", "colour": "red"})
    assert key == "red|eu"
    assert key.keys_by_dimension == {"colour": "red", "region": "eu"}
    assert list(key.keys_by_dimension) == ["colour", "region"]
    back = pickle.loads(pickle.dumps(key))
    assert (back, back.keys_by_dimension, type(back)) == ("red|eu", {"colour": "red", "region": "eu"},
                                                          MultiPartitionKey)


def test_keys_are_the_product_with_the_first_dimension_slowest():
    assert STATIC.get_partition_keys() == ["red|eu", "red|us", "blue|eu", "blue|us", "green|eu", "green|us"]
    assert [d.name for d in STATIC.partitions_defs] == ["colour", "region"]
    assert STATIC.partitions_defs[1].partitions_def == REGION
    assert TIMED.get_partition_keys() == ["2024-01-01|eu", "2024-01-01|us", "2024-01-02|eu", "2024-01-02|us"]


def test_membership_needs_every_part_known():
    assert STATIC.has_partition_key("blue|us") is True
    assert STATIC.has_partition_key("blue|mars") is False
    assert STATIC.has_partition_key("pink|us") is False
    assert STATIC.has_partition_key("blue") is False
    assert STATIC.has_partition_key("blue|us|x") is False


def test_a_key_from_its_text():
    key = STATIC.get_partition_key_from_str("green|eu")
    assert key.keys_by_dimension == {"colour": "green", "region": "eu"}
    with pytest.raises(PartitionError) as err:
        STATIC.get_partition_key_from_str("green")
    assert str(err.value) == (
        "partition key 'green' of MultiPartitionsDefinition({'colour': StaticPartitionsDefinition(['red', "
        "'blue', 'green']), 'region': StaticPartitionsDefinition(['eu', 'us'])}) should join 2 keys with '|' "
        "(one per dimension: colour, region)")


def test_an_unknown_key_names_the_dimension_at_fault():
    STATIC.validate_partition_key("red|us")
    with pytest.raises(PartitionError) as err:
        STATIC.validate_partition_key("red|uss")
    assert str(err.value) == (
        f"unknown partition key 'red|uss' for {STATIC!r}: in dimension 'region', unknown partition key 'uss' "
        f"for StaticPartitionsDefinition(['eu', 'us']); did you mean 'us'?")
    with pytest.raises(PartitionError) as err:
        STATIC.validate_partition_key("rde|eu")
    assert "in dimension 'colour', unknown partition key 'rde'" in str(err.value)


def test_the_time_dimension_and_its_windows():
    assert TIMED.time_window_dimension.name == "date"
    window = TIMED.time_window_for_partition_key("2024-01-02|eu")
    utc = timezone.utc
    assert window == TimeWindow(datetime(2024, 1, 2, tzinfo=utc), datetime(2024, 1, 3, tzinfo=utc))
    with pytest.raises(NoPartitionError) as err:
        STATIC.time_window_dimension  # noqa: B018
    assert str(err.value) == f"{STATIC!r} has no time-window dimension"


def test_a_definition_needs_exactly_two_static_or_time_dimensions():
    with pytest.raises(DefinitionError) as err:
        MultiPartitionsDefinition({"a": REGION})
    assert str(err.value) == "a multi-partitions definition has exactly two dimensions, not 1: ['a']"
    with pytest.raises(DefinitionError) as err:
        MultiPartitionsDefinition({"c": REGION, "a": COLOUR, "b": DAYS})
    assert str(err.value) == "a multi-partitions definition has exactly two dimensions, not 3: ['a', 'b', 'c']"
    with pytest.raises(DefinitionError) as err:
        MultiPartitionsDefinition({"a": REGION, "b": STATIC})
    assert str(err.value) == f"dimension 'b' of a multi-partitions definition must be static or time-based, not {STATIC!r}"
    with pytest.raises(DefinitionError) as err:
        MultiPartitionsDefinition({"a": REGION, "b": StaticPartitionsDefinition(["x", "y|z"])})
    assert str(err.value) == "keys of dimension 'b' cannot contain '|' (it joins the dimensions of a key): ['y|z']"


def test_equal_definitions_and_repr():
    assert MultiPartitionsDefinition({"colour": COLOUR, "region": REGION}) == STATIC
    assert hash(MultiPartitionsDefinition({"colour": COLOUR, "region": REGION})) == hash(STATIC)
    assert STATIC != TIMED
    assert repr(MultiPartitionsDefinition({"b": REGION, "a": StaticPartitionsDefinition(["x"])})) == (
        "MultiPartitionsDefinition({'a': StaticPartitionsDefinition(['x']), "
        "'b': StaticPartitionsDefinition(['eu', 'us'])})")


OPEN_DAYS = DailyPartitionsDefinition(start_date="2024-01-01")  # no end: up to the time asked
JAN_3 = datetime(2024, 1, 3, tzinfo=timezone.utc)


@pytest.mark.parametrize("time_name, static_name", [("date", "region"), ("when", "area")])
def test_every_dimension_is_asked_at_the_time_given(time_name, static_name):
    multi = MultiPartitionsDefinition({time_name: OPEN_DAYS, static_name: REGION})
    keys = multi.get_partition_keys(JAN_3)
    parts = sorted([("2024-01-01", "eu"), ("2024-01-01", "us"), ("2024-01-02", "eu"), ("2024-01-02", "us")])
    assert sorted(tuple(k.keys_by_dimension[n] for n in (time_name, static_name)) for k in keys) == parts
    assert multi.has_partition_key("2024-01-02|eu" if time_name < static_name else "eu|2024-01-02", JAN_3)
    later = "2025-01-01|eu" if time_name < static_name else "eu|2025-01-01"
    assert multi.has_partition_key(later, JAN_3) is False
    with pytest.raises(PartitionError):
        multi.validate_partition_key(later, JAN_3)
