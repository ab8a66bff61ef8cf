"""Functions over lists of asset definitions: binding resources to each, and collecting
those a module defines."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Mapping, Optional, Sequence

from ...errors import DefinitionError
from .asset_checks import AssetChecksDefinition
from .assets import AssetsDefinition, AssetSpec


def with_resources(definitions: Sequence[Any], resource_defs: Mapping[str, Any],
                   resource_config_by_key: Optional[Mapping[str, Any]] = None) -> list[Any]:
    """`definitions` with `resource_defs` bound to each asset and check (its own resources of
    the same key win); `resource_config_by_key` ({key: {"config": ...}}) configures them."""
    from .resources import as_resource_definition

    bound = dict(resource_defs)
    for key, entry in (resource_config_by_key or {}).items():
        if key not in bound:
            from ...errors import suggest

            hint = suggest(key, bound)
            raise DefinitionError(f"resource_config_by_key names {key!r}, which is not among the "
                                  "resources given" + (f"; {hint}" if hint else ""))
        bound[key] = as_resource_definition(bound[key]).configured((entry or {}).get("config"))
    return [replace(d, resource_defs={**bound, **d.resource_defs})
            if isinstance(d, (AssetsDefinition, AssetChecksDefinition)) else d for d in definitions]


def load_assets_from_modules(modules: Sequence[Any], group_name: Optional[str] = None) -> list[Any]:
    """Every asset, asset spec and asset check defined at the top level of `modules`, once
    each, in module order; `group_name` puts the assets that have none in that group."""
    found: dict[int, Any] = {}
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, (AssetsDefinition, AssetSpec, AssetChecksDefinition)):
                found.setdefault(id(value), value)
    loaded = list(found.values())
    if group_name is None:
        return loaded
    return [_in_group(a, group_name) if isinstance(a, AssetsDefinition) else a for a in loaded]


def _in_group(asset: AssetsDefinition, group_name: str) -> AssetsDefinition:
    """`asset` with its assets of the default group (each of a multi-asset's) in `group_name`."""
    if asset.key_facts:
        facts = {k: replace(f, group_name=group_name) if f.group_name == "default" else f
                 for k, f in asset.key_facts.items()}
        return replace(asset, group_name=facts[asset.key].group_name, key_facts=facts)
    return replace(asset, group_name=group_name) if asset.group_name == "default" else asset
