"""Turning one line of input into a command, with errors that name the field and the rule.

Every line is judged on its own: a line over the size limit, bytes that are not UTF-8, JSON
nested too deep or a number too long each refuse that line, with a message that quotes at
most a short excerpt of what was sent.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from commands.models import COMMAND_ADAPTER, COMMAND_NAMES, Command
from ledger.errors import FieldProblem, LedgerError, excerpt

MAX_LINE_BYTES = 1 << 20  # one command, e.g. a declaration of 2,000 lines, fits well within


class InvalidCommand(LedgerError):
    status = 422


def field_path(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts[-1:] = [f"{parts[-1]}[{item}]"] if parts else [f"[{item}]"]
        else:
            parts.append(str(item))
    # the discriminated union adds the command's name as the first part
    if parts and parts[0] in COMMAND_NAMES:
        parts = parts[1:]
    return ".".join(parts)


def field_problems(error: ValidationError) -> tuple[FieldProblem, ...]:
    """Each field the model refused, kept with pydantic's type and context so that the
    refusal can be told in Vietnamese too (``ledger.refusals``)."""
    return tuple(
        FieldProblem(
            field_path(tuple(detail["loc"])),
            detail["type"],
            detail.get("ctx", {}),
            detail["msg"].removeprefix("Value error, "),
        )
        for detail in error.errors(include_url=False, include_input=False)
    )


def from_validation_error(error: ValidationError) -> InvalidCommand:
    found = field_problems(error)
    problems = [f"{p.field}: {p.message}" if p.field else p.message for p in found]
    first_field = next((p.field for p in found if p.field), None)
    return InvalidCommand("invalid_command", "; ".join(problems), first_field, field_problems=found)


def parse_command(data: Any) -> Command:
    if not isinstance(data, dict):
        raise InvalidCommand("invalid_command", "a command is a JSON object", None)
    name = data.get("command")
    if name not in COMMAND_NAMES:
        raise InvalidCommand(
            "unknown_command",
            f"command must be one of {', '.join(sorted(COMMAND_NAMES))}, not {excerpt(name)}",
            "command",
        )
    try:
        return COMMAND_ADAPTER.validate_python(data)
    except ValidationError as error:
        raise from_validation_error(error) from None


def parse_json_line(line: str | bytes) -> Command:
    """One JSON object, as a line of ``bonded apply`` or a request body."""
    return parse_command(load_json(line))


def load_json(line: str | bytes, limit: int = MAX_LINE_BYTES) -> Any:
    """JSON with exact decimals, refused with a message naming what is wrong and where."""
    if len(line) > limit:
        raise InvalidCommand(
            "line_too_long",
            f"a command is at most {limit:,} bytes; this one has {len(line):,}",
        )
    if isinstance(line, bytes):
        try:
            line = line.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InvalidCommand(
                "invalid_encoding",
                f"not UTF-8: byte 0x{line[error.start]:02x} at column {error.start + 1}",
            ) from None
    try:
        data = json.loads(line, parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise InvalidCommand(
            "invalid_json", f"not valid JSON: {error.msg} at column {error.colno}"
        ) from None
    except RecursionError:
        raise InvalidCommand("invalid_json", "not valid JSON: nested too deep") from None
    except ValueError as error:  # e.g. an integer of more than 4,300 digits
        raise InvalidCommand("invalid_json", f"not valid JSON: {excerpt(str(error), 80)}") from None
    return data
