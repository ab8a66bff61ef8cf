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


def _fields(made):
    """An asset's fields by name, its op's in place of the op (definitions compare by identity)."""
    import dataclasses

    values = {f.name: getattr(made, f.name) for f in dataclasses.fields(made)}
    values["op"] = {f.name: getattr(made.op, f.name) for f in dataclasses.fields(made.op)}
    return values


def test_each_option_of_asset_lands_in_its_own_field():
    """`_make_asset` passes the definitions' fields by position: each option is pinned to its field."""
    from specrun import DailyPartitionsDefinition, RetryPolicy
    from specrun.runtime.definitions.assets import AssetIn

    def compute(context, up: int) -> int:
        """Doc."""
        return up

    daily, policy = DailyPartitionsDefinition(start_date="2024-01-01"), RetryPolicy(max_retries=2)
    made = asset(compute, name="n", key_prefix=["p"], ins={"up": AssetIn(key="u")}, deps=[AssetDep("d")],
                 metadata={"m": 1}, description="desc", required_resource_keys={"r"}, io_manager_key="store",
                 compute_kind="kind", partitions_def=daily, group_name="g", code_version="v3",
                 retry_policy=policy, tags={"t": "1"}, op_tags={"o": 2}, owners=["me@x.org"])
    fields, op = _fields(made), _fields(made)["op"]
    assert (op["name"], op["compute_fn"], list(op["ins"]), op["config_schema"]) == ("p__n", compute, ["up"], None)
    assert (op["required_resource_keys"], op["retry_policy"], op["tags"]) == (frozenset({"r"}), policy,
                                                                             {"dagster/compute_kind": "kind", "o": "2"})
    assert (op["description"], op["code_version"], op["kind"]) == ("desc", "v3", "asset")
    assert op["outs"]["result"].io_manager_key == "store" and op["outs"]["result"].metadata == {"m": 1}
    assert (fields["key"], fields["input_keys"], fields["input_specs"]) == (
        AssetKey(["p", "n"]), {"up": AssetKey("u")}, {"up": AssetIn(key="u")})
    assert (fields["deps"], fields["group_name"], fields["compute_kind"]) == ((AssetKey("d"),), "g", "kind")
    assert (list(fields["metadata"]), fields["partitions_def"], fields["io_manager_key"]) == (["m"], daily, "store")
    assert (fields["code_version"], fields["description"], fields["tags"]) == ("v3", "desc", {"t": "1"})
    assert (fields["owners"], fields["resource_defs"], fields["dep_partition_mappings"]) == (("me@x.org",), {}, {})
    assert (fields["check_specs"], fields["keys_by_output_name"], fields["multi"]) == ((), {"result": made.key}, False)


def test_assets_made_with_shared_parts_equal_those_asset_makes_each_with_dicts_of_its_own():
    from specrun.runtime.definitions.assets import AssetIn, SharedAssetParts, make_asset

    def step(context, up):
        """Step."""
        return up

    shared = SharedAssetParts()
    made = [make_asset(step, {"name": f"a{i}", "ins": {"up": AssetIn(key=f"a{i - 1}")}, "key_prefix": ["p"]}, shared)
            for i in range(1, 4)]
    alone = [asset(step, name=f"a{i}", ins={"up": AssetIn(key=f"a{i - 1}")}, key_prefix=["p"]) for i in range(1, 4)]
    assert [_fields(m) for m in made] == [_fields(a) for a in alone]
    assert made[0].op.description == "Step." and made[2].input_keys == {"up": AssetKey(["a2"])}
    first, second = made[0], made[1]
    assert first.op.signature is second.op.signature  # made once, for the first
    for dicts in (lambda m: m.op.ins, lambda m: m.op.outs, lambda m: m.op.tags, lambda m: m.metadata):
        assert dicts(first) == dicts(second) and dicts(first) is not dicts(second)


def test_shared_parts_are_found_only_for_the_same_function_and_plain_inputs_and_no_option_they_depend_on():
    from specrun.runtime.definitions import assets
    from specrun.runtime.definitions.assets import AssetIn, SharedAssetParts, make_asset

    def step(up):
        return up

    def other(up):
        return up

    shared = SharedAssetParts()
    made = make_asset(step, {"name": "a", "ins": {"up": AssetIn(key="u")}, "deps": ["x"], "key_prefix": "p"}, shared)
    found = shared.find(step, {"up": assets._PLAIN_IN})
    assert found is not None and found[0] is made.op.signature
    assert shared.find(other, {"up": assets._PLAIN_IN}) is None
    assert shared.find(step, {"up": assets.In(metadata={"m": 1})}) is None
    assert shared.find(step, {"up": assets.In()}) is None  # equal, not the plain one
    assert shared.find(step, {"down": assets._PLAIN_IN}) is None
    for option, value in (("metadata", {}), ("tags", {"t": "1"}), ("group_name", "g"), ("io_manager_key", "s"),
                          ("description", "d"), ("required_resource_keys", set()), ("op_tags", None)):
        alone = SharedAssetParts()
        described = make_asset(step, {"name": "c", "ins": {"up": AssetIn(key="u")}, option: value}, alone)
        assert alone.find(step, {"up": assets._PLAIN_IN}) is None  # neither found nor kept
        assert _fields(described) == _fields(asset(step, name="c", ins={"up": AssetIn(key="u")}, **{option: value}))
    assert assets._ASSET_OWN_OPTIONS < set(assets._ASSET_OPTIONS)



def _doubled(upstream):
    """Twice its upstream (a module function: pickled by reference; no annotation: a resolved
    type equals no other)."""
    return upstream * 2


def test_an_asset_and_its_op_are_frozen_values_with_slots_that_pickle_copy_replace_and_take_weak_references():
    """As before, without a dict: the same fields, refusals, identity equality and repr; weak
    references as Dagster's definitions take them. (Dagster's also take attributes of any name;
    specrun's refused them before and still do.)"""
    import copy
    import dataclasses
    import pickle
    import weakref

    made = asset(_doubled, group_name="g", metadata={"m": 1}, tags={"t": "1"})
    for value in (made, made.op):
        assert not hasattr(value, "__dict__") and weakref.ref(value)() is value
        for name in ("description", "other"):
            with pytest.raises(dataclasses.FrozenInstanceError):
                setattr(value, name, "x")
        assert value == value and value != copy.copy(value) and hash(value) == object.__hash__(value)
    for again in (pickle.loads(pickle.dumps(made)), copy.copy(made), copy.deepcopy(made)):
        assert (type(again), type(again.op)) == (type(made), type(made.op)) and _fields(again) == _fields(made)
    assert (repr(made), repr(made.op)) == ("<AssetsDefinition '_doubled'>", "<OpDefinition '_doubled'>")
    regrouped = dataclasses.replace(made, group_name="h")
    assert type(regrouped) is type(made) and regrouped.op is made.op
    assert _fields(regrouped) == {**_fields(made), "group_name": "h"}


def test_an_asset_in_is_a_frozen_value_with_slots_compared_hashed_and_pickled_by_its_fields():
    import copy
    import dataclasses
    import pickle

    from specrun import AssetIn

    made = AssetIn("up", input_manager_key="m")
    assert not hasattr(made, "__dict__")  # (as Dagster's, it takes no weak reference either)
    assert made == AssetIn(key="up", input_manager_key="m") and hash(made) == hash(AssetIn(key="up", input_manager_key="m"))
    assert repr(made) == ("AssetIn(key='up', metadata=None, key_prefix=None, input_manager_key='m', "
                          "partition_mapping=None, dagster_type=None)")
    for again in (pickle.loads(pickle.dumps(made)), copy.copy(made), copy.deepcopy(made)):
        assert again == made and type(again) is AssetIn
    assert dataclasses.replace(made, key="other").resolve_key("p") == AssetKey("other")
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.key = "x"  # type: ignore[misc]
