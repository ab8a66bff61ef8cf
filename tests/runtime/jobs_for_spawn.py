"""Module-level code the executor tests need in child processes (imported or rebuilt there)."""

import ctypes
import faulthandler
import os
import signal

from specrun import fs_io_manager, job, multiprocess_executor, op


@op
def one() -> int:
    return 1


@op
def plus_one(x: int) -> int:
    return x + 1


@job(executor_def=multiprocess_executor, resource_defs={"io_manager": fs_io_manager})
def spawn_job():
    plus_one(one())


def die(how: str) -> None:
    """End this process abruptly, the way a crashing step does: `exit`, `sigkill` or `segfault`."""
    if how == "exit":
        os._exit(3)
    if how == "sigkill":
        os.kill(os.getpid(), signal.SIGKILL)
    if how == "segfault":
        faulthandler.disable()  # pytest's traceback dump would only add noise; the signal is the same
        ctypes.string_at(0)
    raise AssertionError(f"still alive after {how!r}")
