"""`Definitions`: the set of assets, checks, jobs, resources and executor of a project."""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional

from ...errors import DefinitionError, suggest
from .asset_checks import AssetChecksDefinition
from .assets import AssetsDefinition
from .jobs import (
    IMPLICIT_ASSET_JOB_NAME, JobDefinition, UnresolvedAssetJobDefinition, build_asset_job,
)
from .keys import AssetKey


class Definitions:
    """Everything a project defines; jobs get the shared resources and executor."""

    def __init__(
        self,
        assets: Optional[Iterable[Any]] = None,
        asset_checks: Optional[Iterable[AssetChecksDefinition]] = None,
        jobs: Optional[Iterable[Any]] = None,
        resources: Optional[Mapping[str, Any]] = None,
        executor: Any = None,
        schedules: Optional[Iterable[Any]] = None,
        sensors: Optional[Iterable[Any]] = None,
        loggers: Optional[Mapping[str, Any]] = None,
        metadata: Optional[Mapping[str, Any]] = None,
    ) -> None:
        self.assets = list(assets or [])
        self.asset_checks = list(asset_checks or [])
        self.resources = dict(resources or {})
        self.executor = executor
        self.schedules = list(schedules or [])
        self.sensors = list(sensors or [])
        self.loggers = dict(loggers or {})
        self.metadata = dict(metadata or {})
        computable = [a for a in self.assets if isinstance(a, AssetsDefinition)]
        self._assets_by_key = {k: a for a in self.assets for k in (getattr(a, "keys", None) or (a.key,))}
        self._jobs: dict[str, JobDefinition] = {}
        if computable:
            implicit = build_asset_job(IMPLICIT_ASSET_JOB_NAME, self.assets, self.asset_checks,
                                       resource_defs=self.resources, executor_def=executor)
            implicit.validate_resources()
            self._jobs[IMPLICIT_ASSET_JOB_NAME] = implicit
        for job in jobs or []:
            resolved = self._resolve_job(job)
            if resolved.name in self._jobs:
                raise DefinitionError(f"two jobs are named {resolved.name!r}")
            self._jobs[resolved.name] = resolved

    def _resolve_job(self, job: Any) -> JobDefinition:
        if isinstance(job, UnresolvedAssetJobDefinition):
            resolved = job.resolve(self.assets, self.asset_checks, self.resources, self.executor)
        elif isinstance(job, JobDefinition):
            resolved = job.with_resources(self.resources)
            if self.executor is not None and job.executor_def.name == "in_process" \
                    and "executor_def" not in (job.metadata or {}):
                from dataclasses import replace

                resolved = replace(resolved, executor_def=self.executor)
        else:
            raise DefinitionError(f"jobs= takes job definitions, got {job!r}")
        resolved.validate_resources()
        return resolved

    @property
    def jobs(self) -> list[JobDefinition]:
        return [j for n, j in self._jobs.items() if n != IMPLICIT_ASSET_JOB_NAME]

    @property
    def job_names(self) -> list[str]:
        return [j.name for j in self.jobs]

    def get_job_def(self, name: str) -> JobDefinition:
        """The job called `name` (with the shared resources bound)."""
        if name in self._jobs:
            return self._jobs[name]
        hint = suggest(name, [j.name for j in self.jobs])
        known = ", ".join(sorted(j.name for j in self.jobs)) or "none"
        raise DefinitionError(f"no job named {name!r} (jobs: {known})" + (f"; {hint}" if hint else ""))

    resolve_job_def = get_job_def

    def get_implicit_global_asset_job_def(self) -> JobDefinition:
        """The job that materializes every asset."""
        if IMPLICIT_ASSET_JOB_NAME not in self._jobs:
            raise DefinitionError("these definitions have no assets")
        return self._jobs[IMPLICIT_ASSET_JOB_NAME]

    resolve_implicit_global_asset_job_def = get_implicit_global_asset_job_def

    def get_assets_def(self, key: Any) -> AssetsDefinition:
        asset_key = AssetKey.from_coercible(key)
        found = self._assets_by_key.get(asset_key)
        if not isinstance(found, AssetsDefinition):
            hint = suggest(asset_key.to_user_string(), [k.to_user_string() for k in self._assets_by_key])
            raise DefinitionError(f"no asset {asset_key.to_user_string()!r}" + (f"; {hint}" if hint else ""))
        return found

    @property
    def asset_keys(self) -> list[AssetKey]:
        return list(self._assets_by_key)

    def get_asset_job(self, selection: Any = None, name: str = "__selection_job__",
                      executor_def: Any = None) -> JobDefinition:
        """A job over a selection of these assets (used by the CLI's --select)."""
        return build_asset_job(name, self.assets, self.asset_checks, selection,
                               self.resources, executor_def or self.executor)

    # Set by `load_spec`: the spec's instance and run config (where its values are stored).
    _open_instance: Any = None
    _run_config: Any = None

    def load_asset_value(self, asset_key: Any, *, python_type: Any = None, instance: Any = None,
                         partition_key: Optional[str] = None, metadata: Optional[Mapping[str, Any]] = None) -> Any:
        """The stored value of an asset (partition), loaded by its IO manager from the version
        its current record names (Dagster's `Definitions.load_asset_value`)."""
        from ..load_value import load_asset_value

        if instance is None and self._open_instance is not None:
            with self._open_instance() as opened:
                return load_asset_value(self, asset_key, instance=opened, partition_key=partition_key,
                                        python_type=python_type, metadata=metadata, run_config=self._run_config)
        return load_asset_value(self, asset_key, instance=instance, partition_key=partition_key,
                                python_type=python_type, metadata=metadata, run_config=self._run_config)

    @staticmethod
    def merge(*defs: "Definitions") -> "Definitions":
        return Definitions(
            assets=[a for d in defs for a in d.assets],
            asset_checks=[c for d in defs for c in d.asset_checks],
            jobs=[j for d in defs for j in d.jobs],
            resources={k: v for d in defs for k, v in d.resources.items()},
            executor=next((d.executor for d in defs if d.executor is not None), None),
        )


