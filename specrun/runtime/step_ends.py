"""Which steps a run's events say ended, and which of them failed (`api._drive` reads
them as the run records its events)."""

from __future__ import annotations

from typing import Iterable, Optional

from .events import ET, DagsterEventType, Event
from .step_events import STEP_ENDS, Summary


def ended_steps(events: list[Event]) -> tuple[set, tuple]:
    """(the steps whose end the events record, the failed ones sorted), in one pass."""
    return StepEnds().result(events)


class StepEnds:
    """The steps whose end a growing list of a run's events records, read a batch at a time
    while in cache (a pass when a 10,000-step run ends: ~6 simulated cache misses a step).

    Without `finished`, only the failed ones: for an executor that says whether every step
    ended (`RunContext.steps_all_ended`), no table of all the steps is made (at 10,000
    steps, each key went in, was looked up once the run ended, and out: ~4 simulated cache
    misses a step)."""

    READ_EVERY = 24  # events read together (in process: STEP_STARTs yielded alone, ~24 steps')
    __slots__ = ("finished", "failed", "seen")

    def __init__(self, finished: bool = True) -> None:
        self.finished: Optional[set] = set() if finished else None
        self.failed: list = []
        self.seen = 0  # events of the list read

    def read(self, events: list[Event]) -> int:
        """Read the events added to `events` since the last call; returns `READ_EVERY`. A
        DagsterEventType is in `STEP_ENDS` when it is one of them: compared by identity."""
        success, failure, skipped = ET.STEP_SUCCESS, ET.STEP_FAILURE, ET.STEP_SKIPPED
        finished, failed = self.finished, self.failed
        new = events[self.seen:] if self.seen else events
        self.seen = len(events)
        if finished is None:
            failed.extend([e.step_key for e in new if e.event_type is failure])
            return self.READ_EVERY
        for e in new:
            t = e.event_type
            if t is success or t is skipped or (t.__class__ is not DagsterEventType and t in STEP_ENDS):
                finished.add(e.step_key)
            elif t is failure:
                finished.add(e.step_key)
                failed.append(e.step_key)
        return self.READ_EVERY

    def read_step(self, events: list[Event], summary: Summary) -> None:
        """Read a step's events, by what they say (`summary`), instead of in the list `read`
        is given (`api._drive` leaves them out of it)."""
        if self.finished is not None:
            self.finished.update([events[at].step_key for at in summary.ended_at])
        if summary.failed_at:
            self.failed.extend([events[at].step_key for at in summary.failed_at])

    def result(self, events: list[Event]) -> tuple[Optional[set], tuple]:
        self.read(events)  # (what is left of it)
        return self.finished, tuple(sorted(self.failed))

    def unrun_and_failed(self, events: list[Event], steps: Iterable[str],
                         all_ended: Optional[bool], everything: Optional[list[Event]] = None
                         ) -> tuple[list, tuple]:
        """(the `steps` without an end, the failed steps sorted), once the run's events are
        all in; `all_ended`: the executor's word that every step ended (see `__init__`);
        `everything`: the run's events, when `events` are those not read by `read_step`."""
        finished, failed = self.result(events)
        if finished is None:
            if all_ended:
                return [], failed
            finished = ended_steps(events if everything is None else everything)[0]  # (it stopped part-way)
        return ([] if finished.issuperset(steps) else [k for k in steps if k not in finished]), failed
