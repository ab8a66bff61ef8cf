"""Where a spec job comes from, for another process to rebuild it (a multiprocess worker
started with spawn or forkserver).

The compiler hands this origin to the runtime with each spec job it builds; the runtime only
calls `load()`, so rebuilding a spec job never makes the runtime import the compiler (a worker
unpickling the origin imports this module, and through it the compiler).
"""

from __future__ import annotations

from dataclasses import field
from typing import Any, Mapping, Optional

from ..runtime.definitions.values import value_class


@value_class(frozen=True)
class SpecOrigin:
    """A job compiled from a spec file (with template variables and a selection)."""

    path: str
    vars: Mapping[str, Any] = field(default_factory=dict)
    job_name: Optional[str] = None
    select: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def load(self) -> Any:
        from . import compile_spec

        compiled = compile_spec(self.path, dict(self.vars))
        return compiled.job_for(self.job_name, list(self.select), list(self.exclude))
