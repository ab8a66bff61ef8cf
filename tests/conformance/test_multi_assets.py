"""Multi-assets (issue #14 item 1): one function, one step, several assets."""

from __future__ import annotations

import pytest

from tests.conformance.api import dg


@dg.multi_asset(outs={"evens": dg.AssetOut(), "odds": dg.AssetOut(group_name="split")})
def split_numbers():
    return [2, 4], [1, 3]


@dg.asset
def evens_total(evens: list) -> int:
    return sum(evens)


def test_a_multi_asset_returns_one_value_per_asset_in_outs_order():
    result = dg.materialize([split_numbers, evens_total])
    assert result.success
    assert result.output_for_node("split_numbers", "evens") == [2, 4]
    assert result.output_for_node("split_numbers", "odds") == [1, 3]
    assert result.output_for_node("evens_total") == 6
    assert sorted(m.asset_key.to_user_string() for m in result.get_asset_materialization_events()) == [
        "evens", "evens_total", "odds"]
    steps = {m.step_key for m in result.get_asset_materialization_events()
             if m.asset_key.to_user_string() in ("evens", "odds")}
    assert steps == {"split_numbers"}


def test_multi_asset_lookups():
    assert split_numbers.keys == {dg.AssetKey("evens"), dg.AssetKey("odds")}
    assert split_numbers.keys_by_output_name == {"evens": dg.AssetKey("evens"), "odds": dg.AssetKey("odds")}
    assert split_numbers.node_def.name == "split_numbers"
    assert split_numbers.can_subset is False


@dg.multi_asset(outs={"left": dg.AssetOut(is_required=False), "right": dg.AssetOut(is_required=False)},
                can_subset=True)
def sides(context):
    for name in sorted(context.selected_output_names):
        yield dg.Output(len(name), output_name=name)


def test_a_subsettable_multi_asset_computes_only_the_selected_assets():
    result = dg.materialize([sides], selection=["right"])
    assert [m.asset_key for m in result.get_asset_materialization_events()] == [dg.AssetKey("right")]
    assert result.output_for_node("sides", "right") == 5


@dg.multi_asset(specs=[dg.AssetSpec("raw_x"), dg.AssetSpec("raw_y", deps=["raw_x"])])
def raw_xy(context):
    yield dg.MaterializeResult(asset_key="raw_x", metadata={"rows": 1})
    yield dg.MaterializeResult(asset_key="raw_y", metadata={"rows": 2})


def test_a_multi_asset_of_specs_reports_each_asset_with_materialize_result():
    result = dg.materialize([raw_xy])
    rows = {m.asset_key.to_user_string(): m.materialization.metadata["rows"].value
            for m in result.get_asset_materialization_events()}
    assert rows == {"raw_x": 1, "raw_y": 2}


def test_key_prefix_and_explicit_keys_of_asset_outs():
    @dg.multi_asset(outs={"a": dg.AssetOut(key=["p", "a"]), "b": dg.AssetOut(key_prefix="q")})
    def prefixed():
        return 1, 2

    assert prefixed.keys_by_output_name == {"a": dg.AssetKey(["p", "a"]), "b": dg.AssetKey(["q", "b"])}


def test_selecting_part_of_a_multi_asset_that_cannot_subset_is_refused():
    with pytest.raises(Exception):
        dg.materialize([split_numbers], selection=["odds"])


# An AssetSpec's output is Dagster's Nothing output: one the function does not report is
# materialized without a value (no IO manager call), unless the spec is skippable or the
# multi-asset can subset; then it is not, and the assets reading it are skipped.

class RecordingIO(dg.IOManager):
    def __init__(self):
        self.handled = []

    def handle_output(self, context, obj):
        self.handled.append(context.asset_key.to_user_string())

    def load_input(self, context):
        return f"loaded {context.asset_key.to_user_string()}"


def _reports_only_a(specs, can_subset=False):
    @dg.multi_asset(specs=specs, can_subset=can_subset, name="reports_a")
    def reports_a():
        yield dg.MaterializeResult(asset_key="a", metadata={"rows": 1})

    @dg.asset
    def reads_b(b):
        return b

    io = RecordingIO()
    result = dg.materialize([reports_a, reads_b], resources={"io_manager": io}, raise_on_error=False)
    done = {e.asset_key.to_user_string(): sorted(e.materialization.metadata)
            for e in result.get_asset_materialization_events()}
    skipped = [e.step_key for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_SKIPPED]
    return result, done, skipped, io.handled, reports_a


def test_a_spec_the_function_does_not_report_is_materialized_without_a_value():
    result, done, skipped, handled, _ = _reports_only_a([dg.AssetSpec("a"), dg.AssetSpec("b")])
    assert result.success
    assert done == {"a": ["rows"], "b": [], "reads_b": []}
    assert skipped == []
    assert handled == ["reads_b"]  # neither spec's output went through the IO manager
    assert result.output_for_node("reads_b") == "loaded b"


def test_a_skippable_spec_not_reported_is_not_materialized_and_its_readers_skip():
    result, done, skipped, handled, defn = _reports_only_a(
        [dg.AssetSpec("a"), dg.AssetSpec("b", skippable=True)])
    assert result.success
    assert done == {"a": ["rows"]}
    assert skipped == ["reads_b"]
    assert handled == []
    assert dg.AssetSpec("b", skippable=True).skippable and not dg.AssetSpec("b").skippable
    assert {k.to_user_string(): s.skippable for k, s in defn.specs_by_key.items()} == {"a": False, "b": True}


def test_in_a_multi_asset_that_can_subset_every_spec_is_skippable():
    result, done, skipped, _, defn = _reports_only_a([dg.AssetSpec("a"), dg.AssetSpec("b")], can_subset=True)
    assert result.success
    assert done == {"a": ["rows"]}
    assert skipped == ["reads_b"]
    assert {k.to_user_string(): s.skippable for k, s in defn.specs_by_key.items()} == {"a": True, "b": True}


@dg.multi_asset(specs=[dg.AssetSpec("n1"), dg.AssetSpec("n2")])
def returns_none():
    return None


@dg.multi_asset(specs=[dg.AssetSpec("solo")])
def returns_none_for_one():
    return None


def test_a_multi_asset_of_specs_returning_none_materializes_each_spec_without_a_value():
    io = RecordingIO()
    result = dg.materialize([returns_none, returns_none_for_one], resources={"io_manager": io})
    assert sorted(e.asset_key.to_user_string() for e in result.get_asset_materialization_events()) == [
        "n1", "n2", "solo"]
    assert io.handled == []


@dg.multi_asset(outs={"o1": dg.AssetOut(), "o2": dg.AssetOut(is_required=False)}, can_subset=True)
def subsettable_outs():
    yield dg.Output(1, output_name="o2")


def test_an_asset_out_of_a_multi_asset_that_can_subset_stays_required():
    assert {k.to_user_string(): s.skippable for k, s in subsettable_outs.specs_by_key.items()} == {
        "o1": False, "o2": True}
    result = dg.materialize([subsettable_outs], raise_on_error=False)
    assert not result.success


# An asset that depends (deps=, not an input) on an asset its producing step left out is
# skipped, as Dagster does (its deps are Nothing inputs), and so is what comes after it.

@dg.multi_asset(specs=[dg.AssetSpec("d_a"), dg.AssetSpec("d_b", skippable=True)])
def leaves_b_out():
    yield dg.MaterializeResult(asset_key="d_a")


@dg.asset(deps=["d_a", "d_b"])
def after_both():
    return 1


@dg.asset(deps=["d_a"])
def after_a():
    return 1


@dg.asset(deps=[after_both])
def after_after():
    return 1


@dg.multi_asset(outs={"o1": dg.AssetOut(), "o2": dg.AssetOut(is_required=False)})
def leaves_o2_out():
    yield dg.Output(1, output_name="o1")


@dg.asset(deps=["o2"])
def after_o2():
    return 1


def _steps(result, event_type):
    return sorted(e.step_key for e in result.all_events if e.event_type == event_type)


def test_an_asset_depending_on_an_asset_its_step_left_out_is_skipped():
    result = dg.materialize([leaves_b_out, after_both, after_a, after_after, leaves_o2_out, after_o2])
    assert result.success
    assert _steps(result, dg.DagsterEventType.STEP_SKIPPED) == ["after_after", "after_both", "after_o2"]
    assert _steps(result, dg.DagsterEventType.STEP_SUCCESS) == ["after_a", "leaves_b_out", "leaves_o2_out"]


@dg.multi_asset(specs=[dg.AssetSpec("s1"), dg.AssetSpec("s2")], can_subset=True)
def subset_specs(context):
    for key in context.selected_asset_keys:
        yield dg.MaterializeResult(asset_key=key)


@dg.asset(deps=["s1", "s2"])
def after_s1_s2():
    return 1


def test_a_dep_on_an_asset_the_run_does_not_select_skips_nothing():
    result = dg.materialize([subset_specs, after_s1_s2], selection=["s1", "after_s1_s2"])
    assert _steps(result, dg.DagsterEventType.STEP_SUCCESS) == ["after_s1_s2", "subset_specs"]
