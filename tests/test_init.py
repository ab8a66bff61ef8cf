"""specrun/__init__.py: the lazy public API, and the static types users' checkers see."""

from __future__ import annotations

import ast
import importlib.util
import os
import subprocess
import sys
import textwrap

import pytest

import specrun

INIT = specrun.__file__


def _type_checking_imports() -> dict[str, str]:
    """name -> module of the `from X import name as name` lines under `if TYPE_CHECKING:`."""
    tree = ast.parse(open(INIT, encoding="utf-8").read())
    block = next(n for n in tree.body if isinstance(n, ast.If) and getattr(n.test, "id", "") == "TYPE_CHECKING")
    found = {}
    for node in block.body:
        assert isinstance(node, ast.ImportFrom) and node.level == 1
        for alias in node.names:
            assert alias.asname == alias.name  # `x as x`: a re-export, for mypy's implicit-reexport rule
            found[alias.name] = f"specrun.{node.module}"
    return found


def test_every_lazy_export_is_also_imported_for_type_checkers_from_the_same_module():
    assert _type_checking_imports() == specrun._EXPORTS


USER_MODULE = '''\
from specrun import AssetKey, Definitions, ExecutionResult, asset, load_spec, materialize


@asset
def numbers() -> list[int]:
    return [1, 2, 3]


result: ExecutionResult = materialize([numbers])
succeeded: bool = result.success
defs: Definitions = load_spec("pipeline.yaml")
wrong_key: int = AssetKey("a")
wrong_result: str = materialize([numbers])
wrong_success: str = result.success
wrong_defs: int = load_spec("pipeline.yaml")
'''


@pytest.mark.slow
def test_mypy_sees_real_types_for_the_public_api(tmp_path):
    if importlib.util.find_spec("mypy") is None:  # `python -m mypy` is what runs: PATH does not matter
        pytest.skip(f"mypy is not installed for {sys.executable} (pip install -e '.[test]')")
    (tmp_path / "user_pipeline.py").write_text(USER_MODULE)
    env = {**os.environ, "MYPYPATH": os.path.dirname(os.path.dirname(INIT))}  # the specrun under test
    out = subprocess.run([sys.executable, "-m", "mypy", "--follow-imports=silent", "--no-error-summary",
                          "--cache-dir", str(tmp_path / ".mypy_cache"), "user_pipeline.py"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    lines = [line.split(": error: ", 1) for line in out.stdout.splitlines() if ": error: " in line]
    assert [(where, message.split("  [")[0]) for where, message in lines] == [
        ("user_pipeline.py:12", 'Incompatible types in assignment (expression has type "AssetKey", '
                                'variable has type "int")'),
        ("user_pipeline.py:13", 'Incompatible types in assignment (expression has type "ExecutionResult", '
                                'variable has type "str")'),
        ("user_pipeline.py:14", 'Incompatible types in assignment (expression has type "bool", '
                                'variable has type "str")'),
        ("user_pipeline.py:15", 'Incompatible types in assignment (expression has type "Definitions", '
                                'variable has type "int")'),
    ], out.stdout + out.stderr


def test_load_spec_jobs_carry_the_specs_run_config(example):
    folder = example("quickstart")
    defs = specrun.load_spec(str(folder / "pipeline.yaml"))
    job = defs.get_implicit_global_asset_job_def()
    cwd = os.getcwd()
    os.chdir(folder)  # the spec's fs IO manager writes under .specrun/ beside it
    try:
        result = job.execute_in_process()
    finally:
        os.chdir(cwd)
    assert result.success
    assert result.output_for_node("order_summary")["orders"] == 18  # rows: 20 in the spec, 2 dropped
    assert textwrap.dedent(specrun.compile_spec.__doc__ or "").strip()
