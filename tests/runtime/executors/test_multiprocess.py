"""The multiprocess executor from Python: start methods, reconstruction, refusals."""

from __future__ import annotations

import os

import pytest

from specrun import (
    DagsterEventType, DagsterInstance, ExecutionError, asset, execute_job, fs_io_manager,
    materialize, mem_io_manager, multiprocess_executor, reconstructable,
)
from tests.runtime.executors.contract import ExecutorContract
from tests.runtime.jobs_for_spawn import crashing_job, steps_by_event


class TestMultiprocessExecutor(ExecutorContract):
    """Every executor promise, with two warm workers."""

    executor_def = multiprocess_executor

    def run_config(self, tmp_path) -> dict:
        return {**super().run_config(tmp_path), "execution": {"config": {"max_concurrent": 2}}}


def test_spawn_needs_a_reconstructable_job_and_works_with_one(tmp_path):
    from tests.runtime import jobs_for_spawn

    config = {"execution": {"config": {"multiprocess": {"start_method": "spawn", "max_concurrent": 2}}},
              "resources": {"io_manager": {"config": {"base_dir": str(tmp_path)}}}}
    plain = execute_job(jobs_for_spawn.spawn_job, run_config=config)
    assert not plain.success and "must be reconstructable" in plain.failure_info.message
    result = execute_job(reconstructable(jobs_for_spawn.spawn_job), run_config=config,
                         instance=DagsterInstance.ephemeral())
    assert result.success
    assert result.output_for_node("plus_one") == 2  # reloaded through the fs IO manager


def test_memory_io_manager_is_refused_with_a_clear_message():
    @asset
    def a():
        return 1

    with pytest.raises(ExecutionError, match="in-memory IO manager .* cannot pass values"):
        materialize([a], resources={"io_manager": mem_io_manager}, executor_def=multiprocess_executor)


def test_warm_workers_are_reused_across_steps(tmp_path):
    import os

    @asset
    def first():
        return os.getpid()

    @asset
    def second(first):
        return [first, os.getpid()]

    config = {"execution": {"config": {"max_concurrent": 1}},
              "resources": {"io_manager": {"config": {"base_dir": str(tmp_path)}}}}
    result = materialize([first, second], executor_def=multiprocess_executor, run_config=config)
    pids = result.output_for_node("second")
    assert pids[0] == pids[1] != os.getpid()  # one warm worker ran both steps


def test_a_workers_events_keep_its_pid_in_the_result_and_in_the_store(tmp_path):
    @asset
    def where():
        return os.getpid()

    instance = DagsterInstance.ephemeral()
    config = {"resources": {"io_manager": {"config": {"base_dir": str(tmp_path)}}}}
    result = materialize([where], executor_def=multiprocess_executor, run_config=config, instance=instance)
    worker = result.output_for_node("where")
    stored = instance.all_logs(result.run_id)
    for events in (result.all_events, stored):
        step_pids = {e.pid for e in events if e.step_key == "where"}
        run_pids = {e.pid for e in events if e.event_type in (DagsterEventType.RUN_START, DagsterEventType.RUN_SUCCESS)}
        assert (step_pids, run_pids) == ({worker}, {os.getpid()}) and worker != os.getpid()
        assert {e.level for e in events} == {20}


@pytest.mark.parametrize(("how", "death"), [
    ("exit", "exited with code 3"),
    ("sigkill", "was killed by signal SIGKILL"),
    ("segfault", "was killed by signal SIGSEGV"),
])
def test_a_dying_worker_fails_only_its_step_and_a_new_worker_runs_the_rest(tmp_path, how, death):
    crashing = crashing_job(how, str(tmp_path), multiprocess_executor, {"io_manager": fs_io_manager})
    # One worker at a time, so the steps after the death can only have run in a replacement.
    config = {"execution": {"config": {"multiprocess": {"start_method": "fork", "max_concurrent": 1}}},
              "resources": {"io_manager": {"config": {"base_dir": str(tmp_path / "storage")}}}}
    result = execute_job(crashing, run_config=config)

    assert not result.success
    steps = steps_by_event(result)
    assert steps[DagsterEventType.STEP_FAILURE] == ["dies"]
    assert steps[DagsterEventType.STEP_SKIPPED] == ["after_dies"]
    assert steps[DagsterEventType.STEP_SUCCESS] == ["source", "doubled"]
    failure = next(e for e in result.all_events if e.event_type is DagsterEventType.STEP_FAILURE)
    assert failure.message == (f'Execution of step "dies" failed: the worker process running step "dies" '
                               f"{death} before the step finished.")
    value, pid = result.output_for_node("doubled")
    assert value == 40
    order = [(e.event_type, e.step_key) for e in result.all_events]
    assert order.index((DagsterEventType.STEP_FAILURE, "dies")) < order.index((DagsterEventType.STEP_START, "source"))
    assert pid not in (os.getpid(), int((tmp_path / "dies.pid").read_text()))


@pytest.mark.parametrize("name", ["multiprocess", "dask"])
def test_max_concurrent_zero_is_the_default_and_a_negative_one_is_refused(name):
    from specrun.errors import ConfigError
    from specrun.runtime.executors import executor_def_by_name
    from specrun.runtime.executors.base import InitExecutorContext

    definition = executor_def_by_name(name)
    default = definition.create(InitExecutorContext(None, {})).max_concurrent
    assert definition.create(InitExecutorContext(None, {"max_concurrent": 0})).max_concurrent == default
    assert definition.create(InitExecutorContext(None, {"max_concurrent": 3})).max_concurrent == 3
    with pytest.raises(ConfigError) as raised:
        definition.create(InitExecutorContext(None, {"max_concurrent": -1}))
    assert raised.value.errors[0].stack == "root:execution:config:max_concurrent"
    assert raised.value.errors[0].message.startswith("max_concurrent must be 1 or more (0 or unset: ")


def test_the_last_steps_hooks_are_recorded_before_the_run_ends(tmp_path):
    from specrun import job, op, success_hook

    @success_hook
    def noted(context):
        context.log.info(f"noted {context.step_key}")

    @op
    def only():
        return 1

    @job(executor_def=multiprocess_executor, resource_defs={"io_manager": fs_io_manager}, hooks={noted})
    def single():
        only()

    config = {"execution": {"config": {"start_method": "fork"}},
              "resources": {"io_manager": {"config": {"base_dir": str(tmp_path)}}}}
    result = execute_job(single, run_config=config)
    kinds = [e.event_type.value for e in result.all_records]
    assert kinds[-4:] == ["STEP_SUCCESS", "LOG_MESSAGE", "HOOK_COMPLETED", "RUN_SUCCESS"]


def test_metadata_that_cannot_cross_processes_arrives_as_text(tmp_path):
    import threading

    from specrun import job, op

    @op
    def locked(context):
        context.add_output_metadata({"lock": threading.Lock(), "rows": 3})
        return 1

    @job(executor_def=multiprocess_executor)
    def with_lock():
        locked()

    result = execute_job(with_lock, run_config={
        "resources": {"io_manager": {"config": {"base_dir": str(tmp_path)}}}})
    assert result.success
    output = next(e for e in result.all_events if e.event_type is DagsterEventType.STEP_OUTPUT)
    metadata = output.event_specific_data.metadata
    assert metadata["rows"].value == "3"  # the whole event's metadata goes as text
    assert metadata["lock"].value.startswith("<unlocked _thread.lock object")
    assert output.step_key == "locked"
