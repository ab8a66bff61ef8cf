"""Dynamic fan-out (issue #14 item 3): DynamicOut, DynamicOutput, .map, .collect."""

from __future__ import annotations

import pytest

from tests.conformance.api import dg


@dg.op(out=dg.DynamicOut())
def split(context):
    for key, value in (("b", 2), ("a", 1), ("c", 3)):
        yield dg.DynamicOutput(value, mapping_key=key)


@dg.op
def double(context, value: int) -> int:
    return value * 2


@dg.op
def key_of(context, value: int) -> str:
    return f"{context.get_mapping_key()}={value}"


@dg.op
def add_one(value: int) -> int:
    return value + 1


@dg.op
def listed(values: list) -> list:
    return values


@dg.op
def ten() -> int:
    return 10


@dg.op
def plus(value: int, other: int) -> int:
    return value + other


def _step_keys(result, event_type):
    return [e.step_key for e in result.all_events if e.event_type == event_type]


def test_each_value_is_its_own_step_and_collect_lists_them_in_yield_order():
    @dg.job
    def fan():
        listed(split().map(double).collect())

    result = fan.execute_in_process()
    assert result.success
    assert result.output_for_node("listed") == [4, 2, 6]
    assert result.output_for_node("double") == {"b": 4, "a": 2, "c": 6}
    assert result.output_for_node("split") == {"b": 2, "a": 1, "c": 3}
    successes = _step_keys(result, dg.DagsterEventType.STEP_SUCCESS)
    assert successes == ["split", "double[b]", "double[a]", "double[c]", "listed"]


def test_a_mapped_step_knows_its_mapping_key():
    @dg.job
    def keyed():
        listed(split().map(key_of).collect())

    assert keyed.execute_in_process().output_for_node("listed") == ["b=2", "a=1", "c=3"]


def test_an_op_that_is_not_mapped_has_no_mapping_key():
    @dg.op
    def plain(context) -> str:
        return repr(context.get_mapping_key())

    @dg.job
    def unmapped():
        plain()

    assert unmapped.execute_in_process().output_for_node("plain") == "None"


def test_maps_chain_and_a_mapped_function_may_call_several_ops_with_other_inputs():
    @dg.job
    def chained():
        mapped = split().map(double).map(lambda v: plus(add_one(v), ten()))
        listed(mapped.collect())

    result = chained.execute_in_process()
    assert result.output_for_node("listed") == [15, 13, 17]
    assert result.output_for_node("plus") == {"b": 15, "a": 13, "c": 17}
    successes = set(_step_keys(result, dg.DagsterEventType.STEP_SUCCESS))
    assert {"add_one[a]", "plus[a]", "ten"} <= successes


def test_collect_of_the_dynamic_output_itself_lists_its_values():
    @dg.job
    def direct():
        listed(split().collect())

    assert direct.execute_in_process().output_for_node("listed") == [2, 1, 3]


@dg.op(out={"evens": dg.DynamicOut(), "odds": dg.DynamicOut()})
def parity():
    for n in range(1, 6):
        yield dg.DynamicOutput(n, mapping_key=f"n{n}", output_name="evens" if n % 2 == 0 else "odds")


def test_an_op_may_have_several_dynamic_outputs_each_mapped_on_its_own():
    @dg.job
    def two_ways():
        evens, odds = parity()
        listed.alias("even_list")(evens.map(double).collect())
        listed.alias("odd_list")(odds.map(add_one).collect())

    result = two_ways.execute_in_process()
    assert result.output_for_node("even_list") == [4, 8]
    assert result.output_for_node("odd_list") == [2, 4, 6]
    assert result.output_for_node("double") == {"n2": 4, "n4": 8}


def test_an_op_may_return_a_list_of_dynamic_outputs():
    @dg.op(out=dg.DynamicOut())
    def returned():
        return [dg.DynamicOutput(i, mapping_key=str(i)) for i in range(3)]

    @dg.job
    def from_list():
        listed(returned().map(double).collect())

    assert from_list.execute_in_process().output_for_node("listed") == [0, 2, 4]


def test_no_values_means_no_mapped_steps_and_an_empty_collect():
    @dg.op(out=dg.DynamicOut())
    def nothing():
        return []

    @dg.job
    def empty():
        listed(nothing().map(double).collect())

    result = empty.execute_in_process()
    assert result.success
    assert result.output_for_node("listed") == []
    assert not [k for k in _step_keys(result, dg.DagsterEventType.STEP_START) if k.startswith("double")]


def test_a_failing_mapped_step_does_not_stop_its_siblings_and_the_collect_does_not_run():
    @dg.op
    def fragile(context, value: int) -> int:
        if context.get_mapping_key() == "a":
            raise ValueError("a is bad")
        return value

    @dg.job
    def partly():
        listed(split().map(fragile).collect())

    result = partly.execute_in_process(raise_on_error=False)
    assert not result.success
    assert [e.step_key for e in result.get_step_failure_events()] == ["fragile[a]"]
    successes = _step_keys(result, dg.DagsterEventType.STEP_SUCCESS)
    assert "fragile[b]" in successes and "fragile[c]" in successes
    assert "listed" not in successes
    assert result.output_for_node("fragile") == {"b": 2, "c": 3}


def test_a_mapping_key_must_be_letters_digits_and_underscores():
    with pytest.raises(dg.DagsterInvalidDefinitionError):
        dg.DynamicOutput(1, mapping_key="not-valid")
    with pytest.raises(dg.DagsterInvalidDefinitionError):
        dg.DynamicOutput(1, mapping_key="a b")
    assert dg.DynamicOutput(1, mapping_key="ok_1").mapping_key == "ok_1"


def test_two_values_with_one_mapping_key_fail_the_step():
    @dg.op(out=dg.DynamicOut())
    def twice():
        yield dg.DynamicOutput(1, mapping_key="same")
        yield dg.DynamicOutput(2, mapping_key="same")

    @dg.job
    def duplicated():
        twice().map(double)

    result = duplicated.execute_in_process(raise_on_error=False)
    assert not result.success
    assert [e.step_key for e in result.get_step_failure_events()] == ["twice"]


def test_a_plain_value_for_a_dynamic_output_fails_the_step():
    @dg.op(out=dg.DynamicOut())
    def plain_value():
        return 5

    @dg.job
    def wrong():
        plain_value().map(double)

    result = wrong.execute_in_process(raise_on_error=False)
    assert not result.success
    assert [e.step_key for e in result.get_step_failure_events()] == ["plain_value"]


def test_map_on_an_output_that_is_not_dynamic_is_refused():
    with pytest.raises(AttributeError):
        @dg.job
        def not_dynamic():
            ten().map(double)


def test_a_dynamic_output_passed_on_without_map_or_collect_is_refused():
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="map or collect"):
        @dg.job
        def unwrapped():
            double(split())


def test_mapping_over_a_map_is_refused():
    @dg.op(out=dg.DynamicOut())
    def inner(value: int):
        yield dg.DynamicOutput(value, mapping_key="x")

    with pytest.raises(dg.DagsterInvalidDefinitionError, match="more than one dynamic output"):
        @dg.job
        def nested():
            split().map(inner).map(double)


def test_a_graph_body_maps_and_collects_too():
    @dg.graph
    def inside():
        return listed(split().map(double).collect())

    result = inside.to_job().execute_in_process()
    assert result.output_for_node("listed") == [4, 2, 6]
