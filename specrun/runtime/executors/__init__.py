"""Executors by name: the built-ins a spec or run config can select."""

from __future__ import annotations

from typing import Any

from ...errors import DefinitionError, suggest


def executor_def_by_name(name: str) -> Any:
    """The built-in ExecutorDefinition called `name` (in_process, multiprocess, dask)."""
    if name == "in_process":
        from .in_process import in_process_executor

        return in_process_executor
    if name == "multiprocess":
        from .multiprocess import multiprocess_executor

        return multiprocess_executor
    if name == "dask":
        from .dask import dask_executor

        return dask_executor
    hint = suggest(name, ["in_process", "multiprocess", "dask"])
    raise DefinitionError(f"unknown executor {name!r}" + (f"; {hint}" if hint else ""))
