"""The multiprocess executor's start_method config (runtime/executors/start_methods.py)."""

from __future__ import annotations

import multiprocessing

import pytest

from specrun.errors import ConfigError
from specrun.runtime.executors.start_methods import forks_workers, parse_start_method


@pytest.mark.parametrize("value, parsed", [
    (None, (None, ())),
    ("spawn", ("spawn", ())),
    ({"spawn": {}}, ("spawn", ())),
    ({"fork": None}, ("fork", ())),
    ({"forkserver": {"preload_modules": ["os", "json"]}}, ("forkserver", ("os", "json"))),
    ({"forkserver": {"preload_modules": None}}, ("forkserver", ())),
])
def test_a_start_method_is_read_by_name_or_in_dagsters_selector_form(value, parsed):
    assert parse_start_method(value) == parsed


@pytest.mark.parametrize("value", [{"spawn": {}, "fork": {}}, {"spawn": {"other": 1}}, 3])
def test_any_other_start_method_value_is_a_config_error_naming_the_field(value):
    with pytest.raises(ConfigError) as raised:
        parse_start_method(value)
    (entry,) = raised.value.errors
    assert entry.path == ("execution", "config", "start_method")
    assert entry.description.startswith(f"Value {value!r} is not valid: expected a start method name")
    assert raised.value.subject == "multiprocess executor config"


@pytest.mark.parametrize("config, forked", [
    ({"start_method": "fork"}, True),
    ({"start_method": {"forkserver": {}}}, False),
    ({"start_method": "spawn"}, False),
    ({"start_method": {"spawn": {}, "fork": {}}}, True),  # invalid: the executor reports it
    ({}, "fork" in multiprocessing.get_all_start_methods()),
])
def test_workers_are_forked_only_with_fork_or_by_default_where_it_exists(config, forked):
    assert forks_workers(config) is forked
