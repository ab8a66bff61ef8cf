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
from .io_managers import is_io_manager_def, mem_io_manager
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
    return _materialize(assets, selection, executor_def, False, run_config=run_config,
                        instance=instance, resources=resources, partition_key=partition_key,
                        partition_keys=partition_keys, raise_on_error=raise_on_error, tags=tags,
                        run_id=run_id)


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
    return _materialize(assets, selection, None, True, run_config=run_config, instance=instance,
                        resources=resources, partition_key=partition_key, partition_keys=None,
                        raise_on_error=raise_on_error, tags=tags, run_id=None)


def _materialize(assets: Sequence[Any], selection: Any, executor_def: Any, memory: bool,
                 **run: Any) -> ExecutionResult:
    """`materialize` (`run`: `execute_run`'s arguments); with `memory`, `materialize_to_memory`:
    no IO manager may be given, and each IO manager key of the assets gets the in-memory one.
    A job's objects all stay alive (see execute_run). The run is made inside too: it freezes
    them when it starts, so no young pass goes over a job built here (~2.5k instructions an
    asset)."""
    from .executors.in_process import in_process_executor

    executor_def = executor_def or in_process_executor
    given = tuple(assets)  # (once: `assets` may be an iterator)
    if isinstance(selection, list):
        selection = tuple(selection)
    key, kept = _kept_job(given, selection, executor_def)
    if kept is None:  # (a kept job's assets were split, and found all assets or checks)
        plain, checks = _split_assets(given)
    resources = run["resources"]
    if memory:
        _refuse_io_managers(resources)
    with young_objects_collected_less():
        if kept is None:
            kept = _keep_job(key, plain, checks, selection, executor_def)
        if memory:
            run["resources"] = {**(resources or {}), **kept.memory}
        return execute_run(kept.job, **run)


def _refuse_io_managers(resources: Optional[Mapping[str, Any]]) -> None:
    for key, value in (resources or {}).items():
        if is_io_manager_def(value):
            raise InvariantViolationError(
                f"materialize_to_memory keeps every value in memory; remove the IO manager "
                f"resource {key!r} or use materialize()")


class AssetJob:
    """What `materialize` works out of the definitions it is given, once for the same ones
    (see `_kept_job`): the job it runs, and the resources `materialize_to_memory` adds (the
    in-memory IO manager under each IO manager key of the assets)."""

    __slots__ = ("job", "memory")

    def __init__(self, job: JobDefinition, memory: dict[str, Any]) -> None:
        self.job, self.memory = job, memory


_ASSET_JOBS: dict[Any, AssetJob] = {}
ASSET_JOBS_KEPT = 8


def _kept_job(assets: tuple, selection: Any, executor_def: Any) -> tuple[Any, Optional[AssetJob]]:
    """(the key `_keep_job` keeps the job of these arguments under, None when one of them
    cannot be hashed; the job kept under it, else None). The key is the definitions given,
    in their order, themselves (definitions are immutable values: nothing read of them
    changes), the selection (a list made a tuple) and the executor."""
    key = (assets, selection, executor_def)
    try:
        return key, _ASSET_JOBS.get(key)
    except TypeError:  # an unhashable selection or asset spec: built every time
        return None, None


def _keep_job(key: Any, plain: list, checks: list, selection: Any, executor_def: Any) -> AssetJob:
    """The `AssetJob` of split assets, kept under `key` (unless None)."""
    io_keys = {a.io_manager_key for a in plain if isinstance(a, AssetsDefinition)} | {"io_manager"}
    made = AssetJob(build_asset_job(EPHEMERAL_ASSET_JOB_NAME, plain, checks, selection,
                                    executor_def=executor_def),
                    {k: mem_io_manager for k in io_keys})
    if key is not None:
        if len(_ASSET_JOBS) >= ASSET_JOBS_KEPT:
            _ASSET_JOBS.pop(next(iter(_ASSET_JOBS)))
        _ASSET_JOBS[key] = made
    return made
