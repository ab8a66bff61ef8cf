"""The Dask executor: steps run as tasks on a `dask.distributed` cluster.

It connects to `address` when given, otherwise starts a `LocalCluster`. Ready steps are
submitted as tasks as the DAG allows; each worker rebuilds the run's context once (job,
config, resources are initialised on the worker) and returns the step's events, which
the parent records in order. Values pass through the IO manager, so it must be one every
worker can read (the filesystem IO manager on a shared path).
"""

from __future__ import annotations

from typing import Any, Iterator, Optional

from ..config import Field, Noneable, Permissive
from ..definitions.policy import RetryMode
from ..events import DagsterEventType as ET
from ..events import ErrorInfo, Event, StepFailureData
from .base import Executor, ExecutorDefinition, InitExecutorContext
from .child import RunPayload, safe_event, upstream_data_versions
from .multiprocess import _remember_version, refuse_memory_io

_CONTEXTS: dict[str, Any] = {}


def run_step_on_worker(payload: RunPayload, step_key: str, versions: dict) -> list[Event]:
    """Task body: run one step in this worker, reusing the run's context across tasks."""
    ctx = _CONTEXTS.get(payload.run.run_id)
    if ctx is None:
        ctx = _CONTEXTS[payload.run.run_id] = payload.build_context()
    ctx.data_versions.update(versions)
    return [safe_event(e) for e in ctx.execute_step(ctx.plan.steps[step_key])]


def close_run_on_worker(run_id: str) -> bool:
    """Clean up the run's resources on this worker."""
    ctx = _CONTEXTS.pop(run_id, None)
    if ctx is not None:
        ctx.close()
    return True


class DaskExecutor(Executor):
    """Submits each ready step as a Dask task; `max_concurrent` caps tasks in flight."""

    def __init__(self, address: Optional[str] = None, n_workers: int = 2,
                 threads_per_worker: int = 1, processes: bool = True,
                 max_concurrent: Optional[int] = None, retries: RetryMode = RetryMode.ENABLED) -> None:
        self.address = address
        self.n_workers = n_workers
        self.threads_per_worker = threads_per_worker
        self.processes = processes
        self.max_concurrent = max_concurrent
        self.retries = retries

    def _client(self) -> tuple[Any, Any]:
        try:
            from distributed import Client, LocalCluster
        except ImportError as e:
            from ...errors import ExecutionError

            raise ExecutionError("the dask executor needs dask.distributed: "
                                 "pip install 'specrun[dask]'") from e
        if self.address:
            return Client(self.address), None
        cluster = LocalCluster(n_workers=self.n_workers, threads_per_worker=self.threads_per_worker,
                               processes=self.processes, dashboard_address=None)
        return Client(cluster), cluster

    def execute(self, plan_context: Any, execution_plan: Any) -> Iterator[Event]:
        refuse_memory_io(plan_context, "dask")
        from distributed import as_completed

        ctx = plan_context
        payload = RunPayload(
            run=ctx.run, raw_run_config=ctx.resolved.raw, partition_keys=list(execution_plan.partition_keys),
            step_keys=list(execution_plan.steps), root_directory=ctx.instance.root_directory,
            job=ctx.job, origin=None,
            resource_overrides={k: v for k, v in ctx.resource_defs.items() if k not in ctx.job.resource_defs},
            retries=self.retries)
        client, cluster = self._client()
        active = execution_plan.start(ctx.run_id, ctx.job_name)
        try:
            scattered = client.scatter(payload, broadcast=True)
            pending = as_completed()
            futures: dict[Any, str] = {}
            yield from self._submit(client, ctx, active, scattered, pending, futures)
            yield from active.pop_skip_events()
            for future in pending:
                step_key = futures.pop(future)
                yield from self._result(ctx, active, future, step_key)
                yield from active.pop_skip_events()
                yield from self._submit(client, ctx, active, scattered, pending, futures)
                yield from active.pop_skip_events()
            client.run(close_run_on_worker, ctx.run_id)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

    def _submit(self, client, ctx, active, payload, pending, futures) -> Iterator[Event]:
        limit = None if self.max_concurrent is None else max(0, self.max_concurrent - len(futures))
        for step in active.get_steps_to_execute(limit=limit):
            future = client.submit(run_step_on_worker, payload, step.key,
                                   upstream_data_versions(ctx, step), key=f"{step.key}-{ctx.run_id}",
                                   pure=False)
            futures[future] = step.key
            pending.add(future)
        return iter(())

    def _result(self, ctx, active, future, step_key) -> Iterator[Event]:
        try:
            events = future.result()
        except Exception as exc:  # the worker died or the task could not run at all
            info = ErrorInfo.from_exception(exc)
            events = [Event(ET.STEP_FAILURE, ctx.run_id, ctx.job_name, step_key,
                            f'Execution of step "{step_key}" failed on the Dask cluster: {info.message}',
                            StepFailureData(info, None, "crash"), level=40)]
        for event in events:
            if event.event_type is ET.ASSET_MATERIALIZATION:
                _remember_version(ctx, event)
            active.handle_event(event)
            yield event


def _create(init_context: InitExecutorContext) -> Executor:
    config = dict(init_context.executor_config or {})
    cluster = config.get("cluster") or {}
    local = cluster.get("local") or {}
    return DaskExecutor(
        address=config.get("address") or (cluster.get("existing") or {}).get("address"),
        n_workers=config.get("n_workers") or local.get("n_workers") or 2,
        threads_per_worker=config.get("threads_per_worker") or local.get("threads_per_worker") or 1,
        processes=config.get("processes", True),
        max_concurrent=config.get("max_concurrent"),
        retries=RetryMode.from_config(config.get("retries")),
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
