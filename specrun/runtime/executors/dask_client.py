"""The Dask client a run reaches a running cluster through, kept between runs of one process.

Connecting a client to a scheduler (a connection, a handshake, the client's registration)
and closing it cost a short run on a running cluster a tenth of its time on a loaded
machine. A run on a cluster reached by address therefore reuses the client an earlier run
of this process left connected to that address, while it is still connected; runs at once
share it (a Dask client is thread-safe), each with its own topic and plugin. A client whose
scheduler went away is closed and a new one made, which reports an unreachable scheduler as
before. The kept clients are closed when the process exits. A run's own LocalCluster has a
client of its own, closed with it.

A run which has no client yet starts connecting in a thread (`Connecting`) while it pickles
what it sends the workers, so the two waits overlap.
"""

from __future__ import annotations

import atexit
import threading
from typing import Any, Callable, Optional

_KEPT: dict[str, Any] = {}  # scheduler address -> the client this process keeps connected to it
_LOCK = threading.Lock()
CLOSE_TIMEOUT = 3  # seconds each kept client may take to close when the process exits


def kept_client(address: str, connect: Callable[[str], Any]) -> Any:
    """The client kept for `address` if it is still connected, else a new one from `connect`."""
    with _LOCK:
        client = _KEPT.get(address)
        if client is not None and client.status == "running":
            return client
        _KEPT.pop(address, None)
    if client is not None:
        _close(client)
    client = connect(address)
    _close_when_lost(client)
    with _LOCK:
        other = _KEPT.setdefault(address, client)
    if other is not client:  # another run connected meanwhile: one client per address
        _close(client)
    return other


def _close_when_lost(client: Any) -> None:
    """Have `client` close itself when its connection to the scheduler drops.

    A Dask client reconnects for 30 s, then logs an error: a cluster closed between two runs
    would leave that error in the user's log, where a client closed at the end of each run
    left nothing. Closed at once, it is replaced by the next run's."""
    if not hasattr(client, "_reconnect") or not hasattr(client, "_close"):  # another distributed
        return

    async def closed_not_reconnected() -> None:
        await client._close(fast=True)

    client._reconnect = closed_not_reconnected


def _close(client: Any) -> None:
    try:
        client.close(timeout=CLOSE_TIMEOUT)
    except Exception:  # a client of a scheduler that went away: nothing left to close
        pass


@atexit.register
def _close_kept() -> None:
    with _LOCK:
        clients = list(_KEPT.values())
        _KEPT.clear()
    for client in clients:
        _close(client)


class Connecting:
    """`connect()` run in a thread (`threaded`) or when its result is asked for."""

    def __init__(self, connect: Callable[[], Any], threaded: bool) -> None:
        self._connect = connect
        self._result: Any = None
        self._error: Optional[BaseException] = None
        self._thread: Optional[threading.Thread] = None
        if threaded:
            self._thread = threading.Thread(target=self._run, name="specrun-dask-connect", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        try:
            self._result = self._connect()
        except BaseException as exc:  # re-raised in the run's thread by result()
            self._error = exc

    def result(self) -> Any:
        if self._thread is None:
            return self._connect()
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result


class Subscription:
    """A run's topic on its client: the reports sent to it go to `handler` until `end()`.

    Dask's `unsubscribe_topic` keeps the handler it was given, which would keep each run's
    state alive in a client kept for later runs; this one lets go of it.
    """

    def __init__(self, client: Any, topic: str, handler: Callable[[Any], None]) -> None:
        self.client, self.topic = client, topic
        self._handler: Optional[Callable[[Any], None]] = handler
        client.subscribe_topic(topic, self)

    def __call__(self, event: Any) -> None:
        handler = self._handler
        if handler is not None:
            handler(event)

    def end(self) -> None:
        self._handler = None
        try:
            self.client.unsubscribe_topic(self.topic)
        except Exception:  # the client is closed or lost its scheduler: nothing is sent any more
            pass
