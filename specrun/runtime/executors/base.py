"""Executors: how a run's steps are carried out (in order, in processes, on a cluster).

`@executor` builds an `ExecutorDefinition` (config schema + factory); the factory returns
an `Executor`, whose `execute(plan_context, execution_plan)` yields the run's step events.
Executors drive the run's scheduler (`..scheduler.RunState`, or the `ActiveExecution` that
`execution_plan.start(...)` returns), which says which steps to run and which are skipped,
and call `plan_context.execute_step(step)` or ship the step elsewhere.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from typing import Any, Callable, Iterator, Mapping, Optional

from ..config import normalize_config_schema
from ..definitions.policy import RetryMode
from ..definitions.values import value_class
from ..log import StepLogSlot


class Executor(ABC):
    """Runs the steps of an execution plan and yields their events."""

    retries: RetryMode = RetryMode.ENABLED

    @abstractmethod
    def execute(self, plan_context: Any, execution_plan: Any) -> Iterator[Any]:
        """Execute `execution_plan`, yielding events as steps progress."""


@value_class(frozen=True, eq=False)
class ExecutorDefinition:
    """A named executor factory with a config schema."""

    name: str
    executor_creation_fn: Callable[["InitExecutorContext"], Executor]
    config_schema: Any = None
    description: Optional[str] = None
    # config -> whether the steps run in this process, or in processes forked from it that
    # inherit what it worked out (None: they do). See `runs_steps_here`.
    steps_here: Optional[Callable[[Mapping[str, Any]], bool]] = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "config_schema", normalize_config_schema(self.config_schema))

    def create(self, context: "InitExecutorContext") -> Executor:
        executor = self.executor_creation_fn(context)
        if not isinstance(executor, Executor) and not hasattr(executor, "execute"):
            from ...errors import DefinitionError

            raise DefinitionError(f"executor {self.name!r} returned {executor!r}, not an Executor")
        return executor

    def configured(self, config: Mapping[str, Any], name: Optional[str] = None) -> "ExecutorDefinition":
        """The same executor with its config fixed."""
        base = self

        def create(ctx: "InitExecutorContext") -> Executor:
            merged = {**config, **(ctx.executor_config or {})}
            return base.executor_creation_fn(InitExecutorContext(ctx.job, merged, ctx.instance))

        here = self.steps_here
        return ExecutorDefinition(name or self.name, create, self.config_schema, self.description,
                                  None if here is None else lambda c: here({**config, **(c or {})}))

    def runs_steps_here(self, config: Optional[Mapping[str, Any]]) -> bool:
        """Whether a run with this executor config runs its steps in this process (or in
        processes forked from it): else the job's step programs are not made here before
        its first run (`job_plan.planned_with_programs`); a step run here makes its own."""
        return self.steps_here is None or self.steps_here(config or {})


@value_class
class InitExecutorContext:
    """What an executor factory receives: the job, its executor config and the instance."""

    job: Any
    executor_config: Any
    instance: Any = None

    @property
    def job_def(self) -> Any:
        return self.job


def max_concurrent_of(config: Mapping[str, Any], default: str) -> Optional[int]:
    """`max_concurrent` from an executor's config: None (also for 0, as in Dagster) means
    `default`; a negative value is a config error."""
    value = config.get("max_concurrent")
    if value is not None and value < 0:
        from ...errors import ConfigError, ConfigErrorEntry

        raise ConfigError([ConfigErrorEntry(
            f"max_concurrent must be 1 or more (0 or unset: {default}), got {value}",
            ("execution", "config", "max_concurrent"))], "executor config")
    return value or None


def executor(
    name: Optional[str] = None, config_schema: Any = None, requirements: Any = None
) -> Any:
    """Decorate `fn(init_context) -> Executor` as an ExecutorDefinition."""
    if inspect.isfunction(name):
        return ExecutorDefinition(name.__name__, name)

    def decorate(fn: Callable[[InitExecutorContext], Executor]) -> ExecutorDefinition:
        return ExecutorDefinition(name or fn.__name__, fn, config_schema, inspect.getdoc(fn))

    return decorate


def event_stream(executor: Any, plan_context: Any, execution_plan: Any) -> Iterator[Any]:
    """What the run records: `executor.execute(...)`'s events, except that the built-in
    in-process executor (not a subclass with its own `execute`) yields each step's events
    that it has all at once as one list, and its steps share the run's `log_slot` (which the
    reader holds as `log.current_step_log` while it reads: `api._drive`)."""
    from .in_process import InProcessExecutor

    if type(executor).execute is InProcessExecutor.execute:
        plan_context.steps_all_ended = False  # (until it says otherwise, at its end)
        plan_context.log_slot = StepLogSlot()
        return executor.execute_batched(plan_context, execution_plan)
    return executor.execute(plan_context, execution_plan)
