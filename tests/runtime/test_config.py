"""Config schemas: types, defaults, nested paths in errors, Config classes, env sources."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from specrun import Array, Bool, Config, Field, Float, Int, Noneable, Permissive, Selector, Shape, String, StringSource
from specrun.errors import ConfigError
from specrun.runtime.config import Enum, EnumValue, process_config, validate_config


def test_shape_fills_defaults_and_reports_every_error_with_paths():
    schema = {"name": String, "count": Field(Int, default_value=4), "nested": {"flag": Bool}}
    assert process_config(schema, {"name": "x", "nested": {"flag": True}}) == {
        "name": "x", "count": 4, "nested": {"flag": True}}
    result = validate_config(schema, {"count": "many", "nested": {"flg": True}}, path=("ops", "o", "config"))
    assert not result.success
    found = {(e.description, e.stack) for e in result.errors}
    assert ('Missing required config entry "name"', "root:ops:o:config") in found
    assert any("expected Int" in m and s == "root:ops:o:config:count" for m, s in found)
    assert ('Received unexpected config entry "flg" (did you mean \'flag\'?)', "root:ops:o:config:nested") in found


def test_scalars_are_strict_about_bool_and_int():
    assert not validate_config(Int, True).success
    assert not validate_config(Bool, 1).success
    assert process_config(Float, 3) == 3.0
    assert process_config(Float, 2.5) == 2.5
    for value, got in ((True, "bool"), (False, "bool"), ("1.5", "str"), ([1.0], "list")):
        errors = validate_config(Float, value).errors
        assert [(e.description, e.stack) for e in errors] == [
            (f"Value {value!r} is not valid: expected Float, got {got}", "root")]
    assert [e.description for e in validate_config(String, 3).errors] == [
        "Value 3 is not valid: expected String, got int"]


def test_array_noneable_permissive_selector():
    assert process_config(Array(Int), [1, 2]) == [1, 2]
    assert validate_config([int], [1, "x"]).errors[0].stack == "root:1"
    assert process_config({"x": Noneable(Int)}, {}) == {"x": None}
    assert process_config(Permissive({"a": Int}), {"a": 1, "extra": 2}) == {"a": 1, "extra": 2}
    assert process_config(Selector({"a": Int, "b": String}), {"b": "x"}) == {"b": "x"}
    assert not validate_config(Selector({"a": Int, "b": String}), {"a": 1, "b": "x"}).success


def test_enum_maps_to_python_values():
    colour = Enum("Colour", [EnumValue("RED", 1), EnumValue("BLUE", 2)])
    assert process_config(colour, "BLUE") == 2
    assert "did you mean 'RED'" in validate_config(colour, "RDE").errors[0].message


def test_env_source(monkeypatch):
    monkeypatch.setenv("SPECRUN_TEST_HOST", "db.internal")
    assert process_config({"host": StringSource}, {"host": {"env": "SPECRUN_TEST_HOST"}}) == {"host": "db.internal"}
    with pytest.raises(ConfigError, match='Environment variable "SPECRUN_TEST_MISSING" is not set'):
        process_config({"host": StringSource}, {"host": {"env": "SPECRUN_TEST_MISSING"}})


class Batch(Config):
    size: int = 100
    mode: str


def test_config_class_defaults_errors_and_hint():
    assert process_config(Batch, {"mode": "fast"}) == {"size": 100, "mode": "fast"}
    errors = validate_config(Batch, {"mode": "x", "sise": 5, "size": "big"}).errors
    messages = {e.description for e in errors}
    assert 'Received unexpected config entry "sise" (did you mean \'size\'?)' in messages
    assert any(e.stack == "root:size" for e in errors)


def test_missing_whole_required_config():
    result = validate_config(Int, None)
    assert not result.success and result.errors[0].description == "Missing required config"


@settings(deadline=None)  # no timing: a loaded machine (or mutmut's tracing) is slow, not wrong
@given(st.dictionaries(st.sampled_from(["a", "b", "c"]), st.integers(), min_size=3))
def test_any_int_dict_round_trips_through_a_shape_of_ints(values):
    assert process_config(Shape({k: Int for k in "abc"}), values) == values
