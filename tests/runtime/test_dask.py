"""The Dask executor from Python, on a cluster started once and reached by address."""

from __future__ import annotations

import os

import pytest

from specrun import DagsterEventType, RetryPolicy, dask_executor, execute_job, job, op, resource

pytestmark = pytest.mark.slow
distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as running:
        yield running


def _config(cluster, tmp_path) -> dict:
    return {"execution": {"config": {"address": cluster.scheduler_address}},
            "resources": {"io_manager": {"config": {"base_dir": str(tmp_path / "storage")}}}}


def _branching_job(marker_dir: str):
    @resource
    def marker():
        path = os.path.join(marker_dir, f"resource-{os.getpid()}")
        with open(path, "w") as f:
            f.write("open")
        yield os.getpid()
        with open(path, "w") as f:
            f.write("closed")

    @op(required_resource_keys={"marker"})
    def source(context):
        return context.resources.marker

    @op
    def broken(value):
        raise ValueError("bad input")

    @op
    def after_broken(value):
        return value

    @op
    def independent(value):
        return [value, os.getpid()]

    @op(retry_policy=RetryPolicy(max_retries=2))
    def flaky():
        path = os.path.join(marker_dir, "flaky")
        if not os.path.exists(path):
            open(path, "w").close()
            raise RuntimeError("first attempt fails")
        return 1

    @job(executor_def=dask_executor, resource_defs={"marker": marker})
    def branching():
        value = source()
        after_broken(broken(value))
        independent(value)
        flaky()

    return branching


def test_failure_skips_downstream_while_other_branches_run_on_the_workers(cluster, tmp_path):
    result = execute_job(_branching_job(str(tmp_path)), run_config=_config(cluster, tmp_path))
    assert not result.success
    by_type = {}
    for event in result.all_events:
        by_type.setdefault(event.event_type, []).append(event.step_key)
    assert by_type[DagsterEventType.STEP_FAILURE] == ["broken"]
    assert by_type[DagsterEventType.STEP_SKIPPED] == ["after_broken"]
    assert sorted(by_type[DagsterEventType.STEP_SUCCESS]) == ["flaky", "independent", "source"]
    assert by_type[DagsterEventType.STEP_UP_FOR_RETRY] == ["flaky"]
    resource_pid, step_pid = result.output_for_node("independent")
    assert os.getpid() not in (resource_pid, step_pid)  # resources and steps live on workers
    assert result.output_for_node("flaky") == 1


def test_each_step_events_are_recorded_in_order(cluster, tmp_path):
    result = execute_job(_branching_job(str(tmp_path)), run_config=_config(cluster, tmp_path))
    for step in ("source", "independent", "flaky", "broken"):
        kinds = [e.event_type for e in result.all_events if e.step_key == step]
        assert kinds[0] is DagsterEventType.STEP_START
        assert kinds[-1] in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE)


def test_the_run_closes_its_resources_on_every_worker_it_used(cluster, tmp_path):
    execute_job(_branching_job(str(tmp_path)), run_config=_config(cluster, tmp_path))
    markers = [p for p in os.listdir(tmp_path) if p.startswith("resource-")]
    assert markers
    assert all((tmp_path / p).read_text() == "closed" for p in markers)
    with distributed.Client(cluster.scheduler_address, set_as_default=False) as client:
        from specrun.runtime.executors import dask_worker

        left = client.run(lambda: len(dask_worker._CONTEXTS))
    assert set(left.values()) == {0}


def test_a_worker_that_cannot_load_the_run_fails_the_steps_it_is_sent():
    from specrun.runtime.executors import dask_worker

    plugin = dask_worker.RunPlugin("bad-run", b"not a pickle")
    plugin.setup(None)
    events = dask_worker.run_step_on_worker(dask_worker.RunRef("bad-run", "job"), "step", {})
    plugin.teardown(None)
    assert [e.event_type.value for e in events] == ["STEP_FAILURE"]
    assert "could not set up the run" in events[0].message
    assert "bad-run" not in dask_worker._CONTEXTS
