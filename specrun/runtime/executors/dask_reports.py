"""The run's direct line from Dask workers to the parent: step reports over plain TCP.

Through the scheduler, a step's report is read, decoded and re-sent by the scheduler, then
read and decoded again by the client's event loop before the parent sees it: more work in
the parent process (which hosts the scheduler of a LocalCluster) than the step itself, for
a no-op step. When a worker can reach the parent, each batch instead opens one connection
to a socket the parent listens on for the run and writes each report to it as a frame.

Protocol: the batch's task connects and sends `HELLO` (the run's token and the batch id);
the parent registers the batch and answers one byte, so that it knows the batch reports
directly before the batch runs anything. Then each report goes as a length-prefixed frame,
written before the next step starts (the kernel delivers written bytes even if the worker
dies next), and the task closes the connection before it ends. The parent's reader thread
puts `("report", bytes)` for each frame and `("eof", batch id)` once the connection closes,
in that order, on the run's inbox: a batch's end is handled after its last report.

Workers report this way when the cluster's connections are plain TCP and every worker is on
the parent's host when the run starts. Otherwise (TLS, workers on other machines, which may not
reach back to the parent), and for a worker that cannot connect, reports go through the
scheduler as before; the parent reads both.
"""

from __future__ import annotations

import hmac
import secrets
import selectors
import socket
import struct
import threading
from typing import Any, Iterable, NamedTuple, Optional

HELLO = struct.Struct("!16sQ")  # the run's token, the batch id
FRAME = struct.Struct("!I")  # the length of the report that follows
REGISTERED = b"\x01"
CONNECT_TIMEOUT = 2.0  # seconds for a worker to reach the parent before reporting the other way
ANSWER_TIMEOUT = 60.0  # seconds for the parent to answer a batch's hello
SEND_TIMEOUT = 120.0  # seconds a report may wait for the parent to read


class Where(NamedTuple):
    """Where a run's workers report directly: the parent's listening address and the token."""

    host: str
    port: int
    token: bytes


class ReportServer:
    """The parent's side: a listening socket and a thread reading the batches' reports."""

    @classmethod
    def beside(cls, scheduler_comm: Any, inbox: Any, workers: Iterable[str]) -> Optional["ReportServer"]:
        """A server on the address this process reaches the scheduler from, when that
        connection is plain TCP and every worker is on this host (as their addresses say);
        else None. Workers elsewhere may not reach back to this process (a client behind a
        NAT, a firewall that drops what it refuses): they report through the scheduler."""
        host = _tcp_host(getattr(getattr(scheduler_comm, "comm", None), "local_address", None))
        workers = list(workers)
        if host is None or not workers or any(_tcp_host(w) != host for w in workers):
            return None
        try:
            return cls(host, inbox)
        except OSError:
            return None

    def __init__(self, host: str, inbox: Any) -> None:
        self.inbox = inbox
        self.direct: set[int] = set()  # batches that said hello: their end waits for their EOF
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._listener = socket.create_server((host, 0), family=family, backlog=64)
        self.where = Where(host, self._listener.getsockname()[1], secrets.token_bytes(16))
        self._wake, self._woken = socket.socketpair()
        self._thread = threading.Thread(target=self._serve, name="specrun-dask-reports", daemon=True)
        self._thread.start()

    def close(self) -> None:
        try:
            self._wake.send(b"x")
        except OSError:  # the thread has already closed its end
            pass
        self._thread.join(timeout=10)
        self._wake.close()

    def _serve(self) -> None:
        from ..cancel import leave_signals_to_the_main_thread

        leave_signals_to_the_main_thread()
        selector = selectors.DefaultSelector()
        selector.register(self._listener, selectors.EVENT_READ, None)
        selector.register(self._woken, selectors.EVENT_READ, "stop")
        try:
            while True:
                for key, _ in selector.select():
                    if key.data == "stop":
                        return
                    if key.data is None:
                        conn, _ = self._listener.accept()
                        selector.register(conn, selectors.EVENT_READ, _Reading())
                    elif not self._read(key.fileobj, key.data):
                        selector.unregister(key.fileobj)
                        key.fileobj.close()  # type: ignore[union-attr]
        except BaseException as exc:  # the run must not wait for reports that cannot come
            self.inbox.put(("failed", exc))
        finally:
            for key in list(selector.get_map().values()):
                key.fileobj.close()  # type: ignore[union-attr]
            selector.close()

    def _read(self, conn: Any, reading: "_Reading") -> bool:
        """Take what `conn` has; False once it is closed (or not one of the run's)."""
        try:
            data = conn.recv(1 << 16)
        except OSError:  # reset: the worker died; what it wrote before was read already
            data = b""
        if not data:
            if reading.batch is not None:
                self.inbox.put(("eof", reading.batch))
            return False
        buffer = reading.buffer
        buffer += data
        if reading.batch is None:
            if len(buffer) < HELLO.size:
                return True
            token, batch = HELLO.unpack_from(buffer)
            if not hmac.compare_digest(token, self.where.token):
                return False
            self.direct.add(batch)
            reading.batch = batch
            del buffer[:HELLO.size]
            conn.sendall(REGISTERED)
        start = 0
        while len(buffer) - start >= FRAME.size:
            (size,) = FRAME.unpack_from(buffer, start)
            if len(buffer) - start - FRAME.size < size:
                break
            start += FRAME.size
            self.inbox.put(("report", bytes(buffer[start:start + size])))
            start += size
        del buffer[:start]
        return True


def _tcp_host(address: Optional[str]) -> Optional[str]:
    """The host of a Dask `tcp://host:port` address; None for TLS, in-process and others."""
    if not address or not address.startswith("tcp://"):
        return None
    return address[len("tcp://"):].rpartition(":")[0].strip("[]")


class _Reading:
    __slots__ = ("batch", "buffer")

    def __init__(self) -> None:
        self.batch: Optional[int] = None
        self.buffer = bytearray()


class DirectLine:
    """A worker's side: one batch's connection to the parent, used from the task's thread."""

    def __init__(self, sock: socket.socket) -> None:
        self.socket = sock

    @classmethod
    def open(cls, where: Optional[Where], batch: int) -> Optional["DirectLine"]:
        """The batch's line to the parent, or None when the parent cannot be reached."""
        if where is None or where[:2] in _UNREACHABLE:
            return None
        try:
            sock = socket.create_connection((where.host, where.port), timeout=CONNECT_TIMEOUT)
        except OSError:  # another network: this worker reports through the scheduler
            _UNREACHABLE.add(where[:2])
            return None
        try:
            # Each report is a small write that must leave at once, not wait for the last one's ACK.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(ANSWER_TIMEOUT)
            sock.sendall(HELLO.pack(where.token, batch))
            if sock.recv(1) != REGISTERED:
                raise ConnectionError("the parent closed the connection")
            sock.settimeout(SEND_TIMEOUT)
        except OSError:
            sock.close()
            return None
        return cls(sock)

    def report(self, report: bytes) -> None:
        self.socket.sendall(FRAME.pack(len(report)) + report)

    def close(self) -> None:
        self.socket.close()


# Parents' (host, port) this worker process could not connect to: the run's later batches
# do not wait again.
_UNREACHABLE: set[tuple] = set()
