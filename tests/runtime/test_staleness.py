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
