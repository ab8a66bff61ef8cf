"""What a step's events say (runtime/step_events.py): `summarize` reads them as each reader's
own rule did, and a plain step's own summary is what `summarize` reads of its events."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from specrun import asset, get_dagster_logger, job, materialize_to_memory, op
from specrun.runtime.events import ET, DagsterEventType, Event
from specrun.runtime.log import current_step_log
from specrun.runtime.step_events import (DURABLE_TYPES, PLAIN_ASSET_OUTPUT, PLAIN_OUTPUT,
                                         RUN_EVENT_TYPES, STATE_EVENT_TYPES, STEP_END_TYPES,
                                         STEP_ENDS, summarize)


def _read(summary, events):
    """A summary's answers as the events themselves (a position may count from the end)."""
    picked = [[events[at] for at in getattr(summary, name)]
              for name in ("state_at", "materialized_at", "durable_at", "ended_at", "failed_at")]
    return picked + [summary.ends_in_head]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list(DagsterEventType) + ["STEP_OUTPUT", "STEP_FAILURE"]), max_size=9))
def test_a_summary_names_the_events_each_reader_looked_for(kinds):
    events = [Event(kind, "r", "j", f"s{i}") for i, kind in enumerate(kinds)]
    assert _read(summarize(events), events) == [
        [e for e in events if e.event_type in STATE_EVENT_TYPES],  # (the scheduler's)
        [e for e in events if e.event_type is ET.ASSET_MATERIALIZATION],  # (the instance's)
        [e for e in events if e.event_type in DURABLE_TYPES],
        [e for e in events if e.event_type in STEP_ENDS],  # (step_ends's)
        [e for e in events if e.event_type is ET.STEP_FAILURE],
        any(e.event_type in RUN_EVENT_TYPES | STEP_END_TYPES for e in events[:-1]),
    ]


def _step_lists(result):
    """Each step of a finished run run again in its context: (its events, its summary)."""
    ctx = result._ctx
    held = current_step_log.set(ctx.log_slot)  # (as `api._drive` holds it while a run reads)
    try:
        return {key: ctx.run_started_step(step) for key, step in ctx.plan.steps.items()}
    finally:
        current_step_log.reset(held)


@op
def first():
    return 1


@op
def loud(x):
    get_dagster_logger().info("logged by the step's function")
    return x + 1


@op
def both(x, y):
    return x + y


@job
def plain_ops():
    one = first()
    both(loud(one), one)


def test_a_plain_op_step_says_what_summarize_reads_of_its_events():
    ran = _step_lists(plain_ops.execute_in_process())
    assert set(ran) == {"first", "loud", "both"}
    for key, (events, summary) in ran.items():
        assert summary is PLAIN_OUTPUT, key
        assert _read(summary, events) == _read(summarize(events), events), key
    assert [e.event_type_value for e in ran["loud"][0]] == [
        "LOADED_INPUT", "LOG_MESSAGE", "STEP_OUTPUT", "HANDLED_OUTPUT", "STEP_SUCCESS"]


@asset
def upstream():
    return 1


@asset
def logs(upstream):
    get_dagster_logger().info("an asset's function logs")
    return upstream + 1


@asset
def joined(upstream, logs):
    return upstream + logs


def test_a_plain_asset_step_says_what_summarize_reads_of_its_events():
    ran = _step_lists(materialize_to_memory([upstream, logs, joined]))
    assert set(ran) == {"upstream", "logs", "joined"}
    for key, (events, summary) in ran.items():
        assert summary is PLAIN_ASSET_OUTPUT, key
        assert _read(summary, events) == _read(summarize(events), events), key
    assert [e.event_type_value for e in ran["joined"][0]] == [
        "LOADED_INPUT", "LOADED_INPUT", "STEP_OUTPUT", "HANDLED_OUTPUT", "ASSET_MATERIALIZATION",
        "STEP_SUCCESS"]


@asset
def with_context(context):
    context.log.info("a step with a context is not a plain one")
    return 2


def test_a_step_that_is_not_plain_does_not_say_and_is_read_by_summarize():
    ran = _step_lists(materialize_to_memory([with_context]))
    events, summary = ran["with_context"]
    assert summary is None  # (`api._drive` asks `summarize`)
    assert [events[at].event_type_value for at in summarize(events).state_at] == [
        "STEP_OUTPUT", "STEP_SUCCESS"]
