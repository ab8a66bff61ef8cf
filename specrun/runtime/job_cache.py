"""Work that depends only on a job, done once per job instead of once per run.

A run of a job reuses what an earlier run of the same job object worked out (its plan for
the same partitions and steps, which resources it needs). Entries live as long as the job
does (a weak reference), at most `PER_JOB` of them per job.
"""

from __future__ import annotations

import weakref
from typing import Any, Callable, Hashable

PER_JOB = 16
_CACHE: "weakref.WeakKeyDictionary[Any, dict]" = weakref.WeakKeyDictionary()
_MISSING = object()
# The job asked about last and its entries: a run asks once per asset step (its version facts,
# see `materializations.py`), and a WeakKeyDictionary look-up makes a new weak reference each
# time. Replaced as one tuple, so a thread reads a matching pair.
_last: tuple[Callable[[], Any], dict] = (lambda: _MISSING, {})


def per_job(job: Any, key: Hashable, build: Callable[[], Any]) -> Any:
    """`build()`, worked out once per (job, key); the oldest entry goes when a job has many."""
    global _last
    last_job, entries = _last
    if last_job() is not job:
        try:
            entries = _CACHE.get(job)
            if entries is None:
                entries = _CACHE[job] = {}
            _last = (weakref.ref(job), entries)
        except TypeError:  # not weakly referenceable (or unhashable): nothing to keep it on
            return build()
    found = entries.get(key, _MISSING)
    if found is _MISSING:
        if len(entries) >= PER_JOB:
            entries.pop(next(iter(entries)))
        found = entries[key] = build()
    return found
