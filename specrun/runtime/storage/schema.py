"""The run storage's SQL schema, its version, and the migrations that bring a store up to it.

How the schema grows: bump SCHEMA_VERSION, add the column or table to the definitions below
(a new store gets it from `_create_all`), and add to MIGRATIONS the step upgrading a store at
version N-1 to N. `migrate` runs the missing steps in order, in one transaction, under a lock;
a store at a newer version than this code knows is refused (never silently written to).
"""

from __future__ import annotations

from typing import Callable, Optional

import sqlalchemy as sa

from .dynamic import create_table, dynamic_partitions_table
from .sql_rows import SCHEMA_VERSION, newer_schema_error
_MIGRATION_LOCK = 0x5EC12C  # PostgreSQL advisory lock key held while migrating
metadata = sa.MetaData()
runs = sa.Table(
    "runs", metadata,
    sa.Column("run_id", sa.String(64), primary_key=True),
    sa.Column("job_name", sa.String(255), nullable=False),
    sa.Column("status", sa.String(32), nullable=False, index=True),
    sa.Column("run_config", sa.Text), sa.Column("tags", sa.Text),
    sa.Column("start_time", sa.Float), sa.Column("end_time", sa.Float),
    sa.Column("parent_run_id", sa.String(64)), sa.Column("root_run_id", sa.String(64)),
    sa.Column("step_keys_to_execute", sa.Text), sa.Column("pid", sa.Integer),
    sa.Column("seq", sa.Integer, index=True),
    # schema 4: who runs it (`leases.host_identity`) and when it last said it is alive
    sa.Column("host", sa.String(255)), sa.Column("heartbeat", sa.Float),
)
# Run numbers on PostgreSQL (schema 4): max(seq)+1 is not safe across concurrent transactions there.
runs_seq = sa.Sequence("specrun_runs_seq", metadata=metadata)
events = sa.Table(
    "events", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.String(64), nullable=False, index=True),
    sa.Column("event_type", sa.String(40), nullable=False),
    sa.Column("step_key", sa.String(512)), sa.Column("timestamp", sa.Float),
    sa.Column("asset_key", sa.String(1024)), sa.Column("partition", sa.String(255)),
    sa.Column("body", sa.Text, nullable=False),
)
materializations = sa.Table(
    "asset_materializations", metadata,
    sa.Column("asset_key", sa.String(1024), primary_key=True),
    sa.Column("partition", sa.String(255), primary_key=True),
    sa.Column("run_id", sa.String(64)), sa.Column("timestamp", sa.Float),
    sa.Column("code_version", sa.String(64)), sa.Column("config_hash", sa.String(64)),
    sa.Column("data_version", sa.String(64)), sa.Column("input_data_versions", sa.Text),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("stored", sa.Text),  # the record's `specrun/stored` entry as JSON (schema 3)
)
checks = sa.Table(
    "check_evaluations", metadata,
    sa.Column("asset_key", sa.String(1024), primary_key=True),
    sa.Column("check_name", sa.String(255), primary_key=True),
    sa.Column("partition", sa.String(255)), sa.Column("run_id", sa.String(64)),
    sa.Column("passed", sa.Boolean), sa.Column("timestamp", sa.Float),
    sa.Column("body", sa.Text, nullable=False),
)
# schema 4: an (asset, partition) being materialized, by which run, on which host, alive when
leases = sa.Table(
    "leases", metadata,
    sa.Column("asset_key", sa.String(1024), primary_key=True),
    sa.Column("partition", sa.String(255), primary_key=True),
    sa.Column("run_id", sa.String(64), nullable=False, index=True),
    sa.Column("host", sa.String(255)), sa.Column("pid", sa.Integer),
    sa.Column("heartbeat", sa.Float, nullable=False),
)
schema_version = sa.Table("schema_version", metadata, sa.Column("version", sa.Integer, nullable=False))
dynamic_partitions = dynamic_partitions_table(metadata)



def _create_all(conn: sa.engine.Connection) -> None:
    metadata.create_all(conn)


def _add_column(table: sa.Table, column: str) -> Callable[[sa.engine.Connection], None]:
    """A migration adding `column` of `table` (already made when this store was created at
    the latest version, by `_create_all`)."""
    def upgrade(conn: sa.engine.Connection) -> None:
        if column in {c["name"] for c in sa.inspect(conn).get_columns(table.name)}:
            return
        kind = table.c[column].type.compile(dialect=conn.dialect)
        conn.execute(sa.text(f'ALTER TABLE {table.name} ADD COLUMN "{column}" {kind}'))
    return upgrade


def _schema_4(conn: sa.engine.Connection) -> None:
    """Run heartbeats and host identity, the leases table, and on PostgreSQL the run-number
    sequence (started after the highest number already given)."""
    _add_column(runs, "host")(conn)
    _add_column(runs, "heartbeat")(conn)
    create_table(leases)(conn)
    if conn.dialect.name == "postgresql":
        runs_seq.create(conn, checkfirst=True)
        top = conn.execute(sa.select(sa.func.max(runs.c.seq))).scalar()
        if top:
            conn.execute(sa.select(sa.func.setval(runs_seq.name, top)))


# How the schema grows: bump SCHEMA_VERSION, add the column/table to the definitions above (a
# new store gets it from `_create_all`), and add the step upgrading a store at version N-1 to N
# here. Steps run in order in one transaction, under a lock (see `migrate`).
MIGRATIONS: dict[int, Callable[[sa.engine.Connection], None]] = {
    1: _create_all,
    2: create_table(dynamic_partitions),
    3: _add_column(materializations, "stored"),
    4: _schema_4,
}


def migrate(engine: sa.engine.Engine, found: Optional[list[int]] = None) -> int:
    """Create or upgrade the schema; returns the version the store is at (and appends the
    version it was at to `found`: 0 for a store with no history).

    Processes opening one store at once migrate one after the other: SQLite's write lock
    or PostgreSQL's advisory lock is taken before the version is read.
    """
    with engine.connect() as conn:
        conn.info["write"] = True
        with conn.begin():
            return _migrate_locked(conn, found if found is not None else [])


def _migrate_locked(conn: sa.engine.Connection, found: list[int]) -> int:
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
    inspector = sa.inspect(conn)
    current = 0
    if inspector.has_table("schema_version"):
        row = conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar()
        current = int(row or 0)
    found.append(current)
    if current > SCHEMA_VERSION:
        raise newer_schema_error(current)
    for version in range(current + 1, SCHEMA_VERSION + 1):
        MIGRATIONS[version](conn)
        conn.execute(schema_version.delete())
        conn.execute(schema_version.insert().values(version=version))
    return max(current, SCHEMA_VERSION)
