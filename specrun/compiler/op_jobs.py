"""Jobs of wired ops (a spec's `jobs:` entries with `ops:`): each node's inputs connected to
the outputs they name, or left to run config or the function's default."""

from __future__ import annotations

from typing import Any, Optional

from ..errors import SpecError, suggest
from ..runtime.definitions.nodes import FromConfig, FromDefault, FromFanIn, FromOutput, Node
from .resolve_fan_out import check_fan_out, fan_out_source
from .resolve_parts import build_executor


def _wire(node_entry: Any, op_def: Any, nodes: dict[str, Any], ctx: Any, configured: set[str]) -> dict[str, Any]:
    inputs: dict[str, Any] = {}
    for input_name, src in node_entry.ins.items():
        ptr = f"{node_entry.pointer}/ins/{input_name}"
        if input_name not in op_def.ins:
            ctx.col.add(SpecError(f"op {op_def.name!r} has no input {input_name!r}", ctx.doc.locate(ptr, key=True),
                                  ptr, suggest(input_name, op_def.ins)))
            continue
        if isinstance(src, dict):  # {map: node} / {collect: node}: a dynamic fan-out
            inputs[input_name] = fan_out_source(src, ptr, nodes, ctx) or FromConfig()  # (error added)
            continue
        refs = [src] if isinstance(src, str) else list(src)
        outputs = []
        for ref in refs:
            node, _, output = ref.partition(".")
            if node not in nodes:
                ctx.col.add(SpecError(f"no node named {node!r} in this job", ctx.doc.locate(ptr), ptr,
                                      suggest(node, nodes)))
                continue
            outputs.append(FromOutput(node, output or "result"))
        if outputs:
            inputs[input_name] = FromFanIn(tuple(outputs)) if isinstance(src, list) else outputs[0]
    for input_name, spec in op_def.ins.items():
        if input_name in inputs:
            continue
        inputs[input_name] = FromDefault() if spec.has_default else FromConfig()
        if not spec.has_default and input_name not in configured:
            ctx.col.add(SpecError(
                f"input {input_name!r} of {node_entry.name!r} (op {op_def.name!r}) is not connected",
                ctx.doc.locate(node_entry.pointer, key=True), node_entry.pointer,
                f"wire it with ins: {{{input_name}: <node>}}, or give its value in the job's config: "
                f"ops: {{{node_entry.name}: {{inputs: {{{input_name}: ...}}}}}}"))
    return inputs


def _configured_inputs(node: str, *configs: Any) -> set[str]:
    """Names of the inputs of `node` that run config (the job's, the spec's) gives values."""
    found: set[str] = set()
    for config in configs:
        ops = config.get("ops") if isinstance(config, dict) else None
        entry = ops.get(node) if isinstance(ops, dict) else None
        inputs = entry.get("inputs") if isinstance(entry, dict) else None
        if isinstance(inputs, dict):
            found |= set(inputs)
    return found


def _op_job(entry: Any, ops: dict[str, Any], ctx: Any, executor_def: Any) -> Any:
    from ..runtime.definitions.jobs import JobDefinition

    nodes: dict[str, Optional[Node]] = {}
    config_ops: dict[str, Any] = {}
    for name, node_entry in entry.ops.items():
        if node_entry.op not in ops:
            if node_entry.op not in ctx.spec.ops:
                ptr = node_entry.pointer + "/op"
                ctx.col.add(SpecError(f"no op named {node_entry.op!r}", ctx.doc.locate(ptr), ptr,
                                      suggest(node_entry.op, ctx.spec.ops)))
            continue
        nodes[name] = None  # placeholder so wiring can refer to nodes defined later
    for name, node_entry in entry.ops.items():
        if name not in nodes:
            continue
        op_def = ops[node_entry.op]
        configured = _configured_inputs(name, entry.config, ctx.spec.run_config)
        nodes[name] = Node(name, op_def, _wire(node_entry, op_def, nodes, ctx, configured))
        config = node_entry.config if node_entry.config is not None else ctx.spec.ops[node_entry.op].config
        if config is not None:
            config_ops[name] = {"config": config}
    job_executor, job_exec_config = build_executor(entry.executor, ctx)
    config = {**({"ops": config_ops} if config_ops else {}), **(entry.config or {})}
    if job_exec_config:
        config["execution"] = {"config": job_exec_config}
    built = {name: node for name, node in nodes.items() if node is not None}
    if len(built) != len(nodes) or not built or not check_fan_out(entry, built, ctx):
        return None
    return JobDefinition(entry.name, built, executor_def=job_executor or executor_def, config=config,
                         tags={k: str(v) for k, v in entry.tags.items()}, description=entry.description,
                         partitions_def=ctx.partitions_for(entry.partitions, entry.pointer + "/partitions"))


def build_jobs(spec: Any, ctx: Any, ops: dict[str, Any], executor_def: Any) -> dict[str, Any]:
    """Op jobs (fully built) and selection jobs (as entries, resolved on the graph later)."""
    jobs: dict[str, Any] = {}
    for name, entry in spec.jobs.items():
        if entry.ops and entry.selection:
            ptr = entry.pointer + "/selection"
            ctx.col.add(SpecError(f"job {name!r} has both selection: and ops:", ctx.doc.locate(ptr, key=True), ptr,
                                  "a job runs either a selection of assets or wired ops: split it in two jobs"))
            continue
        if entry.ops:
            job = _op_job(entry, ops, ctx, executor_def)
            if job is not None:
                jobs[name] = job
        else:
            jobs[name] = entry
    return jobs
