"""Backends for integration tests: a fresh SQLite file, and a fresh PostgreSQL schema.

PostgreSQL comes from BONDED_TEST_POSTGRES_URL (default: the local ``test`` database). Each
test gets a schema of its own, named at random and dropped afterwards, so runs never collide.
Under CI=true a PostgreSQL that does not answer fails the run; elsewhere its tests skip and
say why.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

DEFAULT_POSTGRES_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
POSTGRES_URL = os.environ.get("BONDED_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _postgres_problem() -> str | None:
    from sqlalchemy import create_engine, text

    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
    except Exception as error:  # noqa: BLE001 - any failure means "no server to test on"
        return f"{type(error).__name__}: {str(error).strip().splitlines()[0]}"
    return None


_problem: list[str | None] = []


def postgres_problem() -> str | None:
    if not _problem:
        _problem.append(_postgres_problem())
    return _problem[0]


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL whose connections live in a fresh schema of their own."""
    problem = postgres_problem()
    if problem is not None:
        message = f"PostgreSQL at {POSTGRES_URL} does not answer ({problem})"
        if IN_CI:
            pytest.fail(message + "; under CI the PostgreSQL tests must run")
        pytest.skip(message + "; set BONDED_TEST_POSTGRES_URL to run these tests")
    from sqlalchemy import create_engine, text

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    options = quote(f"-csearch_path={schema}")
    # Every connection of the test (its own, its servers', its CLI runs') is named after its
    # schema, so that none outlives it: a pool a test left open would otherwise hold its
    # connections until collected, and two workers' leftovers can exhaust max_connections.
    # (options last: a test may add to them, e.g. default_transaction_read_only)
    yield f"{POSTGRES_URL}{separator}application_name={schema}&options={options}"
    with admin.begin() as connection:
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = :schema AND pid <> pg_backend_pid()"
            ),
            {"schema": schema},
        )
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'bonded.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each test using this runs twice: on SQLite and on PostgreSQL."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))
