"""runtime.plan: step order, dependency cycles and step subsets."""

from __future__ import annotations

import operator

import pytest

from specrun import asset, materialize
from specrun.errors import DefinitionError
from specrun.runtime.definitions.jobs import build_asset_job
from specrun.runtime.plan import build_plan


def _cycle():
    @asset(deps=["b"])
    def a():
        return 1

    @asset(deps=["a"])
    def b():
        return 2

    @asset
    def c():
        return 3

    return [a, b, c]


def test_a_dependency_cycle_in_a_python_job_is_an_error_not_an_empty_run():
    with pytest.raises(DefinitionError) as raised:
        materialize(_cycle())
    assert str(raised.value) == "job '__ephemeral_asset_job__' has a dependency cycle: a -> b -> a"
    with pytest.raises(DefinitionError, match="^job 'looping' has a dependency cycle: a -> b -> a$"):
        build_plan(build_asset_job("looping", _cycle()), [])


def _chain():
    @asset
    def raw():
        return 1

    @asset
    def clean(raw):
        return raw

    @asset
    def report(clean):
        return clean

    return build_asset_job("chain", [raw, clean, report])


def test_steps_are_in_dependency_order():
    assert [s.key for s in build_plan(_chain(), []).get_all_steps()] == ["raw", "clean", "report"]


def test_a_subset_keeps_only_its_steps_and_loads_the_rest_from_storage():
    plan = build_plan(_chain(), [], ["clean", "report"])
    steps = plan.get_all_steps()
    assert [s.key for s in steps] == ["clean", "report"]
    clean, report = steps
    assert clean.upstream_keys == frozenset()  # raw is read from storage, not waited for
    assert [u.step_key for u in clean.inputs["raw"]] == ["raw"]
    assert report.upstream_keys == frozenset({"clean"})


@pytest.mark.parametrize("keys, message", [
    (["clean", "cleen"], "no step 'cleen' in this job; did you mean 'clean'?"),
    (["zzz", "report"], "no step 'zzz' in this job"),
])
def test_a_subset_naming_an_unknown_step_is_an_error(keys, message):
    with pytest.raises(DefinitionError) as raised:
        build_plan(_chain(), [], keys)
    assert str(raised.value) == message


def test_get_step_of_an_unknown_key_suggests_the_nearest():
    plan = build_plan(_chain(), [])
    assert plan.get_step("clean").key == "clean"
    with pytest.raises(DefinitionError, match="^no step 'claen' in this plan; did you mean 'clean'\\?$"):
        plan.get_step("claen")



def _letters():
    from specrun import StaticPartitionsDefinition

    return StaticPartitionsDefinition(["a", "b", "c"])


def _partitioned_job():
    from specrun import AssetCheckResult, AssetDep, AssetIn, LastPartitionMapping, asset_check

    letters = _letters()

    @asset(partitions_def=letters)
    def up(context):
        return context.partition_key

    @asset(partitions_def=letters)
    def same(up):
        return up

    @asset(ins={"up": AssetIn(partition_mapping=LastPartitionMapping())})
    def last(up):
        return up

    @asset
    def everything(up):
        return up

    @asset(partitions_def=letters, deps=[AssetDep("everything")])
    def after(context):
        return 1

    @asset_check(asset=same)
    def same_ok(same):
        return AssetCheckResult(passed=True)

    return build_asset_job("parted", [up, same, last, everything, after], [same_ok])


def test_a_run_of_several_partitions_has_a_step_per_node_and_partition_named_by_both():
    plan = build_plan(_partitioned_job(), ["a", "c"])
    assert plan.partition_keys == ("a", "c")
    assert [(s.key, s.node_name, s.partition_key) for s in plan.get_all_steps()] == [
        ("up[a]", "up", "a"), ("up[c]", "up", "c"), ("everything", "everything", None),
        ("after[a]", "after", "a"), ("after[c]", "after", "c"), ("last", "last", None),
        ("same[a]", "same", "a"), ("same[c]", "same", "c"), ("same_same_ok[a]", "same_same_ok", "a"), ("same_same_ok[c]", "same_same_ok", "c")]
    steps = plan.steps
    # The unpartitioned reader of every partition waits on each partition of this run and reads all three.
    assert steps["everything"].upstream_keys == frozenset({"up[a]", "up[c]"})
    [read] = steps["everything"].inputs["up"]
    assert (read.step_key, read.output_name, read.node, read.partition_keys) == ("up[a]", "result", "up", ("a", "b", "c"))
    [last] = steps["last"].inputs["up"]
    assert last.partition_keys == ("c",) and steps["last"].upstream_keys == frozenset({"up[c]"})
    assert steps["same[c]"].upstream_keys == frozenset({"up[c]"})
    [same] = steps["same[c]"].inputs["up"]
    assert same.partition_keys == ("c",)
    assert steps["after[a]"].upstream_keys == frozenset({"everything"})
    assert steps["same_same_ok[a]"].upstream_keys == frozenset({"same[a]"})
    assert plan.downstream["up[a]"] == ["everything", "same[a]"]
    assert plan.positions == {k: i for i, k in enumerate(plan.step_keys)}


def test_a_run_of_one_partition_names_steps_by_node_only():
    plan = build_plan(_partitioned_job(), ["b"])
    assert [(s.key, s.partition_key) for s in plan.get_all_steps()] == [
        ("up", "b"), ("everything", None), ("after", "b"), ("last", None), ("same", "b"), ("same_same_ok", "b")]
    [read] = plan.steps["last"].inputs["up"]
    assert read.partition_keys == ("c",)


def test_an_unknown_partition_key_is_refused():
    from specrun.errors import PartitionError

    with pytest.raises(PartitionError, match="'z'"):
        build_plan(_partitioned_job(), ["a", "z"])


def test_an_op_of_a_partitioned_job_runs_for_each_partition():
    from specrun import job, op

    @op
    def first():
        return 1

    @op
    def second(x):
        return x

    @job(partitions_def=_letters())
    def ops():
        second(first())

    plan = build_plan(ops, ["a", "b"])
    assert [(s.key, s.partition_key) for s in plan.get_all_steps()] == [
        ("first[a]", "a"), ("first[b]", "b"), ("second[a]", "a"), ("second[b]", "b")]
    assert plan.steps["second[b]"].upstream_keys == frozenset({"first[b]"})
    [read] = plan.steps["second[b]"].inputs["x"]
    assert (read.step_key, read.partition_keys) == ("first[b]", ())


def test_independent_nodes_come_in_name_order():
    from specrun import job, op

    @op
    def zeta():
        return 1

    @op
    def alpha():
        return 1

    @op
    def mid(a, z):
        return 1

    @job
    def named():
        mid(alpha(), zeta())

    assert build_plan(named, []).step_keys == ["alpha", "zeta", "mid"]


def test_a_step_describes_itself_for_another_process_to_rebuild_it():
    plan = build_plan(_chain(), [])
    clean = plan.get_step("clean")
    assert (clean.node_name, clean.op_def.name, clean.kind, repr(clean)) == ("clean", "clean", "asset",
                                                                          "<ExecutionStep 'clean'>")
    rebuilt = plan.step_from("clean", clean.describe())
    assert (rebuilt.key, rebuilt.node is clean.node, rebuilt.partition_key, rebuilt.upstream_keys, rebuilt.inputs,
            rebuilt.mapping_key) == ("clean", True, None, frozenset({"raw"}), clean.inputs, None)
    assert plan.step_from("report", None) is plan.get_step("report")
    with pytest.raises(DefinitionError, match="^no step 'gone' in this plan$"):
        plan.step_from("gone", None)
    assert plan.topological_steps() == plan.get_all_steps()


def test_a_shared_copy_shares_the_steps_but_not_what_a_run_sets():
    plan = build_plan(_chain(), [])
    plan.expand_dynamic = lambda event: None
    copy = plan.shared_copy()
    assert copy.steps is plan.steps and copy.downstream is plan.downstream and copy.job is plan.job
    assert copy.expand_dynamic is None and plan.expand_dynamic is not None


def test_started_plans_hand_out_their_first_steps():
    execution = build_plan(_chain(), []).start("run-1", "chain")
    assert [s.key for s in execution.get_steps_to_execute()] == ["raw"]
    assert (execution.run_id, execution.job_name) == ("run-1", "chain")


def test_a_job_with_a_dynamic_output_runs_one_partition_at_a_time():
    from specrun import DynamicOut, DynamicOutput, job, op

    @op(out=DynamicOut())
    def fan():
        yield DynamicOutput(1, mapping_key="one")

    @op
    def each(x):
        return x

    @job(partitions_def=_letters())
    def fanned():
        fan().map(each)

    with pytest.raises(DefinitionError, match="^job 'fanned' has dynamic outputs, so a run of it covers one "
                                              "partition: run each partition on its own$"):
        build_plan(fanned, ["a", "b"])
    assert build_plan(fanned, ["a"]).step_keys == ["fan"]


def test_a_step_rebuilt_from_a_description_keeps_its_partition_and_mapping_key():
    plan = build_plan(_chain(), [])
    described = ("clean[k1]", "clean", "b", frozenset({"raw"}), {}, "k1")
    step = plan.step_from("clean[k1]", described)
    assert (step.key, step.node is plan.job.nodes["clean"], step.partition_key, step.upstream_keys, step.inputs,
            step.mapping_key) == ("clean[k1]", True, "b", frozenset({"raw"}), {}, "k1")


def test_get_step_of_an_unknown_key_with_no_near_name_names_it_alone():
    with pytest.raises(DefinitionError) as raised:
        build_plan(_chain(), []).get_step("zzzzzz")
    assert str(raised.value) == "no step 'zzzzzz' in this plan"


def test_a_subset_of_a_partitioned_run_keeps_each_steps_node_and_partition():
    job = _partitioned_job()
    [step] = build_plan(job, ["a", "c"], ["same[c]"]).get_all_steps()
    assert (step.key, step.node is job.nodes["same"], step.partition_key, step.upstream_keys) == (
        "same[c]", True, "c", frozenset())


def _deps_job():
    """Partitioned assets ordered by `deps` (no value read), and a check that takes no asset."""
    from specrun import AssetCheckResult, AssetDep, LastPartitionMapping, asset_check

    letters = _letters()

    @asset(partitions_def=letters)
    def up():
        return 1

    @asset(partitions_def=letters)
    def other():
        return 1

    @asset(partitions_def=letters, deps=[up])
    def after_up():
        return 1

    @asset(partitions_def=letters, deps=[AssetDep(up, partition_mapping=LastPartitionMapping()), other])
    def mixed():
        return 1

    @asset(deps=[AssetDep(up, partition_mapping=LastPartitionMapping())])
    def summary():
        return 1

    @asset_check(asset=after_up)
    def after_up_ran():
        return AssetCheckResult(passed=True)

    return build_asset_job("deps", [up, other, after_up, mixed, summary], [after_up_ran])


def test_a_dep_of_the_same_partitions_waits_on_the_same_partition_only():
    steps = build_plan(_deps_job(), ["a", "c"]).steps
    assert steps["after_up[a]"].upstream_keys == frozenset({"up[a]"})
    assert steps["after_up[c]"].upstream_keys == frozenset({"up[c]"})
    assert steps["after_up_after_up_ran[a]"].upstream_keys == frozenset({"after_up[a]"})


def test_a_dep_mapping_applies_to_its_own_dep_and_the_other_deps_keep_theirs():
    steps = build_plan(_deps_job(), ["a", "c"]).steps
    assert steps["mixed[a]"].upstream_keys == frozenset({"up[c]", "other[a]"})
    assert steps["mixed[c]"].upstream_keys == frozenset({"up[c]", "other[c]"})


def test_an_unpartitioned_asset_waits_on_what_its_dep_mapping_names_as_it_does_for_an_input():
    steps = build_plan(_deps_job(), ["a", "c"]).steps
    assert steps["summary"].upstream_keys == frozenset({"up[c]"})  # LastPartitionMapping: c only
    assert build_plan(_partitioned_job(), ["a", "c"]).steps["last"].upstream_keys == frozenset({"up[c]"})


def _daily_and_weekly(*selection):
    from specrun import DailyPartitionsDefinition, WeeklyPartitionsDefinition

    @asset(partitions_def=DailyPartitionsDefinition(start_date="2024-01-01"))
    def day():
        return 1

    @asset(partitions_def=WeeklyPartitionsDefinition(start_date="2024-01-01"))
    def week(day):
        return day

    return build_asset_job("weeks", [day, week], selection=list(selection) or None)


WEEK_OF_JAN_14 = ("2024-01-14", "2024-01-15", "2024-01-16", "2024-01-17", "2024-01-18", "2024-01-19",
                  "2024-01-20")  # weeks start on Sunday


def test_a_weekly_asset_reads_the_seven_days_of_its_week_from_a_daily_one():
    plan = build_plan(_daily_and_weekly(), ["2024-01-14"])
    [read] = plan.steps["week"].inputs["day"]
    assert (read.step_key, read.partition_keys) == ("day", WEEK_OF_JAN_14)
    assert plan.steps["week"].upstream_keys == frozenset({"day"})


def test_a_weekly_asset_run_alone_reads_the_seven_stored_days_of_its_week():
    from specrun.runtime.plan import input_partition_keys

    plan = build_plan(_daily_and_weekly("week"), ["2024-01-14"])
    assert plan.step_keys == ["week"]
    assert input_partition_keys(plan.steps["week"], "day") == WEEK_OF_JAN_14


def test_an_input_a_step_does_not_have_reads_no_partitions():
    from specrun.runtime.plan import input_partition_keys

    plan = build_plan(_daily_and_weekly("week"), ["2024-01-14"])
    assert input_partition_keys(plan.steps["week"], "nope") == ()


def _checked_letters():
    from specrun import AssetCheckResult, asset_check

    @asset(partitions_def=_letters())
    def up(context):
        return context.partition_key

    @asset_check(asset=up)
    def up_ok(up):
        return AssetCheckResult(passed=True, metadata={"seen": up})

    return up, up_ok


def test_a_check_run_without_its_asset_reads_the_runs_partition_of_it():
    from specrun import AssetSelection
    from specrun.runtime.plan import input_partition_keys

    up, up_ok = _checked_letters()
    plan = build_plan(build_asset_job("checks", [up], [up_ok], selection=AssetSelection.checks_for_assets(up)),
                      ["b"])
    assert plan.step_keys == ["up_up_ok"]
    assert input_partition_keys(plan.steps["up_up_ok"], "up") == ("b",)


def test_a_check_run_without_its_asset_is_given_the_stored_value_of_the_runs_partition(tmp_path):
    from specrun import AssetSelection, DagsterInstance, FilesystemIOManager

    up, up_ok = _checked_letters()
    instance = DagsterInstance.ephemeral()
    resources = {"io_manager": FilesystemIOManager(base_dir=str(tmp_path))}
    for key in "abc":
        assert materialize([up], partition_key=key, instance=instance, resources=resources).success
    result = materialize([up, up_ok], partition_key="b", instance=instance, resources=resources,
                         selection=AssetSelection.checks_for_assets(up))
    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.metadata["seen"].value == "b"


def test_a_check_of_an_asset_outside_the_job_runs_once_unpartitioned():
    from specrun import AssetSelection

    up, up_ok = _checked_letters()

    @asset
    def elsewhere():
        return 1

    plan = build_plan(build_asset_job("outside", [elsewhere], [up_ok], selection=AssetSelection.all_asset_checks()),
                      ["a", "b"])
    assert [(s.key, s.partition_key) for s in plan.get_all_steps()] == [("up_up_ok", None)]


def _graph_reading_the_last_partition():
    from specrun import AssetIn, LastPartitionMapping, graph_asset, op

    up, _ = _checked_letters()

    @op
    def double(x):
        return x * 2

    @graph_asset(partitions_def=_letters(), ins={"up": AssetIn(partition_mapping=LastPartitionMapping())})
    def doubled(up):
        return double(up)

    return up, doubled


@pytest.mark.parametrize("selected", [None, ["doubled"]])
def test_the_op_in_a_graph_asset_reads_the_partitions_the_graphs_input_mapping_names(selected):
    from specrun.runtime.plan import asset_input_partition_keys, input_partition_keys

    up, doubled = _graph_reading_the_last_partition()
    plan = build_plan(build_asset_job("graph", [up, doubled], selection=selected), ["a"])
    step = plan.steps["doubled.double"]
    assert input_partition_keys(step, "x") == ("c",)
    assert asset_input_partition_keys(step, "up") == ("c",)
    assert input_partition_keys(step, "nope") == asset_input_partition_keys(step, "nope") == ()


def test_the_op_in_a_graph_asset_is_given_the_partition_the_graphs_input_mapping_names(tmp_path):
    from specrun import DagsterInstance, FilesystemIOManager

    up, doubled = _graph_reading_the_last_partition()
    instance = DagsterInstance.ephemeral()
    resources = {"io_manager": FilesystemIOManager(base_dir=str(tmp_path))}
    for key in "abc":
        assert materialize([up], partition_key=key, instance=instance, resources=resources).success
    result = materialize([up, doubled], partition_key="a", instance=instance, resources=resources,
                         selection=[doubled])
    assert result.output_for_node("doubled") == "cc"


def test_inputs_after_a_collect_or_a_stored_asset_are_still_wired():
    from specrun import DynamicOut, DynamicOutput, job, op

    @op(out=DynamicOut())
    def fan():
        yield DynamicOutput(1, mapping_key="one")

    @op
    def each(x):
        return x

    @op
    def one():
        return 1

    @op
    def gather(xs, extra):
        return xs

    @job
    def collected():
        gather(fan().map(each).collect(), one())

    gather_step = build_plan(collected, []).steps["gather"]
    assert gather_step.upstream_keys == frozenset({"fan", "one"})
    assert [(u.step_key, u.output_name) for u in gather_step.inputs["extra"]] == [("one", "result")]

    @asset
    def raw():
        return 1

    @asset
    def clean():
        return 1

    @asset
    def both(raw, clean):  # raw is not selected: read from storage, clean from its step
        return 1

    both_step = build_plan(build_asset_job("both", [raw, clean, both], selection=["clean", "both"]), []).steps["both"]
    assert both_step.upstream_keys == frozenset({"clean"})
    assert list(both_step.inputs) == ["clean"]


def test_a_collect_of_a_dynamic_output_itself_waits_on_the_emitting_step():
    from specrun import DynamicOut, DynamicOutput, job, op

    @op(out=DynamicOut())
    def fan():
        yield DynamicOutput(1, mapping_key="one")

    @op
    def gather(xs):
        return xs

    @job
    def direct():
        gather(fan().collect())

    steps = build_plan(direct, []).steps
    assert steps["gather"].upstream_keys == frozenset({"fan"})
    assert steps["gather"].inputs == {}


def test_a_fan_in_input_reads_each_upstream_output_in_order():
    from specrun import job, op

    one, two = _one_and_two()

    @op
    def total(xs):
        return sum(xs)

    @job
    def fanned_in():
        total([two(), one()])

    step = build_plan(fanned_in, []).steps["total"]
    assert step.upstream_keys == frozenset({"one", "two"})
    assert [(u.step_key, u.output_name, u.node, u.partition_keys) for u in step.inputs["xs"]] == [
        ("two", "result", "two", ()), ("one", "result", "one", ())]


def _general_steps(job):
    """The steps `_make_step` makes for a run without partition keys (the general path)."""
    from specrun.runtime.plan import _make_step, _node_order

    steps_by_node: dict = {}
    steps = []
    for name in _node_order(job):
        steps_by_node[name] = {None: name}
        steps.append(_make_step(job, job.nodes[name], None, name, steps_by_node))
    return steps


def _one_and_two():
    """Two source ops, `one` and `two`, returning 1 and 2."""
    from specrun import op

    @op
    def one():
        return 1

    @op
    def two():
        return 2

    return one, two


def _ops_job():
    from specrun import In, Nothing, job, op

    one, two = _one_and_two()

    @op(ins={"xs": In(), "after": In(Nothing)})
    def join(xs):
        return sum(xs)

    @op
    def add(a, b):
        return a + b

    @job
    def mixed():
        a, b = one(), two()
        add(join([a, b], after=a), b)

    return mixed


def _fanned_out_job():
    """A job whose plan order is not the order its nodes were made in (so the steps waiting
    on one are put in plan order), with a fan-in and a diamond."""
    from specrun import job, op

    one, two = _one_and_two()

    @op
    def leaf(x):
        return x

    @op
    def join(xs):
        return xs

    @job
    def fanned_out():
        root = two()
        leaves = [leaf.alias(f"leaf_{i}")(root) for i in (3, 1, 20, 2, 10)]
        join([*leaves, one()])
        leaf.alias("b_leaf")(leaf.alias("a_leaf")(root))

    return fanned_out


def _step_and_add():
    """Two ops: `step` returns its input, `add` the sum of its two."""
    from specrun import op

    @op
    def step(x):
        return x

    @op
    def add(a, b):
        return a + b

    return step, add


def _op_chain():
    from specrun import job

    one, _ = _one_and_two()
    step, _ = _step_and_add()

    @job
    def ops_chain():
        step.alias("c")(step.alias("b")(step.alias("a")(one())))

    return ops_chain


def _reversed_asset_chain():
    """A chain whose job orders its nodes by name, each after the asset it reads."""
    from specrun import AssetIn

    @asset
    def z():
        return 1

    @asset(ins={"up": AssetIn("z")})
    def m(up):
        return up

    @asset(ins={"up": AssetIn("m")})
    def a(up):
        return up

    return build_asset_job("reversed", [z, m, a])


def _chain_with_a_shortcut():
    from specrun import job

    one, _ = _one_and_two()
    step, add = _step_and_add()

    @job
    def shortcut():
        first = one()
        add(step(first), first)

    return shortcut


def _two_roots_then_a_chain():
    from specrun import job

    one, two = _one_and_two()
    step, add = _step_and_add()

    @job
    def rooted():
        step(add(one(), two()))

    return rooted


@pytest.mark.parametrize("make, how", [
    (_op_chain, "job"), (_chain, "path"), (_reversed_asset_chain, "path"),
    (_chain_with_a_shortcut, "kahn"), (_two_roots_then_a_chain, "kahn"), (_fanned_out_job, "kahn")])
def test_a_chain_in_its_jobs_order_is_planned_in_that_order_without_kahns(monkeypatch, make, how):
    """A chain in its job's order is planned in that order; one in another order (its keys
    sort apart from it) is walked as a path; any other graph goes through Kahn's."""
    from specrun.runtime import plan_unpartitioned

    ordered, walked = [], []
    kahn_order, path_walk = plan_unpartitioned.kahn_order, plan_unpartitioned.path_walk
    monkeypatch.setattr(plan_unpartitioned, "kahn_order",
                        lambda *tables: ordered.append(1) or kahn_order(*tables))
    monkeypatch.setattr(plan_unpartitioned, "path_walk",
                        lambda *tables: walked.append(path_walk(*tables)) or walked[-1])
    job = make()
    plan = build_plan(job, [])
    assert [s.key for s in plan.get_all_steps()] == [s.key for s in _general_steps(job)]
    assert bool(ordered) is (how == "kahn")
    assert (bool(walked) and walked[-1] is not None) is (how == "path")
    if how == "job":
        assert list(plan.steps) == list(job.nodes) == ["one", "a", "b", "c"]
    if how == "path":
        assert list(plan.steps) != list(job.nodes)
        assert all(len(plan.downstream[k]) <= 1 for k in plan.steps)


def test_a_plan_ordered_apart_from_its_job_keeps_the_positions_it_sorted_by(monkeypatch):
    """The positions made to put the steps waiting on each in plan order are the plan's own:
    no second table as large as the plan is made for them."""
    from specrun.runtime import plan_unpartitioned

    made = []
    ordered = plan_unpartitioned._ordered

    def noted(*args):
        steps, positions, by_position = ordered(*args)
        made.append(positions)
        return steps, positions, by_position

    monkeypatch.setattr(plan_unpartitioned, "_ordered", noted)
    plan = build_plan(_fanned_out_job(), [])
    assert made[0] is plan.positions
    assert list(plan.positions.items()) == [(key, i) for i, key in enumerate(plan.steps)]


def _numbered_asset_chain():
    """a_0 -> a_1 -> ... -> a_11, whose job orders its nodes by name: a_0, a_1, a_10, a_11, a_2, ..."""
    from specrun import AssetIn

    @asset(name="a_0")
    def root():
        return 1

    def make(i):
        @asset(name=f"a_{i}", ins={"up": AssetIn(f"a_{i - 1}")})
        def a(up):
            return up

        return a

    return build_asset_job("numbered", [root] + [make(i) for i in range(1, 12)])


@pytest.mark.parametrize("make", [_chain, _reversed_asset_chain, _numbered_asset_chain])
def test_a_path_has_the_tables_by_position_of_the_general_pass_from_its_walk(monkeypatch, make):
    """A path's tables by position are made from what its walk read (each step's downstream
    list) and the count each step of a path waits on (none, then one each): the same steps,
    lists (the same objects) and counts as the general pass over Kahn's order, which looks
    each up in the plan's tables."""
    from specrun.runtime import plan_unpartitioned

    job = make()
    walked = build_plan(job, [])
    monkeypatch.setattr(plan_unpartitioned, "path_walk", lambda *tables: None)
    general = build_plan(job, [])
    assert list(walked.steps) == list(general.steps) != list(job.nodes)
    assert walked.positions == general.positions
    (steps, downs, counts), (g_steps, g_downs, g_counts) = walked.by_position, general.by_position
    assert [s.key for s in steps] == [s.key for s in g_steps] == list(walked.steps)
    assert downs == g_downs == [walked.downstream[key] for key in walked.steps]
    assert all(map(operator.is_, downs, [walked.downstream[key] for key in walked.steps]))
    assert counts == g_counts == [0] + [1] * (len(steps) - 1)


@pytest.mark.parametrize("make, made", [
    (_chain, True), (_reversed_asset_chain, True), (_fanned_out_job, True), (_op_chain, True),
    (_two_roots_then_a_chain, True), (_partitioned_job, False)])
def test_a_plan_has_the_run_tables_its_dicts_give(make, made):
    """A plan without a step made again for its partition look-ups has its tables by position
    made with its order, in its job's order (a chain, or Kahn's order found to be the job's)
    or not: the same steps, lists of the steps waiting on each and counts as `RunTables` reads
    from the plan's dicts."""
    from specrun.runtime.plan_tables import RunTables

    plan = build_plan(make(), [])
    assert (plan.by_position is not None) is made
    tables = RunTables(plan, plan.upstream_counts)
    plan.by_position = None
    read = RunTables(plan, plan.upstream_counts)
    assert [s.key for s in tables.steps] == [s.key for s in read.steps] == list(plan.steps)
    assert all(map(operator.is_, tables.steps, read.steps))
    assert tables.downstream == read.downstream == [plan.downstream[key] for key in plan.steps]
    assert all(map(operator.is_, tables.downstream, read.downstream))
    assert tables.waiting == read.waiting == [len(s.upstream_keys) for s in plan.steps.values()]
    assert tables.roots == read.roots
