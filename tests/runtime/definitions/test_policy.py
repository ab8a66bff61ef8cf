"""RetryPolicy's checks and the spec spellings of its enums (the delays are in
tests/runtime/test_execute.py and tests/conformance/test_retry_policy.py)."""

from __future__ import annotations

import pytest

from specrun.runtime.definitions.policy import Backoff, Jitter, RetryMode, RetryPolicy


def test_zero_retries_is_a_valid_policy():
    assert RetryPolicy(max_retries=0).max_retries == 0


def test_a_negative_retry_count_is_refused_with_its_rule():
    with pytest.raises(ValueError) as err:
        RetryPolicy(max_retries=-1)
    assert str(err.value) == "max_retries must be >= 0"


def test_a_backoff_without_a_delay_is_refused_with_its_rule():
    with pytest.raises(ValueError) as err:
        RetryPolicy(max_retries=2, backoff=Backoff.LINEAR)
    assert str(err.value) == "a backoff needs a delay"


@pytest.mark.parametrize("backoff, jitter, want_backoff, want_jitter", [
    ("linear", "full", Backoff.LINEAR, Jitter.FULL),
    ("Exponential", "plus_minus", Backoff.EXPONENTIAL, Jitter.PLUS_MINUS),
    ("LINEAR", None, Backoff.LINEAR, None),
])
def test_the_spec_spellings_of_backoff_and_jitter_become_their_enum_members(backoff, jitter, want_backoff,
                                                                            want_jitter):
    policy = RetryPolicy(max_retries=2, delay=1, backoff=backoff, jitter=jitter)
    assert policy.backoff is want_backoff
    assert policy.jitter is want_jitter
    assert policy == RetryPolicy(max_retries=2, delay=1, backoff=want_backoff, jitter=want_jitter)


@pytest.mark.parametrize("config, mode", [
    ({"disabled": {}}, RetryMode.DISABLED),
    ({"enabled": {}}, RetryMode.ENABLED),
    (None, RetryMode.ENABLED),
    ("disabled", RetryMode.ENABLED),  # only the mapping form {disabled: {}} disables
])
def test_retry_mode_from_the_executor_config(config, mode):
    assert RetryMode.from_config(config) is mode


def test_a_delay_of_a_day_is_the_longest_allowed():
    assert RetryPolicy(delay=86400).delay == 86400
    assert RetryPolicy(delay=0).delay == 0


@pytest.mark.parametrize("delay, shown", [(86400.5, "86400.5"), (-1, "-1"), (float("nan"), "nan")])
def test_a_delay_outside_zero_to_a_day_is_refused_with_the_bound_and_the_value(delay, shown):
    with pytest.raises(ValueError) as err:
        RetryPolicy(delay=delay)
    assert str(err.value) == f"delay must be between 0 and 86400.0 seconds (a day), got {shown}"


@pytest.mark.parametrize("attempt, expected", [
    (41, 2199.023255551),  # 1e-9 * (2**41 - 1)
    (46, 70368.744177663),  # 1e-9 * (2**46 - 1)
    (47, 86400.0),  # 140737.488355327, over the cap
    (5000, 86400.0),
])
def test_exponential_backoff_from_a_tiny_delay_grows_until_the_day_cap(attempt, expected):
    policy = RetryPolicy(max_retries=5000, delay=1e-9, backoff=Backoff.EXPONENTIAL)
    assert policy.delay_for(attempt) == pytest.approx(expected, rel=1e-12)


def test_exponential_backoff_past_the_largest_float_waits_the_day_cap():
    policy = RetryPolicy(max_retries=10**6, delay=10, backoff=Backoff.EXPONENTIAL)
    assert policy.delay_for(13) == 81910.0  # 10 * (2**13 - 1)
    assert policy.delay_for(14) == 86400.0
    assert policy.delay_for(1100) == 86400.0  # 2 ** 1100 is no float
    assert policy.delay_for(10**6) == 86400.0
