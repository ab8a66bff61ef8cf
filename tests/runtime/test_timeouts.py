"""Step and run time limits (specrun/runtime/timeouts.py) on real hanging steps: the step
fails with its name and limit, its worker is replaced, downstream is skipped, other
branches go on; a run past `dagster/max_runtime` is stopped and recorded as failed."""

from __future__ import annotations

import os
import threading
import time

import pytest

from specrun import (
    DagsterEventType, DagsterInstance, DefinitionError, ExecutionError, asset, materialize,
    multiprocess_executor,
)
from specrun.runtime.storage.base import DagsterRunStatus
from specrun.runtime.timeouts import MAX_RUNTIME_TAG, STEP_TIMEOUT_TAG, alarm, parse_seconds
from tests.procs import alive as _alive

HANG = 60  # seconds a hanging step would sleep: far past every limit below


def _assets(folder):
    """hang (limit 1 s) -> after_hang; other, independent, on a second branch."""

    @asset(op_tags={STEP_TIMEOUT_TAG: "1"})
    def hang():
        (folder / "hang.pid").write_text(str(os.getpid()))
        time.sleep(HANG)
        return 1

    @asset
    def after_hang(hang):
        return hang + 1

    @asset
    def other():
        return os.getpid()

    return [hang, after_hang, other]


def _config(tmp_path, executor_config=None):
    config = {"resources": {"io_manager": {"config": {"base_dir": str(tmp_path / "store")}}}}
    if executor_config is not None:
        config["execution"] = {"config": executor_config}
    return config


@pytest.mark.slow
def test_a_hanging_step_under_multiprocess_fails_naming_its_limit_and_its_worker_is_replaced(tmp_path):
    instance = DagsterInstance.ephemeral()
    result = materialize(_assets(tmp_path), instance=instance, raise_on_error=False,
                         executor_def=multiprocess_executor,
                         run_config=_config(tmp_path, {"max_concurrent": 1, "teardown_grace_seconds": 1}))
    assert not result.success
    failure = result.failure_data_for_node("hang")
    assert failure.error.message == ('step "hang" timed out: it ran longer than its time limit '
                                     f"of 1 s ({STEP_TIMEOUT_TAG})")
    assert failure.error.cls_name == "StepTimeout"
    skipped = [e.step_key for e in result.all_events if e.event_type is DagsterEventType.STEP_SKIPPED]
    assert skipped == ["after_hang"]
    # `other` ran after `hang` on the one slot: in a new worker, the old one is gone.
    hang_pid = int((tmp_path / "hang.pid").read_text())
    assert result.output_for_node("other") != hang_pid
    assert not _alive(hang_pid)
    assert instance.get_run_by_id(result.run_id).status is DagsterRunStatus.FAILURE


@pytest.mark.slow
def test_a_hanging_step_in_process_is_stopped_by_its_alarm_and_the_rest_runs():
    import pathlib
    import tempfile

    folder = pathlib.Path(tempfile.mkdtemp())
    result = materialize(_assets(folder), raise_on_error=False)
    assert result.failure_data_for_node("hang").error.message.startswith('step "hang" timed out')
    assert result.output_for_node("other") == os.getpid()
    statuses = {e.step_key: e.event_type for e in result.all_events if e.step_key}
    assert statuses["after_hang"] is DagsterEventType.STEP_SKIPPED


def test_a_timed_out_step_is_not_retried():
    from specrun import RetryPolicy

    calls = []

    @asset(op_tags={STEP_TIMEOUT_TAG: "0.2"}, retry_policy=RetryPolicy(max_retries=3))
    def slow():
        calls.append(1)
        time.sleep(HANG)

    result = materialize([slow], raise_on_error=False)
    assert not result.success and calls == [1]


def test_step_timeouts_in_process_outside_the_main_thread_are_refused_before_the_run():
    @asset(op_tags={STEP_TIMEOUT_TAG: "1"})
    def limited():
        return 1

    caught: list[BaseException] = []

    def run() -> None:
        try:
            materialize([limited])
        except BaseException as exc:  # noqa: BLE001 - handed to the test's thread
            caught.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert isinstance(caught[0], ExecutionError)
    assert "limited has a time limit (timeout)" in str(caught[0])
    assert "use the multiprocess executor" in str(caught[0])


@pytest.mark.slow
@pytest.mark.parametrize("executor", ["in_process", "multiprocess"])
def test_a_run_past_its_max_runtime_is_stopped_and_recorded_as_failed_with_the_reason(tmp_path, executor):
    @asset
    def sleeper():
        (tmp_path / "sleeper.pid").write_text(str(os.getpid()))
        time.sleep(HANG)

    kwargs = {"executor_def": multiprocess_executor} if executor == "multiprocess" else {}
    instance = DagsterInstance.ephemeral()
    result = materialize([sleeper], instance=instance, raise_on_error=False,
                         tags={MAX_RUNTIME_TAG: "1"}, run_config=_config(tmp_path), **kwargs)
    assert not result.success
    run = instance.get_run_by_id(result.run_id)
    assert run.status is DagsterRunStatus.FAILURE
    assert result.failure_info.message == (
        f"the run ran longer than its time limit of 1 s ({MAX_RUNTIME_TAG}); the steps still "
        "running were stopped")
    if executor == "multiprocess":
        assert not _alive(int((tmp_path / "sleeper.pid").read_text()))


@pytest.mark.parametrize("value", ["-1", "0", "soon", "nan", "inf"])
def test_bad_time_limits_are_refused_naming_the_tag(value):
    @asset(op_tags={STEP_TIMEOUT_TAG: value})
    def limited():
        return 1

    with pytest.raises(DefinitionError, match=f"op tag '{STEP_TIMEOUT_TAG}' of 'limited' must be a positive"):
        materialize([limited])

    @asset
    def plain():
        return 1

    with pytest.raises(DefinitionError, match=f"run tag '{MAX_RUNTIME_TAG}' must be a positive"):
        materialize([plain], tags={MAX_RUNTIME_TAG: value})


def test_parse_seconds_reads_numbers_and_numeric_text():
    assert parse_seconds("2.5", "x") == 2.5
    assert parse_seconds(3, "x") == 3.0
    assert parse_seconds(None, "x") is None
    with pytest.raises(DefinitionError):
        parse_seconds(True, "x")


def test_nested_alarms_raise_the_one_that_expired_and_disarm_after():
    class Outer(BaseException):
        pass

    class Inner(BaseException):
        pass

    with pytest.raises(Inner):
        with alarm(30, Outer):
            with alarm(0.05, Inner):
                time.sleep(5)
    with pytest.raises(Outer):
        with alarm(0.05, Outer):
            with alarm(30, Inner):
                time.sleep(5)
    with alarm(0.01, Outer):
        pass
    time.sleep(0.05)  # the alarm is off once its block is done: nothing is raised here
