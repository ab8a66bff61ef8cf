"""Reading a run's events: which steps ended, which failed."""

from __future__ import annotations

import pytest

from specrun.runtime.events import ET, DagsterEventType, Event
from specrun.runtime.step_ends import STEP_ENDS, StepEnds, ended_steps
from specrun.runtime.step_events import summarize


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


@pytest.mark.parametrize("finished", [True, False])
def test_step_lists_read_by_their_summary_end_the_same_steps_as_read_in_the_run_list(finished):
    """`_drive` hands each step's list to `read_step` with its summary and gives `read` the
    other events only: the same steps ended and failed as reading them all."""
    types = list(DagsterEventType) + ["STEP_FAILURE", None]
    lists = [[Event(t, "run", "job", step_key=f"s{i % 5}{j}") for i, t in enumerate(types[j:] + types[:j])]
             for j in range(6)]
    loose = [Event(ET.STEP_FAILURE, "run", "job", step_key=k) for k in ("q", "b")]
    everything, by_summary, rest = [], StepEnds(finished), []
    for j, events in enumerate(lists):
        everything += events + loose[j % 2:j % 2 + 1]
        rest += loose[j % 2:j % 2 + 1]
        by_summary.read_step(events, summarize(events))
        by_summary.read(rest)
    expected = StepEnds(finished).result(everything)
    assert by_summary.result(rest) == expected
    assert len(expected[1]) == 12 and (finished is False) is (expected[0] is None)
    steps = sorted(ended_steps(everything)[0] - {None}) + ["never"]
    assert by_summary.unrun_and_failed(rest, steps, None if finished else False, everything) == (
        ["never"], expected[1])


def test_without_finished_step_ends_reads_only_the_failed_steps_and_trusts_the_executors_word():
    """For an executor that says whether every step ended (in process), no table of the
    steps that did is made; without its word (it stopped part-way) they are read from all
    the events, as before."""
    events = [Event(ET.STEP_SUCCESS, "run", "job", step_key="a"),
              Event(ET.STEP_FAILURE, "run", "job", step_key="c"),
              Event(ET.STEP_SKIPPED, "run", "job", step_key="d"),
              Event(ET.STEP_FAILURE, "run", "job", step_key="b")]
    ends = StepEnds(finished=False)
    ends.read(events[:2])
    assert ends.result(events) == (None, ("b", "c"))
    steps = {"a": 0, "b": 1, "c": 2, "d": 3, "e": 4}
    assert StepEnds(finished=False).unrun_and_failed(events, steps, True) == ([], ("b", "c"))
    assert StepEnds(finished=False).unrun_and_failed(events, steps, False) == (["e"], ("b", "c"))
    assert StepEnds().unrun_and_failed(events, steps, None) == (["e"], ("b", "c"))


def test_an_in_process_run_is_told_by_its_scheduler_that_every_step_ended():
    from specrun import job, op

    @op
    def one():
        return 1

    @op
    def fails(x):
        raise ValueError(x)

    @job
    def two():
        fails(one())

    result = two.execute_in_process(raise_on_error=False)
    assert result._ctx.steps_all_ended is True
    assert not result.success and [e.step_key for e in result.get_step_failure_events()] == ["fails"]
