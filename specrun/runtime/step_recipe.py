"""What every step of a node needs, worked out once per job: the node's step program.

A `StepRecipe` says how a step of the node is driven: whether its compute function is given
a context at all (`wants_context`: it takes one, has hooks, or reads an input that needs
one), which single plain output a returned value is (`plain_output`), and, for a plain
step, its compiled inputs and output (`plain`, see `_compile_plain`). Nothing in it depends on a
run: a run looks up its config itself (`RunContext.node_config`), so a second run of the same
job pays none of this. `JobProgram` holds a job's recipes and output facts (`job_program`).
"""

from __future__ import annotations

from typing import Any, Optional

from .context.compute import AssetCheckExecutionContext, AssetExecutionContext, OpExecutionContext
from .definitions.nodes import FromAsset, FromFanIn, FromOutput
from .definitions.ops import Out
from .definitions.types import DataType
from .job_cache import PLAIN_ASSET_NODES, per_job, told
from .materializations import facts_without_config
from .node_facts import TIMEOUT_TAGGED, node_fact
from .outputs import OutputFacts, new_output_facts, untyped_output_texts
from .plan_unpartitioned import sources
from .plain_asset_facts import upstream_output_facts
from .plain_outputs import PlainOutput, loaded_message, plain_op_output, upstream_outputs
from .timeouts import STEP_TIMEOUT_TAG, step_timeout


class JobProgram:
    """The step programs of one job (`StepRecipe` per node, `OutputFacts` per output), each
    worked out on first use and kept as long as the job (see `job_program`)."""

    __slots__ = ("job_hooks", "op_retry_policy", "partitions_def", "asset_defs", "nodes",
                 "recipes", "facts", "timed_nodes", "key_sets", "output_texts", "input_texts",
                 "plain_outputs", "plain_assets", "__weakref__")

    def __init__(self, job: Any) -> None:
        # The job's parts, not the job: this is cached on the job by a weak reference to it.
        self.job_hooks = tuple(sorted(job.hook_defs, key=lambda h: h.name))
        self.op_retry_policy = job.op_retry_policy
        self.partitions_def = job.partitions_def
        self.asset_defs = job.asset_defs
        self.nodes = job.nodes
        self.recipes: dict[str, StepRecipe] = {}
        # (node, output) -> the output's facts, as `output_facts` gives them: the facts a plain
        # asset step's recipe holds (`_plain_recipe`) are put here when first asked for
        # there, not when made (a table of every asset's facts, filled on the job's first run).
        self.facts: dict[tuple[str, str], OutputFacts] = {}
        # One frozenset per distinct set of IO manager keys, shared by the plain steps that
        # use it (keyed by the set, or by the key for a one-key set): fewer objects kept, and
        # `RunContext.keyed_managers` finds its cached answer by identity.
        self.key_sets: dict[Any, frozenset] = {}
        # IO manager key -> output name -> an untyped output's two messages (`OutputFacts`):
        # looked up by the two texts, without a tuple of them made to look up, once an output.
        self.output_texts: dict[str, dict[str, tuple[str, str]]] = {}
        self.input_texts: dict[str, dict[str, str]] = {}  # (key -> input -> `loaded_message`)
        # IO manager key -> output name -> the `PlainOutput` of plain op steps.
        self.plain_outputs: dict[str, dict[str, PlainOutput]] = {}
        # Whether the job's build told it each node is a plain asset's (`_plain_recipe`).
        self.plain_assets = told(job, PLAIN_ASSET_NODES) is True
        # Nodes with a step time limit, sorted (`timeouts.refuse_unenforced_step_timeouts`).
        self.timed_nodes = tuple(sorted(name for name in node_fact(job, TIMEOUT_TAGGED)
                                        if step_timeout(job.nodes[name]) is not None))

    def recipe(self, node: Any) -> "StepRecipe":
        recipe = self.recipes.get(node.name)
        if recipe is None:
            recipe = self.recipes[node.name] = _plain_recipe(self, node) or general_recipe(self, node)
        return recipe

    def output_facts(self, node: Any, name: str) -> OutputFacts:
        key = (node.name, name)
        facts = self.facts.get(key)
        if facts is None:
            recipe = self.recipes.get(node.name)  # (held by a plain asset step's, if any)
            held = recipe is not None and recipe.plain_output == name and recipe.output
            facts = self.facts[key] = (held if held.__class__ is OutputFacts
                                       else new_output_facts(self, node, name))
        return facts


def job_program(job: Any) -> JobProgram:
    """The job's `JobProgram`, made on its first run."""
    return per_job(job, "program", lambda: JobProgram(job))


class StepRecipe:
    """The per-node step program of a job (see the module docstring): made by `general_recipe`
    or `_plain_recipe`. No `__init__`: a class call without one makes an instance for ~0.3k
    instructions less than `object.__new__`, and a job's plan makes one a step. Its `inputs`
    is the list its maker filled (only read after: no tuple made of it, ~0.3k a step).
    The slots a plain step's run reads come first: at 10,000 steps a recipe is out of cache
    when its step runs, and each line of it read is a miss (see `outputs.OutputFacts`)."""

    __slots__ = ("manager_keys", "timeout", "inputs", "compute_fn", "plain_output", "output",
                 "hooks", "signature", "node", "context_class", "partitions_def", "_op_tags",
                 "retry_policy", "wants_context")

    @property
    def plain(self) -> Optional["StepRecipe"]:
        """This recipe when its steps are plain (see `_compile_plain`), else None."""
        return self if self.manager_keys is not None else None

    @property
    def op_tags(self) -> dict:
        if self._op_tags is None:
            self._op_tags = {**self.node.op_def.tags, **self.node.tags}
        return self._op_tags


def general_recipe(program: JobProgram, node: Any) -> StepRecipe:
    """The step program of any node (`_plain_recipe` makes that of a plain one faster)."""
    recipe = StepRecipe()
    op_def = node.op_def
    recipe.node = node
    recipe.context_class = (AssetCheckExecutionContext if node.check is not None else
                            AssetExecutionContext if node.asset is not None else OpExecutionContext)
    recipe.partitions_def = (program.partitions_def if node.asset is None and node.graph_asset is None
                             and node.check is None else _partitions_def(program, node))
    recipe._op_tags = None
    recipe.retry_policy = node.retry_policy or op_def.retry_policy or program.op_retry_policy
    recipe.timeout = (step_timeout(node) if STEP_TIMEOUT_TAG in op_def.tags or STEP_TIMEOUT_TAG in node.tags
                      else None)
    recipe.hooks = tuple(dict.fromkeys((*node.hooks, *program.job_hooks))) if (
        node.hooks or program.job_hooks) else ()
    sig = recipe.signature = op_def.signature
    recipe.compute_fn = op_def.compute_fn  # (what its steps call: their op is not read for it)
    # A plain step so far (see `_compile_plain`); its inputs are compiled in the loop below.
    plain = not (sig.context_param is not None or recipe.hooks or recipe.timeout is not None
                 or sig.config_param is not None or sig.resource_params)
    # (name, In, source, passed to the function, type-checked, and for a plain step's
    # input what `_plain_input` adds: a fan-in, IO manager key, LOADED_INPUT message, key
    # path): Nothing inputs the function does not take are only ordering, not loaded.
    inputs = []
    params = sig.input_param_set  # (a set when long: a join may have 10,000 inputs)
    wants = sig.context_param is not None or bool(recipe.hooks)
    node_inputs = node.inputs
    for name, spec in op_def.ins.items():
        passed = name in params
        untyped = spec.dagster_type is None  # (most inputs: no type to read)
        if passed or untyped or not spec.is_nothing:
            src = node_inputs.get(name)
            checked = not untyped and type_checked(spec)
            passed = passed or sig.has_var_kwargs
            if spec.input_manager_key or src.__class__ is FromAsset:
                wants = True  # an input manager, or a stored asset: its context reads the step's
                plain = False
            elif plain and not checked:
                compiled = _plain_input(program, name, spec, src, passed)
                if compiled is not None:
                    inputs.append(compiled)
                    continue
                plain = False
            else:
                plain = False
            inputs.append((name, spec, src, passed, checked, False, None, None, None))
    recipe.inputs = inputs
    recipe.wants_context = wants
    recipe.plain_output = _plain_output(node)
    # A plain step's compiled output (see `plain`), in this object: one fewer a node.
    recipe.output = recipe.manager_keys = None
    if plain:
        _compile_plain(program, recipe)
    return recipe


def _plain_recipe(program: JobProgram, node: Any, checked: Any = None) -> Optional[StepRecipe]:
    """`general_recipe(program, node)` of a plain step (see `_compile_plain`) of an op or asset
    node with one untyped output whose inputs each read one upstream output (most nodes) or a
    fan-in's list of them, made in one pass; None for any other node (`general_recipe` makes
    its recipe). The facts are made in the same order as there; test_step_recipe.py compares
    every slot.
    `checked`: the pass asking, if any (see `code_version.function_version_and_parts_text`).
    Of a job told `job_cache.PLAIN_ASSET_NODES` when built (`program.plain_assets`), what that
    says of each node (no check, graph asset, hooks, job hooks or time limit tag; one Out,
    `result`) is not asked again."""
    op_def, asset = node.op_def, node.asset
    sig, outs = op_def.signature, op_def.outs
    if program.plain_assets:
        out_name = "result"
        out = outs[out_name]
    elif (node.check is not None or node.graph_asset is not None or node.hooks or program.job_hooks
            or STEP_TIMEOUT_TAG in op_def.tags or STEP_TIMEOUT_TAG in node.tags or len(outs) != 1):
        return None
    else:
        for out_name in outs:  # (the one)
            out = outs[out_name]
        if out.__class__ is not Out:
            return None
    if (sig.context_param is not None or sig.config_param is not None or sig.resource_params
            or out.dagster_type is not None
            or (asset is not None and (asset.multi or asset.check_specs))):
        return None
    # (Two names a statement here and below: an assignment to four names or more makes a
    # tuple and takes it apart again, ~0.3k instructions on CPython 3.11, once a node.)
    recipes, inputs = program.recipes, []
    out_key, several = out.io_manager_key, False
    node_inputs = node.inputs
    ins, texts = op_def.ins, program.input_texts
    for name in ins:
        spec = ins[name]
        if spec.dagster_type is not None or spec.input_manager_key:
            return None
        try:  # (a subscript: ~0.2k instructions less than `.get`; raises only where rare)
            src = node_inputs[name]
        except KeyError:  # (an input with no source: not plain)
            return None
        if src.__class__ is not FromOutput:  # (a fan-in's list of op outputs, or not plain)
            compiled = src.__class__ is FromFanIn and _plain_input(
                program, name, spec, src, name in sig.input_param_set or sig.has_var_kwargs)
            if not compiled:
                return None
            several = several or compiled[6] != out_key
            inputs.append(compiled)
            continue
        up = recipes.get(src.node)  # (`upstream_outputs`' first look, without the call)
        up = up.output if up is not None and up.plain_output == src.output else None
        if up is None:  # (its facts when made, else made: `upstream_outputs`' two other looks)
            up = (program.facts.get((src.node, src.output))
                  or upstream_output_facts(program, program.nodes[src.node], src.output))
        store_key, key = up.store_key, up.io_manager_key
        if store_key is None or up.is_nothing or key is None:
            return None
        if key != out_key:
            several = True
        try:  # (`loaded_message`'s look-up, without the call: made once a job, see there)
            message = texts[key].get(name)  # (not raised a name: a join's inputs have many)
        except KeyError:
            message = None
        if message is None:
            message = loaded_message(program, name, key)
        passed = name in sig.input_param_set or sig.has_var_kwargs
        inputs.append((name, spec, src, passed, False, False, key, message, store_key or None))
    if asset is not None:  # (`program.output_facts`'s first look, without the call)
        output = program.facts.get((node.name, out_name))  # (made by a step reading it, if any)
        if output is None:  # (kept by the recipe: see `JobProgram.facts`)
            if asset.partitions_def is not None:  # (a partitioned value: see below)
                return None
            # `new_output_facts(program, node, out_name)` of this untyped, unpartitioned output of
            # a plain asset (not a graph's), without the call and the tests whose answer is known
            # here (~1.3k instructions a step); test_step_recipe.py compares every slot, and
            # those `plain_asset_facts.upstream_output_facts` makes, alike.
            output = OutputFacts()
            output.out_def = out
            output.name = out_name
            output.node_name = node.name
            output.is_nothing = output.type_checked = False
            output.io_manager_key = out_key
            asset_key = output.asset_key = asset.keys_by_output_name.get(
                out_name, None if asset.graph is not None else asset.key)
            output.partitions_def = None
            output.per_partition = False
            try:  # (the output's two messages, made once a job for its name and IO manager)
                texts = program.output_texts[out_key][out_name]
            except KeyError:
                texts = untyped_output_texts(program, out_name, out_key)
            output.yielded_message, output.handled_message = texts
            output.op_def = op_def
            output.store_key = asset_key.parts if asset_key is not None else ()
            output.versions = None
        elif output.store_key is None:  # (a partitioned value)
            return None
        if output.versions is None:  # (see `_compile_plain`; `_make_versions`, without the call)
            try:
                output.versions = facts_without_config(node, output.asset_key, output, checked)
            except Exception:  # noqa: BLE001 (raised again, by the step: see `_make_versions`)
                pass
    elif program.partitions_def is None:
        try:  # (`plain_op_output`, without the call once made; subscripts: ~0.2k less than .get)
            output = program.plain_outputs[out_key][out_name]
        except KeyError:
            output = plain_op_output(program, out_name, out_key)
    else:  # (a partitioned value)
        return None
    recipe = StepRecipe()
    recipe.node, recipe.signature = node, sig
    recipe.compute_fn = op_def.compute_fn  # (as `general_recipe`'s)
    recipe.plain_output, recipe.inputs = out_name, inputs
    recipe.context_class = OpExecutionContext if asset is None else AssetExecutionContext
    recipe.partitions_def, recipe._op_tags = output.partitions_def, None
    recipe.timeout, recipe.hooks = None, ()
    recipe.retry_policy = node.retry_policy or op_def.retry_policy or program.op_retry_policy
    recipe.wants_context, recipe.output = False, output
    try:  # (`_manager_keys`, without the call when every key is the output's and its set is made)
        recipe.manager_keys = _manager_keys(program, out_key, inputs) if several else program.key_sets[out_key]
    except KeyError:
        recipe.manager_keys = _manager_keys(program, out_key, inputs)
    return recipe


def _manager_keys(program: JobProgram, key: str, inputs: tuple) -> frozenset:
    """The IO manager keys a plain step loads and stores through (its output's, `key`, and
    its inputs'): one frozenset per distinct set, shared (`JobProgram.key_sets`)."""
    shared = program.key_sets
    for i in inputs:
        if i[6] != key:  # several IO managers
            keys = frozenset([key, *[i[6] for i in inputs]])
            return shared.setdefault(keys, keys)
    keys = shared.get(key)  # (most steps: one)
    if keys is None:
        keys = shared[key] = frozenset((key,))
    return keys


def _compile_plain(program: JobProgram, recipe: StepRecipe) -> None:
    """Set the compiled output of a plain step on its recipe, unless the node's output makes
    its steps take the general path (then `recipe.plain` stays None).

    A plain step's inputs are outputs of upstream steps (one each, or a fan-in's list), its
    function takes no context, config or resource, it has no hooks, time limit or type
    checks, and its one output is not partitioned (an asset's input reads an unpartitioned
    upstream asset; a fan-in, op outputs only). Such a step's values are loaded by key
    (`..keyed_io`) when the run's IO managers can (`RunContext.keyed_managers`), an op's
    output stored by key, an asset's too (`outputs.store_plain_asset_output`: its versions, its
    materialization); its events are the general path's.

    `recipe.inputs`: each compiled by `_plain_input`; `recipe.output`: the output's
    `OutputFacts` (an untyped op output's shared `PlainOutput`); `recipe.manager_keys`: every
    IO manager key it loads or stores through.

    An asset output's facts get their version facts of a run without config
    (`OutputFacts.versions`, which `RunContext.asset_versions` would make in the first run):
    made with the job's program, they are frozen with it (`job_plan.planned_with_programs`)
    instead of being new objects each of the first run's young collector passes goes over.
    """
    if recipe.plain_output is None:
        return
    output = program.output_facts(recipe.node, recipe.plain_output)
    if output.type_checked or output.store_key is None:  # (None: a partitioned value)
        return
    if output.asset_key is None and output.out_def.dagster_type is None:  # (as `_plain_recipe`'s)
        output = plain_op_output(program, output.name, output.io_manager_key)
    elif output.asset_key is not None and output.versions is None:  # (as `_plain_recipe`'s)
        _make_versions(recipe.node, output)
    recipe.output = output
    recipe.manager_keys = _manager_keys(program, output.io_manager_key, recipe.inputs)


def _make_versions(node: Any, output: OutputFacts) -> None:
    """Set `output.versions` (see `_compile_plain`). Reading the code version walks the user's
    code: should that raise, they are left unmade, for the step that stores the output to
    make them again and fail with the error, as it did when only steps made them."""
    try:
        output.versions = facts_without_config(node, output.asset_key, output)
    except Exception:  # noqa: BLE001 (raised again, by the step, where it belongs)
        output.versions = None


def _plain_input(program: JobProgram, name: str, spec: Any, src: Any, passed: bool) -> Optional[tuple]:
    """A plain step's input (see `_compile_plain`): (name, In, source, passed to the function,
    False (not type-checked), a fan-in, IO manager key, LOADED_INPUT message, the upstream
    asset's key path or None for an op output); or None when the input is not plain: every
    upstream output it reads is an unpartitioned op output, all through one IO manager, or
    it reads one unpartitioned upstream asset."""
    cls = src.__class__
    if cls is not FromOutput and cls is not FromFanIn:
        return None
    key, store_key = None, None
    for facts in upstream_outputs(program, sources(src)):  # (each once: see there)
        store_key = facts.store_key
        if (store_key is None or (store_key and cls is FromFanIn) or facts.is_nothing
                or (key is not None and facts.io_manager_key != key)):
            return None
        key = facts.io_manager_key
    if key is None:
        return None
    return (name, spec, src, passed, False, cls is FromFanIn, key,
            loaded_message(program, name, key), store_key or None)


def type_checked(spec: Any) -> bool:
    """Whether values of an input or output (`spec`: an In or Out) have a type check to pass."""
    t = spec.dagster_type
    return isinstance(t, DataType) and t.type_check_fn is not None


def _plain_output(node: Any) -> Optional[str]:
    """The name of the node's one output when a returned plain value is all there is to store
    (not a check, a multi-asset, an asset with checks, a dynamic or Nothing output)."""
    outs = node.op_def.outs
    if len(outs) != 1 or node.check is not None:
        return None
    asset = node.asset
    if asset is not None and (asset.multi or asset.check_specs):
        return None
    for name in outs:  # (the one)
        out = outs[name]
        if out.__class__ is Out and out.dagster_type is None:  # (most outputs, without the reads below)
            return name
        return None if out.is_dynamic or out.is_nothing else name
    return None


def _partitions_def(program: JobProgram, node: Any) -> Any:
    if node.asset is not None or node.graph_asset is not None:
        return node.asset_partitions_def
    if node.check is not None:
        return getattr(program.asset_defs.get(node.check.asset_key), "partitions_def", None)
    return program.partitions_def
