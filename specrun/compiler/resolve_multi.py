"""Resolve a multi-asset entry: `assets.<name>: {fn, outs: {a: {...}, b: {...}}}`, one step
(named after the entry) producing the assets a and b, as Dagster's `@multi_asset`."""

from __future__ import annotations

from typing import Any, Optional

from ..runtime.definitions.assets import AssetIn, AssetsDefinition
from ..runtime.definitions.keys import AssetKey
from .model import AssetEntry
from .parse import escape
from .resolve_parts import check_config, kind_tags, retry_policy, timeout_tags


def resolve_multi_asset(entry: AssetEntry, fn: Any, ins: dict[str, AssetIn], deps: list[AssetKey], pdef: Any,
                        check_specs: list[Any], ctx: Any) -> Optional[AssetsDefinition]:
    """The multi-asset of `entry` (its checks: `check_specs`), or None after adding its errors
    to `ctx.col` (`ctx`: resolve's `ResolveContext`)."""
    from ..runtime.definitions.multi_assets import AssetOut, multi_asset  # (only for a multi-asset)

    outs = {}
    for name, o in entry.outs.items():
        o = o or {}
        # each asset has the entry's tags and kinds, and its own kinds
        tags = kind_tags(entry.tags, [*entry.kinds, *(o.get("kinds") or ())], AssetKey([*entry.key_prefix, name]),
                         f"{entry.pointer}/outs/{escape(name)}/kinds", ctx.col)
        if tags is None:
            return None
        outs[name] = AssetOut(key_prefix=entry.key_prefix or None, description=o.get("description"),
                              io_manager_key=o.get("io_manager") or entry.io_manager,
                              group_name=o.get("group") or entry.group, tags=tags or None)
    made: Optional[AssetsDefinition] = ctx.col.attempt(lambda: multi_asset(
        outs=outs, name=multi_asset_op_name(entry), ins=ins, deps=deps,
        partitions_def=pdef, required_resource_keys=set(entry.resources),
        retry_policy=retry_policy(entry.retry, entry.pointer), code_version=entry.code_version,
        op_tags=timeout_tags(entry.timeout, entry.pointer) or None,
        description=entry.description, compute_kind=entry.compute_kind,
        can_subset=bool(entry.can_subset), check_specs=check_specs)(fn), entry.pointer)
    if made is not None and entry.config is not None:
        ctx.col.attempt(lambda: check_config(made.op.config_schema, entry.config, entry.pointer + "/config", ctx))
    return made


def multi_asset_op_name(entry: AssetEntry) -> str:
    """The step of a multi-asset entry: its name, after its `use:` instance's (`orders__pair`)."""
    return entry.scope.replace("/", "__") + entry.name
