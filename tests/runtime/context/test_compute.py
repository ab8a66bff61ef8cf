"""runtime.context.compute and build: what op, asset and check functions see in their
context, in a run and when built by hand (`build_op_context`, `build_asset_context`)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from specrun import (
    AssetCheckResult, AssetCheckSpec, AssetExecutionContext, AssetIn, AssetKey, AssetOut, DagsterInstance,
    DailyPartitionsDefinition, Definitions, In, OpExecutionContext, Out, Output, PartitionKeyRange,
    StaticPartitionsDefinition, asset, asset_check, build_asset_check_context, build_asset_context,
    build_op_context, job, materialize, multi_asset, multi_asset_check, op, resource,
)
from specrun.errors import InvariantViolationError, NoPartitionError
from specrun.runtime.context.build import (
    BuiltAssetCheckExecutionContext, BuiltAssetExecutionContext, BuiltOpExecutionContext,
)
from specrun.runtime.context.compute import StepExecutionContext, StepInfo

DAILY = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-10")
LETTERS = StaticPartitionsDefinition(["a", "b", "c"])


def test_an_op_context_in_a_run_tells_the_step_run_config_and_tags():
    seen = {}

    @op(config_schema={"n": int}, tags={"team": "data"}, out={"first": Out(), "second": Out()})
    def two(context: OpExecutionContext):
        seen.update(
            config=context.op_config, op_name=context.op_def.name, handle=context.op_handle, node=context.node_handle,
            describe=context.describe_op(), job=context.job_name, run_id=context.run_id == context.run.run_id,
            dagster_run=context.dagster_run is context.run, run_config=context.run_config, job_def=context.job_def.name,
            instance=context.instance is not None, retry=context.retry_number, tags=dict(context.run_tags),
            op_tags=dict(context.op_tags), has=(context.has_tag("who"), context.has_tag("nobody")),
            get=(context.get_tag("who"), context.get_tag("nobody")), mapping=context.get_mapping_key(),
            outputs=context.selected_output_names, subset=context.is_subset, same=context.op_execution_context is context,
            has_assets_def=context.has_assets_def, selected=context.selected_asset_keys,
            checks=context.selected_asset_check_keys, partitions=(context.has_partition_key, context.has_partitions),
            partitions_def=context.partitions_def)
        step = context.step_context
        seen["step"] = (step.step.key, step.run_id == context.run_id, step.job_name, step.op_config, step.resources,
                        step.log is context.log, type(context.get_step_execution_context()))
        with pytest.raises(InvariantViolationError, match=r'^op "two" does not compute an asset$'):
            context.assets_def
        with pytest.raises(InvariantViolationError, match=r"^op \"two\" has outputs \['first', 'second'\]: pass "
                                                          r"output_name= to add_output_metadata$"):
            context.add_output_metadata({"x": 1})
        context.add_output_metadata({"rows": 2}, output_name="second")
        seen["metadata"] = (dict(context.get_output_metadata("second")), dict(context.get_output_metadata("first")))
        return 1, 2

    @job(tags={"who": "me"})
    def tagged():
        two()

    result = tagged.execute_in_process(run_config={"ops": {"two": {"config": {"n": 3}}}})
    assert result.success
    assert seen == {
        "config": {"n": 3}, "op_name": "two", "handle": "two", "node": "two", "describe": 'op "two"', "job": "tagged",
        "run_id": True, "dagster_run": True, "run_config": {"ops": {"two": {"config": {"n": 3}}}},
        "job_def": "tagged", "instance": True, "retry": 0, "tags": {"who": "me"}, "op_tags": {"team": "data"},
        "has": (True, False), "get": ("me", None), "mapping": None, "outputs": {"first", "second"},
        "subset": False, "same": True, "has_assets_def": False, "selected": set(), "checks": set(),
        "partitions": (False, False), "partitions_def": None,
        "step": ("two", True, "tagged", {"n": 3}, seen["step"][4], True, StepExecutionContext),
        "metadata": ({"rows": 2}, {})}
    [second] = [e for e in result.all_events if e.event_type_value == "STEP_OUTPUT" and e.step_key == "two"
                and e.event_specific_data.output_name == "second"]
    assert second.event_specific_data.metadata["rows"].value == 2


def test_a_partitioned_asset_context_gives_its_key_range_and_time_window():
    seen = {}

    @asset(partitions_def=DAILY)
    def daily(context: AssetExecutionContext):
        seen.update(
            key=context.partition_key, keys=context.partition_keys, range=context.partition_key_range,
            has=(context.has_partition_key, context.has_partitions), window=context.partition_time_window,
            out_key=context.asset_partition_key_for_output(), out_keys=context.asset_partition_keys_for_output(),
            out_range=context.asset_partition_key_range_for_output(),
            out_window=context.asset_partitions_time_window_for_output(), asset_key=context.asset_key,
            for_output=context.asset_key_for_output(), selected=context.selected_asset_keys,
            outputs=context.selected_output_names, partitions_def=context.partitions_def is DAILY)
        return 1

    assert materialize([daily], partition_key="2024-01-03").success
    day = (datetime(2024, 1, 3, tzinfo=timezone.utc), datetime(2024, 1, 4, tzinfo=timezone.utc))
    window = seen.pop("window")
    assert (window.start, window.end) == day
    out_window = seen.pop("out_window")
    assert (out_window.start, out_window.end) == day
    assert seen == {"key": "2024-01-03", "keys": ["2024-01-03"], "range": PartitionKeyRange("2024-01-03", "2024-01-03"),
                    "has": (True, True), "out_key": "2024-01-03", "out_keys": ["2024-01-03"],
                    "out_range": PartitionKeyRange("2024-01-03", "2024-01-03"), "asset_key": AssetKey("daily"),
                    "for_output": AssetKey("daily"), "selected": {AssetKey("daily")}, "outputs": {"result"},
                    "partitions_def": True}


def test_partition_facts_of_a_range_of_partitions_and_of_none():
    built = build_asset_context(partition_key_range=PartitionKeyRange("2024-01-02", "2024-01-04"),
                                partitions_def=DAILY)
    assert built.partition_keys == ["2024-01-02", "2024-01-03", "2024-01-04"]
    assert built.partition_key_range == PartitionKeyRange("2024-01-02", "2024-01-04")
    assert (built.has_partition_key, built.has_partitions) == (False, True)
    plain = build_op_context()
    with pytest.raises(NoPartitionError, match=r'^op "direct" has no partition key: this run is not partitioned$'):
        plain.partition_key
    with pytest.raises(NoPartitionError, match="this run is not partitioned"):
        plain.partition_keys
    static = build_op_context(partition_key="a", partitions_def=LETTERS)
    with pytest.raises(NoPartitionError, match=r'^op "direct" is not partitioned by time, so it has no time window$'):
        static.partition_time_window
    assert static.partition_keys == ["a"]
    no_def = build_op_context(partition_key="2024-01-02")
    with pytest.raises(NoPartitionError, match="not partitioned by time"):
        no_def.partition_time_window


def test_input_partitions_as_keys_one_key_and_a_range():
    seen = {}

    @asset(partitions_def=LETTERS)
    def letters(context):
        return context.partition_key

    @asset(ins={"letters": AssetIn()})
    def joined(context, letters):
        seen["keys"] = context.asset_partition_keys_for_input("letters")
        seen["range"] = context.asset_partition_key_range_for_input("letters")
        with pytest.raises(NoPartitionError, match=r"^input 'letters' of op \"joined\" spans 3 partitions, not one$"):
            context.asset_partition_key_for_input("letters")
        seen["key_for"] = context.asset_key_for_input("letters")
        with pytest.raises(InvariantViolationError, match=r'^op "joined" has no asset input \'other\'$'):
            context.asset_key_for_input("other")
        return 1

    @asset(partitions_def=LETTERS)
    def same(context, letters):
        seen["one"] = context.asset_partition_key_for_input("letters")
        return 1

    instance = DagsterInstance.ephemeral()
    for key in ("a", "b", "c"):
        assert materialize([letters], partition_key=key, instance=instance).success
    assert materialize([letters, joined], selection=[joined], instance=instance).success
    assert materialize([letters, same], selection=[same], partition_key="b", instance=instance).success
    assert seen == {"keys": ["a", "b", "c"], "range": PartitionKeyRange("a", "c"), "key_for": AssetKey("letters"),
                    "one": "b"}


def test_input_partition_questions_on_an_unpartitioned_input_are_errors():
    context = build_op_context()
    with pytest.raises(NoPartitionError, match=r"^input 'x' of op \"direct\" is not partitioned$"):
        context.asset_partition_keys_for_input("x")
    with pytest.raises(NoPartitionError, match=r"^input 'x' of op \"direct\" is not partitioned$"):
        context.asset_partition_key_range_for_input("x")
    with pytest.raises(NoPartitionError, match=r"^input 'x' of op \"direct\" spans 0 partitions, not one$"):
        context.asset_partition_key_for_input("x")


def test_a_multi_asset_context_names_each_output_asset_and_refuses_one_asset_key():
    seen = {}

    @multi_asset(outs={"one": AssetOut(), "two": AssetOut(key=AssetKey(["pre", "two"]))}, can_subset=True)
    def pair(context):
        seen["outputs"] = set(context.selected_output_names)
        seen["selected"] = context.selected_asset_keys
        seen["keys"] = {n: context.asset_key_for_output(n) for n in context.selected_output_names}
        with pytest.raises(InvariantViolationError, match=r'^op "pair" computes several assets: use '
                                                          r'context.asset_key_for_output\(name\)$'):
            context.asset_key
        for name in sorted(context.selected_output_names):
            yield Output(1, output_name=name)

    assert materialize([pair]).success
    assert seen == {"outputs": {"one", "two"}, "selected": {AssetKey("one"), AssetKey(["pre", "two"])},
                    "keys": {"one": AssetKey("one"), "two": AssetKey(["pre", "two"])}}
    assert materialize([pair], selection=["one"]).success
    assert seen["outputs"] == {"one"} and seen["selected"] == {AssetKey("one")}


def test_a_check_context_names_its_asset_and_checks():
    seen = {}

    @asset
    def left():
        return 1

    @asset
    def right():
        return 2

    @asset_check(asset=left)
    def small(context, left):
        seen["one"] = (context.asset_key, {(k.asset_key, k.name) for k in context.selected_asset_check_keys},
                       [s.name for s in context.check_specs])
        return AssetCheckResult(passed=True)

    @multi_asset_check(specs=[AssetCheckSpec("l", asset="left"), AssetCheckSpec("r", asset="right")])
    def both(context):
        seen["multi"] = {(k.asset_key, k.name) for k in context.selected_asset_check_keys}
        yield AssetCheckResult(asset_key="left", check_name="l", passed=True)
        yield AssetCheckResult(asset_key="right", check_name="r", passed=True)

    assert materialize([left, right, small, both]).success
    assert seen == {"one": (AssetKey("left"), {(AssetKey("left"), "small")}, ["small"]),
                    "multi": {(AssetKey("left"), "l"), (AssetKey("right"), "r")}}
    built = build_asset_check_context()
    assert built.check_specs == [] and built.selected_asset_check_keys == set()


def test_events_logged_from_user_code_reach_the_run_and_a_built_context_drops_them():
    from specrun import AssetObservation

    @asset
    def watched(context):
        context.log_event(AssetObservation(asset_key="watched", metadata={"n": 1}))
        context.add_asset_metadata({"rows": 5})
        return 1

    result = materialize([watched])
    [observation] = result.get_asset_observation_events()
    assert observation.asset_observation_data.asset_observation.metadata["n"].value == 1
    assert result.asset_materializations_for_node("watched")[0].metadata["rows"].value == 5
    build_op_context().log_event(AssetObservation(asset_key="x"))  # no run to record it: nothing happens


def test_metadata_for_an_output_already_yielded_is_refused():
    @op(out={"a": Out(), "b": Out()})
    def late(context):
        yield Output(1, output_name="a")
        context.add_output_metadata({"x": 1}, output_name="a")
        yield Output(2, output_name="b")

    @job
    def fails():
        late()

    result = fails.execute_in_process(raise_on_error=False)
    assert not result.success
    error = result.failure_data_for_node("late").error
    while error.cause is not None and "attempted" not in error.message:
        error = error.cause
    assert error.message.strip().endswith(
        "In op \"late\", attempted to log output metadata for output 'a' which has already been yielded. "
        "Metadata must be logged before the output is yielded.")


def test_a_built_op_context_keeps_what_it_is_given_and_closes_its_resources():
    events = []

    @resource
    def tracked(init_context):
        events.append("open")
        try:
            yield "value"
        finally:
            events.append("closed")

    instance = DagsterInstance.ephemeral()
    with build_op_context(resources={"tracked": tracked}, op_config={"a": 1}, config={"a": 2}, instance=instance,
                          partition_key="p", mapping_key="m", run_tags={"t": "1", "u": "1"}, tags={"u": "2"},
                          run_id="run-1") as context:
        assert isinstance(context, BuiltOpExecutionContext)
        assert (context.op_config, context.instance, context.partition_key, context.get_mapping_key()) == (
            {"a": 1}, instance, "p", "m")
        assert (dict(context.run_tags), context.run_id, context.job_name) == ({"t": "1", "u": "2"}, "run-1", "ephemeral")
        assert context.resources.tracked == "value" and events == ["open"]
        assert context.op_def is None and context.selected_output_names == {"result"}
        context.add_output_metadata({"k": 1})
        assert context.get_output_metadata() == {"k": 1}
        assert repr(context.step_context.step) == "StepInfo('direct')"
    assert events == ["open", "closed"]
    assert build_op_context(config={"a": 2}).op_config == {"a": 2}
    assert len(build_op_context().run_id) == 36  # a fresh uuid


def test_a_built_context_makes_an_instance_and_disposes_of_it_on_close():
    context = build_op_context()
    instance = context.instance
    assert instance.is_ephemeral
    context.close()
    closed = build_asset_context()
    closed.close()


def test_a_built_asset_context_keeps_its_asset_selection_config_and_partitions():
    context = build_asset_context(asset_config={"n": 1}, config={"n": 2}, asset_key="a/b", partition_key="2024-01-02",
                                  partitions_def=DAILY, selected_asset_keys=[AssetKey("x")], run_id="r",
                                  run_tags={"t": "1"}, tags={"s": "2"})
    assert isinstance(context, BuiltAssetExecutionContext)
    assert (context.op_config, context.asset_key, context.partition_key, context.run_id) == (
        {"n": 1}, AssetKey(["a", "b"]), "2024-01-02", "r")
    assert context.selected_asset_keys == {AssetKey("x")} and dict(context.run_tags) == {"t": "1", "s": "2"}
    window = context.partition_time_window
    assert (window.start, window.end) == (datetime(2024, 1, 2, tzinfo=timezone.utc),
                                          datetime(2024, 1, 3, tzinfo=timezone.utc))
    assert build_asset_context(config={"n": 2}).op_config == {"n": 2}
    assert build_asset_context().selected_asset_keys == set()
    with pytest.raises(InvariantViolationError, match=r'^op "direct" does not compute an asset$'):
        build_asset_context().asset_key
    check = build_asset_check_context(asset_config={"c": 1}, run_tags={"r": "1"})
    assert isinstance(check, BuiltAssetCheckExecutionContext)
    assert (check.op_config, dict(check.run_tags)) == ({"c": 1}, {"r": "1"})


def test_a_built_context_configures_its_resources_and_logs_with_given_loggers():
    from specrun import logger

    records = []

    @logger
    def collecting(init_context):
        import logging

        log = logging.getLogger("collecting-test")
        log.handlers = []

        class Keep(logging.Handler):
            def emit(self, record):
                records.append((record.getMessage(), record.run_id, record.job_name, record.step_key))

        log.addHandler(Keep())
        log.setLevel(logging.INFO)
        return log

    @resource(config_schema={"url": str})
    def database(init_context):
        return init_context.resource_config["url"]

    context = build_op_context(resources={"database": database}, logger_defs={"collecting": collecting},
                               resources_config={"database": {"config": {"url": "db://x"}}}, run_id="r-1")
    assert context.resources.database == "db://x"
    context.log.info("hello")
    assert records == [("hello", "r-1", "ephemeral", "direct")]
    assert (context.retry_number, context.run_config, context.job_def, context.run) == (0, {}, None, None)


def test_step_info_defaults():
    info = StepInfo("k")
    assert (info.key, info.kind, info.partition_key) == ("k", "op", None)


def test_the_step_of_a_built_context_is_a_direct_op_step_of_its_partition():
    step = build_op_context(partition_key="p").step_context.step
    assert (step.key, step.kind, step.partition_key) == ("direct", "op", "p")
    assert build_asset_context(partition_key="2024-01-02").step_context.step.partition_key == "2024-01-02"


def test_an_op_context_made_without_tags_has_none():
    context = OpExecutionContext(op_def=None, step=StepInfo("k"), run_id="r", job_name="j")
    assert (dict(context.run_tags), dict(context.op_tags), context.run_config) == ({}, {}, {})


def test_each_copy_of_a_mapped_op_sees_its_mapping_key():
    from specrun import DynamicOut, DynamicOutput

    seen = []

    @op(out=DynamicOut())
    def fan():
        yield DynamicOutput(1, mapping_key="first")
        yield DynamicOutput(2, mapping_key="second")

    @op
    def each(context, x):
        seen.append((context.get_mapping_key(), x))
        return x

    @job
    def mapped():
        fan().map(each)

    assert mapped.execute_in_process().success
    assert sorted(seen) == [("first", 1), ("second", 2)]


def test_asset_key_for_output_by_default_names_the_result_output_of_a_multi_asset():
    seen = {}

    @multi_asset(outs={"other": AssetOut(key="side"), "result": AssetOut(key="main")})  # "result" not first
    def pair(context):
        seen["default"] = context.asset_key_for_output()
        seen["other"] = context.asset_key_for_output("other")
        return 1, 2

    assert materialize([pair]).success
    assert seen == {"default": AssetKey(["main"]), "other": AssetKey(["side"])}


def test_the_op_producing_a_graph_asset_names_that_asset_whatever_its_output_is_called():
    from specrun import graph_asset

    seen = {}

    @op(out={"out": Out()})
    def produce(context):
        seen["key"] = context.asset_key_for_output()
        seen["named"] = context.asset_key_for_output("out")
        return 1

    @graph_asset
    def produced():
        return produce()

    assert materialize([produced]).success
    assert seen == {"key": AssetKey(["produced"]), "named": AssetKey(["produced"])}


def test_asset_key_for_input_of_an_op_context_is_an_error_naming_the_input():
    with pytest.raises(InvariantViolationError) as raised:
        build_op_context().asset_key_for_input("x")
    assert str(raised.value) == "op \"direct\" has no asset input 'x'"


def test_a_built_context_gives_its_loggers_and_resources_its_run_id_instance_and_log():
    from specrun import logger

    seen = {}

    @logger
    def noting(init_context):
        import logging

        seen["logger run_id"] = init_context.run_id
        return logging.getLogger("noting-test")

    @resource
    def probe(init_context):
        seen["resource"] = (init_context.run_id, init_context.instance, init_context.log)
        return 1

    instance = DagsterInstance.ephemeral()
    context = build_op_context(resources={"probe": probe}, logger_defs={"noting": noting}, instance=instance,
                               run_id="r-7")
    assert seen["logger run_id"] == "r-7"
    assert seen["resource"] == ("r-7", instance, context.log)


def test_a_built_op_context_covers_a_range_of_partitions():
    context = build_op_context(partition_key_range=PartitionKeyRange("a", "b"), partitions_def=LETTERS)
    assert (context.partition_keys, context.partitions_def, context.has_partitions) == (["a", "b"], LETTERS, True)
    assert context.partition_key_range == PartitionKeyRange("a", "b")


def test_a_built_asset_or_check_context_uses_the_given_instance_and_resources():
    @resource(config_schema={"url": str})
    def database(init_context):
        return init_context.resource_config["url"]

    instance = DagsterInstance.ephemeral()
    assert build_asset_context(instance=instance).instance is instance
    check = build_asset_check_context(resources={"database": database}, instance=instance,
                                      resources_config={"database": {"config": {"url": "db://c"}}})
    assert (check.resources.database, check.instance) == ("db://c", instance)
