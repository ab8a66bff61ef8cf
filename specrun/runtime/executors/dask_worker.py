"""The worker side of the Dask executor: what runs inside a Dask worker process.

Imported only where distributed is (the parent when a Dask run starts, and the workers).
Also a Dask preload: `dask worker --preload specrun.runtime.executors.dask_worker SCHEDULER`
starts a worker with the runtime already imported, so a long-running cluster does not pay
the imports in each worker on its first specrun run.

Importing this module imports no more of specrun than its packages, `errors` and
`dask_code`: a worker unpickles the run's plugin (this module's `RunPlugin`) in its event
loop, while the parent waits for every worker's answer to the registration. The runtime is
imported by the plugin's build thread, which needs it (`_build_context`), while the parent
goes on to submit the run's first tasks.
"""

from __future__ import annotations

import importlib
import pickle
import select
import socket
import sys
import threading
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, Mapping, NamedTuple, Optional, Sequence

from distributed import WorkerPlugin
from distributed.comm.core import CommClosedError

from .dask_code import UserCode

if TYPE_CHECKING:
    from ..events import Event
    from .child import RunPayload
    from .dask_reports import DirectLine, Where

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

    def __init__(self, run_id: str, payload: bytes, code: Optional[UserCode] = None,
                 job: Optional[tuple[bytes, bytes]] = None) -> None:
        self.run_id = run_id
        self.payload = payload  # a pickled RunPayload; its job is `job` when that is given
        self.code = code or UserCode()
        self.job = job  # (digest, the job pickled): workers unpickle a job once, not every run

    def setup(self, worker: Any) -> None:
        built: Future = Future()
        _CONTEXTS[self.run_id] = built
        threading.Thread(target=_build_context, args=(self.payload, self.code, built, self.job),
                         name=f"specrun-setup-{self.run_id}", daemon=True).start()

    def teardown(self, worker: Any) -> None:
        built = _CONTEXTS.pop(self.run_id, None)
        if built is not None and built.exception() is None:  # waits for a build under way
            built.result().close()


def _build_context(payload: bytes, code: UserCode, built: Future,
                   job: Optional[tuple[bytes, bytes]] = None) -> None:
    try:
        from ..gc_pause import no_gc

        # What is built here (the job, its plan, the modules imported for them) stays alive for
        # the run: the collector's passes would only scan it (`gc_pause.no_gc`).
        with no_gc():
            with _IMPORTING:  # one run at a time rearranges sys.path and sys.modules
                code.use()
                try:
                    run_payload: RunPayload = pickle.loads(payload)
                    if job is not None:
                        run_payload.job = _job_of(job, code)
                except ImportError as exc:
                    kind = ModuleNotFoundError if isinstance(exc, ModuleNotFoundError) else ImportError
                    raise kind(f"{exc}; {code.hint()}", name=exc.name) from None
            context = run_payload.build_context()
        built.set_result(context)
    except BaseException as exc:  # any: a step must never wait forever; it reports this
        built.set_exception(exc)


_IMPORTING = threading.Lock()

# (digest of a pickled job, where its code came from) -> (the job, the modules it was
# unpickled with), for the runs after the first of the same job on this worker: its plan
# (and what else is worked out once per job) is then reused too. The oldest goes when more
# jobs than this have run here.
_JOBS: dict[tuple, tuple] = {}
KEPT_JOBS = 8


def _job_of(job: tuple[bytes, bytes], code: UserCode) -> Any:
    """The job `job` = (digest, pickled) names, unpickled once per job and code: reused
    while the modules it was unpickled with are still the ones imported here (a run of
    another pipeline whose module has the same name replaces it)."""
    digest, pickled = job
    key = (digest, code.paths, tuple(sorted(code.modules.items())))
    found = _JOBS.pop(key, None)
    if found is None or any(sys.modules.get(name) is not module for name, module in found[1]):
        found = (pickle.loads(pickled), tuple((name, sys.modules.get(name)) for name in code.modules))
        while len(_JOBS) >= KEPT_JOBS:
            _JOBS.pop(next(iter(_JOBS)))
    _JOBS[key] = found  # last used goes last
    return found[0]


class RunRef(NamedTuple):
    """What a task needs to name its run (the whole run record is not sent with each task),
    and where its batches report directly (None: through the scheduler)."""

    run_id: str
    job_name: str
    reports: Optional[Where] = None


class BatchStep(NamedTuple):
    """One step of a batch, as the parent sends it: enough for the batch's own scheduler.

    `upstream_keys` are the step's upstream steps inside the batch (the others had finished
    before the batch was sent); `inputs` are the step's inputs as the plan has them (an input
    from outside the batch counts as produced).
    """

    key: str
    upstream_keys: frozenset
    inputs: Mapping[str, Any]
    versions: dict
    description: Optional[tuple]


class _BatchPlan:
    """A batch's steps as a plan the shared `RunState` drives (plan order = batch order)."""

    expand_dynamic = None

    def __init__(self, steps: Sequence[BatchStep]) -> None:
        self.steps = {s.key: s for s in steps}
        self.positions = {s.key: i for i, s in enumerate(steps)}
        self.downstream: dict[str, list[str]] = {s.key: [] for s in steps}
        for s in steps:
            for up in s.upstream_keys:
                self.downstream[up].append(s.key)


# Scheduler metadata under which each batch a worker starts is claimed (see run_batch_on_worker).
CLAIMS = "specrun-batch-claims"


def run_batch_on_worker(run: RunRef, topic: str, batch: int, steps: bytes) -> None:
    """Task body: run a batch of steps (pickled `BatchStep`s) here, one after another,
    reporting each as it ends.

    The batch's steps are independent steps the parent released together, or a chain (each
    step the only one waiting on the one before). What runs next is decided by the same
    `RunState` the parent drives (a step whose upstream failed, or whose input was not
    produced, is not run; the parent reports its skip). Each finished step's events go
    straight to the parent (`dask_reports`), or when it cannot be reached to the scheduler
    under `topic` (the parent's subscription), with the key of the step starting next,
    written before that step starts: once written they arrive even if this process dies
    next, so the parent knows which steps finished and which one was running. Through the
    scheduler, the task ends only once the scheduler has handled them all; straight, the
    parent reads the batch's connection to its end. Dask runs a task again on another
    worker when the one running it dies; the batch's claim in the scheduler's metadata
    makes that second run return at once, so no step runs twice: the parent fails the step
    that was running and sends the steps that never started again. The claim goes over the
    worker's own pooled connection to the scheduler (`_claim`); a batch opens a connection
    of its own to the scheduler (`_Line`) only to report through it.
    """
    from distributed import get_worker

    worker = get_worker()
    claim = [CLAIMS, run.run_id, str(batch)]
    if not _sync(worker, _claim, worker.scheduler, claim):
        return
    from .dask_reports import DirectLine

    direct = DirectLine.open(run.reports, batch)
    line = None if direct is not None else _Line(worker)
    try:
        _run_steps(run, topic, batch, pickle.loads(steps), line, direct, claim)
    finally:
        if direct is not None:  # the parent handles the batch's end after this connection's
            direct.close()
        if line is not None:
            line.close()


async def _claim(scheduler: Any, claim: list[str]) -> bool:
    """Whether this run of a batch's task may run it: no earlier run claimed it. Then it is
    claimed, told (written to the socket before any step starts, no answer awaited)."""
    if await scheduler.get_metadata(keys=claim, default=None) is not None:
        return False
    await scheduler.set_metadata(keys=claim, value=True, reply=False)
    return True


def _sync(worker: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """`fn(*args, **kwargs)` run in the worker's event loop, from the task's thread (bounded)."""
    from distributed.utils import sync

    return sync(worker.loop, fn, *args, callback_timeout=SCHEDULER_TIMEOUT, **kwargs)


def _run_steps(run: RunRef, topic: str, batch: int, steps: Sequence[BatchStep], line: Optional[_Line],
               direct: Optional[DirectLine], claim: list[str]) -> None:
    """Run the batch's steps as its own `RunState` releases them, reporting each as it ends
    (`direct`ly, else through the scheduler on `line`)."""
    from ..scheduler import STATE_EVENT_TYPES, Run, RunState, StepDone

    state = RunState(_BatchPlan(steps), run.run_id, run.job_name, max_concurrent=1)
    todo = state.start()
    while True:
        step = next((i.step for i in todo if i.__class__ is Run), None)
        if step is None:
            if direct is None:
                # Answered once the scheduler has handled the reports before it, so they
                # reach the parent before this task's end does (that goes another way).
                line.ask({"op": "get_metadata", "keys": claim, "default": None})
            return
        events = run_step_on_worker(run, step.key, step.versions, step.description)
        todo = []
        for event in events:
            if event.event_type in STATE_EVENT_TYPES:
                todo.extend(state.handle(event))
        todo.extend(state.handle(StepDone(step.key)))
        following = next((i.step.key for i in todo if i.__class__ is Run), None)
        report = _report(run.run_id, batch, step.key, events, following)
        if direct is not None:
            direct.report(report)
        else:
            line.tell({"op": "log_event", "topic": topic, "msg": report, "reply": False})


def _report(run_id: str, batch: int, key: str, events: list, following: Optional[str]) -> bytes:
    """A step's report as the parent reads it; events that do not pickle are sent as text."""
    try:
        return pickle.dumps((run_id, batch, key, events, following))
    except Exception:  # a user value in an event's metadata that cannot cross processes
        from .child import safe_event

        return pickle.dumps((run_id, batch, key, [safe_event(e) for e in events], following))


class _Line:
    """A batch's own connection to the scheduler, used from the task's thread.

    `tell` returns once the message is written to the socket (no answer is awaited: the
    kernel delivers written bytes even if this process dies next); `ask` waits for the
    answer. Messages on one connection are handled in order. On a plain TCP connection,
    `tell` writes the message's frames to the socket from the task's own thread: a hop to
    the worker's event loop and back cost more than a short step (1-3 ms a step on a loaded
    2-core machine). The loop never writes on this connection while a `tell` runs (an `ask`
    is only made from this same thread), so the two never interleave.
    """

    def __init__(self, worker: Any) -> None:
        from distributed.comm import connect

        self.worker = worker
        self.comm = self._sync(connect, worker.scheduler.address, **worker.connection_args)
        self.socket = _plain_tcp_socket(self.comm)

    def _sync(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        return _sync(self.worker, fn, *args, **kwargs)

    def tell(self, message: dict) -> None:
        if self.socket is None:
            self._sync(self.comm.write, message)
            return
        from distributed import protocol
        from distributed.comm.tcp import _add_frames_header

        comm = self.comm
        context = {"sender": comm.local_info, "recipient": comm.remote_info, **comm.handshake_options}
        frames, _, _ = _add_frames_header(list(protocol.dumps(
            message, on_error="raise", context=context, frame_split_size=comm.max_shard_size)))
        _send_all(self.socket, b"".join(frames))

    def ask(self, message: dict) -> Any:
        async def round_trip() -> Any:
            await self.comm.write(message)
            return await self.comm.read()

        return self._sync(round_trip)

    def close(self) -> None:
        try:
            self._sync(self.comm.close)
        except (OSError, TimeoutError, CommClosedError):  # the scheduler went away: nothing left to close
            pass


def _plain_tcp_socket(comm: Any) -> Optional[socket.socket]:
    """The socket under a plain TCP comm (not TLS, not in-process), or None."""
    try:
        from distributed.comm.tcp import TCP, _add_frames_header  # noqa: F401
    except ImportError:  # another distributed: the event loop writes
        return None
    stream = getattr(comm, "stream", None)
    return stream.socket if type(comm) is TCP and stream is not None else None


def _send_all(sock: socket.socket, data: bytes) -> None:
    """Write all of `data` to a non-blocking socket, waiting (bounded) while its buffer is full."""
    view = memoryview(data)
    while view:
        try:
            view = view[sock.send(view):]
        except BlockingIOError:
            if not select.select([], [sock], [], SCHEDULER_TIMEOUT)[1]:
                raise TimeoutError(f"the Dask scheduler read nothing for {SCHEDULER_TIMEOUT} s")


SCHEDULER_TIMEOUT = 120  # seconds; a scheduler that long silent fails the batch, not the run forever


def run_step_on_worker(run: RunRef, step_key: str, versions: dict,
                       description: Optional[tuple] = None) -> list[Event]:
    """Run one step in this worker, reusing the run's context across tasks; its events
    (as made: the report pickles them, and falls back to `safe_event` only if that fails)."""
    built = _CONTEXTS.get(run.run_id)
    if built is None:
        return [_setup_failure(run, step_key, RuntimeError(
            "the run's payload never reached this Dask worker (it joined after the run started "
            "and the scheduler did not give it the run's plugin)"))]
    failed = built.exception()  # waits for the plugin's build if still under way
    if failed is not None:  # the step's failure, like the multiprocess executor's; its own traceback
        return [_setup_failure(run, step_key, failed)]
    ctx = built.result()
    ctx.data_versions.update(versions)
    return list(ctx.execute_step(ctx.plan.step_from(step_key, description)))


def _setup_failure(run: RunRef, step_key: str, exc: BaseException) -> Event:
    """`child.setup_failure`, imported when a step fails so (not with this module)."""
    from .child import setup_failure

    return setup_failure(run, step_key, exc)


def dask_setup(worker: Any) -> None:
    """Preload hook Dask calls when a worker started with `--preload` this module starts."""
    from .child import FORKSERVER_PRELOAD

    for module in FORKSERVER_PRELOAD:
        importlib.import_module(module)
