"""A plan's tables (runtime/plan_tables.py): which deps of a step an upstream step may leave
out (`optional_deps`), so that a run checks those steps before it releases them."""

from __future__ import annotations

from specrun import AssetOut, AssetSpec, MaterializeResult, Output, asset, multi_asset
from specrun.runtime import job_plan
from specrun.runtime.definitions.jobs import build_asset_job
from specrun.runtime.plan_tables import optional_deps
from specrun.runtime.scheduler import Emit, RunState, StepDone
from specrun.runtime.events import ET, Event, StepOutputData


@multi_asset(specs=[AssetSpec("a"), AssetSpec("b", skippable=True)])
def specs():
    yield MaterializeResult(asset_key="a")


@multi_asset(outs={"o1": AssetOut(), "o2": AssetOut(is_required=False)})
def outs():
    yield Output(1, output_name="o1")


@asset(deps=["a", "b", "o1", "o2"])
def after_all():
    return 1


@asset(deps=["a", "o1"])
def after_required():
    return 1


def _plan():
    return job_plan.planned_with_programs(build_asset_job("j", [specs, outs, after_all, after_required]), None)


def test_the_optional_deps_of_a_step_are_the_optional_outputs_of_its_upstream_steps():
    steps = _plan().steps
    assert sorted(optional_deps(steps["after_all"], steps)) == sorted([("specs", "b", specs.key_for_output("b")),
                                                                       ("outs", "o2", outs.key_for_output("o2"))])
    assert optional_deps(steps["after_required"], steps) == []
    assert optional_deps(steps["specs"], steps) == []


def test_a_step_with_an_optional_dep_is_checked_before_it_is_released():
    plan = _plan()
    unchecked = plan.run_tables.unchecked
    assert unchecked[plan.positions["after_all"]] == 0
    assert unchecked[plan.positions["after_required"]] == 1


def test_a_step_whose_optional_dep_was_not_yielded_is_skipped():
    state = RunState(_plan(), "run", "job")
    state.start()
    skipped = []
    for key, output in (("specs", "a"), ("outs", "o1")):  # each leaves its optional output out
        done = list(state.handle(Event(ET.STEP_OUTPUT, "run", "job", key, data=StepOutputData(output))))
        done += state.handle(Event(ET.STEP_SUCCESS, "run", "job", key))
        done += state.handle(StepDone(key))
        skipped += [i.event for i in done if isinstance(i, Emit)]
    assert [(e.step_key, e.event_type) for e in skipped] == [("after_all", ET.STEP_SKIPPED)]
    assert "dep 'o2' was not materialized (output 'o2' of 'outs' not yielded)" in skipped[0].message
