"""What a step's events say, to the readers of a run's events: a `Summary`.

Once a step's events are made, three readers each ask them something: the scheduler which
change its state (the outputs yielded, the step's end), the instance which it must do more
than buffer (a run's or a step's end, a record a lasting store writes at once) and which are
materializations, and the run which steps ended. The step that made the events knows the
answers (a plain step made them itself: `PLAIN_OUTPUT`, `PLAIN_ASSET_OUTPUT`); otherwise
`summarize` reads them, once. The readers take the summary with the events, and a reader
given events without one (a custom caller's) asks `summarize` too: one rule.
"""

from __future__ import annotations

from typing import Sequence

from .event_types import ET

# A run's own start and end events, and a step's end events.
RUN_EVENT_TYPES = frozenset((ET.RUN_START, ET.RUN_SUCCESS, ET.RUN_FAILURE, ET.RUN_CANCELED))
STEP_END_TYPES = frozenset((ET.STEP_SUCCESS, ET.STEP_FAILURE))
# What a store that outlives the process writes as soon as it is recorded.
DURABLE_TYPES = frozenset((ET.ASSET_MATERIALIZATION, ET.ASSET_CHECK_EVALUATION))
# The only events that change a run's scheduler: executors may pass just these to its `handle`.
STATE_EVENT_TYPES = frozenset((ET.STEP_OUTPUT, ET.STEP_SUCCESS, ET.STEP_FAILURE))
# The events that say a step ended (`step_ends.StepEnds`).
STEP_ENDS = frozenset((ET.STEP_SUCCESS, ET.STEP_FAILURE, ET.STEP_SKIPPED))

_ENDS = RUN_EVENT_TYPES | STEP_END_TYPES


class Summary:
    """What a list of events says, as positions in the list (a negative one counts from its
    end, as a subscript does), each in the list's order:

    state_at         the events that change the scheduler's state (`STATE_EVENT_TYPES`)
    materialized_at  the ASSET_MATERIALIZATION events
    durable_at       the `DURABLE_TYPES` events
    ended_at         the events that say a step ended (`STEP_ENDS`)
    failed_at        the STEP_FAILURE events
    ends_in_head     whether an event but the last is a run's start or end or a step's end
                     (`RUN_EVENT_TYPES`, `STEP_END_TYPES`)"""

    __slots__ = ("state_at", "materialized_at", "durable_at", "ended_at", "failed_at", "ends_in_head")

    def __init__(self, state_at: tuple, materialized_at: tuple, durable_at: tuple,
                 ended_at: tuple, failed_at: tuple, ends_in_head: bool) -> None:
        self.state_at, self.materialized_at, self.durable_at = state_at, materialized_at, durable_at
        self.ended_at, self.failed_at, self.ends_in_head = ended_at, failed_at, ends_in_head

    def __repr__(self) -> str:
        return "Summary(" + ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__) + ")"


def summarize(events: Sequence) -> Summary:
    """Read `events` (a list) once and say what they say (see `Summary`)."""
    state, materialized, durable, ended, failed = [], [], [], [], []
    ends_in_head = False
    last = len(events) - 1
    for at, event in enumerate(events):
        kind = event.event_type
        if kind in STATE_EVENT_TYPES:
            state.append(at)
        if kind in STEP_ENDS:
            ended.append(at)
            if kind is ET.STEP_FAILURE:
                failed.append(at)
        if kind in _ENDS and at != last:
            ends_in_head = True
        if kind in DURABLE_TYPES:
            durable.append(at)
            if kind is ET.ASSET_MATERIALIZATION:
                materialized.append(at)
    return Summary(tuple(state), tuple(materialized), tuple(durable), tuple(ended), tuple(failed),
                   ends_in_head)


# The events of a plain step that succeeded (`step_attempt`), as made: inputs loaded and what
# its function logged (none of which the summary names), then its output yielded and handled,
# its materialization for an asset, and STEP_SUCCESS.
PLAIN_OUTPUT = Summary((-3, -1), (), (), (-1,), (), False)
PLAIN_ASSET_OUTPUT = Summary((-4, -1), (-2,), (-2,), (-1,), (), False)
