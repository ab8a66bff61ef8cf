"""`AssetSpec`: an asset defined elsewhere (depended on and loaded, never computed here), and
an asset's kinds, which Dagster keeps as tags (`tags_with_kinds` is the one rule for them)."""

from __future__ import annotations

from dataclasses import field
from typing import Any, Iterable, Mapping, Optional, Sequence

from ...errors import DefinitionError
from .keys import AssetKey, CoercibleToAssetKey
from .values import value_class


@value_class(frozen=True)
class AssetSpec:
    """An asset defined elsewhere: it can be depended on and loaded, but not computed here."""

    key: AssetKey
    deps: tuple[AssetKey, ...] = ()
    description: Optional[str] = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    group_name: Optional[str] = None
    partitions_def: Any = None
    io_manager_key: str = "io_manager"
    tags: Mapping[str, str] = field(default_factory=dict)
    owners: list[str] = field(default_factory=list)  # a list, as Dagster gives it
    code_version: Optional[str] = None
    skippable: bool = False  # a multi-asset's step may leave it out (its downstream then skip)

    def __init__(self, key: CoercibleToAssetKey, *, deps: Sequence[Any] = (),
                 description: Optional[str] = None, metadata: Optional[Mapping] = None,
                 group_name: Optional[str] = None, partitions_def: Any = None,
                 io_manager_key: str = "io_manager", tags: Optional[Mapping[str, str]] = None,
                 owners: Optional[Sequence[str]] = None, code_version: Optional[str] = None,
                 kinds: Optional[Iterable[str]] = None, skippable: bool = False) -> None:
        object.__setattr__(self, "key", AssetKey.from_coercible(key))
        object.__setattr__(self, "deps", tuple(AssetKey.from_coercible(d) for d in deps))
        object.__setattr__(self, "description", description)
        object.__setattr__(self, "metadata", dict(metadata or {}))
        object.__setattr__(self, "group_name", group_name)
        object.__setattr__(self, "partitions_def", partitions_def)
        object.__setattr__(self, "io_manager_key", io_manager_key)
        object.__setattr__(self, "tags", tags_with_kinds(tags, kinds, self.key))
        object.__setattr__(self, "owners", list(owners or ()))
        object.__setattr__(self, "code_version", code_version)
        object.__setattr__(self, "skippable", bool(skippable))

    @property
    def kinds(self) -> set[str]:
        """The asset's kinds: its tags `dagster/kind/<kind>` (a kind is a tag, as in Dagster)."""
        return kinds_of(self.tags)

    is_observable = False  # True for an @observable_source_asset (see observations.py)


SourceAsset = AssetSpec

KIND_PREFIX = "dagster/kind/"  # Dagster's: an asset's kinds are its tags of this prefix, valued ""


def tags_with_kinds(tags: Optional[Mapping[str, str]], kinds: Optional[Iterable[str]],
                    key: Optional[AssetKey] = None) -> dict[str, str]:
    """`tags` (a new dict) and a tag `dagster/kind/<kind>` of value "" for each of `kinds`, as
    Dagster keeps an asset's kinds; at most ten kind tags (given either way), as Dagster allows."""
    merged = {**(tags or {}), **{KIND_PREFIX + kind: "" for kind in kinds or ()}}
    if kinds and len(kinds_of(merged)) > 10:
        what = "an AssetOut" if key is None else f"asset {key.to_user_string()!r}"
        raise DefinitionError(f"{what}: assets can have at most ten kinds currently")
    return merged


def kinds_of(tags: Mapping[str, str]) -> set[str]:
    """The kinds that `tags` give (see `tags_with_kinds`)."""
    return {t[len(KIND_PREFIX):] for t in tags if t.startswith(KIND_PREFIX)}
