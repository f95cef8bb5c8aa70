"""The hostile corpus of ``tests/http/test_hostile_corpus.py`` against every ``bonded`` command
that answers or records at once, on SQLite and PostgreSQL: each value alone in one option or
argument of an otherwise sound invocation. Every one ends in a sentence and exit 0, 1 or 2 —
never an exception (exit 3) or a traceback — and none records anything.

``apply``'s lines have their own corpus (``test_cli_hostile_input.py``); ``serve``, ``demo``,
``db upgrade`` and ``projections run``/``rebuild`` run long or set up, and take no question."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from api.cli import app
from api.wiring import open_ledger
from commands.settings import Settings
from tests.http.test_hostile_corpus import DAYS, INTEGERS, MOMENTS, PERIODS, WORDS
from tests.http.world import furnish

LEFT_OUT = {"apply", "serve", "demo", "db upgrade", "projections run", "projections rebuild"}
SOUND: dict[str, list[str]] = {  # what an invocation needs besides the hostile value
    "stock-card": ["D1/1"],
    "licence-card": ["L1"],
    "allowance": ["B-1"],
    "inspection": ["--province", "Ho Chi Minh City", "--year", "2026"],
    "users add": ["someone", "--role", "auditor"],
    "users disable": ["nobody"],
    "report periodic": ["--warehouse", "W1", "--period", "2026-H1"],
    "audit check-report": ["--warehouse", "W1", "--period", "2026-H1"],
    "tokens issue": ["nobody"],
    "tokens revoke": ["nobody"],
}
ROOT = typer.main.get_command(app)


def subcommands(group: Any) -> Iterator[tuple[str, Any]]:
    """A group's commands as the root lists them (the questions' built when asked for)."""
    context = typer.Context(group)
    for name in group.list_commands(context):
        yield name, group.get_command(context, name)


NAMES = (
    {word for name in SOUND for word in name.split()}
    | {name for name, _ in subcommands(ROOT)}
    | {"digest", "verify", "replay", "list", "status", "check-report"}
)
FILES = ["/nonexistent/folder/out.xlsx", "/", "/proc/self/nonexistent/x", ""]
FORMATS = ["xml", "", "x" * 5000]


def values_for(name: str) -> list[Any]:
    if name in ("as_of", "from_day", "to_day", "to"):
        return DAYS
    if name == "known_at":
        return MOMENTS
    if name == "period":
        return PERIODS
    if name in ("year", "batch_size", "workers"):
        return INTEGERS
    if name in ("output", "digest_file") and name != "output_format":
        return FILES
    if name == "output_format":
        return FORMATS
    return WORDS


def invocations() -> Iterator[list[str]]:
    def walk(command: Any, path: list[str]) -> Iterator[tuple[str, Any]]:
        if hasattr(command, "commands"):
            for name, sub in subcommands(command):
                yield from walk(sub, [*path, name])
        else:
            yield " ".join(path), command

    for name, command in walk(ROOT, []):
        if name in LEFT_OUT:
            continue
        sound = SOUND.get(name, [])
        for parameter in command.params:
            if parameter.name == "help" or getattr(parameter, "is_flag", False):
                continue
            opts = getattr(parameter, "opts", [])
            is_option = any(o.startswith("-") for o in opts)
            values = values_for(parameter.name)
            if parameter.name == "output" and "--format" in opts:
                values = FORMATS
            for value in values:
                if is_option:
                    given = [a for a in sound if a != opts[-1]]
                    if opts[-1] in sound:  # replace the sound option's value
                        at = sound.index(opts[-1])
                        given = [*sound[:at], *sound[at + 2 :]]
                    yield [*name.split(), *given, opts[-1], str(value)]
                else:
                    rest = sound[1:] if sound and not sound[0].startswith("-") else sound
                    yield [*name.split(), str(value), *rest]


@pytest.fixture
def furnished(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    ledger = open_ledger(Settings(database_url))
    furnish(ledger)
    ledger.close()
    monkeypatch.setenv("BONDED_DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)
    return database_url


def head(database_url: str) -> int:
    ledger = open_ledger(Settings(database_url))
    try:
        return ledger.service.store.head()
    finally:
        ledger.close()


def test_every_command_ends_hostile_input_in_a_sentence_and_records_nothing(
    furnished: str,
) -> None:
    before = head(furnished)
    runner = CliRunner()
    failures = []
    asked = list(invocations())
    for arguments in asked:
        result = runner.invoke(app, arguments)
        raised = result.exception is not None and not isinstance(result.exception, SystemExit)
        if raised or result.exit_code not in (0, 1, 2) or "Traceback" in result.output:
            failures.append(
                f"bonded {' '.join(a[:60] for a in arguments)} -> exit {result.exit_code} "
                f"{result.exception!r} {result.output[-300:]}"
            )
    commands = {" ".join(a for a in arguments[:2] if a in NAMES) for arguments in asked}
    print(f"{len(asked)} hostile invocations of {len(commands)} commands: {len(failures)} wrong")
    assert not failures, "\n".join(failures[:40])
    assert head(furnished) == before, "a hostile invocation recorded something"
