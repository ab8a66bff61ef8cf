"""The execution API: `execute_job`, `execute_in_process` (behind `job.execute_in_process`)
and `validate_run_config`; `execute_run`, the one path every run goes through (`materialize`
and `materialize_to_memory` too: see `materialize.py`)."""

from __future__ import annotations

import time
import uuid
from typing import Any, Callable, Mapping, Optional, Sequence

from ..errors import ExecutionError, InvariantViolationError, StepFailure
from .definitions.jobs import JobDefinition
from .definitions.policy import RetryMode
from .events import ET, ErrorInfo, Event, RunFailureData
from .executors.base import InitExecutorContext, event_stream
from .execute import RunContext
from .step_ends import StepEnds
from .step_events import summarize
from .instance import Instance
from .io_managers import fs_io_manager, mem_io_manager
from .job_cache import PARTITIONED_ASSETS, RESOURCES_NEEDED, per_job
from .leases import RunLease, describe_holders, step_lease_keys
from .log import build_loggers, current_step_log
from .node_facts import node_fact
from .partition_store import partition_loading_context
from .gc_pause import frozen_while_running, young_objects_collected_less
from .plan import build_plan
from .result import ExecutionResult
from .run_config import resolve_run_config
from .job_plan import job_program, planned_with_programs
from .storage.base import DagsterRunStatus
from .cancel import close_resources, signals_held, stop_run
from .timeouts import RunTimeout, alarm, refuse_unenforced_step_timeouts, run_timeout

PARTITION_TAG = "dagster/partition"


def _partition_keys(job: JobDefinition, partition_key: Optional[str],
                    partition_keys: Optional[Sequence[str]]) -> list[str]:
    keys = list(partition_keys or ([partition_key] if partition_key is not None else []))
    if not keys:
        partitioned = node_fact(job, PARTITIONED_ASSETS)
        if partitioned:
            raise InvariantViolationError(
                f"{', '.join(partitioned[:3])} {'is' if len(partitioned) == 1 else 'are'} "
                "partitioned: pass partition_key= (or --partition on the command line)")
    return keys


@frozen_while_running
def execute_run(
    job: JobDefinition,
    *,
    run_config: Optional[Mapping[str, Any]] = None,
    instance: Optional[Instance] = None,
    partition_key: Optional[str] = None,
    partition_keys: Optional[Sequence[str]] = None,
    run_id: Optional[str] = None,
    tags: Optional[Mapping[str, str]] = None,
    raise_on_error: bool = True,
    resources: Optional[Mapping[str, Any]] = None,
    executor_def: Any = None,
    step_keys: Optional[Sequence[str]] = None,
    default_io_manager: Any = fs_io_manager,
    input_values: Optional[Mapping[str, Any]] = None,
    parent_run_id: Optional[str] = None,
    capture_outputs: bool = True,
    on_event: Optional[Callable[[Event], None]] = None,
    plan: Any = None,
    lease: Any = None,
) -> ExecutionResult:
    """Run `job` and return its result; the one path every execution API goes through.

    `lease`: a `leases.RunLease` already holding what the run materializes (the CLI's apply
    takes it before deciding what to run); without one, the run takes its own, waiting while
    a concurrent run on a shared store holds any of it. Either way it is given back here."""
    instance = instance or Instance.ephemeral()
    resource_defs = {"io_manager": default_io_manager, **job.resource_defs, **(resources or {})}
    if not node_fact(job, RESOURCES_NEEDED) <= resource_defs.keys():
        job.validate_resources(resource_defs)  # raises, naming what is missing
    resolved = resolve_run_config(job, run_config, resource_defs,
                                  executor_def or job.executor_def, input_values)
    keys = _partition_keys(job, partition_key, partition_keys)
    # Dynamic partitions read their keys from the instance. A plan's objects all stay alive,
    # so the collector's passes over young objects while it is built would find nothing.
    with partition_loading_context(instance), young_objects_collected_less():
        if plan is None and not keys:  # partitioned: keys (dynamic ones) are checked each run
            chosen = None if step_keys is None else tuple(step_keys)
            # (Step programs only where steps run: not in a parent that ships them elsewhere.)
            here = resolved.executor_def.runs_steps_here(resolved.execution)
            cached = per_job(job, ("plan", chosen, here), lambda: planned_with_programs(job, step_keys, here))
            # A plan with dynamic outputs grows while it runs (its `dynamic` steps): its own per run.
            plan = cached.shared_copy() if cached.dynamic is None else build_plan(job, keys, step_keys)
        elif plan is None:
            plan = build_plan(job, keys, step_keys)
    run_tags = {**job.tags, **(tags or {})}
    if len(keys) == 1:
        run_tags.setdefault(PARTITION_TAG, keys[0])
    if lease is None and getattr(instance.storage, "shared", False):
        lease = RunLease(instance.storage, run_id or str(uuid.uuid4()))
        lease.acquire(step_lease_keys(plan), _log_wait)
    try:
        return _execute(job, plan, instance, resolved, resource_defs, run_tags, lease,
                        run_id=lease.run_id if lease is not None else run_id, parent_run_id=parent_run_id,
                        step_keys=step_keys, capture_outputs=capture_outputs, on_event=on_event,
                        raise_on_error=raise_on_error)
    finally:
        if lease is not None:
            lease.close()


def _log_wait(busy: dict) -> None:
    import logging
    logging.getLogger("specrun").warning("waiting: %s", describe_holders(busy))


def _execute(job: JobDefinition, plan: Any, instance: Instance, resolved: Any, resource_defs: Any,
             run_tags: Any, lease: Any, *, run_id: Optional[str], parent_run_id: Optional[str],
             step_keys: Optional[Sequence[str]], capture_outputs: bool,
             on_event: Optional[Callable[[Event], None]], raise_on_error: bool) -> ExecutionResult:
    limit = run_timeout(run_tags)
    executor = resolved.executor_def.create(InitExecutorContext(job, resolved.execution, instance))
    if job_program(job).timed_nodes:  # (worked out once per job: most jobs have none)
        refuse_unenforced_step_timeouts(plan, executor, resolved.executor_def.name)
    run = instance.create_run(job.name, run_id, resolved.raw, run_tags, parent_run_id,
                              step_keys_to_execute=step_keys)
    if lease is not None:
        lease.start_heartbeat()
    ctx = RunContext(job=job, plan=plan, run=run, run_config=resolved, instance=instance,
                     resource_defs=resource_defs,
                     loggers=build_loggers(job.logger_defs, resolved.loggers, run.run_id),
                     capture_outputs=capture_outputs,
                     retries=getattr(executor, "retries", None) or RetryMode.ENABLED)
    with partition_loading_context(instance), young_objects_collected_less():
        events, run_error = _drive(ctx, executor, plan, instance, on_event, lease, limit)
    result = ExecutionResult(job, instance.get_run_by_id(run.run_id) or run, events, ctx, run_error)
    if raise_on_error and not result.success:
        _raise_failure(result)
    return result


def _drive(ctx: RunContext, executor: Any, plan: Any, instance: Instance,
           on_event: Optional[Callable[[Event], None]] = None, lease: Any = None,
           limit: Optional[float] = None) -> tuple[list[Event], Optional[ErrorInfo]]:
    """Run the executor, recording every event; end the run with its final status.

    `limit` is the run's time limit in seconds: past it the run is stopped (as a cancel is)
    and recorded as failed, with the reason. A cancel (KeyboardInterrupt, which SIGTERM
    becomes in `specrun apply`) stops the executor, whose workers run their teardown, and
    records the run as canceled even when a second signal cuts the teardown short."""
    events: list[Event] = []
    # What `ends` reads: every event but those of a step's list read with its summary.
    loose: list[Event] = []

    def record(event: Event) -> None:
        events.append(event)
        loose.append(event)
        instance.handle_new_event(event)
        if on_event is not None:
            on_event(event)

    record(Event(ET.RUN_START, ctx.run_id, ctx.job_name, message=f'Started execution of run for "{ctx.job_name}".'))
    # What the executor (and resource set-up) logs through the run's log becomes run events.
    ctx.log = ctx.log.with_sink(record)
    instance.update_run_status(ctx.run_id, DagsterRunStatus.STARTED)
    run_error: Optional[ErrorInfo] = None
    append, handle, loose_append = events.append, instance.handle_new_event, loose.append
    if lease is not None:  # a step's leases are given back once its end is recorded
        handle = lease.releasing(handle)
    if limit is not None:
        ctx.deadline, ctx.time_limit = time.monotonic() + limit, limit
    handle_many = instance.handle_new_events if lease is None and on_event is None else None
    ctx.record_now = record if handle_many is not None and limit is None else None
    stream = event_stream(executor, ctx, plan)
    ends, countdown = StepEnds(ctx.steps_all_ended is None), StepEnds.READ_EVERY  # (in cache)
    all_ends = ends.finished is not None
    held = None if ctx.log_slot is None else current_step_log.set(ctx.log_slot)  # (event_stream)
    try:
        with alarm(limit, lambda: RunTimeout(limit)):  # type: ignore[arg-type]
            for item in stream:  # `record`, inlined: this runs per event
                if item.__class__ is tuple and handle_many is not None:  # a step's events, summary
                    step_events, summary = item
                    if summary is None:  # (the step did not know it: read once, for both readers)
                        summary = summarize(step_events)
                    events.extend(step_events)
                    handle_many(step_events, summary)
                    if all_ends or summary.failed_at:
                        ends.read_step(step_events, summary)
                    continue
                for event in item[0] if item.__class__ is tuple else (item,):
                    append(event)
                    loose_append(event)
                    handle(event)
                    if on_event is not None:
                        on_event(event)
                if ctx.deadline is not None and time.monotonic() > ctx.deadline:
                    raise RunTimeout(limit)  # type: ignore[arg-type]
                countdown -= 1  # (items but a step's events: in process, a step's STEP_START alone)
                if not countdown:
                    countdown = ends.read(loose)
    except KeyboardInterrupt:
        stop_run(ctx, stream, record, close_resources)
        with signals_held():
            record(Event(ET.RUN_CANCELED, ctx.run_id, ctx.job_name, message="Run canceled (interrupted)."))
            instance.update_run_status(ctx.run_id, DagsterRunStatus.CANCELED)
        raise
    except RunTimeout as exc:
        stop_run(ctx, stream, record, close_resources)
        run_error = ErrorInfo(f"{exc}; the steps still running were stopped", "RunTimeout")
    except Exception as exc:  # a framework or executor failure: recorded on the run
        run_error = ErrorInfo.from_exception(exc)
    finally:
        if held is not None:
            current_step_log.reset(held)
    run_error = close_resources(ctx, record) or run_error
    unrun, failed = ends.unrun_and_failed(loose, plan.steps, ctx.steps_all_ended, events)
    if unrun and run_error is None:
        run_error = ErrorInfo(f"the executor finished without running step(s): {', '.join(unrun[:5])}",
                              "ExecutionError")
    if failed or run_error is not None:
        what = f"steps failed: {', '.join(failed)}" if failed else run_error.message
        record(Event(ET.RUN_FAILURE, ctx.run_id, ctx.job_name,
                     message=f'Execution of run for "{ctx.job_name}" failed. {what}',
                     data=RunFailureData(failed, run_error), level=40))
        instance.update_run_status(ctx.run_id, DagsterRunStatus.FAILURE)
    else:
        record(Event(ET.RUN_SUCCESS, ctx.run_id, ctx.job_name,
                     message=f'Finished execution of run for "{ctx.job_name}".'))
        instance.update_run_status(ctx.run_id, DagsterRunStatus.SUCCESS)
    return events, run_error


def _raise_failure(result: ExecutionResult) -> None:
    info = result.failure_info
    if info is not None and info.exc is not None:
        raise info.exc
    if info is not None:
        raise StepFailure(info.message)
    raise ExecutionError(f"run {result.run_id} failed")


def execute_in_process(job: JobDefinition, **kwargs: Any) -> ExecutionResult:
    """Every step in this process; IO in memory unless the job sets an `io_manager`."""
    from .executors.in_process import in_process_executor

    op_selection = kwargs.pop("op_selection", None)
    step_keys = _select_ops(job, op_selection) if op_selection else None
    return execute_run(job, executor_def=in_process_executor, default_io_manager=mem_io_manager,
                       step_keys=step_keys, **kwargs)


def _select_ops(job: JobDefinition, selection: Sequence[str]) -> list[str]:
    wanted = set()
    for item in selection:
        name = item.strip("*+")
        job.get_node(name)
        wanted.add(name)
    return sorted(wanted)


def execute_job(
    job: Any,
    instance: Optional[Instance] = None,
    run_config: Optional[Mapping[str, Any]] = None,
    tags: Optional[Mapping[str, str]] = None,
    raise_on_error: bool = False,
    op_selection: Optional[Sequence[str]] = None,
    run_id: Optional[str] = None,
    partition_key: Optional[str] = None,
    asset_selection: Any = None,
) -> ExecutionResult:
    """Run a job with its own executor and (by default) the filesystem IO manager."""
    job_def = getattr(job, "get_definition", lambda: job)()
    step_keys = _select_ops(job_def, op_selection) if op_selection else None
    if asset_selection is not None:
        from .definitions.keys import AssetKey

        wanted = {AssetKey.from_coercible(k) for k in asset_selection}
        step_keys = [n.name for n in job_def.nodes.values()
                     if (n.asset is not None and n.asset.key in wanted)
                     or (n.check is not None and wanted.issuperset(n.check.asset_keys))]
    return execute_run(job_def, run_config=run_config, instance=instance, tags=tags,
                       raise_on_error=raise_on_error, step_keys=step_keys, run_id=run_id,
                       partition_key=partition_key)


def validate_run_config(job_def: JobDefinition, run_config: Optional[Mapping[str, Any]] = None) -> dict:
    """Check `run_config` against the job; return it with defaults filled in.

    As in Dagster, an invalid config raises `ConfigError` (alias
    `DagsterInvalidConfigError`) whose `errors` each carry a `message` and the `stack`
    path of the bad key.
    """
    resource_defs = {"io_manager": fs_io_manager, **job_def.resource_defs}
    resolved = resolve_run_config(job_def, run_config, resource_defs, job_def.executor_def)
    from .config import validate_config
    from .run_config import run_config_schema

    schema = run_config_schema(job_def, resource_defs, resolved.executor_def)
    return validate_config(schema, resolved.raw).value
