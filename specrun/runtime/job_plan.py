"""A job's cached plan of an unpartitioned run, with the step program of each of its steps.

`planned_with_programs` makes both once per job (`api.execute_run` keeps them). For a job
without partitions or job hooks (of ops or of assets) it makes them in one pass over the
nodes: `plan_unpartitioned` asks `_OnePass.step` for each node's step, and that call makes
the node's step program first. A plain op or asset node (`step_recipe._plain_recipe`'s, each
of its inputs reading an unpartitioned output of an upstream node, or a fan-in's list of
unpartitioned op outputs, and no plain dep) gets
a `NodeStep`, whose upstream keys and inputs are not made unless read; the other nodes get
`_step`'s steps, and their step programs are made after the pass, in plan order, as before.
"""

from __future__ import annotations

import gc
from typing import Any, Iterable, Optional, Sequence

from .gc_pause import no_gc
from .plan import ExecutionPlan, ExecutionStep, build_plan
from .plan_tables import RunTables, optional_deps
from .plan_unpartitioned import NodeStep, _step, sources, unpartitioned_plan
from . import step_recipe
from .step_recipe import JobProgram, StepRecipe, _plain_output, job_program


def planned_with_programs(job: Any, step_keys: Optional[Sequence[str]],
                          programs: bool = True) -> ExecutionPlan:
    """The plan of an unpartitioned run of `job` (kept per job by the caller), with the step
    program of each of its steps made at once (unless not `programs`: the steps run in
    processes of their own, see `ExecutorDefinition.runs_steps_here`). Both live as long as
    the job, so they are frozen with what existed before the run (`api.execute_run` freezes
    that): else restoring the collector's threshold after set-up
    (`gc_pause.young_objects_collected_less`) starts a pass over all of them (~6k
    instructions a step on a 1,000-step chain). For the same reason the collector is paused
    while they are built: past `RUN_GC_THRESHOLD` young objects (a 10,000-step job) a pass
    would scan 100,000 of them and find nothing."""
    with no_gc():
        plan = _plan_and_programs(job, step_keys, programs)
        gc.freeze()  # (before the collector is on again: its count of young objects is reset)
    return plan


def _plan_and_programs(job: Any, step_keys: Optional[Sequence[str]], programs: bool) -> ExecutionPlan:
    program = job_program(job)
    plan = None
    if programs and step_keys is None and program.partitions_def is None and not program.job_hooks:
        one_pass = _OnePass(program)
        plan = unpartitioned_plan(job, None, one_pass.step)
    if plan is None:  # (not one pass, or a dynamic output: the general path's plan)
        plan = build_plan(job, (), step_keys)
        plain = _other_programs(program, programs, plan.steps.values())
    elif one_pass.others:  # (made in plan order, as the general path's)
        others = sorted(one_pass.others, key=plan.positions.get)
        plain = _other_programs(program, True, [plan.steps[key] for key in others])
    else:
        plain = True  # (every node's recipe is `_OnePass`'s: one plain output, required)
    if plan.dynamic is None:  # (a plan with dynamic outputs is made afresh for each run)
        plan.run_tables = run_tables(plan, program, plain)
    return plan


def _other_programs(program: JobProgram, programs: bool, steps: Iterable[ExecutionStep]) -> bool:
    """Make the step programs of `steps` not made yet (unless not `programs`); whether each
    of their nodes has one plain output, and it is required."""
    plain = True
    recipes = program.recipes
    for step in steps:
        node = step.node
        if programs:  # (`program.recipe(node)`, without the call)
            made = recipes.get(node.name)
            if made is None:
                made = recipes[node.name] = (step_recipe._plain_recipe(program, node)
                                             or step_recipe.general_recipe(program, node))
            name = made.plain_output
        else:
            name = _plain_output(node)
        if plain and (name is None or not node.op_def.outs[name].is_required):
            plain = False
    return plain


class _OnePass:
    """`plan_unpartitioned._step`, which also makes the step program of a plain op node (see
    the module docstring); `others`, the nodes it left to `_other_programs`; `token`, what
    stands for this pass when code versions are asked for in it (a bare object: the last one
    asked with is kept until another function is asked about, and it must not keep the pass,
    and through it the job's program, alive)."""

    __slots__ = ("program", "recipes", "others", "token")

    def __init__(self, program: JobProgram) -> None:
        self.program, self.recipes, self.others = program, program.recipes, []
        self.token = object()

    def step(self, node: Any, nodes: Any, later: list[str], successors: dict[str, list[str]],
             waiting: dict[str, int]) -> Optional[ExecutionStep]:
        if node.extra_deps:
            return self._other(node, nodes, later, successors, waiting)
        # (its inputs: upstream outputs; an input with no source makes it None: a node's inputs
        # are among its op's, so their counts need no comparing (~0.4k instructions a step).
        # This pass runs no user code between two nodes: what the code versions were read
        # from is checked once in it, `function_version_and_parts_text`)
        recipe = step_recipe._plain_recipe(self.program, node, self.token)
        if recipe is None:
            return self._other(node, nodes, later, successors, waiting)
        name = node.name
        self.recipes[name] = recipe
        if not node.op_def.outs[recipe.plain_output].is_required:
            return self._other(node, nodes, later, successors, waiting)
        count = 0
        for read in recipe.inputs:  # (one a node's input: its source third, a fan-in sixth)
            if read[5]:  # (a fan-in's list: each of its sources, as below)
                for up in read[2].sources:
                    downs = successors[up.node]
                    if not downs or downs[-1] != name:
                        downs.append(name)
                        count += 1
                continue
            downs = successors[read[2].node]
            if not downs or downs[-1] != name:  # (two inputs may read one node)
                downs.append(name)
                count += 1
        waiting[name] = count
        step = NodeStep()  # (its upstream keys and inputs: the node's, when read)
        step.key, step.node = name, node  # (two names a statement: no tuple made)
        step.partition_key = step.mapping_key = None
        return step

    def _other(self, node: Any, nodes: Any, later: list[str], successors: dict[str, list[str]],
               waiting: dict[str, int]) -> Optional[ExecutionStep]:
        self.others.append(node.name)
        return _step(node, nodes, later, successors, waiting)


def run_tables(plan: ExecutionPlan, program: JobProgram, plain: bool = False) -> RunTables:
    """The plan's `plan_tables.RunTables` (from the step programs of its steps when made);
    `plain`: every step's node has one plain output, and it is required.

    A step's input needs no check when, of the upstream outputs it reads, one is of a step
    outside the plan (loaded from storage) or a plain output (`_plain_output`) that is
    required: its step fails rather than succeed without it
    (`returned_outputs.collect_outputs`); a step with `plan_tables.optional_deps` is checked."""
    steps, recipes, nodes = plan.steps, program.recipes, program.nodes
    waiting = plan.upstream_counts  # (a one-pass plan's: `plan_unpartitioned`)
    if plain:  # every output a step reads is such an output
        return RunTables(plan, waiting, every_step_unchecked=True)
    unchecked = []
    for key, step in steps.items():
        for ups in _reads(step):
            for step_key, up, output in ups:
                if step_key not in steps:
                    break
                recipe, node = recipes.get(up), nodes[up]
                name = recipe.plain_output if recipe is not None else _plain_output(node)
                if name == output and node.op_def.outs[name].is_required:
                    break
            else:  # an input that may not be produced
                break
        else:
            if not optional_deps(step, steps):  # (nor a dep that may not be made)
                unchecked.append(key)
    return RunTables(plan, waiting, frozenset(unchecked))


def _reads(step: ExecutionStep) -> list:
    """Of each input of `step`, the (step, node, output name) of each upstream output it reads
    (of a `NodeStep`, from its node: its `inputs` are not made to be read here)."""
    if step.__class__ is NodeStep:
        return [[(s.node, s.node, s.output) for s in sources(src)] for src in step.node.inputs.values()]
    return [[(u.step_key, u.node, u.output_name) for u in ups] for ups in step.inputs.values()]

