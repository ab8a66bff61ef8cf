"""The multiprocess executor: steps run in a pool of worker processes.

Workers are started once per run and kept warm: each rebuilds the run's context (job,
config, resources) once, then runs the steps it is sent, streaming their events back over
a pipe. A worker that dies fails only the step it was running; the run goes on with the
rest. A step that runs past its time limit (`specrun/timeout`) fails and its worker is
replaced. Ctrl-C / SIGTERM in the parent stops the workers (each runs its resources'
teardown within `teardown_grace_seconds`, then is killed) and the run ends canceled.
Workers never outlive the parent: see `worker_process`.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from multiprocessing.connection import Connection, wait
from typing import Any, Iterator, Optional

from ...errors import ConfigError, ConfigErrorEntry, DefinitionError, ExecutionError
from ..config import Any as AnyConfig
from ..config import Field, Noneable, Permissive
from ..definitions.policy import RetryMode
from ..events import DagsterEventType as ET
from ..events import ErrorInfo, Event, StepFailureData
from ..scheduler import STATE_EVENT_TYPES, Emit, RunState, StepDone
from .base import Executor, ExecutorDefinition, InitExecutorContext, max_concurrent_of
from ..cancel import interrupts
from ..partition_store import snapshot_for
from ..faults import pause_point
from ..timeouts import RunTimeout, format_seconds, step_timeout, step_timeout_message
from .child import RunPayload, describe_step, refuse_memory_io, remember_version, upstream_data_versions
from .start_methods import START_METHODS, forks_workers, parse_start_method
from .worker_process import PARENT_ENDS, worker_main


class _Worker:
    """The parent's handle on one worker process."""

    def __init__(self, mp: Any, payload: RunPayload, grace: float, started: list["_Worker"]) -> None:
        self.conn, child = mp.Pipe()
        PARENT_ENDS.add(self.conn)  # before the fork, so that a forked worker closes it too
        parent_pid = None if mp.get_start_method() == "forkserver" else os.getpid()
        self.process = mp.Process(target=worker_main, args=(payload, child, parent_pid, grace),
                                  daemon=True)
        # In the pool's list before it exists, so that an interrupt anywhere from here on
        # (even before the caller holds this object) still finds it to stop.
        self.started = started
        started.append(self)
        self.process.start()
        child.close()
        self.step_key: Optional[str] = None
        self.limit: Optional[float] = None  # seconds each attempt of the running step may take
        self.deadline: Optional[float] = None  # monotonic time the running attempt must end by
        self.kill_at: Optional[float] = None  # once told to stop: when SIGKILL follows

    def start_clock(self, limit: Optional[float] = None, restart: bool = False) -> None:
        if not restart:
            self.limit = limit
        self.deadline = None if self.limit is None else time.monotonic() + self.limit

    def stop(self, grace: float) -> None:
        """End a worker at the end of the run: it runs its teardown and exits (or is killed
        after `grace` seconds)."""
        try:
            self.conn.send(None)
        except (BrokenPipeError, OSError):
            pass
        self.process.join(timeout=grace)
        self.kill()

    def terminate(self, grace: float) -> None:
        """SIGTERM now (the worker runs its teardown), SIGKILL once `grace` has passed."""
        if self.kill_at is None:
            self.kill_at = time.monotonic() + grace
            if self.process.is_alive():
                self.process.terminate()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=5)
        if self in self.started:
            self.started.remove(self)
        PARENT_ENDS.discard(self.conn)
        self.conn.close()


class _Pool:
    """A run's workers: idle, busy (by their pipe) and stopping (told to stop, not yet gone);
    `started` holds every one not yet killed, including one on its way between those (an
    interrupt between taking an idle worker and marking it busy once lost it: the process
    then ran its teardown at exit, and exit waited for it)."""

    def __init__(self, mp: Any, payload: RunPayload, grace: float) -> None:
        self.mp, self.payload, self.grace = mp, payload, grace
        self.idle: list[_Worker] = []
        self.busy: dict[Connection, _Worker] = {}
        self.stopping: list[_Worker] = []
        self.started: list[_Worker] = []
        self.stop_started: Optional[float] = None  # monotonic time `shut_down` began
        self.interrupts_before = interrupts()  # (signals counted by runtime.cancel)

    def new(self) -> _Worker:
        return _Worker(self.mp, self.payload, self.grace, self.started)

    def stopping_sentinels(self) -> list[int]:
        return [w.process.sentinel for w in self.stopping]

    def wait_time(self, run_deadline: Optional[float]) -> Optional[float]:
        """Seconds until the next clock runs out: a step's, a stopping worker's or the run's."""
        times = [w.deadline for w in self.busy.values() if w.deadline is not None]
        times += [w.kill_at for w in self.stopping if w.kill_at is not None]
        if run_deadline is not None:
            times.append(run_deadline)
        return max(0.0, min(times) - time.monotonic()) if times else None

    def reap(self, now: float) -> None:
        """Forget stopping workers that exited; kill those past their grace period."""
        for worker in list(self.stopping):
            if not worker.process.is_alive() or (worker.kill_at or 0) <= now:
                worker.kill()
                self.stopping.remove(worker)

    def finish(self) -> None:
        """The run ended: idle workers run their teardown and exit; stopping ones get the
        rest of their grace period."""
        for worker in self.idle:
            worker.stop(self.grace)
        for worker in self.stopping:
            worker.process.join(timeout=max(0.0, (worker.kill_at or 0) - time.monotonic()))
            worker.kill()
        self.idle, self.stopping = [], []

    def shut_down(self, log: Any) -> None:
        """The run was canceled (or ran out of time): every worker gets SIGTERM, stops its step
        and runs its resources' teardown; whoever is still alive after the grace period, or
        when a second interrupt comes, is killed. What happened is logged on the run.

        All of it is inside the ``try``: a second signal arriving right after the first (both
        pending at once) is raised at the first call made here, and once left every worker
        alive; the process then hung at exit, where multiprocessing joins them."""
        how = "within the grace period"
        try:
            self.stop_started = time.monotonic()
            pause_point("shut down")  # a test's moment: a second signal before any worker is told
            if interrupts() - self.interrupts_before > 1:  # two signals came at once: as a second
                raise KeyboardInterrupt
            self.busy, self.idle, self.stopping = {}, [], []
            for worker in list(self.started):
                worker.terminate(self.grace)
            while True:
                alive = [w for w in self.started if w.process.is_alive()]
                remaining = min((w.kill_at or 0) for w in alive) - time.monotonic() if alive else 0
                if remaining <= 0:
                    break
                wait([w.process.sentinel for w in alive], remaining)
        except KeyboardInterrupt:
            how = "before a second interrupt"
            raise
        finally:
            self.kill_all(log, how)

    def kill_all(self, log: Any, how: str = "before a second interrupt") -> None:
        """Kill every worker not yet killed and log how many had ended by themselves; nothing
        when none is left (`shut_down` ended: then this is the caller's second line, for a
        signal that cut `shut_down` short before its ``try``)."""
        workers = list(self.started)
        if not workers:
            return
        late = [w for w in workers if w.process.is_alive()]
        for worker in workers:
            worker.kill()
        done = len(workers) - len(late)
        killed = (f"; {len(late)} did not finish {how} ({format_seconds(self.grace)}) "
                  "and were killed" if late else "")
        # A warning (shown by default) only when a worker had to be killed.
        (log.warning if late else log.info)(
            f"Stopped {len(workers)} worker process(es) in "
            f"{time.monotonic() - (self.stop_started or time.monotonic()):.2f} s: "
            f"{done} ran their resources' teardown and exited{killed}.")


def _death_message(step_key: str, exitcode: Optional[int]) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            how = f"was killed by signal {signal.Signals(-exitcode).name}"
        except ValueError:
            how = f"was killed by signal {-exitcode}"
    else:
        how = f"exited with code {exitcode}"
    return f'the worker process running step "{step_key}" {how} before the step finished'


class MultiprocessExecutor(Executor):
    """Runs up to `max_concurrent` steps at once, each in a worker process."""

    def __init__(self, max_concurrent: Optional[int] = None, start_method: Optional[str] = None,
                 retries: RetryMode = RetryMode.ENABLED, reuse_workers: bool = True,
                 preload_modules: tuple[str, ...] = (), teardown_grace: float = 5.0) -> None:
        self.max_concurrent = max(1, max_concurrent or os.cpu_count() or 1)
        self.start_method = start_method or ("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
        if self.start_method not in START_METHODS:
            raise DefinitionError(f"start_method must be one of {START_METHODS}, got {self.start_method!r}")
        self.retries = retries
        self.reuse_workers = reuse_workers
        self.preload_modules = tuple(preload_modules)
        self.teardown_grace = teardown_grace
        self._limits: dict[str, Optional[float]] = {}

    enforces_step_timeouts = True

    def _payload(self, ctx: Any) -> RunPayload:
        job = ctx.job
        needs_origin = self.start_method != "fork"
        if needs_origin and job.origin is None:
            raise ExecutionError(
                f"job {job.name!r} must be reconstructable to run with start_method "
                f"{self.start_method!r}: wrap it with specrun.reconstructable(...) or run a spec "
                "file; start_method 'fork' works for any job")
        overrides = {k: v for k, v in ctx.resource_defs.items() if k not in job.resource_defs}
        return RunPayload(run=ctx.run, raw_run_config=ctx.resolved.raw,
                          partition_keys=list(ctx.plan.partition_keys),
                          step_keys=list(ctx.plan.steps), root_directory=ctx.instance.root_directory,
                          job=job, origin=job.origin if needs_origin else None,
                          resource_overrides=overrides, retries=self.retries,
                          dynamic_partitions=snapshot_for(job))

    def execute(self, plan_context: Any, execution_plan: Any) -> Iterator[Event]:
        refuse_memory_io(plan_context, "multiprocess")
        mp = multiprocessing.get_context(self.start_method)
        if self.start_method == "forkserver":
            mp.set_forkserver_preload(["specrun.runtime.execute", *self.preload_modules])
        payload = self._payload(plan_context)
        # A worker holds its slot until it says "done": a step's hooks report after its end.
        state = RunState(execution_plan, plan_context.run_id, plan_context.job_name,
                         max_concurrent=self.max_concurrent)
        pool = _Pool(mp, payload, self.teardown_grace)
        todo = list(state.start())
        try:
            while True:
                for instruction in todo:
                    if instruction.__class__ is Emit:
                        yield instruction.event
                    else:
                        self._dispatch(plan_context, instruction.step, pool)
                todo = []
                if not pool.busy:
                    break
                yield from self._collect(plan_context, state, pool, todo)
        except BaseException:  # canceled, timed out, or the run's consumer went away
            try:
                pool.shut_down(plan_context.log)
            finally:  # (a second signal can cut shut_down short before it starts)
                pool.kill_all(plan_context.log)
            raise
        pool.finish()

    def _dispatch(self, ctx: Any, step: Any, pool: "_Pool") -> None:
        worker = pool.idle.pop() if pool.idle else pool.new()
        if not worker.process.is_alive():  # it stopped after failing to set up
            worker.kill()
            worker = pool.new()
        pause_point(f"dispatch {step.key}")  # a test's moment: between "taken" and "busy"
        worker.step_key = step.key
        worker.start_clock(self._limit(step.node))
        worker.conn.send((step.key, upstream_data_versions(ctx, step), describe_step(ctx, step)))
        pool.busy[worker.conn] = worker

    def _limit(self, node: Any) -> Optional[float]:
        if node.name not in self._limits:
            self._limits[node.name] = step_timeout(node)
        return self._limits[node.name]

    def _collect(self, ctx: Any, state: RunState, pool: "_Pool", todo: list) -> Iterator[Event]:
        sentinels = {w.process.sentinel: w for w in pool.busy.values()}
        ready = wait(list(pool.busy) + list(sentinels) + pool.stopping_sentinels(),
                     pool.wait_time(ctx.deadline))
        for item in ready:
            worker = pool.busy.get(item) if isinstance(item, Connection) else sentinels.get(item)
            if worker is None or worker.conn not in pool.busy:
                continue
            yield from self._drain(ctx, state, worker, pool, todo)
        now = time.monotonic()
        pool.reap(now)
        for worker in [w for w in pool.busy.values() if w.deadline is not None and w.deadline <= now]:
            yield self._time_out(ctx, state, worker, pool, todo)
        if ctx.deadline is not None and now >= ctx.deadline:
            raise RunTimeout(ctx.time_limit)

    def _drain(self, ctx: Any, state: RunState, worker: _Worker, pool: "_Pool",
               todo: list) -> Iterator[Event]:
        while True:
            try:
                if not worker.conn.poll():
                    if worker.process.is_alive():
                        return
                    raise EOFError
                kind, value = worker.conn.recv()
            except (EOFError, OSError):
                yield self._on_death(ctx, state, worker, pool, todo)
                return
            if kind == "event":
                if value.event_type is ET.ASSET_MATERIALIZATION:
                    remember_version(ctx, value)
                elif value.event_type is ET.STEP_UP_FOR_RETRY:
                    worker.deadline = None  # the wait before a retry is not the step's time
                elif value.event_type is ET.STEP_RESTARTED:
                    worker.start_clock(restart=True)
                if value.event_type in STATE_EVENT_TYPES:
                    todo.extend(state.handle(value))
                yield value
            elif kind == "done":
                del pool.busy[worker.conn]
                todo.extend(state.handle(StepDone(worker.step_key)))
                worker.step_key = None
                worker.deadline = None
                if self.reuse_workers:
                    pool.idle.append(worker)
                else:
                    worker.stop(self.teardown_grace)
                return

    def _time_out(self, ctx: Any, state: RunState, worker: _Worker, pool: "_Pool",
                  todo: list) -> Event:
        """The step ran past its limit: it fails, its worker is stopped (teardown, then a
        kill after the grace period) and a new worker takes the next step."""
        step_key = worker.step_key or "?"
        message = step_timeout_message(step_key, worker.limit or 0)
        event = _step_failure(ctx, step_key, ErrorInfo(message, "StepTimeout"), "timeout")
        del pool.busy[worker.conn]
        worker.terminate(self.teardown_grace)
        pool.stopping.append(worker)
        todo.extend(state.handle(event))
        todo.extend(state.handle(StepDone(step_key)))
        return event

    def _on_death(self, ctx: Any, state: RunState, worker: _Worker, pool: "_Pool",
                  todo: list) -> Event:
        worker.process.join(timeout=5)
        del pool.busy[worker.conn]
        worker.kill()
        step_key = worker.step_key or "?"
        message = _death_message(step_key, worker.process.exitcode)
        event = _step_failure(ctx, step_key, ErrorInfo(message, "WorkerProcessDied"), "crash")
        todo.extend(state.handle(event))
        if worker.step_key is not None:
            todo.extend(state.handle(StepDone(worker.step_key)))
        return event


def _step_failure(ctx: Any, step_key: str, info: ErrorInfo, kind: str) -> Event:
    return Event(ET.STEP_FAILURE, ctx.run_id, ctx.job_name, step_key,
                 f'Execution of step "{step_key}" failed: {info.message}.',
                 StepFailureData(info, None, kind), level=40)


def _create(init_context: InitExecutorContext) -> Executor:
    config = dict(init_context.executor_config or {})
    start_method, preload = parse_start_method(config.get("start_method"))
    return MultiprocessExecutor(
        max_concurrent=max_concurrent_of(config, "the CPU count"), start_method=start_method,
        retries=RetryMode.from_config(config.get("retries")),
        reuse_workers=config.get("reuse_workers", True), preload_modules=preload,
        teardown_grace=_grace(config.get("teardown_grace_seconds", 5.0)),
    )


def _grace(value: Any) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value < 1e6:
        raise ConfigError([ConfigErrorEntry(
            f"teardown_grace_seconds must be a number of seconds from 0 to 1e6, got {value!r}",
            ("execution", "config", "teardown_grace_seconds"))], "multiprocess executor config")
    return float(value)


multiprocess_executor = ExecutorDefinition(
    "multiprocess", _create,
    {
        "max_concurrent": Field(Noneable(int), is_required=False,
                                description="Steps running at once (default: CPU count)"),
        "start_method": Field(AnyConfig, is_required=False,
                              description="spawn, forkserver or fork (default: fork where "
                                          "available), by name or as Dagster's {spawn: {}} / "
                                          "{forkserver: {preload_modules: [...]}}"),
        "retries": Field(Permissive(), is_required=False,
                         description="{enabled: {}} (default) or {disabled: {}}"),
        "reuse_workers": Field(bool, default_value=True,
                               description="Keep workers warm between steps (false: a process per step)"),
        "teardown_grace_seconds": Field(float, default_value=5.0,
                                        description="When a run is canceled or a step times out: "
                                                    "how long a worker may take to stop its step and "
                                                    "run its resources' teardown before it is killed"),
    },
    "Runs steps in parallel worker processes.",
    forks_workers,
)
