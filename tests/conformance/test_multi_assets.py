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
