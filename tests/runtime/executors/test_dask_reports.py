"""The direct report line from Dask workers to the parent, without a cluster."""

from __future__ import annotations

import queue
import socket

import pytest

from specrun.runtime.executors.dask_reports import HELLO, DirectLine, ReportServer, Where


@pytest.fixture
def server():
    inbox: queue.SimpleQueue = queue.SimpleQueue()
    running = ReportServer("127.0.0.1", inbox)
    yield running
    running.close()


def _items(inbox: queue.SimpleQueue, count: int) -> list:
    return [inbox.get(timeout=10) for _ in range(count)]


def test_a_batch_is_registered_before_its_line_opens_and_its_reports_come_in_order_then_its_end(server):
    line = DirectLine.open(server.where, 7)
    assert line is not None
    assert server.direct == {7}  # known before the batch runs anything
    line.report(b"first")
    line.report(b"x" * 200_000)  # larger than one read
    line.report(b"")
    line.close()
    assert _items(server.inbox, 4) == [("report", b"first"), ("report", b"x" * 200_000),
                                       ("report", b""), ("eof", 7)]


def test_two_batches_report_on_their_own_connections(server):
    one, two = DirectLine.open(server.where, 1), DirectLine.open(server.where, 2)
    two.report(b"from two")
    one.report(b"from one")
    two.close()
    one.close()
    items = _items(server.inbox, 4)
    assert items.index(("report", b"from two")) < items.index(("eof", 2))
    assert items.index(("report", b"from one")) < items.index(("eof", 1))


def test_a_connection_without_the_runs_token_is_dropped_unread(server):
    with socket.create_connection(server.where[:2]) as stranger:
        stranger.sendall(HELLO.pack(b"0" * 16, 3) + b"\x00\x00\x00\x01x")
        assert stranger.recv(1) == b""  # closed, nothing answered
    line = DirectLine.open(server.where, 4)
    line.close()
    assert _items(server.inbox, 1) == [("eof", 4)]  # nothing from the stranger came first
    assert server.direct == {4}


def test_a_worker_that_cannot_reach_the_parent_reports_the_other_way_and_does_not_try_again():
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]  # nothing listens there
    where = Where("127.0.0.1", port, b"t" * 16)
    assert DirectLine.open(where, 1) is None
    assert DirectLine.open(where, 2) is None
    from specrun.runtime.executors import dask_reports

    assert ("127.0.0.1", port) in dask_reports._UNREACHABLE
    assert DirectLine.open(None, 1) is None  # the run has no direct line (TLS, in-process cluster)


def test_a_server_sits_beside_a_plain_tcp_scheduler_connection_with_every_worker_on_its_host():
    inbox: queue.SimpleQueue = queue.SimpleQueue()

    class Comm:
        def __init__(self, local_address):
            self.local_address = local_address

    class Batched:
        def __init__(self, local_address):
            self.comm = Comm(local_address)

    here = ["tcp://127.0.0.1:40002", "tcp://127.0.0.1:40003"]
    server = ReportServer.beside(Batched("tcp://127.0.0.1:40001"), inbox, here)
    try:
        assert server.where.host == "127.0.0.1" and server.where.port > 0
    finally:
        server.close()
    assert ReportServer.beside(Batched("tcp://127.0.0.1:40001"), inbox, [*here, "tcp://10.1.2.3:40004"]) is None
    assert ReportServer.beside(Batched("tcp://127.0.0.1:40001"), inbox, []) is None  # none yet: unknown
    assert ReportServer.beside(Batched("tls://127.0.0.1:40001"), inbox, ["tls://127.0.0.1:40002"]) is None
    assert ReportServer.beside(Batched("inproc://10.0.0.1/1/2"), inbox, ["inproc://10.0.0.1/1/3"]) is None
    assert ReportServer.beside(None, inbox, here) is None
