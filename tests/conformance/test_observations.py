"""Observable source assets and observations (issue #14 item 6): `@observable_source_asset`
returning a `DataVersion`, observed with `observe` (specrun exports it; Dagster keeps it in
`dagster._core.definitions.observe`), `AssetObservation`, and `SourceAsset` / `AssetSpec` as
external assets."""

from __future__ import annotations

import importlib

import pytest

from tests.conformance.api import ON_DAGSTER, dg

observe = importlib.import_module("dagster._core.definitions.observe").observe if ON_DAGSTER else dg.observe

VERSION = {"orders": "1"}


@dg.observable_source_asset
def orders():
    return dg.DataVersion(VERSION["orders"])


@dg.asset(deps=[orders])
def order_summary():
    return "summary"


def test_an_observable_source_asset_is_a_source_asset_that_can_be_observed():
    assert isinstance(orders, dg.SourceAsset)
    assert orders.key == dg.AssetKey("orders")
    assert orders.is_observable
    assert dg.DataVersion("7").value == "7"


def test_observe_records_the_data_version_the_function_returned(instance):
    VERSION["orders"] = "1"
    result = observe([orders], instance=instance)
    assert result.success
    [event] = result.get_asset_observation_events()
    observation = event.asset_observation_data.asset_observation
    assert event.step_key == "orders"
    assert observation.asset_key == dg.AssetKey("orders")
    assert observation.data_version == "1"


def test_a_downstream_asset_materializes_after_its_source_is_observed(instance):
    VERSION["orders"] = "2"
    observe([orders], instance=instance)
    result = dg.materialize([orders, order_summary], instance=instance, selection=[order_summary])
    assert [e.asset_key for e in result.get_asset_materialization_events()] == [dg.AssetKey("order_summary")]
    assert result.output_for_node("order_summary") == "summary"


def test_an_observation_function_may_take_the_context_and_resources(instance):
    class Files(dg.ConfigurableResource):
        version: str

    @dg.observable_source_asset(required_resource_keys={"files"})
    def listing(context):
        return dg.DataVersion(context.resources.files.version)

    result = observe([listing], instance=instance, resources={"files": Files(version="v9")})
    [event] = result.get_asset_observation_events()
    assert event.asset_observation_data.asset_observation.data_version == "v9"


def test_an_asset_logs_an_asset_observation_with_metadata():
    @dg.asset
    def watched(context):
        context.log_event(dg.AssetObservation(asset_key="watched", metadata={"rows": 3}))
        return 1

    result = dg.materialize([watched])
    [event] = result.get_asset_observation_events()
    observation = event.asset_observation_data.asset_observation
    assert observation.asset_key == dg.AssetKey("watched")
    assert observation.metadata["rows"].value == 3


@pytest.mark.parametrize("external", [dg.AssetSpec("raw_feed"), dg.SourceAsset("raw_feed")])
def test_an_external_asset_is_depended_on_but_not_computed(external):
    @dg.asset(deps=[external])
    def from_feed():
        return 1

    result = dg.materialize([external, from_feed])
    assert [e.asset_key for e in result.get_asset_materialization_events()] == [dg.AssetKey("from_feed")]
