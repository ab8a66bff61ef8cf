"""The state of every asset (partition), as `specrun plan` and the run storage say it.

fresh (materialized, up to date), stale (with the plan's reason), missing (never
materialized), failed (its newest step failed after its newest materialization), running (a
step of an unfinished run that has not ended yet). Only the plan's staleness decisions and the
storage are read: no user code runs.
"""

from __future__ import annotations

import gc
import threading
import time
from typing import Any, Optional

STATES = ("running", "failed", "empty", "missing", "stale", "fresh")  # an asset takes the first it has
LABELS = {"running": "running", "failed": "failed", "missing": "never materialized",
          "stale": "stale", "fresh": "up to date", "empty": "no partitions yet"}
RECENT_RUNS = 25


def _step_target(step_key: str) -> tuple[str, Optional[str]]:
    """`node[partition]` -> (node, partition)."""
    if step_key.endswith("]") and "[" in step_key:
        node, part = step_key[:-1].split("[", 1)
        return node, part
    return step_key, None


class StateReader:
    """Computes asset states for an opened spec (`parts.Opened`: one Session per partitioning);
    caches them until the storage changes."""

    def __init__(self, opened: Any) -> None:
        self.opened = opened
        self.instance = opened.instance
        self._lock = threading.Lock()
        self._plans: Optional[list[Any]] = None
        self._cache: Optional[tuple[Any, dict]] = None
        self.asset_of_node = {name: node.asset.key.to_user_string() for session in opened.sessions
                              for name, node in session.job.nodes.items() if node.asset is not None}

    def plans(self) -> list[Any]:
        if self._plans is None:
            self._plans = [session.plan() for session in self.opened.sessions]
            gc.unfreeze()  # a Session freezes what it builds for a one-shot command; we live on
        return self._plans

    def _signature(self, runs: list[Any]) -> Any:
        return tuple((r.run_id, r.status.value, r.end_time) for r in runs)

    def partition_states(self) -> dict[str, dict[Optional[str], tuple[str, str]]]:
        """{asset: {partition (None when unpartitioned): (state, reason)}}, cached while no run
        changed (and recomputed on each call while one is in progress)."""
        with self._lock:
            runs = self.instance.get_runs(limit=RECENT_RUNS)
            signature = self._signature(runs)
            busy = any(not r.is_finished for r in runs)
            if self._cache is not None and self._cache[0] == signature and not busy:
                return self._cache[1]
            states = self._compute(runs)
            self._cache = (signature, states)
            return states

    def _compute(self, runs: list[Any]) -> dict[str, dict[Optional[str], tuple[str, str]]]:
        decisions = [d for session, plan in zip(self.opened.sessions, self.plans())
                     for d in session.decisions(plan)]
        gc.unfreeze()
        instance = self.instance
        latest = instance.latest_materializations()
        states: dict[str, dict[Optional[str], tuple[str, str]]] = {
            key: {None: ("empty", why)} for key, why in self.opened.empty.items()}
        for d in decisions:
            if d.kind != "asset" or d.asset_key is None:
                continue
            key = d.asset_key.to_user_string()
            if (d.asset_key, d.partition) not in latest:
                states.setdefault(key, {})[d.partition] = ("missing", "never materialized")
            elif d.run:
                states.setdefault(key, {})[d.partition] = ("stale", d.reason)
            else:
                states.setdefault(key, {})[d.partition] = ("fresh", "up to date")
        mat_time = {(k.to_user_string(), p): e.timestamp for (k, p), e in latest.items()}
        self._overlay_runs(runs, states, mat_time)
        return states

    def _overlay_runs(self, runs: list[Any], states: dict, mat_time: dict) -> None:
        """Failed steps newer than their asset's materialization, and steps of runs in progress."""
        from ..runtime.events import DagsterEventType as ET

        instance = self.instance
        ended = (ET.STEP_SUCCESS, ET.STEP_FAILURE, ET.STEP_SKIPPED)
        for run in reversed(runs):  # oldest first: newer runs overwrite
            if run.is_finished and not run.is_failure:
                continue
            events = instance.all_logs(run.run_id, of_type=[ET.STEP_FAILURE, *ended])
            run_partition = run.tags.get("dagster/partition")
            for e in events:
                if e.event_type is not ET.STEP_FAILURE or not e.step_key:
                    continue
                node, part = _step_target(e.step_key)
                key = self.asset_of_node.get(node)
                part = part if part is not None else run_partition
                if key in states and part in states[key] and e.timestamp > mat_time.get((key, part), 0):
                    message = e.data.error.message if getattr(e.data, "error", None) else e.message
                    states[key][part] = ("failed", f"failed in run {run.run_id[:8]}: {message}")
            if run.is_finished:
                continue
            done = {e.step_key for e in events}
            for step_key in run.step_keys_to_execute or ():
                if step_key in done:
                    continue
                node, part = _step_target(step_key)
                key = self.asset_of_node.get(node)
                if key in states and part in states[key]:
                    states[key][part] = ("running", f"in run {run.run_id[:8]}")


def summarize(parts: dict[Optional[str], tuple[str, str]]) -> dict[str, Any]:
    """One asset's state for the graph: its worst state, a label, and counts per state."""
    counts = {s: 0 for s in STATES}
    for state, _ in parts.values():
        counts[state] += 1
    state = next(s for s in STATES if counts[s]) if parts else "missing"
    total = len(parts)
    if total == 1 or None in parts:
        reason = next(iter(parts.values()))[1] if parts else "not planned"
        label = reason if state in ("stale", "failed", "empty") else LABELS[state]
    else:
        label = f"{counts['fresh']}/{total} up to date" + "".join(
            f", {counts[s]} {s}" for s in ("running", "failed", "stale", "missing") if counts[s])
    return {"state": state, "label": label, "counts": counts, "total": total}


def graph_states(reader: StateReader, model: Any) -> dict[str, Any]:
    """{node id: summary} for the drawn graph, with each check's latest result."""
    parts = reader.partition_states()
    checks = check_results(reader.instance)
    out: dict[str, Any] = {"at": time.time(), "nodes": {}}
    for node in model.nodes.values():
        entry = summarize(parts[node.id]) if node.id in parts else {
            "state": "none", "label": node.kind, "counts": {}, "total": 0}
        entry["checks"] = {c.id: checks.get(c.id, "not run") for c in node.checks}
        out["nodes"][node.id] = entry
    return out


def check_results(instance: Any) -> dict[str, str]:
    """{check node id: passed | failed | warning} from the newest evaluation of each check."""
    return {f"check:{key.to_user_string()}/{name}": check_verdict(event.data)
            for (key, name), event in instance.latest_check_evaluations().items()}


def check_verdict(evaluation: Any) -> str:
    """passed, warning (a failed check of WARN severity) or failed."""
    if evaluation.passed:
        return "passed"
    return "warning" if getattr(evaluation.severity, "value", evaluation.severity) == "WARN" else "failed"
