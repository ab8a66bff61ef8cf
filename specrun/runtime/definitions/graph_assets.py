"""Graph-backed assets: an asset (or several) computed by a graph of ops, each op its own step.

`@graph_asset` and `@graph_multi_asset` build a graph from the decorated body and make it an
asset with `AssetsDefinition.from_graph` (see `graph_layout.py` for how its steps run).
"""

from __future__ import annotations

import inspect
from dataclasses import replace
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

from ...errors import DefinitionError
from .asset_spec import tags_with_kinds
from .assets import AssetIn, AssetsDefinition
from .composition import GraphDefinition
from .keys import AssetKey
from .multi_assets import AssetOut


def assets_from_graph(graph_def: Any, **kwargs: Any) -> AssetsDefinition:
    return AssetsDefinition.from_graph(graph_def, **kwargs)


def graph_asset(
    compose_fn: Optional[Callable[..., Any]] = None, *, name: Optional[str] = None,
    key_prefix: Any = None, ins: Optional[Mapping[str, AssetIn]] = None, group_name: Optional[str] = None,
    partitions_def: Any = None, metadata: Optional[Mapping[str, Any]] = None,
    description: Optional[str] = None, resource_defs: Optional[Mapping[str, Any]] = None,
    code_version: Optional[str] = None, key: Any = None, tags: Optional[Mapping[str, str]] = None,
    deps: Sequence[Any] = (), owners: Optional[Sequence[str]] = None, kinds: Optional[Iterable[str]] = None,
) -> Any:
    """Decorate a graph body whose return value is the asset: its parameters are upstream
    assets (by name, or `ins=`), and each op it calls runs as its own step. `kinds` are tags
    `dagster/kind/<kind>`, as `@asset`'s."""

    def decorate(fn: Callable[..., Any]) -> AssetsDefinition:
        node_name = name or (AssetKey.from_coercible(key).to_python_identifier() if key else fn.__name__)
        graph_def = GraphDefinition(node_name, fn, description or inspect.getdoc(fn))
        asset_key = AssetKey.from_coercible(key) if key else None
        tagged = tags_with_kinds(tags, kinds, asset_key or AssetKey(node_name))
        return assets_from_graph(
            graph_def, keys_by_input_name=_input_keys(fn, ins), key_prefix=key_prefix,
            keys_by_output_name={"result": asset_key} if asset_key else None, group_name=group_name,
            partitions_def=partitions_def, metadata=metadata, description=description,
            resource_defs=resource_defs, code_version=code_version, tags=tagged, owners=owners, deps=deps,
            input_specs=ins)

    return decorate(compose_fn) if compose_fn is not None else decorate


def graph_multi_asset(
    *, outs: Mapping[str, AssetOut], name: Optional[str] = None, ins: Optional[Mapping[str, AssetIn]] = None,
    partitions_def: Any = None, group_name: Optional[str] = None, can_subset: bool = False,
    resource_defs: Optional[Mapping[str, Any]] = None, description: Optional[str] = None,
    code_version: Optional[str] = None, deps: Sequence[Any] = (),
) -> Callable[[Callable[..., Any]], AssetsDefinition]:
    """Decorate a graph body returning a dict {output name: op output}, one asset per `outs`."""

    def decorate(fn: Callable[..., Any]) -> AssetsDefinition:
        node_name = name or fn.__name__
        for out_name, out in outs.items():
            if not isinstance(out, AssetOut):
                raise DefinitionError(f"graph_multi_asset {node_name!r}: output {out_name!r} is "
                                      f"{type(out).__name__}, not an AssetOut")
        graph_def = GraphDefinition(node_name, fn, description or inspect.getdoc(fn))
        made = assets_from_graph(
            graph_def, keys_by_input_name=_input_keys(fn, ins),
            keys_by_output_name={o: out.to_asset_key(o) for o, out in outs.items()},
            group_name=group_name, group_names_by_output_name={o: out.group_name for o, out in outs.items()
                                                               if out.group_name},
            partitions_def=partitions_def, resource_defs=resource_defs, description=description,
            code_version=code_version, can_subset=can_subset, deps=deps, input_specs=ins, out_specs=outs)
        missing = sorted(set(outs) - set(made.keys_by_output_name))
        extra = sorted(set(made.keys_by_output_name) - set(outs))
        if missing or extra:
            raise DefinitionError(f"graph_multi_asset {node_name!r}: its graph returns {extra or 'no'} output(s) "
                                  f"outs= does not declare, and not {missing or 'none'} that outs= declares")
        return replace(made, multi=True)

    return decorate


def _input_keys(fn: Callable[..., Any], ins: Optional[Mapping[str, AssetIn]]) -> dict[str, AssetKey]:
    return {n: spec.resolve_key(n) for n, spec in (ins or {}).items()
            if n in inspect.signature(fn).parameters}
