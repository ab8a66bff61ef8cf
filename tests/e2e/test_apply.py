"""`specrun apply` end to end: incremental runs, failures, interruption and recovery."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from tests.procs import alive, children

from .conftest import specrun_cmd, stored_value

pytestmark = pytest.mark.slow


def _start_and_wait_until_running(spec: str, cwd, env: dict) -> subprocess.Popen:
    """Start `specrun apply` and return once it reports that steps are running."""
    proc = subprocess.Popen([sys.executable, "-m", "specrun.cli", "apply", spec], cwd=cwd,
                            env={**os.environ, "CI": "true", **env}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert line.startswith("running "), line
    time.sleep(0.5)  # into the slow first step
    return proc


def _run_ids(text: str) -> list[str]:
    return re.findall(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", text)


def test_quickstart_applies_then_has_nothing_to_do_then_reruns_what_config_changed(example):
    folder = example("quickstart")
    first = specrun_cmd("apply", "pipeline.yaml", cwd=folder)
    assert first.returncode == 0, first.stderr
    assert ": 4 ok, 0 failed" in first.stdout
    second = specrun_cmd("apply", "pipeline.yaml", cwd=folder)
    assert "Nothing to do: all 4 step(s) are up to date" in second.stdout
    spec = folder / "pipeline.yaml"
    spec.write_text(spec.read_text().replace("rows: 20", "rows: 30"))
    plan = specrun_cmd("plan", "pipeline.yaml", cwd=folder)
    assert re.search(r"run\s+│\s+raw_orders.*config changed", plan.stdout)
    third = specrun_cmd("apply", "pipeline.yaml", cwd=folder)
    assert ": 4 ok, 0 failed, 0 skipped" in third.stdout
    assert stored_value(folder / "pipeline.yaml", "order_summary")["orders"] > 0


def test_code_change_makes_only_that_asset_and_downstream_stale(example):
    folder = example("quickstart")
    assert specrun_cmd("apply", "pipeline.yaml", cwd=folder).returncode == 0
    module = folder / "assets.py"
    module.write_text(module.read_text().replace('return {"orders": len(orders)', 'return {"orders": len(orders) + 0'))
    plan = specrun_cmd("plan", "pipeline.yaml", cwd=folder).stdout
    assert re.search(r"run\s+│\s+order_summary.*code changed", plan)
    assert re.search(r"skip\s+│\s+raw_orders", plan)


def test_failing_step_exits_1_with_step_message_and_user_traceback(project):
    (project / "fail.yaml").write_text(
        "specrun: 1\nmodule: funcs\nassets:\n  source: {fn: source}\n  broken: {fn: fails}\n"
        "  after: {fn: double, ins: {values: broken}}\n")
    result = specrun_cmd("apply", "fail.yaml", cwd=project)
    assert result.returncode == 1
    assert "step 'broken' failed: ValueError: bad input row 7" in result.stderr
    assert "funcs.py" in result.stderr and "raise ValueError" in result.stderr
    assert "specrun/runtime" not in result.stderr  # framework frames trimmed from what users see
    assert ": 1 ok, 1 failed, 1 skipped" in result.stdout


def test_sigkill_mid_run_then_reexecute_from_failure_completes_with_same_outputs(project):
    proc = _start_and_wait_until_running("slow.yaml", project, {"SPECRUN_TEST_SLEEP": "3"})
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    runs = specrun_cmd("runs", "--spec", "slow.yaml", cwd=project)
    assert "FAILURE" in runs.stdout  # marked interrupted when the store was next opened
    run_id = _run_ids(runs.stdout)[0]
    logs = specrun_cmd("logs", run_id, "--spec", "slow.yaml", cwd=project).stdout
    assert "Run interrupted" in logs
    storage = project / ".specrun" / "storage"
    leftovers = [p.name for p in storage.iterdir()] if storage.exists() else []
    assert not any(name.startswith(".tmp-") for name in leftovers)
    again = specrun_cmd("reexecute", run_id, "--from-failure", "--spec", "slow.yaml", cwd=project,
                        env={"SPECRUN_TEST_SLEEP": "0"})
    assert again.returncode == 0, again.stderr
    assert stored_value(project / "slow.yaml", "after_slow") == 2


def test_reexecute_from_failure_reuses_outputs_of_succeeded_steps(project, tmp_path):
    marker = tmp_path / "failed-once"
    env = {"SPECRUN_TEST_SLEEP": "0", "SPECRUN_TEST_FAIL_ONCE": str(marker)}
    first = specrun_cmd("apply", "slow.yaml", cwd=project, env=env)
    assert first.returncode == 1
    run_id = _run_ids(first.stdout)[0]
    again = specrun_cmd("reexecute", run_id, "--from-failure", "--spec", "slow.yaml", cwd=project, env=env)
    assert again.returncode == 0, again.stderr
    assert "re-executing 1 step(s)" in again.stdout and "reusing 1 stored output(s)" in again.stdout
    runs = specrun_cmd("runs", "--spec", "slow.yaml", cwd=project).stdout
    assert run_id in runs and "SUCCESS" in runs


def test_sigterm_cancels_the_run_and_records_it(project):
    proc = _start_and_wait_until_running("slow.yaml", project, {"SPECRUN_TEST_SLEEP": "5"})
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    runs = specrun_cmd("runs", "--spec", "slow.yaml", cwd=project).stdout
    (run_id,) = _run_ids(runs)
    assert "CANCELED" in runs
    assert err.strip() == (f"Run {run_id} canceled. Steps that finished are kept; `specrun apply` "
                           "(without --force) runs only what is still stale.")


def test_child_crash_fails_only_its_step_and_the_run_ends(project):
    (project / "crash.yaml").write_text(
        "specrun: 1\nmodule: funcs\nexecutor: {type: multiprocess, config: {max_concurrent: 2}}\n"
        "resources:\n  io_manager: {type: fs, config: {base_dir: .specrun/storage}}\n"
        "assets:\n  dies: {fn: crash}\n  after: {fn: double, ins: {values: dies}}\n  source: {fn: source}\n"
        "  doubled: {fn: double, ins: {values: source}}\n")
    result = specrun_cmd("apply", "crash.yaml", cwd=project, timeout=120)
    assert result.returncode == 1
    assert 'the worker process running step "dies" exited with code 3' in result.stderr
    assert ": 2 ok, 1 failed, 1 skipped" in result.stdout


def test_partitioned_example_backfill_and_status(example):
    folder = example("partitioned")
    result = specrun_cmd("apply", "pipeline.yaml", "--partitions", "2024-01-01..2024-01-03", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert ": 6 ok, 0 failed, 0 skipped" in result.stdout  # 3 x events + 3 x daily_counts; the roll-up waits
    plan = specrun_cmd("plan", "pipeline.yaml", "--partition", "2024-01-02", cwd=folder).stdout
    assert "waiting: upstream daily_counts has 28 of 31" in plan
    status = specrun_cmd("status", "pipeline.yaml", cwd=folder).stdout
    assert re.search(r"events\s+│\s+31\s+│\s+3\s+│\s+0\s+│\s+0\s+│\s+28", status)


def test_templated_and_ops_examples_run(example):
    templated = example("templated")
    result = specrun_cmd("apply", "pipeline.yaml.j2", "--var", "tables=[a, b]", cwd=templated)
    assert result.returncode == 0 and ": 3 ok, 0 failed, 0 skipped" in result.stdout
    ops = example("ops_job")
    result = specrun_cmd("apply", "pipeline.yaml", cwd=ops)
    assert result.returncode == 0 and ": 4 ok, 0 failed, 0 skipped" in result.stdout
    custom = example("custom_executor")
    result = specrun_cmd("apply", "pipeline.yaml", cwd=custom)
    assert "with the reverse_order executor" in result.stdout and ": 3 ok, 0 failed, 0 skipped" in result.stdout


def test_sigterm_with_multiprocess_stops_workers_and_records_canceled(project):
    spec = project / "slow_mp.yaml"
    spec.write_text((project / "slow.yaml").read_text() + "executor: {type: multiprocess, config: {max_concurrent: 2}}\n")
    proc = _start_and_wait_until_running("slow_mp.yaml", project, {"SPECRUN_TEST_SLEEP": "20"})
    time.sleep(1)  # let the workers start the step
    workers = children(proc.pid)
    assert workers
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and time.monotonic() - started < 15  # did not wait for the 20 s step
    # The workers are stopped with SIGTERM too: they must not inherit the parent's handler and
    # each print a KeyboardInterrupt traceback.
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert err.strip().startswith("Run ") and " canceled." in err
    runs = specrun_cmd("runs", "--spec", "slow_mp.yaml", cwd=project).stdout
    assert "CANCELED" in runs
    # This apply's own workers (a search of every process by name also found other suites' runs
    # of this test on a shared machine).
    assert [pid for pid in workers if alive(pid)] == []


def test_ctrl_c_before_the_run_starts_exits_130_without_traceback(tmp_path):
    # importing fns.py says so, then sleeps: the signal lands while the spec's code is loaded
    (tmp_path / "fns.py").write_text(
        "import pathlib, time\npathlib.Path('importing').touch()\ntime.sleep(30)\n\n\ndef a():\n    return 1\n")
    (tmp_path / "p.yaml").write_text("specrun: 1\nmodule: fns\nassets:\n  a: {fn: a}\n")
    proc = subprocess.Popen([sys.executable, "-m", "specrun.cli", "plan", "p.yaml"], cwd=tmp_path,
                            env={**os.environ, "CI": "true"}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60  # not a fixed wait: start-up takes seconds on a loaded machine
    while not (tmp_path / "importing").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert err.strip() == "interrupted"


def test_a_reader_that_stops_reading_does_not_stop_the_run(example):
    folder = example("custom_executor")  # its executor logs a line per step: plenty to write
    done = subprocess.run(f"{sys.executable} -m specrun.cli apply pipeline.yaml | head -1",
                          shell=True, cwd=folder, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "CI": "true"})
    assert done.stdout.splitlines() == ["running 3 step(s) with the reverse_order executor"]
    assert "Broken pipe" not in done.stderr
    runs = specrun_cmd("runs", cwd=folder).stdout
    assert "SUCCESS" in runs and "FAILURE" not in runs


def test_a_long_apply_ends_with_its_records_in_the_database_file_and_no_wal_left(tmp_path):
    # 200 steps commit ~1,700 WAL pages: past SQLite's usual 1,000, so the apply checkpoints
    # once as it ends, and removes the WAL, instead of every ~120 steps
    lines = ["specrun: 1", "name: chain", "module: chain_fns",
             "resources:", "  io_manager: {type: fs, config: {base_dir: .specrun/storage}}",
             "assets:", "  a0: {fn: first}"]
    lines += [f"  a{i}: {{fn: nxt, ins: {{up: a{i - 1}}}}}" for i in range(1, 200)]
    (tmp_path / "pipeline.yaml").write_text("\n".join(lines) + "\n")
    (tmp_path / "chain_fns.py").write_text("def first():\n    return 1\n\n\ndef nxt(up):\n    return up\n")
    done = specrun_cmd("apply", "pipeline.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert ": 200 ok, 0 failed" in done.stdout
    store = tmp_path / ".specrun" / "specrun.db"
    assert not os.path.exists(f"{store}-wal")
    conn = sqlite3.connect(store)
    try:
        assert conn.execute("SELECT count(*) FROM asset_materializations").fetchone() == (200,)
    finally:
        conn.close()
    again = specrun_cmd("plan", "pipeline.yaml", cwd=tmp_path)
    assert "0 to run, 200 up to date" in again.stdout, again.stdout
