"""Rendering spec templates: defaults from the template's own `vars` block."""

from __future__ import annotations

import pytest

from specrun.compiler.load import load_text
from specrun.compiler.template import _parse_snippet
from specrun.errors import SpecErrors


def test_vars_block_with_a_number_key_still_gives_its_named_defaults():
    text = 'specrun: 1\nvars:\n  1: a\n  region: eu\nassets:\n  a: {fn: "{{ region }}"}\n'
    doc = load_text(text, "p.yaml.j2")
    assert doc.data["assets"]["a"]["fn"] == "eu"


@pytest.mark.parametrize("snippet, is_toml", [
    ("vars:\n  - a\n", False),               # a list, not a mapping
    ("vars: 5\n", False),
    ("vars: [\n", False),                     # not YAML
    ("vars: " + "[" * 3000 + "]" * 3000, False),  # deeper than the parser's stack
    ("vars: !!python/object:os.system x\n", False),  # an unsafe tag
    ("[vars]\na = \n", True),                 # not TOML
])
def test_unreadable_vars_block_gives_no_defaults(snippet, is_toml):
    assert _parse_snippet(snippet, is_toml) == {}


def test_toml_vars_block_gives_defaults():
    assert _parse_snippet('[vars]\nregion = "eu"\nn = 2\n', True) == {"region": "eu", "n": 2}


def test_list_vars_block_leaves_the_variable_undefined_with_a_hint():
    text = 'specrun: 1\nvars:\n  - region\nname: "{{ region }}"\n'
    with pytest.raises(SpecErrors) as caught:
        load_text(text, "p.yaml.j2")
    [error] = caught.value.errors
    assert error.message == "template variable 'region' is not defined"
    assert (error.location.line, error.location.col) == (4, 11)
    assert error.hint == "pass it with --var region=VALUE"


def test_vars_block_is_read_as_the_spec_reads_it_dates_as_text():
    # yaml.safe_load raised "ValueError: month must be in 1..12" on the date (found by fuzzing)
    text = "specrun: 1\nvars:\n  tables: [a, 2024-13-01]\nname: '{{ tables[1] }}'\n"
    assert load_text(text, "p.yaml.j2").data["name"] == "2024-13-01"


TEMPLATE = ("specrun: 1\nname: t\nmodule: m\nvars:\n  tables: [a]\n  rows: 5\nassets:\n"
            "{% for table in tables %}\n  raw_{{ table }}: {fn: extract, config: {rows: {{ rows }}}}\n{% endfor %}\n")


def _var_errors(tmp_path, name: str, text: str, vars: dict):
    from specrun.compiler.load import load_document

    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(SpecErrors) as caught:
        load_document(str(path), vars)
    return caught.value.errors


def test_misspelt_template_variable_is_an_error_at_the_vars_block(tmp_path):
    # was silently ignored: the template rendered with its default `tables`
    [error] = _var_errors(tmp_path, "p.yaml.j2", TEMPLATE, {"tabels": ["a"]})
    assert error.message == "unknown template variable 'tabels': p.yaml.j2 neither declares nor uses it"
    assert error.hint == "did you mean 'tables'?"
    assert (error.location.line, error.location.col) == (4, 1)


def test_unknown_template_variable_with_nothing_close_lists_the_variables(tmp_path):
    [error] = _var_errors(tmp_path, "p.yaml.j2", TEMPLATE, {"tables": ["b"], "region": "eu"})
    assert error.message == "unknown template variable 'region': p.yaml.j2 neither declares nor uses it"
    assert error.hint == "its variables are rows, tables"


def test_variable_read_by_a_template_without_a_vars_block_is_known(tmp_path):
    from specrun.compiler.load import load_document

    path = tmp_path / "p.yaml.j2"
    path.write_text("specrun: 1\nname: {{ name }}\n")
    assert load_document(str(path), {"name": "x"}).data["name"] == "x"


def test_variable_given_to_a_spec_that_is_not_a_template_is_an_error(tmp_path):
    # was silently ignored
    [error] = _var_errors(tmp_path, "p.yaml", "specrun: 1\nname: t\n", {"region": "eu"})
    assert error.message == "p.yaml is not a template, so it takes no variables (given: 'region')"
    assert error.hint == "drop --var/--vars, or rename it p.yaml.j2 to use {{ region }} in it"
    assert (error.location.line, error.location.col) == (1, 1)
