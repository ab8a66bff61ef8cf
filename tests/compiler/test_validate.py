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
