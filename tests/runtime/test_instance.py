"""runtime.instance: what a persistent instance has recorded when its process dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from specrun import DagsterInstance
from specrun.runtime.events import DagsterEventType as ET, Event

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


def _interrupted_flush(home, after: str) -> DagsterInstance:
    """An instance whose next flush gets a real SIGINT once SQLite has run `after`."""
    from tests.runtime.storage.test_sqlite_writer import _SignalAfter, interrupting_connection

    instance = DagsterInstance.local(str(home))
    writer = instance._storage._sqlite
    writer._conn, writer._pid = interrupting_connection(writer.path), os.getpid()
    instance.handle_new_event(Event(ET.ENGINE_EVENT, "r1", "job", message="one"))
    _SignalAfter.after = after
    with pytest.raises(KeyboardInterrupt):
        instance.flush()
    return instance


@pytest.mark.parametrize("after", ["BEGIN IMMEDIATE", "COMMIT"])
def test_events_whose_write_an_interrupt_cut_short_are_written_once_by_the_next_flush(tmp_path, after):
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        instance = _interrupted_flush(tmp_path / "home", after)
        instance.handle_new_event(Event(ET.ENGINE_EVENT, "r1", "job", message="two"))
        instance.flush()
        # Interrupted after BEGIN: "one" was rolled back and waits in the buffer (it was lost
        # before). Interrupted after COMMIT: it is written, and is not written again.
        assert [e.message for e in instance.all_logs("r1")] == ["one", "two"]
    finally:
        signal.signal(signal.SIGINT, previous)
