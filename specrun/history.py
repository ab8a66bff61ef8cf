"""`specrun runs`, `logs`, `status` and `reexecute`: reading and resuming recorded runs."""

from __future__ import annotations

import datetime as dt
import glob
import json
import os
from typing import Any, Optional

from .errors import SpecrunError, suggest

SPEC_TAG = "specrun/spec"
RUN_OPTIONS_TAG = "specrun/options"


def find_spec(spec: Optional[str]) -> str:
    """The spec named, or the single spec file in the current directory."""
    if spec:
        return spec
    found = sorted(p for pattern in ("*.yaml", "*.yml", "*.toml", "*.yaml.j2", "*.toml.j2")
                   for p in glob.glob(pattern) if not p.startswith("."))
    if len(found) == 1:
        return found[0]
    raise SpecrunError("name the spec with --spec PATH (found "
                       + (", ".join(found) if found else "no spec files") + " here)")


def open_instance(spec: Optional[str]) -> Any:
    from .compiler import compile_spec
    from .runtime.instance import Instance

    url = os.environ.get("SPECRUN_STORAGE_URL")
    if url:
        return Instance.from_url(url)
    return compile_spec(find_spec(spec)).open_instance()


def _when(ts: Optional[float]) -> str:
    return dt.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M:%S") if ts else "-"


def list_runs(spec: Optional[str], limit: int) -> None:
    from rich.table import Table

    instance = open_instance(spec)
    table = Table(title="runs (newest first)")
    for column in ("run id", "job", "status", "started", "took", "parent"):
        table.add_column(column, no_wrap=True)
    for run in instance.get_runs(limit=limit):
        took = f"{run.end_time - run.start_time:.2f}s" if run.end_time and run.start_time else "-"
        table.add_row(run.run_id, run.job_name, run.status.value, _when(run.start_time), took,
                      run.parent_run_id or "")
    from .output import _console

    _console().print(table)


def _get_run(instance: Any, run_id: str) -> Any:
    run = instance.get_run_by_id(run_id)
    if run is None:
        runs = [r.run_id for r in instance.get_runs(limit=200)]
        matches = [r for r in runs if r.startswith(run_id)]
        if len(matches) == 1:
            return instance.get_run_by_id(matches[0])
        raise SpecrunError(f"no run {run_id!r} in this store" + (f"; {suggest(run_id, runs)}" if suggest(run_id, runs) else ""))
    return run


def show_logs(spec: Optional[str], run_id: str, fmt: str) -> None:
    from .runtime.storage.serde import event_to_dict

    instance = open_instance(spec)
    run = _get_run(instance, run_id)
    for event in instance.all_logs(run.run_id):
        if fmt == "json":
            print(json.dumps(event_to_dict(event), default=str))
        else:
            step = f" [{event.step_key}]" if event.step_key else ""
            print(f"{_when(event.timestamp)} {event.event_type.value:<24}{step} {event.message}")


def reexecute(run_id: str, spec: Optional[str], from_failure: bool) -> int:
    """Run again the steps of `run_id` that did not succeed, reusing the outputs of those that did."""
    from .commands import Session, execute_and_report
    from .runtime.events import DagsterEventType as ET

    instance = open_instance(spec)
    parent = _get_run(instance, run_id)
    spec_path = spec or parent.tags.get(SPEC_TAG)
    if not spec_path:
        raise SpecrunError(f"run {run_id} was not started from a spec; pass --spec")
    options = dict(json.loads(parent.tags.get(RUN_OPTIONS_TAG) or "{}"))
    session = Session(spec_path, {**options, "force": True})
    plan = session.plan()
    done = {e.step_key for e in instance.all_logs(parent.run_id, of_type=[ET.STEP_SUCCESS])}
    if from_failure:
        if parent.is_success:
            raise SpecrunError(f"run {parent.run_id} succeeded: nothing to re-execute from failure")
        keys = [k for k in plan.steps if k not in done]
    else:
        keys = list(plan.steps)
    print(f"re-executing {len(keys)} step(s) of run {parent.run_id}"
          + (f", reusing {len(done)} stored output(s)" if from_failure else ""))
    return execute_and_report(session, plan, keys, [], parent_run_id=parent.run_id)


def show_status(spec: Optional[str]) -> None:
    """Per asset: how many partitions are materialized, stale, failed or missing."""
    from rich.table import Table

    from .commands import Session

    session = Session(find_spec(spec), {})
    job = session.job
    rows = []
    for node in job.nodes.values():
        if node.asset is None:
            continue
        rows.append(_asset_status(session, node.asset))
    table = Table(title=f"status of {session.compiled.name}")
    for column in ("asset", "partitions", "materialized", "stale", "failed", "missing"):
        table.add_column(column)
    for row in rows:
        table.add_row(*[str(c) for c in row])
    from .output import _console

    _console().print(table)


def _asset_status(session: Any, asset: Any) -> tuple:
    from .runtime.events import DagsterEventType as ET
    from .runtime.plan import build_plan
    from .runtime.staleness import decide

    keys = asset.partitions_def.get_partition_keys() if asset.partitions_def is not None else []
    latest = session.instance.latest_versions([asset.key])
    plan = build_plan(session.job, keys or [], None) if keys else build_plan(session.job, [])
    decisions = [d for d in decide(plan, session.instance, session.resolved) if d.asset_key == asset.key and d.kind == "asset"]
    materialized = sum(1 for d in decisions if (asset.key, d.partition) in latest)
    stale = sum(1 for d in decisions if d.run and (asset.key, d.partition) in latest)
    failed = set()
    for run in session.instance.get_runs(limit=20):
        for event in session.instance.all_logs(run.run_id, of_type=[ET.STEP_FAILURE]):
            node_part = (event.step_key or "").split("[", 1)
            if node_part[0] == asset.node_name:
                pk = node_part[1][:-1] if len(node_part) > 1 else run.tags.get("dagster/partition")
                if asset.partitions_def is None:
                    pk = None
                mat = latest.get((asset.key, pk))
                if mat is None or mat.timestamp < event.timestamp:
                    failed.add(pk)
    total = len(keys) or 1
    return (asset.key.to_user_string(), len(keys) or "-", materialized, stale, len(failed),
            total - materialized)


