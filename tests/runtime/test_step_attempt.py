"""One attempt of a step (runtime/step_attempt.py): what it records, and what it returns when
it fails, as the run context's retries and failure event read it."""

from __future__ import annotations

from specrun import Failure, job, op
from specrun.runtime import step_attempt, step_events


@op
def one():
    return 1


@op
def fails(x):
    raise Failure("no rows", metadata={"rows": 0})


@job
def two_steps():
    fails(one())


def _attempt_of(step_key: str):
    run = two_steps.execute_in_process(raise_on_error=False)._ctx
    step = run.plan.steps[step_key]
    events: list = []
    return run, step, events, step_attempt.run_attempt(run, step, run.recipe(step.node), 0, events)


def test_a_successful_attempt_returns_no_error_and_ends_its_events_with_step_success():
    _run, _step, events, (error, summary) = _attempt_of("one")
    assert error is None and summary is step_events.PLAIN_OUTPUT  # (a plain step's: it knows)
    assert [e.event_type_value for e in events] == ["STEP_OUTPUT", "HANDLED_OUTPUT", "STEP_SUCCESS"]
    assert events[-1].message == 'Finished execution of step "one".'


def test_a_failed_attempt_returns_the_error_and_its_failure_event_carries_the_users_failure():
    run, step, events, (error, summary) = _attempt_of("fails")
    assert summary is None
    exc, info, kind = error
    assert isinstance(exc, Failure) and kind == "user"
    assert info.message == "specrun.errors.Failure: no rows"
    assert [e.event_type_value for e in events] == ["LOADED_INPUT"]  # (no STEP_SUCCESS)
    failed = step_attempt.failure_event(run, step, error)
    assert (failed.event_type_value, failed.level, failed.message) == (
        "STEP_FAILURE", 40, 'Execution of step "fails" failed.')
    assert failed.data.user_failure_data == {"description": "no rows", "metadata": {"rows": 0}}
    assert failed.data.error is info and failed.data.kind == "user"
