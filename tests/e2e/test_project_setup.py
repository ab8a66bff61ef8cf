"""Starting a project: `python -m specrun`, `specrun init`, two specs in one folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from .conftest import specrun_cmd

pytestmark = pytest.mark.slow


def test_python_dash_m_specrun_is_the_specrun_command(tmp_path):
    out = subprocess.run([sys.executable, "-m", "specrun", "--version"], capture_output=True, text=True,
                         cwd=tmp_path)
    assert out.returncode == 0 and out.stdout.startswith("specrun, version ")
    helped = subprocess.run([sys.executable, "-m", "specrun", "--help"], capture_output=True, text=True)
    assert "Usage: specrun " in helped.stdout


def test_init_schema_line_names_a_file_inside_the_project_that_survives_a_clone(tmp_path):
    target = tmp_path / "starter"
    assert specrun_cmd("init", str(target)).returncode == 0
    first = (target / "pipeline.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=specrun.schema.json"
    clone = tmp_path / "elsewhere" / "clone"
    shutil.copytree(target, clone)  # what a clone elsewhere (and a new virtualenv) sees
    schema = json.loads((clone / "specrun.schema.json").read_text())
    assert schema == json.loads(specrun_cmd("schema").stdout)
    assert (clone / ".gitignore").read_text().splitlines()[-1] == ".specrun/"
    assert specrun_cmd("apply", "pipeline.yaml", cwd=clone).returncode == 0


def test_init_adds_specrun_to_an_existing_gitignore_once(tmp_path):
    (tmp_path / ".gitignore").write_text("*.pyc\n")
    assert specrun_cmd("init", str(tmp_path)).returncode == 0
    assert (tmp_path / ".gitignore").read_text().split() == ["*.pyc", "#", "specrun's", "run", "history",
                                                             "and", "stored", "outputs", "(`specrun",
                                                             "apply`", "recreates", "them)", ".specrun/"]


SPEC = "specrun: 1\nname: {name}\nmodule: fns\nassets:\n  {name}_asset: {{fn: one}}\n"


def test_two_specs_in_one_folder_do_not_mix_their_runs(tmp_path):
    (tmp_path / "fns.py").write_text("def one():\n    return 1\n")
    for name in ("first", "second"):
        (tmp_path / f"{name}.yaml").write_text(SPEC.format(name=name))
        assert specrun_cmd("apply", f"{name}.yaml", cwd=tmp_path).returncode == 0
    assert specrun_cmd("apply", "first.yaml", "--force", cwd=tmp_path).returncode == 0
    first = json.loads(specrun_cmd("runs", "--spec", "first.yaml", "--format", "json", cwd=tmp_path).stdout)
    second = json.loads(specrun_cmd("runs", "--spec", "second.yaml", "--format", "json", cwd=tmp_path).stdout)
    assert [r["job"] for r in first["runs"]] == ["first", "first"]
    assert [r["job"] for r in second["runs"]] == ["second"]
    assert os.path.exists(tmp_path / ".specrun" / "specrun.db")  # one store, two histories
