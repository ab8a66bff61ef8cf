"""Dynamic partition keys in the SQL run storage: one row per (definition name, key), read
back in the order they were added."""

from __future__ import annotations

from typing import Any, Callable, Sequence

import sqlalchemy as sa

from ...errors import StorageError


def dynamic_partitions_table(metadata: sa.MetaData) -> sa.Table:
    """The `dynamic_partitions` table, declared on the storage's `metadata`."""
    return sa.Table(
        "dynamic_partitions", metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("partitions_def_name", sa.String(255), nullable=False),
        sa.Column("partition", sa.String(255), nullable=False),
        sa.UniqueConstraint("partitions_def_name", "partition", name="dynamic_partitions_name_key"),
    )


def create_table(table: sa.Table) -> Callable[[sa.engine.Connection], None]:
    """A migration creating `table` (already there when the store was created at the latest
    version)."""
    def upgrade(conn: sa.engine.Connection) -> None:
        table.create(conn, checkfirst=True)
    return upgrade


class SqlDynamicPartitions:
    """The dynamic-partitions methods of `SqlRunStorage` (which provides `_write`, `_read`
    and the table as `_dynamic_partitions`)."""

    _dynamic_partitions: sa.Table
    _write: Callable[..., Any]
    _read: Callable[..., list]

    def add_dynamic_partitions(self, name: str, keys: Sequence[str]) -> None:
        table = self._dynamic_partitions

        def insert(conn: Any) -> None:
            # under the storage's write lock (SQLite) or in one transaction that a concurrent
            # adder of the same key makes fail and retry below (PostgreSQL)
            have = {r[0] for r in conn.execute(sa.select(table.c.partition).where(
                table.c.partitions_def_name == name, table.c.partition.in_(list(keys))))}
            new = [k for k in keys if k not in have]
            if new:
                conn.execute(table.insert(), [{"partitions_def_name": name, "partition": k} for k in new])

        try:
            self._write(insert)
        except StorageError as first:  # a concurrent add of the same key: the second try sees it
            if not isinstance(first.__cause__, sa.exc.IntegrityError):
                raise
            self._write(insert)

    def get_dynamic_partitions(self, name: str) -> list[str]:
        table = self._dynamic_partitions
        query = sa.select(table.c.partition).where(table.c.partitions_def_name == name).order_by(table.c.id)
        return [r[0] for r in self._read(query)]

    def has_dynamic_partition(self, name: str, key: str) -> bool:
        table = self._dynamic_partitions
        query = sa.select(table.c.id).where(table.c.partitions_def_name == name, table.c.partition == key)
        return bool(self._read(query))

    def delete_dynamic_partition(self, name: str, key: str) -> None:
        table = self._dynamic_partitions
        self._write(lambda conn: conn.execute(table.delete().where(
            table.c.partitions_def_name == name, table.c.partition == key)))
