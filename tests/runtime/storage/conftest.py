"""Storage fixtures: the same tests against SQLite, PostgreSQL (a real server) and memory."""

from __future__ import annotations

import os
import uuid

import pytest

PG_URL = os.environ.get("SPECRUN_TEST_POSTGRES_URL", "postgresql://specrun:specrun@127.0.0.1:5432/specrun")


def _postgres_url(request: pytest.FixtureRequest) -> str:
    """A fresh database on the test server, dropped when the requesting test or fixture ends
    (they once stayed: a local server held 2,295 of them), or a skip saying why there is none."""
    try:
        import psycopg
    except ImportError:
        pytest.skip("psycopg is not installed: pip install -e '.[test]'")
    admin = PG_URL.rsplit("/", 1)[0] + "/postgres"
    name = f"specrun_test_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as e:
        pytest.skip(f"no PostgreSQL server at {PG_URL.split('@')[-1]} ({str(e).splitlines()[0]}): "
                    "run .ci/postgres.sh (CI does)")

    def drop() -> None:  # FORCE: a connection a failed test left open does not keep it
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    request.addfinalizer(drop)
    return PG_URL.rsplit("/", 1)[0] + "/" + name


# "sqlite": a plain file URL, opened by the stdlib-sqlite3 storage (the default);
# "sqlite-sqlalchemy": the same file with a URL option, which the SQLAlchemy storage opens.
@pytest.fixture(params=["sqlite", "sqlite-sqlalchemy", "postgres"])
def sql_url(request, tmp_path):
    if request.param == "sqlite":
        return "sqlite:///" + str(tmp_path / "store" / "specrun.db")
    if request.param == "sqlite-sqlalchemy":
        return "sqlite:///" + str(tmp_path / "store" / "specrun.db") + "?timeout=30"
    return _postgres_url(request)


@pytest.fixture(params=["memory", "sqlite", "sqlite-sqlalchemy", "postgres"])
def storage(request, tmp_path):
    from specrun.runtime.storage import open_run_storage
    from specrun.runtime.storage.memory import InMemoryRunStorage

    if request.param == "memory":
        store = InMemoryRunStorage()
    elif request.param == "sqlite":
        store = open_run_storage("sqlite:///" + str(tmp_path / "specrun.db"))
    elif request.param == "sqlite-sqlalchemy":
        store = open_run_storage("sqlite:///" + str(tmp_path / "specrun.db") + "?timeout=30")
    else:
        store = open_run_storage(_postgres_url(request))
    yield store
    store.close()
