"""The output facts of a plain asset's output, made without `outputs.new_output_facts`' tests.

A job of plain assets (`job_cache.PLAIN_ASSET_NODES`) has each node's one output `result`, an
`Out`. The step program of an asset that reads an upstream asset whose own program is not made
yet (a join named before its sources: a job's nodes are in key order, and the plan's one pass
makes programs in that order) needs that upstream output's facts: here they are made as the
upstream's own program makes them (`step_recipe._plain_recipe`), ~1.5k instructions fewer an
input than `new_output_facts`, and kept for it (`JobProgram.facts`).
"""

from __future__ import annotations

from typing import Any

from .outputs import OutputFacts, untyped_output_texts


def upstream_output_facts(program: Any, node: Any, name: str) -> OutputFacts:
    """`program.output_facts(node, name)` (`program`: a `step_recipe.JobProgram`) of an output
    whose facts are not made yet; of an untyped, unpartitioned output of a plain asset (the job
    told so), made here: every slot as `new_output_facts` sets it (test_step_recipe.py compares
    them), versions left to the asset's own recipe."""
    asset = node.asset
    if not program.plain_assets or asset.partitions_def is not None:
        return program.output_facts(node, name)
    out = node.op_def.outs[name]
    if out.dagster_type is not None:
        return program.output_facts(node, name)
    facts = OutputFacts()
    facts.out_def = out
    facts.name = name
    facts.node_name = node.name
    facts.is_nothing = facts.type_checked = False
    key = facts.io_manager_key = out.io_manager_key
    asset_key = facts.asset_key = asset.keys_by_output_name.get(
        name, None if asset.graph is not None else asset.key)
    facts.partitions_def = None
    facts.per_partition = False
    try:  # (the output's two messages, made once a job for its name and IO manager)
        texts = program.output_texts[key][name]
    except KeyError:
        texts = untyped_output_texts(program, name, key)
    facts.yielded_message, facts.handled_message = texts
    facts.op_def = node.op_def
    facts.store_key = asset_key.parts if asset_key is not None else ()
    facts.versions = None
    program.facts[(node.name, name)] = facts
    return facts
