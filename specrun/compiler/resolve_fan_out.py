"""Dynamic fan-out in op jobs of a spec: `ins: {x: {map: node}}` and `{x: {collect: node}}`.

An op declares a dynamic output with ``outs: {result: {dynamic: true}}``; a job node reading
it with ``{map: node[.output]}`` runs once per value (and so does a node mapping over that
node's output: maps chain); ``{collect: node[.output]}`` hands a node the list of all the
values. Reading a dynamic or mapped output with a plain reference is an error, as in Python,
where such an output must be `.map`ped or `.collect`ed.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from ..errors import DefinitionError, SpecError, suggest
from ..runtime.definitions.dynamic import fan_out_of, has_dynamic_outputs, is_dynamic_output
from ..runtime.definitions.nodes import FromCollect, FromOutput, Node

FORMS = ("map", "collect")


def fan_out_source(src: Mapping[str, Any], ptr: str, nodes: Mapping[str, Any], ctx: Any) -> Optional[Any]:
    """The input source of a `{map: ref}` / `{collect: ref}` entry, or None after an error."""
    (form, ref), = src.items()
    node, _, output = str(ref).partition(".")
    if node not in nodes:
        ctx.col.add(SpecError(f"no node named {node!r} in this job", ctx.doc.locate(f"{ptr}/{form}"),
                              f"{ptr}/{form}", suggest(node, nodes)))
        return None
    return (FromOutput if form == "map" else FromCollect)(node, output or "result")


def check_fan_out(entry: Any, nodes: Mapping[str, Node], ctx: Any) -> bool:
    """Whether the job's fan-out can run; each problem becomes a SpecError at its `ins:` entry."""
    mapped = _mapped(entry, nodes)
    ok = True
    for name, node_entry in entry.ops.items():
        for input_name, src in node_entry.ins.items():
            ptr = f"{node_entry.pointer}/ins/{input_name}"
            problem = _problem(name, input_name, src, nodes, mapped)
            if problem is not None:
                message, hint = problem
                ctx.col.add(SpecError(message, ctx.doc.locate(ptr), ptr, hint))
                ok = False
    if ok and has_dynamic_outputs(nodes):
        try:  # what is left: mapping over a map, collecting inside a mapped node
            fan_out_of(nodes)
        except DefinitionError as e:
            ptr = entry.pointer + "/ops"
            ctx.col.add(SpecError(str(e), ctx.doc.locate(ptr, key=True), ptr))
            return False
    return ok


def _mapped(entry: Any, nodes: Mapping[str, Node]) -> dict[str, str]:
    """Each node mapped by a `{map: ...}` input (directly or down a chain) -> the node it maps."""
    mapped: dict[str, str] = {}
    changed = True
    while changed:  # a handful of passes: chains of maps are short
        changed = False
        for name, node_entry in entry.ops.items():
            for src in node_entry.ins.values():
                if name not in mapped and isinstance(src, dict) and "map" in src:
                    up = str(src["map"]).partition(".")[0]
                    if up in nodes:
                        mapped[name] = mapped.get(up, up)
                        changed = True
    return mapped


def _problem(name: str, input_name: str, src: Any, nodes: Mapping[str, Node],
             mapped: Mapping[str, Any]) -> Optional[tuple[str, str]]:
    """(message, hint) when input `input_name` of node `name` reads a fan-out the wrong way."""
    refs = [src] if isinstance(src, str) else src if isinstance(src, list) else []
    for ref in refs:
        node, _, output = ref.partition(".")
        fanned = _fans_out(nodes, mapped, node, output or "result")
        if fanned is not None:
            return (f"input {input_name!r} of node {name!r} reads {fanned} directly",
                    f"write {{map: {ref}}} to run {name!r} once per value, or {{collect: {ref}}} "
                    "to get the list of values")
    if isinstance(src, dict) and len(src) == 1:
        (form, ref), = src.items()
        node, _, output = str(ref).partition(".")
        if node in nodes and _fans_out(nodes, mapped, node, output or "result") is None:
            op = nodes[node].op_def.name
            return (f"input {input_name!r} of node {name!r} can only {form} a dynamic output, and "
                    f"{node}.{output or 'result'} is not one",
                    f"declare it on op {op!r} with outs: {{{output or 'result'}: {{dynamic: true}}}}, "
                    f"or read it with {input_name}: {ref}")
    return None


def _fans_out(nodes: Mapping[str, Node], mapped: Mapping[str, Any], node: str, output: str) -> Optional[str]:
    """How `node.output` fans out ("the dynamic output x.y", "the mapped output ..."), or None."""
    if node not in nodes:
        return None
    if is_dynamic_output(nodes[node], output):
        return f"the dynamic output {node}.{output}"
    if node in mapped:
        return f"the output {node}.{output} of a node mapped over {mapped[node]}"
    return None
