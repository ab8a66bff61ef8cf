"""Rendering a template stays within its budgets: repetition, powers, output size and time."""

from __future__ import annotations

import subprocess
import sys

import pytest

from specrun.compiler import template_budget
from specrun.compiler.template import render_template
from specrun.errors import SpecErrors


def _error(text: str) -> str:
    with pytest.raises(SpecErrors) as err:
        render_template(text, "t.yaml.j2", {})
    [only] = err.value.errors
    return f"{only.location.line}: {only.message}"


def test_a_huge_repetition_is_refused_before_it_is_made():
    assert _error("a: 1\nb: {{ 'a' * 4000000000 }}\n") == (
        "2: the template repeats a value of length 1 4000000000 times: more than 10,000,000 characters or items")


def test_a_power_with_too_many_digits_is_refused():
    assert _error("x: {{ 10 ** 100000 }}\n") == "1: 10 ** 100000 has more than 4300 digits"


def test_output_past_the_size_budget_stops_the_render(monkeypatch):
    monkeypatch.setattr(template_budget, "MAX_CHARS", 1000)
    assert _error("{% for i in range(100000) %}line {{ i }}\n{% endfor %}").endswith(
        "the rendered template passes 1,000 characters")


def test_a_render_past_the_time_budget_stops(monkeypatch):
    monkeypatch.setattr(template_budget, "MAX_SECONDS", 0.05)
    text = ("{% set ns = namespace(n=0) %}{% for i in range(100000) %}{% for j in range(100000) %}"
            "{% set ns.n = j %}{% endfor %}{% endfor %}x: 1\n")
    assert _error(text).endswith("rendering the template took more than 0.05 s")


def test_templates_within_the_budgets_render_as_before():
    text, _ = render_template("x: {{ 'ab' * 3 }}\ny: {{ 2 ** 10 }}\nz: {{ [1] + [2] }}\n", "t.yaml.j2", {})
    assert text == "x: ababab\ny: 1024\nz: [1, 2]\n"


_ENDLESS = "{% macro m(n) %}{{ m(n) }}{% endmacro %}\na: {{ m(1) }}\n"


def test_endless_recursion_is_an_error_even_when_the_recursion_limit_was_raised():
    # A raised limit (hypothesis raises it while it runs a test) once let this template
    # overflow the C stack: the process died of a segfault. A child process, so that a crash
    # fails this test instead of killing the test run.
    code = ("import sys; sys.setrecursionlimit(200_000)\n"
            "from specrun.compiler.template import render_template\n"
            "from specrun.errors import SpecErrors\n"
            f"try:\n    render_template({_ENDLESS!r}, 't.yaml.j2', {{}})\n"
            "except SpecErrors as e:\n    print(e.errors[0].location.line, e.errors[0].message)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (
        0, "1 template error: it recurses without end (a macro that calls itself?)\n")


def test_recursion_that_stops_renders_up_to_the_depth_budget(monkeypatch):
    text = ("{% macro down(n) %}{% if n > 0 %}{{ down(n - 1) }}{% else %}bottom{% endif %}{% endmacro %}"
            "x: {{ down(DEPTH) }}\n")
    assert render_template(text.replace("DEPTH", "90"), "t.yaml.j2", {})[0] == "x: bottom\n"
    monkeypatch.setattr(template_budget, "MAX_DEPTH", 20)
    assert _error(text.replace("DEPTH", "30")) == "1: template error: it recurses without end (a macro that calls itself?)"
