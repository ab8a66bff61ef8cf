"""The worker side of the Dask executor: what runs inside a Dask worker process.

Imported only where distributed is (the parent when a Dask run starts, and the workers).
Also a Dask preload: `dask worker --preload specrun.runtime.executors.dask_worker SCHEDULER`
starts a worker with the runtime already imported, so a long-running cluster does not pay
the imports in each worker on its first specrun run.
"""

from __future__ import annotations

import importlib
import os
import pickle
import socket
import sys
import threading
from concurrent.futures import Future
from typing import Any, Mapping, NamedTuple, Optional, Sequence

from distributed import WorkerPlugin

from ..events import Event
from .child import FORKSERVER_PRELOAD, RunPayload, safe_event, setup_failure

# run_id -> this worker's context for the run, being built or built.
_CONTEXTS: dict[str, Future] = {}


class UserCode(NamedTuple):
    """Where the parent imported the pipeline's own code from, for workers to import it alike.

    A run's functions are pickled by reference to their modules, so a worker imports those
    modules itself. `paths` are the parent's import folders outside the Python installation
    (a spec's folder, the user's project), in the parent's order; `modules` maps each module
    the parent imported from them to its file.
    """

    paths: tuple[str, ...] = ()
    modules: Mapping[str, str] = {}

    @classmethod
    def of_this_process(cls) -> "UserCode":
        install = tuple(os.path.realpath(p) for p in {sys.prefix, sys.base_prefix, sys.exec_prefix})
        paths, spelled = [], []  # resolved, and as written in sys.path (what __file__ starts with)
        for entry in sys.path:
            written = os.path.abspath(entry or os.getcwd())
            path = os.path.realpath(written)
            if os.path.isdir(path) and not _inside(path, install):
                paths.append(path)
                spelled += [written, path]
        paths = list(dict.fromkeys(paths))
        modules = {}
        for name, module in list(sys.modules.items()):
            file = getattr(module, "__file__", None)
            # A string test first: resolving each of a thousand modules' files took ~20 ms a run.
            if file and name.partition(".")[0] != "specrun" and _inside(file, spelled):
                file = os.path.realpath(file)
                if _inside(file, paths) and not _inside(file, install):
                    modules[name] = file
        return cls(tuple(paths), modules)

    def use(self) -> None:
        """Make this process import the parent's modules from the parent's files where it has them.

        The parent's folders go first on `sys.path`, as the parent had them. A long-running
        worker may hold a module of the same name from another pipeline (two specs, each with
        its own `assets.py`); such a module is dropped so that this run imports its own.
        """
        present = [p for p in self.paths if os.path.isdir(p)]
        sys.path[:] = present + [p for p in sys.path if p not in present]
        for name, file in self.modules.items():
            module = sys.modules.get(name)
            mine = getattr(module, "__file__", None)
            if mine and os.path.realpath(mine) != file and os.path.exists(file):
                del sys.modules[name]

    def hint(self) -> str:
        """What to do when a worker cannot import the pipeline's code."""
        missing = [p for p in self.paths if not os.path.isdir(p)]
        where = f" ({', '.join(missing)} not found there)" if missing else ""
        return (f"the Dask worker on {socket.gethostname()} cannot import the pipeline's code: "
                f"the run's code was imported from {', '.join(self.paths) or 'sys.path'}{where}. "
                "Run the workers where those folders exist (a shared filesystem), or install the "
                "code in the workers' environment")


def _inside(path: str, roots: Sequence[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


class RunPlugin(WorkerPlugin):
    """A Dask worker plugin carrying one run's payload to every worker, even late joiners.

    `setup()` starts building the run's context in a background thread, so that each
    worker's build overlaps the registration and the parent's submitting instead of
    starting with its first task. A worker which cannot load the job fails the steps it is sent (as in
    the multiprocess executor), not the registration. Unregistering it closes the run's
    resources on each worker.
    """

    idempotent = False

    def __init__(self, run_id: str, payload: bytes, code: Optional[UserCode] = None) -> None:
        self.run_id = run_id
        self.payload = payload
        self.code = code or UserCode()

    def setup(self, worker: Any) -> None:
        built: Future = Future()
        _CONTEXTS[self.run_id] = built
        threading.Thread(target=_build_context, args=(self.payload, self.code, built),
                         name=f"specrun-setup-{self.run_id}", daemon=True).start()

    def teardown(self, worker: Any) -> None:
        built = _CONTEXTS.pop(self.run_id, None)
        if built is not None and built.exception() is None:  # waits for a build under way
            built.result().close()


def _build_context(payload: bytes, code: UserCode, built: Future) -> None:
    try:
        with _IMPORTING:  # one run at a time rearranges sys.path and sys.modules
            code.use()
            try:
                run_payload: RunPayload = pickle.loads(payload)
            except ImportError as exc:
                kind = ModuleNotFoundError if isinstance(exc, ModuleNotFoundError) else ImportError
                raise kind(f"{exc}; {code.hint()}", name=exc.name) from None
        built.set_result(run_payload.build_context())
    except BaseException as exc:  # any: a step must never wait forever; it reports this
        built.set_exception(exc)


_IMPORTING = threading.Lock()


class RunRef(NamedTuple):
    """What a task needs to name its run (the whole run record is not sent with each task)."""

    run_id: str
    job_name: str


def run_step_on_worker(run: RunRef, step_key: str, versions: dict,
                       description: Optional[tuple] = None) -> list[Event]:
    """Task body: run one step in this worker, reusing the run's context across tasks."""
    built = _CONTEXTS[run.run_id]
    failed = built.exception()  # waits for the plugin's build if still under way
    if failed is not None:  # the step's failure, like the multiprocess executor's; its own traceback
        return [setup_failure(run, step_key, failed)]
    ctx = built.result()
    ctx.data_versions.update(versions)
    return [safe_event(e) for e in ctx.execute_step(ctx.plan.step_from(step_key, description))]


def dask_setup(worker: Any) -> None:
    """Preload hook Dask calls when a worker started with `--preload` this module starts."""
    for module in FORKSERVER_PRELOAD:
        importlib.import_module(module)
