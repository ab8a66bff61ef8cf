"""runtime.instance: what a persistent instance has recorded when its process dies."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from specrun import DagsterInstance

_KILLED_AFTER_A = textwrap.dedent("""
    import os, signal, sys
    from specrun import DagsterInstance, asset, fs_io_manager, materialize

    @asset
    def a():
        return 1

    @asset
    def b(a):
        os.kill(os.getpid(), signal.SIGKILL)  # the process dies while `a` is stored

    home = sys.argv[1]
    materialize([a, b], instance=DagsterInstance.local(home), resources={"io_manager": fs_io_manager},
                run_config={"resources": {"io_manager": {"config": {"base_dir": home + "/storage"}}}})
""")


def test_a_materialization_is_recorded_before_the_next_step_can_kill_the_process(tmp_path):
    script = tmp_path / "killed.py"
    script.write_text(_KILLED_AFTER_A)
    home = tmp_path / "home"
    done = subprocess.run([sys.executable, str(script), str(home)], capture_output=True, text=True)
    assert done.returncode == -9, done.stderr

    instance = DagsterInstance.local(str(home))
    recorded = instance.get_latest_materialization_event("a")
    assert recorded is not None  # the stored value and the record agree
    assert os.listdir(home / "storage") == [os.path.basename(recorded.data.metadata["path"].value)]
    assert recorded.run_id == instance.get_runs()[0].run_id
    assert instance.get_latest_materialization_event("b") is None
