"""Each config type of specrun/runtime/config_types.py on its own: the processed value, the
exact error messages with their paths, defaults, names and the schema shorthands."""

from __future__ import annotations

import pickle
import typing

import pytest

from specrun.runtime import config_types as ct
from specrun.runtime.config import config_type_name, field_defaults, validate_config


def _check(config_type, value):
    """(processed value, [(message, path)]) of one validate call."""
    errors: list = []
    processed = config_type.validate(value, ("top",), errors)
    return processed, [(e.description, e.path) for e in errors]


def test_scalars_keep_valid_values_and_name_the_wrong_type():
    assert _check(ct.Int, 3) == (3, [])
    assert _check(ct.Float, 3) == (3.0, []) and type(_check(ct.Float, 3)[0]) is float
    assert _check(ct.String, "s") == ("s", [])
    assert _check(ct.Bool, False) == (False, [])
    assert _check(ct.Bool, 0) == (0, [("Value 0 is not valid: expected Bool, got int", ("top",))])
    assert _check(ct.Int, 2.5) == (2.5, [("Value 2.5 is not valid: expected Int, got float", ("top",))])
    assert _check(ct.Any, object) == (object, [])
    assert (ct.Int.config_type_kind, ct.Any.config_type_kind, repr(ct.Int), repr(ct.Any)) == (
        "scalar", "any", "Int", "Any")
    assert ct.Int.default() == (False, None) and ct.Any.default() == (False, None)


def test_env_sources_read_and_coerce_the_variable(monkeypatch):
    monkeypatch.setenv("SR_INT", "42")
    monkeypatch.setenv("SR_BAD_INT", "4x")
    monkeypatch.setenv("SR_TRUE", "True")
    monkeypatch.setenv("SR_ONE", "1")
    monkeypatch.setenv("SR_ZERO", "0")
    monkeypatch.setenv("SR_FALSE", "FALSE")
    monkeypatch.setenv("SR_YES", "yes")
    assert _check(ct.IntSource, {"env": "SR_INT"}) == (42, [])
    assert _check(ct.IntSource, {"env": "SR_BAD_INT"}) == (
        "4x", [("Environment value '4x' is not a valid Int", ("top",))])
    assert _check(ct.BoolSource, {"env": "SR_TRUE"}) == (True, [])
    assert _check(ct.BoolSource, {"env": "SR_ONE"}) == (True, [])
    assert _check(ct.BoolSource, {"env": "SR_ZERO"}) == (False, [])
    assert _check(ct.BoolSource, {"env": "SR_FALSE"}) == (False, [])
    assert _check(ct.BoolSource, {"env": "SR_YES"}) == (
        "yes", [("Environment value 'yes' is not a valid Bool", ("top",))])
    assert _check(ct.StringSource, {"env": "SR_INT"}) == ("42", [])
    assert _check(ct.IntSource, 7) == (7, [])
    assert _check(ct.IntSource, {"env": "SR_INT", "x": 1})[1] == [
        ("Value {'env': 'SR_INT', 'x': 1} is not valid: expected Int, got dict", ("top",))]
    monkeypatch.delenv("SR_UNSET", raising=False)
    assert _check(ct.StringSource, {"env": "SR_UNSET"}) == (
        None, [('Environment variable "SR_UNSET" is not set', ("top",))])
    assert (ct.IntSource.name, ct.BoolSource.config_type_kind) == ("IntSource", "scalar")


def test_arrays_check_each_item_at_its_index():
    assert _check(ct.Array(int), (1, 2)) == ([1, 2], [])
    assert _check(ct.Array(ct.Int), [1, "b", 3]) == (
        [1, "b", 3], [("Value 'b' is not valid: expected Int, got str", ("top", "1"))])
    assert _check(ct.Array(ct.Int), "12") == ("12", [("Value '12' is not valid: expected a list ([Int])", ("top",))])
    assert (ct.Array(str).name, ct.Array(str).config_type_kind) == ("[String]", "array")


def test_noneable_allows_none_and_defaults_to_it():
    maybe = ct.Noneable(int)
    assert _check(maybe, None) == (None, [])
    assert _check(maybe, "x") == ("x", [("Value 'x' is not valid: expected Int, got str", ("top",))])
    assert (maybe.default(), maybe.name, maybe.config_type_kind) == ((True, None), "Int?", "noneable")


def test_maps_check_keys_and_values():
    counts = ct.Map(str, int)
    assert _check(counts, {"a": 1}) == ({"a": 1}, [])
    assert _check(counts, {"a": "x"}) == (
        {"a": "x"}, [("Value 'x' is not valid: expected Int, got str", ("top", "a"))])
    assert _check(counts, {3: 1}) == ({3: 1}, [("Value 3 is not valid: expected String, got int", ("top",))])
    assert _check(counts, [1]) == ([1], [("Value [1] is not valid: expected a mapping", ("top",))])
    assert (counts.name, counts.config_type_kind) == ("Map[String, Int]", "map")


def test_enums_map_config_values_to_python_values():
    colour = ct.Enum("Colour", [ct.EnumValue("RED", 1), ct.EnumValue("BLUE")])
    assert _check(colour, "RED") == (1, [])
    assert _check(colour, "BLUE") == ("BLUE", [])
    assert _check(colour, "BLEU") == ("BLEU", [
        ("Value 'BLEU' is not one of ['BLUE', 'RED'] (enum Colour); did you mean 'BLUE'?", ("top",))])
    assert _check(colour, "zzz") == ("zzz", [("Value 'zzz' is not one of ['BLUE', 'RED'] (enum Colour)", ("top",))])
    assert colour.config_type_kind == "enum"


def test_a_field_is_required_unless_it_has_a_default():
    assert ct.Field(int).is_required is True
    assert ct.Field(int, default_value=0).is_required is False
    assert ct.Field(ct.Noneable(int)).is_required is False
    assert ct.Field(int, is_required=False).is_required is False
    assert ct.Field(int, default_value=3, is_required=True).is_required is True
    assert ct.Field(int).has_default_value is False
    assert ct.Field(int, default_value=None).has_default_value is True
    assert ct.Field(ct.Noneable(int)).has_default_value is True
    assert ct.Field(ct.Noneable(int), is_required=True).has_default_value is False
    assert ct.Field(int, is_required=False).has_default_value is False
    assert ct.Field(int, default_value=5).absent_value() == (True, 5)
    assert ct.Field(ct.Noneable(int)).absent_value() == (True, None)
    assert ct.Field(int).absent_value() == (False, None)
    assert repr(ct.Field(int, description="n")) == "Field(Int, required=True)"
    assert ct.Field(int, description="n").description == "n"


def test_a_shape_checks_known_keys_and_reports_the_rest():
    shape = ct.Shape({"name": str, "size": ct.Field(int, default_value=2), "opt": ct.Field(int, is_required=False)})
    assert _check(shape, {"name": "n"}) == ({"name": "n", "size": 2}, [])
    assert _check(shape, None) == ({"size": 2}, [('Missing required config entry "name"', ("top",))])
    assert _check(shape, {"name": 1, "nme": "n"}) == ({"name": 1, "size": 2}, [
        ("Value 1 is not valid: expected String, got int", ("top", "name")),
        ('Received unexpected config entry "nme" (did you mean \'name\'?)', ("top",))])
    assert _check(shape, {"name": "n", "qqqq": 1})[1] == [
        ('Received unexpected config entry "qqqq" (expected: name, opt, size)', ("top",))]
    assert _check(ct.Shape(), {"x": 1})[1] == [('Received unexpected config entry "x" (expected: none)', ("top",))]
    assert _check(shape, "n") == ("n", [("Value 'n' is not valid: expected a mapping of ['name', 'opt', 'size']",
                                         ("top",))])
    assert (shape.name, shape.config_type_kind, shape.permissive) == ("Shape", "shape", False)
    assert shape.default() == (False, None)


def test_a_shape_of_optional_fields_has_its_filled_value_as_default():
    shape = ct.Shape({"size": ct.Field(int, default_value=2), "tag": ct.Noneable(str)}, description="d")
    assert shape.default() == (True, {"size": 2, "tag": None})
    assert shape.default() is shape.default()  # computed once
    assert shape.description == "d"
    assert ct.Shape({}).default() == (True, {})


def test_a_permissive_shape_keeps_unknown_keys():
    loose = ct.Permissive({"a": int})
    assert _check(loose, {"a": 1, "b": "x"}) == ({"a": 1, "b": "x"}, [])
    assert _check(loose, {})[1] == [('Missing required config entry "a"', ("top",))]
    assert (loose.name, loose.permissive, ct.Permissive().fields) == ("Permissive", True, {})


def test_a_selector_takes_exactly_one_known_key():
    pick = ct.Selector({"a": int, "b": str})
    assert _check(pick, {"a": 1}) == ({"a": 1}, [])
    assert _check(pick, {"a": "x"}) == ({"a": "x"}, [("Value 'x' is not valid: expected Int, got str", ("top", "a"))])
    assert _check(pick, {}) == ({}, [("Selector needs exactly one of ['a', 'b'], got {}", ("top",))])
    assert _check(pick, "a") == ("a", [("Selector needs exactly one of ['a', 'b'], got 'a'", ("top",))])
    assert _check(pick, {"aa": 1}) == ({"aa": 1}, [('Received unexpected config entry "aa" (did you mean \'a\'?)',
                                                     ("top",))])
    assert _check(pick, {"zzz": 1})[1] == [('Received unexpected config entry "zzz"', ("top",))]
    assert (pick.name, pick.default()) == ("Selector", (False, None))
    assert ct.Selector({"a": ct.Field(int, default_value=1)}).default() == (False, None)


def test_the_unset_marker_survives_pickling():
    assert pickle.loads(pickle.dumps(ct._UNSET)) is ct._UNSET
    assert repr(ct._UNSET) == "<unset>"


def test_schema_shorthands_become_types():
    assert ct.normalize_config_schema(None) is None
    assert ct.normalize_config_schema(int) is ct.Int
    assert ct.normalize_config_schema(float) is ct.Float
    assert ct.normalize_config_schema(str) is ct.String
    assert ct.normalize_config_schema(bool) is ct.Bool
    assert ct.normalize_config_schema(typing.Any) is ct.Any
    assert ct.normalize_config_schema(object) is ct.Any
    assert ct.normalize_config_schema(ct.Field(int)) is ct.Int
    assert ct.normalize_config_schema(ct.Array(ct.Field(str)).inner) is ct.String
    listed = ct.normalize_config_schema(list)
    assert isinstance(listed, ct.Array) and listed.inner is ct.Any
    assert type(ct.normalize_config_schema(dict)) is ct.Permissive
    assert isinstance(ct.normalize_config_schema([int]), ct.Array)
    assert ct.normalize_config_schema([int]).inner is ct.Int
    shape = ct.normalize_config_schema({"a": int})
    assert type(shape) is ct.Shape and shape.fields["a"].config_type is ct.Int
    with pytest.raises(TypeError) as err:
        ct.normalize_config_schema([int, str])
    assert str(err.value) == "cannot use [<class 'int'>, <class 'str'>] as a config schema"
    with pytest.raises(TypeError):
        ct.normalize_config_schema(bytes)
    assert (config_type_name({"a": int}), config_type_name(None), config_type_name([str])) == (
        "Shape", "Any", "[String]")


def test_config_classes_are_told_apart_without_importing_pydantic():
    from pydantic import BaseModel

    class Plain:
        pass

    class Model(BaseModel):
        n: int = 1

    assert ct.is_config_class(Model) is True
    assert ct.is_config_class(Plain) is False
    assert ct.is_config_class(Model()) is False
    assert ct.loaded_class("pydantic.main", "BaseModel") is BaseModel
    assert ct.loaded_class("no_such_module_here", "X") is None
    assert ct.loaded_class("pydantic.main", "NoSuchName") is None


def test_whole_config_defaults_and_none():
    assert validate_config(ct.Noneable(int), None).value is None
    assert validate_config({"a": ct.Field(int, default_value=1)}, None).value == {"a": 1}
    assert validate_config(None, {"anything": 1}).value == {"anything": 1}
    assert field_defaults({"a": ct.Field(int, default_value=1)}) == {"a": 1}


def test_validate_config_of_a_config_class_gives_the_instance():
    from pydantic import BaseModel  # noqa: F401  (Config classes are pydantic models)

    from specrun.runtime.config_models import Config

    class Batch(Config):
        size: int = 3
        mode: str = "fast"

    result = validate_config(Batch, None)
    assert (result.success, result.value, result.errors) == (True, {"size": 3, "mode": "fast"}, [])
    assert type(result.config_instance) is Batch and result.config_instance.size == 3
    bad = validate_config(Batch, {"size": "x"}, path=("ops", "o"))
    assert (bad.success, bad.config_instance) == (False, None)
    assert [(e.description, e.path) for e in bad.errors][0][1] == ("ops", "o", "size")
    assert validate_config({"n": int}, {"n": 1}).config_instance is None


def test_missing_required_config_names_its_path_and_subject():
    from specrun.errors import ConfigError
    from specrun.runtime.config import process_config

    result = validate_config(int, None, path=("resources", "db"))
    assert (result.success, result.value) == (False, None)
    assert [(e.description, e.path) for e in result.errors] == [("Missing required config", ("resources", "db"))]
    with pytest.raises(ConfigError) as err:
        process_config({"n": int}, {}, path=("ops", "o", "config"), subject="op config")
    assert str(err.value).splitlines()[0] == "Invalid op config: 1 error(s)"
    assert err.value.subject == "op config"
    assert [(e.description, e.path) for e in err.value.errors] == [
        ('Missing required config entry "n"', ("ops", "o", "config"))]
    assert process_config(ct.Noneable(int), None) is None
    assert process_config({"n": ct.Field(int, default_value=2)}, None, path=("x",)) == {"n": 2}


def test_the_config_module_gives_its_pydantic_names_lazily():
    from specrun.runtime import config, config_models

    assert config.Config is config_models.Config
    assert config.PermissiveConfig is config_models.PermissiveConfig
    with pytest.raises(AttributeError) as err:
        config.NoSuchThing  # noqa: B018
    assert str(err.value) == "module 'specrun.runtime.config' has no attribute 'NoSuchThing'"


def test_a_new_scalar_or_source_type_carries_its_name_kind_and_types():
    # the module-level Int, StringSource, ... are built at import; these are built here
    whole = ct._Scalar("Whole", (int,), (bool,))
    assert (whole.name, whole.config_type_kind, repr(whole)) == ("Whole", "scalar", "Whole")
    assert _check(whole, 4) == (4, [])
    assert _check(whole, True) == (True, [("Value True is not valid: expected Whole, got bool", ("top",))])
    assert _check(ct._Scalar("Text", (str,)), "t") == ("t", [])
    source = ct._Source(whole)
    assert (source.inner, source.name, source.config_type_kind) == (whole, "WholeSource", "scalar")
    assert _check(source, 5) == (5, [])


def test_permissive_and_selector_keep_their_description():
    assert ct.Permissive({"a": int}, description="loose").description == "loose"
    assert ct.Selector({"a": int}, description="one of").description == "one of"


def test_none_for_a_mapping_with_required_entries_names_the_missing_entries():
    from pydantic import BaseModel  # noqa: F401

    from specrun.errors import ConfigError
    from specrun.runtime.config import process_config
    from specrun.runtime.config_models import Config

    class Needs(Config):
        mode: str

    shape = validate_config({"n": int}, None)
    assert [(e.description, e.path) for e in shape.errors] == [('Missing required config entry "n"', ())]
    model = validate_config(Needs, None)
    assert model.success is False
    assert [(e.description, e.path) for e in model.errors] == [('Missing required config entry "mode"', ())]
    with pytest.raises(ConfigError) as err:
        process_config(int, "x")
    assert str(err.value).splitlines()[0] == "Invalid config: 1 error(s)"
