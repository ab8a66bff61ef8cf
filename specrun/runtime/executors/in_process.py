"""The in-process executor: every step in this process, one at a time, in plan order
(the scheduler hands out one step at a time, so ready steps run in plan order)."""

from __future__ import annotations

from collections import deque
from typing import Any, Iterator

from ..config import Field, Permissive
from ..definitions.policy import RetryMode
from .base import Executor, ExecutorDefinition, InitExecutorContext


class InProcessExecutor(Executor):
    """Runs ready steps one after another; a failure skips only what depends on it."""

    def __init__(self, retries: RetryMode = RetryMode.ENABLED) -> None:
        self.retries = retries

    @property
    def enforces_step_timeouts(self) -> bool:
        """Only in the main thread: a step's limit is a SIGALRM (see `..timeouts`)."""
        from ..timeouts import can_alarm

        return can_alarm()

    def execute(self, plan_context: Any, execution_plan: Any) -> Iterator[Any]:
        for item in self.execute_batched(plan_context, execution_plan):
            if item.__class__ is tuple:
                yield from item[0]
            else:
                yield item

    def execute_batched(self, plan_context: Any, execution_plan: Any) -> Iterator[Any]:
        """`execute`, yielding the events of a step that ended in one attempt as one pair
        (the list, what it says: `RunContext.run_started_step`'s), which the run records in
        one call (see `api._drive`). A step's STEP_START is yielded alone before it runs, or,
        when the run gives a recorder of its own (`RunContext.record_now`), handed to the step:
        at the head of a plain step's list, recorded before any other runs."""
        # Not at import: a compile never needs the scheduler.
        from ..scheduler import STATE_EVENT_TYPES, Emit, RunState, StepDone

        plan_context.step_alarms = True  # a step's time limit is a SIGALRM in this thread
        state = RunState(execution_plan, plan_context.run_id, plan_context.job_name, max_concurrent=1)
        todo = deque(state.start())
        recorded_here = plan_context.record_now is not None
        while todo:
            instruction = todo.popleft()
            if instruction.__class__ is Emit:
                yield instruction.event
                continue
            step = instruction.step
            if recorded_here:  # (the step's STEP_START goes with its events, or is recorded first)
                events = plan_context.run_started_step(step, plan_context.step_started(step))
            else:
                yield plan_context.step_started(step)
                events = plan_context.run_started_step(step)
            # (a list, its summary) in the common case (one attempt, no hooks), else an iterator.
            if events.__class__ is tuple:
                todo.extend(state.step_ended(step.key, events[0], events[1]))
                yield events
                continue
            for event in events:
                if event.event_type in STATE_EVENT_TYPES:
                    todo.extend(state.handle(event))
                yield event
            todo.extend(state.handle(StepDone(step.key)))
        plan_context.steps_all_ended = state.is_complete


def _create(init_context: InitExecutorContext) -> Executor:
    config = init_context.executor_config or {}
    return InProcessExecutor(RetryMode.from_config(config.get("retries")))


in_process_executor = ExecutorDefinition(
    "in_process", _create,
    {"retries": Field(Permissive(), is_required=False,
                      description="{enabled: {}} (default) or {disabled: {}}")},
    "Runs all steps in the current process, one at a time.",
)
