"""Concurrent `apply`s on one store (SQLite and PostgreSQL), as real processes: a step being
materialized by one run is leased, so the other waits and then skips what was made meanwhile;
a version another live run is about to read is not collected under it."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from .conftest import specrun_cmd, stored_value
from ..runtime.storage.conftest import _postgres_url

pytestmark = pytest.mark.slow

MODULE = '''\
import os
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def _called(name):
    with open(os.path.join(HERE, "calls.log"), "a") as fh:
        fh.write(name + "\\n")


def source():
    _called("source")
    open(os.path.join(HERE, "source.started"), "w").close()
    deadline = time.monotonic() + 60
    while os.path.exists(os.path.join(HERE, "hold")) and time.monotonic() < deadline:
        time.sleep(0.05)
    with open(os.path.join(HERE, "value.txt")) as fh:
        return int(fh.read())


def doubled(source):
    _called("doubled")
    return source * 2
'''


def _spec(url: str) -> str:
    return ("specrun: 1\nname: conc\nmodule: cm\n"
            "resources:\n  io_manager: {type: fs, config: {base_dir: .specrun/storage}}\n"
            f"storage: {{url: '{url}'}}\n"
            "assets:\n  source: {fn: source}\n  doubled: {fn: doubled}\n")


@pytest.fixture(params=["sqlite", "postgres"])
def folder(request, tmp_path):
    url = "sqlite:///.specrun/runs.db" if request.param == "sqlite" else _postgres_url(request)
    (tmp_path / "cm.py").write_text(MODULE)
    (tmp_path / "conc.yaml").write_text(_spec(url))
    (tmp_path / "value.txt").write_text("1")
    return tmp_path


def _start(folder, *args: str, env: dict | None = None, log: str = "b.err") -> subprocess.Popen:
    full = {**os.environ, "CI": "true", **(env or {})}
    full.pop("SPECRUN_STORAGE_URL", None)
    return subprocess.Popen([sys.executable, "-m", "specrun.cli", *args], cwd=folder, env=full,
                            stdout=subprocess.PIPE, stderr=open(folder / log, "w"), text=True)


def _wait_for(predicate, what: str, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + 60
    while not predicate():
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the process ended (exit {proc.returncode}) before {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


@pytest.mark.parametrize("executor", ["in_process", "multiprocess"])
def test_a_second_apply_waits_for_the_lease_and_skips_what_the_first_made(folder, executor):
    (folder / "hold").write_text("")
    first = _start(folder, "apply", "conc.yaml", "--executor", executor, log="a.err")
    _wait_for(lambda: (folder / "source.started").exists(), "the first apply to start source", first)
    second = _start(folder, "apply", "conc.yaml", "--executor", executor, log="b.err")
    _wait_for(lambda: "Waiting: run" in (folder / "b.err").read_text(), "the second apply to wait", second)
    (folder / "hold").unlink()
    out_a, _ = first.communicate(timeout=120)
    out_b, _ = second.communicate(timeout=120)
    err_b = (folder / "b.err").read_text()
    assert first.returncode == 0, out_a + (folder / "a.err").read_text()
    assert second.returncode == 0, out_b + err_b
    assert "is materializing doubled, source." in err_b
    assert "Skipping 2 step(s) another run materialized after this one decided: source, doubled." in err_b
    assert "Nothing to do" in out_b
    # Each step ran once, and what is stored is what is recorded.
    assert (folder / "calls.log").read_text().split() == ["source", "doubled"]
    assert stored_value(folder / "conc.yaml", "doubled") == 2
    plan = specrun_cmd("plan", "conc.yaml", cwd=folder)
    assert "0 to run" in plan.stdout or "up to date" in plan.stdout, plan.stdout


def test_an_apply_that_decided_before_another_made_everything_skips_it(folder):
    # The other apply runs from start to end between this one's decisions and its leases,
    # so the leases are free when taken: what was made in between is still not made again.
    release = folder / "release"
    late = _start(folder, "apply", "conc.yaml", env={"SPECRUN_PAUSE_AT": f"decided:{release}"})
    _wait_for(lambda: (folder / "release.reached").exists(), "the late apply to decide", late)
    first = specrun_cmd("apply", "conc.yaml", cwd=folder)
    assert first.returncode == 0, first.stdout + first.stderr
    release.write_text("")
    out, _ = late.communicate(timeout=120)
    err = (folder / "b.err").read_text()
    assert late.returncode == 0, out + err
    assert "Skipping 2 step(s) another run materialized after this one decided: source, doubled." in err
    assert "Nothing to do" in out
    assert (folder / "calls.log").read_text().split() == ["source", "doubled"]


def test_the_records_an_apply_decides_from_are_what_its_leases_are_compared_with(folder, monkeypatch):
    from specrun.commands import Session
    from specrun.runtime.leases import step_lease_keys

    applied = specrun_cmd("apply", "conc.yaml", cwd=folder)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    monkeypatch.chdir(folder)
    monkeypatch.delitem(sys.modules, "cm", raising=False)  # (another case's folder's module)
    session = Session("conc.yaml", {})
    plan = session.plan()
    seen: dict = {}
    assert [d.reason for d in session.decisions(plan, seen) if d.run] == []
    keys = [k for ks in step_lease_keys(plan).values() for k in ks]
    assert sorted(keys) == [("doubled", ""), ("source", "")]
    run_id = session.instance.storage.get_runs()[0].run_id
    assert seen == session.instance.storage.recorded_runs(keys) == {k: run_id for k in keys}


@pytest.mark.parametrize("executor", ["in_process", "multiprocess"])
def test_a_version_a_live_run_is_about_to_read_is_not_collected_under_it(folder, executor):
    applied = specrun_cmd("apply", "conc.yaml", cwd=folder)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    (folder / "value.txt").write_text("5")
    release = folder / "release"
    # The reader has looked up source's recorded version and stops right before opening it.
    reader = _start(folder, "apply", "conc.yaml", "--select", "doubled", "--force", "--executor", executor,
                    env={"SPECRUN_PAUSE_AT": f"before-load:{release}"})
    _wait_for(lambda: (folder / "release.reached").exists(), "the reader to reach its load", reader)
    writer = specrun_cmd("apply", "conc.yaml", "--select", "source", "--force", cwd=folder)
    assert writer.returncode == 0, writer.stdout + writer.stderr
    versions = [n for n in os.listdir(folder / ".specrun" / "storage") if n.startswith("source@v-")]
    assert len(versions) == 2  # the old one is kept while the reader lives
    release.write_text("")
    out, _ = reader.communicate(timeout=120)
    assert reader.returncode == 0, out + (folder / "b.err").read_text()
    assert stored_value(folder / "conc.yaml", "doubled") == 2  # made from the version it read
    plan = specrun_cmd("plan", "conc.yaml", cwd=folder)
    assert "doubled" in plan.stdout and "1 to run" in plan.stdout, plan.stdout
    again = specrun_cmd("apply", "conc.yaml", cwd=folder)
    assert again.returncode == 0, again.stdout + again.stderr
    assert stored_value(folder / "conc.yaml", "doubled") == 10
