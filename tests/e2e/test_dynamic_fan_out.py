"""examples/dynamic_fan_out: one step per file found at run time, then one step adding them up."""

from __future__ import annotations

import json
import pickle
import re

import pytest

from tests.e2e.conftest import specrun_cmd


def _document(stdout: str) -> dict:
    return json.loads(stdout.strip().splitlines()[-1])


def _states(stdout: str) -> dict[str, str]:
    return {s["step"]: s["state"] for s in _document(stdout)["steps"]}


@pytest.mark.slow
@pytest.mark.parametrize("executor", ["in_process", "multiprocess"])
def test_each_file_is_its_own_step_and_the_total_collects_them(example, executor):
    folder = example("dynamic_fan_out")
    done = specrun_cmd("apply", "pipeline.yaml", "--executor", executor, "--format", "json", cwd=folder)
    assert done.returncode == 0, done.stderr
    assert _states(done.stdout) == {
        "files": "ok", "words[dog]": "ok", "words[fox]": "ok", "words[sleep]": "ok", "total": "ok"}
    run = folder / ".specrun" / "storage" / _document(done.stdout)["run_id"]
    assert pickle.loads((run / "total" / "result").read_bytes()) == 12  # 5 + 4 + 3 words
    assert sorted(p.name for p in (run / "files" / "result").iterdir()) == ["dog", "fox", "sleep"]


@pytest.mark.slow
def test_a_file_added_is_one_more_step_and_a_bad_file_fails_only_its_step(example):
    folder = example("dynamic_fan_out")
    (folder / "texts" / "more words.txt").write_text("two more\n")
    (folder / "texts" / "broken.txt").write_bytes(b"\xff\xfe not utf-8 \xff")
    done = specrun_cmd("apply", "pipeline.yaml", "--format", "json", cwd=folder)
    assert done.returncode == 1
    states = _states(done.stdout)
    assert states["words[more_words]"] == "ok" and states["words[fox]"] == "ok"
    assert states["words[broken]"] == "failed"
    assert states["total"] == "skipped"


@pytest.mark.slow
@pytest.mark.parametrize("executor", ["in_process", "multiprocess"])
def test_reexecution_from_failure_runs_only_the_failed_copy_and_what_collects_it(example, executor):
    folder = example("dynamic_fan_out")
    bad = folder / "texts" / "broken.txt"
    bad.write_bytes(b"\xff not utf-8")
    failed = specrun_cmd("apply", "pipeline.yaml", "--executor", executor, "--format", "json", cwd=folder)
    assert failed.returncode == 1
    bad.write_text("now three words\n")
    again = specrun_cmd("reexecute", _document(failed.stdout)["run_id"], "--from-failure", cwd=folder)
    assert again.returncode == 0, again.stderr + again.stdout
    ran = re.findall(r"^\s+(ok|failed|skipped)\s+(\S+)", again.stdout, re.M)
    assert sorted(ran) == [("ok", "total"), ("ok", "words[broken]")]
    run = folder / ".specrun" / "storage" / re.search(r"run (\S+) succeeded", again.stdout).group(1)
    assert pickle.loads((run / "total" / "result").read_bytes()) == 15  # 12 + the 3 new words


@pytest.mark.slow
def test_reexecuting_a_whole_run_emits_the_values_again(example):
    folder = example("dynamic_fan_out")
    first = specrun_cmd("apply", "pipeline.yaml", "--format", "json", cwd=folder)
    (folder / "texts" / "new.txt").write_text("one more file\n")
    again = specrun_cmd("reexecute", _document(first.stdout)["run_id"], cwd=folder)
    assert again.returncode == 0, again.stderr + again.stdout
    ran = sorted(step for _, step in re.findall(r"^\s+(ok|failed|skipped)\s+(\S+)", again.stdout, re.M))
    assert ran == ["files", "total", "words[dog]", "words[fox]", "words[new]", "words[sleep]"]
    run = folder / ".specrun" / "storage" / re.search(r"run (\S+) succeeded", again.stdout).group(1)
    assert pickle.loads((run / "total" / "result").read_bytes()) == 15
