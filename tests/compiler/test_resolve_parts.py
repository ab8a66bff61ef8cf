"""Resolving resources and executors: their config is checked at compile time, each problem
at its key."""

from __future__ import annotations

import pytest

from specrun.compiler import compile_spec
from specrun.errors import SpecErrors


def _errors(tmp_path, body: str):
    (tmp_path / "resolve_parts_funcs.py").write_text("def a():\n    return 1\n")
    spec = tmp_path / "p.yaml"
    spec.write_text("specrun: 1\nname: t\nmodule: resolve_parts_funcs\nassets:\n  a: {fn: a}\n" + body)
    with pytest.raises(SpecErrors) as caught:
        compile_spec(str(spec))
    return caught.value.errors


@pytest.mark.parametrize("body, line, col, message, hint", [
    ("resources:\n  io_manager: {type: fs, config: {base_dri: x}}\n", 7, 35,
     "unknown config key 'base_dri'", "did you mean 'base_dir'?"),
    # was "join() argument must be str, bytes, or os.PathLike object, not 'int'"
    ("resources:\n  io_manager: {type: fs, config: {base_dir: 5}}\n", 7, 45,
     "config: Value 5 is not valid: expected String, got int", None),
    ("executor: {type: multiprocess, config: {max_concurent: 2}}\n", 6, 41,
     "unknown config key 'max_concurent'", "did you mean 'max_concurrent'?"),
    ("executor: {type: multiprocess, config: {max_concurrent: x}}\n", 6, 57,
     "config: Value 'x' is not valid: expected Int, got str", None),
    ("jobs:\n  j: {selection: a, executor: {type: multiprocess, config: {max_concurent: 2}}}\n", 7, 61,
     "unknown config key 'max_concurent'", "did you mean 'max_concurrent'?"),
])
def test_bad_resource_or_executor_config_is_a_compile_error_at_its_key(tmp_path, body, line, col, message, hint):
    [error] = _errors(tmp_path, body)
    assert (error.location.file.endswith("p.yaml"), error.location.line, error.location.col) == (True, line, col)
    assert error.message == message
    assert error.hint == hint


@pytest.mark.parametrize("delay", [".nan", ".inf"])
def test_retry_delay_that_is_not_finite_is_a_compile_error(tmp_path, delay):
    (tmp_path / "resolve_parts_funcs.py").write_text("def a():\n    return 1\n")
    spec = tmp_path / "p.yaml"
    spec.write_text(f"specrun: 1\nname: t\nmodule: resolve_parts_funcs\nassets:\n  a: {{fn: a, retry: {{delay: {delay}}}}}\n")
    with pytest.raises(SpecErrors) as caught:
        compile_spec(str(spec))
    [error] = caught.value.errors
    assert (error.location.line, error.location.col) == (5, 29)
    assert error.message == f"retry delay must be a finite number of seconds, not {delay[1:]}"


OPS = ("ops:\n  fetch: {fn: fetch}\n  clean: {fn: clean}\n")


def _op_job_errors(tmp_path, jobs: str):
    (tmp_path / "resolve_parts_ops.py").write_text("def fetch():\n    return [1]\n\n\ndef clean(orders):\n    return orders\n")
    spec = tmp_path / "p.yaml"
    spec.write_text("specrun: 1\nname: t\nmodule: resolve_parts_ops\n" + OPS + jobs)
    try:
        compile_spec(str(spec))
    except SpecErrors as e:
        return e.errors
    return []


def test_unconnected_op_input_is_an_error_at_its_node(tmp_path):
    # was accepted, then plan failed: 'Missing required config entry "ops" at path root'
    [error] = _op_job_errors(tmp_path, "jobs:\n  j:\n    ops:\n      c: {op: clean}\n")
    assert error.message == "input 'orders' of 'c' (op 'clean') is not connected"
    assert (error.location.line, error.location.col) == (10, 7)
    assert error.hint.startswith("wire it with ins: {orders: <node>}")


@pytest.mark.parametrize("config", ["    config: {ops: {c: {inputs: {orders: [1]}}}}\n",
                                    "run_config: {ops: {c: {inputs: {orders: [1]}}}}\n"])
def test_op_input_given_in_config_needs_no_wire(tmp_path, config):
    assert _op_job_errors(tmp_path, "jobs:\n  j:\n    ops:\n      c: {op: clean}\n" + config) == []


def test_job_with_both_selection_and_ops_is_an_error(tmp_path):
    errors = _op_job_errors(tmp_path, "jobs:\n  j:\n    selection: '*'\n    ops:\n      f: {op: fetch}\n")
    assert [(e.message, e.location.line, e.location.col) for e in errors] == [
        ("job 'j' has both selection: and ops:", 9, 5)]


def test_cycle_between_op_nodes_points_at_a_node(tmp_path):
    [error] = _op_job_errors(tmp_path, "jobs:\n  j:\n    ops:\n      c1: {op: clean, ins: {orders: c2}}\n"
                                       "      c2: {op: clean, ins: {orders: c1}}\n")
    assert error.message == "dependency cycle: op:j.c1 -> op:j.c2 -> op:j.c1"
    assert (error.location.line, error.location.col) == (10, 11)
