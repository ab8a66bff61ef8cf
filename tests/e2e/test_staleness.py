"""`plan` after edits, end to end: what changed is named (helper code, constants, config keys)."""

from __future__ import annotations

import re
import textwrap

import pytest

from .conftest import specrun_cmd

pytestmark = pytest.mark.slow

SPEC = """\
specrun: 1
name: edits
module: steps
resources:
  io_manager: {type: fs, config: {base_dir: .specrun/storage}}
assets:
  source: {fn: source, config: {rows: 20, api_token: s3cret}}
  kept: {fn: kept, ins: {up: source}}
  pinned: {fn: pinned, ins: {up: source}, code_version: "1"}
"""

STEPS = '''\
LIMIT = 100

def source(config):
    return list(range(config["rows"]))

def _keep(x):
    return x % 3 == 0

def kept(up):
    """Rows we keep."""
    return [x for x in up if _keep(x)][:LIMIT]

def pinned(up):
    return len(up)
'''


@pytest.fixture
def edits(tmp_path):
    (tmp_path / "pipeline.yaml").write_text(SPEC)
    (tmp_path / "steps.py").write_text(STEPS)
    done = specrun_cmd("apply", "pipeline.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return tmp_path


def _reasons(folder) -> dict[str, str]:
    out = specrun_cmd("plan", "pipeline.yaml", "--format", "json", cwd=folder)
    assert out.returncode == 0, out.stderr
    import json

    return {s["step"]: s["reason"] for s in json.loads(out.stdout)["steps"] if s["run"]}


def _edit(path, old, new):
    path.write_text(path.read_text().replace(old, new))


def test_editing_a_helper_names_it_and_the_function_that_calls_it(edits):
    _edit(edits / "steps.py", "x % 3 == 0", "x % 4 == 0")
    assert _reasons(edits) == {"kept": "code changed: _keep (called by kept) changed"}


def test_a_module_constant_read_by_the_function_makes_it_stale(edits):
    _edit(edits / "steps.py", "LIMIT = 100", "LIMIT = 5")
    assert _reasons(edits) == {"kept": "code changed: LIMIT (read by kept) changed"}


def test_comments_docstrings_and_formatting_leave_everything_up_to_date(edits):
    _edit(edits / "steps.py", '"""Rows we keep."""', '"""The rows we keep."""  # and why')
    _edit(edits / "steps.py", "return x % 3 == 0", "return (x % 3\n            == 0)")
    assert _reasons(edits) == {}


def test_an_explicit_code_version_wins_over_the_code(edits):
    _edit(edits / "steps.py", "return len(up)", "return len(up) + 1")
    assert _reasons(edits) == {}
    _edit(edits / "pipeline.yaml", 'code_version: "1"', 'code_version: "2"')
    assert _reasons(edits)["pinned"] == "code changed: code_version 1 -> 2"


def test_a_config_change_names_the_key_and_both_values_and_masks_secrets(edits):
    _edit(edits / "pipeline.yaml", "rows: 20, api_token: s3cret", "rows: 25, api_token: other")
    plan = specrun_cmd("plan", "pipeline.yaml", cwd=edits)
    assert re.search(r"source.*config changed: api_token changed \(secret\), rows 20 -> 25", plan.stdout)
    assert "s3cret" not in plan.stdout and "other" not in plan.stdout
