"""runtime.env_var: `EnvVar` values of ConfigurableResource fields, read when the run needs them."""

from __future__ import annotations

import pytest

from specrun import ConfigError, ConfigurableResource, EnvVar, asset, materialize


class Warehouse(ConfigurableResource):
    user: str
    port: int = 5432


@asset
def connection(warehouse: Warehouse):
    return f"{warehouse.user}@{warehouse.port}"


def test_env_vars_are_read_when_the_resource_is_built_not_when_it_is_defined(monkeypatch):
    monkeypatch.delenv("WH_USER", raising=False)
    resource = Warehouse(user=EnvVar("WH_USER"), port=EnvVar.int("WH_PORT"))  # not set yet: fine
    monkeypatch.setenv("WH_USER", "etl")
    monkeypatch.setenv("WH_PORT", "6543")
    result = materialize([connection], resources={"warehouse": resource})
    assert result.output_for_node("connection") == "etl@6543"


def test_an_unset_env_var_is_a_config_error_naming_it(monkeypatch):
    monkeypatch.delenv("WH_USER", raising=False)
    with pytest.raises(ConfigError) as raised:
        materialize([connection], resources={"warehouse": Warehouse(user=EnvVar("WH_USER"))})
    assert 'environment variable "WH_USER" is not set' in str(raised.value)


def test_an_int_env_var_that_is_not_a_number_says_so(monkeypatch):
    monkeypatch.setenv("WH_USER", "etl")
    monkeypatch.setenv("WH_PORT", "five")
    with pytest.raises(ConfigError) as raised:
        materialize([connection], resources={"warehouse": Warehouse(user=EnvVar("WH_USER"),
                                                                     port=EnvVar.int("WH_PORT"))})
    assert "environment variable \"WH_PORT\" must be an integer, got 'five'" in str(raised.value)


def test_get_value_reads_now_with_a_default(monkeypatch):
    monkeypatch.setenv("SOME_VAR", "x")
    assert EnvVar("SOME_VAR").get_value() == "x"
    assert EnvVar("SURELY_UNSET_VAR_123").get_value("fallback") == "fallback"
