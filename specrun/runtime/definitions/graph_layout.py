"""The composed graph of a graph-backed asset, and its nodes in an asset job.

`AssetsDefinition.from_graph` (and `@graph_asset`, `@graph_multi_asset`) compose the graph once,
with its nodes named `<asset node>.<op>` (as Dagster names their steps), and keep it as a
`GraphAssetLayout`. An asset job (`jobs.py`) adds those nodes (`nodes_for_graph_asset`); the
node producing a graph output carries an `AssetsDefinition` for just the asset(s) of that output,
so its materialization, data version and staleness are recorded as for any asset, and every
node carries the whole graph asset (`Node.graph_asset`) so that `plan` runs the graph's steps
together (`staleness.py`). Nothing here imports `assets.py` or `composition.py`: both reach it.
"""

from __future__ import annotations

import hashlib
import inspect
from dataclasses import dataclass, replace
from typing import Any, Callable, Mapping, Optional, Sequence

from ...errors import DefinitionError
from .keys import AssetKey, key_facts_of
from .metadata import normalize_metadata
from .nodes import NO_GRAPH_INPUTS, FromGraphInput, Node
from .ops import In, OpDefinition, Out
from .scope import CompositionScope, graph_output_mapping
from .signature import read_signature


@dataclass(frozen=True, eq=False)
class GraphAssetLayout:
    """The composed graph of a graph-backed asset: its nodes (inputs from the graph's own
    inputs still `FromGraphInput`) and, per graph output, the (node, output) producing it."""

    graph_def: Any  # the GraphDefinition (or `OpGraph` of one op)
    nodes: Mapping[str, Node]
    outputs: Mapping[str, tuple[str, str]]

    def ancestors(self, node_names: set[str]) -> set[str]:
        """`node_names` and every node of the graph they read from."""
        seen, todo = set(), list(node_names)
        while todo:
            name = todo.pop()
            if name not in seen:
                seen.add(name)
                todo.extend(self.nodes[name].upstream_nodes())
        return seen


def compose_layout(graph_def: Any, node_name: str, what: str) -> GraphAssetLayout:
    """Compose `graph_def` with its nodes under `node_name.`."""
    with CompositionScope(what, node_name + ".") as scope:
        returned = graph_def.compose_fn(*(FromGraphInput(n) for n in graph_def.input_names))  # type: ignore[misc]
    outputs = {name: (h.node, h.output) for name, h in graph_output_mapping(returned).items()}
    if not outputs:
        raise DefinitionError(f"{what}: its graph returns no op output; return the output that is the "
                              "asset's value (a dict of them for several assets)")
    return GraphAssetLayout(graph_def, dict(scope.nodes), outputs)


def graph_code_version(layout: GraphAssetLayout) -> str:
    """One code version for the whole graph: a change to any of its ops changes the asset."""
    from ..versioning import code_version_of

    parts = sorted(f"{name}={code_version_of(node.op_def, node.op_def.code_version)}"
                   for name, node in layout.nodes.items())
    return "graph-" + hashlib.sha1("\n".join(parts).encode()).hexdigest()[:16]


def _interface_op(layout: GraphAssetLayout, node_name: str, description: Optional[str],
                  keys_by_output: Mapping[str, AssetKey], out_specs: Mapping[str, Any],
                  metadata: Optional[Mapping[str, Any]], code_version: Optional[str]) -> OpDefinition:
    """The graph seen as one node: its inputs, outputs and the resources its ops need. Each
    output carries what its asset was given (its `AssetOut`'s, else the asset's metadata and
    code version): what `AssetsDefinition.metadata_by_key` and the like read; the graph's
    steps run with their own ops' outputs (`node_asset`)."""
    graph_def = layout.graph_def
    resources = frozenset().union(*(n.op_def.all_resource_keys for n in layout.nodes.values()))
    return OpDefinition(
        name=node_name, compute_fn=graph_def.compose_fn,  # type: ignore[arg-type]
        ins={n: In() for n in graph_def.input_names},
        outs={n: _interface_out(out_specs.get(n), metadata, code_version) for n in keys_by_output},
        signature=read_signature(graph_def.compose_fn, f"graph {graph_def.name!r}"),  # type: ignore[arg-type]
        required_resource_keys=resources, description=description, kind="graph",
    )


def _interface_out(spec: Any, metadata: Optional[Mapping[str, Any]], code_version: Optional[str]) -> Out:
    if spec is None:
        return Out(metadata=metadata, code_version=code_version)
    return Out(description=spec.description, io_manager_key=spec.io_manager_key or "io_manager",
               metadata=spec.metadata if spec.metadata is not None else metadata,
               code_version=spec.code_version or code_version)


def graph_asset_fields(
    graph_def: Any, *, keys_by_input_name: Optional[Mapping[str, AssetKey]] = None,
    keys_by_output_name: Optional[Mapping[str, AssetKey]] = None, key_prefix: Any = None,
    group_name: Optional[str] = None, group_names_by_output_name: Optional[Mapping[str, str]] = None,
    partitions_def: Any = None, resource_defs: Optional[Mapping[str, Any]] = None,
    description: Optional[str] = None, metadata: Optional[Mapping[str, Any]] = None,
    code_version: Optional[str] = None, can_subset: bool = False, deps: Sequence[Any] = (),
    input_specs: Optional[Mapping[str, Any]] = None, out_specs: Optional[Mapping[str, Any]] = None,
    node_name: Optional[str] = None, tags: Optional[Mapping[str, str]] = None,
    owners: Optional[Sequence[str]] = None,
) -> dict[str, Any]:
    """The fields of the AssetsDefinition of the assets a graph computes
    (`AssetsDefinition.from_graph`): each graph output is an asset (its name, or the key
    `keys_by_output_name` gives), each graph input an upstream asset."""
    node_name = node_name or graph_def.name
    what = f"graph asset {node_name!r}"
    layout = compose_layout(graph_def, node_name, what)
    prefix = [key_prefix] if isinstance(key_prefix, str) else list(key_prefix or [])
    keys_by_output = _output_keys(layout, node_name, prefix, keys_by_output_name, what)
    input_keys = {n: AssetKey.from_coercible((keys_by_input_name or {}).get(n) or AssetKey([*prefix, n]))
                  for n in graph_def.input_names}
    facts = {k: key_facts_of((group_names_by_output_name or {}).get(o) or group_name or "default",
                           (out_specs or {}).get(o)) for o, k in keys_by_output.items()}
    first = next(iter(keys_by_output.values()))
    return dict(
        key=first, op=_interface_op(layout, node_name, description or graph_def.description,
                                    keys_by_output, out_specs or {}, metadata, code_version),
        input_keys=input_keys, input_specs=dict(input_specs or {}),
        deps=tuple(deps), group_name=facts[first].group_name,
        metadata=normalize_metadata(metadata), partitions_def=partitions_def,
        code_version=code_version or graph_code_version(layout),
        description=description or graph_def.description, tags=dict(tags or {}), owners=tuple(owners or ()),
        resource_defs=dict(resource_defs or {}), keys_by_output_name=keys_by_output,
        key_facts=facts, can_subset=can_subset, multi=len(keys_by_output) > 1 or can_subset,
        graph=layout,
    )


@dataclass(frozen=True)
class OutputFacts:
    """What `from_graph`'s `*_by_output_name` arguments give one output, read as an `AssetOut`."""

    description: Optional[str] = None
    metadata: Optional[Mapping[str, Any]] = None
    tags: Optional[Mapping[str, str]] = None
    owners: Optional[Sequence[str]] = None
    code_version: Optional[str] = None
    io_manager_key: Optional[str] = None


_FACT_OF_ARGUMENT = {"descriptions_by_output_name": "description", "metadata_by_output_name": "metadata",
                     "tags_by_output_name": "tags", "owners_by_output_name": "owners",
                     "code_versions_by_output_name": "code_version"}


def with_output_facts(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """`from_graph`'s keyword arguments with its `*_by_output_name` ones (Dagster's) made into
    one `OutputFacts` per output, passed as `out_specs` (what `graph_multi_asset` passes)."""
    given = {k: v for k, v in kwargs.items() if k not in _FACT_OF_ARGUMENT}
    facts: dict[str, dict[str, Any]] = {}
    for argument, fact in _FACT_OF_ARGUMENT.items():
        for out_name, value in (kwargs.get(argument) or {}).items():
            facts.setdefault(out_name, {})[fact] = value
    if facts:
        given["out_specs"] = {**(given.get("out_specs") or {}),
                              **{o: OutputFacts(**f) for o, f in facts.items()}}
    return given


def _output_keys(layout: Any, node_name: str, prefix: list[str],
                 keys_by_output_name: Optional[Mapping[str, AssetKey]], what: str) -> dict[str, AssetKey]:
    """Each graph output's asset key: the one `keys_by_output_name` gives (it may name only
    outputs of the graph), else the node's name (`result`) or the output's, under `prefix`."""
    given = dict(keys_by_output_name or {})
    unknown = sorted(set(given) - set(layout.outputs))
    if unknown:
        raise DefinitionError(f"{what}: keys_by_output_name names {unknown}, not outputs of the graph "
                              f"(its outputs: {sorted(layout.outputs)})")
    return {o: AssetKey.from_coercible(given[o]) if o in given
            else AssetKey([*prefix, node_name if o == "result" else o]) for o in layout.outputs}


@dataclass(frozen=True)
class OpGraph:
    """One op seen as a graph (`AssetsDefinition.from_op`): its inputs are the graph's, and
    each of its outputs a graph output."""

    op_def: OpDefinition

    @property
    def name(self) -> str:
        return self.op_def.name

    @property
    def description(self) -> Optional[str]:
        return self.op_def.description

    @property
    def input_names(self) -> tuple[str, ...]:
        return tuple(self.op_def.ins)

    @property
    def compose_fn(self) -> Callable[..., Any]:
        op_def = self.op_def

        def compose(*args: Any) -> Any:
            returned = op_def(*args)
            return returned if len(op_def.outs) > 1 else {next(iter(op_def.outs)): returned}

        compose.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD) for n in op_def.ins])
        return compose


def node_asset(asset: Any, node: Node) -> Any:
    """The asset(s) graph node `node` produces, as a definition of that node alone (None for
    a node producing no graph output): its materializations are recorded under their keys."""
    layout = asset.graph
    mapping = {out: asset.keys_by_output_name[graph_out] for graph_out, (n, out) in layout.outputs.items()
               if n == node.name and asset.keys_by_output_name[graph_out] in asset.selected_asset_keys}
    if not mapping:
        return None
    keys = list(mapping.values())
    outs = dict(node.op_def.outs)
    for graph_out, (n, out) in layout.outputs.items():  # the asset's IO manager stores its value
        manager = asset.op.outs[graph_out].io_manager_key
        if n == node.name and manager != "io_manager":
            outs[out] = replace(outs[out], io_manager_key=manager)
    op_def = replace(node.op_def, outs=outs)
    return replace(asset, key=keys[0], op=op_def, keys_by_output_name=mapping, multi=len(keys) > 1,
                   selected_keys=None, group_name=asset.group_names_by_key[keys[0]],
                   io_manager_key=op_def.outs[next(iter(mapping))].io_manager_key)


def nodes_for_graph_asset(a: Any, source_of: Callable[[AssetKey], Any], after: Sequence[str],
                          upstream: Sequence[str], nodes: dict[str, Node]) -> None:
    """Add the op nodes of graph-backed asset `a` (those its selected assets need) to `nodes`:
    the graph's inputs wired to `source_of(upstream key)`, each waiting for the nodes `after`
    (its ordering-only deps), each node producing an asset carrying that asset and, as
    `graph_inputs`, each graph input as a stored asset (`source_of(key, False)`): which upstream
    partitions the asset reads, wherever in the graph they are read.

    A node producing an asset also waits for `upstream`, the nodes computing the graph's input
    assets in this run, even when it reads none of them: the asset depends on them, so it is
    recorded after them and with their new versions (a producing node that ran first recorded
    them as never materialized, and the next plan called the asset stale)."""
    layout = a.graph
    wanted = {layout.outputs[o][0] for o, k in a.keys_by_output_name.items() if k in a.selected_asset_keys}
    for name in layout.ancestors(wanted):
        node = layout.nodes[name]
        inputs = {i: source_of(a.input_keys[src.name]) if isinstance(src, FromGraphInput) else src
                  for i, src in node.inputs.items()}
        if name in nodes:
            raise DefinitionError(f"two assets share the node name {name!r}")
        produced = node_asset(a, node)
        graph_inputs = ({n: source_of(k, False) for n, k in a.input_keys.items()} if produced
                        else NO_GRAPH_INPUTS)
        nodes[name] = replace(node, op_def=produced.op if produced else node.op_def, inputs=inputs,
                              asset=produced, graph_asset=a,
                              extra_deps=node.extra_deps + tuple(sorted({*after, *(upstream if produced else ())})),
                              graph_inputs=graph_inputs)
