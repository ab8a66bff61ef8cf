"""Composing ops into graphs: calling ops inside a `@graph`/`@job` body records nodes.

The body runs once, in a scope; each op call adds a `Node` and returns handles to its
outputs, which later calls take as inputs. Nested graphs flatten into dotted node names
(``graph_name.op_name``), as Dagster names their steps; what a graph returns is recorded as
its outputs (``outer.inner`` -> the op output it maps to), so a result can be asked for a
graph node's output as in Dagster.
"""

from __future__ import annotations

import inspect
from dataclasses import field
from typing import Any, Callable, Mapping, Optional, Sequence, Union

from ...errors import DefinitionError
from .nodes import (  # noqa: F401  (re-exported: the names this module always offered)
    FromAsset, FromConfig, FromDefault, FromFanIn, FromGraphInput, FromOutput, InputSource,
    InvokedOutput, Node, current_scope, pop_scope, push_scope,
)
from .scope import CompositionScope, graph_output_mapping  # noqa: F401  (re-exported)
from .values import value_class


# -- graphs --------------------------------------------------------------------------------
@value_class(frozen=True, eq=False)
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


def compose_graph(graph_def: "GraphDefinition") -> tuple[dict[str, Node], dict[str, dict[str, tuple[str, str]]]]:
    """The nodes of `graph_def`, and {graph node ("" for itself): {output: (op node, output)}}."""
    nodes, nested, returned = graph_def.compose_with_outputs()
    graph_outputs = {node: {o: (h.node, h.output) for o, h in mapping.items()}
                     for node, mapping in {**nested, "": graph_output_mapping(returned)}.items()}
    return nodes, graph_outputs
