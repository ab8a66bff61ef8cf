"""Contextual escaping in typed templates: an argument reads back as exactly itself."""

from __future__ import annotations

import pytest
import yaml

from specrun.compiler.load import parse_yaml
from specrun.compiler.template import render_template
from specrun.compiler.template_escape import add_context_filters
from specrun.errors import SpecErrors

NASTY = ["a: b", 'x"y', "it's", "line\nbreak", "yes", "#hash", "- dash", "{brace", "emoji \U0001f600",
         "nel\x85x", "back\\slash", "", "tab\there", "del\x7f", "null", "1.5", " lead", "trail ", "[1, 2]",
         "a #b", "*alias", "&anchor", "!tag", "%pct", "@at", "`tick`", "| bar", "> gt", "?q", "~"]

BODY = """\
assets:
  a:
    fn: m:f
    metadata:
      whole: {{ v }}
      dq: "pre {{ v }} post"
      sq: 'pre {{ v }} post'
      listed: [{{ v }}, x]
      flow: {k: {{ v }}}
      deliberate: {{ v | yaml }}
"""


def _render(body: str, **values):
    text, source_map = render_template(body, "t.yaml.j2", values, typed=True)
    return parse_yaml(text, "t.yaml.j2", source_map)[0]


@pytest.mark.parametrize("value", [v for v in NASTY if "\n" not in v])
def test_a_string_reads_back_as_itself_wherever_it_stands(value):
    quotable = all(ch >= " " and not "\x7f" <= ch <= "\x9f" for ch in value)
    body = BODY if quotable else BODY.replace("      sq: 'pre {{ v }} post'\n", "")
    meta = _render(body, v=value)["assets"]["a"]["metadata"]
    if not quotable:
        meta["sq"] = f"pre {value} post"  # a control character cannot stand in '...': see the test below
    assert meta == {"whole": value, "dq": f"pre {value} post", "sq": f"pre {value} post", "listed": [value, "x"],
                    "flow": {"k": value}, "deliberate": value}


def test_a_line_break_reads_back_in_double_quotes_and_is_an_error_in_single_quotes():
    meta = _render(BODY.replace("      sq: 'pre {{ v }} post'\n", ""), v="two\nlines")["assets"]["a"]["metadata"]
    assert meta["whole"] == meta["flow"]["k"] == "two\nlines" and meta["dq"] == "pre two\nlines post"
    with pytest.raises(SpecErrors) as err:
        _render(BODY, v="two\nlines")
    assert str(err.value) == ('t.yaml.j2:7:16: error: "two\\nlines" has a line break or control character and cannot stand inside '
                              "'...' (use a double-quoted scalar: \"{{ ... }}\")")


def test_values_of_other_types_are_yaml_nodes():
    values = {"n": 3, "x": 0.25, "flag": True, "none": None, "items": ["a b", 1, False], "m": {"k": "v: w"}}
    body = "assets:\n  a:\n    fn: m:f\n    metadata: {" + ", ".join(f"{k}: {{{{ {k} }}}}" for k in values) + "}\n"
    assert _render(body, **values)["assets"]["a"]["metadata"] == values


def test_a_value_inside_a_plain_scalar_must_be_plain():
    body = "assets:\n  raw_{{ table }}:\n    fn: m:f\n"
    assert list(_render(body, table="orders_2024")["assets"]) == ["raw_orders_2024"]
    with pytest.raises(SpecErrors) as err:
        _render(body, table="a: b")
    assert str(err.value) == ('t.yaml.j2:2:7: error: "a: b" cannot stand unquoted inside a plain scalar: it would '
                              'change what the YAML means (quote the whole scalar: "raw_{{ x }}")')


def test_contexts_are_decided_from_the_line():
    assert add_context_filters('a: {{ x }}\nb: "{{ y }}"\nc: raw_{{ z }}\nd: {{ w | tojson }}') == (
        "a: {{ (x) | _yaml_value }}\nb: \"{{ (y) | _yaml_dq }}\"\nc: raw_{{ (z) | _yaml_plain }}\n"
        "d: {{ w | tojson }}")


def test_yaml_reads_the_rendered_text_the_same_way():
    text, _ = render_template("x: {{ v }}\n", "t.yaml.j2", {"v": "on"}, typed=True)
    assert yaml.safe_load(text) == {"x": "on"}
