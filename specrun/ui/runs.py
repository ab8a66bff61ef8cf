"""Runs as the UI shows them: the runs list, a run's steps (for the timeline), its failures
with the user's traceback, its events one page at a time, and an asset's history."""

from __future__ import annotations

import json
import threading
from typing import Any, Iterable, Optional

from ..history import RUN_OPTIONS_TAG, SPEC_TAG
from ..output import user_frames
from ..runtime.events import DagsterEventType as ET
from ..runtime.storage.serde import to_jsonable

_STEP_END = {ET.STEP_SUCCESS: "succeeded", ET.STEP_FAILURE: "failed", ET.STEP_SKIPPED: "skipped"}
_COUNTED = [ET.STEP_SUCCESS, ET.STEP_FAILURE, ET.STEP_SKIPPED]
LEVELS = {10: "debug", 20: "info", 30: "warning", 40: "error", 50: "critical"}


def level_name(level: int) -> str:
    return LEVELS.get(level, "info" if level < 30 else "error")


def _options(run: Any) -> dict[str, Any]:
    try:
        return dict(json.loads(run.tags.get(RUN_OPTIONS_TAG) or "{}"))
    except ValueError:
        return {}


def run_summary(run: Any, counts: Optional[dict[str, int]] = None) -> dict[str, Any]:
    options = _options(run)
    partitions = options.get("partitions") or options.get("partition") or run.tags.get("dagster/partition")
    return {
        "run_id": run.run_id, "job": run.job_name, "status": run.status.value,
        "start": run.start_time, "end": run.end_time,
        "duration": (run.end_time - run.start_time) if run.end_time and run.start_time else None,
        "selection": " ".join(options.get("select") or ()) or "all",
        "partitions": partitions or "", "parent": run.parent_run_id,
        "spec": run.tags.get(SPEC_TAG), "steps": counts or {},
        "planned": len(run.step_keys_to_execute or ()),
    }


class RunLister:
    """The runs list, with per-run step counts (kept for finished runs: they never change)."""

    def __init__(self, instance: Any) -> None:
        self.instance = instance
        self._counts: dict[str, dict[str, int]] = {}
        self._lock = threading.Lock()

    def _step_counts(self, run: Any) -> dict[str, int]:
        with self._lock:
            if run.run_id in self._counts:
                return self._counts[run.run_id]
        counts = {"succeeded": 0, "failed": 0, "skipped": 0}
        for event in self.instance.all_logs(run.run_id, of_type=_COUNTED):
            counts[_STEP_END[event.event_type]] += 1
        if run.is_finished:
            with self._lock:
                self._counts[run.run_id] = counts
        return counts

    def runs(self, limit: int = 50) -> list[dict[str, Any]]:
        return [run_summary(r, self._step_counts(r)) for r in self.instance.get_runs(limit=limit)]


def _error(error: Any) -> dict[str, Any]:
    return {"message": error.message, "user_traceback": "".join(user_frames(list(error.stack))),
            "traceback": error.to_string()}


def run_steps(events: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """Per step: start, end, worker (pid), status, attempts and its failure, in start order."""
    steps: dict[str, dict[str, Any]] = {}
    for e in events:
        if not e.step_key:
            continue
        step = steps.setdefault(e.step_key, {"key": e.step_key, "start": None, "end": None,
                                             "worker": None, "status": "running", "attempts": 0,
                                             "error": None, "skip_reason": None})
        if e.event_type is ET.STEP_START:
            step["start"] = step["start"] or e.timestamp
            step["worker"] = e.pid
            step["attempts"] += 1
        elif e.event_type in _STEP_END:
            step["end"] = e.timestamp
            step["status"] = _STEP_END[e.event_type]
            if e.event_type is ET.STEP_FAILURE and getattr(e.data, "error", None) is not None:
                step["error"] = _error(e.data.error)
            if e.event_type is ET.STEP_SKIPPED:
                step["start"] = step["start"] or e.timestamp
                step["skip_reason"] = getattr(e.data, "reason", None) or e.message
        elif step["start"] is None:
            step["start"] = e.timestamp
    return steps


def event_row(index: int, e: Any) -> dict[str, Any]:
    return {"i": index, "ts": e.timestamp, "type": e.event_type.value, "step": e.step_key or "",
            "level": level_name(e.level), "message": e.message}


def filter_events(rows: list[dict[str, Any]], level: str = "", step: str = "",
                  text: str = "") -> list[dict[str, Any]]:
    """Rows at `level` or above, of `step`, containing `text` (case-insensitive)."""
    order = ["debug", "info", "warning", "error", "critical"]
    floor = order.index(level) if level in order else 0
    text = text.lower()
    return [r for r in rows if order.index(r["level"]) >= floor and (not step or r["step"] == step)
            and (not text or text in r["message"].lower() or text in r["type"].lower())]


def run_detail(instance: Any, run: Any) -> dict[str, Any]:
    """A run's record, its steps and failures, and how many events it has."""
    events = instance.all_logs(run.run_id)
    steps = run_steps(events)
    run_error = None
    for e in events:
        if e.event_type is ET.RUN_FAILURE and getattr(e.data, "error", None) is not None:
            run_error = _error(e.data.error)
    return {**run_summary(run), "steps_list": list(steps.values()), "event_count": len(events),
            "run_error": run_error, "finished": run.is_finished,
            "first_ts": events[0].timestamp if events else run.start_time,
            "last_ts": events[-1].timestamp if events else run.end_time}


def all_event_rows(instance: Any, run_id: str) -> list[dict[str, Any]]:
    return [event_row(i, e) for i, e in enumerate(instance.all_logs(run_id))]


def asset_history(instance: Any, asset_key: str, limit_runs: int = 50) -> dict[str, list]:
    """Materializations and check evaluations of `asset_key` in the newest `limit_runs` runs."""
    mats, checks = [], []
    wanted = [ET.ASSET_MATERIALIZATION, ET.ASSET_CHECK_EVALUATION]
    for run in instance.get_runs(limit=limit_runs):
        for e in instance.all_logs(run.run_id, of_type=wanted):
            if e.data is None or e.data.asset_key.to_user_string() != asset_key:
                continue
            if e.event_type is ET.ASSET_MATERIALIZATION:
                tags = dict(e.data.tags or {})
                mats.append({"ts": e.timestamp, "run_id": run.run_id, "partition": e.data.partition,
                             "metadata": _plain_metadata(e.data.metadata),
                             "code_version": tags.get("specrun/code_version", ""),
                             "data_version": tags.get("specrun/data_version", "")})
            else:
                checks.append({"ts": e.timestamp, "run_id": run.run_id, "check": e.data.check_name,
                               "passed": e.data.passed, "partition": e.data.partition,
                               "severity": str(getattr(e.data.severity, "value", e.data.severity)),
                               "metadata": _plain_metadata(e.data.metadata)})
    mats.sort(key=lambda m: -m["ts"])
    checks.sort(key=lambda c: -c["ts"])
    return {"materializations": mats, "checks": checks}


def _plain_metadata(metadata: Any) -> dict[str, str]:
    out = {}
    for k, v in (metadata or {}).items():
        value = to_jsonable(v)
        if isinstance(value, dict) and "__metadata__" in value:
            value = value["value"]
        out[str(k)] = value if isinstance(value, str) else json.dumps(value, default=str)
    return out
