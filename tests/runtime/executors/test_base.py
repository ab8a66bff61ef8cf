"""Executor definitions (runtime/executors/base.py): where a run's steps run decides whether
the parent makes the job's step programs before its first run."""

from __future__ import annotations

import pytest

from specrun import in_process_executor, job, op
from specrun.runtime.api import execute_run
from specrun.runtime.executors.base import Executor, ExecutorDefinition
from specrun.runtime.executors.dask import dask_executor
from specrun.runtime.executors.multiprocess import multiprocess_executor
from specrun.runtime.step_recipe import job_program


@pytest.mark.parametrize("definition, config, here", [
    (in_process_executor, {}, True),
    (dask_executor, {}, False),
    (dask_executor, {"processes": False}, False),  # (its workers unpickle a job of their own)
    (multiprocess_executor, {}, True),  # fork, where there is one: workers inherit the programs
    (multiprocess_executor, {"start_method": "fork"}, True),
    (multiprocess_executor, {"start_method": "spawn"}, False),
    (multiprocess_executor, {"start_method": {"forkserver": {"preload_modules": ["os"]}}}, False),
    (multiprocess_executor, {"start_method": {"spawn": {}, "fork": {}}}, True),  # invalid: the executor says so
    (multiprocess_executor.configured({"start_method": "spawn"}), {}, False),
    (multiprocess_executor.configured({"start_method": "spawn"}), {"start_method": "fork"}, True),
])
def test_an_executor_says_whether_a_runs_steps_run_in_this_process(definition, config, here):
    assert definition.runs_steps_here(config) is here


def _elsewhere(steps_here):
    """An executor that runs its steps here through `ActiveExecution`, but may say otherwise;
    it notes how many step programs the job had when the run started."""
    seen = []

    class Noting(Executor):
        def execute(self, plan_context, execution_plan):
            seen.append(len(job_program(plan_context.job).recipes))
            active = execution_plan.start(plan_context.run_id, plan_context.job_name)
            while not active.is_complete:
                for step in active.get_steps_to_execute():
                    for event in plan_context.execute_step(step):
                        active.handle_event(event)
                        yield event

    return ExecutorDefinition("noting", lambda _ctx: Noting(), None, None, steps_here), seen


def _job(executor_def):
    @op
    def first():
        return 2

    @op
    def second(x):
        return x * 3

    @job(executor_def=executor_def)
    def twice():
        second(first())

    return twice


def test_a_parent_whose_steps_run_elsewhere_makes_no_step_programs_before_the_run():
    results = {}
    for here in (None, lambda _config: False):
        definition, seen = _elsewhere(here)
        the_job = _job(definition)
        results[here is None] = execute_run(the_job), execute_run(the_job)
        # Made before the first run only where steps run; the steps run here make them anyway.
        assert seen == ([2, 2] if here is None else [0, 2])
    for made_first, not_made in zip(results[True], results[False]):
        assert [(e.event_type, e.step_key, e.message) for e in made_first.all_events] == [
            (e.event_type, e.step_key, e.message) for e in not_made.all_events]
        assert made_first.output_for_node("second") == not_made.output_for_node("second") == 6
