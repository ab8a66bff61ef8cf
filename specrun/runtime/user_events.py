"""What a step's user code reports besides its outputs: asset check results, and the
materializations and observations it logs (`context.log_event`) or yields.
`returned_outputs.collect_outputs` hands them here in the order they happened, and asks here
whether every declared check was evaluated and none that blocks failed.
"""

from __future__ import annotations

from typing import Any, Optional

from ..errors import DefinitionError
from .definitions.check_specs import spec_for_result
from .definitions.results import (
    AssetCheckEvaluation, AssetCheckResult, AssetCheckSeverity, AssetMaterialization,
    AssetObservation,
)
from .events import ET, Event
from .step_errors import OutputError, StepFailed


def record_check(run: Any, step: Any, check: Any, item: Any, events: list,
                 evaluated: dict) -> None:
    """Record what asset check `check`'s step returned or yielded (`item`, which must be an
    AssetCheckResult) in `events` and `evaluated` (check key -> evaluation)."""
    if not isinstance(item, AssetCheckResult):
        raise OutputError(
            f"asset check {check.name!r} must return an AssetCheckResult, got {type(item).__name__}")
    _check_evaluation(run, step, check.specs, item, check.asset_key, f"asset check {check.name!r}",
                      events, evaluated)


def _check_evaluation(run: Any, step: Any, specs: Any, item: Any, default_asset: Any, what: str,
                      events: list, evaluated: dict) -> None:
    """Record the ASSET_CHECK_EVALUATION of `item` against the spec it names."""
    try:
        spec = spec_for_result(specs, item, default_asset, what)
    except DefinitionError as e:
        raise OutputError(str(e)) from None
    if spec.key in evaluated:
        raise OutputError(f"{what} yielded two results for check {spec.name!r}")
    evaluation = AssetCheckEvaluation(
        asset_key=spec.asset_key, check_name=spec.name, passed=item.passed, metadata=item.metadata,
        severity=item.severity, description=item.description, blocking=spec.blocking,
        partition=step.partition_key)
    evaluated[spec.key] = evaluation
    status = "passed" if item.passed else "failed"
    events.append(Event(ET.ASSET_CHECK_EVALUATION, run.run_id, run.job_name, step.key,
                        f"Asset check {spec.name!r} on {spec.asset_key.to_user_string()} {status}",
                        evaluation))


def finish_checks(step: Any, specs: Any, evaluated: dict, what: str) -> None:
    """Every declared check was evaluated, and no blocking one failed with ERROR severity."""
    missing = [s.name for s in specs if s.key not in evaluated]
    if missing:
        raise OutputError(f"{what} did not yield an AssetCheckResult for its check(s) {missing}")
    blocked = [e for e in evaluated.values() if e.blocking and not e.passed
               and e.severity is AssetCheckSeverity.ERROR]
    if blocked:
        names = ", ".join(f"{e.asset_key.to_user_string()}: {e.check_name}" for e in blocked)
        raise StepFailed(f"{len(blocked)} blocking asset check(s) failed with ERROR severity: "
                         f"{names}", "blocking_check")


def flush_user_events(run: Any, step: Any, items: list, events: list,
                      evaluated: Optional[dict] = None) -> None:
    """Materializations, observations and check results that user code logged or yielded."""
    evaluated = {} if evaluated is None else evaluated
    for item in items:
        if isinstance(item, AssetMaterialization):
            events.append(Event(ET.ASSET_MATERIALIZATION, run.run_id, run.job_name, step.key,
                                f"Materialized value {item.asset_key.to_user_string()}", item))
        elif isinstance(item, AssetObservation):
            events.append(Event(ET.ASSET_OBSERVATION, run.run_id, run.job_name, step.key,
                                f"Observed {item.asset_key.to_user_string()}", item))
        elif isinstance(item, AssetCheckResult):
            asset = step.node.asset
            if asset is not None and asset.check_specs:
                _check_evaluation(run, step, asset.check_specs, item, asset.key,
                                  f"asset {asset.key.to_user_string()!r}", events, evaluated)
                continue
            key = item.asset_key or (asset.key if asset else None)
            evaluation = AssetCheckEvaluation(key, item.check_name or "check", item.passed,
                                              item.metadata, item.severity, item.description)
            events.append(Event(ET.ASSET_CHECK_EVALUATION, run.run_id, run.job_name, step.key,
                                f"Asset check {evaluation.check_name!r} evaluated", evaluation))
