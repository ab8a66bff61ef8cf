"""The run's scheduler, with no IO: events in, instructions out.

`RunState` holds the live state of one run of a plan and is driven by feeding it what
happened (`handle(stimulus)`); it answers with instructions: `Run(step)` (submit this step)
and `Emit(event)` (report this event, a STEP_SKIPPED). It never runs a step, waits, or
touches a process; every executor (in process, a process pool, Dask, a custom one through
`ActiveExecution`) drives the same one and differs only in how it submits a step.

State (a run's own tables are small or fill as steps end, in the order they end: a table
keyed by every step, made when a run starts and freed when it ends, touched each key twice
long apart from its step; 10,000-step runs spent more in cache misses there than in work):

    steps       the plan's steps, plus steps added at run time (`NewSteps`)
    downstream  step -> steps that wait on it (the plan's, copied on the first `NewSteps`)
    needs       step -> how many upstream steps it waits on (the plan's, copied likewise)
    arrived     step -> how many of them finished, for a step waiting on more than one
    codes       plan position -> the step's code (`_WAITING` ...; `status` names them)
    ready       heap of (plan position, step key): released, not yet submitted
    running     how many submitted steps the executor has not said `StepDone` for
    results     plan position -> whether the step yielded an output named "result" (most
                steps' one output); outputs: the other (step, output) pairs yielded (an
                optional output may not be)

A finished step counts for its dependents only (O(out-degree)); a dependent whose upstream
steps have all finished is ready, or skipped when an upstream failed or was skipped or an
input it reads was not produced — and a skipped step finishes too, so skips run on through
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
from typing import Any, Mapping, Optional, Sequence

from ..errors import InvariantViolationError
from .events import ET, Event, StepSkippedData
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
        self._downstream: Mapping[str, Sequence[str]] = plan.downstream
        self._position: Mapping[str, int] = plan.positions
        self._expand = getattr(plan, "expand_dynamic", None)
        self._own_maps = False  # copied from the (shared, cached) plan on the first NewSteps
        # The plan's `job_plan.RunTables`, if it has them (not for a custom executor,
        # `ActiveExecution`: it may feed fewer events than ours).
        tables = getattr(plan, "run_tables", None) if use_run_tables else None
        if tables is not None:
            self._needs: Mapping[str, int] = tables.waiting  # (read only: the plan's)
            self._unchecked: frozenset = tables.unchecked
            self._roots = tables.roots
        else:
            self._needs = {k: len(s.upstream_keys) for k, s in self.steps.items()}
            self._unchecked = frozenset()
            self._roots = None
        self._tables = tables
        # A step's code by plan position (`_WAITING` ...): one small array a run, in place of
        # a table keyed by step, whose every key a run touched (made, then freed) long apart.
        self._codes = bytearray(len(self._position))
        self._arrived: dict[str, int] = {}  # finished upstream steps of a step waiting on several
        self._ready: list[tuple[int, str]] = []
        self._running = 0
        self._remaining = len(self.steps)
        self._results = bytearray(len(self._codes))  # by plan position: yielded "result"
        self._outputs: set[tuple[str, str]] = set()  # the other (step, output) pairs yielded
        self._not_succeeded: set[str] = set()  # failed or skipped

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
        if roots is None:  # (in plan order, so already a heap)
            position = self._position
            roots = sorted((position[k], k) for k, count in self._needs.items() if not count)
            if self._tables is not None:  # worked out once per plan
                self._tables.roots = roots
        self._ready = list(roots)
        codes = self._codes
        for p, _ in roots:
            codes[p] = _READY
        return self._hand_out([])

    def handle(self, stimulus: Any) -> Sequence[Instruction]:
        """Take one stimulus (see the module docstring); return what to do next."""
        if stimulus.__class__ is Event:
            kind = stimulus.event_type
            if kind is ET.STEP_OUTPUT:
                self._yielded(stimulus.step_key, stimulus.data.output_name)
                if self._expand is not None:
                    new = self._expand(stimulus)
                    if new is not None:
                        return self._add_steps(new)
                return _NONE
            if kind is ET.STEP_SUCCESS:
                out: list[Instruction] = []
                self._finish(stimulus.step_key, _SUCCEEDED, out)
                return self._hand_out(out) if self._ready else out
            if kind is ET.STEP_FAILURE:
                out = []
                self._finish(stimulus.step_key, _FAILED, out)
                return self._hand_out(out)
            return _NONE
        if isinstance(stimulus, StepDone):
            if stimulus.step_key not in self._position:
                raise InvariantViolationError(f"StepDone for unknown step {stimulus.step_key!r}")
            self._running -= 1
            return self._hand_out([]) if self._ready else _NONE
        if isinstance(stimulus, NewSteps):
            return self._add_steps(stimulus)
        raise InvariantViolationError(f"the scheduler cannot handle {stimulus!r}")

    def step_ended(self, step_key: str, events: Sequence[Event]) -> Sequence[Instruction]:
        """`handle` of each of a step's events (in order), then of `StepDone(step_key)`, in
        one call: what an executor that has all of a step's events at once feeds."""
        if step_key not in self._position:
            raise InvariantViolationError(f"StepDone for unknown step {step_key!r}")
        out: list[Instruction] = []
        for event in events:
            kind = event.event_type
            if kind is ET.STEP_OUTPUT:
                self._yielded(event.step_key, event.data.output_name)
                if self._expand is not None:
                    new = self._expand(event)
                    if new is not None:
                        out.extend(self._add_steps(new))
            elif kind is ET.STEP_SUCCESS:
                self._finish(event.step_key, _SUCCEEDED, out)
            elif kind is ET.STEP_FAILURE:
                self._finish(event.step_key, _FAILED, out)
        self._running -= 1
        return self._hand_out(out) if self._ready else out

    def fail(self, step_key: str) -> Sequence[Instruction]:
        """Mark `step_key` failed without an event (its worker is gone)."""
        out: list[Instruction] = []
        self._finish(step_key, _FAILED, out)
        return self._hand_out(out)

    # -- internals ----------------------------------------------------------------------
    def _hand_out(self, out: list[Instruction]) -> list[Instruction]:
        ready, codes, steps, limit = self._ready, self._codes, self.steps, self.max_concurrent
        while ready and (limit is None or self._running < limit):
            position, key = heapq.heappop(ready)
            codes[position] = _RUNNING
            self._running += 1
            out.append(_tuple_new(Run, (steps[key],)))
        return out

    def _finish(self, key: str, state: int, out: list[Instruction]) -> None:
        codes, position, downstream = self._codes, self._position, self._downstream
        at = position.get(key)
        if state == _SUCCEEDED and at is not None and codes[at] == _RUNNING:
            # The common case, without the work list below: a running step succeeded, and
            # its dependents are released (or skipped, which goes on through the list).
            codes[at] = _SUCCEEDED
            self._remaining -= 1
            todo: list[tuple[str, int]] = []
            # While no step has failed or been skipped, a step in `_unchecked` is ready, as
            # `_release` would find (see `job_plan.RunTables`).
            unchecked = self._unchecked if not self._not_succeeded else _NONE
            needs, arrived = self._needs, self._arrived
            for down in downstream[key]:
                need = needs[down]
                if need != 1:  # (most steps wait on one: nothing to count)
                    got = arrived[down] = arrived.get(down, 0) + 1
                    if got < need:
                        continue
                at = position[down]
                if codes[at] == _WAITING:
                    if down in unchecked:
                        codes[at] = _READY
                        heapq.heappush(self._ready, (at, down))
                        continue
                    skipped = self._release(down, at)
                    if skipped is not None:
                        out.append(Emit(skipped))
                        todo.append((down, _SKIPPED))
            if not todo:
                return
        else:
            todo = [(key, state)]
        # Iterative, so a failure skipping a 10,000-step chain does not recurse 10,000 deep.
        while todo:
            key, state = todo.pop()
            at = position.get(key)
            if at is None:
                raise InvariantViolationError(f"no step {key!r} in this run")
            if codes[at] >= _SUCCEEDED:
                continue
            codes[at] = state
            if state != _SUCCEEDED:
                self._not_succeeded.add(key)
            self._remaining -= 1
            for down in downstream[key]:  # each upstream step finishes once
                if self._left(down, 1):
                    continue
                at = position[down]
                if codes[at] == _WAITING:
                    skipped = self._release(down, at)
                    if skipped is not None:
                        out.append(Emit(skipped))
                        todo.append((down, _SKIPPED))

    def _left(self, key: str, finished: int = 0) -> int:
        """How many upstream steps `key` still waits on, after `finished` more finished."""
        need = self._needs[key]
        if not finished:
            return need - self._arrived.get(key, 0)
        got = self._arrived[key] = self._arrived.get(key, 0) + finished
        return need - got

    def _yielded(self, key: str, name: str) -> None:
        """Note output `name` of step `key` as yielded: most steps' one output is "result",
        a flag by plan position (no pair made, kept and freed a step)."""
        at = self._position.get(key) if name == "result" else None
        if at is None:
            self._outputs.add((key, name))
        else:
            self._results[at] = 1

    def _was_yielded(self, key: str, name: str) -> bool:
        at = self._position.get(key) if name == "result" else None
        return (at is not None and self._results[at] == 1) or (key, name) in self._outputs

    def _release(self, key: str, at: int) -> Optional[Event]:
        """Queue `key` (at plan position `at`) as ready, or return the STEP_SKIPPED event
        when it cannot run."""
        step = self.steps[key]
        reason = self._skip_reason(step)
        if reason is None:
            self._codes[at] = _READY
            heapq.heappush(self._ready, (at, key))
            return None
        status = self.status
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
        return None

    def _add_steps(self, new: NewSteps) -> list[Instruction]:
        self._unchecked = frozenset()  # (the plan's table does not know the new steps' inputs)
        if not self._own_maps:
            self.steps = dict(self.steps)
            self._downstream = {k: list(v) for k, v in self._downstream.items()}
            self._position = dict(self._position)
            self._needs = dict(self._needs)
            self._own_maps = True
        steps, downstream, position, codes = self.steps, self._downstream, self._position, self._codes
        for step in new.steps:
            if step.key in steps:
                raise InvariantViolationError(f"step {step.key!r} is already in the plan")
            steps[step.key] = step  # type: ignore[index]
            downstream[step.key] = []  # type: ignore[index]
            position[step.key] = len(codes)  # type: ignore[index]
            codes.append(_WAITING)
            self._results.append(0)
            self._remaining += 1
        for waiter in {**new.dependents, **new.inputs}:
            at = position.get(waiter)
            if at is None or codes[at] != _WAITING or not self._left(waiter):
                raise InvariantViolationError(
                    f"step {waiter!r} cannot wait on new steps: it is no longer pending")
            keys = new.dependents.get(waiter, ())
            steps[waiter] = with_upstream(steps[waiter], keys, new.inputs.get(waiter))  # type: ignore[index]
            self._needs[waiter] += len(keys)  # type: ignore[index]
            for k in keys:
                downstream[k].append(waiter)  # type: ignore[union-attr]
        out: list[Instruction] = []
        for step in new.steps:
            waiting = 0
            for up in step.upstream_keys:
                if up not in steps:
                    raise InvariantViolationError(f"new step {step.key!r} waits on unknown {up!r}")
                if codes[position[up]] >= _SUCCEEDED:
                    continue
                waiting += 1
                if step.key not in downstream[up]:
                    downstream[up].append(step.key)  # type: ignore[union-attr]
            self._needs[step.key] = waiting  # type: ignore[index]
        for step in new.steps:  # a step skipped above, behind a skipped new step, is finished
            at = position[step.key]
            if not self._left(step.key) and codes[at] == _WAITING:
                skipped = self._release(step.key, at)
                if skipped is not None:
                    out.append(Emit(skipped))
                    self._finish(step.key, _SKIPPED, out)
        return self._hand_out(out)
