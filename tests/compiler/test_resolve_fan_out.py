"""Dynamic fan-out in a spec's op jobs: `outs: {result: {dynamic: true}}`, `{map: node}`,
`{collect: node}`, and the errors for reading a fan-out the wrong way."""

from __future__ import annotations

import pytest

from specrun.compiler import compile_spec
from specrun.errors import SpecErrors
from specrun.runtime.api import execute_run

FUNCS = '''
from specrun import DynamicOutput

def split():
    for key in ("x", "y"):
        yield DynamicOutput(len(key) * 10, mapping_key=key)

def double(context, value):
    return value * 2

def add(value, other):
    return value + other

def ten():
    return 10

def listed(values):
    return values
'''

OPS = """ops:
  split: {fn: split, outs: {result: {dynamic: true}}}
  double: {fn: double}
  add: {fn: add}
  ten: {fn: ten}
  listed: {fn: listed}
"""


def _spec(tmp_path, job: str) -> str:
    (tmp_path / "fan_funcs.py").write_text(FUNCS)
    path = tmp_path / "p.yaml"
    path.write_text(f"specrun: 1\nname: t\nmodule: fan_funcs\n{OPS}jobs:\n  fan:\n    ops:\n{job}")
    return str(path)


def _errors(path: str) -> list:
    with pytest.raises(SpecErrors) as caught:
        compile_spec(path)
    return caught.value.errors


def test_map_chains_and_collect_gathers_the_mapped_values(tmp_path):
    path = _spec(tmp_path, "      s: {op: split}\n"
                           "      d: {op: double, ins: {value: {map: s}}}\n"
                           "      t: {op: ten}\n"
                           "      a: {op: add, ins: {value: {map: d}, other: t}}\n"
                           "      l: {op: listed, ins: {values: {collect: a}}}\n")
    job = compile_spec(path).definitions.get_job_def("fan")
    result = execute_run(job)
    assert result.output_for_node("l") == [30, 30]
    assert result.output_for_node("a") == {"x": 30, "y": 30}


def test_reading_a_dynamic_output_without_map_or_collect_is_an_error_at_the_input(tmp_path):
    [error] = _errors(_spec(tmp_path, "      s: {op: split}\n"
                                      "      d: {op: double, ins: {value: s}}\n"))
    assert error.message == "input 'value' of node 'd' reads the dynamic output s.result directly"
    assert (error.location.line, error.location.col) == (14, 36)
    assert error.hint == ("write {map: s} to run 'd' once per value, or {collect: s} to get the "
                          "list of values")


def test_map_over_an_output_that_is_not_dynamic_is_an_error_naming_the_op(tmp_path):
    [error] = _errors(_spec(tmp_path, "      t: {op: ten}\n"
                                      "      d: {op: double, ins: {value: {map: t}}}\n"))
    assert error.message == ("input 'value' of node 'd' can only map a dynamic output, and "
                             "t.result is not one")
    assert error.hint == ("declare it on op 'ten' with outs: {result: {dynamic: true}}, or read "
                          "it with value: t")
    assert error.location.line == 14


def test_map_over_an_unknown_node_says_which_nodes_there_are(tmp_path):
    [error] = _errors(_spec(tmp_path, "      s: {op: split}\n"
                                      "      d: {op: double, ins: {value: {map: sp}}}\n"))
    assert error.message == "no node named 'sp' in this job"
    assert error.hint == "did you mean 's'?"
    assert (error.location.line, error.location.col) == (14, 42)


def test_a_fan_in_list_or_a_plain_read_of_a_mapped_output_is_an_error(tmp_path):
    [error] = _errors(_spec(tmp_path, "      s: {op: split}\n"
                                      "      d: {op: double, ins: {value: {map: s}}}\n"
                                      "      l: {op: listed, ins: {values: [d]}}\n"))
    assert error.message == "input 'values' of node 'l' reads the output d.result of a node mapped over s directly"
    assert error.location.line == 15


def test_both_map_and_collect_in_one_input_is_refused_by_the_schema(tmp_path):
    errors = _errors(_spec(tmp_path, "      s: {op: split}\n"
                                     "      d: {op: double, ins: {value: {map: s, collect: s}}}\n"))
    assert [(e.message, e.location.line) for e in errors] == [
        ("unknown key 'collect' in jobs/fan/ops/d/ins/value", 14)]
