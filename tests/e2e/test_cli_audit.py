"""`bonded audit verify` and `bonded audit digest` on a log the hash chain has not reached, as an
auditor runs them: every stored event is covered, chained first or, where the database takes no
writes, hashed directly from the store, and the answer says how many of how many were covered;
on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from tests.e2e.test_cli_apply import QUICKSTART, bonded

EVENTS = "bonded_events"


def read_only(url: str) -> str:
    """The same database, opened so that it takes no writes."""
    if url.startswith("sqlite:///"):
        return f"sqlite:///file:{url.removeprefix('sqlite:///')}?mode=ro&uri=true"
    assert url.split("?")[-1].split("&")[-1].startswith("options=")  # the fixture's search_path
    return url + quote(" -cdefault_transaction_read_only=on")


@dataclass(frozen=True)
class Installation:
    folder: Path
    url: str

    def bonded(self, *args: str, writes: bool = True) -> subprocess.CompletedProcess[str]:
        url = self.url if writes else read_only(self.url)
        return bonded(*args, cwd=self.folder, env={"BONDED_DATABASE_URL": url})

    def apply(self, lines: list[str]) -> None:
        environment = {"BONDED_DATABASE_URL": self.url}
        given = "\n".join(lines) + "\n"
        applied = bonded("apply", "-", cwd=self.folder, stdin=given, env=environment)
        assert applied.returncode == 0, applied.stderr

    def stored(self) -> tuple[int, int]:
        """How many events the store holds, and the last one's position."""
        engine = create_engine(self.url)
        try:
            with engine.connect() as connection:
                found = connection.execute(text(f"SELECT count(*), max(id) FROM {EVENTS}")).one()
        finally:
            engine.dispose()
        return int(found[0]), int(found[1])

    def chain_lag(self) -> int:
        status = self.bonded("projections", "status", "--format", "json")
        assert status.returncode == 0, status.stderr
        lag: int = json.loads(status.stdout)["read_models"]["audit_chain"]["lag"]
        return lag

    def alter(self, position: int) -> None:
        """Flips one byte of a stored event's state, as someone with the database's keys could."""
        engine = create_engine(self.url)
        try:
            with engine.begin() as connection:
                query = text(f"SELECT state FROM {EVENTS} WHERE id = :p")
                state = bytearray(bytes(connection.execute(query, {"p": position}).scalar_one()))
                state[len(state) // 2] ^= 0x01
                connection.execute(
                    text(f"UPDATE {EVENTS} SET state = :s WHERE id = :p"),
                    {"s": bytes(state), "p": position},
                )
        finally:
            engine.dispose()


@pytest.fixture
def installation(database_url: str, tmp_path: Path) -> Installation:
    return Installation(tmp_path, database_url)


# the quickstart's registrations and movements; its report submission is judged against the
# wall clock (``submission_backdated``), which these tests have no need of
QUICKSTART_LINES = [
    line for line in QUICKSTART.read_text().splitlines() if "submit_report" not in line
]


def test_verify_chains_the_log_first_and_covers_every_stored_event(
    installation: Installation,
) -> None:
    installation.apply(QUICKSTART_LINES)  # `bonded apply` records; no follower runs
    count, head = installation.stored()
    assert installation.chain_lag() == head  # the chain has reached none of it
    verified = installation.bonded("audit", "verify")
    assert verified.returncode == 0, verified.stderr
    assert (
        verified.stdout.strip()
        == f"OK: covered {count} of {count} stored events up to position {head}"
    )
    assert installation.chain_lag() == 0  # verify brought the chain up to the log


def test_where_the_chain_cannot_be_written_the_tail_is_hashed_directly_from_the_store(
    installation: Installation,
) -> None:
    installation.apply(QUICKSTART_LINES[:9])
    assert installation.bonded("audit", "verify").returncode == 0  # chains the first part
    chained, _ = installation.stored()
    installation.apply(QUICKSTART_LINES[9:])
    count, head = installation.stored()
    assert installation.chain_lag() == count - chained > 0

    verified = installation.bonded("audit", "verify", writes=False)
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.strip() == (
        f"OK: covered {count} of {count} stored events up to position {head} "
        f"({count - chained} past the chain's head: hashed directly from the store)"
    )
    assert "the hash chain was not brought up to the log" in verified.stderr
    assert installation.chain_lag() == count - chained  # nothing was written

    digested = installation.bonded("audit", "digest", "-o", "held.json", writes=False)
    assert digested.returncode == 0, digested.stderr
    held = json.loads((installation.folder / "held.json").read_text())
    assert (held["position"], held["covered"], held["stored"]) == (head, count, count)
    # the chain the follower writes links the tail exactly as it was hashed directly
    against = installation.bonded("audit", "verify", "--digest", "held.json")
    assert against.returncode == 0, against.stdout
    assert (
        against.stdout.strip()
        == f"OK: covered {count} of {count} stored events up to position {head}"
    )
    assert installation.chain_lag() == 0


def test_an_event_altered_after_chaining_fails_verification_either_way(
    installation: Installation,
) -> None:
    installation.apply(QUICKSTART_LINES)
    count, head = installation.stored()
    assert installation.bonded("audit", "verify").returncode == 0
    installation.alter(20)
    for writes in (True, False):
        verified = installation.bonded("audit", "verify", writes=writes)
        assert verified.returncode == 1, writes
        assert verified.stdout.strip() == (
            "BAD at position 20: changed: its stored columns differ from what was chained; "
            f"covered 19 of {count} stored events up to position {head}: "
            "the check stops at the first bad one"
        )


def test_an_unchained_event_altered_after_a_digest_fails_against_it(
    installation: Installation,
) -> None:
    installation.apply(QUICKSTART_LINES)
    count, head = installation.stored()
    digested = installation.bonded("audit", "digest", "-o", "held.json", writes=False)
    assert digested.returncode == 0, digested.stderr
    installation.alter(30)
    verified = installation.bonded("audit", "verify", "--digest", "held.json", writes=False)
    assert verified.returncode == 1
    assert verified.stdout.strip().startswith(
        f"BAD at position {head}: digest: the log up to here does not hash to the held digest; "
    )
    assert installation.chain_lag() == count  # still nothing chained
