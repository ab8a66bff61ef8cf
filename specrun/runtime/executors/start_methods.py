"""How worker processes start: the multiprocess executor's `start_method` config, read once
here for the executor that starts them and for the question whether they are forked."""

from __future__ import annotations

import multiprocessing
from typing import Any, Mapping, Optional

from ...errors import ConfigError, ConfigErrorEntry

START_METHODS = ("spawn", "forkserver", "fork")


def parse_start_method(value: Any) -> tuple[Optional[str], tuple[str, ...]]:
    """The start method and forkserver preload modules, from Dagster's selector form
    (``{spawn: {}}``, ``{forkserver: {preload_modules: [...]}}``) or a plain name."""
    if value is None or isinstance(value, str):
        return value, ()
    if isinstance(value, Mapping) and len(value) == 1:
        (name, options), = value.items()
        options = options or {}
        if isinstance(options, Mapping) and set(options) <= {"preload_modules"}:
            return name, tuple(options.get("preload_modules") or ())
    raise ConfigError([ConfigErrorEntry(
        f"Value {value!r} is not valid: expected a start method name or one of "
        f"{{spawn: {{}}}}, {{forkserver: {{preload_modules: [...]}}}}, {{fork: {{}}}}",
        ("execution", "config", "start_method"))], subject="multiprocess executor config")


def forks_workers(config: Mapping[str, Any]) -> bool:
    """(The multiprocess executor's `steps_here`.) Whether its workers are forked from this
    process, and so inherit the job's step programs made here; spawned ones load or unpickle
    a job of their own."""
    try:
        method = parse_start_method(config.get("start_method"))[0]
    except ConfigError:  # (reported when the executor is made)
        return True
    return method == "fork" or method is None and "fork" in multiprocessing.get_all_start_methods()
