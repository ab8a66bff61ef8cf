"""What a job's first run asks of every one of its nodes, found in one walk over them.

Before its plan is made, a run asks whether the resources it is given cover what the job's
nodes need (`api.execute_run`), whether any node takes config (`run_config`), which nodes
compute a partitioned asset (`api._partition_keys`), and, with its step programs, which
nodes carry a step time limit tag (`step_recipe.JobProgram`). Each was a walk of its own over
every node on a job's first run; `node_fact` answers all four from one walk, kept per job
(`job_cache.per_job`). What `jobs.build_asset_job` told a job when it built it is kept, not
walked for again.
"""

from __future__ import annotations

from typing import Any, Hashable

from .definitions.nodes import FromConfig, FromOutput
from .job_cache import ATTR, NODES_FREE, PARTITIONED_ASSETS, RESOURCES_NEEDED, TIMEOUT_TAGGED, per_job
from .timeouts import STEP_TIMEOUT_TAG
_NONE: dict = {}


def node_fact(job: Any, key: Hashable) -> Any:
    """The answer to `key` for `job`: `RESOURCES_NEEDED` (every resource key a node needs,
    its hooks' and its asset's IO manager included, unless the asset brings it), `NODES_FREE`
    (no node takes config or a config input), `PARTITIONED_ASSETS` or `TIMEOUT_TAGGED`."""
    return per_job(job, key, lambda: _walked(job)[key])


def _walked(job: Any) -> dict:
    """`walk_nodes`' answers, each kept on the job unless it was told it already (a job of
    plain assets is told the first two: only the others are walked for)."""
    told = job.__dict__.get(ATTR, _NONE)
    if RESOURCES_NEEDED in told and NODES_FREE in told:
        answers = _partitioned_and_tagged(job.nodes)
    else:
        answers = walk_nodes(job.nodes, job.hook_defs)
    for key, answer in answers.items():
        per_job(job, key, lambda answer=answer: answer)
    return answers


def walk_nodes(nodes: Any, job_hooks: Any) -> dict:
    """The four answers of `node_fact` about `nodes` (a job's), with `job_hooks` run after
    every one of them."""
    needed: set[str] = set()
    free = True
    partitioned, tagged = [], []
    for node in nodes.values():  # (one loop, no generator, few calls: it runs once a node)
        op_def = node.op_def
        if op_def.required_resource_keys or op_def.signature.resource_params or node.hooks:
            needed.update(op_def.all_resource_keys)
            for hook in node.hooks:
                needed.update(hook.required_resource_keys)
        asset = node.asset
        if asset is not None:
            if asset.io_manager_key not in asset.resource_defs:
                needed.add(asset.io_manager_key)
            if asset.partitions_def is not None:
                partitioned.append(node.name)
        if free:
            if op_def.config_schema is not None:
                free = False
            for src in node.inputs.values():  # (`isinstance` only past the common source)
                if src.__class__ is not FromOutput and isinstance(src, FromConfig):
                    free = False
        if (op_def.tags or node.tags) and (STEP_TIMEOUT_TAG in op_def.tags
                                           or STEP_TIMEOUT_TAG in node.tags):
            tagged.append(node.name)
    if nodes:
        for hook in job_hooks:
            needed.update(hook.required_resource_keys)
    return {RESOURCES_NEEDED: frozenset(needed), NODES_FREE: free, PARTITIONED_ASSETS: partitioned,
            TIMEOUT_TAGGED: tagged}


def _partitioned_and_tagged(nodes: Any) -> dict:
    """`PARTITIONED_ASSETS` and `TIMEOUT_TAGGED` of `nodes`, as `walk_nodes` finds them."""
    partitioned, tagged = [], []
    for node in nodes.values():
        if node.asset is not None and node.asset.partitions_def is not None:
            partitioned.append(node.name)
        if (node.op_def.tags or node.tags) and (STEP_TIMEOUT_TAG in node.op_def.tags
                                                or STEP_TIMEOUT_TAG in node.tags):
            tagged.append(node.name)
    return {PARTITIONED_ASSETS: partitioned, TIMEOUT_TAGGED: tagged}
