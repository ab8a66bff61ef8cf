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


def crashing_job(how: str, marker_dir: str, executor_def, resource_defs=None):
    """`dies` ends its process (see `die`) and `after_dies` reads it; `source` -> `doubled` is an
    independent branch. Each step that runs appends its name to `marker_dir/runs`; `dies` writes
    its pid to `marker_dir/dies.pid`; `doubled` returns `[40, its pid]`."""

    def record(step: str) -> None:
        with open(os.path.join(marker_dir, "runs"), "a") as f:
            f.write(f"{step}\n")

    @op
    def dies():
        with open(os.path.join(marker_dir, "dies.pid"), "w") as f:
            f.write(str(os.getpid()))
        die(how)

    @op
    def after_dies(value):
        return value

    @op
    def source():
        record("source")
        return 20

    @op
    def doubled(value):
        record("doubled")
        return [value * 2, os.getpid()]

    @job(executor_def=executor_def, resource_defs=resource_defs or {})
    def crashing():
        after_dies(dies())
        doubled(source())

    return crashing


def steps_by_event(result) -> dict:
    """Event type -> the step keys it happened to, in order."""
    steps: dict = {}
    for event in result.all_events:
        steps.setdefault(event.event_type, []).append(event.step_key)
    return steps
