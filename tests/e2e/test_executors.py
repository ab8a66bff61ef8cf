"""The same spec pipelines on the multiprocess executor and on a two-worker Dask cluster."""

from __future__ import annotations


import pytest

from .conftest import specrun_cmd, stored_value

pytestmark = pytest.mark.slow

SPEC = """\
specrun: 1
module: funcs
executor: {{type: {executor}, config: {config}}}
resources:
  io_manager: {{type: fs, config: {{base_dir: .specrun/storage}}}}
partitions:
  days: {{type: static, keys: [mon, tue]}}
assets:
  source: {{fn: source, config: {{n: 5}}}}
  doubled: {{fn: double, ins: {{values: source}}}}
  total: {{fn: total}}
  broken: {{fn: fails}}
  after_broken: {{fn: double, ins: {{values: broken}}}}
  flaky: {{fn: "executors:flaky", retry: {{max_retries: 2, delay: 0}}}}
  daily: {{fn: "executors:per_day", partitions: days}}
"""

CONFIGS = {
    "multiprocess": "{max_concurrent: 2, start_method: fork}",
    "dask": "{n_workers: 2, threads_per_worker: 1}",
}


@pytest.mark.parametrize("executor", ["multiprocess", "dask"])
def test_spec_pipeline_on_executor_with_failure_retry_and_partition(project, tmp_path, executor):
    pytest.importorskip("distributed") if executor == "dask" else None
    (project / "run.yaml").write_text(SPEC.format(executor=executor, config=CONFIGS[executor]))
    env = {"SPECRUN_TEST_FLAKY_MARKER": str(tmp_path / f"flaky-{executor}")}
    result = specrun_cmd("apply", "run.yaml", "--partition", "mon", cwd=project, env=env, timeout=240)
    assert result.returncode == 1  # `broken` fails on purpose
    assert f"with the {executor} executor" in result.stdout
    assert "step 'broken' failed: ValueError: bad input row 7" in result.stderr
    assert ": 5 ok, 1 failed, 1 skipped" in result.stdout
    assert stored_value(project / "run.yaml", "total") == 20
    assert stored_value(project / "run.yaml", "flaky") == 1  # succeeded on the retry
    assert stored_value(project / "run.yaml", "daily", "mon") == "day mon"
    run_id = [w for w in result.stdout.split() if w.count("-") == 4][0]
    logs = specrun_cmd("logs", run_id, "--spec", "run.yaml", cwd=project).stdout
    assert "STEP_UP_FOR_RETRY" in logs and "[flaky]" in logs
    starts = [line for line in logs.splitlines() if "RUN_START" in line or "RUN_FAILURE" in line]
    assert "RUN_START" in starts[0] and "RUN_FAILURE" in starts[-1]
