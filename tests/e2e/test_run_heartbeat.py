"""A run heartbeats with its host identity: a run of another host or container (here: another
pid namespace, where its recorded pid means nothing to us) is not marked failed while it
heartbeats, and is once its heartbeat stops."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from .test_concurrent_apply import MODULE, _spec, _wait_for

pytestmark = pytest.mark.slow


def _unshare() -> list[str]:
    """The command prefix that runs a process in a pid namespace of its own, or a skip."""
    if shutil.which("unshare") is None:
        pytest.skip("unshare (util-linux) is not installed: no second pid namespace to run in")
    prefix = ["unshare", "--pid", "--fork"] + ([] if os.geteuid() == 0 else ["--user", "--map-root-user"])
    probe = subprocess.run([*prefix, "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot make a pid namespace here ({probe.stderr.strip()}): "
                    "the container forbids unshare --pid")
    return prefix


def test_a_run_in_another_pid_namespace_is_failed_only_once_its_heartbeat_stops(tmp_path, monkeypatch):
    from specrun.runtime.storage.base import DagsterRunStatus
    from specrun.runtime.storage.leases import host_identity
    from specrun.runtime.storage.schema import runs
    from specrun.runtime.storage import open_run_storage

    prefix = _unshare()
    url = "sqlite:///" + str(tmp_path / "runs.db")
    (tmp_path / "cm.py").write_text(MODULE)
    (tmp_path / "conc.yaml").write_text(_spec(url))
    (tmp_path / "value.txt").write_text("1")
    (tmp_path / "hold").write_text("")
    env = {**os.environ, "CI": "true", "SPECRUN_HEARTBEAT_INTERVAL": "0.2"}
    env.pop("SPECRUN_STORAGE_URL", None)
    proc = subprocess.Popen([*prefix, sys.executable, "-m", "specrun.cli", "apply", "conc.yaml"], cwd=tmp_path,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        _wait_for(lambda: (tmp_path / "source.started").exists(), "the run to start", proc)
        monkeypatch.setenv("SPECRUN_HEARTBEAT_TIMEOUT", "2")
        store = open_run_storage(url)
        with store.engine.connect() as conn:
            [row] = list(conn.execute(runs.select()))
        assert row.host != host_identity()
        time.sleep(3)  # longer than the timeout: only its heartbeats keep it alive
        assert store.mark_interrupted_runs() == []
        assert store.get_run(row.run_id).status is DagsterRunStatus.STARTED
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    time.sleep(3)  # no heartbeat for longer than the timeout
    assert store.mark_interrupted_runs() == [row.run_id]
    assert store.get_run(row.run_id).status is DagsterRunStatus.FAILURE
    failure = store.get_events(row.run_id)[-1]
    assert "sent no heartbeat" in failure.message
    store.close()
