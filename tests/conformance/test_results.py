"""Results of `execute_job`, `execute_in_process` and `materialize`: issue #10 items 1 and 5."""

import pytest

from tests.conformance.api import dg


@dg.op
def emit_one(context) -> int:
    context.add_output_metadata({"rows": 3})
    context.log_event(dg.AssetObservation(asset_key="seen", metadata={"k": 2}))
    return 1


@dg.op
def add_two(x: int) -> int:
    return x + 2


@dg.op
def explode(x: int) -> int:
    raise ValueError(f"bad {x}")


@dg.job
def two_step_job():
    add_two(emit_one())


@dg.job
def failing_job():
    explode(emit_one())


def _error_classes(error) -> list[str]:
    """The class names along an error's chain of causes."""
    names = []
    while error is not None:
        names.append(error.cls_name)
        error = error.cause
    return names


def test_execute_job_result_is_a_context_manager(instance):
    with dg.execute_job(dg.reconstructable(two_step_job), instance=instance) as result:
        assert result.success
        assert result.output_for_node("add_two") == 3
        assert result.output_for_node("emit_one") == 1


def test_execute_job_passes_run_config_and_tags(instance):
    with dg.execute_job(dg.reconstructable(two_step_job), instance=instance,
                        tags={"team": "data"}) as result:
        run = instance.get_run_by_id(result.run_id)
        assert run.tags["team"] == "data"
        assert result.job_def.name == "two_step_job"


def test_execute_job_does_not_raise_on_a_failed_step_by_default(instance):
    with dg.execute_job(dg.reconstructable(failing_job), instance=instance) as result:
        assert not result.success
        assert result.is_node_failed("explode")
        assert result.is_node_success("emit_one")


def test_get_run_success_event_is_the_last_run_event():
    result = two_step_job.execute_in_process()
    event = result.get_run_success_event()
    assert event.event_type == dg.DagsterEventType.RUN_SUCCESS
    last = result.all_events[-1]
    assert (last.event_type, last.step_key, last.message) == (event.event_type, event.step_key, event.message)


def test_get_run_failure_event_on_a_failed_run():
    result = failing_job.execute_in_process(raise_on_error=False)
    assert result.get_run_failure_event().is_failure


def test_failure_data_for_node_carries_the_user_error():
    result = failing_job.execute_in_process(raise_on_error=False)
    data = result.failure_data_for_node("explode")
    assert "ValueError" in _error_classes(data.error)
    assert result.failure_data_for_node("emit_one") is None


def test_asset_observations_for_node():
    result = two_step_job.execute_in_process()
    (observation,) = result.asset_observations_for_node("emit_one")
    assert observation.asset_key == dg.AssetKey("seen")
    assert observation.metadata["k"].value == 2
    assert result.asset_observations_for_node("add_two") == []


def test_all_node_events_are_the_step_events_in_order():
    result = two_step_job.execute_in_process()
    types = [e.event_type_value for e in result.all_node_events]
    assert types[0] == "STEP_START"
    assert types.count("STEP_SUCCESS") == 2
    assert all(e.step_key in ("emit_one", "add_two") for e in result.all_node_events)
    assert "RUN_SUCCESS" not in types


def test_events_for_node_keeps_only_that_node():
    result = two_step_job.execute_in_process()
    events = result.events_for_node("emit_one")
    types = [e.event_type_value for e in events]
    assert types[0] == "STEP_START" and types[-1] == "STEP_SUCCESS"
    assert "ASSET_OBSERVATION" in types and "STEP_OUTPUT" in types
    assert {e.step_key for e in events} == {"emit_one"}


def test_filter_events_keeps_the_events_the_filter_accepts_in_order():
    result = two_step_job.execute_in_process()
    outputs = result.filter_events(lambda event: event.is_successful_output)
    assert [e.step_key for e in outputs] == ["emit_one", "add_two"]
    assert result.filter_events(lambda event: False) == []


def test_step_output_event_carries_the_output_metadata():
    result = two_step_job.execute_in_process()
    (output,) = [e for e in result.events_for_node("emit_one") if e.is_successful_output]
    assert output.step_output_data.metadata["rows"].value == 3


def test_get_output_metadata_returns_what_was_added():
    seen = {}

    @dg.op
    def tagged(context) -> int:
        context.add_output_metadata({"n": 1})
        seen["metadata"] = context.get_output_metadata("result")
        return 1

    @dg.job
    def tagged_job():
        tagged()

    assert tagged_job.execute_in_process().success
    assert seen["metadata"] == {"n": 1}


def test_result_success_run_id_and_all_events():
    result = two_step_job.execute_in_process()
    assert result.success is True
    assert isinstance(result.run_id, str) and len(result.run_id) == 36
    types = [e.event_type for e in result.all_events]
    assert types[-1] == dg.DagsterEventType.RUN_SUCCESS
    assert types.count(dg.DagsterEventType.STEP_OUTPUT) == 2


def test_step_success_and_failure_event_lists():
    result = failing_job.execute_in_process(raise_on_error=False)
    assert [e.step_key for e in result.get_step_success_events()] == ["emit_one"]
    assert [e.step_key for e in result.get_step_failure_events()] == ["explode"]
    assert result.get_failed_step_keys() == {"explode"}


def test_materialize_result_outputs_and_materializations():
    @dg.asset
    def numbers() -> list:
        return [1, 2, 3]

    @dg.asset
    def total(numbers: list) -> int:
        return sum(numbers)

    result = dg.materialize([numbers, total])
    assert result.output_for_node("total") == 6
    assert result.asset_value("total") == 6
    keys = [m.asset_key for m in result.asset_materializations_for_node("total")]
    assert keys == [dg.AssetKey("total")]
    assert {e.asset_key for e in result.get_asset_materialization_events()} == {
        dg.AssetKey("numbers"), dg.AssetKey("total")}


def test_materialize_to_memory_keeps_values():
    @dg.asset
    def greeting() -> str:
        return "hi"

    result = dg.materialize_to_memory([greeting])
    assert result.output_for_node("greeting") == "hi"


def test_materialize_with_run_config_tags_selection_and_an_instance(instance):
    @dg.asset(config_schema={"n": int})
    def configured() -> int:
        return 0

    @dg.asset
    def upstream_value() -> int:
        return 10

    @dg.asset
    def downstream_value(upstream_value: int) -> int:
        return upstream_value + 1

    first = dg.materialize([upstream_value, downstream_value], instance=instance, tags={"a": "b"})
    assert instance.get_run_by_id(first.run_id).tags["a"] == "b"
    second = dg.materialize([upstream_value, downstream_value], instance=instance,
                            selection=[downstream_value])
    assert [e.asset_key for e in second.get_asset_materialization_events()] == [
        dg.AssetKey("downstream_value")]
    assert second.output_for_node("downstream_value") == 11
    with pytest.raises(dg.DagsterInvalidConfigError):
        dg.materialize([configured], run_config={"ops": {"configured": {"config": {"n": "x"}}}})


def test_materialize_to_memory_of_a_partition():
    daily = dg.DailyPartitionsDefinition(start_date="2023-01-01")

    @dg.asset(partitions_def=daily)
    def daily_data(context) -> str:
        return context.partition_key

    result = dg.materialize_to_memory([daily_data], partition_key="2023-01-15")
    assert result.output_for_node("daily_data") == "2023-01-15"
    (mat,) = result.asset_materializations_for_node("daily_data")
    assert mat.partition == "2023-01-15"


def test_local_temp_instance_is_persistent_and_a_context_manager():
    @dg.asset
    def kept() -> int:
        return 1

    with dg.DagsterInstance.local_temp() as local:
        assert local.is_ephemeral is False
        result = dg.materialize([kept], instance=local)
        assert local.get_run_by_id(result.run_id) is not None


def test_instance_for_test_is_persistent():
    with dg.instance_for_test() as test_instance:
        assert test_instance.is_ephemeral is False
