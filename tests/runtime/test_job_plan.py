"""A job's cached plan with its step programs (runtime/job_plan.py): made in one pass over the
nodes, it has the steps, tables and recipes of the plan and recipes made one after the other."""

from __future__ import annotations

from specrun import In, Out, Output, asset, job, materialize, materialize_to_memory, mem_io_manager, op
from specrun.runtime import job_plan
from specrun.runtime.plan import build_plan
from specrun.runtime.plan_unpartitioned import NodeStep, _inputs, _upstream_keys
from specrun.runtime.step_recipe import JobProgram, job_program


def _varied_job():
    """Plain op nodes (one reading a node twice, one through another IO manager, one whose
    inputs come in another order than its op's, ones reading nodes that are not plain, one
    that fails, a fan-in reading one node twice) among nodes the one pass leaves to `_step`
    (a context, a type, an optional output, a fan-in through two IO managers)."""

    @op(out=Out(io_manager_key="other"))
    def first():
        return 1

    @op
    def plain(x):
        return x

    @op
    def twice(x, y):
        return x + y

    @op(ins={"b": In(), "a": In()})
    def swapped(a, b):
        return a - b

    @op
    def with_context(context, x):
        return x

    @op(ins={"x": In(int)})
    def typed(x):
        return x

    @op(out=Out(is_required=False))
    def optional(x):
        return x

    @op
    def joined(xs):
        return sum(xs)

    @op
    def fails(x):
        raise ValueError("no")

    @job(resource_defs={"other": mem_io_manager})
    def varied():
        a = first()
        b = plain(a)
        t = twice(b, b)
        joined.alias("gathered")([b, t, b])
        c = with_context(b)
        plain.alias("after_context")(c)
        swapped(a=plain.alias("z_then")(b), b=b)
        typed(b)
        plain.alias("after_optional")(optional(b))
        joined([a, b])
        plain.alias("after_failure")(fails(b))

    return varied


def _slots(obj):
    found = {name: getattr(obj, name) for name in type(obj).__slots__ if name != "__weakref__"}
    if "output" in found and found["output"] is not None:
        found["output"] = _slots(found["output"])
    return found


def _step(step):
    return (step.key, step.node.name, step.partition_key, step.upstream_keys, step.inputs, step.mapping_key)


def test_one_pass_gives_the_steps_tables_and_recipes_of_planning_then_making_recipes():
    varied = _varied_job()
    general = build_plan(varied, ())
    program = JobProgram(varied)  # (not the job's own) each node's recipe, in plan order
    recipes = {key: _slots(program.recipe(step.node)) for key, step in general.steps.items()}
    made = job_plan.planned_with_programs(varied, None)
    assert [_step(s) for s in made.steps.values()] == [_step(s) for s in general.steps.values()]
    assert made.downstream == general.downstream and made.positions == general.positions
    assert made.run_tables.waiting == [len(s.upstream_keys) for s in general.steps.values()]
    assert made.run_tables.unchecked == job_plan.run_tables(general, program).unchecked
    ours = job_program(varied)
    assert {key: _slots(ours.recipes[key]) for key in made.steps} == recipes
    assert ours.key_sets == program.key_sets


def test_a_node_with_an_input_of_no_source_gets_the_general_step_and_recipe_in_one_pass():
    """A node's inputs are among its op's: one of them without a source makes the node's
    recipe not plain (`_plain_recipe` gives None), so the one pass leaves the node to `_step`
    without comparing the two counts, and its steps, tables and recipes are the general path's."""
    from dataclasses import replace

    from specrun.runtime.definitions.jobs import JobDefinition

    varied = _varied_job()
    assert all(set(n.inputs) <= set(n.op_def.ins) for n in varied.nodes.values())
    nodes = dict(varied.nodes)
    nodes["twice"] = replace(nodes["twice"], inputs={"x": nodes["twice"].inputs["x"]})  # (no `y`)
    cut = JobDefinition(name="cut", nodes=nodes, resource_defs=varied.resource_defs)
    general = build_plan(cut, ())
    program = JobProgram(cut)
    recipes = {key: _slots(program.recipe(step.node)) for key, step in general.steps.items()}
    assert recipes["twice"]["manager_keys"] is None  # (not plain: the general recipe)
    made = job_plan.planned_with_programs(cut, None)
    assert made.steps["twice"].__class__ is not NodeStep
    assert made.steps["plain"].__class__ is NodeStep
    assert [_step(s) for s in made.steps.values()] == [_step(s) for s in general.steps.values()]
    assert made.downstream == general.downstream and made.positions == general.positions
    assert {key: _slots(job_program(cut).recipes[key]) for key in made.steps} == recipes


def test_plain_op_steps_leave_their_inputs_to_be_read_from_their_node():
    varied = _varied_job()
    plan = job_plan.planned_with_programs(varied, None)
    one_pass = sorted(k for k, s in plan.steps.items() if type(s) is NodeStep)
    assert one_pass == ["after_context", "after_failure", "after_optional", "fails", "first", "gathered",
                        "plain", "swapped", "twice", "z_then"]
    result = varied.execute_in_process(raise_on_error=False)
    assert result.output_for_node("twice") == 2 and result.output_for_node("swapped") == 0
    assert result.output_for_node("gathered") == 4  # [1, 2, 1]
    for key in set(one_pass) - {"after_failure"}:  # a run read neither (but of a skipped step)
        step = plan.steps[key]
        for slot in (_inputs, _upstream_keys):
            try:
                slot.__get__(step)
            except AttributeError:
                continue
            raise AssertionError(f"{key}'s {slot.__name__} were made")
    assert plan.steps["twice"].upstream_keys == {"plain"}
    assert list(plan.steps["swapped"].inputs) == ["a", "b"]  # the node's order, as `_step`'s
    assert plan.steps["gathered"].upstream_keys == {"plain", "twice"}
    assert [u.step_key for u in plan.steps["gathered"].inputs["xs"]] == ["plain", "twice", "plain"]
    assert plan.run_tables.waiting[plan.positions["gathered"]] == 2  # (one count a node read)


def test_a_run_of_the_one_pass_plan_gives_the_events_of_one_without_it(monkeypatch):
    fast = _varied_job().execute_in_process(raise_on_error=False)
    monkeypatch.setattr(job_plan._OnePass, "step", job_plan._OnePass._other)  # every step `_step`'s
    slow = _varied_job().execute_in_process(raise_on_error=False)
    assert not any(type(s) is NodeStep for s in slow._ctx.plan.steps.values())
    events = [[(e.event_type, e.step_key, e.message) for e in r.all_events] for r in (fast, slow)]
    assert events[0] == events[1]
    assert ("STEP_SKIPPED", "after_failure") in {(e.event_type.value, e.step_key) for e in fast.all_events}
    assert fast.output_for_node("twice") == slow.output_for_node("twice") == 2


def test_a_fan_in_node_step_leaves_out_an_optional_output_not_yielded(monkeypatch):
    """A join whose sources are op outputs through one IO manager is a `NodeStep`; its list
    leaves out an optional output its step did not yield, as the join `_step` makes does."""

    @op(out={"maybe": Out(is_required=False), "always": Out()})
    def sometimes():
        yield Output(1, "always")

    @op
    def two():
        return 2

    @op
    def gather(xs):
        return xs

    def partial():
        @job
        def partial():
            maybe, always = sometimes()
            gather([maybe, always, two()])
        return partial

    fast = partial().execute_in_process()
    assert type(fast._ctx.plan.steps["gather"]) is NodeStep and _unread(fast._ctx.plan.steps["gather"])
    monkeypatch.setattr(job_plan._OnePass, "step", job_plan._OnePass._other)  # every step `_step`'s
    slow = partial().execute_in_process()
    assert type(slow._ctx.plan.steps["gather"]) is not NodeStep
    assert fast.output_for_node("gather") == slow.output_for_node("gather") == [1, 2]
    events = [[(e.event_type, e.step_key, e.message) for e in r.all_events] for r in (fast, slow)]
    assert events[0] == events[1]


def test_a_node_step_copies_as_the_plain_step_of_its_values():
    import copy

    steps = job_plan.planned_with_programs(_varied_job(), None).steps
    for key in ("plain", "gathered"):
        step = steps[key]
        assert step.__class__ is NodeStep
        for other in (copy.copy(step), copy.deepcopy(step)):  # (pickle goes the same way)
            assert other.__class__ is not NodeStep
            assert (other.key, other.partition_key, other.mapping_key) == (key, None, None)
            assert other.node.name == key and other.upstream_keys == step.upstream_keys
            assert other.inputs == step.inputs


def _unread(step) -> bool:
    """Whether neither the upstream keys nor the inputs of a `NodeStep` were made."""
    for slot in (_inputs, _upstream_keys):
        try:
            slot.__get__(step)
        except AttributeError:
            continue
        return False
    return True


def test_plain_asset_steps_are_node_steps_whose_inputs_no_run_makes(tmp_path, monkeypatch):
    """The one pass makes the steps of plain asset nodes too; neither a run in memory (its
    version tags) nor one through the fs IO manager (its loads of upstream outputs) makes
    their inputs."""
    monkeypatch.chdir(tmp_path)

    @asset
    def first():
        return 1

    @asset
    def second(first):
        return first + 1

    @asset(deps=[first])  # a plain dep: left to `_step`
    def third(second):
        return second * 2

    assets = [first, second, third]
    for run in (materialize_to_memory, materialize, materialize):
        result = run(assets)
        assert result.output_for_node("third") == 4
        steps = result._ctx.plan.steps
        assert [k for k, s in steps.items() if type(s) is NodeStep] == ["first", "second"]
        assert _unread(steps["first"]) and _unread(steps["second"])
        tags = [m.tags for m in result.asset_materializations_for_node("second")]
        assert tags[0]["specrun/input_data_versions"] == (
            '{"first": "%s"}' % result.asset_materializations_for_node("first")[0].tags[
                "specrun/data_version"])
    assert steps["second"].upstream_keys == {"first"} and list(steps["second"].inputs) == ["first"]


def test_the_steps_of_assets_reading_several_upstream_assets_leave_their_inputs_unmade(tmp_path, monkeypatch):
    """A plain asset of several inputs (a fan-in's join) records the data version of each
    upstream asset it read without making its step's inputs, in memory and through the fs
    IO manager."""
    monkeypatch.chdir(tmp_path)

    @asset
    def left():
        return 1

    @asset
    def right():
        return 2

    @asset
    def both(right, left):
        return left + right

    assets = [left, right, both]
    for run in (materialize_to_memory, materialize, materialize):
        result = run(assets)
        assert result.output_for_node("both") == 3
        steps = result._ctx.plan.steps
        assert type(steps["both"]) is NodeStep and _unread(steps["both"])
        made = {name: result.asset_materializations_for_node(name)[0].tags["specrun/data_version"]
                for name in ("left", "right")}
        tags = result.asset_materializations_for_node("both")[0].tags
        assert tags["specrun/input_data_versions"] == (
            '{"left": "%s", "right": "%s"}' % (made["left"], made["right"]))


def test_the_one_pass_checks_a_factorys_code_version_reads_once_however_many_assets(monkeypatch):
    from specrun import AssetIn
    from specrun.runtime import code_version
    from specrun.runtime.definitions.jobs import build_asset_job

    def factory(n):
        @asset(name="root")
        def root():
            return 1

        made = [root]
        for i in range(1, n):
            @asset(name=f"copy_{i}", ins={"up": AssetIn("root" if i == 1 else f"copy_{i - 1}")})
            def copy(up):
                return up
            made.append(copy)
        return made

    materialize_to_memory(factory(3))  # (the factory's code version worked out and kept)
    checks = []
    real = code_version.unchanged
    monkeypatch.setattr(code_version, "unchanged", lambda reads: checks.append(1) or real(reads))
    plan = job_plan.planned_with_programs(build_asset_job("copies", factory(9)), None)
    assert len(plan.steps) == 9
    assert 1 <= len(checks) <= 4  # (the kept summaries of root and copy, each at most twice; not 8)


def test_a_planned_job_and_its_program_are_freed_when_dropped_though_its_pass_asked_for_code_versions():
    import gc
    import weakref

    from specrun import AssetIn
    from specrun.runtime import code_version
    from specrun.runtime.definitions.jobs import build_asset_job

    @asset
    def source():
        return 1

    @asset(ins={"up": AssetIn("source")})
    def copy(up):
        return up

    job = build_asset_job("dropped", [source, copy])
    plan = job_plan.planned_with_programs(job, None)
    program = weakref.ref(job_program(job))
    assert code_version.LAST_PLAIN[6] is not None  # (what stood for the pass, kept)
    del job, plan, source, copy
    gc.collect()
    assert program() is None


def test_the_program_of_a_job_told_its_nodes_are_plain_assets_asks_them_less():
    """A job's program is told what the job's build told it (`PLAIN_ASSET_NODES`): of a job
    of plain assets, yes; of an op job, or a job built again without it, no. The one pass
    makes the same steps and recipes either way."""
    from specrun.runtime.definitions.jobs import build_asset_job
    from specrun.runtime.job_cache import ATTR, PLAIN_ASSET_NODES

    @asset
    def source():
        return 1

    @asset
    def copy(source):
        return source

    told = build_asset_job("told", [source, copy])
    untold = build_asset_job("told", [source, copy])
    del untold.__dict__[ATTR][PLAIN_ASSET_NODES]
    varied = _varied_job()
    plans = [job_plan.planned_with_programs(j, None) for j in (told, untold, varied)]
    assert [job_program(j).plain_assets for j in (told, untold, varied)] == [True, False, False]
    assert [_step(s) for s in plans[0].steps.values()] == [_step(s) for s in plans[1].steps.values()]

    def shown(job):  # (the two jobs' nodes are objects of their own: their recipes by value)
        return {k: (r.plain_output, [i[0] for i in r.inputs], r.manager_keys, r.output.store_key,
                    r.output.versions is r.output, r.output.fixed_tags, r.output.one_input)
                for k, r in job_program(job).recipes.items()}

    assert shown(told) == shown(untold) and shown(told)["copy"][1] == ["source"]
