"""`InputContext` and `OutputContext` as IO managers see them (the page's IO contexts and
issue #10 item 4)."""

import pytest

from tests.conformance.api import dg

seen: dict = {}


class RecordingIOManager(dg.IOManager):
    """Keeps values in memory and records what its contexts said."""

    def __init__(self):
        self.values = {}

    def handle_output(self, context, obj):
        seen[("out", context.step_key, context.name)] = context
        seen[("out-facts", context.step_key)] = {
            "config": context.config, "metadata": dict(context.metadata or {}),
            "type": context.dagster_type.display_name}
        context.add_output_metadata({"stored": True})
        self.values[(context.step_key, context.name)] = obj

    def load_input(self, context):
        seen[("in", context.name)] = context
        upstream = context.upstream_output
        seen[("in-facts", context.name)] = {
            "upstream_metadata": dict(upstream.metadata or {}), "metadata": dict(context.metadata or {}),
            "type": context.dagster_type.display_name, "upstream_name": upstream.name}
        return self.values[(upstream.step_key, upstream.name)]


@dg.io_manager(output_config_schema={"path": dg.Field(str, is_required=False)})
def recording_io_manager():
    return RecordingIOManager()


@dg.input_manager(input_config_schema={"mode": str})
def constant_loader(context):
    seen["loader"] = {"config": context.config, "name": context.name,
                      "upstream": context.upstream_output, "type": context.dagster_type.display_name}
    return 41


@dg.op(out=dg.Out(metadata={"owner": "data-team"}))
def make() -> int:
    return 1


@dg.op(ins={"x": dg.In(metadata={"unit": "rows"}), "y": dg.In(input_manager_key="loader")})
def use(x: int, y: int) -> str:
    return str(x + y)


@dg.job(resource_defs={"io_manager": recording_io_manager, "loader": constant_loader})
def io_job():
    use(make())


RUN_CONFIG = {"ops": {"make": {"outputs": {"result": {"path": "/data/make"}}},
                      "use": {"inputs": {"y": {"mode": "fast"}}}}}


def _run_io_job():
    seen.clear()
    result = io_job.execute_in_process(run_config=RUN_CONFIG)
    assert result.success
    return result


def test_output_context_step_key_name_and_no_asset_key():
    _run_io_job()
    context = seen[("out", "make", "result")]
    assert context.step_key == "make"
    assert context.name == "result"
    assert context.has_asset_key is False
    assert context.has_asset_partitions is False


def test_output_context_metadata_is_the_outs_metadata():
    _run_io_job()
    assert seen[("out-facts", "make")]["metadata"] == {"owner": "data-team"}
    assert seen[("out-facts", "use")]["metadata"] == {}


def test_output_config_reaches_output_context_config():
    _run_io_job()
    assert seen[("out-facts", "make")]["config"] == {"path": "/data/make"}


def test_output_context_add_output_metadata_reaches_the_events():
    result = _run_io_job()
    (handled,) = [e for e in result.events_for_node("make") if e.is_handled_output]
    assert handled.event_specific_data.metadata["stored"].value is True


def test_input_context_metadata_and_upstream_output_metadata():
    _run_io_job()
    facts = seen[("in-facts", "x")]
    assert facts["metadata"] == {"unit": "rows"}
    assert facts["upstream_metadata"] == {"owner": "data-team"}
    assert facts["upstream_name"] == "result"


def test_dagster_types_come_from_annotations():
    _run_io_job()
    assert seen[("out-facts", "make")]["type"] == "Int"
    assert seen[("out-facts", "use")]["type"] == "String"
    assert seen[("in-facts", "x")]["type"] == "Int"


def test_input_manager_key_loads_an_input_without_upstream_with_its_config():
    result = _run_io_job()
    assert result.output_for_node("use") == "42"
    loader = seen["loader"]
    assert loader["config"] == {"mode": "fast"}
    assert loader["name"] == "y"
    assert loader["upstream"] is None
    assert loader["type"] == "Int"


def test_explicit_dagster_type_on_out_and_its_check_failing_the_step():
    even = dg.DagsterType(type_check_fn=lambda _ctx, value: value % 2 == 0, name="Even")

    @dg.op(out=dg.Out(dagster_type=even))
    def odd_number():
        return 3

    @dg.job
    def odd_job():
        odd_number()

    result = odd_job.execute_in_process(raise_on_error=False)
    assert not result.success
    assert result.is_node_failed("odd_number")
    with pytest.raises(dg.DagsterTypeCheckDidNotPass):
        odd_job.execute_in_process()


def test_a_value_not_matching_its_annotation_fails_the_step():
    @dg.op
    def not_an_int() -> int:
        return "three"

    @dg.job
    def wrong_type_job():
        not_an_int()

    assert wrong_type_job.execute_in_process(raise_on_error=False).is_node_failed("not_an_int")
    with pytest.raises(dg.DagsterTypeCheckDidNotPass):
        wrong_type_job.execute_in_process()


def test_annotation_checks_accept_what_dagster_accepts():
    from typing import Optional

    @dg.op
    def maybe() -> Optional[int]:
        return None

    @dg.op
    def flag() -> int:
        return True

    @dg.op
    def items() -> list:
        return [1]

    @dg.job
    def accepting_job():
        maybe()
        flag()
        items()

    assert accepting_job.execute_in_process().success


def test_run_config_input_value_of_the_wrong_type_is_a_config_error():
    @dg.op
    def double(n: int) -> int:
        return n * 2

    @dg.job
    def double_job():
        double()

    good = double_job.execute_in_process(run_config={"ops": {"double": {"inputs": {"n": 4}}}})
    assert good.output_for_node("double") == 8
    with pytest.raises(dg.DagsterInvalidConfigError):
        double_job.execute_in_process(run_config={"ops": {"double": {"inputs": {"n": "four"}}}})


class AssetStore(dg.IOManager):
    def __init__(self):
        self.values = {}

    def handle_output(self, context, obj):
        seen[("asset-out", context.asset_key)] = {
            "metadata": dict(context.metadata or {}), "partitions": context.has_asset_partitions}
        self.values[tuple(context.asset_key.path)] = obj

    def load_input(self, context):
        seen[("asset-in", context.name)] = {
            "asset_key": context.asset_key, "upstream_metadata": dict(context.upstream_output.metadata or {})}
        return self.values[tuple(context.asset_key.path)]


def test_asset_metadata_and_input_asset_key_keep_the_key_prefix():
    @dg.asset(metadata={"team": "analytics"}, key_prefix=["warehouse"])
    def raw() -> list:
        return [1, 2]

    @dg.asset(ins={"raw": dg.AssetIn(key=["warehouse", "raw"])})
    def count(raw: list) -> int:
        return len(raw)

    seen.clear()
    result = dg.materialize([raw, count], resources={"io_manager": AssetStore()})
    assert result.asset_value("count") == 2
    assert seen[("asset-out", dg.AssetKey(["warehouse", "raw"]))]["metadata"] == {"team": "analytics"}
    loaded = seen[("asset-in", "raw")]
    assert loaded["asset_key"] == dg.AssetKey(["warehouse", "raw"])
    assert loaded["upstream_metadata"] == {"team": "analytics"}


def test_partitioned_io_contexts_list_their_partition_keys():
    daily = dg.DailyPartitionsDefinition(start_date="2024-01-01")

    class PartitionStore(dg.IOManager):
        def handle_output(self, context, obj):
            seen["out_keys"] = context.asset_partition_keys
            seen["out_key"] = context.asset_partition_key

        def load_input(self, context):
            seen["in_keys"] = context.asset_partition_keys
            seen["in_partitioned"] = context.has_asset_partitions
            return 1

    @dg.asset(partitions_def=daily)
    def day() -> int:
        return 1

    @dg.asset(partitions_def=daily)
    def next_day(day: int) -> int:
        return day

    seen.clear()
    dg.materialize([day, next_day], partition_key="2024-01-03",
                   resources={"io_manager": PartitionStore()})
    assert seen["out_key"] == "2024-01-03"
    assert seen["out_keys"] == ["2024-01-03"]
    assert seen["in_keys"] == ["2024-01-03"]
    assert seen["in_partitioned"] is True


def test_io_contexts_give_the_managers_resources_and_a_log():
    class PrefixedStore(dg.IOManager):
        def __init__(self):
            self.values = {}

        def handle_output(self, context, obj):
            context.log.info("storing")
            self.values[context.resources.prefix + context.asset_key.path[-1]] = obj

        def load_input(self, context):
            context.log.info("loading")
            seen["loaded_from"] = context.resources.prefix + context.asset_key.path[-1]
            return self.values[seen["loaded_from"]]

    store = PrefixedStore()

    @dg.io_manager(required_resource_keys={"prefix"})
    def prefixed_store(_):
        return store

    @dg.asset
    def source() -> int:
        return 3

    @dg.asset
    def sink(source: int) -> int:
        return source * 2

    seen.clear()
    result = dg.materialize([source, sink], resources={"io_manager": prefixed_store, "prefix": "p/"})
    assert result.success
    assert store.values == {"p/source": 3, "p/sink": 6}
    assert seen["loaded_from"] == "p/source"


def test_an_input_value_not_matching_its_annotation_fails_the_step():
    @dg.op
    def gives_int() -> int:
        return 1

    @dg.op
    def wants_str(text: str) -> str:
        return text.upper()

    @dg.job
    def mismatched_job():
        wants_str(gives_int())

    result = mismatched_job.execute_in_process(raise_on_error=False)
    assert result.is_node_success("gives_int")
    assert result.is_node_failed("wants_str")
    with pytest.raises(dg.DagsterTypeCheckDidNotPass):
        mismatched_job.execute_in_process()



def test_an_io_manager_that_logs_can_be_called_with_built_contexts():
    class LoggingIOManager(dg.IOManager):
        def handle_output(self, context, obj):
            context.log.info(f"storing {obj}")
            stored.append(obj)

        def load_input(self, context):
            context.log.info("loading")
            return stored[-1]

    stored = []
    manager = LoggingIOManager()
    manager.handle_output(dg.build_output_context(name="result", step_key="s"), 5)
    assert manager.load_input(dg.build_input_context(name="x")) == 5
