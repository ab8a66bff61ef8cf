"""Leases and heartbeats in the SQL run storages: what they are and when a holder is alive.

A run holds a lease on each (asset, partition) it is about to materialize, so that a
concurrent run on the same store waits for it instead of computing it again; and a run
heartbeats, so that another process can tell a live run (on any host) from one whose process
died. Both are judged by `alive`: a holder on this host whose process is gone is dead at once;
any other holder is dead once its heartbeat is older than `stale_after()` seconds. A live
holder's lease is given back by its own materialization record of that (asset, partition)
(`not_recorded_by_holder`), committed with the record; SQLite leaves the row until the run
ends, sparing a step's commit the delete.
"""

from __future__ import annotations

import os
import time
from typing import NamedTuple, Optional

from .layout import host_name, pid_alive

HEARTBEAT_EVERY = 10.0   # seconds between heartbeats (SPECRUN_HEARTBEAT_INTERVAL)
STALE_AFTER = 120.0      # seconds without one before a holder counts as dead (SPECRUN_HEARTBEAT_TIMEOUT)


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
        parts = [host_name()]
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


def not_recorded_by_holder(busy: dict[tuple[str, str], Holder],
                           recorded: dict[tuple[str, str], str]) -> dict[tuple[str, str], Holder]:
    """`busy` without the leases their holder gave back with its materialization record:
    the latest record of that (asset key, partition) is the holder run's (`recorded`: the
    run of each latest record)."""
    return {k: h for k, h in busy.items() if recorded.get(k) != h.run_id}
