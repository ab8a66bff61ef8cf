"""Executors by name: the built-ins a spec or run config can select.

The table names each built-in by module path, as an entry point does, and imports it only
when chosen: a run config or spec that names an executor does not load the others (Dask's
needs `distributed`), and modules below the executors (run config) can look one up without
importing the executors, which import them.
"""

from __future__ import annotations

import importlib
from typing import Any

from ...errors import DefinitionError, suggest

BUILTIN_EXECUTORS = {
    "in_process": "specrun.runtime.executors.in_process:in_process_executor",
    "multiprocess": "specrun.runtime.executors.multiprocess:multiprocess_executor",
    "dask": "specrun.runtime.executors.dask:dask_executor",
}


def executor_def_by_name(name: str) -> Any:
    """The built-in ExecutorDefinition called `name` (in_process, multiprocess, dask)."""
    where = BUILTIN_EXECUTORS.get(name)
    if where is None:
        hint = suggest(name, list(BUILTIN_EXECUTORS))
        raise DefinitionError(f"unknown executor {name!r}" + (f"; {hint}" if hint else ""))
    module, attribute = where.split(":")
    return getattr(importlib.import_module(module), attribute)
