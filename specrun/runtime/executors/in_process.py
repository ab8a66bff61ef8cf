"""The in-process executor: every step in this process, one at a time, in plan order."""

from __future__ import annotations

from typing import Any, Iterator

from ..config import Field, Permissive
from ..definitions.policy import RetryMode
from .base import Executor, ExecutorDefinition, InitExecutorContext


class InProcessExecutor(Executor):
    """Runs ready steps one after another; a failure skips only what depends on it."""

    def __init__(self, retries: RetryMode = RetryMode.ENABLED) -> None:
        self.retries = retries

    def execute(self, plan_context: Any, execution_plan: Any) -> Iterator[Any]:
        from ..plan import STATE_EVENT_TYPES  # not at import: a compile never needs the plan

        active = execution_plan.start(plan_context.run_id, plan_context.job_name)
        while not active.is_complete:
            steps = active.get_steps_to_execute()
            if not steps:
                yield from active.pop_skip_events()
                if not active.is_complete and not active.has_ready:
                    break
                continue
            for step in steps:
                for event in plan_context.execute_step(step):
                    if event.event_type in STATE_EVENT_TYPES:
                        active.handle_event(event)
                    yield event
                yield from active.pop_skip_events()


def _create(init_context: InitExecutorContext) -> Executor:
    config = init_context.executor_config or {}
    return InProcessExecutor(RetryMode.from_config(config.get("retries")))


in_process_executor = ExecutorDefinition(
    "in_process", _create,
    {"retries": Field(Permissive(), is_required=False,
                      description="{enabled: {}} (default) or {disabled: {}}")},
    "Runs all steps in the current process, one at a time.",
)
