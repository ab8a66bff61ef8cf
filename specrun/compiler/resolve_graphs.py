"""Resolve a graph-backed asset entry: `assets.<name>: {graph: {node: {op, ins}}, output: node}`.

Each node names an op of `ops:`; each input is fed by another node of the graph (`node` or
`node.output`, a list for fan-in) or by an upstream asset (its name). The entry becomes an
explicit `GraphDefinition` (nodes, dependencies, input and output mappings) and then
`AssetsDefinition.from_graph`, so it runs as Dagster's `@graph_asset` does: each node is a
step `<asset>.<node>`. With `outs: {a: {from: node}, ...}` it is a graph multi-asset.
"""

from __future__ import annotations

from typing import Any, Optional

from ..errors import SpecError, suggest
from ..runtime.definitions.assets import AssetIn, AssetsDefinition
from ..runtime.definitions.asset_spec import tags_with_kinds
from ..runtime.definitions.dependencies import (
    DependencyDefinition, InputMapping, MultiDependencyDefinition, NodeInvocation, OutputMapping,
)
from ..runtime.definitions.keys import AssetKey
from .parse import escape
from .resolve_parts import kind_tags


def resolve_graph_asset(entry: Any, ctx: Any, ops: dict[str, Any]) -> Optional[AssetsDefinition]:
    """The graph-backed asset of `entry`, or None after adding its errors to `ctx.col`."""
    col = ctx.col
    before = len(col.errors)
    if entry.fn:
        ptr = entry.pointer + "/fn"
        col.add(SpecError("an asset has either `fn:` (one step) or `graph:` (a step per op), not both",
                          ctx.doc.locate(ptr, key=True), ptr))
    nodes = _graph_nodes(entry, ctx, ops)
    dependencies: dict[Any, dict[str, Any]] = {}
    inputs: list[InputMapping] = []
    upstream: dict[str, AssetKey] = {}
    for name, op_def in nodes.items():
        wired = _wire(entry, name, op_def, nodes, ctx, inputs, upstream)
        dependencies[NodeInvocation(op_def.name, alias=name)] = wired
    outputs = _output_mappings(entry, nodes, ctx)
    if len(col.errors) > before or not nodes:
        return None
    from ..runtime.definitions.composition import GraphDefinition

    pdef = ctx.partitions_for(entry.partitions, entry.pointer + "/partitions")
    graph_def = col.attempt(lambda: GraphDefinition(
        entry.name, description=entry.description, node_defs=list({id(o): o for o in nodes.values()}.values()),
        dependencies=dependencies, input_mappings=inputs, output_mappings=outputs), entry.pointer + "/graph")
    if graph_def is None:
        return None
    return _graph_asset(entry, graph_def, outputs, upstream, pdef, ctx)


def _graph_nodes(entry: Any, ctx: Any, ops: dict[str, Any]) -> dict[str, Any]:
    """Node name -> the op it runs; a node naming no op of `ops:` is an error."""
    nodes = {}
    for name, node in entry.graph.items():
        ptr = f"{entry.pointer}/graph/{escape(name)}/op"
        op_name = (node or {}).get("op")
        if op_name not in ops:
            if op_name not in ctx.spec.ops:  # an op that failed to build has its own error
                ctx.col.add(SpecError(f"graph node {name!r}: no op named {op_name!r}", ctx.doc.locate(ptr), ptr,
                                      suggest(str(op_name), ctx.spec.ops) or "declare it under `ops:`"))
            continue
        nodes[name] = ops[op_name]
    return nodes


def _graph_asset(entry: Any, graph_def: Any, outputs: list[OutputMapping], upstream: dict[str, AssetKey],
                 pdef: Any, ctx: Any) -> Optional[AssetsDefinition]:
    """`AssetsDefinition.from_graph` with the entry's keys, groups and options."""
    keys = {o.graph_output_name: ctx.keys[o.graph_output_name] for o in outputs} if entry.outs else {
        "result": AssetKey([*entry.key_prefix, entry.name])}
    tags = kind_tags(entry.tags, entry.kinds, AssetKey([*entry.key_prefix, entry.name]), entry.pointer + "/kinds",
                     ctx.col) or {}
    made: Optional[AssetsDefinition] = ctx.col.attempt(lambda: AssetsDefinition.from_graph(
        graph_def, keys_by_input_name=upstream, keys_by_output_name=keys, group_name=entry.group,
        group_names_by_output_name={o: (v or {}).get("group") for o, v in entry.outs.items()
                                    if (v or {}).get("group")},
        partitions_def=pdef, description=entry.description, code_version=entry.code_version,
        metadata=entry.metadata or None, tags=tags, tags_by_output_name=_out_kind_tags(entry, tags),
        deps=[ctx.keys[d] for d in entry.deps if d in ctx.keys],
        input_specs={n: AssetIn(key=k) for n, k in upstream.items()}), entry.pointer)
    return made


def _out_kind_tags(entry: Any, tags: dict[str, str]) -> Optional[dict[str, dict[str, str]]]:
    """The tags of each of the entry's `outs:` that has `kinds:` of its own: the entry's (`tags`,
    with its kinds) and a tag `dagster/kind/<kind>` for each of the out's."""
    given = {o: (v or {}).get("kinds") for o, v in entry.outs.items()}
    return {o: tags_with_kinds(tags, kinds) for o, kinds in given.items() if kinds} or None


def _wire(entry: Any, name: str, op_def: Any, nodes: dict[str, Any], ctx: Any,
          inputs: list[InputMapping], upstream: dict[str, AssetKey]) -> dict[str, Any]:
    """The dependencies of one node; inputs fed by upstream assets become graph inputs."""
    col, doc = ctx.col, ctx.doc
    wired: dict[str, Any] = {}
    node = entry.graph[name] or {}
    for input_name, src in (node.get("ins") or {}).items():
        ptr = f"{entry.pointer}/graph/{escape(name)}/ins/{escape(input_name)}"
        if input_name not in op_def.ins:
            col.add(SpecError(f"op {op_def.name!r} has no input {input_name!r}", doc.locate(ptr, key=True), ptr,
                              suggest(input_name, op_def.ins)))
            continue
        refs = [src] if isinstance(src, str) else list(src)
        found = []
        for i, ref in enumerate(refs):
            ref_ptr = ptr if isinstance(src, str) else f"{ptr}/{i}"
            node_name, _, output = ref.partition(".")
            if node_name in nodes:
                if output and output not in nodes[node_name].outs:
                    col.add(SpecError(f"node {node_name!r} has no output {output!r}", doc.locate(ref_ptr), ref_ptr,
                                      suggest(output, nodes[node_name].outs)))
                    continue
                found.append(DependencyDefinition(node_name, output or "result"))
            elif ref in ctx.keys and isinstance(src, str):
                graph_input = ref.replace("/", "__")
                upstream[graph_input] = ctx.keys[ref]
                inputs.append(InputMapping(graph_input, name, input_name))
            else:
                col.add(SpecError(f"{ref!r} is neither a node of this graph nor an asset", doc.locate(ref_ptr),
                                  ref_ptr, suggest(ref, [*nodes, *ctx.keys])))
        if found:
            wired[input_name] = MultiDependencyDefinition(found) if isinstance(src, list) else found[0]
    return wired


def _output_mappings(entry: Any, nodes: dict[str, Any], ctx: Any) -> list[OutputMapping]:
    """`output:` (one asset), or `from:` of each of `outs:` (several)."""
    wanted = {o: ((v or {}).get("from"), f"{entry.pointer}/outs/{escape(o)}/from") for o, v in entry.outs.items()}
    if not entry.outs:
        wanted = {"result": (entry.output or _last_node(entry, nodes), entry.pointer + "/output")}
    found = []
    for graph_output, (ref, ptr) in wanted.items():
        node_name, _, output = (ref or "").partition(".")
        if node_name not in nodes:
            where = ptr if ref else ptr.rsplit("/", 1)[0]
            said = f"{ref!r} is not a node of this graph" if ref else "which node's output is the asset?"
            ctx.col.add(SpecError(f"graph asset {entry.name!r}: {said}", ctx.doc.locate(where, key=not ref), where,
                                  suggest(node_name, nodes) or f"give `from: <node>` ({', '.join(nodes)})"))
            continue
        if output and output not in nodes[node_name].outs:
            ctx.col.add(SpecError(f"node {node_name!r} has no output {output!r}", ctx.doc.locate(ptr), ptr,
                                  suggest(output, nodes[node_name].outs)))
            continue
        found.append(OutputMapping(graph_output, node_name, output or "result"))
    return found


def _last_node(entry: Any, nodes: dict[str, Any]) -> Optional[str]:
    """The one node no other node of the graph reads, if there is exactly one."""
    read: set[str] = set()
    for node in entry.graph.values():
        for src in ((node or {}).get("ins") or {}).values():
            read.update(r.partition(".")[0] for r in ([src] if isinstance(src, str) else src))
    last = [n for n in nodes if n not in read]
    return last[0] if len(last) == 1 else None
