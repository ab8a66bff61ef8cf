"""The JSON that `plan`, `apply`, `status` and `runs` print with `--format json` (and `apply
--format jsonl`): documented in the README, versioned by their `"format"` field.

A consumer checks `format` (`specrun.plan/1`, ...); a field may be added within a version, a
field is never removed or changes meaning without a new version number.
"""

from __future__ import annotations

import json
import sys
from typing import Any, Iterable, Optional

PLAN = "specrun.plan/1"
APPLY = "specrun.apply/1"
EVENT = "specrun.event/1"
STATUS = "specrun.status/1"
RUNS = "specrun.runs/1"


def emit(document: Any) -> None:
    """One JSON document on stdout, on one line."""
    sys.stdout.write(json.dumps(document, default=str) + "\n")
    sys.stdout.flush()


def decision_json(d: Any) -> dict[str, Any]:
    """One step of a plan: `{step, node, kind, partition, asset, run, reason}`."""
    return {"step": d.step_key, "node": d.node, "kind": d.kind, "partition": d.partition,
            "asset": d.asset_key.to_user_string() if d.asset_key is not None else None,
            "run": d.run, "reason": d.reason}


def plan_counts(decisions: Iterable[Any]) -> dict[str, int]:
    """How many steps would run, are up to date, wait for upstream partitions."""
    counts = {"to_run": 0, "up_to_date": 0, "waiting": 0}
    for d in decisions:
        counts["to_run" if d.run else "waiting" if d.reason.startswith("waiting") else "up_to_date"] += 1
    return counts


def plan_json(name: str, executor: str, decisions: list[Any]) -> dict[str, Any]:
    """`specrun plan --format json`."""
    return {"format": PLAN, "pipeline": name, "executor": executor,
            "steps": [decision_json(d) for d in decisions], "counts": plan_counts(decisions)}


def event_json(event: Any) -> dict[str, Any]:
    """One event of a run (`apply --format jsonl`): `{format, run_id, type, step, level,
    timestamp, message}`, plus `error` `{message, traceback}` for a failure."""
    import logging

    out = {"format": EVENT, "run_id": event.run_id, "type": event.event_type.value,
           "step": event.step_key, "level": logging.getLevelName(event.level).lower(),
           "timestamp": event.timestamp, "message": event.message}
    error = getattr(event.data, "error", None) if event.data is not None else None
    if error is not None:
        out["error"] = error_json(error)
    return out


def error_json(error: Any) -> dict[str, Any]:
    """A failure's message and the user's part of its traceback."""
    from .output import user_frames

    return {"message": error.message, "traceback": "".join(user_frames(list(error.stack or []))).rstrip()}


def apply_json(result: Any, states: dict[str, str], wall: float,
               resume: Optional[str]) -> dict[str, Any]:
    """`specrun apply --format json`: the run's outcome, each step's final state, failures."""
    counts = {s: sum(1 for v in states.values() if v == s) for s in ("ok", "failed", "skipped")}
    failures = []
    for event in result.get_step_failure_events():
        error = event.data.error if event.data is not None else None
        failures.append({"step": event.step_key,
                         **(error_json(error) if error is not None else {"message": event.message})})
    return {"format": APPLY, "run_id": result.run_id, "success": result.success,
            "seconds": round(wall, 3), "counts": counts,
            "steps": [{"step": k, "state": s} for k, s in states.items()],
            "failures": failures, "resume": resume}


def nothing_to_do_json(decisions: list[Any]) -> dict[str, Any]:
    """`apply --format json` when every step is up to date (or waiting)."""
    return {"format": APPLY, "run_id": None, "success": True, "seconds": 0.0,
            "counts": {"ok": 0, "failed": 0, "skipped": 0}, "steps": [], "failures": [],
            "resume": None, "plan": plan_counts(decisions)}
