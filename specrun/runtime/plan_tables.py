"""What every run of a plan starts from (`RunTables`): the scheduler's tables, by plan position.

A run's scheduler (`scheduler.RunState`) reads, for each step it hands out or that ends, the
step, the steps waiting on it and how many steps each of those waits on. Kept in tables keyed
by step, each such read was a look-up at a random place in a table as large as the plan: at
10,000 steps, five of them a step, long out of cache (chain: 6.0 simulated LL misses a step
at 1,000 steps, 17.3 at 10,000). Here they are lists by plan position, made in one pass over
the plan in its order (its tables' look-ups come one after another, while they are in cache)
and read by position a step, in the order a run goes through the plan.
"""

from __future__ import annotations

from itertools import compress
from operator import not_
from typing import Any, Container, Mapping, Optional


class RunTables:
    """A plan's tables by plan position (see the module docstring), made once per plan when
    the plan is cached (`job_plan.run_tables`), else by each run of it:

    steps       position -> the step
    downstream  position -> the steps waiting on it (the plan's `downstream` list)
    waiting     position -> how many upstream steps it waits on
    unchecked   position -> 1 for a step `scheduler.RunState._release` would find nothing
                to check in while no step has failed or been skipped: each of its inputs
                reads a step outside the plan, or an output a step cannot succeed without
                producing, and it has no `optional_deps` (None: no step is)
    roots       the positions of the steps waiting on none, in plan order
    """

    __slots__ = ("steps", "downstream", "waiting", "unchecked", "roots")

    def __init__(self, plan: Any, waiting: Optional[Mapping[str, int]] = None,
                 unchecked: Optional[Container[str]] = None, every_step_unchecked: bool = False) -> None:
        """`waiting`: step -> how many upstream steps it waits on (None: as many as its
        `upstream_keys`); `unchecked`: the steps (see the class docstring), or
        `every_step_unchecked`."""
        made = getattr(plan, "by_position", None)  # (`plan_unpartitioned._ordered` made them)
        if made is not None and waiting is plan.upstream_counts:
            steps, self.downstream, counts = made
            self.steps, self.waiting = steps, counts
        else:
            keys = plan.steps  # (each table read in plan order, in one pass each)
            steps = self.steps = list(keys.values())
            self.downstream = list(map(plan.downstream.get, keys))
            counts = self.waiting = (list(map(waiting.get, keys)) if waiting is not None
                                     else [len(step.upstream_keys) for step in steps])
        self.roots = list(compress(range(len(counts)), map(not_, counts)))
        if every_step_unchecked:
            self.unchecked: Optional[bytearray] = bytearray(b"\x01") * len(steps)
        elif unchecked:
            self.unchecked = bytearray(step.key in unchecked for step in steps)
        else:
            self.unchecked = None


def optional_deps(step: Any, steps: Mapping[str, Any]) -> list[tuple[str, str, Any]]:
    """Of the assets `step`'s asset names in `deps=` (not read as inputs), those a step of the
    plan (`steps`) may leave out: an optional output of a multi-asset (a skippable
    `AssetSpec`'s, an `AssetOut(is_required=False)`'s, any of one that can subset) that it
    computes in this run. (step key, output name, asset key) each: as in Dagster, whose deps
    are Nothing inputs, `step` is skipped when one was not yielded."""
    node = getattr(step, "node", None)  # (a Dask batch's `BatchStep` has none: no batch holds
    # a step with optional deps, `dask_flight._chain` ends before one)
    asset = node.asset if node is not None and node.extra_deps else None
    deps = asset.deps if asset is not None else None
    if not deps:
        return []
    found = []
    for up_key in sorted(step.upstream_keys):  # (in order: a skip names the first)
        up = steps.get(up_key)
        up_asset = up.node.asset if up is not None else None
        if up_asset is None or not up_asset.multi:
            continue
        outs, selected = up.node.op_def.outs, up_asset.selected_output_names
        found.extend((up_key, name, key) for name, key in up_asset.keys_by_output_name.items()
                     if key in deps and not outs[name].is_required and name in selected)
    return found
