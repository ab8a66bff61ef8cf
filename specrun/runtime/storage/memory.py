"""In-memory run storage: what `Instance.ephemeral()` uses."""

from __future__ import annotations

import threading
from itertools import chain
from typing import Iterable, Optional, Sequence

from ..definitions.keys import AssetKey
from ..events import ET, DagsterEventType, Event
from .base import DagsterRun, DagsterRunStatus, RunStorage


_ASSET_EVENTS = frozenset({ET.ASSET_MATERIALIZATION, ET.ASSET_CHECK_EVALUATION, ET.ASSET_OBSERVATION})


class InMemoryRunStorage(RunStorage):
    """Keeps everything in dicts and lists; gone when the process ends.

    The latest event of each asset (partition) or check is indexed when first asked for,
    not as it is stored: where each batch went in its run's list is noted, in order
    (`_unindexed`: storing looks at no event's kind), and the next `latest_*` call files the
    asset events of those slices. Filed as each run stored them, every insert into a table as
    large as the assets of the process (at 10,000 assets, a probe at a random place, long out
    of cache) was paid by runs no one asked about (an ephemeral instance's:
    `materialize_to_memory`), and so was a look at each event's kind."""

    def __init__(self) -> None:
        self._runs: dict[str, DagsterRun] = {}
        self._events: dict[str, list[Event]] = {}
        self._materializations: dict[tuple[AssetKey, Optional[str]], Event] = {}
        self._observations: dict[tuple[AssetKey, Optional[str]], Event] = {}
        self._checks: dict[tuple[AssetKey, str], Event] = {}
        # the events stored and not indexed yet, in the order stored: slices of runs' lists
        # `[events, start, end]` (a batch right after the last slice of its run extends it)
        self._unindexed: list[list] = []
        self._dynamic: dict[str, dict[str, None]] = {}  # name -> keys, in the order added
        self._lock = threading.Lock()

    def add_run(self, run: DagsterRun) -> None:
        with self._lock:
            self._runs[run.run_id] = run
            self._events.setdefault(run.run_id, [])

    def update_run(self, run: DagsterRun) -> None:
        with self._lock:
            self._runs[run.run_id] = run

    def get_run(self, run_id: str) -> Optional[DagsterRun]:
        return self._runs.get(run_id)

    def get_runs(
        self, limit: Optional[int] = None, job_name: Optional[str] = None,
        statuses: Optional[Iterable[DagsterRunStatus]] = None,
    ) -> list[DagsterRun]:
        wanted = set(statuses) if statuses is not None else None
        runs = [
            r for r in reversed(list(self._runs.values()))
            if (job_name is None or r.job_name == job_name)
            and (wanted is None or r.status in wanted)
        ]
        return runs[:limit] if limit is not None else runs

    def store_events(self, events: Sequence[Event]) -> None:
        with self._lock:
            if events.__class__ is list and events:  # (most batches: all of one run)
                run_id = events[0].run_id
                for event in events:  # (each run's list grows by one extend)
                    if event.run_id != run_id:
                        break
                else:
                    found = self._events.setdefault(run_id, [])
                    self._stored(found, len(found), len(events))
                    found.extend(events)
                    return
            run_id, found = None, None
            for event in events:
                if event.run_id != run_id:  # events come in runs of one run's events
                    run_id = event.run_id
                    found = self._events.setdefault(run_id, [])
                self._stored(found, len(found), 1)
                found.append(event)

    def _stored(self, events: list[Event], start: int, count: int) -> None:
        """Note `count` events about to be added to a run's list `events` at `start` as not
        indexed yet (under the lock)."""
        unindexed = self._unindexed
        last = unindexed[-1] if unindexed else None
        if last is not None and last[0] is events and last[2] == start:
            last[2] = start + count
        else:
            unindexed.append([events, start, start + count])

    def _indexed(self) -> None:
        """Keep each asset event stored since the last call, in turn, as the latest of its
        asset (partition) or check."""
        if not self._unindexed:
            return
        with self._lock:
            stored, self._unindexed = self._unindexed, []
            for event in chain.from_iterable(events[start:end] for events, start, end in stored):
                kind = event.event_type
                if kind not in _ASSET_EVENTS:
                    continue
                if kind is ET.ASSET_MATERIALIZATION:  # (unpartitioned: the key's own `(key, None)`,
                    data = event.data                   # not a tuple kept a materialization)
                    partition = data.partition
                    self._materializations[data.asset_key.unpartitioned if partition is None
                                           else (data.asset_key, partition)] = event
                elif kind is ET.ASSET_CHECK_EVALUATION:
                    self._checks[(event.data.asset_key, event.data.check_name)] = event
                else:  # ET.ASSET_OBSERVATION
                    self._observations[(event.data.asset_key, event.data.partition)] = event

    def latest_observations(self, asset_keys: Iterable[AssetKey]
                            ) -> dict[tuple[AssetKey, Optional[str]], Event]:
        wanted = set(asset_keys)
        self._indexed()
        with self._lock:
            return {k: e for k, e in self._observations.items() if k[0] in wanted}

    def get_events(
        self, run_id: str, of_type: Optional[Iterable[DagsterEventType]] = None
    ) -> list[Event]:
        events = self._events.get(run_id, [])
        if of_type is None:
            return list(events)
        types = set(of_type)
        return [e for e in events if e.event_type in types]

    def latest_materializations(
        self, asset_keys: Optional[Iterable[AssetKey]] = None
    ) -> dict[tuple[AssetKey, Optional[str]], Event]:
        self._indexed()
        if asset_keys is None:
            return dict(self._materializations)
        keys = set(asset_keys)
        return {k: v for k, v in self._materializations.items() if k[0] in keys}

    def latest_check_evaluations(
        self, asset_keys: Optional[Iterable[AssetKey]] = None
    ) -> dict[tuple[AssetKey, str], Event]:
        self._indexed()
        if asset_keys is None:
            return dict(self._checks)
        keys = set(asset_keys)
        return {k: v for k, v in self._checks.items() if k[0] in keys}

    def add_dynamic_partitions(self, name: str, keys: Sequence[str]) -> None:
        with self._lock:
            self._dynamic.setdefault(name, {}).update(dict.fromkeys(keys))

    def get_dynamic_partitions(self, name: str) -> list[str]:
        return list(self._dynamic.get(name, ()))

    def delete_dynamic_partition(self, name: str, key: str) -> None:
        with self._lock:
            self._dynamic.get(name, {}).pop(key, None)
