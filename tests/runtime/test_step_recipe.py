"""Step programs (runtime/step_recipe.py): a plain step's compiled path gives every event
the general path gives, in the same order, with the same values."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass

from specrun import AssetIn, Config, asset, materialize, materialize_to_memory, mem_io_manager
from specrun.runtime import job_plan, step_attempt, step_recipe
from specrun.runtime import materialize as materialize_module
from specrun.runtime.inputs import load_plain_inputs
from specrun.runtime.job_cache import per_job
from specrun.runtime.definitions.jobs import build_asset_job
from specrun.runtime.outputs import OutputFacts
from specrun.runtime.step_recipe import job_program
from specrun.runtime import versioning as v


@asset
def source():
    return 2


@asset(ins={"up": AssetIn("source")})
def doubled(up):
    return up * 2


@asset(deps=[source])
def after_source():
    return 0


@asset
def summed(doubled, source, after_source):
    return doubled + source + after_source


ASSETS = [source, doubled, after_source, summed]


def _comparable(event):
    """An event without what differs between two runs (run id, time, data versions)."""
    data = event.event_specific_data
    if is_dataclass(data):
        data = asdict(data)
        if isinstance(data.get("tags"), dict):
            data["tags"] = {k: t for k, t in data["tags"].items()
                            if k not in (v.DATA_VERSION_TAG, v.INPUT_DATA_VERSIONS_TAG)}
    return event.event_type, event.step_key, event.message, repr(data)


def _events(result):
    return [_comparable(e) for e in result.all_events]


def test_asset_steps_take_the_plain_path():
    job = build_asset_job("plain_assets", ASSETS)
    program = job_program(job)
    plain = {name: program.recipe(job.nodes[name]).plain for name in ("doubled", "summed")}
    assert plain["doubled"].inputs[0][-1] == ("source",)  # loaded by the asset's key path
    assert [i[-1] for i in plain["summed"].inputs] == [("doubled",), ("source",), ("after_source",)]


def test_the_plain_path_gives_the_general_paths_events_and_values(monkeypatch):
    loaded_plainly = []

    def counting(run, step, *args):
        loaded_plainly.append(step.key)
        return load_plain_inputs(run, step, *args)

    monkeypatch.setattr(step_attempt, "load_plain_inputs", counting)
    for run in (materialize_to_memory, lambda a: materialize(a, resources={"io_manager": mem_io_manager})):
        monkeypatch.setattr(materialize_module, "_ASSET_JOBS", {})  # a new job: its step programs made anew
        fast = run(ASSETS)
        # (not the first step, `source`: the general path sets the run's resources up)
        assert sorted(loaded_plainly) == ["after_source", "doubled", "summed"]
        loaded_plainly.clear()
        monkeypatch.setattr(materialize_module, "_ASSET_JOBS", {})
        with monkeypatch.context() as general:
            general.setattr(step_recipe, "_compile_plain", lambda *a: None)
            general.setattr(step_recipe, "_plain_recipe", lambda *a: None)
            slow = run(ASSETS)
        assert loaded_plainly == []  # the general path
        assert _events(fast) == _events(slow)
        assert fast.output_for_node("summed") == slow.output_for_node("summed") == 6


def _slots(obj):
    found = {name: getattr(obj, name) for name in type(obj).__slots__ if name != "__weakref__"}
    for base in type(obj).__mro__[1:]:  # (output facts: the version facts' slots, when set)
        found.update((name, getattr(obj, name, None)) for name in getattr(base, "__slots__", ()))
    if found.get("versions") is obj:  # (an asset output's facts are its version facts)
        found["versions"] = "the facts themselves"
    elif found.get("versions") is not None:  # (version facts of their own: by their values)
        found["versions"] = _slots(found["versions"])
    return found


def _programs(job, monkeypatch, fast):
    """Each node's recipe (every slot, its output facts' slots) and the program's facts in
    the order they were made: made by `_plain_recipe` where it can (`fast`), else by
    `StepRecipe` alone; and the nodes whose recipe `_plain_recipe` made."""
    made = []

    def plain_recipe(program, node):
        recipe = original(program, node)
        if recipe is not None:
            made.append(node.name)
        return recipe

    original = step_recipe._plain_recipe
    with monkeypatch.context() as m:
        m.setattr(step_recipe, "_plain_recipe", plain_recipe if fast else lambda *a: None)
        program = step_recipe.JobProgram(job)
        recipes = {name: _slots(program.recipe(node)) for name, node in job.nodes.items()}
    for recipe in recipes.values():
        if recipe["output"] is not None:
            recipe["output"] = _slots(recipe["output"])
    # (the facts of each output made: a plain asset step's are held by its recipe)
    held = {(name, r.plain_output): r.output for name, r in program.recipes.items()
            if r.output.__class__ is OutputFacts}
    facts = sorted(((key, _slots(f)) for key, f in {**program.facts, **held}.items()),
                   key=lambda made: made[0])
    return recipes, facts, program.key_sets, made


def _varied_op_job():
    from specrun import DynamicOut, DynamicOutput, In, Nothing, Out, RetryPolicy
    from specrun import job, op, success_hook

    @op(out=Out(io_manager_key="other"))
    def first():
        return 1

    @op
    def plain(x):
        return x

    @op(ins={"x": In(int)})
    def typed_in(x):
        return x

    @op(out=Out(int))
    def typed_out(x):
        return x

    @op
    def with_context(context, x):
        return x

    @op(out={"a": Out(), "b": Out()})
    def two(x):
        return x, x

    @op(out=Out(Nothing))
    def nothing(x):
        return None

    @op(ins={"after": In(Nothing)})
    def after_nothing(after):
        return 1

    @op(retry_policy=RetryPolicy(max_retries=2), tags={"specrun/timeout": "5"})
    def timed(x):
        return x

    @op(retry_policy=RetryPolicy(max_retries=1))
    def retried(x, y):
        return x + y

    @op
    def joined(xs):
        return sum(xs)

    @op(out=DynamicOut())
    def fan():
        yield DynamicOutput(1, mapping_key="a")

    @success_hook
    def hook(context):
        return None

    @job(resource_defs={"other": mem_io_manager})
    def varied():
        a = first()
        b = plain(a)
        typed_in(b)
        typed_out(b)
        with_context(b)
        two(b)
        after_nothing(nothing(b))
        timed(b)
        retried(b, plain.alias("again")(b))
        joined([a, b])
        joined.alias("gathered")([b, plain.alias("more")(b)])  # (a fan-in through one IO manager)
        plain.alias("hooked").with_hooks([hook])(b)
        fan()

    return varied


def test_plain_recipes_made_in_one_pass_equal_the_general_paths(monkeypatch):
    from specrun import DailyPartitionsDefinition
    from specrun.runtime.definitions.jobs import build_asset_job

    @asset(partitions_def=DailyPartitionsDefinition(start_date="2024-01-01"))
    def daily():
        return 1

    @asset
    def reads_daily(daily):
        return daily

    jobs = {"assets": build_asset_job("one_pass_assets", ASSETS),
            "partitioned": build_asset_job("one_pass_daily", [daily, reads_daily]),
            "ops": _varied_op_job()}
    fast_nodes = {"assets": ["source", "doubled", "after_source", "summed"], "partitioned": [],
                  "ops": ["first", "plain", "again", "retried", "gathered", "more"]}
    for what, job in jobs.items():
        fast, fast_facts, fast_sets, made = _programs(job, monkeypatch, True)
        general, general_facts, general_sets, none = _programs(job, monkeypatch, False)
        assert none == [] and sorted(made) == sorted(fast_nodes[what]), what
        assert fast == general, what
        # The same facts, but for an untyped op output a plain step stores: its recipe's
        # output is the `PlainOutput` shared by such outputs (equal to its facts' slots of
        # the same names), and the one pass makes no `OutputFacts` of it.
        facts = dict(general_facts)
        shared = {name for name, r in general.items() if r["output"] and "node_name" not in r["output"]}
        assert shared == set(fast_nodes[what]) - {"source", "doubled", "after_source", "summed"}, what
        for name in shared:
            out = general[name]["output"]
            assert out == {k: facts[(name, "result")][k] for k in out}, what
        assert fast_facts == [(k, f) for k, f in general_facts if k[0] not in shared], what
        assert fast_sets == general_sets, what


def test_a_plain_asset_steps_program_holds_the_version_facts_of_a_run_without_config(monkeypatch):
    """The version facts of a plain asset step's output are made with the job's program (one
    pass or not), are those a run without config would make, and the run uses them; an asset
    whose step is not plain (it takes a context) gets them in its first run, as before."""
    from specrun.runtime.materializations import AssetVersionFacts, facts_without_config

    @asset
    def with_context(context, summed):
        return summed

    job = build_asset_job("version_facts", [*ASSETS, with_context])
    for fast in (True, False):
        with monkeypatch.context() as m:
            if not fast:
                m.setattr(step_recipe, "_plain_recipe", lambda *a: None)
            program = step_recipe.JobProgram(job)
            for node in job.nodes.values():
                program.recipe(node)
        for name in ("source", "doubled", "after_source", "summed"):
            facts = program.output_facts(job.nodes[name], "result")
            expected = facts_without_config(job.nodes[name], facts.asset_key)
            assert facts.versions is facts, (fast, name)  # (they are set in the output's facts)
            assert {s: getattr(facts, s) for s in AssetVersionFacts.__slots__} == _slots(expected)
        assert program.output_facts(job.nodes["with_context"], "result").versions is None
    result = materialize_to_memory([*ASSETS, with_context])
    program = result._ctx.program
    for name in ("summed", "with_context"):
        tags = result.asset_materializations_for_node(name)[0].tags
        facts = program.output_facts(job.nodes[name], "result")
        assert tags[v.CODE_VERSION_TAG] == facts.versions.code_version
        assert result._ctx.asset_versions(job.nodes[name], facts) is facts.versions


class _Refusing:
    """A module-level value whose every unknown attribute raises: reading the code version of
    a function that reads it fails (the walk asks it for `compute_fn`)."""

    def __getattr__(self, name):
        raise RuntimeError(f"no {name} here")


_REFUSING = _Refusing()


def test_a_code_version_that_cannot_be_read_fails_the_assets_step_not_the_plan():
    """The program leaves the version facts of an asset whose code version cannot be read
    unmade: its step makes them, fails with the error and its downstream step is skipped, as
    when only steps made them (without that, the run raised from its plan)."""

    @asset
    def reads_refusing():
        return type(_REFUSING).__name__

    @asset
    def after_refusing(reads_refusing):
        return reads_refusing

    result = materialize_to_memory([reads_refusing, after_refusing], raise_on_error=False)
    assert not result.success
    assert [(e.event_type_value, e.step_key) for e in result.all_events] == [
        ("RUN_START", None), ("STEP_START", "reads_refusing"), ("STEP_OUTPUT", "reads_refusing"),
        ("STEP_FAILURE", "reads_refusing"), ("STEP_SKIPPED", "after_refusing"), ("RUN_FAILURE", None)]
    failure = result.all_events[3].event_specific_data.error
    assert "no compute_fn here" in failure.message


def test_plain_steps_share_one_frozenset_per_set_of_io_manager_keys_and_one_output_per_key():
    from specrun import Out, job, op

    @op(out=Out(io_manager_key="other"))
    def first():
        return 1

    @op
    def second(x):
        return x

    @op
    def third(x):
        return x

    @job(resource_defs={"other": mem_io_manager})
    def keyed():
        a = first()
        b = second(a)
        second.alias("again")(a)
        third(b)
        third.alias("fourth")(b)  # (its set and output found made: the look-ups' other way)

    program = job_program(keyed)
    plain = {name: program.recipe(node).plain for name, node in keyed.nodes.items()}
    for step in plain.values():  # the set every input and the output name, as made per step before
        assert step.manager_keys == frozenset([step.output.io_manager_key, *[i[6] for i in step.inputs]])
    assert plain["first"].manager_keys == {"other"}
    assert plain["second"].manager_keys == {"io_manager", "other"}
    assert plain["third"].manager_keys == {"io_manager"}
    assert plain["again"].manager_keys is plain["second"].manager_keys
    assert plain["fourth"].manager_keys is plain["third"].manager_keys
    assert job_program(keyed).recipe(keyed.nodes["third"]).plain.manager_keys is program.key_sets["io_manager"]
    # One `PlainOutput` per output name and IO manager key, and no node's `OutputFacts`
    # (only the general path reads them).
    outputs = {name: step.output for name, step in plain.items()}
    assert outputs["second"] is outputs["again"] is outputs["third"] is outputs["fourth"] is not outputs["first"]
    assert [(o.name, o.io_manager_key, o.asset_key, o.store_key) for o in outputs.values()] == [
        ("result", "other", None, ())] + [("result", "io_manager", None, ())] * 4
    assert outputs["third"].handled_message == 'Handled output "result" using IO manager "io_manager"'
    assert program.facts == {}
    assert keyed.execute_in_process().output_for_node("third") == 1


def _mixed_job():
    """A job whose steps' inputs are of every kind the scheduler's check reads: an optional
    output not yielded, a fan-in of a produced and an unproduced output, a failure in a chain
    and steps after it in plan order (the optional output comes first)."""
    from specrun import Out, Output, job, op

    @op(out={"kept": Out(), "maybe": Out(is_required=False)})
    def branches():
        yield Output(1, "kept")

    @op
    def after_kept(x):
        return x

    @op
    def after_maybe(x):
        return x

    @op
    def joined(xs):
        return len(xs)

    @op
    def s_source():
        return 3

    @op
    def t_fails(x):
        raise ValueError("no")

    @op
    def u_after_failure(x):
        return x

    @op
    def z_last(x):
        return x

    @job
    def mixed():
        kept, maybe = branches()
        after_kept(kept)
        after_maybe(maybe)
        joined([kept, maybe])
        source = s_source()
        u_after_failure(t_fails(source))
        z_last(source)

    return mixed


def _unchecked(tables) -> set:
    """The keys of the steps a plan's `RunTables` mark unchecked (a table by plan position)."""
    return {step.key for step, flag in zip(tables.steps, tables.unchecked or ()) if flag}


def _waiting(tables) -> dict:
    return {step.key: count for step, count in zip(tables.steps, tables.waiting)}


def test_run_tables_release_unchecked_only_steps_whose_inputs_are_sure_to_be_produced():
    job = _mixed_job()
    plan = job_plan.planned_with_programs(job, None)
    assert _unchecked(plan.run_tables) == {"branches", "s_source", "t_fails", "u_after_failure", "z_last"}
    assert _waiting(plan.run_tables) == {k: len(s.upstream_keys) for k, s in plan.steps.items()}
    subset = job_plan.planned_with_programs(job, ["after_kept", "after_maybe"])
    assert _unchecked(subset.run_tables) == {"after_kept", "after_maybe"}  # both read stored outputs


def test_run_tables_of_a_plan_of_plain_outputs_are_those_of_the_step_by_step_check():
    from specrun import job, op

    @op
    def first():
        return 1

    @op
    def then(x, y):
        return x + y

    @job
    def plain():
        a = first()
        then(a, then.alias("middle")(a, a))

    plan = job_plan.planned_with_programs(plain, None)
    step_by_step = job_plan.run_tables(plan, job_program(plain), False)
    assert _unchecked(plan.run_tables) == _unchecked(step_by_step) == set(plan.steps)
    assert _waiting(plan.run_tables) == _waiting(step_by_step) == {"first": 0, "middle": 1, "then": 2}


def test_runs_with_run_tables_give_the_general_paths_events(monkeypatch):
    job = _mixed_job()
    fast = job.execute_in_process(raise_on_error=False)
    fast_again = job.execute_in_process(raise_on_error=False)  # (its plan, tables and all, kept)
    assert per_job(job, ("plan", None, True), lambda: None).run_tables.unchecked
    monkeypatch.setattr(job_plan, "run_tables", lambda *a: None)
    slow = _mixed_job().execute_in_process(raise_on_error=False)
    assert _events(fast) == _events(slow) == _events(fast_again)
    skipped = {e.step_key: e.message for e in slow.all_events if e.event_type.value == "STEP_SKIPPED"}
    assert sorted(skipped) == ["after_maybe", "u_after_failure"]
    assert slow.output_for_node("joined") == fast.output_for_node("joined") == 1
    assert fast.output_for_node("z_last") == 3



def test_the_objects_a_plan_makes_a_step_of_are_made_by_class_calls():
    """A step's recipe, output facts, asset version facts and `NodeStep` have no `__init__` of
    their own: a class call makes each (cheaper than `object.__new__`), and what their makers
    give is complete (every slot set) and of that class."""
    from specrun.runtime.materializations import AssetVersionFacts
    from specrun.runtime.plan_unpartitioned import NodeStep

    made = {cls: cls() for cls in (step_recipe.StepRecipe, OutputFacts, AssetVersionFacts, NodeStep)}
    assert all(obj.__class__ is cls for cls, obj in made.items())
    job = build_asset_job("job", ASSETS)
    plan = per_job(job, ("plan", None, True), lambda: job_plan.planned_with_programs(job, None))
    program = job_program(job)
    node = job.nodes["doubled"]
    recipe = program.recipes["doubled"]
    assert ("doubled", "result") not in program.facts  # (its recipe holds them, until asked for)
    facts = program.output_facts(node, "result")
    assert program.facts[("doubled", "result")] is facts
    assert plan.steps["doubled"].__class__ is NodeStep and plan.steps["doubled"].node is node
    assert recipe.__class__ is step_recipe.StepRecipe and recipe.output is facts
    assert facts.__class__ is OutputFacts and facts.versions is facts  # (no object of their own)
    assert isinstance(facts, AssetVersionFacts)
    general = step_recipe.general_recipe(program, node)
    for obj in (recipe, general, facts):
        slots = [s for cls in type(obj).__mro__ for s in getattr(cls, "__slots__", ())]
        assert [s for s in slots if not hasattr(obj, s)] == []
    assert (facts.asset_key, facts.store_key, facts.versions.message) == (
        doubled.key, ("doubled",), "Materialized value doubled")


class _Factor(Config):
    n: int = 2


def test_a_plain_asset_jobs_recipes_made_told_are_those_made_asking_each_node():
    """Of a job built told `PLAIN_ASSET_NODES`, `_plain_recipe` skips what the build vouched
    for (its program's `plain_assets`), and makes for each node the recipe made asking
    everything (every slot, its output facts'), or None for the same nodes: those its build
    did not vouch for (a context or config parameter, a typed output, check specs)."""
    from specrun import AssetCheckResult, AssetCheckSpec
    from specrun.runtime.job_cache import ATTR, PLAIN_ASSET_NODES

    @asset
    def with_context(context, doubled):
        return doubled

    @asset
    def configured(doubled, config: _Factor):
        return doubled * config.n

    @asset(required_resource_keys={"db"})
    def with_resource(doubled):
        return doubled

    @asset(dagster_type=int)
    def typed(doubled):
        return doubled

    @asset(check_specs=[AssetCheckSpec("positive", asset="checked")])
    def checked(doubled):
        yield AssetCheckResult(passed=True)
        return doubled

    job = build_asset_job("told", [*ASSETS, with_context, configured, with_resource, typed, checked])
    assert job.__dict__[ATTR][PLAIN_ASSET_NODES] is True
    made = {}
    for told in (False, True):
        for name, node in job.nodes.items():  # (a program each: no facts made by another)
            program = step_recipe.JobProgram(job)
            assert program.plain_assets is True
            program.plain_assets = told
            recipe = step_recipe._plain_recipe(program, node)
            if recipe is not None:
                recipe = _slots(recipe)
                recipe["output"] = _slots(recipe["output"])
            made[(told, name)] = recipe
    plain = {"source", "doubled", "after_source", "summed", "with_resource"}  # (keys: not params)
    assert {name for (told, name), recipe in made.items() if recipe is not None} == plain
    assert all(made[(True, name)] == made[(False, name)] for name in job.nodes)


def test_a_join_made_first_makes_each_upstream_outputs_facts_once_kept_by_its_recipe(monkeypatch):
    """A plan's one pass makes the recipe of a join named before its upstream assets first (the
    job's nodes are in key order): it makes each upstream output's `OutputFacts` (once, kept in
    the program's facts, without `new_output_facts`: `plain_asset_facts`), and each upstream's
    own recipe then holds that same object. The join's own facts are made by its recipe
    (`_plain_recipe`, without `new_output_facts` either)."""
    from specrun.runtime import outputs

    names = [f"src_{i}" for i in range(1, 12)]
    sources = [asset(name=name)(lambda: 1) for name in names]
    namespace: dict = {}
    exec(f"def join({', '.join(names)}):\n    return 0", namespace)
    join = asset(name="join", ins={n: AssetIn(n) for n in names})(namespace["join"])
    job = build_asset_job("join_first", [*sources, join])
    assert list(job.nodes)[0] == "join"
    made = []
    original = outputs.new_output_facts

    def counted(program, node, name):
        made.append((node.name, name))
        return original(program, node, name)

    monkeypatch.setattr(step_recipe, "new_output_facts", counted)
    plan = job_plan.planned_with_programs(job, None)
    program = job_program(job)
    assert made == []
    joined = program.recipes["join"]
    assert joined.output.node_name == "join" and joined.output.versions is joined.output
    for name, read in zip(names, joined.inputs):
        facts = program.facts[(name, "result")]
        assert read[0] == name and read[8] == (name,) and read[6] == facts.io_manager_key
        kept = program.output_facts(job.nodes[name], "result")
        assert program.recipes[name].output is facts is kept
        assert facts.node_name == name and facts.versions is facts
    assert list(plan.steps) == [*sorted(names), "join"]


def test_a_plain_assets_output_facts_made_by_its_recipe_are_new_output_facts(monkeypatch):
    """`_plain_recipe` makes a plain asset's `OutputFacts` itself (`new_output_facts`'s, of an
    untyped unpartitioned output): every slot is the one `new_output_facts` gives, then its
    version facts, for assets of another IO manager, of keys of several parts, whose facts a
    downstream step's recipe made first, and with or without the job told its nodes are plain
    assets'; a partitioned asset's step is not plain either way."""
    from specrun import AssetKey, DailyPartitionsDefinition
    from specrun.runtime import outputs
    from specrun.runtime.materializations import facts_without_config

    @asset(io_manager_key="other")
    def elsewhere():
        return 1

    @asset(key_prefix=["deep", "er"], ins={"up": AssetIn("elsewhere")})
    def prefixed(up):
        return up

    @asset(ins={"up": AssetIn(AssetKey(["deep", "er", "prefixed"]))}, io_manager_key="other")
    def a_reader(up):  # (named first: its recipe makes its upstream's facts)
        return up

    @asset(partitions_def=DailyPartitionsDefinition(start_date="2024-01-01"))
    def daily():
        return 1

    job = build_asset_job("facts_by_recipe", [*ASSETS, elsewhere, prefixed, a_reader, daily],
                          resource_defs={"other": mem_io_manager})
    plain = {"source", "doubled", "after_source", "summed", "elsewhere", "deep__er__prefixed",
             "a_reader"}
    for told in (True, False):
        made = []
        original = outputs.new_output_facts

        def counted(program, node, name):
            made.append(node.name)
            return original(program, node, name)

        with monkeypatch.context() as m:
            m.setattr(step_recipe, "new_output_facts", counted)
            program = step_recipe.JobProgram(job)
            program.plain_assets = told
            recipes = {}
            for name, node in job.nodes.items():  # (in the job's order, kept as the pass does)
                recipe = recipes[name] = step_recipe._plain_recipe(program, node)
                if recipe is not None:
                    program.recipes[name] = recipe
        assert {name for name, r in recipes.items() if r is not None} == plain, told
        # (only an upstream's read before its own recipe is made, kept: by `new_output_facts`
        # unless the job told its nodes are plain assets', then by `plain_asset_facts`)
        assert made == ([] if told else ["deep__er__prefixed", "elsewhere", "source"]), told
        other = step_recipe.JobProgram(job)
        for name in plain:
            node = job.nodes[name]
            facts = recipes[name].output
            expected = outputs.new_output_facts(other, node, "result")
            expected.versions = facts_without_config(node, expected.asset_key, expected)
            assert _slots(facts) == _slots(expected), (told, name)
        assert recipes["a_reader"].output.io_manager_key == "other"
        assert recipes["deep__er__prefixed"].output.store_key == ("deep", "er", "prefixed")


def _recording(cls, reads):
    """A subclass of `cls` (same slots) that notes each name read of an instance."""

    class Recording(cls):
        __slots__ = ()

        def __getattribute__(self, name):
            reads.add(name)
            return cls.__getattribute__(self, name)

    return Recording


def test_a_plain_steps_run_reads_the_leading_slots_of_its_recipe_and_output_facts(monkeypatch):
    """At 10,000 steps a step's recipe and output facts are out of cache when it runs: the
    slots its run reads come first in each class (fewer lines read), and it reads neither the
    recipe's signature nor its node."""
    from specrun.runtime.materializations import AssetVersionFacts

    monkeypatch.setattr(materialize_module, "_ASSET_JOBS", {})
    first = materialize_to_memory(ASSETS)  # (the job kept, with its plan and step programs)
    (kept,) = materialize_module._ASSET_JOBS.values()
    job = kept.job
    program = job_program(job)
    reads: dict = {step_recipe.StepRecipe: set(), OutputFacts: set()}
    for name in ("doubled", "after_source", "summed"):  # (not `source`: see above)
        recipe = program.recipes[name]
        assert recipe.plain is recipe and recipe.output.__class__ is OutputFacts
        recipe.__class__ = _recording(step_recipe.StepRecipe, reads[step_recipe.StepRecipe])
        recipe.output.__class__ = _recording(OutputFacts, reads[OutputFacts])
    again = materialize_to_memory(ASSETS)
    assert _events(again) == _events(first) and again.output_for_node("summed") == 6
    read_recipe = reads[step_recipe.StepRecipe]
    assert "signature" not in read_recipe and "node" not in read_recipe
    for cls, read in ((step_recipe.StepRecipe, read_recipe), (AssetVersionFacts, reads[OutputFacts]),
                      (OutputFacts, reads[OutputFacts])):
        own = [s for s in cls.__slots__ if s in read]
        assert own and cls.__slots__[:len(own)] == tuple(own), cls


def test_every_recipe_holds_the_compute_function_of_its_nodes_op():
    """A step calls its recipe's `compute_fn` (its op, out of cache at 10,000 steps, is not
    read): the op's own, for recipes of either maker."""
    for job in (build_asset_job("held", ASSETS), _varied_op_job()):
        program = job_program(job)
        for node in job.nodes.values():
            for recipe in (program.recipe(node), step_recipe.general_recipe(program, node)):
                assert recipe.compute_fn is node.op_def.compute_fn
