"""Dynamic fan-out: an output whose values (one per mapping key) are known only at run time.

An op declares `DynamicOut()` and yields `DynamicOutput(value, mapping_key=...)`; in a
`@job`/`@graph` body, `.map(fn)` on its handle invokes `fn`'s ops once per value (each copy is
its own step, ``op[mapping_key]``) and `.collect()` hands a downstream op the list of every
copy's value. What is mapped over what is a property of the job's nodes (`fan_out_of`); the
plan adds the mapped steps while the run goes (`runtime/dynamic_steps.py`).
"""

from __future__ import annotations

import re
from typing import Any, Callable, Mapping, Optional

from ...errors import DefinitionError, InvariantViolationError
from ..step_errors import OutputError
from .metadata import normalize_metadata
from .nodes import FromCollect, FromFanIn, FromOutput, InvokedOutput, Node
from .ops import Out
from .values import value_class

_VALID_KEY = re.compile(r"^[A-Za-z0-9_]+$")


@value_class(frozen=True)
class DynamicOut(Out):
    """Declares an output that yields any number of `DynamicOutput`s, one per mapping key."""

    @property
    def is_dynamic(self) -> bool:
        return True


class DynamicOutput:
    """One value of a dynamic output, under its `mapping_key` (letters, digits and ``_``)."""

    __slots__ = ("value", "mapping_key", "output_name", "metadata")

    def __init__(self, value: Any, mapping_key: str, output_name: str = "result",
                 metadata: Optional[Mapping[str, Any]] = None) -> None:
        self.value = value
        self.mapping_key = check_mapping_key(mapping_key)
        self.output_name = output_name
        self.metadata = normalize_metadata(metadata)

    def __repr__(self) -> str:
        return f"DynamicOutput(mapping_key={self.mapping_key!r}, value={self.value!r})"


def check_mapping_key(key: Any) -> str:
    """`key`, when it can name a mapped step (``op[key]``) and a stored file; else an error
    naming the step that yielded it (when one is running)."""
    if isinstance(key, str) and _VALID_KEY.match(key):
        return key
    from ..log import running_step_log

    log = running_step_log()
    where = f"step {log.step_key!r} yielded " if getattr(log, "step_key", None) else ""
    raise DefinitionError(
        f"{where}a DynamicOutput with mapping_key {key!r}: a mapping key must be a non-empty "
        "string of letters, digits and underscores (^[A-Za-z0-9_]+$), as it names the mapped "
        "step op[mapping_key]; replace other characters, e.g. re.sub(r'\\W', '_', key)")


# -- composition handles --------------------------------------------------------------------
@value_class(frozen=True)
class DynamicOutputHandle:
    """A dynamic (or mapped) output inside a composition body: `.map` it or `.collect` it."""

    node: str
    output: str = "result"

    def map(self, fn: Callable[[InvokedOutput], Any]) -> Any:
        """Invoke `fn`'s ops once per value of this output; returns their outputs' handles."""
        if not callable(fn):
            raise DefinitionError(f".map() on {self._what()} needs a function, got {fn!r}")
        return _as_dynamic(fn(InvokedOutput(self.node, self.output)), self)

    def collect(self) -> FromCollect:
        """The list of every value of this output, as one input of a downstream op: the
        handle is the input's source itself (`FromCollect`)."""
        return FromCollect(self.node, self.output)

    def _what(self) -> str:
        return f"output {self.output!r} of op {self.node!r}"

    def __iter__(self) -> Any:
        raise InvariantViolationError(
            f"{self._what()} is dynamic: it cannot be iterated or unpacked in a job body; use "
            ".map(fn) to run ops once per value, or .collect() for the list")

    def __getitem__(self, index: Any) -> Any:
        self.__iter__()

    def __repr__(self) -> str:
        return f"DynamicOutputHandle({self.node}.{self.output})"


def _as_dynamic(result: Any, source: DynamicOutputHandle) -> Any:
    if result is None or isinstance(result, DynamicOutputHandle):
        return result
    if isinstance(result, InvokedOutput):
        return DynamicOutputHandle(result.node, result.output)
    if isinstance(result, tuple) and all(isinstance(r, InvokedOutput) for r in result):
        return tuple(DynamicOutputHandle(r.node, r.output) for r in result)
    raise DefinitionError(
        f"the function mapped over {source._what()} returned {result!r}: return an op's output "
        "(or a tuple of them, or nothing); .collect() a fan-out outside the mapped function")


# -- what a job maps over what --------------------------------------------------------------
def is_dynamic_output(node: Node, output: str) -> bool:
    out = node.op_def.outs.get(output)
    return bool(getattr(out, "is_dynamic", False))


def has_dynamic_outputs(nodes: Mapping[str, Node]) -> bool:
    """Whether any node of a job declares a `DynamicOut` (or collects one). (A plain `Out`'s
    `is_dynamic` is its class's property, False: not called for one. Every job is asked, once
    when it is made and again when it is planned.)"""
    for node in nodes.values():
        for out in node.op_def.outs.values():
            if type(out) is not Out and out.is_dynamic:
                return True
        for src in node.inputs.values():
            if src.__class__ is FromCollect:
                return True
    return False


def fan_out_of(nodes: Mapping[str, Node]) -> dict[str, tuple[str, str]]:
    """Each mapped node -> the dynamic output (node, output) it is copied for; raises a
    DefinitionError naming the op for a fan-out the runtime cannot run."""
    mapped: dict[str, tuple[str, str]] = {}
    for name in _in_dependency_order(nodes):
        node = nodes[name]
        over: set[tuple[str, str]] = set()
        for input_name, src in node.inputs.items():
            for s in (src.sources if isinstance(src, FromFanIn) else (src,)):
                if isinstance(s, FromOutput):
                    found = _mapped_source(nodes, mapped, s, name, input_name, isinstance(src, FromFanIn))
                    if found is not None:
                        over.add(found)
                elif isinstance(s, FromCollect):
                    _check_collect(nodes, mapped, s, name)
        if len(over) > 1:
            both = " and ".join(f'"{n}:{o}"' for n, o in sorted(over))
            raise DefinitionError(
                f"op {name!r} cannot be downstream of more than one dynamic output. It is "
                f"downstream of both {both} (mapping over a map is not supported: collect one "
                "fan-out before mapping over another)")
        if over and any(isinstance(s, FromCollect) for s in node.inputs.values()):
            raise DefinitionError(
                f"op {name!r} is mapped over a dynamic output and also collects one: collecting "
                "inside a mapped op is not supported; collect outside the mapped function")
        if over:
            mapped[name] = over.pop()
    return mapped


def _mapped_source(nodes: Mapping[str, Node], mapped: Mapping[str, tuple[str, str]],
                   src: FromOutput, name: str, input_name: str, fan_in: bool) -> Optional[tuple[str, str]]:
    up = nodes.get(src.node)
    if up is None:
        return None
    dynamic = (src.node, src.output) if is_dynamic_output(up, src.output) else None
    if dynamic is not None and src.node in mapped:
        first = mapped[src.node]
        raise DefinitionError(
            f"op {name!r} cannot be downstream of more than one dynamic output. It is "
            f'downstream of both "{first[0]}:{first[1]}" and "{src.node}:{src.output}" '
            "(mapping over a map is not supported)")
    found = dynamic or mapped.get(src.node)
    if found is not None and fan_in:
        raise DefinitionError(
            f"input {input_name!r} of op {name!r} lists the mapped output {src.node}.{src.output} "
            "in a fan-in list: use .collect() to gather the values of a fan-out")
    return found


def _check_collect(nodes: Mapping[str, Node], mapped: Mapping[str, tuple[str, str]],
                   src: FromCollect, name: str) -> None:
    up = nodes.get(src.node)
    if up is None:
        return
    if is_dynamic_output(up, src.output) and src.node in mapped:
        raise DefinitionError(
            f"op {name!r} collects the dynamic output {src.node}.{src.output} of a mapped op: "
            "collecting a fan-out inside another is not supported")
    if not is_dynamic_output(up, src.output) and src.node not in mapped:
        raise DefinitionError(
            f"op {name!r} collects {src.node}.{src.output}, which is not dynamic: collect a "
            "DynamicOut or the output of a mapped op")


def _in_dependency_order(nodes: Mapping[str, Node]) -> list[str]:
    order: list[str] = []
    state: dict[str, int] = {}  # 1 visiting, 2 placed
    for root in nodes:
        stack = [(root, False)]
        while stack:
            name, leaving = stack.pop()
            if leaving:
                state[name] = 2
                order.append(name)
                continue
            if state.get(name) or name not in nodes:
                continue
            state[name] = 1
            stack.append((name, True))
            stack.extend((up, False) for up in sorted(nodes[name].upstream_nodes()) if not state.get(up))
    return order


# -- a step's dynamic outputs ----------------------------------------------------------------
def dynamic_output_entry(node: Node, item: DynamicOutput, outs: list) -> tuple[str, Any, dict, bool, Any]:
    """`item` as (output name, the DynamicOutput itself, metadata, store, data version)."""
    out = node.op_def.outs.get(item.output_name)
    if out is None:
        raise OutputError(f"op {node.name!r} has no output {item.output_name!r} (outputs: {outs})")
    if not out.is_dynamic:
        raise OutputError(
            f"op {node.name!r} yielded a DynamicOutput for output {item.output_name!r}, which is not "
            "dynamic: declare it with DynamicOut(), or yield Output(value)")
    return item.output_name, item, dict(item.metadata), True, None


def dynamic_value(step: Any, name: str, item: DynamicOutput,
                  seen: dict[str, set[str]]) -> tuple[str, Any]:
    """(mapping key, value) of a DynamicOutput the step yielded; a key yielded twice for one
    output is an error naming the op (each key names one mapped step)."""
    keys = seen.setdefault(name, set())
    if item.mapping_key in keys:
        raise OutputError(
            f"op {step.node.name!r} yielded two DynamicOutputs with mapping_key "
            f"{item.mapping_key!r} for output {name!r} (step {step.key!r}): each mapping key "
            "names one mapped step, so keys must be unique within an output")
    keys.add(item.mapping_key)
    return item.mapping_key, item.value
