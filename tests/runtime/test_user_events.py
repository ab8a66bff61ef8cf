"""What a step's user code reports besides its outputs (runtime/user_events.py): check results
against the declared checks, and logged materializations and observations, in their order."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from specrun import AssetCheckResult, AssetKey, AssetMaterialization, AssetObservation
from specrun.runtime.definitions.results import AssetCheckEvaluation, AssetCheckSeverity
from specrun.runtime.step_errors import OutputError, StepFailed
from specrun.runtime.user_events import finish_checks, flush_user_events

_RUN = SimpleNamespace(run_id="r", job_name="j")
_STEP = SimpleNamespace(key="s", node=SimpleNamespace(asset=None), partition_key=None)


def test_logged_materializations_observations_and_check_results_are_recorded_in_order():
    items = [AssetObservation(AssetKey("a")), AssetMaterialization(AssetKey("b")),
             AssetCheckResult(passed=True, asset_key=AssetKey("a"), check_name="rows")]
    events: list = []
    flush_user_events(_RUN, _STEP, items, events)
    assert [(e.event_type_value, e.step_key, e.message) for e in events] == [
        ("ASSET_OBSERVATION", "s", "Observed a"),
        ("ASSET_MATERIALIZATION", "s", "Materialized value b"),
        ("ASSET_CHECK_EVALUATION", "s", "Asset check 'rows' evaluated")]
    assert events[2].data == AssetCheckEvaluation(AssetKey("a"), "rows", True, {},
                                                  AssetCheckSeverity.ERROR, None)


def test_a_declared_check_not_evaluated_or_a_blocking_one_failed_fails_the_step():
    spec = SimpleNamespace(key=("a", "rows"), name="rows")
    missing = r"did not yield an AssetCheckResult for its check\(s\) \['rows'\]"
    with pytest.raises(OutputError, match=missing):
        finish_checks(_STEP, [spec], {}, "asset 'a'")
    failed = AssetCheckEvaluation(AssetKey("a"), "rows", False, blocking=True)
    with pytest.raises(StepFailed, match="1 blocking asset check"):
        finish_checks(_STEP, [spec], {spec.key: failed}, "asset 'a'")
    warned = AssetCheckEvaluation(AssetKey("a"), "rows", False, severity=AssetCheckSeverity.WARN,
                                  blocking=True)
    finish_checks(_STEP, [spec], {spec.key: warned}, "asset 'a'")  # (a warning does not block)
