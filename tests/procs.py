"""What /proc says about processes, for tests (and bench/) that kill things for real."""

from __future__ import annotations

import os
import time
from typing import Callable


def _stat(pid: int) -> list[str]:
    """The fields of /proc/PID/stat after the command name (state, ppid, ...)."""
    with open(f"/proc/{pid}/stat") as fh:
        return fh.read().rsplit(")", 1)[1].split()


def alive(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie waiting to be reaped is not)."""
    try:
        return _stat(pid)[0] != "Z"
    except OSError:
        return False


def children(pid: int) -> list[int]:
    """The pids whose parent is `pid`."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                if int(_stat(int(name))[1]) == pid:
                    found.append(int(name))
            except OSError:
                continue
    return found


def wait_until(what: Callable[[], bool], limit: float = 60.0, every: float = 0.05) -> bool:
    """Poll `what()` until it is true or `limit` seconds have passed (a bound on a hang, not
    a timing assertion); the last answer."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if what():
            return True
        time.sleep(every)
    return what()
