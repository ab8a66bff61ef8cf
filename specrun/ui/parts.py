"""A spec as the UI opens it, whatever its partitionings.

`specrun plan` and `apply` need one set of partitions for the whole selection, so a spec that
mixes differently partitioned assets, or whose dynamic partitions have no key yet, is refused
there unless the user narrows it. The UI shows the whole spec: when one Session cannot hold it,
the assets are split by partitioning and each part gets its own Session (the same compile,
plan and staleness decisions as `specrun plan --select <those assets>`). Assets whose
partitions have no key yet get no plan: their state says how to add one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from ..commands import Session, _vars
from ..errors import SpecrunError


@dataclass
class Opened:
    compiled: Any  # the whole spec
    instance: Any
    sessions: list[Any]  # one per partitioning (unpartitioned assets count as one)
    empty: dict[str, str] = field(default_factory=dict)  # asset key -> why it has no partition
    dynamic: list[tuple[Any, list[str]]] = field(default_factory=list)  # (definition, keys when opened)

    def partitions_changed(self) -> bool:
        """Whether a dynamic partition was added or deleted since the spec was opened (then the
        plans, and which assets have no partition yet, must be made again)."""
        from ..runtime.dynamic_partitions import partition_loading_context

        with partition_loading_context(self.instance):
            return any(list(pdef.get_partition_keys()) != keys for pdef, keys in self.dynamic)


def open_spec(spec: str, var_options: Mapping[str, Any]) -> Opened:
    try:
        session = Session(spec, var_options)
    except SpecrunError as whole_spec_error:
        opened = _split(spec, var_options, whole_spec_error)
    else:
        opened = Opened(session.compiled, session.instance, [session])
    _note_dynamic(opened)
    return opened


def _note_dynamic(opened: Opened) -> None:
    from ..runtime.dynamic_partitions import partition_loading_context

    with partition_loading_context(opened.instance):
        for node in opened.compiled.job_for(None, [], []).nodes.values():
            pdef = node.asset.partitions_def if node.asset is not None else None
            if hasattr(pdef, "partition_fn") and all(pdef != d for d, _ in opened.dynamic):
                opened.dynamic.append((pdef, list(pdef.get_partition_keys())))


def _no_keys_message(pdef: Any) -> str:
    if hasattr(pdef, "partition_fn"):  # dynamic: keys are added, not declared
        return f"no partitions yet — add with `specrun partitions add {pdef.name} KEY...`"
    return "no partitions yet (its time window has not started)"


def _split(spec: str, var_options: Mapping[str, Any], error: SpecrunError) -> Opened:
    from ..compiler import compile_spec
    from ..runtime.dynamic_partitions import partition_loading_context

    compiled = compile_spec(spec, _vars(var_options))
    instance = compiled.open_instance()
    parts: list[tuple[Any, list[str]]] = []  # (partitions definition or None, its asset keys)
    for node in compiled.job_for(None, [], []).nodes.values():
        if node.asset is not None:
            pdef = node.asset.partitions_def
            same = next((keys for d, keys in parts if d == pdef), None)
            if same is None:
                parts.append((pdef, same := []))
            same.append(node.asset.key.to_user_string())
    if all(pdef is None for pdef, _ in parts):
        raise error  # nothing partitioned: the spec's problem is not its partitions
    empty: dict[str, str] = {}
    selections = []
    with partition_loading_context(instance):
        for pdef, keys in parts:
            if pdef is not None and not pdef.get_partition_keys():
                empty.update((k, _no_keys_message(pdef)) for k in keys)
            else:
                selections.append(sorted(keys))
    sessions = [Session(spec, {**var_options, "select": (" ".join(keys),)}) for keys in sorted(selections)]
    return Opened(compiled, instance, sessions, empty)
