"""`specrun runs`, `logs`, `status` and `reexecute`: reading and resuming recorded runs."""

from __future__ import annotations

import datetime as dt
import glob
import json
import os
import re
from typing import Any, Mapping, NamedTuple, Optional

from .errors import SpecrunError, suggest

SPEC_TAG = "specrun/spec"
RUN_OPTIONS_TAG = "specrun/options"
# A `--var` whose name looks like a secret is stored with its name only (replay asks for it).
SECRET_VAR = re.compile(r"pass(word|wd|phrase)?|pwd|secret|token|credential|api_?key|private_?key|"
                        r"access_?key|auth|dsn|cookie|session", re.IGNORECASE)
NOT_STORED = "<secret: not stored>"


def masked_vars(pairs: list[str]) -> list[str]:
    """`--var KEY=VALUE` pairs with the value of each secret-looking KEY replaced by NOT_STORED."""
    out = []
    for pair in pairs:
        key, sep, _ = pair.partition("=")
        out.append(f"{key}={NOT_STORED}" if sep and SECRET_VAR.search(key) else pair)
    return out


def unmasked_vars(stored: list[str], given: list[str], run_id: str) -> list[str]:
    """The stored `--var` pairs with each secret filled in from `given` (the `--var`s of the
    command replaying the run); an error naming the ones missing."""
    values = {k.strip(): pair for pair in given for k, sep, _ in [pair.partition("=")] if sep}
    out, missing = [], []
    for pair in stored:
        key, _, value = pair.partition("=")
        if value == NOT_STORED:
            if key.strip() not in values:
                missing.append(key.strip())
                continue
            pair = values[key.strip()]
        out.append(pair)
    if missing:
        again = " ".join(f"--var {k}=..." for k in missing)
        raise SpecrunError(f"run {run_id} was given the secret variable(s) {', '.join(missing)}, which are "
                           f"not stored: give them again: specrun reexecute {run_id} {again}")
    return out


def find_spec(spec: Optional[str], vars_file: Optional[str] = None) -> str:
    """The spec named, or the single spec file in the current directory (other than the
    `--vars` file)."""
    if spec:
        return spec
    skip = os.path.abspath(vars_file) if vars_file else None
    found = sorted(p for pattern in ("*.yaml", "*.yml", "*.toml", "*.yaml.j2", "*.toml.j2")
                   for p in glob.glob(pattern)
                   if not p.startswith(".") and os.path.abspath(p) != skip)
    if len(found) == 1:
        return found[0]
    raise SpecrunError("name the spec with --spec PATH (found "
                       + (", ".join(found) if found else "no spec files") + " here)")


class Store(NamedTuple):
    """A spec's run store, and how to name it in messages."""

    instance: Any
    where: str  # the `.specrun` folder or the storage URL
    spec: Optional[str]  # the spec it belongs to, when one was read


def open_store(spec: Optional[str], var_options: Optional[Mapping[str, Any]] = None) -> Store:
    """The run store of `spec`, or SPECRUN_STORAGE_URL's; `var_options` are `--var`/`--vars`
    (`{"var": ("k=v", ...), "vars_file": path}`), for a template spec."""
    from .commands import _vars
    from .compiler import compile_spec
    from .runtime.instance import Instance

    url = os.environ.get("SPECRUN_STORAGE_URL")
    if url:
        return Store(Instance.from_url(url), url, spec)
    var_options = var_options or {}
    compiled = compile_spec(find_spec(spec, var_options.get("vars_file")), _vars(var_options))
    where = compiled.spec.storage_url or os.path.relpath(os.path.join(compiled.folder, ".specrun"))
    return Store(compiled.open_instance(), where, compiled.path)


def runs_of_spec(instance: Any, spec: Optional[str], limit: Optional[int] = None) -> list[Any]:
    """The store's runs started from `spec` (and those started from no spec), newest first:
    two specs in one folder share a store, not their run lists. A spec is known by its file
    name, so moving the project's folder keeps its history."""
    if spec is None:
        return instance.get_runs(limit=limit)
    name = os.path.basename(spec)
    mine = [r for r in instance.get_runs()
            if os.path.basename(r.tags.get(SPEC_TAG) or name) == name]
    return mine[:limit] if limit is not None else mine


def _when(ts: Optional[float]) -> str:
    return dt.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M:%S") if ts else "-"


def _iso(ts: Optional[float]) -> Optional[str]:
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).isoformat() if ts else None


def run_json(run: Any) -> dict[str, Any]:
    """One run of `specrun runs --format json`."""
    took = run.end_time - run.start_time if run.end_time and run.start_time else None
    return {"run_id": run.run_id, "job": run.job_name, "status": run.status.value,
            "started": _iso(run.start_time), "ended": _iso(run.end_time),
            "seconds": round(took, 3) if took is not None else None,
            "parent_run_id": run.parent_run_id, "spec": run.tags.get(SPEC_TAG)}


def list_runs(spec: Optional[str], limit: int,
              var_options: Optional[Mapping[str, Any]] = None, fmt: str = "text") -> None:
    """A table of the newest `limit` runs, or one line saying there are none yet."""
    from rich.table import Table

    from .output import _console

    store = open_store(spec, var_options)
    runs = runs_of_spec(store.instance, store.spec, limit)
    if fmt == "json":
        from .formats import RUNS, emit

        emit({"format": RUNS, "store": store.where, "runs": [run_json(r) for r in runs]})
        return
    if not runs:
        print(f"no runs recorded in {store.where} yet — "
              f"run `specrun apply {store.spec or 'SPEC'}`")
        return
    table = Table(title="runs (newest first)")
    for column in ("run id", "job", "status", "started", "took", "parent"):
        table.add_column(column, no_wrap=True)
    for run in runs:
        took = f"{run.end_time - run.start_time:.2f}s" if run.end_time and run.start_time else "-"
        table.add_row(run.run_id, run.job_name, run.status.value, _when(run.start_time), took,
                      run.parent_run_id or "")
    _console().print(table)


def _get_run(instance: Any, run_id: str) -> Any:
    """The run `run_id`, or the one run whose id starts with it."""
    run = instance.get_run_by_id(run_id)
    if run is not None:
        return run
    runs = [r.run_id for r in instance.get_runs()]
    matches = [r for r in runs if r.startswith(run_id)]
    if len(matches) == 1:
        return instance.get_run_by_id(matches[0])
    if len(matches) > 1:
        more = len(matches) - 3
        shown = ", ".join(matches[:3]) + (f" and {more} more" if more > 0 else "")
        raise SpecrunError(f"run id prefix {run_id!r} matches {len(matches)} runs ({shown}): "
                           "give more of the id")
    hint = suggest(run_id, runs)
    raise SpecrunError(f"no run {run_id!r} in this store" + (f"; {hint}" if hint else ""))


def show_logs(spec: Optional[str], run_id: str, fmt: str,
              var_options: Optional[Mapping[str, Any]] = None, min_level: int = 0) -> None:
    """Print the events of `run_id` (a unique prefix is enough) at `min_level` and above: as
    text, each with its level and step, a failure with its message and the traceback of the
    user's code; or one JSON per line."""
    import logging

    from .output import printable
    from .runtime.storage.serde import event_to_dict

    instance = open_store(spec, var_options).instance
    run = _get_run(instance, run_id)
    for event in instance.all_logs(run.run_id):
        if event.level < min_level:
            continue
        if fmt == "json":
            print(json.dumps(event_to_dict(event), default=str))
            continue
        step = f" [{printable(event.step_key)}]" if event.step_key else ""
        level = logging.getLevelName(event.level).lower()
        print(f"{_when(event.timestamp)} {level:<8} {event.event_type.value:<24}{step} {printable(event.message)}")
        error = getattr(event.data, "error", None) if event.data is not None else None
        if error is not None:
            _print_error(error)


def _print_error(error: Any) -> None:
    """A failure's message and its user-code frames, indented under its event."""
    from .output import printable, user_frames

    if error.message:
        print("    " + printable(error.message.rstrip()).replace("\n", "\n    "))
    frames = user_frames(list(error.stack or []))
    if frames:
        print("    Traceback (your code):")
        print(printable("".join(frames).rstrip()).replace("\n", "\n    ").join(("    ", "")))


def reexecute(run_id: str, spec: Optional[str], from_failure: bool,
              var_options: Optional[Mapping[str, Any]] = None) -> int:
    """Run the steps of run `run_id` again with its options; with `from_failure` only those that
    did not succeed and those downstream of them, reading the stored outputs of the others.

    `var_options` only open a template spec's store: the run replays the parent run's own
    options."""
    from .commands import execute_and_report
    from .runtime.events import DagsterEventType as ET

    instance = open_store(spec, var_options).instance
    parent = _get_run(instance, run_id)
    spec_path = spec or parent.tags.get(SPEC_TAG)
    if not spec_path:
        raise SpecrunError(f"run {run_id} was not started from a spec; pass --spec")
    if from_failure and parent.is_success:
        raise SpecrunError(f"run {parent.run_id} succeeded: nothing to re-execute from failure")
    session = _replay_session(spec_path, parent, var_options)
    plan, reexecution = _plan_again(session, instance, parent)
    parent_steps = _parent_steps(plan, parent, spec_path)
    keys = parent_steps
    if from_failure:
        successes = instance.all_logs(parent.run_id, of_type=[ET.STEP_SUCCESS])
        succeeded = {e.step_key for e in successes}
        keys = steps_from_failure(plan, parent_steps, succeeded)
    keys = _fresh_outputs(plan, keys, reexecution)
    reused = {up for k in keys for up in plan.steps[k].upstream_keys} - set(keys)
    print(f"re-executing {len(keys)} step(s) of run {parent.run_id}"
          + (f", reusing {len(reused)} stored output(s)" if reused else ""))
    return execute_and_report(session, plan, keys, [], parent_run_id=parent.run_id,
                              reexecution=reexecution)


def _replay_session(spec_path: str, parent: Any, var_options: Optional[Mapping[str, Any]]) -> Any:
    """A forced session of `spec_path` with the parent run's options (its masked variables
    given again by `var_options`)."""
    from .commands import Session

    options = dict(json.loads(parent.tags.get(RUN_OPTIONS_TAG) or "{}"))
    if options.get("var"):
        options["var"] = unmasked_vars(list(options["var"]), list((var_options or {}).get("var") or ()),
                                       parent.run_id)
    return Session(spec_path, {**options, "force": True})


def _plan_again(session: Any, instance: Any, parent: Any) -> tuple[Any, dict[str, Any]]:
    """The session's plan, with the copies of mapped ops the parent ran as steps too, and what
    the re-execution reads of the parent's outputs."""
    plan = session.plan()
    reexecution = reexecution_after(instance, parent)
    if reexecution["mapping_keys"]:  # the copies of mapped ops the parent ran are steps too
        from .runtime.plan import build_plan

        with session.partitions_loaded():
            plan = build_plan(session.job, list(plan.partition_keys), None, reexecution["mapping_keys"])
    return plan, reexecution


def _parent_steps(plan: Any, parent: Any, spec_path: str) -> list[str]:
    """The steps the parent run ran, each of which `plan` must still have."""
    parent_steps = list(parent.step_keys_to_execute or plan.steps)
    if plan.dynamic is not None:  # the copies of mapped ops whose values the parent's steps made
        parent_steps += [k for k, emitter in plan.dynamic.emitter_of.items()
                         if emitter in parent_steps and k not in parent_steps]
    missing = [k for k in parent_steps if k not in plan.steps]
    if missing:
        raise SpecrunError(f"run {parent.run_id} ran step(s) the spec no longer plans "
                           f"({', '.join(missing[:3])}): the spec or its partitions changed since; "
                           f"run `specrun apply {spec_path}` instead")
    return parent_steps


def _fresh_outputs(plan: Any, keys: list[str], reexecution: dict[str, Any]) -> list[str]:
    """`keys`, less the copies of mapped ops whose emitting step runs again (it adds them as
    its values come); `reexecution` then names only outputs this run does not make."""
    emitter_of = plan.dynamic.emitter_of if plan.dynamic is not None else {}
    again = {e for e in reexecution["mapping_keys"] if e in keys}
    keys = [k for k in keys if emitter_of.get(k) not in again]
    reexecution["mapping_keys"] = {e: v for e, v in reexecution["mapping_keys"].items() if e not in again}
    reexecution["outputs_from"] = {k: run for k, run in reexecution["outputs_from"].items()
                                   if k not in keys and emitter_of.get(k) not in again}
    return keys


def reexecution_after(instance: Any, parent: Any) -> dict[str, Any]:
    """What a re-execution of run `parent` reads from earlier runs: for each step that
    succeeded there (or in the runs it re-executed), the run that stored its outputs, and
    the mapping keys its dynamic outputs yielded (in yield order)."""
    from .runtime.dynamic_steps import reexecution_of
    from .runtime.events import DagsterEventType as ET

    earlier = reexecution_of(parent)
    outputs_from = dict(earlier.get("outputs_from") or {})
    mapping_keys = {k: dict(v) for k, v in (earlier.get("mapping_keys") or {}).items()}
    succeeded = {e.step_key for e in instance.all_logs(parent.run_id, of_type=[ET.STEP_SUCCESS])}
    seen: set[str] = set()
    for event in instance.all_logs(parent.run_id, of_type=[ET.STEP_OUTPUT]):
        if event.step_key not in succeeded:
            continue
        outputs_from[event.step_key] = parent.run_id
        if event.step_key not in seen:  # it ran again: its own keys replace earlier ones
            seen.add(event.step_key)
            mapping_keys.pop(event.step_key, None)
        key = getattr(event.data, "mapping_key", None)
        if key is not None:
            mapping_keys.setdefault(event.step_key, {}).setdefault(event.data.output_name, []).append(key)
    return {"outputs_from": outputs_from, "mapping_keys": mapping_keys}


def steps_from_failure(plan: Any, parent_steps: list[str], succeeded: set[str]) -> list[str]:
    """Of the parent run's steps, in plan order, those that did not succeed (failed, skipped or
    never started) and those downstream of them, as Dagster's re-execution from failure picks."""
    selected = set(parent_steps)
    again: dict[str, None] = {}  # ordered, and a cheap membership test
    for key, step in plan.steps.items():  # dependency order: upstream steps are decided first
        if key not in selected:
            continue
        if key not in succeeded or any(up in again for up in step.upstream_keys):
            again[key] = None
    return list(again)


STATUS_COLUMNS = ("asset", "partitions", "materialized", "stale", "failed", "missing")


def show_status(spec: Optional[str], var_options: Optional[Mapping[str, Any]] = None,
                fmt: str = "text") -> None:
    """Per asset: how many partitions are materialized, stale, failed or missing."""
    from rich.table import Table

    from .commands import Session
    from .output import _console

    var_options = var_options or {}
    session = Session(find_spec(spec, var_options.get("vars_file")), var_options)
    # one row per asset: each asset of a multi-asset (or of a graph's step) has its own
    assets = [(node.name, node.asset, key) for node in session.job.nodes.values() if node.asset is not None
              for key in sorted(node.asset.selected_asset_keys, key=lambda k: k.path)]
    if fmt == "json":
        from .formats import STATUS, emit

        rows = [dict(zip(STATUS_COLUMNS, _asset_status(session, *a))) for a in assets]
        for row in rows:
            row["partitions"] = None if row["partitions"] == "-" else row["partitions"]
        emit({"format": STATUS, "pipeline": session.compiled.name, "assets": rows})
        return
    if not assets:
        print(f"{session.compiled.name} has no assets, only ops (job {session.job.name!r}), so there "
              "is no asset status to show: `specrun runs` lists its runs")
        return
    table = Table(title=f"status of {session.compiled.name}")
    for column in STATUS_COLUMNS:
        table.add_column(column)
    for asset in assets:
        table.add_row(*[str(c) for c in _asset_status(session, *asset)])
    _console().print(table)


def _asset_status(session: Any, node_name: str, asset: Any, key: Any) -> tuple:
    from .runtime.events import DagsterEventType as ET
    from .runtime.plan import build_plan
    from .runtime.staleness import decide

    keys = asset.partitions_def.get_partition_keys() if asset.partitions_def is not None else []
    latest = session.instance.latest_versions([key])
    plan = build_plan(session.job, keys or [], None) if keys else build_plan(session.job, [])
    decisions = [d for d in decide(plan, session.instance, session.resolved) if d.node == node_name and d.kind == "asset"]
    materialized = sum(1 for d in decisions if (key, d.partition) in latest)
    stale = sum(1 for d in decisions if d.run and (key, d.partition) in latest)
    failed = set()
    for run in runs_of_spec(session.instance, session.compiled.path, 20):
        for event in session.instance.all_logs(run.run_id, of_type=[ET.STEP_FAILURE]):
            node_part = (event.step_key or "").split("[", 1)
            if node_part[0] == node_name:
                pk = node_part[1][:-1] if len(node_part) > 1 else run.tags.get("dagster/partition")
                if asset.partitions_def is None:
                    pk = None
                mat = latest.get((key, pk))
                if mat is None or mat.timestamp < event.timestamp:
                    failed.add(pk)
    total = len(keys) or 1
    return (key.to_user_string(), len(keys) or "-", materialized, stale, len(failed),
            total - materialized)


