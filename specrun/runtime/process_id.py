"""This process's id, kept: `os.getpid()` is a system call, and a run asks for it at every
step (each event's pid, the name of the temp file an output is written to, the run storage's
check that its connection was opened by this process).

A forked child sets its own at the fork: `os.register_at_fork` hooks run in every child that
goes on running Python (`os.fork`, and any C code that forks, which must call
`PyOS_AfterFork_Child`); a spawned process imports this module afresh.
"""

from __future__ import annotations

import os

# This process's id as PID[0] (a list, read without a call, set in a forked child).
PID = [os.getpid()]


def _forked() -> None:
    PID[0] = os.getpid()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forked)
