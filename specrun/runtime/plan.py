"""Execution plans: the steps of one run, in dependency order, and their live state.

A step is one node for one partition (the node name alone when the run covers at most one
partition, ``node[partition]`` when it covers several). `ActiveExecution` is what every
executor drives: it hands out ready steps, and skips the ones whose inputs will never come.
"""

from __future__ import annotations

from graphlib import CycleError, TopologicalSorter
from typing import Any, Callable, Iterable, Mapping, NamedTuple, Optional, Sequence

from ..errors import DefinitionError, suggest
from .definitions.nodes import FromCollect, FromFanIn, FromOutput, Node
from .job_cache import job_has_dynamic_outputs
from .topological_order import kahn_order, path_order


class UpstreamOutput(NamedTuple):
    """One upstream output feeding an input: which step, which output, which partitions (and
    which value of a dynamic output)."""

    step_key: str
    output_name: str
    node: str
    partition_keys: tuple[str, ...] = ()
    mapping_key: Optional[str] = None


class ExecutionStep:
    """One unit of work: a node, for one partition (or none). Treat as immutable."""

    __slots__ = ("key", "node", "partition_key", "upstream_keys", "inputs", "mapping_key")

    def __init__(self, key: str, node: Node, partition_key: Optional[str],
                 upstream_keys: frozenset[str], inputs: Mapping[str, tuple[UpstreamOutput, ...]],
                 mapping_key: Optional[str] = None) -> None:
        self.key = key
        self.node = node
        self.partition_key = partition_key
        self.upstream_keys = upstream_keys
        self.inputs = inputs
        self.mapping_key = mapping_key  # set on a copy of a mapped op (`op[mapping_key]`)

    def upstream_of(self, name: str) -> tuple[UpstreamOutput, ...]:
        """The upstream outputs input `name` reads (none: not an input fed by a step)."""
        return self.inputs.get(name, ())

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

    def describe(self) -> tuple:
        """Plain data another process rebuilds this step from (`ExecutionPlan.step_from`)."""
        return (self.key, self.node.name, self.partition_key, self.upstream_keys, self.inputs,
                self.mapping_key)


class ExecutionPlan:
    """The steps of a run, in lexicographic topological order; treat as immutable.

    `downstream` (step -> the steps waiting on it, in plan order) and `positions` (step ->
    its place in the order) are what the scheduler needs, worked out once per plan;
    `upstream_counts` (step -> how many steps it waits on), when the plan was made knowing it;
    `by_position`, when made with the order: (steps, their `downstream`, their counts) by position.
    """

    def __init__(self, job: Any, steps: Sequence[ExecutionStep], partition_keys: Sequence[str]) -> None:
        self.job = job
        # Set to `fn(event) -> NewSteps | None` to add steps while the plan runs: the
        # scheduler asks it about each STEP_OUTPUT (dynamic outputs build on this).
        self.expand_dynamic: Optional[Callable[[Any], Any]] = None
        self.dynamic: Any = None  # the `DynamicSteps` of a job with dynamic outputs
        self.steps = {s.key: s for s in steps}
        self.partition_keys = tuple(partition_keys)
        self.positions = {k: i for i, k in enumerate(self.steps)}
        self.downstream: dict[str, list[str]] = {k: [] for k in self.steps}
        for step in steps:
            for up in step.upstream_keys:
                self.downstream[up].append(step.key)
        self.upstream_counts: Optional[dict[str, int]] = None
        self.by_position: Optional[tuple] = None

    @classmethod
    def of_ordered(cls, job: Any, steps: dict[str, ExecutionStep], downstream: dict[str, list[str]],
                   upstream_counts: dict[str, int], positions: Optional[dict[str, int]] = None,
                   by_position: Optional[tuple] = None) -> "ExecutionPlan":
        """The plan of `steps` (key -> step, in plan order) of a run without partition keys
        whose `downstream` and `upstream_counts` (and `positions` and `by_position`, when
        given) are worked out already (`plan_unpartitioned`)."""
        plan = cls.__new__(cls)
        plan.job, plan.steps, plan.partition_keys = job, steps, ()
        plan.expand_dynamic = plan.dynamic = None
        plan.positions = positions if positions is not None else dict(zip(steps, range(len(steps))))
        plan.downstream, plan.upstream_counts = downstream, upstream_counts
        plan.by_position = by_position
        return plan

    def shared_copy(self) -> "ExecutionPlan":
        """A plan of the same steps for another run: the step tables are shared (they are
        never changed), what a run may set on its plan (`expand_dynamic`) is its own."""
        copy = ExecutionPlan.__new__(ExecutionPlan)
        copy.__dict__.update(self.__dict__)
        copy.expand_dynamic = None
        return copy

    @property
    def step_keys(self) -> list[str]:
        return list(self.steps)

    def get_all_steps(self) -> list[ExecutionStep]:
        return list(self.steps.values())

    topological_steps = get_all_steps

    def step_from(self, key: str, description: Optional[tuple]) -> ExecutionStep:
        """The step `key` of this plan, or one added at run time from its `describe()`."""
        if description is not None:  # it may differ from the plan's (a collect's inputs grow)
            key, node, partition_key, upstream_keys, inputs, mapping_key = description
            return ExecutionStep(key, self.job.nodes[node], partition_key, upstream_keys, inputs,
                                 mapping_key)
        step = self.steps.get(key)
        if step is None:
            raise DefinitionError(f"no step {key!r} in this plan")
        return step

    def get_step(self, key: str) -> ExecutionStep:
        try:
            return self.steps[key]
        except KeyError:
            hint = suggest(key, self.steps)
            raise DefinitionError(f"no step {key!r} in this plan" + (f"; {hint}" if hint else "")) from None

    def start(self, run_id: str, job_name: str) -> Any:
        """An `ActiveExecution` of this plan: the documented API for custom executors."""
        from .active_execution import ActiveExecution

        return ActiveExecution(self, run_id, job_name)


def _node_partition_keys(node: Node, job: Any, run_keys: Sequence[str]) -> list[Optional[str]]:
    if not run_keys:
        return [None]
    pdef = node.asset_partitions_def
    if node.check is not None:
        asset = job.asset_defs.get(node.check.asset_key)
        pdef = getattr(asset, "partitions_def", None)
    if pdef is None and node.asset is None and node.graph_asset is None and node.check is None:
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
    spec = _input_spec(step_node, _input_name_for(step_node, src), src)
    return _read_partitions(step_node, spec, pk, up_def)


def _read_partitions(node: Node, spec: Any, pk: Optional[str], up_def: Any) -> tuple[str, ...]:
    """Keys of partitioned upstream `up_def` that partition `pk` of `node` reads through input
    `spec` (an `AssetIn`, or None): its mapping, else the default one. A check reads the
    partition of its asset that the run is for."""
    from .partitions import default_partition_mapping

    down_def = up_def if node.check is not None else node.asset_partitions_def
    mapping = getattr(spec, "partition_mapping", None) or default_partition_mapping(up_def, down_def)
    return tuple(mapping.upstream_keys_for(pk, down_def, up_def))


def _input_spec(node: Node, name: Optional[str], src: Any) -> Any:
    """The `AssetIn` of input `name` (fed by `src`) of the asset `node` computes, or None. An op
    inside a graph-backed asset names its inputs itself: its `AssetIn` is the graph's input
    reading the same asset."""
    if node.graph_asset is not None:
        owner = node.graph_asset
        wanted = getattr(src, "asset_key", None)
        name = next((n for n, key in owner.input_keys.items() if key == wanted), None)
    else:
        owner = node.asset
    return owner.input_specs.get(name) if owner is not None else None


def _dep_partitions(job: Any, node: Node, dep: str, pk: Optional[str]) -> tuple[str, ...]:
    """Partition keys of a dep that `AssetDep(partition_mapping=...)` maps partition `pk` to."""
    up_asset = job.nodes[dep].asset
    mappings = getattr(node.asset, "dep_partition_mappings", None)
    if not mappings or up_asset is None or up_asset.key not in mappings:
        return ()
    down_def = node.asset.partitions_def
    return tuple(mappings[up_asset.key].upstream_keys_for(pk, down_def, up_asset.partitions_def))


def input_partition_keys(step: "ExecutionStep", name: str) -> tuple[str, ...]:
    """Upstream partition keys an input of `step` reads (empty when not partitioned)."""
    ups = step.inputs.get(name)
    if ups:
        return ups[0].partition_keys
    src = step.node.inputs.get(name)
    return _mapped_partition_keys(step, _input_spec(step.node, name, src), src)


def asset_input_partition_keys(step: "ExecutionStep", name: str) -> tuple[str, ...]:
    """Upstream partition keys input `name` of the step's asset reads: of a graph-backed asset,
    `name` is an input of the graph, read somewhere inside it (see `Node.graph_inputs`)."""
    src = step.node.graph_inputs.get(name)
    if src is None:
        return input_partition_keys(step, name)
    return _mapped_partition_keys(step, step.node.graph_asset.input_specs.get(name), src)


def _mapped_partition_keys(step: "ExecutionStep", spec: Any, src: Any) -> tuple[str, ...]:
    """Keys of a stored upstream asset (`src`, not a step of this run) the step reads."""
    up_def = getattr(src, "partitions_def", None)
    if up_def is None:
        return ()
    return _read_partitions(step.node, spec, step.partition_key, up_def)


def _input_name_for(node: Node, src: FromOutput) -> Optional[str]:
    for name, s in node.inputs.items():
        if s == src:
            return name
    return None


def build_plan(job: Any, partition_keys: Sequence[str] = (),
               step_keys_to_execute: Optional[Iterable[str]] = None,
               known_mapping_keys: Optional[Mapping[str, Mapping[str, list[str]]]] = None) -> ExecutionPlan:
    """Steps for every node of `job` (each selected partition of partitioned nodes); with
    `known_mapping_keys` (emitting step -> output -> keys an earlier run yielded, when
    re-executing it), the copies of mapped nodes for those keys too."""
    if not partition_keys:  # most runs: one step per node
        from .plan_unpartitioned import unpartitioned_plan

        plan = unpartitioned_plan(job, step_keys_to_execute)
        if plan is not None:
            return plan
    order = _node_order(job)
    multi = len(partition_keys) > 1
    mapped = mapped_nodes(job, multi)
    steps_by_node: dict[str, dict[Optional[str], str]] = {}
    steps: list[ExecutionStep] = []
    for name in order:
        if name in mapped:  # its copies are added as its dynamic output's values come
            continue
        node = job.nodes[name]
        keys = _node_partition_keys(node, job, partition_keys)
        steps_by_node[name] = {}
        for pk in keys:
            key = f"{name}[{pk}]" if multi and pk is not None else name
            steps_by_node[name][pk] = key
            steps.append(_make_step(job, node, pk, key, steps_by_node, mapped))
    dynamic = None
    if mapped is not _NOTHING_MAPPED:
        from .dynamic_steps import DynamicSteps

        dynamic = DynamicSteps(job, {s.key: s for s in steps}, mapped, steps_by_node)
        if known_mapping_keys:
            steps = dynamic.with_known_keys(steps, known_mapping_keys)
    if step_keys_to_execute is not None:
        steps = _subset(steps, set(step_keys_to_execute))
    plan = ExecutionPlan(job, steps, partition_keys)
    if dynamic is not None:
        dynamic.steps = plan.steps
        plan.dynamic = plan.expand_dynamic = dynamic
    return plan


_NOTHING_MAPPED: Mapping[str, tuple[str, str]] = {}


def mapped_nodes(job: Any, multi: bool) -> Mapping[str, tuple[str, str]]:
    """The job's mapped nodes -> the dynamic output each is copied for (empty when the job
    has no dynamic output)."""
    from .definitions.dynamic import fan_out_of

    if not job_has_dynamic_outputs(job):
        return _NOTHING_MAPPED
    if multi:
        raise DefinitionError(
            f"job {job.name!r} has dynamic outputs, so a run of it covers one partition: run "
            "each partition on its own")
    return fan_out_of(job.nodes)


def _make_step(job: Any, node: Node, pk: Optional[str], key: str,
               steps_by_node: Mapping[str, Mapping[Optional[str], str]],
               mapped: Mapping[str, tuple[str, str]] = {}) -> ExecutionStep:
    inputs: dict[str, tuple[UpstreamOutput, ...]] = {}
    upstream: set[str] = set()
    for name, src in node.inputs.items():
        if isinstance(src, FromCollect):  # waits for the emitting step; copies are added later
            upstream.update(steps_by_node[_emitter(mapped, src.node)].values())
            continue
        sources = _sources(src)
        if sources is None:
            continue
        ups = []
        for s in sources:
            keys = _upstream_partitions(job, node, s, pk)
            up_steps = steps_by_node[s.node]
            wanted = [up_steps[k] for k in keys if k in up_steps]
            if not wanted:
                wanted = [up_steps[pk]] if pk in up_steps else list(up_steps.values())
            upstream.update(wanted)
            if wanted:
                ups.append(UpstreamOutput(wanted[0], s.output, s.node, keys))
        if ups:
            inputs[name] = tuple(ups)
    for dep in node.extra_deps:
        up_steps = steps_by_node[dep]
        mapped = [up_steps[k] for k in _dep_partitions(job, node, dep, pk) if k in up_steps]
        upstream.update(mapped or ([up_steps[pk]] if pk in up_steps else up_steps.values()))
    return ExecutionStep(key, node, pk, frozenset(upstream), inputs)


def _sources(src: Any) -> Optional[Sequence[FromOutput]]:
    """The upstream outputs an input reads (one, or a fan-in's in order); None for an input
    that reads no output."""
    if isinstance(src, FromOutput):
        return (src,)
    if isinstance(src, FromFanIn):
        return src.sources
    return None


def _emitter(mapped: Mapping[str, tuple[str, str]], node: str) -> str:
    """The node whose dynamic output `node` is (or is mapped over)."""
    found = mapped.get(node)
    return found[0] if found is not None else node


def _node_order(job: Any) -> list[str]:
    """Node names in lexicographic topological order (`lexicographic_order`)."""
    order, _ = lexicographic_order({name: node.upstream_nodes() for name, node in job.nodes.items()})
    if len(order) < len(job.nodes):
        _raise_cycle(job)
    return order


def lexicographic_order(upstream: dict[str, Any]) -> tuple[list[str], dict[str, list[str]]]:
    """Kahn's algorithm over `upstream` (each name -> the names it waits on), taking, of the
    names whose upstream names are all placed, the smallest first: (the order, shorter than
    `upstream` when there is a cycle; each name's successors, in `upstream`'s order)."""
    waiting = {name: len(ups) for name, ups in upstream.items()}  # upstream names not yet placed
    successors: dict[str, list[str]] = {name: [] for name in upstream}
    for name, ups in upstream.items():
        for up in ups:
            successors[up].append(name)
    ready = [name for name, count in waiting.items() if not count]
    order = path_order(ready, successors, len(waiting)) or kahn_order(ready, waiting, successors)
    return order, successors


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
        ExecutionStep(s.key, s.node, s.partition_key, s.upstream_keys & keep, s.inputs, s.mapping_key)
        for s in steps if s.key in keep
    ]
