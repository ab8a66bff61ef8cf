"""Only `apply` runs user code: validate, plan, graph, status and render call no function of
the spec and build no resource; `validate --static` does not even import the spec's modules."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import specrun_cmd

MODULE = '''\
import os

HERE = os.path.dirname(os.path.abspath(__file__))
if os.environ.get("MARK_IMPORT"):
    open(os.path.join(HERE, "imported.mark"), "w").close()


def _mark(name):
    open(os.path.join(HERE, name + ".mark"), "w").close()


class Store:
    def __init__(self):
        _mark("resource-built")

    def handle_output(self, context, obj):
        pass

    def load_input(self, context):
        return 1


def source():
    _mark("asset-called")
    return 1


def doubled(source):
    return source * 2
'''

SPEC = ("specrun: 1\nname: fx\nmodule: fx\n"
        "resources:\n  io_manager: {type: 'fx:Store'}\n"
        "assets:\n  source: {fn: source}\n  doubled: {fn: doubled}\n")


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "fx.py").write_text(MODULE)
    (tmp_path / "fx.yaml").write_text(SPEC)
    return tmp_path


def _marks(folder) -> list[str]:
    return sorted(p.name for p in folder.glob("*.mark"))


@pytest.mark.parametrize("command", [("validate",), ("plan",), ("graph",), ("status",),
                                     ("render",), ("validate", "--static")])
def test_commands_other_than_apply_call_no_user_code_and_build_no_resource(folder, command):
    done = specrun_cmd(*command, "fx.yaml", cwd=folder)
    assert done.returncode == 0, done.stdout + done.stderr
    assert _marks(folder) == []


def test_apply_is_what_calls_the_code_and_builds_the_resource(folder):
    done = specrun_cmd("apply", "fx.yaml", cwd=folder)
    assert done.returncode == 0, done.stdout + done.stderr
    assert _marks(folder) == ["asset-called.mark", "resource-built.mark"]


def test_validate_static_imports_nothing_while_validate_imports_the_module(folder):
    static = specrun_cmd("validate", "--static", "fx.yaml", cwd=folder, env={"MARK_IMPORT": "1"})
    assert static.returncode == 0 and "nothing imported" in static.stdout
    assert _marks(folder) == []
    full = specrun_cmd("validate", "fx.yaml", cwd=folder, env={"MARK_IMPORT": "1"})
    assert full.returncode == 0 and _marks(folder) == ["imported.mark"]


BAD = ("specrun: 1\nname: bad\nmodule: fx\n"
       "resources:\n  io_manager: {type: 'os:system', config: {command: 'touch pwned.mark'}}\n"
       "assets:\n  source: {fn: 'os:getpid'}\n  doubled: {fn: doubled, ins: {valu: source}}\n"
       "  gone: {fn: 'nomodule:f'}\n  typo: {fn: doubld}\n")


@pytest.mark.parametrize("static", [False, True])
def test_a_standard_library_callable_is_refused_as_resource_or_step(folder, static):
    (folder / "bad.yaml").write_text(BAD)
    done = specrun_cmd("validate", *(["--static"] if static else []), "bad.yaml", cwd=folder)
    assert done.returncode == 1
    assert "bad.yaml:5:22: error: 'os:system' is " in done.stderr
    assert "of Python's standard library, not a resource" in done.stderr
    assert "bad.yaml:7:16: error: 'os:getpid' is " in done.stderr
    assert "ins: 'doubled' has no parameter 'valu'" in done.stderr
    assert "module 'nomodule' not found" in done.stderr
    assert "'fx' has no attribute 'doubld'" in done.stderr and "did you mean 'doubled'?" in done.stderr
    plan = specrun_cmd("plan", "bad.yaml", cwd=folder)
    assert plan.returncode == 1 and _marks(folder) == []


def test_validate_static_finds_a_parameter_no_asset_provides(folder):
    (folder / "fx.py").write_text(MODULE + "\n\ndef tripled(sorce):\n    return sorce * 3\n")
    (folder / "fx.yaml").write_text(SPEC + "  tripled: {fn: tripled}\n")
    done = specrun_cmd("validate", "--static", "fx.yaml", cwd=folder)
    assert done.returncode == 1
    assert "fx.yaml:9:17: error: parameter 'sorce' of 'tripled' is not provided" in done.stderr
    assert "did you mean 'source'?" in done.stderr
