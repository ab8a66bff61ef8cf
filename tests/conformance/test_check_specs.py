"""Checks declared next to assets (issue #14 item 4): `AssetCheckSpec`, `@asset(check_specs=)`,
`@multi_asset_check`, `build_asset_check_context` and the lookups on the definitions."""

from __future__ import annotations

import pytest

from tests.conformance.api import ON_DAGSTER, dg


@dg.asset(check_specs=[dg.AssetCheckSpec("positive", asset="scored"),
                       dg.AssetCheckSpec("small", asset="scored", blocking=True)])
def scored():
    yield dg.Output(3)
    yield dg.AssetCheckResult(check_name="positive", passed=True)
    yield dg.AssetCheckResult(check_name="small", passed=False, metadata={"v": 3})


@dg.asset
def after_scored(scored):
    return scored + 1


def _evaluations(result) -> list[tuple]:
    return [(e.asset_key.to_user_string(), e.check_name, e.passed, e.blocking)
            for e in result.get_asset_check_evaluations()]


def test_asset_check_spec_fields():
    spec = dg.AssetCheckSpec("fresh", asset="orders", description="new rows", blocking=True)
    assert spec.name == "fresh"
    assert spec.asset_key == dg.AssetKey("orders")
    assert spec.blocking is True
    assert spec.description == "new rows"
    assert spec.key == dg.AssetCheckKey(dg.AssetKey("orders"), "fresh")


def test_asset_with_check_specs_records_each_result_and_a_failed_blocking_check_fails_the_step():
    result = dg.materialize([scored, after_scored], raise_on_error=False)
    assert not result.success
    assert _evaluations(result) == [("scored", "positive", True, False),
                                    ("scored", "small", False, True)]
    # the asset was materialized before its blocking check failed; its downstream never ran
    assert [e.asset_key for e in result.get_asset_materialization_events()] == [dg.AssetKey("scored")]
    assert "after_scored" not in [e.step_key for e in result.get_step_success_events()]
    assert [e.step_key for e in result.get_step_failure_events()] == ["scored"]


def test_asset_check_spec_lookups_on_the_assets_definition():
    assert sorted(scored.check_specs_by_output_name) == ["scored_positive", "scored_small"]
    assert {k.name for k in scored.check_keys} == {"positive", "small"}
    key = dg.AssetCheckKey(dg.AssetKey("scored"), "small")
    assert scored.get_spec_for_check_key(key).blocking is True
    assert [s.name for s in scored.check_specs] == ["positive", "small"]


def test_materialize_result_carries_the_check_result_of_the_only_spec():
    @dg.asset(check_specs=[dg.AssetCheckSpec("non_empty", asset="rows")])
    def rows():
        return dg.MaterializeResult(check_results=[dg.AssetCheckResult(passed=True)])

    result = dg.materialize([rows])
    assert _evaluations(result) == [("rows", "non_empty", True, False)]


def test_a_check_result_naming_an_undeclared_check_fails_the_step():
    @dg.asset(check_specs=[dg.AssetCheckSpec("p", asset="noisy")])
    def noisy():
        yield dg.Output(1)
        yield dg.AssetCheckResult(check_name="zzz", passed=True)

    result = dg.materialize([noisy], raise_on_error=False)
    assert not result.success
    assert [e.step_key for e in result.get_step_failure_events()] == ["noisy"]


def test_a_declared_check_without_a_result_fails_the_step():
    @dg.asset(check_specs=[dg.AssetCheckSpec("p", asset="quiet"), dg.AssetCheckSpec("q", asset="quiet")])
    def quiet():
        yield dg.Output(1)
        yield dg.AssetCheckResult(check_name="p", passed=True)

    result = dg.materialize([quiet], raise_on_error=False)
    assert not result.success


def test_a_check_spec_naming_another_asset_is_a_definition_error():
    with pytest.raises(dg.DagsterInvalidDefinitionError):
        @dg.asset(check_specs=[dg.AssetCheckSpec("p", asset="other")])
        def mine():
            return 1


def test_a_failed_blocking_check_with_warn_severity_does_not_block():
    @dg.asset
    def warned():
        return 1

    @dg.asset_check(asset=warned, blocking=True)
    def soft():
        return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.WARN)

    @dg.asset
    def below(warned):
        return warned + 1

    result = dg.materialize([warned, below, soft])
    assert result.success
    assert result.output_for_node("below") == 2


@dg.asset
def left():
    return 1


@dg.asset
def right():
    return 2


@dg.multi_asset_check(specs=[dg.AssetCheckSpec("left_ok", asset="left"),
                             dg.AssetCheckSpec("right_ok", asset="right")])
def both_ok(context):
    assert {k.name for k in context.selected_asset_check_keys} == {"left_ok", "right_ok"}
    yield dg.AssetCheckResult(asset_key="left", check_name="left_ok", passed=True)
    yield dg.AssetCheckResult(asset_key="right", check_name="right_ok", passed=False)


def test_multi_asset_check_evaluates_checks_of_several_assets_in_one_step():
    result = dg.materialize([left, right, both_ok])
    assert result.success  # a failed non-blocking check does not fail the run
    assert sorted(_evaluations(result)) == [("left", "left_ok", True, False),
                                            ("right", "right_ok", False, False)]
    steps = {e.step_key for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"}
    assert steps == {"both_ok"}


def test_multi_asset_check_lookups():
    assert {(k.asset_key.to_user_string(), k.name) for k in both_ok.check_keys} == {
        ("left", "left_ok"), ("right", "right_ok")}
    spec = both_ok.get_spec_for_check_key(dg.AssetCheckKey(dg.AssetKey("right"), "right_ok"))
    assert spec.asset_key == dg.AssetKey("right")
    assert [s.name for s in both_ok.check_specs] == ["left_ok", "right_ok"]
    assert both_ok.node_def.name == "both_ok"


def test_a_check_key_for_people_is_the_asset_path_and_the_check_name():
    assert dg.AssetCheckKey(dg.AssetKey(["sales", "daily"]), "fresh").to_user_string() == "sales/daily:fresh"


def test_asking_an_asset_for_a_check_it_does_not_have_fails():
    with pytest.raises(Exception) as err:
        scored.get_spec_for_check_key(dg.AssetCheckKey(dg.AssetKey("scored"), "postive"))
    if not ON_DAGSTER:  # Dagster words it its own way; ours names the check as people write it
        assert "has no check 'scored:postive'" in str(err.value)
        assert "['positive', 'small']" in str(err.value)


def test_build_asset_check_context_calls_a_check_directly():
    @dg.asset_check(asset="left")
    def left_is_one(context) -> dg.AssetCheckResult:
        context.log.info("checking left")
        return dg.AssetCheckResult(passed=True, metadata={"rows": 1})

    context = dg.build_asset_check_context()
    assert isinstance(context, dg.AssetCheckExecutionContext)
    result = left_is_one(context)
    assert result.passed is True
    assert result.metadata["rows"].value == 1
