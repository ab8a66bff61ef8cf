"""Stopping a run that was canceled or ran out of time, in the process that drives it."""

from __future__ import annotations

import contextlib
import signal
from typing import Any, Callable, Iterator

from .events import ET, Event
from .timeouts import RunTimeout


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
