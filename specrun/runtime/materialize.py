"""`materialize` and `materialize_to_memory`: the assets given, split into definitions and
checks, built into an asset job (once for the same assets, checks, selection and executor),
and run through `api.execute_run`."""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

from ..errors import InvariantViolationError
from .api import execute_run
from .definitions.asset_checks import AssetChecksDefinition
from .definitions.assets import AssetsDefinition, AssetSpec
from .definitions.jobs import JobDefinition, build_asset_job
from .gc_pause import young_objects_collected_less
from .instance import Instance
from .io_managers import mem_io_manager
from .result import ExecutionResult

EPHEMERAL_ASSET_JOB_NAME = "__ephemeral_asset_job__"


def _split_assets(assets: Sequence[Any]) -> tuple[list[Any], list[AssetChecksDefinition]]:
    plain, checks = [], []
    for a in assets:
        if a.__class__ is AssetsDefinition:  # (most: neither a check nor anything else)
            plain.append(a)
        elif isinstance(a, AssetChecksDefinition):
            checks.append(a)
        elif isinstance(a, (AssetsDefinition, AssetSpec)):
            plain.append(a)
        else:
            raise InvariantViolationError(
                f"materialize() takes asset definitions (from @asset), got {a!r}")
    return plain, checks


def materialize(
    assets: Sequence[Any],
    run_config: Any = None,
    instance: Optional[Instance] = None,
    resources: Optional[Mapping[str, Any]] = None,
    partition_key: Optional[str] = None,
    raise_on_error: bool = True,
    tags: Optional[Mapping[str, str]] = None,
    selection: Any = None,
    run_id: Optional[str] = None,
    partition_keys: Optional[Sequence[str]] = None,
    executor_def: Any = None,
) -> ExecutionResult:
    """Materialize `assets` (or the `selection` of them) in one run, in this process."""
    plain, checks = _split_assets(assets)
    return _materialize(plain, checks, selection, executor_def, run_config=run_config,
                        instance=instance, resources=resources, partition_key=partition_key,
                        partition_keys=partition_keys, raise_on_error=raise_on_error, tags=tags,
                        run_id=run_id)


def _materialize(plain: list, checks: list, selection: Any, executor_def: Any,
                 **run: Any) -> ExecutionResult:
    """`materialize` of split assets (`run`: `execute_run`'s arguments). A job's objects all
    stay alive (see execute_run). The run is made inside too: it freezes them when it starts,
    so no young pass goes over a job built here (~2.5k instructions an asset)."""
    from .executors.in_process import in_process_executor

    with young_objects_collected_less():
        job = _asset_job(plain, checks, selection, executor_def or in_process_executor)
        return execute_run(job, **run)


_ASSET_JOBS: dict[Any, JobDefinition] = {}
ASSET_JOBS_KEPT = 8


def _asset_job(plain: list, checks: list, selection: Any, executor_def: Any) -> JobDefinition:
    """The job `materialize` runs, built once for the same assets, checks, selection and
    executor (the objects themselves: definitions are immutable values)."""
    if isinstance(selection, list):
        selection = tuple(selection)
    key = (tuple(plain), tuple(checks), selection, executor_def)
    try:
        job = _ASSET_JOBS.get(key)
    except TypeError:  # an unhashable selection or asset spec: build it every time
        return build_asset_job(EPHEMERAL_ASSET_JOB_NAME, plain, checks, selection,
                               executor_def=executor_def)
    if job is None:
        job = build_asset_job(EPHEMERAL_ASSET_JOB_NAME, plain, checks, selection,
                              executor_def=executor_def)
        if len(_ASSET_JOBS) >= ASSET_JOBS_KEPT:
            _ASSET_JOBS.pop(next(iter(_ASSET_JOBS)))
        _ASSET_JOBS[key] = job
    return job


def materialize_to_memory(
    assets: Sequence[Any],
    run_config: Any = None,
    instance: Optional[Instance] = None,
    resources: Optional[Mapping[str, Any]] = None,
    partition_key: Optional[str] = None,
    raise_on_error: bool = True,
    tags: Optional[Mapping[str, str]] = None,
    selection: Any = None,
) -> ExecutionResult:
    """Like `materialize`, with every IO manager replaced by the in-memory one."""
    plain, checks = _split_assets(assets)
    for key, value in (resources or {}).items():
        from .io_managers import is_io_manager_def

        if is_io_manager_def(value):
            raise InvariantViolationError(
                f"materialize_to_memory keeps every value in memory; remove the IO manager "
                f"resource {key!r} or use materialize()")
    io_keys = {a.io_manager_key for a in plain if isinstance(a, AssetsDefinition)} | {"io_manager"}
    memory = {k: mem_io_manager for k in io_keys}
    return _materialize(plain, checks, selection, None, run_config=run_config, instance=instance,
                        resources={**(resources or {}), **memory}, partition_key=partition_key,
                        partition_keys=None, raise_on_error=raise_on_error, tags=tags, run_id=None)
