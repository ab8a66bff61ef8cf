"""Resolve asset checks: `checks.<name>` entries, and `check_specs:` of asset entries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import SpecError, suggest
from ..runtime.definitions.asset_checks import asset_check
from ..runtime.definitions.assets import AssetsDefinition
from ..runtime.definitions.check_specs import AssetCheckSpec, multi_asset_check
from ..runtime.definitions.keys import AssetKey
from .model import AssetEntry
from .model_sections import CheckEntry
from .resolve_parts import check_config

if TYPE_CHECKING:
    from .resolve import ResolveContext


def asset_check_specs(entry: AssetEntry, ctx: "ResolveContext") -> list[Any]:
    """`check_specs:` of an asset entry: checks its own function evaluates (of a multi-asset,
    each names its asset with `asset:` unless the entry has one out)."""
    specs = []
    for name, options in entry.check_specs.items():
        ptr = f"{entry.pointer}/check_specs/{name}"
        target = (options or {}).get("asset") or (next(iter(entry.outs)) if len(entry.outs) == 1 else None)
        if not entry.outs:
            target = entry.name
        elif target not in entry.outs:
            where = ptr + "/asset" if target else ptr
            ctx.col.add(SpecError(
                f"check {name!r} of multi-asset {entry.name!r} " + (f"names {target!r}, which is not one of its outs"
                                                                   if target else "needs `asset:`: which of its outs it checks"),
                ctx.doc.locate(where, key=not target), where,
                (target and suggest(str(target), entry.outs)) or f"one of: {', '.join(entry.outs)}"))
            continue
        key = AssetKey([*entry.key_prefix, str(target)])
        specs.append(ctx.col.attempt(lambda: AssetCheckSpec(name, asset=key, **_spec_options(options)), ptr))
    return specs


def _spec_options(options: Any) -> dict[str, Any]:
    return {k: v for k, v in (options or {}).items() if k in ("blocking", "description")}


def _resolve_multi_check(entry: CheckEntry, ctx: "ResolveContext") -> Any:
    """`checks.<name>: {fn, specs: {check: {asset, blocking}}}`: one step evaluating each."""
    col, doc = ctx.col, ctx.doc
    specs = []
    for name, options in entry.specs.items():
        target = (options or {}).get("asset")
        ptr = f"{entry.pointer}/specs/{name}/asset"
        if target not in ctx.keys:
            col.add(SpecError(f"check {entry.name!r}: spec {name!r} names no asset {target!r}",
                              doc.locate(ptr), ptr, suggest(str(target), ctx.keys)))
            continue
        specs.append(AssetCheckSpec(name, asset=ctx.keys[target], **_spec_options(options)))
    obj = col.attempt(lambda: ctx.callables.resolve_code(entry.fn, entry.pointer + "/fn", "a step function"))
    if obj is None or len(specs) != len(entry.specs):
        return None
    fn = obj.op.compute_fn if hasattr(obj, "op") else obj
    ctx.check_resources(entry.resources, entry.pointer + "/resources")
    return col.attempt(lambda: multi_asset_check(
        specs=specs, name=entry.name, description=entry.description,
        required_resource_keys=set(entry.resources))(fn), entry.pointer)


def resolve_check(entry: CheckEntry, ctx: "ResolveContext") -> Any:
    """The definition of one `checks.<name>` entry, or None after adding its errors to `ctx.col`."""
    col, doc = ctx.col, ctx.doc
    if (entry.asset is None) == (not entry.specs):
        both = "has both" if entry.specs else "needs one of"
        col.add(SpecError(f"check {entry.name!r} {both} `asset:` (a check of one asset) and `specs:` "
                          "(several checks evaluated in one step)", doc.locate(entry.pointer),
                          entry.pointer, "a check of one asset: `asset: <asset name>`"))
        return None
    if entry.specs:
        return _resolve_multi_check(entry, ctx)
    if entry.asset is None or entry.asset not in ctx.keys:
        ptr = entry.pointer + "/asset"
        col.add(SpecError(f"check {entry.name!r}: no asset named {entry.asset!r}", doc.locate(ptr), ptr,
                          suggest(str(entry.asset), ctx.keys)))
        return None
    target = ctx.keys[entry.asset]
    obj = col.attempt(lambda: ctx.callables.resolve_code(entry.fn, entry.pointer + "/fn", "a step function"))
    if obj is None:
        return None
    fn = obj.op.compute_fn if isinstance(obj, AssetsDefinition) else obj
    ctx.check_resources(entry.resources, entry.pointer + "/resources")
    made = col.attempt(lambda: asset_check(
        fn, asset=target, name=entry.name, blocking=entry.blocking,
        description=entry.description, required_resource_keys=set(entry.resources)), entry.pointer)
    schema = getattr(getattr(made, "op", None), "config_schema", None)
    if schema is not None and entry.config is not None:
        col.attempt(lambda: check_config(schema, entry.config, entry.pointer + "/config", ctx))
    return made
