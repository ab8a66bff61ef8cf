"""`AssetSpec`: an asset defined elsewhere (depended on and loaded, never computed here); an
asset's kinds, which Dagster keeps as tags (`tags_with_kinds` is the one rule for them); and
`AssetDep`, an ordering-only dependency on an asset (`dep_key` reads any dep's key)."""

from __future__ import annotations

import copy
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

    def __init__(self, key: CoercibleToAssetKey, *, deps: Optional[Sequence[Any]] = (),
                 description: Optional[str] = None, metadata: Optional[Mapping] = None,
                 group_name: Optional[str] = None, partitions_def: Any = None,
                 io_manager_key: str = "io_manager", tags: Optional[Mapping[str, str]] = None,
                 owners: Optional[Sequence[str]] = None, code_version: Optional[str] = None,
                 kinds: Optional[Iterable[str]] = None, skippable: bool = False) -> None:
        object.__setattr__(self, "key", AssetKey.from_coercible(key))
        object.__setattr__(self, "deps", tuple(dict.fromkeys(dep_key(d) for d in deps or ())))  # (once each)
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

    def replace_attributes(self, *, key: Any = ..., deps: Any = ..., description: Any = ...,
                           metadata: Any = ..., group_name: Any = ..., code_version: Any = ...,
                           owners: Any = ..., tags: Any = ..., kinds: Any = ...,
                           partitions_def: Any = ..., skippable: Any = ...) -> "AssetSpec":
        """A copy with the attributes given replaced, as Dagster's: `tags` replaces the tags but
        not the kinds (kind tags), which `kinds` replaces; None gives none."""
        given = {"key": key, "deps": deps, "description": description, "metadata": metadata,
                 "group_name": group_name, "code_version": code_version, "owners": owners,
                 "tags": tags, "kinds": kinds, "partitions_def": partitions_def, "skippable": skippable}
        return self._remade({name: value for name, value in given.items() if value is not ...})

    def merge_attributes(self, *, deps: Any = ..., metadata: Any = ..., owners: Any = ...,
                         tags: Any = ..., kinds: Any = ...) -> "AssetSpec":
        """A copy with `deps`, `owners` and `kinds` added to its own, and `metadata` and `tags`
        laid over its own (a key given again takes the new value), as Dagster's."""
        return self._remade({"deps": [*self.deps, *(() if deps is ... else deps)],
                             "metadata": {**self.metadata, **({} if metadata is ... else metadata)},
                             "owners": [*self.owners, *(() if owners is ... else owners)],
                             "tags": {**self._tags_without_kinds(), **({} if tags is ... else tags)},
                             "kinds": {*self.kinds, *(() if kinds is ... else kinds)}})

    def _tags_without_kinds(self) -> dict[str, str]:
        return {t: v for t, v in self.tags.items() if not t.startswith(KIND_PREFIX)}

    def _remade(self, changes: Mapping[str, Any]) -> "AssetSpec":
        """A copy made by `__init__` from this spec's arguments with `changes` over them (a
        subclass keeps what it adds: an observable source asset its function)."""
        arguments = {"key": self.key, "deps": self.deps, "description": self.description,
                     "metadata": self.metadata, "group_name": self.group_name,
                     "partitions_def": self.partitions_def, "io_manager_key": self.io_manager_key,
                     "tags": self._tags_without_kinds(), "owners": self.owners,
                     "code_version": self.code_version, "kinds": self.kinds, "skippable": self.skippable,
                     **changes}
        remade = copy.copy(self)
        AssetSpec.__init__(remade, arguments.pop("key"), **arguments)
        return remade

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


@value_class(frozen=True)
class AssetDep:
    """An ordering-only dependency on an asset, as in `@asset(deps=[AssetDep("raw")])`;
    `partition_mapping` says which of its partitions a partition waits for (default: as for
    an input)."""

    asset: Any
    partition_mapping: Any = None

    @property
    def asset_key(self) -> AssetKey:
        return dep_key(self.asset)


def dep_key(dep: Any) -> AssetKey:
    """The key of a dep: an `AssetDep`'s asset, else a key, its text or parts, or a definition
    with a key (an `AssetsDefinition`, an `AssetSpec`)."""
    if isinstance(dep, AssetDep):
        return dep.asset_key
    return AssetKey.from_coercible(dep)
