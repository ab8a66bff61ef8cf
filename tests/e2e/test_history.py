"""`specrun runs`, `logs`, `status` and `reexecute` end to end, on copies of spec folders."""

from __future__ import annotations

import os
import re
import shutil

import pytest

from .conftest import ROOT, specrun_cmd, stored_value

pytestmark = pytest.mark.slow

CHAIN = '''
import os


def a() -> int:
    return 1


def b(a: int) -> int:
    if os.environ.get("FAIL_B"):
        raise RuntimeError("b fails on purpose")
    return a + 10


def c(b: int) -> int:
    return b * 2


def x() -> int:
    return 5


def y(x: int) -> int:
    return x + 1


def z() -> int:
    return 7
'''

CHAIN_SPEC = ("specrun: 1\nname: chain\nmodule: chain\n"
              "resources:\n  io_manager: {type: fs, config: {base_dir: .specrun/storage}}\n"
              "assets:\n" + "".join(f"  {name}: {{fn: {name}}}\n" for name in "abcxyz"))


def _run_ids(text: str) -> list[str]:
    return re.findall(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", text)


def _steps_run(stdout: str) -> list[str]:
    return re.findall(r"^  (?:ok|failed|skipped)\s+(\S+) \(", stdout, re.MULTILINE)


def _stored(spec, asset: str, partition: str | None = None):
    return stored_value(spec, asset, partition)


@pytest.fixture
def chain(tmp_path):
    """a -> b -> c, x -> y and z, applied once successfully; b fails while FAIL_B is set."""
    (tmp_path / "chain.py").write_text(CHAIN)
    (tmp_path / "chain.yaml").write_text(CHAIN_SPEC)
    assert specrun_cmd("apply", "chain.yaml", cwd=tmp_path).returncode == 0
    return tmp_path


def test_reexecute_from_failure_runs_only_the_parent_runs_failed_steps_and_downstream(chain):
    module = chain / "chain.py"
    module.write_text(module.read_text().replace("a + 10", "a + 20"))  # only b and c are stale
    failed = specrun_cmd("apply", "chain.yaml", cwd=chain, env={"FAIL_B": "1"})
    assert failed.returncode == 1 and _steps_run(failed.stdout) == ["b", "c"]
    (run_id,) = _run_ids(failed.stdout)
    again = specrun_cmd("reexecute", run_id, "--from-failure", cwd=chain)
    assert again.returncode == 0, again.stderr
    assert f"re-executing 2 step(s) of run {run_id}, reusing 1 stored output(s)" in again.stdout
    assert _steps_run(again.stdout) == ["b", "c"]
    assert _stored(chain / "chain.yaml", "c") == 42


def test_reexecute_without_from_failure_reruns_the_parent_runs_steps_only(chain):
    module = chain / "chain.py"
    module.write_text(module.read_text().replace("b * 2", "b * 3"))  # only c is stale
    first = specrun_cmd("apply", "chain.yaml", cwd=chain)
    (run_id,) = _run_ids(first.stdout)
    again = specrun_cmd("reexecute", run_id, cwd=chain)
    assert again.returncode == 0, again.stderr
    assert _steps_run(again.stdout) == ["c"]
    assert _stored(chain / "chain.yaml", "c") == 33


def test_reexecute_from_failure_of_a_backfill_keeps_its_partitions(example):
    folder = example("partitioned")
    module = folder / "assets.py"
    module.write_text(module.read_text().replace(
        "    day = context.partition_key\n",
        "    day = context.partition_key\n"
        "    if day == __import__('os').environ.get('FAIL_DAY'):\n"
        "        raise RuntimeError(f'no events for {day}')\n"))
    failed = specrun_cmd("apply", "pipeline.yaml", "--partitions", "2024-01-04..2024-01-06", "--force",
                         cwd=folder, env={"FAIL_DAY": "2024-01-04"})
    assert failed.returncode == 1 and ": 4 ok, 1 failed, 1 skipped" in failed.stdout
    (run_id,) = _run_ids(failed.stdout)
    again = specrun_cmd("reexecute", run_id, "--from-failure", cwd=folder)
    assert again.returncode == 0, again.stderr
    assert _steps_run(again.stdout) == ["events[2024-01-04]", "daily_counts[2024-01-04]"]
    assert _stored(folder / "pipeline.yaml", "daily_counts", "2024-01-04") == 4
    assert not [n for n in os.listdir(folder / ".specrun" / "storage") if n.startswith("monthly_total@")]


def test_runs_on_an_empty_store_says_there_are_none_yet(example):
    folder = example("quickstart")
    result = specrun_cmd("runs", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "no runs recorded in .specrun yet — run `specrun apply pipeline.yaml`"


def test_status_of_an_ops_only_spec_says_it_has_no_assets(example):
    folder = example("ops_job")
    result = specrun_cmd("status", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ("ops_job has no assets, only ops (job 'numbers'), so there is no "
                                     "asset status to show: `specrun runs` lists its runs")


def test_status_runs_and_logs_take_the_variables_of_a_template_spec(tmp_path):
    shutil.copy(os.path.join(ROOT, "specs", "valid", "funcs.py"), tmp_path)
    (tmp_path / "t.yaml.j2").write_text(
        "specrun: 1\nname: t\nmodule: funcs\n"
        "resources:\n  io_manager: {type: fs, config: {base_dir: .specrun/storage}}\n"
        "assets:\n  '{{ first }}': {fn: source}\n  doubled: {fn: double, ins: {values: '{{ first }}'}}\n")
    assert "error: template variable 'first' is not defined" in specrun_cmd("runs", cwd=tmp_path).stderr
    applied = specrun_cmd("apply", "t.yaml.j2", "--var", "first=numbers", cwd=tmp_path)
    (run_id,) = _run_ids(applied.stdout)
    status = specrun_cmd("status", "t.yaml.j2", "--var", "first=numbers", cwd=tmp_path)
    assert re.search(r"numbers\s+│\s+-\s+│\s+1\s+│\s+0\s+│\s+0\s+│\s+0", status.stdout), status.stderr
    (tmp_path / "vars.yaml").write_text("first: numbers\n")
    runs = specrun_cmd("runs", "--vars", "vars.yaml", cwd=tmp_path)
    assert _run_ids(runs.stdout) == [run_id] and "SUCCESS" in runs.stdout
    logs = specrun_cmd("logs", run_id[:8], "--spec", "t.yaml.j2", "--var", "first=numbers", cwd=tmp_path)
    assert re.search(r"STEP_SUCCESS\s+\[numbers\]", logs.stdout), logs.stderr
