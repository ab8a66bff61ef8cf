"""An IO manager's opt-in capability: storing and loading a value by its key alone.

An IO manager whose class defines both

    store_by_key(self, key: tuple[str, ...], obj: Any) -> None
    load_by_key(self, key: tuple[str, ...]) -> Any      # raises KeyError when nothing is stored

is handed each unpartitioned output value with its key, and asked for each unpartitioned
input by its key, without the `OutputContext`/`InputContext` that `handle_output` and
`load_input` are given (building them is most of an in-memory store's cost). The key is the
one the contexts would name: an asset output's asset key path (``("schema", "table")``),
else ``(run id, step key, output name)``, plus the mapping key for a value of a dynamic
output. A partitioned value, or a key `load_by_key` does not have, goes through
`handle_output`/`load_input` as usual (which word the error). The run's events are the same
either way (STEP_OUTPUT, HANDLED_OUTPUT, LOADED_INPUT, ASSET_MATERIALIZATION).

The capability belongs to the class that defines it: a subclass that overrides
`handle_output` or `load_input` but not the keyed methods is called with contexts, as its
override expects.
"""

from __future__ import annotations

from typing import Any, Optional

_CAPABLE: dict[type, bool] = {}


def keyed(manager: Any) -> bool:
    """Whether `manager` stores and loads unpartitioned values by key (see the module docstring)."""
    cls = manager.__class__
    found = _CAPABLE.get(cls)
    if found is None:
        found = _CAPABLE[cls] = _capable(cls)
    return found


def _definer(cls: type, name: str) -> Optional[type]:
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass
    return None


def _capable(cls: type) -> bool:
    store, load = _definer(cls, "store_by_key"), _definer(cls, "load_by_key")
    if store is None or load is None:
        return False
    handle, read = _definer(cls, "handle_output"), _definer(cls, "load_input")
    # The keyed method must be defined at or below the class whose context method it stands for.
    return (handle is None or issubclass(store, handle)) and (read is None or issubclass(load, read))


def output_key(asset_key: Any, run_id: str, step_key: str, name: str,
               mapping_key: Optional[str] = None) -> tuple:
    """The key of an unpartitioned output value (what its OutputContext's identity names)."""
    if asset_key is not None:
        return asset_key.parts
    return (run_id, step_key, name, mapping_key) if mapping_key else (run_id, step_key, name)
