"""Kill points for the reliability tests and the soak script (bench/soak.py).

``SPECRUN_KILL_AT=<point>`` makes the process SIGKILL itself when it reaches `<point>`, so a
test can kill a run at the exact moment it wants (right after a stored file was renamed into
place, before its record is committed) instead of hoping a timer lands there. Unset (always,
outside those tests), a kill point costs one comparison.

``SPECRUN_PAUSE_AT=<point>:<file>`` makes the process stop at `<point>`: it creates
``<file>.reached`` and waits (a minute at most) until `<file>` exists, so that a test can make
another process act at that exact moment (a concurrent run collecting a version this one is
about to read).
"""

from __future__ import annotations

import os
import signal
import time

_KILL_AT = os.environ.get("SPECRUN_KILL_AT") or None
_PAUSE_AT = os.environ.get("SPECRUN_PAUSE_AT") or None


def kill_point(name: str) -> None:
    """SIGKILL this process if ``SPECRUN_KILL_AT`` names `name`."""
    if _KILL_AT is not None and _KILL_AT == name:
        os.kill(os.getpid(), signal.SIGKILL)


def pause_point(name: str) -> None:
    """Wait here if ``SPECRUN_PAUSE_AT`` names `name` (see the module docstring)."""
    if _PAUSE_AT is None or not _PAUSE_AT.startswith(name + ":"):
        return
    release = _PAUSE_AT[len(name) + 1:]
    with open(release + ".reached", "w"):
        pass
    deadline = time.monotonic() + 60
    while not os.path.exists(release) and time.monotonic() < deadline:
        time.sleep(0.05)
