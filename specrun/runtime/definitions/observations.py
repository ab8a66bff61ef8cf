"""Observable source assets: external assets whose current version a function reports.

`@observable_source_asset` wraps a function returning a `DataVersion` (of a file, a table, an
API...) as a `SourceAsset` that can also be observed. `observe([...])` runs the observation
functions, one step each, and records an ASSET_OBSERVATION carrying the data version; `plan`
compares it with the version each downstream asset consumed when it was materialized, so a
changed source makes its downstream stale ("upstream source orders changed"). Nothing here
runs during `plan`: only `observe` (and `specrun observe` / `specrun apply`) call the function.
"""

from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional, Sequence, Union

from ...errors import DefinitionError
from .assets import AssetSpec
from .keys import AssetKey
from .ops import OpDefinition, resource_key_set
from .results import OBSERVED_DATA_VERSION_TAG, AssetObservation
from .signature import read_signature


@dataclass(frozen=True)
class DataVersion:
    """The version of an asset's data as its observer sees it (a hash, a timestamp, a row count)."""

    value: str

    def __init__(self, value: Any) -> None:
        if not isinstance(value, str):
            raise DefinitionError(f"DataVersion takes a string, got {type(value).__name__} {value!r}")
        object.__setattr__(self, "value", value)


class ObservableSourceAsset(AssetSpec):
    """A source asset with an observation function (`@observable_source_asset`)."""

    observe_fn: Callable[..., Any]
    required_resource_keys: frozenset[str]
    resource_defs: Mapping[str, Any]

    def __init__(self, key: Any, observe_fn: Callable[..., Any], *, required_resource_keys: Any = (),
                 resource_defs: Optional[Mapping[str, Any]] = None, **spec: Any) -> None:
        super().__init__(key, **spec)
        object.__setattr__(self, "observe_fn", observe_fn)
        object.__setattr__(self, "required_resource_keys", resource_key_set(required_resource_keys))
        object.__setattr__(self, "resource_defs", dict(resource_defs or {}))

    @property
    def is_observable(self) -> bool:
        return True

    @property
    def observe_op(self) -> OpDefinition:
        """The step that observes this asset and records its data version."""
        return observation_op(self)

    def __repr__(self) -> str:
        return f"<ObservableSourceAsset {self.key.to_user_string()!r}>"


def observable_source_asset(
    observe_fn: Optional[Callable[..., Any]] = None, *, name: Optional[str] = None,
    key_prefix: Union[str, Sequence[str], None] = None, key: Any = None, description: Optional[str] = None,
    group_name: Optional[str] = None, metadata: Optional[Mapping[str, Any]] = None,
    io_manager_key: str = "io_manager", partitions_def: Any = None,
    required_resource_keys: Optional[set[str]] = None, resource_defs: Optional[Mapping[str, Any]] = None,
    tags: Optional[Mapping[str, str]] = None,
) -> Any:
    """Decorate a function returning a `DataVersion` (or None) as an observable source asset."""

    def decorate(fn: Callable[..., Any]) -> ObservableSourceAsset:
        if key is not None:
            asset_key = AssetKey.from_coercible(key)
        else:
            prefix = [key_prefix] if isinstance(key_prefix, str) else list(key_prefix or [])
            asset_key = AssetKey([*prefix, name or fn.__name__])
        sig = read_signature(fn, f"observable source asset {asset_key.to_user_string()!r}")
        if sig.input_params:
            raise DefinitionError(
                f"observable source asset {asset_key.to_user_string()!r}: parameters {list(sig.input_params)} "
                "are not a context or resources; an observation function reads the outside world, not assets")
        return ObservableSourceAsset(
            asset_key, fn, required_resource_keys=required_resource_keys, resource_defs=resource_defs,
            description=description or inspect.getdoc(fn), metadata=metadata, group_name=group_name,
            partitions_def=partitions_def, io_manager_key=io_manager_key, tags=tags)

    return decorate(observe_fn) if observe_fn is not None else decorate


def observation_op(source: ObservableSourceAsset) -> OpDefinition:
    """An op calling the observation function and yielding its `AssetObservation`."""
    fn = source.observe_fn
    key = source.key

    @functools.wraps(fn)
    def observe_step(*args: Any, **kwargs: Any) -> Any:
        yield _observation(key, fn(*args, **kwargs))

    return OpDefinition(
        name=key.to_python_identifier(), compute_fn=observe_step, ins={}, outs={},
        signature=read_signature(fn, f"observable source asset {key.to_user_string()!r}"),
        required_resource_keys=source.required_resource_keys, description=source.description, kind="observe",
    )


def _observation(key: AssetKey, returned: Any) -> AssetObservation:
    if isinstance(returned, AssetObservation):
        return returned
    if returned is None:
        return AssetObservation(key)
    if not isinstance(returned, DataVersion):
        raise DefinitionError(f"the observation function of {key.to_user_string()!r} must return a "
                              f"DataVersion (or None), got {type(returned).__name__}")
    return AssetObservation(key, tags={OBSERVED_DATA_VERSION_TAG: returned.value})


def observation_job(sources: Sequence[ObservableSourceAsset], name: str = "__observe") -> Any:
    """A job with one observation step per source."""
    from .jobs import JobDefinition
    from .nodes import Node

    nodes = {}
    resources: dict[str, Any] = {}
    for source in sources:
        if not getattr(source, "is_observable", False):
            raise DefinitionError(f"{source!r} cannot be observed: it has no observation function "
                                  "(declare it with @observable_source_asset)")
        op_def = source.observe_op
        nodes[op_def.name] = Node(op_def.name, op_def, {})
        resources.update(source.resource_defs)
    return JobDefinition(name, nodes, resource_defs=resources)


def observe(assets: Sequence[Any], run_config: Any = None, instance: Any = None,
            resources: Optional[Mapping[str, Any]] = None, partition_key: Optional[str] = None,
            raise_on_error: bool = True, tags: Optional[Mapping[str, str]] = None) -> Any:
    """Run the observation functions of the observable source assets among `assets` (each a
    step) and record what they observed; returns the run's result."""
    sources = [a for a in assets if getattr(a, "is_observable", False)]
    if not sources:
        raise DefinitionError("observe() was given no observable source asset")
    return observation_job(sources).execute_in_process(
        run_config=run_config, instance=instance, resources=resources, partition_key=partition_key,
        raise_on_error=raise_on_error, tags=tags)
