"""Persistent run storage on SQLAlchemy Core: SQLite (default, WAL) or PostgreSQL.

Runs, events (every one, in order), and per (asset, partition) the latest materialization
with its code version, config hash and data versions as columns, so staleness questions
are one SELECT. Event batches are written in one transaction. The schema is versioned;
`migrate` brings an older store up to date when it is opened.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from typing import Any, Callable, Iterable, Optional, Sequence

import sqlalchemy as sa

from ...errors import StorageError
from ..definitions.keys import AssetKey
from ..events import DagsterEventType, Event, RunFailureData
from .. import versioning as v
from .base import DagsterRun, DagsterRunStatus, MaterializationVersions, RunStorage
from .dynamic import SqlDynamicPartitions
from .layout import pid_alive
from .leases import SqlLeases, alive, host_identity
from .schema import (SCHEMA_VERSION, checks, dynamic_partitions, events, leases, materializations, migrate,
                     runs, runs_seq)
from .serde import dumps, loads
from .sqlite_writer import SqliteWriter, begin, file_of, setup_connection
from .stored import stored_facts
from .upsert import upsert

__all__ = ["SCHEMA_VERSION", "SqlRunStorage", "migrate"]


def _mask(url: str) -> str:
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)


def _engine_url(url: str) -> str:
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


class SqlRunStorage(SqlDynamicPartitions, SqlLeases, RunStorage):
    """RunStorage on a SQLAlchemy URL."""

    _dynamic_partitions = dynamic_partitions
    _leases = leases
    _runs = runs
    shared = True

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            self.engine = self._create_engine(url)
            self._sqlite = SqliteWriter(file_of(url), self.engine) if url.startswith("sqlite:") else None
            found: list[int] = []
            migrate(self.engine, found)
            self.new_history = found == [0]  # the store had no history: missing or emptied
        except StorageError as e:
            raise StorageError(f"cannot open run storage at {_mask(url)}: {e}") from None
        except (sa.exc.SQLAlchemyError, OSError, ImportError) as e:
            raise StorageError(f"cannot open run storage at {_mask(url)}: {_short(e)}") from e

    @staticmethod
    def _create_engine(url: str) -> sa.engine.Engine:
        if url.startswith("sqlite:///"):
            path = url[len("sqlite:///"):]
            if path and path != ":memory:":
                os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
            engine = sa.create_engine(url, connect_args={"timeout": 30})
            sa.event.listen(engine, "connect", lambda conn, _record: setup_connection(conn))
            sa.event.listen(engine, "begin", begin)
            return engine
        return sa.create_engine(_engine_url(url), pool_pre_ping=True)

    def _write(self, fn: Callable[[Any], Any]) -> Any:
        try:
            with self.engine.connect() as conn:
                conn.info["write"] = True
                with conn.begin():
                    return fn(conn)
        except sa.exc.SQLAlchemyError as e:
            raise StorageError(f"writing to run storage at {_mask(self.url)} failed: {_short(e)}") from e

    def _read(self, query: Any) -> list:
        try:
            with self.engine.connect() as conn:
                return list(conn.execute(query))
        except sa.exc.SQLAlchemyError as e:
            raise StorageError(f"reading run storage at {_mask(self.url)} failed: {_short(e)}") from e

    # -- runs ---------------------------------------------------------------------------
    @staticmethod
    def _row(run: DagsterRun) -> dict:
        return {"run_id": run.run_id, "job_name": run.job_name, "status": run.status.value,
                "run_config": json.dumps(run.run_config, default=str), "tags": json.dumps(dict(run.tags)),
                "start_time": run.start_time, "end_time": run.end_time, "parent_run_id": run.parent_run_id,
                "root_run_id": run.root_run_id, "pid": run.pid,
                "step_keys_to_execute": json.dumps(list(run.step_keys_to_execute)) if run.step_keys_to_execute else None}

    @staticmethod
    def _run(row: Any) -> DagsterRun:
        steps = json.loads(row.step_keys_to_execute) if row.step_keys_to_execute else None
        return DagsterRun(row.run_id, row.job_name, DagsterRunStatus(row.status), json.loads(row.run_config or "{}"),
                          json.loads(row.tags or "{}"), row.start_time, row.end_time, row.parent_run_id,
                          row.root_run_id, tuple(steps) if steps else None, row.pid)

    def add_run(self, run: DagsterRun) -> None:
        def insert(conn: Any) -> None:
            if conn.dialect.name == "postgresql":  # max+1 would repeat across concurrent transactions
                seq: Any = runs_seq.next_value()
            else:  # SQLite: the write lock taken at BEGIN makes max+1 safe
                seq = conn.execute(sa.select(sa.func.coalesce(sa.func.max(runs.c.seq), 0))).scalar() + 1
            conn.execute(runs.insert().values(**self._row(run), seq=seq, host=host_identity(),
                                              heartbeat=time.time()))
        self._write(insert)

    def update_run(self, run: DagsterRun) -> None:
        self._write(lambda conn: conn.execute(runs.update().where(runs.c.run_id == run.run_id).values(**self._row(run))))

    def get_run(self, run_id: str) -> Optional[DagsterRun]:
        rows = self._read(sa.select(runs).where(runs.c.run_id == run_id))
        return self._run(rows[0]) if rows else None

    def get_runs(self, limit: Optional[int] = None, job_name: Optional[str] = None,
                 statuses: Optional[Iterable[DagsterRunStatus]] = None) -> list[DagsterRun]:
        query = sa.select(runs).order_by(runs.c.seq.desc())
        if job_name is not None:
            query = query.where(runs.c.job_name == job_name)
        if statuses is not None:
            query = query.where(runs.c.status.in_([s.value for s in statuses]))
        if limit is not None:
            query = query.limit(limit)
        return [self._run(r) for r in self._read(query)]

    # -- events -------------------------------------------------------------------------
    def store_events(self, batch: Sequence[Event]) -> None:
        if not batch:
            return
        rows, mats, evals = [], {}, {}
        for event in batch:
            body = dumps(event)
            data = event.data
            key = data.asset_key.to_user_string() if getattr(data, "asset_key", None) else None
            rows.append({"run_id": event.run_id, "event_type": event.event_type.value, "step_key": event.step_key,
                         "timestamp": event.timestamp, "asset_key": key,
                         "partition": getattr(data, "partition", None), "body": body})
            if event.event_type is DagsterEventType.ASSET_MATERIALIZATION:
                mats[(key, data.partition or "")] = _materialization_row(event, key, body)
            elif event.event_type is DagsterEventType.ASSET_CHECK_EVALUATION:
                evals[(key, data.check_name)] = {"asset_key": key, "check_name": data.check_name,
                                                 "partition": data.partition, "run_id": event.run_id,
                                                 "passed": bool(data.passed), "timestamp": event.timestamp, "body": body}

        # A materialization gives back its run's lease on that (asset, partition) in the
        # transaction that records it (see `runtime/leases.py`).
        released = [{"asset_key": m["asset_key"], "partition": m["partition"], "run_id": m["run_id"]}
                    for m in mats.values()]
        if self._sqlite is not None:
            try:
                self._sqlite.write(rows, list(mats.values()), list(evals.values()), released)
            except sqlite3.Error as e:
                raise StorageError(f"writing to run storage at {_mask(self.url)} failed: {_short(e)}") from e
            return

        def write(conn: Any) -> None:
            conn.execute(events.insert(), rows)
            upsert(conn, materializations, list(mats.values()), ("asset_key", "partition"))
            upsert(conn, checks, list(evals.values()), ("asset_key", "check_name"))
            if released:
                conn.execute(leases.delete().where(sa.and_(*(leases.c[c] == sa.bindparam("_" + c)
                                                             for c in ("asset_key", "partition", "run_id")))),
                             [{"_" + k: v for k, v in r.items()} for r in released])
        self._write(write)

    def get_events(self, run_id: str, of_type: Optional[Iterable[DagsterEventType]] = None) -> list[Event]:
        e = events.c
        query = sa.select(e.id, e.event_type, e.step_key, e.timestamp, e.body).where(e.run_id == run_id).order_by(e.id)
        if of_type is not None:
            query = query.where(e.event_type.in_([t.value for t in of_type]))
        return [_event(row, run_id) for row in self._read(query)]

    def latest_materializations(self, asset_keys: Optional[Iterable[AssetKey]] = None
                                ) -> dict[tuple[AssetKey, Optional[str]], Event]:
        rows = self._latest(materializations, materializations.c.partition, asset_keys)
        return {(AssetKey.from_user_string(key), second or None): event for key, second, event in rows}

    def latest_observations(self, asset_keys: Iterable[AssetKey]
                            ) -> dict[tuple[AssetKey, Optional[str]], Event]:
        """From the event log (observations are few: one per observed source and run)."""
        wanted = [k.to_user_string() for k in asset_keys]
        if not wanted:
            return {}
        e = events.c
        query = (sa.select(e.asset_key, e.partition, e.body)
                 .where(e.event_type == DagsterEventType.ASSET_OBSERVATION.value, e.asset_key.in_(wanted))
                 .order_by(e.id))
        return {(AssetKey.from_user_string(r[0]), r[1] or None): loads(r[2]) for r in self._read(query)}

    def latest_check_evaluations(self, asset_keys: Optional[Iterable[AssetKey]] = None
                                 ) -> dict[tuple[AssetKey, str], Event]:
        rows = self._latest(checks, checks.c.check_name, asset_keys)
        return {(AssetKey.from_user_string(key), second): event for key, second, event in rows}

    def latest_versions(self, asset_keys: Optional[Iterable[AssetKey]] = None
                        ) -> dict[tuple[AssetKey, Optional[str]], MaterializationVersions]:
        """Version columns only: no event body is read (10,000 assets in a few ms)."""
        m = materializations.c
        query = sa.select(m.asset_key, m.partition, m.run_id, m.timestamp, m.code_version, m.config_hash,
                          m.data_version, m.input_data_versions, m.stored)
        if asset_keys is not None:
            wanted = [k.to_user_string() for k in asset_keys]
            if not wanted:
                return {}
            query = query.where(m.asset_key.in_(wanted))
        found = {}
        for r in self._read(query):
            tags = {v.CODE_VERSION_TAG: r.code_version, v.CONFIG_HASH_TAG: r.config_hash,
                    v.DATA_VERSION_TAG: r.data_version, v.INPUT_DATA_VERSIONS_TAG: r.input_data_versions}
            found[(AssetKey.from_user_string(r.asset_key), r.partition or None)] = MaterializationVersions(
                r.run_id, r.timestamp, {k: val for k, val in tags.items() if val is not None},
                json.loads(r.stored) if r.stored else None)
        return found

    def _latest(self, table: sa.Table, second: Any, asset_keys: Optional[Iterable[AssetKey]]) -> list:
        """(asset key, partition or check name, event) rows of a 'latest per key' table."""
        query = sa.select(table.c.asset_key, second, table.c.body)
        if asset_keys is not None:
            wanted = [k.to_user_string() for k in asset_keys]
            if not wanted:
                return []
            query = query.where(table.c.asset_key.in_(wanted))
        return [(r[0], r[1], loads(r[2])) for r in self._read(query)]

    def mark_interrupted_runs(self) -> list[str]:
        """Unfinished runs whose process is gone become FAILURE: on this host, a process that no
        longer exists; on any host, no heartbeat for `leases.stale_after()` seconds."""
        stale = []
        r = runs.c
        query = sa.select(r.run_id, r.host, r.pid, r.heartbeat).where(
            r.status.in_([DagsterRunStatus.STARTED.value, DagsterRunStatus.STARTING.value]))
        for row in self._read(query):
            if alive(row.host, row.pid, row.heartbeat):
                continue
            run = self.get_run(row.run_id)
            if run is None or run.is_finished:
                continue
            stale.append(run.run_id)
            self.store_events([Event(DagsterEventType.RUN_FAILURE, run.run_id, run.job_name, None,
                                     _interrupted(row), RunFailureData(), level=40)])
            self.update_run(run.with_status(DagsterRunStatus.FAILURE))
        for run_id in stale:
            self.release_leases(run_id)
        return stale

    def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
        self.engine.dispose()


def _event(row: Any, run_id: str) -> Event:
    """The stored event of `row`; one whose body cannot be read (damaged, or written by
    something else) becomes an error-level engine event saying so, not a crash of the reader."""
    try:
        return loads(row.body)
    except (ValueError, TypeError, KeyError, AttributeError) as e:
        return Event(DagsterEventType.ENGINE_EVENT, run_id, "", row.step_key,
                     f"event {row.id} ({row.event_type}) in the run storage cannot be read: "
                     f"{type(e).__name__}: {str(e)[:200]}", None, level=40, timestamp=row.timestamp)


def _interrupted(row: Any) -> str:
    if row.heartbeat is not None and (row.host != host_identity() or pid_alive(row.pid or 0)):
        return (f"Run interrupted: the process running it (pid {row.pid} on {row.host}) sent no "
                f"heartbeat for {time.time() - (row.heartbeat or 0):.0f}s.")
    return f"Run interrupted: the process running it (pid {row.pid}) ended before the run finished."


def _materialization_row(event: Event, key: str, body: str) -> dict:
    tags = event.data.tags or {}
    stored = stored_facts(event.data.metadata)
    return {"asset_key": key, "partition": event.data.partition or "", "run_id": event.run_id,
            "timestamp": event.timestamp, "code_version": tags.get(v.CODE_VERSION_TAG),
            "config_hash": tags.get(v.CONFIG_HASH_TAG), "data_version": tags.get(v.DATA_VERSION_TAG),
            "input_data_versions": tags.get(v.INPUT_DATA_VERSIONS_TAG), "body": body,
            "stored": json.dumps(stored) if stored else None}


def _short(e: BaseException) -> str:
    return str(getattr(e, "orig", None) or e).split("\n")[0]
