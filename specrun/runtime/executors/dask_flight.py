"""The parent side of the Dask executor: steps sent as batches, their reports coming back.

Steps the scheduler (`RunState`) hands out together are sent as a few tasks rather than one
task each: Dask's cost per task (a few hundred µs to ms on the client, the scheduler and a
worker) is most of a short step's cost. A step the scheduler hands out also takes along its
chain, when nothing limits concurrency and the plan adds no steps at run time: the steps
after it in which each is the only one waiting on the step before, and waits on nothing
else. A chain runs in one task, so its links cost no round trip through the client.

A worker reports each step as it ends (`dask_worker.run_batch_on_worker`): its events and
the step starting next come straight to this process (`dask_reports`), or through the
scheduler to this client's topic subscription, so the parent records events as steps end,
not when a batch does. A batch reporting straight is handled as ended once its task has
ended and its connection is read to its end (its last reports are in). When a batch's task ends
without having reported all its steps (its worker died, Dask lost it, it raised), the
parent fails the step that was running, or each of them with the error, and sends again
the steps that never started (at most `MAX_SENDS` times each). No wait is unbounded: the
loop checks the batches' futures whenever `POLL_SECONDS` pass without news.
"""

from __future__ import annotations

import math
import pickle
import queue
import time
from typing import Any, Iterator, Optional

from ..events import DagsterEventType as ET
from ..events import ErrorInfo, Event, StepFailureData
from ..plan_tables import optional_deps
from ..scheduler import RUNNING, STATE_EVENT_TYPES, StepDone
from .child import describe_step, remember_version, upstream_data_versions
from .dask_reports import ReportServer
from .dask_worker import CLAIMS, BatchStep, RunRef, run_batch_on_worker

BATCHES_PER_THREAD = 2  # independent steps released together: about this many tasks per worker thread
MAX_SENDS = 3  # a step whose task is lost before it starts is sent again at most this often
POLL_SECONDS = 5.0
EOF_TIMEOUT = 60.0  # seconds a batch's direct connection may stay open after its task ended
EXCEPTION_TIMEOUT = 60  # seconds to fetch a failed task's exception from the scheduler


class _Batch:
    __slots__ = ("id", "keys", "future", "reported", "following", "started", "closed", "ended")

    def __init__(self, batch_id: int, keys: list[str]) -> None:
        self.id = batch_id
        self.keys = keys
        self.future: Any = None
        self.reported: set[str] = set()
        self.following: Optional[str] = None  # the step the worker said it starts next
        self.started = False  # a report came, so the worker claimed the batch
        self.closed = False  # its direct connection to this process is read to its end
        self.ended: Optional[float] = None  # when its task ended, while its connection is not read to its end


class Flight:
    """Batches in flight on the cluster for one run, fed to and from its `RunState`."""

    def __init__(self, ctx: Any, state: Any, client: Any, topic: str, threads: int,
                 chains: bool, downstream: Any, cluster: "ClusterWatch",
                 reports: Optional[ReportServer] = None, inbox: Optional[queue.SimpleQueue] = None) -> None:
        self.ctx, self.state, self.client, self.topic = ctx, state, client, topic
        self.cluster = cluster
        self.reports = reports  # batches that reach this process report here directly
        self.run = RunRef(ctx.run_id, ctx.job_name, reports.where if reports is not None else None)
        self.threads = max(1, threads)
        self.chains = chains
        self.downstream = downstream  # the plan's: chains are only on when it adds no steps
        self.batches: dict[int, _Batch] = {}
        self.owner: dict[str, _Batch] = {}  # step -> the batch running it, until it reports
        self.early: dict[str, tuple] = {}  # reports of chain steps the scheduler has not handed out yet
        self.sends: dict[str, int] = {}
        self.inbox: "queue.SimpleQueue[tuple]" = inbox if inbox is not None else queue.SimpleQueue()
        self._next_id = 0

    # -- what the client's event loop calls ------------------------------------------
    def on_topic(self, event: tuple) -> None:
        """Subscription handler: (timestamp, message); the scheduler's own messages are dicts."""
        if isinstance(event[1], bytes):
            self.inbox.put(("report", event[1]))

    def _on_done(self, batch_id: int) -> Any:
        return lambda future: self.inbox.put(("done", batch_id))

    # -- sending ----------------------------------------------------------------------
    def is_running(self, key: str) -> bool:
        return key in self.owner

    def submit(self, steps: list[Any]) -> None:
        """Send steps the scheduler handed out (each with its chain, when chains are on)."""
        units = [self._chain(step) for step in steps]
        single = [u[0] for u in units if len(u) == 1]
        groups = [u for u in units if len(u) > 1]
        if single:
            size = math.ceil(len(single) / (self.threads * BATCHES_PER_THREAD))
            groups += [single[i:i + size] for i in range(0, len(single), size)]
        for group in groups:
            self._send(group)

    def _chain(self, step: Any) -> list[Any]:
        chain = [step]
        if not self.chains:
            return chain
        steps, downstream = self.state.steps, self.downstream
        while True:
            after = downstream[chain[-1].key]
            if len(after) != 1 or len(steps[after[0]].upstream_keys) != 1:
                return chain
            if optional_deps(steps[after[0]], steps):  # (the run's scheduler says if it is skipped)
                return chain
            chain.append(steps[after[0]])

    def _send(self, steps: list[Any]) -> None:
        batch = _Batch(self._next_id, [s.key for s in steps])
        self._next_id += 1
        keys = set(batch.keys)
        produced: set = set()  # assets made by earlier steps of the batch: their versions come from there
        sent = []
        for step in steps:
            versions = upstream_data_versions(self.ctx, step)
            if produced:
                versions = {k: v for k, v in versions.items() if k[0] not in produced}
            asset = step.node.asset
            if asset is not None:
                produced |= asset.keys
            sent.append(BatchStep(step.key, step.upstream_keys & keys, step.inputs, versions,
                                  describe_step(self.ctx, step)))
            self.owner[step.key] = batch
            self.sends[step.key] = self.sends.get(step.key, 0) + 1
        self.batches[batch.id] = batch
        # The steps go pickled: Dask would otherwise walk them looking for futures to resolve.
        batch.future = self.client.submit(
            run_batch_on_worker, self.run, self.topic, batch.id, _pickled(sent),
            key=f"specrun-{self.ctx.run_id}-{batch.id}", pure=False)
        batch.future.add_done_callback(self._on_done(batch.id))

    # -- receiving --------------------------------------------------------------------
    def handed_out(self, key: str, todo: list) -> Iterator[Event]:
        """The scheduler handed out `key`, a step already running in a batch (a chain's)."""
        report = self.early.pop(key, None)
        if report is not None:
            yield from self._record(key, report[0], todo)

    def wait(self, todo: list) -> Iterator[Event]:
        """Block for the next news (bounded), then take everything that has come."""
        try:
            item = self.inbox.get(timeout=self.cluster.poll_seconds)
        except queue.Empty:
            item = self._overdue()
            if item is None:
                if self.cluster.gone_too_long(self.client):
                    yield from self._abandon(todo)
                return
        while True:
            kind = item[0]
            if kind == "report":
                yield from self._report(pickle.loads(item[1]), todo)
            elif kind == "done":
                yield from self._done(item[1], todo)
            elif kind == "eof":
                yield from self._eof(item[1], todo)
            else:  # the direct reports' reader failed: no report can come that way any more
                raise item[1]
            try:
                item = self.inbox.get_nowait()
            except queue.Empty:
                return

    def _overdue(self) -> Optional[tuple]:
        """A batch whose future is done but whose done callback never came (none expected),
        or whose direct connection was not closed long after its task ended (its worker's
        host vanished without closing it): handled with the reports that came."""
        now = time.monotonic()
        for batch in self.batches.values():
            if batch.ended is not None:
                if now - batch.ended > EOF_TIMEOUT:
                    batch.closed = True
                    return ("done", batch.id)
            elif batch.future.done():
                return ("done", batch.id)
        return None

    def _report(self, message: tuple, todo: list) -> Iterator[Event]:
        run_id, batch_id, key, events, following = message
        batch = self.batches.get(batch_id)
        if run_id != self.ctx.run_id or batch is None or key in batch.reported:
            return
        batch.reported.add(key)
        batch.following, batch.started = following, True
        if self.state.status.get(key) != RUNNING:  # a chain step not handed out yet
            self.early[key] = (events,)
            return
        yield from self._record(key, events, todo)

    def _record(self, key: str, events: list, todo: list) -> Iterator[Event]:
        self.owner.pop(key, None)
        state = self.state
        for event in events:
            if event.event_type is ET.ASSET_MATERIALIZATION:
                remember_version(self.ctx, event)
            if event.event_type in STATE_EVENT_TYPES:
                todo.extend(state.handle(event))
            yield event
        todo.extend(state.handle(StepDone(key)))

    def _eof(self, batch_id: int, todo: list) -> Iterator[Event]:
        """A batch's direct connection is read to its end: its task's end can be handled."""
        batch = self.batches.get(batch_id)
        if batch is not None:
            batch.closed = True
            if batch.ended is not None:
                yield from self._done(batch_id, todo)

    def _done(self, batch_id: int, todo: list) -> Iterator[Event]:
        batch = self.batches.get(batch_id)
        if batch is None:
            return
        if self.reports is not None and batch_id in self.reports.direct and not batch.closed:
            # Its last reports may still be on the way: handled once its connection ends.
            if batch.ended is None:
                batch.ended = time.monotonic()
            return
        if len(batch.reported) < len(batch.keys):
            # Reports the subscription has not delivered (it may start after a fast worker's first).
            for _, message in self.client.get_events(self.topic):
                if isinstance(message, bytes):
                    yield from self._report(pickle.loads(message), todo)
        del self.batches[batch_id]
        missing = [k for k in batch.keys if k not in batch.reported]
        if missing:
            yield from self._recover(batch, missing, todo)
        batch.future.release()

    def _recover(self, batch: _Batch, missing: list[str], todo: list) -> Iterator[Event]:
        future = batch.future
        error = None
        if future.status == "error":
            error = future.exception(timeout=EXCEPTION_TIMEOUT)
        lost = error is None or _is_worker_death(error)
        running = self._running(batch)
        again = []
        for key in missing:
            self.owner.pop(key, None)
            if self.state.status.get(key) != RUNNING:
                continue  # a chain step the scheduler never handed out: it skips it
            if key == running or not lost or self.sends.get(key, 0) >= MAX_SENDS:
                yield from self._fail(key, error, ran=key == running, todo=todo)
            else:
                again.append(self.state.steps[key])
        for step in again:
            self._send([step])

    def _abandon(self, todo: list) -> Iterator[Event]:
        """The cluster has had no worker for too long: fail every step still out there."""
        why = self.cluster.no_workers_message()
        for batch in list(self.batches.values()):
            del self.batches[batch.id]
            batch.future.cancel()
            running = self._running(batch)
            for key in batch.keys:
                self.owner.pop(key, None)
                if key not in batch.reported and self.state.status.get(key) == RUNNING:
                    yield from self._fail(key, None, ran=key == running, todo=todo,
                                          why=None if key == running else why)

    def _running(self, batch: _Batch) -> Optional[str]:
        """The step a batch was running when its task ended unfinished, if it had started one."""
        if batch.started:
            return batch.following
        return batch.keys[0] if self._claimed(batch) else None

    def _claimed(self, batch: _Batch) -> bool:
        return self.client.get_metadata([CLAIMS, self.ctx.run_id, str(batch.id)], default=None) is not None

    def _fail(self, key: str, error: Optional[BaseException], ran: bool, todo: list,
              why: Optional[str] = None) -> Iterator[Event]:
        if error is not None and not _is_worker_death(error):
            info = ErrorInfo.from_exception(error)
            why = info.message
        elif why is not None:
            info = ErrorInfo(why, "NoDaskWorkers")
        else:
            why = ("the Dask worker process running it died before the step finished" if ran else
                   f"its task was lost {self.sends.get(key, 0)} times before the step started "
                   "(the Dask workers it was sent to died)")
            info = ErrorInfo(why, "WorkerProcessDied")
        event = Event(ET.STEP_FAILURE, self.ctx.run_id, self.ctx.job_name, key,
                      f'Execution of step "{key}" failed on the Dask cluster: {why}',
                      StepFailureData(info, None, "crash"), level=40)
        yield from self._record(key, [event], todo)

    def cleanup(self) -> None:
        """Forget the run's batch claims on the scheduler (best effort: the run may be ending
        because the scheduler is gone, and that error is the one to report)."""
        try:
            self.client.set_metadata([CLAIMS, self.ctx.run_id], None)
        except Exception:
            pass


class ClusterWatch:
    """Whether the cluster still has workers, asked when the run has waited without news.

    With no worker, Dask keeps a task waiting for one to join, forever by default. A run
    whose cluster has had no worker for `timeout` seconds (None: wait forever) fails the
    steps it has out there instead, saying which cluster and what to do.
    """

    def __init__(self, where: str, address: str, timeout: Optional[float]) -> None:
        self.where, self.address, self.timeout = where, address, timeout
        self.poll_seconds = POLL_SECONDS if timeout is None else max(0.5, min(POLL_SECONDS, timeout / 2))
        self.since: Optional[float] = None  # when the cluster was first seen without a worker

    def gone_too_long(self, client: Any) -> bool:
        if self.timeout is None:
            return False
        if client.nthreads():  # asked now: the client's own view lags
            self.since = None
            return False
        now = time.monotonic()
        if self.since is None:
            self.since = now
        return now - self.since >= self.timeout

    def no_workers_message(self) -> str:
        return (f"{self.where} has had no worker for {self.timeout:g} s (its workers died or left, "
                f"and none joined), so the step could not start. Start workers with `dask worker "
                f"{self.address}`, or raise the dask executor's `no_workers_timeout` "
                "(null waits for workers as long as it takes)")


def _pickled(steps: list) -> bytes:
    try:
        return pickle.dumps(steps, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):  # a dynamic part: by value
        import cloudpickle

        return cloudpickle.dumps(steps)


def _is_worker_death(error: BaseException) -> bool:
    from distributed.scheduler import KilledWorker

    return isinstance(error, KilledWorker)
