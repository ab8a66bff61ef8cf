"""The default run storage: a SQLite file through the standard library's `sqlite3`.

The same tables and rows as the SQLAlchemy storage (`sql.py`), which still opens SQLite URLs
with options and in-memory databases, and PostgreSQL. This one never imports SQLAlchemy on
its way (importing it costs about as much as a whole 1,000-asset `apply` does otherwise),
except to upgrade a store written by an older specrun, or when a caller asks for `engine`.

Every read and write goes through one connection per process (`SqliteWriter`): WAL journal,
``synchronous=NORMAL`` (what that promises: `sqlite_writer.py`), writers take the write lock
at BEGIN. A read is one SELECT in its own read transaction, so it sees every commit before it.
"""

from __future__ import annotations

import itertools
import json
import os
import sqlite3
import time
from typing import Any, Callable, Iterable, Optional, Sequence

from ...errors import StorageError
from ..definitions.keys import AssetKey
from ..events import DagsterEventType, Event, RunFailureData
from .base import DagsterRun, DagsterRunStatus, MaterializationVersions, RunStorage
from .leases import Holder, alive, host_identity, not_recorded_by_holder
from .serde import loads
from .sql_rows import (LIVE_STATUSES, event_rows, interrupted_message, mask_url, run_from_row, run_row, short_error,
                       stored_event, version_tags)
from .sqlite_schema import migrate_with_sqlalchemy, open_schema
from .sqlite_writer import SqliteWriter

_CHUNK = 500  # keys per IN (...) list: well under SQLite's limit of bound parameters
_LEASE_ROWS = 400  # lease rows an INSERT: 2 parameters each and 4 more, under SQLite's old limit of 999


class SqliteRunStorage(RunStorage):
    """RunStorage in the SQLite file at `path` (`url` is its ``sqlite:///`` URL)."""

    shared = True

    def __init__(self, url: str, path: str) -> None:
        self.url = url
        self._engine: Any = None
        self._sqlite = SqliteWriter(path)
        try:
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
            found = self._sqlite.transaction(open_schema)
            if found < 0:  # an older store: upgraded by `schema.migrate`
                versions: list[int] = []
                migrate_with_sqlalchemy(url, versions)()
                found = versions[0]
            self.new_history = found == 0  # the store had no history: missing or emptied
        except StorageError as e:
            self._sqlite.close()
            raise StorageError(f"cannot open run storage at {mask_url(url)}: {e}") from None
        except (sqlite3.Error, OSError) as e:
            self._sqlite.close()
            raise StorageError(f"cannot open run storage at {mask_url(url)}: {short_error(e)}") from e

    @property
    def engine(self) -> Any:
        """A SQLAlchemy engine on the same file (made, and SQLAlchemy imported, when asked for)."""
        if self._engine is None:
            from .sql import SqlRunStorage

            self._engine = SqlRunStorage.create_engine(self.url)
        return self._engine

    def _write(self, fn: Callable[[sqlite3.Connection], Any]) -> Any:
        try:
            return self._sqlite.transaction(fn)
        except sqlite3.Error as e:
            raise StorageError(f"writing to run storage at {mask_url(self.url)} failed: {short_error(e)}") from e

    def _read(self, sql: str, parameters: Sequence[Any] = ()) -> list[sqlite3.Row]:
        try:
            return self._sqlite.read(sql, parameters)
        except sqlite3.Error as e:
            raise StorageError(f"reading run storage at {mask_url(self.url)} failed: {short_error(e)}") from e

    # -- runs ---------------------------------------------------------------------------
    def add_run(self, run: DagsterRun) -> None:
        row = {**run_row(run), "host": host_identity(), "heartbeat": time.time()}

        def insert(conn: sqlite3.Connection) -> None:
            # the write lock taken at BEGIN makes max+1 safe
            row["seq"] = conn.execute("SELECT coalesce(max(seq), 0) FROM runs").fetchone()[0] + 1
            conn.execute(f"INSERT INTO runs ({', '.join(row)}) VALUES ({', '.join(':' + c for c in row)})", row)
        self._write(insert)

    def update_run(self, run: DagsterRun) -> None:
        row = run_row(run)
        assignments = ", ".join(f"{c} = :{c}" for c in row if c != "run_id")
        self._write(lambda conn: conn.execute(f"UPDATE runs SET {assignments} WHERE run_id = :run_id", row))

    def get_run(self, run_id: str) -> Optional[DagsterRun]:
        rows = self._read("SELECT * FROM runs WHERE run_id = ?", (run_id,))
        return run_from_row(rows[0]) if rows else None

    def get_runs(self, limit: Optional[int] = None, job_name: Optional[str] = None,
                 statuses: Optional[Iterable[DagsterRunStatus]] = None) -> list[DagsterRun]:
        where, parameters = [], []
        if job_name is not None:
            where.append("job_name = ?")
            parameters.append(job_name)
        if statuses is not None:
            values = [s.value for s in statuses]
            where.append(f"status IN ({', '.join('?' * len(values))})" if values else "0")
            parameters += values
        sql = "SELECT * FROM runs" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY seq DESC"
        if limit is not None:
            sql += " LIMIT ?"
            parameters.append(int(limit))
        return [run_from_row(r) for r in self._read(sql, parameters)]

    # -- events -------------------------------------------------------------------------
    def store_events(self, batch: Sequence[Event]) -> None:
        if not batch:
            return
        try:
            rows, mats, evals, _ = event_rows(batch)  # (leases: see `SqliteWriter.write`)
            self._sqlite.write(rows, mats, evals)
        except sqlite3.Error as e:
            raise StorageError(f"writing to run storage at {mask_url(self.url)} failed: {short_error(e)}") from e

    def get_events(self, run_id: str, of_type: Optional[Iterable[DagsterEventType]] = None) -> list[Event]:
        sql = "SELECT id, event_type, step_key, timestamp, body FROM events WHERE run_id = ?"
        parameters = [run_id]
        if of_type is not None:
            values = [t.value for t in of_type]
            sql += f" AND event_type IN ({', '.join('?' * len(values))})" if values else " AND 0"
            parameters += values
        return [stored_event(r[0], r[1], r[2], r[3], r[4], run_id) for r in self._read(sql + " ORDER BY id", parameters)]

    def _keyed(self, sql: str, asset_keys: Optional[Iterable[AssetKey]], tail: str = "") -> list[sqlite3.Row]:
        """The rows of `sql` (a SELECT ending in a WHERE clause or none) for `asset_keys`
        (every row when None), asked in chunks."""
        if asset_keys is None:
            return self._read(sql + tail)
        wanted = list(dict.fromkeys(k.to_user_string() for k in asset_keys))
        rows: list[sqlite3.Row] = []
        joiner = " AND " if " WHERE " in sql else " WHERE "
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start:start + _CHUNK]
            rows += self._read(f"{sql}{joiner}asset_key IN ({', '.join('?' * len(chunk))}){tail}", chunk)
        return rows

    def latest_materializations(self, asset_keys: Optional[Iterable[AssetKey]] = None
                                ) -> dict[tuple[AssetKey, Optional[str]], Event]:
        rows = self._keyed("SELECT asset_key, partition, body FROM asset_materializations", asset_keys)
        return {(AssetKey.from_user_string(r[0]), r[1] or None): loads(r[2]) for r in rows}

    def latest_observations(self, asset_keys: Iterable[AssetKey]
                            ) -> dict[tuple[AssetKey, Optional[str]], Event]:
        """From the event log (observations are few: one per observed source and run)."""
        sql = f"SELECT asset_key, partition, body, id FROM events WHERE event_type = " \
              f"'{DagsterEventType.ASSET_OBSERVATION.value}'"
        rows = sorted(self._keyed(sql, asset_keys), key=lambda r: r[3])
        return {(AssetKey.from_user_string(r[0]), r[1] or None): loads(r[2]) for r in rows}

    def latest_check_evaluations(self, asset_keys: Optional[Iterable[AssetKey]] = None
                                 ) -> dict[tuple[AssetKey, str], Event]:
        rows = self._keyed("SELECT asset_key, check_name, body FROM check_evaluations", asset_keys)
        return {(AssetKey.from_user_string(r[0]), r[1]): loads(r[2]) for r in rows}

    def latest_versions(self, asset_keys: Optional[Iterable[AssetKey]] = None
                        ) -> dict[tuple[AssetKey, Optional[str]], MaterializationVersions]:
        """Version columns only: no event body is read."""
        rows = self._keyed("SELECT asset_key, partition, run_id, timestamp, code_version, config_hash, data_version, "
                           "input_data_versions, stored FROM asset_materializations", asset_keys)
        return {(AssetKey.from_user_string(r[0]), r[1] or None): MaterializationVersions(
            r[2], r[3], version_tags(r[4], r[5], r[6], r[7]), json.loads(r[8]) if r[8] else None) for r in rows}

    def mark_interrupted_runs(self) -> list[str]:
        """Unfinished runs whose process is gone become FAILURE: on this host, a process that no
        longer exists; on any host, no heartbeat for `leases.stale_after()` seconds."""
        stale = []
        for row in self._read("SELECT run_id, host, pid, heartbeat FROM runs WHERE status IN (?, ?)",
                              (DagsterRunStatus.STARTED.value, DagsterRunStatus.STARTING.value)):
            if alive(row["host"], row["pid"], row["heartbeat"]):
                continue
            run = self.get_run(row["run_id"])
            if run is None or run.is_finished:
                continue
            stale.append(run.run_id)
            message = interrupted_message(row["host"], row["pid"], row["heartbeat"])
            self.store_events([Event(DagsterEventType.RUN_FAILURE, run.run_id, run.job_name, None, message,
                                     RunFailureData(), level=40)])
            self.update_run(run.with_status(DagsterRunStatus.FAILURE))
        for run_id in stale:
            self.release_leases(run_id)
        return stale

    # -- dynamic partitions -------------------------------------------------------------
    def add_dynamic_partitions(self, name: str, keys: Sequence[str]) -> None:
        def insert(conn: sqlite3.Connection) -> None:  # under the write lock: no one adds in between
            have = set()
            for start in range(0, len(keys), _CHUNK):
                chunk = list(keys[start:start + _CHUNK])
                have |= {r[0] for r in conn.execute(
                    "SELECT partition FROM dynamic_partitions WHERE partitions_def_name = ? AND partition IN "
                    f"({', '.join('?' * len(chunk))})", [name, *chunk])}
            new = [k for k in dict.fromkeys(keys) if k not in have]
            conn.executemany("INSERT INTO dynamic_partitions (partitions_def_name, partition) VALUES (?, ?)",
                             [(name, k) for k in new])
        self._write(insert)

    def get_dynamic_partitions(self, name: str) -> list[str]:
        return [r[0] for r in self._read(
            "SELECT partition FROM dynamic_partitions WHERE partitions_def_name = ? ORDER BY id", (name,))]

    def has_dynamic_partition(self, name: str, key: str) -> bool:
        return bool(self._read("SELECT id FROM dynamic_partitions WHERE partitions_def_name = ? AND partition = ?",
                               (name, key)))

    def delete_dynamic_partition(self, name: str, key: str) -> None:
        self._write(lambda conn: conn.execute(
            "DELETE FROM dynamic_partitions WHERE partitions_def_name = ? AND partition = ?", (name, key)))

    # -- leases and heartbeats (see `leases.py`) ------------------------------------------
    def take_leases(self, keys: Sequence[tuple[str, str]], run_id: str) -> dict[tuple[str, str], Holder]:
        """Lease every (asset key, partition) of `keys` to `run_id`, all or none: returns the
        ones held by another live run (nothing was taken then), or {} when all are taken.
        Leases of dead holders are taken over."""
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}

        def take(conn: sqlite3.Connection) -> dict[tuple[str, str], Holder]:
            now = time.time()
            held = {}
            assets = sorted({a for a, _ in wanted})
            for start in range(0, len(assets), _CHUNK):
                chunk = assets[start:start + _CHUNK]
                rows = conn.execute("SELECT asset_key, partition, run_id, host, pid, heartbeat FROM leases WHERE "
                                    f"asset_key IN ({', '.join('?' * len(chunk))})", chunk)
                held.update({(r[0], r[1]): r[2:] for r in rows})
            wanted_set = set(wanted)
            busy = {k: Holder(r[0], r[1], r[2]) for k, r in held.items()
                    if k in wanted_set and r[0] != run_id and alive(r[1], r[2], r[3], now)}
            if busy:
                busy = not_recorded_by_holder(busy, _recorded_runs(conn.execute, busy))
            if busy:
                return busy
            conn.executemany("DELETE FROM leases WHERE asset_key = ? AND partition = ?",
                             [k for k in wanted if k in held])
            held_by = (run_id, host_identity(), os.getpid(), now)
            for start in range(0, len(wanted), _LEASE_ROWS):  # the holder's columns bound once a statement
                chunk = wanted[start:start + _LEASE_ROWS]
                conn.execute("INSERT INTO leases (asset_key, partition, run_id, host, pid, heartbeat) SELECT column1, "
                             f"column2, ?, ?, ?, ? FROM (VALUES {', '.join(['(?, ?)'] * len(chunk))})",
                             [*held_by, *itertools.chain.from_iterable(chunk)])
            return {}
        return self._write(take)

    def recorded_runs(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """The run of the latest materialization record of each (asset key, partition) of
        `keys` that has one."""
        return _recorded_runs(self._read, keys)

    def release_leases(self, run_id: str, keys: Optional[Sequence[tuple[str, str]]] = None) -> None:
        """Give back `run_id`'s leases on `keys` (all of them when None)."""
        if keys is not None and not keys:
            return

        def release(conn: sqlite3.Connection) -> None:
            if keys is None:
                conn.execute("DELETE FROM leases WHERE run_id = ?", (run_id,))
            else:
                conn.executemany("DELETE FROM leases WHERE run_id = ? AND asset_key = ? AND partition = ?",
                                 [(run_id, a, p) for a, p in keys])
        self._write(release)

    def heartbeat(self, run_id: str) -> None:
        """Say that `run_id` (and its leases) are alive now."""
        now = time.time()

        def beat(conn: sqlite3.Connection) -> None:
            conn.execute("UPDATE runs SET heartbeat = ? WHERE run_id = ?", (now, run_id))
            conn.execute("UPDATE leases SET heartbeat = ? WHERE run_id = ?", (now, run_id))
        self._write(beat)

    def live_runs(self, exclude: str = "") -> list[str]:
        """Ids of unfinished runs other than `exclude` whose holder is alive."""
        rows = self._read("SELECT run_id, host, pid, heartbeat FROM runs WHERE status IN (?, ?, ?) AND run_id != ?",
                          (*LIVE_STATUSES, exclude))
        return [r[0] for r in rows if alive(r[1], r[2], r[3])]

    def checkpoints_deferred(self) -> Any:
        return self._sqlite.checkpoints_deferred()

    def close(self) -> None:
        self._sqlite.close()
        if self._engine is not None:
            self._engine.dispose()


def _recorded_runs(execute: Callable[[str, Sequence[Any]], Iterable[Any]], keys: Iterable[tuple[str, str]]
                   ) -> dict[tuple[str, str], str]:
    """The run of the latest materialization record of each (asset key, partition) of `keys`
    that has one (`execute`: a connection's, or the storage's read)."""
    assets = sorted({a for a, _ in keys})
    found = {}
    for start in range(0, len(assets), _CHUNK):
        chunk = assets[start:start + _CHUNK]
        found.update({(r[0], r[1]): r[2] for r in execute(
            f"SELECT asset_key, partition, run_id FROM asset_materializations WHERE asset_key IN "
            f"({', '.join('?' * len(chunk))})", chunk)})
    return found
