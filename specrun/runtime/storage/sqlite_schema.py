"""The run storage's schema as SQLite DDL, for the plain SQLite storage (`sqlite.py`).

The statements are what SQLAlchemy emits for `schema.py`'s tables on SQLite (with ``IF NOT
EXISTS``, which SQLite leaves out of the stored schema), so a store created here is the store
`schema.migrate` would create (tests/runtime/storage/test_sqlite.py compares the two). A new
store is created here; an older one is upgraded by `schema.migrate` (SQLAlchemy is imported
for that only), and one at a newer version is refused.
"""

from __future__ import annotations

import sqlite3
from typing import Callable

from .sql_rows import SCHEMA_VERSION, newer_schema_error

_TABLES = ("runs", "events", "asset_materializations", "check_evaluations", "leases", "schema_version",
           "dynamic_partitions")

DDL = (
    "CREATE TABLE IF NOT EXISTS runs (\n\trun_id VARCHAR(64) NOT NULL, \n\tjob_name VARCHAR(255) NOT NULL, "
    "\n\tstatus VARCHAR(32) NOT NULL, \n\trun_config TEXT, \n\ttags TEXT, \n\tstart_time FLOAT, "
    "\n\tend_time FLOAT, \n\tparent_run_id VARCHAR(64), \n\troot_run_id VARCHAR(64), "
    "\n\tstep_keys_to_execute TEXT, \n\tpid INTEGER, \n\tseq INTEGER, \n\thost VARCHAR(255), "
    "\n\theartbeat FLOAT, \n\tPRIMARY KEY (run_id)\n)",
    "CREATE INDEX IF NOT EXISTS ix_runs_seq ON runs (seq)",
    "CREATE INDEX IF NOT EXISTS ix_runs_status ON runs (status)",
    "CREATE TABLE IF NOT EXISTS events (\n\tid INTEGER NOT NULL, \n\trun_id VARCHAR(64) NOT NULL, "
    "\n\tevent_type VARCHAR(40) NOT NULL, \n\tstep_key VARCHAR(512), \n\ttimestamp FLOAT, "
    "\n\tasset_key VARCHAR(1024), \n\tpartition VARCHAR(255), \n\tbody TEXT NOT NULL, \n\tPRIMARY KEY (id)\n)",
    "CREATE INDEX IF NOT EXISTS ix_events_run_id ON events (run_id)",
    "CREATE TABLE IF NOT EXISTS asset_materializations (\n\tasset_key VARCHAR(1024) NOT NULL, "
    "\n\tpartition VARCHAR(255) NOT NULL, \n\trun_id VARCHAR(64), \n\ttimestamp FLOAT, "
    "\n\tcode_version VARCHAR(64), \n\tconfig_hash VARCHAR(64), \n\tdata_version VARCHAR(64), "
    "\n\tinput_data_versions TEXT, \n\tbody TEXT NOT NULL, \n\tstored TEXT, "
    "\n\tPRIMARY KEY (asset_key, partition)\n)",
    "CREATE TABLE IF NOT EXISTS check_evaluations (\n\tasset_key VARCHAR(1024) NOT NULL, "
    "\n\tcheck_name VARCHAR(255) NOT NULL, \n\tpartition VARCHAR(255), \n\trun_id VARCHAR(64), "
    "\n\tpassed BOOLEAN, \n\ttimestamp FLOAT, \n\tbody TEXT NOT NULL, \n\tPRIMARY KEY (asset_key, check_name)\n)",
    "CREATE TABLE IF NOT EXISTS leases (\n\tasset_key VARCHAR(1024) NOT NULL, \n\tpartition VARCHAR(255) NOT NULL, "
    "\n\trun_id VARCHAR(64) NOT NULL, \n\thost VARCHAR(255), \n\tpid INTEGER, \n\theartbeat FLOAT NOT NULL, "
    "\n\tPRIMARY KEY (asset_key, partition)\n)",
    "CREATE INDEX IF NOT EXISTS ix_leases_run_id ON leases (run_id)",
    "CREATE TABLE IF NOT EXISTS schema_version (\n\tversion INTEGER NOT NULL\n)",
    "CREATE TABLE IF NOT EXISTS dynamic_partitions (\n\tid INTEGER NOT NULL, "
    "\n\tpartitions_def_name VARCHAR(255) NOT NULL, \n\tpartition VARCHAR(255) NOT NULL, \n\tPRIMARY KEY (id), "
    "\n\tCONSTRAINT dynamic_partitions_name_key UNIQUE (partitions_def_name, partition)\n)",
)


def open_schema(conn: sqlite3.Connection) -> int:
    """The schema version the store was at (0: no history), creating the schema of a new
    store; run inside a transaction holding the write lock, so processes opening one new
    store create it one after the other. Returns -1 for a store `schema.migrate` must
    upgrade (an older version, or tables from before versioning)."""
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "schema_version" in names:
        current = int(conn.execute("SELECT max(version) FROM schema_version").fetchone()[0] or 0)
        if current > SCHEMA_VERSION:
            raise newer_schema_error(current)
        return current if current == SCHEMA_VERSION else -1
    if names & set(_TABLES):
        return -1
    for statement in DDL:
        conn.execute(statement)
    conn.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
    return 0


def migrate_with_sqlalchemy(url: str, found: list[int]) -> Callable[[], None]:
    """Upgrade an older store at `url` with `schema.migrate` (SQLAlchemy); returns the
    engine's dispose."""
    from .schema import migrate
    from .sql import SqlRunStorage

    engine = SqlRunStorage.create_engine(url)
    migrate(engine, found)
    return engine.dispose
