"""The run's scheduler, with no IO: events in, instructions out.

`RunState` holds the live state of one run of a plan and is driven by feeding it what
happened (`handle(stimulus)`); it answers with instructions: `Run(step)` (submit this step)
and `Emit(event)` (report this event, a STEP_SKIPPED). It never runs a step, waits, or
touches a process; every executor (in process, a process pool, Dask, a custom one through
`ActiveExecution`) drives the same one and differs only in how it submits a step.

State, all keyed by step key:

    steps       the plan's steps, plus steps added at run time (`NewSteps`)
    downstream  step -> steps that wait on it (the plan's, copied on the first `NewSteps`)
    waiting     step -> how many of its upstream steps have not finished yet
    status      step -> pending | running | succeeded | failed | skipped
    ready       heap of (plan position, step key): released, not yet submitted
    running     how many submitted steps the executor has not said `StepDone` for
    outputs     (step, output) pairs produced so far (an optional output may not be)

A finished step decrements the counters of its dependents only (O(out-degree)); a dependent
reaching zero is ready, or skipped when an upstream failed or was skipped or an input it
reads was not produced — and a skipped step finishes too, so skips run on through
everything downstream. Ready steps are handed out in plan order (the plan is a
lexicographic topological order), at most `max_concurrent` at a time.

Stimuli: the runtime's own `Event`s of type STEP_OUTPUT, STEP_SUCCESS and STEP_FAILURE
(`STATE_EVENT_TYPES`; others are ignored), `StepDone(key)` when the executor is finished
with a step (its events and hooks are all in, its slot is free; `step_ended(key, events)`
feeds a finished step's events and its `StepDone` in one call) and `NewSteps` to add steps
to the running plan (a fan-out whose width is known only at run time). A plan whose
`expand_dynamic(event)` is set is asked about each STEP_OUTPUT, and the `NewSteps` it
returns are added then, before the emitting step's STEP_SUCCESS.
"""

from __future__ import annotations

import heapq
from typing import Any, Iterable, Mapping, NamedTuple, Optional, Sequence, Union

from ..errors import InvariantViolationError
from .events import ET, DagsterEventType, Event, StepSkippedData

PENDING, RUNNING, SUCCEEDED, FAILED, SKIPPED = "pending", "running", "succeeded", "failed", "skipped"
_FINISHED = frozenset({SUCCEEDED, FAILED, SKIPPED})

# The only events that change the state: executors may pass just these to `handle`.
STATE_EVENT_TYPES = frozenset({
    DagsterEventType.STEP_OUTPUT, DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE,
})


class Run(NamedTuple):
    """Instruction: submit this step."""

    step: Any


class Emit(NamedTuple):
    """Instruction: report this event (a step the scheduler skipped)."""

    event: Event


class StepDone(NamedTuple):
    """Stimulus: the executor is finished with this step; its slot is free."""

    step_key: str


class NewSteps(NamedTuple):
    """Stimulus: add `steps` to the running plan.

    A new step waits on its `upstream_keys` (earlier steps or other new ones). `dependents`
    maps a pending step, not yet released, to new steps it must now also wait on (the step
    that collects a dynamic fan-out). Handle it before the emitting step's STEP_SUCCESS, so
    that nothing waiting on the new steps has been released already.
    """

    steps: Sequence[Any]
    dependents: Mapping[str, Sequence[str]] = {}
    # pending step -> {input name: upstream outputs it now also reads} (a collect's list grows)
    inputs: Mapping[str, Mapping[str, Sequence[Any]]] = {}


Instruction = Union[Run, Emit]
_NONE: tuple = ()
# `Run(step)` without the Python-level `__new__` a NamedTuple class call goes through (one
# instruction per step: the class call was a tenth of the scheduler's cost per step).
_tuple_new = tuple.__new__


class RunState:
    """Live state of one run of a plan; see the module docstring."""

    def __init__(self, plan: Any, run_id: str, job_name: str,
                 max_concurrent: Optional[int] = None, use_run_tables: bool = True) -> None:
        self.run_id = run_id
        self.job_name = job_name
        self.max_concurrent = max_concurrent
        self.steps: Mapping[str, Any] = plan.steps
        self._downstream: Mapping[str, Sequence[str]] = plan.downstream
        self._position: Mapping[str, int] = plan.positions
        self._expand = getattr(plan, "expand_dynamic", None)
        self._own_maps = False  # copied from the (shared, cached) plan on the first NewSteps
        self.status = dict.fromkeys(self.steps, PENDING)
        # The plan's `step_recipe.RunTables`, if it has them (not for a custom executor,
        # `ActiveExecution`: it may feed fewer events than ours).
        tables = getattr(plan, "run_tables", None) if use_run_tables else None
        if tables is not None:
            self._waiting = tables.waiting.copy()
            self._unchecked: frozenset = tables.unchecked
        else:
            self._waiting = {k: len(s.upstream_keys) for k, s in self.steps.items()}
            self._unchecked = frozenset()
        self._ready: list[tuple[int, str]] = []
        self._running = 0
        self._remaining = len(self.steps)
        self._outputs: set[tuple[str, str]] = set()
        self._not_succeeded: set[str] = set()  # failed or skipped

    # -- queries ------------------------------------------------------------------------
    @property
    def is_complete(self) -> bool:
        """Every step has succeeded, failed or been skipped."""
        return self._remaining == 0

    @property
    def running(self) -> int:
        """Submitted steps the executor has not reported `StepDone` for."""
        return self._running

    def unfinished_step_keys(self) -> list[str]:
        return [k for k, s in self.status.items() if s in (PENDING, RUNNING)]

    # -- stimuli ------------------------------------------------------------------------
    def start(self) -> list[Instruction]:
        """The first instructions: the steps with nothing upstream."""
        position = self._position
        self._ready = [(position[k], k) for k, count in self._waiting.items() if not count]
        heapq.heapify(self._ready)
        return self._hand_out([])

    def handle(self, stimulus: Any) -> Sequence[Instruction]:
        """Take one stimulus (see the module docstring); return what to do next."""
        if stimulus.__class__ is Event:
            kind = stimulus.event_type
            if kind is ET.STEP_OUTPUT:
                self._outputs.add((stimulus.step_key, stimulus.data.output_name))
                if self._expand is not None:
                    new = self._expand(stimulus)
                    if new is not None:
                        return self._add_steps(new)
                return _NONE
            if kind is ET.STEP_SUCCESS:
                out: list[Instruction] = []
                self._finish(stimulus.step_key, SUCCEEDED, out)
                return self._hand_out(out) if self._ready else out
            if kind is ET.STEP_FAILURE:
                out = []
                self._finish(stimulus.step_key, FAILED, out)
                return self._hand_out(out)
            return _NONE
        if isinstance(stimulus, StepDone):
            if self.status.get(stimulus.step_key) is None:
                raise InvariantViolationError(f"StepDone for unknown step {stimulus.step_key!r}")
            self._running -= 1
            return self._hand_out([]) if self._ready else _NONE
        if isinstance(stimulus, NewSteps):
            return self._add_steps(stimulus)
        raise InvariantViolationError(f"the scheduler cannot handle {stimulus!r}")

    def step_ended(self, step_key: str, events: Sequence[Event]) -> Sequence[Instruction]:
        """`handle` of each of a step's events (in order), then of `StepDone(step_key)`, in
        one call: what an executor that has all of a step's events at once feeds."""
        if self.status.get(step_key) is None:
            raise InvariantViolationError(f"StepDone for unknown step {step_key!r}")
        out: list[Instruction] = []
        for event in events:
            kind = event.event_type
            if kind is ET.STEP_OUTPUT:
                self._outputs.add((event.step_key, event.data.output_name))
                if self._expand is not None:
                    new = self._expand(event)
                    if new is not None:
                        out.extend(self._add_steps(new))
            elif kind is ET.STEP_SUCCESS:
                self._finish(event.step_key, SUCCEEDED, out)
            elif kind is ET.STEP_FAILURE:
                self._finish(event.step_key, FAILED, out)
        self._running -= 1
        return self._hand_out(out) if self._ready else out

    def fail(self, step_key: str) -> Sequence[Instruction]:
        """Mark `step_key` failed without an event (its worker is gone)."""
        out: list[Instruction] = []
        self._finish(step_key, FAILED, out)
        return self._hand_out(out)

    # -- internals ----------------------------------------------------------------------
    def _hand_out(self, out: list[Instruction]) -> list[Instruction]:
        ready, status, steps, limit = self._ready, self.status, self.steps, self.max_concurrent
        while ready and (limit is None or self._running < limit):
            key = heapq.heappop(ready)[1]
            status[key] = RUNNING
            self._running += 1
            out.append(_tuple_new(Run, (steps[key],)))
        return out

    def _finish(self, key: str, state: str, out: list[Instruction]) -> None:
        status, waiting, downstream = self.status, self._waiting, self._downstream
        if state is SUCCEEDED and status.get(key) is RUNNING:
            # The common case, without the work list below: a running step succeeded, and
            # its dependents are released (or skipped, which goes on through the list).
            status[key] = SUCCEEDED
            self._remaining -= 1
            todo: list[tuple[str, str]] = []
            # While no step has failed or been skipped, a step in `_unchecked` is ready, as
            # `_release` would find (see `step_recipe.RunTables`).
            unchecked = self._unchecked if not self._not_succeeded else _NONE
            for down in downstream[key]:
                waiting[down] -= 1
                if not waiting[down] and status[down] is PENDING:
                    if down in unchecked:
                        heapq.heappush(self._ready, (self._position[down], down))
                        continue
                    skipped = self._release(down)
                    if skipped is not None:
                        out.append(Emit(skipped))
                        todo.append((down, SKIPPED))
            if not todo:
                return
        else:
            todo = [(key, state)]
        # Iterative, so a failure skipping a 10,000-step chain does not recurse 10,000 deep.
        while todo:
            key, state = todo.pop()
            if status.get(key) in _FINISHED:
                continue
            if key not in status:
                raise InvariantViolationError(f"no step {key!r} in this run")
            status[key] = state
            if state is not SUCCEEDED:
                self._not_succeeded.add(key)
            self._remaining -= 1
            for down in downstream[key]:  # each upstream step finishes once
                waiting[down] -= 1
                if not waiting[down] and status[down] is PENDING:
                    skipped = self._release(down)
                    if skipped is not None:
                        out.append(Emit(skipped))
                        todo.append((down, SKIPPED))

    def _release(self, key: str) -> Optional[Event]:
        """Queue `key` as ready, or return the STEP_SKIPPED event when it cannot run."""
        step = self.steps[key]
        reason = self._skip_reason(step)
        if reason is None:
            heapq.heappush(self._ready, (self._position[key], key))
            return None
        bad = tuple(sorted(u for u in step.upstream_keys if self.status[u] is not SUCCEEDED))
        return Event(ET.STEP_SKIPPED, self.run_id, self.job_name, key,
                     f"Skipped {key}: {reason}", StepSkippedData(reason, bad))

    def _skip_reason(self, step: Any) -> Optional[str]:
        failed = step.upstream_keys & self._not_succeeded if self._not_succeeded else None
        if failed:
            states = ", ".join(f"{u} {self.status[u]}" for u in sorted(failed))
            return f"upstream did not succeed ({states})"
        outputs, steps = self._outputs, self.steps
        for name, ups in step.inputs.items():
            for u in ups:
                if (u.step_key, u.output_name) in outputs or u.step_key not in steps:
                    break
            else:
                return f"input {name!r} was not produced (optional output not yielded)"
        return None

    def _add_steps(self, new: NewSteps) -> list[Instruction]:
        self._unchecked = frozenset()  # (the plan's table does not know the new steps' inputs)
        if not self._own_maps:
            self.steps = dict(self.steps)
            self._downstream = {k: list(v) for k, v in self._downstream.items()}
            self._position = dict(self._position)
            self._own_maps = True
        steps, downstream, position = self.steps, self._downstream, self._position
        for step in new.steps:
            if step.key in steps:
                raise InvariantViolationError(f"step {step.key!r} is already in the plan")
            steps[step.key] = step  # type: ignore[index]
            downstream[step.key] = []  # type: ignore[index]
            position[step.key] = len(position)  # type: ignore[index]
            self.status[step.key] = PENDING
            self._remaining += 1
        for waiter in {**new.dependents, **new.inputs}:
            if self.status.get(waiter) is not PENDING or not self._waiting.get(waiter):
                raise InvariantViolationError(
                    f"step {waiter!r} cannot wait on new steps: it is no longer pending")
            keys = new.dependents.get(waiter, ())
            steps[waiter] = _with_upstream(steps[waiter], keys, new.inputs.get(waiter))  # type: ignore[index]
            self._waiting[waiter] += len(keys)
            for k in keys:
                downstream[k].append(waiter)  # type: ignore[union-attr]
        out: list[Instruction] = []
        for step in new.steps:
            waiting = 0
            for up in step.upstream_keys:
                if up not in steps:
                    raise InvariantViolationError(f"new step {step.key!r} waits on unknown {up!r}")
                if self.status[up] in _FINISHED:
                    continue
                waiting += 1
                if step.key not in downstream[up]:
                    downstream[up].append(step.key)  # type: ignore[union-attr]
            self._waiting[step.key] = waiting
        for step in new.steps:  # a step skipped above, behind a skipped new step, is finished
            if not self._waiting[step.key] and self.status[step.key] is PENDING:
                skipped = self._release(step.key)
                if skipped is not None:
                    out.append(Emit(skipped))
                    self._finish(step.key, SKIPPED, out)
        return self._hand_out(out)


def _with_upstream(step: Any, keys: Iterable[str],
                   inputs: Optional[Mapping[str, Sequence[Any]]] = None) -> Any:
    """`step` also waiting on `keys` and reading `inputs` (steps are treated as immutable:
    a new one)."""
    reads = step.inputs
    if inputs:
        reads = dict(reads)
        for name, ups in inputs.items():
            reads[name] = (*reads.get(name, ()), *ups)
    return step.__class__(step.key, step.node, step.partition_key,
                          step.upstream_keys | frozenset(keys), reads, step.mapping_key)


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
    def state(self) -> dict[str, str]:
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
