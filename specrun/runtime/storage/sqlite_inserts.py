"""The statements the SQLite writer (`sqlite_writer.SqliteWriter.write`) inserts an event batch's
rows with: events, latest materializations and check results, as `sql_rows.event_rows` makes them."""

from __future__ import annotations

import operator
import re
from typing import Any, Callable


# The event-write statements, as SQLAlchemy compiles them for SQLite from `schema.py`'s tables
# (tests/runtime/storage/test_sqlite.py checks that they still are).
_STATEMENTS = {
    "events": "INSERT INTO events (run_id, event_type, step_key, timestamp, asset_key, partition, body) "
              "VALUES (:run_id, :event_type, :step_key, :timestamp, :asset_key, :partition, :body)",
    "materializations": "INSERT INTO asset_materializations (asset_key, partition, run_id, timestamp, "
                        "code_version, config_hash, data_version, input_data_versions, body, stored) VALUES "
                        "(:asset_key, :partition, :run_id, :timestamp, :code_version, :config_hash, "
                        ":data_version, :input_data_versions, :body, :stored) ON CONFLICT (asset_key, partition) "
                        "DO UPDATE SET run_id = excluded.run_id, timestamp = excluded.timestamp, "
                        "code_version = excluded.code_version, config_hash = excluded.config_hash, "
                        "data_version = excluded.data_version, input_data_versions = excluded.input_data_versions, "
                        "body = excluded.body, stored = excluded.stored",
    "checks": "INSERT INTO check_evaluations (asset_key, check_name, partition, run_id, passed, timestamp, body) "
              "VALUES (:asset_key, :check_name, :partition, :run_id, :passed, :timestamp, :body) "
              "ON CONFLICT (asset_key, check_name) DO UPDATE SET partition = excluded.partition, "
              "run_id = excluded.run_id, passed = excluded.passed, timestamp = excluded.timestamp, "
              "body = excluded.body",
}


def sqlite_statements() -> dict[str, str]:
    """The event-write statements as SQLite text with named parameters."""
    return _STATEMENTS


def parameter_names(statement: str) -> tuple[str, ...]:
    """The named parameters of `statement`, in order."""
    return tuple(re.findall(r":(\w+)", statement))


# The same statements with positional parameters: the writer binds `event_rows`'s tuples,
# whose columns are in this order (sqlite3 binds a tuple for less than a dict).
_POSITIONAL = {name: re.sub(r":\w+", "?", statement) for name, statement in _STATEMENTS.items()}


# The events insert leaving out the columns that are NULL in a row: binding None makes sqlite3
# look for an adapter of NoneType first (~3k instructions a value; a step's events have ~9),
# and a column left out is NULL all the same.
_NULLABLE = (2, 4, 5)  # step_key, asset_key, partition: their places in an event row
_EVENT_INSERTS: dict[tuple[bool, bool, bool], tuple[str, Callable[[tuple], tuple]]] = {}


def _event_insert(nulls: tuple[bool, bool, bool]) -> tuple[str, Callable[[tuple], tuple]]:
    """The events insert without the nullable columns that `nulls` says are NULL, and what
    picks the values it binds out of a row."""
    columns = parameter_names(_STATEMENTS["events"])
    left_out = {place for place, null in zip(_NULLABLE, nulls) if null}
    kept = [i for i in range(len(columns)) if i not in left_out]
    statement = f"INSERT INTO events ({', '.join(columns[i] for i in kept)}) VALUES ({', '.join('?' * len(kept))})"
    found = _EVENT_INSERTS[nulls] = (statement, operator.itemgetter(*kept))
    return found


# A batch of up to `_ONE_INSERT` events (a step's, in `specrun apply`) is inserted by one statement
# of as many rows, in their order: one statement run instead of one a row (~4k instructions
# each). A row's run id and event type are written in its text when they are plain (a step's
# batch then makes the same statement as the step before it, which sqlite3 keeps prepared; and
# a bound text is copied by SQLite, under its allocator's lock), its NULL columns as NULL.
_ONE_INSERT = 16
_EVENTS_INTO = "INSERT INTO events (run_id, event_type, step_key, timestamp, asset_key, partition, body) VALUES "
# Each row's VALUES text, by (run id, event type, step key is NULL, asset key is NULL, partition is NULL),
# and whether the run id and event type are in the text (else bound)
_ROW_VALUES: dict[tuple, tuple[str, bool]] = {}


def _one_insert(rows: list[tuple]) -> tuple[str, list]:
    """`rows` (in order) as one INSERT of them all, and the values it binds."""
    texts = []
    values: list = []
    add = values.append
    known = _ROW_VALUES
    for run_id, kind, step_key, timestamp, asset_key, partition, body in rows:
        key = (run_id, kind, step_key is None, asset_key is None, partition is None)
        found = known.get(key) or _row_values(key)
        texts.append(found[0])
        if not found[1]:
            add(run_id)
            add(kind)
        if step_key is not None:
            add(step_key)
        add(timestamp)
        if asset_key is not None:
            add(asset_key)
        if partition is not None:
            add(partition)
        add(body)
    key = tuple(texts)
    statement = _ONE_INSERTS.get(key)  # (the same text object each step: see below)
    if statement is None:
        if len(_ONE_INSERTS) >= 1024:
            _ONE_INSERTS.clear()
        statement = _ONE_INSERTS[key] = _EVENTS_INTO + ", ".join(texts)
    return statement, values


# The statements by their rows' VALUES texts: a step's batch gives sqlite3 the text object it
# gave it the step before, whose hash is known and which its cache of prepared statements finds
# by identity, instead of a new text (~550 characters for a step's six rows) to join, hash and compare.
_ONE_INSERTS: dict[tuple[str, ...], str] = {}


def _row_values(key: tuple) -> tuple[str, bool]:
    run_id, kind, no_step, no_asset, no_partition = key
    written = _plain(run_id) and _plain(kind)
    start = f"('{run_id}', '{kind}', " if written else "(?, ?, "
    found = (f"{start}{'NULL' if no_step else '?'}, ?, {'NULL' if no_asset else '?'}, "
             f"{'NULL' if no_partition else '?'}, ?)", written)
    if len(_ROW_VALUES) >= 1024:  # (a long-lived process records many runs)
        _ROW_VALUES.clear()
    _ROW_VALUES[key] = found
    return found


def _plain(text: Any) -> bool:
    """Whether `text` can be written in a statement as it is, between quotes."""
    return type(text) is str and text.isascii() and text.isprintable() and "'" not in text


def _event_groups(rows: list[tuple]) -> list[tuple[str, list[tuple]]]:
    """`rows` (in order) as runs of rows NULL in the same nullable columns: each run's insert
    and its rows' other values."""
    groups: list[tuple[str, list[tuple]]] = []
    last: Any = None
    group: list[tuple] = []
    inserts = _EVENT_INSERTS
    for row in rows:
        nulls = (row[2] is None, row[4] is None, row[5] is None)
        if nulls != last:
            statement, pick = inserts.get(nulls) or _event_insert(nulls)
            group = []
            groups.append((statement, group))
            last = nulls
        group.append(pick(row))
    return groups
