"""What a failure of the database means to whoever runs a command or asks a question: the
database did not answer, went away or could not write (a full disk, a lost connection, a
server stopped) — as against a bug. Every door tells it the same way: the CLI's exit code 4,
the HTTP API's 503 with ``Retry-After``."""

from __future__ import annotations

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
