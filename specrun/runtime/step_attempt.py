"""One attempt of a step: its context (when it needs one), its inputs, the call of its
compute function, and what it returned stored as outputs and events.

`run_attempt` is what `execute.RunContext` runs for each attempt of a step (`run`: the
`RunContext`); the attempts, retries and hooks around it are the run context's.
"""

from __future__ import annotations

from types import AsyncGeneratorType, CoroutineType, GeneratorType
from typing import Any, Optional

from .context.compute import OpExecutionContext, StepInfo
from .events import ET
from .events import ErrorInfo, Event, StepFailureData, new_event
from .log import StepLogSlot, current_step_log, under_step_log
from .inputs import load_inputs, load_plain_inputs
from .user_async import resolve_async
from .user_call import MANY_ARGUMENTS, call_by_position
from .outputs import (StepFailed, handle_output, plain_value, store_plain_asset_output,
                      store_plain_output)
from .plan import input_partition_keys
from .returned_outputs import collect_outputs
from .resources import RESOURCE_KEY_ATTR
from .step_events import PLAIN_OUTPUT, Summary
from .step_recipe import StepRecipe
from .timeouts import RunTimeout, StepTimeout, alarm, step_timeout_message

_UNKNOWN = object()


def failure_event(run: Any, step: Any, error: tuple) -> Event:
    """The STEP_FAILURE of an attempt that ended in `error` (`run_attempt`'s), not retried."""
    exc, info, kind = error
    user_data = None
    if hasattr(exc, "description") and hasattr(exc, "metadata") and kind == "user":
        user_data = {"description": exc.description, "metadata": dict(exc.metadata)}
    return Event(ET.STEP_FAILURE, run.run_id, run.job_name, step.key,
                 f'Execution of step "{step.key}" failed.', StepFailureData(info, user_data, kind),
                 level=40)


def run_attempt(run: Any, step: Any, recipe: StepRecipe, attempt: int, events: list,
                outputs: Optional[dict[str, Any]] = None,
                managers: Any = _UNKNOWN) -> tuple[Optional[tuple], Optional[Summary]]:
    """One attempt: (None, what its events say when the step knows it: a `Summary`, else
    None) on success, else ((exception, ErrorInfo, kind), None). The step's output values are
    put in `outputs` when given (for its hooks); `managers`: its `plain_managers`, when known."""
    limit = recipe.timeout if run.step_alarms else None
    try:
        if limit is None:  # the common case, without the alarm's set-up
            summary = _attempt(run, step, recipe, attempt, events, outputs, managers)
        else:
            with alarm(limit, lambda: StepTimeout(step_timeout_message(step.key, limit))):
                summary = _attempt(run, step, recipe, attempt, events, outputs, managers)
    except StepFailed as e:
        return (e, ErrorInfo(str(e), "StepFailure", exc=getattr(e, "reraise", None)), e.kind), None
    except StepTimeout as e:  # not retried: a step that hung once is likely to hang again
        return (e, ErrorInfo(str(e), "StepTimeout"), "timeout"), None
    except (KeyboardInterrupt, SystemExit, RunTimeout):
        raise
    except BaseException as e:  # user code may raise anything; it is recorded, not swallowed
        return (e, _user_error(e), "user"), None
    events.append(new_event(ET.STEP_SUCCESS, run.run_id, run.job_name, step.key,
                            f'Finished execution of step "{step.key}".'))
    return None, summary


def _user_error(exc: BaseException) -> ErrorInfo:
    """The ErrorInfo of a user exception; one raised while setting up a resource says which."""
    info = ErrorInfo.from_exception(exc)
    key = getattr(exc, RESOURCE_KEY_ATTR, None)
    if isinstance(key, str):
        info.message = f"setting up resource {key!r} failed: {info.message}"
    return info


def plain_managers(run: Any, step: Any, recipe: StepRecipe) -> Optional[dict[str, Any]]:
    """The IO managers that load and store a plain step's values by key (see
    `step_recipe._compile_plain`, `RunContext.keyed_managers`); None for any other step (not
    plain, of a partition, or with a manager that does not store by key), whose attempt
    takes the general path. On the plain path nothing the step runs is given the run's
    instance: no context, resource, hook or user IO manager."""
    keys = recipe.manager_keys  # (None: not a plain step)
    if keys is None or step.partition_key is not None:
        return None
    managers = run._keyed.get(keys, _UNKNOWN)  # (`run.keyed_managers(keys)`, once known)
    return run.keyed_managers(keys) if managers is _UNKNOWN else managers


def _attempt(run: Any, step: Any, recipe: StepRecipe, attempt: int, events: list,
             outputs: Optional[dict[str, Any]], managers: Any) -> Optional[Summary]:
    """Run the attempt, adding its events to `events`; returns what they will say once
    STEP_SUCCESS ends them where this knows it (a plain step's), else None."""
    # A context is built only for a function that takes one (or hooks, or an input manager,
    # that read it); a returned plain value is stored without one.
    # A plain step's values are loaded and stored by its compiled program, by key.
    if managers is _UNKNOWN:
        managers = plain_managers(run, step, recipe)
    if managers is not None:
        context = None
        kwargs = load_plain_inputs(run, step, recipe, managers, events)
    else:
        context = _make_context(run, step, recipe, attempt, events) if recipe.wants_context else None
        if context is not None:
            context._output_values = outputs  # type: ignore[attr-defined]
        kwargs = load_inputs(run, step, recipe, context, events)
    result = _invoke(run, step, recipe, context, kwargs, events)
    name = recipe.plain_output
    if context is None and name is not None and plain_value(result):
        output = recipe.output  # (a plain step's: an asset's is the job's `OutputFacts` of it)
        if managers is None:
            handle_output(run, step, None, name, result, {}, True, events,
                          facts=None if output is None or output.asset_key is None else output)
            return None
        if output.asset_key is None:
            store_plain_output(run, step, output, managers, result, events)
            return PLAIN_OUTPUT
        return store_plain_asset_output(run, step, output, managers, result, events)
    if context is None:  # an Output, a generator, ...: collected as any step's results are
        context = _make_context(run, step, recipe, attempt, events)
        context._output_values = None  # type: ignore[attr-defined]
    collect_outputs(run, step, context, result, events)
    return None


def _make_context(run: Any, step: Any, recipe: StepRecipe, attempt: int,
                  events: list) -> OpExecutionContext:
    node = step.node
    log = run.log.with_step(step.key, events.append)
    user_events: list = []
    # `__new__` then `__init__` rather than calling the class: the class call turns these
    # keyword arguments into a dict and back again, most of the cost of a context (CPython 3.11).
    ctx = recipe.context_class.__new__(recipe.context_class)
    ctx.__init__(
        op_def=node.op_def, step=StepInfo(step.key, node.op_def.kind, step.partition_key),
        run_id=run.run_id, job_name=run.job_name, op_config=run.node_config(node)[0],
        resources=run.resources, log=log, partition_key=step.partition_key,
        partitions_def=recipe.partitions_def, run_tags=run.run.tags,
        op_tags=recipe.op_tags, instance=run.instance, run=run.run,
        run_config=run.resolved.raw, job_def=run.job, retry_number=attempt,
        assets_def=node.asset, check_def=node.check,
        selected_asset_keys=run.selected_asset_keys,
        input_partitions=lambda name: input_partition_keys(step, name),
        event_sink=user_events.append, mapping_key=step.mapping_key,
    )
    ctx._user_events = user_events  # type: ignore[attr-defined]
    return ctx


def _invoke(run: Any, step: Any, recipe: StepRecipe, context: Any, kwargs: dict,
            events: list) -> Any:
    # (A plain step's function takes only its inputs, see `step_recipe._compile_plain`: its
    # signature, out of cache at 10,000 steps, is not read for it.)
    if recipe.manager_keys is None:
        sig = recipe.signature
        if context is not None and sig.context_param is not None:
            kwargs[sig.context_param] = context
        if sig.config_param is not None:
            op_config, config_instance = run.node_config(step.node)
            kwargs[sig.config_param] = config_instance if config_instance is not None else op_config
        for name in sig.resource_params:
            kwargs[name] = getattr(run.resources, name)
    # What `get_dagster_logger()` loggers send while the function runs: the step's events.
    slot, token = run.log_slot, None
    if slot is None:  # (steps that may run side by side: each sets a slot of its own)
        slot = StepLogSlot()
        token = current_step_log.set(slot)
    if context is not None:
        slot.log = context.log
    else:  # (its log made only if something logs: `running_step_log`)
        slot.run_log, slot.step_key, slot.events = run.log, step.key, events
    try:
        fn = recipe.compute_fn  # (`step.node.op_def.compute_fn`)
        result = fn(**kwargs) if len(kwargs) < MANY_ARGUMENTS else call_by_position(fn, kwargs)
        if result.__class__ in _ASYNC:
            result = resolve_async(result)
    finally:
        slot.log = slot.run_log = slot.step_key = slot.events = None
        if token is not None:
            current_step_log.reset(token)
    if result.__class__ is GeneratorType:  # its body runs as it is iterated, later
        log = context.log if context is not None else run.log.with_step(step.key, events.append)
        return under_step_log(result, log, run.log_slot)
    return result


_ASYNC = frozenset((CoroutineType, AsyncGeneratorType))  # (neither can be subclassed)
