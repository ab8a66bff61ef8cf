"""Dynamic partitions (issue #14 item 5): `DynamicPartitionsDefinition` and the instance's
add / get / has / delete of its keys, as Dagster."""

from __future__ import annotations

import pytest

from tests.conformance.api import dg

fruits = dg.DynamicPartitionsDefinition(name="fruits")


@dg.asset(partitions_def=fruits)
def fruit(context) -> str:
    return context.partition_key


@dg.asset(partitions_def=fruits)
def shout(context, fruit: str) -> str:
    return fruit.upper() + "!"


def test_keys_are_added_to_the_instance_in_order_each_once(instance):
    instance.add_dynamic_partitions("fruits", ["b", "a"])
    instance.add_dynamic_partitions("fruits", ["a", "c"])
    assert instance.get_dynamic_partitions("fruits") == ["b", "a", "c"]
    assert instance.has_dynamic_partition("fruits", "a") is True
    assert instance.has_dynamic_partition("fruits", "z") is False
    assert instance.get_dynamic_partitions("nothing") == []


def test_the_definition_reads_its_keys_from_a_store(instance):
    instance.add_dynamic_partitions("fruits", ["kiwi", "fig"])
    assert fruits.get_partition_keys(dynamic_partitions_store=instance) == ["kiwi", "fig"]
    assert fruits.name == "fruits"
    assert fruits == dg.DynamicPartitionsDefinition(name="fruits")


def test_a_dynamic_partition_is_materialized_by_key(instance):
    instance.add_dynamic_partitions("fruits", ["apple"])
    result = dg.materialize([fruit, shout], partition_key="apple", instance=instance)
    assert result.success
    assert result.output_for_node("shout") == "APPLE!"
    [mat] = [m for m in result.get_asset_materialization_events() if m.asset_key == dg.AssetKey("fruit")]
    assert mat.partition == "apple"


def test_a_key_that_was_not_added_cannot_be_materialized(instance):
    instance.add_dynamic_partitions("fruits", ["apple"])
    with pytest.raises(Exception) as caught:
        dg.materialize([fruit], partition_key="pear", instance=instance)
    assert "pear" in str(caught.value)


def test_a_deleted_key_is_gone(instance):
    instance.add_dynamic_partitions("fruits", ["b", "a", "c"])
    instance.delete_dynamic_partition("fruits", "a")
    instance.delete_dynamic_partition("fruits", "not-there")
    assert instance.get_dynamic_partitions("fruits") == ["b", "c"]


def test_a_dynamic_definition_needs_a_name():
    with pytest.raises(dg.DagsterInvalidDefinitionError):
        dg.DynamicPartitionsDefinition()
