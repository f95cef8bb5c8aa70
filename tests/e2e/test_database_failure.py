"""A database that fails midway (issue 23, point 2), on a PostgreSQL database of the test's
own that it closes to every connection (``ALLOW_CONNECTIONS false``, its sessions ended), then
opens again — as a server stopped and restarted, or failed over, looks to the ledger:

- ``bonded apply`` stops with exit 4 and says what was committed (the lines before the first
  not committed), which batch was being written, and whether the same file may be applied
  again; applied again once the database is back, every line is recorded exactly once;
- ``bonded serve`` answers 503 ``database_unavailable`` with ``Retry-After`` while the
  database refuses it, and answers again by itself once it is back (no restart)."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.soak import warehousing as keyed_warehousing
from tests.conftest import POSTGRES_URL, postgres_problem
from tests.e2e.test_cli_apply import QUICKSTART, bonded
from tests.http.server import BONDED, serving

pytestmark = pytest.mark.postgres
SETUP = [line for line in QUICKSTART.read_text().splitlines() if '"register_' in line]
LINES = 3_000


@pytest.fixture
def closable() -> Iterator[tuple[str, Callable[[bool], None]]]:
    """A database of its own, and how to close it to every connection (True) and open it."""
    if postgres_problem() is not None:
        pytest.skip(f"PostgreSQL at {POSTGRES_URL} does not answer")
    name = f"bonded_fault_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def close(closed: bool) -> None:
        with admin.connect() as connection:
            connection.execute(
                text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {"false" if closed else "true"}')
            )
            if closed:
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :name"
                    ),
                    {"name": name},
                )

    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url, close
    finally:
        close(False)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def warehousing(n: int, keyed: bool = True) -> str:
    """A warehousing of its own declaration, with its ``command_id`` or without one."""
    command = keyed_warehousing(f"fault-{n}")
    if not keyed:
        del command["command_id"]
    return json.dumps(command)


def events(url: str, topic: str = "%") -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            query = text("SELECT count(*) FROM bonded_events WHERE topic LIKE :topic")
            return int(connection.execute(query, {"topic": topic}).scalar() or 0)
    finally:
        engine.dispose()


def warehoused(url: str) -> int:
    """The warehousing commands recorded: one declaration registered each."""
    return events(url, "%:DeclarationRegistered")


def applying(
    url: str, close: Callable[[bool], None], folder: Path, keyed: bool, *options: str
) -> tuple[subprocess.Popen[str], Path]:
    """``bonded apply`` of ``LINES`` warehousings (with or without ids) in batches of 100,
    running, the database closed to it once 300 of them are recorded; and the file."""
    env = {"BONDED_DATABASE_URL": url}
    assert bonded("apply", "-", cwd=folder, stdin="\n".join(SETUP), env=env).returncode == 0
    commands = folder / ("keyed.jsonl" if keyed else "unkeyed.jsonl")
    commands.write_text("\n".join(warehousing(n, keyed) for n in range(LINES)) + "\n")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BONDED_")} | env
    run = subprocess.Popen(
        [BONDED, "apply", str(commands), "--batch-size", "100", *options],
        cwd=folder,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        while warehoused(url) < 300 and run.poll() is None:  # a few batches committed
            pass
        close(True)
    except BaseException:
        run.kill()
        raise
    return run, commands


def cut_short(
    url: str, close: Callable[[bool], None], folder: Path, keyed: bool, *output: str
) -> tuple[int, str, str, Path]:
    """``bonded apply`` told not to wait for its database, cut short as ``applying`` does:
    its exit code, stdout and stderr, and the file applied."""
    run, commands = applying(url, close, folder, keyed, "--wait-for-database", "0", *output)
    out, err = run.communicate(timeout=120)
    return run.returncode, out, err, commands


def test_apply_cut_short_says_what_was_committed_and_a_repeat_records_each_once(
    closable: tuple[str, Callable[[bool], None]], tmp_path: Path
) -> None:
    url, close = closable
    env = {"BONDED_DATABASE_URL": url}
    code, out, err, commands = cut_short(url, close, tmp_path, True)
    assert code == 4, (code, out, err[-2000:])
    assert "the database failed while applying" in err and "Traceback" not in err
    assert "committed before it failed: applied " in err
    assert "safe to repeat: every line left has a command_id" in err
    applied = int(err.split("committed before it failed: applied ")[1].split(",")[0])
    first = int(err.split("not committed: ")[1].split(" from line ")[1].split(" ")[0])
    assert first == applied + 1  # one file of keyed lines, none refused
    close(False)
    recorded = warehoused(url)
    assert recorded in (applied, applied + 100), (recorded, applied)  # + the batch in doubt
    again = bonded("apply", str(commands), "--batch-size", "100", cwd=tmp_path, env=env)
    assert again.returncode == 0, again.stderr[-2000:]
    assert again.stdout.strip() == (
        f"applied {LINES - recorded}, already applied {recorded}, refused 0"
    )
    assert warehoused(url) == LINES
    assert bonded("audit", "verify", cwd=tmp_path, env=env).returncode == 0


def test_apply_waits_for_the_database_to_come_back_and_goes_on_where_it_stopped(
    closable: tuple[str, Callable[[bool], None]], tmp_path: Path
) -> None:
    """As through a failover: the database goes away mid-run and comes back; every line
    left is keyed, so the run waits for it and goes on from the first line not committed."""
    url, close = closable
    run, _ = applying(url, close, tmp_path, True)
    said: list[str] = []
    assert run.stderr is not None
    for line in run.stderr:  # until the run says it is waiting, then the database is back
        said.append(line)
        if "waiting up to 60 s for it to answer again" in line:
            close(False)
            break
    out, err = run.communicate(timeout=120)
    err = "".join(said) + err
    assert run.returncode == 0, (out, err[-2000:])
    assert "the database answers again: going on from line " in err, err[-2000:]
    assert "Traceback" not in err
    applied, already, refused = (int(part.split()[-1]) for part in out.strip().split(","))
    assert applied + already == LINES and refused == 0, out
    assert already in (0, 100), out  # the batch in doubt, if its commit had reached it
    assert warehoused(url) == LINES
    env = {"BONDED_DATABASE_URL": url}
    assert bonded("audit", "verify", cwd=tmp_path, env=env).returncode == 0


def test_lines_without_a_command_id_are_named_as_unsafe_to_repeat(
    closable: tuple[str, Callable[[bool], None]], tmp_path: Path
) -> None:
    url, close = closable
    # not waiting for the database (by default it would) when a line in doubt has no id
    run, _ = applying(url, close, tmp_path, False, "--format", "json")
    out, err = run.communicate(timeout=120)
    assert run.returncode == 4, (out, err[-2000:])
    assert "waiting" not in err
    report = json.loads(out)
    stopped = report["stopped"]
    assert stopped["safe_to_repeat"] is False
    assert stopped["first_not_committed"] == report["applied"] + 1
    assert stopped["without_command_id"][0] == stopped["first_not_committed"]
    assert len(stopped["in_doubt"]) == 100 and report["not_run"] == LINES - report["applied"]


def test_the_server_answers_503_while_its_database_is_closed_and_recovers_by_itself(
    closable: tuple[str, Callable[[bool], None]], tmp_path: Path
) -> None:
    url, close = closable
    ledger_env = {"BONDED_DATABASE_URL": url}
    setup = bonded("apply", "-", cwd=tmp_path, stdin="\n".join(SETUP), env=ledger_env)
    assert setup.returncode == 0
    added = bonded("users", "add", "auditor", "--role", "auditor", cwd=tmp_path, env=ledger_env)
    assert added.returncode == 0, added.stderr
    token = bonded("tokens", "issue", "auditor", cwd=tmp_path, env=ledger_env)
    assert token.returncode == 0, token.stderr
    secret = token.stdout.strip()
    with serving(url, tmp_path) as base:
        client = httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {secret}"}, timeout=30
        )
        assert client.get("/balances").status_code == 200
        close(True)
        for path in ("/balances", "/ready"):
            down = client.get(path)
            assert down.status_code == 503, (path, down.status_code, down.text[:300])
            assert down.headers["retry-after"] == "5"
            assert down.headers["content-type"] == "application/problem+json"
            assert down.json()["code"] == "database_unavailable"
        close(False)
        assert client.get("/balances").status_code == 200  # the same server, by itself
        assert client.get("/ready").status_code == 200
