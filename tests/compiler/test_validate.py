"""Schema validation messages: what is wrong, at the value."""

from __future__ import annotations

import pytest

from specrun.compiler.load import load_text
from specrun.compiler.validate import validate_document

HEAD = "specrun: 1\nname: t\nassets:\n  a: {fn: f}\n"


@pytest.mark.parametrize("tail, where, message", [
    ("jobs:\n  j: {selection: ''}\n", (6, 18), "expected a non-empty string in jobs/j/selection"),
    ("jobs:\n  j: {selection: '  '}\n", (6, 18), "expected a non-empty string in jobs/j/selection"),
    ("jobs:\n  j: {selection: [a, '']}\n", (6, 22), "expected a non-empty string in jobs/j/selection/1"),
    ("jobs:\n  j: {selection: 5}\n", (6, 18), "expected a string, got a number in jobs/j/selection"),
    ("checks:\n  c: {asset: a, fn: ''}\n", (6, 21), "expected a non-empty string in checks/c/fn"),
])
def test_empty_or_mistyped_value_is_named_at_the_value(tail, where, message):
    [error] = validate_document(load_text(HEAD + tail, "p.yaml"))
    assert (error.location.line, error.location.col) == where
    assert error.message == message


@pytest.mark.parametrize("name, hint", [
    ("raw\u200b", "it has U+200B ZERO WIDTH SPACE"),
    ("r\u0430w", "it has U+0430 CYRILLIC SMALL LETTER A"),
    ("a b", None),
])
def test_invalid_name_names_its_unusual_characters(name, hint):
    [error] = validate_document(load_text(f"specrun: 1\nname: t\nassets:\n  '{name}': {{fn: f}}\n", "p.yaml"))
    assert error.message == f"{name!r} is not a valid name: use letters, digits and _ (not starting with a digit)"
    assert error.hint == hint


@pytest.mark.parametrize("prefix, where, message", [
    ("[x, 'y/z']", (4, 30), "'y/z' is not a valid key part in assets/a/key_prefix/1: use letters, digits and _"),
    ("'a b'", (4, 26), "'a b' is not a valid key part in assets/a/key_prefix: use letters, digits and _"),
])
def test_key_prefix_part_with_a_slash_or_space_is_an_error(prefix, where, message):
    # 'y/z' made the key x/y/z/a, which reads as four parts
    [error] = validate_document(load_text(f"specrun: 1\nname: t\nassets:\n  a: {{fn: f, key_prefix: {prefix}}}\n",
                                          "p.yaml"))
    assert ((error.location.line, error.location.col), error.message) == (where, message)


@pytest.mark.parametrize("delay, shown", [("1.0e+308", "1e+308 is greater than the maximum of 86400"),
                                          ("9" * 400, "is greater than the maximum of 86400")])
def test_a_retry_delay_beyond_a_day_is_refused_at_its_position(delay, shown):
    doc = load_text(f"specrun: 1\nmodule: m\nassets:\n  a: {{fn: f, retry: {{max_retries: 1, delay: {delay}}}}}\n",
                    "p.yaml")
    [error] = validate_document(doc)
    assert shown in error.message
    assert (error.location.line, error.location.col) == (4, 45)


def test_max_retries_beyond_a_thousand_is_refused():
    doc = load_text("specrun: 1\nmodule: m\nassets:\n  a: {fn: f, retry: {max_retries: 100000}}\n", "p.yaml")
    [error] = validate_document(doc)
    assert "100000 is greater than the maximum of 1000" in error.message


def _found(text: str) -> list[tuple]:
    """(message, (line, col), pointer, hint) of each error, in the order reported."""
    return [(e.message, (e.location.line, e.location.col), e.pointer, e.hint)
            for e in validate_document(load_text(text, "p.yaml"))]


TOP = ("allowed here: $schema, assets, checks, description, executor, include, jobs, module, name, ops, "
       "partitions, resources, run_config, specrun, storage, use, vars")


@pytest.mark.parametrize("text, expected", [
    # an unknown key with no close name lists the allowed ones; an x- key is free
    ("specrun: 1\nname: t\ngroup: x\nx-note: 1\n", [("unknown key 'group' at the top level", (3, 1), "/group", TOP)]),
    ("specrun: 1\nname2: 1\n", [("unknown key 'name2' at the top level", (2, 1), "/name2", "did you mean 'name'?")]),
    # a mapping with no name patterns (a job node's `{map: ...}` input) still frees x- keys
    ("specrun: 1\njobs:\n  j:\n    ops:\n      n: {op: o, ins: {x: {map: a, x-note: 1, extra: 1}}}\n",
     [("unknown key 'extra' in jobs/j/ops/n/ins/x", (5, 47), "/jobs/j/ops/n/ins/x/extra", "allowed here: map")]),
    # a name with `/` or `~` is shown as written (the pointer escapes it)
    ("specrun: 1\nassets:\n  orders/raw: {fn: f, grup: 1}\n",
     [("unknown key 'grup' in assets/orders/raw", (3, 23), "/assets/orders~1raw/grup", "did you mean 'group'?")]),
    ("specrun: 1\nassets:\n  a: {fn: f, ins: {'p~q': 5}}\n",
     [("expected a string, got a number in assets/a/ins/p~q", (3, 27), "/assets/a/ins/p~0q", None)]),
    ("name: t\n", [("missing required key 'specrun' at the top level", (1, 1), "", None)]),
    ("specrun: 1\nchecks:\n  c: {asset: a}\n", [("missing required key 'fn' in checks/c", (3, 3), "/checks/c", None)]),
    ("specrun: 1\nassets:\n  a: {group: g}\n",
     [("missing required key 'fn' or 'graph' or 'external' or 'observe' in assets/a", (3, 3), "/assets/a", None)]),
    ("specrun: 2\n", [("expected 1, got 2", (1, 10), "/specrun", "this spec format is version 1: write `specrun: 1`")]),
    ("specrun: 1\nassets:\n  'a b': {fn: f}\n",
     [("'a b' is not a valid name: use letters, digits and _ (not starting with a digit)", (3, 3), "/assets", None)]),
    # a pattern outside names and key parts: jsonschema's own words
    ("specrun: 1\nassets:\n  a:\n    fn: f\n    graph:\n      n: {op: o, ins: {x: '1x'}}\n",
     [("'1x' does not match '^[A-Za-z_][A-Za-z0-9_/]*(\\\\.[A-Za-z_][A-Za-z0-9_]*)?$'", (6, 27),
       "/assets/a/graph/n/ins/x", None)]),
    ("specrun: 1\nassets:\n  a: {fn: f, tags: {t: [1]}}\n",
     [("expected a string or a number or true or false, got a list in assets/a/tags/t", (3, 24), "/assets/a/tags/t",
       None)]),
    ("specrun: 1\nassets:\n  a: {fn: f, retry: {max_retries: 100000}}\n",
     [("100000 is greater than the maximum of 1000", (3, 35), "/assets/a/retry/max_retries", None)]),
    ("specrun: 1\njobs:\n  j: {selection: ''}\n",
     [("expected a non-empty string in jobs/j/selection", (3, 18), "/jobs/j/selection", None)]),
    ("specrun: 1\nassets:\n  a: {fn: f, key_prefix: 'a b'}\n",
     [("'a b' is not a valid key part in assets/a/key_prefix: use letters, digits and _", (3, 26),
       "/assets/a/key_prefix", None)]),
    ("specrun: 1\nassets:\n  a: {fn: f, retry: {max_retries: 1, backoff: linear2}}\n",
     [("'linear2' is not one of: linear, exponential", (3, 47), "/assets/a/retry/backoff", "did you mean 'linear'?")]),
])
def test_each_kind_of_schema_error_has_its_message_position_pointer_and_hint(text, expected):
    assert _found(text) == expected


@pytest.mark.parametrize("value, got", [("{a: 1}", "a mapping"), ("[a]", "a list"), ("true", "true/false"),
                                        ("1", "a number"), ("1.5", "a number"), ("~", "nothing")])
def test_a_wrong_type_names_what_was_found(value, got):
    assert _found(f"specrun: 1\nname: {value}\n") == [(f"expected a string, got {got} in name", (2, 7), "/name", None)]


def test_errors_come_in_source_order():
    # jsonschema walks the schema's properties (assets before jobs); the spec has jobs first
    assert [where for _, where, _, _ in _found("specrun: 1\njobs:\n  j: {selection: 5}\nassets:\n  a: {fn: 5}\n")] == [
        (3, 18), (5, 11)]
