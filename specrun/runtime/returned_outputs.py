"""Reading what a compute function returned (or yielded): each output it gives, in order,
stored through `outputs.handle_output`, and the events it yielded beside them."""

from __future__ import annotations

from types import GeneratorType
from typing import Any, Iterable, Iterator

from ..errors import DefinitionError
from .definitions.dynamic import DynamicOutput, dynamic_value, dynamic_output_entry
from .definitions.keys import spec_output_names
from .definitions.results import (
    AssetCheckResult, AssetMaterialization, AssetObservation, MaterializeResult, Output,
)
from .outputs import handle_output
from .step_errors import OutputError
from .user_events import finish_checks, flush_user_events, record_check


def collect_outputs(run: Any, step: Any, context: Any, result: Any, events: list) -> None:
    """Store every output of `result` and record the step's output events."""
    node = step.node
    # One list for what user code logs (context.log_event) and what it yields or returns
    # beside its outputs, so that the events keep the order in which they happened.
    pending = getattr(context, "_user_events", None)
    if pending is None:
        pending = []
    if node.check is not None:
        evaluated: dict = {}
        for item in _iterate(result):
            record_check(run, step, node.check, item, events, evaluated)
        flush_user_events(run, step, pending, events, evaluated)
        finish_checks(step, node.check.specs, evaluated, f"asset check {node.check.name!r}")
        return
    produced: set[str] = set()
    context._yielded_outputs = produced  # add_output_metadata refuses these from now on
    asset = node.asset
    skipped = set(node.op_def.outs) - asset.selected_output_names if asset is not None and asset.multi else ()
    keys_seen: dict[str, set[str]] = {}  # dynamic output -> the mapping keys yielded
    for name, value, metadata, store, version in _outputs_of(node, result, pending):
        if name in skipped:  # an asset of a multi-asset this run does not compute
            continue
        mapping_key = None
        if value.__class__ is DynamicOutput:
            mapping_key, value = dynamic_value(step, name, value, keys_seen)
        elif name in produced:
            raise OutputError(f"output {name!r} of {step.key!r} was produced twice")
        produced.add(name)
        handle_output(run, step, context, name, value, metadata, store, events, version, mapping_key)
    checks = asset.check_specs if asset is not None else ()
    if pending or checks:
        evaluated: dict = {}
        flush_user_events(run, step, pending, events, evaluated)
    outs = node.op_def.outs
    missing = [n for n, o in outs.items() if o.is_required and n not in produced
               and n not in skipped and not o.is_dynamic] if len(
        produced) < len(outs) else None
    if missing:
        missing = _give_spec_outputs(run, step, context, missing, produced, events)
    if checks:
        finish_checks(step, checks, evaluated, f"asset {asset.key.to_user_string()!r}")
    if missing:
        raise OutputError(
            f"{step.key!r} did not produce required output(s) {missing}; return or yield them, "
            "or declare Out(is_required=False)")


def _give_spec_outputs(run: Any, step: Any, context: Any, missing: list[str], produced: set[str],
                       events: list) -> list[str]:
    """Record, without a value, each output of `missing` that is an `AssetSpec`'s (Dagster's
    implicit Nothing output: its asset is materialized when the function does not report
    it); the others, which the step must fail for."""
    given = spec_output_names(step.node.asset) if step.node.asset is not None else ()
    for name in (n for n in missing if n in given):
        context.log.info(f'Emitting implicit Nothing for output "{name}" on op "{step.node.op_def.name}"')
        produced.add(name)
        handle_output(run, step, context, name, None, {}, False, events)
    return [n for n in missing if n not in given]


def _iterate(result: Any) -> Iterator[Any]:
    if isinstance(result, GeneratorType):
        yield from result
    elif isinstance(result, (list, tuple)) and result and all(
            isinstance(r, (AssetCheckResult, Output, MaterializeResult)) for r in result):
        yield from result
    else:
        yield result


def _outputs_of(node: Any, result: Any, side: list) -> Iterable[tuple[str, Any, dict, bool, Any]]:
    """(output name, value, metadata, whether to store through the IO manager, user data version)."""
    outs = list(node.op_def.outs)
    if isinstance(result, GeneratorType):
        return _yielded_outputs(node, result, outs, side)
    if result is None and node.asset is not None and node.asset.key_facts and len(
            spec_output_names(node.asset)) == len(outs):
        return ()  # each of its AssetSpecs' assets is then materialized without a value
    if isinstance(result, list) and all(r.__class__ is DynamicOutput for r in result) and (
            result or node.op_def.outs[outs[0]].is_dynamic):
        return (_one_output(node, r, outs, side) for r in result)
    if len(outs) > 1 and not isinstance(result, (Output, MaterializeResult)):
        if not isinstance(result, tuple) or len(result) != len(outs):
            raise OutputError(
                f"{node.name!r} declares outputs {outs}; return a tuple of {len(outs)} values "
                f"in that order (got {type(result).__name__})")
        return (_one_output(node, Output(value, name) if not isinstance(value, Output) else value,
                            outs, side)
                for name, value in zip(outs, result))
    return (_one_output(node, result, outs, side),)


def _yielded_outputs(node: Any, result: Iterator[Any], outs: list,
                     side: list) -> Iterator[tuple[str, Any, dict, bool, Any]]:
    """Outputs of a generator, one at a time: each is stored before the function resumes."""
    for item in result:
        if isinstance(item, (AssetMaterialization, AssetObservation, AssetCheckResult)):
            side.append(item)
            continue
        yield _one_output(node, item, outs, side)


def _one_output(node: Any, item: Any, outs: list, side: list) -> tuple[str, Any, dict, bool, Any]:
    if item.__class__ is DynamicOutput:  # its value and key are taken apart by `dynamic_value`
        return dynamic_output_entry(node, item, outs)
    if isinstance(item, Output):
        if item.output_name not in node.op_def.outs:
            raise OutputError(f"{node.name!r} has no output {item.output_name!r} (outputs: {outs})")
        return item.output_name, item.value, dict(item.metadata), True, item.data_version
    if isinstance(item, MaterializeResult):
        side.extend(item.check_results)
        value = item.value if item.has_value else None
        name = outs[0]
        if item.asset_key is not None and node.asset is not None and node.asset.multi:
            try:
                name = node.asset.get_output_name_for_asset_key(item.asset_key)
            except DefinitionError as e:
                raise OutputError(str(e)) from None
        elif len(outs) > 1:
            raise OutputError(f"{node.name!r} produces {outs}: give MaterializeResult(asset_key=...)")
        return name, value, dict(item.metadata), item.has_value, item.data_version
    if node.op_def.outs[outs[0]].is_dynamic:
        raise OutputError(
            f"output {outs[0]!r} of op {node.name!r} is dynamic: yield (or return a list of) "
            f"DynamicOutput(value, mapping_key=...), got {type(item).__name__}")
    return outs[0], item, {}, True, None
