"""storage/sqlite_writer: a real signal landing inside a write leaves the connection usable and
says whether the write was committed."""

from __future__ import annotations

import os
import signal
import sqlite3

import pytest

from specrun.runtime.storage.sqlite_writer import SqliteWriter, setup_connection


class _SignalAfter(sqlite3.Connection):
    """A connection that sends its own process SIGINT once the statement `after` has run: the
    signal's KeyboardInterrupt is raised as that call returns, as when Ctrl-C arrives while
    SQLite runs it."""

    after = ""

    def execute(self, sql, *args):  # type: ignore[override]
        cursor = super().execute(sql, *args)
        if sql == self.after:
            type(self).after = ""  # once
            os.kill(os.getpid(), signal.SIGINT)
        return cursor


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
    writer._conn, writer._pid = conn, os.getpid()
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
