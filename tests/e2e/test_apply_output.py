"""What `apply` shows while and after it runs, end to end: step logs at the chosen level,
skip reasons, the resume command, `logs` with levels and tracebacks, JSON for scripts."""

from __future__ import annotations

import json
import re
import shlex

import pytest

from .conftest import specrun_cmd

pytestmark = pytest.mark.slow

SPEC = """\
specrun: 1
name: chain
module: steps
assets:
  t06: {fn: t06}
  t07: {fn: t07}
  t08: {fn: t08}
  t09: {fn: t09}
  side: {fn: side}
"""

STEPS = '''\
from specrun import get_dagster_logger


def t06(context):
    context.log.info("t06 says info")
    context.log.warning("t06 says warning")
    get_dagster_logger().error("helper says error")
    return 6


def _load(n):
    if n > 0:
        raise ValueError("no rows for t07")
    return n


def t07(t06):
    return _load(t06)


def t08(t07):
    return t07


def t09(t08):
    return t08


def side():
    return 1
'''


@pytest.fixture
def chain(tmp_path):
    (tmp_path / "pipeline.yaml").write_text(SPEC)
    (tmp_path / "steps.py").write_text(STEPS)
    return tmp_path


def test_warnings_of_steps_show_live_and_info_only_with_v(chain):
    out = specrun_cmd("apply", "pipeline.yaml", cwd=chain)
    shown = out.stdout + out.stderr
    assert "  warning  [t06] t06 says warning" in shown
    assert "  error    [t06] helper says error" in shown
    assert "t06 says info" not in shown
    verbose = specrun_cmd("apply", "pipeline.yaml", "-v", "--force", cwd=chain)
    assert "  info     [t06] t06 says info" in verbose.stdout + verbose.stderr
    quiet = specrun_cmd("apply", "pipeline.yaml", "-q", "--force", cwd=chain)
    assert "t06 says warning" not in quiet.stdout + quiet.stderr
    assert "helper says error" in quiet.stdout + quiet.stderr
    both = specrun_cmd("apply", "pipeline.yaml", "-q", "--log-level", "info", cwd=chain)
    assert both.returncode == 2 and "give one of them" in both.stderr


def test_a_failed_run_names_skips_by_their_failed_upstream_and_ends_with_the_resume_command(chain):
    out = specrun_cmd("apply", "pipeline.yaml", cwd=chain)
    assert out.returncode == 1
    assert "  skipped  t08 (0.00s): upstream t07 failed" in out.stdout
    assert "  t09: upstream t07 failed" in out.stderr
    assert "ValueError: no rows for t07" in out.stderr
    resume = out.stderr.strip().splitlines()[-1]
    assert re.fullmatch(r"resume with: specrun reexecute [0-9a-f-]{36} --from-failure", resume)
    (chain / "steps.py").write_text(STEPS.replace("if n > 0:", "if n > 99:"))
    words = shlex.split(resume.removeprefix("resume with: "))[1:]
    again = specrun_cmd(*words, cwd=chain)
    assert again.returncode == 0, again.stderr
    assert "re-executing 3 step(s)" in again.stdout and "3 ok, 0 failed" in again.stdout


def test_logs_show_levels_and_each_failure_with_its_message_and_user_traceback(chain):
    out = specrun_cmd("apply", "pipeline.yaml", "--format", "json", cwd=chain)
    run_id = json.loads(out.stdout)["run_id"]
    logs = specrun_cmd("logs", run_id, cwd=chain).stdout
    assert re.search(r" warning  LOG_MESSAGE +\[t06\] t06 says warning", logs)
    assert re.search(r" error    STEP_FAILURE +\[t07\] ", logs)
    assert "    ValueError: no rows for t07" in logs
    assert "    Traceback (your code):" in logs
    assert re.search(r'steps\.py", line 13, in _load', logs)
    assert "specrun/runtime" not in logs
    errors_only = specrun_cmd("logs", run_id, "--level", "error", cwd=chain).stdout
    assert "t06 says warning" not in errors_only and "helper says error" in errors_only


def test_apply_json_is_one_document_with_states_failures_and_the_resume_command(chain):
    out = specrun_cmd("apply", "pipeline.yaml", "--format", "json", cwd=chain)
    assert out.returncode == 1
    doc = json.loads(out.stdout)  # the whole of stdout is one document
    assert doc["format"] == "specrun.apply/1" and doc["success"] is False
    assert doc["counts"] == {"ok": 2, "failed": 1, "skipped": 2}
    assert {s["step"]: s["state"] for s in doc["steps"]} == {
        "t06": "ok", "t07": "failed", "t08": "skipped", "t09": "skipped", "side": "ok"}
    [failure] = doc["failures"]
    assert failure["step"] == "t07" and "no rows for t07" in failure["message"]
    assert 'in _load' in failure["traceback"]
    assert doc["resume"] == f"specrun reexecute {doc['run_id']} --from-failure"


def test_apply_jsonl_is_one_event_per_line_then_the_run_document(chain):
    (chain / "steps.py").write_text(STEPS.replace("if n > 0:", "if n > 99:"))
    out = specrun_cmd("apply", "pipeline.yaml", "--format", "jsonl", cwd=chain)
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    events, final = lines[:-1], lines[-1]
    assert {e["format"] for e in events} == {"specrun.event/1"}
    assert events[0]["type"] == "RUN_START" and events[-1]["type"] == "RUN_SUCCESS"
    assert ("t06", "warning", "t06 says warning") in {(e["step"], e["level"], e["message"]) for e in events}
    assert final["format"] == "specrun.apply/1" and final["counts"]["ok"] == 5
    nothing = specrun_cmd("apply", "pipeline.yaml", "--format", "json", cwd=chain)
    assert json.loads(nothing.stdout)["plan"] == {"to_run": 0, "up_to_date": 5, "waiting": 0}
