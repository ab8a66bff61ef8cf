"""Run storage behaves the same in memory, on SQLite and on PostgreSQL."""

from __future__ import annotations

import multiprocessing
import os
import time

import pytest

from specrun import AssetKey, DagsterInstance, asset, materialize
from specrun.errors import StorageError
from specrun.runtime.definitions.results import AssetCheckEvaluation, AssetMaterialization
from specrun.runtime.events import DagsterEventType as ET
from specrun.runtime.events import ErrorInfo, Event, StepFailureData
from specrun.runtime.storage.base import DagsterRun, DagsterRunStatus
from specrun.runtime import versioning as v


def _run(run_id: str, status=DagsterRunStatus.STARTED, pid=None, job="j") -> DagsterRun:
    return DagsterRun(run_id, job, status, {"ops": {"a": {"config": {"n": 1}}}}, {"team": "data"},
                      start_time=time.time(), pid=pid or os.getpid())


def _mat(run_id: str, key: str, partition=None, code="c1") -> Event:
    tags = {v.CODE_VERSION_TAG: code, v.CONFIG_HASH_TAG: "h", v.DATA_VERSION_TAG: f"d-{run_id}",
            v.INPUT_DATA_VERSIONS_TAG: "{}"}
    return Event(ET.ASSET_MATERIALIZATION, run_id, "j", key, "m",
                 AssetMaterialization(AssetKey(key), None, {"rows": 3}, partition, tags))


def test_runs_round_trip_order_and_filters(storage):
    storage.add_run(_run("r1"))
    storage.add_run(_run("r2", job="other"))
    storage.update_run(_run("r1").with_status(DagsterRunStatus.SUCCESS))
    assert storage.get_run("r1").status is DagsterRunStatus.SUCCESS
    assert storage.get_run("r1").run_config == {"ops": {"a": {"config": {"n": 1}}}}
    assert storage.get_run("r1").tags == {"team": "data"}
    assert [r.run_id for r in storage.get_runs()] == ["r2", "r1"]
    assert [r.run_id for r in storage.get_runs(job_name="other")] == ["r2"]
    assert [r.run_id for r in storage.get_runs(statuses=[DagsterRunStatus.SUCCESS])] == ["r1"]
    assert storage.get_run("nope") is None


def test_events_keep_order_types_and_payloads(storage):
    storage.add_run(_run("r1"))
    failure = Event(ET.STEP_FAILURE, "r1", "j", "a", "failed",
                    StepFailureData(ErrorInfo("ValueError: x", "ValueError", ["  File a.py\n"]), None))
    storage.store_events([Event(ET.RUN_START, "r1", "j"), _mat("r1", "a"), failure])
    events = storage.get_events("r1")
    assert [e.event_type for e in events] == [ET.RUN_START, ET.ASSET_MATERIALIZATION, ET.STEP_FAILURE]
    assert events[1].data.metadata["rows"].value == 3
    assert events[2].data.error.message == "ValueError: x"
    assert [e.event_type for e in storage.get_events("r1", of_type=[ET.STEP_FAILURE])] == [ET.STEP_FAILURE]


def test_latest_materialization_per_asset_and_partition(storage):
    storage.store_events([_mat("r1", "a", "p1", "c1"), _mat("r1", "a", "p2"), _mat("r2", "a", "p1", "c2"),
                          _mat("r2", "b")])
    latest = storage.latest_materializations([AssetKey("a")])
    assert set(latest) == {(AssetKey("a"), "p1"), (AssetKey("a"), "p2")}
    assert latest[(AssetKey("a"), "p1")].data.tags[v.CODE_VERSION_TAG] == "c2"
    assert (AssetKey("b"), None) in storage.latest_materializations()


def test_latest_check_evaluation(storage):
    evaluation = AssetCheckEvaluation(AssetKey("a"), "not_empty", False)
    storage.store_events([Event(ET.ASSET_CHECK_EVALUATION, "r1", "j", "c", "", evaluation)])
    found = storage.latest_check_evaluations([AssetKey("a")])
    assert found[(AssetKey("a"), "not_empty")].data.passed is False


def test_sql_schema_is_versioned_and_migrates_from_empty(sql_url):
    import sqlalchemy as sa

    from specrun.runtime.storage import open_run_storage
    from specrun.runtime.storage.schema import SCHEMA_VERSION, migrate

    store = open_run_storage(sql_url)
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version FROM schema_version")).scalar() == SCHEMA_VERSION
    assert migrate(store.engine) == SCHEMA_VERSION  # running again is a no-op
    store.close()


def test_sql_event_batch_is_one_transaction(sql_url):
    import sqlalchemy as sa

    from specrun.runtime.storage import open_run_storage

    store = open_run_storage(sql_url)
    writer = getattr(store, "_sqlite", None)
    if writer is not None:  # SQLite, written through the driver: watch its statements
        statements: list[str] = []
        if writer.path is not None:  # the writer's own connection
            writer._connection().set_trace_callback(statements.append)
        else:  # a URL with options: connections borrowed from SQLAlchemy's pool
            sa.event.listen(store.engine, "checkout", lambda conn, *_: conn.set_trace_callback(statements.append))
        store.store_events([_mat("r1", f"a{i}") for i in range(50)])
        store.store_events([_mat("r2", "b")])  # on the same connection, kept open
        assert [s for s in statements if s.startswith(("BEGIN", "COMMIT", "ROLLBACK"))] == [
            "BEGIN IMMEDIATE", "COMMIT", "BEGIN IMMEDIATE", "COMMIT"]
    else:
        commits = []
        sa.event.listen(store.engine, "commit", lambda conn: commits.append(1))
        store.store_events([_mat("r1", f"a{i}") for i in range(50)])
        assert len(commits) == 1
    assert len(store.get_events("r1")) == 50
    assert len(store.latest_materializations()) >= 50
    store.close()


def test_sqlite_uses_wal(tmp_path):
    import sqlalchemy as sa

    from specrun.runtime.storage import open_run_storage

    store = open_run_storage("sqlite:///" + str(tmp_path / "db.sqlite"))
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
    store.close()


def _writer(url: str, run_id: str) -> None:
    from specrun.runtime.storage import open_run_storage

    store = open_run_storage(url)
    for i in range(25):
        # add_run reads the highest sequence number, then inserts: a read-then-write
        # transaction that must wait for, not fail on, the other process's writes
        store.add_run(_run(f"{run_id}-{i}"))
        store.store_events([_mat(run_id, f"k{i}_{j}") for j in range(20)])
    store.close()


def test_two_processes_writing_one_sqlite_store_stay_consistent(tmp_path):
    url = "sqlite:///" + str(tmp_path / "shared.db")
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(url, f"run{i}")) for i in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    from specrun.runtime.storage import open_run_storage

    store = open_run_storage(url)
    assert len(store.get_events("run0")) == 500 and len(store.get_events("run1")) == 500
    assert len(store.latest_materializations()) == 500
    seqs = [r.run_id for r in store.get_runs()]
    assert len(seqs) == len(set(seqs)) == 50
    store.close()


def test_interrupted_runs_are_marked_failed(sql_url):
    from specrun.runtime.storage import open_run_storage

    store = open_run_storage(sql_url)
    dead = multiprocessing.get_context("spawn").Process(target=time.sleep, args=(0,))
    dead.start()
    dead.join()
    store.add_run(_run("alive"))
    store.add_run(_run("gone", pid=dead.pid))
    assert store.mark_interrupted_runs() == ["gone"]
    assert store.get_run("gone").status is DagsterRunStatus.FAILURE
    assert "Run interrupted" in store.get_events("gone")[-1].message
    assert store.get_run("alive").status is DagsterRunStatus.STARTED
    store.close()


def test_unopenable_store_is_a_clean_storage_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StorageError, match="cannot open run storage at sqlite:///"):
        DagsterInstance.from_url(f"sqlite:///{blocker}/sub/db.sqlite")


def test_password_is_masked_in_errors():
    with pytest.raises(StorageError) as err:
        DagsterInstance.from_url("postgresql://user:secret@127.0.0.1:1/none")
    assert "secret" not in str(err.value) and "user:***@" in str(err.value)


def test_instance_local_records_materializations_across_instances(tmp_path):
    @asset
    def numbers():
        return [1, 2]

    with DagsterInstance.local(str(tmp_path)) as instance:
        result = materialize([numbers], instance=instance)
        assert result.success
    with DagsterInstance.local(str(tmp_path)) as again:
        event = again.get_latest_materialization_event("numbers")
        assert event.run_id == result.run_id
        assert again.get_run_by_id(result.run_id).status is DagsterRunStatus.SUCCESS
        types = [e.event_type for e in again.all_logs(result.run_id)]
        assert types[0] is ET.RUN_START and types[-1] is ET.RUN_SUCCESS


def test_a_failed_sqlite_event_write_leaves_nothing_half_written(tmp_path, monkeypatch):
    from specrun.runtime.storage import open_run_storage, sqlite_writer

    store = open_run_storage("sqlite:///" + str(tmp_path / "db.sqlite"))
    good = dict(sqlite_writer._POSITIONAL)
    monkeypatch.setitem(sqlite_writer._POSITIONAL, "checks", "INSERT INTO no_such_table VALUES (?, ?, ?, ?, ?, ?, ?)")
    evaluation = Event(ET.ASSET_CHECK_EVALUATION, "r1", "job", "c", "checked",
                       AssetCheckEvaluation(AssetKey("a0"), "positive", True))
    with pytest.raises(StorageError, match="writing to run storage at .* failed: .*no such table"):
        store.store_events([_mat("r1", "a0"), evaluation])
    assert store.get_events("r1") == [] and store.latest_materializations() == {}
    monkeypatch.setattr(sqlite_writer, "_POSITIONAL", good)
    store.store_events([_mat("r1", "a0")])  # the connection is usable again
    assert len(store.get_events("r1")) == 1
    store.close()


def test_latest_observation_per_asset_and_partition_keeps_its_data_version(storage):
    from specrun.runtime.definitions.results import AssetObservation

    def observed(run_id, key, version, partition=None):
        return Event(ET.ASSET_OBSERVATION, run_id, "j", key, "o",
                     AssetObservation(AssetKey(key), partition=partition, tags={v.DATA_VERSION_TAG: version}))

    storage.store_events([observed("r1", "src", "1"), observed("r1", "other", "x"), observed("r2", "src", "2"),
                          observed("r2", "src", "9", "p1"), _mat("r2", "src")])
    found = storage.latest_observations([AssetKey("src")])
    assert {k: e.data.data_version for k, e in found.items()} == {
        (AssetKey("src"), None): "2", (AssetKey("src"), "p1"): "9"}
    assert storage.latest_observations([]) == {}
