"""The Dask executor: steps run as tasks on a `dask.distributed` cluster.

It connects to `address` when given (or to Dask's configured `scheduler-address`, as
`DASK_SCHEDULER_ADDRESS` sets it), otherwise starts a `LocalCluster`. The run's payload
reaches every worker once, as a worker plugin (`dask_worker.RunPlugin`); each worker
starts rebuilding the run's context as soon as the plugin arrives (job, config; resources
are initialised on the worker by its first step) and reuses it for every step it runs,
reporting each step's events as it ends. Steps released together go as a few batches (one
task each) and a chain of steps as one task (`dask_flight`), so short steps do not pay
Dask's cost per task, nor a chain a round trip through this process per link; the shared
`RunState` decides what runs, here and inside each batch.
Values pass through the IO manager, so it must be one every worker can read (the
filesystem IO manager on a shared path).
"""

from __future__ import annotations

import functools
import importlib.util
import multiprocessing
import queue
from typing import Any, Iterator, Optional

from ...errors import ExecutionError
from ..config import Field, Noneable, Permissive
from ..definitions.policy import RetryMode
from ..events import Event
from ..scheduler import RUNNING, Emit, RunState
from .base import Executor, ExecutorDefinition, InitExecutorContext, max_concurrent_of
from ..partition_store import snapshot_for
from .child import FORKSERVER_PRELOAD, RunPayload, refuse_memory_io


_NEEDS_DISTRIBUTED = "the dask executor needs dask.distributed: pip install 'specrun[dask]'"

# Seconds a run waits while its cluster has no worker (all died or left) before failing the
# steps it has sent: long enough for an adaptive cluster to start a worker from zero.
NO_WORKERS_TIMEOUT = 300.0


class DaskExecutor(Executor):
    """Runs steps as Dask tasks (batches, chains); `max_concurrent` caps steps running at once."""

    def __init__(self, address: Optional[str] = None, n_workers: int = 2,
                 threads_per_worker: int = 1, processes: bool = True,
                 max_concurrent: Optional[int] = None, retries: RetryMode = RetryMode.ENABLED,
                 local: bool = False, no_workers_timeout: Optional[float] = NO_WORKERS_TIMEOUT) -> None:
        self.address = address
        self.local = local  # a LocalCluster was asked for: Dask's configured address is ignored
        self.n_workers = n_workers
        self.threads_per_worker = threads_per_worker
        self.processes = processes
        self.max_concurrent = max_concurrent
        self.retries = retries
        self.no_workers_timeout = no_workers_timeout

    def _address(self) -> Optional[str]:
        import dask

        # As `distributed.Client()` does: with no address configured, the one Dask's own
        # configuration names (`DASK_SCHEDULER_ADDRESS`, or `scheduler-address` in its YAML).
        return self.address or (None if self.local else dask.config.get("scheduler-address", None))

    def _connect(self, address: str) -> Any:
        from distributed import Client

        try:
            return Client(address, set_as_default=False)
        except OSError as e:
            source = ("the executor's `address`" if self.address
                      else "Dask's scheduler-address (DASK_SCHEDULER_ADDRESS)")
            raise ExecutionError(
                f"cannot reach the Dask scheduler at {address}, {source}: {e}. Start the cluster "
                "(`dask scheduler` and `dask worker ADDRESS`), or leave the address unset to "
                "run on a LocalCluster") from e

    def _connected(self) -> tuple[Any, Any, Optional[dict]]:
        """`_client()`, and a running cluster's workers asked now (None: asked once its
        LocalCluster's client is in the run's hands, which closes them if that fails)."""
        client, cluster = self._client()
        if cluster is not None:
            return client, cluster, None
        _have_bokeh()  # looked up while waiting, once per process
        return client, cluster, client.nthreads()

    def _client(self) -> tuple[Any, Any]:
        """(client, the LocalCluster started for the run or None): a running cluster's
        client is kept between runs (`dask_client`)."""
        from distributed import Client

        address = self._address()
        if address:
            from .dask_client import kept_client

            return kept_client(address, self._connect), None
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
            job=None, origin=None,  # the job goes apart: `pickled_job`
            resource_overrides={k: v for k, v in ctx.resource_defs.items() if k not in ctx.job.resource_defs},
            retries=self.retries, dynamic_partitions=snapshot_for(ctx.job))

    def execute(self, plan_context: Any, execution_plan: Any) -> Iterator[Event]:
        refuse_memory_io(plan_context, "dask")
        try:
            import distributed  # noqa: F401

            from .dask_client import Connecting
        except ImportError as e:
            raise ExecutionError(_NEEDS_DISTRIBUTED) from e
        # A running cluster's client connects (on this process's first run; later runs reuse
        # it) while the rest is imported and the run's payload pickled. A LocalCluster is
        # started after that, as before.
        connecting = Connecting(self._connected, threaded=self._address() is not None)
        try:
            import cloudpickle

            from . import dask_client, dask_flight, dask_reports  # noqa: F401 (for _ClusterRun.start)
            from .dask_worker import RunPlugin, UserCode
            from .pickled_job import pickled_job
        except ImportError as e:
            raise ExecutionError(_NEEDS_DISTRIBUTED) from e

        ctx = plan_context
        plugin = RunPlugin(ctx.run_id, cloudpickle.dumps(self._payload(ctx, execution_plan)),
                           UserCode.of_this_process(), job=pickled_job(ctx.job))
        client, cluster, threads = connecting.result()
        state = RunState(execution_plan, ctx.run_id, ctx.job_name, max_concurrent=self.max_concurrent)
        run = _ClusterRun(client, cluster, f"specrun-run-{ctx.run_id}")
        try:
            flight = run.start(self, ctx, execution_plan, state, plugin, threads)
            yield from _carry_out(state, flight)
        finally:
            run.close()


class _ClusterRun:
    """What one run sets up on its cluster: made in turn by `start`, closed by `close` (in
    reverse order, whatever happened in between)."""

    def __init__(self, client: Any, cluster: Any, plugin_name: str) -> None:
        self.client, self.cluster, self.plugin_name = client, cluster, plugin_name
        self.registered = False
        self.flight: Any = None
        self.reports: Any = None
        self.subscription: Any = None

    def start(self, executor: DaskExecutor, ctx: Any, execution_plan: Any, state: RunState, plugin: Any,
              threads: Optional[dict]) -> Any:
        """Give every worker the run's plugin; the `Flight` that sends the run's steps."""
        from .dask_client import Subscription
        from .dask_flight import ClusterWatch, Flight
        from .dask_reports import ReportServer

        client = self.client
        where = "the LocalCluster started for this run" if self.cluster is not None else \
            f"the Dask cluster at {client.scheduler.address}"
        workers = _log_cluster(ctx.log, client, where, executor.no_workers_timeout, threads)
        # The payload reaches every worker in one broadcast; tasks carry only step keys.
        client.register_plugin(plugin, name=self.plugin_name)
        self.registered = True
        # Chains run in one task only where that cannot run more steps at once than
        # allowed, nor run a step the plan could still make wait on steps it adds.
        chains = executor.max_concurrent is None and getattr(execution_plan, "expand_dynamic", None) is None
        watch = ClusterWatch(where, client.scheduler.address, executor.no_workers_timeout)
        inbox: queue.SimpleQueue = queue.SimpleQueue()
        self.reports = ReportServer.beside(client.scheduler_comm, inbox, workers)
        topic = f"{client.id}-{ctx.run_id}"  # the run's own: its client may serve other runs
        self.flight = Flight(ctx, state, client, topic=topic, threads=sum(workers.values()), chains=chains,
                             downstream=execution_plan.downstream, cluster=watch,
                             reports=self.reports, inbox=inbox)
        self.subscription = Subscription(client, topic, self.flight.on_topic)
        return self.flight

    def close(self) -> None:
        try:
            if self.reports is not None:
                self.reports.close()
            if self.flight is not None:
                self.flight.cleanup()
            if self.registered:  # closes the run's resources on every worker
                self.client.unregister_worker_plugin(self.plugin_name)
        finally:
            if self.subscription is not None:
                self.subscription.end()
            if self.cluster is not None:  # a running cluster's client stays for the next run
                self.client.close()
                self.cluster.close()


def _carry_out(state: RunState, flight: Any) -> Iterator[Event]:
    """The run's events: the scheduler's own, and those of the steps `flight` sends to the
    cluster as the scheduler starts them, until no batch is out."""
    todo = list(state.start())
    while True:
        fresh = []
        while todo:
            now, todo = todo, []
            for instruction in now:
                if instruction.__class__ is Emit:
                    yield instruction.event
                elif flight.is_running(instruction.step.key):
                    yield from flight.handed_out(instruction.step.key, todo)
                elif state.status[instruction.step.key] == RUNNING:
                    fresh.append(instruction.step)
                # else: a chain's step its batch reported before this Run was read
        if fresh:
            flight.submit(fresh)
        if not flight.batches:
            break
        yield from flight.wait(todo)


@functools.lru_cache(maxsize=None)
def _have_bokeh() -> bool:
    """Whether bokeh is installed: looked up once (a search of sys.path each run)."""
    return importlib.util.find_spec("bokeh") is not None


def _log_cluster(log: Any, client: Any, where: str, no_workers_timeout: Optional[float],
                 threads: Optional[dict] = None) -> dict:
    """Say in the run's log which cluster runs the steps, and warn when it has no workers.
    Returns its workers' addresses and how many threads each has (`threads` if asked already)."""
    if threads is None:
        threads = client.nthreads()  # asked now, not the client's cached view
    # Without bokeh the scheduler serves no dashboard pages: a link would lead nowhere.
    link = client.dashboard_link if _have_bokeh() else None
    log.info(f"running steps on {where}: {len(threads)} worker(s)" + (f", dashboard {link}" if link else ""))
    if not threads:
        wait = "" if no_workers_timeout is None else f" (for at most no_workers_timeout, {no_workers_timeout:g} s)"
        log.warning(f"the Dask scheduler has no workers yet: steps wait until one joins{wait}; "
                    f"start some with `dask worker {client.scheduler.address}`")
    return threads


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
        no_workers_timeout=config.get("no_workers_timeout", NO_WORKERS_TIMEOUT),
    )


dask_executor = ExecutorDefinition(
    "dask", _create,
    {
        "address": Field(Noneable(str), is_required=False, description="Scheduler address to connect to"),
        "n_workers": Field(Noneable(int), is_required=False, description="LocalCluster workers (default 2)"),
        "threads_per_worker": Field(Noneable(int), is_required=False, description="LocalCluster threads per worker"),
        "processes": Field(bool, default_value=True, description="LocalCluster with processes (not threads)"),
        "max_concurrent": Field(Noneable(int), is_required=False, description="Steps running at once (set: no chains in one task)"),
        "cluster": Field(Permissive(), is_required=False, description="dagster-dask style {local: {...}} / {existing: {address}}"),
        "retries": Field(Permissive(), is_required=False, description="{enabled: {}} or {disabled: {}}"),
        "no_workers_timeout": Field(Noneable(float), default_value=NO_WORKERS_TIMEOUT,
                                    description="Seconds the cluster may have no worker before the "
                                                "steps waiting for one fail (null: wait forever)"),
    },
    "Runs steps as tasks on a dask.distributed cluster.",
    lambda config: False,  # workers unpickle their own copy of the job (`pickled_job`)
)
