"""Time limits for steps and runs, and the in-process alarm that enforces them.

A step's limit is its op tag `specrun/timeout` (seconds; `timeout:` of an asset or op in a
spec). Dagster has no step timeout of its own, so the tag is specrun's. A run's limit is
Dagster's run tag `dagster/max_runtime` (also read as `dagster/max_runtime_seconds`, as
Dagster's run monitoring does; `specrun apply --timeout`). Each attempt of a step gets the
whole limit; the wait between retries is not counted.

Who enforces what:
  - multiprocess: the parent watches each step's clock and replaces the worker of a step
    that runs over (it gets SIGTERM, runs its resources' teardown within the grace period,
    then SIGKILL); the run's limit is watched by the same loop.
  - in_process: the step runs in this thread, which cannot be killed, so the limit is a
    SIGALRM that raises `StepTimeout` inside the step's code. That needs the main thread;
    elsewhere step timeouts are refused with a message naming the multiprocess executor.
    Code stuck in C that does not return to Python (a blocking call that retries on
    EINTR) is interrupted only when it returns.
  - the run's limit is also a SIGALRM in the main thread for every executor (it raises
    `RunTimeout` in whatever the run is doing), and checked between events elsewhere.
"""

from __future__ import annotations

import contextlib
import math
import signal
import threading
import time
from typing import Any, Callable, Iterator, Mapping, Optional

STEP_TIMEOUT_TAG = "specrun/timeout"
MAX_RUNTIME_TAG = "dagster/max_runtime"
_MAX_RUNTIME_ALIAS = "dagster/max_runtime_seconds"


class StepTimeout(BaseException):
    """Raised inside an in-process step that ran past its limit (not an `Exception`, so a
    step's own `except Exception` does not swallow it)."""


class RunTimeout(BaseException):
    """Raised in the run's thread when the run ran past its `dagster/max_runtime`."""

    def __init__(self, limit: float) -> None:
        super().__init__(f"the run ran longer than its time limit of {format_seconds(limit)} "
                         f"({MAX_RUNTIME_TAG})")
        self.limit = limit


def format_seconds(seconds: float) -> str:
    return f"{seconds:g} s"


def parse_seconds(value: Any, what: str) -> Optional[float]:
    """`value` as a positive, finite number of seconds (None when unset); anything else is a
    `DefinitionError` naming `what`."""
    if value is None or value == "":
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = math.nan
    if isinstance(value, bool) or not math.isfinite(seconds) or seconds <= 0:
        from ..errors import DefinitionError

        raise DefinitionError(f"{what} must be a positive number of seconds, got {value!r}")
    return seconds


def step_timeout(node: Any) -> Optional[float]:
    """The time limit of each attempt of `node`'s steps, from its op tags (None: none)."""
    tags = {**node.op_def.tags, **node.tags}
    return parse_seconds(tags.get(STEP_TIMEOUT_TAG), f"op tag {STEP_TIMEOUT_TAG!r} of {node.name!r}")


def run_timeout(tags: Mapping[str, Any]) -> Optional[float]:
    """The run's time limit from its tags (None: none)."""
    for name in (MAX_RUNTIME_TAG, _MAX_RUNTIME_ALIAS):
        if tags.get(name) not in (None, ""):
            return parse_seconds(tags[name], f"run tag {name!r}")
    return None


def step_timeout_message(step_key: str, limit: float) -> str:
    return (f'step "{step_key}" timed out: it ran longer than its time limit of '
            f"{format_seconds(limit)} ({STEP_TIMEOUT_TAG})")


def can_alarm() -> bool:
    """SIGALRM handlers can be installed here (the main thread of a Unix process)."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


# Active alarms, outermost first: [monotonic deadline, what to raise, fired]. One ITIMER_REAL
# serves them all; it is set for the nearest deadline that has not fired (an alarm fires once).
_alarms: list[list[Any]] = []
_previous_handler: Any = None


@contextlib.contextmanager
def alarm(seconds: Optional[float], make_error: Callable[[], BaseException]) -> Iterator[None]:
    """Raise `make_error()` in this (main) thread if the block runs longer than `seconds`.
    Nests: the outermost expired alarm wins. A None limit, or a thread other than the main
    one, arms nothing."""
    global _previous_handler
    if seconds is None or not can_alarm():
        yield
        return
    entry = [time.monotonic() + seconds, make_error, False]
    if not _alarms:
        _previous_handler = signal.signal(signal.SIGALRM, _on_alarm)
    _alarms.append(entry)
    _arm()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        _alarms.remove(entry)
        if _alarms:
            _arm()
        else:
            signal.signal(signal.SIGALRM, _previous_handler or signal.SIG_DFL)


def _arm() -> None:
    pending = [deadline for deadline, _, fired in _alarms if not fired]
    if pending:
        signal.setitimer(signal.ITIMER_REAL, max(min(pending) - time.monotonic(), 0.001))


def _on_alarm(signum: int, frame: Any) -> None:
    now = time.monotonic()
    for entry in _alarms:
        if not entry[2] and entry[0] <= now + 0.001:
            entry[2] = True
            raise entry[1]()
    _arm()


def refuse_unenforced_step_timeouts(plan: Any, executor: Any, name: str) -> None:
    """A step time limit the executor cannot enforce is an error before the run, not a
    promise silently broken during it."""
    nodes = {id(step.node): step.node for step in plan.steps.values()}
    timed = sorted(n.name for n in nodes.values() if step_timeout(n) is not None)
    if timed and not getattr(executor, "enforces_step_timeouts", False):
        why = ("the in_process executor stops a step with SIGALRM, which only the main thread "
               "receives (a thread cannot be stopped)" if name == "in_process"
               else f"the {name} executor does not enforce step time limits")
        from ..errors import ExecutionError

        raise ExecutionError(f"{', '.join(timed[:3])} {'has' if len(timed) == 1 else 'have'} a "
                             f"time limit (timeout), but {why}: use the multiprocess executor")
