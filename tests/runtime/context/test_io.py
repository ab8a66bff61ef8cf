"""runtime.context.io: `OutputContext` and `InputContext` as an IO manager sees them, built
by hand (what a run builds is checked in tests/runtime/test_contexts.py and the conformance
suite)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from specrun import AssetKey, DailyPartitionsDefinition, StaticPartitionsDefinition
from specrun.errors import NoPartitionError
from specrun.runtime.context.io import (
    InputContext, OutputContext, build_input_context, build_output_context, input_context_with_deferred_upstream,
)

DAILY = DailyPartitionsDefinition(start_date="2024-01-01")


def _utc(*day: int) -> datetime:
    return datetime(*day, tzinfo=timezone.utc)


def test_an_output_context_keeps_what_it_is_given():
    context = OutputContext("step", "out", run_id="r", asset_key=AssetKey("a"), metadata={"m": 1}, config={"c": 2},
                            log="log", resources="res", op_def="op", dagster_type="t", step_context="sc",
                            mapping_key="k", version="v")
    assert (context.step_key, context.name, context.run_id, context.asset_key) == ("step", "out", "r", AssetKey("a"))
    assert context.metadata == {"m": 1} and context.definition_metadata == {"m": 1}
    assert (context.config, context.log, context.resources, context.op_def) == ({"c": 2}, "log", "res", "op")
    assert (context.dagster_type, context.step_context, context.mapping_key, context.version) == ("t", "sc", "k", "v")
    assert context.data_version is None and context.has_asset_key
    assert repr(context) == "OutputContext(step_key='step', name='out', asset_key=AssetKey(['a']))"
    bare = OutputContext("s", "result")
    assert bare.metadata == {} and bare.run_id is None and not bare.has_asset_key
    assert (bare.config, bare.log, bare.resources, bare.mapping_key, bare.version) == (None,) * 5
    bare.anything = 1  # other attributes can still be set, as on any object
    assert bare.anything == 1


def test_output_identifiers_name_the_run_step_output_and_mapping_key():
    assert OutputContext("step", "out", run_id="r").get_identifier() == ["r", "step", "out"]
    assert OutputContext("step", "out").get_identifier() == ["", "step", "out"]
    assert OutputContext("step", "out", run_id="r", mapping_key="k").get_identifier() == ["r", "step", "out", "k"]
    keyed = OutputContext("s", "o", asset_key=AssetKey(["a", "b"]), partition_keys=("p",))
    assert keyed.get_asset_identifier() == ["a", "b", "p"]
    several = OutputContext("s", "o", asset_key=AssetKey(["a", "b"]), partition_keys=("p", "q"))
    assert several.get_asset_identifier() == ["a", "b"]
    with pytest.raises(NoPartitionError, match="^this output is not an asset output$"):
        OutputContext("s", "o").get_asset_identifier()


def test_output_metadata_added_is_normalized_and_logged():
    context = OutputContext("s", "o")
    context.add_output_metadata({"rows": 3})
    context.add_output_metadata({"path": "/x"})
    logged = context.get_logged_metadata()
    assert sorted(logged) == ["path", "rows"] and logged["rows"].value == 3 and logged["path"].value == "/x"
    logged.clear()  # a copy
    assert len(context.get_logged_metadata()) == 2


@pytest.mark.parametrize("make", [
    lambda keys, pdef: OutputContext("s", "o", partition_keys=keys, partitions_def=pdef),
    lambda keys, pdef: InputContext("i", partition_keys=keys, partitions_def=pdef),
])
def test_partition_properties_of_one_several_and_no_partition(make):
    one = make(("2024-01-02",), DAILY)
    assert one.has_asset_partitions and one.has_partition_key
    assert (one.partition_key, one.asset_partition_key, one.asset_partition_keys) == (
        "2024-01-02", "2024-01-02", ["2024-01-02"])
    assert one.asset_partitions_def is DAILY
    window = one.asset_partitions_time_window
    assert (window.start, window.end) == (_utc(2024, 1, 2), _utc(2024, 1, 3))

    several = make(("2024-01-02", "2024-01-03", "2024-01-05"), DAILY)
    assert several.has_asset_partitions and not several.has_partition_key
    assert several.asset_partition_keys == ["2024-01-02", "2024-01-03", "2024-01-05"]
    window = several.asset_partitions_time_window
    assert (window.start, window.end) == (_utc(2024, 1, 2), _utc(2024, 1, 6))
    with pytest.raises(NoPartitionError, match=r"^partition_key was read, but this value spans 3 partitions$"):
        several.partition_key
    with pytest.raises(NoPartitionError, match=r"^asset_partition_key was read, but this value spans 3 partitions$"):
        several.asset_partition_key

    none = make((), None)
    assert not none.has_asset_partitions and not none.has_partition_key
    for what in ("partition_key", "asset_partition_key", "asset_partition_keys"):
        with pytest.raises(NoPartitionError, match=rf"^{what} was read, but this value is not partitioned$"):
            getattr(none, what)
    with pytest.raises(NoPartitionError, match="^there is no time window: the value is not time-partitioned$"):
        none.asset_partitions_time_window
    static = make(("a",), StaticPartitionsDefinition(["a"]))
    with pytest.raises(AttributeError, match="not time-partitioned"):  # hasattr() is False
        static.asset_partitions_time_window


def test_an_input_context_keeps_what_it_is_given():
    upstream = OutputContext("up", "result", run_id="r")
    context = InputContext("x", upstream_output=upstream, asset_key=AssetKey("a"), metadata={"m": 1}, config=2,
                           dagster_type="t", log="log", resources="res", op_def="op", step_context="sc", run_id="r2")
    assert (context.name, context.upstream_output, context.asset_key, context.metadata) == (
        "x", upstream, AssetKey("a"), {"m": 1})
    assert context.definition_metadata == {"m": 1}
    assert (context.config, context.dagster_type, context.log, context.resources) == (2, "t", "log", "res")
    assert (context.op_def, context.step_context, context.run_id) == ("op", "sc", "r2")
    assert context.has_asset_key and context.get_identifier() == ["r", "up", "result"]
    assert repr(context) == "InputContext(name='x', asset_key=AssetKey(['a']))"
    bare = InputContext("y")
    assert bare.metadata == {} and bare.upstream_output is None and not bare.has_asset_key
    assert bare.asset_partition_key_list == []
    with pytest.raises(NoPartitionError, match="^this input has no upstream output$"):
        bare.get_identifier()
    with pytest.raises(NoPartitionError, match="^this input is not an asset input$"):
        bare.get_asset_identifier()
    replaced = OutputContext("other", "o")
    bare.upstream_output = replaced
    assert bare.upstream_output is replaced


def test_input_asset_identifier_and_partition_key_list():
    one = InputContext("i", asset_key=AssetKey(["a", "b"]), partition_keys=("p",))
    assert one.get_asset_identifier() == ["a", "b", "p"]
    several = InputContext("i", asset_key=AssetKey(["a", "b"]), partition_keys=("q", "p"))
    assert several.get_asset_identifier() == ["a", "b"] and several.asset_partition_key_list == ["q", "p"]


def test_a_deferred_upstream_is_built_once_when_first_read_and_named_before():
    built = []

    def build():
        built.append(1)
        return OutputContext("up", "result", run_id="r")

    context = input_context_with_deferred_upstream(
        "x", ("r", "up", "result"), build, asset_key=AssetKey("a"), metadata={"m": 1}, dagster_type="t",
        log="log", resources="res", partition_keys=("p",), partitions_def=DAILY, op_def="op", run_id="r")
    assert context.get_identifier() == ["r", "up", "result"] and built == []
    assert (context.name, context.asset_key, context.metadata, context.dagster_type) == ("x", AssetKey("a"), {"m": 1}, "t")
    assert (context.log, context.resources, context.partition_key, context.asset_partitions_def) == (
        "log", "res", "p", DAILY)
    assert (context.op_def, context.run_id) == ("op", "r")
    first = context.upstream_output
    assert first.get_identifier() == ["r", "up", "result"] and context.upstream_output is first and built == [1]
    assert context.get_identifier() == ["r", "up", "result"]
    replaced = OutputContext("other", "o")
    context.upstream_output = replaced
    assert context.upstream_output is replaced and built == [1]


def test_upstream_data_version_asks_the_runs_lookup_and_hides_unknown_versions():
    asked = []
    versions = {None: "v1", "p": "none", "q": "unknown"}

    def lookup(key, partition):
        asked.append((key, partition))
        return versions[partition]

    context = InputContext("x", asset_key=AssetKey("a"))
    assert context.upstream_data_version() is None  # no lookup: a context built by hand
    context._data_version_lookup = lookup
    assert [context.upstream_data_version(), context.upstream_data_version("p"),
            context.upstream_data_version("q")] == ["v1", None, None]
    assert asked == [(AssetKey("a"), None), (AssetKey("a"), "p"), (AssetKey("a"), "q")]
    op_input = InputContext("x")
    op_input._data_version_lookup = lookup
    assert op_input.upstream_data_version() is None and len(asked) == 3


def test_build_contexts_by_hand_with_defaults_and_coerced_keys():
    output = build_output_context()
    assert (output.step_key, output.name, output.asset_key, output.has_asset_partitions) == (
        "test_step", "result", None, False)
    keyed = build_output_context(step_key="s", name="n", asset_key="a/b", partition_key="p")
    assert (keyed.step_key, keyed.name, keyed.asset_key, keyed.partition_key) == ("s", "n", AssetKey(["a", "b"]), "p")
    assert build_output_context(asset_key=["x", "y"]).asset_key == AssetKey(["x", "y"])
    assert build_output_context(asset_key=AssetKey("z")).asset_key == AssetKey("z")
    assert build_output_context(partition_keys=("p", "q")).asset_partition_keys == ["p", "q"]

    loaded = build_input_context()
    assert (loaded.name, loaded.asset_key, loaded.has_asset_partitions) == ("result", None, False)
    keyed = build_input_context(name="n", asset_key="a/b", partition_key="p", upstream_output=output)
    assert (keyed.name, keyed.asset_key, keyed.partition_key, keyed.upstream_output) == (
        "n", AssetKey(["a", "b"]), "p", output)
    assert build_input_context(asset_key=["x", "y"]).asset_key == AssetKey(["x", "y"])
    assert build_input_context(asset_key=AssetKey("z")).asset_key == AssetKey("z")
