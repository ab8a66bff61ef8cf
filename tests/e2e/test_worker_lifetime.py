"""Multiprocess workers never outlive their run: `specrun apply` really killed (SIGKILL)
mid-step, and really canceled (SIGINT, SIGTERM, a second signal during teardown). What the
tests look at is outside specrun: /proc, the files the steps and resources write, and the
run store read through the CLI."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys

import pytest

from tests.procs import alive as _alive
from tests.procs import children as _children
from tests.procs import wait_until as _wait_until

from .conftest import specrun_cmd, stored_value

pytestmark = pytest.mark.slow

MODULE = '''\
import os
import re
import signal
import time

from specrun import resource

HERE = os.path.dirname(os.path.abspath(__file__))


def _mark(name, text=""):
    # Written whole under another name, then renamed: the test reads a pid file as soon as it
    # exists, and an open-then-write could show it empty (seen under load: int('') failed).
    # Each process its own temporary name: both workers run the resource's teardown.
    path = os.path.join(HERE, name)
    part = f"{path}.{os.getpid()}.part"
    with open(part, "w") as fh:
        fh.write(text or str(os.getpid()))
    os.replace(part, path)


def _wait_for(name):
    while not os.path.exists(os.path.join(HERE, name)):
        time.sleep(0.02)


@resource
def conn(init_context):
    yield "connection"
    _mark("teardown-start")
    time.sleep(float(os.environ.get("TEARDOWN_SECONDS", "0")))
    _mark("teardown-done")


def quick():
    return 1


def after_quick(quick):
    _mark("after_quick.done")
    return quick + 1


def slow(context):
    if os.path.exists(os.path.join(HERE, "hang")):
        _mark("slow.pid")
        time.sleep(120)
    return 3


def stamp():
    with open(os.path.join(HERE, "value.txt")) as fh:
        value = fh.read()
    if os.path.exists(os.path.join(HERE, "hang")):
        # A worker that survives its parent's death for a while (it ignores SIGTERM, so only
        # the watchdog's exit after the grace period would end it) and writes its output late.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        _mark("stamp.pid")
        _wait_for("release")
    return value
'''


def _spec(assets: str, grace: float = 5) -> str:
    return ("specrun: 1\nname: life\nmodule: life\n"
            "executor: {type: multiprocess, config: {max_concurrent: 2, "
            f"teardown_grace_seconds: {grace}}}}}\n"
            "resources:\n  conn: {type: life:conn}\n"
            "  io_manager: {type: fs, config: {base_dir: .specrun/storage}}\n"
            f"assets:\n{assets}")


ORPHAN_ASSETS = ("  quick: {fn: quick}\n  after_quick: {fn: after_quick}\n"
                 "  slow: {fn: slow, resources: [conn]}\n")
LATE_ASSETS = "  stamp: {fn: stamp}\n"


def _start_apply(folder, env: dict | None = None, *args: str) -> subprocess.Popen:
    full_env = {**os.environ, "CI": "true", **(env or {})}
    full_env.pop("SPECRUN_STORAGE_URL", None)
    return subprocess.Popen([sys.executable, "-m", "specrun.cli", "apply", "life.yaml", *args],
                            cwd=folder, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _project(tmp_path, assets: str, grace: float = 5):
    (tmp_path / "life.py").write_text(MODULE)
    (tmp_path / "life.yaml").write_text(_spec(assets, grace))
    (tmp_path / "value.txt").write_text("A")
    (tmp_path / "hang").write_text("")
    return tmp_path


def _runs(folder) -> list[dict]:
    done = specrun_cmd("runs", "--spec", "life.yaml", "--format", "json", cwd=folder)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["runs"]


def _messages(folder, run_id: str) -> list[str]:
    done = specrun_cmd("logs", run_id, "--spec", "life.yaml", "--format", "json", cwd=folder)
    assert done.returncode == 0, done.stderr
    return [json.loads(line)["message"] for line in done.stdout.splitlines() if line.strip()]


def _read(path: str) -> str:
    with open(path) as fh:
        return fh.read()


def _files(folder) -> dict[str, str]:
    """stamp's stored files (its versions, ``stamp@v-<token>``, and temp files) and their digests."""
    root = folder / ".specrun" / "storage"
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in root.iterdir()
            if p.is_file() and (p.name.startswith("stamp@") or "-stamp@" in p.name)}


def test_workers_die_when_apply_is_killed_and_the_next_run_is_recorded_whole(tmp_path):
    folder = _project(tmp_path, ORPHAN_ASSETS)
    apply = _start_apply(folder)
    # One worker busy in `slow`, the other idle once `after_quick` is done.
    assert _wait_until(lambda: (folder / "slow.pid").exists() and (folder / "after_quick.done").exists())
    assert _wait_until(lambda: len(_children(apply.pid)) >= 2)
    workers = _children(apply.pid)
    os.kill(apply.pid, signal.SIGKILL)
    # stdout reaches end-of-file: no worker holds the terminal's (here: the pipe's) end.
    out, _ = apply.communicate(timeout=60)
    assert apply.returncode == -signal.SIGKILL
    assert _wait_until(lambda: not any(_alive(pid) for pid in workers)), \
        [pid for pid in workers if _alive(pid)]
    # The busy worker stopped its step and ran its resource's teardown on the death signal.
    assert (folder / "teardown-done").exists()

    (folder / "hang").unlink()
    again = specrun_cmd("apply", "life.yaml", cwd=folder)
    assert again.returncode == 0, again.stdout + again.stderr
    assert stored_value(folder / "life.yaml", "slow") == 3
    plan = specrun_cmd("plan", "life.yaml", cwd=folder)
    assert "0 to run, 3 up to date" in plan.stdout, plan.stdout


def test_a_worker_of_a_dead_run_writing_late_never_touches_what_a_later_run_recorded(tmp_path):
    folder = _project(tmp_path, LATE_ASSETS, grace=60)
    apply = _start_apply(folder)
    assert _wait_until(lambda: (folder / "stamp.pid").exists())
    orphan = int((folder / "stamp.pid").read_text())
    os.kill(apply.pid, signal.SIGKILL)
    apply.wait(timeout=60)  # (its output pipe stays open: the orphan holds it)
    assert _alive(orphan)  # it ignores SIGTERM: only the watchdog's kill after 60 s would end it

    (folder / "hang").unlink()
    (folder / "value.txt").write_text("B")
    later = specrun_cmd("apply", "life.yaml", cwd=folder)
    assert later.returncode == 0, later.stdout + later.stderr
    recorded = _files(folder)
    (folder / "release").write_text("")  # the dead run's worker now stores "A"
    assert _wait_until(lambda: not _alive(orphan))
    apply.communicate(timeout=60)

    after = _files(folder)
    assert all(after.get(name) == digest for name, digest in recorded.items())
    assert len(after) == len(recorded) + 1  # its output went to a version of its own
    assert stored_value(folder / "life.yaml", "stamp") == "B"
    plan = specrun_cmd("plan", "life.yaml", cwd=folder)
    assert "0 to run, 1 up to date" in plan.stdout, plan.stdout


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_canceled_run_lets_its_workers_tear_down_and_is_recorded_as_canceled(tmp_path, signum):
    folder = _project(tmp_path, ORPHAN_ASSETS)
    apply = _start_apply(folder, {"TEARDOWN_SECONDS": "0.5"})
    assert _wait_until(lambda: (folder / "slow.pid").exists())
    worker = int((folder / "slow.pid").read_text())
    apply.send_signal(signum)
    _, err = apply.communicate(timeout=60)
    assert apply.returncode == 130, err
    assert "canceled" in err
    assert (folder / "teardown-done").exists()
    assert not _alive(worker)
    run = _runs(folder)[0]
    assert run["status"] == "CANCELED"
    stopped = r"Stopped (\d) worker process\(es\) in [\d.]+ s: \1 ran their resources' teardown and exited\.$"
    assert any(re.match(stopped, m) for m in _messages(folder, run["run_id"]))


def test_a_worker_whose_teardown_outlasts_the_grace_period_is_killed(tmp_path):
    folder = _project(tmp_path, ORPHAN_ASSETS, grace=1)
    apply = _start_apply(folder, {"TEARDOWN_SECONDS": "120"})
    assert _wait_until(lambda: (folder / "slow.pid").exists())
    worker = int((folder / "slow.pid").read_text())
    apply.send_signal(signal.SIGTERM)
    apply.communicate(timeout=60)
    assert apply.returncode == 130
    assert (folder / "teardown-start").exists() and not (folder / "teardown-done").exists()
    assert not _alive(worker)
    run = _runs(folder)[0]
    assert run["status"] == "CANCELED"
    assert any("did not finish within the grace period (1 s) and were killed" in m
               for m in _messages(folder, run["run_id"]))


def test_a_second_signal_during_teardown_still_records_the_run_as_canceled(tmp_path):
    folder = _project(tmp_path, ORPHAN_ASSETS, grace=100)
    apply = _start_apply(folder, {"TEARDOWN_SECONDS": "120"})
    assert _wait_until(lambda: (folder / "slow.pid").exists())
    worker = int((folder / "slow.pid").read_text())
    apply.send_signal(signal.SIGTERM)
    assert _wait_until(lambda: (folder / "teardown-start").exists())
    apply.send_signal(signal.SIGINT)
    _, err = apply.communicate(timeout=60)  # well before the 100 s grace period
    assert apply.returncode == 130, err
    assert not _alive(worker)
    run = _runs(folder)[0]
    assert run["status"] == "CANCELED"
    messages = _messages(folder, run["run_id"])
    assert any("did not finish before a second interrupt" in m for m in messages), messages


def test_a_second_signal_before_the_workers_are_told_to_stop_kills_them_at_once(tmp_path):
    """The second signal lands as shut-down begins, before any worker got SIGTERM (a pause
    point holds the parent there). Raised before shut-down's clean-up could run, it once left
    both workers alive: the run was recorded, then exit waited for their 120 s teardown."""
    folder = _project(tmp_path, ORPHAN_ASSETS, grace=100)
    release = folder / "go"
    apply = _start_apply(folder, {"TEARDOWN_SECONDS": "120", "SPECRUN_PAUSE_AT": f"shut down:{release}"})
    assert _wait_until(lambda: (folder / "slow.pid").exists() and (folder / "after_quick.done").exists())
    workers = _children(apply.pid)
    apply.send_signal(signal.SIGTERM)
    assert _wait_until(lambda: (folder / "go.reached").exists())
    apply.send_signal(signal.SIGINT)
    _, err = apply.communicate(timeout=60)
    assert apply.returncode == 130, err
    assert [w for w in workers if _alive(w)] == []
    assert not (folder / "teardown-start").exists()  # killed, never asked to tear down
    run = _runs(folder)[0]
    assert run["status"] == "CANCELED"
    messages = _messages(folder, run["run_id"])
    assert "Stopped 2 worker process(es)" in "\n".join(messages), messages
    assert any("2 did not finish before a second interrupt (100 s) and were killed" in m
               for m in messages), messages


def test_two_signals_sent_to_a_stopped_apply_cancel_it_when_it_goes_on(tmp_path):
    """SIGTERM and SIGINT reach the parent while it is stopped (SIGSTOP); on SIGCONT any of
    its threads may take them. Taken by the heartbeat thread, they once waited for the main
    thread to run bytecode again, and it sat in its wait on the workers: the apply went on
    running (seen in about half the runs). Two signals cancel and kill the workers at once."""
    folder = _project(tmp_path, ORPHAN_ASSETS, grace=100)
    apply = _start_apply(folder, {"TEARDOWN_SECONDS": "120"})
    try:
        assert _wait_until(lambda: (folder / "slow.pid").exists() and (folder / "after_quick.done").exists())
        workers = _children(apply.pid)
        apply.send_signal(signal.SIGSTOP)
        assert _wait_until(lambda: "T (stopped)" in _read(f"/proc/{apply.pid}/status"))
        apply.send_signal(signal.SIGTERM)
        apply.send_signal(signal.SIGINT)
        apply.send_signal(signal.SIGCONT)
        _, err = apply.communicate(timeout=60)  # well before the 100 s grace period
    finally:
        apply.kill()
    assert apply.returncode == 130, err
    assert [w for w in workers if _alive(w)] == []
    run = _runs(folder)[0]
    assert run["status"] == "CANCELED"
    messages = _messages(folder, run["run_id"])
    assert any("2 did not finish before a second interrupt (100 s) and were killed" in m
               for m in messages), messages


def test_a_signal_while_a_worker_is_being_handed_a_step_stops_that_worker_too(tmp_path):
    """The signal lands between taking the idle worker that ran `quick` and marking it busy
    with `after_quick` (a pause point holds the parent exactly there). That worker was once
    forgotten: shut-down stopped only `slow`'s, and at exit the forgotten one got SIGTERM,
    ran its resources' teardown (120 s here) and exit waited for it."""
    folder = _project(tmp_path, ORPHAN_ASSETS, grace=1)
    release = folder / "go"
    apply = _start_apply(folder, {"TEARDOWN_SECONDS": "120",
                                  "SPECRUN_PAUSE_AT": f"dispatch after_quick:{release}"})
    assert _wait_until(lambda: (folder / "slow.pid").exists() and (folder / "go.reached").exists())
    workers = _children(apply.pid)
    assert len(workers) == 2
    apply.send_signal(signal.SIGTERM)
    apply.communicate(timeout=60)
    assert apply.returncode == 130
    assert [w for w in workers if _alive(w)] == []
    assert not (folder / "after_quick.done").exists()
    run = _runs(folder)[0]
    assert run["status"] == "CANCELED"
    messages = _messages(folder, run["run_id"])
    assert any(m.startswith("Stopped 2 worker process(es)") for m in messages), messages
