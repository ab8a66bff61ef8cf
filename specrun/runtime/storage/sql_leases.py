"""The lease and heartbeat methods of the SQLAlchemy run storage (`sql.py`); what a lease is
and when its holder counts as alive is in `leases.py`."""

from __future__ import annotations

import os
import time
from typing import Any, Callable, Iterable, Optional, Sequence

import sqlalchemy as sa

from .leases import Holder, alive, host_identity, not_recorded_by_holder

_LEASE_LOCK = 0x5EC1EA   # PostgreSQL advisory lock key held while leases are taken


class SqlLeases:
    """The lease and heartbeat methods of `SqlRunStorage` (which provides `_write` and
    `_read`, and the tables)."""

    _leases: sa.Table
    _runs: sa.Table
    _materializations: sa.Table
    _write: Callable[..., Any]
    _read: Callable[..., list]

    def take_leases(self, keys: Sequence[tuple[str, str]], run_id: str
                    ) -> dict[tuple[str, str], Holder]:
        """Lease every (asset key, partition) of `keys` to `run_id`, all or none: returns the
        ones held by another live run (nothing was taken then), or {} when all are taken.
        Leases of dead holders are taken over."""
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        table = self._leases

        def take(conn: Any) -> dict[tuple[str, str], Holder]:
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LEASE_LOCK})
            now = time.time()
            held = {}
            assets = sorted({a for a, _ in wanted})
            for chunk in range(0, len(assets), 500):
                rows = conn.execute(sa.select(table).where(table.c.asset_key.in_(assets[chunk:chunk + 500])))
                held.update({(r.asset_key, r.partition): r for r in rows})
            wanted_set = set(wanted)
            busy = {k: Holder(r.run_id, r.host, r.pid) for k, r in held.items()
                    if k in wanted_set and r.run_id != run_id and alive(r.host, r.pid, r.heartbeat, now)}
            if busy:
                busy = not_recorded_by_holder(busy, self._recorded_runs(conn.execute, busy))
            if busy:
                return busy
            mine = [k for k in wanted if k in held]
            for asset, partition in mine:
                conn.execute(table.delete().where(sa.and_(table.c.asset_key == asset,
                                                          table.c.partition == partition)))
            conn.execute(table.insert(), [
                {"asset_key": a, "partition": p, "run_id": run_id, "host": host_identity(),
                 "pid": os.getpid(), "heartbeat": now} for a, p in wanted])
            return {}
        return self._write(take)

    def recorded_runs(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """The run of the latest materialization record of each (asset key, partition) of
        `keys` that has one."""
        return self._recorded_runs(self._read, keys)

    def _recorded_runs(self, execute: Callable[[Any], Iterable[Any]], keys: Iterable[tuple[str, str]]
                       ) -> dict[tuple[str, str], str]:
        table = self._materializations
        assets = sorted({a for a, _ in keys})
        found = {}
        for chunk in range(0, len(assets), 500):
            rows = execute(sa.select(table.c.asset_key, table.c.partition, table.c.run_id).where(
                table.c.asset_key.in_(assets[chunk:chunk + 500])))
            found.update({(r.asset_key, r.partition): r.run_id for r in rows})
        return found

    def release_leases(self, run_id: str, keys: Optional[Sequence[tuple[str, str]]] = None) -> None:
        """Give back `run_id`'s leases on `keys` (all of them when None)."""
        table = self._leases
        if keys is not None and not keys:
            return

        def release(conn: Any) -> None:
            if keys is None:
                conn.execute(table.delete().where(table.c.run_id == run_id))
                return
            for asset, partition in keys:
                conn.execute(table.delete().where(sa.and_(
                    table.c.run_id == run_id, table.c.asset_key == asset, table.c.partition == partition)))
        self._write(release)

    def heartbeat(self, run_id: str) -> None:
        """Say that `run_id` (and its leases) are alive now."""
        now = time.time()

        def beat(conn: Any) -> None:
            conn.execute(self._runs.update().where(self._runs.c.run_id == run_id).values(heartbeat=now))
            conn.execute(self._leases.update().where(self._leases.c.run_id == run_id).values(heartbeat=now))
        self._write(beat)

    def live_runs(self, exclude: str = "") -> list[str]:
        """Ids of unfinished runs other than `exclude` whose holder is alive."""
        runs = self._runs
        rows = self._read(sa.select(runs.c.run_id, runs.c.host, runs.c.pid, runs.c.heartbeat).where(
            runs.c.status.in_(["STARTING", "STARTED", "CANCELING"]), runs.c.run_id != exclude))
        return [r.run_id for r in rows if alive(r.host, r.pid, r.heartbeat)]
