"""How a step's inputs read upstream outputs (`runtime/inputs.py`)."""

from __future__ import annotations

import pytest

from specrun import In, Out, Output, job, op
from specrun.runtime import inputs


@pytest.mark.parametrize("produced, steps, expected", [
    (None, {"a": 0}, False),  # not tracked: every output counts as made
    ({("a", "result"): 1}, {"a": 0}, False),  # yielded
    ({("a", "other"): 1}, {"a": 0}, True),  # its step ran here and left it out
    ({}, {"b": 0}, False),  # a step not in this plan: another process's, an earlier run's
])
def test_an_output_is_not_yielded_only_when_its_step_of_this_plan_left_it_out(produced, steps, expected):
    assert inputs._not_yielded(produced, steps, "a", "result") is expected


def test_a_fan_in_leaves_out_the_optional_outputs_not_yielded_and_reads_the_others():
    @op(out=Out(is_required=False))
    def yields():
        yield Output(1)

    @op(out=Out(is_required=False))
    def skips():
        yield from ()

    @op(ins={"xs": In()})
    def total(xs):
        return sum(xs)

    @job
    def fan():
        total([yields.alias("y1")(), skips.alias("s1")(), yields.alias("y2")()])

    result = fan.execute_in_process()
    assert result.success
    assert result.output_for_node("total") == 2
