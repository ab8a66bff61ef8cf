"""The steps of a dynamic fan-out, added while the run goes.

A plan leaves mapped nodes out (their width is unknown) and makes each step that collects
a fan-out wait on the step emitting it. `DynamicSteps` is the plan's `expand_dynamic` hook:
for each STEP_OUTPUT carrying a mapping key it returns a `NewSteps` with one copy of every
node mapped over that output (``op[mapping_key]``, each reading the copies before it), and
the values each collecting step must now also read (and wait for). The scheduler adds them
before the emitting step's STEP_SUCCESS, so a collecting step never starts early.

It also keeps the copies added so far (`added`), in the order their values came: what a
run's result reads mapped outputs from. A plan with dynamic outputs serves one run.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from .definitions.nodes import FromCollect, FromFanIn, FromOutput, Node
from .plan import UpstreamOutput, _make_step


class DynamicSteps:
    """Adds the copies of mapped nodes as a plan's dynamic outputs yield values."""

    def __init__(self, plan: Any, mapped: Mapping[str, tuple[str, str]],
                 steps_by_node: Mapping[str, Mapping[Optional[str], str]]) -> None:
        self.plan = plan
        self.mapped = mapped
        self.added: dict[str, Any] = {}  # step key -> mapped copy, in the order made
        self.keys: dict[tuple[str, str], list[str]] = {}  # (step, dynamic output) -> its mapping keys
        self._steps_by_node = steps_by_node
        self._bases: dict[str, Any] = {}
        nodes = plan.job.nodes
        order = {name: i for i, name in enumerate(_names_in_plan_order(plan, mapped))}
        # dynamic output -> the nodes mapped over it, upstream first
        self._chains: dict[tuple[str, str], list[Node]] = {}
        for name, over in mapped.items():
            self._chains.setdefault(over, []).append(nodes[name])
        for chain in self._chains.values():
            chain.sort(key=lambda n: order[n.name])
        # dynamic output -> [(collecting step, input name, node read, its output)]
        self._collectors: dict[tuple[str, str], list[tuple[Any, str, str, str]]] = {}
        for step in plan.steps.values():
            for input_name, src in step.node.inputs.items():
                if isinstance(src, FromCollect):
                    over = mapped.get(src.node, (src.node, src.output))
                    self._collectors.setdefault(over, []).append((step, input_name, src.node, src.output))

    def __call__(self, event: Any) -> Any:
        mapping_key = getattr(event.data, "mapping_key", None)
        if mapping_key is None:
            return None
        from .scheduler import NewSteps

        emitter = self.plan.steps[event.step_key]
        over = (emitter.node.name, event.data.output_name)
        self.keys.setdefault((event.step_key, over[1]), []).append(mapping_key)
        new = []
        copies: dict[str, str] = {}  # mapped node -> its copy's step key
        for node in self._chains.get(over, ()):
            step = self._copy(node, emitter, over, mapping_key, copies)
            copies[node.name] = step.key
            self.added[step.key] = step
            new.append(step)
        dependents: dict[str, list[str]] = {}
        inputs: dict[str, dict[str, list[UpstreamOutput]]] = {}
        for collector, input_name, node, output in self._collectors.get(over, ()):
            if node in copies:
                up = UpstreamOutput(copies[node], output, node)
                dependents.setdefault(collector.key, []).append(copies[node])
            else:  # collects the dynamic output itself
                up = UpstreamOutput(emitter.key, output, node, (), mapping_key)
            inputs.setdefault(collector.key, {}).setdefault(input_name, []).append(up)
        return NewSteps(new, dependents, inputs)

    def _copy(self, node: Node, emitter: Any, over: tuple[str, str], mapping_key: str,
              copies: Mapping[str, str]) -> Any:
        """The copy of mapped `node` for one value: its own inputs read that value (or the
        copies before it); the rest are wired as in any step."""
        base = self._bases.get(node.name)
        if base is None:  # what every copy shares: the inputs that do not read the fan-out
            base = self._bases[node.name] = _make_step(
                self.plan.job, _unmapped(node, over, self.mapped), emitter.partition_key,
                node.name, self._steps_by_node)
        inputs = dict(base.inputs)
        upstream = set(base.upstream_keys)
        for input_name, src in node.inputs.items():
            if not isinstance(src, FromOutput):
                continue
            if (src.node, src.output) == over:
                inputs[input_name] = (UpstreamOutput(emitter.key, src.output, src.node, (), mapping_key),)
                upstream.add(emitter.key)
            elif src.node in copies:
                inputs[input_name] = (UpstreamOutput(copies[src.node], src.output, src.node),)
                upstream.add(copies[src.node])
        return base.__class__(f"{node.name}[{mapping_key}]", node, base.partition_key,
                              frozenset(upstream), inputs, mapping_key)


def _unmapped(node: Node, over: tuple[str, str], mapped: Mapping[str, Any]) -> Node:
    """`node` without the inputs that read the fan-out, so the plan's step builder wires only
    its other inputs (those read the same value in every copy)."""
    kept = {}
    for name, src in node.inputs.items():
        if isinstance(src, FromOutput) and ((src.node, src.output) == over or src.node in mapped):
            continue
        if isinstance(src, FromFanIn) and any(s.node in mapped for s in src.sources):
            continue
        kept[name] = src
    deps = tuple(d for d in node.extra_deps if d not in mapped)
    return Node(node.name, node.op_def, kept, node.tags, node.retry_policy, node.asset, node.check,
                deps, node.hooks)


def _names_in_plan_order(plan: Any, mapped: Mapping[str, Any]) -> list[str]:
    from .plan import _node_order

    return [n for n in _node_order(plan.job) if n in mapped]
