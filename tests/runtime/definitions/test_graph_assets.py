"""Graph-backed assets beyond the conformance suite: partitions and staleness of the graph's steps."""

from __future__ import annotations

import pytest

from specrun import (
    AssetKey, AssetsDefinition, DailyPartitionsDefinition, Definitions, FilesystemIOManager, Out,
    asset, graph, graph_asset, instance_for_test, materialize, op,
)
from specrun.errors import DefinitionError
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



@op(out={"lo": Out(), "hi": Out()})
def ends(values):
    return min(values), max(values)


@graph
def bounds(values):
    lo, hi = ends(values)
    return {"lo": lo, "hi": hi}


def test_a_graphs_output_keys_are_given_or_its_names_under_the_prefix():
    made = AssetsDefinition.from_graph(bounds, keys_by_output_name={"hi": AssetKey(["top", "max"])},
                                       key_prefix=["p"])
    assert made.keys_by_output_name == {"lo": AssetKey(["p", "lo"]), "hi": AssetKey(["top", "max"])}
    assert made.keys_by_input_name == {"values": AssetKey(["p", "values"])}
    with pytest.raises(DefinitionError) as raised:
        AssetsDefinition.from_graph(bounds, keys_by_output_name={"mid": AssetKey("m"), "zz": AssetKey("z")})
    assert str(raised.value) == ("graph asset 'bounds': keys_by_output_name names ['mid', 'zz'], not outputs "
                                 "of the graph (its outputs: ['hi', 'lo'])")
