"""Resolve an external asset entry: `assets.<name>: {external: true}` or `{observe: fn}`.

An external asset is Dagster's `AssetSpec` / `SourceAsset`: made elsewhere, read here through
its IO manager (or only depended on). With `observe:` it is an `@observable_source_asset`
whose function returns a `DataVersion`; `specrun observe` and `specrun apply` run it.
"""

from __future__ import annotations

from typing import Any, Optional

from ..errors import SpecError
from ..runtime.definitions.assets import AssetSpec
from ..runtime.definitions.keys import AssetKey
from .resolve_parts import kind_tags


def resolve_external_asset(entry: Any, ctx: Any) -> Optional[Any]:
    """The AssetSpec (or observable source asset) of `entry`, or None after adding its errors."""
    col, doc = ctx.col, ctx.doc
    for computed in ("fn", "graph"):
        if getattr(entry, computed):
            ptr = f"{entry.pointer}/{computed}"
            col.add(SpecError(f"asset {entry.name!r} is external (`external:`/`observe:`): it is not computed "
                              f"here, so it has no `{computed}:`", doc.locate(ptr, key=True), ptr,
                              "drop `external:`/`observe:` to compute it, or drop this key"))
            return None
    key = AssetKey([*entry.key_prefix, entry.name])
    pdef = ctx.partitions_for(entry.partitions, entry.pointer + "/partitions")
    options = dict(description=entry.description, metadata=entry.metadata or None, group_name=entry.group,
                   partitions_def=pdef, io_manager_key=entry.io_manager or "io_manager",
                   tags=kind_tags(entry.tags, entry.kinds, key, entry.pointer + "/kinds", col) or None)
    if entry.observe is None:
        return AssetSpec(key, **options)
    from ..runtime.definitions.observations import observable_source_asset

    ptr = entry.pointer + "/observe"
    fn = col.attempt(lambda: ctx.callables.resolve_code(entry.observe, ptr, "an observation function"))
    if fn is None:
        return None
    if not callable(fn) or isinstance(fn, type):
        col.add(SpecError(f"{entry.observe!r} is not a function", doc.locate(ptr), ptr,
                          "name a function returning a DataVersion"))
        return None
    ctx.check_resources(entry.resources, entry.pointer + "/resources")
    return col.attempt(lambda: observable_source_asset(
        key=key, required_resource_keys=set(entry.resources), **options)(fn), ptr)
