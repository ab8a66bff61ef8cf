"""Version records: their text is exactly what `json.dumps` writes, so stored versions keep
comparing equal across releases."""

from __future__ import annotations

import hashlib
import json

import pytest

from specrun.runtime import versioning as v

VALUES = [
    ["82bb08286baba4aa", "none", [["raw", "0123456789abcdef"]], None, "run-1"],
    ["v1", "none", [], "2024-01-01", "run-2"],
    {"b/c": "1", "a": "\u00e9\u2603\n\"quoted\" \\ tab\t"},
    ["\U0001f600", 1, 2.5, True, None, {"z": [1, {"y": 2}], "a": float("inf")}],
]


@pytest.mark.parametrize("value", VALUES)
def test_json_writers_write_what_json_dumps_writes(value):
    assert v._to_json(value) == json.dumps(value)
    assert v._to_sorted_json(value) == json.dumps(value, sort_keys=True)


def test_data_version_hashes_the_json_of_its_parts():
    inputs = {"b": "2", "a": "1"}
    text = json.dumps(["code", "cfg", sorted(inputs.items()), "p", "run"])
    assert v.data_version("code", "cfg", inputs, "p", "run") == hashlib.sha1(text.encode()).hexdigest()[:16]


def test_input_data_versions_text_is_sorted_json():
    assert v.input_data_versions_text({"b": "2", "a": "1"}) == '{"a": "1", "b": "2"}'


def test_an_asset_made_by_a_template_has_the_templates_hash_in_its_code_version():
    from specrun import asset
    from specrun.runtime.versioning import asset_code_version, code_version_of, template_part

    @asset(tags={"specrun/template": "t.yaml.j2", "specrun/template_hash": "abc123"})
    def made():
        return 1

    @asset(code_version="7")
    def plain():
        return 1

    code = asset_code_version(made.op, made)
    assert code == code_version_of(made.op) + "@tabc123"
    assert template_part(code) == "abc123"
    assert asset_code_version(plain.op, plain) == "7"
    assert template_part("7") is None and template_part(None) is None
