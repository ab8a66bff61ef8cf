"""A `--var` whose name looks secret is not stored with the run's replay options (nor shown in
the resume command); `reexecute` asks for it again by name."""

from __future__ import annotations

import sqlite3

import pytest

from .conftest import specrun_cmd

pytestmark = pytest.mark.slow

SPEC = """specrun: 1
name: sv-{{ region }}
vars: {db_password: "", region: eu}
module: svm
assets:
  a: {fn: {% if db_password == "hunter2" %}a{% else %}wrong{% endif %}}
  b: {fn: b}
"""

MODULE = '''\
import os


def a():
    return 1


def wrong():
    raise RuntimeError("the password was not given")


def b(a):
    if os.path.exists(os.path.join(os.path.dirname(__file__), "fail")):
        raise RuntimeError("b fails")
    return a + 1
'''


def test_a_secret_var_is_stored_by_name_only_and_asked_for_on_reexecute(tmp_path):
    (tmp_path / "sv.yaml.j2").write_text(SPEC)
    (tmp_path / "svm.py").write_text(MODULE)
    (tmp_path / "fail").write_text("")
    failed = specrun_cmd("apply", "sv.yaml.j2", "--var", "db_password=hunter2", "--var", "region=eu", cwd=tmp_path)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "hunter2" not in failed.stdout + failed.stderr
    assert "--var 'db_password=<secret: not stored>' --var region=eu" in failed.stderr
    with sqlite3.connect(tmp_path / ".specrun" / "specrun.db") as conn:
        stored = "".join(str(row) for row in conn.execute("SELECT tags FROM runs"))
    assert "hunter2" not in stored and "region=eu" in stored
    run_id = failed.stderr.split("specrun reexecute ")[1].split()[0]
    (tmp_path / "fail").unlink()
    asked = specrun_cmd("reexecute", run_id, "--from-failure", "--spec", "sv.yaml.j2", "--var", "region=eu", cwd=tmp_path)
    assert asked.returncode == 1
    assert (f"run {run_id} was given the secret variable(s) db_password, which are not stored: give them "
            f"again: specrun reexecute {run_id} --var db_password=...") in asked.stderr
    again = specrun_cmd("reexecute", run_id, "--from-failure", "--spec", "sv.yaml.j2",
                        "--var", "region=eu", "--var", "db_password=hunter2", cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
