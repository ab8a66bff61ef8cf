"""Definitions Dagster accepts (issue #10 item 7): jobs without ops, nested graphs keeping
their node names, `AssetDep` partition mappings, resource conflicts, and metadata timing."""

import pytest

from tests.conformance.api import dg


def test_a_job_with_no_ops_runs_and_succeeds():
    @dg.job
    def empty_job():
        pass

    result = empty_job.execute_in_process()
    assert result.success
    assert result.get_step_success_events() == []


@dg.op
def start() -> int:
    return 1


@dg.op
def increment(x: int) -> int:
    return x + 1


@dg.graph
def inner(x):
    return increment(x)


@dg.graph
def outer():
    return inner(start())


@dg.job
def nested_job():
    outer()


def test_nested_graphs_keep_their_node_names():
    result = nested_job.execute_in_process()
    assert result.output_for_node("outer.inner.increment") == 2
    assert result.output_for_node("outer.start") == 1
    steps = sorted(e.step_key for e in result.get_step_success_events())
    assert steps == ["outer.inner.increment", "outer.start"]


def test_a_graphs_own_output_is_read_by_its_name():
    result = nested_job.execute_in_process()
    assert result.output_for_node("outer") == 2
    assert result.output_for_node("outer.inner") == 2


def test_graph_to_job_output_value():
    result = outer.to_job(name="outer_job").execute_in_process()
    assert result.output_value() == 2
    assert result.output_for_node("inner") == 2
    assert result.output_for_node("inner.increment") == 2


def test_nested_graph_op_config_in_run_config():
    @dg.op(config_schema={"by": int})
    def scale(context, x: int) -> int:
        return x * context.op_config["by"]

    @dg.graph
    def scaler(x):
        return scale(x)

    @dg.job
    def scaled_job():
        scaler(start())

    result = scaled_job.execute_in_process(
        run_config={"ops": {"scaler": {"ops": {"scale": {"config": {"by": 5}}}}}})
    assert result.output_for_node("scaler.scale") == 5


def test_asset_dep_with_a_partition_mapping():
    daily = dg.DailyPartitionsDefinition(start_date="2024-01-01")
    mapping = dg.TimeWindowPartitionMapping(start_offset=-1)

    @dg.asset(partitions_def=daily)
    def events() -> int:
        return 1

    dep = dg.AssetDep(events, partition_mapping=mapping)
    assert dep.partition_mapping == mapping
    assert dep.asset_key == dg.AssetKey("events")

    @dg.asset(partitions_def=daily, deps=[dep])
    def rollup(context) -> str:
        return context.partition_key

    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize([events, rollup], partition_key="2024-01-05", instance=instance)
    assert result.success
    assert result.output_for_node("rollup") == "2024-01-05"


def test_conflicting_resource_definitions_for_one_key_are_an_error():
    @dg.asset(resource_defs={"store": dg.ResourceDefinition.hardcoded_resource(1)})
    def first() -> int:
        return 1

    @dg.asset(resource_defs={"store": dg.ResourceDefinition.hardcoded_resource(2)})
    def second() -> int:
        return 2

    with pytest.raises(dg.DagsterInvalidDefinitionError, match="store"):
        dg.materialize([first, second])


def test_the_same_resource_definition_shared_by_assets_is_fine():
    shared = dg.ResourceDefinition.hardcoded_resource(7)

    @dg.asset(resource_defs={"store": shared}, required_resource_keys={"store"})
    def left(context) -> int:
        return context.resources.store

    @dg.asset(resource_defs={"store": shared}, required_resource_keys={"store"})
    def right(context) -> int:
        return context.resources.store + 1

    result = dg.materialize([left, right])
    assert (result.output_for_node("left"), result.output_for_node("right")) == (7, 8)


def test_add_output_metadata_after_the_output_was_yielded_is_an_error():
    @dg.op
    def late(context):
        yield dg.Output(1)
        context.add_output_metadata({"too": "late"})

    @dg.job
    def late_job():
        late()

    with pytest.raises(dg.DagsterInvariantViolationError, match="already been yielded"):
        late_job.execute_in_process()
    assert late_job.execute_in_process(raise_on_error=False).is_node_failed("late")


def test_add_output_metadata_before_yielding_is_recorded():
    @dg.op(out={"a": dg.Out(), "b": dg.Out()})
    def two(context):
        context.add_output_metadata({"rows": 1}, output_name="a")
        yield dg.Output(1, "a")
        context.add_output_metadata({"rows": 2}, output_name="b")
        yield dg.Output(2, "b")

    @dg.job
    def two_job():
        two()

    result = two_job.execute_in_process()
    outputs = {e.step_output_data.output_name: e.step_output_data.metadata["rows"].value
               for e in result.events_for_node("two") if e.is_successful_output}
    assert outputs == {"a": 1, "b": 2}


def test_an_input_on_an_asset_nobody_produces_is_refused_and_a_dep_is_not():
    @dg.asset
    def totals(raw):  # loads asset `raw`, which nothing given produces
        return raw

    with pytest.raises(dg.DagsterInvalidDefinitionError, match="raw"):
        dg.Definitions(assets=[totals]).get_implicit_global_asset_job_def()
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="raw"):
        dg.materialize([totals])

    @dg.asset(deps=["raw"])  # only runs after it: nothing is loaded, so nothing is missing
    def after_raw():
        return 1

    assert dg.materialize([after_raw]).output_for_node("after_raw") == 1

    raw_spec = dg.AssetSpec("raw")  # declared as produced elsewhere: then the input is fine
    defs = dg.Definitions(assets=[raw_spec, totals])
    assert defs.get_implicit_global_asset_job_def() is not None
