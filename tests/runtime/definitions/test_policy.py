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
