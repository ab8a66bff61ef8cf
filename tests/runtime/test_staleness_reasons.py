"""runtime.staleness: each reason a step runs or waits, said exactly (ops, config, code,
templates, multi-assets, partitions, sources, object stores)."""

from __future__ import annotations

import re

from specrun import (
    AllPartitionMapping, AssetIn, AssetKey, AssetMaterialization, AssetOut, AssetSpec, DagsterInstance,
    DataVersion, Output, StaticPartitionsDefinition, asset, job, materialize, multi_asset, observable_source_asset,
    observe, op,
)
from specrun.runtime.definitions.jobs import build_asset_job
from specrun.runtime.plan import build_plan
from specrun.runtime.run_config import ResolvedRunConfig
from specrun.runtime.staleness import Decision, decide


def _reasons(assets, instance, keys=(), selection=None, resolved=None, **options) -> dict:
    job_def = build_asset_job("j", assets, selection=selection)
    return {d.step_key: (d.run, d.reason)
            for d in decide(build_plan(job_def, list(keys)), instance, resolved, **options)}


def _configs(**op_configs) -> ResolvedRunConfig:
    return ResolvedRunConfig(raw={}, op_configs=op_configs)


def test_a_plain_op_always_runs():
    @op
    def hello():
        return 1

    @job
    def greet():
        hello()

    assert decide(build_plan(greet, []), DagsterInstance.ephemeral(), None) == [
        Decision("hello", "hello", "op", None, True, "ops always run")]


def _configured():
    @asset(config_schema={"rows": int, "name": str})
    def source(context):
        return context.op_config["rows"]

    @asset(config_schema={"rows": int})
    def other(context):
        return context.op_config["rows"]

    return [source, other]


def test_a_config_change_names_the_keys_that_changed_for_each_asset():
    instance = DagsterInstance.ephemeral()
    defs = _configured()
    ops = {"source": {"config": {"rows": 20, "name": "x"}}, "other": {"config": {"rows": 20}}}
    assert materialize(defs, instance=instance, run_config={"ops": ops}).success
    same = _configs(source={"rows": 20, "name": "x"}, other={"rows": 20})
    assert _reasons(defs, instance, resolved=same) == {"other": (False, "up to date"),
                                                       "source": (False, "up to date")}
    # Both changed from the same old config text, each to its own new value: explained apart.
    changed = _configs(source={"rows": 25, "name": "x"}, other={"rows": 30})
    assert _reasons(defs, instance, resolved=changed) == {
        "other": (True, "config changed: rows 20 -> 30"), "source": (True, "config changed: rows 20 -> 25")}
    # No resolved run config: no config at all, which differs from the recorded one.
    assert _reasons(defs, instance) == {"other": (True, "config changed"), "source": (True, "config changed")}


def _pinned(version=None, value=1):
    @asset(name="pinned", code_version=version)
    def pinned():
        return value

    return pinned


def test_an_explicit_code_version_change_says_both_versions():
    instance = DagsterInstance.ephemeral()
    assert materialize([_pinned("1")], instance=instance).success
    assert _reasons([_pinned("1")], instance) == {"pinned": (False, "up to date")}
    assert _reasons([_pinned("2")], instance) == {"pinned": (True, "code changed: code_version 1 -> 2")}


def test_a_code_version_set_on_an_automatically_versioned_asset_says_the_new_one():
    instance = DagsterInstance.ephemeral()
    assert materialize([_pinned()], instance=instance).success
    assert _reasons([_pinned("7")], instance) == {"pinned": (True, "code changed: code_version set to 7")}


def test_dropping_an_explicit_code_version_says_old_and_new_in_eight_characters():
    instance = DagsterInstance.ephemeral()
    assert materialize([_pinned("version-12345")], instance=instance).success
    [(run, reason)] = _reasons([_pinned()], instance).values()
    assert run and re.fullmatch(r"code changed: version- -> [0-9a-f]{8}", reason), reason


def _total(value):
    if value == 1:
        def total():
            return 1
    else:
        def total():
            return 2
    return asset(total)


def test_an_edited_function_is_named_in_the_reason():
    instance = DagsterInstance.ephemeral()
    assert materialize([_total(1)], instance=instance).success
    assert _reasons([_total(1)], instance) == {"total": (False, "up to date")}
    assert _reasons([_total(2)], instance) == {"total": (True, "code changed: _total.<locals>.total changed")}


def test_code_changes_are_explained_per_old_version_across_partitions():
    parts = StaticPartitionsDefinition(["a", "b"])

    def daily(version):
        @asset(name="daily", partitions_def=parts, code_version=version)
        def daily_asset(context):
            return context.partition_key

        return daily_asset

    instance = DagsterInstance.ephemeral()
    assert materialize([daily("1")], instance=instance, partition_key="a").success
    assert materialize([daily("2")], instance=instance, partition_key="b").success
    plan = build_plan(build_asset_job("j", [daily("3")]), ["a", "b"])
    assert decide(plan, instance, None) == [
        Decision("daily[a]", "daily", "asset", "a", True, "code changed: code_version 1 -> 3", AssetKey("daily")),
        Decision("daily[b]", "daily", "asset", "b", True, "code changed: code_version 2 -> 3", AssetKey("daily"))]
    forced = decide(plan, instance, None, force=True)
    assert [(d.partition, d.run, d.reason) for d in forced] == [("a", True, "forced (--force)"),
                                                                ("b", True, "forced (--force)")]


def _templated(template_hash, template=None):
    tags = {"specrun/template_hash": template_hash}
    if template is not None:
        tags["specrun/template"] = template

    @asset(name="made", tags=tags, code_version="1")
    def made():
        return 1

    return made


def test_a_changed_template_is_named_and_a_code_change_under_the_same_template_is_not_a_template_change():
    instance = DagsterInstance.ephemeral()
    assert materialize([_templated("h1", "copy")], instance=instance).success
    assert _reasons([_templated("h1", "copy")], instance) == {"made": (False, "up to date")}
    assert _reasons([_templated("h2", "copy")], instance) == {"made": (True, "template changed (copy)")}
    assert _reasons([_templated("h2")], instance) == {"made": (True, "template changed (?)")}
    assert _reasons([_pinned("2")], DagsterInstance.ephemeral()) == {"pinned": (True, "never materialized")}


def test_a_code_change_without_templates_is_not_called_a_template_change():
    instance = DagsterInstance.ephemeral()
    assert materialize([_total(1)], instance=instance).success
    assert _reasons([_total(2)], instance)["total"][1].startswith("code changed")


def test_a_multi_asset_says_which_of_its_assets_is_stale_first_by_name():
    @multi_asset(outs={n: AssetOut() for n in ["f", "e", "d", "c", "b", "a"]}, can_subset=True)
    def many(context):
        for name in sorted(context.selected_output_names):
            yield Output(1, output_name=name)

    instance = DagsterInstance.ephemeral()
    assert _reasons([many], instance) == {"many": (True, "a: never materialized")}
    assert materialize([many], instance=instance, selection=["a", "c", "e"]).success
    assert _reasons([many], instance) == {"many": (True, "b: never materialized")}
    assert materialize([many], instance=instance).success
    assert _reasons([many], instance) == {"many": (False, "up to date")}


static = StaticPartitionsDefinition(["a", "b", "c"])


@asset(partitions_def=static)
def raw(context):
    return context.partition_key


@asset
def total(raw):
    return len(raw)


def test_a_roll_up_waits_for_the_partitions_it_reads_and_then_follows_their_data():
    instance = DagsterInstance.ephemeral()
    assert decide(build_plan(build_asset_job("j", [raw, total], selection=[total]), []), instance, None) == [
        Decision("total", "total", "asset", None, False,
                 "waiting: upstream raw has 3 of 3 partition(s) not materialized (first: a)", AssetKey("total"))]
    assert materialize([raw], instance=instance, partition_key="b").success
    assert _reasons([raw, total], instance, selection=[total]) == {
        "total": (False, "waiting: upstream raw has 2 of 3 partition(s) not materialized (first: a)")}
    for key in ("a", "c"):
        assert materialize([raw], instance=instance, partition_key=key).success
    assert _reasons([raw, total], instance, selection=[total]) == {"total": (True, "never materialized")}
    assert materialize([raw, total], instance=instance, selection=[total]).success
    assert _reasons([raw, total], instance, selection=[total]) == {"total": (False, "up to date")}
    assert materialize([raw], instance=instance, partition_key="c").success
    assert _reasons([raw, total], instance, selection=[total]) == {"total": (True, "upstream raw has newer data")}


def test_a_partitioned_step_waits_on_partitions_this_run_does_not_make():
    @asset(partitions_def=StaticPartitionsDefinition(["x", "y"]), ins={"raw": AssetIn(partition_mapping=AllPartitionMapping())})
    def spread(context, raw):
        return len(raw)

    instance = DagsterInstance.ephemeral()
    assert materialize([raw], instance=instance, partition_key="a").success
    plan = build_plan(build_asset_job("j", [raw, spread], selection=[spread]), ["x"])
    assert decide(plan, instance, None) == [
        Decision("spread", "spread", "asset", "x", False,
                 "waiting: upstream raw has 2 of 3 partition(s) not materialized (first: b)", AssetKey("spread"))]


def test_a_partition_this_run_makes_first_is_not_waited_for():
    @asset(partitions_def=static)
    def copied(raw):
        return raw

    instance = DagsterInstance.ephemeral()
    assert _reasons([raw, copied], instance, keys=["b"]) == {
        "raw": (True, "never materialized"), "copied": (True, "never materialized")}


def test_a_step_reading_an_upstream_that_runs_in_this_run_runs_too():
    @asset
    def b(a):
        return a

    instance = DagsterInstance.ephemeral()
    assert materialize([_named("a", "1"), b], instance=instance).success
    assert _reasons([_named("a", "1"), b], instance) == {"a": (False, "up to date"), "b": (False, "up to date")}
    assert _reasons([_named("a", "2"), b], instance) == {
        "a": (True, "code changed: code_version 1 -> 2"), "b": (True, "upstream a will be re-materialized")}


def _named(name, version):
    @asset(name=name, code_version=version)
    def made():
        return 1

    return made


def test_an_observed_source_that_changed_makes_its_reader_stale():
    version = {"now": "1"}

    @observable_source_asset
    def orders():
        return DataVersion(version["now"])

    @asset(deps=[orders])
    def summary():
        return 1

    instance = DagsterInstance.ephemeral()
    assert materialize([orders, summary], instance=instance, selection=[summary]).success
    assert _reasons([orders, summary], instance, selection=[summary]) == {"summary": (False, "up to date")}
    observe([orders], instance=instance)  # a version now, where there was none
    assert _reasons([orders, summary], instance, selection=[summary]) == {
        "summary": (True, "upstream source orders changed")}
    assert materialize([orders, summary], instance=instance, selection=[summary]).success
    observe([orders], instance=instance)  # the same version again
    assert _reasons([orders, summary], instance, selection=[summary]) == {"summary": (False, "up to date")}
    version["now"] = "2"
    observe([orders], instance=instance)
    assert _reasons([orders, summary], instance, selection=[summary]) == {
        "summary": (True, "upstream source orders changed")}


def test_an_external_asset_reported_without_a_data_version_counts_as_new_data_once():
    external = AssetSpec("external")

    @asset(deps=[external])
    def reader():
        return 1

    @op
    def report(context):
        context.log_event(AssetMaterialization("external"))

    @job
    def reporter():
        report()

    instance = DagsterInstance.ephemeral()
    assert materialize([external, reader], instance=instance, selection=[reader]).success
    assert _reasons([external, reader], instance, selection=[reader]) == {"reader": (False, "up to date")}
    assert reporter.execute_in_process(instance=instance).success  # a record, with no data version
    assert _reasons([external, reader], instance, selection=[reader]) == {
        "reader": (True, "upstream external has newer data")}
    assert materialize([external, reader], instance=instance, selection=[reader]).success
    assert _reasons([external, reader], instance, selection=[reader]) == {"reader": (False, "up to date")}


def test_alike_changes_of_different_assets_are_explained_each_by_its_own():
    instance = DagsterInstance.ephemeral()
    assert materialize([_named("a", "1"), _named("b", "1")], instance=instance).success
    assert _reasons([_named("a", "2"), _named("b", "3")], instance) == {
        "a": (True, "code changed: code_version 1 -> 2"), "b": (True, "code changed: code_version 1 -> 3")}


def test_a_change_whose_materialization_cannot_be_read_is_said_with_what_is_known():
    real = DagsterInstance.ephemeral()
    assert materialize([_named("a", "1")], instance=real).success

    class NoBodies:
        def __getattr__(self, name):
            return getattr(real, name)

        def latest_materializations(self, keys):
            return {}

    assert _reasons([_named("a", "2")], NoBodies()) == {"a": (True, "code changed: code_version ? -> 2")}


def test_a_code_version_that_looks_like_a_graphs_is_an_explicit_one():
    instance = DagsterInstance.ephemeral()
    assert materialize([_named("a", "graph-1")], instance=instance).success
    assert _reasons([_named("a", "graph-2")], instance) == {"a": (True, "code changed: code_version graph-1 -> graph-2")}


def test_a_code_change_under_an_unchanged_template_is_a_code_change():
    def made(version):
        @asset(name="made", tags={"specrun/template_hash": "h1", "specrun/template": "copy"}, code_version=version)
        def made_asset():
            return 1

        return made_asset

    instance = DagsterInstance.ephemeral()
    assert materialize([made("1")], instance=instance).success
    assert _reasons([made("2")], instance) == {"made": (True, "code changed: code_version 1 -> 2")}


def test_an_asset_with_passing_checks_is_still_stale_for_its_own_reasons():
    from specrun import AssetCheckResult, AssetCheckSpec

    @asset(check_specs=[AssetCheckSpec("positive", asset="scored")])
    def scored(a):
        yield Output(a)
        yield AssetCheckResult(passed=True)

    instance = DagsterInstance.ephemeral()
    assert materialize([_named("a", "1"), scored], instance=instance).success
    assert _reasons([_named("a", "1"), scored], instance) == {"a": (False, "up to date"), "scored": (False, "up to date")}
    assert materialize([_named("a", "1")], instance=instance).success
    assert _reasons([_named("a", "1"), scored], instance) == {
        "a": (False, "up to date"), "scored": (True, "upstream a has newer data")}


def test_each_asset_of_a_multi_asset_follows_its_upstream_and_config():
    @multi_asset(outs={"y": AssetOut(), "x": AssetOut()}, config_schema={"n": int})
    def pair(context, a):
        yield Output(a, output_name="y")
        yield Output(a + context.op_config["n"], output_name="x")

    instance = DagsterInstance.ephemeral()
    run_config = {"ops": {"pair": {"config": {"n": 1}}}}
    assert materialize([_named("a", "1"), pair], instance=instance, run_config=run_config).success
    same = _configs(pair={"n": 1})
    assert _reasons([_named("a", "1"), pair], instance, resolved=same) == {
        "a": (False, "up to date"), "pair": (False, "up to date")}
    assert _reasons([_named("a", "2"), pair], instance, resolved=same) == {
        "a": (True, "code changed: code_version 1 -> 2"), "pair": (True, "x: upstream a will be re-materialized")}
    assert materialize([_named("a", "1")], instance=instance).success
    assert _reasons([_named("a", "1"), pair], instance, resolved=same)["pair"] == (True, "x: upstream a has newer data")


def _with_deps(*deps):
    @asset(code_version="1")
    def a():
        return 1

    @asset(code_version="1")
    def c():
        return 3

    @asset(code_version="1", deps=list(deps))
    def b():
        return 2

    return [a, c, b]


def test_a_dependency_added_since_the_last_materialization_makes_the_asset_stale():
    # was "up to date": a record without the new upstream's version was taken to need nothing
    instance = DagsterInstance.ephemeral()
    assert materialize(_with_deps("a"), instance=instance).success
    assert _reasons(_with_deps("a"), instance)["b"] == (False, "up to date")
    assert _reasons(_with_deps("a", "c"), instance) == {
        "a": (False, "up to date"), "c": (False, "up to date"), "b": (True, "new dependency on c")}


def test_a_dependency_dropped_since_the_last_materialization_makes_the_asset_stale():
    instance = DagsterInstance.ephemeral()
    assert materialize(_with_deps("a", "c"), instance=instance).success
    assert _reasons(_with_deps("c"), instance)["b"] == (True, "removed dependency on a")
    assert materialize(_with_deps("c"), instance=instance).success
    assert _reasons(_with_deps("c"), instance)["b"] == (False, "up to date")
