"""Typed template parameters: the front matter, argument checks and the JSON Schema of `with:`."""

from __future__ import annotations

import pytest

from specrun.compiler.template_params import (
    check_arguments, describe, params_schema, read_front_matter, with_defaults,
)
from specrun.errors import Location, SpecErrors

HEADER = """\
---
description: demo
params:
  table: {type: string, description: source}
  rows: {type: integer, default: 5}
  ratio: {type: number, default: 0.5}
  flag: {type: boolean, default: false}
  mode: {enum: [a, b], default: a}
  cols: {type: list, items: {type: string}, default: []}
  opts: {type: object, properties: {depth: {type: integer}, name: {type: string, default: x}}, default: {depth: 1}}
  note: {type: string, required: false}
---
assets: {}
"""


def _locate(pointer, key=False):
    return Location("p.yaml", 1, len(pointer) + (100 if key else 0))


def test_front_matter_declares_types_defaults_and_keeps_the_body_lines():
    front = read_front_matter(HEADER, "t.yaml.j2")
    assert front.description == "demo"
    assert list(front.params) == ["table", "rows", "ratio", "flag", "mode", "cols", "opts", "note"]
    assert front.body.split("\n")[12] == "assets: {}"  # line 13 of the file is still line 13
    assert [describe(p) for p in front.params.values()] == [
        "string, required", "integer, default 5", "number, default 0.5", "boolean, default false",
        'value, one of: "a", "b", default "a"', "list of string, default []", 'object, default {"depth": 1}',
        "string, optional"]


def test_arguments_fill_defaults_in_declaration_order_and_optional_is_null():
    params = read_front_matter(HEADER, "t.yaml.j2").params
    assert check_arguments(params, {"table": "t", "rows": 3}, "use.x.with", _locate, "/use/x/with") == []
    assert with_defaults(params, {"rows": 3, "table": "t"}) == {
        "table": "t", "rows": 3, "ratio": 0.5, "flag": False, "mode": "a", "cols": [], "opts": {"depth": 1},
        "note": None}


@pytest.mark.parametrize("args, message", [
    ({"table": "t", "rows": True}, "use.x.with.rows: expected integer, got true"),
    ({"table": "t", "ratio": "1"}, 'use.x.with.ratio: expected number, got "1"'),
    ({"table": "t", "flag": "yes"}, 'use.x.with.flag: expected boolean, got "yes"'),
    ({"table": "t", "mode": "c"}, 'use.x.with.mode: "c" is not one of: "a", "b"'),
    ({"table": "t", "cols": "a"}, 'use.x.with.cols: expected list, got "a"'),
    ({"table": "t", "opts": {"name": "y"}}, "use.x.with.opts: missing key 'depth'"),
    ({"table": "t", "opts": {"depth": "deep"}}, 'use.x.with.opts: depth: expected integer, got "deep"'),
    ({"table": 1}, "use.x.with.table: expected string, got 1"),
])
def test_each_wrong_argument_is_one_error_at_its_value(args, message):
    params = read_front_matter(HEADER, "t.yaml.j2").params
    (error,) = check_arguments(params, args, "use.x.with", _locate, "/use/x/with")
    assert error.message == message
    wrong = next(k for k in args if k != "table") if len(args) > 1 else "table"
    assert error.location == _locate(f"/use/x/with/{wrong}")


def test_with_that_is_not_a_mapping():
    params = read_front_matter(HEADER, "t.yaml.j2").params
    (error,) = check_arguments(params, ["t"], "use.x.with", _locate, "/use/x/with")
    assert error.message == 'use.x.with: expected a mapping of arguments, got ["t"]'


def test_params_become_a_strict_json_schema():
    schema = params_schema(read_front_matter(HEADER, "t.yaml.j2").params)
    assert schema["required"] == ["table"]
    assert schema["additionalProperties"] is False
    assert schema["properties"]["cols"] == {"type": "array", "default": [], "items": {"type": "string"}}
    assert schema["properties"]["mode"] == {"enum": ["a", "b"], "default": "a"}
    assert schema["properties"]["opts"]["required"] == ["depth"]


def test_front_matter_that_is_never_closed_or_not_a_mapping():
    with pytest.raises(SpecErrors) as err:
        read_front_matter("---\nparams: {}\nassets: {}\n", "t.yaml.j2")
    assert str(err.value) == "t.yaml.j2:1:1: error: the front matter is never closed: add a line `---` after `params:`"
    with pytest.raises(SpecErrors) as err:
        read_front_matter("---\nparams: {a: string}\nparms: 1\n---\n", "t.yaml.j2")
    assert [str(e) for e in err.value.errors] == [
        "t.yaml.j2:3:1: error: unknown front-matter key 'parms' (did you mean 'params'?)",
        "t.yaml.j2:2:13: error: parameter 'a': expected a mapping with `type:` (write a: {type: string})"]


def test_a_file_without_front_matter_has_no_parameters():
    front = read_front_matter("assets: {}\n", "t.yaml.j2")
    assert front.params == {} and front.body == "assets: {}\n"


def test_each_bad_parameter_declaration_is_one_error_at_its_place():
    text = ("---\nparams:\n"
            "  a: {description: x}\n"
            "  b: {type: strng, extra: 1}\n"
            "  c: {type: string, enum: []}\n"
            "  d: {type: integer, default: x}\n"
            "  instance: {type: string}\n"
            "  e-f: {type: string}\n"
            "  g: {type: list, items: {type: nothing}, properties: {h: 3}}\n"
            "---\n")
    with pytest.raises(SpecErrors) as err:
        read_front_matter(text, "t.yaml.j2")
    assert [str(e) for e in err.value.errors] == [
        "t.yaml.j2:3:3: error: parameter 'a' has no type (types are: string, integer, number, boolean, list, object)",
        "t.yaml.j2:4:20: error: parameter 'b': unknown key 'extra' (allowed: type, default, description, enum, "
        "items, properties, required)",
        "t.yaml.j2:4:13: error: parameter 'b': unknown type 'strng' (did you mean 'string'?)",
        "t.yaml.j2:5:27: error: parameter 'c': enum must be a non-empty list",
        "t.yaml.j2:6:31: error: parameter 'd': its default does not fit: expected integer, got \"x\"",
        "t.yaml.j2:7:3: error: parameter name 'instance' is reserved: templates see the instance as "
        "`{{ instance }}` (choose another name)",
        "t.yaml.j2:8:3: error: 'e-f' is not a valid parameter name: use letters, digits and _",
        "t.yaml.j2:9:33: error: parameter 'g[]': unknown type 'nothing' (did you mean 'string'?)",
        "t.yaml.j2:9:59: error: parameter 'g.h': expected a mapping with `type:` (e.g. {type: string, "
        "description: ...})"]


def test_params_that_are_not_a_mapping_and_a_header_that_is_not_one():
    with pytest.raises(SpecErrors) as err:
        read_front_matter("---\nparams: [a]\n---\n", "t.yaml.j2")
    assert [str(e) for e in err.value.errors] == [
        "t.yaml.j2:2:9: error: params: expected a mapping of parameter names"]
    with pytest.raises(SpecErrors) as err:
        read_front_matter("---\n- a\n---\n", "t.yaml.j2")
    assert [str(e) for e in err.value.errors] == [
        "t.yaml.j2:2:1: error: the front matter must be a mapping (params:, description:)"]


def test_nested_parameters_are_read_with_their_items_and_properties():
    front = read_front_matter(HEADER, "t.yaml.j2")
    cols, opts = front.params["cols"], front.params["opts"]
    assert (cols.type, cols.items.type, cols.has_default, cols.required) == ("list", "string", True, False)
    assert {k: (p.type, p.required, p.default) for k, p in opts.properties.items()} == {
        "depth": ("integer", True, None), "name": ("string", False, "x")}
    assert front.params["mode"].type is None and front.params["mode"].enum == ["a", "b"]
    assert front.description == "demo" and front.body == "\n" * 12 + "assets: {}\n"  # line 13 stays line 13
