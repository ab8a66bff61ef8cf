"""The plan of a run without partition keys of a job without dynamic outputs (most runs), in
one pass over the job's nodes: each node is one step keyed by its name.

`plan.build_plan`'s general path orders the nodes (`_node_order`, which asks every node for
its upstream nodes), looks for dynamic outputs in another walk, makes the steps, and the
plan works out what waits on each step in a fourth. Here each node's step is made first, in
the job's order (its upstream steps are its upstream nodes), and the order, the plan's
tables and the dynamic-output check come from those steps: the same steps, in the same
order, with the same errors (a cycle first, then those of partition look-ups in plan order).
"""

from __future__ import annotations

from operator import eq
from typing import Any, Callable, Iterable, Optional

from .definitions.nodes import FromCollect, FromFanIn, FromOutput, Node
from .job_cache import job_has_dynamic_outputs
from .plan import (ExecutionPlan, ExecutionStep, UpstreamOutput, _dep_partitions, _raise_cycle,
                   _subset, _upstream_partitions)
from .topological_order import kahn_order, path_walk

_new_upstream = tuple.__new__  # an UpstreamOutput without the NamedTuple's Python `__new__`
_new_step = object.__new__


class NodeStep(ExecutionStep):
    """The step of a node whose inputs each read one output of an upstream node, or a fan-in's
    list of them, and that has no other upstream node (`job_plan._OnePass` makes them): its
    `upstream_keys` and `inputs` (those `_step` gives) are worked out from the node when first
    read. The in-process executor reads neither (`inputs.load_plain_inputs` reads the node's, an
    input loaded through a context `upstream_of`; each upstream output it reads is unpartitioned,
    so an asset's version tags read no partition keys). Made by a class call without
    arguments, its slots set after: without `ExecutionStep.__init__` that call costs ~0.3k
    instructions less than `object.__new__`, once a step of a plan."""

    __slots__ = ()
    __init__ = object.__init__  # type: ignore[assignment]

    @property
    def upstream_keys(self) -> frozenset[str]:  # type: ignore[override]
        try:
            return _upstream_keys.__get__(self)
        except AttributeError:
            keys = frozenset([s.node for src in self.node.inputs.values() for s in sources(src)])
            _upstream_keys.__set__(self, keys)
            return keys

    @property
    def inputs(self) -> dict[str, tuple[UpstreamOutput, ...]]:  # type: ignore[override]
        try:
            return _inputs.__get__(self)
        except AttributeError:
            inputs = {name: _reading(src) for name, src in self.node.inputs.items()}
            _inputs.__set__(self, inputs)
            return inputs

    def upstream_of(self, name: str) -> tuple[UpstreamOutput, ...]:
        """`self.inputs.get(name, ())`, without making `inputs` when not made: the first read of
        a slot not set raises inside the property (~12k instructions); a run's loads of the
        step's inputs each read one (`inputs._load_from_output`)."""
        src = self.node.inputs.get(name)
        return () if src is None else _reading(src)

    def __reduce__(self) -> tuple:
        """A copy or a pickle is the plain `ExecutionStep` of the same values (the slots
        are read through the properties; the properties have nothing to set)."""
        return ExecutionStep, (self.key, self.node, self.partition_key, self.upstream_keys,
                               self.inputs, self.mapping_key)


def _reading(src: Any) -> tuple[UpstreamOutput, ...]:
    """A `NodeStep`'s input's upstream outputs (`src`: a FromOutput, or a FromFanIn of at least
    one), each that of the step named as its node."""
    return tuple([node_step_upstream(s) for s in sources(src)])


def node_step_upstream(source: Any) -> UpstreamOutput:
    """The upstream output a `NodeStep` reads for one FromOutput (`source`): that of the step
    named as its node."""
    return _new_upstream(UpstreamOutput, (source.node, source.output, source.node, (), None))


def sources(src: Any) -> tuple[FromOutput, ...]:
    """The upstream outputs a `NodeStep`'s input reads (`src`: a FromOutput or a FromFanIn)."""
    return (src,) if src.__class__ is FromOutput else src.sources


# (ExecutionStep's slots themselves, which NodeStep's properties fill)
_upstream_keys, _inputs = ExecutionStep.__dict__["upstream_keys"], ExecutionStep.__dict__["inputs"]


def unpartitioned_plan(job: Any, step_keys: Optional[Iterable[str]],
                       make_step: Optional[Callable[..., Optional[ExecutionStep]]] = None,
                       ) -> Optional[ExecutionPlan]:
    """`build_plan(job, (), step_keys)`, or None when the job has a dynamic output or
    collects one (the general path plans those). `make_step`: `_step`, or a function that
    makes the same steps (and may do more with the node: `job_plan._OnePass.step`)."""
    if job_has_dynamic_outputs(job):
        return None
    nodes = job.nodes
    later: list[str] = []  # nodes whose steps need partition look-ups, made once ordered
    # Kahn's tables (`plan.lexicographic_order`), filled as the steps are made; each node's
    # list of downstream nodes also by its job position (`down_at`: see `_in_job_order`).
    successors: dict[str, list[str]] = {name: [] for name in nodes}
    down_at = list(successors.values())
    # The steps and the counts of upstream steps not yet run, by key, filled as made.
    steps: dict[str, ExecutionStep] = {}
    waiting: dict[str, int] = {}
    ready: list[str] = []
    if make_step is None:
        make_step = _step
    # Whether each node's one upstream node is the one before it (a chain): the job's order
    # is then the only topological order, and Kahn's (~1.7k instructions a step) is not run.
    chain, previous = True, None
    for name, node in nodes.items():
        step = make_step(node, nodes, later, successors, waiting)
        if step is None:
            return None
        steps[name] = step
        if not waiting[name]:
            ready.append(name)
            chain = chain and previous is None
        elif chain and (waiting[name] != 1 or successors.get(previous) != [name]):
            chain = False
        previous = name
    counts = waiting  # (Kahn counts a copy of it down)
    positions = None  # (of a plan not in its job's order: `_ordered`'s)
    if chain:
        by_position = _in_job_order(steps, down_at, counts)
    else:
        path = path_walk(ready, successors, len(steps))
        if path is not None:
            steps, positions, by_position = _ordered(job, steps, path[0], successors, counts, path[1])
        else:
            steps, positions, by_position = _ordered(
                job, steps, kahn_order(ready, waiting.copy(), successors), successors, counts, None,
                down_at)
    if later:  # made again in plan order, so that their errors come in that order
        again = set(later)
        for name in steps:
            if name in again:
                steps[name] = _unpartitioned_step(job, nodes[name])
        by_position = None  # (it holds the steps made first)
    if step_keys is not None:
        return ExecutionPlan(job, _subset(list(steps.values()), set(step_keys)), ())
    return ExecutionPlan.of_ordered(job, steps, successors, counts, positions, by_position)


def _in_job_order(steps: dict[str, ExecutionStep], down_at: list[list[str]], counts: dict[str, int]) -> tuple:
    """The tables by position (`plan_tables.RunTables`'s) of a plan in its job's order, whose
    steps' downstream lists by job position are `down_at`: each table read in the order it
    was written (looked up by key, at 10,000 steps each look-up was at a random place of a
    table as large as the plan, out of cache)."""
    return list(steps.values()), down_at, list(counts.values())


def _ordered(job: Any, steps: dict[str, ExecutionStep], order: list[str],
             successors: dict[str, list[str]], counts: dict[str, int],
             path_downs: Optional[list[list[str]]] = None, down_at: Optional[list[list[str]]] = None,
             ) -> tuple[dict[str, ExecutionStep], Optional[dict[str, int]], Optional[tuple]]:
    """`steps` in `order` (Kahn's: the step keys in lexicographic topological order, as
    `plan._node_order`), with each step's `successors` put in that order; and, when the order
    is not the job's, each step's position in it (the plan's `positions`) and the plan's
    tables by position: (steps, `successors`, `counts`), as `plan_tables.RunTables` reads them.
    The steps are then taken out of `steps`, which is left empty.

    All of them in one pass over `order`: at 10,000 steps every pass over the steps, their
    keys or their tables is out of cache (a table made in one pass and read in the next,
    each key hashed again, each step's reference count written again), ~1-2 simulated cache
    misses a step each. Each step is popped from `steps` while it is in cache (freeing
    `steps` whole, after the pass, wrote each step's count again), and the lists by position
    are made whole (grown by appends, each was copied ~8 times).

    `path_downs`: of a path's `order` (`topological_order.path_walk`), each step's list in
    `successors`, in that order. Its tables are then made without a look-up of a step's
    downstream list or count (each but the first waits on one): in an asset chain's job order
    (a_0, a_1, a_10, ...) each look-up was at a random place in a table as large as the plan
    (at 10,000 steps ~4 simulated cache misses a step for the two).

    `down_at`: each step's list in `successors` by its job position; when `order` is the
    job's, the tables by position are then made from it (`_in_job_order`)."""
    if len(order) < len(steps):
        _raise_cycle(job)
    if all(map(eq, order, steps)):  # (the job's order is the plan's; up to the first that is not)
        return steps, None, None if down_at is None else _in_job_order(steps, down_at, counts)
    positions: dict[str, int] = {}
    ordered: dict[str, ExecutionStep] = {}
    size = len(order)
    step_at: list = [None] * size
    take, at = steps.pop, 0
    if path_downs is not None:
        for name in order:
            positions[name] = at
            ordered[name] = step_at[at] = take(name)
            at += 1
        need_at: list = [1] * size
        need_at[0] = 0
        return ordered, positions, (step_at, path_downs, need_at)
    down_at: list = [None] * size
    need_at = [0] * size
    several = []  # (the lists of successors to sort, once every position is known)
    for name in order:
        positions[name] = at
        ordered[name] = step_at[at] = take(name)
        downs = down_at[at] = successors[name]
        need_at[at] = counts[name]
        if len(downs) > 1:  # (none on a path)
            several.append(downs)
        at += 1
    position = positions.__getitem__
    for downs in several:
        downs.sort(key=position)
    return ordered, positions, (step_at, down_at, need_at)


def _step(node: Node, nodes: Any, later: list[str], successors: dict[str, list[str]],
          waiting: dict[str, int]) -> Optional[ExecutionStep]:
    """The node's step, made without partition look-ups (None for a node that collects a
    dynamic output): its name is put in `later` when it reads a partitioned upstream asset
    or maps a dep's partitions (its step is then made again, by `_unpartitioned_step`), and
    in the `successors` of each of its upstream steps; `waiting`, how many those are."""
    inputs: dict[str, tuple[UpstreamOutput, ...]] = {}
    upstream: set[str] = set()
    again = False
    for name, src in node.inputs.items():
        cls = src.__class__
        if cls is FromOutput:  # (most inputs: one upstream output, without the loop below)
            up = src.node
            up_asset = nodes[up].asset
            if up_asset is not None and up_asset.partitions_def is not None:
                again = True
            if up not in upstream:
                upstream.add(up)
                successors[up].append(node.name)
            inputs[name] = (_new_upstream(UpstreamOutput, (up, src.output, up, (), None)),)
            continue
        if cls is FromFanIn:
            sources = src.sources
        elif cls is FromCollect:
            return None
        else:
            continue
        ups = []
        for s in sources:
            up_asset = nodes[s.node].asset
            if up_asset is not None and up_asset.partitions_def is not None:
                again = True
            if s.node not in upstream:
                upstream.add(s.node)
                successors[s.node].append(node.name)
            ups.append(_new_upstream(UpstreamOutput, (s.node, s.output, s.node, (), None)))
        if ups:
            inputs[name] = tuple(ups)
    if node.extra_deps:
        if getattr(node.asset, "dep_partition_mappings", None):
            again = True
        for dep in node.extra_deps:
            if dep not in upstream:
                upstream.add(dep)
                successors[dep].append(node.name)
    if again:
        later.append(node.name)
    # `ExecutionStep(node.name, node, None, frozenset(upstream), inputs)` without the class
    # call's cost (~0.8k instructions a step): every slot set here (tests/runtime/test_plan.py).
    step = _new_step(ExecutionStep)
    step.key, step.node, step.partition_key = node.name, node, None
    step.upstream_keys, step.inputs, step.mapping_key = frozenset(upstream), inputs, None
    waiting[node.name] = len(upstream)
    return step


def _unpartitioned_step(job: Any, node: Node) -> ExecutionStep:
    """The node's step with its partition look-ups (reads of partitioned upstream assets)."""
    inputs: dict[str, tuple[UpstreamOutput, ...]] = {}
    upstream: set[str] = set()
    nodes = job.nodes
    for name, src in node.inputs.items():
        cls = src.__class__
        if cls is not FromOutput and cls is not FromFanIn:
            continue
        ups = []
        for s in ((src,) if cls is FromOutput else src.sources):
            up_asset = nodes[s.node].asset
            keys = (() if up_asset is None or up_asset.partitions_def is None
                    else _upstream_partitions(job, node, s, None))
            upstream.add(s.node)
            ups.append(_new_upstream(UpstreamOutput, (s.node, s.output, s.node, keys, None)))
        if ups:
            inputs[name] = tuple(ups)
    if node.extra_deps:
        if getattr(node.asset, "dep_partition_mappings", None):  # (for the errors it may raise)
            for dep in node.extra_deps:
                _dep_partitions(job, node, dep, None)
        upstream.update(node.extra_deps)
    return ExecutionStep(node.name, node, None, frozenset(upstream), inputs)
