"""The in-memory run storage (runtime/storage/memory.py): what a batch of events leaves."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from specrun.runtime.definitions.keys import AssetKey
from specrun.runtime.definitions.results import (AssetCheckEvaluation, AssetMaterialization,
                                                 AssetObservation)
from specrun.runtime.events import DagsterEventType as ET, Event
from specrun.runtime.storage.memory import InMemoryRunStorage


def _event(i: int, run: str, kind: str, key: str) -> Event:
    data = None
    if kind == "materialization":
        data = AssetMaterialization(AssetKey(key))
    elif kind == "observation":
        data = AssetObservation(AssetKey(key))
    elif kind == "check":
        data = AssetCheckEvaluation(AssetKey(key), "c", passed=True)
    types = {"materialization": ET.ASSET_MATERIALIZATION, "observation": ET.ASSET_OBSERVATION,
             "check": ET.ASSET_CHECK_EVALUATION, "output": ET.STEP_OUTPUT}
    return Event(types[kind], run, "job", "s", str(i), data)


def _state(storage: InMemoryRunStorage) -> tuple:
    storage._indexed()  # (what every `latest_*` call does first)
    return ({run: [e.message for e in events] for run, events in storage._events.items()},
            {k: e.message for k, e in storage._materializations.items()},
            {k: e.message for k, e in storage._observations.items()},
            {k: e.message for k, e in storage._checks.items()})


def _expected(specs: list) -> tuple:
    """What storing the events of `specs` keeps: each run's events in order, and the last
    event of each asset (partition) or check of each kind."""
    runs: dict = {}
    latest: dict = {"materialization": {}, "observation": {}, "check": {}}
    for i, (run, kind, key) in enumerate(specs):
        runs.setdefault(run, []).append(str(i))
        if kind != "output":
            latest[kind][(AssetKey(key), "c" if kind == "check" else None)] = str(i)
    return runs, latest["materialization"], latest["observation"], latest["check"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["r1", "r2"]),
                          st.sampled_from(["output", "materialization", "observation", "check"]),
                          st.sampled_from(["a", "b"])), max_size=12),
       st.sampled_from([list, tuple]), st.integers(1, 12))
def test_a_batch_keeps_each_runs_events_in_order_and_the_latest_of_each_asset(specs, batch_type, size):
    # A batch of one run's events is kept in one extend (a batch of several runs' or a tuple,
    # an event at a time): either way what is kept is the same.
    events = [_event(i, *spec) for i, spec in enumerate(specs)]
    storage = InMemoryRunStorage()
    for start in range(0, len(events), size):
        storage.store_events(batch_type(events[start:start + size]))
    assert _state(storage) == _expected(specs)


def test_an_unpartitioned_materialization_is_kept_under_its_asset_keys_own_pair():
    """The latest unpartitioned materialization of an asset is kept under the `(key, None)`
    pair its asset key holds (`AssetKey.unpartitioned`), not under a new equal tuple; a
    partition's under (key, partition)."""
    storage = InMemoryRunStorage()
    key = AssetKey(["mem", "pair"])
    storage.store_events([Event(ET.ASSET_MATERIALIZATION, "r1", "job", "s", "m", AssetMaterialization(key)),
                          Event(ET.ASSET_MATERIALIZATION, "r1", "job", "s", "p",
                                AssetMaterialization(key, partition="2024-01-01"))])
    assert storage.latest_materializations([key])[(key, None)].message == "m"
    kept = list(storage._materializations)
    assert kept == [(key, None), (key, "2024-01-01")] and kept[0] is key.unpartitioned


def test_asset_events_are_filed_as_the_latest_when_first_asked_for_in_the_order_stored():
    """Storing asset events does not file them (no insert a materialization into a table as
    large as the process's assets, for runs no one asks about); the next `latest_*` call files
    all those stored since, in the order stored: the last stored of an asset wins, as it did
    when each batch was filed as it was stored."""
    storage = InMemoryRunStorage()
    a, b = AssetKey("mem/late_a"), AssetKey("mem/late_b")
    storage.store_events([_event(0, "r1", "materialization", "mem/late_a"),
                          _event(1, "r1", "check", "mem/late_a")])
    storage.store_events((_event(2, "r2", "materialization", "mem/late_b"),
                          _event(3, "r1", "observation", "mem/late_a")))
    storage.store_events([_event(4, "r2", "materialization", "mem/late_a")])
    assert storage._materializations == {} and storage._checks == {} and storage._observations == {}
    latest = storage.latest_materializations()
    assert {k: e.message for k, e in latest.items()} == {(a, None): "4", (b, None): "2"}
    assert storage._unindexed == []
    assert [e.message for e in storage.latest_check_evaluations([a]).values()] == ["1"]
    assert [e.message for e in storage.latest_observations([a]).values()] == ["3"]
    storage.store_events([_event(5, "r1", "materialization", "mem/late_b")])
    assert storage.latest_materializations([b])[(b, None)].message == "5"
    assert storage.latest_materializations([a])[(a, None)].message == "4"


def test_storing_notes_slices_of_the_runs_lists_and_looks_at_no_event():
    """What waits to be indexed is where each batch went in its run's list, one slice for
    consecutive batches of one run (no pass over a batch's events to find its asset events):
    the next `latest_*` call reads those slices in the order stored."""
    storage = InMemoryRunStorage()
    for i in range(3):
        storage.store_events([_event(i, "r1", "output", "a"), _event(i + 10, "r1", "materialization", "a")])
    r1 = storage._events["r1"]
    assert storage._unindexed == [[r1, 0, 6]]
    storage.store_events((_event(20, "r2", "check", "a"), _event(21, "r1", "materialization", "a")))
    storage.store_events([_event(22, "r2", "observation", "b")])
    r2 = storage._events["r2"]
    assert storage._unindexed == [[r1, 0, 6], [r2, 0, 1], [r1, 6, 7], [r2, 1, 2]]
    assert {k: e.message for k, e in storage.latest_materializations().items()} == {(AssetKey("a"), None): "21"}
    assert storage._unindexed == []
    assert [e.message for e in storage.latest_observations([AssetKey("b")]).values()] == ["22"]
