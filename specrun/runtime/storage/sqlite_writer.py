"""SQLite connections of the run storage, and the one that writes events.

Every connection (SQLAlchemy's pool and the writer's) is set up by `setup_connection`: WAL
journal, a 30 s busy timeout, ``synchronous=NORMAL``. In WAL mode a commit appends the
transaction's pages to the WAL file and returns: a process killed at any moment after the
commit leaves it committed (the operating system holds the written pages), and one killed
before leaves nothing of it. What ``NORMAL`` does not promise is the last commits surviving a
power cut or a crash of the operating system: the WAL is synced at checkpoints only (``FULL``
would sync it at every commit: about 4 ms each on this machine). The database is never
corrupted by either. The storage's promise is about processes being killed, and that holds.

The writer is one connection per process, kept open: the event write of each step's end is
the hot path of `apply` (one commit per materialization), and going through SQLAlchemy's pool
for it costs more than the write itself. One connection also keeps SQLite's page cache of the
tables it writes valid between commits (two pooled connections taking turns re-read the pages
the other wrote).

SQLite checkpoints the WAL into the database file once a commit leaves 1,000 pages in it; a
checkpoint waits for three fdatasyncs (the WAL, the database file, the WAL's new header). In a
block of many commits (`SqliteWriter.checkpoints_deferred`: `specrun apply`) the writer lets
the WAL grow to `DEFERRED_CHECKPOINT_BYTES` and checkpoints once at the block's end; meanwhile
it hands the WAL's new pages to the disk as they pile up (`start_writing`), so that the
checkpoint's fdatasync of the WAL finds them written.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
import sys
import threading
import time
from typing import Any, Callable, Iterator, Optional, Sequence

from ..faults import kill_point
from ..process_id import PID
from .sqlite_inserts import _ONE_INSERT, _POSITIONAL, _event_groups, _one_insert

# Connections a forked child inherited: never used nor closed there (closing one could
# disturb the parent's locks and WAL); kept referenced so that no finalizer closes them.
_INHERITED: list[sqlite3.Connection] = []

# WAL pages at which SQLite checkpoints: its default; and the WAL's size inside
# `checkpoints_deferred` (a 1,000-step apply writes ~21 MB: ~10,500 pages of 2 KiB).
_CHECKPOINT_PAGES = 1000
DEFERRED_CHECKPOINT_BYTES = 40 << 20
# The page size of a new store. A commit writes each page it changed whole into the WAL, and
# SQLite copies and checksums every byte of it: a step's commit (six events, a record) changes
# ~10 pages of 2 KiB, ~21 KB, where SQLite's default of 4 KiB made it ~8.5 pages, ~35 KB. A
# store keeps the page size it was made with (any SQLite reads any page size).
PAGE_SIZE = 2048
# Inside `checkpoints_deferred`: the WAL's size is looked at every `_LOOK_EVERY` commits, and
# what was written since the last hand-over goes to the disk once it is `_WRITE_BACK_BYTES`.
_LOOK_EVERY = 32
_WRITE_BACK_BYTES = 4 << 20


def setup_connection(conn: Any) -> None:
    """WAL, busy timeout and ``synchronous=NORMAL`` on a new DB-API SQLite connection (see the
    module docstring); transactions are begun explicitly (`begin`), never by the driver."""
    conn.isolation_level = None
    cursor = conn.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute(f"PRAGMA page_size={PAGE_SIZE}")  # (a new store's, before WAL makes its file)
    deadline = time.monotonic() + 30
    while True:
        # Switching to WAL needs a moment alone with the file; another process opening
        # the same new store at the same instant makes it answer "locked" at once.
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            break
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def begin(conn: Any) -> None:
    """SQLAlchemy's ``begin`` listener: writers take the write lock when they begin.

    A deferred transaction that reads and then writes fails at once with SQLITE_BUSY when
    another process wrote in between (no busy wait can help it); writers therefore take the
    write lock up front and wait for it under busy_timeout."""
    write = conn.info.pop("write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def file_of(url: str) -> Optional[str]:
    """The database file of a ``sqlite:///`` URL; None for an in-memory database or a URL
    with options (the writer then borrows a pooled connection instead)."""
    path = url[len("sqlite:///"):] if url.startswith("sqlite:///") else ""
    if not path or path == ":memory:" or "?" in path or path.startswith("file:"):
        return None
    return path


class SqliteWriter:
    """This process's connection to the SQLite file at `path` (or, with no file, a connection
    borrowed from `engine`'s pool per use). The plain SQLite storage (`sqlite.py`) does all its
    reads and writes on it; the SQLAlchemy storage its event writes."""

    def __init__(self, path: Optional[str], engine: Any = None) -> None:
        self.path = path
        self.engine = engine
        self._conn: Optional[sqlite3.Connection] = None
        self._cursor: Optional[sqlite3.Cursor] = None  # (`_connection`'s: see `_in_transaction`)
        self._pid = 0
        self._lock = threading.Lock()
        self._checkpoint_pages = _CHECKPOINT_PAGES
        self._wal: Optional[_WalWriteBack] = None  # in a deferred block

    def _connection(self) -> sqlite3.Connection:
        if self._conn is not None and self._pid == PID[0]:
            return self._conn
        if self._conn is not None:  # a forked child: the parent's connection is left alone
            _INHERITED.append(self._conn)
        assert self.path is not None
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        try:
            setup_connection(conn)
            if self._checkpoint_pages != _CHECKPOINT_PAGES:
                conn.execute(f"PRAGMA wal_autocheckpoint={self._checkpoint_pages}")
        except BaseException:
            conn.close()
            raise
        self._conn, self._cursor, self._pid = conn, conn.cursor(), PID[0]
        return conn

    def transaction(self, fn: Callable[[sqlite3.Connection], Any]) -> Any:
        """`fn(connection)` in one transaction that holds the write lock from its BEGIN."""
        with self._lock:
            if self.path is None:
                raw = self.engine.raw_connection()
                try:
                    return _in_transaction(raw.driver_connection, fn)
                finally:
                    raw.close()  # back to the pool
            conn = self._connection()
            result = _in_transaction(conn, fn, self._cursor)
            if self._wal is not None:
                self._wal.committed()
            return result

    def read(self, sql: str, parameters: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """The rows of one SELECT (its own read transaction, so it sees every commit made
        before it)."""
        with self._lock:
            cursor = self._connection().execute(sql, parameters)
            cursor.row_factory = sqlite3.Row
            return cursor.fetchall()

    def write(self, rows: list[tuple], mats: list[tuple], evals: list[tuple]) -> None:
        """Events, latest materializations and check results (`sql_rows.event_rows`'s tuples),
        in one transaction (taking the write lock at BEGIN).

        A materialization's record also gives back its run's lease on that (asset, partition):
        `take_leases` counts a lease whose run has recorded it as given back, so its row is not
        deleted here (that delete was ~3 of a step's ~12 WAL pages); the run's rows go when it
        ends (`release_leases`)."""
        statements = _POSITIONAL
        one = _one_insert(rows) if 0 < len(rows) <= _ONE_INSERT else None
        groups = _event_groups(rows) if one is None else ()

        def write(conn: sqlite3.Connection) -> None:
            run: Any = self._cursor if conn is self._conn else conn  # (see `_in_transaction`)
            if one is not None:
                run.execute(one[0], one[1])
            for statement, group in groups:
                run.executemany(statement, group)
            if mats:
                run.executemany(statements["materializations"], mats)
            if evals:
                run.executemany(statements["checks"], evals)
        self.transaction(write)
        if mats:
            kill_point("after-record-commit")

    @contextlib.contextmanager
    def checkpoints_deferred(self) -> Iterator[None]:
        """A block of many commits with SQLite's checkpoints put off to its end: the WAL may
        grow to `DEFERRED_CHECKPOINT_BYTES` meanwhile; at the end, a WAL past SQLite's usual
        size is checkpointed and removed by closing the connection (SQLite does both when it
        closes the last connection to a store; with another process on the store it leaves
        them to that one). A smaller WAL is left as SQLite's default would leave it.

        A 1,000-step apply made 8 checkpoints, 24 fdatasyncs, 0.13-0.18 s of its wall time on
        this VM's disk. Each commit is in the WAL when it returns, as before. The WAL is not
        left large: a process that opens the store first reads the whole WAL to rebuild its
        index (~50 ms for 35 MB). Nothing changes on a borrowed pool connection (no file)."""
        if self.path is None:
            yield
            return
        with self._lock:
            conn = self._connection()
            page = conn.execute("PRAGMA page_size").fetchone()[0]
            frame = page + 24  # a frame: header and page
            self._checkpoint_pages = DEFERRED_CHECKPOINT_BYTES // page
            conn.execute(f"PRAGMA wal_autocheckpoint={self._checkpoint_pages}")
            # A descriptor of our own: closing one drops the process's POSIX locks on its file, and
            # SQLite holds those on the database and -shm files only, none on the WAL.
            try:
                self._wal = _WalWriteBack(os.open(self.path + "-wal", os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)))
            except FileNotFoundError:
                self._wal = None
        try:
            yield
        finally:
            with self._lock:  # this process's connection if open (a closed one is not reopened)
                self._checkpoint_pages = _CHECKPOINT_PAGES
                still_open = self._conn if self._pid == PID[0] else None
                wal, self._wal = self._wal, None
            if wal is not None:
                os.close(wal.fd)
            if still_open is not None:
                if _size(self.path + "-wal") > _CHECKPOINT_PAGES * frame:
                    self.close()
                else:
                    still_open.execute(f"PRAGMA wal_autocheckpoint={_CHECKPOINT_PAGES}")

    def close(self) -> None:
        with self._lock:
            if self._conn is not None and self._pid == PID[0]:
                self._conn.close()
            self._conn = self._cursor = None


class _WalWriteBack:
    """The writer's own descriptor of the WAL in a deferred block, and how much of the WAL it
    has handed to the disk (`SqliteWriter.checkpoints_deferred`)."""

    __slots__ = ("fd", "handed", "commits")

    def __init__(self, fd: int) -> None:
        self.fd, self.handed, self.commits = fd, 0, 0

    def committed(self) -> None:
        """(Under the writer's lock, after a commit.) Every `_LOOK_EVERY` commits, start writing
        to disk what the WAL got since the last time, once that is `_WRITE_BACK_BYTES`."""
        self.commits += 1
        if self.commits < _LOOK_EVERY:
            return
        self.commits = 0
        size = os.fstat(self.fd).st_size
        if size - self.handed >= _WRITE_BACK_BYTES:
            start_writing(self.fd, self.handed, size - self.handed)
            self.handed = size


def start_writing(fd: int, offset: int, length: int) -> None:
    """Start writing `length` bytes of the file open as `fd` from `offset` to disk, and return
    without waiting; the pages stay cached (Linux's ``sync_file_range`` with
    ``SYNC_FILE_RANGE_WRITE``; nothing elsewhere). A hint: what it returns is not looked at."""
    call = _sync_file_range()
    if call is not None:
        call(fd, offset, length, 2)  # SYNC_FILE_RANGE_WRITE


@functools.cache  # (looked up on first use: ctypes is imported then)
def _sync_file_range() -> Optional[Callable[..., int]]:
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        call = ctypes.CDLL(None, use_errno=True).sync_file_range
    except (OSError, AttributeError):
        return None
    call.argtypes = (ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint)
    call.restype = ctypes.c_int
    return call  # type: ignore[no-any-return]


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except FileNotFoundError:
        return 0


def _in_transaction(conn: sqlite3.Connection, fn: Callable[[sqlite3.Connection], Any],
                    cursor: Optional[sqlite3.Cursor] = None) -> Any:
    """`fn(conn)` between BEGIN IMMEDIATE and COMMIT; rolled back on any exception.

    BEGIN, COMMIT and ROLLBACK run on `cursor`, a cursor of `conn` kept by the writer, when
    given: `conn.execute` makes a cursor for each statement (~1.5k instructions), four a step's
    write in `specrun apply` (that write runs its inserts on it too: `SqliteWriter.write`).
    They leave no rows to read, so nothing the cursor held before is lost.

    BEGIN is inside the ``try``: a signal's exception (Ctrl-C, or SIGTERM in `specrun apply`)
    arriving while BEGIN runs is raised as its call returns, after the transaction began, and
    once left it open: every later write of the process then failed with "cannot start a
    transaction within a transaction". When the exception comes after COMMIT finished, the
    write is done: the exception says so (`written`), so that its events are not queued again."""
    committing = False
    run = conn.execute if cursor is None else cursor.execute
    try:
        run("BEGIN IMMEDIATE")
        result = fn(conn)
        committing = True
        run("COMMIT")
        return result
    except BaseException as exc:
        # SQLite has already rolled back after some errors (disk full): a ROLLBACK then
        # fails and would hide the real error.
        if conn.in_transaction:
            run("ROLLBACK")
        elif committing and not isinstance(exc, sqlite3.Error):
            exc.written = True  # type: ignore[attr-defined]
        raise
