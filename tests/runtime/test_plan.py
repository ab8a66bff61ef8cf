"""runtime.plan: step order, dependency cycles and step subsets."""

from __future__ import annotations

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
