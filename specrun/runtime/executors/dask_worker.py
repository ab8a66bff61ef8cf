"""The worker side of the Dask executor: what runs inside a Dask worker process.

Imported only where distributed is (the parent when a Dask run starts, and the workers).
Also a Dask preload: `dask worker --preload specrun.runtime.executors.dask_worker SCHEDULER`
starts a worker with the runtime already imported, so a long-running cluster does not pay
the imports in each worker on its first specrun run.
"""

from __future__ import annotations

import importlib
import pickle
import threading
from concurrent.futures import Future
from typing import Any, NamedTuple

from distributed import WorkerPlugin

from ..events import Event
from .child import RunPayload, safe_event, setup_failure

# run_id -> this worker's context for the run, being built or built.
_CONTEXTS: dict[str, Future] = {}


class RunPlugin(WorkerPlugin):
    """A Dask worker plugin carrying one run's payload to every worker, even late joiners.

    `setup()` starts building the run's context in a background thread, so that each
    worker's build overlaps the registration and the parent's submitting instead of
    starting with its first task. A worker which cannot load the job fails the steps it is sent (as in
    the multiprocess executor), not the registration. Unregistering it closes the run's
    resources on each worker.
    """

    idempotent = False

    def __init__(self, run_id: str, payload: bytes) -> None:
        self.run_id = run_id
        self.payload = payload

    def setup(self, worker: Any) -> None:
        built: Future = Future()
        _CONTEXTS[self.run_id] = built
        threading.Thread(target=_build_context, args=(self.payload, built),
                         name=f"specrun-setup-{self.run_id}", daemon=True).start()

    def teardown(self, worker: Any) -> None:
        built = _CONTEXTS.pop(self.run_id, None)
        if built is not None and built.exception() is None:  # waits for a build under way
            built.result().close()


def _build_context(payload: bytes, built: Future) -> None:
    try:
        run_payload: RunPayload = pickle.loads(payload)
        built.set_result(run_payload.build_context())
    except BaseException as exc:  # any: a step must never wait forever; it reports this
        built.set_exception(exc)


def _run_context(run_id: str) -> Any:
    """This worker's context for the run, waiting for the plugin's build if still under way."""
    return _CONTEXTS[run_id].result()


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


def dask_setup(worker: Any) -> None:
    """Preload hook Dask calls when a worker started with `--preload` this module starts."""
    from .dask import FORKSERVER_PRELOAD

    for module in FORKSERVER_PRELOAD:
        importlib.import_module(module)
