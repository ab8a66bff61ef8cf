"""Pausing the cyclic garbage collector around work that builds many long-lived objects."""

from __future__ import annotations

import contextlib
import functools
import gc
import itertools
import operator
import os
import sys
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
    """The collector's young passes during a run, and while a job is set up for one.

    A run keeps most of what it makes (events, records) until it ends. With Python's own
    thresholds the middle generation's passes scan each survivor of a young pass again (a
    10,000-step chain: 353 young passes, 10-12% of the run). Inside a run that owns its freeze
    (`frozen_while_running`) what a pass finds alive is frozen at once (`_after_each_pass`),
    so no pass scans an object twice. There a pass comes every `RUN_GC_THRESHOLD` new
    objects, over objects made so recently that they are still in the processor's cache, and
    a cycle an op made and dropped is freed within as many. Elsewhere (a job set up before its
    run; a run inside a freeze not its own, whose survivors it could not unfreeze) passes come
    every `SET_UP_GC_THRESHOLD`: what is built there stays alive. A higher threshold of the
    caller's is kept; the thresholds are restored afterwards."""
    before = gc.get_threshold()
    callers = _CALLERS_YOUNG_THRESHOLD[-1] if _CALLERS_YOUNG_THRESHOLD else before[0]
    young = RUN_GC_THRESHOLD if _FROZEN_IN_RUN[0] is not None else SET_UP_GC_THRESHOLD
    _CALLERS_YOUNG_THRESHOLD.append(callers)
    gc.set_threshold(max(callers, young), *before[1:])
    try:
        yield
    finally:
        _CALLERS_YOUNG_THRESHOLD.pop()
        gc.set_threshold(*before)


RUN_GC_THRESHOLD = 2_000
SET_UP_GC_THRESHOLD = 100_000
_CALLERS_YOUNG_THRESHOLD: list = []  # (the young threshold outside the outermost of these)


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
    generation, which only a full pass frees, as is what the run's young passes found alive
    and froze (`young_objects_collected_less`) and left as garbage later: after
    `FULL_PASS_EVERY` such runs without a full pass of the collector's own, a run ends with
    one (`gc.collect()`)."""

    @functools.wraps(fn)
    def frozen(*args: Any, **kwargs: Any) -> Any:
        owned = not freeze_in_effect()
        gc.freeze()
        if owned:
            _FROZEN_IN_RUN[0] = 0
            _FROZEN_LIMIT[0] = RUN_FROZEN_FLOOR + RUN_FROZEN_PER_NODE * len(
                getattr(args[0] if args else None, "nodes", ()))
        try:
            return fn(*args, **kwargs)
        finally:
            if owned:
                _FROZEN_IN_RUN[0] = None
                gc.unfreeze()
                _RUNS_SINCE_FULL_PASS[0] += 1
                if _RUNS_SINCE_FULL_PASS[0] >= FULL_PASS_EVERY:
                    gc.collect()  # (resets the count, through `_after_each_pass`)

    return frozen  # type: ignore[return-value]


FULL_PASS_EVERY = 100
# Objects the interpreter itself froze before specrun was imported: none up to 3.11, a few
# hundred on 3.12 (375 at start-up). Counted as no freeze in effect: else every run on 3.12
# took the interpreter's for a caller's, froze what was alive when it started and never
# unfroze it (19,592 objects after one run, never collected). Up to 3.11 any freeze is a
# caller's, even one made before specrun was imported.
_FROZEN_AT_START = gc.get_freeze_count() if sys.version_info >= (3, 12) else 0


def freeze_for_good() -> None:
    """`gc.freeze()` of what a one-shot command built (the CLI's: it lives until the process
    exits), made known to `freeze_in_effect` by an object frozen with it."""
    global _FROZEN_FOR_GOOD
    if _FROZEN_FOR_GOOD is None:
        _FROZEN_FOR_GOOD = [None]  # (a list: an object the collector always tracks)
    gc.freeze()


def freeze_in_effect() -> bool:
    """Whether objects are frozen now (beyond the interpreter's own, `_FROZEN_AT_START`).

    `gc.get_freeze_count()` says it by walking every frozen object: after the CLI froze a
    compiled 1,000-asset spec (~65,000 objects), ~100,000 cache misses, 5-10 ms of the
    command. While the object `freeze_for_good` froze is still frozen, the answer is yes
    without that walk; it is still frozen while it is in no generation of the collector's:
    `gc.unfreeze()`, whoever calls it, moves every frozen object into the oldest one (the
    only place it can be then), which is then walked once and the object let go."""
    global _FROZEN_FOR_GOOD
    marker = _FROZEN_FOR_GOOD
    if marker is not None:
        if not any(map(operator.is_, gc.get_objects(generation=2), itertools.repeat(marker))):
            return True
        _FROZEN_FOR_GOOD = None
    return gc.get_freeze_count() > _FROZEN_AT_START


# The object `freeze_for_good` froze (None: none, or unfrozen since).
_FROZEN_FOR_GOOD: Any = None
_RUNS_SINCE_FULL_PASS = [0]
# While a run that owns its freeze freezes what its passes find alive: about how many objects
# it froze so far (None otherwise), and how many it may (`RUN_FROZEN_FLOOR` and
# `RUN_FROZEN_PER_NODE` a node of its job: what a run keeps alive itself is 10-21 a node).
_FROZEN_IN_RUN: list = [None]
_FROZEN_LIMIT = [0]
RUN_FROZEN_FLOOR = 20_000
RUN_FROZEN_PER_NODE = 50
_YOUNG_AT_START = [0]


def _after_each_pass(phase: str, info: dict) -> None:
    """(A collector callback.) Inside a run that owns its freeze, what a pass found alive is
    frozen with what existed before the run, until the run ends. What an op keeps alive
    across passes and drops later (a large cyclic structure) would then stay until the run
    ends: once more objects were frozen so than the run itself keeps alive (`_FROZEN_LIMIT`),
    everything is unfrozen and the collector works as Python's own for the rest of the run.

    A full pass, the collector's own or ours, frees what runs left in the oldest generation:
    the count of runs since one starts again; not for a pass while something is frozen,
    which that pass skipped."""
    frozen = _FROZEN_IN_RUN[0]
    if frozen is None:
        if phase == "stop" and info["generation"] == 2 and not freeze_in_effect():
            _RUNS_SINCE_FULL_PASS[0] = 0
    elif phase == "start":
        _YOUNG_AT_START[0] = gc.get_count()[0]  # (the young objects, less older ones freed)
    else:
        gc.freeze()
        _FROZEN_IN_RUN[0] = frozen = frozen + _YOUNG_AT_START[0] - info["collected"]
        if frozen > _FROZEN_LIMIT[0]:
            _FROZEN_IN_RUN[0] = None
            gc.unfreeze()


gc.callbacks.append(_after_each_pass)
if hasattr(os, "register_at_fork"):  # (a worker forked in a run: its own passes free as Python's)
    os.register_at_fork(after_in_child=lambda: _FROZEN_IN_RUN.__setitem__(0, None))
