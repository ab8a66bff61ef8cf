"""Run storages: in memory (`memory.py`), a SQLite file (`sqlite.py`, the default), and any
SQLAlchemy URL (`sql.py`: PostgreSQL, SQLite with URL options or in memory)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .base import RunStorage


def open_run_storage(url: str) -> "RunStorage":
    """The persistent run storage at `url`: a ``sqlite:///`` file through `sqlite3` (no
    SQLAlchemy import), anything else through SQLAlchemy."""
    from .sqlite_writer import file_of

    path = file_of(url)
    if path is not None:
        from .sqlite import SqliteRunStorage

        return SqliteRunStorage(url, path)
    from .sql import SqlRunStorage

    return SqlRunStorage(url)
