"""Leases and heartbeats in the SQL run storage.

A run holds a lease on each (asset, partition) it is about to materialize, so that a
concurrent run on the same store waits for it instead of computing it again; and a run
heartbeats, so that another process can tell a live run (on any host) from one whose process
died. Both are judged by `alive`: a holder on this host whose process is gone is dead at once;
any other holder is dead once its heartbeat is older than `stale_after()` seconds.
"""

from __future__ import annotations

import os
import socket
import time
from typing import Any, Callable, NamedTuple, Optional, Sequence

import sqlalchemy as sa

from .layout import pid_alive

HEARTBEAT_EVERY = 10.0   # seconds between heartbeats (SPECRUN_HEARTBEAT_INTERVAL)
STALE_AFTER = 120.0      # seconds without one before a holder counts as dead (SPECRUN_HEARTBEAT_TIMEOUT)
_LEASE_LOCK = 0x5EC1EA   # PostgreSQL advisory lock key held while leases are taken


def heartbeat_every() -> float:
    return _seconds("SPECRUN_HEARTBEAT_INTERVAL", HEARTBEAT_EVERY)


def stale_after() -> float:
    return _seconds("SPECRUN_HEARTBEAT_TIMEOUT", STALE_AFTER)


def _seconds(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name) or default)
    except ValueError:
        return default
    return value if 0 < value < 1e6 else default


_IDENTITY: Optional[str] = None


def host_identity() -> str:
    """Who this process's host is, for telling whether a recorded pid can be checked here:
    the host name, the kernel's boot id and the pid namespace (two containers sharing a host
    name still differ). ``SPECRUN_HOST_ID`` overrides it."""
    global _IDENTITY
    override = os.environ.get("SPECRUN_HOST_ID")
    if override:
        return override[:255]
    if _IDENTITY is None:
        parts = [socket.gethostname()]
        try:
            with open("/proc/sys/kernel/random/boot_id") as f:
                parts.append(f.read().strip()[:8])
            parts.append(os.readlink("/proc/self/ns/pid").strip("pid:[]"))
        except OSError:  # not Linux: the host name alone
            pass
        _IDENTITY = "/".join(parts)[:255]
    return _IDENTITY


def alive(host: Optional[str], pid: Optional[int], heartbeat: Optional[float],
          now: Optional[float] = None) -> bool:
    """Whether the holder (a run or a lease) recorded with this host, pid and heartbeat lives."""
    now = time.time() if now is None else now
    if host is None or heartbeat is None:  # written before schema 4: only a local pid says
        return pid is not None and pid_alive(pid)
    if host == host_identity() and pid is not None and not pid_alive(pid):
        return False
    return now - heartbeat < stale_after()


class Holder(NamedTuple):
    """Who holds a lease another run wanted."""

    run_id: str
    host: Optional[str]
    pid: Optional[int]


class SqlLeases:
    """The lease and heartbeat methods of `SqlRunStorage` (which provides `_write` and
    `_read`, and the tables)."""

    _leases: sa.Table
    _runs: sa.Table
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
            busy = {k: Holder(r.run_id, r.host, r.pid) for k, r in held.items()
                    if k in set(wanted) and r.run_id != run_id and alive(r.host, r.pid, r.heartbeat, now)}
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
