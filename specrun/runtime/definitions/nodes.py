"""Nodes of a job and where their inputs come from: plain values every later stage reads.

A `Node` is one invocation of an op in a job; each input names its source (`FromOutput`,
`FromFanIn`, `FromAsset`, ...). The stack of composition scopes lives here too, so that an op
call can ask whether it runs inside a graph body without importing how graphs are built.
"""

from __future__ import annotations

import threading
from dataclasses import field
from typing import Any, Mapping, Optional, Union

from ...errors import DefinitionError
from .keys import AssetKey
from .policy import RetryPolicy
from .inits import writable
from .values import value_class


# -- where an input's value comes from -----------------------------------------------------
@value_class(frozen=True, slots=True)
class FromOutput:
    """The output of another node in the same job."""

    node: str
    output: str = "result"
    asset_key: Optional[AssetKey] = None


@value_class(frozen=True)
class FromFanIn:
    """A list built from several upstream outputs."""

    sources: tuple[FromOutput, ...]


@value_class(frozen=True)
class FromCollect:
    """The list of every value of a dynamic output, or of a mapped op's output (`.collect()`)."""

    node: str
    output: str = "result"


@value_class(frozen=True)
class FromAsset:
    """An asset not produced in this run, loaded through its IO manager."""

    asset_key: AssetKey
    io_manager_key: str = "io_manager"
    partitions_def: Any = None
    metadata: Mapping[str, Any] = field(default_factory=dict)


@value_class(frozen=True)
class FromGraphInput:
    """A top-level graph input, given through run config or `input_values`."""

    name: str


@value_class(frozen=True)
class FromDefault:
    """The input's declared default value."""


@value_class(frozen=True)
class FromConfig:
    """Nothing is wired: the value must come from run config ``inputs:``."""


InputSource = Union[FromOutput, FromFanIn, FromCollect, FromAsset, FromGraphInput, FromDefault, FromConfig]


class _NoGraphInputs(dict):
    """`Node.graph_inputs` of a node that reads none (all but a graph asset's): one empty dict
    shared by every such node, where each kept one of its own (64 bytes a node). Read-only,
    since a change would show in every node: a change raises TypeError. It pickles and copies
    as itself (`NO_GRAPH_INPUTS`)."""

    __slots__ = ()
    # (what a change names; the global it is)
    _what, _name = "a node's graph inputs", "NO_GRAPH_INPUTS"

    def _refuse(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError(f"{self._what} cannot be changed")

    __setitem__ = __delitem__ = __ior__ = update = setdefault = pop = popitem = clear = _refuse

    def __reduce__(self) -> str:
        return self._name


class _NoInputs(_NoGraphInputs):
    """`Node.inputs` of an asset's node that reads no upstream asset (a root; a fan-in's 9,999):
    as `NO_GRAPH_INPUTS`, one read-only empty dict shared by every such node (`NO_INPUTS`). A
    job's plan reads a root's inputs (`job_plan._OnePass.step`): a shared dict is in cache
    where each root's own one, made 10,000 nodes earlier, was not."""

    __slots__ = ()
    _what, _name = "a node's inputs", "NO_INPUTS"


NO_GRAPH_INPUTS = _NoGraphInputs()
NO_INPUTS = _NoInputs()


def _no_graph_inputs() -> Mapping[str, Any]:
    return NO_GRAPH_INPUTS


@value_class(frozen=True, eq=False, slots=True)
class Node:
    """One invocation of an op in a job: a step of every run of that job."""

    name: str
    op_def: Any  # OpDefinition
    inputs: Mapping[str, InputSource]
    tags: Mapping[str, str] = field(default_factory=dict)
    retry_policy: Optional[RetryPolicy] = None
    asset: Any = None  # AssetsDefinition, when the node computes an asset
    check: Any = None  # AssetChecksDefinition, when the node runs a check
    extra_deps: tuple[str, ...] = ()  # ordering-only upstream node names
    hooks: tuple[Any, ...] = ()  # HookDefinitions attached to this invocation
    graph_asset: Any = None  # the graph-backed AssetsDefinition this node is a step of
    # of a node producing a graph asset: each graph input as the stored asset it is
    graph_inputs: Mapping[str, "InputSource"] = field(default_factory=_no_graph_inputs)

    @property
    def asset_partitions_def(self) -> Any:
        """The partitions of the asset this node computes (or is a step of, inside a graph asset)."""
        owner = self.asset if self.asset is not None else self.graph_asset
        return owner.partitions_def if owner is not None else None

    def upstream_nodes(self) -> set[str]:
        found = set(self.extra_deps)
        for src in self.inputs.values():
            if isinstance(src, (FromOutput, FromCollect)):
                found.add(src.node)
            elif isinstance(src, FromFanIn):
                found.update(s.node for s in src.sources)
        return found


# Building an asset job makes one Node and a FromOutput per input for every asset. These are
# made as their class's writable twin (`inits.writable`: a subclass that adds nothing to the
# layout, its slots set by attribute stores the interpreter does inline), and then made the
# frozen class's: the same value, frozen from then on (tests/runtime/definitions/test_nodes.py
# compares them field by field), without the class call and `__init__` (~2k instructions a
# Node made so, by `add_asset_nodes`, against 4.7k by position and 7.5k with two keywords).
_WritableNode = writable(Node)
_WritableFromOutput = writable(FromOutput)


def new_from_output(node: str, output: str, asset_key: Optional[AssetKey]) -> FromOutput:
    """`FromOutput(node, output, asset_key=asset_key)`, made faster."""
    source: Any = _WritableFromOutput()
    source.node, source.output, source.asset_key = node, output, asset_key
    source.__class__ = FromOutput
    return source


@value_class(frozen=True)
class InvokedOutput:
    """A handle to a node's output, returned by an op call inside a composition body."""

    node: str
    output: str = "result"

    def __repr__(self) -> str:
        return f"InvokedOutput({self.node}.{self.output})"

    def map(self, fn: Any) -> Any:
        raise NotDynamicError(
            f"output {self.output!r} of op {self.node!r} is not dynamic, so it cannot be "
            ".map()ped: declare it with DynamicOut() and yield DynamicOutput(value, mapping_key=...)")

    def collect(self) -> Any:
        raise NotDynamicError(
            f"output {self.output!r} of op {self.node!r} is not dynamic, so it cannot be "
            ".collect()ed: pass it to the next op as it is, or declare it with DynamicOut()")


class NotDynamicError(DefinitionError, AttributeError):
    """`.map`/`.collect` on an output that is not dynamic (an AttributeError too, as Dagster's
    output handles have no such methods)."""


# -- scopes --------------------------------------------------------------------------------
_local = threading.local()


def current_scope() -> Any:
    """The innermost `CompositionScope` whose graph body is running, or None."""
    stack = getattr(_local, "stack", None)
    return stack[-1] if stack else None


def push_scope(scope: Any) -> None:
    if not hasattr(_local, "stack"):
        _local.stack = []
    _local.stack.append(scope)


def pop_scope() -> None:
    _local.stack.pop()
