"""Loading a step's inputs: from upstream outputs of this run, from stored assets, from run
config, or from defaults; each load through an IO (or input) manager records LOADED_INPUT."""

from __future__ import annotations

from typing import Any

from ..errors import InvariantViolationError
from .context.io import OutputContext, input_context_with_deferred_upstream
from .definitions.nodes import FromAsset, FromCollect, FromDefault, FromFanIn, FromGraphInput, FromOutput
from .events import ET, Event, new_event
from .io_managers import InputManager
from .keyed_io import keyed
from .input_managers import load_with_input_manager, loaded_input_message
from .outputs import check_input_type, output_context as _output_context
from .plan import input_partition_keys
from .plan_unpartitioned import NodeStep, node_step_upstream


def load_inputs(run: Any, step: Any, recipe: Any, context: Any,
                events: list) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    for name, spec, src, passed, checked, _fan_in, _key, _message, _path in recipe.inputs:
        if src.__class__ is FromOutput:  # the common case, first
            value = _load_from_output(run, step, name, spec, context, events)
        else:
            value = _load_input(run, step, name, spec, src, context, events)
        if checked:
            check_input_type(step, name, spec, value)
        if passed:
            kwargs[name] = value
    return kwargs


def load_plain_inputs(run: Any, step: Any, plain: Any, managers: Any, events: list) -> dict[str, Any]:
    """`load_inputs` of a plain step (`plain`: its recipe, see `step_recipe._compile_plain`): each upstream value by its
    key (an upstream asset's, its key path) from a keyed IO manager (`managers`), with the
    same LOADED_INPUT events."""
    if step.__class__ is NodeStep and plain.inputs:  # (its inputs are its node's: not made unless read)
        return _load_node_inputs(run, step, plain, managers, events)
    kwargs: dict[str, Any] = {}
    run_id, key = run.run_id, step.key
    produced, steps = run.produced, run.plan.steps
    for name, spec, _src, passed, _checked, fan_in, manager_key, message, store_key in plain.inputs:
        manager = managers[manager_key]
        values = []
        for up in step.inputs.get(name, ()):
            if _not_yielded(produced, steps, up.step_key, up.output_name):
                continue  # (an optional output): a fan-in leaves it out
            mapping_key = up.mapping_key
            value = _load_by_key(run, step, name, spec, manager, store_key or (
                (run_id, up.step_key, up.output_name, mapping_key) if mapping_key
                else (run_id, up.step_key, up.output_name)), up, message, events)
            if not fan_in:
                break
            values.append(value)
        else:
            if not fan_in:
                raise InvariantViolationError(f"input {name!r} of {key!r} has no upstream value")
            value = values
        if passed:
            kwargs[name] = value
    return kwargs


def _load_node_inputs(run: Any, step: Any, plain: Any, managers: Any, events: list) -> dict[str, Any]:
    """`load_plain_inputs` of a `NodeStep`: each input reads one output of the upstream node
    (`src`) its step shares the name of, in this run, or a fan-in's list of them (`src.sources`).

    Each compiled input is read by its items, not taken apart: its In and source (one each an
    input, made with the definitions and often out of cache by 10,000 steps) are read only
    for a fan-in, an op output's key (the source) or a value not found."""
    kwargs: dict[str, Any] = {}
    run_id = run.run_id
    for read in plain.inputs:  # (see `step_recipe._plain_input`)
        name = read[0]
        if read[5]:
            value = _load_node_fan_in(run, step, name, read[1], read[2], managers[read[6]], read[7],
                                      events)
        else:  # (its upstream yielded it: the scheduler skips a step whose input was not yielded)
            store_key = read[8]
            if store_key is None:  # (an op output's: by the run, step and output)
                src = read[2]
                store_key = (run_id, src.node, src.output)
            value = _load_by_key(run, step, name, None, managers[read[6]], store_key, None, read[7],
                                 events)
        if read[3]:
            kwargs[name] = value
    return kwargs


def _load_node_fan_in(run: Any, step: Any, name: str, spec: Any, src: Any, manager: Any, message: str,
                      events: list) -> list:
    """The list a `NodeStep`'s fan-in input `name` reads (`src`: its FromFanIn, of op outputs
    all stored through `manager`): as `load_plain_inputs`'s, an output its step did not yield
    (an optional one) left out."""
    values = []
    run_id = run.run_id
    produced, steps = run.produced, run.plan.steps
    for s in src.sources:
        up, output = s.node, s.output
        if _not_yielded(produced, steps, up, output):
            continue
        values.append(_load_by_key(run, step, name, spec, manager, (run_id, up, output), s, message, events))
    return values


def _load_by_key(run: Any, step: Any, name: str, spec: Any, manager: Any, store_key: Any, up: Any,
                 message: str, events: list, context: Any = None) -> Any:
    """The value keyed `manager` (see `..keyed_io`) holds under `store_key`, for input `name`
    (`spec`) read from upstream output `up` (an UpstreamOutput, or the FromOutput a `NodeStep`
    reads; both None for a `NodeStep`'s single input: its node's, read here only when needed),
    recording LOADED_INPUT (`message`). A missing value goes to `load_input` (given the step's
    `context` where there is one), which words the error."""
    try:
        value = manager.load_by_key(store_key)
    except KeyError:
        if up is None:  # (as its recipe's input: `step_recipe._plain_recipe`)
            node = step.node
            spec, up = node.op_def.ins[name], node.inputs[name]
        if up.__class__ is FromOutput:
            up = node_step_upstream(up)
        return _load_upstream(run, step, name, spec, up, context, events, by_key=False)
    events.append(new_event(ET.LOADED_INPUT, run.run_id, run.job_name, step.key, message))
    return value


def _load_from_output(run: Any, step: Any, name: str, spec: Any, context: Any, events: list) -> Any:
    for up in step.upstream_of(name):  # the plan gives a FromOutput one upstream
        if _was_produced(run, up):
            return _load_upstream(run, step, name, spec, up, context, events)
    raise InvariantViolationError(f"input {name!r} of {step.key!r} has no upstream value")


def _load_input(run: Any, step: Any, name: str, spec: Any, src: Any, context: Any,
                events: list) -> Any:
    node = step.node
    if isinstance(src, FromOutput):
        for up in step.inputs.get(name, ()):  # the plan gives a FromOutput one upstream
            if _was_produced(run, up):
                return _load_upstream(run, step, name, spec, up, context, events)
        raise InvariantViolationError(f"input {name!r} of {step.key!r} has no upstream value")
    if isinstance(src, (FromFanIn, FromCollect)):
        return [_load_upstream(run, step, name, spec, up, context, events)
                for up in step.inputs.get(name, ()) if _was_produced(run, up)]
    if isinstance(src, FromAsset):
        return _load_asset(run, step, name, spec, src, context, events)
    if isinstance(src, FromGraphInput):
        if src.name not in run.resolved.graph_inputs:
            raise InvariantViolationError(f"graph input {src.name!r} was not given a value")
        return run.resolved.graph_inputs[src.name]
    if spec.input_manager_key:
        return load_with_input_manager(run, step, name, spec, context, events)
    given = run.resolved.input_values.get(node.name, {})
    if name in given:
        return given[name]
    if isinstance(src, FromDefault) or spec.has_default:
        return spec.default_value
    if spec.is_nothing:
        return None
    raise InvariantViolationError(
        f"input {name!r} of {node.name!r} is not connected and was not given in run config "
        f"(ops: {{{node.name}: {{inputs: {{{name}: ...}}}}}})")


def _not_yielded(produced: Any, steps: Any, step_key: str, output_name: str) -> bool:
    """Whether output `output_name` of step `step_key` was not yielded in this run (an optional
    output its step left out), from the run's `produced` (None: not tracked) and its plan's
    `steps`. An output of a step not in this plan (another process's, an earlier run's) counts
    as made. A fan-in leaves such an output out; a single input has no value."""
    return produced is not None and (step_key, output_name) not in produced and step_key in steps


def _was_produced(run: Any, up: Any) -> bool:
    return not _not_yielded(run.produced, run.plan.steps, up.step_key, up.output_name)


def _load_upstream(run, step, name, spec, up, context, events, by_key: bool = True) -> Any:
    """The value of upstream output `up`; `by_key=False` when its keyed load was tried."""
    up_node = run.job.nodes[up.node]
    facts = run.output_facts(up_node, up.output_name)
    if facts.is_nothing:
        return None
    manager_key = spec.input_manager_key or facts.io_manager_key
    mapping_key = up.mapping_key
    # A step this run did not execute stored its outputs in the run that did (re-execution).
    run_id = run.outputs_from.get(up.step_key, run.run_id) if run.outputs_from else run.run_id
    identifier = ((run_id, up.step_key, up.output_name, mapping_key) if mapping_key else
                  (run_id, up.step_key, up.output_name))
    manager = run.resources_for_output(manager_key)
    if by_key and facts.store_key is not None and not up.partition_keys and keyed(manager):
        # Loaded by its key, without contexts
        return _load_by_key(run, step, name, spec, manager, facts.store_key or identifier, up,
                            loaded_input_message(name, manager_key), events, context)
    input_ctx = input_context_with_deferred_upstream(
        name, identifier, lambda: _upstream_context(run, up, up_node, run_id),
        asset_key=facts.asset_key, metadata=spec.metadata, dagster_type=spec.dagster_type,
        log=context.log if context is not None else run.log.with_step(step.key, events.append),
        resources=run.resources, partition_keys=up.partition_keys,
        partitions_def=up_node.asset.partitions_def if up_node.asset else None,
        op_def=step.op_def, run_id=run.run_id)
    input_ctx._data_version_lookup = run.data_version_of  # the version each record names
    value = manager.load_input(input_ctx)
    events.append(Event(ET.LOADED_INPUT, run.run_id, run.job_name, step.key,
                        loaded_input_message(name, manager_key)))
    return value


def _upstream_context(run: Any, up: Any, up_node: Any, run_id: str) -> Any:
    ctx = _output_context(run, run.plan.steps.get(up.step_key), up_node, up.output_name,
                          up.step_key, up.partition_keys, up.mapping_key)
    ctx.run_id = run_id
    return ctx


def _load_asset(run, step, name, spec, src, context, events) -> Any:
    keys = input_partition_keys(step, name)
    upstream_step_key = src.asset_key.to_python_identifier()
    input_ctx = input_context_with_deferred_upstream(
        name, (run.run_id, upstream_step_key, "result"),
        lambda: OutputContext(upstream_step_key, "result", run_id=run.run_id,
                              asset_key=src.asset_key, partition_keys=keys,
                              partitions_def=src.partitions_def, resources=run.resources,
                              log=run.log),
        asset_key=src.asset_key, metadata=spec.metadata, dagster_type=spec.dagster_type,
        log=context.log, resources=run.resources, partition_keys=tuple(keys),
        partitions_def=src.partitions_def, op_def=step.op_def, run_id=run.run_id)
    input_ctx._data_version_lookup = run.data_version_of  # the version each record names
    manager_key = spec.input_manager_key or src.io_manager_key
    manager = run.resources_for_output(manager_key)
    if not isinstance(manager, InputManager) and not hasattr(manager, "load_input"):
        raise InvariantViolationError(f"resource {manager_key!r} is not an IO or input manager")
    value = manager.load_input(input_ctx)
    events.append(Event(ET.LOADED_INPUT, run.run_id, run.job_name, step.key,
                        loaded_input_message(name, manager_key)))
    return value
