"""runtime.definitions.assets: AssetDep and load_assets_from_modules, as in Dagster."""

from __future__ import annotations

import types

import pytest

from specrun import (
    AssetCheckResult, AssetDep, AssetKey, AssetSpec, DefinitionError, LastPartitionMapping, asset,
    asset_check, load_assets_from_modules, materialize,
)


def test_an_asset_dep_orders_without_passing_a_value():
    order = []

    @asset
    def raw():
        order.append("raw")

    @asset(deps=[AssetDep("raw"), AssetDep(AssetKey(["other"]))])
    def report():
        order.append("report")

    assert report.deps == (AssetKey("raw"), AssetKey(["other"]))
    assert materialize([report, raw, AssetSpec(AssetKey(["other"]))]).success
    assert order == ["raw", "report"]


def test_an_asset_dep_with_a_partition_mapping_is_refused_with_what_to_do():
    with pytest.raises(DefinitionError, match=r"declare it as an input with ins=\{name: AssetIn"):
        AssetDep("raw", partition_mapping=LastPartitionMapping())


def test_load_assets_from_modules_finds_each_definition_once_and_groups_ungrouped_ones():
    @asset
    def first():
        return 1

    @asset(group_name="kept")
    def second(first):
        return first + 1

    @asset_check(asset=first)
    def positive(first):
        return AssetCheckResult(passed=first > 0)

    module_a = types.ModuleType("module_a")
    module_a.first, module_a.alias, module_a.positive = first, first, positive
    module_b = types.ModuleType("module_b")
    module_b.second, module_b.not_an_asset = second, 42

    loaded = load_assets_from_modules([module_a, module_b], group_name="loaded")
    assert [getattr(d, "group_name", None) for d in loaded] == ["loaded", None, "kept"]
    assert materialize(loaded).output_for_node("second") == 2


def test_with_resources_binds_and_configures_resources_of_assets():
    from specrun import resource, with_resources

    @resource(config_schema={"prefix": str})
    def greeter(init_context):
        return init_context.resource_config["prefix"]

    @asset(required_resource_keys={"greeter"})
    def greeting(context):
        return f"{context.resources.greeter} world"

    bound = with_resources([greeting], {"greeter": greeter},
                           resource_config_by_key={"greeter": {"config": {"prefix": "hello"}}})
    assert materialize(bound).output_for_node("greeting") == "hello world"
    with pytest.raises(DefinitionError, match="names 'greter', which is not among the resources given; did you mean 'greeter'"):
        with_resources([greeting], {"greeter": greeter}, resource_config_by_key={"greter": {}})
