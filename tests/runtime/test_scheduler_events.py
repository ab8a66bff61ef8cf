"""runtime.scheduler through its documented API: `ExecutionPlan.start` (the `ActiveExecution`
a custom executor drives) and `RunState` fed the runtime's step events."""

from __future__ import annotations

import os

import pytest

from specrun import Out, job, op
from specrun.errors import InvariantViolationError
from specrun.runtime.events import ET, Event, StepOutputData
from specrun.runtime.plan import build_plan
from specrun.runtime.scheduler import Emit, NewSteps, Run, RunState, StepDone


@op
def source():
    return 1


@op(out={"kept": Out(is_required=False)})
def maybe():
    return None


@op
def left(x):
    return x


@op
def right(x):
    return x


@op
def both(a, b):
    return a


@job
def diamond():
    value = source()
    both(left(value), right(value))
    left.alias("from_maybe")(maybe())


def _event(kind, key, output="result") -> Event:
    return Event(kind, "run-1", "diamond", key, data=StepOutputData(output) if kind is ET.STEP_OUTPUT else None)


def _keys(steps) -> list[str]:
    return [s.key for s in steps]


def test_a_custom_executor_drives_the_plan_step_by_step():
    execution = build_plan(diamond, []).start("run-1", "diamond")
    assert (execution.has_ready, execution.is_complete) == (True, False)
    assert _keys(execution.get_steps_to_execute(1)) == ["maybe"]
    assert _keys(execution.get_steps_to_execute()) == ["source"]
    assert execution.get_steps_to_execute() == [] and not execution.has_ready
    assert execution.state == {"maybe": "running", "source": "running", "from_maybe": "pending", "left": "pending",
                               "right": "pending", "both": "pending"}
    execution.handle_event(Event(ET.STEP_START, "run-1", "diamond", "source"))  # not a state event: ignored
    execution.handle_event(_event(ET.STEP_OUTPUT, "source"))
    execution.handle_event(_event(ET.STEP_SUCCESS, "source"))
    assert _keys(execution.get_steps_to_execute()) == ["left", "right"]
    execution.handle_event(_event(ET.STEP_SUCCESS, "maybe"))  # its optional output never came
    [skipped] = execution.pop_skip_events()
    assert (skipped.event_type, skipped.step_key, skipped.run_id, skipped.job_name) == (
        ET.STEP_SKIPPED, "from_maybe", "run-1", "diamond")
    assert skipped.message == "Skipped from_maybe: input 'x' was not produced (optional output not yielded)"
    assert (skipped.data.reason, skipped.data.upstream_step_keys) == (
        "input 'x' was not produced (optional output not yielded)", ())
    assert execution.pop_skip_events() == []
    execution.mark_failed("left")  # its worker died: no event
    assert execution.pop_skip_events() == []  # `both` still waits on `right`
    assert execution.unfinished_step_keys() == ["right", "both"]
    execution.handle_event(_event(ET.STEP_OUTPUT, "right"))
    execution.handle_event(_event(ET.STEP_SUCCESS, "right"))
    [skipped] = execution.pop_skip_events()
    assert skipped.step_key == "both" and skipped.data.upstream_step_keys == ("left",)
    assert skipped.data.reason == "upstream did not succeed (left failed)"
    assert execution.is_complete and execution.unfinished_step_keys() == []
    assert execution.state == {"maybe": "succeeded", "source": "succeeded", "from_maybe": "skipped",
                               "left": "failed", "right": "succeeded", "both": "skipped"}


def test_a_step_reading_a_step_outside_the_run_is_not_skipped_for_its_output():
    plan = build_plan(diamond, [], ["left", "right", "both"])  # source is read from storage
    state = RunState(plan, "run-1", "diamond")
    assert [i.step.key for i in state.start()] == ["left", "right"]
    state.handle(_event(ET.STEP_OUTPUT, "left"))
    state.handle(_event(ET.STEP_SUCCESS, "left"))
    state.handle(_event(ET.STEP_OUTPUT, "right"))
    out = state.handle(_event(ET.STEP_SUCCESS, "right"))
    assert [(type(i), i.step.key) for i in out] == [(Run, "both")]


def test_a_workers_events_and_events_at_another_level_drive_the_run_as_this_processs_do():
    """An event from another process (or at another level than INFO) is of a subclass of
    `Event` (it keeps its own level and pid): the run state takes it all the same."""
    state = RunState(build_plan(diamond, []), "run-1", "diamond")
    assert [i.step.key for i in state.start()] == ["maybe", "source"]
    worker = os.getpid() + 1
    state.handle(Event(ET.STEP_OUTPUT, "run-1", "diamond", "source", data=StepOutputData("result"), pid=worker))
    out = state.handle(Event(ET.STEP_SUCCESS, "run-1", "diamond", "source", pid=worker))
    assert [(type(i), i.step.key) for i in out] == [(Run, "left"), (Run, "right")]
    state.handle(Event(ET.STEP_FAILURE, "run-1", "diamond", "left", level=40))
    assert state.unfinished_step_keys() == ["maybe", "from_maybe", "right", "both"]


def test_failing_a_finished_step_again_changes_nothing_and_an_unknown_one_is_refused():
    state = RunState(build_plan(diamond, []), "run-1", "diamond")
    state.start()
    state.handle(_event(ET.STEP_SUCCESS, "source"))
    assert state.fail("source") == [] and state.status["source"] == "succeeded"
    with pytest.raises(InvariantViolationError, match="^no step 'ghost' in this run$"):
        state.fail("ghost")
    with pytest.raises(InvariantViolationError, match="^StepDone for unknown step 'ghost'$"):
        state.handle(StepDone("ghost"))


def test_a_step_done_frees_a_slot_only_when_one_is_held():
    state = RunState(build_plan(diamond, []), "run-1", "diamond", max_concurrent=1)
    assert [i.step.key for i in state.start()] == ["maybe"]
    state.handle(_event(ET.STEP_OUTPUT, "maybe", "kept"))
    assert state.handle(_event(ET.STEP_SUCCESS, "maybe")) == []  # from_maybe is ready, the slot still held
    assert [i.step.key for i in state.handle(StepDone("maybe"))] == ["from_maybe"]
    assert state.running == 1
    state.handle(_event(ET.STEP_SUCCESS, "from_maybe"))
    assert [i.step.key for i in state.handle(StepDone("from_maybe"))] == ["source"]
    state.handle(_event(ET.STEP_SUCCESS, "source"))  # no output: left and right are skipped
    assert state.handle(StepDone("source")) == () and state.running == 0 and state.is_complete


def test_new_steps_that_collide_or_wait_on_unknown_steps_are_refused():
    plan = build_plan(diamond, [])
    state = RunState(plan, "run-1", "diamond")
    state.start()
    with pytest.raises(InvariantViolationError, match="^step 'left' is already in the plan$"):
        state.handle(NewSteps([plan.steps["left"]]))
    from specrun.runtime.plan import ExecutionStep

    orphan = ExecutionStep("orphan", plan.steps["left"].node, None, frozenset({"nowhere"}), {})
    with pytest.raises(InvariantViolationError, match="^new step 'orphan' waits on unknown 'nowhere'$"):
        state.handle(NewSteps([orphan]))


def test_new_steps_are_handed_out_in_the_order_they_were_added_after_the_plans():
    plan = build_plan(diamond, [])
    state = RunState(plan, "run-1", "diamond", max_concurrent=1)
    state.start()
    from specrun.runtime.plan import ExecutionStep

    node = plan.steps["left"].node
    extra = [ExecutionStep(k, node, None, frozenset(), {}) for k in ("zz_first", "aa_second")]
    assert state.handle(NewSteps(extra)) == []  # the one slot is held by `maybe`
    assert plan.steps.keys() == {"maybe", "source", "from_maybe", "left", "right", "both"}  # the plan's own maps
    out = state.handle(_event(ET.STEP_FAILURE, "maybe"))
    assert [(type(i), i.event.step_key) for i in out] == [(Emit, "from_maybe")]
    assert [i.step.key for i in state.handle(StepDone("maybe"))] == ["source"]
    state.handle(_event(ET.STEP_OUTPUT, "source"))
    state.handle(_event(ET.STEP_SUCCESS, "source"))
    assert [i.step.key for i in state.handle(StepDone("source"))] == ["left"]
    for key in ("left", "right"):
        state.handle(_event(ET.STEP_SUCCESS, key))
        state.handle(StepDone(key))
    assert [state.status[k] for k in ("right", "both", "zz_first", "aa_second")] == [
        "succeeded", "skipped", "running", "pending"]


def _expanding_plan():
    """`diamond`'s plan, which adds a step `extra` (after `source`) that `both` also reads,
    when `source` reports its output."""
    from specrun.runtime.plan import ExecutionStep, UpstreamOutput

    plan = build_plan(diamond, [])
    asked = []

    def expand(event):
        asked.append((event.step_key, event.data.output_name))
        if event.step_key != "source":
            return None
        extra = ExecutionStep("extra", plan.steps["left"].node, None, frozenset({"source"}),
                              {"x": (UpstreamOutput("source", "result", "source"),)})
        return NewSteps([extra], {"both": ["extra"]}, {"both": {"a": [UpstreamOutput("extra", "result", "left")]}})

    plan.expand_dynamic = expand
    return plan, asked


@pytest.mark.parametrize("feed", ["one by one", "at once"])
def test_steps_a_plan_adds_on_an_output_run_and_are_waited_for(feed):
    plan, asked = _expanding_plan()
    state = RunState(plan, "run-1", "diamond")
    assert [i.step.key for i in state.start()] == ["maybe", "source"]
    events = [_event(ET.STEP_OUTPUT, "source"), _event(ET.STEP_SUCCESS, "source")]
    if feed == "one by one":
        out = [*state.handle(events[0]), *state.handle(events[1]), *state.handle(StepDone("source"))]
    else:
        out = list(state.step_ended("source", events))
    assert [i.step.key for i in out] == ["left", "right", "extra"]
    assert asked == [("source", "result")]
    assert state.steps["both"].upstream_keys == frozenset({"left", "right", "extra"})
    assert [u.step_key for u in state.steps["both"].inputs["a"]] == ["left", "extra"]
    assert "extra" not in plan.steps  # the plan's own tables are not changed
    for key in ("left", "right"):
        state.step_ended(key, [_event(ET.STEP_OUTPUT, key), _event(ET.STEP_SUCCESS, key)])
    assert state.status["both"] == "pending"
    out = state.step_ended("extra", [_event(ET.STEP_OUTPUT, "extra"), _event(ET.STEP_SUCCESS, "extra")])
    assert [i.step.key for i in out] == ["both"]


def test_an_active_execution_keeps_its_plan_run_and_job():
    plan = build_plan(diamond, [])
    execution = plan.start("run-9", "diamond")
    assert (execution.plan, execution.run_id, execution.job_name) == (plan, "run-9", "diamond")
