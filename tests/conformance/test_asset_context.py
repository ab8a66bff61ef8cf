"""`AssetExecutionContext` and `AssetCheckExecutionContext` (the page's asset properties and
issue #10 item 3)."""

import pytest

from tests.conformance.api import dg

seen: dict = {}
daily = dg.DailyPartitionsDefinition(start_date="2024-01-01")


@dg.asset(partitions_def=daily, key_prefix=["warehouse"])
def orders(context) -> int:
    seen["asset_key"] = context.asset_key
    seen["selected"] = context.selected_asset_keys
    seen["is_asset_context"] = isinstance(context, dg.AssetExecutionContext)
    seen["has_key_and_range"] = (context.has_partition_key, context.has_partition_key_range)
    return 5


@dg.asset(partitions_def=daily, ins={"orders": dg.AssetIn(key=dg.AssetKey(["warehouse", "orders"]))})
def totals(context, orders: int) -> int:
    seen["in_key"] = context.asset_partition_key_for_input("orders")
    seen["in_keys"] = context.asset_partition_keys_for_input("orders")
    seen["out_key"] = context.asset_partition_key_for_output()
    seen["out_keys"] = context.asset_partition_keys_for_output()
    seen["totals_selected"] = context.selected_asset_keys
    return orders * 2


@dg.asset_check(asset=totals)
def totals_positive(context) -> dg.AssetCheckResult:
    seen["check_context"] = isinstance(context, dg.AssetCheckExecutionContext)
    seen["check_keys"] = context.selected_asset_check_keys
    return dg.AssetCheckResult(passed=True)


def _run():
    seen.clear()
    result = dg.materialize([orders, totals, totals_positive], partition_key="2024-01-05")
    assert result.success
    return result


def test_asset_key_keeps_the_key_prefix():
    _run()
    assert seen["asset_key"] == dg.AssetKey(["warehouse", "orders"])
    assert seen["is_asset_context"] is True


def test_selected_asset_keys_are_the_assets_being_computed():
    _run()
    assert seen["selected"] == {dg.AssetKey(["warehouse", "orders"])}
    assert seen["totals_selected"] == {dg.AssetKey("totals")}


def test_a_single_partition_run_has_a_partition_key_but_no_key_range():
    _run()
    assert seen["has_key_and_range"] == (True, False)


def test_asset_partition_key_for_input_and_output():
    _run()
    assert seen["in_key"] == "2024-01-05"
    assert seen["out_key"] == "2024-01-05"


def test_asset_partition_keys_are_lists():
    _run()
    assert seen["in_keys"] == ["2024-01-05"]
    assert seen["out_keys"] == ["2024-01-05"]


def test_check_context_and_selected_asset_check_keys():
    _run()
    assert seen["check_context"] is True
    assert seen["check_keys"] == {dg.AssetCheckKey(dg.AssetKey("totals"), "totals_positive")}


def test_check_result_reaches_the_run_result():
    result = _run()
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.passed is True
    assert evaluation.asset_key == dg.AssetKey("totals")
    assert evaluation.check_name == "totals_positive"


def test_upstream_partitions_through_a_mapping(instance):
    @dg.asset(partitions_def=daily)
    def days(context) -> str:
        return context.partition_key

    @dg.asset(partitions_def=daily,
              ins={"days": dg.AssetIn(partition_mapping=dg.TimeWindowPartitionMapping(start_offset=-1))})
    def two_days(context, days) -> list:
        seen["window_keys"] = context.asset_partition_keys_for_input("days")
        seen["window"] = context.asset_partition_key_range_for_input("days")
        return sorted(days.values())

    seen.clear()
    for key in ("2024-01-04", "2024-01-05"):
        dg.materialize([days], partition_key=key, instance=instance)
    result = dg.materialize([days, two_days], partition_key="2024-01-05", instance=instance,
                            selection=[two_days])
    assert result.success
    assert result.output_for_node("two_days") == ["2024-01-04", "2024-01-05"]
    assert seen["window_keys"] == ["2024-01-04", "2024-01-05"]
    assert (seen["window"].start, seen["window"].end) == ("2024-01-04", "2024-01-05")


def test_multi_partition_key_gives_the_keys_by_dimension():
    colors_by_day = dg.MultiPartitionsDefinition({
        "date": dg.DailyPartitionsDefinition(start_date="2024-01-01"),
        "color": dg.StaticPartitionsDefinition(["red", "blue"])})

    @dg.asset(partitions_def=colors_by_day)
    def paint(context) -> int:
        seen["by_dimension"] = context.multi_partition_key.keys_by_dimension
        return 1

    seen.clear()
    key = dg.MultiPartitionKey({"date": "2024-01-02", "color": "red"})
    assert dg.materialize([paint], partition_key=key).success
    assert seen["by_dimension"] == {"date": "2024-01-02", "color": "red"}


def test_multi_partition_key_of_a_single_dimension_run_raises():
    @dg.asset(partitions_def=daily)
    def one_dimension(context) -> int:
        with pytest.raises(dg.DagsterInvariantViolationError):
            context.multi_partition_key
        seen["raised"] = True
        return 1

    seen.clear()
    assert dg.materialize([one_dimension], partition_key="2024-01-02").success
    assert seen["raised"] is True
