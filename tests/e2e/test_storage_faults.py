"""A stored output and its record never disagree: `apply` killed at the exact moment a file
was renamed into place (before its record was committed), and stored files damaged behind
specrun's back."""

from __future__ import annotations

import os
import re

import pytest

from .conftest import specrun_cmd, stored_value

pytestmark = pytest.mark.slow

MODULE = '''\
import os


def source():
    with open(os.path.join(os.path.dirname(__file__), "value.txt")) as fh:
        return int(fh.read())


def doubled(source):
    return source * 2
'''

SPEC = ("specrun: 1\nname: kill\nmodule: kp\n"
        "resources:\n  io_manager: {type: fs, config: {base_dir: .specrun/storage}}\n"
        "assets:\n  source: {fn: source}\n  doubled: {fn: doubled}\n")


@pytest.fixture
def applied(tmp_path):
    """source = 1, doubled = 2, applied once."""
    (tmp_path / "kp.py").write_text(MODULE)
    (tmp_path / "kill.yaml").write_text(SPEC)
    (tmp_path / "value.txt").write_text("1")
    done = specrun_cmd("apply", "kill.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    return tmp_path


def _versions(folder, asset: str) -> list[str]:
    """The stored versions of `asset`: ``<asset>@v-<token>``, beside the other assets' (layout.py)."""
    return sorted(n for n in os.listdir(folder / ".specrun" / "storage") if n.startswith(f"{asset}@v-"))


def _temps(folder, asset: str) -> list[str]:
    return [n for n in os.listdir(folder / ".specrun" / "storage")
            if n.startswith(".tmp-") and f"-{asset}@v-" in n]


@pytest.mark.parametrize("executor", ["in_process", "multiprocess"])
def test_a_kill_right_after_the_rename_leaves_the_recorded_pair_and_the_orphan_is_collected(applied, executor):
    (applied / "value.txt").write_text("5")
    killed = specrun_cmd("apply", "kill.yaml", "--force", "--executor", executor, cwd=applied,
                         env={"SPECRUN_KILL_AT": "after-replace"})
    assert killed.returncode != 0
    assert len(_versions(applied, "source")) == 2  # the new file is there, named by no record
    # The record still names source = 1, which is what is read and what doubled was made from.
    assert stored_value(applied / "kill.yaml", "source") == 1
    assert stored_value(applied / "kill.yaml", "doubled") == 2
    plan = specrun_cmd("plan", "kill.yaml", cwd=applied)
    assert re.search(r"skip\s+│\s+source\s.*up to date", plan.stdout), plan.stdout
    again = specrun_cmd("apply", "kill.yaml", "--force", cwd=applied)
    assert again.returncode == 0, again.stdout + again.stderr
    assert stored_value(applied / "kill.yaml", "doubled") == 10
    assert len(_versions(applied, "source")) == 1  # the orphan was collected


def test_a_temp_file_of_a_killed_writer_is_removed_when_the_next_record_is_written(applied):
    (applied / "value.txt").write_text("5")
    killed = specrun_cmd("apply", "kill.yaml", "--force", cwd=applied, env={"SPECRUN_KILL_AT": "before-replace"})
    assert killed.returncode != 0
    assert len(_temps(applied, "source")) == 1
    assert stored_value(applied / "kill.yaml", "source") == 1
    again = specrun_cmd("apply", "kill.yaml", "--force", cwd=applied)
    assert again.returncode == 0, again.stdout + again.stderr
    assert _temps(applied, "source") == []


def _recorded_file(folder, asset: str) -> str:
    (name,) = _versions(folder, asset)
    return str(folder / ".specrun" / "storage" / name)


def test_plan_reruns_a_stored_output_that_was_truncated(applied):
    path = _recorded_file(applied, "source")
    with open(path, "r+b") as fh:
        fh.truncate(3)
    plan = specrun_cmd("plan", "kill.yaml", cwd=applied)
    assert re.search(r"run\s+│\s+source\s.*stored output does not match its record \(size 3,", plan.stdout), plan.stdout
    again = specrun_cmd("apply", "kill.yaml", cwd=applied)
    assert again.returncode == 0 and "source" in again.stdout
    assert stored_value(applied / "kill.yaml", "source") == 1


def test_plan_reruns_a_stored_output_overwritten_with_garbage_of_the_same_size(applied):
    path = _recorded_file(applied, "source")
    size = os.path.getsize(path)
    with open(path, "wb") as fh:
        fh.write(b"x" * size)
    plan = specrun_cmd("plan", "kill.yaml", cwd=applied)
    assert re.search(r"run\s+│\s+source\s.*does not match its record \(checksum\)", plan.stdout), plan.stdout


def test_loading_a_garbage_value_names_the_asset_and_the_file(applied):
    path = _recorded_file(applied, "source")
    with open(path, "wb") as fh:
        fh.write(b"not a pickle")
    with pytest.raises(AssertionError) as err:
        stored_value(applied / "kill.yaml", "source")
    assert f"cannot load the stored value of source from {path}" in str(err.value)


def test_a_kill_right_after_a_record_commit_keeps_the_record_and_gives_back_only_its_lease(applied):
    """The record of source = 5 and the release of its lease are one transaction: after a kill
    right after it, the record stands, and the next apply (without --force) takes over the
    dead run's lease on doubled and runs doubled alone."""
    import sqlite3

    (applied / "value.txt").write_text("5")
    killed = specrun_cmd("apply", "kill.yaml", "--force", cwd=applied, env={"SPECRUN_KILL_AT": "after-record-commit"})
    assert killed.returncode != 0
    with sqlite3.connect(applied / ".specrun" / "specrun.db") as db:
        held = dict(db.execute("SELECT asset_key, run_id FROM leases").fetchall())
        recorded = dict(db.execute("SELECT asset_key, run_id FROM asset_materializations").fetchall())
    # source's lease went with its record: the killed run's record of source is the latest (so
    # `take_leases` counts that lease as given back; its row stays until the run ends); doubled's not
    assert sorted(held) == ["doubled", "source"] and recorded["source"] == held["source"]
    assert recorded["doubled"] != held["doubled"]
    assert stored_value(applied / "kill.yaml", "source") == 5
    assert stored_value(applied / "kill.yaml", "doubled") == 2
    again = specrun_cmd("apply", "kill.yaml", cwd=applied)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Waiting" not in again.stderr
    assert re.search(r"ok\s+doubled", again.stdout) and not re.search(r"ok\s+source", again.stdout), again.stdout
    assert stored_value(applied / "kill.yaml", "doubled") == 10
    # source = 1 is superseded but stays until source's next record (the kill came before
    # its collection; only the next materialization of source collects it).
    assert len(_versions(applied, "source")) == 2
