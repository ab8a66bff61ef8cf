"""runtime.definitions.resources: `configured` resources and IO managers, as in Dagster."""

from __future__ import annotations

import os

import pytest

from specrun import (
    ConfigError, Field, asset, build_resources, configured, fs_io_manager, materialize, resource,
)


@resource(config_schema={"host": str, "port": Field(int, default_value=5432)})
def database(init_context):
    return f"{init_context.resource_config['host']}:{init_context.resource_config['port']}"


def test_configured_fixes_the_config_and_fills_the_original_defaults():
    local = database.configured({"host": "localhost"})
    with build_resources({"db": local}) as resources:
        assert resources.db == "localhost:5432"


def test_configured_with_a_function_maps_a_new_config_to_the_original():
    @configured(database, config_schema={"env": str})
    def by_env(config):
        return {"host": f"{config['env']}.db.internal", "port": 6543}

    with build_resources({"db": by_env}, resource_config={"db": {"config": {"env": "prod"}}}) as resources:
        assert resources.db == "prod.db.internal:6543"


def test_a_configured_config_that_does_not_fit_the_original_schema_is_a_config_error():
    with pytest.raises(ConfigError) as raised:
        with build_resources({"db": database.configured({"hots": "localhost"})}):
            pass
    assert "hots" in str(raised.value) and "host" in str(raised.value)


def test_a_configured_io_manager_stores_where_it_was_configured_to(tmp_path):
    @asset
    def numbers():
        return [1, 2]

    io = fs_io_manager.configured({"base_dir": str(tmp_path / "stored")})
    assert materialize([numbers], resources={"io_manager": io}).success
    assert [n.partition("@v-")[0] for n in os.listdir(tmp_path / "stored")] == ["numbers"]
