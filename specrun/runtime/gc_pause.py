"""Pausing the cyclic garbage collector around work that builds many long-lived objects."""

from __future__ import annotations

import contextlib
import functools
import gc
from typing import Any, Callable, Iterator, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """Compiling a spec or planning a run builds large trees of objects that all stay alive;
    the collector would rescan them again and again (a third of the time for 10,000 assets).
    Reference counting still frees everything that is not cyclic."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextlib.contextmanager
def young_objects_collected_less() -> Iterator[None]:
    """A run keeps most of what it makes (events, records) until it ends, so the collector's
    frequent passes over young objects find little garbage: measured on a 10,000-step chain,
    353 young-generation passes took 10-12% of the run. With the young generation's threshold
    raised for the run, 2 passes remain (4-6%); cycles in user code are still collected, every
    `RUN_GC_THRESHOLD` allocations, and the thresholds are restored after the run."""
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], RUN_GC_THRESHOLD), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


RUN_GC_THRESHOLD = 100_000


def frozen_while_running(fn: F) -> F:
    """Run `fn` with the objects alive before it frozen (`gc.freeze`): definitions and modules
    never become garbage during a run, and the collector's passes would rescan them.

    Unfrozen again when `fn` returns or raises, if no freeze was in effect before it: a frozen
    object is never collected, so garbage cycles that happened to exist when a run started
    (a user's, a previous run's) would otherwise be kept for the life of the process, one
    batch per run. A freeze in effect before (the CLI's, or the user's own) is left as it is.

    Freezing also zeroes the collector's count of new objects, so runs in quick succession
    keep its automatic passes from ever starting (300 runs of a 20-op job whose ops each make
    a cycle: 6,000 cycles alive, no pass of any generation). Unfrozen, they are in the oldest
    generation, which only a full pass frees: after `FULL_PASS_EVERY` such runs without a
    full pass of the collector's own, a run ends with one (`gc.collect()`)."""

    @functools.wraps(fn)
    def frozen(*args: Any, **kwargs: Any) -> Any:
        owned = gc.get_freeze_count() == 0
        gc.freeze()
        try:
            return fn(*args, **kwargs)
        finally:
            if owned:
                gc.unfreeze()
                _RUNS_SINCE_FULL_PASS[0] += 1
                if _RUNS_SINCE_FULL_PASS[0] >= FULL_PASS_EVERY:
                    gc.collect()  # (resets the count, through `_count_full_passes`)

    return frozen  # type: ignore[return-value]


FULL_PASS_EVERY = 100
_RUNS_SINCE_FULL_PASS = [0]


def _count_full_passes(phase: str, info: dict) -> None:
    """(A collector callback.) A full pass, the collector's own or ours, frees what frozen
    runs left in the oldest generation: the count of runs since one starts again."""
    if phase == "stop" and info["generation"] == 2:
        _RUNS_SINCE_FULL_PASS[0] = 0


gc.callbacks.append(_count_full_passes)
