"""Jinja2 syntax errors in spec templates: at the offending token's line and column, with
what to do."""

from __future__ import annotations

import pytest

from specrun.compiler.load import load_text
from specrun.errors import SpecErrors

VARS = {"x": 1, "y": 2, "ts": ["a"]}


def _error(text: str, filename: str = "p.yaml.j2"):
    with pytest.raises(SpecErrors) as caught:
        load_text(text, filename, VARS)
    [error] = caught.value.errors
    return error


@pytest.mark.parametrize("text, line, col, message, hint", [
    ("a: {{ x y }}\n", 1, 9, "expected token 'end of print statement', got 'y'", "close the expression with '}}'"),
    ("a: {{ x }}  {{ y y }}\n", 1, 18, "got 'y'", "close the expression"),
    ("日本: {{ x y }}\n", 1, 10, "got 'y'", "close the expression"),  # columns count characters
    ("a: {{ x }\n", 1, 9, "unexpected '}'", "an expression ends with '}}'"),
    ("a: {{ x @ y }}\n", 1, 9, "unexpected char '@'", "quote it"),
    ("a: {{ 'abc }}\n", 1, 7, "unexpected char \"'\"", "close the string"),
    ("a: 1\n{% for t in %}\nx\n{% endfor %}\n", 2, 13, "Expected an expression", "write a value"),
    ("a: 1\n{% endfo %}\n", 2, 4, "unknown tag {% endfo %}", "did you mean 'endfor'?"),
    ("a: 1\n{% for t in ts %}\nb: {{ t }}\n", 2, 1, "{% for %} is never closed", "add {% endfor %}"),
    ("a: {% if x %}1{% endif\n", 1, 15, "this tag is never closed: it ends with '%}'", "add '%}'"),
    ("a: {{ x }}\n{% for a in ts %}{% if x %}\n{% endfor %}\n", 3, 4,
     "{% endfor %} does not close the innermost open block, {% if %} (line 2)", "{% endif %}"),
    ("a: {% set v %}\nb\n", 1, 4, "{% set %} is never closed", "{% endset %}"),
    ("b: 2\n  {# unclosed\na: 1\n", 2, 3, "Missing end of comment tag", "'#}'"),
    ("x: 1\n{% raw %}\na\n", 2, 1, "Missing end of raw directive", "{% endraw %}"),
])
def test_syntax_error_points_at_the_offending_token(text, line, col, message, hint):
    error = _error(text)
    assert (error.location.file, error.location.line, error.location.col) == ("p.yaml.j2", line, col)
    assert error.message.startswith("template syntax error: ")
    assert message in error.message
    assert "\n" not in error.message
    assert hint in error.hint


def test_toml_template_syntax_error_has_its_column_too():
    error = _error('[assets.a]\nfn = "{{ x y }}"\n', "p.toml.j2")
    assert (error.location.line, error.location.col) == (2, 12)


@pytest.mark.parametrize("text, line, col, message, hint", [
    ("a: {{ 1/0 }}\n", 1, 8, "template error: division by zero (ZeroDivisionError)", None),
    ('a: \'{{ "%d" | format("x") }}\'\n', 1, 5, "a real number is required, not str (TypeError)", None),
    ("{% include 'other.yaml' %}\n", 1, 4, "{% include %} cannot read 'other.yaml'", "under `include:`"),
    ("{% extends 'base.yaml' %}\n", 1, 4, "{% extends %} cannot read 'base.yaml'", "under `include:`"),
    ("a: \"{{ ''.__class__ }}\"\n", 1, 11, "access to attribute '__class__' of 'str' object is unsafe", "sandbox"),
    ("{% for i in range(10**9) %}{% endfor %}\n", 1, 13, "range() is limited to 100000 numbers", None),
    ("a: {{ 'x' | uper }}\n", 1, 13, "template filter 'uper' does not exist", "did you mean 'upper'?"),
    ("{% if x is nothin %}{% endif %}\n", 1, 12, "template test 'nothin' does not exist", "did you mean 'none'?"),
    ("\na: {{ env(5) }}\n", 2, 7, "env() takes the variable's name as a string, not 5", 'env("NAME")'),
    ("a: 1\nb: {{ " + "(" * 1500 + "1" + ")" * 1500 + " }}\n", 2, 1506, "nested too deeply", "{% set %}"),
    ("{% macro m(n) %}{{ m(n) }}{% endmacro %}\na: {{ m(1) }}\n", 1, 1, "recurses without end", "stops it"),
    ("vars: {t: {a: 1}}\nb: {{ t.b }}\n", 2, 9, "'dict object' has no attribute 'b'", None),
])
def test_render_error_is_a_spec_error_at_its_tag(text, line, col, message, hint):
    error = _error(text)
    assert (error.location.line, error.location.col) == (line, col)
    assert message in error.message
    assert error.hint == hint or hint in error.hint


def test_inline_vars_block_gives_defaults():
    doc = load_text("specrun: 1\nvars: {t: {a: 1}}\nname: '{{ t.a }}'\n", "p.yaml.j2")
    assert doc.data["name"] == "1"


def test_loop_over_a_value_that_is_not_a_list_points_at_the_value():
    with pytest.raises(SpecErrors) as caught:
        load_text("a:\n{% for t in tables %}\n  - {{ t }}\n{% endfor %}\n", "p.yaml.j2", {"tables": 5})
    [error] = caught.value.errors
    assert (error.location.line, error.location.col) == (2, 13)
    assert error.message == "template error: 'int' object is not iterable (TypeError)"
    assert error.hint == "tables must be a list (e.g. --var tables='[a, b]')"


def test_syntax_error_keeps_its_line_when_the_token_stream_cannot_be_rebuilt(monkeypatch):
    from specrun.compiler import template_errors

    def broken(self):
        raise AttributeError("lexer changed")
        yield  # pragma: no cover

    monkeypatch.setattr(template_errors._Located, "stream", broken)
    error = _error("a: 1\nb: {{ x y }}\n")
    assert (error.location.line, error.location.col) == (2, 4)
    assert error.message == "template syntax error: expected token 'end of print statement', got 'y'"
