"""Run config in Dagster's shape, checked against a schema derived from the job.

    ops:       {node: {config: ..., inputs: {name: value}, outputs: {name: config}},
                graph: {ops: {...}}}
    resources: {key: {config: ...}}
    execution: {config: {...}}        (also {config: {multiprocess: {...}}}, Dagster's nested form)
    loggers:   {name: {config: ...}}
    inputs:    {graph_input: value}
"""

from __future__ import annotations

import weakref
from dataclasses import field
from typing import Any, Mapping, Optional

from ..errors import ConfigError
from .config import Any as AnyType
from .config import Field, Permissive, Shape, normalize_config_schema, validate_config
from .definitions.nodes import FromConfig
from .definitions.resources import coerce_resource_defs, is_configurable_resource_class
from .definitions.values import value_class
from .job_cache import NODES_FREE
from .node_facts import node_fact

EXECUTOR_NAMES = ("in_process", "multiprocess", "dask")


@value_class(frozen=True)
class ResolvedRunConfig:
    """Run config after validation: defaults filled, split by what it configures."""

    raw: Mapping[str, Any]
    op_configs: Mapping[str, Any] = field(default_factory=dict)
    input_values: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    resources: Mapping[str, Any] = field(default_factory=dict)
    execution: Mapping[str, Any] = field(default_factory=dict)
    executor_name: Optional[str] = None
    executor_def: Any = None
    loggers: Mapping[str, Any] = field(default_factory=dict)
    graph_inputs: Mapping[str, Any] = field(default_factory=dict)
    output_configs: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


class RunConfig:
    """Dagster's typed run config: `ops` / `resources` values may be `Config` objects.

    `RunConfig(ops={"load": LoadConfig(rows=10)})` is the dictionary
    `{"ops": {"load": {"config": {"rows": 10}}}}`; plain dictionaries are taken as they are.
    Accepted wherever a run config is (`materialize`, `execute_job`, `@job(config=...)`).
    """

    def __init__(self, ops: Optional[Mapping[str, Any]] = None, resources: Optional[Mapping[str, Any]] = None,
                 loggers: Optional[Mapping[str, Any]] = None, execution: Optional[Mapping[str, Any]] = None) -> None:
        self.ops = dict(ops or {})
        self.resources = dict(resources or {})
        self.loggers = dict(loggers or {})
        self.execution = dict(execution or {})

    def to_config_dict(self) -> dict[str, Any]:
        parts = {"ops": _typed_entries(self.ops), "resources": _typed_entries(self.resources),
                 "loggers": self.loggers, "execution": self.execution}
        return {k: v for k, v in parts.items() if v}

    def __repr__(self) -> str:
        return f"RunConfig({self.to_config_dict()!r})"


def _typed_entries(entries: Mapping[str, Any]) -> dict[str, Any]:
    """`{name: Config object}` -> `{name: {"config": its fields}}`; other values unchanged."""
    return {name: {"config": value.model_dump()} if hasattr(value, "model_dump") else value
            for name, value in entries.items()}


def as_config_dict(run_config: Any) -> dict[str, Any]:
    """A run config as a dictionary, whether given as one or as a `RunConfig`."""
    if run_config is None:
        return {}
    if hasattr(run_config, "to_config_dict"):
        return run_config.to_config_dict()
    return dict(run_config)


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """`override` over `base`, merging nested mappings key by key."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


_FREE_NODE = Field(Shape({"config": Field(AnyType, is_required=False),
                          "inputs": Field(Permissive(), is_required=False)}))


_IO = Mapping[str, tuple[Any, Any]]  # manager key -> (input config schema, output config schema)
_CONFIG_SCALARS = (int, float, str, bool)


def _io_schemas(resource_defs: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The IO and input managers that declare an input or output config schema."""
    found = {}
    for key, rdef in coerce_resource_defs(resource_defs).items():
        ins = getattr(rdef, "input_config_schema", None)
        outs = getattr(rdef, "output_config_schema", None)
        if ins is not None or outs is not None:
            found[key] = (normalize_config_schema(ins), normalize_config_schema(outs))
    return found


def _input_field(node: Any, name: str, unwired: list, io: _IO) -> Field:
    """An input's entry: its input manager's config, else a value of the input's type."""
    spec = node.op_def.ins[name]
    loader_schema = io.get(spec.input_manager_key or "", (None, None))[0]
    if loader_schema is not None and name in unwired:
        return Field(loader_schema)
    python_type = getattr(spec.dagster_type, "python_type", None)
    value_type = python_type if python_type in _CONFIG_SCALARS else AnyType
    return Field(value_type, is_required=name in unwired and not spec.input_manager_key)


def _node_schema(node: Any, io: _IO) -> Field:
    op_schema = node.op_def.config_schema
    outputs = {n: Field(io[o.io_manager_key][1]) for n, o in node.op_def.outs.items()
               if io.get(o.io_manager_key, (None, None))[1] is not None}
    if op_schema is None and not outputs and not any(
            isinstance(s, FromConfig) for s in node.inputs.values()):
        return _FREE_NODE  # nothing to check: one shared schema instead of one per node
    fields: dict[str, Field] = {}
    fields["config"] = Field(op_schema) if op_schema is not None else Field(AnyType, is_required=False)
    unwired = [n for n, src in node.inputs.items() if isinstance(src, FromConfig)
               and not node.op_def.ins[n].is_nothing]
    if unwired or node.inputs:
        fields["inputs"] = Field(Shape({n: _input_field(node, n, unwired, io)
                                        for n in node.op_def.ins}))
    if outputs:
        fields["outputs"] = Field(Shape(outputs))
    return Field(Shape(fields))


def _ops_schema(nodes: Mapping[str, Any], io: _IO) -> Shape:
    """Nested shape: dotted node names become ``{graph: {ops: {op: ...}}}``."""
    tree: dict[str, Any] = {}
    for name, node in nodes.items():
        parts = name.split(".")
        level = tree
        for part in parts[:-1]:
            level = level.setdefault(part, {"__ops__": {}})["__ops__"]
        level[parts[-1]] = node
    return _shape_of(tree, io)


def _shape_of(tree: Mapping[str, Any], io: _IO) -> Shape:
    fields = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            fields[key] = Field(Shape({"ops": Field(_shape_of(value["__ops__"], io))}))
        else:
            fields[key] = _node_schema(value, io)
    return Shape(fields)


def _resources_schema(resource_defs: Mapping[str, Any]) -> Shape:
    fields = {}
    for key, rdef in coerce_resource_defs(resource_defs).items():
        if rdef.is_hardcoded:
            fields[key] = Field(Permissive(), is_required=False)
        elif is_configurable_resource_class(rdef.config_class):
            fields[key] = Field(Shape({"config": Field(Permissive(), is_required=False)}))
        else:
            schema = rdef.config_schema
            inner = Field(schema) if schema is not None else Field(AnyType, is_required=False)
            fields[key] = Field(Shape({"config": inner}))
    return Shape(fields)


_OPS_SCHEMAS: "weakref.WeakKeyDictionary[Any, Shape]" = weakref.WeakKeyDictionary()


def _cached_ops_schema(job: Any, io: _IO) -> Shape:
    """The ops part of the schema depends only on the job (an immutable value) unless IO
    managers declare input/output config schemas: build it once per job."""
    if io:
        return _ops_schema(job.nodes, io)
    schema = _OPS_SCHEMAS.get(job)
    if schema is None:
        schema = _OPS_SCHEMAS[job] = _ops_schema(job.nodes, io)
    return schema


_NO_OPS_CONFIG = Field(Permissive(), is_required=False)


def _all_nodes_free(job: Any) -> bool:
    """Whether no node of `job` takes config or a config input (each would be `_FREE_NODE`),
    worked out once per job."""
    return node_fact(job, NODES_FREE)


def run_config_schema(job: Any, resource_defs: Mapping[str, Any], executor_def: Any,
                      ops_given: bool = True) -> Shape:
    """The schema a job's run config must satisfy. Without `ops_given` (the config has no
    ``ops:`` at all) a job whose nodes all take nothing from it is not given one entry per
    node: nothing would be checked or filled in (a 10,000-node job ran it every run)."""
    exec_schema = executor_def.config_schema
    execution = Field(Shape({"config": Field(exec_schema) if exec_schema is not None
                             else Field(AnyType, is_required=False)}))
    io = _io_schemas(resource_defs)
    return Shape({
        "ops": (_NO_OPS_CONFIG if not ops_given and not io and _all_nodes_free(job)
                else Field(_cached_ops_schema(job, io))),
        "resources": Field(_resources_schema(resource_defs)),
        "execution": execution,
        "loggers": Field(Permissive(), is_required=False),
        "inputs": Field(Permissive(), is_required=False),
    })


def _normalize_execution(raw: dict[str, Any], executor_def: Any) -> tuple[dict[str, Any], Optional[str]]:
    """Accept Dagster's nested ``execution: {config: {multiprocess: {...}}}`` and old
    ``execution: {multiprocess: {config: {...}}}`` forms; return the flat form and the
    executor name they select, if any."""
    execution = raw.get("execution")
    if not isinstance(execution, Mapping):
        return raw, None
    chosen = None
    if len(execution) == 1:
        (key, value), = execution.items()
        if key in EXECUTOR_NAMES and (value is None or isinstance(value, Mapping)):
            chosen, execution = key, {"config": (value or {}).get("config", {})}
    config = execution.get("config")
    if isinstance(config, Mapping) and len(config) == 1:
        (key, value), = config.items()
        if key in EXECUTOR_NAMES and (value is None or isinstance(value, Mapping)):
            chosen, execution = key, {**execution, "config": dict(value or {})}
    return {**raw, "execution": dict(execution)}, chosen


def _unwrap_input(value: Any) -> Any:
    if isinstance(value, Mapping) and set(value) == {"value"}:
        return value["value"]
    return value


def _unwrap_inputs(ops: Any) -> Any:
    """Run config with each ``inputs: {name: {value: v}}`` as ``{name: v}`` (Dagster takes
    both forms), so that a value is checked against its input's type."""
    if not isinstance(ops, Mapping):
        return ops
    unwrapped = {}
    for key, entry in ops.items():
        if isinstance(entry, Mapping) and "ops" in entry and "config" not in entry:
            entry = {**entry, "ops": _unwrap_inputs(entry["ops"])}
        elif isinstance(entry, Mapping) and isinstance(entry.get("inputs"), Mapping):
            entry = {**entry, "inputs": {k: _unwrap_input(v) for k, v in entry["inputs"].items()}}
        unwrapped[key] = entry
    return unwrapped


def _collect_ops(value: Mapping[str, Any], prefix: str, configs: dict, inputs: dict,
                 outputs: dict) -> None:
    for key, entry in (value or {}).items():
        entry = entry or {}
        if "ops" in entry and "config" not in entry:
            _collect_ops(entry["ops"], f"{prefix}{key}.", configs, inputs, outputs)
            continue
        configs[prefix + key] = entry.get("config")
        if entry.get("inputs"):
            inputs[prefix + key] = dict(entry["inputs"])
        if entry.get("outputs"):
            outputs[prefix + key] = dict(entry["outputs"])


def resolve_run_config(
    job: Any, run_config: Optional[Mapping[str, Any]], resource_defs: Mapping[str, Any],
    executor_def: Any, input_values: Optional[Mapping[str, Any]] = None,
) -> ResolvedRunConfig:
    """Validate `run_config` (merged over the job's default config); raise ConfigError."""
    raw = deep_merge(as_config_dict(job.config), as_config_dict(run_config))
    raw, chosen = _normalize_execution(raw, executor_def)
    if "ops" in raw:
        raw = {**raw, "ops": _unwrap_inputs(raw["ops"])}
    if chosen is not None and chosen != executor_def.name and chosen in EXECUTOR_NAMES:
        from .executors import executor_def_by_name

        executor_def = executor_def_by_name(chosen)
    result = validate_config(run_config_schema(job, resource_defs, executor_def, "ops" in raw), raw)
    if not result.success:
        raise ConfigError(result.errors, subject=f"run config for job {job.name!r}")
    value = result.value
    configs: dict[str, Any] = {}
    inputs: dict[str, dict[str, Any]] = {}
    outputs: dict[str, dict[str, Any]] = {}
    _collect_ops(value.get("ops") or {}, "", configs, inputs, outputs)
    return ResolvedRunConfig(
        raw=raw, op_configs=configs, input_values=inputs,
        resources=value.get("resources") or {},
        execution=(value.get("execution") or {}).get("config") or {},
        executor_name=executor_def.name, executor_def=executor_def, loggers=value.get("loggers") or {},
        graph_inputs={**(raw.get("inputs") or {}), **(input_values or {})},
        output_configs=outputs,
    )
