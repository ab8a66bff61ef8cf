"""`@repository`: Dagster's older way of grouping definitions (a function returning a list of
assets, checks and jobs), kept for code written before `Definitions`."""

from __future__ import annotations

import inspect
from typing import Any, Callable, Optional, Union

from ...errors import DefinitionError
from .asset_checks import AssetChecksDefinition
from .assets import AssetsDefinition, AssetSpec
from .definitions import Definitions
from .jobs import JobDefinition, UnresolvedAssetJobDefinition


class RepositoryDefinition:
    """The definitions a `@repository` function returned, with Dagster's lookups."""

    def __init__(self, name: str, definitions: Definitions, description: Optional[str] = None) -> None:
        self.name = name
        self.description = description
        self.definitions = definitions

    def get_all_jobs(self) -> list[JobDefinition]:
        """Every job, the implicit job over all assets included (as Dagster lists it)."""
        return list(self.definitions._jobs.values())

    @property
    def job_names(self) -> list[str]:
        return [j.name for j in self.get_all_jobs()]

    def has_job(self, name: str) -> bool:
        return name in self.definitions._jobs

    def get_job(self, name: str) -> JobDefinition:
        return self.definitions.get_job_def(name)

    def __repr__(self) -> str:
        return f"<RepositoryDefinition {self.name!r}>"


def _definitions_of(name: str, items: Any) -> Definitions:
    if isinstance(items, dict):  # {"jobs": {name: job}, ...}: Dagster's dictionary form
        items = [d for group in items.values() for d in (group.values() if isinstance(group, dict) else group)]
    assets, checks, jobs = [], [], []
    for item in items or ():
        if isinstance(item, (AssetsDefinition, AssetSpec)):
            assets.append(item)
        elif isinstance(item, AssetChecksDefinition):
            checks.append(item)
        elif isinstance(item, (JobDefinition, UnresolvedAssetJobDefinition)):
            jobs.append(item)
        else:
            raise DefinitionError(f"repository {name!r} returned {item!r}: it may hold assets, asset "
                                  "checks and jobs")
    return Definitions(assets=assets, asset_checks=checks, jobs=jobs)


def repository(fn: Optional[Callable[[], Any]] = None, *, name: Optional[str] = None,
               description: Optional[str] = None) -> Union[RepositoryDefinition, Callable[..., Any]]:
    """Decorate a function returning a list of assets, checks and jobs."""
    def decorate(f: Callable[[], Any]) -> RepositoryDefinition:
        repo_name = name or f.__name__
        return RepositoryDefinition(repo_name, _definitions_of(repo_name, f()),
                                    description or inspect.getdoc(f))

    return decorate(fn) if fn is not None else decorate
