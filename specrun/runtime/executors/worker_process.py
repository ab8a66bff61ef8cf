"""What a multiprocess worker runs, and how it makes sure it never outlives its run.

A worker dies with the process that started it, three ways over:
  - it closes the descriptors a fork copied from the parent (the parent's ends of every
    worker's pipe, its own included), so an idle worker waiting for work reads end-of-file
    as soon as the parent is gone;
  - on Linux it asks for a parent-death signal (prctl PR_SET_PDEATHSIG): SIGTERM when the
    parent dies, which stops even a busy worker at the next line of Python;
  - a watchdog thread checks getppid() twice a second (for systems without prctl, and for
    code stuck where the signal cannot interrupt it) and exits once the parent has been
    gone for the grace period.
SIGTERM (from the parent when a run is canceled or a step timed out, or from the death
signal) stops the step in progress and runs the resources' teardown; the parent kills a
worker whose teardown takes longer than the grace period. A worker of a dead run that still
manages to write an output writes it under its own data version (see io_managers): the
version a later run recorded is never overwritten.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
import time
from multiprocessing.connection import Connection
from typing import Any, Optional

from ..cancel import leave_signals_to_the_main_thread
from .child import RunPayload, safe_event, setup_failure

# The parent's ends of the pipes of live workers in this process: a worker started by fork
# inherits them and closes its copies first thing.
PARENT_ENDS: set[Connection] = set()
STOPPED_EXIT_CODE = 128 + signal.SIGTERM  # a worker that stopped on SIGTERM after its teardown
_PR_SET_PDEATHSIG = 1
_WATCH_INTERVAL = 0.5


class WorkerStop(SystemExit):
    """Raised in a worker on SIGTERM: the step stops, the resources' teardown runs. A
    SystemExit, so that the step boundary lets it through as it does KeyboardInterrupt."""


def worker_main(payload: RunPayload, conn: Connection, parent_pid: Optional[int],
                grace: float) -> None:
    """Worker loop: build the context once, then run each step key received.

    `parent_pid` is the pid that started this worker (None when a fork server did)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when workers stop
    signal.signal(signal.SIGTERM, _on_sigterm)
    for inherited in list(PARENT_ENDS):
        inherited.close()
    PARENT_ENDS.clear()
    die_with_parent(parent_pid, grace)
    ctx = None
    try:
        while True:
            task = conn.recv()
            if task is None:
                break
            step_key, versions, description = task
            if ctx is None:
                try:
                    ctx = payload.build_context()
                except Exception as exc:  # report it as the step's failure, then stop
                    conn.send(("event", setup_failure(payload.run, step_key, exc)))
                    conn.send(("done", step_key))
                    break
            ctx.data_versions.update(versions)
            for event in ctx.execute_step(ctx.plan.step_from(step_key, description)):
                conn.send_bytes(_event_message(event))
            conn.send(("done", step_key))
    except (EOFError, BrokenPipeError):
        pass
    finally:
        if ctx is not None:
            ctx.close()


def _event_message(event: Any) -> bytes:
    """("event", event) pickled once, as `conn.send` would; an event that does not pickle
    goes as text (`safe_event`, which would otherwise pickle every event twice)."""
    try:
        return pickle.dumps(("event", event), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # a user value in its metadata that cannot cross processes
        return pickle.dumps(("event", safe_event(event)), protocol=pickle.HIGHEST_PROTOCOL)


def _on_sigterm(signum: int, frame: Any) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # teardown is not interrupted twice
    raise WorkerStop(STOPPED_EXIT_CODE)


def die_with_parent(parent_pid: Optional[int], grace: float) -> None:
    """Arrange for this process to end when its parent does (see the module docstring)."""
    parent = os.getppid()
    if parent_pid is not None and parent != parent_pid:
        os._exit(STOPPED_EXIT_CODE)  # the parent died before we got here
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:  # it died between the two checks: no signal will come
            os._exit(STOPPED_EXIT_CODE)
    threading.Thread(target=_watch_parent, args=(parent, grace), daemon=True,
                     name="specrun-parent-watchdog").start()


def _watch_parent(parent: int, grace: float) -> None:
    leave_signals_to_the_main_thread()
    while os.getppid() == parent:
        time.sleep(_WATCH_INTERVAL)
    # Stop as a canceled run's worker stops (a no-op if the death signal did it already);
    # if the teardown is stuck, end the process after the same grace period.
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(grace)
    os._exit(STOPPED_EXIT_CODE)
