"""What a run of ``bonded apply`` does when it cannot go on: the database failing midway
(waited for when it may come back and every line in doubt has a ``command_id``; else the run
stops, exit 4), or the run stopped by Ctrl-C or SIGTERM (exit 130) — and, either way, what it
says: what was committed, the batch in doubt, and whether running the same file again is
safe."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import typer

from api.cli.run import err as _err

T = TypeVar("T")


FAILED = 4  # the database failed midway: what was committed is said (docs/commands.md)
INTERRUPTED = 130  # stopped by Ctrl-C or SIGTERM: what was committed is said too


def interrupted_by_sigterm() -> None:
    """SIGTERM (a service manager stopping the run) taken as Ctrl-C: the run stops between
    two statements and says what it committed, instead of dying silent."""
    import signal

    def interrupt(_number: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


class Waiting:
    """How long a run still waits for its database: up to ``seconds`` from the failure,
    counted afresh once a line has been answered since."""

    PAUSE = 0.5  # between two attempts to reach the database

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.since: float | None = None  # the first failure since the last line answered

    def progressed(self) -> None:
        self.since = None

    def opening(self, bootstrap: Callable[[], T]) -> T:
        """The ledger opened, waiting up to ``seconds`` for a database that is restarting or
        failing over (one that refuses connections is more likely a wrong URL: at once)."""
        import time

        from commands.faults import database_failure, passing, restarting

        while True:
            try:
                return bootstrap()
            except Exception as error:
                now = time.monotonic()
                if self.since is None and restarting(error) and self.seconds > 0:
                    self.since = now
                    _err(
                        f"the database does not answer yet: {database_failure(error)}; "
                        f"waiting up to {self.seconds:g} s for it (--wait-for-database)"
                    )
                if self.since is None or not passing(error) or now - self.since > self.seconds:
                    raise
                time.sleep(self.PAUSE)

    def until_answered(self, store: Any, reason: str, at: str) -> bool:
        """Waits until the database answers again; False once the time is up."""
        import time

        now = time.monotonic()
        if self.since is None:
            self.since = now
            if self.seconds > 0:
                _err(
                    f"the database failed at {at}: {reason}; waiting up to "
                    f"{self.seconds:g} s for it to answer again (--wait-for-database)"
                )
        while time.monotonic() - self.since < self.seconds:
            time.sleep(self.PAUSE)
            if _answers(store):
                _err(f"the database answers again: going on from {at}")
                return True
        return False


def _answers(store: Any) -> bool:
    """Whether the event store's database takes a connection and answers a query."""
    from sqlalchemy import text

    from commands.faults import database_failure

    try:
        with store.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        if database_failure(error) is None:
            raise
        return False
    return True


def stopped(
    file: str,
    reason: str,
    counts: dict[str, int],
    refusals: list[dict[str, Any]],
    left: list[tuple[int, Any]],
    where: str,
    output: str,
    batch_size: int,
    position: int | None,
) -> None:
    """What a run cut short by the database failing leaves behind: the inputs answered were
    each committed in a transaction of their batch (or refused) before the next batch began;
    the batch being written when it failed was rolled back, unless the failure came during
    its commit, when it may have been recorded. Whether running the same file again is safe:
    yes for every input with a ``command_id`` (recorded once, whatever happened), and what to
    do for those without."""
    from commands.settings import Settings

    first = left[0][0] if left else None
    unkeyed = [number for number, given in left if not keyed(given)]
    report = {
        **counts,
        "not_run": len(left),
        "refusals": refusals,
        "position": position,
        "stopped": {
            "reason": reason or "interrupted (Ctrl-C or SIGTERM)",
            "database": Settings.from_env().shown_url,
            "first_not_committed": first,
            "in_doubt": [number for number, _ in left[:batch_size]],
            "without_command_id": unkeyed,
            "safe_to_repeat": not unkeyed,
        },
    }
    if output == "json":
        import json

        typer.echo(json.dumps(report, indent=2))
        return
    if reason:
        _err(f"error: the database failed while applying {file}: {reason}")
    else:
        _err(f"stopped (Ctrl-C or SIGTERM) while applying {file}")
    _err(
        f"committed before it {'failed' if reason else 'stopped'}: applied "
        f"{counts['applied']}, already applied "
        f"{counts['already_applied']}, refused {counts['refused']}"
        + (f" ({where}s before {where} {first})" if first is not None else "")
        + (f"; the log's position then: {position}" if position is not None else "")
    )
    if not left:
        _err("every input was answered before the failure")
        return
    last = left[min(batch_size, len(left)) - 1][0]
    _err(
        f"not committed: {len(left)} from {where} {first} on; the batch of {where}s {first}–"
        f"{last} was being written and is recorded only if the failure came as it committed"
    )
    if not unkeyed:
        _err(
            f"safe to repeat: every {where} left has a command_id, so `bonded apply {file}` "
            "again records each once (those already recorded answer 'already applied')"
        )
    else:
        shown = ", ".join(str(n) for n in unkeyed[:10]) + (" …" if len(unkeyed) > 10 else "")
        _err(
            f"not safe to repeat as it is: {len(unkeyed)} {where}(s) left have no command_id "
            f"({shown}). Check with `bonded stock-card LOT` which of {where}s {first}–{last} "
            f"were recorded, then apply the {where}s after them only; or give each {where} a "
            "command_id, so that a repeat records it once"
        )


def keyed(given: Any) -> bool:
    """Whether an input names its ``command_id`` (a spreadsheet row always has one)."""
    if isinstance(given, bytes):
        import json

        try:
            found = json.loads(given)
        except ValueError:
            return True  # refused anyway: repeating it records nothing
        return not isinstance(found, dict) or bool(found.get("command_id"))
    return True
