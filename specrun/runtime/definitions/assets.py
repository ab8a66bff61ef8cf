"""Assets: ops that produce a named, persistent thing, made by the `@asset` decorator.

An asset's upstream assets are its function's parameters (by name, as in Dagster), or
given with `ins=` / `deps=`. The definition is a value wrapping an `OpDefinition`
(assets_definition.py, whose names this module exports too).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, Mapping, Optional, Sequence, Union

from ...errors import DefinitionError
from ..config import normalize_config_schema
from .asset_spec import tags_with_kinds
from .assets_definition import AssetDep, AssetIn, AssetsDefinition, AssetSpec, SourceAsset, dep_key
from .keys import AssetKey
from .metadata import normalize_metadata
from .ops import In, OpDefinition, build_ins, op_tags_with_compute_kind, resource_key_set, result_out
from .types import return_annotation
from .check_specs import validate_asset_check_specs
from .policy import RetryPolicy
from .signature import ComputeSignature, docstring, read_signature

__all__ = ["AssetDep", "AssetIn", "AssetSpec", "AssetsDefinition", "SharedAssetParts", "SourceAsset", "asset",
           "dep_key", "make_asset"]



def _asset_key(fn_name: str, name: Optional[str], key: Any, key_prefix: Any) -> AssetKey:
    if key is not None:
        if name is not None or key_prefix is not None:
            raise DefinitionError("pass either key=, or name=/key_prefix=, not both")
        return AssetKey.from_coercible(key)
    base = AssetKey([name or fn_name])
    return base.with_prefix(key_prefix) if key_prefix else base


def asset(
    compute_fn: Optional[Callable[..., Any]] = None,
    *,
    name: Optional[str] = None,
    key: Any = None,
    key_prefix: Optional[Union[str, Sequence[str]]] = None,
    ins: Optional[Mapping[str, AssetIn]] = None,
    deps: Optional[Sequence[Any]] = None,
    metadata: Optional[Mapping[str, Any]] = None,
    description: Optional[str] = None,
    config_schema: Any = None,
    required_resource_keys: Optional[set[str]] = None,
    resource_defs: Optional[Mapping[str, Any]] = None,
    io_manager_key: Optional[str] = None,
    input_manager_key: Optional[str] = None,
    compute_kind: Optional[str] = None,
    kinds: Optional[set[str]] = None,
    dagster_type: Any = None,
    partitions_def: Any = None,
    group_name: Optional[str] = None,
    code_version: Optional[str] = None,
    retry_policy: Optional[RetryPolicy] = None,
    tags: Optional[Mapping[str, str]] = None,
    op_tags: Optional[Mapping[str, Any]] = None,
    owners: Optional[Sequence[str]] = None,
    check_specs: Optional[Sequence[Any]] = None,
) -> Any:
    """Decorate a function as an asset. Parameters not named `context`/`config` (and not
    resources) are upstream assets, found by name unless `ins=` says otherwise; `check_specs`
    are checks the function evaluates itself (yielding `AssetCheckResult`s)."""
    options = dict(locals())
    options.pop("compute_fn")
    if compute_fn is not None:
        return _make_asset(compute_fn, options)
    return lambda fn: _make_asset(fn, options)


def make_asset(fn: Callable[..., Any], options: Mapping[str, Any], shared: Optional["SharedAssetParts"] = None
               ) -> AssetsDefinition:
    """`asset(fn, **options)`; with `shared`, and no option set but those of the asset itself
    (name, key, key prefix, inputs, deps, check specs), what the asset takes from `fn` is found
    in `shared` or kept there for later assets of `fn` (see `SharedAssetParts`)."""
    if shared is not None and not _ASSET_OWN_OPTIONS.issuperset(options):
        shared = None  # (an option the parts depend on: parts of its own)
    return _make_asset(fn, {**_ASSET_OPTIONS, **options}, shared)


def _make_asset(fn: Callable[..., Any], o: Mapping[str, Any], shared: Optional["SharedAssetParts"] = None
                ) -> AssetsDefinition:
    """The asset of `fn` with the options of `asset()` (`o`, read only: a decorator made once
    may be applied to several functions). `shared`: only for `o` setting none of the options
    `_function_parts` reads (see `make_asset`)."""
    key = _asset_key(fn.__name__, o["name"], o["key"], o["key_prefix"])
    what = f"asset {key.to_user_string()!r}"
    asset_ins = dict(o["ins"] or {})
    default_manager = o["input_manager_key"]
    op_ins = {n: _op_in(spec, default_manager) for n, spec in asset_ins.items()}
    parts = None if shared is None else shared.find(fn, op_ins)
    if parts is None:
        sig = read_signature(fn, what)
        ins = build_ins(sig, op_ins, what)
        if default_manager:
            ins = {n: replace(spec, input_manager_key=spec.input_manager_key or default_manager)
                   for n, spec in ins.items()}
    else:
        sig, ins = parts[0], parts[1]
    input_keys = {  # (before the other parts, as always: an input's bad key is the first error)
        n: (asset_ins[n].resolve_key(n) if n in asset_ins else AssetKey([n])) for n in ins
    }
    if parts is None:
        parts = _function_parts(fn, o, sig, ins)
        if shared is not None:
            shared.keep(fn, op_ins, parts)
    _, _, outs, config_schema, resource_keys, op_tags, description, compute_kind, metadata = parts
    if shared is not None:  # parts other assets share: each asset its own dicts, as it would make them
        ins, outs, op_tags, metadata = ins.copy(), outs.copy(), op_tags.copy(), metadata.copy()
    # (fields by position: a call by keyword to a class with its own __init__ makes a dict of
    # them first, ~500 instructions a field; tests/runtime/definitions/test_assets.py pins them)
    op_def = OpDefinition(key.to_python_identifier(), fn, ins, outs, sig, config_schema, resource_keys,
                          o["retry_policy"], op_tags, description, o["code_version"], "asset")
    deps, check_specs, tags = o["deps"], o["check_specs"], o["tags"]
    if o["kinds"]:  # (tags, as in Dagster; not with compute_kind, which Dagster refuses alongside)
        if o["compute_kind"]:
            raise DefinitionError(f"{what}: give compute_kind= or kinds=, not both")
        tags = tags_with_kinds(tags, o["kinds"], key)
    return AssetsDefinition(
        key, op_def, input_keys, {n: s for n, s in asset_ins.items() if isinstance(s, AssetIn)},
        tuple(map(dep_key, deps)) if deps else (), o["group_name"] or "default", compute_kind, metadata,
        o["partitions_def"], o["io_manager_key"] or "io_manager", o["code_version"], description,
        dict(tags) if tags else {}, tuple(o["owners"] or ()),
        dict(o["resource_defs"]) if o["resource_defs"] else {},
        _dep_partition_mappings(deps) if deps else {},
        validate_asset_check_specs(check_specs, {key}, what) if check_specs else (),
    )


def _dep_partition_mappings(deps: Sequence[Any]) -> dict[AssetKey, Any]:
    """The partition mappings `deps=` gives (`AssetDep(..., partition_mapping=...)`), by asset."""
    return {d.asset_key: d.partition_mapping for d in deps
            if isinstance(d, AssetDep) and d.partition_mapping is not None}


def _function_parts(fn: Callable[..., Any], o: Mapping[str, Any], sig: ComputeSignature,
                    ins: dict[str, In]) -> tuple[Any, ...]:
    """What an asset of `fn` takes from it and from the options of `asset()` other than its
    name, key, inputs' assets, deps and check specs, besides its signature and op inputs (given):
    (signature, op inputs, outputs, config schema, resource keys, op tags, description, kind,
    metadata)."""
    config_schema = o["config_schema"]
    if sig.config_class is not None:
        config_schema = sig.config_class
    return (sig, ins,
            result_out(o["dagster_type"], o["metadata"], o["io_manager_key"] or "io_manager", return_annotation(fn)),
            normalize_config_schema(config_schema), resource_key_set(o["required_resource_keys"]),
            op_tags_with_compute_kind(o["compute_kind"], o["op_tags"]), o["description"] or docstring(fn),
            o["compute_kind"],
            normalize_metadata(o["metadata"]))


class SharedAssetParts:
    """The parts (`_function_parts`) of the assets made so far, for other assets of the same
    function: a 1,000-asset spec often makes most of its assets of one or two functions.

    Only assets that set no option the parts depend on (`make_asset` sees to it), and whose
    inputs are all the plain `In()` (no metadata, input manager or type of their own), share
    them, found by their function and their inputs' names; the parts of any other asset are
    made for it alone. Kept by whoever makes many assets at once (one spec's resolve), and
    dropped with it: a function defined again is another function, with parts of its own. (What
    the parts take from the function object itself, its signature and docstring, is kept per
    function already: `read_signature`, `docstring`.)"""

    def __init__(self) -> None:
        self._parts: dict[tuple[Any, ...], tuple[Any, ...]] = {}

    def find(self, fn: Callable[..., Any], op_ins: Mapping[str, In]) -> Optional[tuple[Any, ...]]:
        return self._parts.get(_sharing_key(fn, op_ins))  # (None: never a key, see `keep`)

    def keep(self, fn: Callable[..., Any], op_ins: Mapping[str, In], parts: tuple[Any, ...]) -> None:
        key = _sharing_key(fn, op_ins)
        if key is not None:
            self._parts[key] = parts


def _sharing_key(fn: Callable[..., Any], op_ins: Mapping[str, In]) -> Optional[tuple[Any, ...]]:
    """What `SharedAssetParts` keeps an asset's parts under (its function, its inputs' names);
    None when an input is not the plain `In()` (its parts are its own)."""
    for spec in op_ins.values():
        if spec is not _PLAIN_IN:
            return None
    return (fn, *op_ins)


def _op_in(spec: Any, default_manager: Optional[str]) -> In:
    """The op input of an `ins=` entry: its metadata (an `AssetIn`'s), input manager and type.
    One shared `In()` stands for every entry that sets none of them (most)."""
    metadata = spec.metadata if isinstance(spec, AssetIn) else None
    manager = getattr(spec, "input_manager_key", None) or default_manager
    dagster_type = getattr(spec, "dagster_type", None)
    if metadata is None and manager is None and dagster_type is None:
        return _PLAIN_IN
    return In(metadata=metadata, input_manager_key=manager, dagster_type=dagster_type)


_PLAIN_IN = In()

# `asset()`'s options and their defaults (all None), and those of the asset itself (the others
# are read by `_function_parts`)
_ASSET_OPTIONS: dict[str, Any] = dict(asset.__kwdefaults__ or {})
_ASSET_OWN_OPTIONS = frozenset({"name", "key", "key_prefix", "ins", "deps", "check_specs"})
