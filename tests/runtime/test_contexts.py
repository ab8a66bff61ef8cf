"""Every property and method of the contexts in the reference, asserted with real values."""

from __future__ import annotations

import os

import pytest

from specrun import (
    AssetExecutionContext, AssetIn, AssetKey, AssetSelection, Config, ConfigurableResource,
    DailyPartitionsDefinition, DagsterEventType, DagsterInstance, DefinitionError, Definitions,
    InputContext, IOManager, OpExecutionContext, OutputContext, StaticPartitionsDefinition, asset,
    build_asset_context, build_op_context, define_asset_job, fs_io_manager, io_manager, job,
    materialize, materialize_to_memory, op, resource,
)
from specrun.errors import NoPartitionError

DAILY = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-02-01")


def test_op_context_properties_in_a_run():
    seen = {}

    @op(config_schema={"n": int}, required_resource_keys={"db"}, tags={"team": "core"})
    def probe(context: OpExecutionContext):
        seen.update(
            op_config=context.op_config, db=context.resources.db, run_id=context.run_id,
            op_name=context.op_def.name, step_key=context.step_context.step.key,
            has_partition=context.has_partition_key, retry=context.retry_number,
            job_name=context.job_name, tag=context.get_tag("env"), has_tag=context.has_tag("env"),
            op_tags=dict(context.op_tags), instance=context.instance is not None)
        context.add_output_metadata({"rows": 7})
        return 1

    @job(resource_defs={"db": "conn"})
    def probing():
        probe()

    result = probing.execute_in_process(run_config={"ops": {"probe": {"config": {"n": 3}}}},
                                        tags={"env": "test"})
    assert seen == {"op_config": {"n": 3}, "db": "conn", "run_id": result.run_id, "op_name": "probe",
                    "step_key": "probe", "has_partition": False, "retry": 0, "job_name": "probing",
                    "tag": "test", "has_tag": True, "op_tags": {"team": "core"}, "instance": True}
    (output,) = [e for e in result.all_events if e.is_successful_output]
    assert output.step_output_data.metadata["rows"].value == 7


def test_partition_properties_of_asset_context():
    seen = {}

    @asset(partitions_def=DAILY)
    def daily(context: AssetExecutionContext):
        window = context.partition_time_window
        seen.update(key=context.partition_key, keys=context.partition_keys,
                    out=context.asset_partition_key_for_output(), window=(window.start.day, window.end.day),
                    asset_key=context.asset_key, selected=context.selected_asset_keys)
        return 1

    materialize_to_memory([daily], partition_key="2024-01-05")
    assert seen == {"key": "2024-01-05", "keys": ["2024-01-05"], "out": "2024-01-05", "window": (5, 6),
                    "asset_key": AssetKey("daily"), "selected": {AssetKey("daily")}}


def test_input_partition_methods_with_a_time_window_mapping(tmp_path):
    from specrun.runtime.partitions import TimeWindowPartitionMapping

    seen = {}

    @asset(partitions_def=DAILY)
    def daily(context):
        return context.partition_key

    @asset(partitions_def=DAILY, ins={"daily": AssetIn(partition_mapping=TimeWindowPartitionMapping(start_offset=-1))})
    def rolling(context, daily):
        seen.update(keys=context.asset_partition_keys_for_input("daily"),
                    rng=context.asset_partition_key_range_for_input("daily"))
        return daily

    config = {"resources": {"io_manager": {"config": {"base_dir": str(tmp_path)}}}}
    materialize([daily], partition_key="2024-01-04", run_config=config)
    result = materialize([daily, rolling], partition_key="2024-01-05", run_config=config)
    assert seen["keys"] == ["2024-01-04", "2024-01-05"]  # a list, as in Dagster
    assert tuple(seen["rng"]) == ("2024-01-04", "2024-01-05")
    assert result.output_for_node("rolling") == {"2024-01-04": "2024-01-04", "2024-01-05": "2024-01-05"}


def test_no_partition_errors_are_attribute_errors_and_clear():
    ctx = build_op_context()
    assert not hasattr(ctx, "partition_time_window")
    with pytest.raises(NoPartitionError, match="not partitioned"):
        ctx.partition_key
    static = build_asset_context(partition_key="eu", partitions_def=StaticPartitionsDefinition(["eu"]))
    with pytest.raises(NoPartitionError, match="not partitioned by time"):
        static.partition_time_window


def test_build_op_context_cleans_resources_up_as_a_context_manager():
    log = []

    @resource
    def conn():
        log.append("open")
        yield "c"
        log.append("close")

    @op(required_resource_keys={"conn"})
    def uses(context):
        return context.resources.conn

    with build_op_context(resources={"conn": conn}) as ctx:
        assert uses(ctx) == "c"
        assert log == ["open"]
    assert log == ["open", "close"]


def test_direct_invocation_validates_config_and_resources():
    from specrun import ConfigError, InvocationError

    @op(config_schema={"n": int}, required_resource_keys={"db"})
    def needs(context):
        return context.op_config["n"]

    with pytest.raises(InvocationError, match=r"requires resource\(s\) \['db'\]"):
        needs(build_op_context(op_config={"n": 1}))
    with pytest.raises(ConfigError):
        needs(build_op_context(op_config={"n": "x"}, resources={"db": 1}))
    assert needs(build_op_context(op_config={"n": 2}, resources={"db": 1})) == 2


class Settings(Config):
    factor: int = 2


class Warehouse(ConfigurableResource):
    prefix: str = "wh"

    def name(self, table: str) -> str:
        return f"{self.prefix}.{table}"


def test_config_class_parameter_and_configurable_resource():
    @asset
    def scaled(config: Settings, warehouse: Warehouse) -> str:
        return warehouse.name(f"t{config.factor}")

    result = materialize_to_memory(
        [scaled], resources={"warehouse": Warehouse(prefix="prod")},
        run_config={"ops": {"scaled": {"config": {"factor": 5}}}})
    assert result.output_for_node("scaled") == "prod.t5"
    overridden = materialize_to_memory(
        [scaled], resources={"warehouse": Warehouse()},
        run_config={"resources": {"warehouse": {"config": {"prefix": "dev"}}}})
    assert overridden.output_for_node("scaled") == "dev.t2"


def test_input_and_output_context_properties_seen_by_an_io_manager():
    seen = {}

    class Recording(IOManager):
        def __init__(self):
            self.values = {}

        def handle_output(self, context: OutputContext, obj):
            seen["out"] = (context.asset_key, context.step_key, context.name, context.has_asset_partitions,
                           sorted(context.asset_partition_keys), context.resources.extra)
            context.add_output_metadata({"stored": True})
            self.values[context.asset_partition_key] = obj

        def load_input(self, context: InputContext):
            seen["in"] = (context.asset_key, context.upstream_output.name, context.has_asset_partitions,
                          sorted(context.asset_partition_keys), context.metadata)
            return self.values[context.asset_partition_key]

    manager = Recording()

    @asset(partitions_def=DAILY, io_manager_key="rec")
    def up(context):
        return context.partition_key

    @asset(partitions_def=DAILY, ins={"up": AssetIn(metadata={"m": 1})})
    def down(up):
        return up + "!"

    result = materialize([up, down], partition_key="2024-01-03", resources={"rec": manager, "extra": 9})
    assert seen["out"] == (AssetKey("up"), "up", "result", True, ["2024-01-03"], 9)
    assert seen["in"] == (AssetKey("up"), "result", True, ["2024-01-03"], {"m": 1})
    assert result.asset_materializations_for_node("up")[0].metadata["stored"].value is True


def test_fs_io_manager_writes_atomically_one_file_per_partition(tmp_path):
    @asset(partitions_def=DAILY)
    def parts(context):
        return context.partition_key

    config = {"resources": {"io_manager": {"config": {"base_dir": str(tmp_path)}}}}
    materialize([parts], partition_key="2024-01-02", run_config=config)
    materialize([parts], partition_key="2024-01-03", run_config=config)
    assert sorted(n.partition("@v-")[0] for n in os.listdir(tmp_path / "parts")) == ["2024-01-02", "2024-01-03"]
    assert not any(name.startswith(".tmp-") for name in os.listdir(tmp_path / "parts"))


def test_failed_write_leaves_no_partial_file(tmp_path):
    class Unpicklable:
        def __reduce__(self):
            raise TypeError("cannot pickle this")

    @asset
    def bad():
        return Unpicklable()

    result = materialize([bad], run_config={"resources": {"io_manager": {"config": {"base_dir": str(tmp_path)}}}},
                         raise_on_error=False)
    assert not result.success
    assert [f for _, _, files in os.walk(tmp_path) for f in files] == []  # not even a temp file


def test_selection_and_definitions_lookup(tmp_path):
    @asset(group_name="raw")
    def a():
        return 1

    @asset
    def b(a):
        return a + 1

    @asset
    def c(b):
        return b + 1

    config = {"resources": {"io_manager": {"config": {"base_dir": str(tmp_path)}}}}
    materialize([a, b, c], run_config=config)
    result = materialize([a, b, c], selection=AssetSelection.keys("c").upstream(depth=1), run_config=config)
    assert sorted(m.asset_key.path[0] for m in result.asset_materializations) == ["b", "c"]
    assert result.output_for_node("c") == 3  # `a` was loaded from storage
    assert sorted(result.job_def.nodes) == ["b", "c"]
    defs = Definitions(assets=[a, b, c], jobs=[define_asset_job("raw_only", AssetSelection.groups("raw"))])
    assert sorted(defs.get_job_def("raw_only").nodes) == ["a"]
    assert sorted(defs.get_implicit_global_asset_job_def().nodes) == ["a", "b", "c"]
    with pytest.raises(DefinitionError, match="did you mean 'raw_only'"):
        defs.get_job_def("raw_onyl")


def test_result_accessors_and_event_types():
    @asset
    def one():
        return 1

    @asset
    def two(one):
        return one + 1

    result = materialize_to_memory([one, two])
    assert result.output_for_node("two") == 2 and result.asset_value("two") == 2
    assert [m.asset_key for m in result.asset_materializations] == [AssetKey("one"), AssetKey("two")]
    kinds = {e.event_type for e in result.all_events}
    assert {DagsterEventType.RUN_START, DagsterEventType.STEP_START, DagsterEventType.STEP_OUTPUT,
            DagsterEventType.HANDLED_OUTPUT, DagsterEventType.LOADED_INPUT,
            DagsterEventType.ASSET_MATERIALIZATION, DagsterEventType.STEP_SUCCESS,
            DagsterEventType.RUN_SUCCESS} <= kinds
    assert result.is_node_success("one") and not result.is_node_failed("two")
    assert result.get_job_success_event().is_run_success


def test_instance_records_runs_events_and_latest_materialization():
    @asset
    def recorded():
        return 5

    instance = DagsterInstance.ephemeral()
    result = materialize([recorded], instance=instance, run_id="fixed-id", tags={"who": "test"})
    run = instance.get_run_by_id("fixed-id")
    assert run.is_success and run.tags["who"] == "test"
    assert instance.get_latest_materialization_event("recorded").run_id == result.run_id
    assert [r.run_id for r in instance.get_runs()] == ["fixed-id"]


def test_io_manager_decorator_with_config():
    @io_manager(config_schema={"prefix": str})
    def prefixed(init_context):
        prefix = init_context.resource_config["prefix"]

        class Manager(IOManager):
            store = {}

            def handle_output(self, context, obj):
                self.store[prefix + context.name] = obj

            def load_input(self, context):
                return self.store[prefix + context.upstream_output.name]

        return Manager()

    @asset
    def stored():
        return "v"

    result = materialize([stored], resources={"io_manager": prefixed},
                         run_config={"resources": {"io_manager": {"config": {"prefix": "p_"}}}})
    assert result.success


def test_fs_io_manager_default_dir_is_the_instance_storage():
    @asset
    def kept():
        return 3

    instance = DagsterInstance.ephemeral()
    materialize([kept], instance=instance, resources={"io_manager": fs_io_manager})
    assert [n.partition("@v-")[0] for n in os.listdir(instance.storage_directory)] == ["kept"]


def test_remaining_input_and_output_context_properties():
    from specrun import DataType, In, Out, build_input_context, build_output_context, job

    positive = DataType(lambda _ctx, v: v > 0, name="Positive")
    seen = {}

    class Manager(IOManager):
        store = {}

        def handle_output(self, context, obj):
            if context.step_key == "produce":
                seen["out"] = (dict(context.metadata), context.config, context.log is not None,
                               context.dagster_type.name, context.has_asset_key)
            self.store[context.step_key] = obj

        def load_input(self, context):
            seen["in"] = (context.dagster_type.name, context.config, context.log is not None,
                          context.has_asset_partitions, context.upstream_output.step_key)
            return self.store[context.upstream_output.step_key]

    @op(out=Out(dagster_type=positive, metadata={"unit": "rows"}))
    def produce():
        return 3

    @op(ins={"x": In(dagster_type=positive)})
    def consume(x):
        return x

    @job(resource_defs={"io_manager": Manager()})
    def typed():
        consume(produce())

    assert typed.execute_in_process().output_for_node("consume") == 3
    assert seen["out"] == ({"unit": "rows"}, {}, True, "Positive", False)  # no output config: {}
    assert seen["in"] == ("Positive", None, True, False, "produce")
    built = build_input_context(asset_key="a", partition_key="p")
    assert built.asset_partition_key == "p" and built.get_asset_identifier() == ["a", "p"]
    out = build_output_context(asset_key=["x", "y"], step_key="s")
    assert out.get_asset_identifier() == ["x", "y"] and out.step_key == "s"


def test_asset_partition_key_for_input_and_failed_type_check():
    from specrun import DataType, Out

    seen = {}

    @asset(partitions_def=DAILY)
    def source(context):
        return 1

    @asset(partitions_def=DAILY)
    def follower(context, source):
        seen["key"] = context.asset_partition_key_for_input("source")
        seen["asset"] = context.asset_key_for_input("source")
        return source

    materialize_to_memory([source, follower], partition_key="2024-01-07")
    assert seen == {"key": "2024-01-07", "asset": AssetKey("source")}

    @op(out=Out(dagster_type=DataType(lambda _c, v: isinstance(v, int), name="Int")))
    def wrong():
        return "not an int"

    @job
    def checked():
        wrong()

    result = checked.execute_in_process(raise_on_error=False)
    failure = result.get_step_failure_events()[0]
    assert 'Type check failed for step output "result"' in failure.data.error.message


def test_partition_key_of_an_io_context_spanning_several_partitions_is_an_error():
    from specrun import AssetKey, StaticPartitionsDefinition
    from specrun.runtime.context.io import OutputContext

    regions = StaticPartitionsDefinition(["eu", "us", "apac"])
    several = OutputContext("sales", "result", asset_key=AssetKey("sales"), partition_keys=("eu", "us"),
                            partitions_def=regions)
    assert several.asset_partition_keys == ["eu", "us"]
    with pytest.raises(NoPartitionError, match="partition_key was read, but this value spans 2 partitions"):
        several.partition_key
    one = OutputContext("sales", "result", asset_key=AssetKey("sales"), partition_keys=("us",),
                        partitions_def=regions)
    assert one.partition_key == "us"


def test_an_input_reading_every_upstream_partition_has_no_single_partition_key():
    from specrun import IOManager, StaticPartitionsDefinition, asset, materialize

    regions = StaticPartitionsDefinition(["eu", "us"])
    seen = {}

    class Store(IOManager):
        def __init__(self):
            self.values = {}

        def handle_output(self, context, obj):
            if context.has_asset_partitions:
                self.values[context.partition_key] = obj

        def load_input(self, context):
            seen["keys"] = context.asset_partition_keys
            with pytest.raises(NoPartitionError, match="spans 2 partitions"):
                context.partition_key
            return {k: self.values[k] for k in context.asset_partition_keys}

    @asset(partitions_def=regions)
    def sales(context):
        return len(context.partition_key)

    @asset
    def total(sales):
        return sum(sales.values())

    store = Store()
    for key in ("eu", "us"):
        assert materialize([sales], partition_key=key, resources={"io_manager": store}).success
    result = materialize([sales, total], selection=[total], resources={"io_manager": store})
    assert result.success and seen["keys"] == ["eu", "us"]
    assert result.asset_value("total") == 4


@pytest.fixture
def file_size_limit():
    """Lower this process's file size limit (RLIMIT_FSIZE) to `n` bytes: a write past it fails
    with EFBIG half-way, as on a full disk. Restored after the test."""
    import resource
    import signal

    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of killing the process

    def lower(n: int) -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (n, hard))

    yield lower
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    signal.signal(signal.SIGXFSZ, previous)


def test_a_write_failing_half_way_keeps_the_previous_value_whole(tmp_path, file_size_limit):
    from specrun import DagsterInstance

    value = {"payload": b"small"}

    @asset
    def blob():
        return value["payload"]

    @asset
    def blob_size(blob):
        return len(blob)

    instance = DagsterInstance.ephemeral()
    config = {"resources": {"io_manager": {"config": {"base_dir": str(tmp_path)}}}}
    assert materialize([blob], run_config=config, instance=instance).success
    stored = sorted(os.path.join(d, f) for d, _, files in os.walk(tmp_path) for f in files)

    value["payload"] = b"x" * 1_000_000  # the write of this fails after 64 KiB
    file_size_limit(64 * 1024)
    failed = materialize([blob], run_config=config, instance=instance, raise_on_error=False)
    file_size_limit(-1)  # RLIM_INFINITY
    assert not failed.success
    assert "File too large" in failed.get_step_failure_events()[0].data.error.message
    # Nothing new on disk (no partial file, no temp file left behind) and the old value loads whole.
    assert sorted(os.path.join(d, f) for d, _, files in os.walk(tmp_path) for f in files) == stored
    reread = materialize([blob, blob_size], selection=[blob_size], run_config=config, instance=instance)
    assert reread.asset_value("blob_size") == len(b"small")
