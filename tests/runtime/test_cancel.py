"""Stopping a canceled run: signals counted by `interrupt`, and helper threads that leave
signals to the main thread. Real signals, sent to this process."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time

import pytest

from specrun import asset, multiprocess_executor, resource
from specrun.runtime import cancel
from specrun.runtime.api import execute_run
from specrun.runtime.definitions.jobs import build_asset_job
from specrun.runtime.events import DagsterEventType as ET

pytestmark = pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="POSIX signals")


@contextlib.contextmanager
def _handled_by_interrupt():
    before = {s: signal.signal(s, cancel.interrupt) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)


def _blocked_in(thread: threading.Thread) -> set[int]:
    """The signals `thread` blocks, read from /proc (as the kernel sees them)."""
    with open(f"/proc/self/task/{thread.native_id}/status") as fh:
        mask = int(next(line for line in fh if line.startswith("SigBlk:")).split()[1], 16)
    return {signum for signum in range(1, 65) if mask >> (signum - 1) & 1}


def test_interrupt_counts_each_signal_and_raises_keyboard_interrupt():
    with _handled_by_interrupt():
        before = cancel.interrupts()
        with pytest.raises(KeyboardInterrupt) as term:
            signal.raise_signal(signal.SIGTERM)
        with pytest.raises(KeyboardInterrupt) as ctrl_c:
            signal.raise_signal(signal.SIGINT)
    assert cancel.interrupts() - before == 2
    assert str(term.value) == f"signal {int(signal.SIGTERM)}"
    assert ctrl_c.value.args == ()  # as Python's own Ctrl-C


@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="reads /proc")
def test_a_helper_thread_blocks_the_cancel_signals_and_the_main_thread_does_not():
    ready, done = threading.Event(), threading.Event()

    def helper():
        cancel.leave_signals_to_the_main_thread()
        ready.set()
        done.wait(10)

    thread = threading.Thread(target=helper)
    thread.start()
    try:
        assert ready.wait(10)
        assert {signal.SIGINT, signal.SIGTERM} <= _blocked_in(thread)
        assert not {signal.SIGINT, signal.SIGTERM} & _blocked_in(threading.main_thread())
    finally:
        done.set()
        thread.join()


class _SecondSignalWhileUnwinding:
    """Sends SIGINT as the first signal's KeyboardInterrupt leaves the block (as a second
    Ctrl-C pressed quickly does): its handler runs at the next call, and its KeyboardInterrupt
    replaces the first while it unwinds."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        os.kill(os.getpid(), signal.SIGINT)
        _next_call()
        return False


def _next_call() -> None:
    return None


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="the job's functions are local: fork only")
def test_a_second_signal_raised_while_the_first_unwinds_cuts_the_workers_teardown_short(tmp_path):
    """The second KeyboardInterrupt replaces the first before anything has handled it. That
    once counted as one cancel: the worker was asked to run its teardown (60 s here) and the
    run waited out the grace period (20 s). Counted, the second kills the worker at once."""
    marks = tmp_path / "marks"
    marks.mkdir()

    @resource
    def conn(init_context):
        yield "connection"
        (marks / "teardown-start").write_text("")
        time.sleep(60)

    @asset(required_resource_keys={"conn"})
    def slow(context):
        assert context.resources.conn == "connection"  # (resources are set up on first use)
        (marks / "slow.part").write_text(str(os.getpid()))  # whole, then renamed: the
        os.replace(marks / "slow.part", marks / "slow.pid")  # worker may be killed at once
        time.sleep(60)

    job = build_asset_job("two_signals", [slow], resource_defs={"conn": conn},
                          executor_def=multiprocess_executor)
    logs: list[str] = []

    def on_event(event):
        logs.append(event.message or "")
        if event.event_type is ET.STEP_START:
            deadline = time.monotonic() + 30
            while not (marks / "slow.pid").exists() and time.monotonic() < deadline:
                time.sleep(0.02)
            with _SecondSignalWhileUnwinding():
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(5)  # (the handler raises before this ends)

    config = {"execution": {"config": {"max_concurrent": 1, "teardown_grace_seconds": 20}},
              "resources": {"io_manager": {"config": {"base_dir": str(tmp_path / "store")}}}}
    started = time.monotonic()
    with _handled_by_interrupt(), pytest.raises(KeyboardInterrupt):
        execute_run(job, run_config=config, on_event=on_event)
    assert time.monotonic() - started < 15  # not the 20 s grace period
    worker = int((marks / "slow.pid").read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(worker, 0)
    assert not (marks / "teardown-start").exists()
    assert any("1 did not finish before a second interrupt (20 s) and were killed" in m
               for m in logs), logs
