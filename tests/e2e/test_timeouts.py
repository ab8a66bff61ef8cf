"""Time limits from the command line: `timeout:` of an asset in a spec, `apply --timeout`,
on steps that really hang."""

from __future__ import annotations

import json

import pytest

from .conftest import specrun_cmd

pytestmark = pytest.mark.slow

MODULE = '''\
import time


def hang():
    time.sleep(120)
    return 1


def after_hang(hang):
    return hang + 1


def other():
    return 2
'''


def _project(tmp_path, executor: str, hang: str):
    (tmp_path / "tl.py").write_text(MODULE)
    (tmp_path / "tl.yaml").write_text(
        f"specrun: 1\nname: tl\nmodule: tl\nexecutor: {{type: {executor}}}\n"
        "resources:\n  io_manager: {type: fs, config: {base_dir: .specrun/storage}}\n"
        f"assets:\n  hang: {hang}\n  after_hang: {{fn: after_hang}}\n  other: {{fn: other}}\n")
    return tmp_path


def _runs(folder) -> list[dict]:
    done = specrun_cmd("runs", "--spec", "tl.yaml", "--format", "json", cwd=folder)
    return json.loads(done.stdout)["runs"]


@pytest.mark.parametrize("executor", ["in_process", "multiprocess"])
def test_a_step_past_its_spec_timeout_fails_downstream_is_skipped_and_other_branches_run(tmp_path, executor):
    folder = _project(tmp_path, executor, "{fn: hang, timeout: 1}")
    done = specrun_cmd("apply", "tl.yaml", cwd=folder)
    assert done.returncode == 1
    assert ('step \'hang\' failed: step "hang" timed out: it ran longer than its time limit of 1 s '
            "(specrun/timeout)") in done.stderr
    assert "after_hang: upstream hang failed" in done.stderr
    assert "1 ok, 1 failed, 1 skipped" in done.stdout


@pytest.mark.parametrize("executor", ["in_process", "multiprocess"])
def test_apply_timeout_stops_the_run_and_records_it_as_failed_with_the_reason(tmp_path, executor):
    folder = _project(tmp_path, executor, "{fn: hang}")
    done = specrun_cmd("apply", "tl.yaml", "--timeout", "1.5", cwd=folder)
    assert done.returncode == 1
    reason = ("the run ran longer than its time limit of 1.5 s (dagster/max_runtime); "
              "the steps still running were stopped")
    assert f"run failed: {reason}" in done.stderr
    [run] = _runs(folder)
    assert run["status"] == "FAILURE"
    # Re-executing the run keeps its limit (the step still hangs).
    again = specrun_cmd("reexecute", run["run_id"], "--from-failure", "--spec", "tl.yaml", cwd=folder)
    assert again.returncode == 1 and f"run failed: {reason}" in again.stderr


@pytest.mark.parametrize("value", ["-1", "0", "nan", "soon", "1e9"])
def test_a_bad_apply_timeout_is_one_clear_line(tmp_path, value):
    folder = _project(tmp_path, "in_process", "{fn: hang}")
    done = specrun_cmd("apply", "tl.yaml", "--timeout", value, cwd=folder)
    assert done.returncode == 2
    assert "Error: Invalid value for '--timeout'" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_step_timeout_on_dask_is_refused_before_the_run(tmp_path):
    pytest.importorskip("distributed")
    folder = _project(tmp_path, "dask", "{fn: hang, timeout: 1}")
    done = specrun_cmd("apply", "tl.yaml", cwd=folder)
    assert done.returncode == 1
    assert done.stderr.strip() == ("error: hang has a time limit (timeout), but the dask executor does "
                                   "not enforce step time limits: use the multiprocess executor")
    assert _runs(folder) == []
