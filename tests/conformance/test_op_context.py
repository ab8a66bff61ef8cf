"""`OpExecutionContext` inside a run: every property and method the reference page lists."""

import datetime
import logging

from tests.conformance.api import dg

seen: dict = {}


@dg.resource
def database(_):
    return {"connection": "db://test"}


@dg.op(config_schema={"batch_size": int}, required_resource_keys={"database"})
def process(context) -> list:
    seen["op_config"] = context.op_config
    seen["connection"] = context.resources.database["connection"]
    seen["run_id"] = context.run_id
    seen["op_name"] = context.op_def.name
    seen["has_partition_key"] = context.has_partition_key
    seen["is_op_context"] = isinstance(context, dg.OpExecutionContext)
    context.log.info("processing now")
    context.add_output_metadata({"records": 2})
    return [1, 2]


@dg.job(resource_defs={"database": database})
def process_job():
    process()


RUN_CONFIG = {"ops": {"process": {"config": {"batch_size": 500}}}}


def test_op_config_resources_run_id_and_op_def():
    seen.clear()
    result = process_job.execute_in_process(run_config=RUN_CONFIG)
    assert seen["op_config"] == {"batch_size": 500}
    assert seen["connection"] == "db://test"
    assert seen["run_id"] == result.run_id
    assert seen["op_name"] == "process"
    assert seen["is_op_context"] is True


def test_has_partition_key_is_false_in_an_unpartitioned_run():
    seen.clear()
    process_job.execute_in_process(run_config=RUN_CONFIG)
    assert seen["has_partition_key"] is False


def test_add_output_metadata_reaches_the_output_event():
    result = process_job.execute_in_process(run_config=RUN_CONFIG)
    (output,) = [e for e in result.events_for_node("process") if e.is_successful_output]
    assert output.step_output_data.metadata["records"].value == 2


def test_log_messages_reach_the_jobs_loggers():
    messages = []

    class ListHandler(logging.Handler):
        def emit(self, record):
            messages.append(record.getMessage())

    @dg.logger
    def list_logger(_init_context):
        log = logging.Logger("conformance-capture", level=logging.DEBUG)
        log.addHandler(ListHandler())
        return log

    @dg.op
    def chatty(context) -> None:
        assert isinstance(context.log, dg.DagsterLogManager)
        context.log.debug("a debug line")
        context.log.warning("a warning line")

    @dg.job(logger_defs={"capture": list_logger})
    def chatty_job():
        chatty()

    # A job's loggers log when run config enables them, as in Dagster.
    assert chatty_job.execute_in_process(run_config={"loggers": {"capture": {}}}).success
    assert any("a debug line" in m for m in messages)
    assert any("a warning line" in m for m in messages)


daily = dg.DailyPartitionsDefinition(start_date="2024-01-01")


@dg.asset(partitions_def=daily)
def daily_numbers(context) -> int:
    seen["partition_key"] = context.partition_key
    seen["has_partition_key"] = context.has_partition_key
    seen["for_output"] = context.asset_partition_key_for_output()
    seen["window"] = context.partition_time_window
    seen["partition_keys"] = context.partition_keys
    return 1


def test_partition_facts_of_a_partitioned_run():
    seen.clear()
    result = dg.materialize([daily_numbers], partition_key="2024-01-05")
    assert result.success
    assert seen["partition_key"] == "2024-01-05"
    assert seen["has_partition_key"] is True
    assert seen["for_output"] == "2024-01-05"
    assert seen["partition_keys"] == ["2024-01-05"]
    window = seen["window"]
    utc = datetime.timezone.utc
    assert window.start == datetime.datetime(2024, 1, 5, tzinfo=utc)
    assert window.end == datetime.datetime(2024, 1, 6, tzinfo=utc)


def test_run_tags_and_job_name_in_a_run():
    @dg.op
    def tagged(context) -> None:
        seen["tags"] = dict(context.run_tags)
        seen["job_name"] = context.job_name

    @dg.job(tags={"team": "data"})
    def tagged_job():
        tagged()

    seen.clear()
    tagged_job.execute_in_process()
    assert seen["tags"]["team"] == "data"
    assert seen["job_name"] == "tagged_job"


def test_retry_number_counts_attempts():
    attempts = []

    @dg.op(retry_policy=dg.RetryPolicy(max_retries=1))
    def flaky(context) -> int:
        attempts.append(context.retry_number)
        if context.retry_number == 0:
            raise RuntimeError("first try fails")
        return 1

    @dg.job(executor_def=dg.in_process_executor)
    def flaky_job():
        flaky()

    assert flaky_job.execute_in_process().success
    assert attempts == [0, 1]
