"""A job pickled for worker processes, once per job while what its code reads is unchanged.

cloudpickle pickles functions that cannot be imported by name (closures, functions of
`__main__`, op factories) by value: their code, and a snapshot of what they read (globals,
closure cells, defaults). Pickling a job of 200 such ops took most of the parent's time in
a short Dask run. The bytes of an earlier run are sent again only while that snapshot would
pickle the same: each run pickles just the snapshot (`_function_getstate`, what cloudpickle
itself stores besides the code) and compares. A global rebound or a list changed in place
between two runs is seen, as before, by the next run's steps. Definitions themselves are
values (frozen), as everywhere in the runtime. A job with a class pickled by value (a class
defined in `__main__`) is pickled afresh each run: its attributes are not snapshotted.
"""

from __future__ import annotations

import hashlib
import io
from typing import Any, Optional

import cloudpickle

from ..job_cache import per_job


class _Recorder(cloudpickle.Pickler):
    """cloudpickle's pickler, noting each function and class it pickles by value."""

    def __init__(self, file: Any) -> None:
        super().__init__(file)
        self.functions: list[Any] = []
        self.classes = 0

    def _dynamic_function_reduce(self, func: Any) -> Any:
        self.functions.append(func)
        return super()._dynamic_function_reduce(func)

    def _dynamic_class_reduce(self, obj: Any) -> Any:
        self.classes += 1
        return super()._dynamic_class_reduce(obj)


class _Pickled:
    """One job's bytes, and what they were pickled with."""

    __slots__ = ("digest", "data", "functions", "codes", "snapshot")

    def __init__(self, job: Any) -> None:
        buffer = io.BytesIO()
        recorder = _Recorder(buffer)
        recorder.dump(job)
        self.data = buffer.getvalue()
        self.digest = hashlib.blake2b(self.data, digest_size=16).digest()
        self.functions: Optional[list] = None if recorder.classes else recorder.functions
        self.codes = [f.__code__ for f in self.functions or ()]
        self.snapshot = self._snapshot()

    def _snapshot(self) -> Optional[bytes]:
        if self.functions is None or _function_getstate is None:
            return None
        return cloudpickle.dumps([_function_getstate(f) for f in self.functions])

    def unchanged(self) -> bool:
        """Whether pickling the job now would give the same bytes."""
        if self.snapshot is None:
            return False
        if any(f.__code__ is not code for f, code in zip(self.functions or (), self.codes)):
            return False
        return self._snapshot() == self.snapshot


try:  # a private helper: without it (another cloudpickle), every run pickles its job afresh
    from cloudpickle.cloudpickle import _function_getstate
except ImportError:  # pragma: no cover - depends on the installed cloudpickle
    _function_getstate = None


def pickled_job(job: Any) -> tuple[bytes, bytes]:
    """(digest, bytes) of `job` pickled with cloudpickle, reused while unchanged."""
    kept: list = per_job(job, "pickled for workers", list)
    if not kept or not kept[0].unchanged():
        kept[:] = [_Pickled(job)]
    return kept[0].digest, kept[0].data
