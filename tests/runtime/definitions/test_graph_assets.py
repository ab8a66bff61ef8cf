"""Graph-backed assets beyond the conformance suite: partitions and staleness of the graph's steps."""

from __future__ import annotations

from specrun import (
    AssetKey, DailyPartitionsDefinition, Definitions, FilesystemIOManager, asset, graph_asset, instance_for_test,
    materialize, op,
)
from specrun.runtime.plan import build_plan
from specrun.runtime.staleness import decide

daily = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-04")


@asset(partitions_def=daily)
def raw(context):
    return context.partition_key


@op
def first(value):
    return value.upper()


@op
def second(text):
    return text + "?"


@graph_asset(partitions_def=daily)
def shout(raw):
    return second(first(raw))


def _decisions(instance, resources, keys):
    job = Definitions(assets=[raw, shout], resources=resources).get_asset_job(keys)
    return [(d.step_key, d.run, d.reason) for d in decide(build_plan(job, ["2024-01-02"]), instance, None)]


def test_a_partitioned_graph_asset_reads_and_records_the_upstream_partition(tmp_path):
    resources = {"io_manager": FilesystemIOManager(base_dir=str(tmp_path))}
    with instance_for_test() as instance:
        result = materialize([raw, shout], partition_key="2024-01-02", instance=instance, resources=resources)
        assert result.output_for_node("shout") == "2024-01-02?"
        versions = instance.latest_versions()
        consumed = versions[(AssetKey("shout"), "2024-01-02")].tags["specrun/input_data_versions"]
        assert consumed == '{"raw": "%s"}' % versions[(AssetKey("raw"), "2024-01-02")].tags["specrun/data_version"]
        assert _decisions(instance, resources, ["shout"]) == [
            ("shout.first", False, "graph asset shout is up to date"),
            ("shout.second", False, "up to date")]
        materialize([raw], partition_key="2024-01-02", instance=instance, resources=resources)
        assert _decisions(instance, resources, ["shout"]) == [
            ("shout.first", True, "graph asset shout runs"),
            ("shout.second", True, "upstream raw has newer data")]

