"""Load stage: positions of YAML and TOML values, templates and their line map, vars."""

from __future__ import annotations

import pytest

from specrun.compiler.load import load_text, parse_vars
from specrun.errors import Location, SpecError, SpecErrors


def test_yaml_positions_of_values_and_keys():
    doc = load_text("specrun: 1\nassets:\n  a:\n    fn: x\n    deps: [b, c]\n", "p.yaml")
    assert doc.positions["/assets/a/fn"] == Location("p.yaml", 4, 9)
    assert doc.key_positions["/assets/a/fn"] == Location("p.yaml", 4, 5)
    assert doc.positions["/assets/a/deps/1"] == Location("p.yaml", 5, 15)


def test_yaml_dates_stay_strings_and_merge_keys_apply():
    doc = load_text("base: &b {start: 2024-01-01, n: 1}\nuse: {<<: *b, n: 2}\n", "p.yaml")
    assert doc.data["use"] == {"start": "2024-01-01", "n": 2}


def test_toml_positions_of_tables_keys_and_inline_tables():
    text = 'specrun = 1\n\n[assets.src]\nfn = "m:f"\nins = { values = "up" }\n'
    doc = load_text(text, "p.toml")
    assert doc.data["assets"]["src"]["ins"] == {"values": "up"}
    assert doc.key_positions["/assets/src/fn"] == Location("p.toml", 4, 1)
    assert doc.positions["/assets/src/ins/values"].line == 5
    assert doc.key_positions["/assets/src/ins/values"].col == 9


def test_template_renders_with_vars_and_maps_lines_back():
    text = "specrun: 1\nassets:\n{% for t in tables %}\n  raw_{{ t }}: {fn: m}\n{% endfor %}\n"
    doc = load_text(text, "p.yaml.j2", {"tables": ["a", "b"]})
    assert list(doc.data["assets"]) == ["raw_a", "raw_b"]
    assert doc.positions["/assets/raw_b"].line == 4  # the loop body's template line


def test_template_defaults_come_from_its_vars_block_and_are_overridden():
    text = "specrun: 1\nvars:\n  region: eu\nname: p_{{ region }}\n"
    assert load_text(text, "p.yaml.j2").data["name"] == "p_eu"
    assert load_text(text, "p.yaml.j2", {"region": "us"}).data["name"] == "p_us"


def test_template_env_function_with_default(monkeypatch):
    monkeypatch.setenv("SPECRUN_TEST_REGION", "apac")
    text = 'specrun: 1\nname: "{{ env("SPECRUN_TEST_REGION") }}_{{ env("SPECRUN_NOPE", "dflt") }}"\n'
    assert load_text(text, "p.yaml.j2").data["name"] == "apac_dflt"


def test_yaml_error_after_rendering_points_at_template_line():
    text = "specrun: 1\n{% if true %}\nassets: {a: [\n{% endif %}\n"
    with pytest.raises(SpecErrors) as err:
        load_text(text, "p.yaml.j2")
    assert err.value.errors[0].location.file == "p.yaml.j2"
    assert err.value.errors[0].location.line >= 3


def test_undefined_template_variable_suggests_close_name():
    with pytest.raises(SpecErrors) as err:
        load_text("specrun: 1\nname: {{ regoin }}\n", "p.yaml.j2", {"region": "eu"})
    (error,) = err.value.errors
    assert error.message == "template variable 'regoin' is not defined"
    assert error.location == Location("p.yaml.j2", 2, 10)  # the column of `regoin`
    assert error.hint == "did you mean 'region'?"


def test_parse_vars_reads_values_as_yaml():
    assert parse_vars(["tables=[a, b]", "n=3", "flag=true", "name=x"]) == {
        "tables": ["a", "b"], "n": 3, "flag": True, "name": "x"}
    with pytest.raises(SpecError):
        parse_vars(["novalue"])


def test_unknown_extension_is_an_error():
    with pytest.raises(SpecErrors, match="cannot tell the format"):
        load_text("x", "pipeline.json")
