"""What a failure of the database means (``commands/faults.py``): which failures may pass by
themselves and are waited for, which are said at once, and a follower that says an outage
once and its end once, whatever the number of turns in between."""

from __future__ import annotations

import sqlite3

import psycopg2
from sqlalchemy import exc

from commands.faults import Outage, database_failure, passing, restarting


def failure(message: str) -> exc.OperationalError:
    return exc.OperationalError("SELECT 1", {}, psycopg2.OperationalError(message))


def test_a_full_disk_is_not_waited_for_a_server_going_away_is() -> None:
    full = exc.OperationalError("INSERT", {}, sqlite3.OperationalError("database or disk is full"))
    assert database_failure(full) == "database or disk is full"
    assert not passing(full)
    gone = failure("server closed the connection unexpectedly\nThis probably means...")
    assert database_failure(gone) == "server closed the connection unexpectedly"
    assert passing(gone) and restarting(gone)
    assert passing(failure('connection to server at "127.0.0.1" failed: Connection refused'))
    # at a run's start a refused connection is more likely a wrong URL: said at once
    assert not restarting(failure("connection refused"))
    assert restarting(failure("FATAL:  the database system is starting up"))
    assert database_failure(ValueError("a bug")) is None and not passing(ValueError("a bug"))


def test_an_outage_is_said_once_and_its_end_once() -> None:
    said: list[str] = []
    outage = Outage(said.append)
    outage.over()  # nothing to say: no outage yet
    for _ in range(5):
        assert outage.failed(failure("server closed the connection unexpectedly"))
    assert not outage.failed(ValueError("a bug"))  # not an outage: the caller raises it
    outage.over()
    outage.over()
    assert len(said) == 2
    assert said[0].startswith("the database does not answer (server closed the connection")
    assert said[1].startswith("the database answers again (after ")
