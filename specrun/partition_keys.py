"""`specrun partitions add|list|delete`: the keys of a spec's dynamic partitions, kept in its
run store (the same store `plan` and `apply` read them from)."""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

from .errors import SpecrunError, suggest


def _dynamic_names(spec_path: str, var_options: Mapping[str, Any]) -> list[str]:
    """Names the dynamic partitions of the spec at `spec_path` store their keys under."""
    from .commands import _vars
    from .compiler import compile_spec

    compiled = compile_spec(spec_path, _vars(var_options))
    names = []
    for entry in compiled.spec.partitions.values():
        if entry.type == "dynamic":
            names.append(entry.options.get("name") or entry.name)
    return names


def _open(name: str, spec: Optional[str], var_options: Optional[Mapping[str, Any]]) -> Any:
    """The store of `spec`, after checking it declares dynamic partitions `name`."""
    from .history import open_store

    var_options = var_options or {}
    store = open_store(spec, var_options)
    if store.spec is not None:
        names = _dynamic_names(store.spec, var_options)
        if name not in names:
            hint = suggest(name, names)
            declared = f"its dynamic partitions: {', '.join(names)}" if names else (
                "it declares none: add `partitions: {" + name + ": {type: dynamic}}`")
            raise SpecrunError(f"{store.spec} has no dynamic partitions named {name!r} ({declared})"
                               + (f"; {hint}" if hint else ""))
    return store


def add_partitions(name: str, keys: Sequence[str], spec: Optional[str],
                   var_options: Optional[Mapping[str, Any]] = None) -> None:
    """Add `keys` to the dynamic partitions `name`; `plan`/`apply` then see them as work."""
    store = _open(name, spec, var_options)
    with store.instance as instance:
        before = set(instance.get_dynamic_partitions(name))
        instance.add_dynamic_partitions(name, list(keys))
        now = instance.get_dynamic_partitions(name)
    added = [k for k in now if k not in before]
    kept = len(set(keys)) - len(added)
    note = f" ({kept} already there)" if kept else ""
    print(f"added {len(added)} key(s) to {name}{note}; it has {len(now)}: {_shown(now)}")


def list_partitions(name: str, spec: Optional[str],
                    var_options: Optional[Mapping[str, Any]] = None) -> None:
    """Print the keys of the dynamic partitions `name`, one a line, in the order added."""
    store = _open(name, spec, var_options)
    with store.instance as instance:
        keys = instance.get_dynamic_partitions(name)
    if not keys:
        print(f"{name} has no keys yet: add some with `specrun partitions add {name} KEY...`")
    for key in keys:
        print(key)


def delete_partitions(name: str, keys: Sequence[str], spec: Optional[str],
                      var_options: Optional[Mapping[str, Any]] = None) -> None:
    """Delete `keys` from the dynamic partitions `name`; unknown keys are an error."""
    store = _open(name, spec, var_options)
    with store.instance as instance:
        have = instance.get_dynamic_partitions(name)
        unknown = [k for k in keys if k not in have]
        if unknown:
            hint = suggest(unknown[0], have)
            raise SpecrunError(f"{name} has no key {unknown[0]!r}" + (f"; {hint}" if hint else ""))
        for key in keys:
            instance.delete_dynamic_partition(name, key)
        now = instance.get_dynamic_partitions(name)
    print(f"deleted {len(keys)} key(s) from {name}; it has {len(now)}: {_shown(now)}")


def _shown(keys: list[str], limit: int = 10) -> str:
    if not keys:
        return "(none)"
    more = f", ... ({len(keys) - limit} more)" if len(keys) > limit else ""
    return ", ".join(keys[:limit]) + more
