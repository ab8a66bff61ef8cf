"""Leases, heartbeats and run numbers in the SQL run storage, on SQLite and PostgreSQL: a
lease is all-or-none and taken over from a dead holder; run numbers stay unique when many
processes add runs at once."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from specrun.runtime.storage.base import DagsterRun, DagsterRunStatus
from specrun.runtime.storage.leases import alive, host_identity
from specrun.runtime.storage import open_run_storage


@pytest.fixture
def store(sql_url):
    s = open_run_storage(sql_url)
    yield s
    s.close()


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(done.stdout)


def test_leases_are_taken_all_or_none_and_given_back(store):
    assert store.take_leases([("a", ""), ("b", "2024")], "run-1") == {}
    busy = store.take_leases([("b", "2024"), ("c", "")], "run-2")
    assert list(busy) == [("b", "2024")]
    assert busy[("b", "2024")].run_id == "run-1"
    assert busy[("b", "2024")].host == host_identity()
    assert store.take_leases([("c", "")], "run-3") == {}  # run-2 took nothing
    store.release_leases("run-1", [("b", "2024")])
    assert store.take_leases([("b", "2024")], "run-2") == {}
    store.release_leases("run-1")
    assert store.take_leases([("a", "")], "run-2") == {}


def test_a_lease_of_a_dead_process_on_this_host_is_taken_over(store):
    from specrun.runtime.storage.schema import leases

    store.take_leases([("a", "")], "dead-run")
    with store.engine.begin() as conn:
        conn.execute(leases.update().values(pid=_dead_pid()))
    assert store.take_leases([("a", "")], "run-2") == {}


def test_a_lease_of_another_host_lives_while_it_heartbeats(store, monkeypatch):
    from specrun.runtime.storage.schema import leases

    monkeypatch.setenv("SPECRUN_HEARTBEAT_TIMEOUT", "60")
    store.take_leases([("a", "")], "far-run")
    with store.engine.begin() as conn:  # pid 1 lives here too: only the heartbeat may count
        conn.execute(leases.update().values(host="another-host", pid=1))
    store.heartbeat("far-run")
    assert set(store.take_leases([("a", "")], "run-2")) == {("a", "")}
    with store.engine.begin() as conn:
        conn.execute(leases.update().values(heartbeat=1000.0))  # it stopped long ago
    assert store.take_leases([("a", "")], "run-2") == {}


def test_alive_judges_by_heartbeat_on_other_hosts_and_by_pid_here(monkeypatch):
    monkeypatch.setenv("SPECRUN_HEARTBEAT_TIMEOUT", "30")
    assert alive("another-host", 999999, heartbeat=100.0, now=120.0)
    assert not alive("another-host", os.getpid(), heartbeat=100.0, now=131.0)
    assert alive(host_identity(), os.getpid(), heartbeat=100.0, now=120.0)
    assert not alive(host_identity(), _dead_pid(), heartbeat=100.0, now=101.0)
    assert not alive(None, _dead_pid(), None)  # a run recorded before heartbeats: its pid says


ADD_RUNS = '''
import sys, time
from specrun.runtime.storage.base import DagsterRun
from specrun.runtime.storage import open_run_storage
store = open_run_storage(sys.argv[1])
start = float(sys.argv[3])
while time.time() < start:
    time.sleep(0.001)
for i in range(25):
    store.add_run(DagsterRun(f"{sys.argv[2]}-{i}", "job"))
'''


def test_run_numbers_stay_unique_when_processes_add_runs_at_once(store, sql_url):
    import time

    from specrun.runtime.storage.schema import runs

    start = str(time.time() + 3)  # every process has opened the store by then
    procs = [subprocess.Popen([sys.executable, "-c", ADD_RUNS, sql_url, f"p{n}", start]) for n in range(6)]
    assert [p.wait(timeout=120) for p in procs] == [0] * 6
    with store.engine.connect() as conn:
        seqs = [r.seq for r in conn.execute(runs.select())]
    assert len(seqs) == 150
    assert len(set(seqs)) == 150
    assert [r.run_id for r in store.get_runs(limit=1)][0].endswith("-24")


def test_an_unfinished_run_of_another_host_is_failed_only_when_its_heartbeat_stops(store, monkeypatch):
    from specrun.runtime.storage.schema import runs

    store.add_run(DagsterRun("far", "job", DagsterRunStatus.STARTED, pid=1))
    with store.engine.begin() as conn:
        conn.execute(runs.update().values(host="another-host"))
    monkeypatch.setenv("SPECRUN_HEARTBEAT_TIMEOUT", "3600")
    assert store.mark_interrupted_runs() == []
    monkeypatch.setenv("SPECRUN_HEARTBEAT_TIMEOUT", "0.000001")
    assert store.mark_interrupted_runs() == ["far"]
    assert store.get_run("far").status is DagsterRunStatus.FAILURE
    [failure] = store.get_events("far")
    assert "on another-host) sent no heartbeat" in failure.message


def test_a_materialization_record_gives_back_its_runs_lease_in_the_same_write(store):
    from specrun.runtime.definitions.keys import AssetKey
    from specrun.runtime.definitions.results import AssetMaterialization
    from specrun.runtime.events import DagsterEventType as ET, Event

    def mat(run_id, key, partition=None):
        return Event(ET.ASSET_MATERIALIZATION, run_id, "j", key, "m", AssetMaterialization(AssetKey(key), partition=partition))

    assert store.take_leases([("a", ""), ("b", ""), ("p", "2024")], "run-1") == {}
    assert store.take_leases([("c", "")], "run-2") == {}
    store.store_events([mat("run-1", "a"), mat("run-1", "p", "2024"), mat("run-1", "c")])
    assert store.take_leases([("a", ""), ("p", "2024")], "run-3") == {}  # given back with the records
    assert set(store.take_leases([("b", ""), ("c", "")], "run-3")) == {("b", ""), ("c", "")}  # not these


def test_a_lease_counts_as_given_back_only_while_the_latest_record_is_its_runs(store, sql_url):
    """The record gives the lease back without a delete on SQLite (the row stays until the
    run ends); a later record of the same key by another run (one that took no lease) makes
    the lease held again, as the row says: the holder's record is no longer the latest."""
    from specrun.runtime.definitions.keys import AssetKey
    from specrun.runtime.definitions.results import AssetMaterialization
    from specrun.runtime.events import DagsterEventType as ET, Event
    from specrun.runtime.storage.schema import leases

    def mat(run_id, key, partition=None):
        return Event(ET.ASSET_MATERIALIZATION, run_id, "j", key, "m", AssetMaterialization(AssetKey(key), partition=partition))

    assert store.take_leases([("a", ""), ("p", "1"), ("p", "2")], "run-1") == {}
    store.store_events([mat("run-1", "a"), mat("run-1", "p", "1")])
    with store.engine.connect() as conn:
        rows = sorted((r.asset_key, r.partition, r.run_id) for r in conn.execute(leases.select()))
    if sql_url.startswith("postgresql"):  # deleted in the record's transaction
        assert rows == [("p", "2", "run-1")]
    else:  # kept until the run ends
        assert rows == [("a", "", "run-1"), ("p", "1", "run-1"), ("p", "2", "run-1")]
    assert set(store.take_leases([("p", "1"), ("p", "2")], "run-2")) == {("p", "2")}  # the other partition
    store.store_events([mat("run-3", "a")])  # a run without leases records a after run-1
    if not sql_url.startswith("postgresql"):
        assert set(store.take_leases([("a", "")], "run-2")) == {("a", "")}
    store.release_leases("run-1")
    assert store.take_leases([("a", ""), ("p", "1"), ("p", "2")], "run-2") == {}
    store.store_events([mat("run-2", "p", "2")])
    assert store.take_leases([("p", "2")], "run-4") == {}  # taken over: its old row is replaced
    with store.engine.connect() as conn:
        held = sorted((r.asset_key, r.partition, r.run_id) for r in conn.execute(leases.select()))
    assert ("p", "2", "run-4") in held and ("p", "2", "run-2") not in held


def test_releasing_hands_the_thread_only_leases_no_record_gave_back(store):
    from specrun.runtime.definitions.keys import AssetKey
    from specrun.runtime.definitions.results import AssetMaterialization
    from specrun.runtime.events import DagsterEventType as ET, Event
    from specrun.runtime.leases import RunLease

    lease = RunLease(store, "run-1")
    lease.acquire({"s1": [("a", ""), ("b", "")], "s2": [("c", "")]})
    handle = lease.releasing(lambda event: store.store_events([event]))
    handle(Event(ET.ASSET_MATERIALIZATION, "run-1", "j", "s1", "m", AssetMaterialization(AssetKey("a"))))
    handle(Event(ET.STEP_SUCCESS, "run-1", "j", "s1", "done", None))
    assert lease._pending == [("b", "")]  # b was not materialized: the thread gives it back
    assert store.take_leases([("a", "")], "run-2") == {}
    assert set(store.take_leases([("b", ""), ("c", "")], "run-2")) == {("b", ""), ("c", "")}
    lease.close()
    assert store.take_leases([("b", ""), ("c", "")], "run-2") == {}


def test_a_forked_child_writes_events_on_its_own_connection(store, sql_url):
    """The SQLite event writer keeps one connection per process: a forked child opens its own
    (never touching the parent's), and the parent's still works after the child is gone."""
    from specrun.runtime.definitions.keys import AssetKey
    from specrun.runtime.definitions.results import AssetMaterialization
    from specrun.runtime.events import DagsterEventType as ET, Event

    def mat(run_id, key):
        return Event(ET.ASSET_MATERIALIZATION, run_id, "j", key, "m", AssetMaterialization(AssetKey(key)))

    store.store_events([mat("r1", "parent-before")])
    pid = os.fork()
    if pid == 0:  # the child: write, then leave without running any finalizer
        try:
            store.store_events([mat("r1", "child")])
            os._exit(0)
        except BaseException:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    store.store_events([mat("r1", "parent-after")])
    keys = {k.to_user_string() for k, _ in store.latest_materializations()}
    assert keys == {"parent-before", "child", "parent-after"}
