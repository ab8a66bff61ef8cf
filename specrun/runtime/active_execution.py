"""`ActiveExecution`: the documented executor API (`execution_plan.start(run_id, job_name)`)
over the run's scheduler (`scheduler.RunState`)."""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

from .events import Event
from .scheduler import STATE_EVENT_TYPES, Instruction, NewSteps, Run, RunState


class ActiveExecution:
    """The documented executor API (`execution_plan.start(run_id, job_name)`) over a RunState.

    `get_steps_to_execute(limit)` hands out ready steps (now running), `handle_event(event)`
    feeds a step's events back, `pop_skip_events()` returns the STEP_SKIPPED events to
    report. A custom executor written against it drives the same scheduler as the built-ins.
    """

    def __init__(self, plan: Any, run_id: str, job_name: str) -> None:
        self.plan = plan
        self.run_id = run_id
        self.job_name = job_name
        self._state = RunState(plan, run_id, job_name, use_run_tables=False)
        self._ready: list[Any] = []
        self._skip_events: list[Event] = []
        self._take(self._state.start())

    @property
    def state(self) -> Mapping[str, str]:
        return self._state.status

    @property
    def is_complete(self) -> bool:
        return self._state.is_complete

    @property
    def has_ready(self) -> bool:
        return bool(self._ready)

    def get_steps_to_execute(self, limit: Optional[int] = None) -> list[Any]:
        """Ready steps (at most `limit`), now marked running."""
        if limit is None or limit >= len(self._ready):
            out, self._ready = self._ready, []
        else:
            out, self._ready = self._ready[:limit], self._ready[limit:]
        return out

    def handle_event(self, event: Event) -> None:
        """Update state from a step event."""
        if event.event_type in STATE_EVENT_TYPES:
            self._take(self._state.handle(event))

    def mark_failed(self, step_key: str) -> None:
        self._take(self._state.fail(step_key))

    def add_steps(self, new: NewSteps) -> None:
        """Add steps to the running plan (see `NewSteps`)."""
        self._take(self._state.handle(new))

    def pop_skip_events(self) -> list[Event]:
        events, self._skip_events = self._skip_events, []
        return events

    def unfinished_step_keys(self) -> list[str]:
        return self._state.unfinished_step_keys()

    def _take(self, instructions: Sequence[Instruction]) -> None:
        for instruction in instructions:
            if instruction.__class__ is Run:
                self._ready.append(instruction.step)
            else:
                self._skip_events.append(instruction.event)
