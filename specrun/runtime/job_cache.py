"""Work that depends only on a job, done once per job instead of once per run.

A run of a job reuses what an earlier run of the same job object worked out (its plan for
the same partitions and steps, which resources it needs). The entries live in the job's own
`__dict__` (at most `PER_JOB` of them), so they go when the job goes: a plan refers to its
job, so entries kept beside the job (a weak-key table) kept every job ever run alive. They
are not pickled with the job (`pickle_state`).
"""

from __future__ import annotations

from typing import Any, Callable, Hashable

PER_JOB = 16
ATTR = "_specrun_per_job"
_MISSING = object()


def per_job(job: Any, key: Hashable, build: Callable[[], Any]) -> Any:
    """`build()`, worked out once per (job, key); the oldest entry goes when a job has many."""
    try:
        entries = job.__dict__[ATTR]
    except KeyError:
        entries = job.__dict__[ATTR] = {}
    except AttributeError:  # no __dict__: nothing to keep it on
        return build()
    found = entries.get(key, _MISSING)
    if found is _MISSING:
        if len(entries) >= PER_JOB:
            entries.pop(next(iter(entries)))
        found = entries[key] = build()
    return found


def told(job: Any, key: Hashable) -> Any:
    """What `job` was told of `key` when it was built (`jobs.build_asset_job`), else None:
    nothing worked out, nothing kept."""
    return getattr(job, "__dict__", _NO_ENTRIES).get(ATTR, _NO_ENTRIES).get(key)


_NO_ENTRIES: dict = {}


def pickle_state(obj: Any) -> dict:
    """`obj.__dict__` without its per-job entries: what a job pickles (a worker works out its
    own; they refer to the job and would be sent with it)."""
    state = obj.__dict__
    return {k: v for k, v in state.items() if k != ATTR} if ATTR in state else state


# Whether a node of a job declares a `DynamicOut` or collects one (`job_has_dynamic_outputs`);
# an asset job of plain assets is told when it is built (`jobs.build_asset_job`).
DYNAMIC_OUTPUTS = "dynamic outputs"
# Whether no node of a job takes config or a config input (`run_config.run_config_schema`);
# an asset job of plain assets is told when it is built (`jobs.build_asset_job`).
NODES_FREE = "nodes take no config"
# Every resource key a job's nodes need (`node_facts`); an asset job of plain assets, each
# needing its IO manager only (no hooks, checks or resources of their own), is told when it is
# built (`jobs.build_asset_job`).
RESOURCES_NEEDED = "resource keys nodes need"

# The names of the nodes of a job that compute partitioned assets (`api._partition_keys`);
# a job of plain assets, none partitioned, is told it has none when built (`jobs.build_asset_job`).
PARTITIONED_ASSETS = "partitioned assets"
# Whether every node of a job is a plain asset's, made by `asset_nodes.add_asset_nodes`: no
# check, graph asset, hooks, tags or job hooks; its op has no tags and one output, `result`,
# of class Out; not a multi-asset (`step_recipe._plain_recipe`). Told when built
# (`jobs.build_asset_job`); of a job not told, each node is asked.
PLAIN_ASSET_NODES = "nodes are plain assets'"
# The names of the nodes whose op or invocation has a `specrun/timeout` tag, in the job's
# order (`node_facts`); a job of plain assets whose ops have no tags is told it has none when
# built (`jobs.build_asset_job`).
TIMEOUT_TAGGED = "nodes tagged with a step time limit"


def job_has_dynamic_outputs(job: Any) -> bool:
    """Whether a node of `job` declares a `DynamicOut` or collects one: worked out once per
    job (`JobDefinition` asks when it is made; its plans ask again)."""
    from .definitions.dynamic import has_dynamic_outputs

    return per_job(job, DYNAMIC_OUTPUTS, lambda: has_dynamic_outputs(job.nodes))
