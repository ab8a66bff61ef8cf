"""What an asset entry takes from the decorated `@asset` or `@multi_asset` its `fn:` names.

An entry may name a plain function or one already decorated in Python. A decorated one brings
what its decorator declared, under the entry's own settings: its tags, metadata, description,
kind and owners (`described`), the upstream asset each parameter reads (`AssetIn(key=...)`)
and the assets it depends on without reading them (`deps=`) — both must be assets of the spec,
or the entry is refused at its `fn:` line. A decorated `@multi_asset` produces several assets,
so its entry must list them under `outs:`; without them it is refused, with the list to write.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, Optional

from ..errors import SpecError, suggest
from ..runtime.definitions.assets import AssetIn, AssetsDefinition
from ..runtime.definitions.keys import AssetKey
from ..runtime.definitions.ops import OpDefinition
from .model import AssetEntry

if TYPE_CHECKING:
    from .resolve import ResolveContext


def function_of(obj: Any) -> tuple[Any, Any]:
    """(plain function, decorated definition or None)."""
    if isinstance(obj, AssetsDefinition):
        return obj.op.compute_fn, obj
    if isinstance(obj, OpDefinition):
        return obj.compute_fn, obj
    return obj, None


def described(entry: AssetEntry, base: Optional[AssetsDefinition]) -> dict[str, Any]:
    """Tags, metadata, description, kind, kinds and owners of an asset: the spec entry's, over those of
    the decorated `@asset` its `fn:` names (key by key for tags and metadata)."""
    return {"tags": {**(base.tags if base else {}), **{k: str(v) for k, v in entry.tags.items()}},
            "metadata": {**(base.metadata if base else {}), **entry.metadata} or None,
            "description": entry.description or getattr(base, "description", None),
            "compute_kind": entry.compute_kind or getattr(base, "compute_kind", None),
            "kinds": entry.kinds or None,  # (besides the decorated asset's, in its tags)
            "owners": getattr(base, "owners", None)}


def multi_without_outs(entry: AssetEntry, base: Optional[AssetsDefinition], ctx: "ResolveContext") -> bool:
    """Whether `entry` names a decorated `@multi_asset` without `outs:` (said as an error)."""
    if base is None or not base.multi or entry.outs:
        return False
    names = [k.to_user_string().rsplit("/", 1)[-1] for k in base.keys_by_output_name.values()]
    ptr = entry.pointer + "/fn"
    ctx.col.add(SpecError(
        f"asset {entry.name!r}: {entry.fn!r} is a @multi_asset producing {', '.join(map(repr, names))}: "
        "an entry naming it lists them under `outs:`", ctx.doc.locate(ptr), ptr,
        "outs: {" + ", ".join(f"{n}: {{}}" for n in names) + "}"))
    return True


def decorated_ins(entry: AssetEntry, base: Optional[AssetsDefinition],
                  ctx: "ResolveContext") -> tuple[dict[str, AssetIn], set[str]]:
    """The inputs whose upstream asset the decorator of `base` named (`AssetIn(key=...)` or
    `key_prefix=`), for the parameters `entry.ins` does not map, each checked against the spec's
    assets; and the parameters so handled (not to be inferred from their names). A parameter
    the decorator did not name an asset for is the spec's to infer, by name."""
    if base is None:
        return {}, set()
    ins, handled = {}, set()
    for param, spec in base.input_specs.items():
        if param in entry.ins or (spec.key is None and not spec.key_prefix):
            continue
        handled.add(param)
        key = base.input_keys[param]
        if _known(key, entry, ctx, f"reads {key.to_user_string()!r} as {param!r}"):
            ins[param] = replace(spec, key=key, key_prefix=None)
    return ins, handled


def decorated_deps(entry: AssetEntry, base: Optional[AssetsDefinition], ctx: "ResolveContext") -> list[AssetKey]:
    """The assets the decorator of `base` depends on without reading them (`deps=`)."""
    if base is None:
        return []
    read = set(base.input_keys.values())
    return [k for k in base.deps if k not in read and _known(k, entry, ctx, f"depends on {k.to_user_string()!r}")]


def _known(key: AssetKey, entry: AssetEntry, ctx: "ResolveContext", what: str) -> bool:
    """Whether `key` is an asset of the spec; an error at the entry's `fn:` when not."""
    if key in ctx.key_set:
        return True
    ptr = entry.pointer + "/fn"
    name = key.to_user_string()
    ctx.col.add(SpecError(
        f"asset {entry.name!r}: the decorator of {entry.fn!r} {what}, which is not an asset of this spec",
        ctx.doc.locate(ptr), ptr,
        suggest(name, [k.to_user_string() for k in ctx.keys.values()]) or f"add an asset {name!r} to `assets:`"))
    return False
