"""runtime.definitions.assets: AssetDep and load_assets_from_modules, as in Dagster."""

from __future__ import annotations

import types

import pytest

from specrun import (
    AssetCheckResult, AssetDep, AssetKey, AssetSpec, DefinitionError, asset,
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


def test_asset_dep_partition_mapping_orders_a_backfill_by_the_mapped_partitions():
    from specrun import AssetDep, DailyPartitionsDefinition, TimeWindowPartitionMapping
    from specrun.runtime.definitions.jobs import build_asset_job
    from specrun.runtime.plan import build_plan

    daily = DailyPartitionsDefinition(start_date="2024-01-01")

    @asset(partitions_def=daily)
    def events() -> int:
        return 1

    @asset(partitions_def=daily,
           deps=[AssetDep(events, partition_mapping=TimeWindowPartitionMapping(start_offset=-1))])
    def rollup() -> int:
        return 2

    job = build_asset_job("j", [events, rollup])
    plan = build_plan(job, ["2024-01-04", "2024-01-05"])
    assert plan.get_step("rollup[2024-01-05]").upstream_keys == {
        "events[2024-01-04]", "events[2024-01-05]"}
    assert plan.get_step("rollup[2024-01-04]").upstream_keys == {"events[2024-01-04]"}


def test_retry_delays_are_bounded_to_a_day():
    from specrun.runtime.definitions.policy import Backoff, RetryPolicy

    with pytest.raises(ValueError, match="delay must be between 0 and 86400.0 seconds"):
        RetryPolicy(delay=1e308)
    with pytest.raises(ValueError, match="got nan"):
        RetryPolicy(delay=float("nan"))
    policy = RetryPolicy(max_retries=5000, delay=10, backoff=Backoff.EXPONENTIAL)
    assert policy.delay_for(3) == 70 and policy.delay_for(1100) == 86400


def test_an_asset_makes_an_in_only_for_an_input_with_facts_of_its_own_and_no_plain_out(monkeypatch):
    """The op's `In` of an input is made once (not made, then made again with the function's
    facts), and only for an input that has facts of its own (metadata, a type, a default): the
    others, and an output of no type, metadata or IO manager of its own, are one shared
    (frozen) `In` and `Out`."""
    from specrun.runtime.definitions import ops
    from specrun.runtime.definitions.assets import AssetIn

    made = {"In": 0, "Out": 0}
    for cls in (ops.In, ops.Out):
        def counting(self, *args, __init__=cls.__init__, __name=cls.__name__, **kwargs):
            made[__name] += 1
            __init__(self, *args, **kwargs)
        monkeypatch.setattr(cls, "__init__", counting)

    def joined(left, right):
        return left + right

    made_asset = asset(joined, ins={"left": AssetIn(key="a"), "right": AssetIn(key="b", metadata={"m": 1})})
    assert made == {"In": 1, "Out": 0}  # right's (its metadata)
    assert made_asset.op.ins["left"].metadata is None and made_asset.op.ins["right"].metadata == {"m": 1}
    assert made_asset.op.outs["result"].io_manager_key == "io_manager"
    again = asset(joined, name="again")
    assert again.op.ins["left"] is again.op.ins["right"] == made_asset.op.ins["left"] == ops.In()
    assert again.op.outs["result"] is made_asset.op.outs["result"] == ops.Out()
