"""Execution behaviour: failures skip downstream only, retries, resources' clean-up, events."""

from __future__ import annotations

import os

import pytest

from specrun import (
    Backoff, DagsterEventType, DefinitionError, Failure, In, Jitter, Nothing, Out, Output,
    RetryPolicy, RetryRequested, asset, fs_io_manager, job, materialize, op, resource,
)
from specrun.runtime.definitions.policy import RetryPolicy as _RP
from specrun.runtime.storage import layout


@op
def source():
    return 1


@op
def explode(x):
    raise ValueError(f"boom {x}")


@op
def after(x):
    return x + 1


@op
def independent():
    return "still ran"


@job
def branching():
    after(explode(source()))
    independent()


def test_failed_step_skips_downstream_but_independent_branch_runs():
    result = branching.execute_in_process(raise_on_error=False)
    assert not result.success
    assert result.get_failed_step_keys() == {"explode"}
    assert result.get_skipped_step_keys() == {"after"}
    assert result.output_for_node("independent") == "still ran"
    types = [e.event_type for e in result.all_events]
    assert types[0] is DagsterEventType.RUN_START and types[-1] is DagsterEventType.RUN_FAILURE


def test_failure_event_keeps_original_exception_and_traceback():
    result = branching.execute_in_process(raise_on_error=False)
    info = result.failure_info
    assert isinstance(info.exc, ValueError) and str(info.exc) == "boom 1"
    assert info.cls_name == "ValueError"
    assert any("raise ValueError" in frame for frame in info.stack)
    assert "ValueError: boom 1" in info.to_string()


def test_raise_on_error_reraises_the_user_exception():
    with pytest.raises(ValueError, match="boom 1"):
        branching.execute_in_process()


def test_retry_policy_retries_until_success_waiting_the_delay_of_each_retry_number():
    calls = []

    @op(retry_policy=RetryPolicy(max_retries=3, delay=0.001, backoff=Backoff.LINEAR))
    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise RuntimeError("transient")
        return len(calls)

    @job
    def retrying():
        flaky()

    result = retrying.execute_in_process()
    assert result.output_for_node("flaky") == 3
    kinds = [e.event_type for e in result.all_events if e.step_key == "flaky"]
    assert kinds.count(DagsterEventType.STEP_UP_FOR_RETRY) == 2
    assert kinds.count(DagsterEventType.STEP_RESTARTED) == 2
    assert kinds[-1] is DagsterEventType.STEP_SUCCESS
    retries = [e.event_specific_data for e in result.all_events if e.is_step_up_for_retry]
    assert [(r.attempt, r.seconds_to_wait) for r in retries] == [(1, 0.001), (2, 0.002)]


def test_retries_exhausted_fails_the_step():
    @op(retry_policy=RetryPolicy(max_retries=1))
    def always_fails():
        raise RuntimeError("nope")

    @job
    def failing():
        always_fails()

    result = failing.execute_in_process(raise_on_error=False)
    kinds = [e.event_type for e in result.all_events if e.step_key == "always_fails"]
    assert kinds.count(DagsterEventType.STEP_UP_FOR_RETRY) == 1
    assert kinds[-1] is DagsterEventType.STEP_FAILURE


def test_retry_requested_and_failure_without_retries():
    attempts = []

    @op
    def asks(context):
        attempts.append(context.retry_number)
        if context.retry_number < 2:
            raise RetryRequested(max_retries=2)
        return "ok"

    @op(retry_policy=RetryPolicy(max_retries=5))
    def gives_up():
        raise Failure("bad data", metadata={"rows": 0}, allow_retries=False)

    @job
    def mixed():
        asks()
        gives_up()

    result = mixed.execute_in_process(raise_on_error=False)
    assert attempts == [0, 1, 2]
    failure = result.get_step_failure_events()[0]
    assert failure.step_key == "gives_up"
    assert failure.data.user_failure_data == {"description": "bad data", "metadata": {"rows": 0}}
    assert not any(e.is_step_up_for_retry and e.step_key == "gives_up" for e in result.all_events)


@pytest.mark.parametrize(
    "policy, attempt, expected",
    [
        (_RP(max_retries=3, delay=2), 3, 2),
        (_RP(max_retries=3, delay=2, backoff=Backoff.LINEAR), 3, 6),
        (_RP(max_retries=3, delay=2, backoff=Backoff.EXPONENTIAL), 1, 2),
        (_RP(max_retries=3, delay=2, backoff=Backoff.EXPONENTIAL), 2, 6),
        (_RP(max_retries=3, delay=2, backoff=Backoff.EXPONENTIAL), 3, 14),  # (2**3 - 1) * 2, as Dagster
    ],
)
def test_retry_delay_with_backoff(policy, attempt, expected):
    assert policy.delay_for(attempt) == expected


class _FixedRandom:
    """A random source that always draws `value` (so a jittered delay has one right answer)."""

    def __init__(self, value: float) -> None:
        self.value = value

    def random(self) -> float:
        return self.value


@pytest.mark.parametrize("jitter, draw, expected", [
    (Jitter.FULL, 0.25, 1.0),  # 4 * 0.25
    (Jitter.FULL, 0.0, 0.0),
    (Jitter.PLUS_MINUS, 0.75, 6.0),  # 4 + 4 * (2 * 0.75 - 1)
    (Jitter.PLUS_MINUS, 0.25, 2.0),  # 4 - 2
    (Jitter.PLUS_MINUS, 0.0, 0.0),  # 4 - 4, never below zero
    (None, 0.25, 4.0),
])
def test_retry_jitter_scales_the_delay_by_the_random_draw(jitter, draw, expected):
    policy = RetryPolicy(max_retries=1, delay=4, jitter=jitter)
    assert policy.delay_for(1, _FixedRandom(draw)) == expected


def test_plus_minus_jitter_never_gives_a_negative_delay():
    policy = RetryPolicy(max_retries=3, delay=4, backoff=Backoff.LINEAR, jitter=Jitter.PLUS_MINUS)
    assert policy.delay_for(1, _FixedRandom(0.0)) == 0.0  # 4 - 4
    assert policy.delay_for(2, _FixedRandom(0.0)) == 4.0  # 8 - 4
    assert policy.delay_for(1, _FixedRandom(0.125)) == 1.0  # 4 + 4 * -0.75


def test_a_policy_without_delay_waits_zero_whatever_its_backoff_or_jitter():
    assert RetryPolicy(max_retries=2).delay_for(2, _FixedRandom(0.5)) == 0.0
    assert RetryPolicy(max_retries=2, delay=0, jitter=Jitter.FULL).delay_for(2, _FixedRandom(0.5)) == 0.0


def test_retries_disabled_in_the_executor_config_fail_the_step_at_once():
    calls = []

    @op(retry_policy=RetryPolicy(max_retries=3))
    def flaky():
        calls.append(1)
        raise RuntimeError("transient")

    @job
    def retrying():
        flaky()

    result = retrying.execute_in_process(
        run_config={"execution": {"config": {"retries": {"disabled": {}}}}}, raise_on_error=False)
    assert calls == [1]
    kinds = [e.event_type for e in result.all_events if e.step_key == "flaky"]
    assert DagsterEventType.STEP_UP_FOR_RETRY not in kinds and kinds[-1] is DagsterEventType.STEP_FAILURE
    enabled = retrying.execute_in_process(
        run_config={"execution": {"config": {"retries": {"enabled": {}}}}}, raise_on_error=False)
    assert len(calls) == 1 + 4 and not enabled.success


def test_retry_jitter_stays_within_bounds():
    import random

    rng = random.Random(7)
    full = RetryPolicy(max_retries=1, delay=4, jitter=Jitter.FULL)
    plus_minus = RetryPolicy(max_retries=1, delay=4, jitter=Jitter.PLUS_MINUS)
    assert all(0 <= full.delay_for(1, rng) <= 4 for _ in range(50))
    assert all(0 <= plus_minus.delay_for(1, rng) <= 8 for _ in range(50))


def test_generator_resource_cleanup_runs_after_failure():
    log = []

    @resource
    def conn():
        log.append("open")
        yield "connection"
        log.append("closed")

    @op(required_resource_keys={"conn"})
    def uses(context):
        log.append(f"used {context.resources.conn}")
        raise RuntimeError("fails")

    @job(resource_defs={"conn": conn})
    def with_resource():
        uses()

    result = with_resource.execute_in_process(raise_on_error=False)
    assert not result.success
    assert log == ["open", "used connection", "closed"]


def test_missing_resource_is_a_definition_error_naming_key_and_op():
    @op(required_resource_keys={"warehouse"})
    def needs(context):
        return 1

    with pytest.raises(DefinitionError, match="resource 'warehouse' required by op 'needs'"):
        @job(resource_defs={"other": 1})
        def broken():
            needs()


def test_missing_resource_for_asset_names_the_asset():
    @asset(required_resource_keys={"warehous"})
    def table(context):
        return 1

    with pytest.raises(DefinitionError) as err:
        materialize([table], resources={"warehouse": object()})
    assert "asset 'table'" in str(err.value) and "did you mean 'warehouse'" in str(err.value)


def test_multiple_outputs_and_fan_in():
    @op(out={"evens": Out(), "odds": Out()})
    def split():
        return [0, 2], [1, 3]

    @op
    def total(parts: list) -> int:
        return sum(sum(p) for p in parts)

    @job
    def fan():
        evens, odds = split()
        total([evens, odds])

    result = fan.execute_in_process()
    assert result.output_for_node("split", "odds") == [1, 3]
    assert result.output_for_node("total") == 6


def test_optional_output_not_yielded_skips_its_consumer():
    @op(out={"maybe": Out(is_required=False), "always": Out()})
    def sometimes():
        yield Output(1, "always")

    @op
    def consume(x):
        return x

    @job
    def optional():
        maybe, always = sometimes()
        consume.alias("consume_maybe")(maybe)
        consume(always)

    result = optional.execute_in_process()
    assert result.success
    assert result.get_skipped_step_keys() == {"consume_maybe"}
    assert result.output_for_node("consume") == 1



def test_a_fan_in_of_optional_outputs_reads_the_yielded_ones_from_the_captured_values_keys():
    """What a run produced is the keys of what it captured (one table of every step's output,
    not two): a fan-in reads the outputs yielded, leaves out the one that was not."""
    @op(out={"maybe": Out(is_required=False), "always": Out()})
    def sometimes():
        yield Output(1, "always")

    @op(out={"maybe": Out(is_required=False)})
    def yields():
        yield Output(2, "maybe")

    @op(ins={"xs": In()})
    def gather(xs):
        return sorted(xs)

    @job
    def fan_in():
        maybe, always = sometimes()
        gather([maybe, always, yields()])

    result = fan_in.execute_in_process()
    assert result.output_for_node("gather") == [1, 2]
    ctx = result._ctx
    assert ctx.produced is ctx.captured and set(ctx.produced) == {
        ("sometimes", "always"), ("yields", "maybe"), ("gather", "result")}

def test_a_join_runs_after_all_its_upstream_steps_and_is_skipped_if_one_fails():
    @op
    def left(x):
        return x + 1

    @op
    def join(a, b):
        return a + b

    @job
    def diamond():
        value = source()
        join(left(value), left.alias("right")(value))

    @job
    def broken_diamond():
        value = source()
        join(left(value), explode(value))

    result = diamond.execute_in_process()
    starts = [e.step_key for e in result.all_events if e.event_type is DagsterEventType.STEP_START]
    assert starts == ["source", "left", "right", "join"]
    assert result.output_for_node("join") == 4

    broken = broken_diamond.execute_in_process(raise_on_error=False)
    assert broken.get_skipped_step_keys() == {"join"}
    assert broken.is_node_success("left")
    [skipped] = [e for e in broken.all_events if e.event_type is DagsterEventType.STEP_SKIPPED]
    assert skipped.data.upstream_step_keys == ("explode",)


def test_output_events_carry_the_metadata_the_io_manager_logged(tmp_path):
    @asset
    def stored():
        return 1

    result = materialize([stored], resources={"io_manager": fs_io_manager},
                         run_config={"resources": {"io_manager": {"config": {"base_dir": str(tmp_path)}}}})
    kinds = (DagsterEventType.STEP_OUTPUT, DagsterEventType.HANDLED_OUTPUT)
    outputs = [e for e in result.all_events if e.event_type in kinds]
    assert [e.event_type for e in outputs] == list(kinds)
    materialization = result.asset_materializations[0]
    data_version = materialization.tags["specrun/data_version"]
    path = layout.value_file(str(tmp_path / "stored"), data_version)  # the version the record names
    for event in outputs:
        assert event.data.output_name == "result"
        assert event.data.metadata["path"].value == path
    assert materialization.metadata["path"].value == path
    assert materialization.metadata["specrun/stored"].value["size"] == os.path.getsize(path)


def test_nothing_dependency_orders_without_passing_a_value():
    order = []

    @op
    def first():
        order.append("first")

    @op(ins={"start": In(Nothing)})
    def second():
        order.append("second")
        return "done"

    @job
    def ordered():
        second(start=first())

    result = ordered.execute_in_process()
    assert order == ["first", "second"] and result.output_for_node("second") == "done"


def test_nested_graph_steps_are_dotted_and_configured_by_nesting():
    from specrun import graph

    @op(config_schema={"factor": int})
    def scale(context, x):
        return x * context.op_config["factor"]

    @graph
    def inner(x):
        return scale(x)

    @job
    def outer():
        inner(source())

    result = outer.execute_in_process(
        run_config={"ops": {"inner": {"ops": {"scale": {"config": {"factor": 5}}}}}})
    assert result.output_for_node("inner.scale") == 5


def test_log_messages_reach_python_logging(caplog):
    @op
    def talk(context):
        context.log.info("hello from talk")

    @job
    def talking():
        talk()

    with caplog.at_level("INFO", logger="specrun"):
        result = talking.execute_in_process()
    assert "hello from talk" in caplog.messages
    (message,) = result.log_messages
    assert message.step_key == "talk" and message.level == 20


def test_user_data_version_is_recorded_and_asset_selection_limits_execute_job(tmp_path):
    from specrun import DagsterInstance, MaterializeResult, asset, define_asset_job, Definitions, execute_job

    @asset
    def versioned():
        return MaterializeResult(value=1, data_version="v-42")

    @asset
    def other():
        return 2

    instance = DagsterInstance.ephemeral()
    defs = Definitions(assets=[versioned, other], jobs=[define_asset_job("all")])
    result = execute_job(defs.get_job_def("all"), instance=instance, asset_selection=["versioned"])
    assert [m.asset_key.path for m in result.asset_materializations] == [["versioned"]]
    assert result.asset_materializations[0].tags["specrun/data_version"] == "v-42"


def test_logged_and_yielded_materializations_are_all_recorded_in_order():
    from specrun import AssetKey, AssetMaterialization, Output

    @op
    def reporter(context):
        context.log_event(AssetMaterialization("first", metadata={"n": 1}))
        yield AssetMaterialization("second")
        context.log_event(AssetMaterialization("third"))
        yield Output(7)

    @job
    def reporting():
        reporter()

    result = reporting.execute_in_process()
    mats = [m.asset_key for m in result.asset_materializations_for_node("reporter")]
    assert mats == [AssetKey("first"), AssetKey("second"), AssetKey("third")]
    assert result.output_for_node("reporter") == 7


def test_what_an_executor_logs_through_the_run_log_is_recorded_as_run_events():
    from specrun import executor
    from specrun.runtime.executors.base import Executor

    class Announcing(Executor):
        def execute(self, plan_context, execution_plan):
            active = execution_plan.start(plan_context.run_id, plan_context.job_name)
            while not active.is_complete:
                for step in active.get_steps_to_execute():
                    plan_context.log.info(f"about to run {step.key}")
                    for event in plan_context.execute_step(step):
                        active.handle_event(event)
                        yield event

    @executor(name="announcing")
    def announcing(_init_context):
        return Announcing()

    @op
    def only():
        return 1

    @job(executor_def=announcing)
    def announced():
        only()

    from specrun.runtime.api import execute_run

    result = execute_run(announced)  # execute_in_process would use the in-process executor
    kinds = [(e.event_type.value, e.message) for e in result.all_records][:3]
    assert kinds[1] == ("LOG_MESSAGE", "about to run only")
    assert kinds[2][0] == "STEP_START"


def test_get_dagster_logger_messages_become_the_running_steps_events():
    from specrun import get_dagster_logger

    def helper_without_context(rows):
        get_dagster_logger("helpers").info("cleaning %d rows", len(rows))
        return rows

    @op
    def clean():
        return helper_without_context([1, 2, 3])

    @op
    def yielding():
        get_dagster_logger().warning("before the output")
        yield Output(1)

    @job
    def logged():
        clean()
        yielding()

    result = logged.execute_in_process()
    messages = [(e.step_key, e.message, e.level) for e in result.log_messages]
    assert ("clean", "cleaning 3 rows", 20) in messages
    assert ("yielding", "before the output", 30) in messages
    get_dagster_logger().info("outside a step: no event, no error")


def test_in_process_steps_share_one_step_log_slot_and_a_nested_run_restores_it():
    from specrun import get_dagster_logger
    from specrun.runtime.log import current_step_log, running_step_log

    seen = []

    @op
    def inner_op():
        seen.append(("inner", current_step_log.get(), running_step_log().step_key))

    @job
    def inner():
        inner_op()

    @op
    def first():
        seen.append(("first", current_step_log.get(), running_step_log().step_key))
        return 1

    @op
    def second(x):
        inner.execute_in_process()
        seen.append(("second", current_step_log.get(), running_step_log().step_key))
        get_dagster_logger().info("after the nested run")
        return x

    @job
    def outer():
        second(first())

    result = outer.execute_in_process()
    (_, slot, first_key), (_, inner_slot, inner_key), (_, second_slot, second_key) = seen
    assert (first_key, inner_key, second_key) == ("first", "inner_op", "second")
    assert second_slot is slot and inner_slot is not slot  # (one slot a run, set once)
    assert [(e.step_key, e.message) for e in result.log_messages] == [
        ("second", "after the nested run")]
    assert current_step_log.get() is None and running_step_log() is None


def _calls(monkeypatch, cls, name):
    """The calls of method `name` of `cls` from now on, each as (its arguments, what it returned)."""
    calls = []
    method = getattr(cls, name)

    def recorded(self, *args):
        found = method(self, *args)
        calls.append((args, found))
        return found

    monkeypatch.setattr(cls, name, recorded)
    return calls


def test_a_step_without_a_context_makes_its_log_only_when_something_logs(monkeypatch):
    from specrun import get_dagster_logger
    from specrun.runtime.log import LogManager

    made = _calls(monkeypatch, LogManager, "with_step")

    @op
    def quiet():
        return 1

    @op
    def talks(x):
        get_dagster_logger().info("got %s", x)
        get_dagster_logger().info("twice")
        return x

    @op
    def also_quiet(x):
        return x

    @job
    def chain():
        also_quiet(talks(quiet()))

    result = chain.execute_in_process()
    assert [args[0] for args, _ in made] == ["talks"]  # (once, for both messages)
    assert [(e.step_key, e.message) for e in result.log_messages] == [
        ("talks", "got 1"), ("talks", "twice")]


def test_plain_steps_ask_for_their_keyed_io_managers_once_a_run(monkeypatch):
    from specrun.runtime.execute import RunContext

    asked = _calls(monkeypatch, RunContext, "keyed_managers")

    @job
    def three():
        after(after(source()))

    result = three.execute_in_process()
    # (the first step sets the resources up, the second finds the manager, the third reuses it)
    assert [(sorted(keys), found is not None) for (keys,), found in asked] == [
        (["io_manager"], False), (["io_manager"], True)]
    assert result.output_for_node("after_2") == 3


def test_a_failure_skips_assets_two_deps_downstream():
    from specrun import AssetDep

    ran = []

    @asset
    def a():
        raise ValueError("a broke")

    @asset(deps=[AssetDep("a")])
    def b():
        ran.append("b")

    @asset(deps=[AssetDep("b")])
    def c():
        ran.append("c")

    result = materialize([a, b, c], raise_on_error=False)
    assert ran == []
    assert [e.step_key for e in result.get_step_failure_events()] == ["a"]
    skipped = [e.step_key for e in result.all_events if e.event_type is DagsterEventType.STEP_SKIPPED]
    assert skipped == ["b", "c"]


def test_steps_whose_functions_take_no_context_record_the_same_events_as_ones_that_do():
    """A function without a `context` parameter gets none built (the plain value it returns
    is stored directly); what the run records must not depend on that."""

    def ops(with_context: bool):
        if with_context:
            @op(name="source")
            def source(context):
                return [1, 2]

            @op(name="wrapped", ins={"xs": In()})
            def wrapped(context, xs):
                return Output(sum(xs), metadata={"n": len(xs)})

            @op(name="last", ins={"total": In()})
            def last(context, total):
                return total * 10
        else:
            @op(name="source")
            def source():
                return [1, 2]

            @op(name="wrapped", ins={"xs": In()})
            def wrapped(xs):
                return Output(sum(xs), metadata={"n": len(xs)})

            @op(name="last", ins={"total": In()})
            def last(total):
                return total * 10

        @job(name="three")
        def three():
            last(wrapped(source()))
        return three.execute_in_process()

    def record(result):
        return [(e.event_type_value, e.step_key, e.message,
                 dict(getattr(e.event_specific_data, "metadata", None) or {}))
                for e in result.all_events]

    plain, contextual = ops(False), ops(True)
    assert plain.output_for_node("last") == contextual.output_for_node("last") == 30
    assert record(plain) == record(contextual)
    kinds = [k for k, step, _, _ in record(plain) if step == "last"]
    assert kinds == ["STEP_START", "LOADED_INPUT", "STEP_OUTPUT", "HANDLED_OUTPUT", "STEP_SUCCESS"]


def test_a_run_whose_executor_leaves_steps_unrun_fails_naming_the_first_five_in_plan_order():
    """`_drive`'s check that every planned step ended: an executor that stops early fails the
    run with the unrun steps (at most five named, in the plan's order); one that runs every
    step does not."""
    from specrun import executor
    from specrun.runtime.api import execute_run
    from specrun.runtime.executors.base import Executor

    class Stopping(Executor):
        def __init__(self, limit):
            self.limit = limit

        def execute(self, plan_context, execution_plan):
            active = execution_plan.start(plan_context.run_id, plan_context.job_name)
            for step in active.get_steps_to_execute()[:self.limit]:  # (no step waits on another)
                for event in plan_context.execute_step(step):
                    active.handle_event(event)
                    yield event

    def chain_job(limit):
        @executor(name="stopping")
        def stopping(_init_context):
            return Stopping(limit)

        ops = [op(name=f"s{i}")(lambda: 1) for i in range(8)]

        @job(executor_def=stopping)
        def chained():
            for o in ops:
                o()

        return chained

    result = execute_run(chain_job(2), raise_on_error=False)
    assert not result.success
    assert result.failure_info.message == "the executor finished without running step(s): s2, s3, s4, s5, s6"
    assert execute_run(chain_job(8), raise_on_error=False).success


def test_an_assets_version_facts_are_those_the_general_path_makes_with_or_without_config(monkeypatch):
    from specrun import Field, materialize_to_memory
    from specrun.runtime import outputs
    from specrun.runtime.materializations import AssetVersionFacts, asset_version_facts

    @asset
    def base_value():
        return 3

    @asset(config_schema={"factor": Field(int, is_required=False)})
    def scaled(context, base_value):
        return base_value * context.op_config.get("factor", 2)

    @asset
    def shifted(scaled, base_value):
        return scaled + base_value

    compared = []
    real = outputs.version_tags  # (given the version facts a step's output is recorded with)

    def checked(run, step, found, user_version=None):
        node = step.node
        general = asset_version_facts(run, node, found.asset_key)
        compared.append((node.name, run.node_config(node)[0] is None))
        assert {s: getattr(found, s) for s in AssetVersionFacts.__slots__} == {
            s: getattr(general, s) for s in AssetVersionFacts.__slots__}
        return real(run, step, found, user_version)

    monkeypatch.setattr(outputs, "version_tags", checked)
    for config in (None, {"ops": {"scaled": {"config": {"factor": 5}}}}):
        result = materialize_to_memory([base_value, scaled, shifted], run_config=config)
        assert result.output_for_node("shifted") == (18 if config else 9)
    # both kinds: an asset the run gives no config (the job's facts) and one it configures
    assert sorted(compared) == [("base_value", True)] * 2 + [("scaled", False)] * 2 + [
        ("shifted", True)] * 2



def test_the_version_facts_of_an_asset_run_without_config_are_kept_on_its_output_facts():
    """The job's `OutputFacts` of an asset output holds the version facts of the runs that
    give the asset no config: made by the first, the same object in the next; an asset a run
    configures gets the run's own."""
    from specrun import Field, materialize_to_memory

    @asset
    def base():
        return 1

    @asset(config_schema={"factor": Field(int, is_required=False)})
    def scaled(context, base):
        return base * context.op_config.get("factor", 2)

    runs = [materialize_to_memory([base, scaled]) for _ in range(2)]
    facts = {name: runs[0]._ctx.program.facts[(name, "result")] for name in ("base", "scaled")}
    nodes = runs[0]._ctx.job.nodes
    assert runs[1]._ctx.program.facts[("base", "result")] is facts["base"]
    kept = facts["base"].versions
    assert kept.config_hash == "none" and kept.asset_key == nodes["base"].asset.key
    assert [r._ctx.asset_versions(nodes["base"], facts["base"]) for r in runs] == [kept, kept]
    assert facts["scaled"].versions is None  # (its runs' own)
    configured = [r._ctx.asset_versions(nodes["scaled"], facts["scaled"]) for r in runs]
    assert configured[0] is not configured[1] and configured[0].config_hash != "none"


def test_a_plain_asset_step_stores_its_output_with_the_facts_its_recipe_holds(monkeypatch):
    """A plain asset step's recipe holds the job's `OutputFacts` of its output: storing the
    value does not look them up again (`RunContext.output_facts`), and the run's events and
    versions are those of the facts."""
    from specrun import materialize_to_memory
    from specrun.runtime import execute

    @asset
    def base():
        return 1

    @asset
    def after(base):
        return base + 1

    looked_up = []
    real = execute.RunContext.output_facts
    monkeypatch.setattr(execute.RunContext, "output_facts",
                        lambda run, node, name: looked_up.append(node.name) or real(run, node, name))
    result = materialize_to_memory([base, after])
    assert result.output_for_node("after") == 2 and looked_up == []
    program = result._ctx.program
    recipe = program.recipes["after"]
    assert recipe.output is program.output_facts(result._ctx.job.nodes["after"], "result")
    assert [e.event_type_value for e in result.all_events if e.step_key == "after"] == [
        "STEP_START", "LOADED_INPUT", "STEP_OUTPUT", "HANDLED_OUTPUT", "ASSET_MATERIALIZATION",
        "STEP_SUCCESS"]
    versions = result.asset_materializations_for_node("after")[0].tags
    assert versions["specrun/code_version"] == recipe.output.versions.code_version

def test_every_run_of_a_job_selects_the_jobs_own_set_of_asset_keys():
    """A run's `selected_asset_keys` is the set worked out once per job, not a copy made by
    each run."""
    from specrun.runtime.materialize import _kept_job
    from specrun.runtime.executors.in_process import in_process_executor

    @asset
    def counted(context):
        return context.run_id

    runs = [materialize([counted]) for _ in range(2)]
    job_def = _kept_job((counted,), None, in_process_executor)[1].job
    assert [r.output_for_node("counted") for r in runs] == [r.run_id for r in runs]
    assert all(r._ctx.selected_asset_keys is job_def.asset_key_set for r in runs)
    assert job_def.asset_key_set == frozenset(job_def.asset_keys) == {counted.key}


class _Untouchable:
    """A stand-in for an object a run must not read: any attribute read of it fails (but its
    class's, which pytest's `monkeypatch` asks for)."""

    def __getattribute__(self, name):
        if name == "__class__":
            return _Untouchable
        raise AssertionError(f"read .{name}")


def test_a_plain_steps_run_reads_nothing_of_its_node(monkeypatch):
    """A `NodeStep`'s key is its node's name, by which its run finds its recipe; a plain step's
    run (its load, call, output and materialization) reads nothing of its node, which is out
    of cache at 10,000 steps: what it needs is in the recipe and the output facts (the compute
    function, the node's name, the asset's description)."""
    from specrun import materialize_to_memory
    from specrun.runtime import materialize as materialize_module
    from specrun.runtime.job_cache import per_job
    from specrun.runtime.plan_unpartitioned import NodeStep

    @asset(description="the first")
    def base():
        return 1

    @asset(description="the second")
    def later(base):
        return base + 1

    @op
    def plus_one(x):
        return x + 1

    @job
    def ops():
        plus_one.alias("last")(plus_one(source()))

    monkeypatch.setattr(materialize_module, "_ASSET_JOBS", {})
    runs = ((lambda: materialize_to_memory([base, later]), ["later"], "later", 2),
            (ops.execute_in_process, ["plus_one", "last"], "last", 3))
    ran = {}
    for run, step_keys, last, value in runs:
        first = run()
        job_def = first._ctx.job
        plan = per_job(job_def, ("plan", None, True), lambda: None)
        with monkeypatch.context() as untouched:
            for key in step_keys:  # (not the first step: it sets the run's resources up)
                step = plan.steps[key]
                assert step.__class__ is NodeStep and step.key is step.node.name
                untouched.setattr(step, "node", _Untouchable())
            again = run()
        assert again._ctx.job is job_def and again.output_for_node(last) == value
        assert [(e.event_type_value, e.step_key, e.message) for e in again.all_events] == [
            (e.event_type_value, e.step_key, e.message) for e in first.all_events]
        ran[last] = again
    materialized = [e.event_specific_data for e in ran["later"].all_events
                    if e.event_type_value == "ASSET_MATERIALIZATION"]
    assert [(m.asset_key, m.description) for m in materialized] == [
        (base.key, "the first"), (later.key, "the second")]


def test_a_step_given_its_unreported_start_has_it_recorded_first_unless_plain():
    recorded, seen = [], {}

    @op
    def takes_context(context):
        seen["takes_context"] = list(recorded)
        return 1

    @op
    def plain(x):
        seen["plain"] = list(recorded)
        return x

    @job
    def two():
        plain(takes_context())

    ctx = two.execute_in_process()._ctx
    ctx.record_now = recorded.append
    step = ctx.plan.steps["takes_context"]
    start = ctx.step_started(step)
    events, _summary = ctx.run_started_step(step, start)
    assert seen["takes_context"] == recorded == [start] and start not in events
    recorded.clear()
    step = ctx.plan.steps["plain"]
    start = ctx.step_started(step)
    events, _summary = ctx.run_started_step(step, start)
    assert seen["plain"] == recorded == [] and events[0] is start
    assert [e.event_type_value for e in events] == [
        "STEP_START", "LOADED_INPUT", "STEP_OUTPUT", "HANDLED_OUTPUT", "STEP_SUCCESS"]


def test_each_step_runs_with_the_io_managers_plain_managers_gives_it(monkeypatch):
    """`run_started_step` works out a step's keyed IO managers without calling
    `step_attempt.plain_managers`: the same answer for plain, partitioned, context-taking
    steps and steps whose IO manager does not store by key."""
    from specrun import DailyPartitionsDefinition, IOManager, io_manager, materialize_to_memory, mem_io_manager
    from specrun.runtime import execute
    from specrun.runtime.step_attempt import plain_managers

    seen = []
    real = execute.run_attempt

    def compared(run, step, recipe, attempt, events, outputs=None, *rest):
        if rest:  # (the first attempt, from `run_started_step`)
            seen.append((step.key, rest[0], plain_managers(run, step, recipe)))
        return real(run, step, recipe, attempt, events, outputs, *rest)

    monkeypatch.setattr(execute, "run_attempt", compared)

    class Kept(IOManager):
        def __init__(self):
            self.values = {}

        def handle_output(self, context, obj):
            self.values[context.step_key] = obj

        def load_input(self, context):
            return self.values[context.upstream_output.step_key]

    kept = Kept()

    @asset
    def first() -> int:
        return 1

    @asset
    def second(context, first: int) -> int:
        return first + 1

    @asset
    def third(second: int) -> int:
        return second + 1

    @asset(partitions_def=DailyPartitionsDefinition(start_date="2024-01-01"))
    def daily() -> int:
        return 4

    @io_manager
    def own(_):
        return kept

    assert materialize_to_memory([first, second, third]).output_for_node("third") == 3
    assert materialize([first, second, third], resources={"io_manager": own}).success
    assert materialize([daily], partition_key="2024-01-02", resources={"io_manager": mem_io_manager}).success
    assert branching.execute_in_process(raise_on_error=False).output_for_node("independent") == "still ran"
    assert len(seen) == 3 + 3 + 1 + 3
    assert all(passed is expected for _, passed, expected in seen), seen
    keyed = {key for key, passed, _ in seen if passed is not None}
    assert "source" in keyed and "daily" not in keyed and "second" not in keyed
