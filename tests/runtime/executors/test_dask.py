"""The Dask executor from Python, on a cluster started once and reached by address."""

from __future__ import annotations

import os

import pytest

from specrun import DagsterEventType, RetryPolicy, dask_executor, execute_job, job, op, resource
from tests.runtime.executors.contract import ExecutorContract
from tests.runtime.jobs_for_spawn import crashing_job, steps_by_event

pytestmark = pytest.mark.slow
distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")


# A LocalCluster closes for good a worker its nanny has not brought back within
# lost-worker-timeout (15 s): on a loaded machine a restart takes longer, and the cluster
# then ran the rest of the module on one worker. Restarts are slow, not lost, here.
PATIENT = {"distributed.deploy.lost-worker-timeout": "600s"}


@pytest.fixture(scope="module")
def cluster():
    # Dask's defaults otherwise: a task whose worker dies is run again on another worker (up
    # to allowed-failures 3 times), which the executor must not let run a step twice.
    with dask.config.set(PATIENT), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                     dashboard_address=None) as running:
        yield running


@pytest.fixture(scope="module")
def strict_cluster():
    """A cluster whose scheduler never runs a task again after its worker died (KilledWorker)."""
    with dask.config.set({**PATIENT, "distributed.scheduler.allowed-failures": 0}), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                     dashboard_address=None) as running:
        yield running


@pytest.fixture(autouse=True)
def _both_workers_up(request):
    """Each test starts with both workers: after a crash test, a nanny may still be restarting one."""
    for name in ("cluster", "strict_cluster"):
        if name in request.fixturenames or (name == "cluster" and isinstance(request.instance, TestDaskExecutor)):
            cluster = request.getfixturevalue(name)
            with distributed.Client(cluster.scheduler_address, set_as_default=False) as client:
                client.wait_for_workers(2, timeout=120)


class TestDaskExecutor(ExecutorContract):
    """Every executor promise, on a cluster reached by address."""

    executor_def = dask_executor

    @pytest.fixture(autouse=True)
    def _cluster(self, cluster):
        self.cluster = cluster

    def run_config(self, tmp_path) -> dict:
        return _config(self.cluster, tmp_path)


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


DIED = ('failed on the Dask cluster: the Dask worker process running it died before the step '
        'finished')


@pytest.mark.parametrize("how", ["exit", "sigkill", "segfault"])
def test_a_step_whose_worker_dies_fails_alone_and_the_cluster_recovers(cluster, tmp_path, how):
    result = execute_job(crashing_job(how, str(tmp_path), dask_executor), run_config=_config(cluster, tmp_path))

    assert not result.success
    steps = steps_by_event(result)
    assert steps[DagsterEventType.STEP_FAILURE] == ["dies"]
    assert steps[DagsterEventType.STEP_SKIPPED] == ["after_dies"]
    assert sorted(steps[DagsterEventType.STEP_SUCCESS]) == ["doubled", "source"]
    assert result.output_for_node("doubled")[0] == 40
    assert (tmp_path / "runs").read_text() == "source\ndoubled\n"  # each ran once, whatever died
    failure = next(e for e in result.all_events if e.event_type is DagsterEventType.STEP_FAILURE)
    assert failure.message == f'Execution of step "dies" {DIED}'
    assert failure.step_failure_data.error.cls_name == "WorkerProcessDied"

    again = execute_job(_branching_job(str(tmp_path)), run_config=_config(cluster, tmp_path / "again"))
    assert again.output_for_node("flaky") == 1  # the restarted workers run the next job


def _batch_with_a_death_job(marker_dir: str):
    """Nine independent steps: `a_ok`, `b_dies` (ends its worker), `c_after`, `s0`..`s5`; each
    step that runs appends its name to marker_dir/runs."""

    def make(name: str):
        @op(name=name)
        def step():
            with open(os.path.join(marker_dir, "runs"), "a") as f:
                f.write(f"{name}\n")
            if name == "b_dies":
                os._exit(3)
            return name
        return step

    steps = [make(n) for n in ["a_ok", "b_dies", "c_after", *[f"s{i}" for i in range(6)]]]

    @job(executor_def=dask_executor)
    def batch():
        for step in steps:
            step()

    return batch


@pytest.mark.parametrize("which", ["cluster", "strict_cluster"])
def test_a_worker_dying_inside_a_batch_fails_its_step_and_no_step_runs_twice(request, tmp_path, which):
    # The nine steps go as batches of 3 (2 worker threads, 2 batches each) or 5 (one worker
    # up): a_ok ends before b_dies kills the worker, c_after never starts there. On `cluster`
    # Dask runs the batch's task again on the other worker; on `strict_cluster` it gives up
    # (KilledWorker). Either way a_ok is not run again, b_dies fails, c_after runs once.
    cluster = request.getfixturevalue(which)
    result = execute_job(_batch_with_a_death_job(str(tmp_path)), run_config=_config(cluster, tmp_path))

    steps = steps_by_event(result)
    assert steps[DagsterEventType.STEP_FAILURE] == ["b_dies"]
    others = ["a_ok", "c_after", *[f"s{i}" for i in range(6)]]
    assert sorted(steps[DagsterEventType.STEP_SUCCESS]) == others
    assert sorted((tmp_path / "runs").read_text().split()) == sorted(others + ["b_dies"])
    failure = next(e for e in result.all_events if e.event_type is DagsterEventType.STEP_FAILURE)
    assert failure.message == f'Execution of step "b_dies" {DIED}'


def test_a_chain_runs_in_one_task_and_reports_each_step_as_it_ends(cluster, tmp_path):
    @op
    def first():
        return os.getpid()

    @op
    def middle(pid):
        return [pid, os.getpid()]

    @op
    def last(context, pids):
        # What the scheduler holds of this run while the chain's last step runs: one task.
        run_id = context.run_id
        held = distributed.get_client().run_on_scheduler(
            lambda dask_scheduler: sorted(str(k) for k in dask_scheduler.tasks if run_id in str(k)))
        return [*pids, os.getpid(), held]

    @job(executor_def=dask_executor)
    def chain():
        last(middle(first()))

    result = execute_job(chain, run_config=_config(cluster, tmp_path))
    *pids, held = result.output_for_node("last")
    assert held == [f"specrun-{result.run_id}-0"]
    assert len(set(pids)) == 1 and pids[0] != os.getpid()
    order = [(e.event_type, e.step_key) for e in result.all_events if e.step_key]
    starts = [key for kind, key in order if kind is DagsterEventType.STEP_START]
    assert starts == ["first", "middle", "last"]  # each once: the chain is not sent again link by link
    for up, down in (("first", "middle"), ("middle", "last")):
        assert order.index((DagsterEventType.STEP_SUCCESS, up)) < order.index((DagsterEventType.STEP_START, down))


def _pid_job():
    @op
    def worker_pid():
        return os.getpid()

    @job(executor_def=dask_executor)
    def pid():
        worker_pid()

    return pid


def test_with_no_address_the_run_uses_the_scheduler_dask_is_configured_with(cluster, tmp_path):
    config = _config(cluster, tmp_path)
    del config["execution"]
    with dask.config.set({"scheduler-address": cluster.scheduler_address}):  # DASK_SCHEDULER_ADDRESS
        result = execute_job(_pid_job(), run_config=config)
    worker_pids = {w.pid for w in cluster.workers.values()}
    assert result.output_for_node("worker_pid") in worker_pids  # not a LocalCluster of its own


def test_an_unreachable_scheduler_is_named_with_where_its_address_came_from(tmp_path):
    config = {"resources": {"io_manager": {"config": {"base_dir": str(tmp_path)}}}}
    with dask.config.set({"scheduler-address": "tcp://127.0.0.1:1",
                          "distributed.comm.timeouts.connect": "1s"}):
        result = execute_job(_pid_job(), run_config=config, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type is DagsterEventType.RUN_FAILURE)
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:1, Dask's scheduler-address " \
           "(DASK_SCHEDULER_ADDRESS)" in failure.message
    assert "leave the address unset to run on a LocalCluster" in failure.message


def test_the_worker_preload_imports_what_a_run_needs():
    import subprocess
    import sys

    from specrun.runtime.executors.dask import FORKSERVER_PRELOAD

    code = ("import sys; from specrun.runtime.executors import dask_worker; dask_worker.dask_setup(None); "
            f"print(sorted(set({FORKSERVER_PRELOAD!r}) - set(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_a_local_cluster_asked_for_wins_over_the_configured_scheduler(tmp_path):
    config = {"execution": {"config": {"n_workers": 1}},
              "resources": {"io_manager": {"config": {"base_dir": str(tmp_path)}}}}
    with dask.config.set({"scheduler-address": "tcp://127.0.0.1:1"}):
        result = execute_job(_pid_job(), run_config=config)
    assert result.success
    assert result.output_for_node("worker_pid") != os.getpid()


def test_two_pipelines_whose_modules_share_a_name_each_run_their_own_on_one_cluster(cluster, tmp_path):
    import subprocess
    import sys

    from tests.e2e.conftest import stored_value

    spec = ("specrun: 1\nname: same\nmodule: assets\n"
            "resources:\n  io_manager: {type: fs, config: {base_dir: out}}\n"
            "assets:\n  which: {fn: which}\n")
    outputs = {}
    for name in ("first", "second"):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "pipeline.yaml").write_text(spec)
        (folder / "assets.py").write_text(f"def which():\n    return {name!r}\n")
        done = subprocess.run(
            [sys.executable, "-m", "specrun.cli", "apply", "pipeline.yaml", "--executor", "dask"],
            cwd=folder, capture_output=True, text=True, timeout=120,
            env={**os.environ, "DASK_SCHEDULER_ADDRESS": cluster.scheduler_address})
        assert done.returncode == 0, done.stdout + done.stderr
        outputs[name] = stored_value(folder / "pipeline.yaml", "which")
    assert outputs == {"first": "first", "second": "second"}


def test_a_worker_without_the_pipelines_code_says_where_the_run_imported_it_from(tmp_path):
    import pickle
    import sys

    from specrun.runtime.executors import dask_worker

    code = tmp_path / "gone"
    code.mkdir()
    (code / "vanishing_module_for_test.py").write_text("def fn():\n    return 1\n")
    sys.path.insert(0, str(code))
    try:
        import vanishing_module_for_test

        payload = pickle.dumps(vanishing_module_for_test.fn)
    finally:
        sys.path.remove(str(code))
        del sys.modules["vanishing_module_for_test"]
    (code / "vanishing_module_for_test.py").unlink()
    code.rmdir()

    plugin = dask_worker.RunPlugin("no-code", payload, dask_worker.UserCode((str(code),), {}))
    plugin.setup(None)
    events = dask_worker.run_step_on_worker(dask_worker.RunRef("no-code", "job"), "step", {})
    plugin.teardown(None)
    error = events[0].step_failure_data.error
    assert error.cls_name == "ModuleNotFoundError"
    assert error.message.startswith("ModuleNotFoundError: No module named 'vanishing_module_for_test'; the Dask worker on ")
    assert f"the run's code was imported from {code} ({code} not found there)" in error.message
    assert "__get_result" not in "".join(error.stack)  # the build's own traceback, not the future's


def test_the_run_log_says_which_cluster_runs_the_steps(cluster, tmp_path):
    result = execute_job(_pid_job(), run_config=_config(cluster, tmp_path))
    messages = [e.message for e in result.log_messages if e.step_key is None]
    assert messages == [f"running steps on the Dask cluster at {cluster.scheduler_address}: 2 worker(s)"]


def test_metadata_that_cannot_cross_processes_arrives_as_text(cluster, tmp_path):
    import threading

    @op
    def locked(context):
        context.add_output_metadata({"lock": threading.Lock(), "rows": 3})
        return 1

    @job(executor_def=dask_executor)
    def with_lock():
        locked()

    result = execute_job(with_lock, run_config=_config(cluster, tmp_path))
    assert result.success
    output = next(e for e in result.all_events if e.event_type is DagsterEventType.STEP_OUTPUT)
    metadata = output.event_specific_data.metadata
    assert metadata["rows"].value == "3"  # the whole event's metadata goes as text
    assert metadata["lock"].value.startswith("<unlocked _thread.lock object")


def test_a_threaded_local_cluster_reports_every_step_through_the_workers_event_loop(tmp_path):
    # processes: false gives an in-process cluster (no TCP socket to write reports on
    # directly), so each report goes through the worker's event loop instead.
    @op
    def first():
        return 1

    @op
    def second(value):
        return value + 1

    @op
    def side():
        return "side"

    @job(executor_def=dask_executor)
    def threaded():
        second(first())
        side()

    config = {"execution": {"config": {"n_workers": 1, "processes": False}},
              "resources": {"io_manager": {"config": {"base_dir": str(tmp_path)}}}}
    result = execute_job(threaded, run_config=config)
    assert result.success
    assert result.output_for_node("second") == 2
    starts = [e.step_key for e in result.all_events if e.event_type is DagsterEventType.STEP_START]
    assert sorted(starts) == ["first", "second", "side"]


NO_WORKERS = "has had no worker for 2 s (its workers died or left, and none joined)"


def _no_workers_config(address: str, tmp_path) -> dict:
    return {"execution": {"config": {"address": address, "no_workers_timeout": 2, "max_concurrent": 1}},
            "resources": {"io_manager": {"config": {"base_dir": str(tmp_path)}}}}


def test_steps_fail_naming_the_cluster_when_it_has_no_worker_for_too_long(tmp_path):
    @op
    def lonely():
        return 1

    @job(executor_def=dask_executor)
    def nobody():
        lonely()

    with distributed.LocalCluster(n_workers=0, dashboard_address=":0") as empty:
        result = execute_job(nobody, run_config=_no_workers_config(empty.scheduler_address, tmp_path))
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type is DagsterEventType.STEP_FAILURE)
    assert failure.step_key == "lonely"
    error = failure.step_failure_data.error
    assert error.cls_name == "NoDaskWorkers"
    assert f"the Dask cluster at {empty.scheduler_address} {NO_WORKERS}" in failure.message
    assert f"Start workers with `dask worker {empty.scheduler_address}`" in failure.message
    assert "raise the dask executor's `no_workers_timeout`" in failure.message


def test_a_run_whose_only_worker_is_killed_for_good_ends_instead_of_waiting(tmp_path):
    # A real worker without a nanny (nothing restarts it): the first step SIGKILLs it. The
    # step it ran fails as a death; the next one, sent to a cluster left without workers,
    # fails once the cluster has had none for no_workers_timeout.
    import subprocess
    import sys

    from tests.runtime.jobs_for_spawn import die

    @op
    def kills_its_worker():
        die("sigkill")

    @op
    def next_one():
        return 1

    @job(executor_def=dask_executor)
    def killing():
        kills_its_worker()
        next_one()

    with distributed.LocalCluster(n_workers=0, dashboard_address=":0") as cluster:
        address = cluster.scheduler_address
        worker = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address, "--no-nanny",
                                   "--nthreads", "1", "--no-dashboard"], cwd=os.getcwd(),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            with distributed.Client(address, set_as_default=False) as client:
                client.wait_for_workers(1, timeout=120)
            result = execute_job(killing, run_config=_no_workers_config(address, tmp_path))
            assert worker.wait(timeout=60) == -9  # really killed, and nothing brought it back
        finally:
            worker.kill()
            worker.wait()
    assert not result.success
    failures = {e.step_key: e for e in result.all_events if e.event_type is DagsterEventType.STEP_FAILURE}
    assert sorted(failures) == ["kills_its_worker", "next_one"]
    assert failures["kills_its_worker"].message == f'Execution of step "kills_its_worker" {DIED}'
    assert f"the Dask cluster at {address} {NO_WORKERS}" in failures["next_one"].message


def test_a_worker_unpickles_a_job_once_while_the_modules_it_was_unpickled_with_stay(monkeypatch):
    import pickle
    import sys
    import types

    from specrun.runtime.executors import dask_worker

    data = pickle.dumps({"a job": 1})
    code = dask_worker.UserCode(("/somewhere",), {"mine_for_test": "/somewhere/mine_for_test.py"})
    monkeypatch.setitem(sys.modules, "mine_for_test", types.ModuleType("mine_for_test"))
    first = dask_worker._job_of((b"digest", data), code)
    assert dask_worker._job_of((b"digest", data), code) is first
    assert dask_worker._job_of((b"other digest", data), code) is not first
    # Another pipeline's module of the same name was imported since: unpickled again.
    monkeypatch.setitem(sys.modules, "mine_for_test", types.ModuleType("mine_for_test"))
    assert dask_worker._job_of((b"digest", data), code) is not first


def test_steps_report_straight_to_the_parent_or_through_the_scheduler_with_the_same_events(
        cluster, tmp_path, monkeypatch):
    import socket

    from specrun.runtime.executors import dask_reports

    beside = dask_reports.ReportServer.beside
    servers = []

    def unreachable_when_asked(comm, inbox, workers):
        server = beside(comm, inbox, workers)
        if unreachable:  # workers are told a port nobody listens on
            with socket.socket() as free:
                free.bind(("127.0.0.1", 0))
                server.where = server.where._replace(port=free.getsockname()[1])
        servers.append(server)
        return server

    monkeypatch.setattr(dask_reports.ReportServer, "beside", staticmethod(unreachable_when_asked))
    events = {}
    for unreachable in (False, True):
        marker_dir = tmp_path / str(unreachable)
        marker_dir.mkdir()
        result = execute_job(_branching_job(str(marker_dir)), run_config=_config(cluster, marker_dir),
                             raise_on_error=False)
        by_step: dict = {}
        for e in result.all_events:
            if e.step_key:
                by_step.setdefault(e.step_key, []).append(e.event_type.value)
        events[unreachable] = by_step
    straight, through_scheduler = servers
    assert straight.direct and not through_scheduler.direct  # each run took the way asked
    assert events[False] == events[True]
    assert events[False]["broken"][-1] == "STEP_FAILURE"
    assert events[False]["after_broken"] == ["STEP_SKIPPED"]
    assert events[False]["flaky"].count("STEP_UP_FOR_RETRY") == 1


def test_runs_of_one_process_share_one_client_which_holds_no_run_after_it(cluster, tmp_path):
    from specrun.runtime.executors import dask_client

    first = execute_job(_pid_job(), run_config=_config(cluster, tmp_path))
    client = dask_client._KEPT[cluster.scheduler_address]
    second = execute_job(_pid_job(), run_config=_config(cluster, tmp_path))
    assert first.success and second.success
    assert dask_client._KEPT[cluster.scheduler_address] is client and client.status == "running"
    topics = [f"{client.id}-{r.run_id}" for r in (first, second)]
    handlers = [client._event_handlers[t] for t in topics]  # each run had its own topic
    assert [h._handler for h in handlers] == [None, None]  # let go at the run's end
    plugins = client.run_on_scheduler(lambda dask_scheduler: list(dask_scheduler.worker_plugins))
    assert not [p for p in plugins if p.startswith("specrun-run-")]
