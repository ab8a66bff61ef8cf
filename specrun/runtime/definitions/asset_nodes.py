"""The nodes of an asset job: one per asset (each op of a graph-backed one), one per check,
wired by asset key: an input from an asset computed in the same run reads its node's output,
any other input loads the stored asset."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, Collection, Mapping

from ...errors import DefinitionError, suggest
from .asset_checks import AssetChecksDefinition
from .assets import AssetsDefinition
from .keys import AssetKey
from .nodes import (NO_GRAPH_INPUTS, NO_INPUTS, FromAsset, FromOutput, Node, _WritableFromOutput,
                    _WritableNode, new_from_output)
from .ops import Out


def assets_resources(assets: Any) -> dict[str, Any]:
    """The resources the assets bring; two different definitions for one key are an error
    (as in Dagster, the same object given to several assets is one definition)."""
    resources: dict[str, Any] = {}
    owner: dict[str, AssetKey] = {}
    for a in assets:
        brought = getattr(a, "resource_defs", None)
        if not brought:  # (most assets bring none)
            continue
        for key, rdef in brought.items():
            if key in resources and resources[key] is not rdef:
                raise DefinitionError(
                    f"conflicting definitions of resource {key!r}: assets "
                    f"{owner[key].to_user_string()!r} and {a.key.to_user_string()!r} each bring "
                    "their own; give every asset the same resource object for one key (or pass "
                    "the resource once, to Definitions/materialize, instead of to the assets)")
            resources[key], owner[key] = rdef, a.key
    return resources


def common_partitions_def(by_key: Mapping[AssetKey, Any], keys: set[AssetKey]) -> Any:
    """The one partitions definition of the assets `keys` that are partitioned, else None."""
    defs = {}
    for k in keys:
        partitions_def = getattr(by_key[k], "partitions_def", None)
        if partitions_def is not None:
            defs[id(partitions_def)] = partitions_def
    return next(iter(defs.values())) if len(defs) == 1 else None


def subset_multi_assets(by_key: Mapping[AssetKey, Any], computable: set[AssetKey]) -> dict[AssetKey, Any]:
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


def assets_by_key(assets: Any) -> tuple[dict[AssetKey, Any], Collection[AssetKey], bool]:
    """(each key -> its definition or spec, the keys of the definitions (not of specs) in the
    order given, whether no multi-asset is among them); a key given twice is refused. Those
    keys are the first dict itself when it holds only plain definitions (no list of them made,
    and freed, each a pass over every key)."""
    by_key: dict[AssetKey, Any] = {}
    if assets.__class__ in _SEQUENCES:  # (each of them one plain asset, most often: no look-up
        for a in assets:                # nor append an asset, a key given twice seen at the end)
            if a.__class__ is not AssetsDefinition or a.multi:
                break
            by_key[a.key] = a
        else:
            if len(by_key) == len(assets):
                return by_key, by_key, True
        by_key = {}  # (the loop below, from the start: it refuses a key given twice, naming it)
    defined: list[AssetKey] = []
    plain_only = True  # (no multi-asset among them: none to subset)
    for a in assets:
        if a.__class__ is AssetsDefinition and not a.multi:  # (`keys_of(a)`, its common case)
            key = a.key
            if key in by_key:
                raise DefinitionError(f"asset {key.to_user_string()!r} is defined twice")
            by_key[key] = a
            defined.append(key)
            continue
        plain_only = False
        for key in keys_of(a):
            if key in by_key:
                raise DefinitionError(f"asset {key.to_user_string()!r} is defined twice")
            by_key[key] = a
            if isinstance(a, AssetsDefinition):
                defined.append(key)
    return by_key, defined, plain_only


_SEQUENCES = (list, tuple)


def output_handle(a: AssetsDefinition, key: AssetKey) -> tuple[str, str]:
    """(node, output) computing asset `key` of `a` (inside its graph, for a graph-backed one)."""
    output = a.get_output_name_for_asset_key(key)
    return a.graph.outputs[output] if a.graph is not None else (a.node_name, output)


def keys_of(a: Any) -> Any:
    """The asset keys a definition (or an AssetSpec) holds."""
    if a.__class__ is AssetsDefinition and not a.multi:
        return (a.key,)
    return getattr(a, "keys", None) or (a.key,)


def input_source(up_key: AssetKey, by_key, computable, produced_only: bool) -> Any:
    if up_key in computable:
        node, output = output_handle(by_key[up_key], up_key)
        return new_from_output(node, output, up_key)
    upstream = by_key.get(up_key)
    if upstream is None and produced_only:  # as Dagster: nothing would store what it loads
        raise unproduced_input_error(up_key, by_key)
    return FromAsset(
        up_key,
        io_manager_key=getattr(upstream, "io_manager_key", "io_manager"),
        partitions_def=getattr(upstream, "partitions_def", None),
    )


def add_asset_nodes(order: Any, by_key, computable, nodes: dict[str, Node],
                    graph_nodes: Callable[[AssetsDefinition], None]) -> tuple:
    """Add the nodes of the assets of the keys `order` names, in that order, to `nodes`: a
    plain asset's one node (a multi-asset's once), made here; a graph asset's by
    `graph_nodes(a)`. Returns what the plain assets' nodes need: (none takes config, each
    output is a plain Out (no DynamicOut), one is partitioned, one brings resources, the IO
    managers' keys when no other resource is needed, else None, one's op has tags, each op
    has one output, `result`, an Out)."""
    free, static, partitioned, brought, io_keys, tagged = True, True, False, False, set(), False
    single = True
    for key in order:  # (one pass, no call an asset: ~0.4k instructions a Python call)
        a = by_key[key]
        if a.graph is not None:
            graph_nodes(a)
            continue
        op = a.op
        name = op.name  # (`a.node_name`)
        if name in nodes:  # (a multi-asset's other keys)
            continue
        input_keys = a.input_keys
        inputs = {} if input_keys else NO_INPUTS  # (a root's: shared, see there)
        for n in input_keys:  # (most: one, without an items view, its iterator and a tuple)
            k = input_keys[n]
            if k in computable:  # (most) `input_source`'s first case, with `output_handle` inlined
                up = by_key[k]
                made_by = up.keys_by_output_name
                if up.__class__ is not AssetsDefinition:
                    output = up.get_output_name_for_asset_key(k)
                elif made_by.get("result") is k:  # (most: `@asset`'s one output; no count: ~0.2k)
                    output = "result"
                else:  # (its `get_output_name_for_asset_key`, inlined)
                    for output, made in made_by.items():
                        if made is k:  # (`==` for interned keys, without the slot call `__lt__` brings)
                            break
                    else:
                        output = up.get_output_name_for_asset_key(k)  # (raises, naming both)
                if up.graph is None:  # (`new_from_output(up.op.name, output, k)`, without the call)
                    source: Any = _WritableFromOutput()
                    source.node, source.output, source.asset_key = up.op.name, output, k
                    source.__class__ = FromOutput
                    inputs[n] = source
                else:
                    node_name, output = up.graph.outputs[output]
                    inputs[n] = new_from_output(node_name, output, k)
            else:  # an input manager may load what no asset given produces (Dagster refuses it)
                inputs[n] = input_source(k, by_key, computable,
                                         not getattr(op.ins.get(n), "input_manager_key", None))
        deps = a.deps
        extra = tuple(sorted(output_handle(by_key[d], d)[0] for d in deps if d in computable)) if deps else ()
        node: Any = _WritableNode()  # (`Node(name, op, inputs, asset=a, extra_deps=extra)`)
        # (one store a statement: `a, b, c, d = ...` makes a tuple to unpack, ~0.2k instructions)
        node.name = name
        node.op_def = op
        node.inputs = inputs
        node.tags = {}
        node.retry_policy = None
        node.asset = a
        node.check = None
        node.extra_deps = extra
        node.hooks = ()
        node.graph_asset = None
        node.graph_inputs = NO_GRAPH_INPUTS
        node.__class__ = Node
        nodes[name] = node
        if op.config_schema is not None:
            free = False
        outs = op.outs
        if len(outs) != 1 or outs.get("result").__class__ is not Out:  # (not `@asset`'s one Out)
            single = False
            for out in outs.values():
                static = static and out.__class__ is Out
        if a.partitions_def is not None:  # (a test and a jump, where `x = x or ...` stores too)
            partitioned = True
        if op.tags:
            tagged = True
        if a.resource_defs:
            brought = True
        if io_keys is None or op.required_resource_keys or op.signature.resource_params:
            io_keys = None
        else:
            io_keys.add(a.io_manager_key)
    return free, static, partitioned, brought, io_keys, tagged, single


def add_check_node(check: AssetChecksDefinition, by_key, computable, nodes) -> None:
    inputs = {n: input_source(k, by_key, computable, False) for n, k in check.input_keys.items()}  # any asset
    targets = check.asset_keys
    extra = tuple(output_handle(by_key[k], k)[0] for k in targets
                  if k in computable and not (check.asset_param and k == targets[0]))
    extra += tuple(output_handle(by_key[d], d)[0] for d in check.additional_deps if d in computable)
    if check.node_name in nodes:
        raise DefinitionError(f"asset check {check.name!r} is defined twice for "
                              f"{', '.join(k.to_user_string() for k in targets)!r}")
    nodes[check.node_name] = Node(check.node_name, check.op, inputs, check=check, extra_deps=extra)


def add_blocking_edges(nodes, checks, by_key, computable) -> None:
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


def unproduced_input_error(key: Any, known: Any) -> DefinitionError:
    """An input that loads an asset no definition given produces (Dagster refuses it too)."""
    hint = suggest(name := key.to_user_string(), [k.to_user_string() for k in known])
    return DefinitionError(f"input asset {name!r} is not produced by any asset given nor a source "
                           f"asset{'; ' + hint if hint else ''} (give its definition, a SourceAsset "
                           f"or AssetSpec for it, or use deps= if only the order matters)")
