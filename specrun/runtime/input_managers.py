"""Loading an op input that has no upstream through its `In(input_manager_key=...)`.

As in Dagster, the input manager gets an `InputContext` without `upstream_output`, whose
`config` is the input's entry in run config (``ops: {op: {inputs: {name: {...}}}}``, checked
against the manager's `input_config_schema`). And the message of every LOADED_INPUT event,
whichever manager loads the input.
"""

from __future__ import annotations

from typing import Any

from ..errors import InvariantViolationError
from .context.io import InputContext
from .events import ET, Event


def load_with_input_manager(run: Any, step: Any, name: str, spec: Any, context: Any,
                            events: list) -> Any:
    """The value `spec.input_manager_key`'s manager loads for input `name` of `step`."""
    manager_key = spec.input_manager_key
    manager = run.resources_for_output(manager_key)
    if not hasattr(manager, "load_input"):
        raise InvariantViolationError(f"resource {manager_key!r} is not an IO or input manager")
    config = run.resolved.input_values.get(step.node.name, {}).get(name)
    input_ctx = InputContext(name, metadata=spec.metadata, config=config,
                             dagster_type=spec.dagster_type, log=context.log,
                             resources=run.resources, op_def=step.op_def, run_id=run.run_id)
    value = manager.load_input(input_ctx)
    events.append(Event(ET.LOADED_INPUT, run.run_id, run.job_name, step.key,
                        loaded_input_message(name, manager_key)))
    return value


def loaded_input_message(name: str, manager_key: str) -> str:
    """The LOADED_INPUT message of input `name` loaded through the IO or input manager of
    resource key `manager_key` (a plain step's is made once, with its recipe)."""
    return f'Loaded input "{name}" using input manager "{manager_key}"'
