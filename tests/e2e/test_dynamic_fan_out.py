"""examples/dynamic_fan_out: one step per file found at run time, then one step adding them up."""

from __future__ import annotations

import json
import pickle

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
