"""The multiprocess executor: steps run in a pool of worker processes.

Workers are started once per run and kept warm: each rebuilds the run's context (job,
config, resources) once, then runs the steps it is sent, streaming their events back over
a pipe. A worker that dies fails only the step it was running; the run goes on with the
rest. Ctrl-C / SIGTERM in the parent stops the workers and the run ends canceled.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from multiprocessing.connection import Connection, wait
from typing import Any, Iterator, Mapping, Optional

from ...errors import ConfigError, ConfigErrorEntry, DefinitionError, ExecutionError
from ..config import Any as AnyConfig
from ..config import Field, Noneable, Permissive
from ..definitions.policy import RetryMode
from ..events import DagsterEventType as ET
from ..events import ErrorInfo, Event, StepFailureData
from ..scheduler import STATE_EVENT_TYPES, Emit, RunState, StepDone
from .base import Executor, ExecutorDefinition, InitExecutorContext, max_concurrent_of
from ..dynamic_partitions import snapshot_for
from .child import (
    RunPayload, describe_step, refuse_memory_io, remember_version, safe_event, setup_failure,
    upstream_data_versions,
)

START_METHODS = ("spawn", "forkserver", "fork")


def _worker_main(payload: RunPayload, conn: Connection) -> None:
    """Worker loop: build the context once, then run each step key received."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when workers stop
    ctx = None
    try:
        while True:
            task = conn.recv()
            if task is None:
                break
            step_key, versions, description = task
            if ctx is None:
                try:
                    ctx = payload.build_context()
                except Exception as exc:  # report it as the step's failure, then stop
                    conn.send(("event", setup_failure(payload.run, step_key, exc)))
                    conn.send(("done", step_key))
                    break
            ctx.data_versions.update(versions)
            for event in ctx.execute_step(ctx.plan.step_from(step_key, description)):
                conn.send(("event", safe_event(event)))
            conn.send(("done", step_key))
    except (EOFError, BrokenPipeError):
        pass
    finally:
        if ctx is not None:
            ctx.close()


class _Worker:
    def __init__(self, mp: Any, payload: RunPayload) -> None:
        self.conn, child = mp.Pipe()
        self.process = mp.Process(target=_worker_main, args=(payload, child), daemon=True)
        self.process.start()
        child.close()
        self.step_key: Optional[str] = None

    def stop(self, kill: bool = False) -> None:
        if kill and self.process.is_alive():
            self.process.terminate()
        else:
            try:
                self.conn.send(None)
            except (BrokenPipeError, OSError):
                pass
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=5)


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
                 preload_modules: tuple[str, ...] = ()) -> None:
        self.max_concurrent = max(1, max_concurrent or os.cpu_count() or 1)
        self.start_method = start_method or ("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
        if self.start_method not in START_METHODS:
            raise DefinitionError(f"start_method must be one of {START_METHODS}, got {self.start_method!r}")
        self.retries = retries
        self.reuse_workers = reuse_workers
        self.preload_modules = tuple(preload_modules)

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
        idle: list[_Worker] = []
        busy: dict[Connection, _Worker] = {}
        todo = list(state.start())
        try:
            while True:
                for instruction in todo:
                    if instruction.__class__ is Emit:
                        yield instruction.event
                    else:
                        self._dispatch(plan_context, instruction.step, mp, payload, idle, busy)
                todo = []
                if not busy:
                    break
                yield from self._collect(plan_context, state, busy, idle, todo)
        except BaseException:
            for worker in list(busy.values()) + idle:
                worker.stop(kill=True)
            raise
        for worker in list(busy.values()) + idle:
            worker.stop()

    def _dispatch(self, ctx, step, mp, payload, idle, busy) -> None:
        worker = idle.pop() if idle else _Worker(mp, payload)
        if not worker.process.is_alive():  # it stopped after failing to set up
            worker = _Worker(mp, payload)
        worker.step_key = step.key
        worker.conn.send((step.key, upstream_data_versions(ctx, step), describe_step(ctx, step)))
        busy[worker.conn] = worker

    def _collect(self, ctx, state, busy, idle, todo) -> Iterator[Event]:
        sentinels = {w.process.sentinel: w for w in busy.values()}
        ready = wait(list(busy) + list(sentinels))
        for item in ready:
            worker = busy.get(item) if isinstance(item, Connection) else sentinels.get(item)
            if worker is None or worker.conn not in busy:
                continue
            yield from self._drain(ctx, state, worker, busy, idle, todo)

    def _drain(self, ctx, state, worker, busy, idle, todo) -> Iterator[Event]:
        while True:
            try:
                if not worker.conn.poll():
                    if worker.process.is_alive():
                        return
                    raise EOFError
                kind, value = worker.conn.recv()
            except (EOFError, OSError):
                yield from self._on_death(ctx, state, worker, busy, todo)
                return
            if kind == "event":
                if value.event_type is ET.ASSET_MATERIALIZATION:
                    remember_version(ctx, value)
                if value.event_type in STATE_EVENT_TYPES:
                    todo.extend(state.handle(value))
                yield value
            elif kind == "done":
                del busy[worker.conn]
                todo.extend(state.handle(StepDone(worker.step_key)))
                worker.step_key = None
                if self.reuse_workers:
                    idle.append(worker)
                else:
                    worker.stop()
                return

    def _on_death(self, ctx, state, worker, busy, todo) -> Iterator[Event]:
        worker.process.join(timeout=5)
        del busy[worker.conn]
        step_key = worker.step_key or "?"
        message = _death_message(step_key, worker.process.exitcode)
        info = ErrorInfo(message, "WorkerProcessDied")
        event = Event(ET.STEP_FAILURE, ctx.run_id, ctx.job_name, step_key,
                      f'Execution of step "{step_key}" failed: {message}.',
                      StepFailureData(info, None, "crash"), level=40)
        todo.extend(state.handle(event))
        if worker.step_key is not None:
            todo.extend(state.handle(StepDone(worker.step_key)))
        yield event


def _start_method(value: Any) -> tuple[Optional[str], tuple[str, ...]]:
    """The start method and forkserver preload modules, from Dagster's selector form
    (``{spawn: {}}``, ``{forkserver: {preload_modules: [...]}}``) or a plain name."""
    if value is None or isinstance(value, str):
        return value, ()
    if isinstance(value, Mapping) and len(value) == 1:
        (name, options), = value.items()
        options = options or {}
        if isinstance(options, Mapping) and set(options) <= {"preload_modules"}:
            return name, tuple(options.get("preload_modules") or ())
    raise ConfigError([ConfigErrorEntry(
        f"Value {value!r} is not valid: expected a start method name or one of "
        f"{{spawn: {{}}}}, {{forkserver: {{preload_modules: [...]}}}}, {{fork: {{}}}}",
        ("execution", "config", "start_method"))], subject="multiprocess executor config")


def _create(init_context: InitExecutorContext) -> Executor:
    config = dict(init_context.executor_config or {})
    start_method, preload = _start_method(config.get("start_method"))
    return MultiprocessExecutor(
        max_concurrent=max_concurrent_of(config, "the CPU count"), start_method=start_method,
        retries=RetryMode.from_config(config.get("retries")),
        reuse_workers=config.get("reuse_workers", True), preload_modules=preload,
    )


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
    },
    "Runs steps in parallel worker processes.",
)
