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
                producing (None: no step is)
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
