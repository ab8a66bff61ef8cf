"""Hooks: functions run after a step succeeds (`@success_hook`) or fails (`@failure_hook`).

As in Dagster, a hook is attached to one invocation (`my_op.with_hooks({notify})()` in a
job body) or to every op of a job (`@job(hooks={notify})`, `define_asset_job(hooks=...)`).
It runs in the process that ran the step, after the step's own events, and is given a
`HookContext`. A hook that raises does not change the step's outcome: it is reported as a
HOOK_ERRORED event; a hook whose condition was not met is reported as HOOK_SKIPPED.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable, Mapping, Optional

from .values import value_class

SUCCESS = "success"
FAILURE = "failure"


@value_class(frozen=True, eq=False)
class HookDefinition:
    """A named function of a `HookContext`, run when its step ends in `kind`."""

    name: str
    hook_fn: Callable[..., Any]
    kind: str
    required_resource_keys: frozenset[str] = frozenset()
    description: Optional[str] = None

    def __call__(self, context: "HookContext", *args: Any) -> Any:
        """Call the hook function directly (for tests), as Dagster allows."""
        return self.hook_fn(context, *args)


def success_hook(name: Any = None, required_resource_keys: Optional[set[str]] = None) -> Any:
    """Decorate `fn(context: HookContext)` to run after each step it is attached to succeeds."""
    return _hook_decorator(SUCCESS, name, required_resource_keys)


def failure_hook(name: Any = None, required_resource_keys: Optional[set[str]] = None) -> Any:
    """Decorate `fn(context: HookContext)` to run after each step it is attached to fails."""
    return _hook_decorator(FAILURE, name, required_resource_keys)


def _hook_decorator(kind: str, name: Any, required_resource_keys: Optional[set[str]]) -> Any:
    def decorate(fn: Callable[..., Any], hook_name: Optional[str] = None) -> HookDefinition:
        return HookDefinition(hook_name or fn.__name__, fn, kind,
                              frozenset(required_resource_keys or ()), inspect.getdoc(fn))

    if callable(name):  # bare @success_hook
        return decorate(name)
    return lambda fn: decorate(fn, name)


class HookContext:
    """What a hook receives: the step that ended, its op, the run, resources and log."""

    def __init__(self, *, hook_def: Optional[HookDefinition] = None, step_key: Optional[str] = None,
                 op: Any = None, job_name: Optional[str] = None, run_id: Optional[str] = None,
                 resources: Any = None, log: Any = None, op_config: Any = None,
                 op_exception: Optional[BaseException] = None,
                 op_output_values: Optional[Mapping[str, Any]] = None, instance: Any = None) -> None:
        self.hook_def = hook_def
        self.step_key = step_key
        self.op = op
        self.job_name = job_name
        self.run_id = run_id
        self.resources = resources
        self.log = log
        self.op_config = op_config
        self.op_exception = op_exception
        self.op_output_values = dict(op_output_values or {})
        self.instance = instance

    @property
    def required_resource_keys(self) -> frozenset[str]:
        return self.hook_def.required_resource_keys if self.hook_def is not None else frozenset()


def build_hook_context(resources: Optional[Mapping[str, Any]] = None, op: Any = None,
                       run_id: Optional[str] = None, job_name: Optional[str] = None,
                       op_exception: Optional[BaseException] = None, instance: Any = None,
                       op_output_values: Optional[Mapping[str, Any]] = None) -> HookContext:
    """A HookContext for calling a hook function in a test."""
    from ..log import LogManager
    from ..resources import Resources

    return HookContext(op=op, run_id=run_id, job_name=job_name, op_exception=op_exception,
                       instance=instance, resources=Resources(dict(resources or {})),
                       log=LogManager(run_id or "", job_name or ""), op_output_values=op_output_values)
