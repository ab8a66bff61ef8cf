"""`Instance` (alias `DagsterInstance`): where runs and their events are recorded.

Execution code records through an Instance only; the Instance writes through a
`RunStorage` (in memory, or SQL when persistent). Event writes are batched: events are
buffered and written together at run boundaries, at step ends once enough time has passed,
or when the buffer is full, so that recording never dominates a step's cost. A
materialization or check result is written as soon as it is recorded: by then the step's
output is already stored, and a process killed with it still buffered would leave a new
stored value that the store does not know of (the next `plan` would trust the old record).
An ephemeral (in-memory) instance outlives no process, so it batches those too: every read
flushes first, so what is read is always complete. The stored versions the new records
superseded are removed in batches (at run start and end, and every `_COLLECT_EVERY` records).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
import time
import uuid
from typing import Any, Iterable, Iterator, Mapping, Optional, Sequence

from .definitions.keys import AssetKey, CoercibleToAssetKey
from .events import DagsterEventType, Event
from .storage.base import DagsterRun, DagsterRunStatus, RunStorage
from .superseded import OwnVersions, collect_superseded
from .storage.memory import InMemoryRunStorage
from .step_events import DURABLE_TYPES, RUN_EVENT_TYPES, STEP_END_TYPES, Summary, summarize

# (`step_events` says where in a list of events these are: `Instance.handle_new_events`)
_FLUSH_ON, _STEP_END, _DURABLE = RUN_EVENT_TYPES, STEP_END_TYPES, DURABLE_TYPES
_MATERIALIZATION = DagsterEventType.ASSET_MATERIALIZATION
_FLUSH_ON_OR_DURABLE = _FLUSH_ON | _DURABLE
_COLLECT_EVERY = 256  # recorded materializations whose superseded versions are removed together


class Instance:
    """Records runs and events; owns the default directory for stored outputs."""

    def __init__(
        self,
        storage: RunStorage,
        root_dir: Optional[str] = None,
        *,
        flush_interval: float = 0.2,
        max_buffered: int = 1000,
        ephemeral: bool = False,
    ) -> None:
        self._storage = storage
        self._root_dir = root_dir
        self._is_ephemeral = ephemeral
        self._buffer: list[Event] = []
        self._buffered_materializations: list[Event] = []  # (of `_buffer`, for `_flush`)
        self._last_flush = time.monotonic()
        self._flush_interval = flush_interval
        self._max_buffered = max_buffered
        self._lock = threading.Lock()
        self._temp_dir: Optional[str] = None
        self._superseding: list[Event] = []  # recorded materializations not yet collected after
        self._own = OwnVersions() if ephemeral else None  # (see `_flush`)

    @staticmethod
    def ephemeral(tempdir: Optional[str] = None) -> "Instance":
        """An instance that keeps everything in memory (outputs in a temp dir)."""
        return Instance(InMemoryRunStorage(), root_dir=tempdir, ephemeral=True)

    @staticmethod
    def get() -> "Instance":
        """The instance named by ``SPECRUN_STORAGE_URL`` / ``SPECRUN_HOME``, else ephemeral."""
        url = os.environ.get("SPECRUN_STORAGE_URL")
        if url:
            return Instance.from_url(url)
        home = os.environ.get("SPECRUN_HOME") or os.environ.get("DAGSTER_HOME")
        return Instance.local(home) if home else Instance.ephemeral()

    @staticmethod
    def local(path: str) -> "Instance":
        """A persistent instance in ``path`` (SQLite at ``path/specrun.db``)."""
        from .storage import open_run_storage

        os.makedirs(path, exist_ok=True)
        url = "sqlite:///" + os.path.abspath(os.path.join(path, "specrun.db"))
        return Instance(open_run_storage(url), root_dir=path)

    @staticmethod
    def local_temp(tempdir: Optional[str] = None, overrides: Optional[Mapping[str, Any]] = None
                   ) -> "Instance":
        """A persistent instance in a new temporary folder (or in `tempdir`), as Dagster's
        `DagsterInstance.local_temp`; a folder it made is removed when the instance is
        disposed, e.g. on leaving ``with DagsterInstance.local_temp() as instance:``."""
        _refuse_overrides(overrides)
        path = tempdir or tempfile.mkdtemp(prefix="specrun-")
        instance = Instance.local(path)
        if tempdir is None:
            instance._temp_dir = path
        return instance

    @staticmethod
    def from_url(url: str, root_dir: Optional[str] = None) -> "Instance":
        """A persistent instance on a SQLAlchemy URL (``sqlite:///...`` or ``postgresql://...``)."""
        from .storage import open_run_storage

        return Instance(open_run_storage(url), root_dir=root_dir)

    # -- places -----------------------------------------------------------------------
    @property
    def is_ephemeral(self) -> bool:
        return self._is_ephemeral

    @property
    def root_directory(self) -> str:
        """The instance's directory (a temp dir, made on first use, when ephemeral)."""
        if self._root_dir is None:
            if self._temp_dir is None:
                self._temp_dir = tempfile.mkdtemp(prefix="specrun-")
            return self._temp_dir
        return self._root_dir

    @property
    def storage_directory(self) -> str:
        """Where the fs IO manager keeps outputs by default."""
        return os.path.join(self.root_directory, "storage")

    @property
    def storage(self) -> RunStorage:
        return self._storage

    # -- runs -------------------------------------------------------------------------
    def create_run(
        self,
        job_name: str,
        run_id: Optional[str] = None,
        run_config: Optional[Mapping[str, Any]] = None,
        tags: Optional[Mapping[str, str]] = None,
        parent_run_id: Optional[str] = None,
        root_run_id: Optional[str] = None,
        step_keys_to_execute: Optional[Sequence[str]] = None,
    ) -> DagsterRun:
        """Record a new run and return it."""
        run = DagsterRun(
            run_id=run_id or str(uuid.uuid4()),
            job_name=job_name,
            status=DagsterRunStatus.STARTING,
            run_config=dict(run_config or {}),
            tags=dict(tags or {}),
            start_time=time.time(),
            parent_run_id=parent_run_id,
            root_run_id=root_run_id or parent_run_id,
            step_keys_to_execute=tuple(step_keys_to_execute) if step_keys_to_execute else None,
            pid=os.getpid(),
        )
        if self._storage.get_run(run.run_id) is not None:
            from ..errors import ExecutionError

            raise ExecutionError(f"a run with id {run.run_id!r} already exists")
        self._storage.add_run(run)
        return run

    def update_run_status(self, run_id: str, status: DagsterRunStatus) -> DagsterRun:
        """Set a run's status (and end time when it finished)."""
        self.flush()
        run = self._storage.get_run(run_id)
        if run is None:
            raise KeyError(run_id)
        updated = run.with_status(status)
        self._storage.update_run(updated)
        return updated

    def get_run_by_id(self, run_id: str) -> Optional[DagsterRun]:
        return self._storage.get_run(run_id)

    def get_runs(self, limit: Optional[int] = None, job_name: Optional[str] = None,
                 statuses: Optional[Iterable[DagsterRunStatus]] = None) -> list[DagsterRun]:
        return self._storage.get_runs(limit=limit, job_name=job_name, statuses=statuses)

    # -- events -----------------------------------------------------------------------
    def handle_new_event(self, event: Event) -> None:
        """Record an event; writes are batched (see the module docstring)."""
        self._buffer.append(event)  # list.append is atomic; flush() swaps the list under the lock
        kind = event.event_type
        if kind is _MATERIALIZATION:  # (noted once buffered: see `_flush`)
            self._buffered_materializations.append(event)
        if kind in _FLUSH_ON:
            self._flush(collect=True)
        elif ((kind in _DURABLE and not self._is_ephemeral) or len(self._buffer) >= self._max_buffered
              or (kind in _STEP_END and time.monotonic() - self._last_flush >= self._flush_interval)):
            self._flush(collect=False)

    def handle_new_events(self, events: Iterable[Event], summary: Optional[Summary] = None) -> None:
        """`handle_new_event` for each of `events` in turn (flushing where it would).

        A list (a step's events, in process) that the buffer has room for, in which no event
        but the last ends a run or a step (`_FLUSH_ON`, `_STEP_END`), is buffered in one extend
        up to its first event that asks for more than buffering (`_DURABLE`, on a store that
        outlives the process), or whole when none does: the loop below would append each
        event before that one and flush at none, and, when the last ends a step, flush after
        it as it does here. Where those events are, `summary` says (`step_events.summarize`
        reads the list when it is not given)."""
        attention = _FLUSH_ON if self._is_ephemeral else _FLUSH_ON_OR_DURABLE
        buffer = self._buffer
        if events.__class__ is list and events and len(buffer) + len(events) < self._max_buffered:
            if summary is None:
                summary = summarize(events)
            if not summary.ends_in_head:  # (else: each event in turn, below)
                durable = None if self._is_ephemeral else summary.durable_at
                if durable:  # (no materialization is before the first durable record)
                    buffer.extend(events[:durable[0]])
                    events = events[durable[0]:]
                elif (kind := events[-1].event_type) not in attention:  # (else: each in turn)
                    buffer.extend(events)
                    if summary.materialized_at:  # (noted once buffered: see `_flush`)
                        noted = self._buffered_materializations
                        for at in summary.materialized_at:
                            noted.append(events[at])
                    if kind in _STEP_END and time.monotonic() - self._last_flush >= self._flush_interval:
                        self.flush()
                    return
        for event in events:
            kind = event.event_type
            if kind in attention:
                self.handle_new_event(event)
                continue
            buffer = self._buffer
            buffer.append(event)
            if kind is _MATERIALIZATION:
                self._buffered_materializations.append(event)
            if len(buffer) >= self._max_buffered or (
                    kind in _STEP_END and time.monotonic() - self._last_flush >= self._flush_interval):
                self.flush()

    def flush(self) -> None:
        """Write buffered events now."""
        self._flush(collect=False)

    def _flush(self, collect: bool) -> None:
        """Write buffered events; then remove the stored versions the new records superseded
        (`_collect_superseded`), in batches: when `collect` (a run starts or ends, the instance
        is disposed) or once `_COLLECT_EVERY` records wait. Until then an old version just
        stays on disk a little longer (a kill leaves it to the next record of its asset)."""
        with self._lock:
            pending, self._buffer = self._buffer, []
            recorded, self._buffered_materializations = self._buffered_materializations, []
            self._last_flush = time.monotonic()
        if pending:
            try:
                self._storage.store_events(pending)
            except BaseException as exc:  # not written (a cancel, a full disk): still pending
                if not getattr(exc, "written", False):
                    with self._lock:
                        self._buffer[:0] = pending
                        self._buffered_materializations[:0] = recorded
                raise
            if recorded:
                with self._lock:
                    self._superseding.extend(recorded)
        if self._superseding and (collect or len(self._superseding) >= _COLLECT_EVERY):
            with self._lock:
                batch, self._superseding = self._superseding, []
            if self._own is None:
                collect_superseded(batch, self._storage)
            else:  # records kept in memory: other stores' versions may share the folder
                self._own.collect(batch)

    def all_logs(self, run_id: str, of_type: Optional[Any] = None) -> list[Event]:
        """A run's events (including log messages), optionally of some types only."""
        self.flush()
        types = None
        if of_type is not None:
            types = {of_type} if isinstance(of_type, DagsterEventType) else set(of_type)
        return self._storage.get_events(run_id, types)

    def get_latest_materialization_event(
        self, asset_key: CoercibleToAssetKey, partition: Optional[str] = None
    ) -> Optional[Event]:
        """The newest materialization of an asset (partition), or None."""
        self.flush()
        key = AssetKey.from_coercible(asset_key)
        found = self._storage.latest_materializations([key])
        if partition is not None:
            return found.get((key, partition))
        events = [e for (k, _), e in found.items() if k == key]
        return max(events, key=lambda e: e.timestamp) if events else None

    def latest_materializations(
        self, asset_keys: Optional[Iterable[AssetKey]] = None
    ) -> dict[tuple[AssetKey, Optional[str]], Event]:
        self.flush()
        return self._storage.latest_materializations(asset_keys)

    def latest_versions(self, asset_keys: Optional[Iterable[AssetKey]] = None) -> dict:
        """Version tags of the newest materialization per (asset, partition) (for staleness)."""
        self.flush()
        return self._storage.latest_versions(asset_keys)

    def latest_observed_versions(self, asset_keys: Iterable[AssetKey]) -> dict:
        """The data version last observed per (asset, partition) of `asset_keys` (observable
        source assets), as version records tagged as observed (for staleness)."""
        from .storage.base import MaterializationVersions
        from .versioning import DATA_VERSION_TAG, OBSERVED_TAG

        self.flush()
        return {k: MaterializationVersions(e.run_id, e.timestamp, {DATA_VERSION_TAG: e.data.data_version,
                                                                   OBSERVED_TAG: "1"})
                for k, e in self._storage.latest_observations(asset_keys).items()
                if getattr(e.data, "data_version", None) is not None}

    def latest_check_evaluations(
        self, asset_keys: Optional[Iterable[AssetKey]] = None
    ) -> dict[tuple[AssetKey, str], Event]:
        self.flush()
        return self._storage.latest_check_evaluations(asset_keys)

    # -- dynamic partitions (keys of a DynamicPartitionsDefinition, kept in the run storage) --
    def add_dynamic_partitions(self, partitions_def_name: str, partition_keys: Sequence[str]) -> None:
        """Add keys to the dynamic partitions `partitions_def_name` (keys it has are kept once)."""
        from .dynamic_partitions import check_dynamic_keys

        self._storage.add_dynamic_partitions(
            partitions_def_name, check_dynamic_keys(partitions_def_name, partition_keys))

    def get_dynamic_partitions(self, partitions_def_name: str) -> list[str]:
        """The keys of the dynamic partitions `partitions_def_name`, in the order added."""
        return self._storage.get_dynamic_partitions(partitions_def_name)

    def has_dynamic_partition(self, partitions_def_name: str, partition_key: str) -> bool:
        return self._storage.has_dynamic_partition(partitions_def_name, partition_key)

    def delete_dynamic_partition(self, partitions_def_name: str, partition_key: str) -> None:
        """Remove one key of the dynamic partitions `partitions_def_name` (if it is there)."""
        self._storage.delete_dynamic_partition(partitions_def_name, partition_key)

    def dispose(self) -> None:
        """Flush, close storage and remove an ephemeral instance's temp dir."""
        self._flush(collect=True)
        self._storage.close()
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)
            self._temp_dir = None

    def __enter__(self) -> "Instance":
        return self

    def __exit__(self, *exc: object) -> None:
        self.dispose()


DagsterInstance = Instance


def _refuse_overrides(overrides: Optional[Mapping[str, Any]]) -> None:
    if overrides:
        from ..errors import ConfigError

        raise ConfigError(f"instance settings {sorted(overrides)} are not supported: a specrun "
                          "instance is configured by its storage URL only")


@contextlib.contextmanager
def instance_for_test(overrides: Optional[Mapping[str, Any]] = None, set_dagster_home: bool = True,
                      temp_dir: Optional[str] = None, synchronous_run_coordinator: bool = False,
                      synchronous_run_launcher: bool = False) -> Iterator[Instance]:
    """A persistent instance in a temporary folder for the length of a ``with`` block.

    As Dagster's: with `set_dagster_home` the folder is also the home (``SPECRUN_HOME`` and
    ``DAGSTER_HOME``) while the block runs, so `Instance.get()` finds the same store. Runs are
    always launched synchronously here, so the two `synchronous_*` flags change nothing.
    """
    _refuse_overrides(overrides)
    instance = Instance.local_temp(temp_dir)
    saved = {k: os.environ.get(k) for k in ("SPECRUN_HOME", "DAGSTER_HOME")}
    if set_dagster_home:
        os.environ.update({k: instance.root_directory for k in saved})
    try:
        yield instance
    finally:
        if set_dagster_home:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        instance.dispose()
