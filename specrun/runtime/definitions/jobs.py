"""Jobs: a set of nodes (op invocations) with an executor, resources and default config.

`@job` composes ops by running its body; `build_asset_job` turns asset definitions into
nodes wired by asset key. Both give the same `JobDefinition`, so execution has one path.
"""

from __future__ import annotations

import inspect
from dataclasses import field, replace
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional, Sequence, Union

from ...errors import DefinitionError, suggest
from ..job_cache import (
    ATTR, DYNAMIC_OUTPUTS, NODES_FREE, PARTITIONED_ASSETS, RESOURCES_NEEDED, TIMEOUT_TAGGED,
    PLAIN_ASSET_NODES, job_has_dynamic_outputs, per_job, pickle_state,
)
from .nodes import Node
from .keys import AssetKey
from .policy import RetryPolicy
from .values import value_class

# What only asset jobs, composition or a dynamic fan-out need is imported where used: a worker
# unpickling an op job (Dask, multiprocess) imports none of it (~18 M a Dask worker's first run).
if TYPE_CHECKING:
    from .asset_checks import AssetChecksDefinition
    from .assets import AssetsDefinition, AssetSpec
    from .composition import GraphDefinition

IMPLICIT_ASSET_JOB_NAME = "__ASSET_JOB"


@value_class(frozen=True, eq=False)
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
            from .composition import compose_graph
            nodes, graph_outputs = compose_graph(self.graph_def)
            object.__setattr__(self, "nodes", nodes)
            object.__setattr__(self, "graph_outputs", graph_outputs)
            object.__setattr__(self, "name", self.name or self.graph_def.name)
        if not self.name:
            raise DefinitionError("a JobDefinition needs a name (or graph_def=)")
        if job_has_dynamic_outputs(self):  # (kept: each plan asks again)
            from .dynamic import fan_out_of
            fan_out_of(self.nodes)  # refuses, naming the op, a fan-out no run could execute
        if self.executor_def is None:
            from ..executors.in_process import in_process_executor

            object.__setattr__(self, "executor_def", in_process_executor)

    def __getstate__(self) -> dict:
        return pickle_state(self)  # (without what runs worked out: see job_cache.py)

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
        """The keys of the assets the job's nodes compute: a new set each time, from the one
        worked out once per job (every run asks; the nodes never change)."""
        return set(self.asset_key_set)

    @property
    def asset_key_set(self) -> frozenset[AssetKey]:
        """The keys of the assets the job's nodes compute, worked out once per job: the set
        itself, for a caller that keeps it without changing it (a run)."""
        return per_job(self, _ASSET_KEYS, lambda: _computed_keys(self.nodes))

    def missing_resource_keys(self, extra: Mapping[str, Any] = {}) -> list[tuple[str, str]]:
        """(resource key, node) pairs a node needs that neither the job nor `extra` provides."""
        have = set(self.resource_defs) | set(extra) | {"io_manager"}
        needed = self.__dict__.get(ATTR, _NO_ENTRIES).get(RESOURCES_NEEDED)  # (see build_asset_job)
        if needed is not None and needed <= have:
            return []
        missing = []
        job_hooks = self.hook_defs
        for node in self.nodes.values():
            needed = node.op_def.all_resource_keys
            if node.hooks or job_hooks:
                needed = set(needed)
                for hook in (*node.hooks, *job_hooks):
                    needed |= hook.required_resource_keys
            asset = node.asset
            if asset is not None:  # its IO manager, unless the asset brings it (or it is had)
                io_key = asset.io_manager_key
                if io_key not in have and io_key not in asset.resource_defs:
                    needed = needed | {io_key}
            if not needed <= have:  # (most nodes: nothing missing, nothing to sort)
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


_ASSET_KEYS = "asset keys"
_NO_ENTRIES: dict = {}


def _computed_keys(nodes: Mapping[str, Node]) -> frozenset[AssetKey]:
    """The selected keys of the nodes' assets; a plain asset's (an `AssetsDefinition`, not a
    multi-asset nor a subset) is its key, without its `selected_asset_keys` set."""
    assets = [node.asset for node in nodes.values() if node.asset is not None]
    if not assets:  # (an op job: the assets module is not imported for it)
        return frozenset()
    from .assets import AssetsDefinition
    keys = set()
    for a in assets:
        if a.__class__ is AssetsDefinition and not a.multi and a.selected_keys is None:
            keys.add(a.key)
        else:
            keys.update(a.selected_asset_keys)
    return frozenset(keys)


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
    from .composition import GraphDefinition
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
    from .composition import compose_graph
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
    from .asset_nodes import (add_asset_nodes, add_blocking_edges, add_check_node, assets_by_key,
                              assets_resources, common_partitions_def, input_source, output_handle,
                              subset_multi_assets)
    from .assets import AssetsDefinition
    from .selection import asset_graph_view, coerce_selection
    by_key, defined, plain_only = assets_by_key(assets)
    if selection is None:
        # What `AssetSelection.all()` resolves to (every asset, and the checks of each), without
        # building the graph view only a narrower selection needs to walk.
        given = defined
        # (frozen: the job keeps it as its asset keys, below, without a copy of it made)
        computable: Any = frozenset(given)
        chosen_checks = {s.key for c in checks for s in c.specs if s.asset_key in by_key}
    else:
        view = asset_graph_view(list(assets), checks)
        chosen = coerce_selection(selection)
        computable = {k for k in chosen.resolve(view) if isinstance(by_key[k], AssetsDefinition)}
        given = [k for k in by_key if k in computable]
        chosen_checks = chosen.resolve_checks(view)
    if not plain_only:
        by_key.update(subset_multi_assets(by_key, computable))
    nodes: dict[str, Node] = {}
    graph_outputs: dict[str, dict[str, tuple[str, str]]] = {}

    def graph_nodes(a: AssetsDefinition) -> None:
        if a.node_name not in graph_outputs:
            from .graph_layout import nodes_for_graph_asset

            nodes_for_graph_asset(a, lambda k, here=True: input_source(k, by_key, computable if here else (), True),
                                  [output_handle(by_key[d], d)[0] for d in a.deps if d in computable],
                                  [output_handle(by_key[k], k)[0] for k in a.input_keys.values() if k in computable],
                                  nodes)
            graph_outputs[a.node_name] = {o: h for o, h in a.graph.outputs.items() if h[0] in nodes}

    # AssetKey's own order (by path), compared in C rather than by a `__lt__` call per pair
    # (by its `_order_text`: one string against another); sorted from the order the assets were
    # given in (often near sorted: fewer comparisons than from a set's order), which gives the
    # same list (no two keys have the same path).
    # What the plain assets' nodes need (each of them: see `told` below): no config, no
    # output of a class other than Out (a DynamicOut), no partitions, no resource but an IO
    # manager (these keys, else None), no resources brought along.
    free, static, partitioned, brought, io_keys, tagged, single = add_asset_nodes(
        sorted(given, key=attrgetter("_order_text")), by_key, computable, nodes, graph_nodes)
    # Each asset given made one node, of its own (no multi-asset, graph asset or clash of
    # names): what is asked of the job's nodes, and of its assets (`whole`), is known here.
    plain_nodes = plain_only and not graph_outputs and len(nodes) == len(given)
    whole = plain_nodes and selection is None
    for check in checks:
        if check.check_keys & chosen_checks:
            add_check_node(check, by_key, computable, nodes)
    add_blocking_edges(nodes, checks, by_key, computable)
    resources = assets_resources(by_key.values()) if brought or not whole else {}
    resources.update(resource_defs or {})
    job_def = _new(JobDefinition)  # (told before `__init__`, which asks about dynamic outputs)
    told = plain_nodes and len(nodes) == len(given)  # (no check node either)
    if told and static:
        per_job(job_def, DYNAMIC_OUTPUTS, lambda: False)
    if told and io_keys is not None and not brought and not hooks:
        per_job(job_def, RESOURCES_NEEDED, lambda: frozenset(io_keys))
    if not partitions_def:  # (none of the plain assets is partitioned: no walk)
        partitions_def = (common_partitions_def(by_key, computable) if partitioned or not plain_nodes
                          else None)
    # (`by_key` itself, changed no more: a copy went over every key and definition, and
    # freeing `by_key` then over them again, each a cache miss an asset at 10,000 assets)
    job_def.__init__(
        name=name, nodes=nodes, executor_def=executor_def, resource_defs=resources,
        config=config, tags=dict(tags or {}), description=description,
        partitions_def=partitions_def, asset_defs=by_key,
        hook_defs=frozenset(hooks or ()), graph_outputs=graph_outputs,
    )
    if plain_nodes:
        per_job(job_def, _ASSET_KEYS, lambda: frozenset(computable))  # (itself when frozen)
        if not partitioned:
            per_job(job_def, PARTITIONED_ASSETS, list)
        if free and told:
            per_job(job_def, NODES_FREE, lambda: True)
        if not tagged and told:  # (no op tags, nor the nodes: no time limit tag)
            per_job(job_def, TIMEOUT_TAGGED, list)
            per_job(job_def, PLAIN_ASSET_NODES, lambda: single and not hooks)
    return job_def


_new = object.__new__


@value_class(frozen=True)
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
