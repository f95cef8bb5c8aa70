"""The ledger's recorder passes the library's own application recorder test case, on SQLite
and on PostgreSQL (eventsourcing 9.5.6, ``eventsourcing.tests.persistence``)."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from eventsourcing.tests.persistence import ApplicationRecorderTestCase
from eventsourcing.utils import Environment
from sqlalchemy import create_engine, text

from commands.persistence import Factory
from commands.recorder import LedgerRecorder
from tests.conftest import IN_CI, POSTGRES_URL, postgres_problem

# The library's concurrent-throughput case times writers racing for SQLite's lock: beside a
# second worker loading the machine, it once met "database is locked". `make test` runs
# these tests alone, after the rest (pytest -m alone).
pytestmark = pytest.mark.alone


class LedgerRecorderCase(ApplicationRecorderTestCase[LedgerRecorder]):
    __test__ = False  # the backends below run it
    url = ""

    def create_recorder(self) -> LedgerRecorder:
        self.factory = Factory(Environment("Bonded", {"SQLALCHEMY_URL": self.url}))
        recorder = self.factory.application_recorder()
        assert isinstance(recorder, LedgerRecorder)
        return recorder

    def tearDown(self) -> None:
        if hasattr(self, "factory"):
            self.factory.close()
        super().tearDown()


class TestOnSQLite(LedgerRecorderCase):
    __test__ = True

    def setUp(self) -> None:
        super().setUp()
        self.folder = tempfile.TemporaryDirectory()
        self.url = f"sqlite:///{Path(self.folder.name) / 'events.db'}"

    def tearDown(self) -> None:
        super().tearDown()
        self.folder.cleanup()


@pytest.mark.postgres
class TestOnPostgreSQL(LedgerRecorderCase):
    __test__ = True

    def setUp(self) -> None:
        super().setUp()
        problem = postgres_problem()
        if problem is not None:
            message = f"PostgreSQL at {POSTGRES_URL} does not answer ({problem})"
            if IN_CI:
                pytest.fail(message + "; under CI the PostgreSQL tests must run")
            pytest.skip(message)
        self.schema = f"t_{uuid.uuid4().hex[:12]}"
        self.admin = create_engine(POSTGRES_URL)
        with self.admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{self.schema}"'))
        separator = "&" if "?" in POSTGRES_URL else "?"
        self.url = f"{POSTGRES_URL}{separator}options={quote(f'-csearch_path={self.schema}')}"

    def tearDown(self) -> None:
        super().tearDown()
        with self.admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{self.schema}" CASCADE'))
        self.admin.dispose()
