"""Reading a run's events: which steps ended, which failed."""

from __future__ import annotations

from specrun.runtime.events import ET, STEP_ENDS, DagsterEventType, Event, ended_steps


def _old_ended_steps(events):
    """What `api._drive` computed before `ended_steps`: two passes, a set look-up per event."""
    finished = {e.step_key for e in events if e.event_type in STEP_ENDS}
    failed = tuple(sorted(e.step_key for e in events if e.event_type is ET.STEP_FAILURE))
    return finished, failed


def test_ended_steps_are_the_steps_with_an_end_event_and_the_failed_ones_sorted():
    types = list(DagsterEventType) + ["STEP_SUCCESS", "STEP_FAILURE", "OTHER", None]
    events = [Event(t, "run", "job", step_key=f"s{i % 7}" if i % 5 else None)
              for i, t in enumerate(types * 3)]
    events += [Event(ET.STEP_FAILURE, "run", "job", step_key=k) for k in ("z", "a", "m", "a")]
    finished, failed = ended_steps(events)
    assert (finished, failed) == _old_ended_steps(events)
    # (the plain strings and None are no DagsterEventType: looked up as before, and a plain
    # "STEP_FAILURE" ends a step without failing it, as before)
    assert failed == ("a", "a", "m", "s0", "s3", "s6", "z")
    assert finished == {"a", "m", "z", None} | {f"s{i}" for i in range(7)}
    assert ended_steps([]) == (set(), ())


def test_step_ends_read_as_the_list_grows_are_the_ended_steps_of_all_the_events():
    """`_drive` reads the events it records a batch at a time (`StepEnds`), instead of in one
    pass over all of them when the run ends: the same steps, and the failed ones sorted."""
    from specrun.runtime.events import StepEnds

    types = list(DagsterEventType) + ["STEP_FAILURE", None]
    events = [Event(t, "run", "job", step_key=f"s{i % 11}") for i, t in enumerate(types * 4)]
    events += [Event(ET.STEP_FAILURE, "run", "job", step_key=k) for k in ("q", "b", "q")]
    ends, grown = StepEnds(), []
    for start in range(0, len(events), 6):
        grown.extend(events[start:start + 6])
        if start % 12:
            ends.read(grown)
    assert ends.result(grown) == ended_steps(events)
    assert ends.seen == len(events)
    assert ends.result(grown)[1] == ("b", "q", "q", "s6", "s7", "s8", "s9")
    assert ends.result(grown)[0] == {"b", "q"} | {f"s{i}" for i in (0, 1, 2, 5, 6, 7, 8, 9, 10)}
