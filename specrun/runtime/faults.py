"""Kill points for the reliability tests and the soak script (bench/soak.py).

``SPECRUN_KILL_AT=<point>`` makes the process SIGKILL itself when it reaches `<point>`, so a
test can kill a run at the exact moment it wants (right after a stored file was renamed into
place, before its record is committed) instead of hoping a timer lands there. Unset (always,
outside those tests), a kill point costs one comparison.
"""

from __future__ import annotations

import os
import signal

_KILL_AT = os.environ.get("SPECRUN_KILL_AT") or None


def kill_point(name: str) -> None:
    """SIGKILL this process if ``SPECRUN_KILL_AT`` names `name`."""
    if _KILL_AT is not None and _KILL_AT == name:
        os.kill(os.getpid(), signal.SIGKILL)
