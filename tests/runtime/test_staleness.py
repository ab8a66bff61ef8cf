"""runtime.staleness: which steps `plan` / `apply` run, and why."""

from __future__ import annotations

from specrun import AssetCheckResult, DagsterEventType, DagsterInstance, asset, asset_check, materialize
from specrun.runtime.api import execute_run
from specrun.runtime.definitions.jobs import build_asset_job
from specrun.runtime.plan import build_plan
from specrun.runtime.staleness import decide


def _pipeline(check_passes: bool):
    @asset
    def orders():
        return [1, -2]

    @asset
    def summary(orders):
        return sum(orders)

    @asset_check(asset=orders, blocking=True)
    def no_negatives(orders):
        return AssetCheckResult(passed=check_passes or min(orders) >= 0)

    return [orders, summary, no_negatives]


def _job(defs):
    return build_asset_job("__check_job", defs[:2], defs[2:])  # as the CLI builds a spec's job


def _decisions(defs, instance) -> dict:
    return {d.step_key: (d.run, d.reason) for d in decide(build_plan(_job(defs), []), instance, None)}


def test_a_failed_blocking_check_runs_again_and_keeps_holding_back_its_downstream():
    instance = DagsterInstance.ephemeral()
    failing = _pipeline(check_passes=False)
    first = materialize(failing, instance=instance, raise_on_error=False)
    assert not first.success  # summary was skipped: the check failed

    assert _decisions(failing, instance) == {
        "orders": (False, "up to date"),
        "orders_no_negatives": (True, "failed last time, holding back what reads it"),
        "summary": (True, "never materialized"),
    }
    # Run what the plan says: the check fails again and summary is skipped again.
    job = _job(failing)
    to_run = ["orders_no_negatives", "summary"]
    again = execute_run(job, instance=instance, raise_on_error=False, step_keys=to_run,
                        plan=build_plan(job, [], to_run))
    assert [e.step_key for e in again.all_events if e.event_type is DagsterEventType.STEP_SKIPPED] == ["summary"]
    assert instance.get_latest_materialization_event("summary") is None


def test_a_passing_check_is_up_to_date():
    instance = DagsterInstance.ephemeral()
    passing = _pipeline(check_passes=True)
    assert materialize(passing, instance=instance).success
    assert _decisions(passing, instance) == {
        "orders": (False, "up to date"), "orders_no_negatives": (False, "up to date"),
        "summary": (False, "up to date")}


def _with_check_specs(passes: bool):
    from specrun import AssetCheckSpec, Output

    @asset(check_specs=[AssetCheckSpec("positive", asset="scored", blocking=True)])
    def scored():
        yield Output(1)
        yield AssetCheckResult(passed=passes)

    @asset
    def report(scored):
        return scored

    return [scored, report]


def test_an_asset_whose_own_blocking_check_failed_runs_again_and_holds_back_its_downstream():
    instance = DagsterInstance.ephemeral()
    failing = _with_check_specs(passes=False)
    assert not materialize(failing, instance=instance, raise_on_error=False).success
    decisions = {d.step_key: (d.run, d.reason)
                 for d in decide(build_plan(build_asset_job("j", failing), []), instance, None)}
    assert decisions == {"scored": (True, "check positive failed last time, holding back what reads it"),
                         "report": (True, "never materialized")}
    passing = _with_check_specs(passes=True)
    assert materialize(passing, instance=instance).success
    decisions = {d.step_key: (d.run, d.reason)
                 for d in decide(build_plan(build_asset_job("j", passing), []), instance, None)}
    assert decisions["report"] == (False, "up to date")


def _chain():
    @asset
    def a():
        return 1

    @asset
    def b(a):
        return a + 1

    return [a, b]


def _chain_decisions(defs, instance) -> dict:
    job = build_asset_job("__chain_job", defs)
    return {d.step_key: (d.run, d.reason) for d in decide(build_plan(job, []), instance, None)}


def test_an_upstream_materialized_alone_makes_its_downstream_stale():
    instance = DagsterInstance.ephemeral()
    defs = _chain()
    assert materialize(defs, instance=instance).success
    assert _chain_decisions(defs, instance) == {"a": (False, "up to date"), "b": (False, "up to date")}

    assert materialize([defs[0]], instance=instance).success  # a again, b not
    assert _chain_decisions(defs, instance) == {
        "a": (False, "up to date"), "b": (True, "upstream a has newer data")}


def test_a_stored_output_that_went_missing_makes_its_asset_stale(tmp_path):
    import os

    from specrun.runtime.io_managers import fs_io_manager

    instance = DagsterInstance.ephemeral()
    defs = _chain()
    config = {"resources": {"io_manager": {"config": {"base_dir": str(tmp_path)}}}}
    result = materialize(defs, instance=instance, resources={"io_manager": fs_io_manager}, run_config=config)
    assert _chain_decisions(defs, instance) == {
        "a": (False, "up to date"), "b": (False, "up to date")}

    [b] = [m for m in result.asset_materializations if m.asset_key.to_user_string() == "b"]
    os.unlink(b.metadata["path"].value)  # the stored value of b is gone (deleted by hand, lost disk)
    assert _chain_decisions(defs, instance) == {
        "a": (False, "up to date"), "b": (True, "stored output is missing")}


def test_decisions_carry_their_node_kind_partition_and_asset_and_force_runs_everything():
    from specrun import AssetKey
    from specrun.runtime.staleness import Decision

    instance = DagsterInstance.ephemeral()
    passing = _pipeline(check_passes=True)
    plan = build_plan(_job(passing), [])
    assert decide(plan, instance, None) == [
        Decision("orders", "orders", "asset", None, True, "never materialized", AssetKey("orders")),
        Decision("orders_no_negatives", "orders_no_negatives", "check", None, True,
                 "orders will be re-materialized", AssetKey("orders")),
        Decision("summary", "summary", "asset", None, True, "never materialized", AssetKey("summary"))]
    assert materialize(passing, instance=instance).success
    assert decide(plan, instance, None, force=True) == [
        Decision("orders", "orders", "asset", None, True, "forced (--force)", AssetKey("orders")),
        Decision("orders_no_negatives", "orders_no_negatives", "check", None, True, "forced (--force)",
                 AssetKey("orders")),
        Decision("summary", "summary", "asset", None, True, "forced (--force)", AssetKey("summary"))]


def _halves(partitions_def=None):
    """A graph-backed multi-asset: `split` makes `right` from `up`, the op-only `prep` feeds
    `add`, which makes `left`; `first_only` reads no graph input and makes `fixed`."""
    from specrun import AssetOut, Out, graph_multi_asset, op

    @asset(partitions_def=partitions_def)
    def up():
        return 1

    @op(out={"first": Out(), "second": Out()})
    def split(x):
        return x, x + 1

    @op
    def prep(x):
        return x * 10

    @op
    def add(x):
        return x + 1

    @op
    def first_only():
        return 0

    @graph_multi_asset(outs={"left": AssetOut(), "right": AssetOut(), "fixed": AssetOut()},
                       partitions_def=partitions_def)
    def halves(up):
        first, second = split(up)
        return {"left": add(prep(first)), "right": second, "fixed": first_only()}

    return [up, halves]


def _graph_decisions(defs, instance, keys=()) -> list:
    return [(d.step_key, d.kind, d.run, d.reason)
            for d in decide(build_plan(build_asset_job("j", defs), list(keys)), instance, None)]


def test_a_graph_asset_runs_all_its_steps_when_one_of_its_stored_values_is_missing(tmp_path):
    import os

    from specrun.runtime.io_managers import fs_io_manager

    instance = DagsterInstance.ephemeral()
    defs = _halves()
    config = {"resources": {"io_manager": {"config": {"base_dir": str(tmp_path)}}}}

    def run(**options):
        return materialize(defs, instance=instance, resources={"io_manager": fs_io_manager}, run_config=config,
                           **options)

    result = run()
    assert result.success
    # `first_only` reads nothing of `up` but makes `fixed`, which depends on it: it ran after `up` and
    # recorded up's new version, so one run leaves everything up to date (it once took a second run)
    assert sorted(_graph_decisions(defs, instance)) == [
        ("halves.add", "asset", False, "up to date"),
        ("halves.first_only", "asset", False, "up to date"),
        ("halves.prep", "op", False, "graph asset halves is up to date"),
        ("halves.split", "asset", False, "up to date"),
        ("up", "asset", False, "up to date")]
    [left] = [m for m in result.asset_materializations if m.asset_key.to_user_string() == "left"]
    os.unlink(left.metadata["path"].value)
    assert sorted(_graph_decisions(defs, instance)) == [
        ("halves.add", "asset", True, "stored output is missing"),
        ("halves.first_only", "asset", True, "runs with the rest of graph asset halves"),
        ("halves.prep", "op", True, "graph asset halves runs"),
        ("halves.split", "asset", True, "runs with the rest of graph asset halves"),
        ("up", "asset", False, "up to date")]


def test_a_graph_step_before_the_graphs_upstream_in_plan_order_does_not_wait_for_it():
    """`first_only` reads no graph input, so it comes before `up` in the plan; `up[a]` runs in
    this run all the same, so no step of `halves` waits for it (it did: `fixed` was left out)."""
    from specrun import StaticPartitionsDefinition

    defs = _halves(StaticPartitionsDefinition(["a", "b"]))
    plan = build_plan(build_asset_job("j", defs), ["a"])
    assert sorted((d.step_key, d.kind, d.partition, d.run, d.reason)
                  for d in decide(plan, DagsterInstance.ephemeral(), None)) == [
        ("halves.add", "asset", "a", True, "never materialized"),
        ("halves.first_only", "asset", "a", True, "never materialized"),
        ("halves.prep", "op", "a", True, "graph asset halves runs"),
        ("halves.split", "asset", "a", True, "never materialized"),
        ("up", "asset", "a", True, "never materialized")]


def test_every_step_of_a_graph_asset_waits_for_upstream_partitions_no_run_makes():
    from specrun import StaticPartitionsDefinition

    parts = StaticPartitionsDefinition(["a", "b", "c"])
    up, _ = _halves(parts)
    _, halves = _halves()  # unpartitioned: reads every partition of up
    instance = DagsterInstance.ephemeral()
    assert materialize([up], instance=instance, partition_key="b").success
    waiting = "waiting: upstream up has 2 of 3 partition(s) not materialized (first: a)"
    plan = build_plan(build_asset_job("j", [up, halves], selection=["left", "right", "fixed"]), [])
    assert sorted((d.step_key, d.kind, d.run, d.reason) for d in decide(plan, instance, None)) == [
        ("halves.add", "asset", False, waiting), ("halves.first_only", "asset", False, waiting),
        ("halves.prep", "op", False, "graph asset halves is up to date"), ("halves.split", "asset", False, waiting)]


def _checked_pair():
    from specrun import AssetCheckSpec, multi_asset_check

    @asset
    def left():
        return 1

    @asset
    def right():
        return 2

    @multi_asset_check(specs=[AssetCheckSpec("left_ok", asset="left"), AssetCheckSpec("right_ok", asset="right")])
    def both_ok():
        yield AssetCheckResult(asset_key="left", check_name="left_ok", passed=True)
        yield AssetCheckResult(asset_key="right", check_name="right_ok", passed=RIGHT_PASSES[0])

    @asset_check(asset=left)
    def left_small(left):
        return AssetCheckResult(passed=False)

    return [left, right], [both_ok, left_small]


RIGHT_PASSES = [False]


def test_checks_never_evaluated_then_failed_without_blocking_then_passing():
    from specrun import AssetKey
    from specrun.runtime.staleness import Decision

    instance = DagsterInstance.ephemeral()
    assets, checks = _checked_pair()
    plan = build_plan(build_asset_job("j", assets, checks), [])
    assert materialize(assets, instance=instance).success
    assert [d for d in decide(plan, instance, None) if d.kind == "check"] == [
        Decision("left_left_small", "left_left_small", "check", None, True, "never evaluated", AssetKey("left")),
        Decision("both_ok", "both_ok", "check", None, True, "check left_ok never evaluated", AssetKey("left"))]
    RIGHT_PASSES[0] = False
    assert materialize([*assets, *checks], instance=instance).success  # non-blocking: the run succeeds
    assert {d.step_key: (d.run, d.reason) for d in decide(plan, instance, None)} == {
        "left": (False, "up to date"), "right": (False, "up to date"),
        "left_left_small": (True, "failed last time"), "both_ok": (True, "check right_ok failed last time")}
    RIGHT_PASSES[0] = True
    assert materialize([*assets, checks[0]], instance=instance).success
    assert {d.step_key: (d.run, d.reason) for d in decide(plan, instance, None)}["both_ok"] == (False, "up to date")


def test_a_check_of_a_partitioned_asset_is_decided_per_partition():
    from specrun import StaticPartitionsDefinition

    @asset(partitions_def=StaticPartitionsDefinition(["a", "b"]))
    def parted():
        return 1

    @asset_check(asset=parted)
    def fine():
        return AssetCheckResult(passed=True)

    plan = build_plan(build_asset_job("j", [parted], [fine]), ["a"])
    assert [(d.step_key, d.kind, d.partition, d.reason) for d in decide(plan, DagsterInstance.ephemeral(), None)] == [
        ("parted", "asset", "a", "never materialized"), ("parted_fine", "check", "a", "parted will be re-materialized")]


class _Store:
    """An object store that has only the objects named in `present`; records what it is asked."""

    def __init__(self, present):
        self.present, self.asked = present, []

    def has_output(self, context):
        keys = tuple(context.asset_partition_keys) if context.has_asset_partitions else ()
        self.asked.append((context.step_key, context.name, context.asset_key.to_user_string(), keys,
                           context.asset_partitions_def))
        return (context.asset_key.to_user_string(), keys) in self.present


def test_an_object_store_is_asked_for_each_asset_value_by_step_output_asset_and_partition():
    from specrun import AssetOut, Output, StaticPartitionsDefinition, multi_asset

    parts = StaticPartitionsDefinition(["a", "b"])

    @asset(partitions_def=parts)
    def parted():
        return 1

    @multi_asset(outs={"one": AssetOut(), "two": AssetOut()})
    def pair():
        yield Output(1, output_name="one")
        yield Output(2, output_name="two")

    instance = DagsterInstance.ephemeral()
    assert materialize([parted], instance=instance, partition_key="b").success
    assert materialize([pair], instance=instance).success
    store = _Store({("parted", ("b",)), ("one", ())})
    plan = build_plan(build_asset_job("j", [parted]), ["b"])
    assert [d.reason for d in decide(plan, instance, None, object_stores={"io_manager": store})] == ["up to date"]
    assert store.asked == [("parted", "result", "parted", ("b",), parts)]
    store = _Store({("one", ())})
    plan = build_plan(build_asset_job("j", [pair]), [])
    assert [d.reason for d in decide(plan, instance, None, object_stores={"io_manager": store})] == [
        "two: stored output is missing"]
    assert store.asked == [("pair", "one", "one", (), None), ("pair", "two", "two", (), None)]
    assert [d.reason for d in decide(plan, instance, None, object_stores={"other": store})] == ["up to date"]


def test_an_observation_at_the_same_instant_as_a_materialization_does_not_replace_it():
    from specrun import AssetKey, DataVersion, observable_source_asset
    from specrun.runtime.storage.base import MaterializationVersions

    @observable_source_asset
    def feed():
        return DataVersion("1")

    @asset(deps=[feed])
    def reader():
        return 1

    real = DagsterInstance.ephemeral()
    assert materialize([feed, reader], instance=real, selection=[reader]).success  # read feed as "none"

    class SameInstant:
        """The real instance, plus a materialization of feed and an observation of it at one instant."""

        def __getattr__(self, name):
            return getattr(real, name)

        def latest_versions(self, keys):
            return {**real.latest_versions(keys),
                    (AssetKey("feed"), None): MaterializationVersions("r", 5.0, {"specrun/data_version": "none"})}

        def latest_observed_versions(self, keys):
            return {(AssetKey("feed"), None): MaterializationVersions(
                "r", 5.0, {"specrun/data_version": "2", "specrun/observed": "1"})}

    plan = build_plan(build_asset_job("j", [feed, reader], selection=[reader]), [])
    assert [d.reason for d in decide(plan, SameInstant(), None)] == ["up to date"]


def test_a_changed_op_of_a_graph_asset_says_the_graphs_old_and_new_version():
    import re

    from specrun import AssetKey, graph_asset, op

    def shout(version):
        @op(code_version=version)
        def upper(x):
            return str(x).upper()

        @graph_asset(name="shout")
        def shout_asset(up):
            return upper(up)

        return shout_asset

    up, _ = _halves()
    instance = DagsterInstance.ephemeral()
    assert materialize([up, shout("1")], instance=instance).success
    old = instance.latest_versions()[(AssetKey("shout"), None)].tags["specrun/code_version"]
    assert old.startswith("graph-")
    [(run, reason)] = [(d.run, d.reason) for d in decide(build_plan(build_asset_job("j", [up, shout("2")]), []),
                                                        instance, None) if d.step_key == "shout.upper"]
    found = re.fullmatch(r"code changed: an op of graph asset shout changed \(([0-9a-f]{8}) -> ([0-9a-f]{8})\)", reason)
    assert run and found, reason
    assert found.group(1) == old[6:14] and found.group(2) != found.group(1)
