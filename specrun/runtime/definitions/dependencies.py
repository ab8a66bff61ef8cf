"""Graphs built explicitly, as Dagster's `GraphDefinition(node_defs=..., dependencies=...)`.

The dependency dict names, for each node (a name, or a `NodeInvocation` giving an alias),
where each of its inputs comes from (`DependencyDefinition(node, output)`, or
`MultiDependencyDefinition([...])` for fan-in). `compose_fn_from_dependencies` checks it and
returns a compose function doing what a `@graph` body would: invoke each node in dependency
order, so an explicit graph has one path to a job with a decorated one.
"""

from __future__ import annotations

import graphlib
import inspect
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping, Optional, Sequence, Union

from ...errors import DefinitionError, suggest
from .nodes import current_scope
from .scope import graph_output_mapping


@dataclass(frozen=True)
class DependencyDefinition:
    """An input fed by `output` of the node named `node`."""

    node: str
    output: str = "result"
    description: Optional[str] = None


@dataclass(frozen=True)
class MultiDependencyDefinition:
    """An input fed by a list of outputs (fan-in), in the order given."""

    dependencies: Sequence[DependencyDefinition]


@dataclass(frozen=True)
class NodeInvocation:
    """A node of the definition `name`, under `alias` (several nodes of one op)."""

    name: str
    alias: Optional[str] = None
    tags: Optional[Mapping[str, str]] = None
    hook_defs: Optional[Any] = None
    retry_policy: Any = None

    @property
    def node_name(self) -> str:
        return self.alias or self.name


@dataclass(frozen=True)
class InputMapping:
    """Graph input `graph_input_name` feeds input `mapped_node_input_name` of a node."""

    graph_input_name: str
    mapped_node_name: str
    mapped_node_input_name: str


@dataclass(frozen=True)
class OutputMapping:
    """Graph output `graph_output_name` is output `mapped_node_output_name` of a node."""

    graph_output_name: str
    mapped_node_name: str
    mapped_node_output_name: str = "result"


Dependency = Union[DependencyDefinition, MultiDependencyDefinition]


@dataclass(frozen=True)
class _Planned:
    """One node to invoke: its definition, invocation options and wired inputs."""

    name: str
    definition: Any
    invocation: NodeInvocation
    inputs: Mapping[str, Dependency] = field(default_factory=dict)


def compose_fn_from_dependencies(
    graph_name: str, node_defs: Sequence[Any], dependencies: Optional[Mapping[Any, Mapping[str, Any]]],
    input_mappings: Sequence[InputMapping] = (), output_mappings: Sequence[OutputMapping] = (),
) -> Callable[..., Any]:
    """A compose function invoking the nodes of an explicit graph in dependency order."""
    what = f"graph {graph_name!r}"
    planned = _plan_nodes(what, node_defs, dependencies or {})
    order = _dependency_order(what, planned)
    _check_mappings(what, planned, input_mappings, output_mappings)
    input_names = list(dict.fromkeys(m.graph_input_name for m in input_mappings))

    def compose(*args: Any, **kwargs: Any) -> Any:
        given = {**dict(zip(input_names, args)), **kwargs}
        handles: dict[str, Any] = {}
        for name in order:
            node = planned[name]
            values = {i: _value_of(dep, handles) for i, dep in node.inputs.items()}
            for m in input_mappings:
                if m.mapped_node_name == name and m.graph_input_name in given:
                    values[m.mapped_node_input_name] = given[m.graph_input_name]
            handles[name] = _invoke(node, values)
        return {m.graph_output_name: _output_of(handles[m.mapped_node_name], m.mapped_node_output_name)
                for m in output_mappings} or None

    compose.__name__ = graph_name
    compose.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD) for n in input_names])
    return compose


def _plan_nodes(what: str, node_defs: Sequence[Any], dependencies: Mapping[Any, Mapping[str, Any]]
                ) -> dict[str, _Planned]:
    by_name: dict[str, Any] = {}
    for d in node_defs:
        if d.name in by_name and by_name[d.name] is not d:
            raise DefinitionError(f"{what}: two node definitions are named {d.name!r}")
        by_name[d.name] = d
    planned: dict[str, _Planned] = {}
    for key, inputs in dependencies.items():
        invocation = key if isinstance(key, NodeInvocation) else NodeInvocation(str(key))
        if invocation.name not in by_name:
            hint = suggest(invocation.name, by_name)
            raise DefinitionError(f"{what}: dependencies name node {invocation.name!r}, which is not in "
                                  "node_defs" + (f"; {hint}" if hint else ""))
        if invocation.node_name in planned:
            raise DefinitionError(f"{what}: node {invocation.node_name!r} is declared twice")
        planned[invocation.node_name] = _Planned(invocation.node_name, by_name[invocation.name], invocation,
                                                 dict(inputs or {}))
    invoked = {p.invocation.name for p in planned.values()}
    for name, d in by_name.items():  # a definition no dependency entry names: one node of its name
        if name not in invoked and name not in planned:
            planned[name] = _Planned(name, d, NodeInvocation(name))
    for node in planned.values():
        _check_inputs(what, node, planned)
    return planned


def _check_inputs(what: str, node: _Planned, planned: Mapping[str, _Planned]) -> None:
    names = list(_input_names(node.definition))
    for input_name, dep in node.inputs.items():
        if input_name not in names:
            hint = suggest(input_name, names)
            raise DefinitionError(f"{what}: node {node.name!r} has no input {input_name!r} (its inputs: "
                                  f"{names})" + (f"; {hint}" if hint else ""))
        deps = dep.dependencies if isinstance(dep, MultiDependencyDefinition) else [dep]
        for d in deps:
            if not isinstance(d, DependencyDefinition):
                raise DefinitionError(f"{what}: input {input_name!r} of node {node.name!r} must be a "
                                      f"DependencyDefinition or MultiDependencyDefinition, got {d!r}")
            if d.node not in planned:
                hint = suggest(d.node, planned)
                raise DefinitionError(f"{what}: input {input_name!r} of node {node.name!r} depends on node "
                                      f"{d.node!r}, which is not in the graph" + (f"; {hint}" if hint else ""))


def _input_names(definition: Any) -> Sequence[str]:
    ins = getattr(definition, "ins", None)
    return list(ins) if ins is not None else list(definition.input_names)


def _dependency_order(what: str, planned: Mapping[str, _Planned]) -> list[str]:
    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    for name, node in planned.items():
        ups = [d.node for dep in node.inputs.values()
               for d in (dep.dependencies if isinstance(dep, MultiDependencyDefinition) else [dep])]
        sorter.add(name, *ups)
    try:
        return list(sorter.static_order())
    except graphlib.CycleError as e:
        cycle = " -> ".join(e.args[1])
        raise DefinitionError(f"{what}: its dependencies form a cycle ({cycle})") from None


def _check_mappings(what: str, planned: Mapping[str, _Planned], inputs: Sequence[InputMapping],
                    outputs: Sequence[OutputMapping]) -> None:
    for m in inputs:
        node = planned.get(m.mapped_node_name)
        if node is None or m.mapped_node_input_name not in _input_names(node.definition):
            raise DefinitionError(f"{what}: input mapping {m.graph_input_name!r} points at "
                                  f"{m.mapped_node_name}.{m.mapped_node_input_name}, which does not exist")
    for o in outputs:
        if o.mapped_node_name not in planned:
            hint = suggest(o.mapped_node_name, planned)
            raise DefinitionError(f"{what}: output mapping {o.graph_output_name!r} names node "
                                  f"{o.mapped_node_name!r}, which is not in the graph" + (f"; {hint}" if hint else ""))


def _value_of(dep: Dependency, handles: Mapping[str, Any]) -> Any:
    if isinstance(dep, MultiDependencyDefinition):
        return [_output_of(handles[d.node], d.output) for d in dep.dependencies]
    return _output_of(handles[dep.node], dep.output)


def _output_of(returned: Any, output: str) -> Any:
    """The handle of `output` among what invoking a node returned."""
    if isinstance(returned, tuple) and hasattr(returned, "_fields"):
        return getattr(returned, output)
    mapping = graph_output_mapping(returned)
    if output in mapping:
        return mapping[output]
    if getattr(returned, "output", None) == output:
        return returned
    raise DefinitionError(f"node output {output!r} does not exist (outputs: {sorted(mapping)})")


def _invoke(node: _Planned, values: Mapping[str, Any]) -> Any:
    inv = node.invocation
    definition = node.definition
    if hasattr(definition, "compose_fn"):  # a nested graph, under its alias
        sub = replace(definition, name=node.name) if node.name != definition.name else definition
        return sub(**values)
    return current_scope().invoke(definition, (), values, alias=node.name, tags=inv.tags,
                                  retry_policy=inv.retry_policy, hooks=tuple(inv.hook_defs or ()))
