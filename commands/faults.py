"""What a failure of the database means to whoever runs a command or asks a question: the
database did not answer, went away or could not write (a full disk, a lost connection, a
server stopped) — as against a bug. Every door tells it the same way: the CLI's exit code 4,
the HTTP API's 503 with ``Retry-After``."""

from __future__ import annotations

import time
from collections.abc import Callable

from eventsourcing import persistence
from sqlalchemy import exc

FAILURES = (
    exc.OperationalError,
    exc.InterfaceError,
    persistence.OperationalError,
    persistence.InterfaceError,
)


def database_failure(error: BaseException) -> str | None:
    """The driver's first line of what went wrong, when ``error`` is the database failing
    (not answering, gone, full, locked too long); None for any other error."""
    if not isinstance(error, FAILURES):
        return None
    return str(getattr(error, "orig", None) or error).strip().splitlines()[0]


FULL = ("database or disk is full", "no space left on device", "disk full")


def passing(error: BaseException) -> bool:
    """Whether the failure may pass by itself, so that waiting and trying again can help: a
    database that went away or does not answer (a restart, a failover) may come back; a full
    disk stays full until someone frees it."""
    reason = database_failure(error)
    return reason is not None and not any(sign in reason.lower() for sign in FULL)


# what a server says while it restarts or fails over (directly, or through a proxy that has
# no leader to hand the connection to), as against a server that is not there at all
STARTING = (
    "starting up",
    "shutting down",
    "in recovery",
    "server closed the connection unexpectedly",
    "terminating connection",
)


def restarting(error: BaseException) -> bool:
    """Whether the database looks as though it is restarting or failing over: worth waiting
    for at the start of a run. A refused connection or an unknown host is more likely a
    wrong URL: said at once."""
    reason = database_failure(error)
    return reason is not None and any(sign in reason.lower() for sign in STARTING)


class Outage:
    """A process that waits out the database's outages (a follower of the log): says once
    that the database failed and once that it answers again, with how long it was gone."""

    def __init__(self, say: Callable[[str], None]) -> None:
        self.say = say
        self.since: float | None = None

    def failed(self, error: Exception) -> bool:
        reason = database_failure(error)
        if reason is None:
            return False
        if self.since is None:
            self.since = time.monotonic()
            self.say(f"the database does not answer ({reason}); trying again until it does")
        return True

    def over(self) -> None:
        if self.since is not None:
            gone = time.monotonic() - self.since
            self.since = None
            self.say(f"the database answers again (after {gone:.1f} s); going on")
