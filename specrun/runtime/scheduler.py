"""The run's scheduler, with no IO: events in, instructions out.

`RunState` holds the live state of one run of a plan and is driven by feeding it what
happened (`handle(stimulus)`); it answers with instructions: `Run(step)` (submit this step)
and `Emit(event)` (report this event, a STEP_SKIPPED). It never runs a step, waits, or
touches a process; every executor (in process, a process pool, Dask, a custom one through
`ActiveExecution`) drives the same one and differs only in how it submits a step.

State, by plan position (a run's own tables are small or fill as steps end, in the order they
end; the plan's are read by position, in the order the run goes through the plan: a table
keyed by every step, made when a run starts and freed when it ends, or looked up at a random
place a step, touched each key long apart from its step; 10,000-step runs spent more in
cache misses there than in work):

    steps       step -> the step: the plan's, plus steps added at run time (`NewSteps`);
                positions, step -> its plan position (a step added gets the next)
    step_at, down_at, need_at, unchecked
                position -> the step, the steps waiting on it, how many
                upstream steps it waits on, whether it is unchecked: the plan's
                `plan_tables.RunTables` (copied on the first `NewSteps`)
    arrived     position -> how many upstream steps finished, for a step waiting on several
    codes       position -> the step's code (`_WAITING` ...; `status` names them)
    ready       heap of the positions of steps released, not yet submitted
    roots_left  the positions of the steps waiting on none not yet submitted, largest
                first: the next is popped from the end, without the heap's ~13 levels of
                comparisons of positions a pop at 10,000 roots (a fan-in's), each reading
                two int objects out of cache
    running     how many submitted steps the executor has not said `StepDone` for
    results     position -> whether the step yielded an output named "result" (most
                steps' one output); outputs: the other (step, output) pairs yielded (an
                optional output may not be)

A finished step counts for its dependents only (O(out-degree)); a dependent whose upstream
steps have all finished is ready, or skipped when an upstream failed or was skipped or an
input it reads was not produced, or an asset it depends on (`deps=`) was left out by the
step producing it (`plan_tables.optional_deps`) — and a skipped step finishes too, so skips
run on through everything downstream. Ready steps are handed out in plan order (the plan is a
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
from typing import Any, Mapping, Optional, Sequence

from ..errors import InvariantViolationError
from .events import ET, Event, StepSkippedData
from .plan_tables import RunTables, optional_deps
from .step_events import Summary
from .scheduler_messages import (  # (the stimuli and instructions are imported from here too)
    FAILED, PENDING, RUNNING, SKIPPED, STATE_EVENT_TYPES, SUCCEEDED, Emit, Instruction, NewSteps,
    Run, StatusView, StepDone, with_upstream,
)

# A step's code in `RunState._codes` (`STATUS_OF_CODE` names each): waiting on upstream
# steps, ready (released, not handed out yet: still pending), running, then finished.
_WAITING, _READY, _RUNNING, _SUCCEEDED, _FAILED, _SKIPPED = range(6)

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
        self._position: Mapping[str, int] = plan.positions
        self._expand = getattr(plan, "expand_dynamic", None)
        self._own_maps = False  # copied from the (shared, cached) plan on the first NewSteps
        # The plan's `RunTables`, if it has them (not for a custom executor,
        # `ActiveExecution`: it may feed fewer events than ours), else this run's own.
        tables = getattr(plan, "run_tables", None) if use_run_tables else None
        if tables is None:
            tables = RunTables(plan)
        self._step_at: Sequence[Any] = tables.steps  # (read only while the plan's)
        self._down_at: Sequence[Sequence[str]] = tables.downstream
        self._need_at: Sequence[int] = tables.waiting
        self._unchecked: Optional[bytearray] = tables.unchecked
        self._roots = tables.roots
        # A step's code by plan position (`_WAITING` ...): one small array a run, in place of
        # a table keyed by step, whose every key a run touched (made, then freed) long apart.
        self._codes = bytearray(len(self._step_at))
        self._arrived: dict[int, int] = {}  # finished upstream steps of a step waiting on several
        self._ready: list[int] = []  # (plan positions)
        self._roots_left: list[int] = []
        self._running = 0
        self._remaining = len(self.steps)
        self._results = bytearray(len(self._codes))  # by plan position: yielded "result"
        self._outputs: set[tuple[str, str]] = set()  # the other (step, output) pairs yielded
        self._not_succeeded: set[str] = set()  # failed or skipped
        # The step handed out last and its position: an in-process run's one running step,
        # whose end comes next, found without a look-up by key.
        self._handed_key: Optional[str] = None
        self._handed_at = 0

    # -- queries ------------------------------------------------------------------------
    @property
    def status(self) -> Mapping[str, str]:
        """step -> pending | running | succeeded | failed | skipped (a live view)."""
        return StatusView(self)

    @property
    def is_complete(self) -> bool:
        """Every step has succeeded, failed or been skipped."""
        return self._remaining == 0

    @property
    def running(self) -> int:
        """Submitted steps the executor has not reported `StepDone` for."""
        return self._running

    def unfinished_step_keys(self) -> list[str]:
        codes = self._codes
        return [k for k, p in self._position.items() if codes[p] < _SUCCEEDED]

    # -- stimuli ------------------------------------------------------------------------
    def start(self) -> list[Instruction]:
        """The first instructions: the steps with nothing upstream."""
        roots = self._roots
        codes = self._codes
        for p in roots:
            codes[p] = _READY
        self._roots_left = roots[::-1]
        return self._hand_out([])

    def handle(self, stimulus: Any) -> Sequence[Instruction]:
        """Take one stimulus (see the module docstring); return what to do next."""
        if isinstance(stimulus, Event):
            kind = stimulus.event_type
            if kind is ET.STEP_OUTPUT:
                key = stimulus.step_key
                self._yielded(key, self._at(key), stimulus.data.output_name)
                if self._expand is not None:
                    new = self._expand(stimulus)
                    if new is not None:
                        return self._add_steps(new)
                return _NONE
            if kind is ET.STEP_SUCCESS:
                out: list[Instruction] = []
                self._finish(self._at(stimulus.step_key), stimulus.step_key, _SUCCEEDED, out)
                return self._hand_out(out) if self._ready or self._roots_left else out
            if kind is ET.STEP_FAILURE:
                out = []
                self._finish(self._at(stimulus.step_key), stimulus.step_key, _FAILED, out)
                return self._hand_out(out)
            return _NONE
        if isinstance(stimulus, StepDone):
            if self._at(stimulus.step_key) is None:
                raise InvariantViolationError(f"StepDone for unknown step {stimulus.step_key!r}")
            self._running -= 1
            return self._hand_out([]) if self._ready or self._roots_left else _NONE
        if isinstance(stimulus, NewSteps):
            return self._add_steps(stimulus)
        raise InvariantViolationError(f"the scheduler cannot handle {stimulus!r}")

    def step_ended(self, step_key: str, events: Sequence[Event],
                   summary: Optional[Summary] = None) -> Sequence[Instruction]:
        """`handle` of each of a step's events (in order), then of `StepDone(step_key)`, in
        one call: what an executor that has all of a step's events at once feeds. Given what
        they say (`summary`), only those that change the state are read (the others would
        change nothing)."""
        # (`self._at(step_key)`, inlined: most often the step handed out last)
        at = self._handed_at if step_key is self._handed_key else self._position.get(step_key)
        if at is None:
            raise InvariantViolationError(f"StepDone for unknown step {step_key!r}")
        out: list[Instruction] = []
        for event_at in range(len(events)) if summary is None else summary.state_at:
            event = events[event_at]
            kind = event.event_type
            if kind is ET.STEP_OUTPUT:
                key = event.step_key
                self._yielded(key, at if key is step_key else self._at(key), event.data.output_name)
                if self._expand is not None:
                    new = self._expand(event)
                    if new is not None:
                        out.extend(self._add_steps(new))
            elif kind is ET.STEP_SUCCESS:
                key = event.step_key
                self._finish(at if key is step_key else self._at(key), key, _SUCCEEDED, out)
            elif kind is ET.STEP_FAILURE:
                key = event.step_key
                self._finish(at if key is step_key else self._at(key), key, _FAILED, out)
        self._running -= 1
        return self._hand_out(out) if self._ready or self._roots_left else out

    def fail(self, step_key: str) -> Sequence[Instruction]:
        """Mark `step_key` failed without an event (its worker is gone)."""
        out: list[Instruction] = []
        self._finish(self._at(step_key), step_key, _FAILED, out)
        return self._hand_out(out)

    # -- internals ----------------------------------------------------------------------
    def _at(self, key: str) -> Optional[int]:
        """The plan position of step `key` (None: no such step)."""
        if key is self._handed_key:
            return self._handed_at
        return self._position.get(key)

    def _hand_out(self, out: list[Instruction]) -> list[Instruction]:
        ready, left, codes, step_at = self._ready, self._roots_left, self._codes, self._step_at
        limit = self.max_concurrent
        while (ready or left) and (limit is None or self._running < limit):
            # (the smallest position of the two: a root's, or a released step's)
            at = left.pop() if left and (not ready or left[-1] < ready[0]) else heapq.heappop(ready)
            codes[at] = _RUNNING
            self._running += 1
            step = step_at[at]
            out.append(_tuple_new(Run, (step,)))
            self._handed_key, self._handed_at = step.key, at
        return out

    def _finish(self, at: Optional[int], key: str, state: int, out: list[Instruction]) -> None:
        """Step `key`, at plan position `at` (None: not in the plan), ended in `state`."""
        codes, down_at = self._codes, self._down_at
        if state == _SUCCEEDED and at is not None and codes[at] == _RUNNING:
            # The common case, without the work list below: a running step succeeded, and
            # its dependents are released (or skipped, which goes on through the list).
            codes[at] = _SUCCEEDED
            self._remaining -= 1
            todo: list[tuple[int, int]] = []
            # While no step has failed or been skipped, an unchecked step is ready, as
            # `_release` would find (see `plan_tables.RunTables`).
            unchecked = self._unchecked if not self._not_succeeded else None
            need_at, arrived, position = self._need_at, self._arrived, self._position
            for down_key in down_at[at]:
                down = position[down_key]
                need = need_at[down]
                if need != 1:  # (most steps wait on one: nothing to count)
                    got = arrived[down] = arrived.get(down, 0) + 1
                    if got < need:
                        continue
                if codes[down] == _WAITING:
                    if unchecked is not None and unchecked[down]:
                        codes[down] = _READY
                        heapq.heappush(self._ready, down)
                        continue
                    skipped = self._release(down)
                    if skipped is not None:
                        out.append(Emit(skipped))
                        todo.append((down, _SKIPPED))
            if not todo:
                return
        elif at is None:
            raise InvariantViolationError(f"no step {key!r} in this run")
        else:
            todo = [(at, state)]
        # Iterative, so a failure skipping a 10,000-step chain does not recurse 10,000 deep.
        while todo:
            at, state = todo.pop()
            if codes[at] >= _SUCCEEDED:
                continue
            codes[at] = state
            if state != _SUCCEEDED:
                self._not_succeeded.add(self._step_at[at].key)
            self._remaining -= 1
            for down_key in down_at[at]:  # each upstream step finishes once
                down = self._position[down_key]
                if self._left(down, 1):
                    continue
                if codes[down] == _WAITING:
                    skipped = self._release(down)
                    if skipped is not None:
                        out.append(Emit(skipped))
                        todo.append((down, _SKIPPED))

    def _left(self, at: int, finished: int = 0) -> int:
        """How many upstream steps the step at `at` still waits on, after `finished` more
        finished."""
        need = self._need_at[at]
        if not finished:
            return need - self._arrived.get(at, 0)
        got = self._arrived[at] = self._arrived.get(at, 0) + finished
        return need - got

    def _yielded(self, key: str, at: Optional[int], name: str) -> None:
        """Note output `name` of step `key` (at plan position `at`) as yielded: most steps'
        one output is "result", a flag by plan position (no pair made, kept and freed a step)."""
        if name == "result" and at is not None:
            self._results[at] = 1
        else:
            self._outputs.add((key, name))

    def _was_yielded(self, key: str, name: str) -> bool:
        at = self._position.get(key) if name == "result" else None
        return (at is not None and self._results[at] == 1) or (key, name) in self._outputs

    def _release(self, at: int) -> Optional[Event]:
        """Queue the step at plan position `at` as ready, or return the STEP_SKIPPED event
        when it cannot run."""
        step = self._step_at[at]
        reason = self._skip_reason(step)
        if reason is None:
            self._codes[at] = _READY
            heapq.heappush(self._ready, at)
            return None
        status, key = self.status, step.key
        bad = tuple(sorted(u for u in step.upstream_keys if status[u] is not SUCCEEDED))
        return Event(ET.STEP_SKIPPED, self.run_id, self.job_name, key,
                     f"Skipped {key}: {reason}", StepSkippedData(reason, bad))

    def _skip_reason(self, step: Any) -> Optional[str]:
        failed = step.upstream_keys & self._not_succeeded if self._not_succeeded else None
        if failed:
            status = self.status
            states = ", ".join(f"{u} {status[u]}" for u in sorted(failed))
            return f"upstream did not succeed ({states})"
        steps = self.steps
        for name, ups in step.inputs.items():
            for u in ups:
                if u.step_key not in steps or self._was_yielded(u.step_key, u.output_name):
                    break
            else:
                return f"input {name!r} was not produced (optional output not yielded)"
        for up_key, name, key in optional_deps(step, steps):
            if not self._was_yielded(up_key, name):
                return (f"dep {key.to_user_string()!r} was not materialized (output {name!r} of "
                        f"{up_key!r} not yielded)")
        return None

    def _add_steps(self, new: NewSteps) -> list[Instruction]:
        self._unchecked = None  # (the plan's table does not know the new steps' inputs)
        if not self._own_maps:
            self.steps = dict(self.steps)
            self._position = dict(self._position)
            self._step_at = list(self._step_at)
            self._down_at = [list(downs) for downs in self._down_at]
            self._need_at = list(self._need_at)
            self._own_maps = True
        steps, position, codes = self.steps, self._position, self._codes
        step_at, down_at, need_at = self._step_at, self._down_at, self._need_at
        for step in new.steps:
            if step.key in steps:
                raise InvariantViolationError(f"step {step.key!r} is already in the plan")
            steps[step.key] = step  # type: ignore[index]
            position[step.key] = len(codes)  # type: ignore[index]
            step_at.append(step)  # type: ignore[attr-defined]
            down_at.append([])  # type: ignore[attr-defined]
            need_at.append(0)  # type: ignore[attr-defined]
            codes.append(_WAITING)
            self._results.append(0)
            self._remaining += 1
        for waiter in {**new.dependents, **new.inputs}:
            at = position.get(waiter)
            if at is None or codes[at] != _WAITING or not self._left(at):
                raise InvariantViolationError(
                    f"step {waiter!r} cannot wait on new steps: it is no longer pending")
            keys = new.dependents.get(waiter, ())
            step_at[at] = steps[waiter] = with_upstream(  # type: ignore[index]
                steps[waiter], keys, new.inputs.get(waiter))
            need_at[at] += len(keys)  # type: ignore[index]
            for k in keys:
                down_at[position[k]].append(waiter)  # type: ignore[attr-defined]
        out: list[Instruction] = []
        for step in new.steps:
            at, waiting = position[step.key], 0
            for up in step.upstream_keys:
                if up not in steps:
                    raise InvariantViolationError(f"new step {step.key!r} waits on unknown {up!r}")
                up_at = position[up]
                if codes[up_at] >= _SUCCEEDED:
                    continue
                waiting += 1
                if step.key not in down_at[up_at]:
                    down_at[up_at].append(step.key)  # type: ignore[attr-defined]
            need_at[at] = waiting  # type: ignore[index]
        for step in new.steps:  # a step skipped above, behind a skipped new step, is finished
            at = position[step.key]
            if not self._left(at) and codes[at] == _WAITING:
                skipped = self._release(at)
                if skipped is not None:
                    out.append(Emit(skipped))
                    self._finish(at, step.key, _SKIPPED, out)
        return self._hand_out(out)
