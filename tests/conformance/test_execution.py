"""Executors, `execute_job`, `execute_in_process`, `validate_run_config`, `build_resources`
and config errors (the page's "Execution System" and "Execution APIs"; issue #10 items 6
and 9)."""

import os

import pytest

from tests.conformance.api import dg


@dg.op
def report_pid() -> int:
    return os.getpid()


@dg.op
def add_one(x: int) -> int:
    return x + 1


@dg.job
def default_executor_job():
    add_one(report_pid())


@dg.job(executor_def=dg.multiprocess_executor)
def multiprocess_job():
    report_pid()


@dg.job(executor_def=dg.in_process_executor)
def in_process_job():
    report_pid()


def _pid_of_run(instance, job, run_config=None):
    with dg.execute_job(dg.reconstructable(job), instance=instance, run_config=run_config) as result:
        assert result.success
        return result.output_for_node("report_pid")


def test_multiprocess_start_method_spawn_in_dagsters_form(instance):
    config = {"execution": {"config": {"multiprocess": {"start_method": {"spawn": {}},
                                                         "max_concurrent": 2}}}}
    assert _pid_of_run(instance, default_executor_job, config) != os.getpid()


def test_multiprocess_start_method_forkserver_with_preload_modules(instance):
    config = {"execution": {"config": {"multiprocess": {
        "start_method": {"forkserver": {"preload_modules": ["tests.conformance.api"]}}}}}}
    assert _pid_of_run(instance, default_executor_job, config) != os.getpid()


def test_a_multiprocess_jobs_config_sits_directly_under_execution_config(instance):
    config = {"execution": {"config": {"max_concurrent": 2, "start_method": {"spawn": {}},
                                       "retries": {"enabled": {}}}}}
    assert _pid_of_run(instance, multiprocess_job, config) != os.getpid()


def test_default_executor_runs_in_process_when_config_chooses_it(instance):
    config = {"execution": {"config": {"in_process": {}}}}
    assert _pid_of_run(instance, default_executor_job, config) == os.getpid()


def test_in_process_executor_runs_steps_in_this_process(instance):
    assert _pid_of_run(instance, in_process_job) == os.getpid()


def test_execute_in_process_stays_in_process_for_a_multiprocess_job():
    assert multiprocess_job.execute_in_process().output_for_node("report_pid") == os.getpid()
    assert default_executor_job.execute_in_process().output_for_node("report_pid") == os.getpid()


def test_execute_job_with_run_config_and_run_id(instance):
    @dg.op(config_schema={"name": str})
    def hello(context) -> str:
        return f"Hello, {context.op_config['name']}!"

    @dg.job
    def greeting_job():
        hello()

    result = greeting_job.execute_in_process(
        run_config={"ops": {"hello": {"config": {"name": "Alice"}}}}, instance=instance,
        tags={"env": "test"}, run_id="11111111-2222-3333-4444-555555555555")
    assert result.output_for_node("hello") == "Hello, Alice!"
    assert result.run_id == "11111111-2222-3333-4444-555555555555"
    assert instance.get_run_by_id(result.run_id).tags["env"] == "test"


def test_execute_in_process_raises_the_users_error_by_default():
    @dg.op
    def broken() -> None:
        raise KeyError("missing")

    @dg.job
    def broken_job():
        broken()

    with pytest.raises(KeyError):
        broken_job.execute_in_process()
    assert not broken_job.execute_in_process(raise_on_error=False).success


@dg.op(config_schema={"name": dg.String, "count": dg.Int})
def configured_op(context) -> str:
    return context.op_config["name"] * context.op_config["count"]


@dg.job
def configured_job():
    configured_op()


def test_validate_run_config_returns_the_validated_config():
    config = {"ops": {"configured_op": {"config": {"name": "A", "count": 2}}}}
    validated = dg.validate_run_config(configured_job, config)
    assert validated["ops"]["configured_op"]["config"] == {"name": "A", "count": 2}


def test_validate_run_config_fills_field_defaults():
    @dg.op(config_schema={"size": dg.Field(dg.Int, default_value=4)})
    def sized(context) -> int:
        return context.op_config["size"]

    @dg.job
    def sized_job():
        sized()

    assert dg.validate_run_config(sized_job, {})["ops"]["sized"]["config"] == {"size": 4}
    assert sized_job.execute_in_process().output_for_node("sized") == 4


def _config_errors(run_config):
    with pytest.raises(dg.DagsterInvalidConfigError) as raised:
        dg.validate_run_config(configured_job, run_config)
    return [error.message for error in raised.value.errors]


def test_config_error_of_a_wrong_scalar_names_its_path():
    (message,) = _config_errors({"ops": {"configured_op": {"config": {"name": "A", "count": "five"}}}})
    assert "root:ops:configured_op:config:count" in message
    assert "five" in message


def test_config_error_of_a_missing_entry_names_its_path():
    (message,) = _config_errors({"ops": {"configured_op": {"config": {"name": "A"}}}})
    assert 'Missing required config entry "count"' in message
    assert "root:ops:configured_op:config" in message


def test_config_error_of_an_unexpected_entry_names_its_path():
    (message,) = _config_errors({"ops": {"configured_op": {"config": {"name": "A", "count": 1,
                                                                       "extra": 2}}}})
    assert 'Received unexpected config entry "extra"' in message
    assert "root:ops:configured_op:config" in message


def test_build_resources_initialises_configured_resources():
    @dg.resource(config_schema={"host": str, "port": int})
    def database(init_context):
        return {"connection": f"postgresql://{init_context.resource_config['host']}:"
                              f"{init_context.resource_config['port']}"}

    @dg.resource
    def cache(_):
        return {"redis_url": "redis://localhost:6379"}

    with dg.build_resources({"database": database, "cache": cache},
                            resource_config={"database": {"config": {"host": "db", "port": 5432}}}
                            ) as resources:
        assert resources.database["connection"] == "postgresql://db:5432"
        assert resources.cache["redis_url"] == "redis://localhost:6379"


def test_build_resources_tears_generator_resources_down():
    events = []

    @dg.resource
    def session(_):
        events.append("open")
        yield "session"
        events.append("close")

    with dg.build_resources({"session": session}) as resources:
        assert resources.session == "session"
        assert events == ["open"]
    assert events == ["open", "close"]
