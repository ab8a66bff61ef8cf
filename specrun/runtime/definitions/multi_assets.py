"""Multi-assets: one function (one step) producing several assets, each from one of its outputs.

`@multi_asset(outs={"a": AssetOut(), "b": AssetOut()})` or `@multi_asset(specs=[AssetSpec("a"),
...])` builds an `AssetsDefinition` whose `keys_by_output_name` names the asset of each output;
with `can_subset=True` a run may select only some of them (`context.selected_output_names`).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional, Sequence, Union

from ...errors import DefinitionError
from ..config import normalize_config_schema
from .assets import AssetIn, AssetsDefinition, AssetSpec, dep_key
from .asset_spec import tags_with_kinds
from .check_specs import validate_asset_check_specs
from .keys import AssetKey, CoercibleToAssetKey, key_facts_of
from .metadata import normalize_metadata
from .ops import In, OpDefinition, Out, build_ins, op_tags_with_compute_kind, resource_key_set
from .signature import read_signature


@dataclass(frozen=True)
class AssetOut:
    """One asset a multi-asset produces, as the output of the same name."""

    key: Optional[CoercibleToAssetKey] = None
    key_prefix: Optional[Union[str, Sequence[str]]] = None
    dagster_type: Any = None
    description: Optional[str] = None
    is_required: bool = True
    io_manager_key: Optional[str] = None
    metadata: Optional[Mapping[str, Any]] = None
    group_name: Optional[str] = None
    code_version: Optional[str] = None
    tags: Optional[Mapping[str, str]] = None
    owners: Optional[Sequence[str]] = None
    kinds: Optional[set[str]] = None

    def __post_init__(self) -> None:
        if self.kinds:  # its tags then hold them, as Dagster's AssetOut's do
            object.__setattr__(self, "tags", tags_with_kinds(self.tags, self.kinds))

    def to_asset_key(self, output_name: str) -> AssetKey:
        if self.key is not None:
            return AssetKey.from_coercible(self.key)
        prefix = [self.key_prefix] if isinstance(self.key_prefix, str) else list(self.key_prefix or [])
        return AssetKey([*prefix, output_name])


def multi_asset(
    *,
    outs: Optional[Mapping[str, AssetOut]] = None,
    specs: Optional[Sequence[AssetSpec]] = None,
    name: Optional[str] = None,
    ins: Optional[Mapping[str, AssetIn]] = None,
    deps: Optional[Sequence[Any]] = None,
    description: Optional[str] = None,
    config_schema: Any = None,
    required_resource_keys: Optional[set[str]] = None,
    resource_defs: Optional[Mapping[str, Any]] = None,
    partitions_def: Any = None,
    can_subset: bool = False,
    group_name: Optional[str] = None,
    retry_policy: Any = None,
    code_version: Optional[str] = None,
    op_tags: Optional[Mapping[str, Any]] = None,
    compute_kind: Optional[str] = None,
    check_specs: Optional[Sequence[Any]] = None,
) -> Callable[[Callable[..., Any]], AssetsDefinition]:
    """Decorate a function producing several assets: it returns a tuple in `outs` order, or
    yields `Output(value, output_name=...)` / `MaterializeResult(asset_key=...)` per asset."""
    options = dict(locals())

    def decorate(fn: Callable[..., Any]) -> AssetsDefinition:
        return _make_multi_asset(fn, **options)

    return decorate


def _outputs(node_name: str, outs: Any, specs: Any) -> dict[str, tuple[AssetKey, AssetOut]]:
    """output name -> (asset key, AssetOut) from `outs=` or `specs=`."""
    what = f"multi_asset {node_name!r}"
    if outs and specs:
        raise DefinitionError(f"{what}: give outs= or specs=, not both")
    found: dict[str, tuple[AssetKey, AssetOut]] = {}
    for out_name, out in (outs or {}).items():
        if not isinstance(out, AssetOut):
            raise DefinitionError(
                f"{what}: output {out_name!r} is {type(out).__name__}, not an AssetOut: every "
                "output of a multi-asset is an asset (use @op with Out for outputs that are not)")
        found[out_name] = (out.to_asset_key(out_name), out)
    for spec in specs or ():
        if not isinstance(spec, AssetSpec):
            raise DefinitionError(f"{what}: specs= takes AssetSpec values, got {spec!r}")
        found[spec.key.to_python_identifier()] = (spec.key, AssetOut(
            key=spec.key, description=spec.description, metadata=spec.metadata,
            is_required=not spec.skippable,
            group_name=spec.group_name, io_manager_key=spec.io_manager_key,
            code_version=spec.code_version, tags=spec.tags or None, owners=spec.owners or None))
    if not found:
        raise DefinitionError(f"{what} declares no assets: give outs={{name: AssetOut()}} or "
                              "specs=[AssetSpec(key)]")
    keys = [k for k, _ in found.values()]
    twice = sorted({k.to_user_string() for k in keys if keys.count(k) > 1})
    if twice:
        raise DefinitionError(f"{what} produces asset(s) {twice} from more than one output")
    return found


def _make_multi_asset(fn: Callable[..., Any], **o: Any) -> AssetsDefinition:
    node_name = o["name"] or fn.__name__
    what = f"multi_asset {node_name!r}"
    outputs = _outputs(node_name, o["outs"], o["specs"])
    if o["compute_kind"] and any(spec.kinds for spec in o["specs"] or ()):
        raise DefinitionError(f"{what}: give compute_kind= or kinds on its AssetSpecs, not both")
    produced = {k for k, _ in outputs.values()}
    sig = read_signature(fn, what)
    asset_ins = dict(o["ins"] or {})
    ins = build_ins(sig, {n: In(metadata=s.metadata, input_manager_key=s.input_manager_key,
                                 dagster_type=s.dagster_type) for n, s in asset_ins.items()}, what)
    input_keys = {n: (asset_ins[n].resolve_key(n) if n in asset_ins else AssetKey([n])) for n in ins}
    deps = [dep_key(d) for d in (o["deps"] or ())]
    for spec in o["specs"] or ():
        deps.extend(d for d in spec.deps if d not in produced)
    # As Dagster's: an AssetSpec's output is optional in a multi-asset that can subset, an
    # AssetOut's as it says (a subset's unselected outputs are never asked for)
    out_defs = {n: Out(dagster_type=out.dagster_type, description=out.description,
                       is_required=out.is_required and not (o["can_subset"] and o["specs"]),
                       io_manager_key=out.io_manager_key or "io_manager", metadata=out.metadata,
                       code_version=out.code_version)
                for n, (_, out) in outputs.items()}
    op_def = OpDefinition(
        name=node_name, compute_fn=fn, ins=ins, outs=out_defs, signature=sig,
        config_schema=normalize_config_schema(sig.config_class or o["config_schema"]),
        required_resource_keys=resource_key_set(o["required_resource_keys"]),
        retry_policy=o["retry_policy"], tags=op_tags_with_compute_kind(o["compute_kind"], o["op_tags"]),
        description=o["description"] or inspect.getdoc(fn), code_version=o["code_version"], kind="asset",
    )
    keys_by_output = {n: k for n, (k, _) in outputs.items()}
    spec_deps = {spec.key: spec.deps for spec in o["specs"] or ()}
    facts = {k: key_facts_of(out.group_name or o["group_name"] or "default", out, spec_deps.get(k))
             for k, out in outputs.values()}
    first = next(iter(keys_by_output.values()))
    return AssetsDefinition(
        key=first, op=op_def, input_keys=input_keys,
        input_specs={n: s for n, s in asset_ins.items() if isinstance(s, AssetIn)},
        deps=tuple(dict.fromkeys(deps)), group_name=facts[first].group_name, compute_kind=o["compute_kind"],
        metadata=normalize_metadata(outputs[next(iter(outputs))][1].metadata),
        partitions_def=o["partitions_def"], io_manager_key=out_defs[next(iter(out_defs))].io_manager_key,
        code_version=o["code_version"], description=op_def.description,
        resource_defs=dict(o["resource_defs"] or {}),
        check_specs=validate_asset_check_specs(o["check_specs"] or (), produced, what),
        keys_by_output_name=keys_by_output, key_facts=facts, can_subset=bool(o["can_subset"]),
        multi=True,
    )
