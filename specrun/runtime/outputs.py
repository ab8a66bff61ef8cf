"""Storing an output through its IO manager and recording its events (what a compute
function returned is read into outputs by `returned_outputs.collect_outputs`)."""

from __future__ import annotations

import pickle

from types import GeneratorType
from typing import Any, Optional

from .step_errors import (  # re-exported: where these were always imported from
    DagsterTypeCheckDidNotPass as DagsterTypeCheckDidNotPass, OutputError as OutputError,
    StepFailed as StepFailed, TypeCheckError as TypeCheckError,
)
from .definitions.dynamic import DynamicOutput
from .definitions.results import MaterializeResult, Output
from .definitions.metadata import normalize_metadata
from .definitions.types import DataType
from .events import ET
from .events import StepOutputData, new_event, new_output_data
from .step_events import PLAIN_ASSET_OUTPUT, Summary
from .context.io import OutputContext
from .keyed_io import keyed
from .materializations import AssetVersionFacts, materialization, version_tags
from .versioning import DATA_VERSION_TAG


def _type_check(step: Any, name: str, out_def: Any, value: Any) -> None:
    t = out_def.dagster_type
    if isinstance(t, DataType) and t.type_check_fn is not None and not t.passes(value):
        _type_check_failed(step, "output", name, t, value)


def check_input_type(step: Any, name: str, spec: Any, value: Any) -> None:
    """Fail the step, as Dagster does, when a loaded input fails its type's check."""
    t = spec.dagster_type
    if isinstance(t, DataType) and t.type_check_fn is not None and not t.passes(value):
        _type_check_failed(step, "input", name, t, value)


def _type_check_failed(step: Any, kind: str, name: str, t: DataType, value: Any) -> None:
    description = t.type_check(None, value).description
    raise TypeCheckError(
        f'Type check failed for step {kind} "{name}" of {step.key!r} - expected type '
        f'"{t.name}", got {type(value).__name__}: {description or "value rejected"}')


class OutputFacts(AssetVersionFacts):
    """What storing one output of one node needs that does not change from run to run
    (made and kept per job by `step_recipe.JobProgram`; the run's output config is looked up
    when an output context is made, its asset version facts by `RunContext.asset_versions`,
    which keeps those of a run without config for the output in `versions`). Those are set
    in the facts themselves (`versions` is then the facts): an asset output's version facts
    are as many as its output facts, and made with them, so one object a step's output
    instead of two. Its `asset_key` slot is `AssetVersionFacts`'s.

    The slots a plain asset step's run reads (`store_plain_asset_output`, `version_tags`,
    `materialization`) come first, here as in `AssetVersionFacts`: at 10,000 steps the facts
    are out of cache when the run reads them, and each line of them it reads is a miss."""

    __slots__ = ("versions", "store_key", "type_checked", "is_nothing", "node_name", "name",
                 "io_manager_key", "yielded_message", "handled_message", "out_def", "partitions_def",
                 "per_partition", "op_def")

    def output_context(self, run: Any, step: Any, step_key: str,
                       partition_keys: tuple = ()) -> OutputContext:
        """The OutputContext an IO manager is given for this output of `step`."""
        out_def = self.out_def
        if not partition_keys and step is not None and step.partition_key is not None and self.per_partition:
            partition_keys = (step.partition_key,)
        # Run config's `ops: {node: {outputs: {name: ...}}}`, for the IO manager's context.
        resolved = getattr(run, "resolved", None)
        configs = resolved.output_configs.get(self.node_name) if resolved is not None else None
        # `__new__` then `__init__`: see `input_context_with_deferred_upstream` (context/io.py).
        ctx = OutputContext.__new__(OutputContext)
        ctx.__init__(
            step_key, self.name, run_id=run.run_id, asset_key=self.asset_key,
            metadata=out_def.metadata, log=run.log, resources=run.resources,
            partition_keys=partition_keys, partitions_def=self.partitions_def,
            op_def=self.op_def, dagster_type=out_def.dagster_type, version=out_def.code_version,
            config=(configs or {}).get(self.name, {}))
        return ctx


def output_messages(name: str, type_name: str, manager_key: str) -> tuple[str, str]:
    """The STEP_OUTPUT and HANDLED_OUTPUT messages of an output."""
    return (f'Yielded output "{name}" of type "{type_name}".',
            f'Handled output "{name}" using IO manager "{manager_key}"')


_NONE: dict = {}


def untyped_output_texts(program: Any, name: str, manager_key: str) -> tuple[str, str]:
    """The two messages of an untyped output `name` stored through `manager_key`, made once a
    job (`program`: its `step_recipe.JobProgram`, which keeps them in `output_texts`)."""
    texts = program.output_texts.setdefault(manager_key, {})[name] = output_messages(
        name, "Any", manager_key)
    return texts


def new_output_facts(program: Any, node: Any, name: str) -> OutputFacts:
    """The `OutputFacts` of output `name` of `node` (`program`: its job's
    `step_recipe.JobProgram`, which keeps them). A class call of `OutputFacts`, which has no
    `__init__`: ~0.3k instructions less than `object.__new__`, once an output of a job."""
    facts = OutputFacts()
    op_def = node.op_def
    out_def = op_def.outs[name]
    asset = node.asset
    facts.out_def = out_def
    facts.name = name
    facts.node_name = node.name
    # (The untyped output, most of them, without the type's attribute reads.)
    t = out_def.dagster_type
    facts.is_nothing = t is not None and out_def.is_nothing
    facts.type_checked = t is not None and isinstance(t, DataType) and t.type_check_fn is not None
    manager_key = facts.io_manager_key = out_def.io_manager_key
    if asset is None:
        asset_key = facts.asset_key = None
        partitions_def = facts.partitions_def = program.partitions_def
        facts.per_partition = True
    else:  # (`asset.key_for_output(name)`, without the call)
        asset_key = facts.asset_key = asset.keys_by_output_name.get(
            name, None if asset.graph is not None else asset.key)
        partitions_def = facts.partitions_def = asset.partitions_def
        facts.per_partition = partitions_def is not None
    if t is None:  # (most outputs: the same two messages for each output of that name and manager)
        texts = program.output_texts.get(manager_key, _NONE).get(name)
        if texts is None:
            texts = untyped_output_texts(program, name, manager_key)
        facts.yielded_message, facts.handled_message = texts
    else:
        facts.yielded_message, facts.handled_message = output_messages(name, _type_name(out_def), manager_key)
    facts.op_def = op_def
    # The key a keyed IO manager (see `..keyed_io`) stores this output's value under: the
    # asset key's path, or () for "the run, step and output"; None when the value is
    # partitioned (its key would also name the partition), so contexts are built.
    facts.store_key = (None if partitions_def is not None
                       else asset_key.parts if asset_key is not None else ())
    facts.versions = None
    return facts


def plain_value(result: Any) -> bool:
    """Whether a compute function's return value is the value of its one output itself (not
    an Output, MaterializeResult, DynamicOutput(s) or generator, which `collect_outputs` reads).

    `isinstance(result, T)` is `issubclass(type(result), T)` or, for a proxy (its `__class__`
    names another class), whether that one is: isinstance reads `result.__class__` again for
    each class of T it is not (~0.3k instructions a read, five a step), the type only once.
    A value of a builtin class in `_BUILTIN_VALUES` (an int, a text, a dict...) is answered
    by one look-up (~1k instructions less a step): no such class is one of T's or a list,
    whatever is defined later, and its instances cannot name another class."""
    cls = type(result)
    if cls in _BUILTIN_VALUES:
        return True
    proxy = result.__class__ is not cls
    if issubclass(cls, _WRAPPED) or (proxy and isinstance(result, _WRAPPED)):
        return False
    return not ((issubclass(cls, list) or (proxy and isinstance(result, list))) and result
                and result[0].__class__ is DynamicOutput)


_WRAPPED = (Output, MaterializeResult, DynamicOutput, GeneratorType)
# Builtin classes whose instances `plain_value` needs not look at: a builtin class's bases
# cannot be changed, and an instance of one has no `__class__` of its own.
_BUILTIN_VALUES = frozenset((int, float, bool, str, bytes, type(None), dict, tuple, set, frozenset))


def handle_output(run, step, context, name, value, metadata, store, events, version=None,
                  mapping_key=None, facts=None) -> None:
    """Store one output value and record its events; `context` is None for a step that
    built none (then no user code could have added output metadata or hooks); `facts`, the
    output's `run.output_facts` when the caller has them (a plain step's recipe)."""
    node = step.node
    if facts is None:
        facts = run.output_facts(node, name)
    out_def = facts.out_def
    if facts.type_checked:
        _type_check(step, name, out_def, value)
    asset_key = facts.asset_key
    if context is not None and context.output_metadata:
        metadata = {**normalize_metadata(context.output_metadata.get(name)), **metadata}
    # STEP_OUTPUT and HANDLED_OUTPUT describe the same output: one payload (whose metadata
    # also gets what the IO manager logs) serves both.
    output_data = StepOutputData(name, metadata, asset_key, step.partition_key, mapping_key)
    message = facts.yielded_message if mapping_key is None else (
        f'Yielded output "{name}" mapping key "{mapping_key}" of type "{_type_name(out_def)}".')
    events.append(new_event(ET.STEP_OUTPUT, run.run_id, run.job_name, step.key, message, output_data))
    if mapping_key is not None:  # (`run.produced` is the captured values' keys)
        if run.capture_outputs:  # a dynamic output's values, by mapping key, in yield order
            run.captured.setdefault((step.key, name), {})[mapping_key] = value
    elif run.capture_outputs:
        run.captured[(step.key, name)] = value
    if context is not None and context._output_values is not None:  # hooks see the outputs
        context._output_values[name] = value
    # The data version is known before the value is stored: a versioning IO manager stores
    # the value under it, so the record written after names the file (see io_managers).
    versions = run.asset_versions(node, facts) if facts.asset_key is not None else None
    tags = version_tags(run, step, versions, version) if versions is not None else None
    data_version = tags[DATA_VERSION_TAG] if tags is not None else None
    if store and not facts.is_nothing:
        manager = run.resources_for_output(facts.io_manager_key)
        if facts.store_key is not None and step.partition_key is None and keyed(manager):
            # Stored by its key, without the context (see `..keyed_io`).
            key = facts.store_key or ((run.run_id, step.key, name, mapping_key) if mapping_key
                                      else (run.run_id, step.key, name))
            manager.store_by_key(key, value)
            events.append(new_event(ET.HANDLED_OUTPUT, run.run_id, run.job_name, step.key,
                                    facts.handled_message, output_data))
            if versions is not None:
                events.append(materialization(run, step, versions, metadata, tags))
            return
        octx = facts.output_context(run, step, step.key)
        octx.data_version = data_version
        octx.mapping_key = mapping_key
        try:
            manager.handle_output(octx, value)
        except (pickle.PicklingError, TypeError, AttributeError) as e:
            if "pickle" not in str(e).lower():
                raise
            raise OutputError(  # which value, and who tried to store it: the bare error names neither
                f"output {name!r} of {step.key!r} ({type(value).__name__}) cannot be pickled by IO manager "
                f"{facts.io_manager_key!r} ({type(manager).__name__}): {e}; return a value that pickles, "
                "or give the asset an io_manager that can store it") from e
        metadata.update(octx.get_logged_metadata())
        events.append(new_event(ET.HANDLED_OUTPUT, run.run_id, run.job_name, step.key,
                                facts.handled_message, output_data))
    if versions is not None:
        events.append(materialization(run, step, versions, metadata, tags))


def store_plain_output(run: Any, step: Any, facts: OutputFacts, managers: Any, value: Any,
                       events: list) -> None:
    """`handle_output` of a plain step's output (see `step_recipe._compile_plain`): no context,
    metadata, type check, asset or partition; stored by key through a keyed IO manager."""
    key, name = step.key, facts.name
    output_data = new_output_data(name, None)
    events.append(new_event(ET.STEP_OUTPUT, run.run_id, run.job_name, key, facts.yielded_message,
                            output_data))
    if run.capture_outputs:  # (also what `run.produced` holds)
        run.captured[(key, name)] = value
    managers[facts.io_manager_key].store_by_key((run.run_id, key, name), value)
    events.append(new_event(ET.HANDLED_OUTPUT, run.run_id, run.job_name, key, facts.handled_message,
                            output_data))


def store_plain_asset_output(run: Any, step: Any, facts: OutputFacts, managers: Any, value: Any,
                             events: list) -> Optional[Summary]:
    """`handle_output` of a plain step's asset output (`facts`: its recipe's), stored by its
    key path through a keyed IO manager (`managers`, as `store_plain_output`'s): the same
    events, without the general path's tests of what a plain step has not (a context, output
    metadata, a mapping key, a partition). A typed output, an output of Nothing, one without
    a key path, or a node given config goes through `handle_output`. Returns what the step's
    events say once it succeeds (`step_events.PLAIN_ASSET_OUTPUT`; None after `handle_output`)."""
    versions = facts.versions  # (`run.asset_versions(node, facts)` when the run gives no config)
    if (versions is None or facts.type_checked or facts.is_nothing or not facts.store_key
            or run.resolved.op_configs.get(facts.node_name) is not None):
        handle_output(run, step, None, facts.name, value, {}, True, events, facts=facts)
        return None
    key, name = step.key, facts.name
    output_data = new_output_data(name, facts.asset_key)
    events.append(new_event(ET.STEP_OUTPUT, run.run_id, run.job_name, key, facts.yielded_message,
                            output_data))
    if run.capture_outputs:  # (also what `run.produced` holds)
        run.captured[(key, name)] = value
    tags = version_tags(run, step, versions)
    managers[facts.io_manager_key].store_by_key(facts.store_key, value)
    events.append(new_event(ET.HANDLED_OUTPUT, run.run_id, run.job_name, key, facts.handled_message,
                            output_data))
    events.append(materialization(run, step, versions, output_data.metadata, tags))
    return PLAIN_ASSET_OUTPUT


def _type_name(out_def: Any) -> str:
    t = out_def.dagster_type
    return t.name if isinstance(t, DataType) else getattr(t, "__name__", "Any")


def output_context(run: Any, step: Any, node: Any, output_name: str, step_key: str,
                   partition_keys: tuple = (), mapping_key: Optional[str] = None) -> Any:
    """The OutputContext an IO manager is given for `output_name` of `node` (one value of
    it, for a dynamic output)."""
    ctx = run.output_facts(node, output_name).output_context(run, step, step_key, partition_keys)
    ctx.mapping_key = mapping_key
    return ctx
