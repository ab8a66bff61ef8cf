"""Rebuilding a job in another process: a pointer to where it is defined.

Python jobs point at a module attribute, as Dagster's `reconstructable`. Spec jobs are
reconstructable by nature: the compiler gives each an origin of its own
(`specrun.compiler.origin.SpecOrigin`) whose `load()` compiles the spec again, so the runtime
rebuilds any job through `job.origin.load()` and never imports the compiler.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from dataclasses import replace
from typing import Any, Optional

from ..errors import DefinitionError
from .definitions.values import value_class


@value_class(frozen=True)
class ModuleOrigin:
    """A job (or `Definitions` + job name, or a function returning a job) in a module."""

    module: str
    attribute: str
    job_name: Optional[str] = None
    sys_path: tuple[str, ...] = ()

    def load(self) -> Any:
        for path in self.sys_path:
            if path not in sys.path:
                sys.path.insert(0, path)
        target = getattr(importlib.import_module(self.module), self.attribute)
        if callable(target) and not hasattr(target, "nodes") and not hasattr(target, "get_job_def"):
            target = target()
        if hasattr(target, "get_job_def"):
            return target.get_job_def(self.job_name) if self.job_name else \
                target.get_implicit_global_asset_job_def()
        return target


def reconstructable(target: Any) -> Any:
    """The same job, carrying a pointer that lets another process rebuild it."""
    job = target() if inspect.isfunction(target) else target
    module = inspect.getmodule(target) if inspect.isfunction(target) else None
    name = getattr(target, "__name__", None)
    if module is None:
        module, name = _find_in_modules(target)
    if module is None or module.__name__ == "__main__" and not getattr(module, "__file__", None):
        raise DefinitionError(
            f"{getattr(job, 'name', target)!r} is not reachable from a module: define it at module "
            "level in an importable file to run it in other processes")
    origin = ModuleOrigin(module.__name__, name, sys_path=tuple(sys.path[:3]))
    return replace(job, origin=origin)


def _find_in_modules(obj: Any) -> tuple[Any, Optional[str]]:
    for module in list(sys.modules.values()):
        for attr, value in list(getattr(module, "__dict__", {}).items()):
            if value is obj:
                return module, attr
    return None, None
