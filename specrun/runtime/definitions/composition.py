"""Composing ops into graphs: calling ops inside a `@graph`/`@job` body records nodes.

The body runs once, in a scope; each op call adds a `Node` and returns handles to its
outputs, which later calls take as inputs. Nested graphs flatten into dotted node names
(``graph_name.op_name``), as Dagster names their steps; what a graph returns is recorded as
its outputs (``outer.inner`` -> the op output it maps to), so a result can be asked for a
graph node's output as in Dagster.
"""

from __future__ import annotations

import inspect
from collections import namedtuple
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional, Sequence, Union

from ...errors import DefinitionError, suggest
from .nodes import (  # noqa: F401  (re-exported: the names this module always offered)
    FromAsset, FromConfig, FromDefault, FromFanIn, FromGraphInput, FromOutput, InputSource,
    InvokedOutput, Node, current_scope, pop_scope, push_scope,
)
from .dynamic import CollectedOutput, DynamicOutputHandle
from .nodes import FromCollect
from .ops import OpDefinition
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

    def invoke(self, op_def: OpDefinition, args: Sequence[Any], kwargs: Mapping[str, Any],
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

    def _bind_args(self, op_def: OpDefinition, node: str, args: Sequence[Any],
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


def _unwired(op_def: OpDefinition, input_name: str) -> InputSource:
    spec = op_def.ins[input_name]
    return FromDefault() if spec.has_default else FromConfig()


def _handle(node: str, output: str, op_def: OpDefinition) -> Any:
    if op_def.outs[output].is_dynamic:
        return DynamicOutputHandle(node, output)
    return InvokedOutput(node, output)


def _as_source(what: str, node: str, input_name: str, value: Any) -> InputSource:
    if isinstance(value, InvokedOutput):
        return FromOutput(value.node, value.output)
    if isinstance(value, CollectedOutput):
        return FromCollect(value.node, value.output)
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


# -- graphs --------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class GraphDefinition:
    """A reusable composition of ops; `to_job` makes it runnable. Built by `@graph` (the body
    is `compose_fn`) or explicitly, as in Dagster: `GraphDefinition(name, node_defs=[...],
    dependencies={node: {input: DependencyDefinition(...)}}, input_mappings=,
    output_mappings=)` (see `dependencies.py`)."""

    name: str
    compose_fn: Optional[Callable[..., Any]] = None
    description: Optional[str] = None
    tags: Mapping[str, str] = field(default_factory=dict)
    config: Any = None
    node_defs: Sequence[Any] = ()
    dependencies: Optional[Mapping[Any, Mapping[str, Any]]] = None
    input_mappings: Sequence[Any] = ()
    output_mappings: Sequence[Any] = ()

    def __post_init__(self) -> None:
        if self.compose_fn is None:
            from .dependencies import compose_fn_from_dependencies

            object.__setattr__(self, "compose_fn", compose_fn_from_dependencies(
                self.name, self.node_defs, self.dependencies, self.input_mappings, self.output_mappings))

    @property
    def input_names(self) -> tuple[str, ...]:
        return tuple(inspect.signature(self._compose).parameters)

    @property
    def _compose(self) -> Callable[..., Any]:
        assert self.compose_fn is not None  # set by __post_init__
        return self.compose_fn

    def compose(self) -> tuple[dict[str, Node], Any]:
        """Run the body at top level; graph parameters become `FromGraphInput`s."""
        nodes, _, returned = self.compose_with_outputs()
        return nodes, returned

    def compose_with_outputs(self) -> tuple[dict[str, Node], dict[str, dict[str, InvokedOutput]], Any]:
        """The nodes, the outputs of the graphs nested in the body, and what the body returned."""
        with CompositionScope(f"graph {self.name!r}") as scope:
            returned = self._compose(*(FromGraphInput(n) for n in self.input_names))
        return scope.nodes, scope.graph_outputs, returned

    @property
    def nodes(self) -> dict[str, Node]:
        return self.compose()[0]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        outer = current_scope()
        if outer is None:
            raise DefinitionError(
                f"graph {self.name!r} was called outside a graph or job body; "
                "use graph.to_job() or graph.execute_in_process() to run it")
        node_name = outer._unique_name(self.name)
        with CompositionScope(f"graph {self.name!r}", node_name + ".", outer.nodes,
                              outer.graph_outputs):
            returned = self._compose(*args, **kwargs)
        outer.graph_outputs[node_name] = graph_output_mapping(returned)
        return returned

    def to_job(self, name: Optional[str] = None, **kwargs: Any) -> Any:
        """A job running this graph."""
        from .jobs import job_from_graph

        return job_from_graph(self, name=name, **kwargs)

    def execute_in_process(self, **kwargs: Any) -> Any:
        """Run the graph as a job with in-memory IO."""
        return self.to_job().execute_in_process(**kwargs)


def graph(name: Union[str, Callable[..., Any], None] = None, *,
          description: Optional[str] = None, tags: Optional[Mapping[str, str]] = None,
          config: Any = None) -> Any:
    """Decorate a function whose body calls ops, making a GraphDefinition."""
    if callable(name):
        return GraphDefinition(name.__name__, name, inspect.getdoc(name))

    def decorate(fn: Callable[..., Any]) -> GraphDefinition:
        return GraphDefinition(name or fn.__name__, fn, description or inspect.getdoc(fn),
                               dict(tags or {}), config)

    return decorate
