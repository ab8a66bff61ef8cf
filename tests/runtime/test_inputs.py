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


def test_a_plain_step_whose_input_was_not_yielded_is_skipped_before_anything_loads_it():
    """A plain step's input reads its upstream value by key without asking whether it was
    yielded: the scheduler skips a step one of whose inputs was not (an optional output
    left out), so no step loads a value its upstream did not yield, here or left from before."""
    from specrun.runtime.io_managers import InMemoryIOManager

    class Keeps(InMemoryIOManager):
        def load_by_key(self, key):
            asked.append(key)
            return super().load_by_key(key)

    @op(out={"maybe": Out(is_required=False), "always": Out()})
    def sometimes():
        yield Output(1, "always")

    @op
    def consume(x):
        return x + 1

    @job
    def optional():
        maybe, always = sometimes()
        consume.alias("consume_maybe")(maybe)
        consume(always)

    asked: list = []
    manager = Keeps()
    result = optional.execute_in_process(resources={"io_manager": manager})
    assert result.success and result.get_skipped_step_keys() == {"consume_maybe"}
    assert [k[1:] for k in asked] == [("sometimes", "always")]
    assert not [e for e in result.all_events if e.step_key == "consume_maybe" and e.event_type_value == "LOADED_INPUT"]
    assert result.output_for_node("consume") == 2


def test_a_node_steps_input_its_keyed_manager_cannot_find_is_loaded_through_load_input():
    """A `NodeStep`'s single input is loaded by key without its In and source being read; a
    value the manager's keyed table has not is asked of `load_input`, whose context is made
    from the node's In (its metadata) and upstream output, as the general path's."""
    from specrun import AssetIn, asset, materialize
    from specrun.runtime.io_managers import InMemoryIOManager

    class ForgetsKeys(InMemoryIOManager):
        def load_by_key(self, key):
            raise KeyError(key)

        def load_input(self, context):
            asked.append((context.name, dict(context.metadata), context.upstream_output.name))
            return super().load_input(context)

    @op
    def first():
        return 1

    @op(ins={"x": In(metadata={"kind": "op"})})
    def second(x):
        return x + 1

    @job
    def ops():
        second(first())

    @asset
    def root():
        return 10

    @asset(ins={"up": AssetIn("root", metadata={"kind": "asset"})})
    def leaf(up):
        return up + 1

    asked: list = []
    result = ops.execute_in_process(resources={"io_manager": ForgetsKeys()})
    assert result.success and result.output_for_node("second") == 2
    assets = materialize([root, leaf], resources={"io_manager": ForgetsKeys()})
    assert assets.success and assets.output_for_node("leaf") == 11
    assert asked == [("x", {"kind": "op"}, "result"), ("up", {"kind": "asset"}, "result")]
    loaded = [e.message for e in assets.all_events if e.event_type_value == "LOADED_INPUT"]
    assert loaded == ['Loaded input "up" using input manager "io_manager"']
