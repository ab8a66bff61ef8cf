"""The worker side of the Dask executor: what runs inside a Dask worker process.

Imported only where distributed is (the parent when a Dask run starts, and the workers).
"""

from __future__ import annotations

import pickle
import threading
from typing import Any, NamedTuple

from distributed import WorkerPlugin

from ..events import Event
from .child import RunPayload, safe_event, setup_failure

_PAYLOADS: dict[str, bytes] = {}
_CONTEXTS: dict[str, Any] = {}
_CONTEXTS_LOCK = threading.Lock()


class RunPlugin(WorkerPlugin):
    """A Dask worker plugin carrying one run's payload to every worker, even late joiners.

    The payload stays pickled until a step needs it, so that a worker which cannot load the
    job fails that step (as in the multiprocess executor) rather than the registration.
    Unregistering it closes the run's resources on each worker.
    """

    idempotent = False

    def __init__(self, run_id: str, payload: bytes) -> None:
        self.run_id = run_id
        self.payload = payload

    def setup(self, worker: Any) -> None:
        _PAYLOADS[self.run_id] = self.payload

    def teardown(self, worker: Any) -> None:
        _PAYLOADS.pop(self.run_id, None)
        ctx = _CONTEXTS.pop(self.run_id, None)
        if ctx is not None:
            ctx.close()


def _run_context(run_id: str) -> Any:
    """This worker's context for the run, built by the first task that needs it."""
    ctx = _CONTEXTS.get(run_id)
    if ctx is None:
        with _CONTEXTS_LOCK:  # threads_per_worker > 1: build it once
            ctx = _CONTEXTS.get(run_id)
            if ctx is None:
                payload: RunPayload = pickle.loads(_PAYLOADS[run_id])
                ctx = _CONTEXTS[run_id] = payload.build_context()
    return ctx


class RunRef(NamedTuple):
    """What a task needs to name its run (the whole run record is not sent with each task)."""

    run_id: str
    job_name: str


def run_step_on_worker(run: RunRef, step_key: str, versions: dict) -> list[Event]:
    """Task body: run one step in this worker, reusing the run's context across tasks."""
    try:
        ctx = _run_context(run.run_id)
    except Exception as exc:  # reported as the step's failure, like the multiprocess executor
        return [setup_failure(run, step_key, exc)]
    ctx.data_versions.update(versions)
    return [safe_event(e) for e in ctx.execute_step(ctx.plan.steps[step_key])]
