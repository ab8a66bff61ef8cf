"""The in-process executor keeps every executor promise (steps run one at a time, here)."""

from __future__ import annotations

import pytest

from specrun import in_process_executor, job, mem_io_manager, op
from specrun.runtime.api import execute_run
from specrun.runtime.instance import Instance
from tests.runtime.executors.contract import ExecutorContract, diamond_job


class TestInProcessExecutor(ExecutorContract):
    executor_def = in_process_executor
    runs_steps_in_other_processes = False

    def test_ready_steps_run_one_at_a_time_in_plan_order(self, tmp_path):
        result = self.execute(diamond_job(self.executor_def), tmp_path)
        starts = [e.step_key for e in result.all_events if e.event_type.value == "STEP_START"]
        assert starts == ["top", "left", "right", "bottom"]


# A run that records each step's events together, with nothing reading them one at a time
# (no listener, lease or time limit), is given a plain step's STEP_START with its other
# events (`RunContext.run_started_step`): these pin what that must not change.

@op
def one():
    return 1


@op
def plus(x):
    return x + 1


@job
def plain_chain():
    plus(plus(one()))


def test_a_plain_steps_start_reaches_the_instance_with_its_other_events(monkeypatch):
    lists = []
    handle = Instance.handle_new_events

    def noted(self, events, summary=None):
        lists.append([(e.event_type_value, e.step_key) for e in events])
        return handle(self, events, summary)

    monkeypatch.setattr(Instance, "handle_new_events", noted)
    result = plain_chain.execute_in_process()
    kinds = ["STEP_START", "LOADED_INPUT", "STEP_OUTPUT", "HANDLED_OUTPUT", "STEP_SUCCESS"]
    # (the first step sets the resources up, on the general path: its start is reported first)
    assert lists == [[(k, "one") for k in kinds if k not in ("STEP_START", "LOADED_INPUT")],
                     [(k, "plus") for k in kinds], [(k, "plus_2") for k in kinds]]
    recorded = [(e.event_type_value, e.step_key) for e in result.all_events]
    assert recorded == [("RUN_START", None), *[(k, "one") for k in kinds if k != "LOADED_INPUT"],
                        *lists[1], *lists[2], ("RUN_SUCCESS", None)]
    stored = result._ctx.instance.all_logs(result.run_id)
    assert [(e.event_type_value, e.step_key) for e in stored] == recorded
    assert result.output_for_node("plus_2") == 3


def test_a_listener_is_given_each_steps_start_before_its_function_runs():
    heard: list = []
    seen_by_step = {}

    @op
    def first():
        seen_by_step["first"] = [(e.event_type_value, e.step_key) for e in heard[1:]]
        return 1

    @op
    def second(x):
        seen_by_step["second"] = [(e.event_type_value, e.step_key) for e in heard
                                  if e.step_key == "second"]
        return x

    @job
    def two():
        second(first())

    execute_run(two, default_io_manager=mem_io_manager, on_event=heard.append)
    assert seen_by_step == {"first": [("STEP_START", "first")],
                            "second": [("STEP_START", "second")]}


def test_a_step_given_the_instance_finds_its_own_start_recorded_while_it_runs():
    @op
    def reads_record(context, x):
        return [e.event_type_value for e in context.instance.all_logs(context.run_id)
                if e.step_key == "reads_record"]

    @job
    def reading():
        reads_record(plus(one()))

    result = reading.execute_in_process()
    assert result.output_for_node("reads_record") == ["STEP_START"]


def test_a_plain_step_cancelled_while_it_runs_has_its_start_recorded():
    @op
    def interrupted(x):
        raise KeyboardInterrupt

    @job
    def cancelled():
        interrupted(plus(one()))

    instance = Instance.ephemeral()
    with pytest.raises(KeyboardInterrupt):
        cancelled.execute_in_process(instance=instance)
    (run,) = instance.get_runs()
    recorded = [(e.event_type_value, e.step_key) for e in instance.all_logs(run.run_id)]
    assert recorded[-2:] == [("STEP_START", "interrupted"), ("RUN_CANCELED", None)]
