"""Persistent run storage on SQLAlchemy Core: SQLite (default, WAL) or PostgreSQL.

Runs, events (every one, in order), and per (asset, partition) the latest materialization
with its code version, config hash and data versions as columns, so staleness questions
are one SELECT. Event batches are written in one transaction. The schema is versioned;
`migrate` brings an older store up to date when it is opened.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from typing import Any, Callable, Iterable, Optional, Sequence

import sqlalchemy as sa

from ...errors import StorageError
from ..definitions.keys import AssetKey
from ..events import DagsterEventType, Event, RunFailureData
from .base import DagsterRun, DagsterRunStatus, MaterializationVersions, RunStorage
from .dynamic import SqlDynamicPartitions
from .leases import alive, host_identity
from .schema import (SCHEMA_VERSION, checks, dynamic_partitions, events, leases, materializations, migrate,
                     runs, runs_seq)
from .serde import loads
from .sql_leases import SqlLeases
from .sql_rows import (CHECK_COLUMNS, EVENT_COLUMNS, MATERIALIZATION_COLUMNS, RELEASE_COLUMNS, event_rows,
                       interrupted_message, mask_url as _mask, run_from_row, run_row, short_error as _short,
                       stored_event, version_tags)
from .sqlite_writer import SqliteWriter, begin, file_of, setup_connection
from .upsert import upsert

__all__ = ["SCHEMA_VERSION", "SqlRunStorage", "migrate"]


def _engine_url(url: str) -> str:
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


class SqlRunStorage(SqlDynamicPartitions, SqlLeases, RunStorage):
    """RunStorage on a SQLAlchemy URL."""

    _dynamic_partitions = dynamic_partitions
    _leases = leases
    _runs = runs
    _materializations = materializations
    shared = True

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            self.engine = self.create_engine(url)
            self._sqlite = SqliteWriter(file_of(url), self.engine) if url.startswith("sqlite:") else None
            found: list[int] = []
            migrate(self.engine, found)
            self.new_history = found == [0]  # the store had no history: missing or emptied
        except StorageError as e:
            raise StorageError(f"cannot open run storage at {_mask(url)}: {e}") from None
        except (sa.exc.SQLAlchemyError, OSError, ImportError) as e:
            raise StorageError(f"cannot open run storage at {_mask(url)}: {_short(e)}") from e

    @staticmethod
    def create_engine(url: str) -> sa.engine.Engine:
        """A SQLAlchemy engine on `url`; SQLite connections are set up by `setup_connection`."""
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
    def add_run(self, run: DagsterRun) -> None:
        def insert(conn: Any) -> None:
            if conn.dialect.name == "postgresql":  # max+1 would repeat across concurrent transactions
                seq: Any = runs_seq.next_value()
            else:  # SQLite: the write lock taken at BEGIN makes max+1 safe
                seq = conn.execute(sa.select(sa.func.coalesce(sa.func.max(runs.c.seq), 0))).scalar() + 1
            conn.execute(runs.insert().values(**run_row(run), seq=seq, host=host_identity(),
                                              heartbeat=time.time()))
        self._write(insert)

    def update_run(self, run: DagsterRun) -> None:
        self._write(lambda conn: conn.execute(runs.update().where(runs.c.run_id == run.run_id).values(**run_row(run))))

    def get_run(self, run_id: str) -> Optional[DagsterRun]:
        rows = self._read(sa.select(runs).where(runs.c.run_id == run_id))
        return run_from_row(rows[0]._mapping) if rows else None

    def get_runs(self, limit: Optional[int] = None, job_name: Optional[str] = None,
                 statuses: Optional[Iterable[DagsterRunStatus]] = None) -> list[DagsterRun]:
        query = sa.select(runs).order_by(runs.c.seq.desc())
        if job_name is not None:
            query = query.where(runs.c.job_name == job_name)
        if statuses is not None:
            query = query.where(runs.c.status.in_([s.value for s in statuses]))
        if limit is not None:
            query = query.limit(limit)
        return [run_from_row(r._mapping) for r in self._read(query)]

    # -- events -------------------------------------------------------------------------
    def store_events(self, batch: Sequence[Event]) -> None:
        if not batch:
            return
        rows, mats, evals, released = event_rows(batch)
        if self._sqlite is not None:
            try:
                self._sqlite.write(rows, mats, evals)  # (leases: see `SqliteWriter.write`)
            except sqlite3.Error as e:
                raise StorageError(f"writing to run storage at {_mask(self.url)} failed: {_short(e)}") from e
            return

        def write(conn: Any) -> None:
            conn.execute(events.insert(), [dict(zip(EVENT_COLUMNS, r)) for r in rows])
            upsert(conn, materializations, [dict(zip(MATERIALIZATION_COLUMNS, r)) for r in mats],
                   ("asset_key", "partition"))
            upsert(conn, checks, [dict(zip(CHECK_COLUMNS, r)) for r in evals], ("asset_key", "check_name"))
            if released:
                conn.execute(leases.delete().where(sa.and_(*(leases.c[c] == sa.bindparam("_" + c)
                                                             for c in RELEASE_COLUMNS))),
                             [{"_" + k: v for k, v in zip(RELEASE_COLUMNS, r)} for r in released])
        self._write(write)

    def get_events(self, run_id: str, of_type: Optional[Iterable[DagsterEventType]] = None) -> list[Event]:
        e = events.c
        query = sa.select(e.id, e.event_type, e.step_key, e.timestamp, e.body).where(e.run_id == run_id).order_by(e.id)
        if of_type is not None:
            query = query.where(e.event_type.in_([t.value for t in of_type]))
        return [stored_event(r.id, r.event_type, r.step_key, r.timestamp, r.body, run_id) for r in self._read(query)]

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
            found[(AssetKey.from_user_string(r.asset_key), r.partition or None)] = MaterializationVersions(
                r.run_id, r.timestamp, version_tags(r.code_version, r.config_hash, r.data_version,
                                                    r.input_data_versions),
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
                                     interrupted_message(row.host, row.pid, row.heartbeat), RunFailureData(), level=40)])
            self.update_run(run.with_status(DagsterRunStatus.FAILURE))
        for run_id in stale:
            self.release_leases(run_id)
        return stale

    def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
        self.engine.dispose()
