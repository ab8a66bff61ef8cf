"""Execution plans: the steps of one run, in dependency order, and their live state.

A step is one node for one partition (the node name alone when the run covers at most one
partition, ``node[partition]`` when it covers several). `ActiveExecution` is what every
executor drives: it hands out ready steps, and skips the ones whose inputs will never come.
"""

from __future__ import annotations

from collections import deque
from graphlib import CycleError, TopologicalSorter
from typing import Any, Iterable, Mapping, NamedTuple, Optional, Sequence

from ..errors import DefinitionError, suggest
from .definitions.composition import FromFanIn, FromOutput, Node
from .events import ET, DagsterEventType, Event, StepSkippedData


class UpstreamOutput(NamedTuple):
    """One upstream output feeding an input: which step, which output, which partitions."""

    step_key: str
    output_name: str
    node: str
    partition_keys: tuple[str, ...] = ()


class ExecutionStep:
    """One unit of work: a node, for one partition (or none). Treat as immutable."""

    __slots__ = ("key", "node", "partition_key", "upstream_keys", "inputs")

    def __init__(self, key: str, node: Node, partition_key: Optional[str],
                 upstream_keys: frozenset[str], inputs: Mapping[str, tuple[UpstreamOutput, ...]]) -> None:
        self.key = key
        self.node = node
        self.partition_key = partition_key
        self.upstream_keys = upstream_keys
        self.inputs = inputs

    @property
    def node_name(self) -> str:
        return self.node.name

    @property
    def op_def(self) -> Any:
        return self.node.op_def

    @property
    def kind(self) -> str:
        return self.node.op_def.kind

    def __repr__(self) -> str:
        return f"<ExecutionStep {self.key!r}>"


class ExecutionPlan:
    """The steps of a run, topologically ordered."""

    def __init__(self, job: Any, steps: Sequence[ExecutionStep], partition_keys: Sequence[str]) -> None:
        self.job = job
        self.steps = {s.key: s for s in steps}
        self.partition_keys = tuple(partition_keys)
        self.downstream: dict[str, list[str]] = {k: [] for k in self.steps}
        for step in steps:
            for up in step.upstream_keys:
                self.downstream[up].append(step.key)

    @property
    def step_keys(self) -> list[str]:
        return list(self.steps)

    def get_all_steps(self) -> list[ExecutionStep]:
        return list(self.steps.values())

    topological_steps = get_all_steps

    def get_step(self, key: str) -> ExecutionStep:
        try:
            return self.steps[key]
        except KeyError:
            hint = suggest(key, self.steps)
            raise DefinitionError(f"no step {key!r} in this plan" + (f"; {hint}" if hint else "")) from None

    def start(self, run_id: str, job_name: str) -> "ActiveExecution":
        return ActiveExecution(self, run_id, job_name)


def _node_partition_keys(node: Node, job: Any, run_keys: Sequence[str]) -> list[Optional[str]]:
    if not run_keys:
        return [None]
    pdef = node.asset.partitions_def if node.asset is not None else None
    if node.check is not None:
        asset = job.asset_defs.get(node.check.asset_key)
        pdef = getattr(asset, "partitions_def", None)
    if pdef is None and node.asset is None and node.check is None:
        pdef = job.partitions_def
    if pdef is None:
        return [None]
    for key in run_keys:
        pdef.validate_partition_key(key)
    return list(run_keys)


def _upstream_partitions(job: Any, step_node: Node, src: FromOutput, pk: Optional[str]) -> tuple[str, ...]:
    """Partition keys of the upstream asset that a downstream partition reads."""
    up_asset = job.nodes[src.node].asset
    up_def = up_asset.partitions_def if up_asset is not None else None
    if up_def is None:
        return ()
    down_def = getattr(step_node.asset, "partitions_def", None)
    if step_node.check is not None:
        down_def = up_def
    from .partitions import default_partition_mapping

    spec = step_node.asset.input_specs.get(_input_name_for(step_node, src)) if step_node.asset else None
    mapping = getattr(spec, "partition_mapping", None) or default_partition_mapping(up_def, down_def)
    return tuple(mapping.upstream_keys_for(pk, down_def, up_def))


def input_partition_keys(step: "ExecutionStep", name: str) -> tuple[str, ...]:
    """Upstream partition keys an input of `step` reads (empty when not partitioned)."""
    ups = step.inputs.get(name)
    if ups:
        return ups[0].partition_keys
    src = step.node.inputs.get(name)
    up_def = getattr(src, "partitions_def", None)
    if up_def is None:
        return ()
    from .partitions import default_partition_mapping

    asset = step.node.asset
    down_def = asset.partitions_def if asset is not None else None
    spec = asset.input_specs.get(name) if asset is not None else None
    mapping = getattr(spec, "partition_mapping", None) or default_partition_mapping(up_def, down_def)
    return tuple(mapping.upstream_keys_for(step.partition_key, down_def, up_def))


def _input_name_for(node: Node, src: FromOutput) -> Optional[str]:
    for name, s in node.inputs.items():
        if s == src:
            return name
    return None


def build_plan(job: Any, partition_keys: Sequence[str] = (),
               step_keys_to_execute: Optional[Iterable[str]] = None) -> ExecutionPlan:
    """Steps for every node of `job` (each selected partition of partitioned nodes)."""
    order = _node_order(job)
    multi = len(partition_keys) > 1
    steps_by_node: dict[str, dict[Optional[str], str]] = {}
    steps: list[ExecutionStep] = []
    for name in order:
        node = job.nodes[name]
        keys = _node_partition_keys(node, job, partition_keys)
        steps_by_node[name] = {}
        for pk in keys:
            key = f"{name}[{pk}]" if multi and pk is not None else name
            steps_by_node[name][pk] = key
            steps.append(_make_step(job, node, pk, key, steps_by_node))
    if step_keys_to_execute is not None:
        steps = _subset(steps, set(step_keys_to_execute))
    return ExecutionPlan(job, steps, partition_keys)


def _make_step(job: Any, node: Node, pk: Optional[str], key: str,
               steps_by_node: Mapping[str, Mapping[Optional[str], str]]) -> ExecutionStep:
    inputs: dict[str, tuple[UpstreamOutput, ...]] = {}
    upstream: set[str] = set()
    for name, src in node.inputs.items():
        if isinstance(src, FromOutput):
            sources: Sequence[FromOutput] = (src,)
        elif isinstance(src, FromFanIn):
            sources = src.sources
        else:
            continue
        ups = []
        for s in sources:
            keys = _upstream_partitions(job, node, s, pk)
            up_steps = steps_by_node[s.node]
            wanted = [up_steps[k] for k in keys if k in up_steps] if keys else None
            if not wanted:
                wanted = [up_steps[pk]] if pk in up_steps else list(up_steps.values())
            upstream.update(wanted)
            if wanted:
                ups.append(UpstreamOutput(wanted[0], s.output, s.node, keys))
        if ups:
            inputs[name] = tuple(ups)
    for dep in node.extra_deps:
        up_steps = steps_by_node[dep]
        upstream.update([up_steps[pk]] if pk in up_steps else up_steps.values())
    return ExecutionStep(key, node, pk, frozenset(upstream), inputs)


def _node_order(job: Any) -> list[str]:
    """Node names in dependency order: exactly `graphlib.TopologicalSorter.static_order()`'s
    order (the order steps run in), with the sorter's bookkeeping objects left out."""
    waiting: dict[str, int] = {}  # node -> how many of its upstream nodes are not yet placed
    successors: dict[str, list[str]] = {}
    for name, node in job.nodes.items():
        preds = node.upstream_nodes()
        if name not in waiting:
            waiting[name] = 0
            successors[name] = []
        waiting[name] += len(preds)
        for pred in preds:
            if pred not in waiting:
                waiting[pred] = 0
                successors[pred] = []
            successors[pred].append(name)
    order: list[str] = []
    ready = [name for name, count in waiting.items() if count == 0]
    while ready:
        order.extend(ready)
        batch, ready = ready, []
        for name in batch:
            for down in successors[name]:
                waiting[down] -= 1
                if not waiting[down]:
                    ready.append(down)
    if len(order) < len(waiting):
        _raise_cycle(job)
    return order


def _raise_cycle(job: Any) -> None:
    graph = {name: node.upstream_nodes() for name, node in job.nodes.items()}
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as e:
        cycle = " -> ".join(e.args[1])
        raise DefinitionError(f"job {job.name!r} has a dependency cycle: {cycle}") from None
    raise DefinitionError(f"job {job.name!r} has a dependency cycle")


def _subset(steps: list[ExecutionStep], keep: set[str]) -> list[ExecutionStep]:
    """Only the kept steps; their links to dropped steps become loads from storage."""
    unknown = keep - {s.key for s in steps}
    if unknown:
        name = sorted(unknown)[0]
        hint = suggest(name, [s.key for s in steps])
        raise DefinitionError(f"no step {name!r} in this job" + (f"; {hint}" if hint else ""))
    return [
        ExecutionStep(s.key, s.node, s.partition_key, s.upstream_keys & keep, s.inputs)
        for s in steps if s.key in keep
    ]


PENDING, RUNNING, SUCCEEDED, FAILED, SKIPPED = "pending", "running", "succeeded", "failed", "skipped"
_FINISHED = frozenset({SUCCEEDED, FAILED, SKIPPED})

# The only events that change which steps are ready: executors pass just these to
# `ActiveExecution.handle_event` (the others would be ignored there anyway).
STATE_EVENT_TYPES = frozenset({
    DagsterEventType.STEP_OUTPUT, DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE,
})


class ActiveExecution:
    """Live state of a plan: which steps are ready, running, done, failed or skipped."""

    def __init__(self, plan: ExecutionPlan, run_id: str, job_name: str) -> None:
        self.plan = plan
        self.run_id = run_id
        self.job_name = job_name
        self.state = {k: PENDING for k in plan.steps}
        # step key -> how many of its upstream steps have not finished
        self._waiting = {k: len(s.upstream_keys) for k, s in plan.steps.items()}
        self._ready = deque(k for k, count in self._waiting.items() if not count)
        self._outputs: set[tuple[str, str]] = set()
        self._not_succeeded: set[str] = set()  # failed or skipped step keys
        self._skip_events: list[Event] = []
        self._remaining = len(plan.steps)

    @property
    def is_complete(self) -> bool:
        return self._remaining == 0

    @property
    def has_ready(self) -> bool:
        return bool(self._ready)

    def get_steps_to_execute(self, limit: Optional[int] = None) -> list[ExecutionStep]:
        """Ready steps (at most `limit`), now marked running."""
        out = []
        while self._ready and (limit is None or len(out) < limit):
            key = self._ready.popleft()
            self.state[key] = RUNNING
            out.append(self.plan.steps[key])
        return out

    def handle_event(self, event: Event) -> None:
        """Update state from a step event."""
        kind = event.event_type
        if kind is ET.STEP_OUTPUT:
            self._outputs.add((event.step_key, event.data.output_name))
        elif kind is ET.STEP_SUCCESS:
            self._finish(event.step_key, SUCCEEDED)
        elif kind is ET.STEP_FAILURE:
            self._finish(event.step_key, FAILED)

    def mark_failed(self, step_key: str) -> None:
        self._finish(step_key, FAILED)

    def pop_skip_events(self) -> list[Event]:
        events, self._skip_events = self._skip_events, []
        return events

    def unfinished_step_keys(self) -> list[str]:
        return [k for k, s in self.state.items() if s in (PENDING, RUNNING)]

    def _finish(self, key: str, state: str) -> None:
        if self.state.get(key) in _FINISHED:
            return
        self.state[key] = state
        if state != SUCCEEDED:
            self._not_succeeded.add(key)
        self._remaining -= 1
        waiting = self._waiting
        for down in self.plan.downstream[key]:  # each upstream step finishes once
            waiting[down] -= 1
            if not waiting[down] and self.state[down] == PENDING:
                self._release(down)

    def _release(self, key: str) -> None:
        step = self.plan.steps[key]
        reason = self._skip_reason(step)
        if reason is None:
            self._ready.append(key)
            return
        bad = tuple(sorted(u for u in step.upstream_keys if self.state[u] != SUCCEEDED))
        self._skip_events.append(Event(
            ET.STEP_SKIPPED, self.run_id, self.job_name, key,
            f"Skipped {key}: {reason}", StepSkippedData(reason, bad)))
        self._finish(key, SKIPPED)

    def _skip_reason(self, step: ExecutionStep) -> Optional[str]:
        failed = step.upstream_keys & self._not_succeeded if self._not_succeeded else None
        if failed:
            states = ", ".join(f"{u} {self.state[u]}" for u in sorted(failed))
            return f"upstream did not succeed ({states})"
        outputs, steps = self._outputs, self.plan.steps
        for name, ups in step.inputs.items():
            for u in ups:
                if (u.step_key, u.output_name) in outputs or u.step_key not in steps:
                    break
            else:
                return f"input {name!r} was not produced (optional output not yielded)"
        return None
