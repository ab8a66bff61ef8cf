"""Jobs: a set of nodes (op invocations) with an executor, resources and default config.

`@job` composes ops by running its body; `build_asset_job` turns asset definitions into
nodes wired by asset key. Both give the same `JobDefinition`, so execution has one path.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field, replace
from operator import attrgetter
from typing import Any, Callable, Mapping, Optional, Sequence, Union

from ...errors import DefinitionError, suggest
from .asset_checks import AssetChecksDefinition
from .assets import AssetsDefinition, AssetSpec
from .composition import GraphDefinition, compose_graph
from .dynamic import fan_out_of, has_dynamic_outputs
from .nodes import FromAsset, Node, new_asset_node, new_from_output, unproduced_input_error
from .keys import AssetKey
from .policy import RetryPolicy
from .selection import AssetGraphView, coerce_selection

IMPLICIT_ASSET_JOB_NAME = "__ASSET_JOB"


@dataclass(frozen=True, eq=False)
class JobDefinition:
    """A runnable set of nodes, with executor, resources, default config and tags.
    `JobDefinition(graph_def=g, name=...)` runs a graph, as in Dagster."""

    name: str = ""
    nodes: Mapping[str, Node] = field(default_factory=dict)
    executor_def: Any = None
    resource_defs: Mapping[str, Any] = field(default_factory=dict)
    config: Optional[Mapping[str, Any]] = None
    tags: Mapping[str, str] = field(default_factory=dict)
    description: Optional[str] = None
    partitions_def: Any = None
    op_retry_policy: Optional[RetryPolicy] = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    logger_defs: Mapping[str, Any] = field(default_factory=dict)
    input_values: Mapping[str, Any] = field(default_factory=dict)
    asset_defs: Mapping[AssetKey, Any] = field(default_factory=dict)
    hook_defs: frozenset[Any] = frozenset()  # run after every step (see `definitions.hooks`)
    # {graph node: {output: (op node, its output)}}; "" is the job's own graph's outputs
    graph_outputs: Mapping[str, Mapping[str, tuple[str, str]]] = field(default_factory=dict)
    origin: Any = None  # how to rebuild this job in another process (a reconstructable pointer)
    graph_def: Any = None  # the graph whose nodes `nodes` are (when built from one)

    def __post_init__(self) -> None:
        if self.graph_def is not None and not self.nodes:
            nodes, graph_outputs = compose_graph(self.graph_def)
            object.__setattr__(self, "nodes", nodes)
            object.__setattr__(self, "graph_outputs", graph_outputs)
            object.__setattr__(self, "name", self.name or self.graph_def.name)
        if not self.name:
            raise DefinitionError("a JobDefinition needs a name (or graph_def=)")
        if has_dynamic_outputs(self.nodes):
            fan_out_of(self.nodes)  # refuses, naming the op, a fan-out no run could execute
        if self.executor_def is None:
            from ..executors.in_process import in_process_executor

            object.__setattr__(self, "executor_def", in_process_executor)

    @property
    def graph(self) -> "JobDefinition":
        return self

    @property
    def node_names(self) -> list[str]:
        return list(self.nodes)

    def get_node(self, name: str) -> Node:
        try:
            return self.nodes[name]
        except KeyError:
            hint = suggest(name, self.nodes)
            raise DefinitionError(
                f"job {self.name!r} has no node {name!r}" + (f"; {hint}" if hint else "")
            ) from None

    @property
    def asset_keys(self) -> set[AssetKey]:
        return {k for n in self.nodes.values() if n.asset is not None for k in n.asset.selected_asset_keys}

    def missing_resource_keys(self, extra: Mapping[str, Any] = {}) -> list[tuple[str, str]]:
        """(resource key, node) pairs a node needs that neither the job nor `extra` provides."""
        have = set(self.resource_defs) | set(extra) | {"io_manager"}
        missing = []
        for node in self.nodes.values():
            needed = set(node.op_def.all_resource_keys)
            for hook in (*node.hooks, *self.hook_defs):
                needed |= hook.required_resource_keys
            if node.asset is not None:
                needed |= {node.asset.io_manager_key} - set(node.asset.resource_defs)
            for key in sorted(needed - have):
                missing.append((key, node.name))
        return missing

    def validate_resources(self, extra: Mapping[str, Any] = {}) -> None:
        """Raise DefinitionError naming each required resource key nobody provides."""
        missing = self.missing_resource_keys(extra)
        if not missing:
            return
        have = sorted(set(self.resource_defs) | set(extra))
        lines = []
        for key, node in missing:
            hint = suggest(key, have)
            what = _describe_node(self.nodes[node])
            lines.append(f"resource {key!r} required by {what} was not provided"
                         + (f" ({hint})" if hint else ""))
        raise DefinitionError("; ".join(lines))

    def with_resources(self, resources: Mapping[str, Any]) -> "JobDefinition":
        """The same job with `resources` added where the job has none of that key."""
        return replace(self, resource_defs={**resources, **self.resource_defs})

    def execute_in_process(
        self,
        run_config: Any = None,
        instance: Any = None,
        partition_key: Optional[str] = None,
        raise_on_error: bool = True,
        op_selection: Optional[Sequence[str]] = None,
        run_id: Optional[str] = None,
        input_values: Optional[Mapping[str, Any]] = None,
        tags: Optional[Mapping[str, str]] = None,
        resources: Optional[Mapping[str, Any]] = None,
    ) -> Any:
        """Run every step in this process, with in-memory IO unless the job sets its own."""
        from ..api import execute_in_process

        return execute_in_process(
            self, run_config=run_config, instance=instance, partition_key=partition_key,
            raise_on_error=raise_on_error, op_selection=op_selection, run_id=run_id,
            input_values=input_values, tags=tags, resources=resources,
        )

    def __repr__(self) -> str:
        return f"<JobDefinition {self.name!r} ({len(self.nodes)} nodes)>"


def _describe_node(node: Node) -> str:
    if node.asset is not None:
        return f"asset {node.asset.key.to_user_string()!r}"
    if node.check is not None:
        return f"asset check {node.check.name!r}"
    return f"op {node.name!r}"


def job(
    name: Union[str, Callable[..., Any], None] = None,
    *,
    description: Optional[str] = None,
    resource_defs: Optional[Mapping[str, Any]] = None,
    config: Any = None,
    tags: Optional[Mapping[str, Any]] = None,
    executor_def: Any = None,
    op_retry_policy: Optional[RetryPolicy] = None,
    partitions_def: Any = None,
    logger_defs: Optional[Mapping[str, Any]] = None,
    input_values: Optional[Mapping[str, Any]] = None,
    metadata: Optional[Mapping[str, Any]] = None,
    hooks: Optional[set[Any]] = None,
) -> Any:
    """Decorate a function whose body calls ops, making a JobDefinition."""
    options = dict(description=description, resource_defs=resource_defs, config=config,
                   tags=tags, executor_def=executor_def, op_retry_policy=op_retry_policy,
                   partitions_def=partitions_def, logger_defs=logger_defs,
                   input_values=input_values, metadata=metadata, hooks=hooks)
    if callable(name):
        return job_from_graph(GraphDefinition(name.__name__, name, inspect.getdoc(name)))

    def decorate(fn: Callable[..., Any]) -> JobDefinition:
        graph_def = GraphDefinition(name or fn.__name__, fn, description or inspect.getdoc(fn))
        return job_from_graph(graph_def, **options)

    return decorate


def job_from_graph(graph_def: GraphDefinition, name: Optional[str] = None, **o: Any) -> JobDefinition:
    """Compose `graph_def` and wrap its nodes as a job."""
    nodes, graph_outputs = compose_graph(graph_def)
    resource_defs = dict(o.get("resource_defs") or {})
    job_def = JobDefinition(
        name=name or graph_def.name, nodes=nodes, executor_def=o.get("executor_def"),
        resource_defs=resource_defs, config=o.get("config") or graph_def.config,
        tags={k: str(v) for k, v in {**graph_def.tags, **(o.get("tags") or {})}.items()},
        description=o.get("description") or graph_def.description,
        partitions_def=o.get("partitions_def"), op_retry_policy=o.get("op_retry_policy"),
        metadata=dict(o.get("metadata") or {}), logger_defs=dict(o.get("logger_defs") or {}),
        input_values=dict(o.get("input_values") or {}), hook_defs=frozenset(o.get("hooks") or ()),
        graph_outputs=graph_outputs,
    )
    if resource_defs:
        job_def.validate_resources()
    return job_def


# -- asset jobs ----------------------------------------------------------------------------
AssetLike = Union[AssetsDefinition, AssetSpec]


def asset_graph_view(assets: Sequence[AssetLike], checks: Sequence[Any] = ()) -> AssetGraphView:
    upstream = {}
    groups = {}
    tags = {}
    for a in assets:
        for key in getattr(a, "keys", None) or (a.key,):
            upstream[key] = set(a.dependency_keys) if isinstance(a, AssetsDefinition) else set(a.deps)
            groups[key] = (getattr(a, "group_names_by_key", None) or {}).get(key) or a.group_name or "default"
            tags[key] = dict(getattr(a, "tags", {}) or {})
    checked = {s.key: s.asset_key for c in checks for s in c.specs}
    return AssetGraphView(upstream, groups, tags, checked)


def build_asset_job(
    name: str,
    assets: Sequence[Any],
    checks: Sequence[AssetChecksDefinition] = (),
    selection: Any = None,
    resource_defs: Optional[Mapping[str, Any]] = None,
    executor_def: Any = None,
    config: Any = None,
    tags: Optional[Mapping[str, str]] = None,
    description: Optional[str] = None,
    partitions_def: Any = None,
    hooks: Any = (),
) -> JobDefinition:
    """A job computing the selected assets (all computable ones by default) and their checks."""
    by_key: dict[AssetKey, AssetLike] = {}
    for a in assets:
        for key in _keys_of(a):
            if key in by_key:
                raise DefinitionError(f"asset {key.to_user_string()!r} is defined twice")
            by_key[key] = a
    if selection is None:
        # What `AssetSelection.all()` resolves to (every asset, and the checks of each), without
        # building the graph view only a narrower selection needs to walk.
        computable = {k for k, a in by_key.items() if isinstance(a, AssetsDefinition)}
        chosen_checks = {s.key for c in checks for s in c.specs if s.asset_key in by_key}
    else:
        view = asset_graph_view(list(assets), checks)
        chosen = coerce_selection(selection)
        computable = {k for k in chosen.resolve(view) if isinstance(by_key[k], AssetsDefinition)}
        chosen_checks = chosen.resolve_checks(view)
    by_key.update(_subsets(by_key, computable))
    nodes: dict[str, Node] = {}
    graph_outputs: dict[str, dict[str, tuple[str, str]]] = {}
    # AssetKey's own order (by path), compared in C rather than by a `__lt__` call per pair
    for key in sorted(computable, key=attrgetter("path")):
        a = by_key[key]
        if a.graph is not None:
            if a.node_name not in graph_outputs:
                from .graph_layout import nodes_for_graph_asset

                nodes_for_graph_asset(a, lambda k, here=True: _input_source(k, by_key, computable if here else (), True),
                                      [_handle(by_key[d], d)[0] for d in a.deps if d in computable],
                                      [_handle(by_key[k], k)[0] for k in a.input_keys.values() if k in computable],
                                      nodes)
                graph_outputs[a.node_name] = {o: h for o, h in a.graph.outputs.items() if h[0] in nodes}
        elif a.node_name not in nodes:
            nodes_for_asset(a, by_key, computable, nodes)
    for check in checks:
        if check.check_keys & chosen_checks:
            _add_check_node(check, by_key, computable, nodes)
    _add_blocking_edges(nodes, checks, by_key, computable)
    resources = _assets_resources(by_key.values())
    resources.update(resource_defs or {})
    job_def = JobDefinition(
        name=name, nodes=nodes, executor_def=executor_def, resource_defs=resources,
        config=config, tags=dict(tags or {}), description=description,
        partitions_def=partitions_def or _common_partitions_def(by_key, computable),
        asset_defs=dict(by_key), hook_defs=frozenset(hooks or ()), graph_outputs=graph_outputs,
    )
    return job_def


def _assets_resources(assets: Any) -> dict[str, Any]:
    """The resources the assets bring; two different definitions for one key are an error
    (as in Dagster, the same object given to several assets is one definition)."""
    resources: dict[str, Any] = {}
    owner: dict[str, AssetKey] = {}
    for a in assets:
        for key, rdef in (getattr(a, "resource_defs", {}) or {}).items():
            if key in resources and resources[key] is not rdef:
                raise DefinitionError(
                    f"conflicting definitions of resource {key!r}: assets "
                    f"{owner[key].to_user_string()!r} and {a.key.to_user_string()!r} each bring "
                    "their own; give every asset the same resource object for one key (or pass "
                    "the resource once, to Definitions/materialize, instead of to the assets)")
            resources[key], owner[key] = rdef, a.key
    return resources


def _common_partitions_def(by_key: Mapping[AssetKey, Any], keys: set[AssetKey]) -> Any:
    defs = {id(by_key[k].partitions_def): by_key[k].partitions_def for k in keys
            if getattr(by_key[k], "partitions_def", None) is not None}
    return next(iter(defs.values())) if len(defs) == 1 else None


def _subsets(by_key: Mapping[AssetKey, Any], computable: set[AssetKey]) -> dict[AssetKey, Any]:
    """Multi-assets of which the selection computes only some keys, subset to those keys (an
    error for one that cannot be subset, as in Dagster)."""
    found: dict[AssetKey, Any] = {}
    for a in {id(a): a for a in by_key.values() if getattr(a, "multi", False)}.values():
        chosen = a.keys & computable
        if not chosen or chosen == a.keys:
            continue
        if not a.can_subset:
            raise DefinitionError(
                f"multi_asset {a.node_name!r} produces {sorted(k.to_user_string() for k in a.keys)} "
                f"in one step and cannot compute only {sorted(k.to_user_string() for k in chosen)}: "
                "select all of them, or declare it with can_subset=True")
        subset = a.subset_for(chosen)
        found.update({k: subset for k in a.keys})
    return found


def _handle(a: AssetsDefinition, key: AssetKey) -> tuple[str, str]:
    """(node, output) computing asset `key` of `a` (inside its graph, for a graph-backed one)."""
    output = a.get_output_name_for_asset_key(key)
    return a.graph.outputs[output] if a.graph is not None else (a.node_name, output)


def _keys_of(a: Any) -> Any:
    """The asset keys a definition (or an AssetSpec) holds."""
    if a.__class__ is AssetsDefinition and not a.multi:
        return (a.key,)
    return getattr(a, "keys", None) or (a.key,)


def _input_source(up_key: AssetKey, by_key, computable, produced_only: bool) -> Any:
    if up_key in computable:
        node, output = _handle(by_key[up_key], up_key)
        return new_from_output(node, output, up_key)
    upstream = by_key.get(up_key)
    if upstream is None and produced_only:  # as Dagster: nothing would store what it loads
        raise unproduced_input_error(up_key, by_key)
    return FromAsset(
        up_key,
        io_manager_key=getattr(upstream, "io_manager_key", "io_manager"),
        partitions_def=getattr(upstream, "partitions_def", None),
    )


def nodes_for_asset(a: AssetsDefinition, by_key, computable, nodes: dict[str, Node]) -> None:
    ins = a.op.ins  # an input manager may load what no asset given produces (Dagster refuses it)
    inputs = {n: _input_source(k, by_key, computable, not getattr(ins.get(n), "input_manager_key", None))
              for n, k in a.input_keys.items()}
    deps = a.deps
    extra = tuple(sorted(_handle(by_key[d], d)[0] for d in deps if d in computable)) if deps else ()
    name = a.op.name
    if name in nodes:
        raise DefinitionError(f"two assets share the node name {name!r}")
    nodes[name] = new_asset_node(name, a.op, inputs, a, extra)


def _add_check_node(check: AssetChecksDefinition, by_key, computable, nodes) -> None:
    inputs = {n: _input_source(k, by_key, computable, False) for n, k in check.input_keys.items()}  # any asset
    targets = check.asset_keys
    extra = tuple(_handle(by_key[k], k)[0] for k in targets
                  if k in computable and not (check.asset_param and k == targets[0]))
    extra += tuple(_handle(by_key[d], d)[0] for d in check.additional_deps if d in computable)
    if check.node_name in nodes:
        raise DefinitionError(f"asset check {check.name!r} is defined twice for "
                              f"{', '.join(k.to_user_string() for k in targets)!r}")
    nodes[check.node_name] = Node(check.node_name, check.op, inputs, check=check, extra_deps=extra)


def _add_blocking_edges(nodes, checks, by_key, computable) -> None:
    """Downstream assets of an asset with a blocking check wait for (and skip on) that check."""
    for check in checks:
        if not check.blocking or check.node_name not in nodes:
            continue
        blocked = {s.asset_key for s in check.specs if s.blocking}
        for key in computable:
            a = by_key[key]
            if blocked & a.dependency_keys and a.node_name != check.node_name:
                for name in ([n for n in a.graph.nodes if n in nodes] if a.graph else [a.node_name]):
                    node = nodes[name]
                    nodes[name] = replace(node, extra_deps=node.extra_deps + (check.node_name,))


@dataclass(frozen=True)
class UnresolvedAssetJobDefinition:
    """A job over assets named by a selection, resolved when given to `Definitions`."""

    name: str
    selection: Any = None
    config: Any = None
    description: Optional[str] = None
    tags: Mapping[str, str] = field(default_factory=dict)
    executor_def: Any = None
    partitions_def: Any = None
    hooks: frozenset[Any] = frozenset()

    def resolve(self, assets: Sequence[Any], checks: Sequence[Any],
                resources: Mapping[str, Any], executor_def: Any = None) -> JobDefinition:
        return build_asset_job(
            self.name, assets, checks, self.selection, resources,
            self.executor_def or executor_def, self.config, self.tags, self.description,
            self.partitions_def, self.hooks,
        )


def define_asset_job(name: str, selection: Any = None, config: Any = None,
                     description: Optional[str] = None, tags: Optional[Mapping[str, str]] = None,
                     executor_def: Any = None, partitions_def: Any = None,
                     hooks: Optional[set[Any]] = None) -> UnresolvedAssetJobDefinition:
    """A job over a selection of the assets that `Definitions` will hold."""
    return UnresolvedAssetJobDefinition(name, selection, config, description, dict(tags or {}),
                                        executor_def, partitions_def, frozenset(hooks or ()))
