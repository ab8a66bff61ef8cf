"""A batch's task on a Dask worker (`dask_worker.run_batch_on_worker`), without a cluster: a
worker whose event loop runs in a thread and whose scheduler records what it is asked."""

from __future__ import annotations

import asyncio
import gc
import pickle
import queue
import threading

import pytest

distributed = pytest.importorskip("distributed")

from specrun.runtime.executors import dask_worker  # noqa: E402
from specrun.runtime.executors.dask_reports import ReportServer  # noqa: E402


class _Scheduler:
    """The worker's pooled connection to the scheduler (`worker.scheduler`): its metadata,
    and each call in order. It has no address: a batch cannot open a connection of its own."""

    def __init__(self) -> None:
        self.metadata: dict = {}
        self.calls: list = []

    async def get_metadata(self, keys, default=None):
        self.calls.append(("get", keys))
        return self.metadata.get(tuple(keys), default)

    async def set_metadata(self, keys, value, reply=True):
        self.calls.append(("set", keys, reply))
        self.metadata[tuple(keys)] = value


class _Worker:
    def __init__(self, loop) -> None:
        self.loop = loop
        self.scheduler = _Scheduler()


@pytest.fixture
def worker(monkeypatch):
    from tornado.ioloop import IOLoop

    started = threading.Event()
    loops: list = []

    def run() -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())
        loops.append(IOLoop.current())
        started.set()
        loops[0].start()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    started.wait(10)
    fake = _Worker(loops[0])
    monkeypatch.setattr(distributed, "get_worker", lambda: fake)
    yield fake
    loops[0].add_callback(loops[0].stop)
    thread.join(10)


@pytest.fixture
def server():
    running = ReportServer("127.0.0.1", queue.SimpleQueue())
    yield running
    running.close()


def test_a_batch_reporting_straight_claims_itself_on_the_workers_own_connection_and_opens_none(
        worker, server):
    run = dask_worker.RunRef("run-1", "job", server.where)
    dask_worker.run_batch_on_worker(run, "topic", 3, pickle.dumps([]))
    claim = [dask_worker.CLAIMS, "run-1", "3"]
    assert worker.scheduler.calls == [("get", claim), ("set", claim, False)]  # the claim is told
    assert server.direct == {3}
    assert server.inbox.get(timeout=10) == ("eof", 3)


def test_a_batch_claimed_by_an_earlier_run_of_its_task_returns_at_once(worker, server):
    claim = [dask_worker.CLAIMS, "run-1", "3"]
    worker.scheduler.metadata[tuple(claim)] = True  # its task ran on a worker that died
    run = dask_worker.RunRef("run-1", "job", server.where)
    dask_worker.run_batch_on_worker(run, "topic", 3, b"not read: no step runs")
    assert worker.scheduler.calls == [("get", claim)]
    assert not server.direct  # nor did it reach the parent


class _Payload:
    """A run payload that notes whether the collector is on when it is unpickled and built."""

    seen: list = []

    def __init__(self, fails: bool = False) -> None:
        self.fails = fails

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        _Payload.seen.append(("unpickled", gc.isenabled()))

    def build_context(self) -> str:
        _Payload.seen.append(("built", gc.isenabled()))
        if self.fails:
            raise RuntimeError("no context")
        return "the context"


@pytest.mark.parametrize("fails", [False, True])
def test_a_workers_build_of_its_run_runs_with_the_collector_off_and_leaves_it_on(fails):
    """What the build makes (job, plan, modules) stays alive for the run: no pass scans it."""
    from concurrent.futures import Future

    _Payload.seen.clear()
    built: Future = Future()
    assert gc.isenabled()
    dask_worker._build_context(pickle.dumps(_Payload(fails)), dask_worker.UserCode(), built)
    assert _Payload.seen == [("unpickled", False), ("built", False)] and gc.isenabled()
    if fails:
        assert str(built.exception()) == "no context"
    else:
        assert built.result() == "the context"


def test_a_worker_unpickles_a_runs_plugin_without_importing_the_runtime():
    """A worker unpickles the plugin in its event loop while the parent waits for the
    registration's answer: the runtime is imported by the plugin's build thread instead."""
    import subprocess
    import sys

    plugin = pickle.dumps(dask_worker.RunPlugin("run-1", b"payload", dask_worker.UserCode(("/x",), {})))
    code = ("import pickle, sys, distributed; before = set(sys.modules); "
            f"plugin = pickle.loads({plugin!r}); "
            "print(plugin.run_id, sorted(m for m in set(sys.modules) - before if m.startswith('specrun')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split(" ", 1) == ["run-1", str([
        "specrun", "specrun.errors", "specrun.runtime", "specrun.runtime.executors",
        "specrun.runtime.executors.dask_code", "specrun.runtime.executors.dask_worker"]) + "\n"]
