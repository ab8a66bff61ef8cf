"""The scope a graph body runs in: each op call inside it records a `Node` and returns
handles to its outputs (see `composition.py` for graphs, `graph_layout.py` for graph assets).
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any, Mapping, Optional, Sequence

from ...errors import DefinitionError, suggest
from .dynamic import DynamicOutputHandle
from .nodes import (
    FromCollect, FromConfig, FromDefault, FromFanIn, FromGraphInput, FromOutput, InputSource, InvokedOutput,
    Node, pop_scope, push_scope,
)
from .policy import RetryPolicy


class CompositionScope:
    """Collects the nodes created while a graph body runs."""

    def __init__(self, what: str, prefix: str = "", nodes: Optional[dict] = None,
                 graph_outputs: Optional[dict] = None) -> None:
        self.what = what
        self.prefix = prefix
        self.nodes: dict[str, Node] = nodes if nodes is not None else {}
        # graph node name -> {output name: the op output it maps to}
        self.graph_outputs: dict[str, dict[str, InvokedOutput]] = (
            graph_outputs if graph_outputs is not None else {})

    def __enter__(self) -> "CompositionScope":
        push_scope(self)
        return self

    def __exit__(self, *exc: object) -> None:
        pop_scope()

    def _unique_name(self, base: str) -> str:
        name, n = self.prefix + base, 1
        while name in self.nodes or name in self.graph_outputs:
            n += 1
            name = f"{self.prefix}{base}_{n}"
        return name

    def invoke(self, op_def: Any, args: Sequence[Any], kwargs: Mapping[str, Any],
               alias: Optional[str] = None, tags: Optional[Mapping[str, str]] = None,
               retry_policy: Optional[RetryPolicy] = None, hooks: Sequence[Any] = ()) -> Any:
        """Record one op invocation and return handles to its outputs."""
        name = self._unique_name(alias or op_def.name)
        bound = self._bind_args(op_def, name, args, kwargs)
        inputs = {n: bound.get(n) or _unwired(op_def, n) for n in op_def.ins}
        self.nodes[name] = Node(name, op_def, inputs, dict(tags or {}), retry_policy, hooks=tuple(hooks))
        outs = list(op_def.outs)
        if len(outs) == 1:
            return _handle(name, outs[0], op_def)
        handles = namedtuple("Outputs", outs)  # type: ignore[misc]
        return handles(*(_handle(name, o, op_def) for o in outs))

    def _bind_args(self, op_def: Any, node: str, args: Sequence[Any],
                   kwargs: Mapping[str, Any]) -> dict[str, InputSource]:
        names = list(op_def.ins)
        if len(args) > len(names):
            raise DefinitionError(
                f"{self.what}: op {op_def.name!r} takes {len(names)} input(s) but was called "
                f"with {len(args)} positional argument(s)")
        bound = dict(zip(names, args))
        for key, value in kwargs.items():
            if key not in op_def.ins:
                hint = suggest(key, names)
                raise DefinitionError(
                    f"{self.what}: op {op_def.name!r} has no input named {key!r}"
                    + (f"; {hint}" if hint else ""))
            bound[key] = value
        return {k: _as_source(self.what, node, k, v) for k, v in bound.items()}


def _unwired(op_def: Any, input_name: str) -> InputSource:
    spec = op_def.ins[input_name]
    return FromDefault() if spec.has_default else FromConfig()


def _handle(node: str, output: str, op_def: Any) -> Any:
    if op_def.outs[output].is_dynamic:
        return DynamicOutputHandle(node, output)
    return InvokedOutput(node, output)


def _as_source(what: str, node: str, input_name: str, value: Any) -> InputSource:
    if isinstance(value, InvokedOutput):
        return FromOutput(value.node, value.output)
    if isinstance(value, FromCollect):  # `.collect()` of a dynamic output
        return value
    if isinstance(value, DynamicOutputHandle) or (
            isinstance(value, (list, tuple)) and any(isinstance(v, DynamicOutputHandle) for v in value)):
        raise DefinitionError(
            f"In {what}, input {input_name!r} of node {node!r} received the dynamic output "
            f"{value!r} directly. Dynamic output must be unpacked by invoking map or collect: "
            ".map(fn) runs fn's ops once per value, .collect() passes the list of values")
    if isinstance(value, FromGraphInput):
        return value
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, InvokedOutput) for v in value):
        return FromFanIn(tuple(FromOutput(v.node, v.output) for v in value))
    raise DefinitionError(
        f"{what}: input {input_name!r} of node {node!r} must be wired to an op output "
        f"(or a list of outputs for fan-in), got {value!r}. Constant values go in run config "
        f"(ops: {{{node}: {{inputs: {{{input_name}: ...}}}}}}) or as In(default_value=...)")


def graph_output_mapping(returned: Any) -> dict[str, InvokedOutput]:
    """A graph body's return value as {output name: op output}: one handle is "result",
    a dict names several."""
    if isinstance(returned, InvokedOutput):
        return {"result": returned}
    if isinstance(returned, Mapping):
        return {k: v for k, v in returned.items() if isinstance(v, InvokedOutput)}
    if isinstance(returned, tuple) and hasattr(returned, "_fields"):  # an op's named outputs
        return {f: v for f, v in zip(returned._fields, returned) if isinstance(v, InvokedOutput)}
    return {}
