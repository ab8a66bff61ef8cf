"""The storage interface an `Instance` records runs and events through.

Execution code only ever talks to `Instance`; an `Instance` only ever talks to a
`RunStorage`. In-memory storage lives in `memory.py`; persistent SQL storage plugs in
behind the same interface.
"""

from __future__ import annotations

import contextlib
import enum
import time
from abc import ABC, abstractmethod
from dataclasses import field, replace
from typing import Any, ContextManager, Iterable, Mapping, NamedTuple, Optional, Sequence

from ..definitions.keys import AssetKey
from ..definitions.values import value_class
from ..events import DagsterEventType, Event


class DagsterRunStatus(str, enum.Enum):
    """Where a run is in its life."""

    QUEUED = "QUEUED"
    NOT_STARTED = "NOT_STARTED"
    STARTING = "STARTING"
    STARTED = "STARTED"
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    CANCELING = "CANCELING"
    CANCELED = "CANCELED"

    @property
    def is_finished(self) -> bool:
        return self in (DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED)


RunStatus = DagsterRunStatus


@value_class(frozen=True)
class DagsterRun:
    """A run as stored: what ran, with which config and tags, and how it ended."""

    run_id: str
    job_name: str
    status: DagsterRunStatus = DagsterRunStatus.NOT_STARTED
    run_config: Mapping[str, Any] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)
    start_time: Optional[float] = None
    end_time: Optional[float] = None
    parent_run_id: Optional[str] = None
    root_run_id: Optional[str] = None
    step_keys_to_execute: Optional[tuple[str, ...]] = None
    pid: Optional[int] = None

    def with_status(self, status: DagsterRunStatus, end_time: Optional[float] = None) -> "DagsterRun":
        """A copy with a new status (and end time when the run finished)."""
        if end_time is None and status.is_finished:
            end_time = time.time()
        return replace(self, status=status, end_time=end_time or self.end_time)

    @property
    def is_success(self) -> bool:
        return self.status is DagsterRunStatus.SUCCESS

    @property
    def is_failure(self) -> bool:
        return self.status is DagsterRunStatus.FAILURE

    @property
    def is_finished(self) -> bool:
        return self.status.is_finished


Run = DagsterRun


class MaterializationVersions(NamedTuple):
    """What staleness needs of a materialization: when, by which run, its version tags, and
    what it says of the stored value (the ``specrun/stored`` entry, see `stored.py`)."""

    run_id: str
    timestamp: float
    tags: Mapping[str, str]
    stored: Optional[Mapping[str, Any]] = None


class RunStorage(ABC):
    """Where runs, their events and asset materializations are kept."""

    shared = False  # whether other processes may use the same store (then runs take leases)

    @abstractmethod
    def add_run(self, run: DagsterRun) -> None:
        """Record a new run."""

    @abstractmethod
    def update_run(self, run: DagsterRun) -> None:
        """Replace the stored record of `run.run_id`."""

    @abstractmethod
    def get_run(self, run_id: str) -> Optional[DagsterRun]:
        """The run with this id, or None."""

    @abstractmethod
    def get_runs(
        self, limit: Optional[int] = None, job_name: Optional[str] = None,
        statuses: Optional[Iterable[DagsterRunStatus]] = None,
    ) -> list[DagsterRun]:
        """Runs, newest first."""

    @abstractmethod
    def store_events(self, events: Sequence[Event]) -> None:
        """Append events (of any runs) in order; one call is one write."""

    @abstractmethod
    def get_events(
        self, run_id: str, of_type: Optional[Iterable[DagsterEventType]] = None
    ) -> list[Event]:
        """A run's events in the order they were stored."""

    @abstractmethod
    def latest_materializations(
        self, asset_keys: Optional[Iterable[AssetKey]] = None
    ) -> dict[tuple[AssetKey, Optional[str]], Event]:
        """The newest ASSET_MATERIALIZATION event per (asset key, partition)."""

    @abstractmethod
    def latest_observations(
        self, asset_keys: Iterable[AssetKey]
    ) -> dict[tuple[AssetKey, Optional[str]], Event]:
        """The newest ASSET_OBSERVATION event per (asset key, partition) of `asset_keys`."""

    @abstractmethod
    def latest_check_evaluations(
        self, asset_keys: Optional[Iterable[AssetKey]] = None
    ) -> dict[tuple[AssetKey, str], Event]:
        """The newest ASSET_CHECK_EVALUATION event per (asset key, check name)."""

    def latest_versions(
        self, asset_keys: Optional[Iterable[AssetKey]] = None
    ) -> dict[tuple[AssetKey, Optional[str]], MaterializationVersions]:
        """The version tags of the newest materialization per (asset key, partition).

        Storages with indexed version columns override this to avoid reading whole events.
        """
        from .stored import stored_facts

        return {k: MaterializationVersions(e.run_id, e.timestamp, dict(e.data.tags or {}),
                                           stored_facts(e.data.metadata))
                for k, e in self.latest_materializations(asset_keys).items()}

    @abstractmethod
    def add_dynamic_partitions(self, name: str, keys: Sequence[str]) -> None:
        """Add `keys` (not yet present) to the dynamic partitions `name`, after its others."""

    @abstractmethod
    def get_dynamic_partitions(self, name: str) -> list[str]:
        """The keys of the dynamic partitions `name`, in the order they were added."""

    def has_dynamic_partition(self, name: str, key: str) -> bool:
        """Whether `key` is one of the dynamic partitions `name`."""
        return key in self.get_dynamic_partitions(name)

    @abstractmethod
    def delete_dynamic_partition(self, name: str, key: str) -> None:
        """Remove `key` from the dynamic partitions `name` (nothing when it is not there)."""

    # -- leases and heartbeats (see `leases.py`); a store no other process shares needs none --
    def take_leases(self, keys: Sequence[tuple[str, str]], run_id: str) -> dict[tuple[str, str], Any]:
        """Lease each (asset key, partition) to `run_id`, all or none; {} when taken, else the
        holders of the ones another live run holds."""
        return {}

    def recorded_runs(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """The run of the newest materialization record of each (asset key as a user string,
        partition or "") of `keys` that has one: what a lease taken is compared with (see
        `leases.RunLease.acquire_steps`)."""
        wanted = {AssetKey.from_user_string(a) for a, _ in keys}
        return {(k.to_user_string(), p or ""): r.run_id for (k, p), r in self.latest_versions(wanted).items()}

    def release_leases(self, run_id: str, keys: Optional[Sequence[tuple[str, str]]] = None) -> None:
        """Give back `run_id`'s leases on `keys` (all of them when None)."""

    def heartbeat(self, run_id: str) -> None:
        """Say that `run_id` and its leases are alive now."""

    def live_runs(self, exclude: str = "") -> list[str]:
        """Ids of unfinished runs (other than `exclude`) whose process is alive."""
        return []

    def checkpoints_deferred(self) -> ContextManager[None]:
        """A block of many writes in which the store puts off its housekeeping (SQLite: WAL
        checkpoints) to the block's end."""
        return contextlib.nullcontext()

    def close(self) -> None:
        """Release connections; the storage is not used afterwards."""
