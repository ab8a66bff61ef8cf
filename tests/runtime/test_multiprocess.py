"""The multiprocess executor from Python: start methods, reconstruction, refusals."""

from __future__ import annotations

import pytest

from specrun import (
    DagsterInstance, ExecutionError, asset, execute_job, materialize, mem_io_manager,
    multiprocess_executor, reconstructable,
)


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
