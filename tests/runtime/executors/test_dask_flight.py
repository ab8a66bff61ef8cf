"""The parent's side of Dask batches that report straight to it, without a cluster."""

from __future__ import annotations

import queue
import time
from types import SimpleNamespace

import pytest

pytest.importorskip("distributed")

from specrun.runtime.executors import dask_flight  # noqa: E402
from specrun.runtime.executors.dask_flight import Flight, _Batch  # noqa: E402
from specrun.runtime.executors.dask_reports import Where  # noqa: E402


class _DoneFuture:
    def done(self) -> bool:
        return True


def _flight() -> Flight:
    ctx = SimpleNamespace(run_id="run", job_name="job")
    reports = SimpleNamespace(where=Where("127.0.0.1", 1, b"t" * 16), direct={0})
    flight = Flight(ctx, state=None, client=None, topic="topic", threads=2, chains=False,
                    downstream={}, cluster=None, reports=reports, inbox=queue.SimpleQueue())
    batch = _Batch(0, ["a", "b"])
    batch.future = _DoneFuture()
    flight.batches[0] = batch
    return flight


def test_a_straight_batch_whose_task_ended_waits_for_its_connection_to_end():
    flight = _flight()
    assert list(flight._done(0, [])) == []  # its last reports may still be on the way
    batch = flight.batches[0]
    assert batch.ended is not None and not batch.closed
    assert flight._overdue() is None  # not for long: nothing to do yet


def test_a_straight_batch_whose_connection_never_ends_is_handled_after_the_eof_timeout(monkeypatch):
    flight = _flight()
    list(flight._done(0, []))
    monkeypatch.setattr(dask_flight, "EOF_TIMEOUT", 0.0)
    time.sleep(0.01)
    assert flight._overdue() == ("done", 0)
    assert flight.batches[0].closed  # handled with the reports that came


def test_the_tasks_workers_tell_the_parent_where_to_report():
    assert _flight().run.reports == Where("127.0.0.1", 1, b"t" * 16)


class _Client:
    """Records each task submitted; its futures never end."""

    def __init__(self) -> None:
        self.tasks: list = []

    def submit(self, fn, *args, **kwargs):
        self.tasks.append((fn, args, kwargs))
        return SimpleNamespace(add_done_callback=lambda callback: None)


def test_a_chain_of_100_steps_goes_to_the_cluster_as_one_task(monkeypatch):
    """No link of a chain costs a round trip through the client: the first step handed out
    takes the other 99 along, each waiting in the batch on the one before."""
    import pickle

    monkeypatch.setattr(dask_flight, "upstream_data_versions", lambda ctx, step: {})
    monkeypatch.setattr(dask_flight, "describe_step", lambda ctx, step: None)
    keys = [f"link_{i}" for i in range(100)]
    steps = {key: SimpleNamespace(key=key, upstream_keys=frozenset(keys[i - 1:i]), inputs={},
                                  node=SimpleNamespace(asset=None, extra_deps=())) for i, key in enumerate(keys)}
    downstream = {key: keys[i + 1:i + 2] for i, key in enumerate(keys)}
    client = _Client()
    flight = Flight(SimpleNamespace(run_id="run", job_name="job"), SimpleNamespace(steps=steps), client,
                    topic="topic", threads=2, chains=True, downstream=downstream, cluster=None)

    flight.submit([steps["link_0"]])

    assert len(client.tasks) == 1
    _, (_, _, batch, sent), _ = client.tasks[0]
    sent = pickle.loads(sent)
    assert batch == 0 and [s.key for s in sent] == keys
    assert [sorted(s.upstream_keys) for s in sent] == [[]] + [[key] for key in keys[:-1]]
    assert all(flight.is_running(key) for key in keys)
