"""The values an asset is made of: `AssetsDefinition` (one asset, or several made by one
step) and the `AssetIn` that says where an asset input comes from; the `AssetSpec` of an
asset defined elsewhere, its kinds and the `AssetDep` of an ordering-only dependency are in
asset_spec.py (and exported here, as they were). The `@asset` decorator that makes them is in assets.py (which also
exports these names, as it always has).
"""

from __future__ import annotations

from dataclasses import field, replace
from enum import Enum
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

from ...errors import DefinitionError, suggest
from .asset_spec import AssetDep as AssetDep, AssetSpec, SourceAsset, dep_key as dep_key
from .check_specs import spec_for_key
from .keys import AssetKey, CoercibleToAssetKey, KeyFacts
from .ops import OpDefinition
from .values import value_class


@value_class(frozen=True, slots=True)
class AssetIn:
    """Declares where an asset input comes from, when the parameter name is not the key."""

    key: Optional[CoercibleToAssetKey] = None
    metadata: Optional[Mapping[str, Any]] = None
    key_prefix: Optional[Union[str, Sequence[str]]] = None
    input_manager_key: Optional[str] = None
    partition_mapping: Any = None
    dagster_type: Any = None

    def resolve_key(self, param_name: str) -> AssetKey:
        if self.key is not None:
            return AssetKey.from_coercible(self.key)
        prefix = [self.key_prefix] if isinstance(self.key_prefix, str) else list(self.key_prefix or [])
        return AssetKey([*prefix, param_name])


def _source_asset(spec: AssetSpec) -> AssetSpec:
    """An asset's spec as the `SourceAsset` Dagster makes of it (`to_source_assets`)."""
    return SourceAsset(spec.key, metadata=spec.metadata, io_manager_key=spec.io_manager_key,
                       description=spec.description, partitions_def=spec.partitions_def,
                       group_name=spec.group_name, tags=spec.tags)


class AssetExecutionType(Enum):
    """What running an asset's step does (Dagster's, not exported there either)."""

    OBSERVATION = "OBSERVATION"
    UNEXECUTABLE = "UNEXECUTABLE"
    MATERIALIZATION = "MATERIALIZATION"


@value_class(frozen=True, eq=False, slots=True, weakref_slot=True)
class AssetsDefinition:
    """One asset: its key, compute op, upstream keys and how it is stored."""

    key: AssetKey
    op: OpDefinition
    input_keys: Mapping[str, AssetKey]
    input_specs: Mapping[str, AssetIn] = field(default_factory=dict)
    deps: tuple[AssetKey, ...] = ()
    group_name: str = "default"
    compute_kind: Optional[str] = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    partitions_def: Any = None
    io_manager_key: str = "io_manager"
    code_version: Optional[str] = None
    description: Optional[str] = None
    tags: Mapping[str, str] = field(default_factory=dict)
    owners: tuple[str, ...] = ()
    resource_defs: Mapping[str, Any] = field(default_factory=dict)
    # `AssetDep(..., partition_mapping=...)`: which partitions of a dep a partition waits for
    dep_partition_mappings: Mapping[AssetKey, Any] = field(default_factory=dict)
    check_specs: tuple[Any, ...] = ()  # AssetCheckSpecs evaluated in this asset's own step
    # a multi-asset (`@multi_asset`): the asset of each output, each asset's group, tags and
    # owners (`KeyFacts`; empty for an `@asset`, whose own are `group_name`, `tags`, `owners`:
    # no dict kept per asset; read `group_names_by_key` and the like), and whether a run may
    # select some of them (`selected_keys`: those it computes, None = all)
    keys_by_output_name: Mapping[str, AssetKey] = field(default_factory=dict)
    key_facts: Mapping[AssetKey, KeyFacts] = field(default_factory=dict)
    can_subset: bool = False
    multi: bool = False
    selected_keys: Optional[frozenset[AssetKey]] = None
    graph: Any = None  # a graph-backed asset's GraphAssetLayout (see graph_layout.py)

    def __post_init__(self) -> None:
        if not self.keys_by_output_name:
            object.__setattr__(self, "keys_by_output_name", {"result": self.key})

    def key_for_output(self, output_name: str) -> Optional[AssetKey]:
        """The asset an output is; None for an op output inside a graph-backed asset."""
        return self.keys_by_output_name.get(output_name, None if self.graph is not None else self.key)

    @staticmethod
    def from_graph(graph_def: Any, **kwargs: Any) -> "AssetsDefinition":
        """The assets `graph_def` computes (its outputs; its inputs are upstream assets), each
        op its own step (see graph_layout.py)."""
        from .graph_layout import graph_asset_fields, with_output_facts

        fields = graph_asset_fields(graph_def, **with_output_facts(kwargs))
        return AssetsDefinition(**{**fields, "deps": tuple(dep_key(d) for d in fields["deps"])})

    @staticmethod
    def from_op(op_def: Any, **kwargs: Any) -> "AssetsDefinition":
        """The assets the outputs of `op_def` are (its inputs are upstream assets)."""
        from .graph_layout import OpGraph

        return AssetsDefinition.from_graph(OpGraph(op_def), **kwargs)

    def get_output_name_for_asset_key(self, key: AssetKey) -> str:
        for name, k in self.keys_by_output_name.items():
            if k == key:
                return name
        raise DefinitionError(f"{self!r} does not produce asset {key.to_user_string()!r}")

    @property
    def selected_asset_keys(self) -> set[AssetKey]:
        return set(self.selected_keys) if self.selected_keys is not None else self.keys

    @property
    def selected_output_names(self) -> set[str]:
        chosen = self.selected_asset_keys
        return {n for n, k in self.keys_by_output_name.items() if k in chosen}

    def subset_for(self, keys: Any) -> "AssetsDefinition":
        """The same definition computing only `keys` of its assets."""
        return replace(self, selected_keys=frozenset(keys))

    @property
    def node_name(self) -> str:
        return self.op.name

    @property
    def check_keys(self) -> set[Any]:
        return {s.key for s in self.check_specs}

    @property
    def check_specs_by_output_name(self) -> dict[str, Any]:
        from .check_specs import check_output_name

        return {check_output_name(s): s for s in self.check_specs}

    def get_spec_for_check_key(self, check_key: Any) -> Any:
        return spec_for_key(self.check_specs, check_key, repr(self))

    @property
    def asset_key(self) -> AssetKey:
        return self.key

    @property
    def keys_by_input_name(self) -> dict[str, AssetKey]:
        """Each input's asset, and each ordering-only dep no input reads, under the input name
        Dagster gives it (its key's parts joined by `_`: the op input Dagster makes for it)."""
        named = dict(self.input_keys)
        read = set(named.values())
        for key in self.deps:
            if key not in read:
                named["_".join(key.path).replace("-", "_").replace(".", "_")] = key
        return named

    def get_partition_mapping(self, in_asset_key: AssetKey) -> Any:
        """The partition mapping given for upstream asset `in_asset_key` (by its `AssetIn` or
        `AssetDep`); None if none was (a run then maps as for any input)."""
        for name, key in self.input_keys.items():
            spec = self.input_specs.get(name)
            if key == in_asset_key and spec is not None and spec.partition_mapping is not None:
                return spec.partition_mapping
        return self.dep_partition_mappings.get(in_asset_key)

    @property
    def group_names_by_key(self) -> dict[AssetKey, str]:
        """The group of each asset, as in Dagster: every key of a multi-asset (selected or not)."""
        if not self.key_facts:
            return {self.key: self.group_name}
        return {k: facts.group_name for k, facts in self.key_facts.items()}

    @property
    def tags_by_key(self) -> dict[AssetKey, dict[str, str]]:
        """The tags of each asset (its `AssetOut`'s, else the definition's)."""
        if not self.key_facts:
            return {self.key: dict(self.tags)}
        return {k: dict(self.tags if f.tags is None else f.tags) for k, f in self.key_facts.items()}

    @property
    def owners_by_key(self) -> dict[AssetKey, list[str]]:
        """The owners of each asset (its `AssetOut`'s, else the definition's), a list as in Dagster."""
        if not self.key_facts:
            return {self.key: list(self.owners)}
        return {k: list(self.owners if f.owners is None else f.owners) for k, f in self.key_facts.items()}

    @property
    def metadata_by_key(self) -> dict[AssetKey, dict[str, Any]]:
        """Each asset's definition metadata as given (raw values, as Dagster keeps them)."""
        outs = self.op.outs
        return {k: dict(outs[o].metadata or {}) for o, k in self.keys_by_output_name.items()}

    @property
    def descriptions_by_key(self) -> dict[AssetKey, str]:
        """Each asset's description (its output's, else the definition's); none if neither."""
        outs = self.op.outs
        described = {k: outs[o].description or self.description for o, k in self.keys_by_output_name.items()}
        return {k: text for k, text in described.items() if text}

    @property
    def code_versions_by_key(self) -> dict[AssetKey, Optional[str]]:
        """Each asset's code version as given (its output's, else the definition's); a
        graph-backed asset's own `code_version` is made from its ops' when none is given
        (graph_layout.py), and Dagster gives None for it."""
        outs, own = self.op.outs, None if self.graph is not None else self.code_version
        return {k: outs[o].code_version or own for o, k in self.keys_by_output_name.items()}

    @property
    def specs(self) -> Iterable[AssetSpec]:
        """An `AssetSpec` per asset, as Dagster gives them: each with its own deps (a `specs=`
        multi-asset's, per key; else every input and dep of the definition), group, tags,
        owners, description, metadata, code version and whether it is skippable (its output is
        optional). Dagster's `AssetDep` deps are keys here (`AssetSpec.deps`), and its fields
        specrun does not take (automation condition, freshness policy) are absent. A dict's
        values, as Dagster's."""
        return self.specs_by_key.values()

    @property
    def specs_by_key(self) -> dict[AssetKey, AssetSpec]:
        """Each key's `AssetSpec` (see `specs`)."""
        outs, descriptions, metadata = self.op.outs, self.descriptions_by_key, self.metadata_by_key
        groups, tags, owners, versions = (self.group_names_by_key, self.tags_by_key, self.owners_by_key,
                                          self.code_versions_by_key)
        return {k: AssetSpec(k, deps=self._deps_of(k), description=descriptions.get(k), metadata=metadata[k],
                             group_name=groups[k], partitions_def=self.partitions_def,
                             io_manager_key=outs[o].io_manager_key or "io_manager", tags=tags[k],
                             owners=owners[k], code_version=versions[k],
                             skippable=not outs[o].is_required)
                for o, k in self.keys_by_output_name.items()}

    def get_asset_spec(self, key: Optional[AssetKey] = None) -> AssetSpec:
        """The `AssetSpec` of asset `key` (see `specs`; None: its `key`); KeyError for a key it
        does not have, as Dagster's (a lookup in its dict of specs)."""
        return self.specs_by_key[key or self.key]

    @property
    def node_keys_by_output_name(self) -> dict[str, AssetKey]:
        """The asset of each output of its op (or graph), selected or not, as Dagster's."""
        return dict(self.keys_by_output_name)

    def to_source_asset(self, key: Optional[CoercibleToAssetKey] = None) -> AssetSpec:
        """Asset `key` (None: its one asset) as a `SourceAsset`, to be loaded where it is not
        computed (see `to_source_assets`)."""
        chosen = self.selected_asset_keys
        if key is None and len(chosen) > 1:
            raise DefinitionError(f"{self!r}: to_source_asset needs key=, one of "
                                  f"{sorted(k.to_user_string() for k in chosen)}")
        wanted = next(iter(chosen)) if key is None else AssetKey.from_coercible(key)
        if wanted not in chosen:
            hint = suggest(wanted.to_user_string(), [k.to_user_string() for k in chosen])
            raise DefinitionError(f"{self!r} has no asset {wanted.to_user_string()!r}" + (f"; {hint}" if hint else ""))
        return _source_asset(self.get_asset_spec(wanted))

    def to_source_assets(self) -> list[AssetSpec]:
        """Each of its (selected) assets as a `SourceAsset` (specrun's is an `AssetSpec`), as
        Dagster's: its key, metadata, IO manager key, description, partitions, group and tags
        (no deps, owners or code version)."""
        chosen, specs = self.selected_asset_keys, self.specs_by_key
        return [_source_asset(specs[k]) for k in self.keys_by_output_name.values() if k in chosen]

    @property
    def asset_deps(self) -> dict[AssetKey, set[AssetKey]]:
        """Each asset's upstream assets (its spec's deps, see `specs`), as Dagster's."""
        return {k: set(self._deps_of(k)) for k in self.keys_by_output_name.values()}

    def _deps_of(self, key: AssetKey) -> Iterable[AssetKey]:
        """Asset `key`'s deps: its `AssetSpec`'s (a `specs=` multi-asset's, per key), else every
        input and dep of the definition, in order."""
        facts = self.key_facts.get(key)
        if facts is not None and facts.deps is not None:
            return facts.deps
        return dict.fromkeys([*self.input_keys.values(), *self.deps])

    @property
    def keys(self) -> set[AssetKey]:
        return set(self.keys_by_output_name.values()) if self.multi else {self.key}

    @property
    def op_def(self) -> OpDefinition:
        return self.op

    node_def = op_def
    is_observable = False  # (an observable source asset is an AssetSpec: observations.py)
    # Class constants, no slot: specrun's AssetsDefinition always has a compute op (an
    # external or observable asset is an AssetSpec), and specrun's asset API takes no hooks
    # (`with_hooks`) and no backfill policy, so none is ever given.
    is_executable = True
    is_materializable = True
    execution_type = AssetExecutionType.MATERIALIZATION
    hook_defs = frozenset()
    backfill_policy = None

    @property
    def asset_and_check_keys(self) -> set[Any]:
        """The assets it computes and the keys of the checks it evaluates."""
        return self.selected_asset_keys | self.check_keys

    @property
    def dependency_keys(self) -> set[AssetKey]:
        """Every upstream asset: parameter inputs and ordering-only deps."""
        return set(self.input_keys.values()) | set(self.deps)

    @property
    def required_resource_keys(self) -> frozenset[str]:
        return self.op.all_resource_keys | {self.io_manager_key}

    def with_resources(self, resources: Mapping[str, Any]) -> "AssetsDefinition":
        return replace(self, resource_defs={**resources, **self.resource_defs})

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from .invocation import invoke_directly

        return invoke_directly(self.op, args, kwargs, assets_def=self)

    def __repr__(self) -> str:
        if self.multi:
            return f"<AssetsDefinition {self.op.name!r} ({len(self.keys_by_output_name)} assets)>"
        return f"<AssetsDefinition {self.key.to_user_string()!r}>"
