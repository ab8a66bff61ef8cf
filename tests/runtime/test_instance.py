"""runtime.instance: what a persistent instance has recorded when its process dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from specrun import DagsterInstance
from specrun.runtime.definitions.keys import AssetKey
from specrun.runtime.definitions.results import AssetMaterialization
from specrun.runtime.events import DagsterEventType as ET, Event
from specrun.runtime.instance import Instance
from specrun.runtime.step_events import PLAIN_ASSET_OUTPUT, summarize
from specrun.runtime.storage.memory import InMemoryRunStorage

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
    conn = interrupting_connection(writer.path)  # (with its cursor: the writer runs BEGIN and COMMIT on it)
    writer._conn, writer._cursor, writer._pid = conn, conn.cursor(), os.getpid()
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


class _BatchesKept(InMemoryRunStorage):
    """An in-memory store that also keeps the messages of each batch it was given."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[list[str]] = []

    def store_events(self, events) -> None:
        self.batches.append([e.message for e in events])
        super().store_events(events)


_KINDS = [ET.LOADED_INPUT, ET.STEP_OUTPUT, ET.HANDLED_OUTPUT, ET.ASSET_MATERIALIZATION,
          ET.ASSET_CHECK_EVALUATION, ET.STEP_SUCCESS, ET.STEP_FAILURE, ET.RUN_START, ET.RUN_SUCCESS]


def _event(kind, message: str) -> Event:
    data = None
    if kind is ET.ASSET_MATERIALIZATION:
        data = AssetMaterialization(AssetKey("a"))
    elif kind is ET.ASSET_CHECK_EVALUATION:
        data = SimpleNamespace(asset_key=AssetKey("a"), check_name="c", metadata={})
    return Event(kind, "r1", "job", "s", message, data)


@settings(max_examples=300, deadline=None)
@given(lists=st.lists(st.lists(st.sampled_from(_KINDS), max_size=7), max_size=4),
       ephemeral=st.booleans(), flush_interval=st.sampled_from([0.0, 1e9]),
       max_buffered=st.sampled_from([1, 3, 5, 1000]))
def test_a_list_of_events_is_written_in_the_batches_its_events_one_at_a_time_are(
        lists, ephemeral, flush_interval, max_buffered):
    # handle_new_events buffers a list in one extend up to its first event that flushes or
    # is not buffered alone; the store must get the same batches as from each in turn.
    # Given the summary of what a list says (as a step gives it), or reading it.
    made = [[_event(kind, f"{i}.{j}") for j, kind in enumerate(kinds)] for i, kinds in enumerate(lists)]
    by_list, one_by_one, summarized = _BatchesKept(), _BatchesKept(), _BatchesKept()
    instances = [Instance(storage, ephemeral=ephemeral, flush_interval=flush_interval,
                          max_buffered=max_buffered) for storage in (by_list, one_by_one, summarized)]
    for events in made:
        instances[0].handle_new_events(list(events))
        for event in events:
            instances[1].handle_new_event(event)
        instances[2].handle_new_events(list(events), summarize(events))
    assert by_list.batches == one_by_one.batches == summarized.batches
    for instance in (instances[0], instances[2]):  # (and the same materializations to collect after)
        for kept in ("_buffer", "_buffered_materializations", "_superseding"):
            assert [e.message for e in getattr(instance, kept)] == [
                e.message for e in getattr(instances[1], kept)], kept


def test_the_materializations_a_step_list_says_it_has_are_collected_after_they_are_written():
    storage = _BatchesKept()
    instance = Instance(storage, ephemeral=True, flush_interval=1e9)
    kinds = [ET.LOADED_INPUT, ET.STEP_OUTPUT, ET.HANDLED_OUTPUT, ET.ASSET_MATERIALIZATION, ET.STEP_SUCCESS]
    events = [_event(kind, kind.value) for kind in kinds]
    instance.handle_new_events(events, PLAIN_ASSET_OUTPUT)  # (no event's kind is read)
    assert instance._buffered_materializations == [events[3]] and instance._superseding == []
    instance.flush()
    assert storage.batches == [[kind.value for kind in kinds]]
    assert instance._superseding == [events[3]] and instance._buffered_materializations == []


def test_a_step_list_the_buffer_has_room_for_is_kept_whole_and_flushed_at_its_end():
    storage = _BatchesKept()
    instance = Instance(storage, ephemeral=True, flush_interval=0.0, max_buffered=8)
    kinds = [ET.LOADED_INPUT, ET.STEP_OUTPUT, ET.HANDLED_OUTPUT, ET.ASSET_MATERIALIZATION, ET.STEP_SUCCESS]
    instance.handle_new_events([_event(kind, kind.value) for kind in kinds])
    assert storage.batches == [[kind.value for kind in kinds]]
    assert instance._buffer == []
