"""Retry policies: the delay each retry waits, read from the STEP_UP_FOR_RETRY events.

Dagster's docs: LINEAR waits `attempt_num * delay`, EXPONENTIAL waits
`((2 ^ attempt_num) - 1) * delay`, attempt_num being 1 for the first retry
(https://docs.dagster.io/api/dagster/ops#dagster.Backoff). The delay is 1/64 s so the
expected waits are exact in binary and the test stays fast.
"""

import pytest

from tests.conformance.api import dg

DELAY = 1 / 64


def _waits(backoff):
    @dg.op(retry_policy=dg.RetryPolicy(max_retries=3, delay=DELAY, backoff=backoff))
    def always_fails():
        raise RuntimeError("down")

    @dg.job(executor_def=dg.in_process_executor)
    def retrying():
        always_fails()

    result = retrying.execute_in_process(raise_on_error=False)
    assert not result.success
    return [e.event_specific_data.seconds_to_wait for e in result.all_events
            if e.event_type == dg.DagsterEventType.STEP_UP_FOR_RETRY]


@pytest.mark.parametrize("backoff, multiples", [
    (None, [1, 1, 1]),
    ("LINEAR", [1, 2, 3]),
    ("EXPONENTIAL", [1, 3, 7]),
])
def test_each_retry_waits_the_delay_of_its_backoff(backoff, multiples):
    waits = _waits(None if backoff is None else dg.Backoff[backoff])
    assert waits == [m * DELAY for m in multiples]


def test_retry_attempts_for_node_counts_the_restarts():
    attempts = []

    @dg.op(retry_policy=dg.RetryPolicy(max_retries=2, delay=DELAY))
    def flaky():
        attempts.append(1)
        if len(attempts) < 3:
            raise RuntimeError("not yet")
        return 1

    @dg.op
    def steady() -> int:
        return 2

    @dg.job(executor_def=dg.in_process_executor)
    def recovering():
        flaky()
        steady()

    result = recovering.execute_in_process()
    assert result.success
    assert result.retry_attempts_for_node("flaky") == 2
    assert result.retry_attempts_for_node("steady") == 0
