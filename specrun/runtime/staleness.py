"""Which steps of a plan need to run, and why (the `plan` / `apply` decisions).

An asset partition is stale when it was never materialized, its code version or config
changed, an upstream partition has newer data than the one it consumed (or will be
re-materialized in this run), it depends on an asset it did not read last time or no longer
on one it read, or its stored output is missing. Checks run when their asset
runs, when they were never evaluated, or when their last evaluation failed (so a failed
blocking check keeps holding back the assets downstream of it); plain ops always run.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any, Callable, Mapping, NamedTuple, Optional

from . import versioning as v
from .code_version import describe_change
from .definitions.keys import AssetKey
from .definitions.values import value_class
from .plan import asset_input_partition_keys
from .storage.stored import stored_mismatch


CODE_CHANGED = "code changed"
CONFIG_CHANGED = "config changed"


@value_class(frozen=True, direct=True)
class Decision:
    """Whether one step runs, and the reason in a few words."""

    step_key: str
    node: str
    kind: str
    partition: Optional[str]
    run: bool
    reason: str
    asset_key: Optional[AssetKey] = None


def _tags(record: Any) -> Mapping[str, str]:
    """Version tags of a `MaterializationVersions` record."""
    return record.tags or {}


def decide(plan: Any, instance: Any, resolved: Any, force: bool = False,
           object_stores: Optional[Mapping[str, Any]] = None, seen: Optional[dict] = None) -> list[Decision]:
    """A decision for every step of `plan`, in plan order.

    Reads records only: no user code runs and no resource is built (`plan` is side-effect
    free); a stored file is compared with what its record says of it (`storage/stored.py`).
    `object_stores`: specrun's own object-store IO managers by resource key, asked whether
    an object still exists (a record cannot describe an object the way it describes a file).
    `seen`, when given, gets the run of each record read, by (asset key as a user string,
    partition or ""): what a lease taken later is compared with (`RunLease.acquire_steps`)."""
    records = _read_records(plan.job, instance)
    if seen is not None:
        seen.update({(k.to_user_string(), p or ""): r.run_id for (k, p), r in records.latest.items()})
    stores = object_stores or {}
    decisions = _decide_all(plan, records, resolved, force, stores, frozenset(), frozenset())
    if any(step.node.graph_asset is not None for step in plan.get_all_steps()):
        # A graph-backed asset runs as a whole: its other steps run, and what reads them sees
        # it. And a step of one that reads no graph input may come before the asset the graph
        # depends on in plan order: what runs in this run is known only after a whole pass.
        # Each pass runs at least what the one before ran, so this stops.
        while True:
            again = _decide_all(plan, records, resolved, force, stores, _graphs_running(decisions, plan),
                                _running(decisions, plan))
            if again == decisions:
                break
            decisions = again
    return _explain_changes(decisions, plan, instance, resolved, records.latest)


class _Records(NamedTuple):
    """What the decisions read: each node's upstream asset keys (`deps`), and the latest
    materialization (or observation, of a source) and check evaluation of each asset."""

    deps: dict[str, list[AssetKey]]
    latest: dict[AssetKey, Any]
    checks: Mapping[Any, Any]


def _read_records(job: Any, instance: Any) -> _Records:
    """The records of every asset `job` computes, reads or checks."""
    deps = {n.name: sorted(n.asset.dependency_keys) if n.asset is not None else [] for n in job.nodes.values()}
    checked = {k for n in job.nodes.values() if n.check for k in n.check.asset_keys}
    checked.update(n.asset.key for n in job.nodes.values() if n.asset is not None and n.asset.check_specs)
    keys = set(job.asset_keys) | checked
    keys.update(k for ks in deps.values() for k in ks)
    latest = instance.latest_versions(keys)
    sources = keys - set(job.asset_keys)  # read, not computed, here: maybe observed sources
    for key, record in instance.latest_observed_versions(sources).items():
        if key not in latest or latest[key].timestamp < record.timestamp:
            latest[key] = record
    checks = instance.latest_check_evaluations(checked) if checked else {}
    return _Records(deps, latest, checks)


def _decide_all(plan: Any, records: _Records, resolved: Any, force: bool, object_stores: Mapping[str, Any],
                together: frozenset[tuple[int, Optional[str]]],
                ran: frozenset[tuple[AssetKey, Optional[str]]]) -> list[Decision]:
    """One pass over the plan's steps in order: `ran` and `together` (graph assets) say what a
    pass before found running; a step that runs makes what it materializes newer for the next."""
    deps, latest, checks = records
    running = set(ran)
    decisions = []
    for step in plan.get_all_steps():
        decision = _decide_step(step, deps[step.node.name], latest, checks, running, resolved, force,
                                object_stores)
        if step.node.graph_asset is not None:
            decision = _with_graph(decision, step, together)
        if decision.run and step.node.asset is not None:
            running.update((k, step.partition_key) for k in step.node.asset.selected_asset_keys)
        decisions.append(decision)
    return decisions


def _running(decisions: list[Decision], plan: Any) -> frozenset[tuple[AssetKey, Optional[str]]]:
    """(asset key, partition) of each asset a step that runs materializes."""
    return frozenset((k, d.partition) for d in decisions if d.run and plan.steps[d.step_key].node.asset is not None
                     for k in plan.steps[d.step_key].node.asset.selected_asset_keys)


def _graphs_running(decisions: list[Decision], plan: Any) -> frozenset[tuple[int, Optional[str]]]:
    """(graph asset, partition) of each graph-backed asset an asset step of which runs."""
    found = set()
    for d in decisions:
        node = plan.steps[d.step_key].node
        if d.run and node.graph_asset is not None and node.asset is not None:
            found.add((id(node.graph_asset), d.partition))
    return frozenset(found)


def _with_graph(decision: Decision, step: Any, together: frozenset[tuple[int, Optional[str]]]) -> Decision:
    """A step of a graph-backed asset runs when any asset of its graph runs, else not at all."""
    name = step.node.graph_asset.node_name
    runs = (id(step.node.graph_asset), step.partition_key) in together
    if step.node.asset is None:
        return replace(decision, run=runs,  # an op of the graph
                       reason=f"graph asset {name} runs" if runs else f"graph asset {name} is up to date")
    if runs and not decision.run:  # (never waiting: all its steps read the same upstream partitions)
        return replace(decision, run=True, reason=f"runs with the rest of graph asset {name}")
    return decision


def _explain_changes(decisions: list[Decision], plan: Any, instance: Any, resolved: Any,
                     latest: Mapping) -> list[Decision]:
    """`code changed` and `config changed` said in detail: which part of the code, which
    config keys, from what the last materialization recorded. Steps that changed alike (one
    function, one old version) share one explanation, so one record body is read per group,
    not per step. A new kind of reason adds an entry to `EXPLAINERS`."""
    groups: dict[tuple, list[int]] = {}
    for i, d in enumerate(decisions):
        if d.reason in EXPLAINERS:
            step = plan.steps[d.step_key]
            subject = EXPLAINERS[d.reason].subject(step)
            old = _tags(latest[(d.asset_key, d.partition)])
            groups.setdefault((d.reason, subject, *(old.get(t) for t in VERSION_TAGS)), []).append(i)
    if not groups:
        return decisions
    firsts = [decisions[members[0]] for members in groups.values()]
    records = instance.latest_materializations({d.asset_key for d in firsts})
    for (reason, *_), members in groups.items():
        d = decisions[members[0]]
        event = records.get((d.asset_key, d.partition))
        tags = (event.data.tags or {}) if event is not None else {}
        detail = EXPLAINERS[reason].explain(plan.steps[d.step_key], tags, resolved)
        said = f"{reason}: {detail}" if detail else reason
        for i in members:
            decisions[i] = replace(decisions[i], reason=said)
    return decisions


def _code_change(step: Any, tags: Mapping[str, str], resolved: Any) -> Optional[str]:
    """`_keep (called by kept) changed`, `code_version 1 -> 2`."""
    asset = step.node.asset
    old = v.function_part(tags.get(v.CODE_VERSION_TAG)) or "?"
    new = v.code_version_of(step.op_def, asset.code_version)
    if asset.graph is not None and new.startswith("graph-"):  # made from all its ops' versions
        return f"an op of graph asset {step.node.graph_asset.node_name} changed ({old[6:14]} -> {new[6:14]})"
    if asset.code_version:
        return f"code_version {old} -> {new}" if v.CODE_PARTS_TAG not in tags else f"code_version set to {new}"
    detail = describe_change(tags.get(v.CODE_PARTS_TAG), step.op_def.compute_fn)  # (code_parts unwraps a method)
    return detail or f"{old[:8]} -> {new[:8]}"


def _config_change(step: Any, tags: Mapping[str, str], resolved: Any) -> Optional[str]:
    """`rows 20 -> 25` (secrets: `password changed (secret)`)."""
    config = resolved.op_configs.get(step.node.name) if resolved is not None else None
    return v.describe_config_change(tags.get(v.CONFIG_TAG), config)


class Explainer(NamedTuple):
    """How to say more about one kind of reason: `subject(step)` is what steps explained
    alike share (their function, their node); `explain(step, tags, resolved)` reads the last
    materialization's tags and says what changed (None: nothing more to say)."""

    subject: Callable[[Any], Any]
    explain: Callable[[Any, Mapping[str, str], Any], Optional[str]]


def _function_of(step: Any) -> Any:
    return (step.op_def.compute_fn, step.node.asset.code_version)


# The version columns a group of alike steps share (with their subject and reason).
VERSION_TAGS = (v.CODE_VERSION_TAG, v.CONFIG_HASH_TAG)
EXPLAINERS: dict[str, Explainer] = {
    CODE_CHANGED: Explainer(_function_of, _code_change),
    CONFIG_CHANGED: Explainer(lambda step: step.node.name, _config_change),
}


def _decide_step(step, deps, latest, checks, running, resolved, force, object_stores) -> Decision:
    node = step.node
    if node.check is not None:
        return _decide_check(step, checks, running, force)
    if node.asset is None:
        return Decision(step.key, node.name, "op", step.partition_key, True, "ops always run")
    asset = node.asset
    parts = _upstream_partitions(step, deps)
    waiting = _missing_upstream(deps, parts, latest, running)
    if waiting:
        return Decision(step.key, node.name, "asset", step.partition_key, False, waiting, asset.key)
    if force:
        return Decision(step.key, node.name, "asset", step.partition_key, True, "forced (--force)", asset.key)
    reason = _stale_reason(step, asset, deps, parts, latest, running, resolved, object_stores)
    if reason is None and asset.check_specs:
        reason = _failed_check_reason(asset.check_specs, checks)
    return Decision(step.key, node.name, "asset", step.partition_key, reason is not None,
                    reason or "up to date", asset.key)


def _missing_upstream(deps, parts, latest, running) -> Optional[str]:
    """Why the step cannot run yet: upstream partitions it reads were never materialized
    and are not part of this run (a roll-up over a partially backfilled asset)."""
    for up_key in deps:
        known = [p for p in parts[up_key] if p is not None]
        missing = [p for p in known if (up_key, p) not in latest and (up_key, p) not in running]
        if missing:
            return (f"waiting: upstream {up_key.to_user_string()} has {len(missing)} of {len(known)} "
                    f"partition(s) not materialized (first: {missing[0]})")
    return None


def _stale_reason(step, asset, deps, parts, latest, running, resolved, object_stores) -> Optional[str]:
    if not asset.multi:
        return _key_stale_reason(step, asset, asset.key, deps, parts, latest, running, resolved, object_stores)
    for key in sorted(asset.selected_asset_keys):  # a multi-asset: each of its assets
        reason = _key_stale_reason(step, asset, key, deps, parts, latest, running, resolved, object_stores)
        if reason is not None:
            return f"{key.to_user_string()}: {reason}"
    return None


def _key_stale_reason(step, asset, key, deps, parts, latest, running, resolved, object_stores) -> Optional[str]:
    event = latest.get((key, step.partition_key))
    if event is None:
        return "never materialized"
    tags = _tags(event)
    code = v.asset_code_version(step.op_def, asset)
    if tags.get(v.CODE_VERSION_TAG) != code:
        if v.template_part(tags.get(v.CODE_VERSION_TAG)) != v.template_part(code):
            return f"template changed ({asset.tags.get(v.TEMPLATE_TAG, '?')})"
        return CODE_CHANGED  # said in detail by `_explain_changes`
    config = resolved.op_configs.get(step.node.name) if resolved is not None else None
    if tags.get(v.CONFIG_HASH_TAG) != v.config_hash(config):
        return CONFIG_CHANGED
    recorded = tags.get(v.INPUT_DATA_VERSIONS_TAG)
    consumed = json.loads(recorded) if recorded is not None else None
    for up_key in deps:
        up = _upstream_reason(up_key, parts[up_key], consumed, latest, running)
        if up:
            return up
    if consumed:  # an upstream it read last time and reads no more
        removed = sorted(set(consumed) - {k.to_user_string() for k in deps})
        if removed:
            return f"removed dependency on {removed[0]}"
    store = object_stores.get(asset.io_manager_key)
    if store is not None and not _object_exists(store, step, asset, key):
        return "stored output is missing"
    return stored_mismatch(event.stored)


def _upstream_partitions(step: Any, deps: Any) -> dict[AssetKey, list[Optional[str]]]:
    """For each upstream key: the partitions of it the step reads ([None]: unpartitioned)."""
    found: dict[AssetKey, list[Optional[str]]] = {}
    for name, key in step.node.asset.input_keys.items():
        if key not in found:
            found[key] = list(asset_input_partition_keys(step, name)) or [None]
    return {k: found.get(k) or [None] for k in deps}


def _upstream_reason(up_key, parts, consumed, latest, running) -> Optional[str]:
    label = up_key.to_user_string()
    if any((up_key, p) in running for p in parts):
        return f"upstream {label} will be re-materialized"
    if consumed is None:  # a record that names no upstream versions (not written by a run)
        return None
    if label not in consumed:  # every upstream it read is recorded: this one was added since
        return f"new dependency on {label}"
    versions = []
    for p in parts:
        event = latest.get((up_key, p))
        versions.append(_tags(event).get(v.DATA_VERSION_TAG, "unknown") if event else "none")
    current = versions[0] if len(versions) == 1 else v.config_hash(versions)
    if consumed[label] != current:
        observed = any(_tags(latest[(up_key, p)]).get(v.OBSERVED_TAG) for p in parts if (up_key, p) in latest)
        return f"upstream source {label} changed" if observed else f"upstream {label} has newer data"
    return None


def _failed_check_reason(specs: Any, checks: Any) -> Optional[str]:
    """Why a step evaluating `specs` runs again: one was never evaluated or failed last time."""
    for spec in specs:
        latest = checks.get((spec.asset_key, spec.name))
        if latest is None:
            return f"check {spec.name} never evaluated"
        if not latest.data.passed:
            # Run again until it passes; a blocking one keeps its downstream assets waiting on it.
            holds = ", holding back what reads it" if spec.blocking else ""
            return f"check {spec.name} failed last time{holds}"
    return None


def _object_exists(store: Any, step: Any, asset: Any, key: AssetKey) -> bool:
    from .context.io import OutputContext

    keys = (step.partition_key,) if step.partition_key is not None else ()
    return bool(store.has_output(OutputContext(step.key, asset.get_output_name_for_asset_key(key), asset_key=key,
                                               partition_keys=keys, partitions_def=asset.partitions_def)))


def _decide_check(step, checks, running, force) -> Decision:
    check = step.node.check
    base = dict(step_key=step.key, node=step.node.name, kind="check", partition=step.partition_key,
                asset_key=check.asset_key)
    if force:
        return Decision(**base, run=True, reason="forced (--force)")
    for key in check.asset_keys:
        if (key, step.partition_key) in running:
            return Decision(**base, run=True, reason=f"{key.to_user_string()} will be re-materialized")
    if not check.multi:
        latest = checks.get((check.asset_key, check.name))
        if latest is None:
            return Decision(**base, run=True, reason="never evaluated")
        if not latest.data.passed:
            holds = ", holding back what reads it" if check.blocking else ""
            return Decision(**base, run=True, reason=f"failed last time{holds}")
        return Decision(**base, run=False, reason="up to date")
    reason = _failed_check_reason(check.specs, checks)
    return Decision(**base, run=reason is not None, reason=reason or "up to date")
