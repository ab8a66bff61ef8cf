"""storage/sqlite_writer: a real signal landing inside a write leaves the connection usable and
says whether the write was committed."""

from __future__ import annotations

import os
import signal
import sqlite3
import sys

import pytest

from specrun.runtime.storage import sqlite_writer
from specrun.runtime.storage.sqlite_writer import SqliteWriter, setup_connection


class _SignalAfter(sqlite3.Connection):
    """A connection that sends its own process SIGINT once the statement `after` has run (on
    it, or on a cursor of it: the writer runs BEGIN and COMMIT on the one it keeps): the
    signal's KeyboardInterrupt is raised as that call returns, as when Ctrl-C arrives while
    SQLite runs it."""

    after = ""

    def execute(self, sql, *args):  # type: ignore[override]
        cursor = super().execute(sql, *args)
        _signal_after(sql)
        return cursor

    def cursor(self, factory=None):  # type: ignore[override]
        return super().cursor(factory or _SignalAfterCursor)


class _SignalAfterCursor(sqlite3.Cursor):
    def execute(self, sql, *args):  # type: ignore[override]
        cursor = super().execute(sql, *args)
        _signal_after(sql)
        return cursor


def _signal_after(sql: str) -> None:
    if sql == _SignalAfter.after:
        _SignalAfter.after = ""  # once
        os.kill(os.getpid(), signal.SIGINT)


def interrupting_connection(path: str) -> _SignalAfter:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, factory=_SignalAfter)
    setup_connection(conn)
    return conn


@pytest.fixture
def writer(tmp_path):
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    path = str(tmp_path / "w.db")
    writer = SqliteWriter(path)
    conn = interrupting_connection(path)
    conn.execute("CREATE TABLE t (x INTEGER)")
    writer._conn, writer._cursor, writer._pid = conn, conn.cursor(), os.getpid()
    yield writer
    writer.close()
    signal.signal(signal.SIGINT, previous)


def _insert(value):
    return lambda conn: conn.execute("INSERT INTO t VALUES (?)", (value,))


def _rows(writer) -> list[int]:
    return [r[0] for r in writer.read("SELECT x FROM t ORDER BY x")]


def test_an_interrupt_just_after_begin_rolls_back_and_the_next_write_works(writer):
    _SignalAfter.after = "BEGIN IMMEDIATE"
    with pytest.raises(KeyboardInterrupt) as raised:
        writer.transaction(_insert(1))
    assert not getattr(raised.value, "written", False)
    assert not writer._conn.in_transaction
    # Before, the transaction stayed open: "cannot start a transaction within a transaction".
    writer.transaction(_insert(2))
    assert _rows(writer) == [2]


def test_an_interrupt_just_after_commit_says_the_write_is_done(writer):
    _SignalAfter.after = "COMMIT"
    with pytest.raises(KeyboardInterrupt) as raised:
        writer.transaction(_insert(1))
    assert raised.value.written is True
    assert _rows(writer) == [1]


def test_an_interrupt_inside_the_write_rolls_it_back(writer):
    _SignalAfter.after = "INSERT INTO t VALUES (?)"
    with pytest.raises(KeyboardInterrupt) as raised:
        writer.transaction(_insert(1))
    assert not getattr(raised.value, "written", False)
    assert _rows(writer) == []


def _filled(tmp_path, commits: int) -> tuple[SqliteWriter, str]:
    """A writer whose table `big` gets `commits` commits of about four pages each inside a
    `checkpoints_deferred` block, and the store's path; the size of the database file before
    the block is checked to be unchanged at its end, before the block ends."""
    path = str(tmp_path / "d.db")
    writer = SqliteWriter(path)
    writer.transaction(lambda conn: conn.execute("CREATE TABLE big (b BLOB)"))
    size = os.path.getsize(path)
    blob = b"x" * 16_000
    with writer.checkpoints_deferred():
        for _ in range(commits):
            writer.transaction(lambda conn: conn.execute("INSERT INTO big VALUES (?)", (blob,)))
        assert os.path.getsize(path) == size  # nothing checkpointed into the database file yet
    return writer, path


def _count(path: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM big").fetchone()[0]
    finally:
        conn.close()


def test_a_deferred_block_checkpoints_once_at_its_end_and_removes_the_wal(tmp_path):
    writer, path = _filled(tmp_path, 400)  # ~2,000 WAL pages: SQLite's default checkpoints at 1,000
    assert not os.path.exists(path + "-wal")
    assert os.path.getsize(path) > 400 * 16_000
    assert _count(path) == 400
    writer.transaction(lambda conn: conn.execute("INSERT INTO big VALUES (1)"))  # (reopens)
    assert writer.read("PRAGMA wal_autocheckpoint")[0][0] == 1000
    writer.close()


def test_a_deferred_block_of_a_few_commits_leaves_the_wal_and_the_connection_as_they_were(tmp_path):
    writer, path = _filled(tmp_path, 10)
    conn = writer._conn
    assert os.path.getsize(path + "-wal") > 10 * 16_000
    assert writer.read("PRAGMA wal_autocheckpoint")[0][0] == 1000
    assert writer._connection() is conn
    assert _count(path) == 10
    writer.close()


def _open_files() -> list[str]:
    """The paths of this process's open file descriptors."""
    paths = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            paths.append(os.readlink(f"/proc/self/fd/{fd}"))
        except FileNotFoundError:  # (the listing's own descriptor, closed since)
            continue
    return paths


_LINUX = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and sync_file_range are Linux's")


def _commits(writer: SqliteWriter, count: int) -> None:
    blob = b"x" * 16_000  # about four pages a commit
    for _ in range(count):
        writer.transaction(lambda conn: conn.execute("INSERT INTO big VALUES (?)", (blob,)))


@_LINUX
def test_a_deferred_block_hands_the_wal_to_the_disk_as_it_grows_and_closes_it_at_the_end(tmp_path, monkeypatch):
    path = str(tmp_path / "d.db")
    handed: list[tuple[int, int]] = []

    def start_writing(fd, offset, length):
        assert os.fstat(fd).st_ino == os.stat(path + "-wal").st_ino
        handed.append((offset, length))
    monkeypatch.setattr(sqlite_writer, "start_writing", start_writing)
    writer = SqliteWriter(path)
    writer.transaction(lambda conn: conn.execute("CREATE TABLE big (b BLOB)"))
    _commits(writer, 100)  # outside a block: nothing handed over
    assert handed == []
    with writer.checkpoints_deferred():
        _commits(writer, 600)  # ~12 MB of WAL
        size = os.path.getsize(path + "-wal")
        assert handed and handed[0][0] == 0
        assert all(offset == start + length for (start, length), (offset, _) in zip(handed, handed[1:]))
        assert all(length >= sqlite_writer._WRITE_BACK_BYTES for _, length in handed)
        end = handed[-1][0] + handed[-1][1]
        assert size - 2 * sqlite_writer._WRITE_BACK_BYTES < end <= size
        assert _open_files().count(path + "-wal") == 2  # SQLite's and the writer's own
    count = len(handed)
    assert not [p for p in _open_files() if p.startswith(path)]  # both closed (the WAL was past 1,000 pages)
    _commits(writer, 100)
    assert len(handed) == count
    writer.close()


@_LINUX
def test_start_writing_is_linux_sync_file_range_and_takes_a_file(tmp_path):
    with open(tmp_path / "f", "wb") as fh:
        fh.write(b"x" * 1_000_000)
        fh.flush()
        sqlite_writer.start_writing(fh.fileno(), 0, 1_000_000)
    assert sqlite_writer._sync_file_range() is not None
    assert (tmp_path / "f").read_bytes() == b"x" * 1_000_000


def test_a_new_store_has_pages_of_2_kib_and_an_older_store_keeps_its_own(tmp_path):
    old = str(tmp_path / "old.db")
    conn = sqlite3.connect(old)
    conn.execute("PRAGMA page_size=4096")
    conn.execute("CREATE TABLE big (b BLOB)")
    conn.close()
    for path, size in ((str(tmp_path / "new.db"), 2048), (old, 4096)):
        writer = SqliteWriter(path)
        writer.transaction(lambda conn: conn.execute("CREATE TABLE IF NOT EXISTS big (b BLOB)"))
        with writer.checkpoints_deferred():  # the WAL may grow to 40 MB, whatever the page size
            assert writer.read("PRAGMA wal_autocheckpoint")[0][0] == sqlite_writer.DEFERRED_CHECKPOINT_BYTES // size
            writer.transaction(lambda conn: conn.execute("INSERT INTO big VALUES (?)", (b"x" * 10_000,)))
        assert writer.read("PRAGMA page_size")[0][0] == size
        assert writer.read("SELECT length(b) FROM big")[0][0] == 10_000
        writer.close()


def test_writes_and_reads_ask_the_system_for_no_pid(tmp_path, monkeypatch):
    """The check that the connection is this process's reads the kept id (`process_id`): a
    getpid system call per transaction was one of a step's ~40."""
    writer = SqliteWriter(str(tmp_path / "w.db"))
    writer.transaction(lambda conn: conn.execute("CREATE TABLE t (x INTEGER)"))
    asked = []
    monkeypatch.setattr(os, "getpid", lambda: asked.append(1) or 0)
    writer.transaction(_insert(1))
    writer.write([], [], [])
    assert _rows(writer) == [1]
    monkeypatch.undo()
    writer.close()
    assert asked == []


def test_a_write_runs_begin_its_inserts_and_commit_on_the_cursor_the_writer_keeps(tmp_path):
    from specrun.runtime.storage import open_run_storage

    store = open_run_storage("sqlite:///" + str(tmp_path / "k.db"))
    writer = store._sqlite
    rows = [("r", "STEP_START", "a", 1.5, None, None, "{1}"), ("r", "STEP_SUCCESS", "a", 2.5, None, None, "{2}")]
    writer.write(rows, [], [])
    kept = writer._cursor
    assert kept is not None and kept.connection is writer._conn
    assert kept.lastrowid == 2  # (the events insert ran on it)
    writer.write(rows, [], [])
    assert writer._cursor is kept and kept.lastrowid == 4
    assert not writer._conn.in_transaction  # (its COMMIT too)
    store.close()
    assert writer._cursor is None
