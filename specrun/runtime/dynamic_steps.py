"""The steps of a dynamic fan-out, added while the run goes.

A plan leaves mapped nodes out (their width is unknown) and makes each step that collects
a fan-out wait on the step emitting it. `DynamicSteps` is the plan's `expand_dynamic` hook:
for each STEP_OUTPUT carrying a mapping key it returns a `NewSteps` with one copy of every
node mapped over that output (``op[mapping_key]``, each reading the copies before it), and
the values each collecting step must now also read (and wait for). The scheduler adds them
before the emitting step's STEP_SUCCESS, so a collecting step never starts early.

It also keeps the copies added so far (`added`), in the order their values came: what a
run's result reads mapped outputs from. A plan with dynamic outputs serves one run.

Re-executing a run: the mapping keys an earlier run's emitting steps yielded are known, so
`with_known_keys` puts those copies in the plan from the start (a re-execution selects the
failed ones), and `REEXECUTION_TAG` on the run says which earlier run stored each output a
re-executed step reads instead of producing it.
"""

from __future__ import annotations

import json
from typing import Any, Mapping, Optional

from .definitions.nodes import FromCollect, FromFanIn, FromOutput, Node
from .plan import UpstreamOutput, _make_step

# Run tag of a re-execution: {"outputs_from": {step key: run id that stored its outputs},
# "mapping_keys": {emitting step: {dynamic output: [mapping keys, in yield order]}}}
REEXECUTION_TAG = "specrun/reexecution"


def reexecution_of(run: Any) -> dict[str, Any]:
    """What `REEXECUTION_TAG` of run record `run` says (empty for a first run)."""
    text = (getattr(run, "tags", None) or {}).get(REEXECUTION_TAG)
    return json.loads(text) if text else {}


class DynamicSteps:
    """Adds the copies of mapped nodes as a plan's dynamic outputs yield values."""

    def __init__(self, job: Any, steps: Mapping[str, Any], mapped: Mapping[str, tuple[str, str]],
                 steps_by_node: Mapping[str, Mapping[Optional[str], str]]) -> None:
        self.job = job
        self.steps = steps  # the plan's (static) steps
        self.mapped = mapped
        self.added: dict[str, Any] = {}  # step key -> mapped copy, in the order made
        self.emitter_of: dict[str, str] = {}  # mapped copy -> the step whose value it is for
        self._steps_by_node = steps_by_node
        self._bases: dict[str, Any] = {}
        order = {name: i for i, name in enumerate(_names_in_plan_order(job, mapped))}
        # dynamic output -> the nodes mapped over it, upstream first
        self._chains: dict[tuple[str, str], list[Node]] = {}
        for name, over in mapped.items():
            self._chains.setdefault(over, []).append(job.nodes[name])
        for chain in self._chains.values():
            chain.sort(key=lambda n: order[n.name])
        # dynamic output -> [(collecting step key, input name, node read, its output)]
        self._collectors: dict[tuple[str, str], list[tuple[str, str, str, str]]] = {}
        for step in steps.values():
            for input_name, src in step.node.inputs.items():
                if isinstance(src, FromCollect):
                    over = mapped.get(src.node, (src.node, src.output))
                    self._collectors.setdefault(over, []).append((step.key, input_name, src.node, src.output))

    def __call__(self, event: Any) -> Any:
        mapping_key = getattr(event.data, "mapping_key", None)
        if mapping_key is None:
            return None
        return self.expand(self.steps[event.step_key], event.data.output_name, mapping_key)

    def expand(self, emitter: Any, output: str, mapping_key: str) -> Any:
        """The `NewSteps` for value `mapping_key` of output `output` of step `emitter`."""
        from .scheduler import NewSteps

        over = (emitter.node.name, output)
        new = []
        copies: dict[str, str] = {}  # mapped node -> its copy's step key
        for node in self._chains.get(over, ()):
            step = self._copy(node, emitter, over, mapping_key, copies)
            copies[node.name] = step.key
            self.added[step.key] = step
            self.emitter_of[step.key] = emitter.key
            new.append(step)
        dependents: dict[str, list[str]] = {}
        inputs: dict[str, dict[str, list[UpstreamOutput]]] = {}
        for collector, input_name, node, out in self._collectors.get(over, ()):
            if collector not in self.steps:  # not selected in this run
                continue
            if node in copies:
                up = UpstreamOutput(copies[node], out, node)
                dependents.setdefault(collector, []).append(copies[node])
            else:  # collects the dynamic output itself
                up = UpstreamOutput(emitter.key, out, node, (), mapping_key)
            inputs.setdefault(collector, {}).setdefault(input_name, []).append(up)
        return NewSteps(new, dependents, inputs)

    def with_known_keys(self, steps: list[Any], known: Mapping[str, Mapping[str, list[str]]]) -> list[Any]:
        """`steps` plus the copies for mapping keys an earlier run's emitting steps yielded
        (`known`: emitting step -> output -> keys), collecting steps reading them, in a
        dependency order."""
        from .scheduler_messages import with_upstream

        by_key = {s.key: s for s in steps}
        extra: list[Any] = []
        for emitter_key, outputs in known.items():
            emitter = by_key.get(emitter_key)
            if emitter is None:
                continue
            for output, keys in outputs.items():
                for mapping_key in keys:
                    new = self.expand(emitter, output, mapping_key)
                    extra.extend(new.steps)
                    for waiter in {**new.dependents, **new.inputs}:
                        by_key[waiter] = with_upstream(by_key[waiter], new.dependents.get(waiter, ()),
                                                        new.inputs.get(waiter))
        return _in_dependency_order([by_key[s.key] for s in steps] + extra)

    def _copy(self, node: Node, emitter: Any, over: tuple[str, str], mapping_key: str,
              copies: Mapping[str, str]) -> Any:
        """The copy of mapped `node` for one value: its own inputs read that value (or the
        copies before it); the rest are wired as in any step."""
        base = self._bases.get(node.name)
        if base is None:  # what every copy shares: the inputs that do not read the fan-out
            base = self._bases[node.name] = _make_step(
                self.job, _unmapped(node, over, self.mapped), emitter.partition_key,
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


def _names_in_plan_order(job: Any, mapped: Mapping[str, Any]) -> list[str]:
    from .plan import _node_order

    return [n for n in _node_order(job) if n in mapped]


def _in_dependency_order(steps: list[Any]) -> list[Any]:
    """`steps` reordered so that each comes after its upstream steps, otherwise as given."""
    import heapq

    position = {s.key: i for i, s in enumerate(steps)}
    waiting = {s.key: sum(1 for u in s.upstream_keys if u in position) for s in steps}
    downstream: dict[str, list[str]] = {s.key: [] for s in steps}
    for s in steps:
        for u in s.upstream_keys:
            if u in downstream:
                downstream[u].append(s.key)
    ready = [(position[k], k) for k, n in waiting.items() if not n]
    heapq.heapify(ready)
    by_key = {s.key: s for s in steps}
    order = []
    while ready:
        key = heapq.heappop(ready)[1]
        order.append(by_key[key])
        for down in downstream[key]:
            waiting[down] -= 1
            if not waiting[down]:
                heapq.heappush(ready, (position[down], down))
    return order
