"""runtime.run_config: Dagster's typed `RunConfig` wherever a run config is accepted."""

from __future__ import annotations

import pytest

from specrun import Config, ConfigurableResource, RunConfig, asset, job, materialize, op


class RowsConfig(Config):
    rows: int
    label: str = "rows"


def test_run_config_turns_config_objects_into_config_entries_and_keeps_dicts():
    config = RunConfig(ops={"load": RowsConfig(rows=3), "other": {"config": {"x": 1}}},
                       execution={"config": {"max_concurrent": 2}})
    assert config.to_config_dict() == {
        "ops": {"load": {"config": {"rows": 3, "label": "rows"}}, "other": {"config": {"x": 1}}},
        "execution": {"config": {"max_concurrent": 2}}}


def test_materialize_and_a_job_default_take_a_run_config():
    @asset
    def load(config: RowsConfig):
        return [config.label] * config.rows

    assert materialize([load], run_config=RunConfig(ops={"load": RowsConfig(rows=2)})).output_for_node(
        "load") == ["rows", "rows"]

    @op
    def count(config: RowsConfig):
        return config.rows

    @job(config=RunConfig(ops={"count": RowsConfig(rows=5)}))
    def counting():
        count()

    assert counting.execute_in_process().output_for_node("count") == 5


class Greeting(ConfigurableResource):
    word: str


class GreetingConfig(Config):
    word: str


def test_resource_config_objects_in_a_run_config():
    @asset
    def hello(greeting: Greeting):
        return greeting.word

    result = materialize([hello], resources={"greeting": Greeting(word="default")},
                         run_config=RunConfig(resources={"greeting": GreetingConfig(word="hi")}))
    assert result.output_for_node("hello") == "hi"


def test_a_job_whose_ops_take_no_config_still_checks_any_ops_section_given():
    from specrun import ConfigError, job, op

    @op
    def free():
        return 1

    @job
    def free_job():
        free()

    assert free_job.execute_in_process().success
    assert free_job.execute_in_process(run_config={"ops": {"free": {"config": {"any": 1}}}}).success
    with pytest.raises(ConfigError, match="fre"):
        free_job.execute_in_process(run_config={"ops": {"fre": {}}})
    with pytest.raises(ConfigError, match="opz"):
        free_job.execute_in_process(run_config={"opz": {}})


def test_whether_a_jobs_nodes_take_no_config_is_the_all_any_expression_it_replaced():
    from specrun.runtime.definitions.nodes import FromConfig
    from specrun.runtime.run_config import _all_nodes_free

    @op
    def free():
        return 1

    @op(config_schema={"n": int})
    def configured():
        return 1

    @op
    def unwired(x):  # an input given through run config
        return x

    @op
    def after(x):
        return x

    @job
    def all_free():
        after(free())

    @job
    def one_configured():
        after(free())
        configured()

    @job
    def one_unwired():
        after(unwired())

    def replaced(job_def):
        return all(node.op_def.config_schema is None
                   and not any(isinstance(s, FromConfig) for s in node.inputs.values())
                   for node in job_def.nodes.values())

    answers = [_all_nodes_free(j) for j in (all_free, one_configured, one_unwired)]
    assert answers == [replaced(j) for j in (all_free, one_configured, one_unwired)] == [True, False, False]
