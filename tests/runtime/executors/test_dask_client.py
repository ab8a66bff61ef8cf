"""The Dask client kept between runs of one process, its run's topic, and connecting in a thread."""

from __future__ import annotations

import threading
import time

import pytest

from specrun.runtime.executors import dask_client
from specrun.runtime.executors.dask_client import Connecting, Subscription, kept_client


class _Client:
    """What kept_client and Subscription use of a distributed.Client."""

    def __init__(self, name: str) -> None:
        self.name, self.status, self.closed = name, "running", 0
        self.handlers: dict = {}
        self.unsubscribed: list = []

    def close(self, timeout=None) -> None:
        self.closed += 1
        self.status = "closed"

    def subscribe_topic(self, topic, handler) -> None:
        self.handlers[topic] = handler

    def unsubscribe_topic(self, topic) -> None:
        self.unsubscribed.append(topic)


@pytest.fixture(autouse=True)
def _nothing_kept(monkeypatch):
    monkeypatch.setattr(dask_client, "_KEPT", {})


def test_a_client_is_kept_per_address_while_it_is_connected():
    made = []

    def connect(address):
        made.append(_Client(f"{address}-{len(made)}"))
        return made[-1]

    first = kept_client("tcp://a:1", connect)
    assert kept_client("tcp://a:1", connect) is first
    other = kept_client("tcp://b:1", connect)
    assert [c.name for c in made] == ["tcp://a:1-0", "tcp://b:1-1"]
    assert other is not first and first.closed == 0


def test_a_client_that_lost_its_scheduler_is_closed_and_replaced():
    made = []

    def connect(address):
        made.append(_Client(str(len(made))))
        return made[-1]

    first = kept_client("tcp://a:1", connect)
    first.status = "connecting"  # its scheduler went away
    second = kept_client("tcp://a:1", connect)
    assert second is made[1] and first.closed == 1 and second.closed == 0
    assert kept_client("tcp://a:1", connect) is second


def test_a_connection_that_fails_keeps_nothing():
    def unreachable(address):
        raise OSError("refused")

    with pytest.raises(OSError, match="refused"):
        kept_client("tcp://a:1", unreachable)
    assert dask_client._KEPT == {}


def test_two_runs_connecting_at_once_keep_one_client_and_close_the_other():
    both_connecting = threading.Barrier(2)
    made, got = [], []

    def connect(address):
        both_connecting.wait(timeout=10)
        made.append(_Client(str(len(made))))
        return made[-1]

    threads = [threading.Thread(target=lambda: got.append(kept_client("tcp://a:1", connect))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert len(made) == 2 and got[0] is got[1]
    assert sorted(c.closed for c in made) == [0, 1] and got[0].closed == 0


def test_the_kept_clients_close_when_the_process_exits():
    clients = [_Client("a"), _Client("b")]
    dask_client._KEPT.update({"tcp://a:1": clients[0], "tcp://b:1": clients[1]})
    dask_client._close_kept()
    assert [c.closed for c in clients] == [1, 1] and dask_client._KEPT == {}


def test_a_subscription_passes_reports_on_until_it_ends_then_holds_nothing():
    client, seen = _Client("a"), []
    subscription = Subscription(client, "topic-run", seen.append)
    assert client.handlers == {"topic-run": subscription}
    subscription((1.0, b"report"))
    subscription.end()
    subscription((2.0, b"late"))
    assert seen == [(1.0, b"report")]
    assert client.unsubscribed == ["topic-run"]
    assert subscription._handler is None  # the run's state is not kept by the client


def test_ending_a_subscription_on_a_closed_client_raises_nothing():
    client = _Client("a")

    def closed(topic):
        raise RuntimeError("client closed")

    client.unsubscribe_topic = closed
    Subscription(client, "t", print).end()


def test_connecting_in_a_thread_gives_its_result_or_raises_its_error_in_the_caller():
    caller = threading.get_ident()
    ran_in = []

    def connect():
        ran_in.append(threading.get_ident())
        return "client"

    assert Connecting(connect, threaded=True).result() == "client"
    assert ran_in[0] != caller

    def refused():
        raise ConnectionError("refused")

    connecting = Connecting(refused, threaded=True)
    with pytest.raises(ConnectionError, match="refused"):
        connecting.result()


def test_connecting_unthreaded_connects_only_when_asked():
    calls = []
    connecting = Connecting(lambda: calls.append(1) or "client", threaded=False)
    assert calls == []
    assert connecting.result() == "client" and calls == [1]


@pytest.mark.slow
def test_a_kept_client_closes_itself_when_its_scheduler_closes_instead_of_reconnecting():
    distributed = pytest.importorskip("distributed")

    cluster = distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=":0")
    try:
        client = kept_client(cluster.scheduler_address,
                             lambda address: distributed.Client(address, set_as_default=False))
        assert client.status == "running"
    finally:
        cluster.close()
    deadline = time.monotonic() + 10  # Dask would reconnect for 30 s
    while client.status != "closed" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert client.status == "closed"  # not "connecting": no reconnect loop, no error logged 30 s on
