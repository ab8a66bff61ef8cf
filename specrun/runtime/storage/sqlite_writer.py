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
"""

from __future__ import annotations

import functools
import os
import sqlite3
import threading
import time
from typing import Any, Optional

from ..faults import kill_point

# Connections a forked child inherited: never used nor closed there (closing one could
# disturb the parent's locks and WAL); kept referenced so that no finalizer closes them.
_INHERITED: list[sqlite3.Connection] = []


def setup_connection(conn: Any) -> None:
    """WAL, busy timeout and ``synchronous=NORMAL`` on a new DB-API SQLite connection (see the
    module docstring); transactions are begun explicitly (`begin`), never by the driver."""
    conn.isolation_level = None
    cursor = conn.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
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
    """This process's connection for event writes to the SQLite file at `path` (or, with no
    file, a connection borrowed from `engine`'s pool per write)."""

    def __init__(self, path: Optional[str], engine: Any) -> None:
        self.path = path
        self.engine = engine
        self._conn: Optional[sqlite3.Connection] = None
        self._pid = 0
        self._lock = threading.Lock()

    def _connection(self) -> sqlite3.Connection:
        if self._conn is not None and self._pid == os.getpid():
            return self._conn
        if self._conn is not None:  # a forked child: the parent's connection is left alone
            _INHERITED.append(self._conn)
        assert self.path is not None
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        setup_connection(conn)
        self._conn, self._pid = conn, os.getpid()
        return conn

    def write(self, rows: list[dict], mats: list[dict], evals: list[dict], released: list[dict]) -> None:
        """Events, latest materializations and check results, and the leases the
        materializations give back, in one transaction (taking the write lock at BEGIN)."""
        statements = sqlite_statements()
        with self._lock:
            if self.path is None:
                raw = self.engine.raw_connection()
                try:
                    _write(raw.driver_connection, statements, rows, mats, evals, released)
                finally:
                    raw.close()  # back to the pool
                return
            _write(self._connection(), statements, rows, mats, evals, released)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None


def _write(conn: sqlite3.Connection, statements: dict[str, str], rows: list[dict], mats: list[dict],
           evals: list[dict], released: list[dict]) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.executemany(statements["events"], rows)
        if mats:
            conn.executemany(statements["materializations"], mats)
        if evals:
            conn.executemany(statements["checks"], evals)
        if released:
            conn.executemany(statements["release"], released)
        conn.execute("COMMIT")
        if mats:
            kill_point("after-record-commit")
    except BaseException:
        # SQLite has already rolled back after some errors (disk full): a ROLLBACK then
        # fails and would hide the real error.
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


@functools.lru_cache(maxsize=None)
def sqlite_statements() -> dict[str, str]:
    """The event-write statements as SQLite text with named parameters, compiled once."""
    import sqlalchemy as sa
    from sqlalchemy.dialects import sqlite

    from .schema import checks, events, leases, materializations
    from .upsert import upsert_statement

    dialect = sqlite.dialect(paramstyle="named")

    def text(statement: Any) -> str:
        return str(statement.compile(dialect=dialect))

    inserted = [c.name for c in events.columns if c.name != "id"]
    release = leases.delete().where(sa.and_(*(leases.c[c] == sa.bindparam(c) for c in ("asset_key", "partition",
                                                                                        "run_id"))))
    return {"events": text(events.insert().values({c: sa.bindparam(c) for c in inserted})),
            "materializations": text(upsert_statement(sqlite.insert, materializations, ("asset_key", "partition"))),
            "checks": text(upsert_statement(sqlite.insert, checks, ("asset_key", "check_name"))),
            "release": text(release)}
