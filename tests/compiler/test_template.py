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
