"""Stopping a run that was canceled or ran out of time, in the process that drives it, and
cleaning up its resources (`close_resources`: at the end of every run)."""

from __future__ import annotations

import contextlib
import signal
from typing import Any, Callable, Iterator, Optional

from .events import ET, ErrorInfo, Event
from .timeouts import RunTimeout

_interrupts = 0  # signals `interrupt` turned into a cancel in this process


def interrupt(signum: int, frame: Any) -> None:
    """A signal handler that cancels as Ctrl-C does (KeyboardInterrupt), counting each signal.
    Python runs the handlers of signals that arrived together back to back, and the second
    KeyboardInterrupt replaces the first while it unwinds: only the count says two came."""
    global _interrupts
    _interrupts += 1
    raise KeyboardInterrupt if signum == signal.SIGINT else KeyboardInterrupt(f"signal {signum}")


def interrupts() -> int:
    """How many signals `interrupt` has handled in this process: first the handlers of signals
    that arrived but whose handlers have not run yet. On Python 3.10 the second of two signals
    taken at once could wait for them indefinitely (the first handler raised; bytecode never
    ran the second, only the next C function that checks for signals did), while the main
    thread sat in a wait on its workers. `pthread_sigmask` runs pending handlers after
    changing the mask, here to the mask it already is."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK, ())
    return _interrupts


def leave_signals_to_the_main_thread() -> None:
    """Block SIGINT and SIGTERM in the calling thread (one of specrun's helper threads). The
    kernel gives a process's signal to any thread not blocking it, and one taken by a helper
    only runs its Python handler once the main thread runs bytecode again: a main thread
    waiting on its workers then saw a cancel only when the wait ended (seen with a stopped
    process: both signals sent to it went to the heartbeat thread once it went on)."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})


def close_resources(ctx: Any, record: Any) -> Optional[ErrorInfo]:
    """Clean a run's resources up; a clean-up error is recorded and fails the run."""
    try:
        ctx.close()
    except Exception as exc:  # user clean-up code may raise anything
        info = ErrorInfo.from_exception(exc)
        record(Event(ET.ENGINE_EVENT, ctx.run_id, ctx.job_name,
                     message=f"Resource clean-up failed: {info.message}", data=info, level=40))
        return info
    return None


def stop_run(ctx: Any, stream: Any, record: Any, close: Callable[[Any, Any], Any]) -> None:
    """Stop a canceled or timed-out run: the executor's workers first (closing its event
    stream runs its clean-up: teardown within a grace period), then this process's
    resources. A second interrupt cuts either short, never the recording that follows."""
    for stop in (getattr(stream, "close", None), lambda: close(ctx, record)):
        if stop is None:
            continue
        try:
            stop()
        except KeyboardInterrupt:
            record(Event(ET.ENGINE_EVENT, ctx.run_id, ctx.job_name, level=30,
                         message="Interrupted again while stopping: clean-up was cut short."))
        except RunTimeout:
            pass  # the run's alarm firing during clean-up changes nothing


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM while the end of a canceled run is recorded (they are
    delivered after); a no-op where signal masks do not exist."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)
