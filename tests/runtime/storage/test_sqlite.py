"""The plain SQLite storage (`storage/sqlite.py`) writes the store SQLAlchemy's would, opens
older stores through SQLAlchemy's migrations, and keeps SQLAlchemy out of the process."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

from specrun.runtime.definitions.keys import AssetKey
from specrun.runtime.definitions.results import AssetMaterialization
from specrun.runtime.events import DagsterEventType as ET, Event
from specrun.runtime.storage import open_run_storage
from specrun.runtime.storage.base import DagsterRun
from specrun.runtime.storage.sqlite import SqliteRunStorage


def _schema(path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return sorted(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))


def test_a_plain_file_url_opens_the_sqlite3_storage_and_options_open_sqlalchemys(tmp_path):
    from specrun.runtime.storage.sql import SqlRunStorage

    plain = open_run_storage("sqlite:///" + str(tmp_path / "a.db"))
    with_options = open_run_storage("sqlite:///" + str(tmp_path / "b.db") + "?timeout=5")
    assert type(plain) is SqliteRunStorage and type(with_options) is SqlRunStorage
    plain.close()
    with_options.close()


def test_a_new_store_has_the_schema_sqlalchemy_would_create(tmp_path):
    from specrun.runtime.storage.sql import SqlRunStorage

    open_run_storage("sqlite:///" + str(tmp_path / "plain.db")).close()
    SqlRunStorage("sqlite:///" + str(tmp_path / "sa.db")).close()
    plain, sa = _schema(tmp_path / "plain.db"), _schema(tmp_path / "sa.db")
    assert plain == sa and len(plain) == 16  # 7 tables, 9 indexes
    with sqlite3.connect(tmp_path / "plain.db") as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(4,)]


def test_the_event_write_statements_are_what_sqlalchemy_compiles_from_the_tables():
    import sqlalchemy as sa
    from sqlalchemy.dialects import sqlite

    from specrun.runtime.storage.schema import checks, events, materializations
    from specrun.runtime.storage.sqlite_inserts import sqlite_statements
    from specrun.runtime.storage.upsert import upsert_statement

    dialect = sqlite.dialect(paramstyle="named")
    compiled = {
        "events": events.insert().values({c.name: sa.bindparam(c.name) for c in events.columns if c.name != "id"}),
        "materializations": upsert_statement(sqlite.insert, materializations, ("asset_key", "partition")),
        "checks": upsert_statement(sqlite.insert, checks, ("asset_key", "check_name")),
    }
    assert {k: str(s.compile(dialect=dialect)) for k, s in compiled.items()} == sqlite_statements()


def test_the_writer_binds_the_row_tuples_in_the_order_of_the_statements_parameters():
    from specrun.runtime.storage.sql_rows import CHECK_COLUMNS, EVENT_COLUMNS, MATERIALIZATION_COLUMNS
    from specrun.runtime.storage.sqlite_inserts import _POSITIONAL, parameter_names, sqlite_statements

    columns = {"events": EVENT_COLUMNS, "materializations": MATERIALIZATION_COLUMNS, "checks": CHECK_COLUMNS}
    statements = sqlite_statements()
    assert {k: parameter_names(s) for k, s in statements.items()} == columns
    for name, statement in statements.items():
        assert _POSITIONAL[name].count("?") == len(columns[name]) and ":" not in _POSITIONAL[name]


def test_an_event_batch_is_inserted_in_runs_of_rows_with_the_same_null_columns_left_out():
    from specrun.runtime.storage.sqlite_inserts import _event_groups

    rows = [("r", "RUN_START", None, 1.0, None, None, "{}"), ("r", "STEP_START", "a", 2.0, None, None, "{}"),
            ("r", "LOADED_INPUT", "a", 3.0, None, None, "{}"), ("r", "STEP_OUTPUT", "a", 4.0, "a", None, "{}"),
            ("r", "STEP_OUTPUT", "p", 5.0, "p", "2024-01-01", "{}"), ("r", "STEP_SUCCESS", "p", 6.0, None, None, "{}")]
    groups = _event_groups(rows)
    assert [(statement.split(" VALUES")[0], values) for statement, values in groups] == [
        ("INSERT INTO events (run_id, event_type, timestamp, body)", [("r", "RUN_START", 1.0, "{}")]),
        ("INSERT INTO events (run_id, event_type, step_key, timestamp, body)",
         [("r", "STEP_START", "a", 2.0, "{}"), ("r", "LOADED_INPUT", "a", 3.0, "{}")]),
        ("INSERT INTO events (run_id, event_type, step_key, timestamp, asset_key, body)",
         [("r", "STEP_OUTPUT", "a", 4.0, "a", "{}")]),
        ("INSERT INTO events (run_id, event_type, step_key, timestamp, asset_key, partition, body)",
         [("r", "STEP_OUTPUT", "p", 5.0, "p", "2024-01-01", "{}")]),
        ("INSERT INTO events (run_id, event_type, step_key, timestamp, body)", [("r", "STEP_SUCCESS", "p", 6.0, "{}")]),
    ]
    assert all(statement.count("?") == len(values[0]) for statement, values in groups)


def _traced(store) -> list[str]:
    """The statements `store`'s connection runs from now on."""
    statements: list[str] = []
    store._sqlite._connection().set_trace_callback(statements.append)
    return statements


_MIXED_ROWS = [  # (as `sql_rows.event_rows` makes them): NULLs in every pattern; run ids and types that
    # are written in the statement's text and ones that are bound (a quote, a non-ASCII letter, a tab)
    ("r", "RUN_START", None, 1.0, None, None, "{1}"), ("r", "STEP_START", "a", 2.5, None, None, "{2}"),
    ("r", "STEP_OUTPUT", "a", 3.0, "a", None, "{3}"), ("r", "STEP_OUTPUT", "p", 4.0, "p", "2024-01-01", "{4}"),
    ("r'1", "STEP_START", "b", 5.0, None, "x", "{5}"), ("r\u00e9", "ENGINE_EVENT", None, 6.0, "c", None, "{6}"),
    ("r", "TAB\t", "s", 7.0, None, None, "{7}"), ("r", "STEP_SUCCESS", "p", 8.0, None, None, "{8}"),
]


def test_a_small_event_batch_is_one_insert_that_stores_each_row_as_given(tmp_path):
    store = open_run_storage("sqlite:///" + str(tmp_path / "one.db"))
    statements = _traced(store)
    store._sqlite.write(_MIXED_ROWS, [], [])
    inserts = [s for s in statements if s.startswith("INSERT")]
    assert len(inserts) == 1 and inserts[0].count("), (") == len(_MIXED_ROWS) - 1
    with sqlite3.connect(tmp_path / "one.db") as conn:
        stored = conn.execute("SELECT run_id, event_type, step_key, timestamp, asset_key, partition, body, "
                              "typeof(run_id), typeof(event_type), typeof(timestamp) FROM events ORDER BY id").fetchall()
    assert [row[:7] for row in stored] == _MIXED_ROWS
    assert {row[7:] for row in stored} == {("text", "text", "real")}
    store.close()


def test_events_null_in_different_columns_are_stored_in_their_order_with_those_nulls(tmp_path):
    path = tmp_path / "events.db"
    store = open_run_storage("sqlite:///" + str(path))
    key = AssetKey("a")
    events = [Event(ET.RUN_START, "r", "job", None, "started"),
              Event(ET.STEP_START, "r", "job", "a", "step"),
              Event(ET.ASSET_MATERIALIZATION, "r", "job", "a", "made", AssetMaterialization(key)),
              Event(ET.ASSET_MATERIALIZATION, "r", "job", "a", "made", AssetMaterialization(key, partition="p1")),
              Event(ET.STEP_SUCCESS, "r", "job", "a", "done")]
    store.store_events(events)
    with sqlite3.connect(path) as conn:
        stored = conn.execute("SELECT event_type, step_key, asset_key, partition FROM events ORDER BY id").fetchall()
    assert stored == [("RUN_START", None, None, None), ("STEP_START", "a", None, None),
                      ("ASSET_MATERIALIZATION", "a", "a", None), ("ASSET_MATERIALIZATION", "a", "a", "p1"),
                      ("STEP_SUCCESS", "a", None, None)]
    assert [e.message for e in store.get_events("r")] == ["started", "step", "made", "made", "done"]
    store.close()


def test_an_older_store_is_upgraded_by_the_sqlalchemy_migrations(tmp_path):
    path = tmp_path / "old.db"
    open_run_storage("sqlite:///" + str(path)).close()
    with sqlite3.connect(path) as conn:  # back to schema 3: no leases table
        conn.execute("DROP TABLE leases")
        conn.execute("UPDATE schema_version SET version = 3")
    store = open_run_storage("sqlite:///" + str(path))
    assert store.new_history is False
    assert store.take_leases([("a", "")], "r1") == {}
    store.close()
    assert _schema(path) == _schema_of_new(tmp_path)


def _schema_of_new(tmp_path) -> list[tuple]:
    open_run_storage("sqlite:///" + str(tmp_path / "new.db")).close()
    return _schema(tmp_path / "new.db")


def test_each_storage_reads_what_the_other_wrote(tmp_path):
    from specrun.runtime.storage.sql import SqlRunStorage

    url = "sqlite:///" + str(tmp_path / "shared.db")
    mat = Event(ET.ASSET_MATERIALIZATION, "r1", "job", "a", "", AssetMaterialization(AssetKey("a"), partition="p"))
    plain = open_run_storage(url)
    plain.add_run(DagsterRun("r1", "job"))
    plain.store_events([mat])
    plain.close()
    other = SqlRunStorage(url)
    assert other.get_run("r1").job_name == "job"
    assert list(other.latest_materializations()) == [(AssetKey("a"), "p")]
    other.add_run(DagsterRun("r2", "job"))
    other.close()
    again = open_run_storage(url)
    assert [r.run_id for r in again.get_runs()] == ["r2", "r1"]
    again.close()


def test_applying_with_the_default_store_never_imports_sqlalchemy(tmp_path):
    script = f"""
import sys
from specrun import DagsterInstance, asset, materialize

@asset
def a():
    return 1

@asset
def b(a):
    return a + 1

with DagsterInstance.local({str(tmp_path)!r}) as instance:
    assert materialize([a, b], instance=instance).success
    assert len(instance.get_runs()) == 1
print(sorted(m for m in sys.modules if m.split(".")[0] == "sqlalchemy"))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"


def test_leases_of_more_keys_than_one_insert_holds_are_each_written_with_their_holder_in_order(tmp_path):
    import os

    from specrun.runtime.storage.leases import host_identity
    from specrun.runtime.storage.sqlite import _LEASE_ROWS

    keys = [(f"a{i}", "" if i % 3 else f"2024-01-{i % 28 + 1:02d}") for i in range(2 * _LEASE_ROWS + 1)]
    store = open_run_storage("sqlite:///" + str(tmp_path / "s.db"))
    assert store.take_leases(keys, "run-1") == {}
    assert set(store.take_leases([keys[-1], ("b", "")], "run-2")) == {keys[-1]}  # held: nothing taken
    store.close()
    with sqlite3.connect(tmp_path / "s.db") as conn:
        rows = conn.execute("SELECT asset_key, partition, run_id, host, pid, typeof(pid), typeof(heartbeat) "
                            "FROM leases ORDER BY rowid").fetchall()
    # What one INSERT a row wrote: the same rows, values and types, in the order asked
    assert rows == [(a, p, "run-1", host_identity(), os.getpid(), "integer", "real") for a, p in keys]


def test_batches_of_one_shape_are_inserted_by_the_same_statement_text_object():
    from specrun.runtime.storage.sqlite_inserts import _one_insert

    first, again, other = (_one_insert([(run, "STEP_START", "a", 1.0, None, None, "{1}"),
                                        (run, "STEP_OUTPUT", "a", 2.0, "a", None, "{2}")]) for run in ("r", "r", "s"))
    assert first[0] is again[0] and first[1] == again[1] == ["a", 1.0, "{1}", "a", 2.0, "a", "{2}"]
    assert other[0] == first[0].replace("'r'", "'s'") and other[0] is not first[0]
