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
