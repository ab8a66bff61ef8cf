"""specrun.commands: the helpers of `plan` and `apply` between options and printing."""

from specrun.commands import _done_meanwhile


def test_done_meanwhile_lists_the_steps_no_longer_to_run_in_their_order():
    to_run = [f"a{i}" for i in range(10)]
    now = ["a9", "a1", "a4"]  # (order of `now` does not matter)
    assert _done_meanwhile(to_run, now) == ["a0", "a2", "a3", "a5", "a6", "a7", "a8"]


def test_done_meanwhile_is_empty_when_every_step_is_still_to_run_and_full_when_none_is():
    to_run = ["x", "y[p]", "z"]
    assert _done_meanwhile(to_run, list(to_run)) == []
    assert _done_meanwhile(to_run, []) == ["x", "y[p]", "z"]
