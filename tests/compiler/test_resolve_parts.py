"""Resolving resources and executors: their config is checked at compile time, each problem
at its key."""

from __future__ import annotations

import subprocess
import sys

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


@pytest.mark.parametrize("delay, message", [
    (".nan", "retry delay must be a finite number of seconds, not nan"),
    (".inf", "inf is greater than the maximum of 86400"),  # the schema's bound finds it first
])
def test_retry_delay_that_is_not_finite_is_a_compile_error(tmp_path, delay, message):
    (tmp_path / "resolve_parts_funcs.py").write_text("def a():\n    return 1\n")
    spec = tmp_path / "p.yaml"
    spec.write_text(f"specrun: 1\nname: t\nmodule: resolve_parts_funcs\nassets:\n  a: {{fn: a, retry: {{delay: {delay}}}}}\n")
    with pytest.raises(SpecErrors) as caught:
        compile_spec(str(spec))
    [error] = caught.value.errors
    assert (error.location.line, error.location.col) == (5, 29)
    assert error.message == message


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


WAREHOUSE = '''
from specrun import ConfigurableResource

BUILT = []


class Warehouse:
    def __init__(self, dsn, timeout=5):
        BUILT.append(dsn)
        raise ConnectionError("no warehouse at " + dsn)


class Pool(ConfigurableResource):
    dsn: str
    size: int = 1

    def setup_for_execution(self, context):
        BUILT.append("pool")


def a(context):
    return 1
'''


def _warehouse_spec(tmp_path, resources: str):
    sys.modules.pop("resolve_parts_wh", None)  # each test imports its own copy, with BUILT empty
    (tmp_path / "resolve_parts_wh.py").write_text(WAREHOUSE)
    spec = tmp_path / "p.yaml"
    spec.write_text("specrun: 1\nname: t\nmodule: resolve_parts_wh\nresources:\n" + resources +
                    "assets:\n  a: {fn: a, resources: [wh, pool]}\n")
    return str(spec)


def test_validate_does_not_construct_resource_classes(tmp_path):
    # was: Warehouse(dsn=...) ran at compile time, so validate raised its ConnectionError
    spec = _warehouse_spec(tmp_path, '  wh: {type: "resolve_parts_wh:Warehouse", config: {dsn: db}}\n'
                                     '  pool: {type: "resolve_parts_wh:Pool", config: {dsn: db}}\n')
    compile_spec(spec)
    assert sys.modules["resolve_parts_wh"].BUILT == []


def test_resource_class_is_built_when_a_run_needs_it(tmp_path):
    spec = _warehouse_spec(tmp_path, '  wh: {type: "resolve_parts_wh:Warehouse", config: {dsn: db}}\n'
                                     '  pool: {type: "resolve_parts_wh:Pool", config: {dsn: db}}\n')
    from specrun.runtime.resources import build_resources

    defs = compile_spec(spec).definitions
    with build_resources({"pool": defs.resources["pool"]}) as built:
        assert (built.pool.dsn, sys.modules["resolve_parts_wh"].BUILT) == ("db", ["pool"])
    with pytest.raises(ConnectionError, match="no warehouse at db"):
        with build_resources({"wh": defs.resources["wh"]}):
            pass


@pytest.mark.parametrize("resources, line, col, message, hint", [
    ('  wh: {type: "resolve_parts_wh:Warehouse", config: {dns: db}}\n'
     '  pool: {type: "resolve_parts_wh:Pool", config: {dsn: db}}\n', 5, 53,
     "unknown config key 'dns'", "did you mean 'dsn'?"),
    ('  wh: {type: "resolve_parts_wh:Warehouse", config: {dsn: db}}\n'
     '  pool: {type: "resolve_parts_wh:Pool", config: {dsn: db, sise: 2}}\n', 6, 59,
     "unknown config key 'sise'", "did you mean 'size'?"),
    ('  wh: {type: "resolve_parts_wh:Warehouse", config: {dsn: db}}\n'
     '  pool: {type: "resolve_parts_wh:Pool", config: {dsn: db, colour: red}}\n', 6, 59,
     "unknown config key 'colour'", "resolve_parts_wh:Pool takes dsn, size"),
    ('  wh: {type: "resolve_parts_wh:Warehouse"}\n'
     '  pool: {type: "resolve_parts_wh:Pool", config: {dsn: db}}\n', 5, 8,
     "resource 'wh' (resolve_parts_wh:Warehouse) needs config 'dsn'", "write config: {dsn: ...}"),
])
def test_resource_class_config_is_checked_at_its_key_without_building_it(tmp_path, resources, line, col,
                                                                         message, hint):
    [error] = _errors_of(_warehouse_spec(tmp_path, resources))
    assert (error.location.line, error.location.col, error.message, error.hint) == (line, col, message, hint)


def _errors_of(spec: str):
    with pytest.raises(SpecErrors) as caught:
        compile_spec(spec)
    return caught.value.errors


@pytest.mark.parametrize("value", ["-1", "0", "soon", "4e7", ".nan"])
def test_a_bad_step_timeout_is_a_compile_error_at_its_line(tmp_path, value):
    (tmp_path / "resolve_parts_funcs.py").write_text("def a():\n    return 1\n")
    spec = tmp_path / "p.yaml"
    spec.write_text("specrun: 1\nname: t\nmodule: resolve_parts_funcs\nassets:\n"
                    f"  a: {{fn: a, timeout: {value}}}\nops:\n  o: {{fn: a, timeout: {value}}}\n")
    with pytest.raises(SpecErrors) as caught:
        compile_spec(str(spec))
    where = sorted((e.location.line, e.location.col, e.pointer) for e in caught.value.errors)
    assert where == [(5, 23, "/assets/a/timeout"), (7, 23, "/ops/o/timeout")]


def test_a_step_timeout_becomes_the_op_tag_each_executor_reads(tmp_path):
    from specrun.runtime.timeouts import STEP_TIMEOUT_TAG, step_timeout

    (tmp_path / "resolve_parts_funcs.py").write_text("def a():\n    return 1\n")
    spec = tmp_path / "p.yaml"
    spec.write_text("specrun: 1\nname: t\nmodule: resolve_parts_funcs\nassets:\n"
                    "  a: {fn: a, timeout: 2.5}\nops:\n  o: {fn: a, timeout: 30}\n")
    compiled = compile_spec(str(spec))
    defs = compiled.definitions
    [node] = [n for n in defs.get_implicit_global_asset_job_def().nodes.values() if n.name == "a"]
    assert step_timeout(node) == 2.5
    assert node.op_def.tags[STEP_TIMEOUT_TAG] == "2.5"


def _imported_by_compile(tmp_path, base_dir: str) -> list[str]:
    (tmp_path / "resolve_parts_funcs.py").write_text("def a():\n    return 1\n")
    (tmp_path / "p.yaml").write_text("specrun: 1\nname: t\nmodule: resolve_parts_funcs\nassets:\n  a: {fn: a}\n"
                                     f"resources:\n  io_manager: {{type: fs, config: {{base_dir: '{base_dir}'}}}}\n")
    code = ("import sys; from specrun.compiler import compile_spec; "
            "c = compile_spec('p.yaml'); print(c.run_config['resources']['io_manager']['config']['base_dir']); "
            "print(sorted(m for m in sys.modules if m.startswith('specrun.runtime.upath_io')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_an_fs_io_manager_writing_to_a_local_folder_compiles_without_the_object_store_package(tmp_path):
    assert _imported_by_compile(tmp_path, "out") == [str(tmp_path / "out"), "[]"]
    assert _imported_by_compile(tmp_path, "s3://bucket/prefix")[0] == "s3://bucket/prefix"
