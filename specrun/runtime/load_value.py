"""`Definitions.load_asset_value`: read a materialized asset value from Python.

The value is read through the asset's IO manager, from the version its current record names
(see the versioning contract in `io_managers`): never from a newer file that no record
describes. As in Dagster, this builds the IO manager resource; it runs no asset code.
"""

from __future__ import annotations

import contextlib
from typing import Any, Mapping, Optional

from .context.io import InputContext
from .definitions.keys import AssetKey


def load_asset_value(defs: Any, asset_key: Any, *, instance: Any = None, partition_key: Optional[str] = None,
                     python_type: Any = None, metadata: Optional[Mapping[str, Any]] = None,
                     run_config: Optional[Mapping[str, Any]] = None) -> Any:
    """The stored value of `asset_key` (one partition of it) as its IO manager loads it.

    `instance` gives the records (default: `Instance.get()`); `run_config` its ``resources:``
    section configures the IO manager (a spec's own configuration when loaded by `load_spec`).
    """
    from .instance import Instance
    from .io_managers import fs_io_manager
    from .resources import init_resources
    from .run_config import resolve_run_config

    key = AssetKey.from_coercible(asset_key)
    asset = defs.get_assets_def(key)
    job = defs.get_implicit_global_asset_job_def()
    resource_defs = {"io_manager": fs_io_manager, **job.resource_defs}
    io_key = asset.io_manager_key
    config = {"resources": dict((run_config or {}).get("resources") or {})}
    resolved = resolve_run_config(job, config, resource_defs, job.executor_def)
    owned = instance is None
    instance = instance if instance is not None else Instance.get()
    try:
        with contextlib.ExitStack() as stack:
            resources = init_resources(stack, resource_defs, resolved.resources, keys={io_key},
                                       instance=instance)
            context = InputContext(key.to_python_identifier(), asset_key=key, metadata=metadata,
                                   dagster_type=python_type, resources=resources,
                                   partition_keys=(partition_key,) if partition_key is not None else (),
                                   partitions_def=asset.partitions_def)
            context._data_version_lookup = _recorded_versions(instance)
            return getattr(resources, io_key).load_input(context)
    finally:
        if owned:
            instance.dispose()


def _recorded_versions(instance: Any) -> Any:
    from . import versioning as v

    def lookup(key: AssetKey, partition: Optional[str]) -> str:
        record = instance.latest_versions([key]).get((key, partition))
        if record is None:
            return "none"
        return (record.tags or {}).get(v.DATA_VERSION_TAG, "unknown")

    return lookup
