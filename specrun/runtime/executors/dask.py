"""The Dask executor: steps run as tasks on a `dask.distributed` cluster.

It connects to `address` when given (or to Dask's configured `scheduler-address`, as
`DASK_SCHEDULER_ADDRESS` sets it), otherwise starts a `LocalCluster`. The run's payload
reaches every worker once, as a worker plugin (`dask_worker.RunPlugin`); each worker
starts rebuilding the run's context as soon as the plugin arrives (job, config; resources
are initialised on the worker by its first step) and reuses it for every step it runs,
returning the step's events. The whole ready frontier is submitted at once and results are
fetched as tasks complete, so the parent records events in order while workers stay busy.
Values pass through the IO manager, so it must be one every worker can read (the
filesystem IO manager on a shared path).
"""

from __future__ import annotations

import importlib.util
import multiprocessing
from functools import partial
from typing import Any, Iterator, Optional

from ...errors import ExecutionError
from ..config import Field, Noneable, Permissive
from ..definitions.policy import RetryMode
from ..events import DagsterEventType as ET
from ..events import ErrorInfo, Event, StepFailureData
from ..scheduler import STATE_EVENT_TYPES, Emit, RunState, StepDone
from .base import Executor, ExecutorDefinition, InitExecutorContext, max_concurrent_of
from ..dynamic_partitions import snapshot_for
from .child import (
    FORKSERVER_PRELOAD, RunPayload, describe_step, refuse_memory_io, remember_version,
    upstream_data_versions,
)


class DaskExecutor(Executor):
    """Submits each ready step as a Dask task; `max_concurrent` caps tasks in flight."""

    def __init__(self, address: Optional[str] = None, n_workers: int = 2,
                 threads_per_worker: int = 1, processes: bool = True,
                 max_concurrent: Optional[int] = None, retries: RetryMode = RetryMode.ENABLED,
                 local: bool = False) -> None:
        self.address = address
        self.local = local  # a LocalCluster was asked for: Dask's configured address is ignored
        self.n_workers = n_workers
        self.threads_per_worker = threads_per_worker
        self.processes = processes
        self.max_concurrent = max_concurrent
        self.retries = retries

    def _client(self) -> tuple[Any, Any]:
        import dask
        from distributed import Client

        # As `distributed.Client()` does: with no address configured, the one Dask's own
        # configuration names (`DASK_SCHEDULER_ADDRESS`, or `scheduler-address` in its YAML).
        address = self.address or (None if self.local else dask.config.get("scheduler-address", None))
        if address:
            try:
                return Client(address, set_as_default=False), None
            except OSError as e:
                source = ("the executor's `address`" if self.address
                          else "Dask's scheduler-address (DASK_SCHEDULER_ADDRESS)")
                raise ExecutionError(
                    f"cannot reach the Dask scheduler at {address}, {source}: {e}. Start the cluster "
                    "(`dask scheduler` and `dask worker ADDRESS`), or leave the address unset to "
                    "run on a LocalCluster") from e
        cluster = self._local_cluster()
        try:
            # The client can reach our own workers, so results skip the hop through the scheduler.
            return Client(cluster, set_as_default=False, direct_to_workers=True), cluster
        except BaseException:
            cluster.close()
            raise

    def _local_cluster(self) -> Any:
        """A LocalCluster whose worker processes are forked from a warm fork server.

        Dask spawns workers by default: each is a fresh interpreter importing distributed and
        then the runtime, which costs seconds on a small machine. A fork server imports them
        once. A method the user configured other than the default `spawn` is kept.
        """
        import dask
        from distributed import LocalCluster

        method = dask.config.get("distributed.worker.multiprocessing-method")
        if self.processes and method == "spawn" and "forkserver" in multiprocessing.get_all_start_methods():
            method = "forkserver"
            multiprocessing.get_context(method).set_forkserver_preload(FORKSERVER_PRELOAD)
            from multiprocessing import forkserver

            forkserver.ensure_running()  # it imports while the scheduler starts here
        with dask.config.set({"distributed.worker.multiprocessing-method": method}):
            return LocalCluster(n_workers=self.n_workers, threads_per_worker=self.threads_per_worker,
                                # Any free port: 8787 is often another cluster's.
                                processes=self.processes, dashboard_address=":0")

    def _payload(self, ctx: Any, execution_plan: Any) -> RunPayload:
        return RunPayload(
            run=ctx.run, raw_run_config=ctx.resolved.raw, partition_keys=list(execution_plan.partition_keys),
            step_keys=list(execution_plan.steps), root_directory=ctx.instance.root_directory,
            job=ctx.job, origin=None,
            resource_overrides={k: v for k, v in ctx.resource_defs.items() if k not in ctx.job.resource_defs},
            retries=self.retries, dynamic_partitions=snapshot_for(ctx.job))

    def execute(self, plan_context: Any, execution_plan: Any) -> Iterator[Event]:
        refuse_memory_io(plan_context, "dask")
        try:
            import cloudpickle
            from distributed import as_completed

            from .dask_worker import RunPlugin, RunRef, UserCode, run_step_on_worker
        except ImportError as e:
            raise ExecutionError("the dask executor needs dask.distributed: "
                                 "pip install 'specrun[dask]'") from e

        ctx = plan_context
        plugin = RunPlugin(ctx.run_id, cloudpickle.dumps(self._payload(ctx, execution_plan)),
                           UserCode.of_this_process())
        plugin_name = f"specrun-run-{ctx.run_id}"
        client, cluster = self._client()
        state = RunState(execution_plan, ctx.run_id, ctx.job_name, max_concurrent=self.max_concurrent)
        registered = False
        try:
            _log_cluster(ctx.log, client, cluster)
            # The payload reaches every worker in one broadcast; tasks carry only step keys.
            client.register_plugin(plugin, name=plugin_name)
            registered = True
            # Results are gathered in the client's event loop as tasks finish, not one
            # blocking round trip at a time in this thread.
            pending = as_completed(loop=client.loop, with_results=True, raise_errors=False)
            futures: dict[Any, str] = {}
            task = partial(run_step_on_worker, RunRef(ctx.run_id, ctx.job_name))
            todo = state.start()
            while True:
                for instruction in todo:
                    if instruction.__class__ is Emit:
                        yield instruction.event
                    else:
                        self._submit(client, ctx, instruction.step, task, pending, futures)
                if not futures:
                    break
                todo = []
                for future, result in pending.next_batch(block=True):
                    # Released at once: while the client holds a finished task's future, the
                    # scheduler re-runs the task if the worker keeping its result dies (as each
                    # worker a crashing step runs on does), so a step that succeeded ran again.
                    future.release()
                    step_key = futures.pop(future)
                    yield from self._result(ctx, state, future, step_key, result, todo)
                    todo.extend(state.handle(StepDone(step_key)))
        finally:
            try:
                if registered:  # closes the run's resources on every worker
                    client.unregister_worker_plugin(plugin_name)
            finally:
                client.close()
                if cluster is not None:
                    cluster.close()

    def _submit(self, client, ctx, step, task, pending, futures) -> None:
        future = client.submit(task, step.key, upstream_data_versions(ctx, step), describe_step(ctx, step),
                               key=f"{step.key}-{ctx.run_id}", pure=False)
        futures[future] = step.key
        pending.add(future)

    def _result(self, ctx, state, future, step_key, result, todo) -> Iterator[Event]:
        if future.status == "error" or not isinstance(result, list):
            # The worker died or the task could not run at all; `result` is (type, exc, tb).
            exc = result[1] if isinstance(result, tuple) else result
            info = ErrorInfo.from_exception(exc)
            result = [Event(ET.STEP_FAILURE, ctx.run_id, ctx.job_name, step_key,
                            f'Execution of step "{step_key}" failed on the Dask cluster: '
                            f"{_cluster_failure_message(exc, info)}",
                            StepFailureData(info, None, "crash"), level=40)]
        for event in result:
            if event.event_type is ET.ASSET_MATERIALIZATION:
                remember_version(ctx, event)
            if event.event_type in STATE_EVENT_TYPES:
                todo.extend(state.handle(event))
            yield event


def _log_cluster(log: Any, client: Any, cluster: Any) -> None:
    """Say in the run's log which cluster runs the steps, and warn when it has no workers."""
    workers = len(client.scheduler_info().get("workers", {}))
    where = "a LocalCluster started for this run" if cluster is not None else \
        f"the Dask cluster at {client.scheduler.address}"
    # Without bokeh the scheduler serves no dashboard pages: a link would lead nowhere.
    link = client.dashboard_link if importlib.util.find_spec("bokeh") is not None else None
    log.info(f"running steps on {where}: {workers} worker(s)" + (f", dashboard {link}" if link else ""))
    if workers == 0:
        log.warning("the Dask scheduler has no workers yet: steps wait until one joins "
                    "(start some with `dask worker SCHEDULER_ADDRESS`)")


def _cluster_failure_message(exc: BaseException, info: ErrorInfo) -> str:
    """Why a task failed on the cluster, in the user's words when its worker died running it."""
    from distributed.scheduler import KilledWorker

    if not isinstance(exc, KilledWorker):
        return info.message
    retries, tries = exc.allowed_failures, exc.allowed_failures + 1
    tried = f"{tries} workers, as distributed.scheduler.allowed-failures is {retries}, and each died"
    if tries == 1:
        tried = "1 worker, as distributed.scheduler.allowed-failures is 0"
    return f"the Dask worker process running it died before the step finished (Dask ran it on {tried})"


def _create(init_context: InitExecutorContext) -> Executor:
    config = dict(init_context.executor_config or {})
    cluster = config.get("cluster") or {}
    local = cluster.get("local") or {}
    return DaskExecutor(
        address=config.get("address") or (cluster.get("existing") or {}).get("address"),
        n_workers=config.get("n_workers") or local.get("n_workers") or 2,
        threads_per_worker=config.get("threads_per_worker") or local.get("threads_per_worker") or 1,
        processes=config.get("processes", True),
        max_concurrent=max_concurrent_of(config, "no limit beyond the workers' threads"),
        retries=RetryMode.from_config(config.get("retries")),
        local=bool(local) or any(config.get(k) is not None for k in ("n_workers", "threads_per_worker")),
    )


dask_executor = ExecutorDefinition(
    "dask", _create,
    {
        "address": Field(Noneable(str), is_required=False, description="Scheduler address to connect to"),
        "n_workers": Field(Noneable(int), is_required=False, description="LocalCluster workers (default 2)"),
        "threads_per_worker": Field(Noneable(int), is_required=False, description="LocalCluster threads per worker"),
        "processes": Field(bool, default_value=True, description="LocalCluster with processes (not threads)"),
        "max_concurrent": Field(Noneable(int), is_required=False, description="Tasks in flight at once"),
        "cluster": Field(Permissive(), is_required=False, description="dagster-dask style {local: {...}} / {existing: {address}}"),
        "retries": Field(Permissive(), is_required=False, description="{enabled: {}} or {disabled: {}}"),
    },
    "Runs steps as tasks on a dask.distributed cluster.",
)
