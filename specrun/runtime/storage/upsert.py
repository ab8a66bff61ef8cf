"""INSERT ... ON CONFLICT DO UPDATE on the SQL run storage's tables, per dialect."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa


def upsert(conn: Any, table: sa.Table, rows: list[dict], keys: tuple[str, ...]) -> None:
    """Insert `rows` into `table`, replacing the rows with the same `keys`."""
    if not rows:
        return
    if conn.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    elif conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        for row in rows:
            conn.execute(table.delete().where(sa.and_(*(table.c[k] == row[k] for k in keys))))
        conn.execute(table.insert(), rows)
        return
    cache_key = (conn.dialect.name, table.name)
    statement = _UPSERTS.get(cache_key)
    if statement is None:  # built once: building it costs more than running it on a few rows
        statement = _UPSERTS[cache_key] = upsert_statement(insert, table, keys)
    conn.execute(statement, rows)


_UPSERTS: dict[tuple[str, str], Any] = {}


def upsert_statement(insert: Any, table: sa.Table, keys: tuple[str, ...]) -> Any:
    """INSERT ... ON CONFLICT (keys) DO UPDATE of every other column, with a dialect's `insert`."""
    stmt = insert(table)
    update = {c.name: stmt.excluded[c.name] for c in table.columns if c.name not in keys}
    return stmt.on_conflict_do_update(index_elements=list(keys), set_=update)
