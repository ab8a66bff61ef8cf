"""`build_op_context` / `build_asset_context`: contexts for calling definitions directly."""

from __future__ import annotations

import contextlib
import uuid
from typing import Any, Mapping, Optional

from ..definitions.keys import AssetKey
from ..log import LogManager, build_loggers
from ..resources import init_resources
from .compute import AssetCheckExecutionContext, AssetExecutionContext, OpExecutionContext, StepInfo


class _BuiltContextMixin:
    """Holds the resources' clean-up; usable as a context manager that runs it on exit."""

    _stack: contextlib.ExitStack

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def close(self) -> None:
        self._stack.close()


class BuiltOpExecutionContext(_BuiltContextMixin, OpExecutionContext):
    """An op context made by `build_op_context`; bound to an op when passed to one."""


class BuiltAssetExecutionContext(_BuiltContextMixin, AssetExecutionContext):
    """An asset context made by `build_asset_context`."""


class BuiltAssetCheckExecutionContext(_BuiltContextMixin, AssetCheckExecutionContext):
    """An asset check context made by `build_asset_check_context`."""


def _build(cls: type, *, resources: Optional[Mapping[str, Any]], resources_config: Any,
           op_config: Any, instance: Any, partition_key: Optional[str],
           partition_key_range: Any, run_id: Optional[str], logger_defs: Any,
           tags: Any, run_tags: Any, asset_key: Any = None, selected_asset_keys: Any = None,
           partitions_def: Any = None, mapping_key: Optional[str] = None) -> Any:
    stack = contextlib.ExitStack()
    run_id = run_id or str(uuid.uuid4())
    loggers = build_loggers(logger_defs or {}, {}, run_id)
    log = LogManager(run_id, "ephemeral", "direct", None, loggers)
    if instance is None:
        from ..instance import Instance

        instance = Instance.ephemeral()
        stack.callback(instance.dispose)
    # Dagster's shape: {"db": {"config": {...}}}, as under `resources:` in run config.
    built = init_resources(stack, dict(resources or {}), dict(resources_config or {}),
                           instance=instance, log=log, run_id=run_id)
    ctx = cls(
        op_def=None, step=StepInfo("direct", "op", partition_key), run_id=run_id,
        job_name="ephemeral", op_config=op_config, resources=built, log=log,
        partition_key=partition_key, partitions_def=partitions_def,
        partition_key_range=partition_key_range,
        run_tags={**(run_tags or {}), **(tags or {})}, instance=instance,
        asset_key=AssetKey.from_coercible(asset_key) if asset_key is not None else None,
        selected_asset_keys=set(selected_asset_keys) if selected_asset_keys is not None else None,
    )
    ctx._stack = stack
    ctx._mapping_key = mapping_key
    return ctx


def build_op_context(
    resources: Optional[Mapping[str, Any]] = None,
    op_config: Any = None,
    resources_config: Optional[Mapping[str, Any]] = None,
    instance: Any = None,
    config: Any = None,
    partition_key: Optional[str] = None,
    partition_key_range: Any = None,
    mapping_key: Optional[str] = None,
    run_tags: Optional[Mapping[str, str]] = None,
    run_id: Optional[str] = None,
    logger_defs: Optional[Mapping[str, Any]] = None,
    tags: Optional[Mapping[str, str]] = None,
    partitions_def: Any = None,
) -> BuiltOpExecutionContext:
    """A context for calling an op directly: ``my_op(build_op_context(...))``.

    Resource definitions in `resources` are initialised now; use the context as a
    context manager (``with build_op_context(...) as ctx``) to run their clean-up.
    `op_config` wins over its alias `config` when both are given.
    """
    return _build(BuiltOpExecutionContext, resources=resources, resources_config=resources_config,
                  op_config=op_config if op_config is not None else config, instance=instance,
                  partition_key=partition_key, partition_key_range=partition_key_range,
                  run_id=run_id, logger_defs=logger_defs, tags=tags, run_tags=run_tags,
                  partitions_def=partitions_def, mapping_key=mapping_key)


def build_asset_context(
    resources: Optional[Mapping[str, Any]] = None,
    resources_config: Optional[Mapping[str, Any]] = None,
    asset_config: Any = None,
    instance: Any = None,
    partition_key: Optional[str] = None,
    partition_key_range: Any = None,
    run_tags: Optional[Mapping[str, str]] = None,
    asset_key: Any = None,
    config: Any = None,
    selected_asset_keys: Any = None,
    run_id: Optional[str] = None,
    tags: Optional[Mapping[str, str]] = None,
    partitions_def: Any = None,
) -> BuiltAssetExecutionContext:
    """A context for calling an asset directly: ``my_asset(build_asset_context(...))``."""
    return _build(BuiltAssetExecutionContext, resources=resources,
                  resources_config=resources_config,
                  op_config=asset_config if asset_config is not None else config,
                  instance=instance, partition_key=partition_key,
                  partition_key_range=partition_key_range, run_id=run_id, logger_defs=None,
                  tags=tags, run_tags=run_tags, asset_key=asset_key,
                  selected_asset_keys=selected_asset_keys, partitions_def=partitions_def)


def build_asset_check_context(
    resources: Optional[Mapping[str, Any]] = None,
    resources_config: Optional[Mapping[str, Any]] = None,
    asset_config: Any = None,
    instance: Any = None,
    run_tags: Optional[Mapping[str, str]] = None,
) -> BuiltAssetCheckExecutionContext:
    """A context for calling an asset check directly: ``my_check(build_asset_check_context())``;
    passed to a check, it is bound to that check (its `asset_key`, `check_specs`)."""
    return _build(BuiltAssetCheckExecutionContext, resources=resources,
                  resources_config=resources_config, op_config=asset_config, instance=instance,
                  partition_key=None, partition_key_range=None, run_id=None, logger_defs=None,
                  tags=None, run_tags=run_tags)
